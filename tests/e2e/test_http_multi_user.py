"""Multi-user HTTP: one server with no credentials of its own, several sandbox users calling
it concurrently with their own `Authorization` headers (official Python SDK, streamable HTTP).
Every user must see exactly what the sandbox grants them, never another user's projects or
spaces, and a session id is useless with other credentials. Also: a per-request site through
`X-Atlassian-Jira-Url` + `X-Atlassian-Jira-Personal-Token` (Server/DC flavour), the
`MCP_ALLOWED_URL_DOMAINS` allow-list and SSRF check, an OAuth bearer token with
`X-Atlassian-Cloud-Id` through the API gateway, and that filters still apply to header users.
"""

from __future__ import annotations

import base64
import json
import re

import anyio
import httpx2
import pytest
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client

from http_helpers import HttpServer, Sandbox, raw

pytestmark = pytest.mark.anyio

# From src/bin/atlassian-sandbox/README.md: Cloud Basic credentials and grants.
USERS = {
    "alice": ("alice@example.com", {"WEB", "MOB", "OPS", "SUP", "OLD"}, {"ENG", "OPS", "HR", "~alice"}),
    "bob": ("bob@example.com", {"WEB", "MOB", "OPS"}, {"ENG", "OPS"}),
    "carol": ("carol@example.com", {"SUP", "OPS"}, {"OPS", "HR"}),
    "dave": ("dave@example.com", {"WEB", "MOB"}, {"ENG", "HR"}),
    "mallory": ("mallory@contractor.example.org", set(), set()),
}
JQL = 'created >= "2020-01-01" ORDER BY key'


def basic(user: str) -> str:
    email = USERS[user][0]
    return "Basic " + base64.b64encode(f"{email}:{user}-api-token".encode()).decode()


def site_only_env(sb: Sandbox) -> dict[str, str | None]:
    """The sandbox's URLs and deployment, without any credential of the server's own."""
    env = sb.env("alice")
    keep = {k: v for k, v in env.items() if k.endswith(("_URL", "_DEPLOYMENT"))}
    return {"MCP_ATLASSIAN_TEST_FIXTURES": None, "JIRA_USERNAME": None, "JIRA_API_TOKEN": None, **keep}


@pytest.fixture
def cloud():
    sb = Sandbox("cloud")
    yield sb
    sb.stop()


@pytest.fixture
def start(server_bin, make_env, workdir):
    servers = []

    def run(*args: str, **env: str | None) -> HttpServer:
        srv = HttpServer(server_bin, make_env(**env), workdir, *args)
        servers.append(srv)
        return srv

    yield run
    for srv in servers:
        assert srv.stop() == 0, srv.stderr()
        for user in USERS:
            assert f"{user}-api-token" not in srv.stderr()
            assert basic(user)[6:] not in srv.stderr()


async def what_user_sees(url: str, user: str, rounds: int) -> tuple[set[str], set[str]]:
    projects: set[str] = set()
    spaces: set[str] = set()
    async with httpx2.AsyncClient(headers={"Authorization": basic(user)}, timeout=30) as http:
        async with streamable_http_client(url, http_client=http) as (read, write):
            async with ClientSession(read, write) as session:
                await session.initialize()
                for _ in range(rounds):
                    found = await session.call_tool("jira_search", {"jql": JQL, "limit": 100, "fields": "summary"})
                    if USERS[user][1]:
                        assert found.is_error is False, found.content[0].text
                        projects |= {i["key"].split("-")[0] for i in json.loads(found.content[0].text)["issues"]}
                    pages = await session.call_tool("confluence_search", {"query": "type = page", "limit": 50})
                    if not pages.is_error:
                        for page in json.loads(pages.content[0].text)["results"]:
                            spaces |= set(re.findall(r"/spaces/([^/]+)/", page["url"]))
    return projects, spaces


async def test_concurrent_users_see_only_their_own_grants(start, cloud):
    srv = start(**site_only_env(cloud))
    seen: dict[str, tuple[set[str], set[str]]] = {}

    async def one(user: str) -> None:
        seen[user] = await what_user_sees(srv.url, user, rounds=3)

    with anyio.fail_after(60):
        async with anyio.create_task_group() as tg:
            for user in ("bob", "carol", "dave", "mallory", "alice"):
                tg.start_soon(one, user)
    for user, (projects, spaces) in seen.items():
        _, granted_projects, granted_spaces = USERS[user]
        assert projects <= granted_projects, f"{user} saw {projects - granted_projects}"
        assert spaces <= granted_spaces, f"{user} saw {spaces - granted_spaces}"
        if user != "mallory":
            assert projects and spaces, f"{user} saw nothing: {projects} {spaces}"
    assert seen["mallory"] == (set(), set())
    # Each user saw every project granted (the sandbox seeds issues in each).
    assert seen["bob"][0] == {"WEB", "MOB", "OPS"} and seen["carol"][0] == {"SUP", "OPS"}


async def test_sessions_do_not_cross_users(start, cloud):
    srv = start(**site_only_env(cloud))
    init = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
            "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}}}
    status, hdrs, _ = raw(srv, "POST", body=init, headers={"Authorization": basic("bob")})
    assert status == 200
    sid = hdrs["mcp-session-id"]
    call = {"jsonrpc": "2.0", "id": 2, "method": "tools/call",
            "params": {"name": "jira_get_issue", "arguments": {"issue_key": "WEB-1"}}}
    status, _, body = raw(srv, "POST", body=call, headers={"Authorization": basic("carol"), "Mcp-Session-Id": sid})
    assert status == 404, body
    status, _, body = raw(srv, "POST", body=call, headers={"Authorization": basic("bob"), "Mcp-Session-Id": sid})
    assert status == 200 and json.loads(body)["result"]["isError"] is False
    # carol cannot read WEB-1 with her own session either.
    status, hdrs, _ = raw(srv, "POST", body=init, headers={"Authorization": basic("carol")})
    status, _, body = raw(srv, "POST", body=call,
                          headers={"Authorization": basic("carol"), "Mcp-Session-Id": hdrs["mcp-session-id"]})
    assert json.loads(body)["result"]["isError"] is True


async def test_filters_apply_to_header_users(start, cloud):
    srv = start(JIRA_PROJECTS_FILTER="OPS", **site_only_env(cloud))
    projects, _ = await what_user_sees(srv.url, "bob", rounds=1)
    assert projects == {"OPS"}


async def test_per_request_site_and_token(start):
    server_sb = Sandbox("server")
    try:
        port = server_sb.base.rsplit(":", 1)[1]
        # The server knows no site at all besides an unrelated one; the caller brings its own.
        env = {"MCP_ATLASSIAN_TEST_FIXTURES": None, "JIRA_URL": "https://jira.unused.example",
               "JIRA_USERNAME": None, "JIRA_API_TOKEN": None}
        own_site = {"X-Atlassian-Jira-Url": f"http://127.0.0.1:{port}", "X-Atlassian-Jira-Personal-Token": "bob-pat"}
        call = {"jsonrpc": "2.0", "id": 1, "method": "tools/call",
                "params": {"name": "jira_get_issue", "arguments": {"issue_key": "WEB-1"}}}
        h = {"MCP-Protocol-Version": "2025-06-18", **own_site}
        refused = start("--stateless", **env)
        status, _, body = raw(refused, "POST", body=call, headers=h)
        text = json.loads(body)["result"]["content"][0]["text"]
        assert "MCP_ALLOWED_URL_DOMAINS" in text
        allowed = start("--stateless", MCP_ALLOWED_URL_DOMAINS="127.0.0.1", **env)
        status, _, body = raw(allowed, "POST", body=call, headers=h)
        result = json.loads(body)["result"]
        assert result["isError"] is False, result
        assert json.loads(result["content"][0]["text"])["key"] == "WEB-1"
        # carol's token cannot read WEB.
        h["X-Atlassian-Jira-Personal-Token"] = "carol-pat"
        status, _, body = raw(allowed, "POST", body=call, headers=h)
        assert json.loads(body)["result"]["isError"] is True
        # A subdomain match that resolves to loopback is refused (SSRF).
        ssrf = start("--stateless", MCP_ALLOWED_URL_DOMAINS="localhost", **env)
        h["X-Atlassian-Jira-Url"] = f"http://sub.localhost:{port}"
        status, _, body = raw(ssrf, "POST", body=call, headers=h)
        text = json.loads(body)["result"]["content"][0]["text"]
        assert "internal address" in text or "does not resolve" in text, text
    finally:
        server_sb.stop()


async def test_oauth_bearer_with_cloud_id_goes_through_the_gateway(start, cloud):
    info = cloud.info()
    env = {**site_only_env(cloud), "ATLASSIAN_API_GATEWAY_URL": cloud.base}
    srv = start("--stateless", **env)
    call = {"jsonrpc": "2.0", "id": 1, "method": "tools/call",
            "params": {"name": "jira_get_issue", "arguments": {"issue_key": "OPS-1"}}}
    headers = {"MCP-Protocol-Version": "2025-06-18", "Authorization": "Bearer carol-oauth-token",
               "X-Atlassian-Cloud-Id": info["cloud_id"]}
    status, _, body = raw(srv, "POST", body=call, headers=headers)
    result = json.loads(body)["result"]
    assert result["isError"] is False, result
    log = json.loads(cloud.get("/__sandbox/requests"))["requests"]
    assert log[-1]["user"] == "carol" and log[-1]["auth"] == "bearer", log[-1]
    assert log[-1]["path"].startswith(f"/ex/jira/{info['cloud_id']}/rest/api/3/issue/OPS-1"), log[-1]
    # The same token for a project carol cannot see.
    call["params"]["arguments"]["issue_key"] = "WEB-1"
    status, _, body = raw(srv, "POST", body=call, headers=headers)
    assert json.loads(body)["result"]["isError"] is True

"""The OAuth proxy (ATLASSIAN_OAUTH_PROXY_ENABLE) with the official MCP Python SDK's OAuth
client: `OAuthClientProvider` discovers the server through the 401's `WWW-Authenticate`, reads
the protected-resource and authorization-server metadata, registers itself, and signs its user
in. The "browser" is an httpx2 client with one cookie jar that follows the authorize URL:
through the consent page (posting its form with the consent cookie) when consent is on, through
the sandbox's instant approval, back to our callback (which it reaches with the cookie our
redirect to Atlassian set, as a browser does; a callback without it is refused) and on to the
client's loopback redirect URI, where the code and state are taken. The signed-in client then calls a tool over streamable HTTP, and the
sandbox sees the user's Atlassian token, never the proxy's.
"""

from __future__ import annotations

import json
import re
import socket
from urllib.parse import parse_qs, urljoin, urlparse

import httpx2
import pytest
from mcp import ClientSession
from mcp.client.auth import OAuthClientProvider
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.auth import AuthorizationCodeResult, OAuthClientInformationFull, OAuthClientMetadata, OAuthToken

from http_helpers import Sandbox

pytestmark = pytest.mark.anyio

CLIENT_REDIRECT = "http://localhost:33418/oauth/callback"
SCOPE = "read:jira-work write:jira-work read:confluence-content.all offline_access"


class MemoryStorage:
    """The SDK's TokenStorage, in memory."""

    def __init__(self) -> None:
        self.tokens: OAuthToken | None = None
        self.client: OAuthClientInformationFull | None = None

    async def get_tokens(self) -> OAuthToken | None:
        return self.tokens

    async def set_tokens(self, tokens: OAuthToken) -> None:
        self.tokens = tokens

    async def get_client_info(self) -> OAuthClientInformationFull | None:
        return self.client

    async def set_client_info(self, client_info: OAuthClientInformationFull) -> None:
        self.client = client_info


class Browser:
    """Follows an authorize URL like a user who allows access; keeps what reached the client."""

    def __init__(self) -> None:
        self.result: AuthorizationCodeResult | None = None
        self.pages: list[str] = []

    async def open(self, url: str) -> None:
        async with httpx2.AsyncClient(follow_redirects=False, timeout=30) as b:
            resp = await b.get(url)
            for _ in range(10):
                if resp.status_code == 200 and 'name="csrf"' in resp.text:
                    self.pages.append(str(resp.url))
                    assert resp.headers["x-frame-options"] == "DENY"
                    csrf = re.search(r'name="csrf" value="([^"]+)"', resp.text).group(1)
                    action = re.search(r'<form method="post" action="([^"]+)"', resp.text).group(1)
                    resp = await b.post(urljoin(str(resp.url), action), data={"csrf": csrf, "decision": "allow"})
                    continue
                assert resp.status_code in (302, 303), (resp.status_code, resp.text)
                location = urljoin(str(resp.url), resp.headers["location"])
                if location.startswith(CLIENT_REDIRECT):
                    q = {k: v[0] for k, v in parse_qs(urlparse(location).query).items()}
                    assert "error" not in q, q
                    self.result = AuthorizationCodeResult(code=q["code"], state=q.get("state"), iss=q.get("iss"))
                    return
                self.pages.append(location)
                if "/callback?" in location:
                    # The sign-in's cookie, set with our redirect to Atlassian, goes back with it.
                    flight = [c for c in b.cookies.jar if c.name.startswith("mcp_oauth_flight_")]
                    assert flight, list(b.cookies.jar)
                resp = await b.get(location)
            raise AssertionError(f"too many redirects: {self.pages}")

    async def callback(self) -> AuthorizationCodeResult:
        assert self.result is not None, "the browser never reached the client's redirect URI"
        return self.result


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def cloud():
    sb = Sandbox("cloud")
    yield sb
    sb.stop()


def proxy_env(sb: Sandbox, port: int, **extra: str | None) -> dict[str, str | None]:
    """The sandbox's sites without credentials of the server's own, and the proxy's settings."""
    site = {k: v for k, v in sb.env("alice").items() if k.endswith(("_URL", "_DEPLOYMENT"))}
    return {
        "MCP_ATLASSIAN_TEST_FIXTURES": None,
        "JIRA_USERNAME": None,
        "JIRA_API_TOKEN": None,
        **site,
        # By address: per-caller clients refuse names that resolve to loopback (SSRF).
        "ATLASSIAN_API_GATEWAY_URL": sb.base,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "ATLASSIAN_OAUTH_PROXY_ENABLE": "true",
        "ATLASSIAN_OAUTH_CLIENT_ID": "sandbox-client",
        "ATLASSIAN_OAUTH_CLIENT_SECRET": "sandbox-secret",
        "ATLASSIAN_OAUTH_REDIRECT_URI": f"http://127.0.0.1:{port}/callback",
        "ATLASSIAN_OAUTH_SCOPE": SCOPE,
        "ATLASSIAN_OAUTH_AUTH_URL": sb.base,
        **extra,
    }


async def sign_in_and_call(url: str, auth_method: str) -> tuple[MemoryStorage, Browser, dict]:
    storage = MemoryStorage()
    browser = Browser()
    provider = OAuthClientProvider(
        server_url=url,
        client_metadata=OAuthClientMetadata(
            client_name="e2e SDK client",
            redirect_uris=[CLIENT_REDIRECT],
            grant_types=["authorization_code", "refresh_token"],
            response_types=["code"],
            token_endpoint_auth_method=auth_method,
        ),
        storage=storage,
        redirect_handler=browser.open,
        callback_handler=browser.callback,
    )
    async with httpx2.AsyncClient(auth=provider, timeout=30) as http:
        async with streamable_http_client(url, http_client=http) as (read, write):
            async with ClientSession(read, write) as session:
                await session.initialize()
                result = await session.call_tool("jira_get_issue", {"issue_key": "WEB-1"})
    assert result.is_error is False, result
    return storage, browser, json.loads(result.content[0].text)


@pytest.mark.parametrize("consent, auth_method", [("true", "none"), ("false", "client_secret_post")])
async def test_sdk_client_signs_in_through_the_proxy_and_calls_a_tool(start, cloud, consent, auth_method):
    port = free_port()
    srv = start(**proxy_env(cloud, port, ATLASSIAN_OAUTH_REQUIRE_CONSENT=consent))
    info = cloud.info()
    cloud.get("/__sandbox/requests")  # the log is read again below

    storage, browser, issue = await sign_in_and_call(srv.url, auth_method)
    assert issue["key"] == "WEB-1", issue

    # The way the browser went: consent page (when on), the sandbox's authorize, our callback.
    consent_pages = [p for p in browser.pages if p.startswith(f"{srv.base}/authorize")]
    assert bool(consent_pages) == (consent == "true"), browser.pages
    assert any(p.startswith(f"{cloud.base}/authorize?") for p in browser.pages), browser.pages
    assert any(p.startswith(f"{srv.base}/callback?") for p in browser.pages), browser.pages

    # The client holds only our opaque tokens; the registration matches what it asked for.
    assert storage.client is not None and storage.client.token_endpoint_auth_method == auth_method
    assert (storage.client.client_secret is not None) == (auth_method != "none")
    tokens = storage.tokens
    assert tokens is not None and tokens.refresh_token, tokens
    assert not tokens.access_token.startswith("at-"), "the sandbox's token reached the client"

    # The sandbox saw the user's Atlassian token (alice, through the gateway), never ours.
    log = json.loads(cloud.get("/__sandbox/requests"))["requests"]
    product = [r for r in log if r["path"].startswith("/ex/jira/")]
    assert product, log
    for r in product:
        assert r["path"].startswith(f"/ex/jira/{info['cloud_id']}/"), r
        assert r["user"] == "alice" and r["auth"] == "bearer" and r["status"] == 200, r
    assert [r["path"] for r in log if r["path"] == "/oauth/token"] == ["/oauth/token"], log

    # Neither token appears in the server's log.
    stopped = srv.stop()
    assert stopped == 0
    err = srv.stderr()
    assert tokens.access_token not in err and tokens.refresh_token not in err
    assert "sandbox-secret" not in err

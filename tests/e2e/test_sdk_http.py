"""The official MCP Python SDK (mcp 2.3.0) against the real binary over HTTP.

Streamable HTTP (handshake era with sessions, stateless mode, and the 2026-07-28 era through
`mcp.Client`) and legacy HTTP+SSE (`sse_client`): handshake, listing, tool results, progress
and log notifications on SSE, and the four Atlassian tools against the sandbox. Every server is
stopped with SIGTERM afterwards and must exit 0 without a secret in its log.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import anyio
import pytest
from mcp import Client, ClientSession
from mcp.client.sse import sse_client
from mcp.client.streamable_http import streamable_http_client

from e2e_helpers import FIXTURE_TOOLS, MODERN_VERSION, leaked_secrets
from http_helpers import HttpServer, Sandbox

pytestmark = pytest.mark.anyio

STEP_TIMEOUT = 20


@pytest.fixture
def http_server(server_bin, make_env, workdir) -> Iterator[Callable[..., HttpServer]]:
    """http_server(*args, **env) -> a running HTTP server, stopped and checked afterwards."""
    servers: list[HttpServer] = []

    def start(*args: str, **env: str | None) -> HttpServer:
        srv = HttpServer(server_bin, make_env(**env), workdir, *args)
        servers.append(srv)
        return srv

    yield start
    failures = []
    for srv in servers:
        try:
            code = srv.stop()
            if code != 0:
                failures.append(f"exit code {code} after SIGTERM:\n{srv.stderr()}")
            if leaked_secrets(srv.stderr()):
                failures.append(f"secrets in the log: {srv.stderr()}")
        finally:
            srv.kill()
    if failures:
        pytest.fail("\n".join(failures), pytrace=False)


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    sb = Sandbox("cloud")
    yield sb
    sb.stop()


def fixture_names(tools: list[Any]) -> set[str]:
    return {t.name for t in tools}


async def exercise_session(session: ClientSession) -> None:
    """Handshake, listing, a plain call, a call with progress and log messages."""
    init = await session.initialize()
    assert init.server_info.name == "mcp-atlassian"
    listed = await session.list_tools()
    assert FIXTURE_TOOLS <= fixture_names(listed.tools)
    echoed = await session.call_tool("fixture_echo", {"text": "hi", "count": 2})
    assert echoed.is_error is False
    assert json.loads(echoed.content[0].text) == {"text": "hi", "count": 2}
    failed = await session.call_tool("fixture_fail", {})
    assert failed.is_error is True and failed.content[0].text.startswith("Error calling fixture_fail:")
    progress: list[float] = []

    async def on_progress(value: float, total: float | None, message: str | None) -> None:
        progress.append(value)

    slow = await session.call_tool("fixture_slow", {"steps": 3, "step_ms": 20}, progress_callback=on_progress)
    assert json.loads(slow.content[0].text) == {"steps": 3}
    assert progress == [1, 2, 3]


async def test_streamable_http_sessions(http_server):
    srv = http_server()
    with anyio.fail_after(STEP_TIMEOUT):
        async with streamable_http_client(srv.url) as (read, write):
            async with ClientSession(read, write) as session:
                await exercise_session(session)


async def test_streamable_http_logging_notifications(http_server):
    srv = http_server()
    logs: list[Any] = []

    async def on_log(params: Any) -> None:
        logs.append(params)

    with anyio.fail_after(STEP_TIMEOUT):
        async with streamable_http_client(srv.url) as (read, write):
            async with ClientSession(read, write, logging_callback=on_log) as session:
                await session.initialize()
                await session.set_logging_level("info")
                await session.call_tool("fixture_slow", {"steps": 2, "step_ms": 1})
    assert [str(entry.data) for entry in logs] == ["step 1 of 2", "step 2 of 2"]


async def test_stateless_mode(http_server):
    srv = http_server("--stateless")
    with anyio.fail_after(STEP_TIMEOUT):
        async with streamable_http_client(srv.url) as (read, write):
            async with ClientSession(read, write) as session:
                await exercise_session(session)


@pytest.mark.parametrize("mode", [MODERN_VERSION, "auto"])
async def test_modern_era_over_http(http_server, mode):
    srv = http_server()
    progress: list[float] = []

    async def on_progress(value: float, total: float | None, message: str | None) -> None:
        progress.append(value)

    with anyio.fail_after(STEP_TIMEOUT):
        async with Client(srv.url, mode=mode) as client:
            assert client.protocol_version == MODERN_VERSION
            listed = await client.list_tools()
            assert FIXTURE_TOOLS <= fixture_names(listed.tools)
            result = await client.call_tool("fixture_slow", {"steps": 2, "step_ms": 5}, progress_callback=on_progress)
            assert json.loads(result.content[0].text) == {"steps": 2}
            failed = await client.call_tool("fixture_fail", {})
            assert failed.is_error is True
    assert progress == [1, 2]


async def test_legacy_sse_transport(http_server):
    srv = http_server(TRANSPORT="sse")
    assert srv.url.endswith("/sse")
    with anyio.fail_after(STEP_TIMEOUT):
        async with sse_client(srv.url) as (read, write):
            async with ClientSession(read, write) as session:
                await exercise_session(session)


async def four_tools(session: ClientSession) -> None:
    await session.initialize()
    names = fixture_names((await session.list_tools()).tools)
    assert {"jira_get_issue", "jira_search", "confluence_search", "confluence_get_page"} <= names
    issue = await session.call_tool("jira_get_issue", {"issue_key": "WEB-1"})
    assert issue.is_error is False, issue.content[0].text
    assert json.loads(issue.content[0].text)["key"] == "WEB-1"
    found = await session.call_tool("jira_search", {"jql": "project = WEB ORDER BY key", "limit": 3})
    assert found.is_error is False, found.content[0].text
    assert "WEB-" in found.content[0].text
    # Progress of a multi-page search arrives on the call's SSE stream, one report per page.
    progress: list[tuple[float, float | None]] = []

    async def on_progress(value: float, total: float | None, message: str | None) -> None:
        progress.append((value, total))

    paged = await session.call_tool(
        "jira_search", {"jql": 'created >= "2020-01-01" ORDER BY key', "limit": 100, "fields": "summary"},
        progress_callback=on_progress,
    )
    count = len(json.loads(paged.content[0].text)["issues"])
    assert progress and progress[-1] == (count, 100), (progress, count)
    assert [p for p, _ in progress] == sorted({p for p, _ in progress})
    pages = await session.call_tool("confluence_search", {"query": "type = page AND space = ENG", "limit": 2})
    assert pages.is_error is False, pages.content[0].text
    page_id = json.loads(pages.content[0].text)["results"][0]["id"]
    page = await session.call_tool("confluence_get_page", {"page_id": str(page_id)})
    assert page.is_error is False, page.content[0].text


@pytest.mark.parametrize("transport", ["streamable-http", "sse"])
async def test_atlassian_tools_against_the_sandbox(http_server, sandbox, transport):
    srv = http_server(TRANSPORT=transport, MCP_ATLASSIAN_TEST_FIXTURES=None, **sandbox.env("alice"))
    with anyio.fail_after(STEP_TIMEOUT):
        if transport == "sse":
            async with sse_client(srv.url) as (read, write):
                async with ClientSession(read, write) as session:
                    await four_tools(session)
        else:
            async with streamable_http_client(srv.url) as (read, write):
                async with ClientSession(read, write) as session:
                    await four_tools(session)

"""The official MCP Python SDK (mcp 2.3.0) against the real binary over stdio.

Handshake at every handshake-era version, listing, ping, tool results and errors, progress and
logging callbacks, cancellation, and the stateless 2026-07-28 era through `mcp.Client`.

Instrumentation (all on the SDK's pinned 2.3.0 internals, undone after each test):
- `mcp.client.stdio._parse_line` is wrapped so every stdout line the SDK reads is also checked
  as JSON-RPC 2.0 and kept for wire-level assertions (`wire.lines`);
- the write stream handed to the session records every message the SDK sends (`wire.sent`);
- `mcp.client.stdio.get_default_environment` returns nothing, so the server sees only the clean
  environment from conftest (the SDK would otherwise pass HOME, USER, SHELL, TERM, ...);
- process creation and the kill escalation are observed so each test can assert the server
  exited by itself, with code 0, once the SDK closed its stdin.

To make the SDK offer an older version, `mcp.client.session.LATEST_HANDSHAKE_VERSION` (the
constant `ClientSession.initialize` puts in `params.protocolVersion`) is monkeypatched.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import mcp.client.session as sdk_session
import mcp.client.stdio as sdk_stdio
import mcp_types as types
import pytest
from mcp import Client, ClientSession, StdioServerParameters
from mcp.shared.exceptions import MCPError

from e2e_helpers import (
    ALL_VERSIONS,
    FIXTURE_TOOLS,
    HANDSHAKE_VERSIONS,
    META_VERSION,
    MISSING_CLIENT_CAPABILITY,
    MODERN_VERSION,
    check_server_line,
    is_response,
    leaked_secrets,
)

pytestmark = pytest.mark.anyio

STEP_TIMEOUT = 15  # seconds for any one awaited step; bounds hangs only


class TapWrite:
    """A write stream that records each outgoing JSON-RPC message before passing it on."""

    def __init__(self, inner: Any, sent: list[dict]):
        self._inner = inner
        self._sent = sent

    async def send(self, item: Any) -> None:
        self._sent.append(item.message.model_dump(by_alias=True, mode="json", exclude_unset=True))
        await self._inner.send(item)

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def __aenter__(self) -> TapWrite:
        await self._inner.__aenter__()
        return self

    async def __aexit__(self, *exc: Any) -> bool | None:
        return await self._inner.__aexit__(*exc)


class Wire:
    """What crossed stdio during one test, plus the server processes the SDK started."""

    def __init__(self, server_bin, make_env, workdir, tmp_path):
        self.server_bin = server_bin
        self.make_env = make_env
        self.workdir = workdir
        self.tmp_path = tmp_path
        self.lines: list[Any] = []  # decoded stdout messages, in order
        self.sent: list[dict] = []  # messages the SDK wrote
        self.processes: list[Any] = []
        self.escalated: list[int] = []
        self.errlogs: list[Any] = []

    def params(self, **env_overrides: str | None) -> StdioServerParameters:
        return StdioServerParameters(
            command=str(self.server_bin), args=[], env=self.make_env(**env_overrides), cwd=self.workdir
        )

    @asynccontextmanager
    async def transport(self, **env_overrides: str | None) -> AsyncIterator[tuple[Any, Any]]:
        """The SDK's stdio_client, with the write side tapped."""
        errlog = open(self.tmp_path / f"server-stderr-{len(self.errlogs)}.log", "w+")
        self.errlogs.append(errlog)
        async with sdk_stdio.stdio_client(self.params(**env_overrides), errlog=errlog) as (read, write):
            yield read, TapWrite(write, self.sent)

    @asynccontextmanager
    async def session(self, **session_kw: Any) -> AsyncIterator[ClientSession]:
        async with self.transport() as (read, write):
            async with ClientSession(read, write, **session_kw) as session:
                yield session

    def stderr(self) -> str:
        out = []
        for f in self.errlogs:
            f.flush()
            f.seek(0)
            out.append(f.read()[-3000:])
        return "\n".join(out)

    def responses(self, rid: Any) -> list[dict]:
        return [m for m in self.lines if is_response(m, rid)]

    def sent_requests(self, method: str) -> list[dict]:
        return [m for m in self.sent if m.get("method") == method and "id" in m]


@pytest.fixture
def wire(server_bin, make_env, workdir, tmp_path, monkeypatch) -> Any:
    w = Wire(server_bin, make_env, workdir, tmp_path)
    bad: list[str] = []
    original_parse = sdk_stdio._parse_line
    original_create = sdk_stdio._create_platform_compatible_process
    original_terminate = sdk_stdio._terminate_process_tree

    def parse_line(line: str):
        try:
            w.lines.append(check_server_line(line, "(read by the SDK)"))
        except AssertionError as e:
            bad.append(str(e))
        return original_parse(line)

    async def create(*args: Any, **kwargs: Any):
        process = await original_create(*args, **kwargs)
        w.processes.append(process)
        return process

    async def terminate(process: Any) -> None:
        w.escalated.append(process.pid)
        await original_terminate(process)

    monkeypatch.setattr(sdk_stdio, "_parse_line", parse_line)
    monkeypatch.setattr(sdk_stdio, "_create_platform_compatible_process", create)
    monkeypatch.setattr(sdk_stdio, "_terminate_process_tree", terminate)
    monkeypatch.setattr(sdk_stdio, "get_default_environment", lambda: {})
    yield w
    try:
        assert not bad, "server wrote non-JSON-RPC output:\n" + "\n".join(bad)
        assert w.processes, "no server process was started"
        assert not w.escalated, (
            "the server did not exit within the SDK's grace period after stdin EOF "
            f"(SIGTERM sent){w.stderr()}"
        )
        for p in w.processes:
            assert p.returncode == 0, f"server exit code {p.returncode}{w.stderr()}"
        assert not leaked_secrets(w.stderr()), "the API token appeared in the server's stderr"
    finally:
        for f in w.errlogs:
            f.close()


def fixture_names(tools: list[types.Tool]) -> set[str]:
    return {t.name for t in tools if t.name.startswith("fixture_")}


# ---------------------------------------------------------------------------------------------
# Handshake era


@pytest.mark.parametrize("version", HANDSHAKE_VERSIONS)
async def test_handshake_at_each_version(wire, monkeypatch, version):
    monkeypatch.setattr(sdk_session, "LATEST_HANDSHAKE_VERSION", version)
    with anyio.fail_after(STEP_TIMEOUT):
        async with wire.session() as session:
            result = await session.initialize()
            assert result.protocol_version == version
            assert session.protocol_version == version
            assert result.server_info.name == "mcp-atlassian" and result.server_info.version
            assert result.capabilities.tools is not None
            assert result.capabilities.logging is not None
            # On the wire: the SDK offered `version` and the server answered exactly that.
            [init] = wire.sent_requests("initialize")
            assert init["params"]["protocolVersion"] == version
            [answer] = wire.responses(init["id"])
            assert answer["result"]["protocolVersion"] == version
            assert any(m.get("method") == "notifications/initialized" for m in wire.sent)
            # The session is usable at that version.
            await session.send_ping()
            listed = await session.list_tools()
            assert fixture_names(listed.tools) == FIXTURE_TOOLS
            called = await session.call_tool("fixture_echo", {"text": f"at {version}"})
            assert called.is_error is False
            assert json.loads(called.content[0].text)["text"] == f"at {version}"


async def test_tools_list(wire):
    with anyio.fail_after(STEP_TIMEOUT):
        async with wire.session() as session:
            await session.initialize()
            listed = await session.list_tools()
    names = [t.name for t in listed.tools]
    assert fixture_names(listed.tools) == FIXTURE_TOOLS
    assert "fixture_confluence" not in names
    assert len(names) == len(set(names))
    assert listed.next_cursor is None
    echo = next(t for t in listed.tools if t.name == "fixture_echo")
    assert echo.input_schema["type"] == "object"
    assert "text" in echo.input_schema["properties"]
    assert echo.input_schema.get("required") == ["text"]


async def test_ping(wire):
    with anyio.fail_after(STEP_TIMEOUT):
        async with wire.session() as session:
            await session.initialize()
            result = await session.send_ping()
    assert isinstance(result, types.EmptyResult)
    [ping] = wire.sent_requests("ping")
    [reply] = wire.responses(ping["id"])
    assert reply["result"] == {}


async def test_tool_call_returns_content(wire):
    with anyio.fail_after(STEP_TIMEOUT):
        async with wire.session() as session:
            await session.initialize()
            result = await session.call_tool("fixture_echo", {"text": "hello", "labels": "a, b", "flag": "true"})
    assert result.is_error is False
    assert len(result.content) == 1 and result.content[0].type == "text"
    assert json.loads(result.content[0].text) == {"text": "hello", "count": 1, "labels": ["a", "b"], "flag": True}


async def test_tool_error(wire):
    with anyio.fail_after(STEP_TIMEOUT):
        async with wire.session() as session:
            await session.initialize()
            failed = await session.call_tool("fixture_fail", {})
            panicked = await session.call_tool("fixture_fail", {"panic": True})
            invalid = await session.call_tool("fixture_echo", {"text": "x", "count": 500})
            await session.send_ping()
    for result, tool in ((failed, "fixture_fail"), (panicked, "fixture_fail"), (invalid, "fixture_echo")):
        assert result.is_error is True
        assert result.content[0].text.startswith(f"Error calling {tool}:"), result.content[0].text


async def test_unknown_tool_raises_mcp_error(wire):
    with anyio.fail_after(STEP_TIMEOUT):
        async with wire.session() as session:
            await session.initialize()
            with pytest.raises(MCPError) as caught:
                await session.call_tool("no_such_tool", {})
            assert caught.value.code == types.INVALID_PARAMS
            await session.send_ping()


async def test_progress_callback(wire):
    seen: list[tuple[float, float | None, str | None]] = []
    all_seen = anyio.Event()

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        seen.append((progress, total, message))
        if len(seen) == 4:
            all_seen.set()

    with anyio.fail_after(STEP_TIMEOUT):
        async with wire.session() as session:
            await session.initialize()
            result = await session.call_tool("fixture_slow", {"steps": 4, "step_ms": 5}, progress_callback=on_progress)
            await all_seen.wait()
    assert json.loads(result.content[0].text) == {"steps": 4}
    assert seen == [(1, 4, "working"), (2, 4, "working"), (3, 4, "working"), (4, 4, "working")]
    [call] = wire.sent_requests("tools/call")
    token = call["params"]["_meta"]["progressToken"]
    on_wire = [m["params"] for m in wire.lines if m.get("method") == "notifications/progress"]
    assert [p["progressToken"] for p in on_wire] == [token] * 4


async def test_logging_set_level_and_messages(wire):
    logs: list[types.LoggingMessageNotificationParams] = []
    three = anyio.Event()

    async def on_log(params: types.LoggingMessageNotificationParams) -> None:
        logs.append(params)
        if len(logs) == 3:
            three.set()

    def messages_since(start: int) -> list[dict]:
        return [m for m in wire.lines[start:] if m.get("method") == "notifications/message"]

    with anyio.fail_after(STEP_TIMEOUT):
        async with wire.session(logging_callback=on_log) as session:
            await session.initialize()
            # No level set yet: the server sends no log messages.
            start = len(wire.lines)
            await session.call_tool("fixture_slow", {"steps": 2, "step_ms": 1})
            assert messages_since(start) == []
            await session.set_logging_level("info")
            await session.call_tool("fixture_slow", {"steps": 3, "step_ms": 1})
            await three.wait()
            # Above the level of the fixture's messages: none are sent.
            await session.set_logging_level("warning")
            start = len(wire.lines)
            await session.call_tool("fixture_slow", {"steps": 2, "step_ms": 1})
            assert messages_since(start) == []
            with pytest.raises(MCPError) as caught:
                await session.send_request(
                    types.SetLevelRequest(params=types.SetLevelRequestParams.model_construct(level="loud")),
                    types.EmptyResult,
                )
            assert caught.value.code == types.INVALID_PARAMS
    assert [str(entry.data) for entry in logs] == ["step 1 of 3", "step 2 of 3", "step 3 of 3"]
    assert all(entry.level == "info" for entry in logs)
    assert all(entry.logger for entry in logs)


async def test_cancellation(wire):
    """Cancel a running fixture_slow through the SDK: it sends notifications/cancelled, the
    server stops the call, never answers it, and keeps serving."""
    started = anyio.Event()
    progress_after_cancel: list[float] = []
    cancelled = False

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        started.set()
        if cancelled:
            progress_after_cancel.append(progress)

    with anyio.fail_after(STEP_TIMEOUT):
        async with wire.session() as session:
            await session.initialize()
            async with anyio.create_task_group() as tg:
                scope = anyio.CancelScope()

                async def run_slow() -> None:
                    with scope:
                        # 400 steps x 25 ms = 10 s if the cancel were ignored.
                        await session.call_tool(
                            "fixture_slow", {"steps": 400, "step_ms": 25}, progress_callback=on_progress
                        )
                        pytest.fail("the cancelled call returned a result")

                tg.start_soon(run_slow)
                await started.wait()
                scope.cancel()
                cancelled = True
            [call] = wire.sent_requests("tools/call")
            cancels = [m for m in wire.sent if m.get("method") == "notifications/cancelled"]
            assert [c["params"]["requestId"] for c in cancels] == [call["id"]], "the SDK sent no cancel"
            # Still responsive.
            await session.send_ping()
            after = await session.call_tool("fixture_echo", {"text": "after cancel"})
            assert after.is_error is False
            await session.send_ping()
    # The session is closed and the server exited by itself (checked by the fixture): it had
    # to wait for the cancelled call, so that call really stopped well before its 10 s.
    assert wire.responses(call["id"]) == [], "a response was sent for the cancelled request"


async def test_read_only_mode(wire):
    with anyio.fail_after(STEP_TIMEOUT):
        async with wire.transport(READ_ONLY_MODE="true") as (read, write):
            async with ClientSession(read, write) as session:
                await session.initialize()
                listed = await session.list_tools()
                refused = await session.call_tool("fixture_write", {"value": "v"})
    assert fixture_names(listed.tools) == FIXTURE_TOOLS - {"fixture_write"}
    assert refused.is_error is True
    assert "read-only" in refused.content[0].text.lower()


# ---------------------------------------------------------------------------------------------
# 2026-07-28 (stateless) era via mcp.Client


async def test_modern_auto_mode_discovers_2026_07_28(wire):
    with anyio.fail_after(STEP_TIMEOUT):
        async with Client(wire.transport(), mode="auto") as client:
            assert client.protocol_version == MODERN_VERSION
            discovered = client.session.discover_result
            assert discovered is not None
            assert set(discovered.supported_versions) == set(ALL_VERSIONS)
            assert discovered.result_type == "complete"
            assert discovered.ttl_ms is not None and discovered.ttl_ms >= 0
            assert discovered.cache_scope in ("public", "private")
            assert client.server_capabilities.tools is not None
            assert client.server_info is not None and client.server_info.name
            listed = await client.list_tools()
            assert fixture_names(listed.tools) == FIXTURE_TOOLS
            assert listed.result_type == "complete"
            called = await client.call_tool("fixture_echo", {"text": "modern"})
            assert called.is_error is False
            assert json.loads(called.content[0].text)["text"] == "modern"
    # The wire: no handshake, every request stamped with the 2026-07-28 envelope, and every
    # result carrying resultType (the SDK model defaults it, so look at the raw lines).
    assert wire.sent_requests("initialize") == []
    methods = [m["method"] for m in wire.sent if "id" in m]
    assert methods[0] == "server/discover"
    assert {"tools/list", "tools/call"} <= set(methods)
    for m in wire.sent:
        if "id" in m:
            assert m["params"]["_meta"][META_VERSION] == MODERN_VERSION, m
    results = [m["result"] for m in wire.lines if "result" in m]
    assert len(results) == len(methods)
    assert all(r.get("resultType") == "complete" for r in results), results
    discover_raw, list_raw = results[0], results[1]
    assert discover_raw["supportedVersions"][0] == MODERN_VERSION
    assert "ttlMs" in list_raw and "cacheScope" in list_raw


async def test_modern_pinned_mode_with_explicit_discover(wire):
    with anyio.fail_after(STEP_TIMEOUT):
        async with Client(wire.transport(), mode=MODERN_VERSION) as client:
            raw = await client.session.send_discover(MODERN_VERSION)
            assert raw["resultType"] == "complete"
            assert set(raw["supportedVersions"]) == set(ALL_VERSIONS)
            listed = await client.list_tools()
            assert fixture_names(listed.tools) == FIXTURE_TOOLS
            called = await client.call_tool("fixture_fail", {})
            assert called.is_error is True
            assert called.content[0].text.startswith("Error calling fixture_fail:")
    assert wire.sent_requests("initialize") == []


async def test_modern_progress_and_per_request_log_level(wire):
    logs: list[types.LoggingMessageNotificationParams] = []
    progress: list[float] = []
    done = anyio.Event()

    async def on_log(params: types.LoggingMessageNotificationParams) -> None:
        logs.append(params)
        if len(logs) == 3 and len(progress) == 3:
            done.set()

    async def on_progress(value: float, total: float | None, message: str | None) -> None:
        progress.append(value)
        if len(logs) == 3 and len(progress) == 3:
            done.set()

    with anyio.fail_after(STEP_TIMEOUT):
        async with Client(wire.transport(), mode=MODERN_VERSION, log_level="info", logging_callback=on_log) as client:
            result = await client.call_tool("fixture_slow", {"steps": 3, "step_ms": 1}, progress_callback=on_progress)
            await done.wait()
    assert json.loads(result.content[0].text) == {"steps": 3}
    assert progress == [1, 2, 3]
    assert [str(entry.data) for entry in logs] == ["step 1 of 3", "step 2 of 3", "step 3 of 3"]


async def test_modern_missing_elicitation_capability(wire):
    async def elicit(context: Any, params: Any) -> types.ElicitResult:
        return types.ElicitResult(action="decline")

    with anyio.fail_after(STEP_TIMEOUT):
        async with Client(wire.transport(), mode=MODERN_VERSION) as client:
            with pytest.raises(MCPError) as caught:
                await client.call_tool("fixture_needs_elicitation", {})
            assert caught.value.code == MISSING_CLIENT_CAPABILITY
            assert caught.value.data["requiredCapabilities"] == {"elicitation": {}}
        async with Client(wire.transport(), mode=MODERN_VERSION, elicitation_callback=elicit) as client:
            result = await client.call_tool("fixture_needs_elicitation", {})
            assert result.is_error is False

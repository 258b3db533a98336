"""Shared helpers for the end-to-end suite: JSON-RPC line checks and a raw stdio client.

Every line the server writes to stdout goes through `check_server_line`, whichever client read
it, so a stray log line or a malformed message fails the test that provoked it.
"""

from __future__ import annotations

import base64
import json
import os
import queue
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]

# The server environment besides PATH: fixture tools on, a Jira Cloud site that is never contacted.
BASE_ENV = {
    "MCP_ATLASSIAN_TEST_FIXTURES": "1",
    "JIRA_URL": "https://example.atlassian.net",
    "JIRA_USERNAME": "user@example.com",
    "JIRA_API_TOKEN": "secret-token-123",
}

HANDSHAKE_VERSIONS = ("2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25")
MODERN_VERSION = "2026-07-28"
ALL_VERSIONS = (MODERN_VERSION, *HANDSHAKE_VERSIONS)

# Tools registered by MCP_ATLASSIAN_TEST_FIXTURES=1 with a Jira Cloud site and no Confluence.
FIXTURE_TOOLS = {
    "fixture_echo",
    "fixture_slow",
    "fixture_fail",
    "fixture_files",
    "fixture_read_file",
    "fixture_write",
    "fixture_cloud_only",
    "fixture_needs_elicitation",
}

PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
MISSING_CLIENT_CAPABILITY = -32021
UNSUPPORTED_VERSION = -32022

META_VERSION = "io.modelcontextprotocol/protocolVersion"
META_CAPABILITIES = "io.modelcontextprotocol/clientCapabilities"
META_CLIENT_INFO = "io.modelcontextprotocol/clientInfo"
META_LOG_LEVEL = "io.modelcontextprotocol/logLevel"
META_SERVER_INFO = "io.modelcontextprotocol/serverInfo"

# Per-step waits. Generous for a loaded 2-core machine; they bound hangs, they do not measure speed.
RECV_TIMEOUT = 10.0
EXIT_TIMEOUT = 10.0


def leaked_secrets(text: str) -> list[str]:
    """Which forms of the API token (plain, or inside a Basic auth header) appear in `text`."""
    basic = base64.b64encode(f"{BASE_ENV['JIRA_USERNAME']}:{BASE_ENV['JIRA_API_TOKEN']}".encode()).decode()
    return [s for s in (BASE_ENV["JIRA_API_TOKEN"], basic) if s in text]


def _is_id(value: Any) -> bool:
    return isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))


def check_message(msg: Any, where: str = "") -> None:
    """Assert that one decoded value is a JSON-RPC 2.0 message a server may send."""
    if isinstance(msg, list):
        # A batch reply (2025-03-26 sessions only): a non-empty array of responses.
        assert msg, f"empty JSON array on stdout {where}"
        for item in msg:
            assert isinstance(item, dict) and "method" not in item, f"batch reply holds a non-response {item!r} {where}"
            check_message(item, where)
        return
    assert isinstance(msg, dict), f"stdout message is not a JSON object: {msg!r} {where}"
    assert msg.get("jsonrpc") == "2.0", f"jsonrpc must be '2.0': {msg!r} {where}"
    if "method" in msg:
        assert isinstance(msg["method"], str) and msg["method"], f"bad method: {msg!r} {where}"
        assert "result" not in msg and "error" not in msg, f"request/notification with result/error: {msg!r} {where}"
        if "params" in msg:
            assert isinstance(msg["params"], (dict, list)), f"params must be structured: {msg!r} {where}"
        if "id" in msg:
            assert _is_id(msg["id"]), f"request id must be a string or integer: {msg!r} {where}"
        allowed = {"jsonrpc", "method", "params", "id"}
    else:
        assert "id" in msg, f"response without id: {msg!r} {where}"
        assert msg["id"] is None or _is_id(msg["id"]), f"response id must be string/integer/null: {msg!r} {where}"
        assert ("result" in msg) != ("error" in msg), f"response needs exactly one of result/error: {msg!r} {where}"
        if "result" in msg:
            assert isinstance(msg["result"], dict), f"MCP results are objects: {msg!r} {where}"
            assert msg["id"] is not None, f"a result must carry the request id: {msg!r} {where}"
        else:
            err = msg["error"]
            assert isinstance(err, dict), f"error must be an object: {msg!r} {where}"
            assert isinstance(err.get("code"), int) and not isinstance(err.get("code"), bool), f"error.code: {msg!r}"
            assert isinstance(err.get("message"), str), f"error.message must be a string: {msg!r} {where}"
            assert set(err) <= {"code", "message", "data"}, f"unexpected error members: {msg!r} {where}"
        allowed = {"jsonrpc", "id", "result", "error"}
    assert set(msg) <= allowed, f"unexpected top-level members {set(msg) - allowed}: {msg!r} {where}"


def check_server_line(line: bytes | str, where: str = "") -> Any:
    """Assert that one stdout line (without its newline) is a JSON-RPC 2.0 message; return it."""
    if isinstance(line, bytes):
        try:
            line = line.decode("utf-8")
        except UnicodeDecodeError as e:  # pragma: no cover - failure path
            raise AssertionError(f"stdout line is not UTF-8 ({e}): {line[:200]!r} {where}") from None
    assert line.strip(), f"blank line on stdout {where}"
    assert "\n" not in line and "\r" not in line, f"embedded line break on stdout: {line[:200]!r} {where}"
    try:
        msg = json.loads(line)
    except ValueError as e:
        raise AssertionError(f"stdout line is not JSON ({e}): {line[:300]!r} {where}") from None
    check_message(msg, where)
    return msg


def same_id(a: Any, b: Any) -> bool:
    """Ids match only with the same JSON type: "1" is not 1."""
    return type(a) is type(b) and a == b


def is_response(msg: Any, rid: Any) -> bool:
    return isinstance(msg, dict) and "method" not in msg and same_id(msg.get("id"), rid)


def modern_meta(version: str = MODERN_VERSION, capabilities: dict | None = None, **extra: Any) -> dict:
    meta = {
        META_VERSION: version,
        META_CAPABILITIES: {} if capabilities is None else capabilities,
        META_CLIENT_INFO: {"name": "e2e-raw", "version": "0"},
    }
    meta.update(extra)
    return meta


_EOF = object()


class RawServer:
    """The server as a subprocess, driven line by line.

    A reader thread splits stdout into lines and checks every one with `check_server_line`
    (failures are re-raised in the test thread); stderr is drained into a buffer for diagnostics.
    """

    def __init__(self, argv: list[str], env: dict[str, str], cwd: Path):
        self.proc = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            cwd=cwd,
            bufsize=0,
        )
        self.raw_lines: list[bytes] = []
        self.messages: list[Any] = []  # every decoded stdout message, in order
        self.backlog: list[Any] = []  # read but not yet claimed by wait_response/next_message
        self.bad: list[str] = []
        self.unterminated: bytes = b""
        self.stdin_closed = False
        self._queue: queue.Queue = queue.Queue()
        self._stderr = bytearray()
        self._out = threading.Thread(target=self._read_stdout, daemon=True)
        self._err = threading.Thread(target=self._read_stderr, daemon=True)
        self._out.start()
        self._err.start()

    # -- plumbing ---------------------------------------------------------------------------

    def _read_stdout(self) -> None:
        assert self.proc.stdout is not None
        for raw in iter(self.proc.stdout.readline, b""):
            if not raw.endswith(b"\n"):
                self.unterminated = raw
                self.bad.append(f"last stdout line is not newline-terminated: {raw[:200]!r}")
                break
            self.raw_lines.append(raw)
            try:
                msg = check_server_line(raw[:-1], f"(stdout line {len(self.raw_lines)})")
            except AssertionError as e:
                self.bad.append(str(e))
                self._queue.put(e)
                continue
            self.messages.append(msg)
            self._queue.put(msg)
        self._queue.put(_EOF)

    def _read_stderr(self) -> None:
        assert self.proc.stderr is not None
        for chunk in iter(lambda: self.proc.stderr.read(65536), b""):
            self._stderr.extend(chunk)

    def stderr(self) -> str:
        return self._stderr.decode("utf-8", "replace")

    def _diag(self) -> str:
        tail = self.stderr()[-3000:]
        return f"\n--- server stderr (tail) ---\n{tail}\n--- end stderr ---"

    # -- sending ----------------------------------------------------------------------------

    def send_bytes(self, data: bytes) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def send(self, msg: Any, eol: bytes = b"\n") -> None:
        self.send_bytes(json.dumps(msg, separators=(",", ":"), ensure_ascii=False).encode("utf-8") + eol)

    def request(self, method: str, params: Any = None, rid: Any = 1, **kw: Any) -> dict:
        msg: dict[str, Any] = {"jsonrpc": "2.0", "id": rid, "method": method}
        if params is not None:
            msg["params"] = params
        self.send(msg)
        return self.wait_response(rid, **kw)

    def notify(self, method: str, params: Any = None) -> None:
        msg: dict[str, Any] = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            msg["params"] = params
        self.send(msg)

    # -- receiving --------------------------------------------------------------------------

    def _pull(self, timeout: float) -> Any:
        try:
            item = self._queue.get(timeout=max(timeout, 0.0))
        except queue.Empty:
            raise AssertionError(f"no message from the server within {timeout:.1f}s{self._diag()}") from None
        if item is _EOF:
            self._queue.put(_EOF)
            raise AssertionError(f"server closed stdout (exit code {self.proc.poll()}){self._diag()}")
        if isinstance(item, AssertionError):
            raise item
        return item

    def next_message(self, timeout: float = RECV_TIMEOUT) -> Any:
        """The next message in arrival order (backlog first)."""
        if self.backlog:
            return self.backlog.pop(0)
        return self._pull(timeout)

    def wait_response(self, rid: Any, timeout: float = RECV_TIMEOUT) -> dict:
        """The response whose id equals `rid` (same JSON type); other messages go to the backlog."""
        for i, msg in enumerate(self.backlog):
            if is_response(msg, rid):
                return self.backlog.pop(i)
        deadline = time.monotonic() + timeout
        while True:
            msg = self._pull(deadline - time.monotonic())
            if is_response(msg, rid):
                return msg
            self.backlog.append(msg)

    def wait_for(self, pred, timeout: float = RECV_TIMEOUT, what: str = "message") -> Any:
        """The first message (backlog or new) matching `pred`; it is removed from the backlog."""
        for i, msg in enumerate(self.backlog):
            if pred(msg):
                return self.backlog.pop(i)
        deadline = time.monotonic() + timeout
        while True:
            try:
                msg = self._pull(deadline - time.monotonic())
            except AssertionError as e:
                raise AssertionError(f"waiting for {what}: {e}") from None
            if pred(msg):
                return msg
            self.backlog.append(msg)

    # -- conveniences -----------------------------------------------------------------------

    def initialize(self, version: str = "2025-11-25", rid: Any = 0, capabilities: dict | None = None) -> dict:
        reply = self.request(
            "initialize",
            {
                "protocolVersion": version,
                "capabilities": capabilities or {},
                "clientInfo": {"name": "e2e-raw", "version": "0"},
            },
            rid=rid,
        )
        assert "result" in reply, f"initialize failed: {reply}"
        self.notify("notifications/initialized")
        return reply["result"]

    def ping_ok(self, rid: Any = "final-ping") -> None:
        reply = self.request("ping", rid=rid)
        assert reply.get("result") == {}, f"server stopped serving: ping got {reply}"

    def close_stdin(self) -> None:
        if not self.stdin_closed:
            self.stdin_closed = True
            assert self.proc.stdin is not None
            try:
                self.proc.stdin.close()
            except BrokenPipeError:
                pass

    def wait_exit(self, timeout: float = EXIT_TIMEOUT) -> int:
        """Close stdin, wait for the process to exit and for stdout to be read to its end."""
        self.close_stdin()
        try:
            rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"server did not exit within {timeout}s of stdin EOF{self._diag()}") from None
        self._out.join(timeout=timeout)
        self._err.join(timeout=timeout)
        assert not self._out.is_alive(), "stdout still open after the process exited"
        return rc

    def all_after_exit(self) -> list[Any]:
        """Every message the process wrote (call after wait_exit)."""
        return list(self.messages)

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=5)

    def assert_clean(self) -> None:
        assert not self.bad, "server wrote non-JSON-RPC output:\n" + "\n".join(self.bad) + self._diag()


def error_of(reply: dict, code: int, rid: Any = None, check_id: bool = True) -> dict:
    """Assert `reply` is an error with `code` (and, when check_id, exactly id `rid`); return error."""
    assert "error" in reply, f"expected error {code}, got {reply}"
    assert reply["error"]["code"] == code, f"expected error {code}, got {reply}"
    if check_id:
        assert same_id(reply["id"], rid), f"expected id {rid!r}, got {reply!r}"
    return reply["error"]


def tool_text(result: dict) -> str:
    content = result["content"]
    assert isinstance(content, list) and content and content[0]["type"] == "text", result
    return content[0]["text"]


def server_binary() -> Path:
    """The binary under test: $MCP_ATLASSIAN_BIN (relative to the current directory) or the debug build."""
    configured = os.environ.get("MCP_ATLASSIAN_BIN")
    return Path(configured).resolve() if configured else REPO_ROOT / "target" / "debug" / "mcp-atlassian"

"""Raw HTTP checks of the streamable HTTP endpoint: the status codes and headers the MCP spec
(and the official SDKs' servers) use for each kind of bad or unusual request, in both eras,
sessions and stateless mode, Origin/Host protection, size limits, the health probes, the full
queue (503) and cancellation when a 2026-07-28 client closes its response stream.
"""

from __future__ import annotations

import json
import socket
import threading


from http_helpers import HttpServer, raw, wait_until

INIT = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "raw", "version": "0"}},
}
MODERN = "2026-07-28"
META = {
    "io.modelcontextprotocol/protocolVersion": MODERN,
    "io.modelcontextprotocol/clientCapabilities": {},
}


def initialize(srv: HttpServer, headers: dict | None = None) -> str:
    status, hdrs, body = raw(srv, "POST", body=INIT, headers=headers)
    assert status == 200, body
    sid = hdrs["mcp-session-id"]
    assert len(sid) == 64 and all(c in "0123456789abcdef" for c in sid)
    h = {"Mcp-Session-Id": sid, "MCP-Protocol-Version": "2025-06-18", **(headers or {})}
    assert raw(srv, "POST", body={"jsonrpc": "2.0", "method": "notifications/initialized"}, headers=h)[0] == 202
    return sid


def error_code(body: bytes) -> int:
    return json.loads(body)["error"]["code"]


def test_handshake_sessions_and_their_end(start):
    srv = start()
    sid = initialize(srv)
    h = {"Mcp-Session-Id": sid}
    status, hdrs, body = raw(srv, "POST", body={"jsonrpc": "2.0", "id": 2, "method": "tools/list"}, headers=h)
    assert status == 200 and hdrs["content-type"] == "application/json"
    assert json.loads(body)["result"]["tools"]
    # No session id, an unknown one, another caller's one.
    listing = {"jsonrpc": "2.0", "id": 3, "method": "tools/list"}
    assert raw(srv, "POST", body=listing)[0] == 400
    status, _, body = raw(srv, "POST", body=listing, headers={"Mcp-Session-Id": "0" * 64})
    assert (status, error_code(body)) == (404, -32001)
    other = {"Mcp-Session-Id": sid, "Authorization": "Bearer someone-else"}
    assert raw(srv, "POST", body=listing, headers=other)[0] == 404
    # Unsupported protocol version header.
    bad_version = {"Mcp-Session-Id": sid, "MCP-Protocol-Version": "1999-01-01"}
    assert raw(srv, "POST", body=listing, headers=bad_version)[0] == 400
    # GET has no stream; DELETE ends the session, after which it is 404.
    status, hdrs, _ = raw(srv, "GET", headers=h)
    assert status == 405 and "POST" in hdrs["allow"]
    assert raw(srv, "DELETE", headers=h)[0] == 204
    assert raw(srv, "POST", body=listing, headers=h)[0] == 404
    assert raw(srv, "DELETE", headers=h)[0] == 404


def test_sessions_are_bound_to_credentials(start):
    srv = start()
    alice = {"Authorization": "Bearer alice-token"}
    sid = initialize(srv, alice)
    listing = {"jsonrpc": "2.0", "id": 2, "method": "tools/list"}
    assert raw(srv, "POST", body=listing, headers={"Mcp-Session-Id": sid, **alice})[0] == 200
    assert raw(srv, "POST", body=listing, headers={"Mcp-Session-Id": sid})[0] == 404
    assert raw(srv, "DELETE", headers={"Mcp-Session-Id": sid, "Authorization": "Bearer bob"})[0] == 404


def test_content_negotiation_and_limits(start):
    srv = start()
    assert raw(srv, "POST", body=INIT, headers={"Accept": None})[0] == 406
    assert raw(srv, "POST", body=INIT, headers={"Accept": "application/json"})[0] == 406
    assert raw(srv, "POST", body=INIT, headers={"Accept": "*/*"})[0] == 200
    assert raw(srv, "POST", body=INIT, headers={"Content-Type": "text/plain"})[0] == 415
    status, _, body = raw(srv, "POST", body=b"{not json")
    assert (status, error_code(body)) == (400, -32700)
    huge = b'{"jsonrpc":"2.0","id":1,"method":"ping","params":{"x":"' + b"a" * (4 * 1024 * 1024) + b'"}}'
    assert raw(srv, "POST", body=huge)[0] == 413
    assert raw(srv, "PUT", body=INIT)[0] == 405
    assert raw(srv, "POST", path="/nowhere", body=INIT)[0] == 404
    # A head above 32 KiB, and a chunked body, are refused by the door itself.
    assert raw(srv, "POST", body=INIT, headers={"X-Big": "b" * 40_000})[0] == 431
    with socket.create_connection(("127.0.0.1", srv.port), timeout=5) as s:
        s.sendall(b"POST /mcp HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
        assert s.recv(100).startswith(b"HTTP/1.1 411")


def test_modern_requests_and_header_checks(start):
    srv = start()

    def modern(method: str, params: dict | None = None, **headers: str | None):
        body = {"jsonrpc": "2.0", "id": 7, "method": method, "params": {"_meta": META, **(params or {})}}
        hdrs = {"MCP-Protocol-Version": MODERN, "Mcp-Method": method}
        hdrs.update({k.replace("_", "-"): v for k, v in headers.items()})
        return raw(srv, "POST", body=body, headers=hdrs)

    status, hdrs, body = modern("tools/list")
    assert status == 200 and "mcp-session-id" not in hdrs
    assert json.loads(body)["result"]["resultType"] == "complete"
    call = {"name": "fixture_echo", "arguments": {"text": "x"}}
    assert modern("tools/call", call, Mcp_Name="fixture_echo")[0] == 200
    assert modern("tools/call", call, Mcp_Name="=?base64?Zml4dHVyZV9lY2hv?=")[0] == 200
    for bad in (
        modern("tools/call", call),  # Mcp-Name missing
        modern("tools/call", call, Mcp_Name="other"),
        modern("tools/list", Mcp_Method="tools/call"),
        modern("tools/list", MCP_Protocol_Version=None),
    ):
        assert (bad[0], error_code(bad[2])) == (400, -32020), bad
    status, _, body = raw(
        srv, "POST", body={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
        headers={"MCP-Protocol-Version": MODERN, "Mcp-Method": "tools/list"},
    )
    assert (status, error_code(body)) == (400, -32020)
    status, _, body = modern("no/such/method")
    assert (status, error_code(body)) == (404, -32601)
    body = {"jsonrpc": "2.0", "id": 8, "method": "tools/list",
            "params": {"_meta": {**META, "io.modelcontextprotocol/protocolVersion": "2099-01-01"}}}
    status, _, out = raw(srv, "POST", body=body,
                         headers={"MCP-Protocol-Version": "2099-01-01", "Mcp-Method": "tools/list"})
    assert (status, error_code(out)) == (400, -32022)
    status, _, body = modern("tools/call", {"name": "fixture_needs_elicitation"}, Mcp_Name="fixture_needs_elicitation")
    assert (status, error_code(body)) == (400, -32021)


def test_origin_and_host_protection(start):
    srv = start()
    assert raw(srv, "POST", body=INIT, headers={"Origin": "https://evil.example"})[0] == 403
    assert raw(srv, "POST", body=INIT, headers={"Origin": "null"})[0] == 403
    assert raw(srv, "POST", body=INIT, headers={"Host": "evil.example"})[0] == 403
    assert raw(srv, "POST", body=INIT, headers={"Origin": "http://localhost:6274"})[0] == 200
    allowed = start(MCP_HTTP_ALLOWED_ORIGINS="https://app.example.com")
    assert raw(allowed, "POST", body=INIT, headers={"Origin": "https://app.example.com"})[0] == 200
    assert raw(allowed, "POST", body=INIT, headers={"Origin": "https://evil.example"})[0] == 403


def test_probes(start):
    srv = start()
    status, _, body = raw(srv, "GET", path="/healthz")
    assert (status, json.loads(body)) == (200, {"status": "ok"})
    status, _, body = raw(srv, "GET", path="/readyz")
    assert status == 200 and json.loads(body)["status"] == "ready"


def test_stateless_mode(start):
    srv = start("--stateless")
    status, hdrs, _ = raw(srv, "POST", body=INIT)
    assert status == 200 and "mcp-session-id" not in hdrs
    call = {"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "fixture_echo", "arguments": {"text": "x"}}}
    status, _, body = raw(srv, "POST", body=call, headers={"MCP-Protocol-Version": "2025-06-18"})
    assert status == 200 and json.loads(body)["result"]["isError"] is False
    status, hdrs, _ = raw(srv, "GET")
    assert status == 405 and hdrs["allow"] == "POST"
    assert raw(srv, "DELETE")[0] == 405


def test_credentials_required_off_loopback(start):
    srv = start(HOST="0.0.0.0")
    status, hdrs, _ = raw(srv, "POST", body=INIT)
    assert status == 401 and hdrs["www-authenticate"].startswith("Bearer")
    assert raw(srv, "POST", body=INIT, headers={"Authorization": "Bearer x"})[0] == 200
    assert raw(srv, "GET", path="/healthz")[0] == 200
    fallback = start(HOST="0.0.0.0", ALLOW_GLOBAL_CRED_FALLBACK="true")
    assert raw(fallback, "POST", body=INIT)[0] == 200


def test_full_queue_answers_503(start):
    srv = start("--stateless", JIRA_FETCHER_MAX_WORKERS="1")
    h = {"MCP-Protocol-Version": "2025-06-18"}

    def call(i: int, ms: int) -> dict:
        return {"jsonrpc": "2.0", "id": i, "method": "tools/call",
                "params": {"name": "fixture_slow", "arguments": {"steps": 1, "step_ms": ms}}}

    results: list[tuple[int, dict]] = []
    blocker = threading.Thread(target=lambda: results.append(raw(srv, "POST", body=call(0, 1500), headers=h)[:2]))
    blocker.start()
    threads = [threading.Thread(target=lambda i=i: results.append(raw(srv, "POST", body=call(i, 1), headers=h)[:2]))
               for i in range(1, 80)]
    for t in threads:
        t.start()
    for t in [blocker, *threads]:
        t.join(30)
    statuses = [s for s, _ in results]
    assert statuses.count(503) >= 1 and statuses.count(200) >= 64, statuses
    assert all(h.get("retry-after") == "1" for s, h in results if s == 503)


def test_closing_a_modern_stream_cancels_the_call(start):
    srv = start(MCP_VERY_VERBOSE="true")
    body = json.dumps({
        "jsonrpc": "2.0", "id": 9, "method": "tools/call",
        "params": {"name": "fixture_slow", "arguments": {"steps": 100, "step_ms": 50},
                   "_meta": {**META, "progressToken": "p"}},
    }).encode()
    head = (
        "POST /mcp HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
        "Accept: application/json, text/event-stream\r\nMCP-Protocol-Version: 2026-07-28\r\n"
        f"Mcp-Method: tools/call\r\nMcp-Name: fixture_slow\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", srv.port), timeout=5) as s:
        s.sendall(head + body)
        seen = b""
        while b"notifications/progress" not in seen:
            seen += s.recv(4096)
        assert seen.startswith(b"HTTP/1.1 200") and b"text/event-stream" in seen
    assert wait_until(lambda: "cancelling the call" in srv.stderr(), timeout=5), srv.stderr()[-2000:]

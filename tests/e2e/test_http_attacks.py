"""Attacks on a running HTTP server (issue #17), each the way an attacker would do it, over raw
sockets; every test runs in a few seconds. The slow variants (the full deadlines, a 10,000
session flood, /healthz latency through each attack) are in tests/e2e/chaos/ (`make chaos`).

Per-client limits are exercised from distinct loopback source addresses (127.0.0.2, ...).
"""

from __future__ import annotations

import json
import os
import socket
import stat
import time
from pathlib import Path


from attack_helpers import Prober, connect, healthz_once, post_raw, readyz, recv_all, rss_kib, status_of
from http_helpers import HttpServer, raw, wait_until

INIT = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "raw", "version": "0"}},
}
PER_PEER_CONNECTIONS = 64  # HttpLimits::default().max_connections_per_peer
PER_PEER_STREAMS = 16  # HttpLimits::default().max_streams_per_peer
PER_OWNER_SESSIONS = 100  # HttpLimits::default().max_sessions_per_owner
MAX_BATCH = 100  # mcp::MAX_BATCH_ITEMS


def close_all(socks: list[socket.socket]) -> None:
    for s in socks:
        s.close()


# -- 1. DNS rebinding -------------------------------------------------------------------------


def test_dns_rebinding_names_that_look_like_loopback_are_refused(start):
    srv = start()
    port = srv.port
    for name in ("127.0.0.1.rebind.attacker.example", "127.attacker.example", "localhost.attacker.example"):
        for headers in ({"Host": f"{name}:{port}", "Origin": f"http://{name}:{port}"}, {"Host": name}):
            assert raw(srv, "POST", body=INIT, headers=headers)[0] == 403, headers
        origin_only = {"Host": f"127.0.0.1:{port}", "Origin": f"http://{name}:{port}"}
        assert raw(srv, "POST", body=INIT, headers=origin_only)[0] == 403
    for host in (f"127.0.0.1:{port}", f"127.0.0.2:{port}", f"[::1]:{port}", f"localhost:{port}", "app.localhost"):
        status, _, body = raw(srv, "POST", body=INIT, headers={"Host": host, "Origin": f"http://{host}"})
        assert status == 200, (host, body)


# -- 2. Slow uploads --------------------------------------------------------------------------


def test_slow_uploads_do_not_stall_other_requests(start):
    """Eight clients (twice the dispatcher count) announce 100,000-byte bodies and send one
    byte: everyone else is still answered at once, and an upload that completes is served."""
    srv = start()
    body = json.dumps(INIT).encode().ljust(100_000)
    slow = []
    for _ in range(8):
        s = connect(srv, "127.0.0.2")
        s.sendall(post_raw(body)[: -len(body) + 1])
        slow.append(s)
    try:
        time.sleep(0.3)
        with Prober(srv) as probe:
            for _ in range(5):
                status, hdrs, _ = raw(srv, "POST", body=INIT, timeout=2)
                assert status == 200 and hdrs["mcp-session-id"]
            time.sleep(1)
        print(f"\n8 slow uploads: {probe.summary()}")
        probe.check()
        slow[0].sendall(body[1:])
        response = recv_all(slow[0], 5)
        assert status_of(response) == 200 and b'"serverInfo"' in response, response[:300]
    finally:
        close_all(slow)


# -- 3. Slowloris on the connection cap -------------------------------------------------------


def test_slowloris_cannot_lock_others_out(start):
    """300 connections (more than the cap of 256) from five addresses each send one byte of a
    request head; once they have stalled 100 ms, a new client still gets its answer."""
    srv = start()
    socks = []
    try:
        for n in range(300):
            try:
                s = connect(srv, f"127.0.0.{2 + n // 60}")
                s.sendall(b"P")
                socks.append(s)
            except OSError:
                pass
        time.sleep(0.2)
        with Prober(srv) as probe:
            time.sleep(1)
        print(f"\n300 slowloris sockets: {probe.summary()}")
        probe.check()
    finally:
        close_all(socks)


def test_one_client_address_holds_at_most_its_share_of_connections(start):
    srv = start()
    idle = [connect(srv, "127.0.0.7") for _ in range(PER_PEER_CONNECTIONS + 20)]
    time.sleep(0.3)
    # Sockets that never send a byte: the client never holds more than its share.
    assert readyz(srv)["connections"] <= PER_PEER_CONNECTIONS + 1
    close_all(idle)
    assert wait_until(lambda: readyz(srv)["connections"] <= 1, timeout=5)
    # Sockets that each start a request and stall: the same, whether the door refuses the
    # newcomers or displaces the stalled ones.
    stalled = []
    for _ in range(PER_PEER_CONNECTIONS + 20):
        s = connect(srv, "127.0.0.8")
        s.sendall(b"P")
        stalled.append(s)
    try:
        time.sleep(0.3)
        assert readyz(srv)["connections"] <= PER_PEER_CONNECTIONS + 1
        assert healthz_once(srv, "127.0.0.9")[0] == 200
        assert healthz_once(srv, "127.0.0.8")[0] == 200
    finally:
        close_all(stalled)


# -- 4. Session flood -------------------------------------------------------------------------


def test_session_flood_by_one_owner_only_churns_its_own_sessions(start):
    srv = start()
    alice = {"Authorization": "Bearer alice"}
    status, hdrs, _ = raw(srv, "POST", body=INIT, headers=alice)
    sid = hdrs["mcp-session-id"]
    note = {"jsonrpc": "2.0", "method": "notifications/initialized"}
    assert raw(srv, "POST", body=note, headers={**alice, "Mcp-Session-Id": sid})[0] == 202
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=5)
    flood = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream",
             "Authorization": "Bearer mallory"}
    started = time.monotonic()
    for _ in range(400):
        conn.request("POST", "/mcp", body=json.dumps(INIT), headers=flood)
        response = conn.getresponse()
        response.read()
        assert response.status == 200
    conn.close()
    print(f"\n400 initialize calls by one owner in {time.monotonic() - started:.2f}s")
    assert readyz(srv)["sessions"] <= PER_OWNER_SESSIONS + 1
    listing = {"jsonrpc": "2.0", "id": 2, "method": "tools/list"}
    assert raw(srv, "POST", body=listing, headers={**alice, "Mcp-Session-Id": sid})[0] == 200
    assert raw(srv, "POST", body=INIT, headers={"Authorization": "Bearer bob"})[0] == 200


# -- 5. Batch amplification -------------------------------------------------------------------


def test_batches_are_capped_in_items_and_reply_size(start):
    srv = start("--stateless")
    h = {"MCP-Protocol-Version": "2025-03-26"}
    item = '{"jsonrpc":"2.0","id":%d,"method":"tools/list"}'
    n = 79_000
    huge = ("[" + ",".join(item % i for i in range(n)) + "]").encode()
    assert len(huge) <= 4 * 1024 * 1024
    before = rss_kib(srv)
    started = time.monotonic()
    status, _, body = raw(srv, "POST", body=huge, headers=h, timeout=20)
    took = time.monotonic() - started
    after = rss_kib(srv)
    print(f"\n{n}-item batch: answered in {took:.2f}s, RSS {before} KiB -> {after} KiB")
    error = json.loads(body)["error"]
    assert status == 400 and error["code"] == -32600 and f"at most {MAX_BATCH}" in error["message"]
    assert after - before < 32 * 1024
    # At the cap every item is answered.
    status, _, body = raw(srv, "POST", body=[json.loads(item % i) for i in range(MAX_BATCH)], headers=h)
    assert status == 200 and len(json.loads(body)) == MAX_BATCH
    # Replies that grow past 4 MiB: the rest of the batch is answered with errors, not run.
    quotes = '"' * 50_000  # escaped twice on the way back: 4 bytes per quote in the reply
    calls = [{"jsonrpc": "2.0", "id": i, "method": "tools/call",
              "params": {"name": "fixture_echo", "arguments": {"text": quotes}}} for i in range(40)]
    status, _, body = raw(srv, "POST", body=calls, headers=h, timeout=20)
    replies = json.loads(body)
    ran = [r for r in replies if "result" in r]
    refused = [r for r in replies if "error" in r]
    assert status == 200 and len(replies) == 40 and 15 <= len(ran) < 40, len(ran)
    assert all(r["error"]["message"].startswith("Batch reply too large") for r in refused)
    assert len(body) < 5 * 1024 * 1024
    assert healthz_once(srv)[0] == 200


def test_batch_cap_holds_on_stdio(spawn):
    srv = spawn(initialize="2025-03-26")
    srv.send([{"jsonrpc": "2.0", "id": i, "method": "ping"} for i in range(MAX_BATCH + 1)])
    reply = srv.next_message()
    assert reply["error"]["code"] == -32600 and f"at most {MAX_BATCH}" in reply["error"]["message"]


# -- 8. The private listener behind the door --------------------------------------------------


def _socket_inodes(pid: int) -> set[str]:
    out = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            out.add(target[8:-1])
    return out


def _connect_as_nobody(path: Path) -> str:
    """Try to connect to `path` as user `nobody` (from a forked child; needs root)."""
    child = os.fork()
    if child == 0:
        code = 3
        try:
            os.setgroups([])
            os.setgid(65534)
            os.setuid(65534)
            with socket.socket(socket.AF_UNIX) as s:
                s.connect(str(path))
            code = 0
        except PermissionError:
            code = 1
        finally:
            os._exit(code)
    _, status = os.waitpid(child, 0)
    return {0: "connected", 1: "refused"}.get(os.waitstatus_to_exitcode(status), "error")


def test_the_private_listener_is_reachable_by_nobody_else(start):
    srv = start()
    pid = srv.proc.pid
    inodes = _socket_inodes(pid)
    listening = set()
    for table in ("tcp", "tcp6"):
        for line in Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]:
            f = line.split()
            if f[3] == "0A" and f[9] in inodes:
                listening.add(int(f[1].rsplit(":", 1)[1], 16))
    assert listening == {srv.port}, "only the public port listens on TCP"
    paths = [line.split()[-1] for line in Path("/proc/net/unix").read_text().splitlines()[1:]
             if line.split()[6] in inodes and len(line.split()) == 8 and line.split()[-1].startswith("/")]
    assert len(paths) == 1, paths
    sock_path = Path(paths[0])
    mode = stat.S_IMODE(sock_path.parent.stat().st_mode)
    assert mode == 0o700, oct(mode)
    if os.getuid() == 0:
        assert _connect_as_nobody(sock_path) == "refused"
    # Even the owner, connecting past the door with a forged ticket, is refused.
    with socket.socket(socket.AF_UNIX) as s:
        s.settimeout(5)
        s.connect(str(sock_path))
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Mcp-Door: 1\r\nConnection: close\r\n\r\n")
        assert status_of(recv_all(s)) == 403
    # Through the door a forged ticket is dropped and the request served.
    status, _, _ = raw(srv, "GET", path="/healthz", headers={"X-Mcp-Door": "1"})
    assert status == 200
    assert srv.stop() == 0
    assert not sock_path.parent.exists(), "the private socket's directory is removed on exit"


# -- 10. Legacy SSE streams -------------------------------------------------------------------


def open_sse(srv: HttpServer, source: str) -> tuple[socket.socket, int]:
    s = connect(srv, source)
    s.sendall(b"GET /sse HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n")
    seen = b""
    while b"\r\n\r\n" not in seen or (seen.startswith(b"HTTP/1.1 200") and b"endpoint" not in seen):
        chunk = s.recv(4096)
        if not chunk:
            break
        seen += chunk
    return s, status_of(seen)


def test_legacy_sse_streams_are_bounded_per_client_and_freed_when_it_leaves(start):
    srv = start(TRANSPORT="sse")
    mine = []
    try:
        for _ in range(PER_PEER_STREAMS):
            s, status = open_sse(srv, "127.0.0.2")
            assert status == 200
            mine.append(s)
        s, status = open_sse(srv, "127.0.0.2")
        s.close()
        assert status == 429
        other, status = open_sse(srv, "127.0.0.3")
        assert status == 200
        other.close()
        assert readyz(srv)["streams"] >= PER_PEER_STREAMS
    finally:
        close_all(mine)
    left = time.monotonic()
    assert wait_until(lambda: readyz(srv)["streams"] == 0, timeout=12, step=0.1), readyz(srv)
    print(f"\n{PER_PEER_STREAMS + 1} SSE streams freed {time.monotonic() - left:.1f}s after their clients left")
    s, status = open_sse(srv, "127.0.0.2")
    s.close()
    assert status == 200

"""Resource bounds and shutdown of the HTTP transport, measured on the real binary:

- many idle sockets (IDLE_SOCKETS, default 300; `make loadtest` uses 1,000) neither stop
  /healthz from answering nor make the thread count grow past the connection cap;
- SIGTERM with a call in flight: the call still gets its answer, new connections are refused,
  and the process exits 0.

Numbers are printed (`-s` shows them); the assertions only bound hangs and leaks.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import socket
import threading
import time

import pytest

from http_helpers import HttpServer, raw, wait_until

CONNECTION_CAP = 256  # HttpLimits::default().max_connections


@pytest.fixture
def server(server_bin, make_env, workdir):
    servers: list[HttpServer] = []

    def start(*args: str, **env: str) -> HttpServer:
        srv = HttpServer(server_bin, make_env(**env), workdir, *args)
        servers.append(srv)
        return srv

    yield start
    for srv in servers:
        srv.kill()


def test_idle_sockets_do_not_pin_threads(server):
    count = int(os.environ.get("IDLE_SOCKETS", "300"))
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < count + 100:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, count + 200), hard))
    srv = server()
    baseline = srv.threads()
    sockets = []
    try:
        for _ in range(count):
            s = socket.socket()
            s.settimeout(5)
            s.connect(("127.0.0.1", srv.port))
            sockets.append(s)
        wait_until(lambda: srv.threads() >= min(count, CONNECTION_CAP), timeout=5)
        time.sleep(0.2)
        peak = srv.threads()
        latencies = []
        for _ in range(20):
            t = time.perf_counter()
            status, _, body = raw(srv, "GET", path="/healthz", timeout=5)
            latencies.append((time.perf_counter() - t) * 1000)
            assert status == 200 and json.loads(body) == {"status": "ok"}
        latencies.sort()
        print(
            f"\nidle sockets={count} threads: baseline={baseline} with-idle={peak} "
            f"healthz p50={latencies[10]:.1f}ms max={latencies[-1]:.1f}ms"
        )
        assert peak <= CONNECTION_CAP + 40, f"{peak} threads for {count} idle sockets"
        assert latencies[-1] < 2000
    finally:
        for s in sockets:
            s.close()
    assert wait_until(lambda: srv.threads() <= baseline + 10, timeout=15), srv.threads()
    assert srv.stop() == 0


def test_sigterm_lets_the_call_in_flight_finish(server):
    srv = server("--stateless")
    call = {"jsonrpc": "2.0", "id": 1, "method": "tools/call",
            "params": {"name": "fixture_slow", "arguments": {"steps": 8, "step_ms": 150}}}
    result: list = []
    t = threading.Thread(target=lambda: result.append(raw(srv, "POST", body=call, timeout=20)))
    t.start()
    time.sleep(0.4)
    started = time.monotonic()
    srv.proc.send_signal(signal.SIGTERM)
    assert wait_until(lambda: _refused(srv.port), timeout=3), "still accepting after SIGTERM"
    t.join(20)
    status, _, body = result[0]
    assert status == 200 and json.loads(body)["result"]["content"][0]["text"] == '{"steps":8}'
    assert srv.proc.wait(15) == 0
    print(f"\nshutdown took {time.monotonic() - started:.2f}s with one call in flight")


def _refused(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        return False
    except OSError:
        return True

"""Helpers for the tests that attack a running HTTP server (tests/e2e/test_http_attacks.py and
the slow ones in tests/e2e/chaos/): raw sockets from chosen loopback source addresses (Linux
routes all of 127.0.0.0/8 to the loopback device, so 127.0.0.2, 127.0.0.3, ... act as distinct
clients for per-client limits), a /healthz prober that records latencies while an attack runs,
and the server's resident memory.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from pathlib import Path

from http_helpers import HttpServer

HEALTHZ = b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"


def connect(srv: HttpServer, source: str = "127.0.0.1", timeout: float = 5.0) -> socket.socket:
    """A TCP connection to the server from `source`."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.bind((source, 0))
    s.connect(("127.0.0.1", srv.port))
    return s


def recv_all(s: socket.socket, limit: float = 5.0) -> bytes:
    """Read until the server closes the connection (or `limit` seconds pass)."""
    s.settimeout(limit)
    data = b""
    deadline = time.monotonic() + limit
    try:
        while time.monotonic() < deadline:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    except (socket.timeout, ConnectionResetError):
        pass
    return data


def status_of(response: bytes) -> int:
    """The status code of a raw HTTP/1.1 response (0 when there is none)."""
    if not response.startswith(b"HTTP/1.1 "):
        return 0
    return int(response[9:12])


def healthz_once(srv: HttpServer, source: str = "127.0.0.1", timeout: float = 5.0) -> tuple[int, float]:
    """(status, milliseconds) of one GET /healthz on a fresh connection; status 0 on failure."""
    started = time.perf_counter()
    try:
        with connect(srv, source, timeout) as s:
            s.sendall(HEALTHZ)
            status = status_of(recv_all(s, timeout))
    except OSError:
        status = 0
    return status, (time.perf_counter() - started) * 1000


def post_raw(body: bytes, headers: dict[str, str] | None = None, path: str = "/mcp") -> bytes:
    """A complete POST request with a JSON body."""
    hdrs = {
        "Host": "localhost",
        "Content-Type": "application/json",
        "Accept": "application/json, text/event-stream",
        "Content-Length": str(len(body)),
        **(headers or {}),
    }
    head = f"POST {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in hdrs.items()) + "\r\n"
    return head.encode() + body


class Prober:
    """GET /healthz every `every` seconds on a thread until stopped; keeps (status, ms)."""

    def __init__(self, srv: HttpServer, every: float = 0.05, source: str = "127.0.0.1"):
        self.srv, self.every, self.source = srv, every, source
        self.results: list[tuple[int, float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.results.append(healthz_once(self.srv, self.source))
            self._stop.wait(self.every)

    def __enter__(self) -> Prober:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(10)

    def summary(self) -> str:
        ms = sorted(m for _, m in self.results)
        if not ms:
            return "no probes"
        bad = sum(1 for s, _ in self.results if s != 200)
        return (f"healthz probes={len(ms)} failed={bad} p50={ms[len(ms) // 2]:.1f}ms "
                f"p99={ms[min(len(ms) - 1, len(ms) * 99 // 100)]:.1f}ms max={ms[-1]:.1f}ms")

    def check(self, p50_ms: float = 100.0, max_ms: float = 1000.0) -> None:
        """Every probe answered 200; the median within `p50_ms`; none slower than `max_ms`."""
        assert self.results, "no probes ran"
        assert all(s == 200 for s, _ in self.results), self.summary()
        ms = sorted(m for _, m in self.results)
        assert ms[len(ms) // 2] < p50_ms and ms[-1] < max_ms, self.summary()


def rss_kib(srv: HttpServer) -> int:
    for line in Path(f"/proc/{srv.proc.pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS line")


def readyz(srv: HttpServer) -> dict:
    with connect(srv) as s:
        s.sendall(b"GET /readyz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        response = recv_all(s)
    return json.loads(response.split(b"\r\n\r\n", 1)[1])

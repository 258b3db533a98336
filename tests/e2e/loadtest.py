"""Bounded load run of the HTTP transport on loopback (`make loadtest`): starts the sandbox and
the server, then SESSIONS concurrent Python SDK clients each make CALLS tool calls; prints
calls/s and latency percentiles, the server's thread count and peak RSS. Numbers, not
assertions: it exits non-zero when the server fails, more than 2 % of the calls fail, or the
120 s cap is hit.

    python tests/e2e/loadtest.py [SESSIONS] [CALLS] [streamable-http|sse] [--stateless]
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import anyio
import httpx2
from mcp import ClientSession
from mcp.client.sse import sse_client
from mcp.client.streamable_http import streamable_http_client

sys.path.insert(0, str(Path(__file__).parent))
from http_helpers import HttpServer, Sandbox  # noqa: E402

REPO = Path(__file__).resolve().parents[2]


def rss_kib(pid: int) -> tuple[int, int]:
    status = Path(f"/proc/{pid}/status").read_text()
    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    return int(fields["VmHWM"].split()[0]), int(fields["Threads"])


async def main() -> int:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    sessions = int(args[0]) if args else 20
    calls = int(args[1]) if len(args) > 1 else 25
    transport = args[2] if len(args) > 2 else "streamable-http"
    flags = [a for a in sys.argv[1:] if a.startswith("--")]
    binary = Path(os.environ.get("MCP_ATLASSIAN_BIN", REPO / "target/debug/mcp-atlassian"))
    sb = Sandbox("cloud")
    # A short upstream timeout: a call that is never answered shows up as an error, not a stall.
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "TRANSPORT": transport,
           "JIRA_TIMEOUT": "10", **sb.env("alice")}
    cwd = Path(tempfile.mkdtemp())
    srv = HttpServer(binary, env, cwd, *flags)
    lat: list[float] = []
    init_lat: list[float] = []
    errors: list[str] = []
    peak_threads = 0

    async def one(n: int) -> None:
        try:
            async with httpx2.AsyncClient(timeout=httpx2.Timeout(30.0)) as http:
                if transport == "sse":
                    ctx = sse_client(srv.url)
                else:
                    ctx = streamable_http_client(srv.url, http_client=http)
                async with ctx as streams, ClientSession(streams[0], streams[1]) as s:
                    t = time.perf_counter()
                    await s.initialize()
                    init_lat.append(time.perf_counter() - t)
                    for i in range(calls):
                        key = f"WEB-{(n + i) % 20 + 1}"
                        t = time.perf_counter()
                        r = await s.call_tool("jira_get_issue", {"issue_key": key})
                        lat.append(time.perf_counter() - t)
                        if r.is_error:
                            errors.append(r.content[0].text[:120])
        except Exception as e:  # noqa: BLE001 - reported, counted
            errors.append(repr(e)[:160])

    async def sample() -> None:
        nonlocal peak_threads
        while True:
            peak_threads = max(peak_threads, rss_kib(srv.proc.pid)[1])
            await anyio.sleep(0.05)

    try:
        t0 = time.perf_counter()
        with anyio.fail_after(120):
            async with anyio.create_task_group() as tg:
                tg.start_soon(sample)
                async with anyio.create_task_group() as clients:
                    for n in range(sessions):
                        clients.start_soon(one, n)
                tg.cancel_scope.cancel()
        wall = time.perf_counter() - t0
        peak_kib, _ = rss_kib(srv.proc.pid)
    finally:
        code = srv.stop(timeout=45)
        sb.stop()
    q = statistics.quantiles(lat, n=100) if len(lat) >= 2 else [0.0] * 99
    print(json.dumps({
        "transport": transport + (" stateless" if flags else ""),
        "sessions": sessions,
        "calls": len(lat),
        "errors": len(errors),
        "calls_per_s": round(len(lat) / wall, 1),
        "init_p50_ms": round(statistics.median(init_lat) * 1000, 1) if init_lat else None,
        "p50_ms": round(q[49] * 1000, 1),
        "p90_ms": round(q[89] * 1000, 1),
        "p99_ms": round(q[98] * 1000, 1),
        "server_peak_threads": peak_threads,
        "server_peak_rss_mib": round(peak_kib / 1024, 1),
        "exit_code": code,
    }))
    for e in errors[:5]:
        print("error:", e, file=sys.stderr)
    return 1 if len(errors) > 0.02 * max(len(lat), 1) or code != 0 else 0


if __name__ == "__main__":
    sys.exit(anyio.run(main))

"""Small clients shared by the benchmark, chaos and soak scripts: a raw stdio JSON-RPC client, a
stateless streamable-HTTP caller, /proc samplers, and the sandbox's control endpoints.

Only the standard library: the reference server runs in its own venv, and these scripts must
not depend on either server's SDK.
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import queue
import subprocess
import threading
import time
from pathlib import Path
from typing import Any
from urllib.request import Request, urlopen

PROTOCOL = "2025-06-18"


def initialize(id_: int = 1) -> dict[str, Any]:
    return {
        "jsonrpc": "2.0",
        "id": id_,
        "method": "initialize",
        "params": {"protocolVersion": PROTOCOL, "capabilities": {}, "clientInfo": {"name": "bench", "version": "1"}},
    }


INITIALIZED = {"jsonrpc": "2.0", "method": "notifications/initialized"}


def call_msg(id_: int, tool: str, args: dict[str, Any]) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": id_, "method": "tools/call", "params": {"name": tool, "arguments": args}}


def compact(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


def text_bytes(result: dict[str, Any]) -> int:
    """Bytes of the text a model reads: every text content block."""
    return sum(len(c.get("text", "").encode()) for c in result.get("content", []) if c.get("type") == "text")


class Stdio:
    """A server process on stdio; `request` writes a message and waits for its response."""

    def __init__(self, argv: list[str], env: dict[str, str], cwd: Path):
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(
            argv, env=env, cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        self.lines: queue.Queue[bytes] = queue.Queue()
        self.err: list[bytes] = []
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._read_err, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.put(line)
        self.lines.put(b"")

    def _read_err(self) -> None:
        for line in self.proc.stderr:
            if len(self.err) < 2000:
                self.err.append(line)

    def send(self, msg: dict[str, Any]) -> None:
        self.proc.stdin.write(compact(msg) + b"\n")
        self.proc.stdin.flush()

    def request(self, msg: dict[str, Any], timeout: float = 120.0) -> dict[str, Any]:
        self.send(msg)
        deadline = time.monotonic() + timeout
        while True:
            line = self.lines.get(timeout=max(0.01, deadline - time.monotonic()))
            if not line:
                raise RuntimeError("server closed stdout: " + b"".join(self.err[-20:]).decode(errors="replace"))
            reply = json.loads(line)
            if reply.get("id") == msg["id"]:
                return reply

    def handshake(self) -> dict[str, Any]:
        reply = self.request(initialize())
        self.send(INITIALIZED)
        return reply

    def close(self, timeout: float = 20.0) -> float | None:
        """Close stdin and reap the process; returns its CPU seconds (user + system)."""
        self.proc.stdin.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pid, status, usage = os.wait4(self.proc.pid, os.WNOHANG)
            if pid:
                self.proc.returncode = os.waitstatus_to_exitcode(status)
                return usage.ru_utime + usage.ru_stime
            time.sleep(0.005)
        self.proc.kill()
        self.proc.wait()
        return None


def proc_status(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM in KiB, Threads, and open fds of a process."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return {
        "rss_kib": int(fields["VmRSS"].split()[0]),
        "hwm_kib": int(fields["VmHWM"].split()[0]),
        "threads": int(fields["Threads"]),
        "fds": len(os.listdir(f"/proc/{pid}/fd")),
    }


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a running process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def tree_rss_kib(pid: int) -> int:
    """RSS of a process and its children (the reference may fork helpers)."""
    total = proc_status(pid)["rss_kib"]
    try:
        for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
            total += tree_rss_kib(int(child))
    except (FileNotFoundError, ProcessLookupError, KeyError):
        pass
    return total


class HttpCaller:
    """One keep-alive connection posting JSON-RPC to a stateless streamable-HTTP endpoint."""

    def __init__(self, url: str, headers: dict[str, str] | None = None, timeout: float = 60.0):
        rest = url.split("://", 1)[1]
        hostport, _, path = rest.partition("/")
        self.host, _, port = hostport.partition(":")
        self.port = int(port or 80)
        self.path = "/" + path
        self.timeout = timeout
        self.headers = {
            "Content-Type": "application/json",
            "Accept": "application/json, text/event-stream",
            "MCP-Protocol-Version": PROTOCOL,
            **(headers or {}),
        }
        self.conn: http.client.HTTPConnection | None = None
        self.last_headers: dict[str, str] = {}

    def post(self, msg: dict[str, Any], headers: dict[str, str] | None = None) -> tuple[int, dict[str, Any] | None]:
        """(status, the JSON-RPC response or None); the body may be JSON or one SSE event."""
        for attempt in (0, 1):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            try:
                self.conn.request("POST", self.path, body=compact(msg), headers={**self.headers, **(headers or {})})
                resp = self.conn.getresponse()
                body = resp.read()
                self.last_headers = {k.lower(): v for k, v in resp.getheaders()}
                if resp.getheader("Connection", "").lower() == "close":
                    self.close()
                return resp.status, parse_body(body, msg.get("id"))
            except (ConnectionError, http.client.HTTPException, OSError):
                self.close()
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def parse_body(body: bytes, id_: Any) -> dict[str, Any] | None:
    text = body.decode(errors="replace").strip()
    if not text:
        return None
    if text.startswith("{"):
        return json.loads(text)
    for line in text.splitlines():
        if line.startswith("data:"):
            data = line[5:].strip()
            if data.startswith("{"):
                msg = json.loads(data)
                if msg.get("id") == id_:
                    return msg
    return None


def basic(user: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{secret}".encode()).decode()


class SandboxControl:
    """The sandbox's /__sandbox endpoints."""

    def __init__(self, base: str):
        self.base = base

    def _do(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        req = Request(self.base + path, data=data, method=method, headers={"Content-Type": "application/json"})
        with urlopen(req, timeout=30) as r:
            raw = r.read()
        return json.loads(raw) if raw.strip().startswith((b"{", b"[")) else raw.decode()

    def requests(self, since: int = 0) -> tuple[list[dict[str, Any]], int]:
        out = self._do("GET", f"/__sandbox/requests?since={since}")
        return out["requests"], out["last"]

    def last(self) -> int:
        """The sequence number of the last logged request (an empty log echoes `since`)."""
        last = self.requests(10**12)[1]
        if last >= 10**12:
            reqs, last = self.requests(0)
            last = max((r["seq"] for r in reqs), default=0)
        return last

    def clear_log(self) -> None:
        self._do("DELETE", "/__sandbox/requests")

    def reset(self) -> None:
        self._do("POST", "/__sandbox/reset")

    def add_fault(self, fault: str, path: str = "/", method: str | None = None, count: int | None = 1) -> None:
        rule: dict[str, Any] = {"fault": fault, "path": path, "count": count}
        if method:
            rule["method"] = method
        self._do("POST", "/__sandbox/faults", rule)

    def clear_faults(self) -> None:
        self._do("DELETE", "/__sandbox/faults")

    def info(self) -> dict[str, Any]:
        return self._do("GET", "/__sandbox/info")


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    k = (len(s) - 1) * q
    lo = int(k)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def machine() -> str:
    """CPU model, cores, memory and the load average right now."""
    model = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    mem_kib = int(Path("/proc/meminfo").read_text().split()[1])
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    return f"{os.cpu_count()} × {model}, {mem_kib / 1048576:.0f} GiB RAM, {os.uname().sysname} {os.uname().release}, load average {load}"

"""Helpers for the HTTP end-to-end tests: the server binary on an HTTP transport, the sandbox
(fake Jira + Confluence), and a small raw HTTP/1.1 client for status-code checks.

The server is started with PORT=0 and announces its address on stderr
(`mcp-atlassian: serving MCP (...) on http://127.0.0.1:PORT/mcp`); a reader thread keeps
stderr so tests can check that no secret reached the log.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import subprocess
import threading
import time
from pathlib import Path
from typing import Any
from urllib.request import urlopen

from e2e_helpers import REPO_ROOT

START_TIMEOUT = 10.0
ANNOUNCE = re.compile(r"serving MCP \(.*\) with \d+ tool\(s\) on (http://\S+)")


def sandbox_binary() -> Path:
    server = Path(os.environ.get("MCP_ATLASSIAN_BIN", REPO_ROOT / "target/debug/mcp-atlassian"))
    return server.parent / "atlassian-sandbox"


class HttpServer:
    """mcp-atlassian serving HTTP; `url` is the MCP endpoint, `base` the scheme://host:port."""

    def __init__(self, binary: Path, env: dict[str, str], cwd: Path, *args: str):
        env = {"PORT": "0", "TRANSPORT": "streamable-http", **env}
        self.proc = subprocess.Popen(
            [str(binary), *args],
            env=env,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self._err: list[str] = []
        self._announced = threading.Event()
        self.url = ""
        threading.Thread(target=self._read_stderr, daemon=True).start()
        if not self._announced.wait(START_TIMEOUT):
            self.kill()
            raise AssertionError(f"server did not announce its address: {self.stderr()}")
        self.base = re.match(r"http://[^/]+", self.url).group(0)
        self.port = int(self.base.rsplit(":", 1)[1])

    def _read_stderr(self) -> None:
        for raw in self.proc.stderr:
            line = raw.decode("utf-8", "replace")
            self._err.append(line)
            m = ANNOUNCE.search(line)
            if m and not self._announced.is_set():
                self.url = m.group(1)
                self._announced.set()

    def stderr(self) -> str:
        return "".join(self._err)

    def threads(self) -> int:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("Threads:"):
                return int(line.split()[1])
        raise AssertionError("no Threads line")

    def stop(self, timeout: float = 15.0) -> int:
        """SIGTERM, then wait; returns the exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"server did not exit {timeout}s after SIGTERM{self.stderr()}")

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


class Sandbox:
    """The fake Atlassian site on a free loopback port."""

    def __init__(self, flavour: str = "cloud"):
        binary = sandbox_binary()
        if not binary.is_file():
            raise AssertionError(f"{binary} not built: run `cargo build --bins`")
        self.proc = subprocess.Popen(
            [str(binary), "--port", "0", "--flavour", flavour],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        line = self.proc.stdout.readline().decode()
        assert line.startswith("listening on "), line
        self.base = line.split("listening on ", 1)[1].strip()
        self.flavour = flavour

    def get(self, path: str) -> str:
        with urlopen(self.base + path, timeout=10) as r:
            return r.read().decode()

    def env(self, user: str) -> dict[str, str]:
        """Variables that point mcp-atlassian at this sandbox as `user`."""
        pairs = (line.split("=", 1) for line in self.get(f"/__sandbox/env?user={user}").splitlines() if "=" in line)
        return {k: v for k, v in pairs}

    def info(self) -> dict[str, Any]:
        return json.loads(self.get("/__sandbox/info"))

    def stop(self) -> None:
        self.proc.kill()
        self.proc.wait()


def raw(
    server: HttpServer,
    method: str,
    path: str | None = None,
    body: Any = None,
    headers: dict[str, str] | None = None,
    timeout: float = 10.0,
) -> tuple[int, dict[str, str], bytes]:
    """One request on a fresh connection; returns (status, lower-cased headers, body)."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=timeout)
    hdrs = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}
    hdrs.update(headers or {})
    hdrs = {k: v for k, v in hdrs.items() if v is not None}
    data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
    target = path if path is not None else server.url[len(server.base):]
    conn.request(method, target, body=data, headers=hdrs)
    resp = conn.getresponse()
    out = resp.read()
    result = resp.status, {k.lower(): v for k, v in resp.getheaders()}, out
    conn.close()
    return result


def wait_until(predicate, timeout: float = 5.0, step: float = 0.02) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()

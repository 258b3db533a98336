"""Three `--stateless` servers behind Debian's nginx doing plain round-robin: one Python SDK
client session (handshake era, then 2026-07-28 through `mcp.Client`) whose requests spread over
all three instances and all succeed, against the sandbox.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time

import anyio
import pytest
from mcp import Client, ClientSession
from mcp.client.streamable_http import streamable_http_client

from e2e_helpers import MODERN_VERSION
from http_helpers import HttpServer, Sandbox, wait_until

pytestmark = pytest.mark.anyio

NGINX_CONF = """
worker_processes 1;
daemon off;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    upstream mcp {{
{servers}
        keepalive 8;
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://mcp;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host localhost;
            proxy_buffering off;
            proxy_read_timeout 120s;
        }}
    }}
}}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def cluster(server_bin, make_env, workdir, tmp_path):
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    sb = Sandbox("cloud")
    env = make_env(MCP_ATLASSIAN_TEST_FIXTURES=None, MCP_VERY_VERBOSE="true", **sb.env("bob"))
    servers = [HttpServer(server_bin, env, workdir, "--stateless") for _ in range(3)]
    port = free_port()
    conf = tmp_path / "nginx.conf"
    conf.write_text(NGINX_CONF.format(
        dir=tmp_path, port=port,
        servers="\n".join(f"        server 127.0.0.1:{s.port};" for s in servers),
    ))
    proc = subprocess.Popen([nginx, "-c", str(conf), "-p", str(tmp_path)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        assert wait_until(lambda: _listening(port), timeout=10), proc.stderr.read().decode() if proc.poll() else "nginx did not start"
        yield f"http://127.0.0.1:{port}/mcp", servers
    finally:
        proc.terminate()
        proc.wait(10)
        for s in servers:
            assert s.stop() == 0, s.stderr()
            assert "bob-api-token" not in s.stderr(), "a credential reached the debug log"
        sb.stop()


def _listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        return True
    except OSError:
        return False


def calls_served(server: HttpServer) -> int:
    return server.stderr().count("http: POST /mcp")


async def test_round_robin_spreads_one_client_over_three_instances(cluster):
    url, servers = cluster
    with anyio.fail_after(60):
        async with streamable_http_client(url) as (read, write):
            async with ClientSession(read, write) as session:
                await session.initialize()
                for n in range(1, 10):
                    result = await session.call_tool("jira_get_issue", {"issue_key": f"WEB-{n}"})
                    assert result.is_error is False, result.content[0].text
                    assert json.loads(result.content[0].text)["key"] == f"WEB-{n}"
        async with Client(url, mode=MODERN_VERSION) as client:
            for _ in range(6):
                found = await client.call_tool("jira_search", {"jql": "project = OPS ORDER BY key", "limit": 2})
                assert found.is_error is False, found.content[0].text
    time.sleep(0.2)
    served = [calls_served(s) for s in servers]
    print(f"\nPOSTs served per instance: {served}")
    assert all(n >= 3 for n in served), served

"""HTTP for browsers and curl: an in-browser MCP client from an allowed origin gets CORS answers
(preflight, `Access-Control-Allow-Origin`, `Mcp-Session-Id` exposed), a refused origin gets
neither CORS headers nor a session and the 403 body names what was refused, `GET /` points at
the MCP endpoint, and the README's curl example works as written.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path


from http_helpers import raw

INIT = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "web", "version": "0"}},
}
ALLOWED = "https://mcp-console.example.com"
README = Path(__file__).resolve().parents[2] / "README.md"


def test_an_allowed_origin_gets_cors_answers(start):
    srv = start(MCP_HTTP_ALLOWED_ORIGINS=ALLOWED)
    status, hdrs, _ = raw(srv, "OPTIONS", headers={
        "Origin": ALLOWED,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type, mcp-session-id, x-atlassian-jira-url, x-evil",
        "Host": ALLOWED.split("//")[1],
    })
    assert status == 204
    assert hdrs["access-control-allow-origin"] == ALLOWED
    assert "POST" in hdrs["access-control-allow-methods"]
    allowed = {h.strip().lower() for h in hdrs["access-control-allow-headers"].split(",")}
    assert {"content-type", "mcp-session-id", "x-atlassian-jira-url"} <= allowed and "x-evil" not in allowed
    status, hdrs, body = raw(srv, "POST", body=INIT, headers={"Origin": ALLOWED, "Host": ALLOWED.split("//")[1]})
    assert status == 200, body
    assert hdrs["access-control-allow-origin"] == ALLOWED
    assert "mcp-session-id" in hdrs["access-control-expose-headers"].lower()
    assert hdrs.get("mcp-session-id")
    # Loopback pages (a local inspector) are admitted on a loopback listener.
    status, hdrs, _ = raw(srv, "OPTIONS", headers={"Origin": "http://localhost:6274",
                                                   "Access-Control-Request-Method": "POST"})
    assert status == 204 and hdrs["access-control-allow-origin"] == "http://localhost:6274"


def test_a_refused_origin_gets_no_cors_and_is_named(start):
    srv = start()
    status, hdrs, _ = raw(srv, "OPTIONS", headers={"Origin": "https://evil.example",
                                                   "Access-Control-Request-Method": "POST"})
    assert status == 403 and "access-control-allow-origin" not in hdrs
    status, hdrs, body = raw(srv, "POST", body=INIT, headers={"Origin": "https://evil.example"})
    assert status == 403 and "access-control-allow-origin" not in hdrs
    message = json.loads(body)["error"]["message"]
    assert 'Origin "https://evil.example" is not allowed' in message, message
    status, _, body = raw(srv, "POST", body=INIT, headers={"Host": "127.0.0.1.rebind.example"})
    assert status == 403 and 'Host "127.0.0.1.rebind.example"' in json.loads(body)["error"]["message"]


def test_the_root_points_at_the_endpoints(start):
    srv = start(TRANSPORT="sse")
    status, _, body = raw(srv, "GET", path="/")
    index = json.loads(body)
    assert status == 200 and index["mcp"] == "/mcp" and index["sse"] == "/sse" and index["health"] == "/healthz"


def test_the_readme_curl_example_works(start):
    text = README.read_text()
    block = re.search(r"```sh\n(curl -s http://127\.0\.0\.1:8000/mcp.*?)\n```", text, re.S)
    assert block, "the README's curl example is missing"
    srv = start()
    command = block.group(1).replace("127.0.0.1:8000", f"127.0.0.1:{srv.port}")
    out = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    lines = [line for line in out.stdout.splitlines() if line.strip()]
    assert any('"protocolVersion"' in line for line in lines), out.stdout
    assert any('"tools"' in line for line in lines), out.stdout

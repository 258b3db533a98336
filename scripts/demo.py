#!/usr/bin/env python3
"""A short scripted MCP session against the mcp-atlassian binary, printing each call and answer.

Usage: demo.py PATH-TO-BINARY. Talks newline-delimited JSON-RPC over stdio, exactly as Claude
Desktop or Claude Code would. Until the Atlassian sandbox lands, the session uses the built-in
test fixture tools to show tool calls, progress, errors and the read-only filter.
"""
import json
import os
import subprocess
import sys
import tempfile

BIN = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "target/debug/mcp-atlassian")
ENV = {
    "PATH": "/usr/bin:/bin",
    "JIRA_URL": "https://demo.atlassian.net",
    "JIRA_USERNAME": "demo@example.com",
    "JIRA_API_TOKEN": "demo-token",
    "MCP_ATLASSIAN_TEST_FIXTURES": "1",
}


def show(label, message, width=400):
    text = json.dumps(message, separators=(",", ":"))
    if len(text) > width:
        text = text[:width] + " …"
    print(f"{label} {text}")


def session(requests, extra_env=None, args=()):
    env = dict(ENV, **(extra_env or {}))
    with tempfile.TemporaryDirectory() as cwd:
        proc = subprocess.Popen([BIN, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, env=env, cwd=cwd, text=True)
        for req in requests:
            show("→", req)
            proc.stdin.write(json.dumps(req) + "\n")
            proc.stdin.flush()
            if "id" not in req:
                continue
            while True:
                reply = json.loads(proc.stdout.readline())
                show("  ←", reply)
                if reply.get("id") == req["id"]:
                    break
        proc.stdin.close()
        proc.wait(timeout=10)


def main():
    print(f"== {BIN} --version")
    print(subprocess.run([BIN, "--version"], capture_output=True, text=True).stdout.strip())
    print("\n== a handshake-era session (what Claude Desktop and Claude Code speak today)")
    session([
        {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {},
            "clientInfo": {"name": "demo", "version": "1"}}},
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        {"jsonrpc": "2.0", "id": 2, "method": "tools/list"},
        {"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {
            "name": "fixture_slow", "arguments": {"steps": 3, "step_ms": 100},
            "_meta": {"progressToken": "demo"}}},
        {"jsonrpc": "2.0", "id": 4, "method": "tools/call", "params": {
            "name": "fixture_echo", "arguments": {"text": "hi", "count": 500}}},
    ])
    print("\n== a stateless 2026-07-28 request: no initialize, everything in _meta")
    meta = {"io.modelcontextprotocol/protocolVersion": "2026-07-28",
            "io.modelcontextprotocol/clientCapabilities": {}}
    session([{"jsonrpc": "2.0", "id": 1, "method": "server/discover", "params": {"_meta": meta}}])
    print("\n== read-only mode refuses write tools at call time, not only in tools/list")
    session([
        {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-11-25", "capabilities": {},
            "clientInfo": {"name": "demo", "version": "1"}}},
        {"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {
            "name": "fixture_write", "arguments": {"value": "x"}}},
    ], extra_env={"READ_ONLY_MODE": "true"})
    print("\n== the same tools from a shell script: mcp-atlassian call")
    out = subprocess.run([BIN, "call", "fixture_echo", "text=from make", "labels=a,b"],
                         capture_output=True, text=True, env=ENV)
    print(f"$ mcp-atlassian call fixture_echo text='from make' labels=a,b   (exit {out.returncode})")
    print(out.stdout.strip())
    print("\n== a configuration mistake is one clear line and exit code 2")
    out = subprocess.run([BIN, "tools"], capture_output=True, text=True,
                         env=dict(ENV, JIRA_TIMEOUT="soon"))
    print(f"$ JIRA_TIMEOUT=soon mcp-atlassian tools   (exit {out.returncode})")
    print(out.stderr.strip())


if __name__ == "__main__":
    main()

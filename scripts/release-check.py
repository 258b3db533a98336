#!/usr/bin/env python3
"""Check what `make release` left in DIST (make release-check; not part of make test).

1. SHA256SUMS verifies (sha256sum -c) and lists the five artifacts.
2. `file` shows each artifact's format and architecture (static ELF for Linux, PE32+ console
   executable for Windows, Mach-O for macOS).
3. The aarch64 Linux binary runs under qemu-aarch64-static: --version, then an MCP session over
   stdio (initialize, tools/list, jira_get_issue, confluence_get_page) against the sandbox.

What cannot be run here is said, not claimed: the Windows .exe (Debian's wine 8 lacks
bcryptprimitives.dll, which Rust's standard library needs) and the macOS binaries (no macOS).

Usage: release-check.py DIST VERSION SANDBOX_BIN
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

EXPECTED = {
    # target: (artifact suffix, what `file` must say)
    "x86_64-unknown-linux-musl": ("", ["ELF 64-bit LSB", "x86-64", "static"]),
    "aarch64-unknown-linux-musl": ("", ["ELF 64-bit LSB", "ARM aarch64", "static"]),
    "x86_64-pc-windows-gnu": (".exe", ["PE32+ executable", "(console)", "x86-64", "MS Windows"]),
    "aarch64-apple-darwin": ("", ["Mach-O 64-bit", "arm64", "executable"]),
    "x86_64-apple-darwin": ("", ["Mach-O 64-bit", "x86_64", "executable"]),
}

failures: list[str] = []


def check(ok: bool, what: str) -> None:
    print(f"{'ok  ' if ok else 'FAIL'} {what}")
    if not ok:
        failures.append(what)


def stdio_session(cmd: list[str], env: dict[str, str]) -> list[dict]:
    """One MCP session over stdio: every reply, in order."""
    requests = [
        {"jsonrpc": "2.0", "id": 1, "method": "initialize",
         "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                    "clientInfo": {"name": "release-check", "version": "1"}}},
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        {"jsonrpc": "2.0", "id": 2, "method": "tools/list"},
        {"jsonrpc": "2.0", "id": 3, "method": "tools/call",
         "params": {"name": "jira_get_issue", "arguments": {"issue_key": "WEB-1"}}},
        {"jsonrpc": "2.0", "id": 4, "method": "tools/call",
         "params": {"name": "confluence_search", "arguments": {"query": "onboarding"}}},
    ]
    # One line at a time would be closer to a client; all at once and then EOF is what a
    # client that closes stdin does, and the server answers everything before it exits.
    p = subprocess.run(cmd, input="".join(json.dumps(r) + "\n" for r in requests), env=env,
                       capture_output=True, text=True, timeout=300)
    if p.returncode != 0:
        print(p.stderr, file=sys.stderr)
    check(p.returncode == 0, f"the session ended with exit code {p.returncode}")
    replies = [json.loads(line) for line in p.stdout.splitlines() if line.strip()]
    return sorted((r for r in replies if "id" in r), key=lambda r: r["id"])


def main() -> int:
    dist, version, sandbox_bin = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
    sums = dist / "SHA256SUMS"
    if not sums.is_file():
        print(f"release-check: no {sums}: run `make release` first", file=sys.stderr)
        return 1

    # 1. Checksums.
    p = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=dist, capture_output=True, text=True)
    check(p.returncode == 0, "SHA256SUMS verifies:\n" + p.stdout.rstrip())
    listed = {line.split()[-1] for line in sums.read_text().splitlines() if line.strip()}

    # 2. Formats.
    for target, (suffix, words) in EXPECTED.items():
        name = f"mcp-atlassian-{version}-{target}{suffix}"
        path = dist / name
        if not path.is_file():
            check(False, f"{name} was built (make release printed why it was skipped)")
            continue
        check(name in listed, f"{name} is in SHA256SUMS")
        desc = subprocess.run(["file", "-b", str(path)], capture_output=True, text=True).stdout.strip()
        check(all(w in desc for w in words), f"{name} ({path.stat().st_size} bytes): {desc}")

    # 3. aarch64 under qemu.
    arm = dist / f"mcp-atlassian-{version}-aarch64-unknown-linux-musl"
    qemu = shutil.which("qemu-aarch64-static") or shutil.which("qemu-aarch64")
    if not arm.is_file():
        pass  # already reported
    elif not qemu:
        check(False, "qemu-aarch64-static is installed (Debian qemu-user-static)")
    else:
        p = subprocess.run([qemu, str(arm), "--version"], capture_output=True, text=True, timeout=120)
        check(p.returncode == 0 and version in p.stdout,
              f"under {Path(qemu).name}: --version prints {p.stdout.strip()!r}")
        sandbox = subprocess.Popen([str(sandbox_bin), "--port", "0", "--flavour", "cloud", "--env", "alice"],
                                   stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        try:
            env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
            assert sandbox.stdout is not None
            for line in sandbox.stdout:
                if line.startswith("export "):
                    key, _, value = line[len("export "):].strip().partition("=")
                    env[key] = value
                if "CONFLUENCE_API_TOKEN" in env:
                    break
            check("JIRA_URL" in env, f"the sandbox serves on {env.get('JIRA_URL')}")
            replies = stdio_session([qemu, str(arm)], env)
            by_id = {r["id"]: r for r in replies}
            info = by_id.get(1, {}).get("result", {}).get("serverInfo", {})
            check(info.get("version") == version, f"initialize: serverInfo {info}")
            tools = by_id.get(2, {}).get("result", {}).get("tools", [])
            check(len(tools) > 50, f"tools/list: {len(tools)} tools")
            for rid, what, needle in [(3, "jira_get_issue WEB-1", '"WEB-1"'),
                                      (4, "confluence_search", '"title"')]:
                result = by_id.get(rid, {}).get("result", {})
                text = "".join(c.get("text", "") for c in result.get("content", []))
                check(not result.get("isError") and needle in text,
                      f"tools/call {what}: {len(text)} bytes of text, isError={result.get('isError', False)}")
        finally:
            sandbox.terminate()
            sandbox.wait(10)

    print("not run here: the Windows .exe (Debian's wine 8 lacks bcryptprimitives.dll, which Rust's "
          "standard library needs) and the macOS binaries (no macOS machine); both are checked by "
          "format only.")
    print(f"release-check: {len(failures)} failed" if failures else "release-check: all passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

"""Third-party JavaScript clients against the real binary over HTTP: the official TypeScript
SDK client (streamable HTTP and legacy SSE), the MCP Inspector CLI (both transports, both eras,
`--strict` schema lint) and the official conformance suite's server scenarios for both eras:
the generic ones and the tool scenarios served by the conformance fixture tools
(`js/conformance-baseline.yml` lists the checks that cannot pass here, with the reason).

The packages are pinned in `tests/e2e/js/package.json` and installed into `target/e2e-js` by
`make js-tools` (the Inspector needs Node >= 22, which comes as the `node` package).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from e2e_helpers import FIXTURE_TOOLS, REPO_ROOT
from http_helpers import Sandbox

JS_SRC = REPO_ROOT / "tests/e2e/js"
JS_DIR = Path(os.environ.get("MCP_ATLASSIAN_JS_DIR", REPO_ROOT / "target/e2e-js"))
BASELINE = JS_SRC / "conformance-baseline.yml"

# The generic server scenarios, and the tool scenarios that the conformance fixture tools
# (src/tools/conformance.rs, on with MCP_ATLASSIAN_TEST_FIXTURES) make applicable.
SCENARIOS = [
    ("server-initialize", None),
    ("ping", None),
    ("logging-set-level", None),
    ("tools-list", None),
    ("server-session-lifecycle", None),
    ("dns-rebinding-protection", None),
    ("tools-call-simple-text", None),
    ("tools-call-error", None),
    ("tools-call-with-progress", None),
    ("tools-call-with-logging", None),
    ("tools-list", "2026-07-28"),
    ("server-stateless", "2026-07-28"),
    ("caching", "2026-07-28"),
    ("http-header-validation", "2026-07-28"),
    ("dns-rebinding-protection", "2026-07-28"),
    ("tools-call-simple-text", "2026-07-28"),
    ("tools-call-error", "2026-07-28"),
    ("tools-call-with-progress", "2026-07-28"),
]


@pytest.fixture(scope="module")
def js() -> dict[str, str]:
    """The environment for the JS tools: Node 22 and the packages' bins first on PATH."""
    bin_dir = JS_DIR / "node_modules/.bin"
    if not (bin_dir / "mcp-inspector").exists():
        pytest.fail(f"{JS_DIR} has no installed JS clients: run `make js-tools`", pytrace=False)
    shutil.copy(JS_SRC / "ts_client.mjs", JS_DIR / "ts_client.mjs")
    return {**os.environ, "PATH": f"{bin_dir}:{os.environ.get('PATH', '/usr/bin:/bin')}", "NO_COLOR": "1"}


def run(js: dict[str, str], *argv: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(list(argv), env=js, cwd=JS_DIR, capture_output=True, text=True, timeout=timeout)


def ts_client(js: dict[str, str], mode: str, url: str, *extra: str) -> dict:
    out = run(js, "node", "ts_client.mjs", mode, url, *extra, timeout=60)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_typescript_sdk_over_both_transports(js, start):
    srv = start(TRANSPORT="sse")
    http = ts_client(js, "http", f"{srv.base}/mcp")
    assert http["server"] == "mcp-atlassian" and FIXTURE_TOOLS <= set(http["tools"])
    assert http["progress"] == [1, 2, 3] and json.loads(http["text"]) == {"steps": 3}
    assert re.fullmatch(r"[0-9a-f]{64}", http["sessionId"])
    sse = ts_client(js, "sse", srv.url)
    # The TS SDK defers notification handlers but settles responses at once, so a progress
    # notification read in the same chunk as the response can be dropped by the client.
    assert sse["progress"] in ([1, 2], [1, 2, 3]) and sse["isError"] is False
    stateless = start("--stateless")
    out = ts_client(js, "http", stateless.url, "fixture_echo", '{"text": "x"}')
    assert out["sessionId"] is None and json.loads(out["text"]) == {"text": "x", "count": 1}


def test_typescript_sdk_against_the_sandbox(js, start):
    sb = Sandbox("cloud")
    try:
        srv = start(MCP_ATLASSIAN_TEST_FIXTURES=None, **sb.env("dave"))
        out = ts_client(js, "http", srv.url, "jira_get_issue", '{"issue_key": "MOB-1"}')
        assert out["isError"] is False and json.loads(out["text"])["key"] == "MOB-1"
    finally:
        sb.stop()


def inspector(js: dict[str, str], url: str, transport: str, *args: str) -> subprocess.CompletedProcess:
    return run(js, "mcp-inspector", "--cli", url, "--transport", transport, *args)


def test_inspector_cli(js, start):
    srv = start(TRANSPORT="sse")
    listed = inspector(js, f"{srv.base}/mcp", "http", "--method", "tools/list", "--strict")
    assert listed.returncode == 0, listed.stderr
    assert listed.stderr.strip() == "", f"--strict findings: {listed.stderr}"
    assert FIXTURE_TOOLS <= {t["name"] for t in json.loads(listed.stdout)["tools"]}
    for url, transport, era in (
        (f"{srv.base}/mcp", "http", "legacy"),
        (f"{srv.base}/mcp", "http", "modern"),
        (f"{srv.base}/mcp", "http", "auto"),
        (srv.url, "sse", "legacy"),
    ):
        called = inspector(js, url, transport, "--protocol-era", era, "--method", "tools/call",
                           "--tool-name", "fixture_echo", "--tool-arg", "text=hi")
        assert called.returncode == 0, (transport, era, called.stderr)
        assert json.loads(json.loads(called.stdout)["content"][0]["text"]) == {"text": "hi", "count": 1}
    failed = inspector(js, f"{srv.base}/mcp", "http", "--method", "tools/call", "--tool-name", "fixture_fail")
    assert failed.returncode == 5, failed.stderr  # the Inspector's exit code for isError results


def test_inspector_cli_reads_images_and_files(js, start):
    """The Inspector (TypeScript SDK schemas underneath) accepts every content block of
    fixture_files, in both eras; structuredContent comes along from 2025-06-18 on."""
    srv = start()
    for era in ("legacy", "modern"):
        called = inspector(js, f"{srv.base}/mcp", "http", "--protocol-era", era, "--method", "tools/call",
                           "--tool-name", "fixture_files")
        assert called.returncode == 0, (era, called.stderr)
        result = json.loads(called.stdout)
        kinds = [c["type"] for c in result["content"]]
        assert kinds == ["text", "image", "resource", "resource_link"], (era, kinds)
        assert result["content"][1]["mimeType"] == "image/png"
        assert result["content"][2]["resource"]["blob"]
        assert result["structuredContent"] == {"files": 3, "note": "image, resource and link follow"}


@pytest.mark.timeout(300)  # dozens of npx scenario runs: a bound on a hang, not a speed test
def test_conformance_scenarios(js, start):
    srv = start()
    summary = []
    for scenario, version in SCENARIOS:
        argv = ["conformance", "server", "--url", srv.url, "--scenario", scenario,
                "--expected-failures", str(BASELINE)]
        if version:
            argv += ["--spec-version", version]
        out = run(js, *argv)
        passed = re.search(r"Passed: (\d+)/(\d+)", out.stdout + out.stderr)
        summary.append(f"{scenario}@{version or 'handshake'}: {passed.group(0) if passed else '?'}")
        assert out.returncode == 0, f"{scenario} ({version}):\n{out.stdout[-3000:]}\n{out.stderr[-3000:]}"
    print("\n" + "\n".join(summary))

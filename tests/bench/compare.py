"""Side-by-side benchmark of this server and the reference (`make bench-compare`, issue #15).

Both servers run against the sandbox (Cloud and Server/DC flavours, one sandbox per flavour),
in one run, with the same environment variables. Prints one Markdown table with ratios (ours ÷
reference) and writes it, with the per-tool detail, to the report file. Numbers, not assertions:
it fails only when a server cannot be started or answers a call with an error.

    python tests/bench/compare.py OURS_BIN REFERENCE_BIN SANDBOX_BIN REPORT.md

Environment: BENCH_RUNS (start-up runs, default 20), BENCH_SECONDS (per HTTP load level,
default 6), BENCH_CALLS (sequential calls for the overhead, default 200), BENCH_FLAVOURS
(default "cloud server").

The reference decides Cloud or Server/DC from the URL's host name (loopback is always Server/DC),
so for the Cloud flavour it is given `http://bench-sandbox.atlassian.net:PORT`, and a
`sitecustomize` on its PYTHONPATH resolves that one name to 127.0.0.1 (its code is not changed).
"""

from __future__ import annotations

import datetime
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from clients import (  # noqa: E402
    HttpCaller,
    SandboxControl,
    cpu_seconds,
    Stdio,
    call_msg,
    compact,
    machine,
    percentile,
    proc_status,
    text_bytes,
    tree_rss_kib,
)

RUNS = int(os.environ.get("BENCH_RUNS", "20"))
LOAD_SECONDS = float(os.environ.get("BENCH_SECONDS", "6"))
SEQ_CALLS = int(os.environ.get("BENCH_CALLS", "200"))
FLAVOURS = os.environ.get("BENCH_FLAVOURS", "cloud server").split()
CLOUD_HOST = "bench-sandbox.atlassian.net"
CLIENTS = (1, 8, 32)

# The common calls, the same arguments for both servers.
CALLS: list[tuple[str, dict[str, Any]]] = [
    ("jira_get_issue", {"issue_key": "WEB-1"}),
    ("jira_search", {"jql": "project = WEB ORDER BY key ASC", "limit": 10}),
    ("confluence_get_page", {"page_id": "1002"}),
    ("confluence_search", {"query": "space = ENG AND type = page", "limit": 10}),
]

SITECUSTOMIZE = f'''
import socket
_orig = socket.getaddrinfo
def _getaddrinfo(host, *args, **kwargs):
    if host == "{CLOUD_HOST}":
        host = "127.0.0.1"
    return _orig(host, *args, **kwargs)
socket.getaddrinfo = _getaddrinfo
'''


class Sandbox:
    def __init__(self, binary: Path, flavour: str):
        self.proc = subprocess.Popen(
            [str(binary), "--port", "0", "--flavour", flavour, "--workers", "16"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        line = self.proc.stdout.readline().decode()
        assert line.startswith("listening on "), line
        self.base = line.split("listening on ", 1)[1].strip()
        self.port = int(self.base.rsplit(":", 1)[1])
        self.ctl = SandboxControl(self.base)
        self.flavour = flavour

    def env(self, user: str = "alice") -> dict[str, str]:
        text = self.ctl._do("GET", f"/__sandbox/env?user={user}")
        return dict(line.split("=", 1) for line in text.splitlines() if "=" in line and not line.startswith("#"))

    def stop(self) -> None:
        self.proc.kill()
        self.proc.wait()


class Subject:
    """One server under test: how to start it on stdio and on stateless HTTP."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], cwd: Path):
        self.name, self.argv, self.env, self.cwd = name, argv, env, cwd

    def stdio(self) -> Stdio:
        return Stdio(self.argv, {**self.env, "TRANSPORT": "stdio"}, self.cwd)

    def http(self, port: int) -> subprocess.Popen:
        env = {**self.env, "TRANSPORT": "streamable-http", "PORT": str(port), "HOST": "127.0.0.1", "STATELESS": "true"}
        return subprocess.Popen(
            [*self.argv, "--transport", "streamable-http", "--stateless", "--port", str(port), "--host", "127.0.0.1"],
            env=env,
            cwd=self.cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def subjects(ours: Path, ref: Path, sb: Sandbox, work: Path) -> list[Subject]:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(work), **sb.env("alice")}
    ref_env = dict(env)
    if sb.flavour == "cloud":
        for k, v in env.items():
            if k.endswith("_URL") and v.startswith("http://127.0.0.1:"):
                ref_env[k] = v.replace("127.0.0.1", CLOUD_HOST, 1)
        site = work / "ref-site"
        site.mkdir(exist_ok=True)
        (site / "sitecustomize.py").write_text(SITECUSTOMIZE)
        ref_env["PYTHONPATH"] = str(site)
    # The reference refuses HTTP calls without per-request credentials unless told to fall back.
    ref_env["ALLOW_GLOBAL_CRED_FALLBACK"] = "true"
    ref_env["MCP_ATLASSIAN_USE_SYSTEM_TRUSTSTORE"] = "false"
    ours_cwd, ref_cwd = work / "ours", work / "ref"
    ours_cwd.mkdir(exist_ok=True)
    ref_cwd.mkdir(exist_ok=True)
    return [Subject("ours", [str(ours)], env, ours_cwd), Subject("reference", [str(ref)], ref_env, ref_cwd)]


# ---- measurements ---------------------------------------------------------------------------


INIT = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "bench", "version": "1"}}}


def startup(subject: Subject) -> dict[str, Any]:
    times, cpu = [], []
    for _ in range(RUNS):
        s = subject.stdio()
        s.request(INIT)
        times.append(time.perf_counter() - s.started)
        used = s.close()
        if used is not None:
            cpu.append(used)
    return {"start_ms": statistics.median(times) * 1000, "start_runs": len(times),
            "start_cpu_ms": statistics.median(cpu) * 1000 if cpu else None}


def instructions(subject: Subject) -> int | None:
    """Instructions (valgrind callgrind) from exec to exit, answering initialize on the way:
    a count the machine's load does not change."""
    if not shutil.which("valgrind") or os.environ.get("BENCH_CALLGRIND", "1") == "0":
        return None
    log = subject.cwd / "callgrind.log"
    argv = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", f"--log-file={log}", *subject.argv]
    s = Stdio(argv, {**subject.env, "TRANSPORT": "stdio"}, subject.cwd)
    try:
        s.request(INIT, timeout=900)
    finally:
        s.close(timeout=900)
    m = re.search(r"Collected : (\d+)", log.read_text())
    return int(m.group(1)) if m else None


def listing(subject: Subject, sb: Sandbox) -> dict[str, Any]:
    s = subject.stdio()
    try:
        s.handshake()
        reply = s.request({"jsonrpc": "2.0", "id": 2, "method": "tools/list"})
        time.sleep(0.2)
        st = proc_status(s.proc.pid)
        tools = reply["result"]["tools"]
        out: dict[str, Any] = {
            "rss_kib": tree_rss_kib(s.proc.pid),
            "hwm_kib": st["hwm_kib"],
            "list_result_bytes": len(compact(reply["result"])),
            "tool_bytes": {t["name"]: len(compact(t)) for t in tools},
        }
        # Result bytes and upstream requests, cold (first call of the process) and warm.
        calls: dict[str, Any] = {}
        for n, (tool, args) in enumerate(CALLS):
            row: dict[str, Any] = {}
            for phase in ("cold", "warm"):
                before = sb.ctl.last()
                r = s.request(call_msg(100 + 2 * n + (phase == "warm"), tool, args))
                time.sleep(0.05)
                reqs, _ = sb.ctl.requests(before)
                res = r.get("result") or {}
                if r.get("error") or res.get("isError"):
                    row["error"] = json.dumps(r)[:300]
                row[f"{phase}_requests"] = len(reqs)
                row[f"{phase}_paths"] = [f"{q['method']} {q['path']}" for q in reqs]
                if phase == "warm":
                    row["text_bytes"] = text_bytes(res)
                    row["result_bytes"] = len(compact(res))
                    row["replay"] = [(q["method"], q["path"], q.get("query") or "", q.get("body")) for q in reqs]
            calls[tool] = row
        out["calls"] = calls
        # Overhead: sequential warm jira_get_issue calls over stdio.
        lat = []
        cpu0 = cpu_seconds(s.proc.pid)
        for i in range(SEQ_CALLS):
            t = time.perf_counter()
            s.request(call_msg(1000 + i, "jira_get_issue", {"issue_key": "WEB-1"}))
            lat.append(time.perf_counter() - t)
        out["call_p50_ms"] = statistics.median(lat) * 1000
        out["call_cpu_ms"] = (cpu_seconds(s.proc.pid) - cpu0) / SEQ_CALLS * 1000
        return out
    finally:
        s.close()


def direct_floor(sb: Sandbox, replay: list[tuple[str, str, str, Any]], auth: dict[str, str]) -> float:
    """p50 (ms) of the same upstream requests sent straight to the sandbox, in sequence, on one
    keep-alive connection."""
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", sb.port, timeout=30)
    lat = []
    for _ in range(SEQ_CALLS):
        t = time.perf_counter()
        for method, path, query, body in replay:
            target = path + (("?" + query) if query and not query.startswith("?") else query)
            data = None if body is None else compact(body)
            headers = {**auth, "Accept": "application/json"}
            if data is not None:
                headers["Content-Type"] = "application/json"
            conn.request(method, target, body=data, headers=headers)
            conn.getresponse().read()
        lat.append(time.perf_counter() - t)
    conn.close()
    return statistics.median(lat) * 1000


def auth_headers(env: dict[str, str]) -> dict[str, str]:
    from clients import basic

    if env.get("JIRA_PERSONAL_TOKEN"):
        return {"Authorization": "Bearer " + env["JIRA_PERSONAL_TOKEN"]}
    return {"Authorization": basic(env["JIRA_USERNAME"], env["JIRA_API_TOKEN"])}


def http_load(subject: Subject) -> dict[str, Any]:
    port = free_port()
    proc = subject.http(port)
    url = f"http://127.0.0.1:{port}/mcp"
    out: dict[str, Any] = {}
    try:
        caller = HttpCaller(url)
        deadline = time.monotonic() + 60
        while True:
            try:
                status, reply = caller.post(call_msg(1, "jira_get_issue", {"issue_key": "WEB-1"}))
                if status == 200 and reply and "result" in reply:
                    break
                out["setup_error"] = f"HTTP {status}: {json.dumps(reply)[:200]}"
            except OSError as e:
                out["setup_error"] = repr(e)
            if time.monotonic() > deadline or proc.poll() is not None:
                return out
            time.sleep(0.25)
        out.pop("setup_error", None)
        caller.close()
        for clients in CLIENTS:
            lat: list[float] = []
            errors: list[str] = []
            stop = time.monotonic() + LOAD_SECONDS
            peak = [0]

            def worker(n: int) -> None:
                c = HttpCaller(url)
                i = 0
                while time.monotonic() < stop:
                    i += 1
                    t = time.perf_counter()
                    try:
                        status, reply = c.post(call_msg(i, "jira_get_issue", {"issue_key": f"WEB-{(n + i) % 20 + 1}"}))
                        ok = status == 200 and reply is not None and "result" in reply and not reply["result"].get("isError")
                        if not ok:
                            errors.append(f"{status} {json.dumps(reply)[:160]}")
                    except OSError as e:
                        errors.append(repr(e))
                    lat.append(time.perf_counter() - t)
                c.close()

            def sampler() -> None:
                while time.monotonic() < stop:
                    try:
                        peak[0] = max(peak[0], tree_rss_kib(proc.pid))
                    except (FileNotFoundError, ProcessLookupError):
                        return
                    time.sleep(0.1)

            t0 = time.perf_counter()
            cpu0 = cpu_seconds(proc.pid)
            threads = [threading.Thread(target=worker, args=(n,)) for n in range(clients)]
            threads.append(threading.Thread(target=sampler))
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            wall = time.perf_counter() - t0
            cpu = cpu_seconds(proc.pid) - cpu0
            out[clients] = {
                "cpu_ms_per_call": cpu / max(1, len(lat)) * 1000,
                "calls": len(lat),
                "errors": len(errors),
                "first_error": errors[0] if errors else None,
                "calls_per_s": len(lat) / wall,
                "p50_ms": percentile(lat, 0.5) * 1000,
                "p99_ms": percentile(lat, 0.99) * 1000,
                "rss_kib": peak[0],
            }
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return out


def install_size(ours: Path, ref: Path) -> dict[str, int]:
    venv = ref.parent.parent
    total = 0
    for root, _, files in os.walk(venv):
        for f in files:
            p = Path(root, f)
            if not p.is_symlink():
                total += p.stat().st_size
    return {"ours": ours.stat().st_size, "reference": total}


# ---- the table ------------------------------------------------------------------------------


def ratio(a: float | None, b: float | None) -> str:
    if a is None or b is None or b == 0:
        return "—"
    r = a / b
    return f"{r:.3f}" if r < 0.1 else f"{r:.2f}"


def fmt(v: float | None, unit: str = "", digits: int = 1) -> str:
    if v is None:
        return "n/a"
    if isinstance(v, int) or float(v).is_integer() and digits == 0:
        return f"{int(v):,}{unit}"
    return f"{v:,.{digits}f}{unit}"


def main() -> int:
    ours, ref, sandbox_bin, report = (Path(a).absolute() for a in sys.argv[1:5])
    work = Path(tempfile.mkdtemp(prefix="bench-compare-"))
    started = datetime.datetime.now(datetime.timezone.utc)
    load_before = Path("/proc/loadavg").read_text().split()[:3]
    results: dict[str, dict[str, Any]] = {}
    sizes = install_size(ours, ref)
    failed = False
    for flavour in FLAVOURS:
        sb = Sandbox(sandbox_bin, flavour)
        try:
            for subject in subjects(ours, ref, sb, work):
                key = f"{flavour}/{subject.name}"
                print(f"== {key}: start-up ({RUNS} runs)", file=sys.stderr, flush=True)
                r = startup(subject)
                if flavour == FLAVOURS[0]:
                    print(f"== {key}: instructions to initialize (callgrind)", file=sys.stderr, flush=True)
                    r["instructions"] = instructions(subject)
                print(f"== {key}: tools/list, calls, overhead", file=sys.stderr, flush=True)
                sb.ctl.reset()
                r.update(listing(subject, sb))
                replay = r["calls"]["jira_get_issue"]["replay"]
                r["floor_ms"] = direct_floor(sb, replay, auth_headers(subject.env))
                first = r["calls"]["jira_get_issue"]["replay"][:1]
                r["floor1_ms"] = direct_floor(sb, first, auth_headers(subject.env))
                print(f"== {key}: stateless HTTP load", file=sys.stderr, flush=True)
                r["http"] = http_load(subject)
                for tool, row in r["calls"].items():
                    if "error" in row:
                        print(f"error: {key} {tool}: {row['error']}", file=sys.stderr)
                        failed = True
                results[key] = r
        finally:
            sb.stop()
    load_after = Path("/proc/loadavg").read_text().split()[:3]
    table = render(results, sizes, started, load_before, load_after)
    print(table)
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(table + "\n" + detail(results))
    (report.with_suffix(".json")).write_text(json.dumps(results, indent=1, default=str))
    shutil.rmtree(work, ignore_errors=True)
    return 1 if failed else 0


def render(results: dict[str, Any], sizes: dict[str, int], started, load_before, load_after) -> str:
    rows: list[tuple[str, str, str, str]] = []

    def add(what: str, o: float | None, r: float | None, unit: str = "", digits: int = 1, note: str = "") -> None:
        rows.append((what, fmt(o, unit, digits), fmt(r, unit, digits) + note, ratio(o, r)))

    add("install size (binary / venv)", sizes["ours"] / 1e6, sizes["reference"] / 1e6, " MB", 1)
    for flavour in FLAVOURS:
        o, r = results.get(f"{flavour}/ours"), results.get(f"{flavour}/reference")
        if not o or not r:
            continue
        f = "Cloud" if flavour == "cloud" else "Server/DC"
        add(f"{f}: start → `initialize` answered (median of {RUNS})", o["start_ms"], r["start_ms"], " ms", 1)
        add(f"{f}: CPU time, start → `initialize` → exit (median)", o["start_cpu_ms"], r["start_cpu_ms"], " ms", 1)
        if o.get("instructions") and r.get("instructions"):
            add(f"{f}: instructions, start → `initialize` → exit (callgrind)", o["instructions"] / 1e6,
                r["instructions"] / 1e6, " M", 1)
        add(f"{f}: RSS after `tools/list`", o["rss_kib"] / 1024, r["rss_kib"] / 1024, " MiB", 1)
        common = sorted(set(o["tool_bytes"]) & set(r["tool_bytes"]))
        ob = sum(o["tool_bytes"][t] for t in common)
        rb = sum(r["tool_bytes"][t] for t in common)
        worst = max(common, key=lambda t: o["tool_bytes"][t] / r["tool_bytes"][t])
        add(f"{f}: `tools/list` bytes, the {len(common)} tools both list", ob, rb, " B", 0)
        rows.append((f"{f}: `tools/list` per tool (median ratio; largest)",
                     f"{statistics.median(o['tool_bytes'][t] / r['tool_bytes'][t] for t in common):.2f}",
                     f"`{worst}`", f"{o['tool_bytes'][worst] / r['tool_bytes'][worst]:.2f}"))
        for tool, _ in CALLS:
            oc, rc = o["calls"][tool], r["calls"][tool]
            err = " (error)" if "error" in rc else ""
            add(f"{f}: `{tool}` result text bytes", oc["text_bytes"], rc["text_bytes"], " B", 0, err)
        for tool, _ in CALLS:
            oc, rc = o["calls"][tool], r["calls"][tool]
            rows.append((f"{f}: `{tool}` upstream requests, cold / warm",
                         f"{oc['cold_requests']} / {oc['warm_requests']}",
                         f"{rc['cold_requests']} / {rc['warm_requests']}",
                         ratio(oc["warm_requests"], rc["warm_requests"])))
        for n in CLIENTS:
            oh, rh = o["http"].get(n), r["http"].get(n)
            if not rh:
                why = r["http"].get("setup_error", "did not run")
                rows.append((f"{f}: stateless HTTP, {n} client(s)", f"{oh['calls_per_s']:.0f} calls/s" if oh else "n/a",
                             f"could not run: {why[:80]}", "—"))
                continue
            if not oh:
                continue
            add(f"{f}: stateless HTTP, {n} client(s): calls/s", oh["calls_per_s"], rh["calls_per_s"], "", 0)
            add(f"{f}: stateless HTTP, {n} client(s): server CPU per call", oh["cpu_ms_per_call"],
                rh["cpu_ms_per_call"], " ms", 2)
            add(f"{f}: stateless HTTP, {n} client(s): p50 / p99", oh["p50_ms"], rh["p50_ms"], " ms", 1)
            rows[-1] = (rows[-1][0], f"{oh['p50_ms']:.1f} / {oh['p99_ms']:.1f} ms",
                        f"{rh['p50_ms']:.1f} / {rh['p99_ms']:.1f} ms", rows[-1][3] + " / " + ratio(oh["p99_ms"], rh["p99_ms"]))
            if oh["errors"] or rh["errors"]:
                rows.append((f"{f}: {n} client(s): failed calls", str(oh["errors"]), str(rh["errors"]), "—"))
        peak_o = max((o["http"][n]["rss_kib"] for n in CLIENTS if n in o["http"]), default=None)
        peak_r = max((r["http"][n]["rss_kib"] for n in CLIENTS if n in r["http"]), default=None)
        add(f"{f}: peak RSS under HTTP load", peak_o and peak_o / 1024, peak_r and peak_r / 1024, " MiB", 1)
        add(f"{f}: `jira_get_issue` p50 over stdio (warm, {SEQ_CALLS} sequential)", o["call_p50_ms"], r["call_p50_ms"], " ms", 2)
        add(f"{f}: server CPU per warm `jira_get_issue` over stdio", o["call_cpu_ms"], r["call_cpu_ms"], " ms", 2)
        add(f"{f}: its upstream requests sent straight to the sandbox (floor), p50", o["floor_ms"], r["floor_ms"], " ms", 2)
        add(f"{f}: overhead per call (p50 call − p50 floor)", o["call_p50_ms"] - o["floor_ms"],
            r["call_p50_ms"] - r["floor_ms"], " ms", 2)
        add(f"{f}: overhead vs one `GET issue` (the floor of the work)", o["call_p50_ms"] - o["floor1_ms"],
            r["call_p50_ms"] - r["floor1_ms"], " ms", 2)
    out = [
        f"Measured {started:%Y-%m-%d %H:%M} UTC by `make bench-compare` on {machine()}",
        f"(load average {' '.join(load_before)} at the start, {' '.join(load_after)} at the end: the machine was shared, "
        "so timings are noisy; byte and request counts are exact).",
        "Ours: release build; reference: PyPI `mcp-atlassian==0.23.1` on CPython "
        f"{subprocess.run(['python3', '--version'], capture_output=True, text=True).stdout.split()[-1]}. "
        "Both against the bundled sandbox as alice; HTTP clients are Python threads on the same machine.",
        "",
        "| what | ours | reference | ours ÷ reference |",
        "|---|---|---|---|",
    ]
    out += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    return "\n".join(out)


def detail(results: dict[str, Any]) -> str:
    out = ["", "## Detail", ""]
    for key, r in results.items():
        out.append(f"### {key}")
        out.append("")
        for tool, row in r["calls"].items():
            out.append(f"- `{tool}`: {row['text_bytes']} text bytes, {row['result_bytes']} result bytes; "
                       f"cold: {', '.join(row['cold_paths']) or 'none'}; warm: {', '.join(row['warm_paths']) or 'none'}"
                       + (f"; ERROR {row['error']}" if "error" in row else ""))
        for n in CLIENTS:
            if n in r["http"]:
                h = r["http"][n]
                out.append(f"- HTTP {n} client(s): {h['calls']} calls, {h['errors']} errors, {h['calls_per_s']:.0f}/s, "
                           f"p50 {h['p50_ms']:.1f} ms, p99 {h['p99_ms']:.1f} ms, peak RSS {h['rss_kib'] / 1024:.1f} MiB"
                           + (f"; first error: {h['first_error']}" if h["first_error"] else ""))
        if "setup_error" in r["http"]:
            out.append(f"- HTTP: could not run: {r['http']['setup_error']}")
        out.append("")
    keys = [k for k in results if k.endswith("/ours")]
    for k in keys:
        flavour = k.split("/")[0]
        o, ref = results[k]["tool_bytes"], results.get(f"{flavour}/reference", {}).get("tool_bytes", {})
        out.append(f"### `tools/list` bytes per tool, {flavour} (compact JSON of each tool object)")
        out.append("")
        out.append("| tool | ours | reference | ratio |")
        out.append("|---|---|---|---|")
        for t in sorted(set(o) | set(ref)):
            out.append(f"| {t} | {o.get(t, '—')} | {ref.get(t, '—')} | {ratio(o.get(t), ref.get(t))} |")
        out.append("")
    return "\n".join(out)


if __name__ == "__main__":
    sys.exit(main())

"""Soak test (`make soak`, issue #15): SOAK_MINUTES (default 30) of mixed tool calls over HTTP
against the sandbox, sampling the server's RSS, threads and open file descriptors; fails when
any of them keeps growing (a leak). Writes a Markdown report, the samples as JSON, and a plot.

    python tests/bench/soak.py SERVER_BIN SANDBOX_BIN OUT_DIR

The mix, from SOAK_CLIENTS threads (default 6): jira_get_issue, jira_search, confluence_get_page,
confluence_search, jira_get_transitions, a comment now and then, and tool calls that fail
(unknown issue, invalid arguments); each thread opens a new streamable-HTTP session every 40
calls and ends half of them with DELETE, leaves the rest to expire; one thread calls with its
own credentials per request (as a multi-user deployment does), one uses 2026-07-28 stateless
requests. Flat means: over the second half of the run RSS grows less than max(2 MiB, 10 %),
and the last threads and fds samples are no higher than the first half's peak plus a margin.
"""

from __future__ import annotations

import datetime
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from clients import HttpCaller, basic, call_msg, initialize, machine, proc_status  # noqa: E402

MINUTES = float(os.environ.get("SOAK_MINUTES", "30"))
SAMPLE_EVERY = float(os.environ.get("SOAK_SAMPLE_SECONDS", "60"))
CLIENTS = int(os.environ.get("SOAK_CLIENTS", "6"))
MODERN = "2026-07-28"


def start_sandbox(binary: Path) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen([str(binary), "--port", "0", "--flavour", "cloud"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    base = proc.stdout.readline().decode().split("listening on ", 1)[1].strip()
    return proc, base


def start_server(binary: Path, env: dict[str, str], cwd: Path) -> tuple[subprocess.Popen, str]:
    import re

    proc = subprocess.Popen([str(binary)], env={**env, "TRANSPORT": "streamable-http", "PORT": "0"}, cwd=cwd,
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    while True:
        line = proc.stderr.readline().decode()
        if not line:
            raise RuntimeError("server exited before announcing its address")
        m = re.search(r"on (http://\S+)", line)
        if m and "serving MCP" in line:
            threading.Thread(target=lambda: [None for _ in proc.stderr], daemon=True).start()
            return proc, m.group(1)


def main() -> int:
    server_bin, sandbox_bin, out = (Path(a).absolute() for a in sys.argv[1:4])
    out.mkdir(parents=True, exist_ok=True)
    sb, base = start_sandbox(sandbox_bin)
    from urllib.request import urlopen

    env_text = urlopen(base + "/__sandbox/env?user=alice", timeout=10).read().decode()
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "JIRA_TIMEOUT": "10", "CONFLUENCE_TIMEOUT": "10",
           **dict(line.split("=", 1) for line in env_text.splitlines() if "=" in line)}
    cwd = out / "cwd"
    cwd.mkdir(exist_ok=True)
    srv, url = start_server(server_bin, env, cwd)
    stop = threading.Event()
    counts = {"calls": 0, "tool_errors": 0, "expected_errors": 0, "failures": 0, "sessions": 0}
    failures: list[str] = []
    lock = threading.Lock()

    def mix(rng: random.Random, i: int) -> tuple[str, dict[str, Any], bool]:
        """(tool, arguments, whether an error is the expected answer)."""
        k = rng.random()
        if k < 0.30:
            return "jira_get_issue", {"issue_key": f"WEB-{rng.randint(1, 20)}"}, False
        if k < 0.45:
            return "jira_search", {"jql": "project = MOB ORDER BY key", "limit": 10}, False
        if k < 0.60:
            return "confluence_get_page", {"page_id": rng.choice(["1001", "1002", "1003", "1004"])}, False
        if k < 0.72:
            return "confluence_search", {"query": "type = page AND space = ENG", "limit": 5}, False
        if k < 0.82:
            return "jira_get_transitions", {"issue_key": f"OPS-{rng.randint(1, 10)}"}, False
        if k < 0.86:
            return "jira_add_comment", {"issue_key": "OPS-2", "body": f"soak comment {i}"}, False
        if k < 0.93:
            return "jira_get_issue", {"issue_key": "WEB-9999"}, True
        return "jira_search", {"jql": "project = WEB", "limit": 500}, True

    def record(ok: bool, expected_error: bool, is_error: bool, what: str) -> None:
        with lock:
            counts["calls"] += 1
            if not ok:
                counts["failures"] += 1
                if len(failures) < 20:
                    failures.append(what)
            elif is_error:
                counts["expected_errors" if expected_error else "tool_errors"] += 1
                if not expected_error and len(failures) < 20:
                    failures.append(what)

    def client(n: int) -> None:
        rng = random.Random(n)
        headers = {"Authorization": basic("bob@example.com", "bob-api-token")} if n == 1 else {}
        i = 0
        while not stop.is_set():
            c = HttpCaller(url, headers, timeout=60)
            modern = n == 2
            if not modern:
                status, reply = c.post(initialize())
                if status != 200 or not reply:
                    record(False, False, False, f"initialize: HTTP {status}")
                    time.sleep(1)
                    continue
                sid = c.last_headers.get("mcp-session-id")
                if sid:
                    c.headers["Mcp-Session-Id"] = sid
                c.post({"jsonrpc": "2.0", "method": "notifications/initialized"})
            with lock:
                counts["sessions"] += 1
            for _ in range(40):
                if stop.is_set():
                    break
                i += 1
                tool, args, expect_error = mix(rng, i)
                msg = call_msg(i, tool, args)
                if modern:
                    msg["params"]["_meta"] = {
                        "io.modelcontextprotocol/protocolVersion": MODERN,
                        "io.modelcontextprotocol/clientCapabilities": {},
                    }
                try:
                    extra = {"MCP-Protocol-Version": MODERN, "Mcp-Method": "tools/call", "Mcp-Name": tool}
                    status, reply = c.post(msg, extra if modern else None)
                except OSError as e:
                    record(False, expect_error, False, f"{tool}: {e!r}")
                    continue
                if status != 200 or not reply:
                    record(False, expect_error, False, f"{tool}: HTTP {status}")
                elif "error" in reply:
                    record(expect_error, expect_error, True, f"{tool}: {reply['error']}")
                else:
                    record(True, expect_error, bool(reply["result"].get("isError")),
                           f"{tool}: {json.dumps(reply['result'])[:200]}")
            sid = c.headers.get("Mcp-Session-Id")
            if sid and rng.random() < 0.5 and c.conn is not None:
                try:
                    c.conn.request("DELETE", c.path, headers={"Mcp-Session-Id": sid, **headers})
                    c.conn.getresponse().read()
                except OSError:
                    pass
            c.close()

    samples: list[dict[str, Any]] = []
    t0 = time.monotonic()
    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(CLIENTS)]
    for t in threads:
        t.start()
    end = t0 + MINUTES * 60
    next_sample = t0 + min(SAMPLE_EVERY, 10)
    while True:
        now = time.monotonic()
        if now >= next_sample or now >= end:
            st = proc_status(srv.pid)
            with lock:
                samples.append({"t_min": (now - t0) / 60, "rss_mib": st["rss_kib"] / 1024, "threads": st["threads"],
                                "fds": st["fds"], "calls": counts["calls"]})
            print(f"soak {samples[-1]['t_min']:.1f} min: RSS {samples[-1]['rss_mib']:.1f} MiB, "
                  f"{st['threads']} threads, {st['fds']} fds, {counts['calls']} calls", flush=True)
            next_sample = now + SAMPLE_EVERY
        if now >= end:
            break
        time.sleep(min(1.0, max(0.05, min(next_sample, end) - now)))
    stop.set()
    for t in threads:
        t.join(timeout=90)
    srv.terminate()
    code = srv.wait(30)
    sb.kill()
    sb.wait()

    verdict, reasons = judge(samples)
    if counts["failures"] or counts["tool_errors"]:
        verdict = False
        reasons.append(f"{counts['failures']} calls failed at the transport, {counts['tool_errors']} unexpected tool errors")
    if code != 0:
        verdict = False
        reasons.append(f"exit code {code} on SIGTERM")
    (out / "soak.json").write_text(json.dumps({"samples": samples, "counts": counts}, indent=1))
    plotted = plot(samples, out / "soak.svg")
    first, last = samples[0], samples[-1]
    report = "\n".join([
        f"# `make soak` ({datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC)",
        "",
        f"Machine: {machine()} (at the end).",
        f"{MINUTES:g} minutes of mixed calls over streamable HTTP from {CLIENTS} clients (release build, Cloud sandbox), "
        f"sampled every {SAMPLE_EVERY:g} s.",
        "",
        "| what | value |",
        "|---|---|",
        f"| result | **{'flat' if verdict else 'NOT flat'}** |",
        f"| tool calls / sessions opened | {counts['calls']} / {counts['sessions']} |",
        f"| expected tool errors (bad key, bad limit) / unexpected / transport failures | "
        f"{counts['expected_errors']} / {counts['tool_errors']} / {counts['failures']} |",
        f"| RSS first → last sample (peak) | {first['rss_mib']:.1f} → {last['rss_mib']:.1f} MiB "
        f"({max(s['rss_mib'] for s in samples):.1f}) |",
        f"| threads first → last (peak) | {first['threads']} → {last['threads']} ({max(s['threads'] for s in samples)}) |",
        f"| open fds first → last (peak) | {first['fds']} → {last['fds']} ({max(s['fds'] for s in samples)}) |",
        f"| exit code on SIGTERM | {code} |",
        "",
        f"Plot: {'`soak.svg`' if plotted else 'not drawn (matplotlib missing)'}; samples: `soak.json`.",
        "",
        *[f"- {r}" for r in reasons],
        *[f"- failure: {f}" for f in failures[:10]],
        "",
    ])
    (out / "soak.md").write_text(report)
    print(report)
    return 0 if verdict else 1


def judge(samples: list[dict[str, Any]]) -> tuple[bool, list[str]]:
    if len(samples) < 4:
        return True, ["too few samples to judge a trend (run longer)"]
    half = samples[len(samples) // 2:]
    early = samples[1:len(samples) // 2] or samples[:1]
    reasons: list[str] = []
    ok = True
    xs = [s["t_min"] for s in half]
    ys = [s["rss_mib"] for s in half]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / max(1e-9, sum((x - mx) ** 2 for x in xs))
    growth = slope * (xs[-1] - xs[0])
    limit = max(2.0, 0.10 * my)
    reasons.append(f"RSS trend over the second half: {slope:+.3f} MiB/min ({growth:+.2f} MiB in total; limit {limit:.1f})")
    if growth > limit:
        ok = False
    for key, margin in (("threads", 4), ("fds", 8)):
        peak_early = max(s[key] for s in early)
        if half[-1][key] > peak_early + margin:
            ok = False
            reasons.append(f"{key} ended at {half[-1][key]}, above the first half's peak {peak_early} + {margin}")
    return ok, reasons


def plot(samples: list[dict[str, Any]], path: Path) -> bool:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    t = [s["t_min"] for s in samples]
    fig, axes = plt.subplots(3, 1, figsize=(8, 7), sharex=True)
    for ax, key, label in zip(axes, ("rss_mib", "threads", "fds"), ("RSS (MiB)", "threads", "open fds")):
        ax.plot(t, [s[key] for s in samples], marker=".")
        ax.set_ylabel(label)
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
    axes[-1].set_xlabel("minutes")
    fig.suptitle("mcp-atlassian soak: server resources over time")
    fig.tight_layout()
    fig.savefig(path)
    return True


if __name__ == "__main__":
    sys.exit(main())

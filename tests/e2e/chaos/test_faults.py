"""Load while the upstream misbehaves, and many users at once (issue #15, `make chaos`).

- `test_faults_under_load`: CHAOS_SESSIONS streamable-HTTP sessions call reads and writes for
  CHAOS_SECONDS while the sandbox injects faults (429 with Retry-After, 500, 502, 503, responses
  slower than the upstream timeout, connection resets, truncated bodies). Every call must end
  with a result or a clear error within its deadline; threads and memory stay bounded; the
  server keeps serving; and no write is applied twice: each write carries a unique marker, and
  the sandbox's state after the run is checked for every one of them.
- `test_fifty_users_at_once`: 50 sandbox users (generated fixtures, each with their own grants
  and API token) call one server at once with their own credentials; every answer must match
  the caller's grants, and every upstream request made for a caller must carry that caller's
  credentials (the sandbox logs the user of each request; the JQL carries a per-call marker).

Both write a Markdown report to CHAOS_REPORT_DIR (default target/chaos) and print it.
"""

from __future__ import annotations

import base64
import json
import os
import random
import shutil
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from clients import HttpCaller, SandboxControl, call_msg, initialize, proc_status  # noqa: E402

from e2e_helpers import REPO_ROOT  # noqa: E402
from http_helpers import HttpServer, Sandbox  # noqa: E402

SESSIONS = int(os.environ.get("CHAOS_SESSIONS", "16"))
SECONDS = float(os.environ.get("CHAOS_SECONDS", "60"))
USERS = int(os.environ.get("CHAOS_USERS", "50"))
ROUNDS = int(os.environ.get("CHAOS_ROUNDS", "6"))
UPSTREAM_TIMEOUT = 2  # JIRA_TIMEOUT / CONFLUENCE_TIMEOUT, seconds
RETRIES = 2
# One call: each attempt may take the timeout, plus the waits between attempts (Retry-After 1 s),
# plus queueing behind the other sessions on a loaded 2-core machine.
DEADLINE = 45.0
MAX_THREADS = 300
MAX_RSS_MIB = 150

FAULTS = ["429;retry-after=1", "500", "502", "503;retry-after=1", "latency=3s", "reset", "truncate"]
FAULT_PATHS = [
    ("/rest/api/3/issue", None),
    ("/rest/api/3/issue", "POST"),
    ("/rest/api/2/issue", "POST"),
    ("/rest/api/3/search", None),
    ("/wiki/", None),
    ("/wiki/", "POST"),
    ("/rest/api/", None),
]

pytestmark = pytest.mark.timeout(900)


def report_dir() -> Path:
    d = Path(os.environ.get("CHAOS_REPORT_DIR", REPO_ROOT / "target" / "chaos"))
    d.mkdir(parents=True, exist_ok=True)
    return d


def session(url: str, headers: dict[str, str] | None = None) -> HttpCaller:
    """A streamable-HTTP session (initialize, then the session id on every request)."""
    c = HttpCaller(url, headers, timeout=DEADLINE)
    status, reply = c.post(initialize())
    assert status == 200 and reply and "result" in reply, (status, reply)
    sid = c.last_headers.get("mcp-session-id")
    if sid:
        c.headers["Mcp-Session-Id"] = sid
    c.post({"jsonrpc": "2.0", "method": "notifications/initialized"})
    return c


def sampler(pid: int, stop: threading.Event, out: dict[str, int]) -> None:
    while not stop.is_set():
        try:
            st = proc_status(pid)
        except (FileNotFoundError, ProcessLookupError):
            return
        out["threads"] = max(out.get("threads", 0), st["threads"])
        out["rss_kib"] = max(out.get("rss_kib", 0), st["rss_kib"])
        out["fds"] = max(out.get("fds", 0), st["fds"])
        time.sleep(0.2)


def all_log(ctl: SandboxControl) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    since = 0
    while True:
        reqs, last = ctl.requests(since)
        out += reqs
        if not reqs or last <= since:
            return out
        since = last


class Direct:
    """REST calls straight to the sandbox as alice, to read its state after the run."""

    def __init__(self, sb: Sandbox):
        self.base = sb.base
        self.auth = "Basic " + base64.b64encode(b"alice@example.com:alice-api-token").decode()

    def get(self, path: str, body: Any = None) -> Any:
        from urllib.request import Request, urlopen

        data = None if body is None else json.dumps(body).encode()
        req = Request(self.base + path, data=data, method="POST" if data else "GET",
                      headers={"Authorization": self.auth, "Content-Type": "application/json", "Accept": "application/json"})
        with urlopen(req, timeout=30) as r:
            return json.loads(r.read())

    def issue_summaries(self, jql: str) -> list[str]:
        out: list[str] = []
        token = None
        while True:
            body: dict[str, Any] = {"jql": jql, "fields": ["summary"], "maxResults": 100}
            if token:
                body["nextPageToken"] = token
            page = self.get("/rest/api/3/search/jql", body)
            out += [i["fields"]["summary"] for i in page["issues"]]
            token = page.get("nextPageToken")
            if not token:
                return out

    def comment_bodies(self, key: str) -> list[str]:
        page = self.get(f"/rest/api/2/issue/{key}/comment?maxResults=5000")
        return [c["body"] for c in page["comments"]]

    def worklog_comments(self, key: str) -> list[str]:
        page = self.get(f"/rest/api/2/issue/{key}/worklog?maxResults=5000")
        return [w.get("comment", "") for w in page["worklogs"]]

    def page_titles(self, space: str) -> list[str]:
        out: list[str] = []
        start = 0
        while True:
            page = self.get(f"/wiki/rest/api/content?spaceKey={space}&type=page&limit=100&start={start}")
            out += [r["title"] for r in page["results"]]
            if len(page["results"]) < 100:
                return out
            start += 100


def test_faults_under_load(server_bin, workdir):
    run = uuid.uuid4().hex[:6]
    sb = Sandbox("cloud")
    ctl = SandboxControl(sb.base)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **sb.env("alice"),
           "JIRA_TIMEOUT": str(UPSTREAM_TIMEOUT), "CONFLUENCE_TIMEOUT": str(UPSTREAM_TIMEOUT),
           "ATLASSIAN_RETRY_TOTAL": str(RETRIES), "ATLASSIAN_RETRY_BACKOFF": "0.2"}
    srv = HttpServer(server_bin, env, workdir)
    stop = threading.Event()
    peak: dict[str, int] = {}
    calls: list[dict[str, Any]] = []
    lock = threading.Lock()
    issues = [f"OPS-{n}" for n in range(1, 6)]

    def one_session(n: int) -> None:
        rng = random.Random(n)
        c = session(srv.url)
        i = 0
        end = time.monotonic() + SECONDS
        while time.monotonic() < end:
            i += 1
            marker = f"chaos{run}s{n}i{i}"
            kind = rng.choice(["get", "search", "page", "csearch", "issue", "comment", "worklog", "cpage"])
            tool, args = {
                "get": ("jira_get_issue", {"issue_key": rng.choice(issues)}),
                "search": ("jira_search", {"jql": "project = OPS ORDER BY key", "limit": 10}),
                "page": ("confluence_get_page", {"page_id": "1002"}),
                "csearch": ("confluence_search", {"query": "space = ENG AND type = page", "limit": 5}),
                "issue": ("jira_create_issue", {"project_key": "OPS", "summary": marker, "issue_type": "Task"}),
                "comment": ("jira_add_comment", {"issue_key": issues[n % 5], "body": marker}),
                "worklog": ("jira_add_worklog", {"issue_key": issues[n % 5], "time_spent": "5m", "comment": marker}),
                "cpage": ("confluence_create_page", {"space_key": "OPS", "title": marker, "content": f"Body {marker}"}),
            }[kind]
            t = time.perf_counter()
            outcome, text = "ok", ""
            try:
                status, reply = c.post(call_msg(i + 10, tool, args))
                if status != 200 or not reply:
                    outcome, text = "http-error", f"HTTP {status}"
                elif "error" in reply:
                    outcome, text = "rpc-error", reply["error"].get("message", "")
                elif reply["result"].get("isError"):
                    outcome = "tool-error"
                    text = " ".join(b.get("text", "") for b in reply["result"]["content"])
            except OSError as e:
                outcome, text = "no-answer", repr(e)
            elapsed = time.perf_counter() - t
            with lock:
                calls.append({"session": n, "kind": kind, "tool": tool, "marker": marker, "outcome": outcome,
                              "text": text[:300], "s": elapsed})
        c.close()

    def injector() -> None:
        rng = random.Random(7)
        while not stop.is_set():
            path, method = rng.choice(FAULT_PATHS)
            try:
                ctl.add_fault(rng.choice(FAULTS), path, method, count=rng.randint(1, 3))
            except OSError:
                pass
            stop.wait(0.15)

    threads = [threading.Thread(target=sampler, args=(srv.proc.pid, stop, peak)),
               threading.Thread(target=injector)]
    threads += [threading.Thread(target=one_session, args=(n,)) for n in range(SESSIONS)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads[2:]:
        t.join()
    wall = time.monotonic() - t0
    stop.set()
    for t in threads[:2]:
        t.join()
    ctl.clear_faults()
    time.sleep(UPSTREAM_TIMEOUT + 2)  # let slow upstream requests of abandoned attempts land

    # Still serving after the storm.
    after = session(srv.url)
    status, reply = after.post(call_msg(999, "jira_get_issue", {"issue_key": "OPS-1"}))
    still_serving = status == 200 and reply and not reply["result"].get("isError")
    healthz = HttpCaller(srv.base + "/healthz")
    healthz.conn = None

    log = all_log(ctl)
    faulted = [r for r in log if r.get("fault")]
    by_fault: dict[str, int] = {}
    for r in faulted:
        kind = str(r["fault"]).split(";")[0].split("=")[0]
        by_fault[kind] = by_fault.get(kind, 0) + 1

    # The sandbox's state: each write's marker, counted.
    d = Direct(sb)
    summaries = d.issue_summaries(f'project = OPS AND summary ~ "chaos{run}"')
    comments = [b for k in issues for b in d.comment_bodies(k)]
    worklogs = [w for k in issues for w in d.worklog_comments(k)]
    titles = d.page_titles("OPS")
    found = {"issue": summaries, "comment": comments, "worklog": worklogs, "cpage": titles}
    writes = [c for c in calls if c["kind"] in found]
    twice, lost, ambiguous = [], [], 0
    for c in writes:
        n = sum(1 for s in found[c["kind"]] if s.strip() == c["marker"] or s.strip() == f"Body {c['marker']}")
        if n > 1:
            twice.append((c, n))
        elif c["outcome"] == "ok" and n != 1:
            lost.append((c, n))
        elif c["outcome"] != "ok" and n == 1:
            ambiguous += 1  # failed to the client, applied upstream (truncated answer, timeout)
    slowest = max(c["s"] for c in calls)
    unclear = [c for c in calls if c["outcome"] != "ok" and len(c["text"].strip()) < 20]
    no_answer = [c for c in calls if c["outcome"] in ("no-answer", "http-error")]
    outcomes: dict[str, int] = {}
    for c in calls:
        outcomes[c["outcome"]] = outcomes.get(c["outcome"], 0) + 1
    per_kind = {k: sum(1 for c in writes if c["kind"] == k) for k in found}
    samples = sorted({c["text"][:140] for c in calls if c["outcome"] == "tool-error"})[:8]
    code = srv.stop(timeout=30)
    sb.stop()

    lines = [
        f"# `make chaos`: faults under load ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})",
        "",
        f"Load average at the end: {' '.join(Path('/proc/loadavg').read_text().split()[:3])}. "
        f"{SESSIONS} streamable-HTTP sessions for {wall:.0f} s against the Cloud sandbox; upstream timeout "
        f"{UPSTREAM_TIMEOUT} s, ATLASSIAN_RETRY_TOTAL={RETRIES} (reads only; writes are never retried).",
        "",
        "| what | value |",
        "|---|---|",
        f"| tool calls made | {len(calls)} ({', '.join(f'{k} {v}' for k, v in sorted(outcomes.items()))}) |",
        f"| upstream requests / with an injected fault | {len(log)} / {len(faulted)} "
        f"({', '.join(f'{k} {v}' for k, v in sorted(by_fault.items()))}) |",
        f"| slowest call (deadline {DEADLINE:.0f} s) | {slowest:.1f} s |",
        f"| calls without an answer, or an error under 20 characters | {len(no_answer)}, {len(unclear)} |",
        f"| writes made (issues, comments, worklogs, pages) | {len(writes)} "
        f"({', '.join(f'{k} {per_kind[k]}' for k in found)}) |",
        f"| writes verified in the sandbox: exactly once when the call succeeded | "
        f"{sum(1 for c in writes if c['outcome'] == 'ok') - len(lost)} of {sum(1 for c in writes if c['outcome'] == 'ok')} |",
        f"| writes applied twice | {len(twice)} |",
        f"| writes that failed to the client but were applied once (truncated answer / timeout) | {ambiguous} |",
        f"| peak server threads / RSS / fds | {peak.get('threads')} / {peak.get('rss_kib', 0) / 1024:.1f} MiB / {peak.get('fds')} |",
        f"| still serving after the run; exit code on SIGTERM | {bool(still_serving)}; {code} |",
        "",
        "Error texts seen (first 8 distinct):",
        "",
        *[f"- {s}" for s in samples],
        "",
    ]
    text = "\n".join(lines)
    (report_dir() / "faults.md").write_text(text)
    print("\n" + text)

    assert calls and faulted, "no load or no faults"
    assert slowest < DEADLINE, f"a call took {slowest:.1f} s"
    assert not no_answer, no_answer[:3]
    assert not unclear, unclear[:3]
    assert not twice, twice[:3]
    assert not lost, lost[:3]
    assert peak["threads"] < MAX_THREADS and peak["rss_kib"] < MAX_RSS_MIB * 1024, peak
    assert still_serving, reply
    assert code == 0


# ---- 50 users -------------------------------------------------------------------------------

PROJECTS = ["WEB", "MOB", "OPS", "SUP"]
SPACES = ["ENG", "OPS", "HR"]


def load_users(n: int) -> list[dict[str, Any]]:
    """n users, each with its own token and a grant pattern: two of four projects and one or two
    of three spaces, cycled (several users share a pattern; the upstream log tells them apart)."""
    from itertools import combinations

    pairs = list(combinations(PROJECTS, 2))
    spaces = [[s] for s in SPACES] + [list(c) for c in combinations(SPACES, 2)]
    users = []
    for i in range(n):
        name = f"load{i:02d}"
        users.append({
            "username": name,
            "key": f"JIRAUSER2{i:04d}",
            "account_id": f"6a00{i:020x}",
            "display_name": f"Load User {i:02d}",
            "email": f"{name}@load.example.com",
            "time_zone": "UTC",
            "password": f"{name}-password",
            "api_token": f"{name}-api-token-{uuid.uuid4().hex[:8]}",
            "pat": f"{name}-pat",
            "oauth_token": f"{name}-oauth-token",
            "groups": ["jira-software-users", "confluence-users"],
            "projects": list(pairs[i % len(pairs)]),
            "spaces": spaces[(i // len(pairs)) % len(spaces)],
        })
    return users


def test_fifty_users_at_once(server_bin, workdir):
    fixtures = workdir / "fixtures"
    shutil.copytree(REPO_ROOT / "fixtures" / "sandbox", fixtures)
    data = json.loads((fixtures / "users.json").read_text())
    users = load_users(USERS)
    data["users"] += users
    (fixtures / "users.json").write_text(json.dumps(data))
    binary = Path(server_bin).parent / "atlassian-sandbox"
    import subprocess

    proc = subprocess.Popen([str(binary), "--port", "0", "--flavour", "cloud", "--fixtures", str(fixtures),
                             "--workers", "16"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    base = proc.stdout.readline().decode().split("listening on ", 1)[1].strip()
    ctl = SandboxControl(base)
    env_text = ctl._do("GET", "/__sandbox/env?user=alice")
    site = {k: v for k, v in (l.split("=", 1) for l in env_text.splitlines() if "=" in l)
            if k.endswith(("_URL", "_DEPLOYMENT"))}
    srv = HttpServer(server_bin, {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **site}, workdir)
    ctl.clear_log()
    stop = threading.Event()
    peak: dict[str, int] = {}
    results: list[dict[str, Any]] = []
    lock = threading.Lock()
    barrier = threading.Barrier(len(users))

    def one_user(u: dict[str, Any]) -> None:
        auth = "Basic " + base64.b64encode(f"{u['email']}:{u['api_token']}".encode()).decode()
        c = session(srv.url, {"Authorization": auth})
        barrier.wait()
        for r in range(ROUNDS):
            marker = f"m{u['username']}r{r}x"
            for tool, args in (
                ("jira_search", {"jql": f'summary !~ "{marker}" ORDER BY key', "limit": 50, "fields": "summary"}),
                ("jira_get_all_projects", {}),
                ("confluence_search", {"query": f'type = page AND text !~ "{marker}"', "limit": 50}),
            ):
                status, reply = c.post(call_msg(r * 10 + len(results) % 7 + 2, tool, args))
                text = ""
                if reply and "result" in reply:
                    text = " ".join(b.get("text", "") for b in reply["result"]["content"])
                with lock:
                    results.append({"user": u["username"], "tool": tool, "marker": marker, "status": status,
                                    "error": bool(not reply or "error" in reply or reply["result"].get("isError")),
                                    "text": text})
        c.close()

    threads = [threading.Thread(target=sampler, args=(srv.proc.pid, stop, peak))]
    threads += [threading.Thread(target=one_user, args=(u,)) for u in users]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads[1:]:
        t.join()
    wall = time.monotonic() - t0
    stop.set()
    threads[0].join()
    log = all_log(ctl)
    code = srv.stop(timeout=30)
    proc.kill()
    proc.wait()

    grants = {u["username"]: (set(u["projects"]), set(u["spaces"])) for u in users}
    cross: list[str] = []
    errors = [r for r in results if r["error"]]
    for r in results:
        if r["error"]:
            continue
        projects, spaces = grants[r["user"]]
        body = json.loads(r["text"]) if r["text"].startswith(("{", "[")) else None
        if r["tool"] == "jira_search":
            keys = [i["key"] for i in (body or {}).get("issues", [])]
            seen = {k.split("-")[0] for k in keys}
            if not keys or not seen <= projects:
                cross.append(f"{r['user']} jira_search saw {sorted(seen)}, granted {sorted(projects)}")
        elif r["tool"] == "jira_get_all_projects":
            items = body if isinstance(body, list) else (body or {}).get("projects", [])
            seen = {p["key"] for p in items}
            if seen != projects:
                cross.append(f"{r['user']} jira_get_all_projects saw {sorted(seen)}, granted {sorted(projects)}")
        else:
            seen = {i["space"]["key"] for i in (body or {}).get("results", []) if i.get("space")}
            if not seen or not seen <= spaces:
                cross.append(f"{r['user']} confluence_search saw {sorted(seen)}, granted {sorted(spaces)}")
    # Upstream: every request carrying a user's marker was made with that user's credentials.
    foreign = []
    marked = 0
    for q in log:
        blob = json.dumps([q.get("query"), q.get("body"), q.get("params")])
        for u in grants:
            if f"m{u}r" in blob:
                marked += 1
                if q.get("user") != u:
                    foreign.append(f"{q['method']} {q['path']} for {u} sent as {q.get('user')}")
                break
    lines = [
        f"# `make chaos`: {len(users)} users at once ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})",
        "",
        f"Load average at the end: {' '.join(Path('/proc/loadavg').read_text().split()[:3])}. One server with no "
        f"credentials of its own; {len(users)} generated sandbox users (own API token, two of four projects, one or "
        f"two of three spaces), each in its own streamable-HTTP session with its own `Authorization`, all "
        f"started together; {ROUNDS} rounds of jira_search, jira_get_all_projects and confluence_search each.",
        "",
        "| what | value |",
        "|---|---|",
        f"| tool calls / failed | {len(results)} / {len(errors)} in {wall:.1f} s |",
        f"| cross-user answers (an answer outside the caller's grants) | {len(cross)} |",
        f"| upstream requests with a caller's marker / sent with another user's credentials | {marked} / {len(foreign)} |",
        f"| peak server threads / RSS | {peak.get('threads')} / {peak.get('rss_kib', 0) / 1024:.1f} MiB |",
        f"| exit code on SIGTERM | {code} |",
        "",
        *[f"- {c}" for c in (cross + foreign)[:10]],
        *[f"- error: {e['user']} {e['tool']}: {e['text'][:160]}" for e in errors[:5]],
    ]
    text = "\n".join(lines) + "\n"
    (report_dir() / "users.md").write_text(text)
    print("\n" + text)
    assert not errors, errors[:3]
    assert marked >= len(users) * ROUNDS, "the markers did not reach the sandbox log"
    assert not cross, cross[:5]
    assert not foreign, foreign[:5]
    assert code == 0

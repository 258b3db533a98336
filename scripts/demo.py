#!/usr/bin/env python3
"""A newcomer's first contact: the sandbox (a fake Jira and Confluence) on loopback, mcp-atlassian
pointed at it, and a short scripted MCP session over stdio — exactly what Claude Desktop or Claude
Code would send — printing each call and a readable part of each answer.

Usage: demo.py TARGET_DIR (where the mcp-atlassian and atlassian-sandbox binaries are).
"""
import json
import os
import subprocess
import sys
import tempfile
import urllib.request

TARGET = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "target/debug")
SERVER = os.path.join(TARGET, "mcp-atlassian")
SANDBOX = os.path.join(TARGET, "atlassian-sandbox")


def describe_notification(msg):
    """One readable line for a server notification (progress, log message)."""
    params = msg.get("params", {})
    if msg.get("method") == "notifications/progress":
        total = params.get("total")
        done = f"{params.get('progress'):g}" + (f" of {total:g}" if total else "")
        return f"… progress {done}" + (f": {params['message']}" if params.get("message") else "")
    if msg.get("method") == "notifications/message":
        return f"… log {params.get('level')}: {short(str(params.get('data')), 160)}"
    return f"… {short(json.dumps(msg), 200)}"


def short(text, width=900):
    return text if len(text) <= width else text[:width] + " …"


class Session:
    """A minimal MCP client over stdio (newline-delimited JSON-RPC)."""

    def __init__(self, env):
        self.cwd = tempfile.TemporaryDirectory()
        self.proc = subprocess.Popen([SERVER], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, env=env, cwd=self.cwd.name, text=True)
        self.next_id = 0

    def request(self, method, params=None, show=True):
        self.next_id += 1
        msg = {"jsonrpc": "2.0", "id": self.next_id, "method": method}
        if params is not None:
            msg["params"] = params
        self.proc.stdin.write(json.dumps(msg) + "\n")
        self.proc.stdin.flush()
        while True:
            reply = json.loads(self.proc.stdout.readline())
            if reply.get("id") == self.next_id:
                return reply
            if show:
                print(f"  {describe_notification(reply)}")

    def notify(self, method):
        self.proc.stdin.write(json.dumps({"jsonrpc": "2.0", "method": method}) + "\n")
        self.proc.stdin.flush()

    def call(self, name, arguments):
        print(f"\n→ tools/call {name} {json.dumps(arguments)}")
        reply = self.request("tools/call", {"name": name, "arguments": arguments,
                                            "_meta": {"progressToken": name}})
        result = reply["result"]
        text = result["content"][0]["text"]
        try:
            data = json.loads(text)
        except ValueError:
            data = text
        return result.get("isError", False), data

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=10)
        self.cwd.cleanup()


def start_sandbox(flavour):
    proc = subprocess.Popen([SANDBOX, "--port", "0", "--flavour", flavour],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    base = proc.stdout.readline().strip().replace("listening on ", "")
    with urllib.request.urlopen(f"{base}/__sandbox/env?user=alice") as r:
        env = dict(line.split("=", 1) for line in r.read().decode().splitlines() if "=" in line)
    return proc, base, env


def show(err, data, fmt):
    print(f"  ← error: {short(str(data), 300)}" if err else f"  ← {fmt(data)}")


def write_workflow(s):
    """Create an issue from Markdown, move it by transition name, comment, log work, link it,
    and read it back: the description and comment come back as the Markdown that went in."""
    print("\nThe write workflow (Markdown in, ADF stored on Cloud, Markdown out):")
    err, made = s.call("jira_create_issue", {
        "project_key": "OPS", "issue_type": "Task", "summary": "Demo: rotate the staging database password",
        "description": "## Steps\n\n1. Generate a **new** password\n2. Update the `vault` entry\n\n"
                       "Ask [~accountid:5d2f9e1a7c3b4a0012e4f6a1] before the rotation.",
        "additional_fields": {"priority": "High", "labels": ["demo"]}})
    show(err, made, lambda d: f"created {d['key']} {d['url']}")
    if err:
        return
    key = made["key"]
    err, moved = s.call("jira_transition_issue", {"issue_key": key, "transition_id": "Start Progress"})
    show(err, moved, lambda d: f"{d['transition']['name']} → status {d['status']}")
    err, c = s.call("jira_add_comment", {"issue_key": key, "body": "Started; *vault* entry updated."})
    show(err, c, lambda d: f"comment {d['id']} by {d['author']['display_name']}")
    err, w = s.call("jira_add_worklog", {"issue_key": key, "time_spent": "1h 30m",
                                          "started": "2026-11-03T09:00:00+01:00", "comment": "Rotation"})
    show(err, w, lambda d: f"logged {d['time_spent']} starting {d['started']}")
    err, link = s.call("jira_create_issue_link", {"link_type": "Relates", "inward_issue_key": key,
                                                   "outward_issue_key": "OPS-6"})
    show(err, link, lambda d: d["reads"])
    err, back = s.call("jira_get_issue", {"issue_key": key,
                                       "fields": "summary,status,priority,description,issuelinks"})
    if err:
        print(f"  ← error: {back}")
        return
    print(f"  ← {back['key']} [{back['status']['name']}] {back['summary']}, priority {back.get('priority')}")
    print("    description (Markdown, as written):")
    for line in back.get("description", "").splitlines():
        print(f"      {line}")
    for c in back.get("comments", []):
        print(f"    comment: {c.get('body')}")
    for l in back.get("issuelinks", []):
        other = l.get("outwardIssue") or l.get("inwardIssue") or {}
        print(f"    link: {l.get('type', {}).get('name')} {other.get('key')}")


def confluence_workflow(s):
    """Create a page from Markdown, replace one section (the rest of the stored page stays byte for
    byte), label it, comment on it, and read it back as Markdown."""
    print("\nThe Confluence workflow (Markdown in, storage XHTML stored, Markdown out):")
    err, made = s.call("confluence_create_page", {
        "space_key": "ENG", "title": "Demo: staging database rotation",
        "content": "Why and how we rotate the staging database password.\n\n"
                   "## Steps\n\n1. Generate a **new** password\n2. Update the `vault` entry\n\n"
                   "## Status\n\nPlanned.\n\n| owner | when |\n|---|---|\n| Alice | Monday |"})
    show(err, made, lambda d: f"created page {d['page']['id']} {d['page']['url']}")
    if err:
        return
    page_id = made["page"]["id"]
    err, sec = s.call("confluence_update_page_section", {
        "page_id": page_id, "heading_text": "Status", "new_content": "Done on *Monday*; no downtime."})
    show(err, sec, lambda d: f"section {d['section']!r} replaced, version {d['page']['version']}")
    err, lab = s.call("confluence_add_label", {"page_id": page_id, "name": "runbook"})
    show(err, lab, lambda d: f"{d['message']}; labels {[l['name'] for l in d.get('labels', [])]}")
    err, com = s.call("confluence_add_comment", {"page_id": page_id, "body": "Rotation **verified**."})
    show(err, com, lambda d: f"comment {d['comment']['id']}: {d['comment']['body']}")
    err, back = s.call("confluence_get_page", {"page_id": made["page"]["url"]})  # a URL works too
    if err:
        print(f"  ← error: {back}")
        return
    print(f"  ← {back['title']}, version {back.get('version')}, as Markdown:")
    for line in back["content"].splitlines():
        print(f"      {line}")


def main():
    print(f"$ {SERVER} --version")
    print(subprocess.run([SERVER, "--version"], capture_output=True, text=True).stdout.strip())
    sandbox, base, sandbox_env = start_sandbox("cloud")
    try:
        print(f"\nThe sandbox imitates Jira Cloud and Confluence Cloud at {base}; the server gets:")
        for k, v in sandbox_env.items():
            print(f"  {k}={'***' if 'TOKEN' in k else v}")
        env = {"PATH": "/usr/bin:/bin", **sandbox_env}
        s = Session(env)
        print("\n→ initialize (protocol 2025-06-18)")
        init = s.request("initialize", {"protocolVersion": "2025-06-18", "capabilities": {},
                                        "clientInfo": {"name": "demo", "version": "1"}})["result"]
        print(f"  ← {init['serverInfo']['name']} {init['serverInfo']['version']}, "
              f"protocol {init['protocolVersion']}")
        s.notify("notifications/initialized")
        tools = s.request("tools/list")["result"]["tools"]
        names = [t["name"] for t in tools]
        print(f"\n→ tools/list\n  ← {len(tools)} tools: {', '.join(names[:6])}, ... and {len(names) - 6} more")

        err, found = s.call("jira_search", {"jql": "project = WEB AND status != Done ORDER BY priority DESC",
                                            "limit": 3, "fields": "summary,status,priority"})
        for issue in found.get("issues", []) if not err else []:
            print(f"  ← {issue['key']}  [{issue.get('status', {}).get('name')}] "
                  f"{issue.get('priority', '')}  {issue.get('summary')}")
        key = found["issues"][0]["key"] if not err and found.get("issues") else "WEB-1"

        err, issue = s.call("jira_get_issue", {"issue_key": key, "comment_limit": 2})
        if err:
            print(f"  ← error: {issue}")
        else:
            print(f"  ← {issue['key']}: {issue.get('summary')}")
            print("    description (Markdown):")
            for line in short(issue.get("description", ""), 500).splitlines():
                print(f"      {line}")
            for c in issue.get("comments", []):
                print(f"    comment by {c.get('author', {}).get('display_name')}: {short(c.get('body', ''), 120)}")

        err, hits = s.call("confluence_search", {"query": "architecture", "limit": 3})
        for h in hits.get("results", []) if not err else []:
            space = h.get("space") or {}
            kind = {"attachment": "attachment", "blogpost": "blog post"}.get(h.get("type"), "page")
            print(f"  ← {kind} {h.get('id')}: {h.get('title')} ({space.get('key')}, {space.get('name')})")
        page_id = hits["results"][0]["id"] if not err and hits.get("results") else "1002"

        err, page = s.call("confluence_get_page", {"page_id": str(page_id)})
        if err:
            print(f"  ← error: {page}")
        else:
            print(f"  ← {page['title']} in {page['space']['key']}, version {page.get('version')}, as Markdown:")
            for line in short(page["content"], 900).splitlines():
                print(f"      {line}")

        confluence_workflow(s)
        write_workflow(s)
        # A sprint: list boards, create a sprint, add an issue to it, read the sprint's issues.
        err, boards = s.call("jira_get_agile_boards", {"project_key": "MOB"})
        for b in boards.get("boards", []) if not err else []:
            print(f"  ← board {b['id']}: {b['name']} ({b.get('type')}, {b.get('project_key')})")
        board = str(boards["boards"][0]["id"]) if not err and boards.get("boards") else "3"
        err, made = s.call("jira_create_sprint", {"board_id": board, "name": "Demo sprint",
                                                  "start_date": "2027-01-04", "end_date": "2027-01-18",
                                                  "goal": "Show the sprint tools"})
        sprint = str(made["sprint"]["id"]) if not err else "6"
        print(f"  ← {'error: ' + str(made) if err else 'sprint ' + sprint + ' (' + made['sprint']['state'] + ')'}")
        err, moved = s.call("jira_add_issues_to_sprint", {"sprint_id": sprint, "issue_keys": "MOB-4"})
        print(f"  ← {short(str(moved), 200)}")
        err, in_sprint = s.call("jira_get_sprint_issues", {"sprint_id": sprint, "fields": "summary,status"})
        for issue in in_sprint.get("issues", []) if not err else []:
            print(f"  ← {issue['key']}  [{issue.get('status', {}).get('name')}] {issue.get('summary')}")

        err, denied = s.call("jira_get_issue", {"issue_key": "NOPE-1"})
        print(f"  ← isError={err}: {short(str(denied), 300)}")
        s.close()
    finally:
        sandbox.kill()
        sandbox.wait()
    print("\nThat was a real MCP session over stdio. Point JIRA_URL / CONFLUENCE_URL and their tokens at your")
    print("own sites to do the same against Jira and Confluence (see README: Configuration).")


if __name__ == "__main__":
    main()

"""What reaches which upstream host, checked with fake upstreams that record every request:
a caller-chosen site (X-Atlassian-Jira-Url) gets nothing of the server's (no custom headers, no
server credentials); redirects are followed by hand, with credentials, custom and pass-through
headers only on the site's own scheme, host and port, and a caller's site's redirects pass the
allow-list on every hop. Also: a Cloud-only tool is refused when the site a caller brings is
Server/Data Center, even though the server's own site is Cloud.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from http_helpers import HttpServer, raw

ISSUE = {"id": "10001", "key": "WEB-1", "fields": {"summary": "From a fake upstream"}}


class Upstream:
    """A loopback HTTP server that records (method, path, headers) and answers with `reply`."""

    def __init__(self, reply=None):
        self.seen: list[tuple[str, str, dict[str, str]]] = []
        self.reply = reply or (lambda path: (200, {"Content-Type": "application/json"}, json.dumps(ISSUE)))
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's naming)
                outer.seen.append(("GET", self.path, {k.lower(): v for k, v in self.headers.items()}))
                status, headers, body = outer.reply(self.path)
                data = body.encode()
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def redirect_to(self, url: str) -> None:
        self.reply = lambda path: (302, {"Location": url}, "")

    def stop(self) -> None:
        self.httpd.shutdown()


@pytest.fixture
def upstreams():
    made: list[Upstream] = []

    def make(reply=None) -> Upstream:
        u = Upstream(reply)
        made.append(u)
        return u

    yield make
    for u in made:
        u.stop()


@pytest.fixture
def start(server_bin, make_env, workdir):
    servers: list[HttpServer] = []

    def run(*args: str, **env: str | None) -> HttpServer:
        srv = HttpServer(server_bin, make_env(**env), workdir, "--stateless", *args)
        servers.append(srv)
        return srv

    yield run
    for srv in servers:
        assert srv.stop() == 0, srv.stderr()


def call(srv: HttpServer, tool: str, args: dict, headers: dict[str, str] | None = None) -> dict:
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": tool, "arguments": args}}
    status, _, text = raw(srv, "POST", body=body, headers={"MCP-Protocol-Version": "2025-06-18", **(headers or {})})
    assert status == 200, text
    return json.loads(text)["result"]


def own_site(u: Upstream, token: str = "caller-pat", host: str = "127.0.0.1") -> dict[str, str]:
    return {"X-Atlassian-Jira-Url": f"http://{host}:{u.port}", "X-Atlassian-Jira-Personal-Token": token}


def test_a_callers_site_gets_nothing_of_the_servers(start, upstreams):
    site = upstreams()
    srv = start(MCP_ALLOWED_URL_DOMAINS="127.0.0.1", JIRA_CUSTOM_HEADERS="X-Server-Secret=s3cret")
    result = call(srv, "jira_get_issue", {"issue_key": "WEB-1"}, own_site(site))
    assert result["isError"] is False, result
    assert len(site.seen) == 1
    _, path, headers = site.seen[0]
    assert path.startswith("/rest/api/2/issue/WEB-1")
    assert headers["authorization"] == "Bearer caller-pat"
    assert "x-server-secret" not in headers, headers


def test_the_servers_site_keeps_its_credentials_on_redirects(start, upstreams):
    elsewhere = upstreams()
    home = upstreams()
    home.redirect_to(f"http://127.0.0.1:{elsewhere.port}/rest/api/2/issue/WEB-1")
    srv = start(JIRA_URL=f"http://127.0.0.1:{home.port}", JIRA_CUSTOM_HEADERS="X-Server-Secret=s3cret")
    result = call(srv, "jira_get_issue", {"issue_key": "WEB-1"})
    assert result["isError"] is False, result
    (_, _, first), = home.seen
    assert first["authorization"].startswith("Basic ") and first["x-server-secret"] == "s3cret"
    (_, _, second), = elsewhere.seen
    assert "authorization" not in second and "x-server-secret" not in second, second


def test_a_callers_redirects_pass_the_allow_list_on_every_hop(start, upstreams):
    target = upstreams()
    site = upstreams()
    srv = start(MCP_ALLOWED_URL_DOMAINS="127.0.0.1", JIRA_CUSTOM_HEADERS="X-Server-Secret=s3cret",
                JIRA_PASSTHROUGH_HEADERS="X-Trace")
    # To a host outside the allow-list (the SSRF the review found): refused, never contacted.
    site.redirect_to(f"http://localhost:{target.port}/internal")
    result = call(srv, "jira_get_issue", {"issue_key": "WEB-1"}, {**own_site(site), "X-Trace": "t1"})
    assert result["isError"] is True and "refused to follow" in result["content"][0]["text"], result
    assert target.seen == []
    # To another port of an allowed host: followed, but without the caller's credentials and
    # pass-through headers, which belong to the site's origin only.
    site.redirect_to(f"http://127.0.0.1:{target.port}/rest/api/2/issue/WEB-1")
    result = call(srv, "jira_get_issue", {"issue_key": "WEB-1"}, {**own_site(site), "X-Trace": "t2"})
    assert result["isError"] is False, result
    (_, _, at_site) = site.seen[-1]
    assert at_site["authorization"] == "Bearer caller-pat" and at_site["x-trace"] == "t2"
    (_, _, at_target), = target.seen
    assert not {"authorization", "x-trace", "x-server-secret"} & set(at_target), at_target


def test_cloud_only_tools_follow_the_site_the_call_uses(start, upstreams):
    site = upstreams()
    srv = start(MCP_ALLOWED_URL_DOMAINS="127.0.0.1")
    mine = call(srv, "fixture_cloud_only", {})
    assert mine["isError"] is False, mine
    theirs = call(srv, "fixture_cloud_only", {}, own_site(site))
    text = theirs["content"][0]["text"]
    assert theirs["isError"] is True and "the site used is Server/Data Center" in text, text

"""helm/install.sh and helm/uninstall.sh against stub `helm` and `kubectl` that record their
arguments (and the mode and content of every values file they are given), plus shellcheck of
every shell script in the repository."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import time
from pathlib import Path

import pytest

from conftest import CHART, REPO, run, tool

INSTALL = str(CHART / "install.sh")
UNINSTALL = str(CHART / "uninstall.sh")
TOKEN = "s3cr3t-token-\"quoted\"\\back"  # must never appear in an argument or on the terminal

# Each call appends one JSON line: {"tool", "argv", "files": {path: [mode, text]}}.
# helm: `status` exits STUB_HELM_STATUS (default 0); `template` runs the real helm (REAL_HELM).
# kubectl: `get namespace` exits STUB_NS_EXISTS (default 0); `get all,...` prints
# STUB_LEFTOVERS and exits STUB_GET_RC (default 0).
STUB = r'''#!/usr/bin/env python3
import json, os, subprocess, sys
tool = os.path.basename(sys.argv[0])
argv = sys.argv[1:]
files = {}
for i, a in enumerate(argv[:-1]):
    if a in ("-f", "--values"):
        p = argv[i + 1]
        files[p] = [oct(os.stat(p).st_mode & 0o777), open(p).read()]
with open(os.environ["STUB_LOG"], "a") as log:
    log.write(json.dumps({"tool": tool, "argv": argv, "files": files}) + "\n")
if tool == "helm":
    if argv[:1] == ["template"]:
        sys.exit(subprocess.run([os.environ["REAL_HELM"], *argv], stdout=sys.stdout).returncode)
    if argv[:1] == ["status"]:
        sys.exit(int(os.environ.get("STUB_HELM_STATUS", "0")))
elif tool == "kubectl":
    if argv[:2] == ["get", "namespace"]:
        sys.exit(int(os.environ.get("STUB_NS_EXISTS", "0")))
    if argv[:1] == ["get"]:
        sys.stdout.write(os.environ.get("STUB_LEFTOVERS", ""))
        sys.exit(int(os.environ.get("STUB_GET_RC", "0")))
sys.exit(0)
'''


@pytest.fixture
def stubs(tmp_path: Path, helm: str):
    bindir = tmp_path / "bin"
    bindir.mkdir()
    for name in ("helm", "kubectl"):
        (bindir / name).write_text(STUB)
        (bindir / name).chmod(0o755)
    log = tmp_path / "calls.jsonl"
    base = {
        "PATH": f"{bindir}:/usr/bin:/bin",
        "STUB_LOG": str(log),
        "REAL_HELM": helm,
        "HOME": str(tmp_path),
        "TMPDIR": str(tmp_path),
        "NAMESPACE_WAIT": "0",
    }

    class Stubs:
        env = base
        tmp = tmp_path

        @staticmethod
        def calls() -> list[dict]:
            return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []

        @staticmethod
        def argv(tool_name: str) -> list[list[str]]:
            return [c["argv"] for c in Stubs.calls() if c["tool"] == tool_name]

        @staticmethod
        def run(script: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run([script, *args], env={**base, **env}, capture_output=True, text=True,
                                  stdin=subprocess.DEVNULL, timeout=60)

    return Stubs


def no_secret_leaked(stubs, p: subprocess.CompletedProcess[str]) -> None:
    assert TOKEN not in p.stdout and TOKEN not in p.stderr
    for c in stubs.calls():
        assert not any(TOKEN in a for a in c["argv"]), c["argv"]


CREDS = {"JIRA_URL": "https://jira.example.com", "JIRA_PERSONAL_TOKEN": TOKEN,
         "CONFLUENCE_URL": "https://example.atlassian.net/wiki",
         "CONFLUENCE_USERNAME": "me@example.com", "CONFLUENCE_API_TOKEN": TOKEN}


def test_shellcheck_clean() -> None:
    files = subprocess.run(["git", "ls-files", "*.sh", ".ci/run"], cwd=REPO, capture_output=True,
                           text=True, check=True).stdout.split()
    assert "helm/install.sh" in files and "helm/uninstall.sh" in files
    p = run([tool("shellcheck"), "--severity=style", *files], cwd=REPO)
    assert p.returncode == 0, p.stdout


def test_install_dry_run_renders_and_changes_nothing(stubs) -> None:
    p = stubs.run(INSTALL, "--dry-run", "team-a", NAMESPACE="tools", **CREDS)
    assert p.returncode == 0, p.stderr
    helm_calls = stubs.argv("helm")
    assert [a[0] for a in helm_calls] == ["template"], helm_calls
    assert helm_calls[0][:5] == ["template", "team-a", str(CHART), "--namespace", "tools"]
    assert stubs.argv("kubectl") == []
    assert "would run" in p.stderr and "upgrade --install team-a" in p.stderr
    assert "--namespace tools --create-namespace" in p.stderr
    no_secret_leaked(stubs, p)
    (mode, text), = stubs.calls()[0]["files"].values()
    assert mode == "0o600"
    values = json.loads(text)
    assert values["secret"] == {"jiraUrl": "https://jira.example.com", "jiraPersonalToken": TOKEN,
                                "confluenceUrl": "https://example.atlassian.net/wiki",
                                "confluenceUsername": "me@example.com", "confluenceApiToken": TOKEN}
    assert not list(stubs.tmp.glob("tmp.*")), "the credentials file is removed"


def test_install_passes_credentials_by_file_only(stubs, tmp_path: Path) -> None:
    extra = tmp_path / "mine.yaml"
    extra.write_text("replicaCount: 2\n")
    p = stubs.run(INSTALL, "-f", str(extra), "--", "--atomic", IMAGE_REPOSITORY="reg.example.com/mcp",
                  IMAGE_TAG="1.2.3", **CREDS)
    assert p.returncode == 0, p.stderr
    (argv,) = stubs.argv("helm")
    assert argv[:7] == ["upgrade", "--install", "mcp-atlassian", str(CHART), "--namespace",
                        "mcp-atlassian", "--create-namespace"]
    assert argv[-1] == "--atomic" and "--wait" in argv
    files = stubs.calls()[0]["files"]
    assert list(files) == [str(extra), argv[argv.index(str(extra)) + 2]], "user values first, credentials last"
    mode, text = files[argv[argv.index(str(extra)) + 2]]
    assert mode == "0o600"
    assert json.loads(text)["image"] == {"repository": "reg.example.com/mcp", "tag": "1.2.3"}
    no_secret_leaked(stubs, p)
    assert not list(stubs.tmp.glob("tmp.*"))


def test_install_with_existing_secret(stubs) -> None:
    p = stubs.run(INSTALL, EXISTING_SECRET="atlassian-credentials")
    assert p.returncode == 0, p.stderr
    (mode, text), = stubs.calls()[0]["files"].values()
    assert json.loads(text) == {"existingSecret": "atlassian-credentials"}


@pytest.mark.parametrize(
    ("args", "env", "code", "message"),
    [
        ([], {}, 2, "no site"),
        (["Bad_Name"], CREDS, 2, "release name"),
        (["a", "b"], CREDS, 2, "one release name"),
        (["--frobnicate"], CREDS, 2, "unknown option"),
        (["-f", "/nonexistent.yaml"], CREDS, 2, "no such readable file"),
        ([], {**CREDS, "NAMESPACE": "Not A Namespace"}, 2, "NAMESPACE"),
        ([], {**CREDS, "JIRA_PERSONAL_TOKEN": "abc\x1bdef"}, 2, "control character"),
    ],
)
def test_install_refuses_bad_input_without_calling_helm(stubs, args, env, code, message) -> None:
    p = stubs.run(INSTALL, *args, **env)
    assert p.returncode == code and message in p.stderr, p.stderr
    assert stubs.calls() == []


def test_install_without_helm(stubs) -> None:
    p = subprocess.run([INSTALL], env={**stubs.env, "PATH": "/usr/bin:/bin", **CREDS},
                       capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if Path("/usr/bin/helm").exists() or Path("/bin/helm").exists():
        pytest.skip("a helm is installed system-wide")
    assert p.returncode == 3 and "helm not found" in p.stderr


def test_install_rendering_failure_is_exit_1(stubs) -> None:
    p = stubs.run(INSTALL, "--dry-run", "-f", str(Path(__file__).parent / "values" / "ingress.yaml"), **CREDS)
    assert p.returncode == 0, p.stderr  # sse with one replica renders
    bad = stubs.tmp / "bad.yaml"
    bad.write_text("replicaCount: 2\ntransport: sse\n")
    p = stubs.run(INSTALL, "--dry-run", "-f", str(bad), **CREDS)
    assert p.returncode == 1 and "does not render" in p.stderr


def run_on_terminal(stubs, script: str, args: list[str], answers: list[str], env: dict[str, str]):
    """Runs the script with a pseudo-terminal as stdin/stdout/stderr, typing each answer after
    the next prompt; returns (exit code, everything shown on the terminal)."""
    pid, fd = pty.fork()
    if pid == 0:
        os.execve(script, [script, *args], {**stubs.env, **env})
    shown = b""
    pending = list(answers)
    answered_at = 0  # only text shown after the last answer can be the next prompt
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        r, _, _ = select.select([fd], [], [], 0.2)
        if r:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            shown += chunk
            fresh = shown[answered_at:].strip()
            if pending and fresh and fresh[-1:] in (b":", b"]"):
                os.write(fd, pending.pop(0).encode() + b"\n")
                answered_at = len(shown)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), shown.decode(errors="replace")


def test_install_asks_on_a_terminal_without_echoing_tokens(stubs) -> None:
    code, shown = run_on_terminal(
        stubs, INSTALL, ["--dry-run"],
        ["https://jira.example.com", "", TOKEN, ""],  # Jira URL, no user -> PAT, token; skip Confluence
        {},
    )
    assert code == 0, shown
    assert "Jira URL" in shown and "personal access token" in shown and "Confluence URL" in shown
    assert TOKEN not in shown
    (mode, text), = stubs.calls()[0]["files"].values()
    assert json.loads(text)["secret"] == {"jiraUrl": "https://jira.example.com", "jiraPersonalToken": TOKEN}


# ---- uninstall ---------------------------------------------------------------------------------


def test_uninstall_dry_run_removes_nothing(stubs) -> None:
    p = stubs.run(UNINSTALL, "--dry-run", "team-a", NAMESPACE="tools")
    assert p.returncode == 0, p.stderr
    assert stubs.argv("helm") == [["status", "team-a", "--namespace", "tools"]]
    assert stubs.argv("kubectl") == [["get", "namespace", "tools"]]
    assert "would run: helm uninstall team-a --namespace tools --wait" in p.stderr
    assert "would then delete namespace tools" in p.stderr


def test_uninstall_without_terminal_removes_release_and_empty_namespace(stubs) -> None:
    p = stubs.run(UNINSTALL, STUB_LEFTOVERS="configmap/kube-root-ca.crt\nserviceaccount/default\n")
    assert p.returncode == 0, p.stderr
    assert ["uninstall", "mcp-atlassian", "--namespace", "mcp-atlassian", "--wait"] in stubs.argv("helm")
    kubectl = stubs.argv("kubectl")
    assert kubectl[-1] == ["delete", "namespace", "mcp-atlassian", "--wait=true"]
    assert "namespace mcp-atlassian removed" in p.stderr


def test_uninstall_keeps_a_namespace_that_is_not_empty(stubs) -> None:
    p = stubs.run(UNINSTALL, "--yes", STUB_LEFTOVERS="persistentvolumeclaim/mcp-atlassian-tokens\n")
    assert p.returncode == 0, p.stderr
    assert not any(a[0] == "delete" for a in stubs.argv("kubectl"))
    assert "kept: it still holds persistentvolumeclaim/mcp-atlassian-tokens" in p.stderr


def test_uninstall_keep_namespace_never_calls_kubectl(stubs) -> None:
    p = stubs.run(UNINSTALL, "--yes", "--keep-namespace")
    assert p.returncode == 0, p.stderr
    assert stubs.argv("kubectl") == []
    assert ["uninstall", "mcp-atlassian", "--namespace", "mcp-atlassian", "--wait"] in stubs.argv("helm")


def test_uninstall_never_deletes_system_namespaces(stubs) -> None:
    p = stubs.run(UNINSTALL, "--yes", NAMESPACE="default")
    assert p.returncode == 0, p.stderr
    assert not any(a[0] == "delete" for a in stubs.argv("kubectl"))


def test_uninstall_of_nothing_is_success(stubs) -> None:
    p = stubs.run(UNINSTALL, STUB_HELM_STATUS="1", STUB_NS_EXISTS="1")
    assert p.returncode == 0 and "nothing to do" in p.stderr
    assert [a[0] for a in stubs.argv("helm")] == ["status"]


def test_uninstall_stops_when_kubectl_cannot_list(stubs) -> None:
    p = stubs.run(UNINSTALL, "--yes", STUB_GET_RC="1")
    assert p.returncode == 1 and "could not list" in p.stderr
    assert not any(a[0] == "delete" for a in stubs.argv("kubectl"))


def test_uninstall_asks_on_a_terminal(stubs) -> None:
    code, shown = run_on_terminal(stubs, UNINSTALL, [], ["n"], {})
    assert code == 4 and "Remove release mcp-atlassian" in shown, shown
    assert [a[0] for a in stubs.argv("helm")] == ["status"]
    code, shown = run_on_terminal(stubs, UNINSTALL, [], ["y"], {})
    assert code == 0, shown
    assert ["uninstall", "mcp-atlassian", "--namespace", "mcp-atlassian", "--wait"] in stubs.argv("helm")


@pytest.mark.parametrize("args", [["--bogus"], ["a", "b"], ["Bad_Name"]])
def test_uninstall_usage_errors(stubs, args) -> None:
    p = stubs.run(UNINSTALL, *args)
    assert p.returncode == 2, p.stderr
    assert stubs.calls() == []

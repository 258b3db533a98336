"""The container image and the static binary: hadolint on Dockerfile.alpine; the static binary
in an empty root (no libc, no /etc); the runtime stage of Dockerfile.alpine built with buildah
over a locally made base and run with podman, serving /healthz and MCP sessions against the
sandbox, with the chart's security settings (read-only root, all capabilities dropped, UID 10001).

No image registry is reachable here, so the Rust build stage and the real Alpine base are not
used: the image is built with BINARY=prebuilt (the `make static` binary) over a base made of
Debian's static busybox (for the healthcheck's wget and the build's RUN step) and Debian's CA
bundle at Alpine's path. The containers run in the network namespace of the test (`make
package-test` runs it in a private one when it can).
"""

from __future__ import annotations

import base64
import json
import os
import resource
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import anyio
import httpx2
import pytest
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client

from conftest import MEASURED, REPO, run, tool

MUSL = "x86_64-unknown-linux-musl"
TARGET_DIR = Path(os.environ.get("CARGO_TARGET_DIR") or REPO / "target").resolve()
STATIC_BIN = Path(os.environ.get("MCP_ATLASSIAN_STATIC_BIN", TARGET_DIR / MUSL / "release" / "mcp-atlassian"))
SANDBOX_BIN = Path(os.environ.get("ATLASSIAN_SANDBOX_BIN", TARGET_DIR / "debug" / "atlassian-sandbox"))
BASE_IMAGE = "localhost/mcp-atlassian-test-base:latest"
IMAGE = "localhost/mcp-atlassian:package-test"
INIT = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                   "clientInfo": {"name": "package-test", "version": "1"}}}

needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="chroot and rootful podman need root")


def test_hadolint() -> None:
    p = run([tool("hadolint"), str(REPO / "Dockerfile.alpine")])
    assert p.returncode == 0, p.stdout + p.stderr


@pytest.fixture(scope="session")
def static_bin() -> Path:
    if not STATIC_BIN.is_file():
        pytest.fail(f"{STATIC_BIN} missing: run `make static`", pytrace=False)
    return STATIC_BIN


def stdio_initialize(cmd: list[str], env: dict[str, str]) -> dict:
    p = subprocess.run(cmd, input=json.dumps(INIT) + "\n", env=env, capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    lines = p.stdout.splitlines()
    assert len(lines) == 1, p.stdout
    return json.loads(lines[0])


@needs_root
def test_static_binary_needs_nothing_from_the_root(static_bin: Path, tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    shutil.copy2(static_bin, root / "mcp-atlassian")
    chroot = shutil.which("chroot") or "/usr/sbin/chroot"
    env = {"JIRA_URL": "https://jira.example.com", "JIRA_PERSONAL_TOKEN": "t"}
    # stdio: the whole root is one file.
    assert sorted(os.listdir(root)) == ["mcp-atlassian"]
    reply = stdio_initialize([chroot, str(root), "/mcp-atlassian"], env)
    assert reply["result"]["serverInfo"]["name"]
    # HTTP needs one more thing, which every container has: a writable temporary directory for
    # its private Unix socket. No /dev: the socket's random name (and session ids) come from
    # the getrandom system call, not /dev/urandom.
    (root / "tmp").mkdir()
    (root / "tmp").chmod(0o1777)
    port = free_port()
    proc = subprocess.Popen([chroot, str(root), "/mcp-atlassian", "--transport", "streamable-http"],
                            env={**env, "PORT": str(port)}, stderr=subprocess.PIPE)
    try:
        assert wait_http(f"http://127.0.0.1:{port}/healthz") == (200, {"status": "ok"})
    finally:
        proc.terminate()
        assert proc.wait(30) == 0


def free_port(preferred: int | None = None) -> int:
    for port in ([preferred] if preferred else []) + [0]:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return s.getsockname()[1]
    raise AssertionError("no free port")


def wait_http(url: str, timeout: float = 15.0, headers: dict[str, str] | None = None,
              data: bytes | None = None) -> tuple[int, dict]:
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            req = urllib.request.Request(url, data=data, headers=headers or {})
            with urllib.request.urlopen(req, timeout=5) as r:
                return r.status, json.loads(r.read() or b"null")
        except urllib.error.HTTPError as e:
            return e.code, {"body": e.read().decode(errors="replace")}
        except OSError as e:
            last = e
            time.sleep(0.1)
    raise AssertionError(f"{url} did not answer: {last}")


# ---- the image ---------------------------------------------------------------------------------


class Containers:
    """buildah and podman on a private storage under a temporary directory (vfs driver)."""

    def __init__(self, root: Path):
        self.root = root
        store = ["--root", str(root / "storage"), "--runroot", str(root / "run"), "--storage-driver", "vfs"]
        self.buildah = [tool("buildah"), *store]
        soft_files, hard_files = resource.getrlimit(resource.RLIMIT_NOFILE)
        # runc may not set podman's default (higher) limits on these machines: ask for the open
        # files this process already has, and a modest process count (the server bounds its threads).
        self.podman = [tool("podman"), *store, "--cgroup-manager", "cgroupfs", "--runtime", "runc"]
        self.run_opts = ["--ulimit", f"nofile={hard_files}:{hard_files}",
                         "--ulimit", "nproc=4096:4096",
                         "--no-healthcheck"]

    def sh(self, cmd: list[str], timeout: float = 600) -> str:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        assert p.returncode == 0, f"{' '.join(cmd)}\n{p.stdout}\n{p.stderr}"
        return p.stdout.strip()

    def make_base(self) -> None:
        """The stand-in for alpine: static busybox, the CA bundle at Alpine's path, /tmp."""
        busybox = shutil.which("busybox") or "/bin/busybox"
        ctr = self.sh([*self.buildah, "from", "scratch"])
        mnt = Path(self.sh([*self.buildah, "mount", ctr]))
        for d in ("bin", "sbin", "etc/ssl/certs", "tmp", "home", "usr/local/bin"):
            (mnt / d).mkdir(parents=True, exist_ok=True)
        (mnt / "tmp").chmod(0o1777)
        shutil.copy2(busybox, mnt / "bin" / "busybox")
        for applet in ("sh", "wget", "mkdir", "chown", "chmod", "test", "echo", "id", "cat", "ls"):
            (mnt / "bin" / applet).symlink_to("busybox")
        shutil.copy2("/etc/ssl/certs/ca-certificates.crt", mnt / "etc/ssl/certs/ca-certificates.crt")
        (mnt / "etc/passwd").write_text("root:x:0:0:root:/root:/sbin/nologin\n")
        (mnt / "etc/group").write_text("root:x:0:\n")
        self.sh([*self.buildah, "umount", ctr])
        self.sh([*self.buildah, "commit", "-q", ctr, BASE_IMAGE])
        self.sh([*self.buildah, "rm", ctr])


@pytest.fixture(scope="module")
def image(static_bin: Path):
    if os.geteuid() != 0:
        pytest.skip("rootful buildah and podman need root")
    work = Path(tempfile.mkdtemp(prefix="mcp-image-"))
    c = Containers(work)
    c.make_base()
    ctx = work / "context"
    ctx.mkdir()
    shutil.copy2(static_bin, ctx / "mcp-atlassian")
    t0 = time.monotonic()
    c.sh([*c.buildah, "bud", "-q", "--isolation", "chroot", "--format", "docker", "--pull-never",
          "-f", str(REPO / "Dockerfile.alpine"), "--build-arg", "BINARY=prebuilt",
          "--build-arg", f"ALPINE_IMAGE={BASE_IMAGE}", "--build-arg", "REVISION=package-test",
          "-t", IMAGE, str(ctx)])
    MEASURED["image build (buildah, prebuilt binary)"] = f"{time.monotonic() - t0:.1f} s"
    yield c
    subprocess.run([*c.podman, "rm", "-a", "-f"], capture_output=True)
    subprocess.run([*c.buildah, "rm", "-a"], capture_output=True)
    subprocess.run([*c.podman, "rmi", "-a", "-f"], capture_output=True)
    shutil.rmtree(work, ignore_errors=True)


def test_image_metadata(image: Containers) -> None:
    cfg = json.loads(image.sh([*image.podman, "image", "inspect", IMAGE]))[0]
    config = cfg["Config"]
    assert config["User"] == "10001:10001"
    assert config["Entrypoint"] == ["/usr/local/bin/mcp-atlassian"]
    assert not config.get("Cmd"), "no default arguments: stdio unless flags say otherwise"
    assert "HOST=0.0.0.0" in config["Env"]
    health = (cfg.get("Healthcheck") or config.get("Healthcheck"))["Test"]
    assert health[0] == "CMD", "exec form: no shell"
    assert "http://127.0.0.1:8000/healthz" in health
    labels = config["Labels"]
    assert labels["org.opencontainers.image.title"] == "mcp-atlassian"
    assert labels["org.opencontainers.image.revision"] == "package-test"
    base = json.loads(image.sh([*image.podman, "image", "inspect", BASE_IMAGE]))[0]
    MEASURED["image size (stand-in base + binary)"] = (
        f"{cfg['Size'] / 1e6:.2f} MB, of which the base {base['Size'] / 1e6:.2f} MB")


def test_image_serves_stdio(image: Containers) -> None:
    reply = stdio_initialize([*image.podman, "run", "--rm", "-i", *image.run_opts, "--network", "none",
                              "--read-only", "-e", "JIRA_URL=https://jira.example.com",
                              "-e", "JIRA_PERSONAL_TOKEN=t", IMAGE], dict(os.environ))
    assert reply["result"]["protocolVersion"] == "2025-06-18"


@pytest.fixture
def sandbox():
    if not SANDBOX_BIN.is_file():
        pytest.fail(f"{SANDBOX_BIN} missing: run `cargo build --bin atlassian-sandbox`", pytrace=False)
    proc = subprocess.Popen([str(SANDBOX_BIN), "--port", "0", "--flavour", "cloud", "--env", "alice",
                             "--exit-with-stdin"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    env: dict[str, str] = {}
    for line in proc.stdout:
        if line.startswith("export "):
            k, v = line[len("export "):].strip().split("=", 1)
            env[k] = v
        elif line.startswith("# control"):
            break
    yield env
    proc.stdin.close()
    proc.wait(10)


def rss_kib(pid: int) -> tuple[int, int]:
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])


def basic(user: str, token: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{token}".encode()).decode()


def test_image_serves_http_against_the_sandbox(image: Containers, sandbox: dict[str, str]) -> None:
    port = free_port(8000)
    name = f"mcp-package-test-{os.getpid()}"
    env = ["-e", f"PORT={port}"]
    for k in ("JIRA_URL", "CONFLUENCE_URL"):
        env += ["-e", f"{k}={sandbox[k]}"]
    # The chart's container settings: read-only root, in-memory /tmp, no capabilities.
    image.sh([*image.podman, "run", "-d", "--name", name, *image.run_opts, "--network", "host", "--read-only",
              "--tmpfs", "/tmp:rw,size=8m,mode=1777", "--cap-drop", "ALL",
              "--security-opt", "no-new-privileges", *env, IMAGE, "--transport", "streamable-http"])
    base = f"http://127.0.0.1:{port}"
    try:
        assert wait_http(base + "/healthz") == (200, {"status": "ok"})
        status, body = wait_http(base + "/readyz")
        assert status == 200 and body["status"] == "ready"
        if port == 8000:  # the image's own HEALTHCHECK command, run as docker would
            cfg = json.loads(image.sh([*image.podman, "image", "inspect", IMAGE]))[0]
            test = (cfg.get("Healthcheck") or cfg["Config"].get("Healthcheck"))["Test"]
            image.sh([*image.podman, "exec", name, *test[1:]])
        pid = int(image.sh([*image.podman, "inspect", "-f", "{{.State.Pid}}", name]))
        idle_rss, _ = rss_kib(pid)

        # HOST=0.0.0.0 is not loopback: without credentials of its own a request gets 401.
        headers = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}
        status, _ = wait_http(base + "/mcp", headers=headers, data=json.dumps(INIT).encode())
        assert status == 401

        auth = basic(sandbox["JIRA_USERNAME"], sandbox["JIRA_API_TOKEN"])
        sessions, calls = 10, 20
        results: list[str] = []
        errors: list[str] = []

        async def one(n: int) -> None:
            async with httpx2.AsyncClient(headers={"Authorization": auth}, timeout=30) as http:
                async with streamable_http_client(base + "/mcp", http_client=http) as streams, \
                        ClientSession(streams[0], streams[1]) as s:
                    await s.initialize()
                    tools = await s.list_tools()
                    assert "jira_get_issue" in {t.name for t in tools.tools}
                    for i in range(calls):
                        r = await s.call_tool("jira_get_issue", {"issue_key": f"WEB-{(n + i) % 20 + 1}"})
                        (errors if r.is_error else results).append(r.content[0].text)

        async def main() -> None:
            with anyio.fail_after(120):
                async with anyio.create_task_group() as tg:
                    for n in range(sessions):
                        tg.start_soon(one, n)

        anyio.run(main)
        assert not errors, [e[:200] for e in errors[:3]]
        assert len(results) == sessions * calls and '"key":"WEB-' in results[0]
        rss, peak = rss_kib(pid)
        MEASURED["container RSS idle (HTTP, after start)"] = f"{idle_rss / 1024:.1f} MiB"
        MEASURED[f"container RSS peak, {sessions} concurrent SDK sessions x {calls} jira_get_issue"] = (
            f"{peak / 1024:.1f} MiB (now {rss / 1024:.1f} MiB)")
    finally:
        t0 = time.monotonic()
        stop = subprocess.run([*image.podman, "stop", "-t", "35", name], capture_output=True, text=True)
        code = image.sh([*image.podman, "inspect", "-f", "{{.State.ExitCode}}", name])
        logs = subprocess.run([*image.podman, "logs", name], capture_output=True, text=True).stderr
        subprocess.run([*image.podman, "rm", "-f", name], capture_output=True)
    assert stop.returncode == 0, stop.stderr
    assert code == "0", f"exit code {code} after SIGTERM\n{logs}"
    MEASURED["SIGTERM to exit (podman stop)"] = f"{time.monotonic() - t0:.1f} s"


def test_image_stateless_mode(image: Containers, sandbox: dict[str, str]) -> None:
    """What the chart runs with several replicas: STATELESS=true, any request on its own."""
    port = free_port()
    name = f"mcp-package-test-stateless-{os.getpid()}"
    image.sh([*image.podman, "run", "-d", "--name", name, *image.run_opts, "--network", "host", "--read-only",
              "--tmpfs", "/tmp:rw,size=8m,mode=1777", "--cap-drop", "ALL",
              "-e", f"PORT={port}", "-e", "TRANSPORT=streamable-http", "-e", "STATELESS=true",
              "-e", f"JIRA_URL={sandbox['JIRA_URL']}", IMAGE])
    try:
        base = f"http://127.0.0.1:{port}"
        assert wait_http(base + "/healthz") == (200, {"status": "ok"})
        headers = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream",
                   "Authorization": basic(sandbox["JIRA_USERNAME"], sandbox["JIRA_API_TOKEN"]),
                   "MCP-Protocol-Version": "2025-06-18"}
        call = {"jsonrpc": "2.0", "id": 2, "method": "tools/call",
                "params": {"name": "jira_get_issue", "arguments": {"issue_key": "WEB-1"}}}
        status, body = wait_http(base + "/mcp", headers=headers, data=json.dumps(call).encode())
        assert status == 200, body
        assert not body["result"].get("isError") and '"key":"WEB-1"' in body["result"]["content"][0]["text"]
    finally:
        subprocess.run([*image.podman, "rm", "-f", "-t", "5", name], capture_output=True)

"""Fixtures for the end-to-end suite: where the binary is, the clean environment it runs with,
and raw stdio servers that are checked and shut down after each test.

The server always runs with a minimal environment (PATH plus BASE_ENV from e2e_helpers) and an empty
temporary working directory, so neither the developer's environment nor a stray ./.env can
change what it does. Fixture tools never touch the network, so the Jira site is never contacted.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from e2e_helpers import BASE_ENV, RawServer, leaked_secrets, server_binary


@pytest.fixture(scope="session")
def server_bin() -> Path:
    path = server_binary()
    if not path.is_file() or not os.access(path, os.X_OK):
        pytest.fail(
            f"server binary {path} not found: run `cargo build --bin mcp-atlassian` first "
            "(or point MCP_ATLASSIAN_BIN at a built binary)",
            pytrace=False,
        )
    return path


@pytest.fixture
def make_env() -> Callable[..., dict[str, str]]:
    """make_env(**overrides) -> the server environment; an override of None removes a variable."""

    def build(**overrides: str | None) -> dict[str, str]:
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **BASE_ENV}
        for key, value in overrides.items():
            if value is None:
                env.pop(key, None)
            else:
                env[key] = value
        return env

    return build


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """An empty working directory for the server (no .env, nothing else)."""
    d = tmp_path / "cwd"
    d.mkdir()
    return d


@pytest.fixture
def spawn(server_bin: Path, make_env, workdir: Path) -> Iterator[Callable[..., RawServer]]:
    """spawn(initialize=None|version, **env_overrides) -> a RawServer.

    After the test, every server still open must answer a ping, exit with code 0 on stdin EOF,
    and have written nothing but JSON-RPC 2.0 lines to stdout.
    """
    servers: list[RawServer] = []

    def start(initialize: str | None = None, **env_overrides: str | None) -> RawServer:
        srv = RawServer([str(server_bin)], make_env(**env_overrides), workdir)
        servers.append(srv)
        if initialize is not None:
            srv.initialize(initialize)
        return srv

    yield start

    failures: list[str] = []
    for srv in servers:
        try:
            if not srv.stdin_closed and srv.proc.poll() is None:
                srv.ping_ok()
            rc = srv.wait_exit()
            assert rc == 0, f"server exited with code {rc} after stdin EOF{srv._diag()}"
            srv.assert_clean()
            assert not leaked_secrets(srv.stderr()), f"secrets in the server's stderr: {leaked_secrets(srv.stderr())}"
        except AssertionError as e:
            failures.append(str(e))
        finally:
            srv.kill()
    if failures:
        pytest.fail("\n\n".join(failures), pytrace=False)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def start(server_bin, make_env, workdir) -> Iterator[Callable[..., object]]:
    """start(*args, **env_overrides) -> an HttpServer; every server started must stop with exit
    code 0 and leave no secret in its stderr."""
    from http_helpers import HttpServer

    servers: list[HttpServer] = []

    def run(*args: str, **env: str | None) -> HttpServer:
        srv = HttpServer(server_bin, make_env(**env), workdir, *args)
        servers.append(srv)
        return srv

    yield run
    for srv in servers:
        assert srv.stop() == 0, srv.stderr()
        assert not leaked_secrets(srv.stderr())


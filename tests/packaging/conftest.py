"""Fixtures for the packaging checks (`make package-test`): where helm, the static binary and the
sandbox are, a chart renderer, and a summary of what was measured.

Tools come from the Makefile: helm from scripts/install-helm.sh (PKG_HELM), hadolint and
kubernetes-validate from tests/packaging/requirements.txt in .venv, shellcheck, buildah and
podman from Debian.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
CHART = REPO / "helm"
VALUES = Path(__file__).parent / "values"
CASES = sorted(p.stem for p in VALUES.glob("*.yaml"))
BIN_DIR = Path(sys.executable).parent

# What the image test measured, printed at the end of the run (numbers, not assertions).
MEASURED: dict[str, str] = {}


def tool(name: str, env_var: str | None = None) -> str:
    configured = os.environ.get(env_var) if env_var else None
    path = configured or (str(BIN_DIR / name) if (BIN_DIR / name).exists() else shutil.which(name))
    if not path:
        pytest.fail(f"{name} not found: run `make package-test`, which installs it", pytrace=False)
    return path


@pytest.fixture(scope="session")
def helm() -> str:
    return tool("helm", "PKG_HELM")


def run(cmd: list[str], **kw) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=kw.pop("timeout", 120), **kw)


@pytest.fixture(scope="session")
def render(helm: str):
    """render(case=None, *sets) -> (exit code, list of manifests, stderr)."""

    def go(case: str | None = None, *sets: str) -> tuple[int, list[dict], str]:
        cmd = [helm, "template", "rel", str(CHART), "--namespace", "ns"]
        if case:
            cmd += ["--values", str(VALUES / f"{case}.yaml")]
        for s in sets:
            cmd += ["--set", s]
        p = run(cmd)
        docs = [d for d in yaml.safe_load_all(p.stdout) if d] if p.returncode == 0 else []
        return p.returncode, docs, p.stderr

    return go


def pytest_terminal_summary(terminalreporter) -> None:
    if MEASURED:
        terminalreporter.section("measured (numbers, not assertions)")
        for k, v in MEASURED.items():
            terminalreporter.write_line(f"{k}: {v}")

"""Every ADF document the binary writes for the conversion corpus validates against the official
ADF JSON schema (fixtures/convert/adf-schema.json, draft-04, from npm @atlaskit/adf-schema).

Runs `mcp-atlassian convert --from F --to adf` over every Markdown, wiki and storage sample, plus a
few hand-picked edge cases, and checks the exit code, the JSON and the schema.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from jsonschema import Draft4Validator

from e2e_helpers import REPO_ROOT

CORPUS = REPO_ROOT / "fixtures" / "convert" / "corpus"
SCHEMA = json.loads((REPO_ROOT / "fixtures" / "convert" / "adf-schema.json").read_text())
VALIDATOR = Draft4Validator(SCHEMA)
FORMATS = {"markdown": "markdown", "wiki": "wiki", "storage": "storage"}

EDGE_CASES = [
    "",
    "# only a heading",
    "> # heading in a quote\n> - list in a quote",
    "- [ ] task\n  - [x] nested task\n  - plain nested\n- [ ] second",
    "- [ ] mixed\n- plain",
    "| a | |\n|---|---|\n| | b |",
    "![alt](https://x.io/a.png) ![b](b.png)\n\ntext ![inline](c.png) text",
    "> [!NOTE]\n> ```py\n> x = 1\n> ```\n> | t |\n> |---|\n> | c |",
    "<details>\n<summary>t</summary>\n\n<details>\n<summary>inner</summary>\n\nx\n\n</details>\n\n</details>",
    "**`code in bold`** [`code link`](https://x.io) ~~*all*~~ <u>u</u> x<sup>2</sup>",
    "- a\n\n  ```\n  code in item\n  ```\n\n  > quote in item",
    "  \n\n\t",
]


def samples() -> list[tuple[str, Path]]:
    out = []
    for kind in FORMATS:
        for path in sorted((CORPUS / kind).iterdir()):
            out.append((kind, path))
    return out


def to_adf(server_bin: Path, fmt: str, text: str) -> dict:
    proc = subprocess.run(
        [str(server_bin), "convert", "--from", fmt, "--to", "adf"],
        input=text.encode(),
        capture_output=True,
        timeout=30,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert proc.returncode == 0, proc.stderr.decode()
    return json.loads(proc.stdout)


def assert_valid(doc: dict, label: str) -> None:
    errors = sorted(VALIDATOR.iter_errors(doc), key=lambda e: list(e.path))
    detail = "\n".join(f"{list(e.path)}: {e.message[:200]}" for e in errors[:5])
    assert not errors, f"{label}: {len(errors)} schema errors\n{detail}"


def test_corpus_is_large_enough() -> None:
    counts = {kind: len(list((CORPUS / kind).iterdir())) for kind in FORMATS}
    assert counts["markdown"] >= 100 and counts["wiki"] >= 50 and counts["storage"] >= 50, counts


@pytest.mark.parametrize(("kind", "path"), samples(), ids=lambda v: v.name if isinstance(v, Path) else v)
def test_corpus_sample_gives_valid_adf(server_bin: Path, kind: str, path: Path) -> None:
    doc = to_adf(server_bin, FORMATS[kind], path.read_text())
    assert doc["type"] == "doc" and doc["version"] == 1
    assert_valid(doc, f"{kind}/{path.name}")


@pytest.mark.parametrize("markdown", EDGE_CASES)
def test_edge_case_gives_valid_adf(server_bin: Path, markdown: str) -> None:
    assert_valid(to_adf(server_bin, "markdown", markdown), repr(markdown))


def test_invalid_adf_input_is_an_error(server_bin: Path) -> None:
    proc = subprocess.run(
        [str(server_bin), "convert", "--from", "adf", "--to", "markdown"],
        input=b'{"type":"paragraph"}',
        capture_output=True,
        timeout=30,
    )
    assert proc.returncode == 1
    assert b"not an ADF document" in proc.stderr
    proc = subprocess.run([str(server_bin), "convert", "--from", "rtf", "--to", "adf"], capture_output=True, timeout=30)
    assert proc.returncode == 2

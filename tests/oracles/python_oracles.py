"""Golden outputs from the PyPI converters, one file per corpus sample:
  wiki-markdown/NAME.md       Jira wiki → Markdown (jira2markdown)
  markdown-storage/NAME.xml   Markdown → Confluence storage (md2cf, mistune 0.8)
Usage: python python_oracles.py <corpus dir> <goldens dir>
"""

import sys
from pathlib import Path

import mistune
from jira2markdown import convert as wiki_to_markdown
from md2cf.confluence_renderer import ConfluenceRenderer


def main() -> None:
    corpus, out = Path(sys.argv[1]), Path(sys.argv[2])
    (out / "wiki-markdown").mkdir(parents=True, exist_ok=True)
    (out / "markdown-storage").mkdir(parents=True, exist_ok=True)
    for path in sorted((corpus / "wiki").iterdir()):
        text = wiki_to_markdown(path.read_text(encoding="utf-8"))
        (out / "wiki-markdown" / f"{path.stem}.md").write_text(text.rstrip("\n") + "\n", encoding="utf-8")
    for path in sorted((corpus / "markdown").iterdir()):
        render = mistune.Markdown(renderer=ConfluenceRenderer(use_xhtml=True))
        text = render(path.read_text(encoding="utf-8"))
        (out / "markdown-storage" / f"{path.stem}.xml").write_text(text.rstrip("\n") + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

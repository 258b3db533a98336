"""The slow attack tests (`make chaos`): collected only when MCP_CHAOS=1, so `make test` (which
runs all of tests/e2e) skips them. They reuse the fixtures of tests/e2e/conftest.py.
"""

from __future__ import annotations

import os

if os.environ.get("MCP_CHAOS") != "1":
    collect_ignore_glob = ["test_*.py"]

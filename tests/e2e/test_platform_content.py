"""Rich tool results through real clients: the `fixture_files` tool returns JSON (also as
`structuredContent`), a PNG image, an embedded file and a link to a file too large to inline.
The official Python SDK must parse every block into its typed model at each handshake version
(the link is a `resource_link` from 2025-06-18 on and a text block before; `structuredContent`
likewise), and in the stateless era; the Inspector CLI lives in test_js_clients.py.
"""

from __future__ import annotations

import base64
import json

import anyio
import mcp.client.session as sdk_session
import mcp_types as types
import pytest
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

from e2e_helpers import HANDSHAKE_VERSIONS

pytestmark = pytest.mark.anyio

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


async def call_files(server_bin, env, workdir, version: str) -> types.CallToolResult:
    params = StdioServerParameters(command=str(server_bin), args=[], env=env, cwd=str(workdir))
    saved = sdk_session.LATEST_HANDSHAKE_VERSION
    sdk_session.LATEST_HANDSHAKE_VERSION = version
    try:
        with anyio.fail_after(20):
            async with stdio_client(params) as (read, write):
                async with ClientSession(read, write) as session:
                    init = await session.initialize()
                    assert init.protocol_version == version
                    return await session.call_tool("fixture_files", {})
    finally:
        sdk_session.LATEST_HANDSHAKE_VERSION = saved


@pytest.mark.parametrize("version", HANDSHAKE_VERSIONS)
async def test_python_sdk_reads_every_block(server_bin, make_env, workdir, version):
    result = await call_files(server_bin, make_env(), workdir, version)
    assert result.is_error is False
    kinds = [c.type for c in result.content]
    new = version >= "2025-06-18"
    assert kinds == ["text", "image", "resource", "resource_link" if new else "text"], kinds
    head = json.loads(result.content[0].text)
    assert head == {"files": 3, "note": "image, resource and link follow"}, "empty values stripped"
    image = result.content[1]
    assert image.mime_type == "image/png" and base64.b64decode(image.data).startswith(PNG_MAGIC)
    res = result.content[2].resource
    assert res.mime_type == "text/plain"
    assert base64.b64decode(res.blob) == b"hello from an attachment\n"
    assert str(res.uri).endswith("/attachment/content/10001")
    if new:
        link = result.content[3]
        assert link.name == "big.zip" and link.size == 104857600 and link.mime_type == "application/zip"
        assert result.structured_content == head
    else:
        assert json.loads(result.content[3].text)["resource_link"]["name"] == "big.zip"
        assert result.structured_content is None

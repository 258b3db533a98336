"""Raw stdio client against the real binary: the bad-input catalogue, id handling, batches,
the 2026-07-28 error codes, read-only mode and shutdown on stdin EOF.

Every case runs in its own server process. The `spawn` fixture then checks that the server still
answers a ping, exits with code 0 on stdin EOF and wrote nothing but JSON-RPC 2.0 lines.
"""

from __future__ import annotations

import json

import pytest

from e2e_helpers import (
    ALL_VERSIONS,
    FIXTURE_TOOLS,
    HANDSHAKE_VERSIONS,
    INVALID_PARAMS,
    INVALID_REQUEST,
    META_LOG_LEVEL,
    META_SERVER_INFO,
    METHOD_NOT_FOUND,
    MISSING_CLIENT_CAPABILITY,
    MODERN_VERSION,
    PARSE_ERROR,
    UNSUPPORTED_VERSION,
    error_of,
    is_response,
    modern_meta,
    same_id,
    tool_text,
)

MAX_MESSAGE = 8 * 1024 * 1024


def ping_line(rid, pad_to: int | None = None) -> bytes:
    msg = {"jsonrpc": "2.0", "id": rid, "method": "ping"}
    if pad_to is not None:
        base = len(json.dumps({**msg, "params": {"pad": ""}}, separators=(",", ":")))
        msg["params"] = {"pad": "x" * (pad_to - base)}
    line = json.dumps(msg, separators=(",", ":")).encode()
    if pad_to is not None:
        assert len(line) == pad_to
    return line


# ---------------------------------------------------------------------------------------------
# Handshake


@pytest.mark.parametrize(
    ("asked", "answered"),
    [*((v, v) for v in HANDSHAKE_VERSIONS), ("2030-01-01", "2025-11-25"), (MODERN_VERSION, "2025-11-25")],
)
def test_initialize_negotiates_version(spawn, asked, answered):
    srv = spawn()
    result = srv.initialize(asked)
    assert result["protocolVersion"] == answered
    assert result["serverInfo"]["name"] and result["serverInfo"]["version"]
    assert "tools" in result["capabilities"]
    assert "logging" in result["capabilities"]


def test_request_before_initialize_is_invalid_but_ping_works(spawn):
    srv = spawn()
    error_of(srv.request("tools/list", rid="a"), INVALID_REQUEST, "a")
    error_of(
        srv.request("tools/call", {"name": "fixture_echo", "arguments": {"text": "x"}}, rid=2), INVALID_REQUEST, 2
    )
    assert srv.request("ping", rid=3)["result"] == {}
    # The handshake still works afterwards.
    srv.initialize("2025-06-18")
    assert "tools" in srv.request("tools/list", rid=4)["result"]


def test_second_initialize_is_refused_and_first_version_kept(spawn):
    srv = spawn(initialize="2025-06-18")
    reply = srv.request(
        "initialize",
        {"protocolVersion": "2025-03-26", "capabilities": {}, "clientInfo": {"name": "x", "version": "1"}},
        rid=9,
    )
    error_of(reply, INVALID_REQUEST, 9)
    # Still a 2025-06-18 session: a batch is refused.
    srv.send_bytes(b'[{"jsonrpc":"2.0","id":10,"method":"ping"}]\n')
    error_of(srv.next_message(), INVALID_REQUEST, None)


def test_initialize_without_protocol_version_is_invalid_params(spawn):
    srv = spawn()
    error_of(srv.request("initialize", {"capabilities": {}}, rid=1), INVALID_PARAMS, 1)
    srv.initialize("2025-11-25", rid=2)


# ---------------------------------------------------------------------------------------------
# Bad input catalogue (each in an initialized 2025-11-25 session)


def test_invalid_json_is_parse_error_with_null_id(spawn):
    srv = spawn(initialize="2025-11-25")
    srv.send_bytes(b'{"jsonrpc":"2.0","id":1,"method":"ping"\n')
    error_of(srv.next_message(), PARSE_ERROR, None)
    srv.send_bytes(b"{not json\n")
    error_of(srv.next_message(), PARSE_ERROR, None)


@pytest.mark.parametrize(
    "line",
    [
        b'{"jsonrpc":"1.0","id":3,"method":"ping"}',
        b'{"jsonrpc":2.0,"id":3,"method":"ping"}',
        b'{"id":3,"method":"ping"}',
    ],
    ids=["jsonrpc-1.0", "jsonrpc-number", "jsonrpc-missing"],
)
def test_wrong_jsonrpc_field_is_invalid_request(spawn, line):
    srv = spawn(initialize="2025-11-25")
    srv.send_bytes(line + b"\n")
    error_of(srv.next_message(), INVALID_REQUEST, 3)


def test_missing_method_is_invalid_request(spawn):
    srv = spawn(initialize="2025-11-25")
    srv.send_bytes(b'{"jsonrpc":"2.0","id":4}\n')
    error_of(srv.next_message(), INVALID_REQUEST, 4)
    srv.send_bytes(b'{"jsonrpc":"2.0","id":5,"method":42}\n')
    error_of(srv.next_message(), INVALID_REQUEST, 5)


@pytest.mark.parametrize("line", [b"42", b'"ping"', b"null", b"true"])
def test_non_object_message_is_invalid_request(spawn, line):
    srv = spawn(initialize="2025-11-25")
    srv.send_bytes(line + b"\n")
    error_of(srv.next_message(), INVALID_REQUEST, None)


def test_unknown_method_is_method_not_found(spawn):
    srv = spawn(initialize="2025-11-25")
    err = error_of(srv.request("jira/teleport", {}, rid=6), METHOD_NOT_FOUND, 6)
    assert "jira/teleport" in err["message"]
    for method in ("resources/list", "prompts/list", "server/discover/x"):
        error_of(srv.request(method, rid=method), METHOD_NOT_FOUND, method)


@pytest.mark.parametrize("params", [[1, 2], "x", 5, True], ids=["array", "string", "number", "bool"])
def test_params_not_an_object_is_invalid_params(spawn, params):
    srv = spawn(initialize="2025-11-25")
    error_of(srv.request("tools/list", params, rid=7), INVALID_PARAMS, 7)


def test_unknown_tool_is_invalid_params(spawn):
    srv = spawn(initialize="2025-11-25")
    err = error_of(srv.request("tools/call", {"name": "no_such_tool", "arguments": {}}, rid=8), INVALID_PARAMS, 8)
    assert "no_such_tool" in err["message"]
    typo = error_of(srv.request("tools/call", {"name": "fixture_ecko", "arguments": {}}, rid=12), INVALID_PARAMS, 12)
    assert typo["message"] == "Unknown tool: fixture_ecko; did you mean fixture_echo?", typo
    error_of(srv.request("tools/call", {"arguments": {}}, rid=9), INVALID_PARAMS, 9)
    error_of(srv.request("tools/call", {"name": 5}, rid=10), INVALID_PARAMS, 10)


def test_tool_arguments_not_an_object_is_invalid_params(spawn):
    srv = spawn(initialize="2025-11-25")
    error_of(srv.request("tools/call", {"name": "fixture_echo", "arguments": [1]}, rid=11), INVALID_PARAMS, 11)
    error_of(srv.request("tools/call", {"name": "fixture_echo", "arguments": "{}"}, rid=12), INVALID_PARAMS, 12)


@pytest.mark.parametrize(
    ("arguments", "needle"),
    [
        ({"text": "x", "count": "ten"}, "count"),
        ({"text": "x", "count": 99}, "count"),
        ({"text": "x", "count": 1.5}, "count"),
        ({}, "text"),
        ({"text": "x", "bogus": 1}, "bogus"),
        ({"text": "x", "mode": "c"}, "mode"),
        ({"text": "x", "flag": "maybe"}, "flag"),
        ({"text": "x", "flag": 3}, "flag"),
        ({"text": "x", "labels": [{"a": 1}]}, "labels"),
        ({"text": None}, "text"),
        ({"text": "x", "fields": "[1]"}, "fields"),
    ],
    ids=[
        "int-as-word", "above-max", "fraction", "missing-required", "unknown", "bad-choice",
        "bool-word", "bool-number", "list-of-objects", "null-required", "object-as-array-string",
    ],
)
def test_tool_arguments_of_wrong_type_are_tool_errors(spawn, arguments, needle):
    srv = spawn(initialize="2025-11-25")
    reply = srv.request("tools/call", {"name": "fixture_echo", "arguments": arguments}, rid="bad-args")
    assert "result" in reply, f"argument validation must be a tool error, not a protocol error: {reply}"
    assert reply["result"]["isError"] is True, reply
    text = tool_text(reply["result"])
    assert text.startswith("Error calling fixture_echo:"), text
    assert needle in text, f"{text!r} does not name {needle!r}"


def test_oversized_line_is_invalid_request_and_skipped_whole(spawn):
    srv = spawn(initialize="2025-11-25")
    # Just under the limit is fine ...
    srv.send_bytes(ping_line("big-ok", pad_to=MAX_MESSAGE - 1024) + b"\n")
    assert srv.wait_response("big-ok")["result"] == {}
    # ... above it is refused with id null, and the rest of that line is not parsed as messages.
    srv.send_bytes(ping_line("too-big", pad_to=MAX_MESSAGE + 1024) + b"\n")
    error_of(srv.next_message(), INVALID_REQUEST, None)
    srv.ping_ok("after-big")
    assert not any(is_response(m, "too-big") for m in srv.messages)


def test_oversized_line_full_of_newline_free_garbage(spawn):
    srv = spawn(initialize="2025-11-25")
    srv.send_bytes(b"[" * (MAX_MESSAGE + 10) + b"\n")
    error_of(srv.next_message(), INVALID_REQUEST, None)


def test_invalid_utf8_is_parse_error(spawn):
    srv = spawn(initialize="2025-11-25")
    srv.send_bytes(b'{"jsonrpc":"2.0","id":1,"method":"ping","params":{"x":"\xff\xfe"}}\n')
    error_of(srv.next_message(), PARSE_ERROR, None)
    srv.send_bytes(b"\xc3\x28\n")
    error_of(srv.next_message(), PARSE_ERROR, None)


def test_blank_lines_are_ignored(spawn):
    srv = spawn(initialize="2025-11-25")
    srv.send_bytes(b"\n\r\n   \n")
    srv.send_bytes(ping_line("after-blank") + b"\n")
    # The very next message is the ping reply: blank lines got no answer.
    assert is_response(srv.next_message(), "after-blank")


# ---------------------------------------------------------------------------------------------
# Batches


@pytest.mark.parametrize("version", [None, "2024-11-05", "2025-06-18", "2025-11-25"])
def test_batch_outside_2025_03_26_session_is_invalid_request(spawn, version):
    srv = spawn(initialize=version)
    srv.send_bytes(
        b'[{"jsonrpc":"2.0","id":1,"method":"ping"},'
        b'{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"fixture_echo","arguments":{"text":"b"}}}]\n'
    )
    error_of(srv.next_message(), INVALID_REQUEST, None)
    srv.ping_ok("after-batch")
    # None of the batch was executed.
    assert not any(is_response(m, 1) or is_response(m, 2) for m in srv.messages)


def test_batch_inside_2025_03_26_session_gets_array_reply(spawn):
    srv = spawn(initialize="2025-03-26")
    batch = [
        {"jsonrpc": "2.0", "id": 1, "method": "ping"},
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        {"jsonrpc": "2.0", "id": "two", "method": "tools/call", "params": {"name": "fixture_echo", "arguments": {"text": "b"}}},
        {"jsonrpc": "2.0", "id": 3, "method": "tools/list"},
        {"jsonrpc": "2.0", "id": 4, "method": "no/such/method"},
    ]
    srv.send(batch)
    reply = srv.next_message()
    assert isinstance(reply, list), f"expected an array reply, got {reply}"
    assert len(reply) == 4, reply  # the notification gets no entry
    by_id = {json.dumps(r["id"]): r for r in reply}
    assert set(by_id) == {"1", '"two"', "3", "4"}, reply
    assert by_id["1"]["result"] == {}
    assert by_id['"two"']["result"]["isError"] is False
    assert json.loads(tool_text(by_id['"two"']["result"]))["text"] == "b"
    assert FIXTURE_TOOLS <= {t["name"] for t in by_id["3"]["result"]["tools"]}
    assert by_id["4"]["error"]["code"] == METHOD_NOT_FOUND
    # A plain single request still works in a 2025-03-26 session.
    srv.ping_ok()


def test_batch_may_not_contain_initialize_and_empty_batch_is_invalid(spawn):
    srv = spawn(initialize="2025-03-26")
    init = {"jsonrpc": "2.0", "id": 5, "method": "initialize", "params": {"protocolVersion": "2025-03-26"}}
    srv.send([init])
    reply = srv.next_message()
    assert isinstance(reply, list) and len(reply) == 1, reply
    error_of(reply[0], INVALID_REQUEST, 5)
    srv.send_bytes(b"[]\n")
    error_of(srv.next_message(), INVALID_REQUEST, None)


def test_batch_of_only_notifications_gets_no_reply(spawn):
    srv = spawn(initialize="2025-03-26")
    srv.send([{"jsonrpc": "2.0", "method": "notifications/initialized"}, {"jsonrpc": "2.0", "method": "x/y"}])
    srv.send_bytes(ping_line("after") + b"\n")
    assert is_response(srv.next_message(), "after")


# ---------------------------------------------------------------------------------------------
# Framing and ids


def test_crlf_line_endings_are_accepted(spawn):
    srv = spawn()
    init = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "crlf", "version": "1"}},
    }
    srv.send(init, eol=b"\r\n")
    assert srv.wait_response(1)["result"]["protocolVersion"] == "2025-11-25"
    srv.send({"jsonrpc": "2.0", "method": "notifications/initialized"}, eol=b"\r\n")
    srv.send({"jsonrpc": "2.0", "id": 2, "method": "tools/list"}, eol=b"\r\n")
    assert FIXTURE_TOOLS <= {t["name"] for t in srv.wait_response(2)["result"]["tools"]}
    call = {"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {"name": "fixture_echo", "arguments": {"text": "crlf"}}}
    srv.send(call, eol=b"\r\n")
    assert json.loads(tool_text(srv.wait_response(3)["result"]))["text"] == "crlf"


@pytest.mark.parametrize(
    "rid",
    ["1", 1, 0, "", "0", -7, 2**53 + 1, 2**63 - 1, "ünïcødé 🚀", "with\nnewline", '{"id":1}', "null"],
    ids=lambda r: repr(r),
)
def test_ids_are_echoed_exactly(spawn, rid):
    srv = spawn(initialize="2025-11-25")
    srv.send({"jsonrpc": "2.0", "id": rid, "method": "ping"})
    reply = srv.next_message()
    assert same_id(reply["id"], rid), f"sent id {rid!r}, got {reply['id']!r}"
    assert reply["result"] == {}
    # Also on errors and on tool results.
    srv.send({"jsonrpc": "2.0", "id": rid, "method": "no/such"})
    error_of(srv.next_message(), METHOD_NOT_FOUND, rid)
    srv.send({"jsonrpc": "2.0", "id": rid, "method": "tools/call", "params": {"name": "fixture_echo", "arguments": {"text": "i"}}})
    reply = srv.wait_response(rid)
    assert reply["result"]["isError"] is False


def test_string_and_integer_ids_stay_distinct_in_flight(spawn):
    """"7" and 7 are different requests: both answered, and cancelling 7 leaves "7" alone."""
    srv = spawn(initialize="2025-11-25")
    args = {"steps": 20, "step_ms": 50}
    for rid, token in (("7", "tok-str"), (7, "tok-int")):
        srv.send(
            {
                "jsonrpc": "2.0",
                "id": rid,
                "method": "tools/call",
                "params": {"name": "fixture_slow", "arguments": args, "_meta": {"progressToken": token}},
            }
        )
    # Both are running once each has reported progress.
    for token in ("tok-str", "tok-int"):
        srv.wait_for(
            lambda m, t=token: m.get("method") == "notifications/progress" and m["params"]["progressToken"] == t,
            what=f"progress for {token}",
        )
    srv.notify("notifications/cancelled", {"requestId": 7, "reason": "e2e"})
    reply = srv.wait_response("7", timeout=15)
    assert json.loads(tool_text(reply["result"])) == {"steps": 20}
    srv.ping_ok()
    rc = srv.wait_exit()
    assert rc == 0
    assert not any(is_response(m, 7) for m in srv.all_after_exit()), "the cancelled integer-id call was answered"


@pytest.mark.parametrize(
    "raw_id", [b"null", b"1.5", b"true", b"{}", b"[1]"], ids=["null", "fraction", "bool", "object", "array"]
)
def test_invalid_ids_are_invalid_request_with_null_id(spawn, raw_id):
    srv = spawn(initialize="2025-11-25")
    srv.send_bytes(b'{"jsonrpc":"2.0","id":' + raw_id + b',"method":"ping"}\n')
    error_of(srv.next_message(), INVALID_REQUEST, None)


def test_notifications_are_never_answered(spawn):
    srv = spawn()
    # Before initialize, including unknown ones and a cancel for an unknown id.
    srv.notify("notifications/initialized")
    srv.notify("x/unknown", {"a": 1})
    srv.notify("notifications/cancelled", {"requestId": "nobody"})
    srv.send_bytes(ping_line("p1") + b"\n")
    assert is_response(srv.next_message(), "p1")
    srv.initialize("2025-11-25")
    srv.notify("notifications/initialized")
    srv.notify("notifications/progress", {"progressToken": "t", "progress": 1})
    srv.notify("notifications/roots/list_changed")
    srv.notify("tools/list")  # a method that would be a request, sent as a notification
    srv.notify("notifications/cancelled", {"requestId": 12345})
    srv.notify("notifications/cancelled", {})
    # Responses from the client (the server sent no request) are not answered either.
    srv.send({"jsonrpc": "2.0", "id": 99, "result": {}})
    srv.send({"jsonrpc": "2.0", "id": 98, "error": {"code": -1, "message": "x"}})
    srv.send_bytes(ping_line("p2") + b"\n")
    assert is_response(srv.next_message(), "p2")


# ---------------------------------------------------------------------------------------------
# Tool calls, logging and progress over the raw wire


def test_tool_results_and_errors(spawn):
    srv = spawn(initialize="2025-11-25")
    reply = srv.request("tools/call", {"name": "fixture_echo", "arguments": {"text": "hi", "labels": ["a"]}}, rid=1)
    assert reply["result"]["isError"] is False
    assert json.loads(tool_text(reply["result"])) == {"text": "hi", "count": 1, "labels": ["a"]}
    reply = srv.request("tools/call", {"name": "fixture_fail", "arguments": {}}, rid=2)
    assert reply["result"]["isError"] is True
    assert tool_text(reply["result"]).startswith("Error calling fixture_fail:")
    # A panicking handler is a tool error too, and the server keeps serving.
    reply = srv.request("tools/call", {"name": "fixture_fail", "arguments": {"panic": True}}, rid=3)
    assert reply["result"]["isError"] is True
    assert tool_text(reply["result"]).startswith("Error calling fixture_fail:")
    reply = srv.request("tools/call", {"name": "fixture_cloud_only"}, rid=4)
    assert reply["result"]["isError"] is False


def test_logging_and_progress_notifications(spawn):
    srv = spawn(initialize="2025-11-25")
    error_of(srv.request("logging/setLevel", {"level": "loud"}, rid=1), INVALID_PARAMS, 1)
    assert srv.request("logging/setLevel", {"level": "info"}, rid=2)["result"] == {}
    params = {"name": "fixture_slow", "arguments": {"steps": 3, "step_ms": 1}, "_meta": {"progressToken": 42}}
    start = len(srv.messages)
    reply = srv.request("tools/call", params, rid=3)
    assert reply["result"]["isError"] is False
    notes = [m for m in srv.messages[start:] if "method" in m]
    progress = [n["params"] for n in notes if n["method"] == "notifications/progress"]
    logs = [n["params"] for n in notes if n["method"] == "notifications/message"]
    assert [p["progress"] for p in progress] == [1, 2, 3]
    assert all(same_id(p["progressToken"], 42) and p["total"] == 3 for p in progress)
    assert [entry["data"] for entry in logs] == ["step 1 of 3", "step 2 of 3", "step 3 of 3"]
    assert all(entry["level"] == "info" for entry in logs)
    # Above the level: nothing; without a progressToken: no progress.
    assert srv.request("logging/setLevel", {"level": "error"}, rid=4)["result"] == {}
    start = len(srv.messages)
    srv.request("tools/call", {"name": "fixture_slow", "arguments": {"steps": 2, "step_ms": 1}}, rid=5)
    assert [m for m in srv.messages[start:] if "method" in m] == []


# ---------------------------------------------------------------------------------------------
# 2026-07-28 (stateless) requests


def modern_request(srv, method, params=None, rid=1, **meta_kw):
    params = dict(params or {})
    params["_meta"] = modern_meta(**meta_kw)
    return srv.request(method, params, rid=rid)


def test_modern_discover_list_and_call(spawn):
    srv = spawn()
    r = modern_request(srv, "server/discover", rid="d")["result"]
    assert r["resultType"] == "complete"
    assert set(r["supportedVersions"]) == set(ALL_VERSIONS)
    assert isinstance(r["ttlMs"], int) and r["ttlMs"] >= 0
    assert r["cacheScope"] in ("public", "private")
    assert "tools" in r["capabilities"]
    assert r["_meta"][META_SERVER_INFO]["name"]
    r = modern_request(srv, "tools/list", rid="l")["result"]
    assert r["resultType"] == "complete"
    assert {t["name"] for t in r["tools"] if t["name"].startswith("fixture_")} == FIXTURE_TOOLS
    assert isinstance(r["ttlMs"], int) and r["cacheScope"] in ("public", "private")
    r = modern_request(srv, "tools/call", {"name": "fixture_echo", "arguments": {"text": "m"}}, rid="c")["result"]
    assert r["resultType"] == "complete" and r["isError"] is False
    assert json.loads(tool_text(r))["text"] == "m"
    # Stateless: none of that initialized anything.
    error_of(srv.request("tools/list", rid="legacy"), INVALID_REQUEST, "legacy")


def test_modern_log_level_and_progress_per_request(spawn):
    srv = spawn()
    meta = {**modern_meta(**{META_LOG_LEVEL: "info"}), "progressToken": "mp"}
    params = {"name": "fixture_slow", "arguments": {"steps": 2, "step_ms": 1}, "_meta": meta}
    start = len(srv.messages)
    reply = srv.request("tools/call", params, rid="slow")
    assert reply["result"]["resultType"] == "complete"
    notes = [m for m in srv.messages[start:] if "method" in m]
    assert [n["method"] for n in notes].count("notifications/message") == 2
    assert [n["params"]["progress"] for n in notes if n["method"] == "notifications/progress"] == [1, 2]
    error_of(modern_request(srv, "tools/list", rid=2, **{META_LOG_LEVEL: "loud"}), INVALID_PARAMS, 2)


def test_modern_missing_meta_fields_are_invalid_params(spawn):
    srv = spawn()
    error_of(srv.request("server/discover", {}, rid=1), INVALID_PARAMS, 1)
    error_of(srv.request("server/discover", rid=2), INVALID_PARAMS, 2)
    only_version = {"_meta": {"io.modelcontextprotocol/protocolVersion": MODERN_VERSION}}
    error_of(srv.request("tools/list", only_version, rid=3), INVALID_PARAMS, 3)
    bad_caps = {"_meta": {**modern_meta(), "io.modelcontextprotocol/clientCapabilities": "all"}}
    error_of(srv.request("tools/list", bad_caps, rid=4), INVALID_PARAMS, 4)
    bad_version_type = {"_meta": {**modern_meta(), "io.modelcontextprotocol/protocolVersion": 20260728}}
    error_of(srv.request("tools/list", bad_version_type, rid=5), INVALID_PARAMS, 5)


@pytest.mark.parametrize("requested", ["1999-01-01", "2025-11-25", "2027-01-01"])
def test_modern_unsupported_version(spawn, requested):
    srv = spawn()
    err = error_of(modern_request(srv, "tools/list", rid="v", version=requested), UNSUPPORTED_VERSION, "v")
    assert MODERN_VERSION in err["data"]["supported"]
    assert set(err["data"]["supported"]) == set(ALL_VERSIONS)
    assert err["data"]["requested"] == requested


def test_modern_missing_client_capability(spawn):
    srv = spawn()
    call = {"name": "fixture_needs_elicitation", "arguments": {}}
    err = error_of(modern_request(srv, "tools/call", call, rid="e1"), MISSING_CLIENT_CAPABILITY, "e1")
    assert err["data"]["requiredCapabilities"] == {"elicitation": {}}
    other = {"sampling": {}, "roots": {"listChanged": True}}
    error_of(modern_request(srv, "tools/call", call, rid="e2", capabilities=other), MISSING_CLIENT_CAPABILITY, "e2")
    ok = modern_request(srv, "tools/call", call, rid="e3", capabilities={"elicitation": {"form": {}}})
    assert ok["result"]["resultType"] == "complete" and ok["result"]["isError"] is False


@pytest.mark.parametrize("method", ["ping", "logging/setLevel", "initialize/x", "resources/list"])
def test_modern_removed_methods_are_method_not_found(spawn, method):
    srv = spawn()
    params = {"level": "info"} if method == "logging/setLevel" else {}
    error_of(modern_request(srv, method, params, rid="m"), METHOD_NOT_FOUND, "m")


def test_modern_requests_inside_a_legacy_session(spawn):
    srv = spawn(initialize="2025-06-18")
    r = modern_request(srv, "server/discover", rid="d")["result"]
    assert r["resultType"] == "complete"
    legacy = srv.request("tools/call", {"name": "fixture_echo", "arguments": {"text": "l"}}, rid="l")["result"]
    assert "resultType" not in legacy, "legacy results must not carry the 2026-07-28 envelope"


# ---------------------------------------------------------------------------------------------
# Configuration


def test_read_only_mode_hides_and_refuses_write_tools(spawn):
    srv = spawn(initialize="2025-11-25", READ_ONLY_MODE="true")
    names = {t["name"] for t in srv.request("tools/list", rid=1)["result"]["tools"]}
    assert "fixture_write" not in names
    assert FIXTURE_TOOLS - {"fixture_write"} <= names
    reply = srv.request("tools/call", {"name": "fixture_write", "arguments": {"value": "v"}}, rid=2)
    assert reply["result"]["isError"] is True
    text = tool_text(reply["result"])
    assert text.startswith("Error calling fixture_write:") and "read-only" in text.lower(), text


def test_write_tool_works_without_read_only(spawn):
    srv = spawn(initialize="2025-11-25")
    reply = srv.request("tools/call", {"name": "fixture_write", "arguments": {"value": "v"}}, rid=2)
    assert reply["result"]["isError"] is False
    assert json.loads(tool_text(reply["result"])) == {"written": "v"}


def test_verbose_logging_stays_off_stdout_and_hides_the_token(spawn):
    """RUST_LOG=trace: stderr gets the logs, stdout stays pure JSON-RPC (checked for every line),
    and the API token is never written (checked by the fixture)."""
    srv = spawn(initialize="2025-11-25", RUST_LOG="trace", MCP_VERBOSE="true", MCP_VERY_VERBOSE="true")
    srv.request("tools/list", rid=1)
    srv.request("tools/call", {"name": "fixture_echo", "arguments": {"text": "loud"}}, rid=2)
    srv.request("tools/call", {"name": "fixture_fail", "arguments": {}}, rid=3)
    srv.request("no/such", rid=4)
    assert srv.wait_exit() == 0
    assert srv.stderr().strip(), "expected log output on stderr at trace level"


def test_tools_list_and_schemas(spawn):
    srv = spawn(initialize="2025-11-25")
    tools = srv.request("tools/list", rid=1)["result"]["tools"]
    names = [t["name"] for t in tools]
    assert len(names) == len(set(names))
    assert {n for n in names if n.startswith("fixture_")} == FIXTURE_TOOLS
    assert "fixture_confluence" not in names
    for t in tools:
        assert t["inputSchema"]["type"] == "object", t
        assert isinstance(t.get("description"), str) and t["description"], t
    error_of(srv.request("tools/list", {"cursor": "nope"}, rid=2), INVALID_PARAMS, 2)


# ---------------------------------------------------------------------------------------------
# Shutdown


def test_stdin_eof_exits_cleanly_when_idle(spawn):
    srv = spawn(initialize="2025-11-25")
    assert srv.wait_exit() == 0


def test_stdin_eof_while_a_call_is_in_flight_still_answers_it(spawn):
    srv = spawn(initialize="2025-11-25")
    params = {"name": "fixture_slow", "arguments": {"steps": 5, "step_ms": 100}, "_meta": {"progressToken": "eof"}}
    srv.send({"jsonrpc": "2.0", "id": "slow", "method": "tools/call", "params": params})
    srv.wait_for(lambda m: m.get("method") == "notifications/progress", what="first progress")
    rc = srv.wait_exit()
    assert rc == 0
    final = [m for m in srv.all_after_exit() if is_response(m, "slow")]
    assert len(final) == 1, "the in-flight call must be answered exactly once before exit"
    assert json.loads(tool_text(final[0]["result"])) == {"steps": 5}
    assert srv.raw_lines[-1].endswith(b"\n")


def test_stdin_eof_right_after_a_request_still_answers_it(spawn):
    srv = spawn()
    init = {"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "x", "version": "1"}}}
    call = {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "fixture_slow", "arguments": {"steps": 3, "step_ms": 50}}}
    data = b"".join(json.dumps(m).encode() + b"\n" for m in (init, {"jsonrpc": "2.0", "method": "notifications/initialized"}, call))
    srv.send_bytes(data)
    rc = srv.wait_exit()
    assert rc == 0
    msgs = srv.all_after_exit()
    assert any(is_response(m, 0) for m in msgs)
    [final] = [m for m in msgs if is_response(m, 1)]
    assert json.loads(tool_text(final["result"])) == {"steps": 3}


def test_cancelled_call_is_never_answered(spawn):
    srv = spawn(initialize="2025-11-25")
    params = {"name": "fixture_slow", "arguments": {"steps": 400, "step_ms": 25}, "_meta": {"progressToken": "c"}}
    srv.send({"jsonrpc": "2.0", "id": "victim", "method": "tools/call", "params": params})
    srv.wait_for(lambda m: m.get("method") == "notifications/progress", what="first progress")
    srv.notify("notifications/cancelled", {"requestId": "victim", "reason": "e2e"})
    srv.ping_ok("alive")
    reply = srv.request("tools/call", {"name": "fixture_echo", "arguments": {"text": "after"}}, rid="after")
    assert reply["result"]["isError"] is False
    # EOF: the server waits for every call in flight, so after exit the whole output is known.
    # Had the cancel been ignored, the call would take ~10 s and the exit wait would time out.
    assert srv.wait_exit(timeout=8) == 0
    assert not any(is_response(m, "victim") for m in srv.all_after_exit()), "cancelled call was answered"

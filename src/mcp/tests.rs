//! Dispatcher tests without I/O: handshake, eras, errors, batches, validation, cancellation.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::{Value, json};

use super::*;

struct Recorder(Mutex<Vec<Value>>);

impl Outbox for Recorder {
    fn send(&self, message: Value) {
        self.0.lock().unwrap().push(message);
    }
}

static CALLS: AtomicUsize = AtomicUsize::new(0);

fn echo(_: &(), args: &Args, ctx: &CallCtx) -> ToolOutput {
    CALLS.fetch_add(1, Ordering::SeqCst);
    ctx.progress(1.0, Some(2.0), None);
    ctx.progress(1.0, Some(2.0), None); // not increasing: dropped
    ctx.progress(2.0, Some(2.0), Some("done"));
    ctx.log(Level::Info, json!("hello"));
    ctx.log(Level::Debug, json!("noise"));
    Ok(Value::Object(args.as_map().clone()).into())
}

fn boom(_: &(), _: &Args, _: &CallCtx) -> ToolOutput {
    panic!("boom")
}

const PARAMS: &[Param] = &[
    Param::new("key", ParamType::String, "A key.").required(),
    Param::new("limit", ParamType::Integer, "A limit.")
        .default(DefaultValue::Int(10))
        .range(1, 50),
    Param::new("fields", ParamType::JsonObject, "Fields."),
];

const fn tool(name: &'static str, access: Access, handler: Handler<()>) -> Tool<()> {
    Tool {
        name,
        title: "T",
        description: "A test tool.",
        toolset: "set_a",
        service: "jira",
        access,
        availability: Availability::Everywhere,
        destructive: false,
        client_capabilities: &[],
        params: PARAMS,
        handler,
    }
}

static TOOLS: [Tool<()>; 4] = [
    tool("t_read", Access::Read, echo),
    tool("t_write", Access::Write, echo),
    tool("t_panic", Access::Read, boom),
    Tool {
        availability: Availability::ServerDcOnly,
        client_capabilities: &["elicitation"],
        ..tool("t_server", Access::Read, echo)
    },
];

fn server(filter: Filter) -> Server<()> {
    let info = ServerInfo {
        name: "test",
        title: "Test",
        version: "0.0.1",
    };
    Server::new(
        info,
        "Use the tools.".into(),
        TOOLS.iter().collect(),
        filter,
        (),
    )
}

fn jira(deployment: Deployment) -> Filter {
    Filter {
        services: vec![("jira".into(), deployment)],
        ..Filter::default()
    }
}

/// Receive a line and run queued work inline; returns the reply and any notifications.
fn exchange(s: &Server<()>, session: &Session, line: &str) -> (Option<Value>, Vec<Value>) {
    let out = Recorder(Mutex::new(Vec::new()));
    let reply = match s.receive(session, line) {
        Step::Done(r) => r,
        Step::Queue(job) => s
            .run(session, job, &out)
            .map(|text| serde_json::from_str(&text).unwrap()),
    };
    (reply, out.0.into_inner().unwrap())
}

fn init(s: &Server<()>, version: &str) -> Session {
    let session = Session::new();
    let line = json!({"jsonrpc":"2.0","id":0,"method":"initialize","params":{
        "protocolVersion": version, "capabilities": {"elicitation": {}}, "clientInfo": {"name":"t","version":"1"}}});
    let (reply, _) = exchange(s, &session, &line.to_string());
    assert_eq!(reply.unwrap()["result"]["serverInfo"]["name"], "test");
    session
}

fn code(reply: &Option<Value>) -> i64 {
    reply.as_ref().unwrap()["error"]["code"].as_i64().unwrap()
}

#[test]
fn initialize_echoes_supported_versions() {
    let s = server(jira(Deployment::Cloud));
    for (asked, answered) in [
        ("2024-11-05", "2024-11-05"),
        ("2025-03-26", "2025-03-26"),
        ("2025-06-18", "2025-06-18"),
        ("2025-11-25", "2025-11-25"),
        ("2030-01-01", "2025-11-25"),
    ] {
        let session = init(&s, asked);
        assert_eq!(session.version(), Some(answered));
    }
}

#[test]
fn requests_before_initialize_are_invalid_but_ping_works() {
    let s = server(jira(Deployment::Cloud));
    let session = Session::new();
    let (r, _) = exchange(
        &s,
        &session,
        r#"{"jsonrpc":"2.0","id":"a","method":"tools/list"}"#,
    );
    assert_eq!(code(&r), jsonrpc::INVALID_REQUEST);
    assert_eq!(r.unwrap()["id"], "a");
    let (r, _) = exchange(&s, &session, r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#);
    assert_eq!(r.unwrap()["result"], json!({}));
}

#[test]
fn second_initialize_is_refused() {
    let s = server(jira(Deployment::Cloud));
    let session = init(&s, "2025-06-18");
    let line = r#"{"jsonrpc":"2.0","id":9,"method":"initialize","params":{"protocolVersion":"2025-06-18"}}"#;
    assert_eq!(
        code(&exchange(&s, &session, line).0),
        jsonrpc::INVALID_REQUEST
    );
}

#[test]
fn protocol_errors() {
    let s = server(jira(Deployment::Cloud));
    let session = init(&s, "2025-11-25");
    let cases = [
        ("{not json", jsonrpc::PARSE_ERROR),
        (
            r#"{"jsonrpc":"2.0","id":1,"method":"nope"}"#,
            jsonrpc::METHOD_NOT_FOUND,
        ),
        (
            r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"zz"}}"#,
            jsonrpc::INVALID_PARAMS,
        ),
        (
            r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":5}}"#,
            jsonrpc::INVALID_PARAMS,
        ),
        (
            r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"t_read","arguments":[]}}"#,
            jsonrpc::INVALID_PARAMS,
        ),
        (
            r#"{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"cursor":"x"}}"#,
            jsonrpc::INVALID_PARAMS,
        ),
        (
            r#"{"jsonrpc":"2.0","id":1,"method":"logging/setLevel","params":{"level":"loud"}}"#,
            jsonrpc::INVALID_PARAMS,
        ),
        (
            r#"[{"jsonrpc":"2.0","id":1,"method":"ping"}]"#,
            jsonrpc::INVALID_REQUEST,
        ),
        ("[]", jsonrpc::INVALID_REQUEST),
    ];
    for (line, want) in cases {
        assert_eq!(code(&exchange(&s, &session, line).0), want, "{line}");
    }
    // Notifications are never answered, even unknown ones.
    assert_eq!(
        exchange(&s, &session, r#"{"jsonrpc":"2.0","method":"x/y"}"#).0,
        None
    );
}

#[test]
fn batches_only_in_2025_03_26_sessions() {
    let s = server(jira(Deployment::Cloud));
    let session = init(&s, "2025-03-26");
    let line = r#"[{"jsonrpc":"2.0","id":1,"method":"ping"},{"jsonrpc":"2.0","method":"notifications/initialized"},
        {"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"t_read","arguments":{"key":"K"}}},
        {"jsonrpc":"2.0","id":3,"method":"initialize","params":{"protocolVersion":"2025-03-26"}}]"#;
    let reply = exchange(&s, &session, &line.replace('\n', "")).0.unwrap();
    let replies = reply.as_array().unwrap();
    assert_eq!(replies.len(), 3);
    assert_eq!(replies[0]["result"], json!({}));
    assert_eq!(replies[1]["result"]["isError"], false);
    assert_eq!(replies[2]["error"]["code"], jsonrpc::INVALID_REQUEST);
}

#[test]
fn batches_are_bounded_in_items_and_reply_bytes() {
    let s = server(jira(Deployment::Cloud));
    let session = init(&s, "2025-03-26");
    let ping = |i: usize| json!({"jsonrpc":"2.0","id":i,"method":"ping"});
    let too_many: Vec<Value> = (0..=MAX_BATCH_ITEMS).map(ping).collect();
    let reply = exchange(&s, &session, &Value::Array(too_many).to_string()).0;
    assert_eq!(code(&reply), jsonrpc::INVALID_REQUEST);
    assert!(
        reply.unwrap()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("at most 100")
    );
    let at_cap: Vec<Value> = (0..MAX_BATCH_ITEMS).map(ping).collect();
    let reply = exchange(&s, &session, &Value::Array(at_cap).to_string())
        .0
        .unwrap();
    assert_eq!(reply.as_array().unwrap().len(), MAX_BATCH_ITEMS);
    // Each call echoes 200 KB: the replies reach 4 MiB after about 21 of them.
    let big = "x".repeat(200_000);
    let calls: Vec<Value> = (0..MAX_BATCH_ITEMS)
        .map(|i| {
            json!({"jsonrpc":"2.0","id":i,"method":"tools/call",
            "params":{"name":"t_read","arguments":{"key":"K","fields":{"pad":big}}}})
        })
        .collect();
    let reply = exchange(&s, &session, &Value::Array(calls).to_string())
        .0
        .unwrap();
    let replies = reply.as_array().unwrap();
    assert_eq!(
        replies.len(),
        MAX_BATCH_ITEMS,
        "every request gets an answer"
    );
    let run = replies.iter().filter(|r| r.get("result").is_some()).count();
    assert!((20..=23).contains(&run), "{run} calls ran");
    let refused = &replies[MAX_BATCH_ITEMS - 1];
    assert_eq!(refused["id"], MAX_BATCH_ITEMS - 1);
    assert_eq!(refused["error"]["code"], jsonrpc::INTERNAL_ERROR);
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("Batch reply too large")
    );
    let kept: usize = replies.iter().map(|r| r.to_string().len()).sum();
    assert!(kept < MAX_BATCH_REPLY_BYTES + 300_000, "{kept} bytes kept");
}

#[test]
fn tool_calls_validate_fill_defaults_and_report_progress_and_logs() {
    let s = server(jira(Deployment::Cloud));
    let session = init(&s, "2025-11-25");
    exchange(
        &s,
        &session,
        r#"{"jsonrpc":"2.0","id":1,"method":"logging/setLevel","params":{"level":"info"}}"#,
    );
    let line = r#"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"t_read","arguments":{"key":"K","fields":"{\"a\":1}"},"_meta":{"progressToken":"p"}}}"#;
    let (reply, notes) = exchange(&s, &session, line);
    let reply = reply.unwrap();
    let text = reply["result"]["content"][0]["text"].as_str().unwrap();
    assert_eq!(
        serde_json::from_str::<Value>(text).unwrap(),
        json!({"key":"K","limit":10,"fields":{"a":1}})
    );
    let methods: Vec<&str> = notes
        .iter()
        .map(|n| n["method"].as_str().unwrap())
        .collect();
    assert_eq!(
        methods,
        [
            "notifications/progress",
            "notifications/progress",
            "notifications/message"
        ]
    );
    assert_eq!(notes[1]["params"]["message"], "done");

    for (args, needle) in [
        (json!({}), "key: this parameter is required"),
        (json!({"key":"K","limit":99}), "above the maximum 50"),
        (json!({"key":"K","limit":"ten"}), "expected a whole number"),
        (json!({"key":"K","bogus":1}), "unknown parameter"),
        (json!({"key":"K","fields":"[1]"}), "expected a JSON object"),
    ] {
        let line = json!({"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"t_read","arguments":args}});
        let reply = exchange(&s, &session, &line.to_string()).0.unwrap();
        assert_eq!(reply["result"]["isError"], true);
        let text = reply["result"]["content"][0]["text"].as_str().unwrap();
        assert!(text.starts_with("Error calling t_read: "), "{text}");
        assert!(text.contains(needle), "{text} lacks {needle}");
    }
}

#[test]
fn filters_apply_at_call_time() {
    let filter = Filter {
        read_only: true,
        ..jira(Deployment::Cloud)
    };
    let s = server(filter);
    let names: Vec<&str> = s
        .listed()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["t_read", "t_panic"]);
    let session = init(&s, "2025-11-25");
    for name in ["t_write", "t_server"] {
        let line = json!({"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":name,"arguments":{"key":"K"}}});
        let before = CALLS.load(Ordering::SeqCst);
        let reply = exchange(&s, &session, &line.to_string()).0.unwrap();
        assert_eq!(reply["result"]["isError"], true);
        assert!(
            reply["result"]["content"][0]["text"]
                .as_str()
                .unwrap()
                .contains("not available")
        );
        assert_eq!(CALLS.load(Ordering::SeqCst), before, "handler must not run");
    }
}

#[test]
fn panics_become_tool_errors() {
    let s = server(jira(Deployment::Cloud));
    let session = init(&s, "2025-11-25");
    let line = r#"{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"t_panic","arguments":{"key":"K"}}}"#;
    let reply = exchange(&s, &session, line).0.unwrap();
    assert_eq!(reply["result"]["isError"], true);
    assert_eq!(session.in_flight(), 0);
}

#[test]
fn cancelled_calls_send_nothing() {
    let s = server(jira(Deployment::Cloud));
    let session = init(&s, "2025-11-25");
    let line = r#"{"jsonrpc":"2.0","id":"c1","method":"tools/call","params":{"name":"t_read","arguments":{"key":"K"}}}"#;
    let Step::Queue(job) = s.receive(&session, line) else {
        panic!("expected a job")
    };
    assert_eq!(session.in_flight(), 1);
    // A cancel for another id changes nothing; the right one cancels.
    exchange(
        &s,
        &session,
        r#"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":"c2"}}"#,
    );
    exchange(
        &s,
        &session,
        r#"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":"c1"}}"#,
    );
    assert_eq!(s.run(&session, job, &Discard), None);
    assert_eq!(session.in_flight(), 0);
}

fn modern(method: &str, params: Value) -> String {
    let mut params = params;
    params["_meta"] = json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {},
        "io.modelcontextprotocol/logLevel": "debug",
    });
    json!({"jsonrpc":"2.0","id":7,"method":method,"params":params}).to_string()
}

#[test]
fn modern_requests_are_stateless() {
    let s = server(jira(Deployment::ServerDc));
    let session = Session::new();
    let r = exchange(&s, &session, &modern("server/discover", json!({})))
        .0
        .unwrap();
    let r = &r["result"];
    assert_eq!(r["resultType"], "complete");
    assert_eq!(r["supportedVersions"][0], "2026-07-28");
    assert_eq!(r["cacheScope"], "public");
    assert!(r["ttlMs"].as_u64().is_some());
    assert_eq!(
        r["_meta"]["io.modelcontextprotocol/serverInfo"]["name"],
        "test"
    );

    let r = exchange(&s, &session, &modern("tools/list", json!({})))
        .0
        .unwrap();
    assert_eq!(r["result"]["tools"].as_array().unwrap().len(), 4);
    assert!(r["result"]["ttlMs"].is_u64());

    let (r, notes) = exchange(
        &s,
        &session,
        &modern(
            "tools/call",
            json!({"name":"t_read","arguments":{"key":"K"}}),
        ),
    );
    assert_eq!(r.unwrap()["result"]["resultType"], "complete");
    assert_eq!(
        notes.len(),
        2,
        "logLevel debug lets info and debug through; no progressToken, no progress"
    );

    let r = exchange(
        &s,
        &session,
        &modern(
            "tools/call",
            json!({"name":"t_server","arguments":{"key":"K"}}),
        ),
    )
    .0;
    assert_eq!(code(&r), jsonrpc::MISSING_CLIENT_CAPABILITY);
    assert_eq!(
        r.unwrap()["error"]["data"]["requiredCapabilities"],
        json!({"elicitation": {}})
    );

    for method in ["ping", "logging/setLevel", "resources/list"] {
        assert_eq!(
            code(&exchange(&s, &session, &modern(method, json!({}))).0),
            jsonrpc::METHOD_NOT_FOUND
        );
    }
    // The session stays uninitialized: legacy requests are still refused.
    assert_eq!(session.version(), None);
}

#[test]
fn modern_meta_is_checked() {
    let s = server(jira(Deployment::Cloud));
    let session = Session::new();
    let line = r#"{"jsonrpc":"2.0","id":1,"method":"server/discover","params":{}}"#;
    assert_eq!(
        code(&exchange(&s, &session, line).0),
        jsonrpc::INVALID_PARAMS
    );
    let line = r#"{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}}}"#;
    assert_eq!(
        code(&exchange(&s, &session, line).0),
        jsonrpc::INVALID_PARAMS
    );
    let line = r#"{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"1999-01-01","io.modelcontextprotocol/clientCapabilities":{}}}}"#;
    let r = exchange(&s, &session, line).0;
    assert_eq!(code(&r), jsonrpc::UNSUPPORTED_VERSION);
    assert_eq!(r.unwrap()["error"]["data"]["requested"], "1999-01-01");
}

#[test]
fn schemas_are_portable() {
    for t in &TOOLS {
        assert!(registry::lint(t).is_empty(), "{:?}", registry::lint(t));
        let schema = t.input_schema();
        assert_eq!(schema["type"], "object");
        assert_eq!(schema["required"], json!(["key"]));
        assert_eq!(schema["properties"]["fields"]["type"], "string");
    }
}

#[test]
fn arrays_of_objects_come_natively_or_as_json_text() {
    const P: &[Param] = &[Param::new("answers", ParamType::ObjectArray, "Answers.").required()];
    let t = Tool {
        params: P,
        ..tool("t_objects", Access::Read, echo)
    };
    let schema = t.input_schema();
    assert_eq!(schema["properties"]["answers"]["type"], "array");
    assert_eq!(schema["properties"]["answers"]["items"]["type"], "object");
    let ok = |v: Value| call::validate(&t, json!({"answers": v}).as_object().unwrap().clone(), &[]);
    let native = ok(json!([{"id": "1", "value": "x"}])).unwrap();
    let text = ok(json!("[{\"id\": \"1\", \"value\": \"x\"}]")).unwrap();
    assert_eq!(native, text);
    for bad in [
        json!([1]),
        json!("{\"id\": 1}"),
        json!("nope"),
        json!({"id": 1}),
    ] {
        assert!(ok(bad.clone()).is_err(), "{bad}");
    }
}

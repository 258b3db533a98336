//! Fuzz target: JSON-RPC framing and dispatch. The input is a stdio stream (one message per
//! line) fed to one session of a server whose tools are the real catalogue's declarations with
//! an echo handler (no I/O); queued calls and batches are run inline. Nothing may panic, and
//! every answer is a JSON-RPC response that serializes.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use mcp_atlassian::mcp::{
    Args, CallCtx, Deployment, Filter, Outbox, Server, ServerInfo, Session, Step, Tool, ToolOutput,
};
use serde_json::Value;

struct Sink;

impl Outbox for Sink {
    fn send(&self, message: Value) {
        serde_json::to_vec(&message).expect("a notification serializes");
    }
}

fn echo(_: &(), args: &Args, ctx: &CallCtx) -> ToolOutput {
    ctx.progress(1.0, Some(1.0), Some("done"));
    Ok(Value::Object(args.as_map().clone()).into())
}

/// The catalogue's tools with their real names, toolsets and parameters, answered by `echo`.
fn tools() -> Vec<&'static Tool<()>> {
    mcp_atlassian::tools::catalogue(false)
        .into_iter()
        .map(|t| {
            &*Box::leak(Box::new(Tool {
                name: t.name,
                title: t.title,
                description: t.description,
                toolset: t.toolset,
                service: t.service,
                access: t.access,
                availability: t.availability,
                destructive: t.destructive,
                client_capabilities: t.client_capabilities,
                params: t.params,
                handler: echo as fn(&(), &Args, &CallCtx) -> ToolOutput,
            }))
        })
        .collect()
}

fn servers() -> &'static [Server<()>; 2] {
    static SERVERS: OnceLock<[Server<()>; 2]> = OnceLock::new();
    SERVERS.get_or_init(|| {
        let make = |deployment: Deployment, read_only: bool| {
            let filter = Filter {
                services: vec![
                    ("jira".into(), deployment),
                    ("confluence".into(), deployment),
                ],
                read_only,
                ..Filter::default()
            };
            let info = ServerInfo {
                name: "fuzz",
                title: "Fuzz",
                version: "0.0.0",
            };
            Server::new(info, "Fuzz.".into(), tools(), filter, ())
        };
        [
            make(Deployment::Cloud, false),
            make(Deployment::ServerDc, true),
        ]
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let server = &servers()[usize::from(pick & 1)];
    let session = if pick & 2 == 0 {
        Session::new()
    } else {
        Session::preinitialized("2025-03-26")
    };
    for line in String::from_utf8_lossy(rest).split('\n') {
        let reply = match server.receive(&session, line) {
            Step::Done(reply) => reply,
            // Queued work answers with text: it must read back as JSON.
            Step::Queue(job) => server.run(&session, job, &Sink).map(|text| {
                serde_json::from_str(&text).expect("a queued reply is one JSON value")
            }),
        };
        if let Some(reply) = reply {
            serde_json::to_vec(&reply).expect("a reply serializes");
            let is_response = |v: &Value| {
                v["jsonrpc"] == "2.0" && (v.get("result").is_some() ^ v.get("error").is_some())
            };
            match &reply {
                Value::Array(items) => assert!(items.iter().all(is_response), "{reply}"),
                single => assert!(is_response(single), "{reply}"),
            }
        }
    }
});

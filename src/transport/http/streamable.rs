//! Streamable HTTP at the configured path, for both eras on one endpoint. A POST carries one
//! message: 2026-07-28 requests are checked against their `MCP-Protocol-Version`, `Mcp-Method`
//! and `Mcp-Name` headers and served without a session; handshake-era messages use the session
//! named by `Mcp-Session-Id` (issued on `initialize`), or none in stateless mode. Answers are a
//! JSON body, an SSE stream when the call will send notifications, or 202 for notifications
//! and responses. DELETE ends a session; GET is 405 (the server never sends unsolicited
//! messages, so a session has no standalone stream).

use std::sync::Arc;

use serde_json::{Map, Value};
use tiny_http::{Method, Request};

use super::guard;
use super::sessions::HttpSession;
use super::wire::{self, decode_header_value, header, rpc_error};
use super::{Http, ReplyTo, Work};
use crate::mcp::jsonrpc::{self, RpcError};
use crate::mcp::{Caller, Session, Step, version};

const SESSION_HEADER: &str = "Mcp-Session-Id";

pub(super) fn handle<S: Send + Sync + 'static>(http: &Http<S>, req: Request) {
    let caller = match guard::admit(&http.opts, &req) {
        Ok(c) => c,
        Err(refusal) => return refuse(req, refusal),
    };
    match req.method() {
        Method::Post => post(http, req, caller),
        Method::Delete if !http.opts.stateless => delete(http, req, caller),
        _ => {
            let allow = if http.opts.stateless {
                "POST"
            } else {
                "POST, DELETE"
            };
            let body = rpc_error(
                -32000,
                "Method Not Allowed: POST JSON-RPC messages here; this server opens no standalone SSE stream",
            );
            wire::json(req, 405, &body, &[("Allow", allow)]);
        }
    }
}

pub(super) fn refuse(req: Request, (status, body, headers): guard::Refusal) {
    let hdrs: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
    wire::json(req, status, &body, &hdrs);
}

fn bad(req: Request, status: u16, code: i64, message: &str) {
    wire::json(req, status, &rpc_error(code, message), &[]);
}

/// True when the `Accept` value admits `media` (exactly, `type/*` or `*/*`).
fn accepts(accept: &str, media: &str) -> bool {
    let major = media.split('/').next().unwrap_or_default();
    accept.split(',').any(|range| {
        let range = range.split(';').next().unwrap_or_default().trim();
        range.eq_ignore_ascii_case(media)
            || range == "*/*"
            || range.eq_ignore_ascii_case(&format!("{major}/*"))
    })
}

fn owner(caller: &Option<Arc<Caller>>) -> u64 {
    super::sessions::owner(caller.as_deref())
}

/// The HTTP status of a direct answer: transport-level JSON-RPC errors are 4xx.
fn status_for(reply: &Value, modern: bool) -> u16 {
    let Some(code) = reply.pointer("/error/code").and_then(Value::as_i64) else {
        return 200;
    };
    match code {
        jsonrpc::PARSE_ERROR => 400,
        _ if reply.get("id").is_none_or(Value::is_null) => 400,
        jsonrpc::METHOD_NOT_FOUND if modern => 404,
        jsonrpc::HEADER_MISMATCH
        | jsonrpc::MISSING_CLIENT_CAPABILITY
        | jsonrpc::UNSUPPORTED_VERSION
        | jsonrpc::INVALID_PARAMS
        | jsonrpc::INVALID_REQUEST
            if modern =>
        {
            400
        }
        _ => 200,
    }
}

/// 2026-07-28: the headers must repeat what the body says.
fn check_modern_headers(
    req: &Request,
    method: &str,
    params: &Map<String, Value>,
) -> Result<(), String> {
    let version =
        header(req, "MCP-Protocol-Version").ok_or("the MCP-Protocol-Version header is missing")?;
    let meta = params
        .get("_meta")
        .and_then(|m| m.get("io.modelcontextprotocol/protocolVersion"))
        .and_then(Value::as_str);
    if let Some(meta) = meta
        && meta != version
    {
        return Err(format!(
            "MCP-Protocol-Version header {version:?} disagrees with _meta protocolVersion {meta:?}"
        ));
    }
    let named = header(req, "Mcp-Method").ok_or("the Mcp-Method header is missing")?;
    if named != method {
        return Err(format!(
            "Mcp-Method header {named:?} disagrees with the body's method {method:?}"
        ));
    }
    let key = match method {
        "tools/call" | "prompts/get" => "name",
        "resources/read" => "uri",
        _ => return Ok(()),
    };
    let raw = header(req, "Mcp-Name").ok_or("the Mcp-Name header is missing")?;
    let name = decode_header_value(raw).ok_or("the Mcp-Name header is not valid base64")?;
    match params.get(key).and_then(Value::as_str) {
        Some(want) if want == name => Ok(()),
        want => Err(format!(
            "Mcp-Name header {name:?} disagrees with params.{key} {:?}",
            want.unwrap_or("")
        )),
    }
}

fn post<S: Send + Sync + 'static>(http: &Http<S>, mut req: Request, caller: Option<Arc<Caller>>) {
    let content_type = header(&req, "Content-Type").unwrap_or("");
    let media = content_type.split(';').next().unwrap_or_default().trim();
    if !media.eq_ignore_ascii_case("application/json") {
        return bad(
            req,
            415,
            -32000,
            "Unsupported Media Type: Content-Type must be application/json",
        );
    }
    let accept = header(&req, "Accept").unwrap_or("");
    if !(accepts(accept, "application/json") && accepts(accept, "text/event-stream")) {
        return bad(
            req,
            406,
            -32000,
            "Not Acceptable: Accept must list application/json and text/event-stream",
        );
    }
    let body = match wire::read_body(&mut req, http.opts.limits.max_body) {
        Ok(b) => b,
        Err(true) => {
            return bad(
                req,
                413,
                -32000,
                "Content Too Large: the body exceeds 4 MiB",
            );
        }
        Err(false) => return bad(req, 400, -32000, "Bad Request: the body could not be read"),
    };
    let Ok(text) = String::from_utf8(body) else {
        return bad(
            req,
            400,
            jsonrpc::PARSE_ERROR,
            "Parse error: the body is not UTF-8",
        );
    };
    let value: Value = if text.trim_start().starts_with('[') {
        Value::Null // a batch: only the dispatcher parses it (it bounds the item count first)
    } else {
        match serde_json::from_str(&text) {
            Ok(v) => v,
            Err(e) => return bad(req, 400, jsonrpc::PARSE_ERROR, &format!("Parse error: {e}")),
        }
    };
    let method = value.get("method").and_then(Value::as_str).unwrap_or("");
    let is_request = value.get("id").is_some_and(|id| !id.is_null()) && !method.is_empty();
    let empty = Map::new();
    let params = value
        .get("params")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let modern = is_request && version::is_modern_request(method, params);
    let header_version = header(&req, "MCP-Protocol-Version").map(str::to_string);
    if is_request && method == "initialize" && header_version.as_deref() == Some(version::MODERN) {
        // A 2026-07-28 request: that era has no initialize.
        let err = RpcError::method_not_found(method);
        let id = value.get("id").cloned().unwrap_or(Value::Null);
        return wire::json(req, 404, &jsonrpc::error(&id, &err), &[]);
    }
    if modern || (is_request && header_version.as_deref() == Some(version::MODERN)) {
        let checked = if modern {
            check_modern_headers(&req, method, params)
        } else {
            Err(
                "MCP-Protocol-Version is 2026-07-28 but the body has no _meta protocolVersion"
                    .into(),
            )
        };
        if let Err(why) = checked {
            let err = RpcError::new(jsonrpc::HEADER_MISMATCH, format!("Header mismatch: {why}"));
            let id = value.get("id").cloned().unwrap_or(Value::Null);
            return wire::json(req, 400, &jsonrpc::error(&id, &err), &[]);
        }
        let session = HttpSession::detached(Session::new());
        let step = http.server.receive_as(&session.mcp, &text, caller);
        return answer(http, req, step, session, Vec::new(), true);
    }
    let legacy_version = match header_version.as_deref() {
        None => None,
        Some(v) => match version::LEGACY.iter().find(|l| **l == v) {
            Some(l) => Some(*l),
            None => {
                let msg = format!(
                    "Bad Request: unsupported MCP-Protocol-Version {v:?} (supported: {})",
                    version::supported().join(", ")
                );
                return bad(req, 400, -32000, &msg);
            }
        },
    };
    let is_initialize = is_request && method == "initialize";
    let session = if http.opts.stateless {
        let mcp = if is_initialize {
            Session::new()
        } else {
            Session::preinitialized(legacy_version.unwrap_or("2025-03-26"))
        };
        HttpSession::detached(mcp)
    } else if is_initialize {
        match http.sessions.create(owner(&caller), None) {
            Some(s) => s,
            None => {
                let body = rpc_error(-32000, "Service Unavailable: too many open sessions");
                return wire::json(req, 503, &body, &[("Retry-After", "5")]);
            }
        }
    } else {
        let Some(id) = header(&req, SESSION_HEADER) else {
            return bad(
                req,
                400,
                -32000,
                "Bad Request: the Mcp-Session-Id header is required (send initialize first)",
            );
        };
        match http.sessions.get(id, owner(&caller)) {
            Ok(s) => s,
            Err(_) => return bad(req, 404, -32001, "Session not found: initialize again"),
        }
    };
    let step = http.server.receive_as(&session.mcp, &text, caller);
    let mut headers = Vec::new();
    if is_initialize && !session.id.is_empty() {
        let failed = matches!(&step, Step::Done(Some(r)) if r.get("error").is_some());
        if failed {
            http.sessions.remove(&session.id);
        } else {
            headers.push((SESSION_HEADER, session.id.clone()));
        }
    }
    answer(http, req, step, session, headers, false)
}

/// Send a dispatcher outcome: a direct answer, 202, or a queued call.
fn answer<S: Send + Sync + 'static>(
    http: &Http<S>,
    req: Request,
    step: Step,
    session: Arc<HttpSession>,
    headers: Vec<(&'static str, String)>,
    modern: bool,
) {
    let hdrs: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
    match step {
        Step::Done(Some(reply)) => wire::json(req, status_for(&reply, modern), &reply, &hdrs),
        Step::Done(None) => wire::empty(req, 202, &hdrs),
        Step::Queue(job) => {
            let stream = job.wants_stream() && http.open_stream();
            let work = Work {
                job,
                session,
                reply: ReplyTo::Http {
                    req: Box::new(req),
                    headers,
                    stream,
                },
            };
            if let Err(work) = http.enqueue(work) {
                let Work {
                    job,
                    session,
                    reply,
                } = *work;
                let err =
                    RpcError::new(-32000, "Server busy: too many calls queued; retry shortly");
                let reply_body = http.server.refuse(&session.mcp, job, &err);
                if let ReplyTo::Http { req, stream, .. } = reply {
                    if stream {
                        http.close_stream();
                    }
                    wire::json(*req, 503, &reply_body, &[("Retry-After", "1")]);
                }
            }
        }
    }
}

fn delete<S: Send + Sync + 'static>(http: &Http<S>, req: Request, caller: Option<Arc<Caller>>) {
    let Some(id) = header(&req, SESSION_HEADER).map(str::to_string) else {
        return bad(
            req,
            400,
            -32000,
            "Bad Request: the Mcp-Session-Id header is required",
        );
    };
    match http.sessions.get(&id, owner(&caller)) {
        Ok(_) => {
            http.sessions.remove(&id);
            wire::empty(req, 204, &[]);
        }
        Err(_) => bad(req, 404, -32001, "Session not found"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn accept_ranges() {
        assert!(accepts(
            "application/json, text/event-stream",
            "text/event-stream"
        ));
        assert!(accepts("*/*", "application/json"));
        assert!(accepts("text/*;q=0.5", "text/event-stream"));
        assert!(!accepts("application/json", "text/event-stream"));
        assert!(!accepts("", "application/json"));
    }

    #[test]
    fn statuses() {
        let err =
            |code: i64, id: Value| json!({"jsonrpc": "2.0", "id": id, "error": {"code": code}});
        assert_eq!(status_for(&json!({"result": {}}), true), 200);
        assert_eq!(status_for(&err(-32601, json!(1)), true), 404);
        assert_eq!(status_for(&err(-32601, json!(1)), false), 200);
        assert_eq!(status_for(&err(-32022, json!(1)), true), 400);
        assert_eq!(status_for(&err(-32600, Value::Null), false), 400);
        assert_eq!(status_for(&err(-32700, json!(1)), false), 400);
    }
}

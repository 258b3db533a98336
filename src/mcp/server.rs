//! The MCP dispatcher, without I/O: parses a framed message, classifies it (handshake era or
//! stateless 2026-07-28), answers lifecycle and listing requests at once, and turns tool calls
//! into jobs that a transport runs on its worker pool.

use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use serde_json::{Map, Value, json};

use super::call::{self, Args, CallCtx, Outbox, ToolError};
use super::caller::Caller;
use super::content::{self, Output};
use super::jsonrpc::{self, Message, RpcError};
use super::logging::Level;
use super::registry::{Filter, Tool};
use super::version::{self, Era};

mod batch;
mod direct;
mod jobs;
mod unknown;

pub use batch::{MAX_BATCH_ITEMS, MAX_BATCH_REPLY_BYTES};

const META_VERSION: &str = "io.modelcontextprotocol/protocolVersion";
const META_CAPABILITIES: &str = "io.modelcontextprotocol/clientCapabilities";
const META_LOG_LEVEL: &str = "io.modelcontextprotocol/logLevel";
const META_SERVER_INFO: &str = "io.modelcontextprotocol/serverInfo";

/// How long a 2026-07-28 client may cache `server/discover` and `tools/list` (the list only
/// changes when the server restarts with another configuration).
pub const LIST_TTL_MS: u64 = 300_000;

/// Name, version and title reported to clients.
#[derive(Debug, Clone)]
pub struct ServerInfo {
    pub name: &'static str,
    pub title: &'static str,
    pub version: &'static str,
}

/// One client connection's handshake state: the stdio process, or one HTTP session.
#[derive(Default)]
pub struct Session {
    version: Mutex<Option<&'static str>>,
    log_level: Mutex<Option<Level>>,
    inflight: Mutex<HashMap<String, Arc<AtomicBool>>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Session {
    /// A session that still needs `initialize`.
    pub fn new() -> Self {
        Self::default()
    }

    /// A session that behaves as if it had negotiated `version` (legacy stateless HTTP).
    pub fn preinitialized(version: &'static str) -> Self {
        let s = Self::default();
        *lock(&s.version) = Some(version);
        s
    }

    /// The negotiated handshake-era version, once `initialize` succeeded.
    pub fn version(&self) -> Option<&'static str> {
        *lock(&self.version)
    }

    /// Number of tool calls running or queued.
    pub fn in_flight(&self) -> usize {
        lock(&self.inflight).len()
    }

    /// Mark every running call cancelled (transport shutting down or stream closed).
    pub fn cancel_all(&self) {
        for flag in lock(&self.inflight).values() {
            flag.store(true, Ordering::Relaxed);
        }
    }
}

/// Work a transport must run on a worker thread.
pub enum Job {
    Call(CallJob),
    /// A 2025-03-26 JSON-RPC batch, answered as one array.
    Batch(Vec<Value>, Option<Arc<Caller>>),
}

/// A validated tool call waiting for a worker.
pub struct CallJob {
    id: Value,
    key: String,
    tool: usize,
    args: Args,
    cancelled: Arc<AtomicBool>,
    progress_token: Option<Value>,
    log_level: Option<Level>,
    era: Era,
    caller: Option<Arc<Caller>>,
}

/// The outcome of receiving one framed message.
pub enum Step {
    /// Answered (or, for notifications and client responses, nothing to send).
    Done(Option<Value>),
    /// A tool call or batch for the worker pool.
    Queue(Job),
}

/// The MCP server: tool catalogue, filter, application state and identity.
pub struct Server<S: 'static> {
    info: ServerInfo,
    instructions: String,
    tools: Vec<&'static Tool<S>>,
    filter: Filter,
    listed: Vec<Value>,
    cache_scope: &'static str,
    /// Explains an unknown tool name given the declared names (a typo, a tool to come).
    unknown_help: Option<fn(&str, &[&str]) -> String>,
    state: S,
}

impl<S: Send + Sync + 'static> Server<S> {
    /// `tools` in the order `tools/list` shows them; `filter` decides which are exposed.
    pub fn new(
        info: ServerInfo,
        instructions: String,
        tools: Vec<&'static Tool<S>>,
        filter: Filter,
        state: S,
    ) -> Self {
        let listed = tools
            .iter()
            .filter(|t| filter.hidden_because(t).is_none())
            .map(|t| t.definition())
            .collect();
        Server {
            info,
            instructions,
            tools,
            filter,
            listed,
            cache_scope: "public",
            unknown_help: None,
            state,
        }
    }

    /// `private` when the tool list may differ per caller (multi-user HTTP).
    pub fn with_cache_scope(mut self, scope: &'static str) -> Self {
        self.cache_scope = scope;
        self
    }

    pub fn info(&self) -> &ServerInfo {
        &self.info
    }

    pub fn instructions(&self) -> &str {
        &self.instructions
    }

    pub fn state(&self) -> &S {
        &self.state
    }

    pub fn filter(&self) -> &Filter {
        &self.filter
    }

    /// Every declared tool, exposed or not.
    pub fn all_tools(&self) -> &[&'static Tool<S>] {
        &self.tools
    }

    /// The definitions `tools/list` returns.
    pub fn listed(&self) -> &[Value] {
        &self.listed
    }

    pub fn tool(&self, name: &str) -> Option<&'static Tool<S>> {
        self.tools.iter().copied().find(|t| t.name == name)
    }

    fn server_info_json(&self) -> Value {
        json!({"name": self.info.name, "title": self.info.title, "version": self.info.version})
    }

    fn capabilities() -> Value {
        json!({"tools": {"listChanged": false}, "logging": {}})
    }

    /// Receive one framed message (a stdio line or an HTTP body).
    pub fn receive(&self, session: &Session, text: &str) -> Step {
        self.receive_as(session, text, None)
    }

    /// Receive one message on behalf of an HTTP caller, whose identity the tool calls carry.
    pub fn receive_as(&self, session: &Session, text: &str, caller: Option<Arc<Caller>>) -> Step {
        if let Some(err) = batch::too_many_in(text) {
            return Step::Done(Some(jsonrpc::error(&Value::Null, &err)));
        }
        let value: Value = match serde_json::from_str(text) {
            Ok(v) => v,
            Err(e) => {
                let err = RpcError::new(jsonrpc::PARSE_ERROR, format!("Parse error: {e}"));
                return Step::Done(Some(jsonrpc::error(&Value::Null, &err)));
            }
        };
        match value {
            Value::Array(items) => {
                let err = if items.is_empty() {
                    RpcError::invalid_request("Invalid request: empty batch")
                } else if session.version() != Some(version::BATCH_VERSION) {
                    RpcError::invalid_request(
                        "Invalid request: JSON-RPC batches are only accepted in a session that negotiated protocol version 2025-03-26",
                    )
                } else if let Some(err) = batch::too_many(&items) {
                    err
                } else {
                    return Step::Queue(Job::Batch(items, caller));
                };
                Step::Done(Some(jsonrpc::error(&Value::Null, &err)))
            }
            single => self.receive_value(session, single, false, caller),
        }
    }

    fn receive_value(
        &self,
        session: &Session,
        value: Value,
        in_batch: bool,
        caller: Option<Arc<Caller>>,
    ) -> Step {
        let (id, method, params) = match jsonrpc::classify(value) {
            Err(rejected) => {
                return Step::Done(Some(jsonrpc::error(&rejected.id, &rejected.error)));
            }
            Ok(Message::Response) => return Step::Done(None),
            Ok(Message::Notification { method, params }) => {
                self.notification(session, &method, &params);
                return Step::Done(None);
            }
            Ok(Message::Request { id, method, params }) => (id, method, params),
        };
        let era = if version::is_modern_request(&method, &params) {
            match self.check_modern_meta(&params) {
                Ok(level) => Era::Modern(level),
                Err(e) => return Step::Done(Some(jsonrpc::error(&id, &e))),
            }
        } else {
            Era::Legacy
        };
        let outcome = match era {
            Era::Modern(_) => self.modern(session, &id, &method, params, era, caller),
            Era::Legacy => self.legacy(session, &id, &method, params, in_batch, caller),
        };
        match outcome {
            Ok(Step::Done(Some(result))) => Step::Done(Some(jsonrpc::result(&id, result))),
            Ok(step) => step,
            Err(e) => Step::Done(Some(jsonrpc::error(&id, &e))),
        }
    }

    fn notification(&self, session: &Session, method: &str, params: &Map<String, Value>) {
        if method == "notifications/cancelled" {
            let Some(id) = params.get("requestId").filter(|v| jsonrpc::valid_id(v)) else {
                return;
            };
            if let Some(flag) = lock(&session.inflight).get(&jsonrpc::id_key(id)) {
                flag.store(true, Ordering::Relaxed);
                log::debug!("request {id} cancelled by the client");
            }
        }
        // notifications/initialized and anything else: nothing to do.
    }

    /// Validate the per-request `_meta` of a 2026-07-28 request; returns its log level.
    fn check_modern_meta(&self, params: &Map<String, Value>) -> Result<Option<Level>, RpcError> {
        let meta = params.get("_meta").and_then(Value::as_object);
        let Some(meta) = meta else {
            return Err(RpcError::invalid_params(format!(
                "Invalid params: a 2026-07-28 request needs params._meta with {META_VERSION} and {META_CAPABILITIES}"
            )));
        };
        let Some(requested) = meta.get(META_VERSION).and_then(Value::as_str) else {
            return Err(RpcError::invalid_params(format!(
                "Invalid params: _meta.{META_VERSION} must be a string"
            )));
        };
        if requested != version::MODERN {
            return Err(RpcError::new(
                jsonrpc::UNSUPPORTED_VERSION,
                "Unsupported protocol version",
            )
            .with_data(json!({"supported": version::supported(), "requested": requested})));
        }
        if !meta.get(META_CAPABILITIES).is_some_and(Value::is_object) {
            return Err(RpcError::invalid_params(format!(
                "Invalid params: _meta.{META_CAPABILITIES} must be an object"
            )));
        }
        match meta.get(META_LOG_LEVEL) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => v.as_str().and_then(Level::parse).map(Some).ok_or_else(|| {
                RpcError::invalid_params(format!(
                    "Invalid params: _meta.{META_LOG_LEVEL} must be one of {}",
                    Level::names().collect::<Vec<_>>().join(", ")
                ))
            }),
        }
    }

    fn modern(
        &self,
        session: &Session,
        id: &Value,
        method: &str,
        params: Map<String, Value>,
        era: Era,
        caller: Option<Arc<Caller>>,
    ) -> Result<Step, RpcError> {
        let mut result = match method {
            "server/discover" => json!({
                "supportedVersions": version::supported(),
                "capabilities": Self::capabilities(),
                "instructions": self.instructions,
                "ttlMs": LIST_TTL_MS,
                "cacheScope": self.cache_scope,
            }),
            "tools/list" => {
                let mut r = self.tools_list(&params)?;
                r["ttlMs"] = json!(LIST_TTL_MS);
                r["cacheScope"] = json!(self.cache_scope);
                r
            }
            "tools/call" => return self.prepare_call(session, id, params, era, caller),
            _ => return Err(RpcError::method_not_found(method)),
        };
        self.stamp_modern(&mut result);
        Ok(Step::Done(Some(result)))
    }

    /// Add the fields every 2026-07-28 result carries.
    fn stamp_modern(&self, result: &mut Value) {
        result["resultType"] = json!("complete");
        result["_meta"] = json!({ META_SERVER_INFO: self.server_info_json() });
    }

    fn legacy(
        &self,
        session: &Session,
        id: &Value,
        method: &str,
        params: Map<String, Value>,
        in_batch: bool,
        caller: Option<Arc<Caller>>,
    ) -> Result<Step, RpcError> {
        let done = |v: Value| Ok(Step::Done(Some(v)));
        match method {
            "initialize" if in_batch => Err(RpcError::invalid_request(
                "Invalid request: initialize must not be part of a batch",
            )),
            "initialize" => done(self.initialize(session, &params)?),
            "ping" => done(json!({})),
            _ if session.version().is_none() => Err(RpcError::invalid_request(format!(
                "Invalid request: {method} before initialize; send initialize first (or use 2026-07-28 per-request _meta)"
            ))),
            "tools/list" => done(self.tools_list(&params)?),
            "tools/call" => self.prepare_call(session, id, params, Era::Legacy, caller),
            "logging/setLevel" => {
                let level = params
                    .get("level")
                    .and_then(Value::as_str)
                    .and_then(Level::parse)
                    .ok_or_else(|| {
                        RpcError::invalid_params(format!(
                            "Invalid params: level must be one of {}",
                            Level::names().collect::<Vec<_>>().join(", ")
                        ))
                    })?;
                *lock(&session.log_level) = Some(level);
                done(json!({}))
            }
            _ => Err(RpcError::method_not_found(method)),
        }
    }

    fn initialize(
        &self,
        session: &Session,
        params: &Map<String, Value>,
    ) -> Result<Value, RpcError> {
        let requested = params
            .get("protocolVersion")
            .and_then(Value::as_str)
            .ok_or_else(|| {
                RpcError::invalid_params("Invalid params: protocolVersion must be a string")
            })?;
        let mut negotiated = lock(&session.version);
        if negotiated.is_some() {
            return Err(RpcError::invalid_request(
                "Invalid request: the session is already initialized",
            ));
        }
        let answer = version::negotiate_legacy(requested);
        *negotiated = Some(answer);
        log::info!("initialize: client asked for {requested}, answering {answer}");
        Ok(json!({
            "protocolVersion": answer,
            "capabilities": Self::capabilities(),
            "serverInfo": self.server_info_json(),
            "instructions": self.instructions,
        }))
    }

    fn tools_list(&self, params: &Map<String, Value>) -> Result<Value, RpcError> {
        if params.get("cursor").is_some_and(|c| !c.is_null()) {
            return Err(RpcError::invalid_params(
                "Invalid params: unknown cursor (tools/list returns every tool in one page)",
            ));
        }
        Ok(json!({ "tools": self.listed }))
    }

    fn prepare_call(
        &self,
        session: &Session,
        id: &Value,
        mut params: Map<String, Value>,
        era: Era,
        caller: Option<Arc<Caller>>,
    ) -> Result<Step, RpcError> {
        let name = match params.get("name") {
            Some(Value::String(n)) => n.clone(),
            _ => {
                return Err(RpcError::invalid_params(
                    "Invalid params: name must be a string",
                ));
            }
        };
        let index = self
            .tools
            .iter()
            .position(|t| t.name == name)
            .ok_or_else(|| RpcError::invalid_params(self.unknown_tool(&name)))?;
        let tool = self.tools[index];
        let raw = match params.remove("arguments") {
            None | Some(Value::Null) => Map::new(),
            Some(Value::Object(m)) => m,
            Some(_) => {
                return Err(RpcError::invalid_params(
                    "Invalid params: arguments must be an object",
                ));
            }
        };
        if let Era::Modern(_) = era {
            let caps = params
                .get("_meta")
                .and_then(|m| m.get(META_CAPABILITIES))
                .and_then(Value::as_object);
            let missing: Map<String, Value> = tool
                .client_capabilities
                .iter()
                .filter(|c| !caps.is_some_and(|caps| caps.contains_key(**c)))
                .map(|c| (c.to_string(), json!({})))
                .collect();
            if !missing.is_empty() {
                return Err(RpcError::new(
                    jsonrpc::MISSING_CLIENT_CAPABILITY,
                    format!("Missing required client capability for tool {name}"),
                )
                .with_data(json!({"requiredCapabilities": missing})));
            }
        }
        let checked = match self.filter.hidden_because(tool) {
            Some(reason) => Err(ToolError::NotAvailable { reason }),
            None => call::validate(tool, raw, &self.filter.relaxed_formats),
        };
        let args = match checked {
            Ok(args) => args,
            Err(e) => {
                let version = Self::version_of(session, era);
                return Ok(Step::Done(Some(self.tool_result(
                    tool.name,
                    Err(e),
                    era,
                    version,
                ))));
            }
        };
        let progress_token = params
            .get("_meta")
            .and_then(|m| m.get("progressToken"))
            .filter(|t| t.is_string() || t.is_i64() || t.is_u64())
            .cloned();
        let log_level = match era {
            Era::Modern(level) => level,
            Era::Legacy => *lock(&session.log_level),
        };
        let key = jsonrpc::id_key(id);
        let cancelled = Arc::new(AtomicBool::new(false));
        lock(&session.inflight).insert(key.clone(), cancelled.clone());
        Ok(Step::Queue(Job::Call(CallJob {
            id: id.clone(),
            key,
            tool: index,
            args,
            cancelled,
            progress_token,
            log_level,
            era,
            caller,
        })))
    }

    /// The protocol version a call's result is shaped for.
    fn version_of(session: &Session, era: Era) -> &'static str {
        match era {
            Era::Modern(_) => version::MODERN,
            Era::Legacy => session.version().unwrap_or(version::LEGACY[3]),
        }
    }

    /// Shape a handler outcome as a `tools/call` result for `version`.
    fn tool_result(
        &self,
        tool: &str,
        outcome: Result<Output, ToolError>,
        era: Era,
        version: &str,
    ) -> Value {
        let mut result = match outcome {
            Ok(output) => content::render(output, version),
            Err(e) => json!({
                "content": [{"type": "text", "text": format!("Error calling {tool}: {e}")}],
                "isError": true
            }),
        };
        if let Era::Modern(_) = era {
            self.stamp_modern(&mut result);
        }
        result
    }

    /// Run queued work on the calling (worker) thread; returns the response to send, if any,
    /// serialized (a batch's replies are collected as text: as values they would take several
    /// times the memory).
    pub fn run(&self, session: &Session, job: Job, outbox: &dyn Outbox) -> Option<String> {
        match job {
            Job::Call(c) => self.run_call(session, c, outbox).map(|r| r.to_string()),
            Job::Batch(items, caller) => self.run_batch(session, items, caller, outbox),
        }
    }

    fn run_call(&self, session: &Session, job: CallJob, outbox: &dyn Outbox) -> Option<Value> {
        let tool = self.tools[job.tool];
        let outcome = if job.cancelled.load(Ordering::Relaxed) {
            Err(ToolError::Cancelled)
        } else {
            let ctx = CallCtx::new(
                job.cancelled.clone(),
                job.progress_token,
                job.log_level,
                outbox,
            )
            .with_caller(job.caller.clone())
            .with_tool(tool.name, tool.availability);
            catch_unwind(AssertUnwindSafe(|| {
                (tool.handler)(&self.state, &job.args, &ctx)
            }))
            .unwrap_or_else(|_| {
                log::error!("tool {} panicked", tool.name);
                Err(ToolError::failed("internal error in the server").hint(
                    "This is a bug in mcp-atlassian; please report it with the arguments used",
                ))
            })
        };
        lock(&session.inflight).remove(&job.key);
        if job.cancelled.load(Ordering::Relaxed) {
            return None;
        }
        let version = Self::version_of(session, job.era);
        Some(jsonrpc::result(
            &job.id,
            self.tool_result(tool.name, outcome, job.era, version),
        ))
    }
}

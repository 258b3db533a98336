//! One tool call: argument validation against the declared parameters, the validated `Args`
//! handlers read, the per-call context (cancellation, progress, log messages) and the tool error
//! that becomes an `isError` result.

use std::fmt;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::{Map, Value, json};

use super::caller::Caller;
use super::jsonrpc;
use super::logging::Level;
use super::registry::{Availability, ParamType, Tool};

/// Where server-to-client notifications go (the stdio writer, an SSE stream, or nowhere).
pub trait Outbox: Send + Sync {
    fn send(&self, message: Value);

    /// A message already serialized (a batch's replies, which are far smaller as text than as
    /// values). Outboxes that write text take it as is; the default reads it back.
    fn send_text(&self, text: String) {
        if let Ok(message) = serde_json::from_str(&text) {
            self.send(message);
        }
    }
}

/// An outbox that drops everything (CLI calls, plain JSON HTTP responses).
pub struct Discard;

impl Outbox for Discard {
    fn send(&self, _message: Value) {}
    fn send_text(&self, _text: String) {}
}

/// Why a tool call failed, told to the model: what went wrong and what to do about it.
#[derive(Debug, Clone, PartialEq)]
pub enum ToolError {
    /// An argument is missing, of the wrong type or out of range.
    InvalidArgument { param: String, problem: String },
    /// The tool exists but this configuration does not allow it.
    NotAvailable { reason: String },
    /// The call was cancelled by the client.
    Cancelled,
    /// Upstream or business failure with an optional hint on how to recover.
    Failed {
        message: String,
        hint: Option<String>,
    },
}

impl ToolError {
    pub fn failed(message: impl Into<String>) -> Self {
        ToolError::Failed {
            message: message.into(),
            hint: None,
        }
    }

    pub fn hint(self, hint: impl Into<String>) -> Self {
        match self {
            ToolError::Failed { message, .. } => ToolError::Failed {
                message,
                hint: Some(hint.into()),
            },
            other => other,
        }
    }
}

impl fmt::Display for ToolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ToolError::InvalidArgument { param, problem } => write!(
                f,
                "invalid argument {param}: {problem}. Fix the argument and call again."
            ),
            ToolError::NotAvailable { reason } => {
                write!(f, "this tool is not available because {reason}.")
            }
            ToolError::Cancelled => write!(f, "the call was cancelled."),
            ToolError::Failed { message, hint } => {
                // Upstream messages often end with their own period: one is enough.
                let message = message.trim_end().trim_end_matches('.');
                match hint {
                    Some(h) => write!(f, "{message}. {}.", h.trim_end().trim_end_matches('.')),
                    None => write!(f, "{message}."),
                }
            }
        }
    }
}

/// Arguments that passed validation, with defaults filled in.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Args(Map<String, Value>);

impl Args {
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.0.get(name)
    }
    pub fn str(&self, name: &str) -> Option<&str> {
        self.0.get(name).and_then(Value::as_str)
    }
    pub fn int(&self, name: &str) -> Option<i64> {
        self.0.get(name).and_then(Value::as_i64)
    }
    pub fn bool(&self, name: &str) -> Option<bool> {
        self.0.get(name).and_then(Value::as_bool)
    }
    /// A string argument, `""` when absent (required and defaulted ones are always present).
    pub fn string(&self, name: &str) -> &str {
        self.str(name).unwrap_or_default()
    }
    /// A boolean argument; `false` when absent (a declared default is always filled in, so
    /// handlers never repeat it).
    pub fn flag(&self, name: &str) -> bool {
        self.bool(name).unwrap_or(false)
    }
    /// A whole number, 0 when absent (declared defaults are filled in by validation).
    pub fn number(&self, name: &str) -> i64 {
        self.int(name).unwrap_or(0)
    }
    /// A non-negative whole number (validation enforces the declared minimum), 0 when absent.
    pub fn count(&self, name: &str) -> usize {
        self.int(name).unwrap_or(0).max(0) as usize
    }
    /// A string argument split at commas, trimmed, empty items dropped; for a string array, its
    /// items.
    pub fn list(&self, name: &str) -> Vec<String> {
        match self.0.get(name) {
            Some(Value::String(s)) => s
                .split(',')
                .map(str::trim)
                .filter(|x| !x.is_empty())
                .map(str::to_string)
                .collect(),
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect(),
            _ => Vec::new(),
        }
    }
    pub fn as_map(&self) -> &Map<String, Value> {
        &self.0
    }
    /// Arguments from a map as is (tests of handlers).
    pub fn from_map(map: Map<String, Value>) -> Self {
        Args(map)
    }
}

fn bad(param: &str, problem: impl Into<String>) -> ToolError {
    ToolError::InvalidArgument {
        param: param.into(),
        problem: problem.into(),
    }
}

fn describe(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Coerce one argument to its declared type. Lenient where models commonly slip (an integer sent
/// as `"10"`, a boolean as `"true"`), strict otherwise.
fn coerce(name: &str, ty: ParamType, v: Value) -> Result<Value, ToolError> {
    match (ty, v) {
        (ParamType::String, Value::String(s)) => Ok(Value::String(s)),
        (ParamType::String, Value::Number(n)) => Ok(Value::String(n.to_string())),
        (ParamType::Integer, Value::Number(n)) => match n.as_i64() {
            Some(i) => Ok(json!(i)),
            None => match n.as_f64() {
                Some(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Ok(json!(f as i64)),
                _ => Err(bad(name, format!("expected a whole number, got {n}"))),
            },
        },
        (ParamType::Integer, Value::String(s)) => s
            .trim()
            .parse::<i64>()
            .map(|i| json!(i))
            .map_err(|_| bad(name, format!("expected a whole number, got {s:?}"))),
        (ParamType::Number, Value::Number(n)) => Ok(Value::Number(n)),
        (ParamType::Number, Value::String(s)) => s
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .map(|f| json!(f))
            .ok_or_else(|| bad(name, format!("expected a number, got {s:?}"))),
        (ParamType::Boolean, Value::Bool(b)) => Ok(Value::Bool(b)),
        (ParamType::Boolean, Value::String(s)) => match s.to_ascii_lowercase().as_str() {
            "true" => Ok(Value::Bool(true)),
            "false" => Ok(Value::Bool(false)),
            _ => Err(bad(name, format!("expected true or false, got {s:?}"))),
        },
        (ParamType::StringArray, Value::Array(items)) => {
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                match item {
                    Value::String(s) => out.push(Value::String(s)),
                    Value::Number(n) => out.push(Value::String(n.to_string())),
                    other => {
                        return Err(bad(
                            name,
                            format!("expected an array of strings, found {}", describe(&other)),
                        ));
                    }
                }
            }
            Ok(Value::Array(out))
        }
        (ParamType::StringArray, Value::String(s)) => {
            // A JSON array in a string, or a comma-separated list.
            if s.trim_start().starts_with('[') {
                let parsed: Value = serde_json::from_str(&s)
                    .map_err(|e| bad(name, format!("not a valid JSON array: {e}")))?;
                coerce(name, ty, parsed)
            } else {
                Ok(Value::Array(
                    s.split(',')
                        .map(str::trim)
                        .filter(|x| !x.is_empty())
                        .map(|x| json!(x))
                        .collect(),
                ))
            }
        }
        (ParamType::ObjectArray, Value::Array(items)) => {
            if let Some(other) = items.iter().find(|i| !i.is_object()) {
                return Err(bad(
                    name,
                    format!("expected an array of objects, found {}", describe(other)),
                ));
            }
            Ok(Value::Array(items))
        }
        (ParamType::ObjectArray, Value::String(s)) => {
            let parsed: Value = serde_json::from_str(&s)
                .map_err(|e| bad(name, format!("not a valid JSON array of objects: {e}")))?;
            match parsed {
                Value::Array(_) => coerce(name, ty, parsed),
                other => Err(bad(
                    name,
                    format!("expected an array of objects, found {}", describe(&other)),
                )),
            }
        }
        (ParamType::JsonObject, Value::Object(o)) => Ok(Value::Object(o)),
        (ParamType::JsonArray, Value::Array(a)) => Ok(Value::Array(a)),
        (ParamType::JsonObject | ParamType::JsonArray, Value::String(s)) => {
            let want_object = ty == ParamType::JsonObject;
            let parsed: Value = serde_json::from_str(&s).map_err(|e| {
                bad(
                    name,
                    format!(
                        "expected a JSON {} (as an object or a JSON string): {e}",
                        if want_object { "object" } else { "array" }
                    ),
                )
            })?;
            match (want_object, &parsed) {
                (true, Value::Object(_)) | (false, Value::Array(_)) => Ok(parsed),
                _ => Err(bad(
                    name,
                    format!(
                        "expected a JSON {}, found {}",
                        if want_object { "object" } else { "array" },
                        describe(&parsed)
                    ),
                )),
            }
        }
        (ty, other) => Err(bad(
            name,
            format!(
                "expected {}, found {}",
                match ty {
                    ParamType::String => "a string",
                    ParamType::Integer => "a whole number",
                    ParamType::Number => "a number",
                    ParamType::Boolean => "a boolean",
                    ParamType::StringArray => "an array of strings",
                    ParamType::ObjectArray => "an array of objects",
                    ParamType::JsonObject => "a JSON object",
                    ParamType::JsonArray => "a JSON array",
                },
                describe(&other)
            ),
        )),
    }
}

/// Validate raw `arguments` against the tool's parameters: unknown names, required ones, types,
/// ranges, choices and formats (except the `relaxed` ones). Defaults are filled in. `null`
/// counts as absent.
pub fn validate<S>(
    tool: &Tool<S>,
    raw: Map<String, Value>,
    relaxed: &[&str],
) -> Result<Args, ToolError> {
    let mut out = Map::new();
    for (name, value) in raw {
        let Some(param) = tool.param(&name) else {
            let known: Vec<&str> = tool.params.iter().map(|p| p.name).collect();
            return Err(bad(
                &name,
                if known.is_empty() {
                    "this tool takes no arguments".to_string()
                } else {
                    format!("unknown parameter; the parameters are {}", known.join(", "))
                },
            ));
        };
        if value.is_null() {
            continue;
        }
        let value = coerce(&name, param.ty, value)?;
        if let Some(i) = value.as_i64() {
            if let Some(min) = param.minimum
                && i < min
            {
                return Err(bad(&name, format!("{i} is below the minimum {min}")));
            }
            if let Some(max) = param.maximum
                && i > max
            {
                return Err(bad(&name, format!("{i} is above the maximum {max}")));
            }
        }
        if !param.choices.is_empty() {
            let s = value.as_str().unwrap_or_default();
            if !param.choices.contains(&s) {
                return Err(bad(
                    &name,
                    format!("{s:?} is not one of {}", param.choices.join(", ")),
                ));
            }
        }
        let format = param.format.filter(|f| !relaxed.contains(&f.name));
        let value = match (format.and_then(|f| f.normalize), value) {
            (Some(norm), Value::String(s)) => Value::String(norm(&s)),
            (Some(norm), Value::Array(items)) => Value::Array(
                items
                    .into_iter()
                    .map(|i| match i {
                        Value::String(s) => Value::String(norm(&s)),
                        other => other,
                    })
                    .collect(),
            ),
            (_, v) => v,
        };
        if let Some(format) = format {
            let items: Vec<&str> = match &value {
                Value::String(s) => vec![s.as_str()],
                Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
                _ => Vec::new(),
            };
            if let Some(wrong) = items.iter().find(|s| !(format.check)(s)) {
                return Err(bad(&name, format!("{wrong:?} is not {}", format.expected)));
            }
        }
        out.insert(name, value);
    }
    for p in tool.params {
        if out.contains_key(p.name) {
            continue;
        }
        if p.required {
            return Err(bad(p.name, "this parameter is required"));
        }
        if let Some(d) = p.default {
            out.insert(p.name.into(), d.to_json());
        }
    }
    Ok(Args(out))
}

/// Per-call context: cancellation flag, progress and log notifications for this request.
pub struct CallCtx<'a> {
    cancelled: Arc<AtomicBool>,
    progress_token: Option<Value>,
    last_progress: Mutex<f64>,
    log_level: Option<Level>,
    outbox: &'a dyn Outbox,
    caller: Option<Arc<Caller>>,
    tool: &'static str,
    availability: Availability,
}

impl<'a> CallCtx<'a> {
    pub fn new(
        cancelled: Arc<AtomicBool>,
        progress_token: Option<Value>,
        log_level: Option<Level>,
        outbox: &'a dyn Outbox,
    ) -> Self {
        CallCtx {
            cancelled,
            progress_token,
            last_progress: Mutex::new(f64::NEG_INFINITY),
            log_level,
            outbox,
            caller: None,
            tool: "",
            availability: Availability::Everywhere,
        }
    }

    /// Attach the tool being called (its name and where it can work), so the product layer can
    /// check the deployment of the site the call really uses.
    pub fn with_tool(mut self, name: &'static str, availability: Availability) -> Self {
        self.tool = name;
        self.availability = availability;
        self
    }

    /// The name of the tool being called (empty when detached from a tool).
    pub fn tool(&self) -> &'static str {
        self.tool
    }

    /// Where the tool being called can work.
    pub fn availability(&self) -> Availability {
        self.availability
    }

    /// Attach the HTTP caller the call runs for.
    pub fn with_caller(mut self, caller: Option<Arc<Caller>>) -> Self {
        self.caller = caller;
        self
    }

    /// The HTTP caller (credentials and kept headers); `None` on stdio and in the CLI.
    pub fn caller(&self) -> Option<&Caller> {
        self.caller.as_deref()
    }

    /// A context with no client attached (CLI, tests).
    pub fn detached(outbox: &'a dyn Outbox) -> Self {
        Self::new(Arc::new(AtomicBool::new(false)), None, None, outbox)
    }

    /// True once the client cancelled this call; long handlers check it between upstream requests.
    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::Relaxed)
    }

    /// `Err(Cancelled)` when cancelled, to use with `?` between steps.
    pub fn check(&self) -> Result<(), ToolError> {
        if self.is_cancelled() {
            Err(ToolError::Cancelled)
        } else {
            Ok(())
        }
    }

    /// Whether the client asked for progress notifications.
    pub fn wants_progress(&self) -> bool {
        self.progress_token.is_some()
    }

    /// Report progress (only when the client sent a progressToken; values must increase, so a
    /// value not above the last one is dropped).
    pub fn progress(&self, progress: f64, total: Option<f64>, message: Option<&str>) {
        let Some(token) = &self.progress_token else {
            return;
        };
        if self.is_cancelled() {
            return;
        }
        let mut last = self.last_progress.lock().unwrap_or_else(|e| e.into_inner());
        if progress <= *last {
            return;
        }
        *last = progress;
        let mut params = json!({"progressToken": token, "progress": progress});
        if let Some(t) = total {
            params["total"] = json!(t);
        }
        if let Some(m) = message {
            params["message"] = json!(m);
        }
        self.outbox
            .send(jsonrpc::notification("notifications/progress", params));
    }

    /// Send a `notifications/message` when the client asked for this level or a lower one.
    pub fn log(&self, level: Level, data: Value) {
        if let Some(min) = self.log_level
            && level >= min
            && !self.is_cancelled()
        {
            self.outbox.send(jsonrpc::notification(
                "notifications/message",
                json!({"level": level.as_str(), "logger": "mcp-atlassian", "data": data}),
            ));
        }
    }
}

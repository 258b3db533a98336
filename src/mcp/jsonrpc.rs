//! JSON-RPC 2.0 framing: classify one decoded JSON value as a request, notification or response,
//! and build result and error responses. Knows nothing of MCP methods.

use serde_json::{Map, Value, json};

/// Invalid JSON was received.
pub const PARSE_ERROR: i64 = -32700;
/// The JSON sent is not a valid request object (or is not allowed in the current state).
pub const INVALID_REQUEST: i64 = -32600;
/// The method does not exist or is not available.
pub const METHOD_NOT_FOUND: i64 = -32601;
/// Invalid method parameters (also: unknown tool, bad cursor, bad log level, missing `_meta`).
pub const INVALID_PARAMS: i64 = -32602;
/// Internal server error.
pub const INTERNAL_ERROR: i64 = -32603;
/// 2026-07-28: HTTP headers disagree with the body (HTTP 400).
pub const HEADER_MISMATCH: i64 = -32020;
/// 2026-07-28: the request needs a client capability it did not declare.
pub const MISSING_CLIENT_CAPABILITY: i64 = -32021;
/// 2026-07-28: the requested protocol version is not supported.
pub const UNSUPPORTED_VERSION: i64 = -32022;

/// A JSON-RPC protocol error: the code, a one-sentence message and optional data.
#[derive(Debug, Clone, PartialEq)]
pub struct RpcError {
    pub code: i64,
    pub message: String,
    pub data: Option<Value>,
}

impl RpcError {
    pub fn new(code: i64, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            data: None,
        }
    }

    pub fn with_data(mut self, data: Value) -> Self {
        self.data = Some(data);
        self
    }

    pub fn invalid_request(message: impl Into<String>) -> Self {
        Self::new(INVALID_REQUEST, message)
    }

    pub fn invalid_params(message: impl Into<String>) -> Self {
        Self::new(INVALID_PARAMS, message)
    }

    pub fn method_not_found(method: &str) -> Self {
        Self::new(METHOD_NOT_FOUND, format!("Method not found: {method}"))
    }
}

/// One decoded inbound message.
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    /// A request: `id` is a string or an integer, echoed exactly in the answer.
    Request {
        id: Value,
        method: String,
        params: Map<String, Value>,
    },
    /// A notification: never answered.
    Notification {
        method: String,
        params: Map<String, Value>,
    },
    /// A response from the client (we send no requests, so these are dropped).
    Response,
}

/// Why a value could not be classified; `id` is the request id when it could be read.
#[derive(Debug, Clone, PartialEq)]
pub struct Rejected {
    pub id: Value,
    pub error: RpcError,
}

/// True for ids JSON-RPC allows in MCP: strings and integers (never null, never fractions).
pub fn valid_id(id: &Value) -> bool {
    match id {
        Value::String(_) => true,
        Value::Number(n) => n.is_i64() || n.is_u64(),
        _ => false,
    }
}

/// Classify one JSON value (an element of a batch or a whole line/body).
pub fn classify(value: Value) -> Result<Message, Rejected> {
    let Value::Object(mut obj) = value else {
        return Err(Rejected {
            id: Value::Null,
            error: RpcError::invalid_request(
                "Invalid request: a JSON-RPC message must be an object",
            ),
        });
    };
    let id = obj.remove("id");
    let readable_id = id.clone().filter(valid_id).unwrap_or(Value::Null);
    let reject = |msg: &str| Rejected {
        id: readable_id.clone(),
        error: RpcError::invalid_request(format!("Invalid request: {msg}")),
    };
    if obj.get("jsonrpc") != Some(&Value::String("2.0".into())) {
        return Err(reject("\"jsonrpc\" must be \"2.0\""));
    }
    let method = match obj.remove("method") {
        Some(Value::String(m)) => m,
        Some(_) => return Err(reject("\"method\" must be a string")),
        None if obj.contains_key("result") || obj.contains_key("error") => {
            return Ok(Message::Response);
        }
        None => return Err(reject("missing \"method\"")),
    };
    let params = match obj.remove("params") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(p)) => p,
        // A notification is never answered, not even with an error.
        Some(_) if id.is_none() => Map::new(),
        Some(_) => {
            return Err(Rejected {
                id: readable_id,
                error: RpcError::invalid_params("Invalid params: \"params\" must be an object"),
            });
        }
    };
    match id {
        None => Ok(Message::Notification { method, params }),
        Some(id) if valid_id(&id) => Ok(Message::Request { id, method, params }),
        Some(_) => Err(reject("\"id\" must be a string or an integer")),
    }
}

/// A success response.
pub fn result(id: &Value, result: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "result": result})
}

/// An error response; `id` is `null` when the request id could not be read.
pub fn error(id: &Value, err: &RpcError) -> Value {
    let mut e = json!({"code": err.code, "message": err.message});
    if let Some(data) = &err.data {
        e["data"] = data.clone();
    }
    json!({"jsonrpc": "2.0", "id": id, "error": e})
}

/// A notification from the server.
pub fn notification(method: &str, params: Value) -> Value {
    json!({"jsonrpc": "2.0", "method": method, "params": params})
}

/// A stable map key for a request id (`"s:abc"` / `"n:5"`), so `"5"` and `5` stay distinct.
pub fn id_key(id: &Value) -> String {
    match id {
        Value::String(s) => format!("s:{s}"),
        other => format!("n:{other}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<Message, Rejected> {
        classify(serde_json::from_str(s).unwrap())
    }

    #[test]
    fn requests_keep_their_id_type() {
        let m = parse(r#"{"jsonrpc":"2.0","id":"7","method":"ping"}"#).unwrap();
        assert!(matches!(m, Message::Request { id: Value::String(ref s), .. } if s == "7"));
        let m = parse(r#"{"jsonrpc":"2.0","id":7,"method":"ping","extra":1}"#).unwrap();
        assert!(matches!(
            m,
            Message::Request {
                id: Value::Number(_),
                ..
            }
        ));
    }

    #[test]
    fn notifications_have_no_id() {
        let m = parse(r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#).unwrap();
        assert!(matches!(m, Message::Notification { .. }));
    }

    #[test]
    fn bad_messages_are_rejected_with_the_readable_id() {
        let r = parse(r#"{"jsonrpc":"1.0","id":3,"method":"ping"}"#).unwrap_err();
        assert_eq!((r.id, r.error.code), (json!(3), INVALID_REQUEST));
        let r = parse(r#"{"jsonrpc":"2.0","id":null,"method":"ping"}"#).unwrap_err();
        assert_eq!((r.id, r.error.code), (Value::Null, INVALID_REQUEST));
        let r = parse(r#"{"jsonrpc":"2.0","id":1.5,"method":"ping"}"#).unwrap_err();
        assert_eq!(r.error.code, INVALID_REQUEST);
        let r = parse(r#"{"jsonrpc":"2.0","id":1,"method":4}"#).unwrap_err();
        assert_eq!(r.error.code, INVALID_REQUEST);
        let r = parse(r#"{"jsonrpc":"2.0","id":1,"method":"x","params":[1]}"#).unwrap_err();
        assert_eq!((r.id, r.error.code), (json!(1), INVALID_PARAMS));
        let r = parse(r#""hello""#).unwrap_err();
        assert_eq!(r.error.code, INVALID_REQUEST);
    }

    #[test]
    fn notifications_with_odd_params_are_still_silent() {
        let m = parse(r#"{"jsonrpc":"2.0","method":"notifications/initialized","params":[1]}"#);
        assert!(matches!(m, Ok(Message::Notification { .. })));
    }

    #[test]
    fn responses_are_recognised() {
        assert_eq!(
            parse(r#"{"jsonrpc":"2.0","id":1,"result":{}}"#).unwrap(),
            Message::Response
        );
    }

    #[test]
    fn id_keys_distinguish_types() {
        assert_ne!(id_key(&json!(5)), id_key(&json!("5")));
    }
}

//! Writing HTTP answers on a tiny_http request: JSON bodies and empty statuses through
//! tiny_http, and server-sent event streams written by hand as flushed chunks (tiny_http's own
//! responses buffer the whole body, so they cannot stream).

use std::io::{self, Read, Write};

use serde_json::Value;
use tiny_http::{Header, Request, Response};

/// The first value of a request header (case-insensitive name).
pub fn header<'a>(req: &'a Request, name: &str) -> Option<&'a str> {
    req.headers()
        .iter()
        .find(|h| h.field.as_str().as_str().eq_ignore_ascii_case(name))
        .map(|h| h.value.as_str())
}

fn tiny_header(name: &str, value: &str) -> Option<Header> {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).ok()
}

fn send(req: Request, status: u16, body: Vec<u8>, headers: &[(&str, &str)]) {
    let mut resp = Response::from_data(body).with_status_code(status);
    let has_cors = headers
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("Access-Control-Allow-Origin"));
    let cors = if has_cors {
        Vec::new()
    } else {
        super::cors::headers(&req)
    };
    let cors: Vec<(&str, &str)> = cors.iter().map(|(k, v)| (*k, v.as_str())).collect();
    for (k, v) in headers.iter().chain(cors.iter()) {
        if let Some(h) = tiny_header(k, v) {
            resp.add_header(h);
        }
    }
    if let Err(e) = req.respond(resp) {
        log::debug!("writing a response failed: {e}");
    }
}

/// Answer with a JSON body.
pub fn json(req: Request, status: u16, body: &Value, headers: &[(&str, &str)]) {
    let mut all = vec![("Content-Type", "application/json")];
    all.extend_from_slice(headers);
    send(req, status, body.to_string().into_bytes(), &all);
}

/// Answer with a JSON body already serialized (the value it came from can be dropped before a
/// slow client reads it).
pub fn json_text(req: Request, status: u16, body: String, headers: &[(&str, &str)]) {
    let mut all = vec![("Content-Type", "application/json")];
    all.extend_from_slice(headers);
    send(req, status, body.into_bytes(), &all);
}

/// Answer with a body already encoded; `headers` carry its `Content-Type`.
pub fn bytes(req: Request, status: u16, body: Vec<u8>, headers: &[(&str, &str)]) {
    send(req, status, body, headers);
}

/// Answer with a status and no body.
pub fn empty(req: Request, status: u16, headers: &[(&str, &str)]) {
    send(req, status, Vec::new(), headers);
}

/// A JSON-RPC error without id, as the body of a transport-level refusal.
pub fn rpc_error(code: i64, message: &str) -> Value {
    serde_json::json!({"jsonrpc": "2.0", "id": null, "error": {"code": code, "message": message}})
}

/// Read the body, at most `max` bytes; `Err(true)` when it is larger, `Err(false)` on I/O.
pub fn read_body(req: &mut Request, max: usize) -> Result<Vec<u8>, bool> {
    let mut body = Vec::with_capacity(req.body_length().unwrap_or(0).min(max));
    match req.as_reader().take(max as u64 + 1).read_to_end(&mut body) {
        Ok(_) if body.len() > max => Err(true),
        Ok(_) => Ok(body),
        Err(_) => Err(false),
    }
}

/// An open `text/event-stream` response written as HTTP/1.1 chunks, one flush per event.
pub struct SseStream {
    out: Box<dyn Write + Send>,
}

impl SseStream {
    /// Send the status line and headers; `headers` are added (e.g. `Mcp-Session-Id`).
    pub fn open(req: Request, headers: &[(&str, &str)]) -> io::Result<SseStream> {
        let mut head = String::from(
            "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\nX-Accel-Buffering: no\r\nTransfer-Encoding: chunked\r\n",
        );
        for (k, v) in headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        for (k, v) in super::cors::headers(&req) {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str("\r\n");
        let mut out = req.into_writer();
        out.write_all(head.as_bytes())?;
        out.flush()?;
        Ok(SseStream { out })
    }

    fn chunk(&mut self, payload: &str) -> io::Result<()> {
        write!(self.out, "{:x}\r\n{payload}\r\n", payload.len())?;
        self.out.flush()
    }

    /// One event; `data` must not contain line breaks (compact JSON never does).
    pub fn event(&mut self, event: &str, data: &str) -> io::Result<()> {
        self.chunk(&format!("event: {event}\ndata: {data}\n\n"))
    }

    /// One JSON-RPC message, serialized, as a `message` event.
    pub fn message(&mut self, message: &str) -> io::Result<()> {
        self.event("message", message)
    }

    /// A comment line that keeps proxies and idle timers from closing the stream.
    pub fn keep_alive(&mut self) -> io::Result<()> {
        self.chunk(": keep-alive\n\n")
    }

    /// End the stream cleanly (the connection stays usable).
    pub fn finish(mut self) {
        let _ = self.out.write_all(b"0\r\n\r\n");
        let _ = self.out.flush();
    }
}

/// Decode an `Mcp-Name`-style header value: plain ASCII, or `=?base64?...?=`.
pub fn decode_header_value(value: &str) -> Option<String> {
    let Some(inner) = value
        .strip_prefix("=?base64?")
        .and_then(|v| v.strip_suffix("?="))
    else {
        return Some(value.to_string());
    };
    let out = crate::mcp::content::base64_decode(inner)?;
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_header_values() {
        assert_eq!(decode_header_value("plain").as_deref(), Some("plain"));
        assert_eq!(
            decode_header_value("=?base64?SGVsbG8g8J+Riw==?=").as_deref(),
            Some("Hello 👋")
        );
        assert_eq!(decode_header_value("=?base64?***?="), None);
    }
}

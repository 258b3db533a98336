//! Cross-origin answers for in-browser MCP clients: a request whose `Origin` the guard admits
//! gets `Access-Control-Allow-Origin` (that origin, never `*` with credentials) and sees the
//! `Mcp-Session-Id` header; an `OPTIONS` preflight from such an origin gets the methods and
//! headers MCP uses. Origins the guard refuses get no CORS headers, so browsers block them too.

use std::sync::RwLock;

use tiny_http::Request;

use super::HttpOptions;
use super::guard;

/// The transport's Origin rules, set once the listener is bound (one HTTP server per process).
static POLICY: RwLock<Option<HttpOptions>> = RwLock::new(None);

/// Use `opts` (allowed origins, loopback) for the CORS headers of every answer from now on.
pub fn set(opts: &HttpOptions) {
    *POLICY.write().unwrap_or_else(|e| e.into_inner()) = Some(opts.clone());
}

/// The request's Origin when the guard admits it.
fn admitted_origin(req: &Request) -> Option<String> {
    let origin = super::wire::header(req, "Origin")?;
    let host = super::wire::header(req, "Host");
    let policy = POLICY.read().unwrap_or_else(|e| e.into_inner());
    let opts = policy.as_ref()?;
    guard::refusal(opts, Some(origin), host)
        .is_none()
        .then(|| origin.to_string())
}

/// Headers that let a browser page of an admitted origin read this answer.
pub fn headers(req: &Request) -> Vec<(&'static str, String)> {
    match admitted_origin(req) {
        Some(origin) => vec![
            ("Access-Control-Allow-Origin", origin),
            ("Vary", "Origin".into()),
            (
                "Access-Control-Expose-Headers",
                "Mcp-Session-Id, MCP-Protocol-Version".into(),
            ),
        ],
        None => Vec::new(),
    }
}

/// The answer to an `OPTIONS` preflight: 204 with what MCP needs for an admitted origin, 403
/// otherwise.
pub fn preflight(req: Request) {
    let Some(origin) = admitted_origin(&req) else {
        super::wire::empty(req, 403, &[]);
        return;
    };
    // The headers a browser may send: MCP's own, credentials, and the per-request site headers.
    let asked = super::wire::header(&req, "Access-Control-Request-Headers").unwrap_or_default();
    let allowed_header = |h: &str| {
        let h = h.trim().to_ascii_lowercase();
        matches!(
            h.as_str(),
            "content-type"
                | "authorization"
                | "mcp-session-id"
                | "mcp-protocol-version"
                | "last-event-id"
                | "accept"
        ) || h.starts_with("x-atlassian-")
    };
    let allow: Vec<&str> = asked
        .split(',')
        .map(str::trim)
        .filter(|h| !h.is_empty() && allowed_header(h))
        .collect();
    let allow = if allow.is_empty() {
        "Content-Type, Authorization, Mcp-Session-Id, MCP-Protocol-Version, Last-Event-ID"
            .to_string()
    } else {
        allow.join(", ")
    };
    super::wire::empty(
        req,
        204,
        &[
            ("Access-Control-Allow-Origin", origin.as_str()),
            ("Vary", "Origin"),
            ("Access-Control-Allow-Methods", "GET, POST, DELETE, OPTIONS"),
            ("Access-Control-Allow-Headers", allow.as_str()),
            ("Access-Control-Max-Age", "600"),
        ],
    );
}

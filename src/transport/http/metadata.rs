//! OAuth 2.0 Protected Resource Metadata (RFC 9728) for servers that expect bearer tokens from
//! their callers: the document at `/.well-known/oauth-protected-resource` and at the same path
//! with the MCP endpoint appended (clients try the path-aware form first), and the
//! `WWW-Authenticate: Bearer resource_metadata="..."` value of every 401, so an OAuth-capable
//! MCP client can discover where to get a token. The application says which authorization
//! servers issue the tokens it forwards; this module only publishes them.

use serde_json::{Value, json};
use tiny_http::Request;

use super::HttpOptions;

/// The well-known path prefix of RFC 9728.
pub const WELL_KNOWN: &str = "/.well-known/oauth-protected-resource";

/// What the metadata says about this server (set by the application).
#[derive(Clone, Debug, Default)]
pub struct ProtectedResource {
    /// The externally visible base URL (`https://mcp.example.com`); else taken from `Host`.
    pub public_base: Option<String>,
    /// Issuers of the bearer tokens callers send.
    pub authorization_servers: Vec<String>,
    /// Scopes worth asking for, if known.
    pub scopes: Vec<String>,
}

/// The base URL clients reach this server at (see [`base`]).
pub fn public_base(opts: &HttpOptions, req: &Request) -> String {
    let meta = opts.protected_resource.clone().unwrap_or_default();
    base(opts, &meta, req)
}

/// The base URL clients reach this server at: the configured one, else `http://<Host>`
/// (characters that could break out of a header value are dropped).
fn base(opts: &HttpOptions, meta: &ProtectedResource, req: &Request) -> String {
    if let Some(b) = &meta.public_base {
        return b.trim_end_matches('/').to_string();
    }
    let host: String = super::wire::header(req, "Host")
        .unwrap_or_default()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
        .collect();
    if host.is_empty() {
        format!("http://{}:{}", opts.host, opts.port)
    } else {
        format!("http://{host}")
    }
}

/// True for the two paths the document is served at.
pub fn is_metadata_path(opts: &HttpOptions, path: &str) -> bool {
    opts.protected_resource.is_some()
        && (path == WELL_KNOWN || path.strip_prefix(WELL_KNOWN) == Some(opts.path.as_str()))
}

/// The metadata document for this request's view of the server.
pub fn document(opts: &HttpOptions, req: &Request) -> Value {
    let meta = opts.protected_resource.clone().unwrap_or_default();
    let base = base(opts, &meta, req);
    // With the OAuth proxy, this server issues the tokens its callers bring.
    let servers = match &opts.oauth_proxy {
        Some(_) => vec![base.clone()],
        None => meta.authorization_servers,
    };
    let mut doc = json!({
        "resource": format!("{base}{}", opts.path),
        "authorization_servers": servers,
        "bearer_methods_supported": ["header"],
        "resource_name": "mcp-atlassian",
    });
    if !meta.scopes.is_empty() {
        doc["scopes_supported"] = json!(meta.scopes);
    }
    doc
}

/// The `WWW-Authenticate` value of a 401.
pub fn challenge(opts: &HttpOptions, req: &Request) -> String {
    match &opts.protected_resource {
        Some(meta) => format!(
            "Bearer realm=\"mcp-atlassian\", resource_metadata=\"{}{WELL_KNOWN}{}\"",
            base(opts, meta, req),
            opts.path
        ),
        None => "Bearer realm=\"mcp-atlassian\"".to_string(),
    }
}

/// The `WWW-Authenticate` value of a 401 for a token this server does not know (RFC 6750 §3.1).
pub fn invalid_token(opts: &HttpOptions, req: &Request) -> String {
    format!(
        "{}, error=\"invalid_token\", error_description=\"unknown or expired access token\"",
        challenge(opts, req)
    )
}

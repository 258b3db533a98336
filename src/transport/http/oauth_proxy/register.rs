//! Dynamic client registration (RFC 7591) at `POST /register`: a bounded JSON body whose
//! redirect URIs must each match one of ATLASSIAN_OAUTH_ALLOWED_CLIENT_REDIRECT_URIS and whose
//! grant types must be among ATLASSIAN_OAUTH_ALLOWED_GRANT_TYPES. The answer is 201 with a
//! random client id (and a secret for confidential authentication methods); refusals are
//! RFC 7591 error objects. Clients are kept in memory only.

use serde_json::{Map, Value, json};

use super::codec;
use super::tables::{CLIENT_TTL, Client};
use super::{OAuthProxy, Reply};

/// A registration body larger than this is refused.
pub const MAX_BODY: usize = 64 * 1024;
/// Redirect URIs one client may register.
const MAX_REDIRECTS: usize = 10;
/// Authentication methods at the token endpoint.
pub const AUTH_METHODS: [&str; 3] = ["none", "client_secret_post", "client_secret_basic"];

/// `scheme://authority` and the rest (path and query) of a URI; `None` when it is not absolute,
/// has a fragment, user info, whitespace, control or non-ASCII characters (an IRI, or look-alike
/// letters, would be compared and shown differently than a browser resolves it).
fn split(uri: &str) -> Option<(String, String, Option<String>, String)> {
    if uri.contains('#')
        || !uri.is_ascii()
        || uri
            .chars()
            .any(|c| c.is_ascii_whitespace() || c.is_ascii_control())
    {
        return None;
    }
    let (scheme, rest) = uri.split_once("://")?;
    if scheme.is_empty()
        || !scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    {
        return None;
    }
    let cut = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(cut);
    if authority.contains('@') || authority.is_empty() {
        return None;
    }
    let (host, port) = match authority.strip_prefix('[') {
        Some(v6) => {
            // After `]`: nothing, or a port (digits; `*` in a pattern).
            let (h, after) = v6.split_once(']')?;
            let port = match after.strip_prefix(':') {
                None if after.is_empty() => None,
                Some(p) if p == "*" || p.bytes().all(|b| b.is_ascii_digit()) => Some(p),
                _ => return None,
            };
            (format!("[{h}]"), port.map(str::to_string))
        }
        None => match authority.rsplit_once(':') {
            Some((h, p)) => (h.to_string(), Some(p.to_string())),
            None => (authority.to_string(), None),
        },
    };
    Some((
        scheme.to_ascii_lowercase(),
        host.to_ascii_lowercase(),
        port.filter(|p| !p.is_empty()),
        tail.to_string(),
    ))
}

/// True when `uri` matches `pattern`: same scheme and host, the same port (`*` in the pattern:
/// any port, or none), and the same path and query when the pattern has any (a pattern without
/// a path admits every path on that origin).
pub fn redirect_allowed(pattern: &str, uri: &str) -> bool {
    let (Some(p), Some(u)) = (split(pattern), split(uri)) else {
        return false;
    };
    let default_port = |scheme: &str| match scheme {
        "http" => Some("80".to_string()),
        "https" => Some("443".to_string()),
        _ => None,
    };
    let port_ok = match p.2.as_deref() {
        Some("*") => {
            u.2.as_deref()
                .is_none_or(|n| n.bytes().all(|b| b.is_ascii_digit()))
        }
        pp => {
            pp.map(str::to_string).or_else(|| default_port(&p.0))
                == u.2.clone().or_else(|| default_port(&u.0))
        }
    };
    let path_ok = matches!(p.3.as_str(), "" | "/") || p.3 == u.3;
    p.0 == u.0 && p.1 == u.1 && port_ok && path_ok
}

/// A registration refused for now: 503 or 429, with `Retry-After` (RFC 7591 error object).
pub fn busy(description: &str) -> Reply {
    Reply::json(
        503,
        json!({"error": "temporarily_unavailable", "error_description": description}),
    )
    .no_store()
    .header("Retry-After", "60".into())
}

/// True for Unicode format characters (general category Cf): bidirectional controls, zero-width
/// characters, soft hyphen, tags and the like, which can make a name read differently from
/// what it is.
fn is_format(c: char) -> bool {
    matches!(c as u32,
        0x00AD | 0x0600..=0x0605 | 0x061C | 0x06DD | 0x070F | 0x0890..=0x0891 | 0x08E2
        | 0x180E | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x2064 | 0x2066..=0x206F
        | 0xFEFF | 0xFFF9..=0xFFFB | 0x110BD | 0x110CD | 0x13430..=0x1343F
        | 0x1BCA0..=0x1BCA3 | 0x1D173..=0x1D17A | 0xE0001 | 0xE0020..=0xE007F)
}

/// A client name as shown and logged: control and format characters removed, trimmed; `None`
/// when nothing is left.
fn clean_name(name: &str) -> Option<String> {
    let kept: String = name
        .chars()
        .filter(|&c| !c.is_control() && !is_format(c))
        .collect();
    let kept = kept.trim();
    (!kept.is_empty()).then(|| kept.to_string())
}

fn refuse(code: &str, description: &str) -> Reply {
    Reply::json(
        400,
        json!({"error": code, "error_description": description}),
    )
    .no_store()
}

/// A list of strings from the metadata; `Err` when present but not one.
fn strings(meta: &Map<String, Value>, key: &str) -> Result<Option<Vec<String>>, Reply> {
    match meta.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| v.as_str().map(str::to_string))
            .collect::<Option<Vec<_>>>()
            .map(Some)
            .ok_or_else(|| {
                refuse(
                    "invalid_client_metadata",
                    &format!("{key} must be an array of strings"),
                )
            }),
        Some(_) => Err(refuse(
            "invalid_client_metadata",
            &format!("{key} must be an array of strings"),
        )),
    }
}

impl OAuthProxy {
    /// `POST /register` with the body read.
    pub(super) fn register(&self, body: &[u8]) -> Reply {
        let meta = match serde_json::from_slice::<Value>(body) {
            Ok(Value::Object(m)) => m,
            _ => {
                return refuse(
                    "invalid_client_metadata",
                    "the body must be a JSON object of client metadata",
                );
            }
        };
        let redirect_uris = match strings(&meta, "redirect_uris") {
            Ok(Some(u)) if !u.is_empty() && u.len() <= MAX_REDIRECTS => u,
            Ok(_) => {
                return refuse(
                    "invalid_redirect_uri",
                    &format!("redirect_uris must list 1 to {MAX_REDIRECTS} URIs"),
                );
            }
            Err(r) => return r,
        };
        for uri in &redirect_uris {
            if split(uri).is_none() {
                return refuse(
                    "invalid_redirect_uri",
                    &format!(
                        "{uri:?} is not an absolute ASCII URI without fragment and user info (percent-encode other characters)"
                    ),
                );
            }
            let allowed = self
                .settings
                .allowed_redirect_uris
                .iter()
                .any(|p| redirect_allowed(p, uri));
            if !allowed {
                return refuse(
                    "invalid_redirect_uri",
                    &format!(
                        "{uri:?} is not allowed by this server (ATLASSIAN_OAUTH_ALLOWED_CLIENT_REDIRECT_URIS)"
                    ),
                );
            }
        }
        let grant_types = match strings(&meta, "grant_types") {
            Ok(Some(g)) if !g.is_empty() => g,
            Ok(_) => vec!["authorization_code".to_string()],
            Err(r) => return r,
        };
        if let Some(bad) = grant_types
            .iter()
            .find(|g| !self.settings.allowed_grant_types.contains(g))
        {
            return refuse(
                "invalid_client_metadata",
                &format!(
                    "grant type {bad:?} is not offered (offered: {})",
                    self.settings.allowed_grant_types.join(", ")
                ),
            );
        }
        if !grant_types.iter().any(|g| g == "authorization_code") {
            return refuse(
                "invalid_client_metadata",
                "grant_types must include authorization_code",
            );
        }
        match strings(&meta, "response_types") {
            Ok(None) => {}
            Ok(Some(r)) if r.iter().all(|t| t == "code") => {}
            Ok(Some(_)) => {
                return refuse(
                    "invalid_client_metadata",
                    "only the response type code is supported",
                );
            }
            Err(r) => return r,
        }
        let auth_method = match meta.get("token_endpoint_auth_method") {
            None | Some(Value::Null) => "client_secret_basic".to_string(),
            Some(Value::String(m)) if AUTH_METHODS.contains(&m.as_str()) => m.clone(),
            Some(_) => {
                return refuse(
                    "invalid_client_metadata",
                    &format!(
                        "token_endpoint_auth_method must be one of {}",
                        AUTH_METHODS.join(", ")
                    ),
                );
            }
        };
        let name = match meta.get("client_name") {
            None | Some(Value::Null) => None,
            Some(Value::String(n)) if n.chars().count() <= 200 => clean_name(n),
            Some(_) => {
                return refuse(
                    "invalid_client_metadata",
                    "client_name must be a string of at most 200 characters",
                );
            }
        };
        let (Ok(id), Ok(secret)) = (codec::random_token(24), codec::random_token(32)) else {
            return Reply::json(500, json!({"error": "server_error"})).no_store();
        };
        let confidential = auth_method != "none";
        let client = Client {
            id: id.clone(),
            auth_method: auth_method.clone(),
            secret_digest: confidential.then(|| codec::sha256_b64(secret.as_bytes())),
            redirect_uris: redirect_uris.clone(),
            grant_types: grant_types.clone(),
            name: name.clone(),
            granted: false,
        };
        let mut t = self.tables();
        if !t.room_for_a_client() {
            drop(t);
            log::warn!(
                "OAuth proxy: refused a registration: the client table is full of clients with live grants"
            );
            return busy("the server has no room for another client now");
        }
        t.clients.insert(id.clone(), client, CLIENT_TTL);
        drop(t);
        // Debug-escaped: a name cannot forge log lines or reorder them on a terminal.
        log::info!(
            "OAuth proxy: registered client {id} ({:?})",
            name.as_deref().unwrap_or("no name")
        );
        let issued = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let mut out = json!({
            "client_id": id,
            "client_id_issued_at": issued,
            "redirect_uris": redirect_uris,
            "grant_types": grant_types,
            "response_types": ["code"],
            "token_endpoint_auth_method": auth_method,
        });
        if confidential {
            out["client_secret"] = json!(secret);
            out["client_secret_expires_at"] = json!(0);
        }
        if let Some(n) = name {
            out["client_name"] = json!(n);
        }
        if let Some(s) = meta.get("scope").and_then(Value::as_str) {
            out["scope"] = json!(s);
        }
        Reply::json(201, out).no_store()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_names_lose_control_and_format_characters() {
        assert_eq!(
            clean_name("Good\u{202E}tneilC\u{202C} app\u{200B}\u{2066}x\u{2069}").as_deref(),
            Some("GoodtneilC appx")
        );
        assert_eq!(
            clean_name("a\nb\u{7}\u{AD}c\u{FEFF}").as_deref(),
            Some("abc")
        );
        assert_eq!(clean_name("\u{200F}\u{E0041} ").as_deref(), None);
        assert_eq!(
            clean_name("Claude – Ünïcode").as_deref(),
            Some("Claude – Ünïcode")
        );
        assert!(format!("{:?}", "a\nb").contains("\\n"));
    }

    #[test]
    fn redirect_patterns() {
        let any_port = "http://localhost:*";
        assert!(redirect_allowed(any_port, "http://localhost:3000/callback"));
        assert!(redirect_allowed(any_port, "http://localhost/cb"));
        assert!(redirect_allowed(any_port, "http://LOCALHOST:1"));
        assert!(!redirect_allowed(any_port, "https://localhost:3000/cb"));
        assert!(!redirect_allowed(
            any_port,
            "http://localhost.evil.example:3000/cb"
        ));
        assert!(!redirect_allowed(
            any_port,
            "http://localhost:3000@evil.example/cb"
        ));
        assert!(!redirect_allowed(any_port, "http://localhost:3000/cb#frag"));
        assert!(!redirect_allowed(any_port, "http://localhost:x/cb"));
        let exact = "https://chatgpt.com/connector_platform_oauth_redirect";
        assert!(redirect_allowed(exact, exact));
        assert!(redirect_allowed(
            exact,
            "https://chatgpt.com:443/connector_platform_oauth_redirect"
        ));
        assert!(!redirect_allowed(exact, "https://chatgpt.com/other"));
        assert!(!redirect_allowed(
            exact,
            "https://chatgpt.com:8443/connector_platform_oauth_redirect"
        ));
        assert!(!redirect_allowed(
            exact,
            "https://chatgpt.com/connector_platform_oauth_redirect?x=1"
        ));
        assert!(redirect_allowed("http://[::1]:*", "http://[::1]:5000/cb"));
        assert!(redirect_allowed("http://[::1]:*", "http://[::1]/cb"));
        for junk in [
            "http://[::1]evil/cb",
            "http://[::1].evil.example/cb",
            "http://[::1]:5000x/cb",
            "http://[::1]x:5000/cb",
        ] {
            assert!(!redirect_allowed("http://[::1]:*", junk), "{junk}");
        }
        assert!(redirect_allowed(
            "cursor://anysphere.cursor-retrieval/cb",
            "cursor://anysphere.cursor-retrieval/cb"
        ));
        assert!(!redirect_allowed(
            "http://localhost:*",
            "http://127.0.0.1:3000/cb"
        ));
    }
}

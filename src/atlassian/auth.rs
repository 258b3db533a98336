//! Credentials sent upstream and how they become an `Authorization` header, plus the secret
//! wrapper that keeps token values out of `Debug` output and logs.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use super::error::HttpError;
use super::oauth::OAuthSession;

/// A secret string: `Debug` prints `***`; read it with `expose`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// How a request authenticates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Credentials {
    /// HTTP Basic: e-mail + API token (Cloud) or user name + password (Server/DC).
    Basic { user: String, secret: Secret },
    /// `Authorization: Bearer`: a Server/DC personal access token or an OAuth access token.
    Bearer(Secret),
    /// No `Authorization` header (mutual TLS only, or a trusted proxy adds it).
    None,
    /// OAuth tokens from the store, refreshed as needed (shared by the products that use the
    /// same client id).
    OAuth(Arc<OAuthSession>),
}

impl Credentials {
    /// The `Authorization` header value, if any.
    pub fn header(&self) -> Option<String> {
        match self {
            Credentials::Basic { user, secret } => Some(basic_header(user, secret.expose())),
            Credentials::Bearer(token) => Some(format!("Bearer {}", token.expose())),
            Credentials::None => None,
            Credentials::OAuth(s) => s.bearer().ok().map(|t| format!("Bearer {}", t.expose())),
        }
    }

    /// The credentials to send now: an OAuth session's current (refreshed) token as a bearer
    /// token, anything else as it is.
    pub fn resolve(&self) -> Result<Cow<'_, Credentials>, HttpError> {
        match self {
            Credentials::OAuth(s) => s.credentials().map(Cow::Owned),
            other => Ok(Cow::Borrowed(other)),
        }
    }

    /// A short description for logs and diagnostics, never the secret.
    pub fn describe(&self) -> String {
        match self {
            Credentials::Basic { user, .. } => format!("basic auth as {user}"),
            Credentials::Bearer(_) => "bearer token".into(),
            Credentials::None => "no credentials".into(),
            Credentials::OAuth(s) => format!("OAuth tokens of client id {}", s.client_id()),
        }
    }
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn base64(input: &[u8]) -> String {
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    for chunk in input.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(B64[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// `Basic base64(user:secret)`.
pub fn basic_header(user: &str, secret: &str) -> String {
    format!("Basic {}", base64(format!("{user}:{secret}").as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc4648_vectors() {
        for (input, want) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(input.as_bytes()), want);
        }
        assert_eq!(basic_header("a@b.c", "tok"), "Basic YUBiLmM6dG9r");
    }

    #[test]
    fn debug_hides_secrets() {
        let c = Credentials::Basic {
            user: "me".into(),
            secret: Secret::new("hunter2"),
        };
        assert!(!format!("{c:?}").contains("hunter2"));
        assert!(!c.describe().contains("hunter2"));
    }
}

//! Wrappers that keep credentials out of logs: [`Secret`] prints as `***` under `Debug` and has
//! no `Display`, and [`ProxyUrl`] prints its URL with the password masked. Config structs derive
//! `Debug` and stay safe to log because every sensitive field uses one of these two types.

use std::fmt;

use super::url::redact_url;

/// A credential (API token, PAT, password, OAuth secret or token, custom header value).
/// `Debug` prints `***`; read the value with [`Secret::expose`] only where it is sent upstream.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret(String);

impl Secret {
    /// Wraps a credential.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The credential itself. Never log the result.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// A validated proxy URL (`http`, `https`, `socks4`, `socks4a`, `socks5` or `socks5h`), possibly
/// with `user:password@` credentials. `Debug` shows it through [`redact_url`].
#[derive(Clone, PartialEq, Eq)]
pub struct ProxyUrl(String);

impl ProxyUrl {
    /// Wraps an already validated URL (see `url::parse_proxy_url`).
    pub(crate) fn new_unchecked(url: String) -> Self {
        ProxyUrl(url)
    }

    /// The full URL including any credentials. Never log the result; use [`Self::redacted`].
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The URL with its password masked, fit for logs.
    pub fn redacted(&self) -> String {
        redact_url(&self.0)
    }

    /// The scheme in lower case, e.g. `socks5h`.
    pub fn scheme(&self) -> String {
        self.0
            .split_once("://")
            .map(|(scheme, _)| scheme.to_ascii_lowercase())
            .unwrap_or_default()
    }
}

impl fmt::Debug for ProxyUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.redacted())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_debug_is_masked() {
        let s = Secret::new("tok-123");
        assert_eq!(format!("{s:?}"), "***");
        assert_eq!(format!("{:?}", Some(s.clone())), "Some(***)");
        assert_eq!(s.expose(), "tok-123");
    }

    #[test]
    fn proxy_debug_masks_password() {
        let p = ProxyUrl::new_unchecked("socks5h://bob:hunter2@proxy:1080".into());
        let shown = format!("{p:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("bob"), "{shown}");
        assert_eq!(p.scheme(), "socks5h");
        assert_eq!(p.expose(), "socks5h://bob:hunter2@proxy:1080");
    }
}

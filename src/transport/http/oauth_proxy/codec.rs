//! Small pure helpers of the OAuth proxy: random tokens from the OS's secure source, SHA-256
//! digests (PKCE S256, token keys), constant-time comparison, `application/x-www-form-urlencoded`
//! and query decoding, query encoding, and HTML escaping for the pages it serves.

use ring::digest::{SHA256, digest};
use ring::rand::{SecureRandom, SystemRandom};

/// Base64url without padding (RFC 4648 §5), from the standard alphabet of `mcp::content`.
pub fn base64url(data: &[u8]) -> String {
    crate::mcp::content::base64(data)
        .trim_end_matches('=')
        .replace('+', "-")
        .replace('/', "_")
}

/// `n` random bytes from the operating system, base64url-encoded (32 bytes: 43 characters).
pub fn random_token(n: usize) -> Result<String, String> {
    let mut bytes = vec![0u8; n];
    SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| "the system's random source failed".to_string())?;
    Ok(base64url(&bytes))
}

/// SHA-256 of `data`, base64url-encoded: the PKCE S256 transform, and the key under which a
/// token is stored (so the tables never hold a usable token and lookups compare digests).
pub fn sha256_b64(data: &[u8]) -> String {
    base64url(digest(&SHA256, data).as_ref())
}

/// Equality whose time depends only on the lengths, not on where the inputs differ.
pub fn same(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// True when `verifier` is a well-formed PKCE verifier (RFC 7636 §4.1) whose S256 transform is
/// `challenge`.
pub fn pkce_matches(verifier: &str, challenge: &str) -> bool {
    let well_formed = (43..=128).contains(&verifier.len())
        && verifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'));
    well_formed
        && same(
            sha256_b64(verifier.as_bytes()).as_bytes(),
            challenge.as_bytes(),
        )
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Decode one form or query component (`+` is a space); `None` when it is not UTF-8.
pub fn decode(part: &str) -> Option<String> {
    let bytes = part.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h * 16 + l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

/// A form body or query string as pairs; a name given twice makes the whole input invalid
/// (RFC 6749 §3.1: parameters must not be repeated), as does anything not UTF-8.
pub fn parse_form(text: &str) -> Result<Vec<(String, String)>, String> {
    let mut out: Vec<(String, String)> = Vec::new();
    for pair in text.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let (Some(k), Some(v)) = (decode(k), decode(v)) else {
            return Err("a parameter is not valid UTF-8".into());
        };
        if out.iter().any(|(seen, _)| *seen == k) {
            return Err(format!("the parameter {k} is repeated"));
        }
        out.push((k, v));
    }
    Ok(out)
}

/// The value of `name` in parsed pairs, empty values counting as absent.
pub fn field<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty())
}

/// Percent-encode a query value (everything but RFC 3986's unreserved characters).
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `uri` with `params` appended to its query (the URI has no fragment: registration refuses
/// those).
pub fn with_query(uri: &str, params: &[(&str, &str)]) -> String {
    let mut out = uri.to_string();
    let mut sep = if uri.contains('?') { '&' } else { '?' };
    for (k, v) in params {
        out.push(sep);
        out.push_str(k);
        out.push('=');
        out.push_str(&encode(v));
        sep = '&';
    }
    out
}

/// Text safe inside HTML element content and double-quoted attributes.
pub fn html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkce_s256_per_rfc7636_appendix_b() {
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
        assert_eq!(sha256_b64(verifier.as_bytes()), challenge);
        assert!(pkce_matches(verifier, challenge));
        assert!(!pkce_matches(
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXj",
            challenge
        ));
        assert!(!pkce_matches("short", &sha256_b64(b"short")));
        assert_eq!(random_token(32).unwrap().len(), 43);
        assert_ne!(random_token(16).unwrap(), random_token(16).unwrap());
    }

    #[test]
    fn forms_queries_and_html() {
        let f = parse_form("a=1+2&b=%2Fx%3D&c=&d").unwrap();
        assert_eq!(field(&f, "a"), Some("1 2"));
        assert_eq!(field(&f, "b"), Some("/x="));
        assert_eq!(field(&f, "c"), None);
        assert_eq!(field(&f, "d"), None);
        assert!(parse_form("a=1&a=2").is_err());
        assert!(parse_form("a=%ff").is_err());
        assert_eq!(decode("100%").as_deref(), Some("100%"));
        assert_eq!(decode("%4").as_deref(), Some("%4"));
        assert_eq!(
            with_query("http://h/cb?x=1", &[("code", "a b"), ("state", "s&t")]),
            "http://h/cb?x=1&code=a%20b&state=s%26t"
        );
        assert_eq!(
            html("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
        assert!(same(b"abc", b"abc") && !same(b"abc", b"abd") && !same(b"ab", b"abc"));
    }
}

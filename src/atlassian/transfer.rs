//! What travels besides JSON: request bodies (JSON, form, multipart uploads), downloaded files
//! with their type, path segments and query strings encoded once, and the origin rules that
//! decide which hops of a request may carry the server's credentials and headers.

use serde_json::Value;

use super::proxy;

/// Percent-encode `s` as one URL path segment (or query value): everything but unreserved
/// characters is escaped, so an id like `A-1/../B-2` stays one segment.
pub fn segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    // `.` and `..` alone would still be read as dot segments.
    match out.as_str() {
        "." => "%2E".into(),
        ".." => "%2E%2E".into(),
        _ => out,
    }
}

/// Percent-encode the bytes a URI may not hold (spaces, quotes, non-ASCII, ...), keeping
/// reserved characters and existing `%` escapes, so a URL copied from an answer can be sent.
pub fn escape_uri(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    for b in url.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' => out.push(b as char),
            b'-' | b'.' | b'_' | b'~' | b':' | b'/' | b'?' | b'#' | b'[' | b']' | b'@' | b'!'
            | b'$' | b'&' | b'\'' | b'(' | b')' | b'*' | b'+' | b',' | b';' | b'=' | b'%' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Decode `%XX` escapes and `+` (as a space) of a query value or path segment; a malformed
/// escape stays as written.
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => match s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                Some(b) => {
                    out.push(b);
                    i += 3;
                    continue;
                }
                None => out.push(b'%'),
            },
            b'+' => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// One file of a multipart upload.
#[derive(Debug, Clone, PartialEq)]
pub struct Part {
    /// Form field name (`file` for both products).
    pub name: String,
    /// Empty for a plain form field (no file name, no content type).
    pub filename: String,
    pub mime_type: String,
    pub data: Vec<u8>,
}

/// A request body.
#[derive(Debug, Clone, Default)]
pub enum Body {
    #[default]
    None,
    Json(Value),
    /// `application/x-www-form-urlencoded` (OAuth token requests).
    Form(Vec<(String, String)>),
    /// `multipart/form-data` (attachments); sent with `X-Atlassian-Token: no-check`.
    Multipart(Vec<Part>),
}

/// A downloaded file.
#[derive(Debug, Clone, PartialEq)]
pub struct Download {
    pub data: Vec<u8>,
    /// From `Content-Type`, parameters dropped; `application/octet-stream` when absent.
    pub mime_type: String,
}

fn form_encode(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", segment(k), segment(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// A header-safe file name: quotes, backslashes and control characters replaced.
fn header_filename(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c == '"' || c == '\\' || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect()
}

/// The bytes and content type of a body.
pub fn encode_body(body: &Body) -> Option<(Vec<u8>, String)> {
    match body {
        Body::None => None,
        Body::Json(v) => Some((v.to_string().into_bytes(), "application/json".into())),
        Body::Form(pairs) => Some((
            form_encode(pairs).into_bytes(),
            "application/x-www-form-urlencoded".into(),
        )),
        Body::Multipart(parts) => {
            // A boundary that cannot occur in the data: grow it until it does not.
            let mut boundary = String::from("mcp-atlassian-boundary-7c1f");
            while parts.iter().any(|p| {
                p.data
                    .windows(boundary.len())
                    .any(|w| w == boundary.as_bytes())
            }) {
                boundary.push('x');
            }
            let mut out = Vec::new();
            for p in parts {
                out.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
                let head = if p.filename.is_empty() {
                    // A plain form field (e.g. an attachment's `comment`).
                    format!(
                        "Content-Disposition: form-data; name=\"{}\"\r\n\r\n",
                        header_filename(&p.name)
                    )
                } else {
                    format!(
                        "Content-Disposition: form-data; name=\"{}\"; filename=\"{}\"\r\nContent-Type: {}\r\n\r\n",
                        header_filename(&p.name),
                        header_filename(&p.filename),
                        p.mime_type
                    )
                };
                out.extend_from_slice(head.as_bytes());
                out.extend_from_slice(&p.data);
                out.extend_from_slice(b"\r\n");
            }
            out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
            Some((out, format!("multipart/form-data; boundary={boundary}")))
        }
    }
}

/// `(scheme, host, port)` of a URL, host lowercased.
pub fn origin(url: &str) -> Option<(String, String, u16)> {
    proxy::target(url).map(|(s, h, p)| (s, h.to_ascii_lowercase(), p))
}

/// True when `url` has the same scheme, host and port as `base`.
pub fn same_origin(url: &str, base: &str) -> bool {
    matches!((origin(url), origin(base)), (Some(a), Some(b)) if a == b)
}

/// Resolve a `Location` header against the URL that answered.
pub fn resolve_location(current: &str, location: &str) -> Option<String> {
    let location = location.trim();
    if location.starts_with("http://") || location.starts_with("https://") {
        return Some(location.to_string());
    }
    let (scheme, rest) = current.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    if let Some(net) = location.strip_prefix("//") {
        return Some(format!("{scheme}://{net}"));
    }
    if location.starts_with('/') {
        return Some(format!("{scheme}://{authority}{location}"));
    }
    // Relative to the current path's directory.
    let path = &rest[authority.len()..];
    let path = path.split(['?', '#']).next().unwrap_or("/");
    let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
    Some(format!("{scheme}://{authority}{dir}/{location}"))
}

/// The media type of a `Content-Type` value, lowercased, parameters dropped.
pub fn media_type(content_type: Option<&str>) -> String {
    content_type
        .and_then(|c| c.split(';').next())
        .map(|c| c.trim().to_ascii_lowercase())
        .filter(|c| c.contains('/'))
        .unwrap_or_else(|| "application/octet-stream".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_stay_segments() {
        assert_eq!(segment("WEB-1/../OPS-3"), "WEB-1%2F..%2FOPS-3");
        assert_eq!(segment(".."), "%2E%2E");
        assert_eq!(segment("a b?c#d"), "a%20b%3Fc%23d");
        assert_eq!(segment("PROJ-1"), "PROJ-1");
        assert_eq!(
            escape_uri("http://h/secure/attachment/1/a b \"c\"%20é.png?x=1&y"),
            "http://h/secure/attachment/1/a%20b%20%22c%22%20%C3%A9.png?x=1&y"
        );
    }

    #[test]
    fn origins_and_locations() {
        assert!(same_origin("https://X.example/a", "https://x.example:443"));
        assert!(!same_origin(
            "https://x.example:8443/a",
            "https://x.example"
        ));
        assert!(!same_origin("http://x.example/a", "https://x.example"));
        assert!(!same_origin(
            "https://x.example.evil/a",
            "https://x.example"
        ));
        let cur = "https://h.example/rest/api/3/attachment/content/1?redirect=true";
        assert_eq!(
            resolve_location(cur, "/media/2").unwrap(),
            "https://h.example/media/2"
        );
        assert_eq!(
            resolve_location(cur, "//cdn.example/f").unwrap(),
            "https://cdn.example/f"
        );
        assert_eq!(
            resolve_location(cur, "2").unwrap(),
            "https://h.example/rest/api/3/attachment/content/2"
        );
    }

    #[test]
    fn multipart_bodies_frame_each_file() {
        let parts = vec![Part {
            name: "file".into(),
            filename: "a\"b.txt".into(),
            mime_type: "text/plain".into(),
            data: b"hello".to_vec(),
        }];
        let (bytes, ct) = encode_body(&Body::Multipart(parts)).unwrap();
        let text = String::from_utf8(bytes).unwrap();
        let boundary = ct.split("boundary=").nth(1).unwrap();
        assert!(text.starts_with(&format!("--{boundary}\r\n")));
        assert!(text.contains("filename=\"a_b.txt\""));
        assert!(text.contains("\r\n\r\nhello\r\n"));
        assert!(text.ends_with(&format!("--{boundary}--\r\n")));
        let (form, ct) = encode_body(&Body::Form(vec![("a b".into(), "c&d".into())])).unwrap();
        assert_eq!(form, b"a%20b=c%26d");
        assert_eq!(ct, "application/x-www-form-urlencoded");
    }
}

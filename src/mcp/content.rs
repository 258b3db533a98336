//! What a tool returns: JSON (the usual case), images, embedded files and links to files that are
//! too large to inline, and optionally `structuredContent`. One place shapes that into a
//! `tools/call` result for the negotiated protocol version, and one place applies the output
//! contract (no nulls, empty strings, empty arrays or empty objects) before serialising.

use serde_json::{Map, Value, json};

/// One content block of a tool result.
#[derive(Debug, Clone, PartialEq)]
pub enum Content {
    /// Shown to the model as compact JSON text (after [`strip_empty`]).
    Json(Value),
    /// Plain text, as is.
    Text(String),
    /// An image (PNG, JPEG, GIF, WebP, ...), sent base64-encoded.
    Image { data: Vec<u8>, mime_type: String },
    /// A file sent inline as an embedded resource (`blob`, base64).
    Resource {
        uri: String,
        mime_type: String,
        data: Vec<u8>,
    },
    /// A file the client may fetch itself (too large to inline). Versions before 2025-06-18 have
    /// no `resource_link`; they get a text block with the same facts.
    Link {
        uri: String,
        name: String,
        mime_type: Option<String>,
        size: Option<u64>,
        description: Option<String>,
    },
}

/// A successful tool result: content blocks, and `structuredContent` when the tool offers it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Output {
    pub content: Vec<Content>,
    /// Also sent as `structuredContent` where the negotiated version has it (2025-06-18 on).
    pub structured: bool,
}

impl Output {
    /// One JSON value, shown as text.
    pub fn json(value: Value) -> Self {
        Output {
            content: vec![Content::Json(value)],
            structured: false,
        }
    }

    /// One JSON object, shown as text and also as `structuredContent` where supported.
    pub fn structured(value: Value) -> Self {
        Output {
            content: vec![Content::Json(value)],
            structured: true,
        }
    }

    /// Add a block after the existing ones.
    pub fn push(mut self, block: Content) -> Self {
        self.content.push(block);
        self
    }

    /// The first JSON block, if any (tests, the CLI).
    pub fn first_json(&self) -> Option<&Value> {
        self.content.iter().find_map(|c| match c {
            Content::Json(v) => Some(v),
            _ => None,
        })
    }
}

impl From<Value> for Output {
    fn from(value: Value) -> Self {
        Output::json(value)
    }
}

/// Versions whose results may carry `structuredContent` and `resource_link` blocks.
fn has_structured(version: &str) -> bool {
    version >= "2025-06-18"
}

/// Remove nulls, empty strings, empty arrays and empty objects, recursively (an object or array
/// that only held such values goes too). The root is kept even when it ends up empty, and so
/// are the root's own lists: a search with no hits says `"results":[]` rather than nothing.
pub fn strip_empty(value: Value) -> Value {
    fn clean(v: Value) -> Option<Value> {
        match v {
            Value::Null => None,
            Value::String(s) if s.is_empty() => None,
            Value::Array(items) => {
                let kept: Vec<Value> = items.into_iter().filter_map(clean).collect();
                (!kept.is_empty()).then_some(Value::Array(kept))
            }
            Value::Object(map) => {
                let kept: Map<String, Value> = map
                    .into_iter()
                    .filter_map(|(k, v)| clean(v).map(|v| (k, v)))
                    .collect();
                (!kept.is_empty()).then_some(Value::Object(kept))
            }
            other => Some(other),
        }
    }
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter_map(|(k, v)| match v {
                    Value::Array(items) => Some((
                        k,
                        Value::Array(items.into_iter().filter_map(clean).collect()),
                    )),
                    other => clean(other).map(|v| (k, v)),
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().filter_map(clean).collect()),
        other => other,
    }
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding.
pub fn base64(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
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

/// Decode standard base64 (padding optional, ASCII whitespace ignored); `None` when malformed.
pub fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    let (mut bits, mut nbits) = (0u32, 0);
    let body = text.trim_end_matches(|c: char| c == '=' || c.is_ascii_whitespace());
    for c in body.bytes().filter(|c| !c.is_ascii_whitespace()) {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => return None,
        };
        bits = (bits << 6) | u32::from(v);
        nbits += 6;
        if nbits >= 8 {
            nbits -= 8;
            out.push((bits >> nbits) as u8);
            bits &= (1 << nbits) - 1;
        }
    }
    Some(out)
}

fn block(c: Content, version: &str) -> Value {
    match c {
        Content::Json(Value::String(s)) => json!({"type": "text", "text": s}),
        Content::Json(v) => json!({"type": "text", "text": strip_empty(v).to_string()}),
        Content::Text(t) => json!({"type": "text", "text": t}),
        Content::Image { data, mime_type } => {
            json!({"type": "image", "data": base64(&data), "mimeType": mime_type})
        }
        Content::Resource {
            uri,
            mime_type,
            data,
        } => json!({"type": "resource", "resource": {
            "uri": uri, "mimeType": mime_type, "blob": base64(&data)
        }}),
        Content::Link {
            uri,
            name,
            mime_type,
            size,
            description,
        } => {
            if has_structured(version) {
                strip_empty(json!({"type": "resource_link", "uri": uri, "name": name,
                    "mimeType": mime_type, "size": size, "description": description}))
            } else {
                let facts = strip_empty(json!({"resource_link": {"uri": uri, "name": name,
                    "mimeType": mime_type, "size": size, "description": description}}));
                json!({"type": "text", "text": facts.to_string()})
            }
        }
    }
}

/// The `tools/call` result of a successful call for `version` (the negotiated version, or
/// 2026-07-28 for stateless requests).
pub fn render(output: Output, version: &str) -> Value {
    let structured = if output.structured && has_structured(version) {
        output
            .first_json()
            .cloned()
            .map(strip_empty)
            .filter(Value::is_object)
    } else {
        None
    };
    let content: Vec<Value> = output
        .content
        .into_iter()
        .map(|c| block(c, version))
        .collect();
    let mut result = json!({"content": content, "isError": false});
    if let Some(s) = structured {
        result["structuredContent"] = s;
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trips() {
        for (raw, enc) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
        ] {
            assert_eq!(base64(raw.as_bytes()), enc);
            assert_eq!(base64_decode(enc).unwrap(), raw.as_bytes());
        }
        let bytes: Vec<u8> = (0..=255).collect();
        assert_eq!(base64_decode(&base64(&bytes)).unwrap(), bytes);
        assert!(base64_decode("a*b").is_none());
    }

    #[test]
    fn empties_are_stripped_recursively() {
        let v = json!({"a": null, "b": "", "c": [], "d": {}, "e": {"f": [null, ""]},
            "g": 0, "h": false, "i": [1, {}], "j": "x", "k": {"l": [], "m": {"n": null}}});
        assert_eq!(
            strip_empty(v),
            json!({"c": [], "g": 0, "h": false, "i": [1], "j": "x"}),
            "the root's lists stay, even empty"
        );
        assert_eq!(strip_empty(json!({"a": null})), json!({}));
        assert_eq!(strip_empty(json!([])), json!([]));
    }

    #[test]
    fn links_and_structured_depend_on_version() {
        let out = Output::structured(json!({"k": 1})).push(Content::Link {
            uri: "https://x/a".into(),
            name: "a.bin".into(),
            mime_type: None,
            size: Some(5),
            description: None,
        });
        let new = render(out.clone(), "2025-06-18");
        assert_eq!(new["structuredContent"], json!({"k": 1}));
        assert_eq!(new["content"][1]["type"], "resource_link");
        let old = render(out, "2025-03-26");
        assert!(old.get("structuredContent").is_none());
        assert_eq!(old["content"][1]["type"], "text");
    }
}

//! Protocol versions and eras: the four handshake-era versions, the stateless 2026-07-28 version,
//! version negotiation for `initialize`, and how a request is classified into an era.

use serde_json::{Map, Value};

use super::logging::Level;

/// The stateless protocol version (per-request `_meta`, `server/discover`).
pub const MODERN: &str = "2026-07-28";
/// Handshake-era versions, oldest first.
pub const LEGACY: [&str; 4] = ["2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"];
/// The only version whose sessions accept JSON-RPC batches.
pub const BATCH_VERSION: &str = "2025-03-26";

/// How a request is served: in its handshake session, or statelessly (with its log level).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Era {
    Legacy,
    Modern(Option<Level>),
}

/// Every supported version, newest first.
pub fn supported() -> Vec<&'static str> {
    let mut v = vec![MODERN];
    v.extend(LEGACY.iter().rev());
    v
}

/// The version to answer an `initialize` with: the client's when supported, else the newest
/// handshake-era version.
pub fn negotiate_legacy(requested: &str) -> &'static str {
    LEGACY
        .iter()
        .copied()
        .find(|v| *v == requested)
        .unwrap_or(LEGACY[LEGACY.len() - 1])
}

/// A request is stateless (2026-07-28) when it is `server/discover` or carries a per-request
/// protocol version in `_meta`; `initialize` always selects the handshake era.
pub fn is_modern_request(method: &str, params: &Map<String, Value>) -> bool {
    if method == "initialize" {
        return false;
    }
    method == "server/discover"
        || params
            .get("_meta")
            .and_then(Value::as_object)
            .is_some_and(|m| m.contains_key("io.modelcontextprotocol/protocolVersion"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn negotiation_echoes_known_versions() {
        for v in LEGACY {
            assert_eq!(negotiate_legacy(v), v);
        }
        assert_eq!(negotiate_legacy("2099-01-01"), "2025-11-25");
        assert_eq!(negotiate_legacy(MODERN), "2025-11-25");
    }

    #[test]
    fn classification() {
        let modern = json!({"_meta": {"io.modelcontextprotocol/protocolVersion": "2026-07-28"}});
        let modern = modern.as_object().unwrap();
        assert!(is_modern_request("tools/list", modern));
        assert!(!is_modern_request("initialize", modern));
        assert!(is_modern_request("server/discover", &Map::new()));
        assert!(!is_modern_request("tools/list", &Map::new()));
    }
}

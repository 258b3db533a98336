//! MCP log levels (RFC 5424 names) as used by `logging/setLevel`, the 2026-07-28 per-request
//! `logLevel` and `notifications/message`.

/// Severity, ordered from least to most severe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Debug,
    Info,
    Notice,
    Warning,
    Error,
    Critical,
    Alert,
    Emergency,
}

const NAMES: [(&str, Level); 8] = [
    ("debug", Level::Debug),
    ("info", Level::Info),
    ("notice", Level::Notice),
    ("warning", Level::Warning),
    ("error", Level::Error),
    ("critical", Level::Critical),
    ("alert", Level::Alert),
    ("emergency", Level::Emergency),
];

impl Level {
    pub fn parse(s: &str) -> Option<Level> {
        NAMES.iter().find(|(n, _)| *n == s).map(|(_, l)| *l)
    }

    pub fn as_str(self) -> &'static str {
        NAMES
            .iter()
            .find(|(_, l)| *l == self)
            .map(|(n, _)| *n)
            .unwrap_or("info")
    }

    pub fn names() -> impl Iterator<Item = &'static str> {
        NAMES.iter().map(|(n, _)| *n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_order() {
        for n in Level::names() {
            assert_eq!(Level::parse(n).unwrap().as_str(), n);
        }
        assert!(Level::Debug < Level::Emergency);
        assert_eq!(Level::parse("warn"), None);
    }
}

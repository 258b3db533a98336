//! Parsing of the header and host lists in product settings: `*_CUSTOM_HEADERS`
//! (`Name=value,...`, values secret), `*_PASSTHROUGH_HEADERS` (header names) and `NO_PROXY`
//! style host lists. Header names must be HTTP tokens and may not be ones the HTTP client
//! manages itself.

use super::error::{ConfigError, quote};
use super::secret::Secret;
use super::sources::{Found, lower, split_list};

/// Headers the HTTP client manages itself; configuring them would corrupt requests.
const RESERVED_HEADERS: [&str; 5] = [
    "host",
    "content-length",
    "transfer-encoding",
    "connection",
    "upgrade",
];

/// Splits a `NO_PROXY` value on commas and whitespace; lower-cases; drops duplicates.
pub(crate) fn parse_no_proxy(value: &str) -> Vec<String> {
    split_list(&value.replace(char::is_whitespace, ","), lower)
}

/// True for an HTTP header name (an RFC 9110 token).
pub(crate) fn is_header_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

fn check_header_name(f: &Found<'_>, name: &str) -> Result<(), ConfigError> {
    if !is_header_name(name) {
        return Err(f.rejected(format!(
            "{} is not a valid header name (letters, digits and !#$%&'*+-.^_`|~)",
            quote(name)
        )));
    }
    if RESERVED_HEADERS.contains(&name.to_ascii_lowercase().as_str()) {
        return Err(f.rejected(format!(
            "header {} is set by the HTTP client and cannot be configured",
            quote(name)
        )));
    }
    Ok(())
}

/// Parses `Name=value,Name2=value2`. Values are secret and never appear in errors; a later
/// entry replaces an earlier one of the same name (case-insensitive).
pub(crate) fn parse_custom_headers(f: Found<'_>) -> Result<Vec<(String, Secret)>, ConfigError> {
    let mut out: Vec<(String, Secret)> = Vec::new();
    let entries = f.value.split(',').map(str::trim).filter(|s| !s.is_empty());
    for (index, entry) in entries.enumerate() {
        let Some((name, value)) = entry.split_once('=') else {
            return Err(f.rejected(format!(
                "entry {} has no \"=\" (expected Name=value,Name2=value2)",
                index + 1
            )));
        };
        let name = name.trim();
        check_header_name(&f, name)?;
        let value = value.trim();
        if value.chars().any(|c| c.is_control() && c != '\t') {
            return Err(f.rejected(format!(
                "the value of header {} contains a control character",
                quote(name)
            )));
        }
        out.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        out.push((name.to_owned(), Secret::new(value)));
    }
    Ok(out)
}

/// Parses a comma list of header names, keeping the first spelling of each.
pub(crate) fn parse_header_names(f: Found<'_>) -> Result<Vec<String>, ConfigError> {
    let mut out: Vec<String> = Vec::new();
    for name in f.value.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        check_header_name(&f, name)?;
        if !out.iter().any(|n| n.eq_ignore_ascii_case(name)) {
            out.push(name.to_owned());
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::cli::Cli;
    use crate::config::env::EnvSource;
    use crate::config::sources::Sources;

    fn with<T>(var: &str, value: &str, f: impl FnOnce(Found<'_>) -> T) -> T {
        let env = EnvSource::from_vars([(var, value)]);
        let cli = Cli::default();
        let src = Sources::new(&cli, &env).unwrap();
        let found = [
            "JIRA_CUSTOM_HEADERS",
            "CONFLUENCE_PASSTHROUGH_HEADERS",
            "JIRA_PASSTHROUGH_HEADERS",
        ]
        .into_iter()
        .find_map(|v| src.get(v))
        .unwrap();
        f(found)
    }

    #[test]
    fn custom_headers() {
        let headers = with(
            "JIRA_CUSTOM_HEADERS",
            "X-Team=a, X-Key = k=v ,,x-team=b",
            parse_custom_headers,
        )
        .unwrap();
        let names: Vec<&str> = headers.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            vec!["X-Key", "x-team"],
            "later duplicates replace earlier ones"
        );
        assert_eq!(headers[0].1.expose(), "k=v");
        assert_eq!(headers[1].1.expose(), "b");

        let cases = [
            ("X-A=1,novalue-secret", "entry 2 has no \"=\""),
            ("Bad Name=1", "\"Bad Name\" is not a valid header name"),
            ("Host=evil", "header \"Host\" is set by the HTTP client"),
            (
                "X-A=evil\u{1}",
                "the value of header \"X-A\" contains a control character",
            ),
        ];
        for (value, want) in cases {
            let err = with("JIRA_CUSTOM_HEADERS", value, parse_custom_headers)
                .unwrap_err()
                .to_string();
            assert!(err.starts_with("JIRA_CUSTOM_HEADERS: "), "{err}");
            assert!(err.contains(want), "{err}");
            assert!(!err.contains("secret") && !err.contains("evil"), "{err}");
        }
    }

    #[test]
    fn passthrough_header_names() {
        let names = with(
            "JIRA_PASSTHROUGH_HEADERS",
            "X-User, x-user,X-Trace",
            parse_header_names,
        )
        .unwrap();
        assert_eq!(names, vec!["X-User", "X-Trace"]);
        let err = with(
            "CONFLUENCE_PASSTHROUGH_HEADERS",
            "ok,no/slash",
            parse_header_names,
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "CONFLUENCE_PASSTHROUGH_HEADERS: \"no/slash\" is not a valid header name \
             (letters, digits and !#$%&'*+-.^_`|~)"
        );
    }

    #[test]
    fn header_tokens_and_no_proxy_lists() {
        assert!(is_header_name("X-Custom_1.a~"));
        assert!(!is_header_name(""));
        assert!(!is_header_name("X:Y"));
        assert!(!is_header_name("Ünicode"));
        assert_eq!(
            parse_no_proxy(" Localhost, .Corp.example\t10.0.0.0/8 ,,localhost"),
            vec!["localhost", ".corp.example", "10.0.0.0/8"]
        );
    }
}

//! The configuration layer's one error type. Every message is a single line that names the
//! variable or flag at fault, shows the offending value when it is not secret, and says what
//! would be accepted, so that a user can fix the setting without reading the source.

use std::fmt;

/// Longest value echoed back in an error message; longer ones are cut with an ellipsis.
const MAX_ECHO: usize = 120;

/// Why flags, the environment or the `.env` file could not be turned into a [`super::Config`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConfigError {
    /// A value that does not parse or lies outside the accepted range.
    /// Shown as `NAME: "value" is not EXPECTED`. Secret values are never stored here.
    Invalid {
        /// The variable or flag, e.g. `JIRA_TIMEOUT`, `--port` or `PORT (from ./.env)`.
        name: String,
        /// The rejected value (already redacted where it could hold a credential).
        value: String,
        /// What would have been accepted, phrased to follow "is not".
        expected: String,
    },
    /// A setting that is refused for a reason other than its syntax (an unknown name, a
    /// conflict with another setting, an unsupported feature). Shown as `NAME: REASON`.
    Rejected {
        /// The variable or flag at fault.
        name: String,
        /// One-line explanation; it quotes only non-secret parts of the value.
        reason: String,
    },
    /// The dotenv file is missing, unreadable or malformed.
    /// Shown as `PATH:LINE: REASON`, or `env file PATH: REASON` when no line applies.
    EnvFile {
        /// The file as given (`--env-file`) or `./.env`.
        path: String,
        /// 1-based line number of the malformed entry.
        line: Option<usize>,
        /// What is wrong; never includes the line's text, which may hold a secret.
        reason: String,
    },
}

impl ConfigError {
    /// Builds [`ConfigError::Invalid`].
    pub(crate) fn invalid(
        name: impl Into<String>,
        value: &str,
        expected: impl Into<String>,
    ) -> Self {
        ConfigError::Invalid {
            name: name.into(),
            value: value.to_owned(),
            expected: expected.into(),
        }
    }

    /// Builds [`ConfigError::Rejected`].
    pub(crate) fn rejected(name: impl Into<String>, reason: impl Into<String>) -> Self {
        ConfigError::Rejected {
            name: name.into(),
            reason: reason.into(),
        }
    }

    /// The variable, flag or file the error is about.
    pub fn name(&self) -> &str {
        match self {
            ConfigError::Invalid { name, .. } | ConfigError::Rejected { name, .. } => name,
            ConfigError::EnvFile { path, .. } => path,
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::Invalid {
                name,
                value,
                expected,
            } => write!(f, "{name}: {} is not {expected}", quote(value)),
            ConfigError::Rejected { name, reason } => write!(f, "{name}: {}", one_line(reason)),
            ConfigError::EnvFile {
                path,
                line: Some(line),
                reason,
            } => write!(f, "{path}:{line}: {}", one_line(reason)),
            ConfigError::EnvFile {
                path,
                line: None,
                reason,
            } => write!(f, "env file {path}: {}", one_line(reason)),
        }
    }
}

impl std::error::Error for ConfigError {}

/// Quotes a value for an error message: escapes control characters (so the message stays on one
/// line) and shortens very long values.
pub(crate) fn quote(value: &str) -> String {
    if value.chars().count() <= MAX_ECHO {
        format!("{value:?}")
    } else {
        let head: String = value.chars().take(MAX_ECHO).collect();
        format!("{head:?}...")
    }
}

/// Replaces line breaks so a reason can never spill onto a second line.
fn one_line(text: &str) -> String {
    text.replace(['\r', '\n'], " ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Cli, EnvSource, load};

    #[test]
    fn invalid_reads_as_one_sentence() {
        let e = ConfigError::invalid("JIRA_TIMEOUT", "abc", "a whole number of seconds");
        assert_eq!(
            e.to_string(),
            r#"JIRA_TIMEOUT: "abc" is not a whole number of seconds"#
        );
        assert_eq!(e.name(), "JIRA_TIMEOUT");
    }

    #[test]
    fn control_characters_stay_on_one_line() {
        let e = ConfigError::invalid("HOST", "a\nb", "a host name");
        assert!(!e.to_string().contains('\n'));
        let e = ConfigError::rejected("X", "first\nsecond");
        assert_eq!(e.to_string(), "X: first second");
    }

    #[test]
    fn long_values_are_shortened() {
        let long = "x".repeat(500);
        let text = ConfigError::invalid("PATH", &long, "a path").to_string();
        assert!(text.len() < 200, "{text}");
        assert!(text.contains("..."));
    }

    #[test]
    fn env_file_errors_name_file_and_line() {
        let e = ConfigError::EnvFile {
            path: "./.env".into(),
            line: Some(3),
            reason: "expected KEY=value".into(),
        };
        assert_eq!(e.to_string(), "./.env:3: expected KEY=value");
        let e = ConfigError::EnvFile {
            path: "/x/y.env".into(),
            line: None,
            reason: "cannot read it (not found)".into(),
        };
        assert_eq!(
            e.to_string(),
            "env file /x/y.env: cannot read it (not found)"
        );
    }

    /// Every kind of bad value, loaded end to end, gives the expected single line and never
    /// echoes a secret.
    #[test]
    fn each_bad_value_gives_one_clear_line() {
        let cases: &[(&str, &str, &str)] = &[
            (
                "TRANSPORT",
                "websocket",
                "TRANSPORT: \"websocket\" is not a transport (stdio, sse or streamable-http)",
            ),
            (
                "PORT",
                "80a",
                "PORT: \"80a\" is not a port number from 0 to 65535",
            ),
            (
                "PORT",
                "70000",
                "PORT: \"70000\" is not a port number from 0 to 65535",
            ),
            (
                "HOST",
                "my host",
                "HOST: \"my host\" is not an IP address or host name to listen on",
            ),
            (
                "STREAMABLE_HTTP_PATH",
                "mcp",
                "STREAMABLE_HTTP_PATH: \"mcp\" is not a URL path starting with /",
            ),
            (
                "JIRA_URL",
                "ftp://x",
                "JIRA_URL: \"ftp://x\" is not an http(s) URL",
            ),
            (
                "CONFLUENCE_URL",
                "https://u:hunter2@x",
                "CONFLUENCE_URL: \"https://u:***@x\" is not a URL without",
            ),
            (
                "JIRA_TIMEOUT",
                "abc",
                "JIRA_TIMEOUT: \"abc\" is not a whole number of seconds",
            ),
            (
                "CONFLUENCE_TIMEOUT",
                "0",
                "CONFLUENCE_TIMEOUT: \"0\" is not a whole number of seconds from 1",
            ),
            (
                "JIRA_SSL_VERIFY",
                "maybe",
                "JIRA_SSL_VERIFY: \"maybe\" is not a boolean",
            ),
            (
                "READ_ONLY_MODE",
                "si",
                "READ_ONLY_MODE: \"si\" is not a boolean",
            ),
            (
                "TOOLSETS",
                "jira_foo",
                "TOOLSETS: unknown toolset \"jira_foo\" (known: all, default, jira_issues,",
            ),
            (
                "ENABLED_TOOLS",
                "jira-get-issue",
                "ENABLED_TOOLS: \"jira-get-issue\" is not a tool name",
            ),
            (
                "HTTPS_PROXY",
                "ftp://u:pw@p",
                "HTTPS_PROXY: \"ftp://u:***@p\" is not a proxy URL",
            ),
            (
                "SOCKS_PROXY",
                "socks6://p",
                "SOCKS_PROXY: \"socks6://p\" is not a proxy URL",
            ),
            (
                "JIRA_HTTP_PROXY",
                "proxy:3128",
                "JIRA_HTTP_PROXY: \"proxy:3128\" is not a proxy URL",
            ),
            (
                "ATLASSIAN_PROXY_WPAD_URL",
                "wpad.dat",
                "ATLASSIAN_PROXY_WPAD_URL: \"wpad.dat\" is not an http(s) URL",
            ),
            (
                "MCP_ATLASSIAN_CA_BUNDLE",
                "/no/such.pem",
                "MCP_ATLASSIAN_CA_BUNDLE: \"/no/such.pem\" is not the path of an existing",
            ),
            (
                "JIRA_CA_BUNDLE",
                "/no/such.pem",
                "JIRA_CA_BUNDLE: \"/no/such.pem\" is not the path",
            ),
            (
                "JIRA_CLIENT_CERT",
                "/no/cert.pem",
                "JIRA_CLIENT_CERT: \"/no/cert.pem\" is not the path",
            ),
            (
                "CONFLUENCE_CLIENT_KEY_PASSWORD",
                "pw",
                "CONFLUENCE_CLIENT_KEY_PASSWORD: encrypted client keys are not supported",
            ),
            (
                "MCP_ALLOWED_URL_DOMAINS",
                "ok.com,bad/x",
                "MCP_ALLOWED_URL_DOMAINS: \"bad/x\" is not a domain name",
            ),
            (
                "MCP_ATLASSIAN_VALIDATION_CACHE_TTL",
                "-5",
                "MCP_ATLASSIAN_VALIDATION_CACHE_TTL: \"-5\" is not a whole number of seconds",
            ),
            (
                "MCP_ATLASSIAN_VALIDATION_CACHE_MAXSIZE",
                "lots",
                "MCP_ATLASSIAN_VALIDATION_CACHE_MAXSIZE: \"lots\" is not a whole number of entries",
            ),
            (
                "ATLASSIAN_RETRY_TOTAL",
                "99",
                "ATLASSIAN_RETRY_TOTAL: \"99\" is not a number of retries from 0 to 20",
            ),
            (
                "ATLASSIAN_RETRY_BACKOFF",
                "-1",
                "ATLASSIAN_RETRY_BACKOFF: \"-1\" is not a back-off factor from 0 to 60",
            ),
            (
                "ATLASSIAN_REQUESTS_PER_SECOND",
                "fast",
                "ATLASSIAN_REQUESTS_PER_SECOND: \"fast\" is not a number of requests per second",
            ),
            (
                "ATLASSIAN_CIRCUIT_BREAKER_COOLDOWN",
                "inf",
                "ATLASSIAN_CIRCUIT_BREAKER_COOLDOWN: \"inf\" is not a number of seconds",
            ),
            (
                "JIRA_FETCHER_MAX_WORKERS",
                "0",
                "JIRA_FETCHER_MAX_WORKERS: \"0\" is not a number of threads from 1 to 256",
            ),
            (
                "ATLASSIAN_OAUTH_REDIRECT_URI",
                "localhost/cb",
                "ATLASSIAN_OAUTH_REDIRECT_URI: \"localhost/cb\" is not an http(s) URL",
            ),
            (
                "ATLASSIAN_OAUTH_ALLOWED_GRANT_TYPES",
                "implicit",
                "ATLASSIAN_OAUTH_ALLOWED_GRANT_TYPES: unknown grant type \"implicit\"",
            ),
            (
                "ATLASSIAN_OAUTH_ALLOWED_CLIENT_REDIRECT_URIS",
                "nowhere",
                "ATLASSIAN_OAUTH_ALLOWED_CLIENT_REDIRECT_URIS: \"nowhere\" is not an absolute",
            ),
            (
                "ATLASSIAN_OAUTH_CLIENT_STORAGE_MODE",
                "redis",
                "ATLASSIAN_OAUTH_CLIENT_STORAGE_MODE: \"redis\" is not default or factory",
            ),
            (
                "ATLASSIAN_OAUTH_CLIENT_STORAGE_MODE",
                "factory",
                "ATLASSIAN_OAUTH_CLIENT_STORAGE_MODE: factory mode needs",
            ),
            (
                "ATLASSIAN_OAUTH_CLIENT_STORAGE_FACTORY",
                "nocolon",
                "ATLASSIAN_OAUTH_CLIENT_STORAGE_FACTORY: \"nocolon\" is not module:callable",
            ),
            (
                "ATLASSIAN_OAUTH_CLIENT_STORAGE_CONFIG_JSON",
                "[\"k-secret\"]",
                "ATLASSIAN_OAUTH_CLIENT_STORAGE_CONFIG_JSON: is not a JSON object",
            ),
            (
                "PUBLIC_BASE_URL",
                "example.com",
                "PUBLIC_BASE_URL: \"example.com\" is not an http(s) URL",
            ),
            (
                "JIRA_DEPLOYMENT",
                "onprem",
                "JIRA_DEPLOYMENT: \"onprem\" is not auto, cloud, server, dc, datacenter, data-center or server-dc (any case)",
            ),
            (
                "MCP_ATLASSIAN_USE_SYSTEM_TRUSTSTORE",
                "sure",
                "MCP_ATLASSIAN_USE_SYSTEM_TRUSTSTORE: \"sure\" is not a boolean",
            ),
            (
                "JIRA_SLA_WORKING_DAYS",
                "0",
                "JIRA_SLA_WORKING_DAYS: \"0\" is not a weekday number",
            ),
        ];
        for (var, value, want) in cases {
            let env = EnvSource::from_vars([(*var, *value)]);
            let got = load(&Cli::default(), &env).unwrap_err().to_string();
            assert!(
                got.starts_with(want),
                "{var}={value}\n  got:  {got}\n  want: {want}..."
            );
            assert!(!got.contains('\n'), "{got}");
            assert!(
                !got.contains("hunter2") && !got.contains("k-secret") && !got.contains(":pw@"),
                "{got}"
            );
        }
    }
}

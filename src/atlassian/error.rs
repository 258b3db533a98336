//! The one error type of the HTTP layer. Atlassian's error bodies (Jira `errorMessages`/`errors`,
//! Confluence v1 `message`, Confluence v2 `errors[]`) become a short detail, and each status gets
//! a hint saying what to do (which token type the deployment expects, how long to wait, ...).

use std::fmt;
use std::time::Duration;

use serde_json::Value;

use super::{Deployment, Product};

/// Why an upstream request failed.
#[derive(Debug, Clone, PartialEq)]
pub enum HttpError {
    /// Atlassian answered with an error status.
    Status {
        status: u16,
        product: Product,
        deployment: Deployment,
        detail: String,
        retry_after: Option<Duration>,
    },
    /// No connection: DNS, refused, reset, proxy failure, TLS.
    Connect { target: String, reason: String },
    /// The request took longer than the configured timeout.
    Timeout { target: String },
    /// The response body was larger than the limit read into memory.
    TooLarge { limit: usize },
    /// Too many consecutive 429/503 answers: calls are paused.
    CircuitOpen { retry_in: Duration },
    /// The MCP client cancelled the call.
    Cancelled,
    /// The answer was not what the API documents (e.g. not JSON).
    InvalidResponse { reason: String },
    /// The request could not be built (bad URL, bad header).
    InvalidRequest { reason: String },
    /// The stored OAuth tokens are missing, or the authorization server refused to refresh
    /// them: the user has to sign in again.
    Reauthorize { reason: String },
}

/// The first useful sentence of an Atlassian error body, at most 300 characters.
pub fn detail_from_body(body: &str) -> String {
    let detail = match serde_json::from_str::<Value>(body) {
        Ok(v) => json_detail(&v),
        Err(_) => {
            let text = body.trim();
            // HTML error pages carry nothing useful for a model.
            if text.starts_with('<') {
                String::new()
            } else {
                text.to_string()
            }
        }
    };
    let detail = detail.split_whitespace().collect::<Vec<_>>().join(" ");
    if detail.chars().count() > 300 {
        detail.chars().take(297).collect::<String>() + "..."
    } else {
        detail
    }
}

fn json_detail(v: &Value) -> String {
    let mut parts: Vec<String> = Vec::new();
    // Jira: {"errorMessages": [...], "errors": {"field": "message"}}
    if let Some(msgs) = v.get("errorMessages").and_then(Value::as_array) {
        parts.extend(msgs.iter().filter_map(Value::as_str).map(str::to_string));
    }
    match v.get("errors") {
        Some(Value::Object(fields)) => {
            for (field, msg) in fields {
                if let Some(m) = msg.as_str() {
                    parts.push(format!("{field}: {m}"));
                }
            }
        }
        // Confluence v2: {"errors": [{"status", "code", "title", "detail"}]}
        Some(Value::Array(items)) => {
            for item in items {
                let title = item
                    .get("title")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                let detail = item
                    .get("detail")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                let text = [title, detail]
                    .iter()
                    .filter(|s| !s.is_empty())
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(": ");
                if !text.is_empty() {
                    parts.push(text);
                }
            }
        }
        _ => {}
    }
    // Confluence v1 / Server: {"statusCode", "message", "reason"}
    if parts.is_empty()
        && let Some(m) = v.get("message").and_then(Value::as_str)
    {
        parts.push(m.to_string());
    }
    // OAuth endpoints (RFC 6749 §5.2): {"error", "error_description"}
    if parts.is_empty() {
        for key in ["error_description", "error"] {
            if let Some(m) = v.get(key).and_then(Value::as_str) {
                parts.push(m.to_string());
                break;
            }
        }
    }
    parts.join("; ")
}

/// Parse `Retry-After`: whole seconds (an HTTP date is treated as "soon": one second).
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    let v = value.trim();
    if v.is_empty() {
        return None;
    }
    match v.parse::<f64>() {
        Ok(s) if s.is_finite() && s >= 0.0 => Some(Duration::from_secs_f64(s.min(3600.0))),
        Ok(_) => None,
        Err(_) => Some(Duration::from_secs(1)),
    }
}

impl HttpError {
    /// True for failures worth retrying for an idempotent request.
    pub fn is_retryable(&self) -> bool {
        match self {
            HttpError::Status { status, .. } => matches!(status, 429 | 502 | 503 | 504),
            HttpError::Connect { .. } | HttpError::Timeout { .. } => true,
            _ => false,
        }
    }

    pub fn status(&self) -> Option<u16> {
        match self {
            HttpError::Status { status, .. } => Some(*status),
            _ => None,
        }
    }
}

fn auth_hint(product: Product, deployment: Deployment) -> String {
    let p = product.name().to_ascii_uppercase();
    match deployment {
        Deployment::Cloud => format!(
            "{} Cloud expects {p}_USERNAME (your e-mail) with {p}_API_TOKEN (an API token from id.atlassian.com), or an OAuth access token; personal access tokens do not work on Cloud",
            product.name()
        ),
        Deployment::ServerDc => format!(
            "{} Server/Data Center expects {p}_PERSONAL_TOKEN (a personal access token) or {p}_USERNAME with {p}_API_TOKEN holding the password",
            product.name()
        ),
    }
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HttpError::Status {
                status,
                product,
                deployment,
                detail,
                retry_after,
            } => {
                let name = product.name();
                let with_detail = |f: &mut fmt::Formatter<'_>| {
                    if detail.is_empty() {
                        Ok(())
                    } else {
                        // One period: the detail often ends with its own.
                        write!(f, ": {}", detail.trim_end().trim_end_matches('.'))
                    }
                };
                match status {
                    401 => {
                        write!(f, "{name} rejected the credentials (401)")?;
                        with_detail(f)?;
                        write!(f, ". {}", auth_hint(*product, *deployment))
                    }
                    403 => {
                        write!(f, "{name} denied access (403)")?;
                        with_detail(f)?;
                        write!(
                            f,
                            ". The account lacks permission for this item or action; ask an administrator or use another project or space"
                        )
                    }
                    // No Atlassian error body (an HTML page), or Jersey's "null for uri": the
                    // API path itself does not exist, so the site URL is wrong, not the key.
                    404 if detail.is_empty() || detail.starts_with("null for uri") => write!(
                        f,
                        "{name} has no such API at this address (404). Check {}_URL: it must be the site's base URL (e.g. https://your-site.atlassian.net{}), without /rest/... or a page path",
                        name.to_ascii_uppercase(),
                        if name == "Confluence" { "/wiki" } else { "" }
                    ),
                    404 => {
                        write!(f, "{name} found nothing there (404)")?;
                        with_detail(f)?;
                        write!(
                            f,
                            ". Check the key or id; the item may also be hidden from this account"
                        )
                    }
                    409 => {
                        write!(f, "{name} reported a conflict (409)")?;
                        with_detail(f)?;
                        write!(
                            f,
                            ". The item changed since it was read: read it again and retry with the current version"
                        )
                    }
                    410 => {
                        write!(f, "{name} no longer offers this endpoint (410 Gone)")?;
                        with_detail(f)?;
                        write!(f, ". Atlassian removed it; upgrade mcp-atlassian")
                    }
                    429 => {
                        write!(f, "{name} is rate limiting requests (429)")?;
                        match retry_after {
                            Some(d) => {
                                write!(f, ". Wait {} s before trying again", d.as_secs().max(1))
                            }
                            None => write!(f, ". Wait a little before trying again"),
                        }
                    }
                    500..=599 => {
                        write!(f, "{name} had a server error ({status})")?;
                        with_detail(f)?;
                        write!(f, ". Try again later")
                    }
                    _ => {
                        write!(f, "{name} rejected the request ({status})")?;
                        with_detail(f)?;
                        write!(f, ". Check the arguments")
                    }
                }
            }
            HttpError::Connect { target, reason } => write!(
                f,
                "could not connect to {target}: {reason}. Check the URL, DNS, proxy settings and TLS certificates (mcp-atlassian doctor diagnoses them)"
            ),
            HttpError::Timeout { target } => write!(
                f,
                "{target} did not answer in time. Try again, narrow the request, or raise JIRA_TIMEOUT / CONFLUENCE_TIMEOUT"
            ),
            HttpError::TooLarge { limit } => write!(
                f,
                "the response is larger than the {} MiB read into memory. Request fewer items or fields",
                limit / (1024 * 1024)
            ),
            HttpError::CircuitOpen { retry_in } => write!(
                f,
                "calls to Atlassian are paused after repeated rate limiting. Try again in {} s",
                retry_in.as_secs().max(1)
            ),
            HttpError::Cancelled => write!(f, "the request was cancelled"),
            HttpError::InvalidResponse { reason } => {
                write!(f, "unexpected answer from Atlassian: {reason}")
            }
            HttpError::InvalidRequest { reason } => {
                write!(f, "could not build the request: {reason}")
            }
            HttpError::Reauthorize { reason } => write!(
                f,
                "OAuth sign-in needed: {reason}. Run `mcp-atlassian --oauth-setup` again to get new tokens"
            ),
        }
    }
}

impl std::error::Error for HttpError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_bodies_of_each_api() {
        let jira = r#"{"errorMessages":["Issue does not exist"],"errors":{"summary":"You must specify a summary"}}"#;
        assert_eq!(
            detail_from_body(jira),
            "Issue does not exist; summary: You must specify a summary"
        );
        let v1 = r#"{"statusCode":404,"data":{"authorized":true},"message":"No space with key : X","reason":"Not Found"}"#;
        assert_eq!(detail_from_body(v1), "No space with key : X");
        let v2 =
            r#"{"errors":[{"status":404,"code":"NOT_FOUND","title":"Not Found","detail":null}]}"#;
        assert_eq!(detail_from_body(v2), "Not Found");
        assert_eq!(detail_from_body("<html><body>oops</body></html>"), "");
        assert_eq!(detail_from_body(&"x".repeat(1000)).chars().count(), 300);
    }

    #[test]
    fn hints_name_the_right_token() {
        let e = |status, deployment| HttpError::Status {
            status,
            product: Product::Jira,
            deployment,
            detail: String::new(),
            retry_after: Some(Duration::from_secs(7)),
        };
        assert!(
            e(401, Deployment::Cloud)
                .to_string()
                .contains("JIRA_API_TOKEN")
        );
        assert!(
            e(401, Deployment::ServerDc)
                .to_string()
                .contains("JIRA_PERSONAL_TOKEN")
        );
        assert!(e(429, Deployment::Cloud).to_string().contains("Wait 7 s"));
        assert!(
            e(409, Deployment::Cloud)
                .to_string()
                .contains("current version")
        );
        assert!(e(410, Deployment::Cloud).to_string().contains("410 Gone"));
        assert!(
            e(503, Deployment::Cloud).is_retryable() && !e(404, Deployment::Cloud).is_retryable()
        );
    }

    #[test]
    fn retry_after_values() {
        assert_eq!(parse_retry_after("2"), Some(Duration::from_secs(2)));
        assert_eq!(parse_retry_after("0.5"), Some(Duration::from_millis(500)));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::from_secs(1))
        );
        assert_eq!(parse_retry_after(""), None);
        assert_eq!(parse_retry_after("-3"), None);
    }

    #[test]
    fn one_period_between_the_detail_and_the_hint() {
        let e = HttpError::Status {
            status: 404,
            product: Product::Jira,
            deployment: Deployment::Cloud,
            detail: "Issue does not exist or you do not have permission to see it.".into(),
            retry_after: None,
        };
        let text = e.to_string();
        assert!(
            text.contains("permission to see it. Check the key"),
            "{text}"
        );
        assert!(!text.contains(".."), "{text}");
    }
}

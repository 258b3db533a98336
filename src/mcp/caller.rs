//! Who is calling, as an HTTP transport saw it: the raw `Authorization` value and the request
//! headers the application asked to keep. Product-agnostic plain data that travels with a tool
//! call; the application decides what the values mean (which credentials, which site). Secrets
//! never reach `Debug` output.

use std::fmt;

/// The identity material of one HTTP request. stdio and CLI calls have none.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Caller {
    /// The `Authorization` header as sent (`None` when absent or ignored by configuration).
    pub authorization: Option<String>,
    /// Kept headers, names in lower case, in arrival order.
    pub headers: Vec<(String, String)>,
    /// Who the transport itself authenticated, when it did (the OAuth proxy's grant id): stable
    /// while the tokens behind it are refreshed, so sessions are bound to it rather than to the
    /// raw credentials.
    pub principal: Option<String>,
    /// The only site the credentials may be sent to, when the transport issued them itself (the
    /// OAuth proxy's user tokens); `None`: the application decides as for any caller.
    pub token_site: Option<TokenSite>,
}

/// Where a token the transport vouches for is valid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TokenSite {
    /// A Cloud site, reached through the API gateway by its cloud id.
    Cloud(String),
    /// A Server/Data Center site, by its base URL.
    Url(String),
}

impl Caller {
    /// The first kept header of that name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// True when the request brought any credential material (authorization or kept headers).
    pub fn has_credentials(&self) -> bool {
        self.authorization.is_some() || !self.headers.is_empty()
    }
}

impl fmt::Debug for Caller {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.headers.iter().map(|(k, _)| k.as_str()).collect();
        f.debug_struct("Caller")
            .field("authorization", &self.authorization.as_ref().map(|_| "***"))
            .field("headers", &names)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_values() {
        let a = Caller {
            authorization: Some("Bearer sekrit".into()),
            headers: vec![("x-atlassian-jira-url".into(), "https://x".into())],
            principal: None,
            token_site: None,
        };
        assert!(!format!("{a:?}").contains("sekrit"));
        assert!(a.has_credentials() && !Caller::default().has_credentials());
        assert_eq!(a.header("X-Atlassian-Jira-Url"), Some("https://x"));
    }
}

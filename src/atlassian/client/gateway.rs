//! Requests to the Atlassian Cloud API gateway (`https://api.atlassian.com`, or
//! ATLASSIAN_API_GATEWAY_URL) for the APIs that live there and not on the site, such as the Jira
//! Forms API under `/jira/forms/cloud/{cloudId}`. Credentials normally go to the site's own
//! origin only; a gateway request names one scope, an origin the administrator configured plus a
//! fixed path prefix, and only hops inside that scope get the credentials as well. Custom and
//! pass-through headers stay with the site.

use super::super::error::HttpError;
use super::super::transfer::same_origin;
use super::{Client, Method, Request};

/// The one place a gateway request may carry the credentials besides the site.
#[derive(Debug, Clone)]
pub(super) struct Scope {
    /// The gateway URL, without trailing slash.
    gateway: String,
    /// `{gateway}{prefix}/`: every URL inside the scope starts with it.
    root: String,
}

/// True for a path segment that is plain: unreserved characters or `%` escapes, not a dot
/// segment.
fn plain_segment(s: &str) -> bool {
    !s.is_empty()
        && s != "."
        && s != ".."
        && !s.to_ascii_lowercase().contains("%2e")
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'%'))
}

impl Scope {
    /// True when `url` is on the gateway's origin, under the scope's prefix, and its path has
    /// no dot segments (which a server would resolve to somewhere outside the prefix).
    pub(super) fn admits(&self, url: &str) -> bool {
        if !same_origin(url, &self.gateway) {
            return false;
        }
        let Some(rest) = url.strip_prefix(&self.root) else {
            return false;
        };
        let path = rest.split(['?', '#']).next().unwrap_or_default();
        path.split('/').all(|s| {
            let lower = s.to_ascii_lowercase();
            s != "." && s != ".." && lower != "%2e" && lower != "%2e%2e"
        })
    }
}

impl Client {
    /// A request to `{gateway}{prefix}{path}` on the Cloud API gateway that carries this
    /// client's credentials, and only those: no custom or pass-through headers, and no
    /// credentials on any hop that leaves `prefix`. `prefix` is a fixed path of plain segments
    /// (`/jira/forms/cloud/<cloudId>`), `path` starts with `/` (ids in it encoded with
    /// `segment`). Fails when the client has no gateway (Server/DC) or the prefix is not plain.
    pub fn gateway(
        &self,
        method: Method,
        prefix: &str,
        path: &str,
    ) -> Result<Request<'_>, HttpError> {
        let Some(gateway) = self.opts.gateway.as_deref() else {
            return Err(HttpError::InvalidRequest {
                reason: "this API is on the Atlassian Cloud gateway, which a Server/Data Center site does not have".into(),
            });
        };
        let plain = prefix
            .strip_prefix('/')
            .is_some_and(|p| p.split('/').all(plain_segment));
        if !plain || !path.starts_with('/') {
            return Err(HttpError::InvalidRequest {
                reason: format!("{prefix:?} is not a plain gateway path"),
            });
        }
        let gateway = gateway.trim_end_matches('/');
        let mut req = self.request(method, &format!("{gateway}{prefix}{path}"));
        req.scope = Some(Scope {
            gateway: gateway.to_string(),
            root: format!("{gateway}{prefix}/"),
        });
        Ok(req)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::super::{Client, ClientOptions, Method};
    use crate::atlassian::retry::Limiter;
    use crate::atlassian::{Credentials, Deployment, Product};

    fn client(gateway: Option<&str>) -> Client {
        let mut opts = ClientOptions::new(
            Product::Jira,
            Deployment::Cloud,
            "https://x.atlassian.net",
            Credentials::None,
        );
        opts.gateway = gateway.map(str::to_string);
        Client::new(opts, Arc::new(Limiter::unlimited())).unwrap()
    }

    #[test]
    fn the_scope_admits_its_own_prefix_only() {
        let c = client(Some("https://api.atlassian.com/"));
        let r = c
            .gateway(Method::Get, "/jira/forms/cloud/abc-1", "/issue/A-1/form")
            .unwrap();
        assert_eq!(
            c.url(&r),
            "https://api.atlassian.com/jira/forms/cloud/abc-1/issue/A-1/form"
        );
        let s = r.scope.as_ref().unwrap();
        assert!(s.admits("https://api.atlassian.com/jira/forms/cloud/abc-1/issue/A-1/form?x=1"));
        assert!(!s.admits("https://API.atlassian.com:443/jira/forms/cloud/abc-1/x"));
        for outside in [
            "https://api.atlassian.com/jira/forms/cloud/abc-2/issue/A-1/form",
            "https://api.atlassian.com/jira/forms/cloud/abc-1",
            "https://api.atlassian.com/jira/forms/cloud/abc-10/x",
            "https://api.atlassian.com/ex/jira/abc-1/rest/api/3/myself",
            "https://api.atlassian.com/jira/forms/cloud/abc-1/../../../ex/jira/abc-1/rest",
            "https://api.atlassian.com/jira/forms/cloud/abc-1/%2E%2E/x",
            "http://api.atlassian.com/jira/forms/cloud/abc-1/issue",
            "https://api.atlassian.com.evil/jira/forms/cloud/abc-1/issue",
            "https://evil.example/jira/forms/cloud/abc-1/issue",
        ] {
            assert!(!s.admits(outside), "{outside}");
        }
    }

    #[test]
    fn only_plain_prefixes_on_a_configured_gateway() {
        let c = client(Some("https://api.atlassian.com"));
        for bad in [
            "jira/forms",
            "/jira/../ex",
            "/jira//x",
            "/jira/forms/cloud/a b",
            "/jira/forms/cloud/%2e%2e",
            "/jira/forms/cloud/a?b",
        ] {
            assert!(c.gateway(Method::Get, bad, "/x").is_err(), "{bad}");
        }
        assert!(c.gateway(Method::Get, "/jira/forms", "x").is_err());
        assert!(
            client(None)
                .gateway(Method::Get, "/jira/forms/cloud/a", "/x")
                .is_err()
        );
    }
}

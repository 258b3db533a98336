//! Just enough URL handling for configuration: split a URL into scheme, credentials, host, port
//! and the rest; check site, proxy and PAC URLs; mask credentials for logs; and tell Atlassian
//! Cloud hosts from Server/Data Center ones. No network access, no DNS.

use std::net::{IpAddr, Ipv6Addr};

/// Where a Jira or Confluence site runs; decides which REST APIs and auth methods apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Deployment {
    /// Atlassian Cloud (`*.atlassian.net` and friends, or `api.atlassian.com` via OAuth).
    #[default]
    Cloud,
    /// Self-managed Server or Data Center.
    ServerDc,
}

impl Deployment {
    /// `cloud` or `server`, as written in `JIRA_DEPLOYMENT`.
    pub fn as_str(self) -> &'static str {
        match self {
            Deployment::Cloud => "cloud",
            Deployment::ServerDc => "server",
        }
    }
}

/// Host suffixes that mark an Atlassian Cloud site (including the US government clouds).
pub const CLOUD_HOST_SUFFIXES: [&str; 6] = [
    ".atlassian.net",
    ".jira.com",
    ".jira-dev.com",
    ".atlassian.com",
    ".atlassian-us-gov-mod.net",
    ".atlassian-us-gov.net",
];

/// Schemes accepted for proxy URLs.
pub const PROXY_SCHEMES: [&str; 6] = ["http", "https", "socks4", "socks4a", "socks5", "socks5h"];

/// The pieces of an absolute URL, borrowed from the input.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct UrlParts<'a> {
    pub scheme: &'a str,
    pub userinfo: Option<&'a str>,
    /// Host without IPv6 brackets.
    pub host: &'a str,
    pub port: Option<u16>,
    /// Path, query and fragment, starting with `/`, `?` or `#` (or empty).
    pub rest: &'a str,
}

/// Splits `scheme://[userinfo@]host[:port][rest]`. Returns `None` for anything else, including
/// whitespace or control characters, a backslash in the authority, an empty host or a bad port.
pub(crate) fn split_url(url: &str) -> Option<UrlParts<'_>> {
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return None;
    }
    let (scheme, after) = url.split_once("://")?;
    let mut chars = scheme.chars();
    if !chars.next()?.is_ascii_alphabetic()
        || !chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    {
        return None;
    }
    let end = after.find(['/', '?', '#']).unwrap_or(after.len());
    let (authority, rest) = after.split_at(end);
    if authority.contains('\\') {
        return None;
    }
    let (userinfo, host_port) = match authority.rsplit_once('@') {
        Some((user, hp)) => (Some(user), hp),
        None => (None, authority),
    };
    let (host, port) = if let Some(bracketed) = host_port.strip_prefix('[') {
        let (inside, tail) = bracketed.split_once(']')?;
        inside.parse::<Ipv6Addr>().ok()?;
        let port = match tail {
            "" => None,
            _ => Some(tail.strip_prefix(':')?),
        };
        (inside, port)
    } else {
        match host_port.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (host_port, None),
        }
    };
    let valid_host = !host.is_empty()
        && (host.parse::<Ipv6Addr>().is_ok()
            || host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_')));
    if !valid_host {
        return None;
    }
    let port = match port {
        None => None,
        Some(p) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => {
            Some(p.parse::<u16>().ok().filter(|&n| n != 0)?)
        }
        Some(_) => return None,
    };
    Some(UrlParts {
        scheme,
        userinfo,
        host,
        port,
        rest,
    })
}

/// Checks a site URL (`JIRA_URL`, `PUBLIC_BASE_URL`, ...): `http` or `https`, a host, no
/// credentials, no query or fragment. Returns it without trailing slashes.
/// The error text completes the sentence "VALUE is not ...".
pub(crate) fn parse_site_url(url: &str) -> Result<String, &'static str> {
    let parts = split_url(url).ok_or("an http(s) URL")?;
    if !matches!(parts.scheme.to_ascii_lowercase().as_str(), "http" | "https") {
        return Err("an http(s) URL");
    }
    if parts.userinfo.is_some() {
        return Err("a URL without user:password@ (set the credential variables instead)");
    }
    if parts.rest.contains(['?', '#']) {
        return Err("a base URL (no ?query or #fragment)");
    }
    Ok(url.trim_end_matches('/').to_owned())
}

/// Checks a proxy URL: one of [`PROXY_SCHEMES`], a host, optional credentials and port.
/// The error text completes the sentence "VALUE is not ...".
pub(crate) fn parse_proxy_url(url: &str) -> Result<String, &'static str> {
    const EXPECTED: &str =
        "a proxy URL (scheme http, https, socks4, socks4a, socks5 or socks5h, then ://host[:port])";
    let parts = split_url(url).ok_or(EXPECTED)?;
    if !PROXY_SCHEMES.contains(&parts.scheme.to_ascii_lowercase().as_str()) {
        return Err(EXPECTED);
    }
    if !matches!(parts.rest, "" | "/") {
        return Err("a proxy URL (no path after host:port)");
    }
    Ok(url.trim_end_matches('/').to_owned())
}

/// Masks credentials in a URL for logging: `http://user:secret@host` becomes
/// `http://user:***@host`. A user part without a password is masked whole (`***@host`), since
/// some proxies take a token as the user name. Strings that are not URLs come back unchanged
/// unless they contain `@` in what looks like an authority.
pub fn redact_url(url: &str) -> String {
    let Some(start) = url.find("://").map(|i| i + 3) else {
        return url.to_owned();
    };
    let after = &url[start..];
    let end = after.find(['/', '?', '#']).unwrap_or(after.len());
    let Some(at) = after[..end].rfind('@') else {
        return url.to_owned();
    };
    let userinfo = &after[..at];
    let masked = match userinfo.split_once(':') {
        Some((user, _)) if !user.is_empty() => format!("{user}:***"),
        _ => "***".to_owned(),
    };
    format!("{}{masked}{}", &url[..start], &after[at..])
}

/// Classifies a site URL by its host: Cloud when it ends in one of [`CLOUD_HOST_SUFFIXES`] or is
/// `api.atlassian.com`; Server/DC for everything else, and always for `localhost` and IP
/// literals (loopback, RFC 1918, `::1`, ...). Unparsable input counts as Server/DC.
pub fn detect_deployment(url: &str) -> Deployment {
    let Some(parts) = split_url(url.trim()) else {
        return Deployment::ServerDc;
    };
    let host = parts.host.trim_end_matches('.').to_ascii_lowercase();
    if host == "localhost" || host.ends_with(".localhost") || host.parse::<IpAddr>().is_ok() {
        return Deployment::ServerDc;
    }
    if host == "api.atlassian.com" || CLOUD_HOST_SUFFIXES.iter().any(|s| host.ends_with(s)) {
        Deployment::Cloud
    } else {
        Deployment::ServerDc
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deployment_detection_table() {
        let cases = [
            ("https://acme.atlassian.net", Deployment::Cloud),
            ("https://ACME.Atlassian.NET/wiki", Deployment::Cloud),
            ("https://acme.jira.com", Deployment::Cloud),
            ("https://acme.jira-dev.com", Deployment::Cloud),
            ("https://api.atlassian.com/ex/jira/abc", Deployment::Cloud),
            ("https://x.atlassian.com", Deployment::Cloud),
            ("https://acme.atlassian-us-gov-mod.net", Deployment::Cloud),
            ("https://acme.atlassian-us-gov.net", Deployment::Cloud),
            ("https://acme.atlassian.net.", Deployment::Cloud),
            ("https://jira.example.com", Deployment::ServerDc),
            ("https://atlassian.net.evil.com", Deployment::ServerDc),
            ("https://notatlassian.net", Deployment::ServerDc),
            ("http://localhost:8080", Deployment::ServerDc),
            ("http://127.0.0.1:2990/jira", Deployment::ServerDc),
            ("http://10.1.2.3", Deployment::ServerDc),
            ("http://172.16.0.1", Deployment::ServerDc),
            ("http://172.31.255.255", Deployment::ServerDc),
            ("http://192.168.1.10", Deployment::ServerDc),
            ("http://[::1]:8080", Deployment::ServerDc),
            ("not a url", Deployment::ServerDc),
        ];
        for (url, want) in cases {
            assert_eq!(detect_deployment(url), want, "{url}");
        }
    }

    #[test]
    fn split_url_pieces() {
        let p = split_url("https://u:p@host.example:8443/a/b?x#y").unwrap();
        assert_eq!(p.scheme, "https");
        assert_eq!(p.userinfo, Some("u:p"));
        assert_eq!(p.host, "host.example");
        assert_eq!(p.port, Some(8443));
        assert_eq!(p.rest, "/a/b?x#y");
        let p = split_url("http://[::1]:80").unwrap();
        assert_eq!((p.host, p.port), ("::1", Some(80)));
        for bad in [
            "host:80",
            "http://",
            "http://:80",
            "http://h:0",
            "http://h:99999",
            "http://h:x",
            "http://h:",
            "http://a b",
            "http://[zz]",
            "http://h\\@evil",
            "1http://h",
        ] {
            assert!(split_url(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn site_urls() {
        assert_eq!(
            parse_site_url("https://acme.atlassian.net/wiki/").unwrap(),
            "https://acme.atlassian.net/wiki"
        );
        assert!(parse_site_url("HTTP://jira.local").is_ok());
        assert_eq!(parse_site_url("ftp://x"), Err("an http(s) URL"));
        assert!(parse_site_url("https://u:p@x").is_err());
        assert!(parse_site_url("https://x/?a=b").is_err());
        assert!(parse_site_url("jira.example.com").is_err());
    }

    #[test]
    fn proxy_urls() {
        for ok in [
            "http://proxy:3128",
            "https://proxy",
            "socks4://p:1080",
            "socks4a://p:1080",
            "socks5://u:p@p:1080",
            "SOCKS5H://p:1080/",
        ] {
            assert!(parse_proxy_url(ok).is_ok(), "{ok}");
        }
        for bad in ["ftp://p", "proxy:3128", "socks6://p", "http://p/path"] {
            assert!(parse_proxy_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn redaction() {
        assert_eq!(
            redact_url("http://user:pw@proxy:3128"),
            "http://user:***@proxy:3128"
        );
        assert_eq!(redact_url("socks5://tok@p:1080/x"), "socks5://***@p:1080/x");
        assert_eq!(redact_url("http://:pw@p"), "http://***@p");
        assert_eq!(redact_url("http://p:3128"), "http://p:3128");
        assert_eq!(redact_url("http://p/a@b"), "http://p/a@b");
        assert_eq!(redact_url("plain text"), "plain text");
        assert_eq!(redact_url("http://a:b@c@host"), "http://a:***@host");
    }
}

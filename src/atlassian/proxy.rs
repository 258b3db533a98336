//! Proxy choice with curl's semantics, decided by us rather than ureq's environment pickup:
//! a scheme-specific proxy (`https` / `http`), else the catch-all one (SOCKS or ALL_PROXY), unless
//! the target matches NO_PROXY — by domain suffix, `*.` wildcard, exact IP, CIDR range or port.

use std::net::IpAddr;

/// The proxies configured for one product.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProxyRules {
    pub http: Option<String>,
    pub https: Option<String>,
    /// Used when no scheme-specific proxy applies (`SOCKS_PROXY`, `ALL_PROXY`).
    pub all: Option<String>,
    pub no_proxy: Vec<String>,
}

/// What a request to one target goes through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProxyChoice {
    Direct,
    /// A proxy URL (with credentials, if configured).
    Via(String),
}

/// The scheme, host (lower case, IPv6 without brackets) and port of a URL.
pub fn target(url: &str) -> Option<(String, String, u16)> {
    let (scheme, rest) = url.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    let authority = rest.split(['/', '?', '#']).next()?;
    let authority = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let (h, after) = v6.split_once(']')?;
        (h.to_string(), after.strip_prefix(':').map(str::to_string))
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h.to_string(), Some(p.to_string())),
            None => (authority.to_string(), None),
        }
    };
    let default = match scheme.as_str() {
        "https" => 443,
        "http" => 80,
        _ => return None,
    };
    let port = match port {
        Some(p) if !p.is_empty() => p.parse().ok()?,
        _ => default,
    };
    if host.is_empty() {
        return None;
    }
    Some((scheme, host.to_ascii_lowercase(), port))
}

fn cidr_contains(net: &str, ip: IpAddr) -> bool {
    let Some((base, bits)) = net.split_once('/') else {
        return false;
    };
    let (Ok(base), Ok(bits)) = (base.parse::<IpAddr>(), bits.parse::<u32>()) else {
        return false;
    };
    match (base, ip) {
        (IpAddr::V4(b), IpAddr::V4(t)) if bits <= 32 => {
            let mask = if bits == 0 {
                0
            } else {
                u32::MAX << (32 - bits)
            };
            u32::from(b) & mask == u32::from(t) & mask
        }
        (IpAddr::V6(b), IpAddr::V6(t)) if bits <= 128 => {
            let mask = if bits == 0 {
                0
            } else {
                u128::MAX << (128 - bits)
            };
            u128::from(b) & mask == u128::from(t) & mask
        }
        _ => false,
    }
}

/// Does one NO_PROXY entry cover this host and port?
pub fn no_proxy_matches(entry: &str, host: &str, port: u16) -> bool {
    let entry = entry.trim().to_ascii_lowercase();
    if entry.is_empty() {
        return false;
    }
    if entry == "*" {
        return true;
    }
    let ip = host.parse::<IpAddr>().ok();
    if entry.contains('/') {
        return ip.is_some_and(|ip| cidr_contains(&entry, ip));
    }
    // An optional port: `host:8080`, `[::1]:8080`; a bare IPv6 address has several colons.
    let (name, want_port) = if let Some(v6) = entry.strip_prefix('[') {
        match v6.split_once(']') {
            Some((h, rest)) => (
                h.to_string(),
                rest.strip_prefix(':').and_then(|p| p.parse().ok()),
            ),
            None => return false,
        }
    } else if entry.matches(':').count() == 1 {
        let (h, p) = entry.split_once(':').unwrap_or((&entry, ""));
        (h.to_string(), p.parse::<u16>().ok())
    } else {
        (entry.clone(), None)
    };
    if want_port.is_some_and(|p| p != port) {
        return false;
    }
    if let (Some(ip), Ok(entry_ip)) = (ip, name.parse::<IpAddr>()) {
        return ip == entry_ip;
    }
    let suffix = name.trim_start_matches("*.").trim_start_matches('.');
    host == suffix || host.ends_with(&format!(".{suffix}"))
}

impl ProxyRules {
    /// The proxy for a URL, following curl: NO_PROXY first, then the scheme's proxy, then the
    /// catch-all proxy.
    pub fn choose(&self, url: &str) -> ProxyChoice {
        let Some((scheme, host, port)) = target(url) else {
            return ProxyChoice::Direct;
        };
        if self
            .no_proxy
            .iter()
            .any(|e| no_proxy_matches(e, &host, port))
        {
            return ProxyChoice::Direct;
        }
        let specific = if scheme == "https" {
            &self.https
        } else {
            &self.http
        };
        match specific.as_ref().or(self.all.as_ref()) {
            Some(p) => ProxyChoice::Via(p.clone()),
            None => ProxyChoice::Direct,
        }
    }
}

/// A proxy URL with its password masked, for logs.
pub fn redact(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => match rest.split_once('@') {
            Some((userinfo, host)) => {
                let user = userinfo.split(':').next().unwrap_or_default();
                format!("{scheme}://{user}:***@{host}")
            }
            None => url.to_string(),
        },
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_proxy_table() {
        let cases = [
            ("*", "anything.example", 443, true),
            ("example.com", "example.com", 443, true),
            ("example.com", "jira.example.com", 443, true),
            ("example.com", "badexample.com", 443, false),
            (".example.com", "example.com", 443, true),
            (".example.com", "a.b.example.com", 443, true),
            ("*.example.com", "jira.example.com", 443, true),
            ("EXAMPLE.com", "jira.example.com", 443, true),
            ("jira.example.com:8443", "jira.example.com", 8443, true),
            ("jira.example.com:8443", "jira.example.com", 443, false),
            ("10.0.0.0/8", "10.1.2.3", 443, true),
            ("10.0.0.0/8", "11.1.2.3", 443, false),
            ("10.0.0.0/8", "ten.example.com", 443, false),
            ("192.168.1.7", "192.168.1.7", 80, true),
            ("192.168.1.7", "192.168.1.8", 80, false),
            ("::1", "::1", 443, true),
            ("fd00::/8", "fd12::1", 443, true),
            ("fd00::/8", "fe80::1", 443, false),
            ("[::1]:8080", "::1", 8080, true),
            ("[::1]:8080", "::1", 8081, false),
            ("localhost", "localhost", 80, true),
            ("", "localhost", 80, false),
        ];
        for (entry, host, port, want) in cases {
            assert_eq!(
                no_proxy_matches(entry, host, port),
                want,
                "{entry} vs {host}:{port}"
            );
        }
    }

    #[test]
    fn choice_follows_scheme_then_catch_all() {
        let rules = ProxyRules {
            http: Some("http://plain:3128".into()),
            https: Some("http://secure:3128".into()),
            all: Some("socks5h://socks:1080".into()),
            no_proxy: vec!["internal.example".into(), "10.0.0.0/8".into()],
        };
        assert_eq!(
            rules.choose("https://x.atlassian.net/rest"),
            ProxyChoice::Via("http://secure:3128".into())
        );
        assert_eq!(
            rules.choose("http://jira.local:8080/"),
            ProxyChoice::Via("http://plain:3128".into())
        );
        assert_eq!(
            rules.choose("https://jira.internal.example/"),
            ProxyChoice::Direct
        );
        assert_eq!(rules.choose("http://10.2.3.4:8080/"), ProxyChoice::Direct);
        let socks_only = ProxyRules {
            all: Some("socks5://s:1080".into()),
            ..ProxyRules::default()
        };
        assert_eq!(
            socks_only.choose("https://a.b/"),
            ProxyChoice::Via("socks5://s:1080".into())
        );
        assert_eq!(
            ProxyRules::default().choose("https://a.b/"),
            ProxyChoice::Direct
        );
    }

    #[test]
    fn targets_and_redaction() {
        assert_eq!(
            target("https://u:p@Host.Example:8443/x?y"),
            Some(("https".into(), "host.example".into(), 8443))
        );
        assert_eq!(
            target("http://[::1]/"),
            Some(("http".into(), "::1".into(), 80))
        );
        assert_eq!(target("ftp://x/"), None);
        assert_eq!(
            redact("http://bob:pw@proxy:3128"),
            "http://bob:***@proxy:3128"
        );
        assert_eq!(redact("socks5://proxy:1080"), "socks5://proxy:1080");
    }
}

//! Proxy choice with curl's semantics, decided by us rather than ureq's environment pickup:
//! a scheme-specific proxy (`https` / `http`), else the catch-all one (SOCKS or ALL_PROXY), unless
//! the target matches NO_PROXY — by domain suffix, `*.` wildcard, exact IP, CIDR range or port.
//! When neither applies, a PAC file (`pac_url`, evaluated by the client) may decide.

use std::net::IpAddr;

/// The proxies configured for one product.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProxyRules {
    pub http: Option<String>,
    pub https: Option<String>,
    /// Used when no scheme-specific proxy applies (`SOCKS_PROXY`, `ALL_PROXY`).
    pub all: Option<String>,
    pub no_proxy: Vec<String>,
    /// A PAC file (WPAD) consulted when NO_PROXY and the explicit proxies leave the choice open;
    /// the client fetches it once, on first use.
    pub pac_url: Option<String>,
}

/// What a request to one target goes through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProxyChoice {
    Direct,
    /// A proxy URL (with credentials, if configured).
    Via(String),
}

impl ProxyChoice {
    /// The first usable entry of a PAC result (`PROXY h:p; SOCKS5 h:p; DIRECT`), as a proxy URL
    /// (`http`, `https`, `socks4`, `socks5`); a blank result is DIRECT; `None` when no entry is
    /// usable. Ports default to 80, 443 (HTTPS) and 1080 (SOCKS).
    pub fn from_pac_result(result: &str) -> Option<ProxyChoice> {
        if result.trim().is_empty() {
            return Some(ProxyChoice::Direct);
        }
        for entry in result.split(';') {
            let mut words = entry.split_whitespace();
            let kind = words.next().unwrap_or_default().to_ascii_uppercase();
            let (scheme, port) = match kind.as_str() {
                "DIRECT" => return Some(ProxyChoice::Direct),
                "PROXY" | "HTTP" => ("http", 80),
                "HTTPS" => ("https", 443),
                "SOCKS" | "SOCKS4" => ("socks4", 1080),
                "SOCKS5" => ("socks5", 1080),
                _ => continue,
            };
            let (Some(addr), None) = (words.next(), words.next()) else {
                continue;
            };
            let v6 = addr.strip_prefix('[');
            let has_port = v6.map_or(addr.contains(':'), |v6| v6.contains("]:"));
            let full = Some(addr.to_string()).filter(|_| has_port);
            let full = full.unwrap_or_else(|| format!("{addr}:{port}"));
            let ok = full
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-._:[]".contains(c));
            if ok && !full.ends_with(':') && target(&format!("http://{full}/")).is_some() {
                return Some(ProxyChoice::Via(format!("{scheme}://{full}")));
            }
        }
        None
    }
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
    /// catch-all proxy (the PAC file is not consulted here: see `Client::proxy_choice`).
    pub fn choose(&self, url: &str) -> ProxyChoice {
        self.explicit(url).unwrap_or(ProxyChoice::Direct)
    }

    /// The choice NO_PROXY or an explicit proxy makes; `None` when neither applies.
    pub fn explicit(&self, url: &str) -> Option<ProxyChoice> {
        let Some((scheme, host, port)) = target(url) else {
            return Some(ProxyChoice::Direct);
        };
        if self
            .no_proxy
            .iter()
            .any(|e| no_proxy_matches(e, &host, port))
        {
            return Some(ProxyChoice::Direct);
        }
        let specific = if scheme == "https" {
            &self.https
        } else {
            &self.http
        };
        specific
            .as_ref()
            .or(self.all.as_ref())
            .map(|p| ProxyChoice::Via(p.clone()))
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
            pac_url: None,
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
        // Only NO_PROXY or an explicit proxy decides; otherwise a PAC file may.
        assert_eq!(ProxyRules::default().explicit("https://a.b/"), None);
        assert_eq!(
            rules.explicit("http://10.2.3.4/"),
            Some(ProxyChoice::Direct)
        );
    }

    #[test]
    fn pac_results_take_the_first_usable_entry() {
        let via = |s: &str| Some(ProxyChoice::Via(s.into()));
        let cases = [
            ("DIRECT", Some(ProxyChoice::Direct)),
            (
                "PROXY p1.corp:8080; PROXY p2.corp:8080; DIRECT",
                via("http://p1.corp:8080"),
            ),
            ("  proxy p.corp:3128 ;", via("http://p.corp:3128")),
            ("; DIRECT", Some(ProxyChoice::Direct)),
            ("PROXY p.corp", via("http://p.corp:80")),
            ("HTTPS s.corp; DIRECT", via("https://s.corp:443")),
            ("HTTP h:81", via("http://h:81")),
            ("SOCKS s:1081", via("socks4://s:1081")),
            ("SOCKS4 s", via("socks4://s:1080")),
            ("SOCKS5 [::1]:1080", via("socks5://[::1]:1080")),
            ("SOCKS5 [::1]", via("socks5://[::1]:1080")),
            (
                "QUIC q:443; BOGUS; PROXY two words:1; PROXY bad/host:1; SOCKS5 s:1",
                via("socks5://s:1"),
            ),
            ("PROXY p:99999; PROXY p:; PROXY u@p:1", None),
            ("", Some(ProxyChoice::Direct)),
            ("  ", Some(ProxyChoice::Direct)),
            (";", None),
        ];
        for (result, want) in cases {
            assert_eq!(ProxyChoice::from_pac_result(result), want, "{result:?}");
        }
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

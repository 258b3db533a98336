//! Per-request credentials for the HTTP transports: turns an HTTP caller (its `Authorization`
//! header and `X-Atlassian-*` headers) into Jira and Confluence clients for that caller.
//!
//! - `Authorization: Bearer <token>` is an OAuth access token (with `X-Atlassian-Cloud-Id`, or
//!   the server's cloud id, on Cloud it goes through the API gateway); `Token <pat>` is a
//!   personal access token; `Basic <base64 user:secret>` is user + API token or password.
//! - `X-Atlassian-{Jira,Confluence}-Personal-Token` is a personal token for that product;
//!   `X-Atlassian-{Jira,Confluence}-Url` names the caller's own site. A caller-chosen site must
//!   be in `MCP_ALLOWED_URL_DOMAINS` (a domain admits its subdomains); a host matched only as a
//!   subdomain must not resolve to a loopback, private, link-local or otherwise internal address
//!   (SSRF); the server's own credentials never go to a caller-chosen site.
//! - `*_PASSTHROUGH_HEADERS` are copied into that product's requests.
//! - A caller without credentials is served with the server's own (the transport only lets such
//!   a request through when that is allowed).
//! - A token the transport vouches for (the OAuth proxy's users) goes only to the site it is
//!   valid for: its Cloud site through the gateway, or its own Server/DC site; a product
//!   configured elsewhere answers with an error instead.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, ToSocketAddrs};
use std::sync::{Arc, Mutex};

use crate::atlassian::{self, AddressPolicy, Client, Credentials, HopGuard, Limiter, Secret};
use crate::config::{self, Config, Product, ServiceConfig};
use crate::confluence::{self, Confluence, ConfluenceSettings};
use crate::jira::{self, Jira, JiraSettings};
use crate::mcp::{Caller, TokenSite, ToolError};
use crate::tools::sites::CallerSites;

/// What one product needs to serve callers.
struct ProductSites {
    product: Product,
    /// The server's client: its site (or none), TLS, proxies, limiter and own credentials.
    template: Client,
    /// The configured site URL, if any.
    site_url: Option<String>,
    deployment: atlassian::Deployment,
    cloud_id: Option<String>,
    gateway: String,
    passthrough: Vec<String>,
}

/// The application's [`CallerSites`].
pub struct Callers {
    jira: Option<(ProductSites, JiraSettings)>,
    confluence: Option<(ProductSites, ConfluenceSettings)>,
    allowed_domains: Vec<String>,
    external_auth: bool,
    /// Confluence caches per site URL, so callers of the same site share warm caches.
    confluence_caches: Mutex<HashMap<String, Arc<confluence::Cache>>>,
    /// Jira metadata caches per site URL, shared the same way.
    jira_caches: Mutex<HashMap<String, Arc<jira::Cache>>>,
}

/// Sites whose caches are kept at most; beyond, the least useful guess (any) is dropped.
const MAX_CACHED_SITES: usize = 64;

fn refused(message: impl Into<String>, hint: &str) -> ToolError {
    ToolError::failed(message).hint(hint)
}

/// `Authorization` → credentials; the flag is true for OAuth bearer tokens.
fn parse_authorization(value: &str) -> Result<(Credentials, bool), ToolError> {
    let hint = "Send Authorization: Bearer <OAuth token>, Token <personal token> or Basic <base64 of email:api-token>";
    let (scheme, rest) = value.split_once(' ').unwrap_or((value, ""));
    let rest = rest.trim();
    if rest.is_empty() {
        return Err(refused("the Authorization header has no credential", hint));
    }
    match scheme.to_ascii_lowercase().as_str() {
        "bearer" => Ok((Credentials::Bearer(Secret::new(rest)), true)),
        "token" => Ok((Credentials::Bearer(Secret::new(rest)), false)),
        "basic" => {
            let decoded = crate::mcp::content::base64_decode(rest)
                .and_then(|b| String::from_utf8(b).ok())
                .ok_or_else(|| refused("the Basic credential is not valid base64", hint))?;
            let (user, secret) = decoded
                .split_once(':')
                .ok_or_else(|| refused("the Basic credential has no user:secret", hint))?;
            Ok((
                Credentials::Basic {
                    user: user.to_string(),
                    secret: Secret::new(secret),
                },
                false,
            ))
        }
        _ => Err(refused(
            format!("the Authorization scheme {scheme:?} is not supported"),
            hint,
        )),
    }
}

fn internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || o[0] == 0
                || (o[0] == 100 && (o[1] & 0xc0) == 64) // carrier-grade NAT
                || (o[0] == 198 && (o[1] & 0xfe) == 18) // benchmarking 198.18.0.0/15
                || o[0] >= 240 // reserved 240.0.0.0/4
        }
        IpAddr::V6(v6) => {
            let seg = v6.segments();
            let o = v6.octets();
            let embedded = |a: usize| Ipv4Addr::new(o[a], o[a + 1], o[a + 2], o[a + 3]);
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (seg[0] & 0xfe00) == 0xfc00 // unique local
                || (seg[0] & 0xffc0) == 0xfe80 // link local
                || v6.to_ipv4_mapped().is_some_and(|v4| internal(IpAddr::V4(v4)))
                // IPv4-compatible ::a.b.c.d
                || (seg[..6].iter().all(|s| *s == 0) && internal(IpAddr::V4(embedded(12))))
                // NAT64 64:ff9b::/96
                || (seg[0] == 0x64 && seg[1] == 0xff9b && seg[2..6].iter().all(|s| *s == 0)
                    && internal(IpAddr::V4(embedded(12))))
                // 6to4 2002::/16 carries an IPv4 address in bits 16..48
                || (seg[0] == 0x2002 && internal(IpAddr::V4(embedded(2))))
        }
    }
}

/// What the resolver of caller-chosen sites enforces at connect time, on the very addresses the
/// connection uses: a host not listed exactly in MCP_ALLOWED_URL_DOMAINS (a subdomain match)
/// must not resolve to an internal address. `check_site` says the same earlier, with a clearer
/// message; this is what makes it hold against a name that answers differently the second time.
fn address_policy(allowed: &[String]) -> AddressPolicy {
    let exact: Vec<String> = allowed.iter().map(|d| d.to_ascii_lowercase()).collect();
    Arc::new(move |host: &str, ips: &[IpAddr]| {
        if exact.iter().any(|d| d == host) || !ips.iter().copied().any(internal) {
            Ok(())
        } else {
            Err(format!("the site {host} resolves to an internal address"))
        }
    })
}

/// The check every hop of a caller-chosen site's requests passes: the same allow-list and
/// address rules as the site itself (query and fragment aside).
fn hop_guard(allowed: &[String]) -> HopGuard {
    let allowed = allowed.to_vec();
    Arc::new(move |url: &str| {
        let base = url.split(['?', '#']).next().unwrap_or_default();
        check_site(base, &allowed, "the redirect target")
            .map(|_| ())
            .map_err(|e| e.to_string())
    })
}

/// Check a caller-chosen site URL; returns it without a trailing slash.
fn check_site(url: &str, allowed: &[String], header: &str) -> Result<String, ToolError> {
    let hint = "Ask the administrator to add the site's domain to MCP_ALLOWED_URL_DOMAINS";
    let url = url.trim().trim_end_matches('/');
    let (scheme, rest) = url
        .split_once("://")
        .filter(|(s, _)| matches!(*s, "http" | "https"))
        .ok_or_else(|| refused(format!("{header} must be an http(s) URL"), hint))?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') || rest.contains(['?', '#']) {
        return Err(refused(
            format!("{header} must not carry user info, a query or a fragment"),
            hint,
        ));
    }
    let default_port = if scheme == "https" { 443 } else { 80 };
    let (host, port) = match authority.strip_prefix('[') {
        Some(v6) => {
            let (h, after) = v6.split_once(']').unwrap_or((v6, ""));
            (h, after.strip_prefix(':'))
        }
        None => match authority.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        },
    };
    let port = match port {
        None => default_port,
        Some(p) => p
            .parse::<u16>()
            .map_err(|_| refused(format!("{header} has a bad port"), hint))?,
    };
    let host = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .trim_end_matches('.')
        .to_ascii_lowercase();
    if allowed.is_empty() {
        return Err(refused(
            format!("{header} is not accepted: this server allows no per-request sites"),
            hint,
        ));
    }
    let exact = allowed.contains(&host);
    let listed = exact || allowed.iter().any(|d| host.ends_with(&format!(".{d}")));
    if !listed {
        return Err(refused(
            format!("the site {host} in {header} is not in MCP_ALLOWED_URL_DOMAINS"),
            hint,
        ));
    }
    if !exact {
        let addrs: Vec<IpAddr> = (host.as_str(), port)
            .to_socket_addrs()
            .map_err(|e| refused(format!("the site {host} does not resolve: {e}"), hint))?
            .map(|a| a.ip())
            .collect();
        if addrs.is_empty() || addrs.iter().copied().any(internal) {
            return Err(refused(
                format!("the site {host} resolves to an internal address"),
                "List the exact host name in MCP_ALLOWED_URL_DOMAINS if it really is an internal site",
            ));
        }
    }
    Ok(url.to_string())
}

impl ProductSites {
    /// The client for this caller; `None`: the caller brought nothing, use the server's.
    fn resolve(
        &self,
        caller: &Caller,
        allowed: &[String],
        external: bool,
    ) -> Result<Option<Client>, ToolError> {
        let name = self.product.as_str();
        let url_header = format!("x-atlassian-{name}-url");
        let pat = caller.header(&format!("x-atlassian-{name}-personal-token"));
        let passthrough: Vec<(String, Secret)> = self
            .passthrough
            .iter()
            .filter_map(|h| caller.header(h).map(|v| (h.clone(), Secret::new(v))))
            .collect();
        let mut oauth = false;
        let creds = if external {
            Some(Credentials::None)
        } else if let Some(t) = pat {
            Some(Credentials::Bearer(Secret::new(t.trim())))
        } else if let Some(a) = &caller.authorization {
            let (c, bearer) = parse_authorization(a)?;
            oauth = bearer;
            Some(c)
        } else {
            None
        };
        if let Some(site) = &caller.token_site {
            return self
                .at_token_site(site, creds, passthrough, allowed)
                .map(Some);
        }
        if let Some(url) = caller.header(&url_header) {
            let shown = format!("X-Atlassian-{}-Url", capitalised(name));
            let creds = creds.ok_or_else(|| {
                refused(
                    format!("{shown} came without credentials"),
                    "Send the site's personal token or an Authorization header with it",
                )
            })?;
            let url = check_site(url, allowed, &shown)?;
            let same_site = self.site_url.as_deref() == Some(url.as_str());
            let deployment = if same_site {
                self.deployment
            } else {
                match config::detect_deployment(&url) {
                    config::Deployment::Cloud => atlassian::Deployment::Cloud,
                    config::Deployment::ServerDc => atlassian::Deployment::ServerDc,
                }
            };
            let client = self.template.rebased(
                Some(&url),
                Some(deployment),
                creds,
                passthrough,
                Some(hop_guard(allowed)),
            );
            return Ok(Some(client));
        }
        let Some(creds) = creds else {
            if passthrough.is_empty() || self.site_url.is_none() {
                return Ok(None);
            }
            let own = self.template.options().credentials.clone();
            return Ok(Some(self.template.rebased(
                None,
                None,
                own,
                passthrough,
                None,
            )));
        };
        let cloud_id = caller
            .header("x-atlassian-cloud-id")
            .map(str::to_string)
            .or_else(|| self.cloud_id.clone());
        let base = match (oauth, cloud_id, self.deployment) {
            (true, Some(id), atlassian::Deployment::Cloud) => Some(self.through_gateway(&id)),
            _ => self.site_url.clone(),
        };
        let Some(base) = base else {
            return Err(refused(
                format!("{} has no site configured", capitalised(name)),
                &format!(
                    "Send X-Atlassian-{}-Url with the request, or X-Atlassian-Cloud-Id with an OAuth token",
                    capitalised(name)
                ),
            ));
        };
        Ok(Some(self.template.rebased(
            Some(&base),
            None,
            creds,
            passthrough,
            Some(hop_guard(allowed)),
        )))
    }
}

impl ProductSites {
    /// The product's API on the Cloud site `id`, through the gateway.
    fn through_gateway(&self, id: &str) -> String {
        match self.product {
            Product::Jira => format!("{}/ex/jira/{id}", self.gateway),
            Product::Confluence => format!("{}/ex/confluence/{id}/wiki", self.gateway),
        }
    }

    /// The client for a token the transport vouches for: only at the site it is valid for, never
    /// a site the caller names.
    fn at_token_site(
        &self,
        site: &TokenSite,
        creds: Option<Credentials>,
        passthrough: Vec<(String, Secret)>,
        allowed: &[String],
    ) -> Result<Client, ToolError> {
        let base = match (site, self.deployment) {
            (TokenSite::Cloud(id), atlassian::Deployment::Cloud) => Some(self.through_gateway(id)),
            (TokenSite::Url(url), atlassian::Deployment::ServerDc) => self
                .site_url
                .as_deref()
                .filter(|own| site_key(own) == site_key(url))
                .map(str::to_string),
            _ => None,
        };
        let (Some(base), Some(creds)) = (base, creds) else {
            return Err(refused(
                format!(
                    "{} is not available through this server's sign-in: the signed-in user's token is valid only for another site",
                    capitalised(self.product.as_str())
                ),
                "Use the tools of the product the sign-in serves (on Server/Data Center, the one at ATLASSIAN_OAUTH_INSTANCE_URL)",
            ));
        };
        Ok(self.template.rebased(
            Some(&base),
            None,
            creds,
            passthrough,
            Some(hop_guard(allowed)),
        ))
    }
}

/// A site URL compared as a site: scheme and host in lower case, the default port dropped, the
/// path without a trailing slash.
fn site_key(url: &str) -> String {
    let url = url.trim().trim_end_matches('/');
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let scheme = scheme.to_ascii_lowercase();
    let cut = rest.find('/').unwrap_or(rest.len());
    let (authority, path) = rest.split_at(cut);
    let mut authority = authority.to_ascii_lowercase();
    let default = if scheme == "https" { ":443" } else { ":80" };
    if authority.ends_with(default) {
        authority.truncate(authority.len() - default.len());
    }
    format!("{scheme}://{authority}{path}")
}

fn capitalised(name: &str) -> String {
    let mut c = name.chars();
    c.next()
        .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
        .unwrap_or_default()
}

impl CallerSites for Callers {
    fn jira(&self, caller: &Caller) -> Result<Option<Jira>, ToolError> {
        let Some((sites, settings)) = &self.jira else {
            return Ok(None);
        };
        let client = sites.resolve(caller, &self.allowed_domains, self.external_auth)?;
        Ok(client.map(|c| {
            let cache = shared_cache(&self.jira_caches, &c.options().base_url);
            Jira::with_cache(c, settings.clone(), cache)
        }))
    }

    fn confluence(&self, caller: &Caller) -> Result<Option<Confluence>, ToolError> {
        let Some((sites, settings)) = &self.confluence else {
            return Ok(None);
        };
        let client = sites.resolve(caller, &self.allowed_domains, self.external_auth)?;
        Ok(client.map(|c| {
            let cache = shared_cache(&self.confluence_caches, &c.options().base_url);
            Confluence::with_cache(c, settings.clone(), cache)
        }))
    }
}

/// The cache of `site` in `caches`, made on first use; at most [`MAX_CACHED_SITES`] are kept.
fn shared_cache<C: Default>(caches: &Mutex<HashMap<String, Arc<C>>>, site: &str) -> Arc<C> {
    let mut caches = caches.lock().unwrap_or_else(|e| e.into_inner());
    if caches.len() >= MAX_CACHED_SITES && !caches.contains_key(site) {
        let victim = caches.keys().next().cloned();
        victim.map(|k| caches.remove(&k));
    }
    caches.entry(site.to_string()).or_default().clone()
}

fn product_sites(
    config: &Config,
    svc: &ServiceConfig,
    limiter: &Arc<Limiter>,
) -> Result<Option<ProductSites>, String> {
    let mut template_svc = svc.clone();
    if super::services::base_url(svc).is_none() {
        // No site of its own: the template only carries TLS, proxies and timeouts.
        template_svc.url = Some("https://site.invalid".into());
    }
    let Some(template) = super::services::client(config, &template_svc, limiter)? else {
        return Ok(None);
    };
    template.set_address_policy(address_policy(&config.http_auth.allowed_url_domains));
    Ok(Some(ProductSites {
        product: svc.product,
        deployment: template.deployment(),
        template,
        site_url: svc.url.clone(),
        cloud_id: svc.oauth.cloud_id.clone(),
        gateway: svc
            .oauth
            .api_gateway
            .clone()
            .unwrap_or_else(|| "https://api.atlassian.com".into()),
        passthrough: svc
            .passthrough_headers
            .iter()
            .map(|h| h.to_ascii_lowercase())
            .collect(),
    }))
}

/// The resolver for the HTTP transports (`None` for stdio and the CLI: no callers there).
pub fn build(
    config: &Config,
    limiter: &Arc<Limiter>,
) -> Result<Option<Box<dyn CallerSites>>, String> {
    if !config.transport.is_http() {
        return Ok(None);
    }
    let jira = match &config.jira {
        Some(svc) => product_sites(config, svc, limiter)?.map(|s| {
            (
                s,
                JiraSettings {
                    projects_filter: config.jira_options.projects_filter.clone(),
                    disable_markup_translation: config.jira_options.disable_markup_translation,
                    sla: super::services::sla_settings(&config.jira_options.sla),
                },
            )
        }),
        None => None,
    };
    let confluence = match &config.confluence {
        Some(svc) => product_sites(config, svc, limiter)?.map(|s| {
            (
                s,
                ConfluenceSettings {
                    spaces_filter: config.confluence_options.spaces_filter.clone(),
                },
            )
        }),
        None => None,
    };
    Ok(Some(Box::new(Callers {
        jira,
        confluence,
        allowed_domains: config.http_auth.allowed_url_domains.clone(),
        external_auth: config.http_auth.external_auth_enable,
        confluence_caches: Mutex::new(HashMap::new()),
        jira_caches: Mutex::new(HashMap::new()),
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authorization_schemes() {
        let (c, oauth) = parse_authorization("Bearer abc").unwrap();
        assert!(oauth && c == Credentials::Bearer(Secret::new("abc")));
        let (c, oauth) = parse_authorization("token pat-1").unwrap();
        assert!(!oauth && c == Credentials::Bearer(Secret::new("pat-1")));
        let (c, _) = parse_authorization("Basic YUBiLmM6dG9r").unwrap();
        assert_eq!(
            c,
            Credentials::Basic {
                user: "a@b.c".into(),
                secret: Secret::new("tok")
            }
        );
        assert!(parse_authorization("Digest x").is_err());
        assert!(parse_authorization("Bearer").is_err());
        assert!(parse_authorization("Basic !!!").is_err());
    }

    #[test]
    fn sites_compare_as_sites() {
        assert_eq!(
            site_key("HTTPS://Jira.Example.com:443/"),
            "https://jira.example.com"
        );
        assert_eq!(site_key("http://h:80/jira/"), "http://h/jira");
        assert_ne!(site_key("http://h/jira"), site_key("http://h/confluence"));
        assert_ne!(
            site_key("http://127.0.0.1:8"),
            site_key("http://localhost:8")
        );
    }

    #[test]
    fn site_urls_are_checked() {
        let allowed = vec!["atlassian.net".to_string(), "127.0.0.1".to_string()];
        let h = "X-Atlassian-Jira-Url";
        assert_eq!(
            check_site("http://127.0.0.1:8080/", &allowed, h).unwrap(),
            "http://127.0.0.1:8080"
        );
        for bad in [
            "ftp://x.atlassian.net",
            "https://user@x.atlassian.net",
            "https://evil.example.com",
            "https://atlassian.net.evil.example",
            "http://127.0.0.2",
            "https://x.atlassian.net?x=1",
            "http://[::1]:80",
            "http://127.0.0.1:x",
        ] {
            assert!(check_site(bad, &allowed, h).is_err(), "{bad}");
        }
        assert!(check_site("https://x.atlassian.net", &[], h).is_err());
        assert!(internal("10.1.2.3".parse().unwrap()));
        assert!(internal("::ffff:127.0.0.1".parse().unwrap()));
        assert!(internal("fd00::1".parse().unwrap()));
        assert!(internal("100.64.0.1".parse().unwrap()));
        assert!(!internal("104.192.141.1".parse().unwrap()));
        // Ranges the first review missed.
        for ip in [
            "64:ff9b::a00:1", // NAT64 of 10.0.0.1
            "2002:7f00:1::1", // 6to4 of 127.0.0.1
            "::127.0.0.1",    // IPv4-compatible
            "198.18.0.1",     // benchmarking
            "198.19.255.254",
            "240.0.0.1", // reserved
            "255.255.255.254",
        ] {
            assert!(internal(ip.parse().unwrap()), "{ip}");
        }
        for ip in [
            "64:ff9b::6810:8d01",
            "2002:6810:8d01::1",
            "198.20.0.1",
            "2001:4860::8888",
        ] {
            assert!(!internal(ip.parse().unwrap()), "{ip}");
        }
    }

    #[test]
    fn the_address_policy_refuses_internal_answers_of_subdomain_matches() {
        let policy = address_policy(&["example.net".to_string(), "127.0.0.1".to_string()]);
        let lo: IpAddr = "127.0.0.1".parse().unwrap();
        let public: IpAddr = "104.192.141.1".parse().unwrap();
        assert!(policy("127.0.0.1", &[lo]).is_ok(), "listed exactly");
        assert!(policy("jira.example.net", &[public]).is_ok());
        let e = policy("jira.example.net", &[public, lo]).unwrap_err();
        assert!(e.contains("internal address"), "{e}");
    }
}

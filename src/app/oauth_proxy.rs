//! The Atlassian side of the OAuth proxy (ATLASSIAN_OAUTH_PROXY_ENABLE): which authorization
//! server users sign in to (Cloud 3LO at ATLASSIAN_OAUTH_AUTH_URL, or the Server/DC site of
//! ATLASSIAN_OAUTH_INSTANCE_URL), with the app's client id, secret, redirect URI and scopes; the
//! authorize URL, code exchange and refresh reuse `atlassian::oauth::flow`, as the setup wizard
//! does, and on Cloud the site's cloud id is found through `accessible-resources`. The
//! transport's proxy (`transport::http::OAuthProxy`) calls this through its `Upstream` trait.

use std::sync::Arc;
use std::time::Duration;

use super::oauth::{endpoint_client, endpoint_of};
use super::oauth_setup::DEFAULT_CLOUD_SCOPE;
use super::services::client_at;
use crate::atlassian::oauth::flow::{self, AuthorizeRequest, CLOUD_AUTH_URL, CloudSite};
use crate::atlassian::{self, Client, Credentials, Limiter, Secret};
use crate::config::{self, Config, Product, ServiceConfig};
use crate::mcp::TokenSite;
use crate::transport::http::{
    ExchangeError, Hidden, OAuthProxy, ProxySettings, Upstream, UpstreamTokens,
};

/// The longest a request to Atlassian's authorization server may take: the proxy waits for it
/// on one of the HTTP dispatchers (the reference allows 20 s to its token requests).
const UPSTREAM_TIMEOUT: Duration = Duration::from_secs(20);

/// Paths the server answers itself, which the callback must not take.
const RESERVED: [&str; 8] = [
    "/",
    "/authorize",
    "/token",
    "/register",
    "/sse",
    "/messages",
    "/healthz",
    "/readyz",
];

/// Atlassian's authorization server for the proxy.
struct Atlassian {
    deployment: atlassian::Deployment,
    /// Cloud: the auth URL; Server/DC: the site.
    authorize_base: String,
    client_id: String,
    client_secret: Secret,
    redirect_uri: String,
    scope: String,
    /// Based at the authorization server.
    endpoint: Client,
    token_path: String,
    /// Cloud: based at the API gateway, for `accessible-resources`.
    gateway: Option<Client>,
    /// ATLASSIAN_OAUTH_CLOUD_ID, when the administrator fixed the site.
    cloud_id: Option<String>,
    /// The site users sign in to, to pick it among several Cloud sites.
    site: Option<String>,
}

fn tokens(answer: flow::TokenAnswer, site: Option<TokenSite>) -> UpstreamTokens {
    UpstreamTokens {
        access_token: Hidden::new(answer.access_token.expose()),
        refresh_token: answer.refresh_token.map(|r| Hidden::new(r.expose())),
        expires_in: Duration::from_secs_f64(answer.expires_in.clamp(0.0, 366.0 * 86400.0)),
        site,
    }
}

/// `scheme://host[:port]` of a URL, lower-cased, without a trailing slash.
fn origin(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let host = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    format!("{scheme}://{host}").to_ascii_lowercase()
}

impl Atlassian {
    /// The site of the token: the configured cloud id, else the configured site, which the
    /// user's account must reach; with neither configured, the first of the account's sites.
    fn choose(&self, sites: &[CloudSite]) -> Result<String, String> {
        if let Some(id) = &self.cloud_id {
            return sites
                .iter()
                .find(|s| &s.id == id)
                .map(|s| s.id.clone())
                .ok_or_else(|| {
                    format!("your Atlassian account cannot reach the site with cloud id {id}, the one this server serves")
                });
        }
        if let Some(wanted) = self.site.as_deref().map(origin) {
            return sites
                .iter()
                .find(|s| origin(&s.url) == wanted)
                .map(|s| s.id.clone())
                .ok_or_else(|| {
                    format!("your Atlassian account cannot reach {wanted}, the site this server serves (sign in with an account of that site)")
                });
        }
        sites
            .first()
            .map(|s| s.id.clone())
            .ok_or_else(|| "your Atlassian account reaches no Cloud site".into())
    }
}

impl Upstream for Atlassian {
    fn name(&self) -> String {
        match self.deployment {
            atlassian::Deployment::Cloud => "Atlassian Cloud".into(),
            atlassian::Deployment::ServerDc => origin(&self.authorize_base),
        }
    }

    fn begin(&self, state: &str) -> Result<(String, Hidden), String> {
        let (verifier, challenge) = flow::pkce()?;
        let url = flow::authorize_url(&AuthorizeRequest {
            deployment: self.deployment,
            base: &self.authorize_base,
            client_id: &self.client_id,
            redirect_uri: &self.redirect_uri,
            scope: &self.scope,
            state,
            challenge: &challenge,
        });
        Ok((url, Hidden::new(verifier)))
    }

    fn exchange(&self, code: &str, verifier: &Hidden) -> Result<UpstreamTokens, ExchangeError> {
        let form = flow::code_grant(
            &self.client_id,
            self.client_secret.expose(),
            code,
            &self.redirect_uri,
            verifier.expose(),
        );
        let answer = flow::token_request(&self.endpoint, &self.token_path, form)
            .map_err(|e| ExchangeError::Failed(e.to_string()))?;
        // Cloud: the site the token reaches through the gateway; Server/DC: the site that
        // issued it, the only one it may be sent to (Confluence on another site is not).
        let site = match &self.gateway {
            Some(gw) => {
                let sites = flow::accessible_resources(gw, &answer.access_token).map_err(|e| {
                    ExchangeError::Failed(format!("listing the token's sites failed: {e}"))
                })?;
                TokenSite::Cloud(self.choose(&sites).map_err(ExchangeError::Refused)?)
            }
            None => TokenSite::Url(self.authorize_base.trim_end_matches('/').to_string()),
        };
        Ok(tokens(answer, Some(site)))
    }

    fn refresh(&self, refresh_token: &Hidden) -> Result<UpstreamTokens, String> {
        let form = flow::refresh_grant(
            &self.client_id,
            self.client_secret.expose(),
            refresh_token.expose(),
        );
        flow::token_request(&self.endpoint, &self.token_path, form)
            .map(|a| tokens(a, None))
            .map_err(|e| e.to_string())
    }
}

/// The path of the redirect URI, checked to be one the server can serve.
fn callback_path(redirect_uri: &str, mcp_path: &str) -> Result<String, String> {
    let rest = redirect_uri
        .split_once("://")
        .map(|(_, r)| r)
        .ok_or("ATLASSIAN_OAUTH_REDIRECT_URI must be an absolute URL")?;
    let path = rest
        .find('/')
        .map_or("", |i| &rest[i..])
        .split(['?', '#'])
        .next()
        .unwrap_or_default();
    if path.is_empty()
        || RESERVED.contains(&path)
        || path == mcp_path
        || path.starts_with("/.well-known/")
    {
        return Err(format!(
            "ATLASSIAN_OAUTH_REDIRECT_URI must point at a path of its own on this server, such as https://mcp.example.com/callback (got {redirect_uri})"
        ));
    }
    Ok(path.to_string())
}

/// Check PUBLIC_BASE_URL: without it the issuer and every endpoint are taken from the request's
/// `Host` as `http://`, wrong behind TLS, so a listener reachable from other machines needs it.
fn public_base(config: &Config, redirect_uri: &str) -> Result<(), String> {
    let loopback = super::http::is_loopback_host(&config.host);
    match config.oauth_proxy.public_base_url.as_deref() {
        None if !loopback => Err(format!(
            "ATLASSIAN_OAUTH_PROXY_ENABLE on a listener other machines reach (HOST={}) needs PUBLIC_BASE_URL, the https URL clients reach this server at (the issuer and endpoints clients are sent to)",
            config.host
        )),
        Some(base) => {
            if !loopback && base.starts_with("http://") {
                log::warn!(
                    "OAuth proxy: PUBLIC_BASE_URL {base} is plain http on a listener other machines reach: tokens and codes would cross the network unencrypted; use https"
                );
            }
            // Cookies go by host, whatever the port.
            let host = |url: &str| {
                let o = origin(url);
                let authority = o
                    .split_once("://")
                    .map_or(o.as_str(), |(_, a)| a)
                    .to_string();
                match authority.rsplit_once(':') {
                    Some((h, p)) if p.bytes().all(|b| b.is_ascii_digit()) => h.to_string(),
                    _ => authority,
                }
            };
            if host(base) != host(redirect_uri) {
                log::warn!(
                    "OAuth proxy: ATLASSIAN_OAUTH_REDIRECT_URI ({redirect_uri}) is not on PUBLIC_BASE_URL's host ({base}): the sign-in cookie set at /authorize will not reach the callback, and sign-ins will be refused"
                );
            }
            Ok(())
        }
        None => Ok(()),
    }
}

/// The service whose OAuth settings the proxy uses: the one at the instance URL, else Jira,
/// else Confluence, else the global settings as a Cloud Jira.
fn service(config: &Config) -> ServiceConfig {
    let instance = config.oauth_proxy.instance_url.as_deref();
    let configured: Vec<&ServiceConfig> = [&config.jira, &config.confluence]
        .into_iter()
        .flatten()
        .collect();
    if let Some(svc) = configured
        .iter()
        .find(|s| s.url.is_some() && s.url.as_deref() == instance)
        .or_else(|| configured.first())
    {
        return (*svc).clone();
    }
    let mut svc = ServiceConfig::new(Product::Jira);
    svc.oauth = config.oauth.clone();
    if let Some(url) = instance {
        svc.url = Some(url.to_string());
        svc.deployment = config::detect_deployment(url);
    }
    svc
}

/// The proxy for this configuration: `None` when it is off; `Err` when it is on but the OAuth
/// app settings it needs are missing or unusable.
pub fn build(config: &Config) -> Result<Option<Arc<OAuthProxy>>, String> {
    let p = &config.oauth_proxy;
    if !p.enable || !config.transport.is_http() {
        return Ok(None);
    }
    let mut svc = service(config);
    svc.timeout = svc.timeout.min(UPSTREAM_TIMEOUT);
    let o = &svc.oauth;
    let missing: Vec<&str> = [
        ("ATLASSIAN_OAUTH_CLIENT_ID", o.client_id.is_none()),
        ("ATLASSIAN_OAUTH_CLIENT_SECRET", o.client_secret.is_none()),
        ("ATLASSIAN_OAUTH_REDIRECT_URI", o.redirect_uri.is_none()),
    ]
    .into_iter()
    .filter_map(|(name, absent)| absent.then_some(name))
    .collect();
    if !missing.is_empty() {
        return Err(format!(
            "ATLASSIAN_OAUTH_PROXY_ENABLE needs the OAuth app's settings: set {}",
            missing.join(", ")
        ));
    }
    let redirect_uri = o.redirect_uri.clone().unwrap_or_default();
    let callback = callback_path(&redirect_uri, &config.path)?;
    public_base(config, &redirect_uri)?;
    if !p.require_consent {
        log::warn!(
            "OAuth proxy: ATLASSIAN_OAUTH_REQUIRE_CONSENT=false: any client that registers (registration is open) sends users straight to Atlassian, where the sign-in to this server's one OAuth app may be approved without a prompt; the MCP specification asks for consent per client in that case. Turn it off only where every client is trusted"
        );
    }
    let cloud = svc.is_cloud();
    let limiter = Arc::new(Limiter::unlimited());
    let (base, token_path) = endpoint_of(&svc);
    let endpoint = endpoint_client(config, &svc, &limiter, &base)?;
    let gateway = if cloud {
        let url = o
            .api_gateway
            .clone()
            .unwrap_or_else(|| "https://api.atlassian.com".into());
        Some(client_at(config, &svc, &limiter, &url, Credentials::None)?)
    } else {
        None
    };
    let site = svc.url.clone().or_else(|| p.instance_url.clone());
    let authorize_base = if cloud {
        o.auth_url.clone().unwrap_or_else(|| CLOUD_AUTH_URL.into())
    } else {
        site.clone().ok_or(
            "ATLASSIAN_OAUTH_PROXY_ENABLE on Server/Data Center needs the site (ATLASSIAN_OAUTH_INSTANCE_URL or JIRA_URL)",
        )?
    };
    let scope = o.scope.clone().unwrap_or_else(|| {
        if cloud {
            DEFAULT_CLOUD_SCOPE.into()
        } else {
            config::DC_OAUTH_SCOPE.into()
        }
    });
    let upstream = Atlassian {
        deployment: if cloud {
            atlassian::Deployment::Cloud
        } else {
            atlassian::Deployment::ServerDc
        },
        authorize_base,
        client_id: o.client_id.clone().unwrap_or_default(),
        client_secret: Secret::new(o.client_secret.as_ref().map_or("", |s| s.expose())),
        redirect_uri,
        scope,
        endpoint,
        token_path,
        gateway,
        cloud_id: o.cloud_id.clone(),
        site,
    };
    log::info!(
        "OAuth proxy on: users sign in to {} and come back at {callback}",
        upstream.name()
    );
    let settings = ProxySettings {
        allowed_redirect_uris: p.allowed_client_redirect_uris.clone(),
        allowed_grant_types: p.allowed_grant_types.clone(),
        require_consent: p.require_consent,
        callback_path: callback,
    };
    Ok(Some(Arc::new(OAuthProxy::new(
        settings,
        Box::new(upstream),
    ))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_callback_needs_a_path_of_its_own() {
        assert_eq!(
            callback_path("https://mcp.example.com/callback", "/mcp").unwrap(),
            "/callback"
        );
        assert_eq!(
            callback_path("http://localhost:8000/oauth/cb?x=1", "/mcp").unwrap(),
            "/oauth/cb"
        );
        for bad in [
            "https://mcp.example.com",
            "https://mcp.example.com/",
            "https://mcp.example.com/mcp",
            "https://mcp.example.com/token",
            "https://mcp.example.com/.well-known/x",
            "callback",
        ] {
            assert!(callback_path(bad, "/mcp").is_err(), "{bad}");
        }
    }

    #[test]
    fn the_site_is_the_configured_one_or_else_the_first() {
        let sites = vec![
            CloudSite {
                id: "a".into(),
                url: "https://a.atlassian.net".into(),
                name: "A".into(),
            },
            CloudSite {
                id: "b".into(),
                url: "https://b.atlassian.net".into(),
                name: "B".into(),
            },
        ];
        let limiter = Arc::new(Limiter::unlimited());
        let svc = ServiceConfig::new(Product::Jira);
        let endpoint = client_at(
            &Config::default(),
            &svc,
            &limiter,
            "https://auth.example",
            Credentials::None,
        )
        .unwrap();
        let mut up = Atlassian {
            deployment: atlassian::Deployment::Cloud,
            authorize_base: CLOUD_AUTH_URL.into(),
            client_id: "c".into(),
            client_secret: Secret::new("s"),
            redirect_uri: "https://mcp.example.com/callback".into(),
            scope: "read:jira-work".into(),
            endpoint,
            token_path: "/oauth/token".into(),
            gateway: None,
            cloud_id: None,
            site: Some("https://B.atlassian.net/".into()),
        };
        assert_eq!(up.choose(&sites).unwrap(), "b");
        // A configured site the account cannot reach: no falling back to another one.
        up.site = Some("https://c.atlassian.net".into());
        let e = up.choose(&sites).unwrap_err();
        assert!(e.contains("cannot reach https://c.atlassian.net"), "{e}");
        up.site = None;
        assert_eq!(up.choose(&sites).unwrap(), "a");
        up.cloud_id = Some("b".into());
        assert_eq!(up.choose(&sites).unwrap(), "b");
        up.cloud_id = Some("z".into());
        assert!(up.choose(&sites).is_err());
        assert!(up.choose(&[]).is_err());
        let (url, verifier) = up.begin("st").unwrap();
        assert!(
            url.starts_with("https://auth.atlassian.com/authorize?"),
            "{url}"
        );
        assert!(url.contains("state=st") && url.contains("code_challenge_method=S256"));
        assert_eq!(verifier.expose().len(), 43);
    }
}

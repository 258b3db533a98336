//! Per-product connection settings: [`ServiceConfig`] for Jira or Confluence (site URL,
//! Cloud/Server detection, credentials, TLS, timeout, proxies, extra headers), built from the
//! `JIRA_*` or `CONFLUENCE_*` variables with the global `ATLASSIAN_OAUTH_*`, proxy and CA
//! settings as fallbacks.

use std::path::PathBuf;
use std::time::Duration;

use super::error::ConfigError;
use super::headers::{parse_custom_headers, parse_header_names, parse_no_proxy};
use super::secret::{ProxyUrl, Secret};
use super::site::{cloud_wiki, credential_notices, site_base};
use super::sources::{Found, Sources};
use super::url::{Deployment, detect_deployment, split_url};

/// Default request timeout.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(75);
/// Default PAC file location for WPAD.
pub const DEFAULT_WPAD_URL: &str = "http://wpad/wpad.dat";
/// OAuth defaults applied on Server/Data Center when a client id is set (as upstream does).
pub const DC_OAUTH_REDIRECT_URI: &str = "http://localhost:8080/callback";
pub const DC_OAUTH_SCOPE: &str = "WRITE";

/// The two products.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Product {
    Jira,
    Confluence,
}

impl Product {
    /// `jira` or `confluence`.
    pub fn as_str(self) -> &'static str {
        match self {
            Product::Jira => "jira",
            Product::Confluence => "confluence",
        }
    }

    fn vars(self) -> &'static ProductVars {
        match self {
            Product::Jira => &JIRA_VARS,
            Product::Confluence => &CONFLUENCE_VARS,
        }
    }
}

/// Which credential a product uses, in the order of preference of the reference server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthKind {
    /// Personal access token (Server/DC only), sent as `Authorization: Bearer`.
    PersonalToken,
    /// An OAuth access token managed elsewhere, used as is.
    OAuthAccessToken,
    /// An OAuth 2.0 app (client id and secret) with stored, refreshed tokens.
    OAuthApp,
    /// HTTP Basic: user name or e-mail plus API token or password.
    Basic,
    /// Mutual TLS with a client certificate only (Server/DC).
    ClientCert,
}

/// OAuth 2.0 settings. Globally these are the `ATLASSIAN_OAUTH_*` values; inside a
/// [`ServiceConfig`] they are merged with the product's `JIRA_OAUTH_*` / `CONFLUENCE_OAUTH_*`
/// overrides (client id, secret, redirect URI, scope, access token).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct OAuthConfig {
    pub client_id: Option<String>,
    pub client_secret: Option<Secret>,
    pub redirect_uri: Option<String>,
    /// Space-separated scopes, as given.
    pub scope: Option<String>,
    /// Atlassian Cloud site id (`ATLASSIAN_OAUTH_CLOUD_ID`; global only).
    pub cloud_id: Option<String>,
    /// Base of the Cloud API gateway used with a cloud id (`ATLASSIAN_API_GATEWAY_URL`, default
    /// `https://api.atlassian.com`; global only). For egress proxies and tests.
    pub api_gateway: Option<String>,
    /// Externally managed access token, never refreshed.
    pub access_token: Option<Secret>,
    /// `ATLASSIAN_OAUTH_ENABLE`: every HTTP request brings its own bearer token.
    pub enable: bool,
    /// The Cloud authorization server (`ATLASSIAN_OAUTH_AUTH_URL`, default
    /// `https://auth.atlassian.com`; global only).
    pub auth_url: Option<String>,
    /// Where token files live (`MCP_ATLASSIAN_TOKEN_DIR`; default `~/.mcp-atlassian`).
    pub token_dir: Option<PathBuf>,
    /// How long the setup wizard waits for the browser's callback
    /// (`ATLASSIAN_OAUTH_SETUP_TIMEOUT`).
    pub setup_timeout: Option<Duration>,
}

impl OAuthConfig {
    /// True when a client id and secret, or an access token, are present.
    pub fn has_credentials(&self) -> bool {
        self.access_token.is_some() || (self.client_id.is_some() && self.client_secret.is_some())
    }
}

/// Proxy settings of one product. When any of the product's own `*_HTTP_PROXY`,
/// `*_HTTPS_PROXY`, `*_SOCKS_PROXY` is set, only those are used; otherwise the global ones.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ProxyConfig {
    /// Proxy for `http://` targets.
    pub http: Option<ProxyUrl>,
    /// Proxy for `https://` targets.
    pub https: Option<ProxyUrl>,
    /// Proxy for targets without a scheme-specific one: `*_SOCKS_PROXY` / `SOCKS_PROXY`, else
    /// `ALL_PROXY` (any accepted scheme).
    pub all: Option<ProxyUrl>,
    /// Hosts that bypass the proxy, lower-cased (`host`, `.domain`, `*`, IP, CIDR, `host:port`).
    pub no_proxy: Vec<String>,
}

impl ProxyConfig {
    /// The proxy for a target of the given scheme (`https` when `https` is true).
    pub fn for_scheme(&self, https: bool) -> Option<&ProxyUrl> {
        let specific = if https { &self.https } else { &self.http };
        specific.as_ref().or(self.all.as_ref())
    }
}

/// Proxy auto-discovery from a PAC file, used only when no explicit proxy applies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WpadConfig {
    pub enabled: bool,
    pub url: String,
}

impl Default for WpadConfig {
    fn default() -> Self {
        WpadConfig {
            enabled: false,
            url: DEFAULT_WPAD_URL.to_owned(),
        }
    }
}

/// Everything needed to talk to one product.
#[derive(Clone, Debug, PartialEq)]
pub struct ServiceConfig {
    pub product: Product,
    /// Site base URL without trailing slash; `None` when the product is enabled without one
    /// (OAuth cloud id, `ATLASSIAN_OAUTH_ENABLE` or external auth, with URLs per request).
    pub url: Option<String>,
    /// From `*_DEPLOYMENT` when set, else detected from the URL (Cloud when there is none).
    pub deployment: Deployment,
    pub username: Option<String>,
    /// API token (Cloud) or password (Server/DC) for Basic auth.
    pub api_token: Option<Secret>,
    /// A Cloud API token with scopes (`*_API_TOKEN_SCOPED`): sent through the API gateway.
    pub api_token_scoped: bool,
    /// Server/DC personal access token.
    pub personal_token: Option<Secret>,
    pub oauth: OAuthConfig,
    /// PEM client certificate (may also hold the key).
    pub client_cert: Option<PathBuf>,
    /// PEM private key, unencrypted.
    pub client_key: Option<PathBuf>,
    pub ssl_verify: bool,
    /// Extra CA certificates (PEM): `*_CA_BUNDLE`, else `MCP_ATLASSIAN_CA_BUNDLE`.
    pub ca_bundle: Option<PathBuf>,
    pub timeout: Duration,
    pub proxy: ProxyConfig,
    pub wpad: WpadConfig,
    /// Fixed headers added to every request; names are HTTP tokens, values are secret.
    pub custom_headers: Vec<(String, Secret)>,
    /// Names of incoming MCP HTTP headers to forward upstream.
    pub passthrough_headers: Vec<String>,
    /// What the user should hear at start-up about these settings (a URL corrected, a credential
    /// that cannot apply), one sentence each.
    pub notices: Vec<String>,
}

impl ServiceConfig {
    /// Settings for `product` with nothing configured.
    pub fn new(product: Product) -> Self {
        ServiceConfig {
            product,
            url: None,
            deployment: Deployment::Cloud,
            username: None,
            api_token: None,
            api_token_scoped: false,
            personal_token: None,
            oauth: OAuthConfig::default(),
            client_cert: None,
            client_key: None,
            ssl_verify: true,
            ca_bundle: None,
            timeout: DEFAULT_TIMEOUT,
            proxy: ProxyConfig::default(),
            wpad: WpadConfig::default(),
            custom_headers: Vec::new(),
            passthrough_headers: Vec::new(),
            notices: Vec::new(),
        }
    }

    pub fn is_cloud(&self) -> bool {
        self.deployment == Deployment::Cloud
    }

    /// The credential the server itself would use, following the reference server: on Cloud an
    /// OAuth token or app (with a cloud id) before Basic, personal tokens being ignored; on
    /// Server/DC a personal token, then OAuth, then Basic, then a bare client certificate.
    /// `None` means requests must bring their own credentials.
    pub fn auth_kind(&self) -> Option<AuthKind> {
        let basic =
            (self.username.is_some() && self.api_token.is_some()).then_some(AuthKind::Basic);
        let oauth_ready = match self.deployment {
            Deployment::Cloud => self.oauth.cloud_id.is_some(),
            Deployment::ServerDc => self.url.is_some(),
        };
        let oauth = if !oauth_ready {
            None
        } else if self.oauth.access_token.is_some() {
            Some(AuthKind::OAuthAccessToken)
        } else if self.oauth.client_id.is_some() && self.oauth.client_secret.is_some() {
            Some(AuthKind::OAuthApp)
        } else {
            None
        };
        match self.deployment {
            Deployment::Cloud => oauth.or(basic),
            Deployment::ServerDc => self
                .personal_token
                .as_ref()
                .map(|_| AuthKind::PersonalToken)
                .or(oauth)
                .or(basic)
                .or(self.client_cert.as_ref().map(|_| AuthKind::ClientCert)),
        }
    }
}

/// Global fallbacks shared by both products.
pub(crate) struct Globals {
    pub oauth: OAuthConfig,
    pub proxy: ProxyConfig,
    pub wpad: WpadConfig,
    pub ca_bundle: Option<PathBuf>,
}

/// The variable names of one product.
pub(crate) struct ProductVars {
    pub(crate) url: &'static str,
    deployment: &'static str,
    pub(crate) username: &'static str,
    pub(crate) api_token: &'static str,
    api_token_scoped: &'static str,
    pub(crate) personal_token: &'static str,
    oauth_client_id: &'static str,
    oauth_client_secret: &'static str,
    oauth_redirect_uri: &'static str,
    oauth_scope: &'static str,
    oauth_access_token: &'static str,
    client_cert: &'static str,
    client_key: &'static str,
    client_key_password: &'static str,
    ssl_verify: &'static str,
    ca_bundle: &'static str,
    timeout: &'static str,
    http_proxy: &'static str,
    https_proxy: &'static str,
    socks_proxy: &'static str,
    no_proxy: &'static str,
    wpad_enable: &'static str,
    wpad_url: &'static str,
    custom_headers: &'static str,
    passthrough_headers: &'static str,
}

macro_rules! product_vars {
    ($p:literal) => {
        ProductVars {
            url: concat!($p, "_URL"),
            deployment: concat!($p, "_DEPLOYMENT"),
            username: concat!($p, "_USERNAME"),
            api_token: concat!($p, "_API_TOKEN"),
            api_token_scoped: concat!($p, "_API_TOKEN_SCOPED"),
            personal_token: concat!($p, "_PERSONAL_TOKEN"),
            oauth_client_id: concat!($p, "_OAUTH_CLIENT_ID"),
            oauth_client_secret: concat!($p, "_OAUTH_CLIENT_SECRET"),
            oauth_redirect_uri: concat!($p, "_OAUTH_REDIRECT_URI"),
            oauth_scope: concat!($p, "_OAUTH_SCOPE"),
            oauth_access_token: concat!($p, "_OAUTH_ACCESS_TOKEN"),
            client_cert: concat!($p, "_CLIENT_CERT"),
            client_key: concat!($p, "_CLIENT_KEY"),
            client_key_password: concat!($p, "_CLIENT_KEY_PASSWORD"),
            ssl_verify: concat!($p, "_SSL_VERIFY"),
            ca_bundle: concat!($p, "_CA_BUNDLE"),
            timeout: concat!($p, "_TIMEOUT"),
            http_proxy: concat!($p, "_HTTP_PROXY"),
            https_proxy: concat!($p, "_HTTPS_PROXY"),
            socks_proxy: concat!($p, "_SOCKS_PROXY"),
            no_proxy: concat!($p, "_NO_PROXY"),
            wpad_enable: concat!($p, "_PROXY_WPAD_ENABLE"),
            wpad_url: concat!($p, "_PROXY_WPAD_URL"),
            custom_headers: concat!($p, "_CUSTOM_HEADERS"),
            passthrough_headers: concat!($p, "_PASSTHROUGH_HEADERS"),
        }
    };
}

static JIRA_VARS: ProductVars = product_vars!("JIRA");
static CONFLUENCE_VARS: ProductVars = product_vars!("CONFLUENCE");

/// Reads and checks every variable of `product`. Whether the product is enabled is decided by
/// the caller.
pub(crate) fn build_service(
    src: &Sources<'_>,
    product: Product,
    globals: &Globals,
) -> Result<ServiceConfig, ConfigError> {
    let v = product.vars();
    let mut notices = Vec::new();
    let url = src
        .site_url(v.url)?
        .map(|u| site_base(&u, product, v.url, &mut notices));
    let deployment = match src.get(v.deployment) {
        None => None,
        Some(f) => match f.value.to_ascii_lowercase().as_str() {
            "auto" => None,
            "cloud" => Some(Deployment::Cloud),
            "server" | "dc" | "datacenter" | "data-center" | "server-dc" => {
                Some(Deployment::ServerDc)
            }
            _ => {
                return Err(f.invalid(
                    "auto, cloud, server, dc, datacenter, data-center or server-dc (any case)",
                ));
            }
        },
    };
    let deployment =
        deployment.unwrap_or_else(|| url.as_deref().map_or(Deployment::Cloud, detect_deployment));

    let g = &globals.oauth;
    let mut oauth = OAuthConfig {
        client_id: src
            .string(v.oauth_client_id)
            .or_else(|| g.client_id.clone()),
        client_secret: src
            .secret(v.oauth_client_secret)
            .or_else(|| g.client_secret.clone()),
        redirect_uri: match src.get(v.oauth_redirect_uri) {
            Some(f) => Some(check_http_url(f)?),
            None => g.redirect_uri.clone(),
        },
        scope: src.string(v.oauth_scope).or_else(|| g.scope.clone()),
        cloud_id: g.cloud_id.clone(),
        api_gateway: g.api_gateway.clone(),
        access_token: src
            .secret(v.oauth_access_token)
            .or_else(|| g.access_token.clone()),
        enable: g.enable,
        auth_url: g.auth_url.clone(),
        token_dir: g.token_dir.clone(),
        setup_timeout: g.setup_timeout,
    };
    if deployment == Deployment::ServerDc && oauth.client_id.is_some() {
        oauth
            .redirect_uri
            .get_or_insert_with(|| DC_OAUTH_REDIRECT_URI.to_owned());
        oauth.scope.get_or_insert_with(|| DC_OAUTH_SCOPE.to_owned());
    }

    if let Some(f) = src.get(v.client_key_password) {
        return Err(f.rejected(
            "encrypted client keys are not supported; decrypt the key file \
             (openssl pkey -in key.pem -out plain.pem) and unset this variable",
        ));
    }
    let client_cert = src.file(v.client_cert)?;
    let client_key = src.file(v.client_key)?;
    if let (Some(_), None, Some(f)) = (&client_key, &client_cert, src.get(v.client_key)) {
        return Err(f.rejected(format!("is set but {} is not", v.client_cert)));
    }

    let own_proxy = ProxyConfig {
        http: src.proxy(&[v.http_proxy])?,
        https: src.proxy(&[v.https_proxy])?,
        all: src.proxy(&[v.socks_proxy])?,
        no_proxy: Vec::new(),
    };
    let mut proxy =
        if own_proxy.http.is_some() || own_proxy.https.is_some() || own_proxy.all.is_some() {
            own_proxy
        } else {
            globals.proxy.clone()
        };
    proxy.no_proxy = match src.get(v.no_proxy) {
        Some(f) => parse_no_proxy(f.value),
        None => globals.proxy.no_proxy.clone(),
    };

    let wpad = WpadConfig {
        enabled: src.opt_bool(v.wpad_enable)?.unwrap_or(globals.wpad.enabled),
        url: match src.get(v.wpad_url) {
            Some(f) => check_http_url(f)?,
            None => globals.wpad.url.clone(),
        },
    };

    Ok(ServiceConfig {
        product,
        url,
        deployment,
        username: src.string(v.username),
        api_token: src.secret(v.api_token),
        api_token_scoped: src.bool(v.api_token_scoped, false)?,
        personal_token: src.secret(v.personal_token),
        oauth,
        client_cert,
        client_key,
        ssl_verify: src.bool(v.ssl_verify, true)?,
        ca_bundle: src.file(v.ca_bundle)?.or_else(|| globals.ca_bundle.clone()),
        timeout: Duration::from_secs(src.number(
            v.timeout,
            DEFAULT_TIMEOUT.as_secs(),
            1..=86_400,
            "a whole number of seconds",
        )?),
        proxy,
        wpad,
        custom_headers: match src.get(v.custom_headers) {
            Some(f) => parse_custom_headers(f)?,
            None => Vec::new(),
        },
        passthrough_headers: match src.get(v.passthrough_headers) {
            Some(f) => parse_header_names(f)?,
            None => Vec::new(),
        },
        notices,
    })
    .map(|mut svc| {
        let extra = credential_notices(&svc, v);
        svc.notices.extend(extra);
        let mut notes = Vec::new();
        svc.url = svc
            .url
            .take()
            .map(|u| cloud_wiki(u, &svc, v.url, &mut notes));
        svc.notices.extend(notes);
        svc
    })
}

/// Checks that a URL is absolute http(s) and returns it unchanged (redirect URIs must match
/// what is registered byte for byte).
pub(crate) fn check_http_url(f: Found<'_>) -> Result<String, ConfigError> {
    match split_url(f.value) {
        Some(p) if matches!(p.scheme.to_ascii_lowercase().as_str(), "http" | "https") => {
            Ok(f.value.to_owned())
        }
        _ => Err(f.invalid("an http(s) URL")),
    }
}

#[cfg(test)]
#[path = "service_tests.rs"]
mod tests;

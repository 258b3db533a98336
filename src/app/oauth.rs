//! OAuth and scoped API tokens wired into the product clients: one [`OAuthSession`] per client
//! id (so Jira and Confluence share one lock and never both spend a rotating refresh token),
//! the token store's directory, and the Cloud API gateway for scoped API tokens, whose cloud id
//! comes from ATLASSIAN_OAUTH_CLOUD_ID or, once at start, from the site's `/_edge/tenant_info`.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use super::services::{base_url, client, client_at, credentials, gateway_url};
use crate::atlassian::oauth::flow::{CLOUD_AUTH_URL, token_endpoint};
use crate::atlassian::oauth::{OAuthSession, TokenStore};
use crate::atlassian::{self, Client, Credentials, Limiter, Secret};
use crate::config::{AuthKind, Config, Deployment, ServiceConfig};

/// The token directory: MCP_ATLASSIAN_TOKEN_DIR, else `.mcp-atlassian` in the home directory
/// (the reference's place).
pub fn token_dir(config: &Config) -> PathBuf {
    if let Some(dir) = &config.oauth.token_dir {
        return dir.clone();
    }
    let home = std::env::var_os("HOME")
        .or_else(|| std::env::var_os("USERPROFILE"))
        .map_or_else(|| PathBuf::from("."), PathBuf::from);
    home.join(".mcp-atlassian")
}

/// Where a service's authorization server is: `(base URL, token path)`.
pub fn endpoint_of(svc: &ServiceConfig) -> (String, String) {
    let deployment = match svc.deployment {
        Deployment::Cloud => atlassian::Deployment::Cloud,
        Deployment::ServerDc => atlassian::Deployment::ServerDc,
    };
    let auth = svc.oauth.auth_url.as_deref().unwrap_or(CLOUD_AUTH_URL);
    token_endpoint(deployment, auth, svc.url.as_deref().unwrap_or_default())
}

/// A client for a service's authorization server (Cloud: the site's custom headers stay with
/// the site).
pub fn endpoint_client(
    config: &Config,
    svc: &ServiceConfig,
    limiter: &Arc<Limiter>,
    base: &str,
) -> Result<Client, String> {
    let mut quiet = svc.clone();
    if svc.is_cloud() {
        quiet.custom_headers.clear();
    }
    client_at(config, &quiet, limiter, base, Credentials::None)
}

/// `scheme://host[:port]` of a URL.
fn origin_of(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => format!("{scheme}://{}", rest.split('/').next().unwrap_or(rest)),
        None => url.to_string(),
    }
}

/// What the product clients of one configuration share.
#[derive(Default)]
pub struct Wiring {
    /// By client id and token endpoint.
    sessions: HashMap<(String, String), Arc<OAuthSession>>,
    /// Cloud ids by site origin.
    tenants: HashMap<String, String>,
}

impl Wiring {
    /// The client of a configured product, with its OAuth session or scoped-token gateway.
    pub fn client(
        &mut self,
        config: &Config,
        svc: &ServiceConfig,
        limiter: &Arc<Limiter>,
    ) -> Result<Option<Client>, String> {
        match svc.auth_kind() {
            Some(AuthKind::OAuthApp) => {
                let Some(url) = base_url(svc) else {
                    return Ok(None);
                };
                let session = self.session(config, svc, limiter)?;
                client_at(config, svc, limiter, &url, Credentials::OAuth(session)).map(Some)
            }
            Some(AuthKind::Basic) if svc.api_token_scoped && svc.is_cloud() => {
                let Some(site) = svc.url.as_deref() else {
                    return client(config, svc, limiter);
                };
                let cloud_id = match &svc.oauth.cloud_id {
                    Some(id) => id.clone(),
                    None => self.tenant(config, svc, limiter, site)?,
                };
                let url = gateway_url(svc, &cloud_id);
                log::info!("{}: scoped API token, through {url}", svc.product.as_str());
                client_at(config, svc, limiter, &url, credentials(svc)).map(Some)
            }
            _ => client(config, svc, limiter),
        }
    }

    fn session(
        &mut self,
        config: &Config,
        svc: &ServiceConfig,
        limiter: &Arc<Limiter>,
    ) -> Result<Arc<OAuthSession>, String> {
        let client_id = svc.oauth.client_id.clone().unwrap_or_default();
        let secret = svc
            .oauth
            .client_secret
            .as_ref()
            .map(|s| Secret::new(s.expose()))
            .unwrap_or_else(|| Secret::new(""));
        let (base, path) = endpoint_of(svc);
        let key = (client_id.clone(), base.clone());
        if let Some(s) = self.sessions.get(&key) {
            return Ok(s.clone());
        }
        let endpoint = endpoint_client(config, svc, limiter, &base)?;
        let store = TokenStore::new(token_dir(config));
        let session = Arc::new(OAuthSession::new(
            &client_id, secret, store, endpoint, &path,
        ));
        self.sessions.insert(key, session.clone());
        Ok(session)
    }

    /// The cloud id of a Cloud site, from its `/_edge/tenant_info` (no credentials).
    fn tenant(
        &mut self,
        config: &Config,
        svc: &ServiceConfig,
        limiter: &Arc<Limiter>,
        site: &str,
    ) -> Result<String, String> {
        let origin = origin_of(site);
        if let Some(id) = self.tenants.get(&origin) {
            return Ok(id.clone());
        }
        let var = format!(
            "{}_API_TOKEN_SCOPED",
            svc.product.as_str().to_ascii_uppercase()
        );
        let probe = client_at(config, svc, limiter, &origin, Credentials::None)?;
        let none = Credentials::None;
        let found = probe
            .get("/_edge/tenant_info")
            .credentials(&none)
            .timeout(Duration::from_secs(10))
            .send_json()
            .map_err(|e| e.to_string())
            .and_then(|v| {
                v.get("cloudId")
                    .and_then(Value::as_str)
                    .filter(|id| !id.is_empty())
                    .map(str::to_string)
                    .ok_or_else(|| "the answer has no cloudId".to_string())
            });
        match found {
            Ok(id) => {
                self.tenants.insert(origin, id.clone());
                Ok(id)
            }
            Err(e) => Err(format!(
                "{var}: could not look up the cloud id of {origin} at /_edge/tenant_info ({e}); \
                 set ATLASSIAN_OAUTH_CLOUD_ID to the site's cloud id"
            )),
        }
    }
}

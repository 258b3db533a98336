//! Builds the product clients from the configuration: credentials by the reference's precedence,
//! the OAuth gateway URL when a cloud id is used, proxies, TLS, custom headers, retries and the
//! process-wide limiter shared by both products.

use std::sync::Arc;

use crate::atlassian::{
    self, Client, ClientOptions, Credentials, Limiter, ProxyRules, RetryPolicy, Secret, TlsOptions,
};
use crate::config::{AuthKind, Config, Deployment, Product, ServiceConfig};
use crate::confluence::{Confluence, ConfluenceSettings};
use crate::jira::{Jira, JiraSettings, SlaSettings};
use crate::tools::Services;

fn credentials(svc: &ServiceConfig) -> Credentials {
    let secret = |s: &crate::config::Secret| Secret::new(s.expose());
    match svc.auth_kind() {
        Some(AuthKind::PersonalToken) => svc
            .personal_token
            .as_ref()
            .map_or(Credentials::None, |t| Credentials::Bearer(secret(t))),
        Some(AuthKind::OAuthAccessToken) => svc
            .oauth
            .access_token
            .as_ref()
            .map_or(Credentials::None, |t| Credentials::Bearer(secret(t))),
        Some(AuthKind::Basic) => match (&svc.username, &svc.api_token) {
            (Some(user), Some(token)) => Credentials::Basic {
                user: user.clone(),
                secret: secret(token),
            },
            _ => Credentials::None,
        },
        Some(AuthKind::OAuthApp) => {
            log::warn!(
                "{}: OAuth app credentials need tokens from the setup wizard, which this build lacks; set an access token instead",
                svc.product.as_str()
            );
            Credentials::None
        }
        Some(AuthKind::ClientCert) | None => Credentials::None,
    }
}

/// The base URL requests go to: the gateway form for OAuth tokens with a cloud id.
pub(super) fn base_url(svc: &ServiceConfig) -> Option<String> {
    let gateway = matches!(
        svc.auth_kind(),
        Some(AuthKind::OAuthAccessToken | AuthKind::OAuthApp)
    ) && svc.deployment == Deployment::Cloud;
    let base = svc
        .oauth
        .api_gateway
        .as_deref()
        .unwrap_or("https://api.atlassian.com");
    match (&svc.oauth.cloud_id, gateway) {
        (Some(id), true) => Some(match svc.product {
            Product::Jira => format!("{base}/ex/jira/{id}"),
            Product::Confluence => format!("{base}/ex/confluence/{id}/wiki"),
        }),
        _ => svc.url.clone(),
    }
}

pub(super) fn client(
    config: &Config,
    svc: &ServiceConfig,
    limiter: &Arc<Limiter>,
) -> Result<Option<Client>, String> {
    let Some(url) = base_url(svc) else {
        return Ok(None);
    };
    let product = match svc.product {
        Product::Jira => atlassian::Product::Jira,
        Product::Confluence => atlassian::Product::Confluence,
    };
    let deployment = match svc.deployment {
        Deployment::Cloud => atlassian::Deployment::Cloud,
        Deployment::ServerDc => atlassian::Deployment::ServerDc,
    };
    let mut opts = ClientOptions::new(product, deployment, &url, credentials(svc));
    // APIs served by the gateway rather than the site (the Jira Forms API) go to the
    // administrator's gateway, never to one a caller or a response names.
    if deployment == atlassian::Deployment::Cloud {
        opts.gateway = Some(
            svc.oauth
                .api_gateway
                .clone()
                .unwrap_or_else(|| "https://api.atlassian.com".into()),
        );
    }
    opts.timeout = svc.timeout;
    opts.proxy = ProxyRules {
        http: svc.proxy.http.as_ref().map(|p| p.expose().to_string()),
        https: svc.proxy.https.as_ref().map(|p| p.expose().to_string()),
        all: svc.proxy.all.as_ref().map(|p| p.expose().to_string()),
        no_proxy: svc.proxy.no_proxy.clone(),
        // WPAD: a PAC file only when no explicit proxy is configured, as in the reference.
        pac_url: (svc.wpad.enabled
            && svc.proxy.http.is_none()
            && svc.proxy.https.is_none()
            && svc.proxy.all.is_none())
        .then(|| svc.wpad.url.clone()),
    };
    opts.tls = TlsOptions {
        verify: svc.ssl_verify,
        use_system_store: config.tls.use_system_truststore,
        ca_bundles: svc.ca_bundle.iter().cloned().collect(),
        client_cert: svc.client_cert.clone(),
        client_key: svc.client_key.clone(),
    };
    opts.headers = svc
        .custom_headers
        .iter()
        .map(|(k, v)| (k.clone(), Secret::new(v.expose())))
        .collect();
    let r = &config.resilience;
    opts.retry = RetryPolicy {
        max_retries: r.retry_total,
        backoff: r.retry_backoff,
        include_writes: r.retry_include_writes,
        ignore_retry_after: r.retry_ignore_retry_after,
        ..RetryPolicy::default()
    };
    Client::new(opts, limiter.clone())
        .map(Some)
        .map_err(|e| format!("{}: {e}", svc.product.as_str().to_ascii_uppercase()))
}

/// The SLA defaults of the Jira layer, from `JIRA_SLA_*`.
pub fn sla_settings(c: &crate::config::SlaConfig) -> SlaSettings {
    SlaSettings {
        metrics: c.metrics.clone(),
        working_hours_only: c.working_hours_only,
        start_minute: c.working_hours_start.minutes(),
        end_minute: c.working_hours_end.minutes(),
        working_days: c.working_days.clone(),
        timezone: c.timezone.clone(),
    }
}

/// The services tools work with; an error names the product whose TLS material is unusable.
pub fn build(config: &Config) -> Result<Services, String> {
    let r = &config.resilience;
    let limiter = Arc::new(Limiter::new(
        r.max_concurrent_requests as usize,
        r.requests_per_second,
        r.circuit_breaker_threshold,
        r.circuit_breaker_cooldown,
    ));
    let client_for = |svc: Option<&ServiceConfig>| -> Result<Option<Client>, String> {
        Ok(svc
            .map(|svc| client(config, svc, &limiter))
            .transpose()?
            .flatten())
    };
    let jira = client_for(config.jira.as_ref())?.map(|c| {
        Jira::new(
            c,
            JiraSettings {
                projects_filter: config.jira_options.projects_filter.clone(),
                disable_markup_translation: config.jira_options.disable_markup_translation,
                sla: sla_settings(&config.jira_options.sla),
            },
        )
    });
    let confluence = client_for(config.confluence.as_ref())?.map(|c| {
        Confluence::new(
            c,
            ConfluenceSettings {
                spaces_filter: config.confluence_options.spaces_filter.clone(),
            },
        )
    });
    Ok(Services {
        jira,
        confluence,
        max_limit: config.resilience.max_pagination_limit as usize,
        max_file_bytes: config.files.max_file_bytes,
        inline_file_bytes: config.files.inline_file_bytes,
        upload_root: config.files.upload_dir.as_ref().map(Into::into),
        callers: super::callers::build(config, &limiter)?,
    })
}

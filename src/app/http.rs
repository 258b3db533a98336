//! `serve` with `--transport streamable-http` or `sse`: the configuration becomes the HTTP
//! transport's options (bind address, path, stateless mode, allowed origins, kept headers, when
//! a request must bring credentials, the OAuth proxy when enabled), a stop request (SIGTERM/SIGINT, Ctrl-C on Windows: see
//! `signals.rs`) becomes a graceful shutdown, and the bound address is announced on stderr.

use std::net::IpAddr;
use std::sync::Arc;

use crate::atlassian::oauth::flow::CLOUD_AUTH_URL;
use crate::config::{Config, Transport};
use crate::mcp::Server;
use crate::tools::Services;
use crate::transport::http::{self, HttpLimits, HttpOptions, ProtectedResource, Shutdown};

/// True when `host` can only be reached from this machine.
pub fn is_loopback_host(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    match bare.parse::<IpAddr>() {
        Ok(ip) => ip.is_loopback(),
        Err(_) => bare.eq_ignore_ascii_case("localhost"),
    }
}

/// What the RFC 9728 metadata says: the authorization servers whose tokens callers bring
/// (Atlassian Cloud's, or each Server/DC site, which is its own), and the configured scopes.
fn protected_resource(config: &Config) -> ProtectedResource {
    let cloud = config
        .oauth
        .auth_url
        .clone()
        .unwrap_or_else(|| CLOUD_AUTH_URL.to_string());
    let mut servers: Vec<String> = [&config.jira, &config.confluence]
        .into_iter()
        .flatten()
        .map(|svc| match (&svc.url, svc.is_cloud()) {
            (Some(site), false) => site.clone(),
            _ => cloud.clone(),
        })
        .collect();
    if servers.is_empty() {
        servers.push(cloud);
    }
    servers.dedup();
    ProtectedResource {
        public_base: config.oauth_proxy.public_base_url.clone(),
        authorization_servers: servers,
        scopes: config
            .oauth
            .scope
            .as_deref()
            .unwrap_or_default()
            .split_whitespace()
            .map(str::to_string)
            .collect(),
    }
}

/// The transport's options for this configuration.
pub fn options(config: &Config) -> HttpOptions {
    let auth = &config.http_auth;
    let mut kept: Vec<String> = [&config.jira, &config.confluence]
        .into_iter()
        .flatten()
        .flat_map(|svc| svc.passthrough_headers.iter())
        .map(|h| h.to_ascii_lowercase())
        .collect();
    kept.sort();
    kept.dedup();
    let loopback = is_loopback_host(&config.host);
    // With the OAuth proxy every MCP request brings a token of the proxy's.
    let require_credentials = config.oauth.enable
        || (config.oauth_proxy.enable && !auth.ignore_header_auth)
        || !(auth.allow_global_cred_fallback
            || loopback
            || auth.external_auth_enable
            || auth.ignore_header_auth);
    HttpOptions {
        host: config.host.clone(),
        port: config.port,
        path: config.path.clone(),
        stateless: config.stateless,
        legacy_sse: config.transport == Transport::Sse,
        allowed_origins: auth.allowed_origins.clone(),
        kept_headers: kept,
        ignore_authorization: auth.ignore_header_auth,
        require_credentials,
        loopback,
        protected_resource: require_credentials.then(|| protected_resource(config)),
        oauth_proxy: None,
        limits: HttpLimits {
            workers: config.resilience.fetcher_max_workers.clamp(1, 64) as usize,
            ..HttpLimits::default()
        },
    }
}

/// Serve MCP over HTTP until a stop request; returns the exit code.
pub fn serve(config: &Config, server: Server<Services>) -> u8 {
    let mut opts = options(config);
    match super::oauth_proxy::build(config) {
        Ok(proxy) => opts.oauth_proxy = proxy,
        Err(e) => {
            eprintln!("mcp-atlassian: {e}");
            return 2;
        }
    }
    let shutdown = Shutdown::new();
    super::signals::install(shutdown.flag());
    let tools = server.listed().len();
    let (transport, path) = match config.transport {
        Transport::Sse => ("SSE", "/sse".to_string()),
        _ => ("streamable HTTP", opts.path.clone()),
    };
    let stateless = if opts.stateless { ", stateless" } else { "" };
    let result = http::serve(Arc::new(server), opts, shutdown, |addr| {
        eprintln!(
            "mcp-atlassian: serving MCP ({transport}{stateless}) with {tools} tool(s) on http://{addr}{path}"
        );
    });
    match result {
        Ok(()) => {
            log::info!("stopped");
            0
        }
        Err(e) => {
            eprintln!(
                "mcp-atlassian: cannot serve HTTP on {}:{}: {e}",
                config.host, config.port
            );
            1
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts() {
        for h in ["127.0.0.1", "localhost", "::1", "[::1]", "127.0.0.2"] {
            assert!(is_loopback_host(h), "{h}");
        }
        for h in ["0.0.0.0", "::", "10.0.0.1", "example.com"] {
            assert!(!is_loopback_host(h), "{h}");
        }
    }

    #[test]
    fn credentials_are_required_off_loopback_without_fallback() {
        let mut config = Config {
            transport: Transport::StreamableHttp,
            ..Config::default()
        };
        assert!(!options(&config).require_credentials);
        config.host = "0.0.0.0".into();
        assert!(options(&config).require_credentials);
        config.http_auth.allow_global_cred_fallback = true;
        assert!(!options(&config).require_credentials);
    }
}

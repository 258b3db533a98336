//! Whole-configuration tests: defaults, precedence across flags / environment / `.env`, product
//! enabling, the one-line error for each kind of bad value, and that `Debug` never shows a
//! secret. Every test injects its own [`EnvSource`]; none reads the real environment.

use std::time::Duration;

use super::*;

fn env(pairs: &[(&str, &str)]) -> EnvSource {
    EnvSource::from_vars(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())))
}

fn load_env(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
    load(&Cli::default(), &env(pairs))
}

fn error(pairs: &[(&str, &str)]) -> String {
    match load_env(pairs) {
        Ok(_) => panic!("{pairs:?} should fail"),
        Err(e) => e.to_string(),
    }
}

const CA_FILE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml");

#[test]
fn nothing_set_gives_the_defaults() {
    let config = load(&Cli::default(), &EnvSource::new()).unwrap();
    assert_eq!(config, Config::default());
    assert_eq!(config.host, "127.0.0.1");
    assert_eq!(config.port, 8000);
    assert_eq!(config.path, "/mcp");
    assert_eq!(config.toolsets.len(), 25);
    assert!(config.jira.is_none() && config.confluence.is_none());
}

#[test]
fn flag_beats_env_beats_dotenv_beats_default() {
    let dotenv = "PORT=3\nTRANSPORT=sse\nHOST=10.0.0.3\nJIRA_URL=https://file.example\n";
    let source = env(&[("PORT", "2"), ("TRANSPORT", "streamable-http")])
        .with_dotenv(".env", dotenv)
        .unwrap();
    let cli = Cli {
        port: Some("1".into()),
        ..Cli::default()
    };
    let config = load(&cli, &source).unwrap();
    assert_eq!(config.port, 1, "flag wins");
    assert_eq!(
        config.transport,
        Transport::StreamableHttp,
        "env beats .env"
    );
    assert_eq!(config.host, "10.0.0.3", ".env beats default");
    assert_eq!(config.path, "/mcp", "default");
    assert_eq!(config.env_file.as_deref(), Some(".env"));
    let jira = config.jira.unwrap();
    assert_eq!(jira.url.as_deref(), Some("https://file.example"));
    assert_eq!(jira.deployment, Deployment::ServerDc);
}

#[test]
fn cli_flags_map_to_their_variables() {
    let cli = Cli {
        transport: Some("streamable-http".into()),
        stateless: true,
        read_only: true,
        host: Some("0.0.0.0".into()),
        path: Some("/x".into()),
        jira_url: Some("https://acme.atlassian.net/".into()),
        jira_username: Some("me@acme.com".into()),
        jira_token: Some("tok".into()),
        no_jira_ssl_verify: true,
        jira_projects_filter: Some("abc,def".into()),
        confluence_url: Some("https://acme.atlassian.net/wiki".into()),
        confluence_spaces_filter: Some("DOCS".into()),
        enabled_tools: Some("jira_get_issue".into()),
        toolsets: Some("default".into()),
        oauth_cloud_id: Some("cloud-1".into()),
        verbose: 1,
        ..Cli::default()
    };
    let config = load(
        &cli,
        &env(&[("READ_ONLY_MODE", "false"), ("MCP_VERY_VERBOSE", "1")]),
    )
    .unwrap();
    assert!(config.stateless && config.read_only);
    assert_eq!(
        config.log_level,
        LogLevel::Info,
        "-v beats MCP_VERY_VERBOSE"
    );
    assert_eq!(
        (config.host.as_str(), config.path.as_str()),
        ("0.0.0.0", "/x")
    );
    let jira = config.jira.as_ref().unwrap();
    assert_eq!(jira.url.as_deref(), Some("https://acme.atlassian.net"));
    assert!(jira.is_cloud() && !jira.ssl_verify);
    assert_eq!(jira.auth_kind(), Some(AuthKind::Basic));
    assert_eq!(jira.oauth.cloud_id.as_deref(), Some("cloud-1"));
    assert_eq!(config.jira_options.projects_filter, vec!["ABC", "DEF"]);
    assert_eq!(config.confluence_options.spaces_filter, vec!["DOCS"]);
    assert_eq!(
        config.enabled_tools,
        Some(vec!["jira_get_issue".to_owned()])
    );
    assert_eq!(config.toolsets, CORE_TOOLSETS.to_vec());
    assert!(config.confluence.as_ref().unwrap().ssl_verify);
}

#[test]
fn log_levels() {
    let level = |v: u8, pairs: &[(&str, &str)]| {
        let cli = Cli {
            verbose: v,
            ..Cli::default()
        };
        load(&cli, &env(pairs)).unwrap().log_level
    };
    assert_eq!(level(0, &[]), LogLevel::Warn);
    assert_eq!(level(0, &[("MCP_VERBOSE", "true")]), LogLevel::Info);
    assert_eq!(
        level(0, &[("MCP_VERBOSE", "yes"), ("MCP_VERY_VERBOSE", "on")]),
        LogLevel::Debug
    );
    assert_eq!(level(2, &[]), LogLevel::Debug);
    assert_eq!(level(5, &[]), LogLevel::Debug);
    assert_eq!(LogLevel::Info.level_filter(), log::LevelFilter::Info);
}

#[test]
fn stateless_needs_streamable_http() {
    let cli = Cli {
        stateless: true,
        ..Cli::default()
    };
    let err = load(&cli, &EnvSource::new()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "--stateless: stateless mode needs the streamable-http transport (the transport is stdio)"
    );
    let err = error(&[("STATELESS", "true"), ("TRANSPORT", "sse")]);
    assert!(err.starts_with("STATELESS: stateless mode needs"), "{err}");
    assert!(load_env(&[("STATELESS", "true"), ("TRANSPORT", "streamable-http")]).is_ok());
}

#[test]
fn errors_from_dotenv_name_the_file() {
    let source = EnvSource::new()
        .with_dotenv("/etc/mcp.env", "PORT=x\n")
        .unwrap();
    let err = load(&Cli::default(), &source).unwrap_err();
    assert_eq!(
        err.to_string(),
        "PORT (from /etc/mcp.env): \"x\" is not a port number from 0 to 65535"
    );
}

#[test]
fn which_products_are_enabled() {
    let enabled = |pairs: &[(&str, &str)]| {
        let c = load_env(pairs).unwrap();
        (c.jira.is_some(), c.confluence.is_some())
    };
    assert_eq!(enabled(&[]), (false, false));
    assert_eq!(enabled(&[("JIRA_URL", "https://j.example")]), (true, false));
    assert_eq!(
        enabled(&[("CONFLUENCE_URL", "https://c.example")]),
        (false, true)
    );
    assert_eq!(enabled(&[("ATLASSIAN_OAUTH_ENABLE", "true")]), (true, true));
    assert_eq!(
        enabled(&[("ATLASSIAN_EXTERNAL_AUTH_ENABLE", "1")]),
        (true, true)
    );
    // A URL for one product limits the header-only modes to that product.
    assert_eq!(
        enabled(&[
            ("ATLASSIAN_OAUTH_ENABLE", "true"),
            ("JIRA_URL", "https://j.example")
        ]),
        (true, false)
    );
    // A cloud id with OAuth credentials reaches both products through api.atlassian.com.
    let cloud = [
        ("ATLASSIAN_OAUTH_CLOUD_ID", "abc"),
        ("ATLASSIAN_OAUTH_ACCESS_TOKEN", "at"),
    ];
    assert_eq!(enabled(&cloud), (true, true));
    assert_eq!(enabled(&cloud[..1]), (false, false));
    let c = load_env(&cloud).unwrap();
    let jira = c.jira.unwrap();
    assert_eq!(jira.url, None);
    assert!(jira.is_cloud());
    assert_eq!(jira.auth_kind(), Some(AuthKind::OAuthAccessToken));
}

#[test]
fn per_product_oauth_overrides_fall_back_to_global() {
    let c = load_env(&[
        ("JIRA_URL", "https://acme.atlassian.net"),
        ("CONFLUENCE_URL", "https://acme.atlassian.net/wiki"),
        ("ATLASSIAN_OAUTH_CLIENT_ID", "global-id"),
        ("ATLASSIAN_OAUTH_CLIENT_SECRET", "global-secret"),
        ("ATLASSIAN_OAUTH_SCOPE", "read:jira-work offline_access"),
        ("ATLASSIAN_OAUTH_CLOUD_ID", "cloud"),
        ("CONFLUENCE_OAUTH_CLIENT_ID", "conf-id"),
        ("CONFLUENCE_OAUTH_ACCESS_TOKEN", "conf-token"),
    ])
    .unwrap();
    let jira = c.jira.unwrap();
    let conf = c.confluence.unwrap();
    assert_eq!(jira.oauth.client_id.as_deref(), Some("global-id"));
    assert_eq!(conf.oauth.client_id.as_deref(), Some("conf-id"));
    assert_eq!(
        conf.oauth.client_secret.as_ref().map(Secret::expose),
        Some("global-secret")
    );
    assert_eq!(
        conf.oauth.scope.as_deref(),
        Some("read:jira-work offline_access")
    );
    assert_eq!(jira.auth_kind(), Some(AuthKind::OAuthApp));
    assert_eq!(conf.auth_kind(), Some(AuthKind::OAuthAccessToken));
    assert_eq!(c.oauth.access_token, None);
}

#[test]
fn global_proxies_upper_and_lower_case() {
    let c = load_env(&[
        ("JIRA_URL", "https://j.example"),
        ("https_proxy", "http://lower:1"),
        ("all_proxy", "socks5://all:1080"),
        ("no_proxy", "localhost,.corp"),
    ])
    .unwrap();
    let p = &c.jira.unwrap().proxy;
    assert_eq!(p.https.as_ref().unwrap().expose(), "http://lower:1");
    assert_eq!(p.for_scheme(false).unwrap().expose(), "socks5://all:1080");
    assert_eq!(p.no_proxy, vec!["localhost", ".corp"]);
    // SOCKS_PROXY beats ALL_PROXY; upper case beats lower case.
    let c = load_env(&[
        ("CONFLUENCE_URL", "https://c.example"),
        ("SOCKS_PROXY", "socks5h://s:1"),
        ("ALL_PROXY", "http://a:1"),
        ("NO_PROXY", "upper.example"),
        ("no_proxy", "lower.example"),
    ])
    .unwrap();
    let p = &c.confluence.unwrap().proxy;
    assert_eq!(p.all.as_ref().unwrap().expose(), "socks5h://s:1");
    assert_eq!(p.no_proxy, vec!["upper.example"]);
}

#[test]
fn ca_bundles_and_tls() {
    let c = load_env(&[
        ("JIRA_URL", "https://j.example"),
        ("CONFLUENCE_URL", "https://c.example"),
        ("MCP_ATLASSIAN_CA_BUNDLE", CA_FILE),
        ("CONFLUENCE_CA_BUNDLE", CA_FILE),
        ("MCP_ATLASSIAN_USE_SYSTEM_TRUSTSTORE", "false"),
    ])
    .unwrap();
    assert!(!c.tls.use_system_truststore);
    assert_eq!(
        c.tls.ca_bundle.as_deref(),
        Some(std::path::Path::new(CA_FILE))
    );
    assert_eq!(c.jira.unwrap().ca_bundle, c.tls.ca_bundle);
    assert!(c.confluence.unwrap().ca_bundle.is_some());
    let c = load_env(&[("REQUESTS_CA_BUNDLE", CA_FILE)]).unwrap();
    assert_eq!(
        c.tls.ca_bundle.as_deref(),
        Some(std::path::Path::new(CA_FILE))
    );
}

#[test]
fn http_auth_oauth_proxy_and_resilience() {
    let c = load_env(&[
        ("JIRA_URL", "https://jira.example/"),
        ("ALLOW_GLOBAL_CRED_FALLBACK", "true"),
        ("IGNORE_HEADER_AUTH", "y"),
        (
            "MCP_ALLOWED_URL_DOMAINS",
            "Example.COM, *.corp.net,.corp.net",
        ),
        ("MCP_ATLASSIAN_VALIDATION_CACHE_TTL", "60"),
        ("MCP_ATLASSIAN_VALIDATION_CACHE_MAXSIZE", "0"),
        ("ATLASSIAN_OAUTH_PROXY_ENABLE", "true"),
        ("PUBLIC_BASE_URL", "https://mcp.example/"),
        ("ATLASSIAN_OAUTH_ALLOWED_GRANT_TYPES", "authorization_code"),
        ("ATLASSIAN_OAUTH_REQUIRE_CONSENT", "false"),
        ("ATLASSIAN_OAUTH_CLIENT_STORAGE_MODE", "factory"),
        ("ATLASSIAN_OAUTH_CLIENT_STORAGE_FACTORY", "pkg.mod:make"),
        (
            "ATLASSIAN_OAUTH_CLIENT_STORAGE_CONFIG_JSON",
            "{\"url\":\"redis://x\"}",
        ),
        ("ATLASSIAN_RETRY_TOTAL", "3"),
        ("ATLASSIAN_RETRY_BACKOFF", "0.5"),
        ("ATLASSIAN_RETRY_INCLUDE_WRITES", "on"),
        ("ATLASSIAN_RETRY_IGNORE_RETRY_AFTER", "1"),
        ("ATLASSIAN_MAX_CONCURRENT_REQUESTS", "4"),
        ("ATLASSIAN_REQUESTS_PER_SECOND", "2.5"),
        ("ATLASSIAN_MAX_PAGINATION_LIMIT", "50"),
        ("ATLASSIAN_CIRCUIT_BREAKER_THRESHOLD", "5"),
        ("ATLASSIAN_CIRCUIT_BREAKER_COOLDOWN", "1.5"),
        ("JIRA_FETCHER_MAX_WORKERS", "2"),
        ("MCP_LOGGING_STDOUT", "true"),
    ])
    .unwrap();
    let h = &c.http_auth;
    assert!(h.allow_global_cred_fallback && h.ignore_header_auth && !h.external_auth_enable);
    assert_eq!(h.allowed_url_domains, vec!["example.com", "corp.net"]);
    assert_eq!(h.validation_cache_ttl, Duration::from_secs(60));
    assert_eq!(h.validation_cache_maxsize, 0);
    let o = &c.oauth_proxy;
    assert!(o.enable && !o.require_consent);
    assert_eq!(o.instance_url.as_deref(), Some("https://jira.example"));
    assert_eq!(o.public_base_url.as_deref(), Some("https://mcp.example"));
    assert_eq!(o.allowed_grant_types, vec!["authorization_code"]);
    assert_eq!(o.allowed_client_redirect_uris.len(), 4);
    assert_eq!(o.client_storage_mode, ClientStorageMode::Factory);
    assert_eq!(o.client_storage_factory.as_deref(), Some("pkg.mod:make"));
    let r = &c.resilience;
    assert_eq!((r.retry_total, r.retry_backoff), (3, 0.5));
    assert!(r.retry_include_writes && r.retry_ignore_retry_after);
    assert_eq!((r.max_concurrent_requests, r.requests_per_second), (4, 2.5));
    assert_eq!(
        (r.max_pagination_limit, r.circuit_breaker_threshold),
        (50, 5)
    );
    assert_eq!(r.circuit_breaker_cooldown, Duration::from_millis(1500));
    assert_eq!(r.fetcher_max_workers, 2);
    assert!(c.logging_stdout);
}

#[test]
fn wpad_per_product_overrides() {
    let c = load_env(&[
        ("JIRA_URL", "https://j.example"),
        ("CONFLUENCE_URL", "https://c.example"),
        ("ATLASSIAN_PROXY_WPAD_ENABLE", "true"),
        ("CONFLUENCE_PROXY_WPAD_ENABLE", "false"),
        ("JIRA_PROXY_WPAD_URL", "http://pac.corp/proxy.pac"),
    ])
    .unwrap();
    let jira = c.jira.unwrap();
    assert!(jira.wpad.enabled);
    assert_eq!(jira.wpad.url, "http://pac.corp/proxy.pac");
    let conf = c.confluence.unwrap();
    assert!(!conf.wpad.enabled);
    assert_eq!(conf.wpad.url, DEFAULT_WPAD_URL);
}

#[test]
fn debug_never_shows_a_secret() {
    let secrets = [
        ("JIRA_API_TOKEN", "S1-jira-api-token"),
        ("JIRA_PERSONAL_TOKEN", "S2-jira-pat"),
        ("CONFLUENCE_API_TOKEN", "S3-conf-api-token"),
        ("CONFLUENCE_PERSONAL_TOKEN", "S4-conf-pat"),
        ("ATLASSIAN_OAUTH_CLIENT_SECRET", "S5-oauth-secret"),
        ("ATLASSIAN_OAUTH_ACCESS_TOKEN", "S6-oauth-access"),
        ("JIRA_OAUTH_CLIENT_SECRET", "S7-jira-oauth-secret"),
        ("CONFLUENCE_OAUTH_ACCESS_TOKEN", "S8-conf-oauth-access"),
        ("HTTPS_PROXY", "http://proxyuser:S9-proxy-pw@proxy:3128"),
        ("JIRA_SOCKS_PROXY", "socks5://S10-proxy-token@socks:1080"),
        (
            "JIRA_CUSTOM_HEADERS",
            "X-Api-Key=S11-header-value,X-Other=S12-other",
        ),
        (
            "ATLASSIAN_OAUTH_CLIENT_STORAGE_CONFIG_JSON",
            "{\"password\":\"S13-json\"}",
        ),
    ];
    let mut pairs = vec![
        ("JIRA_URL", "https://jira.example"),
        ("CONFLUENCE_URL", "https://acme.atlassian.net/wiki"),
        ("JIRA_USERNAME", "visible-user"),
    ];
    pairs.extend_from_slice(&secrets);
    let source = env(&pairs);
    let cli = Cli {
        oauth_client_secret: Some("S14-flag-secret".into()),
        ..Cli::default()
    };
    let config = load(&cli, &source).unwrap();
    let shown = format!("{config:?} {config:#?} {source:?}");
    for n in 1..=14 {
        let marker = format!("S{n}-");
        assert!(!shown.contains(&marker), "secret {marker} leaked");
    }
    assert!(!shown.contains("S14-flag-secret"));
    assert!(shown.contains("visible-user"));
    assert!(shown.contains("proxyuser:***@proxy:3128"));
    assert!(shown.contains("X-Api-Key"));
    // The values are still there for the code that sends them.
    let jira = config.jira.unwrap();
    assert_eq!(jira.api_token.unwrap().expose(), "S1-jira-api-token");
    assert_eq!(
        jira.oauth.client_secret.unwrap().expose(),
        "S7-jira-oauth-secret"
    );
    assert_eq!(
        config.oauth.client_secret.unwrap().expose(),
        "S14-flag-secret"
    );
}

#[test]
fn cloud_detection_and_override_through_load() {
    let c = load_env(&[
        ("JIRA_URL", "https://jira.corp.example"),
        ("JIRA_DEPLOYMENT", "cloud"),
        ("CONFLUENCE_URL", "https://acme.atlassian.net/wiki"),
    ])
    .unwrap();
    assert!(c.jira.as_ref().unwrap().is_cloud());
    assert!(c.service(Product::Confluence).unwrap().is_cloud());
}

#[test]
fn site_urls_with_paths_are_cut_back_with_a_notice() {
    let c = load_env(&[
        ("JIRA_URL", "https://acme.atlassian.net/rest/api/3"),
        ("JIRA_USERNAME", "a@b.c"),
        ("JIRA_API_TOKEN", "t"),
        ("CONFLUENCE_URL", "https://acme.atlassian.net"),
        ("CONFLUENCE_USERNAME", "a@b.c"),
        ("CONFLUENCE_API_TOKEN", "t"),
    ])
    .unwrap();
    let jira = c.jira.unwrap();
    assert_eq!(jira.url.as_deref(), Some("https://acme.atlassian.net"));
    assert!(
        jira.notices[0].contains("JIRA_URL ends in a path (/rest/api/3)"),
        "{:?}",
        jira.notices
    );
    let conf = c.confluence.unwrap();
    assert_eq!(conf.url.as_deref(), Some("https://acme.atlassian.net/wiki"));
    assert!(conf.notices[0].contains("no /wiki"), "{:?}", conf.notices);
    for (url, base) in [
        (
            "https://jira.corp/jira/rest/api/2",
            "https://jira.corp/jira",
        ),
        ("https://jira.corp/browse/WEB-1", "https://jira.corp"),
        (
            "https://acme.atlassian.net/jira/software/projects/WEB/boards/1",
            "https://acme.atlassian.net",
        ),
        ("https://jira.corp", "https://jira.corp"),
    ] {
        let c = load_env(&[("JIRA_URL", url), ("JIRA_PERSONAL_TOKEN", "p")]).unwrap();
        assert_eq!(c.jira.unwrap().url.as_deref(), Some(base), "{url}");
    }
    let c = load_env(&[
        (
            "CONFLUENCE_URL",
            "https://acme.atlassian.net/wiki/spaces/ENG/pages/123/Title",
        ),
        ("CONFLUENCE_USERNAME", "a@b.c"),
        ("CONFLUENCE_API_TOKEN", "t"),
    ])
    .unwrap();
    assert_eq!(
        c.confluence.unwrap().url.as_deref(),
        Some("https://acme.atlassian.net/wiki")
    );
    // Server/DC Confluence without /wiki stays as it is.
    let c = load_env(&[
        ("CONFLUENCE_URL", "https://wiki.corp"),
        ("CONFLUENCE_PERSONAL_TOKEN", "p"),
    ])
    .unwrap();
    let conf = c.confluence.unwrap();
    assert_eq!(conf.url.as_deref(), Some("https://wiki.corp"));
    assert!(conf.notices.is_empty());
}

#[test]
fn credentials_the_site_cannot_use_are_named() {
    let c = load_env(&[
        ("JIRA_URL", "https://acme.atlassian.net"),
        ("JIRA_PERSONAL_TOKEN", "pat"),
        ("JIRA_USERNAME", "a@b.c"),
        ("JIRA_API_TOKEN", "t"),
    ])
    .unwrap();
    let n = &c.jira.unwrap().notices;
    assert!(
        n.iter()
            .any(|m| m.starts_with("JIRA_PERSONAL_TOKEN is ignored")),
        "{n:?}"
    );
    let c = load_env(&[
        ("JIRA_URL", "https://jira.corp"),
        ("JIRA_USERNAME", "a@b.c"),
        ("JIRA_API_TOKEN", "ATATT3xFfGF0abc"),
    ])
    .unwrap();
    let n = &c.jira.unwrap().notices;
    assert!(
        n.iter()
            .any(|m| m.contains("looks like an Atlassian Cloud API token")),
        "{n:?}"
    );
    assert!(
        !n.iter().any(|m| m.contains("ATATT3x")),
        "the token is never shown: {n:?}"
    );
}

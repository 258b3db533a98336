//! Unit tests of the per-product settings: variables, precedence, deployment detection, OAuth
//! fallbacks, proxies and authentication kinds.

use super::*;
use crate::config::cli::Cli;
use crate::config::env::EnvSource;

fn build(pairs: &[(&str, &str)], product: Product) -> Result<ServiceConfig, ConfigError> {
    let env = EnvSource::from_vars(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let cli = Cli::default();
    let src = Sources::new(&cli, &env)?;
    let globals = Globals {
        oauth: OAuthConfig::default(),
        proxy: ProxyConfig {
            https: src.proxy(&["HTTPS_PROXY"])?,
            no_proxy: src
                .get("NO_PROXY")
                .map(|f| parse_no_proxy(f.value))
                .unwrap_or_default(),
            ..ProxyConfig::default()
        },
        wpad: WpadConfig::default(),
        ca_bundle: None,
    };
    build_service(&src, product, &globals)
}

#[test]
fn deployment_override() {
    let s = build(&[("JIRA_URL", "https://jira.corp.example")], Product::Jira).unwrap();
    assert_eq!(s.deployment, Deployment::ServerDc);
    let s = build(
        &[
            ("JIRA_URL", "https://jira.corp.example"),
            ("JIRA_DEPLOYMENT", "Cloud"),
        ],
        Product::Jira,
    )
    .unwrap();
    assert_eq!(s.deployment, Deployment::Cloud);
    let s = build(
        &[
            ("CONFLUENCE_URL", "https://a.atlassian.net/wiki"),
            ("CONFLUENCE_DEPLOYMENT", "server"),
        ],
        Product::Confluence,
    )
    .unwrap();
    assert_eq!(s.deployment, Deployment::ServerDc);
    let err = build(&[("JIRA_DEPLOYMENT", "hybrid")], Product::Jira).unwrap_err();
    assert_eq!(
        err.to_string(),
        "JIRA_DEPLOYMENT: \"hybrid\" is not auto, cloud, server, dc, datacenter, data-center or server-dc (any case)"
    );
}

#[test]
fn product_proxies_replace_global_ones_as_a_set() {
    let s = build(
        &[
            ("HTTPS_PROXY", "http://global:3128"),
            ("NO_PROXY", "a.example .corp"),
        ],
        Product::Jira,
    )
    .unwrap();
    assert_eq!(
        s.proxy.for_scheme(true).unwrap().expose(),
        "http://global:3128"
    );
    assert_eq!(s.proxy.no_proxy, vec!["a.example", ".corp"]);
    let s = build(
        &[
            ("HTTPS_PROXY", "http://global:3128"),
            ("JIRA_SOCKS_PROXY", "socks5h://jira-socks:1080"),
            ("NO_PROXY", "global.example"),
            ("JIRA_NO_PROXY", "Jira.Example"),
        ],
        Product::Jira,
    )
    .unwrap();
    assert_eq!(s.proxy.https, None);
    assert_eq!(
        s.proxy.for_scheme(true).unwrap().expose(),
        "socks5h://jira-socks:1080"
    );
    assert_eq!(s.proxy.no_proxy, vec!["jira.example"]);
    // Confluence keeps the global proxy.
    let c = build(
        &[
            ("HTTPS_PROXY", "http://global:3128"),
            ("JIRA_SOCKS_PROXY", "socks5://j:1"),
        ],
        Product::Confluence,
    )
    .unwrap();
    assert_eq!(
        c.proxy.for_scheme(true).unwrap().expose(),
        "http://global:3128"
    );
}

#[test]
fn key_password_and_lonely_key_are_refused() {
    let err = build(&[("JIRA_CLIENT_KEY_PASSWORD", "pw-secret")], Product::Jira).unwrap_err();
    let text = err.to_string();
    assert!(
        text.starts_with("JIRA_CLIENT_KEY_PASSWORD: encrypted client keys"),
        "{text}"
    );
    assert!(!text.contains("pw-secret"));
    let here = concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml");
    let err = build(&[("JIRA_CLIENT_KEY", here)], Product::Jira).unwrap_err();
    assert_eq!(
        err.to_string(),
        "JIRA_CLIENT_KEY: is set but JIRA_CLIENT_CERT is not"
    );
    let ok = build(
        &[("JIRA_CLIENT_CERT", here), ("JIRA_CLIENT_KEY", here)],
        Product::Jira,
    );
    assert!(ok.is_ok());
}

#[test]
fn timeouts_and_dc_oauth_defaults() {
    let err = build(&[("JIRA_TIMEOUT", "abc")], Product::Jira).unwrap_err();
    assert_eq!(
        err.to_string(),
        "JIRA_TIMEOUT: \"abc\" is not a whole number of seconds from 1 to 86400"
    );
    let s = build(&[("JIRA_TIMEOUT", "5")], Product::Jira).unwrap();
    assert_eq!(s.timeout, Duration::from_secs(5));
    let s = build(
        &[
            ("JIRA_URL", "http://localhost:8080"),
            ("JIRA_OAUTH_CLIENT_ID", "cid"),
        ],
        Product::Jira,
    )
    .unwrap();
    assert_eq!(s.oauth.redirect_uri.as_deref(), Some(DC_OAUTH_REDIRECT_URI));
    assert_eq!(s.oauth.scope.as_deref(), Some(DC_OAUTH_SCOPE));
    let err = build(
        &[("CONFLUENCE_OAUTH_REDIRECT_URI", "nope")],
        Product::Confluence,
    );
    assert!(err.is_err());
}

#[test]
fn auth_kind_precedence() {
    let mut s = ServiceConfig::new(Product::Jira);
    s.url = Some("https://jira.corp".into());
    s.deployment = Deployment::ServerDc;
    assert_eq!(s.auth_kind(), None);
    s.client_cert = Some(PathBuf::from("/c.pem"));
    assert_eq!(s.auth_kind(), Some(AuthKind::ClientCert));
    s.username = Some("u".into());
    s.api_token = Some(Secret::new("t"));
    assert_eq!(s.auth_kind(), Some(AuthKind::Basic));
    s.oauth.client_id = Some("id".into());
    s.oauth.client_secret = Some(Secret::new("s"));
    assert_eq!(s.auth_kind(), Some(AuthKind::OAuthApp));
    s.personal_token = Some(Secret::new("pat"));
    assert_eq!(s.auth_kind(), Some(AuthKind::PersonalToken));

    s.deployment = Deployment::Cloud;
    // OAuth on Cloud needs a cloud id; personal tokens do not count.
    assert_eq!(s.auth_kind(), Some(AuthKind::Basic));
    s.oauth.cloud_id = Some("cid".into());
    assert_eq!(s.auth_kind(), Some(AuthKind::OAuthApp));
    s.oauth.access_token = Some(Secret::new("at"));
    assert_eq!(s.auth_kind(), Some(AuthKind::OAuthAccessToken));
}

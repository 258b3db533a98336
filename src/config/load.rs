//! [`load`]: reads every setting through [`Sources`] (flags, then environment, then `.env`),
//! checks it, and assembles the [`Config`]. Also decides which products are enabled.

use std::net::IpAddr;
use std::time::Duration;

use super::cli::Cli;
use super::env::EnvSource;
use super::error::{ConfigError, quote};
use super::headers::parse_no_proxy;
use super::options::{confluence_options, jira_options};
use super::secret::Secret;
use super::service::{
    Globals, OAuthConfig, Product, ProxyConfig, ServiceConfig, WpadConfig, build_service,
    check_http_url,
};
use super::sources::{Sources, as_is, lower};
use super::toolsets::{ALL_TOOLSETS, parse_enabled_tools, resolve_toolsets};
use super::{
    ClientStorageMode, Config, DEFAULT_HOST, DEFAULT_PATH, DEFAULT_PORT, FilesConfig,
    HttpAuthConfig, LogLevel, OAUTH_GRANT_TYPES, OAuthProxyConfig, ResilienceConfig, TlsConfig,
    Transport,
};

/// Builds the configuration from parsed flags and an environment source.
///
/// A product is enabled when its URL is set. When neither URL is set, both products are
/// enabled if `ATLASSIAN_OAUTH_ENABLE` or `ATLASSIAN_EXTERNAL_AUTH_ENABLE` is on (site and
/// credentials then come with each request), and each product with OAuth credentials is
/// enabled when `ATLASSIAN_OAUTH_CLOUD_ID` is set (it is then reached via api.atlassian.com).
/// Missing credentials are not an error here: HTTP clients may bring their own.
pub fn load(cli: &Cli, env: &EnvSource) -> Result<Config, ConfigError> {
    let src = Sources::new(cli, env)?;

    let transport = match src.get("TRANSPORT") {
        None => Transport::Stdio,
        Some(f) => match f.value.to_ascii_lowercase().as_str() {
            "stdio" => Transport::Stdio,
            "sse" => Transport::Sse,
            "streamable-http" => Transport::StreamableHttp,
            _ => return Err(f.invalid("a transport (stdio, sse or streamable-http)")),
        },
    };
    let stateless = src.bool("STATELESS", false)?;
    if let (true, Some(f)) = (
        stateless && transport != Transport::StreamableHttp,
        src.get("STATELESS"),
    ) {
        return Err(f.rejected(format!(
            "stateless mode needs the streamable-http transport (the transport is {})",
            transport.as_str()
        )));
    }
    let host = match src.get("HOST") {
        None => DEFAULT_HOST.to_owned(),
        Some(f) => {
            let bare = f.value.trim_start_matches('[').trim_end_matches(']');
            let is_name = bare
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
            if bare.parse::<IpAddr>().is_err() && !is_name {
                return Err(f.invalid("an IP address or host name to listen on"));
            }
            bare.to_owned()
        }
    };
    let port = src.number("PORT", DEFAULT_PORT, 0..=65_535, "a port number")?;
    let path = match src.get("STREAMABLE_HTTP_PATH") {
        None => DEFAULT_PATH.to_owned(),
        Some(f) => {
            let ok = f.value.starts_with('/')
                && !f
                    .value
                    .chars()
                    .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '?' | '#'));
            if !ok {
                return Err(f.invalid("a URL path starting with / (no spaces, ? or #)"));
            }
            f.value.to_owned()
        }
    };

    let very_verbose = src.bool("MCP_VERY_VERBOSE", false)?;
    let verbose = src.bool("MCP_VERBOSE", false)?;
    let log_level = match cli.verbose {
        0 if very_verbose => LogLevel::Debug,
        0 if verbose => LogLevel::Info,
        0 => LogLevel::Warn,
        1 => LogLevel::Info,
        _ => LogLevel::Debug,
    };

    let enabled_tools = src
        .get("ENABLED_TOOLS")
        .map(|f| parse_enabled_tools(f.value).map_err(|reason| f.rejected(reason)))
        .transpose()?;
    let disabled_tools = src
        .get("DISABLED_TOOLS")
        .map(|f| parse_enabled_tools(f.value).map_err(|reason| f.rejected(reason)))
        .transpose()?
        .unwrap_or_default();
    let toolsets = match src.get("TOOLSETS") {
        None => ALL_TOOLSETS.to_vec(),
        Some(f) => resolve_toolsets(Some(f.value)).map_err(|reason| f.rejected(reason))?,
    };

    let oauth = OAuthConfig {
        client_id: src.string("ATLASSIAN_OAUTH_CLIENT_ID"),
        client_secret: src.secret("ATLASSIAN_OAUTH_CLIENT_SECRET"),
        redirect_uri: src
            .get("ATLASSIAN_OAUTH_REDIRECT_URI")
            .map(check_http_url)
            .transpose()?,
        scope: src.string("ATLASSIAN_OAUTH_SCOPE"),
        cloud_id: src.string("ATLASSIAN_OAUTH_CLOUD_ID"),
        api_gateway: src.site_url("ATLASSIAN_API_GATEWAY_URL")?,
        access_token: src.secret("ATLASSIAN_OAUTH_ACCESS_TOKEN"),
        enable: src.bool("ATLASSIAN_OAUTH_ENABLE", false)?,
        auth_url: src.site_url("ATLASSIAN_OAUTH_AUTH_URL")?,
        token_dir: src.string("MCP_ATLASSIAN_TOKEN_DIR").map(Into::into),
        setup_timeout: match src.get("ATLASSIAN_OAUTH_SETUP_TIMEOUT") {
            Some(_) => Some(Duration::from_secs(src.number(
                "ATLASSIAN_OAUTH_SETUP_TIMEOUT",
                300,
                1..=86_400,
                "a whole number of seconds",
            )?)),
            None => None,
        },
    };
    let socks = src.proxy(&["SOCKS_PROXY", "socks_proxy"])?;
    let all = src.proxy(&["ALL_PROXY", "all_proxy"])?;
    let globals = Globals {
        oauth: oauth.clone(),
        proxy: ProxyConfig {
            http: src.proxy(&["HTTP_PROXY", "http_proxy"])?,
            https: src.proxy(&["HTTPS_PROXY", "https_proxy"])?,
            all: socks.or(all),
            no_proxy: src
                .first_of(&["NO_PROXY", "no_proxy"])
                .map(|f| parse_no_proxy(f.value))
                .unwrap_or_default(),
        },
        wpad: WpadConfig {
            enabled: src.bool("ATLASSIAN_PROXY_WPAD_ENABLE", false)?,
            url: match src.get("ATLASSIAN_PROXY_WPAD_URL") {
                Some(f) => check_http_url(f)?,
                None => WpadConfig::default().url,
            },
        },
        ca_bundle: match src.file("MCP_ATLASSIAN_CA_BUNDLE")? {
            Some(path) => Some(path),
            None => src.file("REQUESTS_CA_BUNDLE")?,
        },
    };
    let tls = TlsConfig {
        use_system_truststore: src.bool("MCP_ATLASSIAN_USE_SYSTEM_TRUSTSTORE", true)?,
        ca_bundle: globals.ca_bundle.clone(),
    };
    let http_auth = http_auth(&src)?;

    let jira = build_service(&src, Product::Jira, &globals)?;
    let confluence = build_service(&src, Product::Confluence, &globals)?;
    let any_url = jira.url.is_some() || confluence.url.is_some();
    let headless = oauth.enable || http_auth.external_auth_enable;
    let enabled = |s: &ServiceConfig| {
        s.url.is_some()
            || (!any_url && (headless || (s.oauth.cloud_id.is_some() && s.oauth.has_credentials())))
    };
    let jira = enabled(&jira).then_some(jira);
    let confluence = enabled(&confluence).then_some(confluence);

    let oauth_proxy = oauth_proxy(&src, jira.as_ref(), confluence.as_ref())?;

    Ok(Config {
        transport,
        host,
        port,
        path,
        stateless,
        log_level,
        logging_stdout: src.bool("MCP_LOGGING_STDOUT", false)?,
        read_only: src.bool("READ_ONLY_MODE", false)?,
        enabled_tools,
        disabled_tools,
        toolsets,
        jira,
        confluence,
        jira_options: jira_options(&src)?,
        confluence_options: confluence_options(&src)?,
        oauth,
        oauth_proxy,
        http_auth,
        tls,
        resilience: resilience(&src)?,
        files: files(&src)?,
        env_file: env.env_file().map(str::to_owned),
    })
}

fn http_auth(src: &Sources<'_>) -> Result<HttpAuthConfig, ConfigError> {
    let defaults = HttpAuthConfig::default();
    let mut domains = Vec::new();
    if let Some(f) = src.get("MCP_ALLOWED_URL_DOMAINS") {
        for entry in src.list("MCP_ALLOWED_URL_DOMAINS", lower) {
            let bare = entry.trim_start_matches("*.").trim_start_matches('.');
            let ok = !bare.is_empty()
                && !bare.ends_with('.')
                && bare
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
            if !ok {
                return Err(f.rejected(format!("{} is not a domain name", quote(&entry))));
            }
            if !domains.iter().any(|d| d == bare) {
                domains.push(bare.to_owned());
            }
        }
    }
    let mut origins = Vec::new();
    if let Some(f) = src.get("MCP_HTTP_ALLOWED_ORIGINS") {
        for entry in src.list("MCP_HTTP_ALLOWED_ORIGINS", lower) {
            let entry = entry.trim_end_matches('/').to_owned();
            let ok = entry == "*"
                || entry.split_once("://").is_some_and(|(scheme, rest)| {
                    matches!(scheme, "http" | "https") && !rest.is_empty() && !rest.contains('/')
                });
            if !ok {
                return Err(f.rejected(format!(
                    "{} is not an origin like https://app.example.com (or *)",
                    quote(&entry)
                )));
            }
            origins.push(entry);
        }
    }
    Ok(HttpAuthConfig {
        allowed_origins: origins,
        allow_global_cred_fallback: src.bool("ALLOW_GLOBAL_CRED_FALLBACK", false)?,
        ignore_header_auth: src.bool("IGNORE_HEADER_AUTH", false)?,
        allowed_url_domains: domains,
        validation_cache_ttl: Duration::from_secs(src.number(
            "MCP_ATLASSIAN_VALIDATION_CACHE_TTL",
            defaults.validation_cache_ttl.as_secs(),
            0..=604_800,
            "a whole number of seconds",
        )?),
        validation_cache_maxsize: src.number(
            "MCP_ATLASSIAN_VALIDATION_CACHE_MAXSIZE",
            defaults.validation_cache_maxsize,
            0..=1_000_000,
            "a whole number of entries",
        )?,
        external_auth_enable: src.bool("ATLASSIAN_EXTERNAL_AUTH_ENABLE", false)?,
    })
}

fn oauth_proxy(
    src: &Sources<'_>,
    jira: Option<&ServiceConfig>,
    confluence: Option<&ServiceConfig>,
) -> Result<OAuthProxyConfig, ConfigError> {
    let defaults = OAuthProxyConfig::default();
    let site_url = |s: Option<&ServiceConfig>| s.and_then(|s| s.url.clone());
    let instance_url = src
        .site_url("ATLASSIAN_OAUTH_INSTANCE_URL")?
        .or_else(|| site_url(jira))
        .or_else(|| site_url(confluence));

    let redirect_uris = match src.get("ATLASSIAN_OAUTH_ALLOWED_CLIENT_REDIRECT_URIS") {
        None => defaults.allowed_client_redirect_uris,
        Some(f) => {
            let uris = src.list("ATLASSIAN_OAUTH_ALLOWED_CLIENT_REDIRECT_URIS", as_is);
            if let Some(bad) = uris.iter().find(|u| !u.contains("://")) {
                return Err(f.rejected(format!(
                    "{} is not an absolute redirect URI (scheme://...)",
                    quote(bad)
                )));
            }
            uris
        }
    };
    let grant_types = match src.get("ATLASSIAN_OAUTH_ALLOWED_GRANT_TYPES") {
        None => defaults.allowed_grant_types,
        Some(f) => {
            let grants = src.list("ATLASSIAN_OAUTH_ALLOWED_GRANT_TYPES", lower);
            if let Some(bad) = grants
                .iter()
                .find(|g| !OAUTH_GRANT_TYPES.contains(&g.as_str()))
            {
                return Err(f.rejected(format!(
                    "unknown grant type {} (known: {})",
                    quote(bad),
                    OAUTH_GRANT_TYPES.join(", ")
                )));
            }
            if grants.is_empty() {
                return Err(f.invalid(format!("a comma list of {}", OAUTH_GRANT_TYPES.join(", "))));
            }
            grants
        }
    };
    let storage_factory = match src.get("ATLASSIAN_OAUTH_CLIENT_STORAGE_FACTORY") {
        None => None,
        Some(f) => match f.value.split_once(':') {
            Some((module, callable)) if !module.is_empty() && !callable.is_empty() => {
                Some(f.value.to_owned())
            }
            _ => return Err(f.invalid("module:callable")),
        },
    };
    let storage_mode = match src.get("ATLASSIAN_OAUTH_CLIENT_STORAGE_MODE") {
        None => ClientStorageMode::Default,
        Some(f) => match f.value.to_ascii_lowercase().as_str() {
            "default" => ClientStorageMode::Default,
            "factory" if storage_factory.is_some() => ClientStorageMode::Factory,
            "factory" => {
                return Err(f.rejected(
                    "factory mode needs ATLASSIAN_OAUTH_CLIENT_STORAGE_FACTORY (module:callable)",
                ));
            }
            _ => return Err(f.invalid("default or factory")),
        },
    };
    let storage_json = match src.get("ATLASSIAN_OAUTH_CLIENT_STORAGE_CONFIG_JSON") {
        None => None,
        Some(f) => match serde_json::from_str::<serde_json::Value>(f.value) {
            Ok(v) if v.is_object() => Some(Secret::new(f.value)),
            _ => {
                return Err(
                    f.rejected("is not a JSON object (value not shown: it may hold secrets)")
                );
            }
        },
    };
    Ok(OAuthProxyConfig {
        enable: src.bool("ATLASSIAN_OAUTH_PROXY_ENABLE", false)?,
        instance_url,
        public_base_url: src.site_url("PUBLIC_BASE_URL")?,
        allowed_client_redirect_uris: redirect_uris,
        allowed_grant_types: grant_types,
        require_consent: src.bool("ATLASSIAN_OAUTH_REQUIRE_CONSENT", true)?,
        client_storage_mode: storage_mode,
        client_storage_factory: storage_factory,
        client_storage_config_json: storage_json,
    })
}

fn files(src: &Sources<'_>) -> Result<FilesConfig, ConfigError> {
    const MB: u64 = 1024 * 1024;
    let d = FilesConfig::default();
    let max: u64 = src.number(
        "MCP_ATLASSIAN_MAX_FILE_MB",
        d.max_file_bytes / MB,
        1..=1024,
        "a whole number of megabytes",
    )?;
    let inline: u64 = src.number(
        "MCP_ATLASSIAN_INLINE_FILE_MB",
        d.inline_file_bytes / MB,
        0..=1024,
        "a whole number of megabytes",
    )?;
    Ok(FilesConfig {
        upload_dir: src
            .string("MCP_ATLASSIAN_UPLOAD_DIR")
            .filter(|s| !s.is_empty()),
        max_file_bytes: max * MB,
        inline_file_bytes: (inline * MB).min(max * MB),
    })
}

fn resilience(src: &Sources<'_>) -> Result<ResilienceConfig, ConfigError> {
    let d = ResilienceConfig::default();
    let count = "a whole number";
    Ok(ResilienceConfig {
        retry_total: src.number(
            "ATLASSIAN_RETRY_TOTAL",
            d.retry_total,
            0..=20,
            "a number of retries",
        )?,
        retry_backoff: src.decimal(
            "ATLASSIAN_RETRY_BACKOFF",
            d.retry_backoff,
            0.0..=60.0,
            "a back-off factor",
        )?,
        retry_include_writes: src.bool("ATLASSIAN_RETRY_INCLUDE_WRITES", false)?,
        retry_ignore_retry_after: src.bool("ATLASSIAN_RETRY_IGNORE_RETRY_AFTER", false)?,
        max_concurrent_requests: src.number(
            "ATLASSIAN_MAX_CONCURRENT_REQUESTS",
            0,
            0..=10_000,
            count,
        )?,
        requests_per_second: src.decimal(
            "ATLASSIAN_REQUESTS_PER_SECOND",
            d.requests_per_second,
            0.0..=10_000.0,
            "a number of requests per second",
        )?,
        max_pagination_limit: src.number(
            "ATLASSIAN_MAX_PAGINATION_LIMIT",
            0,
            0..=100_000,
            count,
        )?,
        circuit_breaker_threshold: src.number(
            "ATLASSIAN_CIRCUIT_BREAKER_THRESHOLD",
            0,
            0..=10_000,
            count,
        )?,
        circuit_breaker_cooldown: Duration::from_secs_f64(src.decimal(
            "ATLASSIAN_CIRCUIT_BREAKER_COOLDOWN",
            d.circuit_breaker_cooldown.as_secs_f64(),
            0.0..=86_400.0,
            "a number of seconds",
        )?),
        fetcher_max_workers: src.number(
            "JIRA_FETCHER_MAX_WORKERS",
            d.fetcher_max_workers,
            1..=256,
            "a number of threads",
        )?,
    })
}

//! Configuration: command-line flags, the process environment and a `.env` file merged into
//! validated plain data ([`Config`]). Precedence is flag > process environment > `.env` file >
//! default; note that the reference server lets `.env` override the environment, and this one
//! deliberately does not. Every variable of the reference server is accepted with the same
//! meaning; a bad value is a [`ConfigError`] naming the setting, never a silent fallback.
//! No network access; the only I/O is reading the environment and the `.env` file and checking
//! that configured certificate files exist.
//!
//! Deliberate differences from the reference server:
//! - `HOST` defaults to `127.0.0.1` (loopback), not `0.0.0.0`: exposing the server to the
//!   network must be a choice. Set `HOST=0.0.0.0` in containers.
//! - Booleans accept `true/1/yes/y/on` and `false/0/no/n/off` everywhere; anything else is an
//!   error. Unknown toolsets, malformed `*_CUSTOM_HEADERS` entries, `HIERARCHY_LINK_PHRASES`
//!   entries and SLA values are errors instead of being skipped.
//! - `SOCKS_PROXY` works; lower-case `http_proxy`, `https_proxy`, `socks_proxy`, `all_proxy`
//!   and `no_proxy` are read too (the upper-case name wins), and `ALL_PROXY` is honoured.
//! - A product that sets any of its own `*_HTTP_PROXY`, `*_HTTPS_PROXY`, `*_SOCKS_PROXY` uses
//!   only those and ignores the global proxies.
//!
//! Variables added here: `JIRA_DEPLOYMENT` / `CONFLUENCE_DEPLOYMENT` (`auto`, `cloud` or
//! `server`; forces Cloud or Server/DC behaviour when the host name misleads, e.g. a Cloud site
//! behind a custom domain) and `JIRA_CA_BUNDLE` / `CONFLUENCE_CA_BUNDLE` /
//! `MCP_ATLASSIAN_CA_BUNDLE` (a PEM file of extra trusted CA certificates; the file must exist;
//! `REQUESTS_CA_BUNDLE`, which the reference server honours for Basic-auth sessions, is read as
//! a fallback for the global one).

mod cli;
mod dotenv;
mod env;
mod error;
mod headers;
mod load;
mod options;
mod secret;
mod service;
mod site;
mod sources;
mod toolsets;
mod url;

use std::path::{Path, PathBuf};
use std::time::Duration;

pub use cli::{CallCmd, Cli, Command, DoctorCmd, ServeCmd, ToolsCmd, version_line};
pub use env::{EnvSource, Layer};
pub use error::ConfigError;
pub use load::load;
pub use options::{
    ConfluenceOptions, DEFAULT_ISSUE_KEY_PATTERN, DEFAULT_PROJECT_KEY_PATTERN, HierarchyPhrases,
    JiraOptions, SLA_METRICS, SlaConfig, TimeOfDay,
};
pub use secret::{ProxyUrl, Secret};
pub use service::{
    AuthKind, DC_OAUTH_REDIRECT_URI, DC_OAUTH_SCOPE, DEFAULT_TIMEOUT, DEFAULT_WPAD_URL,
    OAuthConfig, Product, ProxyConfig, ServiceConfig, WpadConfig,
};
pub use toolsets::{ALL_TOOLSETS, CORE_TOOLSETS};
pub use url::{CLOUD_HOST_SUFFIXES, Deployment, PROXY_SCHEMES, detect_deployment, redact_url};

/// Default bind address of the HTTP transports (loopback; see the module notes).
pub const DEFAULT_HOST: &str = "127.0.0.1";
/// Default port of the HTTP transports.
pub const DEFAULT_PORT: u16 = 8000;
/// Default endpoint path of streamable HTTP.
pub const DEFAULT_PATH: &str = "/mcp";
/// Default redirect URIs MCP clients may register with the OAuth proxy.
pub const DEFAULT_CLIENT_REDIRECT_URIS: [&str; 4] = [
    "http://localhost:*",
    "http://127.0.0.1:*",
    "https://chatgpt.com/connector_platform_oauth_redirect",
    "https://chat.openai.com/connector_platform_oauth_redirect",
];
/// Grant types the OAuth proxy can serve.
pub const OAUTH_GRANT_TYPES: [&str; 2] = ["authorization_code", "refresh_token"];

/// The whole validated configuration. Plain data: build it with [`load`] or
/// [`Config::from_process`]; `Debug` prints every credential as `***`.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// `TRANSPORT` / `--transport`.
    pub transport: Transport,
    /// `HOST` / `--host`: bind address of the HTTP transports.
    pub host: String,
    /// `PORT` / `--port`; 0 asks the OS for a free port.
    pub port: u16,
    /// `STREAMABLE_HTTP_PATH` / `--path`; starts with `/`.
    pub path: String,
    /// `STATELESS` / `--stateless` (streamable HTTP only).
    pub stateless: bool,
    /// From `-v` (counted), else `MCP_VERY_VERBOSE`, else `MCP_VERBOSE`.
    pub log_level: LogLevel,
    /// `MCP_LOGGING_STDOUT`: log to stdout (only sensible with an HTTP transport).
    pub logging_stdout: bool,
    /// `READ_ONLY_MODE` / `--read-only`.
    pub read_only: bool,
    /// `ENABLED_TOOLS` / `--enabled-tools`: `None` = every tool.
    pub enabled_tools: Option<Vec<String>>,
    /// `DISABLED_TOOLS` / `--disabled-tools`: tool or toolset names removed after the others.
    pub disabled_tools: Vec<String>,
    /// `TOOLSETS` / `--toolsets`, resolved to names from [`ALL_TOOLSETS`], in that order.
    pub toolsets: Vec<&'static str>,
    /// Jira, when configured.
    pub jira: Option<ServiceConfig>,
    /// Confluence, when configured.
    pub confluence: Option<ServiceConfig>,
    pub jira_options: JiraOptions,
    pub confluence_options: ConfluenceOptions,
    /// Global `ATLASSIAN_OAUTH_*` values (each product has its merged copy).
    pub oauth: OAuthConfig,
    pub oauth_proxy: OAuthProxyConfig,
    pub http_auth: HttpAuthConfig,
    pub tls: TlsConfig,
    pub resilience: ResilienceConfig,
    /// Attachment downloads and uploads.
    pub files: FilesConfig,
    /// The dotenv file that was read, if any.
    pub env_file: Option<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            transport: Transport::Stdio,
            host: DEFAULT_HOST.to_owned(),
            port: DEFAULT_PORT,
            path: DEFAULT_PATH.to_owned(),
            stateless: false,
            log_level: LogLevel::Warn,
            logging_stdout: false,
            read_only: false,
            enabled_tools: None,
            disabled_tools: Vec::new(),
            toolsets: ALL_TOOLSETS.to_vec(),
            jira: None,
            confluence: None,
            jira_options: JiraOptions::default(),
            confluence_options: ConfluenceOptions::default(),
            oauth: OAuthConfig::default(),
            oauth_proxy: OAuthProxyConfig::default(),
            http_auth: HttpAuthConfig::default(),
            tls: TlsConfig::default(),
            resilience: ResilienceConfig::default(),
            files: FilesConfig::default(),
            env_file: None,
        }
    }
}

impl Config {
    /// Reads the real process environment and the dotenv file (`--env-file`, else `./.env`
    /// when present), then [`load`]s.
    pub fn from_process(cli: &Cli) -> Result<Config, ConfigError> {
        let env = EnvSource::from_process(cli.env_file.as_deref().map(Path::new))?;
        load(cli, &env)
    }

    /// The settings of `product`, when it is configured.
    pub fn service(&self, product: Product) -> Option<&ServiceConfig> {
        match product {
            Product::Jira => self.jira.as_ref(),
            Product::Confluence => self.confluence.as_ref(),
        }
    }
}

/// How MCP messages reach the server.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Transport {
    #[default]
    Stdio,
    /// Legacy HTTP+SSE (`/sse` and `/messages/`).
    Sse,
    /// Streamable HTTP on [`Config::path`].
    StreamableHttp,
}

impl Transport {
    /// The name used in `TRANSPORT`.
    pub fn as_str(self) -> &'static str {
        match self {
            Transport::Stdio => "stdio",
            Transport::Sse => "sse",
            Transport::StreamableHttp => "streamable-http",
        }
    }

    /// True for the transports that listen on [`Config::host`]:[`Config::port`].
    pub fn is_http(self) -> bool {
        self != Transport::Stdio
    }
}

/// Log verbosity: warnings by default, `-v` info, `-vv` debug.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum LogLevel {
    #[default]
    Warn,
    Info,
    Debug,
}

impl LogLevel {
    /// The matching `log` filter.
    pub fn level_filter(self) -> log::LevelFilter {
        match self {
            LogLevel::Warn => log::LevelFilter::Warn,
            LogLevel::Info => log::LevelFilter::Info,
            LogLevel::Debug => log::LevelFilter::Debug,
        }
    }
}

/// The optional OAuth authorization server in front of the MCP endpoint (HTTP transports).
#[derive(Clone, Debug, PartialEq)]
pub struct OAuthProxyConfig {
    /// `ATLASSIAN_OAUTH_PROXY_ENABLE`.
    pub enable: bool,
    /// `ATLASSIAN_OAUTH_INSTANCE_URL`, else the Jira URL, else the Confluence URL.
    pub instance_url: Option<String>,
    /// `PUBLIC_BASE_URL`: the externally visible base URL, without trailing slash.
    pub public_base_url: Option<String>,
    /// `ATLASSIAN_OAUTH_ALLOWED_CLIENT_REDIRECT_URIS` (patterns; `*` matches any port).
    pub allowed_client_redirect_uris: Vec<String>,
    /// `ATLASSIAN_OAUTH_ALLOWED_GRANT_TYPES`, each one of [`OAUTH_GRANT_TYPES`].
    pub allowed_grant_types: Vec<String>,
    /// `ATLASSIAN_OAUTH_REQUIRE_CONSENT`.
    pub require_consent: bool,
    /// `ATLASSIAN_OAUTH_CLIENT_STORAGE_MODE`.
    pub client_storage_mode: ClientStorageMode,
    /// `ATLASSIAN_OAUTH_CLIENT_STORAGE_FACTORY` (`module:callable`; a Python notion kept for
    /// compatibility).
    pub client_storage_factory: Option<String>,
    /// `ATLASSIAN_OAUTH_CLIENT_STORAGE_CONFIG_JSON`: a JSON object; may hold credentials.
    pub client_storage_config_json: Option<Secret>,
}

impl Default for OAuthProxyConfig {
    fn default() -> Self {
        OAuthProxyConfig {
            enable: false,
            instance_url: None,
            public_base_url: None,
            allowed_client_redirect_uris: DEFAULT_CLIENT_REDIRECT_URIS
                .iter()
                .map(|s| (*s).to_owned())
                .collect(),
            allowed_grant_types: OAUTH_GRANT_TYPES.iter().map(|s| (*s).to_owned()).collect(),
            require_consent: true,
            client_storage_mode: ClientStorageMode::Default,
            client_storage_factory: None,
            client_storage_config_json: None,
        }
    }
}

/// Where the OAuth proxy keeps registered clients.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ClientStorageMode {
    #[default]
    Default,
    Factory,
}

/// How the HTTP transports treat per-request credentials.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpAuthConfig {
    /// `ALLOW_GLOBAL_CRED_FALLBACK`: serve requests without credentials with the server's own.
    pub allow_global_cred_fallback: bool,
    /// `IGNORE_HEADER_AUTH`: do not read the incoming `Authorization` header.
    pub ignore_header_auth: bool,
    /// `MCP_ALLOWED_URL_DOMAINS`: hosts (and their subdomains) allowed in per-request site
    /// URLs; lower case.
    pub allowed_url_domains: Vec<String>,
    /// `MCP_ATLASSIAN_VALIDATION_CACHE_TTL`.
    pub validation_cache_ttl: Duration,
    /// `MCP_ATLASSIAN_VALIDATION_CACHE_MAXSIZE`.
    pub validation_cache_maxsize: usize,
    /// `ATLASSIAN_EXTERNAL_AUTH_ENABLE`: trusted-proxy mode, no `Authorization` sent upstream.
    pub external_auth_enable: bool,
    /// `MCP_HTTP_ALLOWED_ORIGINS`: browser origins (`scheme://host[:port]`, lower case) allowed
    /// besides loopback ones; `*` allows any.
    pub allowed_origins: Vec<String>,
}

impl Default for HttpAuthConfig {
    fn default() -> Self {
        HttpAuthConfig {
            allow_global_cred_fallback: false,
            ignore_header_auth: false,
            allowed_url_domains: Vec::new(),
            validation_cache_ttl: Duration::from_secs(300),
            validation_cache_maxsize: 100,
            external_auth_enable: false,
            allowed_origins: Vec::new(),
        }
    }
}

/// Process-wide TLS trust settings (per-product switches live in [`ServiceConfig`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TlsConfig {
    /// `MCP_ATLASSIAN_USE_SYSTEM_TRUSTSTORE`: trust the operating system's CA store.
    pub use_system_truststore: bool,
    /// `MCP_ATLASSIAN_CA_BUNDLE`: extra CA certificates for both products.
    pub ca_bundle: Option<PathBuf>,
}

impl Default for TlsConfig {
    fn default() -> Self {
        TlsConfig {
            use_system_truststore: true,
            ca_bundle: None,
        }
    }
}

/// Retries, rate limits and the circuit breaker for upstream calls. Zero switches a limit off.
#[derive(Clone, Debug, PartialEq)]
pub struct ResilienceConfig {
    /// `ATLASSIAN_RETRY_TOTAL` (0 to 20).
    pub retry_total: u32,
    /// `ATLASSIAN_RETRY_BACKOFF`: exponential back-off factor in seconds.
    pub retry_backoff: f64,
    /// `ATLASSIAN_RETRY_INCLUDE_WRITES`.
    pub retry_include_writes: bool,
    /// `ATLASSIAN_RETRY_IGNORE_RETRY_AFTER`.
    pub retry_ignore_retry_after: bool,
    /// `ATLASSIAN_MAX_CONCURRENT_REQUESTS`.
    pub max_concurrent_requests: u32,
    /// `ATLASSIAN_REQUESTS_PER_SECOND`.
    pub requests_per_second: f64,
    /// `ATLASSIAN_MAX_PAGINATION_LIMIT`.
    pub max_pagination_limit: u32,
    /// `ATLASSIAN_CIRCUIT_BREAKER_THRESHOLD`.
    pub circuit_breaker_threshold: u32,
    /// `ATLASSIAN_CIRCUIT_BREAKER_COOLDOWN`.
    pub circuit_breaker_cooldown: Duration,
    /// `JIRA_FETCHER_MAX_WORKERS` (at least 1).
    pub fetcher_max_workers: u32,
}

impl Default for ResilienceConfig {
    fn default() -> Self {
        ResilienceConfig {
            retry_total: 0,
            retry_backoff: 1.0,
            retry_include_writes: false,
            retry_ignore_retry_after: false,
            max_concurrent_requests: 0,
            requests_per_second: 0.0,
            max_pagination_limit: 0,
            circuit_breaker_threshold: 0,
            circuit_breaker_cooldown: Duration::from_secs(30),
            fetcher_max_workers: 8,
        }
    }
}

/// Limits and the upload directory of the attachment tools.
#[derive(Debug, Clone, PartialEq)]
pub struct FilesConfig {
    /// `MCP_ATLASSIAN_UPLOAD_DIR`: uploads from a file path read only below it (`None`: the
    /// working directory).
    pub upload_dir: Option<String>,
    /// `MCP_ATLASSIAN_MAX_FILE_MB`: largest file downloaded or uploaded, in bytes.
    pub max_file_bytes: u64,
    /// `MCP_ATLASSIAN_INLINE_FILE_MB`: files up to this size come back inline; larger ones as a
    /// link (bytes).
    pub inline_file_bytes: u64,
}

impl Default for FilesConfig {
    fn default() -> Self {
        FilesConfig {
            upload_dir: None,
            max_file_bytes: 50 * 1024 * 1024,
            inline_file_bytes: 10 * 1024 * 1024,
        }
    }
}

#[cfg(test)]
mod tests;

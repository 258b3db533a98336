//! Authenticated HTTP to Jira and Confluence over ureq: site and credentials, proxies chosen with
//! curl's rules or a PAC file, TLS roots, retries with backoff, rate limits, a circuit breaker,
//! bounded bodies and Atlassian's error bodies turned into short actionable text. The only module
//! that talks HTTP upstream; it knows nothing of MCP or of the configuration layer (`app` maps
//! settings in).

mod auth;
mod cache;
mod client;
mod error;
pub mod oauth;
pub mod pac;
pub mod paging;
pub mod probe;
pub mod proxy;
pub mod query;
mod resolve;
mod retry;
mod tls;
mod transfer;

pub use auth::{Credentials, Secret, basic_header};
pub use cache::TtlCache;
pub use client::{Client, ClientOptions, HopGuard, Method, Request, Response};
pub use error::HttpError;
pub use proxy::{ProxyChoice, ProxyRules};
pub use resolve::AddressPolicy;
pub use retry::{Limiter, RetryPolicy, sleep_unless};
pub use tls::TlsOptions;
pub use transfer::{Download, Part, percent_decode, segment};

/// Which kind of site a client talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deployment {
    Cloud,
    ServerDc,
}

/// Which product a client talks to (used in hints and the User-Agent).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Product {
    Jira,
    Confluence,
}

impl Product {
    pub fn name(self) -> &'static str {
        match self {
            Product::Jira => "Jira",
            Product::Confluence => "Confluence",
        }
    }
}

//! The HTTP client of one product: a shared ureq `Agent` (connection pool, TLS, timeouts), the
//! site's base URL and credentials, and the request loop with proxy choice, limiter, retries,
//! redirects followed by hand (credentials and the server's headers only on the site's own
//! origin, a caller's site checked on every hop) and bounded bodies, text or binary. Responses
//! keep their error bodies so Atlassian's messages reach the user. A PAC file (WPAD) is fetched
//! once, with the agent, on first use.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use serde_json::Value;
use ureq::Agent;
use ureq::tls::ClientCert;
use ureq::unversioned::transport::DefaultConnector;

use super::auth::{Credentials, Secret};
use super::error::{HttpError, detail_from_body};
use super::pac::{self, Pac};
use super::proxy::{ProxyChoice, ProxyRules, redact};
use super::resolve::{AddressPolicy, PinningResolver};
use super::retry::{Limiter, RetryPolicy, sleep_unless};
use super::tls::TlsOptions;
use super::transfer::{self, Body, Download, Part, media_type, same_origin};
use super::{Deployment, Product};

mod gateway;
mod hops;

/// Redirects followed per request.
const MAX_REDIRECTS: usize = 5;

/// A check every hop to a caller-chosen site must pass (allow-list, internal addresses); the
/// error says why the URL is refused.
pub type HopGuard = Arc<dyn Fn(&str) -> Result<(), String> + Send + Sync>;

/// Everything a client needs to reach one product.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    pub product: Product,
    pub deployment: Deployment,
    /// Site URL without trailing slash (or the `api.atlassian.com/ex/...` gateway form).
    pub base_url: String,
    pub credentials: Credentials,
    /// Budget for a whole request, redirects and body included.
    pub timeout: Duration,
    pub connect_timeout: Duration,
    pub proxy: ProxyRules,
    pub tls: TlsOptions,
    /// Fixed headers for every request (values are secret: never logged).
    pub headers: Vec<(String, Secret)>,
    pub retry: RetryPolicy,
    /// Largest body read into memory.
    pub max_body: usize,
    pub user_agent: String,
    /// The Cloud API gateway (`https://api.atlassian.com`), for APIs that live there rather than
    /// on the site (see [`Client::gateway`]); `None` on Server/DC.
    pub gateway: Option<String>,
}

impl ClientOptions {
    pub fn new(
        product: Product,
        deployment: Deployment,
        base_url: &str,
        credentials: Credentials,
    ) -> Self {
        ClientOptions {
            product,
            deployment,
            base_url: base_url.trim_end_matches('/').to_string(),
            credentials,
            timeout: Duration::from_secs(75),
            connect_timeout: Duration::from_secs(10),
            proxy: ProxyRules::default(),
            tls: TlsOptions::default(),
            headers: Vec::new(),
            retry: RetryPolicy::default(),
            max_body: 32 * 1024 * 1024,
            user_agent: format!("mcp-atlassian/{}", env!("CARGO_PKG_VERSION")),
            gateway: None,
        }
    }
}

/// HTTP methods the APIs need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Put,
    Delete,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
        }
    }
}

/// A successful answer: status and body text (JSON for the REST APIs).
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub text: String,
}

impl Response {
    /// The body as JSON (`null` for an empty body).
    pub fn json(&self) -> Result<Value, HttpError> {
        if self.text.trim().is_empty() {
            return Ok(Value::Null);
        }
        serde_json::from_str(&self.text).map_err(|e| HttpError::InvalidResponse {
            reason: format!("the body is not JSON ({e})"),
        })
    }
}

/// One request to send: built with `Client::request` and the builder methods, run with `send`.
pub struct Request<'a> {
    client: &'a Client,
    method: Method,
    path: String,
    query: Vec<(String, String)>,
    body: Body,
    credentials: Option<&'a Credentials>,
    headers: Vec<(String, String)>,
    cancelled: Option<&'a dyn Fn() -> bool>,
    /// A deadline for this request instead of the client's (doctor's short checks).
    timeout: Option<Duration>,
    /// A gateway request's scope: the one place besides the site that gets the credentials.
    scope: Option<gateway::Scope>,
}

impl<'a> Request<'a> {
    pub fn query(mut self, key: &str, value: impl ToString) -> Self {
        self.query.push((key.to_string(), value.to_string()));
        self
    }
    pub fn json(mut self, body: Value) -> Self {
        self.body = Body::Json(body);
        self
    }
    /// An `application/x-www-form-urlencoded` body.
    pub fn form(mut self, pairs: Vec<(String, String)>) -> Self {
        self.body = Body::Form(pairs);
        self
    }
    /// A `multipart/form-data` upload; adds `X-Atlassian-Token: no-check`, which both products
    /// require for attachments.
    pub fn multipart(mut self, parts: Vec<Part>) -> Self {
        self.body = Body::Multipart(parts);
        self.headers
            .push(("X-Atlassian-Token".into(), "no-check".into()));
        self
    }
    /// Per-request credentials that replace the server's (multi-user HTTP).
    pub fn credentials(mut self, c: &'a Credentials) -> Self {
        self.credentials = Some(c);
        self
    }
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }
    /// Stop retrying and waiting when this turns true (the MCP client cancelled).
    /// Give up on this request (connection, redirects and body) after `d`.
    pub fn timeout(mut self, d: Duration) -> Self {
        self.timeout = Some(d);
        self
    }
    pub fn cancel_when(mut self, cancelled: &'a dyn Fn() -> bool) -> Self {
        self.cancelled = Some(cancelled);
        self
    }
    pub fn send(self) -> Result<Response, HttpError> {
        let raw = self.client.execute(&self, self.client.opts.max_body)?;
        Ok(Response {
            status: raw.status,
            text: String::from_utf8_lossy(&raw.data).into_owned(),
        })
    }
    /// Send and keep the body as bytes, at most `limit` of them: a larger file is an error
    /// ([`HttpError::TooLarge`]), never a truncated one.
    pub fn download(self, limit: usize) -> Result<Download, HttpError> {
        let raw = self.client.execute(&self, limit)?;
        Ok(Download {
            data: raw.data,
            mime_type: media_type(raw.content_type.as_deref()),
        })
    }
    /// Send and decode the JSON body.
    pub fn send_json(self) -> Result<Value, HttpError> {
        self.send()?.json()
    }
}

/// What the clients of one product share, whatever site and identity they serve: the agents
/// (connection pool, TLS) and the PAC file.
struct Shared {
    /// With the configured client certificate, for the server's own site.
    agent: OnceLock<Result<Agent, HttpError>>,
    /// Without it, for caller-chosen sites.
    bare: OnceLock<Result<Agent, HttpError>>,
    client_cert: Option<ClientCert>,
    /// The parsed PAC file of `proxy.pac_url`, fetched on first use; `None` if unusable.
    pac: OnceLock<Option<Pac>>,
    /// A PAC evaluation failure has been logged (once is enough).
    pac_failed: AtomicBool,
    /// The address policy of caller-chosen sites (set by the application before first use).
    policy: OnceLock<AddressPolicy>,
    /// Proxy hosts in use, which the policy does not judge.
    proxies: Arc<Mutex<HashSet<String>>>,
}

/// A client for one product's site; cheap to share between worker threads.
pub struct Client {
    opts: ClientOptions,
    shared: Arc<Shared>,
    /// Present the client certificate (false for caller-chosen sites).
    use_cert: bool,
    limiter: Arc<Limiter>,
    /// Checks for every hop of a caller-chosen site's requests.
    hop_guard: Option<HopGuard>,
}

/// An answer before it is read as text or kept as bytes.
struct Raw {
    status: u16,
    data: Vec<u8>,
    content_type: Option<String>,
    retry_after: Option<Duration>,
}

/// Fetch (no proxy, 10 s, at most 1 MiB) and parse a PAC file; on failure warn once, go direct.
fn load_pac(agent: &Agent, url: &str) -> Option<Pac> {
    let req = agent.get(url).config().proxy(None);
    let req = req.timeout_global(Some(Duration::from_secs(10))).build();
    let text = match req.call() {
        Ok(mut r) if r.status().is_success() => {
            let body = r.body_mut().with_config().limit(pac::MAX_SIZE as u64);
            body.lossy_utf8(true)
                .read_to_string()
                .map_err(|e| e.to_string())
        }
        Ok(r) => Err(format!("HTTP status {}", r.status())),
        Err(e) => Err(e.to_string()),
    };
    let pac = text.and_then(|t| Pac::parse(&t).map_err(|e| e.to_string()));
    match &pac {
        Ok(_) => log::info!("proxy auto-config from {}", redact(url)),
        Err(e) => log::warn!("PAC file {} unusable ({e}); going direct", redact(url)),
    }
    pac.ok()
}

impl Client {
    pub fn new(opts: ClientOptions, limiter: Arc<Limiter>) -> Result<Self, HttpError> {
        let client_cert = opts.tls.client_cert()?;
        Ok(Client {
            shared: Arc::new(Shared {
                agent: OnceLock::new(),
                bare: OnceLock::new(),
                client_cert,
                pac: OnceLock::new(),
                pac_failed: AtomicBool::new(false),
                policy: OnceLock::new(),
                proxies: Arc::default(),
            }),
            use_cert: true,
            opts,
            limiter,
            hop_guard: None,
        })
    }

    /// The ureq agent, built on first use: parsing the CA bundles costs milliseconds that the
    /// server's start and `initialize` should not pay.
    fn agent(&self) -> Result<&Agent, HttpError> {
        let (cell, cert) = if self.use_cert {
            (&self.shared.agent, self.shared.client_cert.clone())
        } else {
            (&self.shared.bare, None)
        };
        let built = cell.get_or_init(|| {
            let tls = self.opts.tls.build(cert)?;
            let config = Agent::config_builder()
                .http_status_as_error(false)
                .proxy(None)
                .tls_config(tls)
                .timeout_connect(Some(self.opts.connect_timeout))
                .timeout_global(Some(self.opts.timeout))
                .max_redirects(0)
                .user_agent(self.opts.user_agent.as_str())
                .input_buffer_size(32 * 1024)
                .output_buffer_size(32 * 1024)
                .max_idle_connections_per_host(8)
                .build();
            // Caller-chosen sites resolve through the address policy, pinned to the checked
            // addresses; the server's own site resolves without it.
            let policy = self.shared.policy.get().filter(|_| !self.use_cert).cloned();
            Ok(Agent::with_parts(
                config,
                DefaultConnector::new(),
                PinningResolver::new(policy, self.shared.proxies.clone()),
            ))
        });
        built.as_ref().map_err(Clone::clone)
    }

    pub fn options(&self) -> &ClientOptions {
        &self.opts
    }

    /// Judge every address a caller-chosen site resolves to (see [`Client::rebased`]); the
    /// connection uses exactly the addresses judged. Set once, before the first request.
    pub fn set_address_policy(&self, policy: AddressPolicy) {
        let _ = self.shared.policy.set(policy);
    }

    /// The same client for another identity, and optionally another site (per-request
    /// credentials of a multi-user HTTP server): shares the agents (connection pool, TLS), the
    /// PAC file and the limiter; `headers` are added to every request. A site other than the
    /// server's own gets nothing of the server's: no custom headers, no client certificate, and
    /// every hop of its requests passes `guard`.
    pub fn rebased(
        &self,
        base_url: Option<&str>,
        deployment: Option<Deployment>,
        credentials: Credentials,
        headers: Vec<(String, Secret)>,
        guard: Option<HopGuard>,
    ) -> Client {
        let mut opts = self.opts.clone();
        let mut use_cert = self.use_cert;
        let mut hop_guard = self.hop_guard.clone();
        if let Some(url) = base_url {
            let url = url.trim_end_matches('/');
            if !same_origin(url, &self.opts.base_url) {
                opts.headers.clear();
                use_cert = false;
                hop_guard = guard;
            }
            opts.base_url = url.to_string();
        }
        if let Some(d) = deployment {
            opts.deployment = d;
        }
        opts.credentials = credentials;
        opts.headers.extend(headers);
        Client {
            opts,
            shared: self.shared.clone(),
            use_cert,
            limiter: self.limiter.clone(),
            hop_guard,
        }
    }

    pub fn deployment(&self) -> Deployment {
        self.opts.deployment
    }

    /// Start a request to `path` (relative to the site URL, starting with `/`).
    pub fn request(&self, method: Method, path: &str) -> Request<'_> {
        Request {
            client: self,
            method,
            path: path.to_string(),
            query: Vec::new(),
            body: Body::None,
            credentials: None,
            headers: Vec::new(),
            cancelled: None,
            timeout: None,
            scope: None,
        }
    }

    pub fn get(&self, path: &str) -> Request<'_> {
        self.request(Method::Get, path)
    }

    pub fn post(&self, path: &str) -> Request<'_> {
        self.request(Method::Post, path)
    }

    pub fn put(&self, path: &str) -> Request<'_> {
        self.request(Method::Put, path)
    }

    pub fn delete(&self, path: &str) -> Request<'_> {
        self.request(Method::Delete, path)
    }

    fn url(&self, req: &Request<'_>) -> String {
        // A URL taken from an answer (attachment content, next links) may hold characters a
        // URI cannot (a file name with spaces): they are escaped, `%` escapes are kept.
        let mut url = if req.path.starts_with("http://") || req.path.starts_with("https://") {
            transfer::escape_uri(&req.path)
        } else {
            format!("{}{}", self.opts.base_url, transfer::escape_uri(&req.path))
        };
        for (i, (k, v)) in req.query.iter().enumerate() {
            url.push(if i == 0 && !url.contains('?') {
                '?'
            } else {
                '&'
            });
            url.push_str(&transfer::segment(k));
            url.push('=');
            url.push_str(&transfer::segment(v));
        }
        url
    }

    fn execute(&self, req: &Request<'_>, limit: usize) -> Result<Raw, HttpError> {
        let url = self.url(req);
        let never = || false;
        let cancelled: &dyn Fn() -> bool = req.cancelled.unwrap_or(&never);
        let retryable_method = req.method == Method::Get || self.opts.retry.include_writes;
        let given = req.credentials.unwrap_or(&self.opts.credentials);
        let mut attempt = 0;
        let mut waited = Duration::ZERO;
        let mut renewed = false;
        loop {
            if cancelled() {
                return Err(HttpError::Cancelled);
            }
            // OAuth: the session's current token (refreshed near expiry, outside the limiter).
            let credentials = given.resolve()?;
            let permit = self
                .limiter
                .acquire()
                .map_err(|retry_in| HttpError::CircuitOpen { retry_in })?;
            let started = Instant::now();
            let outcome = self.once(req, &url, limit, &credentials);
            drop(permit);
            let (result, retry_after) = match outcome {
                Ok(resp) => {
                    let retry_after = resp.retry_after;
                    self.limiter.record(Some(resp.status));
                    log::debug!(
                        "{} {} -> {} in {:?}",
                        req.method.as_str(),
                        req.path,
                        resp.status,
                        started.elapsed()
                    );
                    if resp.status < 400 {
                        return Ok(resp);
                    }
                    // A refused OAuth token is refreshed once, then the request sent again.
                    if let (401, false, Credentials::OAuth(s), Credentials::Bearer(used)) =
                        (resp.status, renewed, given, credentials.as_ref())
                    {
                        s.rejected(used)?;
                        renewed = true;
                        continue;
                    }
                    let err = HttpError::Status {
                        status: resp.status,
                        product: self.opts.product,
                        deployment: self.opts.deployment,
                        detail: detail_from_body(&String::from_utf8_lossy(&resp.data)),
                        retry_after,
                    };
                    (err, retry_after)
                }
                Err(e) => {
                    self.limiter.record(None);
                    log::debug!("{} {} failed: {e}", req.method.as_str(), req.path);
                    (e, None)
                }
            };
            if retryable_method && result.is_retryable() {
                if let Some(wait) = self.opts.retry.delay(attempt, retry_after, waited) {
                    log::info!(
                        "{} {}: {}; retry {} in {:?}",
                        req.method.as_str(),
                        req.path,
                        result
                            .status()
                            .map_or("connection failed".to_string(), |s| s.to_string()),
                        attempt + 1,
                        wait
                    );
                    if !sleep_unless(wait, cancelled) {
                        return Err(HttpError::Cancelled);
                    }
                    waited += wait;
                    attempt += 1;
                    continue;
                }
            }
            return Err(result);
        }
    }

    /// What a request to `url` goes through: NO_PROXY and explicit proxies first, then the PAC
    /// file (direct when it is unusable).
    pub fn proxy_choice(&self, url: &str) -> ProxyChoice {
        if let Some(choice) = self.opts.proxy.explicit(url) {
            return choice;
        }
        let pac_url = self.opts.proxy.pac_url.as_deref();
        let pac = self
            .shared
            .pac
            .get_or_init(|| load_pac(self.agent().ok()?, pac_url?));
        match pac.as_ref().map(|p| p.choose(url)) {
            Some(Ok(choice)) => choice,
            Some(Err(e)) if !self.shared.pac_failed.swap(true, Ordering::Relaxed) => {
                log::warn!("proxy auto-config failed ({e}); going direct");
                ProxyChoice::Direct
            }
            _ => ProxyChoice::Direct,
        }
    }

    fn proxy_for(&self, url: &str) -> Result<Option<ureq::Proxy>, HttpError> {
        match self.proxy_choice(url) {
            ProxyChoice::Direct => Ok(None),
            ProxyChoice::Via(p) => {
                let proxy = ureq::Proxy::new(&p).map_err(|e| HttpError::InvalidRequest {
                    reason: format!("bad proxy URL {}: {e}", redact(&p)),
                })?;
                // The resolver of caller sites leaves the admin's proxies alone.
                self.shared
                    .proxies
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .insert(proxy.host().trim_end_matches('.').to_ascii_lowercase());
                Ok(Some(proxy))
            }
        }
    }

    fn map_error(&self, url: &str, e: ureq::Error) -> HttpError {
        let target = super::proxy::target(url)
            .map_or_else(|| url.to_string(), |(_, h, p)| format!("{h}:{p}"));
        match e {
            ureq::Error::Timeout(_) => HttpError::Timeout { target },
            ureq::Error::BodyExceedsLimit(_) => HttpError::TooLarge {
                limit: self.opts.max_body,
            },
            ureq::Error::HostNotFound => HttpError::Connect {
                target,
                reason: "the host name does not resolve (DNS)".into(),
            },
            ureq::Error::InvalidProxyUrl | ureq::Error::BadUri(_) | ureq::Error::Http(_) => {
                HttpError::InvalidRequest {
                    reason: e.to_string(),
                }
            }
            other => HttpError::Connect {
                target,
                reason: other.to_string(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_strings_are_encoded() {
        let opts = ClientOptions::new(
            Product::Jira,
            Deployment::Cloud,
            "https://x.atlassian.net/",
            Credentials::None,
        );
        let c = Client::new(opts, Arc::new(Limiter::unlimited())).unwrap();
        let r = c
            .get("/rest/api/3/search/jql")
            .query("jql", "project = A & text ~ \"b c\"")
            .query("maxResults", 5);
        assert_eq!(
            c.url(&r),
            "https://x.atlassian.net/rest/api/3/search/jql?jql=project%20%3D%20A%20%26%20text%20~%20%22b%20c%22&maxResults=5"
        );
    }
}

//! The HTTP client of one product: a shared ureq `Agent` (connection pool, TLS, timeouts, safe
//! redirects), the site's base URL and credentials, and the request loop with proxy choice,
//! limiter, retries and bounded bodies. Responses keep their error bodies so Atlassian's messages
//! reach the user. A PAC file (WPAD) is fetched once, with the agent, on first use.

use std::io::{Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use serde_json::Value;
use ureq::Agent;
use ureq::config::RedirectAuthHeaders;
use ureq::tls::ClientCert;

use super::auth::{Credentials, Secret};
use super::error::{HttpError, detail_from_body, parse_retry_after};
use super::pac::{self, Pac};
use super::proxy::{ProxyChoice, ProxyRules, redact};
use super::retry::{Limiter, RetryPolicy, sleep_unless};
use super::tls::TlsOptions;
use super::{Deployment, Product};

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
    body: Option<Value>,
    credentials: Option<&'a Credentials>,
    headers: Vec<(String, String)>,
    cancelled: Option<&'a dyn Fn() -> bool>,
}

impl<'a> Request<'a> {
    pub fn query(mut self, key: &str, value: impl ToString) -> Self {
        self.query.push((key.to_string(), value.to_string()));
        self
    }
    pub fn json(mut self, body: Value) -> Self {
        self.body = Some(body);
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
    pub fn cancel_when(mut self, cancelled: &'a dyn Fn() -> bool) -> Self {
        self.cancelled = Some(cancelled);
        self
    }
    pub fn send(self) -> Result<Response, HttpError> {
        self.client.execute(&self)
    }
    /// Send and decode the JSON body.
    pub fn send_json(self) -> Result<Value, HttpError> {
        self.send()?.json()
    }
}

/// A client for one product's site; cheap to share between worker threads.
pub struct Client {
    opts: ClientOptions,
    agent: OnceLock<Result<Agent, HttpError>>,
    client_cert: Option<ClientCert>,
    limiter: Arc<Limiter>,
    /// The parsed PAC file of `proxy.pac_url`, fetched on first use; `None` if unusable.
    pac: OnceLock<Option<Pac>>,
    /// A PAC evaluation failure has been logged (once is enough).
    pac_failed: AtomicBool,
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

fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

impl Client {
    pub fn new(opts: ClientOptions, limiter: Arc<Limiter>) -> Result<Self, HttpError> {
        let client_cert = opts.tls.client_cert()?;
        Ok(Client {
            agent: OnceLock::new(),
            client_cert,
            opts,
            limiter,
            pac: OnceLock::new(),
            pac_failed: AtomicBool::new(false),
        })
    }

    /// The ureq agent, built on first use: parsing the CA bundles costs milliseconds that the
    /// server's start and `initialize` should not pay.
    fn agent(&self) -> Result<&Agent, HttpError> {
        let built = self.agent.get_or_init(|| {
            let tls = self.opts.tls.build(self.client_cert.clone())?;
            let config = Agent::config_builder()
                .http_status_as_error(false)
                .proxy(None)
                .tls_config(tls)
                .timeout_connect(Some(self.opts.connect_timeout))
                .timeout_global(Some(self.opts.timeout))
                .max_redirects(5)
                .redirect_auth_headers(RedirectAuthHeaders::SameHost)
                .user_agent(self.opts.user_agent.as_str())
                .input_buffer_size(32 * 1024)
                .output_buffer_size(32 * 1024)
                .max_idle_connections_per_host(8)
                .build();
            Ok(config.new_agent())
        });
        built.as_ref().map_err(Clone::clone)
    }

    pub fn options(&self) -> &ClientOptions {
        &self.opts
    }

    /// The same client for another identity, and optionally another site (per-request
    /// credentials of a multi-user HTTP server): shares the agent (connection pool, TLS), the
    /// PAC file and the limiter; `headers` are added to every request.
    pub fn rebased(
        &self,
        base_url: Option<&str>,
        deployment: Option<Deployment>,
        credentials: Credentials,
        headers: Vec<(String, Secret)>,
    ) -> Client {
        let mut opts = self.opts.clone();
        if let Some(url) = base_url {
            opts.base_url = url.trim_end_matches('/').to_string();
        }
        if let Some(d) = deployment {
            opts.deployment = d;
        }
        opts.credentials = credentials;
        opts.headers.extend(headers);
        let agent = OnceLock::new();
        if let Ok(a) = self.agent() {
            let _ = agent.set(Ok(a.clone()));
        }
        let pac = OnceLock::new();
        if let Some(p) = self.pac.get() {
            let _ = pac.set(p.clone());
        }
        Client {
            agent,
            client_cert: self.client_cert.clone(),
            opts,
            limiter: self.limiter.clone(),
            pac,
            pac_failed: AtomicBool::new(false),
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
            body: None,
            credentials: None,
            headers: Vec::new(),
            cancelled: None,
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
        let mut url = if req.path.starts_with("http://") || req.path.starts_with("https://") {
            req.path.clone()
        } else {
            format!("{}{}", self.opts.base_url, req.path)
        };
        for (i, (k, v)) in req.query.iter().enumerate() {
            url.push(if i == 0 && !url.contains('?') {
                '?'
            } else {
                '&'
            });
            url.push_str(&encode(k));
            url.push('=');
            url.push_str(&encode(v));
        }
        url
    }

    fn execute(&self, req: &Request<'_>) -> Result<Response, HttpError> {
        let url = self.url(req);
        let never = || false;
        let cancelled: &dyn Fn() -> bool = req.cancelled.unwrap_or(&never);
        let retryable_method = req.method == Method::Get || self.opts.retry.include_writes;
        let mut attempt = 0;
        let mut waited = Duration::ZERO;
        loop {
            if cancelled() {
                return Err(HttpError::Cancelled);
            }
            let permit = self
                .limiter
                .acquire()
                .map_err(|retry_in| HttpError::CircuitOpen { retry_in })?;
            let started = Instant::now();
            let outcome = self.once(req, &url);
            drop(permit);
            let (result, retry_after) = match outcome {
                Ok((resp, retry_after)) => {
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
                    let err = HttpError::Status {
                        status: resp.status,
                        product: self.opts.product,
                        deployment: self.opts.deployment,
                        detail: detail_from_body(&resp.text),
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
            .pac
            .get_or_init(|| load_pac(self.agent().ok()?, pac_url?));
        match pac.as_ref().map(|p| p.choose(url)) {
            Some(Ok(choice)) => choice,
            Some(Err(e)) if !self.pac_failed.swap(true, Ordering::Relaxed) => {
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
                ureq::Proxy::new(&p)
                    .map(Some)
                    .map_err(|e| HttpError::InvalidRequest {
                        reason: format!("bad proxy URL {}: {e}", redact(&p)),
                    })
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

    fn once(
        &self,
        req: &Request<'_>,
        url: &str,
    ) -> Result<(Response, Option<Duration>), HttpError> {
        let agent = self.agent()?;
        let proxy = self.proxy_for(url)?;
        let credentials = req.credentials.unwrap_or(&self.opts.credentials);
        let mut headers: Vec<(String, String)> = vec![("Accept".into(), "application/json".into())];
        headers.extend(
            self.opts
                .headers
                .iter()
                .map(|(k, v)| (k.clone(), v.expose().to_string())),
        );
        headers.extend(req.headers.iter().cloned());
        if let Some(auth) = credentials.header() {
            headers.push(("Authorization".into(), auth));
        }
        let result = match req.method {
            Method::Get | Method::Delete => {
                let mut b = if req.method == Method::Get {
                    agent.get(url)
                } else {
                    agent.delete(url)
                };
                for (k, v) in &headers {
                    b = b.header(k, v);
                }
                b.config().proxy(proxy).build().call()
            }
            Method::Post | Method::Put => {
                let mut b = if req.method == Method::Post {
                    agent.post(url)
                } else {
                    agent.put(url)
                };
                for (k, v) in &headers {
                    b = b.header(k, v);
                }
                let b = b.config().proxy(proxy).build();
                match &req.body {
                    Some(body) => b.content_type("application/json").send(body.to_string()),
                    None => b.send_empty(),
                }
            }
        };
        let mut resp = result.map_err(|e| self.map_error(url, e))?;
        let status = resp.status().as_u16();
        let retry_after = resp
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(parse_retry_after);
        let text = resp
            .body_mut()
            .with_config()
            .limit(self.opts.max_body as u64)
            .lossy_utf8(true)
            .read_to_string()
            .map_err(|e| self.map_error(url, e))?;
        Ok((Response { status, text }, retry_after))
    }

    /// Stream a GET body into `out` without holding it in memory; at most `limit` bytes.
    pub fn download(&self, path: &str, out: &mut dyn Write, limit: u64) -> Result<u64, HttpError> {
        let url = self.url(&self.get(path));
        let proxy = self.proxy_for(&url)?;
        let mut b = self.agent()?.get(&url);
        for (k, v) in &self.opts.headers {
            b = b.header(k, v.expose());
        }
        if let Some(auth) = self.opts.credentials.header() {
            b = b.header("Authorization", auth);
        }
        let _permit = self
            .limiter
            .acquire()
            .map_err(|retry_in| HttpError::CircuitOpen { retry_in })?;
        let resp = b
            .config()
            .proxy(proxy)
            .build()
            .call()
            .map_err(|e| self.map_error(&url, e))?;
        let status = resp.status().as_u16();
        if status >= 400 {
            return Err(HttpError::Status {
                status,
                product: self.opts.product,
                deployment: self.opts.deployment,
                detail: String::new(),
                retry_after: None,
            });
        }
        let mut reader = resp.into_body().into_reader().take(limit + 1);
        let copied = std::io::copy(&mut reader, out).map_err(|e| HttpError::Connect {
            target: url.clone(),
            reason: e.to_string(),
        })?;
        if copied > limit {
            return Err(HttpError::TooLarge {
                limit: limit as usize,
            });
        }
        Ok(copied)
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

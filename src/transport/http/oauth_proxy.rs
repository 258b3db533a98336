//! The OAuth proxy (ATLASSIAN_OAUTH_PROXY_ENABLE): an OAuth 2.1 authorization server in front
//! of the MCP endpoint, so an OAuth-capable MCP client can sign its user in to Atlassian without
//! ever holding an Atlassian token. It serves authorization-server metadata (RFC 8414), dynamic
//! client registration (RFC 7591, `register`), `/authorize` with the consent page and
//! Atlassian's callback (`authorize`), and `/token` (`token`); it issues opaque tokens of its
//! own, and each MCP request's proxy token is mapped back to the user's Atlassian token here
//! (refreshed when close to expiry; a call waits for that only once the token has expired). Everything lives in bounded
//! in-memory tables (`tables`): a restart loses registrations and tokens, and clients register
//! and sign in again. How to talk to Atlassian is the application's business: it hands over an
//! [`Upstream`].

mod authorize;
mod codec;
mod register;
mod tables;
mod token;

use std::fmt;
use std::net::IpAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, TryLockError};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tiny_http::{Method, Request};

use super::{HttpOptions, wire};
use crate::mcp::TokenSite;
use tables::{RateLimit, Tables, UpstreamCell, UpstreamState};

/// The well-known path of RFC 8414 (also served with the MCP path appended).
pub const AS_WELL_KNOWN: &str = "/.well-known/oauth-authorization-server";
/// Refresh the user's Atlassian token when it expires within this.
const UPSTREAM_MARGIN: Duration = Duration::from_secs(300);
/// A token with less than this left is treated as expired: calls wait for a fresh one.
const USABLE: Duration = Duration::from_secs(10);
/// After a failed refresh, calls use the token as is (while it works) this long.
const REFRESH_BACKOFF: Duration = Duration::from_secs(30);
/// Refreshes of still-working tokens running at once, over all grants (each holds an HTTP
/// dispatcher for up to 20 s).
const MAX_REFRESHES: usize = 2;
/// Registrations one client address (IPv6: one /64) may make per minute.
const REGISTRATIONS_PER_MINUTE: u32 = 20;
/// Sign-ins one client address may start per minute (each holds a consent page or a pending
/// sign-in, in tables shared by everyone).
const SIGN_INS_PER_MINUTE: u32 = 60;
/// Client addresses each rate limit tracks at once.
const RATE_LIMITED_PEERS: usize = 10_000;
/// Sign-ins finishing at once: each exchanges its code with Atlassian on a thread of its own,
/// so a slow Atlassian never holds the HTTP dispatchers; more are asked to retry.
const MAX_EXCHANGES: usize = 16;

/// True when a request's RFC 8707 `resource` (if any) is the MCP endpoint `ours` (a trailing
/// slash aside): the only resource this server issues tokens for.
fn resource_ok(given: Option<&str>, ours: &str) -> bool {
    given.is_none_or(|g| g.trim_end_matches('/') == ours.trim_end_matches('/'))
}

/// A secret string whose `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct Hidden(String);

impl Hidden {
    pub fn new(value: impl Into<String>) -> Self {
        Hidden(value.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Hidden {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// A user's Atlassian tokens, as the authorization server issued them.
#[derive(Debug)]
pub struct UpstreamTokens {
    pub access_token: Hidden,
    pub refresh_token: Option<Hidden>,
    pub expires_in: Duration,
    /// The site the token is valid for (found at the code exchange; refreshes keep it).
    pub site: Option<TokenSite>,
}

/// Atlassian's side of the sign-in, provided by the application.
pub trait Upstream: Send + Sync {
    /// Who users sign in to, for the consent page.
    fn name(&self) -> String;
    /// The authorize URL for our `state`, and the PKCE verifier to keep for the exchange.
    fn begin(&self, state: &str) -> Result<(String, Hidden), String>;
    /// Exchange an authorization code (finding the Cloud site on Cloud).
    fn exchange(&self, code: &str, verifier: &Hidden) -> Result<UpstreamTokens, ExchangeError>;
    /// Refresh; an answer without a refresh token keeps the old one.
    fn refresh(&self, refresh_token: &Hidden) -> Result<UpstreamTokens, String>;
}

/// Why a code exchange failed.
#[derive(Debug)]
pub enum ExchangeError {
    /// Atlassian or the network failed: logged; the client gets `server_error`.
    Failed(String),
    /// The user's account does not fit this server (it cannot reach the configured site): the
    /// user is told on an error page.
    Refused(String),
}

impl fmt::Display for ExchangeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExchangeError::Failed(e) | ExchangeError::Refused(e) => f.write_str(e),
        }
    }
}

/// What the administrator configured.
#[derive(Clone, Debug)]
pub struct ProxySettings {
    /// Redirect URI patterns clients may register (`*` as the port: any port).
    pub allowed_redirect_uris: Vec<String>,
    /// `authorization_code`, and `refresh_token` when offered.
    pub allowed_grant_types: Vec<String>,
    /// Show the consent page before sending the browser to Atlassian.
    pub require_consent: bool,
    /// The path of ATLASSIAN_OAUTH_REDIRECT_URI, where Atlassian sends the browser back.
    pub callback_path: String,
}

/// The authorization server and its state.
pub struct OAuthProxy {
    settings: ProxySettings,
    upstream: Box<dyn Upstream>,
    tables: Mutex<Tables>,
    /// Callbacks exchanging their code now.
    exchanges: AtomicUsize,
    /// Refreshes at Atlassian running now.
    refreshes: AtomicUsize,
    /// Registrations per client address.
    registrations: Mutex<RateLimit>,
    /// Sign-ins started (`GET /authorize`) per client address.
    sign_ins: Mutex<RateLimit>,
}

impl fmt::Debug for OAuthProxy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthProxy")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

/// An answer of the proxy, sent by [`OAuthProxy::handle`].
pub(super) struct Reply {
    status: u16,
    body: Vec<u8>,
    headers: Vec<(&'static str, String)>,
}

impl Reply {
    fn json(status: u16, body: Value) -> Reply {
        Reply {
            status,
            body: body.to_string().into_bytes(),
            headers: vec![("Content-Type", "application/json".into())],
        }
    }

    /// A page that must not be framed, cached or given scripts.
    fn html(status: u16, body: String) -> Reply {
        Reply {
            status,
            body: body.into_bytes(),
            headers: vec![
                ("Content-Type", "text/html; charset=utf-8".into()),
                ("X-Frame-Options", "DENY".into()),
                (
                    "Content-Security-Policy",
                    "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'"
                        .into(),
                ),
                ("Referrer-Policy", "no-referrer".into()),
                ("Cache-Control", "no-store".into()),
            ],
        }
    }

    fn redirect(location: String) -> Reply {
        Reply {
            status: 302,
            body: Vec::new(),
            headers: vec![
                ("Location", location),
                ("Cache-Control", "no-store".into()),
                ("Referrer-Policy", "no-referrer".into()),
            ],
        }
    }

    fn header(mut self, name: &'static str, value: String) -> Reply {
        self.headers.push((name, value));
        self
    }

    /// Answers carrying tokens or about them are never cached (RFC 6749 §5.1).
    fn no_store(self) -> Reply {
        self.header("Cache-Control", "no-store".into())
            .header("Pragma", "no-cache".into())
    }
}

/// One more request from `peer` under `limit`, if it has room.
fn allowed(limit: &Mutex<RateLimit>, peer: IpAddr) -> bool {
    limit.lock().unwrap_or_else(|e| e.into_inner()).allow(peer)
}

fn send(req: Request, reply: Reply) {
    let headers: Vec<(&str, &str)> = reply
        .headers
        .iter()
        .map(|(k, v)| (*k, v.as_str()))
        .collect();
    wire::bytes(req, reply.status, reply.body, &headers);
}

/// What an MCP request's proxy token stands for.
#[derive(Debug)]
pub(super) struct Resolved {
    /// The user's Atlassian access token.
    pub access: Hidden,
    /// The only site it may be sent to.
    pub site: Option<TokenSite>,
    /// The grant's id: stable across refreshes, for binding sessions.
    pub grant: String,
}

impl OAuthProxy {
    pub fn new(settings: ProxySettings, upstream: Box<dyn Upstream>) -> OAuthProxy {
        OAuthProxy {
            settings,
            upstream,
            tables: Mutex::new(Tables::default()),
            exchanges: AtomicUsize::new(0),
            refreshes: AtomicUsize::new(0),
            registrations: Mutex::new(RateLimit::new(
                REGISTRATIONS_PER_MINUTE,
                Duration::from_secs(60),
                RATE_LIMITED_PEERS,
            )),
            sign_ins: Mutex::new(RateLimit::new(
                SIGN_INS_PER_MINUTE,
                Duration::from_secs(60),
                RATE_LIMITED_PEERS,
            )),
        }
    }

    fn tables(&self) -> MutexGuard<'_, Tables> {
        self.tables.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// True for the paths the proxy answers.
    pub(super) fn serves(&self, opts: &HttpOptions, path: &str) -> bool {
        path == AS_WELL_KNOWN
            || path.strip_prefix(AS_WELL_KNOWN) == Some(opts.path.as_str())
            || matches!(path, "/register" | "/authorize" | "/token")
            || path == self.settings.callback_path
    }

    /// The RFC 8414 document; `base` is the issuer.
    fn metadata(&self, base: &str) -> Value {
        json!({
            "issuer": base,
            "authorization_endpoint": format!("{base}/authorize"),
            "token_endpoint": format!("{base}/token"),
            "registration_endpoint": format!("{base}/register"),
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": self.settings.allowed_grant_types,
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": register::AUTH_METHODS,
            "authorization_response_iss_parameter_supported": true,
        })
    }

    /// Answer one request on a proxy path. Atlassian's callback is answered on a thread of its
    /// own (its code exchange waits on Atlassian for up to 20 s).
    pub(super) fn handle(
        self: &Arc<Self>,
        opts: &HttpOptions,
        req: Request,
        path: &str,
        query: &str,
        peer: IpAddr,
    ) {
        if path != self.settings.callback_path || req.method() != &Method::Get {
            return self.answer(opts, req, path, query, peer);
        }
        let base = super::metadata::public_base(opts, &req);
        let Some(slot) = self.exchange_slot() else {
            let page = Reply::html(
                503,
                "<!doctype html><title>Busy</title><p>Too many sign-ins are finishing at once. Reload this page in a few seconds.</p>".into(),
            )
            .header("Retry-After", "5".into());
            return send(req, page);
        };
        let query = query.to_string();
        let cookies = wire::header(&req, "Cookie").map(str::to_string);
        // The slot moves into the thread (or is dropped with the closure if none starts).
        let spawned = std::thread::Builder::new()
            .name("oauth-callback".into())
            .stack_size(256 * 1024)
            .spawn(move || {
                let reply = slot.callback(&query, &base, cookies.as_deref());
                send(req, reply);
            });
        if spawned.is_err() {
            log::warn!("OAuth proxy: no thread for a sign-in callback");
        }
    }

    /// A place among the [`MAX_EXCHANGES`] callbacks running, if one is free.
    fn exchange_slot(self: &Arc<Self>) -> Option<ExchangeSlot> {
        self.exchanges
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                (n < MAX_EXCHANGES).then_some(n + 1)
            })
            .ok()
            .map(|_| ExchangeSlot(self.clone()))
    }

    fn answer(&self, opts: &HttpOptions, mut req: Request, path: &str, query: &str, peer: IpAddr) {
        let base = super::metadata::public_base(opts, &req);
        // The protected resource tokens are for (RFC 8707), as its metadata names it.
        let resource = format!("{base}{}", opts.path);
        let any_origin = ("Access-Control-Allow-Origin", "*".to_string());
        let body = |req: &mut Request, max: usize| wire::read_body(req, max);
        let too_large = || {
            Reply::json(
                413,
                json!({"error": "invalid_request", "error_description": "the body is too large"}),
            )
        };
        let method = req.method().clone();
        let reply = match (&method, path) {
            (Method::Options, "/register" | "/token") => Reply {
                status: 204,
                body: Vec::new(),
                headers: vec![
                    any_origin,
                    ("Access-Control-Allow-Methods", "POST, OPTIONS".into()),
                    (
                        "Access-Control-Allow-Headers",
                        "Content-Type, Authorization".into(),
                    ),
                    ("Access-Control-Max-Age", "600".into()),
                ],
            },
            (Method::Get | Method::Head, p) if p.starts_with(AS_WELL_KNOWN) => {
                Reply::json(200, self.metadata(&base)).header(any_origin.0, any_origin.1)
            }
            (Method::Post, "/register") if !self.registration_allowed(peer) => {
                log::warn!("OAuth proxy: too many registrations from {peer}");
                let mut reply = register::busy(&format!(
                    "at most {REGISTRATIONS_PER_MINUTE} registrations a minute from one address"
                ));
                reply.status = 429;
                reply.header(any_origin.0, any_origin.1)
            }
            (Method::Post, "/register") => match body(&mut req, register::MAX_BODY) {
                Ok(b) => self.register(&b),
                Err(_) => too_large(),
            }
            .header(any_origin.0, any_origin.1),
            (Method::Post, "/token") => match body(&mut req, token::MAX_BODY) {
                Ok(b) => self.token(&b, wire::header(&req, "Authorization"), &resource),
                Err(_) => too_large(),
            }
            .header(any_origin.0, any_origin.1),
            (Method::Get, "/authorize") if !allowed(&self.sign_ins, peer) => {
                log::warn!("OAuth proxy: too many sign-ins started from {peer}");
                Reply::html(
                    429,
                    format!("<!doctype html><title>Too many sign-ins</title><p>At most {SIGN_INS_PER_MINUTE} sign-ins a minute may start from one address. Try again in a minute.</p>"),
                )
                .header("Retry-After", "60".into())
            }
            (Method::Get, "/authorize") => self.authorize(query, &base, &resource),
            (Method::Post, "/authorize") => match body(&mut req, token::MAX_BODY) {
                Ok(b) => self.consent(&b, wire::header(&req, "Cookie"), &base),
                Err(_) => too_large(),
            },
            _ => Reply::json(405, json!({"error": "method not allowed"})),
        };
        send(req, reply);
    }

    fn registration_allowed(&self, peer: IpAddr) -> bool {
        allowed(&self.registrations, peer)
    }

    /// The Atlassian token behind a proxy access token; `None` for an unknown or expired token,
    /// or a grant Atlassian ended. A token expiring within five minutes is refreshed first, but
    /// a call waits for that only when the token no longer works: while it still does, a call
    /// finding a refresh of its grant already running, [`MAX_REFRESHES`] refreshes running in
    /// all, or a refresh of its grant failed less than [`REFRESH_BACKOFF`] ago, uses it as is.
    pub(super) fn resolve(&self, token: &str) -> Option<Resolved> {
        let key = codec::sha256_b64(token.as_bytes());
        let (grant, cell) = {
            let mut t = self.tables();
            let grant = t.access.get(&key)?.grant_id.clone();
            let cell = t.grants.get(&grant)?.upstream.clone();
            (grant, cell)
        };
        let asked = Instant::now();
        let current = cell.now();
        let answer = |u: UpstreamState| Resolved {
            access: u.access,
            site: u.site,
            grant: grant.clone(),
        };
        if current.expires_at > asked + UPSTREAM_MARGIN {
            return Some(answer(current));
        }
        let backing_off = current
            .failed_at
            .is_some_and(|f| asked < f + REFRESH_BACKOFF);
        if backing_off && current.expires_at > asked {
            return Some(answer(current));
        }
        if current.expires_at > asked + USABLE {
            let running = match cell.refreshing.try_lock() {
                Ok(g) => Some(g),
                Err(TryLockError::Poisoned(e)) => Some(e.into_inner()),
                Err(TryLockError::WouldBlock) => None,
            };
            let slot = Slot::take(&self.refreshes, MAX_REFRESHES);
            let (Some(_running), Some(_slot)) = (running, slot) else {
                return Some(answer(current));
            };
            return self.refresh_upstream(&grant, &cell, asked).map(answer);
        }
        // The token no longer works: wait for (or make) a fresh one.
        let _running = cell.refreshing.lock().unwrap_or_else(|e| e.into_inner());
        let _slot = Slot::take(&self.refreshes, usize::MAX);
        self.refresh_upstream(&grant, &cell, asked).map(answer)
    }

    /// Refresh a grant's Atlassian tokens, holding its refresh lock, unless a call that held it
    /// since `asked` already did (or failed). A failure is remembered; it ends the grant once
    /// the token has expired.
    fn refresh_upstream(
        &self,
        grant: &str,
        cell: &UpstreamCell,
        asked: Instant,
    ) -> Option<UpstreamState> {
        let current = cell.now();
        let started = Instant::now();
        if current.expires_at > started + UPSTREAM_MARGIN {
            return Some(current);
        }
        if current.failed_at.is_some_and(|f| f >= asked) {
            return (current.expires_at > started).then_some(current);
        }
        let refreshed = match &current.refresh {
            Some(r) => self.upstream.refresh(r),
            None => Err("no refresh token was issued".to_string()),
        };
        let mut u = cell.state.lock().unwrap_or_else(|e| e.into_inner());
        match refreshed {
            Ok(t) => {
                u.access = t.access_token;
                u.refresh = t.refresh_token.or(current.refresh);
                u.expires_at = started + t.expires_in;
                u.failed_at = None;
                log::info!("OAuth proxy: refreshed a user's Atlassian token");
            }
            Err(e) => {
                let now = Instant::now();
                u.failed_at = Some(now);
                if u.expires_at <= now {
                    log::warn!(
                        "OAuth proxy: a user's Atlassian token expired ({e}); the client must sign in again"
                    );
                    drop(u);
                    self.tables().revoke(grant);
                    return None;
                }
                log::warn!(
                    "OAuth proxy: refreshing a user's Atlassian token failed ({e}); using it until it expires, next try in {} s",
                    REFRESH_BACKOFF.as_secs()
                );
            }
        }
        Some(u.clone())
    }
}

/// A callback's place among those running: the callback is answered through it, and the place
/// is given back when it is dropped, also when the callback panics.
struct ExchangeSlot(Arc<OAuthProxy>);

impl ExchangeSlot {
    fn callback(&self, query: &str, base: &str, cookies: Option<&str>) -> Reply {
        self.0.callback(query, base, cookies)
    }
}

impl Drop for ExchangeSlot {
    fn drop(&mut self) {
        self.0.exchanges.fetch_sub(1, Ordering::SeqCst);
    }
}

/// One of a bounded number of refreshes running at once, given back when dropped, also when
/// the thread holding it panics.
struct Slot<'a>(&'a AtomicUsize);

impl<'a> Slot<'a> {
    /// A slot of `counter` if fewer than `max` are taken.
    fn take(counter: &'a AtomicUsize, max: usize) -> Option<Slot<'a>> {
        counter
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                (n < max).then_some(n + 1)
            })
            .ok()
            .map(|_| Slot(counter))
    }
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests;

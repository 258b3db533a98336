//! The OAuth proxy (ATLASSIAN_OAUTH_PROXY_ENABLE): an OAuth 2.1 authorization server in front
//! of the MCP endpoint, so an OAuth-capable MCP client can sign its user in to Atlassian without
//! ever holding an Atlassian token. It serves authorization-server metadata (RFC 8414), dynamic
//! client registration (RFC 7591, `register`), `/authorize` with the consent page and
//! Atlassian's callback (`authorize`), and `/token` (`token`); it issues opaque tokens of its
//! own, and each MCP request's proxy token is mapped back to the user's Atlassian token here
//! (refreshed under the grant's lock when close to expiry). Everything lives in bounded
//! in-memory tables (`tables`): a restart loses registrations and tokens, and clients register
//! and sign in again. How to talk to Atlassian is the application's business: it hands over an
//! [`Upstream`].

mod authorize;
mod codec;
mod register;
mod tables;
mod token;

use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tiny_http::{Method, Request};

use super::{HttpOptions, wire};
use crate::mcp::TokenSite;
use tables::Tables;

/// The well-known path of RFC 8414 (also served with the MCP path appended).
pub const AS_WELL_KNOWN: &str = "/.well-known/oauth-authorization-server";
/// Refresh the user's Atlassian token when it expires within this.
const UPSTREAM_MARGIN: Duration = Duration::from_secs(300);
/// Sign-ins finishing at once: each exchanges its code with Atlassian on a thread of its own,
/// so a slow Atlassian never holds the HTTP dispatchers; more are asked to retry.
const MAX_EXCHANGES: usize = 16;

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
    fn exchange(&self, code: &str, verifier: &Hidden) -> Result<UpstreamTokens, String>;
    /// Refresh; an answer without a refresh token keeps the old one.
    fn refresh(&self, refresh_token: &Hidden) -> Result<UpstreamTokens, String>;
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
    ) {
        if path != self.settings.callback_path || req.method() != &Method::Get {
            return self.answer(opts, req, path, query);
        }
        let base = super::metadata::public_base(opts, &req);
        if self.exchanges.fetch_add(1, Ordering::SeqCst) >= MAX_EXCHANGES {
            self.exchanges.fetch_sub(1, Ordering::SeqCst);
            let page = Reply::html(
                503,
                "<!doctype html><title>Busy</title><p>Too many sign-ins are finishing at once. Reload this page in a few seconds.</p>".into(),
            )
            .header("Retry-After", "5".into());
            return send(req, page);
        }
        let (proxy, query) = (self.clone(), query.to_string());
        let cookies = wire::header(&req, "Cookie").map(str::to_string);
        let spawned = std::thread::Builder::new()
            .name("oauth-callback".into())
            .stack_size(256 * 1024)
            .spawn(move || {
                let reply = proxy.callback(&query, &base, cookies.as_deref());
                proxy.exchanges.fetch_sub(1, Ordering::SeqCst);
                send(req, reply);
            });
        if spawned.is_err() {
            self.exchanges.fetch_sub(1, Ordering::SeqCst);
            log::warn!("OAuth proxy: no thread for a sign-in callback");
        }
    }

    fn answer(&self, opts: &HttpOptions, mut req: Request, path: &str, query: &str) {
        let base = super::metadata::public_base(opts, &req);
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
            (Method::Post, "/register") => match body(&mut req, register::MAX_BODY) {
                Ok(b) => self.register(&b),
                Err(_) => too_large(),
            }
            .header(any_origin.0, any_origin.1),
            (Method::Post, "/token") => match body(&mut req, token::MAX_BODY) {
                Ok(b) => self.token(&b, wire::header(&req, "Authorization")),
                Err(_) => too_large(),
            }
            .header(any_origin.0, any_origin.1),
            (Method::Get, "/authorize") => self.authorize(query, &base),
            (Method::Post, "/authorize") => match body(&mut req, token::MAX_BODY) {
                Ok(b) => self.consent(&b, wire::header(&req, "Cookie"), &base),
                Err(_) => too_large(),
            },
            _ => Reply::json(405, json!({"error": "method not allowed"})),
        };
        send(req, reply);
    }

    /// The Atlassian token behind a proxy access token, refreshed first when it expires within
    /// five minutes; `None` for an unknown or expired token, or a grant Atlassian ended.
    pub(super) fn resolve(&self, token: &str) -> Option<Resolved> {
        let key = codec::sha256_b64(token.as_bytes());
        let (grant_id, upstream) = {
            let mut t = self.tables();
            let grant_id = t.access.get(&key)?.grant_id.clone();
            let upstream = t.grants.get(&grant_id)?.upstream.clone();
            (grant_id, upstream)
        };
        // Only this grant's calls wait here while a refresh runs.
        let mut u = upstream.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        if u.expires_at <= now + UPSTREAM_MARGIN {
            let refreshed = match u.refresh.clone() {
                Some(r) => self.upstream.refresh(&r).map(|t| (t, r)),
                None => Err("no refresh token was issued".to_string()),
            };
            match refreshed {
                Ok((t, old)) => {
                    u.access = t.access_token;
                    u.refresh = t.refresh_token.or(Some(old));
                    u.expires_at = now + t.expires_in;
                    log::info!("OAuth proxy: refreshed a user's Atlassian token");
                }
                Err(e) if u.expires_at <= now => {
                    log::warn!(
                        "OAuth proxy: a user's Atlassian token expired ({e}); the client must sign in again"
                    );
                    drop(u);
                    self.tables().revoke(&grant_id);
                    return None;
                }
                Err(e) => log::warn!(
                    "OAuth proxy: refreshing a user's Atlassian token failed ({e}); using it until it expires"
                ),
            }
        }
        Some(Resolved {
            access: u.access.clone(),
            site: u.site.clone(),
            grant: grant_id,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::tables::{ACCESS_TTL, Grant, TokenRef, UpstreamState};
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// An upstream whose refresh is slow and counted.
    struct Fake {
        refreshes: Arc<AtomicUsize>,
        fail: bool,
    }

    impl Upstream for Fake {
        fn name(&self) -> String {
            "fake".into()
        }
        fn begin(&self, _: &str) -> Result<(String, Hidden), String> {
            Ok((
                "https://upstream.example/authorize".into(),
                Hidden::new("v"),
            ))
        }
        fn exchange(&self, _: &str, _: &Hidden) -> Result<UpstreamTokens, String> {
            Err("not used".into())
        }
        fn refresh(&self, r: &Hidden) -> Result<UpstreamTokens, String> {
            assert_eq!(r.expose(), "up-refresh-1");
            std::thread::sleep(Duration::from_millis(50));
            self.refreshes.fetch_add(1, Ordering::SeqCst);
            if self.fail {
                return Err("refused".into());
            }
            Ok(UpstreamTokens {
                access_token: Hidden::new("up-access-2"),
                refresh_token: None,
                expires_in: Duration::from_secs(3600),
                site: None,
            })
        }
    }

    /// A proxy holding one grant whose Atlassian token expires in `left`, and its token.
    fn with_grant(fail: bool, left: Duration, expired: bool) -> (OAuthProxy, Arc<AtomicUsize>) {
        let refreshes = Arc::new(AtomicUsize::new(0));
        let settings = ProxySettings {
            allowed_redirect_uris: vec![],
            allowed_grant_types: vec!["authorization_code".into()],
            require_consent: true,
            callback_path: "/callback".into(),
        };
        let fake = Fake {
            refreshes: refreshes.clone(),
            fail,
        };
        let proxy = OAuthProxy::new(settings, Box::new(fake));
        let now = Instant::now();
        let expires_at = if expired {
            now.checked_sub(Duration::from_secs(1)).unwrap_or(now)
        } else {
            now + left
        };
        let upstream = UpstreamState {
            access: Hidden::new("up-access-1"),
            refresh: Some(Hidden::new("up-refresh-1")),
            expires_at,
            site: Some(TokenSite::Cloud("cloud-1".into())),
        };
        let digest = codec::sha256_b64(b"proxy-token");
        let mut t = proxy.tables();
        let token_ref = TokenRef {
            grant_id: "g1".into(),
            client_id: "c1".into(),
        };
        t.access.insert(digest.clone(), token_ref, ACCESS_TTL);
        let grant = Grant {
            access_digest: digest,
            refresh_digest: None,
            upstream: Arc::new(Mutex::new(upstream)),
        };
        t.grants.insert("g1".into(), grant, ACCESS_TTL);
        drop(t);
        (proxy, refreshes)
    }

    #[test]
    fn near_expiry_one_refresh_serves_every_concurrent_call() {
        let (proxy, refreshes) = with_grant(false, Duration::from_secs(60), false);
        let proxy = Arc::new(proxy);
        let handles: Vec<_> = (0..8)
            .map(|_| {
                let p = proxy.clone();
                std::thread::spawn(move || p.resolve("proxy-token").unwrap())
            })
            .collect();
        for h in handles {
            let r = h.join().unwrap();
            assert_eq!(r.access.expose(), "up-access-2");
            assert_eq!(r.site, Some(TokenSite::Cloud("cloud-1".into())));
            assert_eq!(r.grant, "g1");
        }
        assert_eq!(refreshes.load(Ordering::SeqCst), 1);
        assert!(proxy.resolve("another-token").is_none());
    }

    #[test]
    fn a_failed_refresh_keeps_a_live_token_and_ends_an_expired_grant() {
        let (proxy, _) = with_grant(true, Duration::from_secs(60), false);
        let r = proxy.resolve("proxy-token").unwrap();
        assert_eq!(r.access.expose(), "up-access-1");
        let (proxy, refreshes) = with_grant(true, Duration::ZERO, true);
        assert!(proxy.resolve("proxy-token").is_none());
        assert!(proxy.resolve("proxy-token").is_none(), "the grant is gone");
        assert_eq!(refreshes.load(Ordering::SeqCst), 1);
        // A token far from expiry is used as is.
        let (proxy, refreshes) = with_grant(false, Duration::from_secs(3000), false);
        assert_eq!(
            proxy.resolve("proxy-token").unwrap().access.expose(),
            "up-access-1"
        );
        assert_eq!(refreshes.load(Ordering::SeqCst), 0);
        assert!(format!("{:?}", proxy.resolve("proxy-token")).contains("***"));
        assert!(!format!("{:?}", proxy.resolve("proxy-token")).contains("up-access"));
    }
}

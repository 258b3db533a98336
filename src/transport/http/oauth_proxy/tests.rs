//! Unit tests of the OAuth proxy's token resolution against a fake Atlassian whose refresh is
//! slow, counted and may fail: one refresh however many calls, calls never waiting for a
//! refresh while the token still works, the cap on refreshes running at once, the back-off
//! after a failed refresh, and an expired grant ended.

use super::tables::{ACCESS_TTL, Grant, TokenRef, UpstreamCell, UpstreamState};
use super::*;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// An upstream whose refresh takes `delay`, is counted, and fails when `fail`.
struct Fake {
    refreshes: Arc<AtomicUsize>,
    fail: bool,
    delay: Duration,
}

impl Upstream for Fake {
    fn name(&self) -> String {
        "fake".into()
    }
    fn begin(&self, state: &str) -> Result<(String, Hidden), String> {
        Ok((
            format!("https://upstream.example/authorize?state={state}"),
            Hidden::new("v"),
        ))
    }
    fn exchange(&self, code: &str, _: &Hidden) -> Result<UpstreamTokens, ExchangeError> {
        assert_ne!(code, "panic", "a bug in the exchange");
        Err(ExchangeError::Failed("not used".into()))
    }
    fn refresh(&self, r: &Hidden) -> Result<UpstreamTokens, String> {
        assert_eq!(r.expose(), "up-refresh-1");
        std::thread::sleep(self.delay);
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

fn proxy(fail: bool, delay: Duration) -> (Arc<OAuthProxy>, Arc<AtomicUsize>) {
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
        delay,
    };
    (
        Arc::new(OAuthProxy::new(settings, Box::new(fake))),
        refreshes,
    )
}

/// A proxy that lets clients register `http://localhost:*` redirects, with or without the
/// consent page, and the `/authorize` query of a client just registered with it.
fn loopback_proxy(require_consent: bool) -> (Arc<OAuthProxy>, String) {
    let settings = ProxySettings {
        allowed_redirect_uris: vec!["http://localhost:*".into()],
        allowed_grant_types: vec!["authorization_code".into()],
        require_consent,
        callback_path: "/callback".into(),
    };
    let fake = Fake {
        refreshes: Arc::new(AtomicUsize::new(0)),
        fail: false,
        delay: Duration::ZERO,
    };
    let proxy = Arc::new(OAuthProxy::new(settings, Box::new(fake)));
    let meta =
        br#"{"redirect_uris":["http://localhost:9/cb"],"token_endpoint_auth_method":"none"}"#;
    let body: serde_json::Value = serde_json::from_slice(&proxy.register(meta).body).unwrap();
    let q = format!(
        "response_type=code&client_id={}&code_challenge={}&code_challenge_method=S256",
        body["client_id"].as_str().unwrap(),
        "a".repeat(43)
    );
    (proxy, q)
}

/// Give `proxy` a grant `id` whose Atlassian token expires in `left` (`None`: has expired),
/// reached with the proxy token `token`.
fn add_grant(proxy: &OAuthProxy, id: &str, token: &str, left: Option<Duration>) {
    let now = Instant::now();
    let expires_at = match left {
        Some(left) => now + left,
        None => now.checked_sub(Duration::from_secs(1)).unwrap_or(now),
    };
    let upstream = UpstreamState {
        access: Hidden::new("up-access-1"),
        refresh: Some(Hidden::new("up-refresh-1")),
        expires_at,
        site: Some(TokenSite::Cloud("cloud-1".into())),
        failed_at: None,
    };
    let digest = codec::sha256_b64(token.as_bytes());
    let mut t = proxy.tables();
    let token_ref = TokenRef {
        grant_id: id.into(),
        client_id: "c1".into(),
    };
    t.access.insert(digest.clone(), token_ref, ACCESS_TTL);
    let grant = Grant {
        client_id: "c1".into(),
        access_digest: digest,
        refresh_digest: None,
        retired: Vec::new(),
        upstream: UpstreamCell::new(upstream),
    };
    t.grants.insert(id.into(), grant, ACCESS_TTL);
}

/// Resolve `token` on a thread of its own: the access token and how long it took.
fn resolve_on_thread(
    proxy: &Arc<OAuthProxy>,
    token: &'static str,
) -> std::thread::JoinHandle<(String, Duration)> {
    let p = proxy.clone();
    std::thread::spawn(move || {
        let t0 = Instant::now();
        let r = p.resolve(token).unwrap();
        (r.access.expose().to_string(), t0.elapsed())
    })
}

#[test]
fn an_expired_token_is_refreshed_once_for_every_waiting_call() {
    // Within the last seconds of its life a token counts as expired: every call waits.
    for left in [None, Some(Duration::from_secs(5))] {
        let (proxy, refreshes) = proxy(false, Duration::from_millis(50));
        add_grant(&proxy, "g1", "proxy-token", left);
        let handles: Vec<_> = (0..8)
            .map(|_| resolve_on_thread(&proxy, "proxy-token"))
            .collect();
        for h in handles {
            assert_eq!(h.join().unwrap().0, "up-access-2");
        }
        assert_eq!(refreshes.load(Ordering::SeqCst), 1);
        let r = proxy.resolve("proxy-token").unwrap();
        assert_eq!(r.site, Some(TokenSite::Cloud("cloud-1".into())));
        assert_eq!(r.grant, "g1");
        assert!(proxy.resolve("another-token").is_none());
    }
}

#[test]
fn calls_never_wait_for_the_refresh_of_a_token_that_still_works() {
    let (proxy, refreshes) = proxy(false, Duration::from_millis(400));
    add_grant(&proxy, "g1", "proxy-token", Some(Duration::from_secs(60)));
    let first = resolve_on_thread(&proxy, "proxy-token");
    std::thread::sleep(Duration::from_millis(100));
    let others: Vec<_> = (0..4)
        .map(|_| resolve_on_thread(&proxy, "proxy-token"))
        .collect();
    for h in others {
        let (access, took) = h.join().unwrap();
        assert_eq!(access, "up-access-1", "the old token, still valid");
        assert!(took < Duration::from_millis(200), "waited {took:?}");
    }
    assert_eq!(first.join().unwrap().0, "up-access-2");
    assert_eq!(refreshes.load(Ordering::SeqCst), 1);
    assert_eq!(
        proxy.resolve("proxy-token").unwrap().access.expose(),
        "up-access-2"
    );
    assert_eq!(refreshes.load(Ordering::SeqCst), 1);
}

#[test]
fn at_most_two_refreshes_run_at_once() {
    let (proxy, refreshes) = proxy(false, Duration::from_millis(400));
    let tokens = ["proxy-token-1", "proxy-token-2", "proxy-token-3"];
    for (i, t) in tokens.iter().enumerate() {
        add_grant(&proxy, &format!("g{i}"), t, Some(Duration::from_secs(60)));
    }
    let started: Vec<_> = tokens[..2]
        .iter()
        .map(|t| resolve_on_thread(&proxy, t))
        .collect();
    std::thread::sleep(Duration::from_millis(100));
    let (access, took) = resolve_on_thread(&proxy, tokens[2]).join().unwrap();
    assert_eq!(access, "up-access-1", "over the cap: the still-valid token");
    assert!(took < Duration::from_millis(200), "waited {took:?}");
    for h in started {
        assert_eq!(h.join().unwrap().0, "up-access-2");
    }
    assert_eq!(refreshes.load(Ordering::SeqCst), 2);
    assert_eq!(
        proxy.refreshes.load(Ordering::SeqCst),
        0,
        "slots given back"
    );
}

#[test]
fn a_failing_refresh_is_tried_once_per_back_off_window() {
    let (proxy, refreshes) = proxy(true, Duration::ZERO);
    add_grant(&proxy, "g1", "proxy-token", Some(Duration::from_secs(60)));
    for _ in 0..5 {
        let r = proxy.resolve("proxy-token").unwrap();
        assert_eq!(r.access.expose(), "up-access-1", "kept while it works");
    }
    assert_eq!(refreshes.load(Ordering::SeqCst), 1);
    // The window ends: one more try.
    let cell = proxy.tables().grants.get("g1").unwrap().upstream.clone();
    let back = Instant::now().checked_sub(REFRESH_BACKOFF + Duration::from_secs(1));
    cell.state.lock().unwrap().failed_at = back;
    proxy.resolve("proxy-token").unwrap();
    proxy.resolve("proxy-token").unwrap();
    assert_eq!(refreshes.load(Ordering::SeqCst), 2);
}

#[test]
fn a_failed_refresh_ends_an_expired_grant() {
    let (proxy, refreshes) = proxy(true, Duration::ZERO);
    add_grant(&proxy, "g1", "proxy-token", None);
    assert!(proxy.resolve("proxy-token").is_none());
    assert!(proxy.resolve("proxy-token").is_none(), "the grant is gone");
    assert_eq!(refreshes.load(Ordering::SeqCst), 1);
    // A token far from expiry is used as is.
    let (proxy, refreshes) = self::proxy(false, Duration::ZERO);
    add_grant(&proxy, "g1", "proxy-token", Some(Duration::from_secs(3000)));
    assert_eq!(
        proxy.resolve("proxy-token").unwrap().access.expose(),
        "up-access-1"
    );
    assert_eq!(refreshes.load(Ordering::SeqCst), 0);
    assert!(format!("{:?}", proxy.resolve("proxy-token")).contains("***"));
    assert!(!format!("{:?}", proxy.resolve("proxy-token")).contains("up-access"));
}

#[test]
fn a_full_client_table_keeps_clients_with_live_grants() {
    let settings = ProxySettings {
        allowed_redirect_uris: vec!["http://localhost:*".into()],
        allowed_grant_types: vec!["authorization_code".into(), "refresh_token".into()],
        require_consent: true,
        callback_path: "/callback".into(),
    };
    let fake = Fake {
        refreshes: Arc::new(AtomicUsize::new(0)),
        fail: false,
        delay: Duration::ZERO,
    };
    let proxy = OAuthProxy::new(settings, Box::new(fake));
    *proxy.tables() = Tables::with_client_cap(3);
    let register = || {
        let meta = br#"{"redirect_uris":["http://localhost:9/cb"],"token_endpoint_auth_method":"none","grant_types":["authorization_code","refresh_token"]}"#;
        let r = proxy.register(meta);
        let body: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
        (
            r.status,
            body["client_id"].as_str().unwrap_or_default().to_string(),
        )
    };
    // A user signed in with the first client, and holds its refresh token.
    let (status, signed_in) = register();
    assert_eq!(status, 201);
    add_grant(&proxy, "g1", "proxy-token", Some(Duration::from_secs(3000)));
    {
        let mut t = proxy.tables();
        let g = t.grants.get("g1").unwrap();
        g.client_id = signed_in.clone();
        g.refresh_digest = Some(codec::sha256_b64(b"proxy-refresh"));
        let token_ref = TokenRef {
            grant_id: "g1".into(),
            client_id: signed_in.clone(),
        };
        t.refresh
            .insert(codec::sha256_b64(b"proxy-refresh"), token_ref, ACCESS_TTL);
        t.clients.get(&signed_in).unwrap().granted = true;
    }
    // A flood of registrations: never-used ones make room for each other.
    for _ in 0..20 {
        assert_eq!(register().0, 201);
    }
    let form =
        format!("grant_type=refresh_token&client_id={signed_in}&refresh_token=proxy-refresh");
    let r = proxy.token(form.as_bytes(), None, "http://h/mcp");
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    // A table full of clients with live grants refuses registrations, with Retry-After.
    for id in ["x1", "x2"] {
        let (_, c) = register();
        add_grant(
            &proxy,
            id,
            &format!("t-{id}"),
            Some(Duration::from_secs(3000)),
        );
        proxy.tables().grants.get(id).unwrap().client_id = c;
    }
    let r = proxy.register(br#"{"redirect_uris":["http://localhost:9/cb"]}"#);
    assert_eq!(r.status, 503);
    assert!(
        r.headers
            .iter()
            .any(|(k, v)| *k == "Retry-After" && v == "60")
    );
}

#[test]
fn a_panicking_callback_gives_its_place_back() {
    // No consent page (the test has no browser): straight to the upstream.
    let (proxy, q) = loopback_proxy(false);
    let to_upstream = proxy.authorize(&q, "http://h", "http://h/mcp");
    let header = |name: &str| {
        to_upstream
            .headers
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.clone())
            .unwrap()
    };
    let state = header("Location")
        .split("state=")
        .nth(1)
        .unwrap()
        .to_string();
    let cookie = header("Set-Cookie").split(';').next().unwrap().to_string();
    // Every place taken: the next callback is turned away.
    let slots: Vec<_> = (0..MAX_EXCHANGES)
        .map(|_| proxy.exchange_slot().unwrap())
        .collect();
    assert!(proxy.exchange_slot().is_none());
    drop(slots);
    let slot = proxy.exchange_slot().unwrap();
    let query = format!("state={state}&code=panic");
    let run = std::thread::spawn(move || slot.callback(&query, "http://h", Some(&cookie)));
    assert!(run.join().is_err(), "the exchange panicked");
    assert_eq!(
        proxy.exchanges.load(Ordering::SeqCst),
        0,
        "its place is free again"
    );
}

#[test]
fn over_https_the_cookies_are_host_only_and_secure() {
    let (proxy, q) = loopback_proxy(true);
    let issuer = "https://mcp.example.com/prefix";
    let set_cookies = |r: &Reply| -> Vec<String> {
        r.headers
            .iter()
            .filter(|(k, _)| *k == "Set-Cookie")
            .map(|(_, v)| v.clone())
            .collect()
    };
    let page = proxy.authorize(&q, issuer, "https://mcp.example.com/prefix/mcp");
    assert_eq!(page.status, 200);
    let consent = set_cookies(&page).remove(0);
    assert!(
        consent.starts_with("__Host-mcp_oauth_consent="),
        "{consent}"
    );
    for attr in ["; Path=/;", "; Secure", "HttpOnly", "SameSite=Strict"] {
        assert!(consent.contains(attr), "{consent}");
    }
    let csrf = consent
        .split(';')
        .next()
        .unwrap()
        .split('=')
        .nth(1)
        .unwrap();
    let form = format!("csrf={csrf}&decision=allow");
    // The plain name is not accepted over https (a sibling host could have planted it).
    let plain = format!("mcp_oauth_consent={csrf}");
    assert_eq!(
        proxy.consent(form.as_bytes(), Some(&plain), issuer).status,
        400
    );
    let prefixed = format!("__Host-mcp_oauth_consent={csrf}");
    let allowed = proxy.consent(form.as_bytes(), Some(&prefixed), issuer);
    assert_eq!(allowed.status, 302);
    let cookies = set_cookies(&allowed);
    assert!(
        cookies
            .iter()
            .any(|c| c.starts_with("__Host-mcp_oauth_flight_")
                && c.contains("; Path=/;")
                && c.contains("; Secure")
                && c.contains("SameSite=Lax")),
        "{cookies:?}"
    );
    assert!(
        cookies
            .iter()
            .any(|c| c.starts_with("__Host-mcp_oauth_consent=;") && c.contains("Max-Age=0")),
        "{cookies:?}"
    );
}

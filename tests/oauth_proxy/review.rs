//! The OAuth proxy against the findings of its security review, over HTTP with the real binary:
//! Atlassian's callback bound to the browser that was sent there, per-request credentials and
//! site headers refused with the proxy on, the Server/DC token kept to its own site, the
//! registration table and its rate limit, refresh-token reuse, the `resource` parameter, the
//! Host check on the proxy's endpoints, and start-up refusals.

use crate::harness::*;
use serde_json::json;

const URLENC: &str = "application/x-www-form-urlencoded";

/// Consent to a sign-in of `client` with `state`: our redirect to Atlassian.
fn allowed(p: &Proxy, client: &str, state: &str) -> Answer {
    let (csrf, cookie) = p.consent_page(client, state);
    let body = form(&[("csrf", &csrf), ("decision", "allow")]);
    let a = p.post("/authorize", URLENC, &body, &[("Cookie", &cookie)]);
    assert_eq!(a.status, 302, "{}", a.body);
    a
}

#[test]
fn the_callback_must_come_back_in_the_browser_sent_to_atlassian() {
    let p = Proxy::start("cloud", &[]);
    let client = p.public_client();
    // Someone consents, stops at Atlassian's authorize URL and sends it to a victim, whose
    // browser (Atlassian approves at once) comes back without the sign-in's cookie: refused.
    let attacker = allowed(&p, &client, "st-0");
    let done = p.callback_with(&attacker, None);
    assert_eq!(done.status, 400, "{}", done.body);
    assert!(done.header("location").is_none());
    // The cookie binding the sign-in: HttpOnly, Lax (Atlassian's redirect back is a cross-site
    // top-level GET), scoped to the callback over http.
    let a = allowed(&p, &client, "st-a");
    let set = a
        .headers_all("set-cookie")
        .into_iter()
        .find(|c| c.starts_with("mcp_oauth_flight_"))
        .unwrap()
        .to_string();
    for attr in ["HttpOnly", "SameSite=Lax", "Path=/callback", "Max-Age=600"] {
        assert!(set.contains(attr), "{set}");
    }
    let name = set.split('=').next().unwrap().to_string();
    // The victim's browser has no cookie, another sign-in's cookie, or this name with another
    // value.
    let other = allowed(&p, &client, "st-b").cookies();
    let forged = format!("{name}=forged-value");
    for cookie in [None, Some(other.as_str()), Some(forged.as_str())] {
        let attacker = allowed(&p, &client, "st-c");
        let done = p.callback_with(&attacker, cookie);
        assert_eq!(done.status, 400, "{cookie:?}: {}", done.body);
        assert!(done.header("location").is_none(), "{cookie:?}");
        assert!(
            done.body.contains("not started in this browser"),
            "{}",
            done.body
        );
        // The failed callback clears its cookie too.
        assert!(
            done.headers_all("set-cookie")
                .iter()
                .any(|c| c.contains("Max-Age=0")),
            "{:?}",
            done.headers
        );
    }
    // In the browser that consented it works, and clears the cookie.
    let done = p.callback_with(&a, Some(&a.cookies()));
    assert_eq!(done.status, 302, "{}", done.body);
    let back = done.header("location").unwrap();
    assert!(back.starts_with(CLIENT_REDIRECT), "{back}");
    assert_eq!(param(back, "state").as_deref(), Some("st-a"));
    let cleared = done.headers_all("set-cookie");
    assert!(
        cleared
            .iter()
            .any(|c| c.starts_with(&format!("{name}=;")) && c.contains("Max-Age=0")),
        "{cleared:?}"
    );
    // Without consent the redirect to Atlassian sets the cookie just the same.
    let q = Proxy::start("cloud", &[("ATLASSIAN_OAUTH_REQUIRE_CONSENT", "false")]);
    let client = q.public_client();
    let a = q.get(&q.authorize_url(&client, "no-consent"));
    assert_eq!(a.status, 302, "{}", a.body);
    assert_eq!(q.callback_with(&a, None).status, 400);
    let a = q.get(&q.authorize_url(&client, "no-consent-2"));
    assert!(q.through_atlassian(&a).starts_with(CLIENT_REDIRECT));
}

/// A signed-in client's access token (consent off).
fn signed_in(p: &Proxy) -> String {
    let client = p.public_client();
    let a = p.get(&p.authorize_url(&client, "s"));
    assert_eq!(a.status, 302, "{}", a.body);
    let code = param(&p.through_atlassian(&a), "code").unwrap();
    let t = p.redeem(&client, &code, VERIFIER);
    assert_eq!(t.status, 200, "{}", t.body);
    t.json()["access_token"].as_str().unwrap().to_string()
}

#[test]
fn a_server_dc_token_goes_only_to_its_own_site() {
    // Jira at the sandbox's address, Confluence named by another host (the sandbox serves
    // both): separate application links, so the Jira sign-in's token is not Confluence's. The
    // host is allowed as a per-request site, so nothing but the token's site stops the request.
    let p = Proxy::start_with(
        "server",
        &[
            ("ATLASSIAN_OAUTH_REQUIRE_CONSENT", "false"),
            ("MCP_ALLOWED_URL_DOMAINS", "localhost"),
            ("READ_ONLY_MODE", "false"),
        ],
        |sb| vec![("CONFLUENCE_URL", sb.replace("127.0.0.1", "localhost"))],
    );
    let access = signed_in(&p);
    let r = p.call(&access, "jira_get_issue", json!({"issue_key": "WEB-1"}));
    assert!(ok_result(&r), "{}", r.body);
    p.clear_sandbox_log();
    let r = p.call(&access, "confluence_search", json!({"query": "type=page"}));
    assert_eq!(r.status, 200, "{}", r.body);
    let result = &r.json()["result"];
    assert_eq!(result["isError"], true, "{result}");
    let text = result["content"][0]["text"].as_str().unwrap();
    assert!(
        text.contains("Confluence is not available through this server's sign-in"),
        "{text}"
    );
    let log = p.sandbox_log();
    assert!(log.is_empty(), "the token went to Confluence: {log:?}");
}

#[test]
fn with_the_proxy_only_its_own_tokens_get_in() {
    let p = Proxy::start("server", &[("ATLASSIAN_OAUTH_REQUIRE_CONSENT", "false")]);
    let init = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {},
        "clientInfo": {"name": "t", "version": "1"}}});
    let accept = ("Accept", "application/json, text/event-stream");
    // Credentials the sandbox would accept, that the sign-in never saw.
    let basic = format!("Basic {}", b64url(b"alice:alice-password"));
    for headers in [
        vec![("Authorization", "Token alice-pat")],
        vec![("Authorization", basic.as_str())],
        vec![("X-Atlassian-Jira-Personal-Token", "alice-pat")],
        vec![
            ("X-Atlassian-Jira-Personal-Token", "alice-pat"),
            ("X-Atlassian-Confluence-Personal-Token", "alice-pat"),
            ("X-Atlassian-Jira-Url", p.sandbox.as_str()),
        ],
    ] {
        let mut all = headers.clone();
        all.push(accept);
        let a = p.post("/mcp", "application/json", &init.to_string(), &all);
        assert_eq!(a.status, 401, "{headers:?}: {}", a.body);
        let www = a.header("www-authenticate").unwrap_or_default();
        assert!(www.starts_with("Bearer "), "{www}");
        if headers[0].0 == "Authorization" {
            assert!(www.contains("error=\"invalid_token\""), "{www}");
        }
    }
    // A proxy token still works, its own headers notwithstanding.
    let access = signed_in(&p);
    let r = p.call(&access, "jira_get_issue", json!({"issue_key": "WEB-1"}));
    assert!(ok_result(&r), "{}", r.body);
}

#[test]
fn registrations_are_rate_limited_per_address() {
    let p = Proxy::start("cloud", &[]);
    let meta = json!({"redirect_uris": [CLIENT_REDIRECT], "token_endpoint_auth_method": "none"});
    for i in 0..20 {
        assert_eq!(p.register(meta.clone()).status, 201, "registration {i}");
    }
    let a = p.register(meta);
    assert_eq!(a.status, 429, "{}", a.body);
    assert_eq!(a.header("retry-after"), Some("60"));
    assert_eq!(a.json()["error"], "temporarily_unavailable");
}

#[test]
fn sign_ins_are_rate_limited_per_address() {
    // Each started sign-in holds a consent page in a table all users share.
    let p = Proxy::start("cloud", &[]);
    let client = p.public_client();
    for i in 0..60 {
        let a = p.get(&p.authorize_url(&client, &format!("st-{i}")));
        assert_eq!(a.status, 200, "sign-in {i}: {}", a.body);
    }
    let a = p.get(&p.authorize_url(&client, "one-too-many"));
    assert_eq!(a.status, 429, "{}", a.body);
    assert_eq!(a.header("retry-after"), Some("60"));
    assert!(a.header("location").is_none());
}

#[test]
fn a_proxy_reachable_from_other_machines_needs_its_public_url() {
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};
    let run = |extra: &[(&str, &str)]| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_mcp-atlassian"));
        cmd.env_clear()
            .env("PATH", "/usr/bin:/bin")
            .envs([
                ("TRANSPORT", "streamable-http"),
                ("HOST", "0.0.0.0"),
                ("PORT", "0"),
                ("JIRA_URL", "https://example.atlassian.net"),
                ("ATLASSIAN_OAUTH_PROXY_ENABLE", "true"),
                ("ATLASSIAN_OAUTH_CLIENT_ID", "id"),
                ("ATLASSIAN_OAUTH_CLIENT_SECRET", "secret"),
                (
                    "ATLASSIAN_OAUTH_REDIRECT_URI",
                    "https://mcp.example.com/callback",
                ),
            ])
            .envs(extra.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().unwrap();
        let t0 = Instant::now();
        // A refusal comes at once; a server that starts is still running a second later.
        while t0.elapsed() < Duration::from_secs(1) {
            if let Some(status) = child.try_wait().unwrap() {
                let mut err = String::new();
                std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut err).unwrap();
                return (status.code(), err);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        child.kill().unwrap();
        child.wait().unwrap();
        let mut err = String::new();
        std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut err).unwrap();
        (None, err)
    };
    let (code, err) = run(&[]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("PUBLIC_BASE_URL"), "{err}");
    // With it (or on loopback) the server starts.
    for extra in [
        [("PUBLIC_BASE_URL", "https://mcp.example.com")],
        [("HOST", "127.0.0.1")],
    ] {
        let (code, err) = run(&extra);
        assert_eq!(code, None, "{extra:?}: {err}");
        assert!(!err.contains("REQUIRE_CONSENT"), "{err}");
    }
    // Consent off with open registration: a clear warning at start.
    let (code, err) = run(&[
        ("HOST", "127.0.0.1"),
        ("ATLASSIAN_OAUTH_REQUIRE_CONSENT", "false"),
    ]);
    assert_eq!(code, None, "{err}");
    assert!(
        err.contains("ATLASSIAN_OAUTH_REQUIRE_CONSENT=false") && err.contains("consent per client"),
        "{err}"
    );
}

#[test]
fn a_cloud_sign_in_must_reach_the_configured_site() {
    // The server serves another site than the one the user's account reaches (the sandbox's).
    let p = Proxy::start(
        "cloud",
        &[
            ("JIRA_URL", "https://another-site.atlassian.net"),
            ("ATLASSIAN_OAUTH_REQUIRE_CONSENT", "false"),
        ],
    );
    let client = p.public_client();
    let a = p.get(&p.authorize_url(&client, "s"));
    assert_eq!(a.status, 302, "{}", a.body);
    let done = p.callback_with(&a, Some(&a.cookies()));
    assert_eq!(done.status, 403, "{}", done.body);
    assert!(done.header("location").is_none());
    assert!(
        done.body
            .contains("cannot reach https://another-site.atlassian.net"),
        "{}",
        done.body
    );
}

#[test]
fn the_resource_parameter_names_the_mcp_endpoint_or_is_refused() {
    let p = Proxy::start("cloud", &[]);
    let client = p.public_client();
    let ours = format!("{}/mcp", p.base);
    let with = |resource: &str| {
        p.get(&format!(
            "{}&resource={}",
            p.authorize_url(&client, "r"),
            enc(resource)
        ))
    };
    for good in [ours.clone(), format!("{ours}/")] {
        assert_eq!(with(&good).status, 200, "{good}");
    }
    let bad = with("https://evil.example/mcp");
    assert_eq!(bad.status, 302, "{}", bad.body);
    let loc = bad.header("location").unwrap();
    assert!(loc.starts_with(CLIENT_REDIRECT), "{loc}");
    assert_eq!(param(loc, "error").as_deref(), Some("invalid_target"));
    // At the token endpoint too.
    let t = p.token(&[
        ("grant_type", "authorization_code"),
        ("client_id", &client),
        ("code", "x"),
        ("resource", "https://evil.example/mcp"),
    ]);
    assert_eq!(t.status, 400, "{}", t.body);
    assert_eq!(t.json()["error"], "invalid_target");
    let t = p.token(&[
        ("grant_type", "authorization_code"),
        ("client_id", &client),
        ("code", "x"),
        ("resource", &ours),
    ]);
    assert_eq!(
        t.json()["error"],
        "invalid_grant",
        "accepted: the code is the problem"
    );
}

#[test]
fn the_proxy_endpoints_check_the_host_like_the_mcp_endpoint() {
    let p = Proxy::start("cloud", &[]);
    let client = p.public_client();
    let port = p.base.rsplit(':').next().unwrap().to_string();
    let authorize = p.authorize_url(&client, "h");
    let rebound = format!("attacker.example:{port}");
    for (method, path) in [
        ("GET", authorize.as_str()),
        ("POST", "/authorize"),
        ("POST", "/token"),
        ("POST", "/register"),
        ("GET", "/callback?state=x"),
        ("GET", "/.well-known/oauth-authorization-server"),
    ] {
        assert_eq!(
            p.status_with_host(method, path, &rebound),
            403,
            "{method} {path}"
        );
    }
    let local = format!("localhost:{port}");
    assert_eq!(p.status_with_host("GET", &authorize, &local), 200);
    assert_eq!(
        p.status_with_host("GET", "/.well-known/oauth-authorization-server", &local),
        200
    );
}

//! The OAuth proxy (ATLASSIAN_OAUTH_PROXY_ENABLE) end to end: the real binary on streamable
//! HTTP in front of the sandbox, driven by a plain HTTP client playing both the MCP client and
//! the user's browser (the sandbox approves Atlassian's sign-in at once). Checked: the
//! RFC 8414 metadata and the protected-resource metadata naming this server; registration
//! limits; `/authorize` refusals (error page without redirect for an unknown redirect URI,
//! `error=` redirects after it, PKCE required); the consent page's CSRF token and cookie; the
//! token endpoint (single-use codes, PKCE verification, client authentication, rotating
//! refresh tokens bound to their client); tool calls made with the user's Atlassian token (seen
//! in the sandbox's request log), 401 with `WWW-Authenticate` for unknown tokens, read-only mode
//! still enforced; consent off and the refresh grant not offered; Server/DC; the user's
//! Atlassian token refreshed before it expires under concurrent calls (no rotated refresh token
//! presented twice), and a grant Atlassian ended answered with 401 once its token expired.

#[path = "oauth_proxy/harness.rs"]
mod harness;
#[path = "oauth_proxy/review.rs"]
mod review;
mod support;

use harness::*;
use serde_json::{Value, json};

#[test]
fn metadata_registration_and_refusals() {
    let p = Proxy::start("cloud", &[]);
    // RFC 8414 §2 (issuer, authorization/token endpoints, response types are required here)
    // at the plain and the path-appended well-known URL.
    for path in [
        "/.well-known/oauth-authorization-server",
        "/.well-known/oauth-authorization-server/mcp",
    ] {
        let a = p.get(path);
        assert_eq!(a.status, 200, "{path}");
        let m = a.json();
        assert_eq!(m["issuer"], p.base.as_str(), "{m}");
        for (k, suffix) in [
            ("authorization_endpoint", "/authorize"),
            ("token_endpoint", "/token"),
            ("registration_endpoint", "/register"),
        ] {
            assert_eq!(m[k], format!("{}{suffix}", p.base), "{m}");
        }
        assert_eq!(m["response_types_supported"], json!(["code"]));
        assert_eq!(m["code_challenge_methods_supported"], json!(["S256"]));
        assert_eq!(m["authorization_response_iss_parameter_supported"], true);
        assert_eq!(
            m["grant_types_supported"],
            json!(["authorization_code", "refresh_token"])
        );
        let methods = m["token_endpoint_auth_methods_supported"]
            .as_array()
            .unwrap();
        for want in ["none", "client_secret_post"] {
            assert!(methods.iter().any(|x| x == want), "{m}");
        }
    }
    // The protected resource names this server as its authorization server.
    let prm = p.get("/.well-known/oauth-protected-resource/mcp").json();
    assert_eq!(prm["authorization_servers"], json!([p.base]), "{prm}");
    assert_eq!(prm["resource"], format!("{}/mcp", p.base));

    // No token, or one the proxy never issued: 401 pointing at the metadata.
    let ping = json!({"jsonrpc": "2.0", "id": 1, "method": "ping"});
    let none = p.post("/mcp", "application/json", &ping.to_string(), &[]);
    assert_eq!(none.status, 401);
    let wanted = format!(
        "resource_metadata=\"{}/.well-known/oauth-protected-resource/mcp\"",
        p.base
    );
    assert!(none.header("www-authenticate").unwrap().contains(&wanted));
    let unknown = p.mcp("alice-oauth-token", None, ping);
    assert_eq!(
        unknown.status, 401,
        "an Atlassian token is not a proxy token"
    );
    let www = unknown.header("www-authenticate").unwrap();
    assert!(www.contains(&wanted) && www.contains("error=\"invalid_token\""));

    // Registration limits.
    let refused = |meta: Value, code: &str| {
        let a = p.register(meta.clone());
        assert_eq!(a.status, 400, "{meta}: {}", a.body);
        assert_eq!(a.json()["error"], code, "{meta}");
    };
    refused(
        json!({"redirect_uris": ["https://evil.example/cb"]}),
        "invalid_redirect_uri",
    );
    refused(
        json!({"redirect_uris": ["http://localhost:3000/cb#x"]}),
        "invalid_redirect_uri",
    );
    refused(
        json!({"redirect_uris": ["http://localhost.evil.example:3000/cb"]}),
        "invalid_redirect_uri",
    );
    refused(json!({"redirect_uris": []}), "invalid_redirect_uri");
    for non_ascii in ["http://localhost:3000/cé", "http://lоcalhost:3000/cb"] {
        refused(
            json!({"redirect_uris": [non_ascii]}),
            "invalid_redirect_uri",
        );
    }
    refused(
        json!({"redirect_uris": [CLIENT_REDIRECT], "grant_types": ["authorization_code", "client_credentials"]}),
        "invalid_client_metadata",
    );
    refused(
        json!({"redirect_uris": [CLIENT_REDIRECT], "token_endpoint_auth_method": "private_key_jwt"}),
        "invalid_client_metadata",
    );
    refused(json!(["not", "an", "object"]), "invalid_client_metadata");
    let big = json!({"redirect_uris": [CLIENT_REDIRECT], "client_name": "x".repeat(70_000)});
    assert_eq!(p.register(big).status, 413);

    // Public clients get no secret; confidential ones do.
    let a = p.register(
        json!({"redirect_uris": [CLIENT_REDIRECT], "token_endpoint_auth_method": "none"}),
    );
    assert_eq!(a.status, 201, "{}", a.body);
    let c = a.json();
    assert!(c["client_id"].as_str().unwrap().len() >= 32);
    assert!(c.get("client_secret").is_none() && c["client_id_issued_at"].is_u64());
    assert_eq!(a.header("cache-control"), Some("no-store"));
    let a = p.register(json!({"redirect_uris": ["http://127.0.0.1:4567/cb"], "token_endpoint_auth_method": "client_secret_post"}));
    assert_eq!(a.status, 201);
    assert!(a.json()["client_secret"].as_str().unwrap().len() >= 32);
    assert_eq!(a.json()["client_secret_expires_at"], 0);

    // /authorize: an unknown client or redirect URI is an error page, never a redirect.
    let client = p.public_client();
    let bad_redirect = p.get(&format!(
        "/authorize?response_type=code&client_id={client}&redirect_uri={}&code_challenge={}&code_challenge_method=S256",
        enc("http://localhost:9/other"),
        challenge(VERIFIER)
    ));
    assert_eq!(bad_redirect.status, 400);
    assert!(bad_redirect.header("location").is_none());
    assert!(bad_redirect.body.contains("<html"), "{}", bad_redirect.body);
    let unknown_client = p.get("/authorize?response_type=code&client_id=nobody&code_challenge=x");
    assert_eq!(unknown_client.status, 400);
    assert!(unknown_client.header("location").is_none());
    // After the redirect URI is known, errors go back to the client: PKCE is required.
    let no_pkce = p.get(&format!(
        "/authorize?response_type=code&client_id={client}&redirect_uri={}&state=s1",
        enc(CLIENT_REDIRECT)
    ));
    assert_eq!(no_pkce.status, 302);
    let loc = no_pkce.header("location").unwrap();
    assert!(loc.starts_with(CLIENT_REDIRECT), "{loc}");
    assert_eq!(param(loc, "error").as_deref(), Some("invalid_request"));
    assert_eq!(param(loc, "state").as_deref(), Some("s1"));
    let plain = p.get(&format!(
        "/authorize?response_type=code&client_id={client}&redirect_uri={}&code_challenge={}&code_challenge_method=plain",
        enc(CLIENT_REDIRECT),
        VERIFIER
    ));
    assert_eq!(
        param(plain.header("location").unwrap(), "error").as_deref(),
        Some("invalid_request")
    );
}

#[test]
fn consent_tokens_refresh_and_tool_calls() {
    let p = Proxy::start("cloud", &[]);
    let client = p.public_client();

    // The consent form needs its CSRF token, from the cookie of the same browser, once.
    let (csrf, cookie) = p.consent_page(&client, "st-1");
    let urlenc = "application/x-www-form-urlencoded";
    for (body, headers) in [
        (
            form(&[("decision", "allow")]),
            vec![("Cookie", cookie.as_str())],
        ),
        (
            form(&[("csrf", "forged"), ("decision", "allow")]),
            vec![("Cookie", cookie.as_str())],
        ),
        (form(&[("csrf", &csrf), ("decision", "allow")]), vec![]),
    ] {
        let a = p.post("/authorize", urlenc, &body, &headers);
        assert_eq!(a.status, 400, "{body}");
        assert!(a.header("location").is_none(), "{body}");
    }
    let allow = form(&[("csrf", &csrf), ("decision", "allow")]);
    let a = p.post("/authorize", urlenc, &allow, &[("Cookie", &cookie)]);
    assert_eq!(a.status, 302, "{}", a.body);
    let upstream = a.header("location").unwrap().to_string();
    assert!(
        upstream.starts_with(&format!("{}/authorize?", p.sandbox)),
        "{upstream}"
    );
    assert!(
        upstream.contains("client_id=sandbox-client")
            && upstream.contains("code_challenge_method=S256")
    );
    let again = p.post("/authorize", urlenc, &allow, &[("Cookie", &cookie)]);
    assert_eq!(again.status, 400, "a consent form is answered once");
    // Deny goes back to the client with access_denied.
    let (csrf2, cookie2) = p.consent_page(&client, "st-2");
    let deny = p.post(
        "/authorize",
        urlenc,
        &form(&[("csrf", &csrf2), ("decision", "deny")]),
        &[("Cookie", &cookie2)],
    );
    let loc = deny.header("location").unwrap();
    assert_eq!(param(loc, "error").as_deref(), Some("access_denied"));
    assert_eq!(param(loc, "state").as_deref(), Some("st-2"));

    // Through Atlassian (the sandbox approves) back to the client with our own code.
    let back = p.through_atlassian(&a);
    let code = param(&back, "code").unwrap();
    assert_eq!(param(&back, "state").as_deref(), Some("st-1"));

    // A wrong verifier is refused, and the code is then spent.
    let wrong = p.redeem(
        &client,
        &code,
        "another-verifier-of-sufficient-length-0123456789",
    );
    assert_eq!(wrong.status, 400);
    assert_eq!(wrong.json()["error"], "invalid_grant");
    assert_eq!(
        p.redeem(&client, &code, VERIFIER).json()["error"],
        "invalid_grant"
    );

    // A fresh sign-in, redeemed properly: our own opaque tokens, not cached.
    let code = p.sign_in(&client);
    let other = p.public_client();
    let stolen = p.redeem(&other, &code, VERIFIER);
    assert_eq!(
        stolen.json()["error"],
        "invalid_grant",
        "bound to its client"
    );
    let code = p.sign_in(&client);
    let t = p.redeem(&client, &code, VERIFIER);
    assert_eq!(t.status, 200, "{}", t.body);
    assert_eq!(t.header("cache-control"), Some("no-store"));
    let tok = t.json();
    assert_eq!(tok["token_type"], "Bearer");
    assert_eq!(tok["expires_in"], 3600);
    let access = tok["access_token"].as_str().unwrap().to_string();
    let refresh = tok["refresh_token"].as_str().unwrap().to_string();
    assert!(
        !access.ends_with("oauth-token") && !access.starts_with("at-"),
        "{access}"
    );

    // A tool call with the proxy token reaches the sandbox with the user's Atlassian token.
    let info: Value =
        serde_json::from_str(&p.get(&format!("{}/__sandbox/info", p.sandbox)).body).unwrap();
    let cloud_id = info["cloud_id"].as_str().unwrap();
    p.clear_sandbox_log();
    let r = p.call(&access, "jira_get_issue", json!({"issue_key": "WEB-1"}));
    assert!(ok_result(&r), "{}", r.body);
    let log = p.sandbox_log();
    assert!(!log.is_empty());
    for entry in &log {
        assert!(
            entry["path"]
                .as_str()
                .unwrap()
                .starts_with(&format!("/ex/jira/{cloud_id}/")),
            "{entry}"
        );
        assert_eq!(entry["auth"], "bearer", "{entry}");
        assert_eq!(
            entry["user"], "alice",
            "the upstream token is the user's: {entry}"
        );
        assert_eq!(entry["status"], 200, "{entry}");
    }
    // Read-only mode still holds for proxy users.
    let w = p.call(
        &access,
        "jira_create_issue",
        json!({"project_key": "WEB", "summary": "x", "issue_type": "Task"}),
    );
    let refused = w.json().get("error").is_some() || w.json()["result"]["isError"] == true;
    assert!(refused, "{}", w.body);

    // Refresh rotates: new tokens work, the old refresh and access tokens do not.
    let wrong_client = p.token(&[
        ("grant_type", "refresh_token"),
        ("client_id", &other),
        ("refresh_token", &refresh),
    ]);
    assert_eq!(
        wrong_client.json()["error"],
        "invalid_grant",
        "bound to its client"
    );
    let r1 = p.token(&[
        ("grant_type", "refresh_token"),
        ("client_id", &client),
        ("refresh_token", &refresh),
    ]);
    assert_eq!(r1.status, 200, "{}", r1.body);
    let access2 = r1.json()["access_token"].as_str().unwrap().to_string();
    let refresh2 = r1.json()["refresh_token"].as_str().unwrap().to_string();
    assert!(access2 != access && refresh2 != refresh);
    assert_eq!(
        p.call(&access, "jira_get_issue", json!({"issue_key": "WEB-1"}))
            .status,
        401
    );
    assert!(ok_result(&p.call(
        &access2,
        "jira_get_issue",
        json!({"issue_key": "WEB-1"})
    )));
    // The rotated refresh token presented again: refused, and the whole grant is revoked
    // (RFC 9700 §4.14.2), so the tokens it rotated into stop working too.
    let refresh_with = |token: &str| {
        p.token(&[
            ("grant_type", "refresh_token"),
            ("client_id", &client),
            ("refresh_token", token),
        ])
    };
    let replay = refresh_with(&refresh);
    assert_eq!(replay.status, 400);
    assert_eq!(replay.json()["error"], "invalid_grant");
    assert_eq!(
        p.call(&access2, "jira_get_issue", json!({"issue_key": "WEB-1"}))
            .status,
        401
    );
    assert_eq!(refresh_with(&refresh2).json()["error"], "invalid_grant");

    // A code presented twice revokes what it granted.
    let code = p.sign_in(&client);
    let t = p.redeem(&client, &code, VERIFIER);
    let access3 = t.json()["access_token"].as_str().unwrap().to_string();
    assert!(ok_result(&p.call(
        &access3,
        "jira_get_issue",
        json!({"issue_key": "WEB-2"})
    )));
    assert_eq!(
        p.redeem(&client, &code, VERIFIER).json()["error"],
        "invalid_grant"
    );
    assert_eq!(
        p.call(&access3, "jira_get_issue", json!({"issue_key": "WEB-2"}))
            .status,
        401
    );

    // Unknown grant types, and confidential clients without their secret.
    let g = p.token(&[("grant_type", "password"), ("client_id", &client)]);
    assert_eq!(g.json()["error"], "unsupported_grant_type");
    let conf = p.register(json!({"redirect_uris": [CLIENT_REDIRECT], "token_endpoint_auth_method": "client_secret_post"}));
    let conf_id = conf.json()["client_id"].as_str().unwrap().to_string();
    let conf_secret = conf.json()["client_secret"].as_str().unwrap().to_string();
    for secret in [None, Some("wrong")] {
        let mut pairs = vec![
            ("grant_type", "authorization_code"),
            ("client_id", conf_id.as_str()),
            ("code", "x"),
        ];
        if let Some(s) = secret {
            pairs.push(("client_secret", s));
        }
        let a = p.token(&pairs);
        assert_eq!(a.status, 401, "{secret:?}");
        assert_eq!(a.json()["error"], "invalid_client");
    }
    let a = p.token(&[
        ("grant_type", "authorization_code"),
        ("client_id", &conf_id),
        ("client_secret", &conf_secret),
        ("code", "x"),
    ]);
    assert_eq!(
        a.json()["error"],
        "invalid_grant",
        "authenticated, but no such code"
    );
    // Two authentication methods at once (RFC 6749 §2.3): refused, even when both are right.
    let basic = format!(
        "Basic {}",
        b64url(format!("{conf_id}:{conf_secret}").as_bytes())
    );
    let both = p.post(
        "/token",
        "application/x-www-form-urlencoded",
        &form(&[
            ("grant_type", "authorization_code"),
            ("client_secret", &conf_secret),
            ("code", "x"),
        ]),
        &[("Authorization", &basic)],
    );
    assert_eq!(both.status, 400, "{}", both.body);
    assert_eq!(both.json()["error"], "invalid_request");
}

#[test]
fn consent_off_without_refresh_and_on_server_dc() {
    let p = Proxy::start(
        "server",
        &[
            ("ATLASSIAN_OAUTH_REQUIRE_CONSENT", "false"),
            ("ATLASSIAN_OAUTH_ALLOWED_GRANT_TYPES", "authorization_code"),
        ],
    );
    let m = p.get("/.well-known/oauth-authorization-server").json();
    assert_eq!(m["grant_types_supported"], json!(["authorization_code"]));
    let r = p.register(json!({"redirect_uris": [CLIENT_REDIRECT], "grant_types": ["authorization_code", "refresh_token"]}));
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["error"], "invalid_client_metadata");
    let r = p.register(
        json!({"redirect_uris": [CLIENT_REDIRECT], "token_endpoint_auth_method": "none"}),
    );
    let client = r.json()["client_id"].as_str().unwrap().to_string();

    // No consent page: straight to the Server/DC site's authorize endpoint.
    let a = p.get(&p.authorize_url(&client, "dc"));
    assert_eq!(a.status, 302, "{}", a.body);
    let upstream = a.header("location").unwrap().to_string();
    assert!(
        upstream.starts_with(&format!("{}/rest/oauth2/latest/authorize?", p.sandbox)),
        "{upstream}"
    );
    let back = p.through_atlassian(&a);
    let code = param(&back, "code").unwrap();
    let t = p.redeem(&client, &code, VERIFIER);
    assert_eq!(t.status, 200, "{}", t.body);
    assert!(
        t.json().get("refresh_token").is_none(),
        "refresh is not offered"
    );
    let refresh = p.token(&[
        ("grant_type", "refresh_token"),
        ("client_id", &client),
        ("refresh_token", "x"),
    ]);
    assert_eq!(refresh.json()["error"], "unsupported_grant_type");

    let access = t.json()["access_token"].as_str().unwrap().to_string();
    p.clear_sandbox_log();
    let r = p.call(&access, "jira_get_issue", json!({"issue_key": "WEB-1"}));
    assert!(ok_result(&r), "{}", r.body);
    let log = p.sandbox_log();
    assert!(!log.is_empty());
    for entry in &log {
        assert_eq!(entry["user"], "alice", "{entry}");
        assert_eq!(entry["auth"], "bearer", "{entry}");
    }
}

#[test]
fn upstream_tokens_refreshed_under_load_and_an_ended_grant_signs_out() {
    let p = Proxy::start("server", &[("ATLASSIAN_OAUTH_REQUIRE_CONSENT", "false")]);
    let control = |what: &str| {
        let url = format!("{}/__sandbox/oauth/{what}", p.sandbox);
        let r = p.agent.post(&url).send_empty().unwrap();
        assert_eq!(r.status(), 200, "{what}");
    };
    // Atlassian's access tokens now live one second: every call finds the user's token within
    // the refresh margin, so every call refreshes it first.
    control("lifetime?seconds=1");
    let client = p.public_client();
    let a = p.get(&p.authorize_url(&client, "soon-expiring"));
    assert_eq!(a.status, 302, "{}", a.body);
    let back = p.through_atlassian(&a);
    let code = param(&back, "code").unwrap();
    let t = p.redeem(&client, &code, VERIFIER);
    assert_eq!(t.status, 200, "{}", t.body);
    let access = t.json()["access_token"].as_str().unwrap().to_string();

    // Six calls at once: the refreshes are serialized under the grant's lock, so a rotated
    // refresh token is never presented twice (the sandbox would refuse it).
    p.clear_sandbox_log();
    let answers: Vec<Answer> = std::thread::scope(|s| {
        let calls: Vec<_> = (0..6)
            .map(|i| {
                let (p, access) = (&p, &access);
                s.spawn(move || {
                    p.call(
                        access,
                        "jira_get_issue",
                        json!({"issue_key": format!("WEB-{}", 1 + i % 2)}),
                    )
                })
            })
            .collect();
        calls.into_iter().map(|c| c.join().unwrap()).collect()
    });
    for a in &answers {
        assert!(ok_result(a), "{}", a.body);
    }
    let log = p.sandbox_log();
    let refreshes: Vec<&Value> = log
        .iter()
        .filter(|e| e["path"].as_str().is_some_and(|p| p.ends_with("/token")))
        .collect();
    assert!(
        !refreshes.is_empty(),
        "the user's token was refreshed: {log:?}"
    );
    for r in &refreshes {
        assert_eq!(r["status"], 200, "no refresh was refused: {r}");
    }
    for e in log.iter().filter(|e| e["auth"] == "bearer") {
        assert_eq!(e["status"], 200, "every call used a live token: {e}");
    }

    // Atlassian ends the grant (revoked): once the user's token has expired, the proxy token
    // stops working with 401, so the client signs in again.
    control("revoke");
    std::thread::sleep(std::time::Duration::from_millis(1200));
    let gone = p.call(&access, "jira_get_issue", json!({"issue_key": "WEB-1"}));
    assert_eq!(gone.status, 401, "{}", gone.body);
    assert!(
        gone.header("www-authenticate")
            .is_some_and(|h| h.contains("invalid_token")),
        "{:?}",
        gone.header("www-authenticate")
    );
}

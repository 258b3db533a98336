//! The OAuth proxy (ATLASSIAN_OAUTH_PROXY_ENABLE) end to end: the real binary on streamable
//! HTTP in front of the sandbox, driven by a plain HTTP client playing both the MCP client and
//! the user's browser (the sandbox approves Atlassian's sign-in at once). Checked: the
//! RFC 8414 metadata and the protected-resource metadata naming this server; registration
//! limits; `/authorize` refusals (error page without redirect for an unknown redirect URI,
//! `error=` redirects after it, PKCE required); the consent page's CSRF token and cookie; the
//! token endpoint (single-use codes, PKCE verification, client authentication, rotating
//! refresh tokens bound to their client); tool calls made with the user's Atlassian token (seen
//! in the sandbox's request log), 401 with `WWW-Authenticate` for unknown tokens, read-only mode
//! still enforced; consent off and the refresh grant not offered; Server/DC.

mod support;

use ring::digest::{SHA256, digest};
use serde_json::{Value, json};
use std::process::{Command, Stdio};
use support::{Proc, free_port, sandbox, scratch, wait_port};

fn b64url(data: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for c in data.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        for i in 0..=c.len() {
            out.push(T[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

fn challenge(verifier: &str) -> String {
    b64url(digest(&SHA256, verifier.as_bytes()).as_ref())
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn dec(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(if b[i] == b'+' { b' ' } else { b[i] });
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

fn form(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// A query parameter of a URL.
fn param(url: &str, name: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    query
        .split('&')
        .filter_map(|p| p.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| dec(v))
}

const VERIFIER: &str = "a-proper-pkce-verifier-of-enough-length-0123456789";
const CLIENT_REDIRECT: &str = "http://localhost:9/cb";

/// An answer: status, lower-cased headers, body.
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
    fn json(&self) -> Value {
        // An SSE answer carries the JSON-RPC message in its last data line.
        let text = self
            .body
            .lines()
            .rev()
            .find_map(|l| l.strip_prefix("data: "))
            .unwrap_or(&self.body);
        serde_json::from_str(text).unwrap_or_else(|_| panic!("not JSON: {}", self.body))
    }
}

/// The proxy in front of a sandbox.
struct Proxy {
    _server: Proc,
    _sandbox: Proc,
    sandbox: String,
    base: String,
    agent: ureq::Agent,
}

impl Proxy {
    fn start(flavour: &str, extra: &[(&str, &str)]) -> Proxy {
        let (sb_proc, sb) = sandbox(flavour);
        let port = free_port();
        let base = format!("http://127.0.0.1:{port}");
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .build()
            .into();
        let site_env: String = agent
            .get(&format!("{sb}/__sandbox/env?user=alice"))
            .call()
            .unwrap()
            .body_mut()
            .read_to_string()
            .unwrap();
        let home = scratch(&format!("oauth-proxy-{port}"));
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_mcp-atlassian"));
        cmd.env_clear()
            .env("PATH", "/usr/bin:/bin")
            .env("HOME", &home)
            .current_dir(&home);
        // The sites and gateway, none of the sandbox user's credentials.
        for (k, v) in site_env.lines().filter_map(|l| l.split_once('=')) {
            if k.ends_with("_URL") || k.ends_with("_DEPLOYMENT") {
                cmd.env(k, v);
            }
        }
        let redirect = format!("{base}/callback");
        let port_s = port.to_string();
        let settings = [
            ("TRANSPORT", "streamable-http"),
            ("HOST", "127.0.0.1"),
            ("PORT", port_s.as_str()),
            ("ATLASSIAN_OAUTH_PROXY_ENABLE", "true"),
            ("ATLASSIAN_OAUTH_CLIENT_ID", "sandbox-client"),
            ("ATLASSIAN_OAUTH_CLIENT_SECRET", "sandbox-secret"),
            ("ATLASSIAN_OAUTH_REDIRECT_URI", redirect.as_str()),
            (
                "ATLASSIAN_OAUTH_SCOPE",
                "read:jira-work write:jira-work read:confluence-content.all offline_access",
            ),
            ("ATLASSIAN_OAUTH_AUTH_URL", sb.as_str()),
            // By address: per-caller clients refuse names that resolve to loopback (SSRF).
            ("ATLASSIAN_API_GATEWAY_URL", sb.as_str()),
            ("READ_ONLY_MODE", "true"),
        ];
        cmd.envs(settings.iter().chain(extra.iter()).copied());
        let child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let server = Proc(child);
        wait_port(port);
        Proxy {
            _server: server,
            _sandbox: sb_proc,
            sandbox: sb,
            base,
            agent,
        }
    }

    fn answer(mut resp: ureq::http::Response<ureq::Body>) -> Answer {
        let headers = resp
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_ascii_lowercase(),
                    v.to_str().unwrap_or("").to_string(),
                )
            })
            .collect();
        Answer {
            status: resp.status().as_u16(),
            headers,
            body: resp.body_mut().read_to_string().unwrap_or_default(),
        }
    }

    fn get(&self, url: &str) -> Answer {
        let url = if url.starts_with("http") {
            url.to_string()
        } else {
            format!("{}{url}", self.base)
        };
        Self::answer(self.agent.get(&url).call().unwrap())
    }

    fn post(&self, path: &str, content_type: &str, body: &str, headers: &[(&str, &str)]) -> Answer {
        let mut req = self
            .agent
            .post(&format!("{}{path}", self.base))
            .content_type(content_type);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        Self::answer(req.send(body).unwrap())
    }

    fn register(&self, meta: Value) -> Answer {
        self.post("/register", "application/json", &meta.to_string(), &[])
    }

    /// A public client allowed both grants.
    fn public_client(&self) -> String {
        let a = self.register(json!({
            "redirect_uris": [CLIENT_REDIRECT], "token_endpoint_auth_method": "none",
            "grant_types": ["authorization_code", "refresh_token"], "client_name": "Test <client>",
        }));
        assert_eq!(a.status, 201, "{}", a.body);
        a.json()["client_id"].as_str().unwrap().to_string()
    }

    fn authorize_url(&self, client: &str, state: &str) -> String {
        format!(
            "/authorize?response_type=code&client_id={client}&redirect_uri={}&state={state}\
             &code_challenge={}&code_challenge_method=S256",
            enc(CLIENT_REDIRECT),
            challenge(VERIFIER)
        )
    }

    /// The consent page's CSRF token and cookie.
    fn consent_page(&self, client: &str, state: &str) -> (String, String) {
        let page = self.get(&self.authorize_url(client, state));
        assert_eq!(page.status, 200, "{}", page.body);
        assert_eq!(page.header("x-frame-options"), Some("DENY"));
        assert!(
            page.header("content-security-policy")
                .unwrap()
                .contains("frame-ancestors 'none'")
        );
        assert!(page.body.contains("Test &lt;client&gt;") && page.body.contains("localhost:9"));
        let csrf = page
            .body
            .split("name=\"csrf\" value=\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .unwrap()
            .to_string();
        let cookie = page
            .header("set-cookie")
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_string();
        assert!(cookie.ends_with(&csrf), "{cookie}");
        (csrf, cookie)
    }

    /// The browser from an Atlassian authorize URL to the client's redirect: returns it.
    fn through_atlassian(&self, upstream: &str) -> String {
        assert!(upstream.starts_with(&self.sandbox), "{upstream}");
        let back = self.get(upstream);
        assert_eq!(back.status, 302, "{}", back.body);
        let callback = back.header("location").unwrap().to_string();
        assert!(
            callback.starts_with(&format!("{}/callback?", self.base)),
            "{callback}"
        );
        let done = self.get(&callback);
        assert_eq!(done.status, 302, "{}", done.body);
        done.header("location").unwrap().to_string()
    }

    /// A whole sign-in with consent; the client's code.
    fn sign_in(&self, client: &str) -> String {
        let (csrf, cookie) = self.consent_page(client, "st-1");
        let allow = self.post(
            "/authorize",
            "application/x-www-form-urlencoded",
            &form(&[("csrf", &csrf), ("decision", "allow")]),
            &[("Cookie", &cookie)],
        );
        assert_eq!(allow.status, 302, "{}", allow.body);
        let back = self.through_atlassian(allow.header("location").unwrap());
        assert!(back.starts_with(&format!("{CLIENT_REDIRECT}?")), "{back}");
        assert_eq!(param(&back, "state").as_deref(), Some("st-1"));
        // RFC 9207: the answer names its issuer.
        assert_eq!(param(&back, "iss").as_deref(), Some(self.base.as_str()));
        param(&back, "code").unwrap()
    }

    fn token(&self, pairs: &[(&str, &str)]) -> Answer {
        self.post(
            "/token",
            "application/x-www-form-urlencoded",
            &form(pairs),
            &[],
        )
    }

    fn redeem(&self, client: &str, code: &str, verifier: &str) -> Answer {
        self.token(&[
            ("grant_type", "authorization_code"),
            ("client_id", client),
            ("code", code),
            ("redirect_uri", CLIENT_REDIRECT),
            ("code_verifier", verifier),
        ])
    }

    fn mcp(&self, token: &str, session: Option<&str>, msg: Value) -> Answer {
        let auth = format!("Bearer {token}");
        let mut headers = vec![
            ("Authorization", auth.as_str()),
            ("Accept", "application/json, text/event-stream"),
        ];
        if let Some(s) = session {
            headers.push(("Mcp-Session-Id", s));
        }
        self.post("/mcp", "application/json", &msg.to_string(), &headers)
    }

    /// initialize + tools/call with a proxy token; the call's answer.
    fn call(&self, token: &str, tool: &str, args: Value) -> Answer {
        let init = self.mcp(
            token,
            None,
            json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
                "protocolVersion": "2025-06-18", "capabilities": {},
                "clientInfo": {"name": "proxy-test", "version": "1"}}}),
        );
        if init.status != 200 {
            return init;
        }
        let session = init.header("mcp-session-id").unwrap().to_string();
        let note = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
        assert_eq!(self.mcp(token, Some(&session), note).status, 202);
        self.mcp(
            token,
            Some(&session),
            json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call",
                "params": {"name": tool, "arguments": args}}),
        )
    }

    fn sandbox_log(&self) -> Vec<Value> {
        let a = self.get(&format!("{}/__sandbox/requests", self.sandbox));
        serde_json::from_str::<Value>(&a.body).unwrap()["requests"]
            .as_array()
            .cloned()
            .unwrap()
    }

    fn clear_sandbox_log(&self) {
        self.agent
            .delete(&format!("{}/__sandbox/requests", self.sandbox))
            .call()
            .unwrap();
    }
}

fn ok_result(a: &Answer) -> bool {
    a.status == 200 && a.json()["result"]["isError"] == false
}

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
    let back = p.through_atlassian(&upstream);
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
    let replay = p.token(&[
        ("grant_type", "refresh_token"),
        ("client_id", &client),
        ("refresh_token", &refresh),
    ]);
    assert_eq!(replay.status, 400);
    assert_eq!(replay.json()["error"], "invalid_grant");
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
    let back = p.through_atlassian(&upstream);
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

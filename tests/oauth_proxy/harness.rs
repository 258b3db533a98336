//! The harness of the OAuth proxy tests: the real binary with the proxy on in front of a
//! sandbox, and a plain HTTP client (no redirects followed, cookies by hand) that plays the
//! MCP client and the user's browser: registration, the consent page, the way through the
//! sandbox's instant approval (carrying the sign-in's cookie back to the callback, as a browser
//! does), the token endpoint, MCP calls with a proxy token, and the
//! sandbox's request log. Also the PKCE and URL helpers the tests share.
use ring::digest::{SHA256, digest};
use serde_json::{Value, json};
use std::process::{Command, Stdio};

use crate::support::{Proc, free_port, sandbox, scratch, wait_port};

pub fn b64url(data: &[u8]) -> String {
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

pub fn challenge(verifier: &str) -> String {
    b64url(digest(&SHA256, verifier.as_bytes()).as_ref())
}

pub fn enc(s: &str) -> String {
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

pub fn dec(s: &str) -> String {
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

pub fn form(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// A query parameter of a URL.
pub fn param(url: &str, name: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    query
        .split('&')
        .filter_map(|p| p.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| dec(v))
}

pub const VERIFIER: &str = "a-proper-pkce-verifier-of-enough-length-0123456789";
pub const CLIENT_REDIRECT: &str = "http://localhost:9/cb";

/// An answer: status, lower-cased headers, body.
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
    /// Every value of a header sent more than once (`set-cookie`).
    pub fn headers_all(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }
    /// `name=value` of every cookie this answer sets (not those it clears), for a `Cookie`
    /// header.
    pub fn cookies(&self) -> String {
        self.headers_all("set-cookie")
            .into_iter()
            .filter(|c| !c.contains("Max-Age=0"))
            .filter_map(|c| c.split(';').next())
            .collect::<Vec<_>>()
            .join("; ")
    }
    pub fn json(&self) -> Value {
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
pub struct Proxy {
    _server: Proc,
    _sandbox: Proc,
    pub sandbox: String,
    pub base: String,
    pub agent: ureq::Agent,
}

impl Proxy {
    pub fn start(flavour: &str, extra: &[(&str, &str)]) -> Proxy {
        Self::start_with(flavour, extra, |_| Vec::new())
    }

    /// Like [`Proxy::start`], with more settings made from the sandbox's URL.
    pub fn start_with(
        flavour: &str,
        extra: &[(&str, &str)],
        derived: impl Fn(&str) -> Vec<(&'static str, String)>,
    ) -> Proxy {
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
        cmd.envs(derived(&sb));
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

    pub fn answer(mut resp: ureq::http::Response<ureq::Body>) -> Answer {
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

    pub fn get(&self, url: &str) -> Answer {
        let url = if url.starts_with("http") {
            url.to_string()
        } else {
            format!("{}{url}", self.base)
        };
        Self::answer(self.agent.get(&url).call().unwrap())
    }

    pub fn post(
        &self,
        path: &str,
        content_type: &str,
        body: &str,
        headers: &[(&str, &str)],
    ) -> Answer {
        let mut req = self
            .agent
            .post(&format!("{}{path}", self.base))
            .content_type(content_type);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        Self::answer(req.send(body).unwrap())
    }

    /// The status of a GET of `path` sent with the `Host` header `host` (raw HTTP/1.1).
    pub fn status_with_host(&self, method: &str, path: &str, host: &str) -> u16 {
        use std::io::{Read, Write};
        let addr = self.base.trim_start_matches("http://");
        let mut s = std::net::TcpStream::connect(addr).unwrap();
        let head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        );
        s.write_all(head.as_bytes()).unwrap();
        let mut out = String::new();
        let _ = s.read_to_string(&mut out);
        out.split(' ')
            .nth(1)
            .and_then(|c| c.parse().ok())
            .unwrap_or(0)
    }

    pub fn register(&self, meta: Value) -> Answer {
        self.post("/register", "application/json", &meta.to_string(), &[])
    }

    /// A public client allowed both grants.
    pub fn public_client(&self) -> String {
        let a = self.register(json!({
            "redirect_uris": [CLIENT_REDIRECT], "token_endpoint_auth_method": "none",
            "grant_types": ["authorization_code", "refresh_token"], "client_name": "Test <client>",
        }));
        assert_eq!(a.status, 201, "{}", a.body);
        a.json()["client_id"].as_str().unwrap().to_string()
    }

    pub fn authorize_url(&self, client: &str, state: &str) -> String {
        format!(
            "/authorize?response_type=code&client_id={client}&redirect_uri={}&state={state}\
             &code_challenge={}&code_challenge_method=S256",
            enc(CLIENT_REDIRECT),
            challenge(VERIFIER)
        )
    }

    /// The consent page's CSRF token and cookie.
    pub fn consent_page(&self, client: &str, state: &str) -> (String, String) {
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

    pub fn get_with(&self, url: &str, headers: &[(&str, &str)]) -> Answer {
        let mut req = self.agent.get(url);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        Self::answer(req.call().unwrap())
    }

    /// The browser from `from` (our redirect to Atlassian's authorize URL) through Atlassian
    /// back to our callback, bringing `cookie`: the callback's answer.
    pub fn callback_with(&self, from: &Answer, cookie: Option<&str>) -> Answer {
        let upstream = from.header("location").unwrap();
        assert!(upstream.starts_with(&self.sandbox), "{upstream}");
        let back = self.get(upstream);
        assert_eq!(back.status, 302, "{}", back.body);
        let callback = back.header("location").unwrap().to_string();
        assert!(
            callback.starts_with(&format!("{}/callback?", self.base)),
            "{callback}"
        );
        self.get_with(
            &callback,
            &cookie.map(|c| vec![("Cookie", c)]).unwrap_or_default(),
        )
    }

    /// The browser from `from` (our redirect to Atlassian) to the client's redirect, with the
    /// cookie `from` set: returns that redirect.
    pub fn through_atlassian(&self, from: &Answer) -> String {
        let cookies = from.cookies();
        assert!(cookies.contains("mcp_oauth_flight_"), "{cookies}");
        let done = self.callback_with(from, Some(&cookies));
        assert_eq!(done.status, 302, "{}", done.body);
        done.header("location").unwrap().to_string()
    }

    /// A whole sign-in with consent; the client's code.
    pub fn sign_in(&self, client: &str) -> String {
        let (csrf, cookie) = self.consent_page(client, "st-1");
        let allow = self.post(
            "/authorize",
            "application/x-www-form-urlencoded",
            &form(&[("csrf", &csrf), ("decision", "allow")]),
            &[("Cookie", &cookie)],
        );
        assert_eq!(allow.status, 302, "{}", allow.body);
        let back = self.through_atlassian(&allow);
        assert!(back.starts_with(&format!("{CLIENT_REDIRECT}?")), "{back}");
        assert_eq!(param(&back, "state").as_deref(), Some("st-1"));
        // RFC 9207: the answer names its issuer.
        assert_eq!(param(&back, "iss").as_deref(), Some(self.base.as_str()));
        param(&back, "code").unwrap()
    }

    pub fn token(&self, pairs: &[(&str, &str)]) -> Answer {
        self.post(
            "/token",
            "application/x-www-form-urlencoded",
            &form(pairs),
            &[],
        )
    }

    pub fn redeem(&self, client: &str, code: &str, verifier: &str) -> Answer {
        self.token(&[
            ("grant_type", "authorization_code"),
            ("client_id", client),
            ("code", code),
            ("redirect_uri", CLIENT_REDIRECT),
            ("code_verifier", verifier),
        ])
    }

    pub fn mcp(&self, token: &str, session: Option<&str>, msg: Value) -> Answer {
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
    pub fn call(&self, token: &str, tool: &str, args: Value) -> Answer {
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

    pub fn sandbox_log(&self) -> Vec<Value> {
        let a = self.get(&format!("{}/__sandbox/requests", self.sandbox));
        serde_json::from_str::<Value>(&a.body).unwrap()["requests"]
            .as_array()
            .cloned()
            .unwrap()
    }

    pub fn clear_sandbox_log(&self) {
        self.agent
            .delete(&format!("{}/__sandbox/requests", self.sandbox))
            .call()
            .unwrap();
    }
}

pub fn ok_result(a: &Answer) -> bool {
    a.status == 200 && a.json()["result"]["isError"] == false
}

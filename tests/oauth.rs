//! OAuth 2.0 end to end against the sandbox, headless: `--oauth-setup` started as a child
//! process, its printed authorize URL followed with a plain HTTP GET (the sandbox approves at
//! once and redirects to the wizard's loopback callback), the token store checked on disk (0700
//! directory, 0600 file, the reference's format), then a stdio server started with the
//! variables the wizard printed: it uses the stored tokens, refreshes them once when the
//! sandbox expires them (also under concurrent Jira and Confluence calls, with the sandbox's
//! rotating refresh tokens), refreshes ahead within five minutes of expiry, and answers a
//! revoked token with the hint to run the wizard again. Both flavours (Cloud 3LO, Server/DC
//! application links). Also scoped Cloud API tokens through the gateway.

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::{Proc, free_port, scratch};

struct Sandbox {
    _proc: Proc,
    base: String,
}

impl Sandbox {
    fn start(flavour: &str) -> Sandbox {
        let mut child = Command::new(env!("CARGO_BIN_EXE_atlassian-sandbox"))
            .args(["--port", "0", "--flavour", flavour])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let base = line.trim().trim_start_matches("listening on ").to_string();
        assert!(base.starts_with("http://127.0.0.1:"), "{line:?}");
        Sandbox {
            _proc: Proc(child),
            base,
        }
    }
    fn get(&self, path: &str) -> String {
        ureq::get(&format!("{}{path}", self.base))
            .call()
            .unwrap()
            .into_body()
            .read_to_string()
            .unwrap()
    }
    fn post(&self, path: &str) {
        ureq::post(&format!("{}{path}", self.base))
            .send_empty()
            .unwrap();
    }
    fn env(&self) -> Vec<(String, String)> {
        self.get("/__sandbox/env?user=alice")
            .lines()
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }
    fn requests(&self) -> Vec<Value> {
        let v: Value = serde_json::from_str(&self.get("/__sandbox/requests")).unwrap();
        v["requests"].as_array().cloned().unwrap_or_default()
    }
    fn clear_log(&self) {
        ureq::delete(&format!("{}/__sandbox/requests", self.base))
            .call()
            .unwrap();
    }
    /// `(status, path)` of every token endpoint request logged.
    fn token_requests(&self) -> Vec<(u64, String)> {
        self.requests()
            .iter()
            .filter(|r| {
                r["method"] == "POST" && r["path"].as_str().unwrap_or("").ends_with("token")
            })
            .map(|r| {
                (
                    r["status"].as_u64().unwrap_or(0),
                    r["path"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect()
    }
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn mcp(env: &[(String, String)], home: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_mcp-atlassian"));
    cmd.env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("HOME", home)
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .current_dir(home);
    cmd
}

/// Run the wizard, follow its URL like a browser; `(exit code, stdout, stderr)`.
fn wizard(env: &[(String, String)], home: &Path, follow: bool) -> (i32, String, String) {
    let mut child = mcp(env, home)
        .args(["--oauth-setup", "--no-browser"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut seen = String::new();
    let mut line = String::new();
    while stderr.read_line(&mut line).unwrap() > 0 {
        seen.push_str(&line);
        let url = line.trim();
        if follow && url.starts_with("http") && url.contains("client_id=") {
            // The sandbox approves at once and redirects to the wizard's callback.
            let page = ureq::get(url).call().unwrap().into_body().read_to_string();
            assert!(page.unwrap().contains("Signed in"));
        }
        line.clear();
    }
    let mut out = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    let code = child.wait().unwrap().code().unwrap_or(-1);
    (code, out, seen)
}

/// The `NAME=value` lines of the wizard's summary, with the secret filled in.
fn printed_vars(out: &str, secret: &str) -> Vec<(String, String)> {
    out.lines()
        .filter_map(|l| l.split_once('='))
        .filter(|(k, _)| !k.is_empty() && k.bytes().all(|b| b.is_ascii_uppercase() || b == b'_'))
        .map(|(k, v)| {
            let v = if v == "<the client secret>" {
                secret
            } else {
                v
            };
            (k.to_string(), v.to_string())
        })
        .collect()
}

#[cfg(unix)]
fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

fn read_store(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// A stdio server; calls may be sent in a burst and their answers collected.
struct Server {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    next: u64,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn start(env: &[(String, String)], home: &Path) -> Server {
        let mut child = mcp(env, home)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut s = Server {
            stdin: child.stdin.take().unwrap(),
            stdout: BufReader::new(child.stdout.take().unwrap()),
            child,
            next: 1,
        };
        s.send(
            json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {},
            "clientInfo": {"name": "oauth-test", "version": "1"}}}),
        );
        let init = s.read();
        assert!(init.get("result").is_some(), "{init}");
        s.send(json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));
        s
    }
    fn send(&mut self, msg: Value) {
        writeln!(self.stdin, "{msg}").unwrap();
        self.stdin.flush().unwrap();
    }
    fn read(&mut self) -> Value {
        let mut line = String::new();
        assert!(
            self.stdout.read_line(&mut line).unwrap() > 0,
            "stdout closed"
        );
        serde_json::from_str(&line).unwrap()
    }
    /// Send every call at once, then collect the results in order.
    fn burst(&mut self, calls: &[(&str, Value)]) -> Vec<Value> {
        let first = self.next;
        for (tool, args) in calls {
            let id = self.next;
            self.next += 1;
            self.send(json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
                "params": {"name": tool, "arguments": args}}));
        }
        let mut got = std::collections::BTreeMap::new();
        while got.len() < calls.len() {
            let msg = self.read();
            if let Some(id) = msg.get("id").and_then(Value::as_u64) {
                got.insert(id, msg["result"].clone());
            }
        }
        (first..self.next).map(|id| got[&id].clone()).collect()
    }
    fn call(&mut self, tool: &str, args: Value) -> Value {
        self.burst(&[(tool, args)]).remove(0)
    }
}

fn ok(r: &Value) -> bool {
    r["isError"] == false
}

fn text(r: &Value) -> String {
    r["content"][0]["text"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// Common wizard settings: the sandbox's client, a fresh loopback redirect port, a token
/// directory that does not exist yet.
fn wizard_env(dir: &Path, scope: &str) -> Vec<(String, String)> {
    let redirect = format!("http://localhost:{}/callback", free_port());
    pairs(&[
        ("ATLASSIAN_OAUTH_CLIENT_SECRET", "sandbox-secret"),
        ("ATLASSIAN_OAUTH_REDIRECT_URI", &redirect),
        ("ATLASSIAN_OAUTH_SCOPE", scope),
        (
            "MCP_ATLASSIAN_TOKEN_DIR",
            dir.join("tokens").to_str().unwrap(),
        ),
        ("ATLASSIAN_OAUTH_SETUP_TIMEOUT", "30"),
    ])
}

#[test]
fn cloud_wizard_store_refresh_and_revocation() {
    let sb = Sandbox::start("cloud");
    let home = scratch("oauth-cloud");
    let gateway = sb.base.replace("://127.0.0.1:", "://localhost:");
    let mut env = wizard_env(
        &home,
        "read:jira-work write:jira-work read:confluence-content.all offline_access",
    );
    env.extend(pairs(&[
        ("ATLASSIAN_OAUTH_CLIENT_ID", "sandbox-client"),
        ("ATLASSIAN_OAUTH_AUTH_URL", &sb.base),
        ("ATLASSIAN_API_GATEWAY_URL", &gateway),
    ]));
    let (code, out, err) = wizard(&env, &home, true);
    assert_eq!(code, 0, "{err}\n{out}");
    assert!(
        err.contains("code_challenge_method=S256") && err.contains("prompt=consent"),
        "{err}"
    );

    // The store: the reference's format, owner-only modes.
    let info: Value = serde_json::from_str(&sb.get("/__sandbox/info")).unwrap();
    let cloud_id = info["cloud_id"].as_str().unwrap().to_string();
    let file = home.join("tokens/oauth-sandbox-client.json");
    let stored = read_store(&file);
    assert_eq!(stored["cloud_id"], cloud_id.as_str());
    assert!(stored["access_token"].is_string() && stored["refresh_token"].is_string());
    assert!(stored["expires_at"].as_f64().unwrap() > 0.0 && stored["base_url"].is_null());
    #[cfg(unix)]
    {
        assert_eq!(mode(&home.join("tokens")), 0o700);
        assert_eq!(mode(&file), 0o600);
    }

    // The server runs on exactly what the wizard printed.
    let vars = printed_vars(&out, "sandbox-secret");
    let names: Vec<&str> = vars.iter().map(|(k, _)| k.as_str()).collect();
    for want in [
        "ATLASSIAN_OAUTH_CLIENT_ID",
        "ATLASSIAN_OAUTH_CLOUD_ID",
        "MCP_ATLASSIAN_TOKEN_DIR",
    ] {
        assert!(names.contains(&want), "{want} not printed: {out}");
    }
    assert!(out.contains("\"mcpServers\""), "{out}");
    let mut s = Server::start(&vars, &home);
    let both = [
        ("jira_get_issue", json!({"issue_key": "WEB-1"})),
        ("confluence_get_page", json!({"page_id": "1002"})),
    ];
    for r in s.burst(&both) {
        assert!(ok(&r), "{r}");
    }

    // Expired at the sandbox: many Jira and Confluence calls at once, one refresh only.
    sb.post("/__sandbox/oauth/expire");
    sb.clear_log();
    let before = read_store(&file)["refresh_token"].clone();
    let calls: Vec<(&str, Value)> = (0..8).map(|i| both[i % 2].clone()).collect();
    for r in s.burst(&calls) {
        assert!(ok(&r), "{r}");
    }
    assert_eq!(sb.token_requests(), vec![(200, "/oauth/token".to_string())]);
    let after = read_store(&file);
    assert_ne!(
        after["refresh_token"], before,
        "the rotated refresh token was saved"
    );
    drop(s);

    // Within five minutes of expiry: refreshed before the request, no 401 first.
    let mut near = after.clone();
    near["expires_at"] = json!(store_now() + 60.0);
    std::fs::write(&file, near.to_string()).unwrap();
    sb.clear_log();
    let mut s = Server::start(&vars, &home);
    assert!(ok(&s.call("jira_get_issue", json!({"issue_key": "WEB-2"}))));
    let log = sb.requests();
    assert_eq!(log[0]["path"], "/oauth/token", "{log:?}");
    assert!(log.iter().all(|r| r["status"] != 401), "{log:?}");

    // Revoked: the tool error says to run the wizard again.
    sb.post("/__sandbox/oauth/revoke");
    let r = s.call("jira_get_issue", json!({"issue_key": "WEB-1"}));
    assert_eq!(r["isError"], true, "{r}");
    assert!(text(&r).contains("--oauth-setup"), "{r}");
}

fn store_now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
}

#[test]
fn server_dc_wizard_and_refresh() {
    let sb = Sandbox::start("server");
    let home = scratch("oauth-dc");
    let site: Vec<(String, String)> = sb
        .env()
        .into_iter()
        .filter(|(k, _)| k == "JIRA_URL" || k == "JIRA_DEPLOYMENT")
        .collect();
    let mut env = wizard_env(&home, "WRITE");
    env.extend(site.clone());
    env.extend(pairs(&[("JIRA_OAUTH_CLIENT_ID", "sandbox-client")]));
    let (code, out, err) = wizard(&env, &home, true);
    assert_eq!(code, 0, "{err}\n{out}");
    assert!(err.contains("/rest/oauth2/latest/authorize?"), "{err}");
    let file = home.join("tokens/oauth-sandbox-client.json");
    let stored = read_store(&file);
    let jira_url = &site.iter().find(|(k, _)| k == "JIRA_URL").unwrap().1;
    assert_eq!(stored["base_url"], jira_url.as_str());
    #[cfg(unix)]
    assert_eq!(mode(&file), 0o600);

    let mut vars = printed_vars(&out, "sandbox-secret");
    assert!(
        vars.iter().any(|(k, _)| k == "JIRA_OAUTH_CLIENT_ID"),
        "{out}"
    );
    vars.extend(site);
    let mut s = Server::start(&vars, &home);
    assert!(ok(&s.call("jira_get_issue", json!({"issue_key": "WEB-1"}))));
    sb.post("/__sandbox/oauth/expire");
    sb.clear_log();
    let r = s.call("jira_get_issue", json!({"issue_key": "WEB-1"}));
    assert!(ok(&r), "{r}");
    assert_eq!(
        sb.token_requests(),
        vec![(200, "/rest/oauth2/latest/token".to_string())]
    );
}

#[test]
fn the_wizard_times_out_and_asks_only_on_a_terminal() {
    let home = scratch("oauth-timeout");
    let sb = Sandbox::start("cloud");
    let mut env = wizard_env(&home, "read:jira-work offline_access");
    env.extend(pairs(&[
        ("ATLASSIAN_OAUTH_CLIENT_ID", "sandbox-client"),
        ("ATLASSIAN_OAUTH_AUTH_URL", &sb.base),
        ("ATLASSIAN_OAUTH_SETUP_TIMEOUT", "1"),
    ]));
    let started = Instant::now();
    let (code, _, err) = wizard(&env, &home, false);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("no sign-in arrived within 1 s"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(!home.join("tokens").exists());

    // No client id and no terminal: a usage error naming the variable, no prompt.
    env.retain(|(k, _)| k != "ATLASSIAN_OAUTH_CLIENT_ID");
    let (code, _, err) = wizard(&env, &home, false);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("ATLASSIAN_OAUTH_CLIENT_ID"), "{err}");
}

#[test]
fn scoped_api_tokens_go_through_the_gateway() {
    let sb = Sandbox::start("cloud");
    let home: PathBuf = scratch("oauth-scoped");
    let mut env: Vec<(String, String)> = sb
        .env()
        .into_iter()
        .filter(|(k, _)| k.starts_with("JIRA_") || k == "ATLASSIAN_API_GATEWAY_URL")
        .collect();
    for (k, v) in env.iter_mut() {
        if k == "JIRA_API_TOKEN" {
            *v = "alice-scoped-token".into();
        }
    }
    // On the site URL a scoped token is refused, as Atlassian does.
    let mut s = Server::start(&env, &home);
    let r = s.call("jira_get_issue", json!({"issue_key": "WEB-1"}));
    assert_eq!(r["isError"], true, "{r}");
    drop(s);
    // Declared scoped: the cloud id comes from /_edge/tenant_info, requests go to the gateway.
    env.push(("JIRA_API_TOKEN_SCOPED".into(), "true".into()));
    sb.clear_log();
    let mut s = Server::start(&env, &home);
    let r = s.call("jira_get_issue", json!({"issue_key": "WEB-1"}));
    assert!(ok(&r), "{r}");
    let info: Value = serde_json::from_str(&sb.get("/__sandbox/info")).unwrap();
    let prefix = format!("/ex/jira/{}/", info["cloud_id"].as_str().unwrap());
    let log = sb.requests();
    assert_eq!(log[0]["path"], "/_edge/tenant_info", "{log:?}");
    assert!(
        log[1..]
            .iter()
            .all(|r| r["path"].as_str().unwrap().starts_with(&prefix)),
        "{log:?}"
    );
}

/// An absolute http(s) URL without a fragment (RFC 9728 §2, §3.3).
fn absolute(url: &str) -> bool {
    (url.starts_with("https://") || url.starts_with("http://")) && !url.contains('#')
}

#[test]
fn protected_resource_metadata_when_callers_bring_tokens() {
    let home = scratch("oauth-prm");
    let port = free_port().to_string();
    let env = pairs(&[
        ("TRANSPORT", "streamable-http"),
        ("HOST", "127.0.0.1"),
        ("PORT", &port),
        ("ATLASSIAN_OAUTH_ENABLE", "true"),
        ("ATLASSIAN_OAUTH_SCOPE", "read:jira-work offline_access"),
    ]);
    let child = mcp(&env, &home)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let _server = Proc(child);
    support::wait_port(port.parse().unwrap());
    let base = format!("http://127.0.0.1:{port}");
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();

    // A call without a token: 401 pointing at the metadata.
    let resp = agent
        .post(&format!("{base}/mcp"))
        .header("Accept", "application/json, text/event-stream")
        .content_type("application/json")
        .send(r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#)
        .unwrap();
    assert_eq!(resp.status(), 401);
    let challenge = resp.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .to_string();
    let wanted = format!("{base}/.well-known/oauth-protected-resource/mcp");
    assert!(challenge.starts_with("Bearer "), "{challenge}");
    assert!(
        challenge.contains(&format!("resource_metadata=\"{wanted}\"")),
        "{challenge}"
    );

    // The document at both well-known paths, with RFC 9728's fields well formed.
    for url in [
        wanted.clone(),
        format!("{base}/.well-known/oauth-protected-resource"),
    ] {
        let mut resp = agent.get(&url).call().unwrap();
        assert_eq!(resp.status(), 200, "{url}");
        let doc: Value = serde_json::from_str(&resp.body_mut().read_to_string().unwrap()).unwrap();
        // `resource` is REQUIRED and is the identifier the well-known URL was built from.
        assert_eq!(doc["resource"], format!("{base}/mcp"), "{doc}");
        let servers = doc["authorization_servers"].as_array().unwrap();
        assert!(!servers.is_empty(), "MCP requires at least one: {doc}");
        assert!(
            servers.iter().all(|s| s.as_str().is_some_and(absolute)),
            "{doc}"
        );
        assert_eq!(servers[0], "https://auth.atlassian.com");
        let methods = doc["bearer_methods_supported"].as_array().unwrap();
        assert!(
            methods
                .iter()
                .all(|m| ["header", "body", "query"].contains(&m.as_str().unwrap()))
        );
        assert_eq!(
            doc["scopes_supported"],
            json!(["read:jira-work", "offline_access"])
        );
        for (k, v) in doc.as_object().unwrap() {
            assert!(!v.is_null(), "{k} is null");
        }
    }
}

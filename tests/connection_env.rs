//! Connection variables honoured end to end: the real binary (`mcp-atlassian call`) against the
//! sandbox through tinyproxy (JIRA_HTTP_PROXY), microsocks (SOCKS_PROXY with a password),
//! NO_PROXY bypassing a dead proxy, JIRA_CUSTOM_HEADERS (used to inject a sandbox fault),
//! JIRA_TIMEOUT, ATLASSIAN_RETRY_TOTAL with Retry-After, and no secret in the most verbose logs.

mod support;
use support::*;

use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// A Server/DC-flavoured sandbox; returns the process, its base URL and bob's environment.
fn sandbox() -> (Proc, String, Vec<(String, String)>) {
    let (proc, base) = support::sandbox("server");
    let env = ureq::get(&format!("{base}/__sandbox/env?user=bob"))
        .call()
        .unwrap()
        .into_body()
        .read_to_string()
        .unwrap();
    let env = env
        .lines()
        .filter_map(|l| {
            l.split_once('=')
                .map(|(k, v)| (k.to_string(), v.to_string()))
        })
        .collect();
    (proc, base, env)
}

fn call(env: &[(String, String)], extra: &[(&str, String)], args: &[&str]) -> Output {
    let dir = std::env::temp_dir().join(format!("mcp-atlassian-connenv-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    Command::new(env!("CARGO_BIN_EXE_mcp-atlassian"))
        .args(args)
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .envs(extra.iter().map(|(k, v)| (*k, v.as_str())))
        .current_dir(&dir)
        .output()
        .unwrap()
}

fn requests(base: &str) -> Vec<Value> {
    let v: Value = serde_json::from_str(
        &ureq::get(&format!("{base}/__sandbox/requests"))
            .call()
            .unwrap()
            .into_body()
            .read_to_string()
            .unwrap(),
    )
    .unwrap();
    v["requests"].as_array().cloned().unwrap_or_default()
}

const GET: &[&str] = &["call", "jira_get_issue", "issue_key=WEB-1"];

#[test]
fn per_product_http_proxy_carries_the_requests() {
    let (_sb, base, env) = sandbox();
    let (_proxy, port, log) = tinyproxy(&scratch("connenv-tinyproxy"));
    // The global proxy is dead; the Jira-specific one works and wins.
    let dead = free_port();
    let out = call(
        &env,
        &[
            ("JIRA_HTTP_PROXY", format!("http://127.0.0.1:{port}")),
            ("HTTP_PROXY", format!("http://127.0.0.1:{dead}")),
        ],
        GET,
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::thread::sleep(Duration::from_millis(200));
    let sandbox_port = base.rsplit(':').next().unwrap();
    assert!(
        std::fs::read_to_string(&log)
            .unwrap_or_default()
            .contains(sandbox_port),
        "request did not go through tinyproxy"
    );
}

#[test]
fn socks_proxy_variable_works_and_no_proxy_bypasses() {
    let (_sb, _base, env) = sandbox();
    let port = free_port();
    let _socks = Proc(
        Command::new("microsocks")
            .args([
                "-i",
                "127.0.0.1",
                "-p",
                &port.to_string(),
                "-u",
                "u1",
                "-P",
                "pw1",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("microsocks"),
    );
    wait_port(port);
    let ok = call(
        &env,
        &[("SOCKS_PROXY", format!("socks5://u1:pw1@127.0.0.1:{port}"))],
        GET,
    );
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let bad = call(
        &env,
        &[("SOCKS_PROXY", format!("socks5://u1:nope@127.0.0.1:{port}"))],
        GET,
    );
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("could not connect"));
    let dead = free_port();
    let bypass = call(
        &env,
        &[
            ("HTTP_PROXY", format!("http://127.0.0.1:{dead}")),
            ("NO_PROXY", "localhost,127.0.0.1".into()),
        ],
        GET,
    );
    assert_eq!(
        bypass.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&bypass.stderr)
    );
}

#[test]
fn custom_headers_timeout_and_retries() {
    let (_sb, base, env) = sandbox();
    // The custom header reaches the sandbox: here it asks for 3 s of latency, and the 1 s
    // timeout cuts the call short.
    let start = Instant::now();
    let out = call(
        &env,
        &[
            ("JIRA_CUSTOM_HEADERS", "X-Sandbox-Fault=latency=3s".into()),
            ("JIRA_TIMEOUT", "1".into()),
        ],
        GET,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("did not answer in time"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(start.elapsed() < Duration::from_secs(3));

    // One 429 with Retry-After, then success, with retries on.
    ureq::delete(&format!("{base}/__sandbox/requests"))
        .call()
        .unwrap();
    let rule = json!({"fault": "429;retry-after=1", "path": "/rest/api/2/issue", "count": 1});
    ureq::post(&format!("{base}/__sandbox/faults"))
        .header("Content-Type", "application/json")
        .send(rule.to_string())
        .unwrap();
    let out = call(&env, &[("ATLASSIAN_RETRY_TOTAL", "2".into())], GET);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(requests(&base).len(), 2, "one 429, one retry");

    // Without retries the 429 is reported with the wait time.
    ureq::post(&format!("{base}/__sandbox/faults"))
        .header("Content-Type", "application/json")
        .send(
            json!({"fault": "429;retry-after=7", "path": "/rest/api/2/issue", "count": 1})
                .to_string(),
        )
        .unwrap();
    let out = call(&env, &[], GET);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("Wait 7 s"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn no_secret_in_the_most_verbose_logs() {
    let (_sb, _base, env) = sandbox();
    let token = env
        .iter()
        .find(|(k, _)| k == "JIRA_PERSONAL_TOKEN")
        .map(|(_, v)| v.clone())
        .unwrap();
    let out = call(
        &env,
        &[
            ("RUST_LOG", "trace".into()),
            ("JIRA_CUSTOM_HEADERS", "X-Api-Key=hdr-secret-77".into()),
            (
                "HTTPS_PROXY",
                "http://puser:proxy-secret-55@127.0.0.1:1".into(),
            ),
        ],
        &["-vv", "call", "jira_get_issue", "issue_key=WEB-1"],
    );
    let logs = String::from_utf8_lossy(&out.stderr);
    assert!(
        logs.contains("DEBUG") || logs.contains("TRACE"),
        "verbose logs expected"
    );
    for secret in [token.as_str(), "hdr-secret-77", "proxy-secret-55"] {
        let leaks: Vec<&str> = logs.lines().filter(|l| l.contains(secret)).collect();
        assert!(leaks.is_empty(), "{secret} leaked into the logs: {leaks:?}");
    }
}

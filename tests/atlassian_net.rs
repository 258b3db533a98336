//! The HTTP client through real network parts on loopback: tinyproxy (HTTP CONNECT proxy),
//! microsocks (SOCKS5 with a password), and a TLS server with a private CA made by openssl.
//! `make test` installs them (Debian packages tinyproxy-bin, microsocks, openssl); when they are
//! missing these tests fail with the package to install rather than pass silently.

mod support;
use support::*;

use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use mcp_atlassian::atlassian::{
    Client, ClientOptions, Credentials, Deployment, HttpError, Limiter, Product, ProxyRules,
    TlsOptions,
};

/// A plain HTTP stub answering every request with a small JSON body.
fn stub() -> String {
    let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
    let base = format!("http://{}", server.server_addr().to_ip().unwrap());
    std::thread::spawn(move || {
        for req in server.incoming_requests() {
            let _ = req.respond(tiny_http::Response::from_string(r#"{"ok":true}"#));
        }
    });
    base
}

fn client(base: &str, proxy: ProxyRules, tls: TlsOptions) -> Client {
    let mut opts = ClientOptions::new(Product::Jira, Deployment::ServerDc, base, Credentials::None);
    opts.proxy = proxy;
    opts.tls = tls;
    opts.timeout = Duration::from_secs(10);
    Client::new(opts, Arc::new(Limiter::unlimited())).unwrap()
}

#[test]
fn http_connect_proxy_is_used_and_no_proxy_bypasses_it() {
    let dir = scratch("tinyproxy");
    let (_proxy, port, log) = tinyproxy(&dir);
    let target = stub();
    let target_port = target.rsplit(':').next().unwrap().to_string();
    let rules = ProxyRules {
        http: Some(format!("http://127.0.0.1:{port}")),
        ..ProxyRules::default()
    };
    let v = client(&target, rules.clone(), TlsOptions::default())
        .get("/a")
        .send_json()
        .unwrap();
    assert_eq!(v["ok"], true);
    std::thread::sleep(Duration::from_millis(200));
    let seen = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(
        seen.contains(&target_port),
        "tinyproxy did not carry the request:\n{seen}"
    );

    let bypass = ProxyRules {
        no_proxy: vec!["127.0.0.0/8".into()],
        ..rules
    };
    let before = std::fs::read_to_string(&log)
        .unwrap_or_default()
        .matches(&target_port)
        .count();
    client(&target, bypass, TlsOptions::default())
        .get("/b")
        .send_json()
        .unwrap();
    std::thread::sleep(Duration::from_millis(200));
    let after = std::fs::read_to_string(&log)
        .unwrap_or_default()
        .matches(&target_port)
        .count();
    assert_eq!(before, after, "NO_PROXY must bypass the proxy");
}

#[test]
fn socks5_proxy_with_password() {
    need("microsocks", "microsocks");
    let port = free_port();
    let _socks = Proc(
        Command::new("microsocks")
            .args([
                "-i",
                "127.0.0.1",
                "-p",
                &port.to_string(),
                "-u",
                "bob",
                "-P",
                "s3cret",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    wait_port(port);
    let target = stub();
    let good = ProxyRules {
        all: Some(format!("socks5://bob:s3cret@127.0.0.1:{port}")),
        ..ProxyRules::default()
    };
    assert_eq!(
        client(&target, good, TlsOptions::default())
            .get("/a")
            .send_json()
            .unwrap()["ok"],
        true
    );
    let bad = ProxyRules {
        all: Some(format!("socks5://bob:wrong@127.0.0.1:{port}")),
        ..ProxyRules::default()
    };
    let err = client(&target, bad, TlsOptions::default())
        .get("/a")
        .send()
        .unwrap_err();
    assert!(matches!(err, HttpError::Connect { .. }), "{err:?}");
}

#[test]
fn dead_proxy_is_a_connect_error() {
    let dead = free_port();
    let rules = ProxyRules {
        http: Some(format!("http://127.0.0.1:{dead}")),
        ..ProxyRules::default()
    };
    let err = client(&stub(), rules, TlsOptions::default())
        .get("/a")
        .send()
        .unwrap_err();
    assert!(matches!(err, HttpError::Connect { .. }), "{err:?}");
}

#[test]
fn private_ca_bundle_adds_trust_and_verification_can_be_disabled() {
    let dir = scratch("tls");
    make_ca(&dir, "mcp-atlassian test CA");
    let port = free_port();
    let _server = tls_server(&dir, port, &[]);
    wait_port(port);
    let base = format!("https://127.0.0.1:{port}");
    let untrusted = client(&base, ProxyRules::default(), TlsOptions::default())
        .get("/")
        .send()
        .unwrap_err();
    assert!(
        untrusted
            .to_string()
            .to_ascii_lowercase()
            .contains("certificate"),
        "{untrusted}"
    );
    let with_ca = TlsOptions {
        ca_bundles: vec![dir.join("ca.pem")],
        ..TlsOptions::default()
    };
    let resp = client(&base, ProxyRules::default(), with_ca)
        .get("/")
        .send()
        .unwrap();
    assert_eq!(resp.status, 200);
    let no_verify = TlsOptions {
        verify: false,
        ..TlsOptions::default()
    };
    assert_eq!(
        client(&base, ProxyRules::default(), no_verify)
            .get("/")
            .send()
            .unwrap()
            .status,
        200
    );
}

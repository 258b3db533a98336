//! `mcp-atlassian doctor` against real failures: a wrong token (a stub site answering 401), a
//! TLS server whose CA is not trusted (openssl s_server with a private CA), and a dead proxy; and
//! a healthy Server/DC stub. Exit code 0 only when everything works.

mod support;
use support::*;

use std::path::PathBuf;
use std::process::{Command, Output};

fn doctor(env: &[(&str, String)]) -> Output {
    let dir = std::env::temp_dir().join(format!("mcp-atlassian-doctor-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_mcp-atlassian"));
    cmd.arg("doctor")
        .env_clear()
        .current_dir(&dir)
        .env("PATH", "/usr/bin:/bin");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

/// A Server/DC-like stub: `/myself` answers 200 only for the right PAT.
fn stub_site() -> String {
    let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
    let base = format!("http://{}", server.server_addr().to_ip().unwrap());
    std::thread::spawn(move || {
        for req in server.incoming_requests() {
            let authed = req
                .headers()
                .iter()
                .any(|h| h.field.equiv("Authorization") && h.value.as_str() == "Bearer right-pat");
            let (status, body) = match (authed, req.url()) {
                (false, _) => (401, r#"{"errorMessages":["You are not authenticated."]}"#),
                (true, u) if u.starts_with("/rest/api/2/myself") => {
                    (200, r#"{"displayName":"Dana Admin","name":"dana"}"#)
                }
                (true, u) if u.starts_with("/rest/api/2/serverInfo") => {
                    (200, r#"{"deploymentType":"Server","version":"10.3.1"}"#)
                }
                _ => (404, "{}"),
            };
            let _ = req.respond(tiny_http::Response::from_string(body).with_status_code(status));
        }
    });
    base
}

fn text(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn healthy_site_passes_and_wrong_token_fails_with_a_fix() {
    let url = stub_site();
    let good = doctor(&[
        ("JIRA_URL", url.clone()),
        ("JIRA_PERSONAL_TOKEN", "right-pat".into()),
    ]);
    let report = text(&good);
    assert_eq!(good.status.code(), Some(0), "{report}");
    assert!(
        report.contains("signed in as Dana Admin") && report.contains("Server 10.3.1"),
        "{report}"
    );

    let bad = doctor(&[
        ("JIRA_URL", url),
        ("JIRA_PERSONAL_TOKEN", "wrong-pat".into()),
    ]);
    let report = text(&bad);
    assert_eq!(bad.status.code(), Some(1), "{report}");
    assert!(
        report.contains("FAIL") && report.contains("401") && report.contains("JIRA_PERSONAL_TOKEN"),
        "{report}"
    );
    assert!(
        !report.contains("wrong-pat"),
        "the token must not be printed"
    );
}

#[test]
fn dead_proxy_is_named() {
    let dead = free_port();
    let out = doctor(&[
        ("JIRA_URL", "http://jira.example.internal:8080".into()),
        ("JIRA_PERSONAL_TOKEN", "x".into()),
        ("HTTP_PROXY", format!("http://user:pw@127.0.0.1:{dead}")),
    ]);
    let report = text(&out);
    assert_eq!(out.status.code(), Some(1), "{report}");
    assert!(
        report.contains("through the proxy") && report.contains("fix:"),
        "{report}"
    );
    assert!(
        !report.contains(":pw@"),
        "proxy password must be masked: {report}"
    );
}

#[test]
fn untrusted_certificate_suggests_a_ca_bundle() {
    let dir: PathBuf =
        std::env::temp_dir().join(format!("mcp-atlassian-doctor-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    make_ca(&dir, "doctor test CA");
    let port = free_port();
    let _server = tls_server(&dir, port, &[]);
    wait_port(port);
    let url = format!("https://127.0.0.1:{port}");
    let base = [
        ("JIRA_URL", url.clone()),
        ("JIRA_PERSONAL_TOKEN", "x".to_string()),
    ];
    let out = doctor(&base);
    let report = text(&out);
    assert_eq!(out.status.code(), Some(1), "{report}");
    assert!(
        report.contains("not trusted") && report.contains("JIRA_CA_BUNDLE"),
        "{report}"
    );
    assert!(
        report.contains("localhost issued by doctor test CA, valid until"),
        "issuer and expiry: {report}"
    );
    // The CA bundle adds the private CA; turning verification off also gets through TLS. The
    // openssl test server is not Jira, so the check after the connection still fails.
    let ca = dir.join("ca.pem").display().to_string();
    for extra in [
        ("JIRA_CA_BUNDLE", ca),
        ("JIRA_SSL_VERIFY", "false".to_string()),
    ] {
        let mut env = base.to_vec();
        env.push(extra.clone());
        let report = text(&doctor(&env));
        assert!(
            report.contains("HTTPS answered") && !report.contains("not trusted"),
            "{extra:?}: {report}"
        );
    }
}

#[test]
fn client_certificate_for_mutual_tls() {
    let dir: PathBuf =
        std::env::temp_dir().join(format!("mcp-atlassian-doctor-mtls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    make_ca(&dir, "doctor test CA");
    let run = |args: &[&str]| openssl(&dir, args);
    run(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        "/CN=mcp-atlassian client",
        "-keyout",
        "client.key",
        "-out",
        "client.csr",
    ]);
    run(&[
        "x509",
        "-req",
        "-in",
        "client.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "2",
        "-out",
        "client-v1.pem",
    ]);
    std::fs::write(dir.join("client.cnf"), "extendedKeyUsage=clientAuth\n").unwrap();
    run(&[
        "x509",
        "-req",
        "-in",
        "client.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        "client.cnf",
        "-out",
        "client.pem",
    ]);
    let port = free_port();
    let _server = tls_server(&dir, port, &["-Verify", "1", "-CAfile", "ca.pem"]);
    wait_port(port);
    let ca = dir.join("ca.pem").display().to_string();
    let base = [
        ("JIRA_URL", format!("https://127.0.0.1:{port}")),
        ("JIRA_CA_BUNDLE", ca),
    ];
    let without = text(&doctor(&base));
    assert!(
        !without.contains("HTTPS answered"),
        "the server demands a client certificate: {without}"
    );
    let mut env = base.to_vec();
    env.push((
        "JIRA_CLIENT_CERT",
        dir.join("client.pem").display().to_string(),
    ));
    env.push((
        "JIRA_CLIENT_KEY",
        dir.join("client.key").display().to_string(),
    ));
    let with = text(&doctor(&env));
    assert!(with.contains("HTTPS answered"), "{with}");
    // An X.509 v1 certificate is refused at start with one line and exit code 2, not a crash.
    env[2].1 = dir.join("client-v1.pem").display().to_string();
    let v1 = doctor(&env);
    assert_eq!(v1.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&v1.stderr).contains("v1 certificate"),
        "{:?}",
        v1
    );
}

/// A stub whose `/myself` always answers 401 and whose serverInfo reports `kind`.
fn stub_reporting(kind: &'static str) -> String {
    let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
    let base = format!("http://{}", server.server_addr().to_ip().unwrap());
    std::thread::spawn(move || {
        for req in server.incoming_requests() {
            let (status, body) = if req.url().starts_with("/rest/api/2/serverInfo") {
                (
                    200,
                    format!(r#"{{"deploymentType":"{kind}","version":"1001.0.0"}}"#),
                )
            } else {
                (
                    401,
                    r#"{"errorMessages":["You are not authenticated."]}"#.to_string(),
                )
            };
            let _ = req.respond(tiny_http::Response::from_string(body).with_status_code(status));
        }
    });
    base
}

#[test]
fn a_credential_that_cannot_fit_the_site_is_named() {
    let cloud = stub_reporting("Cloud");
    let out = doctor(&[
        ("JIRA_URL", cloud),
        ("JIRA_PERSONAL_TOKEN", "some-pat".into()),
    ]);
    let report = text(&out);
    assert_eq!(out.status.code(), Some(1), "{report}");
    assert!(report.contains("the site reports Cloud"), "{report}");
    assert!(
        report.contains("this is a Cloud site, which takes no personal access token"),
        "{report}"
    );
    let server = stub_reporting("Server");
    let out = doctor(&[
        ("JIRA_URL", server),
        ("JIRA_USERNAME", "me@example.com".into()),
        ("JIRA_API_TOKEN", "atl-token".into()),
    ]);
    let report = text(&out);
    assert!(
        report.contains("Server/Data Center site, which takes no Atlassian API token"),
        "{report}"
    );
}

#[test]
fn a_hung_host_ends_within_the_checks_deadline_with_the_right_advice() {
    // Accepts connections and never answers.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for conn in listener.incoming().flatten() {
            held.push(conn);
        }
    });
    let dir = std::env::temp_dir().join(format!("mcp-atlassian-doctor-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let started = std::time::Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_mcp-atlassian"))
        .args(["doctor", "--timeout", "2"])
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("JIRA_URL", format!("http://127.0.0.1:{port}"))
        .env("JIRA_PERSONAL_TOKEN", "x")
        .current_dir(&dir)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Each check is printed when it finishes: the first lines come while the HTTP check waits.
    let mut lines = std::io::BufRead::lines(std::io::BufReader::new(child.stdout.take().unwrap()));
    let first = lines.next().unwrap().unwrap();
    assert_eq!(first, "Jira");
    let site = lines.next().unwrap().unwrap();
    assert!(site.contains("ok") && site.contains("site"), "{site}");
    assert!(child.try_wait().unwrap().is_none(), "still checking");
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    let status = child.wait().unwrap();
    // A bound on a hang, not a speed measurement: without per-check deadlines this took 75 s.
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
    assert_eq!(status.code(), Some(1));
    let report = rest.join("\n");
    assert!(report.contains("accepts connections"), "{report}");
    assert!(
        report.contains("accepted the connection but sent no answer"),
        "{report}"
    );
    assert!(
        !report.contains("TIMEOUT"),
        "a hung host is not a slow one: {report}"
    );
}

#[test]
fn an_https_url_on_a_plain_http_port_says_so() {
    let url = stub_site().replace("http://", "https://");
    let out = doctor(&[
        ("JIRA_URL", url),
        ("JIRA_PERSONAL_TOKEN", "right-pat".into()),
        ("JIRA_TIMEOUT", "5".into()),
    ]);
    let report = text(&out);
    assert_eq!(out.status.code(), Some(1), "{report}");
    assert!(
        report.contains("check that the port speaks HTTPS"),
        "{report}"
    );
    assert!(!report.contains("HTTPS answered"), "{report}");
}

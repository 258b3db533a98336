//! Helpers shared by the integration tests that run real network parts: child processes that
//! die with the test, free loopback ports, waiting for a listener, required Debian programs,
//! scratch directories, and a private CA with a server certificate made by openssl. Also
//! `schema` (a small JSON-schema checker) and `spec_check` (checks the requests logged by the
//! sandbox against Atlassian's official OpenAPI documents), usable from any test binary.
#![allow(dead_code)]

pub mod schema;
pub mod spec_check;

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A child process killed when dropped.
pub struct Proc(pub Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A sandbox of `flavour` (`cloud` or `server`) on a free loopback port: the process (killed when
/// dropped; its stdin stays open with it, so the sandbox also ends with the test process) and its
/// base URL.
pub fn sandbox(flavour: &str) -> (Proc, String) {
    use std::io::{BufRead, BufReader};
    let mut child = Command::new(env!("CARGO_BIN_EXE_atlassian-sandbox"))
        .args(["--port", "0", "--flavour", flavour, "--exit-with-stdin"])
        .stdin(Stdio::piped())
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
    (Proc(child), base)
}

/// A loopback port nothing listens on (right now).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Wait until something accepts connections on the loopback port (at most 10 s).
pub fn wait_port(port: u16) {
    let start = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "nothing listens on {port}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Fail with the package to install when `program` is not on PATH (`make test` installs them).
pub fn need(program: &str, package: &str) {
    let found = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).any(|d| d.join(program).is_file()))
        .unwrap_or(false);
    assert!(
        found,
        "{program} is missing: install the Debian package {package} (make test does)"
    );
}

/// A fresh directory for this test process.
pub fn scratch(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("mcp-atlassian-test-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Run openssl in `dir`, failing the test when it fails.
pub fn openssl(dir: &Path, args: &[&str]) {
    need("openssl", "openssl");
    let ok = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(ok.success(), "openssl {args:?} failed");
}

/// In `dir`: `ca.pem`/`ca.key` (a CA named `ca_name`) and `server.pem`/`server.key` for
/// localhost and 127.0.0.1, signed by it.
pub fn make_ca(dir: &Path, ca_name: &str) {
    let subj = format!("/CN={ca_name}");
    openssl(
        dir,
        &[
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", &subj,
            "-keyout", "ca.key", "-out", "ca.pem",
        ],
    );
    openssl(
        dir,
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            "/CN=localhost",
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
        ],
    );
    std::fs::write(
        dir.join("ext.cnf"),
        "subjectAltName=DNS:localhost,IP:127.0.0.1\n",
    )
    .unwrap();
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "2",
            "-extfile",
            "ext.cnf",
            "-out",
            "server.pem",
        ],
    );
}

/// `openssl s_server` with the certificate made by `make_ca`, plus extra arguments.
pub fn tls_server(dir: &Path, port: u16, extra: &[&str]) -> Proc {
    let port = port.to_string();
    let mut args = vec![
        "s_server",
        "-quiet",
        "-www",
        "-accept",
        &port,
        "-cert",
        "server.pem",
        "-key",
        "server.key",
    ];
    args.extend_from_slice(extra);
    let child = Command::new("openssl")
        .args(&args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    Proc(child)
}

/// tinyproxy (an HTTP CONNECT proxy) on a free loopback port, logging each tunnel to the returned
/// log file, so a test can tell whether a request went through it.
pub fn tinyproxy(dir: &Path) -> (Proc, u16, PathBuf) {
    need("tinyproxy", "tinyproxy-bin");
    let port = free_port();
    let log = dir.join("tinyproxy.log");
    let conf = dir.join("tinyproxy.conf");
    let text = format!(
        "Port {port}\nListen 127.0.0.1\nTimeout 30\nAllow 127.0.0.1\nLogFile \"{}\"\nLogLevel Connect\nMaxClients 10\n",
        log.display()
    );
    std::fs::write(&conf, text).unwrap();
    let child = Command::new("tinyproxy")
        .args(["-d", "-c"])
        .arg(&conf)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_port(port);
    (Proc(child), port, log)
}

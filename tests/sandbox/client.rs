//! Test harness for the sandbox: spawns the real binary (`--port 0`), reads the
//! `listening on ...` line, and talks to it with a deliberately small raw HTTP/1.1 client, so
//! tests see exactly what went over the wire: a connection closed without an answer, a body
//! shorter than its `Content-Length`, chunked bodies, redirects not followed.

#![allow(dead_code)]

use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running sandbox process; killed on drop.
pub struct Sandbox {
    child: Child,
    pub addr: String,
    pub base: String,
    pub flavour: &'static str,
    /// From spawn to the `listening on` line.
    pub startup: Duration,
}

impl Sandbox {
    pub fn start(flavour: &'static str) -> Sandbox {
        let started = Instant::now();
        let mut child = Command::new(env!("CARGO_BIN_EXE_atlassian-sandbox"))
            .args(["--port", "0", "--flavour", flavour])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn atlassian-sandbox");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .expect("read the first stdout line");
        let startup = started.elapsed();
        let base = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_string();
        let addr = base.trim_start_matches("http://").to_string();
        Sandbox {
            child,
            addr,
            base,
            flavour,
            startup,
        }
    }

    pub fn cloud(&self) -> bool {
        self.flavour == "cloud"
    }

    /// The Authorization header that logs `user` in the way this flavour expects
    /// (Cloud: e-mail + API token; Server/DC: personal access token).
    pub fn auth(&self, user: &str) -> String {
        if self.cloud() {
            let domain = match user {
                "mallory" => "contractor.example.org",
                "frank" => "customer.example.net",
                _ => "example.com",
            };
            basic(&format!("{user}@{domain}"), &format!("{user}-api-token"))
        } else {
            format!("Bearer {user}-pat")
        }
    }

    pub fn call(
        &self,
        method: &str,
        path: &str,
        user: Option<&str>,
        body: Option<&Value>,
    ) -> Reply {
        let auth = user.map(|u| self.auth(u));
        let mut headers: Vec<(&str, &str)> = Vec::new();
        if let Some(a) = &auth {
            headers.push(("Authorization", a));
        }
        let bytes = body.map(|b| serde_json::to_vec(b).unwrap());
        if bytes.is_some() {
            headers.push(("Content-Type", "application/json"));
        }
        self.raw(method, path, &headers, bytes.as_deref())
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"))
    }

    pub fn get(&self, path: &str, user: &str) -> Reply {
        self.call("GET", path, Some(user), None)
    }

    pub fn post(&self, path: &str, user: &str, body: &Value) -> Reply {
        self.call("POST", path, Some(user), Some(body))
    }

    pub fn put(&self, path: &str, user: &str, body: &Value) -> Reply {
        self.call("PUT", path, Some(user), Some(body))
    }

    pub fn raw(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
    ) -> std::io::Result<Reply> {
        request(&self.addr, method, path, headers, body)
    }

    /// `POST /__sandbox/reset`: seed state, empty log, no fault rules.
    pub fn reset(&self) {
        let r = self.raw("POST", "/__sandbox/reset", &[], None).unwrap();
        assert_eq!(r.status, 200);
    }

    /// The request log entries after sequence number `since`.
    pub fn log(&self, since: u64) -> Vec<Value> {
        let r = self
            .raw(
                "GET",
                &format!("/__sandbox/requests?since={since}"),
                &[],
                None,
            )
            .unwrap();
        r.json()["requests"].as_array().cloned().unwrap_or_default()
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One HTTP answer as received.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// False when the connection closed before `Content-Length` bytes arrived.
    pub complete: bool,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "status {} body is not JSON ({e}): {}",
                self.status,
                self.text()
            )
        })
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

pub fn basic(user: &str, secret: &str) -> String {
    const T: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let data = format!("{user}:{secret}").into_bytes();
    let mut out = String::new();
    for c in data.chunks(3) {
        let n = (c[0] as u32) << 16
            | (*c.get(1).unwrap_or(&0) as u32) << 8
            | *c.get(2).unwrap_or(&0) as u32;
        for i in 0..4 {
            out.push(if i <= c.len() {
                T[(n >> (18 - 6 * i) & 63) as usize] as char
            } else {
                '='
            });
        }
    }
    format!("Basic {out}")
}

/// Sends one request on a fresh connection (`Connection: close`) and reads the whole answer.
/// An error means the connection ended before a status line arrived.
pub fn request(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&[u8]>,
) -> std::io::Result<Reply> {
    let mut s = TcpStream::connect(addr)?;
    s.set_read_timeout(Some(Duration::from_secs(20)))?;
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    let body = body.unwrap_or(&[]);
    head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    s.write_all(head.as_bytes())?;
    s.write_all(body)?;
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    parse(&raw)
}

fn parse(raw: &[u8]) -> std::io::Result<Reply> {
    let eof = || {
        std::io::Error::new(
            std::io::ErrorKind::UnexpectedEof,
            "connection closed without a response",
        )
    };
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(eof)?;
    let head = String::from_utf8_lossy(&raw[..end]).into_owned();
    let mut lines = head.split("\r\n");
    let status: u16 = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|c| c.parse().ok())
        .ok_or_else(eof)?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let rest = &raw[end + 4..];
    let find = |n: &str| {
        headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(n))
            .map(|(_, v)| v.clone())
    };
    let (body, complete) = if find("Transfer-Encoding").is_some_and(|v| v.contains("chunked")) {
        dechunk(rest)
    } else if let Some(len) = find("Content-Length").and_then(|v| v.parse::<usize>().ok()) {
        (rest[..rest.len().min(len)].to_vec(), rest.len() >= len)
    } else {
        (rest.to_vec(), true)
    };
    Ok(Reply {
        status,
        headers,
        body,
        complete,
    })
}

fn dechunk(mut data: &[u8]) -> (Vec<u8>, bool) {
    let mut out = Vec::new();
    loop {
        let Some(eol) = data.windows(2).position(|w| w == b"\r\n") else {
            return (out, false);
        };
        let size =
            usize::from_str_radix(String::from_utf8_lossy(&data[..eol]).trim(), 16).unwrap_or(0);
        data = &data[eol + 2..];
        if size == 0 {
            return (out, true);
        }
        if data.len() < size {
            out.extend_from_slice(data);
            return (out, false);
        }
        out.extend_from_slice(&data[..size]);
        data = data.get(size + 2..).unwrap_or(&[]);
    }
}

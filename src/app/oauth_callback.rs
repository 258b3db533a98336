//! The setup wizard's side of the browser redirect: a one-shot HTTP listener on the redirect
//! URI's port, bound to loopback only (both `127.0.0.1` and `::1` for `localhost`), that waits
//! for the one request carrying the authorization code (other paths get 404, a wrong `state`
//! gets 400 and the wait goes on), answers it with a short page and closes. Also the small
//! terminal helpers of the wizard: opening a browser, prompting on stderr.

use std::io::{self, BufRead, IsTerminal, Read, Write};
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, TcpStream};
use std::time::{Duration, Instant};

/// Where the redirect arrives: the listeners and the path to expect.
pub struct Callback {
    listeners: Vec<TcpListener>,
    path: String,
}

/// What the redirect brought.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    Code(String),
    /// The authorization server's `error` (and `error_description`).
    Refused(String),
}

/// `scheme, host, port, path` of an http URL.
fn split(uri: &str) -> Option<(String, String, u16, String)> {
    let (scheme, rest) = uri.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    let (authority, path) = match rest.find(['/', '?', '#']) {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let path = path.split(['?', '#']).next().unwrap_or("/");
    let path = if path.is_empty() { "/" } else { path };
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(':') && p.bytes().all(|b| b.is_ascii_digit()) => {
            (h, p.parse().ok()?)
        }
        _ => (authority, if scheme == "https" { 443 } else { 80 }),
    };
    Some((scheme, host.to_ascii_lowercase(), port, path.to_string()))
}

impl Callback {
    /// Listen for `redirect_uri`; an error says why the wizard cannot receive it (not http,
    /// not a loopback host, the port in use).
    pub fn bind(redirect_uri: &str) -> Result<Callback, String> {
        let Some((scheme, host, port, path)) = split(redirect_uri) else {
            return Err(format!("{redirect_uri} is not an http URL"));
        };
        let addrs: Vec<SocketAddr> = match host.trim_start_matches('[').trim_end_matches(']') {
            _ if scheme != "http" => Vec::new(),
            "localhost" => vec![
                (Ipv4Addr::LOCALHOST, port).into(),
                (Ipv6Addr::LOCALHOST, port).into(),
            ],
            h => match h.parse::<std::net::IpAddr>() {
                Ok(ip) if ip.is_loopback() => vec![(ip, port).into()],
                _ => Vec::new(),
            },
        };
        if addrs.is_empty() {
            return Err(format!(
                "the redirect URI {redirect_uri} is not http on localhost, 127.0.0.1 or [::1], so the wizard cannot receive the browser's redirect; register such a URI (e.g. http://localhost:8080/callback) for the app"
            ));
        }
        let mut listeners = Vec::new();
        let mut last = None;
        for addr in addrs {
            match TcpListener::bind(addr) {
                Ok(l) => listeners.push(l),
                Err(e) => last = Some(format!("{addr}: {e}")),
            }
        }
        if listeners.is_empty() {
            return Err(format!(
                "cannot listen for the redirect on port {port} ({}); free the port or register another redirect URI",
                last.unwrap_or_default()
            ));
        }
        for l in &listeners {
            l.set_nonblocking(true).map_err(|e| e.to_string())?;
        }
        Ok(Callback { listeners, path })
    }

    /// Wait (at most `timeout`) for the redirect carrying `state`.
    pub fn wait(&self, state: &str, timeout: Duration) -> Result<Outcome, String> {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            let mut idle = true;
            for l in &self.listeners {
                if let Ok((stream, _)) = l.accept() {
                    idle = false;
                    if let Some(outcome) = self.serve(stream, state) {
                        return Ok(outcome);
                    }
                }
            }
            if idle {
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        Err(format!(
            "no sign-in arrived within {} s. Run `mcp-atlassian --oauth-setup` again and finish the sign-in in the browser (ATLASSIAN_OAUTH_SETUP_TIMEOUT sets how long the wizard waits)",
            timeout.as_secs()
        ))
    }

    /// Answer one connection; `Some` when it was the redirect.
    fn serve(&self, mut stream: TcpStream, state: &str) -> Option<Outcome> {
        let _ = stream.set_nonblocking(false);
        let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
        let mut head = Vec::new();
        let mut buf = [0u8; 1024];
        while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 16 * 1024 {
            match stream.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => head.extend_from_slice(&buf[..n]),
            }
        }
        let head = String::from_utf8_lossy(&head);
        let target = head
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("GET "))
            .and_then(|l| l.split(' ').next())
            .unwrap_or("");
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        if path != self.path {
            reply(&mut stream, 404, "Not the sign-in callback.");
            return None;
        }
        let params = parse_query(query);
        let get = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        if get("state").as_deref() != Some(state) {
            reply(
                &mut stream,
                400,
                "This sign-in answer does not belong to the running setup (state mismatch).",
            );
            return None;
        }
        if let Some(error) = get("error") {
            let why = match get("error_description") {
                Some(d) => format!("{error}: {d}"),
                None => error,
            };
            reply(&mut stream, 400, &format!("Sign-in refused ({why})."));
            return Some(Outcome::Refused(why));
        }
        match get("code").filter(|c| !c.is_empty()) {
            Some(code) => {
                reply(
                    &mut stream,
                    200,
                    "Signed in. You can close this window and return to the terminal.",
                );
                Some(Outcome::Code(code))
            }
            None => {
                reply(&mut stream, 400, "The redirect carries no code.");
                None
            }
        }
    }
}

fn reply(stream: &mut TcpStream, status: u16, text: &str) {
    let body = format!(
        "<!doctype html><meta charset=\"utf-8\"><title>mcp-atlassian</title><p>{}</p>",
        text.replace('&', "&amp;").replace('<', "&lt;")
    );
    let reason = match status {
        200 => "OK",
        404 => "Not Found",
        _ => "Bad Request",
    };
    let _ = write!(
        stream,
        "HTTP/1.1 {status} {reason}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\nCache-Control: no-store\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.flush();
}

/// `a=1&b=x%20y` → pairs, percent- and `+`-decoded.
pub fn parse_query(q: &str) -> Vec<(String, String)> {
    let decode = crate::atlassian::percent_decode;
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect()
}

/// Open `url` in the desktop's browser when there is one; false when none was started.
pub fn open_browser(url: &str) -> bool {
    let cmd: Option<(&str, Vec<&str>)> = if cfg!(target_os = "macos") {
        Some(("open", vec![url]))
    } else if cfg!(windows) {
        Some(("rundll32", vec!["url.dll,FileProtocolHandler", url]))
    } else if std::env::var_os("DISPLAY").is_some() || std::env::var_os("WAYLAND_DISPLAY").is_some()
    {
        Some(("xdg-open", vec![url]))
    } else {
        None
    };
    let Some((program, args)) = cmd else {
        return false;
    };
    std::process::Command::new(program)
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .is_ok()
}

/// True when the wizard may ask questions: stdin and stderr are a terminal.
pub fn interactive() -> bool {
    io::stdin().is_terminal() && io::stderr().is_terminal()
}

/// Ask on stderr, read one line from stdin; an empty answer gives `default`.
pub fn prompt(question: &str, default: Option<&str>) -> Option<String> {
    match default {
        Some(d) => eprint!("{question} [{d}]: "),
        None => eprint!("{question}: "),
    }
    let _ = io::stderr().flush();
    let mut line = String::new();
    io::stdin().lock().read_line(&mut line).ok()?;
    let answer = line.trim();
    if answer.is_empty() {
        default.map(str::to_string)
    } else {
        Some(answer.to_string())
    }
}

/// Ask for a secret with the terminal's echo off (through `stty`, when there is one).
pub fn prompt_secret(question: &str) -> Option<String> {
    let stty = |arg: &str| {
        std::fs::File::open("/dev/tty").ok().and_then(|tty| {
            std::process::Command::new("stty")
                .arg(arg)
                .stdin(tty)
                .status()
                .ok()
        })
    };
    let hidden = stty("-echo").is_some_and(|s| s.success());
    let answer = prompt(question, None);
    if hidden {
        let _ = stty("echo");
        eprintln!();
    }
    answer
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirect_uris_and_queries() {
        assert_eq!(
            split("http://localhost:8080/callback?x=1"),
            Some(("http".into(), "localhost".into(), 8080, "/callback".into()))
        );
        assert_eq!(
            split("http://[::1]/cb"),
            Some(("http".into(), "[::1]".into(), 80, "/cb".into()))
        );
        assert_eq!(split("http://127.0.0.1:9").unwrap().3, "/");
        assert_eq!(
            parse_query("code=a%2Fb+c&state=s&x"),
            vec![
                ("code".into(), "a/b c".into()),
                ("state".into(), "s".into()),
                ("x".into(), String::new())
            ]
        );
        assert_eq!(parse_query("a=%zz%4")[0].1, "%zz%4");
        assert!(Callback::bind("https://localhost:1/cb").is_err());
        assert!(Callback::bind("http://example.com:8080/cb").is_err());
    }
}

//! `atlassian-sandbox`: a stateful fake Jira and Confluence on loopback, for tests and `make demo`.
//!
//! One process imitates one deployment flavour: `cloud` (Jira REST v3/v2, Agile, JSM, Confluence
//! `/wiki` v1 and v2, OAuth 2.0, the `api.atlassian.com/ex/...` gateway form) or `server`
//! (Jira Server/DC REST v2 and Confluence Server/DC `/rest/api`, optionally under the `/jira` and
//! `/confluence` context paths). State is seeded from `fixtures/sandbox/*.json` (compiled in) and
//! lives in memory; `POST /__sandbox/reset` restores the seed. The first line on stdout is
//! `listening on http://127.0.0.1:PORT`; everything else goes to stderr.
//!
//! Shape: a front door (our own accept loop, [`net`]) relays each connection to an internal
//! tiny_http server, which lets a fault close a connection mid-response; a fixed pool of workers
//! pulls requests from tiny_http, applies faults, checks credentials, routes and answers.
//! This binary shares no code with the `mcp-atlassian` library it is used to test.

#![forbid(unsafe_code)]

mod auth;
mod confluence;
mod control;
mod cql;
mod faults;
mod fixtures;
mod http;
mod jira;
mod jql;
mod markup;
mod model;
mod net;
mod oauth;
mod query;
mod router;
mod store;
mod time;

use std::io::Write;
use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

/// `Mutex::lock` that ignores poisoning: a handler that panicked (and got a 500) must not take
/// the whole sandbox down with it.
pub trait Locked<T> {
    fn locked(&self) -> std::sync::MutexGuard<'_, T>;
}

impl<T> Locked<T> for std::sync::Mutex<T> {
    fn locked(&self) -> std::sync::MutexGuard<'_, T> {
        self.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Which product family one sandbox process imitates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavour {
    Cloud,
    Server,
}

impl Flavour {
    pub fn name(self) -> &'static str {
        match self {
            Flavour::Cloud => "cloud",
            Flavour::Server => "server",
        }
    }
}

/// Command-line settings.
struct Args {
    host: String,
    port: u16,
    flavour: Flavour,
    fixtures: Option<PathBuf>,
    workers: usize,
    max_connections: usize,
    verbose: bool,
    /// Print `export` lines for this user after the listening line.
    env: Option<String>,
    /// Exit when stdin reaches end of file (the test process that started us is gone).
    exit_with_stdin: bool,
}

const USAGE: &str = "usage: atlassian-sandbox [--port N] [--host ADDR] [--flavour cloud|server] \
[--fixtures DIR] [--workers N] [--max-connections N] [--env USER] [--exit-with-stdin] [--verbose]

A stateful fake Jira + Confluence for tests. --port 0 picks a free port; the first stdout line is
`listening on http://HOST:PORT`; with --env USER, `export` lines that point mcp-atlassian at
the sandbox as that user follow. --exit-with-stdin: exit when stdin closes, so a test harness
that dies (or never drops its handle) leaves no sandbox behind. Control endpoints live under
/__sandbox/ (see README).";

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        host: "127.0.0.1".into(),
        port: 0,
        flavour: Flavour::Cloud,
        fixtures: None,
        workers: 8,
        max_connections: 256,
        verbose: false,
        env: None,
        exit_with_stdin: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let (name, inline) = match flag.split_once('=') {
            Some((n, v)) => (n.to_string(), Some(v.to_string())),
            None => (flag.clone(), None),
        };
        let value = |it: &mut dyn Iterator<Item = String>| {
            inline
                .clone()
                .or_else(|| it.next())
                .ok_or(format!("{name} needs a value"))
        };
        match name.as_str() {
            "--host" => args.host = value(&mut it)?,
            "--port" => {
                let v = value(&mut it)?;
                args.port = v.parse().map_err(|_| format!("--port: bad number {v:?}"))?;
            }
            "--flavour" | "--flavor" => {
                args.flavour = match value(&mut it)?.as_str() {
                    "cloud" => Flavour::Cloud,
                    "server" | "dc" | "datacenter" => Flavour::Server,
                    other => {
                        return Err(format!(
                            "--flavour: expected cloud or server, got {other:?}"
                        ));
                    }
                }
            }
            "--fixtures" => args.fixtures = Some(PathBuf::from(value(&mut it)?)),
            "--workers" => {
                let v = value(&mut it)?;
                args.workers = v
                    .parse()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or("--workers: bad number")?;
            }
            "--max-connections" => {
                let v = value(&mut it)?;
                args.max_connections = v
                    .parse()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or("--max-connections: bad number")?;
            }
            "--verbose" | "-v" => args.verbose = true,
            "--env" => args.env = Some(value(&mut it)?),
            "--exit-with-stdin" => args.exit_with_stdin = true,
            "--help" | "-h" => return Err(String::new()),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(args)
}

fn main() {
    let started = Instant::now();
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) if e.is_empty() => {
            eprintln!("{USAGE}");
            return;
        }
        Err(e) => {
            eprintln!("atlassian-sandbox: {e}\n{USAGE}");
            std::process::exit(2);
        }
    };
    if args.exit_with_stdin {
        std::thread::spawn(|| {
            let mut sink = [0u8; 256];
            let mut stdin = std::io::stdin();
            while matches!(std::io::Read::read(&mut stdin, &mut sink), Ok(n) if n > 0) {}
            std::process::exit(0);
        });
    }
    let seed = match fixtures::load(args.fixtures.as_deref()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("atlassian-sandbox: fixtures: {e}");
            std::process::exit(1);
        }
    };
    let public = match TcpListener::bind((args.host.as_str(), args.port)) {
        Ok(l) => l,
        Err(e) => {
            eprintln!(
                "atlassian-sandbox: cannot listen on {}:{}: {e}",
                args.host, args.port
            );
            std::process::exit(1);
        }
    };
    let addr = public.local_addr().expect("bound socket has an address");
    let inner = tiny_http::Server::http("127.0.0.1:0").expect("internal listener");
    let inner_addr = inner
        .server_addr()
        .to_ip()
        .expect("internal listener is TCP");
    let base_url = format!("http://{}", addr);
    let conns = Arc::new(net::Connections::default());
    let app = Arc::new(router::App::new(
        args.flavour,
        base_url.clone(),
        seed,
        conns.clone(),
        args.verbose,
    ));
    let inner = Arc::new(inner);
    for n in 0..args.workers {
        let (inner, app) = (inner.clone(), app.clone());
        std::thread::Builder::new()
            .name(format!("worker-{n}"))
            .spawn(move || router::worker(&inner, &app))
            .expect("spawn worker");
    }
    let front = {
        let conns = conns.clone();
        let max = args.max_connections;
        std::thread::Builder::new()
            .name("accept".into())
            .spawn(move || net::accept_loop(public, inner_addr, conns, max))
            .expect("spawn accept loop")
    };
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "listening on {base_url}");
    if let Some(user) = &args.env {
        let _ = writeln!(
            out,
            "# mcp-atlassian against this sandbox ({} flavour, as {user}):",
            args.flavour.name()
        );
        for line in control::env(&app, user).lines() {
            let _ = writeln!(out, "export {line}");
        }
        let _ = writeln!(
            out,
            "# control: {base_url}/__sandbox/info, /requests, /reset, /faults (see its README); Ctrl-C stops it"
        );
    }
    let _ = out.flush();
    drop(out);
    eprintln!(
        "atlassian-sandbox: {} flavour on {base_url} (ready in {:.1} ms, {} workers)",
        args.flavour.name(),
        started.elapsed().as_secs_f64() * 1000.0,
        args.workers
    );
    let _ = front.join();
}

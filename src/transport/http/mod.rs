//! The HTTP transports over tiny_http: streamable HTTP (both MCP eras) at the configured path,
//! legacy HTTP+SSE at `/sse` + `/messages`, the `/healthz` and `/readyz` probes, OAuth metadata
//! and, when enabled, the OAuth proxy's endpoints (`oauth_proxy`).
//!
//! Threads: the door's accept loop and one relay per client connection (`door.rs`, `relay.rs`,
//! capped); tiny_http behind it on a private socket (`inner.rs`); a few dispatchers that take parsed requests from tiny_http, check them
//! and answer everything cheap at once; a bounded queue (full: 503 + `Retry-After`) feeding a
//! fixed worker pool that runs tool calls; one thread per open SSE stream (capped). Shutdown:
//! stop accepting, let queued and running calls finish (bounded wait), close the streams, exit.

mod cors;
mod door;
mod guard;
mod inner;
mod legacy;
mod metadata;
mod oauth_proxy;
mod relay;
mod sessions;
mod streamable;
mod wire;

pub use metadata::ProtectedResource;
pub use oauth_proxy::{ExchangeError, Hidden, OAuthProxy, ProxySettings, Upstream, UpstreamTokens};

use std::collections::HashMap;
use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use crossbeam_channel::{Sender, bounded};
use serde_json::{Value, json};
use tiny_http::{Method, Request};

use crate::mcp::{Discard, Job, Outbox, Server};
use door::{Door, DoorLimits};
use inner::Inner;
use sessions::{HttpSession, SessionLimits, Sessions};
use wire::SseStream;

/// Sizes, caps and timeouts of the HTTP transports.
#[derive(Debug, Clone, Copy)]
pub struct HttpLimits {
    /// Worker threads running tool calls.
    pub workers: usize,
    /// Calls waiting for a worker; beyond it requests get 503.
    pub queue: usize,
    pub max_body: usize,
    pub max_head: usize,
    pub max_connections: usize,
    /// Open connections from one client address (IPv6: one /64) at most.
    pub max_connections_per_peer: usize,
    /// Request bodies held in memory by all connections together, in bytes.
    pub max_buffered: usize,
    /// Open SSE streams (legacy `/sse` streams and call streams) at most.
    pub max_streams: usize,
    /// Legacy `/sse` streams one client address may hold.
    pub max_streams_per_peer: usize,
    pub max_sessions: usize,
    /// Sessions one set of credentials (one owner fingerprint) may hold; beyond it the owner's
    /// least recently used session is closed.
    pub max_sessions_per_owner: usize,
    pub session_idle: Duration,
    /// A session that has not sent `notifications/initialized` by then is dropped.
    pub session_handshake: Duration,
    /// Keep-alive connections waiting longer than this for a request are closed.
    pub idle: Duration,
    /// A whole request head must arrive within this, from its first byte.
    pub head_timeout: Duration,
    /// A whole request body must arrive within this, from the end of its head.
    pub body_timeout: Duration,
    /// One write of a response to the client may stall this long.
    pub io: Duration,
    /// How long shutdown waits for running calls.
    pub drain: Duration,
}

impl Default for HttpLimits {
    fn default() -> Self {
        HttpLimits {
            workers: 8,
            queue: 64,
            max_body: 4 * 1024 * 1024,
            max_head: 32 * 1024,
            max_connections: 256,
            max_connections_per_peer: 64,
            max_buffered: 64 * 1024 * 1024,
            max_streams: 64,
            max_streams_per_peer: 16,
            max_sessions: 10_000,
            max_sessions_per_owner: 100,
            session_idle: Duration::from_secs(30 * 60),
            session_handshake: Duration::from_secs(10),
            idle: Duration::from_secs(60),
            head_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
            io: Duration::from_secs(30),
            drain: Duration::from_secs(30),
        }
    }
}

/// What the HTTP transports serve and how.
#[derive(Debug, Clone, Default)]
pub struct HttpOptions {
    pub host: String,
    pub port: u16,
    /// Streamable HTTP endpoint, e.g. `/mcp`.
    pub path: String,
    /// No sessions: every handshake-era request stands alone (for round-robin balancers).
    pub stateless: bool,
    /// Also serve legacy HTTP+SSE at `/sse` and `/messages`.
    pub legacy_sse: bool,
    /// Origins allowed besides loopback ones (`*`: any).
    pub allowed_origins: Vec<String>,
    /// Lower-case names of request headers handed to tools (besides `x-atlassian-*`).
    pub kept_headers: Vec<String>,
    /// Do not read `Authorization` (a platform in front sets its own).
    pub ignore_authorization: bool,
    /// Refuse (401) requests that bring no credentials.
    pub require_credentials: bool,
    /// The listener is on a loopback address (set by `serve`).
    pub loopback: bool,
    /// Publish RFC 9728 metadata and point 401 answers at it (when callers bring tokens).
    pub protected_resource: Option<ProtectedResource>,
    /// The OAuth authorization server in front of the MCP endpoint (ATLASSIAN_OAUTH_PROXY_ENABLE).
    pub oauth_proxy: Option<Arc<OAuthProxy>>,
    pub limits: HttpLimits,
}

/// Asks a running server to shut down gracefully.
#[derive(Clone, Default)]
pub struct Shutdown(Arc<AtomicBool>);

impl Shutdown {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn trigger(&self) {
        self.0.store(true, Ordering::SeqCst);
    }
    pub fn requested(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
    /// The flag itself, for a signal handler to set.
    pub fn flag(&self) -> Arc<AtomicBool> {
        self.0.clone()
    }
}

/// Where a queued call's answer goes.
enum ReplyTo {
    /// The POST that carried it: JSON, or an SSE stream when `stream`.
    Http {
        req: Box<Request>,
        headers: Vec<(&'static str, String)>,
        stream: bool,
    },
    /// The session's legacy SSE stream.
    Stream,
}

/// A call for the worker pool.
struct Work {
    job: Job,
    session: Arc<HttpSession>,
    reply: ReplyTo,
}

/// State shared by the dispatchers and workers.
struct Http<S: 'static> {
    server: Arc<Server<S>>,
    opts: HttpOptions,
    door: Arc<Door>,
    sessions: Sessions,
    jobs: Sender<Work>,
    /// Calls queued or running.
    active: AtomicUsize,
    streams: AtomicUsize,
    /// Legacy `/sse` streams per client address (`door::peer_key`).
    peer_streams: Mutex<HashMap<IpAddr, usize>>,
    stopping: AtomicBool,
}

impl<S: Send + Sync + 'static> Http<S> {
    /// Queue a call; when the queue is full the call is refused and `Err` carries it back.
    fn enqueue(&self, work: Work) -> Result<(), Box<Work>> {
        self.active.fetch_add(1, Ordering::SeqCst);
        self.jobs.try_send(work).map_err(|e| {
            self.active.fetch_sub(1, Ordering::SeqCst);
            Box::new(e.into_inner())
        })
    }

    /// Take a stream slot; false at the cap.
    fn open_stream(&self) -> bool {
        let max = self.opts.limits.max_streams;
        self.streams
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                (n < max).then_some(n + 1)
            })
            .is_ok()
    }

    fn close_stream(&self) {
        self.streams.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Writes a call's notifications on its SSE response stream.
struct StreamOutbox<'a> {
    sse: Mutex<Option<SseStream>>,
    session: &'a HttpSession,
    /// Cancel the call when the client goes away (no session to deliver a result to later).
    cancel_on_close: bool,
}

impl Outbox for StreamOutbox<'_> {
    fn send(&self, message: Value) {
        self.send_text(message.to_string());
    }

    fn send_text(&self, text: String) {
        let mut sse = self.sse.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(s) = sse.as_mut()
            && s.message(&text).is_err()
        {
            sse.take();
            if self.cancel_on_close {
                log::debug!("client closed the response stream: cancelling the call");
                self.session.mcp.cancel_all();
            }
        }
    }
}

/// Forwards a call's notifications to the session's legacy SSE stream.
struct SessionOutbox<'a>(&'a HttpSession);

impl Outbox for SessionOutbox<'_> {
    fn send(&self, message: Value) {
        self.0.push(message.to_string());
    }

    fn send_text(&self, text: String) {
        self.0.push(text);
    }
}

fn run_work<S: Send + Sync + 'static>(http: &Http<S>, work: Work) {
    let Work {
        job,
        session,
        reply,
    } = work;
    let server = &http.server;
    match reply {
        ReplyTo::Http {
            req,
            headers,
            stream: true,
        } => {
            let hdrs: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let cancel_on_close = !session_is_shared(http, &session);
            let sse = SseStream::open(*req, &hdrs).ok();
            if sse.is_none() && cancel_on_close {
                job.cancel(); // the client is already gone
            }
            let outbox = StreamOutbox {
                sse: Mutex::new(sse),
                session: &session,
                cancel_on_close,
            };
            let reply = server.run(&session.mcp, job, &outbox);
            if let Some(reply) = reply {
                outbox.send_text(reply);
            }
            if let Some(sse) = outbox.sse.into_inner().unwrap_or_else(|e| e.into_inner()) {
                sse.finish();
            }
            http.close_stream();
        }
        ReplyTo::Http { req, headers, .. } => {
            let hdrs: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
            match server.run(&session.mcp, job, &Discard) {
                Some(reply) => wire::json_text(*req, 200, reply, &hdrs),
                None => wire::empty(*req, 202, &hdrs),
            }
        }
        ReplyTo::Stream => {
            if let Some(reply) = server.run(&session.mcp, job, &SessionOutbox(&session)) {
                session.push(reply);
            }
        }
    }
}

/// True for sessions in the table (a client can come back to them).
fn session_is_shared<S: Send + Sync + 'static>(http: &Http<S>, session: &HttpSession) -> bool {
    !session.id.is_empty() && !http.opts.stateless
}

fn handle<S: Send + Sync + 'static>(http: &Arc<Http<S>>, req: Request) {
    let Some(peer) = http.door.client_of(wire::header(&req, door::TICKET_HEADER)) else {
        wire::empty(req, 403, &[]);
        return;
    };
    let url = req.url().to_string();
    let (path, query) = url.split_once('?').unwrap_or((url.as_str(), ""));
    log::debug!("http: {} {path}", req.method());
    let read = matches!(req.method(), Method::Get | Method::Head);
    let mcp_path = path == http.opts.path
        || (http.opts.legacy_sse && matches!(path, "/sse" | "/messages" | "/messages/"));
    if *req.method() == Method::Options && mcp_path {
        cors::preflight(req);
        return;
    }
    match path {
        "/" if read => {
            let body = json!({
                "name": "mcp-atlassian",
                "mcp": http.opts.path,
                "sse": http.opts.legacy_sse.then_some("/sse"),
                "health": "/healthz",
                "ready": "/readyz",
            });
            wire::json(req, 200, &body, &[])
        }
        "/healthz" if read => wire::json(req, 200, &json!({"status": "ok"}), &[]),
        p if read && metadata::is_metadata_path(&http.opts, p) => {
            let doc = metadata::document(&http.opts, &req);
            wire::json(req, 200, &doc, &[("Access-Control-Allow-Origin", "*")])
        }
        "/readyz" if read => {
            if http.stopping.load(Ordering::SeqCst) {
                wire::json(req, 503, &json!({"status": "draining"}), &[])
            } else {
                let body = json!({
                    "status": "ready",
                    "tools": http.server.listed().len(),
                    "connections": http.door.open(),
                    "sessions": http.sessions.len(),
                    "streams": http.streams.load(Ordering::SeqCst),
                });
                wire::json(req, 200, &body, &[])
            }
        }
        p if p == http.opts.path => streamable::handle(http, req),
        p if http
            .opts
            .oauth_proxy
            .as_ref()
            .is_some_and(|o| o.serves(&http.opts, p)) =>
        {
            // The Host rule of the MCP endpoint (DNS rebinding): the consent page and the token
            // endpoint must not be reachable through a name an attacker controls. Origin is
            // not checked: the consent form posts from this server's own page, and the
            // metadata and token endpoints are open to browser clients (CORS).
            let host = wire::header(&req, "Host");
            if let Some(what) = guard::refusal(&http.opts, None, host) {
                log::warn!("OAuth proxy: refused a request with {what} (403)");
                let body = json!({"error": "forbidden", "error_description": format!("{what} is not allowed here")});
                wire::json(req, 403, &body, &[]);
            } else if let Some(proxy) = &http.opts.oauth_proxy {
                proxy.handle(&http.opts, req, p, query, door::peer_key(peer.ip()));
            }
        }
        "/sse" if http.opts.legacy_sse => legacy::open(http, req, peer),
        "/messages" | "/messages/" if http.opts.legacy_sse => {
            let query = query.to_string();
            legacy::post(http, req, &query)
        }
        _ => wire::json(req, 404, &json!({"error": "not found"}), &[]),
    }
}

/// Serve until `shutdown` is triggered; `ready` receives the bound address once listening.
pub fn serve<S: Send + Sync + 'static>(
    server: Arc<Server<S>>,
    mut opts: HttpOptions,
    shutdown: Shutdown,
    ready: impl FnOnce(SocketAddr),
) -> io::Result<()> {
    let listener = TcpListener::bind((opts.host.as_str(), opts.port))?;
    let addr = listener.local_addr()?;
    opts.loopback = addr.ip().is_loopback();
    cors::set(&opts);
    let mut inner = Inner::bind()?;
    let tiny = Arc::new(inner.serve()?);
    let limits = opts.limits;
    let door = Door::new(DoorLimits {
        max_connections: limits.max_connections.max(1),
        max_per_peer: limits.max_connections_per_peer.max(1),
        max_head: limits.max_head,
        max_body: limits.max_body,
        max_buffered: limits.max_buffered.max(limits.max_body),
        idle: limits.idle,
        head: limits.head_timeout,
        body: limits.body_timeout,
        io: limits.io,
    });
    let (jobs, job_rx) = bounded::<Work>(limits.queue.max(1));
    let http = Arc::new(Http {
        server,
        sessions: Sessions::new(SessionLimits {
            max: limits.max_sessions,
            per_owner: limits.max_sessions_per_owner,
            idle: limits.session_idle,
            handshake: limits.session_handshake,
        }),
        door: door.clone(),
        jobs,
        active: AtomicUsize::new(0),
        streams: AtomicUsize::new(0),
        peer_streams: Mutex::new(HashMap::new()),
        stopping: AtomicBool::new(false),
        opts,
    });
    {
        // A PathBuf on Unix, a (Copy) SocketAddr on Windows: clone works for both.
        #[allow(clippy::clone_on_copy)]
        let (door, addr) = (door.clone(), inner.addr.clone());
        thread::Builder::new()
            .name("http-accept".into())
            .spawn(move || door::accept_loop(door, listener, addr))?;
    }
    for n in 0..limits.workers.max(1) {
        let (http, rx) = (http.clone(), job_rx.clone());
        thread::Builder::new()
            .name(format!("worker-{n}"))
            .spawn(move || {
                for work in rx {
                    run_work(&http, work);
                    http.active.fetch_sub(1, Ordering::SeqCst);
                }
            })?;
    }
    for n in 0..4 {
        let (http, tiny) = (http.clone(), tiny.clone());
        thread::Builder::new()
            .name(format!("http-dispatch-{n}"))
            .spawn(move || {
                loop {
                    match tiny.recv_timeout(Duration::from_millis(200)) {
                        Ok(Some(req)) => handle(&http, req),
                        Ok(None) => http.sessions.tick(),
                        Err(e) => {
                            log::error!("HTTP listener failed: {e}");
                            break;
                        }
                    }
                }
            })?;
    }
    ready(addr);
    while !shutdown.requested() {
        thread::sleep(Duration::from_millis(50));
    }
    drain(&http, addr);
    drop(inner); // removes the private socket
    Ok(())
}

/// Graceful stop: refuse new connections, let queued and running calls finish (up to the drain
/// limit), then close streams and sessions, cancelling what is left.
fn drain<S: Send + Sync + 'static>(http: &Http<S>, addr: SocketAddr) {
    log::info!("shutting down: no new connections; waiting for calls in flight");
    http.stopping.store(true, Ordering::SeqCst);
    http.door.stop();
    // Wake the accept loop so it sees the flag.
    let wake = match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => {
            SocketAddr::from((Ipv4Addr::LOCALHOST, addr.port()))
        }
        IpAddr::V6(ip) if ip.is_unspecified() => {
            SocketAddr::from((Ipv4Addr::LOCALHOST, addr.port()))
        }
        _ => addr,
    };
    let _ = TcpStream::connect_timeout(&wake, Duration::from_millis(200));
    let deadline = Instant::now() + http.opts.limits.drain;
    while http.active.load(Ordering::SeqCst) > 0 && Instant::now() < deadline {
        thread::sleep(Duration::from_millis(20));
    }
    let left = http.active.load(Ordering::SeqCst);
    if left > 0 {
        log::warn!("shutdown: {left} call(s) still running after the drain limit; cancelling");
    }
    http.sessions.close_all();
    http.door.drain(Duration::from_secs(2));
}

//! Legacy HTTP+SSE (protocol 2024-11-05, still used by older clients): `GET /sse` opens an event
//! stream whose first event, `endpoint`, names `/messages?sessionId=<id>`; the client POSTs each
//! message there (answered 202) and every response and notification arrives on the stream,
//! with a keep-alive comment every few seconds. Closing the stream ends the session.
//!
//! One client address holds at most `HttpLimits::max_streams_per_peer` streams. A stream's
//! slot is freed soon after its client leaves: the door notices the closed socket within a
//! second and closes the private connection, and the next keep-alive write then fails.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use crossbeam_channel::{RecvTimeoutError, unbounded};
use tiny_http::{Method, Request};

use super::door::{lock, peer_key};
use super::guard;
use super::streamable::refuse;
use super::wire::{self, SseStream, rpc_error};
use super::{Http, ReplyTo, Work};
use crate::mcp::jsonrpc::RpcError;
use crate::mcp::{Caller, Step};

const KEEP_ALIVE: Duration = Duration::from_secs(5);

fn owner(caller: &Option<Arc<Caller>>) -> u64 {
    super::sessions::owner(caller.as_deref())
}

/// Take one of `peer`'s stream slots; false at its limit.
fn take_peer_slot<S>(http: &Http<S>, peer: IpAddr) -> bool {
    let mut m = lock(&http.peer_streams);
    let n = m.entry(peer).or_insert(0);
    if *n >= http.opts.limits.max_streams_per_peer.max(1) {
        return false;
    }
    *n += 1;
    true
}

fn free_peer_slot<S>(http: &Http<S>, peer: IpAddr) {
    let mut m = lock(&http.peer_streams);
    if let Some(n) = m.get_mut(&peer) {
        *n = n.saturating_sub(1);
        if *n == 0 {
            m.remove(&peer);
        }
    }
}

/// `GET /sse`: a new session and its event stream, served by a thread of its own.
pub(super) fn open<S: Send + Sync + 'static>(http: &Arc<Http<S>>, req: Request, peer: SocketAddr) {
    let peer = peer_key(peer.ip());
    if *req.method() == Method::Get && !take_peer_slot(http, peer) {
        let body = rpc_error(
            -32000,
            "Too Many Requests: this client already holds its share of event streams; close one first",
        );
        return wire::json(req, 429, &body, &[("Retry-After", "5")]);
    }
    let guard = PeerSlot {
        http: http.clone(),
        peer,
        held: *req.method() == Method::Get,
    };
    open_stream(http, req, guard);
}

/// A held per-client stream slot, freed when dropped.
struct PeerSlot<S: Send + Sync + 'static> {
    http: Arc<Http<S>>,
    peer: IpAddr,
    held: bool,
}

impl<S: Send + Sync + 'static> Drop for PeerSlot<S> {
    fn drop(&mut self) {
        if self.held {
            free_peer_slot(&self.http, self.peer);
        }
    }
}

fn open_stream<S: Send + Sync + 'static>(http: &Arc<Http<S>>, req: Request, slot: PeerSlot<S>) {
    let caller = match guard::admit(&http.opts, &req) {
        Ok(c) => c,
        Err(refusal) => return refuse(req, refusal),
    };
    if *req.method() != Method::Get {
        let body = rpc_error(
            -32000,
            "Method Not Allowed: GET /sse opens the event stream; POST to the endpoint it names",
        );
        return wire::json(req, 405, &body, &[("Allow", "GET")]);
    }
    if !http.open_stream() {
        let body = rpc_error(-32000, "Service Unavailable: too many open event streams");
        return wire::json(req, 503, &body, &[("Retry-After", "5")]);
    }
    let (tx, rx) = unbounded::<String>();
    let Some(session) = http.sessions.create(owner(&caller), Some(tx)) else {
        http.close_stream();
        let body = rpc_error(-32000, "Service Unavailable: too many open sessions");
        return wire::json(req, 503, &body, &[("Retry-After", "5")]);
    };
    let id = session.id.clone();
    let endpoint = format!("/messages?sessionId={id}");
    let mut sse = match SseStream::open(req, &[]) {
        Ok(s) => s,
        Err(_) => {
            http.sessions.remove(&id);
            http.close_stream();
            return;
        }
    };
    if sse.event("endpoint", &endpoint).is_err() {
        http.sessions.remove(&id);
        http.close_stream();
        return;
    }
    let shared = http.clone();
    let spawned = thread::Builder::new()
        .name("sse-stream".into())
        .stack_size(256 * 1024)
        .spawn(move || {
            loop {
                let ok = match rx.recv_timeout(KEEP_ALIVE) {
                    Ok(message) => sse.message(&message).is_ok(),
                    Err(RecvTimeoutError::Timeout) => {
                        !shared.door.stopping() && sse.keep_alive().is_ok()
                    }
                    Err(RecvTimeoutError::Disconnected) => false,
                };
                if !ok {
                    break;
                }
            }
            sse.finish();
            shared.sessions.remove(&session.id);
            shared.close_stream();
            drop(slot);
        });
    if spawned.is_err() {
        log::error!("cannot start an SSE stream thread");
        http.sessions.remove(&id);
        http.close_stream();
    }
}

/// `POST /messages?sessionId=...`: one message for a session; answers go to its stream.
pub(super) fn post<S: Send + Sync + 'static>(http: &Http<S>, mut req: Request, query: &str) {
    let caller = match guard::admit(&http.opts, &req) {
        Ok(c) => c,
        Err(refusal) => return refuse(req, refusal),
    };
    if *req.method() != Method::Post {
        let body = rpc_error(-32000, "Method Not Allowed: POST messages here");
        return wire::json(req, 405, &body, &[("Allow", "POST")]);
    }
    let id = query.split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=')?;
        (k == "sessionId" || k == "session_id").then_some(v)
    });
    let Some(id) = id else {
        let body = rpc_error(-32000, "Bad Request: sessionId is missing from the query");
        return wire::json(req, 400, &body, &[]);
    };
    let session = match http.sessions.get(id, owner(&caller)) {
        Ok(s) => s,
        Err(_) => {
            let body = rpc_error(-32001, "Session not found: open a new stream at /sse");
            return wire::json(req, 404, &body, &[]);
        }
    };
    let body = match wire::read_body(&mut req, http.opts.limits.max_body) {
        Ok(b) => b,
        Err(true) => {
            let body = rpc_error(-32000, "Content Too Large: the body exceeds 4 MiB");
            return wire::json(req, 413, &body, &[]);
        }
        Err(false) => return wire::empty(req, 400, &[]),
    };
    let Ok(text) = String::from_utf8(body) else {
        let body = rpc_error(-32700, "Parse error: the body is not UTF-8");
        return wire::json(req, 400, &body, &[]);
    };
    match http.server.receive_as(&session.mcp, &text, caller) {
        Step::Done(Some(reply)) => {
            session.push(reply.to_string());
        }
        Step::Done(None) => {}
        Step::Queue(job) => {
            let work = Work {
                job,
                session,
                reply: ReplyTo::Stream,
            };
            if let Err(work) = http.enqueue(work) {
                let Work { job, session, .. } = *work;
                let err =
                    RpcError::new(-32000, "Server busy: too many calls queued; retry shortly");
                session.push(http.server.refuse(&session.mcp, job, &err).to_string());
                let body = rpc_error(-32000, "Service Unavailable: too many calls queued");
                return wire::json(req, 503, &body, &[("Retry-After", "1")]);
            }
        }
    }
    wire::empty(req, 202, &[])
}

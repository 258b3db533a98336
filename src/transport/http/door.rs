//! The front door: our own accept loop on the public port, one relay thread per client
//! connection, and tiny_http behind it on a private loopback listener.
//!
//! tiny_http alone spawns a thread per connection without bound, never times a socket out,
//! reads headers of any size and stops accepting for good after one `accept` error. The door
//! fixes all four: it caps open connections (at the cap it closes the longest-idle keep-alive
//! connection, or answers 503 at once), reads each request head itself with an idle timeout
//! between requests and an I/O timeout inside one, refuses oversized heads (431) and bodies
//! (413) before tiny_http sees a byte, and survives accept errors. Each request then travels on
//! a fresh loopback connection to tiny_http, which parses it and writes the response; the relay
//! copies that response back until tiny_http closes the connection, so an idle client costs one
//! thread and no tiny_http thread at all.

use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread;
use std::time::{Duration, Instant};

/// Connection limits and timeouts of the door.
#[derive(Debug, Clone, Copy)]
pub struct DoorLimits {
    /// Open client connections at most.
    pub max_connections: usize,
    /// Largest request head (request line and headers) in bytes.
    pub max_head: usize,
    /// Largest request body in bytes.
    pub max_body: usize,
    /// How long a keep-alive connection may wait for its next request.
    pub idle: Duration,
    /// How long one read or write inside a request or response may stall.
    pub io: Duration,
}

/// A connection slot: the socket (to close it) and whether it waits between requests.
struct Entry {
    stream: TcpStream,
    /// Since when it has been waiting for a request; `None` while a request is in flight.
    idle_since: Option<Instant>,
    used: bool,
}

/// The door's shared state: live connections and which loopback connection carries whose
/// request.
pub struct Door {
    limits: DoorLimits,
    conns: Mutex<HashMap<u64, Entry>>,
    freed: Condvar,
    /// Relay-side address of the loopback connection → the client's address.
    inner_peers: Mutex<HashMap<SocketAddr, SocketAddr>>,
    next_id: AtomicU64,
    stopping: AtomicBool,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Door {
    pub fn new(limits: DoorLimits) -> Arc<Door> {
        Arc::new(Door {
            limits,
            conns: Mutex::new(HashMap::new()),
            freed: Condvar::new(),
            inner_peers: Mutex::new(HashMap::new()),
            next_id: AtomicU64::new(1),
            stopping: AtomicBool::new(false),
        })
    }

    /// The client behind a request tiny_http received (its `remote_addr`); `None` when the
    /// request did not come through the door (someone connected to the private port).
    pub fn client_of(&self, inner_peer: Option<&SocketAddr>) -> Option<SocketAddr> {
        lock(&self.inner_peers).get(inner_peer?).copied()
    }

    /// Open client connections.
    pub fn open(&self) -> usize {
        lock(&self.conns).len()
    }

    /// Stop accepting; idle connections are closed now, busy ones after their response.
    pub fn stop(&self) {
        self.stopping.store(true, Ordering::SeqCst);
        for e in lock(&self.conns).values() {
            if e.idle_since.is_some() {
                let _ = e.stream.shutdown(Shutdown::Both);
            }
        }
    }

    pub fn stopping(&self) -> bool {
        self.stopping.load(Ordering::SeqCst)
    }

    /// Take a slot for a new connection: at the cap, close the longest-idle connection (one
    /// that never sent a request first) and wait briefly for its slot. False when every
    /// connection is busy.
    fn admit(&self, id: u64, stream: &TcpStream) -> bool {
        let mut conns = lock(&self.conns);
        if conns.len() >= self.limits.max_connections {
            let now = Instant::now();
            let victim = conns
                .iter()
                .filter_map(|(id, e)| {
                    let since = e.idle_since?;
                    let idle_for = now.duration_since(since);
                    (!e.used || idle_for >= Duration::from_secs(1)).then_some((e.used, since, *id))
                })
                .min();
            let Some((_, _, victim)) = victim else {
                return false;
            };
            if let Some(e) = conns.remove(&victim) {
                log::debug!("connection cap reached: closing an idle connection");
                let _ = e.stream.shutdown(Shutdown::Both);
            }
        }
        let Ok(clone) = stream.try_clone() else {
            return false;
        };
        conns.insert(
            id,
            Entry {
                stream: clone,
                idle_since: Some(Instant::now()),
                used: false,
            },
        );
        true
    }

    fn release(&self, id: u64) {
        lock(&self.conns).remove(&id);
        self.freed.notify_all();
    }

    /// Mark a connection idle (waiting for a request) or busy; false when it was evicted.
    fn set_idle(&self, id: u64, idle: bool) -> bool {
        match lock(&self.conns).get_mut(&id) {
            Some(e) => {
                e.idle_since = idle.then(Instant::now);
                e.used |= !idle;
                true
            }
            None => false,
        }
    }

    /// Wait until every connection has closed, at most `limit`.
    pub fn drain(&self, limit: Duration) -> bool {
        let deadline = Instant::now() + limit;
        let mut conns = lock(&self.conns);
        while !conns.is_empty() {
            let now = Instant::now();
            if now >= deadline {
                return false;
            }
            conns = self
                .freed
                .wait_timeout(conns, deadline - now)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
        true
    }
}

/// Accept clients until the door stops, relaying each to `inner`.
pub fn accept_loop(door: Arc<Door>, listener: TcpListener, inner: SocketAddr) {
    for stream in listener.incoming() {
        if door.stopping() {
            break;
        }
        let stream = match stream {
            Ok(s) => s,
            Err(e) => {
                // Out of descriptors or a connection reset before accept: keep serving.
                log::warn!("accept failed: {e}");
                thread::sleep(Duration::from_millis(20));
                continue;
            }
        };
        let id = door.next_id.fetch_add(1, Ordering::Relaxed);
        if !door.admit(id, &stream) {
            log::warn!("connection cap reached and every connection is busy: answering 503");
            let mut s = stream;
            let _ = s.set_write_timeout(Some(Duration::from_millis(200)));
            let _ = s.write_all(&plain(
                503,
                "server busy, retry shortly",
                &["Retry-After: 1"],
            ));
            continue;
        }
        let d = door.clone();
        let spawned = thread::Builder::new()
            .name("http-conn".into())
            .stack_size(256 * 1024)
            .spawn(move || {
                if let Err(e) = relay(&d, id, stream, inner) {
                    log::debug!("connection ended: {e}");
                }
                d.release(id);
            });
        if spawned.is_err() {
            log::error!("cannot start a connection thread; closing the connection");
            door.release(id);
        }
    }
    log::debug!("accept loop stopped");
}

/// A minimal response the door writes itself; the connection is closed after it.
fn plain(status: u16, text: &str, extra: &[&str]) -> Vec<u8> {
    let reason = match status {
        400 => "Bad Request",
        408 => "Request Timeout",
        411 => "Length Required",
        413 => "Content Too Large",
        431 => "Request Header Fields Too Large",
        503 => "Service Unavailable",
        _ => "Error",
    };
    let body = format!("{{\"error\":{}}}", serde_json::Value::from(text));
    let mut head = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for h in extra {
        head.push_str(h);
        head.push_str("\r\n");
    }
    head.push_str("\r\n");
    head.push_str(&body);
    head.into_bytes()
}

/// What the door needs to know about one request head.
#[derive(Debug, PartialEq)]
struct Head {
    /// The head to forward (an `Expect` header removed).
    bytes: Vec<u8>,
    content_length: usize,
    expect_continue: bool,
    /// The client asked to close after this request (or spoke HTTP/1.0 without keep-alive).
    close: bool,
}

/// Why a head is refused, as the status to answer.
fn parse_head(raw: &[u8], max_body: usize) -> Result<Head, (u16, &'static str)> {
    let text = std::str::from_utf8(raw).map_err(|_| (400, "request head is not UTF-8"))?;
    let mut lines = text.split("\r\n");
    let request_line = lines.next().unwrap_or_default();
    let mut parts = request_line.split(' ');
    let (method, target, version) = (parts.next(), parts.next(), parts.next());
    let http10 = match version {
        Some("HTTP/1.1") => false,
        Some("HTTP/1.0") => true,
        _ => return Err((400, "malformed request line")),
    };
    if method.is_none_or(|m| m.is_empty() || !m.bytes().all(|b| b.is_ascii_uppercase()))
        || target.is_none_or(|t| !t.starts_with('/'))
        || parts.next().is_some()
    {
        return Err((400, "malformed request line"));
    }
    let mut out = Vec::with_capacity(raw.len());
    out.extend_from_slice(request_line.as_bytes());
    out.extend_from_slice(b"\r\n");
    let (mut length, mut expect, mut close, mut keep_alive) = (None, false, http10, false);
    for line in lines.filter(|l| !l.is_empty()) {
        let (name, value) = line.split_once(':').ok_or((400, "malformed header line"))?;
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_graphic()) || !line.is_ascii() {
            return Err((400, "malformed header line"));
        }
        let value = value.trim();
        match name.to_ascii_lowercase().as_str() {
            "content-length" => {
                let n: usize = value.parse().map_err(|_| (400, "bad Content-Length"))?;
                if length.is_some_and(|l| l != n) {
                    return Err((400, "conflicting Content-Length headers"));
                }
                length = Some(n);
            }
            "transfer-encoding" => {
                return Err((
                    411,
                    "chunked request bodies are not accepted; send Content-Length",
                ));
            }
            "expect" => {
                expect = value.eq_ignore_ascii_case("100-continue");
                continue; // the door answers it; tiny_http must not answer again
            }
            "connection" => {
                let v = value.to_ascii_lowercase();
                close |= v.contains("close");
                keep_alive |= v.contains("keep-alive");
            }
            _ => {}
        }
        out.extend_from_slice(line.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"\r\n");
    let content_length = length.unwrap_or(0);
    if content_length > max_body {
        return Err((413, "request body too large"));
    }
    Ok(Head {
        bytes: out,
        content_length,
        expect_continue: expect && content_length > 0,
        close: close && !(http10 && keep_alive),
    })
}

/// Read from `client` into `buf` until it holds a complete head (`\r\n\r\n`); returns its end.
fn read_head(client: &mut TcpStream, buf: &mut Vec<u8>, max: usize) -> io::Result<Option<usize>> {
    let mut chunk = [0u8; 4096];
    let mut scanned: usize = 0;
    loop {
        if let Some(i) = buf[scanned.saturating_sub(3)..]
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
        {
            return Ok(Some(scanned.saturating_sub(3) + i + 4));
        }
        if buf.len() > max {
            return Ok(None);
        }
        scanned = buf.len();
        let n = client.read(&mut chunk)?;
        if n == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

/// Answer with the door's own error and close gracefully: stop writing, then read and drop what
/// the client is still sending (bounded in time and size), so it can read the answer instead of
/// seeing a reset.
fn refuse(client: &mut TcpStream, status: u16, why: &str) -> io::Result<()> {
    client.write_all(&plain(status, why, &[]))?;
    client.shutdown(Shutdown::Write)?;
    let deadline = Instant::now() + Duration::from_secs(2);
    let _ = client.set_read_timeout(Some(Duration::from_millis(200)));
    let mut sink = [0u8; 16 * 1024];
    let mut drained = 0usize;
    while Instant::now() < deadline && drained < 16 * 1024 * 1024 {
        match client.read(&mut sink) {
            Ok(0) => break,
            Ok(n) => drained += n,
            Err(e) if timed_out(&e) => continue,
            Err(_) => break,
        }
    }
    Ok(())
}

fn timed_out(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

/// Serve one client connection: request after request, each on its own loopback connection.
fn relay(door: &Door, id: u64, mut client: TcpStream, inner: SocketAddr) -> io::Result<()> {
    let limits = door.limits;
    let peer = client.peer_addr()?;
    let _ = client.set_nodelay(true);
    client.set_write_timeout(Some(limits.io))?;
    let mut buf: Vec<u8> = Vec::with_capacity(4096);
    loop {
        if door.stopping() {
            return Ok(());
        }
        if buf.is_empty() {
            client.set_read_timeout(Some(limits.idle))?;
            let mut first = [0u8; 4096];
            let n = match client.read(&mut first) {
                Ok(0) => return Ok(()),
                Ok(n) => n,
                Err(e) if timed_out(&e) => return Ok(()), // idle timeout
                Err(e) => return Err(e),
            };
            buf.extend_from_slice(&first[..n]);
        }
        if !door.set_idle(id, false) {
            return Ok(()); // evicted while the request arrived
        }
        client.set_read_timeout(Some(limits.io))?;
        let end = match read_head(&mut client, &mut buf, limits.max_head) {
            Ok(Some(end)) if end <= limits.max_head => end,
            Ok(_) => return refuse(&mut client, 431, "request head too large"),
            Err(e) if timed_out(&e) => {
                client.write_all(&plain(408, "request head not received in time", &[]))?;
                return Ok(());
            }
            Err(e) => return Err(e),
        };
        let head = match parse_head(&buf[..end], limits.max_body) {
            Ok(h) => h,
            Err((status, why)) => return refuse(&mut client, status, why),
        };
        buf.drain(..end);
        let close = forward(door, &mut client, peer, inner, &head, &mut buf)?;
        if close || door.stopping() {
            let _ = client.shutdown(Shutdown::Both);
            return Ok(());
        }
        if !door.set_idle(id, true) {
            return Ok(());
        }
    }
}

/// Send one request to tiny_http and copy its response back; true when the connection must
/// close afterwards.
fn forward(
    door: &Door,
    client: &mut TcpStream,
    peer: SocketAddr,
    inner: SocketAddr,
    head: &Head,
    buf: &mut Vec<u8>,
) -> io::Result<bool> {
    let mut upstream = TcpStream::connect(inner)?;
    let _ = upstream.set_nodelay(true);
    let key = upstream.local_addr()?;
    lock(&door.inner_peers).insert(key, peer);
    let result = (|| -> io::Result<bool> {
        if head.expect_continue {
            client.write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
        }
        upstream.write_all(&head.bytes)?;
        let mut left = head.content_length;
        let take = left.min(buf.len());
        upstream.write_all(&buf[..take])?;
        buf.drain(..take);
        left -= take;
        let mut chunk = [0u8; 16 * 1024];
        while left > 0 {
            let n = match client.read(&mut chunk[..left.min(16 * 1024)]) {
                Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
                Ok(n) => n,
                Err(e) if timed_out(&e) => {
                    client.write_all(&plain(408, "request body not received in time", &[]))?;
                    return Ok(true);
                }
                Err(e) => return Err(e),
            };
            upstream.write_all(&chunk[..n])?;
            left -= n;
        }
        upstream.shutdown(Shutdown::Write)?;
        // The response: everything tiny_http writes until it closes the connection.
        let mut response = upstream.try_clone()?;
        loop {
            let n = response.read(&mut chunk)?;
            if n == 0 {
                break;
            }
            if let Err(e) = client.write_all(&chunk[..n]) {
                let _ = upstream.shutdown(Shutdown::Both);
                return Err(e);
            }
        }
        Ok(head.close)
    })();
    lock(&door.inner_peers).remove(&key);
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heads_are_checked_and_expect_is_removed() {
        let raw =
            b"POST /mcp HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n";
        let h = parse_head(raw, 10).unwrap();
        assert_eq!(h.content_length, 5);
        assert!(h.expect_continue && !h.close);
        assert_eq!(
            h.bytes,
            b"POST /mcp HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n"
        );
        assert_eq!(parse_head(raw, 4).unwrap_err().0, 413);
        let chunked = b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
        assert_eq!(parse_head(chunked, 10).unwrap_err().0, 411);
        assert_eq!(parse_head(b"GET / HTTP/2\r\n\r\n", 10).unwrap_err().0, 400);
        assert_eq!(
            parse_head(b"GET / HTTP/1.1\r\nbad\r\n\r\n", 10)
                .unwrap_err()
                .0,
            400
        );
        assert!(parse_head(b"GET / HTTP/1.0\r\n\r\n", 10).unwrap().close);
        let ka = b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n";
        assert!(!parse_head(ka, 10).unwrap().close);
    }
}

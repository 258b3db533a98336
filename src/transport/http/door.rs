//! The front door: our own accept loop on the public port, the table of open client
//! connections, and what bounds them. tiny_http sits behind it on a private listener
//! (`inner.rs`); each connection is served by a relay thread (`relay.rs`).
//!
//! tiny_http alone spawns a thread per connection without bound, never times a socket out,
//! reads headers of any size and stops accepting for good after one `accept` error. The door
//! caps open connections, in total and per client address (an IPv6 client counts by its /64).
//! At either cap it makes room by closing the connection that costs least to lose: one that
//! never sent a byte, then the longest-idle keep-alive connection, then the one that has spent
//! longest sending a request head or body (slowloris); when none qualifies (all are busy with
//! requests, or too young to judge) it answers 503. Request bodies are held in memory by the relays within a global byte budget,
//! so tiny_http and the dispatchers behind it never wait for a client.

use std::collections::HashMap;
use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::io::Write;
use std::net::{IpAddr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread;
use std::time::{Duration, Instant};

use super::inner::InnerAddr;
use super::relay;

/// The header the door adds to every request it hands to tiny_http (and removes from what
/// clients send): a ticket naming the client connection.
pub const TICKET_HEADER: &str = "X-Mcp-Door";

/// Connection limits and timeouts of the door.
#[derive(Debug, Clone, Copy)]
pub struct DoorLimits {
    /// Open client connections at most.
    pub max_connections: usize,
    /// Open connections from one client address (IPv6: one /64) at most.
    pub max_per_peer: usize,
    /// Largest request head (request line and headers) in bytes.
    pub max_head: usize,
    /// Largest request body in bytes.
    pub max_body: usize,
    /// Request bodies held in memory by all connections together, in bytes.
    pub max_buffered: usize,
    /// How long a keep-alive connection may wait for its next request.
    pub idle: Duration,
    /// How long a whole request head may take, from its first byte.
    pub head: Duration,
    /// How long a whole request body may take, from the end of its head.
    pub body: Duration,
    /// How long one write of a response to the client may stall.
    pub io: Duration,
}

/// Where a connection is in its request cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Waiting for the next request (since).
    Idle(Instant),
    /// Receiving a request head or body (since its first byte).
    Receiving(Instant),
    /// The request is with tiny_http; the response is being relayed.
    Busy,
}

/// A connection slot: the socket (to close it), its client and its phase.
struct Entry {
    stream: TcpStream,
    peer: IpAddr,
    phase: Phase,
    used: bool,
}

/// The door's shared state: live connections, which ticket carries whose request, and the
/// bytes of request bodies held in memory.
pub struct Door {
    pub limits: DoorLimits,
    conns: Mutex<HashMap<u64, Entry>>,
    freed: Condvar,
    /// Ticket of a request with tiny_http → the client's address.
    tickets: Mutex<HashMap<String, SocketAddr>>,
    secret: u64,
    next_id: AtomicU64,
    buffered: AtomicUsize,
    /// Refusals being answered gracefully (`turn_away`).
    refusing: AtomicUsize,
    stopping: AtomicBool,
}

pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The address a per-client limit counts by: IPv4 as is, IPv6 by its /64 (one host usually
/// owns a whole /64), IPv4-mapped IPv6 as IPv4.
pub fn peer_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::from([s[0], s[1], s[2], s[3], 0, 0, 0, 0])
            }
        },
        v4 => v4,
    }
}

/// Eviction classes, cheapest to lose first: a connection that has sent nothing for a moment
/// (a client sends its request right after connecting), a keep-alive connection idle for a
/// second, then the one that has been sending its request longest, once that took over 100 ms
/// (a request head usually arrives in one packet).
fn victim_rank(e: &Entry, now: Instant) -> Option<(u8, Instant)> {
    let age = |since: Instant| now.duration_since(since);
    match e.phase {
        Phase::Idle(since) if !e.used && age(since) >= Duration::from_millis(250) => {
            Some((0, since))
        }
        Phase::Idle(since) if e.used && age(since) >= Duration::from_secs(1) => Some((1, since)),
        Phase::Receiving(since) if age(since) >= Duration::from_millis(100) => Some((2, since)),
        _ => None,
    }
}

impl Door {
    pub fn new(limits: DoorLimits) -> Arc<Door> {
        Arc::new(Door {
            limits,
            conns: Mutex::new(HashMap::new()),
            freed: Condvar::new(),
            tickets: Mutex::new(HashMap::new()),
            secret: RandomState::new().build_hasher().finish(),
            next_id: AtomicU64::new(1),
            buffered: AtomicUsize::new(0),
            refusing: AtomicUsize::new(0),
            stopping: AtomicBool::new(false),
        })
    }

    /// The client behind a request tiny_http received, from its ticket header; `None` when the
    /// request did not come through the door.
    pub fn client_of(&self, ticket: Option<&str>) -> Option<SocketAddr> {
        lock(&self.tickets).get(ticket?).copied()
    }

    /// A ticket for one request of `peer`, valid until `end_ticket`.
    pub fn ticket(&self, peer: SocketAddr) -> String {
        let n = self.next_id.fetch_add(1, Ordering::Relaxed);
        let t = format!("{:016x}{n:x}", self.secret);
        lock(&self.tickets).insert(t.clone(), peer);
        t
    }

    pub fn end_ticket(&self, ticket: &str) {
        lock(&self.tickets).remove(ticket);
    }

    /// Count `n` more body bytes held in memory; false (and nothing counted) over the budget.
    pub fn hold(&self, n: usize) -> bool {
        let max = self.limits.max_buffered;
        self.buffered
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |b| {
                (b + n <= max).then_some(b + n)
            })
            .is_ok()
    }

    pub fn unhold(&self, n: usize) {
        self.buffered.fetch_sub(n, Ordering::SeqCst);
    }

    /// Open client connections.
    pub fn open(&self) -> usize {
        lock(&self.conns).len()
    }

    /// Stop accepting; idle connections are closed now, busy ones after their response.
    pub fn stop(&self) {
        self.stopping.store(true, Ordering::SeqCst);
        for e in lock(&self.conns).values() {
            if matches!(e.phase, Phase::Idle(_)) {
                let _ = e.stream.shutdown(Shutdown::Both);
            }
        }
    }

    pub fn stopping(&self) -> bool {
        self.stopping.load(Ordering::SeqCst)
    }

    /// Close the cheapest connection among `conns` (only `peer`'s when given); false when
    /// every candidate is busy.
    fn evict(conns: &mut HashMap<u64, Entry>, peer: Option<IpAddr>) -> bool {
        let now = Instant::now();
        let victim = conns
            .iter()
            .filter(|(_, e)| peer.is_none_or(|p| e.peer == p))
            .filter_map(|(id, e)| victim_rank(e, now).map(|(rank, since)| (rank, since, *id)))
            .min();
        let Some((rank, _, victim)) = victim else {
            return false;
        };
        if let Some(e) = conns.remove(&victim) {
            let why = ["unused", "idle", "slow to send its request"][rank as usize];
            log::debug!("connection limit reached: closing an {why} connection");
            let _ = e.stream.shutdown(Shutdown::Both);
        }
        true
    }

    /// Take a slot for a new connection from `peer`, making room at the per-client and total
    /// caps; false when that is impossible.
    fn admit(&self, id: u64, stream: &TcpStream, peer: IpAddr) -> bool {
        let key = peer_key(peer);
        let mut conns = lock(&self.conns);
        let mine = conns.values().filter(|e| e.peer == key).count();
        if mine >= self.limits.max_per_peer && !Self::evict(&mut conns, Some(key)) {
            return false;
        }
        if conns.len() >= self.limits.max_connections && !Self::evict(&mut conns, None) {
            return false;
        }
        let Ok(clone) = stream.try_clone() else {
            return false;
        };
        let entry = Entry {
            stream: clone,
            peer: key,
            phase: Phase::Idle(Instant::now()),
            used: false,
        };
        conns.insert(id, entry);
        true
    }

    fn release(&self, id: u64) {
        lock(&self.conns).remove(&id);
        self.freed.notify_all();
    }

    /// Record a connection's phase; false when it was evicted.
    pub fn set_phase(&self, id: u64, phase: Phase) -> bool {
        match lock(&self.conns).get_mut(&id) {
            Some(e) => {
                e.phase = phase;
                e.used |= !matches!(phase, Phase::Idle(_));
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

/// Answer 503 to a connection the door cannot admit. A few refusals at a time run on a thread
/// of their own that reads what the client sent before closing, so it sees the answer instead
/// of a reset; beyond that the answer is written and the socket closed at once.
fn turn_away(door: &Arc<Door>, mut stream: TcpStream) {
    const GRACEFUL_AT_ONCE: usize = 16;
    let _ = stream.set_write_timeout(Some(Duration::from_millis(200)));
    let busy = || relay::plain(503, "server busy, retry shortly", &["Retry-After: 1"]);
    let taken = door
        .refusing
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
            (n < GRACEFUL_AT_ONCE).then_some(n + 1)
        })
        .is_ok();
    if !taken {
        let _ = stream.write_all(&busy());
        return;
    }
    let d = door.clone();
    let spawned = thread::Builder::new()
        .name("http-refuse".into())
        .stack_size(64 * 1024)
        .spawn(move || {
            let _ = relay::refuse_bytes(&mut stream, &busy());
            d.refusing.fetch_sub(1, Ordering::SeqCst);
        });
    if spawned.is_err() {
        door.refusing.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Accept clients until the door stops, relaying each to tiny_http at `inner`.
pub fn accept_loop(door: Arc<Door>, listener: TcpListener, inner: InnerAddr) {
    let inner = Arc::new(inner);
    for stream in listener.incoming() {
        if door.stopping() {
            break;
        }
        let (stream, peer) = match stream.and_then(|s| s.peer_addr().map(|p| (s, p))) {
            Ok(s) => s,
            Err(e) => {
                // Out of descriptors or a connection reset before accept: keep serving.
                log::warn!("accept failed: {e}");
                thread::sleep(Duration::from_millis(20));
                continue;
            }
        };
        let id = door.next_id.fetch_add(1, Ordering::Relaxed);
        if !door.admit(id, &stream, peer.ip()) {
            log::warn!("connection limit reached and every connection is busy: answering 503");
            turn_away(&door, stream);
            continue;
        }
        let (d, inner) = (door.clone(), inner.clone());
        let spawned = thread::Builder::new()
            .name("http-conn".into())
            .stack_size(256 * 1024)
            .spawn(move || {
                if let Err(e) = relay::relay(&d, id, stream, peer, &inner) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peers_count_by_address_and_ipv6_by_64() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(peer_key(a), peer_key(b));
        assert_ne!(peer_key(a), peer_key(c));
        let mapped: IpAddr = "::ffff:10.0.0.1".parse().unwrap();
        assert_eq!(peer_key(mapped), "10.0.0.1".parse::<IpAddr>().unwrap());
    }
}

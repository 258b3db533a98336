//! Handshake-era HTTP sessions: ids drawn from the system's CSPRNG, each bound to the
//! fingerprint of the credentials that created it, dropped after an idle period or on DELETE.
//! A legacy SSE session also holds the sender of its event stream.
//!
//! Bounded against floods of `initialize`: one owner holds at most `per_owner` sessions (its
//! least recently used one is closed to make room); a session never used again after
//! `initialize` is dropped after `handshake`; and when the table is full, a new session
//! replaces the oldest such half-open session, else the least recently used one. Only a
//! session with a call in flight or an open stream is never replaced (then: refused).

use std::collections::hash_map::RandomState;
use std::collections::{HashMap, HashSet, VecDeque};
use std::hash::{BuildHasher, Hasher};
use std::io;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

use crossbeam_channel::Sender;

use crate::mcp::{Caller, Session};

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// `n` bytes from the operating system's CSPRNG as lower-case hex: ring's `SystemRandom`
/// (already linked for TLS), which asks the OS directly and needs no device file: `getrandom(2)`
/// on Linux, `getentropy` on macOS, `ProcessPrng`/`BCryptGenRandom` on Windows.
pub fn random_hex(n: usize) -> io::Result<String> {
    use ring::rand::{SecureRandom, SystemRandom};
    let mut bytes = vec![0u8; n];
    SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| io::Error::other("the system's random source failed"))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// A keyed, process-local fingerprint of the caller's credentials (`Authorization` and the
/// `X-Atlassian-*` headers; not pass-through headers, which may change per request). A session
/// is bound to it, so a session id is useless with other credentials. Never logged or sent.
pub fn owner(caller: Option<&Caller>) -> u64 {
    static KEY: OnceLock<RandomState> = OnceLock::new();
    let mut h = KEY.get_or_init(RandomState::new).build_hasher();
    let Some(caller) = caller else {
        return 0;
    };
    if let Some(p) = &caller.principal {
        h.write_u8(1);
        h.write(p.as_bytes());
        return h.finish() | 1;
    }
    h.write(caller.authorization.as_deref().unwrap_or("").as_bytes());
    h.write_u8(0xff);
    for (k, v) in caller
        .headers
        .iter()
        .filter(|(k, _)| k.starts_with("x-atlassian-"))
    {
        h.write(k.as_bytes());
        h.write_u8(0);
        h.write(v.as_bytes());
        h.write_u8(0xff);
    }
    h.finish() | 1
}

/// One session: the MCP handshake state plus what HTTP needs around it.
pub struct HttpSession {
    pub id: String,
    pub mcp: Session,
    owner: u64,
    /// Milliseconds since the table's epoch when it was last used.
    last_seen: AtomicU64,
    /// Used at least once after `initialize`.
    established: AtomicBool,
    /// The legacy SSE stream messages for this session go to.
    pub stream: Mutex<Option<Sender<String>>>,
    closed: AtomicBool,
}

impl HttpSession {
    /// A session outside the table, for one stateless request (empty id).
    pub fn detached(mcp: Session) -> Arc<HttpSession> {
        Arc::new(HttpSession {
            id: String::new(),
            mcp,
            owner: 0,
            last_seen: AtomicU64::new(0),
            established: AtomicBool::new(true),
            stream: Mutex::new(None),
            closed: AtomicBool::new(false),
        })
    }

    /// Queue a serialized message on the session's SSE stream; false when it has none or it
    /// closed.
    pub fn push(&self, message: String) -> bool {
        match &*lock(&self.stream) {
            Some(tx) => tx.send(message).is_ok(),
            None => false,
        }
    }

    pub fn closed(&self) -> bool {
        self.closed.load(Ordering::Relaxed)
    }

    /// A call in flight or an open stream: the session must not be replaced.
    fn busy(&self) -> bool {
        self.mcp.in_flight() > 0 || lock(&self.stream).is_some()
    }

    fn close(&self) {
        self.closed.store(true, Ordering::Relaxed);
        self.mcp.cancel_all();
        lock(&self.stream).take();
    }
}

/// Why a lookup failed.
#[derive(Debug, PartialEq, Eq)]
pub enum Lookup {
    /// Unknown, expired, deleted, or created by other credentials (indistinguishable on
    /// purpose).
    NotFound,
}

/// Bounds of the session table.
#[derive(Debug, Clone, Copy)]
pub struct SessionLimits {
    /// Sessions at most.
    pub max: usize,
    /// Sessions of one owner at most.
    pub per_owner: usize,
    /// Unused this long: dropped.
    pub idle: Duration,
    /// Not used again this long after `initialize`: dropped.
    pub handshake: Duration,
}

#[derive(Default)]
struct Table {
    map: HashMap<String, Arc<HttpSession>>,
    by_owner: HashMap<u64, HashSet<String>>,
    /// Sessions in creation order (some already established or gone), for the half-open rule.
    young: VecDeque<(Instant, String)>,
}

impl Table {
    fn insert(&mut self, s: Arc<HttpSession>) {
        self.by_owner
            .entry(s.owner)
            .or_default()
            .insert(s.id.clone());
        self.young.push_back((Instant::now(), s.id.clone()));
        self.map.insert(s.id.clone(), s);
    }

    fn remove(&mut self, id: &str) -> Option<Arc<HttpSession>> {
        let s = self.map.remove(id)?;
        if let Some(ids) = self.by_owner.get_mut(&s.owner) {
            ids.remove(id);
            if ids.is_empty() {
                self.by_owner.remove(&s.owner);
            }
        }
        s.close();
        Some(s)
    }

    /// Close the oldest half-open session (young, never used after `initialize`, not busy)
    /// created before `before`, if any; entries passed over leave the queue.
    fn drop_half_open(&mut self, before: Instant) -> bool {
        while let Some((at, id)) = self.young.front().cloned() {
            if at > before {
                return false;
            }
            self.young.pop_front();
            let half_open = self
                .map
                .get(&id)
                .is_some_and(|s| !s.established.load(Ordering::Relaxed) && !s.busy());
            if half_open {
                self.remove(&id);
                return true;
            }
        }
        false
    }

    /// Close the least recently used session that is not busy (half-open ones first, but only
    /// once they are older than a grace period: a session another client opened a moment ago has
    /// not had the time to make its first call), of `owner` or of anyone. `now_ms` is on the
    /// table's clock.
    fn drop_lru(&mut self, owner: Option<u64>, now_ms: u64) -> bool {
        const GRACE_MS: u64 = 2_000;
        let mut skip: Vec<String> = Vec::new();
        for _ in 0..8 {
            let candidates: Box<dyn Iterator<Item = &String>> = match owner {
                Some(o) => match self.by_owner.get(&o) {
                    Some(ids) => Box::new(ids.iter()),
                    None => return false,
                },
                None => Box::new(self.map.keys()),
            };
            let oldest = candidates
                .filter(|id| !skip.contains(id))
                .filter_map(|id| {
                    let s = self.map.get(id)?;
                    let seen = s.last_seen.load(Ordering::Relaxed);
                    let fresh = now_ms.saturating_sub(seen) < GRACE_MS;
                    let used = s.established.load(Ordering::Relaxed);
                    // Stale half-open sessions go first, then by last use.
                    Some((used || fresh, seen, id))
                })
                .min()
                .map(|(_, _, id)| id.clone());
            let Some(id) = oldest else {
                return false;
            };
            if self.map.get(&id).is_some_and(|s| s.busy()) {
                skip.push(id);
                continue;
            }
            self.remove(&id);
            return true;
        }
        false
    }
}

/// The session table.
pub struct Sessions {
    table: Mutex<Table>,
    limits: SessionLimits,
    epoch: Instant,
    last_sweep: Mutex<Instant>,
}

impl Sessions {
    pub fn new(limits: SessionLimits) -> Self {
        Sessions {
            table: Mutex::new(Table::default()),
            limits,
            epoch: Instant::now(),
            last_sweep: Mutex::new(Instant::now()),
        }
    }

    fn now_ms(&self) -> u64 {
        self.epoch.elapsed().as_millis() as u64
    }

    /// A new session owned by the credentials with fingerprint `owner`, replacing an older one
    /// at the limits (see the module notes); `None` when nothing can be replaced (or the
    /// random source failed).
    pub fn create(&self, owner: u64, stream: Option<Sender<String>>) -> Option<Arc<HttpSession>> {
        self.sweep(false);
        let id = match random_hex(32) {
            Ok(id) => id,
            Err(e) => {
                log::error!("cannot draw a session id: {e}");
                return None;
            }
        };
        let now = self.now_ms();
        let mut t = lock(&self.table);
        let mine = t.by_owner.get(&owner).map_or(0, HashSet::len);
        if mine >= self.limits.per_owner.max(1) && !t.drop_lru(Some(owner), now) {
            log::warn!("one owner's sessions are all busy at the per-owner limit: refusing");
            return None;
        }
        if t.map.len() >= self.limits.max.max(1) {
            let replaced = t.drop_half_open(Instant::now()) || t.drop_lru(None, now);
            if !replaced {
                log::warn!("the session table is full of busy sessions: refusing");
                return None;
            }
        }
        let s = Arc::new(HttpSession {
            id,
            mcp: Session::new(),
            owner,
            last_seen: AtomicU64::new(self.now_ms()),
            established: AtomicBool::new(false),
            stream: Mutex::new(stream),
            closed: AtomicBool::new(false),
        });
        t.insert(s.clone());
        Some(s)
    }

    /// The live session `id`, if `owner` created it; using it marks it established.
    pub fn get(&self, id: &str, owner: u64) -> Result<Arc<HttpSession>, Lookup> {
        self.sweep(false);
        let t = lock(&self.table);
        let s = t.map.get(id).filter(|s| s.owner == owner && !s.closed());
        match s {
            Some(s) => {
                s.last_seen.store(self.now_ms(), Ordering::Relaxed);
                s.established.store(true, Ordering::Relaxed);
                Ok(s.clone())
            }
            None => Err(Lookup::NotFound),
        }
    }

    /// End a session: its calls are cancelled and later requests get 404.
    pub fn remove(&self, id: &str) -> bool {
        lock(&self.table).remove(id).is_some()
    }

    pub fn len(&self) -> usize {
        lock(&self.table).map.len()
    }

    /// Expire sessions now and then (dispatchers call it when they have nothing to do).
    pub fn tick(&self) {
        self.sweep(false);
    }

    /// Drop half-open sessions past the handshake limit and sessions idle for longer than the
    /// idle limit (at most every second unless forced). A busy session is not idle.
    fn sweep(&self, force: bool) {
        {
            let mut last = lock(&self.last_sweep);
            if !force && last.elapsed() < Duration::from_secs(1) {
                return;
            }
            *last = Instant::now();
        }
        let mut t = lock(&self.table);
        if let Some(cutoff) = Instant::now().checked_sub(self.limits.handshake) {
            while t.drop_half_open(cutoff) {}
        }
        let idle_ms = self.limits.idle.as_millis() as u64;
        let now = self.now_ms();
        let stale: Vec<String> = t
            .map
            .values()
            .filter(|s| now.saturating_sub(s.last_seen.load(Ordering::Relaxed)) >= idle_ms)
            .filter(|s| !s.busy())
            .map(|s| s.id.clone())
            .collect();
        for id in stale {
            t.remove(&id);
        }
    }

    /// Close every session (shutdown).
    pub fn close_all(&self) {
        let mut t = lock(&self.table);
        for (_, s) in t.map.drain() {
            s.close();
        }
        t.by_owner.clear();
        t.young.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(max: usize, per_owner: usize, idle_ms: u64, handshake_ms: u64) -> Sessions {
        Sessions::new(SessionLimits {
            max,
            per_owner,
            idle: Duration::from_millis(idle_ms),
            handshake: Duration::from_millis(handshake_ms),
        })
    }

    #[test]
    fn random_hex_draws_from_the_system_source_without_a_device_file() {
        // Whatever the platform: n bytes as 2n lower-case hex digits, never twice the same.
        let mut seen = HashSet::new();
        for n in [1, 8, 32] {
            for _ in 0..50 {
                let h = random_hex(n).unwrap();
                assert_eq!(h.len(), 2 * n);
                assert!(
                    h.bytes().all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f')),
                    "{h}"
                );
                if n >= 8 {
                    assert!(seen.insert(h));
                }
            }
        }
        // The bits are spread: across 50 draws of 32 bytes every hex digit appears.
        let all: String = seen.iter().cloned().collect();
        assert!(
            b"0123456789abcdef"
                .iter()
                .all(|c| all.as_bytes().contains(c))
        );
        assert_eq!(random_hex(0).unwrap(), "");
    }

    #[test]
    fn ids_are_random_and_bound_to_their_owner() {
        let t = table(10, 10, 60_000, 60_000);
        let a = t.create(1, None).unwrap();
        let b = t.create(1, None).unwrap();
        assert_eq!(a.id.len(), 64);
        assert!(a.id.bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a.id, b.id);
        assert!(t.get(&a.id, 1).is_ok());
        assert_eq!(t.get(&a.id, 2).err(), Some(Lookup::NotFound));
        assert!(t.remove(&a.id));
        assert_eq!(t.get(&a.id, 1).err(), Some(Lookup::NotFound));
    }

    #[test]
    fn a_full_table_replaces_half_open_then_least_recently_used_sessions() {
        let t = table(3, 10, 60_000, 60_000);
        let a = t.create(1, None).unwrap();
        let b = t.create(2, None).unwrap();
        let c = t.create(3, None).unwrap();
        t.get(&a.id, 1).unwrap();
        t.get(&c.id, 3).unwrap();
        // b never came back after initialize: it goes first.
        let d = t.create(4, None).unwrap();
        assert!(b.closed() && !a.closed() && !c.closed());
        std::thread::sleep(Duration::from_millis(5));
        t.get(&d.id, 4).unwrap();
        std::thread::sleep(Duration::from_millis(5));
        t.get(&a.id, 1).unwrap();
        // All established now: the least recently used (c) goes.
        t.create(5, None).unwrap();
        assert!(c.closed() && !a.closed() && !d.closed());
        // A busy session is never replaced.
        let (tx, _rx) = crossbeam_channel::unbounded();
        let busy = table(1, 10, 60_000, 60_000);
        busy.create(1, Some(tx)).unwrap();
        assert!(busy.create(2, None).is_none());
    }

    #[test]
    fn a_session_opened_a_moment_ago_is_not_the_first_to_go() {
        // Found by the soak: at one owner's limit, a session another client had just opened
        // (initialize answered, first call on its way) was closed before an idle used one.
        let t = table(100, 2, 60_000, 60_000);
        let a = t.create(7, None).unwrap();
        t.get(&a.id, 7).unwrap();
        std::thread::sleep(Duration::from_millis(5));
        let b = t.create(7, None).unwrap();
        let c = t.create(7, None).unwrap();
        assert!(a.closed(), "the idle used session goes");
        assert!(
            !b.closed() && !c.closed(),
            "the fresh one survives its first call"
        );
        assert!(t.get(&b.id, 7).is_ok());
    }

    #[test]
    fn one_owner_holds_at_most_its_share() {
        let t = table(100, 2, 60_000, 60_000);
        let a = t.create(7, None).unwrap();
        let b = t.create(7, None).unwrap();
        std::thread::sleep(Duration::from_millis(5));
        t.get(&a.id, 7).unwrap();
        let c = t.create(7, None).unwrap();
        assert!(b.closed() && !a.closed() && !c.closed());
        assert_eq!(t.len(), 2);
        t.create(8, None).unwrap();
        assert_eq!(t.len(), 3);
    }

    #[test]
    fn owners_follow_credentials_not_other_headers() {
        let a = Caller {
            authorization: Some("Bearer a".into()),
            headers: vec![("x-request-id".into(), "1".into())],
            principal: None,
            token_site: None,
        };
        let mut b = a.clone();
        b.headers[0].1 = "2".into();
        assert_eq!(owner(Some(&a)), owner(Some(&b)));
        b.authorization = Some("Bearer b".into());
        assert_ne!(owner(Some(&a)), owner(Some(&b)));
        assert_ne!(owner(Some(&a)), owner(None));
        // A principal the transport established wins over the credentials it came with.
        let mut p = a.clone();
        p.principal = Some("grant-1".into());
        let mut q = b.clone();
        q.principal = Some("grant-1".into());
        assert_eq!(owner(Some(&p)), owner(Some(&q)));
        q.principal = Some("grant-2".into());
        assert_ne!(owner(Some(&p)), owner(Some(&q)));
    }

    #[test]
    fn idle_and_half_open_sessions_expire() {
        let t = table(10, 10, 0, 60_000);
        let a = t.create(7, None).unwrap();
        t.sweep(true);
        assert!(t.get(&a.id, 7).is_err());
        assert!(a.closed());
        let t = table(10, 10, 60_000, 0);
        let half = t.create(7, None).unwrap();
        let used = t.create(7, None).unwrap();
        t.get(&used.id, 7).unwrap();
        std::thread::sleep(Duration::from_millis(2));
        t.sweep(true);
        assert!(half.closed() && !used.closed());
    }
}

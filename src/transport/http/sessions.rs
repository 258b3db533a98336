//! Handshake-era HTTP sessions: ids drawn from the kernel's random source, each bound to the
//! fingerprint of the credentials that created it, dropped after an idle period or on DELETE,
//! and bounded in number. A legacy SSE session also holds the sender of its event stream.

use std::collections::HashMap;
use std::collections::hash_map::RandomState;
use std::fs::File;
use std::hash::{BuildHasher, Hasher};
use std::io::{self, Read};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

use crossbeam_channel::Sender;
use serde_json::Value;

use crate::mcp::{Caller, Session};

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// `n` bytes from the kernel's CSPRNG as lower-case hex.
pub fn random_hex(n: usize) -> io::Result<String> {
    let mut bytes = vec![0u8; n];
    File::open("/dev/urandom")?.read_exact(&mut bytes)?;
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
    last_seen: Mutex<Instant>,
    /// The legacy SSE stream messages for this session go to.
    pub stream: Mutex<Option<Sender<Value>>>,
    closed: AtomicBool,
}

impl HttpSession {
    /// A session outside the table, for one stateless request (empty id).
    pub fn detached(mcp: Session) -> Arc<HttpSession> {
        Arc::new(HttpSession {
            id: String::new(),
            mcp,
            owner: 0,
            last_seen: Mutex::new(Instant::now()),
            stream: Mutex::new(None),
            closed: AtomicBool::new(false),
        })
    }

    /// Queue a message on the session's SSE stream; false when it has none or it closed.
    pub fn push(&self, message: Value) -> bool {
        match &*lock(&self.stream) {
            Some(tx) => tx.send(message).is_ok(),
            None => false,
        }
    }

    pub fn closed(&self) -> bool {
        self.closed.load(Ordering::Relaxed)
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

/// The session table.
pub struct Sessions {
    map: Mutex<HashMap<String, Arc<HttpSession>>>,
    max: usize,
    idle: Duration,
    last_sweep: Mutex<Instant>,
}

impl Sessions {
    pub fn new(max: usize, idle: Duration) -> Self {
        Sessions {
            map: Mutex::new(HashMap::new()),
            max,
            idle,
            last_sweep: Mutex::new(Instant::now()),
        }
    }

    /// A new session owned by the credentials with fingerprint `owner`; `None` when the table
    /// is full (or the random source failed).
    pub fn create(&self, owner: u64, stream: Option<Sender<Value>>) -> Option<Arc<HttpSession>> {
        self.sweep(false);
        let id = match random_hex(32) {
            Ok(id) => id,
            Err(e) => {
                log::error!("cannot read /dev/urandom for a session id: {e}");
                return None;
            }
        };
        let mut map = lock(&self.map);
        if map.len() >= self.max {
            drop(map);
            self.sweep(true);
            map = lock(&self.map);
            if map.len() >= self.max {
                return None;
            }
        }
        let s = Arc::new(HttpSession {
            id: id.clone(),
            mcp: Session::new(),
            owner,
            last_seen: Mutex::new(Instant::now()),
            stream: Mutex::new(stream),
            closed: AtomicBool::new(false),
        });
        map.insert(id, s.clone());
        Some(s)
    }

    /// The live session `id`, if `owner` created it.
    pub fn get(&self, id: &str, owner: u64) -> Result<Arc<HttpSession>, Lookup> {
        self.sweep(false);
        let map = lock(&self.map);
        let s = map.get(id).filter(|s| s.owner == owner && !s.closed());
        match s {
            Some(s) => {
                *lock(&s.last_seen) = Instant::now();
                Ok(s.clone())
            }
            None => Err(Lookup::NotFound),
        }
    }

    /// End a session: its calls are cancelled and later requests get 404.
    pub fn remove(&self, id: &str) -> bool {
        match lock(&self.map).remove(id) {
            Some(s) => {
                s.close();
                true
            }
            None => false,
        }
    }

    pub fn len(&self) -> usize {
        lock(&self.map).len()
    }

    /// Drop sessions idle for longer than the limit (at most every few seconds unless forced).
    /// A session with calls in flight or an open stream is not idle.
    fn sweep(&self, force: bool) {
        {
            let mut last = lock(&self.last_sweep);
            if !force && last.elapsed() < Duration::from_secs(5) {
                return;
            }
            *last = Instant::now();
        }
        let mut map = lock(&self.map);
        map.retain(|_, s| {
            let busy = s.mcp.in_flight() > 0 || lock(&s.stream).is_some();
            let keep = busy || lock(&s.last_seen).elapsed() < self.idle;
            if !keep {
                s.close();
            }
            keep
        });
    }

    /// Close every session (shutdown).
    pub fn close_all(&self) {
        for (_, s) in lock(&self.map).drain() {
            s.close();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_random_and_bound_to_their_owner() {
        let t = Sessions::new(2, Duration::from_secs(60));
        let a = t.create(1, None).unwrap();
        let b = t.create(1, None).unwrap();
        assert_eq!(a.id.len(), 64);
        assert!(a.id.bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a.id, b.id);
        assert!(t.create(1, None).is_none(), "table is full");
        assert!(t.get(&a.id, 1).is_ok());
        assert_eq!(t.get(&a.id, 2).err(), Some(Lookup::NotFound));
        assert!(t.remove(&a.id));
        assert_eq!(t.get(&a.id, 1).err(), Some(Lookup::NotFound));
    }

    #[test]
    fn owners_follow_credentials_not_other_headers() {
        let a = Caller {
            authorization: Some("Bearer a".into()),
            headers: vec![("x-request-id".into(), "1".into())],
        };
        let mut b = a.clone();
        b.headers[0].1 = "2".into();
        assert_eq!(owner(Some(&a)), owner(Some(&b)));
        b.authorization = Some("Bearer b".into());
        assert_ne!(owner(Some(&a)), owner(Some(&b)));
        assert_ne!(owner(Some(&a)), owner(None));
    }

    #[test]
    fn idle_sessions_expire() {
        let t = Sessions::new(10, Duration::from_millis(0));
        let a = t.create(7, None).unwrap();
        t.sweep(true);
        assert!(t.get(&a.id, 7).is_err());
        assert!(a.closed());
    }
}

//! What the OAuth proxy remembers, all in memory and all bounded: registered clients, consent
//! pages waiting for an answer, sign-ins waiting for Atlassian's callback, authorization codes,
//! and grants with their access and refresh tokens. Every table has a cap and every entry an
//! expiry; at the cap the least recently used entry goes first, except for clients: one with a
//! live grant is never dropped to make room (registration is refused instead), and one never
//! used goes before one that was. Also the per-address rate limit of registrations. Tokens,
//! codes and CSRF values are stored under their SHA-256 digest, never as themselves.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::Hidden;
use crate::mcp::TokenSite;

/// Rotated refresh tokens remembered per grant.
pub const MAX_RETIRED: usize = 8;
/// Registered clients kept at most; the least recently used is forgotten first.
pub const MAX_CLIENTS: usize = 1_000;
/// Consent pages, sign-ins in flight and unredeemed codes, each at most.
pub const MAX_PENDING: usize = 1_000;
/// Grants (signed-in users of clients) and their tokens at most.
pub const MAX_GRANTS: usize = 10_000;

/// A registration unused this long is dropped.
pub const CLIENT_TTL: Duration = Duration::from_secs(30 * 24 * 3600);
/// How long a consent page may stay open, and a sign-in at Atlassian may take.
pub const PENDING_TTL: Duration = Duration::from_secs(10 * 60);
/// Authorization codes are short-lived (RFC 6749 §4.1.2 recommends at most 10 minutes).
pub const CODE_TTL: Duration = Duration::from_secs(5 * 60);
/// Lifetime of the proxy's access tokens.
pub const ACCESS_TTL: Duration = Duration::from_secs(3600);
/// Lifetime of a refresh token (each refresh issues a new one).
pub const REFRESH_TTL: Duration = Duration::from_secs(30 * 24 * 3600);

struct Entry<V> {
    value: V,
    expires: Instant,
    used: Instant,
}

/// A map with a cap, per-entry expiry and least-recently-used eviction.
pub struct Table<V> {
    map: HashMap<String, Entry<V>>,
    cap: usize,
}

impl<V> Table<V> {
    pub fn new(cap: usize) -> Self {
        Table {
            map: HashMap::new(),
            cap: cap.max(1),
        }
    }

    /// Add (or replace) an entry living `ttl`; expired entries are dropped first, then, at the
    /// cap, the least recently used one.
    pub fn insert(&mut self, key: String, value: V, ttl: Duration) {
        let now = Instant::now();
        if self.map.len() >= self.cap && !self.map.contains_key(&key) {
            self.map.retain(|_, e| e.expires > now);
            if self.map.len() >= self.cap {
                let oldest = self
                    .map
                    .iter()
                    .min_by_key(|(_, e)| e.used)
                    .map(|(k, _)| k.clone());
                if let Some(k) = oldest {
                    self.map.remove(&k);
                }
            }
        }
        let entry = Entry {
            value,
            expires: now + ttl,
            used: now,
        };
        self.map.insert(key, entry);
    }

    /// Make room for one more entry: drop expired ones, then, at the cap, the one `rank` ranks
    /// lowest (least recently used among equals); entries it ranks `None` are kept. False
    /// when the table is full of those.
    pub fn make_room(&mut self, rank: impl Fn(&V) -> Option<u8>) -> bool {
        let now = Instant::now();
        if self.map.len() < self.cap {
            return true;
        }
        self.map.retain(|_, e| e.expires > now);
        if self.map.len() < self.cap {
            return true;
        }
        let victim = self
            .map
            .iter()
            .filter_map(|(k, e)| rank(&e.value).map(|r| (r, e.used, k)))
            .min()
            .map(|(_, _, k)| k.clone());
        victim.is_some_and(|k| self.map.remove(&k).is_some())
    }

    /// True at the cap (expired entries included).
    pub fn full(&self) -> bool {
        self.map.len() >= self.cap
    }

    /// The live entries.
    pub fn values(&self) -> impl Iterator<Item = &V> {
        let now = Instant::now();
        self.map
            .values()
            .filter(move |e| e.expires > now)
            .map(|e| &e.value)
    }

    /// The live entry under `key`, marked used.
    pub fn get(&mut self, key: &str) -> Option<&mut V> {
        let now = Instant::now();
        if self.map.get(key).is_some_and(|e| e.expires <= now) {
            self.map.remove(key);
            return None;
        }
        let e = self.map.get_mut(key)?;
        e.used = now;
        Some(&mut e.value)
    }

    /// Like [`Table::get`], and the entry's life starts again (`ttl` from now).
    pub fn renew(&mut self, key: &str, ttl: Duration) -> Option<&mut V> {
        self.get(key)?;
        let e = self.map.get_mut(key)?;
        e.expires = Instant::now() + ttl;
        Some(&mut e.value)
    }

    /// Remove and return the live entry under `key` (single use).
    pub fn take(&mut self, key: &str) -> Option<V> {
        let e = self.map.remove(key)?;
        (e.expires > Instant::now()).then_some(e.value)
    }

    pub fn remove(&mut self, key: &str) {
        self.map.remove(key);
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.map.len()
    }
}

/// A registered client (RFC 7591).
#[derive(Clone, Debug)]
pub struct Client {
    pub id: String,
    /// `none`, `client_secret_post` or `client_secret_basic`.
    pub auth_method: String,
    /// Digest of the client secret (confidential clients).
    pub secret_digest: Option<String>,
    pub redirect_uris: Vec<String>,
    pub grant_types: Vec<String>,
    pub name: Option<String>,
    /// A grant was issued to it once (then it is dropped after never-used ones).
    pub granted: bool,
}

/// An authorization request that passed its checks.
#[derive(Clone, Debug)]
pub struct AuthRequest {
    pub client_id: String,
    pub redirect_uri: String,
    /// The request named the redirect URI (then the token request must repeat it).
    pub redirect_given: bool,
    /// The client's `state`, handed back unchanged.
    pub state: Option<String>,
    /// The client's PKCE S256 challenge.
    pub challenge: String,
}

/// A sign-in sent to Atlassian, keyed by our own upstream `state`.
pub struct Flight {
    pub request: AuthRequest,
    pub verifier: Hidden,
    /// Digest of the random value of the cookie set in the browser that was sent to
    /// Atlassian: the callback must come back from that browser.
    pub browser: String,
}

/// An authorization code of ours, keyed by its digest.
pub struct Code {
    pub request: AuthRequest,
    /// The user's Atlassian tokens, until the code is redeemed.
    pub upstream: Option<UpstreamState>,
    /// Set once redeemed: the grant it created (revoked if the code comes back).
    pub spent: Option<String>,
}

/// The user's Atlassian tokens behind one grant; never sent to clients.
#[derive(Clone, Debug)]
pub struct UpstreamState {
    pub access: Hidden,
    pub refresh: Option<Hidden>,
    pub expires_at: Instant,
    pub site: Option<TokenSite>,
    /// When a refresh last failed (cleared by a successful one).
    pub failed_at: Option<Instant>,
}

/// A grant's Atlassian tokens and the lock its refreshes take, apart: reading the tokens never
/// waits for a refresh at Atlassian.
#[derive(Debug)]
pub struct UpstreamCell {
    /// Held only to read or write the tokens, never across a network call.
    pub state: Mutex<UpstreamState>,
    /// Held while the tokens are refreshed at Atlassian.
    pub refreshing: Mutex<()>,
}

impl UpstreamCell {
    pub fn new(state: UpstreamState) -> Arc<UpstreamCell> {
        Arc::new(UpstreamCell {
            state: Mutex::new(state),
            refreshing: Mutex::new(()),
        })
    }

    /// A copy of the tokens now.
    pub fn now(&self) -> UpstreamState {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

/// One client's sign-in of one user: the tokens we issued and the Atlassian tokens they stand
/// for.
pub struct Grant {
    pub client_id: String,
    pub access_digest: String,
    pub refresh_digest: Option<String>,
    /// Digests of its refresh tokens already rotated away, newest last (at most
    /// [`MAX_RETIRED`]): one presented again revokes the grant.
    pub retired: Vec<String>,
    pub upstream: Arc<UpstreamCell>,
}

/// A token of ours, keyed by its digest: the grant it belongs to.
#[derive(Clone, Debug)]
pub struct TokenRef {
    pub grant_id: String,
    pub client_id: String,
}

/// Everything, behind one lock that is never held across a network call.
pub struct Tables {
    pub clients: Table<Client>,
    /// Consent pages, by digest of their CSRF token.
    pub consents: Table<AuthRequest>,
    /// By upstream state.
    pub flights: Table<Flight>,
    pub codes: Table<Code>,
    pub grants: Table<Grant>,
    pub access: Table<TokenRef>,
    pub refresh: Table<TokenRef>,
    /// Refresh tokens rotated away, by digest: their grant, to revoke on reuse.
    pub retired: Table<TokenRef>,
}

impl Default for Tables {
    fn default() -> Self {
        Tables {
            clients: Table::new(MAX_CLIENTS),
            consents: Table::new(MAX_PENDING),
            flights: Table::new(MAX_PENDING),
            codes: Table::new(MAX_PENDING),
            grants: Table::new(MAX_GRANTS),
            access: Table::new(MAX_GRANTS),
            refresh: Table::new(MAX_GRANTS),
            retired: Table::new(MAX_GRANTS),
        }
    }
}

impl Tables {
    /// Default tables with room for `cap` clients (tests).
    #[cfg(test)]
    pub fn with_client_cap(cap: usize) -> Tables {
        Tables {
            clients: Table::new(cap),
            ..Tables::default()
        }
    }

    /// Room for one more client, if there is: never at the cost of a client with a live grant,
    /// never-used registrations first.
    pub fn room_for_a_client(&mut self) -> bool {
        if !self.clients.full() {
            return true;
        }
        let live: std::collections::HashSet<&str> =
            self.grants.values().map(|g| g.client_id.as_str()).collect();
        let live: std::collections::HashSet<String> = live.into_iter().map(String::from).collect();
        self.clients
            .make_room(|c| (!live.contains(&c.id)).then_some(u8::from(c.granted)))
    }

    /// Drop a grant, both of its tokens and those it rotated away.
    pub fn revoke(&mut self, grant_id: &str) {
        if let Some(g) = self.grants.take(grant_id) {
            self.access.remove(&g.access_digest);
            if let Some(r) = &g.refresh_digest {
                self.refresh.remove(r);
            }
            for r in &g.retired {
                self.retired.remove(r);
            }
        }
    }
}

/// At most `max` events per `window` from one address (callers pass `door::peer_key`), for at
/// most `peers` addresses at once (beyond: refused until windows end).
pub struct RateLimit {
    seen: HashMap<IpAddr, (Instant, u32)>,
    max: u32,
    window: Duration,
    peers: usize,
}

impl RateLimit {
    pub fn new(max: u32, window: Duration, peers: usize) -> Self {
        RateLimit {
            seen: HashMap::new(),
            max,
            window,
            peers,
        }
    }

    /// Count one event of `peer`; false when over its limit.
    pub fn allow(&mut self, peer: IpAddr) -> bool {
        let now = Instant::now();
        let window = self.window;
        if !self.seen.contains_key(&peer) && self.seen.len() >= self.peers {
            self.seen.retain(|_, (start, _)| now < *start + window);
            if self.seen.len() >= self.peers {
                return false;
            }
        }
        let (start, n) = self.seen.entry(peer).or_insert((now, 0));
        if now >= *start + window {
            (*start, *n) = (now, 0);
        }
        *n += 1;
        *n <= self.max
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_capped_expire_and_evict_the_least_recently_used() {
        let mut t: Table<u32> = Table::new(2);
        t.insert("a".into(), 1, Duration::from_secs(60));
        std::thread::sleep(Duration::from_millis(2));
        t.insert("b".into(), 2, Duration::from_secs(60));
        std::thread::sleep(Duration::from_millis(2));
        assert_eq!(t.get("a"), Some(&mut 1)); // a is now the more recently used
        t.insert("c".into(), 3, Duration::from_secs(60));
        assert_eq!(t.len(), 2);
        assert!(t.get("b").is_none() && t.get("a").is_some() && t.get("c").is_some());
        // Expired entries go first, and are never returned.
        t.insert("d".into(), 4, Duration::ZERO);
        assert!(t.get("d").is_none());
        t.insert("e".into(), 5, Duration::ZERO);
        assert!(t.take("e").is_none());
        // Inserting d evicted a, the least recently used of a and c; taking is single use.
        assert!(t.get("a").is_none());
        assert_eq!(t.take("c"), Some(3));
        assert_eq!(t.take("c"), None);
    }

    #[test]
    fn rate_limits_count_per_address_within_a_window() {
        let mut r = RateLimit::new(2, Duration::from_millis(50), 2);
        let (a, b, c): (IpAddr, IpAddr, IpAddr) = (
            "10.0.0.1".parse().unwrap(),
            "10.0.0.2".parse().unwrap(),
            "10.0.0.3".parse().unwrap(),
        );
        assert!(r.allow(a) && r.allow(a) && !r.allow(a));
        assert!(r.allow(b));
        assert!(!r.allow(c), "no room for a third address");
        std::thread::sleep(Duration::from_millis(60));
        assert!(r.allow(c) && r.allow(a), "windows ended");
    }

    #[test]
    fn clients_with_live_grants_are_never_dropped_for_room() {
        let mut t: Table<(bool, bool)> = Table::new(2); // (granted, live grant)
        let rank = |v: &(bool, bool)| (!v.1).then_some(u8::from(v.0));
        t.insert("used".into(), (true, false), Duration::from_secs(60));
        t.insert("fresh".into(), (false, false), Duration::from_secs(60));
        assert!(t.make_room(rank));
        assert!(
            t.get("fresh").is_none() && t.get("used").is_some(),
            "never-used first"
        );
        t.insert("live".into(), (true, true), Duration::from_secs(60));
        assert!(t.make_room(rank));
        assert!(t.get("used").is_none() && t.get("live").is_some());
        t.insert("live2".into(), (true, true), Duration::from_secs(60));
        assert!(!t.make_room(rank), "full of clients with live grants");
        assert_eq!(t.len(), 2);
    }
}

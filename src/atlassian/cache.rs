//! A small thread-safe cache with a time-to-live, for metadata that rarely changes (fields, link
//! types, the Epic Link field id, the current user, cloud ids). Bounded in entries.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Values expire `ttl` after insertion; at most `capacity` entries (oldest evicted first).
pub struct TtlCache<V> {
    ttl: Duration,
    capacity: usize,
    entries: Mutex<HashMap<String, (Instant, V)>>,
}

impl<V: Clone> TtlCache<V> {
    pub fn new(ttl: Duration, capacity: usize) -> Self {
        TtlCache {
            ttl,
            capacity: capacity.max(1),
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The cached value, when present and fresh.
    pub fn get(&self, key: &str) -> Option<V> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .get(key)
            .filter(|(at, _)| at.elapsed() < self.ttl)
            .map(|(_, v)| v.clone())
    }

    pub fn insert(&self, key: &str, value: V) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.retain(|_, (at, _)| at.elapsed() < self.ttl);
        if entries.len() >= self.capacity && !entries.contains_key(key) {
            if let Some(oldest) = entries
                .iter()
                .min_by_key(|(_, (at, _))| *at)
                .map(|(k, _)| k.clone())
            {
                entries.remove(&oldest);
            }
        }
        entries.insert(key.to_string(), (Instant::now(), value));
    }

    /// The cached value, or `load()`'s result (cached only on success).
    pub fn get_or_try<E>(&self, key: &str, load: impl FnOnce() -> Result<V, E>) -> Result<V, E> {
        if let Some(v) = self.get(key) {
            return Ok(v);
        }
        let v = load()?;
        self.insert(key, v.clone());
        Ok(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expires_and_evicts() {
        let c = TtlCache::new(Duration::from_millis(30), 2);
        c.insert("a", 1);
        c.insert("b", 2);
        c.insert("c", 3);
        assert_eq!(c.get("a"), None, "oldest evicted");
        assert_eq!(c.get("c"), Some(3));
        std::thread::sleep(Duration::from_millis(40));
        assert_eq!(c.get("c"), None, "expired");
        let loaded: Result<i32, ()> = c.get_or_try("d", || Ok(4));
        assert_eq!(loaded, Ok(4));
        let again: Result<i32, ()> = c.get_or_try("d", || Err(()));
        assert_eq!(again, Ok(4), "served from cache");
    }
}

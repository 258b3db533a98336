//! Name resolution for every agent. An IP literal is its own answer and a name's answer is kept
//! for a few seconds, so a call on a pooled connection costs no lookup (ureq resolves before it
//! looks in its pool, and its resolver starts a thread per lookup whenever a timeout is set,
//! which is always here). For caller-chosen sites the addresses are also judged by the
//! application's address policy (no internal addresses unless the host is listed exactly) in the
//! same lookup whose addresses the connection then uses, so a name cannot pass the check with one
//! answer and connect with another (DNS rebinding). Proxy hosts are resolved without the policy.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ureq::config::Config;
use ureq::http::Uri;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::NextTimeout;

/// Decides whether `host` may be reached at `addresses`; the error says why not.
pub type AddressPolicy = Arc<dyn Fn(&str, &[IpAddr]) -> Result<(), String> + Send + Sync>;

/// How long a name's addresses are reused (the system resolver does not say its TTL).
const KEEP: Duration = Duration::from_secs(15);
/// Names remembered at once; the oldest answer goes first.
const MAX_NAMES: usize = 64;

/// The agents' resolver: literals without a lookup, names through a short cache, and, when a
/// policy is given, an [`AddressPolicy`] applied to every host but the proxies in use.
pub struct PinningResolver {
    inner: DefaultResolver,
    policy: Option<AddressPolicy>,
    /// Proxy hosts (lowercase) the client chose; they are the admin's, not the caller's.
    proxies: Arc<Mutex<HashSet<String>>>,
    /// `host:port` → when it was looked up and its addresses.
    cache: Mutex<HashMap<String, (Instant, ResolvedSocketAddrs)>>,
}

impl PinningResolver {
    pub fn new(policy: Option<AddressPolicy>, proxies: Arc<Mutex<HashSet<String>>>) -> Self {
        PinningResolver {
            inner: DefaultResolver::default(),
            policy,
            proxies,
            cache: Mutex::default(),
        }
    }

    /// The addresses of `uri`'s host: a literal as is, a name from the cache or a fresh lookup.
    fn lookup(
        &self,
        uri: &Uri,
        host: &str,
        config: &Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let port = uri.port_u16().unwrap_or(match uri.scheme_str() {
            Some("https") => 443,
            _ => 80,
        });
        if let Ok(ip) = host.parse::<IpAddr>() {
            let mut addrs = self.empty();
            let family = config.ip_family();
            family
                .keep_wanted([SocketAddr::new(ip, port)].into_iter())
                .for_each(|a| addrs.push(a));
            return if addrs.is_empty() {
                Err(ureq::Error::HostNotFound)
            } else {
                Ok(addrs)
            };
        }
        let key = format!("{host}:{port}");
        let now = Instant::now();
        let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, addrs)) = cache.get(&key).filter(|(at, _)| now - *at < KEEP) {
            return Ok(addrs.clone());
        }
        drop(cache);
        let addrs = self.inner.resolve(uri, config, timeout)?;
        cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        cache.retain(|_, (at, _)| now - *at < KEEP);
        if cache.len() >= MAX_NAMES {
            if let Some(oldest) = cache
                .iter()
                .min_by_key(|(_, (at, _))| *at)
                .map(|(k, _)| k.clone())
            {
                cache.remove(&oldest);
            }
        }
        cache.insert(key, (now, addrs.clone()));
        Ok(addrs)
    }
}

impl fmt::Debug for PinningResolver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PinningResolver")
    }
}

impl Resolver for PinningResolver {
    fn resolve(
        &self,
        uri: &Uri,
        config: &Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let host = uri
            .host()
            .unwrap_or_default()
            .trim_start_matches('[')
            .trim_end_matches(']')
            .trim_end_matches('.')
            .to_ascii_lowercase();
        let addrs = self.lookup(uri, &host, config, timeout)?;
        let Some(policy) = &self.policy else {
            return Ok(addrs);
        };
        let is_proxy = self
            .proxies
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .contains(&host);
        if !is_proxy {
            let ips: Vec<IpAddr> = addrs.iter().map(|a| a.ip()).collect();
            policy(&host, &ips).map_err(|reason| {
                ureq::Error::Io(io::Error::new(io::ErrorKind::PermissionDenied, reason))
            })?;
        }
        Ok(addrs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ureq::unversioned::transport::time::Duration;

    #[test]
    fn the_policy_sees_the_addresses_the_connection_will_use() {
        let refuse_loopback: AddressPolicy = Arc::new(|host: &str, ips: &[IpAddr]| {
            if ips.iter().any(|ip| ip.is_loopback()) {
                Err(format!("{host} resolves to an internal address"))
            } else {
                Ok(())
            }
        });
        let proxies = Arc::new(Mutex::new(HashSet::new()));
        let r = PinningResolver::new(Some(refuse_loopback), proxies.clone());
        let config = Config::default();
        let uri: Uri = "http://localhost:9/".parse().unwrap();
        let timeout = NextTimeout {
            after: Duration::NotHappening,
            reason: ureq::Timeout::Resolve,
            per_read: None,
            per_write: None,
        };
        let err = r.resolve(&uri, &config, timeout).unwrap_err();
        assert!(err.to_string().contains("internal address"), "{err}");
        proxies.lock().unwrap().insert("localhost".into());
        assert!(
            r.resolve(&uri, &config, timeout).is_ok(),
            "proxies are the admin's"
        );
    }

    #[test]
    fn literals_need_no_lookup_and_keep_their_port() {
        let r = PinningResolver::new(None, Arc::default());
        let config = Config::default();
        let timeout = NextTimeout {
            after: Duration::Exact(std::time::Duration::from_millis(1)),
            reason: ureq::Timeout::Resolve,
            per_read: None,
            per_write: None,
        };
        for (url, want) in [
            ("http://127.0.0.1:8080/x", "127.0.0.1:8080"),
            ("https://10.1.2.3/", "10.1.2.3:443"),
            ("http://[::1]:9/", "[::1]:9"),
        ] {
            let uri: Uri = url.parse().unwrap();
            let addrs = r.resolve(&uri, &config, timeout).unwrap();
            assert_eq!(addrs.len(), 1, "{url}");
            assert_eq!(addrs[0].to_string(), want);
        }
        assert!(
            r.cache.lock().unwrap().is_empty(),
            "literals are not cached"
        );
    }

    #[test]
    fn a_name_is_looked_up_once_within_the_keep_time() {
        let r = PinningResolver::new(None, Arc::default());
        let config = Config::default();
        let timeout = NextTimeout {
            after: Duration::NotHappening,
            reason: ureq::Timeout::Resolve,
            per_read: None,
            per_write: None,
        };
        let uri: Uri = "http://localhost:7/".parse().unwrap();
        let first = r.resolve(&uri, &config, timeout).unwrap();
        // A planted answer proves the second call does not ask the system again.
        let planted: SocketAddr = "192.0.2.7:7".parse().unwrap();
        let mut fake = r.empty();
        fake.push(planted);
        r.cache
            .lock()
            .unwrap()
            .insert("localhost:7".into(), (Instant::now(), fake));
        let second = r.resolve(&uri, &config, timeout).unwrap();
        assert!(!first.is_empty());
        assert_eq!(&second[..], &[planted]);
        // An old answer is not used.
        let mut stale = r.empty();
        stale.push(planted);
        r.cache
            .lock()
            .unwrap()
            .insert("localhost:7".into(), (Instant::now() - KEEP - KEEP, stale));
        let third = r.resolve(&uri, &config, timeout).unwrap();
        assert!(third.iter().all(|a| a.ip().is_loopback()), "{third:?}");
    }
}

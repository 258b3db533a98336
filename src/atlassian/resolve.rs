//! Name resolution for caller-chosen sites: the addresses a host resolves to are checked by the
//! application's address policy (no internal addresses unless the host is listed exactly) in the
//! same lookup whose addresses the connection then uses, so a name cannot pass the check with one
//! answer and connect with another (DNS rebinding). Proxy hosts are resolved without the policy.

use std::collections::HashSet;
use std::fmt;
use std::io;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use ureq::config::Config;
use ureq::http::Uri;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::NextTimeout;

/// Decides whether `host` may be reached at `addresses`; the error says why not.
pub type AddressPolicy = Arc<dyn Fn(&str, &[IpAddr]) -> Result<(), String> + Send + Sync>;

/// A resolver that applies an [`AddressPolicy`] to every host but the proxies in use.
pub struct PinningResolver {
    inner: DefaultResolver,
    policy: AddressPolicy,
    /// Proxy hosts (lowercase) the client chose; they are the admin's, not the caller's.
    proxies: Arc<Mutex<HashSet<String>>>,
}

impl PinningResolver {
    pub fn new(policy: AddressPolicy, proxies: Arc<Mutex<HashSet<String>>>) -> Self {
        PinningResolver {
            inner: DefaultResolver::default(),
            policy,
            proxies,
        }
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
        let addrs = self.inner.resolve(uri, config, timeout)?;
        let host = uri
            .host()
            .unwrap_or_default()
            .trim_start_matches('[')
            .trim_end_matches(']')
            .trim_end_matches('.')
            .to_ascii_lowercase();
        let is_proxy = self
            .proxies
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .contains(&host);
        if !is_proxy {
            let ips: Vec<IpAddr> = addrs.iter().map(|a| a.ip()).collect();
            (self.policy)(&host, &ips).map_err(|reason| {
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
        let r = PinningResolver::new(refuse_loopback, proxies.clone());
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
}

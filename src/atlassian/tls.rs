//! TLS settings of one product turned into ureq's rustls configuration: which roots are trusted,
//! certificate verification on or off, and a client certificate for mutual TLS.
//!
//! The roots, per platform (`MCP_ATLASSIAN_USE_SYSTEM_TRUSTSTORE` on, the default):
//! - Linux and other Unix: the first system bundle file found (Debian/Alpine, RHEL, SUSE paths),
//!   plus any custom CA bundle, which adds to it rather than replacing it.
//! - macOS: `/etc/ssl/cert.pem`, the system roots Apple ships and updates with macOS (roots an
//!   administrator or MDM adds to the Keychain are not in it: export them to a custom bundle).
//! - Windows: no bundle file exists, and the Unix paths are never probed (`C:\etc\...` is
//!   writable by any user). Windows verifies each chain itself (CryptoAPI through
//!   `rustls-platform-verifier`): its trusted roots, enterprise roots from group policy included.
//!   That verifier cannot take extra roots, so a custom bundle there is trusted on its own.
//!
//! With the system store off, or no system bundle file found: the custom bundles alone, else
//! Mozilla's roots compiled into the binary.

use std::path::{Path, PathBuf};

use ureq::tls::{Certificate, ClientCert, PemItem, PrivateKey, RootCerts, TlsConfig, parse_pem};

use super::HttpError;

/// Where Unix systems keep the system CA bundle, most common first (the last is macOS's).
#[cfg(unix)]
pub const SYSTEM_BUNDLES: &[&str] = &[
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/ca-bundle.pem",
    "/etc/ssl/cert.pem",
];
/// None elsewhere: on Windows such a path would resolve on the current drive, where any user
/// may create it.
#[cfg(not(unix))]
pub const SYSTEM_BUNDLES: &[&str] = &[];

/// The operating system verifies certificate chains itself (instead of a bundle file).
const PLATFORM_VERIFIER: bool = cfg!(windows);

/// Where the trusted roots come from.
#[derive(Debug, Clone, PartialEq)]
pub enum Roots {
    /// PEM files: the system bundle, if used, then the custom bundles.
    Files {
        system: Option<PathBuf>,
        bundles: Vec<PathBuf>,
    },
    /// The operating system's own verification (Windows).
    Platform,
    /// Mozilla's roots, compiled into the binary.
    Compiled,
}

impl Roots {
    /// The choice, given the platform's facts (pure, so every platform's rule is tested here).
    pub fn choose(
        use_system_store: bool,
        system_bundle: Option<&Path>,
        platform_verifier: bool,
        bundles: &[PathBuf],
    ) -> Roots {
        if use_system_store && platform_verifier && bundles.is_empty() {
            return Roots::Platform;
        }
        let system = system_bundle
            .filter(|_| use_system_store)
            .map(Path::to_path_buf);
        if system.is_none() && bundles.is_empty() {
            return Roots::Compiled;
        }
        Roots::Files {
            system,
            bundles: bundles.to_vec(),
        }
    }
}

/// TLS settings for one product.
#[derive(Debug, Clone, PartialEq)]
pub struct TlsOptions {
    /// Verify the server certificate (false only with an explicit `*_SSL_VERIFY=false`).
    pub verify: bool,
    /// Trust the operating system's CA bundle (in addition to any custom bundle).
    pub use_system_store: bool,
    /// Extra CA bundles (PEM) to trust.
    pub ca_bundles: Vec<PathBuf>,
    pub client_cert: Option<PathBuf>,
    pub client_key: Option<PathBuf>,
}

impl Default for TlsOptions {
    fn default() -> Self {
        TlsOptions {
            verify: true,
            use_system_store: true,
            ca_bundles: Vec::new(),
            client_cert: None,
            client_key: None,
        }
    }
}

fn read(path: &Path, what: &str) -> Result<Vec<u8>, HttpError> {
    std::fs::read(path).map_err(|e| HttpError::InvalidRequest {
        reason: format!("cannot read {what} {}: {e}", path.display()),
    })
}

fn certificates(path: &Path, what: &str) -> Result<Vec<Certificate<'static>>, HttpError> {
    let pem = read(path, what)?;
    let certs: Vec<_> = parse_pem(&pem)
        .filter_map(|item| match item {
            Ok(PemItem::Certificate(c)) => Some(c),
            _ => None,
        })
        .collect();
    if certs.is_empty() {
        return Err(HttpError::InvalidRequest {
            reason: format!("{what} {} holds no PEM certificate", path.display()),
        });
    }
    Ok(certs)
}

fn private_key(path: &Path) -> Result<Option<PrivateKey<'static>>, HttpError> {
    let pem = read(path, "client key")?;
    Ok(parse_pem(&pem).find_map(|item| match item {
        Ok(PemItem::PrivateKey(k)) => Some(k),
        _ => None,
    }))
}

/// Ask rustls now whether it accepts the certificate and key: ureq would otherwise panic on the
/// first connection (e.g. for an X.509 v1 certificate or an unsupported key type).
fn check_client_cert(
    chain: &[Certificate<'static>],
    key: &PrivateKey<'static>,
) -> Result<(), String> {
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let certs = chain
        .iter()
        .map(|c| CertificateDer::from(c.der().to_vec()))
        .collect();
    let key = PrivateKeyDer::try_from(key.der().to_vec())
        .map_err(|e| format!("unreadable private key: {e}"))?;
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(rustls::RootCertStore::empty())
        .with_client_auth_cert(certs, key)
        .map(|_| ())
        .map_err(|e| match e.to_string() {
            s if s.contains("UnsupportedCertVersion") => "it is an X.509 v1 certificate; TLS needs v3 (issue it with extensions, e.g. extendedKeyUsage=clientAuth)".into(),
            s => s,
        })
}

impl TlsOptions {
    /// The system bundle that would be used, if any.
    pub fn system_bundle(&self) -> Option<&'static str> {
        if !self.use_system_store {
            return None;
        }
        SYSTEM_BUNDLES
            .iter()
            .copied()
            .find(|p| Path::new(p).is_file())
    }

    /// Where the trusted roots come from on this platform (see the module notes).
    pub fn roots(&self) -> Roots {
        Roots::choose(
            self.use_system_store,
            self.system_bundle().map(Path::new),
            PLATFORM_VERIFIER,
            &self.ca_bundles,
        )
    }

    /// The client certificate for mutual TLS, read and checked (cheap: done when the client is
    /// created, so a bad certificate stops the start instead of the first call).
    pub fn client_cert(&self) -> Result<Option<ClientCert>, HttpError> {
        let Some(cert_path) = &self.client_cert else {
            return Ok(None);
        };
        let chain = certificates(cert_path, "client certificate")?;
        let key_path = self.client_key.as_deref().unwrap_or(cert_path);
        let key = private_key(key_path)?.ok_or_else(|| HttpError::InvalidRequest {
            reason: format!("no PEM private key in {}", key_path.display()),
        })?;
        check_client_cert(&chain, &key).map_err(|e| HttpError::InvalidRequest {
            reason: format!(
                "client certificate {} is not usable: {e}",
                cert_path.display()
            ),
        })?;
        Ok(Some(ClientCert::new_with_certs(&chain, key)))
    }

    /// Build ureq's TLS configuration (parses the CA bundles: done on first use, not at start);
    /// errors name the unreadable file.
    pub fn build(&self, client_cert: Option<ClientCert>) -> Result<TlsConfig, HttpError> {
        let root_certs = match self.roots() {
            Roots::Platform => RootCerts::PlatformVerifier,
            Roots::Compiled => RootCerts::WebPki,
            Roots::Files { system, bundles } => {
                if self.use_system_store && system.is_none() && PLATFORM_VERIFIER {
                    log::warn!(
                        "a custom CA bundle replaces the Windows certificate store: only its certificates are trusted"
                    );
                }
                let mut roots = Vec::new();
                if let Some(system) = system {
                    roots.extend(certificates(&system, "system CA bundle")?);
                }
                for bundle in &bundles {
                    roots.extend(certificates(bundle, "CA bundle")?);
                }
                RootCerts::new_with_certs(&roots)
            }
        };
        if !self.verify {
            log::warn!(
                "TLS certificate verification is off (SSL_VERIFY=false): connections can be intercepted"
            );
        }
        Ok(TlsConfig::builder()
            .root_certs(root_certs)
            .client_cert(client_cert)
            .disable_verification(!self.verify)
            .build())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roots_per_platform() {
        let sys = Some(Path::new("/etc/ssl/cert.pem"));
        let corp = vec![PathBuf::from(r"C:\certs\corp.pem")];
        let files = |system: Option<&Path>, bundles: &[PathBuf]| Roots::Files {
            system: system.map(Path::to_path_buf),
            bundles: bundles.to_vec(),
        };
        // Linux and macOS: the bundle file found, plus custom bundles.
        assert_eq!(Roots::choose(true, sys, false, &[]), files(sys, &[]));
        assert_eq!(Roots::choose(true, sys, false, &corp), files(sys, &corp));
        // Windows: the OS verifies; a custom bundle is trusted on its own.
        assert_eq!(Roots::choose(true, None, true, &[]), Roots::Platform);
        assert_eq!(Roots::choose(true, None, true, &corp), files(None, &corp));
        // The system store off, or no bundle file: custom bundles, else the compiled-in roots.
        assert_eq!(Roots::choose(false, sys, false, &[]), Roots::Compiled);
        assert_eq!(Roots::choose(false, None, true, &[]), Roots::Compiled);
        assert_eq!(Roots::choose(false, sys, false, &corp), files(None, &corp));
        assert_eq!(Roots::choose(true, None, false, &[]), Roots::Compiled);
    }

    #[test]
    fn this_platform_never_probes_a_foreign_bundle_path() {
        for p in SYSTEM_BUNDLES {
            assert!(Path::new(p).is_absolute(), "{p}");
        }
        let off = TlsOptions {
            use_system_store: false,
            ..TlsOptions::default()
        };
        assert_eq!(off.system_bundle(), None);
        assert_eq!(off.roots(), Roots::Compiled);
        // The default builds, whatever this machine has.
        assert!(TlsOptions::default().build(None).is_ok());
    }
}

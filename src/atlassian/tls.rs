//! TLS settings of one product turned into ureq's rustls configuration: which roots are trusted
//! (the system bundle plus any custom CA bundle, which adds to it rather than replacing it, or the
//! compiled-in Mozilla roots), certificate verification on or off, and a client certificate for
//! mutual TLS.

use std::path::{Path, PathBuf};

use ureq::tls::{Certificate, ClientCert, PemItem, PrivateKey, RootCerts, TlsConfig, parse_pem};

use super::HttpError;

/// Where Linux distributions keep the system CA bundle, most common first.
pub const SYSTEM_BUNDLES: [&str; 4] = [
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/ca-bundle.pem",
    "/etc/ssl/cert.pem",
];

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
        let mut roots = Vec::new();
        if let Some(system) = self.system_bundle() {
            roots.extend(certificates(Path::new(system), "system CA bundle")?);
        }
        for bundle in &self.ca_bundles {
            roots.extend(certificates(bundle, "CA bundle")?);
        }
        let root_certs = if roots.is_empty() {
            RootCerts::WebPki
        } else {
            RootCerts::new_with_certs(&roots)
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

//! The mechanics of OAuth 2.0 with Atlassian, without any user interaction: PKCE (S256) and
//! `state` values from the system's secure random source, the authorize URL (Cloud 3LO at
//! `auth.atlassian.com`, Server/DC application links at `<site>/rest/oauth2/latest`), the token
//! endpoint (authorization code and refresh token grants, form-encoded) and the Cloud sites a
//! token may reach (`/oauth/token/accessible-resources` on the API gateway).

use rustls::crypto::ring::{cipher_suite, default_provider};
use serde_json::Value;

use super::super::client::Client;
use super::super::error::HttpError;
use super::super::{Credentials, Deployment, Secret};

/// The Cloud authorization server.
pub const CLOUD_AUTH_URL: &str = "https://auth.atlassian.com";
/// Token endpoint path on the Cloud authorization server.
pub const CLOUD_TOKEN_PATH: &str = "/oauth/token";
/// Authorize and token paths on a Server/Data Center site.
pub const DC_AUTHORIZE_PATH: &str = "/rest/oauth2/latest/authorize";
pub const DC_TOKEN_PATH: &str = "/rest/oauth2/latest/token";

/// Where a deployment's authorization server lives: `(base URL, token path)`. Cloud: the auth
/// URL (default [`CLOUD_AUTH_URL`]); Server/DC: the site itself.
pub fn token_endpoint(deployment: Deployment, auth_url: &str, site: &str) -> (String, String) {
    match deployment {
        Deployment::Cloud => (
            auth_url.trim_end_matches('/').to_string(),
            CLOUD_TOKEN_PATH.into(),
        ),
        Deployment::ServerDc => (site.trim_end_matches('/').to_string(), DC_TOKEN_PATH.into()),
    }
}

/// Base64url without padding (RFC 4648 §5), as PKCE wants.
pub fn base64url(input: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    for chunk in input.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..=chunk.len() {
            out.push(T[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

/// `n` bytes from the operating system's secure random source, base64url-encoded.
pub fn random_token(n: usize) -> Result<String, String> {
    let mut buf = vec![0u8; n];
    default_provider()
        .secure_random
        .fill(&mut buf)
        .map_err(|_| "the system's random source failed".to_string())?;
    Ok(base64url(&buf))
}

/// SHA-256 of `data` (ring's, through rustls: no extra crate).
pub fn sha256(data: &[u8]) -> Vec<u8> {
    cipher_suite::TLS13_AES_128_GCM_SHA256
        .tls13()
        .map(|s| s.common.hash_provider.hash(data).as_ref().to_vec())
        .unwrap_or_default()
}

/// A PKCE pair: a 43-character verifier and its S256 challenge.
pub fn pkce() -> Result<(String, String), String> {
    let verifier = random_token(32)?;
    let challenge = base64url(&sha256(verifier.as_bytes()));
    Ok((verifier, challenge))
}

/// Percent-encoding for query values (everything but unreserved characters).
fn enc(s: &str) -> String {
    super::super::transfer::segment(s)
}

/// What the authorize URL asks for.
pub struct AuthorizeRequest<'a> {
    pub deployment: Deployment,
    /// Cloud: the auth URL; Server/DC: the site.
    pub base: &'a str,
    pub client_id: &'a str,
    pub redirect_uri: &'a str,
    pub scope: &'a str,
    pub state: &'a str,
    pub challenge: &'a str,
}

/// The URL the user opens to consent. Cloud adds `audience=api.atlassian.com` and
/// `prompt=consent`; both add PKCE (S256).
pub fn authorize_url(r: &AuthorizeRequest<'_>) -> String {
    let base = r.base.trim_end_matches('/');
    let mut params = vec![
        ("client_id", r.client_id),
        ("scope", r.scope),
        ("redirect_uri", r.redirect_uri),
        ("state", r.state),
        ("response_type", "code"),
        ("code_challenge", r.challenge),
        ("code_challenge_method", "S256"),
    ];
    let url = match r.deployment {
        Deployment::Cloud => {
            params.insert(0, ("audience", "api.atlassian.com"));
            params.push(("prompt", "consent"));
            format!("{base}/authorize")
        }
        Deployment::ServerDc => format!("{base}{DC_AUTHORIZE_PATH}"),
    };
    let query: Vec<String> = params
        .iter()
        .map(|(k, v)| format!("{k}={}", enc(v)))
        .collect();
    format!("{url}?{}", query.join("&"))
}

/// A token endpoint's answer.
#[derive(Debug, Clone)]
pub struct TokenAnswer {
    pub access_token: Secret,
    pub refresh_token: Option<Secret>,
    /// Seconds; Atlassian sends it, 3600 is assumed otherwise (as the reference does).
    pub expires_in: f64,
}

/// POST a grant to the token endpoint (`client` is based at the authorization server, `path`
/// its token path). The client id and secret go in the form, as Atlassian documents.
pub fn token_request(
    client: &Client,
    path: &str,
    form: Vec<(String, String)>,
) -> Result<TokenAnswer, HttpError> {
    let v = client.post(path).form(form).send_json()?;
    let text = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
    let Some(access) = text("access_token") else {
        return Err(HttpError::InvalidResponse {
            reason: "the token endpoint sent no access_token".into(),
        });
    };
    Ok(TokenAnswer {
        access_token: Secret::new(access),
        refresh_token: text("refresh_token").map(Secret::new),
        expires_in: v
            .get("expires_in")
            .and_then(Value::as_f64)
            .unwrap_or(3600.0),
    })
}

/// The grant form of an authorization code (with the PKCE verifier).
pub fn code_grant(
    client_id: &str,
    client_secret: &str,
    code: &str,
    redirect_uri: &str,
    verifier: &str,
) -> Vec<(String, String)> {
    [
        ("grant_type", "authorization_code"),
        ("client_id", client_id),
        ("client_secret", client_secret),
        ("code", code),
        ("redirect_uri", redirect_uri),
        ("code_verifier", verifier),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

/// The grant form of a refresh token.
pub fn refresh_grant(
    client_id: &str,
    client_secret: &str,
    refresh_token: &str,
) -> Vec<(String, String)> {
    [
        ("grant_type", "refresh_token"),
        ("client_id", client_id),
        ("client_secret", client_secret),
        ("refresh_token", refresh_token),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

/// A Cloud site an access token may reach.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloudSite {
    pub id: String,
    pub url: String,
    pub name: String,
}

/// The Cloud sites of `token`, from the gateway's `/oauth/token/accessible-resources`
/// (`gateway` is a client based at the API gateway).
pub fn accessible_resources(gateway: &Client, token: &Secret) -> Result<Vec<CloudSite>, HttpError> {
    let creds = Credentials::Bearer(token.clone());
    let v = gateway
        .get("/oauth/token/accessible-resources")
        .credentials(&creds)
        .send_json()?;
    let field = |s: &Value, k: &str| s.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    let mut sites: Vec<CloudSite> = Vec::new();
    for s in v.as_array().into_iter().flatten() {
        let id = field(s, "id");
        if !id.is_empty() && !sites.iter().any(|x| x.id == id) {
            sites.push(CloudSite {
                id,
                url: field(s, "url"),
                name: field(s, "name"),
            });
        }
    }
    Ok(sites)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkce_matches_rfc7636_appendix_b() {
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        assert_eq!(
            base64url(&sha256(verifier.as_bytes())),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        let (v, c) = pkce().unwrap();
        assert_eq!(v.len(), 43);
        assert_eq!(c, base64url(&sha256(v.as_bytes())));
        assert_ne!(random_token(16).unwrap(), random_token(16).unwrap());
        assert_eq!(base64url(b"f"), "Zg");
        assert_eq!(base64url(b"\xfb\xff"), "-_8");
    }

    #[test]
    fn authorize_urls_per_deployment() {
        let mut r = AuthorizeRequest {
            deployment: Deployment::Cloud,
            base: "https://auth.atlassian.com/",
            client_id: "cid",
            redirect_uri: "http://localhost:8080/callback",
            scope: "read:jira-work offline_access",
            state: "st",
            challenge: "ch",
        };
        assert_eq!(
            authorize_url(&r),
            "https://auth.atlassian.com/authorize?audience=api.atlassian.com&client_id=cid\
             &scope=read%3Ajira-work%20offline_access&redirect_uri=http%3A%2F%2Flocalhost%3A8080%2Fcallback\
             &state=st&response_type=code&code_challenge=ch&code_challenge_method=S256&prompt=consent"
        );
        r.deployment = Deployment::ServerDc;
        r.base = "https://jira.example.com/jira";
        let dc = authorize_url(&r);
        assert!(
            dc.starts_with(
                "https://jira.example.com/jira/rest/oauth2/latest/authorize?client_id=cid"
            ),
            "{dc}"
        );
        assert!(!dc.contains("audience") && !dc.contains("prompt"), "{dc}");
    }
}

//! The token endpoint of the OAuth proxy (`POST /token`, form-encoded, RFC 6749 §3.2): the
//! `authorization_code` grant (the code is single-use and bound to its client, redirect URI and
//! PKCE S256 challenge; a code presented twice also revokes what it granted) and the
//! `refresh_token` grant (rotating: each refresh token works once and only for its client; one
//! presented again after its rotation revokes the whole grant, RFC 9700 §4.14.2).
//! Both answer with opaque random tokens of ours; Atlassian's tokens stay on the server.

use std::sync::Arc;

use serde_json::json;

use super::codec::{self, field};
use super::tables::{
    ACCESS_TTL, CLIENT_TTL, CODE_TTL, Code, Grant, MAX_RETIRED, REFRESH_TTL, TokenRef, UpstreamCell,
};
use super::{OAuthProxy, Reply};

/// A form body larger than this is refused.
pub const MAX_BODY: usize = 16 * 1024;

fn error(status: u16, code: &str, description: &str) -> Reply {
    let mut reply = Reply::json(
        status,
        json!({"error": code, "error_description": description}),
    )
    .no_store();
    if status == 401 {
        reply = reply.header("WWW-Authenticate", "Basic realm=\"mcp-atlassian\"".into());
    }
    reply
}

fn invalid_grant(description: &str) -> Reply {
    error(400, "invalid_grant", description)
}

impl OAuthProxy {
    /// `POST /token` with the body read and the `Authorization` header, if any.
    pub(super) fn token(&self, body: &[u8], authorization: Option<&str>, resource: &str) -> Reply {
        let form = match std::str::from_utf8(body)
            .map_err(|_| "the body is not UTF-8".to_string())
            .and_then(codec::parse_form)
        {
            Ok(f) => f,
            Err(e) => return error(400, "invalid_request", &e),
        };
        let client_id = match self.authenticate(&form, authorization) {
            Ok(id) => id,
            Err(reply) => return reply,
        };
        if !super::resource_ok(field(&form, "resource"), resource) {
            let only = format!("the only resource here is {resource}");
            return error(400, "invalid_target", &only);
        }
        let grant_type = field(&form, "grant_type").unwrap_or_default();
        if !self
            .settings
            .allowed_grant_types
            .iter()
            .any(|g| g == grant_type)
        {
            return error(
                400,
                "unsupported_grant_type",
                &format!(
                    "grant_type must be one of {}",
                    self.settings.allowed_grant_types.join(", ")
                ),
            );
        }
        let registered = self
            .tables()
            .clients
            .get(&client_id)
            .is_some_and(|c| c.grant_types.iter().any(|g| g == grant_type));
        if !registered {
            return error(
                400,
                "unauthorized_client",
                "this client did not register that grant type",
            );
        }
        match grant_type {
            "authorization_code" => self.redeem(&form, &client_id),
            _ => self.refresh(&form, &client_id),
        }
    }

    /// Who the client is: `client_secret_basic`, `client_secret_post` or a public client
    /// (`none`), as it registered; `Err` is the `invalid_client` answer.
    fn authenticate(
        &self,
        form: &[(String, String)],
        authorization: Option<&str>,
    ) -> Result<String, Reply> {
        let invalid = |status: u16| error(status, "invalid_client", "client authentication failed");
        let basic = authorization
            .and_then(|a| a.trim().split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("basic"))
            .map(|(_, v)| v.trim());
        // RFC 6749 §2.3: one authentication method per request.
        if basic.is_some() && field(form, "client_secret").is_some() {
            return Err(error(
                400,
                "invalid_request",
                "send the client secret either with HTTP Basic or in the body, not both",
            ));
        }
        let (id, secret, method) = match basic {
            Some(b) => {
                let pair = crate::mcp::content::base64_decode(b)
                    .and_then(|d| String::from_utf8(d).ok())
                    .ok_or_else(|| invalid(401))?;
                let (id, secret) = pair.split_once(':').ok_or_else(|| invalid(401))?;
                let (Some(id), Some(secret)) = (codec::decode(id), codec::decode(secret)) else {
                    return Err(invalid(401));
                };
                (id, Some(secret), "client_secret_basic")
            }
            None => {
                let id = field(form, "client_id").ok_or_else(|| invalid(401))?;
                match field(form, "client_secret") {
                    Some(s) => (id.to_string(), Some(s.to_string()), "client_secret_post"),
                    None => (id.to_string(), None, "none"),
                }
            }
        };
        if field(form, "client_id").is_some_and(|f| f != id) {
            return Err(error(400, "invalid_request", "two different client ids"));
        }
        let client = self.tables().clients.renew(&id, CLIENT_TTL).cloned();
        let Some(client) = client else {
            return Err(invalid(401));
        };
        let secret_ok = match (&client.secret_digest, secret) {
            (None, None) => true,
            (Some(want), Some(got)) => codec::same(
                want.as_bytes(),
                codec::sha256_b64(got.as_bytes()).as_bytes(),
            ),
            _ => false,
        };
        // A confidential client may use either secret method; a public one only `none`.
        let method_ok =
            client.auth_method == method || (client.auth_method != "none" && method != "none");
        if secret_ok && method_ok {
            Ok(client.id)
        } else {
            Err(invalid(401))
        }
    }

    /// The `authorization_code` grant.
    fn redeem(&self, form: &[(String, String)], client_id: &str) -> Reply {
        let Some(code) = field(form, "code") else {
            return error(400, "invalid_request", "code is missing");
        };
        let key = codec::sha256_b64(code.as_bytes());
        let mut t = self.tables();
        // Taken out whatever happens next: a code fails once and is gone.
        let Some(entry) = t.codes.take(&key) else {
            return invalid_grant("the code is unknown or expired");
        };
        let request = entry.request;
        let Some(upstream) = entry.upstream else {
            // RFC 6749 §4.1.2: a code used twice revokes the tokens it produced.
            if let Some(grant) = entry.spent {
                t.revoke(&grant);
                log::warn!("OAuth proxy: a code was presented again; its grant is revoked");
            }
            return invalid_grant("the code was already used");
        };
        if request.client_id != client_id {
            return invalid_grant("the code was issued to another client");
        }
        let redirect_ok = match field(form, "redirect_uri") {
            Some(r) => r == request.redirect_uri,
            None => !request.redirect_given,
        };
        if !redirect_ok {
            return invalid_grant("redirect_uri does not match the authorization request");
        }
        let verifier = field(form, "code_verifier").unwrap_or_default();
        if !codec::pkce_matches(verifier, &request.challenge) {
            return invalid_grant("the PKCE code_verifier does not match the code_challenge");
        }
        let Ok(grant_id) = codec::random_token(16) else {
            return error(500, "server_error", "no random value");
        };
        // Remember the spent code until it would have expired, to catch a replay.
        let spent = Code {
            request,
            upstream: None,
            spent: Some(grant_id.clone()),
        };
        t.codes.insert(key, spent, CODE_TTL);
        let with_refresh = self.refreshable(&mut t, client_id);
        let retired = Vec::new();
        let upstream = UpstreamCell::new(upstream);
        issue_tokens(&mut t, grant_id, client_id, upstream, with_refresh, retired)
    }

    /// The `refresh_token` grant: rotate both tokens of the grant.
    fn refresh(&self, form: &[(String, String)], client_id: &str) -> Reply {
        let Some(token) = field(form, "refresh_token") else {
            return error(400, "invalid_request", "refresh_token is missing");
        };
        let key = codec::sha256_b64(token.as_bytes());
        let mut t = self.tables();
        let Some(found) = t.refresh.get(&key).cloned() else {
            // A rotated token comes back: it leaked, or the client replays it. Either way the
            // grant can no longer be trusted (RFC 9700 §4.14.2).
            if let Some(old) = t.retired.take(&key) {
                t.revoke(&old.grant_id);
                log::warn!(
                    "OAuth proxy: a rotated refresh token was presented again; its grant is revoked"
                );
            }
            return invalid_grant("the refresh token is unknown, expired or already used");
        };
        if found.client_id != client_id {
            return invalid_grant("the refresh token was issued to another client");
        }
        let Some(old) = t.grants.take(&found.grant_id) else {
            t.refresh.remove(&key);
            return invalid_grant("the grant of this refresh token has ended");
        };
        t.access.remove(&old.access_digest);
        t.refresh.remove(&key);
        let mut retired = old.retired;
        retired.push(key.clone());
        t.retired.insert(key, found.clone(), REFRESH_TTL);
        if retired.len() > MAX_RETIRED {
            let oldest = retired.remove(0);
            t.retired.remove(&oldest);
        }
        issue_tokens(
            &mut t,
            found.grant_id,
            client_id,
            old.upstream,
            true,
            retired,
        )
    }

    fn refreshable(&self, t: &mut super::tables::Tables, client_id: &str) -> bool {
        self.settings
            .allowed_grant_types
            .iter()
            .any(|g| g == "refresh_token")
            && t.clients
                .get(client_id)
                .is_some_and(|c| c.grant_types.iter().any(|g| g == "refresh_token"))
    }
}

/// New tokens for a grant: stored under their digests, sent once.
fn issue_tokens(
    t: &mut super::tables::Tables,
    grant_id: String,
    client_id: &str,
    upstream: Arc<UpstreamCell>,
    with_refresh: bool,
    retired: Vec<String>,
) -> Reply {
    let (Ok(access), Ok(refresh)) = (codec::random_token(32), codec::random_token(32)) else {
        return error(500, "server_error", "no random value");
    };
    let token_ref = TokenRef {
        grant_id: grant_id.clone(),
        client_id: client_id.to_string(),
    };
    let access_digest = codec::sha256_b64(access.as_bytes());
    let refresh_digest = with_refresh.then(|| codec::sha256_b64(refresh.as_bytes()));
    t.access
        .insert(access_digest.clone(), token_ref.clone(), ACCESS_TTL);
    if let Some(d) = &refresh_digest {
        t.refresh.insert(d.clone(), token_ref, REFRESH_TTL);
    }
    let life = if with_refresh {
        REFRESH_TTL
    } else {
        ACCESS_TTL
    };
    if let Some(c) = t.clients.get(client_id) {
        c.granted = true;
    }
    let grant = Grant {
        client_id: client_id.to_string(),
        access_digest,
        refresh_digest,
        retired,
        upstream,
    };
    t.grants.insert(grant_id, grant, life);
    let mut out = json!({
        "access_token": access,
        "token_type": "Bearer",
        "expires_in": ACCESS_TTL.as_secs(),
    });
    if with_refresh {
        out["refresh_token"] = json!(refresh);
    }
    Reply::json(200, out).no_store()
}

//! Endpoints that sit outside the product APIs: OAuth 2.0 — Cloud 3LO at `/authorize` and
//! `/oauth/token`, Server/DC application links at `/rest/oauth2/latest/authorize` and `/token`.
//! Authorize redirects straight back with a code (consent is implied; `login_hint=<username>`
//! picks the user, default the first seeded one) and keeps a PKCE challenge, which the code
//! exchange then checks (S256 only); the token endpoint exchanges codes and *rotating* refresh
//! tokens (a used refresh token is dead). Cloud only: `/oauth/token/accessible-resources` lists the site;
//! `/_edge/tenant_info` gives the cloud id; `/media/file/{id}/binary` serves the target of
//! Jira's 303 attachment redirect (authorised by the token in its URL, not by credentials).

use crate::Flavour;
use crate::Locked;
use crate::auth::{self, Family};
use crate::http::{Req, Resp, base64_decode, parse_query, percent_encode};
use crate::router::{App, Ctx};
use crate::time;
use serde_json::{Value, json};

const SCOPES: &[&str] = &[
    "read:jira-work",
    "write:jira-work",
    "read:jira-user",
    "read:confluence-content.all",
    "write:confluence-content",
    "offline_access",
];

fn oauth_err(status: u16, code: &str, desc: &str) -> Resp {
    Resp::json(status, &json!({"error": code, "error_description": desc}))
}

fn token(kind: &str) -> String {
    let n = time::now_ms() as u64 ^ 0x9e37_79b9_7f4a_7c15;
    let mut x = n
        .wrapping_mul(6_364_136_223_846_793_005)
        .wrapping_add(COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
    let mut s = format!("{kind}-");
    for _ in 0..24 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        s.push(b"abcdefghijklmnopqrstuvwxyz0123456789"[(x % 36) as usize] as char);
    }
    s
}

static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

/// Endpoints answered without credentials; `None` when the path is not one of them.
pub fn public(app: &App, req: &Req) -> Option<Resp> {
    if app.flavour != Flavour::Cloud {
        return match (req.method.as_str(), req.path.as_str()) {
            ("GET", "/rest/oauth2/latest/authorize") => Some(authorize(app, req)),
            ("POST", "/rest/oauth2/latest/token") => Some(exchange(app, req)),
            _ => None,
        };
    }
    let path = req.path.as_str();
    Some(match (req.method.as_str(), path) {
        ("GET", "/authorize") => authorize(app, req),
        ("POST", "/oauth/token") => exchange(app, req),
        ("GET", "/_edge/tenant_info") => {
            Resp::ok(json!({"cloudId": app.state.locked().site.cloud_id}))
        }
        ("GET", p) if p.starts_with("/media/file/") => media(app, req),
        _ => return None,
    })
}

fn authorize(app: &App, req: &Req) -> Resp {
    let st = &mut app.state.locked();
    let client = req.q("client_id").unwrap_or("");
    if !st.site.oauth_clients.iter().any(|c| c.client_id == client) {
        return oauth_err(400, "invalid_client", "Unknown client_id.");
    }
    let Some(redirect) = req.q("redirect_uri") else {
        return oauth_err(400, "invalid_request", "redirect_uri is required.");
    };
    if req.q("response_type") != Some("code") {
        return oauth_err(
            400,
            "unsupported_response_type",
            "response_type must be code.",
        );
    }
    let who = req
        .q("login_hint")
        .unwrap_or_else(|| st.users.first().map(|u| u.username.as_str()).unwrap_or(""));
    let Some(user) = st.user(who).map(|u| u.username.clone()) else {
        return oauth_err(400, "invalid_request", "login_hint names no seeded user.");
    };
    let code = token("code");
    let scope = req.q("scope").unwrap_or("read:jira-work").to_string();
    if let Some(challenge) = req.q("code_challenge") {
        if req.q("code_challenge_method") != Some("S256") {
            return oauth_err(
                400,
                "invalid_request",
                "Only S256 PKCE challenges are supported.",
            );
        }
        st.oauth
            .challenges
            .insert(code.clone(), challenge.to_string());
    }
    st.oauth
        .codes
        .insert(code.clone(), (user, client.into(), redirect.into(), scope));
    let sep = if redirect.contains('?') { '&' } else { '?' };
    let mut loc = format!("{redirect}{sep}code={}", percent_encode(&code));
    if let Some(state) = req.q("state") {
        loc.push_str(&format!("&state={}", percent_encode(state)));
    }
    Resp::empty(302).with_header("Location", &loc)
}

fn exchange(app: &App, req: &Req) -> Resp {
    let body: Value = match req.json() {
        Ok(Some(v)) => v,
        _ => {
            let form = parse_query(&String::from_utf8_lossy(&req.body));
            Value::Object(
                form.into_iter()
                    .map(|(k, v)| (k, Value::String(v)))
                    .collect(),
            )
        }
    };
    let get = |k: &str| body[k].as_str().unwrap_or("").to_string();
    let st = &mut app.state.locked();
    let (client, secret) = (get("client_id"), get("client_secret"));
    if !st
        .site
        .oauth_clients
        .iter()
        .any(|c| c.client_id == client && c.client_secret == secret)
    {
        return oauth_err(401, "access_denied", "Unauthorized");
    }
    let (user, scope) = match get("grant_type").as_str() {
        "authorization_code" => match st.oauth.codes.remove(&get("code")) {
            Some(_)
                if !pkce_ok(
                    st.oauth.challenges.remove(&get("code")),
                    &get("code_verifier"),
                ) =>
            {
                return oauth_err(
                    400,
                    "invalid_grant",
                    "The PKCE code_verifier does not match.",
                );
            }
            Some((u, c, r, s)) if c == client && r == get("redirect_uri") => (u, s),
            Some(_) => {
                return oauth_err(
                    403,
                    "invalid_grant",
                    "The redirect_uri does not match the authorization request.",
                );
            }
            None => return oauth_err(403, "invalid_grant", "Invalid authorization code"),
        },
        "refresh_token" => match st.oauth.refresh.remove(&get("refresh_token")) {
            Some((u, c, s)) if c == client => (u, s),
            _ => return oauth_err(403, "invalid_grant", "Unknown or invalid refresh token."),
        },
        other => {
            return oauth_err(
                400,
                "unsupported_grant_type",
                &format!("grant_type '{other}' is not supported."),
            );
        }
    };
    let access = token("at");
    let lifetime = st.oauth.lifetime_s.unwrap_or(3600);
    st.oauth.access.insert(
        access.clone(),
        (
            user.clone(),
            time::now_ms() + lifetime * 1000,
            scope.clone(),
        ),
    );
    let mut out = json!({"access_token": access, "expires_in": lifetime, "token_type": "Bearer", "scope": scope});
    // Cloud issues refresh tokens for offline_access only; Server/DC always does.
    if app.flavour == Flavour::Server || scope.split_whitespace().any(|s| s == "offline_access") {
        let refresh = token("rt");
        st.oauth
            .refresh
            .insert(refresh.clone(), (user, client, scope));
        out["refresh_token"] = json!(refresh);
    }
    Resp::ok(out)
}

/// True when no challenge was sent, or `verifier` hashes to it (RFC 7636 S256).
fn pkce_ok(challenge: Option<String>, verifier: &str) -> bool {
    let Some(challenge) = challenge else {
        return true;
    };
    let Some(suite) = rustls::crypto::ring::cipher_suite::TLS13_AES_128_GCM_SHA256.tls13() else {
        return false;
    };
    let digest = suite.common.hash_provider.hash(verifier.as_bytes());
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut enc = String::new();
    for chunk in digest.as_ref().chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..=chunk.len() {
            enc.push(T[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    !verifier.is_empty() && enc == challenge
}

fn media(app: &App, req: &Req) -> Resp {
    let id = req
        .path
        .trim_start_matches("/media/file/")
        .split('/')
        .next()
        .unwrap_or("");
    let ok = req
        .q("token")
        .and_then(base64_decode)
        .and_then(|b| String::from_utf8(b).ok())
        == Some(format!("media:{id}"));
    if !ok {
        return Resp::json(401, &json!({"error": "invalid media token"}));
    }
    let st = app.state.locked();
    match st
        .jira
        .issues
        .iter()
        .flat_map(|i| &i.attachments)
        .find(|a| a.id.to_string() == id)
    {
        Some(a) => Resp::bytes(200, &a.mime, a.data.clone()),
        None => Resp::json(404, &json!({"error": "no such file"})),
    }
}

/// Authenticated endpoints outside the product families.
pub fn private(ctx: &mut Ctx, method: &str, req: &Req) -> Option<Resp> {
    if !ctx.cloud() {
        return None;
    }
    match (method, req.path.as_str()) {
        ("GET", "/oauth/token/accessible-resources") => {
            let site = &ctx.st.site;
            Some(Resp::ok(
                json!([{"id": site.cloud_id, "url": ctx.base, "name": site.name, "scopes": SCOPES,
                "avatarUrl": "https://site-admin-avatar-cdn.prod.public.atl-paas.net/avatars/240/rocket.png"}]),
            ))
        }
        ("GET", "/me") => Some(Resp::ok(
            json!({"account_id": ctx.user.account_id, "email": ctx.user.email, "name": ctx.user.display_name,
            "account_type": "atlassian", "account_status": "active"}),
        )),
        _ => Some(auth::error(
            Family::Other,
            404,
            &format!("The sandbox does not serve {method} {}.", req.path),
        )),
    }
}

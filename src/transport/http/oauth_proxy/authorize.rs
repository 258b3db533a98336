//! The browser's part of the OAuth proxy: `GET /authorize` checks the client's request (an
//! unknown client or redirect URI gets an error page, never a redirect; anything wrong after
//! that goes back to the client as `error=`), shows the consent page when
//! ATLASSIAN_OAUTH_REQUIRE_CONSENT is on (`POST /authorize` is the user's answer, carrying a
//! single-use CSRF token that must match the page's cookie), then sends the browser to
//! Atlassian with our own `state` and PKCE pair, and a cookie of its own that binds the sign-in
//! to that browser. Atlassian's callback ends at the path of ATLASSIAN_OAUTH_REDIRECT_URI: it is
//! refused unless it comes back in the browser holding that cookie (else someone could start a
//! sign-in, consent, and hand Atlassian's authorize URL to a victim whose approval would then
//! land at the attacker's client); the code is exchanged there, the user's tokens stay here,
//! and the browser goes back to the client with a short-lived, single-use code of ours.

use std::time::{Duration, Instant};

use super::codec::{self, field, html, with_query};
use super::tables::{AuthRequest, CLIENT_TTL, CODE_TTL, Code, Flight, PENDING_TTL, UpstreamState};
use super::{ExchangeError, OAuthProxy, Reply};

/// The cookie that binds a consent form to the browser the page was shown to.
const CONSENT_COOKIE: &str = "mcp_oauth_consent";
/// The cookie that binds a sign-in at Atlassian to the browser sent there: one per sign-in
/// (the name ends with a tag of our `state`), so two sign-ins in one browser do not collide.
const FLIGHT_COOKIE: &str = "mcp_oauth_flight";

/// A `Set-Cookie` value for the public base `issuer` (an empty `value` and a zero `max_age`
/// clear it). Over https: `Secure` and the `__Host-` prefix, which requires `Path=/` and no
/// `Domain`, so no other host or path can plant or read it; over http (a loopback listener):
/// `path`.
fn set_cookie(
    issuer: &str,
    name: &str,
    value: &str,
    path: &str,
    max_age: Duration,
    same_site: &str,
) -> String {
    let (name, path, secure) = match issuer.starts_with("https://") {
        true => (format!("__Host-{name}"), "/", "; Secure"),
        false => (name.to_string(), path, ""),
    };
    format!(
        "{name}={value}; Path={path}; Max-Age={}; HttpOnly; SameSite={same_site}{secure}",
        max_age.as_secs()
    )
}

/// The name a cookie is sent back under (see [`set_cookie`]).
fn cookie_name(issuer: &str, name: &str) -> String {
    match issuer.starts_with("https://") {
        true => format!("__Host-{name}"),
        false => name.to_string(),
    }
}

/// The flight cookie's name for our upstream `state`.
fn flight_cookie(state: &str) -> String {
    let digest = codec::sha256_b64(state.as_bytes());
    format!("{FLIGHT_COOKIE}_{}", &digest[..12])
}

/// A small self-contained page (no scripts, no external resources).
fn page(status: u16, title: &str, body: &str) -> Reply {
    let doc = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{t}</title>\
<style>body{{font-family:system-ui,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem;\
line-height:1.5}}button{{font-size:1rem;padding:.5rem 1.2rem;margin-right:.5rem}}\
code{{background:#eee;padding:0 .2rem}}</style></head><body><h1>{t}</h1>{body}</body></html>",
        t = html(title)
    );
    Reply::html(status, doc)
}

/// An error shown in the browser (the redirect URI cannot be trusted yet).
fn error_page(status: u16, message: &str) -> Reply {
    page(
        status,
        "Sign-in cannot continue",
        &format!(
            "<p>{}</p><p>Close this window and start the sign-in again from your MCP client.</p>",
            html(message)
        ),
    )
}

/// Back to the client's (validated) redirect URI with an OAuth error; `issuer` is sent as
/// `iss` (RFC 9207), so a client talking to several servers knows who answered.
fn client_error(request: &AuthRequest, issuer: &str, code: &str, description: &str) -> Reply {
    let mut params = vec![("error", code), ("error_description", description)];
    if let Some(s) = &request.state {
        params.push(("state", s));
    }
    params.push(("iss", issuer));
    Reply::redirect(with_query(&request.redirect_uri, &params))
}

/// The host part of a redirect URI, shown on the consent page.
fn host_of(uri: &str) -> &str {
    let rest = uri.split_once("://").map_or(uri, |(_, r)| r);
    rest.split(['/', '?']).next().unwrap_or(rest)
}

/// The path part of the public base URL (`https://x.example/mcp-atlassian` → `/mcp-atlassian`).
fn base_path(base: &str) -> &str {
    let rest = base.split_once("://").map_or(base, |(_, r)| r);
    rest.find('/')
        .map_or("", |i| rest[i..].trim_end_matches('/'))
}

/// The value of one cookie in a `Cookie` header.
fn cookie<'a>(header: Option<&'a str>, name: &str) -> Option<&'a str> {
    header?
        .split(';')
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

impl OAuthProxy {
    /// `GET /authorize` with its query string parsed.
    pub(super) fn authorize(&self, query: &str, issuer: &str, resource: &str) -> Reply {
        let q = match codec::parse_form(query) {
            Ok(q) => q,
            Err(e) => return error_page(400, &format!("The request is malformed: {e}.")),
        };
        let Some(client_id) = field(&q, "client_id") else {
            return error_page(400, "The request names no client (client_id is missing).");
        };
        let Some(client) = self.tables().clients.renew(client_id, CLIENT_TTL).cloned() else {
            return error_page(
                400,
                "This client is not registered here (registrations are lost when the server restarts): let the client register again.",
            );
        };
        let given = field(&q, "redirect_uri");
        let redirect_uri = match given {
            Some(uri) if client.redirect_uris.iter().any(|r| r == uri) => uri.to_string(),
            None if client.redirect_uris.len() == 1 => client.redirect_uris[0].clone(),
            Some(_) => {
                return error_page(
                    400,
                    "The redirect URI is not one this client registered; nothing was sent to it.",
                );
            }
            None => return error_page(400, "The request has no redirect_uri."),
        };
        let request = AuthRequest {
            client_id: client.id.clone(),
            redirect_uri,
            redirect_given: given.is_some(),
            state: field(&q, "state").map(str::to_string),
            challenge: field(&q, "code_challenge").unwrap_or_default().to_string(),
        };
        if field(&q, "response_type") != Some("code") {
            return client_error(
                &request,
                issuer,
                "unsupported_response_type",
                "response_type must be code",
            );
        }
        if !super::resource_ok(field(&q, "resource"), resource) {
            return client_error(
                &request,
                issuer,
                "invalid_target",
                &format!("the only resource here is {resource}"),
            );
        }
        if !client.grant_types.iter().any(|g| g == "authorization_code") {
            return client_error(
                &request,
                issuer,
                "unauthorized_client",
                "the client may not use codes",
            );
        }
        let challenge_ok = (43..=128).contains(&request.challenge.len())
            && request
                .challenge
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'));
        if !challenge_ok || field(&q, "code_challenge_method") != Some("S256") {
            return client_error(
                &request,
                issuer,
                "invalid_request",
                "PKCE is required: send code_challenge with code_challenge_method=S256",
            );
        }
        if !self.settings.require_consent {
            return self.to_upstream(request, issuer);
        }
        let Ok(csrf) = codec::random_token(32) else {
            return error_page(500, "The server could not make a random value.");
        };
        let name = client
            .name
            .clone()
            .unwrap_or_else(|| "An MCP client".into());
        let host = host_of(&request.redirect_uri).to_string();
        self.tables()
            .consents
            .insert(codec::sha256_b64(csrf.as_bytes()), request, PENDING_TTL);
        let body = format!(
            "<p><strong>{name}</strong> (client id <code>{id}</code>) asks to use Jira and \
Confluence on your behalf through this MCP server.</p>\
<p>If you allow it, you sign in at <strong>{upstream}</strong> next, and then go back to \
<strong>{host}</strong>.</p><p>Only allow it if you started this sign-in yourself.</p>\
<form method=\"post\" action=\"authorize\"><input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
<button type=\"submit\" name=\"decision\" value=\"allow\">Allow</button>\
<button type=\"submit\" name=\"decision\" value=\"deny\">Deny</button></form>",
            name = html(&name),
            id = html(&client.id),
            upstream = html(&self.upstream.name()),
            host = html(&host),
        );
        // Over http, behind a reverse proxy the public base may have a path: the cookie follows
        // it; over https it is a `__Host-` cookie (Path=/).
        let path = format!("{}/authorize", base_path(issuer));
        let cookie = set_cookie(issuer, CONSENT_COOKIE, &csrf, &path, PENDING_TTL, "Strict");
        page(200, "Allow access?", &body).header("Set-Cookie", cookie)
    }

    /// `POST /authorize`: the answer on the consent page.
    pub(super) fn consent(&self, body: &[u8], cookies: Option<&str>, issuer: &str) -> Reply {
        let form = match codec::parse_form(&String::from_utf8_lossy(body)) {
            Ok(f) => f,
            Err(e) => return error_page(400, &format!("The form is malformed: {e}.")),
        };
        let csrf = field(&form, "csrf").unwrap_or_default();
        let bound = cookie(cookies, &cookie_name(issuer, CONSENT_COOKIE))
            .is_some_and(|c| codec::same(c.as_bytes(), csrf.as_bytes()));
        if csrf.is_empty() || !bound {
            return error_page(
                400,
                "This answer does not come from the consent page shown in this browser.",
            );
        }
        let Some(request) = self
            .tables()
            .consents
            .take(&codec::sha256_b64(csrf.as_bytes()))
        else {
            return error_page(
                400,
                "This consent page was already answered or has expired.",
            );
        };
        let path = format!("{}/authorize", base_path(issuer));
        let cleared = set_cookie(issuer, CONSENT_COOKIE, "", &path, Duration::ZERO, "Strict");
        let reply = match field(&form, "decision") {
            Some("allow") => self.to_upstream(request, issuer),
            _ => client_error(&request, issuer, "access_denied", "the user denied access"),
        };
        reply.header("Set-Cookie", cleared)
    }

    /// Send the browser to Atlassian for this (checked, consented) request.
    fn to_upstream(&self, request: AuthRequest, issuer: &str) -> Reply {
        let Ok(state) = codec::random_token(24) else {
            return client_error(&request, issuer, "server_error", "no random value");
        };
        let Ok(browser) = codec::random_token(32) else {
            return client_error(&request, issuer, "server_error", "no random value");
        };
        match self.upstream.begin(&state) {
            Ok((url, verifier)) => {
                // Lax: Atlassian's redirect back is a top-level cross-site GET.
                let cookie = set_cookie(
                    issuer,
                    &flight_cookie(&state),
                    &browser,
                    &self.settings.callback_path,
                    PENDING_TTL,
                    "Lax",
                );
                let flight = Flight {
                    request,
                    verifier,
                    browser: codec::sha256_b64(browser.as_bytes()),
                };
                self.tables().flights.insert(state, flight, PENDING_TTL);
                Reply::redirect(url).header("Set-Cookie", cookie)
            }
            Err(e) => {
                log::error!("OAuth proxy: cannot start the Atlassian sign-in: {e}");
                client_error(
                    &request,
                    issuer,
                    "server_error",
                    "the sign-in could not start",
                )
            }
        }
    }

    /// Atlassian's redirect back to us (the path of ATLASSIAN_OAUTH_REDIRECT_URI), with the
    /// request's `Cookie` header.
    pub(super) fn callback(&self, query: &str, issuer: &str, cookies: Option<&str>) -> Reply {
        let q = codec::parse_form(query).unwrap_or_default();
        let state = field(&q, "state").unwrap_or_default();
        // Taken whatever happens next: a sign-in comes back once.
        let Some(flight) = self.tables().flights.take(state) else {
            return error_page(
                400,
                "This sign-in is unknown or has expired (it must finish within 10 minutes, once).",
            );
        };
        let name = flight_cookie(state);
        let cleared = set_cookie(
            issuer,
            &name,
            "",
            &self.settings.callback_path,
            Duration::ZERO,
            "Lax",
        );
        let bound = cookie(cookies, &cookie_name(issuer, &name)).is_some_and(|v| {
            codec::same(
                codec::sha256_b64(v.as_bytes()).as_bytes(),
                flight.browser.as_bytes(),
            )
        });
        let reply = if bound {
            self.finish(flight, &q, issuer)
        } else {
            log::warn!(
                "OAuth proxy: refused a sign-in of client {} that came back in another browser than the one sent to Atlassian",
                flight.request.client_id
            );
            error_page(
                400,
                "This sign-in was not started in this browser, so it cannot finish here. If you did not start it yourself, someone may have sent you the link: nothing was granted.",
            )
        };
        reply.header("Set-Cookie", cleared)
    }

    /// The rest of the callback, once it is known to come from the right browser.
    fn finish(&self, flight: Flight, q: &[(String, String)], issuer: &str) -> Reply {
        let request = flight.request;
        if let Some(err) = field(q, "error") {
            log::info!("OAuth proxy: Atlassian answered the sign-in with {err}");
            return client_error(
                &request,
                issuer,
                "access_denied",
                "the sign-in at Atlassian was refused",
            );
        }
        let Some(code) = field(q, "code") else {
            return client_error(&request, issuer, "server_error", "Atlassian sent no code");
        };
        let tokens = match self.upstream.exchange(code, &flight.verifier) {
            Ok(t) => t,
            Err(ExchangeError::Refused(why)) => {
                log::warn!("OAuth proxy: a sign-in was refused: {why}");
                return error_page(
                    403,
                    &format!(
                        "You signed in at Atlassian, but this server cannot use that sign-in: {why}."
                    ),
                );
            }
            Err(e) => {
                log::warn!("OAuth proxy: the code exchange at Atlassian failed: {e}");
                return client_error(&request, issuer, "server_error", "the code exchange failed");
            }
        };
        let Ok(ours) = codec::random_token(32) else {
            return client_error(&request, issuer, "server_error", "no random value");
        };
        let upstream = UpstreamState {
            access: tokens.access_token,
            refresh: tokens.refresh_token,
            expires_at: Instant::now() + tokens.expires_in.min(Duration::from_secs(366 * 86400)),
            site: tokens.site,
            failed_at: None,
        };
        let mut params = vec![("code", ours.as_str())];
        if let Some(s) = &request.state {
            params.push(("state", s));
        }
        params.push(("iss", issuer));
        let location = with_query(&request.redirect_uri, &params);
        log::info!("OAuth proxy: client {} signed in", request.client_id);
        let entry = Code {
            request,
            upstream: Some(upstream),
            spent: None,
        };
        self.tables()
            .codes
            .insert(codec::sha256_b64(ours.as_bytes()), entry, CODE_TTL);
        Reply::redirect(location)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_and_hosts() {
        let h = Some("a=1; mcp_oauth_consent=xyz; b=2");
        assert_eq!(cookie(h, CONSENT_COOKIE), Some("xyz"));
        assert_eq!(cookie(Some("mcp_oauth_consentx=1"), CONSENT_COOKIE), None);
        assert_eq!(cookie(None, CONSENT_COOKIE), None);
        assert_eq!(
            host_of("http://localhost:33418/callback?x"),
            "localhost:33418"
        );
        assert_eq!(base_path("https://x.example/prefix/"), "/prefix");
        assert_eq!(base_path("http://127.0.0.1:8000"), "");
    }
}

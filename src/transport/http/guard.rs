//! Checks every MCP request passes before it reaches the dispatcher: `Origin` and, on a loopback
//! listener, `Host` (DNS-rebinding protection, 403), and who the caller is: the `Authorization`
//! header and the kept headers become an `mcp::Caller`, and a request without credentials gets
//! 401 when the server may not lend its own.

use std::net::IpAddr;
use std::sync::Arc;

use serde_json::Value;
use tiny_http::Request;

use super::HttpOptions;
use super::wire::rpc_error;
use crate::mcp::{Caller, TokenSite};

/// A refusal: status, JSON body and extra headers.
pub type Refusal = (u16, Value, Vec<(&'static str, String)>);

/// A host that can only mean this machine: a loopback IP address (`127.0.0.0/8`, `::1`, also
/// bracketed) or the reserved names `localhost` and `*.localhost` (RFC 6761). Any other name,
/// even one that starts with `127.`, may resolve anywhere (DNS rebinding).
fn is_local_host(host: &str) -> bool {
    let bare = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    if let Ok(ip) = bare.parse::<IpAddr>() {
        return match ip {
            IpAddr::V6(v6) => {
                v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
            }
            IpAddr::V4(v4) => v4.is_loopback(),
        };
    }
    let name = bare.strip_suffix('.').unwrap_or(bare).to_ascii_lowercase();
    name == "localhost"
        || name
            .strip_suffix(".localhost")
            .is_some_and(|sub| !sub.is_empty() && sub.split('.').all(|l| !l.is_empty()))
}

/// The host part of `host[:port]` or `[v6][:port]`, brackets removed. Anything that is not such
/// an authority (text after `]`, a port that is not a number, an unbracketed IPv6 address) is
/// returned whole, so it can match neither a loopback address nor a loopback name.
fn host_part(authority: &str) -> &str {
    let port_ok = |p: &str| p.is_empty() || p.bytes().all(|b| b.is_ascii_digit());
    if let Some(rest) = authority.strip_prefix('[') {
        return match rest.split_once(']') {
            Some((host, "")) => host,
            Some((host, tail)) if tail.strip_prefix(':').is_some_and(port_ok) => host,
            _ => authority,
        };
    }
    match authority.split_once(':') {
        None => authority,
        Some((host, port)) if port_ok(port) => host,
        Some(_) => authority,
    }
}

/// `scheme://host[:port]` → host.
fn origin_host(origin: &str) -> Option<&str> {
    let (_, rest) = origin.split_once("://")?;
    Some(host_part(rest.split('/').next().unwrap_or_default()))
}

/// The Origin and Host rules (documented in the README's HTTP section):
/// - no `Origin` (non-browser clients) passes;
/// - an `Origin` listed in `MCP_HTTP_ALLOWED_ORIGINS` passes (`*` lets every origin through);
/// - on a loopback listener, `localhost`, `*.localhost`, loopback IP addresses (`127.0.0.0/8`,
///   `[::1]`) pass; a name that only looks like one (`127.0.0.1.evil.example`) does not;
/// - everything else, including `null`, is 403;
/// - on a loopback listener, `Host` must name a loopback host or the host of an allowed origin.
#[cfg(test)]
pub fn check_origin(opts: &HttpOptions, origin: Option<&str>, host: Option<&str>) -> bool {
    refusal(opts, origin, host).is_none()
}

/// Which value the rules refuse (`Origin "..."` or `Host "..."`), if any.
pub fn refusal(opts: &HttpOptions, origin: Option<&str>, host: Option<&str>) -> Option<String> {
    let any = opts.allowed_origins.iter().any(|o| o == "*");
    if let Some(origin) = origin {
        let listed = opts
            .allowed_origins
            .iter()
            .any(|o| o.eq_ignore_ascii_case(origin.trim_end_matches('/')));
        let local = opts.loopback && origin_host(origin).is_some_and(is_local_host);
        if !(any || listed || local) {
            return Some(format!("Origin {origin:?}"));
        }
    }
    if opts.loopback && !any {
        let raw = host?; // HTTP/1.0 without Host: nothing to rebind
        let host = host_part(raw);
        let allowed = is_local_host(host)
            || opts
                .allowed_origins
                .iter()
                .filter_map(|o| origin_host(o))
                .any(|h| h.eq_ignore_ascii_case(host));
        if !allowed {
            return Some(format!("Host {raw:?}"));
        }
    }
    None
}

/// Origin, Host and credentials of one request; `Ok(caller)` (`None`: use the server's own
/// credentials) or the refusal to send.
pub fn admit(opts: &HttpOptions, req: &Request) -> Result<Option<Arc<Caller>>, Refusal> {
    let origin = super::wire::header(req, "Origin");
    let host = super::wire::header(req, "Host");
    if let Some(what) = refusal(opts, origin, host) {
        log::warn!(
            "refused a request with Origin {:?} and Host {:?} (403)",
            origin.unwrap_or("-"),
            host.unwrap_or("-")
        );
        return Err((
            403,
            rpc_error(
                -32000,
                &format!(
                    "Forbidden: {what} is not allowed here; a browser origin must be listed in MCP_HTTP_ALLOWED_ORIGINS (loopback origins are allowed on a loopback listener)"
                ),
            ),
            Vec::new(),
        ));
    }
    let mut caller = Caller::default();
    for h in req.headers() {
        let name = h.field.as_str().as_str().to_ascii_lowercase();
        let value = h.value.as_str();
        if name == "authorization" {
            if !opts.ignore_authorization && !value.trim().is_empty() {
                caller.authorization = Some(value.trim().to_string());
            }
        } else if name.starts_with("x-atlassian-") || opts.kept_headers.contains(&name) {
            caller.headers.push((name, value.to_string()));
        }
    }
    if let Some(proxy) = &opts.oauth_proxy {
        proxy_caller(opts, req, proxy, &mut caller)?;
    }
    // Credentials: an Authorization header or a personal-token header. Other kept headers
    // (site URLs, cloud id, pass-through) travel with the call but do not authenticate.
    let authenticated = caller.authorization.is_some()
        || caller
            .headers
            .iter()
            .any(|(k, _)| k.ends_with("-personal-token"));
    if !authenticated && opts.require_credentials {
        return Err((
            401,
            rpc_error(
                -32000,
                "Unauthorized: send Authorization: Bearer <token> (or Token / Basic), or the X-Atlassian-*-Url and -Personal-Token headers",
            ),
            vec![("WWW-Authenticate", super::metadata::challenge(opts, req))],
        ));
    }
    Ok(caller.has_credentials().then(|| Arc::new(caller)))
}

/// With the OAuth proxy, the only credential is a bearer token it issued: the caller then
/// carries the user's Atlassian token (and its site) instead. Any other `Authorization`
/// (`Token`, `Basic`, a foreign bearer token) is refused, and the request's own
/// `X-Atlassian-*` headers (personal tokens, site URLs, cloud id) are dropped, so nothing
/// bypasses the sign-in or sends the user's token to another site.
fn proxy_caller(
    opts: &HttpOptions,
    req: &Request,
    proxy: &super::OAuthProxy,
    caller: &mut Caller,
) -> Result<(), Refusal> {
    caller
        .headers
        .retain(|(k, _)| !k.starts_with("x-atlassian-"));
    let Some(authorization) = caller.authorization.as_deref() else {
        return Ok(());
    };
    let refusal = |why: &str| {
        Err((
            401,
            rpc_error(-32000, &format!("Unauthorized: {why}; sign in again")),
            vec![(
                "WWW-Authenticate",
                super::metadata::invalid_token(opts, req),
            )],
        ))
    };
    let Some(token) = authorization
        .split_once(' ')
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, t)| t.trim())
    else {
        return refusal("this server accepts only the access tokens it issues (Bearer)");
    };
    let Some(found) = proxy.resolve(token) else {
        return refusal(
            "the access token is unknown or expired (tokens do not survive a server restart)",
        );
    };
    caller.authorization = Some(format!("Bearer {}", found.access.expose()));
    if let Some(TokenSite::Cloud(id)) = &found.site {
        caller
            .headers
            .push(("x-atlassian-cloud-id".into(), id.clone()));
    }
    caller.token_site = found.site;
    caller.principal = Some(found.grant);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(loopback: bool, allowed: &[&str]) -> HttpOptions {
        HttpOptions {
            loopback,
            allowed_origins: allowed.iter().map(|s| s.to_string()).collect(),
            ..HttpOptions::default()
        }
    }

    #[test]
    fn origin_rules() {
        let lo = opts(true, &[]);
        assert!(check_origin(&lo, None, Some("127.0.0.1:8000")));
        assert!(check_origin(
            &lo,
            Some("http://localhost:6274"),
            Some("localhost:8000")
        ));
        assert!(check_origin(
            &lo,
            Some("http://[::1]:3000"),
            Some("[::1]:8000")
        ));
        assert!(!check_origin(
            &lo,
            Some("https://evil.example"),
            Some("localhost")
        ));
        assert!(!check_origin(&lo, Some("null"), Some("localhost")));
        assert!(
            !check_origin(&lo, None, Some("evil.example:8000")),
            "rebinding"
        );
        let wide = opts(false, &["https://app.example.com"]);
        assert!(check_origin(
            &wide,
            Some("https://app.example.com"),
            Some("mcp.internal")
        ));
        assert!(!check_origin(
            &wide,
            Some("http://localhost:1"),
            Some("mcp.internal")
        ));
        assert!(check_origin(&wide, None, Some("anything")));
        // DNS rebinding through names that only look local.
        for host in [
            "127.0.0.1.rebind.attacker.example",
            "127.attacker.example",
            "localhost.attacker.example",
            "[::1].evil",
            "0x7f.example",
            "::1.evil",
        ] {
            let origin = format!("http://{host}:8000");
            assert!(
                !check_origin(&lo, Some(&origin), Some(&format!("{host}:8000"))),
                "{host}"
            );
            assert!(!check_origin(&lo, None, Some(host)), "{host}");
        }
        for host in [
            "127.0.0.1",
            "127.1.2.3:99",
            "[::1]:8000",
            "[::ffff:127.0.0.1]",
            "LOCALHOST",
            "app.localhost:1",
            "localhost.",
        ] {
            assert!(check_origin(&lo, None, Some(host)), "{host}");
        }
        assert!(!check_origin(&lo, None, Some(".localhost")));
        let listed = opts(true, &["https://app.example.com"]);
        assert!(check_origin(&listed, None, Some("app.example.com")));
        assert!(check_origin(
            &opts(true, &["*"]),
            Some("https://x.y"),
            Some("x.y")
        ));
    }
}

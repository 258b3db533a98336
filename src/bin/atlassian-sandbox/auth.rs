//! Who is calling: the `Authorization` header resolved to a seeded user, per flavour, and the
//! 401 answers each API gives when that fails.
//!
//! Cloud accepts `Basic base64(email:api_token)` and `Bearer <OAuth access token>` (seeded or
//! issued by `/oauth/token`). Server/DC accepts `Basic base64(username:password)` and
//! `Bearer <personal access token>`. Inactive users are refused like unknown ones.

use crate::Flavour;
use crate::http::{Req, Resp, base64_decode};
use crate::model::User;
use crate::store::Store;
use crate::time;
use serde_json::json;

/// The outcome of reading the credentials.
pub enum Caller {
    User(Box<User>),
    Anonymous,
    /// Credentials were sent but are wrong, expired, or of a kind this flavour refuses.
    Rejected(&'static str),
}

pub fn identify(st: &Store, flavour: Flavour, req: &Req) -> Caller {
    let Some(h) = req.header("Authorization") else {
        return Caller::Anonymous;
    };
    let (scheme, cred) = h.trim().split_once(' ').unwrap_or((h, ""));
    let cred = cred.trim();
    let found = if scheme.eq_ignore_ascii_case("basic") {
        let Some(decoded) = base64_decode(cred).and_then(|b| String::from_utf8(b).ok()) else {
            return Caller::Rejected("malformed Basic credentials");
        };
        let Some((id, secret)) = decoded.split_once(':') else {
            return Caller::Rejected("malformed Basic credentials");
        };
        let scoped = |u: &User| {
            u.email.eq_ignore_ascii_case(id)
                && !u.scoped_api_token.is_empty()
                && u.scoped_api_token == secret
        };
        if flavour == Flavour::Cloud && !req.via_gateway && st.users.iter().any(scoped) {
            return Caller::Rejected("scoped API tokens work only through the API gateway");
        }
        st.users.iter().find(|u| match flavour {
            Flavour::Cloud => {
                u.email.eq_ignore_ascii_case(id)
                    && ((!u.api_token.is_empty() && u.api_token == secret) || scoped(u))
            }
            Flavour::Server => u.username == id && !u.password.is_empty() && u.password == secret,
        })
    } else if scheme.eq_ignore_ascii_case("bearer") {
        match flavour {
            Flavour::Cloud => {
                if let Some((name, expiry, _)) = st.oauth.access.get(cred) {
                    if *expiry < time::now_ms() {
                        return Caller::Rejected("the OAuth access token has expired");
                    }
                    st.users.iter().find(|u| &u.username == name)
                } else {
                    st.users
                        .iter()
                        .find(|u| !u.oauth_token.is_empty() && u.oauth_token == cred)
                }
            }
            Flavour::Server => {
                if let Some((name, expiry, _)) = st.oauth.access.get(cred) {
                    if *expiry < time::now_ms() {
                        return Caller::Rejected("the OAuth access token has expired");
                    }
                    st.users.iter().find(|u| &u.username == name)
                } else {
                    st.users.iter().find(|u| !u.pat.is_empty() && u.pat == cred)
                }
            }
        }
    } else {
        return Caller::Rejected("unsupported authorization scheme");
    };
    match found {
        Some(u) if u.active => Caller::User(Box::new(u.clone())),
        Some(_) => Caller::Rejected("the account is deactivated"),
        None => Caller::Rejected("unknown credentials"),
    }
}

/// Which API family a path belongs to, for error bodies.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Family {
    Jira,
    ConfluenceV1,
    ConfluenceV2,
    Other,
}

pub fn family(flavour: Flavour, path: &str) -> Family {
    if path.starts_with("/wiki/api/v2") {
        Family::ConfluenceV2
    } else if path.starts_with("/wiki/") {
        Family::ConfluenceV1
    } else if path.starts_with("/rest/api/2/")
        || path.starts_with("/rest/api/3/")
        || path.starts_with("/rest/agile/")
        || path.starts_with("/rest/servicedeskapi/")
        || path.starts_with("/rest/dev-status/")
        || path.starts_with("/jira/forms/")
        || path.starts_with("/secure/")
    {
        Family::Jira
    } else if flavour == Flavour::Server
        && (path.starts_with("/rest/api/") || path.starts_with("/download/"))
    {
        Family::ConfluenceV1
    } else {
        Family::Other
    }
}

/// The error body a family uses for `status` with `message`.
pub fn error(fam: Family, status: u16, message: &str) -> Resp {
    let reason = reason(status);
    let body = match fam {
        Family::Jira | Family::Other => json!({"errorMessages": [message], "errors": {}}),
        Family::ConfluenceV1 => json!({
            "statusCode": status,
            "data": {"authorized": status != 401 && status != 403, "valid": true,
                     "allowedInReadOnlyMode": true, "errors": [], "successful": false},
            "message": message,
            "reason": reason,
        }),
        Family::ConfluenceV2 => json!({"errors": [{
            "status": status,
            "code": reason.to_ascii_uppercase().replace(' ', "_"),
            "title": reason,
            "detail": message,
        }]}),
    };
    Resp::json(status, &body)
}

/// The 401 answer, with the headers Atlassian sends.
pub fn unauthorized(flavour: Flavour, path: &str, why: &str) -> Resp {
    let fam = family(flavour, path);
    let msg = match (flavour, fam) {
        (Flavour::Cloud, Family::Jira) => "Client must be authenticated to access this resource.",
        (Flavour::Server, Family::Jira) => {
            "You are not authenticated. Authentication required to perform this operation."
        }
        (_, Family::ConfluenceV2) => "Unauthorized; scope does not match",
        _ => "This request requires authentication.",
    };
    let realm = match flavour {
        Flavour::Cloud => "OAuth realm=\"sandbox\"",
        Flavour::Server => "Basic realm=\"protected-area\"",
    };
    error(fam, 401, msg)
        .with_header("WWW-Authenticate", realm)
        .with_header(
            "X-Seraph-LoginReason",
            if why == "no credentials" {
                "AUTHENTICATION_DENIED"
            } else {
                "AUTHENTICATED_FAILED"
            },
        )
        .with_header("X-Sandbox-Auth", why)
}

pub fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        303 => "See Other",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        410 => "Gone",
        413 => "Payload Too Large",
        415 => "Unsupported Media Type",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Error",
    }
}

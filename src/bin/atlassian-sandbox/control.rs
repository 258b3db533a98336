//! Control endpoints under `/__sandbox/` (no credentials needed, never faulted, never logged):
//!
//! | endpoint | what it does |
//! |---|---|
//! | `GET /__sandbox/health` | `{"ok":true,"flavour":...}` |
//! | `GET /__sandbox/info` | flavour, base URLs, cloud id, every seeded user with credentials |
//! | `GET /__sandbox/env` | `KEY=value` lines that point mcp-atlassian at this sandbox (`?user=`) |
//! | `GET /__sandbox/requests?since=N` | the request log (method, host, path, query, params, user, status, fault, content type, body size, JSON body) |
//! | `DELETE /__sandbox/requests` | empties the log |
//! | `POST /__sandbox/reset` | restores the seed; empties log and fault rules |
//! | `GET`/`POST`/`DELETE /__sandbox/faults` | list / add (`{fault, path, method, count}`) / clear global fault rules |
//! | `POST /__sandbox/oauth/expire` | expires every issued OAuth access token |
//! | `POST /__sandbox/oauth/revoke` | revokes every issued OAuth access and refresh token |
//! | `POST /__sandbox/oauth/lifetime?seconds=N` | access tokens issued from now on live N seconds (`reset`: 3600) |

use crate::Flavour;
use crate::Locked;
use crate::auth::{self, Family};
use crate::faults::{self, Rule};
use crate::http::{Req, Resp};
use crate::router::App;
use serde_json::{Value, json};

pub fn handle(app: &App, req: &Req) -> Resp {
    let sub = req.path.trim_start_matches("/__sandbox").trim_matches('/');
    match (req.method.as_str(), sub) {
        ("GET", "health") | ("GET", "") => {
            Resp::ok(json!({"ok": true, "flavour": app.flavour.name(), "base": app.base}))
        }
        ("GET", "info") => Resp::ok(info(app)),
        ("GET", "env") => {
            let text = env(app, req.q("user").unwrap_or("alice"));
            Resp::bytes(200, "text/plain; charset=utf-8", text.into_bytes())
        }
        ("GET", "requests") => {
            let since = req
                .q("since")
                .and_then(|s| s.parse::<u64>().ok())
                .unwrap_or(0);
            let log = app.log.locked();
            let items: Vec<&Value> = log
                .iter()
                .filter(|e| e["seq"].as_u64().unwrap_or(0) > since)
                .collect();
            let last = log.last().and_then(|e| e["seq"].as_u64()).unwrap_or(since);
            Resp::ok(json!({"requests": items, "last": last}))
        }
        ("DELETE", "requests") => {
            app.log.locked().clear();
            Resp::empty(204)
        }
        ("POST", "reset") => {
            *app.state.locked() = app.seed.clone();
            app.log.locked().clear();
            app.rules.locked().clear();
            Resp::ok(json!({"reset": true}))
        }
        ("GET", "faults") => Resp::ok(json!({"rules": *app.rules.locked()})),
        ("DELETE", "faults") => {
            app.rules.locked().clear();
            Resp::empty(204)
        }
        ("POST", "faults") => add_rule(app, req),
        ("POST", "oauth/expire") => {
            let mut st = app.state.locked();
            for v in st.oauth.access.values_mut() {
                v.1 = 0;
            }
            Resp::ok(json!({"expired": st.oauth.access.len()}))
        }
        ("POST", "oauth/lifetime") => match req.q("seconds").and_then(|s| s.parse::<i64>().ok()) {
            Some(n) if (1..=86_400).contains(&n) => {
                app.state.locked().oauth.lifetime_s = Some(n);
                Resp::ok(json!({"lifetime": n}))
            }
            _ => auth::error(Family::Other, 400, "seconds must be 1 to 86400"),
        },
        ("POST", "oauth/revoke") => {
            let mut st = app.state.locked();
            let revoked = st.oauth.access.len() + st.oauth.refresh.len();
            st.oauth.access.clear();
            st.oauth.refresh.clear();
            Resp::ok(json!({"revoked": revoked}))
        }
        _ => auth::error(Family::Other, 404, "Unknown sandbox control endpoint."),
    }
}

fn add_rule(app: &App, req: &Req) -> Resp {
    let bad = |m: String| auth::error(Family::Other, 400, &m);
    let body = match req.json() {
        Ok(Some(v)) => v,
        Ok(None) => return bad("send a JSON rule: {\"fault\":\"503\",\"path\":\"/rest\"}".into()),
        Err(e) => return bad(e),
    };
    let mut rule: Rule = match serde_json::from_value(body) {
        Ok(r) => r,
        Err(e) => return bad(format!("bad rule: {e}")),
    };
    if let Err(e) = faults::parse(&rule.fault) {
        return bad(e);
    }
    let mut rules = app.rules.locked();
    rule.id = rules.iter().map(|r| r.id).max().unwrap_or(0) + 1;
    rule.hits = 0;
    rules.push(rule.clone());
    Resp::json(201, &json!(rule))
}

fn urls(app: &App) -> (String, String) {
    match app.flavour {
        Flavour::Cloud => (app.base.clone(), format!("{}/wiki", app.base)),
        Flavour::Server => (app.base.clone(), app.base.clone()),
    }
}

fn info(app: &App) -> Value {
    let st = app.state.locked();
    let (jira, confluence) = urls(app);
    let users: Vec<Value> = st
        .users
        .iter()
        .map(|u| {
            json!({
                "username": u.username, "display_name": u.display_name, "email": u.email,
                "account_id": u.account_id, "key": u.key, "active": u.active,
                "api_token": u.api_token, "password": u.password, "pat": u.pat,
                "oauth_token": u.oauth_token, "projects": u.projects, "spaces": u.spaces,
            })
        })
        .collect();
    json!({
        "flavour": app.flavour.name(),
        "jira_url": jira,
        "confluence_url": confluence,
        "cloud_id": st.site.cloud_id,
        "oauth_clients": st.site.oauth_clients.iter().map(|c| json!({"client_id": c.client_id, "client_secret": c.client_secret})).collect::<Vec<_>>(),
        "users": users,
        "projects": st.jira.projects.iter().map(|p| p.key.clone()).collect::<Vec<_>>(),
        "spaces": st.conf.spaces.iter().map(|s| s.key.clone()).collect::<Vec<_>>(),
    })
}

/// `KEY=value` lines that point mcp-atlassian at this sandbox as `who`.
pub fn env(app: &App, who: &str) -> String {
    let st = app.state.locked();
    let Some(u) = st.user(who) else {
        return format!("# unknown user {who}\n");
    };
    let (jira, confluence) = urls(app);
    match app.flavour {
        Flavour::Cloud => format!(
            "JIRA_URL={jira}\nJIRA_DEPLOYMENT=cloud\nJIRA_USERNAME={email}\nJIRA_API_TOKEN={tok}\n\
             CONFLUENCE_URL={confluence}\nCONFLUENCE_DEPLOYMENT=cloud\n\
             CONFLUENCE_USERNAME={email}\nCONFLUENCE_API_TOKEN={tok}\n\
             ATLASSIAN_API_GATEWAY_URL={gateway}\n",
            email = u.email,
            tok = u.api_token,
            // The sandbox also plays api.atlassian.com (Forms API): under another host name,
            // so that the gateway is another origin than the site, as it really is.
            gateway = app.base.replace("://127.0.0.1:", "://localhost:"),
        ),
        Flavour::Server => format!(
            "JIRA_URL={jira}\nJIRA_DEPLOYMENT=server\nJIRA_PERSONAL_TOKEN={pat}\n\
             CONFLUENCE_URL={confluence}\nCONFLUENCE_DEPLOYMENT=server\n\
             CONFLUENCE_PERSONAL_TOKEN={pat}\n",
            pat = u.pat
        ),
    }
}

//! `mcp-atlassian --oauth-setup`: the OAuth 2.0 wizard. Cloud (3LO at ATLASSIAN_OAUTH_AUTH_URL,
//! default `https://auth.atlassian.com`) or Server/Data Center (an application link at
//! `<site>/rest/oauth2/latest`), chosen by the configured sites: a Server/DC site with a client
//! id gets the Server/DC flow, anything else Cloud. Values come from flags, the environment and
//! `.env` like every setting; only what is missing is asked for, and only on a terminal. The
//! wizard listens for the redirect on loopback, prints the authorize URL (and opens a browser
//! when there is one and `--no-browser` is not given), exchanges the code with PKCE, picks the
//! Cloud site (`--oauth-cloud-id`, the only one, or a choice), stores the tokens and prints the
//! variables to set and a client configuration.

use std::io::{self, Write};
use std::sync::Arc;
use std::time::Duration;

use serde_json::json;

use super::oauth::{endpoint_client, endpoint_of, token_dir};
use super::oauth_callback::{self as cb, Callback, Outcome};
use super::services::client_at;
use crate::atlassian::oauth::flow::{self, AuthorizeRequest, CLOUD_AUTH_URL, CloudSite};
use crate::atlassian::oauth::{TokenFile, TokenStore, store::now_secs};
use crate::atlassian::{self, Credentials, Limiter};
use crate::config::{self, Config, Deployment, Product, ServiceConfig};

/// The redirect URI when none is configured (the reference's Server/DC default).
const DEFAULT_REDIRECT: &str = "http://localhost:8080/callback";
/// Cloud scopes when none are configured: read and write both products, and refresh tokens.
pub(super) const DEFAULT_CLOUD_SCOPE: &str = "read:jira-work write:jira-work read:jira-user \
read:confluence-content.all write:confluence-content read:confluence-space.summary \
search:confluence offline_access";

/// Why the wizard stopped: a setting is missing or wrong (exit 2), or the sign-in failed (1).
enum Stop {
    Usage(String),
    Failed(String),
}

/// One sign-in: the service whose settings it uses, and the values it needs.
struct Target {
    svc: ServiceConfig,
    client_id: String,
    client_secret: String,
    redirect_uri: String,
    scope: String,
}

/// Run the wizard; the process exit code.
pub fn run(config: &Config, no_browser: bool) -> u8 {
    let mut report = Vec::new();
    let services = services(config);
    let dc: Vec<&ServiceConfig> = services.iter().filter(|s| !s.is_cloud()).collect();
    if dc.len() == 2 && dc[0].oauth.client_id == dc[1].oauth.client_id {
        eprintln!(
            "mcp-atlassian: Jira and Confluence Server/DC are two application links with two client ids: set JIRA_OAUTH_CLIENT_ID / JIRA_OAUTH_CLIENT_SECRET and CONFLUENCE_OAUTH_CLIENT_ID / CONFLUENCE_OAUTH_CLIENT_SECRET"
        );
        return 2;
    }
    for svc in services {
        match sign_in(config, svc, no_browser) {
            Ok(lines) => report.extend(lines),
            Err(Stop::Usage(m)) => {
                eprintln!("mcp-atlassian: {m}");
                return 2;
            }
            Err(Stop::Failed(m)) => {
                eprintln!("mcp-atlassian: OAuth setup failed: {m}");
                return 1;
            }
        }
    }
    print_summary(config, &report)
}

/// The services to sign in to: every Server/DC site with a client id; otherwise Cloud, with a
/// configured Cloud product's connection settings when there is one.
fn services(config: &Config) -> Vec<ServiceConfig> {
    let configured: Vec<&ServiceConfig> = [&config.jira, &config.confluence]
        .into_iter()
        .flatten()
        .collect();
    let dc: Vec<ServiceConfig> = configured
        .iter()
        .filter(|s| !s.is_cloud() && s.url.is_some() && s.oauth.client_id.is_some())
        .map(|s| (*s).clone())
        .collect();
    if !dc.is_empty() {
        return dc;
    }
    let cloud = configured.into_iter().find(|s| s.is_cloud()).cloned();
    vec![cloud.unwrap_or_else(|| {
        let mut s = ServiceConfig::new(Product::Jira);
        s.oauth = config.oauth.clone();
        s
    })]
}

/// A value from the configuration, else asked for on a terminal, else `default`, else a
/// usage error naming the variable.
fn value(
    given: Option<String>,
    question: &str,
    var: &str,
    default: Option<&str>,
    secret: bool,
) -> Result<String, Stop> {
    if let Some(v) = given {
        return Ok(v);
    }
    if cb::interactive() {
        let answer = if secret {
            cb::prompt_secret(question)
        } else {
            cb::prompt(question, default)
        };
        if let Some(a) = answer.filter(|a| !a.is_empty()) {
            return Ok(a);
        }
    } else if let Some(d) = default {
        return Ok(d.to_string());
    }
    Err(Stop::Usage(format!(
        "--oauth-setup needs {var} (flag, environment or .env); without a terminal it cannot ask"
    )))
}

fn target(svc: ServiceConfig) -> Result<Target, Stop> {
    let o = &svc.oauth;
    let client_id = value(
        o.client_id.clone(),
        "OAuth client id",
        "ATLASSIAN_OAUTH_CLIENT_ID",
        None,
        false,
    )?;
    let client_secret = value(
        o.client_secret.as_ref().map(|s| s.expose().to_string()),
        "OAuth client secret",
        "ATLASSIAN_OAUTH_CLIENT_SECRET",
        None,
        true,
    )?;
    let redirect_uri = value(
        o.redirect_uri.clone(),
        "Redirect URI registered for the app",
        "ATLASSIAN_OAUTH_REDIRECT_URI",
        Some(DEFAULT_REDIRECT),
        false,
    )?;
    let default_scope = if svc.is_cloud() {
        DEFAULT_CLOUD_SCOPE
    } else {
        config::DC_OAUTH_SCOPE
    };
    let scope = value(
        o.scope.clone(),
        "Scopes (space separated)",
        "ATLASSIAN_OAUTH_SCOPE",
        Some(default_scope),
        false,
    )?;
    Ok(Target {
        svc,
        client_id,
        client_secret,
        redirect_uri,
        scope,
    })
}

/// One sign-in, through to the stored tokens; the variables to print.
fn sign_in(config: &Config, svc: ServiceConfig, no_browser: bool) -> Result<Vec<String>, Stop> {
    let t = target(svc)?;
    let cloud = t.svc.is_cloud();
    let limiter = Arc::new(Limiter::unlimited());
    let failed = |e: String| Stop::Failed(e);
    let callback = Callback::bind(&t.redirect_uri).map_err(Stop::Usage)?;
    let (verifier, challenge) = flow::pkce().map_err(failed)?;
    let state = flow::random_token(16).map_err(failed)?;
    let site = t.svc.url.clone().unwrap_or_default();
    let auth_base = t.svc.oauth.auth_url.as_deref().unwrap_or(CLOUD_AUTH_URL);
    let url = flow::authorize_url(&AuthorizeRequest {
        deployment: if cloud {
            atlassian::Deployment::Cloud
        } else {
            atlassian::Deployment::ServerDc
        },
        base: if cloud { auth_base } else { &site },
        client_id: &t.client_id,
        redirect_uri: &t.redirect_uri,
        scope: &t.scope,
        state: &state,
        challenge: &challenge,
    });
    let timeout = t
        .svc
        .oauth
        .setup_timeout
        .unwrap_or(Duration::from_secs(300));
    eprintln!(
        "Sign in to {} and allow access for client id {}. Open this URL in a browser:\n\n  {url}\n",
        if cloud { "Atlassian Cloud" } else { &site },
        t.client_id
    );
    if !no_browser && cb::open_browser(&url) {
        eprintln!("(a browser was opened)");
    }
    eprintln!(
        "Waiting up to {} s for the redirect to {} ...",
        timeout.as_secs(),
        t.redirect_uri
    );
    let code = match callback.wait(&state, timeout).map_err(failed)? {
        Outcome::Code(c) => c,
        Outcome::Refused(why) => return Err(failed(format!("the sign-in was refused ({why})"))),
    };
    drop(callback);
    let (base, path) = endpoint_of(&t.svc);
    let endpoint = endpoint_client(config, &t.svc, &limiter, &base).map_err(Stop::Usage)?;
    let form = flow::code_grant(
        &t.client_id,
        &t.client_secret,
        &code,
        &t.redirect_uri,
        &verifier,
    );
    let answer = flow::token_request(&endpoint, &path, form)
        .map_err(|e| failed(format!("the code exchange at {base}{path} failed: {e}")))?;
    if answer.refresh_token.is_none() {
        eprintln!(
            "warning: no refresh token was issued{}; the access token works until it expires, then run --oauth-setup again",
            if cloud {
                " (add offline_access to ATLASSIAN_OAUTH_SCOPE)"
            } else {
                ""
            }
        );
    }
    let mut tokens = TokenFile {
        access_token: Some(answer.access_token.expose().to_string()),
        refresh_token: answer.refresh_token.map(|r| r.expose().to_string()),
        expires_at: Some(now_secs() + answer.expires_in),
        cloud_id: None,
        base_url: (!cloud).then(|| site.clone()),
    };
    let mut chosen: Option<CloudSite> = None;
    if cloud {
        let gateway = t
            .svc
            .oauth
            .api_gateway
            .clone()
            .unwrap_or_else(|| "https://api.atlassian.com".into());
        let gw = client_at(config, &t.svc, &limiter, &gateway, Credentials::None)
            .map_err(Stop::Usage)?;
        let sites = flow::accessible_resources(&gw, &answer.access_token)
            .map_err(|e| failed(format!("listing the sites of the token failed: {e}")))?;
        let site = choose_site(&sites, t.svc.oauth.cloud_id.as_deref())?;
        tokens.cloud_id = Some(site.id.clone());
        chosen = Some(site);
    }
    let store = TokenStore::new(token_dir(config));
    let saved = store.save(&t.client_id, &tokens).map_err(|e| {
        failed(format!(
            "cannot write {}: {e}",
            store.path(&t.client_id).display()
        ))
    })?;
    eprintln!("Tokens saved to {}", saved.display());
    Ok(variables(&t, chosen.as_ref()))
}

/// The site to use: the one `--oauth-cloud-id` names, the only one, or the user's choice.
fn choose_site(sites: &[CloudSite], wanted: Option<&str>) -> Result<CloudSite, Stop> {
    let list = || {
        sites
            .iter()
            .map(|s| format!("{} ({}, {})", s.id, s.name, s.url))
            .collect::<Vec<_>>()
            .join("; ")
    };
    if let Some(id) = wanted {
        return sites.iter().find(|s| s.id == id).cloned().ok_or_else(|| {
            Stop::Failed(format!(
                "the token cannot reach cloud id {id}; it can reach: {}",
                list()
            ))
        });
    }
    match sites {
        [] => Err(Stop::Failed(
            "the token reaches no Cloud site: check that the app is installed on a site and has Jira or Confluence scopes".into(),
        )),
        [one] => Ok(one.clone()),
        many if cb::interactive() => {
            for (i, s) in many.iter().enumerate() {
                eprintln!("  {}. {} ({}) cloud id {}", i + 1, s.name, s.url, s.id);
            }
            let pick = cb::prompt("Which site", Some("1")).unwrap_or_default();
            pick.parse::<usize>()
                .ok()
                .and_then(|n| many.get(n.wrapping_sub(1)))
                .cloned()
                .ok_or_else(|| Stop::Usage(format!("{pick:?} is not one of the numbers shown")))
        }
        _ => Err(Stop::Usage(format!(
            "the token reaches several sites; pick one with --oauth-cloud-id: {}",
            list()
        ))),
    }
}

/// `NAME=value` lines the server needs for this sign-in.
fn variables(t: &Target, site: Option<&CloudSite>) -> Vec<String> {
    let prefix = match (t.svc.is_cloud(), t.svc.product) {
        (true, _) => "ATLASSIAN",
        (false, Product::Jira) => "JIRA",
        (false, Product::Confluence) => "CONFLUENCE",
    };
    let mut v = vec![
        format!("{prefix}_OAUTH_CLIENT_ID={}", t.client_id),
        format!("{prefix}_OAUTH_CLIENT_SECRET=<the client secret>"),
        format!("{prefix}_OAUTH_REDIRECT_URI={}", t.redirect_uri),
        format!("{prefix}_OAUTH_SCOPE={}", t.scope),
    ];
    match site {
        Some(s) => {
            v.push(format!("ATLASSIAN_OAUTH_CLOUD_ID={}", s.id));
            if !s.url.is_empty() {
                let cloud = config::detect_deployment(&s.url) == Deployment::Cloud;
                let url = s.url.trim_end_matches('/');
                v.push(format!("JIRA_URL={url}"));
                v.push(format!("CONFLUENCE_URL={url}/wiki"));
                if !cloud {
                    v.push("JIRA_DEPLOYMENT=cloud".into());
                    v.push("CONFLUENCE_DEPLOYMENT=cloud".into());
                }
            }
        }
        None => {
            let var = if t.svc.product == Product::Jira {
                "JIRA_URL"
            } else {
                "CONFLUENCE_URL"
            };
            v.push(format!(
                "{var}={}",
                t.svc.url.as_deref().unwrap_or_default()
            ));
        }
    }
    v
}

/// Print the variables and a client snippet on stdout.
fn print_summary(config: &Config, report: &[String]) -> u8 {
    let mut lines: Vec<String> = report.to_vec();
    lines.dedup();
    let o = &config.oauth;
    if let Some(dir) = &o.token_dir {
        lines.push(format!("MCP_ATLASSIAN_TOKEN_DIR={}", dir.display()));
    }
    if let Some(u) = &o.auth_url {
        lines.push(format!("ATLASSIAN_OAUTH_AUTH_URL={u}"));
    }
    if let Some(u) = &o.api_gateway {
        lines.push(format!("ATLASSIAN_API_GATEWAY_URL={u}"));
    }
    let env: serde_json::Map<String, serde_json::Value> = lines
        .iter()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), json!(v)))
        .collect();
    let snippet =
        json!({"mcpServers": {"mcp-atlassian": {"command": "mcp-atlassian", "env": env}}});
    let text = format!(
        "\nOAuth setup complete. Set these variables for mcp-atlassian (the server refreshes the stored tokens itself):\n\n{}\n\nClient configuration (e.g. claude_desktop_config.json):\n\n{}\n",
        lines.join("\n"),
        serde_json::to_string_pretty(&snippet).unwrap_or_default()
    );
    let mut out = io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => 0,
        Err(_) => 1,
    }
}

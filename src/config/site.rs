//! Site settings users get wrong, corrected or named at start-up: a site URL copied with an API
//! or page path is cut back to the base URL, Cloud Confluence without `/wiki` gets it, and a
//! credential the site's kind cannot use (a personal token on Cloud, a Cloud API token on
//! Server/DC) is named instead of being ignored silently. Each correction leaves a notice.

use super::service::{ProductVars, ServiceConfig};
use super::url::split_url;
use super::{Deployment, Product};

/// A site URL with an API path (`.../rest/api/3`, `/wiki/api/v2`) cut back to the site's base,
/// with a notice: every request would otherwise go to `.../rest/api/3/rest/api/3/...`.
pub(crate) fn site_base(
    url: &str,
    product: Product,
    var: &str,
    notices: &mut Vec<String>,
) -> String {
    let Some(parts) = split_url(url) else {
        return url.to_string();
    };
    let path = parts.rest;
    let lower = path.to_ascii_lowercase();
    // API paths, and the paths of pages people copy from the browser.
    let markers: &[&str] = match product {
        Product::Jira => &[
            "/rest/",
            "/browse/",
            "/secure/",
            "/projects/",
            "/jira/software/",
            "/jira/servicedesk/",
        ],
        Product::Confluence => &["/rest/", "/api/v2", "/spaces/", "/display/", "/pages/"],
    };
    let cut = markers.iter().filter_map(|m| lower.find(m)).min();
    match cut {
        Some(at) => {
            let base = format!("{}{}", &url[..url.len() - path.len()], &path[..at]);
            let base = base.trim_end_matches('/').to_string();
            notices.push(format!(
                "{var} ends in a path ({}) that is not part of the site's base URL; using {base}. Set {var} to the base URL",
                &path[at..]
            ));
            base
        }
        None => url.to_string(),
    }
}

/// Cloud Confluence lives under `/wiki`: accept the site URL with or without it.
pub(crate) fn cloud_wiki(
    url: String,
    svc: &ServiceConfig,
    var: &str,
    notices: &mut Vec<String>,
) -> String {
    let cloud_host = split_url(&url).is_some_and(|p| {
        let host = p.host.to_ascii_lowercase();
        super::url::CLOUD_HOST_SUFFIXES
            .iter()
            .any(|s| host.ends_with(s))
    });
    if svc.product == Product::Confluence
        && svc.deployment == Deployment::Cloud
        && cloud_host
        && split_url(&url).is_some_and(|p| p.rest.trim_end_matches('/').is_empty())
    {
        let with = format!("{url}/wiki");
        notices.push(format!(
            "{var} has no /wiki; Confluence Cloud lives there, so {with} is used"
        ));
        return with;
    }
    url
}

/// Credentials the site's kind cannot use, which would otherwise be ignored silently.
pub(crate) fn credential_notices(svc: &ServiceConfig, v: &ProductVars) -> Vec<String> {
    let mut out = Vec::new();
    match svc.deployment {
        Deployment::Cloud if svc.personal_token.is_some() => out.push(format!(
            "{} is ignored: {} is a Cloud site, where personal access tokens do not work; set {} (your e-mail) and {} (an API token from id.atlassian.com)",
            v.personal_token,
            v.url,
            v.username,
            v.api_token
        )),
        Deployment::ServerDc
            if svc.personal_token.is_none()
                && svc
                    .api_token
                    .as_ref()
                    .is_some_and(|t| t.expose().starts_with("ATATT")) =>
        {
            out.push(format!(
                "{} looks like an Atlassian Cloud API token, which Server/Data Center does not accept; set {} (a personal access token) or put the account's password in {}",
                v.api_token, v.personal_token, v.api_token
            ))
        }
        _ => {}
    }
    out
}

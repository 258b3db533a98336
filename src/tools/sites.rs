//! Which Jira and Confluence a call talks to. On stdio and in the CLI that is the server's own
//! configured site; over HTTP a request may bring its own credentials (and site), which the
//! application turns into product clients through [`CallerSites`]. The server's credentials are
//! used for an HTTP caller only when the caller brought none and the transport allowed that.
//! The tool's Cloud-only or Server/DC-only availability is checked against the site really
//! used, which for a caller may differ from the server's own.

use std::ops::Deref;

use super::{Services, no_service};
use crate::confluence::Confluence;
use crate::jira::{self, Jira};
use crate::mcp::{CallCtx, Caller, Deployment, ToolError};

/// Resolves an HTTP caller to product clients (implemented by the application, which knows the
/// configuration: allowed site domains, pass-through headers, how credentials are written).
pub trait CallerSites: Send + Sync {
    /// Jira for this caller; `Ok(None)`: the caller brought no credentials, use the server's.
    fn jira(&self, caller: &Caller) -> Result<Option<Jira>, ToolError>;
    /// Confluence for this caller; `Ok(None)` as for Jira.
    fn confluence(&self, caller: &Caller) -> Result<Option<Confluence>, ToolError>;
}

/// A product client borrowed from the server or made for one caller.
pub enum Site<'a, T> {
    Shared(&'a T),
    Own(T),
}

impl<T> Deref for Site<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        match self {
            Site::Shared(t) => t,
            Site::Own(t) => t,
        }
    }
}

/// Refuse the call when its tool cannot work on `deployment`.
fn check_deployment(
    ctx: &CallCtx,
    service: &str,
    deployment: jira::Deployment,
) -> Result<(), ToolError> {
    let deployment = match deployment {
        jira::Deployment::Cloud => Deployment::Cloud,
        jira::Deployment::ServerDc => Deployment::ServerDc,
    };
    match ctx.availability().refusal(service, deployment) {
        Some(reason) => Err(ToolError::NotAvailable { reason }),
        None => Ok(()),
    }
}

/// The Jira a call uses.
pub fn jira<'a>(s: &'a Services, ctx: &CallCtx) -> Result<Site<'a, Jira>, ToolError> {
    let site = match (ctx.caller(), &s.callers) {
        (Some(caller), Some(sites)) => sites.jira(caller)?.map(Site::Own),
        _ => None,
    };
    let site = match site {
        Some(own) => own,
        None => s
            .jira
            .as_ref()
            .map(Site::Shared)
            .ok_or_else(|| no_service("Jira", "JIRA_URL"))?,
    };
    check_deployment(ctx, "jira", site.deployment())?;
    Ok(site)
}

/// The Confluence a call uses.
pub fn confluence<'a>(s: &'a Services, ctx: &CallCtx) -> Result<Site<'a, Confluence>, ToolError> {
    let site = match (ctx.caller(), &s.callers) {
        (Some(caller), Some(sites)) => sites.confluence(caller)?.map(Site::Own),
        _ => None,
    };
    let site = match site {
        Some(own) => own,
        None => s
            .confluence
            .as_ref()
            .map(Site::Shared)
            .ok_or_else(|| no_service("Confluence", "CONFLUENCE_URL"))?,
    };
    check_deployment(ctx, "confluence", site.deployment())?;
    Ok(site)
}

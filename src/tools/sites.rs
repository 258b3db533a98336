//! Which Jira and Confluence a call talks to. On stdio and in the CLI that is the server's own
//! configured site; over HTTP a request may bring its own credentials (and site), which the
//! application turns into product clients through [`CallerSites`]. The server's credentials are
//! used for an HTTP caller only when the caller brought none and the transport allowed that.

use std::ops::Deref;

use super::{Services, no_service};
use crate::confluence::Confluence;
use crate::jira::Jira;
use crate::mcp::{CallCtx, Caller, ToolError};

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

/// The Jira a call uses.
pub fn jira<'a>(s: &'a Services, ctx: &CallCtx) -> Result<Site<'a, Jira>, ToolError> {
    if let (Some(caller), Some(sites)) = (ctx.caller(), &s.callers)
        && let Some(own) = sites.jira(caller)?
    {
        return Ok(Site::Own(own));
    }
    s.jira
        .as_ref()
        .map(Site::Shared)
        .ok_or_else(|| no_service("Jira", "JIRA_URL"))
}

/// The Confluence a call uses.
pub fn confluence<'a>(s: &'a Services, ctx: &CallCtx) -> Result<Site<'a, Confluence>, ToolError> {
    if let (Some(caller), Some(sites)) = (ctx.caller(), &s.callers)
        && let Some(own) = sites.confluence(caller)?
    {
        return Ok(Site::Own(own));
    }
    s.confluence
        .as_ref()
        .map(Site::Shared)
        .ok_or_else(|| no_service("Confluence", "CONFLUENCE_URL"))
}

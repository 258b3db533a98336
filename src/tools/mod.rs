//! The MCP-facing tool catalogue: one file per toolset, each a `const` table of `Tool`s whose
//! handlers turn validated arguments into product API calls. `catalogue` lists them in the order
//! `tools/list` shows them.

pub mod confluence_pages;
pub mod conformance;
pub mod fixtures;
pub mod jira_issues;
pub mod sites;

use crate::confluence::{self, Confluence};
use crate::jira::{self, Jira};
use crate::mcp::{Tool, ToolError};

/// The state tool handlers work with: the product clients of the configured sites.
#[derive(Default)]
pub struct Services {
    pub jira: Option<Jira>,
    pub confluence: Option<Confluence>,
    /// Check issue keys against the default pattern before calling Jira (off when the site
    /// configured its own JIRA_ISSUE_KEY_PATTERN).
    pub check_issue_keys: bool,
    /// ATLASSIAN_MAX_PAGINATION_LIMIT: upper bound of every `limit` (0: none).
    pub max_limit: usize,
    /// Per-request credentials and sites of HTTP callers (`None` on stdio and in the CLI).
    pub callers: Option<Box<dyn sites::CallerSites>>,
}

impl Services {
    /// A caller's `limit`, at least 1 and at most the configured cap.
    pub fn limit(&self, requested: Option<i64>, default: i64) -> usize {
        let asked = requested.unwrap_or(default).max(1) as usize;
        if self.max_limit > 0 {
            asked.min(self.max_limit)
        } else {
            asked
        }
    }
}

/// Every toolset table of the product, in listing order.
const TABLES: &[&[Tool<Services>]] = &[jira_issues::TOOLS, confluence_pages::TOOLS];

/// The error for a tool whose product has no usable site configuration.
pub fn no_service(product: &str, var: &str) -> ToolError {
    ToolError::failed(format!(
        "{product} is not configured with a site URL and credentials"
    ))
    .hint(format!(
        "Set {var} and its credentials, or send them per request over HTTP"
    ))
}

/// Jira layer failures as tool errors (argument problems stay argument problems).
pub fn jira_error(e: jira::Error) -> ToolError {
    match e {
        jira::Error::Invalid { param, problem } => ToolError::InvalidArgument {
            param: param.into(),
            problem,
        },
        other => ToolError::failed(other.to_string()),
    }
}

/// Confluence layer failures as tool errors.
pub fn confluence_error(e: confluence::Error) -> ToolError {
    match e {
        confluence::Error::Invalid { param, problem } => ToolError::InvalidArgument {
            param: param.into(),
            problem,
        },
        other => ToolError::failed(other.to_string()),
    }
}

/// The declared tools, in a deterministic order; `with_fixtures` adds the test-only fixture tools.
pub fn catalogue(with_fixtures: bool) -> Vec<&'static Tool<Services>> {
    let mut tools: Vec<&'static Tool<Services>> = TABLES.iter().flat_map(|t| t.iter()).collect();
    if with_fixtures {
        tools.extend(fixtures::TOOLS.iter());
        tools.extend(conformance::TOOLS.iter());
    }
    tools
}

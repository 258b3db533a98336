//! The MCP-facing tool catalogue: one folder per product and one file per toolset, each a
//! `const` table of `Tool`s whose handlers turn validated arguments into product API calls.
//! `catalogue` lists them in the order `tools/list` shows them; `params` holds the shared
//! parameters and formats; `sites` picks the site a call really uses.

pub mod confluence;
pub mod conformance;
pub mod files;
pub mod fixtures;
pub mod jira;
pub mod names;
pub mod params;
pub mod sites;

use crate::confluence::{self as confluence_api, Confluence};
use crate::jira::{self as jira_api, Jira};
use crate::mcp::{Tool, ToolError};

/// The state tool handlers work with: the product clients of the configured sites.
#[derive(Default)]
pub struct Services {
    pub jira: Option<Jira>,
    pub confluence: Option<Confluence>,
    /// ATLASSIAN_MAX_PAGINATION_LIMIT: upper bound of every `limit` (0: none).
    pub max_limit: usize,
    /// Largest file read into memory for a download or an upload (bytes).
    pub max_file_bytes: u64,
    /// Files up to this size are returned inline (image or embedded resource); larger ones as
    /// a link.
    pub inline_file_bytes: u64,
    /// The one directory uploads from a file path may read from (`None`: the working directory).
    pub upload_root: Option<std::path::PathBuf>,
    /// Per-request credentials and sites of HTTP callers (`None` on stdio and in the CLI).
    pub callers: Option<Box<dyn sites::CallerSites>>,
}

impl Services {
    /// The directory uploads from a path may read from.
    pub fn upload_root(&self) -> std::path::PathBuf {
        self.upload_root
            .clone()
            .or_else(|| std::env::current_dir().ok())
            .unwrap_or_else(|| ".".into())
    }

    /// How many items a caller's `limit` asks for (`-1`: all), bounded by the configured cap and
    /// the hard cap of the paging helper.
    pub fn limit(&self, requested: i64) -> usize {
        jira_api::wanted(requested, self.max_limit)
    }
}

/// Every toolset table of the product, in listing order.
const TABLES: &[&[Tool<Services>]] = &[
    jira::issues::TOOLS,
    confluence::pages::TOOLS,
    // Jira tools part 1.
    jira::issue_writes::TOOLS,
    jira::comments::TOOLS,
    jira::transitions::TOOLS,
    jira::worklog::TOOLS,
    jira::links::TOOLS,
    jira::watchers::TOOLS,
    jira::users::TOOLS,
    jira::fields::TOOLS,
    jira::attachments::TOOLS,
    // Confluence tools.
    confluence::page_edits::TOOLS,
    confluence::page_tree::TOOLS,
    confluence::comments::TOOLS,
    confluence::labels::TOOLS,
    confluence::attachments::TOOLS,
    confluence::users::TOOLS,
    confluence::analytics::TOOLS,
    confluence::permissions::TOOLS,
    confluence::templates::TOOLS,
    jira::projects::TOOLS,
    jira::agile::TOOLS,
    jira::service_desk::TOOLS,
    jira::metrics::TOOLS,
    jira::development::TOOLS,
    jira::forms::TOOLS,
    jira::analysis::TOOLS,
];

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
pub fn jira_error(e: jira_api::Error) -> ToolError {
    match e {
        jira_api::Error::Invalid { param, problem } => ToolError::InvalidArgument {
            param: param.into(),
            problem,
        },
        other => ToolError::failed(other.to_string()),
    }
}

/// Confluence layer failures as tool errors.
pub fn confluence_error(e: confluence_api::Error) -> ToolError {
    match e {
        confluence_api::Error::Invalid { param, problem } => ToolError::InvalidArgument {
            param: param.into(),
            problem,
        },
        confluence_api::Error::Http(h) if h.status() == Some(410) => ToolError::failed(format!(
            "{h}; Atlassian's API gateway (OAuth or scoped token) no longer serves this Confluence v1 endpoint and v2 has no replacement for it; an API token on the site URL reaches it (README: Confluence through the API gateway)"
        )),
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

/// The names of the declared tools (without fixtures), for "unknown tool" checks.
pub fn names() -> Vec<&'static str> {
    catalogue(false).iter().map(|t| t.name).collect()
}

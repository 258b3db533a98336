//! Jira REST calls and their LLM-oriented results, for Cloud (REST v3, ADF, accountIds,
//! token-paged search) and Server/Data Center (REST v2, wiki markup, user names, offset paging).
//! Enforces the project filter before any request. Knows nothing of MCP.

mod agile;
mod analysis;
pub mod clock;
mod development;
mod forms;
mod issues;
mod metrics;
mod moves;
mod projects;
mod scope;
mod service_desk;
pub mod shape;
// Jira tools part 1: writes, activity, links, people, fields, attachments.
mod activity;
mod attachments;
mod cache;
mod changelogs;
mod edit;
mod fields;
mod links;
mod people;
pub mod text;

use std::fmt;
use std::sync::Arc;

use crate::atlassian::{Client, HttpError};

pub use crate::atlassian::Deployment;
pub use crate::atlassian::Part;
pub use crate::atlassian::paging::wanted;
pub use activity::{is_duration, jira_time};
pub use agile::{BoardQuery, SprintChange};
pub use attachments::Fetched;
pub use cache::Cache;
pub use edit::NewIssue;
pub use issues::{GetIssue, Search};
pub use metrics::SlaSettings;
pub use projects::VersionChange;
pub use service_desk::CustomerRequest;

/// Settings of the Jira layer beyond the HTTP client.
#[derive(Debug, Clone, Default)]
pub struct JiraSettings {
    /// Project keys the server may touch (empty: all).
    pub projects_filter: Vec<String>,
    /// Return and send text as is, without Markdown conversion.
    pub disable_markup_translation: bool,
    /// JIRA_SLA_*: defaults of the SLA calculation (jira_metrics).
    pub sla: SlaSettings,
}

/// Jira for one site.
pub struct Jira {
    client: Client,
    settings: JiraSettings,
    site_url: String,
    cache: Arc<Cache>,
}

/// Why a Jira operation failed.
#[derive(Debug, Clone, PartialEq)]
pub enum Error {
    Http(HttpError),
    /// The project filter excludes this project.
    ProjectNotAllowed {
        project: String,
        allowed: Vec<String>,
    },
    /// An argument Jira would reject (or that is ambiguous).
    Invalid {
        param: &'static str,
        problem: String,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Http(e) => e.fmt(f),
            Error::ProjectNotAllowed { project, allowed } => write!(
                f,
                "project {project} is outside the projects this server may access ({}); JIRA_PROJECTS_FILTER sets them",
                allowed.join(", ")
            ),
            Error::Invalid { param, problem } => write!(f, "{param}: {problem}"),
        }
    }
}

impl From<HttpError> for Error {
    fn from(e: HttpError) -> Self {
        Error::Http(e)
    }
}

impl Jira {
    pub fn new(client: Client, settings: JiraSettings) -> Self {
        Self::with_cache(client, settings, Arc::default())
    }

    /// Jira whose metadata caches are shared with other clients of the same site.
    pub fn with_cache(client: Client, settings: JiraSettings, cache: Arc<Cache>) -> Self {
        let site_url = client.options().base_url.clone();
        Jira {
            client,
            settings,
            site_url,
            cache,
        }
    }

    pub fn deployment(&self) -> Deployment {
        self.client.deployment()
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    pub fn settings(&self) -> &JiraSettings {
        &self.settings
    }

    /// REST API prefix: v3 (ADF) on Cloud, v2 (wiki) on Server/DC.
    fn api(&self) -> &'static str {
        match self.deployment() {
            Deployment::Cloud => "/rest/api/3",
            Deployment::ServerDc => "/rest/api/2",
        }
    }

    /// Refuse an issue key or project key outside the project filter.
    pub fn check_project(&self, key: &str) -> Result<(), Error> {
        let filter = &self.settings.projects_filter;
        if filter.is_empty() {
            return Ok(());
        }
        let project = key.split('-').next().unwrap_or(key).to_ascii_uppercase();
        if filter.iter().any(|p| p.eq_ignore_ascii_case(&project)) {
            Ok(())
        } else {
            Err(Error::ProjectNotAllowed {
                project,
                allowed: filter.clone(),
            })
        }
    }
}

//! Confluence REST calls and their LLM-oriented results: Cloud (v2 wherever v2 has the
//! operation; v1 only where it has none and Atlassian's API gateway still serves it: CQL and user
//! search, label writes, uploads, restrictions, permission checks, templates, page views) and
//! Server/Data Center (`/rest/api`). Pages are named by id, URL or tiny link (`refs`). Enforces
//! the space filter on every page it returns. Knows nothing of MCP.

mod attachments;
mod comments;
mod diff;
mod history;
mod labels;
mod pages;
mod people;
mod refs;
mod restrictions;
mod scope;
mod section;
mod site;
mod tree;
mod write;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::atlassian::{Client, Deployment, HttpError, TtlCache};

pub use attachments::{AttachmentList, Fetched};
pub use comments::InlineComment;
pub use pages::{GetPage, PageRef};
pub use refs::{Reference, is_page_ref, parse as parse_page_ref};
pub use restrictions::Restrictions;
pub use section::replace_section;
pub use tree::Children;
pub use write::{Body, Look, NewPage, PageEdit};

/// Settings of the Confluence layer beyond the HTTP client.
#[derive(Debug, Clone, Default)]
pub struct ConfluenceSettings {
    /// Space keys the server may touch (empty: all).
    pub spaces_filter: Vec<String>,
}

/// What Confluence remembers about one site, shared by every caller of that site.
pub struct Cache {
    /// Cloud space id → (key, name), and key → id.
    spaces: TtlCache<(String, String)>,
    /// Page id → space key (for the space filter on ids).
    page_spaces: TtlCache<String>,
    /// Cloud account id → display name.
    people: TtlCache<String>,
    /// Cloud ids known to be blog posts (v2 serves them under `/blogposts`).
    blogs: TtlCache<String>,
}

impl Default for Cache {
    fn default() -> Self {
        Cache {
            spaces: TtlCache::new(Duration::from_secs(3600), 512),
            page_spaces: TtlCache::new(Duration::from_secs(600), 4096),
            people: TtlCache::new(Duration::from_secs(3600), 2048),
            blogs: TtlCache::new(Duration::from_secs(3600), 4096),
        }
    }
}

/// Confluence for one site.
pub struct Confluence {
    client: Client,
    settings: ConfluenceSettings,
    cache: Arc<Cache>,
}

/// Why a Confluence operation failed.
#[derive(Debug, Clone, PartialEq)]
pub enum Error {
    Http(HttpError),
    /// The space filter excludes this space.
    SpaceNotAllowed {
        space: String,
        allowed: Vec<String>,
    },
    /// Nothing matched (e.g. no page with that title).
    NotFound(String),
    /// The page changed since it was read (a version conflict); nothing was changed.
    Conflict(String),
    Invalid {
        param: &'static str,
        problem: String,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Http(e) => e.fmt(f),
            Error::SpaceNotAllowed { space, allowed } => write!(
                f,
                "space {space} is outside the spaces this server may access ({}); CONFLUENCE_SPACES_FILTER sets them",
                allowed.join(", ")
            ),
            Error::NotFound(what) => write!(f, "{what}"),
            Error::Conflict(what) => write!(
                f,
                "{what} changed since you read it (version conflict); read it again, nothing was changed"
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

impl Confluence {
    pub fn new(client: Client, settings: ConfluenceSettings) -> Self {
        Self::with_cache(client, settings, Arc::default())
    }

    /// Confluence whose caches are shared with other clients of the same site.
    pub fn with_cache(client: Client, settings: ConfluenceSettings, cache: Arc<Cache>) -> Self {
        Confluence {
            client,
            settings,
            cache,
        }
    }

    pub fn deployment(&self) -> Deployment {
        self.client.deployment()
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    /// True when the space filter admits `key`.
    pub fn space_allowed(&self, key: &str) -> bool {
        self.check_space(key).is_ok()
    }

    /// Refuse a space outside the space filter.
    pub fn check_space(&self, key: &str) -> Result<(), Error> {
        let filter = &self.settings.spaces_filter;
        if filter.is_empty() || filter.iter().any(|s| s.eq_ignore_ascii_case(key)) {
            Ok(())
        } else {
            Err(Error::SpaceNotAllowed {
                space: key.to_string(),
                allowed: filter.clone(),
            })
        }
    }

    /// The site URL pages' relative links hang off.
    fn site_url(&self) -> &str {
        &self.client.options().base_url
    }
}

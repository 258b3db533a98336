//! Confluence data: spaces, pages and blog posts with their version history, page
//! restrictions, comments (footer and inline) and templates.

use super::{Attachment, current, one};
use serde::Deserialize;

#[derive(Clone, Debug, Deserialize)]
pub struct Restrictions {
    #[serde(default)]
    pub read_users: Vec<String>,
    #[serde(default)]
    pub read_groups: Vec<String>,
    #[serde(default)]
    pub update_users: Vec<String>,
    #[serde(default)]
    pub update_groups: Vec<String>,
}

impl Restrictions {
    pub fn empty() -> Restrictions {
        Restrictions {
            read_users: Vec::new(),
            read_groups: Vec::new(),
            update_users: Vec::new(),
            update_groups: Vec::new(),
        }
    }
}

#[derive(Clone, Debug, Deserialize)]
pub struct Space {
    #[serde(default)]
    pub id: u64,
    pub key: String,
    pub name: String,
    #[serde(default = "global")]
    pub kind: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub homepage: Option<u64>,
    #[serde(default = "current")]
    pub status: String,
    #[serde(default)]
    pub labels: Vec<String>,
    #[serde(default)]
    pub created: String,
    #[serde(default)]
    pub author: String,
}

fn global() -> String {
    "global".into()
}

#[derive(Clone, Debug, Deserialize)]
pub struct PageVersion {
    #[serde(default)]
    pub number: u32,
    pub by: String,
    pub when: String,
    #[serde(default)]
    pub message: String,
    #[serde(default)]
    pub minor: bool,
    #[serde(default)]
    pub title: Option<String>,
    pub body: String,
}

#[derive(Clone, Debug, Deserialize)]
pub struct Page {
    pub id: u64,
    /// `page` or `blogpost`.
    #[serde(default = "page")]
    pub kind: String,
    pub space: String,
    pub title: String,
    #[serde(default)]
    pub parent: Option<u64>,
    #[serde(default = "current")]
    pub status: String,
    pub versions: Vec<PageVersion>,
    #[serde(default)]
    pub labels: Vec<String>,
    #[serde(default)]
    pub attachments: Vec<Attachment>,
    #[serde(default = "Restrictions::empty")]
    pub restrictions: Restrictions,
    #[serde(default)]
    pub position: i64,
    #[serde(default)]
    pub views: u64,
    /// Content properties (page width, emoji, app data): key → value and version.
    #[serde(default)]
    pub properties: std::collections::BTreeMap<String, Property>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct Property {
    pub value: serde_json::Value,
    #[serde(default = "one")]
    pub version: u32,
    #[serde(default)]
    pub id: u64,
}

fn page() -> String {
    "page".into()
}

impl Page {
    pub fn current(&self) -> &PageVersion {
        self.versions
            .last()
            .expect("a page has at least one version")
    }
    pub fn created(&self) -> &str {
        &self.versions[0].when
    }
    pub fn author(&self) -> &str {
        &self.versions[0].by
    }
}

#[derive(Clone, Debug, Deserialize)]
pub struct PageComment {
    #[serde(default)]
    pub id: u64,
    pub page: u64,
    #[serde(default)]
    pub parent: Option<u64>,
    pub author: String,
    pub created: String,
    pub body: String,
    /// `footer` or `inline`.
    #[serde(default = "footer")]
    pub location: String,
    #[serde(default)]
    pub selection: Option<String>,
    #[serde(default)]
    pub resolved: bool,
    #[serde(default = "one")]
    pub version: u32,
}

fn footer() -> String {
    "footer".into()
}

#[derive(Clone, Debug, Deserialize)]
pub struct Template {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub space: Option<String>,
    pub body: String,
    #[serde(default)]
    pub labels: Vec<String>,
}

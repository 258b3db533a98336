//! The in-memory data model: users and their grants, Jira (projects, issues, agile, service desk)
//! and, in `confluence`, Confluence (spaces, pages with versions, comments, templates). The fixture
//! files deserialize straight into these types (compact keys, defaults for what is optional);
//! `fixtures::load` then fills in ids and normalises times. One model serves both flavours: the
//! handlers render Cloud or Server/DC shapes from it.

mod confluence;

pub use confluence::*;
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;

fn yes() -> bool {
    true
}

/// A person who can log in. Grants list project and space keys, or `*` for all.
#[derive(Clone, Debug, Deserialize)]
pub struct User {
    pub username: String,
    pub key: String,
    pub account_id: String,
    pub display_name: String,
    pub email: String,
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub api_token: String,
    #[serde(default)]
    pub pat: String,
    #[serde(default)]
    pub oauth_token: String,
    /// A Cloud API token with scopes: accepted only through the API gateway (`/ex/...`).
    #[serde(default)]
    pub scoped_api_token: String,
    #[serde(default = "yes")]
    pub active: bool,
    #[serde(default)]
    pub time_zone: String,
    #[serde(default)]
    pub groups: Vec<String>,
    #[serde(default)]
    pub projects: Vec<String>,
    #[serde(default)]
    pub spaces: Vec<String>,
    /// `atlassian` for staff, `customer` for service-desk portal customers.
    #[serde(default)]
    pub account_type: String,
}

impl User {
    pub fn sees_project(&self, key: &str) -> bool {
        self.projects.iter().any(|p| p == "*" || p == key)
    }
    pub fn sees_space(&self, key: &str) -> bool {
        self.spaces.iter().any(|s| s == "*" || s == key)
    }
}

/// A rich-text body as it was written: Jira wiki markup or an ADF document.
#[derive(Clone, Debug, PartialEq)]
pub enum Body {
    Wiki(String),
    Adf(Value),
}

impl<'de> Deserialize<'de> for Body {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(match Value::deserialize(d)? {
            Value::String(s) => Body::Wiki(s),
            other => Body::Adf(other),
        })
    }
}

#[derive(Clone, Debug, Deserialize)]
pub struct IssueType {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub subtask: bool,
    #[serde(default)]
    pub hierarchy: i32,
}

#[derive(Clone, Debug, Deserialize)]
pub struct Status {
    pub id: String,
    pub name: String,
    /// `new`, `indeterminate` or `done`.
    pub category: String,
    #[serde(default)]
    pub description: String,
}

#[derive(Clone, Debug, Deserialize)]
pub struct Named {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
}

#[derive(Clone, Debug, Deserialize)]
pub struct Transition {
    pub id: String,
    pub name: String,
    pub to: String,
    /// Statuses it leaves from; empty means from any status (a global transition).
    #[serde(default)]
    pub from: Vec<String>,
    /// Field ids its screen asks for (e.g. `resolution`).
    #[serde(default)]
    pub screen: Vec<String>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct Workflow {
    pub initial: String,
    pub transitions: Vec<Transition>,
}

/// A custom field; `cloud_id`/`dc_id` differ, as they do between real instances.
#[derive(Clone, Debug, Deserialize)]
pub struct CustomField {
    /// The key issues use for it in the fixtures (e.g. `story_points`).
    pub key: String,
    pub name: String,
    #[serde(default)]
    pub cloud_id: Option<String>,
    #[serde(default)]
    pub dc_id: Option<String>,
    /// `number`, `string`, `textarea`, `option`, `date`, `user`, `labels`, `sprint`,
    /// `epic_link`, `epic_name`, `request_type`, `sla`.
    pub kind: String,
    /// The plugin type key shown in `schema.custom`.
    pub custom: String,
    #[serde(default)]
    pub options: Vec<String>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct LinkType {
    pub id: String,
    pub name: String,
    pub inward: String,
    pub outward: String,
}

#[derive(Clone, Debug, Deserialize)]
pub struct Component {
    #[serde(default)]
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub lead: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct Version {
    #[serde(default)]
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub start_date: Option<String>,
    #[serde(default)]
    pub release_date: Option<String>,
    #[serde(default)]
    pub released: bool,
    #[serde(default)]
    pub archived: bool,
    #[serde(default)]
    pub project: String,
}

#[derive(Clone, Debug, Deserialize)]
pub struct Project {
    #[serde(default)]
    pub id: String,
    pub key: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// `software`, `service_desk` or `business`.
    pub type_key: String,
    pub lead: String,
    pub workflow: String,
    pub issue_types: Vec<String>,
    #[serde(default)]
    pub components: Vec<Component>,
    #[serde(default)]
    pub versions: Vec<Version>,
    #[serde(default)]
    pub archived: bool,
    #[serde(default)]
    pub category: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct Board {
    pub id: u64,
    pub name: String,
    /// `scrum`, `kanban` or `simple`.
    pub kind: String,
    pub project: String,
    pub jql: String,
}

#[derive(Clone, Debug, Deserialize)]
pub struct Sprint {
    pub id: u64,
    pub board: u64,
    pub name: String,
    /// `future`, `active` or `closed`.
    pub state: String,
    #[serde(default)]
    pub start: Option<String>,
    #[serde(default)]
    pub end: Option<String>,
    #[serde(default)]
    pub complete: Option<String>,
    #[serde(default)]
    pub goal: String,
}

#[derive(Clone, Debug, Deserialize)]
pub struct Comment {
    #[serde(default)]
    pub id: u64,
    pub author: String,
    pub created: String,
    #[serde(default)]
    pub updated: String,
    pub body: Body,
    /// `(type, value)`, e.g. `("role", "Developers")`.
    #[serde(default)]
    pub visibility: Option<(String, String)>,
    /// Service desk: visible to the customer.
    #[serde(default = "yes")]
    pub public: bool,
}

#[derive(Clone, Debug, Deserialize)]
pub struct Worklog {
    #[serde(default)]
    pub id: u64,
    pub author: String,
    pub started: String,
    /// Jira duration text, e.g. `2h 30m`.
    pub spent: String,
    #[serde(default)]
    pub comment: Option<Body>,
    #[serde(default)]
    pub created: String,
}

/// A file on an issue or page. Fixtures give `text` or base64 `b64`; loading fills `data`.
#[derive(Clone, Debug, Deserialize)]
pub struct Attachment {
    #[serde(default)]
    pub id: u64,
    pub filename: String,
    pub mime: String,
    pub author: String,
    pub created: String,
    #[serde(default)]
    pub text: Option<String>,
    #[serde(default)]
    pub b64: Option<String>,
    #[serde(skip)]
    pub data: Vec<u8>,
    #[serde(default)]
    pub comment: String,
    #[serde(default = "one")]
    pub version: u32,
}

pub(crate) fn one() -> u32 {
    1
}

#[derive(Clone, Debug, Deserialize)]
pub struct ChangeItem {
    pub field: String,
    #[serde(default)]
    pub from: Option<String>,
    #[serde(default)]
    pub to: Option<String>,
    #[serde(default)]
    pub from_id: Option<String>,
    #[serde(default)]
    pub to_id: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct History {
    #[serde(default)]
    pub id: u64,
    pub author: String,
    pub created: String,
    pub items: Vec<ChangeItem>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct RemoteLink {
    #[serde(default)]
    pub id: u64,
    #[serde(default)]
    pub global_id: Option<String>,
    pub url: String,
    pub title: String,
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default)]
    pub relationship: Option<String>,
    #[serde(default)]
    pub icon: Option<String>,
}

/// An issue link as written in a fixture (from the issue that lists it).
#[derive(Clone, Debug, Deserialize)]
pub struct LinkRef {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub outward: Option<String>,
    #[serde(default)]
    pub inward: Option<String>,
}

/// A stored issue link between two issue keys (`outward` "blocks" `inward`).
#[derive(Clone, Debug)]
pub struct IssueLink {
    pub id: u64,
    pub kind: String,
    pub outward: String,
    pub inward: String,
}

#[derive(Clone, Debug, Deserialize)]
pub struct Issue {
    #[serde(default)]
    pub id: u64,
    pub key: String,
    #[serde(rename = "type")]
    pub issuetype: String,
    pub summary: String,
    #[serde(default)]
    pub description: Option<Body>,
    #[serde(default)]
    pub environment: Option<Body>,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub resolution: Option<String>,
    #[serde(default)]
    pub resolved: Option<String>,
    #[serde(default = "medium")]
    pub priority: String,
    #[serde(default)]
    pub assignee: Option<String>,
    pub reporter: String,
    pub created: String,
    #[serde(default)]
    pub updated: String,
    #[serde(default)]
    pub due: Option<String>,
    #[serde(default)]
    pub labels: Vec<String>,
    #[serde(default)]
    pub components: Vec<String>,
    #[serde(default)]
    pub fix_versions: Vec<String>,
    #[serde(default)]
    pub versions: Vec<String>,
    /// Parent issue key: the epic of a story, or the issue of a sub-task.
    #[serde(default)]
    pub parent: Option<String>,
    #[serde(default)]
    pub sprints: Vec<u64>,
    #[serde(default)]
    pub estimate: Option<String>,
    #[serde(default)]
    pub remaining: Option<String>,
    /// Custom field values keyed by `CustomField::key`.
    #[serde(default)]
    pub custom: BTreeMap<String, Value>,
    #[serde(default)]
    pub comments: Vec<Comment>,
    #[serde(default)]
    pub worklogs: Vec<Worklog>,
    #[serde(default)]
    pub attachments: Vec<Attachment>,
    #[serde(default)]
    pub links: Vec<LinkRef>,
    #[serde(default)]
    pub remote_links: Vec<RemoteLink>,
    #[serde(default)]
    pub watchers: Vec<String>,
    #[serde(default)]
    pub history: Vec<History>,
    /// Entity properties (`properties` query parameter).
    #[serde(default)]
    pub properties: BTreeMap<String, Value>,
    /// Backlog rank; lower comes first.
    #[serde(default)]
    pub rank: u64,
}

fn medium() -> String {
    "Medium".into()
}

impl Issue {
    pub fn project(&self) -> &str {
        self.key.split('-').next().unwrap_or("")
    }
}

#[derive(Clone, Debug, Deserialize)]
pub struct RequestType {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub issue_type: String,
    /// Field ids (system or custom keys) the portal form asks for, `!` prefix = required.
    #[serde(default)]
    pub fields: Vec<String>,
    #[serde(default)]
    pub group: String,
}

#[derive(Clone, Debug, Deserialize)]
pub struct Queue {
    pub id: String,
    pub name: String,
    pub jql: String,
}

#[derive(Clone, Debug, Deserialize)]
pub struct ServiceDesk {
    pub id: String,
    pub project: String,
    pub request_types: Vec<RequestType>,
    pub queues: Vec<Queue>,
    #[serde(default)]
    pub customers: Vec<String>,
}

pub(crate) fn current() -> String {
    "current".into()
}

/// A Jira form (JSM / ProForma) attached to an issue.
#[derive(Clone, Debug, Deserialize)]
pub struct Form {
    pub id: String,
    pub issue: String,
    pub name: String,
    #[serde(default)]
    pub submitted: bool,
    #[serde(default)]
    pub locked: bool,
    /// Questions: `{id, label, type, answer}`.
    pub questions: Vec<Value>,
    #[serde(default)]
    pub updated: String,
}

/// Development information (branches, commits, pull requests) linked to an issue.
#[derive(Clone, Debug, Deserialize)]
pub struct DevInfo {
    pub issue: String,
    #[serde(default)]
    pub repositories: Vec<Value>,
    #[serde(default)]
    pub pull_requests: Vec<Value>,
    #[serde(default)]
    pub branches: Vec<Value>,
}

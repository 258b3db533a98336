//! The sandbox state: everything the fixtures seed plus what requests create, behind one mutex in
//! `router::App`. A copy of the seed is kept so `POST /__sandbox/reset` can restore it. Lookup
//! helpers here answer the questions every handler asks (which user, which project, may this
//! user see it), so permission rules live in one place.

use crate::model::*;
use std::collections::{BTreeMap, HashMap};

/// Site-wide settings from `users.json`.
#[derive(Clone, Debug, serde::Deserialize)]
pub struct Site {
    pub cloud_id: String,
    pub name: String,
    #[serde(default)]
    pub oauth_clients: Vec<OAuthClient>,
}

#[derive(Clone, Debug, serde::Deserialize)]
pub struct OAuthClient {
    pub client_id: String,
    pub client_secret: String,
}

/// Issued OAuth artefacts (Cloud 3LO and Server/DC application links).
#[derive(Clone, Debug, Default)]
pub struct OAuth {
    /// code → (username, client id, redirect uri, scope).
    pub codes: HashMap<String, (String, String, String, String)>,
    /// access token → (username, expiry in epoch ms, scope).
    pub access: HashMap<String, (String, i64, String)>,
    /// refresh token → (username, client id, scope); rotated on every use.
    pub refresh: HashMap<String, (String, String, String)>,
    /// code → PKCE S256 challenge, when the authorize request sent one.
    pub challenges: HashMap<String, String>,
    /// Lifetime of access tokens issued from now on, in seconds (3600 when unset).
    pub lifetime_s: Option<i64>,
}

#[derive(Clone, Debug, Default)]
pub struct Jira {
    pub issue_types: Vec<IssueType>,
    pub statuses: Vec<Status>,
    pub priorities: Vec<Named>,
    pub resolutions: Vec<Named>,
    pub workflows: BTreeMap<String, Workflow>,
    pub fields: Vec<CustomField>,
    pub link_types: Vec<LinkType>,
    pub projects: Vec<Project>,
    pub boards: Vec<Board>,
    pub sprints: Vec<Sprint>,
    pub issues: Vec<Issue>,
    pub links: Vec<IssueLink>,
    pub service_desks: Vec<ServiceDesk>,
    pub forms: Vec<Form>,
    pub devinfo: Vec<DevInfo>,
    /// Bulk move tasks: task id → (polls so far, the finished task's progress body).
    pub bulk_tasks: HashMap<String, (u32, serde_json::Value)>,
}

#[derive(Clone, Debug, Default)]
pub struct Conf {
    pub spaces: Vec<Space>,
    pub pages: Vec<Page>,
    pub comments: Vec<PageComment>,
    pub templates: Vec<Template>,
}

#[derive(Clone, Debug)]
pub struct Store {
    pub site: Site,
    pub users: Vec<User>,
    pub groups: Vec<String>,
    pub jira: Jira,
    pub conf: Conf,
    pub oauth: OAuth,
    /// Next id for anything created at run time (issues, comments, pages, attachments...).
    pub next_id: u64,
}

impl Store {
    pub fn new_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    /// A user by username, DC user key, account id or e-mail.
    pub fn user(&self, who: &str) -> Option<&User> {
        self.users.iter().find(|u| {
            u.username == who
                || u.key == who
                || u.account_id == who
                || u.email.eq_ignore_ascii_case(who)
        })
    }

    pub fn project(&self, key_or_id: &str) -> Option<&Project> {
        self.jira
            .projects
            .iter()
            .find(|p| p.key.eq_ignore_ascii_case(key_or_id) || p.id == key_or_id)
    }

    pub fn status(&self, name: &str) -> Option<&Status> {
        self.jira
            .statuses
            .iter()
            .find(|s| s.name.eq_ignore_ascii_case(name) || s.id == name)
    }

    pub fn issue_type(&self, name: &str) -> Option<&IssueType> {
        self.jira
            .issue_types
            .iter()
            .find(|t| t.name.eq_ignore_ascii_case(name) || t.id == name)
    }

    pub fn priority(&self, name: &str) -> Option<&Named> {
        self.jira
            .priorities
            .iter()
            .find(|p| p.name.eq_ignore_ascii_case(name) || p.id == name)
    }

    pub fn resolution(&self, name: &str) -> Option<&Named> {
        self.jira
            .resolutions
            .iter()
            .find(|r| r.name.eq_ignore_ascii_case(name) || r.id == name)
    }

    pub fn issue_index(&self, key_or_id: &str) -> Option<usize> {
        self.jira
            .issues
            .iter()
            .position(|i| i.key.eq_ignore_ascii_case(key_or_id) || i.id.to_string() == key_or_id)
    }

    pub fn issue(&self, key_or_id: &str) -> Option<&Issue> {
        self.issue_index(key_or_id).map(|i| &self.jira.issues[i])
    }

    pub fn custom_field(&self, key: &str) -> Option<&CustomField> {
        self.jira.fields.iter().find(|f| f.key == key)
    }

    pub fn workflow_of(&self, issue: &Issue) -> Option<&Workflow> {
        let p = self.project(issue.project())?;
        self.jira.workflows.get(&p.workflow)
    }

    pub fn space(&self, key_or_id: &str) -> Option<&Space> {
        self.conf
            .spaces
            .iter()
            .find(|s| s.key == key_or_id || s.id.to_string() == key_or_id)
    }

    pub fn page_index(&self, id: &str) -> Option<usize> {
        self.conf.pages.iter().position(|p| p.id.to_string() == id)
    }

    pub fn page(&self, id: &str) -> Option<&Page> {
        self.page_index(id).map(|i| &self.conf.pages[i])
    }

    /// May `user` read this page (space grant, then page-level read restrictions up the tree)?
    pub fn can_read_page(&self, user: &User, page: &Page) -> bool {
        if !user.sees_space(&page.space) {
            return false;
        }
        let mut cur = Some(page);
        let mut depth = 0;
        while let Some(p) = cur {
            if !restriction_allows(
                user,
                &p.restrictions.read_users,
                &p.restrictions.read_groups,
            ) {
                return false;
            }
            cur = p.parent.and_then(|id| self.page(&id.to_string()));
            depth += 1;
            if depth > 64 {
                break;
            }
        }
        true
    }

    /// May `user` edit this page (read access and the page's own update restrictions)?
    pub fn can_edit_page(&self, user: &User, page: &Page) -> bool {
        self.can_read_page(user, page)
            && restriction_allows(
                user,
                &page.restrictions.update_users,
                &page.restrictions.update_groups,
            )
    }

    /// The ancestors of a page, root first.
    pub fn ancestors(&self, page: &Page) -> Vec<&Page> {
        let mut out = Vec::new();
        let mut cur = page.parent;
        while let Some(id) = cur {
            match self.page(&id.to_string()) {
                Some(p) if out.len() < 64 => {
                    out.push(p);
                    cur = p.parent;
                }
                _ => break,
            }
        }
        out.reverse();
        out
    }
}

fn restriction_allows(user: &User, users: &[String], groups: &[String]) -> bool {
    if users.is_empty() && groups.is_empty() {
        return true;
    }
    users.iter().any(|u| u == &user.username) || groups.iter().any(|g| user.groups.contains(g))
}

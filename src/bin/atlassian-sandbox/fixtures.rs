//! Loads the seed from `fixtures/sandbox/*.json` (compiled into the binary, or read from
//! `--fixtures DIR`) and completes it: ids, normalised times, attachment bytes, issue links from
//! both ends, change history for issues that left their initial status, page version numbers.
//! Every cross-reference (user, status, project, parent page...) is checked, so a typo in a
//! fixture fails at start-up with a message instead of surfacing as a strange response later.

use crate::http::base64_decode;
use crate::model::*;
use crate::store::{Conf, Jira, OAuth, Site, Store};
use crate::time;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

const USERS: &str = include_str!("../../../fixtures/sandbox/users.json");
const JIRA: &str = include_str!("../../../fixtures/sandbox/jira.json");
const ISSUES: &str = include_str!("../../../fixtures/sandbox/issues.json");
const CONFLUENCE: &str = include_str!("../../../fixtures/sandbox/confluence.json");

#[derive(Deserialize)]
struct UsersFile {
    site: Site,
    groups: Vec<String>,
    users: Vec<User>,
}

#[derive(Deserialize)]
struct JiraFile {
    issue_types: Vec<IssueType>,
    statuses: Vec<Status>,
    priorities: Vec<Named>,
    resolutions: Vec<Named>,
    workflows: BTreeMap<String, Workflow>,
    fields: Vec<CustomField>,
    link_types: Vec<LinkType>,
    projects: Vec<Project>,
    boards: Vec<Board>,
    sprints: Vec<Sprint>,
    service_desks: Vec<ServiceDesk>,
    #[serde(default)]
    forms: Vec<Form>,
    #[serde(default)]
    devinfo: Vec<DevInfo>,
}

#[derive(Deserialize)]
struct ConfluenceFile {
    spaces: Vec<Space>,
    pages: Vec<Page>,
    comments: Vec<PageComment>,
    templates: Vec<Template>,
}

/// Reads and completes the seed.
pub fn load(dir: Option<&Path>) -> Result<Store, String> {
    let read = |name: &str, builtin: &'static str| -> Result<String, String> {
        match dir {
            Some(d) => std::fs::read_to_string(d.join(name))
                .map_err(|e| format!("{}: {e}", d.join(name).display())),
            None => Ok(builtin.to_string()),
        }
    };
    let parse_err = |name: &'static str| move |e: serde_json::Error| format!("{name}: {e}");
    let users: UsersFile =
        serde_json::from_str(&read("users.json", USERS)?).map_err(parse_err("users.json"))?;
    let jira: JiraFile =
        serde_json::from_str(&read("jira.json", JIRA)?).map_err(parse_err("jira.json"))?;
    let issues: Vec<Issue> =
        serde_json::from_str(&read("issues.json", ISSUES)?).map_err(parse_err("issues.json"))?;
    let conf: ConfluenceFile = serde_json::from_str(&read("confluence.json", CONFLUENCE)?)
        .map_err(parse_err("confluence.json"))?;
    let mut st = Store {
        site: users.site,
        users: users.users,
        groups: users.groups,
        jira: Jira {
            issue_types: jira.issue_types,
            statuses: jira.statuses,
            priorities: jira.priorities,
            resolutions: jira.resolutions,
            workflows: jira.workflows,
            fields: jira.fields,
            link_types: jira.link_types,
            projects: jira.projects,
            boards: jira.boards,
            sprints: jira.sprints,
            issues,
            links: Vec::new(),
            service_desks: jira.service_desks,
            forms: jira.forms,
            devinfo: jira.devinfo,
            bulk_tasks: Default::default(),
        },
        conf: Conf {
            spaces: conf.spaces,
            pages: conf.pages,
            comments: conf.comments,
            templates: conf.templates,
        },
        oauth: OAuth::default(),
        next_id: 100_000,
    };
    complete_jira(&mut st)?;
    complete_confluence(&mut st)?;
    Ok(st)
}

fn norm(t: &mut String, what: &str) -> Result<(), String> {
    *t = time::normalize(t).ok_or(format!("{what}: bad time {t:?}"))?;
    Ok(())
}

fn norm_opt(t: &mut Option<String>, what: &str) -> Result<(), String> {
    if let Some(v) = t {
        norm(v, what)?;
    }
    Ok(())
}

fn attachment_bytes(a: &mut Attachment, what: &str) -> Result<(), String> {
    a.data = match (&a.text, &a.b64) {
        (Some(t), _) => t.clone().into_bytes(),
        (None, Some(b)) => base64_decode(b).ok_or(format!("{what}: bad base64"))?,
        (None, None) => Vec::new(),
    };
    norm(&mut a.created, what)
}

fn complete_jira(st: &mut Store) -> Result<(), String> {
    let mut id = 10_000u64;
    let mut next = || {
        id += 1;
        id
    };
    for (n, p) in st.jira.projects.iter_mut().enumerate() {
        p.id = (10_000 + n).to_string();
        for c in &mut p.components {
            c.id = next().to_string();
        }
        for v in &mut p.versions {
            v.id = next().to_string();
            v.project = p.key.clone();
        }
        if !st.jira.workflows.contains_key(&p.workflow) {
            return Err(format!(
                "project {}: unknown workflow {}",
                p.key, p.workflow
            ));
        }
    }
    for s in &mut st.jira.sprints {
        norm_opt(&mut s.start, "sprint start")?;
        norm_opt(&mut s.end, "sprint end")?;
        norm_opt(&mut s.complete, "sprint complete")?;
    }
    let users: Vec<String> = st.users.iter().map(|u| u.username.clone()).collect();
    let known_user = |u: &str, what: &str| -> Result<(), String> {
        if users.iter().any(|x| x == u) {
            Ok(())
        } else {
            Err(format!("{what}: unknown user {u:?}"))
        }
    };
    let mut links = Vec::new();
    let keys: Vec<String> = st.jira.issues.iter().map(|i| i.key.clone()).collect();
    for (n, issue) in st.jira.issues.iter_mut().enumerate() {
        let what = issue.key.clone();
        issue.id = 10_001 + n as u64;
        issue.rank = n as u64;
        norm(&mut issue.created, &what)?;
        norm_opt(&mut issue.resolved, &what)?;
        known_user(&issue.reporter, &what)?;
        if let Some(a) = &issue.assignee {
            known_user(a, &what)?;
        }
        let project = st
            .jira
            .projects
            .iter()
            .find(|p| p.key == issue.project())
            .ok_or(format!("{what}: unknown project"))?;
        let wf = &st.jira.workflows[&project.workflow];
        if issue.status.is_empty() {
            issue.status = wf.initial.clone();
        }
        if !st.jira.statuses.iter().any(|s| s.name == issue.status) {
            return Err(format!("{what}: unknown status {}", issue.status));
        }
        if !project.issue_types.contains(&issue.issuetype) {
            return Err(format!("{what}: type {} not in project", issue.issuetype));
        }
        let mut latest = issue.created.clone();
        for c in &mut issue.comments {
            c.id = next();
            norm(&mut c.created, &what)?;
            if c.updated.is_empty() {
                c.updated = c.created.clone();
            } else {
                norm(&mut c.updated, &what)?;
            }
            known_user(&c.author, &what)?;
            latest = latest.max(c.updated.clone());
        }
        for w in &mut issue.worklogs {
            w.id = next();
            norm(&mut w.started, &what)?;
            w.created = w.started.clone();
            time::parse_duration(&w.spent).ok_or(format!("{what}: bad duration {}", w.spent))?;
            known_user(&w.author, &what)?;
        }
        for a in &mut issue.attachments {
            a.id = next();
            attachment_bytes(a, &what)?;
        }
        for r in &mut issue.remote_links {
            r.id = next();
        }
        for h in &mut issue.history {
            h.id = next();
            norm(&mut h.created, &what)?;
            latest = latest.max(h.created.clone());
        }
        if issue.history.is_empty() && issue.status != wf.initial {
            // A fixture that starts mid-workflow gets the transition that brought it there.
            let at = issue.resolved.clone().unwrap_or_else(|| {
                time::format_ms(time::parse_ms(&issue.created).unwrap_or(0) + 26 * 3_600_000)
            });
            let mut items = vec![ChangeItem {
                field: "status".into(),
                from: Some(wf.initial.clone()),
                to: Some(issue.status.clone()),
                from_id: None,
                to_id: None,
            }];
            if let Some(r) = &issue.resolution {
                items.push(ChangeItem {
                    field: "resolution".into(),
                    from: None,
                    to: Some(r.clone()),
                    from_id: None,
                    to_id: None,
                });
            }
            issue.history.push(History {
                id: next(),
                author: issue.assignee.clone().unwrap_or(issue.reporter.clone()),
                created: at.clone(),
                items,
            });
            latest = latest.max(at);
        }
        if issue.updated.is_empty() {
            issue.updated = latest;
        } else {
            norm(&mut issue.updated, &what)?;
        }
        if let Some(d) = &mut issue.due {
            *d = time::date(&time::normalize(d).ok_or(format!("{what}: bad due date"))?);
        }
        for l in &issue.links {
            let (outward, inward) = match (&l.outward, &l.inward) {
                (Some(o), None) => (issue.key.clone(), o.clone()),
                (None, Some(i)) => (i.clone(), issue.key.clone()),
                _ => {
                    return Err(format!(
                        "{what}: a link needs exactly one of outward/inward"
                    ));
                }
            };
            let other = if outward == issue.key {
                &inward
            } else {
                &outward
            };
            if !keys.contains(other) {
                return Err(format!("{what}: link to unknown issue {other}"));
            }
            links.push((l.kind.clone(), outward, inward));
        }
        if let Some(p) = issue.parent.as_ref().filter(|p| !keys.contains(p)) {
            return Err(format!("{what}: unknown parent {p}"));
        }
    }
    for (kind, outward, inward) in links {
        if !st.jira.link_types.iter().any(|t| t.name == kind) {
            return Err(format!("link type {kind} unknown"));
        }
        let link_id = next();
        st.jira.links.push(IssueLink {
            id: link_id,
            kind,
            outward,
            inward,
        });
    }
    for f in &mut st.jira.forms {
        if f.updated.is_empty() {
            f.updated = "2025-01-01T00:00".into();
        }
        norm(&mut f.updated, "form")?;
    }
    st.next_id = st.next_id.max(id + 1000);
    Ok(())
}

fn complete_confluence(st: &mut Store) -> Result<(), String> {
    let mut max_id = st.conf.pages.iter().map(|p| p.id).max().unwrap_or(0);
    for (n, s) in st.conf.spaces.iter_mut().enumerate() {
        s.id = 32_000 + n as u64 * 7;
        if s.created.is_empty() {
            s.created = "2024-01-15T10:00".into();
        }
        norm(&mut s.created, "space")?;
    }
    let ids: Vec<u64> = st.conf.pages.iter().map(|p| p.id).collect();
    let spaces: Vec<String> = st.conf.spaces.iter().map(|s| s.key.clone()).collect();
    for p in &mut st.conf.pages {
        let what = format!("page {}", p.id);
        if !spaces.contains(&p.space) {
            return Err(format!("{what}: unknown space {}", p.space));
        }
        if let Some(parent) = p.parent.filter(|id| !ids.contains(id)) {
            return Err(format!("{what}: unknown parent {parent}"));
        }
        if p.versions.is_empty() {
            return Err(format!("{what}: needs at least one version"));
        }
        for (n, v) in p.versions.iter_mut().enumerate() {
            v.number = n as u32 + 1;
            norm(&mut v.when, &what)?;
            if st.users.iter().all(|u| u.username != v.by) {
                return Err(format!("{what}: unknown user {}", v.by));
            }
        }
        for a in &mut p.attachments {
            max_id += 1;
            a.id = max_id;
            attachment_bytes(a, &what)?;
        }
    }
    for c in &mut st.conf.comments {
        max_id += 1;
        c.id = max_id;
        norm(&mut c.created, "comment")?;
        if !ids.contains(&c.page) {
            return Err(format!("comment on unknown page {}", c.page));
        }
    }
    // Replies point at their parent by index in the fixture list: resolve to real ids.
    let comment_ids: Vec<u64> = st.conf.comments.iter().map(|c| c.id).collect();
    for c in &mut st.conf.comments {
        if let Some(idx) = c.parent {
            c.parent = Some(
                *comment_ids
                    .get(idx as usize)
                    .ok_or("comment reply to an unknown index")?,
            );
        }
    }
    st.next_id = st.next_id.max(max_id + 1000);
    Ok(())
}

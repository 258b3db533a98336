//! Project analysis over JQL pages: the links from a project's issues to other projects, and a
//! project's epics with their children (Cloud `parent`, Server/DC the Epic Link field) and the
//! children's sub-tasks, with bounded fan-out and depth and progress as pages arrive. Issues
//! outside the project filter are counted, never shown.

use serde_json::{Map, Value, json};

use super::scope::text;
use super::{Error, Jira};
use crate::atlassian::paging::{self, Paging, Position, Style};
use crate::atlassian::query::restrict;
use crate::atlassian::{Deployment, HttpError};

/// Children listed per epic at most.
pub const MAX_CHILDREN: usize = 100;

fn project_of(key: &str) -> String {
    key.rsplit_once('-').map_or(key, |(p, _)| p).to_string()
}

fn done(fields: &Value) -> bool {
    fields
        .pointer("/status/statusCategory/key")
        .and_then(Value::as_str)
        == Some("done")
}

fn brief(issue: &Value) -> Value {
    let f = &issue["fields"];
    json!({"key": issue.get("key"), "summary": f.get("summary"), "status": f.pointer("/status/name"),
           "type": f.pointer("/issuetype/name")})
}

impl Jira {
    /// Raw issues of a JQL query (restricted to the filter), up to `want`, in pages.
    fn jql_pages(
        &self,
        jql: &str,
        fields: &[&str],
        want: usize,
        cancelled: &dyn Fn() -> bool,
        on_page: &dyn Fn(usize, usize),
    ) -> Result<Vec<Value>, Error> {
        let jql = restrict(jql, "project", &self.settings.projects_filter).map_err(|problem| {
            Error::Invalid {
                param: "jql",
                problem,
            }
        })?;
        let mut fetch = |pos: &Position, size: usize| -> Result<Value, Error> {
            Ok(match pos {
                Position::Token(token) => {
                    let mut body = json!({"jql": jql, "fields": fields, "maxResults": size});
                    if let Some(t) = token {
                        body["nextPageToken"] = json!(t);
                    }
                    self.client
                        .post("/rest/api/3/search/jql")
                        .json(body)
                        .cancel_when(cancelled)
                        .send_json()?
                }
                Position::Offset(at) => self
                    .client
                    .get("/rest/api/2/search")
                    .query("jql", &jql)
                    .query("fields", fields.join(","))
                    .query("startAt", at)
                    .query("maxResults", size)
                    .cancel_when(cancelled)
                    .send_json()?,
            })
        };
        let (style, start) = match self.deployment() {
            Deployment::Cloud => (Style::Token, Position::Token(None)),
            Deployment::ServerDc => (Style::Offset, Position::Offset(0)),
        };
        let p = Paging {
            style,
            start,
            want,
            page_size: 100,
            items_key: "issues",
        };
        let items = paging::collect(p, &mut fetch, cancelled, on_page)?.items;
        Ok(items
            .into_iter()
            .filter(|i| i.get("key").map(text).is_some_and(|k| self.admits(&k)))
            .collect())
    }

    /// Links from a project's issues to issues of other projects.
    pub fn cross_project_dependencies(
        &self,
        key: &str,
        max_issues: usize,
        cancelled: &dyn Fn() -> bool,
        on_page: &dyn Fn(usize, usize),
    ) -> Result<Value, Error> {
        self.check_project(key)?;
        let jql = format!("project = \"{key}\" ORDER BY key ASC");
        let issues = self.jql_pages(
            &jql,
            &["summary", "status", "issuelinks"],
            max_issues,
            cancelled,
            on_page,
        )?;
        let mut deps = Vec::new();
        let mut by_project: Map<String, Value> = Map::new();
        let mut hidden = 0;
        for i in &issues {
            let from = i.get("key").map(text).unwrap_or_default();
            for l in i
                .pointer("/fields/issuelinks")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let (other, phrase) = match (l.get("outwardIssue"), l.get("inwardIssue")) {
                    (Some(o), _) => (o, l.pointer("/type/outward")),
                    (None, Some(o)) => (o, l.pointer("/type/inward")),
                    _ => continue,
                };
                let to = other.get("key").map(text).unwrap_or_default();
                let project = project_of(&to);
                if project.eq_ignore_ascii_case(key) {
                    continue;
                }
                if !self.admits(&to) {
                    hidden += 1;
                    continue;
                }
                let n = by_project
                    .get(&project)
                    .and_then(Value::as_u64)
                    .unwrap_or(0);
                by_project.insert(project, json!(n + 1));
                deps.push(json!({
                    "from": from, "relation": phrase, "to": to,
                    "to_summary": other.pointer("/fields/summary"),
                    "to_status": other.pointer("/fields/status/name"),
                    "link_type": l.pointer("/type/name"),
                }));
            }
        }
        Ok(json!({
            "project_key": key, "issues_scanned": issues.len(),
            "dependencies": deps, "by_project": by_project, "hidden_by_filter": hidden,
        }))
    }

    /// The Server/DC Epic Link field id.
    fn epic_link_field(&self, cancelled: &dyn Fn() -> bool) -> Result<Option<String>, Error> {
        let fields = self
            .client
            .get(&format!("{}/field", self.api()))
            .cancel_when(cancelled)
            .send_json()?;
        Ok(fields
            .as_array()
            .into_iter()
            .flatten()
            .find(|f| {
                f.pointer("/schema/custom")
                    .and_then(Value::as_str)
                    .is_some_and(|c| c.ends_with(":gh-epic-link"))
            })
            .and_then(|f| f.get("id").map(text)))
    }

    /// A project's epics, each with its children (at most [`MAX_CHILDREN`]) and their sub-tasks,
    /// and progress (children done / children).
    pub fn epic_hierarchy(
        &self,
        key: &str,
        max_epics: usize,
        cancelled: &dyn Fn() -> bool,
        on_page: &dyn Fn(usize, Option<usize>, &str),
    ) -> Result<Value, Error> {
        self.check_project(key)?;
        let fields = ["summary", "status", "issuetype"];
        let epics = self.jql_pages(
            &format!("project = \"{key}\" AND issuetype = Epic ORDER BY key ASC"),
            &fields,
            max_epics,
            cancelled,
            &|n, _| on_page(n, None, "epics fetched"),
        )?;
        let link = match self.deployment() {
            Deployment::Cloud => None,
            Deployment::ServerDc => self.epic_link_field(cancelled)?,
        };
        let mut children: Map<String, Value> = Map::new();
        let mut truncated = false;
        let keys: Vec<String> = epics
            .iter()
            .filter_map(|e| e.get("key").map(text))
            .collect();
        let mut fetched = 0;
        for chunk in keys.chunks(50) {
            if cancelled() {
                return Err(HttpError::Cancelled.into());
            }
            let list = chunk
                .iter()
                .map(|k| format!("\"{k}\""))
                .collect::<Vec<_>>()
                .join(", ");
            let (clause, via) = match &link {
                None => ("parent", "parent".to_string()),
                Some(id) => ("\"Epic Link\"", id.clone()),
            };
            let mut f = vec!["summary", "status", "issuetype", "subtasks", via.as_str()];
            f.dedup();
            let found = self.jql_pages(
                &format!("{clause} in ({list}) ORDER BY key ASC"),
                &f,
                (chunk.len() * MAX_CHILDREN).min(paging::HARD_CAP),
                cancelled,
                &|n, _| on_page(fetched + n, None, "children fetched"),
            )?;
            fetched += found.len();
            for c in &found {
                let epic = match &link {
                    None => c.pointer("/fields/parent/key").map(text),
                    Some(id) => c.pointer(&format!("/fields/{id}")).map(text),
                };
                let Some(epic) = epic else { continue };
                let list = children.entry(epic).or_insert_with(|| json!([]));
                let Some(a) = list.as_array_mut() else {
                    continue;
                };
                if a.len() >= MAX_CHILDREN {
                    truncated = true;
                    continue;
                }
                let mut child = brief(c);
                child["done"] = json!(done(&c["fields"]));
                let subs: Vec<Value> = c
                    .pointer("/fields/subtasks")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter(|s| s.get("key").map(text).is_some_and(|k| self.admits(&k)))
                    .map(brief)
                    .collect();
                child["subtasks"] = json!(subs);
                a.push(child);
            }
        }
        let out: Vec<Value> = epics
            .iter()
            .map(|e| {
                let k = e.get("key").map(text).unwrap_or_default();
                let kids = children.get(&k).cloned().unwrap_or_else(|| json!([]));
                let total = kids.as_array().map_or(0, Vec::len);
                let finished = kids
                    .as_array()
                    .map_or(0, |a| a.iter().filter(|c| c["done"] == json!(true)).count());
                let mut v = brief(e);
                v["progress"] = json!({"done": finished, "total": total});
                v["children"] = kids;
                v
            })
            .collect();
        Ok(json!({
            "project_key": key, "epic_count": out.len(), "children_count": fetched,
            "children_truncated": truncated, "epics": out,
        }))
    }
}

//! Reading issues: one issue with its comments in a single request, and JQL search with the
//! deployment's paging (Cloud `search/jql` with page tokens, Server/DC `search` with offsets),
//! both restricted to the project filter.

use serde_json::{Map, Value, json};

use super::shape;
use super::{Error, Jira};
use crate::atlassian::Deployment;
use crate::atlassian::query::restrict;

/// Arguments of "get one issue".
#[derive(Debug, Clone)]
pub struct GetIssue<'a> {
    pub key: &'a str,
    /// Comma list, `*all` or `*navigable`.
    pub fields: &'a str,
    pub expand: Option<&'a str>,
    pub comment_limit: usize,
    pub properties: Option<&'a str>,
    pub update_history: bool,
    /// Extra parts: transitions, changelog, watchers, worklogs, remote_links, comments.
    pub include: Option<&'a str>,
    pub use_display_names: bool,
}

/// Arguments of a JQL search.
#[derive(Debug, Clone)]
pub struct Search<'a> {
    pub jql: &'a str,
    pub fields: &'a str,
    pub limit: usize,
    pub start_at: usize,
    /// Caller's project list; it can only narrow the configured filter.
    pub projects: Vec<String>,
    pub expand: Option<&'a str>,
    pub page_token: Option<&'a str>,
    pub use_display_names: bool,
}

fn list(s: &str) -> Vec<String> {
    s.split(',')
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect()
}

fn join_unique(parts: Vec<String>) -> String {
    let mut seen = Vec::new();
    for p in parts {
        if !seen.contains(&p) {
            seen.push(p);
        }
    }
    seen.join(",")
}

impl Jira {
    fn translate(&self) -> bool {
        !self.settings.disable_markup_translation
    }

    /// One issue, trimmed; comments come in the same request (the `comment` field).
    pub fn get_issue(
        &self,
        req: &GetIssue<'_>,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Value, Error> {
        self.check_project(req.key)?;
        let include = req.include.map(list).unwrap_or_default();
        let mut fields = list(req.fields);
        let mut expand = req.expand.map(list).unwrap_or_default();
        if req.comment_limit > 0 || include.iter().any(|i| i == "comments") {
            fields.push("comment".into());
        }
        for part in &include {
            match part.as_str() {
                "transitions" | "changelog" => expand.push(part.clone()),
                "watchers" => fields.push("watches".into()),
                "worklogs" => fields.push("worklog".into()),
                "comments" | "remote_links" => {}
                other => {
                    return Err(Error::Invalid {
                        param: "include",
                        problem: format!(
                            "unknown part {other:?}; use transitions, changelog, watchers, worklogs, remote_links or comments"
                        ),
                    });
                }
            }
        }
        if req.use_display_names {
            expand.push("names".into());
        }
        let path = format!("{}/issue/{}", self.api(), req.key);
        let mut r = self
            .client
            .get(&path)
            .query("fields", join_unique(fields))
            .query("updateHistory", req.update_history)
            .cancel_when(cancelled);
        if !expand.is_empty() {
            r = r.query("expand", join_unique(expand));
        }
        if let Some(p) = req.properties {
            r = r.query("properties", p);
        }
        let raw = r.send_json()?;
        let names = raw
            .get("names")
            .and_then(Value::as_object)
            .filter(|_| req.use_display_names);
        let mut issue = shape::issue(
            &raw,
            &self.site_url,
            self.deployment(),
            self.translate(),
            req.comment_limit
                .max(if include.iter().any(|i| i == "comments") {
                    100
                } else {
                    0
                }),
            names,
        );
        if include.iter().any(|i| i == "remote_links") {
            let links = self
                .client
                .get(&format!("{path}/remotelink"))
                .cancel_when(cancelled)
                .send_json()?;
            let links: Vec<Value> = links
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|l| json!({"title": l.pointer("/object/title"), "url": l.pointer("/object/url"), "relationship": l.get("relationship")}))
                        .collect()
                })
                .unwrap_or_default();
            issue["remote_links"] = shape::scrub(&Value::Array(links), 0);
        }
        Ok(issue)
    }

    /// The project list a search is restricted to: the configured filter narrowed by the caller.
    fn search_projects(&self, requested: &[String]) -> Result<Vec<String>, Error> {
        let configured = &self.settings.projects_filter;
        if requested.is_empty() {
            return Ok(configured.clone());
        }
        if configured.is_empty() {
            return Ok(requested.to_vec());
        }
        let both: Vec<String> = requested
            .iter()
            .filter(|p| configured.iter().any(|c| c.eq_ignore_ascii_case(p)))
            .cloned()
            .collect();
        if both.is_empty() {
            return Err(Error::ProjectNotAllowed {
                project: requested.join(", "),
                allowed: configured.clone(),
            });
        }
        Ok(both)
    }

    /// JQL search. Cloud pages with tokens (no total); Server/DC with offsets and a total.
    /// `on_page(fetched, limit)` is called after each page, for progress reports.
    pub fn search(
        &self,
        req: &Search<'_>,
        cancelled: &dyn Fn() -> bool,
        on_page: &dyn Fn(usize, usize),
    ) -> Result<Value, Error> {
        let projects = self.search_projects(&req.projects)?;
        let jql = restrict(req.jql, "project", &projects);
        let mut expand = req.expand.map(list).unwrap_or_default();
        if req.use_display_names {
            expand.push("names".into());
        }
        let fields = list(req.fields);
        let limit = req.limit.max(1);
        let mut issues = Vec::new();
        let mut names = Map::new();
        let mut out = Map::new();
        match self.deployment() {
            Deployment::Cloud => {
                let mut token = req.page_token.map(str::to_string);
                loop {
                    let mut body = json!({"jql": jql, "fields": fields, "maxResults": (limit - issues.len()).min(100)});
                    if !expand.is_empty() {
                        body["expand"] = json!(join_unique(expand.clone()));
                    }
                    if let Some(t) = &token {
                        body["nextPageToken"] = json!(t);
                    }
                    let page = self
                        .client
                        .post("/rest/api/3/search/jql")
                        .json(body)
                        .cancel_when(cancelled)
                        .send_json()?;
                    if let Some(n) = page.get("names").and_then(Value::as_object) {
                        names.extend(n.clone());
                    }
                    issues.extend(
                        page.get("issues")
                            .and_then(Value::as_array)
                            .cloned()
                            .unwrap_or_default(),
                    );
                    on_page(issues.len(), limit);
                    token = page
                        .get("nextPageToken")
                        .and_then(Value::as_str)
                        .map(str::to_string);
                    if token.is_none()
                        || issues.len() >= limit
                        || page.get("isLast") == Some(&Value::Bool(true))
                    {
                        break;
                    }
                }
                if let Some(t) = token {
                    out.insert("next_page_token".into(), json!(t));
                }
            }
            Deployment::ServerDc => {
                let mut r = self
                    .client
                    .get("/rest/api/2/search")
                    .query("jql", &jql)
                    .query("fields", fields.join(","))
                    .query("startAt", req.start_at)
                    .query("maxResults", limit.min(100))
                    .cancel_when(cancelled);
                if !expand.is_empty() {
                    r = r.query("expand", join_unique(expand.clone()));
                }
                let page = r.send_json()?;
                if let Some(n) = page.get("names").and_then(Value::as_object) {
                    names.extend(n.clone());
                }
                issues.extend(
                    page.get("issues")
                        .and_then(Value::as_array)
                        .cloned()
                        .unwrap_or_default(),
                );
                on_page(issues.len(), limit);
                for (from, to) in [
                    ("total", "total"),
                    ("startAt", "start_at"),
                    ("maxResults", "max_results"),
                ] {
                    if let Some(v) = page.get(from) {
                        out.insert(to.into(), v.clone());
                    }
                }
            }
        }
        issues.truncate(limit);
        let names = (req.use_display_names && !names.is_empty()).then_some(&names);
        let shaped: Vec<Value> = issues
            .iter()
            .map(|i| {
                shape::issue(
                    i,
                    &self.site_url,
                    self.deployment(),
                    self.translate(),
                    0,
                    names,
                )
            })
            .collect();
        out.insert("issues".into(), Value::Array(shaped));
        Ok(Value::Object(out))
    }
}

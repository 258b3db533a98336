//! Reading issues: one issue with its comments in a single request, and JQL search with the
//! deployment's paging (Cloud `search/jql` with page tokens, Server/DC `search` with offsets),
//! both restricted to the project filter.

use serde_json::{Map, Value, json};

use super::shape;
use super::{Error, Jira};
use crate::atlassian::paging::{self, Paging, Position, Style};
use crate::atlassian::query::restrict;
use crate::atlassian::{Deployment, segment};

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
        let path = format!("{}/issue/{}", self.api(), segment(req.key));
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
        // The key Jira answers with (an issue moved since the caller learnt its key has a new
        // one) must be inside the filter too.
        if let Some(key) = raw.get("key").and_then(Value::as_str) {
            self.check_project(key)?;
        }
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
    /// `on_page(fetched, limit)` is called after each page, for progress reports. Issues outside
    /// the project filter are dropped even if the query let them through.
    pub fn search(
        &self,
        req: &Search<'_>,
        cancelled: &dyn Fn() -> bool,
        on_page: &dyn Fn(usize, usize),
    ) -> Result<Value, Error> {
        let projects = self.search_projects(&req.projects)?;
        let jql = restrict(req.jql, "project", &projects).map_err(|problem| Error::Invalid {
            param: "jql",
            problem,
        })?;
        let mut expand = req.expand.map(list).unwrap_or_default();
        if req.use_display_names {
            expand.push("names".into());
        }
        let expand = join_unique(expand);
        let fields = list(req.fields);
        let limit = req.limit.max(1);
        let mut out = Map::new();
        let (style, start, items_key) = match self.deployment() {
            Deployment::Cloud => (
                Style::Token,
                Position::Token(req.page_token.map(str::to_string)),
                "issues",
            ),
            Deployment::ServerDc => (Style::Offset, Position::Offset(req.start_at), "issues"),
        };
        let mut names = Map::new();
        let mut fetch = |pos: &Position, size: usize| -> Result<Value, Error> {
            let page = match pos {
                Position::Token(token) => {
                    let mut body = json!({"jql": jql, "fields": fields, "maxResults": size});
                    if !expand.is_empty() {
                        body["expand"] = json!(expand);
                    }
                    if let Some(t) = token {
                        body["nextPageToken"] = json!(t);
                    }
                    self.client
                        .post("/rest/api/3/search/jql")
                        .json(body)
                        .cancel_when(cancelled)
                        .send_json()?
                }
                Position::Offset(at) => {
                    let mut r = self
                        .client
                        .get("/rest/api/2/search")
                        .query("jql", &jql)
                        .query("fields", fields.join(","))
                        .query("startAt", at)
                        .query("maxResults", size)
                        .cancel_when(cancelled);
                    if !expand.is_empty() {
                        r = r.query("expand", &expand);
                    }
                    r.send_json()?
                }
            };
            if let Some(n) = page.get("names").and_then(Value::as_object) {
                names.extend(n.clone());
            }
            Ok(page)
        };
        let paging = Paging {
            style,
            start,
            want: limit,
            page_size: 100,
            items_key,
        };
        let got = paging::collect(paging, &mut fetch, cancelled, on_page)?;
        match (&got.next, self.deployment()) {
            (Some(Position::Token(Some(t))), _) => {
                out.insert("next_page_token".into(), json!(t));
            }
            (_, Deployment::ServerDc) => {
                out.insert("total".into(), json!(got.total));
                out.insert("start_at".into(), json!(req.start_at));
                out.insert("max_results".into(), json!(limit));
            }
            _ => {}
        }
        let names = (req.use_display_names && !names.is_empty()).then_some(&names);
        let shaped: Vec<Value> = got
            .items
            .iter()
            .filter(|i| {
                i.get("key")
                    .and_then(Value::as_str)
                    .is_some_and(|k| self.check_project(k).is_ok())
            })
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

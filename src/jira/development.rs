//! Development information of issues (branches, commits, pull requests, builds) from the
//! development panel API (`/rest/dev-status/latest`, both deployments): the issue's numeric id,
//! then the summary to see which tools hold data, then one detail request per tool and kind.
//! Several issues in one call are bounded and report progress.

use serde_json::{Value, json};

use super::scope::text;
use super::shape::iso_time;
use super::{Error, Jira};
use crate::atlassian::{HttpError, segment};

/// The most issues one call reads.
pub const MAX_ISSUES: usize = 20;

const KINDS: &[&str] = &["pullrequest", "branch", "repository", "build"];

fn s(v: Option<&Value>) -> Value {
    v.and_then(Value::as_str)
        .map(|t| json!(iso_time(t)))
        .unwrap_or(Value::Null)
}

fn pull_request(p: &Value) -> Value {
    json!({
        "id": p.get("id"), "title": p.get("name"), "status": p.get("status"), "url": p.get("url"),
        "source": p.pointer("/source/branch"), "destination": p.pointer("/destination/branch"),
        "author": p.pointer("/author/name"), "updated": s(p.get("lastUpdate")),
        "comments": p.get("commentCount"),
        "reviewers": p.get("reviewers").and_then(Value::as_array).map(|r| r.iter().map(|x| json!({"name": x.get("name"), "approved": x.get("approved")})).collect::<Vec<_>>()),
    })
}

fn branch(b: &Value) -> Value {
    json!({"name": b.get("name"), "url": b.get("url"), "repository": b.pointer("/repository/name"),
           "last_commit": b.pointer("/lastCommit/displayId")})
}

fn commits(repo: &Value) -> Vec<Value> {
    repo.get("commits")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|c| {
            let message = c.get("message").map(text).unwrap_or_default();
            json!({"id": c.get("displayId").or_else(|| c.get("id")), "message": message.lines().next(),
                   "author": c.pointer("/author/name"), "at": s(c.get("authorTimestamp")),
                   "url": c.get("url"), "repository": repo.get("name"), "files": c.get("fileCount")})
        })
        .collect()
}

fn build(b: &Value) -> Value {
    json!({"name": b.get("name"), "state": b.get("state"), "url": b.get("url"),
           "updated": s(b.get("lastUpdated"))})
}

impl Jira {
    /// The development information of one issue; `app` and `kind` narrow it.
    pub fn development_info(
        &self,
        key: &str,
        app: Option<&str>,
        kind: Option<&str>,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Value, Error> {
        if let Some(k) = kind {
            if !KINDS.contains(&k) {
                return Err(Error::Invalid {
                    param: "data_type",
                    problem: format!("{k:?}: use pullrequest, branch, repository or build"),
                });
            }
        }
        self.check_project(key)?;
        let issue = self
            .client
            .get(&format!("{}/issue/{}", self.api(), segment(key)))
            .query("fields", "summary")
            .cancel_when(cancelled)
            .send_json()?;
        if let Some(k) = issue.get("key").and_then(Value::as_str) {
            self.check_project(k)?;
        }
        let id = issue.get("id").map(text).unwrap_or_default();
        // Which tools and kinds hold data: the summary says, unless the caller named both.
        let mut wanted: Vec<(String, String)> = Vec::new();
        match (app, kind) {
            (Some(a), Some(k)) => wanted.push((a.to_string(), k.to_string())),
            _ => {
                let summary = self
                    .client
                    .get("/rest/dev-status/latest/issue/summary")
                    .query("issueId", &id)
                    .cancel_when(cancelled)
                    .send_json()?;
                for k in KINDS.iter().filter(|k| kind.is_none_or(|x| x == **k)) {
                    let by = summary.pointer(&format!("/summary/{k}/byInstanceType"));
                    for (name, v) in by.and_then(Value::as_object).into_iter().flatten() {
                        let name = name.to_lowercase();
                        let has = v.get("count").and_then(Value::as_u64).unwrap_or(0) > 0;
                        if has && app.is_none_or(|a| a.eq_ignore_ascii_case(&name)) {
                            wanted.push((name, k.to_string()));
                        }
                    }
                }
            }
        }
        let (mut prs, mut branches, mut commit_list, mut builds) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for (a, k) in &wanted {
            let detail = self
                .client
                .get("/rest/dev-status/latest/issue/detail")
                .query("issueId", &id)
                .query("applicationType", a)
                .query("dataType", k)
                .cancel_when(cancelled)
                .send_json()?;
            for d in detail
                .get("detail")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let list = |n: &str| {
                    d.get(n)
                        .and_then(Value::as_array)
                        .cloned()
                        .unwrap_or_default()
                };
                match k.as_str() {
                    "pullrequest" => prs.extend(list("pullRequests").iter().map(pull_request)),
                    "branch" => branches.extend(list("branches").iter().map(branch)),
                    "repository" => {
                        commit_list.extend(list("repositories").iter().flat_map(commits))
                    }
                    _ => builds.extend(list("builds").iter().map(build)),
                }
            }
        }
        Ok(json!({
            "key": key, "pull_requests": prs, "branches": branches, "commits": commit_list,
            "builds": builds,
            "summary": {"pull_requests": prs.len(), "branches": branches.len(),
                        "commits": commit_list.len(), "builds": builds.len()},
        }))
    }

    /// Development information of several issues; an issue that fails says why in its entry.
    pub fn development_infos(
        &self,
        keys: &[String],
        app: Option<&str>,
        kind: Option<&str>,
        cancelled: &dyn Fn() -> bool,
        on_issue: &dyn Fn(usize, usize),
    ) -> Result<Value, Error> {
        let mut unique: Vec<String> = Vec::new();
        for k in keys {
            let k = k.trim().to_ascii_uppercase();
            if !k.is_empty() && !unique.contains(&k) {
                self.check_project(&k)?;
                unique.push(k);
            }
        }
        if unique.is_empty() || unique.len() > MAX_ISSUES {
            return Err(Error::Invalid {
                param: "issue_keys",
                problem: format!("give 1 to {MAX_ISSUES} issue keys, not {}", unique.len()),
            });
        }
        let mut out = Vec::new();
        for (n, k) in unique.iter().enumerate() {
            match self.development_info(k, app, kind, cancelled) {
                Ok(v) => out.push(v),
                Err(Error::Http(HttpError::Cancelled)) => return Err(HttpError::Cancelled.into()),
                Err(e @ Error::Invalid { .. }) => return Err(e),
                Err(e) => out.push(json!({"key": k, "error": e.to_string()})),
            }
            on_issue(n + 1, unique.len());
        }
        Ok(json!({"count": out.len(), "issues": out}))
    }
}

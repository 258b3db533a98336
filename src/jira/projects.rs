//! Projects and their metadata: listing and searching projects (only those inside the project
//! filter), issue types, components, versions, the fields of the create screens (Cloud's and
//! Server/DC's per-issue-type createmeta), and creating or changing versions.

use serde_json::{Map, Value, json};

use super::scope::text;
use super::shape::{scrub, user};
use super::{Error, Jira};
use crate::atlassian::paging::{self, Paging, Position, Style};
use crate::atlassian::{Deployment, segment};

/// What to change in a version (all optional; `None` leaves it as it is).
#[derive(Debug, Clone, Default)]
pub struct VersionChange<'a> {
    pub name: Option<&'a str>,
    pub description: Option<&'a str>,
    pub start_date: Option<&'a str>,
    pub release_date: Option<&'a str>,
    pub archived: Option<bool>,
    pub released: Option<bool>,
}

/// `YYYY-MM-DD`, as Jira's version dates are written.
fn check_date(param: &'static str, d: &str) -> Result<(), Error> {
    let b = d.as_bytes();
    let ok = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
        && (1..=12).contains(&d[5..7].parse::<u8>().unwrap_or(0))
        && (1..=31).contains(&d[8..10].parse::<u8>().unwrap_or(0));
    if ok {
        Ok(())
    } else {
        Err(Error::Invalid {
            param,
            problem: format!("{d:?} is not a date written YYYY-MM-DD"),
        })
    }
}

impl VersionChange<'_> {
    fn body(&self) -> Result<Map<String, Value>, Error> {
        let mut body = Map::new();
        if let Some(n) = self.name {
            if n.trim().is_empty() {
                return Err(Error::Invalid {
                    param: "name",
                    problem: "must not be empty".into(),
                });
            }
            body.insert("name".into(), json!(n));
        }
        if let Some(d) = self.description {
            body.insert("description".into(), json!(d));
        }
        for (param, key, v) in [
            ("start_date", "startDate", self.start_date),
            ("release_date", "releaseDate", self.release_date),
        ] {
            if let Some(d) = v {
                check_date(param, d)?;
                body.insert(key.into(), json!(d));
            }
        }
        if let Some(b) = self.archived {
            body.insert("archived".into(), json!(b));
        }
        if let Some(b) = self.released {
            body.insert("released".into(), json!(b));
        }
        Ok(body)
    }
}

/// A project, compact.
fn project(p: &Value) -> Value {
    let mut out = json!({
        "key": p.get("key"), "name": p.get("name"), "id": p.get("id"),
        "type": p.get("projectTypeKey"),
        "category": p.pointer("/projectCategory/name"),
        "lead": p.get("lead").map(user),
    });
    if p.get("archived") == Some(&json!(true)) {
        out["archived"] = json!(true);
    }
    out
}

/// A version, compact.
fn version(v: &Value) -> Value {
    json!({
        "id": v.get("id"), "name": v.get("name"), "description": v.get("description"),
        "start_date": v.get("startDate"), "release_date": v.get("releaseDate"),
        "released": v.get("released"), "archived": v.get("archived"), "overdue": v.get("overdue"),
    })
}

/// One field of a create screen, compact.
fn create_field(f: &Value) -> Value {
    let allowed: Vec<Value> = f
        .get("allowedValues")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .take(50)
                .filter_map(|v| v.get("name").or_else(|| v.get("value")).cloned())
                .collect()
        })
        .unwrap_or_default();
    json!({
        "id": f.get("fieldId").or_else(|| f.get("key")),
        "name": f.get("name"),
        "required": f.get("required"),
        "type": f.pointer("/schema/type"),
        "items": f.pointer("/schema/items"),
        "custom": f.pointer("/schema/custom"),
        "has_default": f.get("hasDefaultValue").filter(|v| *v == &json!(true)),
        "allowed_values": allowed,
    })
}

impl Jira {
    /// Every project the user sees (archived ones on request), minus those outside the filter.
    pub fn all_projects(
        &self,
        include_archived: bool,
        cancelled: &dyn Fn() -> bool,
        on_page: &dyn Fn(usize, usize),
    ) -> Result<Value, Error> {
        let raw: Vec<Value> = match self.deployment() {
            Deployment::Cloud => {
                let status = if include_archived {
                    "live,archived"
                } else {
                    "live"
                };
                let mut fetch = |pos: &Position, size: usize| -> Result<Value, Error> {
                    let Position::Offset(at) = pos else {
                        return Ok(Value::Null);
                    };
                    Ok(self
                        .client
                        .get("/rest/api/3/project/search")
                        .query("startAt", at)
                        .query("maxResults", size)
                        .query("status", status)
                        .query("expand", "lead")
                        .cancel_when(cancelled)
                        .send_json()?)
                };
                let p = Paging {
                    style: Style::Offset,
                    start: Position::Offset(0),
                    want: paging::HARD_CAP,
                    page_size: 100,
                    items_key: "values",
                };
                paging::collect(p, &mut fetch, cancelled, on_page)?.items
            }
            Deployment::ServerDc => self
                .client
                .get("/rest/api/2/project")
                .query("includeArchived", include_archived)
                .cancel_when(cancelled)
                .send_json()?
                .as_array()
                .cloned()
                .unwrap_or_default(),
        };
        let projects: Vec<Value> = raw
            .iter()
            .filter(|p| p.get("key").map(text).is_some_and(|k| self.admits(&k)))
            .map(project)
            .collect();
        Ok(json!({"count": projects.len(), "projects": projects}))
    }

    /// Projects whose key or name contains `query`; `only` (ids or keys) narrows further.
    pub fn find_projects(
        &self,
        query: &str,
        max: usize,
        only: &[String],
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Value, Error> {
        let raw: Vec<Value> = match self.deployment() {
            Deployment::Cloud => self
                .client
                .get("/rest/api/3/project/search")
                .query("query", query)
                .query(
                    "maxResults",
                    if only.is_empty() && !self.filtering() {
                        max
                    } else {
                        100
                    },
                )
                .cancel_when(cancelled)
                .send_json()?
                .get("values")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default(),
            Deployment::ServerDc => {
                let q = query.to_lowercase();
                self.client
                    .get("/rest/api/2/project")
                    .cancel_when(cancelled)
                    .send_json()?
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
                    .into_iter()
                    .filter(|p| {
                        ["key", "name"].iter().any(|k| {
                            p.get(*k)
                                .map(text)
                                .is_some_and(|v| v.to_lowercase().contains(&q))
                        })
                    })
                    .collect()
            }
        };
        let projects: Vec<Value> = raw
            .iter()
            .filter(|p| p.get("key").map(text).is_some_and(|k| self.admits(&k)))
            .filter(|p| {
                only.is_empty()
                    || ["id", "key"].iter().any(|k| {
                        p.get(*k)
                            .map(text)
                            .is_some_and(|v| only.iter().any(|o| o.eq_ignore_ascii_case(&v)))
                    })
            })
            .take(max)
            .map(project)
            .collect();
        Ok(json!({"count": projects.len(), "projects": projects}))
    }

    fn project_full(&self, key: &str, cancelled: &dyn Fn() -> bool) -> Result<Value, Error> {
        self.check_project(key)?;
        Ok(self
            .client
            .get(&format!("{}/project/{}", self.api(), segment(key)))
            .cancel_when(cancelled)
            .send_json()?)
    }

    /// The issue types of a project.
    pub fn project_issue_types(
        &self,
        key: &str,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Value, Error> {
        let p = self.project_full(key, cancelled)?;
        let types: Vec<Value> = p
            .get("issueTypes")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|t| {
                json!({"id": t.get("id"), "name": t.get("name"), "subtask": t.get("subtask"),
                       "description": t.get("description"), "hierarchy_level": t.get("hierarchyLevel")})
            })
            .collect();
        Ok(json!({"project_key": key, "issue_types": types}))
    }

    /// The components of a project.
    pub fn project_components(
        &self,
        key: &str,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Value, Error> {
        self.check_project(key)?;
        let raw = self
            .client
            .get(&format!(
                "{}/project/{}/components",
                self.api(),
                segment(key)
            ))
            .cancel_when(cancelled)
            .send_json()?;
        let components: Vec<Value> = raw
            .as_array()
            .into_iter()
            .flatten()
            .map(|c| {
                json!({"id": c.get("id"), "name": c.get("name"), "description": c.get("description"),
                       "lead": c.get("lead").map(user), "assignee_type": c.get("assigneeType")})
            })
            .collect();
        Ok(json!({"project_key": key, "components": components}))
    }

    /// Every version of a project.
    pub fn project_versions(
        &self,
        key: &str,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Value, Error> {
        self.check_project(key)?;
        let raw = self
            .client
            .get(&format!("{}/project/{}/versions", self.api(), segment(key)))
            .cancel_when(cancelled)
            .send_json()?;
        let versions: Vec<Value> = raw.as_array().into_iter().flatten().map(version).collect();
        Ok(json!({"project_key": key, "versions": versions}))
    }

    /// The fields of one issue type's create screen (paged createmeta on both deployments).
    fn create_screen_fields(
        &self,
        key: &str,
        type_id: &str,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Vec<Value>, Error> {
        let path = format!(
            "{}/issue/createmeta/{}/issuetypes/{}",
            self.api(),
            segment(key),
            segment(type_id)
        );
        let mut fetch = |pos: &Position, size: usize| -> Result<Value, Error> {
            let Position::Offset(at) = pos else {
                return Ok(Value::Null);
            };
            Ok(self
                .client
                .get(&path)
                .query("startAt", at)
                .query("maxResults", size)
                .cancel_when(cancelled)
                .send_json()?)
        };
        let p = Paging {
            style: Style::Offset,
            start: Position::Offset(0),
            want: 1000,
            page_size: 200,
            items_key: match self.deployment() {
                Deployment::Cloud => "fields",
                Deployment::ServerDc => "values",
            },
        };
        Ok(paging::collect(p, &mut fetch, cancelled, &|_, _| {})?.items)
    }

    /// The create screen of one issue type: each field with whether it is required, its type and
    /// allowed values.
    pub fn create_fields(
        &self,
        key: &str,
        type_id: &str,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Value, Error> {
        self.check_project(key)?;
        let fields: Vec<Value> = self
            .create_screen_fields(key, type_id, cancelled)?
            .iter()
            .map(create_field)
            .collect();
        Ok(
            json!({"project_key": key, "issue_type_id": type_id, "fields": scrub(&json!(fields), 0)}),
        )
    }

    /// Every field a project's create screens show, with the issue types that show it (and those
    /// that require it). One request per issue type, with progress.
    pub fn project_fields(
        &self,
        key: &str,
        cancelled: &dyn Fn() -> bool,
        on_type: &dyn Fn(usize, usize),
    ) -> Result<Value, Error> {
        let types = self.project_issue_types(key, cancelled)?;
        let types = types["issue_types"].as_array().cloned().unwrap_or_default();
        let mut fields: Vec<Value> = Vec::new();
        for (n, t) in types.iter().enumerate() {
            let (tid, tname) = (
                t.get("id").map(text).unwrap_or_default(),
                t.get("name").cloned(),
            );
            for f in self.create_screen_fields(key, &tid, cancelled)? {
                let f = create_field(&f);
                let at = match fields.iter().position(|x| x["id"] == f["id"]) {
                    Some(i) => i,
                    None => {
                        let mut fresh = f.clone();
                        fresh["issue_types"] = json!([]);
                        fresh["required_for"] = json!([]);
                        if let Some(o) = fresh.as_object_mut() {
                            o.remove("required");
                            o.remove("allowed_values");
                            o.remove("has_default");
                        }
                        fields.push(fresh);
                        fields.len() - 1
                    }
                };
                if let Some(a) = fields[at]["issue_types"].as_array_mut() {
                    a.push(tname.clone().unwrap_or_default());
                }
                if f["required"] == json!(true) {
                    if let Some(a) = fields[at]["required_for"].as_array_mut() {
                        a.push(tname.clone().unwrap_or_default());
                    }
                }
            }
            on_type(n + 1, types.len());
        }
        Ok(json!({"project_key": key, "count": fields.len(), "fields": scrub(&json!(fields), 0)}))
    }

    /// The body of a new version: Cloud wants the project's id, Server/DC takes its key.
    fn version_body(
        &self,
        key: &str,
        project_id: &Option<String>,
        change: &VersionChange<'_>,
    ) -> Result<Value, Error> {
        let mut body = change.body()?;
        if !body.contains_key("name") {
            return Err(Error::Invalid {
                param: "name",
                problem: "a version needs a name".into(),
            });
        }
        match project_id {
            Some(id) => body.insert("projectId".into(), json!(id.parse::<i64>().unwrap_or(0))),
            None => body.insert("project".into(), json!(key)),
        };
        Ok(Value::Object(body))
    }

    fn project_id_for_versions(
        &self,
        key: &str,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Option<String>, Error> {
        self.check_project(key)?;
        match self.deployment() {
            Deployment::Cloud => {
                let p = self.project_full(key, cancelled)?;
                Ok(p.get("id").map(text))
            }
            Deployment::ServerDc => Ok(None),
        }
    }

    /// Create one version in a project.
    pub fn create_version(
        &self,
        key: &str,
        change: &VersionChange<'_>,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Value, Error> {
        // Arguments are checked before any request.
        self.version_body(key, &None, change)?;
        let pid = self.project_id_for_versions(key, cancelled)?;
        let body = self.version_body(key, &pid, change)?;
        let v = self
            .client
            .post(&format!("{}/version", self.api()))
            .json(body)
            .cancel_when(cancelled)
            .send_json()?;
        Ok(json!({"created": true, "version": version(&v)}))
    }

    /// Create several versions; each item reports its own success or error.
    pub fn batch_create_versions(
        &self,
        key: &str,
        items: &[Value],
        cancelled: &dyn Fn() -> bool,
        on_item: &dyn Fn(usize, usize),
    ) -> Result<Value, Error> {
        if items.is_empty() || items.len() > 50 {
            return Err(Error::Invalid {
                param: "versions",
                problem: format!("give 1 to 50 versions, not {}", items.len()),
            });
        }
        let pid = self.project_id_for_versions(key, cancelled)?;
        let mut results = Vec::new();
        let (mut ok, mut failed) = (0, 0);
        for (i, item) in items.iter().enumerate() {
            if cancelled() {
                return Err(crate::atlassian::HttpError::Cancelled.into());
            }
            let s = |a: &str, b: &str| item.get(a).or_else(|| item.get(b)).and_then(Value::as_str);
            let change = VersionChange {
                name: s("name", "name"),
                description: s("description", "description"),
                start_date: s("startDate", "start_date"),
                release_date: s("releaseDate", "release_date"),
                archived: item.get("archived").and_then(Value::as_bool),
                released: item.get("released").and_then(Value::as_bool),
            };
            let outcome = self.version_body(key, &pid, &change).and_then(|body| {
                Ok(self
                    .client
                    .post(&format!("{}/version", self.api()))
                    .json(body)
                    .cancel_when(cancelled)
                    .send_json()?)
            });
            match outcome {
                Ok(v) => {
                    ok += 1;
                    results.push(json!({"index": i, "success": true, "version": version(&v)}));
                }
                Err(Error::Http(crate::atlassian::HttpError::Cancelled)) => {
                    return Err(crate::atlassian::HttpError::Cancelled.into());
                }
                Err(e) => {
                    failed += 1;
                    results.push(json!({"index": i, "success": false, "name": change.name, "error": e.to_string()}));
                }
            }
            on_item(i + 1, items.len());
        }
        Ok(json!({"project_key": key, "created": ok, "failed": failed, "results": results}))
    }

    /// Change a version (its project must be inside the filter).
    pub fn update_version(
        &self,
        id: &str,
        change: &VersionChange<'_>,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Value, Error> {
        let body = change.body()?;
        if body.is_empty() {
            return Err(Error::Invalid {
                param: "version_id",
                problem: "nothing to change: give at least one of name, description, start_date, release_date, archived, released".into(),
            });
        }
        self.check_version(id, cancelled)?;
        let v = self
            .client
            .put(&format!("{}/version/{}", self.api(), segment(id)))
            .json(Value::Object(body))
            .cancel_when(cancelled)
            .send_json()?;
        Ok(json!({"updated": true, "version": version(&v)}))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_dates_are_checked() {
        assert!(check_date("d", "2026-12-31").is_ok());
        for bad in [
            "2026-13-01",
            "26-12-31",
            "2026/12/31",
            "2026-12-31T00:00",
            "",
        ] {
            assert!(check_date("d", bad).is_err(), "{bad}");
        }
    }
}

//! Creating and changing issues: field values as the caller writes them (names, keys, Markdown,
//! user identifiers, custom fields by id or display name) become what Jira accepts; create,
//! batch create (each item reports its key or its error), field updates that keep the stored
//! ADF a Markdown description cannot express, assign, delete.

use serde_json::{Map, Value, json};

use super::{Error, Jira, text};
use crate::atlassian::{Deployment, segment};

/// Arguments of "create one issue".
#[derive(Debug, Clone, Default)]
pub struct NewIssue {
    pub project: String,
    pub summary: String,
    pub issue_type: String,
    pub assignee: Option<String>,
    pub description: Option<String>,
    pub components: Vec<String>,
    /// More fields by id or display name.
    pub additional: Map<String, Value>,
}

fn named(v: &Value, key: &str) -> Value {
    match v {
        Value::String(s) => json!({key: s}),
        other => other.clone(),
    }
}

fn named_list(v: &Value) -> Value {
    match v {
        Value::String(s) => Value::Array(
            s.split(',')
                .map(str::trim)
                .filter(|x| !x.is_empty())
                .map(|x| json!({"name": x}))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(|x| named(x, "name")).collect()),
        other => other.clone(),
    }
}

impl Jira {
    /// One field value as Jira wants it; `id` is already resolved.
    fn field_value(
        &self,
        id: &str,
        v: &Value,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Value, Error> {
        Ok(match id {
            "description" | "environment" => match v {
                Value::String(s) => self.rich(s),
                other => other.clone(),
            },
            "priority" | "resolution" | "issuetype" | "security" => named(v, "name"),
            "parent" | "project" => named(v, "key"),
            "components" | "fixVersions" | "versions" => named_list(v),
            "labels" => match v {
                Value::String(s) => json!(
                    s.split(',')
                        .map(str::trim)
                        .filter(|x| !x.is_empty())
                        .collect::<Vec<_>>()
                ),
                other => other.clone(),
            },
            "assignee" | "reporter" => match v {
                Value::String(s) => self.user_ref(s, "assignee", cancelled)?,
                other => other.clone(),
            },
            custom if custom.starts_with("customfield_") && v.is_string() => {
                let schema = self
                    .field_by_id(custom, cancelled)?
                    .and_then(|f| f.get("schema").cloned())
                    .unwrap_or(Value::Null);
                let kind = schema
                    .get("type")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                let plugin = schema
                    .get("custom")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                let s = v.as_str().unwrap_or_default();
                match kind {
                    "option" => json!({"value": s}),
                    "user" => self.user_ref(s, "additional_fields", cancelled)?,
                    "number" => s
                        .parse::<f64>()
                        .map(|n| json!(n))
                        .unwrap_or_else(|_| v.clone()),
                    "array"
                        if schema.pointer("/items").and_then(Value::as_str) == Some("option") =>
                    {
                        json!(
                            s.split(',')
                                .map(|x| json!({"value": x.trim()}))
                                .collect::<Vec<_>>()
                        )
                    }
                    "string" if plugin.ends_with(":textarea") => self.rich(s),
                    _ => v.clone(),
                }
            }
            _ => v.clone(),
        })
    }

    /// Field values keyed by id, from a map keyed by id or display name.
    pub fn resolve_fields(
        &self,
        given: &Map<String, Value>,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Map<String, Value>, Error> {
        let mut out = Map::new();
        for (k, v) in given {
            let id = self.field_id(k, cancelled)?;
            let value = self.field_value(&id, v, cancelled)?;
            out.insert(id, value);
        }
        Ok(out)
    }

    fn new_issue_fields(&self, n: &NewIssue, cancelled: &dyn Fn() -> bool) -> Result<Value, Error> {
        self.check_project(&n.project)?;
        if n.summary.trim().is_empty() {
            return Err(Error::Invalid {
                param: "summary",
                problem: "must not be empty".into(),
            });
        }
        let mut fields = Map::new();
        fields.insert("project".into(), json!({"key": n.project}));
        fields.insert("summary".into(), json!(n.summary));
        fields.insert("issuetype".into(), json!({"name": n.issue_type}));
        if let Some(d) = n.description.as_deref().filter(|d| !d.trim().is_empty()) {
            fields.insert("description".into(), self.rich(d));
        }
        if !n.components.is_empty() {
            let list: Vec<Value> = n.components.iter().map(|c| json!({"name": c})).collect();
            fields.insert("components".into(), Value::Array(list));
        }
        if let Some(a) = n.assignee.as_deref().filter(|a| !a.trim().is_empty()) {
            fields.insert("assignee".into(), self.user_ref(a, "assignee", cancelled)?);
        }
        for (k, v) in self.resolve_fields(&n.additional, cancelled)? {
            if k == "parent" {
                if let Some(p) = v.get("key").and_then(Value::as_str) {
                    self.check_project(p)?;
                }
            }
            fields.insert(k, v);
        }
        Ok(Value::Object(fields))
    }

    /// Create one issue; returns its key, id and URL.
    pub fn create_issue(&self, n: &NewIssue, cancelled: &dyn Fn() -> bool) -> Result<Value, Error> {
        let fields = self.new_issue_fields(n, cancelled)?;
        let made = self
            .client
            .post(&format!("{}/issue", self.api()))
            .json(json!({"fields": fields}))
            .cancel_when(cancelled)
            .send_json()?;
        Ok(self.created(&made, n))
    }

    fn created(&self, made: &Value, n: &NewIssue) -> Value {
        let key = made.get("key").and_then(Value::as_str).unwrap_or_default();
        json!({
            "key": key,
            "id": made.get("id"),
            "url": format!("{}/browse/{key}", self.site_url),
            "summary": n.summary,
            "issue_type": n.issue_type,
        })
    }

    /// Create up to 50 issues in one request; each item reports its key or its error. Items
    /// that cannot be built (bad field, project outside the filter) are reported without being
    /// sent. `validate_only` builds and checks every item without creating anything.
    pub fn batch_create(
        &self,
        items: &[NewIssue],
        validate_only: bool,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Value, Error> {
        if items.is_empty() || items.len() > 50 {
            return Err(Error::Invalid {
                param: "issues",
                problem: format!("give 1 to 50 issues (got {})", items.len()),
            });
        }
        let mut results: Vec<Value> = vec![Value::Null; items.len()];
        let mut updates = Vec::new();
        let mut sent = Vec::new();
        for (i, n) in items.iter().enumerate() {
            match self.new_issue_fields(n, cancelled) {
                Ok(f) => {
                    updates.push(json!({"fields": f}));
                    sent.push(i);
                    results[i] = json!({"index": i, "valid": true, "summary": n.summary});
                }
                Err(e) => results[i] = json!({"index": i, "error": e.to_string()}),
            }
        }
        if !validate_only && !updates.is_empty() {
            let answer = self
                .client
                .post(&format!("{}/issue/bulk", self.api()))
                .json(json!({"issueUpdates": updates}))
                .cancel_when(cancelled)
                .send();
            // A bulk call where every item fails is a 400 whose body still lists the errors.
            let body = match answer {
                Ok(r) => r.json()?,
                Err(e) => {
                    for &i in &sent {
                        results[i] = json!({"index": i, "error": e.to_string()});
                    }
                    Value::Null
                }
            };
            let mut made = body
                .get("issues")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default()
                .into_iter();
            let errors = body
                .get("errors")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            for (pos, &i) in sent.iter().enumerate() {
                let failed = errors.iter().find(|e| {
                    e.get("failedElementNumber").and_then(Value::as_u64) == Some(pos as u64)
                });
                if let Some(f) = failed {
                    let detail = crate::atlassian::HttpError::Status {
                        status: f.get("status").and_then(Value::as_u64).unwrap_or(400) as u16,
                        product: crate::atlassian::Product::Jira,
                        deployment: self.deployment(),
                        detail: bulk_detail(f),
                        retry_after: None,
                    };
                    results[i] = json!({"index": i, "error": detail.to_string()});
                } else if !body.is_null() {
                    if let Some(m) = made.next() {
                        let mut r = self.created(&m, &items[i]);
                        r["index"] = json!(i);
                        results[i] = r;
                    }
                }
            }
        }
        let ok = results.iter().filter(|r| r.get("error").is_none()).count();
        Ok(json!({
            "validate_only": validate_only,
            "succeeded": ok,
            "failed": results.len() - ok,
            "results": results,
        }))
    }

    /// The stored description of an issue as Jira keeps it (ADF on Cloud).
    fn stored_description(&self, key: &str, cancelled: &dyn Fn() -> bool) -> Result<Value, Error> {
        let raw = self
            .client
            .get(&format!("{}/issue/{}", self.api(), segment(key)))
            .query("fields", "description")
            .cancel_when(cancelled)
            .send_json()?;
        Ok(raw
            .pointer("/fields/description")
            .cloned()
            .unwrap_or(Value::Null))
    }

    /// Set fields of an issue (ids or display names). On Cloud a new Markdown description keeps
    /// the stored blocks it did not change and the stored media. Returns the ids changed and how
    /// many stored blocks were kept verbatim.
    pub fn update_fields(
        &self,
        key: &str,
        given: &Map<String, Value>,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<(Vec<String>, usize), Error> {
        self.check_project(key)?;
        let mut fields = self.resolve_fields(given, cancelled)?;
        if let Some(p) = fields
            .get("parent")
            .and_then(|p| p.get("key"))
            .and_then(Value::as_str)
        {
            self.check_project(p)?;
        }
        if fields.contains_key("project") {
            return Err(Error::Invalid {
                param: "fields",
                problem:
                    "an issue cannot change project by update; jira_move_issue moves it (Cloud)"
                        .into(),
            });
        }
        let mut kept = 0;
        let markdown_description = given
            .iter()
            .any(|(k, v)| k.eq_ignore_ascii_case("description") && v.is_string());
        if markdown_description
            && self.deployment() == Deployment::Cloud
            && !self.settings.disable_markup_translation
        {
            let stored = self.stored_description(key, cancelled)?;
            if stored.get("type").and_then(Value::as_str) == Some("doc") {
                let (doc, n) = text::merge_adf(&stored, &fields["description"]);
                fields.insert("description".into(), doc);
                kept = n;
            }
        }
        if fields.is_empty() {
            return Ok((Vec::new(), 0));
        }
        let names: Vec<String> = fields.keys().cloned().collect();
        self.client
            .put(&format!("{}/issue/{}", self.api(), segment(key)))
            .json(json!({"fields": fields}))
            .cancel_when(cancelled)
            .send()?;
        Ok((names, kept))
    }

    /// Assign an issue (`None`: unassign).
    pub fn assign(
        &self,
        key: &str,
        who: Option<&str>,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Value, Error> {
        self.check_project(key)?;
        let who = who
            .map(str::trim)
            .filter(|w| !w.is_empty() && !w.eq_ignore_ascii_case("unassigned"));
        let Some(w) = who else {
            // The assignee endpoint's schema has no null: unassign through the issue's fields.
            self.client
                .put(&format!("{}/issue/{}", self.api(), segment(key)))
                .json(json!({"fields": {"assignee": null}}))
                .cancel_when(cancelled)
                .send()?;
            return Ok(json!({"issue_key": key, "unassigned": true}));
        };
        let body = self.user_ref(w, "assignee", cancelled)?;
        self.client
            .put(&format!("{}/issue/{}/assignee", self.api(), segment(key)))
            .json(body.clone())
            .cancel_when(cancelled)
            .send()?;
        let assignee = body
            .get("accountId")
            .or_else(|| body.get("name"))
            .cloned()
            .unwrap_or(Value::Null);
        Ok(match assignee {
            Value::Null => json!({"issue_key": key, "unassigned": true}),
            a => json!({"issue_key": key, "assignee": a}),
        })
    }

    /// Delete an issue (and its sub-tasks, which Jira requires to be said).
    pub fn delete_issue(&self, key: &str, cancelled: &dyn Fn() -> bool) -> Result<Value, Error> {
        self.check_project(key)?;
        self.client
            .delete(&format!("{}/issue/{}", self.api(), segment(key)))
            .query("deleteSubtasks", "true")
            .cancel_when(cancelled)
            .send()?;
        Ok(json!({"issue_key": key, "deleted": true}))
    }
}

fn bulk_detail(f: &Value) -> String {
    let e = f.get("elementErrors").cloned().unwrap_or(Value::Null);
    let mut parts: Vec<String> = e
        .get("errorMessages")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    if let Some(o) = e.get("errors").and_then(Value::as_object) {
        parts.extend(
            o.iter()
                .map(|(k, v)| format!("{k}: {}", v.as_str().unwrap_or_default())),
        );
    }
    parts.join("; ")
}

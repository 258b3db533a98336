//! Field metadata for callers: searching the site's fields by name or id (from the cached field
//! list, the same on both deployments), and the allowed values of a field (Cloud: its context
//! options; Server/DC: create metadata of a project and issue type).

use serde_json::{Value, json};

use super::{Error, Jira};
use crate::atlassian::{Deployment, segment};

fn field_out(f: &Value) -> Value {
    json!({
        "id": f.get("id"),
        "name": f.get("name"),
        "custom": f.get("custom"),
        "type": f.pointer("/schema/type"),
        "items": f.pointer("/schema/items"),
        "custom_type": f.pointer("/schema/custom").and_then(Value::as_str).map(|c| c.rsplit(':').next().unwrap_or(c)),
    })
}

fn option_text(o: &Value) -> Option<String> {
    ["value", "name", "key"]
        .iter()
        .find_map(|k| o.get(*k).and_then(Value::as_str))
        .map(str::to_string)
}

impl Jira {
    /// Fields whose name or id contains `keyword` (all when empty), best matches first.
    pub fn search_fields(
        &self,
        keyword: &str,
        limit: usize,
        refresh: bool,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Value, Error> {
        let all = self.fields(refresh, cancelled)?;
        let k = keyword.trim().to_lowercase();
        let mut scored: Vec<(u8, &Value)> = all
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|f| {
                let name = f
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_lowercase();
                let id = f
                    .get("id")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_lowercase();
                let score = if k.is_empty() {
                    3
                } else if name == k || id == k {
                    0
                } else if name.starts_with(&k) {
                    1
                } else if name.contains(&k) || id.contains(&k) {
                    2
                } else {
                    return None;
                };
                Some((score, f))
            })
            .collect();
        scored.sort_by(|a, b| {
            a.0.cmp(&b.0).then_with(|| {
                let n = |f: &Value| {
                    f.get("name")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_lowercase()
                };
                n(a.1).cmp(&n(b.1))
            })
        });
        let total = scored.len();
        let fields: Vec<Value> = scored
            .into_iter()
            .take(limit)
            .map(|(_, f)| field_out(f))
            .collect();
        Ok(json!({"total": total, "fields": fields}))
    }

    /// Allowed values of a field.
    #[allow(clippy::too_many_arguments)]
    pub fn field_options(
        &self,
        field: &str,
        context_id: Option<&str>,
        project: Option<&str>,
        issue_type: Option<&str>,
        contains: Option<&str>,
        limit: Option<usize>,
        values_only: bool,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Value, Error> {
        let id = self.field_id(field, cancelled)?;
        let mut options: Vec<Value> = match (self.deployment(), project, issue_type) {
            (_, Some(p), Some(t)) => {
                let meta = self.create_meta(p, t, cancelled)?;
                let f = meta.as_array().into_iter().flatten().find(|f| {
                    f.get("fieldId")
                        .or_else(|| f.get("key"))
                        .and_then(Value::as_str)
                        == Some(id.as_str())
                });
                let Some(f) = f else {
                    return Err(Error::Invalid {
                        param: "field_id",
                        problem: format!("{id} is not on the create screen of {p} {t}"),
                    });
                };
                f.get("allowedValues")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default()
            }
            (Deployment::ServerDc, _, _) => {
                return Err(Error::Invalid {
                    param: "project_key",
                    problem: "on Server/Data Center give project_key and issue_type (options come from create metadata)".into(),
                });
            }
            (Deployment::Cloud, _, _) => {
                if !id.starts_with("customfield_") {
                    return Err(Error::Invalid {
                        param: "field_id",
                        problem: format!(
                            "{id} is a system field; give project_key and issue_type to list its values"
                        ),
                    });
                }
                let base = format!("{}/field/{}/context", self.api(), segment(&id));
                let ctx = match context_id {
                    Some(c) => c.to_string(),
                    None => {
                        let list = self.client.get(&base).cancel_when(cancelled).send_json()?;
                        let contexts = list
                            .get("values")
                            .and_then(Value::as_array)
                            .cloned()
                            .unwrap_or_default();
                        let pick = contexts
                            .iter()
                            .find(|c| c.get("isGlobalContext") == Some(&Value::Bool(true)))
                            .or(contexts.first());
                        match pick.and_then(|c| c.get("id")).and_then(Value::as_str) {
                            Some(c) => c.to_string(),
                            None => {
                                return Err(Error::Invalid {
                                    param: "field_id",
                                    problem: format!("{id} has no field context"),
                                });
                            }
                        }
                    }
                };
                let got = self
                    .client
                    .get(&format!("{base}/{}/option", segment(&ctx)))
                    .query("maxResults", 1000)
                    .cancel_when(cancelled)
                    .send_json()?;
                got.get("values")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default()
            }
        };
        if let Some(c) = contains.map(str::to_lowercase).filter(|c| !c.is_empty()) {
            options.retain(|o| option_text(o).is_some_and(|t| t.to_lowercase().contains(&c)));
        }
        options.retain(|o| o.get("disabled") != Some(&Value::Bool(true)));
        let total = options.len();
        if let Some(l) = limit {
            options.truncate(l);
        }
        let out: Vec<Value> = options
            .iter()
            .map(|o| {
                if values_only {
                    json!(option_text(o))
                } else {
                    json!({"id": o.get("id"), "value": option_text(o)})
                }
            })
            .collect();
        Ok(json!({"field_id": id, "total": total, "options": out}))
    }
}

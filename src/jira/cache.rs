//! Field metadata one Jira site shares between its callers, with a time-to-live: the field list
//! (ids, names, schemas), the issue link types, create metadata per project and issue type, and
//! the Epic Link field id of Server/DC, which project a board, sprint, version or service desk
//! belongs to (for the project filter), and the site's cloud id. Lookups by display name go
//! through here, so resolving a custom field by name costs one request per site and hour, not
//! one per call.

use std::time::Duration;

use serde_json::Value;

use super::{Error, Jira};
use crate::atlassian::{TtlCache, segment};

/// What Jira remembers about one site, shared by every caller of that site.
pub struct Cache {
    /// `GET /field` (an array of field objects), under the key "fields".
    fields: TtlCache<Value>,
    /// `GET /issueLinkType` link types, under the key "types".
    link_types: TtlCache<Value>,
    /// Create metadata of one project and issue type, keyed `PROJECT/type`.
    create_meta: TtlCache<Value>,
    /// Board, sprint, version and service desk → project, for the project filter.
    pub(super) owners: super::scope::Owners,
    /// The site's cloud id (Cloud), under the key "id": the Forms API is addressed by it.
    pub(super) cloud_id: TtlCache<String>,
}

impl Default for Cache {
    fn default() -> Self {
        Cache {
            fields: TtlCache::new(Duration::from_secs(3600), 4),
            link_types: TtlCache::new(Duration::from_secs(3600), 4),
            create_meta: TtlCache::new(Duration::from_secs(900), 256),
            owners: super::scope::Owners::default(),
            cloud_id: TtlCache::new(Duration::from_secs(24 * 3600), 1),
        }
    }
}

/// True for `customfield_10010` style ids and system field ids (lower camel case, no spaces).
fn looks_like_id(s: &str) -> bool {
    !s.is_empty()
        && s.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

impl Jira {
    /// Every field of the site (cached; `refresh` reloads).
    pub fn fields(&self, refresh: bool, cancelled: &dyn Fn() -> bool) -> Result<Value, Error> {
        let load = || -> Result<Value, Error> {
            Ok(self
                .client
                .get(&format!("{}/field", self.api()))
                .cancel_when(cancelled)
                .send_json()?)
        };
        if refresh {
            let v = load()?;
            self.cache.fields.insert("fields", v.clone());
            return Ok(v);
        }
        self.cache.fields.get_or_try("fields", load)
    }

    /// The field id of `name_or_id`: ids pass through, display names (any case) are looked up.
    pub fn field_id(
        &self,
        name_or_id: &str,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<String, Error> {
        let wanted = name_or_id.trim();
        if let Some(n) = wanted.strip_prefix("cf_") {
            return Ok(format!("customfield_{n}"));
        }
        if looks_like_id(wanted) {
            return Ok(wanted.to_string());
        }
        let fields = self.fields(false, cancelled)?;
        let found = fields.as_array().and_then(|all| {
            all.iter().find(|f| {
                f.get("name")
                    .and_then(Value::as_str)
                    .is_some_and(|n| n.eq_ignore_ascii_case(wanted))
            })
        });
        match found.and_then(|f| f.get("id")).and_then(Value::as_str) {
            Some(id) => Ok(id.to_string()),
            None => Err(Error::Invalid {
                param: "fields",
                problem: format!(
                    "no field is named {wanted:?}; jira_search_fields lists the field ids and names"
                ),
            }),
        }
    }

    /// The field object with this id (from the cached list).
    pub fn field_by_id(
        &self,
        id: &str,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Option<Value>, Error> {
        let fields = self.fields(false, cancelled)?;
        Ok(fields
            .as_array()
            .and_then(|all| {
                all.iter()
                    .find(|f| f.get("id").and_then(Value::as_str) == Some(id))
            })
            .cloned())
    }

    /// The id of the field whose schema has custom type `custom` (e.g. the Epic Link field).
    pub fn field_of_type(
        &self,
        custom: &str,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Option<String>, Error> {
        let fields = self.fields(false, cancelled)?;
        Ok(fields
            .as_array()
            .and_then(|all| {
                all.iter()
                    .find(|f| f.pointer("/schema/custom").and_then(Value::as_str) == Some(custom))
            })
            .and_then(|f| f.get("id").and_then(Value::as_str))
            .map(str::to_string))
    }

    /// The site's issue link types (cached).
    pub fn link_types_raw(&self, cancelled: &dyn Fn() -> bool) -> Result<Value, Error> {
        self.cache.link_types.get_or_try("types", || {
            let v = self
                .client
                .get(&format!("{}/issueLinkType", self.api()))
                .cancel_when(cancelled)
                .send_json()?;
            Ok(v.get("issueLinkTypes")
                .cloned()
                .unwrap_or(Value::Array(vec![])))
        })
    }

    /// The create-screen fields of one project and issue type (cached), as Jira lists them.
    pub fn create_meta(
        &self,
        project: &str,
        issue_type: &str,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Value, Error> {
        self.check_project(project)?;
        let key = format!(
            "{}/{}",
            project.to_ascii_uppercase(),
            issue_type.to_ascii_lowercase()
        );
        self.cache.create_meta.get_or_try(&key, || {
            let base = format!(
                "{}/issue/createmeta/{}/issuetypes",
                self.api(),
                segment(project)
            );
            let types = self.client.get(&base).cancel_when(cancelled).send_json()?;
            let list = types
                .get("issueTypes")
                .or_else(|| types.get("values"))
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let found = list.iter().find(|t| {
                t.get("name")
                    .and_then(Value::as_str)
                    .is_some_and(|n| n.eq_ignore_ascii_case(issue_type))
                    || t.get("id").and_then(Value::as_str) == Some(issue_type)
            });
            let Some(id) = found.and_then(|t| t.get("id")).and_then(Value::as_str) else {
                let names: Vec<&str> = list
                    .iter()
                    .filter_map(|t| t.get("name").and_then(Value::as_str))
                    .collect();
                return Err(Error::Invalid {
                    param: "issue_type",
                    problem: format!(
                        "project {project} has no issue type {issue_type:?}; it has: {}",
                        names.join(", ")
                    ),
                });
            };
            let fields = self
                .client
                .get(&format!("{base}/{}", segment(id)))
                .query("maxResults", 200)
                .cancel_when(cancelled)
                .send_json()?;
            Ok(fields
                .get("fields")
                .or_else(|| fields.get("values"))
                .cloned()
                .unwrap_or(Value::Array(vec![])))
        })
    }
}

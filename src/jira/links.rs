//! Links between issues and to the web: the site's link types (cached), issue links (a link id
//! is resolved to its two issues, both checked against the project filter, before it is
//! removed), remote links, and epic links (Cloud `parent`; Server/DC the Epic Link field found
//! through the field list, else the Agile epic endpoint), read back to check they took effect.

use serde_json::{Value, json};

use super::{Error, Jira};
use crate::atlassian::{Deployment, segment};

/// The custom type of the Server/DC Epic Link field.
const EPIC_LINK: &str = "com.pyxis.greenhopper.jira:gh-epic-link";

impl Jira {
    /// Link types, optionally only those whose name or direction words contain `filter`.
    pub fn link_types(
        &self,
        filter: Option<&str>,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Value, Error> {
        let all = self.link_types_raw(cancelled)?;
        let needle = filter
            .map(str::to_lowercase)
            .filter(|f| !f.trim().is_empty());
        let list: Vec<Value> = all
            .as_array()
            .into_iter()
            .flatten()
            .filter(|t| {
                needle.as_ref().is_none_or(|n| {
                    ["name", "inward", "outward"].iter().any(|k| {
                        t.get(*k).and_then(Value::as_str).is_some_and(|v| v.to_lowercase().contains(n))
                    })
                })
            })
            .map(|t| json!({"id": t.get("id"), "name": t.get("name"), "inward": t.get("inward"), "outward": t.get("outward")}))
            .collect();
        Ok(json!({"link_types": list}))
    }

    /// Link two issues with a link type given by name, inward or outward words, or id.
    pub fn create_link(
        &self,
        kind: &str,
        inward: &str,
        outward: &str,
        comment: Option<&str>,
        comment_visibility: Option<&Value>,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Value, Error> {
        self.check_project(inward)?;
        self.check_project(outward)?;
        let types = self.link_types_raw(cancelled)?;
        let wanted = kind.trim();
        let found = types.as_array().into_iter().flatten().find(|t| {
            ["name", "id", "inward", "outward"].iter().any(|k| {
                t.get(*k)
                    .and_then(Value::as_str)
                    .is_some_and(|v| v.eq_ignore_ascii_case(wanted))
            })
        });
        let Some(t) = found else {
            let names: Vec<&str> = types
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|t| t.get("name").and_then(Value::as_str))
                .collect();
            return Err(Error::Invalid {
                param: "link_type",
                problem: format!(
                    "no link type {wanted:?}; the site has: {}",
                    names.join(", ")
                ),
            });
        };
        let name = t.get("name").and_then(Value::as_str).unwrap_or(wanted);
        let mut body = json!({
            "type": {"name": name},
            "inwardIssue": {"key": inward},
            "outwardIssue": {"key": outward},
        });
        if let Some(c) = comment.filter(|c| !c.trim().is_empty()) {
            body["comment"] = json!({"body": self.rich(c)});
            if let Some(v) = comment_visibility {
                let kind = v.get("type").and_then(Value::as_str);
                let value = v.get("value").and_then(Value::as_str);
                match (kind, value) {
                    (Some(k @ ("group" | "role")), Some(val)) => {
                        body["comment"]["visibility"] = json!({"type": k, "value": val});
                    }
                    _ => {
                        return Err(Error::Invalid {
                            param: "comment_visibility",
                            problem: "expected {\"type\": \"group\" or \"role\", \"value\": name}"
                                .into(),
                        });
                    }
                }
            }
        }
        self.client
            .post(&format!("{}/issueLink", self.api()))
            .json(body)
            .cancel_when(cancelled)
            .send()?;
        Ok(json!({
            "link_type": name,
            "inward_issue": inward,
            "outward_issue": outward,
            "reads": format!("{outward} {} {inward}", t.get("outward").and_then(Value::as_str).unwrap_or(name)),
        }))
    }

    /// Remove an issue link, after checking both its issues are inside the project filter.
    pub fn remove_link(&self, id: &str, cancelled: &dyn Fn() -> bool) -> Result<Value, Error> {
        let path = format!("{}/issueLink/{}", self.api(), segment(id));
        let mut issues = Vec::new();
        if !self.settings.projects_filter.is_empty() {
            let link = self.client.get(&path).cancel_when(cancelled).send_json()?;
            for side in ["/inwardIssue/key", "/outwardIssue/key"] {
                let key = link
                    .pointer(side)
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                self.check_project(key)?;
                issues.push(key.to_string());
            }
        }
        self.client.delete(&path).cancel_when(cancelled).send()?;
        Ok(json!({"link_id": id, "removed": true, "issues": issues}))
    }

    /// Add a web link to an issue.
    #[allow(clippy::too_many_arguments)]
    pub fn create_remote_link(
        &self,
        key: &str,
        url: &str,
        title: &str,
        summary: Option<&str>,
        relationship: Option<&str>,
        icon_url: Option<&str>,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Value, Error> {
        self.check_project(key)?;
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            return Err(Error::Invalid {
                param: "url",
                problem: "must be an http:// or https:// URL".into(),
            });
        }
        let mut object = json!({"url": url, "title": title});
        if let Some(s) = summary.filter(|s| !s.is_empty()) {
            object["summary"] = json!(s);
        }
        if let Some(i) = icon_url.filter(|s| !s.is_empty()) {
            object["icon"] = json!({"url16x16": i, "title": title});
        }
        let mut body = json!({"object": object});
        if let Some(r) = relationship.filter(|s| !s.is_empty()) {
            body["relationship"] = json!(r);
        }
        let made = self
            .client
            .post(&format!("{}/issue/{}/remotelink", self.api(), segment(key)))
            .json(body)
            .cancel_when(cancelled)
            .send_json()?;
        Ok(json!({"issue_key": key, "id": made.get("id"), "url": url, "title": title}))
    }

    /// Put an issue under an epic and check that it took.
    pub fn link_to_epic(
        &self,
        key: &str,
        epic: &str,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Value, Error> {
        self.check_project(key)?;
        self.check_project(epic)?;
        let issue_path = format!("{}/issue/{}", self.api(), segment(key));
        let (field, via) = match self.deployment() {
            Deployment::Cloud => ("parent".to_string(), "parent"),
            Deployment::ServerDc => match self.field_of_type(EPIC_LINK, cancelled)? {
                Some(f) => (f, "epic_link_field"),
                None => (String::new(), "agile"),
            },
        };
        if via == "agile" {
            self.client
                .post(&format!("/rest/agile/1.0/epic/{}/issue", segment(epic)))
                .json(json!({"issues": [key]}))
                .cancel_when(cancelled)
                .send()?;
            return Ok(json!({"issue_key": key, "epic_key": epic, "linked": true, "via": via}));
        }
        let value = match via {
            "parent" => json!({"key": epic}),
            _ => json!(epic),
        };
        self.client
            .put(&issue_path)
            .json(json!({"fields": {field.clone(): value}}))
            .cancel_when(cancelled)
            .send()?;
        let back = self
            .client
            .get(&issue_path)
            .query("fields", &field)
            .cancel_when(cancelled)
            .send_json()?;
        let now = back.pointer(&format!("/fields/{field}"));
        let now_key = now
            .and_then(|v| v.get("key").and_then(Value::as_str).or(v.as_str()))
            .unwrap_or_default();
        if !now_key.eq_ignore_ascii_case(epic) {
            return Err(Error::Invalid {
                param: "epic_key",
                problem: format!(
                    "Jira accepted the change but {key} is not under {epic} (now: {now_key:?}); is {epic} an epic?"
                ),
            });
        }
        Ok(json!({"issue_key": key, "epic_key": epic, "linked": true, "via": via}))
    }
}

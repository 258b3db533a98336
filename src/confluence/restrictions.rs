//! Page restrictions: who may read and who may edit a page, by user and group (v1 on both
//! deployments; v2 has none). Setting replaces the lists given, keeps the ones left out, and
//! reads the result back.

use serde_json::{Value, json};

use super::people::person;
use super::{Confluence, Error};
use crate::atlassian::segment;

/// New restriction lists; `None` keeps what the page has.
#[derive(Debug, Clone, Default)]
pub struct Restrictions {
    pub read_users: Option<Vec<String>>,
    pub read_groups: Option<Vec<String>>,
    pub edit_users: Option<Vec<String>>,
    pub edit_groups: Option<Vec<String>>,
}

fn subjects(op: &Value) -> (Vec<Value>, Vec<String>) {
    let list = |k: &str| {
        op.pointer(&format!("/restrictions/{k}/results"))
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    let users = list("user").iter().map(person).collect();
    let groups = list("group")
        .iter()
        .filter_map(|g| g.get("name").and_then(Value::as_str).map(String::from))
        .collect();
    (users, groups)
}

impl Confluence {
    fn read_restrictions(&self, id: &str, cancelled: &dyn Fn() -> bool) -> Result<Value, Error> {
        Ok(self
            .client
            .get(&format!("/rest/api/content/{}/restriction/byOperation", segment(id)))
            .query(
                "expand",
                if self.cloud() {
                    "restrictions.user,restrictions.group"
                } else {
                    "read.restrictions.user,read.restrictions.group,update.restrictions.user,update.restrictions.group"
                },
            )
            .cancel_when(cancelled)
            .send_json()?)
    }

    fn shape_restrictions(id: &str, raw: &Value) -> Value {
        let (ru, rg) = subjects(raw.get("read").unwrap_or(&Value::Null));
        let (eu, eg) = subjects(raw.get("update").unwrap_or(&Value::Null));
        json!({"page_id": id,
            "read": {"users": ru, "groups": rg},
            "edit": {"users": eu, "groups": eg},
            "restricted": !(ru.is_empty() && rg.is_empty() && eu.is_empty() && eg.is_empty())})
    }

    /// Who may read and edit a page (empty lists: no restriction beyond the space's).
    pub fn restrictions(&self, id: &str, cancelled: &dyn Fn() -> bool) -> Result<Value, Error> {
        self.check_page(id, cancelled)?;
        let raw = self.read_restrictions(id, cancelled)?;
        Ok(Self::shape_restrictions(id, &raw))
    }

    /// Replace the given lists (users by account id on Cloud, user name on Server/DC).
    pub fn set_restrictions(
        &self,
        id: &str,
        new: &Restrictions,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Value, Error> {
        self.check_page(id, cancelled)?;
        let raw = self.read_restrictions(id, cancelled)?;
        let who = |u: &Value| -> String {
            let key = if self.cloud() {
                "account_id"
            } else {
                "username"
            };
            u.get(key)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        let mut ops = Vec::new();
        for (op, users, groups) in [
            ("read", &new.read_users, &new.read_groups),
            ("update", &new.edit_users, &new.edit_groups),
        ] {
            let (cur_users, cur_groups) = subjects(raw.get(op).unwrap_or(&Value::Null));
            let users: Vec<String> = users.clone().unwrap_or_else(|| {
                cur_users
                    .iter()
                    .map(who)
                    .filter(|u| !u.is_empty())
                    .collect()
            });
            let groups = groups.clone().unwrap_or(cur_groups);
            let mut restrictions = serde_json::Map::new();
            if !users.is_empty() {
                let list: Vec<Value> = users
                    .iter()
                    .map(|u| {
                        if self.cloud() {
                            json!({"type": "known", "accountId": u})
                        } else {
                            json!({"type": "known", "username": u})
                        }
                    })
                    .collect();
                restrictions.insert("user".into(), json!(list));
            }
            if !groups.is_empty() {
                let list: Vec<Value> = groups
                    .iter()
                    .map(|g| json!({"type": "group", "name": g}))
                    .collect();
                restrictions.insert("group".into(), json!(list));
            }
            if !restrictions.is_empty() {
                ops.push(json!({"operation": op, "restrictions": restrictions}));
            }
        }
        self.client
            .put(&format!("/rest/api/content/{}/restriction", segment(id)))
            .json(json!(ops))
            .cancel_when(cancelled)
            .send()?;
        let after = self.read_restrictions(id, cancelled)?;
        let mut out = Self::shape_restrictions(id, &after);
        out["message"] = json!("restrictions set");
        Ok(out)
    }
}

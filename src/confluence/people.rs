//! People in results: Cloud v2 answers carry bare account ids, turned into display names with one
//! `users-bulk` request (names remembered per site); v1 and Server/DC user objects are shaped the
//! same way on both deployments.

use std::collections::HashMap;

use serde_json::{Map, Value, json};

use super::Confluence;

impl Confluence {
    /// Display names of Cloud account ids (an id stays itself when the lookup fails: names are
    /// a courtesy, never a reason to fail the call).
    pub(super) fn names(
        &self,
        ids: &[String],
        cancelled: &dyn Fn() -> bool,
    ) -> HashMap<String, String> {
        let mut out = HashMap::new();
        let mut missing: Vec<String> = Vec::new();
        for id in ids.iter().filter(|i| !i.is_empty()) {
            match self.cache.people.get(id) {
                Some(name) => {
                    out.insert(id.clone(), name);
                }
                None if !missing.contains(id) => missing.push(id.clone()),
                None => {}
            }
        }
        for chunk in missing.chunks(250) {
            let Ok(page) = self
                .client
                .post("/api/v2/users-bulk")
                .json(json!({"accountIds": chunk}))
                .cancel_when(cancelled)
                .send_json()
            else {
                break;
            };
            for u in page
                .get("results")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let (Some(id), Some(name)) = (
                    u.get("accountId").and_then(Value::as_str),
                    u.get("displayName")
                        .or_else(|| u.get("publicName"))
                        .and_then(Value::as_str),
                ) {
                    self.cache.people.insert(id, name.to_string());
                    out.insert(id.to_string(), name.to_string());
                }
            }
        }
        for id in missing {
            out.entry(id.clone()).or_insert(id);
        }
        out
    }
}

/// A v1 / Server/DC user object as `{display_name, account_id | username, email}`.
pub fn person(v: &Value) -> Value {
    let mut out = Map::new();
    for (from, to) in [
        ("displayName", "display_name"),
        ("accountId", "account_id"),
        ("username", "username"),
        ("email", "email"),
    ] {
        if let Some(s) = v
            .get(from)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
        {
            out.insert(to.into(), json!(s));
        }
    }
    Value::Object(out)
}

//! Change histories of many issues in one call (Cloud's bulk changelog endpoint, token paged),
//! each change reduced to who, when, and the field's old and new text.

use serde_json::{Value, json};

use super::{Error, Jira, shape};

fn history(h: &Value) -> Value {
    let items: Vec<Value> = h
        .get("items")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|i| json!({"field": i.get("field"), "from": i.get("fromString"), "to": i.get("toString")}))
        .collect();
    json!({
        "author": h.get("author").map(shape::user),
        "created": h.get("created").and_then(Value::as_str).map(shape::iso_time),
        "items": items,
    })
}

impl Jira {
    /// Changelogs of up to 1000 issues (ids or keys), optionally only changes of `fields`, at
    /// most `limit` changes in all.
    pub fn bulk_changelogs(
        &self,
        issues: &[String],
        fields: &[String],
        limit: usize,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Value, Error> {
        if issues.is_empty() || issues.len() > 1000 {
            return Err(Error::Invalid {
                param: "issue_ids_or_keys",
                problem: format!("give 1 to 1000 issue keys or ids (got {})", issues.len()),
            });
        }
        if fields.len() > 10 {
            return Err(Error::Invalid {
                param: "fields",
                problem: "at most 10 field ids".into(),
            });
        }
        for i in issues {
            if i.bytes().all(|b| b.is_ascii_digit()) {
                if !self.settings.projects_filter.is_empty() {
                    return Err(Error::Invalid {
                        param: "issue_ids_or_keys",
                        problem: format!(
                            "{i}: with JIRA_PROJECTS_FILTER set, give issue keys, not ids"
                        ),
                    });
                }
            } else {
                self.check_project(i)?;
            }
        }
        let mut field_ids = Vec::new();
        for f in fields {
            field_ids.push(self.field_id(f, cancelled)?);
        }
        let mut token: Option<String> = None;
        let mut out: Vec<Value> = Vec::new();
        let mut count = 0;
        for _ in 0..100 {
            let mut body =
                json!({"issueIdsOrKeys": issues, "maxResults": (limit - count).clamp(1, 1000)});
            if !field_ids.is_empty() {
                body["fieldIds"] = json!(field_ids);
            }
            if let Some(t) = &token {
                body["nextPageToken"] = json!(t);
            }
            let page = self
                .client
                .post("/rest/api/3/changelog/bulkfetch")
                .json(body)
                .cancel_when(cancelled)
                .send_json()?;
            for log in page
                .get("issueChangeLogs")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let id = log.get("issueId").cloned().unwrap_or(Value::Null);
                let hs: Vec<Value> = log
                    .get("changeHistories")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .take(limit - count)
                    .map(history)
                    .collect();
                count += hs.len();
                match out.iter_mut().find(|o| o["issue_id"] == id) {
                    Some(o) => o["changes"].as_array_mut().unwrap().extend(hs),
                    None => out.push(json!({"issue_id": id, "changes": hs})),
                }
            }
            token = page
                .get("nextPageToken")
                .and_then(Value::as_str)
                .map(str::to_string);
            if token.is_none() || count >= limit {
                break;
            }
        }
        Ok(json!({"changelogs": out}))
    }
}

//! What happens on an issue over time: comments (added and edited as Markdown, with visibility),
//! workflow transitions (listed, and applied by id or by name, an unknown one listing those
//! available), and worklogs (durations in Jira's notation, start times in ISO 8601 with an offset).

use serde_json::{Map, Value, json};

use super::{Error, Jira, shape};
use crate::atlassian::{Deployment, segment};

/// `2024-05-01T09:30:00+02:00`, `...Z`, `...+0200`, with or without seconds and fractions, or a
/// bare date, as Jira's `2024-05-01T09:30:00.000+0200`.
pub fn jira_time(s: &str) -> Option<String> {
    let s = s.trim();
    let (date, rest) = s.split_at(s.find('T').unwrap_or(s.len()));
    let d: Vec<&str> = date.split('-').collect();
    if d.len() != 3
        || d[0].len() != 4
        || d[1].len() != 2
        || d[2].len() != 2
        || !date.bytes().all(|b| b.is_ascii_digit() || b == b'-')
    {
        return None;
    }
    if rest.is_empty() {
        return Some(format!("{date}T00:00:00.000+0000"));
    }
    let rest = &rest[1..];
    let split = rest.find(['Z', '+', '-']);
    let (clock, zone) = match split {
        Some(i) => rest.split_at(i),
        None => return None,
    };
    let (hms, frac) = clock.split_once('.').unwrap_or((clock, "0"));
    let t: Vec<&str> = hms.split(':').collect();
    if !(2..=3).contains(&t.len())
        || t.iter()
            .any(|p| p.len() != 2 || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let secs = t.get(2).copied().unwrap_or("00");
    let millis: String = format!("{frac:0<3}").chars().take(3).collect();
    if !millis.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let zone = match zone {
        "Z" => "+0000".to_string(),
        z => {
            let digits: String = z[1..].chars().filter(|c| *c != ':').collect();
            if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            format!("{}{digits}", &z[..1])
        }
    };
    Some(format!("{date}T{}:{}:{secs}.{millis}{zone}", t[0], t[1]))
}

/// `1h 30m`, `2d`, `1w 2d 3h`, `45m` (units w, d, h, m).
pub fn is_duration(s: &str) -> bool {
    let parts: Vec<&str> = s.split_whitespace().collect();
    !parts.is_empty()
        && parts.iter().all(|p| {
            let (n, unit) = p.split_at(p.len() - 1);
            matches!(unit, "w" | "d" | "h" | "m")
                && !n.is_empty()
                && n.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        })
}

fn visibility(v: Option<&Value>) -> Result<Option<Value>, Error> {
    let Some(v) = v else { return Ok(None) };
    let o = v.as_object().ok_or(Error::Invalid {
        param: "visibility",
        problem: "expected {\"type\": \"group\" or \"role\", \"value\": name}".into(),
    })?;
    let kind = o.get("type").and_then(Value::as_str).unwrap_or_default();
    let value = o
        .get("value")
        .or_else(|| o.get("identifier"))
        .and_then(Value::as_str);
    match (kind, value) {
        ("group" | "role", Some(val)) => Ok(Some(json!({"type": kind, "value": val}))),
        _ => Err(Error::Invalid {
            param: "visibility",
            problem: "expected {\"type\": \"group\" or \"role\", \"value\": name}".into(),
        }),
    }
}

impl Jira {
    fn comment_out(&self, c: &Value, key: &str) -> Value {
        json!({
            "issue_key": key,
            "id": c.get("id"),
            "author": c.get("author").map(shape::user),
            "created": c.get("created").and_then(Value::as_str).map(shape::iso_time),
            "updated": shape::edited(c),
            "visibility": c.get("visibility").map(|v| shape::scrub(v, 0)),
            "body": c.get("body").map(|b| shape::rich_text(b, self.deployment(), !self.settings.disable_markup_translation)),
        })
    }

    /// Add a Markdown comment; `visibility` restricts it to a group or role; `public` (Service
    /// Management) says whether customers see it.
    pub fn add_comment(
        &self,
        key: &str,
        body: &str,
        vis: Option<&Value>,
        public: Option<bool>,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Value, Error> {
        self.check_project(key)?;
        if body.trim().is_empty() {
            return Err(Error::Invalid {
                param: "body",
                problem: "must not be empty".into(),
            });
        }
        let mut req = json!({"body": self.rich(body)});
        if let Some(v) = visibility(vis)? {
            req["visibility"] = v;
        }
        if let Some(p) = public {
            req["properties"] = json!([{"key": "sd.public.comment", "value": {"internal": !p}}]);
        }
        let c = self
            .client
            .post(&format!("{}/issue/{}/comment", self.api(), segment(key)))
            .json(req)
            .cancel_when(cancelled)
            .send_json()?;
        Ok(self.comment_out(&c, key))
    }

    /// Replace a comment's body (Markdown).
    pub fn edit_comment(
        &self,
        key: &str,
        id: &str,
        body: &str,
        vis: Option<&Value>,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Value, Error> {
        self.check_project(key)?;
        if body.trim().is_empty() {
            return Err(Error::Invalid {
                param: "body",
                problem: "must not be empty".into(),
            });
        }
        let mut req = json!({"body": self.rich(body)});
        if let Some(v) = visibility(vis)? {
            req["visibility"] = v;
        }
        let c = self
            .client
            .put(&format!(
                "{}/issue/{}/comment/{}",
                self.api(),
                segment(key),
                segment(id)
            ))
            .json(req)
            .cancel_when(cancelled)
            .send_json()?;
        Ok(self.comment_out(&c, key))
    }

    fn transitions_raw(
        &self,
        key: &str,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Vec<Value>, Error> {
        let t = self
            .client
            .get(&format!(
                "{}/issue/{}/transitions",
                self.api(),
                segment(key)
            ))
            .cancel_when(cancelled)
            .send_json()?;
        Ok(t.get("transitions")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default())
    }

    /// The transitions available now.
    pub fn transitions(&self, key: &str, cancelled: &dyn Fn() -> bool) -> Result<Value, Error> {
        self.check_project(key)?;
        let list: Vec<Value> = self
            .transitions_raw(key, cancelled)?
            .iter()
            .map(|t| {
                json!({
                    "id": t.get("id"),
                    "name": t.get("name"),
                    "to_status": t.pointer("/to/name"),
                })
            })
            .collect();
        Ok(json!({"issue_key": key, "transitions": list}))
    }

    /// Apply a transition given by id or name (or target status name), with optional fields and
    /// a Markdown comment. Returns the transition applied.
    pub fn transition(
        &self,
        key: &str,
        wanted: &str,
        fields: Option<&Map<String, Value>>,
        comment: Option<&str>,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Value, Error> {
        self.check_project(key)?;
        let wanted = wanted.trim();
        let list = self.transitions_raw(key, cancelled)?;
        let name_of = |t: &Value, p: &str| t.pointer(p).and_then(Value::as_str).map(str::to_string);
        let found = list
            .iter()
            .find(|t| name_of(t, "/id").as_deref() == Some(wanted))
            .or_else(|| {
                list.iter()
                    .find(|t| name_of(t, "/name").is_some_and(|n| n.eq_ignore_ascii_case(wanted)))
            })
            .or_else(|| {
                list.iter().find(|t| {
                    name_of(t, "/to/name").is_some_and(|n| n.eq_ignore_ascii_case(wanted))
                })
            });
        let Some(t) = found else {
            let avail: Vec<String> = list
                .iter()
                .map(|t| {
                    format!(
                        "{} ({})",
                        name_of(t, "/name").unwrap_or_default(),
                        name_of(t, "/id").unwrap_or_default()
                    )
                })
                .collect();
            return Err(Error::Invalid {
                param: "transition_id",
                problem: format!(
                    "{key} has no transition {wanted:?} now; available: {}",
                    if avail.is_empty() {
                        "none".into()
                    } else {
                        avail.join(", ")
                    }
                ),
            });
        };
        let id = name_of(t, "/id").unwrap_or_default();
        let mut body = json!({"transition": {"id": id}});
        if let Some(f) = fields.filter(|f| !f.is_empty()) {
            body["fields"] = Value::Object(self.resolve_fields(f, cancelled)?);
        }
        if let Some(c) = comment.filter(|c| !c.trim().is_empty()) {
            body["update"] = json!({"comment": [{"add": {"body": self.rich(c)}}]});
        }
        self.client
            .post(&format!(
                "{}/issue/{}/transitions",
                self.api(),
                segment(key)
            ))
            .json(body)
            .cancel_when(cancelled)
            .send()?;
        Ok(json!({
            "issue_key": key,
            "transition": {"id": id, "name": name_of(t, "/name")},
            "status": name_of(t, "/to/name"),
        }))
    }

    /// Log work: `time_spent` like `1h 30m`; `started` ISO 8601 (now when absent); estimates
    /// adjust the remaining estimate.
    #[allow(clippy::too_many_arguments)]
    pub fn add_worklog(
        &self,
        key: &str,
        time_spent: &str,
        comment: Option<&str>,
        started: Option<&str>,
        original_estimate: Option<&str>,
        remaining_estimate: Option<&str>,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Value, Error> {
        self.check_project(key)?;
        let bad_duration = |param: &'static str, v: &str| Error::Invalid {
            param,
            problem: format!("{v:?} is not a Jira duration like 1h 30m, 2d or 45m"),
        };
        if !is_duration(time_spent) {
            return Err(bad_duration("time_spent", time_spent));
        }
        let mut body = json!({"timeSpent": time_spent});
        if let Some(s) = started.filter(|s| !s.trim().is_empty()) {
            body["started"] = json!(jira_time(s).ok_or(Error::Invalid {
                param: "started",
                problem: format!("{s:?} is not an ISO 8601 time like 2024-05-01T09:30:00+02:00"),
            })?);
        }
        if let Some(c) = comment.filter(|c| !c.trim().is_empty()) {
            body["comment"] = self.rich(c);
        }
        if let Some(o) = original_estimate.filter(|s| !s.trim().is_empty()) {
            if !is_duration(o) {
                return Err(bad_duration("original_estimate", o));
            }
            self.client
                .put(&format!("{}/issue/{}", self.api(), segment(key)))
                .json(json!({"fields": {"timetracking": {"originalEstimate": o}}}))
                .cancel_when(cancelled)
                .send()?;
        }
        let mut r = self
            .client
            .post(&format!("{}/issue/{}/worklog", self.api(), segment(key)))
            .cancel_when(cancelled);
        if let Some(rem) = remaining_estimate.filter(|s| !s.trim().is_empty()) {
            if !is_duration(rem) {
                return Err(bad_duration("remaining_estimate", rem));
            }
            r = r.query("adjustEstimate", "new").query("newEstimate", rem);
        }
        let w = r.json(body).send_json()?;
        Ok(self.worklog_out(&w, Some(key)))
    }

    fn worklog_out(&self, w: &Value, key: Option<&str>) -> Value {
        json!({
            "issue_key": key,
            "id": w.get("id"),
            "author": w.get("author").map(shape::user),
            "time_spent": w.get("timeSpent"),
            "time_spent_seconds": w.get("timeSpentSeconds"),
            "started": w.get("started").and_then(Value::as_str).map(shape::iso_time),
            "comment": w.get("comment").map(|b| shape::rich_text(b, self.deployment(), !self.settings.disable_markup_translation)),
        })
    }

    /// Every worklog of an issue.
    pub fn worklogs(&self, key: &str, cancelled: &dyn Fn() -> bool) -> Result<Value, Error> {
        self.check_project(key)?;
        let mut r = self
            .client
            .get(&format!("{}/issue/{}/worklog", self.api(), segment(key)))
            .cancel_when(cancelled);
        if self.deployment() == Deployment::Cloud {
            r = r.query("maxResults", 5000);
        }
        let w = r.send_json()?;
        let list: Vec<Value> = w
            .get("worklogs")
            .and_then(Value::as_array)
            .map(|a| a.iter().map(|x| self.worklog_out(x, None)).collect())
            .unwrap_or_default();
        let total: i64 = list
            .iter()
            .filter_map(|x| x.get("time_spent_seconds").and_then(Value::as_i64))
            .sum();
        Ok(json!({"issue_key": key, "total_seconds": total, "worklogs": list}))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_and_durations() {
        assert_eq!(
            jira_time("2024-05-01T09:30:00+02:00").as_deref(),
            Some("2024-05-01T09:30:00.000+0200")
        );
        assert_eq!(
            jira_time("2024-05-01T09:30Z").as_deref(),
            Some("2024-05-01T09:30:00.000+0000")
        );
        assert_eq!(
            jira_time("2024-05-01T09:30:00.5-0530").as_deref(),
            Some("2024-05-01T09:30:00.500-0530")
        );
        assert_eq!(
            jira_time("2024-05-01").as_deref(),
            Some("2024-05-01T00:00:00.000+0000")
        );
        assert_eq!(jira_time("2024-05-01T09:30:00"), None);
        assert_eq!(jira_time("yesterday"), None);
        assert!(is_duration("1h 30m") && is_duration("2d") && is_duration("1.5h"));
        assert!(!is_duration("90") && !is_duration("") && !is_duration("1 h"));
    }
}

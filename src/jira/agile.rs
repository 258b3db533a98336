//! Jira Software (Agile 1.0, the same on both deployments): boards, their issues and sprints,
//! sprint issues, creating and changing sprints, moving issues into a sprint or back to the
//! backlog. Board and sprint ids are resolved to their project for the project filter; issue
//! lists are restricted by JQL and checked again on the way out.

use serde_json::{Map, Value, json};

use super::scope::text;
use super::{Error, Jira};
use crate::atlassian::query::restrict;
use crate::atlassian::{HttpError, segment};

/// Arguments of the board listing.
#[derive(Debug, Clone, Default)]
pub struct BoardQuery<'a> {
    pub name: Option<&'a str>,
    pub project_key: Option<&'a str>,
    pub board_type: Option<&'a str>,
    pub start_at: usize,
    pub limit: usize,
}

/// What to change in a sprint (`None`: unchanged).
#[derive(Debug, Clone, Default)]
pub struct SprintChange<'a> {
    pub name: Option<&'a str>,
    pub state: Option<&'a str>,
    pub start_date: Option<&'a str>,
    pub end_date: Option<&'a str>,
    pub goal: Option<&'a str>,
}

const AGILE: &str = "/rest/agile/1.0";

fn two(s: &str, at: usize) -> Option<u32> {
    s.get(at..at + 2)
        .filter(|d| d.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|d| d.parse().ok())
}

/// An ISO 8601 date or date-time as Jira's Agile API takes it: `2026-12-01` is midnight UTC, a
/// time without an offset is UTC, `Z` and `±HH:MM` / `±HHMM` offsets are kept.
pub fn iso_datetime(param: &'static str, s: &str) -> Result<String, Error> {
    let bad = || Error::Invalid {
        param,
        problem: format!(
            "{s:?} is not an ISO 8601 date or date-time (2026-12-01 or 2026-12-01T09:00:00+01:00)"
        ),
    };
    let s = s.trim();
    let b = s.as_bytes();
    let date_ok = b.len() >= 10
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[7] == b'-'
        && two(s, 5).is_some_and(|m| (1..=12).contains(&m))
        && two(s, 8).is_some_and(|d| (1..=31).contains(&d));
    if !date_ok {
        return Err(bad());
    }
    if b.len() == 10 {
        return Ok(format!("{s}T00:00:00.000Z"));
    }
    if b[10] != b'T' && b[10] != b' ' {
        return Err(bad());
    }
    let rest = &s[11..];
    let (clock, zone) = match rest.find(['Z', 'z', '+', '-']) {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "Z"),
    };
    let hm_ok = two(clock, 0).is_some_and(|h| h < 24)
        && clock.as_bytes().get(2) == Some(&b':')
        && two(clock, 3).is_some_and(|m| m < 60);
    let secs = &clock[clock.len().min(5)..];
    let secs_ok = secs.is_empty()
        || (secs.starts_with(':')
            && two(secs, 1).is_some_and(|x| x < 61)
            && (secs.len() == 3
                || (secs.as_bytes()[3] == b'.'
                    && secs.len() > 4
                    && secs[4..].bytes().all(|b| b.is_ascii_digit()))));
    let zone = match zone {
        "Z" | "z" => "Z".to_string(),
        z if z.len() == 6 && two(z, 1).is_some() && &z[3..4] == ":" && two(z, 4).is_some() => {
            z.to_string()
        }
        z if z.len() == 5 && two(z, 1).is_some() && two(z, 3).is_some() => {
            format!("{}:{}", &z[..3], &z[3..])
        }
        _ => return Err(bad()),
    };
    if !hm_ok || !secs_ok || clock.len() < 5 {
        return Err(bad());
    }
    let secs = if secs.is_empty() { ":00" } else { secs };
    Ok(format!("{}T{}{secs}{zone}", &s[..10], &clock[..5]))
}

fn sprint(s: &Value) -> Value {
    json!({
        "id": s.get("id"), "name": s.get("name"), "state": s.get("state"),
        "start_date": s.get("startDate"), "end_date": s.get("endDate"),
        "complete_date": s.get("completeDate"), "goal": s.get("goal"),
        "board_id": s.get("originBoardId"),
    })
}

fn check_states(states: &str) -> Result<(), Error> {
    match states
        .split(',')
        .map(str::trim)
        .find(|s| !matches!(*s, "future" | "active" | "closed"))
    {
        Some(bad) => Err(Error::Invalid {
            param: "state",
            problem: format!("{bad:?} is not a sprint state (future, active, closed)"),
        }),
        None => Ok(()),
    }
}

impl Jira {
    /// Boards by name, project and type; boards of projects outside the filter are left out.
    pub fn boards(&self, q: &BoardQuery<'_>, cancelled: &dyn Fn() -> bool) -> Result<Value, Error> {
        if let Some(p) = q.project_key {
            self.check_project(p)?;
        }
        if let Some(t) = q.board_type {
            if t.split(',')
                .any(|t| !matches!(t.trim(), "scrum" | "kanban" | "simple"))
            {
                return Err(Error::Invalid {
                    param: "board_type",
                    problem: format!("{t:?}: use scrum, kanban or simple"),
                });
            }
        }
        let mut r = self
            .client
            .get(&format!("{AGILE}/board"))
            .query("startAt", q.start_at)
            .query("maxResults", q.limit)
            .cancel_when(cancelled);
        for (k, v) in [
            ("name", q.name),
            ("projectKeyOrId", q.project_key),
            ("type", q.board_type),
        ] {
            if let Some(v) = v.filter(|v| !v.is_empty()) {
                r = r.query(k, v);
            }
        }
        let page = r.send_json()?;
        let mut boards = Vec::new();
        for b in page
            .get("values")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let id = b.get("id").map(text).unwrap_or_default();
            let project = b
                .pointer("/location/projectKey")
                .and_then(Value::as_str)
                .map(str::to_string);
            self.cache.owners.boards.insert(&id, project.clone());
            if self.filtering() && !project.as_deref().is_some_and(|p| self.admits(p)) {
                continue;
            }
            boards.push(json!({
                "id": b.get("id"), "name": b.get("name"), "type": b.get("type"),
                "project_key": project, "project_name": b.pointer("/location/projectName"),
            }));
        }
        Ok(json!({
            "total": page.get("total"), "start_at": q.start_at, "is_last": page.get("isLast"),
            "boards": boards,
        }))
    }

    /// Issues of an Agile list (board or sprint), restricted to the filter and shaped.
    #[allow(clippy::too_many_arguments)]
    fn agile_issues(
        &self,
        path: &str,
        jql: &str,
        fields: &str,
        expand: Option<&str>,
        start_at: usize,
        limit: usize,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Value, Error> {
        let jql = restrict(jql, "project", &self.settings.projects_filter).map_err(|problem| {
            Error::Invalid {
                param: "jql",
                problem,
            }
        })?;
        let mut r = self
            .client
            .get(path)
            .query("startAt", start_at)
            .query("maxResults", limit)
            .query("fields", fields)
            .cancel_when(cancelled);
        if !jql.trim().is_empty() {
            r = r.query("jql", &jql);
        }
        if let Some(e) = expand.filter(|e| !e.is_empty()) {
            r = r.query("expand", e);
        }
        let page = r.send_json()?;
        let issues = self.shaped_in_scope(
            page.get("issues")
                .and_then(Value::as_array)
                .map(Vec::as_slice)
                .unwrap_or_default(),
        );
        Ok(json!({
            "total": page.get("total"), "start_at": start_at, "max_results": limit,
            "issues": issues,
        }))
    }

    /// Issues of a board, optionally narrowed with JQL.
    #[allow(clippy::too_many_arguments)]
    pub fn board_issues(
        &self,
        board_id: &str,
        jql: &str,
        fields: &str,
        expand: Option<&str>,
        start_at: usize,
        limit: usize,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Value, Error> {
        // The query is checked before the board is looked up.
        restrict(jql, "project", &[]).map_err(|problem| Error::Invalid {
            param: "jql",
            problem,
        })?;
        self.check_board(board_id, cancelled)?;
        let path = format!("{AGILE}/board/{}/issue", segment(board_id));
        let mut out = self.agile_issues(&path, jql, fields, expand, start_at, limit, cancelled)?;
        out["board_id"] = json!(board_id);
        Ok(out)
    }

    /// Sprints of a board, by state.
    pub fn sprints(
        &self,
        board_id: &str,
        state: Option<&str>,
        start_at: usize,
        limit: usize,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Value, Error> {
        if let Some(s) = state {
            check_states(s)?;
        }
        self.check_board(board_id, cancelled)?;
        let mut r = self
            .client
            .get(&format!("{AGILE}/board/{}/sprint", segment(board_id)))
            .query("startAt", start_at)
            .query("maxResults", limit)
            .cancel_when(cancelled);
        if let Some(s) = state {
            r = r.query("state", s);
        }
        let page = r.send_json()?;
        let sprints: Vec<Value> = page
            .get("values")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .inspect(|s| {
                let id = s.get("id").map(text).unwrap_or_default();
                self.cache.owners.sprints.insert(&id, board_id.to_string());
            })
            .map(sprint)
            .collect();
        Ok(json!({
            "board_id": board_id, "start_at": start_at, "is_last": page.get("isLast"),
            "sprints": sprints,
        }))
    }

    /// Issues of a sprint.
    pub fn sprint_issues(
        &self,
        sprint_id: &str,
        fields: &str,
        start_at: usize,
        limit: usize,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Value, Error> {
        self.check_sprint(sprint_id, cancelled)?;
        let path = format!("{AGILE}/sprint/{}/issue", segment(sprint_id));
        let mut out = self.agile_issues(&path, "", fields, None, start_at, limit, cancelled)?;
        out["sprint_id"] = json!(sprint_id);
        Ok(out)
    }

    fn sprint_body(&self, change: &SprintChange<'_>) -> Result<Map<String, Value>, Error> {
        let mut body = Map::new();
        if let Some(n) = change.name {
            if n.trim().is_empty() {
                return Err(Error::Invalid {
                    param: "name",
                    problem: "must not be empty".into(),
                });
            }
            body.insert("name".into(), json!(n));
        }
        if let Some(s) = change.state {
            check_states(s)?;
            if s.contains(',') {
                return Err(Error::Invalid {
                    param: "state",
                    problem: "give one state".into(),
                });
            }
            body.insert("state".into(), json!(s.trim()));
        }
        if let Some(d) = change.start_date {
            body.insert("startDate".into(), json!(iso_datetime("start_date", d)?));
        }
        if let Some(d) = change.end_date {
            body.insert("endDate".into(), json!(iso_datetime("end_date", d)?));
        }
        if let (Some(a), Some(b)) = (body.get("startDate"), body.get("endDate")) {
            if let (Some(a), Some(b)) = (a.as_str(), b.as_str()) {
                if super::clock::parse(b) <= super::clock::parse(a) {
                    return Err(Error::Invalid {
                        param: "end_date",
                        problem: "must come after start_date".into(),
                    });
                }
            }
        }
        if let Some(g) = change.goal {
            body.insert("goal".into(), json!(g));
        }
        Ok(body)
    }

    /// Create a (future) sprint on a board.
    pub fn create_sprint(
        &self,
        board_id: &str,
        change: &SprintChange<'_>,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Value, Error> {
        let mut body = self.sprint_body(change)?;
        let board: i64 = board_id.parse().map_err(|_| Error::Invalid {
            param: "board_id",
            problem: format!("{board_id:?} is not a numeric board id"),
        })?;
        body.insert("originBoardId".into(), json!(board));
        self.check_board(board_id, cancelled)?;
        let s = self
            .client
            .post(&format!("{AGILE}/sprint"))
            .json(Value::Object(body))
            .cancel_when(cancelled)
            .send_json()?;
        if let Some(id) = s.get("id").map(text) {
            self.cache.owners.sprints.insert(&id, board_id.to_string());
        }
        Ok(json!({"created": true, "sprint": sprint(&s)}))
    }

    /// Change a sprint: only the given fields (a partial update).
    pub fn update_sprint(
        &self,
        sprint_id: &str,
        change: &SprintChange<'_>,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Value, Error> {
        let body = self.sprint_body(change)?;
        if body.is_empty() {
            return Err(Error::Invalid {
                param: "sprint_id",
                problem: "nothing to change: give name, state, start_date, end_date or goal".into(),
            });
        }
        self.check_sprint(sprint_id, cancelled)?;
        let s = self
            .client
            .post(&format!("{AGILE}/sprint/{}", segment(sprint_id)))
            .json(Value::Object(body))
            .cancel_when(cancelled)
            .send_json()?;
        Ok(json!({"updated": true, "sprint": sprint(&s)}))
    }

    /// Issue keys from a comma list, each inside the filter, without duplicates.
    fn issue_keys(&self, keys: &[String]) -> Result<Vec<String>, Error> {
        let mut out: Vec<String> = Vec::new();
        for k in keys {
            let k = k.trim().to_string();
            if k.is_empty() || out.contains(&k) {
                continue;
            }
            self.check_project(&k)?;
            out.push(k);
        }
        if out.is_empty() {
            return Err(Error::Invalid {
                param: "issue_keys",
                problem: "give at least one issue key".into(),
            });
        }
        if out.len() > 500 {
            return Err(Error::Invalid {
                param: "issue_keys",
                problem: format!("at most 500 issues per call, not {}", out.len()),
            });
        }
        Ok(out)
    }

    /// POST the keys in groups of 50 (the Agile limit).
    fn move_keys(
        &self,
        path: &str,
        keys: &[String],
        cancelled: &dyn Fn() -> bool,
    ) -> Result<(), Error> {
        for chunk in keys.chunks(50) {
            if cancelled() {
                return Err(HttpError::Cancelled.into());
            }
            self.client
                .post(path)
                .json(json!({"issues": chunk}))
                .cancel_when(cancelled)
                .send()?;
        }
        Ok(())
    }

    /// Move issues into a sprint.
    pub fn add_to_sprint(
        &self,
        sprint_id: &str,
        keys: &[String],
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Value, Error> {
        let keys = self.issue_keys(keys)?;
        self.check_sprint(sprint_id, cancelled)?;
        let path = format!("{AGILE}/sprint/{}/issue", segment(sprint_id));
        self.move_keys(&path, &keys, cancelled)?;
        Ok(json!({"sprint_id": sprint_id, "moved": keys.len(), "issue_keys": keys}))
    }

    /// Move issues out of their sprints, to the backlog.
    pub fn move_to_backlog(
        &self,
        keys: &[String],
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Value, Error> {
        let keys = self.issue_keys(keys)?;
        self.move_keys(&format!("{AGILE}/backlog/issue"), &keys, cancelled)?;
        Ok(json!({"moved_to_backlog": keys.len(), "issue_keys": keys}))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sprint_dates_are_iso_8601() {
        let ok = |s: &str| iso_datetime("d", s).unwrap();
        assert_eq!(ok("2026-12-01"), "2026-12-01T00:00:00.000Z");
        assert_eq!(ok("2026-12-01T09:30"), "2026-12-01T09:30:00Z");
        assert_eq!(
            ok("2026-12-01T09:30:15.250+0100"),
            "2026-12-01T09:30:15.250+01:00"
        );
        assert_eq!(ok("2026-12-01T09:30:00-05:00"), "2026-12-01T09:30:00-05:00");
        for bad in [
            "01.12.2026",
            "2026-12-01T9:30",
            "2026-13-01",
            "2026-12-01T09:30+1",
            "tomorrow",
        ] {
            assert!(iso_datetime("d", bad).is_err(), "{bad}");
        }
    }
}

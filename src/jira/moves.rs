//! Moving an issue to another project on Jira Cloud through the bulk move API: the issue keeps
//! its type (the same type, by id or name, in the target project), the move is submitted as a
//! task and the task polled with a bounded total wait, stopping early when the caller cancels
//! and reporting progress as Jira does. Both projects must be inside the project filter; the
//! outcome is reported per issue, with the issue's new key read back from Jira.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::scope::text;
use super::{Deployment, Error, Jira};
use crate::atlassian::{HttpError, segment, sleep_unless};

/// The longest a move is waited for; after that it is reported as still running.
const MOVE_WAIT: Duration = Duration::from_secs(60);
/// The first pause between polls, doubled up to [`MAX_POLL_PAUSE`].
const FIRST_POLL_PAUSE: Duration = Duration::from_millis(250);
const MAX_POLL_PAUSE: Duration = Duration::from_secs(2);

fn refused(param: &'static str, problem: String) -> Error {
    Error::Invalid { param, problem }
}

impl Jira {
    /// The id of the target project's issue type matching `source` (same id, else same name
    /// and the same sub-task kind).
    fn target_type(
        &self,
        source: &Value,
        target: &str,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<String, Error> {
        let project = self
            .client
            .get(&format!("{}/project/{}", self.api(), segment(target)))
            .cancel_when(cancelled)
            .send_json()?;
        let types = project["issueTypes"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let name = source["name"].as_str().unwrap_or_default();
        let subtask = source["subtask"].as_bool().unwrap_or(false);
        let found = types
            .iter()
            .find(|t| text(&t["id"]) == text(&source["id"]))
            .or_else(|| {
                types.iter().find(|t| {
                    t["name"]
                        .as_str()
                        .is_some_and(|n| n.eq_ignore_ascii_case(name))
                        && t["subtask"].as_bool().unwrap_or(false) == subtask
                })
            });
        match found {
            Some(t) => Ok(text(&t["id"])),
            None => {
                let names: Vec<&str> = types.iter().filter_map(|t| t["name"].as_str()).collect();
                Err(refused(
                    "target_project_key",
                    format!(
                        "{target} has no issue type {name:?}; it has {}",
                        names.join(", ")
                    ),
                ))
            }
        }
    }

    /// Move `key` to project `target`, keeping its issue type. `progress(percent, status)` is
    /// called after every poll of the task.
    pub fn move_issue(
        &self,
        key: &str,
        target: &str,
        cancelled: &dyn Fn() -> bool,
        progress: &dyn Fn(f64, &str),
    ) -> Result<Value, Error> {
        self.check_project(key)?;
        self.check_project(target)?;
        if self.deployment() != Deployment::Cloud {
            return Err(refused(
                "issue_key",
                "moving an issue to another project needs Jira Cloud's bulk move API".into(),
            ));
        }
        let issue = self
            .client
            .get(&format!("{}/issue/{}", self.api(), segment(key)))
            .query("fields", "issuetype,project")
            .cancel_when(cancelled)
            .send_json()?;
        let from_project = issue.pointer("/fields/project/key").map(text);
        if from_project.as_deref() == Some(target) {
            return Err(refused(
                "target_project_key",
                format!("{key} is already in {target}"),
            ));
        }
        let source_type = issue
            .pointer("/fields/issuetype")
            .cloned()
            .unwrap_or_default();
        let type_id = self.target_type(&source_type, target, cancelled)?;
        let submitted = self
            .client
            .post(&format!("{}/bulk/issues/move", self.api()))
            .json(json!({
                "sendBulkNotification": false,
                "targetToSourcesMapping": {
                    format!("{target},{type_id}"): {
                        "issueIdsOrKeys": [key],
                        "inferClassificationDefaults": true,
                        "inferFieldDefaults": true,
                        "inferStatusDefaults": true,
                        "inferSubtaskTypeDefault": true,
                    }
                }
            }))
            .cancel_when(cancelled)
            .send_json()?;
        let task_id = submitted.get("taskId").map(text).unwrap_or_default();
        if task_id.is_empty() {
            return Err(Error::Http(HttpError::InvalidResponse {
                reason: "the bulk move answer has no task id".into(),
            }));
        }
        let task = self.wait_for_move(&task_id, cancelled, progress)?;
        self.move_outcome(key, target, &task_id, &task, cancelled)
    }

    /// Poll the move task until it ends or [`MOVE_WAIT`] has passed; cancellation is checked
    /// between polls.
    fn wait_for_move(
        &self,
        task_id: &str,
        cancelled: &dyn Fn() -> bool,
        progress: &dyn Fn(f64, &str),
    ) -> Result<Value, Error> {
        let started = Instant::now();
        let mut pause = FIRST_POLL_PAUSE;
        loop {
            let task = self
                .client
                .get(&format!("{}/bulk/queue/{}", self.api(), segment(task_id)))
                .cancel_when(cancelled)
                .send_json()?;
            let status = task["status"].as_str().unwrap_or_default();
            progress(task["progressPercent"].as_f64().unwrap_or(0.0), status);
            if matches!(
                status,
                "COMPLETE" | "FAILED" | "CANCELLED" | "CANCEL_REQUESTED"
            ) || started.elapsed() + pause > MOVE_WAIT
            {
                return Ok(task);
            }
            if !sleep_unless(pause, cancelled) {
                return Err(Error::Http(HttpError::Cancelled));
            }
            pause = (pause * 2).min(MAX_POLL_PAUSE);
        }
    }

    /// The result of a finished (or still running) move task, per issue.
    fn move_outcome(
        &self,
        key: &str,
        target: &str,
        task_id: &str,
        task: &Value,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Value, Error> {
        let status = task["status"].as_str().unwrap_or_default();
        let mut failed: Vec<Value> = task["failedAccessibleIssues"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(id, errors)| json!({"issue": id, "errors": errors}))
            .collect();
        let invalid = task["invalidOrInaccessibleIssueCount"]
            .as_u64()
            .unwrap_or(0);
        if invalid > 0 {
            failed.push(json!({"issue": key, "errors": ["invalid or not accessible to you"]}));
        }
        if !matches!(
            status,
            "COMPLETE" | "FAILED" | "CANCELLED" | "CANCEL_REQUESTED"
        ) {
            return Ok(json!({
                "task_id": task_id, "status": status,
                "progress_percent": task["progressPercent"],
                "note": format!("Jira is still moving {key} to {target}; read the issue again later"),
            }));
        }
        let mut moved = Vec::new();
        for id in task["processedAccessibleIssues"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let now = self
                .client
                .get(&format!("{}/issue/{}", self.api(), segment(&text(id))))
                .query("fields", "summary,project,issuetype,status")
                .cancel_when(cancelled)
                .send_json()?;
            let new_key = now["key"].as_str().unwrap_or_default();
            let f = &now["fields"];
            // What came back is shown only inside the filter (it should be the target).
            if self.check_project(new_key).is_err() {
                moved.push(json!({"from": key, "id": text(id)}));
                continue;
            }
            moved.push(json!({
                "from": key, "key": new_key, "project": f.pointer("/project/key"),
                "summary": f["summary"], "issue_type": f.pointer("/issuetype/name"),
                "status": f.pointer("/status/name"),
            }));
        }
        if moved.is_empty() {
            let why: Vec<String> = failed.iter().map(|f| f["errors"].to_string()).collect();
            return Err(refused(
                "issue_key",
                format!(
                    "Jira did not move {key} to {target} (task {task_id}, {status}){}",
                    if why.is_empty() {
                        String::new()
                    } else {
                        format!(": {}", why.join("; "))
                    }
                ),
            ));
        }
        let mut out = json!({"task_id": task_id, "status": status, "moved": moved});
        if !failed.is_empty() {
            out["failed"] = json!(failed);
        }
        Ok(out)
    }
}

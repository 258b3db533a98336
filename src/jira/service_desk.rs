//! Jira Service Management (`/rest/servicedeskapi`): request types and their fields, customer
//! requests (a Markdown description becomes wiki markup, which the request API renders on both
//! deployments), and on Server/DC a project's service desk, its queues and queue issues. Every
//! service desk id is resolved to its project for the project filter before it is used.

use serde_json::{Map, Value, json};

use super::scope::text;
use super::shape::{self, user};
use super::{Error, Jira};
use crate::atlassian::{Deployment, HttpError, segment};
use crate::convert::{self, Flavor, Options};

const JSM: &str = "/rest/servicedeskapi";

/// Arguments of a new customer request.
#[derive(Debug, Clone)]
pub struct CustomerRequest<'a> {
    pub service_desk_id: &'a str,
    pub request_type_id: &'a str,
    pub values: Map<String, Value>,
    pub on_behalf_of: Option<&'a str>,
    pub participants: Vec<String>,
    /// Refuse instead of raising the request as the caller when `on_behalf_of` is refused.
    pub strict_on_behalf: bool,
}

impl Jira {
    /// Collect up to `want` items of a JSM list (`start`/`limit`, `isLastPage`), in pages of 50.
    fn jsm_list(
        &self,
        path: &str,
        extra: &[(&str, &str)],
        start: usize,
        want: usize,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<(Vec<Value>, bool), Error> {
        let (mut items, mut at) = (Vec::new(), start);
        loop {
            if cancelled() {
                return Err(HttpError::Cancelled.into());
            }
            let size = (want - items.len()).clamp(1, 50);
            let mut r = self
                .client
                .get(path)
                .query("start", at)
                .query("limit", size)
                .cancel_when(cancelled);
            for (k, v) in extra {
                r = r.query(k, v);
            }
            let page = r.send_json()?;
            let values = page
                .get("values")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let last = page
                .get("isLastPage")
                .and_then(Value::as_bool)
                .unwrap_or(true)
                || values.is_empty();
            at += values.len();
            items.extend(values);
            if last || items.len() >= want {
                items.truncate(want);
                return Ok((items, last));
            }
        }
    }

    /// The request types of a service desk.
    pub fn request_types(
        &self,
        desk: &str,
        start: usize,
        limit: usize,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Value, Error> {
        self.check_desk(desk, cancelled)?;
        let path = format!("{JSM}/servicedesk/{}/requesttype", segment(desk));
        let (items, last) = self.jsm_list(&path, &[], start, limit, cancelled)?;
        let types: Vec<Value> = items
            .iter()
            .map(|t| {
                json!({"id": t.get("id"), "name": t.get("name"), "description": t.get("description"),
                       "issue_type_id": t.get("issueTypeId"), "group_ids": t.get("groupIds")})
            })
            .collect();
        Ok(
            json!({"service_desk_id": desk, "start_at": start, "is_last": last, "request_types": types}),
        )
    }

    /// The fields a request type asks for.
    pub fn request_type_fields(
        &self,
        desk: &str,
        request_type: &str,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Value, Error> {
        self.check_desk(desk, cancelled)?;
        let raw = self
            .client
            .get(&format!(
                "{JSM}/servicedesk/{}/requesttype/{}/field",
                segment(desk),
                segment(request_type)
            ))
            .cancel_when(cancelled)
            .send_json()?;
        let fields: Vec<Value> = raw
            .get("requestTypeFields")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|f| {
                let valid: Vec<Value> = f
                    .get("validValues")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .take(50)
                    .map(|v| json!({"value": v.get("value"), "label": v.get("label")}))
                    .collect();
                json!({"id": f.get("fieldId"), "name": f.get("name"), "required": f.get("required"),
                       "type": f.pointer("/jiraSchema/type"), "items": f.pointer("/jiraSchema/items"),
                       "description": f.get("description"), "valid_values": valid})
            })
            .collect();
        Ok(json!({
            "service_desk_id": desk, "request_type_id": request_type,
            "can_raise_on_behalf_of": raw.get("canRaiseOnBehalfOf"),
            "can_add_participants": raw.get("canAddRequestParticipants"),
            "fields": shape::scrub(&json!(fields), 0),
        }))
    }

    /// Raise a customer request.
    pub fn create_customer_request(
        &self,
        req: &CustomerRequest<'_>,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Value, Error> {
        let mut values = req.values.clone();
        if !self.settings.disable_markup_translation {
            if let Some(Value::String(md)) = values.get("description") {
                let opts = Options {
                    flavor: match self.deployment() {
                        Deployment::Cloud => Flavor::Cloud,
                        Deployment::ServerDc => Flavor::Server,
                    },
                };
                let wiki = convert::markdown_to_wiki(md, &opts);
                values.insert("description".into(), json!(wiki.trim_end()));
            }
        }
        self.check_desk(req.service_desk_id, cancelled)?;
        let mut body = json!({
            "serviceDeskId": req.service_desk_id,
            "requestTypeId": req.request_type_id,
            "requestFieldValues": values,
        });
        if !req.participants.is_empty() {
            body["requestParticipants"] = json!(req.participants);
        }
        let send = |body: &Value| {
            self.client
                .post(&format!("{JSM}/request"))
                .json(body.clone())
                .cancel_when(cancelled)
                .send_json()
        };
        let mut note = None;
        let created = match req.on_behalf_of {
            Some(who) => {
                let mut with = body.clone();
                with["raiseOnBehalfOf"] = json!(who);
                match send(&with) {
                    Ok(v) => v,
                    Err(e @ HttpError::Status { status: 400, .. }) if !req.strict_on_behalf => {
                        note = Some(format!(
                            "raising it for {who} was refused ({e}); it was raised as you"
                        ));
                        send(&body)?
                    }
                    Err(e) => return Err(e.into()),
                }
            }
            None => send(&body)?,
        };
        let key = created.get("issueKey").map(text).unwrap_or_default();
        Ok(json!({
            "created": true, "issue_key": key, "issue_id": created.get("issueId"),
            "url": format!("{}/browse/{key}", self.site_url),
            "service_desk_id": created.get("serviceDeskId"),
            "request_type_id": created.get("requestTypeId"),
            "status": created.pointer("/currentStatus/status"),
            "reporter": created.get("reporter").map(user),
            "note": note,
        }))
    }

    /// The service desk of a project (Server/DC).
    pub fn service_desk_for_project(
        &self,
        key: &str,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Value, Error> {
        self.check_project(key)?;
        let (desks, _) = self.jsm_list(&format!("{JSM}/servicedesk"), &[], 0, 1000, cancelled)?;
        let desk = desks
            .iter()
            .find(|d| {
                d.get("projectKey")
                    .map(text)
                    .is_some_and(|k| k.eq_ignore_ascii_case(key))
            })
            .ok_or_else(|| Error::Invalid {
                param: "project_key",
                problem: format!("project {key} has no service desk you can see"),
            })?;
        Ok(json!({
            "project_key": desk.get("projectKey"), "service_desk_id": desk.get("id"),
            "project_id": desk.get("projectId"), "project_name": desk.get("projectName"),
        }))
    }

    /// The queues of a service desk, with their issue counts (Server/DC).
    pub fn queues(
        &self,
        desk: &str,
        start: usize,
        limit: usize,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Value, Error> {
        self.check_desk(desk, cancelled)?;
        let path = format!("{JSM}/servicedesk/{}/queue", segment(desk));
        let (items, last) =
            self.jsm_list(&path, &[("includeCount", "true")], start, limit, cancelled)?;
        let queues: Vec<Value> = items
            .iter()
            .map(|q| {
                json!({"id": q.get("id"), "name": q.get("name"), "jql": q.get("jql"),
                       "issue_count": q.get("issueCount")})
            })
            .collect();
        Ok(json!({"service_desk_id": desk, "start_at": start, "is_last": last, "queues": queues}))
    }

    /// The issues of a queue (Server/DC).
    pub fn queue_issues(
        &self,
        desk: &str,
        queue: &str,
        start: usize,
        limit: usize,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Value, Error> {
        self.check_desk(desk, cancelled)?;
        let path = format!(
            "{JSM}/servicedesk/{}/queue/{}/issue",
            segment(desk),
            segment(queue)
        );
        let (items, last) = self.jsm_list(&path, &[], start, limit, cancelled)?;
        let issues = self.shaped_in_scope(&items);
        Ok(json!({
            "service_desk_id": desk, "queue_id": queue, "start_at": start, "is_last": last,
            "issues": issues,
        }))
    }
}

//! Issue reads and writes: get, create (single and bulk), edit (`fields` and `update`
//! operations), delete, assign, transitions along the project's workflow. Writes validate what
//! Jira validates (required summary, ADF on v3, known fields, a transition valid from the
//! current status) and record change history, so later reads see the effect.

use super::edit::{apply_update, body_of, build, ref_str, set_field};
use super::fields::{self, Sel};
use super::render::{Api, R};
use super::{err, field_err, visible_issue};
use crate::http::{Req, Resp};
use crate::model::{Body, ChangeItem, History, Issue};
use crate::router::Ctx;
use crate::time;
use serde_json::{Map, Value, json};

pub fn get(ctx: &mut Ctx, api: Api, key: &str, req: &Req) -> Resp {
    let idx = match visible_issue(ctx, key) {
        Ok(i) => i,
        Err(r) => return r,
    };
    let r = R::new(ctx.st, api, ctx.base);
    let sel = Sel::parse(&req.q_list("fields"), "*all");
    let v = fields::issue(
        &r,
        &ctx.st.jira.issues[idx],
        &sel,
        &req.q_list("expand"),
        &req.q_list("properties"),
    );
    Resp::ok(v)
}

pub fn new_comment(id: u64, author: &str, body: Body) -> crate::model::Comment {
    let now = time::now();
    crate::model::Comment {
        id,
        author: author.into(),
        created: now.clone(),
        updated: now,
        body,
        visibility: None,
        public: true,
    }
}

fn created_json(ctx: &Ctx, api: Api, i: &Issue) -> Value {
    json!({"id": i.id.to_string(), "key": i.key, "self": format!("{}{}/issue/{}", ctx.base, api.prefix(), i.id)})
}

pub fn create(ctx: &mut Ctx, api: Api, req: &Req) -> Resp {
    let body = match req.json() {
        Ok(Some(b)) => b,
        Ok(None) => return err(400, "No content to map due to end-of-input"),
        Err(e) => return err(400, &e),
    };
    match build(ctx, api, &body) {
        Ok(issue) => {
            let v = created_json(ctx, api, &issue);
            ctx.st.jira.issues.push(issue);
            Resp::json(201, &v)
        }
        Err(e) => Resp::json(400, &e),
    }
}

pub fn bulk_create(ctx: &mut Ctx, api: Api, req: &Req) -> Resp {
    let body = match req.json() {
        Ok(Some(b)) => b,
        _ => return err(400, "Send {\"issueUpdates\": [...]}"),
    };
    let updates = body["issueUpdates"].as_array().cloned().unwrap_or_default();
    if updates.len() > 50 {
        return err(400, "You can create at most 50 issues in one request.");
    }
    let (mut issues, mut errors) = (Vec::new(), Vec::new());
    for (n, u) in updates.iter().enumerate() {
        match build(ctx, api, u) {
            Ok(issue) => {
                issues.push(created_json(ctx, api, &issue));
                ctx.st.jira.issues.push(issue);
            }
            Err(e) => {
                errors.push(json!({"status": 400, "elementErrors": e, "failedElementNumber": n}))
            }
        }
    }
    let status = if issues.is_empty() && !errors.is_empty() {
        400
    } else {
        201
    };
    Resp::json(status, &json!({"issues": issues, "errors": errors}))
}

pub fn update(ctx: &mut Ctx, api: Api, key: &str, req: &Req) -> Resp {
    let idx = match visible_issue(ctx, key) {
        Ok(i) => i,
        Err(r) => return r,
    };
    let body = match req.json() {
        Ok(Some(b)) => b,
        Ok(None) => return err(400, "No content to map due to end-of-input"),
        Err(e) => return err(400, &e),
    };
    let mut issue = ctx.st.jira.issues[idx].clone();
    let mut items = Vec::new();
    let mut comments = Vec::new();
    let mut problems = Vec::new();
    for (field, v) in body
        .get("fields")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        match set_field(ctx, api, &mut issue, field, v) {
            Ok(c) => items.extend(c),
            Err(e) => problems.push(e),
        }
    }
    if let Some(ops) = body.get("update").and_then(Value::as_object) {
        if let Err(e) = apply_update(ctx, api, &mut issue, ops, &mut items, &mut comments) {
            problems.push(e);
        }
    }
    if let Some((k, m)) = problems.into_iter().next() {
        return field_err(400, &k, &m);
    }
    for b in comments {
        let id = ctx.st.new_id();
        issue.comments.push(new_comment(id, &ctx.user.username, b));
    }
    record(ctx, &mut issue, items);
    ctx.st.jira.issues[idx] = issue;
    if req.q_bool("returnIssue") && api.cloud() {
        let r = R::new(ctx.st, api, ctx.base);
        return Resp::ok(fields::issue(
            &r,
            &ctx.st.jira.issues[idx],
            &Sel::parse(&[], "*all"),
            &req.q_list("expand"),
            &[],
        ));
    }
    Resp::empty(204)
}

/// Appends a history entry (when something changed) and bumps `updated`.
pub fn record(ctx: &mut Ctx, issue: &mut Issue, items: Vec<ChangeItem>) {
    issue.updated = time::now();
    if !items.is_empty() {
        let id = ctx.st.new_id();
        issue.history.push(History {
            id,
            author: ctx.user.username.clone(),
            created: issue.updated.clone(),
            items,
        });
    }
}

pub fn delete(ctx: &mut Ctx, key: &str, req: &Req) -> Resp {
    let idx = match visible_issue(ctx, key) {
        Ok(i) => i,
        Err(r) => return r,
    };
    let k = ctx.st.jira.issues[idx].key.clone();
    let subtasks: Vec<String> = ctx
        .st
        .jira
        .issues
        .iter()
        .filter(|i| {
            i.parent.as_deref() == Some(&k)
                && ctx.st.issue_type(&i.issuetype).is_some_and(|t| t.subtask)
        })
        .map(|i| i.key.clone())
        .collect();
    if !subtasks.is_empty() && !req.q_bool("deleteSubtasks") {
        return err(
            400,
            &format!(
                "The issue '{k}' has subtasks. You must specify the 'deleteSubtasks' parameter to delete this issue with subtasks."
            ),
        );
    }
    ctx.st
        .jira
        .issues
        .retain(|i| i.key != k && !subtasks.contains(&i.key));
    ctx.st
        .jira
        .links
        .retain(|l| l.inward != k && l.outward != k);
    Resp::empty(204)
}

pub fn assign(ctx: &mut Ctx, api: Api, key: &str, req: &Req) -> Resp {
    let idx = match visible_issue(ctx, key) {
        Ok(i) => i,
        Err(r) => return r,
    };
    let body = req.json().ok().flatten().unwrap_or(Value::Null);
    let who = if body.is_null() {
        Value::Null
    } else {
        body.clone()
    };
    let who = match (&who, who.get("accountId"), who.get("name")) {
        (Value::Object(_), Some(Value::Null), _) | (Value::Object(_), _, Some(Value::Null)) => {
            Value::Null
        }
        _ => who,
    };
    let mut issue = ctx.st.jira.issues[idx].clone();
    match set_field(ctx, api, &mut issue, "assignee", &who) {
        Ok(item) => {
            record(ctx, &mut issue, item.into_iter().collect());
            ctx.st.jira.issues[idx] = issue;
            Resp::empty(204)
        }
        Err((_, m)) => err(400, &m),
    }
}

/// The transitions available from the issue's status.
pub fn transitions_json(r: &R, i: &Issue, with_fields: bool) -> Vec<Value> {
    let Some(wf) = r.st.workflow_of(i) else {
        return Vec::new();
    };
    wf.transitions
        .iter()
        .filter(|t| (t.from.is_empty() || t.from.iter().any(|f| f == &i.status)) && t.to != i.status)
        .map(|t| {
            let mut v = json!({"id": t.id, "name": t.name, "to": r.status(&t.to), "hasScreen": !t.screen.is_empty(),
                "isGlobal": t.from.is_empty(), "isInitial": false, "isAvailable": true, "isConditional": false, "isLooped": false});
            if !r.api.cloud() {
                v = json!({"id": t.id, "name": t.name, "to": r.status(&t.to), "opsbarSequence": 10});
            }
            if with_fields {
                let mut f = Map::new();
                for s in &t.screen {
                    f.insert(s.clone(), json!({"required": s == "resolution", "name": s, "key": s, "operations": ["set"],
                        "schema": {"type": s, "system": s},
                        "allowedValues": if s == "resolution" { json!(r.st.jira.resolutions.iter().map(|x| r.resolution(Some(&x.name))).collect::<Vec<_>>()) } else { json!([]) }}));
                }
                v["fields"] = Value::Object(f);
            }
            v
        })
        .collect()
}

pub fn get_transitions(ctx: &mut Ctx, api: Api, key: &str, req: &Req) -> Resp {
    let idx = match visible_issue(ctx, key) {
        Ok(i) => i,
        Err(r) => return r,
    };
    let r = R::new(ctx.st, api, ctx.base);
    let with_fields = req
        .q_list("expand")
        .iter()
        .any(|e| e == "transitions.fields");
    let mut list = transitions_json(&r, &ctx.st.jira.issues[idx], with_fields);
    if let Some(id) = req.q("transitionId") {
        list.retain(|t| t["id"] == id);
    }
    Resp::ok(json!({"expand": "transitions", "transitions": list}))
}

pub fn do_transition(ctx: &mut Ctx, api: Api, key: &str, req: &Req) -> Resp {
    let idx = match visible_issue(ctx, key) {
        Ok(i) => i,
        Err(r) => return r,
    };
    let body = match req.json() {
        Ok(Some(b)) => b,
        Ok(None) => return err(400, "No content to map due to end-of-input"),
        Err(e) => return err(400, &e),
    };
    let Some(tid) = body.get("transition").and_then(|t| ref_str(t, &["id"])) else {
        return err(400, "Missing 'transition' identifier");
    };
    let mut issue = ctx.st.jira.issues[idx].clone();
    let wf = ctx
        .st
        .workflow_of(&issue)
        .cloned()
        .expect("projects have workflows");
    let Some(t) = wf
        .transitions
        .iter()
        .find(|t| t.id == tid && (t.from.is_empty() || t.from.contains(&issue.status)))
    else {
        return err(
            400,
            &format!("Transition id '{tid}' is not valid for this issue."),
        );
    };
    let mut items = vec![ChangeItem {
        field: "status".into(),
        from: Some(issue.status.clone()),
        to: Some(t.to.clone()),
        from_id: None,
        to_id: None,
    }];
    issue.status = t.to.clone();
    let mut comments = Vec::new();
    let mut problems = Vec::new();
    for (field, v) in body
        .get("fields")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        match set_field(ctx, api, &mut issue, field, v) {
            Ok(c) => items.extend(c),
            Err(e) => problems.push(e),
        }
    }
    if let Some(ops) = body.get("update").and_then(Value::as_object) {
        if let Err(e) = apply_update(ctx, api, &mut issue, ops, &mut items, &mut comments) {
            problems.push(e);
        }
    }
    if let Some((k, m)) = problems.into_iter().next() {
        return field_err(400, &k, &m);
    }
    let done = ctx.st.status(&t.to).is_some_and(|s| s.category == "done");
    if done && issue.resolution.is_none() {
        issue.resolution = Some("Done".into());
        items.push(ChangeItem {
            field: "resolution".into(),
            from: None,
            to: Some("Done".into()),
            from_id: None,
            to_id: None,
        });
    }
    if done {
        issue.resolved.get_or_insert_with(time::now);
    } else if issue.resolution.is_some() {
        items.push(ChangeItem {
            field: "resolution".into(),
            from: issue.resolution.take(),
            to: None,
            from_id: None,
            to_id: None,
        });
        issue.resolved = None;
    }
    for b in comments {
        let id = ctx.st.new_id();
        issue.comments.push(new_comment(id, &ctx.user.username, b));
    }
    record(ctx, &mut issue, items);
    ctx.st.jira.issues[idx] = issue;
    Resp::empty(204)
}

/// Parses a comment/worklog body for this API (ADF on v3, a string otherwise).
pub fn parse_body(api: Api, field: &str, v: &Value) -> Result<Option<Body>, Resp> {
    body_of(api, field, v).map_err(|(k, m)| field_err(400, &k, &m))
}

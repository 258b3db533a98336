//! Service-desk customer requests (`/rest/servicedeskapi/request...`): raise a request for a
//! request type (required portal fields checked, raise on behalf of a customer, participants),
//! read it back, its comments with the customer-visible `public` flag, and its SLAs.

use super::jsm::{date_json, desk, request_type_field};
use super::render::{Api, R};
use super::{err, visible_issue};
use crate::http::{Req, Resp};
use crate::router::Ctx;
use crate::time;
use serde_json::{Map, Value, json};

pub fn request_json(ctx: &Ctx, api: Api, idx: usize) -> Value {
    let i = &ctx.st.jira.issues[idx];
    let r = R::new(ctx.st, api, ctx.base);
    let rt = i
        .custom
        .get("request_type")
        .and_then(Value::as_str)
        .unwrap_or("");
    let desk = ctx
        .st
        .jira
        .service_desks
        .iter()
        .find(|d| d.project == i.project());
    let field = request_type_field(&r, i, rt);
    json!({"issueId": i.id.to_string(), "issueKey": i.key, "requestTypeId": rt, "serviceDeskId": desk.map(|d| d.id.clone()),
        "createdDate": date_json(&i.created), "reporter": r.user(&i.reporter),
        "requestFieldValues": [{"fieldId": "summary", "label": "Summary", "value": i.summary}],
        "currentStatus": field["currentStatus"],
        "_links": {"jiraRest": format!("{}/rest/api/2/issue/{}", ctx.base, i.id), "self": format!("{}/rest/servicedeskapi/request/{}", ctx.base, i.id)}})
}

pub fn create_request(ctx: &mut Ctx, api: Api, req: &Req) -> Resp {
    let body = match req.json() {
        Ok(Some(b)) => b,
        _ => return err(400, "Send the request as JSON."),
    };
    let desk_id = body["serviceDeskId"]
        .as_str()
        .map(String::from)
        .or(body["serviceDeskId"].as_u64().map(|n| n.to_string()))
        .unwrap_or_default();
    let d = match desk(ctx, &desk_id) {
        Ok(d) => d.clone(),
        Err(r) => return r,
    };
    let rt_id = body["requestTypeId"]
        .as_str()
        .map(String::from)
        .or(body["requestTypeId"].as_u64().map(|n| n.to_string()))
        .unwrap_or_default();
    let Some(rt) = d.request_types.iter().find(|t| t.id == rt_id).cloned() else {
        return err(
            400,
            &format!(
                "The request type {rt_id} does not exist in service desk {}.",
                d.id
            ),
        );
    };
    let values = body["requestFieldValues"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    for f in &rt.fields {
        if let Some(k) = f.strip_prefix('!') {
            let id = ctx
                .st
                .custom_field(k)
                .and_then(|c| {
                    if ctx.cloud() {
                        c.cloud_id.clone()
                    } else {
                        c.dc_id.clone()
                    }
                })
                .unwrap_or(k.to_string());
            if !values.contains_key(&id) {
                return super::field_err(400, &id, &format!("{k} is required."));
            }
        }
    }
    let reporter = match body["raiseOnBehalfOf"].as_str() {
        Some(who) => match ctx.st.user(who) {
            Some(u) => u.username.clone(),
            None => return err(400, &format!("The user '{who}' does not exist.")),
        },
        None => ctx.user.username.clone(),
    };
    let mut fields = Map::new();
    fields.insert("project".into(), json!({"key": d.project}));
    fields.insert("issuetype".into(), json!({"name": rt.issue_type}));
    for (k, v) in &values {
        fields.insert(k.clone(), v.clone());
    }
    let create_api = if ctx.cloud() { Api::CloudV2 } else { Api::Dc };
    let fake = Req {
        method: "POST".into(),
        body: serde_json::to_vec(&json!({"fields": fields})).unwrap(),
        ..Default::default()
    };
    // Customers raise requests in a project they cannot browse: create on their behalf.
    let granted = ctx.user.projects.clone();
    ctx.user.projects.push(d.project.clone());
    let resp = super::issues::create(ctx, create_api, &fake);
    ctx.user.projects = granted;
    if resp.status != 201 {
        return resp;
    }
    let created: Value = serde_json::from_slice(&resp.body).unwrap_or_default();
    let idx = ctx
        .st
        .issue_index(created["key"].as_str().unwrap_or(""))
        .expect("just created");
    let issue = &mut ctx.st.jira.issues[idx];
    issue.reporter = reporter;
    issue.custom.insert("request_type".into(), json!(rt.id));
    for p in body["requestParticipants"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        issue.watchers.push(p.to_string());
    }
    Resp::json(201, &request_json(ctx, api, idx))
}

/// A request the caller may see: agents see the project, customers their own requests and
/// those they participate in.
pub fn visible_request(ctx: &Ctx, key: &str) -> Result<usize, Resp> {
    visible_issue(ctx, key).or_else(|e| {
        ctx.st
            .issue_index(key)
            .filter(|i| {
                let issue = &ctx.st.jira.issues[*i];
                issue.custom.contains_key("request_type")
                    && (issue.reporter == ctx.user.username
                        || issue.watchers.contains(&ctx.user.username))
            })
            .ok_or(e)
    })
}

/// `GET|POST /rest/servicedeskapi/request/{key}/comment`; customers only see public comments
/// and can only add public ones.
pub fn comments(ctx: &mut Ctx, method: &str, key: &str, req: &Req) -> Resp {
    let idx = match visible_request(ctx, key) {
        Ok(i) => i,
        Err(r) => return r,
    };
    let agent = ctx.user.sees_project(ctx.st.jira.issues[idx].project());
    let issue_key = ctx.st.jira.issues[idx].key.clone();
    let comment_json = |ctx: &Ctx, c: &crate::model::Comment| {
        let r = R::new(ctx.st, Api::Dc, ctx.base);
        let body = match &c.body {
            crate::model::Body::Wiki(w) => w.clone(),
            crate::model::Body::Adf(a) => crate::markup::adf_to_text(a),
        };
        json!({"id": c.id.to_string(), "body": body, "public": c.public, "author": r.user(&c.author),
               "created": date_json(&c.created),
               "_links": {"self": format!("{}/rest/servicedeskapi/request/{issue_key}/comment/{}", ctx.base, c.id)}})
    };
    if method == "POST" {
        let body = req.json().ok().flatten().unwrap_or(Value::Null);
        let Some(text) = body["body"].as_str().filter(|t| !t.trim().is_empty()) else {
            return err(400, "The comment body is required.");
        };
        let id = ctx.st.new_id();
        let mut c = super::issues::new_comment(
            id,
            &ctx.user.username,
            crate::model::Body::Wiki(text.into()),
        );
        c.public = body["public"].as_bool().unwrap_or(true) || !agent;
        ctx.st.jira.issues[idx].comments.push(c.clone());
        ctx.st.jira.issues[idx].updated = time::now();
        return Resp::json(201, &comment_json(ctx, &c));
    }
    let public_only = !agent || req.q("internal") == Some("false");
    let all: Vec<Value> = ctx.st.jira.issues[idx]
        .comments
        .iter()
        .filter(|c| c.public || !public_only)
        .map(|c| comment_json(ctx, c))
        .collect();
    super::jsm::jsm_page(
        req,
        all,
        ctx.base,
        &format!("/rest/servicedeskapi/request/{issue_key}/comment"),
    )
}

/// `GET /rest/servicedeskapi/request/{key}/sla`: the issue's SLA fields.
pub fn slas(ctx: &mut Ctx, api: Api, key: &str, req: &Req) -> Resp {
    let idx = match visible_request(ctx, key) {
        Ok(i) => i,
        Err(r) => return r,
    };
    let r = R::new(ctx.st, api, ctx.base);
    let issue = &ctx.st.jira.issues[idx];
    let all: Vec<Value> = ctx
        .st
        .jira
        .fields
        .iter()
        .filter(|f| f.kind == "sla")
        .filter_map(|f| {
            let id = r.custom_id(f)?;
            let raw = issue.custom.get(&f.key)?;
            Some(super::jsm::sla_field(f, &id, raw))
        })
        .collect();
    super::jsm::jsm_page(
        req,
        all,
        ctx.base,
        &format!("/rest/servicedeskapi/request/{}/sla", issue.key),
    )
}

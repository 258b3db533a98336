//! What hangs off an issue: comments, worklogs, change history (per issue and Cloud's bulk
//! fetch), watchers and issue links. Attachments and remote links live in `files`.

use super::fields;
use super::issues::{new_comment, parse_body, record};
use super::render::{Api, R};
use super::{err, page_params, visible_issue};
use crate::http::{Req, Resp};
use crate::model::{ChangeItem, IssueLink, Worklog};
use crate::router::Ctx;
use crate::time;
use serde_json::{Value, json};

pub fn body_json(req: &Req) -> Result<Value, Resp> {
    match req.json() {
        Ok(Some(b)) => Ok(b),
        Ok(None) => Err(err(400, "No content to map due to end-of-input")),
        Err(e) => Err(err(400, &e)),
    }
}

macro_rules! issue_or_return {
    ($ctx:expr, $key:expr) => {
        match visible_issue($ctx, $key) {
            Ok(i) => i,
            Err(r) => return r,
        }
    };
}

pub fn list_comments(ctx: &mut Ctx, api: Api, key: &str, req: &Req) -> Resp {
    let idx = issue_or_return!(ctx, key);
    let (start, max) = match page_params(req, 100, 5000) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let r = R::new(ctx.st, api, ctx.base);
    let issue = &ctx.st.jira.issues[idx];
    let mut comments: Vec<&crate::model::Comment> = issue.comments.iter().collect();
    if req.q("orderBy").is_some_and(|o| o.starts_with('-')) {
        comments.reverse();
    }
    let page: Vec<Value> = comments
        .iter()
        .skip(start)
        .take(max)
        .map(|c| {
            let mut v = r.comment(issue, c);
            if req.q_list("expand").iter().any(|e| e == "renderedBody") {
                v["renderedBody"] = json!(r.body_html(&c.body));
            }
            v
        })
        .collect();
    Resp::ok(
        json!({"startAt": start, "maxResults": max, "total": comments.len(), "comments": page}),
    )
}

pub fn add_comment(ctx: &mut Ctx, api: Api, key: &str, req: &Req) -> Resp {
    let idx = issue_or_return!(ctx, key);
    let body = match body_json(req) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let text = match parse_body(api, "body", &body["body"]) {
        Ok(Some(b)) => b,
        Ok(None) => return super::field_err(400, "comment", "Comment body can not be empty!"),
        Err(r) => return r,
    };
    let id = ctx.st.new_id();
    let mut c = new_comment(id, &ctx.user.username, text);
    if let Some(v) = body.get("visibility") {
        let kind = v["type"].as_str().unwrap_or("role").to_string();
        let value = v["value"]
            .as_str()
            .or(v["identifier"].as_str())
            .unwrap_or("")
            .to_string();
        c.visibility = Some((kind, value));
    }
    if let Some(p) = body.get("properties").and_then(Value::as_array) {
        if let Some(public) = p.iter().find(|x| x["key"] == "sd.public.comment") {
            c.public = !public["value"]["internal"].as_bool().unwrap_or(false);
        }
    }
    let mut issue = ctx.st.jira.issues[idx].clone();
    issue.comments.push(c.clone());
    record(ctx, &mut issue, Vec::new());
    ctx.st.jira.issues[idx] = issue;
    let r = R::new(ctx.st, api, ctx.base);
    Resp::json(201, &r.comment(&ctx.st.jira.issues[idx], &c))
}

pub fn edit_comment(ctx: &mut Ctx, api: Api, key: &str, id: &str, req: &Req, delete: bool) -> Resp {
    let idx = issue_or_return!(ctx, key);
    let Some(pos) = ctx.st.jira.issues[idx]
        .comments
        .iter()
        .position(|c| c.id.to_string() == id)
    else {
        return err(404, &format!("Can not find a comment for the id: {id}."));
    };
    if ctx.st.jira.issues[idx].comments[pos].author != ctx.user.username
        && !ctx.user.groups.iter().any(|g| g == "site-admins")
    {
        return err(403, "You do not have the permission to edit this comment.");
    }
    if delete {
        ctx.st.jira.issues[idx].comments.remove(pos);
        return Resp::empty(204);
    }
    let body = match body_json(req) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let text = match parse_body(api, "body", &body["body"]) {
        Ok(Some(b)) => b,
        Ok(None) => return super::field_err(400, "comment", "Comment body can not be empty!"),
        Err(r) => return r,
    };
    let c = &mut ctx.st.jira.issues[idx].comments[pos];
    c.body = text;
    c.updated = time::now();
    if let Some(v) = body.get("visibility") {
        c.visibility = Some((
            v["type"].as_str().unwrap_or("role").into(),
            v["value"].as_str().unwrap_or("").into(),
        ));
    }
    let c = c.clone();
    let r = R::new(ctx.st, api, ctx.base);
    Resp::ok(r.comment(&ctx.st.jira.issues[idx], &c))
}

pub fn list_worklogs(ctx: &mut Ctx, api: Api, key: &str, req: &Req) -> Resp {
    let idx = issue_or_return!(ctx, key);
    let (start, max) = match page_params(req, 5000, 5000) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let r = R::new(ctx.st, api, ctx.base);
    let issue = &ctx.st.jira.issues[idx];
    let logs: Vec<Value> = issue
        .worklogs
        .iter()
        .skip(start)
        .take(max)
        .map(|w| r.worklog(issue, w))
        .collect();
    Resp::ok(
        json!({"startAt": start, "maxResults": max, "total": issue.worklogs.len(), "worklogs": logs}),
    )
}

pub fn add_worklog(ctx: &mut Ctx, api: Api, key: &str, req: &Req) -> Resp {
    let idx = issue_or_return!(ctx, key);
    let body = match body_json(req) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let secs = match (
        body["timeSpent"].as_str(),
        body["timeSpentSeconds"].as_i64(),
    ) {
        (Some(t), _) => time::parse_duration(t),
        (None, Some(s)) => Some(s),
        _ => None,
    };
    let Some(secs) = secs.filter(|s| *s > 0) else {
        return super::field_err(
            400,
            "timeLogged",
            "You must indicate the time spent working.",
        );
    };
    let started = match body["started"].as_str() {
        Some(s) => match time::normalize(s) {
            Some(t) => t,
            None => {
                return super::field_err(
                    400,
                    "started",
                    "Invalid date format. Please enter the date in the format \"yyyy-MM-dd'T'HH:mm:ss.SSSZ\".",
                );
            }
        },
        None => time::now(),
    };
    let comment = match parse_body(api, "comment", &body["comment"]) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let id = ctx.st.new_id();
    let w = Worklog {
        id,
        author: ctx.user.username.clone(),
        started,
        spent: time::format_duration(secs),
        comment,
        created: time::now(),
    };
    let mut issue = ctx.st.jira.issues[idx].clone();
    match req.q("adjustEstimate").unwrap_or("auto") {
        "new" => issue.remaining = req.q("newEstimate").map(String::from),
        "manual" => {
            let reduce = req
                .q("reduceBy")
                .and_then(time::parse_duration)
                .unwrap_or(0);
            let left = issue
                .remaining
                .as_deref()
                .or(issue.estimate.as_deref())
                .and_then(time::parse_duration)
                .unwrap_or(0);
            issue.remaining = Some(time::format_duration((left - reduce).max(0)));
        }
        "leave" => {}
        _ => {
            if let Some(left) = issue
                .remaining
                .as_deref()
                .or(issue.estimate.as_deref())
                .and_then(time::parse_duration)
            {
                issue.remaining = Some(time::format_duration((left - secs).max(0)));
            }
        }
    }
    issue.worklogs.push(w.clone());
    let item = ChangeItem {
        field: "timespent".into(),
        from: None,
        to: Some(secs.to_string()),
        from_id: None,
        to_id: None,
    };
    record(ctx, &mut issue, vec![item]);
    ctx.st.jira.issues[idx] = issue;
    let r = R::new(ctx.st, api, ctx.base);
    Resp::json(201, &r.worklog(&ctx.st.jira.issues[idx], &w))
}

pub fn changelog(ctx: &mut Ctx, api: Api, key: &str, req: &Req) -> Resp {
    let idx = issue_or_return!(ctx, key);
    let (start, max) = match page_params(req, 100, 100) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let r = R::new(ctx.st, api, ctx.base);
    let page = fields::changelog(&r, &ctx.st.jira.issues[idx], start, max);
    let total = page["total"].as_u64().unwrap_or(0) as usize;
    Resp::ok(
        json!({"self": format!("{}{}/issue/{key}/changelog?startAt={start}&maxResults={max}", ctx.base, api.prefix()),
        "startAt": start, "maxResults": max, "total": total, "isLast": start + max >= total, "values": page["histories"]}),
    )
}

/// `POST /rest/api/3/changelog/bulkfetch` (Cloud): token-paged histories of many issues.
pub fn bulk_changelog(ctx: &mut Ctx, api: Api, req: &Req) -> Resp {
    let body = match body_json(req) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let keys: Vec<String> = body["issueIdsOrKeys"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(String::from))
        .collect();
    if keys.is_empty() || keys.len() > 1000 {
        return super::field_err(
            400,
            "issueIdsOrKeys",
            "Provide between 1 and 1000 issue ids or keys.",
        );
    }
    let field_ids: Vec<String> = body["fieldIds"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(String::from))
        .collect();
    let max = body["maxResults"].as_u64().unwrap_or(1000).clamp(1, 10_000) as usize;
    let start: usize = body["nextPageToken"]
        .as_str()
        .and_then(|t| t.strip_prefix("cl-"))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    let r = R::new(ctx.st, api, ctx.base);
    let mut all = Vec::new();
    for k in &keys {
        let Some(i) = ctx
            .st
            .issue(k)
            .filter(|i| ctx.user.sees_project(i.project()))
        else {
            continue;
        };
        for h in &i.history {
            if field_ids.is_empty() || h.items.iter().any(|c| field_ids.contains(&c.field)) {
                all.push((i.id, fields::history(&r, h)));
            }
        }
    }
    let page: Vec<&(u64, Value)> = all.iter().skip(start).take(max).collect();
    let mut grouped: Vec<(u64, Vec<Value>)> = Vec::new();
    for (id, h) in page {
        match grouped.last_mut() {
            Some((last, v)) if last == id => v.push(h.clone()),
            _ => grouped.push((*id, vec![h.clone()])),
        }
    }
    let logs: Vec<Value> = grouped
        .into_iter()
        .map(|(id, h)| json!({"issueId": id.to_string(), "changeHistories": h}))
        .collect();
    let mut v = json!({"issueChangeLogs": logs});
    if start + max < all.len() {
        v["nextPageToken"] = json!(format!("cl-{}", start + max));
    }
    Resp::ok(v)
}

pub fn watchers(ctx: &mut Ctx, api: Api, key: &str, req: &Req, method: &str) -> Resp {
    let idx = issue_or_return!(ctx, key);
    match method {
        "GET" => {
            let r = R::new(ctx.st, api, ctx.base);
            let i = &ctx.st.jira.issues[idx];
            let list: Vec<Value> = i.watchers.iter().map(|w| r.user(w)).collect();
            Resp::ok(
                json!({"self": format!("{}{}/issue/{}/watchers", ctx.base, api.prefix(), i.key),
                "isWatching": i.watchers.contains(&ctx.user.username), "watchCount": list.len(), "watchers": list}),
            )
        }
        "POST" => {
            let who = match req.json() {
                Ok(Some(Value::String(s))) => s,
                Ok(None) => ctx.user.username.clone(),
                _ => return err(400, "Send the user as a JSON string."),
            };
            let Some(u) = ctx.st.user(&who).map(|u| u.username.clone()) else {
                return err(404, &format!("The user \"{who}\" does not exist."));
            };
            let w = &mut ctx.st.jira.issues[idx].watchers;
            if !w.contains(&u) {
                w.push(u);
            }
            Resp::empty(204)
        }
        _ => {
            let who = req
                .q("accountId")
                .or(req.q("username"))
                .unwrap_or("")
                .to_string();
            let Some(u) = ctx.st.user(&who).map(|u| u.username.clone()) else {
                return err(
                    400,
                    "Specify the watcher with accountId (Cloud) or username (Server/DC).",
                );
            };
            ctx.st.jira.issues[idx].watchers.retain(|w| *w != u);
            Resp::empty(204)
        }
    }
}

pub fn link_types(ctx: &mut Ctx, api: Api) -> Resp {
    let list: Vec<Value> = ctx
        .st
        .jira
        .link_types
        .iter()
        .map(|t| {
            json!({"id": t.id, "name": t.name, "inward": t.inward, "outward": t.outward,
        "self": format!("{}{}/issueLinkType/{}", ctx.base, api.prefix(), t.id)})
        })
        .collect();
    Resp::ok(json!({"issueLinkTypes": list}))
}

pub fn create_link(ctx: &mut Ctx, api: Api, req: &Req) -> Resp {
    let body = match body_json(req) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let kind = body["type"]["name"]
        .as_str()
        .or(body["type"]["id"].as_str())
        .unwrap_or("");
    let Some(t) = ctx
        .st
        .jira
        .link_types
        .iter()
        .find(|t| t.name.eq_ignore_ascii_case(kind) || t.id == kind)
        .cloned()
    else {
        return err(
            404,
            &format!("No issue link type with name '{kind}' found."),
        );
    };
    let key_of = |v: &Value| v["key"].as_str().or(v["id"].as_str()).map(String::from);
    let (Some(inward), Some(outward)) =
        (key_of(&body["inwardIssue"]), key_of(&body["outwardIssue"]))
    else {
        return err(400, "Both inwardIssue and outwardIssue are required.");
    };
    let (mut keys, mut idxs) = (Vec::new(), Vec::new());
    for k in [&inward, &outward] {
        match visible_issue(ctx, k) {
            Ok(i) => {
                keys.push(ctx.st.jira.issues[i].key.clone());
                idxs.push(i);
            }
            Err(_) => return err(404, &format!("Issue Does Not Exist: {k}")),
        }
    }
    let id = ctx.st.new_id();
    // Jira's request names the sides the other way round from the link's direction words:
    // the outwardIssue is the one the link type's outward description applies *to*.
    ctx.st.jira.links.push(IssueLink {
        id,
        kind: t.name.clone(),
        outward: keys[0].clone(),
        inward: keys[1].clone(),
    });
    if let Some(c) = body.get("comment") {
        if let Ok(Some(b)) = parse_body(api, "comment", &c["body"]) {
            let cid = ctx.st.new_id();
            let user = ctx.user.username.clone();
            ctx.st.jira.issues[idxs[1]]
                .comments
                .push(new_comment(cid, &user, b));
        }
    }
    Resp::empty(201)
}

/// `GET /issueLink/{id}`: one link with its type and both issues (404 when either is hidden).
pub fn get_link(ctx: &mut Ctx, api: Api, id: &str) -> Resp {
    let Some(l) = ctx
        .st
        .jira
        .links
        .iter()
        .find(|l| l.id.to_string() == id)
        .cloned()
    else {
        return err(404, &format!("No issue link with id '{id}' exists."));
    };
    if visible_issue(ctx, &l.inward).is_err() || visible_issue(ctx, &l.outward).is_err() {
        return err(404, &format!("No issue link with id '{id}' exists."));
    }
    let Some(t) = ctx
        .st
        .jira
        .link_types
        .iter()
        .find(|t| t.name == l.kind)
        .cloned()
    else {
        return err(404, &format!("No issue link with id '{id}' exists."));
    };
    let r = R::new(ctx.st, api, ctx.base);
    let self_url = format!("{}{}/issueLink/{}", ctx.base, api.prefix(), l.id);
    // The stored `outward` issue is the request's inwardIssue (see create_link).
    Resp::ok(json!({
        "id": l.id.to_string(),
        "self": self_url,
        "type": {"id": t.id, "name": t.name, "inward": t.inward, "outward": t.outward,
                 "self": format!("{}{}/issueLinkType/{}", ctx.base, api.prefix(), t.id)},
        "inwardIssue": r.issue_mini(&l.outward),
        "outwardIssue": r.issue_mini(&l.inward),
    }))
}

pub fn delete_link(ctx: &mut Ctx, id: &str) -> Resp {
    let Some(pos) = ctx
        .st
        .jira
        .links
        .iter()
        .position(|l| l.id.to_string() == id)
    else {
        return err(404, &format!("No issue link with id '{id}' exists."));
    };
    let l = &ctx.st.jira.links[pos];
    let (a, b) = (l.inward.clone(), l.outward.clone());
    if visible_issue(ctx, &a).is_err() || visible_issue(ctx, &b).is_err() {
        return err(404, &format!("No issue link with id '{id}' exists."));
    }
    ctx.st.jira.links.remove(pos);
    Resp::empty(204)
}

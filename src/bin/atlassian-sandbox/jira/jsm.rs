//! Jira Service Management and the other side APIs the reference tools use: service desks,
//! request types and their fields, queues and queue issues (customer requests: `requests`); the Forms API
//! (`/jira/forms/cloud/{cloudId}/issue/{key}/form...`, Cloud); development information
//! (`/rest/dev-status/latest/issue/{summary|detail}`); Cloud's bulk issue move and its task.

use super::fields::{self, Sel};
use super::render::{Api, R};
use super::{err, visible_issue};
use crate::http::{Req, Resp};
use crate::jql;
use crate::model::{CustomField, Issue, ServiceDesk};
use crate::router::Ctx;
use crate::time;
use serde_json::{Map, Value, json};

/// The "Request Type" custom field value.
pub fn request_type_field(r: &R, i: &Issue, rt: &str) -> Value {
    let Some((desk, t)) =
        r.st.jira
            .service_desks
            .iter()
            .find_map(|d| d.request_types.iter().find(|t| t.id == rt).map(|t| (d, t)))
    else {
        return Value::Null;
    };
    json!({"_links": {"jiraRest": format!("{}/rest/api/2/issue/{}", r.base, i.id), "web": format!("{}/servicedesk/customer/portal/{}/{}", r.base, desk.id, i.key)},
        "requestType": request_type_json(r.base, desk, t),
        "currentStatus": {"status": i.status, "statusCategory": r.st.status(&i.status).map(|s| s.category.to_uppercase()).unwrap_or_default(),
                          "statusDate": {"iso8601": time::conf(&i.updated), "epochMillis": time::parse_ms(&i.updated).unwrap_or(0)}}})
}

fn request_type_json(base: &str, desk: &ServiceDesk, t: &crate::model::RequestType) -> Value {
    json!({"id": t.id, "_links": {"self": format!("{base}/rest/servicedeskapi/servicedesk/{}/requesttype/{}", desk.id, t.id)},
        "name": t.name, "description": t.description, "helpText": "", "issueTypeId": "", "serviceDeskId": desk.id,
        "groupIds": if t.group.is_empty() { json!([]) } else { json!([t.group]) }})
}

pub fn date_json(t: &str) -> Value {
    json!({"iso8601": time::conf(t), "jira": time::jira(t), "friendly": time::date(t), "epochMillis": time::parse_ms(t).unwrap_or(0)})
}

/// A JSM SLA field from `{"goal": "8h", "started": "...", "stopped": "..."}`.
pub fn sla_field(f: &CustomField, id: &str, v: &Value) -> Value {
    let goal = v["goal"]
        .as_str()
        .and_then(time::parse_duration)
        .unwrap_or(8 * 3600)
        * 1000;
    let started = v["started"]
        .as_str()
        .and_then(time::normalize)
        .unwrap_or_else(time::now);
    let start_ms = time::parse_ms(&started).unwrap_or(0);
    let breach = time::format_ms(start_ms + goal);
    let dur = |ms: i64| json!({"millis": ms, "friendly": time::format_duration(ms / 1000)});
    let num: i64 = id.trim_start_matches("customfield_").parse().unwrap_or(0);
    let mut out =
        json!({"id": num.to_string(), "name": f.name, "_links": {}, "completedCycles": []});
    match v["stopped"].as_str().and_then(time::normalize) {
        Some(stop) => {
            let elapsed = time::parse_ms(&stop).unwrap_or(start_ms) - start_ms;
            out["completedCycles"] = json!([{"startTime": date_json(&started), "stopTime": date_json(&stop), "breachTime": date_json(&breach),
                "breached": elapsed > goal, "goalDuration": dur(goal), "elapsedTime": dur(elapsed), "remainingTime": dur(goal - elapsed)}]);
        }
        None => {
            let elapsed = time::now_ms() - start_ms;
            out["ongoingCycle"] = json!({"startTime": date_json(&started), "breachTime": date_json(&breach), "breached": elapsed > goal,
                "paused": false, "withinCalendarHours": true, "goalDuration": dur(goal), "elapsedTime": dur(elapsed), "remainingTime": dur(goal - elapsed)});
        }
    }
    out
}

pub fn jsm_page(req: &Req, all: Vec<Value>, base: &str, path: &str) -> Resp {
    let start = req.q_int("start", 0).unwrap_or(0).max(0) as usize;
    let limit = req.q_int("limit", 50).unwrap_or(50).clamp(1, 100) as usize;
    let total = all.len();
    let values: Vec<Value> = all.into_iter().skip(start).take(limit).collect();
    Resp::ok(
        json!({"size": values.len(), "start": start, "limit": limit, "isLastPage": start + limit >= total, "values": values,
        "_links": {"base": base, "context": "", "self": format!("{base}{path}")}}),
    )
}

pub fn desk<'a>(ctx: &'a Ctx, id: &str) -> Result<&'a ServiceDesk, Resp> {
    ctx.st
        .jira
        .service_desks
        .iter()
        .find(|d| {
            (d.id == id || d.project.eq_ignore_ascii_case(id))
                && (ctx.user.sees_project(&d.project) || d.customers.contains(&ctx.user.username))
        })
        .ok_or_else(|| {
            err(
                404,
                &format!(
                    "Service Desk with id '{id}' does not exist or you do not have access to it."
                ),
            )
        })
}

fn desk_json(ctx: &Ctx, d: &ServiceDesk) -> Value {
    let p = ctx.st.project(&d.project);
    json!({"id": d.id, "projectId": p.map(|p| p.id.clone()), "projectName": p.map(|p| p.name.clone()), "projectKey": d.project,
        "_links": {"self": format!("{}/rest/servicedeskapi/servicedesk/{}", ctx.base, d.id)}})
}

pub fn route(ctx: &mut Ctx, api: Api, method: &str, rest: &[&str], req: &Req) -> Option<Resp> {
    let path = format!("/rest/servicedeskapi/{}", rest.join("/"));
    Some(match (method, rest) {
        ("GET", ["servicedesk"]) => {
            let all: Vec<Value> = ctx
                .st
                .jira
                .service_desks
                .iter()
                .filter(|d| {
                    ctx.user.sees_project(&d.project) || d.customers.contains(&ctx.user.username)
                })
                .map(|d| desk_json(ctx, d))
                .collect();
            jsm_page(req, all, ctx.base, &path)
        }
        ("GET", ["servicedesk", id]) => match desk(ctx, id) {
            Ok(d) => Resp::ok(desk_json(ctx, d)),
            Err(r) => r,
        },
        ("GET", ["servicedesk", id, "requesttype"]) => match desk(ctx, id) {
            Ok(d) => {
                let all = d
                    .request_types
                    .iter()
                    .map(|t| request_type_json(ctx.base, d, t))
                    .collect();
                jsm_page(req, all, ctx.base, &path)
            }
            Err(r) => r,
        },
        ("GET", ["servicedesk", id, "requesttype", rt, "field"]) => {
            let d = match desk(ctx, id) {
                Ok(d) => d.clone(),
                Err(r) => return Some(r),
            };
            let Some(t) = d.request_types.iter().find(|t| t.id == *rt) else {
                return Some(err(
                    404,
                    &format!("The request type {rt} does not exist in service desk {id}."),
                ));
            };
            let r = R::new(ctx.st, api, ctx.base);
            let fields: Vec<Value> = t.fields.iter().map(|f| {
                let (required, key) = match f.strip_prefix('!') {
                    Some(k) => (true, k),
                    None => (false, f.as_str()),
                };
                let cf = ctx.st.custom_field(key);
                let field_id = cf.and_then(|c| r.custom_id(c)).unwrap_or(key.to_string());
                let name = cf.map(|c| c.name.clone()).unwrap_or_else(|| match key { "summary" => "Summary".into(), "description" => "Description".into(), k => k.into() });
                let valid: Vec<Value> = cf.map(|c| c.options.iter().enumerate().map(|(n, o)| json!({"value": (10100 + n).to_string(), "label": o, "children": []})).collect()).unwrap_or_default();
                let schema = match cf {
                    Some(c) => super::render::custom_schema(c, &field_id),
                    None => json!({"type": "string", "system": key}),
                };
                json!({"fieldId": field_id, "name": name, "description": "", "required": required, "defaultValues": [], "validValues": valid,
                       "presetValues": [], "jiraSchema": schema, "visible": true})
            }).collect();
            Resp::ok(
                json!({"requestTypeFields": fields, "canRaiseOnBehalfOf": true, "canAddRequestParticipants": true}),
            )
        }
        ("GET", ["servicedesk", id, "queue"]) => {
            let d = match desk(ctx, id) {
                Ok(d) => d.clone(),
                Err(r) => return Some(r),
            };
            if !ctx.user.sees_project(&d.project) {
                return Some(err(403, "Only agents can see queues."));
            }
            let with_count = req.q_bool("includeCount");
            let all: Vec<Value> = d.queues.iter().map(|q| {
                let mut v = json!({"id": q.id, "name": q.name, "jql": q.jql, "fields": ["issuetype", "issuekey", "summary", "status", "created"],
                    "_links": {"self": format!("{}/rest/servicedeskapi/servicedesk/{}/queue/{}", ctx.base, d.id, q.id)}});
                if with_count {
                    let n = jql::compile(ctx.st, &q.jql).ok().and_then(|c| jql::run(ctx.st, &ctx.user, &c).ok()).map(|h| h.len()).unwrap_or(0);
                    v["issueCount"] = json!(n);
                }
                v
            }).collect();
            jsm_page(req, all, ctx.base, &path)
        }
        ("GET", ["servicedesk", id, "queue", qid, "issue"]) => {
            let d = match desk(ctx, id) {
                Ok(d) => d.clone(),
                Err(r) => return Some(r),
            };
            let Some(q) = d
                .queues
                .iter()
                .find(|q| q.id == *qid)
                .filter(|_| ctx.user.sees_project(&d.project))
            else {
                return Some(err(404, &format!("Queue {qid} does not exist.")));
            };
            let hits =
                match jql::compile(ctx.st, &q.jql).and_then(|c| jql::run(ctx.st, &ctx.user, &c)) {
                    Ok(h) => h,
                    Err(e) => return Some(err(400, &e)),
                };
            let r = R::new(ctx.st, api, ctx.base);
            let sel = Sel::parse(&[], "*navigable");
            let all: Vec<Value> = hits
                .iter()
                .map(|n| fields::issue(&r, &ctx.st.jira.issues[*n], &sel, &[], &[]))
                .collect();
            jsm_page(req, all, ctx.base, &path)
        }
        ("POST", ["request"]) => super::requests::create_request(ctx, api, req),
        ("GET", ["request", key]) => match super::requests::visible_request(ctx, key) {
            Ok(i) => Resp::ok(super::requests::request_json(ctx, api, i)),
            Err(r) => r,
        },
        (m @ ("GET" | "POST"), ["request", key, "comment"]) => {
            super::requests::comments(ctx, m, key, req)
        }
        ("GET", ["request", key, "sla"]) => super::requests::slas(ctx, api, key, req),
        _ => return None,
    })
}

/// `GET /rest/dev-status/latest/issue/{summary|detail}?issueId=N[&applicationType=&dataType=]`.
pub fn dev_status(ctx: &mut Ctx, what: &str, req: &Req) -> Resp {
    let Some(id) = req.q("issueId") else {
        return err(400, "issueId is required.");
    };
    let idx = match visible_issue(ctx, id) {
        Ok(i) => i,
        Err(r) => return r,
    };
    let key = ctx.st.jira.issues[idx].key.clone();
    let info = ctx.st.jira.devinfo.iter().find(|d| d.issue == key).cloned();
    let app = req
        .q("applicationType")
        .filter(|a| !a.is_empty())
        .map(str::to_lowercase);
    let prs: Vec<Value> = info
        .as_ref()
        .map(|d| d.pull_requests.clone())
        .unwrap_or_default();
    let branches: Vec<Value> = info
        .as_ref()
        .map(|d| d.branches.clone())
        .unwrap_or_default();
    let repos: Vec<Value> = info
        .as_ref()
        .map(|d| d.repositories.clone())
        .unwrap_or_default();
    let instance = json!({"singleInstance": true, "baseUrl": "https://github.com", "name": "GitHub", "typeName": "GitHub", "id": "github", "type": "GitHub"});
    let matches_app = app.as_deref().is_none_or(|a| a == "github");
    if what == "summary" {
        let open = prs.iter().filter(|p| p["status"] == "OPEN").count();
        let merged = prs.iter().filter(|p| p["status"] == "MERGED").count();
        let commits: usize = repos
            .iter()
            .map(|r| r["commits"].as_array().map(Vec::len).unwrap_or(0))
            .sum();
        let overall = |count: usize, extra: Value| {
            let mut o = json!({"count": count, "lastUpdated": Value::Null, "dataType": ""});
            if let Value::Object(m) = extra {
                o.as_object_mut().unwrap().extend(m);
            }
            json!({"overall": o, "byInstanceType": {"GitHub": {"count": count, "name": "GitHub"}}})
        };
        return Resp::ok(json!({"errors": [], "configErrors": [], "summary": {
            "pullrequest": overall(prs.len(), json!({"stateCount": prs.len(), "state": if open > 0 { "OPEN" } else if merged > 0 { "MERGED" } else { "DECLINED" },
                "details": {"openCount": open, "mergedCount": merged, "declinedCount": prs.len() - open - merged, "total": prs.len()}, "open": open > 0})),
            "branch": overall(branches.len(), json!({})),
            "repository": overall(commits, json!({})),
            "build": overall(0, json!({})),
            "review": overall(0, json!({})),
            "deployment-environment": overall(0, json!({})),
        }}));
    }
    let kinds = req.q_list("dataType");
    let want = |k: &str| kinds.is_empty() || kinds.iter().any(|x| x == k);
    let mut detail = json!({"_instance": instance});
    if want("pullrequest") {
        detail["pullRequests"] = json!(prs);
    }
    if want("branch") {
        detail["branches"] = json!(branches);
    }
    if want("repository") || want("commit") {
        detail["repositories"] = json!(repos);
    }
    let detail = if matches_app && info.is_some() {
        vec![detail]
    } else {
        Vec::new()
    };
    Resp::ok(json!({"errors": [], "detail": detail}))
}

/// The Forms API on `/jira/forms/cloud/{cloudId}/issue/{key}/form[/{id}]` (Cloud only), as
/// api.atlassian.com serves it: another site's cloud id is not found. Answers are checked
/// against the question types (`text`, `date`, `time`, `choices` by id, `users`).
pub fn forms(
    ctx: &mut Ctx,
    method: &str,
    cloud_id: &str,
    key: &str,
    rest: &[&str],
    req: &Req,
) -> Resp {
    if cloud_id != ctx.st.site.cloud_id {
        return Resp::json(
            404,
            &json!({"errors": [{"status": 404, "code": "NOT_FOUND", "title": "No site has this cloud id"}]}),
        );
    }
    let idx = match visible_issue(ctx, key) {
        Ok(i) => i,
        Err(_) => {
            return Resp::json(
                404,
                &json!({"errors": [{"status": 404, "code": "NOT_FOUND", "title": "Issue not found"}]}),
            );
        }
    };
    let issue_key = ctx.st.jira.issues[idx].key.clone();
    let form_json = |f: &crate::model::Form, full: bool| {
        let mut v = json!({"id": f.id, "name": f.name, "updated": time::conf(&f.updated), "submitted": f.submitted, "lock": f.locked,
            "internal": false, "formTemplate": {"id": format!("tpl-{}", f.id)}});
        if full {
            let mut questions = Map::new();
            let mut answers = Map::new();
            for q in &f.questions {
                let id = q["id"].as_str().unwrap_or("").to_string();
                let mut question = json!({"type": q["type"], "label": q["label"], "description": "", "validation": {"rq": q["required"].as_bool().unwrap_or(false)}});
                if q["choices"].is_array() {
                    question["choices"] = q["choices"].clone();
                }
                questions.insert(id.clone(), question);
                if !q["answer"].is_null() {
                    answers.insert(id, q["answer"].clone());
                }
            }
            v = json!({"id": f.id, "updated": time::conf(&f.updated),
                "design": {"settings": {"templateId": format!("tpl-{}", f.id), "name": f.name, "submit": {"lock": f.locked, "pdf": false}},
                           "layout": [{"version": 1, "type": "doc", "content": []}], "conditions": {}, "sections": {}, "questions": questions},
                "state": {"visibility": "e", "status": if f.submitted { "s" } else { "o" }, "answers": answers}});
        }
        v
    };
    match (method, rest) {
        ("GET", ["form"]) => {
            let list: Vec<Value> = ctx
                .st
                .jira
                .forms
                .iter()
                .filter(|f| f.issue == issue_key)
                .map(|f| form_json(f, false))
                .collect();
            Resp::ok(json!(list))
        }
        ("GET", ["form", id]) => match ctx
            .st
            .jira
            .forms
            .iter()
            .find(|f| f.issue == issue_key && f.id == *id)
        {
            Some(f) => Resp::ok(form_json(f, true)),
            None => Resp::json(
                404,
                &json!({"errors": [{"status": 404, "code": "NOT_FOUND", "title": "Form not found"}]}),
            ),
        },
        ("PUT", ["form", id]) => {
            let Some(pos) = ctx
                .st
                .jira
                .forms
                .iter()
                .position(|f| f.issue == issue_key && f.id == *id)
            else {
                return Resp::json(
                    404,
                    &json!({"errors": [{"status": 404, "code": "NOT_FOUND", "title": "Form not found"}]}),
                );
            };
            if ctx.st.jira.forms[pos].locked {
                return Resp::json(
                    409,
                    &json!({"errors": [{"status": 409, "code": "FORM_LOCKED", "title": "The form is locked and cannot be edited"}]}),
                );
            }
            let answers = req
                .json()
                .ok()
                .flatten()
                .and_then(|b| b["answers"].as_object().cloned())
                .unwrap_or_default();
            let form = &mut ctx.st.jira.forms[pos];
            for (qid, a) in answers {
                match form.questions.iter_mut().find(|q| q["id"] == qid.as_str()) {
                    Some(q) => {
                        if let Err(problem) = answer_fits(q, &a) {
                            return Resp::json(
                                400,
                                &json!({"errors": [{"status": 400, "code": "INVALID_ANSWER", "title": format!("Question {qid}: {problem}")}]}),
                            );
                        }
                        q["answer"] = a;
                    }
                    None => {
                        return Resp::json(
                            400,
                            &json!({"errors": [{"status": 400, "code": "INVALID_QUESTION", "title": format!("Question {qid} is not on this form")}]}),
                        );
                    }
                }
            }
            form.updated = time::now();
            let f = form.clone();
            Resp::ok(form_json(&f, true))
        }
        _ => Resp::json(
            404,
            &json!({"errors": [{"status": 404, "code": "NOT_FOUND", "title": "Not found"}]}),
        ),
    }
}

/// Whether a Forms API answer has the shape its question type takes.
fn answer_fits(q: &Value, a: &Value) -> Result<(), String> {
    let code = q["type"].as_str().unwrap_or("");
    let keys: Vec<&str> = a
        .as_object()
        .map(|o| o.keys().map(String::as_str).collect())
        .unwrap_or_default();
    let want: &[&str] = match code {
        "da" => &["date"],
        "dt" => &["date", "time"],
        "ti" => &["time"],
        "cd" | "cs" | "cm" | "cl" => &["choices"],
        "us" | "um" => &["users"],
        _ => &["text"],
    };
    if keys.len() != want.len() || !want.iter().all(|k| keys.contains(k)) {
        return Err(format!("a {code} question takes {want:?}, not {keys:?}"));
    }
    if let Some(ids) = a["choices"].as_array() {
        let known: Vec<&Value> = q["choices"]
            .as_array()
            .map(|cs| cs.iter().map(|c| &c["id"]).collect())
            .unwrap_or_default();
        if let Some(bad) = ids.iter().find(|id| !known.contains(id)) {
            return Err(format!("{bad} is not a choice id"));
        }
    }
    Ok(())
}

/// Cloud `POST /rest/api/3/bulk/issues/move`: moves issues to another project, each to the
/// issue type the mapping key (`PROJECT,issueTypeId[,parent]`) names, which the target project
/// must have; answers a task id. Nothing moves unless every issue and target is valid.
pub fn bulk_move(ctx: &mut Ctx, _api: Api, req: &Req) -> Resp {
    let body = match req.json() {
        Ok(Some(b)) => b,
        _ => return err(400, "Send the move specification as JSON."),
    };
    let Some(mapping) = body["targetToSourcesMapping"].as_object() else {
        return err(400, "targetToSourcesMapping is required.");
    };
    let mut moves = Vec::new();
    for (target, spec) in mapping {
        let mut parts = target.split(',');
        let (project_key, type_id) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
        let Some(project) = ctx
            .st
            .project(project_key)
            .filter(|p| ctx.user.sees_project(&p.key))
            .cloned()
        else {
            return err(
                400,
                &format!("Target project '{project_key}' does not exist or you cannot see it."),
            );
        };
        let Some(issue_type) = ctx
            .st
            .issue_type(type_id)
            .filter(|t| t.id == type_id && project.issue_types.contains(&t.name))
            .map(|t| t.name.clone())
        else {
            return err(
                400,
                &format!(
                    "Issue type '{type_id}' is not available in project {}.",
                    project.key
                ),
            );
        };
        for k in spec["issueIdsOrKeys"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            match visible_issue(ctx, k) {
                Ok(i) => moves.push((i, project.key.clone(), issue_type.clone())),
                Err(r) => return r,
            }
        }
    }
    let mut processed = Vec::new();
    for (idx, project, issue_type) in moves {
        let n = ctx
            .st
            .jira
            .issues
            .iter()
            .filter(|i| i.project() == project)
            .filter_map(|i| i.key.rsplit('-').next()?.parse::<u64>().ok())
            .max()
            .unwrap_or(0)
            + 1;
        let issue = &mut ctx.st.jira.issues[idx];
        let old = std::mem::replace(&mut issue.key, format!("{project}-{n}"));
        issue.issuetype = issue_type;
        issue.components.clear();
        issue.fix_versions.clear();
        processed.push(issue.id);
        let new = issue.key.clone();
        for l in &mut ctx.st.jira.links {
            for side in [&mut l.inward, &mut l.outward] {
                if *side == old {
                    *side = new.clone();
                }
            }
        }
    }
    let task = ctx.st.new_id().to_string();
    let done = json!({"status": "COMPLETE", "progressPercent": 100,
        "processedAccessibleIssues": processed, "failedAccessibleIssues": {},
        "invalidOrInaccessibleIssueCount": 0, "totalIssueCount": processed.len()});
    ctx.st.jira.bulk_tasks.insert(task.clone(), (0, done));
    Resp::json(201, &json!({ "taskId": task }))
}

/// Cloud `GET /rest/api/3/bulk/queue/{taskId}`: a move task is RUNNING at its first poll and
/// COMPLETE from the second on, so that clients have to poll.
pub fn bulk_progress(ctx: &mut Ctx, id: &str) -> Resp {
    let account = ctx.user.account_id.clone();
    let Some((polls, done)) = ctx.st.jira.bulk_tasks.get_mut(id) else {
        return err(404, &format!("No bulk task {id}."));
    };
    *polls += 1;
    let mut body = if *polls == 1 {
        json!({"status": "RUNNING", "progressPercent": 50})
    } else {
        done.clone()
    };
    body["taskId"] = json!(id);
    body["submittedBy"] = json!({ "accountId": account });
    body["created"] = json!(time::jira(&time::now()));
    body["updated"] = json!(time::jira(&time::now()));
    Resp::ok(body)
}

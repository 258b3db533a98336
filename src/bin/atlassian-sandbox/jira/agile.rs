//! Jira Software Agile 1.0 (same paths on both flavours): boards and their issues, backlog,
//! sprints, epics and versions; sprint create/update with Jira's state rules (a future sprint
//! starts only with dates, a closed one never reopens); moving issues into a sprint, to the
//! backlog, into or out of an epic.

use super::render::{Api, R};
use super::search::offset_issues;
use super::{err, page_params, visible_issue};
use crate::http::{Req, Resp};
use crate::jql;
use crate::model::{Board, Sprint};
use crate::router::Ctx;
use crate::time;
use serde_json::{Value, json};

fn paged(req: &Req, all: Vec<Value>, default_max: usize) -> Resp {
    let (start, max) = match page_params(req, default_max, 1000) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let total = all.len();
    let values: Vec<Value> = all.into_iter().skip(start).take(max).collect();
    Resp::ok(
        json!({"maxResults": max, "startAt": start, "total": total, "isLast": start + max >= total, "values": values}),
    )
}

fn board_json(ctx: &Ctx, b: &Board) -> Value {
    let p = ctx.st.project(&b.project);
    json!({"id": b.id, "self": format!("{}/rest/agile/1.0/board/{}", ctx.base, b.id), "name": b.name, "type": b.kind,
        "location": {"projectId": p.map(|p| p.id.parse::<i64>().unwrap_or(0)), "displayName": p.map(|p| format!("{} ({})", p.name, p.key)),
            "projectName": p.map(|p| p.name.clone()), "projectKey": b.project, "projectTypeKey": p.map(|p| p.type_key.clone()),
            "name": p.map(|p| format!("{} ({})", p.name, p.key))}})
}

fn sprint_json(ctx: &Ctx, s: &Sprint) -> Value {
    let mut v = json!({"id": s.id, "self": format!("{}/rest/agile/1.0/sprint/{}", ctx.base, s.id), "state": s.state,
        "name": s.name, "originBoardId": s.board, "goal": s.goal});
    for (k, t) in [
        ("startDate", &s.start),
        ("endDate", &s.end),
        ("completeDate", &s.complete),
    ] {
        if let Some(t) = t {
            v[k] = json!(time::conf(t));
        }
    }
    v
}

fn board<'a>(ctx: &'a Ctx, id: &str) -> Result<&'a Board, Resp> {
    ctx.st
        .jira
        .boards
        .iter()
        .find(|b| b.id.to_string() == id && ctx.user.sees_project(&b.project))
        .ok_or_else(|| err(404, "The requested board cannot be viewed because it either does not exist or you do not have permission to view it."))
}

fn sprint_index(ctx: &Ctx, id: &str) -> Result<usize, Resp> {
    ctx.st
        .jira
        .sprints
        .iter()
        .position(|s| s.id.to_string() == id)
        .filter(|i| {
            let b = ctx.st.jira.sprints[*i].board;
            ctx.st
                .jira
                .boards
                .iter()
                .any(|x| x.id == b && ctx.user.sees_project(&x.project))
        })
        .ok_or_else(|| {
            err(
                404,
                &format!(
                    "Sprint with id {id} does not exist or you do not have permission to see it."
                ),
            )
        })
}

/// Issues matching `base` (a board's filter) and an optional extra `jql`, visible to the caller.
fn matching(
    ctx: &Ctx,
    base: &str,
    req: &Req,
    extra: &dyn Fn(&crate::model::Issue) -> bool,
) -> Result<Vec<usize>, Resp> {
    let src = match req.q("jql").filter(|j| !j.trim().is_empty()) {
        Some(j) => format!(
            "({}) AND ({j})",
            base.split(" ORDER BY").next().unwrap_or(base)
        ),
        None => base.to_string(),
    };
    let q = jql::compile(ctx.st, &src).map_err(|e| err(400, &e))?;
    let hits = jql::run(ctx.st, &ctx.user, &q).map_err(|e| err(400, &e))?;
    Ok(hits
        .into_iter()
        .filter(|n| extra(&ctx.st.jira.issues[*n]))
        .collect())
}

fn issues_page(ctx: &Ctx, api: Api, hits: Vec<usize>, req: &Req) -> Resp {
    match offset_issues(ctx, api, &hits, req, 50) {
        Ok(v) => Resp::ok(v),
        Err(r) => r,
    }
}

fn keys_from(req: &Req) -> Result<Vec<String>, Resp> {
    let body = req.json().map_err(|e| err(400, &e))?.unwrap_or(Value::Null);
    let keys: Vec<String> = body["issues"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(String::from))
        .collect();
    if keys.is_empty() || keys.len() > 50 {
        return Err(err(400, "Send between 1 and 50 issue keys in 'issues'."));
    }
    Ok(keys)
}

pub fn route(ctx: &mut Ctx, api: Api, method: &str, rest: &[&str], req: &Req) -> Option<Resp> {
    Some(match (method, rest) {
        ("GET", ["board"]) => {
            let kind = req.q("type");
            let name = req.q("name").map(str::to_lowercase);
            let project = req.q("projectKeyOrId");
            let all: Vec<Value> = ctx
                .st
                .jira
                .boards
                .iter()
                .filter(|b| ctx.user.sees_project(&b.project))
                .filter(|b| kind.is_none_or(|k| k.split(',').any(|k| k == b.kind)))
                .filter(|b| {
                    name.as_ref()
                        .is_none_or(|n| b.name.to_lowercase().contains(n))
                })
                .filter(|b| {
                    project.is_none_or(|p| ctx.st.project(p).is_some_and(|x| x.key == b.project))
                })
                .map(|b| board_json(ctx, b))
                .collect();
            paged(req, all, 50)
        }
        ("GET", ["board", id]) => match board(ctx, id) {
            Ok(b) => Resp::ok(board_json(ctx, b)),
            Err(r) => r,
        },
        ("GET", ["board", id, what @ ("issue" | "backlog")]) => {
            let b = match board(ctx, id) {
                Ok(b) => b.clone(),
                Err(r) => return Some(r),
            };
            let open: Vec<u64> = ctx
                .st
                .jira
                .sprints
                .iter()
                .filter(|s| s.state != "closed")
                .map(|s| s.id)
                .collect();
            let backlog = *what == "backlog";
            let st = &*ctx.st;
            let filter = move |i: &crate::model::Issue| {
                !backlog
                    || (!i.sprints.iter().any(|s| open.contains(s))
                        && st.status(&i.status).is_some_and(|s| s.category != "done")
                        && i.issuetype != "Epic")
            };
            match matching(ctx, &b.jql, req, &filter) {
                Ok(h) => issues_page(ctx, api, h, req),
                Err(r) => r,
            }
        }
        ("GET", ["board", id, "sprint"]) => {
            if let Err(r) = board(ctx, id) {
                return Some(r);
            }
            let states = req.q_list("state");
            let all: Vec<Value> = ctx
                .st
                .jira
                .sprints
                .iter()
                .filter(|s| {
                    s.board.to_string() == *id && (states.is_empty() || states.contains(&s.state))
                })
                .map(|s| sprint_json(ctx, s))
                .collect();
            paged(req, all, 50)
        }
        ("GET", ["board", id, "epic"]) => {
            let b = match board(ctx, id) {
                Ok(b) => b.clone(),
                Err(r) => return Some(r),
            };
            let all: Vec<Value> = ctx
                .st
                .jira
                .issues
                .iter()
                .filter(|i| i.project() == b.project && i.issuetype == "Epic")
                .map(|i| epic_json(ctx, i))
                .collect();
            paged(req, all, 50)
        }
        ("GET", ["board", id, "project"]) => {
            let b = match board(ctx, id) {
                Ok(b) => b.clone(),
                Err(r) => return Some(r),
            };
            let r = R::new(ctx.st, api, ctx.base);
            paged(req, vec![r.project_ref(&b.project)], 50)
        }
        ("GET", ["board", id, "version"]) => {
            let b = match board(ctx, id) {
                Ok(b) => b.clone(),
                Err(r) => return Some(r),
            };
            let p = ctx.st.project(&b.project).cloned();
            let all = p
                .map(|p| {
                    p.versions
                        .iter()
                        .map(|v| agile_version(ctx, &p, v))
                        .collect()
                })
                .unwrap_or_default();
            paged(req, all, 50)
        }
        ("POST", ["sprint"]) => create_sprint(ctx, req),
        ("GET", ["sprint", id]) => match sprint_index(ctx, id) {
            Ok(i) => Resp::ok(sprint_json(ctx, &ctx.st.jira.sprints[i])),
            Err(r) => r,
        },
        ("POST" | "PUT", ["sprint", id]) => update_sprint(ctx, id, req, method == "PUT"),
        ("DELETE", ["sprint", id]) => match sprint_index(ctx, id) {
            Ok(i) if ctx.st.jira.sprints[i].state == "future" => {
                let sid = ctx.st.jira.sprints.remove(i).id;
                for issue in &mut ctx.st.jira.issues {
                    issue.sprints.retain(|s| *s != sid);
                }
                Resp::empty(204)
            }
            Ok(_) => err(400, "Only future sprints can be deleted."),
            Err(r) => r,
        },
        ("GET", ["sprint", id, "issue"]) => {
            let i = match sprint_index(ctx, id) {
                Ok(i) => i,
                Err(r) => return Some(r),
            };
            let sid = ctx.st.jira.sprints[i].id;
            let board_jql = ctx
                .st
                .jira
                .boards
                .iter()
                .find(|b| b.id == ctx.st.jira.sprints[i].board)
                .map(|b| b.jql.clone())
                .unwrap_or_default();
            match matching(ctx, &board_jql, req, &|x| x.sprints.contains(&sid)) {
                Ok(h) => issues_page(ctx, api, h, req),
                Err(r) => r,
            }
        }
        ("POST", ["sprint", id, "issue"]) => {
            let i = match sprint_index(ctx, id) {
                Ok(i) => i,
                Err(r) => return Some(r),
            };
            if ctx.st.jira.sprints[i].state == "closed" {
                return Some(err(400, "Issues cannot be moved into a closed sprint."));
            }
            let sid = ctx.st.jira.sprints[i].id;
            move_issues(ctx, req, &|issue| issue.sprints = vec![sid])
        }
        ("POST", ["backlog", "issue"]) => move_issues(ctx, req, &|issue| issue.sprints.clear()),
        ("GET", ["epic", key]) => match epic_index(ctx, key) {
            Ok(i) => Resp::ok(epic_json(ctx, &ctx.st.jira.issues[i])),
            Err(r) => r,
        },
        ("GET", ["epic", key, "issue"]) => {
            let i = match epic_index(ctx, key) {
                Ok(i) => i,
                Err(r) => return Some(r),
            };
            let epic = ctx.st.jira.issues[i].key.clone();
            let base = format!("project = {}", ctx.st.jira.issues[i].project());
            match matching(ctx, &base, req, &|x| x.parent.as_deref() == Some(&epic)) {
                Ok(h) => issues_page(ctx, api, h, req),
                Err(r) => r,
            }
        }
        ("POST", ["epic", "none", "issue"]) => move_issues(ctx, req, &|issue| {
            if issue.issuetype != "Sub-task" {
                issue.parent = None;
            }
        }),
        ("POST", ["epic", key, "issue"]) => {
            let i = match epic_index(ctx, key) {
                Ok(i) => i,
                Err(r) => return Some(r),
            };
            let epic = ctx.st.jira.issues[i].key.clone();
            move_issues(ctx, req, &|issue| issue.parent = Some(epic.clone()))
        }
        _ => return None,
    })
}

fn agile_version(ctx: &Ctx, p: &crate::model::Project, v: &crate::model::Version) -> Value {
    let mut o = json!({"id": v.id.parse::<i64>().unwrap_or(0), "self": format!("{}/rest/agile/1.0/version/{}", ctx.base, v.id),
        "projectId": p.id.parse::<i64>().unwrap_or(0), "name": v.name, "description": v.description,
        "archived": v.archived, "released": v.released});
    if let Some(d) = &v.release_date {
        o["releaseDate"] = json!(format!("{d}T00:00:00.000Z"));
    }
    o
}

fn epic_index(ctx: &Ctx, key: &str) -> Result<usize, Resp> {
    match visible_issue(ctx, key) {
        Ok(i) if ctx.st.jira.issues[i].issuetype == "Epic" => Ok(i),
        Ok(_) => Err(err(400, &format!("Issue {key} is not an epic."))),
        Err(_) => Err(err(
            404,
            &format!("Epic {key} does not exist or you do not have permission to see it."),
        )),
    }
}

fn epic_json(ctx: &Ctx, i: &crate::model::Issue) -> Value {
    let name = i
        .custom
        .get("epic_name")
        .and_then(Value::as_str)
        .unwrap_or(&i.summary);
    let done = ctx
        .st
        .status(&i.status)
        .is_some_and(|s| s.category == "done");
    json!({"id": i.id, "key": i.key, "self": format!("{}/rest/agile/1.0/epic/{}", ctx.base, i.id), "name": name,
        "summary": i.summary, "color": {"key": format!("color_{}", i.id % 9 + 1)}, "done": done})
}

fn move_issues(ctx: &mut Ctx, req: &Req, change: &dyn Fn(&mut crate::model::Issue)) -> Resp {
    let keys = match keys_from(req) {
        Ok(k) => k,
        Err(r) => return r,
    };
    let mut idxs = Vec::new();
    for k in &keys {
        match visible_issue(ctx, k) {
            Ok(i) => idxs.push(i),
            Err(_) => {
                return err(
                    400,
                    &format!("Issue '{k}' does not exist or you do not have permission to see it."),
                );
            }
        }
    }
    for i in idxs {
        let issue = &mut ctx.st.jira.issues[i];
        change(issue);
        issue.updated = time::now();
    }
    Resp::empty(204)
}

fn parse_date(body: &Value, k: &str) -> Result<Option<String>, Resp> {
    match body[k].as_str() {
        None => Ok(None),
        Some(s) => time::normalize(s)
            .map(Some)
            .ok_or_else(|| super::field_err(400, k, "Invalid date format.")),
    }
}

fn create_sprint(ctx: &mut Ctx, req: &Req) -> Resp {
    let body = match req.json() {
        Ok(Some(b)) => b,
        _ => return err(400, "Send the sprint as JSON."),
    };
    let Some(name) = body["name"].as_str().filter(|n| !n.trim().is_empty()) else {
        return super::field_err(400, "name", "The sprint name is required.");
    };
    let board_id = body["originBoardId"].as_u64().unwrap_or(0);
    if board(ctx, &board_id.to_string()).is_err() {
        return super::field_err(
            400,
            "originBoardId",
            "The board does not exist or you do not have permission to view it.",
        );
    }
    let (start, end) = match (parse_date(&body, "startDate"), parse_date(&body, "endDate")) {
        (Ok(s), Ok(e)) => (s, e),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    let id = ctx.st.jira.sprints.iter().map(|s| s.id).max().unwrap_or(0) + 1;
    let s = Sprint {
        id,
        board: board_id,
        name: name.into(),
        state: "future".into(),
        start,
        end,
        complete: None,
        goal: body["goal"].as_str().unwrap_or("").into(),
    };
    ctx.st.jira.sprints.push(s.clone());
    Resp::json(201, &sprint_json(ctx, &s))
}

fn update_sprint(ctx: &mut Ctx, id: &str, req: &Req, full: bool) -> Resp {
    let i = match sprint_index(ctx, id) {
        Ok(i) => i,
        Err(r) => return r,
    };
    let body = match req.json() {
        Ok(Some(b)) => b,
        _ => return err(400, "Send the sprint as JSON."),
    };
    let mut s = ctx.st.jira.sprints[i].clone();
    if let Some(n) = body["name"].as_str() {
        s.name = n.into();
    }
    if let Some(g) = body["goal"].as_str() {
        s.goal = g.into();
    } else if full {
        s.goal.clear();
    }
    match (parse_date(&body, "startDate"), parse_date(&body, "endDate")) {
        (Ok(a), Ok(b)) => {
            if a.is_some() || full {
                s.start = a.or(s.start);
            }
            if b.is_some() || full {
                s.end = b.or(s.end);
            }
        }
        (Err(r), _) | (_, Err(r)) => return r,
    }
    if let Some(state) = body["state"].as_str() {
        let state = state.to_lowercase();
        match (s.state.as_str(), state.as_str()) {
            (a, b) if a == b => {}
            ("future", "active") => {
                if s.start.is_none() || s.end.is_none() {
                    return err(
                        400,
                        "A sprint needs a start and an end date before it can be started.",
                    );
                }
                if ctx
                    .st
                    .jira
                    .sprints
                    .iter()
                    .any(|x| x.board == s.board && x.state == "active" && x.id != s.id)
                {
                    return err(400, "This board already has an active sprint.");
                }
                s.state = state;
            }
            ("active", "closed") => {
                s.state = state;
                s.complete = Some(time::now());
            }
            (from, to) => return err(400, &format!("A sprint cannot go from '{from}' to '{to}'.")),
        }
    }
    if let (Some(a), Some(b)) = (&s.start, &s.end) {
        if b < a {
            return err(
                400,
                "The end date of a sprint must be after its start date.",
            );
        }
    }
    ctx.st.jira.sprints[i] = s.clone();
    Resp::ok(sprint_json(ctx, &s))
}

//! Jira projects: the project list (Server/DC and the deprecated Cloud form), Cloud's paged
//! project search, one project with its versions (all, or paged), components and per-type
//! statuses, and one version, version create/update.

use super::render::{Api, R};
use super::{err, field_err, page_params};
use crate::http::{Req, Resp};
use crate::model::{Project, Version};
use crate::router::Ctx;
use crate::time;
use serde_json::{Value, json};

fn version_json(base: &str, api: Api, p: &Project, v: &Version) -> Value {
    let mut o = json!({"self": format!("{base}{}/version/{}", api.prefix(), v.id), "id": v.id, "name": v.name,
        "description": v.description, "archived": v.archived, "released": v.released, "projectId": p.id.parse::<i64>().unwrap_or(0)});
    if let Some(d) = &v.release_date {
        o["releaseDate"] = json!(d);
        o["overdue"] = json!(!v.released && d.as_str() < time::now().as_str());
    }
    if let Some(d) = &v.start_date {
        o["startDate"] = json!(d);
    }
    o
}

fn project_json(ctx: &Ctx, api: Api, p: &Project, full: bool) -> Value {
    let r = R::new(ctx.st, api, ctx.base);
    let mut v = r.project_ref(&p.key);
    v["description"] = json!(p.description);
    v["lead"] = r.user(&p.lead);
    if api.cloud() {
        v["style"] = json!("classic");
        v["isPrivate"] = json!(false);
        v["archived"] = json!(p.archived);
    }
    if full {
        v["components"] = json!(
            p.components
                .iter()
                .map(|c| r.component(&p.key, &c.name))
                .collect::<Vec<_>>()
        );
        v["issueTypes"] = json!(
            p.issue_types
                .iter()
                .map(|t| r.issue_type(t))
                .collect::<Vec<_>>()
        );
        v["versions"] = json!(
            p.versions
                .iter()
                .map(|x| version_json(ctx.base, api, p, x))
                .collect::<Vec<_>>()
        );
        v["assigneeType"] = json!("UNASSIGNED");
    }
    v
}

pub fn visible_projects<'a>(ctx: &'a Ctx) -> Vec<&'a Project> {
    ctx.st
        .jira
        .projects
        .iter()
        .filter(|p| ctx.user.sees_project(&p.key))
        .collect()
}

pub fn projects(ctx: &mut Ctx, api: Api, req: &Req) -> Resp {
    let archived = req.q_bool("includeArchived");
    let list: Vec<Value> = visible_projects(ctx)
        .into_iter()
        .filter(|p| archived || !p.archived)
        .map(|p| project_json(ctx, api, p, false))
        .collect();
    Resp::ok(json!(list))
}

/// Cloud `GET /rest/api/3/project/search`.
pub fn project_search(ctx: &mut Ctx, api: Api, req: &Req) -> Resp {
    let (start, max) = match page_params(req, 50, 100) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let query = req.q("query").unwrap_or("").to_lowercase();
    let keys = req.q_list("keys");
    let type_key = req.q("typeKey");
    let all: Vec<&Project> = visible_projects(ctx)
        .into_iter()
        .filter(|p| {
            query.is_empty()
                || p.key.to_lowercase().contains(&query)
                || p.name.to_lowercase().contains(&query)
        })
        .filter(|p| {
            keys.is_empty()
                || keys
                    .iter()
                    .any(|k| k.eq_ignore_ascii_case(&p.key) || *k == p.id)
        })
        .filter(|p| type_key.is_none_or(|t| t == p.type_key))
        .filter(|p| !p.archived || req.q("status").is_some_and(|s| s.contains("archived")))
        .collect();
    let values: Vec<Value> = all
        .iter()
        .skip(start)
        .take(max)
        .map(|p| project_json(ctx, api, p, false))
        .collect();
    Resp::ok(
        json!({"self": format!("{}{}/project/search", ctx.base, api.prefix()), "maxResults": max, "startAt": start,
        "total": all.len(), "isLast": start + max >= all.len(), "values": values}),
    )
}

pub fn project_or_404<'a>(ctx: &'a Ctx, key: &str) -> Result<&'a Project, Resp> {
    ctx.st
        .project(key)
        .filter(|p| ctx.user.sees_project(&p.key))
        .ok_or_else(|| err(404, &format!("No project could be found with key '{key}'.")))
}

/// `GET /project/{key}` and its sub-resources.
pub fn project(ctx: &mut Ctx, api: Api, key: &str, sub: Option<&str>, req: &Req) -> Resp {
    let p = match project_or_404(ctx, key) {
        Ok(p) => p.clone(),
        Err(r) => return r,
    };
    let r = R::new(ctx.st, api, ctx.base);
    match sub {
        None => Resp::ok(project_json(ctx, api, &p, true)),
        Some("versions") => Resp::ok(json!(
            p.versions
                .iter()
                .map(|v| version_json(ctx.base, api, &p, v))
                .collect::<Vec<_>>()
        )),
        Some("version") => {
            let (start, max) = match page_params(req, 50, 1000) {
                Ok(x) => x,
                Err(r) => return r,
            };
            let status = req.q_list("status");
            let all: Vec<Value> = p
                .versions
                .iter()
                .filter(|v| {
                    status.is_empty()
                        || status.iter().any(|s| {
                            (s == "released") == v.released && (s != "archived" || v.archived)
                        })
                })
                .map(|v| version_json(ctx.base, api, &p, v))
                .collect();
            let values: Vec<Value> = all.iter().skip(start).take(max).cloned().collect();
            Resp::ok(
                json!({"self": format!("{}{}/project/{}/version", ctx.base, api.prefix(), p.key), "maxResults": max, "startAt": start,
                "total": all.len(), "isLast": start + max >= all.len(), "values": values}),
            )
        }
        Some("components") => Resp::ok(json!(
            p.components
                .iter()
                .map(|c| {
                    let mut v = r.component(&p.key, &c.name);
                    v["project"] = json!(p.key);
                    v["projectId"] = json!(p.id.parse::<i64>().unwrap_or(0));
                    v["assigneeType"] = json!("PROJECT_DEFAULT");
                    v["isAssigneeTypeValid"] = json!(false);
                    if let Some(l) = &c.lead {
                        v["lead"] = r.user(l);
                    }
                    v
                })
                .collect::<Vec<_>>()
        )),
        Some("statuses") => {
            let wf = &ctx.st.jira.workflows[&p.workflow];
            let mut names: Vec<&String> = wf.transitions.iter().map(|t| &t.to).collect();
            names.insert(0, &wf.initial);
            names.dedup();
            let statuses: Vec<Value> = names.iter().map(|n| r.status(n)).collect();
            Resp::ok(json!(p.issue_types.iter().map(|t| {
                let it = r.issue_type(t);
                json!({"self": it["self"], "id": it["id"], "name": it["name"], "subtask": it["subtask"], "statuses": statuses})
            }).collect::<Vec<_>>()))
        }
        Some(_) => err(404, "Unknown project resource."),
    }
}

/// `GET /version/{id}`.
pub fn version(ctx: &mut Ctx, api: Api, id: &str) -> Resp {
    let found = ctx.st.jira.projects.iter().find_map(|p| {
        p.versions
            .iter()
            .find(|v| v.id == id)
            .map(|v| (p.clone(), v.clone()))
    });
    match found {
        Some((p, v)) if ctx.user.sees_project(&p.key) => {
            Resp::ok(version_json(ctx.base, api, &p, &v))
        }
        _ => err(404, &format!("Could not find version for id '{id}'")),
    }
}

/// `POST /version` and `PUT /version/{id}`.
pub fn write_version(ctx: &mut Ctx, api: Api, id: Option<&str>, req: &Req) -> Resp {
    let body = match req.json() {
        Ok(Some(b)) => b,
        _ => return err(400, "Send the version as JSON."),
    };
    let (pi, vi) = match id {
        Some(id) => {
            let found = ctx.st.jira.projects.iter().enumerate().find_map(|(pi, p)| {
                p.versions
                    .iter()
                    .position(|v| v.id == id)
                    .map(|vi| (pi, Some(vi)))
            });
            match found {
                Some(f) if ctx.user.sees_project(&ctx.st.jira.projects[f.0].key) => f,
                _ => return err(404, &format!("Could not find version for id '{id}'")),
            }
        }
        None => {
            let key = body["projectId"]
                .as_i64()
                .map(|n| n.to_string())
                .or(body["projectId"].as_str().map(String::from))
                .or(body["project"].as_str().map(String::from));
            let Some(key) = key else {
                return field_err(
                    400,
                    "projectId",
                    "Project must be specified to create a version.",
                );
            };
            match ctx
                .st
                .jira
                .projects
                .iter()
                .position(|p| (p.key == key || p.id == key) && ctx.user.sees_project(&p.key))
            {
                Some(pi) => (pi, None),
                None => {
                    return field_err(
                        400,
                        "projectId",
                        "Project must be specified to create a version.",
                    );
                }
            }
        }
    };
    let project = &mut ctx.st.jira.projects[pi];
    let mut v = match vi {
        Some(i) => project.versions[i].clone(),
        None => {
            let Some(name) = body["name"].as_str().filter(|n| !n.trim().is_empty()) else {
                return field_err(400, "name", "You must specify a valid version name");
            };
            if project.versions.iter().any(|v| v.name == name) {
                return field_err(
                    400,
                    "name",
                    "A version with this name already exists in this project.",
                );
            }
            Version {
                id: String::new(),
                name: name.into(),
                description: String::new(),
                start_date: None,
                release_date: None,
                released: false,
                archived: false,
                project: project.key.clone(),
            }
        }
    };
    for (k, slot) in [
        ("startDate", &mut v.start_date),
        ("releaseDate", &mut v.release_date),
    ] {
        if let Some(d) = body[k].as_str() {
            match time::normalize(d) {
                Some(t) => *slot = Some(time::date(&t)),
                None => {
                    return field_err(
                        400,
                        k,
                        "Invalid date format. Please enter the date in the format 'yyyy-MM-dd'.",
                    );
                }
            }
        }
    }
    if let Some(n) = body["name"].as_str() {
        v.name = n.into();
    }
    if let Some(d) = body["description"].as_str() {
        v.description = d.into();
    }
    if let Some(b) = body["released"].as_bool() {
        v.released = b;
    }
    if let Some(b) = body["archived"].as_bool() {
        v.archived = b;
    }
    let created = vi.is_none();
    if created {
        v.id = ctx.st.new_id().to_string();
    }
    let project = &mut ctx.st.jira.projects[pi];
    match vi {
        Some(i) => project.versions[i] = v.clone(),
        None => project.versions.push(v.clone()),
    }
    let p = project.clone();
    Resp::json(
        if created { 201 } else { 200 },
        &version_json(ctx.base, api, &p, &v),
    )
}

//! Jira metadata and people: fields (list, Cloud search, option contexts), the caller
//! (`/myself`), server info, projects (list, Cloud search, one project, its versions,
//! components and issue types), version writes, create metadata (new per-type form and the
//! legacy `createmeta?projectKeys=` form), priorities, statuses, resolutions, and user lookups.
//! Projects and versions live in `projects`.

use super::projects::{project_or_404, visible_projects};
use super::render::{Api, R, SYSTEM_FIELDS, custom_schema};
use super::{err, page_params};
use crate::Flavour;
use crate::http::{Req, Resp};
use crate::model::Project;
use crate::router::Ctx;
use crate::store::Store;
use crate::time;
use serde_json::{Value, json};

fn field_list(st: &Store, api: Api) -> Vec<Value> {
    let r = R::new(st, api, "");
    let mut out: Vec<Value> = SYSTEM_FIELDS
        .iter()
        .map(|(id, name, ty, items, nav)| {
            let mut schema = json!({"type": ty, "system": id});
            if let Some(i) = items {
                schema["items"] = json!(i);
            }
            json!({"id": id, "key": id, "name": name, "custom": false, "orderable": *nav, "navigable": *nav,
                   "searchable": true, "clauseNames": [id], "schema": schema})
        })
        .collect();
    for f in &st.jira.fields {
        let Some(id) = r.custom_id(f) else { continue };
        let num = id.trim_start_matches("customfield_");
        out.push(json!({"id": id, "key": id, "name": f.name, "custom": true, "orderable": true, "navigable": true,
            "searchable": true, "clauseNames": [format!("cf[{num}]"), f.name], "schema": custom_schema(f, &id)}));
    }
    if api == Api::Dc {
        for f in &mut out {
            f.as_object_mut().unwrap().remove("key");
        }
    }
    out
}

pub fn fields(ctx: &mut Ctx, api: Api) -> Resp {
    Resp::ok(json!(field_list(ctx.st, api)))
}

/// Cloud `GET /rest/api/3/field/search`.
pub fn field_search(ctx: &mut Ctx, api: Api, req: &Req) -> Resp {
    let (start, max) = match page_params(req, 50, 100) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let query = req.q("query").unwrap_or("").to_lowercase();
    let kind = req.q_list("type");
    let ids = req.q_list("id");
    let all: Vec<Value> = field_list(ctx.st, api)
        .into_iter()
        .filter(|f| {
            query.is_empty()
                || f["name"]
                    .as_str()
                    .unwrap_or("")
                    .to_lowercase()
                    .contains(&query)
                || f["id"].as_str().unwrap_or("").contains(&query)
        })
        .filter(|f| {
            kind.is_empty()
                || kind
                    .iter()
                    .any(|k| (k == "custom") == f["custom"].as_bool().unwrap_or(false))
        })
        .filter(|f| ids.is_empty() || ids.iter().any(|i| f["id"] == i.as_str()))
        .collect();
    let values: Vec<Value> = all
        .iter()
        .skip(start)
        .take(max)
        .map(|f| {
            json!({"id": f["id"], "key": f["id"], "name": f["name"], "schema": f["schema"], "description": "",
                "isLocked": !f["custom"].as_bool().unwrap_or(false), "screensCount": 1, "contextsCount": 1,
                "lastUsed": {"type": "NOT_TRACKED"}})
        })
        .collect();
    Resp::ok(
        json!({"self": format!("{}{}/field/search", ctx.base, api.prefix()),"maxResults": max, "startAt": start,
        "total": all.len(), "isLast": start + max >= all.len(), "values": values}),
    )
}

/// Cloud field contexts and their options (`jira_get_field_options`).
pub fn field_contexts(
    ctx: &mut Ctx,
    api: Api,
    field: &str,
    context: Option<&str>,
    req: &Req,
) -> Resp {
    let Some(f) = ctx
        .st
        .jira
        .fields
        .iter()
        .find(|f| f.cloud_id.as_deref() == Some(field) || f.dc_id.as_deref() == Some(field))
    else {
        return err(404, &format!("The custom field was not found: {field}"));
    };
    let (start, max) = match page_params(req, 50, 1000) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let values: Vec<Value> = match context {
        None => vec![
            json!({"id": "10200", "name": format!("Default Configuration Scheme for {}", f.name), "description": "",
                            "isGlobalContext": true, "isAnyIssueType": true}),
        ],
        Some(_) => f
            .options
            .iter()
            .enumerate()
            .map(|(n, o)| json!({"id": (10100 + n).to_string(), "value": o, "disabled": false}))
            .collect(),
    };
    let total = values.len();
    let page: Vec<Value> = values.into_iter().skip(start).take(max).collect();
    let _ = api;
    Resp::ok(
        json!({"maxResults": max, "startAt": start, "total": total, "isLast": start + max >= total, "values": page}),
    )
}

pub fn myself(ctx: &mut Ctx, api: Api) -> Resp {
    let r = R::new(ctx.st, api, ctx.base);
    let mut v = r.user(&ctx.user.username);
    v["locale"] = json!("en_US");
    v["groups"] = json!({"size": ctx.user.groups.len(), "items": []});
    v["applicationRoles"] = json!({"size": 1, "items": []});
    v["expand"] = json!("groups,applicationRoles");
    Resp::ok(v)
}

pub fn server_info(_st: &Store, flavour: Flavour, base: &str) -> Resp {
    let now = time::jira(&time::now());
    Resp::ok(match flavour {
        Flavour::Cloud => {
            json!({"baseUrl": base, "displayUrl": base, "version": "1001.0.0-SNAPSHOT", "versionNumbers": [1001, 0, 0],
            "deploymentType": "Cloud", "buildNumber": 100_289, "buildDate": "2025-11-20T00:00:00.000+0000",
            "serverTime": now, "scmInfo": "sandbox", "serverTitle": "Sandbox Jira"})
        }
        Flavour::Server => {
            json!({"baseUrl": base, "version": "10.3.4", "versionNumbers": [10, 3, 4], "deploymentType": "Server",
            "buildNumber": 10_030_004, "buildDate": "2025-02-10T00:00:00.000+0000", "serverTime": now, "scmInfo": "sandbox",
            "serverTitle": "Sandbox Jira DC"})
        }
    })
}

fn field_meta(ctx: &Ctx, api: Api, project: &Project, itype: &str) -> Vec<Value> {
    let r = R::new(ctx.st, api, ctx.base);
    let mut out = Vec::new();
    let sys = |id: &str, name: &str, required: bool, allowed: Option<Value>| {
        let (ty, items) = SYSTEM_FIELDS
            .iter()
            .find(|f| f.0 == id)
            .map(|f| (f.2, f.3))
            .unwrap_or(("string", None));
        let mut schema = json!({"type": ty, "system": id});
        if let Some(i) = items {
            schema["items"] = json!(i);
        }
        let mut v = json!({"required": required, "schema": schema, "name": name, "key": id, "fieldId": id, "hasDefaultValue": false, "operations": ["set"]});
        if let Some(a) = allowed {
            v["allowedValues"] = a;
        }
        v
    };
    out.push(sys("summary", "Summary", true, None));
    out.push(sys(
        "issuetype",
        "Issue Type",
        true,
        Some(json!([r.issue_type(itype)])),
    ));
    out.push(sys(
        "project",
        "Project",
        true,
        Some(json!([r.project_ref(&project.key)])),
    ));
    out.push(sys("description", "Description", false, None));
    out.push(sys("reporter", "Reporter", true, None));
    out.push(sys("assignee", "Assignee", false, None));
    out.push(sys(
        "priority",
        "Priority",
        false,
        Some(json!(
            ctx.st
                .jira
                .priorities
                .iter()
                .map(|p| r.priority(&p.name))
                .collect::<Vec<_>>()
        )),
    ));
    out.push(sys("labels", "Labels", false, None));
    out.push(sys(
        "components",
        "Components",
        false,
        Some(json!(
            project
                .components
                .iter()
                .map(|c| r.component(&project.key, &c.name))
                .collect::<Vec<_>>()
        )),
    ));
    out.push(sys(
        "fixVersions",
        "Fix versions",
        false,
        Some(json!(
            project
                .versions
                .iter()
                .map(|v| r.version(&project.key, &v.name))
                .collect::<Vec<_>>()
        )),
    ));
    out.push(sys("duedate", "Due date", false, None));
    if ctx.st.issue_type(itype).is_some_and(|t| t.subtask) || api.cloud() {
        out.push(sys(
            "parent",
            "Parent",
            ctx.st.issue_type(itype).is_some_and(|t| t.subtask),
            None,
        ));
    }
    for f in &ctx.st.jira.fields {
        let Some(id) = r.custom_id(f) else { continue };
        if f.kind == "epic_name" && itype != "Epic"
            || matches!(f.kind.as_str(), "request_type" | "sla")
        {
            continue;
        }
        let mut v = json!({"required": f.kind == "epic_name", "schema": custom_schema(f, &id), "name": f.name, "key": id, "fieldId": id,
            "hasDefaultValue": false, "operations": ["set"]});
        if !f.options.is_empty() {
            v["allowedValues"] = json!(f.options.iter().enumerate().map(|(n, o)| json!({"self": format!("{}{}/customFieldOption/{}", ctx.base, api.prefix(), 10100 + n), "value": o, "id": (10100 + n).to_string()})).collect::<Vec<_>>());
        }
        out.push(v);
    }
    out
}

/// `GET /issue/createmeta/{project}/issuetypes[/{typeId}]`.
pub fn createmeta(ctx: &mut Ctx, api: Api, key: &str, type_id: Option<&str>, req: &Req) -> Resp {
    let p = match project_or_404(ctx, key) {
        Ok(p) => p.clone(),
        Err(r) => return r,
    };
    let (start, max) = match page_params(req, 50, 200) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let r = R::new(ctx.st, api, ctx.base);
    let items: Vec<Value> = match type_id {
        None => p.issue_types.iter().map(|t| r.issue_type(t)).collect(),
        Some(id) => match ctx
            .st
            .issue_type(id)
            .filter(|t| p.issue_types.contains(&t.name))
        {
            Some(t) => field_meta(ctx, api, &p, &t.name.clone()),
            None => {
                return err(
                    404,
                    &format!(
                        "Issue type with id '{id}' does not exist or is not available in project."
                    ),
                );
            }
        },
    };
    let total = items.len();
    let page: Vec<Value> = items.into_iter().skip(start).take(max).collect();
    let list_key = if type_id.is_some() {
        "fields"
    } else {
        "issueTypes"
    };
    Resp::ok(match api {
        Api::Dc => {
            json!({"maxResults": max, "startAt": start, "total": total, "isLast": start + max >= total, "values": page})
        }
        _ => json!({"maxResults": max, "startAt": start, "total": total, list_key: page}),
    })
}

/// Legacy `GET /issue/createmeta?projectKeys=X&expand=projects.issuetypes.fields`.
pub fn createmeta_legacy(ctx: &mut Ctx, api: Api, req: &Req) -> Resp {
    let keys = req.q_list("projectKeys");
    let with_fields = req.q("expand").is_some_and(|e| e.contains("fields"));
    let r = R::new(ctx.st, api, ctx.base);
    let projects: Vec<Value> = visible_projects(ctx)
        .into_iter()
        .filter(|p| keys.is_empty() || keys.iter().any(|k| k.eq_ignore_ascii_case(&p.key)))
        .map(|p| {
            let types: Vec<Value> = p
                .issue_types
                .iter()
                .map(|t| {
                    let mut v = r.issue_type(t);
                    if with_fields {
                        let fields: serde_json::Map<String, Value> = field_meta(ctx, api, p, t)
                            .into_iter()
                            .map(|f| (f["key"].as_str().unwrap_or("").to_string(), f))
                            .collect();
                        v["fields"] = Value::Object(fields);
                    }
                    v
                })
                .collect();
            let mut v = r.project_ref(&p.key);
            v["issuetypes"] = json!(types);
            v
        })
        .collect();
    Resp::ok(json!({"expand": "projects", "projects": projects}))
}

pub fn simple_list(ctx: &mut Ctx, api: Api, what: &str) -> Resp {
    let r = R::new(ctx.st, api, ctx.base);
    Resp::ok(json!(match what {
        "priority" => ctx
            .st
            .jira
            .priorities
            .iter()
            .map(|p| r.priority(&p.name))
            .collect::<Vec<_>>(),
        "status" => ctx
            .st
            .jira
            .statuses
            .iter()
            .map(|s| r.status(&s.name))
            .collect(),
        "resolution" => ctx
            .st
            .jira
            .resolutions
            .iter()
            .map(|x| r.resolution(Some(&x.name)))
            .collect(),
        _ => ctx
            .st
            .jira
            .issue_types
            .iter()
            .map(|t| r.issue_type(&t.name))
            .collect(),
    }))
}

/// `GET /user?accountId=|username=|key=`.
pub fn user(ctx: &mut Ctx, api: Api, req: &Req) -> Resp {
    let who = req
        .q("accountId")
        .or(req.q("username"))
        .or(req.q("key"))
        .unwrap_or("");
    let r = R::new(ctx.st, api, ctx.base);
    match ctx.st.user(who) {
        Some(u) if api.cloud() || req.q("accountId").is_none() => {
            let mut v = r.user(&u.username);
            v["groups"] = json!({"size": u.groups.len(), "items": u.groups.iter().map(|g| json!({"name": g})).collect::<Vec<_>>()});
            Resp::ok(v)
        }
        _ if who.is_empty() => err(
            400,
            "Specify accountId (Cloud) or username/key (Server/DC).",
        ),
        _ => err(
            404,
            &format!("The user with identifier '{who}' does not exist."),
        ),
    }
}

/// `GET /user/search`, `/user/assignable/search` (with project or issueKey), `/user/picker`.
pub fn user_search(ctx: &mut Ctx, api: Api, req: &Req, assignable: bool) -> Resp {
    let q = req
        .q("query")
        .or(req.q("username"))
        .unwrap_or("")
        .to_lowercase();
    let (start, max) = match page_params(req, 50, 1000) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let project = req.q("project").map(String::from).or(req
        .q("issueKey")
        .and_then(|k| ctx.st.issue(k).map(|i| i.project().to_string())));
    if assignable && project.is_none() {
        return err(400, "The parameters project or issueKey are required.");
    }
    if let Some(p) = &project {
        if !ctx
            .st
            .project(p)
            .is_some_and(|x| ctx.user.sees_project(&x.key))
        {
            return err(404, &format!("No project could be found with key '{p}'."));
        }
    }
    let r = R::new(ctx.st, api, ctx.base);
    let hits: Vec<Value> = ctx
        .st
        .users
        .iter()
        .filter(|u| u.active && u.account_type != "customer")
        .filter(|u| {
            q.is_empty()
                || [&u.username, &u.display_name, &u.email]
                    .iter()
                    .any(|s| s.to_lowercase().contains(&q))
        })
        .filter(|u| {
            project
                .as_deref()
                .is_none_or(|p| ctx.st.project(p).is_some_and(|x| u.sees_project(&x.key)))
        })
        .skip(start)
        .take(max)
        .map(|u| r.user(&u.username))
        .collect();
    Resp::ok(json!(hits))
}

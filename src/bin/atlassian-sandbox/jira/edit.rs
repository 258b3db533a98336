//! Turning a request's `fields` and `update` objects into changes on an issue, with Jira's
//! validation: known fields only, ADF (v3) or wiki strings (v2) for rich text, existing users,
//! priorities, components and versions, parents and epics; and building a new issue from a
//! create body. Every change returns the history item that records it.

use super::issues::new_comment;
use super::render::Api;
use crate::model::{Body, ChangeItem, Issue};
use crate::router::Ctx;
use crate::time;
use serde_json::{Map, Value, json};

/// Reads a `{key}`/`{id}`/`{name}`/`{accountId}` reference object or a bare string.
pub fn ref_str(v: &Value, keys: &[&str]) -> Option<String> {
    if let Some(s) = v.as_str() {
        return Some(s.to_string());
    }
    keys.iter().find_map(|k| {
        v.get(*k).and_then(|x| {
            x.as_str()
                .map(String::from)
                .or(x.as_u64().map(|n| n.to_string()))
        })
    })
}

pub fn user_ref(ctx: &Ctx, v: &Value) -> Result<Option<String>, String> {
    if v.is_null() {
        return Ok(None);
    }
    let who =
        ref_str(v, &["accountId", "name", "key", "id", "emailAddress"]).ok_or("Specify a user")?;
    if who == "-1" {
        return Ok(None);
    }
    ctx.st
        .user(&who)
        .map(|u| Some(u.username.clone()))
        .ok_or(format!("User '{who}' does not exist."))
}

pub fn body_of(api: Api, field: &str, v: &Value) -> Result<Option<Body>, (String, String)> {
    match v {
        Value::Null => Ok(None),
        Value::String(s) if api == Api::V3 => {
            if s.is_empty() {
                Ok(None)
            } else {
                Err((field.into(), "Operation value must be an Atlassian Document (see the Atlassian Document Format)".into()))
            }
        }
        Value::String(s) => Ok(Some(Body::Wiki(s.clone()))),
        Value::Object(o) if api == Api::V3 => {
            if o.get("type").and_then(Value::as_str) == Some("doc")
                && o.get("version").and_then(Value::as_u64) == Some(1)
                && o.get("content").is_some_and(Value::is_array)
            {
                Ok(Some(Body::Adf(v.clone())))
            } else {
                Err((field.into(), "Operation value must be an Atlassian Document (see the Atlassian Document Format)".into()))
            }
        }
        _ => Err((field.into(), "Operation value must be a string".into())),
    }
}

/// Applies one field value to an issue; returns the change item for the history.
pub fn set_field(
    ctx: &Ctx,
    api: Api,
    i: &mut Issue,
    field: &str,
    v: &Value,
) -> Result<Option<ChangeItem>, (String, String)> {
    let bad = |m: &str| (field.to_string(), m.to_string());
    let project = i.project().to_string();
    let p = ctx
        .st
        .project(&project)
        .cloned()
        .ok_or(bad("unknown project"))?;
    let names = |v: &Value,
                 what: &str,
                 known: &dyn Fn(&str) -> Option<String>|
     -> Result<Vec<String>, (String, String)> {
        let arr = v.as_array().ok_or(bad(&format!("{what} must be a list")))?;
        arr.iter()
            .map(|x| {
                let r = ref_str(x, &["name", "id", "value"])
                    .ok_or(bad(&format!("Specify {what} by name or id")))?;
                known(&r).ok_or(bad(&format!("{what} with name '{r}' does not exist.")))
            })
            .collect()
    };
    let change = |old: Option<String>, new: Option<String>| {
        (old != new).then(|| ChangeItem {
            field: field.to_string(),
            from: old,
            to: new,
            from_id: None,
            to_id: None,
        })
    };
    Ok(match field {
        "summary" => {
            let s = v
                .as_str()
                .filter(|s| !s.trim().is_empty())
                .ok_or(bad("You must specify a summary of the issue."))?;
            if s.len() > 255 {
                return Err(bad("Summary must be less than 255 characters."));
            }
            change(
                Some(std::mem::replace(&mut i.summary, s.to_string())),
                Some(s.to_string()),
            )
        }
        "description" | "environment" => {
            let b = body_of(api, field, v)?;
            let slot = if field == "description" {
                &mut i.description
            } else {
                &mut i.environment
            };
            *slot = b;
            Some(ChangeItem {
                field: field.into(),
                from: None,
                to: None,
                from_id: None,
                to_id: None,
            })
        }
        "assignee" | "reporter" => {
            let u = user_ref(ctx, v).map_err(|e| bad(&e))?;
            if field == "assignee" {
                change(std::mem::replace(&mut i.assignee, u.clone()), u)
            } else {
                let u = u.ok_or(bad("Reporter is required."))?;
                change(Some(std::mem::replace(&mut i.reporter, u.clone())), Some(u))
            }
        }
        "priority" => {
            let r = ref_str(v, &["name", "id"]).ok_or(bad("Specify a priority"))?;
            let pr = ctx
                .st
                .priority(&r)
                .ok_or(bad(&format!("Priority name '{r}' is not valid")))?;
            change(
                Some(std::mem::replace(&mut i.priority, pr.name.clone())),
                Some(pr.name.clone()),
            )
        }
        "issuetype" => {
            let r = ref_str(v, &["name", "id"]).ok_or(bad("Specify an issue type"))?;
            let t = ctx
                .st
                .issue_type(&r)
                .filter(|t| p.issue_types.contains(&t.name))
                .ok_or(bad("Specify a valid issue type"))?;
            change(
                Some(std::mem::replace(&mut i.issuetype, t.name.clone())),
                Some(t.name.clone()),
            )
        }
        "labels" => {
            let labels: Vec<String> = v
                .as_array()
                .ok_or(bad("labels must be a list"))?
                .iter()
                .filter_map(|x| x.as_str().map(String::from))
                .collect();
            if labels.iter().any(|l| l.contains(' ')) {
                return Err(bad("The label must not contain spaces."));
            }
            change(Some(i.labels.join(" ")), Some(labels.join(" "))).inspect(|_| i.labels = labels)
        }
        "components" => {
            let known = |r: &str| {
                p.components
                    .iter()
                    .find(|c| c.name.eq_ignore_ascii_case(r) || c.id == r)
                    .map(|c| c.name.clone())
            };
            let list = names(v, "Component", &known)?;
            change(Some(i.components.join(", ")), Some(list.join(", ")))
                .inspect(|_| i.components = list)
        }
        "fixVersions" | "versions" => {
            let known = |r: &str| {
                p.versions
                    .iter()
                    .find(|x| x.name == r || x.id == r)
                    .map(|x| x.name.clone())
            };
            let list = names(v, "Version", &known)?;
            let slot = if field == "fixVersions" {
                &mut i.fix_versions
            } else {
                &mut i.versions
            };
            change(Some(slot.join(", ")), Some(list.join(", "))).inspect(|_| *slot = list)
        }
        "duedate" => {
            let d = match v.as_str() {
                None => None,
                Some(s) => Some(time::date(
                    &time::normalize(s).ok_or(bad("Error parsing date string. Use yyyy-MM-dd."))?,
                )),
            };
            change(std::mem::replace(&mut i.due, d.clone()), d)
        }
        "parent" => {
            let r = ref_str(v, &["key", "id"]).ok_or(bad("Specify the parent by key or id"))?;
            let parent = ctx
                .st
                .issue(&r)
                .ok_or(bad(&format!("Issue '{r}' could not be found.")))?;
            change(
                i.parent.replace(parent.key.clone()),
                Some(parent.key.clone()),
            )
        }
        "timetracking" => {
            if let Some(e) = v.get("originalEstimate").and_then(Value::as_str) {
                time::parse_duration(e).ok_or(bad("Invalid time duration entered."))?;
                i.estimate = Some(e.to_string());
            }
            if let Some(e) = v.get("remainingEstimate").and_then(Value::as_str) {
                time::parse_duration(e).ok_or(bad("Invalid time duration entered."))?;
                i.remaining = Some(e.to_string());
            }
            None
        }
        "resolution" => {
            let r = ref_str(v, &["name", "id"]).ok_or(bad("Specify a resolution"))?;
            let res = ctx
                .st
                .resolution(&r)
                .ok_or(bad(&format!("Resolution '{r}' does not exist.")))?;
            change(
                i.resolution.replace(res.name.clone()),
                Some(res.name.clone()),
            )
        }
        "project" | "security" => None,
        other => {
            let f = ctx.st.jira.fields.iter().find(|f| {
                (if api.cloud() {
                    f.cloud_id.as_deref()
                } else {
                    f.dc_id.as_deref()
                }) == Some(other)
            });
            let Some(f) = f else {
                return Err(bad(&format!(
                    "Field '{other}' cannot be set. It is not on the appropriate screen, or unknown."
                )));
            };
            let value = match f.kind.as_str() {
                "epic_link" => {
                    let key = v.as_str().map(String::from);
                    if let Some(k) = &key {
                        let epic = ctx
                            .st
                            .issue(k)
                            .filter(|e| e.issuetype == "Epic")
                            .ok_or(bad(&format!("Epic '{k}' does not exist.")))?;
                        i.parent = Some(epic.key.clone());
                    } else {
                        i.parent = None;
                    }
                    return Ok(Some(ChangeItem {
                        field: "Epic Link".into(),
                        from: None,
                        to: key,
                        from_id: None,
                        to_id: None,
                    }));
                }
                "sprint" => {
                    let id = v.as_u64().or(v.as_str().and_then(|s| s.parse().ok()));
                    i.sprints = id.into_iter().collect();
                    return Ok(Some(ChangeItem {
                        field: "Sprint".into(),
                        from: None,
                        to: id.map(|n| n.to_string()),
                        from_id: None,
                        to_id: None,
                    }));
                }
                "number" if !v.is_number() && !v.is_null() => {
                    return Err(bad("Operation value must be a number"));
                }
                "option" => match v {
                    Value::Null => Value::Null,
                    _ => {
                        let r = ref_str(v, &["value", "id"])
                            .ok_or(bad("Specify an option by value or id"))?;
                        let opt = f
                            .options
                            .iter()
                            .enumerate()
                            .find(|(n, o)| **o == r || (10100 + n).to_string() == r);
                        json!(
                            opt.ok_or(bad(&format!("Option value '{r}' is not valid")))?
                                .1
                        )
                    }
                },
                "user" => json!(user_ref(ctx, v).map_err(|e| bad(&e))?),
                "textarea" => match body_of(api, other, v)? {
                    Some(Body::Wiki(w)) => json!(w),
                    Some(Body::Adf(a)) => json!(crate::markup::adf_to_wiki(&a)),
                    None => Value::Null,
                },
                _ => v.clone(),
            };
            let old = i.custom.insert(f.key.clone(), value.clone());
            change(old.map(|o| o.to_string()), Some(value.to_string())).map(|mut c| {
                c.field = f.name.clone();
                c
            })
        }
    })
}

pub fn apply_update(
    ctx: &Ctx,
    api: Api,
    i: &mut Issue,
    ops: &Map<String, Value>,
    items: &mut Vec<ChangeItem>,
    comments: &mut Vec<Body>,
) -> Result<(), (String, String)> {
    for (field, list) in ops {
        for op in list.as_array().into_iter().flatten() {
            let Some((verb, val)) = op.as_object().and_then(|o| o.iter().next()) else {
                continue;
            };
            match (field.as_str(), verb.as_str()) {
                ("comment", "add") => {
                    if let Some(b) = body_of(api, "comment", &val["body"])? {
                        comments.push(b);
                    }
                }
                ("labels", "add") => i.labels.extend(val.as_str().map(String::from)),
                ("labels", "remove") => i.labels.retain(|l| Some(l.as_str()) != val.as_str()),
                ("components" | "fixVersions" | "versions", "add" | "remove") => {
                    let name = ref_str(val, &["name", "id"]).unwrap_or_default();
                    let mut current: Vec<Value> = match field.as_str() {
                        "components" => &i.components,
                        "fixVersions" => &i.fix_versions,
                        _ => &i.versions,
                    }
                    .iter()
                    .map(|n| json!({"name": n}))
                    .collect();
                    if verb == "add" {
                        current.push(val.clone());
                    } else {
                        current.retain(|c| c["name"].as_str() != Some(&name));
                    }
                    items.extend(set_field(ctx, api, i, field, &Value::Array(current))?);
                }
                (_, "set") => items.extend(set_field(ctx, api, i, field, val)?),
                _ => {
                    return Err((
                        field.clone(),
                        format!("Operation '{verb}' is not supported for '{field}'."),
                    ));
                }
            }
        }
    }
    Ok(())
}

/// Builds a new issue from a create body; `Err` is the 400 response.
pub fn build(ctx: &mut Ctx, api: Api, body: &Value) -> Result<Issue, Value> {
    let fieldset = body
        .get("fields")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let errors = |pairs: Vec<(String, String)>| {
        let map: Map<String, Value> = pairs.into_iter().map(|(k, v)| (k, json!(v))).collect();
        json!({"errorMessages": [], "errors": map})
    };
    let project_key = fieldset
        .get("project")
        .and_then(|p| ref_str(p, &["key", "id"]));
    let project = project_key
        .as_deref()
        .and_then(|k| ctx.st.project(k))
        .cloned();
    let Some(project) = project.filter(|p| ctx.user.sees_project(&p.key)) else {
        return Err(errors(vec![(
            "project".into(),
            "Specify a valid project ID or key".into(),
        )]));
    };
    let mut missing = Vec::new();
    let type_name = fieldset
        .get("issuetype")
        .and_then(|t| ref_str(t, &["name", "id"]));
    let itype = type_name
        .as_deref()
        .and_then(|t| ctx.st.issue_type(t))
        .filter(|t| project.issue_types.contains(&t.name));
    if itype.is_none() {
        missing.push((
            "issuetype".to_string(),
            "Specify a valid issue type".to_string(),
        ));
    }
    if fieldset
        .get("summary")
        .and_then(Value::as_str)
        .is_none_or(|s| s.trim().is_empty())
    {
        missing.push((
            "summary".into(),
            "You must specify a summary of the issue.".into(),
        ));
    }
    if itype.is_some_and(|t| t.subtask) && fieldset.get("parent").is_none() {
        missing.push((
            "parent".into(),
            "Given parent issue does not belong to appropriate hierarchy.".into(),
        ));
    }
    if !missing.is_empty() {
        return Err(errors(missing));
    }
    let wf = &ctx.st.jira.workflows[&project.workflow];
    let n = ctx
        .st
        .jira
        .issues
        .iter()
        .filter(|i| i.project() == project.key)
        .filter_map(|i| i.key.rsplit('-').next()?.parse::<u64>().ok())
        .max()
        .unwrap_or(0)
        + 1;
    let now = time::now();
    let mut issue: Issue = serde_json::from_value(json!({
        "key": format!("{}-{n}", project.key), "type": itype.unwrap().name, "summary": "",
        "reporter": ctx.user.username, "created": now, "status": wf.initial,
    }))
    .expect("a minimal issue deserializes");
    issue.id = ctx.st.new_id();
    issue.updated = now;
    issue.rank = issue.id;
    let mut problems = Vec::new();
    for (field, v) in &fieldset {
        if field == "project" || field == "issuetype" {
            continue;
        }
        if let Err(e) = set_field(ctx, api, &mut issue, field, v) {
            problems.push(e);
        }
    }
    let mut comments = Vec::new();
    if let Some(ops) = body.get("update").and_then(Value::as_object) {
        if let Err(e) = apply_update(ctx, api, &mut issue, ops, &mut Vec::new(), &mut comments) {
            problems.push(e);
        }
    }
    if !problems.is_empty() {
        return Err(errors(problems));
    }
    for b in comments {
        let id = ctx.st.new_id();
        issue.comments.push(new_comment(id, &ctx.user.username, b));
    }
    Ok(issue)
}

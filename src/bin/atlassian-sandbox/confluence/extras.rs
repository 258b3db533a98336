//! The rest of Confluence v1 / Server-DC: attachments (list, multipart upload guarded by
//! `X-Atlassian-Token`, download, delete), labels, versions (content and body only when
//! `expand` asks, as Confluence does) and history, restrictions
//! (read, replace). Spaces, people and whole-page operations live in `site`.

use super::content::{Expand, label_json};
use super::{base, readable, user, v1_err};
use crate::http::{Req, Resp, multipart};
use crate::model::{Attachment, Page, Property};
use crate::router::Ctx;
use crate::time;
use serde_json::{Value, json};

pub fn attachment_json(ctx: &Ctx, p: &Page, a: &Attachment) -> Value {
    let b = base(ctx);
    json!({"id": format!("att{}", a.id), "type": "attachment", "status": "current", "title": a.filename,
        "metadata": {"mediaType": a.mime, "comment": a.comment, "labels": {"results": [], "size": 0}},
        "extensions": {"mediaType": a.mime, "fileSize": a.data.len(), "comment": a.comment},
        "version": {"by": user(ctx, &a.author), "when": time::conf(&a.created), "number": a.version, "minorEdit": false, "message": a.comment},
        "container": {"id": p.id.to_string(), "type": p.kind, "status": p.status, "title": p.title},
        "_links": {"webui": format!("/pages/viewpageattachments.action?pageId={}&preview={}", p.id, a.filename),
                   "download": format!("/download/attachments/{}/{}?version={}&api=v2", p.id, crate::http::percent_encode(&a.filename), a.version),
                   "self": format!("{b}/rest/api/content/att{}", a.id)},
        "_expandable": {"container": format!("/rest/api/content/{}", p.id)}})
}

pub fn attachments(ctx: &mut Ctx, id: &str, req: &Req) -> Resp {
    let idx = match readable(ctx, id, false) {
        Ok(i) => i,
        Err(r) => return r,
    };
    let p = &ctx.st.conf.pages[idx];
    let name = req.q("filename");
    let media = req.q("mediaType");
    let all: Vec<Value> = p
        .attachments
        .iter()
        .filter(|a| name.is_none_or(|n| a.filename == n) && media.is_none_or(|m| a.mime == m))
        .map(|a| attachment_json(ctx, p, a))
        .collect();
    super::page_list(ctx, req, all, 200)
}

pub fn upload(ctx: &mut Ctx, id: &str, req: &Req) -> Resp {
    let idx = match readable(ctx, id, false) {
        Ok(i) => i,
        Err(r) => return r,
    };
    if !req
        .header("X-Atlassian-Token")
        .is_some_and(|v| v.eq_ignore_ascii_case("no-check") || v.eq_ignore_ascii_case("nocheck"))
    {
        return v1_err(
            403,
            "XSRF check failed: send the header X-Atlassian-Token: no-check",
        );
    }
    if !ctx.st.can_edit_page(&ctx.user, &ctx.st.conf.pages[idx]) {
        return v1_err(
            403,
            "You do not have permission to add attachments to this content.",
        );
    }
    let Some(parts) = multipart(req) else {
        return v1_err(415, "Send multipart/form-data with a part named 'file'.");
    };
    let comment = parts
        .iter()
        .find(|p| p.name == "comment")
        .map(|p| String::from_utf8_lossy(&p.data).into_owned())
        .unwrap_or_default();
    let files: Vec<_> = parts.into_iter().filter(|p| p.name == "file").collect();
    if files.is_empty() {
        return v1_err(400, "The multipart body has no part named 'file'.");
    }
    let mut out = Vec::new();
    for f in files {
        let filename = f.filename.clone().unwrap_or_else(|| "upload.bin".into());
        let mime = f
            .content_type
            .clone()
            .unwrap_or_else(|| crate::jira::files::guess_mime(&filename).into());
        let existing = ctx.st.conf.pages[idx]
            .attachments
            .iter()
            .position(|a| a.filename == filename);
        let id = match existing {
            Some(i) => ctx.st.conf.pages[idx].attachments[i].id,
            None => ctx.st.new_id(),
        };
        let page = &mut ctx.st.conf.pages[idx];
        let version = existing
            .map(|i| page.attachments[i].version + 1)
            .unwrap_or(1);
        let a = Attachment {
            id,
            filename,
            mime,
            author: ctx.user.username.clone(),
            created: time::now(),
            text: None,
            b64: None,
            data: f.data,
            comment: comment.clone(),
            version,
        };
        match existing {
            Some(i) => page.attachments[i] = a.clone(),
            None => page.attachments.push(a.clone()),
        }
        out.push(a);
    }
    let p = &ctx.st.conf.pages[idx];
    let results: Vec<Value> = out.iter().map(|a| attachment_json(ctx, p, a)).collect();
    Resp::ok(json!({"results": results, "size": results.len(), "_links": {"base": base(ctx)}}))
}

pub fn download(ctx: &mut Ctx, page: &str, name: &str) -> Resp {
    let idx = match readable(ctx, page, false) {
        Ok(i) => i,
        Err(r) => return r,
    };
    match ctx.st.conf.pages[idx]
        .attachments
        .iter()
        .find(|a| a.filename == name)
    {
        Some(a) => Resp::bytes(200, &a.mime, a.data.clone()).with_header(
            "Content-Disposition",
            &format!("attachment; filename=\"{}\"", a.filename),
        ),
        None => v1_err(
            404,
            &format!("No attachment named {name} on content {page}"),
        ),
    }
}

pub fn download_by_id(ctx: &mut Ctx, page: &str, att: &str) -> Resp {
    let idx = match readable(ctx, page, false) {
        Ok(i) => i,
        Err(r) => return r,
    };
    let id = att.trim_start_matches("att");
    match ctx.st.conf.pages[idx]
        .attachments
        .iter()
        .find(|a| a.id.to_string() == id)
    {
        Some(a) => Resp::bytes(200, &a.mime, a.data.clone()),
        None => v1_err(404, &format!("No attachment {att} on content {page}")),
    }
}

/// Finds an attachment the caller may read by id (with or without the `att` prefix).
pub fn find_attachment(ctx: &Ctx, id: &str) -> Option<(usize, usize)> {
    let id = id.trim_start_matches("att");
    ctx.st.conf.pages.iter().enumerate().find_map(|(pi, p)| {
        let ai = p.attachments.iter().position(|a| a.id.to_string() == id)?;
        ctx.st.can_read_page(&ctx.user, p).then_some((pi, ai))
    })
}

pub fn delete_attachment(ctx: &mut Ctx, id: &str, v2: bool) -> Resp {
    match find_attachment(ctx, id) {
        Some((pi, ai)) if ctx.st.can_edit_page(&ctx.user, &ctx.st.conf.pages[pi]) => {
            ctx.st.conf.pages[pi].attachments.remove(ai);
            Resp::empty(204)
        }
        Some(_) => {
            if v2 {
                super::v2_err(403, "Permission denied")
            } else {
                v1_err(403, "Permission denied")
            }
        }
        None if v2 => super::v2_err(404, &format!("No attachment with id {id}")),
        None => v1_err(
            404,
            &format!("No content found with id : ContentId{{id={id}}}"),
        ),
    }
}

pub fn labels(ctx: &mut Ctx, id: &str, req: &Req) -> Resp {
    let idx = match readable(ctx, id, false) {
        Ok(i) => i,
        Err(r) => return r,
    };
    let prefix = req.q("prefix");
    let all: Vec<Value> = ctx.st.conf.pages[idx]
        .labels
        .iter()
        .filter(|_| prefix.is_none_or(|p| p == "global"))
        .map(|l| label_json(l))
        .collect();
    super::page_list(ctx, req, all, 200)
}

pub fn add_labels(ctx: &mut Ctx, id: &str, req: &Req) -> Resp {
    let idx = match readable(ctx, id, false) {
        Ok(i) => i,
        Err(r) => return r,
    };
    let body = match req.json() {
        Ok(Some(v)) => v,
        _ => {
            return v1_err(
                400,
                "Send a JSON list of labels: [{\"prefix\":\"global\",\"name\":\"x\"}]",
            );
        }
    };
    let items = match &body {
        Value::Array(a) => a.clone(),
        Value::Object(_) => vec![body.clone()],
        _ => return v1_err(400, "Send a JSON list of labels."),
    };
    for l in &items {
        let Some(name) = l["name"].as_str().map(|n| n.trim().to_lowercase()) else {
            return v1_err(400, "Every label needs a name.");
        };
        if name.is_empty() || name.contains(' ') || name.contains(':') {
            return v1_err(
                400,
                &format!(
                    "Label '{name}' contains an invalid character: spaces and ':' are not allowed."
                ),
            );
        }
        let labels = &mut ctx.st.conf.pages[idx].labels;
        if !labels.contains(&name) {
            labels.push(name);
        }
    }
    let all: Vec<Value> = ctx.st.conf.pages[idx]
        .labels
        .iter()
        .map(|l| label_json(l))
        .collect();
    Resp::ok(json!({"results": all, "start": 0, "limit": 200, "size": all.len()}))
}

pub fn remove_label(ctx: &mut Ctx, id: &str, name: &str) -> Resp {
    let idx = match readable(ctx, id, false) {
        Ok(i) => i,
        Err(r) => return r,
    };
    let labels = &mut ctx.st.conf.pages[idx].labels;
    match labels.iter().position(|l| l == name) {
        Some(i) => {
            labels.remove(i);
            Resp::empty(204)
        }
        None => v1_err(404, &format!("Label '{name}' is not on this content.")),
    }
}

/// One v1 version. Like Confluence, the version's `content` (and, inside it, the body) is there
/// only when `expand` asks: `content` for the content, `content.body.storage` for its body.
fn version_entry(ctx: &Ctx, p: &Page, v: &crate::model::PageVersion, x: &Expand) -> Value {
    let mut out = json!({"by": user(ctx, &v.by), "when": time::conf(&v.when), "friendlyWhen": time::date(&v.when),
        "message": v.message, "number": v.number, "minorEdit": v.minor,
        "_links": {"self": format!("{}/rest/api/content/{}/version/{}", base(ctx), p.id, v.number)}});
    if x.has("content") {
        let sub: Vec<String> =
            x.0.iter()
                .filter_map(|e| e.strip_prefix("content."))
                .map(String::from)
                .collect();
        out["content"] = super::content::page_json(ctx, p, &Expand(sub), Some(v.number));
    } else {
        let status = if v.number == p.current().number {
            "current"
        } else {
            "historical"
        };
        let link = format!(
            "/rest/api/content/{}?version={}&status={status}",
            p.id, v.number
        );
        out["_expandable"] = json!({"content": link, "collaborators": ""});
    }
    out
}

pub fn versions_v1(ctx: &mut Ctx, id: &str, req: &Req) -> Resp {
    let idx = match readable(ctx, id, false) {
        Ok(i) => i,
        Err(r) => return r,
    };
    let p = &ctx.st.conf.pages[idx];
    let x = Expand::from(req);
    let all: Vec<Value> = p
        .versions
        .iter()
        .rev()
        .map(|v| version_entry(ctx, p, v, &x))
        .collect();
    super::page_list(ctx, req, all, 200)
}

pub fn history_v1(ctx: &mut Ctx, id: &str) -> Resp {
    let idx = match readable(ctx, id, false) {
        Ok(i) => i,
        Err(r) => return r,
    };
    let p = &ctx.st.conf.pages[idx];
    let cur = p.current();
    Resp::ok(
        json!({"latest": true, "createdBy": user(ctx, p.author()), "createdDate": time::conf(p.created()),
        "lastUpdated": {"by": user(ctx, &cur.by), "when": time::conf(&cur.when), "number": cur.number, "message": cur.message, "minorEdit": cur.minor},
        "contributors": {"publishers": {"users": p.versions.iter().map(|v| user(ctx, &v.by)).collect::<Vec<_>>(),
            "userKeys": p.versions.iter().filter_map(|v| ctx.st.user(&v.by))
                .map(|u| if ctx.cloud() { u.account_id.clone() } else { u.key.clone() }).collect::<Vec<_>>()}},
        "_links": {"self": format!("{}/rest/api/content/{}/history", base(ctx), p.id)}}),
    )
}

fn subjects(ctx: &Ctx, users: &[String], groups: &[String]) -> Value {
    json!({"user": {"results": users.iter().map(|u| user(ctx, u)).collect::<Vec<_>>(), "start": 0, "limit": 200, "size": users.len()},
           "group": {"results": groups.iter().map(|g| json!({"type": "group", "name": g, "id": g})).collect::<Vec<_>>(), "start": 0, "limit": 200, "size": groups.len()}})
}

pub fn restrictions_value(ctx: &Ctx, p: &Page) -> Value {
    let r = &p.restrictions;
    let one = |op: &str, users: &[String], groups: &[String]| {
        json!({"operation": op, "restrictions": subjects(ctx, users, groups),
               "_expandable": {"content": format!("/rest/api/content/{}", p.id)},
               "_links": {"self": format!("{}/rest/api/content/{}/restriction/byOperation/{op}", base(ctx), p.id)}})
    };
    json!({"read": one("read", &r.read_users, &r.read_groups), "update": one("update", &r.update_users, &r.update_groups),
           "_links": {"base": base(ctx)}})
}

pub fn restrictions(ctx: &mut Ctx, id: &str) -> Resp {
    match readable(ctx, id, false) {
        Ok(i) => Resp::ok(restrictions_value(ctx, &ctx.st.conf.pages[i])),
        Err(r) => r,
    }
}

pub fn restrictions_list(ctx: &mut Ctx, id: &str, req: &Req) -> Resp {
    let idx = match readable(ctx, id, false) {
        Ok(i) => i,
        Err(r) => return r,
    };
    let v = restrictions_value(ctx, &ctx.st.conf.pages[idx]);
    super::page_list(ctx, req, vec![v["read"].clone(), v["update"].clone()], 200)
}

/// `PUT /content/{id}/restriction`: replaces read/update restrictions.
pub fn set_restrictions(ctx: &mut Ctx, id: &str, req: &Req) -> Resp {
    let idx = match readable(ctx, id, false) {
        Ok(i) => i,
        Err(r) => return r,
    };
    if !ctx.st.can_edit_page(&ctx.user, &ctx.st.conf.pages[idx]) {
        return v1_err(
            403,
            "You do not have permission to change restrictions on this content.",
        );
    }
    let body = match req.json() {
        Ok(Some(v)) => v,
        _ => {
            return v1_err(
                400,
                "Send a JSON list of {operation, restrictions:{user:[...], group:[...]}}.",
            );
        }
    };
    let items = body
        .as_array()
        .cloned()
        .unwrap_or_else(|| body["results"].as_array().cloned().unwrap_or_default());
    // A PUT replaces every restriction: operations left out are cleared, as Confluence does.
    let mut r = crate::model::Restrictions::empty();
    for item in items {
        let op = item["operation"].as_str().unwrap_or("");
        let list = |k: &str| -> Vec<Value> {
            let v = &item["restrictions"][k];
            v.as_array()
                .cloned()
                .or_else(|| v["results"].as_array().cloned())
                .unwrap_or_default()
        };
        let mut users = Vec::new();
        for u in list("user") {
            let who = u["accountId"]
                .as_str()
                .or(u["username"].as_str())
                .or(u["userKey"].as_str())
                .unwrap_or("");
            match ctx.st.user(who) {
                Some(x) => users.push(x.username.clone()),
                None => return v1_err(400, &format!("User '{who}' does not exist.")),
            }
        }
        let groups: Vec<String> = list("group")
            .iter()
            .filter_map(|g| g["name"].as_str().map(String::from))
            .collect();
        match op {
            "read" => (r.read_users, r.read_groups) = (users, groups),
            "update" => (r.update_users, r.update_groups) = (users, groups),
            other => {
                return v1_err(
                    400,
                    &format!("Unknown operation '{other}': use read or update."),
                );
            }
        }
    }
    if !r.update_users.is_empty()
        && !r.update_users.contains(&ctx.user.username)
        && !r.update_groups.iter().any(|g| ctx.user.groups.contains(g))
    {
        return v1_err(
            400,
            "You cannot remove your own permission to edit this content.",
        );
    }
    ctx.st.conf.pages[idx].restrictions = r;
    Resp::ok(restrictions_value(ctx, &ctx.st.conf.pages[idx]))
}

fn property_json(ctx: &Ctx, p: &Page, key: &str, prop: &Property) -> Value {
    json!({"id": prop.id.to_string(), "key": key, "value": prop.value,
        "version": {"number": prop.version, "when": time::conf(&p.current().when), "message": "", "minorEdit": false},
        "_links": {"self": format!("{}/rest/api/content/{}/property/{key}", base(ctx), p.id)},
        "_expandable": {"content": format!("/rest/api/content/{}", p.id)}})
}

/// `/content/{id}/property[/{key}]`: list, read, create, update (version + 1), delete.
pub fn properties(ctx: &mut Ctx, method: &str, id: &str, key: Option<&str>, req: &Req) -> Resp {
    let idx = match readable(ctx, id, false) {
        Ok(i) => i,
        Err(r) => return r,
    };
    if method != "GET" && !ctx.st.can_edit_page(&ctx.user, &ctx.st.conf.pages[idx]) {
        return v1_err(
            403,
            "You do not have permission to change properties of this content.",
        );
    }
    let body = req.json().ok().flatten().unwrap_or(Value::Null);
    let p = &ctx.st.conf.pages[idx];
    match (method, key) {
        ("GET", None) => {
            let all = p
                .properties
                .iter()
                .map(|(k, v)| property_json(ctx, p, k, v))
                .collect();
            super::page_list(ctx, req, all, 200)
        }
        ("GET", Some(k)) => match p.properties.get(k) {
            Some(v) => Resp::ok(property_json(ctx, p, k, v)),
            None => v1_err(404, &format!("Cannot find content property with key: {k}")),
        },
        ("POST", None) | ("PUT", Some(_)) => {
            let Some(k) = key.or(body["key"].as_str()).map(String::from) else {
                return v1_err(400, "A content property needs a key.");
            };
            if body.get("value").is_none() {
                return v1_err(400, "A content property needs a value.");
            }
            let current = p.properties.get(&k).map(|x| x.version);
            let version = match (method, current) {
                ("POST", Some(_)) => {
                    return v1_err(
                        409,
                        &format!(
                            "Cannot create a content property with key that already exists: {k}"
                        ),
                    );
                }
                (_, None) => 1,
                (_, Some(n)) => {
                    let sent = body["version"]["number"].as_u64().unwrap_or(0) as u32;
                    if sent != n + 1 {
                        return v1_err(
                            409,
                            &format!(
                                "Version must be incremented on update. Current version is: {n}"
                            ),
                        );
                    }
                    sent
                }
            };
            let pid = p.properties.get(&k).map(|x| x.id);
            let id = match pid {
                Some(i) => i,
                None => ctx.st.new_id(),
            };
            let prop = Property {
                value: body["value"].clone(),
                version,
                id,
            };
            ctx.st.conf.pages[idx]
                .properties
                .insert(k.clone(), prop.clone());
            let p = &ctx.st.conf.pages[idx];
            Resp::ok(property_json(ctx, p, &k, &prop))
        }
        ("DELETE", Some(k)) => match ctx.st.conf.pages[idx].properties.remove(k) {
            Some(_) => Resp::empty(204),
            None => v1_err(404, &format!("Cannot find content property with key: {k}")),
        },
        _ => v1_err(405, "Method not allowed"),
    }
}

/// `GET /content/{id}/version/{n}`: one version with the content as it was.
pub fn version_v1(ctx: &mut Ctx, id: &str, n: &str, req: &Req) -> Resp {
    let idx = match readable(ctx, id, false) {
        Ok(i) => i,
        Err(r) => return r,
    };
    let p = &ctx.st.conf.pages[idx];
    let Some(v) = p.versions.iter().find(|v| v.number.to_string() == n) else {
        return v1_err(404, &format!("No version {n} for content {id}"));
    };
    Resp::ok(version_entry(ctx, p, v, &Expand::from(req)))
}

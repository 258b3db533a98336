//! Confluence spaces, people and whole-page operations (v1 / Server-DC): space list and
//! content, users and groups, templates and page views (Cloud), permission checks, copy,
//! move, and body conversion.

use super::content::{Expand, child_pages, label_json, page_json};
use super::write::{check_xhtml, new_page};
use super::{base, readable, space_json, user, v1_err, visible_spaces};
use crate::http::{Req, Resp};
use crate::markup;
use crate::router::Ctx;
use serde_json::{Value, json};

/// Cloud `POST /content/{id}/permission/check`.
pub fn check_permission(ctx: &mut Ctx, id: &str, req: &Req) -> Resp {
    let Some(idx) = ctx.st.page_index(id) else {
        return v1_err(
            404,
            &format!("No content found with id : ContentId{{id={id}}}"),
        );
    };
    let body = req.json().ok().flatten().unwrap_or(Value::Null);
    let who = body["subject"]["identifier"].as_str().unwrap_or("");
    let op = body["operation"].as_str().unwrap_or("read");
    let Some(u) = ctx.st.user(who).cloned() else {
        return v1_err(400, &format!("Unknown subject '{who}'."));
    };
    let p = &ctx.st.conf.pages[idx];
    let ok = match op {
        "read" => ctx.st.can_read_page(&u, p),
        "update" | "delete" => ctx.st.can_edit_page(&u, p),
        _ => false,
    };
    Resp::ok(
        json!({"hasPermission": ok, "errors": if ok { json!([]) } else { json!([{"translation": format!("{} cannot {op} this content", u.display_name)}]) }}),
    )
}

/// Cloud `POST /content/{id}/copy`.
pub fn copy(ctx: &mut Ctx, id: &str, req: &Req) -> Resp {
    let idx = match readable(ctx, id, false) {
        Ok(i) => i,
        Err(r) => return r,
    };
    let body = req.json().ok().flatten().unwrap_or(Value::Null);
    let src = ctx.st.conf.pages[idx].clone();
    let dest = body["destination"]["value"].as_str().unwrap_or("");
    let (space, parent) = match body["destination"]["type"].as_str() {
        Some("space") => match ctx.st.space(dest).filter(|s| ctx.user.sees_space(&s.key)) {
            Some(s) => (s.key.clone(), s.homepage),
            None => return v1_err(404, &format!("No space with key : {dest}")),
        },
        Some("parent_page") | Some("parent_content") => match readable(ctx, dest, false) {
            Ok(i) => (
                ctx.st.conf.pages[i].space.clone(),
                Some(ctx.st.conf.pages[i].id),
            ),
            Err(r) => return r,
        },
        _ => return v1_err(400, "destination.type must be space or parent_page."),
    };
    let title = body["pageTitle"]
        .as_str()
        .map(String::from)
        .unwrap_or(format!("Copy of {}", src.title));
    if ctx
        .st
        .conf
        .pages
        .iter()
        .any(|p| p.space == space && p.title == title && p.status == "current")
    {
        return v1_err(
            400,
            "A page with this title already exists in the destination space.",
        );
    }
    let mut p = new_page(
        ctx,
        &src.kind,
        &space,
        &title,
        parent,
        src.current().body.clone(),
        "",
    );
    if body["copyAttachments"].as_bool().unwrap_or(false) {
        let n = ctx.st.conf.pages.len() - 1;
        let mut atts = src.attachments.clone();
        for a in &mut atts {
            a.id = ctx.st.new_id();
        }
        ctx.st.conf.pages[n].attachments = atts;
        p = ctx.st.conf.pages[n].clone();
    }
    if body["copyLabels"].as_bool().unwrap_or(false) {
        let n = ctx.st.conf.pages.len() - 1;
        ctx.st.conf.pages[n].labels = src.labels.clone();
        p = ctx.st.conf.pages[n].clone();
    }
    Resp::ok(page_json(
        ctx,
        &p,
        &Expand(vec!["version".into(), "space".into(), "ancestors".into()]),
        None,
    ))
}

/// `PUT /content/{id}/move/{append|before|after}/{targetId}`.
pub fn move_page(ctx: &mut Ctx, id: &str, pos: &str, target: &str) -> Resp {
    let idx = match readable(ctx, id, false) {
        Ok(i) => i,
        Err(r) => return r,
    };
    let t = match readable(ctx, target, false) {
        Ok(i) => i,
        Err(r) => return r,
    };
    if !ctx.st.can_edit_page(&ctx.user, &ctx.st.conf.pages[idx]) {
        return v1_err(403, "You do not have permission to move this page.");
    }
    let moving = ctx.st.conf.pages[idx].id;
    if ctx.st.conf.pages[t].id == moving
        || ctx
            .st
            .ancestors(&ctx.st.conf.pages[t])
            .iter()
            .any(|a| a.id == moving)
    {
        return v1_err(400, "A page cannot be moved below itself.");
    }
    let (tparent, tpos, tspace) = {
        let tp = &ctx.st.conf.pages[t];
        (tp.parent, tp.position, tp.space.clone())
    };
    let (parent, position) = match pos {
        "append" => (
            Some(ctx.st.conf.pages[t].id),
            child_pages(ctx, ctx.st.conf.pages[t].id)
                .iter()
                .map(|c| c.position + 1)
                .max()
                .unwrap_or(0),
        ),
        "before" => (tparent, tpos - 1),
        "after" => (tparent, tpos + 1),
        other => {
            return v1_err(
                400,
                &format!("Unknown position '{other}': use append, before or after."),
            );
        }
    };
    let p = &mut ctx.st.conf.pages[idx];
    p.parent = parent;
    p.position = position;
    p.space = tspace;
    Resp::ok(json!({"pageId": moving.to_string()}))
}

/// `POST /contentbody/convert/{to}` for storage ↔ view/editor and wiki → storage.
pub fn convert(ctx: &mut Ctx, to: &str, req: &Req) -> Resp {
    let body = req.json().ok().flatten().unwrap_or(Value::Null);
    let (Some(value), Some(from)) = (body["value"].as_str(), body["representation"].as_str())
    else {
        return v1_err(400, "Send {\"value\": ..., \"representation\": ...}.");
    };
    let storage = match from {
        "storage" | "editor" => {
            if let Err(r) = check_xhtml(value) {
                return r;
            }
            value.to_string()
        }
        "wiki" => value
            .split("\n\n")
            .map(|p| format!("<p>{}</p>", markup::escape(p.trim())))
            .collect(),
        other => return v1_err(400, &format!("Cannot convert from '{other}'.")),
    };
    let out = match to {
        "storage" | "editor" => storage,
        "view" | "export_view" | "styled_view" => markup::storage_to_view(&storage),
        other => return v1_err(400, &format!("Cannot convert to '{other}'.")),
    };
    let _ = ctx;
    Resp::ok(json!({"value": out, "representation": to, "embeddedContent": [], "webresource": {}}))
}

pub fn spaces(ctx: &mut Ctx, req: &Req) -> Resp {
    let keys = req.q_list("spaceKey");
    let kind = req.q("type");
    let x = req.q_list("expand");
    let all: Vec<Value> = visible_spaces(ctx)
        .into_iter()
        .filter(|s| keys.is_empty() || keys.contains(&s.key))
        .filter(|s| kind.is_none_or(|k| k == s.kind))
        .filter(|s| req.q("status").is_none_or(|st| st == s.status))
        .map(|s| space_json(ctx, s, &x))
        .collect();
    super::page_list(ctx, req, all, 500)
}

pub fn space(ctx: &mut Ctx, key: &str, req: &Req) -> Resp {
    match ctx.st.space(key).filter(|s| ctx.user.sees_space(&s.key)) {
        Some(s) => Resp::ok(space_json(ctx, s, &req.q_list("expand"))),
        None => v1_err(404, &format!("No space with key : {key}")),
    }
}

/// `GET /space/{key}/content[/{page|blogpost}]` (`depth=root` for top-level pages only).
pub fn space_content(ctx: &mut Ctx, key: &str, kind: Option<&str>, req: &Req) -> Resp {
    if ctx
        .st
        .space(key)
        .filter(|s| ctx.user.sees_space(&s.key))
        .is_none()
    {
        return v1_err(404, &format!("No space with key : {key}"));
    }
    let x = Expand::from(req);
    let root = req.q("depth") == Some("root");
    let pick = |k: &str| -> Vec<Value> {
        ctx.st
            .conf
            .pages
            .iter()
            .filter(|p| {
                p.space == key
                    && p.kind == k
                    && p.status == "current"
                    && ctx.st.can_read_page(&ctx.user, p)
            })
            .filter(|p| !root || p.parent.is_none())
            .map(|p| page_json(ctx, p, &x, None))
            .collect()
    };
    match kind {
        Some(k) => {
            let all = pick(k);
            super::page_list(ctx, req, all, 1000)
        }
        None => {
            let pages = pick("page");
            let blogs = pick("blogpost");
            Resp::ok(
                json!({"page": {"results": pages, "start": 0, "limit": 1000, "size": pages.len()},
                            "blogpost": {"results": blogs, "start": 0, "limit": 1000, "size": blogs.len()}, "_links": {"base": base(ctx)}}),
            )
        }
    }
}

pub fn user_lookup(ctx: &mut Ctx, req: &Req) -> Resp {
    let who = req
        .q("accountId")
        .or(req.q("username"))
        .or(req.q("key"))
        .unwrap_or("");
    match ctx.st.user(who) {
        Some(u) => {
            let name = u.username.clone();
            Resp::ok(user(ctx, &name))
        }
        None => v1_err(404, &format!("No user found with identifier {who}")),
    }
}

pub fn groups(ctx: &mut Ctx, req: &Req) -> Resp {
    let all: Vec<Value> = ctx
        .st
        .groups
        .iter()
        .map(|g| json!({"type": "group", "name": g, "id": g}))
        .collect();
    super::page_list(ctx, req, all, 200)
}

pub fn group_members(ctx: &mut Ctx, group: &str, req: &Req) -> Resp {
    if !ctx.st.groups.iter().any(|g| g == group) {
        return v1_err(404, &format!("No group found with name {group}"));
    }
    let names: Vec<String> = ctx
        .st
        .users
        .iter()
        .filter(|u| u.groups.iter().any(|g| g == group))
        .map(|u| u.username.clone())
        .collect();
    let all: Vec<Value> = names.iter().map(|n| user(ctx, n)).collect();
    super::page_list(ctx, req, all, 200)
}

fn template_json(ctx: &Ctx, t: &crate::model::Template, body: bool) -> Value {
    let mut v = json!({"templateId": t.id, "name": t.name, "description": t.description, "templateType": "page",
        "labels": t.labels.iter().map(|l| label_json(l)).collect::<Vec<_>>(), "originalTemplate": {"pluginKey": "sandbox", "moduleKey": t.id},
        "referencingBlueprint": "", "_links": {"base": base(ctx)}});
    if let Some(s) = t.space.as_ref().and_then(|k| ctx.st.space(k)) {
        v["space"] = space_json(ctx, s, &[]);
    }
    if body {
        v["body"] = json!({"storage": {"value": t.body, "representation": "storage"}});
    }
    v
}

pub fn templates(ctx: &mut Ctx, req: &Req) -> Resp {
    let key = req.q("spaceKey");
    if let Some(k) = key {
        if ctx
            .st
            .space(k)
            .filter(|s| ctx.user.sees_space(&s.key))
            .is_none()
        {
            return v1_err(404, &format!("No space with key : {k}"));
        }
    }
    let all: Vec<Value> = ctx
        .st
        .conf
        .templates
        .iter()
        .filter(|t| t.space.is_none() || t.space.as_deref() == key)
        .map(|t| template_json(ctx, t, false))
        .collect();
    super::page_list(ctx, req, all, 200)
}

pub fn template(ctx: &mut Ctx, id: &str) -> Resp {
    match ctx
        .st
        .conf
        .templates
        .iter()
        .find(|t| t.id == id && t.space.as_deref().is_none_or(|s| ctx.user.sees_space(s)))
    {
        Some(t) => Resp::ok(template_json(ctx, t, true)),
        None => v1_err(404, &format!("No template with id {id}")),
    }
}

/// Cloud `GET /analytics/content/{id}/views`.
pub fn views(ctx: &mut Ctx, id: &str) -> Resp {
    match readable(ctx, id, false) {
        Ok(i) => {
            Resp::ok(json!({"id": ctx.st.conf.pages[i].id, "count": ctx.st.conf.pages[i].views}))
        }
        Err(r) => r,
    }
}

//! Confluence Cloud v2 writes: create and update pages (`version.number` must be current + 1),
//! footer and inline comments (an inline comment must anchor on text that is on the page), with
//! bodies in storage, wiki or ADF representation.

use super::v2::{comment_v2, page_v2, space_by_id, visible_comment};
use super::write::{Edit, apply_update, check_xhtml, new_page};
use super::{readable_as, v2_err};
use crate::http::{Req, Resp};
use crate::markup;
use crate::model::PageComment;
use crate::router::Ctx;
use crate::time;
use serde_json::Value;

pub fn body_json(req: &Req) -> Result<Value, Resp> {
    match req.json() {
        Ok(Some(v)) => Ok(v),
        Ok(None) => Err(v2_err(400, "Request body is missing")),
        Err(e) => Err(v2_err(400, &e)),
    }
}

pub fn write_body(v: &Value) -> Result<String, Resp> {
    let b = &v["body"];
    let (repr, value) = (
        b["representation"].as_str().unwrap_or(""),
        b["value"].as_str(),
    );
    match (repr, value) {
        ("storage", Some(s)) => check_xhtml(s)
            .map_err(|_| v2_err(400, "Error parsing xhtml in the storage body"))
            .map(|_| s.to_string()),
        ("wiki", Some(s)) => Ok(s
            .split("\n\n")
            .map(|p| format!("<p>{}</p>", markup::escape(p.trim())))
            .collect()),
        ("atlas_doc_format", Some(s)) => {
            let doc: Value = serde_json::from_str(s)
                .map_err(|_| v2_err(400, "The atlas_doc_format value is not JSON"))?;
            Ok(format!(
                "<p>{}</p>",
                markup::escape(markup::adf_to_text(&doc).trim())
            ))
        }
        _ => Err(v2_err(
            400,
            "body.representation must be storage, wiki or atlas_doc_format, with a value",
        )),
    }
}

pub fn create_page(ctx: &mut Ctx, req: &Req) -> Resp {
    let v = match body_json(req) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let space_id = v["spaceId"]
        .as_str()
        .map(String::from)
        .or(v["spaceId"].as_u64().map(|n| n.to_string()))
        .unwrap_or_default();
    let key = match space_by_id(ctx, &space_id) {
        Ok(s) => s.key.clone(),
        Err(_) => return v2_err(400, "spaceId is missing or is not a space you can see"),
    };
    let Some(title) = v["title"].as_str().filter(|t| !t.trim().is_empty()) else {
        return v2_err(400, "A page must have a title");
    };
    if ctx
        .st
        .conf
        .pages
        .iter()
        .any(|p| p.space == key && p.title == title && p.status == "current")
    {
        return v2_err(400, "A page with this title already exists in this space");
    }
    let body = if v["body"].is_null() {
        String::new()
    } else {
        match write_body(&v) {
            Ok(b) => b,
            Err(r) => return r,
        }
    };
    let parent = match v["parentId"]
        .as_str()
        .map(String::from)
        .or(v["parentId"].as_u64().map(|n| n.to_string()))
    {
        Some(pid) => match readable_as(ctx, &pid, "page") {
            Ok(i) if ctx.st.conf.pages[i].space == key => Some(ctx.st.conf.pages[i].id),
            _ => return v2_err(400, "parentId is not a page in this space"),
        },
        None if req.q_bool("root-level") => None,
        None => ctx.st.space(&key).and_then(|s| s.homepage),
    };
    let p = new_page(ctx, "page", &key, title, parent, body, "");
    let mut r = req.clone();
    r.query.push(("body-format".into(), "storage".into()));
    Resp::ok(page_v2(ctx, &p, &r, None))
}

pub fn update_page(ctx: &mut Ctx, id: &str, req: &Req) -> Resp {
    let i = match readable_as(ctx, id, "page") {
        Ok(i) => i,
        Err(r) => return r,
    };
    let v = match body_json(req) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let missing: Vec<&str> = ["id", "status", "title", "version"]
        .into_iter()
        .filter(|k| v[*k].is_null())
        .collect();
    if !missing.is_empty() {
        return v2_err(
            400,
            &format!("Missing required fields: {}", missing.join(", ")),
        );
    }
    let Some(number) = v["version"]["number"].as_u64() else {
        return v2_err(400, "version.number is required");
    };
    let body = if v["body"].is_null() {
        None
    } else {
        match write_body(&v) {
            Ok(b) => Some(b),
            Err(r) => return r,
        }
    };
    let parent = v["parentId"].as_str().and_then(|s| s.parse().ok());
    if let Err(r) = apply_update(ctx, i, Edit::from(&v, number, body, parent), true) {
        return r;
    }
    let mut r = req.clone();
    r.query.push(("body-format".into(), "storage".into()));
    Resp::ok(page_v2(ctx, &ctx.st.conf.pages[i], &r, None))
}

pub fn create_comment(ctx: &mut Ctx, kind: &str, req: &Req) -> Resp {
    let v = match body_json(req) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let inline = kind.starts_with("inline");
    let parent = v["parentCommentId"]
        .as_str()
        .map(String::from)
        .or(v["parentCommentId"].as_u64().map(|n| n.to_string()));
    let page_id = match &parent {
        Some(pc) => match visible_comment(ctx, pc, kind) {
            Ok(c) => c.page.to_string(),
            Err(r) => return r,
        },
        None => {
            let field = if v.get("blogPostId").is_some() {
                "blogPostId"
            } else {
                "pageId"
            };
            v[field]
                .as_str()
                .map(String::from)
                .or(v[field].as_u64().map(|n| n.to_string()))
                .unwrap_or_default()
        }
    };
    let kind = match &parent {
        Some(_) => ctx.st.page(&page_id).map_or("page", |p| {
            if p.kind == "blogpost" {
                "blogpost"
            } else {
                "page"
            }
        }),
        None if v.get("blogPostId").is_some() => "blogpost",
        None => "page",
    };
    let pi = match readable_as(ctx, &page_id, kind) {
        Ok(i) => i,
        Err(_) => {
            return v2_err(
                400,
                "pageId (or blogPostId) is missing or is not content you can see",
            );
        }
    };
    let body = match write_body(&v) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let selection = v["inlineCommentProperties"]["textSelection"]
        .as_str()
        .map(String::from);
    if inline && parent.is_none() {
        let Some(sel) = &selection else {
            return v2_err(
                400,
                "inlineCommentProperties.textSelection is required for a new inline comment",
            );
        };
        let text = markup::storage_to_text(&ctx.st.conf.pages[pi].current().body);
        let count = text.matches(sel.as_str()).count();
        if count == 0 {
            return v2_err(400, "The text selection was not found in the page");
        }
        if let Some(n) = v["inlineCommentProperties"]["textSelectionMatchCount"].as_u64() {
            if n as usize != count {
                return v2_err(
                    400,
                    &format!("textSelectionMatchCount is {n} but the page has {count} matches"),
                );
            }
        }
    }
    let id = ctx.st.new_id();
    let c = PageComment {
        id,
        page: ctx.st.conf.pages[pi].id,
        parent: parent.and_then(|p| p.parse().ok()),
        author: ctx.user.username.clone(),
        created: time::now(),
        body,
        location: if inline { "inline" } else { "footer" }.into(),
        selection,
        resolved: false,
        version: 1,
    };
    ctx.st.conf.comments.push(c.clone());
    let mut r = req.clone();
    r.query.push(("body-format".into(), "storage".into()));
    Resp::json(201, &comment_v2(ctx, &c, &r))
}

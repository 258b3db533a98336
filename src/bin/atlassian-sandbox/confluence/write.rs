//! Confluence v1 / Server-DC writes: create (page, blog post, comment), update with the
//! `version.number == current + 1` rule (409 otherwise), delete (to trash, then purge), and the
//! storage-format check Confluence makes before accepting a body.

use super::content::{Expand, comment_json, page_json};
use super::{readable, v1_err};
use crate::http::{Req, Resp};
use crate::markup;
use crate::model::{Page, PageComment, PageVersion};
use crate::router::Ctx;
use crate::time;
use serde_json::Value;

pub fn body_from(v: &Value) -> Result<String, Resp> {
    let storage = &v["body"]["storage"];
    let wiki = &v["body"]["wiki"];
    if let Some(s) = storage["value"].as_str() {
        return check_xhtml(s).map(|_| s.to_string());
    }
    if let Some(w) = wiki["value"].as_str() {
        return Ok(format!("<p>{}</p>", markup::escape(w)));
    }
    Err(v1_err(
        400,
        "Content body cannot be null or empty: send body.storage.value.",
    ))
}

/// The check Confluence's storage parser makes first: tags must nest.
pub fn check_xhtml(s: &str) -> Result<(), Resp> {
    let mut stack: Vec<String> = Vec::new();
    let mut rest = s;
    while let Some(lt) = rest.find('<') {
        let tail = &rest[lt..];
        if let Some(after) = tail.strip_prefix("<![CDATA[") {
            rest = after.find("]]>").map(|e| &after[e + 3..]).unwrap_or("");
            continue;
        }
        let end = tail
            .find('>')
            .ok_or_else(|| v1_err(400, "Error parsing xhtml: Unexpected end of input"))?;
        let tag = &tail[1..end];
        rest = &tail[end + 1..];
        if tag.starts_with('!') || tag.starts_with('?') || tag.ends_with('/') {
            continue;
        }
        let name: String = tag
            .trim_start_matches('/')
            .split(|c: char| c.is_whitespace())
            .next()
            .unwrap_or("")
            .to_string();
        if ["br", "hr", "img", "col", "meta", "input"].contains(&name.as_str()) {
            continue;
        }
        if tag.starts_with('/') {
            if stack.pop().as_deref() != Some(name.as_str()) {
                return Err(v1_err(
                    400,
                    &format!(
                        "Error parsing xhtml: Unexpected close tag </{name}>; expected a different end tag"
                    ),
                ));
            }
        } else {
            stack.push(name);
        }
    }
    match stack.pop() {
        Some(open) => Err(v1_err(
            400,
            &format!("Error parsing xhtml: Unexpected end of input; <{open}> is not closed"),
        )),
        None => Ok(()),
    }
}

pub fn create(ctx: &mut Ctx, req: &Req) -> Resp {
    let v = match req.json() {
        Ok(Some(v)) => v,
        Ok(None) => return v1_err(400, "Send the content as JSON."),
        Err(e) => return v1_err(400, &e),
    };
    let kind = v["type"].as_str().unwrap_or("page");
    let body = match body_from(&v) {
        Ok(b) => b,
        Err(r) => return r,
    };
    if kind == "comment" {
        let page_id = v["container"]["id"]
            .as_str()
            .map(String::from)
            .or(v["container"]["id"].as_u64().map(|n| n.to_string()))
            .unwrap_or_default();
        if let Err(r) = readable(ctx, &page_id, false) {
            return r;
        }
        let parent = v["ancestors"]
            .as_array()
            .and_then(|a| a.last())
            .and_then(|a| {
                a["id"]
                    .as_str()
                    .and_then(|s| s.parse().ok())
                    .or(a["id"].as_u64())
            });
        let id = ctx.st.new_id();
        let c = PageComment {
            id,
            page: page_id.parse().unwrap_or(0),
            parent,
            author: ctx.user.username.clone(),
            created: time::now(),
            body,
            location: v["extensions"]["location"]
                .as_str()
                .unwrap_or("footer")
                .into(),
            selection: None,
            resolved: false,
            version: 1,
        };
        ctx.st.conf.comments.push(c.clone());
        return Resp::ok(comment_json(ctx, &c, &Expand(vec!["body".into()])));
    }
    if kind != "page" && kind != "blogpost" {
        return v1_err(
            400,
            &format!("Content type '{kind}' cannot be created here."),
        );
    }
    let Some(title) = v["title"].as_str().filter(|t| !t.trim().is_empty()) else {
        return v1_err(400, "A page must have a title.");
    };
    let Some(space) = v["space"]["key"]
        .as_str()
        .and_then(|k| ctx.st.space(k))
        .filter(|s| ctx.user.sees_space(&s.key))
        .map(|s| s.key.clone())
    else {
        return v1_err(400, "Space key is missing or does not exist.");
    };
    if ctx
        .st
        .conf
        .pages
        .iter()
        .any(|p| p.space == space && p.title == title && p.kind == kind && p.status == "current")
    {
        return v1_err(
            400,
            "A page with this title already exists: A page already exists with the same TITLE in this space",
        );
    }
    let parent = v["ancestors"]
        .as_array()
        .and_then(|a| a.last())
        .and_then(|a| {
            a["id"]
                .as_str()
                .map(String::from)
                .or(a["id"].as_u64().map(|n| n.to_string()))
        });
    let parent = match parent {
        Some(pid) => match readable(ctx, &pid, false) {
            Ok(i) if ctx.st.conf.pages[i].space == space => Some(ctx.st.conf.pages[i].id),
            Ok(_) => return v1_err(400, "The parent page is in another space."),
            Err(r) => return r,
        },
        None if kind == "page" => ctx.st.space(&space).and_then(|s| s.homepage),
        None => None,
    };
    let p = new_page(
        ctx,
        kind,
        &space,
        title,
        parent,
        body,
        v["version"]["message"].as_str().unwrap_or(""),
    );
    let x = Expand(vec![
        "body.storage".into(),
        "version".into(),
        "space".into(),
        "ancestors".into(),
    ]);
    Resp::ok(page_json(ctx, &p, &x, None))
}

pub fn new_page(
    ctx: &mut Ctx,
    kind: &str,
    space: &str,
    title: &str,
    parent: Option<u64>,
    body: String,
    message: &str,
) -> Page {
    let id = ctx.st.new_id();
    let position = ctx
        .st
        .conf
        .pages
        .iter()
        .filter(|p| p.parent == parent)
        .map(|p| p.position + 1)
        .max()
        .unwrap_or(0);
    let p = Page {
        id,
        kind: kind.into(),
        space: space.into(),
        title: title.into(),
        parent,
        status: "current".into(),
        versions: vec![PageVersion {
            number: 1,
            by: ctx.user.username.clone(),
            when: time::now(),
            message: message.into(),
            minor: false,
            title: None,
            body,
        }],
        labels: Vec::new(),
        attachments: Vec::new(),
        restrictions: crate::model::Restrictions::empty(),
        position,
        views: 0,
        properties: Default::default(),
    };
    ctx.st.conf.pages.push(p.clone());
    p
}

/// A page update as both APIs send it.
pub struct Edit<'a> {
    pub number: u64,
    pub title: Option<&'a str>,
    pub body: Option<String>,
    pub parent: Option<u64>,
    pub message: &'a str,
    pub minor: bool,
}

impl<'a> Edit<'a> {
    /// Title, version message and minor flag from the request body `v`.
    pub fn from(v: &'a Value, number: u64, body: Option<String>, parent: Option<u64>) -> Edit<'a> {
        Edit {
            number,
            title: v["title"].as_str(),
            body,
            parent,
            message: v["version"]["message"].as_str().unwrap_or(""),
            minor: v["version"]["minorEdit"].as_bool().unwrap_or(false),
        }
    }
}

/// Applies an update to a page: the version must be exactly current + 1.
pub fn apply_update(ctx: &mut Ctx, idx: usize, edit: Edit, v2: bool) -> Result<(), Resp> {
    let Edit {
        number,
        title,
        body,
        parent,
        message,
        minor,
    } = edit;
    let current = ctx.st.conf.pages[idx].current().number as u64;
    let err = |status: u16, m: &str| {
        if v2 {
            super::v2_err(status, m)
        } else {
            v1_err(status, m)
        }
    };
    if !ctx.st.can_edit_page(&ctx.user, &ctx.st.conf.pages[idx]) {
        return Err(err(403, "You do not have permission to edit this content."));
    }
    if number != current + 1 {
        return Err(err(
            409,
            &format!("Version must be incremented on update. Current version is: {current}"),
        ));
    }
    if let Some(pid) = parent {
        if ctx
            .st
            .page(&pid.to_string())
            .is_none_or(|p| p.space != ctx.st.conf.pages[idx].space)
        {
            return Err(err(
                400,
                "The new parent page does not exist in this space.",
            ));
        }
    }
    let p = &mut ctx.st.conf.pages[idx];
    let new_title = title.unwrap_or(&p.title).to_string();
    let body = body.unwrap_or_else(|| p.current().body.clone());
    p.title = new_title.clone();
    if parent.is_some() {
        p.parent = parent;
    }
    p.status = "current".into();
    p.versions.push(PageVersion {
        number: number as u32,
        by: ctx.user.username.clone(),
        when: time::now(),
        message: message.into(),
        minor,
        title: Some(new_title),
        body,
    });
    Ok(())
}

pub fn update(ctx: &mut Ctx, id: &str, req: &Req) -> Resp {
    let v = match req.json() {
        Ok(Some(v)) => v,
        Ok(None) => return v1_err(400, "Send the content as JSON."),
        Err(e) => return v1_err(400, &e),
    };
    if let Some(pos) = ctx
        .st
        .conf
        .comments
        .iter()
        .position(|c| c.id.to_string() == id)
    {
        let body = match body_from(&v) {
            Ok(b) => b,
            Err(r) => return r,
        };
        let c = &mut ctx.st.conf.comments[pos];
        if c.author != ctx.user.username {
            return v1_err(403, "Only the author can edit this comment.");
        }
        c.body = body;
        c.version += 1;
        let c = c.clone();
        return Resp::ok(comment_json(ctx, &c, &Expand(vec!["body".into()])));
    }
    let idx = match readable(ctx, id, false) {
        Ok(i) => i,
        Err(r) => return r,
    };
    let Some(number) = v["version"]["number"].as_u64() else {
        return v1_err(
            400,
            "Must supply an incremented version when updating Content. No version supplied.",
        );
    };
    let body = if v["body"].is_null() {
        None
    } else {
        match body_from(&v) {
            Ok(b) => Some(b),
            Err(r) => return r,
        }
    };
    let parent = v["ancestors"]
        .as_array()
        .and_then(|a| a.last())
        .and_then(|a| {
            a["id"]
                .as_str()
                .and_then(|s| s.parse().ok())
                .or(a["id"].as_u64())
        });
    if let Err(r) = apply_update(ctx, idx, Edit::from(&v, number, body, parent), false) {
        return r;
    }
    let x = Expand(vec![
        "body.storage".into(),
        "version".into(),
        "space".into(),
        "ancestors".into(),
    ]);
    Resp::ok(page_json(ctx, &ctx.st.conf.pages[idx], &x, None))
}

pub fn delete(ctx: &mut Ctx, id: &str, req: &Req) -> Resp {
    if let Some(pos) = ctx
        .st
        .conf
        .comments
        .iter()
        .position(|c| c.id.to_string() == id)
    {
        ctx.st.conf.comments.remove(pos);
        return Resp::empty(204);
    }
    if let Some(att) = id.strip_prefix("att") {
        return super::extras::delete_attachment(ctx, att, false);
    }
    let Some(idx) = ctx
        .st
        .page_index(id)
        .filter(|i| ctx.st.can_read_page(&ctx.user, &ctx.st.conf.pages[*i]))
    else {
        return v1_err(
            404,
            &format!("No content found with id : ContentId{{id={id}}}"),
        );
    };
    if !ctx.st.can_edit_page(&ctx.user, &ctx.st.conf.pages[idx]) {
        return v1_err(403, "You do not have permission to delete this content.");
    }
    let p = &mut ctx.st.conf.pages[idx];
    if p.status == "trashed" {
        if req.q("status") == Some("trashed") {
            ctx.st.conf.pages.remove(idx);
            return Resp::empty(204);
        }
        return v1_err(
            404,
            &format!("No content found with id : ContentId{{id={id}}}"),
        );
    }
    p.status = "trashed".into();
    Resp::empty(204)
}

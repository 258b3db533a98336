//! Confluence v1 / Server-DC content: pages, blog posts and comments as `Content` objects with
//! `expand` (body.storage/view, version, space, ancestors, history, metadata.labels, children,
//! container), lookup by space and title, and children lists. Writes live in `write`.

use super::{base, readable, storage, user, v1_err, web_path};
use crate::http::{Req, Resp};
use crate::markup;
use crate::model::{Page, PageComment, PageVersion};
use crate::router::Ctx;
use crate::time;
use serde_json::{Value, json};

/// Parsed `expand` list with prefix matching (`body` matches `body.storage`).
pub struct Expand(pub Vec<String>);

impl Expand {
    pub fn from(req: &Req) -> Expand {
        Expand(req.q_list("expand"))
    }
    pub fn has(&self, e: &str) -> bool {
        self.0
            .iter()
            .any(|x| x == e || x.starts_with(&format!("{e}.")))
    }
}

fn version_json(ctx: &Ctx, v: &PageVersion, content_id: u64) -> Value {
    json!({"by": user(ctx, &v.by), "when": time::conf(&v.when), "friendlyWhen": time::date(&v.when), "message": v.message,
        "number": v.number, "minorEdit": v.minor, "contentTypeModified": false,
        "_links": {"self": format!("{}/rest/api/content/{content_id}/version/{}", base(ctx), v.number)},
        "_expandable": {"collaborators": "", "content": format!("/rest/api/content/{content_id}")}})
}

fn body_json(ctx: &Ctx, x: &Expand, raw: &str) -> Value {
    let stored = storage(ctx, raw);
    let mut b = serde_json::Map::new();
    if x.has("body.storage") {
        b.insert("storage".into(), json!({"value": stored, "representation": "storage", "embeddedContent": [], "_expandable": {"content": ""}}));
    }
    for (k, repr) in [
        ("body.view", "view"),
        ("body.export_view", "export_view"),
        ("body.styled_view", "styled_view"),
    ] {
        if x.has(k) {
            b.insert(repr.into(), json!({"value": markup::storage_to_view(&stored), "representation": repr, "embeddedContent": []}));
        }
    }
    if x.has("body.editor") {
        b.insert(
            "editor".into(),
            json!({"value": stored, "representation": "editor"}),
        );
    }
    if x.has("body.atlas_doc_format") && ctx.cloud() {
        let text = markup::storage_to_text(&stored);
        let doc = json!({"type": "doc", "version": 1, "content": [{"type": "paragraph", "content": [{"type": "text", "text": text.trim()}]}]});
        b.insert(
            "atlas_doc_format".into(),
            json!({"value": doc.to_string(), "representation": "atlas_doc_format"}),
        );
    }
    b.insert("_expandable".into(), json!({"editor": "", "view": "", "export_view": "", "styled_view": "", "storage": "", "anonymous_export_view": ""}));
    Value::Object(b)
}

/// A page or blog post (`version` = a historical version number when asked).
pub fn page_json(ctx: &Ctx, p: &Page, x: &Expand, version: Option<u32>) -> Value {
    let b = base(ctx);
    let v = version
        .and_then(|n| p.versions.iter().find(|v| v.number == n))
        .unwrap_or_else(|| p.current());
    let historical = v.number != p.current().number;
    let title = v.title.clone().unwrap_or(p.title.clone());
    let mut out = json!({
        "id": p.id.to_string(), "type": p.kind, "status": if historical { "historical" } else { p.status.as_str() }, "title": title,
        "macroRenderedOutput": {}, "extensions": {"position": p.position},
        "_links": {"webui": web_path(p), "edit": format!("/pages/resumedraft.action?draftId={}", p.id),
                   "tinyui": format!("/x/{}", super::tiny_code(p.id)), "self": format!("{b}/rest/api/content/{}", p.id)},
        "_expandable": {"childTypes": "", "container": format!("/rest/api/space/{}", p.space), "metadata": "", "operations": "",
            "children": format!("/rest/api/content/{}/child", p.id), "restrictions": format!("/rest/api/content/{}/restriction/byOperation", p.id),
            "history": format!("/rest/api/content/{}/history", p.id), "ancestors": "", "body": "", "version": "",
            "descendants": format!("/rest/api/content/{}/descendant", p.id), "space": format!("/rest/api/space/{}", p.space)},
    });
    let space = ctx.st.space(&p.space);
    if x.has("space") {
        if let Some(s) = space {
            out["space"] = super::space_json(ctx, s, &[]);
        }
    }
    if x.has("container") {
        if let Some(s) = space {
            out["container"] = super::space_json(ctx, s, &[]);
        }
    }
    if x.has("version") {
        out["version"] = version_json(ctx, v, p.id);
    }
    if x.has("history") {
        let mut h = json!({"latest": !historical, "createdBy": user(ctx, p.author()), "createdDate": time::conf(p.created())});
        if x.has("history.lastUpdated") || x.has("history") {
            h["lastUpdated"] = version_json(ctx, p.current(), p.id);
        }
        out["history"] = h;
    }
    if x.has("ancestors") {
        out["ancestors"] = json!(ctx.st.ancestors(p).iter().map(|a| json!({"id": a.id.to_string(), "type": a.kind, "status": a.status, "title": a.title,
            "_links": {"webui": web_path(a), "self": format!("{b}/rest/api/content/{}", a.id)}})).collect::<Vec<_>>());
    }
    if x.has("body") {
        out["body"] = body_json(ctx, x, &v.body);
    }
    if x.has("metadata") {
        out["metadata"] = json!({"labels": {"results": p.labels.iter().map(|l| label_json(l)).collect::<Vec<_>>(),
            "start": 0, "limit": 200, "size": p.labels.len(), "_links": {"self": format!("{b}/rest/api/content/{}/label", p.id)}},
            "_expandable": {"currentuser": "", "properties": "", "frontend": ""}});
    }
    if x.has("children") {
        let kids: Vec<Value> = child_pages(ctx, p.id).iter().map(|c| json!({"id": c.id.to_string(), "type": "page", "status": c.status, "title": c.title})).collect();
        let mut ch = json!({"_expandable": {"attachment": "", "comment": "", "page": ""}});
        if x.has("children.page") || x.0.iter().any(|e| e == "children") {
            ch["page"] = json!({"results": kids, "start": 0, "limit": 25, "size": kids.len(),
                "_links": {"self": format!("{b}/rest/api/content/{}/child/page", p.id)}});
        }
        if x.has("children.attachment") {
            ch["attachment"] = json!({"results": p.attachments.iter().map(|a| super::extras::attachment_json(ctx, p, a)).collect::<Vec<_>>(),
                "size": p.attachments.len(), "_links": {"self": format!("{b}/rest/api/content/{}/child/attachment", p.id)}});
        }
        if x.has("children.comment") {
            let cs: Vec<Value> = ctx
                .st
                .conf
                .comments
                .iter()
                .filter(|c| c.page == p.id)
                .map(|c| comment_json(ctx, c, &Expand(vec![])))
                .collect();
            ch["comment"] = json!({"results": cs, "size": cs.len(), "_links": {"self": format!("{b}/rest/api/content/{}/child/comment", p.id)}});
        }
        out["children"] = ch;
    }
    if x.has("restrictions") {
        out["restrictions"] = super::extras::restrictions_value(ctx, p);
    }
    out
}

pub fn label_json(l: &str) -> Value {
    json!({"prefix": "global", "name": l, "id": format!("{}", 1000 + l.bytes().map(u64::from).sum::<u64>()), "label": l})
}

pub fn comment_json(ctx: &Ctx, c: &PageComment, x: &Expand) -> Value {
    let b = base(ctx);
    let page = ctx.st.page(&c.page.to_string());
    let mut v = json!({"id": c.id.to_string(), "type": "comment", "status": "current",
        "title": format!("Re: {}", page.map(|p| p.title.as_str()).unwrap_or("")),
        "extensions": {"location": c.location},
        "_links": {"webui": format!("{}?focusedCommentId={}", page.map(web_path).unwrap_or_default(), c.id), "self": format!("{b}/rest/api/content/{}", c.id)},
        "_expandable": {"history": "", "body": "", "version": "", "container": ""}});
    if c.location == "inline" {
        v["extensions"]["inlineProperties"] =
            json!({"originalSelection": c.selection, "markerRef": format!("mk-{}", c.id)});
        v["extensions"]["resolution"] =
            json!({"status": if c.resolved { "resolved" } else { "open" }});
    }
    if x.has("body") || x.0.is_empty() {
        let stored = storage(ctx, &c.body);
        v["body"] = json!({"storage": {"value": stored, "representation": "storage"},
                           "view": {"value": markup::storage_to_view(&stored), "representation": "view"}});
    }
    v["version"] = json!({"by": user(ctx, &c.author), "when": time::conf(&c.created), "number": c.version, "minorEdit": false, "message": ""});
    v["history"] = json!({"latest": true, "createdBy": user(ctx, &c.author), "createdDate": time::conf(&c.created)});
    if let Some(p) = page {
        v["container"] =
            json!({"id": p.id.to_string(), "type": p.kind, "status": p.status, "title": p.title});
    }
    if let Some(parent) = c.parent {
        v["ancestors"] =
            json!([{"id": parent.to_string(), "type": "comment", "status": "current"}]);
    }
    v
}

pub fn child_pages<'a>(ctx: &'a Ctx, parent: u64) -> Vec<&'a Page> {
    let mut kids: Vec<&Page> = ctx
        .st
        .conf
        .pages
        .iter()
        .filter(|c| {
            c.parent == Some(parent) && c.status == "current" && ctx.st.can_read_page(&ctx.user, c)
        })
        .collect();
    kids.sort_by_key(|c| (c.position, c.id));
    kids
}

pub fn get(ctx: &mut Ctx, id: &str, req: &Req) -> Resp {
    let x = Expand::from(req);
    if let Some(c) = ctx.st.conf.comments.iter().find(|c| c.id.to_string() == id) {
        if readable(ctx, &c.page.to_string(), false).is_ok() {
            return Resp::ok(comment_json(ctx, c, &x));
        }
    }
    if let Some((pi, ai)) = id
        .starts_with("att")
        .then(|| super::extras::find_attachment(ctx, id))
        .flatten()
    {
        let p = &ctx.st.conf.pages[pi];
        return Resp::ok(super::extras::attachment_json(ctx, p, &p.attachments[ai]));
    }
    let idx = match readable(ctx, id, false) {
        Ok(i) => i,
        Err(r) => return r,
    };
    let p = &ctx.st.conf.pages[idx];
    let status_ok = match req.q("status") {
        None => p.status == "current",
        Some(s) => s
            .split(',')
            .any(|s| s == p.status || s == "any" || s == "historical"),
    };
    if !status_ok {
        return v1_err(
            404,
            &format!("No content found with id : ContentId{{id={id}}}"),
        );
    }
    let version = req.q("version").and_then(|v| v.parse().ok());
    if let Some(n) = version {
        if !p.versions.iter().any(|v| v.number == n) {
            return v1_err(
                404,
                &format!("No content found with id : ContentId{{id={id}}} and version {n}"),
            );
        }
    }
    Resp::ok(page_json(ctx, p, &x, version))
}

/// `GET /content?spaceKey=&title=&type=` (exact title; DC 404s on an unknown space key).
pub fn list(ctx: &mut Ctx, req: &Req) -> Resp {
    let x = Expand::from(req);
    let space = req.q("spaceKey");
    if let Some(k) = space {
        if ctx
            .st
            .space(k)
            .filter(|s| ctx.user.sees_space(&s.key))
            .is_none()
        {
            return v1_err(404, &format!("No space with key : {k}"));
        }
    }
    let kind = req.q("type").unwrap_or("page");
    let title = req.q("title");
    let all: Vec<Value> = ctx
        .st
        .conf
        .pages
        .iter()
        .filter(|p| p.kind == kind && p.status == req.q("status").unwrap_or("current"))
        .filter(|p| space.is_none_or(|k| p.space == k))
        .filter(|p| title.is_none_or(|t| p.title == t))
        .filter(|p| ctx.st.can_read_page(&ctx.user, p))
        .map(|p| page_json(ctx, p, &x, None))
        .collect();
    super::page_list(ctx, req, all, 200)
}

pub fn children(ctx: &mut Ctx, id: &str, kind: &str, req: &Req) -> Resp {
    let idx = match readable(ctx, id, false) {
        Ok(i) => i,
        Err(r) => return r,
    };
    let x = Expand::from(req);
    let pid = ctx.st.conf.pages[idx].id;
    let all: Vec<Value> = match kind {
        "comment" => {
            let loc = req.q_list("location");
            let all_depth = req.q("depth") == Some("all");
            ctx.st
                .conf
                .comments
                .iter()
                .filter(|c| c.page == pid && (all_depth || c.parent.is_none()))
                .filter(|c| {
                    loc.is_empty()
                        || loc
                            .iter()
                            .any(|l| *l == c.location || (l == "resolved" && c.resolved))
                })
                .map(|c| comment_json(ctx, c, &x))
                .collect()
        }
        _ => child_pages(ctx, pid)
            .into_iter()
            .filter(|c| c.kind == kind)
            .map(|c| page_json(ctx, c, &x, None))
            .collect(),
    };
    super::page_list(ctx, req, all, 200)
}

pub fn children_all(ctx: &mut Ctx, id: &str, req: &Req) -> Resp {
    let idx = match readable(ctx, id, false) {
        Ok(i) => i,
        Err(r) => return r,
    };
    let pid = ctx.st.conf.pages[idx].id;
    let x = Expand::from(req);
    let pages: Vec<Value> = child_pages(ctx, pid)
        .into_iter()
        .map(|c| page_json(ctx, c, &x, None))
        .collect();
    Resp::ok(
        json!({"page": {"results": pages, "start": 0, "limit": 25, "size": pages.len()}, "_links": {"base": base(ctx)},
        "_expandable": {"attachment": format!("/rest/api/content/{pid}/child/attachment"), "comment": format!("/rest/api/content/{pid}/child/comment")}}),
    )
}

pub fn descendants(ctx: &mut Ctx, id: &str, req: &Req) -> Resp {
    let idx = match readable(ctx, id, false) {
        Ok(i) => i,
        Err(r) => return r,
    };
    let x = Expand::from(req);
    let mut out = Vec::new();
    let mut queue = vec![ctx.st.conf.pages[idx].id];
    while let Some(p) = queue.pop() {
        for c in child_pages(ctx, p) {
            out.push(page_json(ctx, c, &x, None));
            queue.push(c.id);
        }
    }
    super::page_list(ctx, req, out, 1000)
}

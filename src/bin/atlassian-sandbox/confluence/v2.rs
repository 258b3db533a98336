//! Confluence Cloud REST v2 (`/wiki/api/v2`): pages (get with `body-format`, list by space and
//! title, create, update with the version rule, delete), direct children, ancestors, footer and
//! inline comments with replies, versions, attachments, labels, spaces with their pages and
//! permissions, and `users-bulk`. Lists use opaque cursors in `_links.next` and a `Link` header.
//! Page endpoints answer 404 for a blog post id (those are served by `v2_blog.rs`).

use super::content::child_pages;
use super::{readable_as, storage, v2_err, web_path};
use crate::http::{Req, Resp, base64_decode, base64_encode, percent_encode};
use crate::markup;
use crate::model::{Page, PageComment};
use crate::router::Ctx;
use crate::time;
use serde_json::{Value, json};

pub(super) fn cursor_page(ctx: &Ctx, req: &Req, all: Vec<Value>) -> Resp {
    let limit = req.q_int("limit", 25).unwrap_or(25).clamp(1, 250) as usize;
    let start = match req.q("cursor") {
        None => 0,
        Some(c) => match base64_decode(c)
            .and_then(|b| String::from_utf8(b).ok())
            .and_then(|s| s.strip_prefix("v2:").and_then(|n| n.parse().ok()))
        {
            Some(n) => n,
            None => return v2_err(400, "Invalid cursor"),
        },
    };
    let total = all.len();
    let results: Vec<Value> = all.into_iter().skip(start).take(limit).collect();
    let mut links = json!({"base": super::base(ctx)});
    let mut resp_next = None;
    if start + limit < total {
        let mut q: Vec<String> = req
            .query
            .iter()
            .filter(|(k, _)| k != "cursor")
            .map(|(k, v)| format!("{k}={}", percent_encode(v)))
            .collect();
        q.push(format!(
            "cursor={}",
            percent_encode(&base64_encode(format!("v2:{}", start + limit).as_bytes()))
        ));
        let next = format!("{}?{}", req.path, q.join("&"));
        links["next"] = json!(next);
        resp_next = Some(next);
    }
    let resp = Resp::ok(json!({"results": results, "_links": links}));
    match resp_next {
        Some(n) => resp.with_header("Link", &format!("<{n}>; rel=\"next\"")),
        None => resp,
    }
}

fn version_v2(ctx: &Ctx, v: &crate::model::PageVersion) -> Value {
    let author = ctx
        .st
        .user(&v.by)
        .map(|u| u.account_id.clone())
        .unwrap_or_default();
    json!({"createdAt": time::conf(&v.when), "message": v.message, "number": v.number, "minorEdit": v.minor, "authorId": author})
}

fn body_v2(ctx: &Ctx, raw: &str, format: Option<&str>) -> Option<Value> {
    let stored = storage(ctx, raw);
    Some(match format? {
        f @ ("storage" | "editor") => json!({f: {"representation": f, "value": stored}}),
        "view" | "export_view" | "anonymous_export_view" | "styled_view" => {
            json!({format.unwrap(): {"representation": format.unwrap(), "value": markup::storage_to_view(&stored)}})
        }
        "atlas_doc_format" => {
            let text = markup::storage_to_text(&stored);
            let doc = json!({"type": "doc", "version": 1, "content": [{"type": "paragraph", "content": [{"type": "text", "text": text.trim()}]}]});
            json!({"atlas_doc_format": {"representation": "atlas_doc_format", "value": doc.to_string()}})
        }
        _ => return None,
    })
}

pub(super) fn account(ctx: &Ctx, who: &str) -> String {
    ctx.st
        .user(who)
        .map(|u| u.account_id.clone())
        .unwrap_or_default()
}

pub fn page_v2(ctx: &Ctx, p: &Page, req: &Req, version: Option<u32>) -> Value {
    let v = version
        .and_then(|n| p.versions.iter().find(|v| v.number == n))
        .unwrap_or_else(|| p.current());
    let space_id = ctx
        .st
        .space(&p.space)
        .map(|s| s.id.to_string())
        .unwrap_or_default();
    let mut out = json!({"id": p.id.to_string(), "status": if v.number == p.current().number { p.status.as_str() } else { "historical" },
        "title": v.title.clone().unwrap_or(p.title.clone()), "spaceId": space_id,
        "parentId": p.parent.map(|x| x.to_string()), "parentType": p.parent.map(|_| "page"), "position": p.position,
        "authorId": account(ctx, p.author()), "ownerId": account(ctx, p.author()), "createdAt": time::conf(p.created()),
        "version": version_v2(ctx, v),
        "_links": {"webui": web_path(p), "editui": format!("/pages/resumedraft.action?draftId={}", p.id), "tinyui": format!("/x/{}", super::tiny_code(p.id))}});
    if p.parent.is_none() {
        let o = out.as_object_mut().unwrap();
        o.remove("parentId");
        o.remove("parentType");
    }
    if let Some(b) = body_v2(ctx, &v.body, req.q("body-format")) {
        out["body"] = b;
    }
    if req.q_bool("include-labels") {
        out["labels"] = json!({"results": p.labels.iter().map(|l| label_v2(l)).collect::<Vec<_>>(), "meta": {"hasMore": false, "cursor": ""}});
    }
    if req.q_bool("include-versions") {
        out["versions"] = json!({"results": p.versions.iter().rev().map(|v| version_v2(ctx, v)).collect::<Vec<_>>(), "meta": {"hasMore": false, "cursor": ""}});
    }
    out
}

fn label_v2(l: &str) -> Value {
    let mut v = super::content::label_json(l);
    v.as_object_mut().unwrap().remove("label");
    v
}

pub fn comment_v2(ctx: &Ctx, c: &PageComment, req: &Req) -> Value {
    let mut v = json!({"id": c.id.to_string(), "status": "current", "title": format!("Re: {}", ctx.st.page(&c.page.to_string()).map(|p| p.title.as_str()).unwrap_or("")),
        "pageId": c.page.to_string(),
        "version": {"createdAt": time::conf(&c.created), "message": "", "number": c.version, "minorEdit": false, "authorId": account(ctx, &c.author)},
        "_links": {"webui": format!("{}?focusedCommentId={}", ctx.st.page(&c.page.to_string()).map(web_path).unwrap_or_default(), c.id)}});
    if ctx
        .st
        .page(&c.page.to_string())
        .is_some_and(|p| p.kind == "blogpost")
    {
        let o = v.as_object_mut().unwrap();
        o.remove("pageId");
        o.insert("blogPostId".into(), json!(c.page.to_string()));
    }
    if let Some(p) = c.parent {
        v["parentCommentId"] = json!(p.to_string());
    }
    if c.location == "inline" {
        v["resolutionStatus"] = json!(if c.resolved { "resolved" } else { "open" });
        v["properties"] = json!({"inlineMarkerRef": format!("mk-{}", c.id), "inlineOriginalSelection": c.selection});
    }
    if let Some(b) = body_v2(ctx, &c.body, req.q("body-format")) {
        v["body"] = b;
    }
    v
}

fn attachment_v2(ctx: &Ctx, p: &Page, a: &crate::model::Attachment) -> Value {
    let download = format!(
        "/download/attachments/{}/{}?version={}&api=v2",
        p.id,
        percent_encode(&a.filename),
        a.version
    );
    let owner = if p.kind == "blogpost" {
        "blogPostId"
    } else {
        "pageId"
    };
    json!({"id": format!("att{}", a.id), "status": "current", "title": a.filename, "createdAt": time::conf(&a.created), owner: p.id.to_string(),
        "mediaType": a.mime, "mediaTypeDescription": a.mime, "comment": a.comment, "fileId": format!("file-{}", a.id), "fileSize": a.data.len(),
        "webuiLink": format!("/pages/viewpageattachments.action?pageId={}", p.id), "downloadLink": download,
        "version": {"createdAt": time::conf(&a.created), "message": a.comment, "number": a.version, "minorEdit": false, "authorId": account(ctx, &a.author)},
        "_links": {"webui": format!("/pages/viewpageattachments.action?pageId={}", p.id), "download": download}})
}

fn space_v2(ctx: &Ctx, s: &crate::model::Space) -> Value {
    json!({"id": s.id.to_string(), "key": s.key, "name": s.name, "type": s.kind, "status": s.status, "authorId": account(ctx, &s.author),
        "createdAt": time::conf(&s.created), "homepageId": s.homepage.map(|h| h.to_string()),
        "description": {"plain": {"value": s.description, "representation": "plain"}}, "_links": {"webui": format!("/spaces/{}", s.key)}})
}

pub fn space_by_id<'a>(ctx: &'a Ctx, id: &str) -> Result<&'a crate::model::Space, Resp> {
    ctx.st
        .conf
        .spaces
        .iter()
        .find(|s| s.id.to_string() == id && ctx.user.sees_space(&s.key))
        .ok_or_else(|| v2_err(404, &format!("No space with id {id}")))
}

const SINGLE_FORMATS: &[&str] = &[
    "storage",
    "atlas_doc_format",
    "view",
    "export_view",
    "anonymous_export_view",
    "styled_view",
    "editor",
];

/// Confluence v2 refuses enum parameters outside their lists: `body-format` (one item takes
/// seven representations, a list only `storage` and `atlas_doc_format`) and `status`.
fn bad_enum(rest: &[&str], req: &Req) -> Option<Resp> {
    let single = rest.len() == 2 && rest[0] != "spaces";
    let formats: &[&str] = if single {
        SINGLE_FORMATS
    } else {
        &SINGLE_FORMATS[..2]
    };
    let statuses: &[&str] = match rest {
        ["spaces"] => &["current", "archived"],
        _ => &[
            "current",
            "archived",
            "trashed",
            "deleted",
            "historical",
            "draft",
        ],
    };
    for (name, allowed) in [("body-format", formats), ("status", statuses)] {
        for v in req.q_list(name) {
            if !allowed.contains(&v.as_str()) {
                return Some(v2_err(
                    400,
                    &format!(
                        "Provided value {{{v}}} for '{name}' is not the correct type. Expected one of: {}",
                        allowed.join(", ")
                    ),
                ));
            }
        }
    }
    None
}

/// `pages` → `page`, `blogposts` → `blogpost`: the content kind a v2 owner path serves.
fn singular(owner: &str) -> &'static str {
    if owner == "blogposts" {
        "blogpost"
    } else {
        "page"
    }
}

pub fn route(ctx: &mut Ctx, method: &str, rest: &[&str], req: &Req) -> Option<Resp> {
    if method == "GET" {
        if let Some(r) = bad_enum(rest, req) {
            return Some(r);
        }
    }
    Some(match (method, rest) {
        ("GET", ["pages"]) => {
            let ids = req.q_list("id");
            let spaces = req.q_list("space-id");
            let title = req.q("title");
            let status = req.q_list("status");
            let all: Vec<Value> = ctx
                .st
                .conf
                .pages
                .iter()
                .filter(|p| p.kind == "page" && ctx.st.can_read_page(&ctx.user, p))
                .filter(|p| {
                    if status.is_empty() {
                        p.status == "current"
                    } else {
                        status.contains(&p.status)
                    }
                })
                .filter(|p| ids.is_empty() || ids.contains(&p.id.to_string()))
                .filter(|p| {
                    spaces.is_empty()
                        || ctx
                            .st
                            .space(&p.space)
                            .is_some_and(|s| spaces.contains(&s.id.to_string()))
                })
                .filter(|p| title.is_none_or(|t| p.title == t))
                .map(|p| page_v2(ctx, p, req, None))
                .collect();
            cursor_page(ctx, req, all)
        }
        ("GET", ["pages", id]) => match readable_as(ctx, id, "page") {
            Ok(i) => {
                let p = &ctx.st.conf.pages[i];
                let version = req.q("version").and_then(|v| v.parse().ok());
                if version.is_some_and(|n| !p.versions.iter().any(|v| v.number == n)) {
                    return Some(v2_err(404, "No such version"));
                }
                if p.status == "trashed" && !req.q_list("status").iter().any(|s| s == "trashed") {
                    return Some(v2_err(404, &format!("No content found with id {id}")));
                }
                Resp::ok(page_v2(ctx, p, req, version))
            }
            Err(r) => r,
        },
        ("GET", ["blogposts"]) => super::v2_blog::list(ctx, req),
        ("GET", ["blogposts", id]) => super::v2_blog::get(ctx, id, req),
        ("POST", ["pages"]) => super::v2_write::create_page(ctx, req),
        ("PUT", ["pages", id]) => super::v2_write::update_page(ctx, id, req),
        ("DELETE", ["pages", id]) => {
            let i = match readable_as(ctx, id, "page") {
                Ok(i) => i,
                Err(r) => return Some(r),
            };
            if !ctx.st.can_edit_page(&ctx.user, &ctx.st.conf.pages[i]) {
                return Some(v2_err(
                    403,
                    "You do not have permission to delete this page",
                ));
            }
            if req.q_bool("purge") {
                if ctx.st.conf.pages[i].status != "trashed" {
                    return Some(v2_err(400, "Only trashed pages can be purged"));
                }
                ctx.st.conf.pages.remove(i);
            } else {
                ctx.st.conf.pages[i].status = "trashed".into();
            }
            Resp::empty(204)
        }
        ("GET", ["pages", id, kind @ ("direct-children" | "children")]) => {
            match readable_as(ctx, id, "page") {
                Ok(i) => {
                    let pid = ctx.st.conf.pages[i].id;
                    let all: Vec<Value> = child_pages(ctx, pid)
                    .iter()
                    .map(|c| {
                        let mut v = json!({"id": c.id.to_string(), "status": c.status, "title": c.title,
                            "spaceId": ctx.st.space(&c.space).map(|s| s.id.to_string()), "childPosition": c.position});
                        if *kind == "direct-children" {
                            // The newer endpoint mixes pages, folders and whiteboards, so says which.
                            v["type"] = json!("page");
                        }
                        v
                    })
                    .collect();
                    cursor_page(ctx, req, all)
                }
                Err(r) => r,
            }
        }
        ("GET", ["pages", id, "ancestors"]) => match readable_as(ctx, id, "page") {
            Ok(i) => {
                let all: Vec<Value> = ctx
                    .st
                    .ancestors(&ctx.st.conf.pages[i])
                    .iter()
                    .map(|a| json!({"id": a.id.to_string(), "type": "page"}))
                    .collect();
                cursor_page(ctx, req, all)
            }
            Err(r) => r,
        },
        (
            "GET",
            [
                owner @ ("pages" | "blogposts"),
                id,
                kind @ ("footer-comments" | "inline-comments"),
            ],
        ) => match readable_as(ctx, id, singular(owner)) {
            Ok(i) => {
                let pid = ctx.st.conf.pages[i].id;
                let loc = if *kind == "footer-comments" {
                    "footer"
                } else {
                    "inline"
                };
                let all: Vec<Value> = ctx
                    .st
                    .conf
                    .comments
                    .iter()
                    .filter(|c| c.page == pid && c.location == loc && c.parent.is_none())
                    .filter(|c| {
                        req.q("resolution-status")
                            .is_none_or(|s| (s == "resolved") == c.resolved)
                    })
                    .map(|c| comment_v2(ctx, c, req))
                    .collect();
                cursor_page(ctx, req, all)
            }
            Err(r) => r,
        },
        ("GET", [kind @ ("footer-comments" | "inline-comments"), id]) => {
            match visible_comment(ctx, id, kind) {
                Ok(c) => Resp::ok(comment_v2(ctx, c, req)),
                Err(r) => r,
            }
        }
        (
            "GET",
            [
                kind @ ("footer-comments" | "inline-comments"),
                id,
                "children",
            ],
        ) => match visible_comment(ctx, id, kind) {
            Ok(parent) => {
                let pid = parent.id;
                let all: Vec<Value> = ctx
                    .st
                    .conf
                    .comments
                    .iter()
                    .filter(|c| c.parent == Some(pid))
                    .map(|c| {
                        // Replies are listed without their page id.
                        let mut v = comment_v2(ctx, c, req);
                        v.as_object_mut().unwrap().remove("pageId");
                        v
                    })
                    .collect();
                cursor_page(ctx, req, all)
            }
            Err(r) => r,
        },
        ("POST", [kind @ ("footer-comments" | "inline-comments")]) => {
            super::v2_write::create_comment(ctx, kind, req)
        }
        ("DELETE", [kind @ ("footer-comments" | "inline-comments"), id]) => {
            match visible_comment(ctx, id, kind) {
                Ok(c) => {
                    let cid = c.id;
                    ctx.st
                        .conf
                        .comments
                        .retain(|c| c.id != cid && c.parent != Some(cid));
                    Resp::empty(204)
                }
                Err(r) => r,
            }
        }
        ("GET", [owner @ ("pages" | "blogposts"), id, "versions"]) => {
            match readable_as(ctx, id, singular(owner)) {
                Ok(i) => {
                    let all: Vec<Value> = ctx.st.conf.pages[i]
                        .versions
                        .iter()
                        .rev()
                        .map(|v| version_v2(ctx, v))
                        .collect();
                    cursor_page(ctx, req, all)
                }
                Err(r) => r,
            }
        }
        ("GET", [owner @ ("pages" | "blogposts"), id, "attachments"]) => {
            match readable_as(ctx, id, singular(owner)) {
                Ok(i) => {
                    let p = &ctx.st.conf.pages[i];
                    let name = req.q("filename");
                    let media = req.q("mediaType");
                    let all: Vec<Value> = p
                        .attachments
                        .iter()
                        .filter(|a| {
                            name.is_none_or(|n| a.filename == n)
                                && media.is_none_or(|m| a.mime == m)
                        })
                        .map(|a| attachment_v2(ctx, p, a))
                        .collect();
                    cursor_page(ctx, req, all)
                }
                Err(r) => r,
            }
        }
        ("GET", ["attachments", id]) => match super::extras::find_attachment(ctx, id) {
            Some((pi, ai)) => Resp::ok(attachment_v2(
                ctx,
                &ctx.st.conf.pages[pi],
                &ctx.st.conf.pages[pi].attachments[ai],
            )),
            None => v2_err(404, &format!("No attachment with id {id}")),
        },
        ("DELETE", ["attachments", id]) => super::extras::delete_attachment(ctx, id, true),
        (m @ ("POST" | "PUT"), [owner @ ("pages" | "blogposts"), id, "properties", rest @ ..])
            if rest.len() == usize::from(m == "PUT") =>
        {
            match readable_as(ctx, id, singular(owner)) {
                Ok(_) => super::v2_props::set(ctx, id, rest.first().copied(), req),
                Err(r) => r,
            }
        }
        ("GET", [owner @ ("pages" | "blogposts"), id, "properties"]) => {
            match readable_as(ctx, id, singular(owner)) {
                Ok(i) => super::v2_props::list(ctx, i, req),
                Err(r) => r,
            }
        }
        ("GET", [owner @ ("pages" | "blogposts"), id, "labels"]) => {
            match readable_as(ctx, id, singular(owner)) {
                Ok(i) => {
                    let all = ctx.st.conf.pages[i]
                        .labels
                        .iter()
                        .map(|l| label_v2(l))
                        .collect();
                    cursor_page(ctx, req, all)
                }
                Err(r) => r,
            }
        }
        ("GET", ["spaces"]) => {
            let keys = req.q_list("keys");
            let ids = req.q_list("ids");
            let kind = req.q("type");
            let all: Vec<Value> = super::visible_spaces(ctx)
                .into_iter()
                .filter(|s| keys.is_empty() || keys.contains(&s.key))
                .filter(|s| ids.is_empty() || ids.contains(&s.id.to_string()))
                .filter(|s| kind.is_none_or(|k| k == s.kind))
                .map(|s| space_v2(ctx, s))
                .collect();
            cursor_page(ctx, req, all)
        }
        ("GET", ["spaces", id]) => match space_by_id(ctx, id) {
            Ok(s) => Resp::ok(space_v2(ctx, s)),
            Err(r) => r,
        },
        ("GET", ["spaces", id, "pages"]) => {
            let key = match space_by_id(ctx, id) {
                Ok(s) => s.key.clone(),
                Err(r) => return Some(r),
            };
            let root = req.q("depth") == Some("root");
            let title = req.q("title");
            let all: Vec<Value> = ctx
                .st
                .conf
                .pages
                .iter()
                .filter(|p| {
                    p.space == key
                        && p.kind == "page"
                        && p.status == "current"
                        && ctx.st.can_read_page(&ctx.user, p)
                })
                .filter(|p| !root || p.parent.is_none())
                .filter(|p| title.is_none_or(|t| p.title == t))
                .map(|p| page_v2(ctx, p, req, None))
                .collect();
            cursor_page(ctx, req, all)
        }
        ("GET", ["spaces", id, "permissions"]) => {
            let key = match space_by_id(ctx, id) {
                Ok(s) => s.key.clone(),
                Err(r) => return Some(r),
            };
            let mut all = Vec::new();
            for (n, u) in ctx
                .st
                .users
                .iter()
                .filter(|u| u.sees_space(&key) && u.account_type != "customer")
                .enumerate()
            {
                for op in ["read", "create", "delete"] {
                    all.push(json!({"id": format!("{}{n}", all.len()), "principal": {"type": "user", "id": u.account_id}, "operation": {"key": op, "targetType": if op == "read" { "space" } else { "page" }}}));
                }
            }
            cursor_page(ctx, req, all)
        }
        ("POST", ["users-bulk"]) => {
            let body = req.json().ok().flatten().unwrap_or(Value::Null);
            let all: Vec<Value> = body["accountIds"].as_array().into_iter().flatten().filter_map(Value::as_str)
                .filter_map(|id| ctx.st.user(id)).map(|u| json!({"accountId": u.account_id, "accountType": "atlassian", "accountStatus": if u.active { "active" } else { "inactive" },
                    "displayName": u.display_name, "publicName": u.display_name, "email": u.email, "timeZone": u.time_zone})).collect();
            Resp::ok(json!({"results": all, "_links": {}}))
        }
        _ => return None,
    })
}

pub fn visible_comment<'a>(ctx: &'a Ctx, id: &str, kind: &str) -> Result<&'a PageComment, Resp> {
    let loc = if kind.starts_with("footer") {
        "footer"
    } else {
        "inline"
    };
    ctx.st
        .conf
        .comments
        .iter()
        .find(|c| {
            c.id.to_string() == id
                && c.location == loc
                && ctx
                    .st
                    .page(&c.page.to_string())
                    .is_some_and(|p| ctx.st.can_read_page(&ctx.user, p))
        })
        .ok_or_else(|| v2_err(404, &format!("No comment found with id {id}")))
}

//! Confluence Cloud REST v2 blog posts (`/wiki/api/v2/blogposts`): the list (`space-id`, `id`,
//! `title`, `status`, `body-format`, cursor paging) and one blog post by id. A blog post has the
//! page's shape minus the page tree (`parentId`, `parentType`, `position`) and `ownerId`, as in
//! the official `BlogPostSingle` / `BlogPostBulk` schemas; a page id answers 404 here.

use super::readable_as;
use super::v2::{cursor_page, page_v2};
use crate::http::{Req, Resp};
use crate::model::Page;
use crate::router::Ctx;
use serde_json::Value;

fn blog_v2(ctx: &Ctx, p: &Page, req: &Req, version: Option<u32>) -> Value {
    let mut v = page_v2(ctx, p, req, version);
    if let Some(o) = v.as_object_mut() {
        for k in ["parentId", "parentType", "position", "ownerId"] {
            o.remove(k);
        }
    }
    v
}

pub fn get(ctx: &Ctx, id: &str, req: &Req) -> Resp {
    let i = match readable_as(ctx, id, "blogpost") {
        Ok(i) => i,
        Err(r) => return r,
    };
    let p = &ctx.st.conf.pages[i];
    let version = req.q("version").and_then(|v| v.parse().ok());
    if version.is_some_and(|n| !p.versions.iter().any(|v| v.number == n)) {
        return super::v2_err(404, "No such version");
    }
    if p.status == "trashed" && !req.q_list("status").iter().any(|s| s == "trashed") {
        return super::v2_err(404, &format!("No content found with id {id}"));
    }
    Resp::ok(blog_v2(ctx, p, req, version))
}

pub fn list(ctx: &Ctx, req: &Req) -> Resp {
    let ids = req.q_list("id");
    let spaces = req.q_list("space-id");
    let title = req.q("title");
    let status = req.q_list("status");
    let all: Vec<Value> = ctx
        .st
        .conf
        .pages
        .iter()
        .filter(|p| p.kind == "blogpost" && ctx.st.can_read_page(&ctx.user, p))
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
        .map(|p| blog_v2(ctx, p, req, None))
        .collect();
    cursor_page(ctx, req, all)
}

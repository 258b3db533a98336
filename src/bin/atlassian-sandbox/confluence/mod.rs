//! Confluence routing and shared shapes. Cloud serves v1 under `/wiki/rest/api` and v2 under
//! `/wiki/api/v2`; Server/DC serves v1-style `/rest/api` (offset paging, `userKey`/`username`
//! users). Helpers here render users and spaces, pick the error body of the API family, and
//! find a page the caller may read (others are 404, as Confluence hides what you cannot see).

pub mod content;
pub mod extras;
pub mod search;
pub mod site;
pub mod v2;
pub mod v2_blog;
pub mod v2_props;
pub mod v2_write;
pub mod write;

use crate::auth::{self, Family};
use crate::http::{Req, Resp};
use crate::markup;
use crate::model::{Page, Space};
use crate::router::Ctx;
use serde_json::{Value, json};

/// Base of Confluence links: `{site}/wiki` on Cloud, the site root on Server/DC.
pub fn base(ctx: &Ctx) -> String {
    if ctx.cloud() {
        format!("{}/wiki", ctx.base)
    } else {
        ctx.base.to_string()
    }
}

pub fn v1_err(status: u16, msg: &str) -> Resp {
    auth::error(Family::ConfluenceV1, status, msg)
}

pub fn v2_err(status: u16, msg: &str) -> Resp {
    auth::error(Family::ConfluenceV2, status, msg)
}

/// The index of a page (or blog post) the caller may read; `Err` is the family's 404.
pub fn readable(ctx: &Ctx, id: &str, v2: bool) -> Result<usize, Resp> {
    let found = ctx
        .st
        .page_index(id)
        .filter(|i| ctx.st.can_read_page(&ctx.user, &ctx.st.conf.pages[*i]));
    found.ok_or_else(|| {
        if v2 {
            v2_err(404, &format!("No content found with id {id}"))
        } else {
            v1_err(
                404,
                &format!("No content found with id : ContentId{{id={id}}}"),
            )
        }
    })
}

/// Like [`readable`] (v2 error shape), but only content of `kind`: Cloud v2 keeps pages and blog
/// posts apart, so `/pages/{id}` answers 404 for a blog post id and `/blogposts/{id}` for a page.
pub fn readable_as(ctx: &Ctx, id: &str, kind: &str) -> Result<usize, Resp> {
    match readable(ctx, id, true) {
        Ok(i) if ctx.st.conf.pages[i].kind == kind => Ok(i),
        Ok(_) => Err(v2_err(404, &format!("No content found with id {id}"))),
        Err(r) => Err(r),
    }
}

/// A user in Confluence's shape for the flavour.
pub fn user(ctx: &Ctx, who: &str) -> Value {
    let Some(u) = ctx.st.user(who) else {
        return json!({"type": "anonymous", "displayName": "Anonymous"});
    };
    let pic = json!({"path": format!("/wiki/aa-avatar/{}", u.account_id), "width": 48, "height": 48, "isDefault": false});
    if ctx.cloud() {
        json!({"type": "known", "accountId": u.account_id, "accountType": "atlassian", "email": u.email,
            "publicName": u.display_name, "displayName": u.display_name, "profilePicture": pic, "isExternalCollaborator": false,
            "_links": {"self": format!("{}/rest/api/user?accountId={}", base(ctx), u.account_id)}})
    } else {
        json!({"type": "known", "username": u.username, "userKey": u.key, "profilePicture": pic, "displayName": u.display_name,
            "_links": {"self": format!("{}/rest/api/user?key={}", base(ctx), u.key)}})
    }
}

pub fn space_json(ctx: &Ctx, s: &Space, expand: &[String]) -> Value {
    let b = base(ctx);
    let mut v = json!({"id": s.id, "key": s.key, "name": s.name, "type": s.kind, "status": s.status,
        "_links": {"webui": format!("/spaces/{}", s.key), "self": format!("{b}/rest/api/space/{}", s.key)},
        "_expandable": {"settings": "", "metadata": "", "operations": "", "lookAndFeel": "", "identifiers": "", "permissions": "",
                        "icon": "", "description": "", "theme": "", "history": "", "homepage": ""}});
    let has = |e: &str| {
        expand
            .iter()
            .any(|x| x == e || x.starts_with(&format!("{e}.")))
    };
    if has("description") {
        v["description"] = json!({"plain": {"value": s.description, "representation": "plain", "embeddedContent": []}});
    }
    if has("homepage") {
        if let Some(h) = s.homepage.and_then(|id| ctx.st.page(&id.to_string())) {
            v["homepage"] = json!({"id": h.id.to_string(), "type": "page", "status": "current", "title": h.title});
        }
    }
    if has("metadata") {
        v["metadata"] = json!({"labels": {"results": s.labels.iter().map(|l| json!({"prefix": "global", "name": l, "id": "0", "label": l})).collect::<Vec<_>>()}});
    }
    v
}

/// The storage body as this flavour stores mentions (`ri:account-id` or `ri:userkey`).
pub fn storage(ctx: &Ctx, body: &str) -> String {
    let cloud = ctx.cloud();
    let lookup = |who: &str| {
        ctx.st.user(who).map(|u| {
            if cloud {
                u.account_id.clone()
            } else {
                u.key.clone()
            }
        })
    };
    markup::storage_mentions(
        body,
        if cloud { "ri:account-id" } else { "ri:userkey" },
        &lookup,
    )
}

pub fn web_path(p: &Page) -> String {
    let title: String = p
        .title
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { '+' })
        .collect();
    if p.kind == "blogpost" {
        format!("/spaces/{}/blog/{}/{}", p.space, p.id, title)
    } else {
        format!("/spaces/{}/pages/{}/{}", p.space, p.id, title)
    }
}

/// Spaces the caller may see.
pub fn visible_spaces<'a>(ctx: &'a Ctx) -> Vec<&'a Space> {
    ctx.st
        .conf
        .spaces
        .iter()
        .filter(|s| ctx.user.sees_space(&s.key))
        .collect()
}

/// Offset paging for v1/DC lists: `start`, `limit` (default 25, cap 200 or as given).
pub fn offset(req: &Req, cap: usize) -> Result<(usize, usize), Resp> {
    let start = req.q_int("start", 0).map_err(|e| v1_err(400, &e))?.max(0) as usize;
    let limit = req.q_int("limit", 25).map_err(|e| v1_err(400, &e))?;
    let limit = if limit <= 0 {
        25
    } else {
        (limit as usize).min(cap)
    };
    Ok((start, limit))
}

/// A v1/DC list page with `_links.next` when more remain.
pub fn page_list(ctx: &Ctx, req: &Req, all: Vec<Value>, cap: usize) -> Resp {
    let (start, limit) = match offset(req, cap) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let total = all.len();
    let results: Vec<Value> = all.into_iter().skip(start).take(limit).collect();
    let prefix = if ctx.cloud() { "/wiki" } else { "" };
    let self_path = format!("{prefix}{}", req.path.trim_start_matches("/wiki"));
    let mut links = json!({"base": base(ctx), "context": if ctx.cloud() { "/wiki" } else { "" }, "self": format!("{}{}", ctx.base, self_path)});
    if start + limit < total {
        let mut q: Vec<(String, String)> = req
            .query
            .iter()
            .filter(|(k, _)| k != "start" && k != "limit")
            .cloned()
            .collect();
        q.push(("start".into(), (start + limit).to_string()));
        q.push(("limit".into(), limit.to_string()));
        let qs: Vec<String> = q
            .iter()
            .map(|(k, v)| format!("{k}={}", crate::http::percent_encode(v)))
            .collect();
        links["next"] = json!(format!(
            "{}?{}",
            req.path.trim_start_matches("/wiki"),
            qs.join("&")
        ));
    }
    Resp::ok(
        json!({"results": results, "start": start, "limit": limit, "size": results.len(), "_links": links}),
    )
}

/// Through the OAuth API gateway (`/ex/confluence/{cloudId}/wiki/rest/api/...`) Atlassian has
/// removed the v1 endpoints that v2 replaced (RFC-19; sooperset/mcp-atlassian#1598): content
/// read, list, create, update, delete, children, comments, attachment lists, label reads,
/// properties, versions, copy and move, and spaces answer 410 Gone there. What v2 has no
/// replacement for stays: CQL search and user search, label writes, attachment upload,
/// restrictions, permission checks, templates, analytics, users and groups. Direct (site) v1 is
/// untouched. `None`: the request goes on to the routers.
pub fn gateway_gone(method: &str, req: &Req) -> Option<Resp> {
    let segs = req.segments();
    let s: Vec<&str> = segs.iter().map(String::as_str).collect();
    let rest = match s.as_slice() {
        ["wiki", "rest", "api", rest @ ..] => rest,
        _ => return None,
    };
    let kept = match (method, rest) {
        ("POST", ["content", _, "label"]) | ("DELETE", ["content", _, "label", ..]) => true,
        ("POST" | "PUT", ["content", _, "child", "attachment"]) => true,
        (_, ["content", _, "restriction", ..]) => true,
        ("POST", ["content", _, "permission", "check"]) => true,
        (_, ["content", ..] | ["space", ..]) => false,
        _ => true,
    };
    (!kept).then(|| {
        Resp::json(
            410,
            &json!({"statusCode": 410,
                "data": {"authorized": true, "valid": true, "errors": [], "successful": true},
                "message": "com.atlassian.confluence.api.service.exceptions.pagesmodes.GoneException: This deprecated endpoint has been removed."}),
        )
    })
}

/// Confluence's tiny link code of a content id: the id's bytes (little-endian, trailing zeros
/// dropped) in base64 with `/` as `-`, `+` as `_`, and trailing `A` and `=` cut.
pub fn tiny_code(id: u64) -> String {
    let bytes = id.to_le_bytes();
    let b64 = crate::http::base64_encode(&bytes);
    b64.trim_end_matches('=')
        .trim_end_matches('A')
        .replace('/', "-")
        .replace('+', "_")
}

pub fn route(ctx: &mut Ctx, method: &str, req: &Req) -> Option<Resp> {
    let segs = req.segments();
    let s: Vec<&str> = segs.iter().map(String::as_str).collect();
    match (ctx.cloud(), s.as_slice()) {
        (true, ["wiki", "api", "v2", rest @ ..]) => v2::route(ctx, method, rest, req),
        (true, ["wiki", "rest", "api", rest @ ..]) => v1(ctx, method, rest, req),
        (true, ["wiki", "download", "attachments", page, name]) => {
            Some(extras::download(ctx, page, name))
        }
        (false, ["rest", "api", rest @ ..]) => v1(ctx, method, rest, req),
        (false, ["download", "attachments", page, name]) => Some(extras::download(ctx, page, name)),
        _ => None,
    }
}

fn v1(ctx: &mut Ctx, method: &str, rest: &[&str], req: &Req) -> Option<Resp> {
    let cloud = ctx.cloud();
    Some(match (method, rest) {
        ("GET", ["content"]) => content::list(ctx, req),
        ("POST", ["content"]) => write::create(ctx, req),
        ("GET", ["content", "search"]) => search::content_search(ctx, req),
        ("GET", ["content", id]) => content::get(ctx, id, req),
        ("PUT", ["content", id]) => write::update(ctx, id, req),
        ("DELETE", ["content", id]) => write::delete(ctx, id, req),
        ("GET", ["content", id, "child"]) => content::children_all(ctx, id, req),
        (
            "GET",
            [
                "content",
                id,
                "child",
                kind @ ("page" | "comment" | "blogpost"),
            ],
        ) => content::children(ctx, id, kind, req),
        ("GET", ["content", id, "descendant", "page"]) if cloud => {
            content::descendants(ctx, id, req)
        }
        ("GET", ["content", id, "child", "attachment"]) => extras::attachments(ctx, id, req),
        ("POST" | "PUT", ["content", id, "child", "attachment"]) => extras::upload(ctx, id, req),
        ("GET", ["content", id, "child", "attachment", att, "download"]) => {
            extras::download_by_id(ctx, id, att)
        }
        ("GET", ["content", id, "label"]) => extras::labels(ctx, id, req),
        ("POST", ["content", id, "label"]) => extras::add_labels(ctx, id, req),
        ("DELETE", ["content", id, "label"]) => {
            extras::remove_label(ctx, id, req.q("name").unwrap_or(""))
        }
        ("DELETE", ["content", id, "label", name]) => extras::remove_label(ctx, id, name),
        ("GET", ["content", id, "version"]) => extras::versions_v1(ctx, id, req),
        ("GET", ["content", id, "version", n]) => extras::version_v1(ctx, id, n, req),
        (m @ ("GET" | "POST"), ["content", id, "property"]) => {
            extras::properties(ctx, m, id, None, req)
        }
        (m @ ("GET" | "PUT" | "DELETE"), ["content", id, "property", key]) => {
            extras::properties(ctx, m, id, Some(key), req)
        }
        ("GET", ["content", id, "history"]) => extras::history_v1(ctx, id),
        ("GET", ["content", id, "restriction", "byOperation"]) => extras::restrictions(ctx, id),
        ("GET", ["content", id, "restriction"]) => extras::restrictions_list(ctx, id, req),
        ("PUT" | "POST", ["content", id, "restriction"]) => extras::set_restrictions(ctx, id, req),
        ("POST", ["content", id, "permission", "check"]) if cloud => {
            site::check_permission(ctx, id, req)
        }
        ("POST", ["content", id, "copy"]) if cloud => site::copy(ctx, id, req),
        ("PUT", ["content", id, "move", pos, target]) => site::move_page(ctx, id, pos, target),
        ("POST", ["contentbody", "convert", to]) => site::convert(ctx, to, req),
        ("GET", ["search"]) => search::search(ctx, req),
        ("GET", ["search", "user"]) if cloud => search::user_search(ctx, req),
        ("GET", ["space"]) => site::spaces(ctx, req),
        ("GET", ["space", key]) => site::space(ctx, key, req),
        ("GET", ["space", key, "content"]) => site::space_content(ctx, key, None, req),
        ("GET", ["space", key, "content", kind]) => site::space_content(ctx, key, Some(kind), req),
        ("GET", ["user", "current"]) => Resp::ok(user(ctx, &ctx.user.username.clone())),
        ("GET", ["user"]) => site::user_lookup(ctx, req),
        ("GET", ["group", group, "member"]) => site::group_members(ctx, group, req),
        ("GET", ["group"]) => site::groups(ctx, req),
        ("GET", ["template", "page"]) if cloud => site::templates(ctx, req),
        ("GET", ["template", id]) if cloud => site::template(ctx, id),
        ("GET", ["analytics", "content", id, "views"]) if cloud => site::views(ctx, id),
        _ => return None,
    })
}

//! CQL search endpoints: `/search` (SearchResult items with excerpts, Cloud cursor or offset
//! paging), `/content/search` (Content items) and Cloud's `/search/user`.

use super::content::{Expand, comment_json, page_json};
use super::{base, space_json, user, v1_err, web_path};
use crate::cql::{self, Hit};
use crate::http::{Req, Resp, percent_encode};
use crate::query;
use crate::router::Ctx;
use crate::time;
use serde_json::{Value, json};

fn run<'a>(ctx: &'a Ctx, req: &Req) -> Result<(String, Vec<Hit<'a>>), Resp> {
    let Some(src) = req.q("cql").filter(|c| !c.trim().is_empty()) else {
        return Err(v1_err(400, "The CQL query parameter 'cql' is required."));
    };
    let q = cql::compile(src).map_err(|e| v1_err(400, &e))?;
    let hits = cql::run(ctx.st, &ctx.user, &q)
        .map_err(|e| v1_err(400, &format!("Could not parse cql : {src} ({e})")))?;
    Ok((src.to_string(), hits))
}

/// `(start, limit)` from `cursor` (Cloud) or `start`.
fn window(req: &Req) -> Result<(usize, usize), Resp> {
    let limit = req
        .q_int("limit", 25)
        .map_err(|e| v1_err(400, &e))?
        .clamp(1, 1000) as usize;
    let start = match req.q("cursor") {
        Some(c) => crate::http::base64_decode(c)
            .and_then(|b| String::from_utf8(b).ok())
            .and_then(|s| s.strip_prefix("cql-start:").and_then(|n| n.parse().ok()))
            .ok_or_else(|| v1_err(400, "The cursor is invalid."))?,
        None => req.q_int("start", 0).map_err(|e| v1_err(400, &e))?.max(0) as usize,
    };
    Ok((start, limit))
}

fn links(ctx: &Ctx, req: &Req, start: usize, limit: usize, total: usize) -> Value {
    let mut l = json!({"base": base(ctx), "context": if ctx.cloud() { "/wiki" } else { "" },
        "self": format!("{}{}", base(ctx), req.path.trim_start_matches("/wiki"))});
    if start + limit < total {
        let mut q: Vec<String> = req
            .query
            .iter()
            .filter(|(k, _)| !["start", "cursor", "limit"].contains(&k.as_str()))
            .map(|(k, v)| format!("{k}={}", percent_encode(v)))
            .collect();
        q.push(format!("limit={limit}"));
        if ctx.cloud() {
            q.push(format!(
                "cursor={}",
                percent_encode(&crate::http::base64_encode(
                    format!("cql-start:{}", start + limit).as_bytes()
                ))
            ));
        } else {
            q.push(format!("start={}", start + limit));
        }
        l["next"] = json!(format!(
            "{}?{}",
            req.path.trim_start_matches("/wiki"),
            q.join("&")
        ));
    }
    l
}

fn excerpt(h: &Hit, cql_src: &str, highlight: bool) -> String {
    let text = h.text();
    let words: Vec<String> = cql_src
        .split('"')
        .skip(1)
        .step_by(2)
        .flat_map(|s| {
            s.split_whitespace()
                .map(|w| w.trim_end_matches('*').to_ascii_lowercase())
                .collect::<Vec<_>>()
        })
        .collect();
    let lower = text.to_ascii_lowercase();
    let at = words
        .iter()
        .filter_map(|w| lower.find(w.as_str()).map(|p| (p, w.len())))
        .min();
    let (from, mut out) = match at {
        Some((p, _)) => {
            let from = lower[..p]
                .char_indices()
                .rev()
                .nth(60)
                .map(|(i, _)| i)
                .unwrap_or(0);
            (from, String::new())
        }
        None => (0, String::new()),
    };
    let snippet: String = text[from..].chars().take(200).collect();
    out.push_str(snippet.trim());
    if highlight {
        for w in &words {
            if let Some(p) = out.to_ascii_lowercase().find(w.as_str()) {
                if out.is_char_boundary(p) && out.is_char_boundary(p + w.len()) {
                    let hit = out[p..p + w.len()].to_string();
                    out = format!(
                        "{}@@@hl@@@{hit}@@@endhl@@@{}",
                        &out[..p],
                        &out[p + w.len()..]
                    );
                }
            }
        }
    }
    out
}

fn result_json(ctx: &Ctx, h: &Hit, src: &str, highlight: bool, x: &Expand) -> Value {
    let (entity, icon, content, url) = match h {
        Hit::Page(p) => (
            "content",
            format!("aui-icon content-type-{}", p.kind),
            Some(page_json(ctx, p, x, None)),
            web_path(p),
        ),
        Hit::Comment(c, p) => (
            "content",
            "aui-icon content-type-comment".into(),
            Some(comment_json(ctx, c, x)),
            format!("{}?focusedCommentId={}", web_path(p), c.id),
        ),
        Hit::Attachment(a, p) => (
            "content",
            "aui-icon content-type-attachment".into(),
            Some(super::extras::attachment_json(ctx, p, a)),
            format!("/pages/viewpageattachments.action?pageId={}", p.id),
        ),
        Hit::Space(s) => (
            "space",
            "aui-icon space-avatar".into(),
            None,
            format!("/spaces/{}", s.key),
        ),
        Hit::User(u) => (
            "user",
            "aui-icon content-type-profile".into(),
            None,
            format!("/people/{}", u.account_id),
        ),
    };
    let modified = h.modified();
    let modified = if modified.is_empty() {
        "2024-01-01T00:00:00.000".to_string()
    } else {
        modified
    };
    let mut v = json!({"title": h.title(), "excerpt": excerpt(h, src, highlight), "url": url, "breadcrumbs": [], "entityType": entity,
        "iconCssClass": icon, "lastModified": time::conf(&modified),
        "friendlyLastModified": time::date(&h.modified()), "score": 1.0});
    if let Some(c) = content {
        v["content"] = c;
    }
    match h {
        Hit::Space(s) => v["space"] = space_json(ctx, s, &[]),
        Hit::User(u) => v["user"] = user(ctx, &u.username),
        Hit::Page(p) | Hit::Comment(_, p) | Hit::Attachment(_, p) => {
            if let Some(s) = ctx.st.space(&p.space) {
                v["resultGlobalContainer"] =
                    json!({"title": s.name, "displayUrl": format!("/spaces/{}", s.key)});
            }
        }
    }
    v
}

/// `GET /search?cql=`.
pub fn search(ctx: &mut Ctx, req: &Req) -> Resp {
    let started = std::time::Instant::now();
    let (start, limit) = match window(req) {
        Ok(w) => w,
        Err(r) => return r,
    };
    let (src, hits) = match run(ctx, req) {
        Ok(h) => h,
        Err(r) => return r,
    };
    let highlight = req.q("excerpt").is_none_or(|e| e.starts_with("highlight"));
    let x = Expand::from(req);
    let results: Vec<Value> = hits
        .iter()
        .skip(start)
        .take(limit)
        .map(|h| result_json(ctx, h, &src, highlight, &x))
        .collect();
    Resp::ok(
        json!({"results": results, "start": start, "limit": limit, "size": results.len(), "totalSize": hits.len(),
        "cqlQuery": src, "searchDuration": started.elapsed().as_millis() as u64, "archivedResultCount": 0,
        "_links": links(ctx, req, start, limit, hits.len())}),
    )
}

/// `GET /content/search?cql=`: content objects only.
pub fn content_search(ctx: &mut Ctx, req: &Req) -> Resp {
    let (start, limit) = match window(req) {
        Ok(w) => w,
        Err(r) => return r,
    };
    let (src, hits) = match run(ctx, req) {
        Ok(h) => h,
        Err(r) => return r,
    };
    let x = Expand::from(req);
    let content: Vec<Value> = hits
        .iter()
        .filter_map(|h| match h {
            Hit::Page(p) => Some(page_json(ctx, p, &x, None)),
            Hit::Comment(c, _) => Some(comment_json(ctx, c, &x)),
            Hit::Attachment(a, p) => Some(super::extras::attachment_json(ctx, p, a)),
            _ => None,
        })
        .collect();
    let total = content.len();
    let results: Vec<Value> = content.into_iter().skip(start).take(limit).collect();
    let mut v = json!({"results": results, "start": start, "limit": limit, "size": results.len(), "_links": links(ctx, req, start, limit, total)});
    if ctx.cloud() {
        v["cqlQuery"] = json!(src);
    } else {
        v["totalCount"] = json!(total);
    }
    Resp::ok(v)
}

/// Cloud `GET /search/user?cql=user.fullname~"ann"`.
pub fn user_search(ctx: &mut Ctx, req: &Req) -> Resp {
    let (start, limit) = match window(req) {
        Ok(w) => w,
        Err(r) => return r,
    };
    let (src, hits) = match run(ctx, req) {
        Ok(h) => h,
        Err(r) => return r,
    };
    if !query::parse(&src)
        .ok()
        .and_then(|q| q.expr)
        .is_some_and(|e| {
            query::clauses(&e)
                .iter()
                .any(|c| c.field.to_ascii_lowercase().starts_with("user") || c.field == "type")
        })
    {
        return v1_err(
            400,
            "The CQL query for users must use the 'user', 'user.fullname' or 'type = user' fields.",
        );
    }
    let users: Vec<Value> = hits
        .iter()
        .filter(|h| matches!(h, Hit::User(_)))
        .map(|h| result_json(ctx, h, &src, false, &Expand::from(req)))
        .collect();
    let total = users.len();
    let results: Vec<Value> = users.into_iter().skip(start).take(limit).collect();
    Resp::ok(
        json!({"results": results, "start": start, "limit": limit, "size": results.len(), "totalSize": total,
        "cqlQuery": src, "searchDuration": 1, "_links": links(ctx, req, start, limit, total)}),
    )
}

//! Jira routing: platform REST (`/rest/api/3` Cloud only, `/rest/api/2` both flavours, also
//! `/rest/api/latest`), Agile (`/rest/agile/1.0`), service desk (`/rest/servicedeskapi`),
//! forms and development information, and the Server/DC attachment download path. Shared
//! helpers: Jira's error bodies, offset paging parameters, "may this user see the issue".

pub mod activity;
pub mod agile;
pub mod edit;
pub mod fields;
pub mod files;
pub mod issues;
pub mod jsm;
pub mod meta;
pub mod projects;
pub mod render;
pub mod requests;
pub mod search;

use crate::Flavour;
use crate::auth::{self, Family};
use crate::http::{Req, Resp};
use crate::router::Ctx;
use crate::store::Store;
use render::Api;
use serde_json::json;

pub fn err(status: u16, msg: &str) -> Resp {
    auth::error(Family::Jira, status, msg)
}

/// A 400 naming one field, as Jira reports validation problems.
pub fn field_err(status: u16, field: &str, msg: &str) -> Resp {
    Resp::json(
        status,
        &json!({"errorMessages": [], "errors": {field: msg}}),
    )
}

/// `startAt`/`maxResults` with a default and a cap.
pub fn page_params(req: &Req, default_max: usize, cap: usize) -> Result<(usize, usize), Resp> {
    let start = req.q_int("startAt", 0).map_err(|e| err(400, &e))?.max(0) as usize;
    let max = req
        .q_int("maxResults", default_max as i64)
        .map_err(|e| err(400, &e))?;
    let max = if max <= 0 {
        default_max
    } else {
        (max as usize).min(cap)
    };
    Ok((start, max))
}

/// The index of an issue the caller may see, or Jira's 404.
pub fn visible_issue(ctx: &Ctx, key: &str) -> Result<usize, Resp> {
    ctx.st
        .issue_index(key)
        .filter(|i| ctx.user.sees_project(ctx.st.jira.issues[*i].project()))
        .ok_or_else(|| {
            err(
                404,
                "Issue does not exist or you do not have permission to see it.",
            )
        })
}

pub fn server_info(st: &Store, flavour: Flavour, base: &str) -> Resp {
    meta::server_info(st, flavour, base)
}

fn api_of(ctx: &Ctx, version: &str) -> Option<Api> {
    match (version, ctx.flavour) {
        ("3", Flavour::Cloud) => Some(Api::V3),
        ("2" | "latest", Flavour::Cloud) => Some(Api::CloudV2),
        ("2" | "latest", Flavour::Server) => Some(Api::Dc),
        _ => None,
    }
}

pub fn route(ctx: &mut Ctx, method: &str, req: &Req) -> Option<Resp> {
    let segs = req.segments();
    let s: Vec<&str> = segs.iter().map(String::as_str).collect();
    let v2 = if ctx.cloud() { Api::CloudV2 } else { Api::Dc };
    match s.as_slice() {
        ["rest", "api", version, rest @ ..] => {
            let api = api_of(ctx, version)?;
            platform(ctx, api, method, rest, req)
        }
        ["rest", "agile", "1.0", rest @ ..] => agile::route(ctx, v2, method, rest, req),
        ["rest", "servicedeskapi", rest @ ..] => jsm::route(ctx, v2, method, rest, req),
        ["rest", "dev-status", "latest" | "1.0", "issue", what] => {
            Some(jsm::dev_status(ctx, what, req))
        }
        ["jira", "forms", "cloud", cloud_id, "issue", key, rest @ ..] if ctx.cloud() => {
            Some(jsm::forms(ctx, method, cloud_id, key, rest, req))
        }
        ["secure", "attachment", id, ..] if !ctx.cloud() && method == "GET" => {
            Some(files::attachment(ctx, Api::Dc, id, req, "content"))
        }
        _ => None,
    }
}

fn platform(ctx: &mut Ctx, api: Api, method: &str, rest: &[&str], req: &Req) -> Option<Resp> {
    let cloud = api.cloud();
    Some(match (method, rest) {
        ("GET", ["issue", "createmeta"]) => meta::createmeta_legacy(ctx, api, req),
        ("GET", ["issue", "createmeta", p, "issuetypes"]) => {
            meta::createmeta(ctx, api, p, None, req)
        }
        ("GET", ["issue", "createmeta", p, "issuetypes", t]) => {
            meta::createmeta(ctx, api, p, Some(t), req)
        }
        ("POST", ["issue"]) => issues::create(ctx, api, req),
        ("POST", ["issue", "bulk"]) => issues::bulk_create(ctx, api, req),
        ("GET", ["issue", key]) => issues::get(ctx, api, key, req),
        ("PUT", ["issue", key]) => issues::update(ctx, api, key, req),
        ("DELETE", ["issue", key]) => issues::delete(ctx, key, req),
        ("PUT", ["issue", key, "assignee"]) => issues::assign(ctx, api, key, req),
        ("GET", ["issue", key, "transitions"]) => issues::get_transitions(ctx, api, key, req),
        ("POST", ["issue", key, "transitions"]) => issues::do_transition(ctx, api, key, req),
        ("GET", ["issue", key, "comment"]) => activity::list_comments(ctx, api, key, req),
        ("POST", ["issue", key, "comment"]) => activity::add_comment(ctx, api, key, req),
        ("PUT", ["issue", key, "comment", id]) => {
            activity::edit_comment(ctx, api, key, id, req, false)
        }
        ("DELETE", ["issue", key, "comment", id]) => {
            activity::edit_comment(ctx, api, key, id, req, true)
        }
        ("GET", ["issue", key, "worklog"]) => activity::list_worklogs(ctx, api, key, req),
        ("POST", ["issue", key, "worklog"]) => activity::add_worklog(ctx, api, key, req),
        ("GET", ["issue", key, "changelog"]) if cloud => activity::changelog(ctx, api, key, req),
        ("POST", ["changelog", "bulkfetch"]) if cloud => activity::bulk_changelog(ctx, api, req),
        (m @ ("GET" | "POST" | "DELETE"), ["issue", key, "watchers"]) => {
            activity::watchers(ctx, api, key, req, m)
        }
        (m @ ("GET" | "POST"), ["issue", key, "remotelink"]) => {
            files::remote_links(ctx, api, key, req, m, None)
        }
        ("DELETE", ["issue", key, "remotelink", id]) => {
            files::remote_links(ctx, api, key, req, "DELETE", Some(id))
        }
        ("POST", ["issue", key, "attachments"]) => files::upload(ctx, api, key, req),
        ("GET", ["attachment", "content", id]) if cloud => {
            files::attachment(ctx, api, id, req, "content")
        }
        ("GET", ["attachment", "thumbnail", id]) if cloud => {
            files::attachment(ctx, api, id, req, "thumbnail")
        }
        ("GET", ["attachment", id]) => files::attachment(ctx, api, id, req, "meta"),
        ("DELETE", ["attachment", id]) => files::attachment(ctx, api, id, req, "delete"),
        ("POST", ["issueLink"]) => activity::create_link(ctx, api, req),
        ("GET", ["issueLink", id]) => activity::get_link(ctx, api, id),
        ("DELETE", ["issueLink", id]) => activity::delete_link(ctx, id),
        ("GET", ["issueLinkType"]) => activity::link_types(ctx, api),
        ("GET" | "POST", ["search"]) if cloud => search::gone(api),
        ("GET" | "POST", ["search"]) => search::search_offset(ctx, api, method, req),
        ("GET" | "POST", ["search", "jql"]) if cloud => search::search_jql(ctx, api, method, req),
        ("POST", ["search", "approximate-count"]) if cloud => search::approximate_count(ctx, req),
        ("GET", ["field"]) => meta::fields(ctx, api),
        ("GET", ["field", "search"]) if cloud => meta::field_search(ctx, api, req),
        ("GET", ["field", f, "context"]) if cloud => meta::field_contexts(ctx, api, f, None, req),
        ("GET", ["field", f, "context", c, "option"]) if cloud => {
            meta::field_contexts(ctx, api, f, Some(c), req)
        }
        ("GET", ["myself"]) => meta::myself(ctx, api),
        ("GET", ["serverInfo"]) => meta::server_info(ctx.st, ctx.flavour, ctx.base),
        ("GET", ["project"]) => projects::projects(ctx, api, req),
        ("GET", ["project", "search"]) if cloud => projects::project_search(ctx, api, req),
        ("GET", ["project", key]) => projects::project(ctx, api, key, None, req),
        ("GET", ["project", key, sub]) => projects::project(ctx, api, key, Some(sub), req),
        ("POST", ["version"]) => projects::write_version(ctx, api, None, req),
        ("GET", ["version", id]) => projects::version(ctx, api, id),
        ("PUT", ["version", id]) => projects::write_version(ctx, api, Some(id), req),
        ("GET", [what @ ("priority" | "status" | "resolution" | "issuetype")]) => {
            meta::simple_list(ctx, api, what)
        }
        ("GET", ["user"]) => meta::user(ctx, api, req),
        ("GET", ["user", "search"]) => meta::user_search(ctx, api, req, false),
        ("GET", ["user", "assignable", "search"]) => meta::user_search(ctx, api, req, true),
        ("POST", ["bulk", "issues", "move"]) if cloud => jsm::bulk_move(ctx, api, req),
        ("GET", ["bulk", "queue", id]) if cloud => jsm::bulk_progress(ctx, id),
        _ => return None,
    })
}

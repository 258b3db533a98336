//! Files and remote links on issues: multipart upload (refused without
//! `X-Atlassian-Token: no-check`, as Jira's XSRF check does), metadata, delete, download (Cloud
//! answers `GET /attachment/content/{id}` with a 303 to a media URL that carries its own token;
//! Server/DC serves `/secure/attachment/{id}/{name}`), and remote (web) links with `globalId`
//! upserts.

use super::render::{Api, R};
use super::{err, visible_issue};
use crate::http::{Req, Resp, multipart};
use crate::model::{Attachment, RemoteLink};
use crate::router::Ctx;
use crate::time;
use serde_json::json;

pub fn remote_links(
    ctx: &mut Ctx,
    api: Api,
    key: &str,
    req: &Req,
    method: &str,
    link_id: Option<&str>,
) -> Resp {
    let idx = match visible_issue(ctx, key) {
        Ok(i) => i,
        Err(r) => return r,
    };
    let render = |i: &crate::model::Issue, l: &RemoteLink| {
        let mut o = json!({"url": l.url, "title": l.title});
        if let Some(s) = &l.summary {
            o["summary"] = json!(s);
        }
        if let Some(icon) = &l.icon {
            o["icon"] = json!({"url16x16": icon, "title": l.title});
        }
        let mut v = json!({"id": l.id, "self": format!("{}{}/issue/{}/remotelink/{}", ctx.base, api.prefix(), i.key, l.id), "object": o});
        if let Some(g) = &l.global_id {
            v["globalId"] = json!(g);
        }
        if let Some(r) = &l.relationship {
            v["relationship"] = json!(r);
        }
        v
    };
    match (method, link_id) {
        ("GET", None) => {
            let i = &ctx.st.jira.issues[idx];
            Resp::ok(json!(
                i.remote_links
                    .iter()
                    .map(|l| render(i, l))
                    .collect::<Vec<_>>()
            ))
        }
        ("DELETE", Some(id)) => {
            let links = &mut ctx.st.jira.issues[idx].remote_links;
            let before = links.len();
            links.retain(|l| l.id.to_string() != id);
            if links.len() == before {
                err(404, "No remote link with that id exists.")
            } else {
                Resp::empty(204)
            }
        }
        ("POST", None) => {
            let body = match super::activity::body_json(req) {
                Ok(b) => b,
                Err(r) => return r,
            };
            let (Some(url), Some(title)) = (
                body["object"]["url"].as_str(),
                body["object"]["title"].as_str(),
            ) else {
                return super::field_err(
                    400,
                    "object",
                    "The remote link needs object.url and object.title.",
                );
            };
            let global = body["globalId"].as_str().map(String::from);
            let i = &mut ctx.st.jira.issues[idx];
            if let Some(existing) = global.as_ref().and_then(|g| {
                i.remote_links
                    .iter_mut()
                    .find(|l| l.global_id.as_ref() == Some(g))
            }) {
                existing.url = url.into();
                existing.title = title.into();
                let id = existing.id;
                let key = i.key.clone();
                return Resp::ok(
                    json!({"id": id, "self": format!("{}{}/issue/{key}/remotelink/{id}", ctx.base, api.prefix())}),
                );
            }
            let id = ctx.st.new_id();
            let l = RemoteLink {
                id,
                global_id: global,
                url: url.into(),
                title: title.into(),
                summary: body["object"]["summary"].as_str().map(String::from),
                relationship: body["relationship"].as_str().map(String::from),
                icon: body["object"]["icon"]["url16x16"]
                    .as_str()
                    .map(String::from),
            };
            let i = &mut ctx.st.jira.issues[idx];
            i.remote_links.push(l);
            let key = i.key.clone();
            Resp::json(
                201,
                &json!({"id": id, "self": format!("{}{}/issue/{key}/remotelink/{id}", ctx.base, api.prefix())}),
            )
        }
        _ => err(405, "Method not allowed"),
    }
}

pub fn upload(ctx: &mut Ctx, api: Api, key: &str, req: &Req) -> Resp {
    let idx = match visible_issue(ctx, key) {
        Ok(i) => i,
        Err(r) => return r,
    };
    if !req
        .header("X-Atlassian-Token")
        .is_some_and(|v| v.eq_ignore_ascii_case("no-check") || v.eq_ignore_ascii_case("nocheck"))
    {
        return Resp::bytes(
            403,
            "text/plain;charset=UTF-8",
            b"XSRF check failed".to_vec(),
        );
    }
    let Some(parts) = multipart(req) else {
        return err(
            415,
            "Send multipart/form-data with one or more parts named 'file'.",
        );
    };
    let files: Vec<_> = parts.into_iter().filter(|p| p.name == "file").collect();
    if files.is_empty() {
        return err(400, "The multipart body has no part named 'file'.");
    }
    let mut out = Vec::new();
    for f in files {
        let id = ctx.st.new_id();
        let filename = f.filename.clone().unwrap_or_else(|| "upload.bin".into());
        let mime = f
            .content_type
            .clone()
            .unwrap_or_else(|| guess_mime(&filename).into());
        let a = Attachment {
            id,
            filename,
            mime,
            author: ctx.user.username.clone(),
            created: time::now(),
            text: None,
            b64: None,
            data: f.data,
            comment: String::new(),
            version: 1,
        };
        ctx.st.jira.issues[idx].attachments.push(a.clone());
        out.push(a);
    }
    let r = R::new(ctx.st, api, ctx.base);
    Resp::ok(json!(
        out.iter().map(|a| r.attachment(a)).collect::<Vec<_>>()
    ))
}

pub fn guess_mime(name: &str) -> &'static str {
    match name
        .rsplit('.')
        .next()
        .unwrap_or("")
        .to_ascii_lowercase()
        .as_str()
    {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "svg" => "image/svg+xml",
        "txt" | "log" => "text/plain",
        "md" => "text/markdown",
        "json" => "application/json",
        "pdf" => "application/pdf",
        "csv" => "text/csv",
        "zip" => "application/zip",
        _ => "application/octet-stream",
    }
}

fn find_attachment(ctx: &Ctx, id: &str) -> Option<(usize, usize)> {
    ctx.st.jira.issues.iter().enumerate().find_map(|(n, i)| {
        let pos = i.attachments.iter().position(|a| a.id.to_string() == id)?;
        ctx.user.sees_project(i.project()).then_some((n, pos))
    })
}

/// `GET /attachment/{id}` (metadata), `DELETE`, `GET /attachment/content/{id}` and the DC
/// `/secure/attachment/{id}/{name}` download. Cloud's content answers 303 unless `redirect=false`.
pub fn attachment(ctx: &mut Ctx, api: Api, id: &str, req: &Req, what: &str) -> Resp {
    let Some((i, a)) = find_attachment(ctx, id) else {
        return err(
            404,
            &format!("The attachment with id '{id}' does not exist."),
        );
    };
    match what {
        "meta" => {
            let r = R::new(ctx.st, api, ctx.base);
            let mut v = r.attachment(&ctx.st.jira.issues[i].attachments[a]);
            v["id"] = json!(ctx.st.jira.issues[i].attachments[a].id);
            Resp::ok(v)
        }
        "delete" => {
            ctx.st.jira.issues[i].attachments.remove(a);
            Resp::empty(204)
        }
        "content" if api.cloud() && req.q("redirect") != Some("false") => {
            let att = &ctx.st.jira.issues[i].attachments[a];
            let token = crate::http::base64_encode(format!("media:{}", att.id).as_bytes());
            let to = format!(
                "{}/media/file/{}/binary?token={}&name={}",
                ctx.base,
                att.id,
                crate::http::percent_encode(&token),
                crate::http::percent_encode(&att.filename)
            );
            Resp::empty(303).with_header("Location", &to)
        }
        _ => {
            let att = &ctx.st.jira.issues[i].attachments[a];
            Resp::bytes(200, &att.mime, att.data.clone()).with_header(
                "Content-Disposition",
                &format!("attachment; filename=\"{}\"", att.filename),
            )
        }
    }
}

//! Issue search in both eras. Cloud: `GET|POST /rest/api/3/search/jql` (token paging,
//! `nextPageToken`, no `total`, default fields = id only, bounded JQL required) and
//! `POST /search/approximate-count` (closed bodies: an unknown property is a 400); the removed
//! `/rest/api/{2,3}/search` answers 410 with Atlassian's text. Server/DC:
//! `GET|POST /rest/api/2/search` with startAt/maxResults/total.

use super::fields::{self, Sel};
use super::render::{Api, R};
use crate::http::{Req, Resp};
use crate::jql;
use crate::router::Ctx;
use serde_json::{Value, json};

/// Search parameters from the query string (GET) or JSON body (POST).
struct Params {
    jql: String,
    start: usize,
    max: usize,
    token: Option<String>,
    fields: Vec<String>,
    expand: Vec<String>,
    properties: Vec<String>,
}

fn list(v: &Value) -> Vec<String> {
    match v {
        Value::Array(a) => a
            .iter()
            .filter_map(|x| x.as_str().map(String::from))
            .collect(),
        Value::String(s) => s
            .split(',')
            .map(|x| x.trim().to_string())
            .filter(|x| !x.is_empty())
            .collect(),
        _ => Vec::new(),
    }
}

fn params(req: &Req, method: &str) -> Result<Params, Resp> {
    if method == "POST" {
        let body = match req.json() {
            Ok(Some(b)) => b,
            Ok(None) => Value::Null,
            Err(e) => return Err(super::err(400, &e)),
        };
        let num = |k: &str, d: i64| -> Result<i64, Resp> {
            match &body[k] {
                Value::Null => Ok(d),
                v => v.as_i64().ok_or_else(|| {
                    super::err(400, &format!("The value of '{k}' must be an integer."))
                }),
            }
        };
        Ok(Params {
            jql: body["jql"].as_str().unwrap_or("").to_string(),
            start: num("startAt", 0)?.max(0) as usize,
            max: num("maxResults", 50)?.max(0) as usize,
            token: body["nextPageToken"].as_str().map(String::from),
            fields: list(&body["fields"]),
            expand: list(&body["expand"]),
            properties: list(&body["properties"]),
        })
    } else {
        let num = |k: &str, d: i64| req.q_int(k, d).map_err(|e| super::err(400, &e));
        Ok(Params {
            jql: req.q("jql").unwrap_or("").to_string(),
            start: num("startAt", 0)?.max(0) as usize,
            max: num("maxResults", 50)?.max(0) as usize,
            token: req.q("nextPageToken").map(String::from),
            fields: req.q_list("fields"),
            expand: req.q_list("expand"),
            properties: req.q_list("properties"),
        })
    }
}

/// The 410 Atlassian returns for the retired Cloud search endpoints.
pub fn gone(api: Api) -> Resp {
    let v = if api == Api::V3 { "3" } else { "2" };
    super::err(
        410,
        &format!(
            "The requested API has been removed. Please migrate to the /rest/api/{v}/search/jql API. A full migration guideline is available at https://developer.atlassian.com/changelog/#CHANGE-2046"
        ),
    )
}

fn page(
    ctx: &Ctx,
    api: Api,
    hits: &[usize],
    p: &Params,
    default_fields: &str,
) -> (Vec<Value>, Value, Value) {
    let r = R::new(ctx.st, api, ctx.base);
    let sel = Sel::parse(&p.fields, default_fields);
    let issues: Vec<Value> = hits
        .iter()
        .map(|n| fields::issue(&r, &ctx.st.jira.issues[*n], &sel, &p.expand, &p.properties))
        .collect();
    let shown: Vec<String> = fields::field_ids(&r)
        .into_iter()
        .map(|(id, _)| id)
        .filter(|id| issues.iter().any(|i| i["fields"].get(id).is_some()))
        .collect();
    let (names, schema) = r.names_and_schema(&shown);
    (issues, names, schema)
}

/// Cloud's search beans are closed (`additionalProperties: false`): a property they do not
/// define (e.g. the old search's `startAt`) or a value of the wrong JSON type is refused with
/// this text.
fn closed_body(req: &Req, allowed: &[(&str, &str)]) -> Result<(), Resp> {
    let bad = || {
        super::err(
            400,
            "Invalid request payload. Refer to the REST API documentation and try again.",
        )
    };
    let Ok(Some(body)) = req.json() else {
        return Ok(());
    };
    let Some(obj) = body.as_object() else {
        return Err(bad());
    };
    for (k, v) in obj {
        let ok = match allowed.iter().find(|(n, _)| n == k).map(|(_, t)| *t) {
            None => false,
            Some(_) if v.is_null() => true,
            Some("string") => v.is_string(),
            Some("integer") => v.is_i64(),
            Some("boolean") => v.is_boolean(),
            Some("array") => v.is_array(),
            Some(_) => true,
        };
        if !ok {
            return Err(bad());
        }
    }
    Ok(())
}

/// Cloud `/search/jql`.
pub fn search_jql(ctx: &mut Ctx, api: Api, method: &str, req: &Req) -> Resp {
    if method == "POST" {
        let allowed = [
            ("jql", "string"),
            ("nextPageToken", "string"),
            ("maxResults", "integer"),
            ("fields", "array"),
            ("expand", "string"),
            ("properties", "array"),
            ("fieldsByKeys", "boolean"),
            ("reconcileIssues", "array"),
        ];
        if let Err(r) = closed_body(req, &allowed) {
            return r;
        }
    }
    let p = match params(req, method) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let q = match jql::compile(ctx.st, &p.jql) {
        Ok(q) => q,
        Err(e) => return super::err(400, &e),
    };
    if !jql::bounded(&q) {
        return super::err(
            400,
            "Unbounded JQL queries are not allowed here. Please add a search restriction to your query.",
        );
    }
    let hits = match jql::run(ctx.st, &ctx.user, &q) {
        Ok(h) => h,
        Err(e) => return super::err(400, &e),
    };
    let start = match &p.token {
        None => 0,
        Some(t) => match decode_token(t) {
            Some(n) => n,
            None => return super::err(400, "The provided next page token is invalid or expired."),
        },
    };
    let only_ids = p.fields.is_empty() || p.fields.iter().all(|f| f == "id" || f == "key");
    let cap = if only_ids { 5000 } else { 100 };
    let max = if p.max == 0 { 50 } else { p.max.min(cap) };
    let slice: Vec<usize> = hits.iter().skip(start).take(max).copied().collect();
    let (issues, names, schema) = page(ctx, api, &slice, &p, "id");
    let mut v = json!({"issues": issues, "isLast": start + max >= hits.len()});
    if start + max < hits.len() {
        v["nextPageToken"] = json!(encode_token(start + max));
    }
    if p.expand.iter().any(|e| e == "names") {
        v["names"] = names;
    }
    if p.expand.iter().any(|e| e == "schema") {
        v["schema"] = schema;
    }
    Resp::ok(v)
}

/// Tokens look opaque but carry the offset (and a check digit, so edited tokens fail).
fn encode_token(n: usize) -> String {
    crate::http::base64_encode(format!("sbx:{n}:{}", n % 7).as_bytes())
}

fn decode_token(t: &str) -> Option<usize> {
    let raw = String::from_utf8(crate::http::base64_decode(t)?).ok()?;
    let mut it = raw.strip_prefix("sbx:")?.split(':');
    let n: usize = it.next()?.parse().ok()?;
    (it.next()?.parse::<usize>().ok()? == n % 7).then_some(n)
}

pub fn approximate_count(ctx: &mut Ctx, req: &Req) -> Resp {
    if let Err(r) = closed_body(req, &[("jql", "string")]) {
        return r;
    }
    let body = req.json().ok().flatten().unwrap_or(Value::Null);
    let src = body["jql"].as_str().unwrap_or("");
    let q = match jql::compile(ctx.st, src) {
        Ok(q) => q,
        Err(e) => return super::err(400, &e),
    };
    if !jql::bounded(&q) {
        return super::err(
            400,
            "Unbounded JQL queries are not allowed here. Please add a search restriction to your query.",
        );
    }
    match jql::run(ctx.st, &ctx.user, &q) {
        Ok(h) => Resp::ok(json!({"count": h.len()})),
        Err(e) => super::err(400, &e),
    }
}

/// Server/DC `/rest/api/2/search`.
pub fn search_offset(ctx: &mut Ctx, api: Api, method: &str, req: &Req) -> Resp {
    let p = match params(req, method) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let q = match jql::compile(ctx.st, &p.jql) {
        Ok(q) => q,
        Err(e) => return super::err(400, &e),
    };
    let hits = match jql::run(ctx.st, &ctx.user, &q) {
        Ok(h) => h,
        Err(e) => return super::err(400, &e),
    };
    let max = p.max.min(1000);
    let slice: Vec<usize> = hits.iter().skip(p.start).take(max).copied().collect();
    let (issues, names, schema) = page(ctx, api, &slice, &p, "*navigable");
    let mut v = json!({"expand": "names,schema", "startAt": p.start, "maxResults": max, "total": hits.len(), "issues": issues});
    if p.expand.iter().any(|e| e == "names") {
        v["names"] = names;
    }
    if p.expand.iter().any(|e| e == "schema") {
        v["schema"] = schema;
    }
    Resp::ok(v)
}

/// Issues matching `jql` (already restricted) for the Agile and JSM lists: offset paging.
pub fn offset_issues(
    ctx: &Ctx,
    api: Api,
    hits: &[usize],
    req: &Req,
    default_max: usize,
) -> Result<Value, Resp> {
    let (start, max) = super::page_params(req, default_max, 1000)?;
    let slice: Vec<usize> = hits.iter().skip(start).take(max).copied().collect();
    let p = Params {
        jql: String::new(),
        start,
        max,
        token: None,
        fields: req.q_list("fields"),
        expand: req.q_list("expand"),
        properties: Vec::new(),
    };
    let (issues, _, _) = page(ctx, api, &slice, &p, "*navigable");
    Ok(
        json!({"expand": "schema,names", "startAt": start, "maxResults": max, "total": hits.len(), "issues": issues}),
    )
}

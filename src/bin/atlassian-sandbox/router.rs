//! The request pipeline every worker runs: read the tiny_http request into a [`Req`], strip the
//! gateway (`/ex/{jira|confluence}/{cloudId}`) or context path (`/jira`, `/confluence`), answer
//! control endpoints, pick a fault (header or global rule), identify the caller, route to the
//! Jira, Confluence or OAuth handlers, log the exchange, and write the answer (or break the
//! connection, when the fault says so).

use crate::Flavour;
use crate::Locked;
use crate::auth::{self, Caller, Family};
use crate::faults::{self, Fault, Rule};
use crate::http::{MAX_BODY, Req, Resp, parse_query};
use crate::model::User;
use crate::net::Connections;
use crate::store::Store;
use crate::{confluence, control, jira, oauth, time};
use serde_json::{Value, json};
use std::io::Read;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Shared state of the running sandbox.
pub struct App {
    pub flavour: Flavour,
    pub base: String,
    pub state: Mutex<Store>,
    pub seed: Store,
    pub log: Mutex<Vec<Value>>,
    pub rules: Mutex<Vec<Rule>>,
    pub seq: Mutex<u64>,
    pub conns: Arc<Connections>,
    pub verbose: bool,
}

impl App {
    pub fn new(
        flavour: Flavour,
        base: String,
        seed: Store,
        conns: Arc<Connections>,
        verbose: bool,
    ) -> App {
        App {
            flavour,
            base,
            state: Mutex::new(seed.clone()),
            seed,
            log: Mutex::new(Vec::new()),
            rules: Mutex::new(Vec::new()),
            seq: Mutex::new(0),
            conns,
            verbose,
        }
    }
}

/// What a handler sees: the state (locked), the caller, the flavour and the public base URL.
pub struct Ctx<'a> {
    pub st: &'a mut Store,
    pub user: User,
    pub flavour: Flavour,
    pub base: &'a str,
}

impl Ctx<'_> {
    pub fn cloud(&self) -> bool {
        self.flavour == Flavour::Cloud
    }
}

/// Pulls requests off the internal server forever.
pub fn worker(server: &tiny_http::Server, app: &App) {
    loop {
        match server.recv() {
            Ok(rq) => {
                // A handler bug answers 500 (tiny_http does so for a dropped request) and the
                // worker carries on; locks ignore poisoning, so the state stays usable.
                let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| handle(app, rq)));
            }
            Err(e) => {
                eprintln!("atlassian-sandbox: receive failed: {e}");
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }
}

fn read_request(rq: &mut tiny_http::Request) -> Result<Req, Resp> {
    let url = rq.url().to_string();
    let (path, raw_query) = url.split_once('?').unwrap_or((&url, ""));
    let headers: Vec<(String, String)> = rq
        .headers()
        .iter()
        .map(|h| (h.field.as_str().to_string(), h.value.as_str().to_string()))
        .collect();
    let mut req = Req {
        method: rq.method().as_str().to_ascii_uppercase(),
        path: path.to_string(),
        raw_query: raw_query.to_string(),
        query: parse_query(raw_query),
        headers,
        body: Vec::new(),
    };
    if rq.body_length().unwrap_or(0) > MAX_BODY {
        return Err(auth::error(
            Family::Other,
            413,
            "The request body is too large.",
        ));
    }
    let mut body = Vec::new();
    if rq
        .as_reader()
        .take(MAX_BODY as u64 + 1)
        .read_to_end(&mut body)
        .is_err()
    {
        return Err(auth::error(
            Family::Other,
            400,
            "Could not read the request body.",
        ));
    }
    if body.len() > MAX_BODY {
        return Err(auth::error(
            Family::Other,
            413,
            "The request body is too large.",
        ));
    }
    req.body = body;
    Ok(req)
}

/// Removes `/ex/{product}/{cloudId}` (Cloud) or `/jira`, `/confluence` (Server/DC); true when the
/// request came through the API gateway form.
fn strip_prefix(app: &App, req: &mut Req, cloud_id: &str) -> Result<bool, Resp> {
    let path = req.path.clone();
    if let Some(rest) = path.strip_prefix("/ex/") {
        if app.flavour != Flavour::Cloud {
            return Err(auth::error(
                Family::Other,
                404,
                "The gateway form exists on Cloud only.",
            ));
        }
        let mut it = rest.splitn(3, '/');
        let (product, id, tail) = (it.next(), it.next(), it.next().unwrap_or(""));
        if !matches!(product, Some("jira") | Some("confluence")) || id != Some(cloud_id) {
            return Err(auth::error(
                Family::Other,
                404,
                "Unknown product or cloud id in the gateway path.",
            ));
        }
        req.path = format!("/{tail}");
        return Ok(true);
    } else if app.flavour == Flavour::Server {
        for ctx in ["/jira/", "/confluence/"] {
            if let Some(rest) = path.strip_prefix(ctx) {
                req.path = format!("/{rest}");
            }
        }
    }
    Ok(false)
}

fn handle(app: &App, mut rq: tiny_http::Request) {
    let started = Instant::now();
    let peer = rq.remote_addr().copied();
    let mut req = match read_request(&mut rq) {
        Ok(r) => r,
        Err(resp) => {
            respond(rq, resp);
            return;
        }
    };
    let original_path = req.path.clone();
    let cloud_id = app.state.locked().site.cloud_id.clone();
    let gateway = match strip_prefix(app, &mut req, &cloud_id) {
        Ok(g) => g,
        Err(resp) => {
            respond(rq, resp);
            return;
        }
    };
    if req.path.starts_with("/__sandbox/") || req.path == "/__sandbox" {
        respond(rq, control::handle(app, &req));
        return;
    }
    let (fault_spec, faults) = match req.header("X-Sandbox-Fault") {
        Some(spec) => match faults::parse(spec) {
            Ok(f) => (Some(spec.to_string()), f),
            Err(e) => {
                let resp = auth::error(Family::Other, 400, &format!("X-Sandbox-Fault: {e}"));
                respond(rq, resp);
                return;
            }
        },
        None => match faults::take(&mut app.rules.locked(), &req.method, &req.path) {
            Some((spec, f)) => (Some(spec), f),
            None => (None, Vec::new()),
        },
    };
    let caller = auth::identify(&app.state.locked(), app.flavour, &req);
    let username = match &caller {
        Caller::User(u) => Some(u.username.clone()),
        _ => None,
    };
    for f in &faults {
        if let Fault::Latency(ms) = f {
            std::thread::sleep(Duration::from_millis(*ms));
        }
    }
    let fam = auth::family(app.flavour, &req.path);
    let status_fault = faults.iter().find_map(|f| match f {
        Fault::Status { code, retry_after } => Some((*code, *retry_after)),
        _ => None,
    });
    let mut entry = json!({
        "method": req.method,
        "host": req.header("Host"),
        "path": original_path,
        "query": req.raw_query,
        "params": params(&req),
        "user": username,
        "auth": req.header("Authorization").map(|h| h.split(' ').next().unwrap_or("").to_ascii_lowercase()),
        "fault": fault_spec,
        "content_type": req.header("Content-Type"),
        "body_bytes": req.body.len(),
    });
    if let Ok(Some(body)) = req.json() {
        if req.body.len() <= 64 * 1024 {
            entry["body"] = body;
        }
    }
    if faults.contains(&Fault::Reset) {
        app.conns.reset(peer.as_ref());
        record(app, entry, 0, started);
        drop(rq);
        return;
    }
    let resp = match status_fault {
        Some((code, retry_after)) => fault_response(fam, code, retry_after),
        None => route(app, &req, caller, gateway),
    };
    let resp = with_common_headers(app, resp, username.as_deref());
    record(app, entry, resp.status, started);
    if let Some(Fault::Truncate(bytes)) = faults.iter().find(|f| matches!(f, Fault::Truncate(_))) {
        let cut = bytes.unwrap_or(resp.body.len() / 2).min(resp.body.len());
        let mut raw = format!("HTTP/1.1 {} {}\r\n", resp.status, auth::reason(resp.status));
        for (k, v) in &resp.headers {
            raw.push_str(&format!("{k}: {v}\r\n"));
        }
        raw.push_str(&format!("Content-Length: {}\r\n\r\n", resp.body.len()));
        let mut bytes = raw.into_bytes();
        bytes.extend_from_slice(&resp.body[..cut]);
        app.conns.send_and_close(peer.as_ref(), &bytes);
        drop(rq);
        return;
    }
    if app.verbose {
        eprintln!("{} {} -> {}", req.method, req.path, resp.status);
    }
    respond(rq, resp);
}

fn params(req: &Req) -> Value {
    let mut map = serde_json::Map::new();
    for (k, v) in &req.query {
        map.entry(k.clone())
            .or_insert_with(|| Value::String(v.clone()));
    }
    Value::Object(map)
}

fn record(app: &App, mut entry: Value, status: u16, started: Instant) {
    let seq = {
        let mut s = app.seq.locked();
        *s += 1;
        *s
    };
    entry["seq"] = json!(seq);
    entry["status"] = json!(status);
    entry["time"] = json!(time::conf(&time::now()));
    entry["ms"] = json!(started.elapsed().as_millis() as u64);
    let mut log = app.log.locked();
    if log.len() >= 10_000 {
        log.drain(..1000);
    }
    log.push(entry);
}

fn fault_response(fam: Family, code: u16, retry_after: Option<u64>) -> Resp {
    let mut resp = match code {
        502 => Resp::bytes(
            502,
            "text/html",
            b"<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>"
                .to_vec(),
        ),
        429 => auth::error(fam, 429, "Rate limit exceeded."),
        503 => auth::error(fam, 503, "The service is temporarily unavailable."),
        500 => auth::error(fam, 500, "Internal server error."),
        c => auth::error(fam, c, auth::reason(c)),
    };
    if let Some(secs) = retry_after {
        resp = resp.with_header("Retry-After", &secs.to_string());
    }
    if code == 429 {
        let reset = time::format_ms(time::now_ms() + retry_after.unwrap_or(1) as i64 * 1000);
        resp = resp
            .with_header("X-RateLimit-Limit", "100")
            .with_header("X-RateLimit-Remaining", "0")
            .with_header("X-RateLimit-Reset", &time::conf(&reset))
            .with_header("RateLimit-Reason", "jira-burst-based");
    }
    resp
}

fn with_common_headers(app: &App, resp: Resp, user: Option<&str>) -> Resp {
    let mut resp = resp.with_header("X-Sandbox", app.flavour.name());
    if let Some(u) = user {
        let st = app.state.locked();
        if let Some(user) = st.user(u) {
            resp = match app.flavour {
                Flavour::Cloud => resp.with_header("X-AAccountId", &user.account_id),
                Flavour::Server => resp.with_header("X-AUSERNAME", &user.username),
            };
        }
    }
    resp
}

/// Public endpoints first, then credentials, then the product routers (through the API
/// gateway, the Confluence v1 endpoints Atlassian removed there answer 410 Gone).
fn route(app: &App, req: &Req, caller: Caller, gateway: bool) -> Resp {
    let fam = auth::family(app.flavour, &req.path);
    if let Some(resp) = oauth::public(app, req) {
        return resp;
    }
    let mut st = app.state.locked();
    let user = match caller {
        Caller::User(u) => u,
        Caller::Anonymous => {
            if req.path.ends_with("/serverInfo") && fam == Family::Jira {
                return jira::server_info(&st, app.flavour, &app.base);
            }
            return auth::unauthorized(app.flavour, &req.path, "no credentials");
        }
        Caller::Rejected(why) => return auth::unauthorized(app.flavour, &req.path, why),
    };
    if gateway && fam == Family::ConfluenceV1 {
        if let Some(gone) = confluence::gateway_gone(&req.method, req) {
            return gone;
        }
    }
    let mut ctx = Ctx {
        st: &mut st,
        user: *user,
        flavour: app.flavour,
        base: &app.base,
    };
    let method = if req.method == "HEAD" {
        "GET"
    } else {
        req.method.as_str()
    };
    let found = match fam {
        Family::Jira => jira::route(&mut ctx, method, req),
        Family::ConfluenceV1 | Family::ConfluenceV2 => confluence::route(&mut ctx, method, req),
        Family::Other => oauth::private(&mut ctx, method, req),
    };
    found.unwrap_or_else(|| {
        auth::error(
            fam,
            404,
            &format!(
                "The sandbox ({}) does not serve {} {}.",
                app.flavour.name(),
                req.method,
                req.path
            ),
        )
    })
}

fn respond(rq: tiny_http::Request, resp: Resp) {
    let mut out = tiny_http::Response::from_data(resp.body).with_status_code(resp.status);
    for (k, v) in &resp.headers {
        if let Ok(h) = tiny_http::Header::from_bytes(k.as_bytes(), v.as_bytes()) {
            out.add_header(h);
        }
    }
    let _ = rq.respond(out);
}

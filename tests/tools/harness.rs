//! The machinery of the table-driven tool tests: one sandbox per deployment for the whole test
//! binary, long-lived `mcp-atlassian` stdio servers (one per deployment and configuration) that
//! the rows call through real JSON-RPC, and the row runner, which checks each result, the
//! upstream requests the sandbox logged, and every one of those requests against Atlassian's
//! official OpenAPI documents.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::{Mutex, MutexGuard, OnceLock};

use serde_json::{Value, json};

use crate::support::spec_check::SpecCheck;

/// A deployment flavour of the sandbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dep {
    Cloud,
    Server,
}

impl Dep {
    pub fn flavour(self) -> &'static str {
        match self {
            Dep::Cloud => "cloud",
            Dep::Server => "server",
        }
    }
    /// The Jira REST version the deployment's tools use.
    pub fn jira_api(self) -> &'static str {
        match self {
            Dep::Cloud => "3",
            Dep::Server => "2",
        }
    }
}

/// Where a row runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum On {
    Both,
    Cloud,
    Server,
}

impl On {
    pub fn deps(self) -> &'static [Dep] {
        match self {
            On::Both => &[Dep::Cloud, Dep::Server],
            On::Cloud => &[Dep::Cloud],
            On::Server => &[Dep::Server],
        }
    }
}

/// The server configuration a row runs with: the sandbox's variables for a user, plus extras.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Cfg {
    pub user: &'static str,
    pub extra: &'static [(&'static str, &'static str)],
}

/// alice, who sees everything, without filters.
pub const PLAIN: Cfg = Cfg {
    user: "alice",
    extra: &[],
};
/// alice with `JIRA_PROJECTS_FILTER=MOB` and `CONFLUENCE_SPACES_FILTER=OPS`.
pub const FILTERED: Cfg = Cfg {
    user: "alice",
    extra: &[
        ("JIRA_PROJECTS_FILTER", "MOB"),
        ("CONFLUENCE_SPACES_FILTER", "OPS"),
    ],
};
/// alice through Atlassian's API gateway: an OAuth access token with the site's cloud id
/// (`ATLASSIAN_OAUTH_CLOUD_ID`, `ATLASSIAN_API_GATEWAY_URL` = the sandbox), no site URLs, so
/// every request goes to `/ex/{product}/{cloudId}/...` (Cloud only).
pub const GATEWAY: Cfg = Cfg {
    user: "alice",
    extra: &[(GATEWAY_MARK, "alice-oauth-token")],
};
/// The `extra` key that makes a configuration go through the gateway (its value: the token).
const GATEWAY_MARK: &str = "@gateway";
/// bob, who may not see the SUP project or the HR space.
pub const BOB: Cfg = Cfg {
    user: "bob",
    extra: &[],
};

/// What a row expects of the result.
#[derive(Debug, Clone, Copy)]
pub enum Expect {
    /// Success; each check is `/json/pointer` (present), `/pointer=value` (its text equals
    /// value), `/pointer~text` (its text contains), `!text` (the compact result does not contain
    /// text) or `#/pointer=N` (array length).
    Ok(&'static [&'static str]),
    /// A tool error (`isError: true`) whose text contains this.
    Err(&'static str),
}

/// One row of a tool table.
#[derive(Debug, Clone, Copy)]
pub struct Row {
    pub tool: &'static str,
    pub on: On,
    pub cfg: Cfg,
    /// The arguments as a JSON object.
    pub args: &'static str,
    pub expect: Expect,
    /// The upstream requests, in order, each `METHOD /path` where the path is compared after
    /// the query is cut off and `{api}` is the deployment's Jira REST version; `...` at the end
    /// allows more requests; an empty list means none at all.
    pub requests: &'static [&'static str],
}

impl Row {
    /// A success row with no request expectations beyond the spec check.
    pub const fn ok(
        tool: &'static str,
        on: On,
        args: &'static str,
        checks: &'static [&'static str],
        requests: &'static [&'static str],
    ) -> Row {
        Row {
            tool,
            on,
            cfg: PLAIN,
            args,
            expect: Expect::Ok(checks),
            requests,
        }
    }
    /// A failure row.
    pub const fn err(
        tool: &'static str,
        on: On,
        args: &'static str,
        text: &'static str,
        requests: &'static [&'static str],
    ) -> Row {
        Row {
            tool,
            on,
            cfg: PLAIN,
            args,
            expect: Expect::Err(text),
            requests,
        }
    }
    /// The same row under another configuration.
    pub const fn with(mut self, cfg: Cfg) -> Row {
        self.cfg = cfg;
        self
    }
}

/// A running sandbox. It lives in a static that is never dropped, so it is started with
/// `--exit-with-stdin` and its stdin held here: when the test process ends, the pipe closes and
/// the sandbox exits with it.
pub struct Sandbox {
    child: Child,
    _stdin: ChildStdin,
    pub base: String,
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

impl Sandbox {
    fn start(dep: Dep) -> Sandbox {
        let mut child = Command::new(env!("CARGO_BIN_EXE_atlassian-sandbox"))
            .args([
                "--port",
                "0",
                "--flavour",
                dep.flavour(),
                "--exit-with-stdin",
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let base = line.trim().trim_start_matches("listening on ").to_string();
        assert!(base.starts_with("http://127.0.0.1:"), "{line:?}");
        Sandbox {
            child,
            _stdin: stdin,
            base,
        }
    }

    pub fn get(&self, path: &str) -> String {
        ureq::get(&format!("{}{path}", self.base))
            .call()
            .unwrap()
            .into_body()
            .read_to_string()
            .unwrap()
    }

    /// Variables that point mcp-atlassian at this sandbox as `user`.
    pub fn env(&self, user: &str) -> Vec<(String, String)> {
        self.get(&format!("/__sandbox/env?user={user}"))
            .lines()
            .filter_map(|l| {
                l.split_once('=')
                    .map(|(k, v)| (k.to_string(), v.to_string()))
            })
            .collect()
    }

    pub fn requests(&self) -> Vec<Value> {
        let v: Value = serde_json::from_str(&self.get("/__sandbox/requests")).unwrap();
        v["requests"].as_array().cloned().unwrap_or_default()
    }

    pub fn clear_log(&self) {
        ureq::delete(&format!("{}/__sandbox/requests", self.base))
            .call()
            .unwrap();
    }
}

/// An `mcp-atlassian` stdio server, initialized, answering one call at a time.
pub struct Server {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    next_id: u64,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

impl Server {
    /// Start a server with these variables (nothing inherited but PATH) and initialize it.
    pub fn start(env: &[(String, String)], version: &str) -> Server {
        let dir = std::env::temp_dir().join(format!("mcp-atlassian-tools-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_mcp-atlassian"))
            .env_clear()
            .env("PATH", "/usr/bin:/bin")
            .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .current_dir(&dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        let mut s = Server {
            child,
            stdin,
            stdout,
            next_id: 1,
        };
        let init = s.request(
            "initialize",
            json!({"protocolVersion": version, "capabilities": {},
                   "clientInfo": {"name": "tools-test", "version": "1"}}),
        );
        assert!(init.get("result").is_some(), "{init}");
        s.send(&json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));
        s
    }

    fn send(&mut self, msg: &Value) {
        writeln!(self.stdin, "{msg}").unwrap();
        self.stdin.flush().unwrap();
    }

    /// Send a request and wait for its response (notifications in between are skipped).
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        loop {
            let mut line = String::new();
            let n = self.stdout.read_line(&mut line).unwrap();
            assert!(
                n > 0,
                "the server closed stdout while {method} {id} was pending"
            );
            let msg: Value = serde_json::from_str(&line).unwrap();
            if msg.get("id") == Some(&json!(id)) {
                return msg;
            }
        }
    }

    /// `tools/call`, returning the whole result.
    pub fn call(&mut self, tool: &str, args: Value) -> Value {
        let r = self.request("tools/call", json!({"name": tool, "arguments": args}));
        r.get("result").cloned().unwrap_or_else(|| panic!("{r}"))
    }
}

/// What one deployment shares across rows: its sandbox, servers per configuration, and the
/// spec checker.
pub struct World {
    pub sandbox: Sandbox,
    servers: HashMap<Cfg, Server>,
    spec: SpecCheck,
    dep: Dep,
}

impl World {
    /// The server for `cfg` (started on first use).
    pub fn server(&mut self, cfg: Cfg) -> &mut Server {
        let base_env = match cfg.extra.iter().find(|(k, _)| *k == GATEWAY_MARK) {
            Some((_, token)) => self.gateway_env(token),
            None => self.sandbox.env(cfg.user),
        };
        self.servers.entry(cfg).or_insert_with(|| {
            let mut env = base_env;
            env.extend(
                cfg.extra
                    .iter()
                    .filter(|(k, _)| *k != GATEWAY_MARK)
                    .map(|(k, v)| (k.to_string(), v.to_string())),
            );
            Server::start(&env, "2025-11-25")
        })
    }

    /// Variables for an OAuth access token through the API gateway (the sandbox plays it).
    pub fn gateway_env(&self, token: &str) -> Vec<(String, String)> {
        assert_eq!(self.dep, Dep::Cloud, "the API gateway is Cloud's");
        let info: Value = serde_json::from_str(&self.sandbox.get("/__sandbox/info")).unwrap();
        let cloud_id = info["cloud_id"].as_str().unwrap().to_string();
        vec![
            ("ATLASSIAN_OAUTH_CLOUD_ID".into(), cloud_id),
            ("ATLASSIAN_OAUTH_ACCESS_TOKEN".into(), token.into()),
            (
                "ATLASSIAN_API_GATEWAY_URL".into(),
                self.sandbox.base.clone(),
            ),
        ]
    }

    /// The requests logged since the last clear, each checked against the specs.
    pub fn logged(&self) -> Vec<Value> {
        let log = self.sandbox.requests();
        let problems = self.spec.check_all(&log);
        assert!(
            problems.is_empty(),
            "{}: requests that the official spec refuses:\n{}",
            self.dep.flavour(),
            problems.join("\n")
        );
        log
    }
}

/// The world of a deployment, locked for the caller (rows of one deployment run one at a time
/// because they share the sandbox's request log).
pub fn world(dep: Dep) -> MutexGuard<'static, World> {
    static WORLDS: OnceLock<[Mutex<World>; 2]> = OnceLock::new();
    let worlds = WORLDS.get_or_init(|| {
        [Dep::Cloud, Dep::Server].map(|dep| {
            Mutex::new(World {
                sandbox: Sandbox::start(dep),
                servers: HashMap::new(),
                spec: SpecCheck::new(dep.flavour()),
                dep,
            })
        })
    });
    let i = match dep {
        Dep::Cloud => 0,
        Dep::Server => 1,
    };
    worlds[i].lock().unwrap_or_else(|e| e.into_inner())
}

/// The first text block of a result, parsed as JSON when it is JSON.
pub fn result_json(result: &Value) -> Value {
    let text = result["content"][0]["text"].as_str().unwrap_or_default();
    serde_json::from_str(text).unwrap_or_else(|_| json!(text))
}

fn text_at(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn check(result: &Value, check: &str) -> Result<(), String> {
    let compact = result.to_string();
    if let Some(text) = check.strip_prefix('!') {
        return (!compact.contains(text))
            .then_some(())
            .ok_or(format!("must not contain {text:?}"));
    }
    if let Some(rest) = check.strip_prefix('#') {
        let (ptr, n) = rest.split_once('=').unwrap();
        let len = result.pointer(ptr).and_then(Value::as_array).map(Vec::len);
        return (len == Some(n.parse().unwrap()))
            .then_some(())
            .ok_or(format!("{ptr} has {len:?} items, want {n}"));
    }
    if let Some((ptr, want)) = check.split_once('=') {
        let got = result.pointer(ptr).map(text_at);
        return (got.as_deref() == Some(want))
            .then_some(())
            .ok_or(format!("{ptr} is {got:?}, want {want:?}"));
    }
    if let Some((ptr, want)) = check.split_once('~') {
        let got = result.pointer(ptr).map(text_at).unwrap_or_default();
        return got
            .contains(want)
            .then_some(())
            .ok_or(format!("{ptr} is {got:?}, want it to contain {want:?}"));
    }
    result
        .pointer(check)
        .map(|_| ())
        .ok_or(format!("{check} is missing"))
}

fn request_line(r: &Value) -> String {
    format!(
        "{} {}",
        r["method"].as_str().unwrap_or_default(),
        r["path"].as_str().unwrap_or_default()
    )
}

/// Run one row on one deployment; `Err` says what differs.
pub fn run(row: &Row, dep: Dep) -> Result<Value, String> {
    run_logged(row, dep).map(|(body, _)| body)
}

/// Like [`run`], also giving the upstream requests the row caused (read under the same lock).
pub fn run_logged(row: &Row, dep: Dep) -> Result<(Value, Vec<Value>), String> {
    let mut w = world(dep);
    w.sandbox.clear_log();
    let args: Value = serde_json::from_str(row.args).map_err(|e| format!("bad args: {e}"))?;
    let result = w.server(row.cfg).call(row.tool, args);
    let log = w.logged();
    let is_error = result["isError"] == json!(true);
    let body = result_json(&result);
    match row.expect {
        Expect::Ok(checks) => {
            if is_error {
                return Err(format!("failed: {body}"));
            }
            for c in checks {
                check(&body, c).map_err(|e| format!("{e} in {body}"))?;
            }
        }
        Expect::Err(text) => {
            let t = text_at(&body);
            if !is_error || !t.contains(text) {
                return Err(format!("want an error containing {text:?}, got {result}"));
            }
        }
    }
    let lines: Vec<String> = log.iter().map(request_line).collect();
    let (want, open) = match row.requests.split_last() {
        Some((&"...", rest)) => (rest, true),
        _ => (row.requests, false),
    };
    let want: Vec<String> = want
        .iter()
        .map(|r| r.replace("{api}", dep.jira_api()))
        .collect();
    let matches = |g: &Value, w: &str| {
        let (method, path) = w.split_once(' ').unwrap_or((w, ""));
        g["method"].as_str() == Some(method)
            && g["path"].as_str().is_some_and(|p| p.ends_with(path))
    };
    let fits = (if open {
        log.len() >= want.len()
    } else {
        log.len() == want.len()
    }) && log.iter().zip(&want).all(|(g, w)| matches(g, w));
    if !fits {
        return Err(format!("requests {lines:?}, want {want:?}"));
    }
    Ok((body, log))
}

/// Run every row of a table on every deployment it names; fails with all the differences.
pub fn run_table(rows: &[Row]) {
    let mut failures = Vec::new();
    for row in rows {
        for dep in row.on.deps() {
            if let Err(e) = run(row, *dep) {
                failures.push(format!(
                    "{} on {} with {}: {e}",
                    row.tool,
                    dep.flavour(),
                    row.args
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

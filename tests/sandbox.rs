//! Integration tests of `atlassian-sandbox`, the fake Jira + Confluence: every test spawns the
//! real binary on a free port (one process per test, both flavours where they differ) and checks
//! behaviour that other tests rely on — credentials and Atlassian's 401 bodies, per-user project
//! and space isolation, writes that change state (create, comment, transition, worklog, page
//! versions with 409 on a stale number), paging in both eras, fault injection (429 with
//! Retry-After, 5xx, latency, reset, truncation, global rules), the request log, OAuth, the
//! gateway path form and attachment uploads. `contract` checks responses (and the requests
//! that produced them) against Atlassian's OpenAPI documents, `requests` tests the request
//! checker of `support::spec_check`, `strictness` what the sandbox refuses like the products.

#[path = "sandbox/client.rs"]
mod client;
#[path = "sandbox/contract.rs"]
mod contract;
#[path = "sandbox/contract_cases.rs"]
mod contract_cases;
#[path = "sandbox/flows.rs"]
mod flows;
#[path = "sandbox/requests.rs"]
mod requests;
#[path = "sandbox/services.rs"]
mod services;
#[path = "sandbox/strictness.rs"]
mod strictness;
mod support;
#[path = "sandbox/writes.rs"]
mod writes;

use client::{Sandbox, basic, request};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

#[test]
fn starts_fast_and_prints_the_address_first() {
    for flavour in ["cloud", "server"] {
        let sb = Sandbox::start(flavour);
        assert!(sb.base.starts_with("http://127.0.0.1:"), "{}", sb.base);
        eprintln!("{flavour}: listening line after {:?}", sb.startup);
        let health = sb
            .raw("GET", "/__sandbox/health", &[], None)
            .unwrap()
            .json();
        assert_eq!(health["flavour"], flavour);
    }
}

#[test]
fn cloud_credentials_are_checked_on_every_request() {
    let sb = Sandbox::start("cloud");
    let r = sb.call("GET", "/rest/api/3/myself", None, None);
    assert_eq!(r.status, 401);
    assert_eq!(
        r.json()["errorMessages"][0],
        "Client must be authenticated to access this resource."
    );
    assert!(r.header("WWW-Authenticate").is_some());
    let wrong = basic("alice@example.com", "not-the-token");
    let r = sb
        .raw(
            "GET",
            "/rest/api/3/myself",
            &[("Authorization", &wrong)],
            None,
        )
        .unwrap();
    assert_eq!(r.status, 401);
    let pat = sb
        .raw(
            "GET",
            "/rest/api/3/myself",
            &[("Authorization", "Bearer alice-pat")],
            None,
        )
        .unwrap();
    assert_eq!(pat.status, 401, "a Server/DC PAT is not a Cloud credential");
    let me = sb.get("/rest/api/3/myself", "alice").json();
    assert_eq!(me["accountId"], "5b10ac8d82e05b22cc7d4ef5");
    assert!(me.get("name").is_none(), "Cloud users have no name");
    let oauth = sb
        .raw(
            "GET",
            "/rest/api/3/myself",
            &[("Authorization", "Bearer bob-oauth-token")],
            None,
        )
        .unwrap();
    assert_eq!(oauth.json()["displayName"], "Bob Okafor");
    let erin = basic("erin@example.com", "erin-api-token");
    assert_eq!(
        sb.raw(
            "GET",
            "/rest/api/3/myself",
            &[("Authorization", &erin)],
            None
        )
        .unwrap()
        .status,
        401,
        "deactivated"
    );
    let v1 = sb.call("GET", "/wiki/rest/api/space", None, None);
    assert_eq!(
        (v1.status, v1.json()["statusCode"].as_u64()),
        (401, Some(401))
    );
    let v2 = sb.call("GET", "/wiki/api/v2/spaces", None, None);
    assert_eq!(v2.json()["errors"][0]["status"], 401);
}

#[test]
fn server_credentials_are_pat_or_username_password() {
    let sb = Sandbox::start("server");
    let me = sb.get("/rest/api/2/myself", "bob").json();
    assert_eq!(
        (me["name"].as_str(), me["key"].as_str()),
        (Some("bob"), Some("JIRAUSER10001"))
    );
    let pw = basic("carol", "carol-password");
    let r = sb
        .raw("GET", "/rest/api/2/myself", &[("Authorization", &pw)], None)
        .unwrap();
    assert_eq!(r.json()["name"], "carol");
    let cloud_style = basic("carol@example.com", "carol-api-token");
    let r = sb
        .raw(
            "GET",
            "/rest/api/2/myself",
            &[("Authorization", &cloud_style)],
            None,
        )
        .unwrap();
    assert_eq!(r.status, 401);
    assert_eq!(
        r.json()["errorMessages"][0],
        "You are not authenticated. Authentication required to perform this operation."
    );
    assert_eq!(
        sb.call("GET", "/rest/api/2/serverInfo", None, None).json()["deploymentType"],
        "Server"
    );
    assert_eq!(
        sb.call("GET", "/rest/api/3/myself", Some("bob"), None)
            .status,
        404,
        "no v3 on Server/DC"
    );
    let ctx_path = sb.get("/jira/rest/api/2/issue/WEB-1?fields=summary", "bob");
    assert_eq!(ctx_path.json()["fields"]["summary"], "Checkout redesign");
    let conf_ctx = sb.get("/confluence/rest/api/content/1002", "bob");
    assert_eq!(conf_ctx.json()["title"], "Architecture Overview");
}

fn keys(v: &Value) -> Vec<String> {
    v["issues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["key"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn users_see_only_their_projects_and_spaces() {
    for flavour in ["cloud", "server"] {
        let sb = Sandbox::start(flavour);
        let (get, search) = if sb.cloud() {
            (
                "/rest/api/3/issue/",
                "/rest/api/3/search/jql?maxResults=100&jql=",
            )
        } else {
            (
                "/rest/api/2/issue/",
                "/rest/api/2/search?maxResults=100&jql=",
            )
        };
        assert_eq!(sb.get(&format!("{get}SUP-1"), "carol").status, 200);
        let hidden = sb.get(&format!("{get}SUP-1"), "bob");
        assert_eq!(hidden.status, 404);
        assert_eq!(
            hidden.json()["errorMessages"][0],
            "Issue does not exist or you do not have permission to see it."
        );
        let jql = "created%20%3E%3D%202020-01-01";
        let bob = keys(&sb.get(&format!("{search}{jql}"), "bob").json());
        assert!(
            !bob.is_empty()
                && bob
                    .iter()
                    .all(|k| ["WEB", "MOB", "OPS"].iter().any(|p| k.starts_with(p))),
            "{bob:?}"
        );
        let carol = keys(&sb.get(&format!("{search}{jql}"), "carol").json());
        assert!(
            carol
                .iter()
                .all(|k| k.starts_with("SUP") || k.starts_with("OPS")),
            "{carol:?}"
        );
        assert!(keys(&sb.get(&format!("{search}{jql}"), "mallory").json()).is_empty());
        let unknown = sb.get(&format!("{search}project%20%3D%20NOPE"), "bob");
        assert_eq!(unknown.status, 400);
        let wiki = if sb.cloud() {
            "/wiki/rest/api"
        } else {
            "/rest/api"
        };
        assert_eq!(sb.get(&format!("{wiki}/content/3002"), "carol").status, 200);
        assert_eq!(
            sb.get(&format!("{wiki}/content/3002"), "bob").status,
            404,
            "HR is not granted to bob"
        );
        assert_eq!(sb.get(&format!("{wiki}/content/1010"), "alice").status, 200);
        assert_eq!(
            sb.get(&format!("{wiki}/content/1010"), "bob").status,
            404,
            "page restricted to site-admins"
        );
        let found = sb
            .get(
                &format!("{wiki}/content/search?cql=type%3Dpage&limit=100"),
                "bob",
            )
            .json();
        let titles: Vec<&str> = found["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["title"].as_str().unwrap())
            .collect();
        assert!(
            titles.contains(&"Architecture Overview")
                && !titles.contains(&"Security Review Q4")
                && !titles.contains(&"Holiday Policy 2027"),
            "{titles:?}"
        );
        let spaces = sb.get(&format!("{wiki}/space"), "mallory").json();
        assert_eq!(spaces["size"], 0);
    }
}

#[test]
fn faults_from_headers() {
    let sb = Sandbox::start("cloud");
    let auth = sb.auth("alice");
    let get = |fault: &str| {
        sb.raw(
            "GET",
            "/rest/api/3/myself",
            &[("Authorization", &auth), ("X-Sandbox-Fault", fault)],
            None,
        )
    };
    let r = get("429;retry-after=2").unwrap();
    assert_eq!((r.status, r.header("Retry-After")), (429, Some("2")));
    assert_eq!(r.header("X-RateLimit-Remaining"), Some("0"));
    assert!(r.json()["errorMessages"].is_array());
    for code in [500, 502, 503] {
        assert_eq!(get(&code.to_string()).unwrap().status, code);
    }
    assert!(
        get("502").unwrap().text().contains("Bad Gateway"),
        "a proxy-style HTML body"
    );
    let started = Instant::now();
    assert_eq!(get("latency=250ms").unwrap().status, 200);
    assert!(started.elapsed() >= Duration::from_millis(250));
    let reset = get("reset");
    assert!(
        reset.is_err(),
        "connection closed without an answer: {reset:?}"
    );
    let cut = get("truncate").unwrap();
    assert_eq!(cut.status, 200);
    assert!(!cut.complete, "the body stops before Content-Length");
    assert_eq!(get("explode").unwrap().status, 400);
    assert_eq!(
        get("latency=50ms,503;retry-after=1")
            .unwrap()
            .header("Retry-After"),
        Some("1")
    );
    let wiki = sb
        .raw(
            "GET",
            "/wiki/api/v2/spaces",
            &[("Authorization", &auth), ("X-Sandbox-Fault", "429")],
            None,
        )
        .unwrap();
    assert_eq!(
        wiki.json()["errors"][0]["status"],
        429,
        "the body matches the API family"
    );
}

#[test]
fn global_fault_rules_count_down() {
    let sb = Sandbox::start("server");
    let rule = json!({"fault": "503;retry-after=1", "path": "/rest/api/2/search", "method": "GET", "count": 2});
    let r = request(
        &sb.addr,
        "POST",
        "/__sandbox/faults",
        &[("Content-Type", "application/json")],
        Some(rule.to_string().as_bytes()),
    )
    .unwrap();
    assert_eq!(r.status, 201);
    let statuses: Vec<u16> = (0..3)
        .map(|_| {
            sb.get("/rest/api/2/search?jql=project%3DWEB", "alice")
                .status
        })
        .collect();
    assert_eq!(statuses, [503, 503, 200]);
    assert_eq!(
        sb.get("/rest/api/2/myself", "alice").status,
        200,
        "other paths untouched"
    );
    let forever = json!({"fault": "reset", "path": "/rest/api/2/issue/", "count": null});
    request(
        &sb.addr,
        "POST",
        "/__sandbox/faults",
        &[],
        Some(forever.to_string().as_bytes()),
    )
    .unwrap();
    for _ in 0..2 {
        assert!(
            sb.raw(
                "GET",
                "/rest/api/2/issue/WEB-1",
                &[("Authorization", &sb.auth("alice"))],
                None
            )
            .is_err()
        );
    }
    let listed = sb
        .raw("GET", "/__sandbox/faults", &[], None)
        .unwrap()
        .json();
    assert_eq!(listed["rules"][0]["hits"], 2);
    assert_eq!(
        sb.raw("DELETE", "/__sandbox/faults", &[], None)
            .unwrap()
            .status,
        204
    );
    assert_eq!(sb.get("/rest/api/2/issue/WEB-1", "alice").status, 200);
}

#[test]
fn the_request_log_records_who_called_what() {
    let sb = Sandbox::start("cloud");
    sb.reset();
    sb.get("/rest/api/3/issue/WEB-1?fields=summary", "bob");
    sb.call("GET", "/rest/api/3/myself", None, None);
    sb.post(
        "/rest/api/3/search/jql",
        "alice",
        &json!({"jql": "project = MOB"}),
    );
    let log = sb.log(0);
    assert_eq!(log.len(), 3);
    assert_eq!(
        (
            log[0]["method"].as_str(),
            log[0]["path"].as_str(),
            log[0]["query"].as_str()
        ),
        (
            Some("GET"),
            Some("/rest/api/3/issue/WEB-1"),
            Some("fields=summary")
        )
    );
    assert_eq!(
        (log[0]["user"].as_str(), log[0]["status"].as_u64()),
        (Some("bob"), Some(200))
    );
    assert_eq!(
        (log[1]["user"].is_null(), log[1]["status"].as_u64()),
        (true, Some(401))
    );
    assert_eq!(log[2]["body"]["jql"], "project = MOB");
    let last = log[2]["seq"].as_u64().unwrap();
    sb.get("/rest/api/3/myself", "carol");
    let newer = sb.log(last);
    assert_eq!((newer.len(), newer[0]["user"].as_str()), (1, Some("carol")));
}

/// The README lists, for every endpoint served, the tools that need it: every reference tool
/// must appear there (in an endpoint row or in "Not served yet").
#[test]
fn the_readme_names_every_reference_tool() {
    let root = env!("CARGO_MANIFEST_DIR");
    let readme =
        std::fs::read_to_string(format!("{root}/src/bin/atlassian-sandbox/README.md")).unwrap();
    let tools: Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{root}/fixtures/compat/upstream-tools.json")).unwrap(),
    )
    .unwrap();
    let words: std::collections::HashSet<&str> = readme
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .collect();
    let missing: Vec<&str> = tools
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["name"].as_str())
        .filter(|n| !words.contains(n))
        .collect();
    assert!(
        missing.is_empty(),
        "tools not mentioned in the sandbox README: {missing:?}"
    );
}

//! The platform around the tools, through a real stdio server against the sandbox: the spec
//! check really runs, DISABLED_TOOLS, ATLASSIAN_MAX_PAGINATION_LIMIT, OAuth through the API
//! gateway, a warm jira_get_issue at one upstream request, and uploads confined to their
//! directory (through the `fixture_read_file` test tool).

use serde_json::{Value, json};

use crate::harness::{Dep, Server, World, result_json, world};

/// A server as alice with extra variables (not shared with the tables). Tests hold the world's
/// lock while they call, so no other test's requests mix into the sandbox's log.
fn server(w: &World, extra: &[(&str, &str)]) -> Server {
    let mut env = w.sandbox.env("alice");
    env.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    Server::start(&env, "2025-11-25")
}

fn text(result: &Value) -> String {
    result["content"][0]["text"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[test]
#[should_panic(expected = "requests that the official spec refuses")]
fn the_spec_check_catches_a_request_the_spec_refuses() {
    let w = world(Dep::Server);
    w.sandbox.clear_log();
    // Jira Server/DC has no REST v3.
    let _ = ureq::get(&format!("{}/rest/api/3/issue/WEB-1", w.sandbox.base)).call();
    w.logged();
}

#[test]
fn disabled_tools_are_hidden_and_refused() {
    for dep in [Dep::Cloud, Dep::Server] {
        let w = world(dep);
        let mut s = server(&w, &[("DISABLED_TOOLS", "jira_search,confluence_pages")]);
        let list = s.request("tools/list", json!({}));
        let names: Vec<&str> = list["result"]["tools"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|t| t["name"].as_str())
            .collect();
        // Other toolsets stay listed; the disabled tool and toolset do not.
        assert!(names.contains(&"jira_get_issue"), "{dep:?}: {names:?}");
        assert!(
            !names.iter().any(|n| *n == "jira_search"
                || *n == "confluence_search"
                || *n == "confluence_get_page"),
            "{dep:?}: {names:?}"
        );
        let r = s.call("confluence_get_page", json!({"page_id": "1002"}));
        assert_eq!(r["isError"], true);
        assert!(text(&r).contains("listed in DISABLED_TOOLS"), "{r}");
    }
}

#[test]
fn the_pagination_cap_bounds_every_limit() {
    let w = world(Dep::Server);
    let mut s = server(&w, &[("ATLASSIAN_MAX_PAGINATION_LIMIT", "2")]);
    let r = s.call("jira_search", json!({"jql": "project = WEB", "limit": 10}));
    assert_eq!(
        result_json(&r)["issues"].as_array().unwrap().len(),
        2,
        "{r}"
    );
}

#[test]
fn a_warm_get_issue_is_one_request() {
    let w = world(Dep::Cloud);
    let mut s = server(&w, &[]);
    let _ = s.call("jira_search", json!({"jql": "project = WEB", "limit": 1}));
    let _ = s.call("jira_get_issue", json!({"issue_key": "WEB-1"}));
    w.sandbox.clear_log();
    let r = s.call("jira_get_issue", json!({"issue_key": "WEB-2"}));
    assert_eq!(r["isError"], false, "{r}");
    let log = w.logged();
    assert_eq!(log.len(), 1, "{log:?}");
}

#[test]
fn oauth_tokens_go_through_the_gateway() {
    let w = world(Dep::Cloud);
    let info: Value = serde_json::from_str(&w.sandbox.get("/__sandbox/info")).unwrap();
    let cloud_id = info["cloud_id"]
        .as_str()
        .or_else(|| info.pointer("/site/cloud_id").and_then(Value::as_str))
        .unwrap()
        .to_string();
    let env: Vec<(String, String)> = [
        ("ATLASSIAN_OAUTH_CLOUD_ID", cloud_id.as_str()),
        ("ATLASSIAN_OAUTH_ACCESS_TOKEN", "alice-oauth-token"),
        ("ATLASSIAN_API_GATEWAY_URL", w.sandbox.base.as_str()),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    w.sandbox.clear_log();
    let mut s = Server::start(&env, "2025-11-25");
    let r = s.call("jira_get_issue", json!({"issue_key": "WEB-1"}));
    assert_eq!(result_json(&r)["key"], "WEB-1", "{r}");
    let r = s.call("confluence_get_page", json!({"page_id": "1002"}));
    assert_eq!(result_json(&r)["title"], "Architecture Overview", "{r}");
    let log = w.logged();
    assert!(!log.is_empty());
    for req in log {
        let path = req["path"].as_str().unwrap();
        assert!(
            path.starts_with(&format!("/ex/jira/{cloud_id}/"))
                || path.starts_with(&format!("/ex/confluence/{cloud_id}/")),
            "{path}"
        );
    }
}

#[test]
fn uploads_read_only_inside_their_directory() {
    let base = std::env::temp_dir().join(format!("mcp-atlassian-uploads-{}", std::process::id()));
    let root = base.join("root");
    std::fs::create_dir_all(&root).unwrap();
    std::fs::write(root.join("notes.txt"), b"inside").unwrap();
    std::fs::write(root.join("pixel.png"), [0x89, b'P', b'N', b'G']).unwrap();
    std::fs::write(base.join("secret.txt"), b"outside").unwrap();
    #[cfg(unix)]
    let _ = std::os::unix::fs::symlink(base.join("secret.txt"), root.join("link.txt"));
    let dir = root.to_str().unwrap();
    let w = world(Dep::Cloud);
    let mut s = server(
        &w,
        &[
            ("MCP_ATLASSIAN_TEST_FIXTURES", "1"),
            ("MCP_ATLASSIAN_UPLOAD_DIR", dir),
        ],
    );
    let r = s.call("fixture_read_file", json!({"path": "notes.txt"}));
    assert_eq!(r["content"][1]["type"], "resource", "{r}");
    assert_eq!(r["content"][1]["resource"]["blob"], "aW5zaWRl");
    let r = s.call("fixture_read_file", json!({"path": "pixel.png"}));
    assert_eq!(r["content"][1]["type"], "image", "{r}");
    let secret = base.join("secret.txt");
    for path in [
        "../secret.txt",
        secret.to_str().unwrap(),
        "link.txt",
        "/etc/passwd",
    ] {
        let r = s.call("fixture_read_file", json!({"path": path}));
        assert_eq!(r["isError"], true, "{path}: {r}");
        assert!(
            !r.to_string().contains("b3V0c2lkZQ"),
            "{path}: the secret leaked: {r}"
        );
    }
}

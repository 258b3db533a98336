//! The four walking-skeleton tools (jira_get_issue, jira_search, confluence_search,
//! confluence_get_page) end to end: the real `mcp-atlassian call` against the sandbox in both
//! flavours (Cloud and Server/DC), including the project and space filters enforced before any
//! upstream request, and the one-request budget of a warm jira_get_issue.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use serde_json::Value;

struct Sandbox {
    child: Child,
    base: String,
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Sandbox {
    fn start(flavour: &str) -> Sandbox {
        let mut child = Command::new(env!("CARGO_BIN_EXE_atlassian-sandbox"))
            .args(["--port", "0", "--flavour", flavour])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let base = line.trim().trim_start_matches("listening on ").to_string();
        assert!(
            base.starts_with("http://127.0.0.1:"),
            "unexpected first line {line:?}"
        );
        Sandbox { child, base }
    }

    fn get(&self, path: &str) -> String {
        ureq::get(&format!("{}{path}", self.base))
            .call()
            .unwrap()
            .into_body()
            .read_to_string()
            .unwrap()
    }

    /// Variables that point mcp-atlassian at this sandbox as `user`.
    fn env(&self, user: &str) -> Vec<(String, String)> {
        self.get(&format!("/__sandbox/env?user={user}"))
            .lines()
            .filter_map(|l| {
                l.split_once('=')
                    .map(|(k, v)| (k.to_string(), v.to_string()))
            })
            .collect()
    }

    /// Upstream requests logged since the log was last cleared.
    fn requests(&self) -> Vec<Value> {
        let v: Value = serde_json::from_str(&self.get("/__sandbox/requests")).unwrap();
        v["requests"].as_array().cloned().unwrap_or_default()
    }

    fn clear_log(&self) {
        ureq::delete(&format!("{}/__sandbox/requests", self.base))
            .call()
            .unwrap();
    }
}

/// Run `mcp-atlassian call` and return (exit code, stdout JSON or stderr text).
fn call(env: &[(String, String)], extra: &[(&str, &str)], args: &[&str]) -> (i32, Value, String) {
    let dir = std::env::temp_dir().join(format!("mcp-atlassian-skeleton-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_mcp-atlassian"))
        .arg("call")
        .args(args)
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .envs(extra.iter().copied())
        .current_dir(&dir)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let json = serde_json::from_str(&stdout).unwrap_or(Value::Null);
    (
        out.status.code().unwrap_or(-1),
        json,
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

fn both(test: impl Fn(&Sandbox, &str)) {
    for flavour in ["cloud", "server"] {
        let sb = Sandbox::start(flavour);
        test(&sb, flavour);
    }
}

#[test]
fn jira_get_issue_on_both_deployments() {
    both(|sb, flavour| {
        let env = sb.env("alice");
        let (code, issue, err) = call(&env, &[], &["jira_get_issue", "issue_key=WEB-1"]);
        assert_eq!(code, 0, "{flavour}: {err}");
        assert_eq!(issue["key"], "WEB-1", "{flavour}: {issue}");
        assert!(issue["summary"].is_string(), "{flavour}: {issue}");
        assert!(issue["status"]["name"].is_string(), "{flavour}: {issue}");
        assert!(
            issue["description"].is_string(),
            "{flavour}: description must be Markdown text: {issue}"
        );
        let text = issue.to_string();
        assert!(
            !text.contains("avatarUrls") && !text.contains("\"self\"") && !text.contains("null"),
            "{flavour}: {text}"
        );
        assert!(issue["url"].as_str().unwrap().ends_with("/browse/WEB-1"));
    });
}

#[test]
fn warm_get_issue_is_one_upstream_request() {
    both(|sb, flavour| {
        let env = sb.env("alice");
        sb.clear_log();
        let (code, _, err) = call(
            &env,
            &[],
            &["jira_get_issue", "issue_key=WEB-2", "comment_limit=5"],
        );
        assert_eq!(code, 0, "{flavour}: {err}");
        let log = sb.requests();
        assert_eq!(log.len(), 1, "{flavour}: {log:?}");
    });
}

#[test]
fn jira_search_pages_per_deployment() {
    both(|sb, flavour| {
        let env = sb.env("alice");
        let (code, page, err) = call(
            &env,
            &[],
            &[
                "jira_search",
                "jql=project = WEB ORDER BY key ASC",
                "limit=3",
            ],
        );
        assert_eq!(code, 0, "{flavour}: {err}");
        let issues = page["issues"].as_array().unwrap();
        assert_eq!(issues.len(), 3, "{flavour}: {page}");
        assert!(
            issues
                .iter()
                .all(|i| i["key"].as_str().unwrap().starts_with("WEB-"))
        );
        match flavour {
            "cloud" => {
                let token = page["next_page_token"]
                    .as_str()
                    .expect("cloud pages with a token");
                let (_, next, _) = call(
                    &env,
                    &[],
                    &[
                        "jira_search",
                        "jql=project = WEB ORDER BY key ASC",
                        "limit=3",
                        &format!("page_token={token}"),
                    ],
                );
                let first: Vec<&Value> = issues.iter().map(|i| &i["key"]).collect();
                let second: Vec<&Value> = next["issues"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|i| &i["key"])
                    .collect();
                assert!(
                    !second.is_empty() && second.iter().all(|k| !first.contains(k)),
                    "{next}"
                );
            }
            _ => assert!(page["total"].as_u64().unwrap() >= 3, "{page}"),
        }
    });
}

#[test]
fn project_filter_is_enforced_before_any_request() {
    both(|sb, flavour| {
        let env = sb.env("alice");
        sb.clear_log();
        let filter = [("JIRA_PROJECTS_FILTER", "MOB")];
        let (code, _, err) = call(&env, &filter, &["jira_get_issue", "issue_key=WEB-1"]);
        assert_eq!(code, 1, "{flavour}");
        assert!(err.contains("outside the projects"), "{flavour}: {err}");
        assert!(
            sb.requests().is_empty(),
            "{flavour}: no upstream request for a filtered project"
        );
        let (code, page, err) = call(
            &env,
            &filter,
            &["jira_search", "jql=ORDER BY created DESC", "limit=20"],
        );
        assert_eq!(code, 0, "{flavour}: {err}");
        let keys: Vec<&str> = page["issues"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["key"].as_str().unwrap())
            .collect();
        assert!(
            !keys.is_empty() && keys.iter().all(|k| k.starts_with("MOB-")),
            "{flavour}: {keys:?}"
        );
    });
}

#[test]
fn confluence_search_and_get_page_on_both_deployments() {
    both(|sb, flavour| {
        let env = sb.env("alice");
        let (code, found, err) = call(
            &env,
            &[],
            &["confluence_search", "query=architecture", "limit=5"],
        );
        assert_eq!(code, 0, "{flavour}: {err}");
        let results = found["results"].as_array().unwrap();
        assert!(!results.is_empty(), "{flavour}: {found}");
        let (code, page, err) = call(&env, &[], &["confluence_get_page", "page_id=1002"]);
        assert_eq!(code, 0, "{flavour}: {err}");
        assert_eq!(page["title"], "Architecture Overview", "{flavour}: {page}");
        assert_eq!(page["space"]["key"], "ENG");
        let content = page["content"].as_str().unwrap();
        assert!(
            !content.is_empty() && !content.contains("<ac:"),
            "{flavour}: Markdown expected: {content}"
        );
        let (code, by_title, err) = call(
            &env,
            &[],
            &[
                "confluence_get_page",
                "space_key=ENG",
                "title=Architecture Overview",
            ],
        );
        assert_eq!(code, 0, "{flavour}: {err}");
        assert_eq!(
            by_title["id"]
                .as_str()
                .map(str::to_string)
                .or_else(|| by_title["id"].as_u64().map(|n| n.to_string()))
                .as_deref(),
            Some("1002")
        );
        let (code, raw, _) = call(
            &env,
            &[],
            &[
                "confluence_get_page",
                "page_id=1002",
                "convert_to_markdown=false",
            ],
        );
        assert_eq!(code, 0);
        assert!(
            raw["content"].as_str().unwrap().contains('<'),
            "{flavour}: storage expected"
        );
    });
}

#[test]
fn space_filter_applies_to_pages_and_search() {
    both(|sb, flavour| {
        let env = sb.env("alice");
        let filter = [("CONFLUENCE_SPACES_FILTER", "OPS")];
        let (code, _, err) = call(&env, &filter, &["confluence_get_page", "page_id=1002"]);
        assert_eq!(code, 1, "{flavour}");
        assert!(err.contains("outside the spaces"), "{flavour}: {err}");
        let (code, found, err) = call(
            &env,
            &filter,
            &["confluence_search", "query=type = page", "limit=50"],
        );
        assert_eq!(code, 0, "{flavour}: {err}");
        assert!(
            found["cql"]
                .as_str()
                .unwrap()
                .contains("space in (\"OPS\")"),
            "{found}"
        );
    });
}

#[test]
fn upstream_permissions_surface_as_tool_errors() {
    both(|sb, flavour| {
        // bob may not see the PAY project (if seeded) — any 403/404 must be a clean tool error.
        let env = sb.env("bob");
        let (code, _, err) = call(&env, &[], &["jira_get_issue", "issue_key=ZZZ-1"]);
        assert_eq!(code, 1, "{flavour}");
        assert!(
            err.starts_with("Error calling jira_get_issue:")
                && (err.contains("404") || err.contains("403")),
            "{flavour}: {err}"
        );
    });
}

#[test]
fn oauth_access_token_goes_through_the_gateway_form() {
    let sb = Sandbox::start("cloud");
    let info: Value = serde_json::from_str(&sb.get("/__sandbox/info")).unwrap();
    let cloud_id = info["cloud_id"]
        .as_str()
        .or_else(|| info.pointer("/site/cloud_id").and_then(Value::as_str))
        .expect("the sandbox reports its cloud id")
        .to_string();
    let env = vec![
        ("ATLASSIAN_OAUTH_CLOUD_ID".to_string(), cloud_id.clone()),
        (
            "ATLASSIAN_OAUTH_ACCESS_TOKEN".to_string(),
            "alice-oauth-token".to_string(),
        ),
        ("ATLASSIAN_API_GATEWAY_URL".to_string(), sb.base.clone()),
    ];
    sb.clear_log();
    let (code, issue, err) = call(&env, &[], &["jira_get_issue", "issue_key=WEB-1"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(issue["key"], "WEB-1");
    let (code, page, err) = call(&env, &[], &["confluence_get_page", "page_id=1002"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(page["title"], "Architecture Overview");
    let paths: Vec<String> = sb
        .requests()
        .iter()
        .map(|r| r["path"].as_str().unwrap_or_default().to_string())
        .collect();
    assert!(
        paths
            .iter()
            .all(|p| p.starts_with(&format!("/ex/jira/{cloud_id}/"))
                || p.starts_with(&format!("/ex/confluence/{cloud_id}/"))),
        "{paths:?}"
    );
}

#[test]
fn pagination_limit_caps_every_limit() {
    let sb = Sandbox::start("server");
    let env = sb.env("alice");
    let (code, page, err) = call(
        &env,
        &[("ATLASSIAN_MAX_PAGINATION_LIMIT", "2")],
        &["jira_search", "jql=project = WEB", "limit=10"],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(page["issues"].as_array().unwrap().len(), 2);
}

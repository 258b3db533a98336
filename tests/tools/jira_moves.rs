//! Rows for `jira_move_issue` (Cloud only, toolset `jira_issues`): the bulk move API, its task
//! polled until it ends. The success row moves OPS-13, which no other table reads, to SUP; the
//! flow test moves an issue it creates. The sandbox's task is RUNNING at the first poll and
//! COMPLETE at the second.

use serde_json::{Value, json};

use crate::harness::{Dep, FILTERED, On, Row, Server, result_json, run_table, world};

pub const ROWS: &[Row] = &[
    Row::ok(
        "jira_move_issue",
        On::Cloud,
        r#"{"issue_key": "OPS-13", "target_project_key": "SUP"}"#,
        &[
            "/status=COMPLETE",
            "/moved/0/from=OPS-13",
            "/moved/0/key~SUP-",
            "/moved/0/project=SUP",
            "/moved/0/issue_type=Task",
            "/moved/0/summary=Quarterly access review",
            "!failed",
        ],
        &[
            "GET /rest/api/3/issue/OPS-13",
            "GET /rest/api/3/project/SUP",
            "POST /rest/api/3/bulk/issues/move",
            "...",
        ],
    ),
    // SUP has no Bug type: refused before anything moves, with the types it has.
    Row::err(
        "jira_move_issue",
        On::Cloud,
        r#"{"issue_key": "OPS-5", "target_project_key": "SUP"}"#,
        "SUP has no issue type \"Bug\"; it has Service Request, Incident, Task",
        &["GET /rest/api/3/issue/OPS-5", "GET /rest/api/3/project/SUP"],
    ),
    Row::err(
        "jira_move_issue",
        On::Cloud,
        r#"{"issue_key": "OPS-2", "target_project_key": "OPS"}"#,
        "OPS-2 is already in OPS",
        &["GET /rest/api/3/issue/OPS-2"],
    ),
    // Both ends must be inside the filter (MOB): the target is checked before any request.
    Row::err(
        "jira_move_issue",
        On::Cloud,
        r#"{"issue_key": "MOB-12", "target_project_key": "WEB"}"#,
        "project WEB is outside the projects",
        &[],
    )
    .with(FILTERED),
    Row::err(
        "jira_move_issue",
        On::Cloud,
        r#"{"issue_key": "OPS-2", "target_project_key": "OPS/1"}"#,
        "target_project_key",
        &[],
    ),
    Row::err(
        "jira_move_issue",
        On::Server,
        r#"{"issue_key": "OPS-2", "target_project_key": "SUP"}"#,
        "Cloud",
        &[],
    ),
];

#[test]
fn jira_move_issue_table() {
    run_table(ROWS);
}

fn ok(r: &Value) -> Value {
    assert_eq!(r["isError"], json!(false), "{r}");
    result_json(r)
}

/// An issue created in OPS moves to MOB: the task is polled until complete, the new key is read
/// back from Jira, and the issue is found under it.
#[test]
fn a_moved_issue_has_its_new_key() {
    let w = world(Dep::Cloud);
    let mut s = Server::start(&w.sandbox.env("alice"), "2025-11-25");
    let made = ok(&s.call(
        "jira_create_issue",
        json!({"project_key": "OPS", "summary": "Move me", "issue_type": "Bug"}),
    ));
    let old = made["key"].as_str().unwrap().to_string();
    w.sandbox.clear_log();
    let moved = ok(&s.call(
        "jira_move_issue",
        json!({"issue_key": old, "target_project_key": "MOB"}),
    ));
    let new = moved["moved"][0]["key"].as_str().unwrap().to_string();
    assert!(new.starts_with("MOB-"), "{moved}");
    assert_eq!(moved["moved"][0]["issue_type"], "Bug");
    let log = w.logged();
    let polls: Vec<&Value> = log
        .iter()
        .filter(|r| {
            r["path"]
                .as_str()
                .unwrap()
                .starts_with("/rest/api/3/bulk/queue/")
        })
        .collect();
    assert_eq!(polls.len(), 2, "RUNNING, then COMPLETE: {log:?}");
    let post = log.iter().find(|r| r["method"] == "POST").unwrap();
    let mapping = post["body"]["targetToSourcesMapping"].as_object().unwrap();
    let (target, spec) = mapping.iter().next().unwrap();
    assert!(target.starts_with("MOB,"), "{target}");
    assert_eq!(spec["issueIdsOrKeys"], json!([old]));
    let now = ok(&s.call("jira_get_issue", json!({"issue_key": new})));
    assert_eq!(now["summary"], "Move me");
}

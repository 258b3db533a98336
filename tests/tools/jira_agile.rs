//! Rows for the `jira_agile` toolset, and the sprint flow of the demo (list boards, create a
//! sprint, add an issue, read the sprint's issues, move it back). Writes use board 3 (MOB),
//! sprint 6 (future) and MOB-10 (in no sprint), which the flow leaves where it found it.

use serde_json::{Value, json};

use crate::harness::{Dep, FILTERED, On, PLAIN, Row, result_json, run_table, world};

pub const ROWS: &[Row] = &[
    Row::ok(
        "jira_get_agile_boards",
        On::Both,
        r#"{}"#,
        &["#/boards=3", "/boards/0/name=WEB board", "/boards/0/project_key=WEB", "/total=3"],
        &["GET /rest/agile/1.0/board"],
    ),
    Row::ok(
        "jira_get_agile_boards",
        On::Both,
        r#"{"project_key": "OPS", "board_type": "kanban", "board_name": "kanban"}"#,
        &["#/boards=1", "/boards/0/id=2", "/boards/0/type=kanban"],
        &["GET /rest/agile/1.0/board"],
    ),
    Row::ok(
        "jira_get_agile_boards",
        On::Both,
        r#"{}"#,
        &["#/boards=1", "/boards/0/project_key=MOB", "!WEB board"],
        &["GET /rest/agile/1.0/board"],
    )
    .with(FILTERED),
    Row::err(
        "jira_get_agile_boards",
        On::Both,
        r#"{"board_type": "weird"}"#,
        "use scrum, kanban or simple",
        &[],
    ),
    Row::err(
        "jira_get_agile_boards",
        On::Both,
        r#"{"project_key": "WEB"}"#,
        "outside the projects",
        &[],
    )
    .with(FILTERED),
    Row::ok(
        "jira_get_board_issues",
        On::Both,
        r#"{"board_id": "1", "jql": "status = Done", "limit": 5, "fields": "summary,status"}"#,
        &["/issues/0/key~WEB-", "/issues/0/status/name=Done", "/board_id=1", "/total"],
        &["GET /rest/agile/1.0/board/1/issue"],
    ),
    Row::ok(
        "jira_get_board_issues",
        On::Both,
        r#"{"board_id": "3", "jql": "", "limit": 2}"#,
        &["#/issues=2", "/issues/0/key~MOB-", "!WEB-"],
        // The filtered board listing above already said which project board 3 shows.
        &["GET /rest/agile/1.0/board/3/issue"],
    )
    .with(FILTERED),
    Row::err(
        "jira_get_board_issues",
        On::Both,
        r#"{"board_id": "1", "jql": ""}"#,
        "WEB (of board 1) is outside the projects",
        &[],
    )
    .with(FILTERED),
    Row::err(
        "jira_get_board_issues",
        On::Both,
        r#"{"board_id": "1", "jql": "status = Open) OR (project = SUP"}"#,
        "has no opening one",
        &[],
    ),
    Row::err(
        "jira_get_board_issues",
        On::Both,
        r#"{"board_id": "1/../2", "jql": ""}"#,
        "is not a numeric id",
        &[],
    ),
    Row::ok(
        "jira_get_sprints_from_board",
        On::Both,
        r#"{"board_id": "1", "state": "active"}"#,
        &["#/sprints=1", "/sprints/0/name=WEB Sprint 15", "/sprints/0/start_date~2026-11-16"],
        &["GET /rest/agile/1.0/board/1/sprint"],
    ),
    Row::ok(
        "jira_get_sprints_from_board",
        On::Both,
        r#"{"board_id": "3", "limit": 2}"#,
        &["#/sprints=2", "/sprints/0/board_id=3"],
        &["GET /rest/agile/1.0/board/3/sprint"],
    )
    .with(FILTERED),
    Row::err(
        "jira_get_sprints_from_board",
        On::Both,
        r#"{"board_id": "1", "state": "running"}"#,
        "not a sprint state",
        &[],
    ),
    Row::err(
        "jira_get_sprints_from_board",
        On::Both,
        r#"{"board_id": "99"}"#,
        "404",
        &["GET /rest/agile/1.0/board/99/sprint"],
    ),
    Row::ok(
        "jira_get_sprint_issues",
        On::Both,
        r#"{"sprint_id": "5", "limit": 3}"#,
        &["#/issues=3", "/issues/0/key~MOB-", "/sprint_id=5"],
        &["GET /rest/agile/1.0/sprint/5/issue"],
    ),
    Row::err(
        "jira_get_sprint_issues",
        On::Both,
        r#"{"sprint_id": "2"}"#,
        "(of sprint 2) is outside the projects",
        &["GET /rest/agile/1.0/sprint/2", "..."],
    )
    .with(FILTERED),
    Row::err(
        "jira_get_sprint_issues",
        On::Both,
        r#"{"sprint_id": "77"}"#,
        "404",
        &["GET /rest/agile/1.0/sprint/77/issue"],
    ),
    Row::ok(
        "jira_create_sprint",
        On::Both,
        r#"{"board_id": "3", "name": "MOB rows sprint", "start_date": "2026-12-14", "end_date": "2026-12-28T17:00:00+0100", "goal": "Rows"}"#,
        &["/created=true", "/sprint/state=future", "/sprint/name=MOB rows sprint", "/sprint/id"],
        &["POST /rest/agile/1.0/sprint"],
    ),
    Row::err(
        "jira_create_sprint",
        On::Both,
        r#"{"board_id": "3", "name": "Backwards", "start_date": "2026-12-28", "end_date": "2026-12-14"}"#,
        "must come after start_date",
        &[],
    ),
    Row::err(
        "jira_create_sprint",
        On::Both,
        r#"{"board_id": "3", "name": "Bad date", "start_date": "14.12.2026", "end_date": "2026-12-28"}"#,
        "is not an ISO 8601 date",
        &[],
    ),
    Row::err(
        "jira_create_sprint",
        On::Both,
        r#"{"board_id": "1", "name": "Elsewhere", "start_date": "2026-12-14", "end_date": "2026-12-28"}"#,
        "outside the projects",
        &["..."],
    )
    .with(FILTERED),
    Row::ok(
        "jira_update_sprint",
        On::Both,
        r#"{"sprint_id": "6", "goal": "Quiet hours and do-not-disturb"}"#,
        &["/updated=true", "/sprint/goal=Quiet hours and do-not-disturb", "/sprint/state=future"],
        &["POST /rest/agile/1.0/sprint/6"],
    ),
    Row::err(
        "jira_update_sprint",
        On::Both,
        r#"{"sprint_id": "1", "state": "active"}"#,
        "400",
        &["POST /rest/agile/1.0/sprint/1"],
    ),
    Row::err(
        "jira_update_sprint",
        On::Both,
        r#"{"sprint_id": "6"}"#,
        "nothing to change",
        &[],
    ),
    Row::ok(
        "jira_add_issues_to_sprint",
        On::Both,
        r#"{"sprint_id": "6", "issue_keys": "MOB-10, MOB-10"}"#,
        &["/moved=1", "/issue_keys/0=MOB-10"],
        &["POST /rest/agile/1.0/sprint/6/issue"],
    ),
    Row::err(
        "jira_add_issues_to_sprint",
        On::Both,
        r#"{"sprint_id": "6", "issue_keys": "MOB-10,WEB-1"}"#,
        "project WEB is outside the projects",
        &[],
    )
    .with(FILTERED),
    Row::err(
        "jira_add_issues_to_sprint",
        On::Both,
        r#"{"sprint_id": "6", "issue_keys": " , "}"#,
        "at least one issue key",
        &[],
    ),
    Row::ok(
        "jira_move_issues_to_backlog",
        On::Both,
        r#"{"issue_keys": "MOB-10"}"#,
        &["/moved_to_backlog=1"],
        &["POST /rest/agile/1.0/backlog/issue"],
    ),
    Row::err(
        "jira_move_issues_to_backlog",
        On::Both,
        r#"{"issue_keys": "WEB-1"}"#,
        "outside the projects",
        &[],
    )
    .with(FILTERED),
    Row::err(
        "jira_move_issues_to_backlog",
        On::Both,
        r#"{"issue_keys": "MOB-999"}"#,
        "400",
        &["POST /rest/agile/1.0/backlog/issue"],
    ),
];

#[test]
fn jira_agile_table() {
    run_table(ROWS);
}

fn ok(r: &Value) -> Value {
    assert_eq!(r["isError"], json!(false), "{r}");
    result_json(r)
}

/// The demo's sprint: list boards, create a sprint, add an issue to it, read the sprint's issues,
/// then move the issue back to the backlog.
#[test]
fn a_sprint_from_creation_to_its_issues() {
    for dep in [Dep::Cloud, Dep::Server] {
        let mut w = world(dep);
        let s = w.server(PLAIN);
        let boards = ok(&s.call("jira_get_agile_boards", json!({"project_key": "MOB"})));
        let board = boards["boards"][0]["id"].to_string();
        let created = ok(&s.call(
            "jira_create_sprint",
            json!({"board_id": board, "name": "Flow sprint", "start_date": "2027-01-04",
                   "end_date": "2027-01-18"}),
        ));
        let sprint = created["sprint"]["id"].to_string();
        ok(&s.call(
            "jira_add_issues_to_sprint",
            json!({"sprint_id": sprint, "issue_keys": "MOB-4"}),
        ));
        let issues = ok(&s.call("jira_get_sprint_issues", json!({"sprint_id": sprint})));
        assert_eq!(issues["issues"][0]["key"], "MOB-4", "{dep:?}: {issues}");
        assert_eq!(issues["issues"].as_array().unwrap().len(), 1);
        ok(&s.call(
            "jira_move_issues_to_backlog",
            json!({"issue_keys": "MOB-4"}),
        ));
        let issues = ok(&s.call("jira_get_sprint_issues", json!({"sprint_id": sprint})));
        assert!(
            issues
                .get("issues")
                .is_none_or(|i| i.as_array().unwrap().is_empty()),
            "{issues}"
        );
        let log = w.logged();
        assert!(!log.is_empty());
    }
}

//! Rows for the `jira_issues` toolset.

use crate::harness::{BOB, On, Row, run_table};

pub const ROWS: &[Row] = &[
    Row::ok(
        "jira_get_issue",
        On::Both,
        r#"{"issue_key": "WEB-1"}"#,
        &[
            "/key=WEB-1",
            "/summary",
            "/status/name",
            "/description",
            "/url~/browse/WEB-1",
            "!avatarUrls",
            "!null",
            "!\"\"",
        ],
        &["GET /rest/api/{api}/issue/WEB-1"],
    ),
    Row::ok(
        "jira_get_issue",
        On::Both,
        r#"{"issue_key": "WEB-2", "comment_limit": 0, "fields": "summary,status"}"#,
        &["/key=WEB-2", "/summary", "!\"comments\""],
        &["GET /rest/api/{api}/issue/WEB-2"],
    ),
    Row::err(
        "jira_get_issue",
        On::Both,
        r#"{"issue_key": "WEB 1"}"#,
        "is not an issue key like PROJ-123",
        &[],
    ),
    // Keys are upper case in Jira: a lower-case key is what the user meant.
    Row::ok(
        "jira_get_issue",
        On::Both,
        r#"{"issue_key": "web-3", "fields": "summary"}"#,
        &["/key=WEB-3"],
        &["GET /rest/api/{api}/issue/WEB-3"],
    ),
    Row::err(
        "jira_get_issue",
        On::Both,
        r#"{"issue_key": "WEB-1", "include": "everything"}"#,
        "unknown part",
        &[],
    ),
    // bob may not see SUP: the 404 of an issue that exists becomes a clean tool error.
    Row::err(
        "jira_get_issue",
        On::Both,
        r#"{"issue_key": "SUP-1"}"#,
        "404",
        &["GET /rest/api/{api}/issue/SUP-1"],
    )
    .with(BOB),
    Row::ok(
        "jira_search",
        On::Cloud,
        r#"{"jql": "project = WEB ORDER BY key ASC", "limit": 3}"#,
        &["#/issues=3", "/issues/0/key=WEB-1", "/next_page_token"],
        &["POST /rest/api/3/search/jql"],
    ),
    Row::ok(
        "jira_search",
        On::Server,
        r#"{"jql": "project = WEB ORDER BY key ASC", "limit": 3, "start_at": 1}"#,
        &["#/issues=3", "/issues/0/key=WEB-2", "/total", "/start_at=1"],
        &["GET /rest/api/2/search"],
    ),
    Row::ok(
        "jira_search",
        On::Both,
        r#"{"jql": "project = WEB", "limit": 2, "projects_filter": "web"}"#,
        &["#/issues=2", "/issues/0/key~WEB-"],
        &["..."],
    ),
    Row::err(
        "jira_search",
        On::Both,
        r#"{"jql": "status = Open) OR (project = SUP"}"#,
        "has no opening one",
        &[],
    ),
    Row::err(
        "jira_search",
        On::Both,
        r#"{"jql": "project = WEB", "limit": 0}"#,
        "below the minimum 1",
        &[],
    ),
    Row::err(
        "jira_search",
        On::Both,
        r#"{"jql": "status = NoSuchStatus"}"#,
        "400",
        &["..."],
    ),
];

#[test]
fn jira_issues_table() {
    run_table(ROWS);
}

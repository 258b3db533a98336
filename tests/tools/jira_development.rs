//! Rows for the `jira_development` toolset (development data exists for WEB-2, WEB-4, MOB-3).

use crate::harness::{FILTERED, On, Row, run_table};

pub const ROWS: &[Row] = &[
    Row::ok(
        "jira_get_issue_development_info",
        On::Both,
        r#"{"issue_key": "MOB-3"}"#,
        &[
            "/pull_requests/0/id=#97",
            "/pull_requests/0/status=OPEN",
            "/branches/0/name=bugfix/MOB-3-offline-crash",
            "/commits/0/id=aa11bb2",
            "/summary/commits=1",
            "!avatar",
        ],
        &[
            "GET /rest/api/{api}/issue/MOB-3",
            "GET /rest/dev-status/latest/issue/summary",
            "GET /rest/dev-status/latest/issue/detail",
            "...",
        ],
    ),
    Row::ok(
        "jira_get_issue_development_info",
        On::Both,
        r#"{"issue_key": "WEB-4", "application_type": "github", "data_type": "pullrequest"}"#,
        &[
            "/pull_requests/0/status=MERGED",
            "/pull_requests/0/reviewers/0/approved=true",
            "/summary/commits=0",
        ],
        &[
            "GET /rest/api/{api}/issue/WEB-4",
            "GET /rest/dev-status/latest/issue/detail",
        ],
    ),
    Row::err(
        "jira_get_issue_development_info",
        On::Both,
        r#"{"issue_key": "WEB-4", "data_type": "tags"}"#,
        "use pullrequest, branch, repository or build",
        &[],
    ),
    Row::err(
        "jira_get_issue_development_info",
        On::Both,
        r#"{"issue_key": "WEB-2"}"#,
        "outside the projects",
        &[],
    )
    .with(FILTERED),
    Row::ok(
        "jira_get_issues_development_info",
        On::Both,
        r#"{"issue_keys": "WEB-2, web-4,MOB-1,WEB-2"}"#,
        &[
            "/count=3",
            "/issues/0/key=WEB-2",
            "/issues/0/commits/1/message=WEB-2 Validate postcode before payment step",
            "/issues/1/key=WEB-4",
            "/issues/2/summary/pull_requests=0",
        ],
        &["..."],
    ),
    Row::ok(
        "jira_get_issues_development_info",
        On::Both,
        r#"{"issue_keys": "MOB-3,MOB-999", "data_type": "branch"}"#,
        &[
            "/issues/0/branches/0/name",
            "/issues/1/key=MOB-999",
            "/issues/1/error~404",
        ],
        &["..."],
    ),
    Row::err(
        "jira_get_issues_development_info",
        On::Both,
        r#"{"issue_keys": "MOB-3,WEB-2"}"#,
        "project WEB is outside the projects",
        &[],
    )
    .with(FILTERED),
    Row::err(
        "jira_get_issues_development_info",
        On::Both,
        r#"{"issue_keys": "WEB-1,WEB-2,WEB-3,WEB-4,WEB-5,WEB-6,WEB-7,WEB-8,WEB-9,WEB-10,WEB-11,WEB-12,WEB-13,WEB-14,WEB-15,WEB-16,WEB-17,WEB-18,WEB-19,WEB-20,MOB-1"}"#,
        "give 1 to 20 issue keys, not 21",
        &[],
    ),
];

#[test]
fn jira_development_table() {
    run_table(ROWS);
}

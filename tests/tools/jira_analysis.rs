//! Rows for the `jira_project_analysis` toolset: MOB-9 relates to WEB-14; MOB-1 is the epic of
//! MOB-2, MOB-5 and MOB-6 (whose sub-task is MOB-7).

use crate::harness::{FILTERED, On, Row, run_table};

pub const ROWS: &[Row] = &[
    Row::ok(
        "jira_get_cross_project_dependencies",
        On::Both,
        r#"{"project_key": "MOB"}"#,
        &[
            "/issues_scanned=12",
            "/dependencies/0/from=MOB-9",
            "/dependencies/0/to=WEB-14",
            "/by_project/WEB=1",
        ],
        &["..."],
    ),
    Row::ok(
        "jira_get_cross_project_dependencies",
        On::Both,
        r#"{"project_key": "MOB", "max_issues": 5}"#,
        &["/issues_scanned=5"],
        &["..."],
    ),
    // With the filter, the links to WEB and OPS are counted but not shown.
    Row::ok(
        "jira_get_cross_project_dependencies",
        On::Both,
        r#"{"project_key": "MOB"}"#,
        &["/hidden_by_filter=2", "!WEB-14", "!\"to\""],
        &["..."],
    )
    .with(FILTERED),
    Row::err(
        "jira_get_cross_project_dependencies",
        On::Both,
        r#"{"project_key": "MOB", "max_issues": 501}"#,
        "above the maximum 500",
        &[],
    ),
    Row::ok(
        "jira_get_project_epic_hierarchy",
        On::Both,
        r#"{"project_key": "MOB"}"#,
        &[
            "/epic_count=1",
            "/epics/0/key=MOB-1",
            "/epics/0/children/0/key=MOB-2",
            "/epics/0/progress/total=3",
            "/epics/0/progress/done=1",
        ],
        &["..."],
    ),
    Row::err(
        "jira_get_project_epic_hierarchy",
        On::Both,
        r#"{"project_key": "WEB"}"#,
        "outside the projects",
        &[],
    )
    .with(FILTERED),
];

#[test]
fn jira_project_analysis_table() {
    run_table(ROWS);
}

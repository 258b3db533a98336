//! Rows for the `jira_metrics` toolset: dates and status history of MOB issues, and SLA figures
//! in calendar and working time (a configuration of its own sets JIRA_SLA_*).

use crate::harness::{Cfg, FILTERED, On, Row, run_table};

/// Working hours in Berlin, every metric by default.
const SLA_BERLIN: Cfg = Cfg {
    user: "alice",
    extra: &[
        ("JIRA_SLA_WORKING_HOURS_ONLY", "true"),
        ("JIRA_SLA_TIMEZONE", "Europe/Berlin"),
        ("JIRA_SLA_WORKING_HOURS_START", "08:30"),
        ("JIRA_SLA_METRICS", "lead_time,time_in_status"),
    ],
};

pub const ROWS: &[Row] = &[
    Row::ok(
        "jira_get_issue_dates",
        On::Both,
        r#"{"issue_key": "MOB-2"}"#,
        &[
            "/key=MOB-2",
            "/created~2026-",
            "/status_changes/0/from=To Do",
            "/status_changes/0/to=In Progress",
            "/status_changes/0/by/display_name",
            "/time_in_status/0/status=To Do",
            "/time_in_status/0/time/hours",
            "/time_in_status/1/current=true",
        ],
        &["GET /rest/api/{api}/issue/MOB-2", "..."],
    ),
    Row::ok(
        "jira_get_issue_dates",
        On::Both,
        r#"{"issue_key": "MOB-5", "include_status_changes": false, "include_status_summary": false}"#,
        &[
            "/key=MOB-5",
            "/age/text",
            "!status_changes",
            "!time_in_status",
        ],
        &["..."],
    ),
    Row::err(
        "jira_get_issue_dates",
        On::Both,
        r#"{"issue_key": "WEB-1"}"#,
        "outside the projects",
        &[],
    )
    .with(FILTERED),
    Row::err(
        "jira_get_issue_dates",
        On::Both,
        r#"{"issue_key": "MOB-999"}"#,
        "404",
        &["GET /rest/api/{api}/issue/MOB-999"],
    ),
    Row::ok(
        "jira_get_issue_sla",
        On::Both,
        r#"{"issue_key": "MOB-5", "metrics": "lead_time,resolution_time,cycle_time,due_date_compliance,first_response_time,time_in_status", "include_raw_dates": true}"#,
        &[
            "/working_hours_only=false",
            "/metrics/lead_time/time/hours",
            "/metrics/time_in_status/0/status",
            "/metrics/due_date_compliance",
            "/metrics/first_response_time",
            "/raw_dates/created",
            "!working_hours\"",
        ],
        &["..."],
    ),
    Row::ok(
        "jira_get_issue_sla",
        On::Both,
        r#"{"issue_key": "MOB-2"}"#,
        &[
            "/working_hours_only=true",
            "/working_hours=08:30-17:00 on days 1,2,3,4,5 (Europe/Berlin)",
            "/metrics/lead_time/resolved=false",
            "/metrics/time_in_status/0/status=To Do",
            "!cycle_time",
        ],
        &["..."],
    )
    .with(SLA_BERLIN),
    Row::err(
        "jira_get_issue_sla",
        On::Both,
        r#"{"issue_key": "MOB-2", "metrics": "speed"}"#,
        "unknown metric \"speed\"",
        &[],
    ),
    Row::err(
        "jira_get_issue_sla",
        On::Both,
        r#"{"issue_key": "OPS-1"}"#,
        "outside the projects",
        &[],
    )
    .with(FILTERED),
];

#[test]
fn jira_metrics_table() {
    run_table(ROWS);
}

//! Toolset `jira_metrics`: an issue's dates and time in each status, and SLA figures computed
//! from its history in calendar or working time (JIRA_SLA_* set the working hours, days and time
//! zone). The issue's project must be inside JIRA_PROJECTS_FILTER.

use crate::mcp::{Args, CallCtx, Param, Tool, ToolOutput};
use crate::tools::params::ISSUE_KEY_PARAM;
use crate::tools::{Services, jira_error, sites};

const TOOLSET: &str = "jira_metrics";

fn dates(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    sites::jira(s, ctx)?
        .issue_dates(
            args.string("issue_key"),
            args.bool("include_status_changes").unwrap_or(true),
            args.bool("include_status_summary").unwrap_or(true),
            &|| ctx.is_cancelled(),
        )
        .map(Into::into)
        .map_err(jira_error)
}

fn sla(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    sites::jira(s, ctx)?
        .issue_sla(
            args.string("issue_key"),
            &args.list("metrics"),
            args.bool("working_hours_only"),
            args.bool("include_raw_dates").unwrap_or(false),
            &|| ctx.is_cancelled(),
        )
        .map(Into::into)
        .map_err(jira_error)
}

const DATES: &[Param] = &[
    ISSUE_KEY_PARAM,
    Param::bool("include_status_changes", "List each status change.").default_bool(true),
    Param::bool("include_status_summary", "Time spent in each status.").default_bool(true),
];

const SLA: &[Param] = &[
    ISSUE_KEY_PARAM,
    Param::string(
        "metrics",
        "Comma list of cycle_time, lead_time, time_in_status, due_date_compliance, resolution_time, first_response_time; default JIRA_SLA_METRICS.",
    ),
    Param::bool(
        "working_hours_only",
        "Count only working hours (JIRA_SLA_WORKING_*); default JIRA_SLA_WORKING_HOURS_ONLY.",
    ),
    Param::bool("include_raw_dates", "Add the dates used.").default_bool(false),
];

/// The toolset's tools.
pub const TOOLS: &[Tool<Services>] = &[
    Tool::read(
        "jira_get_issue_dates",
        "Issue dates",
        "Dates of an issue, its status changes and time in each status.",
        TOOLSET,
        "jira",
        DATES,
        dates,
    ),
    Tool::read(
        "jira_get_issue_sla",
        "Issue SLA",
        "SLA figures from an issue's history. Durations as hours and text; working time uses the configured hours, days and zone (e.g. 09:00-17:00 Mon-Fri: Fri 16:00 to Mon 10:00 is 2 h).",
        TOOLSET,
        "jira",
        SLA,
        sla,
    ),
];

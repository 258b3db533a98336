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

const KEY: Param = ISSUE_KEY_PARAM.describe("Issue key.");

const DATES: &[Param] = &[
    KEY,
    Param::bool("include_status_changes", "Status changes.").default_bool(true),
    Param::bool("include_status_summary", "Time per status.").default_bool(true),
];

const SLA: &[Param] = &[
    KEY,
    Param::string(
        "metrics",
        "Comma list: cycle_time, lead_time, time_in_status, due_date_compliance, resolution_time, first_response_time.",
    ),
    Param::bool("working_hours_only", "Working time only."),
    Param::bool("include_raw_dates", "Dates used.").default_bool(false),
];

/// The toolset's tools.
pub const TOOLS: &[Tool<Services>] = &[
    Tool::read(
        "jira_get_issue_dates",
        "Issue dates",
        "Dates, status changes, time per status.",
        TOOLSET,
        "jira",
        DATES,
        dates,
    ),
    Tool::read(
        "jira_get_issue_sla",
        "Issue SLA",
        "SLA figures from an issue's history; JIRA_SLA_* set working time.",
        TOOLSET,
        "jira",
        SLA,
        sla,
    ),
];

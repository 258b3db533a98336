//! Toolset `jira_worklog`: an issue's worklogs, and logging work (durations like `1h 30m`,
//! start times in ISO 8601 with an offset, optional estimate changes).

use crate::mcp::{Args, CallCtx, Param, Tool, ToolOutput};
use crate::tools::params::ISSUE_KEY_PARAM;
use crate::tools::{Services, jira_error, sites};

const TOOLSET: &str = "jira_worklog";

fn add_worklog(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    sites::jira(s, ctx)?
        .add_worklog(
            args.string("issue_key"),
            args.string("time_spent"),
            args.str("comment"),
            args.str("started"),
            args.str("original_estimate"),
            args.str("remaining_estimate"),
            &|| ctx.is_cancelled(),
        )
        .map(Into::into)
        .map_err(jira_error)
}

fn get_worklog(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    sites::jira(s, ctx)?
        .worklogs(args.string("issue_key"), &|| ctx.is_cancelled())
        .map(Into::into)
        .map_err(jira_error)
}

const ADD_PARAMS: &[Param] = &[
    ISSUE_KEY_PARAM,
    Param::string("time_spent", "E.g. 1h 30m, 2d.").required(),
    Param::string("comment", "Markdown."),
    Param::string("started", "ISO 8601 with offset; default now."),
    Param::string("original_estimate", "E.g. 2d."),
    Param::string("remaining_estimate", "E.g. 4h."),
];

const KEY_ONLY: &[Param] = &[ISSUE_KEY_PARAM];

/// The toolset's tools.
pub const TOOLS: &[Tool<Services>] = &[
    Tool::read(
        "jira_get_worklog",
        "Get worklog",
        "Work logged on an issue.",
        TOOLSET,
        "jira",
        KEY_ONLY,
        get_worklog,
    ),
    Tool::read(
        "jira_add_worklog",
        "Add worklog",
        "Log time spent on an issue.",
        TOOLSET,
        "jira",
        ADD_PARAMS,
        add_worklog,
    )
    .destroys(),
];

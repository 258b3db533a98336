//! Toolset `jira_watchers`: who watches an issue, adding and removing watchers (users given by
//! account id, user name, e-mail or display name).

use crate::mcp::{Args, CallCtx, Param, Tool, ToolOutput};
use crate::tools::params::ISSUE_KEY_PARAM;
use crate::tools::{Services, jira_error, sites};

const TOOLSET: &str = "jira_watchers";

fn get_watchers(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    sites::jira(s, ctx)?
        .watchers(args.string("issue_key"), &|| ctx.is_cancelled())
        .map(Into::into)
        .map_err(jira_error)
}

fn add_watcher(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    sites::jira(s, ctx)?
        .add_watcher(
            args.string("issue_key"),
            args.string("user_identifier"),
            &|| ctx.is_cancelled(),
        )
        .map(Into::into)
        .map_err(jira_error)
}

fn remove_watcher(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    sites::jira(s, ctx)?
        .remove_watcher(
            args.string("issue_key"),
            args.str("username"),
            args.str("account_id"),
            &|| ctx.is_cancelled(),
        )
        .map(Into::into)
        .map_err(jira_error)
}

const KEY_ONLY: &[Param] = &[ISSUE_KEY_PARAM];
const ADD_PARAMS: &[Param] = &[
    ISSUE_KEY_PARAM,
    Param::string("user_identifier", "Account id, e-mail or name.").required(),
];
const REMOVE_PARAMS: &[Param] = &[
    ISSUE_KEY_PARAM,
    Param::string("username", "Server/DC user."),
    Param::string("account_id", "Cloud user."),
];

/// The toolset's tools.
pub const TOOLS: &[Tool<Services>] = &[
    Tool::read(
        "jira_get_issue_watchers",
        "Get watchers",
        "Who watches an issue.",
        TOOLSET,
        "jira",
        KEY_ONLY,
        get_watchers,
    ),
    Tool::read(
        "jira_add_watcher",
        "Add watcher",
        "Make a user watch an issue.",
        TOOLSET,
        "jira",
        ADD_PARAMS,
        add_watcher,
    )
    .writes(),
    Tool::read(
        "jira_remove_watcher",
        "Remove watcher",
        "Stop a user watching an issue.",
        TOOLSET,
        "jira",
        REMOVE_PARAMS,
        remove_watcher,
    )
    .destroys(),
];

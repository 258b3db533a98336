//! Toolset `jira_users`: a user's profile (by account id, user name, e-mail or display name) and
//! the users who may be assigned a project's or an issue's work.

use crate::mcp::{Args, CallCtx, Param, Tool, ToolOutput};
use crate::tools::params::{ISSUE_KEY, PROJECT_KEY, limit};
use crate::tools::{Services, jira_error, sites};

const TOOLSET: &str = "jira_users";

fn profile(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    sites::jira(s, ctx)?
        .user_profile(args.string("user_identifier"), &|| ctx.is_cancelled())
        .map(Into::into)
        .map_err(jira_error)
}

fn assignable(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    sites::jira(s, ctx)?
        .assignable_users(
            args.string("query"),
            args.str("project_key"),
            args.str("issue_key"),
            s.limit(args.int("limit").unwrap_or(20)),
            &|| ctx.is_cancelled(),
        )
        .map(Into::into)
        .map_err(jira_error)
}

const PROFILE_PARAMS: &[Param] =
    &[Param::string("user_identifier", "Account id, e-mail or name.").required()];

const ASSIGNABLE_PARAMS: &[Param] = &[
    Param::string("query", "Name or e-mail prefix.").required(),
    Param::string("project_key", "This or issue_key.").format(&PROJECT_KEY),
    Param::string("issue_key", "Issue.").format(&ISSUE_KEY),
    limit(20, Some(1000)),
];

/// The toolset's tools.
pub const TOOLS: &[Tool<Services>] = &[
    Tool::read(
        "jira_get_user_profile",
        "Get user profile",
        "A user's name, id, e-mail, time zone.",
        TOOLSET,
        "jira",
        PROFILE_PARAMS,
        profile,
    ),
    Tool::read(
        "jira_search_assignable_users",
        "Find assignable users",
        "Users who can be assigned work in a project or issue.",
        TOOLSET,
        "jira",
        ASSIGNABLE_PARAMS,
        assignable,
    ),
];

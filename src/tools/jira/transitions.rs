//! Toolset `jira_transitions`: the workflow transitions available on an issue, and applying one
//! by id, name or target status (an unknown one lists those available).

use crate::mcp::{Args, CallCtx, Param, ParamType, Tool, ToolOutput};
use crate::tools::params::ISSUE_KEY_PARAM;
use crate::tools::{Services, jira_error, sites};

const TOOLSET: &str = "jira_transitions";

fn get_transitions(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    sites::jira(s, ctx)?
        .transitions(args.string("issue_key"), &|| ctx.is_cancelled())
        .map(Into::into)
        .map_err(jira_error)
}

fn transition(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    sites::jira(s, ctx)?
        .transition(
            args.string("issue_key"),
            args.string("transition_id"),
            args.get("fields").and_then(|v| v.as_object()),
            args.str("comment"),
            &|| ctx.is_cancelled(),
        )
        .map(Into::into)
        .map_err(jira_error)
}

const KEY_ONLY: &[Param] = &[ISSUE_KEY_PARAM];

const TRANSITION_PARAMS: &[Param] = &[
    ISSUE_KEY_PARAM,
    Param::string("transition_id", "Transition id or name.").required(),
    Param::new(
        "fields",
        ParamType::JsonObject,
        "JSON, e.g. {\"resolution\":\"Done\"}.",
    ),
    Param::string("comment", "Markdown comment."),
];

/// The toolset's tools.
pub const TOOLS: &[Tool<Services>] = &[
    Tool::read(
        "jira_get_transitions",
        "Get transitions",
        "Transitions available now.",
        TOOLSET,
        "jira",
        KEY_ONLY,
        get_transitions,
    ),
    Tool::read(
        "jira_transition_issue",
        "Transition issue",
        "Move an issue to another status.",
        TOOLSET,
        "jira",
        TRANSITION_PARAMS,
        transition,
    )
    .destroys(),
];

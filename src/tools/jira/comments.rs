//! Toolset `jira_comments`: add and edit comments in Markdown, optionally restricted to a group
//! or role. The issue key is checked against the project filter before any request.

use crate::mcp::{Args, CallCtx, Param, ParamType, Tool, ToolOutput};
use crate::tools::params::ISSUE_KEY_PARAM;
use crate::tools::{Services, jira_error, sites};

const TOOLSET: &str = "jira_comments";

fn add_comment(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    sites::jira(s, ctx)?
        .add_comment(
            args.string("issue_key"),
            args.string("body"),
            args.get("visibility"),
            args.bool("public"),
            &|| ctx.is_cancelled(),
        )
        .map(Into::into)
        .map_err(jira_error)
}

fn edit_comment(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    sites::jira(s, ctx)?
        .edit_comment(
            args.string("issue_key"),
            args.string("comment_id"),
            args.string("body"),
            args.get("visibility"),
            &|| ctx.is_cancelled(),
        )
        .map(Into::into)
        .map_err(jira_error)
}

const BODY: Param = Param::string("body", "Markdown.").required();
const VISIBILITY: Param = Param::new(
    "visibility",
    ParamType::JsonObject,
    "JSON {\"type\":\"group\"|\"role\",\"value\":name}.",
);

const ADD_PARAMS: &[Param] = &[
    ISSUE_KEY_PARAM,
    BODY,
    VISIBILITY,
    Param::bool("public", "JSM: false = internal."),
];

const EDIT_PARAMS: &[Param] = &[
    ISSUE_KEY_PARAM,
    Param::string("comment_id", "Comment id.")
        .format(&crate::tools::params::NUMERIC_ID)
        .required(),
    BODY,
    VISIBILITY,
];

/// The toolset's tools.
pub const TOOLS: &[Tool<Services>] = &[
    Tool::read(
        "jira_add_comment",
        "Add comment",
        "Comment on an issue in Markdown.",
        TOOLSET,
        "jira",
        ADD_PARAMS,
        add_comment,
    )
    .writes(),
    Tool::read(
        "jira_edit_comment",
        "Edit comment",
        "Replace a comment (Markdown).",
        TOOLSET,
        "jira",
        EDIT_PARAMS,
        edit_comment,
    )
    .destroys(),
];

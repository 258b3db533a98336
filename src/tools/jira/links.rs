//! Toolset `jira_links`: link types, issue links (a link id is resolved to its issues and checked
//! against the project filter before removal), web links, and putting an issue under an epic.

use crate::mcp::{Args, CallCtx, Param, ParamType, Tool, ToolOutput};
use crate::tools::params::{ISSUE_KEY, ISSUE_KEY_PARAM, NUMERIC_ID};
use crate::tools::{Services, jira_error, sites};

const TOOLSET: &str = "jira_links";

fn link_types(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    sites::jira(s, ctx)?
        .link_types(args.str("name_filter"), &|| ctx.is_cancelled())
        .map(Into::into)
        .map_err(jira_error)
}

fn create_link(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    sites::jira(s, ctx)?
        .create_link(
            args.string("link_type"),
            args.string("inward_issue_key"),
            args.string("outward_issue_key"),
            args.str("comment"),
            args.get("comment_visibility"),
            &|| ctx.is_cancelled(),
        )
        .map(Into::into)
        .map_err(jira_error)
}

fn remove_link(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    sites::jira(s, ctx)?
        .remove_link(args.string("link_id"), &|| ctx.is_cancelled())
        .map(Into::into)
        .map_err(jira_error)
}

fn remote_link(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    sites::jira(s, ctx)?
        .create_remote_link(
            args.string("issue_key"),
            args.string("url"),
            args.string("title"),
            args.str("summary"),
            args.str("relationship"),
            args.str("icon_url"),
            &|| ctx.is_cancelled(),
        )
        .map(Into::into)
        .map_err(jira_error)
}

fn link_to_epic(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    sites::jira(s, ctx)?
        .link_to_epic(args.string("issue_key"), args.string("epic_key"), &|| {
            ctx.is_cancelled()
        })
        .map(Into::into)
        .map_err(jira_error)
}

const TYPES_PARAMS: &[Param] = &[Param::string("name_filter", "Substring of the name.")];

const CREATE_PARAMS: &[Param] = &[
    Param::string("link_type", "E.g. Blocks.").required(),
    Param::string("inward_issue_key", "Inward side, e.g. the blocked one.")
        .format(&ISSUE_KEY)
        .required(),
    Param::string("outward_issue_key", "Outward side, e.g. the blocker.")
        .format(&ISSUE_KEY)
        .required(),
    Param::string("comment", "Markdown comment."),
    Param::new(
        "comment_visibility",
        ParamType::JsonObject,
        "JSON {\"type\",\"value\"}.",
    ),
];

const REMOVE_PARAMS: &[Param] = &[Param::string("link_id", "Link id.")
    .format(&NUMERIC_ID)
    .required()];

const REMOTE_PARAMS: &[Param] = &[
    ISSUE_KEY_PARAM,
    Param::string("url", "http(s) URL.").required(),
    Param::string("title", "Link text.").required(),
    Param::string("summary", "Description."),
    Param::string("relationship", "E.g. causes."),
    Param::string("icon_url", "Icon URL."),
];

const EPIC_PARAMS: &[Param] = &[
    ISSUE_KEY_PARAM,
    Param::string("epic_key", "Epic key.")
        .format(&ISSUE_KEY)
        .required(),
];

/// The toolset's tools.
pub const TOOLS: &[Tool<Services>] = &[
    Tool::read(
        "jira_get_link_types",
        "Link types",
        "Issue link types.",
        TOOLSET,
        "jira",
        TYPES_PARAMS,
        link_types,
    ),
    Tool::read(
        "jira_create_issue_link",
        "Link issues",
        "Link two issues.",
        TOOLSET,
        "jira",
        CREATE_PARAMS,
        create_link,
    )
    .writes(),
    Tool::read(
        "jira_remove_issue_link",
        "Remove issue link",
        "Delete an issue link.",
        TOOLSET,
        "jira",
        REMOVE_PARAMS,
        remove_link,
    )
    .destroys(),
    Tool::read(
        "jira_create_remote_issue_link",
        "Add web link",
        "Attach a web link to an issue.",
        TOOLSET,
        "jira",
        REMOTE_PARAMS,
        remote_link,
    )
    .writes(),
    Tool::read(
        "jira_link_to_epic",
        "Link to epic",
        "Put an issue under an epic (checked).",
        TOOLSET,
        "jira",
        EPIC_PARAMS,
        link_to_epic,
    )
    .destroys(),
];

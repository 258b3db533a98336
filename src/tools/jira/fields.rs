//! Toolset `jira_fields`: searching the site's fields (cached per site, `refresh` reloads) and
//! listing a field's allowed values.

use crate::mcp::{Args, CallCtx, Param, Tool, ToolOutput};
use crate::tools::params::PROJECT_KEY;
use crate::tools::{Services, jira_error, sites};

const TOOLSET: &str = "jira_fields";

fn search_fields(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    sites::jira(s, ctx)?
        .search_fields(
            args.string("keyword"),
            s.limit(args.int("limit").unwrap_or(10)),
            args.bool("refresh").unwrap_or(false),
            &|| ctx.is_cancelled(),
        )
        .map(Into::into)
        .map_err(jira_error)
}

fn field_options(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    let jira = sites::jira(s, ctx)?;
    if let Some(p) = args.str("project_key") {
        jira.check_project(p).map_err(jira_error)?;
    }
    jira.field_options(
        args.string("field_id"),
        args.str("context_id"),
        args.str("project_key"),
        args.str("issue_type"),
        args.str("contains"),
        args.int("return_limit").map(|n| n.max(1) as usize),
        args.bool("values_only").unwrap_or(false),
        &|| ctx.is_cancelled(),
    )
    .map(Into::into)
    .map_err(jira_error)
}

const SEARCH_PARAMS: &[Param] = &[
    Param::string("keyword", "Part of a name or id.").default_str(""),
    Param::int("limit", "Maximum results.")
        .default_int(10)
        .min(1),
    Param::bool("refresh", "Bypass the cache.").default_bool(false),
];

const OPTIONS_PARAMS: &[Param] = &[
    Param::string("field_id", "Field id or name.").required(),
    Param::string("context_id", "Cloud context; default global."),
    Param::string("project_key", "With issue_type (Server/DC).").format(&PROJECT_KEY),
    Param::string("issue_type", "Issue type."),
    Param::string("contains", "Substring filter."),
    Param::int("return_limit", "Max values.").min(1),
    Param::bool("values_only", "Values only.").default_bool(false),
];

/// The toolset's tools.
pub const TOOLS: &[Tool<Services>] = &[
    Tool::read(
        "jira_search_fields",
        "Search fields",
        "Find field ids by name.",
        TOOLSET,
        "jira",
        SEARCH_PARAMS,
        search_fields,
    ),
    Tool::read(
        "jira_get_field_options",
        "Get field options",
        "Allowed values of a field.",
        TOOLSET,
        "jira",
        OPTIONS_PARAMS,
        field_options,
    ),
];

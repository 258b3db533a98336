//! Toolset `jira_projects`: projects, their issue types, fields, components and versions, and
//! version writes. The Jira layer keeps every project outside JIRA_PROJECTS_FILTER out of lists
//! and refuses it (or a version of it) by key or id.

use serde_json::Value;

use crate::jira::VersionChange;
use crate::mcp::{Args, CallCtx, Param, ParamType, Tool, ToolError, ToolOutput};
use crate::tools::params::{PROJECT_KEY_PARAM as KEY_PARAM, limit};

const PROJECT_KEY_PARAM: Param = KEY_PARAM.describe("Project key.");
use crate::tools::{Services, jira_error, sites};

const TOOLSET: &str = "jira_projects";

fn key(args: &Args) -> String {
    args.string("project_key").to_ascii_uppercase()
}

fn all_projects(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    let progress = |n: usize, _: usize| ctx.progress(n as f64, None, Some("projects fetched"));
    sites::jira(s, ctx)?
        .all_projects(
            args.bool("include_archived").unwrap_or(false),
            &|| ctx.is_cancelled(),
            &progress,
        )
        .map(Into::into)
        .map_err(jira_error)
}

fn search_projects(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    let max = s.limit(args.int("max_results").unwrap_or(20));
    sites::jira(s, ctx)?
        .find_projects(
            args.string("query"),
            max,
            &args.list("current_project_ids"),
            &|| ctx.is_cancelled(),
        )
        .map(Into::into)
        .map_err(jira_error)
}

fn issue_types(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    sites::jira(s, ctx)?
        .project_issue_types(&key(args), &|| ctx.is_cancelled())
        .map(Into::into)
        .map_err(jira_error)
}

fn project_fields(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    let progress = |n: usize, total: usize| {
        ctx.progress(n as f64, Some(total as f64), Some("issue types read"))
    };
    sites::jira(s, ctx)?
        .project_fields(&key(args), &|| ctx.is_cancelled(), &progress)
        .map(Into::into)
        .map_err(jira_error)
}

fn create_fields(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    sites::jira(s, ctx)?
        .create_fields(&key(args), args.string("issue_type_id"), &|| {
            ctx.is_cancelled()
        })
        .map(Into::into)
        .map_err(jira_error)
}

fn components(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    sites::jira(s, ctx)?
        .project_components(&key(args), &|| ctx.is_cancelled())
        .map(Into::into)
        .map_err(jira_error)
}

fn versions(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    sites::jira(s, ctx)?
        .project_versions(&key(args), &|| ctx.is_cancelled())
        .map(Into::into)
        .map_err(jira_error)
}

fn change(args: &Args) -> VersionChange<'_> {
    VersionChange {
        name: args.str("name"),
        description: args.str("description"),
        start_date: args.str("start_date"),
        release_date: args.str("release_date"),
        archived: args.bool("archived"),
        released: args.bool("released"),
    }
}

fn create_version(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    sites::jira(s, ctx)?
        .create_version(&key(args), &change(args), &|| ctx.is_cancelled())
        .map(Into::into)
        .map_err(jira_error)
}

fn batch_create_versions(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    let items = match args.get("versions") {
        Some(Value::Array(a)) => a.clone(),
        _ => Vec::new(),
    };
    if let Some(i) = items.iter().position(|v| !v.is_object()) {
        return Err(ToolError::InvalidArgument {
            param: "versions".into(),
            problem: format!("item {i} is not an object like {{\"name\": \"1.0\"}}"),
        });
    }
    let progress = |n: usize, total: usize| {
        ctx.progress(n as f64, Some(total as f64), Some("versions created"))
    };
    sites::jira(s, ctx)?
        .batch_create_versions(&key(args), &items, &|| ctx.is_cancelled(), &progress)
        .map(Into::into)
        .map_err(jira_error)
}

fn update_version(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    sites::jira(s, ctx)?
        .update_version(args.string("version_id"), &change(args), &|| {
            ctx.is_cancelled()
        })
        .map(Into::into)
        .map_err(jira_error)
}

const KEY_ONLY: &[Param] = &[PROJECT_KEY_PARAM];

const DATE: &str = "YYYY-MM-DD.";

const CREATE_VERSION: &[Param] = &[
    PROJECT_KEY_PARAM,
    Param::string("name", "Name.").required(),
    Param::string("start_date", DATE),
    Param::string("release_date", DATE),
    Param::string("description", "Plain text."),
];

const UPDATE_VERSION: &[Param] = &[
    Param::string("version_id", "Version id.").required(),
    Param::string("name", "Name."),
    Param::string("description", "Plain text."),
    Param::string("start_date", DATE),
    Param::string("release_date", DATE),
    Param::bool("archived", "Archived."),
    Param::bool("released", "Released."),
];

/// The toolset's tools.
pub const TOOLS: &[Tool<Services>] = &[
    Tool::read(
        "jira_get_all_projects",
        "List projects",
        "Projects you can see.",
        TOOLSET,
        "jira",
        &[Param::bool("include_archived", "Include archived.").default_bool(false)],
        all_projects,
    ),
    Tool::read(
        "jira_search_projects",
        "Search projects",
        "Projects by key or name.",
        TOOLSET,
        "jira",
        &[
            Param::string("query", "Text.").required(),
            limit(20, Some(50)).named("max_results"),
            Param::string("current_project_ids", "Only these ids/keys."),
        ],
        search_projects,
    ),
    Tool::read(
        "jira_get_project_issue_types",
        "Issue types",
        "Issue types of a project.",
        TOOLSET,
        "jira",
        KEY_ONLY,
        issue_types,
    ),
    Tool::read(
        "jira_get_project_fields",
        "Project fields",
        "Create-screen fields per issue type.",
        TOOLSET,
        "jira",
        &[Param::string("project_key", "Project key.").required()],
        project_fields,
    ),
    Tool::read(
        "jira_get_create_fields",
        "Create fields",
        "Create-screen fields of an issue type.",
        TOOLSET,
        "jira",
        &[
            PROJECT_KEY_PARAM,
            Param::string("issue_type_id", "Issue type id.").required(),
        ],
        create_fields,
    ),
    Tool::read(
        "jira_get_project_components",
        "Components",
        "Components of a project.",
        TOOLSET,
        "jira",
        KEY_ONLY,
        components,
    ),
    Tool::read(
        "jira_get_project_versions",
        "Versions",
        "Versions of a project.",
        TOOLSET,
        "jira",
        KEY_ONLY,
        versions,
    ),
    Tool::read(
        "jira_create_version",
        "Create version",
        "Add a version to a project.",
        TOOLSET,
        "jira",
        CREATE_VERSION,
        create_version,
    )
    .writes(),
    Tool::read(
        "jira_batch_create_versions",
        "Create versions",
        "Add up to 50 versions.",
        TOOLSET,
        "jira",
        &[
            PROJECT_KEY_PARAM,
            Param::new(
                "versions",
                ParamType::JsonArray,
                "JSON array of {name, startDate, releaseDate, description}.",
            )
            .required(),
        ],
        batch_create_versions,
    )
    .writes(),
    Tool::read(
        "jira_update_version",
        "Update version",
        "Change given fields of a version.",
        TOOLSET,
        "jira",
        UPDATE_VERSION,
        update_version,
    )
    .destroys(),
];

//! Toolset `jira_project_analysis`: a project's links to other projects, and its epics with
//! their children and sub-tasks (bounded, with progress as pages arrive). The project must be
//! inside JIRA_PROJECTS_FILTER; linked issues outside it are counted, not shown.

use crate::mcp::{Args, CallCtx, Param, Tool, ToolOutput};
use crate::tools::params::PROJECT_KEY_PARAM as KEY_PARAM;

const PROJECT_KEY_PARAM: Param = KEY_PARAM.describe("Project key.");
use crate::tools::{Services, jira_error, sites};

const TOOLSET: &str = "jira_project_analysis";

fn key(args: &Args) -> String {
    args.string("project_key").to_ascii_uppercase()
}

fn dependencies(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    let progress =
        |n: usize, total: usize| ctx.progress(n as f64, Some(total as f64), Some("issues scanned"));
    sites::jira(s, ctx)?
        .cross_project_dependencies(
            &key(args),
            s.limit(args.int("max_issues").unwrap_or(200)),
            &|| ctx.is_cancelled(),
            &progress,
        )
        .map(Into::into)
        .map_err(jira_error)
}

fn hierarchy(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    let progress = |n: usize, total: Option<usize>, what: &str| {
        ctx.progress(n as f64, total.map(|t| t as f64), Some(what))
    };
    sites::jira(s, ctx)?
        .epic_hierarchy(
            &key(args),
            s.limit(args.int("max_epics").unwrap_or(200)),
            &|| ctx.is_cancelled(),
            &progress,
        )
        .map(Into::into)
        .map_err(jira_error)
}

/// The toolset's tools.
pub const TOOLS: &[Tool<Services>] = &[
    Tool::read(
        "jira_get_cross_project_dependencies",
        "Project links",
        "Issue links to other projects.",
        TOOLSET,
        "jira",
        &[
            PROJECT_KEY_PARAM,
            Param::int("max_issues", "Issues scanned.")
                .default_int(200)
                .range(1, 500),
        ],
        dependencies,
    ),
    Tool::read(
        "jira_get_project_epic_hierarchy",
        "Epic hierarchy",
        "Epics with progress, children, sub-tasks.",
        TOOLSET,
        "jira",
        &[
            PROJECT_KEY_PARAM,
            Param::int("max_epics", "Max epics.")
                .default_int(200)
                .range(1, 500),
        ],
        hierarchy,
    ),
];

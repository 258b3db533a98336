//! Toolset `jira_development`: branches, commits, pull requests and builds linked to issues (the
//! development panel API, both deployments), for one issue or up to 20 in one call.

use crate::mcp::{Args, CallCtx, Param, Tool, ToolOutput};
use crate::tools::params::ISSUE_KEY_PARAM;
use crate::tools::{Services, jira_error, sites};

const TOOLSET: &str = "jira_development";

fn opt<'a>(args: &'a Args, name: &str) -> Option<&'a str> {
    args.str(name).map(str::trim).filter(|s| !s.is_empty())
}

fn one(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    sites::jira(s, ctx)?
        .development_info(
            args.string("issue_key"),
            opt(args, "application_type"),
            opt(args, "data_type"),
            &|| ctx.is_cancelled(),
        )
        .map(Into::into)
        .map_err(jira_error)
}

fn many(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    let progress =
        |n: usize, total: usize| ctx.progress(n as f64, Some(total as f64), Some("issues read"));
    sites::jira(s, ctx)?
        .development_infos(
            &args.list("issue_keys"),
            opt(args, "application_type"),
            opt(args, "data_type"),
            &|| ctx.is_cancelled(),
            &progress,
        )
        .map(Into::into)
        .map_err(jira_error)
}

const APP: Param = Param::string("application_type", "e.g. github.");
const KIND: Param = Param::string("data_type", "pullrequest, branch, repository or build.");

/// The toolset's tools.
pub const TOOLS: &[Tool<Services>] = &[
    Tool::read(
        "jira_get_issue_development_info",
        "Dev info",
        "Branches, commits, pull requests, builds of an issue.",
        TOOLSET,
        "jira",
        &[ISSUE_KEY_PARAM.describe("Issue key."), APP, KIND],
        one,
    ),
    Tool::read(
        "jira_get_issues_development_info",
        "Issues dev info",
        "Dev info of up to 20 issues.",
        TOOLSET,
        "jira",
        &[
            Param::string("issue_keys", "Issue keys, comma list.").required(),
            APP,
            KIND,
        ],
        many,
    ),
];

//! Toolset `jira_issues`: reading issues (get one, search with JQL). Every tool enforces the
//! project filter through the Jira layer, on the query and on what comes back.

use crate::jira::{GetIssue, Search};
use crate::mcp::{Args, CallCtx, Param, Tool, ToolError, ToolOutput};
use crate::tools::params::{
    EXPAND, ISSUE_KEY_PARAM, PROJECT_KEY, START_AT, USE_DISPLAY_NAMES, limit,
};
use crate::tools::{Services, jira_error, sites};

const TOOLSET: &str = "jira_issues";

/// The reference's default field list (sorted).
pub const DEFAULT_FIELDS: &str = "assignee,created,description,issuetype,labels,priority,reporter,status,summary,updated,versions";

fn get_issue(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    let req = GetIssue {
        key: args.string("issue_key"),
        fields: args.string("fields"),
        expand: args.str("expand"),
        comment_limit: args.count("comment_limit"),
        properties: args.str("properties"),
        update_history: args.flag("update_history"),
        include: args.str("include"),
        use_display_names: args.flag("use_display_names"),
    };
    sites::jira(s, ctx)?
        .get_issue(&req, &|| ctx.is_cancelled())
        .map(Into::into)
        .map_err(jira_error)
}

fn search(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    let projects: Vec<String> = args
        .list("projects_filter")
        .into_iter()
        .map(|p| p.to_ascii_uppercase())
        .collect();
    if let Some(bad) = projects.iter().find(|k| !(PROJECT_KEY.check)(k)) {
        return Err(ToolError::InvalidArgument {
            param: "projects_filter".into(),
            problem: format!("{bad:?} is not {}", PROJECT_KEY.expected),
        });
    }
    let req = Search {
        jql: args.string("jql"),
        fields: args.string("fields"),
        limit: s.limit(args.number("limit")),
        start_at: args.count("start_at"),
        projects,
        expand: args.str("expand"),
        page_token: args.str("page_token"),
        use_display_names: args.flag("use_display_names"),
    };
    let progress = |fetched: usize, limit: usize| {
        ctx.progress(fetched as f64, Some(limit as f64), Some("issues fetched"));
    };
    sites::jira(s, ctx)?
        .search(&req, &|| ctx.is_cancelled(), &progress)
        .map(Into::into)
        .map_err(jira_error)
}

const FIELDS: Param = Param::string(
    "fields",
    "Field ids, comma-separated (e.g. summary,customfield_10010); *all for every field.",
)
.default_str(DEFAULT_FIELDS);

const GET_ISSUE_PARAMS: &[Param] = &[
    ISSUE_KEY_PARAM,
    FIELDS,
    EXPAND.describe("Jira expansions, comma-separated, e.g. renderedFields."),
    Param::int(
        "comment_limit",
        "Most recent comments to include (0: none).",
    )
    .default_int(10)
    .range(0, 100),
    Param::string(
        "properties",
        "Comma-separated issue property keys to return.",
    ),
    Param::bool(
        "update_history",
        "Add the issue to the user's recently viewed.",
    )
    .default_bool(true),
    Param::string(
        "include",
        "Extra parts, comma-separated: transitions, changelog, watchers, worklogs, remote_links, comments.",
    ),
    USE_DISPLAY_NAMES,
];

const SEARCH_PARAMS: &[Param] = &[
    Param::string(
        "jql",
        "JQL, e.g. project = PROJ AND status = \"In Progress\" ORDER BY updated DESC.",
    )
    .required(),
    FIELDS,
    limit(10, None).describe("Maximum issues; over 100 are fetched in pages."),
    START_AT.describe("Server/Data Center: offset of the first issue."),
    Param::string(
        "projects_filter",
        "Comma-separated project keys; narrows the server's own filter.",
    ),
    EXPAND.describe("Comma-separated Jira expansions, e.g. changelog."),
    Param::string(
        "page_token",
        "Cloud: next_page_token of the previous result.",
    ),
    USE_DISPLAY_NAMES,
];

/// The toolset's tools.
pub const TOOLS: &[Tool<Services>] = &[
    Tool::read(
        "jira_get_issue",
        "Get Jira issue",
        "Read one Jira issue: summary, status, people, dates, description and recent comments as Markdown; extra parts on request.",
        TOOLSET,
        "jira",
        GET_ISSUE_PARAMS,
        get_issue,
    ),
    Tool::read(
        "jira_search",
        "Search Jira issues",
        "Find issues with JQL. Cloud pages with next_page_token (pass it as page_token); Server/Data Center with start_at and total.",
        TOOLSET,
        "jira",
        SEARCH_PARAMS,
        search,
    ),
];

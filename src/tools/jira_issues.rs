//! Toolset `jira_issues`: reading issues (get one, search with JQL). Writes land with the Jira
//! issue; every tool enforces the project filter through the Jira layer.

use super::{Services, jira_error, sites};
use crate::jira::{GetIssue, Search};
use crate::mcp::{
    Access, Args, Availability, CallCtx, DefaultValue, Param, ParamType, Tool, ToolError,
    ToolOutput,
};

const TOOLSET: &str = "jira_issues";

/// The reference's default field list (sorted).
pub const DEFAULT_FIELDS: &str = "assignee,created,description,issuetype,labels,priority,reporter,status,summary,updated,versions";

/// `^[A-Z][A-Z0-9_]+-\d+(-\d+)*$`, the default JIRA_ISSUE_KEY_PATTERN, without a regex engine.
pub fn is_issue_key(key: &str) -> bool {
    let mut parts = key.split('-');
    let project = parts.next().unwrap_or_default();
    let mut chars = project.chars();
    let project_ok = project.len() >= 2
        && chars.next().is_some_and(|c| c.is_ascii_uppercase())
        && chars.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
    let mut numbers = 0;
    for p in parts {
        if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
            return false;
        }
        numbers += 1;
    }
    project_ok && numbers >= 1
}

fn get_issue(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    let key = args.str("issue_key").unwrap_or_default();
    if s.check_issue_keys && !is_issue_key(key) {
        return Err(ToolError::InvalidArgument {
            param: "issue_key".into(),
            problem: format!("{key:?} is not an issue key like PROJ-123"),
        });
    }
    let req = GetIssue {
        key,
        fields: args.str("fields").unwrap_or(DEFAULT_FIELDS),
        expand: args.str("expand"),
        comment_limit: args.int("comment_limit").unwrap_or(10).max(0) as usize,
        properties: args.str("properties"),
        update_history: args.bool("update_history").unwrap_or(true),
        include: args.str("include"),
        use_display_names: args.bool("use_display_names").unwrap_or(false),
    };
    sites::jira(s, ctx)?
        .get_issue(&req, &|| ctx.is_cancelled())
        .map_err(jira_error)
}

fn search(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    let projects = args
        .str("projects_filter")
        .map(|p| {
            p.split(',')
                .map(|x| x.trim().to_ascii_uppercase())
                .filter(|x| !x.is_empty())
                .collect()
        })
        .unwrap_or_default();
    let req = Search {
        jql: args.str("jql").unwrap_or_default(),
        fields: args.str("fields").unwrap_or(DEFAULT_FIELDS),
        limit: s.limit(args.int("limit"), 10),
        start_at: args.int("start_at").unwrap_or(0).max(0) as usize,
        projects,
        expand: args.str("expand"),
        page_token: args.str("page_token"),
        use_display_names: args.bool("use_display_names").unwrap_or(false),
    };
    let progress = |fetched: usize, limit: usize| {
        ctx.progress(fetched as f64, Some(limit as f64), Some("issues fetched"));
    };
    sites::jira(s, ctx)?
        .search(&req, &|| ctx.is_cancelled(), &progress)
        .map_err(jira_error)
}

const FIELDS: Param = Param::new(
    "fields",
    ParamType::String,
    "Comma-separated field ids to return, e.g. summary,status,customfield_10010; *all returns every field.",
)
.default(DefaultValue::Str(DEFAULT_FIELDS));
const USE_DISPLAY_NAMES: Param = Param::new(
    "use_display_names",
    ParamType::Boolean,
    "Key custom fields by their display name instead of customfield_NNNNN.",
)
.default(DefaultValue::Bool(false));

const GET_ISSUE_PARAMS: &[Param] = &[
    Param::new("issue_key", ParamType::String, "Issue key, e.g. PROJ-123.").required(),
    FIELDS,
    Param::new(
        "expand",
        ParamType::String,
        "Comma-separated Jira expansions, e.g. renderedFields,changelog.",
    ),
    Param::new(
        "comment_limit",
        ParamType::Integer,
        "Most recent comments to include (0 for none).",
    )
    .default(DefaultValue::Int(10))
    .range(0, 100),
    Param::new(
        "properties",
        ParamType::String,
        "Comma-separated issue property keys to return.",
    ),
    Param::new(
        "update_history",
        ParamType::Boolean,
        "Record the read in the user's recently viewed issues.",
    )
    .default(DefaultValue::Bool(true)),
    Param::new(
        "include",
        ParamType::String,
        "Extra parts, comma-separated: transitions, changelog, watchers, worklogs, remote_links, comments.",
    ),
    USE_DISPLAY_NAMES,
];

const SEARCH_PARAMS: &[Param] = &[
    Param::new(
        "jql",
        ParamType::String,
        "JQL query, e.g. project = PROJ AND status = \"In Progress\" ORDER BY updated DESC.",
    )
    .required(),
    FIELDS,
    Param::new("limit", ParamType::Integer, "Maximum issues to return.")
        .default(DefaultValue::Int(10))
        .range(1, 100),
    Param::new(
        "start_at",
        ParamType::Integer,
        "Offset of the first issue (Server/Data Center paging; Cloud uses page_token).",
    )
    .default(DefaultValue::Int(0))
    .range(0, 1_000_000),
    Param::new(
        "projects_filter",
        ParamType::String,
        "Comma-separated project keys to restrict the search to (narrows the server's filter).",
    ),
    Param::new(
        "expand",
        ParamType::String,
        "Comma-separated Jira expansions, e.g. changelog.",
    ),
    Param::new(
        "page_token",
        ParamType::String,
        "Cloud: next_page_token from the previous result, to get the next page.",
    ),
    USE_DISPLAY_NAMES,
];

/// The toolset's tools.
pub const TOOLS: &[Tool<Services>] = &[
    Tool {
        name: "jira_get_issue",
        title: "Get Jira issue",
        description: "Read one Jira issue by key: summary, status, people, dates, description and recent comments as Markdown. Choose fields, expansions and extra parts (transitions, changelog, watchers, worklogs, remote links).",
        toolset: TOOLSET,
        service: "jira",
        access: Access::Read,
        availability: Availability::Everywhere,
        destructive: false,
        client_capabilities: &[],
        params: GET_ISSUE_PARAMS,
        handler: get_issue,
    },
    Tool {
        name: "jira_search",
        title: "Search Jira issues",
        description: "Find Jira issues with JQL. Returns trimmed issues; on Cloud pass next_page_token back as page_token for more, on Server/Data Center use start_at (the result has total).",
        toolset: TOOLSET,
        service: "jira",
        access: Access::Read,
        availability: Availability::Everywhere,
        destructive: false,
        client_capabilities: &[],
        params: SEARCH_PARAMS,
        handler: search,
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issue_keys() {
        for ok in ["PROJ-1", "AB-12345", "A_B-3", "P2P-7", "PROJ-1-2"] {
            assert!(is_issue_key(ok), "{ok}");
        }
        for bad in [
            "proj-1", "P-1", "PROJ", "PROJ-", "PROJ-1a", "-1", "PROJ 1", "1PROJ-2",
        ] {
            assert!(!is_issue_key(bad), "{bad}");
        }
    }
}

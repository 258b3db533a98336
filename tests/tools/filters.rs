//! The injection catalogue: JQL, CQL and path tricks that try to leave `JIRA_PROJECTS_FILTER`
//! (MOB) and `CONFLUENCE_SPACES_FILTER` (OPS), on both deployments. Each row says either that the
//! call is refused (before any request when the trick is visible in the arguments) or that what
//! comes back holds nothing outside the filters. The sandbox holds issues of WEB, MOB, OPS, SUP
//! and OLD and pages of ENG, OPS, HR.

use crate::harness::{Cfg, FILTERED, On, Row, run_table};

/// A site with its own issue key pattern (the key format is then left to Jira) and a filter.
const CUSTOM_KEYS: Cfg = Cfg {
    user: "alice",
    extra: &[
        ("JIRA_ISSUE_KEY_PATTERN", "^[A-Z]+-.+$"),
        ("JIRA_PROJECTS_FILTER", "MOB"),
    ],
};

const fn refused(tool: &'static str, args: &'static str, text: &'static str) -> Row {
    Row::err(tool, On::Both, args, text, &[]).with(FILTERED)
}

const fn only_inside(
    tool: &'static str,
    args: &'static str,
    checks: &'static [&'static str],
) -> Row {
    Row::ok(tool, On::Both, args, checks, &["..."]).with(FILTERED)
}

/// Nothing of the projects or spaces outside the filters.
const NO_JIRA_LEAK: &[&str] = &["!WEB-", "!SUP-", "!OPS-", "!OLD-"];
const NO_SPACE_LEAK: &[&str] = &["!\"key\":\"ENG\"", "!\"key\":\"HR\"", "!\"key\":\"~alice\""];

pub const ROWS: &[Row] = &[
    // JQL
    refused(
        "jira_search",
        r#"{"jql": "status = Open) OR (project = WEB"}"#,
        "has no opening one",
    ),
    refused(
        "jira_search",
        r#"{"jql": "x = 1)) OR ((project = WEB"}"#,
        "has no opening one",
    ),
    refused(
        "jira_search",
        r#"{"jql": "status = Open\n) OR (project = WEB"}"#,
        "has no opening one",
    ),
    refused(
        "jira_search",
        r#"{"jql": "summary ~ 'a' ) OR project = WEB OR (summary ~ 'b'"}"#,
        "has no opening one",
    ),
    refused(
        "jira_search",
        r#"{"jql": "summary ~ \"x ) OR (project = WEB"}"#,
        "never closed",
    ),
    refused(
        "jira_search",
        r#"{"jql": "project = WEB ORDER BY key) OR (project = WEB"}"#,
        "has no opening one",
    ),
    refused(
        "jira_search",
        r#"{"jql": "project = MOB ORDER BY created OR project = WEB"}"#,
        "is not an ORDER BY clause",
    ),
    refused(
        "jira_search",
        r#"{"jql": "(project = MOB ORDER BY key) OR project = WEB"}"#,
        "ORDER BY may only end",
    ),
    refused(
        "jira_search",
        r#"{"jql": "project = MOB", "projects_filter": "WEB"}"#,
        "outside the projects",
    ),
    refused(
        "jira_search",
        r#"{"jql": "project = MOB", "projects_filter": "MOB\") OR project = (\"WEB"}"#,
        "is not a project key",
    ),
    only_inside("jira_search", r#"{"jql": "project = WEB"}"#, NO_JIRA_LEAK),
    only_inside(
        "jira_search",
        r#"{"jql": "project = WEB OR project = MOB", "limit": 50}"#,
        NO_JIRA_LEAK,
    ),
    only_inside(
        "jira_search",
        r#"{"jql": "issuekey = WEB-1 OR issuekey = SUP-1"}"#,
        NO_JIRA_LEAK,
    ),
    only_inside(
        "jira_search",
        r#"{"jql": "summary ~ \"x\\\" ) OR (project = WEB\""}"#,
        NO_JIRA_LEAK,
    ),
    only_inside(
        "jira_search",
        r#"{"jql": "project != MOB", "limit": 50}"#,
        NO_JIRA_LEAK,
    ),
    only_inside("jira_search", r#"{"jql": "", "limit": 50}"#, NO_JIRA_LEAK),
    // Issue keys and paths
    refused(
        "jira_get_issue",
        r#"{"issue_key": "WEB-1"}"#,
        "outside the projects",
    ),
    refused(
        "jira_get_issue",
        r#"{"issue_key": "MOB-1/../WEB-1"}"#,
        "is not an issue key",
    ),
    only_inside(
        "jira_get_issue",
        r#"{"issue_key": "MOB-1"}"#,
        &["/key=MOB-1"],
    ),
    Row::err(
        "jira_get_issue",
        On::Both,
        r#"{"issue_key": "MOB-1/../WEB-1"}"#,
        "404",
        &["GET /rest/api/{api}/issue/MOB-1%2F..%2FWEB-1"],
    )
    .with(CUSTOM_KEYS),
    // CQL
    refused(
        "confluence_search",
        r#"{"query": "type = page) OR (space = ENG"}"#,
        "has no opening one",
    ),
    refused(
        "confluence_search",
        r#"{"query": "text ~ 'unclosed"}"#,
        "never closed",
    ),
    refused(
        "confluence_search",
        r#"{"query": "title ~ \"x\" ORDER BY title OR space = ENG"}"#,
        "is not an ORDER BY clause",
    ),
    refused(
        "confluence_search",
        r#"{"query": "type = page", "spaces_filter": "ENG"}"#,
        "outside the spaces",
    ),
    refused(
        "confluence_search",
        r#"{"query": "type = page", "spaces_filter": "OPS\") OR space = (\"ENG"}"#,
        "is not a space key",
    ),
    only_inside(
        "confluence_search",
        r#"{"query": "space = ENG"}"#,
        NO_SPACE_LEAK,
    ),
    only_inside(
        "confluence_search",
        r#"{"query": "space = ENG OR space = OPS", "limit": 50}"#,
        NO_SPACE_LEAK,
    ),
    only_inside(
        "confluence_search",
        r#"{"query": "runbook", "limit": 50}"#,
        NO_SPACE_LEAK,
    ),
    // Page ids and titles
    refused(
        "confluence_get_page",
        r#"{"space_key": "ENG", "title": "Architecture Overview"}"#,
        "outside the spaces",
    ),
    refused(
        "confluence_get_page",
        r#"{"page_id": "1002/../2002"}"#,
        "is not a page id",
    ),
    Row::err(
        "confluence_get_page",
        On::Both,
        r#"{"page_id": "1002"}"#,
        "outside the spaces",
        &["..."],
    )
    .with(FILTERED),
    only_inside(
        "confluence_get_page",
        r#"{"page_id": "2002"}"#,
        &["/space/key=OPS"],
    ),
];

#[test]
fn no_query_or_id_leaves_the_filters() {
    run_table(ROWS);
}

//! Toolset `confluence_pages`: finding and reading pages (search with CQL or words, get one page
//! as Markdown). The space filter applies to the query and to every page that comes back.

use crate::confluence::{GetPage, PageRef, Reference, parse_page_ref};
use crate::mcp::{Args, CallCtx, Param, Tool, ToolError, ToolOutput};
use crate::tools::params::{PAGE_REF, SPACE_KEY, limit};
use crate::tools::{Services, confluence_error, sites};

const TOOLSET: &str = "confluence_pages";

fn search(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    let query = args.string("query");
    if query.trim().is_empty() {
        return Err(ToolError::InvalidArgument {
            param: "query".into(),
            problem: "must not be empty".into(),
        });
    }
    let spaces = args.list("spaces_filter");
    if let Some(bad) = spaces.iter().find(|k| !(SPACE_KEY.check)(k)) {
        return Err(ToolError::InvalidArgument {
            param: "spaces_filter".into(),
            problem: format!("{bad:?} is not {}", SPACE_KEY.expected),
        });
    }
    let limit = s.limit(args.number("limit"));
    sites::confluence(s, ctx)?
        .search(query, limit, &spaces, &|| ctx.is_cancelled())
        .map(Into::into)
        .map_err(confluence_error)
}

fn get_page(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    let named = args.str("page_id").and_then(parse_page_ref);
    let page = match (named.as_ref(), args.str("title"), args.str("space_key")) {
        (Some(Reference::Id(id)), _, _) => PageRef::Id(id),
        (Some(Reference::Title { space_key, title }), _, _) => PageRef::Title { space_key, title },
        (_, Some(title), Some(space_key)) => PageRef::Title { space_key, title },
        _ => {
            return Err(ToolError::InvalidArgument {
                param: "page_id".into(),
                problem: "give page_id, or title together with space_key".into(),
            });
        }
    };
    let req = GetPage {
        page,
        include_metadata: args.flag("include_metadata"),
        convert_to_markdown: args.flag("convert_to_markdown"),
    };
    sites::confluence(s, ctx)?
        .get_page(&req, &|| ctx.is_cancelled())
        .map(Into::into)
        .map_err(confluence_error)
}

const SEARCH_PARAMS: &[Param] = &[
    Param::string(
        "query",
        "CQL (e.g. space = DEV AND title ~ \"runbook\") or plain words for a text search.",
    )
    .required(),
    limit(10, Some(50)),
    Param::string(
        "spaces_filter",
        "Comma-separated space keys; narrows the server's own filter.",
    ),
];

const GET_PAGE_PARAMS: &[Param] = &[
    Param::string("page_id", "Page id, page URL or tiny link.").format(&PAGE_REF),
    Param::string("title", "Exact page title; needs space_key."),
    Param::string("space_key", "Space key, used with title.").format(&SPACE_KEY),
    Param::bool(
        "include_metadata",
        "Include id, title, space, version, dates and URL.",
    )
    .default_bool(true),
    Param::bool(
        "convert_to_markdown",
        "Body as Markdown; false returns storage XHTML.",
    )
    .default_bool(true),
];

/// The toolset's tools.
pub const TOOLS: &[Tool<Services>] = &[
    Tool::read(
        "confluence_search",
        "Search Confluence",
        "Search pages and blog posts with CQL or plain words. Each hit: id, title, space, URL, excerpt, version, last change.",
        TOOLSET,
        "confluence",
        SEARCH_PARAMS,
        search,
    ),
    Tool::read(
        "confluence_get_page",
        "Get Confluence page",
        "Read one page by id, or by space key and title. The body comes as Markdown with code, links, mentions, panels and tables kept.",
        TOOLSET,
        "confluence",
        GET_PAGE_PARAMS,
        get_page,
    ),
];

//! Toolset `confluence_pages`: finding and reading pages (search with CQL or words, get one page
//! as Markdown). Writes land with the Confluence issue; the space filter applies to every page.

use super::{Services, confluence_error, sites};
use crate::confluence::{GetPage, PageRef};
use crate::mcp::{
    Access, Args, Availability, CallCtx, DefaultValue, Param, ParamType, Tool, ToolError,
    ToolOutput,
};

const TOOLSET: &str = "confluence_pages";

fn search(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    let query = args.str("query").unwrap_or_default();
    if query.trim().is_empty() {
        return Err(ToolError::InvalidArgument {
            param: "query".into(),
            problem: "must not be empty".into(),
        });
    }
    let limit = s.limit(args.int("limit"), 10);
    sites::confluence(s, ctx)?
        .search(query, limit, args.str("spaces_filter"), &|| {
            ctx.is_cancelled()
        })
        .map_err(confluence_error)
}

fn get_page(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    let page = match (
        args.str("page_id"),
        args.str("title"),
        args.str("space_key"),
    ) {
        (Some(id), _, _) if !id.trim().is_empty() => PageRef::Id(id.trim()),
        (_, Some(title), Some(space_key)) => PageRef::Title { space_key, title },
        _ => {
            return Err(ToolError::InvalidArgument {
                param: "page_id".into(),
                problem: "give page_id, or title together with space_key".into(),
            });
        }
    };
    if let PageRef::Id(id) = page
        && !id.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(ToolError::InvalidArgument {
            param: "page_id".into(),
            problem: format!("{id:?} is not a numeric page id"),
        });
    }
    let req = GetPage {
        page,
        include_metadata: args.bool("include_metadata").unwrap_or(true),
        convert_to_markdown: args.bool("convert_to_markdown").unwrap_or(true),
    };
    sites::confluence(s, ctx)?
        .get_page(&req, &|| ctx.is_cancelled())
        .map_err(confluence_error)
}

const SEARCH_PARAMS: &[Param] = &[
    Param::new(
        "query",
        ParamType::String,
        "CQL (e.g. space = DEV AND title ~ \"runbook\") or plain words, which become a site-wide text search.",
    )
    .required(),
    Param::new("limit", ParamType::Integer, "Maximum results.").default(DefaultValue::Int(10)).range(1, 50),
    Param::new("spaces_filter", ParamType::String, "Comma-separated space keys to search in (narrows the server's filter)."),
];

const GET_PAGE_PARAMS: &[Param] = &[
    Param::new(
        "page_id",
        ParamType::String,
        "Numeric page id (from a search result or the page URL).",
    ),
    Param::new(
        "title",
        ParamType::String,
        "Exact page title; needs space_key.",
    ),
    Param::new(
        "space_key",
        ParamType::String,
        "Space key, used with title.",
    ),
    Param::new(
        "include_metadata",
        ParamType::Boolean,
        "Include id, title, space, version, dates and URL.",
    )
    .default(DefaultValue::Bool(true)),
    Param::new(
        "convert_to_markdown",
        ParamType::Boolean,
        "Return the body as Markdown; false returns storage XHTML.",
    )
    .default(DefaultValue::Bool(true)),
];

/// The toolset's tools.
pub const TOOLS: &[Tool<Services>] = &[
    Tool {
        name: "confluence_search",
        title: "Search Confluence",
        description: "Search Confluence pages and blog posts with CQL or plain words. Returns id, title, space, URL, excerpt and last change of each hit.",
        toolset: TOOLSET,
        service: "confluence",
        access: Access::Read,
        availability: Availability::Everywhere,
        destructive: false,
        client_capabilities: &[],
        params: SEARCH_PARAMS,
        handler: search,
    },
    Tool {
        name: "confluence_get_page",
        title: "Get Confluence page",
        description: "Read one Confluence page by id, or by space key and title. The body comes as Markdown with code blocks, links, mentions, panels and tables kept.",
        toolset: TOOLSET,
        service: "confluence",
        access: Access::Read,
        availability: Availability::Everywhere,
        destructive: false,
        client_capabilities: &[],
        params: GET_PAGE_PARAMS,
        handler: get_page,
    },
];

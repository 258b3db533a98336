//! Toolset `confluence_analytics`: page view counts (Cloud; Server/DC has no analytics API).

use super::common::run;
use crate::mcp::{Args, CallCtx, Param, Tool, ToolOutput};
use crate::tools::Services;
use crate::tools::params::PAGE;

fn views(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    let title = args.bool("include_title").unwrap_or(true);
    run(s, ctx, |c, cancel| {
        c.page_views(
            &c.resolve_page(args.string("page_id"), cancel)?,
            title,
            cancel,
        )
    })
}

const PARAMS: &[Param] = &[
    PAGE,
    Param::bool("include_title", "Add the title.").default_bool(true),
];

/// The toolset's tools.
pub const TOOLS: &[Tool<Services>] = &[Tool::read(
    "confluence_get_page_views",
    "Get page views",
    "How often a page was viewed.",
    "confluence_analytics",
    "confluence",
    PARAMS,
    views,
)
.cloud_only()];

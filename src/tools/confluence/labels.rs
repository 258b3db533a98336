//! Toolset `confluence_labels`: read and add page labels.

use super::common::run;
use crate::mcp::{Args, CallCtx, Param, Tool, ToolOutput};
use crate::tools::Services;
use crate::tools::params::PAGE;

const TOOLSET: &str = "confluence_labels";

fn get(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    run(s, ctx, |c, cancel| {
        c.labels(&c.resolve_page(args.string("page_id"), cancel)?, cancel)
    })
}

fn add(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    run(s, ctx, |c, cancel| {
        c.add_label(
            &c.resolve_page(args.string("page_id"), cancel)?,
            args.string("name"),
            cancel,
        )
    })
}

const ADD: &[Param] = &[PAGE, Param::string("name", "Label, no spaces.").required()];

/// The toolset's tools.
pub const TOOLS: &[Tool<Services>] = &[
    Tool::read(
        "confluence_get_labels",
        "Get labels",
        "Labels of a page.",
        TOOLSET,
        "confluence",
        &[PAGE],
        get,
    ),
    Tool::read(
        "confluence_add_label",
        "Add label",
        "Add a label; returns the page's labels.",
        TOOLSET,
        "confluence",
        ADD,
        add,
    )
    .writes(),
];

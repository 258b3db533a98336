//! Toolset `confluence_templates`: list and read page templates, and create a page from one
//! (Cloud template API; the template body is used as stored, macros included).

use super::common::run;
use crate::mcp::{Args, CallCtx, Param, Tool, ToolOutput};
use crate::tools::Services;
use crate::tools::params::{PAGE_REF, SPACE_KEY, SPACE_KEY_PARAM, limit};

const TOOLSET: &str = "confluence_templates";

fn list(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    let want = s.limit(args.int("limit").unwrap_or(25));
    run(s, ctx, |c, cancel| {
        c.templates(args.str("space_key"), want, cancel)
    })
}

fn get(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    run(s, ctx, |c, cancel| {
        c.template(args.string("template_id"), cancel)
    })
}

fn create(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    run(s, ctx, |c, cancel| {
        c.create_from_template(
            args.string("space_key"),
            args.string("title"),
            args.string("template_id"),
            c.resolve_opt(args.str("parent_id"), cancel)?.as_deref(),
            cancel,
        )
    })
}

const TEMPLATE: Param = Param::string("template_id", "Template id.").required();

const LIST: &[Param] = &[
    Param::string("space_key", "Space key.").format(&SPACE_KEY),
    limit(25, Some(200)),
];

const CREATE: &[Param] = &[
    SPACE_KEY_PARAM,
    Param::string("title", "Page title.").required(),
    TEMPLATE,
    Param::string("parent_id", "Parent page id.").format(&PAGE_REF),
];

/// The toolset's tools.
pub const TOOLS: &[Tool<Services>] = &[
    Tool::read(
        "confluence_list_page_templates",
        "List page templates",
        "Global templates, and a space's with space_key.",
        TOOLSET,
        "confluence",
        LIST,
        list,
    )
    .cloud_only(),
    Tool::read(
        "confluence_get_page_template",
        "Get page template",
        "One template with its body as Markdown.",
        TOOLSET,
        "confluence",
        &[TEMPLATE],
        get,
    )
    .cloud_only(),
    Tool::read(
        "confluence_create_page_from_template",
        "Create page from template",
        "New page with a template's body.",
        TOOLSET,
        "confluence",
        CREATE,
        create,
    )
    .writes()
    .cloud_only(),
];

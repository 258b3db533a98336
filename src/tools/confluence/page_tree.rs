//! Toolset `confluence_pages`, around one page: its children, its space's page tree (with
//! progress), its history and version diffs, and its restrictions (read and set).

use super::common::run;
use crate::confluence::{Children, Restrictions};
use crate::mcp::{Args, CallCtx, Param, ParamType, Tool, ToolOutput};
use crate::tools::Services;
use crate::tools::params::{PAGE, PAGE_REF, SPACE_KEY_PARAM, limit};

const TOOLSET: &str = "confluence_pages";

fn children(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    run(s, ctx, |c, cancel| {
        let parent_id = c.resolve_page(args.string("parent_id"), cancel)?;
        let req = Children {
            parent_id: &parent_id,
            expand: args.string("expand"),
            limit: s.limit(args.int("limit").unwrap_or(25)),
            start: args.count("start"),
            include_content: args.bool("include_content").unwrap_or(false),
            convert_to_markdown: args.bool("convert_to_markdown").unwrap_or(true),
            include_folders: args.bool("include_folders").unwrap_or(true),
        };
        c.children(&req, cancel)
    })
}

fn tree(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    let want = s.limit(args.int("limit").unwrap_or(100));
    let progress = |got: usize, of: usize| {
        ctx.progress(got as f64, Some(of as f64), Some("pages listed"));
    };
    run(s, ctx, |c, cancel| {
        c.space_tree(args.string("space_key"), want, cancel, &progress)
    })
}

fn history(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    let n = args.int("version").unwrap_or(1).max(1) as u64;
    let md = args.bool("convert_to_markdown").unwrap_or(true);
    run(s, ctx, |c, cancel| {
        c.page_version(
            &c.resolve_page(args.string("page_id"), cancel)?,
            n,
            md,
            cancel,
        )
    })
}

fn diff(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    let from = args.int("from_version").unwrap_or(1).max(1) as u64;
    let to = args.int("to_version").unwrap_or(1).max(1) as u64;
    run(s, ctx, |c, cancel| {
        c.page_diff(
            &c.resolve_page(args.string("page_id"), cancel)?,
            from,
            to,
            cancel,
        )
    })
}

fn restrictions(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    run(s, ctx, |c, cancel| {
        c.restrictions(&c.resolve_page(args.string("page_id"), cancel)?, cancel)
    })
}

fn set_restrictions(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    let list = |k: &str| args.get(k).map(|_| args.list(k));
    let new = Restrictions {
        read_users: list("read_users"),
        read_groups: list("read_groups"),
        edit_users: list("edit_users"),
        edit_groups: list("edit_groups"),
    };
    run(s, ctx, |c, cancel| {
        c.set_restrictions(
            &c.resolve_page(args.string("page_id"), cancel)?,
            &new,
            cancel,
        )
    })
}

const CHILDREN: &[Param] = &[
    Param::string("parent_id", "Page id.")
        .format(&PAGE_REF)
        .required(),
    Param::string("expand", "Server/DC expansions.").default_str("version,history"),
    limit(25, Some(50)),
    Param::bool("include_content", "Add each body.").default_bool(false),
    Param::bool("convert_to_markdown", "Bodies as Markdown, else storage.").default_bool(true),
    Param::int("start", "Children to skip.")
        .default_int(0)
        .min(0),
    Param::bool("include_folders", "List folders too (Cloud).").default_bool(true),
];

const TREE: &[Param] = &[SPACE_KEY_PARAM, limit(100, Some(1000))];

const HISTORY: &[Param] = &[
    PAGE,
    Param::int("version", "Version number.").required().min(1),
    Param::bool("convert_to_markdown", "Markdown, else storage.").default_bool(true),
];

const DIFF: &[Param] = &[
    PAGE,
    Param::int("from_version", "Older version.")
        .required()
        .min(1),
    Param::int("to_version", "Newer version.").required().min(1),
];

const SET: &[Param] = &[
    PAGE,
    Param::new(
        "read_users",
        ParamType::StringArray,
        "Who may view (account ids on Cloud, user names on Server/DC); [] clears.",
    ),
    Param::new(
        "read_groups",
        ParamType::StringArray,
        "Groups that may view.",
    ),
    Param::new("edit_users", ParamType::StringArray, "Who may edit."),
    Param::new(
        "edit_groups",
        ParamType::StringArray,
        "Groups that may edit.",
    ),
];

/// The toolset's tools around one page.
pub const TOOLS: &[Tool<Services>] = &[
    Tool::read(
        "confluence_get_page_children",
        "Get page children",
        "Direct children of a page.",
        TOOLSET,
        "confluence",
        CHILDREN,
        children,
    ),
    Tool::read(
        "confluence_get_space_page_tree",
        "Get space page tree",
        "All pages of a space in tree order with depth and parent_id.",
        TOOLSET,
        "confluence",
        TREE,
        tree,
    ),
    Tool::read(
        "confluence_get_page_history",
        "Get page version",
        "One earlier version of a page with its body.",
        TOOLSET,
        "confluence",
        HISTORY,
        history,
    ),
    Tool::read(
        "confluence_get_page_diff",
        "Get page diff",
        "Unified diff of two versions' Markdown.",
        TOOLSET,
        "confluence",
        DIFF,
        diff,
    ),
    Tool::read(
        "confluence_get_page_restrictions",
        "Get page restrictions",
        "Users and groups who may view or edit a page.",
        TOOLSET,
        "confluence",
        &[PAGE],
        restrictions,
    ),
    Tool::read(
        "confluence_set_page_restrictions",
        "Set page restrictions",
        "Replace the given view/edit lists (others kept); returns the result.",
        TOOLSET,
        "confluence",
        SET,
        set_restrictions,
    )
    .destroys(),
];

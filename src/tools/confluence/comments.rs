//! Toolset `confluence_comments`: footer and inline comments of a page (bodies as Markdown),
//! new comments, replies, and inline comments on a text selection.

use super::common::run;
use crate::confluence::InlineComment;
use crate::mcp::{Args, CallCtx, Param, Tool, ToolOutput};
use crate::tools::Services;
use crate::tools::params::{NUMERIC_ID, PAGE};

const TOOLSET: &str = "confluence_comments";

fn get(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    run(s, ctx, |c, cancel| {
        c.comments(
            &c.resolve_page(args.string("page_id"), cancel)?,
            false,
            cancel,
        )
    })
}

fn get_inline(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    run(s, ctx, |c, cancel| {
        c.comments(
            &c.resolve_page(args.string("page_id"), cancel)?,
            true,
            cancel,
        )
    })
}

fn add(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    run(s, ctx, |c, cancel| {
        c.add_comment(
            &c.resolve_page(args.string("page_id"), cancel)?,
            args.string("body"),
            cancel,
        )
    })
}

fn reply(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    run(s, ctx, |c, cancel| {
        c.reply(args.string("comment_id"), args.string("body"), cancel)
    })
}

fn add_inline(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    run(s, ctx, |c, cancel| {
        let page_id = c.resolve_page(args.string("page_id"), cancel)?;
        let req = InlineComment {
            page_id: &page_id,
            body: args.string("body"),
            selection: args.string("text_selection"),
            match_count: args.int("text_selection_match_count").unwrap_or(1).max(1) as usize,
            match_index: args.count("text_selection_match_index"),
        };
        c.add_inline_comment(&req, cancel)
    })
}

const BODY: Param = Param::string("body", "Markdown.").required();

const INLINE: &[Param] = &[
    PAGE,
    BODY,
    Param::string("text_selection", "Exact page text to comment on.").required(),
    Param::int("text_selection_match_count", "Occurrences of it (checked).")
        .default_int(1)
        .min(1),
    Param::int("text_selection_match_index", "Which one, from 0.")
        .default_int(0)
        .min(0),
];

const REPLY: &[Param] = &[
    Param::string("comment_id", "Comment id.")
        .format(&NUMERIC_ID)
        .required(),
    BODY,
];

/// The toolset's tools.
pub const TOOLS: &[Tool<Services>] = &[
    Tool::read(
        "confluence_get_comments",
        "Get comments",
        "Footer comments and replies, as Markdown.",
        TOOLSET,
        "confluence",
        &[PAGE],
        get,
    ),
    Tool::read(
        "confluence_add_comment",
        "Add comment",
        "Add a footer comment.",
        TOOLSET,
        "confluence",
        &[PAGE, BODY],
        add,
    )
    .writes(),
    Tool::read(
        "confluence_reply_to_comment",
        "Reply to comment",
        "Reply to a footer comment.",
        TOOLSET,
        "confluence",
        REPLY,
        reply,
    )
    .writes(),
    Tool::read(
        "confluence_get_inline_comments",
        "Get inline comments",
        "Inline comments with their selected text.",
        TOOLSET,
        "confluence",
        &[PAGE],
        get_inline,
    ),
    Tool::read(
        "confluence_add_inline_comment",
        "Add inline comment",
        "Comment on a piece of page text.",
        TOOLSET,
        "confluence",
        INLINE,
        add_inline,
    )
    .destroys(),
];

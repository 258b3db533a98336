//! Toolset `confluence_pages`, the writes: create, update, update one section, delete, copy and
//! move pages. Content comes as Markdown (or wiki / storage); the space filter applies to the
//! page, its parent and the target.

use super::common::run;
use crate::confluence::{Body, Look, NewPage, PageEdit};
use crate::mcp::{Args, CallCtx, Param, Tool, ToolError, ToolOutput};
use crate::tools::Services;
use crate::tools::files::read_upload;
use crate::tools::params::{CONTENT_FORMAT, PAGE, PAGE_REF, SPACE_KEY, SPACE_KEY_PARAM};

const TOOLSET: &str = "confluence_pages";

/// The page text: `content`, or the file `content_file` (confined to the upload directory).
fn content(s: &Services, args: &Args, required: bool) -> Result<Option<String>, ToolError> {
    match (args.str("content"), args.str("content_file")) {
        (Some(_), Some(_)) => Err(ToolError::InvalidArgument {
            param: "content_file".into(),
            problem: "give content or content_file, not both".into(),
        }),
        (Some(c), None) => Ok(Some(c.to_string())),
        (None, Some(path)) => {
            let file = read_upload("content_file", path, &s.upload_root(), s.max_file_bytes)?;
            String::from_utf8(file.data)
                .map(Some)
                .map_err(|_| ToolError::InvalidArgument {
                    param: "content_file".into(),
                    problem: "the file is not UTF-8 text".into(),
                })
        }
        (None, None) if required => Err(ToolError::InvalidArgument {
            param: "content".into(),
            problem: "give content or content_file".into(),
        }),
        (None, None) => Ok(None),
    }
}

fn look(args: &Args) -> Look<'_> {
    Look {
        heading_anchors: args.bool("enable_heading_anchors").unwrap_or(false),
        emoji: args.str("emoji"),
        page_width: args.str("page_width"),
        table_layout: args.str("table_layout"),
    }
}

fn create(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    let text = content(s, args, true)?.unwrap_or_default();
    run(s, ctx, |c, cancel| {
        let parent = c.resolve_opt(args.str("parent_id"), cancel)?;
        let req = NewPage {
            space_key: args.string("space_key"),
            title: args.string("title"),
            body: Body {
                text: &text,
                format: args.string("content_format"),
            },
            parent_id: parent.as_deref(),
            look: look(args),
            include_content: args.bool("include_content").unwrap_or(false),
            subtype: args.str("subtype"),
        };
        c.create_page(&req, cancel)
    })
}

fn update(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    let text = content(s, args, false)?;
    run(s, ctx, |c, cancel| {
        let page_id = c.resolve_page(args.string("page_id"), cancel)?;
        let parent = c.resolve_opt(args.str("parent_id"), cancel)?;
        let req = PageEdit {
            page_id: &page_id,
            title: args.string("title"),
            body: text.as_deref().map(|t| Body {
                text: t,
                format: args.string("content_format"),
            }),
            minor: args.bool("is_minor_edit").unwrap_or(false),
            message: args.str("version_comment"),
            parent_id: parent.as_deref(),
            look: look(args),
            include_content: args.bool("include_content").unwrap_or(false),
        };
        c.update_page(&req, cancel)
    })
}

fn update_section(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    let body = Body {
        text: args.string("new_content"),
        format: args.string("content_format"),
    };
    run(s, ctx, |c, cancel| {
        c.update_section(
            &c.resolve_page(args.string("page_id"), cancel)?,
            args.string("heading_text"),
            body,
            args.bool("is_minor_edit").unwrap_or(false),
            args.str("version_comment"),
            cancel,
        )
    })
}

fn delete(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    run(s, ctx, |c, cancel| {
        c.delete_page(&c.resolve_page(args.string("page_id"), cancel)?, cancel)
    })
}

fn copy(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    run(s, ctx, |c, cancel| {
        c.copy_page(
            &c.resolve_page(args.string("source_page_id"), cancel)?,
            args.string("destination_space_key"),
            args.string("new_title"),
            c.resolve_opt(args.str("destination_parent_id"), cancel)?
                .as_deref(),
            args.bool("copy_attachments").unwrap_or(true),
            cancel,
        )
    })
}

fn move_page(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    run(s, ctx, |c, cancel| {
        c.move_page(
            &c.resolve_page(args.string("page_id"), cancel)?,
            c.resolve_opt(args.str("target_parent_id"), cancel)?
                .as_deref(),
            args.str("target_space_key"),
            args.string("position"),
            cancel,
        )
    })
}

const TITLE: Param = Param::string("title", "Page title.").required();
const CONTENT: Param = Param::string("content", "Page body.");
const PARENT: Param = Param::string("parent_id", "Parent page id.").format(&PAGE_REF);
const ANCHORS: Param =
    Param::bool("enable_heading_anchors", "Add an anchor to each heading.").default_bool(false);
const INCLUDE: Param =
    Param::bool("include_content", "Return the body as Markdown.").default_bool(false);
const EMOJI: Param = Param::string("emoji", "Title emoji, e.g. 🚀.");
const FILE: Param = Param::string("content_file", "Read the body from this file instead.");
const WIDTH: Param =
    Param::string("page_width", "full-width or fixed.").choices(&["full-width", "fixed"]);
const TABLES: Param = Param::string("table_layout", "Tables: default, wide or full-width.")
    .choices(&["default", "wide", "full-width"]);
const MINOR: Param = Param::bool("is_minor_edit", "No watcher notification.").default_bool(false);
const COMMENT: Param = Param::string("version_comment", "Version message.");

const CREATE: &[Param] = &[
    SPACE_KEY_PARAM,
    TITLE,
    CONTENT,
    PARENT,
    CONTENT_FORMAT,
    ANCHORS,
    INCLUDE,
    EMOJI,
    FILE,
    WIDTH,
    TABLES,
    Param::string("subtype", "live for a live doc (Cloud).").choices(&["live"]),
];

const UPDATE: &[Param] = &[
    PAGE,
    TITLE,
    Param::string("content", "New body; omitted keeps the stored one."),
    MINOR,
    COMMENT,
    Param::string("parent_id", "New parent page id.").format(&PAGE_REF),
    CONTENT_FORMAT,
    ANCHORS,
    INCLUDE,
    EMOJI,
    FILE,
    WIDTH,
    TABLES,
];

const SECTION: &[Param] = &[
    PAGE,
    Param::string("heading_text", "Heading whose section to replace.").required(),
    Param::string("new_content", "New section body (heading kept).").required(),
    CONTENT_FORMAT,
    MINOR,
    COMMENT,
];

const COPY: &[Param] = &[
    Param::string("source_page_id", "Page to copy.")
        .format(&PAGE_REF)
        .required(),
    Param::string("destination_space_key", "Target space.")
        .format(&SPACE_KEY)
        .required(),
    Param::string("new_title", "Title of the copy.").required(),
    Param::string("destination_parent_id", "Parent of the copy.").format(&PAGE_REF),
    Param::bool("copy_attachments", "Cloud only.").default_bool(true),
];

const MOVE: &[Param] = &[
    PAGE,
    Param::string("target_parent_id", "Page to move under or beside.").format(&PAGE_REF),
    Param::string("target_space_key", "Space to move to.").format(&SPACE_KEY),
    Param::string("position", "append (child), before or after (sibling).")
        .default_str("append")
        .choices(&["append", "before", "after"]),
];

/// The toolset's write tools.
pub const TOOLS: &[Tool<Services>] = &[
    Tool::read(
        "confluence_create_page",
        "Create page",
        "Create a page from Markdown (or wiki / storage).",
        TOOLSET,
        "confluence",
        CREATE,
        create,
    )
    .writes(),
    Tool::read(
        "confluence_update_page",
        "Update page",
        "Replace a page's title, body or parent (version + 1; a concurrent change is refused).",
        TOOLSET,
        "confluence",
        UPDATE,
        update,
    )
    .destroys(),
    Tool::read(
        "confluence_update_page_section",
        "Update page section",
        "Replace the content under one heading; the rest of the page stays byte for byte.",
        TOOLSET,
        "confluence",
        SECTION,
        update_section,
    )
    .destroys(),
    Tool::read(
        "confluence_delete_page",
        "Delete page",
        "Move a page to the trash.",
        TOOLSET,
        "confluence",
        &[PAGE],
        delete,
    )
    .destroys(),
    Tool::read(
        "confluence_copy_page",
        "Copy page",
        "Copy a page to a space or under a parent.",
        TOOLSET,
        "confluence",
        COPY,
        copy,
    )
    .destroys(),
    Tool::read(
        "confluence_move_page",
        "Move page",
        "Move a page under or beside another, or to a space's top.",
        TOOLSET,
        "confluence",
        MOVE,
        move_page,
    )
    .destroys(),
];

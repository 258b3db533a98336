//! Toolset `confluence_permissions`: may a user or group read, update or delete some content,
//! and a space's permission assignments (Cloud APIs; Server/DC has neither).

use super::common::run;
use crate::mcp::{Args, CallCtx, Param, Tool, ToolOutput};
use crate::tools::Services;
use crate::tools::params::{NUMERIC_ID, PAGE_REF, limit};

const TOOLSET: &str = "confluence_permissions";

fn check(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    run(s, ctx, |c, cancel| {
        c.check_permission(
            &c.resolve_page(args.string("content_id"), cancel)?,
            args.string("user_identifier"),
            args.string("subject_type"),
            args.string("operation"),
            cancel,
        )
    })
}

fn space(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    let want = s.limit(args.int("limit").unwrap_or(25));
    run(s, ctx, |c, cancel| {
        c.space_permissions(args.string("space_id"), want, args.str("cursor"), cancel)
    })
}

const CHECK: &[Param] = &[
    Param::string("content_id", "Page id.")
        .format(&PAGE_REF)
        .required(),
    Param::string("user_identifier", "Account id, or group name.").required(),
    Param::string("operation", "read, update or delete.")
        .required()
        .choices(&["read", "update", "delete"]),
    Param::string("subject_type", "user or group.")
        .default_str("user")
        .choices(&["user", "group"]),
];

const SPACE: &[Param] = &[
    Param::string("space_id", "Numeric space id.")
        .format(&NUMERIC_ID)
        .required(),
    limit(25, None),
    Param::string("cursor", "From next_cursor."),
];

/// The toolset's tools.
pub const TOOLS: &[Tool<Services>] = &[
    Tool::read(
        "confluence_check_content_permissions",
        "Check content permission",
        "May a user or group do an operation on some content?",
        TOOLSET,
        "confluence",
        CHECK,
        check,
    )
    .cloud_only(),
    Tool::read(
        "confluence_get_space_permissions",
        "Get space permissions",
        "A space's permission assignments, one page; next_cursor continues.",
        TOOLSET,
        "confluence",
        SPACE,
        space,
    )
    .cloud_only(),
];

//! Toolset `confluence_users`: find people (Cloud CQL user search; Server/DC members of a group
//! matched by name).

use super::common::run;
use crate::mcp::{Args, CallCtx, Param, Tool, ToolOutput};
use crate::tools::Services;
use crate::tools::params::limit;

fn search(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    let want = s.limit(args.int("limit").unwrap_or(10));
    run(s, ctx, |c, cancel| {
        c.search_users(
            args.string("query"),
            want,
            args.string("group_name"),
            cancel,
        )
    })
}

const PARAMS: &[Param] = &[
    Param::string(
        "query",
        "Name words, or CQL such as user.fullname ~ \"ann\".",
    )
    .required(),
    limit(10, Some(50)),
    Param::string("group_name", "Server/DC: group searched.").default_str("confluence-users"),
];

/// The toolset's tools.
pub const TOOLS: &[Tool<Services>] = &[Tool::read(
    "confluence_search_user",
    "Search users",
    "Find people by name (or CQL on Cloud).",
    "confluence_users",
    "confluence",
    PARAMS,
    search,
)];

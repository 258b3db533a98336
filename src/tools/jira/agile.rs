//! Toolset `jira_agile`: boards, sprints and their issues, sprint writes, moving issues between
//! sprints and the backlog. Board and sprint ids are resolved to their project by the Jira layer
//! before anything is done with them, when JIRA_PROJECTS_FILTER is set.

use crate::jira::{BoardQuery, SprintChange};
use crate::mcp::{Args, CallCtx, Param, Tool, ToolOutput};
use crate::tools::jira::issues::DEFAULT_FIELDS;
use crate::tools::params::{NUMERIC_ID, PROJECT_KEY, START_AT, limit};
use crate::tools::{Services, jira_error, sites};

const TOOLSET: &str = "jira_agile";

fn page(s: &Services, args: &Args) -> (usize, usize) {
    (
        args.count("start_at"),
        s.limit(args.int("limit").unwrap_or(10)).min(50),
    )
}

fn boards(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    let (start_at, limit) = page(s, args);
    let q = BoardQuery {
        name: args.str("board_name"),
        project_key: args.str("project_key"),
        board_type: args.str("board_type"),
        start_at,
        limit,
    };
    sites::jira(s, ctx)?
        .boards(&q, &|| ctx.is_cancelled())
        .map(Into::into)
        .map_err(jira_error)
}

fn board_issues(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    let (start_at, limit) = page(s, args);
    sites::jira(s, ctx)?
        .board_issues(
            args.string("board_id"),
            args.string("jql"),
            args.string("fields"),
            args.str("expand"),
            start_at,
            limit,
            &|| ctx.is_cancelled(),
        )
        .map(Into::into)
        .map_err(jira_error)
}

fn sprints(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    let (start_at, limit) = page(s, args);
    sites::jira(s, ctx)?
        .sprints(
            args.string("board_id"),
            args.str("state").filter(|s| !s.is_empty()),
            start_at,
            limit,
            &|| ctx.is_cancelled(),
        )
        .map(Into::into)
        .map_err(jira_error)
}

fn sprint_issues(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    let (start_at, limit) = page(s, args);
    sites::jira(s, ctx)?
        .sprint_issues(
            args.string("sprint_id"),
            args.string("fields"),
            start_at,
            limit,
            &|| ctx.is_cancelled(),
        )
        .map(Into::into)
        .map_err(jira_error)
}

fn change(args: &Args) -> SprintChange<'_> {
    SprintChange {
        name: args.str("name"),
        state: args.str("state"),
        start_date: args.str("start_date"),
        end_date: args.str("end_date"),
        goal: args.str("goal"),
    }
}

fn create_sprint(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    sites::jira(s, ctx)?
        .create_sprint(args.string("board_id"), &change(args), &|| {
            ctx.is_cancelled()
        })
        .map(Into::into)
        .map_err(jira_error)
}

fn update_sprint(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    sites::jira(s, ctx)?
        .update_sprint(args.string("sprint_id"), &change(args), &|| {
            ctx.is_cancelled()
        })
        .map(Into::into)
        .map_err(jira_error)
}

fn add_to_sprint(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    sites::jira(s, ctx)?
        .add_to_sprint(args.string("sprint_id"), &args.list("issue_keys"), &|| {
            ctx.is_cancelled()
        })
        .map(Into::into)
        .map_err(jira_error)
}

fn to_backlog(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    sites::jira(s, ctx)?
        .move_to_backlog(&args.list("issue_keys"), &|| ctx.is_cancelled())
        .map(Into::into)
        .map_err(jira_error)
}

const BOARD_ID: Param = Param::string("board_id", "Board id.")
    .format(&NUMERIC_ID)
    .required();
const SPRINT_ID: Param = Param::string("sprint_id", "Sprint id.")
    .format(&NUMERIC_ID)
    .required();
const FIELDS: Param =
    Param::string("fields", "Field ids (comma list) or *all.").default_str(DEFAULT_FIELDS);
const LIMIT: Param = limit(10, Some(50)).describe("Max results.");
const OFFSET: Param = START_AT.describe("Offset.");
const KEYS: Param = Param::string("issue_keys", "Issue keys, comma list.").required();
const WHEN: &str = "ISO 8601.";

const BOARDS: &[Param] = &[
    Param::string("board_name", "Name contains."),
    Param::string("project_key", "Project key.").format(&PROJECT_KEY),
    Param::string("board_type", "scrum, kanban or simple."),
    OFFSET,
    LIMIT,
];

/// The toolset's tools.
pub const TOOLS: &[Tool<Services>] = &[
    Tool::read(
        "jira_get_agile_boards",
        "List boards",
        "Agile boards by name, project, type.",
        TOOLSET,
        "jira",
        BOARDS,
        boards,
    ),
    Tool::read(
        "jira_get_board_issues",
        "Board issues",
        "Board issues matching JQL.",
        TOOLSET,
        "jira",
        &[
            BOARD_ID,
            Param::string("jql", "JQL filter.").required(),
            FIELDS,
            OFFSET,
            LIMIT,
            Param::string("expand", "Expansions.").default_str("version"),
        ],
        board_issues,
    ),
    Tool::read(
        "jira_get_sprints_from_board",
        "Sprints",
        "Sprints of a board.",
        TOOLSET,
        "jira",
        &[
            BOARD_ID,
            Param::string("state", "future, active, closed; comma list."),
            OFFSET,
            LIMIT,
        ],
        sprints,
    ),
    Tool::read(
        "jira_get_sprint_issues",
        "Sprint issues",
        "Issues in a sprint.",
        TOOLSET,
        "jira",
        &[SPRINT_ID, FIELDS, OFFSET, LIMIT],
        sprint_issues,
    ),
    Tool::read(
        "jira_create_sprint",
        "Create sprint",
        "Add a future sprint to a board; ISO 8601 dates.",
        TOOLSET,
        "jira",
        &[
            BOARD_ID,
            Param::string("name", "Name.").required(),
            Param::string("start_date", WHEN).required(),
            Param::string("end_date", WHEN).required(),
            Param::string("goal", "Goal."),
        ],
        create_sprint,
    )
    .writes(),
    Tool::read(
        "jira_update_sprint",
        "Update sprint",
        "Change a sprint; state active starts, closed ends it.",
        TOOLSET,
        "jira",
        &[
            SPRINT_ID,
            Param::string("name", "Name."),
            Param::string("state", "future, active or closed."),
            Param::string("start_date", WHEN),
            Param::string("end_date", WHEN),
            Param::string("goal", "Goal."),
        ],
        update_sprint,
    )
    .destroys(),
    Tool::read(
        "jira_add_issues_to_sprint",
        "Add to sprint",
        "Move issues into a sprint.",
        TOOLSET,
        "jira",
        &[SPRINT_ID, KEYS],
        add_to_sprint,
    )
    .destroys(),
    Tool::read(
        "jira_move_issues_to_backlog",
        "To backlog",
        "Take issues out of their sprints.",
        TOOLSET,
        "jira",
        &[KEYS],
        to_backlog,
    )
    .writes(),
];

//! Toolset `jira_service_desk`: request types and their fields, raising customer requests, and on
//! Server/Data Center a project's service desk, its queues and their issues (the queue API the
//! reference uses exists there only; the tools are hidden on Cloud). Service desk ids are
//! resolved to their project for JIRA_PROJECTS_FILTER by the Jira layer.

use serde_json::Value;

use crate::jira::CustomerRequest;
use crate::mcp::{Args, CallCtx, Param, ParamType, Tool, ToolError, ToolOutput};
use crate::tools::params::{NUMERIC_ID, PROJECT_KEY_PARAM, START_AT, limit};
use crate::tools::{Services, jira_error, sites};

const TOOLSET: &str = "jira_service_desk";

fn request_types(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    sites::jira(s, ctx)?
        .request_types(
            args.string("service_desk_id"),
            args.count("start_at"),
            s.limit(args.int("limit").unwrap_or(50)).min(50),
            &|| ctx.is_cancelled(),
        )
        .map(Into::into)
        .map_err(jira_error)
}

fn request_type_fields(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    sites::jira(s, ctx)?
        .request_type_fields(
            args.string("service_desk_id"),
            args.string("request_type_id"),
            &|| ctx.is_cancelled(),
        )
        .map(Into::into)
        .map_err(jira_error)
}

fn create_request(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    if args
        .str("attachments")
        .is_some_and(|a| !a.trim().is_empty())
    {
        return Err(ToolError::InvalidArgument {
            param: "attachments".into(),
            problem: "attaching files to a new request is not supported yet; raise the request, then attach them to its issue".into(),
        });
    }
    let values = match args.get("request_field_values") {
        Some(Value::Object(o)) => o.clone(),
        _ => Default::default(),
    };
    let req = CustomerRequest {
        service_desk_id: args.string("service_desk_id"),
        request_type_id: args.string("request_type_id"),
        values,
        on_behalf_of: args.str("raise_on_behalf_of").filter(|s| !s.is_empty()),
        participants: args.list("request_participants"),
        strict_on_behalf: args.bool("strict_on_behalf").unwrap_or(false),
    };
    sites::jira(s, ctx)?
        .create_customer_request(&req, &|| ctx.is_cancelled())
        .map(Into::into)
        .map_err(jira_error)
}

fn desk_for_project(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    sites::jira(s, ctx)?
        .service_desk_for_project(&args.string("project_key").to_ascii_uppercase(), &|| {
            ctx.is_cancelled()
        })
        .map(Into::into)
        .map_err(jira_error)
}

fn queues(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    sites::jira(s, ctx)?
        .queues(
            args.string("service_desk_id"),
            args.count("start_at"),
            s.limit(args.int("limit").unwrap_or(50)).min(50),
            &|| ctx.is_cancelled(),
        )
        .map(Into::into)
        .map_err(jira_error)
}

fn queue_issues(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    sites::jira(s, ctx)?
        .queue_issues(
            args.string("service_desk_id"),
            args.string("queue_id"),
            args.count("start_at"),
            s.limit(args.int("limit").unwrap_or(50)),
            &|| ctx.is_cancelled(),
        )
        .map(Into::into)
        .map_err(jira_error)
}

const DESK: Param = Param::string("service_desk_id", "Service desk id.")
    .format(&NUMERIC_ID)
    .required();
const TYPE: Param = Param::string("request_type_id", "Request type id.")
    .format(&NUMERIC_ID)
    .required();
const DESK_PAGE: &[Param] = &[DESK, OFFSET, limit(50, Some(50)).describe("Max results.")];
const OFFSET: Param = START_AT.describe("Offset.");

const CREATE: &[Param] = &[
    DESK,
    TYPE,
    Param::new(
        "request_field_values",
        ParamType::JsonObject,
        "JSON object of field id: value; description in Markdown.",
    )
    .required(),
    Param::string("raise_on_behalf_of", "Customer to raise it for."),
    Param::string("request_participants", "Comma list."),
    Param::string("attachments", "Unsupported."),
    Param::bool("strict_on_behalf", "Else raised as you.").default_bool(false),
];

const QUEUE_PAGE: &[Param] = &[
    DESK,
    Param::string("queue_id", "Queue id.")
        .format(&NUMERIC_ID)
        .required(),
    OFFSET,
    limit(50, None),
];

/// The toolset's tools.
pub const TOOLS: &[Tool<Services>] = &[
    Tool::read(
        "jira_get_request_types",
        "Request types",
        "Request types of a service desk.",
        TOOLSET,
        "jira",
        DESK_PAGE,
        request_types,
    ),
    Tool::read(
        "jira_get_request_type_fields",
        "Request fields",
        "Fields of a request type.",
        TOOLSET,
        "jira",
        &[DESK, TYPE],
        request_type_fields,
    ),
    Tool::read(
        "jira_create_customer_request",
        "Create request",
        "Raise a service desk request.",
        TOOLSET,
        "jira",
        CREATE,
        create_request,
    )
    .destroys(),
    Tool::read(
        "jira_get_service_desk_for_project",
        "Service desk",
        "The service desk of a project.",
        TOOLSET,
        "jira",
        &[PROJECT_KEY_PARAM.describe("Project key.")],
        desk_for_project,
    )
    .server_dc_only(),
    Tool::read(
        "jira_get_service_desk_queues",
        "Queues",
        "Queues of a service desk.",
        TOOLSET,
        "jira",
        DESK_PAGE,
        queues,
    )
    .server_dc_only(),
    Tool::read(
        "jira_get_queue_issues",
        "Queue issues",
        "Issues in a queue.",
        TOOLSET,
        "jira",
        QUEUE_PAGE,
        queue_issues,
    )
    .server_dc_only(),
];

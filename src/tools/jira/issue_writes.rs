//! Toolset `jira_issues`, the writes and lists beside reading: create (one or a batch), update
//! (fields, transition, comment, worklog and attachments in one call, each part reported),
//! assign, delete, move to another project (Cloud), a project's issues, and Cloud's bulk
//! changelogs. The project filter is checked on every key before any request.

use serde_json::{Map, Value, json};

use crate::jira::{GetIssue, NewIssue, Part, Search};
use crate::mcp::{Args, CallCtx, Param, ParamType, Tool, ToolError, ToolOutput};
use crate::tools::files::read_upload;
use crate::tools::params::{ISSUE_KEY_PARAM, PROJECT_KEY, PROJECT_KEY_PARAM, START_AT, limit};
use crate::tools::{Services, jira_error, sites};

const TOOLSET: &str = "jira_issues";

fn object(args: &Args, name: &str) -> Map<String, Value> {
    args.get(name)
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default()
}

fn new_issue(args: &Args) -> NewIssue {
    NewIssue {
        project: args.string("project_key").to_string(),
        summary: args.string("summary").to_string(),
        issue_type: args.string("issue_type").to_string(),
        assignee: args.str("assignee").map(str::to_string),
        description: args.str("description").map(str::to_string),
        components: args.list("components"),
        additional: object(args, "additional_fields"),
    }
}

fn create_issue(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    sites::jira(s, ctx)?
        .create_issue(&new_issue(args), &|| ctx.is_cancelled())
        .map(Into::into)
        .map_err(jira_error)
}

fn bad(param: &str, problem: impl Into<String>) -> ToolError {
    ToolError::InvalidArgument {
        param: param.into(),
        problem: problem.into(),
    }
}

fn batch_create(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    let items = args
        .get("issues")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut list = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let o = item
            .as_object()
            .ok_or_else(|| bad("issues", format!("item {i} is not an object")))?;
        let text = |k: &str| o.get(k).and_then(Value::as_str).map(str::to_string);
        let mut additional = o
            .get("additional_fields")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        for (k, v) in o {
            if !matches!(
                k.as_str(),
                "project_key"
                    | "summary"
                    | "issue_type"
                    | "assignee"
                    | "description"
                    | "components"
                    | "additional_fields"
            ) {
                additional.insert(k.clone(), v.clone());
            }
        }
        let components = match o.get("components") {
            Some(Value::Array(a)) => a
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect(),
            Some(Value::String(c)) => c
                .split(',')
                .map(str::trim)
                .filter(|x| !x.is_empty())
                .map(str::to_string)
                .collect(),
            _ => Vec::new(),
        };
        let project = text("project_key").unwrap_or_default();
        if !(PROJECT_KEY.check)(&project) {
            return Err(bad(
                "issues",
                format!(
                    "item {i}: project_key {project:?} is not {}",
                    PROJECT_KEY.expected
                ),
            ));
        }
        list.push(NewIssue {
            project,
            summary: text("summary").unwrap_or_default(),
            issue_type: text("issue_type").unwrap_or_else(|| "Task".into()),
            assignee: text("assignee"),
            description: text("description"),
            components,
            additional,
        });
    }
    sites::jira(s, ctx)?
        .batch_create(&list, args.bool("validate_only").unwrap_or(false), &|| {
            ctx.is_cancelled()
        })
        .map(Into::into)
        .map_err(jira_error)
}

fn update_issue(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    let jira = sites::jira(s, ctx)?;
    let key = args.string("issue_key");
    let cancelled = || ctx.is_cancelled();
    let mut fields = object(args, "fields");
    fields.extend(object(args, "additional_fields"));
    let components = args.list("components");
    if !components.is_empty() {
        fields.insert("components".into(), json!(components));
    }
    // Files are read before anything changes, so a bad path changes nothing.
    let mut files = Vec::new();
    for path in args.list("attachments") {
        let u = read_upload("attachments", &path, &s.upload_root(), s.max_file_bytes)?;
        files.push(Part {
            name: "file".into(),
            filename: u.filename,
            mime_type: u.mime_type,
            data: u.data,
        });
    }
    let wants_more = args.str("transition").is_some()
        || args.str("comment").is_some()
        || args.str("worklog").is_some()
        || !files.is_empty();
    if fields.is_empty() && !wants_more {
        return Err(bad(
            "fields",
            "nothing to change: give fields, additional_fields, components, transition, comment, worklog or attachments",
        ));
    }
    if let Some(w) = args.str("worklog") {
        if !crate::jira::is_duration(w) {
            return Err(bad(
                "worklog",
                format!("{w:?} is not a Jira duration like 1h 30m"),
            ));
        }
    }
    if let Some(t) = args.str("worklog_started") {
        if crate::jira::jira_time(t).is_none() {
            return Err(bad(
                "worklog_started",
                format!("{t:?} is not an ISO 8601 time with an offset"),
            ));
        }
    }
    let mut out = Map::new();
    let mut errors = Vec::new();
    // The field update goes first: when Jira refuses it, nothing else has happened.
    if !fields.is_empty() {
        let (changed, kept) = jira
            .update_fields(key, &fields, &cancelled)
            .map_err(jira_error)?;
        out.insert("updated_fields".into(), json!(changed));
        if kept > 0 {
            out.insert("description_blocks_kept".into(), json!(kept));
        }
    }
    if let Some(t) = args.str("transition") {
        match jira.transition(key, t, None, None, &cancelled) {
            Ok(v) => {
                out.insert("transition".into(), v["transition"].clone());
                out.insert("status".into(), v["status"].clone());
            }
            Err(e) => errors.push(json!({"part": "transition", "error": e.to_string()})),
        }
    }
    if let Some(c) = args.str("comment") {
        match jira.add_comment(key, c, args.get("comment_visibility"), None, &cancelled) {
            Ok(v) => {
                out.insert("comment_id".into(), v["id"].clone());
            }
            Err(e) => errors.push(json!({"part": "comment", "error": e.to_string()})),
        }
    }
    if let Some(w) = args.str("worklog") {
        match jira.add_worklog(
            key,
            w,
            None,
            args.str("worklog_started"),
            None,
            None,
            &cancelled,
        ) {
            Ok(v) => {
                out.insert("worklog_id".into(), v["id"].clone());
            }
            Err(e) => errors.push(json!({"part": "worklog", "error": e.to_string()})),
        }
    }
    if !files.is_empty() {
        match jira.upload(key, files, &cancelled) {
            Ok(v) => {
                out.insert("attachments".into(), v);
            }
            Err(e) => errors.push(json!({"part": "attachments", "error": e.to_string()})),
        }
    }
    let req = GetIssue {
        key,
        fields: args.str("return_fields").unwrap_or("*all"),
        expand: None,
        comment_limit: 0,
        properties: None,
        update_history: false,
        include: None,
        use_display_names: false,
    };
    match jira.get_issue(&req, &cancelled) {
        Ok(issue) => {
            out.insert("issue".into(), issue);
        }
        Err(e) => errors.push(json!({"part": "read back", "error": e.to_string()})),
    }
    if !errors.is_empty() {
        out.insert("errors".into(), Value::Array(errors));
    }
    Ok(Value::Object(out).into())
}

fn assign_issue(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    sites::jira(s, ctx)?
        .assign(args.string("issue_key"), args.str("assignee"), &|| {
            ctx.is_cancelled()
        })
        .map(Into::into)
        .map_err(jira_error)
}

fn delete_issue(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    sites::jira(s, ctx)?
        .delete_issue(args.string("issue_key"), &|| ctx.is_cancelled())
        .map(Into::into)
        .map_err(jira_error)
}

fn project_issues(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    let jira = sites::jira(s, ctx)?;
    let key = args.string("project_key");
    jira.check_project(key).map_err(jira_error)?;
    let want = s.limit(args.int("limit").unwrap_or(10));
    let start = args.count("start_at");
    let cloud = jira.deployment() == crate::jira::Deployment::Cloud;
    let jql = format!("project = \"{key}\" ORDER BY created DESC");
    let req = Search {
        jql: &jql,
        fields: crate::tools::jira::issues::DEFAULT_FIELDS,
        // Cloud pages with tokens: an offset is reached by reading past it.
        limit: if cloud { want + start } else { want },
        start_at: start,
        projects: Vec::new(),
        expand: None,
        page_token: None,
        use_display_names: false,
    };
    let mut v = jira
        .search(&req, &|| ctx.is_cancelled(), &|_, _| {})
        .map_err(jira_error)?;
    if cloud {
        if let Some(list) = v.get_mut("issues").and_then(Value::as_array_mut) {
            list.drain(..start.min(list.len()));
        }
        if let Some(o) = v.as_object_mut() {
            o.remove("next_page_token");
            o.insert("start_at".into(), json!(start));
        }
    }
    Ok(v.into())
}

fn batch_changelogs(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    sites::jira(s, ctx)?
        .bulk_changelogs(
            &args.list("issue_ids_or_keys"),
            &args.list("fields"),
            s.limit(args.int("limit").unwrap_or(-1)),
            &|| ctx.is_cancelled(),
        )
        .map(Into::into)
        .map_err(jira_error)
}

fn move_issue(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    let progress = |percent: f64, status: &str| ctx.progress(percent, Some(100.0), Some(status));
    sites::jira(s, ctx)?
        .move_issue(
            args.string("issue_key"),
            &args.string("target_project_key").to_ascii_uppercase(),
            &|| ctx.is_cancelled(),
            &progress,
        )
        .map(Into::into)
        .map_err(jira_error)
}

const MOVE_PARAMS: &[Param] = &[
    ISSUE_KEY_PARAM,
    PROJECT_KEY_PARAM
        .named("target_project_key")
        .describe("Project to move it to."),
];

const DESCRIPTION: Param = Param::string("description", "Markdown.");
const ASSIGNEE: Param = Param::string("assignee", "Account id, e-mail or name.");
const COMPONENTS: Param = Param::string("components", "Component names, comma-separated.");
const ADDITIONAL: Param = Param::new(
    "additional_fields",
    ParamType::JsonObject,
    "JSON of more fields by id or name, e.g. {\"priority\":\"High\",\"parent\":\"PROJ-1\"}.",
);

const CREATE_PARAMS: &[Param] = &[
    PROJECT_KEY_PARAM,
    Param::string("summary", "Title.").required(),
    Param::string("issue_type", "E.g. Task, Bug, Story.").required(),
    ASSIGNEE,
    DESCRIPTION,
    COMPONENTS,
    ADDITIONAL,
];

const BATCH_PARAMS: &[Param] = &[
    Param::new(
        "issues",
        ParamType::JsonArray,
        "JSON array (max 50) of {project_key, summary, issue_type, description?, assignee?, components?, other fields}.",
    )
    .required(),
    Param::bool("validate_only", "Check only, create nothing.").default_bool(false),
];

const UPDATE_PARAMS: &[Param] = &[
    ISSUE_KEY_PARAM,
    Param::new(
        "fields",
        ParamType::JsonObject,
        "JSON of fields by id or name; Markdown text.",
    ),
    Param::new(
        "additional_fields",
        ParamType::JsonObject,
        "Merged into fields.",
    ),
    COMPONENTS,
    Param::string("attachments", "File paths to attach, comma-separated."),
    Param::string("transition", "Transition name or id."),
    Param::string("comment", "Markdown comment."),
    Param::new(
        "comment_visibility",
        ParamType::JsonObject,
        "{\"type\":\"group\"|\"role\",\"value\":name}.",
    ),
    Param::string("worklog", "Time spent, e.g. 1h 30m."),
    Param::string("worklog_started", "ISO 8601 with offset."),
    Param::string("return_fields", "Fields returned.").default_str("*all"),
];

const KEY_ONLY: &[Param] = &[ISSUE_KEY_PARAM];

const ASSIGN_PARAMS: &[Param] = &[
    ISSUE_KEY_PARAM,
    Param::string("assignee", "Account id, e-mail or name; empty unassigns."),
];

const PROJECT_ISSUES_PARAMS: &[Param] = &[PROJECT_KEY_PARAM, limit(10, Some(50)), START_AT];

const CHANGELOG_PARAMS: &[Param] = &[
    Param::string("issue_ids_or_keys", "Keys or ids, comma-separated.").required(),
    Param::string("fields", "Only these field ids (max 10)."),
    Param::int("limit", "Most changes; -1: all.").default_int(-1),
];

/// The toolset's write tools and lists.
pub const TOOLS: &[Tool<Services>] = &[
    Tool::read("jira_create_issue", "Create issue", "Create an issue (Markdown description).", TOOLSET, "jira", CREATE_PARAMS, create_issue).writes(),
    Tool::read("jira_batch_create_issues", "Batch create", "Create up to 50 issues; each reports its key or error.", TOOLSET, "jira", BATCH_PARAMS, batch_create).writes(),
    Tool::read("jira_update_issue", "Update issue", "Set fields; optionally also transition, comment, log work, attach files. Reports each part.", TOOLSET, "jira", UPDATE_PARAMS, update_issue).destroys(),
    Tool::read("jira_assign_issue", "Assign issue", "Assign or unassign an issue.", TOOLSET, "jira", ASSIGN_PARAMS, assign_issue).writes(),
    Tool::read("jira_delete_issue", "Delete issue", "Delete an issue and its sub-tasks.", TOOLSET, "jira", KEY_ONLY, delete_issue).destroys(),
    Tool::read("jira_move_issue", "Move issue", "Move an issue to another project, keeping its type; waits up to 60 s for Jira's move task. Its key changes.", TOOLSET, "jira", MOVE_PARAMS, move_issue).destroys().cloud_only(),
    Tool::read("jira_get_project_issues", "Project issues", "A project's issues, newest first.", TOOLSET, "jira", PROJECT_ISSUES_PARAMS, project_issues),
    Tool::read("jira_batch_get_changelogs", "Changelogs", "Change histories of many issues.", TOOLSET, "jira", CHANGELOG_PARAMS, batch_changelogs).cloud_only(),
];

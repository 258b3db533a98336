//! Toolset `jira_forms`: the Jira Forms (ProForma) of an issue on Cloud, one form's questions
//! with their answers, and answering questions by id. The Jira layer finds the site's cloud id
//! and reaches the Forms API on the Cloud API gateway; the issue's project must be inside
//! JIRA_PROJECTS_FILTER.

use serde_json::Value;

use crate::mcp::{Args, CallCtx, Param, ParamType, Tool, ToolOutput};
use crate::tools::params::ISSUE_KEY_PARAM;
use crate::tools::{Services, jira_error, sites};

const TOOLSET: &str = "jira_forms";

fn forms(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    sites::jira(s, ctx)?
        .issue_forms(args.string("issue_key"), &|| ctx.is_cancelled())
        .map(Into::into)
        .map_err(jira_error)
}

fn details(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    sites::jira(s, ctx)?
        .form_details(args.string("issue_key"), args.string("form_id"), &|| {
            ctx.is_cancelled()
        })
        .map(Into::into)
        .map_err(jira_error)
}

fn answer(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    let answers = args
        .get("answers")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    sites::jira(s, ctx)?
        .update_form_answers(
            args.string("issue_key"),
            args.string("form_id"),
            &answers,
            &|| ctx.is_cancelled(),
        )
        .map(Into::into)
        .map_err(jira_error)
}

const KEY: Param = ISSUE_KEY_PARAM.describe("Issue key.");
const FORM: Param = Param::string("form_id", "Form id (UUID).").required();

/// The toolset's tools.
pub const TOOLS: &[Tool<Services>] = &[
    Tool::read(
        "jira_get_issue_proforma_forms",
        "Issue forms",
        "Forms (ProForma) on an issue.",
        TOOLSET,
        "jira",
        &[KEY],
        forms,
    )
    .cloud_only(),
    Tool::read(
        "jira_get_proforma_form_details",
        "Form details",
        "A form's questions, each with its id, type, choices and answer.",
        TOOLSET,
        "jira",
        &[KEY, FORM],
        details,
    )
    .cloud_only(),
    Tool::read(
        "jira_update_proforma_form_answers",
        "Answer form",
        "Answer form questions by id.",
        TOOLSET,
        "jira",
        &[
            KEY,
            FORM,
            Param::new(
                "answers",
                ParamType::ObjectArray,
                "[{questionId, value, type?}]; type defaults to the question's (TEXT, NUMBER, DATE YYYY-MM-DD, DATETIME, TIME HH:MM, SELECT/MULTI_SELECT by choice label or id, USER).",
            )
            .required(),
        ],
        answer,
    )
    .destroys()
    .cloud_only(),
];

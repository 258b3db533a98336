//! Toolset `jira_attachments`: an issue's files, each read under the size cap; images come back
//! as image content, other files as embedded resources (a link when over the inline limit), with
//! a summary listing what could not be read.

use serde_json::json;

use crate::mcp::{Args, CallCtx, Output, Param, Tool, ToolOutput};
use crate::tools::files::file_content;
use crate::tools::params::ISSUE_KEY_PARAM;
use crate::tools::{Services, jira_error, sites};

const TOOLSET: &str = "jira_attachments";

fn fetch(s: &Services, args: &Args, ctx: &CallCtx, images_only: bool) -> ToolOutput {
    let jira = sites::jira(s, ctx)?;
    let key = args.string("issue_key");
    let keep = |name: &str, mime: &str| {
        !images_only
            || mime.starts_with("image/")
            || crate::tools::files::mime_for(name).starts_with("image/")
    };
    let got = jira
        .download_attachments(key, &keep, s.max_file_bytes, &|| ctx.is_cancelled())
        .map_err(jira_error)?;
    let mut blocks = Vec::new();
    let mut files = Vec::new();
    let mut failed = Vec::new();
    for f in got {
        match f.result {
            Ok(data) => {
                files.push(json!({"id": f.id, "filename": f.filename, "mime_type": f.mime_type, "size": data.len()}));
                let uri = format!("jira-attachment://{key}/{}/{}", f.id, f.filename);
                blocks.push(file_content(
                    &f.filename,
                    &uri,
                    &f.mime_type,
                    data,
                    s.inline_file_bytes,
                ));
            }
            Err(why) => failed
                .push(json!({"id": f.id, "filename": f.filename, "size": f.size, "error": why})),
        }
    }
    let summary = json!({"issue_key": key, "files": files, "failed": failed, "count": files.len()});
    let mut out = Output::json(summary);
    for b in blocks {
        out = out.push(b);
    }
    Ok(out)
}

fn download(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    fetch(s, args, ctx, false)
}

fn images(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    fetch(s, args, ctx, true)
}

const KEY_ONLY: &[Param] = &[ISSUE_KEY_PARAM];

/// The toolset's tools.
pub const TOOLS: &[Tool<Services>] = &[
    Tool::read(
        "jira_download_attachments",
        "Download attachments",
        "An issue's files as content.",
        TOOLSET,
        "jira",
        KEY_ONLY,
        download,
    ),
    Tool::read(
        "jira_get_issue_images",
        "Get issue images",
        "An issue's images.",
        TOOLSET,
        "jira",
        KEY_ONLY,
        images,
    ),
];

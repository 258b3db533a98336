//! Toolset `confluence_attachments`: list, upload (paths confined to the upload directory, or
//! base64), download (images as image content, other files embedded, big ones as links), a
//! page's images, and delete.

use super::common::run;
use crate::confluence::{AttachmentList, Fetched};
use crate::mcp::{Args, CallCtx, Output, Param, Tool, ToolError, ToolOutput};
use crate::tools::files::{Upload, decode_upload, file_content, read_upload};
use crate::tools::params::{ATTACHMENT_ID_PARAM, CONTENT_ID};
use crate::tools::{Services, confluence_error, sites};

const TOOLSET: &str = "confluence_attachments";

fn incoming(u: Upload) -> Fetched {
    Fetched {
        name: u.filename,
        uri: String::new(),
        mime_type: u.mime_type,
        data: u.data,
    }
}

fn list(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    run(s, ctx, |c, cancel| {
        let id = c.resolve_page(args.string("content_id"), cancel)?;
        let req = AttachmentList {
            content_id: &id,
            start: args.count("start"),
            limit: s.limit(args.int("limit").unwrap_or(50)),
            filename: args.str("filename"),
            media_type: args.str("media_type"),
        };
        c.attachments(&req, cancel)
    })
}

fn upload(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    let file = match (args.str("file_path"), args.str("content_base64")) {
        (Some(path), None) => read_upload("file_path", path, &s.upload_root(), s.max_file_bytes)?,
        (None, Some(data)) => {
            let name = args
                .str("filename")
                .ok_or_else(|| ToolError::InvalidArgument {
                    param: "filename".into(),
                    problem: "needed with content_base64".into(),
                })?;
            decode_upload("content_base64", name, data, s.max_file_bytes)?
        }
        _ => {
            return Err(ToolError::InvalidArgument {
                param: "file_path".into(),
                problem: "give file_path or content_base64 (with filename), one of them".into(),
            });
        }
    };
    let mut file = incoming(file);
    if let (Some(name), Some(_)) = (args.str("filename"), args.str("file_path")) {
        file.name = name.to_string();
    }
    run(s, ctx, |c, cancel| {
        c.upload(
            &c.resolve_page(args.string("content_id"), cancel)?,
            vec![file],
            args.str("comment"),
            args.bool("minor_edit").unwrap_or(false),
            cancel,
        )
    })
}

fn upload_many(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    let paths = args.list("file_paths");
    if paths.is_empty() {
        return Err(ToolError::InvalidArgument {
            param: "file_paths".into(),
            problem: "no paths given".into(),
        });
    }
    let root = s.upload_root();
    let mut files = Vec::new();
    let mut total = 0u64;
    for p in &paths {
        let f = read_upload("file_paths", p, &root, s.max_file_bytes)?;
        total += f.data.len() as u64;
        if total > s.max_file_bytes.saturating_mul(4) {
            return Err(ToolError::InvalidArgument {
                param: "file_paths".into(),
                problem: "the files together are over four times the file size limit; upload them in parts".into(),
            });
        }
        files.push(incoming(f));
    }
    run(s, ctx, |c, cancel| {
        c.upload(
            &c.resolve_page(args.string("content_id"), cancel)?,
            files,
            args.str("comment"),
            args.bool("minor_edit").unwrap_or(false),
            cancel,
        )
    })
}

fn files_output(s: &Services, summary: serde_json::Value, files: Vec<Fetched>) -> Output {
    let mut out = Output::json(summary);
    for f in files {
        out = out.push(file_content(
            &f.name,
            &f.uri,
            &f.mime_type,
            f.data,
            s.inline_file_bytes,
        ));
    }
    out
}

fn download(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    let site = sites::confluence(s, ctx)?;
    let (meta, file) = site
        .download(
            args.string("attachment_id"),
            s.max_file_bytes as usize,
            &|| ctx.is_cancelled(),
        )
        .map_err(confluence_error)?;
    Ok(files_output(s, meta, vec![file]))
}

fn download_all(s: &Services, args: &Args, ctx: &CallCtx, images: bool) -> ToolOutput {
    let site = sites::confluence(s, ctx)?;
    let max = s.max_file_bytes as usize;
    let cancel = || ctx.is_cancelled();
    let (summary, files) = site
        .resolve_page(args.string("content_id"), &cancel)
        .and_then(|id| site.download_all(&id, images, max, max.saturating_mul(4), &cancel))
        .map_err(confluence_error)?;
    Ok(files_output(s, summary, files))
}

fn download_content(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    download_all(s, args, ctx, false)
}

fn images(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    download_all(s, args, ctx, true)
}

fn delete(s: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    run(s, ctx, |c, cancel| {
        c.delete_attachment(args.string("attachment_id"), cancel)
    })
}

const COMMENT: Param = Param::string("comment", "Attachment comment.");
const MINOR: Param = Param::bool("minor_edit", "No notification.").default_bool(false);

const LIST: &[Param] = &[
    CONTENT_ID,
    Param::int("start", "Attachments to skip.").default_int(0),
    crate::tools::params::limit(50, Some(100)),
    Param::string("filename", "Exact file name."),
    Param::string("media_type", "MIME type, e.g. image/png."),
];

const UPLOAD: &[Param] = &[
    CONTENT_ID,
    Param::string("file_path", "File in the upload directory."),
    Param::string("content_base64", "Or the file as base64."),
    Param::string("filename", "Name to store (needed with base64)."),
    COMMENT,
    MINOR,
];

const UPLOAD_MANY: &[Param] = &[
    CONTENT_ID,
    Param::string(
        "file_paths",
        "Comma-separated files in the upload directory.",
    )
    .required(),
    COMMENT,
    MINOR,
];

/// The toolset's tools.
pub const TOOLS: &[Tool<Services>] = &[
    Tool::read(
        "confluence_get_attachments",
        "Get attachments",
        "Attachments of a page with size, type and download URL.",
        TOOLSET,
        "confluence",
        LIST,
        list,
    ),
    Tool::read(
        "confluence_upload_attachment",
        "Upload attachment",
        "Attach one file; a same-named file gets a new version.",
        TOOLSET,
        "confluence",
        UPLOAD,
        upload,
    )
    .destroys(),
    Tool::read(
        "confluence_upload_attachments",
        "Upload attachments",
        "Attach several files in one request.",
        TOOLSET,
        "confluence",
        UPLOAD_MANY,
        upload_many,
    )
    .destroys(),
    Tool::read(
        "confluence_download_attachment",
        "Download attachment",
        "One attachment as image or file content.",
        TOOLSET,
        "confluence",
        &[ATTACHMENT_ID_PARAM],
        download,
    ),
    Tool::read(
        "confluence_download_content_attachments",
        "Download all attachments",
        "Every attachment of a page, under the size limits.",
        TOOLSET,
        "confluence",
        &[CONTENT_ID],
        download_content,
    ),
    Tool::read(
        "confluence_get_page_images",
        "Get page images",
        "A page's image attachments as images.",
        TOOLSET,
        "confluence",
        &[CONTENT_ID],
        images,
    ),
    Tool::read(
        "confluence_delete_attachment",
        "Delete attachment",
        "Move an attachment to the trash.",
        TOOLSET,
        "confluence",
        &[ATTACHMENT_ID_PARAM],
        delete,
    )
    .destroys(),
];

//! Test fixture tools, registered only when `MCP_ATLASSIAN_TEST_FIXTURES=1`: they exercise the
//! protocol machinery (validation, cancellation, progress, logging, filters, panics) without an
//! Atlassian site. They never appear in a normal configuration.

use std::thread;
use std::time::Duration;

use serde_json::{Value, json};

use super::Services;
use crate::mcp::{
    Access, Args, Availability, CallCtx, Content, DefaultValue, Level, Output, Param, ParamType,
    Tool, ToolError, ToolOutput,
};

/// The toolset name fixture tools belong to.
pub const TOOLSET: &str = "fixtures";

const fn fixture(
    name: &'static str,
    title: &'static str,
    description: &'static str,
    params: &'static [Param],
    handler: fn(&Services, &Args, &CallCtx) -> ToolOutput,
) -> Tool<Services> {
    Tool {
        name,
        title,
        description,
        toolset: TOOLSET,
        service: "jira",
        access: Access::Read,
        availability: Availability::Everywhere,
        destructive: false,
        client_capabilities: &[],
        params,
        handler,
    }
}

fn echo(_: &Services, args: &Args, _: &CallCtx) -> ToolOutput {
    Ok(Value::Object(args.as_map().clone()).into())
}

fn slow(_: &Services, args: &Args, ctx: &CallCtx) -> ToolOutput {
    let steps = args.int("steps").unwrap_or(10);
    let step_ms = args.int("step_ms").unwrap_or(100) as u64;
    for done in 1..=steps {
        ctx.check()?;
        thread::sleep(Duration::from_millis(step_ms));
        ctx.log(Level::Info, json!(format!("step {done} of {steps}")));
        ctx.progress(done as f64, Some(steps as f64), Some("working"));
    }
    Ok(json!({"steps": steps}).into())
}

/// Reads a file below the upload directory and returns it as content (image, file or link).
fn read_file(s: &Services, args: &Args, _: &CallCtx) -> ToolOutput {
    let up = super::files::read_upload(
        "path",
        args.string("path"),
        &s.upload_root(),
        s.max_file_bytes,
    )?;
    let uri = format!("file:///{}", up.filename);
    let block = super::files::file_content(
        &up.filename,
        &uri,
        &up.mime_type,
        up.data,
        s.inline_file_bytes,
    );
    Ok(Output::json(json!({"read": up.filename})).push(block))
}

/// Resolves the Jira site of the call, which checks the tool's availability against it.
fn cloud_only(s: &Services, _: &Args, ctx: &CallCtx) -> ToolOutput {
    let jira = super::sites::jira(s, ctx)?;
    Ok(json!({"site": jira.client().options().base_url}).into())
}

fn fail(_: &Services, args: &Args, _: &CallCtx) -> ToolOutput {
    if args.bool("panic") == Some(true) {
        panic!("fixture_fail asked to panic");
    }
    Err(ToolError::failed("the fixture failed on purpose").hint("Call it with different arguments"))
}

fn write(_: &Services, args: &Args, _: &CallCtx) -> ToolOutput {
    Ok(json!({"written": args.str("value")}).into())
}

/// A 1x1 red PNG.
pub const PIXEL_PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x02, 0x00, 0x00, 0x00, 0x90, 0x77, 0x53,
    0xde, 0x00, 0x00, 0x00, 0x0c, 0x49, 0x44, 0x41, 0x54, 0x08, 0xd7, 0x63, 0xf8, 0xcf, 0xc0, 0x00,
    0x00, 0x03, 0x01, 0x01, 0x00, 0x18, 0xdd, 0x8d, 0xb0, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e,
    0x44, 0xae, 0x42, 0x60, 0x82,
];

/// Every kind of content block: structured JSON, an image, an embedded file and a link to a
/// file too large to inline.
fn files(_: &Services, _: &Args, _: &CallCtx) -> ToolOutput {
    Ok(Output::structured(
        json!({"files": 3, "note": "image, resource and link follow", "empty": ""}),
    )
    .push(Content::Image {
        data: PIXEL_PNG.to_vec(),
        mime_type: "image/png".into(),
    })
    .push(Content::Resource {
        uri: "https://example.atlassian.net/rest/api/3/attachment/content/10001".into(),
        mime_type: "text/plain".into(),
        data: b"hello from an attachment\n".to_vec(),
    })
    .push(Content::Link {
        uri: "https://example.atlassian.net/rest/api/3/attachment/content/10002".into(),
        name: "big.zip".into(),
        mime_type: Some("application/zip".into()),
        size: Some(104_857_600),
        description: Some("over the inline cap".into()),
    }))
}

const ECHO_PARAMS: &[Param] = &[
    Param::new("text", ParamType::String, "Text to echo back.").required(),
    Param::new("count", ParamType::Integer, "A bounded number.")
        .default(DefaultValue::Int(1))
        .range(1, 50),
    Param::new("flag", ParamType::Boolean, "A boolean switch."),
    Param::new("mode", ParamType::String, "One of a fixed set.").choices(&["a", "b"]),
    Param::new("labels", ParamType::StringArray, "A list of strings."),
    Param::new(
        "fields",
        ParamType::JsonObject,
        "A JSON object, native or as a string.",
    ),
];

const SLOW_PARAMS: &[Param] = &[
    Param::new("steps", ParamType::Integer, "Number of steps.")
        .default(DefaultValue::Int(10))
        .range(1, 1000),
    Param::new("step_ms", ParamType::Integer, "Milliseconds per step.")
        .default(DefaultValue::Int(100))
        .range(0, 10_000),
];

const READ_FILE_PARAMS: &[Param] = &[Param::new(
    "path",
    ParamType::String,
    "File path below the upload directory.",
)
.required()];

const FAIL_PARAMS: &[Param] = &[Param::new(
    "panic",
    ParamType::Boolean,
    "Panic instead of failing cleanly.",
)];

const WRITE_PARAMS: &[Param] =
    &[Param::new("value", ParamType::String, "Value to write.").required()];

/// The fixture tools.
pub const TOOLS: &[Tool<Services>] = &[
    fixture(
        "fixture_echo",
        "Echo",
        "Test fixture: returns its validated arguments with defaults filled in.",
        ECHO_PARAMS,
        echo,
    ),
    fixture(
        "fixture_slow",
        "Slow",
        "Test fixture: works in steps, sending progress and log messages; stops when cancelled.",
        SLOW_PARAMS,
        slow,
    ),
    fixture(
        "fixture_files",
        "Files",
        "Test fixture: returns JSON, an image, an embedded file and a link to a large file.",
        &[],
        files,
    ),
    fixture(
        "fixture_read_file",
        "Read file",
        "Test fixture: returns a file below the upload directory as content.",
        READ_FILE_PARAMS,
        read_file,
    ),
    fixture(
        "fixture_fail",
        "Fail",
        "Test fixture: always fails, cleanly or by panicking.",
        FAIL_PARAMS,
        fail,
    ),
    Tool {
        access: Access::Write,
        destructive: true,
        ..fixture(
            "fixture_write",
            "Write",
            "Test fixture: a write tool, hidden and refused in read-only mode.",
            WRITE_PARAMS,
            write,
        )
    },
    Tool {
        availability: Availability::CloudOnly,
        ..fixture(
            "fixture_cloud_only",
            "Cloud only",
            "Test fixture: only available when the Jira site the call uses is Cloud.",
            &[],
            cloud_only,
        )
    },
    Tool {
        service: "confluence",
        ..fixture(
            "fixture_confluence",
            "Confluence",
            "Test fixture: only available when Confluence is configured.",
            &[],
            echo,
        )
    },
    Tool {
        client_capabilities: &["elicitation"],
        ..fixture(
            "fixture_needs_elicitation",
            "Needs elicitation",
            "Test fixture: 2026-07-28 requests must declare the elicitation client capability.",
            &[],
            echo,
        )
    },
];

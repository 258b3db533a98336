//! Conformance fixture tools, registered with the other fixtures only when
//! `MCP_ATLASSIAN_TEST_FIXTURES=1`: the diagnostic tools the official conformance suite
//! (`@modelcontextprotocol/conformance`) calls by name — plain text, a tool error, progress, log
//! messages, and tools that need a client capability — so its tool scenarios run against this
//! server. They never appear in a normal configuration.

use std::thread;
use std::time::Duration;

use serde_json::json;

use super::Services;
use super::fixtures::TOOLSET;
use crate::mcp::{Access, Args, Availability, CallCtx, Level, Param, Tool, ToolError, ToolOutput};

const fn tool(
    name: &'static str,
    description: &'static str,
    client_capabilities: &'static [&'static str],
    handler: fn(&Services, &Args, &CallCtx) -> ToolOutput,
) -> Tool<Services> {
    Tool {
        name,
        title: name,
        description,
        toolset: TOOLSET,
        service: "jira",
        access: Access::Read,
        availability: Availability::Everywhere,
        destructive: false,
        client_capabilities,
        params: &[] as &[Param],
        handler,
    }
}

fn simple_text(_: &Services, _: &Args, _: &CallCtx) -> ToolOutput {
    Ok(json!("This is a simple text response for testing.").into())
}

fn error(_: &Services, _: &Args, _: &CallCtx) -> ToolOutput {
    Err(ToolError::failed(
        "This tool intentionally returns an error for testing",
    ))
}

fn with_progress(_: &Services, _: &Args, ctx: &CallCtx) -> ToolOutput {
    for (i, done) in [0.0, 50.0, 100.0].into_iter().enumerate() {
        if i > 0 {
            thread::sleep(Duration::from_millis(50));
        }
        ctx.check()?;
        ctx.progress(done, Some(100.0), None);
    }
    Ok(json!("progress reported: 0, 50 and 100 of 100").into())
}

fn with_logging(_: &Services, _: &Args, ctx: &CallCtx) -> ToolOutput {
    let steps = [
        "Tool execution started",
        "Tool processing data",
        "Tool execution completed",
    ];
    for (i, message) in steps.into_iter().enumerate() {
        if i > 0 {
            thread::sleep(Duration::from_millis(50));
        }
        ctx.log(Level::Info, json!(message));
    }
    Ok(json!("logged three messages").into())
}

fn ok(_: &Services, _: &Args, _: &CallCtx) -> ToolOutput {
    Ok(json!("done").into())
}

/// The conformance suite's diagnostic tools.
pub const TOOLS: &[Tool<Services>] = &[
    tool(
        "test_simple_text",
        "Conformance fixture: returns a fixed text.",
        &[],
        simple_text,
    ),
    tool(
        "test_error_handling",
        "Conformance fixture: always fails with a tool error.",
        &[],
        error,
    ),
    tool(
        "test_tool_with_progress",
        "Conformance fixture: reports progress 0, 50 and 100 of 100, 50 ms apart.",
        &[],
        with_progress,
    ),
    tool(
        "test_tool_with_logging",
        "Conformance fixture: sends three info log messages, 50 ms apart.",
        &[],
        with_logging,
    ),
    tool(
        "test_logging_tool",
        "Conformance fixture: sends three info log messages, 50 ms apart.",
        &[],
        with_logging,
    ),
    tool(
        "test_missing_capability",
        "Conformance fixture: needs the sampling client capability (2026-07-28 requests).",
        &["sampling"],
        ok,
    ),
    tool(
        "test_streaming_elicitation",
        "Conformance fixture: needs the elicitation client capability; answers with a result.",
        &["elicitation"],
        ok,
    ),
];

//! The non-server commands: `tools` (what this configuration exposes, and why the rest is hidden)
//! and `call` (run one tool for scripts: JSON on stdout, exit 0 success, 1 tool error, 2 usage).
//! Here stdout is the command's output, not a JSON-RPC stream.

use std::io::{self, Write};

use serde_json::{Map, Value, json};

use crate::config::CallCmd;
use crate::mcp::{self, Access, ParamType, Server, Tool, ToolError};
use crate::tools::Services;

/// Write one line to stdout; exit code 0, or 1 when stdout is gone.
pub fn print_line(text: &str) -> u8 {
    let mut out = io::stdout().lock();
    match writeln!(out, "{text}").and_then(|_| out.flush()) {
        Ok(()) => 0,
        Err(_) => 1,
    }
}

/// One parameter as a line of `tools NAME`: name, type, required or default, range, choices,
/// description.
fn param_line(p: &crate::mcp::Param) -> String {
    let ty = match p.ty {
        ParamType::String => "string",
        ParamType::Integer => "integer",
        ParamType::Number => "number",
        ParamType::Boolean => "boolean",
        ParamType::StringArray => "list of strings",
        ParamType::ObjectArray => "list of JSON objects",
        ParamType::JsonObject => "JSON object",
        ParamType::JsonArray => "JSON array",
    };
    let mut facts = vec![ty.to_string()];
    if p.required {
        facts.push("required".into());
    }
    if let Some(d) = p.default {
        facts.push(format!("default {}", d.to_json()));
    }
    match (p.minimum, p.maximum) {
        (Some(lo), Some(hi)) => facts.push(format!("{lo} to {hi}")),
        (Some(lo), None) => facts.push(format!("at least {lo}")),
        (None, Some(hi)) => facts.push(format!("at most {hi}")),
        _ => {}
    }
    if !p.choices.is_empty() {
        facts.push(format!("one of {}", p.choices.join(", ")));
    }
    if let Some(f) = p.format {
        facts.push(f.expected.to_string());
    }
    format!(
        "  {:<24} {}
  {:<24} {}",
        p.name,
        facts.join(", "),
        "",
        p.description
    )
}

/// `mcp-atlassian tools NAME`: the tool's description and parameters, readable (JSON with
/// `--json`); whether this configuration exposes it.
fn describe_tool(server: &Server<Services>, name: &str, as_json: bool) -> u8 {
    let Some(tool) = server.tool(name) else {
        let declared: Vec<&str> = server.all_tools().iter().map(|t| t.name).collect();
        eprintln!(
            "mcp-atlassian tools: unknown tool {name:?}: {}",
            crate::tools::names::explain_unknown(name, &declared)
        );
        return 2;
    };
    if as_json {
        return print_line(&tool.definition().to_string());
    }
    let access = match (tool.access, tool.destructive) {
        (Access::Read, _) => "reads",
        (Access::Write, false) => "writes",
        (Access::Write, true) => "writes, may remove or overwrite data",
    };
    let mut text = format!(
        "{} — {}
toolset {}, {access}

{}
",
        tool.name, tool.title, tool.toolset, tool.description
    );
    if let Some(why) = server.filter().hidden_because(tool) {
        text.push_str(&format!(
            "
Not exposed in this configuration: {why}.
"
        ));
    }
    text.push_str(
        "
Parameters:
",
    );
    if tool.params.is_empty() {
        text.push_str(
            "  none
",
        );
    }
    for p in tool.params {
        text.push_str(&param_line(p));
        text.push('\n');
    }
    print_line(text.trim_end())
}

/// `mcp-atlassian tools`: a table of exposed tools (or the tools/list JSON with `--json`); hidden
/// tools are counted on stderr with the reason of each. `tools NAME` describes one tool.
pub fn list_tools(
    server: &Server<Services>,
    cmd: &crate::config::ToolsCmd,
    empty_reason: &str,
) -> u8 {
    if let Some(name) = &cmd.name {
        return describe_tool(server, name, cmd.json);
    }
    let as_json = cmd.json;
    if as_json {
        return print_line(&json!({ "tools": server.listed() }).to_string());
    }
    let mut table = String::new();
    for tool in server.all_tools() {
        if server.filter().hidden_because(tool).is_none() {
            let access = match tool.access {
                Access::Read => "read",
                Access::Write => "write",
            };
            table.push_str(&format!(
                "{:<40} {:<6} {}\n",
                tool.name, access, tool.toolset
            ));
        }
    }
    let hidden: Vec<String> = server
        .all_tools()
        .iter()
        .filter_map(|t| {
            server
                .filter()
                .hidden_because(t)
                .map(|why| format!("  {}: {why}", t.name))
        })
        .collect();
    if !hidden.is_empty() {
        eprintln!("{} tool(s) hidden by this configuration:", hidden.len());
        for line in &hidden {
            eprintln!("{line}");
        }
    }
    if server.listed().is_empty() {
        eprintln!("No tools are exposed: {empty_reason}.");
        return 0;
    }
    print_line(table.trim_end())
}

/// Turn `key=value` words into an arguments object; values are typed by the tool's parameters.
pub fn parse_pairs(
    tool: &Tool<Services>,
    base: Map<String, Value>,
    pairs: &[String],
) -> Result<Map<String, Value>, String> {
    let mut args = base;
    for pair in pairs {
        let Some((key, raw)) = pair.split_once('=') else {
            return Err(format!(
                "argument {pair:?}: expected key=value (the parameters are listed by `mcp-atlassian tools {}`)",
                tool.name
            ));
        };
        let Some(param) = tool.param(key) else {
            let known: Vec<&str> = tool.params.iter().map(|p| p.name).collect();
            return Err(format!(
                "{} has no parameter {key:?} (parameters: {})",
                tool.name,
                if known.is_empty() {
                    "none".to_string()
                } else {
                    known.join(", ")
                }
            ));
        };
        let value = match param.ty {
            ParamType::String => Value::String(raw.to_string()),
            // Typed values: JSON when it parses, else the text (validation converts or explains).
            _ => serde_json::from_str(raw).unwrap_or_else(|_| Value::String(raw.to_string())),
        };
        args.insert(key.to_string(), value);
    }
    Ok(args)
}

/// `mcp-atlassian call TOOL key=value ...`.
pub fn call_tool(server: &Server<Services>, cmd: &CallCmd) -> u8 {
    let usage = |msg: String| {
        eprintln!("mcp-atlassian call: {msg}");
        2
    };
    let Some(tool) = server.tool(&cmd.tool) else {
        let declared: Vec<&str> = server.all_tools().iter().map(|t| t.name).collect();
        return usage(format!(
            "unknown tool {:?}: {}",
            cmd.tool,
            crate::tools::names::explain_unknown(&cmd.tool, &declared)
        ));
    };
    let base = match cmd.json.as_deref().map(serde_json::from_str::<Value>) {
        None => Map::new(),
        Some(Ok(Value::Object(m))) => m,
        Some(Ok(_)) => return usage("--json must be a JSON object".into()),
        Some(Err(e)) => return usage(format!("--json is not valid JSON: {e}")),
    };
    let args = match parse_pairs(tool, base, &cmd.args) {
        Ok(a) => a,
        Err(e) => return usage(e),
    };
    match server.call_direct(tool, args) {
        // One JSON value prints as that value (what scripts want); files and images print as the
        // whole MCP result, base64 included.
        Ok(out) => match out.content.as_slice() {
            [mcp::Content::Json(v)] => {
                print_line(&mcp::content::strip_empty(v.clone()).to_string())
            }
            [mcp::Content::Text(t)] => print_line(t),
            _ => print_line(&mcp::content::render(out, mcp::version::MODERN).to_string()),
        },
        Err(e @ ToolError::InvalidArgument { .. }) => usage(format!("{}: {e}", tool.name)),
        Err(e) => {
            eprintln!("Error calling {}: {e}", tool.name);
            1
        }
    }
}

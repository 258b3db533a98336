//! Registry-wide checks over every declared tool: well-formed declarations, unique names, known
//! toolsets, portable schemas, the size of tools/list, and agreement with the reference server's
//! interface contract (fixtures/compat/upstream-tools.json: same names, parameters and classes).

use std::collections::BTreeSet;
use std::fs;

use mcp_atlassian::config::ALL_TOOLSETS;
use mcp_atlassian::mcp::{Access, registry};
use mcp_atlassian::tools;
use serde_json::Value;

fn upstream() -> Vec<Value> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/compat/upstream-tools.json"
    );
    let data: Value = serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap();
    match data {
        Value::Array(items) => items,
        Value::Object(mut o) => match o.remove("tools") {
            Some(Value::Array(items)) => items,
            _ => panic!("upstream-tools.json: no tools array"),
        },
        _ => panic!("upstream-tools.json: unexpected shape"),
    }
}

/// Keywords that some clients reject anywhere in a schema.
const NON_PORTABLE: &[&str] = &[
    "oneOf", "anyOf", "allOf", "$ref", "$defs", "not", "if", "format", "pattern",
];

fn walk(v: &Value, path: &str, problems: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                if NON_PORTABLE.contains(&k.as_str()) && !path.ends_with("properties") {
                    problems.push(format!("{path}: non-portable keyword {k}"));
                }
                if k == "type" && !child.is_string() && !path.ends_with("properties") {
                    problems.push(format!("{path}: type must be a single string"));
                }
                walk(child, &format!("{path}/{k}"), problems);
            }
        }
        Value::Array(items) => items.iter().for_each(|i| walk(i, path, problems)),
        _ => {}
    }
}

#[test]
fn every_tool_is_well_formed_and_portable() {
    let mut problems = Vec::new();
    let mut names = BTreeSet::new();
    for tool in tools::catalogue(true) {
        problems.extend(registry::lint(tool));
        if !names.insert(tool.name) {
            problems.push(format!("{}: declared twice", tool.name));
        }
        let schema = tool.input_schema();
        if schema["type"] != "object" {
            problems.push(format!("{}: schema root must be an object", tool.name));
        }
        if let Some(req) = schema["required"].as_array() {
            for r in req {
                if schema["properties"]
                    .get(r.as_str().unwrap_or_default())
                    .is_none()
                {
                    problems.push(format!("{}: required {r} is not a property", tool.name));
                }
            }
        }
        walk(&schema, tool.name, &mut problems);
    }
    for tool in tools::catalogue(false) {
        if !ALL_TOOLSETS.contains(&tool.toolset) {
            problems.push(format!("{}: unknown toolset {}", tool.name, tool.toolset));
        }
    }
    let list: Vec<Value> = tools::catalogue(false)
        .iter()
        .map(|t| t.definition())
        .collect();
    let size = serde_json::to_string(&list).unwrap().len();
    if size > 60 * 1024 {
        problems.push(format!(
            "tools/list with every tool is {size} bytes (budget 60 KB)"
        ));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn tools_keep_the_reference_interface() {
    let upstream = upstream();
    assert_eq!(upstream.len(), 98, "the contract lists 98 tools");
    let mut problems = Vec::new();
    for tool in tools::catalogue(false) {
        let Some(up) = upstream.iter().find(|u| u["name"] == tool.name) else {
            problems.push(format!("{}: not a tool of the reference server", tool.name));
            continue;
        };
        if up["toolset"] != tool.toolset {
            problems.push(format!(
                "{}: toolset {} but the reference says {}",
                tool.name, tool.toolset, up["toolset"]
            ));
        }
        let write = up["access"] == "write";
        if write != (tool.access == Access::Write) {
            problems.push(format!(
                "{}: read/write class differs from the reference",
                tool.name
            ));
        }
        let theirs: BTreeSet<&str> = up["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        let ours: BTreeSet<&str> = tool.params.iter().map(|p| p.name).collect();
        for missing in theirs.difference(&ours) {
            problems.push(format!(
                "{}: missing the reference parameter {missing}",
                tool.name
            ));
        }
        for extra in ours.difference(&theirs) {
            problems.push(format!(
                "{}: parameter {extra} is not in the reference",
                tool.name
            ));
        }
        for p in up["parameters"].as_array().unwrap() {
            if let Some(ours) = tool.param(p["name"].as_str().unwrap())
                && p["required"].as_bool() == Some(true)
                && !ours.required
            {
                problems.push(format!(
                    "{}.{}: required in the reference",
                    tool.name, ours.name
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

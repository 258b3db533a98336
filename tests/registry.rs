//! Registry-wide checks over every declared tool: well-formed declarations, unique names, known
//! toolsets, portable schemas, the tools/list byte budget against the reference's entries
//! (fixtures/compat/upstream-tool-bytes.json), and strict agreement with the reference server's
//! interface contract (fixtures/compat/upstream-tools.json: names, parameter names, types,
//! defaults, ranges, required, read/write, destructiveHint, Cloud-only/Server-only), with one
//! explicit list of the reference tools not implemented yet.

use std::collections::BTreeSet;
use std::fs;

use mcp_atlassian::config::ALL_TOOLSETS;
use mcp_atlassian::mcp::{Access, ParamType, registry};
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
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The reference's tools this version does not implement yet; the tool issues empty it. A name
/// here that gets implemented fails the test, so the list only shrinks.
const NOT_YET: &[&str] = &[];

/// The JSON type the reference declares for a parameter, as our schema renders it.
fn schema_type(p: &registry::Param) -> &'static str {
    match p.ty {
        ParamType::String | ParamType::JsonObject | ParamType::JsonArray => "string",
        ParamType::Integer => "integer",
        ParamType::Number => "number",
        ParamType::Boolean => "boolean",
        ParamType::StringArray | ParamType::ObjectArray => "array",
    }
}

/// A default as the reference would compare it (comma lists the reference marks unordered are
/// compared as sets).
fn same_default(ours: Option<Value>, theirs: &Value, unordered: bool) -> bool {
    match (ours, theirs) {
        (None, Value::Null) => true,
        (Some(Value::String(a)), Value::String(b)) if unordered => {
            let set = |s: &str| {
                s.split(',')
                    .map(str::trim)
                    .map(str::to_string)
                    .collect::<BTreeSet<_>>()
            };
            set(&a) == set(b)
        }
        (Some(a), b) => &a == b,
        (None, _) => false,
    }
}

#[test]
fn tools_keep_the_reference_interface() {
    let upstream = upstream();
    assert_eq!(upstream.len(), 98, "the contract lists 98 tools");
    let mut problems = Vec::new();
    let ours: BTreeSet<&str> = tools::catalogue(false).iter().map(|t| t.name).collect();
    for up in &upstream {
        let name = up["name"].as_str().unwrap();
        match (ours.contains(name), NOT_YET.contains(&name)) {
            (false, false) => problems.push(format!("{name}: neither implemented nor in NOT_YET")),
            (true, true) => problems.push(format!("{name}: implemented; remove it from NOT_YET")),
            _ => {}
        }
    }
    for tool in tools::catalogue(false) {
        let Some(up) = upstream.iter().find(|u| u["name"] == tool.name) else {
            problems.push(format!("{}: not a tool of the reference server", tool.name));
            continue;
        };
        let mut differ = |what: &str, ours: String, theirs: String| {
            if ours != theirs {
                problems.push(format!(
                    "{}: {what} is {ours}, the reference says {theirs}",
                    tool.name
                ));
            }
        };
        differ(
            "toolset",
            tool.toolset.into(),
            up["toolset"].as_str().unwrap().into(),
        );
        differ(
            "access",
            if tool.access == Access::Write {
                "write"
            } else {
                "read"
            }
            .into(),
            up["access"].as_str().unwrap().into(),
        );
        differ(
            "availability",
            format!("{:?}", tool.availability),
            match (up["cloud_only"].as_bool(), up["server_only"].as_bool()) {
                (Some(true), _) => "CloudOnly",
                (_, Some(true)) => "ServerDcOnly",
                _ => "Everywhere",
            }
            .into(),
        );
        if let Some(d) = up
            .pointer("/annotations/destructiveHint")
            .and_then(Value::as_bool)
        {
            differ(
                "destructiveHint",
                tool.destructive.to_string(),
                d.to_string(),
            );
        }
        let theirs: BTreeSet<&str> = up["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        let names: BTreeSet<&str> = tool.params.iter().map(|p| p.name).collect();
        for missing in theirs.difference(&names) {
            problems.push(format!(
                "{}: missing the reference parameter {missing}",
                tool.name
            ));
        }
        for extra in names.difference(&theirs) {
            problems.push(format!(
                "{}: parameter {extra} is not in the reference",
                tool.name
            ));
        }
        for p in up["parameters"].as_array().unwrap() {
            let Some(mine) = tool.param(p["name"].as_str().unwrap()) else {
                continue;
            };
            let at = format!("{}.{}", tool.name, mine.name);
            let mut check = |what: &str, ours: String, theirs: String| {
                if ours != theirs {
                    problems.push(format!(
                        "{at}: {what} is {ours}, the reference says {theirs}"
                    ));
                }
            };
            check(
                "type",
                schema_type(mine).into(),
                p["type"].as_str().unwrap().into(),
            );
            check(
                "required",
                mine.required.to_string(),
                p["required"].as_bool().unwrap_or(false).to_string(),
            );
            check(
                "minimum",
                format!("{:?}", mine.minimum),
                format!("{:?}", p["minimum"].as_i64()),
            );
            check(
                "maximum",
                format!("{:?}", mine.maximum),
                format!("{:?}", p["maximum"].as_i64()),
            );
            if let Some(choices) = p["enum"].as_array() {
                let theirs: BTreeSet<&str> = choices.iter().filter_map(Value::as_str).collect();
                let ours: BTreeSet<&str> = mine.choices.iter().copied().collect();
                check("enum", format!("{ours:?}"), format!("{theirs:?}"));
            }
            let unordered = p["default_is_unordered"].as_bool().unwrap_or(false);
            let ours_default = mine.default.map(|d| d.to_json());
            if !same_default(ours_default.clone(), &p["default"], unordered) {
                problems.push(format!(
                    "{at}: default is {ours_default:?}, the reference says {}",
                    p["default"]
                ));
            }
            if p["pattern"].is_string() && mine.format.is_none() {
                problems.push(format!(
                    "{at}: the reference checks a pattern, we check no format"
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Our `tools/list` entries against the reference's (fixtures/compat/upstream-tool-bytes.json):
/// at most half the bytes in total over the tools implemented, and no tool above 70 % of its own.
#[test]
fn tools_list_stays_within_the_byte_budget() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/compat/upstream-tool-bytes.json"
    );
    let data: Value = serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap();
    let theirs = data["tools"].as_object().unwrap();
    let (mut our_total, mut their_total) = (0usize, 0usize);
    let mut problems = Vec::new();
    for tool in tools::catalogue(false) {
        let ours = serde_json::to_string(&tool.definition()).unwrap().len();
        let Some(reference) = theirs.get(tool.name).and_then(Value::as_u64) else {
            problems.push(format!("{}: no reference size", tool.name));
            continue;
        };
        let reference = reference as usize;
        our_total += ours;
        their_total += reference;
        if ours * 100 > reference * 70 {
            problems.push(format!(
                "{}: {ours} bytes, {}% of the reference's {reference} (budget 70%)",
                tool.name,
                ours * 100 / reference
            ));
        }
    }
    if our_total * 2 > their_total {
        problems.push(format!(
            "all tools: {our_total} bytes, {}% of the reference's {their_total} (budget 50%)",
            our_total * 100 / their_total.max(1)
        ));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_reference_name_list_in_the_binary_is_the_contract() {
    let theirs: BTreeSet<String> = upstream()
        .iter()
        .map(|u| u["name"].as_str().unwrap().to_string())
        .collect();
    let ours: BTreeSet<String> = tools::names::REFERENCE
        .iter()
        .map(|n| n.to_string())
        .collect();
    assert_eq!(ours, theirs);
}

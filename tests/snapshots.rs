//! Tool schema snapshots: one file per declared tool under tests/snapshots/tools/, plus the whole
//! tools/list of a fully configured server. `UPDATE_TOOLSNAPS=1 cargo test --test snapshots`
//! rewrites them; otherwise any difference fails with the file to look at.

use std::fs;
use std::path::PathBuf;

use mcp_atlassian::mcp::{Deployment, Filter, Server, ServerInfo};
use mcp_atlassian::tools::{self, Services};
use serde_json::{Value, json};

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots")
}

fn check(path: PathBuf, actual: &Value, problems: &mut Vec<String>) {
    let text = serde_json::to_string_pretty(actual).unwrap() + "\n";
    if std::env::var_os("UPDATE_TOOLSNAPS").is_some() {
        fs::write(&path, &text).unwrap();
        return;
    }
    match fs::read_to_string(&path) {
        Ok(old) if old == text => {}
        Ok(_) => problems.push(format!("{} differs", path.display())),
        Err(_) => problems.push(format!("{} is missing", path.display())),
    }
}

#[test]
fn tool_schemas_match_snapshots() {
    let mut problems = Vec::new();
    let catalogue = tools::catalogue(true);
    for tool in &catalogue {
        let path = dir().join("tools").join(format!("{}.json", tool.name));
        check(path, &tool.definition(), &mut problems);
    }
    // Snapshot files of tools that no longer exist are stale.
    for entry in fs::read_dir(dir().join("tools")).unwrap() {
        let name = entry
            .unwrap()
            .file_name()
            .to_string_lossy()
            .replace(".json", "");
        if !catalogue.iter().any(|t| t.name == name) {
            problems.push(format!("stale snapshot tests/snapshots/tools/{name}.json"));
        }
    }
    // The whole list a server with both products on Cloud shows (fixtures excluded).
    let filter = Filter {
        services: vec![
            ("jira".into(), Deployment::Cloud),
            ("confluence".into(), Deployment::Cloud),
        ],
        ..Filter::default()
    };
    let info = ServerInfo {
        name: "mcp-atlassian",
        title: "MCP Atlassian",
        version: "snapshot",
    };
    let server = Server::new(
        info,
        String::new(),
        tools::catalogue(false),
        filter,
        Services::default(),
    );
    check(
        dir().join("tools_list.json"),
        &json!({"tools": server.listed()}),
        &mut problems,
    );
    assert!(
        problems.is_empty(),
        "{}\nrun UPDATE_TOOLSNAPS=1 cargo test --test snapshots and review the diff",
        problems.join("\n")
    );
}

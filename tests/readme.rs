//! The README's tool table is generated from the registry; this test fails when it is stale.
//! `UPDATE_README=1 cargo test --test readme` rewrites the table between its markers.

use std::fs;

use mcp_atlassian::mcp::{Access, Availability};
use mcp_atlassian::tools;

const BEGIN: &str = "<!-- TOOLS-TABLE:BEGIN -->";
const END: &str = "<!-- TOOLS-TABLE:END -->";

fn table() -> String {
    let catalogue = tools::catalogue(false);
    if catalogue.is_empty() {
        return "No Jira or Confluence tools are declared yet.\n".into();
    }
    let mut out =
        String::from("| tool | toolset | access | Cloud | Server/DC |\n|---|---|---|---|---|\n");
    for t in catalogue {
        let (cloud, dc) = match t.availability {
            Availability::Everywhere => ("yes", "yes"),
            Availability::CloudOnly => ("yes", "hidden"),
            Availability::ServerDcOnly => ("hidden", "yes"),
        };
        let access = if t.access == Access::Write {
            "write"
        } else {
            "read"
        };
        out.push_str(&format!(
            "| `{}` | {} | {access} | {cloud} | {dc} |\n",
            t.name, t.toolset
        ));
    }
    out
}

#[test]
fn readme_tool_table_is_current() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/README.md");
    let readme = fs::read_to_string(path).unwrap();
    let (head, rest) = readme
        .split_once(BEGIN)
        .expect("README lacks the begin marker");
    let (_, tail) = rest.split_once(END).expect("README lacks the end marker");
    let fresh = format!("{head}{BEGIN}\n{}{END}{tail}", table());
    if std::env::var_os("UPDATE_README").is_some() {
        fs::write(path, &fresh).unwrap();
    } else {
        assert!(
            fresh == readme,
            "README tool table is stale: run UPDATE_README=1 cargo test --test readme"
        );
    }
}

/// The sections a newcomer follows from install to a connected client, on both deployments.
#[test]
fn the_newcomer_path_is_in_the_readme() {
    let readme = fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    for heading in [
        "## Install",
        "## Use it from an MCP client",
        "## Troubleshooting",
        "## Deployment",
    ] {
        assert!(
            readme.contains(&format!("\n{heading}\n")),
            "missing {heading}"
        );
    }
    for text in [
        "make install",
        "mcp-atlassian doctor",
        "\"JIRA_PERSONAL_TOKEN\": \"your-pat\"",
        "\"JIRA_API_TOKEN\": \"your-api-token\"",
        "claude mcp add atlassian",
        "\"servers\"",
        "Where clients keep their MCP logs",
        // Portable releases (issue #19): where Claude Desktop's file is, and how to install.
        "~/Library/Application Support/Claude/claude_desktop_config.json",
        "%APPDATA%\\Claude\\claude_desktop_config.json",
        "xattr -d com.apple.quarantine",
        "mcp-atlassian-0.1.0-x86_64-pc-windows-gnu.exe",
        "mcp-atlassian-0.1.0-aarch64-apple-darwin",
        "\"command\": \"C:\\\\Users\\\\you\\\\",
    ] {
        assert!(readme.contains(text), "the README should mention {text:?}");
    }
    let makefile = fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/Makefile")).unwrap();
    assert!(makefile.contains("\ninstall:") && makefile.contains("PREFIX ?= /usr/local"));
}

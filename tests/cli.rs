//! The binary as a command-line program: --help names every option's environment variable,
//! --version, one-line configuration errors with exit code 2, `tools`, and `call` with its exit
//! codes (0 success, 1 tool error, 2 usage). Runs in a clean environment and an empty directory.

use std::path::PathBuf;
use std::process::{Command, Output};

fn run(args: &[&str], env: &[(&str, &str)]) -> Output {
    let dir = std::env::temp_dir().join(format!("mcp-atlassian-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_mcp-atlassian"));
    cmd.args(args)
        .env_clear()
        .current_dir(&dir)
        .env("PATH", "/usr/bin:/bin");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

const FIXTURES: &[(&str, &str)] = &[
    ("MCP_ATLASSIAN_TEST_FIXTURES", "1"),
    ("JIRA_URL", "https://example.atlassian.net"),
    ("JIRA_USERNAME", "me@example.com"),
    ("JIRA_API_TOKEN", "tok-secret-value"),
];

#[test]
fn help_names_environment_variables() {
    let out = run(&["--help"], &[]);
    assert!(out.status.success());
    let help = text(&out.stdout);
    for name in [
        "JIRA_URL",
        "CONFLUENCE_PERSONAL_TOKEN",
        "READ_ONLY_MODE",
        "TOOLSETS",
        "TRANSPORT",
    ] {
        assert!(help.contains(name), "--help does not mention {name}");
    }
}

#[test]
fn version_prints_name_and_version() {
    let out = run(&["--version"], &[]);
    assert!(out.status.success());
    assert_eq!(
        text(&out.stdout).trim(),
        format!("mcp-atlassian {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn bad_configuration_is_one_line_and_exit_2() {
    for (env, needle) in [
        (("JIRA_TIMEOUT", "abc"), "JIRA_TIMEOUT"),
        (("JIRA_URL", "ftp://jira.example.com"), "JIRA_URL"),
        (("TOOLSETS", "jira_issues,nope"), "nope"),
        (("READ_ONLY_MODE", "maybe"), "READ_ONLY_MODE"),
        (("PORT", "99999"), "PORT"),
    ] {
        let out = run(&["tools"], &[env]);
        assert_eq!(out.status.code(), Some(2), "{env:?}");
        let err = text(&out.stderr);
        assert_eq!(err.trim_end().lines().count(), 1, "{env:?}: {err}");
        assert!(err.contains(needle), "{env:?}: {err}");
        assert!(out.stdout.is_empty());
    }
    let out = run(&["--no-such-flag"], &[]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn tools_lists_what_the_configuration_exposes() {
    let out = run(&["tools"], FIXTURES);
    assert!(out.status.success());
    let listing = text(&out.stdout);
    assert!(listing.contains("fixture_write"));
    assert!(!listing.contains("fixture_confluence"));
    assert!(text(&out.stderr).contains("fixture_confluence: confluence is not configured"));

    let out = run(&["--read-only", "tools", "--json"], FIXTURES);
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let names: Vec<&str> = list["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"fixture_echo") && !names.contains(&"fixture_write"),
        "{names:?}"
    );
}

#[test]
fn call_runs_one_tool_with_exit_codes() {
    let out = run(
        &[
            "call",
            "fixture_echo",
            "text=hi",
            "count=3",
            "labels=a,b",
            "fields={\"x\":1}",
        ],
        FIXTURES,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v,
        serde_json::json!({"text":"hi","count":3,"labels":["a","b"],"fields":{"x":1}})
    );

    let out = run(
        &["call", "--json", "{\"text\":\"hey\"}", "fixture_echo"],
        FIXTURES,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("\"hey\""));

    let out = run(&["call", "fixture_fail"], FIXTURES);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).starts_with("Error calling fixture_fail:"));
    assert!(out.stdout.is_empty());

    for args in [
        &["call", "nope"][..],
        &["call", "fixture_echo", "text"],
        &["call", "fixture_echo", "bogus=1"],
        &["call", "fixture_echo", "text=a", "count=500"],
        &["call", "fixture_echo", "--json", "[1]"],
    ] {
        let out = run(args, FIXTURES);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            text(&out.stderr)
        );
    }

    let out = run(
        &["--read-only", "call", "fixture_write", "value=x"],
        FIXTURES,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("read-only"));
}

#[test]
fn secrets_never_reach_debug_logs() {
    // Highest verbosity, the configuration is logged at debug level: the token must not appear.
    let out = run(&["-vv", "tools"], FIXTURES);
    assert!(out.status.success());
    let err = text(&out.stderr);
    assert!(err.contains("configuration"), "debug log expected");
    assert!(!err.contains("tok-secret-value"), "secret leaked: {err}");
}

#[test]
fn env_file_is_read_and_environment_wins() {
    let dir = std::env::temp_dir().join(format!("mcp-atlassian-envfile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file: PathBuf = dir.join("test.env");
    std::fs::write(
        &file,
        "JIRA_URL=https://from-file.atlassian.net\nREAD_ONLY_MODE=true\n",
    )
    .unwrap();
    let f = file.to_str().unwrap();
    let out = run(
        &["--env-file", f, "tools"],
        &[("MCP_ATLASSIAN_TEST_FIXTURES", "1")],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        !text(&out.stdout).contains("fixture_write"),
        "READ_ONLY_MODE from the file applies"
    );
    let out = run(
        &["--env-file", f, "tools"],
        &[
            ("MCP_ATLASSIAN_TEST_FIXTURES", "1"),
            ("READ_ONLY_MODE", "false"),
        ],
    );
    assert!(
        text(&out.stdout).contains("fixture_write"),
        "the environment beats the file"
    );
    let out = run(&["--env-file", "/nonexistent/x.env", "tools"], &[]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn unknown_tool_names_get_a_suggestion_or_the_reason() {
    let typo = run(&["call", "jira_get_isue", "issue_key=A-1"], FIXTURES);
    assert_eq!(typo.status.code(), Some(2));
    assert!(
        text(&typo.stderr).contains("did you mean jira_get_issue?"),
        "{}",
        text(&typo.stderr)
    );
    // A name that is at most a tool to come must not get a tool of ours as a "typo".
    let later = run(&["call", "jira_create_issue"], FIXTURES);
    assert_eq!(later.status.code(), Some(2));
    let err = text(&later.stderr);
    assert!(
        err.contains("tool of the reference server") || !err.contains("unknown tool"),
        "{err}"
    );
    let nothing = run(&["call", "frobnicate"], FIXTURES);
    assert!(text(&nothing.stderr).contains("no tool has this name"));
}

#[test]
fn selection_mistakes_are_warned_at_start() {
    let env = [
        FIXTURES[1],
        FIXTURES[2],
        FIXTURES[3],
        ("ENABLED_TOOLS", "jira_serch,jira_search"),
        ("DISABLED_TOOLS", "jira_bogus,jira_agile"),
    ];
    let out = run(&["tools"], &env);
    let err = text(&out.stderr);
    assert!(
        err.contains("ENABLED_TOOLS names jira_serch") && err.contains("did you mean jira_search?"),
        "{err}"
    );
    assert!(err.contains("DISABLED_TOOLS names jira_bogus"), "{err}");
    assert!(
        !err.contains("jira_agile"),
        "a toolset name is fine in DISABLED_TOOLS: {err}"
    );
    assert_eq!(
        text(&out.stdout).split_whitespace().next(),
        Some("jira_search")
    );
    // Nothing configured: the server says why it exposes nothing, even on stdio.
    let empty = Command::new(env!("CARGO_BIN_EXE_mcp-atlassian"))
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .current_dir(std::env::temp_dir())
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(
        text(&empty.stderr)
            .contains("no tool is exposed: neither JIRA_URL nor CONFLUENCE_URL is set"),
        "{}",
        text(&empty.stderr)
    );
    assert!(empty.stdout.is_empty(), "stdout stays JSON-RPC only");
    // Both products configured but every tool filtered away: the reason is the filter.
    let filtered = run(
        &["tools"],
        &[
            FIXTURES[1],
            FIXTURES[2],
            FIXTURES[3],
            ("TOOLSETS", "legacy"),
        ],
    );
    let err = text(&filtered.stderr);
    assert!(
        err.contains("No tools are exposed: every tool is hidden"),
        "{err}"
    );
    assert!(!err.contains("Configure JIRA_URL"), "{err}");
}

#[test]
fn tools_name_describes_one_tool() {
    let out = run(&["tools", "jira_search"], &FIXTURES[1..]);
    assert!(out.status.success());
    let page = text(&out.stdout);
    for part in [
        "jira_search — Search Jira issues",
        "Parameters:",
        "jql",
        "string, required",
        "default 10, at least 1",
    ] {
        assert!(page.contains(part), "{part:?} missing in:\n{page}");
    }
    let json = run(&["tools", "--json", "jira_get_issue"], &FIXTURES[1..]);
    let def: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(def["name"], "jira_get_issue");
    assert!(def["inputSchema"]["properties"]["issue_key"].is_object());
    let hidden = run(&["tools", "confluence_search"], &FIXTURES[1..]);
    assert!(
        text(&hidden.stdout)
            .contains("Not exposed in this configuration: confluence is not configured")
    );
    let unknown = run(&["tools", "jira_serch"], &FIXTURES[1..]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(text(&unknown.stderr).contains("did you mean jira_search?"));
}

#[test]
fn the_cli_forgives_common_slips() {
    // A bare word to `call` says what is expected.
    let out = run(&["call", "jira_get_issue", "WEB-1"], &FIXTURES[1..]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("expected key=value"),
        "{}",
        text(&out.stderr)
    );
    // Global flags after the subcommand.
    let out = run(&["tools", "-v", "--read-only"], &FIXTURES[1..]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    // convert reads a file as well as stdin.
    let dir =
        std::env::temp_dir().join(format!("mcp-atlassian-cli-convert-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("notes.md");
    std::fs::write(&file, "# Title\n\n**bold**\n").unwrap();
    let out = run(
        &[
            "convert",
            "--from",
            "markdown",
            "--to",
            "wiki",
            file.to_str().unwrap(),
        ],
        &[],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "h1. Title\n\n*bold*\n");
    let out = run(
        &[
            "convert",
            "--from",
            "markdown",
            "--to",
            "wiki",
            "/nonexistent/notes.md",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("/nonexistent/notes.md"));
}

//! Unit tests of the command line: flags, subcommands, `--flag=value`, `-vv`, global flags after
//! the subcommand, help and usage errors, and secrets masked in debug output.

use super::*;

fn parse(args: &[&str]) -> Result<Cli, argh::EarlyExit> {
    let mut argv = vec!["mcp-atlassian".to_owned()];
    argv.extend(args.iter().map(|s| s.to_string()));
    Cli::parse_from(&argv)
}

fn ok(args: &[&str]) -> Cli {
    parse(args).unwrap_or_else(|e| panic!("{args:?}: {}", e.output))
}

#[test]
fn no_arguments_means_serve() {
    let cli = ok(&[]);
    assert_eq!(cli.verbose, 0);
    assert!(cli.command.is_none());
    assert_eq!(cli.command(), Command::Serve(ServeCmd {}));
}

#[test]
fn verbose_counts_in_every_spelling() {
    assert_eq!(ok(&["-v"]).verbose, 1);
    assert_eq!(ok(&["-v", "-v"]).verbose, 2);
    assert_eq!(ok(&["-vv"]).verbose, 2);
    assert_eq!(ok(&["--verbose", "-vvv"]).verbose, 4);
}

#[test]
fn every_value_option_exists_and_accepts_equals() {
    for name in VALUE_OPTIONS {
        let spaced = format!("--{name}");
        assert!(parse(&[&spaced, "x"]).is_ok(), "--{name} x");
        let joined = format!("--{name}=a=b");
        let cli = ok(&[&joined]);
        if name == "jira-url" {
            assert_eq!(cli.jira_url.as_deref(), Some("a=b"));
        }
    }
}

#[test]
fn option_values_are_never_rewritten() {
    let cli = ok(&["--jira-token", "-vv", "--confluence-token", "--x=y"]);
    assert_eq!(cli.jira_token.as_deref(), Some("-vv"));
    assert_eq!(cli.confluence_token.as_deref(), Some("--x=y"));
    assert_eq!(cli.verbose, 0);
}

#[test]
fn switches() {
    let cli = ok(&[
        "--read-only",
        "--stateless",
        "--no-jira-ssl-verify",
        "--confluence-ssl-verify",
        "--oauth-setup",
        "--version",
    ]);
    assert!(cli.read_only && cli.stateless && cli.no_jira_ssl_verify);
    assert!(cli.confluence_ssl_verify && cli.oauth_setup && cli.version);
    assert!(!cli.jira_ssl_verify);
}

#[test]
fn subcommands() {
    let cli = ok(&["--jira-url", "https://x", "tools", "--json"]);
    assert_eq!(cli.jira_url.as_deref(), Some("https://x"));
    assert_eq!(
        cli.command,
        Some(Command::Tools(ToolsCmd {
            json: true,
            name: None
        }))
    );
    assert_eq!(ok(&["serve"]).command(), Command::Serve(ServeCmd {}));

    let cli = ok(&[
        "call",
        "--json={\"a\":1}",
        "jira_get_issue",
        "issue_key=A-1",
        "--fields=x",
        "-vv",
    ]);
    assert_eq!(
        cli.command,
        Some(Command::Call(CallCmd {
            json: Some("{\"a\":1}".into()),
            tool: "jira_get_issue".into(),
            args: vec!["issue_key=A-1".into(), "--fields=x".into(), "-vv".into()],
        }))
    );
    assert!(parse(&["call"]).is_err());
}

#[test]
fn unknown_flags_are_usage_errors_and_help_is_early_exit() {
    let err = parse(&["--bogus"]).unwrap_err();
    assert!(err.status.is_err());
    let help = parse(&["--help"]).unwrap_err();
    assert!(help.status.is_ok());
    assert!(help.output.contains("(env JIRA_URL)"), "{}", help.output);
    assert!(help.output.contains("--no-jira-ssl-verify"));
}

#[test]
fn every_flag_description_names_its_variable() {
    let help = parse(&["--help"]).unwrap_err().output;
    let options = help
        .split("Options:")
        .nth(1)
        .and_then(|s| s.split("Commands:").next())
        .unwrap_or_default();
    // argh wraps long descriptions: join each entry's lines first.
    let mut entries: Vec<String> = Vec::new();
    for line in options.lines() {
        if line.starts_with("  -") {
            entries.push(line.trim().to_owned());
        } else if let Some(last) = entries.last_mut() {
            last.push(' ');
            last.push_str(line.trim());
        }
    }
    assert!(entries.len() > 30, "{entries:?}");
    for entry in entries {
        let exempt = ["--env-file", "--version", "--help"];
        if !exempt.iter().any(|f| entry.starts_with(f)) {
            assert!(entry.contains("(env "), "no env name in: {entry}");
        }
    }
}

#[test]
fn debug_masks_credential_flags() {
    let cli = ok(&[
        "--jira-token=t-1",
        "--jira-personal-token",
        "t-2",
        "--confluence-token=t-3",
        "--confluence-personal-token=t-4",
        "--oauth-client-secret=t-5",
        "--oauth-access-token=t-6",
        "--jira-username=visible",
    ]);
    let shown = format!("{cli:?}");
    assert!(!shown.contains("t-"), "{shown}");
    assert!(shown.contains("visible"));
}

#[test]
fn version_line_has_the_crate_version() {
    assert_eq!(
        version_line(),
        format!("mcp-atlassian {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn global_flags_may_follow_the_subcommand() {
    let cli = ok(&["tools", "-v", "--json"]);
    assert_eq!(cli.verbose, 1);
    assert_eq!(
        cli.command,
        Some(Command::Tools(ToolsCmd {
            json: true,
            name: None
        }))
    );
    let cli = ok(&["doctor", "--jira-url", "https://x", "--timeout", "3", "-vv"]);
    assert_eq!(cli.jira_url.as_deref(), Some("https://x"));
    assert_eq!(cli.verbose, 2);
    assert!(matches!(
        cli.command,
        Some(Command::Doctor(DoctorCmd { timeout: 3 }))
    ));
    let cli = ok(&["call", "jira_get_issue", "issue_key=A-1", "--read-only"]);
    assert!(cli.read_only);
    let Some(Command::Call(call)) = cli.command else {
        panic!("call")
    };
    assert_eq!(call.args, vec!["issue_key=A-1".to_string()]);
    let cli = ok(&[
        "convert",
        "--from",
        "markdown",
        "--to",
        "adf",
        "notes.md",
        "--jira-url=https://y",
    ]);
    assert_eq!(cli.jira_url.as_deref(), Some("https://y"));
    let Some(Command::Convert(c)) = cli.command else {
        panic!("convert")
    };
    assert_eq!(c.input.as_deref(), Some("notes.md"));
}

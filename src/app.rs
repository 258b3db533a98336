//! Composition root: configuration → logging → services → tool filter → MCP server → the command
//! the user asked for (serve over a transport, list tools, call one tool).

mod callers;
mod cli;
mod convert;
mod doctor;
mod http;
mod oauth;
mod oauth_callback;
mod oauth_proxy;
mod oauth_setup;
mod services;
mod signals;

use std::io;
use std::sync::Arc;

use crate::config::{self, Cli, Command, Config, Transport};
use crate::mcp::{self, Filter, Server, ServerInfo};
use crate::tools::{self, Services};
use crate::transport::{self, Limits};

/// The server's identity in `initialize` and `server/discover`.
pub const SERVER_INFO: ServerInfo = ServerInfo {
    name: "mcp-atlassian",
    title: "MCP Atlassian (Jira and Confluence)",
    version: env!("CARGO_PKG_VERSION"),
};

/// Environment variable that registers the test fixture tools (tests only).
pub const FIXTURES_VAR: &str = "MCP_ATLASSIAN_TEST_FIXTURES";

/// Run the command line; returns the process exit code.
pub fn run(cli: Cli) -> u8 {
    if cli.version {
        return cli::print_line(&config::version_line());
    }
    if let Command::Convert(cmd) = cli.command() {
        return convert::run(&cmd.from, &cmd.to, cmd.server, cmd.input.as_deref());
    }
    let config = match Config::from_process(&cli) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("mcp-atlassian: {e}");
            return 2;
        }
    };
    init_logging(&config);
    if cli.oauth_setup {
        return oauth_setup::run(&config, cli.no_browser);
    }
    log::debug!("configuration: {config:?}");
    let fixtures = std::env::var(FIXTURES_VAR).is_ok_and(|v| v == "1" || v == "true");
    let server = match build_server(&config, fixtures) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("mcp-atlassian: {e}");
            return 2;
        }
    };
    for svc in [&config.jira, &config.confluence].into_iter().flatten() {
        for notice in &svc.notices {
            log::warn!("{notice}");
        }
    }
    // `tools` explains an empty list itself.
    let listing = matches!(cli.command(), Command::Tools(_));
    for warning in selection_warnings(&config, &server) {
        if !(listing && warning.starts_with("no tool is exposed")) {
            log::warn!("{warning}");
        }
    }
    match cli.command() {
        Command::Serve(_) => serve(&config, server),
        Command::Tools(cmd) => cli::list_tools(&server, &cmd, &no_tools_reason(&config, &server)),
        Command::Call(cmd) => cli::call_tool(&server, &cmd),
        Command::Convert(cmd) => convert::run(&cmd.from, &cmd.to, cmd.server, cmd.input.as_deref()),
        Command::Doctor(cmd) => {
            let timeout = std::time::Duration::from_secs(cmd.timeout.clamp(1, 600));
            doctor::run(server.state(), timeout, &mut io::stdout().lock())
        }
    }
}

fn init_logging(config: &Config) {
    let mut builder = env_logger::Builder::new();
    builder.filter_level(config.log_level.level_filter());
    if let Ok(spec) = std::env::var("RUST_LOG") {
        builder.parse_filters(&spec);
    }
    // The HTTP crates dump request heads (Authorization included) at debug and trace level:
    // cap them whatever RUST_LOG says, so no verbosity can leak a credential.
    for noisy in ["ureq", "ureq_proto", "rustls"] {
        builder.filter_module(noisy, log::LevelFilter::Info);
    }
    // Logs never go to stdout on stdio: that stream belongs to JSON-RPC.
    if config.logging_stdout && config.transport.is_http() {
        builder.target(env_logger::Target::Stdout);
    } else {
        builder.target(env_logger::Target::Stderr);
    }
    let _ = builder.try_init();
    if config.logging_stdout && !config.transport.is_http() {
        log::warn!(
            "MCP_LOGGING_STDOUT is ignored with the stdio transport: stdout carries JSON-RPC"
        );
    }
}

fn deployment(d: config::Deployment) -> mcp::Deployment {
    match d {
        config::Deployment::Cloud => mcp::Deployment::Cloud,
        config::Deployment::ServerDc => mcp::Deployment::ServerDc,
    }
}

/// The tool filter this configuration implies.
pub fn filter(config: &Config, fixtures: bool) -> Filter {
    let mut toolsets: std::collections::BTreeSet<String> =
        config.toolsets.iter().map(|s| s.to_string()).collect();
    if fixtures {
        toolsets.insert(tools::fixtures::TOOLSET.to_string());
    }
    let services = [("jira", &config.jira), ("confluence", &config.confluence)]
        .into_iter()
        .filter_map(|(name, svc)| {
            svc.as_ref()
                .map(|s| (name.to_string(), deployment(s.deployment)))
        })
        .collect();
    Filter {
        toolsets: Some(toolsets),
        enabled_tools: config
            .enabled_tools
            .as_ref()
            .map(|v| v.iter().cloned().collect()),
        read_only: config.read_only,
        services,
        disabled: config.disabled_tools.iter().cloned().collect(),
        // A site with its own JIRA_ISSUE_KEY_PATTERN leaves the key check to Jira.
        relaxed_formats: if config.jira_options.issue_key_pattern
            == config::DEFAULT_ISSUE_KEY_PATTERN
        {
            Vec::new()
        } else {
            vec![tools::params::ISSUE_KEY.name]
        },
    }
}

/// The server instructions: what is configured and how to use the tools (kept under 2 KB).
pub fn instructions(config: &Config) -> String {
    let mut text = String::from(
        "Tools for Atlassian Jira and Confluence. Jira tools start with jira_, Confluence tools with confluence_. \
Find things first (jira_search takes JQL, confluence_search takes CQL or plain text), then read or change them by issue key or page id. \
Rich text (descriptions, comments, page bodies) is Markdown in both directions. \
A failed call returns isError with the reason and what to change; fix the arguments rather than retrying unchanged.",
    );
    for (name, svc) in [("Jira", &config.jira), ("Confluence", &config.confluence)] {
        if let Some(svc) = svc {
            let kind = match svc.deployment {
                config::Deployment::Cloud => "Cloud",
                config::Deployment::ServerDc => "Server/Data Center",
            };
            text.push_str(&format!(" {name} is {kind}."));
        }
    }
    if config.read_only {
        text.push_str(" The server is read-only: tools that change data are not available.");
    }
    let projects = &config.jira_options.projects_filter;
    if !projects.is_empty() {
        text.push_str(&format!(
            " Only these Jira projects are accessible: {}.",
            projects.join(", ")
        ));
    }
    let spaces = &config.confluence_options.spaces_filter;
    if !spaces.is_empty() {
        text.push_str(&format!(
            " Only these Confluence spaces are accessible: {}.",
            spaces.join(", ")
        ));
    }
    text
}

/// Build the MCP server for a configuration (fails when TLS material cannot be used).
pub fn build_server(config: &Config, fixtures: bool) -> Result<Server<Services>, String> {
    Ok(Server::new(
        SERVER_INFO,
        instructions(config),
        tools::catalogue(fixtures),
        filter(config, fixtures),
        services::build(config)?,
    )
    .with_unknown_tool_help(tools::names::explain_unknown))
}

/// What a user should hear at start-up about tool selection: names in ENABLED_TOOLS or
/// DISABLED_TOOLS that match nothing, and a configuration that exposes no tool at all (a client
/// would show "connected" with an empty list), with the reason.
pub fn selection_warnings(config: &Config, server: &Server<Services>) -> Vec<String> {
    let declared: Vec<&str> = server.all_tools().iter().map(|t| t.name).collect();
    let mut out = Vec::new();
    let lists = [
        (
            "ENABLED_TOOLS",
            config.enabled_tools.clone().unwrap_or_default(),
        ),
        ("DISABLED_TOOLS", config.disabled_tools.clone()),
    ];
    for (var, names) in lists {
        for name in names {
            let toolset = var == "DISABLED_TOOLS" && config::ALL_TOOLSETS.contains(&name.as_str());
            if !declared.contains(&name.as_str()) && !toolset {
                out.push(format!(
                    "{var} names {name}, which is not a tool here: {}",
                    tools::names::explain_unknown(&name, &declared)
                ));
            }
        }
    }
    if server.listed().is_empty() {
        out.push(format!(
            "no tool is exposed: {}",
            no_tools_reason(config, server)
        ));
    }
    out
}

/// Why a configuration exposes no tool, in one sentence.
pub fn no_tools_reason(config: &Config, server: &Server<Services>) -> String {
    if config.jira.is_none() && config.confluence.is_none() {
        return "neither JIRA_URL nor CONFLUENCE_URL is set (with credentials)".into();
    }
    let mut reasons: Vec<String> = server
        .all_tools()
        .iter()
        .filter(|t| t.toolset != tools::fixtures::TOOLSET)
        .filter_map(|t| server.filter().hidden_because(t))
        .collect();
    reasons.sort();
    reasons.dedup();
    let shown: Vec<String> = reasons.iter().take(3).cloned().collect();
    format!(
        "every tool is hidden ({}{}); check TOOLSETS, ENABLED_TOOLS, DISABLED_TOOLS and READ_ONLY_MODE",
        shown.join("; "),
        if reasons.len() > 3 { "; ..." } else { "" }
    )
}

fn serve(config: &Config, server: Server<Services>) -> u8 {
    match config.transport {
        Transport::Stdio => {
            let limits = Limits {
                workers: config.resilience.fetcher_max_workers.clamp(1, 64) as usize,
                ..Limits::default()
            };
            log::info!(
                "serving MCP on stdio with {} tool(s) exposed",
                server.listed().len()
            );
            let stdin = io::stdin().lock();
            match transport::stdio::serve(Arc::new(server), limits, stdin, io::stdout()) {
                Ok(()) => 0,
                Err(e) => {
                    log::error!("stdio transport failed: {e}");
                    1
                }
            }
        }
        Transport::Sse | Transport::StreamableHttp => http::serve(config, server),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instructions_stay_under_two_kilobytes() {
        let cli = Cli::default();
        let env = config::EnvSource::from_vars([
            ("JIRA_URL", "https://a.atlassian.net"),
            ("CONFLUENCE_URL", "https://confluence.example.com"),
            ("READ_ONLY_MODE", "true"),
            (
                "JIRA_PROJECTS_FILTER",
                "ALPHA,BETA,GAMMA,DELTA,EPSILON,ZETA",
            ),
            ("CONFLUENCE_SPACES_FILTER", "ENG,OPS,DOCS,HR"),
        ]);
        let config = config::load(&cli, &env).unwrap();
        let text = instructions(&config);
        assert!(text.len() < 2048, "{} bytes", text.len());
        for needle in [
            "read-only",
            "ALPHA",
            "DOCS",
            "Jira is Cloud",
            "Confluence is Server/Data Center",
        ] {
            assert!(text.contains(needle), "{needle} missing from: {text}");
        }
    }

    #[test]
    fn filter_follows_configuration() {
        let cli = Cli::default();
        let env = config::EnvSource::from_vars([
            ("JIRA_URL", "https://jira.internal.example"),
            ("TOOLSETS", "default"),
            ("ENABLED_TOOLS", "jira_get_issue"),
        ]);
        let config = config::load(&cli, &env).unwrap();
        let f = filter(&config, true);
        assert_eq!(
            f.services,
            vec![("jira".to_string(), mcp::Deployment::ServerDc)]
        );
        let sets = f.toolsets.unwrap();
        assert!(
            sets.contains("jira_issues")
                && sets.contains("fixtures")
                && !sets.contains("jira_agile")
        );
        assert_eq!(f.enabled_tools.unwrap().len(), 1);
    }
}

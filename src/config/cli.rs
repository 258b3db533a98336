//! The command line: the [`Cli`] flags (the same names as the reference server, each documented
//! with the environment variable it overrides) and the `serve`, `tools` and `call` subcommands.
//! [`Cli::parse_from`] also accepts two spellings argh lacks: grouped `-vv` and `--flag=value`.
//! Turning flag values into settings happens in `load`, not here.

use argh::FromArgs;

/// MCP server for Jira and Confluence (Cloud and Server/Data Center). Every flag overrides the
/// environment variable named in its description; the process environment in turn overrides
/// the .env file (./.env or --env-file).
#[derive(FromArgs, Default)]
pub struct Cli {
    /// more logging: -v info, -vv debug (env MCP_VERBOSE, MCP_VERY_VERBOSE)
    #[argh(switch, short = 'v')]
    pub verbose: u8,

    /// dotenv file to read; it must exist (default: ./.env when present)
    #[argh(option)]
    pub env_file: Option<String>,

    /// OAuth 2.0 setup wizard: not in this build yet, exits 2 (env ATLASSIAN_OAUTH_ACCESS_TOKEN takes a token instead)
    #[argh(switch)]
    pub oauth_setup: bool,

    /// transport: stdio, sse or streamable-http (env TRANSPORT)
    #[argh(option)]
    pub transport: Option<String>,

    /// stateless mode, streamable-http only (env STATELESS)
    #[argh(switch)]
    pub stateless: bool,

    /// listening port for the HTTP transports, default 8000 (env PORT)
    #[argh(option)]
    pub port: Option<String>,

    /// bind address for the HTTP transports, default 127.0.0.1 (env HOST)
    #[argh(option)]
    pub host: Option<String>,

    /// endpoint path of streamable HTTP, default /mcp (env STREAMABLE_HTTP_PATH)
    #[argh(option)]
    pub path: Option<String>,

    /// base URL of the Jira site (env JIRA_URL)
    #[argh(option)]
    pub jira_url: Option<String>,

    /// user name or e-mail for Jira basic auth (env JIRA_USERNAME)
    #[argh(option)]
    pub jira_username: Option<String>,

    /// API token or password for Jira; the env is safer than argv (env JIRA_API_TOKEN)
    #[argh(option)]
    pub jira_token: Option<String>,

    /// personal access token for Jira Server/DC; the env is safer (env JIRA_PERSONAL_TOKEN)
    #[argh(option)]
    pub jira_personal_token: Option<String>,

    /// verify Jira's TLS certificate, the default (env JIRA_SSL_VERIFY)
    #[argh(switch)]
    pub jira_ssl_verify: bool,

    /// do not verify Jira's TLS certificate (env JIRA_SSL_VERIFY=false)
    #[argh(switch)]
    pub no_jira_ssl_verify: bool,

    /// comma list of the Jira project keys the server may touch (env JIRA_PROJECTS_FILTER)
    #[argh(option)]
    pub jira_projects_filter: Option<String>,

    /// base URL of the Confluence site (env CONFLUENCE_URL)
    #[argh(option)]
    pub confluence_url: Option<String>,

    /// user name or e-mail for Confluence basic auth (env CONFLUENCE_USERNAME)
    #[argh(option)]
    pub confluence_username: Option<String>,

    /// API token or password for Confluence; the env is safer (env CONFLUENCE_API_TOKEN)
    #[argh(option)]
    pub confluence_token: Option<String>,

    /// personal access token for Confluence Server/DC; the env is safer (env CONFLUENCE_PERSONAL_TOKEN)
    #[argh(option)]
    pub confluence_personal_token: Option<String>,

    /// verify Confluence's TLS certificate, the default (env CONFLUENCE_SSL_VERIFY)
    #[argh(switch)]
    pub confluence_ssl_verify: bool,

    /// do not verify Confluence's TLS certificate (env CONFLUENCE_SSL_VERIFY=false)
    #[argh(switch)]
    pub no_confluence_ssl_verify: bool,

    /// comma list of the Confluence space keys the server may touch (env CONFLUENCE_SPACES_FILTER)
    #[argh(option)]
    pub confluence_spaces_filter: Option<String>,

    /// hide and refuse every tool that writes (env READ_ONLY_MODE)
    #[argh(switch)]
    pub read_only: bool,

    /// comma list of the tool names to expose (env ENABLED_TOOLS)
    #[argh(option)]
    pub enabled_tools: Option<String>,

    /// comma list of toolsets, or all, or default (env TOOLSETS)
    #[argh(option)]
    pub toolsets: Option<String>,

    /// comma list of tool or toolset names to hide, applied last (env DISABLED_TOOLS)
    #[argh(option)]
    pub disabled_tools: Option<String>,

    /// OAuth 2.0 client id (env ATLASSIAN_OAUTH_CLIENT_ID)
    #[argh(option)]
    pub oauth_client_id: Option<String>,

    /// OAuth 2.0 client secret; the env is safer than argv (env ATLASSIAN_OAUTH_CLIENT_SECRET)
    #[argh(option)]
    pub oauth_client_secret: Option<String>,

    /// OAuth 2.0 redirect URI registered for the app (env ATLASSIAN_OAUTH_REDIRECT_URI)
    #[argh(option)]
    pub oauth_redirect_uri: Option<String>,

    /// OAuth 2.0 scopes, space separated (env ATLASSIAN_OAUTH_SCOPE)
    #[argh(option)]
    pub oauth_scope: Option<String>,

    /// site id of the Atlassian Cloud site, for OAuth (env ATLASSIAN_OAUTH_CLOUD_ID)
    #[argh(option)]
    pub oauth_cloud_id: Option<String>,

    /// OAuth access token managed elsewhere; the env is safer (env ATLASSIAN_OAUTH_ACCESS_TOKEN)
    #[argh(option)]
    pub oauth_access_token: Option<String>,

    /// print the version and exit
    #[argh(switch)]
    pub version: bool,

    #[argh(subcommand)]
    pub command: Option<Command>,
}

/// What to do; `serve` when no subcommand is given.
#[derive(FromArgs, Clone, Debug, PartialEq, Eq)]
#[argh(subcommand)]
pub enum Command {
    /// Serve MCP on the configured transport.
    Serve(ServeCmd),
    /// List the tools the configuration exposes.
    Tools(ToolsCmd),
    /// Call one tool and print its result.
    Call(CallCmd),
    /// Convert rich text between formats (stdin to stdout).
    Convert(ConvertCmd),
    /// Check connectivity, TLS and credentials of each configured product.
    Doctor(DoctorCmd),
}

/// Check DNS, proxy, TLS, credentials and server type of each configured product; exit 0 only
/// when everything works.
#[derive(FromArgs, Clone, Debug, PartialEq, Eq, Default)]
#[argh(subcommand, name = "doctor")]
pub struct DoctorCmd {
    /// seconds each check may take (default 10)
    #[argh(option, default = "10")]
    pub timeout: u64,
}

/// Serve MCP on the configured transport (the default).
#[derive(FromArgs, Clone, Debug, PartialEq, Eq, Default)]
#[argh(subcommand, name = "serve")]
pub struct ServeCmd {}

/// List the tools this configuration exposes.
#[derive(FromArgs, Clone, Debug, PartialEq, Eq, Default)]
#[argh(subcommand, name = "tools")]
pub struct ToolsCmd {
    /// print JSON instead of a table
    #[argh(switch)]
    pub json: bool,

    /// a tool to describe: its description and parameters (type, default, range, choices)
    #[argh(positional)]
    pub name: Option<String>,
}

/// Call one tool and print its result; the exit code tells success from failure.
#[derive(FromArgs, Clone, Debug, PartialEq, Eq, Default)]
#[argh(subcommand, name = "call")]
pub struct CallCmd {
    /// the whole arguments object as JSON; put it before any key=value
    #[argh(option)]
    pub json: Option<String>,

    /// tool name, e.g. jira_get_issue
    #[argh(positional)]
    pub tool: String,

    /// arguments written key=value (everything after the first one is taken as written)
    #[argh(positional, greedy)]
    pub args: Vec<String>,
}

/// Convert rich text read from stdin and write it to stdout: markdown, adf (JSON), wiki (Jira
/// wiki markup) or storage (Confluence storage XHTML).
#[derive(FromArgs, Clone, Debug, PartialEq, Eq, Default)]
#[argh(subcommand, name = "convert")]
pub struct ConvertCmd {
    /// input format: markdown, adf, wiki or storage
    #[argh(option)]
    pub from: String,

    /// a file to read instead of stdin
    #[argh(positional)]
    pub input: Option<String>,

    /// output format: markdown, adf, wiki or storage
    #[argh(option)]
    pub to: String,

    /// write mentions for Server/Data Center (user names or keys) instead of Cloud account ids
    #[argh(switch)]
    pub server: bool,
}

/// Top-level options that take a value (used to split `--name=value`).
const VALUE_OPTIONS: [&str; 24] = [
    "env-file",
    "transport",
    "port",
    "host",
    "path",
    "jira-url",
    "jira-username",
    "jira-token",
    "jira-personal-token",
    "jira-projects-filter",
    "confluence-url",
    "confluence-username",
    "confluence-token",
    "confluence-personal-token",
    "confluence-spaces-filter",
    "enabled-tools",
    "toolsets",
    "disabled-tools",
    "oauth-client-id",
    "oauth-client-secret",
    "oauth-redirect-uri",
    "oauth-scope",
    "oauth-cloud-id",
    "oauth-access-token",
];

impl Cli {
    /// Parses `argv` (program name first). Accepts `-vv` for `-v -v` and `--flag=value` for
    /// `--flag value`. `Err` carries help text (status `Ok`) or a usage error (status `Err`).
    pub fn parse_from(argv: &[String]) -> Result<Cli, argh::EarlyExit> {
        let program = argv
            .first()
            .map(|p| p.rsplit(['/', '\\']).next().unwrap_or(p))
            .unwrap_or("mcp-atlassian");
        let args = normalize_args(argv.get(1..).unwrap_or_default());
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        Cli::from_args(&[program], &args)
    }

    /// What to run; `serve` when no subcommand was given.
    pub fn command(&self) -> Command {
        self.command.clone().unwrap_or(Command::Serve(ServeCmd {}))
    }
}

/// Prints flag values, with the six credential flags shown as `***` when given.
impl std::fmt::Debug for Cli {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mask = |v: &Option<String>| v.as_ref().map(|_| "***");
        f.debug_struct("Cli")
            .field("verbose", &self.verbose)
            .field("env_file", &self.env_file)
            .field("oauth_setup", &self.oauth_setup)
            .field("transport", &self.transport)
            .field("stateless", &self.stateless)
            .field("port", &self.port)
            .field("host", &self.host)
            .field("path", &self.path)
            .field("jira_url", &self.jira_url)
            .field("jira_username", &self.jira_username)
            .field("jira_token", &mask(&self.jira_token))
            .field("jira_personal_token", &mask(&self.jira_personal_token))
            .field("jira_ssl_verify", &self.jira_ssl_verify)
            .field("no_jira_ssl_verify", &self.no_jira_ssl_verify)
            .field("jira_projects_filter", &self.jira_projects_filter)
            .field("confluence_url", &self.confluence_url)
            .field("confluence_username", &self.confluence_username)
            .field("confluence_token", &mask(&self.confluence_token))
            .field(
                "confluence_personal_token",
                &mask(&self.confluence_personal_token),
            )
            .field("confluence_ssl_verify", &self.confluence_ssl_verify)
            .field("no_confluence_ssl_verify", &self.no_confluence_ssl_verify)
            .field("confluence_spaces_filter", &self.confluence_spaces_filter)
            .field("read_only", &self.read_only)
            .field("enabled_tools", &self.enabled_tools)
            .field("toolsets", &self.toolsets)
            .field("disabled_tools", &self.disabled_tools)
            .field("oauth_client_id", &self.oauth_client_id)
            .field("oauth_client_secret", &mask(&self.oauth_client_secret))
            .field("oauth_redirect_uri", &self.oauth_redirect_uri)
            .field("oauth_scope", &self.oauth_scope)
            .field("oauth_cloud_id", &self.oauth_cloud_id)
            .field("oauth_access_token", &mask(&self.oauth_access_token))
            .field("version", &self.version)
            .field("command", &self.command)
            .finish()
    }
}

/// The line printed by `--version`.
pub fn version_line() -> String {
    format!("mcp-atlassian {}", env!("CARGO_PKG_VERSION"))
}

/// Rewrites the spellings argh does not accept: `-vv`/`-vvv` become repeated `-v`, and
/// `--name=value` becomes `--name value` for options that take a value. Stops rewriting at `--`,
/// never touches an option's value, and leaves the `call` arguments after the tool name as is.
fn normalize_args(args: &[String]) -> Vec<String> {
    let mut out = Vec::with_capacity(args.len());
    let mut iter = args.iter();
    let mut in_call = false;
    let mut call_positionals = 0;
    while let Some(arg) = iter.next() {
        if arg == "--" || (in_call && call_positionals >= 2) {
            out.push(arg.clone());
            out.extend(iter.cloned());
            break;
        }
        let takes_value = |name: &str| {
            if in_call {
                name == "json"
            } else {
                VALUE_OPTIONS.contains(&name)
            }
        };
        if let Some(long) = arg.strip_prefix("--") {
            match long.split_once('=') {
                Some((name, value)) if takes_value(name) => {
                    out.push(format!("--{name}"));
                    out.push(value.to_owned());
                }
                _ => {
                    out.push(arg.clone());
                    let value = if takes_value(long) { iter.next() } else { None };
                    out.extend(value.cloned());
                }
            }
        } else if !in_call
            && arg.len() > 2
            && arg.starts_with('-')
            && arg[1..].bytes().all(|b| b == b'v')
        {
            out.extend(std::iter::repeat_n("-v".to_owned(), arg.len() - 1));
        } else {
            if in_call {
                call_positionals += 1;
            } else if arg == "call" {
                in_call = true;
            }
            out.push(arg.clone());
        }
    }
    hoist_global_flags(out)
}

/// Top-level switches (long names without `--`), for moving them in front of a subcommand.
const SWITCHES: [&str; 9] = [
    "verbose",
    "oauth-setup",
    "stateless",
    "jira-ssl-verify",
    "no-jira-ssl-verify",
    "confluence-ssl-verify",
    "no-confluence-ssl-verify",
    "read-only",
    "version",
];

/// Each subcommand's own options, which stay after it.
fn own_options(command: &str) -> &'static [&'static str] {
    match command {
        "tools" | "call" => &["json"],
        "doctor" => &["timeout"],
        "convert" => &["from", "to", "server"],
        _ => &[],
    }
}

/// Top-level flags written after the subcommand (`tools -v`, `doctor --jira-url X`) are moved
/// in front of it, where argh expects them; the subcommand's own options and `call`'s
/// `key=value` words stay where they are.
fn hoist_global_flags(args: Vec<String>) -> Vec<String> {
    const COMMANDS: [&str; 5] = ["serve", "tools", "call", "doctor", "convert"];
    let mut i = 0;
    let mut command = None;
    while i < args.len() {
        let a = args[i].as_str();
        if a == "--" {
            break;
        }
        if let Some(long) = a.strip_prefix("--") {
            i += if VALUE_OPTIONS.contains(&long) { 2 } else { 1 };
            continue;
        }
        if COMMANDS.contains(&a) {
            command = Some(i);
            break;
        }
        i += 1;
    }
    let Some(at) = command else {
        return args;
    };
    let own = own_options(&args[at]);
    let (mut front, mut back) = (args[..at].to_vec(), vec![args[at].clone()]);
    let mut rest = args[at + 1..].iter();
    while let Some(a) = rest.next() {
        if a == "--" {
            back.push(a.clone());
            back.extend(rest.by_ref().cloned());
            break;
        }
        let long = a.strip_prefix("--").filter(|l| !own.contains(l));
        match long {
            Some(l) if VALUE_OPTIONS.contains(&l) => {
                front.push(a.clone());
                front.extend(rest.next().cloned());
            }
            Some(l) if SWITCHES.contains(&l) => front.push(a.clone()),
            _ if a == "-v" => front.push(a.clone()),
            _ => back.push(a.clone()),
        }
    }
    front.extend(back);
    front
}

#[cfg(test)]
#[path = "cli_tests.rs"]
mod tests;

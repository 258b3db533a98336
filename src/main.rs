//! Process entry: parse the command line with argh, hand over to `app::run`, exit with its code
//! (0 success, 1 failure, 2 usage or configuration error).

use std::io::Write;
use std::process::ExitCode;

use mcp_atlassian::{app, config::Cli};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let cli = match Cli::parse_from(&args) {
        Ok(cli) => cli,
        Err(early) => {
            return if early.status.is_ok() {
                // --help: the only text this binary writes to stdout outside a protocol or CLI answer.
                let _ = writeln!(std::io::stdout(), "{}", early.output);
                ExitCode::SUCCESS
            } else {
                eprintln!("{}", early.output.trim_end());
                eprintln!("Run mcp-atlassian --help for usage.");
                ExitCode::from(2)
            };
        }
    };
    ExitCode::from(app::run(cli))
}

//! `mcp-atlassian convert --from F --to T [FILE]`: rich text from a file or stdin to stdout
//! through the converters, for deploy scripts (Markdown release notes → Confluence) and testing.
//! Exit codes: 0 converted, 1 the input could not be read or converted, 2 usage.

use std::io::{self, Read, Write};

use crate::convert::{self, Format, Options};

/// Runs the command; returns the exit code.
pub fn run(from: &str, to: &str, server: bool, file: Option<&str>) -> u8 {
    let (from, to) = match (from.parse::<Format>(), to.parse::<Format>()) {
        (Ok(f), Ok(t)) => (f, t),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("mcp-atlassian convert: {e}");
            return 2;
        }
    };
    let mut input = String::new();
    let read = match file {
        Some(path) => std::fs::read_to_string(path).map(|t| input = t),
        None => io::stdin().read_to_string(&mut input).map(|_| ()),
    };
    if let Err(e) = read {
        eprintln!(
            "mcp-atlassian convert: cannot read {} as UTF-8 text: {e}",
            file.unwrap_or("stdin")
        );
        return 1;
    }
    let opts = if server {
        Options::server()
    } else {
        Options::default()
    };
    match convert::convert(&input, from, to, &opts) {
        Ok(mut text) => {
            if !text.ends_with('\n') {
                text.push('\n');
            }
            let mut out = io::stdout().lock();
            match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
                Ok(()) => 0,
                Err(_) => 1,
            }
        }
        Err(e) => {
            eprintln!("mcp-atlassian convert: {e}");
            1
        }
    }
}

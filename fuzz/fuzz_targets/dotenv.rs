//! Fuzz target: the `.env` parser and the configuration built from it. Any text either parses
//! or is refused with a line number inside the file; a parsed file then loads into a
//! configuration (or a configuration error) without panicking, and no refusal echoes the
//! file's text beyond the variable name.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mcp_atlassian::config::{self, Cli, ConfigError, EnvSource};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match EnvSource::new().with_dotenv(".env", text) {
        Err(ConfigError::EnvFile {
            line: Some(line), ..
        }) => {
            let lines = text.split('\n').count();
            assert!(line >= 1 && line <= lines + 1, "line {line} of {lines}");
        }
        Err(other) => panic!("unexpected error kind: {other}"),
        Ok(env) => {
            let _ = config::load(&Cli::default(), &env);
        }
    }
});

//! Source tidiness rules checked on every test run: the layer dependency table of ARCHITECTURE.md
//! (`use crate::` lines only go down), a `//!` paragraph opening every file, files under the size
//! budget, and no print macros in product code (stdout belongs to JSON-RPC).

use std::fs;
use std::path::{Path, PathBuf};

/// Which crate modules each top-level module may import.
const ALLOWED: &[(&str, &[&str])] = &[
    ("main", &["config", "app"]),
    ("lib", &[]),
    (
        "app",
        &[
            "config",
            "mcp",
            "tools",
            "transport",
            "atlassian",
            "jira",
            "confluence",
            "convert",
        ],
    ),
    ("transport", &["mcp"]),
    ("tools", &["mcp", "jira", "confluence", "convert"]),
    ("jira", &["atlassian", "convert"]),
    ("confluence", &["atlassian", "convert"]),
    ("atlassian", &[]),
    ("convert", &[]),
    ("mcp", &[]),
    ("config", &[]),
];

/// Files allowed above the line budget (declarative tables).
const LONG_FILES_OK: &[&str] = &[];
const MAX_LINES: usize = 600;

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn top_module(rel: &Path) -> String {
    let first = rel
        .components()
        .next()
        .unwrap()
        .as_os_str()
        .to_string_lossy();
    first.trim_end_matches(".rs").to_string()
}

#[test]
fn source_rules() {
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut problems = Vec::new();
    for file in files {
        let rel = file.strip_prefix(&src).unwrap().to_path_buf();
        let shown = format!("src/{}", rel.display());
        let text = fs::read_to_string(&file).unwrap();
        if rel.starts_with("bin") {
            continue; // the sandbox binary shares nothing with the product and may print
        }
        if !text.trim_start().starts_with("//!") {
            problems.push(format!(
                "{shown}: must open with a //! paragraph saying its job"
            ));
        }
        let lines = text.lines().count();
        if lines > MAX_LINES && !LONG_FILES_OK.contains(&shown.as_str()) {
            problems.push(format!("{shown}: {lines} lines (budget {MAX_LINES})"));
        }
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            for mac in ["println!(", "print!(", "dbg!("] {
                if code.contains(mac) && !code.contains(&format!("e{mac}")) {
                    problems.push(format!("{shown}:{}: {mac} in product code", n + 1));
                }
            }
        }
        let module = top_module(&rel);
        let Some((_, allowed)) = ALLOWED.iter().find(|(m, _)| *m == module) else {
            problems.push(format!(
                "{shown}: module {module} is missing from the layer table"
            ));
            continue;
        };
        for (n, line) in text.lines().enumerate() {
            let mut rest = line;
            while let Some(at) = rest.find("crate::") {
                rest = &rest[at + 7..];
                let target: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !target.is_empty() && target != module && !allowed.contains(&target.as_str()) {
                    problems.push(format!(
                        "{shown}:{}: {module} may not import crate::{target}",
                        n + 1
                    ));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

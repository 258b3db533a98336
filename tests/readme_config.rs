//! Keeps the README's Configuration section complete: every environment variable name written as
//! a string literal in `src/config/` must appear in that section, or this test fails naming it.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

/// Names without an underscore that are still variables.
const SINGLE_WORD_VARS: &[&str] = &["TRANSPORT", "HOST", "PORT", "STATELESS", "TOOLSETS"];
/// All-caps literals with an underscore that are not settings of this server (`env!` arguments).
const NOT_VARIABLES: &[&str] = &["CARGO_MANIFEST_DIR", "CARGO_PKG_VERSION"];
/// The macro that builds per-product names: `product_vars!("JIRA")` with `concat!($p, "_URL")`.
const PREFIX_MACRO: &str = "product_vars!(";

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

/// The string literals of a Rust source, each with the index of its opening quote, skipping
/// comments and char literals. Escapes are left as written (variable names have none).
fn string_literals(src: &[char]) -> Vec<(usize, String)> {
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    let at = |i: usize| src.get(i).copied().unwrap_or('\0');
    let mut out = Vec::new();
    let mut i = 0;
    while i < src.len() {
        let c = src[i];
        if c == '/' && at(i + 1) == '/' {
            while i < src.len() && src[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && at(i + 1) == '*' {
            let mut depth = 0;
            while i < src.len() {
                if src[i] == '/' && at(i + 1) == '*' {
                    depth += 1;
                    i += 2;
                } else if src[i] == '*' && at(i + 1) == '/' {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
        } else if c == 'r'
            && (i == 0
                || !ident(src[i - 1])
                || (src[i - 1] == 'b' && (i < 2 || !ident(src[i - 2]))))
            && matches!(at(i + 1), '"' | '#')
        {
            let mut j = i + 1;
            while at(j) == '#' {
                j += 1;
            }
            if at(j) != '"' {
                i += 1;
                continue;
            }
            let hashes = j - i - 1;
            let start = j;
            let mut k = j + 1;
            while k < src.len() {
                if src[k] == '"' && (1..=hashes).all(|h| at(k + h) == '#') {
                    break;
                }
                k += 1;
            }
            out.push((start, src[start + 1..k.min(src.len())].iter().collect()));
            i = k + 1 + hashes;
        } else if c == '"' {
            let start = i;
            let mut k = i + 1;
            while k < src.len() && src[k] != '"' {
                k += if src[k] == '\\' { 2 } else { 1 };
            }
            out.push((start, src[start + 1..k.min(src.len())].iter().collect()));
            i = k + 1;
        } else if c == '\'' {
            if at(i + 1) == '\\' {
                let mut k = i + 3;
                while k < src.len() && src[k] != '\'' {
                    k += 1;
                }
                i = k + 1;
            } else if at(i + 2) == '\'' {
                i += 3;
            } else {
                i += 1; // a lifetime or label
            }
        } else {
            i += 1;
        }
    }
    out
}

fn is_caps(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

fn is_variable(s: &str) -> bool {
    is_caps(s)
        && s.starts_with(|c: char| c.is_ascii_uppercase())
        && !s.ends_with('_')
        && (s.contains('_') || SINGLE_WORD_VARS.contains(&s))
        && !NOT_VARIABLES.contains(&s)
}

/// True when `name` occurs in `text` as a whole word (not inside a longer name).
fn mentions(text: &str, name: &str) -> bool {
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    text.match_indices(name).any(|(pos, _)| {
        let before = text[..pos].chars().next_back();
        let after = text[pos + name.len()..].chars().next();
        !before.is_some_and(word) && !after.is_some_and(word)
    })
}

/// True when `text`, then optional whitespace, comes right before index `at` of `src`.
fn preceded_by(src: &[char], at: usize, text: &str) -> bool {
    let mut end = at;
    while end > 0 && src[end - 1].is_whitespace() {
        end -= 1;
    }
    let want: Vec<char> = text.chars().collect();
    end >= want.len() && src[end - want.len()..end] == want[..]
}

/// Every variable name in `src/config/`, with the files it appears in.
fn config_variables() -> BTreeMap<String, Vec<String>> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src/config"), &mut files);
    files.sort();
    assert!(!files.is_empty(), "no .rs files under src/config");

    let mut names: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut add = |name: String, file: &str| {
        let seen = names.entry(name).or_default();
        if !seen.iter().any(|f| f == file) {
            seen.push(file.to_owned());
        }
    };
    for file in files {
        let shown = file.strip_prefix(&root).unwrap().display().to_string();
        let src: Vec<char> = fs::read_to_string(&file).unwrap().chars().collect();
        let mut prefixes = Vec::new();
        let mut suffixes = Vec::new();
        for (start, lit) in string_literals(&src) {
            if preceded_by(&src, start, PREFIX_MACRO) {
                prefixes.push(lit);
            } else if lit.starts_with('_') && is_variable(&format!("X{lit}")) {
                suffixes.push(lit);
            } else if is_variable(&lit) {
                add(lit, &shown);
            }
        }
        assert!(
            suffixes.is_empty() || !prefixes.is_empty(),
            "{shown}: name suffixes such as {:?} but no {PREFIX_MACRO}\"...\") prefix; \
             teach tests/readme_config.rs how these names are built",
            suffixes[0]
        );
        for prefix in &prefixes {
            for suffix in &suffixes {
                add(format!("{prefix}{suffix}"), &shown);
            }
        }
    }
    names
}

fn configuration_section() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/README.md");
    let readme = fs::read_to_string(path).unwrap();
    let (_, rest) = readme
        .split_once("\n## Configuration\n")
        .expect("README.md has no \"## Configuration\" section");
    rest.split("\n## ").next().unwrap_or_default().to_owned()
}

#[test]
fn every_config_variable_is_documented() {
    let names = config_variables();
    // Guards against the scan silently finding nothing after a refactor.
    assert!(
        names.len() > 100,
        "only {} variable names found in src/config: {:?}",
        names.len(),
        names.keys()
    );
    let section = configuration_section();
    let missing: Vec<String> = names
        .iter()
        .filter(|(name, _)| !mentions(&section, name))
        .map(|(name, files)| format!("  {name} (in {})", files.join(", ")))
        .collect();
    assert!(
        missing.is_empty(),
        "README.md's Configuration section does not mention {} of {} variables:\n{}",
        missing.len(),
        names.len(),
        missing.join("\n")
    );
}

#[test]
fn scanner_sees_literals_not_comments_or_chars() {
    let src: Vec<char> =
        "// \"IN_COMMENT\"\nlet a = '\"'; f(\"A_B\", r#\"RAW_X\"#, b'\\'', 'x, \"C\\\"D\"); /* \"NO_NO\" */"
            .chars()
            .collect();
    let lits: Vec<String> = string_literals(&src).into_iter().map(|(_, l)| l).collect();
    assert_eq!(lits, vec!["A_B", "RAW_X", "C\\\"D"]);
    assert!(is_variable("JIRA_URL") && is_variable("PORT"));
    assert!(!is_variable("OK") && !is_variable("CARGO_PKG_VERSION") && !is_variable("_URL"));
    assert!(mentions("`JIRA_CLIENT_KEY_PASSWORD`, `PORT`", "PORT"));
    assert!(!mentions("`JIRA_CLIENT_KEY_PASSWORD`", "JIRA_CLIENT_KEY"));
}

//! The round-trip property over the whole Markdown corpus (`fixtures/convert/corpus/markdown/`
//! and `fixtures/convert/roundtrip/`): for each document, Markdown → model → Markdown keeps the
//! structure pulldown-cmark reads, and on every path (ADF; wiki and storage for Cloud and for
//! Server/DC) Markdown → format → Markdown keeps it as the format can hold it (the limits of
//! `convert::roundtrip`, listed in `fixtures/convert/DIFFERENCES.md`), and format → Markdown →
//! format gives the same document.

use std::fs;
use std::path::PathBuf;

use mcp_atlassian::convert::roundtrip::{self, Path};

fn documents() -> Vec<(String, String)> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/convert");
    let mut out = Vec::new();
    for dir in ["corpus/markdown", "roundtrip"] {
        let mut files: Vec<PathBuf> = fs::read_dir(root.join(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "md"))
            .collect();
        files.sort();
        for p in files {
            let name = format!("{dir}/{}", p.file_name().unwrap().to_string_lossy());
            out.push((name, fs::read_to_string(&p).unwrap()));
        }
    }
    out
}

#[test]
fn every_document_keeps_its_structure_on_every_path() {
    let docs = documents();
    let mut failures = Vec::new();
    for (name, md) in &docs {
        if let Err(e) = roundtrip::check_markdown(md) {
            failures.push(format!("{name}: {e}"));
        }
        for path in Path::ALL {
            if let Err(e) = roundtrip::check(md, path) {
                failures.push(format!("{name}: {e}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures over {} documents:\n{}",
        failures.len(),
        docs.len(),
        failures.join("\n")
    );
}

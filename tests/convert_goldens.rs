//! Our converters against the reference converters' goldens (`fixtures/convert/goldens/`, made by
//! `tests/oracles/regenerate.sh`). Both sides are read back with the same reader and compared as
//! normalised outlines. A sample may differ only when `fixtures/convert/DIFFERENCES.md` lists it
//! (family and sample name) with the reason; a listed sample that agrees again fails too, so the
//! document stays true.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use mcp_atlassian::convert::{self, Format, Options};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/convert")
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// One family of goldens: which corpus it is made from, how ours is produced, how both are read.
struct Family {
    name: &'static str,
    corpus: &'static str,
    golden_ext: &'static str,
    ours: fn(&str) -> String,
    read_as: Format,
}

const FAMILIES: &[Family] = &[
    Family {
        name: "markdown-adf",
        corpus: "markdown",
        golden_ext: "json",
        ours: |md| convert::markdown_to_adf(md).to_string(),
        read_as: Format::Adf,
    },
    Family {
        name: "markdown-wiki",
        corpus: "markdown",
        golden_ext: "wiki",
        ours: |md| convert::markdown_to_wiki(md, &Options::default()),
        read_as: Format::Wiki,
    },
    Family {
        name: "markdown-storage",
        corpus: "markdown",
        golden_ext: "xml",
        ours: |md| convert::markdown_to_storage(md, &Options::default()),
        read_as: Format::Storage,
    },
    Family {
        name: "wiki-adf",
        corpus: "wiki",
        golden_ext: "json",
        ours: |w| convert::convert(w, Format::Wiki, Format::Adf, &Options::default()).unwrap(),
        read_as: Format::Adf,
    },
    Family {
        name: "wiki-markdown",
        corpus: "wiki",
        golden_ext: "md",
        ours: convert::wiki_to_markdown,
        read_as: Format::Markdown,
    },
];

/// `(family, sample)` pairs documented in DIFFERENCES.md: rows of the tables headed
/// `| family | samples | reason |`.
fn documented() -> BTreeSet<(String, String)> {
    let text = read(&root().join("DIFFERENCES.md"));
    let mut out = BTreeSet::new();
    let mut in_table = false;
    for line in text.lines() {
        let cells: Vec<&str> = line
            .trim()
            .trim_matches('|')
            .split('|')
            .map(str::trim)
            .collect();
        if line.trim().is_empty() {
            in_table = false;
        } else if cells.len() == 3 && cells[1] == "samples" {
            in_table = true;
        } else if in_table
            && FAMILIES
                .iter()
                .any(|f| f.name == cells[0].trim_matches('`'))
        {
            assert!(
                cells.len() >= 3 && !cells[2].is_empty(),
                "no reason given for {line}"
            );
            for sample in cells[1].split(',') {
                out.insert((
                    cells[0].trim_matches('`').to_owned(),
                    sample.trim().trim_matches('`').to_owned(),
                ));
            }
        }
    }
    out
}

fn first_difference(a: &str, b: &str) -> String {
    let (la, lb): (Vec<&str>, Vec<&str>) = (a.lines().collect(), b.lines().collect());
    let i = la.iter().zip(&lb).take_while(|(x, y)| x == y).count();
    format!(
        "  ours:   {}\n  oracle: {}",
        la.get(i).unwrap_or(&"<end>"),
        lb.get(i).unwrap_or(&"<end>")
    )
}

#[test]
fn goldens_agree_or_the_difference_is_documented() {
    let documented = documented();
    let mut differing = BTreeSet::new();
    let mut report = String::new();
    let (mut total, mut agree) = (0, 0);
    for family in FAMILIES {
        let dir = root().join("corpus").join(family.corpus);
        let mut names: Vec<PathBuf> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        names.sort();
        let (mut fam_total, mut fam_agree) = (0, 0);
        for path in names {
            let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
            let golden = root()
                .join("goldens")
                .join(family.name)
                .join(format!("{stem}.{}", family.golden_ext));
            let Ok(golden) = fs::read_to_string(&golden) else {
                panic!("missing golden {}: run `make goldens`", golden.display());
            };
            let ours = (family.ours)(&read(&path));
            let a = convert::outline(&ours, family.read_as).unwrap();
            let b = convert::outline(&golden, family.read_as).unwrap();
            fam_total += 1;
            if a == b {
                fam_agree += 1;
            } else {
                differing.insert((family.name.to_owned(), stem.clone()));
                if !documented.contains(&(family.name.to_owned(), stem.clone())) {
                    report.push_str(&format!(
                        "undocumented: {} {stem}\n{}\n",
                        family.name,
                        first_difference(&a, &b)
                    ));
                }
            }
        }
        eprintln!("{}: {fam_agree}/{fam_total} samples agree", family.name);
        total += fam_total;
        agree += fam_agree;
    }
    eprintln!("all families: {agree}/{total} samples agree structurally");
    for stale in documented.difference(&differing) {
        report.push_str(&format!(
            "documented but agrees now (remove it from DIFFERENCES.md): {} {}\n",
            stale.0, stale.1
        ));
    }
    assert!(report.is_empty(), "{report}");
}

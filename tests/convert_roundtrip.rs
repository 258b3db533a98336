//! Round trips over the conversion corpus (`fixtures/convert/corpus/`): Markdown → ADF → Markdown
//! keeps every construct ADF's schema can hold and Markdown → storage → Markdown every construct
//! (compared as normalised outlines), and the Markdown written for wiki and storage samples reads
//! back to the same structure.

use std::fs;
use std::path::PathBuf;

use mcp_atlassian::convert::ast::{Block, Inline, Marks};
use mcp_atlassian::convert::{self, Format, Options};

fn corpus(kind: &str) -> Vec<(String, String)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/convert/corpus")
        .join(kind);
    let mut files: Vec<_> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                fs::read_to_string(&p).unwrap(),
            )
        })
        .collect()
}

fn outline(text: &str, format: Format) -> String {
    convert::outline(text, format).unwrap()
}

fn via(md: &str, format: Format, opts: &Options) -> String {
    let there = convert::convert(md, Format::Markdown, format, opts).unwrap();
    convert::convert(&there, format, Format::Markdown, opts).unwrap()
}

fn check(kind: &str, min: usize, mut case: impl FnMut(&str, &str) -> Option<String>) {
    let samples = corpus(kind);
    assert!(
        samples.len() >= min,
        "{kind} corpus has {} samples, want {min}",
        samples.len()
    );
    let failures: Vec<String> = samples
        .iter()
        .filter_map(|(name, text)| case(name, text))
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} failed:\n{}",
        failures.len(),
        samples.len(),
        failures.join("\n")
    );
}

fn diff(name: &str, what: &str, want: &str, got: &str) -> Option<String> {
    (want != got).then(|| format!("== {name} ({what})\n-- want\n{want}-- got\n{got}"))
}

/// The source as ADF's schema can hold it, which is all an ADF round trip can keep: inline code
/// carries no mark but a link (the `code` mark excludes the others), an image splits its paragraph
/// (ADF media are blocks; in a heading it is a link to the image), and a quote inside a quote,
/// list item or panel gives its content to its parent (`blockquote` is not allowed there).
fn adf_shape(md: &str) -> String {
    fn blocks(doc: Vec<Block>, quote_ok: bool) -> Vec<Block> {
        let mut out = Vec::new();
        for b in doc {
            match b {
                Block::Para(inl) => {
                    let mut segment = Vec::new();
                    for i in inlines(inl) {
                        if let Inline::Image { .. } = i {
                            out.push(Block::Para(std::mem::take(&mut segment)));
                            out.push(Block::Para(vec![i]));
                        } else {
                            segment.push(i);
                        }
                    }
                    out.push(Block::Para(segment));
                }
                Block::Heading(l, inl) => out.push(Block::Heading(l, heading(inl))),
                Block::Quote(body) if !quote_ok => out.extend(blocks(body, false)),
                Block::Quote(body) => out.push(Block::Quote(blocks(body, false))),
                Block::List {
                    ordered,
                    start,
                    mut items,
                } => {
                    for item in &mut items {
                        item.body = blocks(std::mem::take(&mut item.body), false);
                    }
                    out.push(Block::List {
                        ordered,
                        start,
                        items,
                    });
                }
                Block::Table(mut rows) => {
                    for cell in rows.iter_mut().flatten() {
                        cell.body = blocks(std::mem::take(&mut cell.body), true);
                    }
                    out.push(Block::Table(rows));
                }
                Block::Panel { kind, title, body } => out.push(Block::Panel {
                    kind,
                    title,
                    body: blocks(body, false),
                }),
                Block::Expand { title, body } => out.push(Block::Expand {
                    title,
                    body: blocks(body, true),
                }),
                other => out.push(other),
            }
        }
        out
    }
    fn inlines(inl: Vec<Inline>) -> Vec<Inline> {
        inl.into_iter()
            .map(|i| match i {
                Inline::Text(t, m) if m.code => Inline::Text(
                    t,
                    Marks {
                        code: true,
                        link: m.link,
                        ..Marks::default()
                    },
                ),
                other => other,
            })
            .collect()
    }
    fn heading(inl: Vec<Inline>) -> Vec<Inline> {
        inlines(inl)
            .into_iter()
            .map(|i| match i {
                Inline::Image { src, alt } => {
                    let text = if alt.is_empty() { src.clone() } else { alt };
                    let link = Marks {
                        link: Some(src),
                        ..Marks::default()
                    };
                    Inline::Text(text, link)
                }
                other => other,
            })
            .collect()
    }
    let doc = convert::parse(md, Format::Markdown).unwrap();
    convert::render(&blocks(doc, true), Format::Markdown, &Options::default())
}

#[test]
fn markdown_through_adf_keeps_every_construct() {
    check("markdown", 100, |name, md| {
        let back = via(md, Format::Adf, &Options::default());
        diff(
            name,
            "md→adf→md",
            &outline(&adf_shape(md), Format::Markdown),
            &outline(&back, Format::Markdown),
        )
    });
}

#[test]
fn markdown_through_storage_keeps_every_construct() {
    for opts in [Options::default(), Options::server()] {
        check("markdown", 100, |name, md| {
            let back = via(md, Format::Storage, &opts);
            diff(
                name,
                "md→storage→md",
                &outline(md, Format::Markdown),
                &outline(&back, Format::Markdown),
            )
        });
    }
}

#[test]
fn markdown_output_is_a_fixed_point() {
    check("markdown", 100, |name, md| {
        let once =
            convert::convert(md, Format::Markdown, Format::Markdown, &Options::default()).unwrap();
        let twice = convert::convert(
            &once,
            Format::Markdown,
            Format::Markdown,
            &Options::default(),
        )
        .unwrap();
        diff(name, "md→md→md", &once, &twice).or_else(|| {
            diff(
                name,
                "md→md",
                &outline(md, Format::Markdown),
                &outline(&once, Format::Markdown),
            )
        })
    });
}

#[test]
fn wiki_samples_read_the_same_through_markdown() {
    check("wiki", 50, |name, wiki| {
        let md = convert::wiki_to_markdown(wiki);
        let again = convert::markdown_to_wiki(&md, &Options::default());
        diff(
            name,
            "wiki→md",
            &outline(wiki, Format::Wiki),
            &outline(&md, Format::Markdown),
        )
        .or_else(|| {
            diff(
                name,
                "wiki→md→wiki",
                &outline(wiki, Format::Wiki),
                &outline(&again, Format::Wiki),
            )
        })
    });
}

#[test]
fn storage_samples_read_the_same_through_markdown() {
    check("storage", 50, |name, xml| {
        let md = convert::storage_to_markdown(xml);
        let again = convert::markdown_to_storage(&md, &Options::default());
        diff(
            name,
            "storage→md",
            &outline(xml, Format::Storage),
            &outline(&md, Format::Markdown),
        )
        .or_else(|| {
            diff(
                name,
                "storage→md→storage",
                &outline(xml, Format::Storage),
                &outline(&again, Format::Storage),
            )
        })
    });
}

#[test]
fn every_sample_converts_to_every_format() {
    for (kind, format) in [
        ("markdown", Format::Markdown),
        ("wiki", Format::Wiki),
        ("storage", Format::Storage),
    ] {
        for (name, text) in corpus(kind) {
            for to in Format::ALL {
                let out = convert::convert(&text, format, to, &Options::default()).unwrap();
                assert!(!out.trim().is_empty(), "{kind}/{name} → {to:?} is empty");
            }
        }
    }
}

//! The round-trip property the corpus tests and the fuzz targets check: Markdown → format →
//! Markdown keeps the structure of the document ([`structure`](super::structure), read by
//! pulldown-cmark), except for what the format cannot hold. Each such limit is a function (in
//! `roundtrip/limits.rs`) that turns the source document into what the format keeps; `fixtures/convert/DIFFERENCES.md`
//! lists them ("Round-trip limits"). A second pass is a fixed point: format → Markdown → format
//! gives the same document.

use super::ast::{Block, Inline, Marks, merge_text};
use super::md_text::link_bare_urls;
use super::{Flavor, Format, Options, parse, render, structure::structure};

mod limits;
pub use limits::limits;
use limits::map_inlines;

/// A conversion path: the format and the deployment its writer targets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Path {
    Adf,
    Wiki(Flavor),
    Storage(Flavor),
}

impl Path {
    pub const ALL: [Path; 5] = [
        Path::Adf,
        Path::Wiki(Flavor::Cloud),
        Path::Wiki(Flavor::Server),
        Path::Storage(Flavor::Cloud),
        Path::Storage(Flavor::Server),
    ];

    pub fn format(self) -> Format {
        match self {
            Path::Adf => Format::Adf,
            Path::Wiki(_) => Format::Wiki,
            Path::Storage(_) => Format::Storage,
        }
    }

    fn options(self) -> Options {
        match self {
            Path::Wiki(Flavor::Server) | Path::Storage(Flavor::Server) => Options::server(),
            _ => Options::default(),
        }
    }
}

fn markdown(doc: &[Block]) -> String {
    render(doc, Format::Markdown, &Options::default())
}

fn first_difference(what: &str, want: &str, got: &str) -> String {
    let (a, b): (Vec<&str>, Vec<&str>) = (want.lines().collect(), got.lines().collect());
    let i = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    format!(
        "{what}: line {}\n  want: {}\n  got:  {}",
        i + 1,
        a.get(i).unwrap_or(&"<end>"),
        b.get(i).unwrap_or(&"<end>")
    )
}

/// Markdown → document model → Markdown keeps the structure pulldown-cmark reads in `md`.
pub fn check_markdown(md: &str) -> Result<(), String> {
    let doc = parse(md, Format::Markdown).map_err(|e| e.to_string())?;
    let (want, got) = (structure(md), structure(&markdown(&doc)));
    if want != got {
        return Err(first_difference("markdown → markdown", &want, &got));
    }
    Ok(())
}

/// Markdown → `path` → Markdown keeps the structure of `md` as the format can hold it, and
/// the format written from the Markdown read back is the same document again (the same text,
/// or text read as the same document model).
pub fn check(md: &str, path: Path) -> Result<(), String> {
    let (format, opts) = (path.format(), path.options());
    let doc = parse(md, Format::Markdown).map_err(|e| e.to_string())?;
    if nesting(&doc) > CHECKED_DEPTH {
        return Ok(());
    }
    let there = render(&doc, format, &opts);
    let back = parse(&there, format).map_err(|e| format!("{path:?}: {e}"))?;
    let back_md = markdown(&back);
    let want = structure(&markdown(&limits(doc, path)));
    let got = structure(&back_md);
    if want != got {
        return Err(first_difference(
            &format!("markdown → {path:?} → markdown"),
            &want,
            &got,
        ));
    }
    let again = render(
        &parse(&back_md, Format::Markdown).map_err(|e| e.to_string())?,
        format,
        &opts,
    );
    // The same document: the same text, or text the reader reads as the same document (white
    // space that storage XHTML collapses, for one; a space just inside a mark or just outside).
    let same = again == there
        || parse(&again, format).ok().map(canonical) == parse(&there, format).ok().map(canonical);
    if !same {
        return Err(first_difference(
            &format!("{path:?} → markdown → {path:?}"),
            &there,
            &again,
        ));
    }
    Ok(())
}

/// `doc` with the white space at the edges of marked text moved out of its marks (emphasis
/// around ` h` or around `h` after a space reads the same), runs of spaces as one, no white
/// space next to a line break, and bare URLs in plain text as links to themselves, for
/// comparing documents.
fn canonical(doc: Vec<Block>) -> Vec<Block> {
    let edges = |inl: Vec<Inline>| {
        let mut out = Vec::with_capacity(inl.len());
        for i in inl {
            match i {
                Inline::Text(t, m) if !m.code && !m.is_plain() => {
                    let core = t.trim();
                    let lead = &t[..t.len() - t.trim_start().len()];
                    let trail = &t[lead.len() + core.len()..];
                    let plain = || Marks {
                        link: m.link.clone(),
                        ..Marks::default()
                    };
                    if !lead.is_empty() {
                        out.push(Inline::Text(lead.to_owned(), plain()));
                    }
                    if !core.is_empty() {
                        out.push(Inline::Text(core.to_owned(), m.clone()));
                    }
                    if !trail.is_empty() {
                        out.push(Inline::Text(trail.to_owned(), plain()));
                    }
                }
                other => out.push(other),
            }
        }
        // Runs of spaces read as one (XHTML collapses them; a reader may keep a run between
        // two marked texts).
        let spaced: Vec<Inline> = merge_text(out)
            .into_iter()
            .map(|i| match i {
                Inline::Text(t, m) if !m.code => {
                    let mut one = String::with_capacity(t.len());
                    for c in t.chars() {
                        if !(c == ' ' && one.ends_with(' ')) {
                            one.push(c);
                        }
                    }
                    Inline::Text(one, m)
                }
                other => other,
            })
            .collect();
        // A bare URL in plain text links to itself, as the Markdown reader has it.
        let spaced = link_bare_urls(spaced);
        // White space next to a line break is not kept by Markdown (nor compared).
        let mut out: Vec<Inline> = Vec::with_capacity(spaced.len());
        for i in merge_text(spaced) {
            match i {
                Inline::Text(t, m) if !m.code && matches!(out.last(), Some(Inline::Break)) => {
                    let t = t.trim_start();
                    if !t.is_empty() {
                        out.push(Inline::Text(t.to_owned(), m));
                    }
                }
                Inline::Break => {
                    if let Some(Inline::Text(t, m)) = out.last_mut() {
                        if !m.code {
                            t.truncate(t.trim_end().len());
                            if t.is_empty() {
                                out.pop();
                            }
                        }
                    }
                    out.push(Inline::Break);
                }
                other => out.push(other),
            }
        }
        out
    };
    map_inlines(doc, &edges)
}

/// How deep the property is checked: each reader cuts nesting at `MAX_DEPTH` (a bound against
/// stack exhaustion), counting its own levels (an item, a cell, a macro body), so documents
/// nested deeper than this (none written by people) are converted but not compared.
pub const CHECKED_DEPTH: usize = 12;

/// Containers nested in `doc`: quotes, lists, panels, expands and tables, at the deepest point.
fn nesting(doc: &[Block]) -> usize {
    doc.iter()
        .map(|b| match b {
            Block::Quote(body) | Block::Panel { body, .. } | Block::Expand { body, .. } => {
                1 + nesting(body)
            }
            Block::List { items, .. } => {
                1 + items.iter().map(|i| nesting(&i.body)).max().unwrap_or(0)
            }
            Block::Table(rows) => {
                1 + rows
                    .iter()
                    .flatten()
                    .map(|c| nesting(&c.body))
                    .max()
                    .unwrap_or(0)
            }
            _ => 0,
        })
        .max()
        .unwrap_or(0)
}

//! The inline content of a Markdown block once read: runs with the same marks joined, bare URLs
//! in plain text linked (GFM autolink literals; escapes split a text into several events, so this
//! waits until the text is whole), white space at the edges trimmed.

use super::ast::{Block, Inline, Marks, merge_text, trim_inlines};
use super::plain_text::split_urls;

/// The inline content of a paragraph, heading, item or cell once read: runs with the same marks
/// joined, bare URLs (GFM autolink literals) in plain text linked, edges trimmed.
pub(super) fn finished(inl: Vec<Inline>) -> Vec<Inline> {
    trim_inlines(link_bare_urls(merge_text(inl)))
}

/// `inl` with each bare URL in text that is neither code nor a link made a link to itself.
pub(super) fn link_bare_urls(inl: Vec<Inline>) -> Vec<Inline> {
    let mut out = Vec::with_capacity(inl.len());
    for i in inl {
        match i {
            Inline::Text(t, m) if m.link.is_none() && !m.code && t.contains("://") => {
                for (piece, url) in split_urls(&t) {
                    let link = url.then(|| piece.to_owned());
                    out.push(Inline::Text(piece.to_owned(), Marks { link, ..m.clone() }));
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// Ends the inline content read so far as a paragraph of `body` (when it holds anything).
pub(super) fn flush_inline(inl: &mut Vec<Inline>, body: &mut Vec<Block>) {
    let content = finished(std::mem::take(inl));
    if !content.is_empty() {
        body.push(Block::Para(content));
    }
}

//! Block content inside GFM table cells. A GFM cell holds one line of inline content, so the
//! Markdown writer puts lists there as inline HTML (`<ul><li>…</li></ul>`, which GitHub renders as
//! a list; task items start with `[ ]` or `[x]`) and several paragraphs as `<p>…</p>`, and the
//! reader rebuilds the blocks from those tags. Confluence tables often hold lists and paragraphs
//! (the meeting-notes template does), so they survive a round trip through Markdown instead of
//! becoming run-together text.

use super::ast::{Block, Inline, Item, MAX_DEPTH, Marks};

/// Reader side: the blocks of one cell, built as list tags arrive. The caller collects the inline
/// content between tags and hands it over with each tag.
#[derive(Default)]
pub struct CellBody {
    blocks: Vec<Block>,
    levels: Vec<Level>,
}

struct Level {
    ordered: bool,
    start: u64,
    items: Vec<Item>,
    open: Option<Vec<Block>>,
}

impl CellBody {
    /// Applies `html` if it is a list tag, with `inl` the inline content read since the last
    /// tag; returns false (and changes nothing) for any other tag.
    pub fn tag(&mut self, html: &str, inl: &mut Vec<Inline>) -> bool {
        let lower = html.trim().to_ascii_lowercase();
        let closing = lower.starts_with("</");
        let name: String = lower
            .trim_start_matches(['<', '/'])
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect();
        match (name.as_str(), closing) {
            ("ul" | "ol", false) => {
                self.flush(inl);
                if self.levels.len() < MAX_DEPTH {
                    self.levels.push(Level {
                        ordered: name == "ol",
                        start: start_attr(&lower),
                        items: Vec::new(),
                        open: None,
                    });
                }
            }
            ("li", false) if !self.levels.is_empty() => {
                self.end_item(inl);
                if let Some(l) = self.levels.last_mut() {
                    l.open = Some(Vec::new());
                }
            }
            ("li", true) if !self.levels.is_empty() => self.end_item(inl),
            ("p", _) => self.flush(inl),
            ("ul" | "ol", true) if !self.levels.is_empty() => self.end_list(inl),
            _ => return false,
        }
        true
    }

    /// The cell's blocks, with lists left open closed and the trailing inline content added.
    pub fn finish(mut self, mut inl: Vec<Inline>) -> Vec<Block> {
        while !self.levels.is_empty() {
            self.end_list(&mut inl);
        }
        self.flush(&mut inl);
        self.blocks
    }

    fn flush(&mut self, inl: &mut Vec<Inline>) {
        let content = super::md_text::finished(std::mem::take(inl));
        if !content.is_empty() {
            self.push(Block::Para(content));
        }
    }

    fn push(&mut self, b: Block) {
        match self.levels.last_mut() {
            Some(Level {
                open: Some(body), ..
            }) => body.push(b),
            // Content between `<ul>` and `<li>`: an item of its own.
            Some(l) => l.open = Some(vec![b]),
            None => self.blocks.push(b),
        }
    }

    fn end_item(&mut self, inl: &mut Vec<Inline>) {
        self.flush(inl);
        if let Some(l) = self.levels.last_mut() {
            if let Some(body) = l.open.take() {
                l.items.push(item(body));
            }
        }
    }

    fn end_list(&mut self, inl: &mut Vec<Inline>) {
        self.end_item(inl);
        if let Some(l) = self.levels.pop() {
            if !l.items.is_empty() {
                self.push(Block::List {
                    ordered: l.ordered,
                    start: l.start,
                    items: l.items,
                });
            }
        }
    }
}

fn start_attr(tag: &str) -> u64 {
    tag.split("start=")
        .nth(1)
        .map(|v| {
            v.trim_start_matches(['"', '\''])
                .chars()
                .take_while(char::is_ascii_digit)
                .collect::<String>()
        })
        .and_then(|n| n.parse().ok())
        .unwrap_or(1)
}

/// An item whose text starts with `[ ]` or `[x]` is a task.
fn item(mut body: Vec<Block>) -> Item {
    let mut task = None;
    if let Some(Block::Para(inl)) = body.first_mut() {
        if let Some(Inline::Text(t, m)) = inl.first_mut() {
            let markers = [("[ ] ", false), ("[x] ", true), ("[X] ", true)];
            if let Some((marker, done)) = markers.iter().find(|(k, _)| t.starts_with(k)) {
                if m.is_plain() {
                    task = Some(*done);
                    t.drain(..marker.len());
                }
            }
        }
        if inl
            .first()
            .is_some_and(|i| matches!(i, Inline::Text(t, _) if t.is_empty()))
        {
            inl.remove(0);
        }
    }
    Item { task, body }
}

/// Writer side: the blocks of a cell (or of a list item in a cell) on one line, inline content
/// written by `inline`. A lone paragraph is written as it is; several are wrapped in `<p>`; other
/// blocks (code, quotes, tables) give their plain text.
pub fn cell_html(body: &[Block], inline: &dyn Fn(&[Inline]) -> String, out: &mut String) {
    let texts = body
        .iter()
        .filter(|b| !matches!(b, Block::List { .. }))
        .count();
    for b in body {
        let text = match b {
            Block::List {
                ordered,
                start,
                items,
            } => {
                list_html(*ordered, *start, items, inline, out);
                continue;
            }
            Block::Para(inl) | Block::Heading(_, inl) => inline(inl),
            other => {
                // A cell is one line: the block's lines (a code block's, say) become `<br>`s.
                let text = super::ast::blocks_text(std::slice::from_ref(other));
                let mut lines = Vec::new();
                for (i, line) in text
                    .trim_end()
                    .trim_start_matches('\n')
                    .split('\n')
                    .enumerate()
                {
                    if i > 0 {
                        lines.push(Inline::Break);
                    }
                    lines.push(Inline::Text(line.to_owned(), Marks::default()));
                }
                inline(&lines)
            }
        };
        if text.is_empty() {
            continue;
        }
        if texts > 1 {
            out.push_str("<p>");
            out.push_str(&text);
            out.push_str("</p>");
        } else {
            out.push_str(&text);
        }
    }
}

fn list_html(
    ordered: bool,
    start: u64,
    items: &[Item],
    inline: &dyn Fn(&[Inline]) -> String,
    out: &mut String,
) {
    let tag = if ordered { "ol" } else { "ul" };
    out.push('<');
    out.push_str(tag);
    if ordered && start != 1 {
        out.push_str(&format!(" start=\"{start}\""));
    }
    out.push('>');
    for it in items {
        out.push_str("<li>");
        match it.task {
            Some(true) => out.push_str("[x] "),
            Some(false) => out.push_str("[ ] "),
            None => {}
        }
        cell_html(&it.body, inline, out);
        out.push_str("</li>");
    }
    out.push_str("</");
    out.push_str(tag);
    out.push('>');
}

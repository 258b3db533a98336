//! Closing an element of the storage walker: what each finished frame gives its parent (blocks,
//! list items, table cells, links, mentions) and how macros are read, unknown ones included.

use super::{Frame, Kind, Target, Walker, flush, item_of};
use crate::convert::ast::{Block, Cell, Inline, Item, Marks, PanelKind, merge_text, trim_inlines};
use crate::convert::entities::collapse;
use crate::convert::from_wiki::kind_for_color;
use crate::convert::to_storage::{BLOG_SCHEME, PAGE_SCHEME, SPACE_SCHEME};

impl Walker {
    pub(super) fn close(&mut self) {
        let Some(mut f) = self.stack.pop() else {
            return;
        };
        if matches!(
            f.kind,
            Kind::Quote | Kind::List { .. } | Kind::Item(_) | Kind::Table(_) | Kind::Macro { .. }
        ) {
            self.depth = self.depth.saturating_sub(1);
        }
        match f.kind {
            Kind::Root => self.stack.push(f),
            Kind::Transparent | Kind::Ignore | Kind::PlainBody => {
                if matches!(f.kind, Kind::PlainBody) {
                    if let Some(Frame {
                        kind: Kind::Macro { .. },
                        text,
                        ..
                    }) = self.stack.last_mut()
                    {
                        text.push_str(&f.text);
                    }
                }
                flush(&mut f.inl, &mut f.blocks);
                for b in f.blocks {
                    self.block(b);
                }
            }
            Kind::Mark(k) => self.marks[k] = self.marks[k].saturating_sub(1),
            Kind::Anchor => {
                self.links.pop();
            }
            Kind::Para => {
                let inl = trim_inlines(merge_text(f.inl));
                if !inl.is_empty() {
                    self.block(Block::Para(inl));
                }
            }
            Kind::Heading(level) => {
                self.block(Block::Heading(level, trim_inlines(merge_text(f.inl))))
            }
            Kind::Quote => {
                flush(&mut f.inl, &mut f.blocks);
                self.block(Block::Quote(f.blocks));
            }
            Kind::List { ordered, start } => {
                let items: Vec<Item> = f.blocks.into_iter().map(item_of).collect();
                if !items.is_empty() {
                    self.block(Block::List {
                        ordered,
                        start,
                        items,
                    });
                }
            }
            Kind::Item(task) => {
                flush(&mut f.inl, &mut f.blocks);
                let item = Block::List {
                    ordered: false,
                    start: u64::MAX,
                    items: vec![Item {
                        task,
                        body: f.blocks,
                    }],
                };
                match self.stack.last_mut() {
                    Some(Frame {
                        kind: Kind::List { .. },
                        blocks,
                        ..
                    }) => blocks.push(item),
                    _ => {
                        if let Block::List { items, .. } = item {
                            for b in items.into_iter().flat_map(|i| i.body) {
                                self.block(b);
                            }
                        }
                    }
                }
            }
            Kind::TaskStatus => {
                if let Some(Frame {
                    kind: Kind::Item(task),
                    ..
                }) = self
                    .stack
                    .iter_mut()
                    .rev()
                    .find(|f| matches!(f.kind, Kind::Item(_)))
                {
                    *task = Some(f.text.trim() == "complete");
                }
            }
            Kind::Table(spans) => {
                let rows: Vec<Vec<Cell>> = f
                    .blocks
                    .into_iter()
                    .filter_map(|b| match b {
                        Block::Table(mut r) if r.len() == 1 => r.pop(),
                        _ => None,
                    })
                    .collect();
                if !rows.is_empty() {
                    self.block(Block::Table(fill_row_spans(rows, spans)));
                }
            }
            Kind::Row(spans) => {
                let cells: Vec<Cell> = f
                    .blocks
                    .into_iter()
                    .filter_map(|b| match b {
                        Block::Table(mut r) => r.pop().and_then(|mut c| c.pop()),
                        _ => None,
                    })
                    .collect();
                if let Some(t) = self
                    .stack
                    .iter_mut()
                    .rev()
                    .find(|f| matches!(f.kind, Kind::Table(_)))
                {
                    t.blocks.push(Block::Table(vec![cells]));
                    if let Kind::Table(rows) = &mut t.kind {
                        rows.push(spans);
                    }
                }
            }
            Kind::Cell(header, cols, rows) => {
                flush(&mut f.inl, &mut f.blocks);
                let cell = Cell {
                    header,
                    body: f.blocks,
                };
                if let Some(r) = self
                    .stack
                    .iter_mut()
                    .rev()
                    .find(|f| matches!(f.kind, Kind::Row(_)))
                {
                    // A cell spanning columns is followed by empty cells, so the grid stays
                    // aligned in formats without spans (Markdown, wiki).
                    r.blocks.push(Block::Table(vec![vec![cell]]));
                    for _ in 1..cols {
                        let empty = Cell {
                            header,
                            body: Vec::new(),
                        };
                        r.blocks.push(Block::Table(vec![vec![empty]]));
                    }
                    if let Kind::Row(spans) = &mut r.kind {
                        spans.extend(std::iter::repeat_n(rows, cols));
                    }
                }
            }
            Kind::Pre => {
                let text = f.text.strip_suffix('\n').unwrap_or(&f.text).to_owned();
                self.block(Block::Code { lang: None, text });
            }
            Kind::Param(name) => {
                if let Some(Frame {
                    kind: Kind::Macro { params, .. },
                    ..
                }) = self.stack.last_mut()
                {
                    params.push((name, f.text.trim().to_owned()));
                }
            }
            Kind::Macro { name, params } => {
                flush(&mut f.inl, &mut f.blocks);
                self.finish_macro(&name, &params, f.blocks, f.text);
            }
            Kind::Link {
                target,
                label,
                anchor,
            } => self.finish_link(target, label, anchor, f.inl),
            Kind::Image { src, alt } => {
                if !src.is_empty() {
                    self.inline(Inline::Image { src, alt });
                }
            }
        }
    }

    /// A finished `ac:link`: a mention, or text linking to a page, blog post, space, file, URL
    /// or anchor. A link body with its own formatting (`<ac:link-body>a <em>b</em></ac:link-body>`)
    /// keeps it.
    fn finish_link(
        &mut self,
        target: Target,
        label: String,
        anchor: Option<String>,
        runs: Vec<Inline>,
    ) {
        let marks = self.current_marks();
        // White space at the edges of a link body is kept, outside the link.
        let shown = if runs.is_empty() {
            label.clone()
        } else {
            crate::convert::ast::inline_text(&runs)
        };
        let space = |on: bool| on.then(|| Inline::Text(" ".into(), marks.clone()));
        let (lead, trail) = (
            space(shown.starts_with(char::is_whitespace)),
            space(shown.ends_with(char::is_whitespace) && !shown.trim().is_empty()),
        );
        if let Some(l) = lead {
            self.inline(l);
        }
        self.finish_link_body(target, label, anchor, runs, marks);
        if let Some(t) = trail {
            self.inline(t);
        }
    }

    fn finish_link_body(
        &mut self,
        target: Target,
        label: String,
        anchor: Option<String>,
        runs: Vec<Inline>,
        marks: Marks,
    ) {
        let label = collapse(label.trim());
        let formatted = runs
            .iter()
            .any(|r| matches!(r, Inline::Text(t, m) if *m != marks && !t.trim().is_empty()));
        let target = match (target, anchor) {
            (Target::None, Some(a)) => Target::Url(format!("#{a}")),
            (t, _) => t,
        };
        let href = match &target {
            Target::Page(space, title) => Some(match space {
                Some(s) if !s.is_empty() => format!("{PAGE_SCHEME}{s}:{title}"),
                _ => format!("{PAGE_SCHEME}{title}"),
            }),
            Target::Blog(space, day, title) => Some(match space {
                Some(s) if !s.is_empty() => format!("{BLOG_SCHEME}{s}:{day}:{title}"),
                _ => format!("{BLOG_SCHEME}{day}:{title}"),
            }),
            Target::Space(key) => Some(format!("{SPACE_SCHEME}{key}")),
            Target::File(name) | Target::Url(name) => Some(name.clone()),
            Target::User(_) | Target::None => None,
        };
        if let (Some(href), true) = (&href, formatted) {
            let runs = trim_inlines(merge_text(runs));
            for r in runs {
                self.inline(match r {
                    Inline::Text(t, m) => Inline::Text(
                        t,
                        Marks {
                            link: Some(href.clone()),
                            ..m
                        },
                    ),
                    other => other,
                });
            }
            return;
        }
        let text = |t: String, href: String| {
            Inline::Text(
                t,
                Marks {
                    link: Some(href),
                    ..marks.clone()
                },
            )
        };
        let href = href.unwrap_or_default();
        let node = match target {
            Target::User(id) => Inline::Mention {
                id,
                name: (!label.is_empty()).then(|| label.trim_start_matches('@').to_owned()),
            },
            Target::Page(_, title) | Target::Blog(_, _, title) | Target::Space(title) => {
                let shown = if label.is_empty() { title } else { label };
                text(shown, href)
            }
            Target::File(name) | Target::Url(name) => {
                let shown = if label.is_empty() { name } else { label };
                text(shown, href)
            }
            Target::None => Inline::Text(label, marks.clone()),
        };
        self.inline(node);
    }

    fn finish_macro(
        &mut self,
        name: &str,
        params: &[(String, String)],
        body: Vec<Block>,
        text: String,
    ) {
        let param = |k: &str| {
            params
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(k))
                .map(|(_, v)| v.clone())
                .filter(|v| !v.is_empty())
        };
        let panel = |kind| Block::Panel {
            kind,
            title: param("title"),
            body: body.clone(),
        };
        match name {
            "code" | "noformat" | "code-block" => {
                let lang = param("language").or_else(|| param("lang"));
                let text = text.strip_prefix('\n').unwrap_or(&text);
                self.block(Block::Code {
                    lang,
                    text: text.strip_suffix('\n').unwrap_or(text).to_owned(),
                });
            }
            "info" => self.block(panel(PanelKind::Info)),
            "tip" => self.block(panel(PanelKind::Tip)),
            "note" => self.block(panel(PanelKind::Warning)),
            "warning" => self.block(panel(PanelKind::Error)),
            "panel" => {
                let kind = param("bgColor").map_or(PanelKind::Plain, |c| kind_for_color(&c));
                self.block(panel(kind));
            }
            "expand" => self.block(Block::Expand {
                title: param("title").unwrap_or_default(),
                body,
            }),
            "status" => self.inline(Inline::Status {
                text: param("title").unwrap_or_default(),
                color: param("colour")
                    .or_else(|| param("color"))
                    .unwrap_or_default(),
            }),
            "jira" => {
                let key = param("key").unwrap_or_else(|| "Jira issues".to_owned());
                self.inline(Inline::Text(key, self.current_marks()));
            }
            "anchor" => {}
            "adf:panel" => {
                let kind = match param("panel-type").as_deref() {
                    Some("note") => PanelKind::Note,
                    Some("tip") => PanelKind::Tip,
                    Some("warning") => PanelKind::Warning,
                    Some("error") => PanelKind::Error,
                    Some("success") => PanelKind::Success,
                    _ => PanelKind::Info,
                };
                self.block(Block::Panel {
                    kind,
                    title: None,
                    body,
                });
            }
            // Decisions read as done tasks, as they do from ADF.
            "adf:decision-list" | "adf:task-list" => {
                let items: Vec<Item> = body.into_iter().map(item_of).collect();
                if !items.is_empty() {
                    self.block(Block::List {
                        ordered: false,
                        start: 1,
                        items,
                    });
                }
            }
            "adf:decision-item" | "adf:task-item" => {
                let state = param("state").unwrap_or_default();
                self.block(Block::List {
                    ordered: false,
                    start: u64::MAX,
                    items: vec![Item {
                        task: Some(state == "DECIDED" || state == "DONE"),
                        body,
                    }],
                });
            }
            _ if name.starts_with("adf:") => {
                for b in body {
                    self.block(b);
                }
            }
            _ => {
                let label = if name.is_empty() {
                    "unnamed".to_owned()
                } else {
                    name.to_owned()
                };
                self.inline(Inline::Text(
                    format!("[{label} macro]"),
                    Marks {
                        em: true,
                        ..Marks::default()
                    },
                ));
                if !body.is_empty() {
                    for b in body {
                        self.block(b);
                    }
                } else if !text.trim().is_empty() {
                    self.block(Block::Code {
                        lang: None,
                        text: text.trim_matches('\n').to_owned(),
                    });
                }
            }
        }
    }
}

/// The character for a classic Confluence emoticon name (`<ac:emoticon ac:name="tick"/>`),
/// which storage written by Server/DC and older pages carries without an emoji fallback.
pub(super) fn emoticon(name: &str) -> Option<String> {
    let c = match name {
        "smile" => "🙂",
        "sad" => "🙁",
        "cheeky" => "😛",
        "laugh" => "😀",
        "wink" => "😉",
        "thumbs-up" => "👍",
        "thumbs-down" => "👎",
        "information" => "ℹ️",
        "tick" => "✅",
        "cross" => "❌",
        "warning" => "⚠️",
        "plus" => "➕",
        "minus" => "➖",
        "question" => "❓",
        "light-on" | "light-off" => "💡",
        "yellow-star" | "red-star" | "green-star" | "blue-star" => "⭐",
        "heart" => "❤️",
        "broken-heart" => "💔",
        _ => return None,
    };
    Some(c.to_owned())
}

/// Inserts an empty cell wherever a cell of an earlier row spans down (`rowspan`), so that every
/// row has its cells in the right columns, and makes the rows equally long.
fn fill_row_spans(rows: Vec<Vec<Cell>>, spans: Vec<Vec<usize>>) -> Vec<Vec<Cell>> {
    // Per column: rows still covered by a cell above, and whether that cell is a header.
    let mut below: Vec<(usize, bool)> = Vec::new();
    let mut out = Vec::with_capacity(rows.len());
    for (cells, row_spans) in rows.into_iter().zip(spans) {
        let mut cells = cells.into_iter().zip(row_spans).peekable();
        let mut row = Vec::new();
        let mut col = 0;
        while cells.peek().is_some() || below[col.min(below.len())..].iter().any(|b| b.0 > 0) {
            if below.len() <= col {
                below.resize(col + 1, (0, false));
            }
            if below[col].0 > 0 {
                below[col].0 -= 1;
                row.push(Cell {
                    header: below[col].1,
                    body: Vec::new(),
                });
            } else if let Some((cell, span)) = cells.next() {
                below[col] = (span - 1, cell.header);
                row.push(cell);
            } else {
                row.push(Cell {
                    header: false,
                    body: Vec::new(),
                });
            }
            col += 1;
        }
        out.push(row);
    }
    // Rows with cells missing at the end are filled up to the widest row.
    let width = out.iter().map(Vec::len).max().unwrap_or(0);
    for row in &mut out {
        let header = row.iter().all(|c| c.header);
        row.resize_with(width, || Cell {
            header,
            body: Vec::new(),
        });
    }
    out
}

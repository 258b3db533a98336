//! Closing an element of the storage walker: what each finished frame gives its parent (blocks,
//! list items, table cells, links, mentions) and how macros are read, unknown ones included.

use super::{Frame, Kind, Target, Walker, flush, item_of};
use crate::convert::ast::{Block, Cell, Inline, Item, Marks, PanelKind, merge_text, trim_inlines};
use crate::convert::entities::collapse;
use crate::convert::from_wiki::kind_for_color;
use crate::convert::to_storage::PAGE_SCHEME;

impl Walker {
    pub(super) fn close(&mut self) {
        let Some(mut f) = self.stack.pop() else {
            return;
        };
        if matches!(
            f.kind,
            Kind::Quote | Kind::List { .. } | Kind::Item(_) | Kind::Table | Kind::Macro { .. }
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
            Kind::Table => {
                let rows: Vec<Vec<Cell>> = f
                    .blocks
                    .into_iter()
                    .filter_map(|b| match b {
                        Block::Table(mut r) if r.len() == 1 => r.pop(),
                        _ => None,
                    })
                    .collect();
                if !rows.is_empty() {
                    self.block(Block::Table(rows));
                }
            }
            Kind::Row => {
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
                    .find(|f| matches!(f.kind, Kind::Table))
                {
                    t.blocks.push(Block::Table(vec![cells]));
                }
            }
            Kind::Cell(header) => {
                flush(&mut f.inl, &mut f.blocks);
                let cell = Cell {
                    header,
                    body: f.blocks,
                };
                if let Some(r) = self
                    .stack
                    .iter_mut()
                    .rev()
                    .find(|f| matches!(f.kind, Kind::Row))
                {
                    r.blocks.push(Block::Table(vec![vec![cell]]));
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
            Kind::Link { target, label } => self.finish_link(target, label),
            Kind::Image { src, alt } => {
                if !src.is_empty() {
                    self.inline(Inline::Image { src, alt });
                }
            }
        }
    }

    fn finish_link(&mut self, target: Target, label: String) {
        let label = collapse(label.trim());
        let marks = self.current_marks();
        let text = |t: String, href: String| {
            Inline::Text(
                t,
                Marks {
                    link: Some(href),
                    ..marks.clone()
                },
            )
        };
        let node = match target {
            Target::User(id) => Inline::Mention {
                id,
                name: (!label.is_empty()).then(|| label.trim_start_matches('@').to_owned()),
            },
            Target::Page(space, title) => {
                let href = match &space {
                    Some(s) if !s.is_empty() => format!("{PAGE_SCHEME}{s}:{title}"),
                    _ => format!("{PAGE_SCHEME}{title}"),
                };
                let shown = if label.is_empty() { title } else { label };
                text(shown, href)
            }
            Target::File(name) | Target::Url(name) => {
                let shown = if label.is_empty() {
                    name.clone()
                } else {
                    label
                };
                text(shown, name)
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

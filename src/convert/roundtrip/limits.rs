//! The round-trip limits: for each path, the source document turned into what the format can
//! hold (`fixtures/convert/DIFFERENCES.md`, "Round-trip limits", lists each with its reason).

use super::super::ast::{
    Block, Cell, Inline, Item, Marks, blocks_text, flatten, merge_text, task_runs,
};
use super::super::lang::jira_language;
use super::super::to_adf::{Parent, allowed};
use super::super::wiki_escape::{wiki_alt, wiki_href, wiki_src, wiki_user};
use super::Path;

/// The document as `path` can hold it.
pub fn limits(doc: Vec<Block>, path: Path) -> Vec<Block> {
    match path {
        Path::Adf => adf_blocks(split_task_runs(doc), Parent::Doc),
        Path::Wiki(_) => wiki_blocks(map_inlines(doc, &wiki_inlines), true),
        Path::Storage(_) => {
            split_task_runs(map_inlines(doc, &|inl| collapse_code(mention_ids(inl))))
        }
    }
}

/// Every inline sequence of `doc` (paragraphs, headings) passed through `f`.
/// Every cell of a table with its content passed through `f`.
fn cells(rows: Vec<Vec<Cell>>, f: impl Fn(Vec<Block>) -> Vec<Block>) -> Vec<Vec<Cell>> {
    rows.into_iter()
        .map(|row| {
            row.into_iter()
                .map(|c| Cell {
                    header: c.header,
                    body: f(c.body),
                })
                .collect()
        })
        .collect()
}

pub(super) fn map_inlines(doc: Vec<Block>, f: &dyn Fn(Vec<Inline>) -> Vec<Inline>) -> Vec<Block> {
    doc.into_iter()
        .map(|b| match b {
            Block::Para(inl) => Block::Para(f(inl)),
            Block::Code { lang, text } => {
                // The code text as a text run, so that `f` sees it too.
                let mut t = f(vec![Inline::Text(text, Marks::default())]);
                let text = match t.pop() {
                    Some(Inline::Text(t, _)) => t,
                    _ => String::new(),
                };
                Block::Code { lang, text }
            }
            Block::Heading(l, inl) => Block::Heading(l, f(inl)),
            Block::Quote(body) => Block::Quote(map_inlines(body, f)),
            Block::List {
                ordered,
                start,
                items,
            } => Block::List {
                ordered,
                start,
                items: items
                    .into_iter()
                    .map(|i| Item {
                        task: i.task,
                        body: map_inlines(i.body, f),
                    })
                    .collect(),
            },
            Block::Table(rows) => Block::Table(cells(rows, |b| map_inlines(b, f))),
            Block::Panel { kind, title, body } => Block::Panel {
                kind,
                title,
                body: map_inlines(body, f),
            },
            Block::Expand { title, body } => Block::Expand {
                title,
                body: map_inlines(body, f),
            },
            other => other,
        })
        .collect()
}

/// Wiki markup and storage name a user by id only: a mention's display name is not kept.
fn mention_ids(inl: Vec<Inline>) -> Vec<Inline> {
    inl.into_iter()
        .map(|i| match i {
            Inline::Mention { id, .. } => Inline::Mention { id, name: None },
            other => other,
        })
        .collect()
}

/// Storage: inline code is HTML `<code>`, where runs of white space are one space.
fn collapse_code(inl: Vec<Inline>) -> Vec<Inline> {
    inl.into_iter()
        .map(|i| match i {
            Inline::Text(t, m) if m.code => {
                let mut out = String::with_capacity(t.len());
                for c in t.chars() {
                    let ws = c == ' ' || c == '\t' || c == '\n';
                    if !(ws && out.ends_with(' ')) {
                        out.push(if ws { ' ' } else { c });
                    }
                }
                Inline::Text(out, m)
            }
            other => other,
        })
        .collect()
}

/// Wiki inline limits: mentions by id; link targets and image sources as `wiki_href` and
/// `wiki_src` write them, alt text as `wiki_alt` does; inline code of white space alone is plain.
fn wiki_inlines(inl: Vec<Inline>) -> Vec<Inline> {
    mention_ids(inl)
        .into_iter()
        .map(|i| match i {
            Inline::Mention { id, name } => Inline::Mention {
                id: wiki_user(&id),
                name,
            },
            Inline::Text(t, mut m) => {
                m.link = m.link.map(|l| wiki_href(&l)).filter(|l| !l.is_empty());
                // `{{ }}` is not monospace: white space alone is plain.
                m.code &= !t.trim().is_empty();
                Inline::Text(t, m)
            }
            Inline::Card(url) => Inline::Card(wiki_href(&url)),
            Inline::Image { src, alt } => Inline::Image {
                src: wiki_src(&src),
                alt: wiki_alt(&alt),
            },
            other => other,
        })
        .collect()
}

/// ADF and storage keep task lists apart from other lists: a list mixing task items and plain
/// items becomes consecutive lists.
fn split_task_runs(doc: Vec<Block>) -> Vec<Block> {
    let mut out = Vec::new();
    for b in doc {
        match b {
            Block::List {
                ordered,
                start,
                items,
            } => {
                let items: Vec<Item> = items
                    .into_iter()
                    .map(|i| Item {
                        task: i.task,
                        body: split_task_runs(i.body),
                    })
                    .collect();
                for (tasks, run) in task_runs(&items) {
                    out.push(Block::List {
                        ordered: ordered && !tasks,
                        start,
                        items: run.to_vec(),
                    });
                }
            }
            Block::Quote(body) => out.push(Block::Quote(split_task_runs(body))),
            Block::Panel { kind, title, body } => out.push(Block::Panel {
                kind,
                title,
                body: split_task_runs(body),
            }),
            Block::Expand { title, body } => out.push(Block::Expand {
                title,
                body: split_task_runs(body),
            }),
            Block::Table(rows) => out.push(Block::Table(cells(rows, split_task_runs))),
            other => out.push(other),
        }
    }
    out
}

/// Jira wiki markup: code languages are Jira's (`ts` is `javascript`, `rust` none), ordered
/// lists start at 1, there is no expand (its title is a bold line before its content), quotes
/// do not nest, a list item is one line of text followed by nested lists and code blocks (its
/// other blocks become lines of that text), and a table cell is one line of text.
fn wiki_blocks(doc: Vec<Block>, quote_ok: bool) -> Vec<Block> {
    let mut out = Vec::new();
    for b in doc {
        match b {
            Block::Code { lang, text } => out.push(Block::Code {
                lang: lang.as_deref().and_then(jira_language).map(str::to_owned),
                text,
            }),
            Block::Heading(l, inl) => out.push(Block::Heading(
                l,
                inl.into_iter()
                    .map(|i| match i {
                        Inline::Break => Inline::Text(" ".into(), Marks::default()),
                        other => other,
                    })
                    .collect(),
            )),
            Block::Expand { title, body } => {
                let mut flat = Vec::new();
                flatten(Block::Expand { title, body }, &mut flat);
                out.extend(wiki_blocks(flat, quote_ok));
            }
            Block::Quote(body) if !quote_ok => out.extend(wiki_blocks(body, false)),
            Block::Quote(body) => out.push(Block::Quote(wiki_blocks(body, false))),
            Block::Panel { kind, title, body } => out.push(Block::Panel {
                kind,
                title,
                body: wiki_blocks(body, quote_ok),
            }),
            Block::List { ordered, items, .. } => out.push(Block::List {
                ordered,
                start: 1,
                items: items.into_iter().map(wiki_item).collect(),
            }),
            Block::Table(rows) => out.push(Block::Table(cells(rows, |b| {
                one_line(wiki_blocks(b, false))
            }))),
            other => out.push(other),
        }
    }
    out
}

fn wiki_item(item: Item) -> Item {
    let mut flat = Vec::new();
    for b in wiki_blocks(item.body, false) {
        match b {
            Block::Para(_) | Block::List { .. } | Block::Code { .. } => flat.push(b),
            other => flatten(other, &mut flat),
        }
    }
    // Paragraphs in a row are one, with line breaks; a code block ends the line. What follows
    // a nested list is written after that list's last line, so it joins its deepest last item.
    let mut body: Vec<Block> = Vec::new();
    for b in flat {
        if matches!(body.last(), Some(Block::List { .. })) && !matches!(b, Block::List { .. }) {
            if let Some(Block::List { items, .. }) = body.last_mut() {
                if let Some(last) = items.last_mut() {
                    let mut joined = std::mem::take(&mut last.body);
                    joined.push(b);
                    *last = wiki_item(Item {
                        task: last.task,
                        body: joined,
                    });
                    continue;
                }
            }
        }
        match (b, body.last_mut()) {
            (Block::Para(inl), Some(Block::Para(prev))) => {
                prev.push(Inline::Break);
                prev.extend(inl);
            }
            // Nested lists of one kind in a row are one list: wiki has nothing between them.
            (
                Block::List {
                    ordered,
                    items: more,
                    ..
                },
                Some(Block::List {
                    ordered: o, items, ..
                }),
            ) if ordered == *o => items.extend(more),
            (b, _) => body.push(b),
        }
    }
    Item {
        task: item.task,
        body,
    }
}

/// Blocks as one line of text: paragraphs joined by line breaks, others as their plain text.
fn one_line(blocks: Vec<Block>) -> Vec<Block> {
    let mut inl: Vec<Inline> = Vec::new();
    for b in blocks {
        let content = match b {
            Block::Para(i) | Block::Heading(_, i) => i,
            other => {
                let text = blocks_text(std::slice::from_ref(&other));
                vec![Inline::Text(text, Marks::default())]
            }
        };
        if content.is_empty() {
            continue;
        }
        if !inl.is_empty() {
            inl.push(Inline::Break);
        }
        inl.extend(content);
    }
    if inl.is_empty() {
        Vec::new()
    } else {
        vec![Block::Para(inl)]
    }
}

/// ADF: inline code carries no mark but a link (the `code` mark excludes the others), text both
/// subscript and superscript is superscript (one `subsup` mark), an image
/// splits its paragraph (media are blocks; in a heading it is a link to the image), a block the
/// schema does not allow where it stands (a quote, heading or rule in a list item or quote, a
/// table in a cell) gives its content to its parent as the writer does, and a task item holds
/// inline content only: other blocks in it become lines of its text.
fn adf_blocks(doc: Vec<Block>, parent: Parent) -> Vec<Block> {
    let mut out = Vec::new();
    for b in doc {
        if allowed(parent, &b) {
            adf_block(b, parent, &mut out);
            continue;
        }
        let mut flat = Vec::new();
        flatten(b, &mut flat);
        for f in flat {
            if allowed(parent, &f) {
                adf_block(f, parent, &mut out);
            } else {
                let text = blocks_text(std::slice::from_ref(&f));
                if !text.is_empty() {
                    out.push(Block::Para(vec![Inline::Text(text, Marks::default())]));
                }
            }
        }
    }
    out
}

fn adf_block(b: Block, parent: Parent, out: &mut Vec<Block>) {
    match b {
        Block::Para(inl) => {
            let mut segment = Vec::new();
            for i in code_alone(inl) {
                if let Inline::Image { .. } = i {
                    if !segment.is_empty() {
                        out.push(Block::Para(std::mem::take(&mut segment)));
                    }
                    out.push(Block::Para(vec![i]));
                } else {
                    segment.push(i);
                }
            }
            if !segment.is_empty() {
                out.push(Block::Para(segment));
            }
        }
        Block::Heading(l, inl) => out.push(Block::Heading(l, image_links(code_alone(inl)))),
        Block::Quote(body) => out.push(Block::Quote(adf_blocks(body, Parent::Quote))),
        Block::List {
            ordered,
            start,
            items,
        } => {
            let items = items
                .into_iter()
                .map(|item| match item.task {
                    Some(_) => task_item(item),
                    None => Item {
                        task: None,
                        body: adf_blocks(item.body, Parent::ListItem),
                    },
                })
                .collect();
            out.push(Block::List {
                ordered,
                start,
                items,
            });
        }
        Block::Table(mut rows) => {
            for cell in rows.iter_mut().flatten() {
                cell.body = adf_blocks(std::mem::take(&mut cell.body), Parent::Cell);
            }
            out.push(Block::Table(rows));
        }
        Block::Panel { kind, title, body } => out.push(Block::Panel {
            kind,
            title,
            body: adf_blocks(body, Parent::Panel),
        }),
        Block::Expand { title, body } => {
            let inner = if parent == Parent::Doc {
                Parent::Expand
            } else {
                Parent::NestedExpand
            };
            out.push(Block::Expand {
                title,
                body: adf_blocks(body, inner),
            });
        }
        other => out.push(other),
    }
}

/// A task item as ADF keeps it: its text, then nested task lists.
fn task_item(item: Item) -> Item {
    let mut inl = Vec::new();
    let mut nested = Vec::new();
    for b in item.body {
        match b {
            Block::List { items, .. }
                if !items.is_empty() && items.iter().all(|i| i.task.is_some()) =>
            {
                nested.push(Block::List {
                    ordered: false,
                    start: 1,
                    items: items.into_iter().map(task_item).collect(),
                });
            }
            other => super::super::to_adf::task_lines(std::slice::from_ref(&other), "", &mut inl),
        }
    }
    let mut body = Vec::new();
    let inl = image_links(code_alone(inl));
    if !inl.is_empty() {
        body.push(Block::Para(inl));
    }
    body.extend(nested);
    Item {
        task: item.task,
        body,
    }
}

fn code_alone(inl: Vec<Inline>) -> Vec<Inline> {
    merge_text(
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
                // One `subsup` mark: superscript wins, as the writer has it.
                Inline::Text(t, m) if m.sup && m.sub => Inline::Text(t, Marks { sub: false, ..m }),
                other => other,
            })
            .collect(),
    )
}

fn image_links(inl: Vec<Inline>) -> Vec<Inline> {
    inl.into_iter()
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

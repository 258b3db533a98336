//! ADF JSON → document model. Every node type of the schema is read: the ones Markdown has are
//! kept, the others get a readable stand-in (emoji as their character, status as a label, dates
//! as `YYYY-MM-DD`, media as images, extensions as a placeholder naming them). Unknown nodes
//! give up their text; past the depth limit a subtree is read as plain text.

use serde_json::Value;

use super::ConvertError;
use super::ast::{Block, Cell, Inline, Item, MAX_DEPTH, Marks, PanelKind, merge_text};
use super::to_adf::millis_to_date;

/// Reads an ADF document (`{"type":"doc",...}`).
pub fn parse(doc: &Value) -> Result<Vec<Block>, ConvertError> {
    let Some(obj) = doc.as_object() else {
        return Err(ConvertError::NotAdf("not a JSON object".into()));
    };
    match obj.get("type").and_then(Value::as_str) {
        Some("doc") => Ok(blocks(content(doc), 0)),
        Some(other) => Err(ConvertError::NotAdf(format!("root node type is {other:?}"))),
        None => Err(ConvertError::NotAdf("no \"type\" at the root".into())),
    }
}

fn content(node: &Value) -> &[Value] {
    node.get("content")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

fn kind(node: &Value) -> &str {
    node.get("type").and_then(Value::as_str).unwrap_or("")
}

fn attr<'a>(node: &'a Value, name: &str) -> Option<&'a str> {
    node.get("attrs")
        .and_then(|a| a.get(name))
        .and_then(Value::as_str)
}

fn blocks(nodes: &[Value], depth: usize) -> Vec<Block> {
    let mut out = Vec::new();
    let mut pending: Vec<Inline> = Vec::new();
    for node in nodes {
        if is_inline(kind(node)) {
            inline(node, &Marks::default(), &mut pending);
            continue;
        }
        if !pending.is_empty() {
            out.push(Block::Para(merge_text(std::mem::take(&mut pending))));
        }
        block(node, depth, &mut out);
    }
    if !pending.is_empty() {
        out.push(Block::Para(merge_text(pending)));
    }
    out
}

fn is_inline(kind: &str) -> bool {
    matches!(
        kind,
        "text"
            | "hardBreak"
            | "mention"
            | "emoji"
            | "status"
            | "date"
            | "inlineCard"
            | "placeholder"
            | "mediaInline"
            | "inlineExtension"
    )
}

fn block(node: &Value, depth: usize, out: &mut Vec<Block>) {
    if depth >= MAX_DEPTH {
        let text = plain_text(node);
        if !text.trim().is_empty() {
            out.push(Block::Para(vec![Inline::Text(text, Marks::default())]));
        }
        return;
    }
    let d = depth + 1;
    match kind(node) {
        "paragraph" => out.push(Block::Para(inlines(content(node)))),
        "heading" => {
            let level = node["attrs"]["level"].as_u64().unwrap_or(1).clamp(1, 6) as u8;
            out.push(Block::Heading(level, inlines(content(node))));
        }
        "codeBlock" => {
            let lang = attr(node, "language")
                .filter(|l| !l.is_empty() && *l != "none")
                .map(str::to_owned);
            let text = content(node)
                .iter()
                .filter_map(|t| t.get("text").and_then(Value::as_str))
                .collect();
            out.push(Block::Code { lang, text });
        }
        "blockquote" => out.push(Block::Quote(blocks(content(node), d))),
        "bulletList" | "orderedList" => {
            let items = content(node)
                .iter()
                .map(|item| Item {
                    task: None,
                    body: blocks(content(item), d),
                })
                .collect();
            let ordered = kind(node) == "orderedList";
            let start = node["attrs"]["order"].as_u64().unwrap_or(1);
            out.push(Block::List {
                ordered,
                start,
                items,
            });
        }
        "taskList" | "decisionList" => out.push(task_list(node, d)),
        "table" => {
            let rows = content(node)
                .iter()
                .map(|row| {
                    content(row)
                        .iter()
                        .map(|cell| Cell {
                            header: kind(cell) == "tableHeader",
                            body: blocks(content(cell), d),
                        })
                        .collect()
                })
                .collect();
            out.push(Block::Table(rows));
        }
        "rule" => out.push(Block::Rule),
        "panel" => {
            let kind = match attr(node, "panelType").unwrap_or("info") {
                "note" => PanelKind::Note,
                "tip" => PanelKind::Tip,
                "warning" => PanelKind::Warning,
                "error" => PanelKind::Error,
                "success" => PanelKind::Success,
                "custom" => PanelKind::Plain,
                _ => PanelKind::Info,
            };
            out.push(Block::Panel {
                kind,
                title: None,
                body: blocks(content(node), d),
            });
        }
        "expand" | "nestedExpand" => {
            let title = attr(node, "title").unwrap_or("").to_owned();
            out.push(Block::Expand {
                title,
                body: blocks(content(node), d),
            });
        }
        "mediaSingle" | "mediaGroup" => {
            let images: Vec<Inline> = content(node).iter().filter_map(media).collect();
            if !images.is_empty() {
                out.push(Block::Para(images));
            }
        }
        "blockCard" | "embedCard" => {
            if let Some(url) = attr(node, "url") {
                out.push(Block::Para(vec![Inline::Card(url.to_owned())]));
            }
        }
        "extension" | "bodiedExtension" => {
            let key = attr(node, "extensionKey").unwrap_or("extension");
            out.push(Block::Para(vec![placeholder(key)]));
            out.extend(blocks(content(node), d));
        }
        _ => out.extend(blocks(content(node), d)),
    }
}

/// A task or decision list; nested task lists join the item before them.
fn task_list(node: &Value, depth: usize) -> Block {
    let mut items: Vec<Item> = Vec::new();
    for child in content(node) {
        match kind(child) {
            "taskList" | "decisionList" if depth < MAX_DEPTH => {
                let nested = task_list(child, depth + 1);
                match items.last_mut() {
                    Some(prev) => prev.body.push(nested),
                    None => items.push(Item {
                        task: None,
                        body: vec![nested],
                    }),
                }
            }
            "taskItem" | "decisionItem" => {
                let state = attr(child, "state").unwrap_or("TODO");
                let task = Some(state == "DONE" || state == "DECIDED");
                let inl = inlines(content(child));
                let body = if inl.is_empty() {
                    Vec::new()
                } else {
                    vec![Block::Para(inl)]
                };
                items.push(Item { task, body });
            }
            _ => items.push(Item {
                task: Some(false),
                body: blocks(content(child), depth + 1),
            }),
        }
    }
    Block::List {
        ordered: false,
        start: 1,
        items,
    }
}

fn media(node: &Value) -> Option<Inline> {
    if kind(node) != "media" && kind(node) != "mediaInline" {
        return None;
    }
    let alt = attr(node, "alt").unwrap_or("").to_owned();
    let src = match attr(node, "type") {
        Some("external") => attr(node, "url").unwrap_or("").to_owned(),
        _ => format!("attachment:{}", attr(node, "id").unwrap_or("")),
    };
    Some(Inline::Image { src, alt })
}

fn placeholder(name: &str) -> Inline {
    Inline::Text(
        format!("[{name} macro]"),
        Marks {
            em: true,
            ..Marks::default()
        },
    )
}

fn inlines(nodes: &[Value]) -> Vec<Inline> {
    let mut out = Vec::new();
    for n in nodes {
        inline(n, &Marks::default(), &mut out);
    }
    merge_text(out)
}

fn inline(node: &Value, _outer: &Marks, out: &mut Vec<Inline>) {
    match kind(node) {
        "text" => {
            let text = node.get("text").and_then(Value::as_str).unwrap_or("");
            out.push(Inline::Text(text.to_owned(), marks(node)));
        }
        "hardBreak" => out.push(Inline::Break),
        "mention" => {
            let id = attr(node, "id").unwrap_or("");
            let id = id.strip_prefix("accountid:").unwrap_or(id).to_owned();
            let name = attr(node, "text")
                .map(|t| t.trim_start_matches('@').to_owned())
                .filter(|t| !t.is_empty());
            out.push(Inline::Mention { id, name });
        }
        "emoji" => out.push(Inline::Emoji {
            short: attr(node, "shortName").unwrap_or("").to_owned(),
            text: attr(node, "text")
                .filter(|t| !t.is_empty())
                .map(str::to_owned),
        }),
        "status" => out.push(Inline::Status {
            text: attr(node, "text").unwrap_or("").to_owned(),
            color: attr(node, "color").unwrap_or("neutral").to_owned(),
        }),
        "date" => {
            let ts = attr(node, "timestamp")
                .and_then(|t| t.parse::<i64>().ok())
                .or_else(|| node["attrs"]["timestamp"].as_i64());
            if let Some(ms) = ts {
                out.push(Inline::Date(millis_to_date(ms)));
            }
        }
        "inlineCard" => {
            if let Some(url) = attr(node, "url") {
                out.push(Inline::Card(url.to_owned()));
            }
        }
        "placeholder" => {
            if let Some(t) = attr(node, "text") {
                out.push(Inline::Text(t.to_owned(), Marks::default()));
            }
        }
        "mediaInline" => out.extend(media(node)),
        "inlineExtension" => out.push(placeholder(
            attr(node, "extensionKey").unwrap_or("extension"),
        )),
        _ => {
            let text = plain_text(node);
            if !text.is_empty() {
                out.push(Inline::Text(text, Marks::default()));
            }
        }
    }
}

fn marks(node: &Value) -> Marks {
    let mut m = Marks::default();
    for mark in node
        .get("marks")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
    {
        match kind(mark) {
            "strong" => m.strong = true,
            "em" => m.em = true,
            "strike" => m.strike = true,
            "code" => m.code = true,
            "underline" => m.underline = true,
            "subsup" => match attr(mark, "type") {
                Some("sub") => m.sub = true,
                _ => m.sup = true,
            },
            "link" => m.link = attr(mark, "href").map(str::to_owned),
            _ => {}
        }
    }
    m
}

/// All text under a node, without recursion (used past the depth limit and for unknown nodes).
fn plain_text(node: &Value) -> String {
    let mut out = String::new();
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        if let Some(t) = n.get("text").and_then(Value::as_str) {
            out.push_str(t);
        }
        let children = content(n);
        if !children.is_empty()
            && !out.is_empty()
            && !out.ends_with(' ')
            && !is_inline(kind(n))
            && kind(n) != "paragraph"
        {
            out.push(' ');
        }
        stack.extend(children.iter().rev());
    }
    out
}

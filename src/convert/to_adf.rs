//! Document model → ADF JSON that validates against the ADF schema: each container only gets the
//! children the schema allows it (others are flattened into paragraphs), text nodes are never
//! empty, `code` combines with no mark but `link`, task and list items are shaped as required.

use serde_json::{Map, Value, json};

use super::ast::{
    Block, Cell, Inline, Item, Marks, PanelKind, flatten, merge_text, task_runs, trim_inlines,
};

/// Where a block sits; decides which children the schema accepts.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Parent {
    Doc,
    ListItem,
    Quote,
    Panel,
    Cell,
    Expand,
    NestedExpand,
}

pub(super) fn allowed(parent: Parent, b: &Block) -> bool {
    use Parent::*;
    match b {
        Block::Para(_) | Block::Code { .. } | Block::List { .. } => true,
        Block::Heading(..) => matches!(parent, Doc | Panel | Cell | Expand | NestedExpand),
        Block::Rule => matches!(parent, Doc | Panel | Cell | Expand | NestedExpand),
        Block::Quote(_) => matches!(parent, Doc | Cell | Expand | NestedExpand),
        Block::Panel { .. } => matches!(parent, Doc | Cell | Expand | NestedExpand),
        Block::Table(_) => matches!(parent, Doc | Expand),
        Block::Expand { .. } => matches!(parent, Doc | Cell | Expand),
    }
}

struct Writer {
    next_id: u32,
}

/// Renders blocks as an ADF document.
pub fn render(doc: &[Block]) -> Value {
    let mut w = Writer { next_id: 0 };
    let content = w.blocks(doc, Parent::Doc);
    json!({"type": "doc", "version": 1, "content": content})
}

impl Writer {
    fn id(&mut self) -> String {
        self.next_id += 1;
        format!("{:08x}-0000-4000-8000-{:012x}", self.next_id, self.next_id)
    }

    fn blocks(&mut self, blocks: &[Block], parent: Parent) -> Vec<Value> {
        let mut out = Vec::new();
        for b in blocks {
            if allowed(parent, b) {
                self.block(b, parent, &mut out);
            } else {
                let mut flat = Vec::new();
                flatten(b.clone(), &mut flat);
                for f in &flat {
                    if allowed(parent, f) {
                        self.block(f, parent, &mut out);
                    } else {
                        let text = super::ast::blocks_text(std::slice::from_ref(f));
                        if !text.is_empty() {
                            out.push(para(vec![text_node(&text, &Marks::default())]));
                        }
                    }
                }
            }
        }
        out
    }

    fn block(&mut self, b: &Block, parent: Parent, out: &mut Vec<Value>) {
        match b {
            Block::Para(inl) => {
                // ADF media are blocks: an image splits its paragraph, the text before and after
                // it becoming paragraphs of their own (as Atlaskit's Markdown parser does).
                let mut segment: Vec<Inline> = Vec::new();
                let flush = |segment: &mut Vec<Inline>, out: &mut Vec<Value>| {
                    let inl = trim_inlines(std::mem::take(segment));
                    if !inl.is_empty() {
                        out.push(para(inlines(&inl)));
                    }
                };
                for i in inl {
                    if let Inline::Image { src, alt } = i {
                        flush(&mut segment, out);
                        out.push(media(src, alt));
                    } else {
                        segment.push(i.clone());
                    }
                }
                flush(&mut segment, out);
            }
            Block::Heading(level, inl) => out.push(json!({
                "type": "heading",
                "attrs": {"level": (*level).clamp(1, 6)},
                "content": inlines(inl),
            })),
            Block::Code { lang, text } => {
                let mut node = Map::new();
                node.insert("type".into(), "codeBlock".into());
                if let Some(l) = lang {
                    node.insert("attrs".into(), json!({"language": l}));
                }
                let content: Vec<Value> = if text.is_empty() {
                    Vec::new()
                } else {
                    vec![json!({"type": "text", "text": text})]
                };
                node.insert("content".into(), Value::Array(content));
                out.push(Value::Object(node));
            }
            Block::Quote(body) => {
                let content = non_empty(self.blocks(body, Parent::Quote));
                out.push(json!({"type": "blockquote", "content": content}));
            }
            Block::Panel { kind, title, body } => {
                let mut content = Vec::new();
                if let Some(t) = title.as_deref().filter(|t| !t.trim().is_empty()) {
                    let m = Marks {
                        strong: true,
                        ..Marks::default()
                    };
                    content.push(para(vec![text_node(t.trim(), &m)]));
                }
                content.extend(self.blocks(body, Parent::Panel));
                out.push(json!({
                    "type": "panel",
                    "attrs": {"panelType": panel_type(*kind)},
                    "content": non_empty(content),
                }));
            }
            Block::Expand { title, body } => {
                let (kind, inner) = if parent == Parent::Doc {
                    ("expand", Parent::Expand)
                } else {
                    ("nestedExpand", Parent::NestedExpand)
                };
                let content = non_empty(self.blocks(body, inner));
                out.push(json!({"type": kind, "attrs": {"title": title}, "content": content}));
            }
            Block::List {
                ordered,
                start,
                items,
            } if task_runs(items).len() > 1 => {
                for (tasks, run) in task_runs(items) {
                    let list = Block::List {
                        ordered: *ordered && !tasks,
                        start: *start,
                        items: run.to_vec(),
                    };
                    self.block(&list, parent, out);
                }
            }
            Block::List {
                ordered,
                start,
                items,
            } => {
                if !items.is_empty() && items.iter().all(|i| i.task.is_some()) {
                    out.push(self.task_list(items));
                } else {
                    let content: Vec<Value> = items.iter().map(|i| self.list_item(i)).collect();
                    out.push(if *ordered {
                        json!({"type": "orderedList", "attrs": {"order": start}, "content": content})
                    } else {
                        json!({"type": "bulletList", "content": content})
                    });
                }
            }
            Block::Table(rows) => out.push(self.table(rows)),
            Block::Rule => out.push(json!({"type": "rule"})),
        }
    }

    fn list_item(&mut self, item: &Item) -> Value {
        let mut content = self.blocks(&item.body, Parent::ListItem);
        if let Some(done) = item.task {
            let mark = if done { "[x] " } else { "[ ] " };
            match content.first_mut() {
                Some(p) if p["type"] == "paragraph" => {
                    let text = text_node(mark, &Marks::default());
                    match p.get_mut("content").and_then(Value::as_array_mut) {
                        Some(c) => c.insert(0, text),
                        None => p["content"] = json!([text]),
                    }
                }
                _ => content.insert(0, para(vec![text_node(mark.trim(), &Marks::default())])),
            }
        }
        // The editor expects a list item to open with a paragraph.
        if content
            .first()
            .is_none_or(|c| c["type"] != "paragraph" && c["type"] != "codeBlock")
        {
            content.insert(0, para(Vec::new()));
        }
        json!({"type": "listItem", "content": content})
    }

    /// A task list: each item's first paragraph is the task text; nested task lists follow the
    /// item; other blocks are appended to the text after a line break.
    fn task_list(&mut self, items: &[Item]) -> Value {
        let list_id = self.id();
        let mut content = Vec::new();
        for item in items {
            let mut inl: Vec<Inline> = Vec::new();
            let mut nested = Vec::new();
            for b in &item.body {
                match b {
                    // Runs of task items nest as task lists; other items become lines.
                    Block::List {
                        ordered,
                        start,
                        items: sub,
                    } => {
                        for (tasks, run) in task_runs(sub) {
                            if tasks {
                                nested.push(self.task_list(run));
                            } else {
                                let list = Block::List {
                                    ordered: *ordered,
                                    start: *start,
                                    items: run.to_vec(),
                                };
                                task_lines(std::slice::from_ref(&list), "", &mut inl);
                            }
                        }
                    }
                    other => task_lines(std::slice::from_ref(other), "", &mut inl),
                }
            }
            let state = if item.task == Some(true) {
                "DONE"
            } else {
                "TODO"
            };
            content.push(json!({
                "type": "taskItem",
                "attrs": {"localId": self.id(), "state": state},
                "content": inlines(&inl),
            }));
            content.extend(nested);
        }
        json!({"type": "taskList", "attrs": {"localId": list_id}, "content": content})
    }

    fn table(&mut self, rows: &[Vec<Cell>]) -> Value {
        let rows: Vec<Value> = rows
            .iter()
            .filter(|r| !r.is_empty())
            .map(|row| {
                let cells: Vec<Value> = row
                    .iter()
                    .map(|cell| {
                        let kind = if cell.header {
                            "tableHeader"
                        } else {
                            "tableCell"
                        };
                        let content = non_empty(self.blocks(&cell.body, Parent::Cell));
                        json!({"type": kind, "attrs": {}, "content": content})
                    })
                    .collect();
                json!({"type": "tableRow", "content": cells})
            })
            .collect();
        let rows = if rows.is_empty() {
            vec![
                json!({"type": "tableRow", "content": [{"type": "tableCell", "attrs": {}, "content": [para(Vec::new())]}]}),
            ]
        } else {
            rows
        };
        json!({
            "type": "table",
            "attrs": {"isNumberColumnEnabled": false, "layout": "default"},
            "content": rows,
        })
    }
}

/// Blocks a task item cannot hold (its content is inline), as lines of it with their marks: a
/// paragraph is a line, a list one line per item marked `•` or its number (nested items
/// indented by no-break spaces), a quote or panel its lines, a heading a bold line, a code block its lines as inline code.
pub(super) fn task_lines(blocks: &[Block], indent: &str, inl: &mut Vec<Inline>) {
    let line = |content: Vec<Inline>, inl: &mut Vec<Inline>| {
        if content.is_empty() {
            return;
        }
        if !inl.is_empty() {
            inl.push(Inline::Break);
        }
        inl.extend(content);
    };
    for b in blocks {
        match b {
            Block::Para(p) => line(p.clone(), inl),
            Block::Code { text, .. } => {
                let code = Marks {
                    code: true,
                    ..Marks::default()
                };
                for l in text.lines().filter(|l| !l.trim().is_empty()) {
                    line(vec![Inline::Text(l.to_owned(), code.clone())], inl);
                }
            }
            Block::List {
                ordered,
                start,
                items,
            } => {
                for (k, item) in items.iter().enumerate() {
                    let mut marker = if *ordered {
                        format!("{indent}{}. ", start.saturating_add(k as u64))
                    } else {
                        format!("{indent}• ")
                    };
                    match item.task {
                        Some(true) => marker.push_str("[x] "),
                        Some(false) => marker.push_str("[ ] "),
                        None => {}
                    }
                    let mut own = Vec::new();
                    let (first, rest) = match item.body.split_first() {
                        Some((Block::Para(p), rest)) => (p.clone(), rest),
                        _ => (Vec::new(), &item.body[..]),
                    };
                    // An empty item's line is its marker alone (a space ending a line is lost).
                    if first.is_empty() {
                        marker.truncate(marker.trim_end().len());
                    }
                    own.push(Inline::Text(marker, Marks::default()));
                    own.extend(first);
                    line(own, inl);
                    task_lines(rest, &format!("{indent}\u{a0}\u{a0}"), inl);
                }
            }
            Block::Rule => {}
            other => {
                let mut flat = Vec::new();
                flatten(other.clone(), &mut flat);
                task_lines(&flat, indent, inl);
            }
        }
    }
}

fn non_empty(mut content: Vec<Value>) -> Vec<Value> {
    if content.is_empty() {
        content.push(para(Vec::new()));
    }
    content
}

fn para(content: Vec<Value>) -> Value {
    if content.is_empty() {
        json!({"type": "paragraph"})
    } else {
        json!({"type": "paragraph", "content": content})
    }
}

fn media(src: &str, alt: &str) -> Value {
    let mut attrs = json!({"type": "external", "url": src});
    if !alt.is_empty() {
        attrs["alt"] = alt.into();
    }
    json!({
        "type": "mediaSingle",
        "attrs": {"layout": "center"},
        "content": [{"type": "media", "attrs": attrs}],
    })
}

pub fn panel_type(kind: PanelKind) -> &'static str {
    match kind {
        PanelKind::Info | PanelKind::Plain => "info",
        PanelKind::Note => "note",
        PanelKind::Tip => "tip",
        PanelKind::Warning => "warning",
        PanelKind::Error => "error",
        PanelKind::Success => "success",
    }
}

fn text_node(text: &str, marks: &Marks) -> Value {
    let mut list = Vec::new();
    if marks.code {
        list.push(json!({"type": "code"}));
    } else {
        if marks.strong {
            list.push(json!({"type": "strong"}));
        }
        if marks.em {
            list.push(json!({"type": "em"}));
        }
        if marks.strike {
            list.push(json!({"type": "strike"}));
        }
        if marks.underline {
            list.push(json!({"type": "underline"}));
        }
        if marks.sup || marks.sub {
            let t = if marks.sup { "sup" } else { "sub" };
            list.push(json!({"type": "subsup", "attrs": {"type": t}}));
        }
    }
    if let Some(href) = &marks.link {
        list.push(json!({"type": "link", "attrs": {"href": href}}));
    }
    if list.is_empty() {
        json!({"type": "text", "text": text})
    } else {
        json!({"type": "text", "text": text, "marks": list})
    }
}

/// Inline content as ADF inline nodes; images where no block can go (headings, tasks) become
/// linked text.
fn inlines(inl: &[Inline]) -> Vec<Value> {
    // Code carries no mark but a link: the runs are joined and split again without them.
    let inl = merge_text(
        inl.iter()
            .map(|i| match i {
                Inline::Text(t, m) if m.code => Inline::Text(
                    t.clone(),
                    Marks {
                        code: true,
                        link: m.link.clone(),
                        ..Marks::default()
                    },
                ),
                other => other.clone(),
            })
            .collect(),
    );
    let mut out: Vec<Value> = Vec::new();
    for i in &inl {
        match i {
            Inline::Text(t, m) => {
                if !t.is_empty() {
                    out.push(text_node(t, m));
                }
            }
            Inline::Break => out.push(json!({"type": "hardBreak"})),
            Inline::Mention { id, name } => {
                let text = format!("@{}", name.as_deref().unwrap_or(id));
                out.push(json!({"type": "mention", "attrs": {"id": id, "text": text}}));
            }
            Inline::Emoji { short, text } => {
                let mut attrs = json!({"shortName": short});
                if let Some(t) = text {
                    attrs["text"] = t.as_str().into();
                }
                out.push(json!({"type": "emoji", "attrs": attrs}));
            }
            Inline::Status { text, color } => {
                if !text.is_empty() {
                    out.push(json!({"type": "status", "attrs": {"text": text, "color": status_color(color)}}));
                }
            }
            Inline::Date(d) => match date_to_millis(d) {
                Some(ms) => {
                    out.push(json!({"type": "date", "attrs": {"timestamp": ms.to_string()}}))
                }
                None => out.push(text_node(d, &Marks::default())),
            },
            Inline::Card(url) => out.push(json!({"type": "inlineCard", "attrs": {"url": url}})),
            Inline::Image { src, alt } => {
                let text = if alt.is_empty() {
                    src.as_str()
                } else {
                    alt.as_str()
                };
                let m = Marks {
                    link: Some(src.clone()),
                    ..Marks::default()
                };
                if !text.is_empty() {
                    out.push(text_node(text, &m));
                }
            }
        }
    }
    out
}

fn status_color(c: &str) -> &'static str {
    match c.to_ascii_lowercase().as_str() {
        "purple" => "purple",
        "blue" => "blue",
        "red" => "red",
        "yellow" => "yellow",
        "green" => "green",
        _ => "neutral",
    }
}

/// `YYYY-MM-DD` → milliseconds since the epoch (UTC midnight).
pub fn date_to_millis(date: &str) -> Option<i64> {
    let mut parts = date.splitn(3, '-');
    let y: i64 = parts.next()?.parse().ok()?;
    let m: i64 = parts.next()?.parse().ok()?;
    let d: i64 = parts.next()?.parse().ok()?;
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) || !(1..=9999).contains(&y) {
        return None;
    }
    // Days from civil date (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some((era * 146_097 + doe - 719_468) * 86_400_000)
}

/// Milliseconds since the epoch → `YYYY-MM-DD` (UTC).
pub fn millis_to_date(ms: i64) -> String {
    let z = ms.div_euclid(86_400_000) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

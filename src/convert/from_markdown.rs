//! Markdown (CommonMark + GFM tables, strikethrough, task lists and alerts) → document model, by
//! walking pulldown-cmark's event stream with an explicit stack. Also reads the conventions this
//! crate writes: `[@Name](mention:ID)` mentions, `<details><summary>` expands, bare URLs as links.

use pulldown_cmark::{
    BlockQuoteKind, CodeBlockKind, Event, LinkType, Options, Parser, Tag, TagEnd,
};

use super::ast::{Block, Cell, Inline, Item, MAX_DEPTH, Marks, PanelKind};
use super::entities::strip_tags;
use super::md_cell::CellBody;
use super::md_text::{finished, flush_inline};
use super::plain_text::without_controls;
use super::structure::{attr, is_html_element};

/// Link destinations with this prefix are user mentions.
pub const MENTION_SCHEME: &str = "mention:";

enum Frame {
    Root(Vec<Block>),
    Quote(Option<BlockQuoteKind>, Vec<Block>),
    Expand {
        title: String,
        body: Vec<Block>,
    },
    List {
        ordered: bool,
        start: u64,
        items: Vec<Item>,
    },
    Item {
        task: Option<bool>,
        body: Vec<Block>,
        inl: Vec<Inline>,
    },
    Table(Vec<Vec<Cell>>),
    Row(Vec<Cell>),
    Cell(bool, Vec<Inline>, CellBody),
    Para(Vec<Inline>),
    Heading(u8, Vec<Inline>),
    Code(Option<String>, String),
    Image(String, String),
    Mention(String, String),
    Html(String),
    /// A container past the depth limit: its content goes to the frame below.
    Skip,
}

impl Frame {
    fn is_container(&self) -> bool {
        matches!(
            self,
            Frame::Quote(..)
                | Frame::Expand { .. }
                | Frame::List { .. }
                | Frame::Item { .. }
                | Frame::Table(_)
        )
    }
}

#[derive(Default)]
struct MarkState {
    strong: u32,
    em: u32,
    strike: u32,
    /// `<u>`, `<sup>`, `<sub>` inline HTML.
    underline: u32,
    sup: u32,
    sub: u32,
    /// `<code>`, `<kbd>` inline HTML.
    code: u32,
    links: Vec<String>,
    /// Open `<a>` tags: whether each pushed a link.
    anchors: Vec<bool>,
}

struct Builder {
    stack: Vec<Frame>,
    marks: MarkState,
    depth: usize,
}

/// Parses Markdown into blocks.
pub fn parse(markdown: &str) -> Vec<Block> {
    let opts = Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_GFM;
    let mut b = Builder {
        stack: vec![Frame::Root(Vec::new())],
        marks: MarkState::default(),
        depth: 0,
    };
    let markdown = without_controls(markdown);
    for event in Parser::new_ext(&markdown, opts) {
        b.event(event);
    }
    while b.stack.len() > 1 {
        b.close();
    }
    match b.stack.pop() {
        Some(Frame::Root(blocks)) => blocks,
        _ => Vec::new(),
    }
}

impl Builder {
    fn event(&mut self, event: Event<'_>) {
        match event {
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(tag),
            Event::Text(t) => self.text(&t),
            Event::Code(c) => {
                let mut m = self.current_marks();
                m.code = true;
                self.inline(Inline::Text(c.to_string(), m));
            }
            Event::Html(h) => {
                if let Some(Frame::Html(buf)) = self.stack.last_mut() {
                    buf.push_str(&h);
                } else {
                    self.html(&h);
                }
            }
            Event::InlineHtml(h) => self.inline_html(&h),
            Event::SoftBreak => {
                if let Some(Frame::Code(_, text)) = self.stack.last_mut() {
                    text.push('\n');
                } else {
                    self.inline(Inline::Text(" ".into(), self.current_marks()));
                }
            }
            Event::HardBreak => self.line_break(),
            Event::Rule => self.block(Block::Rule),
            Event::TaskListMarker(done) => {
                if let Some(Frame::Item { task, .. }) = self
                    .stack
                    .iter_mut()
                    .rev()
                    .find(|f| matches!(f, Frame::Item { .. }))
                {
                    *task = Some(done);
                }
            }
            Event::FootnoteReference(r) => self.text(&format!("[^{r}]")),
            Event::InlineMath(m) | Event::DisplayMath(m) => self.text(&m),
        }
    }

    fn push_container(&mut self, frame: Frame) {
        if self.depth >= MAX_DEPTH {
            self.stack.push(Frame::Skip);
        } else {
            self.depth += 1;
            self.stack.push(frame);
        }
    }

    fn start(&mut self, tag: Tag<'_>) {
        match tag {
            Tag::Paragraph => self.stack.push(Frame::Para(Vec::new())),
            Tag::Heading { level, .. } => self.stack.push(Frame::Heading(level as u8, Vec::new())),
            Tag::BlockQuote(kind) => self.push_container(Frame::Quote(kind, Vec::new())),
            Tag::CodeBlock(kind) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => info
                        .split(|c: char| c.is_whitespace() || c == ',' || c == '{')
                        .next()
                        .filter(|l| !l.is_empty())
                        .map(str::to_owned),
                    CodeBlockKind::Indented => None,
                };
                self.stack.push(Frame::Code(lang, String::new()));
            }
            Tag::HtmlBlock => self.stack.push(Frame::Html(String::new())),
            Tag::List(start) => self.push_container(Frame::List {
                ordered: start.is_some(),
                start: start.unwrap_or(1),
                items: Vec::new(),
            }),
            Tag::Item => self.push_container(Frame::Item {
                task: None,
                body: Vec::new(),
                inl: Vec::new(),
            }),
            Tag::Table(_) => self.push_container(Frame::Table(Vec::new())),
            Tag::TableHead | Tag::TableRow => self.stack.push(Frame::Row(Vec::new())),
            Tag::TableCell => {
                let header = self
                    .stack
                    .iter()
                    .rev()
                    .nth(1)
                    .is_some_and(|f| matches!(f, Frame::Table(rows) if rows.is_empty()));
                self.stack
                    .push(Frame::Cell(header, Vec::new(), CellBody::default()));
            }
            Tag::Emphasis => self.marks.em += 1,
            Tag::Strong => self.marks.strong += 1,
            Tag::Strikethrough => self.marks.strike += 1,
            Tag::Link {
                dest_url,
                link_type,
                ..
            } => match dest_url.strip_prefix(MENTION_SCHEME) {
                Some(id) if !id.is_empty() => self
                    .stack
                    .push(Frame::Mention(id.to_owned(), String::new())),
                // `<ops@example.com>`: the destination is the bare address.
                _ if link_type == LinkType::Email => {
                    self.marks.links.push(format!("mailto:{dest_url}"))
                }
                _ => self.marks.links.push(dest_url.to_string()),
            },
            Tag::Image { dest_url, .. } => self
                .stack
                .push(Frame::Image(dest_url.to_string(), String::new())),
            _ => {}
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Emphasis => self.marks.em = self.marks.em.saturating_sub(1),
            TagEnd::Strong => self.marks.strong = self.marks.strong.saturating_sub(1),
            TagEnd::Strikethrough => self.marks.strike = self.marks.strike.saturating_sub(1),
            TagEnd::Link => {
                if matches!(self.stack.last(), Some(Frame::Mention(..))) {
                    self.close();
                } else {
                    self.marks.links.pop();
                }
            }
            TagEnd::Paragraph
            | TagEnd::Heading(_)
            | TagEnd::BlockQuote(_)
            | TagEnd::CodeBlock
            | TagEnd::HtmlBlock
            | TagEnd::List(_)
            | TagEnd::Item
            | TagEnd::Table
            | TagEnd::TableHead
            | TagEnd::TableRow
            | TagEnd::TableCell
            | TagEnd::Image => self.close(),
            _ => {}
        }
    }

    fn current_marks(&self) -> Marks {
        Marks {
            strong: self.marks.strong > 0,
            em: self.marks.em > 0,
            strike: self.marks.strike > 0,
            underline: self.marks.underline > 0,
            sup: self.marks.sup > 0,
            sub: self.marks.sub > 0,
            // `[text]()` points nowhere: its text is plain.
            link: self.marks.links.last().filter(|l| !l.is_empty()).cloned(),
            code: self.marks.code > 0,
        }
    }

    fn text(&mut self, t: &str) {
        match self.stack.last_mut() {
            Some(Frame::Code(_, text)) | Some(Frame::Html(text)) => {
                text.push_str(t);
                return;
            }
            _ => {}
        }
        // Bare URLs are linked when the text is complete (`finished`): escapes split the text
        // into events, and a URL runs across them.
        let marks = self.current_marks();
        self.inline(Inline::Text(t.to_owned(), marks));
    }

    /// A line break; in a heading, which Markdown writes on one line, a space.
    fn line_break(&mut self) {
        let inner = self
            .stack
            .iter()
            .rev()
            .find(|f| !matches!(f, Frame::Skip | Frame::Row(_) | Frame::Html(_)));
        if matches!(inner, Some(Frame::Heading(..))) {
            self.inline(Inline::Text(" ".into(), self.current_marks()));
        } else {
            self.inline(Inline::Break);
        }
    }

    /// Adds inline content to the innermost frame that takes it.
    fn inline(&mut self, inline: Inline) {
        let at = self
            .stack
            .iter()
            .rposition(|f| !matches!(f, Frame::Skip | Frame::Row(_) | Frame::Html(_)));
        let Some(at) = at else { return };
        match &mut self.stack[at] {
            Frame::Para(v) | Frame::Heading(_, v) | Frame::Cell(_, v, _) => v.push(inline),
            Frame::Item { inl, .. } => inl.push(inline),
            Frame::Image(_, alt) | Frame::Mention(_, alt) => {
                alt.push_str(&super::ast::inline_text(&[inline]))
            }
            Frame::Code(_, text) => text.push_str(&super::ast::inline_text(&[inline])),
            _ => self.block(Block::Para(vec![inline])),
        }
    }

    /// Adds a block to the innermost frame that takes blocks.
    fn block(&mut self, block: Block) {
        for frame in self.stack.iter_mut().rev() {
            match frame {
                Frame::Root(v) | Frame::Quote(_, v) | Frame::Expand { body: v, .. } => {
                    v.push(block);
                    return;
                }
                Frame::Item { body, inl, .. } => {
                    flush_inline(inl, body);
                    body.push(block);
                    return;
                }
                Frame::List { items, .. } => {
                    items.push(Item {
                        task: None,
                        body: vec![block],
                    });
                    return;
                }
                Frame::Cell(_, v, _) | Frame::Para(v) | Frame::Heading(_, v) => {
                    let text = super::ast::blocks_text(std::slice::from_ref(&block));
                    if !v.is_empty() {
                        v.push(Inline::Text(" ".into(), Marks::default()));
                    }
                    v.push(Inline::Text(text, Marks::default()));
                    return;
                }
                _ => continue,
            }
        }
    }

    /// Closes the innermost frame and hands its content to the one below.
    fn close(&mut self) {
        let Some(frame) = self.stack.pop() else {
            return;
        };
        if frame.is_container() {
            self.depth = self.depth.saturating_sub(1);
        }
        if self.stack.is_empty() {
            self.stack.push(frame);
            return;
        }
        match frame {
            Frame::Root(_) | Frame::Skip => {}
            Frame::Para(inl) => {
                let inl = finished(inl);
                if !inl.is_empty() {
                    self.block(Block::Para(inl));
                }
            }
            Frame::Heading(level, inl) => self.block(Block::Heading(level, finished(inl))),
            Frame::Code(lang, text) => {
                let mut text = super::plain_text::line_endings(&text);
                if text.ends_with('\n') {
                    text.pop();
                }
                self.block(Block::Code { lang, text });
            }
            Frame::Html(h) => self.html(&h),
            Frame::Quote(kind, body) => self.block(match kind.map(panel_kind) {
                Some(kind) => Block::Panel {
                    kind,
                    title: None,
                    body,
                },
                None => Block::Quote(body),
            }),
            Frame::Expand { title, body } => self.block(Block::Expand { title, body }),
            Frame::List {
                ordered,
                start,
                items,
            } => {
                if !items.is_empty() {
                    self.block(Block::List {
                        ordered,
                        start,
                        items,
                    });
                }
            }
            Frame::Item {
                task,
                mut body,
                mut inl,
            } => {
                flush_inline(&mut inl, &mut body);
                let item = Item { task, body };
                match self.stack.last_mut() {
                    Some(Frame::List { items, .. }) => items.push(item),
                    _ => {
                        for b in item.body {
                            self.block(b);
                        }
                    }
                }
            }
            Frame::Table(mut rows) => {
                // An empty header row stands for a table without one (see to_markdown).
                if rows.len() > 1 && rows[0].iter().all(|c| c.body.is_empty()) {
                    rows.remove(0);
                }
                if !rows.is_empty() {
                    self.block(Block::Table(rows));
                }
            }
            Frame::Row(cells) => {
                if let Some(Frame::Table(rows)) = self.stack.last_mut() {
                    rows.push(cells);
                }
            }
            Frame::Cell(header, inl, body) => {
                let body = body.finish(inl);
                if let Some(Frame::Row(cells)) = self.stack.last_mut() {
                    cells.push(Cell { header, body });
                }
            }
            // An image without a source is its alt text (there is nothing to show).
            Frame::Image(src, alt) if src.trim().is_empty() => self.text(&alt),
            Frame::Image(src, alt) => self.inline(Inline::Image { src, alt }),
            Frame::Mention(id, text) => {
                let name = text.trim().trim_start_matches('@').trim();
                let name = (!name.is_empty() && name != id).then(|| name.to_owned());
                self.inline(Inline::Mention { id, name });
            }
        }
    }

    /// An HTML block: `<details>`/`<summary>` open an expand, `</details>` closes it, comments
    /// vanish, anything else is kept as literal text.
    fn html(&mut self, html: &str) {
        let mut rest = html;
        let mut literal = String::new();
        while !rest.is_empty() {
            let starts = |p: &str| {
                rest.len() >= p.len()
                    && rest.as_bytes()[..p.len()].eq_ignore_ascii_case(p.as_bytes())
            };
            if starts("<!--") {
                let end = rest.find("-->").map_or(rest.len(), |e| e + 3);
                rest = &rest[end..];
            } else if starts("<details") {
                let end = rest.find('>').map_or(rest.len(), |e| e + 1);
                rest = &rest[end..];
                self.push_container(Frame::Expand {
                    title: String::new(),
                    body: Vec::new(),
                });
            } else if starts("<summary>") {
                let body = &rest[9..];
                let end = body
                    .to_ascii_lowercase()
                    .find("</summary>")
                    .unwrap_or(body.len());
                let title = decode_entities(&strip_tags(&body[..end]));
                if let Some(Frame::Expand { title: t, .. }) = self.stack.last_mut() {
                    *t = title;
                }
                rest = body.get(end + 10..).unwrap_or("");
            } else if starts("</details>") {
                rest = &rest[10..];
                if let Some(at) = self
                    .stack
                    .iter()
                    .rposition(|f| matches!(f, Frame::Expand { .. }))
                {
                    while self.stack.len() > at {
                        self.close();
                    }
                }
            } else if starts("<br") {
                let end = rest.find('>').map_or(rest.len(), |e| e + 1);
                rest = &rest[end..];
                literal.push('\n');
            } else {
                let first = rest.chars().next().map_or(1, char::len_utf8);
                let next = rest[first..].find('<').map_or(rest.len(), |n| n + first);
                literal.push_str(&rest[..next]);
                rest = &rest[next..];
            }
            if !literal.trim().is_empty() && (rest.is_empty() || rest.starts_with('<')) {
                // Its lines stay lines (a `<br>` is one line ending too).
                let text = std::mem::take(&mut literal);
                let mut inl = Vec::new();
                for (i, line) in text.trim().split('\n').enumerate() {
                    if i > 0 {
                        inl.push(Inline::Break);
                    }
                    if !line.is_empty() {
                        inl.push(Inline::Text(line.to_owned(), Marks::default()));
                    }
                }
                self.block(Block::Para(inl));
            }
        }
    }

    /// Inline HTML: tags with an equivalent become marks (`<kbd>` and `<code>` code, `<b>`
    /// strong, `<i>` emphasis, `<s>` strike, `<u>`, `<sup>`, `<sub>`), `<a href>` a link and
    /// `<br>` a line break; the tags of other HTML elements are dropped and their text kept;
    /// what is no HTML element (`Bearer <token>`) stays as written.
    fn inline_html(&mut self, html: &str) {
        if let Some(Frame::Cell(_, inl, body)) = self.stack.last_mut() {
            if body.tag(html, inl) {
                return;
            }
        }
        let lower = html.to_ascii_lowercase();
        let closing = lower.starts_with("</");
        let name: String = lower
            .trim_start_matches("</")
            .trim_start_matches('<')
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect();
        let counter = match name.as_str() {
            "u" | "ins" => Some(&mut self.marks.underline),
            "sup" => Some(&mut self.marks.sup),
            "sub" => Some(&mut self.marks.sub),
            "code" | "kbd" | "samp" | "tt" => Some(&mut self.marks.code),
            "b" | "strong" => Some(&mut self.marks.strong),
            "i" | "em" | "cite" | "dfn" | "var" => Some(&mut self.marks.em),
            "s" | "del" | "strike" => Some(&mut self.marks.strike),
            _ => None,
        };
        if let Some(c) = counter {
            *c = if closing {
                c.saturating_sub(1)
            } else if lower.ends_with("/>") {
                *c
            } else {
                *c + 1
            };
        } else if name == "br" {
            self.line_break();
        } else if name == "a" {
            if closing {
                if self.marks.anchors.pop() == Some(true) {
                    self.marks.links.pop();
                }
            } else if !lower.ends_with("/>") {
                let href = attr(html, "href");
                self.marks.anchors.push(href.is_some());
                if let Some(href) = href {
                    self.marks.links.push(href);
                }
            }
        } else if name == "img" && !closing {
            let src = attr(html, "src").unwrap_or_default();
            let alt = attr(html, "alt").unwrap_or_default();
            if src.trim().is_empty() {
                self.text(&alt);
            } else {
                self.inline(Inline::Image { src, alt });
            }
        } else if lower.starts_with("<!--") || is_html_element(&name) {
            // A comment, or an element with no equivalent: its text (between the tags) stays.
        } else {
            self.inline(Inline::Text(html.to_owned(), self.current_marks()));
        }
    }
}

fn panel_kind(kind: BlockQuoteKind) -> PanelKind {
    match kind {
        BlockQuoteKind::Note => PanelKind::Info,
        BlockQuoteKind::Tip => PanelKind::Tip,
        BlockQuoteKind::Important => PanelKind::Note,
        BlockQuoteKind::Warning => PanelKind::Warning,
        BlockQuoteKind::Caution => PanelKind::Error,
    }
}

/// Decodes the few entities that appear in HTML snippets of Markdown.
fn decode_entities(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

//! Confluence storage XHTML → document model, walking quick-xml events with an explicit stack.
//! Keeps what a plain HTML converter drops: code macros with their language, page links, user
//! mentions, panels, expands, task lists, images, status lozenges. An unknown macro becomes a
//! placeholder naming it (its parameters are never run into the text). Malformed input is read
//! as far as it goes.

mod close;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use super::ast::{Block, Inline, Item, MAX_DEPTH, Marks, merge_text, trim_inlines};
use super::entities::{collapse, decode_entities, fix_ampersands, resolve_entity};

/// Elements deeper than this are read for their text only.
const MAX_ELEMENTS: usize = 512;

#[derive(Debug)]
enum Kind {
    Root,
    Para,
    Heading(u8),
    Quote,
    List {
        ordered: bool,
        start: u64,
    },
    Item(Option<bool>),
    /// The rows' row spans, one list per row closed so far.
    Table(Vec<Vec<usize>>),
    /// The row spans of the cells closed so far.
    Row(Vec<usize>),
    /// Header flag, column span, row span.
    Cell(bool, usize, usize),
    Pre,
    Macro {
        name: String,
        params: Vec<(String, String)>,
    },
    Param(String),
    PlainBody,
    Link {
        target: Target,
        label: String,
        anchor: Option<String>,
    },
    Image {
        src: String,
        alt: String,
    },
    TaskStatus,
    Mark(usize),
    Anchor,
    Ignore,
    Transparent,
}

#[derive(Debug, Default)]
enum Target {
    #[default]
    None,
    Page(Option<String>, String),
    /// A blog post: space key, posting day (`YYYY/MM/DD`), title.
    Blog(Option<String>, String, String),
    Space(String),
    User(String),
    File(String),
    Url(String),
}

struct Frame {
    name: String,
    kind: Kind,
    blocks: Vec<Block>,
    inl: Vec<Inline>,
    text: String,
}

struct Walker {
    stack: Vec<Frame>,
    marks: [u32; 7],
    links: Vec<String>,
    overflow: usize,
    /// Open elements of a part that is skipped with all it contains (`ac:adf-fallback`).
    skip: usize,
    depth: usize,
}

/// Parses storage XHTML into blocks.
pub fn parse(src: &str) -> Vec<Block> {
    let fixed = fix_ampersands(src);
    let mut reader = Reader::from_str(&fixed);
    let cfg = reader.config_mut();
    cfg.check_end_names = false;
    cfg.allow_unmatched_ends = true;
    cfg.expand_empty_elements = false;
    let mut w = Walker {
        stack: vec![frame("", Kind::Root)],
        marks: [0; 7],
        links: Vec::new(),
        overflow: 0,
        skip: 0,
        depth: 0,
    };
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => w.start(&e, false),
            Ok(Event::Empty(e)) => w.start(&e, true),
            Ok(Event::End(e)) => w.end(&String::from_utf8_lossy(e.name().as_ref())),
            Ok(Event::Text(t)) => w.text(&String::from_utf8_lossy(&t.into_inner()), false),
            Ok(Event::CData(t)) => w.text(&String::from_utf8_lossy(&t.into_inner()), true),
            Ok(Event::GeneralRef(r)) => {
                let name = String::from_utf8_lossy(&r.into_inner()).into_owned();
                w.text(&resolve_entity(&name), false);
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(_) => {
                let at = usize::try_from(reader.buffer_position())
                    .unwrap_or(fixed.len())
                    .min(fixed.len());
                let rest = fixed.get(at..).unwrap_or("");
                w.text(rest, false);
                break;
            }
        }
    }
    while w.stack.len() > 1 {
        w.close();
    }
    let mut root = w.stack.pop().map(|f| (f.blocks, f.inl)).unwrap_or_default();
    flush(&mut root.1, &mut root.0);
    root.0
}

fn frame(name: &str, kind: Kind) -> Frame {
    Frame {
        name: name.to_owned(),
        kind,
        blocks: Vec::new(),
        inl: Vec::new(),
        text: String::new(),
    }
}

fn attr(e: &BytesStart<'_>, name: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.as_ref() == name.as_bytes())
        .map(|a| {
            let raw = String::from_utf8_lossy(&a.value).into_owned();
            decode_entities(&raw)
        })
}

const VOID: &[&str] = &[
    "br", "hr", "img", "col", "meta", "input", "wbr", "area", "base", "link", "source",
];

impl Walker {
    fn start(&mut self, e: &BytesStart<'_>, empty: bool) {
        let name = String::from_utf8_lossy(e.name().as_ref()).to_ascii_lowercase();
        let empty = empty || VOID.contains(&name.as_str());
        if self.skip > 0 || (name == "ac:adf-fallback" && !empty) {
            // The new editor's ADF extensions carry their content twice: as ADF nodes and as an
            // HTML fallback for old readers. The nodes are read; the fallback is skipped.
            if !empty {
                self.skip += 1;
            }
            return;
        }
        if self.overflow > 0 || self.stack.len() >= MAX_ELEMENTS {
            if !empty {
                self.overflow += 1;
            }
            return;
        }
        if name == "li" {
            self.close_open_item();
        }
        let kind = match name.as_str() {
            "br" => return self.inline(Inline::Break),
            "hr" => return self.block(Block::Rule),
            "time" => {
                if let Some(d) = attr(e, "datetime") {
                    self.inline(Inline::Date(d));
                }
                if empty {
                    return;
                }
                Kind::Ignore
            }
            "ri:page" => {
                return self.target(Target::Page(
                    attr(e, "ri:space-key"),
                    attr(e, "ri:content-title").unwrap_or_default(),
                ));
            }
            "ri:user" => {
                let id = attr(e, "ri:account-id")
                    .or_else(|| attr(e, "ri:userkey"))
                    .or_else(|| attr(e, "ri:username"));
                return self.target(Target::User(id.unwrap_or_default()));
            }
            "ri:attachment" => {
                return self.target(Target::File(attr(e, "ri:filename").unwrap_or_default()));
            }
            "ri:blog-post" => {
                return self.target(Target::Blog(
                    attr(e, "ri:space-key"),
                    attr(e, "ri:posting-day").unwrap_or_default(),
                    attr(e, "ri:content-title").unwrap_or_default(),
                ));
            }
            "ri:space" => {
                return self.target(Target::Space(attr(e, "ri:space-key").unwrap_or_default()));
            }
            "ri:url" => return self.target(Target::Url(attr(e, "ri:value").unwrap_or_default())),
            "ac:emoticon" => {
                let text = attr(e, "ac:emoji-fallback")
                    .filter(|t| !t.is_empty())
                    .or_else(|| attr(e, "ac:name").and_then(|n| close::emoticon(&n)));
                let short = attr(e, "ac:emoji-shortname")
                    .or_else(|| attr(e, "ac:name").map(|n| format!(":{n}:")));
                self.inline(Inline::Emoji {
                    short: short.unwrap_or_default(),
                    text,
                });
                if empty {
                    return;
                }
                Kind::Ignore
            }
            // Terms and definitions of a `<dl>` read as paragraphs of their own.
            "p" | "dt" | "dd" => Kind::Para,
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => Kind::Heading(name.as_bytes()[1] - b'0'),
            "blockquote" => Kind::Quote,
            "ul" | "ol" => Kind::List {
                ordered: name == "ol",
                start: attr(e, "start").and_then(|s| s.parse().ok()).unwrap_or(1),
            },
            "li" => Kind::Item(None),
            "ac:task-list" => Kind::List {
                ordered: false,
                start: 1,
            },
            "ac:task" => Kind::Item(Some(false)),
            "ac:task-status" => Kind::TaskStatus,
            "ac:task-id" | "ac:placeholder" | "script" | "style" => Kind::Ignore,
            "table" => Kind::Table(Vec::new()),
            "tr" => Kind::Row(Vec::new()),
            "th" | "td" => {
                let span = |a: &str, max: usize| {
                    attr(e, a)
                        .and_then(|v| v.trim().parse::<usize>().ok())
                        .map_or(1, |n| n.clamp(1, max))
                };
                Kind::Cell(name == "th", span("colspan", 64), span("rowspan", 1024))
            }
            "pre" => Kind::Pre,
            "ac:structured-macro" | "ac:macro" => Kind::Macro {
                name: attr(e, "ac:name").unwrap_or_default().to_ascii_lowercase(),
                params: Vec::new(),
            },
            "ac:parameter" => Kind::Param(attr(e, "ac:name").unwrap_or_default()),
            // An ADF node of the new editor reads like a macro named `adf:TYPE`.
            "ac:adf-node" => Kind::Macro {
                name: format!("adf:{}", attr(e, "type").unwrap_or_default()).to_ascii_lowercase(),
                params: Vec::new(),
            },
            "ac:adf-attribute" => Kind::Param(attr(e, "key").unwrap_or_default()),
            "ac:plain-text-body" => Kind::PlainBody,
            "ac:link" => Kind::Link {
                target: Target::None,
                label: String::new(),
                anchor: attr(e, "ac:anchor").filter(|a| !a.is_empty()),
            },
            "ac:image" => Kind::Image {
                src: String::new(),
                alt: attr(e, "ac:alt")
                    .or_else(|| attr(e, "ac:title"))
                    .unwrap_or_default(),
            },
            "strong" | "b" => Kind::Mark(0),
            "em" | "i" | "cite" => Kind::Mark(1),
            "del" | "s" | "strike" => Kind::Mark(2),
            "u" | "ins" => Kind::Mark(3),
            "sup" => Kind::Mark(4),
            "sub" => Kind::Mark(5),
            "code" | "tt" | "kbd" => Kind::Mark(6),
            "span" if attr(e, "style").is_some_and(|s| s.contains("line-through")) => Kind::Mark(2),
            "span" if attr(e, "style").is_some_and(|s| s.contains("underline")) => Kind::Mark(3),
            "a" => Kind::Anchor,
            _ => Kind::Transparent,
        };
        if empty {
            // `<p/>`, `<ac:link>…` written empty: open and close at once.
            self.open(&name, kind, e);
            self.close();
        } else {
            self.open(&name, kind, e);
        }
    }

    fn open(&mut self, name: &str, kind: Kind, e: &BytesStart<'_>) {
        let container = matches!(
            kind,
            Kind::Quote | Kind::List { .. } | Kind::Item(_) | Kind::Table(_) | Kind::Macro { .. }
        );
        let kind = if container && self.depth >= MAX_DEPTH {
            Kind::Transparent
        } else {
            if container {
                self.depth += 1;
            }
            kind
        };
        match &kind {
            Kind::Mark(k) => self.marks[*k] += 1,
            Kind::Anchor => self.links.push(attr(e, "href").unwrap_or_default()),
            _ => {}
        }
        self.stack.push(frame(name, kind));
    }

    /// A new `<li>` ends an item of the same list that was left open (as HTML reads it).
    fn close_open_item(&mut self) {
        let list = self
            .stack
            .iter()
            .rposition(|f| matches!(f.kind, Kind::List { .. }));
        let item = self
            .stack
            .iter()
            .rposition(|f| f.name == "li" && matches!(f.kind, Kind::Item(_)));
        if let (Some(list), Some(item)) = (list, item) {
            if item > list {
                while self.stack.len() > item {
                    self.close();
                }
            }
        }
    }

    fn end(&mut self, name: &str) {
        if self.skip > 0 {
            self.skip -= 1;
            return;
        }
        if self.overflow > 0 {
            self.overflow -= 1;
            return;
        }
        let name = name.to_ascii_lowercase();
        if VOID.contains(&name.as_str()) {
            return;
        }
        let found = self
            .stack
            .iter()
            .rev()
            .take(64)
            .position(|f| f.name == name);
        if let Some(n) = found {
            for _ in 0..=n {
                self.close();
            }
        }
    }

    /// The resource a link or image points to. The first one counts: in
    /// `<ri:attachment><ri:page/></ri:attachment>` the page only says where the file is.
    fn target(&mut self, t: Target) {
        match self.stack.last_mut().map(|f| &mut f.kind) {
            Some(Kind::Link { target, .. }) if matches!(target, Target::None) => *target = t,
            Some(Kind::Image { src, .. }) if src.is_empty() => {
                *src = match t {
                    Target::File(f) | Target::Url(f) | Target::Space(f) => f,
                    Target::Page(_, title) | Target::Blog(_, _, title) => title,
                    Target::User(u) => u,
                    Target::None => String::new(),
                }
            }
            _ => {}
        }
    }

    fn current_marks(&self) -> Marks {
        Marks {
            strong: self.marks[0] > 0,
            em: self.marks[1] > 0,
            strike: self.marks[2] > 0,
            underline: self.marks[3] > 0,
            sup: self.marks[4] > 0,
            sub: self.marks[5] > 0,
            code: self.marks[6] > 0,
            link: self.links.last().filter(|l| !l.is_empty()).cloned(),
        }
    }

    fn text(&mut self, raw: &str, cdata: bool) {
        if self.skip > 0 {
            return;
        }
        let Some(top) = self.stack.last_mut() else {
            return;
        };
        match &mut top.kind {
            Kind::Ignore => return,
            Kind::Pre | Kind::PlainBody | Kind::Param(_) | Kind::TaskStatus => {
                top.text.push_str(raw);
                return;
            }
            Kind::Link { label, .. } => {
                label.push_str(raw);
                return;
            }
            Kind::Image { .. } => return,
            _ => {}
        }
        if self.stack.iter().any(|f| matches!(f.kind, Kind::Pre)) {
            if let Some(f) = self
                .stack
                .iter_mut()
                .rev()
                .find(|f| matches!(f.kind, Kind::Pre))
            {
                f.text.push_str(raw);
            }
            return;
        }
        if self
            .stack
            .iter()
            .rev()
            .any(|f| matches!(f.kind, Kind::Link { .. } | Kind::Ignore))
        {
            // Text in a link body: the plain label, and the runs with their formatting.
            let marks = self.current_marks();
            if let Some(f) = self
                .stack
                .iter_mut()
                .rev()
                .find(|f| matches!(f.kind, Kind::Link { .. } | Kind::Ignore))
            {
                if let Kind::Link { label, .. } = &mut f.kind {
                    label.push_str(raw);
                    let text = if cdata { raw.to_owned() } else { collapse(raw) };
                    f.inl.push(Inline::Text(text, marks));
                }
            }
            return;
        }
        let text = if cdata { raw.to_owned() } else { collapse(raw) };
        if text.is_empty() {
            return;
        }
        let accepts_para = matches!(
            self.inline_target().map(|f| &f.kind),
            Some(
                Kind::Para
                    | Kind::Heading(_)
                    | Kind::Macro { .. }
                    | Kind::Cell(..)
                    | Kind::Item(_)
                    | Kind::Root
                    | Kind::Quote
            )
        );
        if accepts_para
            && text.trim().is_empty()
            && self.inline_target().is_some_and(|f| {
                f.inl.is_empty() && !matches!(f.kind, Kind::Para | Kind::Heading(_))
            })
        {
            return;
        }
        let marks = self.current_marks();
        self.inline(Inline::Text(text, marks));
    }

    fn inline_target(&mut self) -> Option<&mut Frame> {
        self.stack.iter_mut().rev().find(|f| {
            !matches!(
                f.kind,
                Kind::Transparent
                    | Kind::Mark(_)
                    | Kind::Anchor
                    | Kind::Row(_)
                    | Kind::Table(_)
                    | Kind::List { .. }
            )
        })
    }

    fn inline(&mut self, i: Inline) {
        if let Some(f) = self.inline_target() {
            match &mut f.kind {
                Kind::Link { label, .. } => label.push_str(&super::ast::inline_text(&[i])),
                Kind::Pre | Kind::PlainBody | Kind::Param(_) | Kind::TaskStatus => {
                    f.text.push_str(&super::ast::inline_text(&[i]))
                }
                Kind::Ignore | Kind::Image { .. } => {}
                _ => f.inl.push(i),
            }
        }
    }

    fn block(&mut self, b: Block) {
        let f = self.stack.iter_mut().rev().find(|f| {
            matches!(
                f.kind,
                Kind::Root
                    | Kind::Quote
                    | Kind::Item(_)
                    | Kind::Cell(..)
                    | Kind::Macro { .. }
                    | Kind::Para
                    | Kind::Heading(_)
                    | Kind::List { .. }
            )
        });
        let Some(f) = f else { return };
        match f.kind {
            Kind::Para | Kind::Heading(_) => {
                // A block inside a paragraph (sloppy input): keep its text.
                let text = super::ast::blocks_text(std::slice::from_ref(&b));
                if !text.is_empty() {
                    f.inl
                        .push(Inline::Text(format!(" {text} "), Marks::default()));
                }
            }
            Kind::List { .. } => f.blocks.push(b),
            _ => {
                flush(&mut f.inl, &mut f.blocks);
                f.blocks.push(b);
            }
        }
    }
}

fn item_of(b: Block) -> Item {
    match b {
        Block::List {
            start: u64::MAX,
            mut items,
            ..
        } if items.len() == 1 => items.pop().unwrap_or(Item {
            task: None,
            body: Vec::new(),
        }),
        other => Item {
            task: None,
            body: vec![other],
        },
    }
}

fn flush(inl: &mut Vec<Inline>, blocks: &mut Vec<Block>) {
    let content = trim_inlines(merge_text(std::mem::take(inl)));
    if !content.is_empty() {
        blocks.push(Block::Para(content));
    }
}

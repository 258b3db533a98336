//! Jira wiki markup → document model: block macros (`{code}`, `{noformat}`, `{quote}`,
//! `{panel}`, `{info}` …, `{expand}`) are cut out first, then lines are read as headings, lists,
//! tables, rules and paragraphs, and text runs by an inline scanner whose closing-delimiter look
//! ups are precomputed, so that no input makes it quadratic.

use super::ast::{Block, Cell, Item, MAX_DEPTH, PanelKind, trim_inlines};
use super::wiki_inline::inline;

#[derive(Debug)]
enum Tok {
    Text(String),
    Open(String, String),
    Close(String),
    Code(Option<String>, String),
}

const CONTAINERS: &[&str] = &["quote", "panel", "info", "note", "tip", "warning", "expand"];

/// Splits wiki text around block macros; code and noformat bodies are taken verbatim.
fn tokenize(src: &str) -> Vec<Tok> {
    let mut toks = Vec::new();
    let mut text_start = 0;
    let mut i = 0;
    let bytes = src.as_bytes();
    while i < bytes.len() {
        let mono = (i > 0 && bytes[i - 1] == b'{') || bytes.get(i + 1) == Some(&b'{');
        if bytes[i] != b'{' || mono || (i > 0 && bytes[i - 1] == b'\\') {
            i += 1;
            continue;
        }
        let mut end = src.len().min(i + 256);
        while !src.is_char_boundary(end) {
            end -= 1;
        }
        let window = &src[i..end];
        let Some(close) = window.find('}').map(|c| i + c) else {
            i += 1;
            continue;
        };
        let tag = &src[i + 1..close];
        let (name, params) = tag.split_once(':').unwrap_or((tag, ""));
        let name = name.to_ascii_lowercase();
        let verbatim = name == "code" || name == "noformat";
        if !verbatim && !CONTAINERS.contains(&name.as_str()) || tag.contains('\n') {
            i += 1;
            continue;
        }
        if text_start < i {
            toks.push(Tok::Text(src[text_start..i].to_owned()));
        }
        if verbatim {
            let end_tag = format!("{{{name}}}");
            let body_start = close + 1;
            let (body, next) = match src[body_start..].find(&end_tag) {
                Some(e) => (
                    &src[body_start..body_start + e],
                    body_start + e + end_tag.len(),
                ),
                None => (&src[body_start..], src.len()),
            };
            let body = body
                .strip_prefix("\r\n")
                .or_else(|| body.strip_prefix('\n'))
                .unwrap_or(body);
            let body = body.strip_suffix('\n').unwrap_or(body);
            let lang = (name == "code").then(|| code_language(params)).flatten();
            let guard = format!("{{{}", super::to_wiki::CODE_GUARD);
            let body = body.replace("\r\n", "\n").replace(&guard, "{");
            toks.push(Tok::Code(lang, body));
            i = next;
        } else if params.is_empty() {
            toks.push(Tok::Close(name));
            i = close + 1;
        } else {
            toks.push(Tok::Open(name, params.to_owned()));
            i = close + 1;
        }
        text_start = i;
    }
    if text_start < src.len() {
        toks.push(Tok::Text(src[text_start..].to_owned()));
    }
    toks
}

fn code_language(params: &str) -> Option<String> {
    for p in params.split('|') {
        match p.split_once('=') {
            Some((k, v)) if k.trim() == "language" || k.trim() == "lang" => {
                return Some(v.trim().to_owned());
            }
            Some(_) => {}
            None if !p.trim().is_empty() => return Some(p.trim().to_owned()),
            None => {}
        }
    }
    None
}

type ListLine = (String, Option<bool>, String, Vec<Block>);

enum Frame {
    Root,
    Quote,
    Panel(PanelKind, Option<String>),
    Expand(String),
    Skip,
}

struct Reader {
    /// Open containers with their collected blocks.
    stack: Vec<(String, Frame, Vec<Block>)>,
    para: Vec<String>,
    /// List lines: marker, task state, text, blocks that follow the line inside the item.
    list: Vec<ListLine>,
    table: Vec<Vec<Cell>>,
}

/// Parses wiki markup into blocks.
pub fn parse(src: &str) -> Vec<Block> {
    let mut r = Reader {
        stack: vec![(String::new(), Frame::Root, Vec::new())],
        para: Vec::new(),
        list: Vec::new(),
        table: Vec::new(),
    };
    // A code block of a list item was just read: text on its closing line goes on the item.
    let mut item_code = false;
    for tok in tokenize(src) {
        let after_item_code = std::mem::take(&mut item_code);
        match tok {
            Tok::Text(t) => {
                // The first and last pieces are parts of the lines that hold macro tags: when
                // empty they are not blank lines.
                let pieces: Vec<&str> = t.split('\n').collect();
                let last = pieces.len() - 1;
                for (i, line) in pieces.into_iter().enumerate() {
                    if i == 0 && after_item_code && !line.trim().is_empty() {
                        let inl = trim_inlines(inline(line.trim_end_matches('\r')));
                        if let (Some(entry), false) = (r.list.last_mut(), inl.is_empty()) {
                            entry.3.push(Block::Para(inl));
                        }
                        continue;
                    }
                    if line.is_empty() && (i == 0 || i == last) && last > 0 {
                        continue;
                    }
                    r.line(line.trim_end_matches('\r'));
                }
            }
            Tok::Code(lang, text) => {
                // A code block right under a list line belongs to that item, as in Jira.
                if let Some(entry) = r.list.last_mut() {
                    entry.3.push(Block::Code { lang, text });
                    item_code = true;
                } else {
                    r.flush();
                    r.push(Block::Code { lang, text });
                }
            }
            Tok::Open(name, params) => r.open(&name, &params),
            Tok::Close(name) => {
                if r.stack.iter().skip(1).any(|(n, ..)| *n == name) {
                    r.close_until(&name);
                } else {
                    r.open(&name, "");
                }
            }
        }
    }
    r.flush();
    while r.stack.len() > 1 {
        r.close_top();
    }
    r.stack.pop().map(|(_, _, b)| b).unwrap_or_default()
}

impl Reader {
    fn push(&mut self, b: Block) {
        if let Some((_, _, body)) = self.stack.last_mut() {
            body.push(b);
        }
    }

    fn open(&mut self, name: &str, params: &str) {
        self.flush();
        let frame = if self.stack.len() > MAX_DEPTH {
            Frame::Skip
        } else {
            match name {
                "quote" => Frame::Quote,
                "expand" => Frame::Expand(params.trim().to_owned()),
                _ => {
                    let (kind, title) = panel(name, params);
                    Frame::Panel(kind, title)
                }
            }
        };
        self.stack.push((name.to_owned(), frame, Vec::new()));
    }

    fn close_until(&mut self, name: &str) {
        self.flush();
        while self.stack.len() > 1 {
            let top = self.stack.last().map(|(n, ..)| n == name).unwrap_or(false);
            self.close_top();
            if top {
                break;
            }
        }
    }

    fn close_top(&mut self) {
        self.flush();
        let Some((_, frame, body)) = self.stack.pop() else {
            return;
        };
        match frame {
            Frame::Root => {}
            Frame::Skip => body.into_iter().for_each(|b| self.push(b)),
            Frame::Quote => self.push(Block::Quote(body)),
            Frame::Panel(kind, title) => self.push(Block::Panel { kind, title, body }),
            Frame::Expand(title) => self.push(Block::Expand { title, body }),
        }
    }

    fn flush(&mut self) {
        if !self.para.is_empty() {
            let text = std::mem::take(&mut self.para).join("\n");
            let inl = trim_inlines(inline(&text));
            if !inl.is_empty() {
                self.push(Block::Para(inl));
            }
        }
        if !self.list.is_empty() {
            let lines = std::mem::take(&mut self.list);
            let mut pos = 0;
            while pos < lines.len() {
                let list = build_list(&lines, &mut pos, 1);
                self.push(list);
            }
        }
        if !self.table.is_empty() {
            let rows = std::mem::take(&mut self.table);
            self.push(Block::Table(rows));
        }
    }

    fn line(&mut self, raw: &str) {
        let line = raw.trim_start();
        if line.trim().is_empty() {
            self.flush();
            return;
        }
        if let Some((level, rest)) = heading(line) {
            self.flush();
            self.push(Block::Heading(level, trim_inlines(inline(rest))));
        } else if let Some(rest) = line.strip_prefix("bq. ") {
            self.flush();
            self.push(Block::Quote(vec![Block::Para(trim_inlines(inline(rest)))]));
        } else if line.trim_end() == "----" {
            self.flush();
            self.push(Block::Rule);
        } else if let Some((marker, text)) = list_marker(line) {
            if self.list.is_empty() {
                self.flush();
            }
            let (task, text) = task_marker(text);
            self.list
                .push((marker.to_owned(), task, text.to_owned(), Vec::new()));
        } else if line.starts_with('|') {
            if self.table.is_empty() {
                self.flush();
            }
            self.table.push(row(line.trim_end()));
        } else {
            if !self.list.is_empty() || !self.table.is_empty() {
                self.flush();
            }
            self.para.push(line.to_owned());
        }
    }
}

fn panel(name: &str, params: &str) -> (PanelKind, Option<String>) {
    let mut kind = match name {
        "info" => PanelKind::Info,
        "tip" => PanelKind::Tip,
        "note" => PanelKind::Warning,
        "warning" => PanelKind::Error,
        _ => PanelKind::Plain,
    };
    let mut title = None;
    for p in params.split('|') {
        let Some((k, v)) = p.split_once('=') else {
            continue;
        };
        match k.trim().to_ascii_lowercase().as_str() {
            "title" => title = Some(v.trim().to_owned()).filter(|t| !t.is_empty()),
            "bgcolor" if name == "panel" => kind = kind_for_color(v.trim()),
            _ => {}
        }
    }
    (kind, title)
}

/// The panel type a Jira panel colour stands for.
pub fn kind_for_color(color: &str) -> PanelKind {
    match color.to_ascii_lowercase().as_str() {
        "#deebff" => PanelKind::Info,
        "#eae6ff" => PanelKind::Note,
        "#e3fcef" => PanelKind::Success,
        "#fffae6" => PanelKind::Warning,
        "#ffebe6" => PanelKind::Error,
        _ => PanelKind::Plain,
    }
}

fn heading(line: &str) -> Option<(u8, &str)> {
    let b = line.as_bytes();
    if b.len() >= 3 && b[0] == b'h' && (b'1'..=b'6').contains(&b[1]) && b[2] == b'.' {
        let rest = &line[3..];
        if rest.is_empty() || rest.starts_with(' ') {
            return Some((b[1] - b'0', rest.trim()));
        }
    }
    None
}

fn list_marker(line: &str) -> Option<(&str, &str)> {
    let n = line
        .bytes()
        .take_while(|b| *b == b'*' || *b == b'#')
        .count();
    if n > 0 && line[n..].starts_with(' ') {
        return Some((&line[..n.min(MAX_DEPTH)], line[n..].trim_start()));
    }
    if let Some(rest) = line.strip_prefix("- ") {
        return Some(("*", rest.trim_start()));
    }
    None
}

fn task_marker(text: &str) -> (Option<bool>, &str) {
    for (m, done) in [
        ("\\[ \\] ", false),
        ("\\[x\\] ", true),
        ("\\[X\\] ", true),
        ("[ ] ", false),
        ("[x] ", true),
    ] {
        if let Some(rest) = text.strip_prefix(m) {
            return (Some(done), rest);
        }
    }
    (None, text)
}

/// Builds a list from marker lines starting at `pos`, for the marker length `depth`.
fn build_list(lines: &[ListLine], pos: &mut usize, depth: usize) -> Block {
    let kind = lines[*pos].0.as_bytes().get(depth - 1).copied();
    let ordered = kind == Some(b'#');
    let mut items: Vec<Item> = Vec::new();
    while *pos < lines.len() {
        let (marker, task, text, extra) = &lines[*pos];
        if marker.len() < depth || marker.as_bytes().get(depth - 1).copied() != kind {
            break;
        }
        if marker.len() > depth {
            let nested = build_list(lines, pos, depth + 1);
            match items.last_mut() {
                Some(item) => item.body.push(nested),
                None => items.push(Item {
                    task: None,
                    body: vec![nested],
                }),
            }
            continue;
        }
        let inl = trim_inlines(inline(text));
        let mut body = if inl.is_empty() {
            Vec::new()
        } else {
            vec![Block::Para(inl)]
        };
        body.extend(extra.iter().cloned());
        items.push(Item { task: *task, body });
        *pos += 1;
    }
    Block::List {
        ordered,
        start: 1,
        items,
    }
}

/// A table row: `||` starts a header cell, `|` a plain one; bars inside links, images, `{{…}}`
/// or escaped are text.
fn row(line: &str) -> Vec<Cell> {
    let chars: Vec<char> = line.chars().collect();
    let mut cells = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let header = chars[i] == '|' && chars.get(i + 1) == Some(&'|');
        i += if header { 2 } else { 1 };
        let start = i;
        let (mut bracket, mut mono) = (0usize, false);
        while i < chars.len() {
            match chars[i] {
                '\\' => i += 1,
                '[' if !mono => bracket += 1,
                ']' if !mono => bracket = bracket.saturating_sub(1),
                '{' if chars.get(i + 1) == Some(&'{') => {
                    mono = true;
                    i += 1;
                }
                '}' if mono && chars.get(i + 1) == Some(&'}') => {
                    mono = false;
                    i += 1;
                }
                // `!image.png|thumbnail!`: the bar belongs to the image.
                '!' if bracket == 0 && !mono => {
                    let rest = &chars[i + 1..];
                    if let Some(len) = rest.iter().take(256).position(|c| *c == '!') {
                        let inner = &rest[..len];
                        let bar = inner.iter().position(|c| *c == '|');
                        let src = &inner[..bar.unwrap_or(len)];
                        if bar.is_some()
                            && !src.is_empty()
                            && !src.iter().any(|c| c.is_whitespace())
                        {
                            i += len + 1;
                        }
                    }
                }
                '|' if bracket == 0 && !mono => break,
                _ => {}
            }
            i += 1;
        }
        let text: String = chars[start..i.min(chars.len())].iter().collect();
        if i >= chars.len() && text.trim().is_empty() {
            break;
        }
        let inl = trim_inlines(inline(&text));
        let body = if inl.is_empty() {
            Vec::new()
        } else {
            vec![Block::Para(inl)]
        };
        cells.push(Cell { header, body });
    }
    cells
}

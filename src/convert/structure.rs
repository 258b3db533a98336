//! The structure of a Markdown document as pulldown-cmark (a CommonMark + GFM parser) reads it,
//! one node a line: blocks, list kind, start and task state, code language and exact text,
//! table cells, link targets, images and the marks of every text run. It is built from the
//! parser's event stream, not from the document model, so that the round-trip checks
//! ([`super::roundtrip`]) do not judge the readers with themselves. Only spelling is normalised:
//! white space runs (and white space at the edge of a mark) are plain spaces, `<ops@x.io>` is a
//! `mailto:` link, a bare URL a link, tight and loose lists are alike, inline HTML tags with an
//! equivalent are their mark, those of other HTML elements vanish, comments are nothing, a
//! link with an empty target is plain text and an image without a source its alt text.

use std::fmt::Write;

use pulldown_cmark::{CodeBlockKind, Event, LinkType, Options, Parser, Tag, TagEnd};

use super::plain_text::{split_urls, without_controls};

#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct RunMarks {
    strong: u32,
    em: u32,
    strike: u32,
    code: u32,
    underline: u32,
    sup: u32,
    sub: u32,
    links: Vec<String>,
}

#[derive(Clone, PartialEq, Eq)]
enum Tok {
    Text(String, String),
    Break,
    Image(String, String),
}

struct Walker {
    out: String,
    depth: usize,
    marks: RunMarks,
    inline: Vec<Tok>,
    /// Inside an image: its alt text.
    image: Option<(String, String)>,
    code: Option<String>,
    /// `<a>` tags open: whether each pushed a link.
    anchors: Vec<bool>,
    /// The first word of each open block's line.
    open: Vec<&'static str>,
}

/// The structure dump of `markdown`.
pub fn structure(markdown: &str) -> String {
    let opts = Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_GFM;
    let mut w = Walker {
        out: String::new(),
        depth: 0,
        marks: RunMarks::default(),
        inline: Vec::new(),
        image: None,
        code: None,
        anchors: Vec::new(),
        open: Vec::new(),
    };
    // Control characters are not compared: the Markdown reader drops them.
    let markdown = without_controls(markdown);
    for event in Parser::new_ext(&markdown, opts) {
        w.event(event);
    }
    w.flush();
    w.out
}

impl Walker {
    fn line(&mut self, text: &str) {
        self.flush();
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
        self.out.push_str(text);
        self.out.push('\n');
    }

    fn open(&mut self, text: &str) {
        self.line(text);
        self.depth += 1;
        self.open.push(if text == "item" { "item" } else { "" });
    }

    fn close(&mut self) {
        self.flush();
        self.depth = self.depth.saturating_sub(1);
        self.open.pop();
    }

    fn event(&mut self, event: Event<'_>) {
        if let Some(code) = &mut self.code {
            match event {
                Event::Text(t) => code.push_str(&t),
                Event::End(TagEnd::CodeBlock) => {
                    let mut text =
                        super::plain_text::line_endings(&self.code.take().unwrap_or_default());
                    if text.ends_with('\n') {
                        text.pop();
                    }
                    self.line(&format!("text {text:?}"));
                    self.close();
                }
                _ => {}
            }
            return;
        }
        if let Some((_, alt)) = &mut self.image {
            match event {
                Event::Text(t) | Event::Code(t) => alt.push_str(&t),
                Event::End(TagEnd::Image) => {
                    let (src, alt) = self.image.take().unwrap_or_default();
                    if src.trim().is_empty() {
                        self.text(&alt, false);
                    } else {
                        self.inline.push(Tok::Image(src, collapse(&alt)));
                    }
                }
                _ => {}
            }
            return;
        }
        match event {
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(tag),
            Event::Text(t) => self.text(&t, false),
            Event::Code(t) => self.text(&t, true),
            Event::SoftBreak => self.text(" ", false),
            Event::HardBreak => self.inline.push(Tok::Break),
            Event::Rule => self.line("rule"),
            Event::Html(h) => self.html_block(&h),
            Event::InlineHtml(h) => self.inline_html(&h),
            Event::TaskListMarker(done) => {
                // On the item's line, whether the item is tight or loose.
                if let Some(at) = self.out.rfind("item\n") {
                    let mark = if done { "item [x]\n" } else { "item [ ]\n" };
                    self.out.replace_range(at..at + 5, mark);
                }
            }
            Event::FootnoteReference(r) => self.text(&format!("[^{r}]"), false),
            Event::InlineMath(m) | Event::DisplayMath(m) => self.text(&m, false),
        }
    }

    fn start(&mut self, tag: Tag<'_>) {
        match tag {
            Tag::Paragraph => self.open("para"),
            Tag::Heading { level, .. } => self.open(&format!("h{}", level as u8)),
            Tag::BlockQuote(None) => self.open("quote"),
            Tag::BlockQuote(Some(kind)) => self.open(&format!("alert {kind:?}")),
            Tag::CodeBlock(kind) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => info
                        .split(|c: char| c.is_whitespace() || c == ',' || c == '{')
                        .next()
                        .unwrap_or("")
                        .to_owned(),
                    CodeBlockKind::Indented => String::new(),
                };
                self.open(&format!("code [{lang}]"));
                self.code = Some(String::new());
            }
            Tag::List(Some(start)) => self.open(&format!("list ordered from {start}")),
            Tag::List(None) => self.open("list bullet"),
            Tag::Item => self.open("item"),
            Tag::Table(_) => self.open("table"),
            Tag::TableHead => self.open("head"),
            Tag::TableRow => self.open("row"),
            Tag::TableCell => self.open("cell"),
            Tag::Emphasis => self.marks.em += 1,
            Tag::Strong => self.marks.strong += 1,
            Tag::Strikethrough => self.marks.strike += 1,
            Tag::Link {
                link_type,
                dest_url,
                ..
            } => self.marks.links.push(if link_type == LinkType::Email {
                format!("mailto:{dest_url}")
            } else {
                dest_url.to_string()
            }),
            Tag::Image { dest_url, .. } => self.image = Some((dest_url.to_string(), String::new())),
            Tag::HtmlBlock => {}
            _ => {}
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Emphasis => self.marks.em = self.marks.em.saturating_sub(1),
            TagEnd::Strong => self.marks.strong = self.marks.strong.saturating_sub(1),
            TagEnd::Strikethrough => self.marks.strike = self.marks.strike.saturating_sub(1),
            TagEnd::Link => {
                self.marks.links.pop();
            }
            TagEnd::HtmlBlock | TagEnd::Image | TagEnd::CodeBlock => {}
            _ => self.close(),
        }
    }

    fn text(&mut self, t: &str, code: bool) {
        // Bare URLs are linked in `flush`, once the text split by escapes is whole again.
        let m = self.mark_names(code);
        self.inline.push(Tok::Text(t.to_owned(), m));
    }

    fn mark_names(&self, code: bool) -> String {
        let m = &self.marks;
        let mut names = Vec::new();
        for (on, name) in [
            (m.strong > 0, "strong"),
            (m.em > 0, "em"),
            (m.strike > 0, "strike"),
            (m.code > 0 || code, "code"),
            (m.underline > 0, "u"),
            (m.sup > 0, "sup"),
            (m.sub > 0, "sub"),
        ] {
            if on {
                names.push(name.to_owned());
            }
        }
        if let Some(l) = m.links.last().filter(|l| !l.is_empty()) {
            names.push(format!("link={l}"));
        }
        names.join(",")
    }

    /// The inline content read since the last block line, normalised, as one `inline` line.
    fn flush(&mut self) {
        if self.inline.is_empty() {
            return;
        }
        // Text events with the same marks are one text; bare URLs in plain text link.
        let mut toks: Vec<Tok> = Vec::new();
        for t in std::mem::take(&mut self.inline) {
            if let (Tok::Text(s, m), Some(Tok::Text(ps, pm))) = (&t, toks.last_mut()) {
                if m == pm {
                    ps.push_str(s);
                    continue;
                }
            }
            toks.push(t);
        }
        let toks: Vec<Tok> = toks
            .into_iter()
            .flat_map(|t| match t {
                Tok::Text(s, m) if !is_code(&m) && !m.contains("link=") && s.contains("://") => {
                    split_urls(&s)
                        .into_iter()
                        .map(|(piece, url)| {
                            let m = match (url, m.is_empty()) {
                                (false, _) => m.clone(),
                                (true, true) => format!("link={piece}"),
                                (true, false) => format!("{m},link={piece}"),
                            };
                            Tok::Text(piece.to_owned(), m)
                        })
                        .collect::<Vec<_>>()
                }
                other => vec![other],
            })
            .collect();
        // White space at the edge of a marked run is plain; runs with equal marks are one.
        let mut norm: Vec<Tok> = Vec::new();
        let push = |t: Tok, norm: &mut Vec<Tok>| {
            if let (Tok::Text(s, m), Some(Tok::Text(ps, pm))) = (&t, norm.last_mut()) {
                if m == pm {
                    ps.push_str(s);
                    return;
                }
            }
            // `*a* *b*` is `*a b*`: white space between runs with the same marks joins them.
            if let (Tok::Text(s, m), [.., Tok::Text(pps, ppm), Tok::Text(ws, wm)]) =
                (&t, norm.as_mut_slice())
            {
                if m == ppm && !m.is_empty() && !is_code(m) && wm.is_empty() && ws.trim().is_empty()
                {
                    pps.push(' ');
                    pps.push_str(s);
                    norm.pop();
                    return;
                }
            }
            norm.push(t);
        };
        for t in toks {
            match t {
                Tok::Text(s, m) if !is_code(&m) => {
                    let core = s.trim_matches(char::is_whitespace);
                    if core.is_empty() {
                        push(Tok::Text(" ".into(), String::new()), &mut norm);
                        continue;
                    }
                    if core.len() < s.len() && s.starts_with(char::is_whitespace) {
                        push(Tok::Text(" ".into(), String::new()), &mut norm);
                    }
                    push(Tok::Text(core.to_owned(), m), &mut norm);
                    if s.ends_with(char::is_whitespace) {
                        push(Tok::Text(" ".into(), String::new()), &mut norm);
                    }
                }
                other => push(other, &mut norm),
            }
        }
        let mut parts = Vec::new();
        let n = norm.len();
        let before_break: Vec<bool> = (0..n)
            .map(|i| matches!(norm.get(i + 1), Some(Tok::Break)))
            .collect();
        let mut after_break = false;
        for (i, t) in norm.into_iter().enumerate() {
            let was_break = std::mem::replace(&mut after_break, matches!(t, Tok::Break));
            let after_break = was_break;
            match t {
                Tok::Text(s, m) => {
                    let mut s = if is_code(&m) { s } else { collapse(&s) };
                    // White space at the paragraph's edges and next to a line break is not
                    // compared.
                    if i == 0 || (after_break && !is_code(&m)) {
                        s = s.trim_start().to_owned();
                    }
                    if i + 1 == n || (before_break[i] && !is_code(&m)) {
                        s = s.trim_end().to_owned();
                    }
                    if s.is_empty() {
                        continue;
                    }
                    parts.push(if m.is_empty() {
                        format!("{s:?}")
                    } else {
                        format!("{s:?}[{m}]")
                    });
                }
                Tok::Break => parts.push("BR".into()),
                Tok::Image(src, alt) => parts.push(format!("image({src:?}, {alt:?})")),
            }
        }
        // White space next to a line break is not compared.
        let mut text = parts.join(" ");
        for (from, to) in [("\" \" BR", "BR"), ("BR \" \"", "BR")] {
            text = text.replace(from, to);
        }
        if text.is_empty() {
            return;
        }
        // The text of a tight list item is a paragraph, as in a loose one.
        let mut depth = self.depth;
        if self.open.last() == Some(&"item") {
            for _ in 0..depth {
                self.out.push_str("  ");
            }
            self.out.push_str("para\n");
            depth += 1;
        }
        for _ in 0..depth {
            self.out.push_str("  ");
        }
        let _ = writeln!(self.out, "inline {text}");
    }

    /// An HTML block: comments vanish, `<details>` and `<summary>` tags are lines, the text
    /// between them a line (other tags dropped, as the Markdown reader does).
    fn html_block(&mut self, html: &str) {
        let mut rest = html;
        let mut text = String::new();
        while !rest.is_empty() {
            if rest.starts_with("<!--") {
                let end = rest.find("-->").map_or(rest.len(), |e| e + 3);
                rest = &rest[end..];
            } else if rest.starts_with('<') {
                let end = rest.find('>').map_or(rest.len(), |e| e + 1);
                let tag = collapse(&rest[..end]).to_ascii_lowercase();
                let name = tag.trim_start_matches(['<', '/']);
                if name.starts_with("details") || name.starts_with("summary") {
                    self.html_text(&mut text);
                    self.line(&format!("html {tag}"));
                } else if name.starts_with("br") {
                    text.push(' ');
                }
                rest = &rest[end..];
            } else {
                let end = rest.find('<').unwrap_or(rest.len());
                text.push_str(&rest[..end]);
                rest = &rest[end..];
            }
        }
        self.html_text(&mut text);
    }

    fn html_text(&mut self, text: &mut String) {
        let t = collapse(&std::mem::take(text));
        if !t.trim().is_empty() {
            self.line(&format!("html-text {:?}", t.trim()));
        }
    }

    fn inline_html(&mut self, html: &str) {
        let lower = html.to_ascii_lowercase();
        let closing = lower.starts_with("</");
        let name: String = lower
            .trim_start_matches("</")
            .trim_start_matches('<')
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect();
        let m = &mut self.marks;
        let counter = match name.as_str() {
            "u" | "ins" => Some(&mut m.underline),
            "sup" => Some(&mut m.sup),
            "sub" => Some(&mut m.sub),
            "code" | "kbd" | "samp" | "tt" => Some(&mut m.code),
            "b" | "strong" => Some(&mut m.strong),
            "i" | "em" | "cite" | "dfn" | "var" => Some(&mut m.em),
            "s" | "del" | "strike" => Some(&mut m.strike),
            _ => None,
        };
        if let Some(c) = counter {
            if closing {
                *c = c.saturating_sub(1);
            } else if !lower.ends_with("/>") {
                *c += 1;
            }
        } else if name == "br" {
            self.inline.push(Tok::Break);
        } else if name == "a" {
            if closing {
                if self.anchors.pop() == Some(true) {
                    self.marks.links.pop();
                }
            } else {
                let href = attr(html, "href");
                self.anchors.push(href.is_some());
                self.marks.links.extend(href);
            }
        } else if name == "img" && !closing {
            let src = attr(html, "src").unwrap_or_default();
            let alt = attr(html, "alt").unwrap_or_default();
            if src.trim().is_empty() {
                self.text(&alt, false);
            } else {
                self.inline.push(Tok::Image(src, alt));
            }
        } else if matches!(name.as_str(), "ul" | "ol" | "li" | "p") {
            // Block content in a table cell, in the tags the Markdown writer uses there.
            self.inline
                .push(Tok::Text(format!(" {lower} "), String::new()));
        } else if lower.starts_with("<!--") || is_html_element(&name) {
        } else {
            let m = self.mark_names(false);
            self.inline.push(Tok::Text(html.to_owned(), m));
        }
    }
}

/// HTML elements of running text whose tags the Markdown reader drops (it keeps their text).
pub fn is_html_element(name: &str) -> bool {
    matches!(
        name,
        "abbr"
            | "bdi"
            | "bdo"
            | "big"
            | "center"
            | "data"
            | "div"
            | "font"
            | "label"
            | "mark"
            | "nobr"
            | "q"
            | "rp"
            | "rt"
            | "ruby"
            | "small"
            | "span"
            | "time"
            | "wbr"
    )
}

/// The value of attribute `name` of an HTML start tag, entities decoded.
pub fn attr(tag: &str, name: &str) -> Option<String> {
    let lower = tag.to_ascii_lowercase();
    let mut from = 0;
    while let Some(at) = lower[from..].find(name).map(|a| a + from) {
        from = at + name.len();
        let before_ok = lower[..at].ends_with(|c: char| c.is_whitespace());
        let rest = lower[from..].trim_start();
        if !before_ok || !rest.starts_with('=') {
            continue;
        }
        let value = tag[tag.len() - rest.len() + 1..].trim_start();
        let raw = match value.chars().next() {
            Some(q @ ('"' | '\'')) => value[1..].split(q).next().unwrap_or(""),
            _ => value
                .split(|c: char| c.is_whitespace() || c == '>')
                .next()
                .unwrap_or(""),
        };
        return Some(
            raw.replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&#39;", "'")
                .replace("&amp;", "&"),
        );
    }
    None
}

/// Whether a run's mark list (`strong,code,link=…`) has `code`; the link target, always last,
/// may hold the word too.
fn is_code(marks: &str) -> bool {
    let marks = marks.split("link=").next().unwrap_or_default();
    marks.split(',').any(|m| m == "code")
}

fn collapse(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut ws = false;
    for c in s.chars() {
        if c.is_whitespace() && c != '\u{a0}' {
            ws = true;
        } else {
            if ws {
                out.push(' ');
            }
            ws = false;
            out.push(c);
        }
    }
    if ws {
        out.push(' ');
    }
    out
}

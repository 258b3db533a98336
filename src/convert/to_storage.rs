//! Document model → Confluence storage format (XHTML with `ac:`/`ri:` elements). Code blocks
//! become the `code` macro with their language in CDATA (a `]]>` inside is split across two
//! sections), alerts become the info/tip/note/warning macros, tasks `ac:task-list`, mentions
//! `ri:user`, `page:` links `ri:page`, bare file names `ri:attachment`.

use super::ast::{Block, Cell, Inline, Item, Marks, PanelKind, task_runs};
use super::{Flavor, Options};

/// Link destinations with this prefix name a Confluence page: `page:Title` or `page:SPACE:Title`.
pub const PAGE_SCHEME: &str = "page:";
/// Links to a blog post: `blog:[SPACE:]YYYY/MM/DD:Title`.
pub const BLOG_SCHEME: &str = "blog:";
/// Links to a space home: `space:KEY`.
pub const SPACE_SCHEME: &str = "space:";

/// Renders blocks as storage XHTML.
pub fn render(doc: &[Block], opts: &Options) -> String {
    let mut w = Writer {
        opts,
        task_id: 0,
        out: String::new(),
    };
    w.blocks(doc);
    w.out
}

struct Writer<'a> {
    opts: &'a Options,
    task_id: u32,
    out: String,
}

pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\t' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

/// Wraps text in CDATA, splitting every `]]>` across two sections.
pub fn cdata(text: &str) -> String {
    // XML 1.0 holds no control characters but tab and line breaks, not even in CDATA.
    let text: String = text
        .chars()
        .filter(|c| (*c as u32) >= 0x20 || matches!(c, '\n' | '\t' | '\r'))
        .collect();
    format!("<![CDATA[{}]]>", text.replace("]]>", "]]]]><![CDATA[>"))
}

/// A bare file name (no scheme, no path): an attachment of the page.
pub fn is_attachment(href: &str) -> bool {
    !href.is_empty()
        && !href.contains([':', '/', '#', '?', ' '])
        && href
            .rsplit_once('.')
            .is_some_and(|(stem, ext)| !stem.is_empty() && (1..=5).contains(&ext.len()))
}

/// Splits a `blog:` link into an optional space key, the posting day and the title.
pub fn blog_target(href: &str) -> Option<(Option<&str>, &str, &str)> {
    let rest = href.strip_prefix(BLOG_SCHEME)?;
    let mut parts = rest.splitn(3, ':');
    let (a, b, c) = (parts.next()?, parts.next()?, parts.next());
    let is_day = |d: &str| d.len() == 10 && d.chars().all(|ch| ch.is_ascii_digit() || ch == '/');
    match c {
        Some(title) if is_day(b) && !title.is_empty() => Some((Some(a), b, title)),
        _ if is_day(a) && rest.len() > a.len() + 1 => Some((None, a, &rest[a.len() + 1..])),
        _ => None,
    }
}

/// Splits a `page:` link into an optional space key and a title.
pub fn page_target(href: &str) -> Option<(Option<&str>, &str)> {
    let rest = href.strip_prefix(PAGE_SCHEME)?;
    if let Some((space, title)) = rest.split_once(':') {
        let is_key = !space.is_empty()
            && space
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '~' || c == '_');
        if is_key && !title.is_empty() {
            return Some((Some(space), title));
        }
    }
    (!rest.is_empty()).then_some((None, rest))
}

impl Writer<'_> {
    fn blocks(&mut self, blocks: &[Block]) {
        for b in blocks {
            self.block(b);
        }
    }

    fn block(&mut self, b: &Block) {
        match b {
            Block::Para(inl) => {
                self.out.push_str("<p>");
                self.inlines(inl);
                self.out.push_str("</p>");
            }
            Block::Heading(level, inl) => {
                let l = (*level).clamp(1, 6);
                self.out.push_str(&format!("<h{l}>"));
                self.inlines(inl);
                self.out.push_str(&format!("</h{l}>"));
            }
            Block::Code { lang, text } => {
                self.out.push_str("<ac:structured-macro ac:name=\"code\">");
                if let Some(l) = lang {
                    self.param("language", l);
                }
                self.out.push_str("<ac:plain-text-body>");
                // Readers drop one line break at each edge of the body: one more where the
                // text itself starts or ends with one.
                let lead = if text.starts_with('\n') { "\n" } else { "" };
                let trail = if text.ends_with('\n') { "\n" } else { "" };
                self.out.push_str(&cdata(&format!("{lead}{text}{trail}")));
                self.out
                    .push_str("</ac:plain-text-body></ac:structured-macro>");
            }
            Block::Quote(body) => {
                self.out.push_str("<blockquote>");
                self.blocks(body);
                self.out.push_str("</blockquote>");
            }
            Block::Panel { kind, title, body } => {
                let (name, color) = match kind {
                    PanelKind::Info => ("info", None),
                    PanelKind::Tip | PanelKind::Success => ("tip", None),
                    PanelKind::Warning => ("note", None),
                    PanelKind::Error => ("warning", None),
                    PanelKind::Note => ("panel", Some("#eae6ff")),
                    PanelKind::Plain => ("panel", None),
                };
                self.out
                    .push_str(&format!("<ac:structured-macro ac:name=\"{name}\">"));
                if let Some(t) = title.as_deref().filter(|t| !t.trim().is_empty()) {
                    self.param("title", t.trim());
                }
                if let Some(c) = color {
                    self.param("bgColor", c);
                }
                self.out.push_str("<ac:rich-text-body>");
                self.blocks(body);
                self.out
                    .push_str("</ac:rich-text-body></ac:structured-macro>");
            }
            Block::Expand { title, body } => {
                self.out
                    .push_str("<ac:structured-macro ac:name=\"expand\">");
                if !title.is_empty() {
                    self.param("title", title);
                }
                self.out.push_str("<ac:rich-text-body>");
                self.blocks(body);
                self.out
                    .push_str("</ac:rich-text-body></ac:structured-macro>");
            }
            Block::List {
                ordered,
                start,
                items,
            } if task_runs(items).len() > 1 => {
                for (tasks, run) in task_runs(items) {
                    let ordered = *ordered && !tasks;
                    self.block(&Block::List {
                        ordered,
                        start: *start,
                        items: run.to_vec(),
                    });
                }
            }
            Block::List {
                ordered,
                start,
                items,
            } => {
                if !items.is_empty() && items.iter().all(|i| i.task.is_some()) {
                    self.tasks(items);
                    return;
                }
                let tag = if *ordered { "ol" } else { "ul" };
                if *ordered && *start != 1 {
                    self.out.push_str(&format!("<ol start=\"{start}\">"));
                } else {
                    self.out.push_str(&format!("<{tag}>"));
                }
                for item in items {
                    self.out.push_str("<li>");
                    if let Some(done) = item.task {
                        self.out.push_str(if done { "[x] " } else { "[ ] " });
                    }
                    self.item_body(&item.body);
                    self.out.push_str("</li>");
                }
                self.out.push_str(&format!("</{tag}>"));
            }
            Block::Table(rows) => self.table(rows),
            Block::Rule => self.out.push_str("<hr />"),
        }
    }

    /// A list item: a leading paragraph is written bare (as the Confluence editor does).
    fn item_body(&mut self, body: &[Block]) {
        let mut rest = body;
        if let [Block::Para(inl), tail @ ..] = body {
            if !tail.iter().any(|b| matches!(b, Block::Para(_))) {
                self.inlines(inl);
                rest = tail;
            }
        }
        self.blocks(rest);
    }

    fn tasks(&mut self, items: &[Item]) {
        self.out.push_str("<ac:task-list>");
        for item in items {
            self.task_id += 1;
            let status = if item.task == Some(true) {
                "complete"
            } else {
                "incomplete"
            };
            self.out.push_str(&format!(
                "<ac:task><ac:task-id>{}</ac:task-id><ac:task-status>{status}</ac:task-status><ac:task-body>",
                self.task_id
            ));
            self.item_body(&item.body);
            self.out.push_str("</ac:task-body></ac:task>");
        }
        self.out.push_str("</ac:task-list>");
    }

    fn table(&mut self, rows: &[Vec<Cell>]) {
        self.out.push_str("<table><tbody>");
        for row in rows {
            self.out.push_str("<tr>");
            for cell in row {
                let tag = if cell.header { "th" } else { "td" };
                self.out.push_str(&format!("<{tag}>"));
                if cell.body.is_empty() {
                    self.out.push_str("<p />");
                }
                self.blocks(&cell.body);
                self.out.push_str(&format!("</{tag}>"));
            }
            self.out.push_str("</tr>");
        }
        self.out.push_str("</tbody></table>");
    }

    fn param(&mut self, name: &str, value: &str) {
        self.out.push_str(&format!(
            "<ac:parameter ac:name=\"{name}\">{}</ac:parameter>",
            xml_escape(value)
        ));
    }

    fn inlines(&mut self, inl: &[Inline]) {
        let mut i = 0;
        while i < inl.len() {
            if let Inline::Text(
                _,
                Marks {
                    link: Some(href), ..
                },
            ) = &inl[i]
            {
                let href = href.clone();
                let mut j = i;
                while j < inl.len()
                    && matches!(&inl[j], Inline::Text(_, m) if m.link.as_deref() == Some(&href))
                {
                    j += 1;
                }
                self.link(&inl[i..j], &href);
                i = j;
            } else {
                self.runs(&inl[i..i + 1]);
                i += 1;
            }
        }
    }

    fn link(&mut self, group: &[Inline], href: &str) {
        let resource = if let Some((space, title)) = page_target(href) {
            let space = space.map_or(String::new(), |s| {
                format!(" ri:space-key=\"{}\"", xml_escape(s))
            });
            Some((
                format!(
                    "<ri:page{space} ri:content-title=\"{}\" />",
                    xml_escape(title)
                ),
                title,
            ))
        } else if let Some((space, day, title)) = blog_target(href) {
            let space = space.map_or(String::new(), |s| {
                format!(" ri:space-key=\"{}\"", xml_escape(s))
            });
            Some((
                format!(
                    "<ri:blog-post{space} ri:content-title=\"{}\" ri:posting-day=\"{}\" />",
                    xml_escape(title),
                    xml_escape(day)
                ),
                title,
            ))
        } else if let Some(key) = href.strip_prefix(SPACE_SCHEME).filter(|k| !k.is_empty()) {
            let space = format!("<ri:space ri:space-key=\"{}\" />", xml_escape(key));
            Some((space, key))
        } else if is_attachment(href) {
            let file = format!("<ri:attachment ri:filename=\"{}\" />", xml_escape(href));
            Some((file, href))
        } else {
            None
        };
        if let Some((resource, shown)) = resource {
            self.out.push_str("<ac:link>");
            self.out.push_str(&resource);
            let formatted = group.iter().any(|n| {
                matches!(n, Inline::Text(_, m) if !Marks { link: None, ..m.clone() }.is_plain())
            });
            let label = super::ast::inline_text(group);
            if formatted {
                self.out.push_str("<ac:link-body>");
                self.runs(group);
                self.out.push_str("</ac:link-body>");
            } else if label != shown {
                self.out.push_str(&format!(
                    "<ac:plain-text-link-body>{}</ac:plain-text-link-body>",
                    cdata(&label)
                ));
            }
            self.out.push_str("</ac:link>");
        } else {
            self.out
                .push_str(&format!("<a href=\"{}\">", xml_escape(href)));
            self.runs(group);
            self.out.push_str("</a>");
        }
    }

    /// Text runs with their formatting elements, properly nested.
    fn runs(&mut self, inl: &[Inline]) {
        const TAGS: [&str; 7] = ["del", "strong", "em", "u", "sup", "sub", "code"];
        let on = |m: &Marks| [m.strike, m.strong, m.em, m.underline, m.sup, m.sub, m.code];
        let mut open: Vec<usize> = Vec::new();
        for node in inl {
            let Inline::Text(text, marks) = node else {
                while let Some(t) = open.pop() {
                    self.out.push_str(&format!("</{}>", TAGS[t]));
                }
                self.atom(node);
                continue;
            };
            let mut want = on(marks);
            // White space alone opens no mark (Markdown keeps it outside its delimiters).
            if !marks.code && text.trim().is_empty() {
                for (t, w) in want.iter_mut().enumerate() {
                    *w = *w && open.contains(&t);
                }
            }
            let keep = open.iter().take_while(|t| want[**t]).count();
            while open.len() > keep {
                if let Some(t) = open.pop() {
                    self.out.push_str(&format!("</{}>", TAGS[t]));
                }
            }
            for (t, w) in want.iter().enumerate() {
                if *w && !open.contains(&t) {
                    self.out.push_str(&format!("<{}>", TAGS[t]));
                    open.push(t);
                }
            }
            self.out.push_str(&xml_escape(text));
        }
        while let Some(t) = open.pop() {
            self.out.push_str(&format!("</{}>", TAGS[t]));
        }
    }

    fn atom(&mut self, node: &Inline) {
        match node {
            Inline::Text(..) => {}
            Inline::Break => self.out.push_str("<br />"),
            Inline::Mention { id, .. } => {
                let attr = match self.opts.flavor {
                    Flavor::Cloud => "ri:account-id",
                    Flavor::Server
                        if id.len() == 32 && id.chars().all(|c| c.is_ascii_hexdigit()) =>
                    {
                        "ri:userkey"
                    }
                    Flavor::Server => "ri:username",
                };
                self.out.push_str(&format!(
                    "<ac:link><ri:user {attr}=\"{}\" /></ac:link>",
                    xml_escape(id)
                ));
            }
            Inline::Emoji { short, text } => self
                .out
                .push_str(&xml_escape(text.as_deref().unwrap_or(short))),
            Inline::Status { text, color } => {
                self.out
                    .push_str("<ac:structured-macro ac:name=\"status\">");
                self.param("title", text);
                let colour = match color.to_ascii_lowercase().as_str() {
                    "green" => "Green",
                    "yellow" => "Yellow",
                    "red" => "Red",
                    "blue" => "Blue",
                    "purple" => "Purple",
                    _ => "Grey",
                };
                self.param("colour", colour);
                self.out.push_str("</ac:structured-macro>");
            }
            Inline::Date(d) => self
                .out
                .push_str(&format!("<time datetime=\"{}\" />", xml_escape(d))),
            Inline::Card(url) => {
                let u = xml_escape(url);
                self.out.push_str(&format!("<a href=\"{u}\">{u}</a>"));
            }
            Inline::Image { src, alt } => {
                self.out.push_str("<ac:image");
                if !alt.is_empty() {
                    self.out
                        .push_str(&format!(" ac:alt=\"{}\"", xml_escape(alt)));
                }
                self.out.push('>');
                if is_attachment(src) {
                    self.out.push_str(&format!(
                        "<ri:attachment ri:filename=\"{}\" />",
                        xml_escape(src)
                    ));
                } else {
                    self.out
                        .push_str(&format!("<ri:url ri:value=\"{}\" />", xml_escape(src)));
                }
                self.out.push_str("</ac:image>");
            }
        }
    }
}

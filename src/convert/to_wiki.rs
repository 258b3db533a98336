//! Document model → Jira wiki markup (Jira Server/DC and REST v2). Plain text is escaped so that
//! `a+b+c`, `2^10^`, `aws_vpc_endpoint`, `{id}` or `[x]` reach Jira as written; code blocks use
//! the language whitelist and fall back to `{noformat}`; mentions follow the deployment flavour.

use super::ast::{Block, Cell, Emphasis as Mark, Inline, Item, Marks, PanelKind, blocks_text};
use super::lang::jira_language;
use super::wiki_escape::{escape, escape_before, wiki_alt, wiki_href, wiki_src, wiki_user};
use super::{Flavor, Options};

/// Renders blocks as Jira wiki markup.
pub fn render(doc: &[Block], opts: &Options) -> String {
    let mut out = String::new();
    blocks(doc, opts, &mut out);
    while out.ends_with('\n') {
        out.pop();
    }
    out
}

fn blocks(doc: &[Block], opts: &Options, out: &mut String) {
    for (i, b) in doc.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        block(b, opts, out);
        out.push('\n');
    }
}

fn block(b: &Block, opts: &Options, out: &mut String) {
    match b {
        Block::Para(inl) => out.push_str(&inlines(inl, opts, false)),
        Block::Heading(level, inl) => {
            out.push_str(&format!("h{}. ", (*level).clamp(1, 6)));
            out.push_str(&inlines(inl, opts, false).replace('\n', " "));
        }
        Block::Code { lang, text } => {
            let lang = lang.as_deref().and_then(jira_language);
            // `{code}` keeps a language; without one `{noformat}`, or `{code}` when only
            // that does not occur in the text.
            let has = |tag: &str| text.to_ascii_lowercase().contains(tag);
            let use_code = lang.is_some() || (has("{noformat}") && !has("{code}"));
            let name = if use_code { "code" } else { "noformat" };
            match lang {
                Some(l) if use_code => out.push_str(&format!("{{code:{l}}}\n")),
                _ => out.push_str(&format!("{{{name}}}\n")),
            }
            out.push_str(&protect_code(text, name));
            out.push_str(&format!("\n{{{name}}}"));
        }
        Block::Quote(body) => {
            // `{quote}` does not nest: the inner opening tag would close the outer quote.
            out.push_str("{quote}\n");
            blocks(&lift_quotes(body), opts, out);
            out.push_str("{quote}");
        }
        Block::Panel { kind, title, body } => {
            let mut params = Vec::new();
            if let Some(t) = title.as_deref().filter(|t| !t.trim().is_empty()) {
                params.push(format!(
                    "title={}",
                    t.replace(['|', '}', '{', '\n'], " ").trim()
                ));
            }
            if let Some(color) = panel_color(*kind) {
                params.push(format!("bgColor={color}"));
            }
            if params.is_empty() {
                out.push_str("{panel}\n");
            } else {
                out.push_str(&format!("{{panel:{}}}\n", params.join("|")));
            }
            blocks(body, opts, out);
            out.push_str("{panel}");
        }
        Block::Expand { title, body } => {
            if !title.trim().is_empty() {
                out.push('*');
                out.push_str(&escape(title.trim(), true));
                out.push_str("*\n\n");
            }
            blocks(body, opts, out);
            while out.ends_with('\n') {
                out.pop();
            }
        }
        Block::List { ordered, items, .. } => list(*ordered, items, "", opts, out),
        Block::Table(rows) => table(rows, opts, out),
        Block::Rule => out.push_str("----"),
    }
}

/// Invisible after every `{` of the closing tag inside a code body (U+2060 WORD JOINER), so
/// that the text cannot close its macro early; the wiki reader takes it out again.
pub const CODE_GUARD: char = '\u{2060}';

/// A code body for macro `name` with every `{name}` in it guarded (and every guard already
/// there doubled, so that reading it back gives the text as it was).
fn protect_code(text: &str, name: &str) -> String {
    let closing = format!("{name}}}");
    let mut out = String::with_capacity(text.len());
    for (i, c) in text.char_indices() {
        out.push(c);
        let rest = &text[i + c.len_utf8()..];
        let tag = rest
            .get(..closing.len())
            .is_some_and(|t| t.eq_ignore_ascii_case(&closing));
        if c == '{' && (tag || rest.starts_with(CODE_GUARD)) {
            out.push(CODE_GUARD);
        }
    }
    out
}

/// A quote's body with the quotes nested in it replaced by their content, also those inside its
/// panels and expands (their `{quote}` would close the outer one as well).
fn lift_quotes(body: &[Block]) -> Vec<Block> {
    let mut out = Vec::with_capacity(body.len());
    for b in body {
        match b {
            Block::Quote(inner) => out.extend(lift_quotes(inner)),
            Block::Panel { kind, title, body } => out.push(Block::Panel {
                kind: *kind,
                title: title.clone(),
                body: lift_quotes(body),
            }),
            Block::Expand { title, body } => out.push(Block::Expand {
                title: title.clone(),
                body: lift_quotes(body),
            }),
            other => out.push(other.clone()),
        }
    }
    out
}

/// The background colour Jira gives each panel type (what Jira Cloud maps back to panel types).
pub fn panel_color(kind: PanelKind) -> Option<&'static str> {
    match kind {
        PanelKind::Info => Some("#deebff"),
        PanelKind::Note => Some("#eae6ff"),
        PanelKind::Tip | PanelKind::Success => Some("#e3fcef"),
        PanelKind::Warning => Some("#fffae6"),
        PanelKind::Error => Some("#ffebe6"),
        PanelKind::Plain => None,
    }
}

fn list(ordered: bool, items: &[Item], prefix: &str, opts: &Options, out: &mut String) {
    let marker = format!("{prefix}{}", if ordered { '#' } else { '*' });
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&marker);
        out.push(' ');
        match item.task {
            Some(true) => out.push_str("\\[x\\] "),
            Some(false) => out.push_str("\\[ \\] "),
            None => {}
        }
        // Jira list items hold one line of text, nested lists and code blocks: other blocks
        // give their content (quotes, panels) or bold text (headings), joined by line breaks.
        let mut body = Vec::new();
        for b in &item.body {
            match b {
                Block::Para(_) | Block::List { .. } | Block::Code { .. } => body.push(b.clone()),
                other => super::ast::flatten(other.clone(), &mut body),
            }
        }
        let mut first_text = true;
        let mut after_code = false;
        for b in &body {
            match b {
                Block::List { ordered, items, .. } => {
                    out.push('\n');
                    list(*ordered, items, &marker, opts, out);
                    after_code = false;
                }
                Block::Para(inl) => {
                    if after_code {
                        // Text after a code block stays on its closing line, so that the
                        // item (and the list) goes on.
                        out.push(' ');
                    } else if !first_text {
                        out.push_str("\\\\ ");
                    }
                    let text = inlines(inl, opts, true);
                    out.push_str(&not_a_task(text, first_text && item.task.is_none()));
                    first_text = false;
                    after_code = false;
                }
                Block::Code { .. } => {
                    out.push('\n');
                    block(b, opts, out);
                    after_code = true;
                }
                other => {
                    let text = escape(&blocks_text(std::slice::from_ref(other)), true);
                    if text.is_empty() {
                        continue;
                    }
                    if after_code {
                        out.push(' ');
                    } else if !first_text {
                        out.push_str("\\\\ ");
                    }
                    out.push_str(&not_a_task(text, first_text && item.task.is_none()));
                    first_text = false;
                    after_code = false;
                }
            }
        }
    }
}

/// Text that opens a plain item with `[ ] ` or `[x] ` would read back as a task: its closing
/// bracket is left unescaped, which Jira shows the same and the reader keeps as text.
/// `opens_item` says whether the text is the first of a plain (not task) item.
fn not_a_task(text: String, opens_item: bool) -> String {
    if opens_item {
        for m in ["\\[ \\] ", "\\[x\\] ", "\\[X\\] "] {
            if let Some(rest) = text.strip_prefix(m) {
                return format!("{}] {rest}", &m[..m.len() - 3]);
            }
        }
    }
    text
}

fn table(rows: &[Vec<Cell>], opts: &Options, out: &mut String) {
    for (r, row) in rows.iter().enumerate() {
        if r > 0 {
            out.push('\n');
        }
        for cell in row {
            let sep = if cell.header { "||" } else { "|" };
            out.push_str(sep);
            let parts: Vec<String> = cell
                .body
                .iter()
                .map(|b| match b {
                    Block::Para(inl) | Block::Heading(_, inl) => inlines(inl, opts, true),
                    other => escape(&blocks_text(std::slice::from_ref(other)), true),
                })
                .filter(|p| !p.is_empty())
                .collect();
            let text = parts.join("\\\\ ");
            out.push_str(if text.is_empty() { " " } else { &text });
        }
        let last_header = row.last().is_some_and(|c| c.header);
        out.push_str(if last_header { "||" } else { "|" });
    }
}

impl Mark {
    /// The wiki markup character that opens and closes the mark.
    fn ch(self) -> char {
        match self {
            Mark::Strike => '-',
            Mark::Strong => '*',
            Mark::Em => '_',
            Mark::Underline => '+',
            Mark::Sup => '^',
            Mark::Sub => '~',
        }
    }
}

/// Inline content: marks wrap whole runs (`{*}` brace form next to letters), links are
/// `[text|url]`, breaks are `\\` inside lists and cells and a new line elsewhere.
fn inlines(inl: &[Inline], opts: &Options, one_line: bool) -> String {
    let mut out = String::new();
    // Where text without a link ended and something else began.
    let mut after_text = Vec::new();
    let mut i = 0;
    while i < inl.len() {
        if i > 0 && matches!(&inl[i - 1], Inline::Text(_, m) if m.link.is_none()) {
            after_text.push(out.len());
        }
        match &inl[i] {
            Inline::Text(_, m) if m.link.is_some() => {
                let href = m.link.clone().unwrap_or_default();
                let mut j = i;
                while j < inl.len()
                    && matches!(&inl[j], Inline::Text(_, mm) if mm.link.as_deref() == Some(&href))
                {
                    j += 1;
                }
                if wiki_href(&href).is_empty() {
                    // A blank target is no link: the text alone.
                    let s = runs(&inl[i..j], &out);
                    out.push_str(&s);
                    i = j;
                    continue;
                }
                let label = runs(&inl[i..j], "[");
                let plain: String = super::ast::inline_text(&inl[i..j]);
                if plain == href
                    && super::to_storage::is_attachment(&href)
                    && wiki_href(&href) == href
                {
                    out.push_str(&format!("[^{href}]"));
                    i = j;
                    continue;
                }
                // `[mailto:a@b.c]` shows the address alone.
                if href.strip_prefix("mailto:") == Some(plain.as_str()) && label == plain {
                    out.push_str(&format!("[{}]", wiki_href(&href)));
                    i = j;
                    continue;
                }
                out.push('[');
                // `[url]` alone is a link only for targets Jira (and the reader) take as one.
                let bare_ok = href.contains("://")
                    || href.starts_with("mailto:")
                    || href.starts_with('#')
                    || href.starts_with('/');
                // Marked text (`+[url]+` would underline nothing) keeps its label as well.
                let marked = inl[i..j].iter().any(|x| {
                    matches!(x, Inline::Text(_, m) if !Marks { link: None, ..m.clone() }.is_plain())
                });
                if plain != href || !bare_ok || marked || wiki_href(&href) != href {
                    out.push_str(&label);
                    out.push('|');
                }
                out.push_str(&wiki_href(&href));
                out.push(']');
                i = j;
                continue;
            }
            Inline::Text(..) => {
                // Consecutive runs without a link are written together, so that a mark spanning
                // several of them (bold text around inline code) is opened once.
                let mut j = i;
                while j < inl.len() && matches!(&inl[j], Inline::Text(_, m) if m.link.is_none()) {
                    j += 1;
                }
                let s = runs(&inl[i..j], &out);
                out.push_str(&s);
                i = j;
                continue;
            }
            Inline::Break => {
                let twice = out.is_empty() || out.ends_with('\n');
                out.push_str(if one_line || twice { "\\\\ " } else { "\n" });
            }
            Inline::Mention { id, .. } => {
                let user = wiki_user(id);
                match opts.flavor {
                    Flavor::Cloud => out.push_str(&format!("[~accountid:{user}]")),
                    // An id that itself starts with `accountid:` keeps it behind the prefix the
                    // reader takes off.
                    Flavor::Server if user.starts_with("accountid:") => {
                        out.push_str(&format!("[~accountid:{user}]"))
                    }
                    Flavor::Server => out.push_str(&format!("[~{user}]")),
                }
            }
            Inline::Emoji { short, text } => {
                out.push_str(&escape(text.as_deref().unwrap_or(short), false))
            }
            Inline::Status { text, .. } => {
                out.push_str(&format!("*\\[{}\\]*", escape(&text.to_uppercase(), false)))
            }
            Inline::Date(d) => out.push_str(d),
            Inline::Card(url) => out.push_str(&format!("[{}]", wiki_href(url))),
            // An image without a source (`![alt]()`) is its alt text: `!!` is no image.
            Inline::Image { src, alt } if wiki_src(src).is_empty() => {
                out.push_str(&escape(alt, false));
            }
            Inline::Image { src, alt } => {
                out.push('!');
                out.push_str(&wiki_src(src));
                if !alt.is_empty() {
                    // Quoted, so that quotes at its edges survive; the reader takes off one pair.
                    out.push_str("|alt=\"");
                    out.push_str(&wiki_alt(alt));
                    out.push('"');
                }
                out.push('!');
            }
        }
        i += 1;
    }
    // A `!` ending a text and touching what follows (`!` then `[~…]` or `!img!`) would open
    // an image: it is escaped.
    for &b in after_text.iter().rev() {
        let bang = out[..b].ends_with('!') && !out[..b].ends_with("\\!");
        if bang && out[b..].chars().next().is_some_and(|c| !c.is_whitespace()) {
            out.insert(b - 1, '\\');
        }
    }
    out
}

enum Piece {
    Open(Mark),
    Close(Mark),
    /// Text to escape.
    Text(String),
    /// Written as it is (white space, monospace).
    Raw(String),
}

impl Piece {
    fn first_char(&self) -> Option<char> {
        match self {
            Piece::Text(t) | Piece::Raw(t) => t.chars().next(),
            _ => None,
        }
    }
}

/// Text runs (links excluded) with their marks, written after `before`: a mark stays open
/// across the runs that share it (`*run {{make test}} first*`, which Jira shows bold around
/// the monospace), white space at a run's edge goes outside its delimiters, and a mark whose
/// delimiters touch a letter or digit takes the brace form (`{*}x{*}`).
fn runs(inl: &[Inline], before: &str) -> String {
    let mut pieces: Vec<Piece> = Vec::new();
    let mut open: Vec<Mark> = Vec::new();
    let mut pending_ws = String::new();
    for node in inl {
        let Inline::Text(text, marks) = node else {
            continue;
        };
        // Monospace keeps its white space inside the braces.
        let core = if marks.code && !text.trim().is_empty() {
            text.as_str()
        } else {
            text.trim()
        };
        let keep = open.iter().take_while(|m| m.on(marks)).count();
        while open.len() > keep {
            pieces.extend(open.pop().map(Piece::Close));
        }
        if core.is_empty() {
            pending_ws.push_str(text);
            continue;
        }
        let (lead, trail) = if marks.code {
            ("", "")
        } else {
            let lead = &text[..text.len() - text.trim_start().len()];
            (lead, &text[lead.len() + core.len()..])
        };
        pending_ws.push_str(lead);
        if !pending_ws.is_empty() {
            pieces.push(Piece::Raw(std::mem::take(&mut pending_ws)));
        }
        for m in Mark::ALL {
            if m.on(marks) && !open.contains(&m) {
                pieces.push(Piece::Open(m));
                open.push(m);
            }
        }
        if marks.code {
            pieces.push(Piece::Raw(format!("{{{{{}}}}}", escape(core, false))));
        } else {
            pieces.push(Piece::Text(core.to_owned()));
        }
        pending_ws.push_str(trail);
    }
    while let Some(m) = open.pop() {
        pieces.push(Piece::Close(m));
    }
    if !pending_ws.is_empty() {
        pieces.push(Piece::Raw(pending_ws));
    }
    // Brace form where an opening delimiter follows, or its closing one precedes, a letter
    // or digit (both delimiters of a pair take the same form).
    let mut braces = vec![false; pieces.len()];
    let mut stack: Vec<usize> = Vec::new();
    let mut last = before.chars().last();
    for (k, p) in pieces.iter().enumerate() {
        match p {
            Piece::Open(m) => {
                // `[^` starts an attachment link and `[~` a mention: a link text opening with
                // superscript or subscript takes the brace form.
                braces[k] = last.is_some_and(char::is_alphanumeric)
                    || (last == Some('[') && matches!(m.ch(), '^' | '~'));
                stack.push(k);
            }
            Piece::Close(_) => {
                let next = pieces[k + 1..]
                    .iter()
                    .find(|p| matches!(p, Piece::Text(_) | Piece::Raw(_)))
                    .and_then(Piece::first_char);
                if let Some(o) = stack.pop() {
                    let b = braces[o] || next.is_some_and(char::is_alphanumeric);
                    braces[o] = b;
                    braces[k] = b;
                }
            }
            Piece::Text(t) | Piece::Raw(t) => last = t.chars().last().or(last),
        }
    }
    let before_trimmed = before.trim_end_matches([' ', '\t']);
    let before_line_start = before_trimmed.is_empty() || before_trimmed.ends_with('\n');
    // What a piece looks like in the output, near enough to see what a text's last character
    // runs into (`!` then `*…!` would be an image, `(` then `+)` an emoticon).
    let shown = |k: usize, p: &Piece| match p {
        Piece::Open(m) | Piece::Close(m) if braces[k] => format!("{{{}}}", m.ch()),
        Piece::Open(m) | Piece::Close(m) => m.ch().to_string(),
        Piece::Text(t) | Piece::Raw(t) => t.clone(),
    };
    let mut out = String::new();
    for (k, p) in pieces.iter().enumerate() {
        match p {
            Piece::Text(t) => {
                let line_start = before_line_start && out.trim_matches([' ', '\t']).is_empty();
                let mut follow = String::new();
                for (f, next) in pieces.iter().enumerate().skip(k + 1) {
                    if follow.len() >= 8 {
                        break;
                    }
                    follow.push_str(&shown(f, next));
                }
                out.push_str(&escape_before(t, line_start, &follow));
            }
            other => out.push_str(&shown(k, other)),
        }
    }
    out
}

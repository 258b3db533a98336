//! Document model → Jira wiki markup (Jira Server/DC and REST v2). Plain text is escaped so that
//! `a+b+c`, `2^10^`, `aws_vpc_endpoint`, `{id}` or `[x]` reach Jira as written; code blocks use
//! the language whitelist and fall back to `{noformat}`; mentions follow the deployment flavour.

use super::ast::{Block, Cell, Inline, Item, Marks, PanelKind, blocks_text};
use super::lang::jira_language;
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
            let use_code =
                (lang.is_some() || text.contains("{noformat}")) && !text.contains("{code}");
            if use_code {
                match lang {
                    Some(l) => out.push_str(&format!("{{code:{l}}}\n")),
                    None => out.push_str("{code}\n"),
                }
                out.push_str(text);
                out.push_str("\n{code}");
            } else {
                out.push_str("{noformat}\n");
                out.push_str(text);
                out.push_str("\n{noformat}");
            }
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

/// A quote's body with the quotes nested in it replaced by their content.
fn lift_quotes(body: &[Block]) -> Vec<Block> {
    let mut out = Vec::with_capacity(body.len());
    for b in body {
        match b {
            Block::Quote(inner) => out.extend(lift_quotes(inner)),
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
        let mut first_text = true;
        for b in &item.body {
            match b {
                Block::List { ordered, items, .. } => {
                    out.push('\n');
                    list(*ordered, items, &marker, opts, out);
                }
                Block::Para(inl) => {
                    if !first_text {
                        out.push_str("\\\\ ");
                    }
                    out.push_str(&inlines(inl, opts, true));
                    first_text = false;
                }
                Block::Code { .. } => {
                    out.push('\n');
                    block(b, opts, out);
                }
                other => {
                    if !first_text {
                        out.push_str("\\\\ ");
                    }
                    out.push_str(&escape(&blocks_text(std::slice::from_ref(other)), true));
                    first_text = false;
                }
            }
        }
    }
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

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mark {
    Strike,
    Strong,
    Em,
    Underline,
    Sup,
    Sub,
}

impl Mark {
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
    fn on(self, m: &Marks) -> bool {
        match self {
            Mark::Strike => m.strike,
            Mark::Strong => m.strong,
            Mark::Em => m.em,
            Mark::Underline => m.underline,
            Mark::Sup => m.sup,
            Mark::Sub => m.sub,
        }
    }
}

const ORDER: [Mark; 6] = [
    Mark::Strike,
    Mark::Strong,
    Mark::Em,
    Mark::Underline,
    Mark::Sup,
    Mark::Sub,
];

/// Inline content: marks wrap whole runs (`{*}` brace form next to letters), links are
/// `[text|url]`, breaks are `\\` inside lists and cells and a new line elsewhere.
fn inlines(inl: &[Inline], opts: &Options, one_line: bool) -> String {
    let mut out = String::new();
    let mut i = 0;
    while i < inl.len() {
        match &inl[i] {
            Inline::Text(_, m) if m.link.is_some() => {
                let href = m.link.clone().unwrap_or_default();
                let mut j = i;
                while j < inl.len()
                    && matches!(&inl[j], Inline::Text(_, mm) if mm.link.as_deref() == Some(&href))
                {
                    j += 1;
                }
                let label: String = inl[i..j].iter().map(|n| run(n, false, false)).collect();
                let plain: String = super::ast::inline_text(&inl[i..j]);
                if plain == href && super::to_storage::is_attachment(&href) {
                    out.push_str(&format!("[^{href}]"));
                    i = j;
                    continue;
                }
                out.push('[');
                if plain != href {
                    out.push_str(&label);
                    out.push('|');
                }
                out.push_str(&href.replace([']', '|'], ""));
                out.push(']');
                i = j;
                continue;
            }
            Inline::Text(text, _) => {
                let line_start = out.is_empty() || out.ends_with('\n');
                let left = !text.starts_with(char::is_whitespace)
                    && out.chars().last().is_some_and(char::is_alphanumeric);
                let right = !text.ends_with(char::is_whitespace)
                    && matches!(inl.get(i + 1), Some(Inline::Text(t, _)) if t.starts_with(char::is_alphanumeric));
                let s = run(&inl[i], line_start, left || right);
                out.push_str(&s);
            }
            Inline::Break => {
                let twice = out.is_empty() || out.ends_with('\n');
                out.push_str(if one_line || twice { "\\\\ " } else { "\n" });
            }
            Inline::Mention { id, .. } => match opts.flavor {
                Flavor::Cloud => out.push_str(&format!("[~accountid:{id}]")),
                Flavor::Server => out.push_str(&format!("[~{id}]")),
            },
            Inline::Emoji { short, text } => {
                out.push_str(&escape(text.as_deref().unwrap_or(short), false))
            }
            Inline::Status { text, .. } => {
                out.push_str(&format!("*\\[{}\\]*", escape(&text.to_uppercase(), false)))
            }
            Inline::Date(d) => out.push_str(d),
            Inline::Card(url) => out.push_str(&format!("[{}]", url.replace([']', '|'], ""))),
            Inline::Image { src, alt } => {
                out.push('!');
                out.push_str(&src.replace(['!', '|', '\n'], ""));
                if !alt.is_empty() {
                    out.push_str("|alt=");
                    out.push_str(&alt.replace(['!', '|', ',', '\n'], " "));
                }
                out.push('!');
            }
        }
        i += 1;
    }
    out
}

/// One text run with its marks (link excluded); `braces` selects the `{*}x{*}` form needed when
/// a letter or digit touches the delimiters.
fn run(node: &Inline, line_start: bool, braces: bool) -> String {
    let Inline::Text(text, marks) = node else {
        return String::new();
    };
    let core = text.trim();
    if core.is_empty() {
        return text.clone();
    }
    let lead = &text[..text.len() - text.trim_start().len()];
    let trail = &text[lead.len() + core.len()..];
    let mut body = escape(core, line_start && lead.is_empty());
    if marks.code {
        body = format!("{{{{{body}}}}}");
    } else {
        for m in ORDER.iter().rev() {
            if m.on(marks) {
                let c = m.ch();
                body = if braces {
                    format!("{{{c}}}{body}{{{c}}}")
                } else {
                    format!("{c}{body}{c}")
                };
            }
        }
    }
    format!("{lead}{body}{trail}")
}

/// Escapes wiki markup characters in plain text.
pub fn escape(text: &str, line_start: bool) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len() + 8);
    for (i, &c) in chars.iter().enumerate() {
        let prev = i.checked_sub(1).map(|p| chars[p]);
        let next = chars.get(i + 1).copied();
        let at_start = line_start && i == 0;
        let escape = match c {
            '*' | '_' | '+' | '^' | '~' | '{' | '}' | '[' | ']' | '|' => true,
            '-' => {
                let opener = prev.is_none_or(|p| !p.is_alphanumeric())
                    && next.is_some_and(|n| !n.is_whitespace());
                let closer = prev.is_some_and(|p| !p.is_whitespace())
                    && next.is_none_or(|n| !n.is_alphanumeric());
                opener || closer || (at_start && next == Some(' '))
            }
            '?' => next == Some('?') || prev == Some('?'),
            '!' => next.is_some_and(|n| !n.is_whitespace()),
            '#' => at_start,
            '(' => emoticon_follows(&chars[i + 1..]),
            ':' | ';' => {
                matches!(next, Some(')' | '(' | 'P' | 'D'))
                    && chars.get(i + 2).is_none_or(|n| !n.is_alphanumeric())
            }
            _ => false,
        };
        if escape {
            out.push('\\');
        }
        out.push(c);
    }
    if line_start {
        for prefix in ["h1. ", "h2. ", "h3. ", "h4. ", "h5. ", "h6. ", "bq. "] {
            if out.starts_with(prefix) {
                out.insert(2, '\\');
            }
        }
    }
    out
}

fn emoticon_follows(rest: &[char]) -> bool {
    const FACES: &[&str] = &[
        "x)", "/)", "i)", "!)", "?)", "y)", "n)", "on)", "off)", "*)", "*r)", "*g)", "*b)", "*y)",
        "+)", "-)",
    ];
    let s: String = rest.iter().take(4).collect();
    FACES.iter().any(|f| s.starts_with(f))
}

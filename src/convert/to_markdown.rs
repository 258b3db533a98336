//! Document model → Markdown (CommonMark + GFM). Escapes only what would otherwise change
//! meaning, writes GitHub alerts for panels and `<details>` for expands, and gives readable
//! text for what Markdown lacks (mentions as `[@Name](mention:ID)`, status lozenges, dates).

use super::ast::{Block, Cell, Inline, Item, Marks, PanelKind};
use super::from_markdown::MENTION_SCHEME;
use super::md_cell::cell_html;
use super::md_delims::{Delim, Open, close_delim, open_delim};
use super::md_escape::{escape_bang_before_bracket, escape_line_start, escape_marked, escape_text};
use super::plain_text::html_escape;

/// Renders blocks as Markdown, ending with one newline (empty input gives an empty string).
pub fn render(doc: &[Block]) -> String {
    let mut out = blocks(doc);
    if !out.is_empty() {
        out.push('\n');
    }
    out
}

fn blocks(doc: &[Block]) -> String {
    let mut out = String::new();
    for (i, b) in doc.iter().enumerate() {
        if i > 0 {
            out.push_str("\n\n");
            // Two lists of the same kind in a row would merge into one.
            if let (Block::List { ordered: a, .. }, Block::List { ordered: b2, .. }) =
                (&doc[i - 1], b)
            {
                if a == b2 {
                    out.push_str("<!-- -->\n\n");
                }
            }
        }
        block(b, &mut out);
    }
    out
}

fn block(b: &Block, out: &mut String) {
    match b {
        Block::Para(inl) => out.push_str(&inlines(inl, Ctx::Block)),
        Block::Heading(level, inl) => {
            out.push_str(&"#".repeat(usize::from((*level).clamp(1, 6))));
            let text = inlines(inl, Ctx::Heading);
            if !text.is_empty() {
                out.push(' ');
                out.push_str(&text);
            }
        }
        Block::Code { lang, text } => {
            // A backtick fence takes no backtick in its info string: then tildes.
            let ch = if lang.as_deref().is_some_and(|l| l.contains('`')) {
                '~'
            } else {
                '`'
            };
            let fence = ch.to_string().repeat(longest_run(text, ch).max(2) + 1);
            out.push_str(&fence);
            if let Some(l) = lang {
                out.push_str(l);
            }
            out.push('\n');
            if !text.is_empty() {
                out.push_str(text);
                out.push('\n');
            }
            out.push_str(&fence);
        }
        Block::Quote(body) => out.push_str(&prefix_lines(&blocks(body), "> ", ">")),
        Block::Panel { kind, title, body } => {
            let mut inner = String::new();
            let alert = match kind {
                PanelKind::Info => Some("NOTE"),
                PanelKind::Tip | PanelKind::Success => Some("TIP"),
                PanelKind::Note => Some("IMPORTANT"),
                PanelKind::Warning => Some("WARNING"),
                PanelKind::Error => Some("CAUTION"),
                PanelKind::Plain => None,
            };
            if let Some(a) = alert {
                inner.push_str("[!");
                inner.push_str(a);
                inner.push_str("]\n");
                // Only a paragraph follows the marker line directly (a list of empty items
                // there would be read as text).
                let titled = title.as_deref().is_some_and(|t| !t.trim().is_empty());
                if !titled && !matches!(body.first(), None | Some(Block::Para(_))) {
                    inner.push('\n');
                }
            }
            if let Some(t) = title.as_deref().filter(|t| !t.trim().is_empty()) {
                inner.push_str("**");
                inner.push_str(&escape_text(t.trim(), false));
                inner.push_str("**\n\n");
            }
            inner.push_str(&blocks(body));
            out.push_str(&prefix_lines(inner.trim_end(), "> ", ">"));
        }
        Block::Expand { title, body } => {
            out.push_str("<details>\n<summary>");
            out.push_str(&html_escape(title));
            out.push_str("</summary>\n\n");
            let inner = blocks(body);
            if !inner.is_empty() {
                out.push_str(&inner);
                out.push_str("\n\n");
            }
            out.push_str("</details>");
        }
        Block::List {
            ordered,
            start,
            items,
        } => list(*ordered, *start, items, out),
        Block::Table(rows) => table(rows, out),
        Block::Rule => out.push_str("---"),
    }
}

fn list(ordered: bool, start: u64, items: &[Item], out: &mut String) {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let mut marker = if ordered {
            format!("{}. ", start.saturating_add(i as u64))
        } else {
            "- ".to_owned()
        };
        let indent = " ".repeat(marker.len());
        match item.task {
            Some(true) => marker.push_str("[x] "),
            Some(false) => marker.push_str("[ ] "),
            None => {}
        }
        // The blocks that write something (empty paragraphs do not; their separators would
        // pile up into blank lines that end the item).
        let parts: Vec<(&Block, String)> = item
            .body
            .iter()
            .map(|b| {
                let mut text = String::new();
                block(b, &mut text);
                (b, text)
            })
            .filter(|(_, text)| !text.is_empty())
            .collect();
        let mut body = String::new();
        for (j, (b, text)) in parts.iter().enumerate() {
            // A nested list whose first line is a marker alone (an empty item, or one whose
            // content starts on the next line).
            let nested_blank = matches!(b, Block::List { .. })
                && bare_marker(text.lines().next().unwrap_or_default());
            if j == 0 {
                // Such a list cannot share the marker's line (`2. 1.`).
                // A task's box makes the line a paragraph, so no other block can start after
                // it (a fence there would be inline code).
                if nested_blank || (item.task.is_some() && !matches!(b, Block::Para(_))) {
                    body.push('\n');
                }
            } else if matches!((parts[j - 1].0, b), (Block::List { ordered: a, .. }, Block::List { ordered: o, .. }) if a == o)
            {
                // Two lists of the same kind in a row would merge into one.
                body.push_str("\n\n<!-- -->\n\n");
            } else {
                // A list follows the line before it directly only where CommonMark lets it
                // interrupt a paragraph: bullets or a list starting at 1, first item not blank.
                let tight = !nested_blank
                    && matches!(b, Block::List { ordered, start, .. } if !ordered || *start == 1);
                body.push_str(if tight { "\n" } else { "\n\n" });
            }
            body.push_str(text);
        }
        out.push_str(marker.trim_end_matches(' '));
        if !body.is_empty() {
            out.push(' ');
            let text = prefix_lines(&body, &indent, "");
            // The first line follows the marker, so it loses its indent (blank lines have none).
            out.push_str(text.strip_prefix(indent.as_str()).unwrap_or(&text));
        }
    }
}

/// A list marker with nothing after it on its line (`-`, `3.`).
fn bare_marker(line: &str) -> bool {
    let t = line.trim();
    let number = t
        .strip_suffix(['.', ')'])
        .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()));
    t == "-" || number
}

/// A GFM table. Its header row must be the first one: a table whose first row is not all header
/// cells gets an empty header row (which the reader drops), so no data row is promoted.
fn table(rows: &[Vec<Cell>], out: &mut String) {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0).max(1);
    let headed = rows
        .first()
        .is_some_and(|r| !r.is_empty() && r.iter().all(|c| c.header));
    if !headed {
        out.push('|');
        out.push_str(&" |".repeat(cols));
        out.push_str("\n|");
        out.push_str(&" --- |".repeat(cols));
        out.push('\n');
    }
    for (r, row) in rows.iter().enumerate() {
        out.push('|');
        for c in 0..cols {
            let text = row
                .get(c)
                .map(|cell| cell_text(&cell.body))
                .unwrap_or_default();
            out.push(' ');
            out.push_str(&text);
            out.push_str(if text.is_empty() { "|" } else { " |" });
        }
        out.push('\n');
        if r == 0 && headed {
            out.push('|');
            out.push_str(&" --- |".repeat(cols));
            out.push('\n');
        }
    }
    out.pop();
}

/// A table cell on one line ([`md_cell`](super::md_cell)).
fn cell_text(body: &[Block]) -> String {
    let mut out = String::new();
    cell_html(body, &|inl: &[Inline]| inlines(inl, Ctx::Cell), &mut out);
    out
}

fn prefix_lines(text: &str, first_and_rest: &str, empty: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut in_fence: Option<String> = None;
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        if line.is_empty() && in_fence.is_none() {
            out.push_str(empty);
        } else {
            out.push_str(first_and_rest);
            out.push_str(line);
        }
        let t = line.trim_start();
        if let Some(f) = &in_fence {
            let ch = f.chars().next().unwrap_or('`');
            if t.starts_with(f.as_str()) && t.trim_end().chars().all(|c| c == ch) {
                in_fence = None;
            }
        } else if let Some(ch) = ['`', '~']
            .into_iter()
            .find(|&c| t.starts_with(&*c.to_string().repeat(3)))
        {
            in_fence = Some(
                ch.to_string()
                    .repeat(t.chars().take_while(|&c| c == ch).count()),
            );
        }
    }
    out
}

fn longest_run(s: &str, ch: char) -> usize {
    let (mut best, mut cur) = (0, 0);
    for c in s.chars() {
        cur = if c == ch { cur + 1 } else { 0 };
        best = best.max(cur);
    }
    best
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Ctx {
    Block,
    Heading,
    Cell,
}

/// Inline content as Markdown: runs grouped by link, emphasis opened and closed as marks change.
fn inlines(inl: &[Inline], ctx: Ctx) -> String {
    let mut out = String::new();
    // Two tildes anywhere in the text could pair up as strikethrough (`~a` … `b~`), even when
    // each run holds one: then every tilde is escaped.
    let tildes = inl
        .iter()
        .map(|i| match i {
            Inline::Text(t, m) if !m.code => t.matches('~').count(),
            _ => 0,
        })
        .sum::<usize>()
        >= 2;
    let mut i = 0;
    while i < inl.len() {
        let href = match &inl[i] {
            Inline::Text(_, m) => m.link.clone(),
            _ => None,
        };
        let mut j = i + 1;
        if href.is_some() {
            while j < inl.len() && matches!(&inl[j], Inline::Text(_, m) if m.link == href) {
                j += 1;
            }
        } else {
            // Everything up to the next link is one group, so that a mark spanning several runs
            // (bold text around inline code) is opened once instead of once a run (`****`).
            while j < inl.len() && !matches!(&inl[j], Inline::Text(_, m) if m.link.is_some()) {
                j += 1;
            }
        }
        match href {
            Some(href) => link(&inl[i..j], &href, ctx, tildes, &mut out),
            None => out.push_str(&runs(&inl[i..j], ctx, false, out.is_empty(), tildes)),
        }
        i = j;
    }
    if ctx == Ctx::Block && out.ends_with("\\\n") {
        out.truncate(out.len() - 2);
    }
    out
}

fn link(group: &[Inline], href: &str, ctx: Ctx, tildes: bool, out: &mut String) {
    if let [Inline::Text(t, m)] = group {
        let plain = Marks {
            link: None,
            ..m.clone()
        }
        .is_plain();
        if plain && t == href && href.contains("://") && !href.contains(['<', '>', ' ']) {
            out.push('<');
            out.push_str(href);
            out.push('>');
            return;
        }
        // `<ops@example.com>` when the text is the address of a `mailto:` link.
        if plain && href.strip_prefix("mailto:") == Some(t.as_str()) && is_email(t) {
            out.push('<');
            out.push_str(t);
            out.push('>');
            return;
        }
    }
    escape_bang_before_bracket(out);
    out.push('[');
    out.push_str(&runs(group, ctx, true, false, tildes));
    out.push_str("](");
    out.push_str(&destination(href));
    out.push(')');
}

/// What CommonMark reads as an e-mail autolink between `<` and `>`.
fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || ".!#$%&'*+/=?^_`{|}~-".contains(c));
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    };
    local_ok && domain.split('.').all(label_ok)
}

fn destination(href: &str) -> String {
    // A backslash escapes the punctuation after it, so each one is written twice.
    let doubled;
    let href = if href.contains('\\') {
        doubled = href.replace('\\', "\\\\");
        doubled.as_str()
    } else {
        href
    };
    // CommonMark takes parentheses in a bare destination only when they nest: `a)(b` closes
    // the link at its first `)`.
    let mut depth = 0i32;
    let balanced = href.chars().all(|c| {
        depth += match c {
            '(' => 1,
            ')' => -1,
            _ => 0,
        };
        depth >= 0
    }) && depth == 0;
    if href.is_empty() || href.contains([' ', '<', '>', '\n']) || !balanced {
        format!(
            "<{}>",
            href.replace('<', "%3C")
                .replace('>', "%3E")
                .replace('\n', "")
        )
    } else {
        href.to_owned()
    }
}

/// Text runs and atoms without links: delimiters opened and closed as marks change; white space
/// at a run's edge is moved outside the delimiters so that they still count as emphasis, and a
/// delimiter CommonMark would not read as one (next to punctuation) is written as a tag.
fn runs(inl: &[Inline], ctx: Ctx, in_link: bool, at_start: bool, tildes: bool) -> String {
    let mut out = String::new();
    let mut open: Vec<Open> = Vec::new();
    let mut pending_ws = String::new();
    for node in inl {
        let Inline::Text(text, marks) = node else {
            let mut atom_text = String::new();
            atom(node, ctx, &mut atom_text);
            let next = pending_ws.chars().chain(atom_text.chars()).next();
            while !open.is_empty() {
                close_delim(next, &mut out, &mut open);
            }
            out.push_str(&std::mem::take(&mut pending_ws));
            if atom_text.starts_with('[') {
                escape_bang_before_bracket(&mut out);
            }
            out.push_str(&atom_text);
            continue;
        };
        // Code keeps its white space inside the backticks; other runs move it outside.
        let core = if marks.code {
            text.as_str()
        } else {
            text.trim_matches(|c: char| c == ' ' || c == '\t')
        };
        let keep = open.iter().take_while(|o| o.d.on(marks)).count();
        if core.is_empty() {
            // White space without a mark that is open ends that mark before it.
            let next = text.chars().next();
            while open.len() > keep {
                close_delim(next, &mut out, &mut open);
            }
            pending_ws.push_str(text);
            continue;
        }
        let lead = &text[..text.len() - text.trim_start_matches([' ', '\t']).len()];
        // At the start of a block or after a line break Markdown drops the white space a
        // line starts with.
        let new_line = out.ends_with('\n') || (at_start && out.is_empty());
        if new_line {
            pending_ws.clear();
        }
        let trail = &text[core.len() + if marks.code { 0 } else { lead.len() }..];
        let lead = if marks.code || new_line { "" } else { lead };
        let opening: Vec<Delim> = Delim::ALL
            .into_iter()
            .filter(|d| d.on(marks) && !open[..keep].iter().any(|o| o.d == *d))
            .collect();
        let body = if marks.code && ctx == Ctx::Cell {
            // GFM splits a row at every unescaped bar, inside code spans too.
            code_span(core).replace('|', "\\|")
        } else if marks.code {
            code_span(core)
        } else {
            // Whether the text starts a line: nothing (no closer, space or opener) before it.
            let bare = open.len() == keep
                && pending_ws.is_empty()
                && lead.is_empty()
                && opening.is_empty();
            let line_start = bare && ((at_start && out.is_empty()) || out.ends_with('\n'));
            escape_inline(core, ctx, in_link, line_start, tildes)
        };
        let next = pending_ws
            .chars()
            .chain(lead.chars())
            .next()
            .or(opening.first().and_then(|d| d.open().chars().next()))
            .or(body.chars().next());
        while open.len() > keep {
            close_delim(next, &mut out, &mut open);
        }
        out.push_str(&std::mem::take(&mut pending_ws));
        out.push_str(lead);
        let first = body.chars().next();
        for d in opening {
            open_delim(d, first, &mut out, &mut open);
        }
        out.push_str(&body);
        pending_ws.push_str(trail);
    }
    let next = pending_ws.chars().next();
    while !open.is_empty() {
        close_delim(next, &mut out, &mut open);
    }
    out.push_str(&pending_ws);
    out
}

fn atom(node: &Inline, ctx: Ctx, out: &mut String) {
    match node {
        Inline::Text(..) => {}
        Inline::Break => out.push_str(match ctx {
            Ctx::Block => "\\\n",
            Ctx::Heading => " ",
            Ctx::Cell => "<br>",
        }),
        Inline::Mention { id, name } => {
            out.push_str("[@");
            out.push_str(&escape_text(name.as_deref().unwrap_or(id), true));
            out.push_str("](");
            out.push_str(&destination(&format!("{MENTION_SCHEME}{id}")));
            out.push(')');
        }
        Inline::Emoji { short, text } => {
            out.push_str(&escape_text(text.as_deref().unwrap_or(short), false));
        }
        Inline::Status { text, .. } => {
            out.push_str("**\\[");
            out.push_str(&escape_text(&text.to_uppercase(), true));
            out.push_str("\\]**");
        }
        Inline::Date(d) => out.push_str(&escape_text(d, false)),
        Inline::Card(url) => match issue_key(url) {
            Some(key) => {
                out.push('[');
                out.push_str(key);
                out.push_str("](");
                out.push_str(&destination(url));
                out.push(')');
            }
            None => {
                out.push('<');
                out.push_str(&url.replace(['<', '>', ' '], ""));
                out.push('>');
            }
        },
        Inline::Image { src, alt } => {
            out.push_str("![");
            out.push_str(&escape_text(alt, true));
            out.push_str("](");
            out.push_str(&destination(src));
            out.push(')');
        }
    }
}

/// The issue key at the end of a `/browse/KEY-123` URL.
pub fn issue_key(url: &str) -> Option<&str> {
    let key = url.split("/browse/").nth(1)?.trim_end_matches('/');
    let (project, number) = key.split_once('-')?;
    let ok = project
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_uppercase())
        && project
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        && !number.is_empty()
        && number.chars().all(|c| c.is_ascii_digit());
    ok.then_some(key)
}

fn code_span(text: &str) -> String {
    let ticks = "`".repeat(longest_run(text, '`') + 1);
    let pad = text.starts_with('`')
        || text.ends_with('`')
        || (text.starts_with(' ') && text.ends_with(' ') && !text.trim().is_empty());
    let text = text.replace('\n', " ");
    if pad {
        format!("{ticks} {text} {ticks}")
    } else {
        format!("{ticks}{text}{ticks}")
    }
}

fn escape_inline(text: &str, ctx: Ctx, in_link: bool, line_start: bool, tildes: bool) -> String {
    let mut s = escape_marked(text, in_link, tildes);
    if ctx == Ctx::Cell {
        // A row is one line: a line break left in the text would end the table.
        s = s.replace('|', "\\|").replace('\n', " ");
    }
    // Each line of the text could open a block, the lines after a break in it as well.
    if !s.contains('\n') {
        return if line_start { escape_line_start(&s) } else { s };
    }
    let mut out = String::with_capacity(s.len() + 4);
    for (i, line) in s.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        if i > 0 || line_start {
            out.push_str(&escape_line_start(line));
        } else {
            out.push_str(line);
        }
    }
    out
}

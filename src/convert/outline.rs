//! A canonical text dump of a document's structure, one node a line: what tests compare when
//! checking that a construct survives a round trip through another format. Text is normalised
//! (runs with equal marks joined, white space collapsed) so that only meaning is compared.

use std::fmt::Write;

use super::ast::{Block, Inline, Marks, PanelKind, merge_text, task_runs};

pub fn outline(doc: &[Block]) -> String {
    let mut out = String::new();
    for b in doc {
        block(b, 0, &mut out);
    }
    out
}

fn pad(depth: usize, out: &mut String) {
    for _ in 0..depth {
        out.push_str("  ");
    }
}

fn block(b: &Block, depth: usize, out: &mut String) {
    pad(depth, out);
    match b {
        Block::Para(inl) => {
            let _ = writeln!(out, "para {}", inlines(inl));
        }
        Block::Heading(l, inl) => {
            let _ = writeln!(out, "h{l} {}", inlines(inl));
        }
        Block::Code { lang, text } => {
            let _ = writeln!(
                out,
                "code[{}] {:?}",
                lang.as_deref().unwrap_or(""),
                text.trim_end()
            );
        }
        Block::Quote(body) => {
            out.push_str("quote\n");
            body.iter().for_each(|c| block(c, depth + 1, out));
        }
        Block::Panel { kind, title, body } => {
            // A title is compared as the bold first paragraph that Markdown writes for it.
            // Markdown has no plain panel: it is compared as the quote Markdown writes for it.
            if *kind == PanelKind::Plain {
                out.push_str("quote\n");
            } else {
                let _ = writeln!(out, "panel[{}]", panel(*kind));
            }
            if let Some(t) = title.as_deref().filter(|t| !t.trim().is_empty()) {
                let strong = Marks {
                    strong: true,
                    ..Marks::default()
                };
                block(
                    &Block::Para(vec![Inline::Text(t.trim().to_owned(), strong)]),
                    depth + 1,
                    out,
                );
            }
            body.iter().for_each(|c| block(c, depth + 1, out));
        }
        Block::Expand { title, body } => {
            let _ = writeln!(out, "expand {:?}", title.trim());
            body.iter().for_each(|c| block(c, depth + 1, out));
        }
        // A list mixing tasks and plain items is compared as the consecutive lists that ADF and
        // Confluence need.
        Block::List {
            ordered,
            start,
            items,
        } if task_runs(items).len() > 1 => {
            out.truncate(out.len() - 2 * depth);
            for (tasks, run) in task_runs(items) {
                let ordered = *ordered && !tasks;
                block(
                    &Block::List {
                        ordered,
                        start: *start,
                        items: run.to_vec(),
                    },
                    depth,
                    out,
                );
            }
        }
        Block::List {
            ordered,
            start,
            items,
        } => {
            if *ordered {
                let _ = writeln!(out, "list ordered from {start}");
            } else {
                out.push_str("list\n");
            }
            for item in items {
                pad(depth + 1, out);
                out.push_str(match item.task {
                    Some(true) => "item [x]\n",
                    Some(false) => "item [ ]\n",
                    None => "item\n",
                });
                item.body.iter().for_each(|c| block(c, depth + 2, out));
            }
        }
        Block::Table(rows) => {
            out.push_str("table\n");
            let headed = rows.first().is_some_and(|r| r.iter().all(|c| c.header));
            for (r, row) in rows.iter().enumerate() {
                pad(depth + 1, out);
                out.push_str("row\n");
                for cell in row {
                    pad(depth + 2, out);
                    // Markdown can only mark a whole first row as the header.
                    out.push_str(if headed && r == 0 && cell.header {
                        "th\n"
                    } else {
                        "td\n"
                    });
                    cell.body.iter().for_each(|c| block(c, depth + 3, out));
                }
            }
        }
        Block::Rule => out.push_str("rule\n"),
    }
}

fn panel(kind: PanelKind) -> &'static str {
    match kind {
        PanelKind::Info => "info",
        PanelKind::Note => "note",
        // Markdown writes both as TIP, and Jira has one colour for both.
        PanelKind::Tip | PanelKind::Success => "tip",
        PanelKind::Warning => "warning",
        PanelKind::Error => "error",
        PanelKind::Plain => "plain",
    }
}

fn marks(m: &Marks) -> String {
    let mut s = String::new();
    for (on, name) in [
        (m.strong, "b"),
        (m.em, "i"),
        (m.strike, "s"),
        (m.code, "c"),
        (m.underline, "u"),
        (m.sup, "sup"),
        (m.sub, "sub"),
    ] {
        if on {
            s.push_str(name);
            s.push(',');
        }
    }
    if let Some(l) = &m.link {
        let _ = write!(s, "link={l},");
    }
    s.pop();
    s
}

fn inlines(inl: &[Inline]) -> String {
    // Normalise: collapse white space, join equal runs. White space at the edge of emphasised
    // text counts as plain: Markdown cannot put it inside the delimiters.
    let mut parts: Vec<(String, String)> = Vec::new();
    let mut split = Vec::with_capacity(inl.len());
    for i in merge_text(inl.to_vec()) {
        match i {
            Inline::Text(t, m) if !m.code && !t.trim().is_empty() => {
                let core = t.trim_matches(char::is_whitespace);
                let lead = &t[..t.len() - t.trim_start_matches(char::is_whitespace).len()];
                let trail = &t[lead.len() + core.len()..];
                let plain = Marks {
                    link: m.link.clone(),
                    ..Marks::default()
                };
                split.push(Inline::Text(lead.to_owned(), plain.clone()));
                split.push(Inline::Text(core.to_owned(), m.clone()));
                split.push(Inline::Text(trail.to_owned(), plain));
            }
            Inline::Text(t, m) if !m.code => split.push(Inline::Text(
                t,
                Marks {
                    link: m.link,
                    ..Marks::default()
                },
            )),
            other => split.push(other),
        }
    }
    for i in &split {
        let (text, key) = match i {
            Inline::Text(t, m) => {
                let mut t = t.replace(['\n', '\t', '\u{a0}'], " ");
                while t.contains("  ") {
                    t = t.replace("  ", " ");
                }
                (t, marks(m))
            }
            Inline::Break => ("\n".into(), "br".into()),
            Inline::Mention { id, .. } => (String::new(), format!("@{id}")),
            Inline::Emoji { short, text } => {
                (text.clone().unwrap_or_else(|| short.clone()), String::new())
            }
            // A status lozenge is compared as the bold label Markdown writes for it.
            Inline::Status { text, .. } => (format!("[{}]", text.to_uppercase()), "b".into()),
            Inline::Date(d) => (d.clone(), String::new()),
            Inline::Card(u) => (u.clone(), format!("link={u}")),
            Inline::Image { src, alt } => (alt.clone(), format!("img={src}")),
        };
        match parts.last_mut() {
            Some((pt, pk))
                if *pk == key
                    && key != "br"
                    && !key.starts_with('@')
                    && !key.starts_with("img=") =>
            {
                pt.push_str(&text)
            }
            _ => parts.push((text, key)),
        }
    }
    let mut out = String::new();
    let n = parts.len();
    let keys: Vec<String> = parts.iter().map(|(_, k)| k.clone()).collect();
    for (i, (mut text, key)) in parts.into_iter().enumerate() {
        // White space next to a line break does not show.
        if i == 0 || keys[i - 1] == "br" {
            text = text.trim_start().to_owned();
        }
        if i + 1 == n || keys[i + 1] == "br" {
            text = text.trim_end().to_owned();
        }
        if text.is_empty() && key.is_empty() {
            continue;
        }
        if key.is_empty() {
            let _ = write!(out, "{text:?}");
        } else {
            let _ = write!(out, "<{key}>{text:?}");
        }
        out.push(' ');
    }
    out.pop();
    out
}

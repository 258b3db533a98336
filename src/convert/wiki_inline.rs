//! Inline Jira wiki markup → inline model: marks (`*`, `_`, `-`, `+`, `^`, `~`, `??`, `{{}}` and the
//! `{*}` brace forms), links, mentions, attachments, images, emoticons, escapes and line breaks.
//! Every closing delimiter is found through positions indexed once, so no input is quadratic.

use super::ast::{Inline, Marks, merge_text};
use super::plain_text::split_urls;

const MARK_CHARS: [char; 6] = ['*', '_', '-', '+', '^', '~'];

/// Precomputed positions of closing delimiters, so each look-up is a binary search.
struct Index {
    closers: [Vec<usize>; 6],
    braces: [Vec<usize>; 6],
    mono_end: Vec<usize>,
    cite_end: Vec<usize>,
    bracket_end: Vec<usize>,
    bang: Vec<usize>,
    /// `esc[i]`: the character at `i` follows an odd run of backslashes.
    esc: Vec<bool>,
}

fn next_after(list: &[usize], after: usize, before: usize) -> Option<usize> {
    let i = list.partition_point(|p| *p <= after);
    list.get(i).copied().filter(|p| *p < before)
}

fn escapes(chars: &[char]) -> Vec<bool> {
    let mut out = Vec::with_capacity(chars.len());
    let mut run = 0usize;
    for c in chars {
        out.push(run % 2 == 1);
        run = if *c == '\\' { run + 1 } else { 0 };
    }
    out
}

/// Parses inline wiki markup.
pub fn inline(text: &str) -> Vec<Inline> {
    let chars: Vec<char> = text.chars().collect();
    let n = chars.len();
    let mut idx = Index {
        closers: Default::default(),
        braces: Default::default(),
        mono_end: Vec::new(),
        cite_end: Vec::new(),
        bracket_end: Vec::new(),
        bang: Vec::new(),
        esc: escapes(&chars),
    };
    for i in 0..n {
        let c = chars[i];
        if idx.esc[i] {
            continue;
        }
        if let Some(k) = MARK_CHARS.iter().position(|m| *m == c) {
            let prev_ok = i > 0 && !chars[i - 1].is_whitespace();
            let next_ok = chars.get(i + 1).is_none_or(|n| !n.is_alphanumeric());
            if prev_ok && next_ok {
                idx.closers[k].push(i);
            }
            if i > 0 && chars[i - 1] == '{' && chars.get(i + 1) == Some(&'}') {
                idx.braces[k].push(i - 1);
            }
        }
        match c {
            // In `}}}` the monospace ends with the last two braces.
            '}' if chars.get(i + 1) == Some(&'}') && chars.get(i + 2) != Some(&'}') => {
                idx.mono_end.push(i)
            }
            '?' if chars.get(i + 1) == Some(&'?') => idx.cite_end.push(i),
            ']' => idx.bracket_end.push(i),
            '!' => idx.bang.push(i),
            _ => {}
        }
    }
    let mut out = Vec::new();
    span(&chars, &idx, 0, n, &Marks::default(), &mut out);
    merge_text(out)
}

fn span(
    chars: &[char],
    idx: &Index,
    start: usize,
    end: usize,
    marks: &Marks,
    out: &mut Vec<Inline>,
) {
    let mut buf = String::new();
    let mut i = start;
    while i < end {
        let c = chars[i];
        let next = if i + 1 < end {
            Some(chars[i + 1])
        } else {
            None
        };
        match c {
            '\\' => {
                match next {
                    Some('\\') => {
                        flush(&mut buf, marks, out);
                        out.push(Inline::Break);
                        // `\\` at the end of a line is one break, not two; a space after it
                        // (which the writer puts there) is not text.
                        if i + 2 < end && matches!(chars[i + 2], '\n' | ' ') {
                            i += 1;
                        }
                    }
                    Some(n) if n.is_alphanumeric() || n.is_whitespace() => {
                        buf.push('\\');
                        buf.push(n);
                    }
                    Some(n) => buf.push(n),
                    None => buf.push('\\'),
                }
                i += 2;
                continue;
            }
            '\n' => {
                flush(&mut buf, marks, out);
                out.push(Inline::Break);
                i += 1;
                continue;
            }
            '&' => {
                if let Some((ch, len)) = numeric_entity(&chars[i..end]) {
                    buf.push(ch);
                    i += len;
                    continue;
                }
            }
            '{' if next == Some('{') && !marks.code => {
                if let Some(close) = next_after(&idx.mono_end, i + 1, end) {
                    flush(&mut buf, marks, out);
                    let code: String = unescape(&chars[i + 2..close]);
                    out.push(Inline::Text(
                        code,
                        Marks {
                            code: true,
                            ..marks.clone()
                        },
                    ));
                    i = close + 2;
                    continue;
                }
            }
            '{' => {
                if let Some(k) = next.and_then(|n| MARK_CHARS.iter().position(|m| *m == n)) {
                    if chars.get(i + 2) == Some(&'}') {
                        if let Some(close) = next_after(&idx.braces[k], i + 2, end) {
                            flush(&mut buf, marks, out);
                            let inner = with_mark(marks, k);
                            span(chars, idx, i + 3, close, &inner, out);
                            i = close + 3;
                            continue;
                        }
                    }
                }
                // Inline macros that only style text: drop the tag, keep the text.
                let tag: String = chars[i..end.min(i + 40)]
                    .iter()
                    .take_while(|c| **c != '}')
                    .collect();
                let lower = tag.to_ascii_lowercase();
                if ["{color", "{anchor"].iter().any(|p| lower.starts_with(p))
                    && chars.get(i + tag.chars().count()) == Some(&'}')
                {
                    i += tag.chars().count() + 1;
                    continue;
                }
            }
            '?' if next == Some('?') && !marks.em => {
                if let Some(close) = next_after(&idx.cite_end, i + 1, end).filter(|c| *c > i + 2) {
                    flush(&mut buf, marks, out);
                    span(
                        chars,
                        idx,
                        i + 2,
                        close,
                        &Marks {
                            em: true,
                            ..marks.clone()
                        },
                        out,
                    );
                    i = close + 2;
                    continue;
                }
            }
            '[' => {
                if let Some(close) = next_after(&idx.bracket_end, i, end) {
                    if let Some(node) = link(chars, idx, i + 1, close, marks) {
                        flush(&mut buf, marks, out);
                        out.extend(node);
                        i = close + 1;
                        continue;
                    }
                }
            }
            '!' if next.is_some_and(|n| !n.is_whitespace()) => {
                if let Some(close) = next_after(&idx.bang, i, end) {
                    let inner: String = chars[i + 1..close].iter().collect();
                    let src = inner.split('|').next().unwrap_or("");
                    if !src.is_empty() && !src.contains(char::is_whitespace) && close > i + 1 {
                        flush(&mut buf, marks, out);
                        let alt = inner.split('|').nth(1).and_then(|p| {
                            p.split(',').find_map(|kv| kv.trim().strip_prefix("alt="))
                        });
                        out.push(Inline::Image {
                            src: src.to_owned(),
                            alt: unquote(alt.unwrap_or("")).to_owned(),
                        });
                        i = close + 1;
                        continue;
                    }
                }
            }
            ':' | ';' if i == start || chars[i - 1].is_whitespace() => {
                // Smileys (`:)`, `;)`, `:D` …) stand alone: not in `a:b` or `f(x:P)`.
                let face = chars.get(i + 1).and_then(|n| match (c, n) {
                    (':', ')') => Some("🙂"),
                    (':', '(') => Some("🙁"),
                    (':', 'P') => Some("😛"),
                    (':', 'D') => Some("😃"),
                    (';', ')') => Some("😉"),
                    _ => None,
                });
                let alone = chars.get(i + 2).is_none_or(|n| !n.is_alphanumeric());
                if let (Some(emoji), true) = (face, alone && i + 2 <= end) {
                    flush(&mut buf, marks, out);
                    out.push(Inline::Emoji {
                        short: chars[i..i + 2].iter().collect(),
                        text: Some(emoji.to_owned()),
                    });
                    i += 2;
                    continue;
                }
            }
            '(' => {
                if let Some((len, emoji)) = emoticon(&chars[i..end]) {
                    flush(&mut buf, marks, out);
                    let short: String = chars[i..i + len].iter().collect();
                    out.push(Inline::Emoji {
                        short,
                        text: Some(emoji.to_owned()),
                    });
                    i += len;
                    continue;
                }
            }
            _ => {}
        }
        if let Some(k) = MARK_CHARS.iter().position(|m| *m == c) {
            let prev_ok = i == start || !chars[i - 1].is_alphanumeric();
            let next_ok = next.is_some_and(|n| !n.is_whitespace());
            if prev_ok && next_ok && !mark_on(marks, k) {
                if let Some(close) = next_after(&idx.closers[k], i + 1, end) {
                    flush(&mut buf, marks, out);
                    span(chars, idx, i + 1, close, &with_mark(marks, k), out);
                    i = close + 1;
                    continue;
                }
            }
        }
        buf.push(c);
        i += 1;
    }
    flush(&mut buf, marks, out);
}

/// A parameter value without one pair of surrounding quotes.
fn unquote(v: &str) -> &str {
    v.strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .unwrap_or(v)
}

fn mark_on(m: &Marks, k: usize) -> bool {
    [m.strong, m.em, m.strike, m.underline, m.sup, m.sub][k]
}

fn with_mark(m: &Marks, k: usize) -> Marks {
    let mut m = m.clone();
    match k {
        0 => m.strong = true,
        1 => m.em = true,
        2 => m.strike = true,
        3 => m.underline = true,
        4 => m.sup = true,
        _ => m.sub = true,
    }
    m
}

fn flush(buf: &mut String, marks: &Marks, out: &mut Vec<Inline>) {
    if buf.is_empty() {
        return;
    }
    let text = std::mem::take(buf);
    if marks.link.is_some() || !text.contains("://") {
        out.push(Inline::Text(text, marks.clone()));
        return;
    }
    for (piece, is_url) in split_urls(&text) {
        let mut m = marks.clone();
        if is_url {
            m.link = Some(piece.to_owned());
        }
        out.push(Inline::Text(piece.to_owned(), m));
    }
}

/// A numeric character reference (`&#92;`, `&#x5C;`) at the start of `chars`: the character and
/// the length of the reference. Jira renders them; the wiki writer spells a backslash this way.
pub fn numeric_entity(chars: &[char]) -> Option<(char, usize)> {
    if chars.first() != Some(&'&') || chars.get(1) != Some(&'#') {
        return None;
    }
    let hex = matches!(chars.get(2), Some('x' | 'X'));
    let from = if hex { 3 } else { 2 };
    let digits = chars[from.min(chars.len())..]
        .iter()
        .take(8)
        .take_while(|c| {
            if hex {
                c.is_ascii_hexdigit()
            } else {
                c.is_ascii_digit()
            }
        })
        .count();
    if digits == 0 || chars.get(from + digits) != Some(&';') {
        return None;
    }
    let text: String = chars[from..from + digits].iter().collect();
    let code = u32::from_str_radix(&text, if hex { 16 } else { 10 }).ok()?;
    let c = char::from_u32(code).filter(|c| *c != '\0')?;
    Some((c, from + digits + 1))
}

fn unescape(chars: &[char]) -> String {
    let mut out = String::with_capacity(chars.len());
    let mut i = 0;
    while i < chars.len() {
        if let Some((c, len)) = numeric_entity(&chars[i..]) {
            out.push(c);
            i += len;
            continue;
        }
        if chars[i] == '\\'
            && i + 1 < chars.len()
            && !chars[i + 1].is_alphanumeric()
            && !chars[i + 1].is_whitespace()
        {
            i += 1;
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

/// `[…]` contents: mention, attachment, `text|url` or a bare URL; `None` leaves it as text.
fn link(
    chars: &[char],
    idx: &Index,
    start: usize,
    end: usize,
    marks: &Marks,
) -> Option<Vec<Inline>> {
    let inner: String = chars[start..end].iter().collect();
    if let Some(user) = inner.strip_prefix('~') {
        let user = user.trim();
        let id = user.strip_prefix("accountid:").unwrap_or(user).trim();
        return (!id.is_empty()).then(|| {
            vec![Inline::Mention {
                id: id.to_owned(),
                name: None,
            }]
        });
    }
    if let Some(file) = inner.strip_prefix('^') {
        let m = Marks {
            link: Some(file.to_owned()),
            ..marks.clone()
        };
        return Some(vec![Inline::Text(file.to_owned(), m)]);
    }
    let bar = (start..end).find(|&p| chars[p] == '|' && !idx.esc[p]);
    match bar {
        Some(b) => {
            let rest: String = chars[b + 1..end].iter().collect();
            let url = rest.split('|').next().unwrap_or("").trim().to_owned();
            if url.is_empty() {
                return None;
            }
            let mut out = Vec::new();
            span(
                chars,
                idx,
                start,
                b,
                &Marks {
                    link: Some(url.clone()),
                    ..marks.clone()
                },
                &mut out,
            );
            if out.is_empty() {
                out.push(Inline::Text(
                    url.clone(),
                    Marks {
                        link: Some(url),
                        ..marks.clone()
                    },
                ));
            }
            Some(out)
        }
        None => {
            let url = inner.trim();
            let linky = url.contains("://")
                || url.starts_with("mailto:")
                || url.starts_with('#')
                || url.starts_with('/');
            // Jira shows `[mailto:a@b.c]` as the address alone.
            let shown = url.strip_prefix("mailto:").unwrap_or(url);
            linky.then(|| {
                vec![Inline::Text(
                    shown.to_owned(),
                    Marks {
                        link: Some(url.to_owned()),
                        ..marks.clone()
                    },
                )]
            })
        }
    }
}

fn emoticon(rest: &[char]) -> Option<(usize, &'static str)> {
    const FACES: &[(&str, &str)] = &[
        ("(/)", "✅"),
        ("(x)", "❌"),
        ("(i)", "ℹ️"),
        ("(!)", "⚠️"),
        ("(?)", "❓"),
        ("(y)", "👍"),
        ("(n)", "👎"),
        ("(on)", "💡"),
        ("(off)", "💡"),
        ("(*)", "⭐"),
        ("(+)", "➕"),
        ("(-)", "➖"),
    ];
    let s: String = rest.iter().take(5).collect();
    FACES
        .iter()
        .find(|(f, _)| s.starts_with(f))
        .map(|(f, e)| (f.chars().count(), *e))
}

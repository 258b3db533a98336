//! Markdown escaping of plain text: the punctuation that would otherwise start markup (links,
//! emphasis, strikethrough, entities) and the line starts that would open a block (headings,
//! quotes, list items, setext underlines, table rows).

/// Escapes Markdown punctuation in plain text; brackets only where they could form a link.
pub(super) fn escape_text(text: &str, brackets: bool) -> String {
    escape_marked(text, brackets, false)
}

/// [`escape_text`], with every tilde escaped when `tildes` (the text around holds another).
pub(super) fn escape_marked(text: &str, brackets: bool, tildes: bool) -> String {
    let chars: Vec<char> = text.chars().collect();
    let linky = brackets || text.contains("](") || text.contains("][") || text.contains("]:");
    let tildes = tildes || text.matches('~').count() >= 2;
    let mut out = String::with_capacity(text.len() + 8);
    for (i, &c) in chars.iter().enumerate() {
        let prev = i.checked_sub(1).map(|p| chars[p]);
        let next = chars.get(i + 1).copied();
        let escape = match c {
            '\\' => next.is_none_or(|n| n.is_ascii_punctuation()),
            '`' | '*' => true,
            '_' => {
                !(prev.is_some_and(char::is_alphanumeric)
                    && next.is_some_and(char::is_alphanumeric))
            }
            '[' | ']' => linky,
            '~' => tildes,
            '<' => next.is_some_and(|n| n.is_ascii_alphabetic() || matches!(n, '/' | '!' | '?')),
            '&' => looks_like_entity(&chars[i + 1..]),
            '!' => next == Some('[') && linky,
            _ => false,
        };
        if escape {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn looks_like_entity(rest: &[char]) -> bool {
    let n = rest
        .iter()
        .take(32)
        .take_while(|c| c.is_ascii_alphanumeric() || **c == '#')
        .count();
    n > 0 && rest.get(n) == Some(&';')
}

/// Escapes what would start a block construct at the beginning of a line.
pub(super) fn escape_line_start(s: &str) -> String {
    let trimmed = s.trim_start();
    let lead = &s[..s.len() - trimmed.len()];
    let first = trimmed.chars().next();
    let rest_after = |n: usize| trimmed[n..].chars().next();
    let needs = match first {
        Some('#') => {
            let hashes = trimmed.chars().take_while(|c| *c == '#').count();
            hashes <= 6 && rest_after(hashes).is_none_or(|c| c == ' ' || c == '\t')
        }
        Some('>') => true,
        Some('-' | '+' | '=') => {
            rest_after(1).is_none_or(|c| c == ' ' || c == '\t')
                || trimmed.chars().all(|c| c == '-' || c == '=' || c == ' ')
        }
        Some('|') => true,
        Some(c) if c.is_ascii_digit() => {
            let digits = trimmed.chars().take_while(char::is_ascii_digit).count();
            if digits <= 9
                && matches!(rest_after(digits), Some('.' | ')'))
                && trimmed[digits + 1..]
                    .chars()
                    .next()
                    .is_none_or(|c| c == ' ')
            {
                return format!("{lead}{}\\{}", &trimmed[..digits], &trimmed[digits..]);
            }
            false
        }
        _ => false,
    };
    let task =
        trimmed.starts_with("[ ]") || trimmed.starts_with("[x]") || trimmed.starts_with("[X]");
    if needs || task {
        format!("{lead}\\{trimmed}")
    } else {
        s.to_owned()
    }
}

/// Escapes a `!` that ends `out` before a `[` is written after it: `!` then a link or a
/// mention would read as an image.
pub(super) fn escape_bang_before_bracket(out: &mut String) {
    if let Some(head) = out.strip_suffix('!') {
        let slashes = head.chars().rev().take_while(|&c| c == '\\').count();
        if slashes % 2 == 0 {
            out.insert(out.len() - 1, '\\');
        }
    }
}

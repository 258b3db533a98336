//! Wiki markup escaping: plain text with the characters Jira would read as markup escaped,
//! and link targets, image sources and alt text reduced to what their delimiters allow.

/// A link target as wiki markup can hold it: `[` and `]` delimit it, `|` ends it, `\\` escapes
/// what follows (`…\\]` would not end it) and braces open macros and monospace (`{{`), so they
/// are percent-encoded; white space around it is not kept (Jira trims it).
pub fn wiki_href(href: &str) -> String {
    href.trim()
        .replace('\\', "%5C")
        .replace('|', "%7C")
        .replace('[', "%5B")
        .replace(']', "%5D")
        .replace('{', "%7B")
        .replace('}', "%7D")
}

/// A user id as `[~…]` can hold it: `[`, `]` and `|` would end the mention or its table cell, a
/// backslash escapes what follows and braces open macros and monospace; real ids hold none of
/// them, so they are dropped (and white space around the id, which the reader trims).
pub fn wiki_user(id: &str) -> String {
    id.replace(['[', ']', '|', '\\', '{', '}'], "")
        .trim()
        .to_owned()
}

/// An image source as `!src|alt="…"!` can hold it: `!`, `|` and line breaks end it (dropped),
/// brackets would unbalance the table row or link around it and white space would make it
/// text (percent-encoded).
pub fn wiki_src(src: &str) -> String {
    src.trim()
        .replace(['!', '|', '\n', '\r'], "")
        .replace('[', "%5B")
        .replace(']', "%5D")
        .replace(' ', "%20")
        .replace('\t', "%09")
}

/// Image alt text as the image parameters can hold it: their delimiters become spaces.
pub fn wiki_alt(alt: &str) -> String {
    alt.replace(['!', '|', ',', '\n', '[', ']'], " ")
        .trim()
        .to_owned()
}

/// Escapes wiki markup characters in plain text.
pub fn escape(text: &str, line_start: bool) -> String {
    escape_before(text, line_start, "")
}

/// Escapes wiki markup characters in plain text that `follow` comes after in the output (the
/// delimiters and text next to it; empty where that is unknown): a `!` or `(` at its end can
/// open an image or an emoticon with what follows.
pub fn escape_before(text: &str, line_start: bool, follow: &str) -> String {
    let own = text.chars().count();
    let chars: Vec<char> = text.chars().chain(follow.chars().take(8)).collect();
    let mut out = String::with_capacity(text.len() + 8);
    for (i, &c) in chars.iter().enumerate().take(own) {
        let prev = i.checked_sub(1).map(|p| chars[p]);
        let next = chars.get(i + 1).copied();
        let at_start = (line_start && i == 0) || prev == Some('\n');
        // A backslash before anything but a letter, digit or space would escape it, and two
        // make a line break: such a backslash is written as an entity (and so is an ampersand
        // that would start one).
        if c == '\\' && next.is_none_or(|n| !n.is_alphanumeric() && !n.is_whitespace()) {
            out.push_str("&#92;");
            continue;
        }
        if c == '&' && super::wiki_inline::numeric_entity(&chars[i..]).is_some() {
            out.push_str("&#38;");
            continue;
        }
        let escape = match c {
            '*' | '_' | '+' | '^' | '~' | '{' | '}' | '[' | ']' | '|' => true,
            '-' => {
                // At either end of the piece the neighbour is unknown (it may be a mark's
                // delimiter: `~~-~~-` must not become the rule `----`), so assume the worst.
                let opener = prev.is_none_or(|p| !p.is_alphanumeric())
                    && next.is_none_or(|n| !n.is_whitespace());
                let closer = prev.is_none_or(|p| !p.is_whitespace())
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
    // A line of the text that starts like a heading or `bq.` (then a space or nothing) would
    // be one: the first line at a line start, the lines after a break in the text always.
    let mut lines: Vec<String> = out.split('\n').map(str::to_owned).collect();
    for (n, line) in lines.iter_mut().enumerate() {
        let block = ["h1.", "h2.", "h3.", "h4.", "h5.", "h6.", "bq."]
            .iter()
            .any(|p| {
                line.starts_with(p) && line[3..].chars().next().is_none_or(char::is_whitespace)
            });
        if block && (n > 0 || line_start) {
            line.insert(2, '\\');
        }
    }
    lines.join("\n")
}

fn emoticon_follows(rest: &[char]) -> bool {
    const FACES: &[&str] = &[
        "x)", "/)", "i)", "!)", "?)", "y)", "n)", "on)", "off)", "*)", "*r)", "*g)", "*b)", "*y)",
        "+)", "-)",
    ];
    let s: String = rest.iter().take(4).collect();
    FACES.iter().any(|f| s.starts_with(f))
}

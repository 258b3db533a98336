//! Plain-text helpers the readers and writers share: control characters removed before parsing,
//! bare `http(s)://` URLs told apart from the text around them (GFM autolink literals), the
//! escaping of text inside inline HTML, and code line endings as CommonMark counts them.

/// `text` without control characters other than tab and line breaks: they mean nothing in rich
/// text, storage XHTML cannot hold them, and CommonMark reads them inconsistently (found by
/// fuzzing).
pub fn without_controls(text: &str) -> std::borrow::Cow<'_, str> {
    let control = |c: char| (c as u32) < 0x20 && !matches!(c, '\n' | '\t' | '\r');
    if text.contains(control) {
        text.replace(control, "").into()
    } else {
        text.into()
    }
}

/// Splits text around bare `http://` / `https://` URLs (GFM autolink literals): pieces with a flag
/// telling URLs apart. Trailing punctuation and an unbalanced `)` stay outside the URL, and `|`,
/// brackets, braces and a backslash end it (a table cell's bar; wiki link and macro delimiters;
/// no URL holds a bare backslash).
pub fn split_urls(text: &str) -> Vec<(&str, bool)> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(at) = find_url_start(rest) {
        let tail = &rest[at..];
        let mut end = tail
            .find(|c: char| {
                c.is_whitespace()
                    || matches!(c, '<' | '>' | '"' | '|' | '[' | ']' | '{' | '}' | '\\')
            })
            .unwrap_or(tail.len());
        loop {
            let url = &tail[..end];
            let last = url.chars().last();
            let trim = match last {
                Some('.' | ',' | ':' | ';' | '!' | '?' | '\'' | '*' | '_' | '~') => true,
                Some(')') => url.matches(')').count() > url.matches('(').count(),
                _ => false,
            };
            if !trim {
                break;
            }
            end -= 1;
        }
        let url = &tail[..end];
        if url.len() <= url.find("://").unwrap_or(0) + 3 {
            out.push((&rest[..at + end.max(1)], false));
            rest = &rest[at + end.max(1)..];
            continue;
        }
        if at > 0 {
            out.push((&rest[..at], false));
        }
        out.push((url, true));
        rest = &tail[end..];
    }
    if !rest.is_empty() {
        out.push((rest, false));
    }
    out
}

fn find_url_start(s: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = s[from..].find("http") {
        let at = from + i;
        let tail = &s[at..];
        let boundary = at == 0 || !s[..at].chars().last().is_some_and(|c| c.is_alphanumeric());
        if boundary && (tail.starts_with("https://") || tail.starts_with("http://")) {
            return Some(at);
        }
        from = at + 4;
    }
    None
}

/// `&`, `<` and `>` escaped, for text written inside inline HTML.
pub fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Code text with each line ending (CR LF, or CR alone, as CommonMark counts them) as LF.
pub(crate) fn line_endings(text: &str) -> String {
    if text.contains('\r') {
        text.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        text.to_owned()
    }
}

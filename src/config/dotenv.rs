//! A small parser for `.env` files. Accepted syntax, one entry per line:
//! `KEY=value`, `export KEY=value`, blank lines and `#` comments; values may be unquoted (an
//! inline comment starts at a `#` preceded by whitespace; surrounding spaces are dropped),
//! single-quoted (taken literally) or double-quoted (escapes `\n`, `\r`, `\t`, `\"`, `\\`; other
//! backslashes are kept). Quoted values may span lines. CRLF line ends and a leading byte-order
//! mark are accepted. `${VAR}` references are NOT expanded. Later entries win over earlier ones.

/// A syntax error: the 1-based line and what is wrong (never the line's text, which may hold a
/// secret).
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct SyntaxError {
    pub line: usize,
    pub reason: String,
}

/// Parses dotenv text into `(key, value)` pairs in file order.
pub(crate) fn parse(text: &str) -> Result<Vec<(String, String)>, SyntaxError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut parser = Parser {
        rest: text,
        line: 1,
    };
    let mut out = Vec::new();
    while !parser.rest.is_empty() {
        if let Some(pair) = parser.entry()? {
            out.push(pair);
        }
    }
    Ok(out)
}

struct Parser<'a> {
    /// Unparsed input, always at the start of a line.
    rest: &'a str,
    /// Line number of the start of `rest`.
    line: usize,
}

impl Parser<'_> {
    fn error(&self, line: usize, reason: impl Into<String>) -> SyntaxError {
        SyntaxError {
            line,
            reason: reason.into(),
        }
    }

    /// Takes the current line (without its line end) off the input.
    fn take_line(&mut self) -> &str {
        let (line, rest) = match self.rest.find('\n') {
            Some(i) => (&self.rest[..i], &self.rest[i + 1..]),
            None => (self.rest, ""),
        };
        self.rest = rest;
        self.line += 1;
        line.strip_suffix('\r').unwrap_or(line)
    }

    /// Parses one line (or one multi-line quoted entry). `None` for blank and comment lines.
    fn entry(&mut self) -> Result<Option<(String, String)>, SyntaxError> {
        let start_line = self.line;
        let first_line_end = self.rest.find('\n').unwrap_or(self.rest.len());
        let head = self.rest[..first_line_end].trim_start();
        if head.trim_end().is_empty() || head.starts_with('#') {
            self.take_line();
            return Ok(None);
        }
        let after_export = head
            .strip_prefix("export")
            .filter(|r| r.starts_with([' ', '\t']))
            .map_or(head, str::trim_start);
        let Some((key, after_eq)) = after_export.split_once('=') else {
            return Err(self.error(start_line, "expected KEY=value (no \"=\" found)"));
        };
        let key = key.trim_end();
        if !is_key(key) {
            return Err(self.error(
                start_line,
                "the name before \"=\" must be letters, digits and _ (not starting with a digit)",
            ));
        }
        let key = key.to_owned();
        let value_start = after_eq.trim_start_matches([' ', '\t']);
        // `value_start` is a suffix of the first line, so this is its offset in `self.rest`;
        // quoted values are read from there and may run past the line end.
        let offset = first_line_end - value_start.len();
        match value_start.chars().next() {
            Some(q @ ('\'' | '"')) => {
                let body = &self.rest[offset + 1..];
                let (value, consumed) = quoted(body, q)
                    .ok_or_else(|| self.error(start_line, format!("unterminated {q} quote")))?;
                let after = &self.rest[offset + 1 + consumed..];
                let lines_in_value = self.rest[..offset + 1 + consumed].matches('\n').count();
                let tail_end = after.find('\n').unwrap_or(after.len());
                let tail = after[..tail_end].trim_end_matches('\r').trim();
                let end_line = start_line + lines_in_value;
                if !(tail.is_empty() || tail.starts_with('#')) {
                    return Err(self.error(end_line, "unexpected text after the closing quote"));
                }
                let skip = offset + 1 + consumed + tail_end;
                self.rest = self.rest[skip..].strip_prefix('\n').unwrap_or("");
                self.line = end_line + 1;
                Ok(Some((key, value)))
            }
            _ => {
                self.take_line();
                let raw = value_start.strip_suffix('\r').unwrap_or(value_start);
                Ok(Some((key, unquoted(raw))))
            }
        }
    }
}

/// Reads a quoted value whose opening quote `q` was just consumed. Returns the value and how many
/// bytes of `body` were used, including the closing quote; `None` when the quote never closes.
fn quoted(body: &str, q: char) -> Option<(String, usize)> {
    let mut value = String::new();
    let mut chars = body.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            c if c == q => return Some((value.replace("\r\n", "\n"), i + 1)),
            '\\' if q == '"' => match chars.next() {
                Some((_, 'n')) => value.push('\n'),
                Some((_, 'r')) => value.push('\r'),
                Some((_, 't')) => value.push('\t'),
                Some((_, '"')) => value.push('"'),
                Some((_, '\\')) => value.push('\\'),
                Some((_, other)) => {
                    value.push('\\');
                    value.push(other);
                }
                None => return None,
            },
            c => value.push(c),
        }
    }
    None
}

/// An unquoted value: cut at the first `#` that follows whitespace, then trimmed.
fn unquoted(raw: &str) -> String {
    let mut end = raw.len();
    let bytes = raw.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        if *b == b'#' && i > 0 && matches!(bytes[i - 1], b' ' | b'\t') {
            end = i;
            break;
        }
    }
    raw[..end].trim().to_owned()
}

fn is_key(key: &str) -> bool {
    let mut chars = key.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(text: &str) -> Vec<(String, String)> {
        parse(text).unwrap_or_else(|e| panic!("line {}: {}", e.line, e.reason))
    }

    fn one(text: &str) -> String {
        let p = pairs(text);
        assert_eq!(p.len(), 1, "{p:?}");
        p[0].1.clone()
    }

    #[test]
    fn basic_forms() {
        let got = pairs(
            "# comment\n\nA=1\nexport B=two\n  C = spaced value  \nD=\nexport=x\nexported_E=5\n",
        );
        let want = [
            ("A", "1"),
            ("B", "two"),
            ("C", "spaced value"),
            ("D", ""),
            ("export", "x"),
            ("exported_E", "5"),
        ];
        let want: Vec<(String, String)> = want
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn inline_comments_only_after_whitespace() {
        assert_eq!(one("A=abc # note"), "abc");
        assert_eq!(one("A=abc\t# note"), "abc");
        assert_eq!(one("A=abc#def"), "abc#def");
        assert_eq!(one("A=#x"), "#x");
        assert_eq!(one("A='q # kept' # gone"), "q # kept");
    }

    #[test]
    fn single_quotes_are_literal() {
        assert_eq!(one(r#"A='a\nb \"x\"'"#), r#"a\nb \"x\""#);
        assert_eq!(one("A='  padded  '"), "  padded  ");
    }

    #[test]
    fn double_quote_escapes() {
        assert_eq!(one(r#"A="a\nb""#), "a\nb");
        assert_eq!(one(r#"A="say \"hi\"""#), "say \"hi\"");
        assert_eq!(one(r#"A="back\\slash""#), "back\\slash");
        assert_eq!(one(r#"A="tab\tend""#), "tab\tend");
        assert_eq!(one(r#"A="keep \d""#), "keep \\d");
        assert_eq!(one(r##"A="# not a comment""##), "# not a comment");
    }

    #[test]
    fn crlf_and_bom() {
        let got = pairs("\u{feff}A=1\r\nB=\"two\"\r\n# c\r\nC='3'\r\n");
        assert_eq!(got.len(), 3);
        assert_eq!(got[0], ("A".into(), "1".into()));
        assert_eq!(got[1], ("B".into(), "two".into()));
        assert_eq!(got[2], ("C".into(), "3".into()));
    }

    #[test]
    fn multi_line_quoted_value_and_line_numbers() {
        let text = "A=\"line1\nline2\"\nB=x\nbad line\n";
        let err = parse(text).unwrap_err();
        assert_eq!(err.line, 4);
        let good = pairs("A=\"l1\r\nl2\"\nB=x\n");
        assert_eq!(good[0].1, "l1\nl2");
        assert_eq!(good[1], ("B".into(), "x".into()));
    }

    #[test]
    fn errors_name_the_line_and_never_the_text() {
        let cases = [
            ("A=1\nJUSTTEXT-secret\n", 2, "expected KEY=value"),
            ("A=1\n\n1BAD=x\n", 3, "name before"),
            ("MY-KEY=x", 1, "name before"),
            ("A=\"open\nstill open", 1, "unterminated \" quote"),
            ("A='open", 1, "unterminated ' quote"),
            ("A=\"x\" trailing", 1, "after the closing quote"),
            ("A=\"x\nB\" trailing", 2, "after the closing quote"),
        ];
        for (text, line, reason) in cases {
            let err = parse(text).unwrap_err();
            assert_eq!(err.line, line, "{text:?}");
            assert!(err.reason.contains(reason), "{text:?}: {}", err.reason);
            assert!(!err.reason.contains("secret"));
        }
    }

    #[test]
    fn last_line_without_newline_and_later_wins_order() {
        let got = pairs("A=1\nA=2");
        assert_eq!(
            got,
            vec![("A".into(), "1".into()), ("A".into(), "2".into())]
        );
    }
}

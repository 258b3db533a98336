//! Markdown emphasis delimiters (`~~`, `**`, `*` and the `<u>`, `<sup>`, `<sub>` tags) opened and
//! closed around text runs, with the tag form where CommonMark's flanking rules would not read
//! `*` or `~~` as a delimiter (next to punctuation, or run into another delimiter).

/// Markdown's name for the marks it writes with delimiters.
pub(super) use super::ast::Emphasis as Delim;

impl Delim {
    pub(super) fn open(self) -> &'static str {
        match self {
            Delim::Strike => "~~",
            Delim::Strong => "**",
            Delim::Em => "*",
            Delim::Underline => "<u>",
            Delim::Sup => "<sup>",
            Delim::Sub => "<sub>",
        }
    }
    pub(super) fn close(self) -> &'static str {
        match self {
            Delim::Underline => "</u>",
            Delim::Sup => "</sup>",
            Delim::Sub => "</sub>",
            other => other.open(),
        }
    }
    /// The tag pair that stands in for `*`, `**` or `~~` where CommonMark would not read the
    /// delimiter as one (the flanking rules).
    fn tags(self) -> Option<(&'static str, &'static str)> {
        match self {
            Delim::Strike => Some(("<s>", "</s>")),
            Delim::Strong => Some(("<strong>", "</strong>")),
            Delim::Em => Some(("<em>", "</em>")),
            _ => None,
        }
    }
}

/// A delimiter open in [`runs`]: where its opening text starts in the output, and whether it
/// was written as a tag.
pub(super) struct Open {
    pub(super) d: Delim,
    at: usize,
    tag: bool,
}

/// Punctuation in CommonMark's sense for flanking: not alphanumeric, not white space.
fn punct(c: Option<char>) -> bool {
    c.is_some_and(|c| !c.is_alphanumeric() && !c.is_whitespace())
}

/// Opens `d` at the end of `out`, as a tag where `*`/`~~` would not be left-flanking before
/// `next` (punctuation after a letter) or would run into a delimiter just written.
pub(super) fn open_delim(d: Delim, next: Option<char>, out: &mut String, open: &mut Vec<Open>) {
    let prev = out.chars().last();
    let tag = d.tags().is_some()
        && ((punct(next) && prev.is_some_and(char::is_alphanumeric))
            || matches!(prev, Some('*' | '~')));
    let text = match (tag, d.tags()) {
        (true, Some((o, _))) => o,
        _ => d.open(),
    };
    // A `*`/`~~` opened just before, after a letter, was chosen for the text that follows; a
    // tag there (`x**<em>`) stops it from flanking, so it becomes a tag too.
    if text.starts_with('<') {
        if let Some(prev) = open.last_mut() {
            let end = prev.at + prev.d.open().len();
            let after_letter = out[..prev.at]
                .chars()
                .last()
                .is_some_and(char::is_alphanumeric);
            if let (false, Some((opening, _)), true, true) =
                (prev.tag, prev.d.tags(), end == out.len(), after_letter)
            {
                out.replace_range(prev.at..end, opening);
                prev.tag = true;
            }
        }
    }
    open.push(Open {
        d,
        at: out.len(),
        tag,
    });
    out.push_str(text);
}

/// Closes the innermost open delimiter before `next`. A `*`/`~~` closer after punctuation and
/// before a letter would not be right-flanking: then the pair becomes tags, its opener too.
pub(super) fn close_delim(next: Option<char>, out: &mut String, open: &mut Vec<Open>) {
    let Some(o) = open.pop() else { return };
    let prev = out.chars().last();
    let mut tag = o.tag;
    if let (false, Some((opening, _))) = (tag, o.d.tags()) {
        if punct(prev) && next.is_some_and(char::is_alphanumeric) || matches!(next, Some('*' | '~'))
        {
            out.replace_range(o.at..o.at + o.d.open().len(), opening);
            tag = true;
        }
    }
    out.push_str(match (tag, o.d.tags()) {
        (true, Some((_, c))) => c,
        _ => o.d.close(),
    });
}

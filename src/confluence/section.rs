//! Headings of a storage XHTML document and the bytes each one's section spans, found by a small
//! tag scanner (CDATA, comments and quoted `>` respected) so one section can be replaced while
//! every byte outside it stays as it was: macros, layouts, tables and panels elsewhere are never
//! parsed, converted or rewritten.

/// One heading (`<h1>`..`<h6>`) of a storage document.
#[derive(Debug, Clone, PartialEq)]
pub struct Heading {
    pub level: u8,
    /// Its text: tags dropped, entities decoded, spaces collapsed.
    pub text: String,
    /// Byte offsets: where `<hN` starts, where its content starts and ends, and where `</hN>`
    /// ends.
    pub start: usize,
    pub inner_start: usize,
    pub inner_end: usize,
    pub end: usize,
    /// Elements open when it starts (its parent's depth + 1 is its own depth).
    depth: usize,
    /// Start offsets of the open elements around it, outermost first, itself last.
    path: Vec<usize>,
}

/// A scanned document: its headings and where each close tag leaves the nesting.
struct Scan {
    headings: Vec<Heading>,
    /// (offset of a close tag, elements open before it).
    closes: Vec<(usize, usize)>,
}

fn heading_level(name: &str) -> Option<u8> {
    let b = name.as_bytes();
    (b.len() == 2 && (b[0] == b'h' || b[0] == b'H') && (b'1'..=b'6').contains(&b[1]))
        .then(|| b[1] - b'0')
}

fn tag_name(tag: &str) -> &str {
    tag.split(|c: char| c.is_whitespace() || c == '/' || c == '>')
        .next()
        .unwrap_or_default()
}

/// The end (exclusive) of a tag starting at `i` (`<`), quotes respected.
fn tag_end(s: &[u8], i: usize) -> usize {
    let mut quote = None;
    let mut j = i + 1;
    while j < s.len() {
        match (quote, s[j]) {
            (None, b'"' | b'\'') => quote = Some(s[j]),
            (Some(q), c) if c == q => quote = None,
            (None, b'>') => return j + 1,
            _ => {}
        }
        j += 1;
    }
    s.len()
}

fn find(s: &str, from: usize, pat: &str) -> usize {
    s[from..]
        .find(pat)
        .map_or(s.len(), |k| from + k + pat.len())
}

fn scan(doc: &str) -> Scan {
    let s = doc.as_bytes();
    let mut stack: Vec<(String, usize)> = Vec::new();
    let mut open: Vec<(u8, usize, usize, usize)> = Vec::new(); // level, start, inner_start, depth
    let mut out = Scan {
        headings: Vec::new(),
        closes: Vec::new(),
    };
    let mut i = 0;
    while let Some(k) = doc[i..].find('<') {
        i += k;
        if doc[i..].starts_with("<![CDATA[") {
            i = find(doc, i, "]]>");
            continue;
        }
        if doc[i..].starts_with("<!--") {
            i = find(doc, i, "-->");
            continue;
        }
        let end = tag_end(s, i);
        let tag = &doc[i + 1..end.saturating_sub(1).max(i + 1)];
        if tag.starts_with('!') || tag.starts_with('?') {
            i = end;
            continue;
        }
        if let Some(closing) = tag.strip_prefix('/') {
            let name = tag_name(closing.trim());
            if let Some(at) = stack.iter().rposition(|(n, _)| n == name) {
                out.closes.push((i, stack.len()));
                stack.truncate(at);
                if let Some(level) = heading_level(name) {
                    if let Some(pos) = open.iter().rposition(|o| o.0 == level) {
                        let (level, start, inner_start, depth) = open.remove(pos);
                        let mut path: Vec<usize> = stack.iter().map(|(_, p)| *p).collect();
                        path.push(start);
                        out.headings.push(Heading {
                            level,
                            text: plain_text(&doc[inner_start..i]),
                            start,
                            inner_start,
                            inner_end: i,
                            end,
                            depth,
                            path,
                        });
                    }
                }
            }
        } else if !tag.ends_with('/') {
            let name = tag_name(tag).to_string();
            if let Some(level) = heading_level(&name) {
                open.push((level, i, end, stack.len()));
            }
            stack.push((name, i));
        }
        i = end;
    }
    out.headings.sort_by_key(|h| h.start);
    out
}

/// The text of an XHTML fragment: tags dropped, common entities decoded, spaces collapsed.
pub fn plain_text(fragment: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in fragment.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    let out = out
        .replace("&nbsp;", " ")
        .replace("&#160;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&apos;", "'")
        .replace("&amp;", "&");
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The headings of a storage document, in order.
pub fn headings(doc: &str) -> Vec<Heading> {
    scan(doc).headings
}

/// Why a section could not be replaced.
#[derive(Debug, Clone, PartialEq)]
pub enum SectionError {
    /// No heading has that text; the headings there are.
    NoHeading(Vec<String>),
}

/// Replace the content under the heading whose text is `heading` (exact, else ignoring case)
/// with `new_content`, up to the next heading of the same or a higher level at the same
/// nesting, or the end of the element holding the heading. The heading itself and every byte
/// outside the section are kept.
pub fn replace_section(
    doc: &str,
    heading: &str,
    new_content: &str,
) -> Result<String, SectionError> {
    let scanned = scan(doc);
    let want = heading.split_whitespace().collect::<Vec<_>>().join(" ");
    let target = scanned
        .headings
        .iter()
        .find(|h| h.text == want)
        .or_else(|| {
            scanned
                .headings
                .iter()
                .find(|h| h.text.eq_ignore_ascii_case(&want))
        })
        .ok_or_else(|| {
            SectionError::NoHeading(scanned.headings.iter().map(|h| h.text.clone()).collect())
        })?;
    let d = target.depth;
    let by_parent = scanned
        .closes
        .iter()
        .find(|(at, open)| *at >= target.end && *open == d)
        .map_or(doc.len(), |(at, _)| *at);
    let by_heading = scanned
        .headings
        .iter()
        .filter(|h| h.start >= target.end && h.level <= target.level && h.depth >= d)
        .filter_map(|h| h.path.get(d).copied())
        .find(|at| *at >= target.end)
        .unwrap_or(doc.len());
    let end = by_parent.min(by_heading);
    let mut out = String::with_capacity(doc.len() + new_content.len());
    out.push_str(&doc[..target.end]);
    out.push_str(new_content);
    out.push_str(&doc[end..]);
    Ok(out)
}

/// Give every heading an anchor macro named after its text (`enable_heading_anchors`).
pub fn add_heading_anchors(doc: &str) -> String {
    let mut out = String::with_capacity(doc.len() + 64);
    let mut at = 0;
    for h in headings(doc) {
        let slug: String = h
            .text
            .chars()
            .map(|c| {
                if c.is_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '-'
                }
            })
            .collect::<String>()
            .split('-')
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join("-");
        if slug.is_empty() || h.inner_start < at {
            continue;
        }
        out.push_str(&doc[at..h.inner_start]);
        out.push_str(&format!(
            "<ac:structured-macro ac:name=\"anchor\" ac:schema-version=\"1\"><ac:parameter ac:name=\"\">{slug}</ac:parameter></ac:structured-macro>"
        ));
        at = h.inner_start;
    }
    out.push_str(&doc[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = concat!(
        "<h1>Intro</h1><p>a &amp; b</p>",
        "<ac:structured-macro ac:name=\"code\"><ac:plain-text-body><![CDATA[<h2>not a heading</h2> x > y]]></ac:plain-text-body></ac:structured-macro>",
        "<h2 id=\"s\">Steps <em>now</em></h2><p>old</p><h3>Sub</h3><p>sub</p>",
        "<ac:layout><ac:layout-section ac:type=\"two_equal\"><ac:layout-cell><h2>Left</h2><p>l</p></ac:layout-cell>",
        "<ac:layout-cell><p>r</p></ac:layout-cell></ac:layout-section></ac:layout>",
        "<h2>Last</h2><table><tbody><tr><td>t</td></tr></tbody></table>"
    );

    #[test]
    fn finds_headings_outside_cdata() {
        let texts: Vec<String> = headings(DOC).into_iter().map(|h| h.text).collect();
        assert_eq!(texts, ["Intro", "Steps now", "Sub", "Left", "Last"]);
    }

    #[test]
    fn replaces_a_section_up_to_the_next_heading_of_its_level() {
        let out = replace_section(DOC, "steps NOW", "<p>new</p>").unwrap();
        let before = DOC.find("<p>old</p>").unwrap();
        let after = DOC.find("<ac:layout>").unwrap();
        assert_eq!(&out[..before], &DOC[..before]);
        assert_eq!(&out[before..before + 10], "<p>new</p>");
        assert_eq!(&out[before + 10..], &DOC[after..]);
    }

    #[test]
    fn a_section_inside_a_layout_cell_ends_with_the_cell() {
        let out = replace_section(DOC, "Left", "<p>L</p>").unwrap();
        assert_eq!(
            out,
            DOC.replace("<h2>Left</h2><p>l</p>", "<h2>Left</h2><p>L</p>")
        );
        let out = replace_section(DOC, "Last", "").unwrap();
        assert!(out.ends_with("<h2>Last</h2>"));
        let out = replace_section(DOC, "Intro", "<p>i</p>").unwrap();
        assert_eq!(out, format!("<h1>Intro</h1><p>i</p>"));
    }

    #[test]
    fn unknown_headings_list_the_known_ones() {
        let e = replace_section(DOC, "Nope", "").unwrap_err();
        assert_eq!(
            e,
            SectionError::NoHeading(vec![
                "Intro".into(),
                "Steps now".into(),
                "Sub".into(),
                "Left".into(),
                "Last".into()
            ])
        );
    }

    #[test]
    fn anchors() {
        let out = add_heading_anchors("<h1>A b!</h1><p>x</p><h2>C</h2>");
        assert!(out.starts_with("<h1><ac:structured-macro ac:name=\"anchor\""));
        assert!(out.contains(">a-b</ac:parameter>"));
        assert!(out.contains("<h2><ac:structured-macro"));
    }
}

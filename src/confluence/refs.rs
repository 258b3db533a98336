//! Page references, the one resolver every page-taking tool goes through: a numeric id, a page
//! URL (Cloud `/spaces/KEY/pages/ID/Title`, blog `/spaces/KEY/blog/[YYYY/MM/DD/]ID/Title`,
//! `viewpage.action?pageId=ID`, Server/DC `/display/KEY/Title`) or a tiny link (`/x/CODE`,
//! decoded as Confluence encodes it), turned into the page id. A title reference is looked up
//! in its space after the space filter admitted that space; an id is checked by the operation
//! that uses it, as every operation checks the space of the page it acts on.

use super::pages::id_text;
use super::{Confluence, Error};
use crate::atlassian::percent_decode;

/// What a page reference names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reference {
    Id(String),
    Title { space_key: String, title: String },
}

fn numeric(s: &str) -> bool {
    !s.is_empty() && s.len() <= 20 && s.bytes().all(|b| b.is_ascii_digit())
}

/// The content id of a tiny link code: Confluence writes the id's little-endian bytes in
/// base64 with `-` for `/`, `_` for `+`, and the trailing `A`s and `=` cut.
pub fn tiny_id(code: &str) -> Option<u64> {
    if code.is_empty() || code.len() > 11 {
        return None;
    }
    let mut bits: u128 = 0;
    let mut n = 0;
    for c in code.chars().chain(std::iter::repeat('A')).take(11) {
        let v = match c {
            'A'..='Z' => c as u32 - 'A' as u32,
            'a'..='z' => c as u32 - 'a' as u32 + 26,
            '0'..='9' => c as u32 - '0' as u32 + 52,
            '_' | '+' => 62,
            '-' | '/' => 63,
            _ => return None,
        };
        bits = (bits << 6) | u128::from(v);
        n += 6;
    }
    // 66 bits: the 8 bytes, big-endian in the bit string, then 2 padding bits.
    let bytes = ((bits >> (n - 64)) as u64).to_be_bytes();
    let id = u64::from_le_bytes(bytes);
    (id > 0).then_some(id)
}

/// Parse a page reference; `None` when it is none of the accepted forms.
pub fn parse(reference: &str) -> Option<Reference> {
    let r = reference.trim();
    if numeric(r) {
        return Some(Reference::Id(r.to_string()));
    }
    // Past the scheme and host: a URL's path and query, or a site-relative path.
    let rest = match r.split_once("://") {
        Some((scheme, after)) if scheme == "http" || scheme == "https" => {
            &after[after.find('/')?..]
        }
        Some(_) => return None,
        None if r.starts_with('/') => r,
        None => return None,
    };
    let rest = rest.split('#').next().unwrap_or_default();
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    for pair in query.split('&') {
        if let Some(id) = pair.strip_prefix("pageId=").filter(|v| numeric(v)) {
            return Some(Reference::Id(id.to_string()));
        }
    }
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    if let Some(i) = segs.iter().position(|s| *s == "x") {
        if i + 2 == segs.len() {
            return tiny_id(segs[i + 1]).map(|id| Reference::Id(id.to_string()));
        }
    }
    if let Some(i) = segs.iter().position(|s| *s == "pages") {
        // `/pages/ID/Title`, `/pages/edit-v2/ID`, `/pages/viewpage.action` (handled above).
        return segs[i + 1..]
            .iter()
            .take(2)
            .find(|s| numeric(s))
            .map(|id| Reference::Id(id.to_string()));
    }
    if let Some(i) = segs.iter().position(|s| *s == "blog") {
        // `/blog/ID/Title` or `/blog/YYYY/MM/DD/ID/Title`.
        let after = &segs[i + 1..];
        let dated =
            after.len() >= 4 && after[..3].iter().all(|s| numeric(s)) && after[0].len() == 4;
        let at = if dated { 3 } else { 0 };
        return after
            .get(at)
            .filter(|s| numeric(s))
            .map(|id| Reference::Id(id.to_string()));
    }
    if let Some(i) = segs.iter().position(|s| *s == "display") {
        // Server/DC `/display/KEY/Title` (a dated blog path names no page).
        if let [key, title] = &segs[i + 1..] {
            return Some(Reference::Title {
                space_key: percent_decode(key),
                title: percent_decode(title),
            });
        }
    }
    None
}

/// True when `reference` is a page id, page URL or tiny link this resolver understands.
pub fn is_page_ref(reference: &str) -> bool {
    parse(reference).is_some()
}

impl Confluence {
    /// The id of the page a reference names. Ids (also those in URLs and tiny links) come back
    /// as they are; a `/display/KEY/Title` URL is looked up in its space, after the space
    /// filter admitted it.
    pub fn resolve_page(
        &self,
        reference: &str,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<String, Error> {
        match parse(reference) {
            Some(Reference::Id(id)) => Ok(id),
            Some(Reference::Title { space_key, title }) => {
                self.check_space(&space_key)?;
                let found = if self.cloud() {
                    let space_id = self.space_id(&space_key, cancelled)?;
                    self.client
                        .get("/api/v2/pages")
                        .query("space-id", &space_id)
                        .query("title", &title)
                        .cancel_when(cancelled)
                        .send_json()?
                } else {
                    self.client
                        .get("/rest/api/content")
                        .query("spaceKey", &space_key)
                        .query("title", &title)
                        .cancel_when(cancelled)
                        .send_json()?
                };
                let id = found
                    .pointer("/results/0/id")
                    .map(id_text)
                    .filter(|id| !id.is_empty())
                    .ok_or_else(|| {
                        Error::NotFound(format!("no page titled {title:?} in space {space_key}"))
                    })?;
                self.remember_space(&id, &space_key);
                Ok(id)
            }
            None => Err(Error::Invalid {
                param: "page_id",
                problem: format!("{reference:?} is not a page id, page URL or tiny link (/x/...)"),
            }),
        }
    }

    /// Like [`Confluence::resolve_page`] for an optional reference.
    pub fn resolve_opt(
        &self,
        reference: Option<&str>,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Option<String>, Error> {
        reference
            .map(|r| self.resolve_page(r, cancelled))
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(s: &str) -> Option<Reference> {
        Some(Reference::Id(s.into()))
    }

    #[test]
    fn references() {
        assert_eq!(parse("1002"), id("1002"));
        assert_eq!(
            parse("https://acme.atlassian.net/wiki/spaces/ENG/pages/1002/Architecture+Overview"),
            id("1002")
        );
        assert_eq!(
            parse("https://acme.atlassian.net/wiki/spaces/ENG/pages/edit-v2/1002"),
            id("1002")
        );
        assert_eq!(
            parse("https://wiki.example.com/pages/viewpage.action?spaceKey=ENG&pageId=1002"),
            id("1002")
        );
        assert_eq!(
            parse("/wiki/spaces/ENG/blog/2024/01/15/1011/News"),
            id("1011")
        );
        assert_eq!(parse("/wiki/spaces/ENG/blog/1011/News"), id("1011"));
        assert_eq!(
            parse("https://wiki.example.com/display/ENG/Architecture+Overview"),
            Some(Reference::Title {
                space_key: "ENG".into(),
                title: "Architecture Overview".into()
            })
        );
        assert_eq!(parse("https://acme.atlassian.net/wiki/x/6gM"), id("1002"));
        assert_eq!(parse("/x/6gM"), id("1002"));
        for bad in [
            "12a",
            "",
            "ftp://x/pages/1",
            "pages/1002",
            "https://x/wiki/spaces/ENG",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn tiny_codes() {
        assert_eq!(tiny_id("6gM"), Some(1002));
        assert_eq!(tiny_id("AQ"), Some(1));
        assert_eq!(tiny_id("AAE"), Some(256));
        assert_eq!(tiny_id("AAAB"), Some(65536));
        assert_eq!(tiny_id("ugs"), Some(3002));
        assert_eq!(tiny_id("!x"), None);
    }

    #[test]
    fn percent() {
        assert_eq!(percent_decode("A+b%20c%2Fd%"), "A b c/d%");
    }
}

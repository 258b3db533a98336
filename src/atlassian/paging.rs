//! Paging, once for every endpoint: Server/Data Center and Agile offsets (`startAt`, `total`,
//! `isLast`), Jira Cloud page tokens (`nextPageToken`) and Confluence cursors (`_links.next`).
//! The caller says how many items it wants and how to fetch one page; this loop asks for pages
//! until it has them or the API has no more, checks cancellation between pages, reports
//! progress, and never collects more than [`HARD_CAP`] items.

use serde_json::Value;

use super::error::HttpError;

/// The most items one call collects, whatever the caller asked (`limit=-1` means "all", bounded
/// by ATLASSIAN_MAX_PAGINATION_LIMIT when set and by this cap always).
pub const HARD_CAP: usize = 5000;

/// How many items a caller asks for: `limit` as the reference reads it (`-1` or `0` for "all";
/// negative values other than -1 are treated as "all" as well), lowered to `max` (0: no
/// configured bound) and to [`HARD_CAP`].
pub fn wanted(limit: i64, max: usize) -> usize {
    let bound = if max > 0 { max.min(HARD_CAP) } else { HARD_CAP };
    if limit <= 0 {
        bound
    } else {
        (limit as usize).min(bound)
    }
}

/// How an endpoint pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// `startAt`/`maxResults` (or `start`/`limit`) with `total` and/or `isLast`.
    Offset,
    /// `nextPageToken` in the answer, sent back with the next request.
    Token,
    /// `_links.next` holding a URL with a `cursor` query parameter.
    Cursor,
}

/// Where the next page starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Position {
    Offset(usize),
    /// A page token or cursor (`None`: the first page).
    Token(Option<String>),
}

/// What came back.
#[derive(Debug, Clone, Default)]
pub struct Collected {
    pub items: Vec<Value>,
    /// Total matches, when the API says.
    pub total: Option<u64>,
    /// Where a later call can resume (offset, token or cursor), when more remain.
    pub next: Option<Position>,
    /// The last page as received (for fields beside the items, such as `names`).
    pub last_page: Value,
}

/// The `cursor` query parameter of a `_links.next` URL.
pub fn cursor_of(next: &str) -> Option<String> {
    let query = next.split_once('?')?.1;
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == "cursor").then(|| super::transfer::percent_decode(v))
    })
}

/// What to collect from an endpoint.
#[derive(Debug, Clone)]
pub struct Paging<'a> {
    pub style: Style,
    pub start: Position,
    /// Items wanted (see [`wanted`]).
    pub want: usize,
    /// Most items the endpoint gives per request.
    pub page_size: usize,
    /// The array in each page: `issues`, `values`, `results`, ...
    pub items_key: &'a str,
}

/// Collect up to `want` items. `fetch(position, size)` gets one page of at most `size` items;
/// `on_page` gets (items so far, want) after each page.
pub fn collect<E: From<HttpError>>(
    p: Paging<'_>,
    fetch: &mut dyn FnMut(&Position, usize) -> Result<Value, E>,
    cancelled: &dyn Fn() -> bool,
    on_page: &dyn Fn(usize, usize),
) -> Result<Collected, E> {
    let Paging {
        style,
        start,
        want,
        page_size,
        items_key,
    } = p;
    let want = want.min(HARD_CAP);
    let mut out = Collected::default();
    let mut pos = start.clone();
    // A page that brings nothing new ends the loop even if the API claims more (a misbehaving
    // server must not keep us asking forever); the page count is bounded too.
    for _ in 0..=(HARD_CAP / page_size.max(1) + 1) {
        if cancelled() {
            return Err(HttpError::Cancelled.into());
        }
        let size = (want - out.items.len()).min(page_size).max(1);
        let page = fetch(&pos, size)?;
        let items = page
            .get(items_key)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let got = items.len();
        out.items.extend(items);
        if let Some(t) = page.get("total").and_then(Value::as_u64) {
            out.total = Some(t);
        }
        on_page(out.items.len().min(want), want);
        let next = match style {
            Style::Offset => {
                let Position::Offset(at) = pos else {
                    unreachable!("offset paging starts at an offset")
                };
                let at = at + got;
                let last = page.get("isLast").and_then(Value::as_bool).unwrap_or(false)
                    || got == 0
                    || out.total.is_some_and(|t| at as u64 >= t);
                (!last).then_some(Position::Offset(at))
            }
            Style::Token => page
                .get("nextPageToken")
                .and_then(Value::as_str)
                .filter(|t| !t.is_empty())
                .map(|t| Position::Token(Some(t.to_string()))),
            Style::Cursor => page
                .pointer("/_links/next")
                .and_then(Value::as_str)
                .and_then(cursor_of)
                .map(|c| Position::Token(Some(c))),
        };
        out.last_page = page;
        match next {
            Some(n) if got > 0 && out.items.len() < want => pos = n,
            Some(n) => {
                out.next = Some(n);
                break;
            }
            None => break,
        }
    }
    if out.items.len() > want {
        // A server that sent more than asked: keep what was wanted; with offsets, a later call
        // resumes right after the kept items.
        if let (Style::Offset, Position::Offset(first)) = (style, &start) {
            out.next = Some(Position::Offset(first + want));
        }
        out.items.truncate(want);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(style: Style, total: usize, want: usize, page_size: usize) -> (Collected, usize) {
        let mut calls = 0;
        let data: Vec<Value> = (0..total).map(|i| json!(i)).collect();
        let mut fetch = |pos: &Position, size: usize| -> Result<Value, HttpError> {
            calls += 1;
            let at = match pos {
                Position::Offset(n) => *n,
                Position::Token(t) => t.as_deref().map_or(0, |t| t.parse().unwrap()),
            };
            let end = (at + size).min(total);
            let items = data[at..end].to_vec();
            let more = end < total;
            Ok(match style {
                Style::Offset => json!({"values": items, "total": total, "isLast": !more}),
                Style::Token => {
                    json!({"values": items, "nextPageToken": if more { json!(end.to_string()) } else { Value::Null }})
                }
                Style::Cursor => {
                    json!({"values": items, "_links": {"next": if more { json!(format!("/wiki/api/v2/pages?limit=2&cursor={end}")) } else { Value::Null }}})
                }
            })
        };
        let start = match style {
            Style::Offset => Position::Offset(0),
            _ => Position::Token(None),
        };
        let p = Paging {
            style,
            start,
            want,
            page_size,
            items_key: "values",
        };
        let out = collect(p, &mut fetch, &|| false, &|_, _| {}).unwrap();
        (out, calls)
    }

    #[test]
    fn every_style_collects_what_was_asked_and_says_where_to_resume() {
        for style in [Style::Offset, Style::Token, Style::Cursor] {
            let (out, calls) = run(style, 25, 12, 5);
            assert_eq!(out.items.len(), 12, "{style:?}");
            assert_eq!(calls, 3, "{style:?}");
            assert!(out.next.is_some(), "{style:?}");
            let (out, _) = run(style, 7, 100, 5);
            assert_eq!(out.items.len(), 7, "{style:?}");
            assert!(out.next.is_none(), "{style:?}");
        }
    }

    #[test]
    fn limits_mean_what_the_reference_says() {
        assert_eq!(wanted(10, 0), 10);
        assert_eq!(wanted(-1, 0), HARD_CAP);
        assert_eq!(wanted(-1, 200), 200);
        assert_eq!(wanted(500, 200), 200);
        assert_eq!(wanted(1_000_000, 0), HARD_CAP);
    }

    #[test]
    fn cursors_come_from_next_links() {
        assert_eq!(
            cursor_of("/wiki/api/v2/pages?limit=2&cursor=abc%3D%3D").as_deref(),
            Some("abc==")
        );
        assert_eq!(cursor_of("/wiki/api/v2/pages?limit=2"), None);
    }

    #[test]
    fn cancellation_stops_between_pages() {
        let mut fetch = |_: &Position, _: usize| -> Result<Value, HttpError> {
            Ok(json!({"values": [1], "nextPageToken": "x"}))
        };
        let p = Paging {
            style: Style::Token,
            start: Position::Token(None),
            want: 10,
            page_size: 1,
            items_key: "values",
        };
        let r = collect(p, &mut fetch, &|| true, &|_, _| {});
        assert!(matches!(r, Err(HttpError::Cancelled)));
    }
}

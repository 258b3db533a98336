//! Rows for the `confluence_pages` toolset.

use crate::harness::{BOB, FILTERED, On, Row, run_table};

pub const ROWS: &[Row] = &[
    Row::ok(
        "confluence_search",
        On::Both,
        r#"{"query": "architecture", "limit": 5}"#,
        &[
            "/results/0/id",
            "/results/0/title",
            "/results/0/space/key",
            "/results/0/space/name",
            "/results/0/url",
            "/results/0/excerpt",
            "!@@@hl@@@",
        ],
        &["GET /rest/api/search"],
    ),
    Row::ok(
        "confluence_search",
        On::Both,
        r#"{"query": "salt and pepper"}"#,
        &["/cql~~ \"salt and pepper\"", "!\"cql\":\"salt and pepper\""],
        &["GET /rest/api/search"],
    ),
    Row::err(
        "confluence_search",
        On::Both,
        r#"{"query": "  "}"#,
        "must not be empty",
        &[],
    ),
    Row::err(
        "confluence_search",
        On::Both,
        r#"{"query": "type = page) OR (space = HR"}"#,
        "has no opening one",
        &[],
    ),
    Row::ok(
        "confluence_get_page",
        On::Cloud,
        r#"{"page_id": "1002"}"#,
        &[
            "/title=Architecture Overview",
            "/space/key=ENG",
            "/format=markdown",
            "!<ac:",
        ],
        &["GET /wiki/api/v2/pages/1002", "..."],
    ),
    Row::ok(
        "confluence_get_page",
        On::Server,
        r#"{"page_id": "1002"}"#,
        &[
            "/title=Architecture Overview",
            "/space/key=ENG",
            "/format=markdown",
            "!<ac:",
        ],
        &["GET /rest/api/content/1002"],
    ),
    Row::ok(
        "confluence_get_page",
        On::Both,
        r#"{"space_key": "ENG", "title": "Architecture Overview", "convert_to_markdown": false}"#,
        &["/id=1002", "/format=storage", "/content~<"],
        &["..."],
    ),
    // A blog post id: Cloud's v2 page endpoint refuses it, the tool falls back to blog posts.
    Row::ok(
        "confluence_get_page",
        On::Cloud,
        r#"{"page_id": "1011"}"#,
        &["/id=1011", "/type=blogpost", "/space/key=ENG"],
        &[
            "GET /wiki/api/v2/pages/1011",
            "GET /wiki/api/v2/blogposts/1011",
            "...",
        ],
    ),
    // Page references: a tiny link, a Server/DC display URL (looked up by title), a viewpage URL.
    Row::ok(
        "confluence_get_page",
        On::Both,
        r#"{"page_id": "https://wiki.example.com/wiki/x/6gM"}"#,
        &["/id=1002", "/title=Architecture Overview"],
        &["..."],
    ),
    Row::ok(
        "confluence_get_page",
        On::Server,
        r#"{"page_id": "https://wiki.example.com/display/ENG/Architecture+Overview"}"#,
        &["/id=1002"],
        &["GET /rest/api/content"],
    ),
    Row::ok(
        "confluence_get_labels",
        On::Both,
        r#"{"page_id": "https://wiki.example.com/pages/viewpage.action?pageId=1002"}"#,
        &["/page_id=1002", "/labels/0/name"],
        &["..."],
    ),
    Row::ok(
        "confluence_get_page_children",
        On::Server,
        r#"{"parent_id": "https://wiki.example.com/display/ENG/Engineering+Home"}"#,
        &["/children/0/id"],
        &[
            "GET /rest/api/content",
            "GET /rest/api/content/1001/child/page",
        ],
    ),
    // The space filter applies to the page a URL resolves to, before any request for titles.
    Row::err(
        "confluence_get_labels",
        On::Both,
        r#"{"page_id": "https://wiki.example.com/wiki/spaces/ENG/pages/1002/Architecture"}"#,
        "outside the spaces",
        &["..."],
    )
    .with(FILTERED),
    Row::err(
        "confluence_get_page_children",
        On::Server,
        r#"{"parent_id": "https://wiki.example.com/display/ENG/Engineering+Home"}"#,
        "outside the spaces",
        &[],
    )
    .with(FILTERED),
    Row::err(
        "confluence_get_page",
        On::Both,
        r#"{"page_id": "12a"}"#,
        "is not a page id",
        &[],
    ),
    Row::err(
        "confluence_get_page",
        On::Both,
        r#"{"title": "Architecture Overview"}"#,
        "give page_id, or title together with space_key",
        &[],
    ),
    Row::err(
        "confluence_get_page",
        On::Both,
        r#"{"page_id": "3002"}"#,
        "404",
        &["..."],
    )
    .with(BOB),
];

#[test]
fn confluence_pages_table() {
    run_table(ROWS);
}

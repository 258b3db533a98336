//! Rows for the `confluence_pages` writes and page-level reads (create, update, sections,
//! delete, copy, move, children, tree, history, diff, restrictions). Rows act on pages no other
//! table reads (1003-1008, 1010, 2003-2006) or on pages they create.

use crate::harness::{FILTERED, On, Row, run_table};

pub const ROWS: &[Row] = &[
    Row::ok(
        "confluence_create_page",
        On::Both,
        r#"{"space_key": "ENG", "title": "Tools table page", "parent_id": "1001",
            "content": "Intro.\n\n# Plan\n\nSome **bold** text.\n\n| a | b |\n|---|---|\n| 1 | 2 |",
            "include_content": true, "enable_heading_anchors": true, "table_layout": "wide",
            "page_width": "full-width", "emoji": "🚀"}"#,
        &[
            "/message=page created",
            "/page/id",
            "/page/space=ENG",
            "/page/content~**bold**",
        ],
        &["..."],
    ),
    Row::err(
        "confluence_create_page",
        On::Both,
        r#"{"space_key": "ENG", "title": "No body"}"#,
        "give content or content_file",
        &[],
    ),
    Row::err(
        "confluence_create_page",
        On::Both,
        r#"{"space_key": "ENG", "title": "Filtered", "content": "x"}"#,
        "outside the spaces",
        &[],
    )
    .with(FILTERED),
    Row::ok(
        "confluence_update_page",
        On::Both,
        r#"{"page_id": "1004", "title": "Coding Standards", "content": "Intro.\n\n## General\n\nBe kind.", "version_comment": "tidy", "include_content": true}"#,
        &[
            "/message=page updated",
            "/page/version=3",
            "/page/content~Be kind.",
        ],
        &["..."],
    ),
    Row::ok(
        "confluence_update_page",
        On::Both,
        r#"{"page_id": "1004", "title": "Coding Standards v2"}"#,
        &["/page/version=4", "/page/title=Coding Standards v2"],
        &["..."],
    ),
    Row::err(
        "confluence_update_page",
        On::Both,
        r#"{"page_id": "1004", "title": "X", "content": "x"}"#,
        "space ENG is outside",
        &["..."],
    )
    .with(FILTERED),
    Row::ok(
        "confluence_update_page_section",
        On::Both,
        r#"{"page_id": "1006", "heading_text": "Decision", "new_content": "We chose **PostgreSQL 17**."}"#,
        &[
            "/message=section updated",
            "/page/version=2",
            "/section=Decision",
        ],
        &["..."],
    ),
    Row::err(
        "confluence_update_page_section",
        On::Both,
        r#"{"page_id": "1006", "heading_text": "Nowhere", "new_content": "x"}"#,
        "its headings: Status | Context | Decision | Consequences",
        &["..."],
    ),
    Row::ok(
        "confluence_delete_page",
        On::Both,
        r#"{"page_id": "1007"}"#,
        &["/page_id=1007", "/message~trash"],
        &["..."],
    ),
    Row::err(
        "confluence_delete_page",
        On::Both,
        r#"{"page_id": "1005"}"#,
        "outside",
        &["..."],
    )
    .with(FILTERED),
    Row::ok(
        "confluence_copy_page",
        On::Both,
        r#"{"source_page_id": "2003", "destination_space_key": "OPS", "new_title": "Rotate TLS (copy)", "destination_parent_id": "2001"}"#,
        &["/message=page copied", "/page/id", "/source_id=2003"],
        &["..."],
    ),
    Row::err(
        "confluence_copy_page",
        On::Both,
        r#"{"source_page_id": "2003", "destination_space_key": "ENG", "new_title": "Nope"}"#,
        "space ENG is outside",
        &["..."],
    )
    .with(FILTERED),
    Row::ok(
        "confluence_move_page",
        On::Both,
        r#"{"page_id": "2005", "target_parent_id": "2001"}"#,
        &["/message=page moved", "/target_id=2001", "/space=OPS"],
        &["..."],
    ),
    Row::err(
        "confluence_move_page",
        On::Both,
        r#"{"page_id": "2005", "target_space_key": "OPS", "position": "before"}"#,
        "position append",
        &["..."],
    ),
    Row::ok(
        "confluence_get_page_children",
        On::Both,
        r#"{"parent_id": "1002", "include_content": true}"#,
        &["/children/0/id", "/children/0/title", "/children/0/content"],
        &["..."],
    ),
    Row::err(
        "confluence_get_page_children",
        On::Both,
        r#"{"parent_id": "1002"}"#,
        "space ENG is outside",
        &["..."],
    )
    .with(FILTERED),
    Row::ok(
        "confluence_get_space_page_tree",
        On::Both,
        r#"{"space_key": "OPS"}"#,
        &[
            "/pages/0/id=2001",
            "/pages/0/depth=0",
            "/pages/1/parent_id=2001",
            "/pages/1/depth=1",
        ],
        &["..."],
    ),
    Row::err(
        "confluence_get_space_page_tree",
        On::Both,
        r#"{"space_key": "HR"}"#,
        "space HR is outside",
        &[],
    )
    .with(FILTERED),
    Row::ok(
        "confluence_get_page_history",
        On::Both,
        r#"{"page_id": "1003", "version": 1}"#,
        &[
            "/version/number=1",
            "/title",
            "/content",
            "/format=markdown",
        ],
        &["..."],
    ),
    Row::err(
        "confluence_get_page_history",
        On::Both,
        r#"{"page_id": "1003", "version": 0}"#,
        "version",
        &[],
    ),
    Row::ok(
        "confluence_get_page_diff",
        On::Both,
        r#"{"page_id": "1003", "from_version": 1, "to_version": 4}"#,
        &[
            "/changed=true",
            "/diff~@@ -",
            "/from/number=1",
            "/to/number=4",
        ],
        &["..."],
    ),
    Row::err(
        "confluence_get_page_diff",
        On::Both,
        r#"{"page_id": "1003", "from_version": 2, "to_version": 2}"#,
        "two different versions",
        &[],
    ),
    Row::ok(
        "confluence_get_page_restrictions",
        On::Both,
        r#"{"page_id": "1010"}"#,
        &["/restricted=true", "/read/groups/0=site-admins"],
        &["..."],
    ),
    Row::err(
        "confluence_get_page_restrictions",
        On::Both,
        r#"{"page_id": "1010"}"#,
        "outside",
        &["..."],
    )
    .with(FILTERED),
    Row::ok(
        "confluence_set_page_restrictions",
        On::Both,
        r#"{"page_id": "2006", "edit_groups": ["confluence-users"], "read_groups": []}"#,
        &[
            "/restricted=true",
            "/edit/groups/0=confluence-users",
            "/message=restrictions set",
        ],
        &["..."],
    ),
    Row::err(
        "confluence_set_page_restrictions",
        On::Both,
        r#"{"page_id": "1005", "read_groups": ["x"]}"#,
        "outside",
        &["..."],
    )
    .with(FILTERED),
];

#[test]
fn confluence_page_writes_table() {
    run_table(ROWS);
}

//! Rows for the `confluence_comments`, `confluence_labels` toolsets (pages 1003, 1008, 2004).

use crate::harness::{FILTERED, On, Row, run_table};

pub const ROWS: &[Row] = &[
    Row::ok(
        "confluence_get_comments",
        On::Both,
        r#"{"page_id": "1003"}"#,
        &[
            "/comments/0/id=4006",
            "/comments/0/author",
            "/comments/1/parent_id=4006",
            "/comments/0/body",
        ],
        &["..."],
    ),
    Row::err(
        "confluence_get_comments",
        On::Both,
        r#"{"page_id": "1003"}"#,
        "outside",
        &["..."],
    )
    .with(FILTERED),
    Row::ok(
        "confluence_add_comment",
        On::Both,
        r#"{"page_id": "1008", "body": "Looks **good**"}"#,
        &[
            "/message=comment added",
            "/comment/id",
            "/comment/body=Looks **good**",
        ],
        &["..."],
    ),
    Row::err(
        "confluence_add_comment",
        On::Both,
        r#"{"page_id": "1008", "body": "x"}"#,
        "outside",
        &["..."],
    )
    .with(FILTERED),
    Row::ok(
        "confluence_reply_to_comment",
        On::Both,
        r#"{"comment_id": "4006", "body": "Agreed."}"#,
        &["/message=reply added", "/comment/parent_id=4006"],
        &["..."],
    ),
    Row::err(
        "confluence_reply_to_comment",
        On::Both,
        r#"{"comment_id": "4006", "body": "x"}"#,
        "outside",
        &["..."],
    )
    .with(FILTERED),
    Row::ok(
        "confluence_get_inline_comments",
        On::Both,
        r#"{"page_id": "1003"}"#,
        &["/comments/0/selection=behind the", "/comments/0/body"],
        &["..."],
    ),
    Row::err(
        "confluence_get_inline_comments",
        On::Both,
        r#"{"page_id": "12x"}"#,
        "is not a page id",
        &[],
    ),
    Row::ok(
        "confluence_add_inline_comment",
        On::Both,
        r#"{"page_id": "2004", "body": "Why 15?", "text_selection": "15 minutes"}"#,
        &[
            "/message=inline comment added",
            "/comment/id",
            "/comment/selection=15 minutes",
        ],
        &["..."],
    ),
    Row::err(
        "confluence_add_inline_comment",
        On::Both,
        r#"{"page_id": "2004", "body": "x", "text_selection": "no such words here"}"#,
        "does not occur",
        &["..."],
    ),
    Row::ok(
        "confluence_get_labels",
        On::Both,
        r#"{"page_id": "1003"}"#,
        &["/labels/0/name=checkout", "/count=2"],
        &["..."],
    ),
    Row::err(
        "confluence_get_labels",
        On::Both,
        r#"{"page_id": "1003"}"#,
        "outside",
        &["..."],
    )
    .with(FILTERED),
    Row::ok(
        "confluence_add_label",
        On::Both,
        r#"{"page_id": "1008", "name": "reviewed"}"#,
        &["/message=label reviewed added", "/labels"],
        &["POST /rest/api/content/1008/label"],
    ),
    Row::err(
        "confluence_add_label",
        On::Both,
        r#"{"page_id": "1008", "name": "two words"}"#,
        "cannot contain",
        &[],
    ),
];

#[test]
fn confluence_comments_table() {
    run_table(ROWS);
}

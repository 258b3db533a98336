//! Rows for the `confluence_attachments`, `confluence_users`, `confluence_analytics`,
//! `confluence_permissions` and `confluence_templates` toolsets.

use crate::harness::{FILTERED, On, Row, run_table};

pub const ROWS: &[Row] = &[
    Row::ok(
        "confluence_get_attachments",
        On::Both,
        r#"{"content_id": "1003"}"#,
        &[
            "/attachments/0/id=att4004",
            "/attachments/0/title=checkout-flow.png",
            "/attachments/0/download_url",
        ],
        &["..."],
    ),
    Row::err(
        "confluence_get_attachments",
        On::Both,
        r#"{"content_id": "1003"}"#,
        "outside",
        &["..."],
    )
    .with(FILTERED),
    Row::ok(
        "confluence_upload_attachment",
        On::Both,
        r#"{"content_id": "1008", "content_base64": "aGVsbG8=", "filename": "notes.txt", "comment": "hi"}"#,
        &[
            "/message=1 file(s) uploaded",
            "/attachments/0/title=notes.txt",
        ],
        &["..."],
    ),
    Row::err(
        "confluence_upload_attachment",
        On::Both,
        r#"{"content_id": "1008", "content_base64": "aGVsbG8="}"#,
        "needed with content_base64",
        &[],
    ),
    Row::ok(
        "confluence_upload_attachments",
        On::Both,
        r#"{"content_id": "1008", "file_paths": "a.txt,b.txt"}"#,
        &["/message=2 file(s) uploaded", "#/attachments=2"],
        &["..."],
    ),
    Row::err(
        "confluence_upload_attachments",
        On::Both,
        r#"{"content_id": "1008", "file_paths": "../secret.txt"}"#,
        "not allowed",
        &[],
    ),
    Row::ok(
        "confluence_download_attachment",
        On::Both,
        r#"{"attachment_id": "att4003"}"#,
        &["/title=services.csv"],
        &["..."],
    ),
    Row::err(
        "confluence_download_attachment",
        On::Both,
        r#"{"attachment_id": "att4003"}"#,
        "outside",
        &["..."],
    )
    .with(FILTERED),
    Row::ok(
        "confluence_download_content_attachments",
        On::Both,
        r#"{"content_id": "1002"}"#,
        &["#/downloaded=2"],
        &["..."],
    ),
    Row::err(
        "confluence_download_content_attachments",
        On::Both,
        r#"{"content_id": "abc"}"#,
        "is not a page id",
        &[],
    ),
    Row::ok(
        "confluence_get_page_images",
        On::Both,
        r#"{"content_id": "1002"}"#,
        &["/downloaded/0=architecture.png", "#/downloaded=1"],
        &["..."],
    ),
    Row::err(
        "confluence_get_page_images",
        On::Both,
        r#"{"content_id": "1002"}"#,
        "outside",
        &["..."],
    )
    .with(FILTERED),
    Row::ok(
        "confluence_delete_attachment",
        On::Both,
        r#"{"attachment_id": "att4005"}"#,
        &["/attachment_id=att4005"],
        &["..."],
    ),
    Row::err(
        "confluence_delete_attachment",
        On::Both,
        r#"{"attachment_id": "4005x"}"#,
        "attachment id",
        &[],
    ),
    Row::ok(
        "confluence_search_user",
        On::Both,
        r#"{"query": "alice"}"#,
        &["/users/0/display_name~Alice"],
        &["..."],
    ),
    Row::err(
        "confluence_search_user",
        On::Both,
        r#"{"query": " "}"#,
        "must not be empty",
        &[],
    ),
    Row::ok(
        "confluence_get_page_views",
        On::Cloud,
        r#"{"page_id": "1003"}"#,
        &["/views=156", "/title=Checkout Service Design"],
        &["..."],
    ),
    Row::err(
        "confluence_get_page_views",
        On::Cloud,
        r#"{"page_id": "1003"}"#,
        "outside",
        &["..."],
    )
    .with(FILTERED),
    Row::err(
        "confluence_get_page_views",
        On::Server,
        r#"{"page_id": "1003"}"#,
        "Cloud",
        &[],
    ),
    Row::ok(
        "confluence_check_content_permissions",
        On::Cloud,
        r#"{"content_id": "1003", "user_identifier": "5d2f9e1a7c3b4a0012e4f6a1", "operation": "read"}"#,
        &["/operation=read", "/has_permission=true"],
        &["POST /wiki/rest/api/content/1003/permission/check"],
    ),
    Row::err(
        "confluence_check_content_permissions",
        On::Cloud,
        r#"{"content_id": "1003", "user_identifier": "x", "operation": "fly"}"#,
        "fly",
        &[],
    ),
    Row::ok(
        "confluence_get_space_permissions",
        On::Cloud,
        r#"{"space_id": "32007"}"#,
        &["/space/key=OPS", "/permissions"],
        &["..."],
    ),
    Row::err(
        "confluence_get_space_permissions",
        On::Cloud,
        r#"{"space_id": "999999"}"#,
        "404",
        &["..."],
    ),
    Row::ok(
        "confluence_list_page_templates",
        On::Cloud,
        r#"{}"#,
        &["/templates/0/id", "/templates/0/name"],
        &["GET /wiki/rest/api/template/page"],
    ),
    Row::err(
        "confluence_list_page_templates",
        On::Cloud,
        r#"{"space_key": "HR"}"#,
        "outside",
        &[],
    )
    .with(FILTERED),
    Row::ok(
        "confluence_get_page_template",
        On::Cloud,
        r#"{"template_id": "786433"}"#,
        &["/name=Meeting notes", "/content"],
        &["GET /wiki/rest/api/template/786433"],
    ),
    Row::err(
        "confluence_get_page_template",
        On::Cloud,
        r#"{"template_id": "1"}"#,
        "404",
        &["..."],
    ),
    Row::ok(
        "confluence_create_page_from_template",
        On::Cloud,
        r#"{"space_key": "OPS", "title": "From template", "template_id": "786435"}"#,
        &["/message=page created", "/template/name=Runbook"],
        &["..."],
    ),
    Row::err(
        "confluence_create_page_from_template",
        On::Cloud,
        r#"{"space_key": "ENG", "title": "x", "template_id": "786435"}"#,
        "outside",
        &[],
    )
    .with(FILTERED),
];

#[test]
fn confluence_attachments_table() {
    // The servers' working directory is their upload directory.
    let dir = std::env::temp_dir().join(format!("mcp-atlassian-tools-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("a.txt"), b"first").unwrap();
    std::fs::write(dir.join("b.txt"), b"second").unwrap();
    run_table(ROWS);
}

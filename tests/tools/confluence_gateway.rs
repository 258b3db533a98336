//! Every Cloud Confluence tool through Atlassian's API gateway (an OAuth access token and the
//! site's cloud id; the sandbox plays `api.atlassian.com`, where the Confluence v1 endpoints that
//! v2 replaced answer 410 Gone, as they do for real: sooperset/mcp-atlassian#1598). Each call
//! must succeed, send every request through `/ex/confluence/{cloudId}/...` (or Jira's), meet no
//! 410, and pass the spec check. The writes act on a page this test creates first, so the shared
//! sandbox's other tables see nothing change under them. Blog posts (comments, labels,
//! attachments) are covered directly and through the gateway.

use mcp_atlassian::mcp::Availability;
use mcp_atlassian::tools;
use serde_json::Value;

use crate::harness::{Dep, Expect, GATEWAY, On, Row, run_logged, world};

fn ok(tool: &'static str, args: &'static str, checks: &'static [&'static str]) -> Row {
    Row::ok(tool, On::Cloud, args, checks, &["..."]).with(GATEWAY)
}

/// Read-only calls and writes that disturb no other table.
const ROWS: &[Row] = &[
    Row::ok(
        "confluence_search",
        On::Cloud,
        r#"{"query": "architecture", "limit": 5}"#,
        &["/results/0/id"],
        &["GET /rest/api/search"],
    )
    .with(GATEWAY),
    Row::ok(
        "confluence_get_page",
        On::Cloud,
        r#"{"page_id": "https://acme.atlassian.net/wiki/spaces/ENG/pages/1002/Architecture+Overview"}"#,
        &["/title=Architecture Overview", "/space/key=ENG"],
        &["GET /wiki/api/v2/pages/1002", "..."],
    )
    .with(GATEWAY),
    Row::ok(
        "confluence_get_page_children",
        On::Cloud,
        r#"{"parent_id": "1002", "include_content": true}"#,
        &["/children/0/id", "/children/0/content"],
        &["..."],
    )
    .with(GATEWAY),
    Row::ok(
        "confluence_get_space_page_tree",
        On::Cloud,
        r#"{"space_key": "OPS"}"#,
        &["/pages/0/id", "/pages/0/depth"],
        &["..."],
    )
    .with(GATEWAY),
    Row::ok(
        "confluence_get_page_history",
        On::Cloud,
        r#"{"page_id": "1003", "version": 1}"#,
        &["/version/number=1", "/content"],
        &["..."],
    )
    .with(GATEWAY),
    Row::ok(
        "confluence_get_page_diff",
        On::Cloud,
        r#"{"page_id": "1003", "from_version": 1, "to_version": 4}"#,
        &["/diff~@@"],
        &["..."],
    )
    .with(GATEWAY),
    Row::ok(
        "confluence_get_page_restrictions",
        On::Cloud,
        r#"{"page_id": "1010"}"#,
        &["/restricted=true"],
        &["GET /wiki/rest/api/content/1010/restriction/byOperation"],
    )
    .with(GATEWAY),
    Row::ok(
        "confluence_get_comments",
        On::Cloud,
        r#"{"page_id": "1003"}"#,
        &["/comments/0/id=4006", "/comments/0/body"],
        &["..."],
    )
    .with(GATEWAY),
    Row::ok(
        "confluence_get_inline_comments",
        On::Cloud,
        r#"{"page_id": "1003"}"#,
        &["/comments/0/selection=behind the"],
        &["..."],
    )
    .with(GATEWAY),
    Row::ok(
        "confluence_reply_to_comment",
        On::Cloud,
        r#"{"comment_id": "4006", "body": "Agreed, through the gateway."}"#,
        &["/message=reply added"],
        &["POST /wiki/api/v2/footer-comments"],
    )
    .with(GATEWAY),
    Row::ok(
        "confluence_get_labels",
        On::Cloud,
        r#"{"page_id": "1003"}"#,
        &["/labels/0/name=checkout"],
        &["GET /wiki/api/v2/pages/1003/labels"],
    )
    .with(GATEWAY),
    Row::ok(
        "confluence_get_attachments",
        On::Cloud,
        r#"{"content_id": "1003"}"#,
        &["/attachments/0/title=checkout-flow.png"],
        &["GET /wiki/api/v2/pages/1003/attachments"],
    )
    .with(GATEWAY),
    Row::ok(
        "confluence_download_attachment",
        On::Cloud,
        r#"{"attachment_id": "att4004"}"#,
        &["/title=checkout-flow.png"],
        &["..."],
    )
    .with(GATEWAY),
    Row::ok(
        "confluence_download_content_attachments",
        On::Cloud,
        r#"{"content_id": "1003"}"#,
        &["/downloaded/0=checkout-flow.png"],
        &["..."],
    )
    .with(GATEWAY),
    Row::ok(
        "confluence_get_page_images",
        On::Cloud,
        r#"{"content_id": "1003"}"#,
        &["/downloaded/0=checkout-flow.png"],
        &["..."],
    )
    .with(GATEWAY),
    Row::ok(
        "confluence_search_user",
        On::Cloud,
        r#"{"query": "alice"}"#,
        &["/users/0/display_name~Alice"],
        &["GET /wiki/rest/api/search/user"],
    )
    .with(GATEWAY),
    Row::ok(
        "confluence_get_page_views",
        On::Cloud,
        r#"{"page_id": "1003"}"#,
        &["/views=156"],
        &["..."],
    )
    .with(GATEWAY),
    Row::ok(
        "confluence_check_content_permissions",
        On::Cloud,
        r#"{"content_id": "1003", "user_identifier": "5d2f9e1a7c3b4a0012e4f6a1", "operation": "read"}"#,
        &["/has_permission=true"],
        &["POST /wiki/rest/api/content/1003/permission/check"],
    )
    .with(GATEWAY),
    Row::ok(
        "confluence_get_space_permissions",
        On::Cloud,
        r#"{"space_id": "32007"}"#,
        &["/space/key=OPS"],
        &["..."],
    )
    .with(GATEWAY),
    Row::ok(
        "confluence_list_page_templates",
        On::Cloud,
        r#"{}"#,
        &["/templates/0/id"],
        &["GET /wiki/rest/api/template/page"],
    )
    .with(GATEWAY),
    Row::ok(
        "confluence_get_page_template",
        On::Cloud,
        r#"{"template_id": "786433"}"#,
        &["/name=Meeting notes"],
        &["..."],
    )
    .with(GATEWAY),
    Row::ok(
        "confluence_create_page_from_template",
        On::Cloud,
        r#"{"space_key": "OPS", "title": "From template via the gateway", "template_id": "786435"}"#,
        &["/message=page created", "/template/name=Runbook"],
        &["..."],
    )
    .with(GATEWAY),
    // v1's copy answers 410 there: the body is copied through v2, and the result says so.
    Row::ok(
        "confluence_copy_page",
        On::Cloud,
        r#"{"source_page_id": "2003", "destination_space_key": "OPS", "new_title": "Rotate TLS (gateway copy)", "destination_parent_id": "2001"}"#,
        &["/message=page copied", "/page/id", "/attachments_copied=false", "/note~410"],
        &["..."],
    )
    .with(GATEWAY),
    Row::ok(
        "confluence_upload_attachments",
        On::Cloud,
        r#"{"content_id": "1008", "file_paths": "a.txt,b.txt"}"#,
        &["#/attachments=2"],
        &["..."],
    )
    .with(GATEWAY),
];

/// Blog posts: comments, labels and attachments go to v2's `/blogposts/{id}/...` (after the
/// page form's 404, which the server remembers), directly and through the gateway.
const BLOG_ROWS: &[Row] = &[
    Row::ok(
        "confluence_get_comments",
        On::Cloud,
        r#"{"page_id": "1011"}"#,
        &["/comments/0/author", "/comments/0/body"],
        &[
            "GET /wiki/api/v2/pages/1011/footer-comments",
            "GET /wiki/api/v2/blogposts/1011/footer-comments",
            "...",
        ],
    ),
    Row::ok(
        "confluence_get_labels",
        On::Cloud,
        r#"{"page_id": "https://acme.atlassian.net/wiki/spaces/ENG/blog/1011/Release"}"#,
        &["/labels/0/name=release"],
        &["GET /wiki/api/v2/blogposts/1011/labels"],
    ),
    Row::ok(
        "confluence_add_comment",
        On::Cloud,
        r#"{"page_id": "1011", "body": "Nice **release**"}"#,
        &["/message=comment added"],
        &["POST /wiki/api/v2/footer-comments", "..."],
    ),
    Row::ok(
        "confluence_add_label",
        On::Cloud,
        r#"{"page_id": "1011", "name": "announced"}"#,
        &["/message=label announced added"],
        &["POST /wiki/rest/api/content/1011/label"],
    ),
    Row::ok(
        "confluence_upload_attachment",
        On::Cloud,
        r#"{"content_id": "1011", "content_base64": "aGVsbG8=", "filename": "release-notes.txt"}"#,
        &["/attachments/0/title=release-notes.txt"],
        &["..."],
    ),
    Row::ok(
        "confluence_get_attachments",
        On::Cloud,
        r#"{"content_id": "1011"}"#,
        &["/attachments/0/title=release-notes.txt"],
        &["..."],
    ),
    Row::ok(
        "confluence_get_comments",
        On::Cloud,
        r#"{"page_id": "1011"}"#,
        &["/comments/0/body"],
        &["..."],
    )
    .with(GATEWAY),
    Row::ok(
        "confluence_add_comment",
        On::Cloud,
        r#"{"page_id": "1011", "body": "Through the gateway"}"#,
        &["/message=comment added"],
        &["..."],
    )
    .with(GATEWAY),
    Row::ok(
        "confluence_get_labels",
        On::Cloud,
        r#"{"page_id": "1011"}"#,
        &["/labels/0/name"],
        &["..."],
    )
    .with(GATEWAY),
    Row::ok(
        "confluence_get_attachments",
        On::Cloud,
        r#"{"content_id": "1011"}"#,
        &["/attachments/0/title"],
        &["..."],
    )
    .with(GATEWAY),
];

fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

/// Run a row on Cloud; through the gateway, also check that every request went through it and
/// none met a 410.
fn call(row: &Row) -> Result<Value, String> {
    let (body, log) = run_logged(row, Dep::Cloud)?;
    if row.cfg == GATEWAY {
        for r in &log {
            let path = r["path"].as_str().unwrap_or_default();
            if !path.starts_with("/ex/") {
                return Err(format!("{path} did not go through the gateway"));
            }
            if r["status"] == 410 {
                return Err(format!("{path} answered 410 Gone"));
            }
        }
    }
    Ok(body)
}

#[test]
fn every_cloud_confluence_tool_works_through_the_gateway() {
    let dir = std::env::temp_dir().join(format!("mcp-atlassian-tools-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("a.txt"), b"first").unwrap();
    std::fs::write(dir.join("b.txt"), b"second").unwrap();
    let mut failures = Vec::new();
    let mut passed: Vec<&str> = Vec::new();
    let mut go = |row: Row, failures: &mut Vec<String>| -> Option<Value> {
        match call(&row) {
            Ok(v) => {
                if matches!(row.expect, Expect::Ok(_)) {
                    passed.push(row.tool);
                }
                Some(v)
            }
            Err(e) => {
                failures.push(format!("{} {}: {e}", row.tool, row.args));
                None
            }
        }
    };
    for row in ROWS {
        go(*row, &mut failures);
    }
    // The writes, on a page of the test's own.
    let created = go(
        ok(
            "confluence_create_page",
            r#"{"space_key": "ENG", "title": "Gateway page", "parent_id": "1001", "emoji": "🚀", "page_width": "full-width",
                "content": "Intro.\n\n## Plan\n\nShip the gateway selection soon.\n\n## Risks\n\nNone."}"#,
            &["/message=page created", "/page/id"],
        ),
        &mut failures,
    );
    let id = created
        .as_ref()
        .and_then(|v| v.pointer("/page/id"))
        .and_then(Value::as_str)
        .unwrap_or("0")
        .to_string();
    let rows = [
        (
            "confluence_update_page",
            format!(
                r#"{{"page_id": "{id}", "title": "Gateway page", "content": "Intro.\n\n## Plan\n\nShip the gateway selection soon.\n\n## Risks\n\nSome.", "emoji": "✅"}}"#
            ),
            &["/message=page updated", "/page/version=2"][..],
        ),
        (
            "confluence_update_page_section",
            format!(r#"{{"page_id": "{id}", "heading_text": "Risks", "new_content": "Few."}}"#),
            &["/message=section updated", "/page/version=3"][..],
        ),
        (
            "confluence_add_label",
            format!(r#"{{"page_id": "{id}", "name": "gateway"}}"#),
            &["/message=label gateway added"][..],
        ),
        (
            "confluence_add_comment",
            format!(r#"{{"page_id": "{id}", "body": "Via **OAuth**"}}"#),
            &["/message=comment added"][..],
        ),
        (
            "confluence_add_inline_comment",
            format!(
                r#"{{"page_id": "{id}", "body": "When?", "text_selection": "gateway selection"}}"#
            ),
            &["/message=inline comment added"][..],
        ),
        (
            "confluence_set_page_restrictions",
            format!(r#"{{"page_id": "{id}", "edit_groups": ["confluence-users"]}}"#),
            &["/edit/groups/0=confluence-users"][..],
        ),
        (
            "confluence_move_page",
            format!(r#"{{"page_id": "{id}", "target_parent_id": "1005"}}"#),
            &["/message=page moved", "/target_id=1005"][..],
        ),
        (
            "confluence_get_page",
            format!(r#"{{"page_id": "{id}"}}"#),
            &["/parent_id=1005", "/version=4"][..],
        ),
        (
            "confluence_upload_attachment",
            format!(
                r#"{{"content_id": "{id}", "content_base64": "aGVsbG8=", "filename": "gw.txt"}}"#
            ),
            &["/attachments/0/id"][..],
        ),
    ];
    let mut attachment = String::new();
    for (tool, args, checks) in rows {
        let checks: &'static [&'static str] = Box::leak(checks.to_vec().into_boxed_slice());
        if let Some(v) = go(ok(tool, leak(args), checks), &mut failures) {
            if let Some(a) = v.pointer("/attachments/0/id").and_then(Value::as_str) {
                attachment = a.to_string();
            }
        }
    }
    go(
        ok(
            "confluence_delete_attachment",
            leak(format!(r#"{{"attachment_id": "{attachment}"}}"#)),
            &["/message~trash"],
        ),
        &mut failures,
    );
    // v2 cannot place a page beside another, and v1's move is gone there: the error says so.
    go(
        Row::err(
            "confluence_move_page",
            On::Cloud,
            leak(format!(
                r#"{{"page_id": "{id}", "target_parent_id": "1004", "position": "after"}}"#
            )),
            "API gateway",
            &["..."],
        )
        .with(GATEWAY),
        &mut failures,
    );
    go(
        ok(
            "confluence_delete_page",
            leak(format!(r#"{{"page_id": "{id}"}}"#)),
            &["/message~trash"],
        ),
        &mut failures,
    );
    for row in BLOG_ROWS {
        go(*row, &mut failures);
    }
    for tool in tools::catalogue(false) {
        if tool.service == "confluence"
            && tool.availability != Availability::ServerDcOnly
            && !passed.contains(&tool.name)
        {
            failures.push(format!(
                "{}: no successful call through the gateway",
                tool.name
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The sandbox's gateway is truthful: v1 content endpoints answer 410 Gone with Atlassian's
/// body there, the v1 endpoints without a v2 replacement still answer, and the site URL
/// serves v1 content as before.
#[test]
fn the_gateway_answers_410_for_v1_content_only() {
    let w = world(Dep::Cloud);
    let info: Value = serde_json::from_str(&w.sandbox.get("/__sandbox/info")).unwrap();
    let cloud = info["cloud_id"].as_str().unwrap();
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let status = |path: &str, auth: &str| -> (u16, String) {
        let mut r = agent
            .get(&format!("{}{path}", w.sandbox.base))
            .header("Authorization", auth)
            .call()
            .unwrap();
        let body = r.body_mut().read_to_string().unwrap_or_default();
        (r.status().as_u16(), body)
    };
    let bearer = "Bearer alice-oauth-token";
    let gw = format!("/ex/confluence/{cloud}/wiki");
    let (code, body) = status(&format!("{gw}/rest/api/content/1002"), bearer);
    assert_eq!(code, 410, "{body}");
    assert!(
        body.contains("GoneException: This deprecated endpoint has been removed"),
        "{body}"
    );
    for gone in [
        "/rest/api/content?spaceKey=ENG",
        "/rest/api/space",
        "/rest/api/content/1002/child/page",
    ] {
        assert_eq!(status(&format!("{gw}{gone}"), bearer).0, 410, "{gone}");
    }
    for kept in [
        "/rest/api/search?cql=type%3Dpage",
        "/rest/api/search/user?cql=user.fullname~alice",
        "/rest/api/template/page",
        "/rest/api/content/1010/restriction/byOperation",
        "/api/v2/pages/1002",
    ] {
        let (code, body) = status(&format!("{gw}{kept}"), bearer);
        assert_eq!(code, 200, "{kept}: {body}");
    }
    let basic = "Basic YWxpY2VAZXhhbXBsZS5jb206YWxpY2UtYXBpLXRva2Vu";
    assert_eq!(status("/wiki/rest/api/content/1002", basic).0, 200);
}

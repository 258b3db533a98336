//! Rows for the `confluence_pages` writes and page-level reads (create, update, sections,
//! delete, copy, move, children, tree, history, diff, restrictions). Rows act on pages no other
//! table reads (1003-1008, 1010, 2003-2006) or on pages they create.

use serde_json::{Value, json};

use crate::harness::{Dep, FILTERED, On, PLAIN, Row, result_json, run_table, world};

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

/// A storage document full of what a lossy round trip would disturb: macros with parameters and
/// ids, an info panel with odd spacing and entities, a table with colgroup and layout, a code
/// macro whose CDATA holds a fake heading, a two-column layout with a heading and a panel, an
/// expand and an inline status. Line breaks between blocks are part of the bytes.
const RICH: &str = concat!(
    "<p>Intro with <ac:link><ri:page ri:content-title=\"Engineering Home\" /></ac:link> ",
    "and <ac:emoticon ac:name=\"smile\" />.</p>\n",
    "<ac:structured-macro ac:name=\"toc\" ac:schema-version=\"1\" ac:macro-id=\"a1b2\">",
    "<ac:parameter ac:name=\"maxLevel\">3</ac:parameter></ac:structured-macro>\n",
    "<h2>Context</h2>\n",
    "<ac:structured-macro ac:name=\"info\" ac:schema-version=\"1\"><ac:rich-text-body>",
    "<p>Panel   with  odd   spacing &amp; entities&nbsp;here</p></ac:rich-text-body></ac:structured-macro>\n",
    "<table data-layout=\"wide\"><colgroup><col style=\"width: 120.0px;\" /><col /></colgroup><tbody>",
    "<tr><th><p>key</p></th><th><p>value</p></th></tr><tr><td><p>a</p></td><td><p>1</p></td></tr>",
    "</tbody></table>\n",
    "<h2>Decision</h2>\n",
    "<p>Old decision text.</p>\n",
    "<ac:structured-macro ac:name=\"code\" ac:schema-version=\"1\"><ac:parameter ac:name=\"language\">sql</ac:parameter>",
    "<ac:plain-text-body><![CDATA[SELECT '<h2>not a heading</h2>' FROM t;]]></ac:plain-text-body></ac:structured-macro>\n",
    "<h2>Consequences</h2>\n",
    "<ac:layout><ac:layout-section ac:type=\"two_equal\"><ac:layout-cell><h3>Left</h3><p>L</p></ac:layout-cell>",
    "<ac:layout-cell><ac:structured-macro ac:name=\"panel\" ac:schema-version=\"1\"><ac:parameter ac:name=\"bgColor\">#eeeeee</ac:parameter>",
    "<ac:rich-text-body><p>P</p></ac:rich-text-body></ac:structured-macro></ac:layout-cell></ac:layout-section></ac:layout>\n",
    "<ac:structured-macro ac:name=\"expand\" ac:schema-version=\"1\"><ac:rich-text-body><p>hidden</p></ac:rich-text-body></ac:structured-macro>\n",
    "<p>Tail <ac:structured-macro ac:name=\"status\" ac:schema-version=\"1\"><ac:parameter ac:name=\"colour\">Green</ac:parameter>",
    "<ac:parameter ac:name=\"title\">OK</ac:parameter></ac:structured-macro></p>",
);

/// The stored storage of a page, read from the sandbox itself (not through the server).
fn stored(dep: Dep, id: &str) -> String {
    let w = world(dep);
    let env: Vec<(String, String)> = w.sandbox.env("alice");
    let var = |k: &str| {
        env.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let (path, auth) = match dep {
        Dep::Cloud => (
            format!("/wiki/api/v2/pages/{id}?body-format=storage"),
            format!(
                "Basic {}",
                mcp_atlassian::mcp::content::base64(
                    format!(
                        "{}:{}",
                        var("CONFLUENCE_USERNAME"),
                        var("CONFLUENCE_API_TOKEN")
                    )
                    .as_bytes()
                )
            ),
        ),
        Dep::Server => (
            format!("/rest/api/content/{id}?expand=body.storage"),
            format!("Bearer {}", var("CONFLUENCE_PERSONAL_TOKEN")),
        ),
    };
    let body = ureq::get(&format!("{}{path}", w.sandbox.base))
        .header("Authorization", &auth)
        .call()
        .unwrap()
        .into_body()
        .read_to_string()
        .unwrap();
    let v: Value = serde_json::from_str(&body).unwrap();
    v.pointer("/body/storage/value")
        .and_then(Value::as_str)
        .unwrap()
        .to_string()
}

/// `confluence_update_page_section` through the real server and sandbox, on both deployments:
/// every byte of the stored storage outside the replaced section is unchanged, and the section
/// holds the new content.
#[test]
fn a_section_update_keeps_every_other_byte() {
    for dep in [Dep::Cloud, Dep::Server] {
        let call = |tool: &str, args: Value| {
            let mut w = world(dep);
            let r = w.server(PLAIN).call(tool, args);
            assert_ne!(r["isError"], true, "{dep:?} {tool}: {r}");
            result_json(&r)
        };
        let created = call(
            "confluence_create_page",
            json!({"space_key": "ENG", "title": format!("Section bytes {}", dep.flavour()),
                   "content": RICH, "content_format": "storage"}),
        );
        let id = created["page"]["id"].as_str().unwrap().to_string();
        let before = stored(dep, &id);
        assert_eq!(before, RICH, "{dep:?}: the sandbox stored what was sent");
        call(
            "confluence_update_page_section",
            json!({"page_id": id, "heading_text": "Decision",
                   "new_content": "We chose **PostgreSQL 17**."}),
        );
        let after = stored(dep, &id);
        let head_end = before.find("<h2>Decision</h2>").unwrap() + "<h2>Decision</h2>".len();
        let tail_start = before.find("<h2>Consequences</h2>").unwrap();
        let (prefix, suffix) = (&before[..head_end], &before[tail_start..]);
        assert!(
            after.starts_with(prefix),
            "{dep:?}: bytes before the section changed:\n{after}"
        );
        assert!(
            after.ends_with(suffix),
            "{dep:?}: bytes after the section changed:\n{after}"
        );
        let section = &after[prefix.len()..after.len() - suffix.len()];
        assert!(
            section.contains("We chose <strong>PostgreSQL 17</strong>."),
            "{dep:?}: {section:?}"
        );
        assert!(!section.contains("Old decision"), "{dep:?}: {section:?}");
        // The raw read through the server gives the same bytes.
        let raw = call(
            "confluence_get_page",
            json!({"page_id": id, "convert_to_markdown": false, "include_metadata": false}),
        );
        assert_eq!(raw["content"].as_str(), Some(after.as_str()), "{dep:?}");
    }
}

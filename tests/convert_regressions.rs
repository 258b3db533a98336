//! Regression tests for converter bugs that corpus samples exposed: each test is the smallest input
//! showing the construct that was lost, mangled or made a reader panic, checked through the public
//! conversion API.

use mcp_atlassian::convert::{self, Format, Options};

fn conv(text: &str, from: Format, to: Format) -> String {
    convert::convert(text, from, to, &Options::default()).unwrap()
}

fn md(text: &str, from: Format) -> String {
    conv(text, from, Format::Markdown)
}

fn outline(text: &str, format: Format) -> String {
    convert::outline(text, format).unwrap()
}

#[test]
fn wiki_reader_does_not_panic_on_multibyte_text_after_a_brace() {
    // A `{` followed by 255 bytes that end inside a multi-byte character.
    let text = format!("{{{}—}}", "a".repeat(254));
    let out = md(&text, Format::Wiki);
    assert!(out.contains('—'), "{out}");
}

#[test]
fn ampersands_in_cdata_stay_ampersands() {
    let xml = r#"<ac:structured-macro ac:name="code"><ac:plain-text-body><![CDATA[a && b; f(&x); &lt;]]></ac:plain-text-body></ac:structured-macro><p>R&D &amp; AT&T</p>"#;
    let out = md(xml, Format::Storage);
    assert!(out.contains("a && b; f(&x); &lt;"), "{out}");
    assert!(out.contains("R&D & AT&T"), "{out}");
}

#[test]
fn bold_around_inline_code_is_one_bold_span() {
    let src = "**Image push fails with `denied`?** then **`hadolint` DL3008?**";
    let out = md(src, Format::Markdown);
    assert_eq!(
        out.trim(),
        "**Image push fails with `denied`?** then **`hadolint` DL3008?**"
    );
    assert!(!out.contains("****"), "{out}");
}

#[test]
fn code_span_keeps_an_edge_space_and_white_space_ends_a_mark() {
    let out = md("prefix (`logs/ ` with a space)", Format::Markdown);
    assert!(out.contains("`logs/ `"), "{out}");
    let xml = "<p><s>old</s> <s>also old</s></p>";
    assert_eq!(md(xml, Format::Storage).trim(), "~~old~~ ~~also old~~");
}

#[test]
fn summary_tags_do_not_reach_the_expand_title() {
    let src = "<details>\n<summary>Error: <code>x &lt; y</code></summary>\n\nBody\n\n</details>\n";
    let storage = conv(src, Format::Markdown, Format::Storage);
    assert!(
        storage.contains(r#"<ac:parameter ac:name="title">Error: x &lt; y</ac:parameter>"#),
        "{storage}"
    );
}

#[test]
fn wiki_quotes_do_not_nest() {
    let wiki = conv(
        "> outer\n>\n> > inner\n>\n> after",
        Format::Markdown,
        Format::Wiki,
    );
    assert_eq!(wiki.matches("{quote}").count(), 2, "{wiki}");
    assert!(wiki.contains("inner") && wiki.contains("after"), "{wiki}");
}

#[test]
fn images_split_adf_paragraphs_and_fill_table_cells() {
    let adf = conv(
        "Screenshot: ![step 2](https://x.io/a.png) done\n\n| a |\n| --- |\n| ![b](https://x.io/b.png) |",
        Format::Markdown,
        Format::Adf,
    );
    let doc: serde_json::Value = serde_json::from_str(&adf).unwrap();
    let types: Vec<&str> = doc["content"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["paragraph", "mediaSingle", "paragraph", "table"]);
    let cell = &doc["content"][3]["content"][1]["content"][0]["content"][0];
    assert_eq!(cell["type"], "mediaSingle", "{cell}");
}

#[test]
fn storage_link_targets_and_formatted_link_bodies() {
    let xml = concat!(
        r#"<p><strong><ac:link><ri:page ri:content-title="Workflow" /></ac:link></strong> "#,
        r#"<ac:link><ri:page ri:content-title="Overview" /><ac:link-body>How the <em>system</em> fits</ac:link-body></ac:link> "#,
        r#"<ac:link><ri:blog-post ri:content-title="CI in half" ri:posting-day="2024/06/12" /></ac:link> "#,
        r#"<ac:link><ri:space ri:space-key="DATA" /></ac:link> "#,
        r#"<ac:link ac:anchor="top"><ac:plain-text-link-body><![CDATA[Back to top]]></ac:plain-text-link-body></ac:link> "#,
        r#"<ac:image><ri:attachment ri:filename="logo.png"><ri:page ri:content-title="Brand" /></ri:attachment></ac:image></p>"#
    );
    let out = md(xml, Format::Storage);
    for want in [
        "[**Workflow**](page:Workflow)",
        "*system*",
        "blog:2024/06/12:CI in half",
        "[DATA](space:DATA)",
        "[Back to top](#top)",
        "![](logo.png)",
    ] {
        assert!(out.contains(want), "{want} in {out}");
    }
    // Written back, the links keep their kind and their formatting.
    let again = conv(&out, Format::Markdown, Format::Storage);
    for want in [
        r#"<ri:blog-post ri:content-title="CI in half" ri:posting-day="2024/06/12" />"#,
        r#"<ri:space ri:space-key="DATA" />"#,
        "<ac:link-body><strong>Workflow</strong></ac:link-body>",
        "<ac:link-body>How the <em>system</em> fits</ac:link-body>",
    ] {
        assert!(again.contains(want), "{want} in {again}");
    }
    assert_eq!(
        outline(xml, Format::Storage),
        outline(&again, Format::Storage)
    );
}

#[test]
fn storage_adf_extensions_are_read_once() {
    let xml = concat!(
        r#"<ac:adf-extension><ac:adf-node type="panel"><ac:adf-attribute key="panel-type">note</ac:adf-attribute>"#,
        r#"<ac:adf-content><p>Stored twice.</p></ac:adf-content></ac:adf-node>"#,
        r#"<ac:adf-fallback><div><p>Stored twice.</p></div></ac:adf-fallback></ac:adf-extension>"#,
        r#"<ac:adf-extension><ac:adf-node type="decision-list"><ac:adf-attribute key="local-id">abc</ac:adf-attribute>"#,
        r#"<ac:adf-node type="decision-item"><ac:adf-attribute key="state">DECIDED</ac:adf-attribute>"#,
        r#"<ac:adf-content>Protect <code>main</code></ac:adf-content></ac:adf-node></ac:adf-node>"#,
        r#"<ac:adf-fallback><ul><li>Protect main</li></ul></ac:adf-fallback></ac:adf-extension>"#
    );
    let out = md(xml, Format::Storage);
    assert_eq!(out.matches("Stored twice.").count(), 1, "{out}");
    assert!(out.contains("[!IMPORTANT]"), "{out}");
    assert!(out.contains("- [x] Protect `main`"), "{out}");
    assert!(
        !out.contains("note") && !out.contains("abc") && !out.contains("DECIDED"),
        "{out}"
    );
}

#[test]
fn storage_tables_keep_their_grid_and_lists_in_cells() {
    let xml = concat!(
        "<table><tr><th rowspan=\"2\">Service</th><th colspan=\"2\">Env</th></tr>",
        "<tr><th>dev</th><th>prod</th></tr>",
        "<tr><td>api</td><td>1</td></tr>",
        "<tr><td>web</td><td><ul><li>a <strong>b</strong></li><li>c</li></ul></td><td><p>x</p><p>y</p></td></tr></table>"
    );
    let out = md(xml, Format::Storage);
    let rows: Vec<&str> = out.lines().collect();
    assert_eq!(rows[0], "| Service | Env | |", "{out}");
    assert_eq!(rows[2], "| | dev | prod |", "{out}");
    assert_eq!(rows[3], "| api | 1 | |", "{out}");
    assert_eq!(
        rows[4],
        "| web | <ul><li>a **b**</li><li>c</li></ul> | <p>x</p><p>y</p> |"
    );
    assert_eq!(
        outline(xml, Format::Storage),
        outline(&out, Format::Markdown)
    );
}

#[test]
fn storage_html_leniency() {
    let xml = "<ul><li>one<li>two</li></ul><dl><dt>Term</dt><dd>Meaning</dd></dl><p>na&iuml;ve &Aring; &euml; <ac:emoticon ac:name=\"tick\" /></p>";
    let out = md(xml, Format::Storage);
    assert!(out.contains("- one\n- two"), "{out}");
    assert!(out.contains("Term\n\nMeaning"), "{out}");
    assert!(out.contains("naïve Å ë ✅"), "{out}");
}

#[test]
fn wiki_mailto_smileys_and_images_in_cells() {
    let out = md("[mailto:a@b.io] :) ;) ok:) (x)", Format::Wiki);
    assert!(out.contains("<a@b.io>"), "{out}");
    assert!(out.contains("🙂 😉 ok:) ❌"), "{out}");
    let out = md("||a||b||\n|!shot.png|thumbnail!|two|", Format::Wiki);
    assert!(out.contains("| ![](shot.png) | two |"), "{out}");
}

#[test]
fn deepest_lists_stay_readable_json() {
    // Found by fuzzing: 110 nested wiki list levels gave ADF deeper than JSON parsers accept.
    for marker in ["#", "*"] {
        let text = format!("{} Feat", marker.repeat(110));
        let adf = conv(&text, Format::Wiki, Format::Adf);
        let doc: serde_json::Value = serde_json::from_str(&adf).expect("ADF must parse");
        assert_eq!(doc["type"], "doc");
        // And it reads back.
        assert!(conv(&adf, Format::Adf, Format::Markdown).contains("Feat"));
    }
    let md_text = (0..60)
        .map(|i| format!("{}- level {i}", "  ".repeat(i)))
        .collect::<Vec<_>>()
        .join("\n");
    let adf = conv(&md_text, Format::Markdown, Format::Adf);
    serde_json::from_str::<serde_json::Value>(&adf)
        .expect("deep Markdown lists give parseable ADF");
}

#[test]
fn fuzz_crash_inputs_convert_without_panicking() {
    // Inputs that once crashed a fuzz target (fixtures/convert/fuzz/, named by reader).
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/convert/fuzz");
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let from = match name.split('-').next().unwrap() {
            "adf" => Format::Adf,
            "wiki" => Format::Wiki,
            "storage" => Format::Storage,
            _ => Format::Markdown,
        };
        for to in [Format::Markdown, Format::Adf, Format::Wiki, Format::Storage] {
            let _ = convert::convert(&text, from, to, &Options::default());
        }
    }
}

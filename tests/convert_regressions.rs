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
        // The round-trip property the fuzz target checks, on the Markdown read from the input.
        use mcp_atlassian::convert::Flavor;
        use mcp_atlassian::convert::roundtrip::{self, Path};
        let Ok(md_text) = convert::convert(&text, from, Format::Markdown, &Options::default())
        else {
            continue;
        };
        let paths: &[Path] = match from {
            Format::Adf => &[Path::Adf],
            Format::Wiki => &[Path::Wiki(Flavor::Cloud), Path::Wiki(Flavor::Server)],
            Format::Storage => &[Path::Storage(Flavor::Cloud), Path::Storage(Flavor::Server)],
            Format::Markdown => &Path::ALL,
        };
        if from == Format::Markdown {
            roundtrip::check_markdown(&md_text).unwrap_or_else(|e| panic!("{name}: {e}"));
        }
        for path in paths {
            roundtrip::check(&md_text, *path).unwrap_or_else(|e| panic!("{name}: {e}"));
        }
    }
}

// Issue #16: the nine defects, each with its minimal input, checked on every path it concerns
// and with the round-trip property of `convert::roundtrip`.

fn wiki(md_text: &str) -> String {
    conv(md_text, Format::Markdown, Format::Wiki)
}

fn back(md_text: &str, format: Format) -> String {
    md(&conv(md_text, Format::Markdown, format), format)
}

fn property(md_text: &str) {
    use mcp_atlassian::convert::roundtrip::{self, Path};
    roundtrip::check_markdown(md_text).unwrap();
    for path in Path::ALL {
        if let Err(e) = roundtrip::check(md_text, path) {
            panic!("{md_text:?}: {e}");
        }
    }
}

#[test]
fn issue16_1_email_autolinks_are_mailto_links() {
    let src = "Mail <ops@example.com>";
    assert_eq!(wiki(src), "Mail [mailto:ops@example.com]");
    let storage = conv(src, Format::Markdown, Format::Storage);
    assert!(
        storage.contains(r#"<a href="mailto:ops@example.com">ops@example.com</a>"#),
        "{storage}"
    );
    let adf = conv(src, Format::Markdown, Format::Adf);
    assert!(adf.contains(r#""href":"mailto:ops@example.com""#), "{adf}");
    for f in [Format::Adf, Format::Wiki, Format::Storage] {
        assert_eq!(back(src, f).trim(), src);
    }
    property(src);
}

#[test]
fn issue16_2_escaped_bar_in_cell_code_stays_escaped() {
    let src = "| c |\n|---|\n| `a \\| b` |";
    for f in [Format::Markdown, Format::Adf, Format::Wiki, Format::Storage] {
        let out = back(src, f);
        assert!(out.contains("| `a \\| b` |"), "{f:?}: {out}");
        assert_eq!(
            outline(&out, Format::Markdown),
            outline(src, Format::Markdown)
        );
    }
    property(src);
}

#[test]
fn issue16_3_wiki_backslashes_stay_backslashes() {
    // The text `a \\fs\b` (two backslashes, then one) and the code `\\srv`.
    let src = r"a \\\\fs\b and `\\srv`";
    let w = wiki(src);
    assert_eq!(w, r"a &#92;\fs\b and {{&#92;\srv}}");
    assert_eq!(md(&w, Format::Wiki), md(src, Format::Markdown));
    // An entity written in the text is not decoded on the way back.
    assert_eq!(md(&wiki("&amp;#92; x"), Format::Wiki).trim(), r"\&#92; x");
    property(src);
}

#[test]
fn issue16_4_wiki_list_items_keep_content_after_code_and_quotes() {
    let src = "1. a\n\n   ```\n   code\n   ```\n\n   after\n2. b";
    let out = back(src, Format::Wiki);
    assert_eq!(
        outline(&out, Format::Markdown),
        outline(src, Format::Markdown)
    );
    let src = "- item\n\n  > quote `x`\n- two";
    let w = wiki(src);
    assert!(w.contains("{{x}}"), "{w}");
    assert!(back(src, Format::Wiki).contains("quote `x`"));
    property(src);
    property("1. a\n\n   ```\n   code\n   ```\n\n   after\n2. b");
}

#[test]
fn issue16_5_bullets_under_a_task_keep_their_lines_and_marks_in_adf() {
    let src = "- [ ] a\n  - **b**\n  - c";
    let out = back(src, Format::Adf);
    assert_eq!(out.trim(), "- [ ] a\\\n  • **b**\\\n  • c");
    // Wiki and storage keep the nested list.
    for f in [Format::Wiki, Format::Storage] {
        assert_eq!(back(src, f).trim(), src, "{f:?}");
    }
    property(src);
}

#[test]
fn issue16_6_inline_html_maps_to_marks_or_loses_its_tags() {
    let src = "Press <kbd>Ctrl</kbd>+<kbd>C</kbd>, <span class=\"x\">plain</span>, <b>bold</b>, Bearer <token>";
    let out = md(src, Format::Markdown);
    assert_eq!(
        out.trim(),
        "Press `Ctrl`+`C`, plain, **bold**, Bearer \\<token>"
    );
    for f in [Format::Adf, Format::Wiki, Format::Storage] {
        assert_eq!(back(src, f), out, "{f:?}");
    }
    property(src);
}

#[test]
fn issue16_7_wiki_image_alt_keeps_its_quotes() {
    let src = "![say \"hi\"](u)";
    assert_eq!(back(src, Format::Wiki).trim(), src);
    property(src);
}

#[test]
fn issue16_8_wiki_bold_around_inline_code_stays_bold() {
    let src = "**run `make test` first**";
    assert_eq!(wiki(src), "*run {{make test}} first*");
    assert_eq!(back(src, Format::Wiki).trim(), src);
    // Letters touching the marks take the brace form.
    assert_eq!(wiki("x**y `z` q**w"), "x{*}y {{z}} q{*}w");
    property(src);
}

#[test]
fn issue16_9_code_holding_both_wiki_closing_tags_does_not_swallow_the_rest() {
    let src = "```\n{code} and {noformat}\n```\n\nafter";
    let w = wiki(src);
    assert!(w.ends_with("\n\nafter"), "{w}");
    assert_eq!(back(src, Format::Wiki), md(src, Format::Markdown));
    let src = "```java\nString s = \"{code}\"; // {noformat}\n```\n\nafter";
    assert_eq!(back(src, Format::Wiki), md(src, Format::Markdown));
    property(src);
}

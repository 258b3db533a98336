//! Unit tests of the converters: each construct in each direction, the escaping cases the issue
//! names, the CDATA split, entities, mention flavours, unknown macros and the depth bound.

use serde_json::{Value, json};

use super::*;

fn md_wiki(md: &str) -> String {
    markdown_to_wiki(md, &Options::default())
}

fn md_storage(md: &str) -> String {
    markdown_to_storage(md, &Options::default())
}

fn same_outline(a: &str, fa: Format, b: &str, fb: Format) {
    assert_eq!(
        outline(a, fa).unwrap(),
        outline(b, fb).unwrap(),
        "\n{a}\n---\n{b}"
    );
}

#[test]
fn formats_parse_and_errors_display() {
    assert_eq!("MD".parse::<Format>(), Ok(Format::Markdown));
    assert_eq!("storage".parse::<Format>(), Ok(Format::Storage));
    let e = "rtf".parse::<Format>().unwrap_err();
    assert!(e.to_string().contains("markdown, adf, wiki or storage"));
    let e = convert("{", Format::Adf, Format::Markdown, &Options::default()).unwrap_err();
    assert!(e.to_string().starts_with("the ADF input is not valid JSON"));
    let e = adf_to_markdown(&json!({"type": "paragraph"})).unwrap_err();
    assert!(e.to_string().contains("\"paragraph\""), "{e}");
}

#[test]
fn markdown_to_adf_basics() {
    let adf = markdown_to_adf("# T\n\n**b** *i* ~~s~~ `c` [l](https://x.io)\n\n---\n");
    assert_eq!(adf["type"], "doc");
    assert_eq!(adf["version"], 1);
    assert_eq!(
        adf["content"][0],
        json!({"type":"heading","attrs":{"level":1},"content":[{"type":"text","text":"T"}]})
    );
    let p = &adf["content"][1]["content"];
    assert_eq!(p[0]["marks"][0]["type"], "strong");
    assert_eq!(p[2]["marks"][0]["type"], "em");
    assert_eq!(p[4]["marks"][0]["type"], "strike");
    assert_eq!(p[6]["marks"], json!([{"type":"code"}]));
    assert_eq!(
        p[8]["marks"],
        json!([{"type":"link","attrs":{"href":"https://x.io"}}])
    );
    assert_eq!(adf["content"][2], json!({"type":"rule"}));
}

#[test]
fn adf_code_mark_drops_other_marks() {
    let adf = markdown_to_adf("**`x`**");
    assert_eq!(
        adf["content"][0]["content"][0]["marks"],
        json!([{"type":"code"}])
    );
}

#[test]
fn adf_lists_tasks_and_nesting() {
    let adf = markdown_to_adf("- a\n  - b\n\n3. x\n\n- [ ] t\n- [x] u\n");
    let c = &adf["content"];
    assert_eq!(c[0]["type"], "bulletList");
    assert_eq!(c[0]["content"][0]["content"][1]["type"], "bulletList");
    assert_eq!(c[1]["attrs"]["order"], 3);
    assert_eq!(c[2]["type"], "taskList");
    assert_eq!(c[2]["content"][1]["attrs"]["state"], "DONE");
    assert!(c[2]["attrs"]["localId"].is_string());
}

#[test]
fn adf_schema_shapes_are_respected() {
    // A heading inside a quote is not allowed in ADF: it becomes a bold paragraph.
    let adf = markdown_to_adf("> # h\n> text\n");
    assert_eq!(adf["content"][0]["content"][0]["type"], "paragraph");
    assert_eq!(
        adf["content"][0]["content"][0]["content"][0]["marks"][0]["type"],
        "strong"
    );
    // Empty table cells still get a paragraph.
    let adf = markdown_to_adf("| a | |\n|---|---|\n| | b |\n");
    assert_eq!(
        adf["content"][0]["content"][0]["content"][1]["content"][0]["type"],
        "paragraph"
    );
}

#[test]
fn alerts_become_panels_everywhere() {
    let md = "> [!NOTE]\n> n\n\n> [!TIP]\n> t\n\n> [!IMPORTANT]\n> i\n\n> [!WARNING]\n> w\n\n> [!CAUTION]\n> c\n";
    let adf = markdown_to_adf(md);
    let types: Vec<&str> = adf["content"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["attrs"]["panelType"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["info", "tip", "note", "warning", "error"]);
    let storage = md_storage(md);
    for name in [
        "\"info\"",
        "\"tip\"",
        "\"panel\"",
        "\"note\"",
        "\"warning\"",
    ] {
        assert!(storage.contains(name), "{name} in {storage}");
    }
    assert_eq!(
        storage_to_markdown(&storage),
        to_markdown::render(&from_markdown::parse(md))
    );
    assert!(md_wiki(md).contains("{panel:bgColor=#deebff}"));
    same_outline(md, Format::Markdown, &md_wiki(md), Format::Wiki);
}

#[test]
fn adf_readable_fallbacks() {
    let adf = json!({"type":"doc","version":1,"content":[{"type":"paragraph","content":[
        {"type":"mention","attrs":{"id":"accountid:abc","text":"@Ann"}},
        {"type":"text","text":" "},
        {"type":"emoji","attrs":{"shortName":":smile:","text":"😄"}},
        {"type":"status","attrs":{"text":"In progress","color":"blue"}},
        {"type":"date","attrs":{"timestamp":"1714521600000"}},
        {"type":"inlineCard","attrs":{"url":"https://x.atlassian.net/browse/OPS-7"}},
        {"type":"inlineCard","attrs":{"url":"https://example.com/a"}}
    ]},
    {"type":"expand","attrs":{"title":"More"},"content":[{"type":"paragraph","content":[{"type":"text","text":"x"}]}]},
    {"type":"mediaSingle","attrs":{"layout":"center"},"content":[{"type":"media","attrs":{"type":"file","id":"f-1","collection":"c","alt":"shot.png"}}]},
    {"type":"extension","attrs":{"extensionKey":"toc","extensionType":"x"}},
    {"type":"mysteryNode","content":[{"type":"text","text":"kept"}]}
    ]});
    let md = adf_to_markdown(&adf).unwrap();
    assert!(md.contains("[@Ann](mention:abc)"), "{md}");
    assert!(md.contains("😄"));
    assert!(md.contains("**\\[IN PROGRESS\\]**"), "{md}");
    assert!(md.contains("2024-05-01"), "{md}");
    assert!(md.contains("[OPS-7](https://x.atlassian.net/browse/OPS-7)"));
    assert!(md.contains("<https://example.com/a>"));
    assert!(md.contains("<details>\n<summary>More</summary>"));
    assert!(md.contains("![shot.png](attachment:f-1)"));
    assert!(md.contains("*[toc macro]*"), "{md}");
    assert!(md.contains("kept"));
}

#[test]
fn dates_round_trip() {
    for d in ["1970-01-01", "2000-02-29", "2024-05-01", "2038-12-31"] {
        assert_eq!(
            to_adf::millis_to_date(to_adf::date_to_millis(d).unwrap()),
            d
        );
    }
}

#[test]
fn wiki_output_escapes_specials() {
    let wiki =
        md_wiki("a+b+c, 2^10^, aws_vpc_endpoint, {id}, [x], x*y, a -- b, ~home, (x) ok!done");
    assert_eq!(
        wiki,
        "a\\+b\\+c, 2\\^10\\^, aws\\_vpc\\_endpoint, \\{id\\}, \\[x\\], x\\*y, a \\-\\- b, \\~home, \\(x) ok\\!done"
    );
    let back = wiki_to_markdown(&wiki);
    assert_eq!(
        back.trim_end(),
        "a+b+c, 2^10^, aws_vpc_endpoint, {id}, [x], x\\*y, a -- b, ~home, (x) ok!done"
    );
    // Words with hyphens and dates stay readable.
    assert_eq!(md_wiki("well-known 2024-05-01"), "well-known 2024-05-01");
    // Line-start constructs.
    assert_eq!(md_wiki("\\# not a list"), "\\# not a list");
    assert_eq!(md_wiki("h1. text"), "h1\\. text");
}

#[test]
fn wiki_marks_links_mentions() {
    let md = "**b** *i* ~~s~~ `c` [t](https://x.io) <https://y.io> [@Ann](mention:abc)";
    assert_eq!(
        md_wiki(md),
        "*b* _i_ -s- {{c}} [t|https://x.io] [https://y.io] [~accountid:abc]"
    );
    assert_eq!(
        markdown_to_wiki(md, &Options::server()).rsplit(' ').next(),
        Some("[~abc]")
    );
    assert_eq!(md_wiki("intra**bold**word"), "intra{*}bold{*}word");
    let back = wiki_to_markdown(
        "*b* _i_ -s- +u+ {{c}} [t|https://x.io] [~accountid:abc] [~jsmith] ??cite??",
    );
    assert_eq!(
        back.trim_end(),
        "**b** *i* ~~s~~ <u>u</u> `c` [t](https://x.io) [@abc](mention:abc) [@jsmith](mention:jsmith) *cite*"
    );
    assert_eq!(
        wiki_to_markdown("intra{*}bold{*}word").trim_end(),
        "intra**bold**word"
    );
}

#[test]
fn wiki_code_languages_and_noformat() {
    assert_eq!(md_wiki("```py\nx = 1\n```"), "{code:python}\nx = 1\n{code}");
    assert_eq!(
        md_wiki("```ts\nlet x\n```"),
        "{code:javascript}\nlet x\n{code}"
    );
    assert_eq!(
        md_wiki("```rust\nfn x() {}\n```"),
        "{noformat}\nfn x() {}\n{noformat}"
    );
    assert_eq!(md_wiki("```\nplain\n```"), "{noformat}\nplain\n{noformat}");
    let md = wiki_to_markdown(
        "{code:title=A.java|language=java}\nint x = 1; // *not bold*\n{code}\n{noformat}\n{{raw}}\n{noformat}",
    );
    assert_eq!(
        md,
        "```java\nint x = 1; // *not bold*\n```\n\n```\n{{raw}}\n```\n"
    );
}

#[test]
fn wiki_blocks() {
    let wiki = "h2. Title\n\n* a\n** b\n*# c\n# one\n\n||H1||H2||\n|x|[l|https://a.b/c?d=1|tip]|\n\nbq. quoted\n\n{quote}\nmulti\n{quote}\n----\n{panel:title=Heads up|bgColor=#ffebe6}\nbody\n{panel}\n{info}i{info}\nline1\nline2\\\\line3";
    let md = wiki_to_markdown(wiki);
    let expected = "## Title\n\n- a\n  - b\n  1. c\n\n1. one\n\n| H1 | H2 |\n| --- | --- |\n| x | [l](https://a.b/c?d=1) |\n\n> quoted\n\n> multi\n\n---\n\n> [!CAUTION]\n> **Heads up**\n>\n> body\n\n> [!NOTE]\n> i\n\nline1\\\nline2\\\nline3\n";
    assert_eq!(md, expected);
}

#[test]
fn wiki_images_attachments_emoticons() {
    let md = wiki_to_markdown("!diagram.png|thumbnail! see [^spec.pdf] (/) done");
    assert_eq!(
        md.trim_end(),
        "![](diagram.png) see [spec.pdf](spec.pdf) ✅ done"
    );
}

#[test]
fn storage_output_shapes() {
    let s = md_storage("```sql\nSELECT ']]>' FROM t\n```");
    assert!(s.contains("<ac:parameter ac:name=\"language\">sql</ac:parameter>"));
    assert!(
        s.contains("<![CDATA[SELECT ']]]]><![CDATA[>' FROM t]]>"),
        "{s}"
    );
    assert_eq!(
        storage_to_markdown(&s),
        "```sql\nSELECT ']]>' FROM t\n```\n"
    );
    assert_eq!(
        md_storage("a < b & \"c\""),
        "<p>a &lt; b &amp; &quot;c&quot;</p>"
    );
    let s = md_storage("[@Ann](mention:abc) [Runbook](<page:OPS:Deploy Runbook>) [spec](spec.pdf)");
    assert!(s.contains("<ri:user ri:account-id=\"abc\" />"), "{s}");
    assert!(
        s.contains("<ri:page ri:space-key=\"OPS\" ri:content-title=\"Deploy Runbook\" />"),
        "{s}"
    );
    assert!(
        s.contains("<ri:attachment ri:filename=\"spec.pdf\" />"),
        "{s}"
    );
    let server = markdown_to_storage(
        "[@x](mention:2c9680f7405147ee0140514c26120003) [@y](mention:jsmith)",
        &Options::server(),
    );
    assert!(server.contains("ri:userkey=\"2c9680f7405147ee0140514c26120003\""));
    assert!(server.contains("ri:username=\"jsmith\""));
}

#[test]
fn storage_input_keeps_macros_and_entities() {
    let storage = r#"<p>Hello&nbsp;world &amp; caf&eacute; &#8212; &#x263A; <strong>bold</strong>
        <ac:link><ri:page ri:content-title="Other Page" /></ac:link> and
        <ac:link><ri:user ri:userkey="8a8082" /></ac:link></p>
        <ac:structured-macro ac:name="code" ac:schema-version="1"><ac:parameter ac:name="language">rust</ac:parameter>
        <ac:parameter ac:name="linenumbers">true</ac:parameter>
        <ac:plain-text-body><![CDATA[fn main() { say("<hi>"); }]]></ac:plain-text-body></ac:structured-macro>
        <ac:structured-macro ac:name="toc"><ac:parameter ac:name="maxLevel">3</ac:parameter><ac:parameter ac:name="minLevel">1</ac:parameter></ac:structured-macro>
        <ac:task-list><ac:task><ac:task-id>1</ac:task-id><ac:task-status>complete</ac:task-status><ac:task-body>ship it</ac:task-body></ac:task></ac:task-list>
        <ac:structured-macro ac:name="expand"><ac:parameter ac:name="title">Details</ac:parameter><ac:rich-text-body><p>inside</p></ac:rich-text-body></ac:structured-macro>
        <p><ac:image ac:alt="arch"><ri:attachment ri:filename="arch.png" /></ac:image>
        <ac:structured-macro ac:name="status"><ac:parameter ac:name="title">Done</ac:parameter><ac:parameter ac:name="colour">Green</ac:parameter></ac:structured-macro>
        <ac:structured-macro ac:name="jira"><ac:parameter ac:name="key">OPS-12</ac:parameter></ac:structured-macro></p>"#;
    let md = storage_to_markdown(storage);
    let expected = "Hello world & café — ☺ **bold** [Other Page](<page:Other Page>) and [@8a8082](mention:8a8082)\n\n```rust\nfn main() { say(\"<hi>\"); }\n```\n\n*[toc macro]*\n\n- [x] ship it\n\n<details>\n<summary>Details</summary>\n\ninside\n\n</details>\n\n![arch](arch.png) **\\[DONE\\]** OPS-12\n";
    assert_eq!(md, expected);
}

#[test]
fn storage_tables_lists_and_sloppy_input() {
    let md = storage_to_markdown(
        "<table><tbody><tr><th>A</th><th>B</th></tr><tr><td><p>1</p></td><td>x &amp; y<br>z</td></tr></tbody></table><ul><li><p>a</p><ol start=\"4\"><li>b</li></ol></li></ul><p>AT&T <unclosed>",
    );
    // A list starting at 4 cannot interrupt a paragraph in CommonMark: a blank line before it.
    assert_eq!(
        md,
        "| A | B |\n| --- | --- |\n| 1 | x & y<br>z |\n\n- a\n\n  4. b\n\nAT&T\n"
    );
}

#[test]
fn markdown_escaping_survives() {
    for text in [
        "a+b+c, 2^10^, aws_vpc_endpoint, {id}, [x] and *stars* _under_ `tick`",
        "1. not a list",
        "# not a heading",
        "[a](b) ![c](d)",
        "C:\\temp\\*x",
        "<div> &amp; ~~no~~",
    ] {
        let md = to_markdown::render(&[ast::Block::Para(vec![ast::Inline::Text(
            text.into(),
            ast::Marks::default(),
        )])]);
        let back = from_markdown::parse(&md);
        assert_eq!(
            back,
            vec![ast::Block::Para(vec![ast::Inline::Text(
                text.into(),
                ast::Marks::default()
            )])],
            "{md}"
        );
    }
}

#[test]
fn depth_is_bounded() {
    let md = format!("{}deep", "> ".repeat(200));
    let blocks = from_markdown::parse(&md);
    let adf = markdown_to_adf(&md);
    assert!(serde_json::to_string(&adf).unwrap().len() < 10_000);
    assert!(outline::outline(&blocks).lines().count() <= ast::MAX_DEPTH + 2);
    let list: String = (0..200)
        .map(|i| format!("{}- x\n", "  ".repeat(i)))
        .collect();
    let _ = markdown_to_storage(&list, &Options::default());
    let storage = "<ul><li>".repeat(5000);
    let _ = storage_to_markdown(&storage);
    let wiki = format!("{}x", "{quote}\n".repeat(40));
    let _ = wiki_to_markdown(&wiki);
    let mut adf = json!({"type":"paragraph","content":[{"type":"text","text":"leaf"}]});
    for _ in 0..100 {
        adf = json!({"type":"blockquote","content":[adf]});
    }
    let doc = json!({"type":"doc","version":1,"content":[adf]});
    assert!(adf_to_markdown(&doc).unwrap().contains("leaf"));
}

#[test]
fn pathological_inputs_stay_linear() {
    let start = std::time::Instant::now();
    let n = 20_000;
    let _ = wiki_to_markdown(&"*a ".repeat(n));
    let _ = wiki_to_markdown(&"{{".repeat(n));
    let _ = wiki_to_markdown(&"[".repeat(n));
    let _ = wiki_to_markdown(&"\\".repeat(n));
    let _ = wiki_to_markdown(&"{".repeat(n));
    let _ = storage_to_markdown(&"&".repeat(n));
    let _ = markdown_to_wiki(&"*a ".repeat(n), &Options::default());
    assert!(start.elapsed().as_secs() < 20, "{:?}", start.elapsed());
}

#[test]
fn every_pair_converts() {
    let md = "# T\n\n- a\n\n```js\nx\n```\n";
    for from in Format::ALL {
        let input = render(&from_markdown::parse(md), from, &Options::default());
        for to in Format::ALL {
            let out = convert(&input, from, to, &Options::default()).unwrap();
            assert!(!out.is_empty(), "{from:?} -> {to:?}");
            if to == Format::Adf {
                let v: Value = serde_json::from_str(&out).unwrap();
                assert_eq!(v["type"], "doc");
            }
        }
    }
}

#[test]
fn wiki_code_under_a_list_line_stays_in_the_item() {
    let md = wiki_to_markdown("# first:\n{code:java}\nx++;\n{code}\n# second");
    assert_eq!(md, "1. first:\n\n   ```java\n   x++;\n   ```\n2. second\n");
    assert_eq!(wiki_to_markdown("{{a{n}}}").trim_end(), "`a{n}`");
}

#[test]
fn mixed_task_lists_split_where_formats_need_it() {
    let md = "- plain\n- [ ] task\n- [x] done\n";
    let adf = markdown_to_adf(md);
    assert_eq!(adf["content"][0]["type"], "bulletList");
    assert_eq!(adf["content"][1]["type"], "taskList");
    let storage = md_storage(md);
    assert!(
        storage.starts_with("<ul><li>plain</li></ul><ac:task-list>"),
        "{storage}"
    );
}

#[test]
fn tables_without_a_header_row_keep_their_first_row_as_data() {
    let storage = "<table><tbody><tr><th>Key</th><td>v</td></tr><tr><th>Other</th><td>w</td></tr></tbody></table>";
    let md = storage_to_markdown(storage);
    assert_eq!(md, "| | |\n| --- | --- |\n| Key | v |\n| Other | w |\n");
    let back = from_markdown::parse(&md);
    let ast::Block::Table(rows) = &back[0] else {
        panic!("{back:?}")
    };
    assert_eq!(rows.len(), 2);
}

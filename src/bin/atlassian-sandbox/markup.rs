//! Rich-text conversions, so one fixture body serves every API. This file: Jira wiki markup (the
//! fixtures' and Server/DC's form) → ADF (Jira Cloud v3). `adf`: ADF → wiki, HTML, text.
//! `storage`: Confluence storage mentions per flavour and text/view renderings. The wiki subset
//! covers what the fixtures use: headings, paragraphs, lists, code/noformat, panels, quotes, tables, rules,
//! bold/italic/strike/monospace, links and mentions.

mod adf;
mod storage;

pub use adf::*;
use serde_json::{Value, json};
pub use storage::*;

/// Looks up a user reference (`alice` or `accountid:…`) → (account id, display name).
pub type UserLookup<'a> = &'a dyn Fn(&str) -> Option<(String, String)>;

/// Converts Jira wiki markup to an ADF document.
pub fn wiki_to_adf(src: &str, users: UserLookup) -> Value {
    let lines: Vec<&str> = src.lines().collect();
    let mut blocks = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i].trim_end();
        let trimmed = line.trim_start();
        if trimmed.is_empty() {
            i += 1;
            continue;
        }
        if let Some((name, param)) = block_macro(trimmed) {
            let close = format!("{{{name}}}");
            let mut body = Vec::new();
            let first_rest = trimmed[trimmed.find('}').unwrap_or(0) + 1..].to_string();
            if !first_rest.is_empty() {
                body.push(first_rest);
            }
            i += 1;
            while i < lines.len() && !lines[i].trim_start().starts_with(&close) {
                body.push(lines[i].to_string());
                i += 1;
            }
            i += 1;
            let text = body.join("\n");
            blocks.push(match name {
                "code" | "noformat" => {
                    let mut node = json!({"type": "codeBlock", "content": [{"type": "text", "text": text}]});
                    if let Some(lang) = param.filter(|_| name == "code") {
                        node["attrs"] = json!({"language": lang});
                    }
                    if text.is_empty() {
                        node.as_object_mut().unwrap().remove("content");
                    }
                    node
                }
                "quote" => json!({"type": "blockquote", "content": paragraphs(&text, users)}),
                _ => {
                    let kind = match name {
                        "note" => "note",
                        "warning" => "warning",
                        "tip" => "success",
                        _ => "info",
                    };
                    json!({"type": "panel", "attrs": {"panelType": kind}, "content": paragraphs(&text, users)})
                }
            });
            continue;
        }
        if let Some(level) = heading(trimmed) {
            blocks.push(json!({"type": "heading", "attrs": {"level": level},
                "content": inline(trimmed[4..].trim(), users)}));
            i += 1;
            continue;
        }
        if trimmed == "----" {
            blocks.push(json!({"type": "rule"}));
            i += 1;
            continue;
        }
        if let Some(q) = trimmed.strip_prefix("bq. ") {
            blocks.push(json!({"type": "blockquote", "content": [para(q, users)]}));
            i += 1;
            continue;
        }
        if list_marker(trimmed).is_some() {
            let start = i;
            while i < lines.len() && list_marker(lines[i].trim()).is_some() {
                i += 1;
            }
            let items: Vec<(String, &str)> = lines[start..i]
                .iter()
                .map(|l| list_marker(l.trim()).unwrap())
                .collect();
            blocks.push(list(&items, 0, users));
            continue;
        }
        if trimmed.starts_with('|') {
            let mut rows = Vec::new();
            while i < lines.len() && lines[i].trim_start().starts_with('|') {
                rows.push(table_row(lines[i].trim(), users));
                i += 1;
            }
            blocks.push(json!({"type": "table", "attrs": {"isNumberColumnEnabled": false, "layout": "default"}, "content": rows}));
            continue;
        }
        let start = i;
        while i < lines.len() {
            let l = lines[i].trim();
            if l.is_empty()
                || (i > start
                    && (heading(l).is_some()
                        || block_macro(l).is_some()
                        || list_marker(l).is_some()
                        || l.starts_with('|')
                        || l == "----"))
            {
                break;
            }
            i += 1;
        }
        blocks.push(para(&lines[start..i].join("\n"), users));
    }
    json!({"version": 1, "type": "doc", "content": blocks})
}

fn block_macro(line: &str) -> Option<(&'static str, Option<String>)> {
    for name in [
        "code", "noformat", "panel", "info", "note", "warning", "tip", "quote",
    ] {
        if let Some(rest) = line.strip_prefix(&format!("{{{name}")) {
            if !(rest.starts_with('}') || rest.starts_with(':')) {
                continue;
            }
            let params = rest.split('}').next().unwrap_or("").trim_start_matches(':');
            let lang = params
                .split('|')
                .map(|p| p.trim())
                .find_map(|p| match p.split_once('=') {
                    Some(("language", v)) => Some(v.to_string()),
                    Some(_) => None,
                    None if !p.is_empty() => Some(p.to_string()),
                    None => None,
                });
            return Some((name, lang));
        }
    }
    None
}

fn heading(line: &str) -> Option<u8> {
    let b = line.as_bytes();
    if b.len() >= 4 && b[0] == b'h' && (b'1'..=b'6').contains(&b[1]) && &b[2..4] == b". " {
        Some(b[1] - b'0')
    } else {
        None
    }
}

/// `** item` → (`**`, `item`).
fn list_marker(line: &str) -> Option<(String, &str)> {
    let depth = line.find(|c| c != '*' && c != '#' && c != '-')?;
    if depth == 0 || !line[depth..].starts_with(' ') || line.starts_with("----") {
        return None;
    }
    if line.starts_with('-') && depth > 1 {
        return None;
    }
    Some((line[..depth].to_string(), line[depth + 1..].trim()))
}

fn list(items: &[(String, &str)], depth: usize, users: UserLookup) -> Value {
    let ordered = items[0].0.as_bytes().get(depth) == Some(&b'#');
    let mut out: Vec<Value> = Vec::new();
    let mut i = 0;
    while i < items.len() {
        let (marker, text) = &items[i];
        if marker.len() > depth + 1 && !out.is_empty() {
            let start = i;
            while i < items.len() && items[i].0.len() > depth + 1 {
                i += 1;
            }
            let nested = list(&items[start..i], depth + 1, users);
            out.last_mut().unwrap()["content"]
                .as_array_mut()
                .unwrap()
                .push(nested);
            continue;
        }
        out.push(json!({"type": "listItem", "content": [para(text, users)]}));
        i += 1;
    }
    if ordered {
        json!({"type": "orderedList", "attrs": {"order": 1}, "content": out})
    } else {
        json!({"type": "bulletList", "content": out})
    }
}

fn table_row(line: &str, users: UserLookup) -> Value {
    let header = line.starts_with("||");
    let sep = if header { "||" } else { "|" };
    let cells: Vec<Value> = line
        .trim_matches('|')
        .split(sep)
        .map(|c| {
            json!({"type": if header { "tableHeader" } else { "tableCell" },
                   "attrs": {}, "content": [para(c.trim(), users)]})
        })
        .collect();
    json!({"type": "tableRow", "content": cells})
}

fn paragraphs(text: &str, users: UserLookup) -> Vec<Value> {
    let doc = wiki_to_adf(text, users);
    let content = doc["content"].as_array().cloned().unwrap_or_default();
    if content.is_empty() {
        vec![json!({"type": "paragraph"})]
    } else {
        content
    }
}

fn para(text: &str, users: UserLookup) -> Value {
    let content = inline(text, users);
    if content.is_empty() {
        json!({"type": "paragraph"})
    } else {
        json!({"type": "paragraph", "content": content})
    }
}

/// Inline wiki → ADF inline nodes.
fn inline(text: &str, users: UserLookup) -> Vec<Value> {
    let mut out = Vec::new();
    let mut buf = String::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    let flush = |buf: &mut String, out: &mut Vec<Value>, marks: Option<Value>| {
        if !buf.is_empty() {
            let mut node = json!({"type": "text", "text": std::mem::take(buf)});
            if let Some(m) = marks {
                node["marks"] = m;
            }
            out.push(node);
        }
    };
    while i < chars.len() {
        let c = chars[i];
        let rest: String = if c == '{' || c == '[' {
            chars[i..chars.len().min(i + 4096)].iter().collect()
        } else {
            String::new()
        };
        if c == '\n' {
            flush(&mut buf, &mut out, None);
            out.push(json!({"type": "hardBreak"}));
            i += 1;
            continue;
        }
        if let Some(after) = rest.strip_prefix("{{") {
            if let Some(end) = after.find("}}") {
                flush(&mut buf, &mut out, None);
                let code: String = after[..end].to_string();
                out.push(json!({"type": "text", "text": code, "marks": [{"type": "code"}]}));
                i += 2 + code.chars().count() + 2;
                continue;
            }
        }
        if c == '[' {
            if let Some(end) = rest.find(']') {
                let inner = &rest[1..end];
                flush(&mut buf, &mut out, None);
                if let Some(who) = inner.strip_prefix('~') {
                    let (id, name) = users(who).unwrap_or((who.to_string(), who.to_string()));
                    out.push(json!({"type": "mention", "attrs": {"id": id, "text": format!("@{name}"), "accessLevel": ""}}));
                } else {
                    let (label, url) = inner.split_once('|').unwrap_or((inner, inner));
                    out.push(json!({"type": "text", "text": label, "marks": [{"type": "link", "attrs": {"href": url}}]}));
                }
                i += inner.chars().count() + 2;
                continue;
            }
        }
        let mark = match c {
            '*' => Some("strong"),
            '_' => Some("em"),
            '-' => Some("strike"),
            '+' => Some("underline"),
            _ => None,
        };
        if let Some(mark) = mark {
            let boundary_before = i == 0 || !chars[i - 1].is_alphanumeric();
            let close = chars[i + 1..]
                .iter()
                .position(|&x| x == c)
                .map(|p| p + i + 1);
            if let Some(end) = close.filter(|&e| {
                boundary_before
                    && e > i + 1
                    && !chars[i + 1].is_whitespace()
                    && !chars[e - 1].is_whitespace()
                    && chars.get(e + 1).is_none_or(|n| !n.is_alphanumeric())
            }) {
                flush(&mut buf, &mut out, None);
                let inner: String = chars[i + 1..end].iter().collect();
                out.push(json!({"type": "text", "text": inner, "marks": [{"type": mark}]}));
                i = end + 1;
                continue;
            }
        }
        buf.push(c);
        i += 1;
    }
    flush(&mut buf, &mut out, None);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn users(who: &str) -> Option<(String, String)> {
        (who == "alice").then(|| ("acc-1".to_string(), "Alice".to_string()))
    }

    #[test]
    fn wiki_to_adf_covers_the_fixture_subset() {
        let src = "h2. Plan\nSome *bold* and {{code}} for [~alice].\n\n* one\n** nested\n* two\n\n{code:python}\nprint(1)\n{code}\n\n||a||b||\n|1|2|\n\n{info}\nHeads up\n{info}";
        let doc = wiki_to_adf(src, &users);
        let kinds: Vec<&str> = doc["content"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["type"].as_str().unwrap())
            .collect();
        assert_eq!(
            kinds,
            [
                "heading",
                "paragraph",
                "bulletList",
                "codeBlock",
                "table",
                "panel"
            ]
        );
        assert_eq!(
            doc["content"][1]["content"][1]["marks"][0]["type"],
            "strong"
        );
        assert_eq!(doc["content"][1]["content"][5]["attrs"]["id"], "acc-1");
        assert_eq!(
            doc["content"][2]["content"][0]["content"][1]["type"],
            "bulletList"
        );
        assert_eq!(doc["content"][3]["attrs"]["language"], "python");
        let wiki = adf_to_wiki(&doc);
        assert!(wiki.contains("{code:python}\nprint(1)\n{code}"), "{wiki}");
        assert!(wiki.contains("** nested"), "{wiki}");
        assert!(wiki.contains("[~accountid:acc-1]"), "{wiki}");
        assert!(adf_to_text(&doc).contains("print(1)"));
        assert!(adf_to_html(&doc).contains("<h2>Plan</h2>"));
    }

    #[test]
    fn mentions_and_storage() {
        assert_eq!(
            wiki_for_cloud("hi [~alice] and [~zed]", &users),
            "hi [~accountid:acc-1] and [~zed]"
        );
        let s = "<p><ac:link><ri:user ri:username=\"alice\" /></ac:link></p>";
        let out = storage_mentions(s, "ri:account-id", &|u| {
            (u == "alice").then(|| "acc-1".into())
        });
        assert_eq!(
            out,
            "<p><ac:link><ri:user ri:account-id=\"acc-1\" /></ac:link></p>"
        );
        let code = "<ac:structured-macro ac:name=\"code\"><ac:parameter ac:name=\"language\">sh</ac:parameter><ac:plain-text-body><![CDATA[a < b]]></ac:plain-text-body></ac:structured-macro>";
        assert_eq!(storage_to_text(code), "a < b");
        assert_eq!(storage_to_view(code), "<pre>a &lt; b</pre>");
    }
}

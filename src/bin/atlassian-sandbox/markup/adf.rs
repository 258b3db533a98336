//! ADF → Jira wiki markup (for Cloud v2 reading what v3 wrote), → HTML (`renderedFields`) and
//! → plain text (JQL `text ~`).

use serde_json::Value;

/// ADF → Jira wiki markup (`mention` as `[~accountid:ID]`).
pub fn adf_to_wiki(doc: &Value) -> String {
    let mut out = Vec::new();
    for block in doc["content"].as_array().into_iter().flatten() {
        out.push(block_to_wiki(block, ""));
    }
    out.join("\n\n")
}

fn block_to_wiki(node: &Value, list_prefix: &str) -> String {
    let kids = || node["content"].as_array().cloned().unwrap_or_default();
    match node["type"].as_str().unwrap_or("") {
        "paragraph" => inline_to_wiki(&kids()),
        "heading" => format!(
            "h{}. {}",
            node["attrs"]["level"].as_u64().unwrap_or(1),
            inline_to_wiki(&kids())
        ),
        "codeBlock" => {
            let text = inline_to_text(&kids());
            match node["attrs"]["language"].as_str() {
                Some(l) => format!("{{code:{l}}}\n{text}\n{{code}}"),
                None => format!("{{noformat}}\n{text}\n{{noformat}}"),
            }
        }
        "blockquote" => format!("{{quote}}\n{}\n{{quote}}", blocks_to_wiki(&kids())),
        "panel" => {
            let name = match node["attrs"]["panelType"].as_str() {
                Some("note") => "note",
                Some("warning") | Some("error") => "warning",
                Some("success") => "tip",
                _ => "info",
            };
            format!("{{{name}}}\n{}\n{{{name}}}", blocks_to_wiki(&kids()))
        }
        "rule" => "----".into(),
        "bulletList" | "orderedList" => {
            let marker = if node["type"] == "bulletList" {
                "*"
            } else {
                "#"
            };
            let prefix = format!("{list_prefix}{marker}");
            kids()
                .iter()
                .map(|item| {
                    let parts: Vec<String> = item["content"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .map(|c| match c["type"].as_str() {
                            Some("bulletList") | Some("orderedList") => block_to_wiki(c, &prefix),
                            _ => format!("{prefix} {}", block_to_wiki(c, "")),
                        })
                        .collect();
                    parts.join("\n")
                })
                .collect::<Vec<_>>()
                .join("\n")
        }
        "table" => kids()
            .iter()
            .map(|row| {
                let cells = row["content"].as_array().cloned().unwrap_or_default();
                let header = cells.first().is_some_and(|c| c["type"] == "tableHeader");
                let sep = if header { "||" } else { "|" };
                let texts: Vec<String> = cells
                    .iter()
                    .map(|c| blocks_to_wiki(c["content"].as_array().unwrap_or(&Vec::new())))
                    .collect();
                format!("{sep}{}{sep}", texts.join(sep))
            })
            .collect::<Vec<_>>()
            .join("\n"),
        _ => inline_to_wiki(&kids()),
    }
}

fn blocks_to_wiki(nodes: &[Value]) -> String {
    nodes
        .iter()
        .map(|n| block_to_wiki(n, ""))
        .collect::<Vec<_>>()
        .join("\n\n")
}

fn inline_to_wiki(nodes: &[Value]) -> String {
    let mut s = String::new();
    for n in nodes {
        match n["type"].as_str().unwrap_or("") {
            "text" => {
                let mut t = n["text"].as_str().unwrap_or("").to_string();
                for m in n["marks"].as_array().into_iter().flatten() {
                    t = match m["type"].as_str().unwrap_or("") {
                        "strong" => format!("*{t}*"),
                        "em" => format!("_{t}_"),
                        "strike" => format!("-{t}-"),
                        "underline" => format!("+{t}+"),
                        "code" => format!("{{{{{t}}}}}"),
                        "link" => format!("[{t}|{}]", m["attrs"]["href"].as_str().unwrap_or("")),
                        _ => t,
                    };
                }
                s.push_str(&t);
            }
            "hardBreak" => s.push('\n'),
            "mention" => s.push_str(&format!(
                "[~accountid:{}]",
                n["attrs"]["id"].as_str().unwrap_or("")
            )),
            "emoji" => s.push_str(n["attrs"]["shortName"].as_str().unwrap_or("")),
            "inlineCard" => s.push_str(&format!("[{}]", n["attrs"]["url"].as_str().unwrap_or(""))),
            _ => s.push_str(&inline_to_text(std::slice::from_ref(n))),
        }
    }
    s
}

/// Every text in an ADF subtree, blocks separated by newlines.
pub fn inline_to_text(nodes: &[Value]) -> String {
    let mut s = String::new();
    for n in nodes {
        match n["type"].as_str().unwrap_or("") {
            "text" => s.push_str(n["text"].as_str().unwrap_or("")),
            "mention" => s.push_str(n["attrs"]["text"].as_str().unwrap_or("")),
            "hardBreak" => s.push('\n'),
            _ => {
                if let Some(kids) = n["content"].as_array() {
                    if !s.is_empty() && !s.ends_with('\n') {
                        s.push('\n');
                    }
                    s.push_str(&inline_to_text(kids));
                }
            }
        }
    }
    s
}

pub fn adf_to_text(doc: &Value) -> String {
    inline_to_text(doc["content"].as_array().map(Vec::as_slice).unwrap_or(&[]))
}

/// ADF → simple HTML, as Jira's `renderedFields` would show it.
pub fn adf_to_html(doc: &Value) -> String {
    nodes_html(doc["content"].as_array().map(Vec::as_slice).unwrap_or(&[]))
}

fn nodes_html(nodes: &[Value]) -> String {
    let mut s = String::new();
    for n in nodes {
        let kids = n["content"].as_array().map(Vec::as_slice).unwrap_or(&[]);
        let tag = |t: &str, inner: String| format!("<{t}>{inner}</{t}>");
        s.push_str(&match n["type"].as_str().unwrap_or("") {
            "paragraph" => tag("p", nodes_html(kids)),
            "heading" => tag(
                &format!("h{}", n["attrs"]["level"].as_u64().unwrap_or(1)),
                nodes_html(kids),
            ),
            "bulletList" => tag("ul", nodes_html(kids)),
            "orderedList" => tag("ol", nodes_html(kids)),
            "listItem" => tag("li", nodes_html(kids)),
            "codeBlock" => format!(
                "<div class=\"code panel\"><pre>{}</pre></div>",
                escape(&inline_to_text(kids))
            ),
            "blockquote" => tag("blockquote", nodes_html(kids)),
            "panel" => format!("<div class=\"panel\">{}</div>", nodes_html(kids)),
            "rule" => "<hr />".into(),
            "table" => format!(
                "<table class=\"confluenceTable\"><tbody>{}</tbody></table>",
                nodes_html(kids)
            ),
            "tableRow" => tag("tr", nodes_html(kids)),
            "tableHeader" => tag("th", nodes_html(kids)),
            "tableCell" => tag("td", nodes_html(kids)),
            "hardBreak" => "<br/>".into(),
            "mention" => format!(
                "<a href=\"#\" class=\"user-hover\" rel=\"{}\">{}</a>",
                escape(n["attrs"]["id"].as_str().unwrap_or("")),
                escape(
                    n["attrs"]["text"]
                        .as_str()
                        .unwrap_or("")
                        .trim_start_matches('@')
                )
            ),
            "text" => {
                let mut t = escape(n["text"].as_str().unwrap_or(""));
                for m in n["marks"].as_array().into_iter().flatten() {
                    t = match m["type"].as_str().unwrap_or("") {
                        "strong" => tag("b", t),
                        "em" => tag("em", t),
                        "strike" => tag("del", t),
                        "underline" => tag("ins", t),
                        "code" => tag("tt", t),
                        "link" => format!(
                            "<a href=\"{}\">{t}</a>",
                            escape(m["attrs"]["href"].as_str().unwrap_or(""))
                        ),
                        _ => t,
                    };
                }
                t
            }
            _ => nodes_html(kids),
        });
    }
    s
}

pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

//! Rich text going to Jira: Markdown (with the three mention spellings users type) becomes ADF on
//! Cloud and wiki markup on Server/DC; and an ADF description update keeps what Markdown cannot
//! express. Blocks of the stored document the caller left as they were (same Markdown) are sent
//! back verbatim, with every attribute, and media the new text no longer shows are kept at the
//! end, so videos and images inserted in Jira's editor survive an update that did not touch them.

use serde_json::{Value, json};

use super::Jira;
use crate::atlassian::Deployment;
use crate::convert::{self, Options};

/// `[~accountid:ID]` and `@[Name](accountid:ID)` as `[@Name](mention:ID)`, the converters' form;
/// `[~name]` too on Server/DC. Fenced code is left alone.
pub fn normalise_mentions(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    let mut fenced = false;
    for line in markdown.split_inclusive('\n') {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
        }
        if fenced || !(line.contains("[~") || line.contains("@[")) {
            out.push_str(line);
            continue;
        }
        out.push_str(&mention_line(line));
    }
    out
}

fn mention_line(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    loop {
        let tilde = rest.find("[~");
        let at = rest.find("@[");
        let next = match (tilde, at) {
            (Some(a), Some(b)) => a.min(b),
            (Some(a), None) => a,
            (None, Some(b)) => b,
            (None, None) => break,
        };
        out.push_str(&rest[..next]);
        let tail = &rest[next..];
        if let Some(inner) = tail.strip_prefix("[~") {
            if let Some(end) = inner.find(']') {
                let who = &inner[..end];
                let id = who.strip_prefix("accountid:").unwrap_or(who);
                if !id.is_empty() && !id.contains(char::is_whitespace) {
                    out.push_str(&format!("[@{id}](mention:{id})"));
                    rest = &inner[end + 1..];
                    continue;
                }
            }
        } else if let Some(inner) = tail.strip_prefix("@[") {
            if let Some(end) = inner.find("](accountid:") {
                let name = &inner[..end];
                let after = &inner[end + "](accountid:".len()..];
                if let Some(close) = after.find(')') {
                    let id = &after[..close];
                    if !name.contains(']') && !id.is_empty() {
                        out.push_str(&format!("[@{name}](mention:{id})"));
                        rest = &after[close + 1..];
                        continue;
                    }
                }
            }
        }
        out.push_str(&tail[..2]);
        rest = &tail[2..];
    }
    out.push_str(rest);
    out
}

/// Markdown of one top-level ADF block, for comparing a new block with a stored one.
fn block_markdown(block: &Value) -> String {
    let doc = json!({"version": 1, "type": "doc", "content": [block]});
    convert::adf_to_markdown(&doc)
        .map(|m| m.trim().to_string())
        .unwrap_or_default()
}

fn is_media(block: &Value) -> bool {
    matches!(
        block.get("type").and_then(Value::as_str),
        Some("mediaSingle" | "mediaGroup" | "mediaInline")
    )
}

/// The new document with the stored blocks it did not change put back verbatim, and stored media
/// blocks that the new text dropped appended. Returns the document and how many blocks were kept
/// that Markdown could not have expressed.
pub fn merge_adf(stored: &Value, new: &Value) -> (Value, usize) {
    let old_blocks: Vec<&Value> = stored
        .get("content")
        .and_then(Value::as_array)
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    if old_blocks.is_empty() {
        return (new.clone(), 0);
    }
    let old_md: Vec<String> = old_blocks.iter().map(|b| block_markdown(b)).collect();
    let mut used = vec![false; old_blocks.len()];
    let mut kept = 0;
    let mut out = Vec::new();
    for block in new
        .get("content")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let md = block_markdown(block);
        let same = (0..old_blocks.len()).find(|&i| !used[i] && old_md[i] == md);
        match same {
            Some(i) => {
                used[i] = true;
                if old_blocks[i] != block {
                    kept += 1;
                }
                out.push(old_blocks[i].clone());
            }
            None => out.push(block.clone()),
        }
    }
    for (i, block) in old_blocks.iter().enumerate() {
        if !used[i] && is_media(block) {
            kept += 1;
            out.push((*block).clone());
        }
    }
    let mut doc = new.clone();
    doc["content"] = Value::Array(out);
    (doc, kept)
}

impl Jira {
    /// Markdown as the deployment stores rich text (ADF on Cloud, wiki on Server/DC); as is when
    /// markup translation is off.
    pub fn rich(&self, markdown: &str) -> Value {
        if self.settings.disable_markup_translation {
            return match self.deployment() {
                Deployment::Cloud => serde_json::from_str::<Value>(markdown)
                    .ok()
                    .filter(|v| v.get("type").and_then(Value::as_str) == Some("doc"))
                    .unwrap_or_else(|| plain_adf(markdown)),
                Deployment::ServerDc => json!(markdown),
            };
        }
        let md = normalise_mentions(markdown);
        match self.deployment() {
            Deployment::Cloud => convert::markdown_to_adf(&md),
            Deployment::ServerDc => json!(convert::markdown_to_wiki(&md, &Options::server())),
        }
    }
}

/// Text as one ADF paragraph per line block, without interpretation.
fn plain_adf(text: &str) -> Value {
    let content: Vec<Value> = text
        .split("\n\n")
        .filter(|p| !p.trim().is_empty())
        .map(|p| json!({"type": "paragraph", "content": [{"type": "text", "text": p}]}))
        .collect();
    json!({"version": 1, "type": "doc", "content": content})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_mention_spellings() {
        assert_eq!(
            normalise_mentions(
                "Hi [~accountid:abc] and @[Bob O](accountid:d-1) and [@C](mention:x)"
            ),
            "Hi [@abc](mention:abc) and [@Bob O](mention:d-1) and [@C](mention:x)"
        );
        assert_eq!(
            normalise_mentions("[~alice] ok"),
            "[@alice](mention:alice) ok"
        );
        assert_eq!(normalise_mentions("```\n[~x]\n```\n"), "```\n[~x]\n```\n");
        assert_eq!(normalise_mentions("a [~ b] @[x"), "a [~ b] @[x");
    }

    #[test]
    fn untouched_blocks_and_media_survive() {
        let stored = json!({"version": 1, "type": "doc", "content": [
            {"type": "paragraph", "content": [{"type": "text", "text": "Intro"}]},
            {"type": "panel", "attrs": {"panelType": "warning", "panelColor": "#fff"},
             "content": [{"type": "paragraph", "content": [{"type": "text", "text": "Careful"}]}]},
            {"type": "mediaSingle", "attrs": {"layout": "center"},
             "content": [{"type": "media", "attrs": {"id": "m-1", "type": "file", "collection": "c"}}]}
        ]});
        let md = "Intro changed\n\n> [!WARNING]\n> Careful\n";
        let (doc, kept) = merge_adf(&stored, &convert::markdown_to_adf(md));
        let blocks = doc["content"].as_array().unwrap();
        assert_eq!(blocks.len(), 3, "{doc}");
        assert_eq!(blocks[0]["content"][0]["text"], "Intro changed");
        assert_eq!(blocks[1], stored["content"][1]);
        assert_eq!(blocks[2], stored["content"][2]);
        assert_eq!(kept, 2);
    }
}

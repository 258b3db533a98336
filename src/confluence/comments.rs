//! Comments: footer and inline comments of a page with their replies (bodies as Markdown,
//! authors by name), new comments and replies from Markdown, and inline comments anchored to a
//! text selection (Cloud v2 natively; Server/DC by marking the selection in the page and
//! attaching the comment to that marker). The page's space is checked first.

use serde_json::{Value, json};

use super::scope::text;
use super::section::plain_text;
use super::{Confluence, Error};
use crate::atlassian::segment;

/// Arguments of "add an inline comment".
#[derive(Debug, Clone)]
pub struct InlineComment<'a> {
    pub page_id: &'a str,
    pub body: &'a str,
    pub selection: &'a str,
    /// How often the selection occurs (the page is checked; a wrong count is corrected).
    pub match_count: usize,
    /// Which occurrence (0-based).
    pub match_index: usize,
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Byte ranges of `needle` in the text runs of a storage document (outside tags and CDATA).
fn text_matches(doc: &str, needle: &str) -> Vec<usize> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < doc.len() {
        if doc[i..].starts_with("<![CDATA[") {
            i = doc[i..].find("]]>").map_or(doc.len(), |k| i + k + 3);
        } else if doc[i..].starts_with('<') {
            i = doc[i..].find('>').map_or(doc.len(), |k| i + k + 1);
        } else {
            let end = doc[i..].find('<').map_or(doc.len(), |k| i + k);
            let run = &doc[i..end];
            out.extend(run.match_indices(needle).map(|(k, _)| i + k));
            i = end;
        }
    }
    out
}

impl Confluence {
    /// Cloud: a new top-level comment on a page (`pageId`) or blog post (`blogPostId`). An id not
    /// known as a blog post is sent as a page; when v2 refuses it (400/404) and the id turns out
    /// to be a blog post, the comment is sent again for the blog post.
    fn v2_comment(
        &self,
        id: &str,
        kind: &str,
        mut fields: Value,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Value, Error> {
        let send = |owner: &str, fields: &Value| {
            let mut body = fields.clone();
            body[if owner == "blogposts" {
                "blogPostId"
            } else {
                "pageId"
            }] = json!(id);
            self.client
                .post(&format!("/api/v2/{kind}"))
                .json(body)
                .cancel_when(cancelled)
                .send_json()
        };
        match send(self.v2_owner(id), &fields) {
            Err(e) if matches!(e.status(), Some(400 | 404)) && self.v2_owner(id) == "pages" => {
                let meta = self.cloud_meta(id, cancelled).map_err(|_| e.clone())?;
                if text(&meta, "/type") != "blogpost" {
                    return Err(e.into());
                }
                Ok(send("blogposts", &std::mem::take(&mut fields))?)
            }
            other => Ok(other?),
        }
    }

    /// One comment in the shape both deployments share.
    fn comment(&self, c: &Value, author: String, parent: Option<String>, markdown: bool) -> Value {
        json!({
            "id": text(c, "/id"),
            "author": author,
            "created": c.pointer("/version/createdAt").or_else(|| c.pointer("/history/createdDate")).or_else(|| c.pointer("/version/when")),
            "parent_id": parent,
            "selection": c.pointer("/properties/inlineOriginalSelection").or_else(|| c.pointer("/extensions/inlineProperties/originalSelection")),
            "resolved": c.pointer("/resolutionStatus").map(|s| s == "resolved")
                .or_else(|| c.pointer("/extensions/resolution/status").map(|s| s == "resolved")),
            "body": self.body_text(&text(c, "/body/storage/value"), markdown),
        })
    }

    /// The footer (`inline == false`) or inline comments of a page, replies included.
    pub fn comments(
        &self,
        page_id: &str,
        inline: bool,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Value, Error> {
        self.check_page(page_id, cancelled)?;
        let kind = if inline {
            "inline-comments"
        } else {
            "footer-comments"
        };
        let mut out = Vec::new();
        if self.cloud() {
            let body = [("body-format", "storage".to_string())];
            let (top, _) = self.v2_list_under(page_id, kind, &body, 0, 500, cancelled)?;
            let mut all: Vec<(Value, Option<String>)> = Vec::new();
            for c in top {
                let id = text(&c, "/id");
                all.push((c, None));
                let (replies, _) = self.list(
                    &format!("/api/v2/{kind}/{}/children", segment(&id)),
                    &body,
                    0,
                    250,
                    250,
                    cancelled,
                    &super::scope::quiet,
                )?;
                all.extend(replies.into_iter().map(|r| (r, Some(id.clone()))));
            }
            let ids: Vec<String> = all
                .iter()
                .map(|(c, _)| text(c, "/version/authorId"))
                .collect();
            let names = self.names(&ids, cancelled);
            for (c, parent) in all {
                let who = text(&c, "/version/authorId");
                let name = names.get(&who).cloned().unwrap_or(who);
                out.push(self.comment(&c, name, parent, true));
            }
        } else {
            let (items, _) = self.list(
                &format!("/rest/api/content/{}/child/comment", segment(page_id)),
                &[
                    ("expand", "body.storage,version,history,ancestors,extensions.inlineProperties,extensions.resolution".into()),
                    ("depth", "all".into()),
                    ("location", if inline { "inline" } else { "footer" }.into()),
                ],
                0, 500, 100, cancelled, &super::scope::quiet,
            )?;
            for c in items {
                let parent = c
                    .get("ancestors")
                    .and_then(Value::as_array)
                    .and_then(|a| a.iter().rev().find(|x| text(x, "/type") == "comment"))
                    .map(|a| text(a, "/id"));
                let author = c
                    .pointer("/history/createdBy/displayName")
                    .or_else(|| c.pointer("/version/by/displayName"))
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string();
                out.push(self.comment(&c, author, parent, true));
            }
        }
        Ok(json!({"page_id": page_id, "count": out.len(), "comments": out}))
    }

    /// A new footer comment (Markdown body).
    pub fn add_comment(
        &self,
        page_id: &str,
        markdown: &str,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Value, Error> {
        self.check_page(page_id, cancelled)?;
        let storage = self.to_storage(markdown, "markdown")?;
        let raw = if self.cloud() {
            let body = json!({"representation": "storage", "value": storage});
            self.v2_comment(page_id, "footer-comments", json!({"body": body}), cancelled)?
        } else {
            self.client
                .post("/rest/api/content")
                .json(
                    json!({"type": "comment", "container": {"id": page_id, "type": "page"},
                    "body": {"storage": {"value": storage, "representation": "storage"}}}),
                )
                .cancel_when(cancelled)
                .send_json()?
        };
        Ok(
            json!({"message": "comment added", "comment": {"id": text(&raw, "/id"), "page_id": page_id,
            "body": self.body_text(&storage, true)}}),
        )
    }

    /// A reply to a footer comment (Markdown body).
    pub fn reply(
        &self,
        comment_id: &str,
        markdown: &str,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Value, Error> {
        let storage = self.to_storage(markdown, "markdown")?;
        let body = json!({"representation": "storage", "value": storage});
        let (raw, page_id) = if self.cloud() {
            let mut page_id = String::new();
            if self.filtered() {
                let parent = self
                    .client
                    .get(&format!("/api/v2/footer-comments/{}", segment(comment_id)))
                    .cancel_when(cancelled)
                    .send_json()?;
                page_id = text(&parent, "/pageId");
                self.check_page(&page_id, cancelled)?;
            }
            let raw = self
                .client
                .post("/api/v2/footer-comments")
                .json(json!({"parentCommentId": comment_id, "body": body}))
                .cancel_when(cancelled)
                .send_json()?;
            (raw, page_id)
        } else {
            let parent = self
                .client
                .get(&format!("/rest/api/content/{}", segment(comment_id)))
                .query("expand", "container,space")
                .cancel_when(cancelled)
                .send_json()?;
            if text(&parent, "/type") != "comment" {
                return Err(Error::Invalid {
                    param: "comment_id",
                    problem: format!("{comment_id} is not a comment"),
                });
            }
            let page_id = text(&parent, "/container/id");
            self.check_page(&page_id, cancelled)?;
            let raw = self
                .client
                .post("/rest/api/content")
                .json(
                    json!({"type": "comment", "container": {"id": page_id, "type": "page"},
                    "ancestors": [{"id": comment_id}],
                    "body": {"storage": {"value": storage, "representation": "storage"}}}),
                )
                .cancel_when(cancelled)
                .send_json()?;
            (raw, page_id)
        };
        Ok(
            json!({"message": "reply added", "comment": {"id": text(&raw, "/id"), "parent_id": comment_id,
            "page_id": page_id, "body": self.body_text(&storage, true)}}),
        )
    }

    /// An inline comment on the `match_index`-th occurrence of `selection`.
    pub fn add_inline_comment(
        &self,
        req: &InlineComment<'_>,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Value, Error> {
        let mut cur = self.current(req.page_id, cancelled)?;
        let storage = self.to_storage(req.body, "markdown")?;
        let count = plain_text(&cur.storage).matches(req.selection).count();
        if req.selection.trim().is_empty() || count == 0 {
            return Err(Error::NotFound(format!(
                "the text {:?} does not occur on page {}",
                req.selection, req.page_id
            )));
        }
        if req.match_index >= count {
            return Err(Error::Invalid {
                param: "text_selection_match_index",
                problem: format!("the text occurs {count} time(s); use 0 to {}", count - 1),
            });
        }
        let raw = if self.cloud() {
            let fields = json!({"body": {"representation": "storage", "value": storage},
                "inlineCommentProperties": {"textSelection": req.selection,
                    "textSelectionMatchCount": count, "textSelectionMatchIndex": req.match_index}});
            self.v2_comment(req.page_id, "inline-comments", fields, cancelled)?
        } else {
            let escaped = escape(req.selection);
            let at = *text_matches(&cur.storage, &escaped).get(req.match_index).ok_or_else(|| {
                Error::Invalid {
                    param: "text_selection",
                    problem: "on Server/Data Center the selection must lie within one run of text (no formatting inside it)".into(),
                }
            })?;
            let marker = format!("mcp-{}-{}", cur.version + 1, at);
            let marked = format!(
                "{}<ac:inline-comment-marker ac:ref=\"{marker}\">{escaped}</ac:inline-comment-marker>{}",
                &cur.storage[..at],
                &cur.storage[at + escaped.len()..]
            );
            let title = cur.title.clone();
            self.put_page(&mut cur, &title, &marked, None, true, None, cancelled)?;
            self.client
                .post("/rest/api/content")
                .json(json!({"type": "comment", "container": {"id": req.page_id, "type": "page"},
                    "body": {"storage": {"value": storage, "representation": "storage"}},
                    "extensions": {"location": "inline",
                        "inlineProperties": {"markerRef": marker, "originalSelection": req.selection}}}))
                .cancel_when(cancelled)
                .send_json()?
        };
        Ok(
            json!({"message": "inline comment added", "comment": {"id": text(&raw, "/id"), "page_id": req.page_id,
            "selection": req.selection, "occurrence": req.match_index, "occurrences": count,
            "body": self.body_text(&storage, true)}}),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_only_in_text_runs() {
        let doc = "<p title=\"ab\">ab <b>ab</b></p><![CDATA[ab]]>";
        assert_eq!(text_matches(doc, "ab"), vec![14, 20]);
    }
}

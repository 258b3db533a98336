//! Attachments of a page or blog post: list (Cloud v2, Server/DC v1), upload one or many in one
//! multipart request (v1 on both; v2 has no upload, and the API gateway still serves this one),
//! download under the size cap, and delete. The space of the page (or of the attachment's page)
//! is checked before anything is sent or fetched.

use serde_json::{Value, json};

use super::scope::{results, text};
use super::{Confluence, Error};
use crate::atlassian::{Part, segment};

/// Arguments of "list attachments".
#[derive(Debug, Clone)]
pub struct AttachmentList<'a> {
    pub content_id: &'a str,
    pub start: usize,
    pub limit: usize,
    pub filename: Option<&'a str>,
    pub media_type: Option<&'a str>,
}

/// A file to upload or one downloaded.
#[derive(Debug, Clone)]
pub struct Fetched {
    pub name: String,
    /// Where it came from (its download URL).
    pub uri: String,
    pub mime_type: String,
    pub data: Vec<u8>,
}

/// True for file names with an image extension (when the type says nothing useful).
fn image_name(name: &str) -> bool {
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    matches!(
        ext.as_deref(),
        Some("png" | "jpg" | "jpeg" | "gif" | "webp" | "bmp")
    )
}

impl Confluence {
    fn attachment(&self, a: &Value) -> Value {
        let link = a
            .get("downloadLink")
            .or_else(|| a.pointer("/_links/download"))
            .cloned();
        json!({
            "id": text(a, "/id"),
            "title": text(a, "/title"),
            "media_type": a.get("mediaType").or_else(|| a.pointer("/extensions/mediaType")),
            "size": a.get("fileSize").or_else(|| a.pointer("/extensions/fileSize")),
            "version": a.pointer("/version/number"),
            "created": a.get("createdAt").or_else(|| a.pointer("/version/when")),
            "comment": a.get("comment").or_else(|| a.pointer("/extensions/comment")),
            "download_url": self.absolute(link.as_ref()),
        })
    }

    fn raw_attachments(
        &self,
        req: &AttachmentList<'_>,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<(Vec<Value>, bool), Error> {
        self.check_page(req.content_id, cancelled)?;
        let mut query: Vec<(&str, String)> = Vec::new();
        if let Some(f) = req.filename {
            query.push(("filename", f.to_string()));
        }
        if let Some(m) = req.media_type {
            query.push(("mediaType", m.to_string()));
        }
        if self.cloud() {
            self.v2_list_under(
                req.content_id,
                "attachments",
                &query,
                req.start,
                req.limit,
                cancelled,
            )
        } else {
            query.push(("expand", "version,container".into()));
            self.list(
                &format!(
                    "/rest/api/content/{}/child/attachment",
                    segment(req.content_id)
                ),
                &query,
                req.start,
                req.limit,
                200,
                cancelled,
                &super::scope::quiet,
            )
        }
    }

    /// The attachments of a page.
    pub fn attachments(
        &self,
        req: &AttachmentList<'_>,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Value, Error> {
        let (items, more) = self.raw_attachments(req, cancelled)?;
        let list: Vec<Value> = items.iter().map(|a| self.attachment(a)).collect();
        Ok(
            json!({"content_id": req.content_id, "count": list.len(), "has_more": more, "attachments": list}),
        )
    }

    /// Upload files to a page in one request (a file with the name of an existing attachment
    /// becomes its new version).
    pub fn upload(
        &self,
        content_id: &str,
        files: Vec<Fetched>,
        comment: Option<&str>,
        minor: bool,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Value, Error> {
        self.check_page(content_id, cancelled)?;
        let names: Vec<String> = files.iter().map(|f| f.name.clone()).collect();
        let mut parts: Vec<Part> = files
            .into_iter()
            .map(|f| Part {
                name: "file".into(),
                filename: f.name,
                mime_type: f.mime_type,
                data: f.data,
            })
            .collect();
        if let Some(c) = comment.filter(|c| !c.is_empty()) {
            parts.push(Part {
                name: "comment".into(),
                filename: String::new(),
                mime_type: String::new(),
                data: c.as_bytes().to_vec(),
            });
        }
        parts.push(Part {
            name: "minorEdit".into(),
            filename: String::new(),
            mime_type: String::new(),
            data: minor.to_string().into_bytes(),
        });
        // Cloud's PUT creates or adds a version; Server/DC documents POST only.
        let path = format!("/rest/api/content/{}/child/attachment", segment(content_id));
        let request = if self.cloud() {
            self.client.put(&path)
        } else {
            self.client.post(&path)
        };
        let answer = request
            .multipart(parts)
            .cancel_when(cancelled)
            .send_json()?;
        let list: Vec<Value> = results(&answer)
            .iter()
            .map(|a| self.attachment(a))
            .collect();
        Ok(
            json!({"message": format!("{} file(s) uploaded", names.len()), "content_id": content_id, "attachments": list}),
        )
    }

    /// An attachment's metadata and page, its space checked.
    fn attachment_meta(&self, id: &str, cancelled: &dyn Fn() -> bool) -> Result<Value, Error> {
        let (raw, page) = if self.cloud() {
            let raw = self
                .client
                .get(&format!("/api/v2/attachments/{}", segment(id)))
                .cancel_when(cancelled)
                .send_json()?;
            let page = text(&raw, "/pageId") + &text(&raw, "/blogPostId");
            (raw, page)
        } else {
            let raw = self
                .client
                .get(&format!("/rest/api/content/{}", segment(id)))
                .query("expand", "container,space,version")
                .cancel_when(cancelled)
                .send_json()?;
            if text(&raw, "/type") != "attachment" {
                return Err(Error::Invalid {
                    param: "attachment_id",
                    problem: format!("{id} is not an attachment"),
                });
            }
            let key = text(&raw, "/space/key");
            let page = text(&raw, "/container/id");
            self.remember_space(&page, &key);
            (raw, page)
        };
        if self.filtered() {
            let space = if page.is_empty() {
                String::new()
            } else {
                self.page_space(&page, cancelled)?
            };
            self.check_space(&space)?;
        }
        Ok(raw)
    }

    /// Fetch one attachment's bytes (at most `max` of them).
    fn fetch(
        &self,
        meta: &Value,
        max: usize,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Fetched, Error> {
        let link = meta
            .get("downloadLink")
            .or_else(|| meta.pointer("/_links/download"))
            .and_then(Value::as_str)
            .unwrap_or_default();
        if !link.starts_with("/download/") {
            return Err(Error::NotFound(format!(
                "attachment {} has no download link",
                text(meta, "/id")
            )));
        }
        let got = self.client.get(link).cancel_when(cancelled).download(max)?;
        Ok(Fetched {
            name: text(meta, "/title"),
            uri: self
                .absolute(Some(&json!(link)))
                .and_then(|v| v.as_str().map(String::from))
                .unwrap_or_default(),
            mime_type: got.mime_type,
            data: got.data,
        })
    }

    /// Download one attachment.
    pub fn download(
        &self,
        id: &str,
        max: usize,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<(Value, Fetched), Error> {
        let meta = self.attachment_meta(id, cancelled)?;
        let file = self.fetch(&meta, max, cancelled)?;
        Ok((self.attachment(&meta), file))
    }

    /// Download every attachment of a page (images only when `images`); a file over `max`
    /// bytes or past the `total` budget is listed as skipped with the reason.
    pub fn download_all(
        &self,
        content_id: &str,
        images: bool,
        max: usize,
        total: usize,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<(Value, Vec<Fetched>), Error> {
        let req = AttachmentList {
            content_id,
            start: 0,
            limit: 200,
            filename: None,
            media_type: None,
        };
        let (items, _) = self.raw_attachments(&req, cancelled)?;
        let mut files = Vec::new();
        let mut skipped = Vec::new();
        let mut used = 0usize;
        for a in items {
            let media = text(&a, "/mediaType") + &text(&a, "/extensions/mediaType");
            let title = text(&a, "/title");
            let is_image = media.starts_with("image/") || image_name(&title);
            if images && !is_image {
                continue;
            }
            let size = a
                .get("fileSize")
                .or_else(|| a.pointer("/extensions/fileSize"))
                .and_then(Value::as_u64)
                .unwrap_or(0) as usize;
            if size > max || used + size > total {
                skipped.push(json!({"title": title, "reason": format!("{size} bytes is over the size limit")}));
                continue;
            }
            match self.fetch(&a, max.min(total - used), cancelled) {
                Ok(f) => {
                    used += f.data.len();
                    files.push(f);
                }
                Err(e) => skipped.push(json!({"title": title, "reason": e.to_string()})),
            }
        }
        let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
        Ok((
            json!({"content_id": content_id, "downloaded": names, "skipped": skipped}),
            files,
        ))
    }

    /// Delete an attachment.
    pub fn delete_attachment(
        &self,
        id: &str,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Value, Error> {
        if self.filtered() {
            self.attachment_meta(id, cancelled)?;
        }
        let path = if self.cloud() {
            // v2 deletes by the number (its GET takes both forms).
            format!(
                "/api/v2/attachments/{}",
                segment(id.trim_start_matches("att"))
            )
        } else {
            format!("/rest/api/content/{}", segment(id))
        };
        self.client.delete(&path).cancel_when(cancelled).send()?;
        Ok(json!({"message": "attachment moved to the trash", "attachment_id": id}))
    }
}

//! Writing pages: create (Markdown, wiki or storage in; anchors, table layout, width and emoji),
//! update (version + 1; a version conflict changes nothing; an update without content keeps the
//! stored body byte for byte), replace one section under a heading losslessly, and delete. The
//! space of the page, its parent and the target space are checked against the filter first.

use serde_json::{Value, json};

use super::scope::text;
use super::section::{self, SectionError};
use super::{Confluence, Error};
use crate::atlassian::{HttpError, segment};

/// Caller text and its format (`markdown`, `wiki` or `storage`).
#[derive(Debug, Clone, Copy)]
pub struct Body<'a> {
    pub text: &'a str,
    pub format: &'a str,
}

/// Presentation options shared by create and update.
#[derive(Debug, Clone, Copy, Default)]
pub struct Look<'a> {
    pub heading_anchors: bool,
    pub emoji: Option<&'a str>,
    /// `full-width` or `fixed`.
    pub page_width: Option<&'a str>,
    /// `default`, `wide` or `full-width` for the tables written.
    pub table_layout: Option<&'a str>,
}

/// Arguments of "create a page".
#[derive(Debug, Clone)]
pub struct NewPage<'a> {
    pub space_key: &'a str,
    pub title: &'a str,
    pub body: Body<'a>,
    pub parent_id: Option<&'a str>,
    pub look: Look<'a>,
    pub include_content: bool,
    /// Cloud `live` (live docs).
    pub subtype: Option<&'a str>,
}

/// Arguments of "update a page".
#[derive(Debug, Clone)]
pub struct PageEdit<'a> {
    pub page_id: &'a str,
    pub title: &'a str,
    /// `None`: keep the stored body as it is.
    pub body: Option<Body<'a>>,
    pub minor: bool,
    pub message: Option<&'a str>,
    pub parent_id: Option<&'a str>,
    pub look: Look<'a>,
    pub include_content: bool,
}

/// A page as read before a write.
pub(super) struct Current {
    pub id: String,
    pub title: String,
    pub space_key: String,
    pub version: u64,
    pub storage: String,
    pub parent_id: String,
    pub webui: String,
}

fn table_layout(storage: &str, layout: &str) -> String {
    storage
        .replace("<table>", &format!("<table data-layout=\"{layout}\">"))
        .replace("<table ", &format!("<table data-layout=\"{layout}\" "))
        .replace(
            &format!("<table data-layout=\"{layout}\" data-layout="),
            "<table data-layout=",
        )
}

/// An emoji as Confluence's title-emoji property value (code points in hex, `-` between).
fn emoji_code(emoji: &str) -> String {
    let e = emoji.trim();
    if e.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
        return e.to_ascii_lowercase();
    }
    e.chars()
        .filter(|c| *c != '\u{fe0f}')
        .map(|c| format!("{:x}", c as u32))
        .collect::<Vec<_>>()
        .join("-")
}

impl Confluence {
    /// Caller text as the storage to send, with the presentation options applied.
    fn render_body(&self, body: Body<'_>, look: &Look<'_>) -> Result<String, Error> {
        let mut storage = self.to_storage(body.text, body.format)?;
        if look.heading_anchors {
            storage = section::add_heading_anchors(&storage);
        }
        if let Some(layout) = look.table_layout {
            storage = table_layout(&storage, layout);
        }
        Ok(storage)
    }

    /// Set a content property (create, or a new version of an existing one): Cloud v2
    /// `/pages/{id}/properties` (by property id), Server/DC v1 `/content/{id}/property` (by key).
    fn set_property(
        &self,
        id: &str,
        key: &str,
        value: Value,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<(), Error> {
        let path = if self.cloud() {
            format!("/api/v2/{}/{}/properties", self.v2_owner(id), segment(id))
        } else {
            format!("/rest/api/content/{}/property", segment(id))
        };
        match self
            .client
            .post(&path)
            .json(json!({"key": key, "value": value}))
            .cancel_when(cancelled)
            .send()
        {
            Err(e) if e.status() == Some(409) => {
                let (one, old) = if self.cloud() {
                    let list = self
                        .client
                        .get(&path)
                        .query("key", key)
                        .cancel_when(cancelled)
                        .send_json()?;
                    let old = list.pointer("/results/0").cloned().ok_or(Error::Http(e))?;
                    (format!("{path}/{}", segment(&text(&old, "/id"))), old)
                } else {
                    let one = format!("{path}/{}", segment(key));
                    let old = self.client.get(&one).cancel_when(cancelled).send_json()?;
                    (one, old)
                };
                let n = old
                    .pointer("/version/number")
                    .and_then(Value::as_u64)
                    .unwrap_or(1);
                self.client
                    .put(&one)
                    .json(json!({"key": key, "value": value, "version": {"number": n + 1}}))
                    .cancel_when(cancelled)
                    .send()?;
                Ok(())
            }
            other => other.map(|_| ()).map_err(Error::from),
        }
    }

    fn apply_look(
        &self,
        id: &str,
        look: &Look<'_>,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<(), Error> {
        if let Some(width) = look.page_width {
            for key in ["content-appearance-published", "content-appearance-draft"] {
                self.set_property(id, key, json!(width), cancelled)?;
            }
        }
        if let Some(emoji) = look.emoji.filter(|e| !e.trim().is_empty()) {
            let code = emoji_code(emoji);
            for key in ["emoji-title-published", "emoji-title-draft"] {
                self.set_property(id, key, json!(code), cancelled)?;
            }
        }
        Ok(())
    }

    /// The page as it is now (body as storage), its space checked against the filter.
    pub(super) fn current(&self, id: &str, cancelled: &dyn Fn() -> bool) -> Result<Current, Error> {
        let cur = if self.cloud() {
            let raw = self.cloud_content(id, cancelled)?;
            let space_key = self.space_by_id(&text(&raw, "/spaceId"), cancelled)?.0;
            Current {
                id: text(&raw, "/id"),
                title: text(&raw, "/title"),
                space_key,
                version: raw
                    .pointer("/version/number")
                    .and_then(Value::as_u64)
                    .unwrap_or(0),
                storage: text(&raw, "/body/storage/value"),
                parent_id: text(&raw, "/parentId"),
                webui: text(&raw, "/_links/webui"),
            }
        } else {
            let raw = self
                .client
                .get(&format!("/rest/api/content/{}", segment(id)))
                .query("expand", "body.storage,version,space,ancestors")
                .cancel_when(cancelled)
                .send_json()?;
            let parent = raw
                .get("ancestors")
                .and_then(Value::as_array)
                .and_then(|a| a.last())
                .map(|a| text(a, "/id"))
                .unwrap_or_default();
            Current {
                id: text(&raw, "/id"),
                title: text(&raw, "/title"),
                space_key: text(&raw, "/space/key"),
                version: raw
                    .pointer("/version/number")
                    .and_then(Value::as_u64)
                    .unwrap_or(0),
                storage: text(&raw, "/body/storage/value"),
                parent_id: parent,
                webui: text(&raw, "/_links/webui"),
            }
        };
        self.remember_space(&cur.id, &cur.space_key);
        self.check_space(&cur.space_key)?;
        Ok(cur)
    }

    /// The result of a write: what the page is now, and its content as Markdown when asked.
    fn written(&self, message: &str, cur: &Current, storage: Option<&str>) -> Value {
        let mut page = json!({
            "id": cur.id, "title": cur.title, "space": cur.space_key, "version": cur.version,
            "parent_id": cur.parent_id,
            "url": self.absolute(Some(&json!(cur.webui))),
        });
        if let Some(s) = storage {
            page["content"] = json!(self.body_text(s, true));
        }
        json!({"message": message, "page": page})
    }

    /// Create a page.
    pub fn create_page(
        &self,
        req: &NewPage<'_>,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Value, Error> {
        self.check_space(req.space_key)?;
        if let Some(parent) = req.parent_id {
            let space = self.page_space(parent, cancelled)?;
            if !space.eq_ignore_ascii_case(req.space_key) {
                return Err(Error::Invalid {
                    param: "parent_id",
                    problem: format!("page {parent} is in space {space}, not {}", req.space_key),
                });
            }
        }
        let storage = self.render_body(req.body, &req.look)?;
        let raw = if self.cloud() {
            let space_id = self.space_id(req.space_key, cancelled)?;
            let mut body = json!({"spaceId": space_id, "status": "current", "title": req.title,
                "body": {"representation": "storage", "value": storage}});
            if let Some(p) = req.parent_id {
                body["parentId"] = json!(p);
            }
            if let Some(s) = req.subtype {
                body["subtype"] = json!(s);
            }
            self.client
                .post("/api/v2/pages")
                .json(body)
                .cancel_when(cancelled)
                .send_json()?
        } else {
            if req.subtype.is_some() {
                return Err(Error::Invalid {
                    param: "subtype",
                    problem: "live pages exist on Confluence Cloud only".into(),
                });
            }
            let mut body = json!({"type": "page", "title": req.title, "space": {"key": req.space_key},
                "body": {"storage": {"value": storage, "representation": "storage"}}});
            if let Some(p) = req.parent_id {
                body["ancestors"] = json!([{"id": p}]);
            }
            self.client
                .post("/rest/api/content")
                .json(body)
                .cancel_when(cancelled)
                .send_json()?
        };
        let cur = Current {
            id: text(&raw, "/id"),
            title: text(&raw, "/title"),
            space_key: req.space_key.to_string(),
            version: raw
                .pointer("/version/number")
                .and_then(Value::as_u64)
                .unwrap_or(1),
            storage: String::new(),
            parent_id: req.parent_id.unwrap_or_default().to_string(),
            webui: text(&raw, "/_links/webui"),
        };
        self.remember_space(&cur.id, req.space_key);
        self.apply_look(&cur.id, &req.look, cancelled)?;
        Ok(self.written(
            "page created",
            &cur,
            req.include_content.then_some(storage.as_str()),
        ))
    }

    /// Send `storage` as the next version of `cur`.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn put_page(
        &self,
        cur: &mut Current,
        title: &str,
        storage: &str,
        parent_id: Option<&str>,
        minor: bool,
        message: Option<&str>,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<(), Error> {
        let next = cur.version + 1;
        let mut version = json!({"number": next});
        if let Some(m) = message.filter(|m| !m.is_empty()) {
            version["message"] = json!(m);
        }
        let sent = if self.cloud() {
            let mut body = json!({"id": cur.id, "status": "current", "title": title,
                "body": {"representation": "storage", "value": storage}, "version": version});
            if let Some(p) = parent_id {
                body["parentId"] = json!(p);
            }
            let owner = self.v2_owner(&cur.id);
            self.client
                .put(&format!("/api/v2/{owner}/{}", segment(&cur.id)))
                .json(body)
                .cancel_when(cancelled)
                .send()
        } else {
            version["minorEdit"] = json!(minor);
            let mut body = json!({"id": cur.id, "type": "page", "title": title, "version": version,
                "body": {"storage": {"value": storage, "representation": "storage"}}});
            if let Some(p) = parent_id {
                body["ancestors"] = json!([{"id": p}]);
            }
            self.client
                .put(&format!("/rest/api/content/{}", segment(&cur.id)))
                .json(body)
                .cancel_when(cancelled)
                .send()
        };
        match sent {
            Err(HttpError::Status { status: 409, .. }) => {
                Err(Error::Conflict(format!("page {}", cur.id)))
            }
            Err(e) => Err(e.into()),
            Ok(_) => {
                cur.version = next;
                cur.title = title.to_string();
                if let Some(p) = parent_id {
                    cur.parent_id = p.to_string();
                }
                Ok(())
            }
        }
    }

    /// Update a page's title, body or parent.
    pub fn update_page(
        &self,
        req: &PageEdit<'_>,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Value, Error> {
        let mut cur = self.current(req.page_id, cancelled)?;
        if let Some(parent) = req.parent_id {
            let space = self.page_space(parent, cancelled)?;
            self.check_space(&space)?;
        }
        let storage = match req.body {
            Some(b) => self.render_body(b, &req.look)?,
            None => cur.storage.clone(),
        };
        self.put_page(
            &mut cur,
            req.title,
            &storage,
            req.parent_id,
            req.minor,
            req.message,
            cancelled,
        )?;
        self.apply_look(&cur.id, &req.look, cancelled)?;
        Ok(self.written(
            "page updated",
            &cur,
            req.include_content.then_some(storage.as_str()),
        ))
    }

    /// Replace the section under `heading`; the rest of the stored body is kept byte for byte.
    #[allow(clippy::too_many_arguments)]
    pub fn update_section(
        &self,
        page_id: &str,
        heading: &str,
        body: Body<'_>,
        minor: bool,
        message: Option<&str>,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Value, Error> {
        let mut cur = self.current(page_id, cancelled)?;
        let fresh = self.to_storage(body.text, body.format)?;
        let storage = section::replace_section(&cur.storage, heading, &fresh).map_err(
            |SectionError::NoHeading(known)| {
                Error::NotFound(format!(
                    "no heading {heading:?} on page {page_id}; its headings: {}",
                    if known.is_empty() {
                        "none".into()
                    } else {
                        known.join(" | ")
                    }
                ))
            },
        )?;
        let title = cur.title.clone();
        self.put_page(&mut cur, &title, &storage, None, minor, message, cancelled)?;
        let mut out = self.written("section updated", &cur, None);
        out["section"] = json!(heading);
        Ok(out)
    }

    /// Move a page to the trash.
    pub fn delete_page(&self, id: &str, cancelled: &dyn Fn() -> bool) -> Result<Value, Error> {
        self.check_page(id, cancelled)?;
        let path = if self.cloud() {
            format!("/api/v2/pages/{}", segment(id))
        } else {
            format!("/rest/api/content/{}", segment(id))
        };
        self.client.delete(&path).cancel_when(cancelled).send()?;
        Ok(json!({"message": "page moved to the trash", "page_id": id}))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emoji_codes_and_table_layouts() {
        assert_eq!(emoji_code("🚀"), "1f680");
        assert_eq!(emoji_code("1F680"), "1f680");
        assert_eq!(
            table_layout("<table><tbody/></table><table class=\"x\">", "wide"),
            "<table data-layout=\"wide\"><tbody/></table><table data-layout=\"wide\" class=\"x\">"
        );
        assert_eq!(
            table_layout("<table data-layout=\"default\">", "wide"),
            "<table data-layout=\"default\">"
        );
    }
}

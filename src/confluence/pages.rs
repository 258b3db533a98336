//! Finding and reading pages: CQL search (plain text becomes a site search), and one page by id
//! or by space and title, with its body as Markdown (or storage XHTML when asked).

use serde_json::{Map, Value, json};

use super::{Confluence, Error};
use crate::atlassian::query::restrict;
use crate::atlassian::{Deployment, segment};
use crate::convert;

/// How to find one page.
#[derive(Debug, Clone)]
pub enum PageRef<'a> {
    Id(&'a str),
    Title { space_key: &'a str, title: &'a str },
}

/// Arguments of "get one page".
#[derive(Debug, Clone)]
pub struct GetPage<'a> {
    pub page: PageRef<'a>,
    pub include_metadata: bool,
    pub convert_to_markdown: bool,
}

/// True when `query` already is CQL rather than words to look for: it compares a field with an
/// operator (`=`, `!=`, `~`, `!~`, `<`, `>`, `in (...)`) outside quotes. Words such as "and"
/// or "or" alone do not make CQL ("salt and pepper" is a text search).
pub fn is_cql(query: &str) -> bool {
    let mut outside = String::with_capacity(query.len());
    let mut quote = None;
    let mut escaped = false;
    for c in query.chars() {
        match quote {
            Some(_) if escaped => escaped = false,
            Some(_) if c == '\\' => escaped = true,
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => {
                quote = Some(c);
                outside.push(' ');
            }
            None => outside.push(c.to_ascii_lowercase()),
        }
    }
    outside.contains(['=', '~', '<', '>']) || outside.contains(" in (") || outside.contains(" in(")
}

fn quote(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

/// The first page of a title lookup, or a not-found error naming it.
fn first_page(page: &Value, space_key: &str, title: &str) -> Result<Value, Error> {
    page.pointer("/results/0")
        .cloned()
        .ok_or_else(|| Error::NotFound(format!("no page titled {title:?} in space {space_key}")))
}

/// An id that v2 may send as a string or a number, as a string.
pub(super) fn id_text(v: &Value) -> String {
    v.as_str().map_or_else(|| v.to_string(), str::to_string)
}

impl Confluence {
    /// CQL search; plain words become `siteSearch ~ "..."` (Cloud) or `text ~ "..."` (Server/DC).
    /// Both deployments use `/rest/api/search`, so hits have the same keys; a hit outside the
    /// space filter is dropped even when the query let it through.
    pub fn search(
        &self,
        query: &str,
        limit: usize,
        spaces: &[String],
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Value, Error> {
        let configured = &self.settings.spaces_filter;
        let effective: Vec<String> = if spaces.is_empty() {
            configured.clone()
        } else if configured.is_empty() {
            spaces.to_vec()
        } else {
            let both: Vec<String> = spaces
                .iter()
                .filter(|s| configured.iter().any(|c| c.eq_ignore_ascii_case(s)))
                .cloned()
                .collect();
            if both.is_empty() {
                return Err(Error::SpaceNotAllowed {
                    space: spaces.join(", "),
                    allowed: configured.clone(),
                });
            }
            both
        };
        let base = if is_cql(query) {
            query.to_string()
        } else {
            match self.deployment() {
                Deployment::Cloud => format!("siteSearch ~ {}", quote(query)),
                Deployment::ServerDc => format!("text ~ {}", quote(query)),
            }
        };
        let cql = restrict(&base, "space", &effective).map_err(|problem| Error::Invalid {
            param: "query",
            problem,
        })?;
        let limit = limit.clamp(1, 50);
        let page = self
            .client
            .get("/rest/api/search")
            .query("cql", &cql)
            .query("limit", limit)
            .query("expand", "content.space,content.version")
            .cancel_when(cancelled)
            .send_json()?;
        let results: Vec<Value> = page
            .get("results")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .map(|r| self.hit(r))
            .filter(|h| {
                h.pointer("/space/key")
                    .and_then(Value::as_str)
                    .is_none_or(|k| self.space_allowed(k))
                    || configured.is_empty()
            })
            .collect();
        Ok(json!({"cql": cql, "results": results}))
    }

    pub(super) fn absolute(&self, link: Option<&Value>) -> Option<Value> {
        let l = link?.as_str()?;
        Some(json!(if l.starts_with("http") {
            l.to_string()
        } else {
            format!("{}{l}", self.site_url())
        }))
    }

    /// One `/rest/api/search` hit, the same keys on both deployments.
    fn hit(&self, r: &Value) -> Value {
        let content = r.get("content").unwrap_or(&Value::Null);
        let space_key = content
            .pointer("/space/key")
            .or_else(|| r.pointer("/space/key"))
            .cloned()
            .or_else(|| {
                // `resultGlobalContainer.displayUrl` is `/spaces/KEY` (or `/display/KEY`).
                r.pointer("/resultGlobalContainer/displayUrl")
                    .and_then(Value::as_str)
                    .and_then(|u| u.trim_end_matches('/').rsplit('/').next())
                    .map(|k| json!(k))
            });
        let space_name = content
            .pointer("/space/name")
            .or_else(|| r.pointer("/resultGlobalContainer/title"))
            .cloned();
        json!({
            "id": content.get("id"),
            "title": content.get("title").or_else(|| r.get("title")),
            "type": content.get("type").or_else(|| r.get("entityType")),
            "space": {"key": space_key, "name": space_name},
            "url": self.absolute(r.get("url").or_else(|| content.pointer("/_links/webui"))),
            "excerpt": r.get("excerpt").and_then(Value::as_str)
                .map(|e| e.replace("@@@hl@@@", "").replace("@@@endhl@@@", "")),
            "version": content.pointer("/version/number"),
            "last_modified": r.get("lastModified").or_else(|| content.pointer("/version/when")),
        })
    }

    /// Cloud: space (key, name) from its id, cached.
    pub(super) fn space_by_id(
        &self,
        id: &str,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<(String, String), Error> {
        self.cache.spaces.get_or_try(&format!("id:{id}"), || {
            let s = self
                .client
                .get(&format!("/api/v2/spaces/{}", segment(id)))
                .cancel_when(cancelled)
                .send_json()?;
            Ok::<_, Error>((
                s.get("key")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string(),
                s.get("name")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string(),
            ))
        })
    }

    /// Cloud: space id from its key, cached.
    pub(super) fn space_id(
        &self,
        key: &str,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<String, Error> {
        self.cache
            .spaces
            .get_or_try(&format!("key:{key}"), || {
                let page = self
                    .client
                    .get("/api/v2/spaces")
                    .query("keys", key)
                    .cancel_when(cancelled)
                    .send_json()?;
                let id = page
                    .pointer("/results/0/id")
                    .map(id_text)
                    .ok_or_else(|| Error::NotFound(format!("no space with key {key}")))?;
                Ok::<_, Error>((id, String::new()))
            })
            .map(|(id, _)| id)
    }

    pub(super) fn body_text(&self, storage: &str, markdown: bool) -> String {
        if markdown {
            convert::storage_to_markdown(storage).trim_end().to_string()
        } else {
            storage.to_string()
        }
    }

    /// Cloud: a page by id, or the blog post with that id (v2 serves them apart; search finds
    /// both, so an id from a search result must work either way).
    pub(super) fn cloud_content(
        &self,
        id: &str,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Value, Error> {
        let get = |kind: &str| {
            self.client
                .get(&format!("/api/v2/{kind}/{}", segment(id)))
                .query("body-format", "storage")
                .cancel_when(cancelled)
                .send_json()
        };
        match get("pages") {
            Err(e) if e.status() == Some(404) => {
                let mut post = get("blogposts").map_err(|_| e)?;
                post["type"] = json!("blogpost");
                self.remember_blog(id);
                Ok(post)
            }
            other => Ok(other?),
        }
    }

    /// One page with its body, by id or by space and title.
    pub fn get_page(
        &self,
        req: &GetPage<'_>,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Value, Error> {
        match req.page {
            PageRef::Title { space_key, .. } => self.check_space(space_key)?,
            // A page seen before is refused without asking Confluence again.
            PageRef::Id(id) => {
                if let Some(space) = self.cache.page_spaces.get(id) {
                    self.check_space(&space)?;
                }
            }
        }
        let (raw, space_key, space_name) = match self.deployment() {
            Deployment::Cloud => {
                let raw = match req.page {
                    PageRef::Id(id) => self.cloud_content(id, cancelled)?,
                    PageRef::Title { space_key, title } => {
                        let space_id = self.space_id(space_key, cancelled)?;
                        let page = self
                            .client
                            .get("/api/v2/pages")
                            .query("space-id", &space_id)
                            .query("title", title)
                            .query("body-format", "storage")
                            .cancel_when(cancelled)
                            .send_json()?;
                        first_page(&page, space_key, title)?
                    }
                };
                let space_id = raw.get("spaceId").map(id_text).unwrap_or_default();
                let (key, name) = self.space_by_id(&space_id, cancelled)?;
                (raw, key, name)
            }
            Deployment::ServerDc => {
                let expand = "body.storage,version,space,ancestors";
                let raw = match req.page {
                    PageRef::Id(id) => self
                        .client
                        .get(&format!("/rest/api/content/{}", segment(id)))
                        .query("expand", expand)
                        .cancel_when(cancelled)
                        .send_json()?,
                    PageRef::Title { space_key, title } => {
                        let page = self
                            .client
                            .get("/rest/api/content")
                            .query("spaceKey", space_key)
                            .query("title", title)
                            .query("expand", expand)
                            .cancel_when(cancelled)
                            .send_json()?;
                        first_page(&page, space_key, title)?
                    }
                };
                let key = raw
                    .pointer("/space/key")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string();
                let name = raw
                    .pointer("/space/name")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string();
                (raw, key, name)
            }
        };
        if let Some(id) = raw.get("id") {
            self.cache
                .page_spaces
                .insert(&id_text(id), space_key.clone());
        }
        self.check_space(&space_key)?;
        let storage = raw
            .pointer("/body/storage/value")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let content = self.body_text(storage, req.convert_to_markdown);
        if !req.include_metadata {
            return Ok(json!({"content": content}));
        }
        let mut out = Map::new();
        let mut put = |k: &str, v: Option<Value>| {
            if let Some(v) = v.filter(|v| !v.is_null() && v.as_str() != Some("")) {
                out.insert(k.to_string(), v);
            }
        };
        put("id", raw.get("id").cloned());
        put("title", raw.get("title").cloned());
        put("type", raw.get("type").cloned().or(Some(json!("page"))));
        put("space", Some(json!({"key": space_key, "name": space_name})));
        put("version", raw.pointer("/version/number").cloned());
        put(
            "created",
            raw.get("createdAt")
                .or_else(|| raw.pointer("/history/createdDate"))
                .cloned(),
        );
        put(
            "updated",
            raw.pointer("/version/createdAt")
                .or_else(|| raw.pointer("/version/when"))
                .cloned(),
        );
        put(
            "parent_id",
            raw.get("parentId").cloned().or_else(|| {
                raw.pointer("/ancestors")
                    .and_then(Value::as_array)
                    .and_then(|a| a.last())
                    .and_then(|a| a.get("id"))
                    .cloned()
            }),
        );
        put("url", self.absolute(raw.pointer("/_links/webui")));
        put(
            "format",
            Some(json!(if req.convert_to_markdown {
                "markdown"
            } else {
                "storage"
            })),
        );
        out.insert("content".into(), json!(content));
        Ok(Value::Object(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cql_detection() {
        assert!(is_cql("space = DEV AND type = page"));
        assert!(is_cql("title ~ \"runbook\""));
        assert!(!is_cql("deployment runbook"));
        assert!(!is_cql("how to rotate keys"));
        assert!(!is_cql("salt and pepper"));
        assert!(!is_cql("black or white"));
        assert!(!is_cql("\"a = b\" in quotes"));
        assert!(is_cql("space in (DEV, OPS)"));
        assert!(is_cql("lastmodified > now(\"-7d\")"));
    }
}

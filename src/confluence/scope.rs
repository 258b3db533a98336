//! Which space a page, comment or attachment lies in, so the space filter is checked before any
//! request acts on it (ids are resolved once and remembered per site), and the list helper every
//! Confluence list goes through (v2 cursors on Cloud, `start`/`limit` offsets on v1 and
//! Server/DC).

use serde_json::{Value, json};

use super::pages::id_text;
use super::{Confluence, Error};
use crate::atlassian::paging::{self, Paging, Position, Style};
use crate::atlassian::{Deployment, segment};
use crate::convert::{self, Format, Options};

/// What to call on each page of a list: (items so far, items wanted).
pub type OnPage<'a> = &'a dyn Fn(usize, usize);

/// No progress reporting.
pub fn quiet(_: usize, _: usize) {}

impl Confluence {
    /// True when a space filter is configured.
    pub(super) fn filtered(&self) -> bool {
        !self.settings.spaces_filter.is_empty()
    }

    pub(super) fn cloud(&self) -> bool {
        self.deployment() == Deployment::Cloud
    }

    /// True when calls go through Atlassian's API gateway (`/ex/confluence/{cloudId}`: OAuth and
    /// scoped tokens), where the Confluence v1 endpoints that v2 replaced answer 410 Gone.
    pub fn via_gateway(&self) -> bool {
        self.cloud() && self.site_url().contains("/ex/confluence/")
    }

    /// Remember that Cloud content `id` is a blog post (v2 serves pages and blog posts apart).
    pub(super) fn remember_blog(&self, id: &str) {
        self.cache.blogs.insert(id, String::new());
    }

    /// The v2 collection of Cloud content `id` as far as known: `blogposts` for a blog post seen
    /// before, else `pages`.
    pub(super) fn v2_owner(&self, id: &str) -> &'static str {
        if self.cache.blogs.get(id).is_some() {
            "blogposts"
        } else {
            "pages"
        }
    }

    /// A Cloud v2 list under content `id` (`/pages/{id}/{sub}`, or `/blogposts/{id}/{sub}` when
    /// the id is a blog post's: a 404 for the page form is tried once as a blog post).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn v2_list_under(
        &self,
        id: &str,
        sub: &str,
        query: &[(&str, String)],
        skip: usize,
        want: usize,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<(Vec<Value>, bool), Error> {
        let at = |owner: &str| format!("/api/v2/{owner}/{}/{sub}", segment(id));
        let owner = self.v2_owner(id);
        match self.list(&at(owner), query, skip, want, 250, cancelled, &quiet) {
            Err(Error::Http(e)) if e.status() == Some(404) && owner == "pages" => {
                let got = self
                    .list(&at("blogposts"), query, skip, want, 250, cancelled, &quiet)
                    .map_err(|_| Error::Http(e))?;
                self.remember_blog(id);
                Ok(got)
            }
            other => other,
        }
    }

    /// Converter options for this deployment (how mentions are written).
    pub(super) fn convert_options(&self) -> Options {
        if self.cloud() {
            Options::default()
        } else {
            Options::server()
        }
    }

    /// Caller text in `format` (markdown, wiki or storage) as storage XHTML.
    pub(super) fn to_storage(&self, text: &str, format: &str) -> Result<String, Error> {
        let format: Format = format
            .parse()
            .map_err(|e: convert::ConvertError| Error::Invalid {
                param: "content_format",
                problem: e.to_string(),
            })?;
        match format {
            Format::Storage => Ok(text.to_string()),
            Format::Markdown | Format::Wiki => {
                convert::convert(text, format, Format::Storage, &self.convert_options()).map_err(
                    |e| Error::Invalid {
                        param: "content_format",
                        problem: e.to_string(),
                    },
                )
            }
            Format::Adf => Err(Error::Invalid {
                param: "content_format",
                problem: "use markdown, wiki or storage".into(),
            }),
        }
    }

    /// Remember the space of content `id`.
    pub(super) fn remember_space(&self, id: &str, space_key: &str) {
        if !id.is_empty() && !space_key.is_empty() {
            self.cache.page_spaces.insert(id, space_key.to_string());
        }
    }

    /// The space key of a page or blog post, from the cache or one request.
    pub fn page_space(&self, id: &str, cancelled: &dyn Fn() -> bool) -> Result<String, Error> {
        self.cache.page_spaces.get_or_try(id, || {
            if self.cloud() {
                let get = |kind: &str| {
                    self.client
                        .get(&format!("/api/v2/{kind}/{}", segment(id)))
                        .cancel_when(cancelled)
                        .send_json()
                };
                let raw = match get("pages") {
                    Err(e) if e.status() == Some(404) => {
                        let post = get("blogposts").map_err(|_| e)?;
                        self.remember_blog(id);
                        post
                    }
                    other => other?,
                };
                let space_id = raw.get("spaceId").map(id_text).unwrap_or_default();
                Ok(self.space_by_id(&space_id, cancelled)?.0)
            } else {
                let raw = self
                    .client
                    .get(&format!("/rest/api/content/{}", segment(id)))
                    .query("expand", "space")
                    .cancel_when(cancelled)
                    .send_json()?;
                Ok::<_, Error>(text(&raw, "/space/key"))
            }
        })
    }

    /// Refuse a page outside the space filter (no request when no filter is set).
    pub fn check_page(&self, id: &str, cancelled: &dyn Fn() -> bool) -> Result<(), Error> {
        if !self.filtered() {
            return Ok(());
        }
        let space = self.page_space(id, cancelled)?;
        self.check_space(&space)
    }

    /// Collect up to `want` items of a list: `/api/v2/...` paths page by cursor, the others by
    /// `start`/`limit` (the last page is the one without `_links.next`). `skip` items are
    /// passed over first (the reference's `start` on a cursor API).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn list(
        &self,
        path: &str,
        query: &[(&str, String)],
        skip: usize,
        want: usize,
        page_size: usize,
        cancelled: &dyn Fn() -> bool,
        on_page: OnPage<'_>,
    ) -> Result<(Vec<Value>, bool), Error> {
        let cursor = path.starts_with("/api/v2/");
        let (style, start, skip_after) = if cursor {
            (Style::Cursor, Position::Token(None), skip)
        } else {
            (Style::Offset, Position::Offset(skip), 0)
        };
        let mut fetch = |pos: &Position, size: usize| -> Result<Value, Error> {
            let mut req = self.client.get(path).cancel_when(cancelled);
            for (k, v) in query {
                req = req.query(k, v);
            }
            req = req.query("limit", size);
            match pos {
                Position::Offset(n) => req = req.query("start", n),
                Position::Token(Some(c)) => req = req.query("cursor", c),
                Position::Token(None) => {}
            }
            let mut page = req.send_json()?;
            if !cursor && page.pointer("/_links/next").is_none() {
                page["isLast"] = json!(true);
            }
            Ok(page)
        };
        let got = paging::collect(
            Paging {
                style,
                start,
                want: want + skip_after,
                page_size,
                items_key: "results",
            },
            &mut fetch,
            cancelled,
            on_page,
        )?;
        let more = got.next.is_some();
        Ok((got.items.into_iter().skip(skip_after).collect(), more))
    }

    /// A page's title and space on Cloud (v2, pages then blog posts).
    pub(super) fn cloud_meta(
        &self,
        id: &str,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Value, Error> {
        let get = |kind: &str| {
            self.client
                .get(&format!("/api/v2/{kind}/{}", segment(id)))
                .cancel_when(cancelled)
                .send_json()
        };
        let raw = match get("pages") {
            Err(e) if e.status() == Some(404) => {
                let mut post = get("blogposts").map_err(|_| e)?;
                post["type"] = json!("blogpost");
                self.remember_blog(id);
                post
            }
            other => other?,
        };
        let space_id = raw.get("spaceId").map(id_text).unwrap_or_default();
        let key = self.space_by_id(&space_id, cancelled)?.0;
        self.remember_space(id, &key);
        Ok(raw)
    }
}

/// The text at `ptr` (`""` when absent; numbers as their digits).
pub fn text(v: &Value, ptr: &str) -> String {
    v.pointer(ptr)
        .filter(|x| !x.is_null())
        .map(id_text)
        .unwrap_or_default()
}

/// The `results` array of a list answer.
pub fn results(v: &Value) -> Vec<Value> {
    v.get("results")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

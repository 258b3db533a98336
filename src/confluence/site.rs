//! Operations around pages: move and copy (space filter on source and target), user search
//! (Cloud CQL; Server/DC members of a group filtered here), and the Cloud-only page views,
//! permission checks, space permissions and page templates.

use serde_json::{Value, json};

use super::pages::is_cql;
use super::people::person;
use super::scope::{results, text};
use super::write::{Body, Look, NewPage};
use super::{Confluence, Error};
use crate::atlassian::segment;

fn quote(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

impl Confluence {
    /// The home page id of a space.
    fn homepage(&self, key: &str, cancelled: &dyn Fn() -> bool) -> Result<String, Error> {
        let id = if self.cloud() {
            let page = self
                .client
                .get("/api/v2/spaces")
                .query("keys", key)
                .cancel_when(cancelled)
                .send_json()?;
            text(&page, "/results/0/homepageId")
        } else {
            let s = self
                .client
                .get(&format!("/rest/api/space/{}", segment(key)))
                .query("expand", "homepage")
                .cancel_when(cancelled)
                .send_json()?;
            text(&s, "/homepage/id")
        };
        if id.is_empty() {
            return Err(Error::NotFound(format!(
                "space {key} has no home page to move under"
            )));
        }
        Ok(id)
    }

    /// Server/DC has no move operation (nor has Cloud through the API gateway): the page is saved
    /// again (body unchanged) under its new parent, the target for `append`, the target's parent
    /// for `before`/`after`.
    fn move_by_parent(
        &self,
        id: &str,
        target: &str,
        space: &str,
        position: &str,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<(), Error> {
        let parent = if position == "append" {
            target.to_string()
        } else {
            let t = self
                .client
                .get(&format!("/rest/api/content/{}", segment(target)))
                .query("expand", "ancestors")
                .cancel_when(cancelled)
                .send_json()?;
            t.get("ancestors")
                .and_then(Value::as_array)
                .and_then(|a| a.last())
                .map(|a| text(a, "/id"))
                .ok_or_else(|| Error::Invalid {
                    param: "position",
                    problem: format!("page {target} has no parent to place a sibling under"),
                })?
        };
        let mut cur = self.current(id, cancelled)?;
        if !cur.space_key.eq_ignore_ascii_case(space) {
            return Err(Error::Invalid {
                param: "target_space_key",
                problem: if self.cloud() {
                    "through Atlassian's API gateway a page cannot move to another space (v1 move answers 410 Gone there)".into()
                } else {
                    "moving a page to another space needs Confluence Cloud".into()
                },
            });
        }
        let (title, storage) = (cur.title.clone(), cur.storage.clone());
        self.put_page(
            &mut cur,
            &title,
            &storage,
            Some(&parent),
            true,
            None,
            cancelled,
        )
    }

    /// Move a page under another page (`append`) or next to one (`before`, `after`), or to the
    /// top of a space (under its home page).
    pub fn move_page(
        &self,
        id: &str,
        target_parent: Option<&str>,
        target_space: Option<&str>,
        position: &str,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Value, Error> {
        self.check_page(id, cancelled)?;
        let (target, space) = match (target_parent, target_space) {
            (Some(t), _) => {
                let space = self.page_space(t, cancelled)?;
                self.check_space(&space)?;
                if let Some(s) = target_space.filter(|s| !s.eq_ignore_ascii_case(&space)) {
                    return Err(Error::Invalid {
                        param: "target_space_key",
                        problem: format!("page {t} is in space {space}, not {s}"),
                    });
                }
                (t.to_string(), space)
            }
            (None, Some(s)) => {
                self.check_space(s)?;
                if position != "append" {
                    return Err(Error::Invalid {
                        param: "position",
                        problem: "moving to a space takes position append".into(),
                    });
                }
                (self.homepage(s, cancelled)?, s.to_string())
            }
            (None, None) => {
                return Err(Error::Invalid {
                    param: "target_parent_id",
                    problem: "give target_parent_id, target_space_key or both".into(),
                });
            }
        };
        if target == id {
            return Err(Error::Invalid {
                param: "target_parent_id",
                problem: "a page cannot move relative to itself".into(),
            });
        }
        if self.via_gateway() {
            // The gateway no longer serves v1's move; v2 can only give the page a new parent.
            if position != "append" {
                return Err(Error::Invalid {
                    param: "position",
                    problem:
                        "through Atlassian's API gateway (OAuth or scoped token) Confluence's \
                        v1 move answers 410 Gone and v2 cannot place a page before or after \
                        another; use position append (re-parenting through v2), or an API token \
                        on the site URL"
                            .into(),
                });
            }
            self.move_by_parent(id, &target, &space, position, cancelled)?;
        } else if self.cloud() {
            self.client
                .put(&format!(
                    "/rest/api/content/{}/move/{}/{}",
                    segment(id),
                    segment(position),
                    segment(&target)
                ))
                .cancel_when(cancelled)
                .send()?;
        } else {
            self.move_by_parent(id, &target, &space, position, cancelled)?;
        }
        self.remember_space(id, &space);
        Ok(
            json!({"message": "page moved", "page_id": id, "position": position, "target_id": target, "space": space}),
        )
    }

    /// Copy a page (Cloud: Confluence's own copy, attachments included when asked; Server/DC and
    /// Cloud through the API gateway: the body is copied into a new page, attachments are not).
    pub fn copy_page(
        &self,
        source: &str,
        space: &str,
        title: &str,
        parent: Option<&str>,
        attachments: bool,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Value, Error> {
        self.check_page(source, cancelled)?;
        self.check_space(space)?;
        if self.cloud() && !self.via_gateway() {
            if let Some(p) = parent {
                let s = self.page_space(p, cancelled)?;
                if !s.eq_ignore_ascii_case(space) {
                    return Err(Error::Invalid {
                        param: "destination_parent_id",
                        problem: format!("page {p} is in space {s}, not {space}"),
                    });
                }
            }
            let destination = match parent {
                Some(p) => json!({"type": "parent_page", "value": p}),
                None => json!({"type": "space", "value": space}),
            };
            let raw = self
                .client
                .post(&format!("/rest/api/content/{}/copy", segment(source)))
                .json(json!({"copyAttachments": attachments, "copyLabels": true, "destination": destination, "pageTitle": title}))
                .cancel_when(cancelled)
                .send_json()?;
            let id = text(&raw, "/id");
            self.remember_space(&id, space);
            return Ok(json!({"message": "page copied", "source_id": source,
                "page": {"id": id, "title": text(&raw, "/title"), "space": space,
                    "url": self.absolute(raw.pointer("/_links/webui"))},
                "attachments_copied": attachments}));
        }
        let cur = self.current(source, cancelled)?;
        let mut out = self.create_page(
            &NewPage {
                space_key: space,
                title,
                body: Body {
                    text: &cur.storage,
                    format: "storage",
                },
                parent_id: parent,
                look: Look::default(),
                include_content: false,
                subtype: None,
            },
            cancelled,
        )?;
        out["message"] = json!("page copied");
        out["source_id"] = json!(source);
        out["attachments_copied"] = json!(false);
        if attachments {
            out["note"] = json!(if self.cloud() {
                "through Atlassian's API gateway Confluence's v1 copy answers 410 Gone: the body was copied through v2, attachments and labels were not"
            } else {
                "Server/Data Center has no copy operation: the body was copied, attachments were not"
            });
        }
        Ok(out)
    }

    /// Users matching `query` (CQL, or words matched against names).
    pub fn search_users(
        &self,
        query: &str,
        limit: usize,
        group: &str,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Value, Error> {
        let words = query.trim();
        if words.is_empty() {
            return Err(Error::Invalid {
                param: "query",
                problem: "must not be empty".into(),
            });
        }
        let users: Vec<Value> = if self.cloud() {
            let cql = if is_cql(words) {
                words.to_string()
            } else {
                format!("user.fullname ~ {}", quote(words))
            };
            let page = self
                .client
                .get("/rest/api/search/user")
                .query("cql", &cql)
                .query("limit", limit)
                .cancel_when(cancelled)
                .send_json()?;
            results(&page)
                .iter()
                .map(|r| person(r.get("user").unwrap_or(r)))
                .collect()
        } else {
            // Server/DC has no user search: a CQL query's quoted value, else the words, matched
            // against the members of `group`.
            let needle = if is_cql(words) {
                words.split('"').nth(1).unwrap_or(words).to_lowercase()
            } else {
                words.to_lowercase()
            };
            let (members, _) = self.list(
                &format!("/rest/api/group/{}/member", segment(group)),
                &[],
                0,
                2000,
                200,
                cancelled,
                &super::scope::quiet,
            )?;
            members
                .iter()
                .map(person)
                .filter(|u| {
                    ["display_name", "username", "email"].iter().any(|k| {
                        u.get(*k)
                            .and_then(Value::as_str)
                            .is_some_and(|v| v.to_lowercase().contains(&needle))
                    })
                })
                .take(limit)
                .collect()
        };
        Ok(json!({"query": words, "count": users.len(), "users": users}))
    }

    /// Cloud: how often a page was viewed.
    pub fn page_views(
        &self,
        id: &str,
        include_title: bool,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Value, Error> {
        let meta = if include_title || self.filtered() {
            Some(self.cloud_meta(id, cancelled)?)
        } else {
            None
        };
        self.check_page(id, cancelled)?;
        let raw = self
            .client
            .get(&format!(
                "/rest/api/analytics/content/{}/views",
                segment(id)
            ))
            .cancel_when(cancelled)
            .send_json()?;
        let mut out = json!({"page_id": id, "views": raw.get("count")});
        if include_title {
            out["title"] = json!(meta.map(|m| text(&m, "/title")));
        }
        Ok(out)
    }

    /// Cloud: may this user (or group) read, update or delete the content?
    pub fn check_permission(
        &self,
        id: &str,
        who: &str,
        kind: &str,
        operation: &str,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Value, Error> {
        self.check_page(id, cancelled)?;
        let raw = self
            .client
            .post(&format!(
                "/rest/api/content/{}/permission/check",
                segment(id)
            ))
            .json(json!({"subject": {"type": kind, "identifier": who}, "operation": operation}))
            .cancel_when(cancelled)
            .send_json()?;
        let errors: Vec<Value> = raw
            .get("errors")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|e| {
                e.pointer("/message/translation")
                    .or_else(|| e.get("message"))
                    .cloned()
                    .unwrap_or(Value::Null)
            })
            .collect();
        Ok(
            json!({"content_id": id, "subject": {"type": kind, "identifier": who}, "operation": operation,
            "has_permission": raw.get("hasPermission"), "errors": errors}),
        )
    }

    /// Cloud: the permission assignments of a space, one page of them.
    pub fn space_permissions(
        &self,
        space_id: &str,
        limit: usize,
        cursor: Option<&str>,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Value, Error> {
        let (key, name) = self.space_by_id(space_id, cancelled)?;
        self.check_space(&key)?;
        let mut q = self
            .client
            .get(&format!("/api/v2/spaces/{}/permissions", segment(space_id)))
            .query("limit", limit.clamp(1, 250))
            .cancel_when(cancelled);
        if let Some(c) = cursor {
            q = q.query("cursor", c);
        }
        let page = q.send_json()?;
        let list: Vec<Value> = results(&page)
            .iter()
            .map(|p| json!({"principal": {"type": text(p, "/principal/type"), "id": text(p, "/principal/id")},
                "operation": text(p, "/operation/key"), "target": text(p, "/operation/targetType")}))
            .collect();
        let next = page
            .pointer("/_links/next")
            .and_then(Value::as_str)
            .and_then(crate::atlassian::paging::cursor_of);
        Ok(
            json!({"space": {"id": space_id, "key": key, "name": name}, "count": list.len(), "permissions": list, "next_cursor": next}),
        )
    }

    fn template_summary(&self, t: &Value) -> Value {
        let labels: Vec<String> = t
            .get("labels")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|l| text(l, "/name"))
            .collect();
        json!({"id": text(t, "/templateId"), "name": text(t, "/name"), "description": text(t, "/description"),
            "space": text(t, "/space/key"), "labels": labels})
    }

    /// Cloud: page templates, global and (with a key) of one space.
    pub fn templates(
        &self,
        space: Option<&str>,
        limit: usize,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Value, Error> {
        let mut q = self
            .client
            .get("/rest/api/template/page")
            .query("limit", limit)
            .cancel_when(cancelled);
        if let Some(k) = space {
            self.check_space(k)?;
            q = q.query("spaceKey", k);
        }
        let page = q.send_json()?;
        let list: Vec<Value> = results(&page)
            .iter()
            .filter(|t| {
                let k = text(t, "/space/key");
                k.is_empty() || self.space_allowed(&k)
            })
            .map(|t| self.template_summary(t))
            .collect();
        Ok(json!({"count": list.len(), "templates": list}))
    }

    fn template_raw(&self, id: &str, cancelled: &dyn Fn() -> bool) -> Result<Value, Error> {
        let t = self
            .client
            .get(&format!("/rest/api/template/{}", segment(id)))
            .cancel_when(cancelled)
            .send_json()?;
        let k = text(&t, "/space/key");
        if !k.is_empty() {
            self.check_space(&k)?;
        }
        Ok(t)
    }

    /// Cloud: one template with its body as Markdown.
    pub fn template(&self, id: &str, cancelled: &dyn Fn() -> bool) -> Result<Value, Error> {
        let t = self.template_raw(id, cancelled)?;
        let mut out = self.template_summary(&t);
        out["content"] = json!(self.body_text(&text(&t, "/body/storage/value"), true));
        Ok(out)
    }

    /// Cloud: a new page with a template's body (kept as stored, macros included).
    pub fn create_from_template(
        &self,
        space: &str,
        title: &str,
        template: &str,
        parent: Option<&str>,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Value, Error> {
        self.check_space(space)?;
        let t = self.template_raw(template, cancelled)?;
        let storage = text(&t, "/body/storage/value");
        let mut out = self.create_page(
            &NewPage {
                space_key: space,
                title,
                body: Body {
                    text: &storage,
                    format: "storage",
                },
                parent_id: parent,
                look: Look::default(),
                include_content: false,
                subtype: None,
            },
            cancelled,
        )?;
        out["template"] = json!({"id": template, "name": text(&t, "/name")});
        Ok(out)
    }
}

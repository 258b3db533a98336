//! Page hierarchy: the direct children of a page (Cloud v2 `direct-children`, which also lists
//! folders; Server/DC `child/page`), and a space's whole page tree as a flat list with depth and
//! parent, bounded, with progress per page of results.

use std::collections::HashMap;

use serde_json::{Value, json};

use super::scope::{OnPage, results, text};
use super::{Confluence, Error};
use crate::atlassian::segment;

/// Arguments of "children of a page".
#[derive(Debug, Clone)]
pub struct Children<'a> {
    pub parent_id: &'a str,
    /// Server/DC expansions (Cloud v2 has none).
    pub expand: &'a str,
    pub limit: usize,
    pub start: usize,
    pub include_content: bool,
    pub convert_to_markdown: bool,
    pub include_folders: bool,
}

impl Confluence {
    /// The direct children of a page.
    pub fn children(
        &self,
        req: &Children<'_>,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Value, Error> {
        self.check_page(req.parent_id, cancelled)?;
        let mut out = Vec::new();
        let more;
        if self.cloud() {
            let (items, m) = self.list(
                &format!("/api/v2/pages/{}/direct-children", segment(req.parent_id)),
                &[],
                req.start,
                req.limit,
                250,
                cancelled,
                &super::scope::quiet,
            )?;
            more = m;
            let items: Vec<Value> = items
                .into_iter()
                .filter(|c| req.include_folders || text(c, "/type") != "folder")
                .collect();
            let ids: Vec<String> = items
                .iter()
                .filter(|c| matches!(text(c, "/type").as_str(), "" | "page"))
                .map(|c| text(c, "/id"))
                .collect();
            let mut full: HashMap<String, Value> = HashMap::new();
            if !ids.is_empty() {
                let mut q = self
                    .client
                    .get("/api/v2/pages")
                    .query("id", ids.join(","))
                    .query("limit", ids.len().clamp(1, 250))
                    .cancel_when(cancelled);
                if req.include_content {
                    q = q.query("body-format", "storage");
                }
                for p in results(&q.send_json()?) {
                    full.insert(text(&p, "/id"), p);
                }
            }
            for c in items {
                let id = text(&c, "/id");
                let p = full.get(&id).unwrap_or(&c);
                let mut child = json!({
                    "id": id, "title": text(&c, "/title"),
                    "type": c.get("type").cloned().unwrap_or(json!("page")),
                    "version": p.pointer("/version/number"),
                    "updated": p.pointer("/version/createdAt"),
                    "url": self.absolute(p.pointer("/_links/webui")),
                });
                if req.include_content {
                    child["content"] = json!(
                        self.body_text(&text(p, "/body/storage/value"), req.convert_to_markdown)
                    );
                }
                out.push(child);
            }
        } else {
            let mut expand: Vec<&str> = req
                .expand
                .split(',')
                .map(str::trim)
                .filter(|e| !e.is_empty())
                .collect();
            if req.include_content {
                expand.push("body.storage");
            }
            if !expand.contains(&"version") {
                expand.push("version");
            }
            let (items, m) = self.list(
                &format!("/rest/api/content/{}/child/page", segment(req.parent_id)),
                &[("expand", expand.join(","))],
                req.start,
                req.limit,
                200,
                cancelled,
                &super::scope::quiet,
            )?;
            more = m;
            for c in items {
                let mut child = json!({
                    "id": text(&c, "/id"), "title": text(&c, "/title"), "type": text(&c, "/type"),
                    "version": c.pointer("/version/number"),
                    "updated": c.pointer("/version/when"),
                    "url": self.absolute(c.pointer("/_links/webui")),
                });
                if req.include_content {
                    child["content"] = json!(
                        self.body_text(&text(&c, "/body/storage/value"), req.convert_to_markdown)
                    );
                }
                out.push(child);
            }
        }
        Ok(
            json!({"parent_id": req.parent_id, "count": out.len(), "children": out, "has_more": more}),
        )
    }

    /// Every page of a space (up to `limit`) as a flat list in tree order with depth and parent.
    pub fn space_tree(
        &self,
        space_key: &str,
        limit: usize,
        cancelled: &dyn Fn() -> bool,
        on_page: OnPage<'_>,
    ) -> Result<Value, Error> {
        self.check_space(space_key)?;
        // (id, title, parent id, position)
        let mut pages: Vec<(String, String, String, i64)> = Vec::new();
        let truncated;
        if self.cloud() {
            let space_id = self.space_id(space_key, cancelled)?;
            let (items, more) = self.list(
                &format!("/api/v2/spaces/{}/pages", segment(&space_id)),
                &[("depth", "all".into()), ("status", "current".into())],
                0,
                limit,
                250,
                cancelled,
                on_page,
            )?;
            truncated = more;
            for p in items {
                pages.push((
                    text(&p, "/id"),
                    text(&p, "/title"),
                    text(&p, "/parentId"),
                    p.get("position").and_then(Value::as_i64).unwrap_or(0),
                ));
            }
        } else {
            let (items, more) = self.list(
                &format!("/rest/api/space/{}/content/page", segment(space_key)),
                &[("expand", "ancestors".into())],
                0,
                limit,
                200,
                cancelled,
                on_page,
            )?;
            truncated = more;
            for (i, p) in items.iter().enumerate() {
                let parent = p
                    .get("ancestors")
                    .and_then(Value::as_array)
                    .and_then(|a| a.last())
                    .map(|a| text(a, "/id"))
                    .unwrap_or_default();
                pages.push((text(p, "/id"), text(p, "/title"), parent, i as i64));
            }
        }
        for (id, ..) in &pages {
            self.remember_space(id, space_key);
        }
        // Tree order: roots (no parent in the list) first, each followed by its subtree.
        let known: HashMap<&str, usize> = pages
            .iter()
            .enumerate()
            .map(|(i, p)| (p.0.as_str(), i))
            .collect();
        let mut kids: HashMap<&str, Vec<usize>> = HashMap::new();
        let mut roots = Vec::new();
        for (i, p) in pages.iter().enumerate() {
            if known.contains_key(p.2.as_str()) {
                kids.entry(p.2.as_str()).or_default().push(i);
            } else {
                roots.push(i);
            }
        }
        let by_position = |v: &mut Vec<usize>| {
            v.sort_by_key(|i| (pages[*i].3, pages[*i].0.parse::<u64>().unwrap_or(0)))
        };
        by_position(&mut roots);
        for v in kids.values_mut() {
            by_position(v);
        }
        let mut flat = Vec::with_capacity(pages.len());
        let mut stack: Vec<(usize, usize)> = roots.iter().rev().map(|i| (*i, 0)).collect();
        while let Some((i, depth)) = stack.pop() {
            let (id, title, parent, _) = &pages[i];
            flat.push(json!({"id": id, "title": title, "depth": depth, "parent_id": parent}));
            if let Some(children) = kids.get(id.as_str()) {
                stack.extend(children.iter().rev().map(|c| (*c, depth + 1)));
            }
        }
        Ok(
            json!({"space_key": space_key, "count": flat.len(), "truncated": truncated, "pages": flat}),
        )
    }
}

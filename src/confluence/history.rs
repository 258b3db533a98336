//! Page history: one earlier version with its body (Cloud v2 `?version=`, Server/DC
//! `?status=historical&version=`), and the changes between two versions as a unified diff of their Markdown.

use serde_json::{Value, json};

use super::diff::unified;
use super::scope::text;
use super::{Confluence, Error};
use crate::atlassian::segment;

impl Confluence {
    /// Version `n` of a page: (title, storage, facts about the version).
    fn version(
        &self,
        id: &str,
        n: u64,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<(String, String, Value), Error> {
        if self.cloud() {
            let raw = self
                .client
                .get(&format!("/api/v2/pages/{}", segment(id)))
                .query("version", n)
                .query("body-format", "storage")
                .cancel_when(cancelled)
                .send_json()?;
            let key = self.space_by_id(&text(&raw, "/spaceId"), cancelled)?.0;
            self.remember_space(id, &key);
            self.check_space(&key)?;
            let who = text(&raw, "/version/authorId");
            let name = self
                .names(std::slice::from_ref(&who), cancelled)
                .remove(&who)
                .unwrap_or(who);
            Ok((
                text(&raw, "/title"),
                text(&raw, "/body/storage/value"),
                json!({"number": raw.pointer("/version/number"), "when": raw.pointer("/version/createdAt"),
                    "by": name, "message": raw.pointer("/version/message"),
                    "minor_edit": raw.pointer("/version/minorEdit")}),
            ))
        } else {
            let raw = self
                .client
                .get(&format!("/rest/api/content/{}", segment(id)))
                .query("status", "historical")
                .query("version", n)
                .query("expand", "body.storage,version,space")
                .cancel_when(cancelled)
                .send_json()?;
            let key = text(&raw, "/space/key");
            self.remember_space(id, &key);
            self.check_space(&key)?;
            Ok((
                text(&raw, "/title"),
                text(&raw, "/body/storage/value"),
                json!({"number": raw.pointer("/version/number"), "when": raw.pointer("/version/when"),
                    "by": raw.pointer("/version/by/displayName"), "message": raw.pointer("/version/message"),
                    "minor_edit": raw.pointer("/version/minorEdit")}),
            ))
        }
    }

    /// One version of a page with its content.
    pub fn page_version(
        &self,
        id: &str,
        n: u64,
        markdown: bool,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Value, Error> {
        let (title, storage, version) = self.version(id, n, cancelled)?;
        Ok(json!({"id": id, "title": title, "version": version,
            "format": if markdown { "markdown" } else { "storage" },
            "content": self.body_text(&storage, markdown)}))
    }

    /// The changes from version `from` to version `to` as a unified diff of the Markdown.
    pub fn page_diff(
        &self,
        id: &str,
        from: u64,
        to: u64,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Value, Error> {
        if from == to {
            return Err(Error::Invalid {
                param: "to_version",
                problem: "give two different versions".into(),
            });
        }
        let (t1, s1, v1) = self.version(id, from, cancelled)?;
        let (t2, s2, v2) = self.version(id, to, cancelled)?;
        let diff = unified(
            &self.body_text(&s1, true),
            &self.body_text(&s2, true),
            &format!("version {from}"),
            &format!("version {to}"),
        );
        let mut out =
            json!({"id": id, "from": v1, "to": v2, "changed": !diff.is_empty(), "diff": diff});
        if t1 != t2 {
            out["title_change"] = json!({"from": t1, "to": t2});
        }
        Ok(out)
    }
}

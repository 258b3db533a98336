//! Issue attachments: listing an issue's files, downloading each under a size cap (Cloud through
//! `attachment/content` without the media redirect, Server/DC through `/secure/attachment`), and
//! uploading files to an issue.

use serde_json::{Value, json};

use super::{Error, Jira};
use crate::atlassian::{Deployment, Part, segment};

/// One downloaded file, or why it could not be.
pub struct Fetched {
    pub id: String,
    pub filename: String,
    pub mime_type: String,
    pub size: u64,
    pub result: Result<Vec<u8>, String>,
}

impl Jira {
    /// The attachments of an issue (metadata).
    pub fn attachments(
        &self,
        key: &str,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Vec<Value>, Error> {
        self.check_project(key)?;
        let raw = self
            .client
            .get(&format!("{}/issue/{}", self.api(), segment(key)))
            .query("fields", "attachment")
            .cancel_when(cancelled)
            .send_json()?;
        if let Some(k) = raw.get("key").and_then(Value::as_str) {
            self.check_project(k)?;
        }
        Ok(raw
            .pointer("/fields/attachment")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default())
    }

    /// Download the attachments of an issue that `keep` selects, each at most `max` bytes.
    pub fn download_attachments(
        &self,
        key: &str,
        keep: &dyn Fn(&str, &str) -> bool,
        max: u64,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Vec<Fetched>, Error> {
        let list = self.attachments(key, cancelled)?;
        let mut out = Vec::new();
        for a in list {
            let s = |k: &str| {
                a.get(k)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string()
            };
            let id = a
                .get("id")
                .map(|v| {
                    v.as_str()
                        .map(str::to_string)
                        .unwrap_or_else(|| v.to_string())
                })
                .unwrap_or_default();
            let (filename, mime_type) = (s("filename"), s("mimeType"));
            if !keep(&filename, &mime_type) {
                continue;
            }
            let size = a.get("size").and_then(Value::as_u64).unwrap_or(0);
            let result = if size > max {
                Err(format!(
                    "{size} bytes, over the {max}-byte limit (MCP_ATLASSIAN_MAX_FILE_MB)"
                ))
            } else {
                let r = match self.deployment() {
                    Deployment::Cloud => self
                        .client
                        .get(&format!(
                            "{}/attachment/content/{}",
                            self.api(),
                            segment(&id)
                        ))
                        .query("redirect", "false"),
                    Deployment::ServerDc => self.client.get(&format!(
                        "/secure/attachment/{}/{}",
                        segment(&id),
                        segment(&filename)
                    )),
                };
                r.cancel_when(cancelled)
                    .download(max as usize)
                    .map(|d| d.data)
                    .map_err(|e| e.to_string())
            };
            out.push(Fetched {
                id,
                filename,
                mime_type,
                size,
                result,
            });
        }
        Ok(out)
    }

    /// Attach files to an issue; returns what Jira stored.
    pub fn upload(
        &self,
        key: &str,
        files: Vec<Part>,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Value, Error> {
        self.check_project(key)?;
        let made = self
            .client
            .post(&format!(
                "{}/issue/{}/attachments",
                self.api(),
                segment(key)
            ))
            .multipart(files)
            .cancel_when(cancelled)
            .send_json()?;
        let list: Vec<Value> = made
            .as_array()
            .into_iter()
            .flatten()
            .map(|a| json!({"id": a.get("id"), "filename": a.get("filename"), "size": a.get("size")}))
            .collect();
        Ok(Value::Array(list))
    }
}

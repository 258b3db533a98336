//! The project filter for ids that do not say their project: boards, sprints, versions and
//! service desks are resolved to their project (one cached lookup each) before anything is done
//! with them. Without a filter nothing is looked up.

use std::time::Duration;

use serde_json::Value;

use super::{Error, Jira};
use crate::atlassian::{TtlCache, segment};

/// Id → project key (sprints: → board id), remembered for a while: these never move, or rarely.
pub struct Owners {
    pub(super) boards: TtlCache<Option<String>>,
    pub(super) sprints: TtlCache<String>,
    versions: TtlCache<String>,
    desks: TtlCache<String>,
}

impl Default for Owners {
    fn default() -> Self {
        let ttl = Duration::from_secs(900);
        Owners {
            boards: TtlCache::new(ttl, 1024),
            sprints: TtlCache::new(ttl, 4096),
            versions: TtlCache::new(ttl, 4096),
            desks: TtlCache::new(ttl, 256),
        }
    }
}

impl Jira {
    /// True when JIRA_PROJECTS_FILTER restricts this server.
    pub(super) fn filtering(&self) -> bool {
        !self.settings.projects_filter.is_empty()
    }

    /// True when the filter admits the project (or issue) key.
    pub(super) fn admits(&self, key: &str) -> bool {
        self.check_project(key).is_ok()
    }

    /// Raw issues of a list answer (board, queue), those inside the project filter, shaped.
    pub(super) fn shaped_in_scope(&self, raw: &[Value]) -> Vec<Value> {
        raw.iter()
            .filter(|i| {
                i.get("key")
                    .and_then(Value::as_str)
                    .is_some_and(|k| self.admits(k))
            })
            .map(|i| {
                super::shape::issue(
                    i,
                    &self.site_url,
                    self.deployment(),
                    !self.settings.disable_markup_translation,
                    0,
                    None,
                )
            })
            .collect()
    }

    fn refuse(&self, what: String, project: Option<String>) -> Error {
        Error::ProjectNotAllowed {
            project: match project {
                Some(p) => format!("{p} (of {what})"),
                None => format!("none ({what} belongs to no single project)"),
            },
            allowed: self.settings.projects_filter.clone(),
        }
    }

    /// The project a board shows (`location.projectKey`), if it has one.
    pub(super) fn board_project(
        &self,
        id: &str,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Option<String>, Error> {
        self.cache.owners.boards.get_or_try(id, || {
            let b = self
                .client
                .get(&format!("/rest/agile/1.0/board/{}", segment(id)))
                .cancel_when(cancelled)
                .send_json()?;
            Ok::<_, Error>(
                b.pointer("/location/projectKey")
                    .and_then(Value::as_str)
                    .map(str::to_string),
            )
        })
    }

    /// Refuse a board outside the filter.
    pub(super) fn check_board(&self, id: &str, cancelled: &dyn Fn() -> bool) -> Result<(), Error> {
        if !self.filtering() {
            return Ok(());
        }
        match self.board_project(id, cancelled)? {
            Some(p) if self.admits(&p) => Ok(()),
            other => Err(self.refuse(format!("board {id}"), other)),
        }
    }

    /// Refuse a sprint whose board lies outside the filter.
    pub(super) fn check_sprint(&self, id: &str, cancelled: &dyn Fn() -> bool) -> Result<(), Error> {
        if !self.filtering() {
            return Ok(());
        }
        let board = self.cache.owners.sprints.get_or_try(id, || {
            let s = self
                .client
                .get(&format!("/rest/agile/1.0/sprint/{}", segment(id)))
                .cancel_when(cancelled)
                .send_json()?;
            Ok::<_, Error>(s.get("originBoardId").map(text).unwrap_or_default())
        })?;
        match self.board_project(&board, cancelled)? {
            Some(p) if self.admits(&p) => Ok(()),
            other => Err(self.refuse(format!("sprint {id}"), other)),
        }
    }

    /// The key of a project given by id (or key).
    pub(super) fn project_key(
        &self,
        id_or_key: &str,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<String, Error> {
        let p = self
            .client
            .get(&format!("{}/project/{}", self.api(), segment(id_or_key)))
            .cancel_when(cancelled)
            .send_json()?;
        Ok(p.get("key").map(text).unwrap_or_default())
    }

    /// Refuse a version of a project outside the filter.
    pub(super) fn check_version(
        &self,
        id: &str,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<(), Error> {
        if !self.filtering() {
            return Ok(());
        }
        let project = self.cache.owners.versions.get_or_try(id, || {
            let v = self
                .client
                .get(&format!("{}/version/{}", self.api(), segment(id)))
                .cancel_when(cancelled)
                .send_json()?;
            let pid = v.get("projectId").map(text).unwrap_or_default();
            self.project_key(&pid, cancelled)
        })?;
        if self.admits(&project) {
            Ok(())
        } else {
            Err(self.refuse(format!("version {id}"), Some(project)))
        }
    }

    /// Refuse a service desk of a project outside the filter.
    pub(super) fn check_desk(&self, id: &str, cancelled: &dyn Fn() -> bool) -> Result<(), Error> {
        if !self.filtering() {
            return Ok(());
        }
        let project = self.cache.owners.desks.get_or_try(id, || {
            let d = self
                .client
                .get(&format!("/rest/servicedeskapi/servicedesk/{}", segment(id)))
                .cancel_when(cancelled)
                .send_json()?;
            Ok::<_, Error>(d.get("projectKey").map(text).unwrap_or_default())
        })?;
        if self.admits(&project) {
            Ok(())
        } else {
            Err(self.refuse(format!("service desk {id}"), Some(project)))
        }
    }
}

/// A JSON string or number as text.
pub(super) fn text(v: &Value) -> String {
    v.as_str().map_or_else(|| v.to_string(), str::to_string)
}

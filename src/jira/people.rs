//! People: turning what a caller types (account id, user name, e-mail, display name) into the
//! deployment's user reference (`accountId` on Cloud, `name` on Server/DC), user profiles,
//! assignable-user search, and issue watchers.

use serde_json::{Value, json};

use super::{Error, Jira, shape};
use crate::atlassian::{Deployment, segment};

/// Cloud account ids: `557058:uuid` or 24+ hex/alnum characters with a digit.
pub fn looks_like_account_id(s: &str) -> bool {
    s.contains(':') && !s.contains(char::is_whitespace) && !s.contains('@')
        || (s.len() >= 20
            && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && s.bytes().any(|b| b.is_ascii_digit()))
}

fn matches(user: &Value, who: &str) -> bool {
    ["accountId", "name", "key", "emailAddress", "displayName"]
        .iter()
        .any(|k| {
            user.get(*k)
                .and_then(Value::as_str)
                .is_some_and(|v| v.eq_ignore_ascii_case(who))
        })
}

impl Jira {
    /// The raw user object for an identifier, searched when it is not an id.
    pub fn find_user(
        &self,
        who: &str,
        param: &'static str,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Value, Error> {
        let who = who.trim();
        if who.is_empty() {
            return Err(Error::Invalid {
                param,
                problem: "a user is needed".into(),
            });
        }
        let path = format!("{}/user", self.api());
        let direct = match self.deployment() {
            Deployment::Cloud if looks_like_account_id(who) => Some(("accountId", who)),
            Deployment::ServerDc if !who.contains(['@', ' ']) => Some(("username", who)),
            _ => None,
        };
        if let Some((k, v)) = direct {
            match self
                .client
                .get(&path)
                .query(k, v)
                .cancel_when(cancelled)
                .send_json()
            {
                Ok(u) => return Ok(u),
                Err(e) if e.status() == Some(404) && self.deployment() == Deployment::ServerDc => {}
                Err(e) => return Err(e.into()),
            }
        }
        let key = match self.deployment() {
            Deployment::Cloud => "query",
            Deployment::ServerDc => "username",
        };
        let found = self
            .client
            .get(&format!("{path}/search"))
            .query(key, who)
            .query("maxResults", 20)
            .cancel_when(cancelled)
            .send_json()?;
        let list = found.as_array().cloned().unwrap_or_default();
        let exact: Vec<&Value> = list.iter().filter(|u| matches(u, who)).collect();
        match (exact.as_slice(), list.as_slice()) {
            ([one], _) => Ok((*one).clone()),
            ([], [one]) => Ok(one.clone()),
            ([], []) => Err(Error::Invalid {
                param,
                problem: format!("no user matches {who:?}; use an account id, user name or e-mail"),
            }),
            _ => {
                let names: Vec<String> = list
                    .iter()
                    .take(5)
                    .map(|u| shape::user(u).to_string())
                    .collect();
                Err(Error::Invalid {
                    param,
                    problem: format!("{who:?} matches several users: {}", names.join(", ")),
                })
            }
        }
    }

    /// The deployment's reference to a user (`{"accountId"}` / `{"name"}`).
    pub fn user_ref(
        &self,
        who: &str,
        param: &'static str,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Value, Error> {
        let who = who.trim();
        match self.deployment() {
            Deployment::Cloud if looks_like_account_id(who) => Ok(json!({"accountId": who})),
            Deployment::ServerDc if !who.is_empty() && !who.contains(['@', ' ']) => {
                Ok(json!({"name": who}))
            }
            _ => {
                let u = self.find_user(who, param, cancelled)?;
                Ok(match self.deployment() {
                    Deployment::Cloud => json!({"accountId": u.get("accountId")}),
                    Deployment::ServerDc => json!({"name": u.get("name")}),
                })
            }
        }
    }

    /// The identifier the deployment uses for a user (account id or user name).
    pub fn user_id(
        &self,
        who: &str,
        param: &'static str,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<String, Error> {
        let r = self.user_ref(who, param, cancelled)?;
        Ok(r.get("accountId")
            .or_else(|| r.get("name"))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string())
    }

    /// One user's profile.
    pub fn user_profile(&self, who: &str, cancelled: &dyn Fn() -> bool) -> Result<Value, Error> {
        let u = self.find_user(who, "user_identifier", cancelled)?;
        let mut out = shape::user(&u);
        for (from, to) in [("timeZone", "time_zone"), ("locale", "locale")] {
            if let Some(v) = u.get(from) {
                out[to] = v.clone();
            }
        }
        if u.get("active") == Some(&Value::Bool(true)) {
            out["active"] = json!(true);
        }
        Ok(out)
    }

    /// Users who may be assigned issues of a project or one issue, matching `query`.
    pub fn assignable_users(
        &self,
        query: &str,
        project: Option<&str>,
        issue: Option<&str>,
        limit: usize,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Value, Error> {
        if project.is_none() && issue.is_none() {
            return Err(Error::Invalid {
                param: "project_key",
                problem: "give project_key or issue_key".into(),
            });
        }
        let key = match self.deployment() {
            Deployment::Cloud => "query",
            Deployment::ServerDc => "username",
        };
        let mut r = self
            .client
            .get(&format!("{}/user/assignable/search", self.api()))
            .query(key, query)
            .query("maxResults", limit.min(1000))
            .cancel_when(cancelled);
        if let Some(i) = issue {
            self.check_project(i)?;
            r = r.query("issueKey", i);
        }
        if let Some(p) = project {
            self.check_project(p)?;
            r = r.query("project", p);
        }
        let list = r.send_json()?;
        let users: Vec<Value> = list
            .as_array()
            .map(|a| a.iter().take(limit).map(shape::user).collect())
            .unwrap_or_default();
        Ok(json!({"users": users}))
    }

    /// Who watches an issue.
    pub fn watchers(&self, key: &str, cancelled: &dyn Fn() -> bool) -> Result<Value, Error> {
        self.check_project(key)?;
        let w = self
            .client
            .get(&format!("{}/issue/{}/watchers", self.api(), segment(key)))
            .cancel_when(cancelled)
            .send_json()?;
        let watchers: Vec<Value> = w
            .get("watchers")
            .and_then(Value::as_array)
            .map(|a| a.iter().map(shape::user).collect())
            .unwrap_or_default();
        Ok(json!({
            "issue_key": key,
            "watch_count": w.get("watchCount"),
            "is_watching": w.get("isWatching"),
            "watchers": watchers,
        }))
    }

    /// Add a watcher.
    pub fn add_watcher(
        &self,
        key: &str,
        who: &str,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Value, Error> {
        self.check_project(key)?;
        let id = self.user_id(who, "user_identifier", cancelled)?;
        self.client
            .post(&format!("{}/issue/{}/watchers", self.api(), segment(key)))
            .json(json!(id))
            .cancel_when(cancelled)
            .send()?;
        Ok(json!({"issue_key": key, "added": id}))
    }

    /// Remove a watcher, by user name (Server/DC) or account id (Cloud).
    pub fn remove_watcher(
        &self,
        key: &str,
        username: Option<&str>,
        account_id: Option<&str>,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Value, Error> {
        self.check_project(key)?;
        let who = account_id.or(username).ok_or(Error::Invalid {
            param: "account_id",
            problem: "give account_id (Cloud) or username (Server/Data Center)".into(),
        })?;
        let (param, name) = match self.deployment() {
            Deployment::Cloud => ("accountId", "account_id"),
            Deployment::ServerDc => ("username", "username"),
        };
        let id = self.user_id(
            who,
            if name == "username" {
                "username"
            } else {
                "account_id"
            },
            cancelled,
        )?;
        self.client
            .delete(&format!("{}/issue/{}/watchers", self.api(), segment(key)))
            .query(param, &id)
            .cancel_when(cancelled)
            .send()?;
        Ok(json!({"issue_key": key, "removed": id}))
    }
}

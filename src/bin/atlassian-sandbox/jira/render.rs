//! Jira JSON shapes rendered from the model for one of three API variants: Cloud v3 (ADF
//! bodies, accountIds), Cloud v2 (wiki bodies with `[~accountid:…]`, accountIds) and Server/DC
//! v2 (wiki bodies, `name`/`key` users). Every place that shows a user, status, body or issue
//! goes through here, so the variants stay consistent.

use crate::markup;
use crate::model::{Attachment, Body, Comment, CustomField, Issue, Worklog};
use crate::store::Store;
use crate::time;
use serde_json::{Map, Value, json};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Api {
    V3,
    CloudV2,
    Dc,
}

impl Api {
    pub fn cloud(self) -> bool {
        self != Api::Dc
    }
    pub fn prefix(self) -> &'static str {
        match self {
            Api::V3 => "/rest/api/3",
            _ => "/rest/api/2",
        }
    }
}

/// System fields: id, display name, schema type, item type, navigable.
pub const SYSTEM_FIELDS: &[(&str, &str, &str, Option<&str>, bool)] = &[
    ("summary", "Summary", "string", None, true),
    ("issuetype", "Issue Type", "issuetype", None, true),
    ("project", "Project", "project", None, true),
    ("status", "Status", "status", None, true),
    ("priority", "Priority", "priority", None, true),
    ("resolution", "Resolution", "resolution", None, true),
    ("resolutiondate", "Resolved", "datetime", None, true),
    ("assignee", "Assignee", "user", None, true),
    ("reporter", "Reporter", "user", None, true),
    ("creator", "Creator", "user", None, true),
    ("created", "Created", "datetime", None, true),
    ("updated", "Updated", "datetime", None, true),
    ("duedate", "Due date", "date", None, true),
    ("labels", "Labels", "array", Some("string"), true),
    ("components", "Components", "array", Some("component"), true),
    (
        "fixVersions",
        "Fix versions",
        "array",
        Some("version"),
        true,
    ),
    (
        "versions",
        "Affects versions",
        "array",
        Some("version"),
        true,
    ),
    ("description", "Description", "string", None, true),
    ("environment", "Environment", "string", None, true),
    (
        "issuelinks",
        "Linked Issues",
        "array",
        Some("issuelinks"),
        true,
    ),
    ("subtasks", "Sub-tasks", "array", Some("issuelinks"), true),
    ("parent", "Parent", "issuelink", None, true),
    (
        "attachment",
        "Attachment",
        "array",
        Some("attachment"),
        true,
    ),
    ("comment", "Comment", "comments-page", None, false),
    ("worklog", "Log Work", "array", Some("worklog"), false),
    ("timetracking", "Time tracking", "timetracking", None, false),
    (
        "timeoriginalestimate",
        "Original estimate",
        "number",
        None,
        true,
    ),
    ("timeestimate", "Remaining Estimate", "number", None, true),
    ("timespent", "Time Spent", "number", None, true),
    ("watches", "Watchers", "watches", None, true),
    ("votes", "Votes", "votes", None, true),
    (
        "statuscategorychangedate",
        "Status Category Changed",
        "datetime",
        None,
        true,
    ),
];

/// Renders model values for one API variant.
pub struct R<'a> {
    pub st: &'a Store,
    pub api: Api,
    pub base: &'a str,
}

impl<'a> R<'a> {
    pub fn new(st: &'a Store, api: Api, base: &'a str) -> R<'a> {
        R { st, api, base }
    }

    fn url(&self, tail: &str) -> String {
        format!("{}{}{}", self.base, self.api.prefix(), tail)
    }

    pub fn custom_id(&self, f: &CustomField) -> Option<String> {
        if self.api.cloud() {
            f.cloud_id.clone()
        } else {
            f.dc_id.clone()
        }
    }

    fn avatars(&self, seed: &str) -> Value {
        let u = format!("{}/secure/useravatar?ownerId={seed}", self.base);
        json!({"48x48": u, "24x24": format!("{u}&size=small"), "16x16": format!("{u}&size=xsmall"), "32x32": format!("{u}&size=medium")})
    }

    /// A user reference (username, key, account id or e-mail) → user JSON, or `null`.
    pub fn user(&self, who: &str) -> Value {
        let Some(u) = self.st.user(who) else {
            return Value::Null;
        };
        if self.api.cloud() {
            json!({
                "self": self.url(&format!("/user?accountId={}", u.account_id)),
                "accountId": u.account_id,
                "emailAddress": u.email,
                "avatarUrls": self.avatars(&u.account_id),
                "displayName": u.display_name,
                "active": u.active,
                "timeZone": u.time_zone,
                "accountType": if u.account_type.is_empty() { "atlassian" } else { u.account_type.as_str() },
            })
        } else {
            json!({
                "self": self.url(&format!("/user?username={}", u.username)),
                "name": u.username,
                "key": u.key,
                "emailAddress": u.email,
                "avatarUrls": self.avatars(&u.key),
                "displayName": u.display_name,
                "active": u.active,
                "timeZone": u.time_zone,
            })
        }
    }

    pub fn status(&self, name: &str) -> Value {
        let Some(s) = self.st.status(name) else {
            return Value::Null;
        };
        let (cid, ckey, color, cname) = match s.category.as_str() {
            "done" => (3, "done", "green", "Done"),
            "indeterminate" => (4, "indeterminate", "yellow", "In Progress"),
            _ => (2, "new", "blue-gray", "To Do"),
        };
        json!({
            "self": self.url(&format!("/status/{}", s.id)),
            "description": s.description,
            "iconUrl": format!("{}/images/icons/statuses/generic.png", self.base),
            "name": s.name,
            "id": s.id,
            "statusCategory": {"self": self.url(&format!("/statuscategory/{cid}")), "id": cid,
                               "key": ckey, "colorName": color, "name": cname},
        })
    }

    pub fn priority(&self, name: &str) -> Value {
        match self.st.priority(name) {
            Some(p) => json!({"self": self.url(&format!("/priority/{}", p.id)),
                "iconUrl": format!("{}/images/icons/priorities/{}.svg", self.base, p.name.to_lowercase()),
                "name": p.name, "id": p.id}),
            None => Value::Null,
        }
    }

    pub fn resolution(&self, name: Option<&str>) -> Value {
        match name.and_then(|n| self.st.resolution(n)) {
            Some(r) => json!({"self": self.url(&format!("/resolution/{}", r.id)), "id": r.id,
                "description": r.description, "name": r.name}),
            None => Value::Null,
        }
    }

    pub fn issue_type(&self, name: &str) -> Value {
        let Some(t) = self.st.issue_type(name) else {
            return Value::Null;
        };
        let mut v = json!({
            "self": self.url(&format!("/issuetype/{}", t.id)),
            "id": t.id, "description": t.description,
            "iconUrl": format!("{}/images/icons/issuetypes/{}.svg", self.base, t.name.to_lowercase().replace(' ', "")),
            "name": t.name, "subtask": t.subtask, "avatarId": 10300 + t.id.parse::<i64>().unwrap_or(0) % 100,
        });
        if self.api.cloud() {
            v["hierarchyLevel"] = json!(t.hierarchy);
        }
        v
    }

    pub fn project_ref(&self, key: &str) -> Value {
        let Some(p) = self.st.project(key) else {
            return Value::Null;
        };
        let mut v = json!({
            "self": self.url(&format!("/project/{}", p.id)),
            "id": p.id, "key": p.key, "name": p.name, "projectTypeKey": p.type_key,
            "avatarUrls": {"48x48": format!("{}/secure/projectavatar?pid={}", self.base, p.id)},
        });
        if self.api.cloud() {
            v["simplified"] = json!(false);
        }
        if let Some(c) = &p.category {
            v["projectCategory"] = json!({"name": c, "id": "10000", "description": "",
                "self": self.url("/projectCategory/10000")});
        }
        v
    }

    pub fn component(&self, project: &str, name: &str) -> Value {
        let p = self.st.project(project);
        match p.and_then(|p| p.components.iter().find(|c| c.name == name)) {
            Some(c) => json!({"self": self.url(&format!("/component/{}", c.id)), "id": c.id,
                "name": c.name, "description": c.description}),
            None => Value::Null,
        }
    }

    pub fn version(&self, project: &str, name: &str) -> Value {
        let p = self.st.project(project);
        match p.and_then(|p| p.versions.iter().find(|v| v.name == name)) {
            Some(v) => {
                let mut o = json!({"self": self.url(&format!("/version/{}", v.id)), "id": v.id,
                    "name": v.name, "archived": v.archived, "released": v.released,
                    "description": v.description});
                if let Some(d) = &v.release_date {
                    o["releaseDate"] = json!(d);
                }
                o
            }
            None => Value::Null,
        }
    }

    fn lookup(&self) -> impl Fn(&str) -> Option<(String, String)> + '_ {
        |who: &str| {
            let who = who.strip_prefix("accountid:").unwrap_or(who);
            self.st
                .user(who)
                .map(|u| (u.account_id.clone(), u.display_name.clone()))
        }
    }

    /// A rich-text body in this variant's representation.
    pub fn body(&self, b: &Body) -> Value {
        let users = self.lookup();
        match (self.api, b) {
            (Api::V3, Body::Wiki(w)) => markup::wiki_to_adf(w, &users),
            (Api::V3, Body::Adf(a)) => a.clone(),
            (Api::CloudV2, Body::Wiki(w)) => json!(markup::wiki_for_cloud(w, &users)),
            (Api::Dc, Body::Wiki(w)) => json!(w),
            (_, Body::Adf(a)) => json!(markup::adf_to_wiki(a)),
        }
    }

    pub fn body_html(&self, b: &Body) -> String {
        let users = self.lookup();
        match b {
            Body::Wiki(w) => markup::adf_to_html(&markup::wiki_to_adf(w, &users)),
            Body::Adf(a) => markup::adf_to_html(a),
        }
    }

    pub fn comment(&self, issue: &Issue, c: &Comment) -> Value {
        let mut v = json!({
            "self": self.url(&format!("/issue/{}/comment/{}", issue.id, c.id)),
            "id": c.id.to_string(),
            "author": self.user(&c.author),
            "body": self.body(&c.body),
            "updateAuthor": self.user(&c.author),
            "created": time::jira(&c.created),
            "updated": time::jira(&c.updated),
        });
        if self.api.cloud() {
            v["jsdPublic"] = json!(c.public);
        }
        if let Some((kind, value)) = &c.visibility {
            v["visibility"] = json!({"type": kind, "value": value});
        }
        v
    }

    pub fn worklog(&self, issue: &Issue, w: &Worklog) -> Value {
        let secs = time::parse_duration(&w.spent).unwrap_or(0);
        let mut v = json!({
            "self": self.url(&format!("/issue/{}/worklog/{}", issue.id, w.id)),
            "author": self.user(&w.author),
            "updateAuthor": self.user(&w.author),
            "created": time::jira(&w.created),
            "updated": time::jira(&w.created),
            "started": time::jira(&w.started),
            "timeSpent": time::format_duration(secs),
            "timeSpentSeconds": secs,
            "id": w.id.to_string(),
            "issueId": issue.id.to_string(),
        });
        if let Some(c) = &w.comment {
            v["comment"] = self.body(c);
        }
        v
    }

    pub fn attachment(&self, a: &Attachment) -> Value {
        let content = if self.api.cloud() {
            self.url(&format!("/attachment/content/{}", a.id))
        } else {
            format!("{}/secure/attachment/{}/{}", self.base, a.id, a.filename)
        };
        let mut v = json!({
            "self": self.url(&format!("/attachment/{}", a.id)),
            "id": a.id.to_string(),
            "filename": a.filename,
            "author": self.user(&a.author),
            "created": time::jira(&a.created),
            "size": a.data.len(),
            "mimeType": a.mime,
            "content": content,
        });
        if a.mime.starts_with("image/") {
            v["thumbnail"] = json!(if self.api.cloud() {
                self.url(&format!("/attachment/thumbnail/{}", a.id))
            } else {
                format!("{}/secure/thumbnail/{}/{}", self.base, a.id, a.filename)
            });
        }
        v
    }

    /// The short form used for parents, sub-tasks and links.
    pub fn issue_mini(&self, key: &str) -> Value {
        let Some(i) = self.st.issue(key) else {
            return Value::Null;
        };
        json!({
            "id": i.id.to_string(), "key": i.key, "self": self.url(&format!("/issue/{}", i.id)),
            "fields": {"summary": i.summary, "status": self.status(&i.status),
                       "priority": self.priority(&i.priority), "issuetype": self.issue_type(&i.issuetype)},
        })
    }

    pub fn names_and_schema(&self, ids: &[String]) -> (Value, Value) {
        let (mut names, mut schema) = (Map::new(), Map::new());
        for id in ids {
            if let Some((_, name, ty, items, _)) = SYSTEM_FIELDS.iter().find(|f| f.0 == id) {
                names.insert(id.clone(), json!(name));
                let mut s = json!({"type": ty, "system": id});
                if let Some(it) = items {
                    s["items"] = json!(it);
                }
                schema.insert(id.clone(), s);
            } else if let Some(f) = self
                .st
                .jira
                .fields
                .iter()
                .find(|f| self.custom_id(f).as_deref() == Some(id.as_str()))
            {
                names.insert(id.clone(), json!(f.name));
                schema.insert(id.clone(), custom_schema(f, id));
            }
        }
        (Value::Object(names), Value::Object(schema))
    }
}

/// `schema` of a custom field (a `JsonTypeBean`).
pub fn custom_schema(f: &CustomField, id: &str) -> Value {
    let num: i64 = id.trim_start_matches("customfield_").parse().unwrap_or(0);
    let (ty, items) = match f.kind.as_str() {
        "number" => ("number", None),
        "option" => ("option", None),
        "date" => ("date", None),
        "user" => ("user", None),
        "labels" => ("array", Some("string")),
        "sprint" => ("array", Some("json")),
        "epic_link" => ("any", None),
        "request_type" => ("sd-customerrequesttype", None),
        "sla" => ("sd-servicelevelagreement", None),
        _ => ("string", None),
    };
    let mut s = json!({"type": ty, "custom": f.custom, "customId": num});
    if let Some(i) = items {
        s["items"] = json!(i);
    }
    s
}

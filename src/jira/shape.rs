//! Trimming Jira JSON for a language model: drop nulls, `self` links, avatars and icons; collapse
//! option-like objects to their name or value; users to name and id; timestamps to ISO-8601 with
//! a colon in the offset; rich text (ADF on Cloud v3, wiki markup on Server/DC) to Markdown.

use serde_json::{Map, Value, json};

use crate::atlassian::Deployment;
use crate::convert;

/// Keys that only carry links and pictures.
const NOISE: &[&str] = &[
    "self",
    "avatarUrls",
    "iconUrl",
    "expand",
    "avatarId",
    "entityId",
];

/// `2024-01-02T10:00:00.000+0100` → `2024-01-02T10:00:00+01:00`, `…+0000` → `…Z` (RFC 3339;
/// milliseconds only when there are some); other strings unchanged.
pub fn iso_time(s: &str) -> String {
    let b = s.as_bytes();
    let looks_like_time = b.len() >= 24
        && b.get(4) == Some(&b'-')
        && b.get(10) == Some(&b'T')
        && matches!(b[b.len() - 5], b'+' | b'-')
        && b[b.len() - 4..].iter().all(u8::is_ascii_digit);
    if looks_like_time {
        let (clock, zone) = s.split_at(s.len() - 5);
        let clock = clock.strip_suffix(".000").unwrap_or(clock);
        match zone {
            "+0000" | "-0000" => format!("{clock}Z"),
            _ => format!("{clock}{}:{}", &zone[..3], &zone[3..]),
        }
    } else {
        s.to_string()
    }
}

/// Rich text as Markdown: ADF documents (Cloud) and wiki strings (Server/DC).
pub fn rich_text(v: &Value, deployment: Deployment, translate: bool) -> Value {
    match v {
        Value::Object(o) if o.get("type").and_then(Value::as_str) == Some("doc") => {
            if !translate {
                return v.clone();
            }
            match convert::adf_to_markdown(v) {
                Ok(md) => Value::String(md.trim_end().to_string()),
                Err(_) => v.clone(),
            }
        }
        Value::String(s) if translate && deployment == Deployment::ServerDc => {
            Value::String(convert::wiki_to_markdown(s).trim_end().to_string())
        }
        other => other.clone(),
    }
}

/// A person, the same on both deployments: `display_name`, then `account_id` (Cloud) or `name`
/// (Server/DC; `key` only when it differs from the name), `email` when the site shows it.
pub fn user(v: &Value) -> Value {
    let Some(o) = v.as_object() else {
        return v.clone();
    };
    let mut out = Map::new();
    for (from, to) in [
        ("displayName", "display_name"),
        ("accountId", "account_id"),
        ("name", "name"),
        ("key", "key"),
        ("emailAddress", "email"),
    ] {
        if let Some(s) = o
            .get(from)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
        {
            out.insert(to.into(), json!(s));
        }
    }
    // Server/DC: the key says nothing new when it equals the user name.
    if out.get("key").is_some() && out.get("key") == out.get("name") {
        out.remove("key");
    }
    if o.get("active") == Some(&Value::Bool(false)) {
        out.insert("active".into(), json!(false));
    }
    Value::Object(out)
}

fn looks_like_user(o: &Map<String, Value>) -> bool {
    o.contains_key("displayName") && (o.contains_key("accountId") || o.contains_key("name"))
}

/// Remove noise recursively; collapse users and option-like objects.
pub fn scrub(v: &Value, depth: usize) -> Value {
    if depth > 24 {
        return Value::Null;
    }
    match v {
        Value::Object(o) if looks_like_user(o) => user(v),
        Value::Object(o) => {
            // Options and simple references: {"value": "x"} / {"name": "x", "id": ...}
            let keys: Vec<&str> = o
                .keys()
                .map(String::as_str)
                .filter(|k| !NOISE.contains(k))
                .collect();
            if keys
                .iter()
                .all(|k| matches!(*k, "value" | "id" | "disabled"))
            {
                if let Some(val) = o.get("value") {
                    return val.clone();
                }
            }
            let mut out = Map::new();
            for (k, child) in o {
                if NOISE.contains(&k.as_str()) {
                    continue;
                }
                let c = scrub(child, depth + 1);
                let empty = c.is_null()
                    || c.as_object().is_some_and(Map::is_empty)
                    || c.as_array().is_some_and(Vec::is_empty);
                if !empty {
                    out.insert(k.clone(), c);
                }
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|i| scrub(i, depth + 1))
                .filter(|i| !i.is_null())
                .collect(),
        ),
        Value::String(s) => Value::String(iso_time(s)),
        other => other.clone(),
    }
}

fn name_of(v: &Value) -> Option<Value> {
    v.get("name").or_else(|| v.get("value")).cloned()
}

/// Which fields get a dedicated rendering.
fn render_field(
    name: &str,
    v: &Value,
    deployment: Deployment,
    translate: bool,
    comment_limit: usize,
) -> Option<(String, Value)> {
    let out = match name {
        "summary" | "labels" | "duedate" | "resolutiondate" | "created" | "updated" => (name.to_string(), scrub(v, 0)),
        "status" => {
            let mut s = json!({"name": v.get("name")});
            // The category says nothing new when it is the status's own name ("Done").
            if let Some(cat) = v
                .pointer("/statusCategory/name")
                .filter(|c| Some(*c) != v.get("name"))
            {
                s["category"] = cat.clone();
            }
            ("status".into(), s)
        }
        "issuetype" => ("issue_type".into(), name_of(v)?),
        "priority" | "resolution" => (name.to_string(), name_of(v)?),
        "project" => ("project".into(), json!({"key": v.get("key"), "name": v.get("name")})),
        "assignee" | "reporter" | "creator" => (name.to_string(), user(v)),
        "description" | "environment" => (name.to_string(), rich_text(v, deployment, translate)),
        "components" | "fixVersions" | "versions" => {
            let key = match name {
                "fixVersions" => "fix_versions",
                other => other,
            };
            let names: Vec<Value> = v.as_array()?.iter().filter_map(name_of).collect();
            (key.to_string(), Value::Array(names))
        }
        "parent" => (
            "parent".into(),
            json!({"key": v.get("key"), "summary": v.pointer("/fields/summary")}),
        ),
        "subtasks" => (
            "subtasks".into(),
            Value::Array(
                v.as_array()?
                    .iter()
                    .map(|s| json!({"key": s.get("key"), "summary": s.pointer("/fields/summary"), "status": s.pointer("/fields/status/name")}))
                    .collect(),
            ),
        ),
        "comment" => {
            let all = v.get("comments").and_then(Value::as_array)?;
            let skip = all.len().saturating_sub(comment_limit);
            let comments: Vec<Value> = all[skip..]
                .iter()
                .map(|c| {
                    json!({
                        "id": c.get("id"),
                        "author": c.get("author").map(user),
                        "created": c.get("created").and_then(Value::as_str).map(iso_time),
                        "updated": edited(c),
                        "body": c.get("body").map(|b| rich_text(b, deployment, translate)),
                    })
                })
                .collect();
            ("comments".into(), scrub(&Value::Array(comments), 0))
        }
        _ => return None,
    };
    // An empty list (no labels, no fix versions) is left out, like a null field: none set.
    (!out.1.as_array().is_some_and(Vec::is_empty)).then_some(out)
}

/// When a comment was edited after it was written; `None` for one never edited.
pub fn edited(c: &Value) -> Option<String> {
    let updated = c.get("updated").and_then(Value::as_str)?;
    (c.get("created").and_then(Value::as_str) != Some(updated)).then(|| iso_time(updated))
}

/// One issue as the tools return it.
pub fn issue(
    raw: &Value,
    site_url: &str,
    deployment: Deployment,
    translate: bool,
    comment_limit: usize,
    names: Option<&Map<String, Value>>,
) -> Value {
    let mut out = Map::new();
    let key = raw.get("key").and_then(Value::as_str).unwrap_or_default();
    out.insert("key".into(), json!(key));
    if let Some(id) = raw.get("id") {
        out.insert("id".into(), id.clone());
    }
    if !key.is_empty() && !site_url.is_empty() {
        out.insert("url".into(), json!(format!("{site_url}/browse/{key}")));
    }
    if let Some(fields) = raw.get("fields").and_then(Value::as_object) {
        for (name, v) in fields {
            if v.is_null() {
                continue;
            }
            if let Some((k, rendered)) = render_field(name, v, deployment, translate, comment_limit)
            {
                if !rendered.is_null() {
                    out.insert(k, rendered);
                }
                continue;
            }
            let display = names
                .and_then(|n| n.get(name))
                .and_then(Value::as_str)
                .unwrap_or(name);
            let value = if v.get("type").and_then(Value::as_str) == Some("doc") {
                rich_text(v, deployment, translate)
            } else {
                scrub(v, 0)
            };
            let empty = value.is_null()
                || value.as_object().is_some_and(Map::is_empty)
                || value.as_array().is_some_and(Vec::is_empty);
            if !empty {
                out.insert(display.to_string(), value);
            }
        }
    }
    for extra in ["changelog", "renderedFields", "transitions"] {
        if let Some(v) = raw.get(extra) {
            let cleaned = scrub(v, 0);
            if !cleaned.is_null() {
                out.insert(extra.to_string(), cleaned);
            }
        }
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_get_a_colon_in_the_offset() {
        assert_eq!(
            iso_time("2024-01-02T10:00:00.000+0000"),
            "2024-01-02T10:00:00Z"
        );
        assert_eq!(
            iso_time("2024-01-02T10:00:00.000+0100"),
            "2024-01-02T10:00:00+01:00"
        );
        assert_eq!(
            iso_time("2024-01-02T10:00:00.250-0530"),
            "2024-01-02T10:00:00.250-05:30"
        );
        let never = json!({"created": "2024-01-02T10:00:00.000+0000", "updated": "2024-01-02T10:00:00.000+0000"});
        assert_eq!(edited(&never), None);
        let once = json!({"created": "2024-01-02T10:00:00.000+0000", "updated": "2024-01-03T08:00:00.000+0000"});
        assert_eq!(edited(&once).as_deref(), Some("2024-01-03T08:00:00Z"));
        assert_eq!(iso_time("hello"), "hello");
        assert_eq!(iso_time("2024-01-02"), "2024-01-02");
    }

    #[test]
    fn scrub_drops_noise_and_collapses_options() {
        let raw = json!({"self": "u", "a": null, "opt": {"self": "x", "value": "High", "id": "3"},
            "user": {"displayName": "Ann", "accountId": "abc", "avatarUrls": {"16x16": "p"}, "emailAddress": null},
            "list": [{"value": "x", "id": "1"}], "empty": {}});
        assert_eq!(
            scrub(&raw, 0),
            json!({"opt": "High", "user": {"display_name": "Ann", "account_id": "abc"}, "list": ["x"]})
        );
    }

    #[test]
    fn issues_are_shaped_the_same_on_both_deployments() {
        let raw = json!({"id": "10001", "key": "DEMO-1", "fields": {
            "summary": "Crash", "status": {"name": "Open", "statusCategory": {"name": "To Do"}},
            "issuetype": {"name": "Bug", "iconUrl": "x"}, "priority": {"name": "High"},
            "assignee": null, "labels": ["a"], "created": "2024-01-02T10:00:00.000+0000",
            "customfield_10010": {"value": "Gold", "id": "7"},
            "comment": {"comments": [{"id": "1", "body": "one", "author": {"displayName": "A", "name": "a"}},
                                     {"id": "2", "body": "two", "author": {"displayName": "B", "name": "b"}}]}}});
        let names = json!({"customfield_10010": "Tier"});
        let v = issue(
            &raw,
            "https://jira.example.com",
            Deployment::Cloud,
            false,
            1,
            names.as_object(),
        );
        assert_eq!(v["url"], "https://jira.example.com/browse/DEMO-1");
        assert_eq!(v["status"], json!({"name": "Open", "category": "To Do"}));
        assert_eq!(v["issue_type"], "Bug");
        assert_eq!(v["Tier"], "Gold");
        assert!(v.get("assignee").is_none());
        assert_eq!(v["comments"].as_array().unwrap().len(), 1);
        assert_eq!(v["comments"][0]["body"], "two");
        assert_eq!(v["created"], "2024-01-02T10:00:00Z");
    }

    #[test]
    fn empty_lists_and_a_category_naming_its_status_are_left_out() {
        let raw = json!({"key": "DEMO-2", "fields": {
            "status": {"name": "Done", "statusCategory": {"name": "Done"}},
            "labels": [], "versions": [], "fixVersions": [{"name": "2.1"}]}});
        let v = issue(
            &raw,
            "https://j.example.com",
            Deployment::ServerDc,
            false,
            1,
            None,
        );
        assert_eq!(v["status"], json!({"name": "Done"}));
        assert!(v.get("labels").is_none() && v.get("versions").is_none());
        assert_eq!(v["fix_versions"], json!(["2.1"]));
    }
}

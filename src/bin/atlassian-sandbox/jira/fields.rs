//! One issue as Jira returns it: every system and custom field value, the `fields` selection
//! (`*all`, `*navigable`, explicit ids, `-exclusions`), and the `expand` extras (renderedFields,
//! names, schema, changelog, transitions, editmeta). Cloud shows an epic as `parent`; Server/DC
//! shows it in the "Epic Link" custom field, as the real products do.

use super::render::{R, SYSTEM_FIELDS};
use crate::model::{Body, Issue};
use crate::time;
use serde_json::{Map, Value, json};

/// Which fields a request asked for.
#[derive(Clone, Debug, Default)]
pub struct Sel {
    all: bool,
    navigable: bool,
    include: Vec<String>,
    exclude: Vec<String>,
}

impl Sel {
    /// From the `fields` parameter (comma list or repeated), with the endpoint's default.
    pub fn parse(list: &[String], default: &str) -> Sel {
        let mut sel = Sel::default();
        let items: Vec<String> = if list.is_empty() {
            vec![default.to_string()]
        } else {
            list.to_vec()
        };
        for f in items {
            match f.as_str() {
                "*all" => sel.all = true,
                "*navigable" => sel.navigable = true,
                "" | "id" | "key" | "none" => {}
                x if x.starts_with('-') => sel.exclude.push(x[1..].to_string()),
                x => sel.include.push(x.to_string()),
            }
        }
        sel
    }

    fn wants(&self, id: &str, navigable: bool) -> bool {
        !self.exclude.iter().any(|e| e == id)
            && (self.all || (self.navigable && navigable) || self.include.iter().any(|i| i == id))
    }

    pub fn is_empty(&self) -> bool {
        !self.all && !self.navigable && self.include.is_empty()
    }
}

/// Every field id this issue has in this API variant, system first.
pub fn field_ids(r: &R) -> Vec<(String, bool)> {
    let mut ids: Vec<(String, bool)> = SYSTEM_FIELDS
        .iter()
        .map(|f| (f.0.to_string(), f.4))
        .collect();
    for f in &r.st.jira.fields {
        if let Some(id) = r.custom_id(f) {
            ids.push((id, true));
        }
    }
    ids
}

fn opt_body(r: &R, b: &Option<Body>) -> Value {
    b.as_ref().map(|b| r.body(b)).unwrap_or(Value::Null)
}

fn estimate_secs(s: &Option<String>) -> Option<i64> {
    s.as_deref().and_then(time::parse_duration)
}

fn spent_secs(i: &Issue) -> i64 {
    i.worklogs
        .iter()
        .filter_map(|w| time::parse_duration(&w.spent))
        .sum()
}

/// The value of one field, `None` when the id is unknown.
pub fn value(r: &R, i: &Issue, id: &str) -> Option<Value> {
    let project = i.project();
    let users = |u: &Option<String>| u.as_deref().map(|u| r.user(u)).unwrap_or(Value::Null);
    Some(match id {
        "summary" => json!(i.summary),
        "issuetype" => r.issue_type(&i.issuetype),
        "project" => r.project_ref(project),
        "status" => r.status(&i.status),
        "priority" => r.priority(&i.priority),
        "resolution" => r.resolution(i.resolution.as_deref()),
        "resolutiondate" => i
            .resolved
            .as_deref()
            .map(time::jira)
            .map(Value::from)
            .unwrap_or(Value::Null),
        "assignee" => users(&i.assignee),
        "reporter" | "creator" => r.user(&i.reporter),
        "created" => json!(time::jira(&i.created)),
        "updated" => json!(time::jira(&i.updated)),
        "statuscategorychangedate" => {
            let at = i
                .history
                .iter()
                .rev()
                .find(|h| h.items.iter().any(|c| c.field == "status"));
            json!(time::jira(
                at.map(|h| h.created.as_str()).unwrap_or(&i.created)
            ))
        }
        "duedate" => i.due.clone().map(Value::from).unwrap_or(Value::Null),
        "labels" => json!(i.labels),
        "components" => json!(
            i.components
                .iter()
                .map(|c| r.component(project, c))
                .collect::<Vec<_>>()
        ),
        "fixVersions" => json!(
            i.fix_versions
                .iter()
                .map(|v| r.version(project, v))
                .collect::<Vec<_>>()
        ),
        "versions" => json!(
            i.versions
                .iter()
                .map(|v| r.version(project, v))
                .collect::<Vec<_>>()
        ),
        "description" => opt_body(r, &i.description),
        "environment" => opt_body(r, &i.environment),
        "issuelinks" => json!(links(r, i)),
        "subtasks" => json!(
            r.st.jira
                .issues
                .iter()
                .filter(|s| s.parent.as_deref() == Some(&i.key)
                    && r.st.issue_type(&s.issuetype).is_some_and(|t| t.subtask))
                .map(|s| r.issue_mini(&s.key))
                .collect::<Vec<_>>()
        ),
        "parent" => match &i.parent {
            Some(p) if r.api.cloud() || is_subtask(r, i) => r.issue_mini(p),
            _ => return Some(Value::Null),
        },
        "attachment" => json!(
            i.attachments
                .iter()
                .map(|a| r.attachment(a))
                .collect::<Vec<_>>()
        ),
        "comment" => {
            let comments: Vec<Value> = i.comments.iter().map(|c| r.comment(i, c)).collect();
            json!({"comments": comments, "self": format!("{}{}/issue/{}/comment", r.base, r.api.prefix(), i.id),
                   "maxResults": comments.len(), "total": comments.len(), "startAt": 0})
        }
        "worklog" => {
            let logs: Vec<Value> = i.worklogs.iter().map(|w| r.worklog(i, w)).collect();
            json!({"startAt": 0, "maxResults": 20, "total": logs.len(), "worklogs": logs})
        }
        "timetracking" => {
            let mut t = Map::new();
            if let Some(s) = estimate_secs(&i.estimate) {
                t.insert("originalEstimate".into(), json!(time::format_duration(s)));
                t.insert("originalEstimateSeconds".into(), json!(s));
            }
            if let Some(s) = estimate_secs(&i.remaining).or(estimate_secs(&i.estimate)) {
                t.insert("remainingEstimate".into(), json!(time::format_duration(s)));
                t.insert("remainingEstimateSeconds".into(), json!(s));
            }
            let spent = spent_secs(i);
            if spent > 0 {
                t.insert("timeSpent".into(), json!(time::format_duration(spent)));
                t.insert("timeSpentSeconds".into(), json!(spent));
            }
            Value::Object(t)
        }
        "timeoriginalestimate" => estimate_secs(&i.estimate)
            .map(Value::from)
            .unwrap_or(Value::Null),
        "timeestimate" => estimate_secs(&i.remaining)
            .or(estimate_secs(&i.estimate))
            .map(Value::from)
            .unwrap_or(Value::Null),
        "timespent" => Some(spent_secs(i))
            .filter(|s| *s > 0)
            .map(Value::from)
            .unwrap_or(Value::Null),
        "watches" => {
            json!({"self": format!("{}{}/issue/{}/watchers", r.base, r.api.prefix(), i.key),
                            "watchCount": i.watchers.len(), "isWatching": false})
        }
        "votes" => json!({"self": format!("{}{}/issue/{}/votes", r.base, r.api.prefix(), i.key),
                          "votes": 0, "hasVoted": false}),
        _ => return custom_value(r, i, id),
    })
}

fn is_subtask(r: &R, i: &Issue) -> bool {
    r.st.issue_type(&i.issuetype).is_some_and(|t| t.subtask)
}

fn links(r: &R, i: &Issue) -> Vec<Value> {
    let mut out = Vec::new();
    for l in &r.st.jira.links {
        let Some(t) = r.st.jira.link_types.iter().find(|t| t.name == l.kind) else {
            continue;
        };
        let kind = json!({"id": t.id, "name": t.name, "inward": t.inward, "outward": t.outward,
                          "self": format!("{}{}/issueLinkType/{}", r.base, r.api.prefix(), t.id)});
        let base = |side: &str, other: &str| {
            json!({"id": l.id.to_string(), "self": format!("{}{}/issueLink/{}", r.base, r.api.prefix(), l.id),
                   "type": kind, side: r.issue_mini(other)})
        };
        if l.outward == i.key {
            out.push(base("outwardIssue", &l.inward));
        } else if l.inward == i.key {
            out.push(base("inwardIssue", &l.outward));
        }
    }
    out
}

fn custom_value(r: &R, i: &Issue, id: &str) -> Option<Value> {
    let f =
        r.st.jira
            .fields
            .iter()
            .find(|f| r.custom_id(f).as_deref() == Some(id))?;
    let raw = i.custom.get(&f.key);
    Some(match f.kind.as_str() {
        "sprint" => {
            let sprints: Vec<Value> = i
                .sprints
                .iter()
                .filter_map(|s| r.st.jira.sprints.iter().find(|x| x.id == *s))
                .map(|s| {
                    if r.api.cloud() {
                        let mut v = json!({"id": s.id, "name": s.name, "state": s.state, "boardId": s.board, "goal": s.goal});
                        for (k, t) in [("startDate", &s.start), ("endDate", &s.end), ("completeDate", &s.complete)] {
                            if let Some(t) = t {
                                v[k] = json!(time::conf(t));
                            }
                        }
                        v
                    } else {
                        let t = |x: &Option<String>| x.as_deref().map(time::jira).unwrap_or("<null>".into());
                        json!(format!(
                            "com.atlassian.greenhopper.service.sprint.Sprint@{:x}[id={},rapidViewId={},state={},name={},startDate={},endDate={},completeDate={},activatedDate={},sequence={},goal={}]",
                            0x5f3a00 + s.id, s.id, s.board, s.state.to_uppercase(), s.name,
                            t(&s.start), t(&s.end), t(&s.complete), t(&s.start), s.id, s.goal
                        ))
                    }
                })
                .collect();
            if sprints.is_empty() {
                Value::Null
            } else {
                json!(sprints)
            }
        }
        "epic_link" => match &i.parent {
            Some(p) if r.st.issue(p).is_some_and(|e| e.issuetype == "Epic") => json!(p),
            _ => Value::Null,
        },
        "option" => match raw.and_then(Value::as_str) {
            Some(v) => {
                let idx = f.options.iter().position(|o| o == v).unwrap_or(0);
                json!({"self": format!("{}{}/customFieldOption/{}", r.base, r.api.prefix(), 10100 + idx),
                       "value": v, "id": (10100 + idx).to_string()})
            }
            None => Value::Null,
        },
        "user" => raw
            .and_then(Value::as_str)
            .map(|u| r.user(u))
            .unwrap_or(Value::Null),
        "textarea" => match raw.and_then(Value::as_str) {
            Some(t) => r.body(&Body::Wiki(t.to_string())),
            None => Value::Null,
        },
        "request_type" => match raw.and_then(Value::as_str) {
            Some(rt) => super::jsm::request_type_field(r, i, rt),
            None => Value::Null,
        },
        "sla" => match raw {
            Some(v) => super::jsm::sla_field(f, id, v),
            None => Value::Null,
        },
        _ => raw.cloned().unwrap_or(Value::Null),
    })
}

/// The whole issue bean.
pub fn issue(r: &R, i: &Issue, sel: &Sel, expand: &[String], properties: &[String]) -> Value {
    let mut fields = Map::new();
    let mut shown = Vec::new();
    for (id, nav) in field_ids(r) {
        if sel.wants(&id, nav) {
            if let Some(v) = value(r, i, &id) {
                fields.insert(id.clone(), v);
                shown.push(id);
            }
        }
    }
    let self_url = format!("{}{}/issue/{}", r.base, r.api.prefix(), i.id);
    let mut v = json!({
        "expand": "renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations",
        "id": i.id.to_string(),
        "self": self_url,
        "key": i.key,
    });
    if !sel.is_empty() {
        v["fields"] = Value::Object(fields);
    }
    let has = |e: &str| expand.iter().any(|x| x == e);
    if has("renderedFields") {
        let mut rf = Map::new();
        for (id, body) in [
            ("description", &i.description),
            ("environment", &i.environment),
        ] {
            if shown.iter().any(|s| s == id) {
                rf.insert(
                    id.into(),
                    body.as_ref()
                        .map(|b| json!(r.body_html(b)))
                        .unwrap_or(Value::Null),
                );
            }
        }
        if shown.iter().any(|s| s == "comment") {
            let comments: Vec<Value> = i
                .comments
                .iter()
                .map(|c| {
                    let mut cv = r.comment(i, c);
                    cv["body"] = json!(r.body_html(&c.body));
                    cv
                })
                .collect();
            rf.insert("comment".into(), json!({"comments": comments, "maxResults": comments.len(), "total": comments.len(), "startAt": 0}));
        }
        for id in ["created", "updated", "resolutiondate"] {
            if shown.iter().any(|s| s == id) {
                rf.insert(
                    id.into(),
                    fields_get(&v, id)
                        .map(|_| json!("just now"))
                        .unwrap_or(Value::Null),
                );
            }
        }
        v["renderedFields"] = Value::Object(rf);
    }
    if has("names") || has("schema") {
        let (names, schema) = r.names_and_schema(&shown);
        if has("names") {
            v["names"] = names;
        }
        if has("schema") {
            v["schema"] = schema;
        }
    }
    if has("changelog") {
        v["changelog"] = changelog(r, i, 0, 100);
    }
    if has("transitions") {
        v["transitions"] = json!(super::issues::transitions_json(r, i, false));
    }
    if has("editmeta") {
        v["editmeta"] = json!({"fields": {}});
    }
    if !properties.is_empty() {
        let mut props = Map::new();
        for p in properties {
            if let Some(val) = i.properties.get(p) {
                props.insert(p.clone(), val.clone());
            } else if p == "*all" {
                props.extend(i.properties.clone());
            }
        }
        v["properties"] = Value::Object(props);
    }
    v
}

fn fields_get<'v>(v: &'v Value, id: &str) -> Option<&'v Value> {
    v["fields"].get(id).filter(|x| !x.is_null())
}

/// The change history page (embedded `changelog`, or `GET .../changelog` on Cloud).
pub fn changelog(r: &R, i: &Issue, start: usize, max: usize) -> Value {
    let total = i.history.len();
    let histories: Vec<Value> = i
        .history
        .iter()
        .skip(start)
        .take(max)
        .map(|h| history(r, h))
        .collect();
    json!({"startAt": start, "maxResults": max, "total": total, "histories": histories})
}

pub fn history(r: &R, h: &crate::model::History) -> Value {
    let items: Vec<Value> = h
        .items
        .iter()
        .map(|c| {
            let id_of = |name: &Option<String>, explicit: &Option<String>| -> Value {
                if explicit.is_some() {
                    return json!(explicit);
                }
                match (c.field.as_str(), name) {
                    ("status", Some(n)) => {
                        r.st.status(n).map(|s| json!(s.id)).unwrap_or(Value::Null)
                    }
                    ("resolution", Some(n)) => {
                        r.st.resolution(n)
                            .map(|s| json!(s.id))
                            .unwrap_or(Value::Null)
                    }
                    ("assignee", Some(n)) => {
                        r.st.user(n)
                            .map(|u| {
                                json!(if r.api.cloud() {
                                    &u.account_id
                                } else {
                                    &u.username
                                })
                            })
                            .unwrap_or(Value::Null)
                    }
                    _ => Value::Null,
                }
            };
            let string_of = |name: &Option<String>| match (c.field.as_str(), name) {
                ("assignee", Some(n)) => {
                    r.st.user(n)
                        .map(|u| json!(u.display_name))
                        .unwrap_or(json!(n))
                }
                (_, n) => json!(n),
            };
            let mut item = json!({"field": c.field, "fieldtype": "jira",
                "from": id_of(&c.from, &c.from_id), "fromString": string_of(&c.from),
                "to": id_of(&c.to, &c.to_id), "toString": string_of(&c.to)});
            if r.api.cloud() {
                item["fieldId"] = json!(c.field);
            }
            item
        })
        .collect();
    json!({"id": h.id.to_string(), "author": r.user(&h.author), "created": time::jira(&h.created), "items": items})
}

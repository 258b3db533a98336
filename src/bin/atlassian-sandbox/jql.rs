//! JQL over the stored issues: the fields realistic queries use (project, key, status,
//! statusCategory, assignee/reporter with `currentUser()`, type, priority, resolution, labels,
//! component, fixVersion, dates with relative values and `startOfDay()`-style functions, text
//! search, parent / "Epic Link", sprint with `openSprints()`, custom fields by id, `cf[N]` or
//! name), AND/OR/NOT, and ORDER BY. Unknown fields and values (also statuses, types,
//! priorities, resolutions, components, versions and users that do not exist) fail with Jira's
//! wording.
//! Results are restricted to the projects the caller may see.

use crate::markup;
use crate::model::{Body, Issue, User};
use crate::query::{self, Clause, Op, Query, Val};
use crate::store::Store;
use crate::time;

/// Parses and checks a query; the error is the whole message Jira would return.
pub fn compile(st: &Store, src: &str) -> Result<Query, String> {
    let q = query::parse(src)
        .map_err(|e| format!("Error in the JQL Query: {e}. The invalid query was: {src}"))?;
    if let Some(e) = &q.expr {
        for c in query::clauses(e) {
            let field = canonical(st, &c.field).ok_or(format!(
                "Field '{}' does not exist or you do not have permission to view it.",
                c.field
            ))?;
            if field == "project" {
                for v in &c.values {
                    if let Val::Text(p) = v {
                        if st.jira.projects.iter().all(|x| {
                            !(x.key.eq_ignore_ascii_case(p)
                                || x.id == *p
                                || x.name.eq_ignore_ascii_case(p))
                        }) {
                            return Err(format!(
                                "The value '{p}' does not exist for the field 'project'."
                            ));
                        }
                    }
                }
            }
            check_values(st, &field, c)?;
        }
    }
    for (f, _) in &q.order {
        if canonical(st, f).is_none() {
            return Err(format!("Not able to sort using field '{f}'."));
        }
    }
    Ok(q)
}

/// Jira refuses an equality clause whose value names no status, issue type, priority,
/// resolution, component, version or user: "The value 'X' does not exist for the field 'f'."
fn check_values(st: &Store, field: &str, c: &Clause) -> Result<(), String> {
    if !matches!(c.op, Op::Eq | Op::Ne | Op::In | Op::NotIn) {
        return Ok(());
    }
    let j = &st.jira;
    let known: Vec<(&str, &str)> = match field {
        "status" => j
            .statuses
            .iter()
            .map(|x| (x.id.as_str(), x.name.as_str()))
            .collect(),
        "type" => j
            .issue_types
            .iter()
            .map(|x| (x.id.as_str(), x.name.as_str()))
            .collect(),
        "priority" => j
            .priorities
            .iter()
            .map(|x| (x.id.as_str(), x.name.as_str()))
            .collect(),
        "resolution" => j
            .resolutions
            .iter()
            .map(|x| (x.id.as_str(), x.name.as_str()))
            .chain([("-1", "Unresolved")])
            .collect(),
        "component" => j
            .projects
            .iter()
            .flat_map(|p| {
                p.components
                    .iter()
                    .map(|x| (x.id.as_str(), x.name.as_str()))
            })
            .collect(),
        "fixversion" | "affectedversion" => j
            .projects
            .iter()
            .flat_map(|p| p.versions.iter().map(|x| (x.id.as_str(), x.name.as_str())))
            .collect(),
        "assignee" | "reporter" => st
            .users
            .iter()
            .flat_map(|u| {
                [
                    u.username.as_str(),
                    u.key.as_str(),
                    u.account_id.as_str(),
                    u.email.as_str(),
                ]
                .map(|x| (x, u.display_name.as_str()))
            })
            .collect(),
        _ => return Ok(()),
    };
    for v in &c.values {
        if let Val::Text(t) = v {
            if !known
                .iter()
                .any(|(id, name)| id == t || name.eq_ignore_ascii_case(t))
            {
                return Err(format!(
                    "The value '{t}' does not exist for the field '{}'.",
                    c.field
                ));
            }
        }
    }
    Ok(())
}

/// True when the query restricts the result (Cloud refuses unbounded `/search/jql` queries).
pub fn bounded(q: &Query) -> bool {
    q.expr.is_some()
}

/// Field name as written → the sandbox's canonical name (or a custom field key).
fn canonical(st: &Store, f: &str) -> Option<String> {
    let lower = f.to_ascii_lowercase();
    let known = match lower.as_str() {
        "project" => "project",
        "key" | "issuekey" | "id" | "issue" => "key",
        "status" => "status",
        "statuscategory" => "statuscategory",
        "assignee" => "assignee",
        "reporter" => "reporter",
        "creator" => "reporter",
        "priority" => "priority",
        "type" | "issuetype" => "type",
        "resolution" => "resolution",
        "labels" | "label" => "labels",
        "component" | "components" => "component",
        "fixversion" | "fixversions" => "fixversion",
        "affectedversion" | "version" | "versions" => "affectedversion",
        "created" | "createddate" => "created",
        "updated" | "updateddate" => "updated",
        "resolved" | "resolutiondate" => "resolved",
        "due" | "duedate" => "due",
        "text" => "text",
        "summary" => "summary",
        "description" => "description",
        "comment" => "comment",
        "environment" => "environment",
        "parent" => "parent",
        "epic link" | "parentepic" => "epic",
        "sprint" => "sprint",
        "watcher" => "watcher",
        "rank" => "rank",
        "request type" | "customer request type" => "request_type",
        _ => "",
    };
    if !known.is_empty() {
        return Some(known.to_string());
    }
    let num = lower
        .strip_prefix("cf[")
        .and_then(|s| s.strip_suffix(']'))
        .map(|n| format!("customfield_{n}"));
    let id = num.unwrap_or(lower.clone());
    st.jira
        .fields
        .iter()
        .find(|cf| {
            cf.name.eq_ignore_ascii_case(f)
                || cf.cloud_id.as_deref() == Some(id.as_str())
                || cf.dc_id.as_deref() == Some(id.as_str())
        })
        .map(|cf| match cf.kind.as_str() {
            "epic_link" => "epic".to_string(),
            "sprint" => "sprint".to_string(),
            _ => format!("cf:{}", cf.key),
        })
}

fn body_text(b: &Option<Body>) -> String {
    match b {
        Some(Body::Wiki(w)) => w.clone(),
        Some(Body::Adf(a)) => markup::adf_to_text(a),
        None => String::new(),
    }
}

fn day_start(ms: i64) -> i64 {
    ms.div_euclid(86_400_000) * 86_400_000
}

/// A date value (literal, relative, or function) → epoch ms; `(ms, whole_day)`.
fn date_value(v: &Val) -> Result<Option<(i64, bool)>, String> {
    let now = time::now_ms();
    Ok(match v {
        Val::Empty => None,
        Val::Text(t) => {
            if let Some(off) = time::relative_ms(t) {
                Some((now + off, false))
            } else if let Some(ms) = time::parse_ms(t) {
                Some((ms, t.trim().len() == 10))
            } else {
                return Err(format!(
                    "Date value '{t}' for field is invalid. Valid formats include: 'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd', or a period format e.g. '-5d', '4w 2d'."
                ));
            }
        }
        Val::Func(name, args) => {
            let off = args.first().and_then(|a| time::relative_ms(a)).unwrap_or(0);
            let today = day_start(now);
            let days = today / 86_400_000;
            let (y, m, _) = time::civil_from_days(days);
            let base = match name.as_str() {
                "now" => now,
                "startofday" => today,
                "endofday" => today + 86_400_000 - 1,
                "startofweek" => today - ((days + 4).rem_euclid(7)) * 86_400_000,
                "endofweek" => today + (7 - (days + 4).rem_euclid(7)) * 86_400_000 - 1,
                "startofmonth" => time::days_from_civil(y, m, 1) * 86_400_000,
                "startofyear" => time::days_from_civil(y, 1, 1) * 86_400_000,
                other => return Err(format!("Unable to find JQL function '{other}()'.")),
            };
            Some((base + off, false))
        }
    })
}

fn compare_dates(field: Option<&str>, op: Op, v: &Val) -> Result<bool, String> {
    let target = date_value(v)?;
    let actual = field.and_then(time::parse_ms);
    Ok(match (op, actual, target) {
        (Op::Is, a, None) | (Op::Eq, a, None) => a.is_none(),
        (Op::IsNot, a, None) | (Op::Ne, a, None) => a.is_some(),
        (_, None, _) | (_, _, None) => false,
        (op, Some(a), Some((t, whole_day))) => match op {
            Op::Eq if whole_day => day_start(a) == t,
            Op::Eq => a == t,
            Op::Ne => a != t,
            Op::Gt if whole_day => a >= t + 86_400_000,
            Op::Gt => a > t,
            Op::Ge => a >= t,
            Op::Lt => a < t,
            Op::Le if whole_day => a < t + 86_400_000,
            Op::Le => a <= t,
            _ => return Err("Dates support =, !=, <, <=, >, >= and IS [NOT] EMPTY.".into()),
        },
    })
}

/// Does this issue satisfy the clause?
fn clause(st: &Store, user: &User, i: &Issue, c: &Clause) -> Result<bool, String> {
    let field = canonical(st, &c.field).unwrap_or_default();
    let date = |s: Option<&str>| -> Result<bool, String> {
        match c.op {
            Op::In | Op::NotIn => Err(format!(
                "The operator '{:?}' is not supported by the '{}' field.",
                c.op, c.field
            )),
            _ => compare_dates(s, c.op, &c.values[0]),
        }
    };
    match field.as_str() {
        "created" => return date(Some(&i.created)),
        "updated" => return date(Some(&i.updated)),
        "resolved" => return date(i.resolved.as_deref()),
        "due" => return date(i.due.as_deref()),
        _ => {}
    }
    let texts: Option<String> = match field.as_str() {
        "text" => Some(format!(
            "{} {} {} {}",
            i.summary,
            body_text(&i.description),
            body_text(&i.environment),
            i.comments
                .iter()
                .map(|c| body_text(&Some(c.body.clone())))
                .collect::<Vec<_>>()
                .join(" ")
        )),
        "summary" => Some(i.summary.clone()),
        "description" => Some(body_text(&i.description)),
        "environment" => Some(body_text(&i.environment)),
        "comment" => Some(
            i.comments
                .iter()
                .map(|c| body_text(&Some(c.body.clone())))
                .collect::<Vec<_>>()
                .join(" "),
        ),
        _ => None,
    };
    if let Some(hay) = texts {
        let needle = match &c.values[0] {
            Val::Text(t) => t.clone(),
            _ => String::new(),
        };
        return match c.op {
            Op::Like => Ok(query::text_match(&hay, &needle)),
            Op::NotLike => Ok(!query::text_match(&hay, &needle)),
            Op::Is => Ok(hay.trim().is_empty()),
            Op::IsNot => Ok(!hay.trim().is_empty()),
            _ => Err(format!(
                "The operator '{}' is not supported by the '{}' field.",
                op_text(c.op),
                c.field
            )),
        };
    }
    // Multi-valued comparison: the issue's values for the field vs the clause's values.
    let project = st.project(i.project());
    let user_ids = |u: &Option<String>| -> Vec<String> {
        u.as_deref()
            .and_then(|u| st.user(u))
            .map(|u| {
                vec![
                    u.username.clone(),
                    u.account_id.clone(),
                    u.email.clone(),
                    u.display_name.clone(),
                    u.key.clone(),
                ]
            })
            .unwrap_or_default()
    };
    let have: Vec<String> = match field.as_str() {
        "project" => project
            .map(|p| vec![p.key.clone(), p.id.clone(), p.name.clone()])
            .unwrap_or_default(),
        "key" => vec![i.key.clone(), i.id.to_string()],
        "status" => vec![
            i.status.clone(),
            st.status(&i.status)
                .map(|s| s.id.clone())
                .unwrap_or_default(),
        ],
        "statuscategory" => {
            let cat = st
                .status(&i.status)
                .map(|s| s.category.clone())
                .unwrap_or_default();
            let name = match cat.as_str() {
                "done" => "Done",
                "indeterminate" => "In Progress",
                _ => "To Do",
            };
            vec![cat, name.to_string()]
        }
        "assignee" => user_ids(&i.assignee),
        "reporter" => user_ids(&Some(i.reporter.clone())),
        "priority" => vec![i.priority.clone()],
        "type" => vec![
            i.issuetype.clone(),
            st.issue_type(&i.issuetype)
                .map(|t| t.id.clone())
                .unwrap_or_default(),
        ],
        "resolution" => i.resolution.iter().cloned().collect(),
        "labels" => i.labels.clone(),
        "component" => i.components.clone(),
        "fixversion" => i.fix_versions.clone(),
        "affectedversion" => i.versions.clone(),
        "parent" => i.parent.iter().cloned().collect(),
        "epic" => i
            .parent
            .iter()
            .filter(|p| st.issue(p).is_some_and(|e| e.issuetype == "Epic"))
            .cloned()
            .collect(),
        "watcher" => i
            .watchers
            .iter()
            .flat_map(|w| user_ids(&Some(w.clone())))
            .collect(),
        "sprint" => i
            .sprints
            .iter()
            .filter_map(|s| st.jira.sprints.iter().find(|x| x.id == *s))
            .flat_map(|s| vec![s.id.to_string(), s.name.clone()])
            .collect(),
        "rank" => vec![i.rank.to_string()],
        "request_type" => i
            .custom
            .get("request_type")
            .and_then(|v| v.as_str())
            .and_then(|id| {
                st.jira
                    .service_desks
                    .iter()
                    .flat_map(|d| &d.request_types)
                    .find(|r| r.id == id)
            })
            .map(|r| vec![r.name.clone(), r.id.clone()])
            .unwrap_or_default(),
        f if f.starts_with("cf:") => match i.custom.get(&f[3..]) {
            Some(serde_json::Value::Array(a)) => a
                .iter()
                .map(|v| v.as_str().map(String::from).unwrap_or(v.to_string()))
                .collect(),
            Some(serde_json::Value::Null) | None => Vec::new(),
            Some(serde_json::Value::String(s)) => vec![s.clone()],
            Some(v) => vec![v.to_string()],
        },
        _ => {
            return Err(format!(
                "Field '{}' does not exist or you do not have permission to view it.",
                c.field
            ));
        }
    };
    // Expand the clause values (functions become lists).
    let mut wanted: Vec<String> = Vec::new();
    let mut wants_empty = false;
    for v in &c.values {
        match v {
            Val::Empty => wants_empty = true,
            Val::Text(t) => {
                if field == "resolution" && t.eq_ignore_ascii_case("unresolved") {
                    wants_empty = true;
                } else {
                    wanted.push(t.clone());
                }
            }
            Val::Func(name, _) => match name.as_str() {
                "currentuser" => wanted.push(user.username.clone()),
                "opensprints" | "closedsprints" | "futuresprints" => {
                    let state = &name[..name.len() - 7];
                    let state = if state == "open" {
                        "active"
                    } else if state == "future" {
                        "future"
                    } else {
                        "closed"
                    };
                    wanted.extend(
                        st.jira
                            .sprints
                            .iter()
                            .filter(|s| s.state == state)
                            .map(|s| s.id.to_string()),
                    );
                }
                "standardissuetypes" => wanted.extend(
                    st.jira
                        .issue_types
                        .iter()
                        .filter(|t| !t.subtask)
                        .map(|t| t.name.clone()),
                ),
                "subtaskissuetypes" => wanted.extend(
                    st.jira
                        .issue_types
                        .iter()
                        .filter(|t| t.subtask)
                        .map(|t| t.name.clone()),
                ),
                "releasedversions" | "unreleasedversions" => {
                    let released = name == "releasedversions";
                    wanted.extend(
                        st.jira
                            .projects
                            .iter()
                            .flat_map(|p| &p.versions)
                            .filter(|v| v.released == released)
                            .map(|v| v.name.clone()),
                    );
                }
                "empty" => wants_empty = true,
                other => return Err(format!("Unable to find JQL function '{other}()'.")),
            },
        }
    }
    let hit = have
        .iter()
        .any(|h| wanted.iter().any(|w| h.eq_ignore_ascii_case(w)));
    let numeric = |cmp: fn(f64, f64) -> bool| -> bool {
        let key_num = |s: &str| -> Option<f64> {
            if field == "key" {
                s.rsplit('-').next()?.parse().ok()
            } else {
                s.parse().ok()
            }
        };
        have.iter().any(|h| {
            wanted.iter().any(|w| match (key_num(h), key_num(w)) {
                (Some(a), Some(b)) => cmp(a, b),
                _ => false,
            })
        })
    };
    Ok(match c.op {
        Op::Eq | Op::In => hit || (wants_empty && have.is_empty()),
        Op::Ne | Op::NotIn => !have.is_empty() && !hit,
        Op::Is => have.is_empty(),
        Op::IsNot => !have.is_empty(),
        Op::Gt => numeric(|a, b| a > b),
        Op::Ge => numeric(|a, b| a >= b),
        Op::Lt => numeric(|a, b| a < b),
        Op::Le => numeric(|a, b| a <= b),
        Op::Like | Op::NotLike => {
            let any = have
                .iter()
                .any(|h| wanted.iter().any(|w| query::text_match(h, w)));
            (c.op == Op::Like) == any
        }
    })
}

fn op_text(op: Op) -> &'static str {
    match op {
        Op::Eq => "=",
        Op::Ne => "!=",
        Op::Like => "~",
        Op::NotLike => "!~",
        Op::Gt => ">",
        Op::Ge => ">=",
        Op::Lt => "<",
        Op::Le => "<=",
        Op::In => "in",
        Op::NotIn => "not in",
        Op::Is => "is",
        Op::IsNot => "is not",
    }
}

fn sort_key(st: &Store, i: &Issue, field: &str) -> (i64, String) {
    let key_num = |k: &str| {
        k.rsplit('-')
            .next()
            .and_then(|n| n.parse::<i64>().ok())
            .unwrap_or(0)
    };
    match canonical(st, field).as_deref().unwrap_or("") {
        "key" => (0, format!("{}-{:010}", i.project(), key_num(&i.key))),
        "created" => (0, i.created.clone()),
        "updated" => (0, i.updated.clone()),
        "resolved" => (0, i.resolved.clone().unwrap_or_default()),
        "due" => (0, i.due.clone().unwrap_or_default()),
        "priority" => (
            -(st.jira
                .priorities
                .iter()
                .position(|p| p.name == i.priority)
                .unwrap_or(99) as i64),
            String::new(),
        ),
        "status" => (0, i.status.clone()),
        "summary" => (0, i.summary.to_lowercase()),
        "assignee" => (0, i.assignee.clone().unwrap_or_default()),
        "type" => (0, i.issuetype.clone()),
        "rank" => (i.rank as i64, String::new()),
        f if f.starts_with("cf:") => {
            let v = i.custom.get(&f[3..]);
            (
                v.and_then(|v| v.as_f64())
                    .map(|x| (x * 1000.0) as i64)
                    .unwrap_or(i64::MIN),
                v.map(|v| v.to_string()).unwrap_or_default(),
            )
        }
        _ => (0, String::new()),
    }
}

/// Indices of the issues `user` may see that match, in the query's order.
pub fn run(st: &Store, user: &User, q: &Query) -> Result<Vec<usize>, String> {
    let mut hits = Vec::new();
    for (n, i) in st.jira.issues.iter().enumerate() {
        if !user.sees_project(i.project()) {
            continue;
        }
        let ok = match &q.expr {
            Some(e) => query::eval(e, &mut |c| clause(st, user, i, c))?,
            None => true,
        };
        if ok {
            hits.push(n);
        }
    }
    let order: Vec<(String, bool)> = if q.order.is_empty() {
        vec![("created".into(), true), ("key".into(), true)]
    } else {
        q.order.clone()
    };
    hits.sort_by(|a, b| {
        let (ia, ib) = (&st.jira.issues[*a], &st.jira.issues[*b]);
        for (f, desc) in &order {
            let ord = sort_key(st, ia, f).cmp(&sort_key(st, ib, f));
            let ord = if *desc { ord.reverse() } else { ord };
            if ord != std::cmp::Ordering::Equal {
                return ord;
            }
        }
        ia.id.cmp(&ib.id)
    });
    Ok(hits)
}

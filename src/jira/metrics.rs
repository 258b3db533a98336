//! Issue metrics from an issue's dates and status history (the changelog: Cloud's paged
//! endpoint, Server/DC's `expand=changelog`): its dates, status changes and time in each status,
//! and SLA figures (lead, cycle, resolution and first-response time, due-date compliance), in
//! calendar time or in working time as `JIRA_SLA_*` configure it. Example: with working hours
//! 09:00-17:00 on days 1-5 in UTC, an issue created on Friday 16:00 and resolved on Monday 10:00
//! has a lead time of 66 h calendar and 2 h working.

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value, json};

use super::clock::{self, WorkingTime, Zone};
use super::scope::text;
use super::shape::{iso_time, user};
use super::{Deployment, Error, Jira};
use crate::atlassian::paging::{self, Paging, Position, Style};
use crate::atlassian::segment;

/// Metrics `jira_get_issue_sla` computes.
pub const METRICS: [&str; 6] = [
    "cycle_time",
    "lead_time",
    "time_in_status",
    "due_date_compliance",
    "resolution_time",
    "first_response_time",
];

/// SLA defaults (`JIRA_SLA_*`).
#[derive(Debug, Clone, PartialEq)]
pub struct SlaSettings {
    pub metrics: Vec<String>,
    pub working_hours_only: bool,
    /// Minutes after local midnight.
    pub start_minute: u16,
    pub end_minute: u16,
    /// ISO weekdays, 1 = Monday.
    pub working_days: Vec<u8>,
    /// `UTC`, a fixed offset or an IANA name.
    pub timezone: String,
}

impl Default for SlaSettings {
    fn default() -> Self {
        SlaSettings {
            metrics: vec!["cycle_time".into(), "time_in_status".into()],
            working_hours_only: false,
            start_minute: 9 * 60,
            end_minute: 17 * 60,
            working_days: vec![1, 2, 3, 4, 5],
            timezone: "UTC".into(),
        }
    }
}

/// One status change.
struct Change {
    at: i64,
    at_text: String,
    from: String,
    to: String,
    by: Value,
}

/// An issue's dates and status history.
struct History {
    fields: Value,
    created: i64,
    changes: Vec<Change>,
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// A duration: hours (two decimals) and a short text.
fn duration(ms: i64) -> Value {
    let minutes = ms.max(0) / 60_000;
    let (d, h, m) = (minutes / 1440, minutes / 60 % 24, minutes % 60);
    let text = if d > 0 {
        format!("{d}d {h}h {m}m")
    } else {
        format!("{h}h {m}m")
    };
    json!({"hours": (ms.max(0) as f64 / 36_000.0).round() / 100.0, "text": text})
}

fn time_of(fields: &Value, name: &str) -> Option<i64> {
    fields
        .get(name)
        .and_then(Value::as_str)
        .and_then(clock::parse)
}

impl History {
    /// Status intervals: (status, from, to, is current), from creation to `now`.
    fn intervals(&self, now: i64) -> Vec<(String, i64, i64, bool)> {
        let current = self
            .fields
            .pointer("/status/name")
            .map(text)
            .unwrap_or_default();
        let mut status = self
            .changes
            .first()
            .map_or_else(|| current.clone(), |c| c.from.clone());
        let mut since = self.created;
        let mut out = Vec::new();
        for c in &self.changes {
            out.push((status, since, c.at, false));
            status = c.to.clone();
            since = c.at;
        }
        out.push((status, since, now.max(since), true));
        out
    }

    /// Time in each status, in order of first visit.
    fn time_in_status(&self, now: i64, span: &dyn Fn(i64, i64) -> i64) -> Vec<Value> {
        let mut order: Vec<String> = Vec::new();
        let mut totals: Map<String, Value> = Map::new();
        for (status, from, to, current) in self.intervals(now) {
            if !order.contains(&status) {
                order.push(status.clone());
                totals.insert(
                    status.clone(),
                    json!({"ms": 0, "visits": 0, "current": false}),
                );
            }
            let t = &mut totals[&status];
            t["ms"] = json!(t["ms"].as_i64().unwrap_or(0) + span(from, to));
            t["visits"] = json!(t["visits"].as_i64().unwrap_or(0) + 1);
            if current {
                t["current"] = json!(true);
            }
        }
        order
            .iter()
            .map(|s| {
                let t = &totals[s];
                let mut v = json!({"status": s, "time": duration(t["ms"].as_i64().unwrap_or(0)),
                                   "visits": t["visits"]});
                if t["current"] == json!(true) {
                    v["current"] = json!(true);
                }
                v
            })
            .collect()
    }
}

impl Jira {
    fn history(&self, key: &str, cancelled: &dyn Fn() -> bool) -> Result<History, Error> {
        self.check_project(key)?;
        let fields = "created,updated,duedate,resolutiondate,status,reporter,comment";
        let path = format!("{}/issue/{}", self.api(), segment(key));
        let mut r = self
            .client
            .get(&path)
            .query("fields", fields)
            .cancel_when(cancelled);
        if self.deployment() == Deployment::ServerDc {
            r = r.query("expand", "changelog");
        }
        let issue = r.send_json()?;
        if let Some(k) = issue.get("key").and_then(Value::as_str) {
            self.check_project(k)?;
        }
        let histories = match self.deployment() {
            Deployment::ServerDc => issue
                .pointer("/changelog/histories")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default(),
            Deployment::Cloud => {
                let mut fetch = |pos: &Position, size: usize| -> Result<Value, Error> {
                    let Position::Offset(at) = pos else {
                        return Ok(Value::Null);
                    };
                    Ok(self
                        .client
                        .get(&format!("{path}/changelog"))
                        .query("startAt", at)
                        .query("maxResults", size)
                        .cancel_when(cancelled)
                        .send_json()?)
                };
                let p = Paging {
                    style: Style::Offset,
                    start: Position::Offset(0),
                    want: paging::HARD_CAP,
                    page_size: 100,
                    items_key: "values",
                };
                paging::collect(p, &mut fetch, cancelled, &|_, _| {})?.items
            }
        };
        let fields = issue.get("fields").cloned().unwrap_or(Value::Null);
        let mut changes = Vec::new();
        for h in &histories {
            let at_text = h.get("created").map(text).unwrap_or_default();
            let Some(at) = clock::parse(&at_text) else {
                continue;
            };
            for item in h
                .get("items")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if item.get("field").and_then(Value::as_str) == Some("status") {
                    changes.push(Change {
                        at,
                        at_text: iso_time(&at_text),
                        from: item.get("fromString").map(text).unwrap_or_default(),
                        to: item.get("toString").map(text).unwrap_or_default(),
                        by: h.get("author").map(user).unwrap_or(Value::Null),
                    });
                }
            }
        }
        changes.sort_by_key(|c| c.at);
        let created = time_of(&fields, "created").unwrap_or(0);
        Ok(History {
            fields,
            created,
            changes,
        })
    }

    /// An issue's dates, status changes and time in each status (calendar time).
    pub fn issue_dates(
        &self,
        key: &str,
        status_changes: bool,
        status_summary: bool,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Value, Error> {
        let h = self.history(key, cancelled)?;
        let now = now_ms();
        let f = &h.fields;
        let date = |n: &str| f.get(n).and_then(Value::as_str).map(iso_time);
        let mut out = json!({
            "key": key, "status": f.pointer("/status/name"),
            "created": date("created"), "updated": date("updated"),
            "due_date": date("duedate"), "resolution_date": date("resolutiondate"),
            "age": duration(time_of(f, "resolutiondate").unwrap_or(now) - h.created),
        });
        if status_changes {
            out["status_changes"] = json!(
                h.changes
                    .iter()
                    .map(|c| json!({"at": c.at_text, "from": c.from, "to": c.to, "by": c.by}))
                    .collect::<Vec<_>>()
            );
        }
        if status_summary {
            out["time_in_status"] = json!(h.time_in_status(now, &|a, b| b - a));
        }
        Ok(out)
    }

    /// SLA figures of an issue. `metrics` and `working_hours_only` default to the settings.
    pub fn issue_sla(
        &self,
        key: &str,
        metrics: &[String],
        working_hours_only: Option<bool>,
        raw_dates: bool,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Value, Error> {
        let cfg = &self.settings.sla;
        let metrics: Vec<String> = if metrics.is_empty() {
            cfg.metrics.clone()
        } else {
            metrics.to_vec()
        };
        if let Some(bad) = metrics.iter().find(|m| !METRICS.contains(&m.as_str())) {
            return Err(Error::Invalid {
                param: "metrics",
                problem: format!("unknown metric {bad:?}; use {}", METRICS.join(", ")),
            });
        }
        let working = working_hours_only.unwrap_or(cfg.working_hours_only);
        let zone = Zone::named(&cfg.timezone).ok_or_else(|| Error::Invalid {
            param: "JIRA_SLA_TIMEZONE",
            problem: format!("time zone {:?} is unknown on this system", cfg.timezone),
        })?;
        let wt = WorkingTime {
            start_min: i64::from(cfg.start_minute),
            end_min: i64::from(cfg.end_minute),
            days: cfg.working_days.clone(),
            zone,
        };
        let span = |a: i64, b: i64| {
            if working {
                wt.between(a, b)
            } else {
                (b - a).max(0)
            }
        };
        let h = self.history(key, cancelled)?;
        let now = now_ms();
        let f = &h.fields;
        let resolved = time_of(f, "resolutiondate");
        let mut out = Map::new();
        for m in &metrics {
            let v = match m.as_str() {
                "lead_time" => {
                    json!({"time": duration(span(h.created, resolved.unwrap_or(now))), "resolved": resolved.is_some()})
                }
                "resolution_time" => match resolved {
                    Some(r) => json!({"time": duration(span(h.created, r))}),
                    None => json!({"resolved": false}),
                },
                "cycle_time" => match h.changes.first() {
                    Some(start) => json!({
                        "started": start.at_text,
                        "time": duration(span(start.at, resolved.unwrap_or(now))),
                        "resolved": resolved.is_some(),
                    }),
                    None => json!({"started": false}),
                },
                "time_in_status" => json!(h.time_in_status(now, &span)),
                "due_date_compliance" => {
                    match f
                        .get("duedate")
                        .and_then(Value::as_str)
                        .and_then(clock::parse)
                    {
                        None => json!({"due_date": false}),
                        Some(due) => {
                            // Due at the end of its day, in the configured zone.
                            let end = due + 86_400_000 - wt.zone.offset_at(due / 1000) * 1000;
                            let at = resolved.unwrap_or(now);
                            let mut v = json!({"due_date": f.get("duedate"), "met": at <= end,
                                               "resolved": resolved.is_some()});
                            let key = if at <= end { "margin" } else { "overdue_by" };
                            v[key] = duration(if at <= end {
                                span(at, end)
                            } else {
                                span(end, at)
                            });
                            v
                        }
                    }
                }
                "first_response_time" => {
                    let reporter = f.get("reporter").map(user).unwrap_or(Value::Null);
                    let first = f
                        .pointer("/comment/comments")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .filter(|c| c.get("author").map(user) != Some(reporter.clone()))
                        .filter_map(|c| c.get("created").and_then(Value::as_str))
                        .filter_map(clock::parse)
                        .min();
                    match first {
                        Some(t) => {
                            json!({"time": duration(span(h.created, t)), "at": clock::format_utc(t)})
                        }
                        None => json!({"responded": false}),
                    }
                }
                _ => continue,
            };
            out.insert(m.clone(), v);
        }
        let mut result = json!({"key": key, "working_hours_only": working, "metrics": out});
        if working {
            let hm = |m: u16| format!("{:02}:{:02}", m / 60, m % 60);
            result["working_hours"] = json!(format!(
                "{}-{} on days {} ({})",
                hm(cfg.start_minute),
                hm(cfg.end_minute),
                cfg.working_days
                    .iter()
                    .map(u8::to_string)
                    .collect::<Vec<_>>()
                    .join(","),
                cfg.timezone
            ));
        }
        if raw_dates {
            let date = |n: &str| f.get(n).and_then(Value::as_str).map(iso_time);
            result["raw_dates"] = json!({
                "created": date("created"), "resolved": date("resolutiondate"),
                "due_date": date("duedate"), "updated": date("updated"),
                "status_changes": h.changes.iter().map(|c| json!({"at": c.at_text, "to": c.to})).collect::<Vec<_>>(),
            });
        }
        Ok(result)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn history(changes: &[(&str, &str, &str)]) -> History {
        History {
            fields: json!({"status": {"name": changes.last().map_or("To Do", |c| c.2)}}),
            created: clock::parse("2026-11-02T09:00Z").unwrap(),
            changes: changes
                .iter()
                .map(|(at, from, to)| Change {
                    at: clock::parse(at).unwrap(),
                    at_text: at.to_string(),
                    from: from.to_string(),
                    to: to.to_string(),
                    by: Value::Null,
                })
                .collect(),
        }
    }

    #[test]
    fn time_in_status_adds_up_visits() {
        let h = history(&[
            ("2026-11-02T10:00Z", "To Do", "In Progress"),
            ("2026-11-02T12:00Z", "In Progress", "To Do"),
            ("2026-11-02T13:00Z", "To Do", "In Progress"),
            ("2026-11-02T14:00Z", "In Progress", "Done"),
        ]);
        let now = clock::parse("2026-11-02T15:00Z").unwrap();
        let t = h.time_in_status(now, &|a, b| b - a);
        assert_eq!(t[0]["status"], "To Do");
        assert_eq!(t[0]["time"]["hours"], 2.0);
        assert_eq!(t[0]["visits"], 2);
        assert_eq!(t[1]["time"]["text"], "3h 0m");
        assert_eq!(
            t[2],
            json!({"status": "Done", "time": {"hours": 1.0, "text": "1h 0m"}, "visits": 1, "current": true})
        );
    }

    #[test]
    fn the_documented_example_holds() {
        // Created Friday 16:00, resolved Monday 10:00: 66 h calendar, 2 h working.
        let wt = WorkingTime {
            start_min: 540,
            end_min: 1020,
            days: vec![1, 2, 3, 4, 5],
            zone: Zone::Fixed(0),
        };
        let (a, b) = (
            clock::parse("2026-11-06T16:00Z").unwrap(),
            clock::parse("2026-11-09T10:00Z").unwrap(),
        );
        assert_eq!(duration(b - a)["hours"], 66.0);
        assert_eq!(duration(wt.between(a, b))["text"], "2h 0m");
    }
}

//! The Jira Forms (ProForma) API of Cloud: an issue's forms, one form's questions with their
//! answers, and saving answers by question id. The API lives on the Cloud API gateway under
//! `/jira/forms/cloud/{cloudId}`, not on the site; the cloud id is the site's own (the
//! `/ex/jira/{id}` part of a gateway base URL, else the site's `/_edge/tenant_info`), remembered
//! per site, and the request goes out through `Client::gateway`, which sends the credentials to
//! that prefix only. Answers are checked against the form's questions before anything is written:
//! choice labels become choice ids, dates and times take the API's shapes.

use serde_json::{Map, Value, json};

use super::shape::rich_text;
use super::{Deployment, Error, Jira};
use crate::atlassian::{HttpError, Method, Request, segment};

/// A cloud id as Atlassian writes them (a UUID); anything else is not put in a path.
fn plain_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-')
}

/// The cloud id in a gateway base URL (`…/ex/jira/{id}`).
fn gateway_id(base: &str) -> Option<&str> {
    let (_, rest) = base.split_once("/ex/jira/")?;
    rest.split('/').next().filter(|id| !id.is_empty())
}

fn invalid(problem: String) -> Error {
    Error::Invalid {
        param: "answers",
        problem,
    }
}

/// The answer type the update takes for a question type code of the form design.
fn answer_type(code: &str) -> &str {
    match code {
        "no" => "NUMBER",
        "da" => "DATE",
        "dt" => "DATETIME",
        "ti" => "TIME",
        "cd" | "cs" => "SELECT",
        "cm" | "cl" => "MULTI_SELECT",
        "us" => "USER",
        "um" => "MULTI_USER",
        "at" => "ATTACHMENT",
        c if c.starts_with('t') => "TEXT",
        other => other,
    }
}

fn text_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn items(v: &Value) -> Vec<String> {
    match v {
        Value::Array(a) => a.iter().filter_map(text_of).collect(),
        Value::Null => Vec::new(),
        other => text_of(other).into_iter().collect(),
    }
}

/// `YYYY-MM-DD` from a date, an ISO date-time, or epoch milliseconds.
fn date_of(v: &Value) -> Option<String> {
    if let Some(ms) = v.as_i64() {
        let (y, m, d) = super::clock::civil_from_days(ms.div_euclid(86_400_000));
        return Some(format!("{y:04}-{m:02}-{d:02}"));
    }
    let s = v.as_str()?.trim();
    let d = s.get(..10)?;
    let b = d.as_bytes();
    let shape = b.len() == 10 && b[4] == b'-' && b[7] == b'-';
    (shape
        && d.bytes()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit()))
    .then(|| d.to_string())
}

/// `HH:MM` from a time or the time part of an ISO date-time.
fn time_of(s: &str) -> Option<String> {
    let t = s.split_once('T').map_or(s, |(_, t)| t);
    let hm = t.get(..5)?;
    let b = hm.as_bytes();
    (b[2] == b':' && b[..2].iter().chain(&b[3..]).all(u8::is_ascii_digit)).then(|| hm.to_string())
}

/// One caller answer (`{questionId, type?, value}`) in the API's shape, checked against the
/// question it names.
fn api_answer(
    i: usize,
    a: &Value,
    questions: &Map<String, Value>,
) -> Result<(String, Value), Error> {
    let o = a
        .as_object()
        .ok_or_else(|| invalid(format!("item {i} is not an object")))?;
    let qid = ["questionId", "question_id", "id"]
        .iter()
        .find_map(|k| o.get(*k).and_then(text_of))
        .ok_or_else(|| invalid(format!("item {i} has no questionId")))?;
    let Some(q) = questions.get(&qid) else {
        let known: Vec<String> = questions
            .iter()
            .map(|(id, q)| format!("{id} ({})", q["label"].as_str().unwrap_or("")))
            .collect();
        return Err(invalid(format!(
            "item {i}: the form has no question {qid}; it has {}",
            known.join(", ")
        )));
    };
    let value = o.get("value").cloned().unwrap_or(Value::Null);
    let code = q["type"].as_str().unwrap_or("");
    let kind = o
        .get("type")
        .and_then(Value::as_str)
        .map_or_else(|| answer_type(code).to_string(), str::to_ascii_uppercase);
    let bad = |want: &str| invalid(format!("item {i} (question {qid}, {kind}): {want}"));
    let answer = match kind.as_str() {
        "TEXT" | "PARAGRAPH" | "EMAIL" | "URL" => {
            json!({"text": text_of(&value).ok_or_else(|| bad("give the text"))?})
        }
        "NUMBER" => {
            let t = text_of(&value).filter(|t| t.trim().parse::<f64>().is_ok());
            json!({"text": t.ok_or_else(|| bad("give a number"))?.trim()})
        }
        "DATE" => json!({"date": date_of(&value).ok_or_else(|| bad("give a date as YYYY-MM-DD"))?}),
        "DATETIME" => {
            let s = value.as_str().unwrap_or_default();
            match (date_of(&value), time_of(s)) {
                (Some(d), Some(t)) => json!({"date": d, "time": t}),
                _ => return Err(bad("give a date-time as YYYY-MM-DDTHH:MM")),
            }
        }
        "TIME" => {
            json!({"time": value.as_str().and_then(time_of).ok_or_else(|| bad("give a time as HH:MM"))?})
        }
        "SELECT" | "MULTI_SELECT" | "CHECKBOX" | "RADIO" | "DROPDOWN" => {
            let choices = q["choices"].as_array().cloned().unwrap_or_default();
            let mut ids = Vec::new();
            for want in items(&value) {
                let found = choices.iter().find(|c| {
                    text_of(&c["id"]).as_deref() == Some(want.as_str())
                        || c["label"]
                            .as_str()
                            .is_some_and(|l| l.eq_ignore_ascii_case(want.trim()))
                });
                match (found, choices.is_empty()) {
                    (Some(c), _) => ids.push(text_of(&c["id"]).unwrap_or_default()),
                    (None, true) => ids.push(want),
                    (None, false) => {
                        let labels: Vec<&str> =
                            choices.iter().filter_map(|c| c["label"].as_str()).collect();
                        return Err(bad(&format!(
                            "{want:?} is not a choice; the choices are {}",
                            labels.join(", ")
                        )));
                    }
                }
            }
            json!({ "choices": ids })
        }
        "USER" | "MULTI_USER" => json!({ "users": items(&value) }),
        _ if value.is_object() => value,
        _ => {
            return Err(bad(
                "this question type takes an answer object in the Forms API's shape",
            ));
        }
    };
    Ok((qid, answer))
}

/// A stored answer as the caller would write it.
fn answer_out(a: &Value, q: &Value) -> Value {
    if let Some(t) = a.get("text") {
        return t.clone();
    }
    if let Some(ids) = a.get("choices").and_then(Value::as_array) {
        let label = |id: &Value| {
            q["choices"]
                .as_array()
                .and_then(|cs| cs.iter().find(|c| text_of(&c["id"]) == text_of(id)))
                .and_then(|c| c.get("label").cloned())
                .unwrap_or_else(|| id.clone())
        };
        return Value::Array(ids.iter().map(label).collect());
    }
    match (a.get("date"), a.get("time")) {
        (Some(Value::String(d)), Some(Value::String(t))) => return json!(format!("{d}T{t}")),
        (Some(d), None) => return d.clone(),
        (None, Some(t)) => return t.clone(),
        _ => {}
    }
    if let Some(u) = a.get("users") {
        return u.clone();
    }
    if let Some(adf) = a.get("adf") {
        return rich_text(adf, Deployment::Cloud, true);
    }
    a.clone()
}

/// One form: its settings and its questions, each with its answer.
fn form_out(f: &Value) -> Value {
    let empty = Map::new();
    let questions = f
        .pointer("/design/questions")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let answers = f.pointer("/state/answers").and_then(Value::as_object);
    let mut list: Vec<(&String, &Value)> = questions.iter().collect();
    list.sort_by_key(|(id, _)| (id.parse::<u64>().unwrap_or(u64::MAX), id.to_string()));
    let list: Vec<Value> = list
        .into_iter()
        .map(|(id, q)| {
            json!({
                "id": id,
                "label": q["label"],
                "type": answer_type(q["type"].as_str().unwrap_or("")),
                "required": q.pointer("/validation/rq").and_then(Value::as_bool).unwrap_or(false),
                "description": q["description"],
                "choices": q["choices"].as_array().map(|cs| cs.iter().map(|c| json!({"id": c["id"], "label": c["label"]})).collect::<Vec<_>>()),
                "jira_field": q["jiraField"],
                "answer": answers.and_then(|a| a.get(id.as_str())).map(|a| answer_out(a, q)),
            })
        })
        .collect();
    let status = match f.pointer("/state/status").and_then(Value::as_str) {
        Some("o") => "open",
        Some("s") => "submitted",
        Some("l") => "locked",
        _ => "",
    };
    json!({
        "id": f["id"],
        "name": f.pointer("/design/settings/name"),
        "status": status,
        "internal": f.pointer("/state/visibility").and_then(Value::as_str).map(|v| v == "i"),
        "updated": f["updated"],
        "questions": list,
    })
}

impl Jira {
    /// The site's cloud id (cached): from a gateway base URL, else `GET /_edge/tenant_info`.
    fn cloud_id(&self, cancelled: &dyn Fn() -> bool) -> Result<String, Error> {
        self.cache.cloud_id.get_or_try("id", || {
            let id = match gateway_id(&self.site_url) {
                Some(id) => id.to_string(),
                None => {
                    let v = self
                        .client
                        .get("/_edge/tenant_info")
                        .cancel_when(cancelled)
                        .send_json()?;
                    v["cloudId"].as_str().unwrap_or_default().to_string()
                }
            };
            if plain_id(&id) {
                Ok(id)
            } else {
                Err(Error::Http(HttpError::InvalidResponse {
                    reason: format!(
                        "the site gave no usable cloud id ({id:?}), which the Forms API needs"
                    ),
                }))
            }
        })
    }

    /// A Forms API request about one issue: `/issue/{key}/form{rest}` under the site's cloud id.
    fn forms_api<'a>(
        &'a self,
        method: Method,
        key: &str,
        rest: &str,
        cancelled: &'a dyn Fn() -> bool,
    ) -> Result<Request<'a>, Error> {
        self.check_project(key)?;
        if self.deployment() != Deployment::Cloud {
            return Err(Error::Invalid {
                param: "issue_key",
                problem: "the Forms API exists on Jira Cloud only".into(),
            });
        }
        let id = self.cloud_id(cancelled)?;
        let path = format!("/issue/{}/form{rest}", segment(key));
        Ok(self
            .client
            .gateway(method, &format!("/jira/forms/cloud/{id}"), &path)?
            .cancel_when(cancelled))
    }

    /// The forms attached to an issue.
    pub fn issue_forms(&self, key: &str, cancelled: &dyn Fn() -> bool) -> Result<Value, Error> {
        let v = self
            .forms_api(Method::Get, key, "", cancelled)?
            .send_json()?;
        let list = v
            .as_array()
            .or_else(|| v["forms"].as_array())
            .cloned()
            .unwrap_or_default();
        let forms: Vec<Value> = list
            .iter()
            .map(|f| {
                json!({
                    "id": f["id"], "name": f["name"], "submitted": f["submitted"],
                    "locked": f["lock"], "internal": f["internal"], "updated": f["updated"],
                    "template_id": f.pointer("/formTemplate/id"),
                })
            })
            .collect();
        Ok(json!({"issue_key": key, "count": forms.len(), "forms": forms}))
    }

    fn raw_form(
        &self,
        key: &str,
        form_id: &str,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Value, Error> {
        let rest = format!("/{}", segment(form_id));
        Ok(self
            .forms_api(Method::Get, key, &rest, cancelled)?
            .send_json()?)
    }

    /// One form of an issue: its questions, each with its answer.
    pub fn form_details(
        &self,
        key: &str,
        form_id: &str,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Value, Error> {
        let mut out = form_out(&self.raw_form(key, form_id, cancelled)?);
        out["issue_key"] = json!(key);
        Ok(out)
    }

    /// Save answers (`[{questionId, type?, value}]`), checked against the form first; returns
    /// the answered questions as Jira stored them.
    pub fn update_form_answers(
        &self,
        key: &str,
        form_id: &str,
        answers: &[Value],
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Value, Error> {
        if answers.is_empty() {
            return Err(invalid("give at least one answer".into()));
        }
        let form = self.raw_form(key, form_id, cancelled)?;
        let empty = Map::new();
        let questions = form
            .pointer("/design/questions")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let mut body = Map::new();
        for (i, a) in answers.iter().enumerate() {
            let (qid, answer) = api_answer(i, a, questions)?;
            body.insert(qid, answer);
        }
        let rest = format!("/{}", segment(form_id));
        let saved = self
            .forms_api(Method::Put, key, &rest, cancelled)?
            .json(json!({ "answers": body }))
            .send_json()?;
        let shown = form_out(if saved.pointer("/design/questions").is_some() {
            &saved
        } else {
            &form
        });
        let updated: Vec<Value> = shown["questions"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|q| q["id"].as_str().is_some_and(|id| body.contains_key(id)))
            .cloned()
            .collect();
        Ok(json!({
            "issue_key": key,
            "form_id": form_id,
            "updated": updated.len(),
            "questions": updated,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn questions() -> Map<String, Value> {
        json!({
            "1": {"type": "ts", "label": "Name"},
            "2": {"type": "no", "label": "Count"},
            "3": {"type": "dt", "label": "When"},
            "4": {"type": "cm", "label": "Scopes", "choices": [{"id": "1", "label": "Orders"}, {"id": "2", "label": "Invoices"}]},
        })
        .as_object()
        .cloned()
        .unwrap()
    }

    #[test]
    fn answers_take_the_api_shapes() {
        let q = questions();
        let a = |v: Value| api_answer(0, &v, &q);
        assert_eq!(
            a(json!({"questionId": "1", "value": "Acme"})).unwrap().1,
            json!({"text": "Acme"})
        );
        assert_eq!(
            a(json!({"questionId": 2, "value": 42})).unwrap().1,
            json!({"text": "42"})
        );
        assert_eq!(
            a(json!({"questionId": "3", "type": "DATETIME", "value": "2026-01-09T11:50:00-08:00"}))
                .unwrap()
                .1,
            json!({"date": "2026-01-09", "time": "11:50"})
        );
        assert_eq!(
            a(json!({"questionId": "4", "value": ["invoices", "1"]}))
                .unwrap()
                .1,
            json!({"choices": ["2", "1"]})
        );
        assert_eq!(
            a(json!({"questionId": "1", "type": "DATE", "value": 1_734_465_600_000_i64}))
                .unwrap()
                .1,
            json!({"date": "2024-12-17"})
        );
    }

    #[test]
    fn bad_answers_say_what_to_fix() {
        let q = questions();
        let e = |v: Value| api_answer(3, &v, &q).unwrap_err().to_string();
        assert!(
            e(json!({"questionId": "9", "value": "x"})).contains("no question 9; it has 1 (Name)")
        );
        assert!(e(json!({"questionId": "2", "value": "many"})).contains("give a number"));
        assert!(
            e(json!({"questionId": "4", "value": "Refunds"}))
                .contains("choices are Orders, Invoices")
        );
        assert!(e(json!({"value": "x"})).contains("item 3 has no questionId"));
    }

    #[test]
    fn cloud_ids_and_gateway_urls() {
        assert_eq!(
            gateway_id("https://api.atlassian.com/ex/jira/ab-12"),
            Some("ab-12")
        );
        assert_eq!(gateway_id("https://x.atlassian.net"), None);
        assert!(plain_id("8f2c1a7e-3b4d-4e5f-9a6b-0c1d2e3f4a5b"));
        assert!(!plain_id("../x") && !plain_id("") && !plain_id("a/b"));
    }

    #[test]
    fn stored_answers_read_back_as_written() {
        let form = json!({"id": "f", "design": {"settings": {"name": "N"}, "questions": questions()},
            "state": {"status": "o", "visibility": "e", "answers": {"4": {"choices": ["2"]}, "3": {"date": "2026-01-09", "time": "11:50"}}}});
        let out = form_out(&form);
        assert_eq!(out["status"], "open");
        assert_eq!(out["questions"][3]["answer"], json!(["Invoices"]));
        assert_eq!(out["questions"][2]["answer"], "2026-01-09T11:50");
        assert_eq!(out["questions"][1]["type"], "NUMBER");
    }
}

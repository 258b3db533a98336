//! Rows for the `jira_forms` toolset (Cloud only): SUP-7 holds an open form, SUP-3 a locked one.
//! The Forms API lives on the API gateway, which the sandbox plays under `localhost` (another
//! origin than the site's `127.0.0.1`). The first row that reaches the API finds the cloud id
//! (`/_edge/tenant_info`); the rows after it use the cached one. Rows answer question 5 only;
//! the flow test, on a server of its own, answers 3, 4 and 5 and reads them back.

use serde_json::{Value, json};

use crate::harness::{Dep, FILTERED, On, Row, Server, result_json, run_table, world};

const OPEN: &str = "c3f1a2b4-0d5e-4f60-8a7b-9c0d1e2f3a4b";

pub const ROWS: &[Row] = &[
    Row::ok(
        "jira_get_issue_proforma_forms",
        On::Cloud,
        r#"{"issue_key": "SUP-7"}"#,
        &["/count=1", "/forms/0/id=c3f1a2b4-0d5e-4f60-8a7b-9c0d1e2f3a4b", "/forms/0/name=API access request", "/forms/0/locked=false"],
        &["GET /_edge/tenant_info", "GET /issue/SUP-7/form"],
    ),
    Row::ok(
        "jira_get_issue_proforma_forms",
        On::Cloud,
        r#"{"issue_key": "WEB-1"}"#,
        &["/count=0"],
        &["GET /issue/WEB-1/form"],
    ),
    Row::err(
        "jira_get_issue_proforma_forms",
        On::Cloud,
        r#"{"issue_key": "SUP-7"}"#,
        "project SUP is outside the projects",
        &[],
    )
    .with(FILTERED),
    Row::err(
        "jira_get_issue_proforma_forms",
        On::Cloud,
        r#"{"issue_key": "SUP-999"}"#,
        "404",
        &["GET /issue/SUP-999/form"],
    ),
    Row::ok(
        "jira_get_proforma_form_details",
        On::Cloud,
        r#"{"issue_key": "SUP-7", "form_id": "c3f1a2b4-0d5e-4f60-8a7b-9c0d1e2f3a4b"}"#,
        &["/name=API access request", "/status=open", "/questions/0/answer=Acme Logistics", "/questions/0/required=true",
          "/questions/1/type=NUMBER", "/questions/3/choices/2/label=Tracking", "/questions/3/type=MULTI_SELECT"],
        &["GET /issue/SUP-7/form/c3f1a2b4-0d5e-4f60-8a7b-9c0d1e2f3a4b"],
    ),
    Row::err(
        "jira_get_proforma_form_details",
        On::Cloud,
        r#"{"issue_key": "SUP-7", "form_id": "no-such-form"}"#,
        "404",
        &["GET /issue/SUP-7/form/no-such-form"],
    ),
    Row::ok(
        "jira_update_proforma_form_answers",
        On::Cloud,
        r#"{"issue_key": "SUP-7", "form_id": "c3f1a2b4-0d5e-4f60-8a7b-9c0d1e2f3a4b",
            "answers": [{"questionId": "5", "type": "TEXT", "value": "rows@acme.example"}]}"#,
        &["/updated=1", "/questions/0/id=5", "/questions/0/answer=rows@acme.example"],
        &["GET /issue/SUP-7/form/c3f1a2b4-0d5e-4f60-8a7b-9c0d1e2f3a4b", "PUT /issue/SUP-7/form/c3f1a2b4-0d5e-4f60-8a7b-9c0d1e2f3a4b"],
    ),
    // A bad answer is refused before anything is written, and says what to fix.
    Row::err(
        "jira_update_proforma_form_answers",
        On::Cloud,
        r#"{"issue_key": "SUP-7", "form_id": "c3f1a2b4-0d5e-4f60-8a7b-9c0d1e2f3a4b",
            "answers": "[{\"questionId\": \"4\", \"value\": \"Refunds\"}]"}"#,
        "the choices are Orders, Invoices, Tracking",
        &["GET /issue/SUP-7/form/c3f1a2b4-0d5e-4f60-8a7b-9c0d1e2f3a4b"],
    ),
    Row::err(
        "jira_update_proforma_form_answers",
        On::Cloud,
        r#"{"issue_key": "SUP-3", "form_id": "7a6b5c4d-3e2f-4a1b-8c9d-0e1f2a3b4c5d",
            "answers": [{"questionId": "1", "value": "88108"}]}"#,
        "409",
        &["GET /issue/SUP-3/form/7a6b5c4d-3e2f-4a1b-8c9d-0e1f2a3b4c5d", "PUT /issue/SUP-3/form/7a6b5c4d-3e2f-4a1b-8c9d-0e1f2a3b4c5d"],
    ),
    Row::err(
        "jira_update_proforma_form_answers",
        On::Cloud,
        r#"{"issue_key": "SUP-7", "form_id": "c3f1a2b4-0d5e-4f60-8a7b-9c0d1e2f3a4b", "answers": [{"questionId": "5", "value": "x"}]}"#,
        "project SUP is outside the projects",
        &[],
    )
    .with(FILTERED),
    Row::err(
        "jira_update_proforma_form_answers",
        On::Cloud,
        r#"{"issue_key": "SUP-7", "form_id": "c3f1a2b4-0d5e-4f60-8a7b-9c0d1e2f3a4b", "answers": ["x"]}"#,
        "answers",
        &[],
    ),
];

#[test]
fn jira_forms_table() {
    run_table(ROWS);
}

fn ok(r: &Value) -> Value {
    assert_eq!(r["isError"], json!(false), "{r}");
    result_json(r)
}

/// The whole flow on a server of its own: the cloud id found once on the site, the Forms API
/// reached on the gateway's origin with the credentials, answers written by label and read back.
#[test]
fn forms_are_answered_on_the_gateway_and_read_back() {
    let w = world(Dep::Cloud);
    let mut s = Server::start(&w.sandbox.env("alice"), "2025-11-25");
    w.sandbox.clear_log();
    let forms = ok(&s.call(
        "jira_get_issue_proforma_forms",
        json!({"issue_key": "SUP-7"}),
    ));
    assert_eq!(forms["forms"][0]["id"], OPEN);
    let answers = json!([
        {"questionId": "3", "value": "2027-02-01T09:30:00+01:00"},
        {"questionId": "4", "value": ["orders", "Tracking"]},
        {"questionId": "5", "value": "flow@acme.example"},
    ]);
    let saved = ok(&s.call(
        "jira_update_proforma_form_answers",
        json!({"issue_key": "SUP-7", "form_id": OPEN, "answers": answers}),
    ));
    assert_eq!(saved["updated"], 3, "{saved}");
    let form = ok(&s.call(
        "jira_get_proforma_form_details",
        json!({"issue_key": "SUP-7", "form_id": OPEN}),
    ));
    let answer = |id: &str| {
        form["questions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|q| q["id"] == id)
            .map(|q| q["answer"].clone())
            .unwrap()
    };
    assert_eq!(
        answer("3"),
        json!("2027-02-01"),
        "a date question keeps the date"
    );
    assert_eq!(answer("4"), json!(["Orders", "Tracking"]));
    assert_eq!(answer("5"), json!("flow@acme.example"));
    let log = w.logged();
    let site = w.sandbox.base.trim_start_matches("http://");
    let gateway = site.replace("127.0.0.1", "localhost");
    let edge: Vec<&Value> = log
        .iter()
        .filter(|r| r["path"] == "/_edge/tenant_info")
        .collect();
    assert_eq!(edge.len(), 1, "the cloud id is found once: {log:?}");
    assert_eq!(edge[0]["host"], site);
    let cloud_id = "8f2c1a7e-3b4d-4e5f-9a6b-0c1d2e3f4a5b";
    let forms_api: Vec<&Value> = log
        .iter()
        .filter(|r| r["path"] != "/_edge/tenant_info")
        .collect();
    assert_eq!(forms_api.len(), 4, "{log:?}");
    for r in forms_api {
        let path = r["path"].as_str().unwrap();
        assert!(
            path.starts_with(&format!("/jira/forms/cloud/{cloud_id}/issue/SUP-7/form")),
            "{path}"
        );
        assert_eq!(
            r["host"],
            gateway.as_str(),
            "the Forms API is on the gateway"
        );
        assert_eq!(r["auth"], "basic", "with the site's credentials");
        assert_eq!(r["user"], "alice");
    }
    let put = log.iter().find(|r| r["method"] == "PUT").unwrap();
    assert_eq!(
        put["body"]["answers"],
        json!({"3": {"date": "2027-02-01"}, "4": {"choices": ["1", "3"]}, "5": {"text": "flow@acme.example"}}),
        "dates, choices by id: the API's shapes"
    );
}

/// With an OAuth token and a cloud id the client's base is the gateway itself: the cloud id
/// comes from it (no `/_edge/tenant_info`) and the bearer token reaches the Forms API.
#[test]
fn oauth_reaches_the_forms_api_with_its_cloud_id() {
    let w = world(Dep::Cloud);
    let cloud_id = "8f2c1a7e-3b4d-4e5f-9a6b-0c1d2e3f4a5b";
    let env: Vec<(String, String)> = [
        ("ATLASSIAN_OAUTH_CLOUD_ID", cloud_id),
        ("ATLASSIAN_OAUTH_ACCESS_TOKEN", "alice-oauth-token"),
        ("ATLASSIAN_API_GATEWAY_URL", w.sandbox.base.as_str()),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let mut s = Server::start(&env, "2025-11-25");
    w.sandbox.clear_log();
    let forms = ok(&s.call(
        "jira_get_issue_proforma_forms",
        json!({"issue_key": "SUP-7"}),
    ));
    assert_eq!(forms["count"], 1, "{forms}");
    let log = w.logged();
    assert_eq!(log.len(), 1, "{log:?}");
    assert_eq!(
        log[0]["path"],
        format!("/jira/forms/cloud/{cloud_id}/issue/SUP-7/form")
    );
    assert_eq!(log[0]["auth"], "bearer");
    assert_eq!(log[0]["user"], "alice");
}

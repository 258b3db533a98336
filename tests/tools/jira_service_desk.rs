//! Rows for the `jira_service_desk` toolset (service desk 1 is the SUP project's). Requests are
//! raised in SUP, which other tables only search.

use serde_json::json;

use crate::harness::{BOB, Dep, FILTERED, On, PLAIN, Row, result_json, run_table, world};

pub const ROWS: &[Row] = &[
    Row::ok(
        "jira_get_request_types",
        On::Both,
        r#"{"service_desk_id": "1"}"#,
        &["#/request_types=5", "/request_types/0/name=Billing question", "/is_last=true"],
        &["GET /rest/servicedeskapi/servicedesk/1/requesttype"],
    ),
    Row::ok(
        "jira_get_request_types",
        On::Both,
        r#"{"service_desk_id": "1", "start_at": 3, "limit": 1}"#,
        &["#/request_types=1", "/request_types/0/name=Order change", "/is_last=false"],
        &["GET /rest/servicedeskapi/servicedesk/1/requesttype"],
    ),
    Row::err(
        "jira_get_request_types",
        On::Both,
        r#"{"service_desk_id": "1"}"#,
        "SUP (of service desk 1) is outside the projects",
        &["GET /rest/servicedeskapi/servicedesk/1"],
    )
    .with(FILTERED),
    Row::err(
        "jira_get_request_types",
        On::Both,
        r#"{"service_desk_id": "1"}"#,
        "404",
        &["GET /rest/servicedeskapi/servicedesk/1/requesttype"],
    )
    .with(BOB),
    Row::ok(
        "jira_get_request_type_fields",
        On::Both,
        r#"{"service_desk_id": "1", "request_type_id": "3"}"#,
        &["/fields/0/id=summary", "/fields/0/required=true", "/can_raise_on_behalf_of=true", "/fields/2/valid_values/0/label"],
        &["GET /rest/servicedeskapi/servicedesk/1/requesttype/3/field"],
    ),
    Row::err(
        "jira_get_request_type_fields",
        On::Both,
        r#"{"service_desk_id": "1", "request_type_id": "99"}"#,
        "404",
        &["GET /rest/servicedeskapi/servicedesk/1/requesttype/99/field"],
    ),
    Row::ok(
        "jira_create_customer_request",
        On::Both,
        r#"{"service_desk_id": "1", "request_type_id": "1", "request_field_values": "{\"summary\": \"Charged twice\", \"description\": \"Order **88107** was charged twice\"}", "request_participants": "bob"}"#,
        &["/created=true", "/issue_key~SUP-", "/url~/browse/SUP-", "!note"],
        &["POST /rest/servicedeskapi/request"],
    ),
    Row::ok(
        "jira_create_customer_request",
        On::Both,
        r#"{"service_desk_id": "1", "request_type_id": "2", "request_field_values": {"summary": "Locked out"}, "raise_on_behalf_of": "nobody-at-all"}"#,
        &["/created=true", "/note~was refused"],
        &["POST /rest/servicedeskapi/request", "POST /rest/servicedeskapi/request"],
    ),
    Row::err(
        "jira_create_customer_request",
        On::Both,
        r#"{"service_desk_id": "1", "request_type_id": "2", "request_field_values": {"summary": "Locked out"}, "raise_on_behalf_of": "nobody-at-all", "strict_on_behalf": true}"#,
        "400",
        &["POST /rest/servicedeskapi/request"],
    ),
    Row::err(
        "jira_create_customer_request",
        On::Both,
        r#"{"service_desk_id": "1", "request_type_id": "3", "request_field_values": {"summary": "Down"}}"#,
        "400",
        &["POST /rest/servicedeskapi/request"],
    ),
    Row::err(
        "jira_create_customer_request",
        On::Both,
        r#"{"service_desk_id": "1", "request_type_id": "1", "request_field_values": {"summary": "x"}, "attachments": "a.png"}"#,
        "not supported yet",
        &[],
    ),
    Row::err(
        "jira_create_customer_request",
        On::Both,
        r#"{"service_desk_id": "1", "request_type_id": "1", "request_field_values": {"summary": "x"}}"#,
        "outside the projects",
        &["..."],
    )
    .with(FILTERED),
    Row::ok(
        "jira_get_service_desk_for_project",
        On::Server,
        r#"{"project_key": "SUP"}"#,
        &["/service_desk_id=1", "/project_key=SUP"],
        &["GET /rest/servicedeskapi/servicedesk"],
    ),
    Row::err(
        "jira_get_service_desk_for_project",
        On::Server,
        r#"{"project_key": "WEB"}"#,
        "project WEB has no service desk",
        &["GET /rest/servicedeskapi/servicedesk"],
    ),
    Row::err(
        "jira_get_service_desk_for_project",
        On::Server,
        r#"{"project_key": "SUP"}"#,
        "outside the projects",
        &[],
    )
    .with(FILTERED),
    Row::err(
        "jira_get_service_desk_for_project",
        On::Cloud,
        r#"{"project_key": "SUP"}"#,
        "Server/Data Center",
        &[],
    ),
    Row::ok(
        "jira_get_service_desk_queues",
        On::Server,
        r#"{"service_desk_id": "1"}"#,
        &["#/queues=4", "/queues/0/name=All open", "/queues/0/issue_count"],
        &["GET /rest/servicedeskapi/servicedesk/1/queue"],
    ),
    Row::err(
        "jira_get_service_desk_queues",
        On::Server,
        r#"{"service_desk_id": "1"}"#,
        "404",
        &["GET /rest/servicedeskapi/servicedesk/1/queue"],
    )
    .with(BOB),
    Row::ok(
        "jira_get_queue_issues",
        On::Server,
        r#"{"service_desk_id": "1", "queue_id": "3", "limit": 2}"#,
        &["#/issues=2", "/issues/0/key~SUP-", "/issues/0/issue_type=Incident"],
        &["GET /rest/servicedeskapi/servicedesk/1/queue/3/issue"],
    ),
    Row::err(
        "jira_get_queue_issues",
        On::Server,
        r#"{"service_desk_id": "1", "queue_id": "99"}"#,
        "404",
        &["GET /rest/servicedeskapi/servicedesk/1/queue/99/issue"],
    ),
];

#[test]
fn jira_service_desk_table() {
    run_table(ROWS);
}

/// A Markdown description reaches the request API as wiki markup on both deployments.
#[test]
fn request_descriptions_are_written_in_markdown() {
    for dep in [Dep::Cloud, Dep::Server] {
        let mut w = world(dep);
        w.sandbox.clear_log();
        let r = w.server(PLAIN).call(
            "jira_create_customer_request",
            json!({"service_desk_id": "1", "request_type_id": "4",
                   "request_field_values": {"summary": "Change order", "description": "Please **cancel** item 2"}}),
        );
        assert_eq!(r["isError"], json!(false), "{r}");
        assert!(
            result_json(&r)["issue_key"]
                .as_str()
                .unwrap()
                .starts_with("SUP-")
        );
        let log = w.logged();
        let body = &log.last().unwrap()["body"];
        assert_eq!(
            body.pointer("/requestFieldValues/description"),
            Some(&json!("Please *cancel* item 2")),
            "{dep:?}: {body}"
        );
    }
}

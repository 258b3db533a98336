//! The side services the reference tools use: service-desk requests (customers see only their
//! own requests and public comments), queues, forms, Agile sprint state rules, development
//! information, and Confluence content properties with their version rule.

use super::client::Sandbox;
use serde_json::json;

#[test]
fn service_desk_requests_queues_and_forms() {
    let sb = Sandbox::start("cloud");
    let desks = sb.get("/rest/servicedeskapi/servicedesk", "carol").json();
    assert_eq!(desks["values"][0]["projectKey"], "SUP");
    assert_eq!(
        sb.get("/rest/servicedeskapi/servicedesk", "bob").json()["size"],
        0
    );
    let fields = sb
        .get(
            "/rest/servicedeskapi/servicedesk/1/requesttype/3/field",
            "carol",
        )
        .json();
    let required: Vec<&str> = fields["requestTypeFields"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["required"] == true)
        .map(|f| f["fieldId"].as_str().unwrap())
        .collect();
    assert_eq!(required, ["summary", "description"]);
    let mine = sb
        .get("/rest/servicedeskapi/servicedesk/1/queue/2/issue", "carol")
        .json();
    let keys: Vec<&str> = mine["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["key"].as_str().unwrap())
        .collect();
    assert!(
        keys.contains(&"SUP-7") && !keys.contains(&"SUP-2"),
        "{keys:?}"
    );
    let missing = sb.post(
        "/rest/servicedeskapi/request",
        "frank",
        &json!({"serviceDeskId": "1", "requestTypeId": "2", "requestFieldValues": {}}),
    );
    assert_eq!(missing.status, 400);
    let raised = sb.post(
        "/rest/servicedeskapi/request",
        "frank",
        &json!({"serviceDeskId": "1", "requestTypeId": "2",
        "requestFieldValues": {"summary": "Locked out again", "description": "Same as last week"}}),
    );
    assert_eq!(raised.status, 201, "{}", raised.text());
    let key = raised.json()["issueKey"].as_str().unwrap().to_string();
    assert_eq!(
        sb.get(&format!("/rest/api/3/issue/{key}"), "frank").status,
        404,
        "customers have no project access"
    );
    assert_eq!(
        sb.get(&format!("/rest/servicedeskapi/request/{key}"), "frank")
            .json()["reporter"]["displayName"],
        "Frank Osei"
    );
    let internal = sb.post(
        &format!("/rest/servicedeskapi/request/{key}/comment"),
        "carol",
        &json!({"body": "Check the audit log", "public": false}),
    );
    assert_eq!(
        (internal.status, internal.json()["public"].as_bool()),
        (201, Some(false))
    );
    sb.post(
        &format!("/rest/servicedeskapi/request/{key}/comment"),
        "carol",
        &json!({"body": "We unlocked your account", "public": true}),
    );
    let seen = sb
        .get(
            &format!("/rest/servicedeskapi/request/{key}/comment"),
            "frank",
        )
        .json();
    assert_eq!(
        seen["values"].as_array().unwrap().len(),
        1,
        "the customer sees only the public comment"
    );
    assert_eq!(
        sb.get("/rest/servicedeskapi/request/SUP-2/sla", "carol")
            .json()["values"][0]["name"],
        "Time to resolution"
    );
    let forms = "/jira/forms/cloud/8f2c1a7e-3b4d-4e5f-9a6b-0c1d2e3f4a5b/issue";
    let list = sb.get(&format!("{forms}/SUP-7/form"), "carol").json();
    let id = list[0]["id"].as_str().unwrap().to_string();
    let saved = sb.put(
        &format!("{forms}/SUP-7/form/{id}"),
        "carol",
        &json!({"answers": {"5": {"text": "api@acme.example"}}}),
    );
    assert_eq!(
        saved.json()["state"]["answers"]["5"]["text"],
        "api@acme.example"
    );
    let locked = sb.get(&format!("{forms}/SUP-3/form"), "carol").json()[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        sb.put(
            &format!("{forms}/SUP-3/form/{locked}"),
            "carol",
            &json!({"answers": {}})
        )
        .status,
        409
    );
}

#[test]
fn sprints_follow_jira_state_rules() {
    let sb = Sandbox::start("server");
    let created = sb.post(
        "/rest/agile/1.0/sprint",
        "alice",
        &json!({"name": "WEB Sprint 17", "originBoardId": 1}),
    );
    assert_eq!(
        (created.status, created.json()["state"].as_str()),
        (201, Some("future"))
    );
    let id = created.json()["id"].as_u64().unwrap();
    let path = format!("/rest/agile/1.0/sprint/{id}");
    assert_eq!(
        sb.post(&path, "alice", &json!({"state": "active"})).status,
        400,
        "no dates yet"
    );
    let dated = json!({"state": "active", "startDate": "2026-11-30T09:00:00.000Z", "endDate": "2026-12-14T09:00:00.000Z"});
    assert_eq!(
        sb.post(&path, "alice", &dated).status,
        400,
        "sprint 2 is still active on this board"
    );
    let closed = sb
        .post(
            "/rest/agile/1.0/sprint/2",
            "alice",
            &json!({"state": "closed"}),
        )
        .json();
    assert!(closed["completeDate"].is_string());
    assert_eq!(sb.post(&path, "alice", &dated).json()["state"], "active");
    assert_eq!(
        sb.post(
            "/rest/agile/1.0/sprint/2",
            "alice",
            &json!({"state": "active"})
        )
        .status,
        400,
        "closed stays closed"
    );
    assert_eq!(
        sb.post(
            &format!("{path}/issue"),
            "alice",
            &json!({"issues": ["WEB-16"]})
        )
        .status,
        204
    );
    let issues = sb.get(&format!("{path}/issue"), "alice").json();
    assert_eq!(issues["issues"][0]["key"], "WEB-16");
    let backlog = sb
        .get("/rest/agile/1.0/board/1/backlog?maxResults=100", "alice")
        .json();
    assert!(
        backlog["issues"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["key"] != "WEB-16")
    );
    assert_eq!(
        sb.post(
            "/rest/agile/1.0/epic/WEB-8/issue",
            "alice",
            &json!({"issues": ["WEB-16"]})
        )
        .status,
        204
    );
    let dc = sb
        .get("/rest/api/2/issue/WEB-16?fields=customfield_10100", "alice")
        .json();
    assert_eq!(dc["fields"]["customfield_10100"], "WEB-8");
}

#[test]
fn development_information_and_content_properties() {
    let sb = Sandbox::start("server");
    let summary = sb
        .get("/rest/dev-status/latest/issue/summary?issueId=10002", "bob")
        .json();
    assert_eq!(summary["summary"]["pullrequest"]["overall"]["count"], 1);
    let detail = sb.get("/rest/dev-status/latest/issue/detail?issueId=10002&applicationType=GitHub&dataType=pullrequest", "bob").json();
    assert_eq!(detail["detail"][0]["pullRequests"][0]["status"], "OPEN");
    assert!(
        detail["detail"][0].get("branches").is_none(),
        "only the asked data type"
    );
    let cloud = Sandbox::start("cloud");
    let props = "/wiki/rest/api/content/1004/property";
    let width = json!({"key": "content-appearance-published", "value": "full-width"});
    assert_eq!(
        cloud.post(props, "bob", &width).json()["version"]["number"],
        1
    );
    assert_eq!(cloud.post(props, "bob", &width).status, 409, "create twice");
    let put = |n: u64| json!({"key": "content-appearance-published", "value": "fixed-width", "version": {"number": n}});
    assert_eq!(
        cloud
            .put(
                &format!("{props}/content-appearance-published"),
                "bob",
                &put(1)
            )
            .status,
        409
    );
    assert_eq!(
        cloud
            .put(
                &format!("{props}/content-appearance-published"),
                "bob",
                &put(2)
            )
            .json()["value"],
        "fixed-width"
    );
    let v2 = cloud
        .get("/wiki/api/v2/pages/1004/properties", "bob")
        .json();
    assert_eq!(v2["results"][0]["version"]["number"], 2);
    assert_eq!(cloud.get(&format!("{props}/nope"), "bob").status, 404);
}

/// Malformed input gets an error answer and changes nothing; the sandbox keeps serving.
#[test]
fn bad_input_never_takes_the_sandbox_down() {
    for flavour in ["cloud", "server"] {
        let sb = Sandbox::start(flavour);
        let auth = sb.auth("alice");
        let v = if sb.cloud() { "3" } else { "2" };
        let junk: &[(&str, String, &[u8])] = &[
            ("POST", format!("/rest/api/{v}/issue"), b"{not json"),
            ("POST", format!("/rest/api/{v}/issue"), b"[]"),
            (
                "PUT",
                format!("/rest/api/{v}/issue/WEB-1"),
                b"{\"fields\":{\"summary\":42,\"duedate\":\"tomorrow\"}}",
            ),
            (
                "POST",
                format!("/rest/api/{v}/issue/WEB-1/transitions"),
                b"{\"transition\":\"21\"}",
            ),
            (
                "POST",
                format!("/rest/api/{v}/issue/WEB-1/worklog"),
                b"{\"timeSpent\":\"a while\"}",
            ),
            ("GET", format!("/rest/api/{v}/search?jql=((((project"), b""),
            (
                "GET",
                format!("/rest/api/{v}/search?jql=created%20%3E%20%22yesterday%22"),
                b"",
            ),
            (
                "GET",
                format!("/rest/api/{v}/search?jql=project%3DWEB&maxResults=-5&startAt=x"),
                b"",
            ),
            ("GET", format!("/rest/api/{v}/issue/%ZZ%00"), b""),
            (
                "POST",
                "/rest/agile/1.0/sprint/999/issue".into(),
                b"{\"issues\":\"WEB-1\"}",
            ),
            ("GET", "/rest/api/content/search?cql=title%20~".into(), b""),
            (
                "GET",
                "/wiki/rest/api/search?cql=nosuchfield%20%3D%201".into(),
                b"",
            ),
            (
                "PUT",
                "/wiki/rest/api/content/1003".into(),
                b"{\"version\":{\"number\":\"five\"}}",
            ),
            ("POST", "/wiki/api/v2/pages".into(), b"{\"spaceId\":null}"),
            (
                "GET",
                "/rest/servicedeskapi/servicedesk/1/queue/9/issue".into(),
                b"",
            ),
        ];
        for (method, path, body) in junk {
            let r = sb
                .raw(
                    method,
                    path,
                    &[
                        ("Authorization", &auth),
                        ("Content-Type", "application/json"),
                    ],
                    Some(body),
                )
                .unwrap();
            assert!(
                (400..500).contains(&r.status),
                "{flavour} {method} {path}: {} {}",
                r.status,
                r.text()
            );
        }
        assert_eq!(
            sb.get(
                &format!("/rest/api/{v}/issue/WEB-1?fields=summary"),
                "alice"
            )
            .json()["fields"]["summary"],
            "Checkout redesign"
        );
    }
}

//! Tests of `support::spec_check`, the request checker: valid requests (with the gateway and
//! context-path prefixes, `/rest/api/latest`, multipart uploads, comma lists) pass, and each
//! kind of drift is reported — an undeclared query parameter, a bad enum value, a value of the
//! wrong type, a missing required parameter or body property, a body sent to an operation that
//! takes none, a wrong method, a Cloud-only path on Server/DC. The contract test replays its
//! whole case table through the checker; here a live sandbox's log is checked as well.

use super::client::Sandbox;
use crate::support::spec_check::SpecCheck;
use serde_json::{Value, json};

/// A request-log entry as the sandbox records it.
fn entry(method: &str, target: &str, body: Option<Value>) -> Value {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let bytes = body.as_ref().map_or(0, |b| b.to_string().len());
    json!({
        "method": method, "path": path, "query": query,
        "content_type": body.as_ref().map(|_| "application/json"),
        "body_bytes": bytes, "body": body,
    })
}

fn violations(flavour: &str, method: &str, target: &str, body: Option<Value>) -> Vec<String> {
    SpecCheck::new(flavour).check(&entry(method, target, body))
}

#[test]
fn valid_requests_pass() {
    let cases: &[(&str, &str, &str, Option<Value>)] = &[
        (
            "cloud",
            "GET",
            "/rest/api/3/issue/WEB-1?fields=summary,status&expand=names",
            None,
        ),
        ("cloud", "GET", "/ex/jira/abc-123/rest/api/3/myself", None),
        (
            "cloud",
            "GET",
            "/rest/api/2/issue/WEB-1?fields=summary",
            None,
        ),
        (
            "cloud",
            "GET",
            "/ex/confluence/abc/wiki/api/v2/pages/1003?body-format=storage",
            None,
        ),
        (
            "cloud",
            "GET",
            "/wiki/rest/api/content/1003?expand=body.storage,version",
            None,
        ),
        (
            "cloud",
            "GET",
            "/wiki/api/v2/pages/1003/direct-children?limit=5",
            None,
        ),
        (
            "cloud",
            "GET",
            "/rest/agile/1.0/board/1/issue?fields=summary,status",
            None,
        ),
        ("cloud", "GET", "/oauth/token/accessible-resources", None),
        ("cloud", "GET", "/rest/servicedeskapi/servicedesk", None),
        (
            "cloud",
            "PUT",
            "/wiki/api/v2/pages/1005",
            Some(
                json!({"id": "1005", "status": "current", "title": "T", "version": {"number": 2},
                        "body": {"representation": "storage", "value": "<p>x</p>"}}),
            ),
        ),
        (
            "server",
            "GET",
            "/jira/rest/api/latest/search?jql=project%3DWEB&maxResults=5",
            None,
        ),
        (
            "server",
            "GET",
            "/confluence/rest/api/content/1003?expand=body.storage",
            None,
        ),
        (
            "server",
            "POST",
            "/rest/api/2/issue/WEB-1/comment",
            Some(json!({"body": "wiki *text*"})),
        ),
    ];
    for (flavour, method, target, body) in cases {
        let v = violations(flavour, method, target, body.clone());
        assert!(v.is_empty(), "{flavour} {method} {target}: {v:?}");
    }
    let upload = json!({"method": "POST", "path": "/rest/api/3/issue/WEB-1/attachments", "query": "",
        "content_type": "multipart/form-data; boundary=x", "body_bytes": 300});
    assert!(SpecCheck::new("cloud").check(&upload).is_empty());
}

/// Asserts that the request yields a violation containing `needle`.
fn reported(flavour: &str, method: &str, target: &str, body: Option<Value>, needle: &str) {
    let v = violations(flavour, method, target, body);
    assert!(
        v.iter().any(|e| e.contains(needle)),
        "{flavour} {method} {target}: wanted a violation with {needle:?}, got {v:?}"
    );
}

#[test]
fn drift_is_reported() {
    reported(
        "cloud",
        "GET",
        "/rest/api/3/issue/WEB-1?fieldz=summary",
        None,
        "'fieldz' is not declared",
    );
    reported(
        "cloud",
        "GET",
        "/wiki/api/v2/pages/1003?body-format=markdown",
        None,
        "body-format",
    );
    reported(
        "cloud",
        "GET",
        "/wiki/api/v2/pages/1003?include-labels=yes",
        None,
        "expected boolean",
    );
    reported(
        "server",
        "GET",
        "/rest/api/2/search?jql=x&maxResults=fifty",
        None,
        "expected integer",
    );
    reported(
        "cloud",
        "GET",
        "/rest/agile/1.0/board/abc",
        None,
        "path parameter 'boardId'",
    );
    reported(
        "cloud",
        "GET",
        "/wiki/rest/api/content/1003?status=gone",
        None,
        "'status'",
    );
    reported(
        "cloud",
        "GET",
        "/wiki/rest/api/search?limit=3",
        None,
        "'cql' is missing",
    );
    let no_version = json!({"id": "1005", "status": "current", "title": "T",
        "body": {"representation": "storage", "value": "<p>x</p>"}});
    reported(
        "cloud",
        "PUT",
        "/wiki/api/v2/pages/1005",
        Some(no_version),
        "'version'",
    );
    let issues_as_string = json!({"issues": "WEB-1"});
    reported(
        "cloud",
        "POST",
        "/rest/agile/1.0/sprint/3/issue",
        Some(issues_as_string),
        "$.issues",
    );
    let typo = json!({"type": {"name": "Relates"}, "inwardIssue": {"key": "WEB-2"},
        "outwardIssue": {"key": "WEB-3"}, "coment": {"body": "x"}});
    reported(
        "cloud",
        "POST",
        "/rest/api/3/issueLink",
        Some(typo),
        "'coment'",
    );
    reported(
        "cloud",
        "DELETE",
        "/rest/api/3/issue/WEB-1",
        Some(json!({"x": 1})),
        "takes no request body",
    );
    reported(
        "cloud",
        "PUT",
        "/wiki/api/v2/pages/1005",
        None,
        "requires a request body",
    );
    reported(
        "cloud",
        "PATCH",
        "/rest/api/3/issue/WEB-1",
        None,
        "no PATCH",
    );
    reported(
        "cloud",
        "GET",
        "/rest/api/3/nothing/here",
        None,
        "has no operation",
    );
    reported(
        "cloud",
        "GET",
        "/rest/api/content/1003",
        None,
        "/wiki/rest/api",
    );
    // Cloud-only endpoints and paths on Server/DC.
    reported(
        "server",
        "GET",
        "/wiki/api/v2/pages/1003",
        None,
        "Confluence Cloud path",
    );
    reported(
        "server",
        "GET",
        "/rest/api/3/myself",
        None,
        "no REST API v3",
    );
    reported(
        "server",
        "POST",
        "/rest/api/2/search/jql",
        Some(json!({"jql": "x"})),
        "has no",
    );
    reported(
        "server",
        "GET",
        "/rest/api/content/1003/descendant/page/x",
        None,
        "has no",
    );
    // The legacy create-meta (gone since Jira 9) reads as an issue key there.
    reported(
        "server",
        "GET",
        "/rest/api/2/issue/createmeta?projectKeys=WEB",
        None,
        "'projectKeys'",
    );
    reported("server", "POST", "/rest/api/content/1/copy", None, "has no");
    let multipart_to_json = json!({"method": "POST", "path": "/rest/api/3/issueLink", "query": "",
        "content_type": "multipart/form-data; boundary=x", "body_bytes": 10});
    let v = SpecCheck::new("cloud").check(&multipart_to_json);
    assert!(
        v.iter().any(|e| e.contains("not a multipart body")),
        "{v:?}"
    );
}

/// The checker reads a live sandbox's log: gateway and context paths, bodies, all as logged.
#[test]
fn a_live_log_is_checked() {
    let sb = Sandbox::start("cloud");
    let info = sb.raw("GET", "/__sandbox/info", &[], None).unwrap().json();
    let gw = format!("/ex/jira/{}", info["cloud_id"].as_str().unwrap());
    sb.get(
        &format!("{gw}/rest/api/3/issue/WEB-1?fields=summary"),
        "alice",
    );
    sb.get(
        &format!("{gw}/rest/api/3/issue/WEB-1?feilds=summary"),
        "alice",
    );
    sb.post(
        "/rest/agile/1.0/sprint/3/issue",
        "alice",
        &json!({"issues": "WEB-16"}),
    );
    let found = SpecCheck::new("cloud").check_all(&sb.log(0));
    assert_eq!(found.len(), 2, "{found:#?}");
    assert!(found[0].contains("'feilds' is not declared"), "{found:?}");
    assert!(
        found[1].starts_with("POST /rest/agile/1.0/sprint/3/issue: body $.issues"),
        "{found:?}"
    );

    let dc = Sandbox::start("server");
    dc.get(
        "/jira/rest/api/2/search?jql=project%3DWEB&maxResults=ten",
        "bob",
    );
    dc.get(
        "/confluence/rest/api/content/1003?expand=body.storage",
        "bob",
    );
    let found = SpecCheck::new("server").check_all(&dc.log(0));
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0].contains("maxResults") && found[0].contains("expected integer"),
        "{found:?}"
    );
}

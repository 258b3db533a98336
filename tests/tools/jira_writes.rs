//! Rows for Jira tools part 1: issue writes and lists (`jira_issues`), comments, transitions,
//! worklogs, links, watchers, users, fields and attachments. Writes act on issues no other table
//! reads (OPS-7 to OPS-12, OPS-15) or on issues they create; each deployment has its own
//! sandbox, so the same row runs on both.

use crate::harness::{BOB, FILTERED, On, Row, run_table};

pub const ROWS: &[Row] = &[
    // jira_create_issue
    Row::ok(
        "jira_create_issue",
        On::Both,
        r#"{"project_key": "OPS", "summary": "Table row issue", "issue_type": "Task",
            "description": "**Bold** for [~accountid:5b10ac8d82e05b22cc7d4ef5]",
            "additional_fields": {"priority": "High", "labels": ["table"]}}"#,
        &["/key~OPS-", "/url~/browse/OPS-", "/issue_type=Task"],
        &["POST /rest/api/{api}/issue"],
    ),
    Row::ok(
        "jira_create_issue",
        On::Both,
        r#"{"project_key": "OPS", "summary": "By display name", "issue_type": "Task",
            "additional_fields": "{\"Story Points\": 3}"}"#,
        &["/key~OPS-"],
        &["..."],
    ),
    Row::err(
        "jira_create_issue",
        On::Both,
        r#"{"project_key": "OPS", "summary": "x", "issue_type": "NoSuchType"}"#,
        "400",
        &["POST /rest/api/{api}/issue"],
    ),
    Row::err(
        "jira_create_issue",
        On::Both,
        r#"{"project_key": "OPS", "summary": "x", "issue_type": "Task"}"#,
        "outside the projects",
        &[],
    )
    .with(FILTERED),
    // jira_batch_create_issues
    Row::ok(
        "jira_batch_create_issues",
        On::Both,
        r#"{"issues": [{"project_key": "OPS", "summary": "Batch A", "issue_type": "Task", "description": "*a*"},
                       {"project_key": "OPS", "summary": "Batch B", "issue_type": "NoSuchType"}]}"#,
        &[
            "/succeeded=1",
            "/failed=1",
            "/results/0/key~OPS-",
            "/results/1/error",
        ],
        &["POST /rest/api/{api}/issue/bulk"],
    ),
    Row::ok(
        "jira_batch_create_issues",
        On::Both,
        r#"{"issues": "[{\"project_key\": \"OPS\", \"summary\": \"Dry run\", \"issue_type\": \"Task\"}]", "validate_only": true}"#,
        &["/succeeded=1", "/results/0/valid=true"],
        &[],
    ),
    Row::err(
        "jira_batch_create_issues",
        On::Both,
        r#"{"issues": []}"#,
        "give 1 to 50 issues",
        &[],
    ),
    // jira_update_issue
    Row::ok(
        "jira_update_issue",
        On::Both,
        r#"{"issue_key": "OPS-7", "fields": {"summary": "Alert storm (updated)", "labels": ["alerts"]},
            "comment": "Updated by the *table*", "return_fields": "summary,labels"}"#,
        &[
            "/updated_fields",
            "/issue/summary=Alert storm (updated)",
            "/comment_id",
            "!errors",
        ],
        &[
            "PUT /rest/api/{api}/issue/OPS-7",
            "POST /rest/api/{api}/issue/OPS-7/comment",
            "GET /rest/api/{api}/issue/OPS-7",
        ],
    ),
    Row::ok(
        "jira_update_issue",
        On::Both,
        r#"{"issue_key": "OPS-7", "transition": "Start Progress", "worklog": "30m",
            "worklog_started": "2026-11-03T09:00:00+01:00", "return_fields": "status"}"#,
        &[
            "/status=In Progress",
            "/worklog_id",
            "/issue/status/name=In Progress",
        ],
        &[
            "GET /rest/api/{api}/issue/OPS-7/transitions",
            "POST /rest/api/{api}/issue/OPS-7/transitions",
            "POST /rest/api/{api}/issue/OPS-7/worklog",
            "GET /rest/api/{api}/issue/OPS-7",
        ],
    ),
    Row::err(
        "jira_update_issue",
        On::Both,
        r#"{"issue_key": "OPS-7"}"#,
        "nothing to change",
        &[],
    ),
    Row::err(
        "jira_update_issue",
        On::Both,
        r#"{"issue_key": "OPS-7", "fields": {"priority": "Nope"}, "comment": "never sent"}"#,
        "400",
        &["PUT /rest/api/{api}/issue/OPS-7"],
    ),
    // jira_assign_issue
    Row::ok(
        "jira_assign_issue",
        On::Both,
        r#"{"issue_key": "OPS-8", "assignee": "bob@example.com"}"#,
        &["/issue_key=OPS-8", "/assignee"],
        &[
            "GET /rest/api/{api}/user/search",
            "PUT /rest/api/{api}/issue/OPS-8/assignee",
        ],
    ),
    Row::ok(
        "jira_assign_issue",
        On::Both,
        r#"{"issue_key": "OPS-8"}"#,
        &["/unassigned=true"],
        &["PUT /rest/api/{api}/issue/OPS-8"],
    ),
    Row::err(
        "jira_assign_issue",
        On::Both,
        r#"{"issue_key": "OPS-8", "assignee": "nobody@nowhere.example"}"#,
        "no user matches",
        &["GET /rest/api/{api}/user/search"],
    ),
    // jira_delete_issue
    Row::err(
        "jira_delete_issue",
        On::Both,
        r#"{"issue_key": "OPS-15"}"#,
        "outside the projects",
        &[],
    )
    .with(FILTERED),
    Row::ok(
        "jira_delete_issue",
        On::Both,
        r#"{"issue_key": "OPS-15"}"#,
        &["/deleted=true"],
        &["DELETE /rest/api/{api}/issue/OPS-15"],
    ),
    Row::err(
        "jira_delete_issue",
        On::Both,
        r#"{"issue_key": "OPS-15"}"#,
        "404",
        &["DELETE /rest/api/{api}/issue/OPS-15"],
    ),
    // jira_get_project_issues
    Row::ok(
        "jira_get_project_issues",
        On::Both,
        r#"{"project_key": "WEB", "limit": 3}"#,
        &["#/issues=3", "/issues/0/key~WEB-"],
        &["..."],
    ),
    Row::ok(
        "jira_get_project_issues",
        On::Both,
        r#"{"project_key": "WEB", "limit": 2, "start_at": 18}"#,
        &["#/issues=2", "/start_at=18"],
        &["..."],
    ),
    Row::err(
        "jira_get_project_issues",
        On::Both,
        r#"{"project_key": "WEB"}"#,
        "outside the projects",
        &[],
    )
    .with(FILTERED),
    // jira_batch_get_changelogs (Cloud only)
    Row::ok(
        "jira_batch_get_changelogs",
        On::Cloud,
        r#"{"issue_ids_or_keys": "WEB-7,WEB-11", "limit": 5}"#,
        &["/changelogs/0/changes/0/items"],
        &["POST /rest/api/3/changelog/bulkfetch", "..."],
    ),
    Row::err(
        "jira_batch_get_changelogs",
        On::Cloud,
        r#"{"issue_ids_or_keys": "WEB-7"}"#,
        "outside the projects",
        &[],
    )
    .with(FILTERED),
    Row::err(
        "jira_batch_get_changelogs",
        On::Server,
        r#"{"issue_ids_or_keys": "WEB-7"}"#,
        "Cloud",
        &[],
    ),
    // jira_add_comment
    Row::ok(
        "jira_add_comment",
        On::Both,
        r#"{"issue_key": "OPS-9", "body": "Looks **good**, @[Bob](accountid:5d2f9e1a7c3b4a0012e4f6a1)"}"#,
        &["/id", "/body~**good**", "/author/display_name=Alice Nguyen"],
        &["POST /rest/api/{api}/issue/OPS-9/comment"],
    ),
    Row::ok(
        "jira_add_comment",
        On::Both,
        r#"{"issue_key": "OPS-9", "body": "Team only", "visibility": "{\"type\": \"group\", \"value\": \"developers\"}"}"#,
        &["/visibility/value=developers"],
        &["POST /rest/api/{api}/issue/OPS-9/comment"],
    ),
    Row::err(
        "jira_add_comment",
        On::Both,
        r#"{"issue_key": "OPS-9", "body": "x", "visibility": {"type": "everyone"}}"#,
        "visibility",
        &[],
    ),
    Row::err(
        "jira_add_comment",
        On::Both,
        r#"{"issue_key": "SUP-1", "body": "x"}"#,
        "404",
        &["POST /rest/api/{api}/issue/SUP-1/comment"],
    )
    .with(BOB),
    // jira_edit_comment
    Row::ok(
        "jira_edit_comment",
        On::Both,
        r#"{"issue_key": "OPS-11", "comment_id": "10095", "body": "Edited *here*"}"#,
        &["/id=10095", "/body~Edited"],
        &["PUT /rest/api/{api}/issue/OPS-11/comment/10095"],
    ),
    Row::err(
        "jira_edit_comment",
        On::Both,
        r#"{"issue_key": "OPS-11", "comment_id": "99999999", "body": "x"}"#,
        "404",
        &["PUT /rest/api/{api}/issue/OPS-11/comment/99999999"],
    ),
    // jira_get_transitions
    Row::ok(
        "jira_get_transitions",
        On::Both,
        r#"{"issue_key": "OPS-10"}"#,
        &[
            "/transitions/0/id",
            "/transitions/0/name",
            "/transitions/0/to_status",
        ],
        &["GET /rest/api/{api}/issue/OPS-10/transitions"],
    ),
    Row::err(
        "jira_get_transitions",
        On::Both,
        r#"{"issue_key": "OPS-10"}"#,
        "outside the projects",
        &[],
    )
    .with(FILTERED),
    // jira_transition_issue
    Row::ok(
        "jira_transition_issue",
        On::Both,
        r#"{"issue_key": "OPS-9", "transition_id": "done", "fields": {"resolution": "Done"},
            "comment": "Closing"}"#,
        &["/status=Done", "/transition/id"],
        &[
            "GET /rest/api/{api}/issue/OPS-9/transitions",
            "POST /rest/api/{api}/issue/OPS-9/transitions",
        ],
    ),
    Row::err(
        "jira_transition_issue",
        On::Both,
        r#"{"issue_key": "OPS-10", "transition_id": "Teleport"}"#,
        "available:",
        &["GET /rest/api/{api}/issue/OPS-10/transitions"],
    ),
    // jira_add_worklog
    Row::ok(
        "jira_add_worklog",
        On::Both,
        r#"{"issue_key": "OPS-10", "time_spent": "1h 30m", "started": "2026-11-03T09:00:00+01:00",
            "comment": "Pairing on the *runbook*", "remaining_estimate": "2h"}"#,
        &["/id", "/time_spent_seconds=5400", "/comment~runbook"],
        &["POST /rest/api/{api}/issue/OPS-10/worklog"],
    ),
    Row::err(
        "jira_add_worklog",
        On::Both,
        r#"{"issue_key": "OPS-10", "time_spent": "ninety"}"#,
        "not a Jira duration",
        &[],
    ),
    Row::err(
        "jira_add_worklog",
        On::Both,
        r#"{"issue_key": "OPS-10", "time_spent": "1h", "started": "tomorrow"}"#,
        "ISO 8601",
        &[],
    ),
    // jira_get_worklog
    Row::ok(
        "jira_get_worklog",
        On::Both,
        r#"{"issue_key": "WEB-7"}"#,
        &[
            "/worklogs/0/time_spent",
            "/worklogs/0/author/display_name",
            "/total_seconds",
        ],
        &["GET /rest/api/{api}/issue/WEB-7/worklog"],
    ),
    Row::err(
        "jira_get_worklog",
        On::Both,
        r#"{"issue_key": "WEB-7"}"#,
        "outside the projects",
        &[],
    )
    .with(FILTERED),
    // jira_get_link_types
    Row::ok(
        "jira_get_link_types",
        On::Both,
        r#"{"name_filter": "block"}"#,
        &["#/link_types=1", "/link_types/0/name=Blocks"],
        &["..."],
    ),
    Row::err(
        "jira_get_link_types",
        On::Both,
        r#"{"name_filter": ["block"]}"#,
        "name_filter",
        &[],
    ),
    // jira_create_issue_link
    Row::ok(
        "jira_create_issue_link",
        On::Both,
        r#"{"link_type": "blocks", "inward_issue_key": "OPS-8", "outward_issue_key": "OPS-7", "comment": "Linked by the table"}"#,
        &["/link_type=Blocks", "/reads=OPS-7 blocks OPS-8"],
        &["POST /rest/api/{api}/issueLink"],
    ),
    Row::err(
        "jira_create_issue_link",
        On::Both,
        r#"{"link_type": "Nope", "inward_issue_key": "OPS-8", "outward_issue_key": "OPS-7"}"#,
        "Blocks",
        &["..."],
    ),
    // jira_remove_issue_link
    Row::err(
        "jira_remove_issue_link",
        On::Both,
        r#"{"link_id": "10115"}"#,
        "outside the projects",
        &["GET /rest/api/{api}/issueLink/10115"],
    )
    .with(FILTERED),
    Row::ok(
        "jira_remove_issue_link",
        On::Both,
        r#"{"link_id": "10116"}"#,
        &["/removed=true"],
        &["DELETE /rest/api/{api}/issueLink/10116"],
    ),
    Row::err(
        "jira_remove_issue_link",
        On::Both,
        r#"{"link_id": "10116"}"#,
        "404",
        &["DELETE /rest/api/{api}/issueLink/10116"],
    ),
    // jira_create_remote_issue_link
    Row::ok(
        "jira_create_remote_issue_link",
        On::Both,
        r#"{"issue_key": "OPS-10", "url": "https://runbooks.example.com/redis", "title": "Runbook", "relationship": "documentation"}"#,
        &["/id", "/title=Runbook"],
        &["POST /rest/api/{api}/issue/OPS-10/remotelink"],
    ),
    Row::err(
        "jira_create_remote_issue_link",
        On::Both,
        r#"{"issue_key": "OPS-10", "url": "ftp://example.com/x", "title": "x"}"#,
        "http",
        &[],
    ),
    // jira_link_to_epic
    Row::ok(
        "jira_link_to_epic",
        On::Both,
        r#"{"issue_key": "OPS-8", "epic_key": "OPS-1"}"#,
        &["/linked=true", "/epic_key=OPS-1"],
        &[
            "PUT /rest/api/{api}/issue/OPS-8",
            "GET /rest/api/{api}/issue/OPS-8",
        ],
    ),
    Row::err(
        "jira_link_to_epic",
        On::Both,
        r#"{"issue_key": "OPS-8", "epic_key": "MOB-1"}"#,
        "outside the projects",
        &[],
    )
    .with(FILTERED),
    // jira_get_issue_watchers
    Row::ok(
        "jira_get_issue_watchers",
        On::Both,
        r#"{"issue_key": "WEB-1"}"#,
        &["/watchers/0/display_name", "/watch_count"],
        &["GET /rest/api/{api}/issue/WEB-1/watchers"],
    ),
    Row::err(
        "jira_get_issue_watchers",
        On::Both,
        r#"{"issue_key": "WEB-1"}"#,
        "outside the projects",
        &[],
    )
    .with(FILTERED),
    // jira_add_watcher / jira_remove_watcher
    Row::ok(
        "jira_add_watcher",
        On::Both,
        r#"{"issue_key": "OPS-9", "user_identifier": "carol@example.com"}"#,
        &["/added"],
        &[
            "GET /rest/api/{api}/user/search",
            "POST /rest/api/{api}/issue/OPS-9/watchers",
        ],
    ),
    Row::err(
        "jira_add_watcher",
        On::Both,
        r#"{"issue_key": "OPS-9", "user_identifier": "nobody@nowhere.example"}"#,
        "no user matches",
        &["GET /rest/api/{api}/user/search"],
    ),
    Row::ok(
        "jira_remove_watcher",
        On::Cloud,
        r#"{"issue_key": "OPS-9", "account_id": "60a7b3c2d1e4f50069b8c7d2"}"#,
        &["/removed=60a7b3c2d1e4f50069b8c7d2"],
        &["DELETE /rest/api/3/issue/OPS-9/watchers"],
    ),
    Row::ok(
        "jira_remove_watcher",
        On::Server,
        r#"{"issue_key": "OPS-9", "username": "carol"}"#,
        &["/removed=carol"],
        &["DELETE /rest/api/2/issue/OPS-9/watchers"],
    ),
    Row::err(
        "jira_remove_watcher",
        On::Both,
        r#"{"issue_key": "OPS-9"}"#,
        "give account_id",
        &[],
    ),
    // jira_get_user_profile
    Row::ok(
        "jira_get_user_profile",
        On::Both,
        r#"{"user_identifier": "bob@example.com"}"#,
        &["/display_name=Bob Okafor", "!avatarUrls"],
        &["..."],
    ),
    Row::ok(
        "jira_get_user_profile",
        On::Cloud,
        r#"{"user_identifier": "5d2f9e1a7c3b4a0012e4f6a1"}"#,
        &[
            "/display_name=Bob Okafor",
            "/account_id=5d2f9e1a7c3b4a0012e4f6a1",
        ],
        &["GET /rest/api/3/user"],
    ),
    Row::ok(
        "jira_get_user_profile",
        On::Server,
        r#"{"user_identifier": "bob"}"#,
        &["/display_name=Bob Okafor", "/name=bob"],
        &["GET /rest/api/2/user"],
    ),
    Row::err(
        "jira_get_user_profile",
        On::Both,
        r#"{"user_identifier": "nobody@nowhere.example"}"#,
        "no user matches",
        &["..."],
    ),
    // jira_search_assignable_users
    Row::ok(
        "jira_search_assignable_users",
        On::Both,
        r#"{"query": "a", "project_key": "WEB", "limit": 5}"#,
        &["/users/0/display_name"],
        &["GET /rest/api/{api}/user/assignable/search"],
    ),
    Row::err(
        "jira_search_assignable_users",
        On::Both,
        r#"{"query": "a"}"#,
        "give project_key or issue_key",
        &[],
    ),
    // jira_search_fields
    Row::ok(
        "jira_search_fields",
        On::Both,
        r#"{"keyword": "story points"}"#,
        &["/fields/0/name=Story Points", "/fields/0/custom=true"],
        &["..."],
    ),
    Row::err(
        "jira_search_fields",
        On::Both,
        r#"{"keyword": "x", "limit": 0}"#,
        "below the minimum 1",
        &[],
    ),
    // jira_get_field_options
    Row::ok(
        "jira_get_field_options",
        On::Cloud,
        r#"{"field_id": "Team", "contains": "pay"}"#,
        &[
            "/field_id=customfield_10030",
            "/options/0/value=Payments",
            "#/options=1",
        ],
        &[
            "GET /rest/api/3/field/customfield_10030/context",
            "GET /rest/api/3/field/customfield_10030/context/10200/option",
        ],
    ),
    Row::ok(
        "jira_get_field_options",
        On::Server,
        r#"{"field_id": "customfield_10201", "project_key": "WEB", "issue_type": "Bug", "values_only": true}"#,
        &["/options/0~S1"],
        &["..."],
    ),
    Row::err(
        "jira_get_field_options",
        On::Server,
        r#"{"field_id": "customfield_10201"}"#,
        "give project_key and issue_type",
        &["..."],
    ),
    Row::err(
        "jira_get_field_options",
        On::Cloud,
        r#"{"field_id": "No Such Field"}"#,
        "no field is named",
        &["..."],
    ),
    // jira_download_attachments / jira_get_issue_images
    Row::ok(
        "jira_download_attachments",
        On::Both,
        r#"{"issue_key": "WEB-4"}"#,
        &["/count=2", "/files/0/filename"],
        &["GET /rest/api/{api}/issue/WEB-4", "..."],
    ),
    Row::err(
        "jira_download_attachments",
        On::Both,
        r#"{"issue_key": "WEB-4"}"#,
        "outside the projects",
        &[],
    )
    .with(FILTERED),
    Row::ok(
        "jira_get_issue_images",
        On::Both,
        r#"{"issue_key": "WEB-4"}"#,
        &["/count=1", "/files/0/mime_type=image/png"],
        &["GET /rest/api/{api}/issue/WEB-4", "..."],
    ),
    Row::err(
        "jira_get_issue_images",
        On::Both,
        r#"{"issue_key": "SUP-1"}"#,
        "404",
        &["GET /rest/api/{api}/issue/SUP-1"],
    )
    .with(BOB),
];

#[test]
fn jira_writes_table() {
    run_table(ROWS);
}

/// Reference issue #1192: a description update from Markdown must not drop what Markdown cannot
/// express. OPS-14's stored ADF holds a video (media), a mention and a warning panel; the
/// update rewrites the first paragraph, keeps the panel's text and leaves the video out of the
/// Markdown, and every one of those nodes is still there afterwards, attributes and all.
#[test]
fn media_mentions_and_panels_survive_a_description_update_on_cloud() {
    use crate::harness::{Dep, PLAIN, result_json, world};
    use serde_json::{Value, json};

    let mut w = world(Dep::Cloud);
    w.sandbox.clear_log();
    let stored = |w: &crate::harness::World| -> Value {
        let url = format!(
            "{}/rest/api/3/issue/OPS-14?fields=description",
            w.sandbox.base
        );
        let body = ureq::get(&url)
            .header(
                "Authorization",
                "Basic YWxpY2VAZXhhbXBsZS5jb206YWxpY2UtYXBpLXRva2Vu",
            )
            .call()
            .unwrap()
            .into_body()
            .read_to_string()
            .unwrap();
        serde_json::from_str::<Value>(&body).unwrap()["fields"]["description"].clone()
    };
    let before = stored(&w);
    let blocks = |d: &Value| d["content"].as_array().cloned().unwrap_or_default();
    let media_before = blocks(&before)
        .into_iter()
        .find(|b| b["type"] == "mediaSingle")
        .expect("the fixture holds media");
    let panel_before = blocks(&before)
        .into_iter()
        .find(|b| b["type"] == "panel")
        .expect("the fixture holds a panel");

    let markdown = "Recording of the drill, reviewed by [@Bob Okafor](mention:5d2f9e1a7c3b4a0012e4f6a1).\n\n\
                    > [!WARNING]\n> Do not share the recording outside the team.\n\n\
                    Notes follow: the failover took **4 minutes**.";
    let r = w.server(PLAIN).call(
        "jira_update_issue",
        json!({"issue_key": "OPS-14", "fields": {"description": markdown}, "return_fields": "description"}),
    );
    assert_eq!(r["isError"], false, "{r}");
    let out = result_json(&r);
    assert!(
        out["description_blocks_kept"].as_u64().unwrap_or(0) >= 1,
        "{out}"
    );
    w.logged();

    let after = stored(&w);
    let text = after.to_string();
    assert!(
        blocks(&after).contains(&media_before),
        "media lost: {after}"
    );
    assert!(
        blocks(&after).contains(&panel_before),
        "panel lost: {after}"
    );
    assert!(
        text.contains("\"type\":\"mention\"") && text.contains("5d2f9e1a7c3b4a0012e4f6a1"),
        "{after}"
    );
    assert!(text.contains("4 minutes"), "the edit is applied: {after}");
}

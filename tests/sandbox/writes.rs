//! Sandbox writes and reads on both flavours: issue create/comment/transition/worklog/delete,
//! ADF on Cloud v3 vs wiki markup on Server/DC, search paging in both eras, and Confluence page
//! updates that need the next version number (409 otherwise).

use super::client::Sandbox;
use super::keys;
use serde_json::json;

#[test]
fn issue_writes_change_state_on_both_flavours() {
    for flavour in ["cloud", "server"] {
        let sb = Sandbox::start(flavour);
        let v = if sb.cloud() { "3" } else { "2" };
        let description = if sb.cloud() {
            json!({"version": 1, "type": "doc", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "Steps to reproduce"}]}]})
        } else {
            json!("h2. Steps\n* one")
        };
        let bad = sb.post(
            &format!("/rest/api/{v}/issue"),
            "bob",
            &json!({"fields": {"project": {"key": "WEB"}, "issuetype": {"name": "Bug"}}}),
        );
        assert_eq!(bad.status, 400);
        assert!(bad.json()["errors"]["summary"].is_string());
        if sb.cloud() {
            let plain = sb.post(&format!("/rest/api/{v}/issue"), "bob", &json!({"fields": {"project": {"key": "WEB"}, "issuetype": {"name": "Bug"}, "summary": "x", "description": "plain"}}));
            assert_eq!(plain.status, 400, "v3 wants ADF: {}", plain.text());
        }
        let created = sb.post(&format!("/rest/api/{v}/issue"), "bob", &json!({"fields": {
            "project": {"key": "WEB"}, "issuetype": {"name": "Bug"}, "summary": "Coupon field accepts emoji",
            "description": description, "labels": ["checkout"], "priority": {"name": "High"}}}));
        assert_eq!(created.status, 201, "{}", created.text());
        let key = created.json()["key"].as_str().unwrap().to_string();
        assert_eq!(key, "WEB-21");
        let issue = sb.get(&format!("/rest/api/{v}/issue/{key}"), "bob").json();
        assert_eq!(
            issue["fields"]["description"], description,
            "read back as written"
        );
        assert_eq!(issue["fields"]["status"]["name"], "To Do");
        let comment = if sb.cloud() {
            description.clone()
        } else {
            json!("Looks like a *validation* gap")
        };
        let c = sb.post(
            &format!("/rest/api/{v}/issue/{key}/comment"),
            "alice",
            &json!({"body": comment}),
        );
        assert_eq!(c.status, 201, "{}", c.text());
        let comments = sb
            .get(&format!("/rest/api/{v}/issue/{key}/comment"), "bob")
            .json();
        assert_eq!(
            (comments["total"].as_u64(), &comments["comments"][0]["body"]),
            (Some(1), &comment)
        );
        let ts = sb
            .get(&format!("/rest/api/{v}/issue/{key}/transitions"), "bob")
            .json();
        let names: Vec<&str> = ts["transitions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["name"].as_str().unwrap())
            .collect();
        assert!(
            names.contains(&"Start Progress") && !names.contains(&"Submit for Review"),
            "{names:?}"
        );
        let invalid = sb.post(
            &format!("/rest/api/{v}/issue/{key}/transitions"),
            "bob",
            &json!({"transition": {"id": "31"}}),
        );
        assert_eq!(invalid.status, 400);
        assert_eq!(
            sb.post(
                &format!("/rest/api/{v}/issue/{key}/transitions"),
                "bob",
                &json!({"transition": {"id": "21"}})
            )
            .status,
            204
        );
        let done = sb.post(
            &format!("/rest/api/{v}/issue/{key}/transitions"),
            "bob",
            &json!({"transition": {"id": "41"}, "fields": {"resolution": {"name": "Won't Do"}}}),
        );
        assert_eq!(done.status, 204, "{}", done.text());
        let after = sb
            .get(
                &format!("/rest/api/{v}/issue/{key}?fields=status,resolution&expand=changelog"),
                "bob",
            )
            .json();
        assert_eq!(
            (
                after["fields"]["status"]["name"].as_str(),
                after["fields"]["resolution"]["name"].as_str()
            ),
            (Some("Done"), Some("Won't Do"))
        );
        assert_eq!(after["changelog"]["total"], 2);
        let wl = sb.post(
            &format!("/rest/api/{v}/issue/WEB-19/worklog"),
            "alice",
            &json!({"timeSpent": "3h", "started": "2026-11-27T09:00:00.000+0000"}),
        );
        assert_eq!(wl.status, 201, "{}", wl.text());
        let tt = sb
            .get(
                &format!("/rest/api/{v}/issue/WEB-19?fields=timetracking"),
                "alice",
            )
            .json();
        assert_eq!(
            tt["fields"]["timetracking"]["remainingEstimate"], "5h",
            "1d (8h) minus 3h"
        );
        assert_eq!(
            sb.call(
                "DELETE",
                &format!("/rest/api/{v}/issue/{key}"),
                Some("bob"),
                None
            )
            .status,
            204
        );
        assert_eq!(
            sb.get(&format!("/rest/api/{v}/issue/{key}"), "bob").status,
            404
        );
        assert_eq!(
            sb.call(
                "DELETE",
                &format!("/rest/api/{v}/issue/WEB-2"),
                Some("bob"),
                None
            )
            .status,
            400,
            "has sub-tasks"
        );
        sb.reset();
        assert_eq!(
            sb.get(&format!("/rest/api/{v}/issue/WEB-21"), "bob").status,
            404,
            "reset drops created issues"
        );
    }
}

#[test]
fn cloud_bodies_are_adf_and_server_bodies_are_wiki() {
    let cloud = Sandbox::start("cloud");
    let v3 = cloud
        .get(
            "/rest/api/3/issue/WEB-1?fields=description,parent,customfield_10020",
            "alice",
        )
        .json();
    let d = &v3["fields"]["description"];
    assert_eq!(
        (d["type"].as_str(), d["version"].as_u64()),
        (Some("doc"), Some(1))
    );
    let mention = d.to_string();
    assert!(
        mention.contains("\"type\":\"mention\"") && mention.contains("5d2f9e1a7c3b4a0012e4f6a1"),
        "{mention}"
    );
    let v2 = cloud
        .get("/rest/api/2/issue/WEB-1?fields=description", "alice")
        .json();
    assert!(
        v2["fields"]["description"]
            .as_str()
            .unwrap()
            .contains("[~accountid:5d2f9e1a7c3b4a0012e4f6a1]")
    );
    let story = cloud
        .get(
            "/rest/api/3/issue/WEB-2?fields=parent,customfield_10020",
            "alice",
        )
        .json();
    assert_eq!(
        story["fields"]["parent"]["key"], "WEB-1",
        "Cloud shows the epic as parent"
    );
    assert_eq!(story["fields"]["customfield_10020"][0]["state"], "active");
    let server = Sandbox::start("server");
    let dc = server
        .get(
            "/rest/api/2/issue/WEB-2?fields=description,parent,customfield_10100,customfield_10104",
            "alice",
        )
        .json();
    assert!(
        dc["fields"]["description"]
            .as_str()
            .unwrap()
            .contains("{code:javascript}")
    );
    assert_eq!(
        dc["fields"]["customfield_10100"], "WEB-1",
        "Epic Link on Server/DC"
    );
    assert!(dc["fields"]["parent"].is_null());
    assert!(
        dc["fields"]["customfield_10104"][0]
            .as_str()
            .unwrap()
            .contains("state=ACTIVE")
    );
    let fields = server.get("/rest/api/2/field", "alice").json();
    assert!(
        fields
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["schema"]["custom"] == "com.pyxis.greenhopper.jira:gh-epic-link")
    );
}

#[test]
fn search_pages_by_token_on_cloud_and_by_offset_on_server() {
    let sb = Sandbox::start("cloud");
    let jql =
        json!({"jql": "project = WEB ORDER BY key ASC", "maxResults": 7, "fields": ["summary"]});
    let count = sb
        .post(
            "/rest/api/3/search/approximate-count",
            "alice",
            &json!({"jql": "project = WEB"}),
        )
        .json()["count"]
        .as_u64()
        .unwrap();
    assert_eq!(count, 20);
    let (mut seen, mut token, mut pages) = (Vec::new(), None::<String>, 0);
    loop {
        let mut body = jql.clone();
        if let Some(t) = &token {
            body["nextPageToken"] = json!(t);
        }
        let page = sb.post("/rest/api/3/search/jql", "alice", &body).json();
        assert!(page.get("total").is_none(), "the new search has no total");
        seen.extend(keys(&page));
        pages += 1;
        match page["nextPageToken"].as_str() {
            Some(t) => token = Some(t.to_string()),
            None => {
                assert_eq!(page["isLast"], true);
                break;
            }
        }
    }
    assert_eq!((seen.len(), pages), (20, 3));
    assert_eq!(seen[0], "WEB-1");
    let ids_only = sb
        .post(
            "/rest/api/3/search/jql",
            "alice",
            &json!({"jql": "project = WEB"}),
        )
        .json();
    assert!(
        ids_only["issues"][0].get("fields").is_none(),
        "default fields are ids only"
    );
    assert_eq!(
        sb.post(
            "/rest/api/3/search/jql",
            "alice",
            &json!({"jql": "order by key"})
        )
        .status,
        400,
        "unbounded"
    );
    assert_eq!(
        sb.post(
            "/rest/api/3/search",
            "alice",
            &json!({"jql": "project = WEB"})
        )
        .status,
        410
    );
    assert_eq!(
        sb.get("/rest/api/2/search?jql=project%3DWEB", "alice")
            .status,
        410
    );
    let mine = sb.post("/rest/api/3/search/jql", "bob", &json!({"jql": "assignee = currentUser() AND statusCategory != Done AND text ~ \"checkout\" ORDER BY key ASC", "fields": ["summary"]})).json();
    assert_eq!(
        keys(&mine),
        ["WEB-2", "WEB-4", "WEB-6"],
        "WEB-3 is only labelled checkout"
    );
    let server = Sandbox::start("server");
    let page = server.get("/rest/api/2/search?jql=project%20%3D%20OPS%20ORDER%20BY%20created%20ASC&startAt=10&maxResults=5", "alice").json();
    assert_eq!(
        (
            page["total"].as_u64(),
            page["startAt"].as_u64(),
            page["issues"].as_array().unwrap().len()
        ),
        (Some(15), Some(10), 5)
    );
    assert!(
        page["issues"][0]["fields"]["summary"].is_string(),
        "DC default is *navigable"
    );
}

#[test]
fn page_updates_need_the_next_version_number() {
    for flavour in ["cloud", "server"] {
        let sb = Sandbox::start(flavour);
        let wiki = if sb.cloud() {
            "/wiki/rest/api"
        } else {
            "/rest/api"
        };
        let page = sb
            .get(
                &format!("{wiki}/content/1003?expand=body.storage,version,space,ancestors"),
                "bob",
            )
            .json();
        assert_eq!(page["version"]["number"], 4);
        assert_eq!(page["ancestors"][0]["title"], "Engineering Home");
        let stored = page["body"]["storage"]["value"].as_str().unwrap();
        assert!(
            stored.contains(if sb.cloud() {
                "ri:account-id=\"612e4d5f6a7b8c0070d1e2f3\""
            } else {
                "ri:userkey=\"JIRAUSER10003\""
            }),
            "{stored}"
        );
        let update = |n: u64| json!({"type": "page", "title": "Checkout Service Design", "version": {"number": n}, "body": {"storage": {"value": "<p>v5</p>", "representation": "storage"}}});
        let stale = sb.put(&format!("{wiki}/content/1003"), "bob", &update(4));
        assert_eq!(stale.status, 409);
        assert!(
            stale.json()["message"]
                .as_str()
                .unwrap()
                .contains("Current version is: 4")
        );
        assert_eq!(
            sb.put(&format!("{wiki}/content/1003"), "bob", &update(5))
                .json()["version"]["number"],
            5
        );
        assert_eq!(
            sb.put(&format!("{wiki}/content/1003"), "bob", &update(5))
                .status,
            409,
            "same number twice"
        );
        let broken = json!({"type": "page", "title": "X", "version": {"number": 6}, "body": {"storage": {"value": "<p>open", "representation": "storage"}}});
        assert_eq!(
            sb.put(&format!("{wiki}/content/1003"), "bob", &broken)
                .status,
            400
        );
        let old = sb
            .get(
                &format!("{wiki}/content/1003?version=2&status=historical&expand=body.storage"),
                "bob",
            )
            .json();
        assert!(
            old["body"]["storage"]["value"]
                .as_str()
                .unwrap()
                .contains("68%")
        );
        let created = sb.post(&format!("{wiki}/content"), "bob", &json!({"type": "page", "title": "Sandbox test page", "space": {"key": "ENG"},
            "ancestors": [{"id": "1002"}], "body": {"storage": {"value": "<p>hello</p>", "representation": "storage"}}}));
        assert_eq!(created.status, 200, "{}", created.text());
        let by_title = sb
            .get(
                &format!("{wiki}/content?spaceKey=ENG&title=Sandbox%20test%20page&expand=version"),
                "bob",
            )
            .json();
        assert_eq!(by_title["results"][0]["version"]["number"], 1);
        assert_eq!(
            sb.get(&format!("{wiki}/content?spaceKey=NOPE&title=x"), "bob")
                .status,
            404
        );
        if sb.cloud() {
            let v2 = sb
                .get("/wiki/api/v2/pages/1003?body-format=storage", "bob")
                .json();
            assert_eq!(
                (
                    v2["version"]["number"].as_u64(),
                    v2["body"]["storage"]["value"].as_str()
                ),
                (Some(5), Some("<p>v5</p>"))
            );
            let put = |n: u64| {
                json!({"id": "1003", "status": "current", "title": "Checkout Service Design", "version": {"number": n},
                "body": {"representation": "storage", "value": "<p>v6</p>"}})
            };
            let r = sb.put("/wiki/api/v2/pages/1003", "bob", &put(5));
            assert_eq!(
                (r.status, r.json()["errors"][0]["status"].as_u64()),
                (409, Some(409))
            );
            assert_eq!(
                sb.put("/wiki/api/v2/pages/1003", "bob", &put(6)).json()["version"]["number"],
                6
            );
        }
    }
}

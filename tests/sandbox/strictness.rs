//! Regression tests for places where the sandbox used to accept or add more than the real
//! Atlassian APIs do: Cloud v2 page endpoints serving blog posts, v1 versions carrying the page
//! body unasked, and the other refusals listed in the sandbox README ("Strictness").

use super::client::Sandbox;
use serde_json::json;

#[test]
fn v2_pages_and_blog_posts_are_kept_apart() {
    let sb = Sandbox::start("cloud");
    let blog = sb.get("/wiki/api/v2/pages/1011", "alice");
    assert_eq!(
        blog.status,
        404,
        "a blog post id on /pages: {}",
        blog.text()
    );
    assert_eq!(blog.json()["errors"][0]["status"], 404);
    let put = sb.put(
        "/wiki/api/v2/pages/1011",
        "alice",
        &json!({"id": "1011", "status": "current", "title": "x", "version": {"number": 2},
                "body": {"representation": "storage", "value": "<p>x</p>"}}),
    );
    assert_eq!(put.status, 404);
    assert_eq!(
        sb.get("/wiki/api/v2/pages/1011/versions", "alice").status,
        404
    );
    let got = sb.get("/wiki/api/v2/blogposts/1011?body-format=storage", "alice");
    assert_eq!(got.status, 200);
    let got = got.json();
    assert_eq!(got["title"], "Release 2.4.0 is out");
    assert!(
        got["body"]["storage"]["value"]
            .as_str()
            .unwrap()
            .contains("WEB-13")
    );
    assert!(got.get("parentId").is_none() && got.get("position").is_none());
    assert_eq!(
        sb.get("/wiki/api/v2/blogposts/1003", "alice").status,
        404,
        "a page id"
    );
    let list = sb
        .get("/wiki/api/v2/blogposts?space-id=32000", "alice")
        .json();
    let ids: Vec<&str> = list["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["1011"]);
    let pages = sb.get("/wiki/api/v2/pages?limit=250", "alice").json();
    assert!(
        pages["results"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["id"] != "1011")
    );
}

#[test]
fn v1_versions_carry_content_only_when_expanded() {
    for flavour in ["cloud", "server"] {
        let sb = Sandbox::start(flavour);
        let wiki = if sb.cloud() {
            "/wiki/rest/api"
        } else {
            "/rest/api"
        };
        let one = sb
            .get(&format!("{wiki}/content/1003/version/1"), "alice")
            .json();
        assert_eq!(one["number"], 1, "{flavour}: {one}");
        assert!(
            one.get("content").is_none(),
            "{flavour}: content unasked: {one}"
        );
        assert!(
            one["_expandable"]["content"]
                .as_str()
                .unwrap()
                .contains("version=1")
        );
        let bare = sb
            .get(
                &format!("{wiki}/content/1003/version/1?expand=content"),
                "alice",
            )
            .json();
        assert_eq!(bare["content"]["id"], "1003");
        assert!(
            bare["content"].get("body").is_none(),
            "{flavour}: body unasked"
        );
        let full = sb
            .get(
                &format!("{wiki}/content/1003/version/1?expand=content.body.storage"),
                "alice",
            )
            .json();
        assert!(
            full["content"]["body"]["storage"]["value"].is_string(),
            "{full}"
        );
        let list = sb
            .get(&format!("{wiki}/content/1003/version"), "alice")
            .json();
        let first = &list["results"][0];
        assert!(
            first["number"].is_number() && first.get("content").is_none(),
            "{first}"
        );
        let list = sb
            .get(
                &format!("{wiki}/content/1003/version?expand=content.body.storage"),
                "alice",
            )
            .json();
        assert!(list["results"][0]["content"]["body"]["storage"]["value"].is_string());
    }
}

#[test]
fn jql_values_that_do_not_exist_are_refused() {
    for flavour in ["cloud", "server"] {
        let sb = Sandbox::start(flavour);
        let search = if sb.cloud() {
            "/rest/api/3/search/jql?jql="
        } else {
            "/rest/api/2/search?jql="
        };
        for (jql, field, value) in [
            ("status%20%3D%20Nope", "status", "Nope"),
            ("issuetype%20%3D%20Foo", "issuetype", "Foo"),
            (
                "priority%20in%20(High%2C%20Urgentest)",
                "priority",
                "Urgentest",
            ),
            ("resolution%20%3D%20Maybe", "resolution", "Maybe"),
            ("fixVersion%20%3D%20%2299.0%22", "fixversion", "99.0"),
            ("assignee%20%3D%20nobodyhere", "assignee", "nobodyhere"),
        ] {
            let r = sb.get(&format!("{search}{jql}"), "alice");
            assert_eq!(r.status, 400, "{flavour} {jql}: {}", r.text());
            let msg = r.json()["errorMessages"][0].as_str().unwrap().to_string();
            assert!(
                msg.eq_ignore_ascii_case(&format!(
                    "The value '{value}' does not exist for the field '{field}'."
                )),
                "{flavour} {jql}: {msg}"
            );
        }
        for ok in [
            "status%20%3D%20%22In%20Progress%22%20AND%20project%20%3D%20WEB",
            "resolution%20%3D%20Unresolved%20AND%20project%20%3D%20WEB",
            "assignee%20%3D%20bob%20OR%20assignee%20%3D%20currentUser()",
        ] {
            let r = sb.get(&format!("{search}{ok}"), "alice");
            assert_eq!(r.status, 200, "{flavour} {ok}: {}", r.text());
        }
    }
}

#[test]
fn cloud_search_bodies_are_closed() {
    let sb = Sandbox::start("cloud");
    let refused = [
        (
            "/rest/api/3/search/jql",
            json!({"jql": "project = WEB", "startAt": 5}),
        ),
        (
            "/rest/api/3/search/jql",
            json!({"jql": "project = WEB", "expand": ["names"]}),
        ),
        (
            "/rest/api/3/search/jql",
            json!({"jql": "project = WEB", "maxResults": "5"}),
        ),
        (
            "/rest/api/3/search/approximate-count",
            json!({"jql": "project = WEB", "maxResults": 1}),
        ),
    ];
    for (path, body) in refused {
        let r = sb.post(path, "alice", &body);
        assert_eq!(r.status, 400, "{path} {body}: {}", r.text());
        assert_eq!(
            r.json()["errorMessages"][0],
            "Invalid request payload. Refer to the REST API documentation and try again."
        );
    }
    let ok = json!({"jql": "project = WEB", "fields": ["summary"], "expand": "names",
                    "maxResults": 2, "fieldsByKeys": false});
    assert_eq!(sb.post("/rest/api/3/search/jql", "alice", &ok).status, 200);
}

#[test]
fn v2_enum_parameters_are_checked() {
    let sb = Sandbox::start("cloud");
    for bad in [
        "/wiki/api/v2/pages/1003?body-format=markdown",
        "/wiki/api/v2/pages?body-format=view",
        "/wiki/api/v2/pages?status=gone",
        "/wiki/api/v2/pages/1003/footer-comments?body-format=wiki",
        "/wiki/api/v2/spaces?status=trashed",
    ] {
        let r = sb.get(bad, "alice");
        assert_eq!(r.status, 400, "{bad}: {}", r.text());
        assert!(
            r.json()["errors"][0]["detail"]
                .as_str()
                .unwrap()
                .contains("is not the correct type")
        );
    }
    let styled = sb.get("/wiki/api/v2/pages/1003?body-format=styled_view", "alice");
    assert!(styled.json()["body"]["styled_view"]["value"].is_string());
}

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
    assert!(blog.json()["errors"][0]["title"].is_string() || blog.json()["errors"].is_array());
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

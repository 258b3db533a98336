//! Sandbox flows around the APIs: OAuth 2.0 (authorize, code exchange, rotating refresh
//! tokens, accessible resources), the `api.atlassian.com/ex/{product}/{cloudId}` path form, and
//! attachment uploads (XSRF header required) with Cloud's 303 download redirect.

use super::client::{Sandbox, request};
use serde_json::json;

#[test]
fn oauth_gateway_and_rotating_refresh_tokens() {
    let sb = Sandbox::start("cloud");
    let r = sb.raw("GET", "/authorize?audience=api.atlassian.com&client_id=sandbox-client&scope=read%3Ajira-work%20offline_access&redirect_uri=http%3A%2F%2Flocalhost%3A9%2Fcb&state=xyz&response_type=code&login_hint=dave", &[], None).unwrap();
    assert_eq!(r.status, 302);
    let loc = r.header("Location").unwrap();
    assert!(
        loc.starts_with("http://localhost:9/cb?code=") && loc.ends_with("state=xyz"),
        "{loc}"
    );
    let code = loc
        .split("code=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap();
    let form = format!(
        "grant_type=authorization_code&client_id=sandbox-client&client_secret=sandbox-secret&code={code}&redirect_uri=http%3A%2F%2Flocalhost%3A9%2Fcb"
    );
    let tok = sb
        .raw(
            "POST",
            "/oauth/token",
            &[("Content-Type", "application/x-www-form-urlencoded")],
            Some(form.as_bytes()),
        )
        .unwrap()
        .json();
    let (access, refresh) = (
        tok["access_token"].as_str().unwrap(),
        tok["refresh_token"].as_str().unwrap().to_string(),
    );
    let bearer = format!("Bearer {access}");
    let sites = sb
        .raw(
            "GET",
            "/oauth/token/accessible-resources",
            &[("Authorization", &bearer)],
            None,
        )
        .unwrap()
        .json();
    let cloud_id = sites[0]["id"].as_str().unwrap();
    let me = sb
        .raw(
            "GET",
            &format!("/ex/jira/{cloud_id}/rest/api/3/myself"),
            &[("Authorization", &bearer)],
            None,
        )
        .unwrap()
        .json();
    assert_eq!(me["displayName"], "Dave Kim");
    let page = sb
        .raw(
            "GET",
            &format!("/ex/confluence/{cloud_id}/wiki/api/v2/pages/1002"),
            &[("Authorization", &bearer)],
            None,
        )
        .unwrap();
    assert_eq!(page.status, 200);
    assert_eq!(
        sb.raw(
            "GET",
            "/ex/jira/not-the-id/rest/api/3/myself",
            &[("Authorization", &bearer)],
            None
        )
        .unwrap()
        .status,
        404
    );
    let again = |rt: &str| {
        let body = json!({"grant_type": "refresh_token", "client_id": "sandbox-client", "client_secret": "sandbox-secret", "refresh_token": rt});
        sb.raw(
            "POST",
            "/oauth/token",
            &[("Content-Type", "application/json")],
            Some(body.to_string().as_bytes()),
        )
        .unwrap()
    };
    let rotated = again(&refresh);
    assert_eq!(rotated.status, 200);
    assert_ne!(rotated.json()["refresh_token"].as_str().unwrap(), refresh);
    assert_eq!(again(&refresh).status, 403, "a used refresh token is dead");
    request(&sb.addr, "POST", "/__sandbox/oauth/expire", &[], None).unwrap();
    assert_eq!(
        sb.raw(
            "GET",
            "/rest/api/3/myself",
            &[("Authorization", &bearer)],
            None
        )
        .unwrap()
        .status,
        401
    );
}

#[test]
fn attachments_need_the_xsrf_header_and_cloud_downloads_redirect() {
    let sb = Sandbox::start("cloud");
    let auth = sb.auth("bob");
    let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"notes.txt\"\r\nContent-Type: text/plain\r\n\r\nhello sandbox\r\n--XyZ--\r\n";
    let ct = "multipart/form-data; boundary=XyZ";
    let blocked = sb
        .raw(
            "POST",
            "/rest/api/3/issue/WEB-4/attachments",
            &[("Authorization", &auth), ("Content-Type", ct)],
            Some(body),
        )
        .unwrap();
    assert_eq!(blocked.status, 403);
    let ok = sb
        .raw(
            "POST",
            "/rest/api/3/issue/WEB-4/attachments",
            &[
                ("Authorization", &auth),
                ("Content-Type", ct),
                ("X-Atlassian-Token", "no-check"),
            ],
            Some(body),
        )
        .unwrap();
    assert_eq!(ok.status, 200, "{}", ok.text());
    let id = ok.json()[0]["id"].as_str().unwrap().to_string();
    let redirect = sb
        .raw(
            "GET",
            &format!("/rest/api/3/attachment/content/{id}"),
            &[("Authorization", &auth)],
            None,
        )
        .unwrap();
    assert_eq!(redirect.status, 303);
    let to = redirect
        .header("Location")
        .unwrap()
        .trim_start_matches(sb.base.as_str())
        .to_string();
    let file = sb.raw("GET", &to, &[], None).unwrap();
    assert_eq!(
        (file.status, file.text().as_str()),
        (200, "hello sandbox"),
        "no credentials needed at the media URL"
    );
    let page = sb
        .raw(
            "POST",
            "/wiki/rest/api/content/1002/child/attachment",
            &[("Authorization", &auth), ("Content-Type", ct)],
            Some(body),
        )
        .unwrap();
    assert_eq!(page.status, 403);
    let page = sb
        .raw(
            "POST",
            "/wiki/rest/api/content/1002/child/attachment",
            &[
                ("Authorization", &auth),
                ("Content-Type", ct),
                ("X-Atlassian-Token", "nocheck"),
            ],
            Some(body),
        )
        .unwrap();
    assert_eq!(page.json()["results"][0]["title"], "notes.txt");
}

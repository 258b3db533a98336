//! Files and origins in the HTTP client, against the sandbox and small stubs: a multipart upload
//! to Jira's attachment endpoint with `X-Atlassian-Token: no-check`, then the download of the
//! same bytes with their MIME type (Cloud through its redirect to the media path, Server/DC from
//! `/secure/attachment`); downloads over the cap are errors, never cut files; a redirect to the
//! same host on another port and an absolute URL to another origin get no credentials; ids are
//! encoded as one path segment.

mod support;

use std::sync::{Arc, Mutex};
use std::thread;

use mcp_atlassian::atlassian::{
    Client, ClientOptions, Credentials, Deployment, HttpError, Limiter, Part, Product, Secret,
    segment,
};
use serde_json::Value;

fn client(base: &str, deployment: Deployment, credentials: Credentials) -> Client {
    let opts = ClientOptions::new(Product::Jira, deployment, base, credentials);
    Client::new(opts, Arc::new(Limiter::unlimited())).unwrap()
}

/// A stub that records (path, Authorization, X-Custom) and answers `respond(path)`.
type Seen = Arc<Mutex<Vec<(String, Option<String>, Option<String>)>>>;

fn stub(respond: impl Fn(&str) -> (u16, Vec<(String, String)>) + Send + 'static) -> (String, Seen) {
    let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
    let base = format!("http://{}", server.server_addr().to_ip().unwrap());
    let seen: Seen = Arc::default();
    let log = seen.clone();
    thread::spawn(move || {
        for mut req in server.incoming_requests() {
            let header = |name: &'static str| {
                req.headers()
                    .iter()
                    .find(|h| h.field.equiv(name))
                    .map(|h| h.value.to_string())
            };
            let entry = (
                req.url().to_string(),
                header("Authorization"),
                header("X-Custom"),
            );
            let mut sink = Vec::new();
            let _ = req.as_reader().read_to_end(&mut sink);
            log.lock().unwrap().push(entry);
            let (status, headers) = respond(req.url());
            let mut resp = tiny_http::Response::from_string("{}").with_status_code(status);
            for (k, v) in headers {
                resp.add_header(tiny_http::Header::from_bytes(k.as_bytes(), v.as_bytes()).unwrap());
            }
            let _ = req.respond(resp);
        }
    });
    (base, seen)
}

#[test]
fn an_upload_comes_back_byte_for_byte_with_its_type() {
    let png: Vec<u8> = [
        &b"\x89PNG\r\n\x1a\n"[..],
        &[0u8, 1, 2, 255, 254, 13, 10][..],
    ]
    .concat();
    for (flavour, deployment, creds, api) in [
        (
            "cloud",
            Deployment::Cloud,
            Credentials::Basic {
                user: "alice@example.com".into(),
                secret: Secret::new("alice-api-token"),
            },
            "3",
        ),
        (
            "server",
            Deployment::ServerDc,
            Credentials::Bearer(Secret::new("alice-pat")),
            "2",
        ),
    ] {
        let (_sb, base) = support::sandbox(flavour);
        let c = client(&base, deployment, creds);
        let part = Part {
            name: "file".into(),
            filename: "pixel \"1\".png".into(),
            mime_type: "image/png".into(),
            data: png.clone(),
        };
        let created = c
            .post(&format!(
                "/rest/api/{api}/issue/{}/attachments",
                segment("WEB-1")
            ))
            .multipart(vec![part])
            .send_json()
            .unwrap_or_else(|e| panic!("{flavour}: {e}"));
        let att = &created[0];
        let id = att["id"]
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| att["id"].to_string());
        let content = att["content"]
            .as_str()
            .expect("the attachment's content URL");
        // The content URL is absolute and on the site's origin: credentials go with it.
        let got = c
            .get(content)
            .download(1 << 20)
            .unwrap_or_else(|e| panic!("{flavour}: {e}"));
        assert_eq!(got.data, png, "{flavour}: same bytes back");
        assert_eq!(got.mime_type, "image/png", "{flavour}");
        let err = c.get(content).download(4).unwrap_err();
        assert!(
            matches!(err, HttpError::TooLarge { limit: 4 }),
            "{flavour}: {err:?}"
        );
        if flavour == "cloud" {
            // Cloud's own content endpoint answers with a redirect to the media path.
            let got = c
                .get(&format!("/rest/api/3/attachment/content/{}", segment(&id)))
                .download(1 << 20)
                .unwrap();
            assert_eq!(got.data, png, "through the redirect");
        }
        let text = ureq::get(&format!("{base}/__sandbox/requests"))
            .call()
            .unwrap()
            .into_body()
            .read_to_string()
            .unwrap();
        let log: Value = serde_json::from_str(&text).unwrap();
        let upload = log["requests"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["method"] == "POST")
            .unwrap()
            .clone();
        assert!(
            upload["content_type"]
                .as_str()
                .unwrap()
                .starts_with("multipart/form-data; boundary="),
            "{upload}"
        );
    }
}

#[test]
fn credentials_stay_on_the_sites_origin() {
    let (elsewhere, elsewhere_seen) = stub(|_| (200, vec![]));
    let target = format!("{elsewhere}/landing");
    let (base, seen) = stub(move |path| match path {
        "/start" => (302, vec![("Location".into(), target.clone())]),
        _ => (200, vec![]),
    });
    let mut opts = ClientOptions::new(
        Product::Jira,
        Deployment::ServerDc,
        &base,
        Credentials::Bearer(Secret::new("site-pat")),
    );
    opts.headers = vec![("X-Custom".into(), Secret::new("server-secret"))];
    let c = Client::new(opts, Arc::new(Limiter::unlimited())).unwrap();
    // Same host, other port: another origin.
    c.get("/start").send().unwrap();
    // An absolute URL taken from an answer that points elsewhere.
    c.get(&format!("{elsewhere}/absolute")).send().unwrap();
    let home = seen.lock().unwrap();
    assert_eq!(home[0].1.as_deref(), Some("Bearer site-pat"));
    assert_eq!(home[0].2.as_deref(), Some("server-secret"));
    let away = elsewhere_seen.lock().unwrap();
    assert_eq!(away.len(), 2);
    for (path, auth, custom) in away.iter() {
        assert_eq!(
            (auth, custom),
            (&None, &None),
            "{path} got the site's secrets"
        );
    }
}

#[test]
fn ids_travel_as_one_path_segment() {
    let (base, seen) = stub(|_| (404, vec![]));
    let c = client(&base, Deployment::ServerDc, Credentials::None);
    let _ = c
        .get(&format!("/rest/api/2/issue/{}", segment("WEB-1/../OPS-3")))
        .send();
    assert_eq!(
        seen.lock().unwrap()[0].0,
        "/rest/api/2/issue/WEB-1%2F..%2FOPS-3"
    );
}

//! The HTTP client against a local stub server (tiny_http on loopback): credentials sent,
//! error bodies kept and turned into hints, retries honouring Retry-After for GET only, the body
//! cap, no Authorization on a redirect to another host, cancellation, the circuit breaker.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use mcp_atlassian::atlassian::{
    Client, ClientOptions, Credentials, Deployment, HttpError, Limiter, Product, RetryPolicy,
    Secret,
};
use serde_json::json;

/// What the stub saw: method, URL, Authorization header.
type Seen = Arc<Mutex<Vec<(String, String, Option<String>)>>>;

/// A stub answering with `respond(n, url)` -> (status, headers, body) for the n-th request.
fn stub<F>(respond: F) -> (String, Seen)
where
    F: Fn(usize, &str) -> (u16, Vec<(String, String)>, String) + Send + 'static,
{
    let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
    let base = format!("http://{}", server.server_addr().to_ip().unwrap());
    let seen: Seen = Arc::default();
    let log = seen.clone();
    let count = AtomicUsize::new(0);
    thread::spawn(move || {
        for req in server.incoming_requests() {
            let auth = req
                .headers()
                .iter()
                .find(|h| h.field.equiv("Authorization"))
                .map(|h| h.value.to_string());
            log.lock()
                .unwrap()
                .push((req.method().to_string(), req.url().to_string(), auth));
            let (status, headers, body) = respond(count.fetch_add(1, Ordering::SeqCst), req.url());
            let mut resp = tiny_http::Response::from_string(body).with_status_code(status);
            for (k, v) in headers {
                resp.add_header(tiny_http::Header::from_bytes(k.as_bytes(), v.as_bytes()).unwrap());
            }
            let _ = req.respond(resp);
        }
    });
    (base, seen)
}

fn client(base: &str, deployment: Deployment, retry: RetryPolicy) -> Client {
    let mut opts = ClientOptions::new(
        Product::Jira,
        deployment,
        base,
        Credentials::Basic {
            user: "me@example.com".into(),
            secret: Secret::new("tok"),
        },
    );
    opts.retry = retry;
    opts.timeout = Duration::from_secs(5);
    opts.max_body = 1024;
    Client::new(opts, Arc::new(Limiter::unlimited())).unwrap()
}

fn retries(n: u32) -> RetryPolicy {
    RetryPolicy {
        max_retries: n,
        backoff: 0.01,
        ..RetryPolicy::default()
    }
}

#[test]
fn success_sends_basic_auth_and_decodes_json() {
    let (base, seen) = stub(|_, _| (200, vec![], r#"{"key":"A-1"}"#.into()));
    let c = client(&base, Deployment::Cloud, RetryPolicy::default());
    let v = c
        .get("/rest/api/3/issue/A-1")
        .query("fields", "summary")
        .send_json()
        .unwrap();
    assert_eq!(v, json!({"key": "A-1"}));
    let seen = seen.lock().unwrap();
    assert_eq!(seen[0].1, "/rest/api/3/issue/A-1?fields=summary");
    assert_eq!(seen[0].2.as_deref(), Some("Basic bWVAZXhhbXBsZS5jb206dG9r"));
}

#[test]
fn error_bodies_become_hints() {
    let (base, _) = stub(|_, _| {
        (404, vec![], r#"{"errorMessages":["Issue does not exist or you do not have permission to see it."],"errors":{}}"#.into())
    });
    let err = client(&base, Deployment::Cloud, retries(3))
        .get("/x")
        .send()
        .unwrap_err();
    assert_eq!(err.status(), Some(404));
    let text = err.to_string();
    assert!(
        text.contains("Issue does not exist") && text.contains("Check the key"),
        "{text}"
    );
}

#[test]
fn get_retries_on_429_with_retry_after_then_succeeds() {
    let (base, seen) = stub(|n, _| match n {
        0 => (429, vec![("Retry-After".into(), "1".into())], "{}".into()),
        1 => (503, vec![], "{}".into()),
        _ => (200, vec![], "[]".into()),
    });
    let start = Instant::now();
    let v = client(&base, Deployment::Cloud, retries(3))
        .get("/x")
        .send_json()
        .unwrap();
    assert_eq!(v, json!([]));
    assert_eq!(seen.lock().unwrap().len(), 3);
    assert!(
        start.elapsed() >= Duration::from_millis(900),
        "Retry-After honoured"
    );
}

#[test]
fn writes_are_not_retried_by_default_and_retries_are_bounded() {
    let (base, seen) = stub(|_, _| (503, vec![], "{}".into()));
    let c = client(&base, Deployment::Cloud, retries(2));
    let err = c.post("/x").json(json!({"a": 1})).send().unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert_eq!(seen.lock().unwrap().len(), 1, "POST is not retried");
    let err = c.get("/x").send().unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert_eq!(
        seen.lock().unwrap().len(),
        4,
        "GET: one try plus two retries"
    );
}

#[test]
fn auth_hint_depends_on_deployment() {
    let (base, _) = stub(|_, _| (401, vec![], String::new()));
    let cloud = client(&base, Deployment::Cloud, RetryPolicy::default())
        .get("/x")
        .send()
        .unwrap_err();
    assert!(cloud.to_string().contains("JIRA_API_TOKEN"));
    let dc = client(&base, Deployment::ServerDc, RetryPolicy::default())
        .get("/x")
        .send()
        .unwrap_err();
    assert!(dc.to_string().contains("JIRA_PERSONAL_TOKEN"));
}

#[test]
fn bodies_over_the_cap_are_refused() {
    let (base, _) = stub(|_, _| (200, vec![], "x".repeat(5000)));
    let err = client(&base, Deployment::Cloud, RetryPolicy::default())
        .get("/x")
        .send()
        .unwrap_err();
    assert!(matches!(err, HttpError::TooLarge { .. }), "{err:?}");
}

#[test]
fn redirects_to_another_host_drop_credentials() {
    let (other, other_seen) = stub(|_, _| (200, vec![], "{}".into()));
    // Same port space, different host name: 127.0.0.1 vs localhost.
    let other_url = other.replace("127.0.0.1", "localhost");
    let (base, seen) = stub(move |_, _| {
        (
            302,
            vec![("Location".into(), format!("{other_url}/landing"))],
            String::new(),
        )
    });
    client(&base, Deployment::Cloud, RetryPolicy::default())
        .get("/start")
        .send()
        .unwrap();
    assert!(seen.lock().unwrap()[0].2.is_some());
    let other_seen = other_seen.lock().unwrap();
    assert_eq!(other_seen[0].1, "/landing");
    assert_eq!(
        other_seen[0].2, None,
        "Authorization must not follow to another host"
    );
}

#[test]
fn per_request_credentials_win() {
    let (base, seen) = stub(|_, _| (200, vec![], "{}".into()));
    let user = Credentials::Bearer(Secret::new("user-pat"));
    client(&base, Deployment::ServerDc, RetryPolicy::default())
        .get("/x")
        .credentials(&user)
        .send()
        .unwrap();
    assert_eq!(
        seen.lock().unwrap()[0].2.as_deref(),
        Some("Bearer user-pat")
    );
}

#[test]
fn cancellation_stops_retry_waits() {
    let (base, _) = stub(|_, _| (429, vec![("Retry-After".into(), "30".into())], "{}".into()));
    let start = Instant::now();
    let flag = std::sync::atomic::AtomicBool::new(false);
    let cancel = || {
        let late = start.elapsed() > Duration::from_millis(200);
        late || flag.load(Ordering::Relaxed)
    };
    let err = client(&base, Deployment::Cloud, retries(3))
        .get("/x")
        .cancel_when(&cancel)
        .send()
        .unwrap_err();
    assert_eq!(err, HttpError::Cancelled);
    assert!(start.elapsed() < Duration::from_secs(5));
}

#[test]
fn connection_refused_is_a_connect_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let err = client(
        &format!("http://127.0.0.1:{port}"),
        Deployment::ServerDc,
        RetryPolicy::default(),
    )
    .get("/x")
    .send()
    .unwrap_err();
    assert!(matches!(err, HttpError::Connect { .. }), "{err:?}");
    assert!(err.to_string().contains("doctor"));
}

#[test]
fn circuit_breaker_pauses_after_repeated_throttling() {
    let (base, seen) = stub(|_, _| (429, vec![], "{}".into()));
    let mut opts = ClientOptions::new(
        Product::Confluence,
        Deployment::Cloud,
        &base,
        Credentials::None,
    );
    opts.timeout = Duration::from_secs(5);
    let c = Client::new(
        opts,
        Arc::new(Limiter::new(0, 0.0, 2, Duration::from_secs(30))),
    )
    .unwrap();
    assert_eq!(c.get("/a").send().unwrap_err().status(), Some(429));
    assert_eq!(c.get("/a").send().unwrap_err().status(), Some(429));
    let err = c.get("/a").send().unwrap_err();
    assert!(matches!(err, HttpError::CircuitOpen { .. }), "{err:?}");
    assert_eq!(
        seen.lock().unwrap().len(),
        2,
        "no request while the circuit is open"
    );
}

/// Per request: the URL, the Authorization and the X-Custom header.
type SeenHeaders = Arc<Mutex<Vec<[Option<String>; 3]>>>;

/// A stub that records, per request, the URL, Authorization and X-Custom headers.
fn header_stub(
    respond: impl Fn(&str) -> (u16, Option<String>) + Send + 'static,
) -> (String, SeenHeaders) {
    let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
    let base = format!("http://{}", server.server_addr().to_ip().unwrap());
    let seen: SeenHeaders = Arc::default();
    let log = seen.clone();
    thread::spawn(move || {
        for req in server.incoming_requests() {
            let header = |name: &'static str| {
                req.headers()
                    .iter()
                    .find(|h| h.field.equiv(name))
                    .map(|h| h.value.to_string())
            };
            let (auth, custom) = (header("Authorization"), header("X-Custom"));
            log.lock()
                .unwrap()
                .push([Some(req.url().to_string()), auth, custom]);
            let (status, location) = respond(req.url());
            let mut resp = tiny_http::Response::from_string("{}").with_status_code(status);
            if let Some(l) = location {
                resp.add_header(tiny_http::Header::from_bytes("Location", l.as_bytes()).unwrap());
            }
            let _ = req.respond(resp);
        }
    });
    (base, seen)
}

#[test]
fn gateway_requests_carry_credentials_inside_their_scope_only() {
    use mcp_atlassian::atlassian::Method;
    // The gateway is another origin than the site: localhost vs 127.0.0.1.
    let (gateway, seen) = header_stub(|url| match url {
        "/jira/forms/cloud/c1/issue/A-1/form" => (302, Some("/jira/forms/cloud/c1/moved".into())),
        "/jira/forms/cloud/c1/moved" => (302, Some("/ex/jira/c1/rest/api/3/myself".into())),
        _ => (200, None),
    });
    let gateway = gateway.replace("127.0.0.1", "localhost");
    let (site, _) = header_stub(|_| (200, None));
    let mut opts = ClientOptions::new(
        Product::Jira,
        Deployment::Cloud,
        &site,
        Credentials::Basic {
            user: "me@example.com".into(),
            secret: Secret::new("tok"),
        },
    );
    opts.gateway = Some(gateway.clone());
    opts.headers = vec![("X-Custom".into(), Secret::new("site-only"))];
    opts.timeout = Duration::from_secs(5);
    let c = Client::new(opts, Arc::new(Limiter::unlimited())).unwrap();
    c.gateway(Method::Get, "/jira/forms/cloud/c1", "/issue/A-1/form")
        .unwrap()
        .send()
        .unwrap();
    // The same URL asked for as a plain absolute URL is not in any scope: no credentials.
    c.get(&format!("{gateway}/jira/forms/cloud/c1/issue/B-1/form"))
        .send()
        .unwrap();
    let seen = seen.lock().unwrap();
    let url = |i: usize| seen[i][0].as_deref().unwrap();
    assert_eq!(url(0), "/jira/forms/cloud/c1/issue/A-1/form");
    assert!(seen[0][1].as_deref().unwrap().starts_with("Basic "));
    assert_eq!(url(1), "/jira/forms/cloud/c1/moved");
    assert!(
        seen[1][1].is_some(),
        "a redirect inside the scope keeps them"
    );
    assert_eq!(url(2), "/ex/jira/c1/rest/api/3/myself");
    assert_eq!(seen[2][1], None, "a redirect out of the scope drops them");
    assert_eq!(url(3), "/jira/forms/cloud/c1/issue/B-1/form");
    assert_eq!(seen[3][1], None, "only a gateway request has a scope");
    assert!(
        seen.iter().all(|s| s[2].is_none()),
        "custom headers stay with the site"
    );
}

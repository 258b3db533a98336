//! Proxy auto-config (WPAD): the PAC interpreter on realistic corporate files, its helpers, the
//! constructs it refuses (with their line) and hostile inputs; then a client that fetches a PAC
//! file from a loopback stub and sends each request through the tinyproxy the file names, or
//! directly. `make test` installs tinyproxy (Debian package tinyproxy-bin); without it the network
//! test fails naming the package rather than passing silently.

mod support;
use support::*;

use std::net::{IpAddr, Ipv4Addr};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use mcp_atlassian::atlassian::pac::{MAX_SIZE, Pac};
use mcp_atlassian::atlassian::{
    Client, ClientOptions, Credentials, Deployment, HttpError, Limiter, Product, ProxyChoice,
    ProxyRules,
};

/// Deterministic DNS for the tests: a few names, nothing else resolves.
fn fake_dns(host: &str) -> Option<IpAddr> {
    let ip = match host {
        "build.corp.example" => [10, 1, 2, 3],
        "jira.internal.example" => [10, 20, 30, 40],
        "build.example.com" => [10, 1, 1, 1],
        "wiki.example.com" => [192, 0, 2, 10],
        "jira.lab.example.com" => [192, 0, 2, 20],
        _ => return None,
    };
    Some(IpAddr::V4(Ipv4Addr::from(ip)))
}

fn pac(src: &str) -> Pac {
    Pac::parse(src)
        .unwrap_or_else(|e| panic!("{e}"))
        .with_resolver(fake_dns)
}

fn via(url: &str) -> ProxyChoice {
    ProxyChoice::Via(url.into())
}

/// A generated-by-the-proxy-team style file: globals, multi-line conditions, comments, failover.
const CORPORATE: &str = r#"// Example Corp proxy auto-config (generated 2024-03-01)
var PROXY_MAIN = "PROXY proxy1.corp.example:8080; PROXY proxy2.corp.example:8080; DIRECT";
var CLOUD = "PROXY cloud-egress.corp.example:3128; DIRECT";

function FindProxyForURL(url, host) {
    host = host.toLowerCase();
    /* Intranet: plain names, the corporate domains
       and the private networks go direct. */
    if (isPlainHostName(host) ||
        dnsDomainIs(host, ".corp.example") ||
        localHostOrDomainIs(host, "intranet.example.com"))
        return "DIRECT";
    if (isInNet(host, "10.0.0.0", "255.0.0.0") ||
        isInNet(host, "172.16.0.0", "255.240.0.0") ||
        isInNet(host, "192.168.0.0", "255.255.0.0") ||
        shExpMatch(host, "127.*"))
        return "DIRECT";
    // Atlassian Cloud leaves through the cloud egress.
    if (shExpMatch(host, "*.atlassian.net") || shExpMatch(url, "https://api.atlassian.com/*")) {
        return CLOUD;
    } else if (url.substring(0, 5) == "http:") {
        return "SOCKS5 socks.corp.example:1080";
    }
    return PROXY_MAIN;
}
"#;

#[test]
fn corporate_pac_routes_by_name_domain_network_and_scheme() {
    let p = pac(CORPORATE);
    let main = via("http://proxy1.corp.example:8080");
    let cloud = via("http://cloud-egress.corp.example:3128");
    let cases = [
        ("http://wiki/page", ProxyChoice::Direct),
        (
            "https://JIRA.Corp.Example/rest/api/2/myself",
            ProxyChoice::Direct,
        ),
        ("https://intranet.example.com/", ProxyChoice::Direct),
        ("https://jira.internal.example/", ProxyChoice::Direct), // resolves to 10.20.30.40
        ("https://172.20.1.1/", ProxyChoice::Direct),
        ("https://172.32.0.1/", main.clone()),
        ("http://127.0.0.1:8080/", ProxyChoice::Direct),
        (
            "https://acme.atlassian.net/rest/api/3/myself",
            cloud.clone(),
        ),
        ("https://api.atlassian.com/ex/jira/1234/rest", cloud),
        (
            "http://jira.example.org/",
            via("socks5://socks.corp.example:1080"),
        ),
        ("https://jira.example.org/", main),
    ];
    for (url, want) in cases {
        assert_eq!(p.choose(url).unwrap(), want, "{url}");
    }
}

/// An older hand-written style: declarations in the body, `===`, `indexOf`, no braces, calendar
/// helpers, string building, a missing semicolon before a line break.
const HANDWRITTEN: &str = r#"function FindProxyForURL(url, host)
{
    var lhost = host.toLowerCase(), direct = "DIRECT";
    var resolved_ip = dnsResolve(host);
    var isHttps = url.substring(0, 6) === "https:";

    if (lhost == "localhost" || lhost.indexOf("127.") == 0) return direct;
    if (resolved_ip && isInNet(resolved_ip, "10.0.0.0", "255.0.0.0")) return direct;
    if (lhost.indexOf(".lab.") != -1 && dnsDomainLevels(lhost) >= 3) return "PROXY lab-proxy:3128";
    if (localHostOrDomainIs(host, "confluence.example.com"))
        return "HTTPS secure-gw.example.com:8443; DIRECT";
    else if (!isHttps && weekdayRange("MON", "FRI") && timeRange(8, 18))
        return "PROXY " + 'web' + "proxy" + ".example.com" + ":" + 80;
    else if (myIpAddress() !== "127.0.0.1")
        return "SOCKS never:1080";
    if (isResolvable(host) == false) return "PROXY resolver-fallback:8080"
    return "SOCKS socks4.example.com:1080; DIRECT";
}
"#;

#[test]
fn handwritten_pac_with_string_helpers_and_failover() {
    let p = pac(HANDWRITTEN);
    let cases = [
        ("http://localhost:8080/", ProxyChoice::Direct),
        ("http://127.0.0.1/", ProxyChoice::Direct),
        ("https://build.example.com/", ProxyChoice::Direct),
        (
            "https://jira.lab.example.com/",
            via("http://lab-proxy:3128"),
        ),
        (
            "https://confluence/",
            via("https://secure-gw.example.com:8443"),
        ),
        (
            "http://wiki.example.com/",
            via("http://webproxy.example.com:80"),
        ),
        (
            "https://wiki.example.com/",
            via("socks4://socks4.example.com:1080"),
        ),
        (
            "https://unknown.example.net/",
            via("http://resolver-fallback:8080"),
        ),
    ];
    for (url, want) in cases {
        assert_eq!(p.choose(url).unwrap(), want, "{url}");
    }
}

/// `"" + (expr)` for url `https://Jira.Example.com:8443/path?q=1` and host `jira.example.com`.
fn eval(expr: &str) -> String {
    let src = format!("function FindProxyForURL(url, host) {{ return \"\" + ({expr}); }}");
    pac(&src)
        .find_proxy_for_url("https://Jira.Example.com:8443/path?q=1", "jira.example.com")
        .unwrap_or_else(|e| panic!("{expr}: {e}"))
}

#[test]
fn helpers_and_operators_follow_javascript_and_the_pac_spec() {
    let cases = [
        (r#"shExpMatch("www.example.com", "*.example.com")"#, "true"),
        (r#"shExpMatch("example.com", "*.example.com")"#, "false"),
        (
            r#"shExpMatch("a.b", "?.?") && shExpMatch("", "*") && shExpMatch("abcbd", "a*bd")"#,
            "true",
        ),
        (r#"shExpMatch("x", "") || shExpMatch("abc", "a?")"#, "false"),
        (
            r#"shExpMatch(url, "https://*.example.com:*/path*")"#,
            "false",
        ), // case-sensitive
        (
            r#"shExpMatch(url, "https://*.Example.com:*/path*")"#,
            "true",
        ),
        (
            r#"isPlainHostName("wiki") && !isPlainHostName("wiki.corp")"#,
            "true",
        ),
        (r#"dnsDomainIs("www.Example.com", ".example.com")"#, "true"),
        (r#"dnsDomainIs("example.com", ".example.com")"#, "false"),
        (r#"localHostOrDomainIs("www", "www.example.com")"#, "true"),
        (
            r#"localHostOrDomainIs("www.example.com", "www.example.com")"#,
            "true",
        ),
        (
            r#"localHostOrDomainIs("www.other.com", "www.example.com")"#,
            "false",
        ),
        (r#"isInNet("10.1.2.3", "10.0.0.0", "255.0.0.0")"#, "true"),
        (r#"isInNet("11.1.2.3", "10.0.0.0", "255.0.0.0")"#, "false"),
        (
            r#"isInNet("192.168.1.7", "192.168.1.7", "255.255.255.255")"#,
            "true",
        ),
        (
            r#"isInNet("build.corp.example", "10.1.0.0", "255.255.0.0")"#,
            "true",
        ),
        (
            r#"isInNet("nx.example", "0.0.0.0", "0.0.0.0") || isInNet("10.1.2.3", "x", "y")"#,
            "false",
        ),
        (r#"dnsResolve("build.corp.example")"#, "10.1.2.3"),
        (r#"dnsResolve("nx.example") == null"#, "true"),
        (
            r#"isResolvable("build.corp.example") && !isResolvable("nx.example")"#,
            "true",
        ),
        ("myIpAddress()", "127.0.0.1"),
        (
            r#"dnsDomainLevels("www.example.com") + "/" + dnsDomainLevels("wiki")"#,
            "2/0",
        ),
        (
            r#"weekdayRange("MON", "FRI") && dateRange(1, "JAN", 31, "DEC") && timeRange(0, 24)"#,
            "true",
        ),
        (r#""MiXeD".toLowerCase()"#, "mixed"),
        (r#"url.indexOf("://") + "," + url.indexOf("nope")"#, "5,-1"),
        (
            r#"url.indexOf("https") >= 0 && url.indexOf("zz") < 0 && host.indexOf("jira") > -1"#,
            "true",
        ),
        ("url.substring(0, 5)", "https"),
        ("url.substring(5, 0)", "https"),
        (
            r#""abc".substring(1) + "abc".substring(-5, 99) + "abc".substring(2, 2)"#,
            "bcabc",
        ),
        (r#""é-ü".substring(0, 1) + "é-ü".indexOf("ü")"#, "é2"),
        ("1 + 2", "3"),
        (r#""a" + 1 + 2"#, "a12"),
        (r#""x" + true + -1"#, "xtrue-1"),
        (
            r#""a" == "a" && "a" != "b" && "1" == 1 && !("1" === 1) && !(1 !== 1)"#,
            "true",
        ),
        (r#""b" > "a" && 2 <= 2 && !(3 < -1) && 10 >= 9"#, "true"),
        ("true || false && false", "true"),
        ("!true || false", "false"),
        (r#""" || "fallback""#, "fallback"),
        (r#""a" && "b""#, "b"),
        (r#"null || undefined || "x""#, "x"),
        (r#"'it\'s' + "\"q\" \\""#, "it's\"q\" \\"),
    ];
    for (expr, want) in cases {
        assert_eq!(eval(expr), want, "{expr}");
    }
}

#[test]
fn variables_branches_and_statements() {
    let p = pac(r#"
        var counter = "fresh";
        let chosen = "none";
        function FindProxyForURL(url, host) {
            if (counter != "fresh") return "PROXY stale:1";
            counter = "used";
            if (host == "a") { var p = "PROXY a:1" } else if (host == "b") p = "PROXY b:1"; else {
                p = "PROXY other:1";
            }
            if (false) { p = "PROXY never:1"; }
            ;;
            alert("debug " + p);
            return p;
        }"#);
    for (host, want) in [
        ("a", "PROXY a:1"),
        ("b", "PROXY b:1"),
        ("c", "PROXY other:1"),
    ] {
        let url = format!("https://{host}/");
        assert_eq!(p.find_proxy_for_url(&url, host).unwrap(), want);
    }
}

#[test]
fn unsupported_constructs_fail_to_parse_with_their_line() {
    let body = |stmt: &str| {
        format!("function FindProxyForURL(url, host) {{\n  {stmt}\n  return \"DIRECT\";\n}}")
    };
    let cases = [
        (
            body("for (var i = 0; i < 3; i++) {}"),
            "line 2",
            "`for` is not supported",
        ),
        (
            body("while (true) {}"),
            "line 2",
            "`while` is not supported",
        ),
        (
            body("switch (host) { default: return \"DIRECT\"; }"),
            "line 2",
            "character ':'",
        ),
        (
            body("switch (host) {}"),
            "line 2",
            "`switch` is not supported",
        ),
        (
            body("try { x(); } catch (e) {}"),
            "line 2",
            "`try` is not supported",
        ),
        (
            body("var d = new Date();"),
            "line 2",
            "`new` is not supported",
        ),
        (
            body("if (typeof host == \"string\") return \"DIRECT\";"),
            "line 2",
            "`typeof`",
        ),
        (
            body("if (/^10\\./.test(host)) return \"DIRECT\";"),
            "line 2",
            "unsupported character '/'",
        ),
        (
            body("return isPlainHostName(host) ? \"DIRECT\" : \"PROXY p:1\";"),
            "line 2",
            "`?:`",
        ),
        (body("var list = [\"a\", \"b\"];"), "line 2", "array"),
        (
            body("var n = 2 * 3;"),
            "line 2",
            "unsupported character '*'",
        ),
        (
            body("var n = 3 - 1;"),
            "line 2",
            "expected `;` or a line break",
        ),
        (
            body("return foo(host);"),
            "line 2",
            "unsupported function or method foo()",
        ),
        (
            body("return host.split(\".\");"),
            "line 2",
            "unsupported function or method .split()",
        ),
        (
            body("return proxy;"),
            "line 2",
            "undeclared variable `proxy`",
        ),
        (
            body("if (isInNet(host, \"10.0.0.0\")) return \"DIRECT\";"),
            "line 2",
            "isInNet() takes 3 to 3",
        ),
        (
            body("if (host == url == host) return \"DIRECT\";"),
            "line 2",
            "chained comparisons",
        ),
        (body("return \"DIRECT;"), "line 2", "unterminated string"),
        (body("return \"\\x41\";"), "line 2", "escape"),
        (body("var n = 0x10;"), "line 2", "unsupported number 0x10"),
        (body("return;"), "line 2", "unexpected Word(\";\")"),
        (
            body("function inner() {}"),
            "line 2",
            "`function` is not supported",
        ),
        (
            "function helper(h) { return h; }\n".to_string() + &body(""),
            "line 1",
            "only one function",
        ),
        (
            "alert(\"hi\");\n".to_string() + &body(""),
            "line 1",
            "at the top level",
        ),
        (
            "/* never closed\n".to_string() + &body(""),
            "line 1",
            "unterminated /* comment",
        ),
        (
            "var a = \"x\";\n".into(),
            "line 2",
            "no function FindProxyForURL",
        ),
        (
            "function FindProxyForURL(url, host) {\n  return \"DIRECT\";\n".into(),
            "line 3",
            "unexpected end",
        ),
    ];
    for (src, line, what) in cases {
        let e = Pac::parse(&src).expect_err(&src).to_string();
        assert!(e.contains(line) && e.contains(what), "{src}\n=> {e}");
    }
}

#[test]
fn evaluation_failures_are_errors_not_panics() {
    let run = |body: &str| {
        let p = pac(&format!("function FindProxyForURL(url, host) {{ {body} }}"));
        p.choose("https://jira.example.com/")
            .unwrap_err()
            .to_string()
    };
    assert!(run("return 42;").contains("returned 42"));
    assert!(run("if (false) return \"DIRECT\";").contains("returned nothing"));
    assert!(run("return \"BOGUS x; PROXY\";").contains("no usable entry"));
    assert!(run("var n = 1; return n.toLowerCase();").contains(".toLowerCase needs a string"));
    // A blank result means DIRECT.
    let blank = pac("function FindProxyForURL(url, host) { return \"\"; }");
    assert_eq!(blank.choose("https://a.b/").unwrap(), ProxyChoice::Direct);
}

#[test]
fn pathological_inputs_are_bounded() {
    let wrap = |body: &str| format!("function FindProxyForURL(url, host) {{ {body} }}");
    let deep = [
        wrap(&format!("return {}\"x\";", "(".repeat(10_000))),
        wrap(&format!("{}return \"x\";", "if (true) ".repeat(10_000))),
        wrap(&format!("return {}true;", "!".repeat(10_000))),
        wrap(&format!("{}return \"x\";", "{".repeat(10_000))),
        wrap(&format!("return host{};", ".toLowerCase()".repeat(10_000))),
        wrap(&format!(
            "return {}\"x\";",
            "isPlainHostName(".repeat(10_000)
        )),
    ];
    for src in &deep {
        let e = Pac::parse(src).unwrap_err().to_string();
        assert!(e.contains("nesting deeper than 64"), "{e}");
    }
    // Moderate nesting is fine.
    let nested = wrap(&format!(
        "return {}\"x\"{};",
        "(".repeat(40),
        ")".repeat(40)
    ));
    assert_eq!(pac(&nested).find_proxy_for_url("u", "h").unwrap(), "x");

    // Long flat files: an else-if chain, an `||` chain and many variables parse and run quickly.
    let started = Instant::now();
    let arms: Vec<String> = (0..15_000)
        .map(|i| format!("if (host == \"h{i}\") return \"PROXY p{i}:1\";"))
        .collect();
    let chain = pac(&wrap(&arms.join("\nelse ")));
    assert_eq!(
        chain.choose("http://h14999/").unwrap(),
        via("http://p14999:1")
    );
    let ors: Vec<String> = (0..20_000)
        .map(|i| format!("dnsDomainIs(host, \".d{i}.example\")"))
        .collect();
    let ors = pac(&wrap(&format!(
        "if ({}) return \"DIRECT\"; return \"PROXY p:1\";",
        ors.join(" || ")
    )));
    assert_eq!(
        ors.choose("http://x.d19999.example/").unwrap(),
        ProxyChoice::Direct
    );
    let vars: String = (0..40_000)
        .map(|i| format!("var v{i} = \"{i}\";\n"))
        .collect();
    let vars = pac(&format!("{vars}{}", wrap("return \"PROXY p:\" + v39999;")));
    assert_eq!(vars.choose("http://a/").unwrap(), via("http://p:39999"));
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );

    // Over the size limit.
    let big = format!("{}{}", " ".repeat(MAX_SIZE), wrap("return \"DIRECT\";"));
    assert!(
        Pac::parse(&big)
            .unwrap_err()
            .to_string()
            .contains("larger than")
    );

    // Doubling a string 40 times, or an expensive glob, runs out of budget instead of memory/time.
    let doubling = format!(
        "var s = \"xxxxxxxxxxxxxxxx\";\n{}",
        "s = s + s;\n".repeat(40)
    );
    let e = pac(&wrap(&format!("{doubling} return s;"))).choose("http://a/");
    assert!(e.unwrap_err().to_string().contains("steps"));
    let long = format!(
        "var s = \"xxxxxxxxxxxxxxxx\";\n{}",
        "s = s + s;\n".repeat(12)
    );
    let test = "if (shExpMatch(s, \"*x*x*x*x*x*x*y\")) return \"DIRECT\"; return \"PROXY p:1\";";
    let started = Instant::now();
    let r = pac(&wrap(&format!("{long} {test}"))).choose("http://a/");
    assert_eq!(r.unwrap(), via("http://p:1"));
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );

    // Every prefix of a real file parses or fails cleanly (no panic), and the good ones run.
    for end in (0..=CORPORATE.len()).filter(|&i| CORPORATE.is_char_boundary(i)) {
        if let Ok(p) = Pac::parse(&CORPORATE[..end]) {
            let _ = p
                .with_resolver(fake_dns)
                .choose("https://acme.atlassian.net/");
        }
    }
}

// ---- through the client, on loopback -------------------------------------------------------

/// A stub answering every request with `body` and `status`; counts the requests.
fn serve(body: String, status: u16) -> (String, Arc<AtomicUsize>) {
    let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
    let base = format!("http://{}", server.server_addr().to_ip().unwrap());
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    std::thread::spawn(move || {
        for req in server.incoming_requests() {
            counter.fetch_add(1, Ordering::SeqCst);
            let resp = tiny_http::Response::from_string(body.clone()).with_status_code(status);
            let _ = req.respond(resp);
        }
    });
    (base, hits)
}

fn port_of(base: &str) -> String {
    base.rsplit(':').next().unwrap().to_string()
}

fn client(base: &str, proxy: ProxyRules) -> Client {
    let mut opts = ClientOptions::new(Product::Jira, Deployment::ServerDc, base, Credentials::None);
    opts.proxy = proxy;
    opts.timeout = Duration::from_secs(10);
    Client::new(opts, Arc::new(Limiter::unlimited())).unwrap()
}

/// Tunnels tinyproxy opened to `127.0.0.1:port` (ureq tunnels plain HTTP too, and reuses them).
fn seen(log: &Path, port: &str) -> usize {
    std::thread::sleep(Duration::from_millis(200));
    let text = std::fs::read_to_string(log).unwrap_or_default();
    text.matches(&format!("CONNECT 127.0.0.1:{port} ")).count()
}

#[test]
fn pac_sends_requests_through_the_proxy_it_names_and_direct_hosts_around_it() {
    let dir = scratch("tinyproxy");
    let (_proxy, port, log) = tinyproxy(&dir);
    let (proxied, _) = serve(r#"{"ok":true}"#.into(), 200);
    let (direct, _) = serve(r#"{"ok":true}"#.into(), 200);
    let (proxied_port, direct_port) = (port_of(&proxied), port_of(&direct));
    let file = format!(
        r#"function FindProxyForURL(url, host) {{
    if (isPlainHostName(host) || shExpMatch(url, "http://127.0.0.1:{direct_port}/*"))
        return "DIRECT";
    if (isInNet(host, "127.0.0.0", "255.0.0.0"))
        return "PROXY 127.0.0.1:{port}; DIRECT";
    return "DIRECT";
}}"#
    );
    let (pac_base, fetches) = serve(file, 200);
    let pac_url = format!("{pac_base}/wpad.dat");
    let rules = ProxyRules {
        pac_url: Some(pac_url.clone()),
        ..ProxyRules::default()
    };
    let c = client(&proxied, rules.clone());
    assert_eq!(
        fetches.load(Ordering::SeqCst),
        0,
        "fetched on first use, not at start"
    );
    assert_eq!(c.get("/a").send_json().unwrap()["ok"], true);
    assert_eq!(
        c.get(&format!("{direct}/b")).send_json().unwrap()["ok"],
        true
    );
    assert_eq!(c.get("/c").send_json().unwrap()["ok"], true);
    assert_eq!(
        fetches.load(Ordering::SeqCst),
        1,
        "the PAC file is fetched once"
    );
    let tunnels = seen(&log, &proxied_port);
    assert!(tunnels >= 1, "the PAC's proxy carries the proxied host");
    assert_eq!(
        seen(&log, &direct_port),
        0,
        "the DIRECT host bypasses the proxy"
    );
    assert_eq!(
        seen(&log, &port_of(&pac_base)),
        0,
        "the PAC file itself is fetched directly"
    );
    assert_eq!(
        c.proxy_choice(&format!("{proxied}/x")),
        ProxyChoice::Via(format!("http://127.0.0.1:{port}"))
    );

    // NO_PROXY and explicit proxies decide before the PAC file (which is then never fetched).
    let bypass = ProxyRules {
        no_proxy: vec!["127.0.0.0/8".into()],
        ..rules.clone()
    };
    let c = client(&proxied, bypass);
    assert_eq!(c.get("/d").send_json().unwrap()["ok"], true);
    assert_eq!(
        seen(&log, &proxied_port),
        tunnels,
        "NO_PROXY wins over the PAC file"
    );
    let dead = free_port();
    let explicit = ProxyRules {
        http: Some(format!("http://127.0.0.1:{dead}")),
        ..rules
    };
    let err = client(&proxied, explicit).get("/e").send().unwrap_err();
    assert!(matches!(err, HttpError::Connect { .. }), "{err:?}");
    assert_eq!(fetches.load(Ordering::SeqCst), 1);
}

#[test]
fn unusable_pac_files_mean_direct_connections() {
    let (target, hits) = serve(r#"{"ok":true}"#.into(), 200);
    let dead = free_port();
    let good = "function FindProxyForURL(url, host) { return \"PROXY 127.0.0.1:9; DIRECT\"; }";
    let (missing, _) = serve(good.into(), 404);
    let (broken, _) = serve(
        "function FindProxyForURL(url, host) { while (true) {} }".into(),
        200,
    );
    let (failing, _) = serve(
        "function FindProxyForURL(url, host) { return 42; }".into(),
        200,
    );
    let (huge, _) = serve(format!("{}{good}", " ".repeat(MAX_SIZE)), 200);
    let urls = [
        format!("http://127.0.0.1:{dead}/wpad.dat"),
        format!("{missing}/wpad.dat"),
        format!("{broken}/wpad.dat"),
        format!("{failing}/wpad.dat"),
        format!("{huge}/wpad.dat"),
    ];
    for (i, pac_url) in urls.into_iter().enumerate() {
        let rules = ProxyRules {
            pac_url: Some(pac_url.clone()),
            ..ProxyRules::default()
        };
        let c = client(&target, rules);
        assert_eq!(
            c.proxy_choice(&format!("{target}/")),
            ProxyChoice::Direct,
            "{pac_url}"
        );
        assert_eq!(c.get("/a").send_json().unwrap()["ok"], true, "{pac_url}");
        assert_eq!(hits.load(Ordering::SeqCst), i + 1);
    }
}

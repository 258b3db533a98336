//! `mcp-atlassian doctor`: for each configured product, checks configuration, proxy choice, DNS,
//! the TCP port, the TLS certificate, the HTTP answer and authentication (who am I), and the
//! server type, printing each check the moment it finishes, each within its own deadline
//! (`--timeout`, default 10 s), with advice that fits the failure. When the credentials fail, the
//! server type is still checked, to say when the credential kind does not fit the site (a
//! personal token on Cloud, an API token on Server/DC). Exit code 0 only when every check passes.

use std::io::Write;
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::atlassian::{Client, Credentials, Deployment, HttpError, ProxyChoice, probe, proxy};
use crate::tools::Services;

/// One line of the report.
struct Check {
    ok: bool,
    name: &'static str,
    text: String,
    fix: Option<String>,
}

fn ok(name: &'static str, text: impl Into<String>) -> Check {
    Check {
        ok: true,
        name,
        text: text.into(),
        fix: None,
    }
}

fn fail(name: &'static str, text: impl Into<String>, fix: impl Into<String>) -> Check {
    Check {
        ok: false,
        name,
        text: text.into(),
        fix: Some(fix.into()),
    }
}

/// Prints checks as they come and remembers whether all passed.
struct Report<'a> {
    out: &'a mut dyn Write,
    all_ok: bool,
}

impl Report<'_> {
    fn line(&mut self, text: &str) {
        let _ = writeln!(self.out, "{text}");
        let _ = self.out.flush();
    }

    fn emit(&mut self, c: Check) -> bool {
        self.all_ok &= c.ok;
        let status = if c.ok { "ok" } else { "FAIL" };
        self.line(&format!("  {status:<4}  {:<14}  {}", c.name, c.text));
        if let Some(fix) = c.fix {
            self.line(&format!("        {:<14}  fix: {fix}", ""));
        }
        c.ok
    }
}

/// Resolve within `deadline` (the system resolver has no timeout of its own).
fn resolve(host: &str, port: u16, deadline: Duration) -> Result<Vec<SocketAddr>, String> {
    let (tx, rx) = mpsc::channel();
    let target = (host.to_string(), port);
    std::thread::spawn(move || {
        let _ = tx.send(
            target
                .to_socket_addrs()
                .map(|a| a.collect::<Vec<_>>())
                .map_err(|e| e.to_string()),
        );
    });
    rx.recv_timeout(deadline)
        .unwrap_or_else(|_| Err(format!("no answer from the resolver in {deadline:?}")))
}

/// The advice for a failed request, knowing whether the TCP port accepted connections.
fn diagnose(e: &HttpError, client: &Client, via: &ProxyChoice, port_open: bool) -> Check {
    let product = client.options().product.name().to_ascii_uppercase();
    match e {
        HttpError::Connect { reason, .. } => {
            let r = reason.to_ascii_lowercase();
            if r.contains("certificate") || r.contains("unknownissuer") || r.contains("tls") {
                fail(
                    "tls",
                    format!("the server certificate is not trusted: {reason}"),
                    format!(
                        "point {product}_CA_BUNDLE (or MCP_ATLASSIAN_CA_BUNDLE) at your CA's PEM file; {product}_SSL_VERIFY=false works but disables protection"
                    ),
                )
            } else if let ProxyChoice::Via(p) = via {
                fail(
                    "connection",
                    format!(
                        "no connection through the proxy {}: {reason}",
                        proxy::redact(p)
                    ),
                    "check that the proxy runs and HTTPS_PROXY / SOCKS_PROXY (or the JIRA_/CONFLUENCE_ variants) name it; add the host to NO_PROXY if it needs no proxy",
                )
            } else {
                fail(
                    "connection",
                    format!("no connection: {reason}"),
                    format!(
                        "check {product}_URL, the firewall, and whether a proxy is needed (HTTPS_PROXY)"
                    ),
                )
            }
        }
        HttpError::Timeout { target } if port_open => fail(
            "answer",
            format!("{target} accepted the connection but sent no answer in time"),
            format!(
                "something listens there but does not answer HTTP: check the port and scheme in {product}_URL (https:// on a plain-HTTP port, or the reverse), and any firewall or proxy that holds connections open"
            ),
        ),
        HttpError::Timeout { target } => fail(
            "connection",
            format!("{target} did not answer in time"),
            "check the network path and whether a proxy is needed (HTTPS_PROXY)",
        ),
        HttpError::Status {
            status: 401 | 403, ..
        } => fail(
            "authentication",
            e.to_string(),
            "create a new token and set it in the environment or .env file",
        ),
        HttpError::Status { status: 404, .. } => fail(
            "authentication",
            e.to_string(),
            format!(
                "the site answered but has no such API: {product}_URL must be the site's base URL (no /rest/... path{})",
                if product == "CONFLUENCE" {
                    "; Cloud Confluence ends in /wiki"
                } else {
                    ""
                }
            ),
        ),
        other => fail(
            "authentication",
            other.to_string(),
            format!("check {product}_URL: it must be the site's base URL"),
        ),
    }
}

fn whoami_path(product: &str, deployment: Deployment) -> &'static str {
    match (product, deployment) {
        ("Jira", Deployment::Cloud) => "/rest/api/3/myself",
        ("Jira", Deployment::ServerDc) => "/rest/api/2/myself",
        _ => "/rest/api/user/current",
    }
}

/// When the site's kind and the credential kind cannot go together, the advice.
fn credential_mismatch(product: &str, site_is_cloud: bool, creds: &Credentials) -> Option<String> {
    let p = product.to_ascii_uppercase();
    match (site_is_cloud, creds) {
        (true, Credentials::Bearer(_)) => Some(format!(
            "this is a Cloud site, which takes no personal access token: set {p}_USERNAME (your e-mail) and {p}_API_TOKEN (from id.atlassian.com), or an OAuth access token"
        )),
        (false, Credentials::Basic { user, .. }) if user.contains('@') => Some(format!(
            "this is a Server/Data Center site, which takes no Atlassian API token: set {p}_PERSONAL_TOKEN (a personal access token from your profile), or {p}_USERNAME with your password"
        )),
        _ => None,
    }
}

/// The `serverInfo` check (Jira; anonymous on both deployments), also after a failed sign-in.
fn check_server(client: &Client, timeout: Duration, auth_failed: bool, report: &mut Report) {
    let opts = client.options();
    let configured = match opts.deployment {
        Deployment::Cloud => "Cloud",
        Deployment::ServerDc => "Server/Data Center",
    };
    let info = match client
        .get("/rest/api/2/serverInfo")
        .timeout(timeout)
        .send_json()
    {
        Ok(info) => info,
        Err(e) => {
            report.emit(fail(
                "server",
                e.to_string(),
                "the site may be too old, or not Jira: check JIRA_URL",
            ));
            return;
        }
    };
    let kind = info
        .get("deploymentType")
        .and_then(Value::as_str)
        .unwrap_or("unknown");
    let version = info
        .get("version")
        .and_then(Value::as_str)
        .unwrap_or("unknown");
    let is_cloud = kind.eq_ignore_ascii_case("cloud");
    if is_cloud != (opts.deployment == Deployment::Cloud) {
        report.emit(fail(
            "server",
            format!("the site reports {kind} {version}, but it is configured as {configured}"),
            "set JIRA_DEPLOYMENT=cloud or server to match",
        ));
    } else {
        report.emit(ok("server", format!("{kind} {version}")));
    }
    if auth_failed && let Some(fix) = credential_mismatch("Jira", is_cloud, &opts.credentials) {
        report.emit(fail(
            "credentials",
            format!(
                "{} cannot work on a {kind} site",
                opts.credentials.describe()
            ),
            fix,
        ));
    }
}

fn check_product(client: &Client, timeout: Duration, report: &mut Report) {
    let opts = client.options();
    let url = opts.base_url.clone();
    let configured = match opts.deployment {
        Deployment::Cloud => "Cloud",
        Deployment::ServerDc => "Server/Data Center",
    };
    report.emit(ok(
        "site",
        format!("{url} ({configured}); {}", opts.credentials.describe()),
    ));
    let via = client.proxy_choice(&url);
    report.emit(ok(
        "proxy",
        match &via {
            ProxyChoice::Direct => "direct connection (no proxy applies)".to_string(),
            ProxyChoice::Via(p) => format!("through {}", proxy::redact(p)),
        },
    ));
    let Some((scheme, host, port)) = proxy::target(&url) else {
        report.emit(fail(
            "site",
            "the URL has no host",
            "set the URL as https://host[:port][/path]",
        ));
        return;
    };
    let direct = via == ProxyChoice::Direct;
    let mut port_open = false;
    match resolve(&host, port, timeout) {
        Ok(addrs) => {
            let shown: Vec<String> = addrs.iter().map(|a| a.ip().to_string()).take(3).collect();
            report.emit(ok(
                "dns",
                format!("{host} resolves to {}", shown.join(", ")),
            ));
            if direct {
                match addrs
                    .first()
                    .map(|a| TcpStream::connect_timeout(a, timeout))
                {
                    Some(Ok(_)) => {
                        port_open = true;
                        report.emit(ok("port", format!("{host}:{port} accepts connections")));
                    }
                    Some(Err(e)) => {
                        report.emit(fail(
                            "port",
                            format!("{host}:{port} refuses or drops connections: {e}"),
                            "check the port in the URL, that the site runs, and the firewall; a proxy may be needed (HTTPS_PROXY)",
                        ));
                        return;
                    }
                    None => {}
                }
            }
        }
        Err(e) if !direct => {
            report.emit(ok(
                "dns",
                format!("{host} does not resolve here ({e}); the proxy resolves it"),
            ));
        }
        Err(e) => {
            report.emit(fail(
                "dns",
                format!("{host} does not resolve: {e}"),
                "check the host name in the URL and the DNS settings (/etc/resolv.conf)",
            ));
            return;
        }
    }
    if scheme == "https" && direct {
        match probe::inspect(&host, port, timeout) {
            Ok(cert) if cert.days_left < 0 => {
                report.emit(fail(
                    "certificate",
                    format!(
                        "{} (issued by {}) expired on {}",
                        cert.subject, cert.issuer, cert.expires
                    ),
                    "the site's administrators must renew its certificate",
                ));
            }
            Ok(cert) => {
                report.emit(ok(
                    "certificate",
                    format!(
                        "{} issued by {}, valid until {} ({} days{})",
                        cert.subject,
                        cert.issuer,
                        cert.expires,
                        cert.days_left,
                        if cert.days_left < 14 {
                            ", renew soon"
                        } else {
                            ""
                        }
                    ),
                ));
            }
            Err(e) => {
                report.emit(fail(
                    "certificate",
                    format!("no TLS handshake within {timeout:?}: {e}"),
                    "check that the port speaks HTTPS (an http:// URL for a plain-HTTP port)",
                ));
            }
        }
    }
    let started = Instant::now();
    let product = opts.product.name();
    let label = if scheme == "https" { "HTTPS" } else { "HTTP" };
    let auth_failed = match client
        .get(whoami_path(product, opts.deployment))
        .timeout(timeout)
        .send_json()
    {
        Ok(me) => {
            report.emit(ok(
                "answer",
                format!("{label} answered in {} ms", started.elapsed().as_millis()),
            ));
            let name = me
                .get("displayName")
                .and_then(Value::as_str)
                .unwrap_or("(no name)");
            let id = me
                .get("accountId")
                .or_else(|| me.get("name"))
                .or_else(|| me.get("username"))
                .and_then(Value::as_str)
                .map(|i| format!(" ({i})"))
                .unwrap_or_default();
            report.emit(ok("authentication", format!("signed in as {name}{id}")));
            false
        }
        Err(e) => {
            let answered = matches!(
                e,
                HttpError::Status { .. } | HttpError::InvalidResponse { .. }
            );
            if answered {
                report.emit(ok(
                    "answer",
                    format!("{label} answered in {} ms", started.elapsed().as_millis()),
                ));
            }
            report.emit(diagnose(&e, client, &via, port_open));
            if !answered {
                return;
            }
            true
        }
    };
    if product == "Jira" {
        check_server(client, timeout, auth_failed, report);
    } else if auth_failed {
        let is_cloud = url.contains(".atlassian.net") || url.contains("api.atlassian.com/ex/");
        if let Some(fix) = credential_mismatch(product, is_cloud, &opts.credentials) {
            report.emit(fail(
                "credentials",
                format!("{} cannot work on this site", opts.credentials.describe()),
                fix,
            ));
        }
    }
}

/// Run every check, printing each as it finishes; returns the exit code.
pub fn run(services: &Services, timeout: Duration, out: &mut dyn Write) -> u8 {
    let mut report = Report { out, all_ok: true };
    let products: Vec<(&str, &Client)> = [
        ("Jira", services.jira.as_ref().map(|j| j.client())),
        (
            "Confluence",
            services.confluence.as_ref().map(|c| c.client()),
        ),
    ]
    .into_iter()
    .filter_map(|(n, c)| c.map(|c| (n, c)))
    .collect();
    if products.is_empty() {
        report.line("Neither Jira nor Confluence is configured: set JIRA_URL and/or CONFLUENCE_URL with credentials.");
        return 1;
    }
    for (name, client) in products {
        report.line(name);
        check_product(client, timeout, &mut report);
    }
    report.line(if report.all_ok {
        "\nEverything works."
    } else {
        "\nSome checks failed; see the fixes above."
    });
    if report.all_ok { 0 } else { 1 }
}

//! `mcp-atlassian doctor`: for each configured product, checks configuration, proxy choice, DNS,
//! the TLS connection, authentication (who am I) and the server type, and prints a readable
//! report with the fix for each failure. Exit code 0 only when every check passes.

use std::fmt::Write as _;
use std::net::ToSocketAddrs;
use std::time::Instant;

use serde_json::Value;

use crate::atlassian::{Client, Deployment, HttpError, ProxyChoice, probe, proxy};
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

/// Turn a failed request into the check that explains it.
fn diagnose(e: &HttpError, client: &Client, via: &ProxyChoice) -> Check {
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
        HttpError::Timeout { target } => fail(
            "connection",
            format!("{target} did not answer in time"),
            format!("check the network path and proxy; raise {product}_TIMEOUT for slow sites"),
        ),
        HttpError::Status {
            status: 401 | 403, ..
        } => fail(
            "authentication",
            e.to_string(),
            "create a new token and set it in the environment or .env file",
        ),
        other => fail(
            "authentication",
            other.to_string(),
            "check the URL: it must be the site's base URL",
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

fn check_product(client: &Client) -> Vec<Check> {
    let opts = client.options();
    let mut checks = Vec::new();
    let url = opts.base_url.clone();
    let deployment = match opts.deployment {
        Deployment::Cloud => "Cloud",
        Deployment::ServerDc => "Server/Data Center",
    };
    checks.push(ok(
        "site",
        format!("{url} ({deployment}); {}", opts.credentials.describe()),
    ));
    let via = client.proxy_choice(&url);
    checks.push(ok(
        "proxy",
        match &via {
            ProxyChoice::Direct => "direct connection (no proxy applies)".to_string(),
            ProxyChoice::Via(p) => format!("through {}", proxy::redact(p)),
        },
    ));
    let Some((_, host, port)) = proxy::target(&url) else {
        checks.push(fail(
            "site",
            "the URL has no host",
            "set the URL as https://host[:port][/path]",
        ));
        return checks;
    };
    match (host.as_str(), port).to_socket_addrs() {
        Ok(addrs) => {
            let addrs: Vec<String> = addrs.map(|a| a.ip().to_string()).take(3).collect();
            checks.push(ok(
                "dns",
                format!("{host} resolves to {}", addrs.join(", ")),
            ));
        }
        Err(e) if matches!(via, ProxyChoice::Via(_)) => {
            checks.push(ok(
                "dns",
                format!("{host} does not resolve here ({e}); the proxy resolves it"),
            ));
        }
        Err(e) => {
            checks.push(fail(
                "dns",
                format!("{host} does not resolve: {e}"),
                "check the host name in the URL and the DNS settings (/etc/resolv.conf)",
            ));
            return checks;
        }
    }
    if url.starts_with("https://") && via == ProxyChoice::Direct {
        match probe::inspect(&host, port, opts.connect_timeout) {
            Ok(cert) if cert.days_left < 0 => checks.push(fail(
                "certificate",
                format!(
                    "{} (issued by {}) expired on {}",
                    cert.subject, cert.issuer, cert.expires
                ),
                "the site's administrators must renew its certificate",
            )),
            Ok(cert) => checks.push(ok(
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
            )),
            Err(e) => checks.push(fail(
                "certificate",
                format!("TLS handshake failed: {e}"),
                "check that the port speaks HTTPS",
            )),
        }
    }
    let started = Instant::now();
    let product = opts.product.name();
    match client
        .get(whoami_path(product, opts.deployment))
        .send_json()
    {
        Ok(me) => {
            checks.push(ok(
                "connection",
                format!("HTTPS answered in {} ms", started.elapsed().as_millis()),
            ));
            let name = me
                .get("displayName")
                .and_then(Value::as_str)
                .unwrap_or("(no name)");
            let id = me
                .get("accountId")
                .or_else(|| me.get("name"))
                .or_else(|| me.get("username"));
            checks.push(ok(
                "authentication",
                format!(
                    "signed in as {name}{}",
                    id.and_then(Value::as_str)
                        .map(|i| format!(" ({i})"))
                        .unwrap_or_default()
                ),
            ));
        }
        Err(e) => {
            if matches!(
                e,
                HttpError::Status { .. } | HttpError::InvalidResponse { .. }
            ) {
                checks.push(ok(
                    "connection",
                    format!("HTTPS answered in {} ms", started.elapsed().as_millis()),
                ));
            }
            checks.push(diagnose(&e, client, &via));
            return checks;
        }
    }
    if product == "Jira" {
        match client.get("/rest/api/2/serverInfo").send_json() {
            Ok(info) => {
                let kind = info
                    .get("deploymentType")
                    .and_then(Value::as_str)
                    .unwrap_or("unknown");
                let version = info
                    .get("version")
                    .and_then(Value::as_str)
                    .unwrap_or("unknown");
                let is_cloud = kind.eq_ignore_ascii_case("cloud");
                if is_cloud == (opts.deployment == Deployment::Cloud) {
                    checks.push(ok("server", format!("{kind} {version}")));
                } else {
                    checks.push(fail(
                        "server",
                        format!("the site reports {kind} {version}, but it is configured as {deployment}"),
                        "set JIRA_DEPLOYMENT=cloud or server to match",
                    ));
                }
            }
            Err(e) => checks.push(fail(
                "server",
                e.to_string(),
                "the site may be too old or not Jira",
            )),
        }
    }
    checks
}

/// Run every check and print the report; returns the exit code.
pub fn run(services: &Services) -> (u8, String) {
    let mut report = String::new();
    let mut all_ok = true;
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
        report.push_str("Neither Jira nor Confluence is configured: set JIRA_URL and/or CONFLUENCE_URL with credentials.\n");
        return (1, report);
    }
    for (name, client) in products {
        let _ = writeln!(report, "{name}");
        for c in check_product(client) {
            all_ok &= c.ok;
            let _ = writeln!(
                report,
                "  {:<4}  {:<14}  {}",
                if c.ok { "ok" } else { "FAIL" },
                c.name,
                c.text
            );
            if let Some(fix) = c.fix {
                let _ = writeln!(report, "        {:<14}  fix: {fix}", "");
            }
        }
    }
    report.push_str(if all_ok {
        "\nEverything works.\n"
    } else {
        "\nSome checks failed; see the fixes above.\n"
    });
    (if all_ok { 0 } else { 1 }, report)
}

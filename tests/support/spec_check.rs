//! Checks the requests a client sent to the sandbox against Atlassian's official OpenAPI
//! documents (the extracts in `fixtures/specs/`, made by `fixtures/specs/extract.py`). Give
//! [`SpecCheck::check`] one entry of the sandbox's request log (`GET /__sandbox/requests`): it
//! strips the gateway (`/ex/jira/{cloudId}`, `/ex/confluence/{cloudId}`) or context path
//! (`/jira`, `/confluence`), picks the flavour's document by path family, finds the operation
//! by method and path template, and reports an operation the document lacks (a Cloud-only
//! endpoint on Server/DC, a v2 path on DC), undeclared or missing query parameters, path and
//! query values that do not fit their declared type or enum (comma lists for arrays), a JSON
//! body that fails the request-body schema or one sent to an operation that takes none.
//! Multipart uploads are checked for path, method and parameters only. Control, OAuth and
//! families without an official document here are skipped ([`UNDOCUMENTED`]). Two small lists
//! say where real servers differ from their documents, each entry with its reason.
//!
//! From a new test binary: `mod support;` then `support::spec_check::SpecCheck::new("cloud")`.

use super::schema::Doc;
use serde_json::Value;

/// Path prefixes with no official document in `fixtures/specs`: not checked.
pub const UNDOCUMENTED: &[(&str, &str)] = &[
    ("/__sandbox", "the sandbox's own control endpoints"),
    ("/authorize", "OAuth 2.0 authorization (auth.atlassian.com)"),
    (
        "/oauth/",
        "OAuth 2.0 token and accessible-resources endpoints",
    ),
    ("/_edge/", "cloud id discovery (`/_edge/tenant_info`)"),
    (
        "/rest/servicedeskapi/",
        "Jira Service Management: no JSM document in shared/specs",
    ),
    (
        "/jira/forms/",
        "Jira Forms (ProForma) API: no document in shared/specs",
    ),
    (
        "/rest/dev-status/",
        "development panel API: undocumented by Atlassian",
    ),
    (
        "/secure/attachment/",
        "Jira Server/DC download servlet, not REST",
    ),
    (
        "/download/attachments/",
        "Confluence download servlet, not REST",
    ),
    (
        "/wiki/download/attachments/",
        "Confluence Cloud download servlet (v2 `downloadLink`), not REST",
    ),
    (
        "/media/file/",
        "media API, the target of Jira Cloud's attachment redirect",
    ),
];

/// Query parameters real servers accept although the document does not declare them:
/// (document, method, path template, parameter, why).
pub const EXTRA_PARAMS: &[(&str, &str, &str, &str, &str)] = &[(
    "confluence-cloud-v1",
    "GET",
    "/wiki/rest/api/search",
    "cursor",
    "Confluence Cloud pages search results with an opaque `cursor` in `_links.next`; the 2021 \
     copy of the document predates it",
)];

/// Operations the sandbox serves that a (stale) document lacks: (document, method, path
/// template, why). Such a request is not checked further.
pub const MISSING_OPERATIONS: &[(&str, &str, &str, &str)] = &[(
    "confluence-cloud-v2",
    "GET",
    "/wiki/api/v2/pages/{id}/direct-children",
    "added to Confluence Cloud v2 in 2025, after the 2025-02 copy of the document",
)];

/// Body-schema defects of the documents (not of clients): an error is ignored when its document
/// matches, the operation template contains the second entry and the message contains the
/// third. The last entry says why.
pub const BODY_EXEMPT: &[(&str, &str, &str, &str)] = &[
    (
        "jira-dc-10.3",
        "/rest/api/2/issue",
        ".fields.",
        "generated from a Java `Map<String, Object>`: each field value is typed `object`, but \
         Jira takes strings, numbers and arrays there (e.g. `summary`)",
    ),
    (
        "jira-cloud-v3",
        "/bulk/issues/move",
        "missing required property 'targetToMultipleSourceMapping'",
        "the document requires a property it never defines (it defines `targetToSourcesMapping`)",
    ),
    (
        "jira-cloud-v3",
        "/bulk/issues/move",
        "missing required property 'issueIdOrKeys'",
        "misspelt requirement: the defined (and real) property is `issueIdsOrKeys`",
    ),
];

const DOCS: &[&str] = &[
    "jira-cloud-v3",
    "jira-agile",
    "jira-dc-10.3",
    "confluence-cloud-v1",
    "confluence-cloud-v2",
    "confluence-dc-10.0.3",
];

/// The request checker for one flavour (`"cloud"` or `"server"`).
pub struct SpecCheck {
    cloud: bool,
    docs: Vec<(&'static str, Doc)>,
}

impl SpecCheck {
    /// Loads the flavour's documents from `fixtures/specs/`. Panics on another flavour name.
    pub fn new(flavour: &str) -> Self {
        let cloud = match flavour {
            "cloud" => true,
            "server" => false,
            other => panic!("unknown flavour {other:?} (cloud or server)"),
        };
        let wanted: &[&str] = if cloud {
            &[
                "jira-cloud-v3",
                "jira-agile",
                "confluence-cloud-v1",
                "confluence-cloud-v2",
            ]
        } else {
            &["jira-dc-10.3", "confluence-dc-10.0.3"]
        };
        let docs = DOCS
            .iter()
            .filter(|d| wanted.contains(d))
            .map(|&name| {
                let path = format!("{}/fixtures/specs/{name}.json", env!("CARGO_MANIFEST_DIR"));
                let mut doc = Doc::load(&path);
                // On the Cloud documents a client may only send documented properties; the
                // generated DC and Agile documents do not list all that the products take.
                doc.strict = !matches!(name, "jira-dc-10.3" | "jira-agile");
                (name, doc)
            })
            .collect();
        SpecCheck { cloud, docs }
    }

    /// The violations of one request-log entry; empty when it is valid or not checkable.
    pub fn check(&self, logged: &Value) -> Vec<String> {
        let method = logged["method"].as_str().unwrap_or("").to_ascii_uppercase();
        let raw_path = logged["path"].as_str().unwrap_or("");
        let path = self.strip_prefix(raw_path);
        if UNDOCUMENTED
            .iter()
            .any(|(p, _)| path.starts_with(p) || path == p.trim_end_matches('/'))
            || path == "/me"
        {
            return Vec::new();
        }
        let (name, path) = match self.document(&path) {
            Ok(found) => found,
            Err(e) => return vec![e],
        };
        let doc = &self.docs.iter().find(|(n, _)| *n == name).unwrap().1;
        let Some((tpl, op)) = operation(doc, &method, &path) else {
            if MISSING_OPERATIONS
                .iter()
                .any(|(d, m, t, _)| *d == name && *m == method && template_matches(t, &path))
            {
                return Vec::new();
            }
            let others = methods_of(doc, &path);
            return vec![if others.is_empty() {
                format!("{name} has no operation {method} {path}")
            } else {
                format!(
                    "{name} has no {method} on {path} (only {})",
                    others.join(", ")
                )
            }];
        };
        let mut errs = Vec::new();
        let what = format!("{method} {tpl}");
        check_params(doc, name, &method, &tpl, op, &path, logged, &mut errs);
        check_body(doc, &what, op, logged, &mut errs);
        errs.retain(|e| {
            !BODY_EXEMPT
                .iter()
                .any(|(d, t, text, _)| *d == name && tpl.contains(t) && e.contains(text))
        });
        errs
    }

    /// Every violation in a request log, each prefixed with the request it belongs to.
    pub fn check_all(&self, log: &[Value]) -> Vec<String> {
        log.iter()
            .flat_map(|e| {
                let req = format!(
                    "{} {}{}{}",
                    e["method"].as_str().unwrap_or("?"),
                    e["path"].as_str().unwrap_or("?"),
                    if e["query"].as_str().unwrap_or("").is_empty() {
                        ""
                    } else {
                        "?"
                    },
                    e["query"].as_str().unwrap_or("")
                );
                self.check(e)
                    .into_iter()
                    .map(move |v| format!("{req}: {v}"))
            })
            .collect()
    }

    /// The path without the Cloud gateway form or a Server/DC context path.
    fn strip_prefix(&self, path: &str) -> String {
        if self.cloud {
            if let Some(rest) = path.strip_prefix("/ex/") {
                // `/ex/{jira|confluence}/{cloudId}/...`; Confluence keeps its `/wiki`.
                let mut it = rest.splitn(3, '/');
                it.next();
                it.next();
                return format!("/{}", it.next().unwrap_or(""));
            }
        } else {
            for ctx in ["/jira/", "/confluence/"] {
                if let Some(rest) = path.strip_prefix(ctx) {
                    return format!("/{rest}");
                }
            }
        }
        path.to_string()
    }

    /// Which document describes `path` on this flavour, and the path as that document spells it.
    fn document(&self, path: &str) -> Result<(&'static str, String), String> {
        let latest_as_2 = |p: &str| match p.strip_prefix("/rest/api/latest/") {
            Some(rest) => format!("/rest/api/2/{rest}"),
            None => p.to_string(),
        };
        if self.cloud {
            if path.starts_with("/wiki/api/v2/") {
                Ok(("confluence-cloud-v2", path.into()))
            } else if path.starts_with("/wiki/rest/api/") {
                Ok(("confluence-cloud-v1", path.into()))
            } else if path.starts_with("/rest/agile/1.0/") {
                Ok(("jira-agile", path.into()))
            } else if path.starts_with("/rest/api/3/") {
                Ok(("jira-cloud-v3", path.into()))
            } else if let Some(rest) = latest_as_2(path).strip_prefix("/rest/api/2/") {
                // Jira Cloud's v2 offers the same operations as v3 (rich text as wiki strings
                // instead of ADF, which the v3 document leaves untyped), and has no document.
                Ok(("jira-cloud-v3", format!("/rest/api/3/{rest}")))
            } else if path.starts_with("/rest/api/") {
                Err(format!(
                    "{path}: Confluence Cloud's REST API lives under /wiki/rest/api"
                ))
            } else {
                Err(format!(
                    "{path}: no Atlassian Cloud document describes this path"
                ))
            }
        } else {
            let path = latest_as_2(path);
            if path.starts_with("/rest/api/2/") || path.starts_with("/rest/agile/1.0/") {
                Ok(("jira-dc-10.3", path))
            } else if path.starts_with("/rest/api/3/") {
                Err(format!(
                    "{path}: Jira Server/DC has no REST API v3 (use /rest/api/2)"
                ))
            } else if path.starts_with("/wiki/") {
                Err(format!(
                    "{path}: a Confluence Cloud path; Server/DC serves /rest/api"
                ))
            } else if path.starts_with("/rest/api/") {
                Ok(("confluence-dc-10.0.3", path))
            } else {
                Err(format!(
                    "{path}: no Atlassian Server/DC document describes this path"
                ))
            }
        }
    }
}

fn template_matches(tpl: &str, path: &str) -> bool {
    literal_count(tpl, path).is_some()
}

/// How many literal segments of `tpl` match `path`, or `None` when it does not match.
fn literal_count(tpl: &str, path: &str) -> Option<usize> {
    let (t, p): (Vec<&str>, Vec<&str>) = (tpl.split('/').collect(), path.split('/').collect());
    if t.len() != p.len() {
        return None;
    }
    let mut literal = 0;
    for (a, b) in t.iter().zip(&p) {
        if a.starts_with('{') && a.ends_with('}') {
            if b.is_empty() {
                return None;
            }
        } else if a == b {
            literal += 1;
        } else {
            return None;
        }
    }
    Some(literal)
}

/// The operation whose template matches `path` best (most literal segments).
pub fn operation<'a>(doc: &'a Doc, method: &str, path: &str) -> Option<(String, &'a Value)> {
    let mut best: Option<(usize, &String, &Value)> = None;
    for (tpl, item) in doc.root["paths"].as_object()? {
        let Some(op) = item.get(method.to_ascii_lowercase()) else {
            continue;
        };
        if let Some(l) = literal_count(tpl, path) {
            if best.as_ref().is_none_or(|(b, _, _)| l > *b) {
                best = Some((l, tpl, op));
            }
        }
    }
    best.map(|(_, t, op)| (t.clone(), op))
}

fn methods_of(doc: &Doc, path: &str) -> Vec<String> {
    let mut out: Vec<String> = doc.root["paths"]
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(tpl, _)| template_matches(tpl, path))
        .flat_map(|(_, item)| {
            item.as_object()
                .into_iter()
                .flatten()
                .map(|(m, _)| m.to_uppercase())
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// `a=1&b=x%20y` → pairs, percent- and `+`-decoded.
pub fn parse_query(raw: &str) -> Vec<(String, String)> {
    raw.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect()
}

fn decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => {
                match u8::from_str_radix(std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("zz"), 16)
                {
                    Ok(x) => {
                        out.push(x);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A raw parameter value typed as its schema says (integers, numbers, booleans; arrays from
/// repeated keys and comma lists), so the schema checker can judge it. A value that does not
/// parse stays a string and is reported as the wrong type.
fn typed(doc: &Doc, schema: &Value, raw: &[&str]) -> Value {
    let mut s = schema;
    while let Some(r) = s.get("$ref").and_then(Value::as_str) {
        s = doc.resolve(r);
    }
    if s["type"] == "array" {
        let items = &s["items"];
        return Value::Array(
            raw.iter()
                .flat_map(|v| v.split(','))
                .map(|v| typed(doc, items, &[v.trim()]))
                .collect(),
        );
    }
    let v = raw.first().copied().unwrap_or("");
    match s["type"].as_str() {
        // A query string cannot carry an object: where a generated document types a list
        // parameter so (Agile `fields`), it is a comma list of strings in reality.
        Some("object") => Value::Object(Default::default()),
        Some("integer") => v
            .parse::<i64>()
            .map(Value::from)
            .unwrap_or_else(|_| v.into()),
        Some("number") => v
            .parse::<f64>()
            .map(Value::from)
            .unwrap_or_else(|_| v.into()),
        Some("boolean") => match v {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => v.into(),
        },
        _ => v.into(),
    }
}

#[allow(clippy::too_many_arguments)]
fn check_params(
    doc: &Doc,
    name: &str,
    method: &str,
    tpl: &str,
    op: &Value,
    path: &str,
    logged: &Value,
    errs: &mut Vec<String>,
) {
    let declared: Vec<&Value> = op["parameters"].as_array().into_iter().flatten().collect();
    let find = |inn: &str, n: &str| {
        declared
            .iter()
            .find(|p| p["in"] == inn && p["name"] == n)
            .copied()
    };
    for (t, v) in tpl.split('/').zip(path.split('/')) {
        let Some(pname) = t.strip_prefix('{').and_then(|t| t.strip_suffix('}')) else {
            continue;
        };
        if let Some(p) = find("path", pname) {
            let value = typed(doc, &p["schema"], &[&decode(v)]);
            for e in doc.check(&p["schema"], &value) {
                errs.push(format!(
                    "path parameter '{pname}': {}",
                    e.trim_start_matches("$: ")
                ));
            }
        }
    }
    let query = parse_query(logged["query"].as_str().unwrap_or(""));
    let mut seen: Vec<&str> = Vec::new();
    for (k, _) in &query {
        if seen.contains(&k.as_str()) {
            continue;
        }
        seen.push(k);
        let values: Vec<&str> = query
            .iter()
            .filter(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
            .collect();
        let Some(p) = find("query", k) else {
            let allowed = EXTRA_PARAMS
                .iter()
                .any(|(d, m, t, q, _)| *d == name && *m == method && *t == tpl && q == k);
            if !allowed {
                let mut names: Vec<&str> = declared
                    .iter()
                    .filter(|p| p["in"] == "query")
                    .filter_map(|p| p["name"].as_str())
                    .collect();
                names.sort();
                errs.push(format!(
                    "query parameter '{k}' is not declared by {method} {tpl} (declared: {})",
                    names.join(", ")
                ));
            }
            continue;
        };
        let value = typed(doc, &p["schema"], &values);
        for e in doc.check(&p["schema"], &value) {
            errs.push(format!(
                "query parameter '{k}': {}",
                e.trim_start_matches("$: ")
            ));
        }
    }
    for p in &declared {
        let pname = p["name"].as_str().unwrap_or("");
        if p["in"] == "query" && p["required"] == true && !seen.contains(&pname) {
            errs.push(format!("required query parameter '{pname}' is missing"));
        }
    }
}

fn check_body(doc: &Doc, what: &str, op: &Value, logged: &Value, errs: &mut Vec<String>) {
    let body = logged.get("body").filter(|b| !b.is_null());
    let ctype = logged["content_type"]
        .as_str()
        .unwrap_or("")
        .to_ascii_lowercase();
    let bytes = logged["body_bytes"].as_u64();
    let sent = body.is_some() || bytes.is_some_and(|n| n > 0);
    let rb = &op["requestBody"];
    if rb.is_null() {
        if sent {
            errs.push(format!("{what} takes no request body, but one was sent"));
        }
        return;
    }
    let content = rb["content"].as_object();
    let media: Vec<&String> = content.into_iter().flatten().map(|(m, _)| m).collect();
    if ctype.starts_with("multipart/") {
        if !media.iter().any(|m| m.starts_with("multipart/")) {
            errs.push(format!("{what} takes {media:?}, not a multipart body"));
        }
        return;
    }
    let schema = content
        .into_iter()
        .flatten()
        .find(|(m, _)| m.starts_with("application/json") || m.as_str() == "*/*")
        .and_then(|(_, c)| c.get("schema"));
    match body {
        Some(b) => match schema {
            Some(s) => errs.extend(doc.check(s, b).into_iter().map(|e| format!("body {e}"))),
            None => errs.push(format!("{what} takes {media:?}, not a JSON body")),
        },
        None if bytes == Some(0) && rb["required"] == true => {
            errs.push(format!("{what} requires a request body, none was sent"))
        }
        None if bytes.is_some_and(|n| n > 0 && n <= 64 * 1024) && ctype.contains("json") => {
            errs.push(format!("{what}: the body is not valid JSON"))
        }
        None => {}
    }
}

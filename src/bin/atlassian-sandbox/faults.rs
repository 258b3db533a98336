//! Fault injection: what can go wrong, how a fault is written, and the global rule list.
//!
//! A fault spec is a comma-separated list of faults, each with `;key=value` parameters:
//! `429;retry-after=2`, `500`, `502`, `503;retry-after=1`, `status=418`, `latency=200ms`
//! (or `latency=1s`), `reset` (close the connection without answering), `truncate` (send the
//! real headers and half of the body, then close; `truncate;bytes=10` to choose the cut).
//! Latency combines with the others: `latency=300ms,503`. It arrives per request in the
//! `X-Sandbox-Fault` header, or from rules added with `POST /__sandbox/faults`.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq)]
pub enum Fault {
    /// Answer with this status (429 and 503 carry `Retry-After` when given).
    Status {
        code: u16,
        retry_after: Option<u64>,
    },
    Latency(u64),
    Reset,
    Truncate(Option<usize>),
}

/// Parses a fault spec; the error names the part that is wrong.
pub fn parse(spec: &str) -> Result<Vec<Fault>, String> {
    let mut out = Vec::new();
    for item in spec.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let mut parts = item.split(';').map(str::trim);
        let head = parts.next().unwrap_or("").to_ascii_lowercase();
        let params: Vec<(String, String)> = parts
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                (k.trim().to_ascii_lowercase(), v.trim().to_string())
            })
            .collect();
        let param = |name: &str| {
            params
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        };
        let retry_after = match param("retry-after") {
            Some(v) => Some(v.parse().map_err(|_| format!("bad retry-after {v:?}"))?),
            None => None,
        };
        let fault = if let Some(ms) = head.strip_prefix("latency=") {
            Fault::Latency(parse_ms(ms)?)
        } else if let Some(code) = head.strip_prefix("status=") {
            Fault::Status {
                code: parse_code(code)?,
                retry_after,
            }
        } else if head == "reset" {
            Fault::Reset
        } else if head == "truncate" {
            let bytes = match param("bytes") {
                Some(b) => Some(b.parse().map_err(|_| format!("bad bytes {b:?}"))?),
                None => None,
            };
            Fault::Truncate(bytes)
        } else if head.chars().all(|c| c.is_ascii_digit()) && !head.is_empty() {
            Fault::Status {
                code: parse_code(&head)?,
                retry_after: retry_after.or(if head == "429" { Some(1) } else { None }),
            }
        } else {
            return Err(format!(
                "unknown fault {item:?} (expected 429, 500, 502, 503, status=N, latency=Nms, reset, truncate)"
            ));
        };
        out.push(fault);
    }
    Ok(out)
}

fn parse_code(s: &str) -> Result<u16, String> {
    s.parse::<u16>()
        .ok()
        .filter(|c| (100..600).contains(c))
        .ok_or(format!("bad status {s:?}"))
}

fn parse_ms(s: &str) -> Result<u64, String> {
    let bad = || format!("bad latency {s:?} (use e.g. 200ms or 2s)");
    if let Some(n) = s.strip_suffix("ms") {
        n.parse().map_err(|_| bad())
    } else if let Some(n) = s.strip_suffix('s') {
        n.parse::<f64>()
            .map(|x| (x * 1000.0) as u64)
            .map_err(|_| bad())
    } else {
        s.parse().map_err(|_| bad())
    }
}

/// A global rule: requests whose path starts with `path` (and method matches, when given) get
/// `fault`, for the next `count` matching requests (`null` = until removed).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Rule {
    #[serde(default)]
    pub id: u64,
    pub fault: String,
    #[serde(default)]
    pub path: String,
    #[serde(default)]
    pub method: Option<String>,
    #[serde(default = "one")]
    pub count: Option<u64>,
    /// How many requests this rule has hit so far.
    #[serde(default)]
    pub hits: u64,
}

fn one() -> Option<u64> {
    Some(1)
}

/// Finds the first live rule matching the request, consumes one use, returns its faults.
pub fn take(rules: &mut Vec<Rule>, method: &str, path: &str) -> Option<(String, Vec<Fault>)> {
    let i = rules.iter().position(|r| {
        path.starts_with(&r.path)
            && r.method
                .as_deref()
                .is_none_or(|m| m.eq_ignore_ascii_case(method))
            && r.count != Some(0)
    })?;
    let rule = &mut rules[i];
    rule.hits += 1;
    if let Some(c) = rule.count.as_mut() {
        *c -= 1;
    }
    let spec = rule.fault.clone();
    if rule.count == Some(0) {
        rules.remove(i);
    }
    parse(&spec).ok().map(|f| (spec, f))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_specs() {
        assert_eq!(
            parse("429;retry-after=2").unwrap(),
            vec![Fault::Status {
                code: 429,
                retry_after: Some(2)
            }]
        );
        assert_eq!(
            parse("latency=200ms, 503").unwrap(),
            vec![
                Fault::Latency(200),
                Fault::Status {
                    code: 503,
                    retry_after: None
                }
            ]
        );
        assert_eq!(parse("latency=1.5s").unwrap(), vec![Fault::Latency(1500)]);
        assert_eq!(
            parse("truncate;bytes=7").unwrap(),
            vec![Fault::Truncate(Some(7))]
        );
        assert!(parse("explode").is_err());
        assert!(parse("latency=fast").is_err());
    }

    #[test]
    fn rules_count_down() {
        let mut rules = vec![Rule {
            id: 1,
            fault: "500".into(),
            path: "/rest/api/3/issue".into(),
            method: Some("GET".into()),
            count: Some(2),
            hits: 0,
        }];
        assert!(take(&mut rules, "POST", "/rest/api/3/issue/X-1").is_none());
        assert!(take(&mut rules, "GET", "/rest/api/3/issue/X-1").is_some());
        assert!(take(&mut rules, "get", "/rest/api/3/issue/X-1").is_some());
        assert!(take(&mut rules, "GET", "/rest/api/3/issue/X-1").is_none());
        assert!(rules.is_empty());
    }
}

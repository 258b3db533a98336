//! One attempt of a request: the hops it takes through redirects, followed by hand so that the
//! site's credentials and the server's headers only go to the site's own origin and every hop
//! of a caller-chosen site passes its guard, and one bounded read of each answer.

use std::io::Read;

use super::super::error::{HttpError, parse_retry_after};
use super::super::proxy::redact;
use super::super::transfer::{self, encode_body, same_origin};
use super::{Client, MAX_REDIRECTS, Method, Raw, Request};

impl Client {
    /// One attempt: the request and the redirects it leads to. Each hop gets the credentials,
    /// custom and pass-through headers only when it stays on the site's origin (a gateway
    /// request's hops inside its scope get the credentials alone); a caller-chosen site's other
    /// hops pass its guard. GET and HEAD-like requests follow redirects; others stop at
    /// the redirect (Atlassian's APIs do not redirect writes).
    pub(super) fn once(
        &self,
        req: &Request<'_>,
        first: &str,
        limit: usize,
    ) -> Result<Raw, HttpError> {
        let credentials = req.credentials.unwrap_or(&self.opts.credentials);
        let encoded = encode_body(&req.body);
        let mut url = first.to_string();
        for hop in 0..=MAX_REDIRECTS {
            let own = same_origin(&url, &self.opts.base_url);
            // A gateway request's own scope (admin-configured origin, fixed path prefix) is as
            // trusted as the site for the credentials, never for the custom headers.
            let scoped = !own && req.scope.as_ref().is_some_and(|s| s.admits(&url));
            let trusted = own || scoped;
            if let Some(guard) = &self.hop_guard
                && (hop > 0 || !trusted)
            {
                guard(&url).map_err(|reason| HttpError::InvalidRequest {
                    reason: format!("refused to follow {}: {reason}", redact(&url)),
                })?;
            }
            let mut headers: Vec<(String, String)> =
                vec![("Accept".into(), "application/json, */*;q=0.5".into())];
            if own {
                headers.extend(
                    self.opts
                        .headers
                        .iter()
                        .map(|(k, v)| (k.clone(), v.expose().to_string())),
                );
            }
            if trusted {
                headers.extend(req.headers.iter().cloned());
                if let Some(auth) = credentials.header() {
                    headers.push(("Authorization".into(), auth));
                }
            }
            let body = if hop == 0 { encoded.as_ref() } else { None };
            let raw = self.send_once(req.method, &url, &headers, body, limit, req.timeout)?;
            let location = raw.location.clone();
            match (raw.raw.status, location) {
                (301 | 302 | 303 | 307 | 308, Some(loc)) if req.method == Method::Get => {
                    url = transfer::resolve_location(&url, &loc).ok_or_else(|| {
                        HttpError::InvalidResponse {
                            reason: format!("a redirect to {loc:?} that is not a URL"),
                        }
                    })?;
                    log::debug!("redirected to {}", redact(&url));
                }
                _ => return Ok(raw.raw),
            }
        }
        Err(HttpError::InvalidResponse {
            reason: format!("more than {MAX_REDIRECTS} redirects"),
        })
    }

    fn send_once(
        &self,
        method: Method,
        url: &str,
        headers: &[(String, String)],
        body: Option<&(Vec<u8>, String)>,
        limit: usize,
        timeout: Option<std::time::Duration>,
    ) -> Result<Hop, HttpError> {
        let agent = self.agent()?;
        let proxy = self.proxy_for(url)?;
        let result = match method {
            Method::Get | Method::Delete => {
                let mut b = if method == Method::Get {
                    agent.get(url)
                } else {
                    agent.delete(url)
                };
                for (k, v) in headers {
                    b = b.header(k, v);
                }
                b.config()
                    .proxy(proxy)
                    .timeout_global(timeout.or(Some(self.opts.timeout)))
                    .build()
                    .call()
            }
            Method::Post | Method::Put => {
                let mut b = if method == Method::Post {
                    agent.post(url)
                } else {
                    agent.put(url)
                };
                for (k, v) in headers {
                    b = b.header(k, v);
                }
                let b = b
                    .config()
                    .proxy(proxy)
                    .timeout_global(timeout.or(Some(self.opts.timeout)))
                    .build();
                match body {
                    Some((bytes, content_type)) => {
                        b.content_type(content_type.as_str()).send(&bytes[..])
                    }
                    None => b.send_empty(),
                }
            }
        };
        let resp = result.map_err(|e| self.map_error(url, e))?;
        let status = resp.status().as_u16();
        let header = |name: &str| {
            resp.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let retry_after = header("retry-after").as_deref().and_then(parse_retry_after);
        let content_type = header("content-type");
        let location = header("location");
        // Read one byte past the limit: more than `limit` is an error, never a cut file.
        let mut data = Vec::new();
        resp.into_body()
            .into_reader()
            .take(limit as u64 + 1)
            .read_to_end(&mut data)
            .map_err(|e| HttpError::Connect {
                target: super::super::proxy::target(url)
                    .map_or_else(|| redact(url), |(_, h, p)| format!("{h}:{p}")),
                reason: e.to_string(),
            })?;
        if data.len() > limit {
            return Err(HttpError::TooLarge { limit });
        }
        Ok(Hop {
            raw: Raw {
                status,
                data,
                content_type,
                retry_after,
            },
            location,
        })
    }
}

/// One hop's answer and where it redirects to.
struct Hop {
    raw: Raw,
    location: Option<String>,
}

//! Confluence storage format helpers: user mentions in the flavour's form, a plain-text view
//! (CQL `text ~`) and a rendered view (`body.view`); and Jira wiki mentions for Cloud v2.

use super::UserLookup;
use super::adf::escape;

/// Rewrites wiki mentions of usernames for Jira Cloud v2: `[~alice]` → `[~accountid:ID]`.
pub fn wiki_for_cloud(src: &str, users: UserLookup) -> String {
    let mut out = String::with_capacity(src.len());
    let mut rest = src;
    while let Some(start) = rest.find("[~") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        match after.find(']') {
            Some(end) if !after[..end].starts_with("accountid:") => {
                let who = &after[..end];
                match users(who) {
                    Some((id, _)) => out.push_str(&format!("[~accountid:{id}]")),
                    None => out.push_str(&format!("[~{who}]")),
                }
                rest = &after[end + 1..];
            }
            _ => {
                out.push_str("[~");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Rewrites storage-format mentions written as `ri:username="alice"` into the flavour's form:
/// `ri:account-id="…"` (Cloud) or `ri:userkey="…"` (Server/DC).
pub fn storage_mentions(src: &str, attr: &str, users: &dyn Fn(&str) -> Option<String>) -> String {
    let needle = "ri:username=\"";
    let mut out = String::with_capacity(src.len());
    let mut rest = src;
    while let Some(start) = rest.find(needle) {
        out.push_str(&rest[..start]);
        let after = &rest[start + needle.len()..];
        let end = after.find('"').unwrap_or(after.len());
        let who = &after[..end];
        match users(who) {
            Some(v) => out.push_str(&format!("{attr}=\"{v}\"")),
            None => out.push_str(&format!("{needle}{who}\"")),
        }
        rest = after.get(end + 1..).unwrap_or("");
    }
    out.push_str(rest);
    out
}

/// Storage XHTML → plain text (tags dropped, CDATA kept, entities decoded).
pub fn storage_to_text(src: &str) -> String {
    let mut out = String::with_capacity(src.len());
    let mut rest = src;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        let tail = &rest[lt..];
        if let Some(cdata) = tail.strip_prefix("<![CDATA[") {
            let end = cdata.find("]]>").unwrap_or(cdata.len());
            out.push_str(&cdata[..end]);
            rest = cdata.get(end + 3..).unwrap_or("");
            continue;
        }
        let end = tail.find('>').unwrap_or(tail.len() - 1);
        let tag = &tail[1..end];
        if tag.starts_with("ac:parameter") {
            let close = tail
                .find("</ac:parameter>")
                .map(|e| e + 15)
                .unwrap_or(end + 1);
            rest = &tail[close..];
            continue;
        }
        if tag.starts_with("/p")
            || tag.starts_with("br")
            || tag.starts_with("/h")
            || tag.starts_with("/li")
        {
            out.push(' ');
        }
        rest = &tail[end + 1..];
    }
    out.push_str(rest);
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&")
}

/// Storage XHTML → a "view" rendering: macros unwrapped, Confluence-only tags removed.
pub fn storage_to_view(src: &str) -> String {
    let mut out = String::with_capacity(src.len());
    let mut rest = src;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        let tail = &rest[lt..];
        if let Some(cdata) = tail.strip_prefix("<![CDATA[") {
            let end = cdata.find("]]>").unwrap_or(cdata.len());
            out.push_str(&escape(&cdata[..end]));
            rest = cdata.get(end + 3..).unwrap_or("");
            continue;
        }
        let end = tail.find('>').unwrap_or(tail.len() - 1);
        let tag = &tail[..=end];
        if tag.starts_with("<ac:parameter") {
            let close = tail
                .find("</ac:parameter>")
                .map(|e| e + 15)
                .unwrap_or(end + 1);
            rest = &tail[close..];
            continue;
        }
        if tag.starts_with("<ac:plain-text-body") {
            out.push_str("<pre>");
        } else if tag.starts_with("</ac:plain-text-body") {
            out.push_str("</pre>");
        } else if !(tag.starts_with("<ac:")
            || tag.starts_with("</ac:")
            || tag.starts_with("<ri:")
            || tag.starts_with("</ri:"))
        {
            out.push_str(tag);
        }
        rest = &tail[end + 1..];
    }
    out.push_str(rest);
    out
}

//! The shapes and parameters many tools share: the formats argument validation checks (issue
//! key, project key, numeric id, space key) and parameter constants (issue key, project key,
//! page id, space key, limit, start_at, fields, expand), so a tool's table entry stays a few
//! lines and every tool says the same thing the same way.

use crate::mcp::{Format, Param, ParamType};

fn is_project_key(key: &str) -> bool {
    let mut chars = key.chars();
    key.len() >= 2
        && key.len() <= 255
        && chars.next().is_some_and(|c| c.is_ascii_uppercase())
        && chars.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

/// `^[A-Z][A-Z0-9_]+-\d+(-\d+)*$` (the default JIRA_ISSUE_KEY_PATTERN), without a regex engine.
pub fn is_issue_key(key: &str) -> bool {
    let mut parts = key.split('-');
    let project = parts.next().unwrap_or_default();
    let mut numbers = 0;
    for p in parts {
        if p.is_empty() || p.len() > 18 || !p.bytes().all(|b| b.is_ascii_digit()) {
            return false;
        }
        numbers += 1;
    }
    is_project_key(project) && numbers >= 1
}

fn is_numeric_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 20 && id.bytes().all(|b| b.is_ascii_digit())
}

/// Space keys: letters, digits and `_`; personal spaces `~name` (DC user names may hold `.`,
/// `@`, `-`; Cloud uses `~accountId`).
fn is_space_key(key: &str) -> bool {
    let (personal, rest) = match key.strip_prefix('~') {
        Some(r) => (true, r),
        None => (false, key),
    };
    !rest.is_empty()
        && key.len() <= 255
        && rest.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || b == b'_'
                || (personal && matches!(b, b'.' | b'@' | b'-' | b':'))
        })
}

/// Keys are upper case in Jira; `web-1` is what a user meant by `WEB-1`.
fn upper(s: &str) -> String {
    s.trim().to_ascii_uppercase()
}

pub static ISSUE_KEY: Format = Format {
    name: "issue_key",
    expected: "an issue key like PROJ-123",
    check: is_issue_key,
    normalize: Some(upper),
};
pub static PROJECT_KEY: Format = Format {
    name: "project_key",
    expected: "a project key like PROJ (capital letters, digits, _)",
    check: is_project_key,
    normalize: Some(upper),
};
pub static NUMERIC_ID: Format = Format {
    name: "numeric_id",
    expected: "a numeric id like 123456",
    check: is_numeric_id,
    normalize: None,
};
/// A Confluence page or blog post: its id, a page URL (Cloud `/spaces/KEY/pages/ID/...`,
/// `viewpage.action?pageId=ID`, Server/DC `/display/KEY/Title`) or a tiny link (`/x/CODE`); the
/// reference has no pattern on these, and `confluence::Confluence::resolve_page` resolves them.
pub static PAGE_REF: Format = Format {
    name: "page_ref",
    expected: "a page id like 123456, a page URL or a tiny link (/x/...)",
    check: crate::confluence::is_page_ref,
    normalize: None,
};
pub static SPACE_KEY: Format = Format {
    name: "space_key",
    expected: "a space key like DEV or ~username",
    check: is_space_key,
    normalize: None,
};

/// `issue_key`, required.
pub const ISSUE_KEY_PARAM: Param = Param::string("issue_key", "Issue key, e.g. PROJ-123.")
    .format(&ISSUE_KEY)
    .required();
/// `project_key`, required.
pub const PROJECT_KEY_PARAM: Param = Param::string("project_key", "Project key, e.g. PROJ.")
    .format(&PROJECT_KEY)
    .required();
/// `page_id`, required: an id, a page URL or a tiny link.
pub const PAGE_ID: Param = Param::string("page_id", "Page id, page URL or tiny link.")
    .format(&PAGE_REF)
    .required();
/// `space_key`, required.
pub const SPACE_KEY_PARAM: Param = Param::string("space_key", "Space key, e.g. DEV.")
    .format(&SPACE_KEY)
    .required();
/// `start_at`: Server/Data Center style offset paging.
pub const START_AT: Param = Param::int("start_at", "Offset of the first result.")
    .default_int(0)
    .min(0);
/// `expand`: Jira or Confluence expansions.
pub const EXPAND: Param = Param::string("expand", "Comma-separated expansions, e.g. changelog.");
/// `use_display_names`: custom fields keyed by name.
pub const USE_DISPLAY_NAMES: Param = Param::bool(
    "use_display_names",
    "Key custom fields by display name instead of customfield_NNNNN.",
)
.default_bool(false);

/// `limit` with its default and bounds (bounds as the reference declares them; the server's
/// ATLASSIAN_MAX_PAGINATION_LIMIT may lower them further).
pub const fn limit(default: i64, max: Option<i64>) -> Param {
    let p = Param::new("limit", ParamType::Integer, "Maximum results.")
        .default_int(default)
        .min(1);
    match max {
        Some(m) => p.range(1, m),
        None => p,
    }
}

// Confluence pages, comments, labels, attachments (issue 12).

fn is_attachment_id(id: &str) -> bool {
    is_numeric_id(id.strip_prefix("att").unwrap_or(id))
}

pub static ATTACHMENT_ID: Format = Format {
    name: "attachment_id",
    expected: "an attachment id like att123456",
    check: is_attachment_id,
    normalize: None,
};
/// `page_id`, required, described briefly (an id, a page URL or a tiny link).
pub const PAGE: Param = Param::string("page_id", "Page id.")
    .format(&PAGE_REF)
    .required();
/// `content_id`: a page or blog post (id, URL or tiny link), required.
pub const CONTENT_ID: Param = Param::string("content_id", "Page or blog post id.")
    .format(&PAGE_REF)
    .required();
/// `attachment_id`, required.
pub const ATTACHMENT_ID_PARAM: Param = Param::string("attachment_id", "Attachment id (att123).")
    .format(&ATTACHMENT_ID)
    .required();
/// `content_format` of page writes.
pub const CONTENT_FORMAT: Param = Param::string("content_format", "markdown, wiki or storage.")
    .default_str("markdown")
    .choices(&["markdown", "wiki", "storage"]);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        for ok in ["PROJ-1", "AB-12345", "A_B-3", "P2P-7", "PROJ-1-2"] {
            assert!(is_issue_key(ok), "{ok}");
        }
        for bad in [
            "proj-1",
            "P-1",
            "PROJ",
            "PROJ-",
            "PROJ-1a",
            "-1",
            "PROJ 1",
            "1PROJ-2",
            "WEB-1/../OPS-3",
        ] {
            assert!(!is_issue_key(bad), "{bad}");
        }
        assert!(is_project_key("PROJ") && !is_project_key("proj") && !is_project_key("P/1"));
        assert!(is_numeric_id("123") && !is_numeric_id("12a") && !is_numeric_id(""));
        for ok in [
            "DEV",
            "ds",
            "~alice",
            "~jane.doe@example.com",
            "~5b10ac8d82e05b22cc7d4ef5",
        ] {
            assert!(is_space_key(ok), "{ok}");
        }
        for bad in ["", "~", "DEV OPS", "a/b", "D\"", "DEV-OPS"] {
            assert!(!is_space_key(bad), "{bad}");
        }
    }
}

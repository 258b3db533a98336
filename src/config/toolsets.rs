//! Toolset names and the two tool-selection settings: `TOOLSETS` (which groups of tools exist)
//! and `ENABLED_TOOLS` (which individual tools exist). Whether a named tool really exists is
//! checked by the tool registry, not here.

/// Every toolset name, in the order tools are listed; `legacy` is accepted but holds no tools.
pub const ALL_TOOLSETS: [&str; 25] = [
    "jira_issues",
    "jira_fields",
    "jira_comments",
    "jira_transitions",
    "jira_projects",
    "jira_agile",
    "jira_links",
    "jira_worklog",
    "jira_attachments",
    "jira_users",
    "jira_watchers",
    "jira_service_desk",
    "jira_forms",
    "jira_metrics",
    "jira_development",
    "jira_project_analysis",
    "confluence_pages",
    "confluence_comments",
    "confluence_labels",
    "confluence_users",
    "confluence_analytics",
    "confluence_attachments",
    "confluence_templates",
    "confluence_permissions",
    "legacy",
];

/// The toolsets selected by `TOOLSETS=default`.
pub const CORE_TOOLSETS: [&str; 6] = [
    "jira_issues",
    "jira_fields",
    "jira_comments",
    "jira_transitions",
    "confluence_pages",
    "confluence_comments",
];

/// Resolves a `TOOLSETS` value into toolset names in [`ALL_TOOLSETS`] order.
/// `None` or `all` selects everything; `default` selects [`CORE_TOOLSETS`]; names may be mixed
/// with `default` (case-insensitive, spaces ignored). The error completes "NAME: ...".
pub(crate) fn resolve_toolsets(value: Option<&str>) -> Result<Vec<&'static str>, String> {
    let Some(value) = value else {
        return Ok(ALL_TOOLSETS.to_vec());
    };
    let mut wanted: Vec<&'static str> = Vec::new();
    let mut any = false;
    for item in value.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        any = true;
        let item = item.to_ascii_lowercase();
        match item.as_str() {
            "all" => wanted.extend(ALL_TOOLSETS),
            "default" => wanted.extend(CORE_TOOLSETS),
            name => match ALL_TOOLSETS.iter().find(|t| **t == name) {
                Some(t) => wanted.push(t),
                None => {
                    return Err(format!(
                        "unknown toolset {} (known: all, default, {})",
                        super::error::quote(name),
                        ALL_TOOLSETS.join(", ")
                    ));
                }
            },
        }
    }
    if !any {
        return Err("names no toolset (use all, default or a comma list of toolsets)".into());
    }
    Ok(ALL_TOOLSETS
        .iter()
        .copied()
        .filter(|t| wanted.contains(t))
        .collect())
}

/// Parses an `ENABLED_TOOLS` value: a comma list of tool names, each `[a-z0-9_]+`, duplicates
/// dropped. The error completes "NAME: ...".
pub(crate) fn parse_enabled_tools(value: &str) -> Result<Vec<String>, String> {
    let mut tools: Vec<String> = Vec::new();
    for item in value.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let valid = item
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !valid {
            return Err(format!(
                "{} is not a tool name (lower-case letters, digits and _)",
                super::error::quote(item)
            ));
        }
        if !tools.iter().any(|t| t == item) {
            tools.push(item.to_owned());
        }
    }
    if tools.is_empty() {
        return Err("names no tool (give a comma list such as jira_get_issue,jira_search)".into());
    }
    Ok(tools)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_match_the_contract() {
        assert_eq!(ALL_TOOLSETS.len(), 25);
        assert!(CORE_TOOLSETS.iter().all(|c| ALL_TOOLSETS.contains(c)));
        let mut sorted = ALL_TOOLSETS.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), 25);
    }

    #[test]
    fn unset_and_all_select_everything() {
        assert_eq!(resolve_toolsets(None).unwrap(), ALL_TOOLSETS.to_vec());
        assert_eq!(
            resolve_toolsets(Some("all")).unwrap(),
            ALL_TOOLSETS.to_vec()
        );
        assert_eq!(
            resolve_toolsets(Some(" ALL ")).unwrap(),
            ALL_TOOLSETS.to_vec()
        );
    }

    #[test]
    fn default_and_mixes() {
        assert_eq!(
            resolve_toolsets(Some("default")).unwrap(),
            CORE_TOOLSETS.to_vec()
        );
        let got = resolve_toolsets(Some("jira_agile, default,jira_agile")).unwrap();
        let mut want = CORE_TOOLSETS.to_vec();
        want.insert(4, "jira_agile");
        assert_eq!(got, want);
        assert_eq!(resolve_toolsets(Some("legacy")).unwrap(), vec!["legacy"]);
        assert_eq!(
            resolve_toolsets(Some("confluence_labels,jira_users")).unwrap(),
            vec!["jira_users", "confluence_labels"]
        );
    }

    #[test]
    fn unknown_or_empty_toolsets_are_errors() {
        let err = resolve_toolsets(Some("jira_issues,jira_foo")).unwrap_err();
        assert!(
            err.starts_with("unknown toolset \"jira_foo\" (known: all, default, jira_issues,"),
            "{err}"
        );
        assert!(resolve_toolsets(Some(" , ,")).is_err());
    }

    #[test]
    fn enabled_tools() {
        assert_eq!(
            parse_enabled_tools(" jira_get_issue,,jira_search,jira_get_issue ").unwrap(),
            vec!["jira_get_issue", "jira_search"]
        );
        let err = parse_enabled_tools("jira_get_issue,Jira-Search").unwrap_err();
        assert!(
            err.starts_with("\"Jira-Search\" is not a tool name"),
            "{err}"
        );
        assert!(parse_enabled_tools(",").is_err());
    }
}

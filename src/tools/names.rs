//! Tool names as users type them: the reference server's 98 names (so a name this version does not
//! implement yet is told apart from a typo), the closest declared name for a typo, and the
//! explanation a user gets for a name that is not exposed.

/// Every tool name of the reference server (`sooperset/mcp-atlassian` 0.23.1), sorted.
pub const REFERENCE: &[&str] = &[
    "confluence_add_comment",
    "confluence_add_inline_comment",
    "confluence_add_label",
    "confluence_check_content_permissions",
    "confluence_copy_page",
    "confluence_create_page",
    "confluence_create_page_from_template",
    "confluence_delete_attachment",
    "confluence_delete_page",
    "confluence_download_attachment",
    "confluence_download_content_attachments",
    "confluence_get_attachments",
    "confluence_get_comments",
    "confluence_get_inline_comments",
    "confluence_get_labels",
    "confluence_get_page",
    "confluence_get_page_children",
    "confluence_get_page_diff",
    "confluence_get_page_history",
    "confluence_get_page_images",
    "confluence_get_page_restrictions",
    "confluence_get_page_template",
    "confluence_get_page_views",
    "confluence_get_space_page_tree",
    "confluence_get_space_permissions",
    "confluence_list_page_templates",
    "confluence_move_page",
    "confluence_reply_to_comment",
    "confluence_search",
    "confluence_search_user",
    "confluence_set_page_restrictions",
    "confluence_update_page",
    "confluence_update_page_section",
    "confluence_upload_attachment",
    "confluence_upload_attachments",
    "jira_add_comment",
    "jira_add_issues_to_sprint",
    "jira_add_watcher",
    "jira_add_worklog",
    "jira_assign_issue",
    "jira_batch_create_issues",
    "jira_batch_create_versions",
    "jira_batch_get_changelogs",
    "jira_create_customer_request",
    "jira_create_issue",
    "jira_create_issue_link",
    "jira_create_remote_issue_link",
    "jira_create_sprint",
    "jira_create_version",
    "jira_delete_issue",
    "jira_download_attachments",
    "jira_edit_comment",
    "jira_get_agile_boards",
    "jira_get_all_projects",
    "jira_get_board_issues",
    "jira_get_create_fields",
    "jira_get_cross_project_dependencies",
    "jira_get_field_options",
    "jira_get_issue",
    "jira_get_issue_dates",
    "jira_get_issue_development_info",
    "jira_get_issue_images",
    "jira_get_issue_proforma_forms",
    "jira_get_issue_sla",
    "jira_get_issue_watchers",
    "jira_get_issues_development_info",
    "jira_get_link_types",
    "jira_get_proforma_form_details",
    "jira_get_project_components",
    "jira_get_project_epic_hierarchy",
    "jira_get_project_fields",
    "jira_get_project_issue_types",
    "jira_get_project_issues",
    "jira_get_project_versions",
    "jira_get_queue_issues",
    "jira_get_request_type_fields",
    "jira_get_request_types",
    "jira_get_service_desk_for_project",
    "jira_get_service_desk_queues",
    "jira_get_sprint_issues",
    "jira_get_sprints_from_board",
    "jira_get_transitions",
    "jira_get_user_profile",
    "jira_get_worklog",
    "jira_link_to_epic",
    "jira_move_issue",
    "jira_move_issues_to_backlog",
    "jira_remove_issue_link",
    "jira_remove_watcher",
    "jira_search",
    "jira_search_assignable_users",
    "jira_search_fields",
    "jira_search_projects",
    "jira_transition_issue",
    "jira_update_issue",
    "jira_update_proforma_form_answers",
    "jira_update_sprint",
    "jira_update_version",
];

/// Edit distance (insertions, deletions, substitutions, adjacent swaps) between two names.
pub fn distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

/// The candidate closest to `name`, when it is close enough to be a typo of it (at most a third
/// of the name's length, and at most 4 edits).
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (name.chars().count() / 3).clamp(1, 4);
    candidates
        .into_iter()
        .map(|c| (distance(name, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, c)| (*d, *c))
        .map(|(_, c)| c)
}

/// Why `name` is not a tool of `declared`, for users: a typo of a declared tool, a reference tool
/// this version lacks, or simply unknown. Completes "unknown tool NAME".
pub fn explain_unknown(name: &str, declared: &[&str]) -> String {
    if REFERENCE.contains(&name) {
        return "it is a tool of the reference server that this version does not implement yet (the README's Tools section lists what is here)".into();
    }
    if let Some(near) = closest(name, declared.iter().copied()) {
        return format!("did you mean {near}?");
    }
    match closest(name, REFERENCE.iter().copied()) {
        Some(near) if !declared.contains(&near) => format!(
            "did you mean {near}? That is a tool of the reference server this version does not implement yet"
        ),
        _ => "no tool has this name (`mcp-atlassian tools` lists them)".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_find_their_tool() {
        assert_eq!(distance("jira_get_isue", "jira_get_issue"), 1);
        assert_eq!(distance("jira_gte_issue", "jira_get_issue"), 1);
        let declared = ["jira_get_issue", "jira_search", "confluence_get_page"];
        assert_eq!(
            explain_unknown("jira_get_isue", &declared),
            "did you mean jira_get_issue?"
        );
        assert!(explain_unknown("jira_create_issue", &declared).contains("does not implement yet"));
        assert!(
            explain_unknown("jira_create_isue", &declared)
                .starts_with("did you mean jira_create_issue? That is a tool of the reference")
        );
        assert!(explain_unknown("frobnicate", &declared).contains("no tool has this name"));
        assert_eq!(REFERENCE.len(), 98);
        assert!(
            REFERENCE.windows(2).all(|w| w[0] < w[1]),
            "sorted, no repeats"
        );
    }
}

//! Every listed tool must have, on each deployment it supports, a success row and a failure row
//! in the tables.

use mcp_atlassian::mcp::Availability;
use mcp_atlassian::tools;

use crate::harness::{Dep, Expect, Row};

fn all_rows() -> Vec<&'static Row> {
    [
        crate::jira_issues::ROWS,
        crate::confluence_pages::ROWS,
        crate::confluence_page_writes::ROWS,
        crate::confluence_comments::ROWS,
        crate::confluence_attachments::ROWS,
        crate::filters::ROWS,
        crate::jira_writes::ROWS,
        crate::jira_projects::ROWS,
        crate::jira_agile::ROWS,
        crate::jira_service_desk::ROWS,
        crate::jira_metrics::ROWS,
        crate::jira_development::ROWS,
        crate::jira_analysis::ROWS,
        crate::jira_forms::ROWS,
        crate::jira_moves::ROWS,
    ]
    .iter()
    .flat_map(|t| t.iter())
    .collect()
}

#[test]
fn every_tool_has_a_success_and_a_failure_row_per_deployment() {
    let rows = all_rows();
    let mut missing = Vec::new();
    for tool in tools::catalogue(false) {
        let deps: &[Dep] = match tool.availability {
            Availability::Everywhere => &[Dep::Cloud, Dep::Server],
            Availability::CloudOnly => &[Dep::Cloud],
            Availability::ServerDcOnly => &[Dep::Server],
        };
        for dep in deps {
            let mine = || {
                rows.iter()
                    .filter(|r| r.tool == tool.name && r.on.deps().contains(dep))
            };
            if !mine().any(|r| matches!(r.expect, Expect::Ok(_))) {
                missing.push(format!(
                    "{} on {}: no success row",
                    tool.name,
                    dep.flavour()
                ));
            }
            if !mine().any(|r| matches!(r.expect, Expect::Err(_))) {
                missing.push(format!(
                    "{} on {}: no failure row",
                    tool.name,
                    dep.flavour()
                ));
            }
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

#[test]
fn rows_name_only_declared_tools() {
    let names = tools::names();
    for row in all_rows() {
        assert!(names.contains(&row.tool), "a row names {}", row.tool);
    }
}

//! Table-driven tests of every tool against the sandbox: one module per toolset, each a table of
//! rows (tool, deployment, configuration, arguments, expected result or error, expected upstream
//! requests). One sandbox per deployment and one long-lived stdio server per configuration serve
//! the whole binary; every request a tool sends is checked against Atlassian's official OpenAPI
//! documents. `coverage` fails when a tool lacks a success row and a failure row on a deployment
//! it supports; `filters` is the injection catalogue for the project and space filters.

mod support;

#[path = "tools/confluence_attachments.rs"]
mod confluence_attachments;
#[path = "tools/confluence_comments.rs"]
mod confluence_comments;
#[path = "tools/confluence_gateway.rs"]
mod confluence_gateway;
#[path = "tools/confluence_page_writes.rs"]
mod confluence_page_writes;
#[path = "tools/confluence_pages.rs"]
mod confluence_pages;
#[path = "tools/coverage.rs"]
mod coverage;
#[path = "tools/filters.rs"]
mod filters;
#[path = "tools/harness.rs"]
mod harness;
#[path = "tools/jira_agile.rs"]
mod jira_agile;
#[path = "tools/jira_analysis.rs"]
mod jira_analysis;
#[path = "tools/jira_development.rs"]
mod jira_development;
#[path = "tools/jira_forms.rs"]
mod jira_forms;
#[path = "tools/jira_issues.rs"]
mod jira_issues;
#[path = "tools/jira_metrics.rs"]
mod jira_metrics;
#[path = "tools/jira_moves.rs"]
mod jira_moves;
#[path = "tools/jira_projects.rs"]
mod jira_projects;
#[path = "tools/jira_service_desk.rs"]
mod jira_service_desk;
#[path = "tools/jira_writes.rs"]
mod jira_writes;
#[path = "tools/platform.rs"]
mod platform;

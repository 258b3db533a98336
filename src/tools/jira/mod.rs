//! The Jira tool tables, one module per toolset (`jira_issues`, ...), in listing order.

pub mod agile;
pub mod analysis;
pub mod development;
pub mod forms;
pub mod issues;
// Jira tools part 1.
pub mod attachments;
pub mod comments;
pub mod fields;
pub mod issue_writes;
pub mod links;
pub mod metrics;
pub mod projects;
pub mod service_desk;
pub mod transitions;
pub mod users;
pub mod watchers;
pub mod worklog;

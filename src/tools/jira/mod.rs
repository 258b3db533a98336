//! The Jira tool tables, one module per toolset (`jira_issues`, ...), in listing order.

pub mod issues;

//! The Jira tool tables, one module per toolset (`jira_issues`, ...), in listing order.

pub mod agile;
pub mod analysis;
pub mod development;
pub mod issues;
pub mod metrics;
pub mod projects;
pub mod service_desk;

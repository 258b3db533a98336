//! mcp-atlassian: an MCP server for Jira and Confluence, Cloud and Server/Data Center.
//!
//! The crate is layered; imports only go down (see ARCHITECTURE.md):
//! `app` → `transport`, `tools` → `mcp`; `tools` → `jira`/`confluence` → `atlassian`, `convert`;
//! `config` and `mcp` import no other crate module.
#![forbid(unsafe_code)]

pub mod app;
pub mod atlassian;
pub mod config;
pub mod confluence;
pub mod convert;
pub mod jira;
pub mod mcp;
pub mod tools;
pub mod transport;

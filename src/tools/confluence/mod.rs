//! The Confluence tool tables, one module per toolset (`confluence_pages`, ...), in listing order.

pub mod analytics;
pub mod attachments;
pub mod comments;
mod common;
pub mod labels;
pub mod page_edits;
pub mod page_tree;
pub mod pages;
pub mod permissions;
pub mod templates;
pub mod users;

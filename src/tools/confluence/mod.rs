//! The Confluence tool tables, one module per toolset (`confluence_pages`, ...), in listing order.

pub mod pages;

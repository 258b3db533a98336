//! The MCP-facing tool catalogue: one file per toolset, each a `const` table of `Tool`s whose
//! handlers turn validated arguments into product API calls. `catalogue` lists them in the order
//! `tools/list` shows them.

pub mod fixtures;

use crate::mcp::Tool;

/// The state tool handlers work with. The Jira and Confluence clients join it as those layers land.
#[derive(Debug, Default)]
pub struct Services {}

/// Every toolset table of the product, in listing order.
const TABLES: &[&[Tool<Services>]] = &[];

/// The declared tools, in a deterministic order; `with_fixtures` adds the test-only fixture tools.
pub fn catalogue(with_fixtures: bool) -> Vec<&'static Tool<Services>> {
    let mut tools: Vec<&'static Tool<Services>> = TABLES.iter().flat_map(|t| t.iter()).collect();
    if with_fixtures {
        tools.extend(fixtures::TOOLS.iter());
    }
    tools
}

//! Calling a tool without a client (the CLI's `call`): the same filter and argument validation
//! as over MCP, with no notifications and no per-request caller.

use serde_json::{Map, Value};

use super::Server;
use crate::mcp::call::{self, CallCtx, ToolError};
use crate::mcp::content::Output;
use crate::mcp::registry::Tool;

impl<S: Send + Sync + 'static> Server<S> {
    /// Call a tool directly (CLI `call`): same filter and validation as over MCP, no client.
    pub fn call_direct(
        &self,
        tool: &Tool<S>,
        raw: Map<String, Value>,
    ) -> Result<Output, ToolError> {
        if let Some(reason) = self.filter.hidden_because(tool) {
            return Err(ToolError::NotAvailable { reason });
        }
        let args = call::validate(tool, raw, &self.filter.relaxed_formats)?;
        let outbox = call::Discard;
        let ctx = CallCtx::detached(&outbox).with_tool(tool.name, tool.availability);
        (tool.handler)(&self.state, &args, &ctx)
    }
}

//! What every Confluence tool handler does around its product call: pick the call's site, give
//! the call its cancellation, and turn the layer's errors into tool errors.

use serde_json::Value;

use crate::confluence::{Confluence, Error};
use crate::mcp::{CallCtx, ToolOutput};
use crate::tools::{Services, confluence_error, sites};

/// Run `f` against the call's Confluence and return its JSON.
pub fn run(
    s: &Services,
    ctx: &CallCtx,
    f: impl FnOnce(&Confluence, &dyn Fn() -> bool) -> Result<Value, Error>,
) -> ToolOutput {
    let site = sites::confluence(s, ctx)?;
    f(&site, &|| ctx.is_cancelled())
        .map(Into::into)
        .map_err(confluence_error)
}

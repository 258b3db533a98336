//! The Model Context Protocol without I/O: JSON-RPC framing, protocol versions and eras, the tool
//! registry and filters, argument validation, and the dispatcher transports feed.

pub mod call;
pub mod caller;
pub mod content;
pub mod jsonrpc;
pub mod logging;
pub mod registry;
pub mod server;
pub mod version;

pub use call::{Args, CallCtx, Discard, Outbox, ToolError};
pub use caller::{Caller, TokenSite};
pub use content::{Content, Output};
pub use logging::Level;
pub use registry::{
    Access, Availability, DefaultValue, Deployment, Filter, Format, Handler, Param, ParamType,
    Tool, ToolOutput,
};
pub use server::{
    Job, LIST_TTL_MS, MAX_BATCH_ITEMS, MAX_BATCH_REPLY_BYTES, Server, ServerInfo, Session, Step,
};

#[cfg(test)]
mod tests;

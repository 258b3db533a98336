//! Transports move framed JSON between the outside world and `mcp::Server`: stdio, and streamable
//! HTTP plus legacy SSE over tiny_http. They own threads, queues and size limits.

pub mod http;
pub mod stdio;

/// Size limits and pool sizes shared by the transports.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Worker threads running tool calls.
    pub workers: usize,
    /// Jobs waiting for a worker before the reader blocks (stdio) or refuses (HTTP).
    pub queue: usize,
    /// Largest accepted message in bytes.
    pub max_message: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            workers: 8,
            queue: 64,
            max_message: 8 * 1024 * 1024,
        }
    }
}

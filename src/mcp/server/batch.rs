//! 2025-03-26 JSON-RPC batches, bounded: at most `MAX_BATCH_ITEMS` messages in one batch (a
//! larger one is refused whole with one error), and at most `MAX_BATCH_REPLY_BYTES` of replies
//! kept for it; once the replies reach that size, the remaining requests are not run and each
//! gets an error saying so. Both bounds hold for every transport (stdio and HTTP).

use std::io;
use std::sync::Arc;

use serde::de::IgnoredAny;
use serde_json::Value;

use super::{Server, Session, Step};
use crate::mcp::Caller;
use crate::mcp::call::Outbox;
use crate::mcp::jsonrpc::{self, RpcError};

/// Messages one batch may hold.
pub const MAX_BATCH_ITEMS: usize = 100;
/// Serialized replies one batch may collect (4 MiB, the HTTP body limit: a batch never answers
/// with much more than a request may carry).
pub const MAX_BATCH_REPLY_BYTES: usize = 4 * 1024 * 1024;

/// The error for a batch with too many messages, if `items` is one.
pub(super) fn too_many(items: &[Value]) -> Option<RpcError> {
    (items.len() > MAX_BATCH_ITEMS).then(|| too_many_error(items.len()))
}

/// The error for a framed message that is a batch with too many messages, found without
/// building the messages (a 4 MiB body can hold 79,000 of them).
pub(super) fn too_many_in(text: &str) -> Option<RpcError> {
    if !text.trim_start().starts_with('[') {
        return None;
    }
    let items: Vec<IgnoredAny> = serde_json::from_str(text).ok()?;
    (items.len() > MAX_BATCH_ITEMS).then(|| too_many_error(items.len()))
}

fn too_many_error(n: usize) -> RpcError {
    RpcError::invalid_request(format!(
        "Invalid request: a batch may hold at most {MAX_BATCH_ITEMS} messages; this one has {n}. Send smaller batches"
    ))
}

/// Counts the bytes serde_json would write, without keeping them.
struct Counter(usize);

impl io::Write for Counter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0 += buf.len();
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn json_len(v: &Value) -> usize {
    let mut c = Counter(0);
    let _ = serde_json::to_writer(&mut c, v);
    c.0
}

impl<S: Send + Sync + 'static> Server<S> {
    /// Run a batch's messages in order; the replies as one array (none when every message was
    /// a notification or a response).
    pub(super) fn run_batch(
        &self,
        session: &Session,
        items: Vec<Value>,
        caller: Option<Arc<Caller>>,
        outbox: &dyn Outbox,
    ) -> Option<Value> {
        let mut replies = Vec::new();
        let mut size = 0usize;
        let mut full = false;
        for item in items {
            if full {
                // Requests are answered with an error and not run; notifications still apply.
                if let Some(id) = item
                    .get("id")
                    .filter(|id| jsonrpc::valid_id(id) && !id.is_null())
                    && item.get("method").is_some()
                {
                    let err = RpcError::new(
                        jsonrpc::INTERNAL_ERROR,
                        format!(
                            "Batch reply too large: the replies before this request reached {} MiB, so it was not run; send it again on its own or in a smaller batch",
                            MAX_BATCH_REPLY_BYTES / (1024 * 1024)
                        ),
                    );
                    replies.push(jsonrpc::error(id, &err));
                    continue;
                }
            }
            let reply = match self.receive_value(session, item, true, caller.clone()) {
                Step::Done(r) => r,
                Step::Queue(job) => self.run(session, job, outbox),
            };
            if let Some(reply) = reply {
                size += json_len(&reply);
                full |= size >= MAX_BATCH_REPLY_BYTES;
                replies.push(reply);
            }
        }
        (!replies.is_empty()).then_some(Value::Array(replies))
    }
}

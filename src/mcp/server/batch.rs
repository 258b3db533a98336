//! 2025-03-26 JSON-RPC batches, bounded: at most `MAX_BATCH_ITEMS` messages in one batch (a
//! larger one is refused whole with one error), and at most `MAX_BATCH_REPLY_BYTES` of replies
//! kept for it; once the replies reach that size, the remaining requests are not run and each
//! gets an error saying so. Both bounds hold for every transport (stdio and HTTP). Replies are
//! kept as text as they come: a `tools/list` reply takes about eight times its text as a value.

use std::sync::Arc;

use serde::de::IgnoredAny;
use serde_json::Value;

use super::{Job, Server, Session, Step};
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

impl<S: Send + Sync + 'static> Server<S> {
    /// Run a batch's messages in order; the replies as one serialized array (none when every
    /// message was a notification or a response).
    pub(super) fn run_batch(
        &self,
        session: &Session,
        items: Vec<Value>,
        caller: Option<Arc<Caller>>,
        outbox: &dyn Outbox,
    ) -> Option<String> {
        let mut replies = String::from("[");
        let mut full = false;
        for item in items {
            // Once the replies are full, requests are answered with an error and not run;
            // notifications still apply.
            let refused = item
                .get("id")
                .filter(|id| full && jsonrpc::valid_id(id) && !id.is_null())
                .filter(|_| item.get("method").is_some())
                .cloned();
            let reply = match refused {
                Some(id) => {
                    let err = RpcError::new(
                        jsonrpc::INTERNAL_ERROR,
                        format!(
                            "Batch reply too large: the replies before this request reached {} MiB, so it was not run; send it again on its own or in a smaller batch",
                            MAX_BATCH_REPLY_BYTES / (1024 * 1024)
                        ),
                    );
                    Some(jsonrpc::error(&id, &err))
                }
                None => self.run_item(session, item, caller.clone(), outbox),
            };
            if let Some(reply) = reply {
                if replies.len() > 1 {
                    replies.push(',');
                }
                replies.push_str(&reply.to_string());
                full |= replies.len() >= MAX_BATCH_REPLY_BYTES;
            }
        }
        replies.push(']');
        (replies.len() > 2).then_some(replies)
    }

    /// One message of a batch, run on this thread.
    fn run_item(
        &self,
        session: &Session,
        item: Value,
        caller: Option<Arc<Caller>>,
        outbox: &dyn Outbox,
    ) -> Option<Value> {
        match self.receive_value(session, item, true, caller) {
            Step::Done(r) => r,
            Step::Queue(Job::Call(c)) => self.run_call(session, c, outbox),
            // A batch inside a batch is refused when received; read back, should one appear.
            Step::Queue(job) => self
                .run(session, job, outbox)
                .and_then(|text| serde_json::from_str(&text).ok()),
        }
    }
}

//! What a transport may ask about queued work before running it: whether the call wants a
//! notification stream (progress or log messages), and refusing it cleanly when no worker can
//! take it (the in-flight entry is removed and the client gets a JSON-RPC error).

use std::sync::atomic::Ordering;

use serde_json::Value;

use super::{Job, Server, Session, lock};
use crate::mcp::jsonrpc::{self, RpcError};

impl Job {
    /// True when the call may send notifications before its response (the client sent a
    /// progressToken, or asked for log messages): HTTP then answers with an SSE stream.
    pub fn wants_stream(&self) -> bool {
        match self {
            Job::Call(c) => c.progress_token.is_some() || c.log_level.is_some(),
            Job::Batch(..) => false,
        }
    }

    /// Mark the call cancelled (HTTP: the client closed a 2026-07-28 response stream).
    pub fn cancel(&self) {
        if let Job::Call(c) = self {
            c.cancelled.store(true, Ordering::Relaxed);
        }
    }
}

impl<S: Send + Sync + 'static> Server<S> {
    /// Refuse queued work without running it; returns the error response to send.
    pub fn refuse(&self, session: &Session, job: Job, error: &RpcError) -> Value {
        match job {
            Job::Call(c) => {
                lock(&session.inflight).remove(&c.key);
                jsonrpc::error(&c.id, error)
            }
            Job::Batch(..) => jsonrpc::error(&Value::Null, error),
        }
    }
}

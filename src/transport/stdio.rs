//! stdio transport: a reader (the calling thread) splits stdin into lines, a bounded crossbeam
//! queue feeds a fixed worker pool, and one writer thread owns stdout, so nothing but complete
//! JSON-RPC lines ever reaches it. Returns after stdin EOF once every queued call has answered.

use std::io::{self, BufRead, Write};
use std::sync::Arc;
use std::thread;

use crossbeam_channel::{Sender, bounded, unbounded};
use serde_json::Value;

use super::Limits;
use crate::mcp::jsonrpc::{self, RpcError};
use crate::mcp::{Job, Outbox, Server, Session, Step};

/// Sends whole messages to the writer thread.
struct LineOutbox(Sender<String>);

impl Outbox for LineOutbox {
    fn send(&self, message: Value) {
        // The writer only stops after every sender is gone, so this cannot fail while we run.
        let _ = self.0.send(message.to_string());
    }

    fn send_text(&self, text: String) {
        let _ = self.0.send(text);
    }
}

/// One line from the reader: a message, or a line that broke the size or encoding rules.
enum Line {
    Text(String),
    TooLong,
    NotUtf8,
    Eof,
}

/// Read one `\n`-terminated line without ever buffering more than `max` bytes of it; the rest of
/// an oversized line is skipped. A trailing `\r` is removed.
fn read_line(input: &mut impl BufRead, max: usize, buf: &mut Vec<u8>) -> io::Result<Line> {
    buf.clear();
    let mut too_long = false;
    let mut seen_any = false;
    loop {
        let chunk = input.fill_buf()?;
        if chunk.is_empty() {
            if !seen_any {
                return Ok(Line::Eof);
            }
            break;
        }
        seen_any = true;
        let (take, done) = match chunk.iter().position(|b| *b == b'\n') {
            Some(i) => (i, true),
            None => (chunk.len(), false),
        };
        if !too_long {
            if buf.len() + take > max {
                too_long = true;
                buf.clear();
            } else {
                buf.extend_from_slice(&chunk[..take]);
            }
        }
        input.consume(if done { take + 1 } else { take });
        if done {
            break;
        }
    }
    if too_long {
        return Ok(Line::TooLong);
    }
    if buf.last() == Some(&b'\r') {
        buf.pop();
    }
    match String::from_utf8(std::mem::take(buf)) {
        Ok(s) => Ok(Line::Text(s)),
        Err(_) => Ok(Line::NotUtf8),
    }
}

/// Serve MCP over the given reader and writer until the reader reaches EOF.
pub fn serve<S, R, W>(server: Arc<Server<S>>, limits: Limits, input: R, output: W) -> io::Result<()>
where
    S: Send + Sync + 'static,
    R: BufRead,
    W: Write + Send + 'static,
{
    let (out_tx, out_rx) = unbounded::<String>();
    let writer =
        thread::Builder::new()
            .name("stdout-writer".into())
            .spawn(move || -> io::Result<()> {
                let mut output = output;
                for mut line in out_rx {
                    line.push('\n');
                    output.write_all(line.as_bytes())?;
                    output.flush()?;
                }
                Ok(())
            })?;

    let session = Arc::new(Session::new());
    let (job_tx, job_rx) = bounded::<Job>(limits.queue);
    let mut workers = Vec::with_capacity(limits.workers);
    for n in 0..limits.workers.max(1) {
        let (server, session, jobs) = (server.clone(), session.clone(), job_rx.clone());
        let outbox = LineOutbox(out_tx.clone());
        workers.push(
            thread::Builder::new()
                .name(format!("worker-{n}"))
                .spawn(move || {
                    for job in jobs {
                        if let Some(reply) = server.run(&session, job, &outbox) {
                            outbox.send_text(reply);
                        }
                    }
                })?,
        );
    }
    drop(job_rx);

    let outbox = LineOutbox(out_tx);
    let mut input = input;
    let mut buf = Vec::new();
    let reject = |msg: String| {
        let err = RpcError::new(jsonrpc::INVALID_REQUEST, msg);
        jsonrpc::error(&Value::Null, &err)
    };
    loop {
        let line = match read_line(&mut input, limits.max_message, &mut buf) {
            Ok(line) => line,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => {
                log::error!("reading stdin failed: {e}");
                break;
            }
        };
        match line {
            Line::Eof => break,
            Line::TooLong => outbox.send(reject(format!(
                "Invalid request: message larger than {} bytes",
                limits.max_message
            ))),
            Line::NotUtf8 => outbox.send(jsonrpc::error(
                &Value::Null,
                &RpcError::new(
                    jsonrpc::PARSE_ERROR,
                    "Parse error: the line is not valid UTF-8",
                ),
            )),
            Line::Text(text) if text.trim().is_empty() => {}
            Line::Text(text) => match server.receive(&session, &text) {
                Step::Done(Some(reply)) => outbox.send(reply),
                Step::Done(None) => {}
                Step::Queue(job) => {
                    if job_tx.send(job).is_err() {
                        break;
                    }
                }
            },
        }
    }
    log::debug!(
        "stdin closed; waiting for {} call(s) in flight",
        session.in_flight()
    );
    drop(job_tx);
    for w in workers {
        let _ = w.join();
    }
    drop(outbox);
    match writer.join() {
        Ok(result) => result,
        Err(_) => Err(io::Error::other("stdout writer panicked")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(input: &[u8], max: usize) -> Vec<String> {
        let mut r = io::BufReader::with_capacity(4, input);
        let mut buf = Vec::new();
        let mut out = Vec::new();
        loop {
            match read_line(&mut r, max, &mut buf).unwrap() {
                Line::Eof => return out,
                Line::Text(t) => out.push(t),
                Line::TooLong => out.push("<too long>".into()),
                Line::NotUtf8 => out.push("<not utf8>".into()),
            }
        }
    }

    #[test]
    fn splits_lines_and_strips_cr() {
        assert_eq!(lines(b"ab\r\ncd\nef", 100), ["ab", "cd", "ef"]);
    }

    #[test]
    fn oversized_lines_are_skipped_whole() {
        assert_eq!(lines(b"0123456789\nok\n", 5), ["<too long>", "ok"]);
        assert_eq!(lines(b"\xff\xfe\nok\n", 5), ["<not utf8>", "ok"]);
    }
}

//! One client connection, request after request: the relay reads each request head and body
//! itself under overall deadlines (the head within `DoorLimits::head` of its first byte, the
//! body within `DoorLimits::body` of the head), refuses oversized heads (431) and bodies (413)
//! and slow ones (408), holds the whole body in memory, and only then hands the request to
//! tiny_http on a fresh private connection, tagged with a ticket naming the client. It copies
//! tiny_http's response back until tiny_http closes that connection, so it never parses a
//! response, and it watches the client meanwhile: a client that hangs up ends the response at
//! once (tiny_http's writer then fails, which frees a stream slot or cancels a call).

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use super::door::{Door, Phase, TICKET_HEADER};
use super::inner::{Inner, InnerAddr, InnerStream};

/// How often a relay waiting for tiny_http's response checks that its client is still there.
const CLIENT_CHECK: Duration = Duration::from_millis(500);

/// A minimal response the door writes itself; the connection is closed after it.
pub fn plain(status: u16, text: &str, extra: &[&str]) -> Vec<u8> {
    let reason = match status {
        400 => "Bad Request",
        408 => "Request Timeout",
        411 => "Length Required",
        413 => "Content Too Large",
        431 => "Request Header Fields Too Large",
        503 => "Service Unavailable",
        _ => "Error",
    };
    let body = format!("{{\"error\":{}}}", serde_json::Value::from(text));
    let mut head = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for h in extra {
        head.push_str(h);
        head.push_str("\r\n");
    }
    head.push_str("\r\n");
    head.push_str(&body);
    head.into_bytes()
}

/// What the door needs to know about one request head.
#[derive(Debug, PartialEq)]
struct Head {
    /// The head to forward (an `Expect` header and any ticket header removed).
    bytes: Vec<u8>,
    /// Where the request line ends in `bytes` (the door's ticket header goes there).
    line_end: usize,
    content_length: usize,
    expect_continue: bool,
    /// The client asked to close after this request (or spoke HTTP/1.0 without keep-alive).
    close: bool,
}

/// Why a head is refused, as the status to answer.
fn parse_head(raw: &[u8], max_body: usize) -> Result<Head, (u16, &'static str)> {
    let text = std::str::from_utf8(raw).map_err(|_| (400, "request head is not UTF-8"))?;
    let mut lines = text.split("\r\n");
    let request_line = lines.next().unwrap_or_default();
    let mut parts = request_line.split(' ');
    let (method, target, version) = (parts.next(), parts.next(), parts.next());
    let http10 = match version {
        Some("HTTP/1.1") => false,
        Some("HTTP/1.0") => true,
        _ => return Err((400, "malformed request line")),
    };
    if method.is_none_or(|m| m.is_empty() || !m.bytes().all(|b| b.is_ascii_uppercase()))
        || target.is_none_or(|t| !t.starts_with('/'))
        || parts.next().is_some()
    {
        return Err((400, "malformed request line"));
    }
    let mut out = Vec::with_capacity(raw.len());
    out.extend_from_slice(request_line.as_bytes());
    out.extend_from_slice(b"\r\n");
    let line_end = out.len();
    let (mut length, mut expect, mut close, mut keep_alive) = (None, false, http10, false);
    for line in lines.filter(|l| !l.is_empty()) {
        let (name, value) = line.split_once(':').ok_or((400, "malformed header line"))?;
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_graphic()) || !line.is_ascii() {
            return Err((400, "malformed header line"));
        }
        let value = value.trim();
        match name.to_ascii_lowercase().as_str() {
            "content-length" => {
                let n: usize = value.parse().map_err(|_| (400, "bad Content-Length"))?;
                if length.is_some_and(|l| l != n) {
                    return Err((400, "conflicting Content-Length headers"));
                }
                length = Some(n);
            }
            "transfer-encoding" => {
                return Err((
                    411,
                    "chunked request bodies are not accepted; send Content-Length",
                ));
            }
            "expect" => {
                expect = value.eq_ignore_ascii_case("100-continue");
                continue; // the door answers it; tiny_http must not answer again
            }
            n if n.eq_ignore_ascii_case(TICKET_HEADER) => continue, // only the door sets it
            "connection" => {
                let v = value.to_ascii_lowercase();
                close |= v.contains("close");
                keep_alive |= v.contains("keep-alive");
            }
            _ => {}
        }
        out.extend_from_slice(line.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"\r\n");
    let content_length = length.unwrap_or(0);
    if content_length > max_body {
        return Err((413, "request body too large"));
    }
    Ok(Head {
        bytes: out,
        line_end,
        content_length,
        expect_continue: expect && content_length > 0,
        close: close && !(http10 && keep_alive),
    })
}

/// Read from `client` into `buf` until it holds a complete head (`\r\n\r\n`) and return its
/// end; `Ok(None)` when the head grows past `max`. Reads stop at `deadline` (`TimedOut`).
fn read_head(
    client: &mut TcpStream,
    buf: &mut Vec<u8>,
    max: usize,
    deadline: Instant,
) -> io::Result<Option<usize>> {
    let mut chunk = [0u8; 4096];
    let mut scanned: usize = 0;
    loop {
        if let Some(i) = buf[scanned.saturating_sub(3)..]
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
        {
            return Ok(Some(scanned.saturating_sub(3) + i + 4));
        }
        if buf.len() > max {
            return Ok(None);
        }
        scanned = buf.len();
        let n = read_by(client, &mut chunk, deadline)?;
        buf.extend_from_slice(&chunk[..n]);
    }
}

/// One read that gives up at `deadline` (`TimedOut`); end of stream is `UnexpectedEof`.
fn read_by(client: &mut TcpStream, chunk: &mut [u8], deadline: Instant) -> io::Result<usize> {
    let left = deadline.saturating_duration_since(Instant::now());
    if left.is_zero() {
        return Err(io::ErrorKind::TimedOut.into());
    }
    client.set_read_timeout(Some(left))?;
    match client.read(chunk)? {
        0 => Err(io::ErrorKind::UnexpectedEof.into()),
        n => Ok(n),
    }
}

/// Why a body could not be read.
enum BodyError {
    /// Answer this status and close.
    Refuse(u16, &'static str),
    Io(io::Error),
}

/// Body bytes held for one request, counted in the door's budget until dropped.
struct Held<'a> {
    door: &'a Door,
    bytes: Vec<u8>,
}

impl Drop for Held<'_> {
    fn drop(&mut self) {
        self.door.unhold(self.bytes.len());
    }
}

/// Read a body of `len` bytes (some may already be in `buf`) by `deadline`.
fn read_body<'a>(
    door: &'a Door,
    client: &mut TcpStream,
    buf: &mut Vec<u8>,
    len: usize,
    deadline: Instant,
) -> Result<Held<'a>, BodyError> {
    let mut held = Held {
        door,
        bytes: Vec::with_capacity(len), // `len` is within the body limit
    };
    let add = |held: &mut Held, data: &[u8]| {
        if !door.hold(data.len()) {
            log::warn!("request bodies in memory reached their budget: answering 503");
            return Err(BodyError::Refuse(
                503,
                "server busy receiving other requests, retry shortly",
            ));
        }
        held.bytes.extend_from_slice(data);
        Ok(())
    };
    let take = len.min(buf.len());
    add(&mut held, &buf[..take])?;
    buf.drain(..take);
    let mut chunk = [0u8; 16 * 1024];
    while held.bytes.len() < len {
        let want = (len - held.bytes.len()).min(chunk.len());
        match read_by(client, &mut chunk[..want], deadline) {
            Ok(n) => add(&mut held, &chunk[..n])?,
            Err(e) if timed_out(&e) => {
                return Err(BodyError::Refuse(408, "request body not received in time"));
            }
            Err(e) => return Err(BodyError::Io(e)),
        }
    }
    Ok(held)
}

/// Answer with the door's own error and close gracefully: stop writing, then read and drop what
/// the client is still sending (bounded in time and size), so it can read the answer instead of
/// seeing a reset.
fn refuse(client: &mut TcpStream, status: u16, why: &str) -> io::Result<()> {
    refuse_bytes(client, &plain(status, why, &[]))
}

/// `refuse` with a ready-made answer.
pub fn refuse_bytes(client: &mut TcpStream, answer: &[u8]) -> io::Result<()> {
    client.write_all(answer)?;
    client.shutdown(Shutdown::Write)?;
    let deadline = Instant::now() + Duration::from_secs(2);
    let _ = client.set_read_timeout(Some(Duration::from_millis(200)));
    let mut sink = [0u8; 16 * 1024];
    let mut drained = 0usize;
    while Instant::now() < deadline && drained < 16 * 1024 * 1024 {
        match client.read(&mut sink) {
            Ok(0) => break,
            Ok(n) => drained += n,
            Err(e) if timed_out(&e) => continue,
            Err(_) => break,
        }
    }
    Ok(())
}

fn timed_out(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

/// Serve one client connection: request after request, each on its own private connection.
pub fn relay(
    door: &Door,
    id: u64,
    mut client: TcpStream,
    peer: SocketAddr,
    inner: &InnerAddr,
) -> io::Result<()> {
    let limits = door.limits;
    let _ = client.set_nodelay(true);
    client.set_write_timeout(Some(limits.io))?;
    let mut buf: Vec<u8> = Vec::with_capacity(4096);
    loop {
        if door.stopping() {
            return Ok(());
        }
        if buf.is_empty() {
            client.set_read_timeout(Some(limits.idle))?;
            let mut first = [0u8; 4096];
            let n = match client.read(&mut first) {
                Ok(0) => return Ok(()),
                Ok(n) => n,
                Err(e) if timed_out(&e) => return Ok(()), // idle timeout
                Err(e) => return Err(e),
            };
            buf.extend_from_slice(&first[..n]);
        }
        let started = Instant::now();
        if !door.set_phase(id, Phase::Receiving(started)) {
            return Ok(()); // evicted while the request arrived
        }
        let end = match read_head(
            &mut client,
            &mut buf,
            limits.max_head,
            started + limits.head,
        ) {
            Ok(Some(end)) if end <= limits.max_head => end,
            Ok(_) => return refuse(&mut client, 431, "request head too large"),
            Err(e) if timed_out(&e) => {
                return refuse(&mut client, 408, "request head not received in time");
            }
            Err(e) => return Err(e),
        };
        let head = match parse_head(&buf[..end], limits.max_body) {
            Ok(h) => h,
            Err((status, why)) => return refuse(&mut client, status, why),
        };
        buf.drain(..end);
        if head.expect_continue {
            client.write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
        }
        let body_by = Instant::now() + limits.body;
        let body = match read_body(door, &mut client, &mut buf, head.content_length, body_by) {
            Ok(b) => b,
            Err(BodyError::Refuse(status, why)) => return refuse(&mut client, status, why),
            Err(BodyError::Io(e)) => return Err(e),
        };
        if !door.set_phase(id, Phase::Busy) {
            return Ok(());
        }
        let close = forward(door, &mut client, peer, inner, &head, body)?;
        if close || door.stopping() {
            let _ = client.shutdown(Shutdown::Both);
            return Ok(());
        }
        if !door.set_phase(id, Phase::Idle(Instant::now())) {
            return Ok(());
        }
    }
}

/// Send one request to tiny_http and copy its response back; true when the connection must
/// close afterwards.
fn forward(
    door: &Door,
    client: &mut TcpStream,
    peer: SocketAddr,
    inner: &InnerAddr,
    head: &Head,
    body: Held,
) -> io::Result<bool> {
    let mut upstream = Inner::connect(inner)?;
    let ticket = door.ticket(peer);
    let result = (|| -> io::Result<bool> {
        let mut request = Vec::with_capacity(head.bytes.len() + 64);
        request.extend_from_slice(&head.bytes[..head.line_end]);
        request.extend_from_slice(format!("{TICKET_HEADER}: {ticket}\r\n").as_bytes());
        request.extend_from_slice(&head.bytes[head.line_end..]);
        upstream.write_all(&request)?;
        upstream.write_all(&body.bytes)?;
        drop(body);
        upstream.shutdown(Shutdown::Write)?;
        copy_response(client, &mut upstream)?;
        Ok(head.close)
    })();
    door.end_ticket(&ticket);
    result
}

/// Copy everything tiny_http writes until it closes the connection; stop early (and close the
/// private connection, so tiny_http's writer fails) when the client hangs up.
fn copy_response(client: &mut TcpStream, upstream: &mut InnerStream) -> io::Result<()> {
    upstream.set_read_timeout(Some(CLIENT_CHECK))?;
    let mut chunk = [0u8; 16 * 1024];
    loop {
        let n = match upstream.read(&mut chunk) {
            Ok(0) => return Ok(()),
            Ok(n) => n,
            Err(e) if timed_out(&e) => {
                if client_gone(client) {
                    let _ = upstream.shutdown(Shutdown::Both);
                    return Err(io::Error::new(
                        io::ErrorKind::ConnectionAborted,
                        "client left",
                    ));
                }
                continue;
            }
            Err(e) => return Err(e),
        };
        if let Err(e) = client.write_all(&chunk[..n]) {
            let _ = upstream.shutdown(Shutdown::Both);
            return Err(e);
        }
    }
}

/// True when the client closed its side (or the socket failed); pipelined bytes it already
/// sent stay unread.
fn client_gone(client: &TcpStream) -> bool {
    if client.set_nonblocking(true).is_err() {
        return true;
    }
    let gone = match client.peek(&mut [0u8; 1]) {
        Ok(0) => true,
        Ok(_) => false,
        Err(e) => !timed_out(&e),
    };
    gone || client.set_nonblocking(false).is_err()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heads_are_checked_and_expect_is_removed() {
        let raw =
            b"POST /mcp HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n";
        let h = parse_head(raw, 10).unwrap();
        assert_eq!(h.content_length, 5);
        assert!(h.expect_continue && !h.close);
        assert_eq!(
            h.bytes,
            b"POST /mcp HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n"
        );
        assert_eq!(parse_head(raw, 4).unwrap_err().0, 413);
        let chunked = b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
        assert_eq!(parse_head(chunked, 10).unwrap_err().0, 411);
        assert_eq!(parse_head(b"GET / HTTP/2\r\n\r\n", 10).unwrap_err().0, 400);
        assert_eq!(
            parse_head(b"GET / HTTP/1.1\r\nbad\r\n\r\n", 10)
                .unwrap_err()
                .0,
            400
        );
        assert!(parse_head(b"GET / HTTP/1.0\r\n\r\n", 10).unwrap().close);
        let forged = b"GET / HTTP/1.1\r\nx-mcp-door: 123\r\nHost: a\r\n\r\n";
        let h = parse_head(forged, 10).unwrap();
        assert_eq!(h.bytes, b"GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        assert_eq!(h.line_end, 16);
        let ka = b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n";
        assert!(!parse_head(ka, 10).unwrap().close);
    }
}

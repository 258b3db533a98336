//! The front door: our own accept loop on the public port, relaying each client request to the
//! internal tiny_http listener on a connection of its own.
//!
//! tiny_http owns its sockets and gives a handler no way to close one, so faults such as
//! "connection reset" or "body cut off mid-stream" could not be produced behind it. The relay
//! keeps a handle on every client socket, keyed by the address tiny_http sees as the peer (the
//! relay's own end of the internal connection); a handler looks it up and can write raw bytes to
//! the client or shut the socket. The accept loop also caps concurrent connections (tiny_http
//! alone spawns a thread per connection without limit): above the cap it waits for one to end.

use crate::Locked;
use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Condvar, Mutex};
use std::thread;

/// Live client connections, keyed by the relay-side address of their internal connection.
#[derive(Default)]
pub struct Connections {
    by_inner: Mutex<HashMap<SocketAddr, TcpStream>>,
    count: Mutex<usize>,
    freed: Condvar,
}

impl Connections {
    /// Closes the client connection behind `inner_peer` in both directions without answering.
    pub fn reset(&self, inner_peer: Option<&SocketAddr>) -> bool {
        match self.client(inner_peer) {
            Some(s) => s.shutdown(Shutdown::Both).is_ok(),
            None => false,
        }
    }

    /// Writes `bytes` straight to the client, then closes the connection (a truncated response).
    pub fn send_and_close(&self, inner_peer: Option<&SocketAddr>, bytes: &[u8]) -> bool {
        match self.client(inner_peer) {
            Some(mut s) => {
                let ok = s.write_all(bytes).and_then(|_| s.flush()).is_ok();
                let _ = s.shutdown(Shutdown::Both);
                ok
            }
            None => false,
        }
    }

    fn client(&self, inner_peer: Option<&SocketAddr>) -> Option<TcpStream> {
        let map = self.by_inner.locked();
        map.get(inner_peer?).and_then(|s| s.try_clone().ok())
    }

    fn acquire(&self, max: usize) {
        let mut n = self.count.locked();
        while *n >= max {
            n = self.freed.wait(n).unwrap();
        }
        *n += 1;
    }

    fn release(&self) {
        *self.count.locked() -= 1;
        self.freed.notify_one();
    }
}

/// Accepts clients forever, relaying each to `inner`, with at most `max` open at once.
pub fn accept_loop(public: TcpListener, inner: SocketAddr, conns: Arc<Connections>, max: usize) {
    for client in public.incoming() {
        let Ok(client) = client else { continue };
        conns.acquire(max);
        let conns = conns.clone();
        let spawned = thread::Builder::new().name("relay".into()).spawn(move || {
            if let Err(e) = relay(client, inner, &conns) {
                log_io("relay", &e);
            }
            conns.release();
        });
        if spawned.is_err() {
            eprintln!("atlassian-sandbox: cannot spawn a relay thread; dropping a connection");
        }
    }
}

/// Serves one client connection request by request: each request goes to tiny_http on an
/// internal connection of its own, half-closed after the body, and the answer is copied back
/// until tiny_http closes it. A long-lived internal connection would pin one of tiny_http's pool
/// threads while idle, and tiny_http's pool can leave a new connection queued with no thread to
/// serve it until another one closes (stalls of many seconds under concurrent keep-alive
/// clients). A chunked request body switches the rest of the connection to a plain tunnel.
fn relay(client: TcpStream, inner: SocketAddr, conns: &Connections) -> io::Result<()> {
    let _ = client.set_nodelay(true);
    let mut reader = client.try_clone()?;
    let mut writer = client.try_clone()?;
    let mut buf: Vec<u8> = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    loop {
        let end = loop {
            if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
            let n = reader.read(&mut chunk)?;
            if n == 0 {
                return Ok(());
            }
            buf.extend_from_slice(&chunk[..n]);
        };
        let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
        let header = |name: &str| {
            head.split("\r\n")
                .filter_map(|l| l.split_once(':'))
                .find(|(k, _)| k.trim() == name)
                .map(|(_, v)| v.trim().to_string())
        };
        if header("transfer-encoding").is_some() {
            let rest = std::mem::take(&mut buf);
            return tunnel(client, inner, conns, &rest);
        }
        let length: usize = header("content-length")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let http10 = head.lines().next().is_some_and(|l| l.ends_with("http/1.0"));
        let connection = header("connection").unwrap_or_default();
        let close = connection.contains("close") || (http10 && !connection.contains("keep-alive"));
        let mut upstream = TcpStream::connect(inner)?;
        let _ = upstream.set_nodelay(true);
        let key = upstream.local_addr()?;
        conns.by_inner.locked().insert(key, client.try_clone()?);
        let result = (|| -> io::Result<()> {
            let have = (buf.len() - end).min(length);
            upstream.write_all(&buf[..end + have])?;
            buf.drain(..end + have);
            let mut left = length - have;
            while left > 0 {
                let n = reader.read(&mut chunk[..left.min(16 * 1024)])?;
                if n == 0 {
                    return Err(io::ErrorKind::UnexpectedEof.into());
                }
                upstream.write_all(&chunk[..n])?;
                left -= n;
            }
            upstream.shutdown(Shutdown::Write)?;
            io::copy(&mut upstream, &mut writer)?;
            Ok(())
        })();
        conns.by_inner.locked().remove(&key);
        result?;
        if close {
            let _ = client.shutdown(Shutdown::Both);
            return Ok(());
        }
    }
}

/// Pumps bytes both ways until either side closes (`first`: bytes already read from the client).
fn tunnel(
    client: TcpStream,
    inner: SocketAddr,
    conns: &Connections,
    first: &[u8],
) -> io::Result<()> {
    let mut upstream = TcpStream::connect(inner)?;
    let _ = upstream.set_nodelay(true);
    let key = upstream.local_addr()?;
    conns.by_inner.locked().insert(key, client.try_clone()?);
    upstream.write_all(first)?;
    let (mut c_read, mut u_write) = (client.try_clone()?, upstream.try_clone()?);
    let up = thread::Builder::new()
        .name("relay-up".into())
        .spawn(move || {
            let _ = io::copy(&mut c_read, &mut u_write);
            let _ = u_write.shutdown(Shutdown::Write);
        })?;
    let (mut u_read, mut c_write) = (upstream, client);
    let _ = io::copy(&mut u_read, &mut c_write);
    let _ = c_write.shutdown(Shutdown::Both);
    let _ = u_read.shutdown(Shutdown::Both);
    let _ = up.join();
    conns.by_inner.locked().remove(&key);
    Ok(())
}

fn log_io(what: &str, e: &io::Error) {
    if !matches!(
        e.kind(),
        io::ErrorKind::ConnectionReset | io::ErrorKind::BrokenPipe | io::ErrorKind::NotConnected
    ) {
        eprintln!("atlassian-sandbox: {what}: {e}");
    }
}

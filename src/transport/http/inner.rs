//! The private listener between the door and tiny_http, which nobody but this process should
//! reach. On Unix it is a Unix socket inside a fresh directory with mode 0700 (under
//! `$XDG_RUNTIME_DIR` when set, else the temporary directory), removed again on shutdown; other
//! users cannot connect, so they can neither open threads in tiny_http nor hand it unbounded
//! headers. Elsewhere (no Unix sockets) it falls back to a loopback TCP port, where the door's
//! ticket header still tells its own requests from anyone else's.

use std::io;
#[cfg(unix)]
use std::path::PathBuf;

#[cfg(unix)]
pub type InnerStream = std::os::unix::net::UnixStream;
#[cfg(not(unix))]
pub type InnerStream = std::net::TcpStream;

/// Where the door connects to reach tiny_http.
#[cfg(unix)]
pub type InnerAddr = PathBuf;
#[cfg(not(unix))]
pub type InnerAddr = std::net::SocketAddr;

/// The bound private listener; dropping it removes its socket and directory.
pub struct Inner {
    pub addr: InnerAddr,
    listener: Option<tiny_http::Listener>,
}

impl Inner {
    /// Bind a fresh private listener.
    #[cfg(unix)]
    pub fn bind() -> io::Result<Inner> {
        use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
        let base = std::env::var_os("XDG_RUNTIME_DIR")
            .map(PathBuf::from)
            .filter(|p| p.is_dir())
            .unwrap_or_else(std::env::temp_dir);
        let tag = super::sessions::random_hex(8).map_err(|e| {
            io::Error::new(
                e.kind(),
                format!("cannot draw a name for the private socket: {e}"),
            )
        })?;
        let dir = base.join(format!("mcp-atlassian-{}-{tag}", std::process::id()));
        std::fs::DirBuilder::new()
            .mode(0o700)
            .create(&dir)
            .map_err(|e| {
                io::Error::new(
                    e.kind(),
                    format!(
                        "cannot create the private socket directory in {} ({e}); set TMPDIR (or XDG_RUNTIME_DIR) to a writable directory",
                        base.display()
                    ),
                )
            })?;
        // The umask cannot widen 0700, but say it explicitly in case the directory existed.
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700))?;
        let addr = dir.join("http.sock");
        let listener = match std::os::unix::net::UnixListener::bind(&addr) {
            Ok(l) => l,
            Err(e) => {
                let _ = std::fs::remove_dir(&dir);
                return Err(e);
            }
        };
        Ok(Inner {
            addr,
            listener: Some(listener.into()),
        })
    }

    #[cfg(not(unix))]
    pub fn bind() -> io::Result<Inner> {
        let listener = std::net::TcpListener::bind((std::net::Ipv4Addr::LOCALHOST, 0))?;
        Ok(Inner {
            addr: listener.local_addr()?,
            listener: Some(listener.into()),
        })
    }

    /// tiny_http serving on this listener (once).
    pub fn serve(&mut self) -> io::Result<tiny_http::Server> {
        let listener = self
            .listener
            .take()
            .ok_or_else(|| io::Error::other("the private listener is already in use"))?;
        tiny_http::Server::from_listener(listener, None).map_err(io::Error::other)
    }

    /// A connection to tiny_http.
    pub fn connect(addr: &InnerAddr) -> io::Result<InnerStream> {
        InnerStream::connect(addr)
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        #[cfg(unix)]
        {
            let _ = std::fs::remove_file(&self.addr);
            if let Some(dir) = self.addr.parent() {
                let _ = std::fs::remove_dir(dir);
            }
        }
    }
}

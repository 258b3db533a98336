//! The OAuth token store: one JSON file per client id, `oauth-<client id>.json`, in a directory
//! only its owner may enter (0700), each file readable by its owner alone (0600) and replaced
//! atomically (a temporary file in the same directory, synced, then renamed over the old one),
//! so a crash or a concurrent reader never sees half a file. The format is the reference
//! server's (`access_token`, `refresh_token`, `expires_at` in seconds since the epoch,
//! `cloud_id`, `base_url`), so an existing store keeps working.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

/// What one file holds. Unknown fields are ignored; missing ones are `None`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TokenFile {
    pub refresh_token: Option<String>,
    pub access_token: Option<String>,
    /// Seconds since the Unix epoch (a float, as the reference writes it).
    pub expires_at: Option<f64>,
    pub cloud_id: Option<String>,
    pub base_url: Option<String>,
}

impl TokenFile {
    /// Seconds left before the access token expires (negative once it has; `None` when the
    /// file has no token or no expiry).
    pub fn seconds_left(&self) -> Option<f64> {
        self.access_token.as_ref()?;
        Some(self.expires_at? - now_secs())
    }
}

/// Seconds since the Unix epoch.
pub fn now_secs() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// The directory of token files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenStore {
    dir: PathBuf,
}

static TEMP_SEQ: AtomicU64 = AtomicU64::new(0);

impl TokenStore {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        TokenStore { dir: dir.into() }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// `<dir>/oauth-<client id>.json`; characters other than letters, digits, `-`, `_` and `.`
    /// become `_`, so a client id can never name a path outside the directory.
    pub fn path(&self, client_id: &str) -> PathBuf {
        let safe: String = client_id
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        self.dir.join(format!("oauth-{safe}.json"))
    }

    /// The stored tokens of `client_id`; `Ok(None)` when there is no file.
    pub fn load(&self, client_id: &str) -> Result<Option<TokenFile>, String> {
        let path = self.path(client_id);
        match fs::read_to_string(&path) {
            Ok(text) => serde_json::from_str(&text)
                .map(Some)
                .map_err(|e| format!("{} is not a token file ({e})", path.display())),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(format!("cannot read {}: {e}", path.display())),
        }
    }

    /// Write the tokens of `client_id`: the directory is created (0700) if missing, the file
    /// replaced atomically with mode 0600.
    pub fn save(&self, client_id: &str, tokens: &TokenFile) -> io::Result<PathBuf> {
        self.ensure_dir()?;
        let path = self.path(client_id);
        let tmp = self.dir.join(format!(
            ".{}.tmp-{}-{}",
            path.file_name().and_then(|n| n.to_str()).unwrap_or("oauth"),
            std::process::id(),
            TEMP_SEQ.fetch_add(1, Ordering::Relaxed)
        ));
        let written = (|| {
            let mut file = private_file(&tmp)?;
            let text = serde_json::to_string(tokens).map_err(io::Error::other)?;
            file.write_all(text.as_bytes())?;
            file.sync_all()?;
            fs::rename(&tmp, &path)
        })();
        if written.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        written.map(|()| path)
    }

    fn ensure_dir(&self) -> io::Result<()> {
        if !self.dir.is_dir() {
            let mut builder = fs::DirBuilder::new();
            builder.recursive(true);
            #[cfg(unix)]
            std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
            builder.create(&self.dir)?;
        }
        // An existing directory is tightened too, as the reference does (best effort: it may
        // belong to someone else, e.g. a mounted volume).
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = fs::set_permissions(&self.dir, fs::Permissions::from_mode(0o700));
        }
        Ok(())
    }
}

/// A new file only its owner can read and write (0600 on Unix, whatever the umask).
fn private_file(path: &Path) -> io::Result<fs::File> {
    let mut opts = fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    opts.open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("mcp-atlassian-store-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn round_trip_in_the_reference_format() {
        let dir = scratch("round");
        let store = TokenStore::new(dir.join("nested"));
        assert_eq!(store.load("abc").unwrap(), None);
        let t = TokenFile {
            refresh_token: Some("rt".into()),
            access_token: Some("at".into()),
            expires_at: Some(1_700_000_000.5),
            cloud_id: Some("c-1".into()),
            base_url: None,
        };
        let path = store.save("abc", &t).unwrap();
        assert_eq!(path, dir.join("nested/oauth-abc.json"));
        assert_eq!(store.load("abc").unwrap(), Some(t));
        // A file the reference wrote (extra fields, integer expiry) loads.
        fs::write(
            store.path("ref"),
            r#"{"refresh_token": "r", "access_token": "a", "expires_at": 17, "cloud_id": null, "base_url": "https://jira.example.com", "extra": 1}"#,
        )
        .unwrap();
        let r = store.load("ref").unwrap().unwrap();
        assert_eq!(r.expires_at, Some(17.0));
        assert_eq!(r.base_url.as_deref(), Some("https://jira.example.com"));
        fs::write(store.path("bad"), "{").unwrap();
        assert!(store.load("bad").is_err());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&dir.join("nested")), 0o700);
            assert_eq!(mode(&path), 0o600);
        }
        // No temporary file is left behind.
        let names: Vec<String> = fs::read_dir(dir.join("nested"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(names.iter().all(|n| !n.contains(".tmp-")), "{names:?}");
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn client_ids_stay_inside_the_directory() {
        let store = TokenStore::new("/tokens");
        assert_eq!(
            store.path("../../etc/passwd"),
            PathBuf::from("/tokens/oauth-.._.._etc_passwd.json")
        );
        assert_eq!(
            store.path("a b/c"),
            PathBuf::from("/tokens/oauth-a_b_c.json")
        );
    }
}

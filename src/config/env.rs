//! [`EnvSource`]: the variables the configuration is read from, in two layers: the process
//! environment, which wins, and a dotenv file under it. (Upstream lets the file override the
//! environment; here a value set by the caller of the process always wins over a file on disk.)
//! It is plain data and can be built from any list of pairs, so tests never touch the real
//! environment or working directory.

use std::collections::HashMap;
use std::fmt;
use std::path::Path;

use super::dotenv;
use super::error::ConfigError;

/// Which layer of an [`EnvSource`] supplied a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layer {
    /// The process environment.
    Process,
    /// The dotenv file.
    File,
}

/// The process environment merged with a dotenv file. Empty values count as unset.
#[derive(Clone, Default)]
pub struct EnvSource {
    process: HashMap<String, String>,
    file: HashMap<String, String>,
    file_path: Option<String>,
}

impl EnvSource {
    /// An empty source: every variable is unset.
    pub fn new() -> Self {
        Self::default()
    }

    /// A source whose process layer holds `vars` (no file layer).
    pub fn from_vars<I, K, V>(vars: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        EnvSource {
            process: vars
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
            ..Self::default()
        }
    }

    /// Adds a file layer parsed from dotenv `text`; `path` is only used in messages.
    pub fn with_dotenv(mut self, path: &str, text: &str) -> Result<Self, ConfigError> {
        let pairs = dotenv::parse(text).map_err(|e| ConfigError::EnvFile {
            path: path.to_owned(),
            line: Some(e.line),
            reason: e.reason,
        })?;
        self.file = pairs.into_iter().collect();
        self.file_path = Some(path.to_owned());
        Ok(self)
    }

    /// Reads the real process environment and the dotenv file: `env_file` when given (it must
    /// exist), else `./.env` when it exists.
    pub fn from_process(env_file: Option<&Path>) -> Result<Self, ConfigError> {
        let vars = std::env::vars_os()
            .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)));
        Self::from_vars(vars).with_env_file(env_file, Path::new("./.env"))
    }

    /// Adds the file layer from disk: `explicit` when given (missing is an error), else
    /// `fallback` when it exists (missing is fine).
    pub fn with_env_file(
        self,
        explicit: Option<&Path>,
        fallback: &Path,
    ) -> Result<Self, ConfigError> {
        let (path, required) = match explicit {
            Some(p) => (p, true),
            None => (fallback, false),
        };
        let shown = path.display().to_string();
        match std::fs::read(path) {
            Ok(bytes) => {
                let text = String::from_utf8(bytes).map_err(|_| ConfigError::EnvFile {
                    path: shown.clone(),
                    line: None,
                    reason: "is not UTF-8 text".into(),
                })?;
                self.with_dotenv(&shown, &text)
            }
            Err(e) if !required && e.kind() == std::io::ErrorKind::NotFound => Ok(self),
            Err(e) => Err(ConfigError::EnvFile {
                path: shown,
                line: None,
                reason: format!("cannot read it ({})", io_reason(&e)),
            }),
        }
    }

    /// The value of `key` and the layer it came from; empty values count as unset.
    pub fn lookup(&self, key: &str) -> Option<(&str, Layer)> {
        fn non_empty<'m>(map: &'m HashMap<String, String>, key: &str) -> Option<&'m str> {
            map.get(key)
                .map(String::as_str)
                .filter(|v| !v.trim().is_empty())
        }
        non_empty(&self.process, key)
            .map(|v| (v, Layer::Process))
            .or_else(|| non_empty(&self.file, key).map(|v| (v, Layer::File)))
    }

    /// The value of `key`, or `None` when unset or empty.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.lookup(key).map(|(v, _)| v)
    }

    /// The dotenv file that was loaded, if any.
    pub fn env_file(&self) -> Option<&str> {
        self.file_path.as_deref()
    }
}

/// Lists variable names only: values may be secrets.
impl fmt::Debug for EnvSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut process: Vec<&str> = self.process.keys().map(String::as_str).collect();
        let mut file: Vec<&str> = self.file.keys().map(String::as_str).collect();
        process.sort_unstable();
        file.sort_unstable();
        f.debug_struct("EnvSource")
            .field("process_keys", &process)
            .field("file", &self.file_path)
            .field("file_keys", &file)
            .finish()
    }
}

/// A short reason for an I/O error, without the OS error number.
fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "not found".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn process_beats_file_and_empty_is_unset() {
        let env = EnvSource::from_vars([("A", "proc"), ("B", ""), ("C", "  ")])
            .with_dotenv(".env", "A=file\nB=file-b\nC=file-c\nD=file-d\nE=\n")
            .unwrap();
        assert_eq!(env.lookup("A"), Some(("proc", Layer::Process)));
        assert_eq!(env.lookup("B"), Some(("file-b", Layer::File)));
        assert_eq!(env.get("C"), Some("file-c"));
        assert_eq!(env.get("D"), Some("file-d"));
        assert_eq!(env.get("E"), None);
        assert_eq!(env.get("F"), None);
        assert_eq!(env.env_file(), Some(".env"));
    }

    #[test]
    fn dotenv_syntax_error_names_file_and_line() {
        let err = EnvSource::new()
            .with_dotenv("conf/my.env", "A=1\noops\n")
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "conf/my.env:2: expected KEY=value (no \"=\" found)"
        );
    }

    #[test]
    fn debug_shows_no_values() {
        let env = EnvSource::from_vars([("JIRA_API_TOKEN", "s3cr3t-proc")])
            .with_dotenv(".env", "CONFLUENCE_API_TOKEN=s3cr3t-file")
            .unwrap();
        let shown = format!("{env:?}");
        assert!(shown.contains("JIRA_API_TOKEN"));
        assert!(!shown.contains("s3cr3t"), "{shown}");
    }

    #[test]
    fn env_files_on_disk() {
        let dir = std::env::temp_dir().join(format!("mcp-atlassian-cfg-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("test.env");
        std::fs::write(&file, "X=from-file\n").unwrap();
        let missing = dir.join("missing.env");

        // An explicit file must exist.
        let err = EnvSource::new()
            .with_env_file(Some(&missing), &file)
            .unwrap_err();
        assert!(
            err.to_string().contains("cannot read it (not found)"),
            "{err}"
        );
        // The fallback is optional.
        let env = EnvSource::new().with_env_file(None, &missing).unwrap();
        assert_eq!(env.env_file(), None);
        // Either one is loaded when present.
        let env = EnvSource::new().with_env_file(None, &file).unwrap();
        assert_eq!(env.get("X"), Some("from-file"));
        let env = EnvSource::new()
            .with_env_file(Some(&file), &missing)
            .unwrap();
        assert_eq!(env.get("X"), Some("from-file"));

        std::fs::write(&file, [0xff, 0xfe, b'\n']).unwrap();
        let err = EnvSource::new()
            .with_env_file(Some(&file), &missing)
            .unwrap_err();
        assert!(err.to_string().contains("not UTF-8"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

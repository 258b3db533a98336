//! Precedence and typed reading. [`Sources`] stacks the three layers (command-line flags, then
//! the process environment, then the dotenv file) behind one lookup by variable name, and its
//! getters turn raw text into checked values, producing errors that name the flag or variable
//! (and the file) the bad value came from. Values are trimmed; empty ones count as unset.

use std::ops::RangeInclusive;
use std::path::PathBuf;

use super::cli::Cli;
use super::env::{EnvSource, Layer};
use super::error::ConfigError;
use super::secret::{ProxyUrl, Secret};
use super::url::{parse_proxy_url, parse_site_url, redact_url};

/// Words accepted as true and false (case-insensitive).
const TRUE_WORDS: [&str; 5] = ["true", "1", "yes", "y", "on"];
const FALSE_WORDS: [&str; 5] = ["false", "0", "no", "n", "off"];
const BOOL_EXPECTED: &str = "a boolean (true/false, 1/0, yes/no, y/n, on/off)";

/// Where a value came from.
#[derive(Clone, Copy, Debug)]
enum Origin<'a> {
    Flag(&'static str),
    Process,
    File(&'a str),
}

/// A value found for a variable, with its origin.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Found<'a> {
    pub var: &'static str,
    pub value: &'a str,
    origin: Origin<'a>,
}

impl Found<'_> {
    /// How to name this setting in an error: the flag, the variable, or the variable and file.
    pub fn label(&self) -> String {
        match self.origin {
            Origin::Flag(flag) => flag.to_owned(),
            Origin::Process => self.var.to_owned(),
            Origin::File(path) => format!("{} (from {path})", self.var),
        }
    }

    /// An [`ConfigError::Invalid`] for this value.
    pub fn invalid(&self, expected: impl Into<String>) -> ConfigError {
        ConfigError::invalid(self.label(), self.value, expected)
    }

    /// An [`ConfigError::Rejected`] for this setting.
    pub fn rejected(&self, reason: impl Into<String>) -> ConfigError {
        ConfigError::rejected(self.label(), reason)
    }
}

/// Flags layered over an [`EnvSource`].
pub(crate) struct Sources<'a> {
    /// `(variable, flag, value)` for every flag given on the command line.
    flags: Vec<(&'static str, &'static str, String)>,
    env: &'a EnvSource,
}

impl<'a> Sources<'a> {
    /// Collects the flag values of `cli` under the variables they override.
    pub fn new(cli: &Cli, env: &'a EnvSource) -> Result<Self, ConfigError> {
        let options: [(&'static str, &'static str, &Option<String>); 23] = [
            ("TRANSPORT", "--transport", &cli.transport),
            ("PORT", "--port", &cli.port),
            ("HOST", "--host", &cli.host),
            ("STREAMABLE_HTTP_PATH", "--path", &cli.path),
            ("JIRA_URL", "--jira-url", &cli.jira_url),
            ("JIRA_USERNAME", "--jira-username", &cli.jira_username),
            ("JIRA_API_TOKEN", "--jira-token", &cli.jira_token),
            (
                "JIRA_PERSONAL_TOKEN",
                "--jira-personal-token",
                &cli.jira_personal_token,
            ),
            (
                "JIRA_PROJECTS_FILTER",
                "--jira-projects-filter",
                &cli.jira_projects_filter,
            ),
            ("CONFLUENCE_URL", "--confluence-url", &cli.confluence_url),
            (
                "CONFLUENCE_USERNAME",
                "--confluence-username",
                &cli.confluence_username,
            ),
            (
                "CONFLUENCE_API_TOKEN",
                "--confluence-token",
                &cli.confluence_token,
            ),
            (
                "CONFLUENCE_PERSONAL_TOKEN",
                "--confluence-personal-token",
                &cli.confluence_personal_token,
            ),
            (
                "CONFLUENCE_SPACES_FILTER",
                "--confluence-spaces-filter",
                &cli.confluence_spaces_filter,
            ),
            ("ENABLED_TOOLS", "--enabled-tools", &cli.enabled_tools),
            ("TOOLSETS", "--toolsets", &cli.toolsets),
            ("DISABLED_TOOLS", "--disabled-tools", &cli.disabled_tools),
            (
                "ATLASSIAN_OAUTH_CLIENT_ID",
                "--oauth-client-id",
                &cli.oauth_client_id,
            ),
            (
                "ATLASSIAN_OAUTH_CLIENT_SECRET",
                "--oauth-client-secret",
                &cli.oauth_client_secret,
            ),
            (
                "ATLASSIAN_OAUTH_REDIRECT_URI",
                "--oauth-redirect-uri",
                &cli.oauth_redirect_uri,
            ),
            ("ATLASSIAN_OAUTH_SCOPE", "--oauth-scope", &cli.oauth_scope),
            (
                "ATLASSIAN_OAUTH_CLOUD_ID",
                "--oauth-cloud-id",
                &cli.oauth_cloud_id,
            ),
            (
                "ATLASSIAN_OAUTH_ACCESS_TOKEN",
                "--oauth-access-token",
                &cli.oauth_access_token,
            ),
        ];
        let mut flags: Vec<(&'static str, &'static str, String)> = options
            .into_iter()
            .filter_map(|(var, flag, value)| {
                let value = value.as_deref()?.trim();
                (!value.is_empty()).then(|| (var, flag, value.to_owned()))
            })
            .collect();
        let switches = [
            ("STATELESS", "--stateless", cli.stateless, "true"),
            ("READ_ONLY_MODE", "--read-only", cli.read_only, "true"),
        ];
        for (var, flag, on, value) in switches {
            if on {
                flags.push((var, flag, value.to_owned()));
            }
        }
        let pairs = [
            (
                "JIRA_SSL_VERIFY",
                "jira",
                cli.jira_ssl_verify,
                cli.no_jira_ssl_verify,
            ),
            (
                "CONFLUENCE_SSL_VERIFY",
                "confluence",
                cli.confluence_ssl_verify,
                cli.no_confluence_ssl_verify,
            ),
        ];
        for (var, product, yes, no) in pairs {
            match (yes, no) {
                (true, true) => {
                    return Err(ConfigError::rejected(
                        format!("--{product}-ssl-verify"),
                        format!("cannot be combined with --no-{product}-ssl-verify"),
                    ));
                }
                (true, false) => flags.push((var, ssl_flag(product, true), "true".into())),
                (false, true) => flags.push((var, ssl_flag(product, false), "false".into())),
                (false, false) => {}
            }
        }
        Ok(Sources { flags, env })
    }

    /// The value for `var`: a flag, else the process environment, else the dotenv file.
    pub fn get(&self, var: &'static str) -> Option<Found<'_>> {
        if let Some((_, flag, value)) = self.flags.iter().find(|(v, _, _)| *v == var) {
            return Some(Found {
                var,
                value,
                origin: Origin::Flag(flag),
            });
        }
        let (value, layer) = self.env.lookup(var)?;
        Some(self.found(var, value, layer))
    }

    /// The first of `vars` that is set, trying every name in the process environment before
    /// any name in the dotenv file (used for `HTTP_PROXY` / `http_proxy` pairs; flags never set
    /// these).
    pub fn first_of(&self, vars: &[&'static str]) -> Option<Found<'_>> {
        [Layer::Process, Layer::File].into_iter().find_map(|layer| {
            vars.iter().find_map(|var| {
                let (value, found_in) = self.env.lookup(var)?;
                (found_in == layer).then(|| self.found(var, value, layer))
            })
        })
    }

    fn found(&self, var: &'static str, value: &'a str, layer: Layer) -> Found<'a> {
        let origin = match layer {
            Layer::Process => Origin::Process,
            Layer::File => Origin::File(self.env.env_file().unwrap_or(".env")),
        };
        Found {
            var,
            value: value.trim(),
            origin,
        }
    }

    /// The trimmed text of `var`, if set.
    pub fn string(&self, var: &'static str) -> Option<String> {
        self.get(var).map(|f| f.value.to_owned())
    }

    /// `var` as a credential.
    pub fn secret(&self, var: &'static str) -> Option<Secret> {
        self.get(var).map(|f| Secret::new(f.value))
    }

    /// `var` as a boolean, `default` when unset.
    pub fn bool(&self, var: &'static str, default: bool) -> Result<bool, ConfigError> {
        self.get(var).map_or(Ok(default), |f| {
            parse_bool(f.value).ok_or_else(|| f.invalid(BOOL_EXPECTED))
        })
    }

    /// `var` as an optional boolean (`None` when unset).
    pub fn opt_bool(&self, var: &'static str) -> Result<Option<bool>, ConfigError> {
        self.get(var)
            .map(|f| parse_bool(f.value).ok_or_else(|| f.invalid(BOOL_EXPECTED)))
            .transpose()
    }

    /// `var` as a whole number in `range`, `default` when unset. `what` names the unit, e.g.
    /// "a whole number of seconds".
    pub fn number<T: TryFrom<u64>>(
        &self,
        var: &'static str,
        default: T,
        range: RangeInclusive<u64>,
        what: &str,
    ) -> Result<T, ConfigError> {
        let Some(f) = self.get(var) else {
            return Ok(default);
        };
        let digits = !f.value.is_empty() && f.value.bytes().all(|b| b.is_ascii_digit());
        digits
            .then(|| f.value.parse::<u64>().ok())
            .flatten()
            .filter(|n| range.contains(n))
            .and_then(|n| T::try_from(n).ok())
            .ok_or_else(|| f.invalid(format!("{what} {}", describe_range(&range))))
    }

    /// `var` as a finite decimal number in `range`, `default` when unset.
    pub fn decimal(
        &self,
        var: &'static str,
        default: f64,
        range: RangeInclusive<f64>,
        what: &str,
    ) -> Result<f64, ConfigError> {
        let Some(f) = self.get(var) else {
            return Ok(default);
        };
        let plain = f
            .value
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'));
        plain
            .then(|| f.value.parse::<f64>().ok())
            .flatten()
            .filter(|n| n.is_finite() && range.contains(n))
            .ok_or_else(|| f.invalid(format!("{what} from {} to {}", range.start(), range.end())))
    }

    /// `var` as a comma list: entries trimmed, empty ones dropped, duplicates removed (compared
    /// after `normalize`, which is also applied to the kept entries).
    pub fn list(&self, var: &'static str, normalize: fn(&str) -> String) -> Vec<String> {
        self.get(var)
            .map(|f| split_list(f.value, normalize))
            .unwrap_or_default()
    }

    /// `var` as a site URL (http or https), without trailing slashes.
    pub fn site_url(&self, var: &'static str) -> Result<Option<String>, ConfigError> {
        let Some(f) = self.get(var) else {
            return Ok(None);
        };
        parse_site_url(f.value)
            .map(Some)
            .map_err(|expected| ConfigError::invalid(f.label(), &redact_url(f.value), expected))
    }

    /// The first of `vars` that is set, as a proxy URL. The value is redacted in errors.
    pub fn proxy(&self, vars: &[&'static str]) -> Result<Option<ProxyUrl>, ConfigError> {
        let Some(f) = self.first_of(vars) else {
            return Ok(None);
        };
        parse_proxy_url(f.value)
            .map(|url| Some(ProxyUrl::new_unchecked(url)))
            .map_err(|expected| ConfigError::invalid(f.label(), &redact_url(f.value), expected))
    }

    /// `var` as the path of a file that exists, in the platform's own form (`C:\\certs\\ca.pem`
    /// on Windows). One pair of surrounding double quotes is dropped when the path inside them
    /// exists: Windows' "Copy as path" adds them, and JSON client configurations keep them.
    pub fn file(&self, var: &'static str) -> Result<Option<PathBuf>, ConfigError> {
        let Some(f) = self.get(var) else {
            return Ok(None);
        };
        let path = PathBuf::from(f.value);
        let unquoted = f
            .value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .map(PathBuf::from);
        if path.is_file() {
            Ok(Some(path))
        } else if let Some(p) = unquoted.filter(|p| p.is_file()) {
            Ok(Some(p))
        } else {
            Err(f.invalid("the path of an existing, readable file"))
        }
    }
}

fn ssl_flag(product: &str, verify: bool) -> &'static str {
    match (product, verify) {
        ("jira", true) => "--jira-ssl-verify",
        ("jira", false) => "--no-jira-ssl-verify",
        (_, true) => "--confluence-ssl-verify",
        (_, false) => "--no-confluence-ssl-verify",
    }
}

/// Parses the boolean words (case-insensitive).
pub(crate) fn parse_bool(value: &str) -> Option<bool> {
    let lower = value.trim().to_ascii_lowercase();
    if TRUE_WORDS.contains(&lower.as_str()) {
        Some(true)
    } else if FALSE_WORDS.contains(&lower.as_str()) {
        Some(false)
    } else {
        None
    }
}

/// Splits a comma list: trims, drops empty entries, normalizes, removes duplicates.
pub(crate) fn split_list(value: &str, normalize: fn(&str) -> String) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for item in value.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let item = normalize(item);
        if !out.contains(&item) {
            out.push(item);
        }
    }
    out
}

/// Keeps a list entry as written.
pub(crate) fn as_is(s: &str) -> String {
    s.to_owned()
}

/// Upper-cases a list entry (project keys).
pub(crate) fn upper(s: &str) -> String {
    s.to_ascii_uppercase()
}

/// Lower-cases a list entry (host names).
pub(crate) fn lower(s: &str) -> String {
    s.to_ascii_lowercase()
}

fn describe_range(range: &RangeInclusive<u64>) -> String {
    match (*range.start(), *range.end()) {
        (0, u64::MAX) => "(0 or more)".to_owned(),
        (lo, u64::MAX) => format!("({lo} or more)"),
        (lo, hi) => format!("from {lo} to {hi}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> EnvSource {
        EnvSource::from_vars(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())))
    }

    #[test]
    fn booleans() {
        for t in ["true", "TRUE", "1", "yes", "Y", "on", " On "] {
            assert_eq!(parse_bool(t), Some(true), "{t}");
        }
        for f in ["false", "0", "No", "n", "OFF"] {
            assert_eq!(parse_bool(f), Some(false), "{f}");
        }
        for bad in ["2", "enabled", "tru", ""] {
            assert_eq!(parse_bool(bad), None, "{bad}");
        }
        let e = env(&[("READ_ONLY_MODE", "maybe")]);
        let cli = Cli::default();
        let s = Sources::new(&cli, &e).unwrap();
        assert_eq!(
            s.bool("READ_ONLY_MODE", false).unwrap_err().to_string(),
            "READ_ONLY_MODE: \"maybe\" is not a boolean (true/false, 1/0, yes/no, y/n, on/off)"
        );
    }

    #[test]
    fn flags_beat_process_beats_file() {
        let e = env(&[("JIRA_URL", "https://env"), ("TOOLSETS", "all")])
            .with_dotenv(
                "my.env",
                "JIRA_URL=https://file\nTOOLSETS=default\nPORT=1\n",
            )
            .unwrap();
        let cli = Cli {
            jira_url: Some("https://flag".into()),
            ..Cli::default()
        };
        let s = Sources::new(&cli, &e).unwrap();
        assert_eq!(s.string("JIRA_URL").as_deref(), Some("https://flag"));
        assert_eq!(s.get("JIRA_URL").unwrap().label(), "--jira-url");
        assert_eq!(s.string("TOOLSETS").as_deref(), Some("all"));
        assert_eq!(s.get("TOOLSETS").unwrap().label(), "TOOLSETS");
        assert_eq!(s.get("PORT").unwrap().label(), "PORT (from my.env)");
    }

    #[test]
    fn empty_flags_count_as_unset() {
        let e = env(&[("JIRA_URL", "https://env")]);
        let cli = Cli {
            jira_url: Some("  ".into()),
            ..Cli::default()
        };
        let s = Sources::new(&cli, &e).unwrap();
        assert_eq!(s.string("JIRA_URL").as_deref(), Some("https://env"));
    }

    #[test]
    fn ssl_switch_pairs() {
        let e = env(&[("JIRA_SSL_VERIFY", "false")]);
        let cli = Cli {
            jira_ssl_verify: true,
            ..Cli::default()
        };
        assert!(
            Sources::new(&cli, &e)
                .unwrap()
                .bool("JIRA_SSL_VERIFY", true)
                .unwrap()
        );
        let cli = Cli {
            no_confluence_ssl_verify: true,
            ..Cli::default()
        };
        let s = Sources::new(&cli, &e).unwrap();
        assert!(!s.bool("CONFLUENCE_SSL_VERIFY", true).unwrap());
        let cli = Cli {
            jira_ssl_verify: true,
            no_jira_ssl_verify: true,
            ..Cli::default()
        };
        let err = Sources::new(&cli, &e).err().unwrap();
        assert_eq!(
            err.to_string(),
            "--jira-ssl-verify: cannot be combined with --no-jira-ssl-verify"
        );
    }

    #[test]
    fn upper_case_wins_within_a_layer_and_process_wins_over_file() {
        let e = env(&[("http_proxy", "http://lower-proc:1")])
            .with_dotenv(".env", "HTTP_PROXY=http://upper-file:1\n")
            .unwrap();
        let cli = Cli::default();
        let s = Sources::new(&cli, &e).unwrap();
        let got = s.proxy(&["HTTP_PROXY", "http_proxy"]).unwrap().unwrap();
        assert_eq!(got.expose(), "http://lower-proc:1");
        let e = env(&[
            ("http_proxy", "http://lower:1"),
            ("HTTP_PROXY", "http://upper:1"),
        ]);
        let s = Sources::new(&cli, &e).unwrap();
        let got = s.proxy(&["HTTP_PROXY", "http_proxy"]).unwrap().unwrap();
        assert_eq!(got.expose(), "http://upper:1");
    }

    #[test]
    fn numbers() {
        let e = env(&[
            ("A", "abc"),
            ("B", "-1"),
            ("C", "42"),
            ("D", "1.5"),
            ("E", "nan"),
        ]);
        let cli = Cli::default();
        let s = Sources::new(&cli, &e).unwrap();
        let err = s
            .number::<u64>("A", 75, 1..=u64::MAX, "a whole number of seconds")
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "A: \"abc\" is not a whole number of seconds (1 or more)"
        );
        assert!(s.number::<u32>("B", 0, 0..=u64::MAX, "a count").is_err());
        assert_eq!(s.number::<u16>("C", 0, 0..=65535, "a port").unwrap(), 42);
        assert!(s.number::<u16>("C", 0, 50..=60, "a port").is_err());
        assert_eq!(s.number::<u16>("Z", 7, 0..=65535, "a port").unwrap(), 7);
        assert_eq!(s.decimal("D", 0.0, 0.0..=10.0, "a factor").unwrap(), 1.5);
        assert_eq!(s.decimal("C", 0.0, 0.0..=100.0, "a factor").unwrap(), 42.0);
        assert!(s.decimal("B", 0.0, 0.0..=10.0, "a factor").is_err());
        assert!(s.decimal("E", 0.0, 0.0..=10.0, "a factor").is_err());
    }

    #[test]
    fn lists_and_urls() {
        let e = env(&[
            ("L", " a, b ,,a , c,"),
            ("U", "ftp://x"),
            ("P", "ftp://user:pw@proxy"),
        ]);
        let cli = Cli::default();
        let s = Sources::new(&cli, &e).unwrap();
        assert_eq!(s.list("L", upper), vec!["A", "B", "C"]);
        assert_eq!(
            s.site_url("U").unwrap_err().to_string(),
            "U: \"ftp://x\" is not an http(s) URL"
        );
        let err = s.proxy(&["P"]).unwrap_err().to_string();
        assert!(!err.contains("pw"), "{err}");
        assert!(
            err.starts_with("P: \"ftp://user:***@proxy\" is not a proxy URL"),
            "{err}"
        );
    }

    #[test]
    fn files_must_exist() {
        let here = concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml");
        let e = env(&[("OK", here), ("MISSING", "/nonexistent/ca.pem")]);
        let cli = Cli::default();
        let s = Sources::new(&cli, &e).unwrap();
        assert_eq!(s.file("OK").unwrap(), Some(PathBuf::from(here)));
        let quoted = format!("\"{here}\"");
        let e = env(&[("Q", &quoted), ("QM", "\"/nonexistent/ca.pem\"")]);
        let s2 = Sources::new(&cli, &e).unwrap();
        assert_eq!(s2.file("Q").unwrap(), Some(PathBuf::from(here)));
        assert!(s2.file("QM").is_err());
        assert_eq!(
            s.file("MISSING").unwrap_err().to_string(),
            "MISSING: \"/nonexistent/ca.pem\" is not the path of an existing, readable file"
        );
    }
}

//! Product-specific behaviour settings that do not concern the connection: Jira's project
//! filter, key patterns, markup switch, internal-only service-desk projects, hierarchy link
//! phrases and SLA defaults; Confluence's space filter and attachment download endpoint.
//! They are read even when the product has no site configured, so that requests that bring
//! their own site URL are filtered too.

use super::error::{ConfigError, quote};
use super::sources::{Found, Sources, as_is, lower, split_list, upper};

/// Default of `JIRA_ISSUE_KEY_PATTERN`.
pub const DEFAULT_ISSUE_KEY_PATTERN: &str = r"^[A-Z][A-Z0-9_]+-\d+(?:-\d+)*$";
/// Default of `JIRA_PROJECT_KEY_PATTERN`.
pub const DEFAULT_PROJECT_KEY_PATTERN: &str = r"^[A-Z][A-Z0-9_]+$";
/// Metrics `jira_get_issue_sla` can compute.
pub const SLA_METRICS: [&str; 6] = [
    "cycle_time",
    "lead_time",
    "time_in_status",
    "due_date_compliance",
    "resolution_time",
    "first_response_time",
];

/// Jira behaviour settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JiraOptions {
    /// `JIRA_PROJECTS_FILTER`: project keys (upper-cased) the server may touch; empty = all.
    pub projects_filter: Vec<String>,
    /// `JIRA_ISSUE_KEY_PATTERN`: regex for issue-key parameters (checked by the tool layer).
    pub issue_key_pattern: String,
    /// `JIRA_PROJECT_KEY_PATTERN`: regex for project-key parameters.
    pub project_key_pattern: String,
    /// `DISABLE_JIRA_MARKUP_TRANSLATION`: pass text through without Markdown conversion.
    pub disable_markup_translation: bool,
    /// `JIRA_INTERNAL_ONLY_PROJECTS`: service-desk projects whose comments are always internal.
    pub internal_only_projects: Vec<String>,
    /// `HIERARCHY_LINK_PHRASES`: extra parent/child link phrases.
    pub hierarchy_link_phrases: HierarchyPhrases,
    /// `JIRA_SLA_*`: defaults of `jira_get_issue_sla`.
    pub sla: SlaConfig,
}

impl Default for JiraOptions {
    fn default() -> Self {
        JiraOptions {
            projects_filter: Vec::new(),
            issue_key_pattern: DEFAULT_ISSUE_KEY_PATTERN.to_owned(),
            project_key_pattern: DEFAULT_PROJECT_KEY_PATTERN.to_owned(),
            disable_markup_translation: false,
            internal_only_projects: Vec::new(),
            hierarchy_link_phrases: HierarchyPhrases::default(),
            sla: SlaConfig::default(),
        }
    }
}

/// Link phrases (lower case) that mark a parent/child relation, beyond the built-in ones.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HierarchyPhrases {
    /// From `parent:<phrase>`: a link with this phrase points from a parent to its child.
    pub parent: Vec<String>,
    /// From `child:<phrase>`: a link with this phrase points from a child to its parent.
    pub child: Vec<String>,
}

/// A wall-clock time, 00:00 to 23:59.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct TimeOfDay {
    pub hour: u8,
    pub minute: u8,
}

impl TimeOfDay {
    /// Minutes since midnight.
    pub fn minutes(self) -> u16 {
        u16::from(self.hour) * 60 + u16::from(self.minute)
    }

    fn parse(text: &str) -> Option<TimeOfDay> {
        let (h, m) = text.split_once(':')?;
        let digits = |s: &str, max_len| {
            (!s.is_empty() && s.len() <= max_len && s.bytes().all(|b| b.is_ascii_digit()))
                .then(|| s.parse::<u8>().ok())
                .flatten()
        };
        let (hour, minute) = (digits(h, 2)?, digits(m, 2)?);
        (m.len() == 2 && hour < 24 && minute < 60).then_some(TimeOfDay { hour, minute })
    }
}

/// SLA calculation defaults.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SlaConfig {
    /// Metrics computed when the caller names none (each one of [`SLA_METRICS`]).
    pub metrics: Vec<String>,
    pub working_hours_only: bool,
    pub working_hours_start: TimeOfDay,
    pub working_hours_end: TimeOfDay,
    /// ISO weekdays, 1 = Monday ... 7 = Sunday, sorted.
    pub working_days: Vec<u8>,
    /// Time zone name, e.g. `UTC` or `Europe/Berlin` (resolved by the SLA code).
    pub timezone: String,
}

impl Default for SlaConfig {
    fn default() -> Self {
        SlaConfig {
            metrics: vec!["cycle_time".to_owned(), "time_in_status".to_owned()],
            working_hours_only: false,
            working_hours_start: TimeOfDay { hour: 9, minute: 0 },
            working_hours_end: TimeOfDay {
                hour: 17,
                minute: 0,
            },
            working_days: vec![1, 2, 3, 4, 5],
            timezone: "UTC".to_owned(),
        }
    }
}

/// Confluence behaviour settings.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConfluenceOptions {
    /// `CONFLUENCE_SPACES_FILTER`: space keys (as written) the server may touch; empty = all.
    pub spaces_filter: Vec<String>,
    /// `CONFLUENCE_ATTACHMENT_DOWNLOAD_USE_V1`: `None` = automatic (v1 REST on Cloud, the
    /// `/download/` path on Server/DC).
    pub attachment_download_use_v1: Option<bool>,
}

pub(crate) fn jira_options(src: &Sources<'_>) -> Result<JiraOptions, ConfigError> {
    let defaults = JiraOptions::default();
    Ok(JiraOptions {
        projects_filter: src.list("JIRA_PROJECTS_FILTER", upper),
        issue_key_pattern: src
            .string("JIRA_ISSUE_KEY_PATTERN")
            .unwrap_or(defaults.issue_key_pattern),
        project_key_pattern: src
            .string("JIRA_PROJECT_KEY_PATTERN")
            .unwrap_or(defaults.project_key_pattern),
        disable_markup_translation: src.bool("DISABLE_JIRA_MARKUP_TRANSLATION", false)?,
        internal_only_projects: src.list("JIRA_INTERNAL_ONLY_PROJECTS", upper),
        hierarchy_link_phrases: match src.get("HIERARCHY_LINK_PHRASES") {
            Some(f) => hierarchy_phrases(f)?,
            None => HierarchyPhrases::default(),
        },
        sla: sla(src)?,
    })
}

pub(crate) fn confluence_options(src: &Sources<'_>) -> Result<ConfluenceOptions, ConfigError> {
    Ok(ConfluenceOptions {
        spaces_filter: src.list("CONFLUENCE_SPACES_FILTER", as_is),
        attachment_download_use_v1: src.opt_bool("CONFLUENCE_ATTACHMENT_DOWNLOAD_USE_V1")?,
    })
}

fn hierarchy_phrases(f: Found<'_>) -> Result<HierarchyPhrases, ConfigError> {
    let mut out = HierarchyPhrases::default();
    for entry in f.value.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let parsed = entry.split_once(':').map(|(role, phrase)| {
            let phrase = phrase.split_whitespace().collect::<Vec<_>>().join(" ");
            (role.trim().to_ascii_lowercase(), phrase.to_lowercase())
        });
        let list = match &parsed {
            Some((role, phrase)) if !phrase.is_empty() && role == "parent" => &mut out.parent,
            Some((role, phrase)) if !phrase.is_empty() && role == "child" => &mut out.child,
            _ => {
                return Err(f.rejected(format!(
                    "entry {} is not parent:<phrase> or child:<phrase>",
                    quote(entry)
                )));
            }
        };
        if let Some((_, phrase)) = parsed.filter(|(_, p)| !list.contains(p)) {
            list.push(phrase);
        }
    }
    Ok(out)
}

fn sla(src: &Sources<'_>) -> Result<SlaConfig, ConfigError> {
    let defaults = SlaConfig::default();
    let metrics = match src.get("JIRA_SLA_METRICS") {
        None => defaults.metrics,
        Some(f) => {
            let metrics = split_list(f.value, lower);
            if let Some(bad) = metrics.iter().find(|m| !SLA_METRICS.contains(&m.as_str())) {
                return Err(f.rejected(format!(
                    "unknown metric {} (known: {})",
                    quote(bad),
                    SLA_METRICS.join(", ")
                )));
            }
            if metrics.is_empty() {
                return Err(f.invalid(format!("a comma list of {}", SLA_METRICS.join(", "))));
            }
            metrics
        }
    };
    let time = |var: &'static str, default: TimeOfDay| -> Result<TimeOfDay, ConfigError> {
        src.get(var).map_or(Ok(default), |f| {
            TimeOfDay::parse(f.value)
                .ok_or_else(|| f.invalid("a time written HH:MM (00:00 to 23:59)"))
        })
    };
    let start = time("JIRA_SLA_WORKING_HOURS_START", defaults.working_hours_start)?;
    let end = time("JIRA_SLA_WORKING_HOURS_END", defaults.working_hours_end)?;
    if end <= start {
        let name = src
            .get("JIRA_SLA_WORKING_HOURS_END")
            .or_else(|| src.get("JIRA_SLA_WORKING_HOURS_START"))
            .map_or_else(|| "JIRA_SLA_WORKING_HOURS_END".to_owned(), |f| f.label());
        return Err(ConfigError::rejected(
            name,
            format!(
                "the working day must end after it starts ({:02}:{:02} to {:02}:{:02})",
                start.hour, start.minute, end.hour, end.minute
            ),
        ));
    }
    let working_days = match src.get("JIRA_SLA_WORKING_DAYS") {
        None => defaults.working_days,
        Some(f) => working_days(f)?,
    };
    let timezone = match src.get("JIRA_SLA_TIMEZONE") {
        None => defaults.timezone,
        Some(f) => {
            let ok = !f.value.starts_with('/')
                && !f.value.ends_with('/')
                && f.value
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'_' | b'-' | b'+'));
            if !ok {
                return Err(f.invalid("a time zone name such as UTC or Europe/Berlin"));
            }
            f.value.to_owned()
        }
    };
    Ok(SlaConfig {
        metrics,
        working_hours_only: src.bool("JIRA_SLA_WORKING_HOURS_ONLY", false)?,
        working_hours_start: start,
        working_hours_end: end,
        working_days,
        timezone,
    })
}

fn working_days(f: Found<'_>) -> Result<Vec<u8>, ConfigError> {
    let mut days = Vec::new();
    for item in f.value.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        match item.parse::<u8>() {
            Ok(day @ 1..=7) if item.len() == 1 => days.push(day),
            _ => {
                return Err(f.rejected(format!(
                    "{} is not a weekday number from 1 (Monday) to 7 (Sunday)",
                    quote(item)
                )));
            }
        }
    }
    days.sort_unstable();
    days.dedup();
    if days.is_empty() {
        return Err(f.invalid("a comma list of weekday numbers 1 to 7"));
    }
    Ok(days)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::cli::Cli;
    use crate::config::env::EnvSource;

    fn jira(pairs: &[(&str, &str)]) -> Result<JiraOptions, ConfigError> {
        let env = EnvSource::from_vars(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        let cli = Cli::default();
        jira_options(&Sources::new(&cli, &env)?)
    }

    fn err(pairs: &[(&str, &str)]) -> String {
        jira(pairs).unwrap_err().to_string()
    }

    #[test]
    fn defaults() {
        assert_eq!(jira(&[]).unwrap(), JiraOptions::default());
    }

    #[test]
    fn filters_and_phrases() {
        let o = jira(&[
            ("JIRA_PROJECTS_FILTER", " proj, ops,,PROJ "),
            ("JIRA_INTERNAL_ONLY_PROJECTS", "sd"),
            (
                "HIERARCHY_LINK_PHRASES",
                "parent:Rolls  Up To, child: Is Part Of,PARENT:rolls up to",
            ),
            ("JIRA_ISSUE_KEY_PATTERN", r"^[A-Z]+_\d+$"),
        ])
        .unwrap();
        assert_eq!(o.projects_filter, vec!["PROJ", "OPS"]);
        assert_eq!(o.internal_only_projects, vec!["SD"]);
        assert_eq!(o.hierarchy_link_phrases.parent, vec!["rolls up to"]);
        assert_eq!(o.hierarchy_link_phrases.child, vec!["is part of"]);
        assert_eq!(o.issue_key_pattern, r"^[A-Z]+_\d+$");
        assert_eq!(o.project_key_pattern, DEFAULT_PROJECT_KEY_PATTERN);
        for bad in ["missing-role", "other:phrase", "parent:"] {
            let e = err(&[("HIERARCHY_LINK_PHRASES", bad)]);
            assert!(e.starts_with("HIERARCHY_LINK_PHRASES: entry"), "{e}");
        }
    }

    #[test]
    fn sla_settings() {
        let o = jira(&[
            ("JIRA_SLA_METRICS", "Lead_Time, resolution_time"),
            ("JIRA_SLA_WORKING_HOURS_ONLY", "yes"),
            ("JIRA_SLA_WORKING_HOURS_START", "8:30"),
            ("JIRA_SLA_WORKING_HOURS_END", "18:00"),
            ("JIRA_SLA_WORKING_DAYS", "4,1,2,2"),
            ("JIRA_SLA_TIMEZONE", "America/New_York"),
        ])
        .unwrap();
        assert_eq!(o.sla.metrics, vec!["lead_time", "resolution_time"]);
        assert!(o.sla.working_hours_only);
        assert_eq!(
            o.sla.working_hours_start,
            TimeOfDay {
                hour: 8,
                minute: 30
            }
        );
        assert_eq!(o.sla.working_hours_end.minutes(), 18 * 60);
        assert_eq!(o.sla.working_days, vec![1, 2, 4]);
        assert_eq!(o.sla.timezone, "America/New_York");
    }

    #[test]
    fn sla_errors() {
        let cases: [(&str, &str, &str); 8] = [
            (
                "JIRA_SLA_METRICS",
                "cycle_time,speed",
                "JIRA_SLA_METRICS: unknown metric \"speed\" (known: cycle_time,",
            ),
            (
                "JIRA_SLA_METRICS",
                ",",
                "JIRA_SLA_METRICS: \",\" is not a comma list",
            ),
            (
                "JIRA_SLA_WORKING_HOURS_START",
                "9am",
                "JIRA_SLA_WORKING_HOURS_START: \"9am\" is not a time written HH:MM",
            ),
            (
                "JIRA_SLA_WORKING_HOURS_END",
                "24:00",
                "JIRA_SLA_WORKING_HOURS_END: \"24:00\" is not a time",
            ),
            (
                "JIRA_SLA_WORKING_HOURS_END",
                "08:00",
                "JIRA_SLA_WORKING_HOURS_END: the working day must end after it starts (09:00 to 08:00)",
            ),
            (
                "JIRA_SLA_WORKING_DAYS",
                "1,8",
                "JIRA_SLA_WORKING_DAYS: \"8\" is not a weekday number from 1 (Monday) to 7 (Sunday)",
            ),
            (
                "JIRA_SLA_WORKING_DAYS",
                "mon",
                "JIRA_SLA_WORKING_DAYS: \"mon\" is not a weekday",
            ),
            (
                "JIRA_SLA_TIMEZONE",
                "Europe/Ber lin",
                "JIRA_SLA_TIMEZONE: \"Europe/Ber lin\" is not a time zone name",
            ),
        ];
        for (var, value, want) in cases {
            let e = err(&[(var, value)]);
            assert!(e.starts_with(want), "{var}={value}: {e}");
        }
        assert!(
            err(&[("JIRA_SLA_WORKING_HOURS_ONLY", "sometimes")])
                .starts_with("JIRA_SLA_WORKING_HOURS_ONLY: ")
        );
        assert!(
            err(&[("DISABLE_JIRA_MARKUP_TRANSLATION", "2")])
                .starts_with("DISABLE_JIRA_MARKUP_TRANSLATION: ")
        );
    }

    #[test]
    fn confluence() {
        let env = EnvSource::from_vars([
            ("CONFLUENCE_SPACES_FILTER", "DEV, ~jdoe,DEV"),
            ("CONFLUENCE_ATTACHMENT_DOWNLOAD_USE_V1", "off"),
        ]);
        let cli = Cli::default();
        let o = confluence_options(&Sources::new(&cli, &env).unwrap()).unwrap();
        assert_eq!(o.spaces_filter, vec!["DEV", "~jdoe"]);
        assert_eq!(o.attachment_download_use_v1, Some(false));
    }
}

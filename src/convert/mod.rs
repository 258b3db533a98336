//! Content conversion between Markdown (what tools exchange with the model) and the three formats
//! Atlassian stores rich text in: ADF JSON (Jira Cloud v3, Confluence `atlas_doc_format`), Jira
//! wiki markup (Jira Server/DC and REST v2) and Confluence storage XHTML. Pure functions, no I/O:
//! every format is read into the document model of [`ast`] and written from it.

pub mod ast;
mod entities;
mod from_adf;
mod from_markdown;
mod from_storage;
mod from_wiki;
mod lang;
mod md_cell;
mod md_delims;
mod md_escape;
mod md_text;
mod outline;
mod plain_text;
pub mod roundtrip;
pub mod structure;
mod to_adf;
mod to_markdown;
mod to_storage;
mod to_wiki;
mod wiki_escape;
mod wiki_inline;

#[cfg(test)]
mod tests;

use std::fmt;
use std::str::FromStr;

use serde_json::Value;

pub use lang::jira_language;

/// A rich-text format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Markdown,
    Adf,
    Wiki,
    Storage,
}

impl Format {
    pub const ALL: [Format; 4] = [Format::Markdown, Format::Adf, Format::Wiki, Format::Storage];

    pub fn name(self) -> &'static str {
        match self {
            Format::Markdown => "markdown",
            Format::Adf => "adf",
            Format::Wiki => "wiki",
            Format::Storage => "storage",
        }
    }
}

impl FromStr for Format {
    type Err = ConvertError;
    fn from_str(s: &str) -> Result<Format, ConvertError> {
        match s.to_ascii_lowercase().as_str() {
            "markdown" | "md" => Ok(Format::Markdown),
            "adf" | "atlas_doc_format" => Ok(Format::Adf),
            "wiki" | "jira" => Ok(Format::Wiki),
            "storage" | "xhtml" => Ok(Format::Storage),
            _ => Err(ConvertError::UnknownFormat(s.to_owned())),
        }
    }
}

/// Which deployment the output is for: it decides how user mentions are written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Flavor {
    /// Atlassian Cloud: users are account ids (`[~accountid:ID]`, `ri:account-id`).
    #[default]
    Cloud,
    /// Server / Data Center: users are user names or user keys (`[~jsmith]`, `ri:userkey`).
    Server,
}

/// Settings for the writers.
#[derive(Clone, Debug, Default)]
pub struct Options {
    pub flavor: Flavor,
}

impl Options {
    pub fn server() -> Options {
        Options {
            flavor: Flavor::Server,
        }
    }
}

/// Why a conversion failed. Only structured inputs can fail: Markdown and wiki markup are always
/// readable, and storage XHTML that does not parse is read as far as it goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConvertError {
    UnknownFormat(String),
    Json(String),
    NotAdf(String),
}

impl fmt::Display for ConvertError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConvertError::UnknownFormat(s) => write!(
                f,
                "unknown format {s:?}: use markdown, adf, wiki or storage"
            ),
            ConvertError::Json(e) => write!(f, "the ADF input is not valid JSON: {e}"),
            ConvertError::NotAdf(why) => write!(
                f,
                "the input is not an ADF document ({why}): expected {{\"type\":\"doc\",\"version\":1,\"content\":[...]}}"
            ),
        }
    }
}

impl std::error::Error for ConvertError {}

/// Reads `input` in format `from` into the document model.
pub fn parse(input: &str, from: Format) -> Result<Vec<ast::Block>, ConvertError> {
    Ok(match from {
        Format::Markdown => from_markdown::parse(input),
        Format::Adf => {
            let value: Value =
                serde_json::from_str(input).map_err(|e| ConvertError::Json(e.to_string()))?;
            from_adf::parse(&value)?
        }
        Format::Wiki => from_wiki::parse(input),
        Format::Storage => from_storage::parse(input),
    })
}

/// Writes the document model in format `to` (ADF as compact JSON).
pub fn render(doc: &[ast::Block], to: Format, opts: &Options) -> String {
    match to {
        Format::Markdown => to_markdown::render(doc),
        Format::Adf => to_adf::render(doc).to_string(),
        Format::Wiki => to_wiki::render(doc, opts),
        Format::Storage => to_storage::render(doc, opts),
    }
}

/// Converts `input` from one format to another.
pub fn convert(
    input: &str,
    from: Format,
    to: Format,
    opts: &Options,
) -> Result<String, ConvertError> {
    Ok(render(&parse(input, from)?, to, opts))
}

/// A canonical, indented dump of the structure of `input`: what the round-trip tests compare.
pub fn outline(input: &str, from: Format) -> Result<String, ConvertError> {
    Ok(outline::outline(&parse(input, from)?))
}

/// Markdown → ADF document (`{"type":"doc","version":1,...}`).
pub fn markdown_to_adf(markdown: &str) -> Value {
    to_adf::render(&from_markdown::parse(markdown))
}

/// ADF document → Markdown. A value that is not an ADF document gives an error.
pub fn adf_to_markdown(adf: &Value) -> Result<String, ConvertError> {
    Ok(to_markdown::render(&from_adf::parse(adf)?))
}

/// Markdown → Jira wiki markup.
pub fn markdown_to_wiki(markdown: &str, opts: &Options) -> String {
    to_wiki::render(&from_markdown::parse(markdown), opts)
}

/// Jira wiki markup → Markdown.
pub fn wiki_to_markdown(wiki: &str) -> String {
    to_markdown::render(&from_wiki::parse(wiki))
}

/// Markdown → Confluence storage XHTML.
pub fn markdown_to_storage(markdown: &str, opts: &Options) -> String {
    to_storage::render(&from_markdown::parse(markdown), opts)
}

/// Confluence storage XHTML → Markdown (best effort on malformed input).
pub fn storage_to_markdown(storage: &str) -> String {
    to_markdown::render(&from_storage::parse(storage))
}

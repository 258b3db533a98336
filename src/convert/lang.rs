//! Code-block languages: the fixed list Jira's `{code}` macro highlights, and the aliases that map
//! common Markdown fence names onto it. Anything else is written as `{noformat}`.

/// Languages Jira's code macro accepts (Server/DC and Cloud).
const JIRA_LANGUAGES: &[&str] = &[
    "actionscript",
    "ada",
    "applescript",
    "bash",
    "c",
    "c#",
    "c++",
    "coldfusion",
    "css",
    "delphi",
    "diff",
    "erlang",
    "go",
    "groovy",
    "haskell",
    "html",
    "java",
    "javafx",
    "javascript",
    "json",
    "lua",
    "nyan",
    "objc",
    "perl",
    "php",
    "powershell",
    "python",
    "r",
    "rainbow",
    "ruby",
    "scala",
    "sh",
    "sql",
    "swift",
    "visualbasic",
    "xml",
    "yaml",
];

/// Fence names → the Jira language that highlights them best.
const ALIASES: &[(&str, &str)] = &[
    ("as", "actionscript"),
    ("as3", "actionscript"),
    ("cfm", "coldfusion"),
    ("cpp", "c++"),
    ("cxx", "c++"),
    ("cc", "c++"),
    ("hpp", "c++"),
    ("h", "c"),
    ("cs", "c#"),
    ("csharp", "c#"),
    ("pas", "delphi"),
    ("pascal", "delphi"),
    ("patch", "diff"),
    ("erl", "erlang"),
    ("golang", "go"),
    ("hs", "haskell"),
    ("htm", "html"),
    ("xhtml", "html"),
    ("js", "javascript"),
    ("jsx", "javascript"),
    ("mjs", "javascript"),
    ("cjs", "javascript"),
    ("node", "javascript"),
    ("ts", "javascript"),
    ("typescript", "javascript"),
    ("tsx", "javascript"),
    ("kotlin", "java"),
    ("kt", "java"),
    ("jsonc", "json"),
    ("json5", "json"),
    ("objective-c", "objc"),
    ("objectivec", "objc"),
    ("m", "objc"),
    ("pl", "perl"),
    ("ps1", "powershell"),
    ("pwsh", "powershell"),
    ("posh", "powershell"),
    ("py", "python"),
    ("py3", "python"),
    ("python3", "python"),
    ("rb", "ruby"),
    ("shell", "bash"),
    ("zsh", "bash"),
    ("console", "bash"),
    ("shell-session", "bash"),
    ("ksh", "sh"),
    ("postgres", "sql"),
    ("postgresql", "sql"),
    ("mysql", "sql"),
    ("plsql", "sql"),
    ("tsql", "sql"),
    ("sqlite", "sql"),
    ("vb", "visualbasic"),
    ("vbnet", "visualbasic"),
    ("vba", "visualbasic"),
    ("svg", "xml"),
    ("xsl", "xml"),
    ("xslt", "xml"),
    ("plist", "xml"),
    ("yml", "yaml"),
];

/// The Jira code-macro language for a fence name, or `None` when Jira has no highlighter for it.
pub fn jira_language(lang: &str) -> Option<&'static str> {
    let lower = lang.trim().to_ascii_lowercase();
    if let Some(l) = JIRA_LANGUAGES.iter().find(|l| **l == lower) {
        return Some(l);
    }
    ALIASES.iter().find(|(a, _)| *a == lower).map(|(_, l)| *l)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whitelist_aliases_and_unknowns() {
        assert_eq!(jira_language("python"), Some("python"));
        assert_eq!(jira_language("Py"), Some("python"));
        assert_eq!(jira_language("ts"), Some("javascript"));
        assert_eq!(jira_language("yml"), Some("yaml"));
        assert_eq!(jira_language("c#"), Some("c#"));
        assert_eq!(jira_language("rust"), None);
        assert_eq!(jira_language("mermaid"), None);
        assert!(ALIASES.iter().all(|(_, l)| JIRA_LANGUAGES.contains(l)));
    }
}

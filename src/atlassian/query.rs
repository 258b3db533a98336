//! Query edits the server makes to JQL and CQL: splitting off `ORDER BY` and AND-ing a project or
//! space restriction into a caller's query without changing its meaning (quotes respected).

/// Split `where ORDER BY ...` at a top-level `ORDER BY` (outside quotes); trims both parts.
pub fn split_order_by(jql: &str) -> (String, Option<String>) {
    let lower = jql.to_ascii_lowercase();
    let bytes = jql.as_bytes();
    let mut quote: Option<u8> = None;
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        match quote {
            Some(_) if c == b'\\' => i += 1,
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == b'"' || c == b'\'' => quote = Some(c),
            None => {
                let at_word = i == 0 || !bytes[i - 1].is_ascii_alphanumeric();
                if at_word && lower[i..].starts_with("order") {
                    let rest = lower[i + 5..].trim_start();
                    if rest.starts_with("by") {
                        return (
                            jql[..i].trim().to_string(),
                            Some(jql[i..].trim().to_string()),
                        );
                    }
                }
            }
        }
        i += 1;
    }
    (jql.trim().to_string(), None)
}

fn quote_key(k: &str) -> String {
    format!("\"{}\"", k.replace('\\', "\\\\").replace('"', "\\\""))
}

/// `(query) AND <field> in ("A","B") ORDER BY ...` (`field` is `project` for JQL, `space` for
/// CQL); unchanged when `keys` is empty.
pub fn restrict(query: &str, field: &str, keys: &[String]) -> String {
    if keys.is_empty() {
        return query.trim().to_string();
    }
    let (filter, order) = split_order_by(query);
    let list = keys
        .iter()
        .map(|p| quote_key(p))
        .collect::<Vec<_>>()
        .join(", ");
    let mut out = if filter.is_empty() {
        format!("{field} in ({list})")
    } else {
        format!("({filter}) AND {field} in ({list})")
    };
    if let Some(order) = order {
        out.push(' ');
        out.push_str(&order);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_by_is_kept_last() {
        let p = vec!["A".to_string(), "B".to_string()];
        assert_eq!(
            restrict("status = Open ORDER BY created DESC", "project", &p),
            r#"(status = Open) AND project in ("A", "B") ORDER BY created DESC"#
        );
        assert_eq!(
            restrict("order by key", "space", &p),
            r#"space in ("A", "B") order by key"#
        );
        assert_eq!(
            restrict(r#"text ~ "order by me" OR x = 1"#, "project", &p),
            r#"(text ~ "order by me" OR x = 1) AND project in ("A", "B")"#
        );
        assert_eq!(restrict("x = 1", "project", &[]), "x = 1");
    }

    #[test]
    fn words_containing_order_are_not_split() {
        assert_eq!(
            split_order_by("summary ~ reorder"),
            ("summary ~ reorder".into(), None)
        );
        assert_eq!(
            split_order_by("bordered = 1 ORDER  BY x").1.as_deref(),
            Some("ORDER  BY x")
        );
    }
}

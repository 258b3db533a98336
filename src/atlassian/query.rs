//! Query edits the server makes to JQL and CQL: splitting off `ORDER BY` and AND-ing a project or
//! space restriction into a caller's query without changing its meaning (quotes respected).

/// One lexical step of JQL/CQL as far as grouping goes: quotes (`"` or `'`, with backslash
/// escapes inside) and parentheses. Calls `visit(byte offset, depth)` for every byte outside
/// quotes, with the depth before that byte. Errors name the first problem.
fn scan(query: &str, mut visit: impl FnMut(usize, usize)) -> Result<(), String> {
    let bytes = query.as_bytes();
    let mut quote: Option<(u8, usize)> = None;
    let mut depth: usize = 0;
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        match quote {
            Some(_) if c == b'\\' => i += 1,
            Some((q, _)) if c == q => quote = None,
            Some(_) => {}
            None => {
                visit(i, depth);
                match c {
                    b'"' | b'\'' => quote = Some((c, i)),
                    b'(' => depth += 1,
                    b')' => {
                        depth = depth.checked_sub(1).ok_or_else(|| {
                            format!(
                                "a closing parenthesis at character {} has no opening one",
                                i + 1
                            )
                        })?
                    }
                    _ => {}
                }
            }
        }
        i += 1;
    }
    if let Some((q, at)) = quote {
        return Err(format!(
            "the quote {} at character {} is never closed",
            q as char,
            at + 1
        ));
    }
    if depth > 0 {
        return Err(format!("{depth} opening parenthesis(es) are never closed"));
    }
    Ok(())
}

/// Check that quotes and parentheses in a JQL or CQL query pair up, so that the query, once put
/// in parentheses, cannot leave its group.
pub fn check_balanced(query: &str) -> Result<(), String> {
    scan(query, |_, _| {})
}

/// Where `ORDER BY` starts (outside quotes): the first one at the top level, and whether one
/// also appears inside parentheses (never valid JQL or CQL).
fn find_order_by(jql: &str) -> (Option<usize>, bool) {
    let lower = jql.to_ascii_lowercase();
    let bytes = jql.as_bytes();
    let (mut top, mut nested) = (None, false);
    // An unbalanced query is refused by `restrict` before this matters; scan what it can.
    let _ = scan(jql, |i, depth| {
        let at_word = i == 0 || !bytes[i - 1].is_ascii_alphanumeric();
        if at_word && lower[i..].starts_with("order") {
            let rest = &lower[i + 5..];
            if rest.starts_with(char::is_whitespace) && rest.trim_start().starts_with("by") {
                if depth > 0 {
                    nested = true;
                } else if top.is_none() {
                    top = Some(i);
                }
            }
        }
    });
    (top, nested)
}

/// Split `where ORDER BY ...` at a top-level `ORDER BY` (outside quotes and parentheses); trims
/// both parts.
pub fn split_order_by(jql: &str) -> (String, Option<String>) {
    match find_order_by(jql).0 {
        Some(i) => (
            jql[..i].trim().to_string(),
            Some(jql[i..].trim().to_string()),
        ),
        None => (jql.trim().to_string(), None),
    }
}

/// An `ORDER BY` clause must be only that: `ORDER BY field [ASC|DESC], ...`, each field a
/// name (letters, digits, `_`, `.`, `[]`), a quoted name, or a function like `rank()`.
fn check_order_by(order: &str) -> Result<(), String> {
    let bad = || format!("{order:?} is not an ORDER BY clause (ORDER BY field [ASC|DESC], ...)");
    let rest = order.get(5..).unwrap_or_default().trim_start();
    let rest = rest.get(2..).ok_or_else(bad)?;
    for item in rest.split(',') {
        let item = item.trim();
        // The field: a quoted name (no quote inside), or a plain one.
        let (quoted, after) = match item.chars().next() {
            Some(q @ ('"' | '\'')) => {
                let end = item[1..].find(q).ok_or_else(bad)?;
                (true, &item[end + 2..])
            }
            _ => (false, item),
        };
        let mut words = after.split_whitespace();
        if !quoted {
            let field = words.next().ok_or_else(bad)?;
            let plain = field.bytes().all(|b| {
                b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'[' | b']' | b'(' | b')')
            });
            if !plain {
                return Err(bad());
            }
        }
        match words.next().map(str::to_ascii_lowercase).as_deref() {
            None | Some("asc") | Some("desc") => {}
            _ => return Err(bad()),
        }
        if words.next().is_some() {
            return Err(bad());
        }
    }
    Ok(())
}

fn quote_key(k: &str) -> String {
    format!("\"{}\"", k.replace('\\', "\\\\").replace('"', "\\\""))
}

/// `<field> in ("A","B") AND (query) ORDER BY ...` (`field` is `project` for JQL, `space` for
/// CQL); the query unchanged when `keys` is empty. Refuses a query whose quotes or parentheses
/// do not pair up, or whose `ORDER BY` holds more than an ordering, so the caller's clause can
/// never leave its group. The error completes "the query ...".
pub fn restrict(query: &str, field: &str, keys: &[String]) -> Result<String, String> {
    check_balanced(query)?;
    if find_order_by(query).1 {
        return Err("ORDER BY may only end the query, not stand inside parentheses".into());
    }
    if keys.is_empty() {
        return Ok(query.trim().to_string());
    }
    let (filter, order) = split_order_by(query);
    if let Some(o) = &order {
        check_order_by(o)?;
    }
    let list = keys
        .iter()
        .map(|p| quote_key(p))
        .collect::<Vec<_>>()
        .join(", ");
    let mut out = if filter.is_empty() {
        format!("{field} in ({list})")
    } else {
        format!("{field} in ({list}) AND ({filter})")
    };
    if let Some(order) = order {
        out.push(' ');
        out.push_str(&order);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_by_is_kept_last() {
        let p = vec!["A".to_string(), "B".to_string()];
        let r = |q: &str, f: &str, k: &[String]| restrict(q, f, k).unwrap();
        assert_eq!(
            r("status = Open ORDER BY created DESC", "project", &p),
            r#"project in ("A", "B") AND (status = Open) ORDER BY created DESC"#
        );
        assert_eq!(
            r("order by key", "space", &p),
            r#"space in ("A", "B") order by key"#
        );
        assert_eq!(
            r(r#"text ~ "order by me" OR x = 1"#, "project", &p),
            r#"project in ("A", "B") AND (text ~ "order by me" OR x = 1)"#
        );
        assert_eq!(r("x = 1", "project", &[]), "x = 1");
    }

    #[test]
    fn a_clause_cannot_leave_its_group() {
        let p = vec!["A".to_string()];
        for q in [
            "status = Open) OR (project = SECRET",
            "x = 1)) OR ((project = SECRET",
            "summary ~ 'a' ) OR project = SECRET OR (summary ~ 'b'",
            "summary ~ \"abc",
            "summary ~ 'abc",
            "status = Open\n) OR (project = SECRET",
            "status = Open ORDER BY created OR project = SECRET",
            "status = Open ORDER BY created; DROP",
            "(a = 1 ORDER BY x) OR project = SECRET)",
        ] {
            assert!(restrict(q, "project", &p).is_err(), "{q}");
        }
        // Quotes hide parentheses and escaped quotes, as JQL and CQL read them.
        assert_eq!(
            restrict(r#"summary ~ "x\" ) OR (project = SECRET""#, "project", &p).unwrap(),
            r#"project in ("A") AND (summary ~ "x\" ) OR (project = SECRET")"#
        );
        assert_eq!(
            restrict(
                "x = 1 ORDER BY cf[10010] ASC, \"Story Points\" desc, rank()",
                "project",
                &p
            )
            .unwrap(),
            r#"project in ("A") AND (x = 1) ORDER BY cf[10010] ASC, "Story Points" desc, rank()"#
        );
        // Keys are quoted, whatever they hold.
        assert_eq!(
            restrict("", "project", &[r#"A") OR project = ("B"#.to_string()]).unwrap(),
            r#"project in ("A\") OR project = (\"B")"#
        );
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

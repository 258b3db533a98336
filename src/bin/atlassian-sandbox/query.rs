//! The query language shared by JQL and CQL (same lexical shape): clauses `field op value`
//! joined by AND / OR / NOT and parentheses, values as words, quoted strings, lists, `EMPTY`
//! and function calls, then an optional `ORDER BY field [ASC|DESC], ...`. Parsing only; what a
//! field means is decided by `jql` and `cql`.

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Word(String),
    Str(String),
    Op(String),
    LParen,
    RParen,
    Comma,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Like,
    NotLike,
    Gt,
    Ge,
    Lt,
    Le,
    In,
    NotIn,
    Is,
    IsNot,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Val {
    Text(String),
    Empty,
    Func(String, Vec<String>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Clause {
    /// Field name as written (lower-cased unless quoted custom names need the case).
    pub field: String,
    pub op: Op,
    pub values: Vec<Val>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    Clause(Clause),
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Query {
    pub expr: Option<Expr>,
    /// `(field, descending)`.
    pub order: Vec<(String, bool)>,
}

fn lex(src: &str) -> Result<Vec<Tok>, String> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '(' {
            out.push(Tok::LParen);
            i += 1;
        } else if c == ')' {
            out.push(Tok::RParen);
            i += 1;
        } else if c == ',' {
            out.push(Tok::Comma);
            i += 1;
        } else if c == '"' || c == '\'' {
            let mut s = String::new();
            i += 1;
            loop {
                match chars.get(i) {
                    None => return Err(format!("the quoted string starting {s:?} is not closed")),
                    Some('\\') => {
                        if let Some(n) = chars.get(i + 1) {
                            s.push(*n);
                        }
                        i += 2;
                    }
                    Some(q) if *q == c => {
                        i += 1;
                        break;
                    }
                    Some(x) => {
                        s.push(*x);
                        i += 1;
                    }
                }
            }
            out.push(Tok::Str(s));
        } else if "=!~<>".contains(c) {
            let two: String = chars[i..chars.len().min(i + 2)].iter().collect();
            let op = if ["!=", "!~", ">=", "<="].contains(&two.as_str()) {
                two
            } else {
                c.to_string()
            };
            i += op.len();
            out.push(Tok::Op(op));
        } else if c == '&' && chars.get(i + 1) == Some(&'&') {
            out.push(Tok::Word("AND".into()));
            i += 2;
        } else if c == '|' && chars.get(i + 1) == Some(&'|') {
            out.push(Tok::Word("OR".into()));
            i += 2;
        } else {
            let start = i;
            while i < chars.len() && !chars[i].is_whitespace() && !"()\",'=!~<>".contains(chars[i])
            {
                i += 1;
            }
            out.push(Tok::Word(chars[start..i].iter().collect()));
        }
    }
    Ok(out)
}

struct Parser {
    toks: Vec<Tok>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }

    fn keyword(&self, k: &str) -> bool {
        matches!(self.peek(), Some(Tok::Word(w)) if w.eq_ignore_ascii_case(k))
    }

    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    fn shown(&self) -> String {
        match self.peek() {
            None => "the end of the query".into(),
            Some(Tok::Word(w)) | Some(Tok::Op(w)) => format!("'{w}'"),
            Some(Tok::Str(s)) => format!("\"{s}\""),
            Some(Tok::LParen) => "'('".into(),
            Some(Tok::RParen) => "')'".into(),
            Some(Tok::Comma) => "','".into(),
        }
    }

    fn or(&mut self) -> Result<Expr, String> {
        let mut left = self.and()?;
        while self.keyword("OR") {
            self.pos += 1;
            left = Expr::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, String> {
        let mut left = self.not()?;
        while self.keyword("AND") {
            self.pos += 1;
            left = Expr::And(Box::new(left), Box::new(self.not()?));
        }
        Ok(left)
    }

    fn not(&mut self) -> Result<Expr, String> {
        if self.keyword("NOT") || matches!(self.peek(), Some(Tok::Op(o)) if o == "!") {
            self.pos += 1;
            return Ok(Expr::Not(Box::new(self.not()?)));
        }
        if self.peek() == Some(&Tok::LParen) {
            self.pos += 1;
            let e = self.or()?;
            if self.next() != Some(Tok::RParen) {
                return Err("Expecting ')' to close a group".into());
            }
            return Ok(e);
        }
        self.clause()
    }

    fn clause(&mut self) -> Result<Expr, String> {
        let field = match self.next() {
            Some(Tok::Word(w)) => w,
            Some(Tok::Str(s)) => s,
            _ => {
                self.pos -= 1;
                return Err(format!("Expecting a field name but got {}", self.shown()));
            }
        };
        let op = match self.next() {
            Some(Tok::Op(o)) => match o.as_str() {
                "=" => Op::Eq,
                "!=" => Op::Ne,
                "~" => Op::Like,
                "!~" => Op::NotLike,
                ">" => Op::Gt,
                ">=" => Op::Ge,
                "<" => Op::Lt,
                "<=" => Op::Le,
                _ => return Err(format!("Unknown operator '{o}'")),
            },
            Some(Tok::Word(w)) if w.eq_ignore_ascii_case("IN") => Op::In,
            Some(Tok::Word(w)) if w.eq_ignore_ascii_case("IS") => {
                if self.keyword("NOT") {
                    self.pos += 1;
                    Op::IsNot
                } else {
                    Op::Is
                }
            }
            Some(Tok::Word(w)) if w.eq_ignore_ascii_case("NOT") && self.keyword("IN") => {
                self.pos += 1;
                Op::NotIn
            }
            _ => {
                self.pos -= 1;
                return Err(format!(
                    "Expecting operator after '{field}' but got {}",
                    self.shown()
                ));
            }
        };
        let values = if matches!(op, Op::In | Op::NotIn) {
            if self.next() != Some(Tok::LParen) {
                return Err(format!("Expecting '(' after IN for '{field}'"));
            }
            let mut vals = Vec::new();
            loop {
                vals.push(self.value(&field)?);
                match self.next() {
                    Some(Tok::Comma) => continue,
                    Some(Tok::RParen) => break,
                    _ => return Err(format!("Expecting ',' or ')' in the list for '{field}'")),
                }
            }
            vals
        } else {
            vec![self.value(&field)?]
        };
        Ok(Expr::Clause(Clause { field, op, values }))
    }

    fn value(&mut self, field: &str) -> Result<Val, String> {
        match self.next() {
            Some(Tok::Str(s)) => Ok(Val::Text(s)),
            Some(Tok::Word(w)) => {
                if w.eq_ignore_ascii_case("EMPTY") || w.eq_ignore_ascii_case("NULL") {
                    return Ok(Val::Empty);
                }
                if self.peek() == Some(&Tok::LParen) {
                    self.pos += 1;
                    let mut args = Vec::new();
                    loop {
                        match self.next() {
                            Some(Tok::RParen) => break,
                            Some(Tok::Comma) => continue,
                            Some(Tok::Word(a)) | Some(Tok::Str(a)) => args.push(a),
                            _ => return Err(format!("Unclosed call to function '{w}'")),
                        }
                    }
                    return Ok(Val::Func(w.to_ascii_lowercase(), args));
                }
                Ok(Val::Text(w))
            }
            _ => {
                self.pos -= 1;
                Err(format!(
                    "Expecting a value for '{field}' but got {}",
                    self.shown()
                ))
            }
        }
    }
}

/// Parses a query. The error text is the part after Atlassian's "Error in the ... Query:" prefix.
pub fn parse(src: &str) -> Result<Query, String> {
    let toks = lex(src)?;
    let mut p = Parser { toks, pos: 0 };
    let mut q = Query::default();
    if p.peek().is_some() && !p.keyword("ORDER") {
        q.expr = Some(p.or()?);
    }
    if p.keyword("ORDER") {
        p.pos += 1;
        if !p.keyword("BY") {
            return Err("Expecting 'BY' after 'ORDER'".into());
        }
        p.pos += 1;
        loop {
            let field = match p.next() {
                Some(Tok::Word(w)) | Some(Tok::Str(w)) => w,
                _ => return Err("Expecting a field name in ORDER BY".into()),
            };
            let mut desc = false;
            if p.keyword("DESC") {
                desc = true;
                p.pos += 1;
            } else if p.keyword("ASC") {
                p.pos += 1;
            }
            q.order.push((field, desc));
            if p.peek() == Some(&Tok::Comma) {
                p.pos += 1;
            } else {
                break;
            }
        }
    }
    if p.peek().is_some() {
        return Err(format!("Unexpected {} in the query", p.shown()));
    }
    Ok(q)
}

/// Every clause of an expression, for checks such as "is this query bounded".
pub fn clauses(e: &Expr) -> Vec<&Clause> {
    match e {
        Expr::And(a, b) | Expr::Or(a, b) => {
            let mut v = clauses(a);
            v.extend(clauses(b));
            v
        }
        Expr::Not(a) => clauses(a),
        Expr::Clause(c) => vec![c],
    }
}

/// Evaluates an expression with a clause predicate.
pub fn eval<F: FnMut(&Clause) -> Result<bool, String>>(
    e: &Expr,
    f: &mut F,
) -> Result<bool, String> {
    Ok(match e {
        Expr::And(a, b) => eval(a, f)? && eval(b, f)?,
        Expr::Or(a, b) => eval(a, f)? || eval(b, f)?,
        Expr::Not(a) => !eval(a, f)?,
        Expr::Clause(c) => f(c)?,
    })
}

/// Case-insensitive "contains all words" test used for `~`.
pub fn text_match(haystack: &str, needle: &str) -> bool {
    let hay = haystack.to_lowercase();
    let words: Vec<String> = needle
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric() && c != '*' && c != '-' && c != '_' && c != '.')
        .filter(|w| !w.is_empty())
        .map(|w| w.trim_end_matches('*').to_string())
        .collect();
    !words.is_empty() && words.iter().all(|w| hay.contains(w.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_realistic_queries() {
        let q = parse("project = WEB AND status in (\"In Progress\", 'To Do') AND assignee = currentUser() ORDER BY created DESC, key").unwrap();
        assert_eq!(
            q.order,
            vec![("created".into(), true), ("key".into(), false)]
        );
        let cs = clauses(q.expr.as_ref().unwrap());
        assert_eq!(cs.len(), 3);
        assert_eq!(cs[1].op, Op::In);
        assert_eq!(cs[2].values, vec![Val::Func("currentuser".into(), vec![])]);
        let q =
            parse("text ~ \"checkout bug\" OR NOT (labels is EMPTY) && cf[10010] != 3").unwrap();
        assert!(matches!(q.expr, Some(Expr::Or(..))));
        assert_eq!(parse("ORDER BY key").unwrap().expr, None);
        assert!(
            parse("project =")
                .unwrap_err()
                .contains("Expecting a value")
        );
        assert!(
            parse("project WEB")
                .unwrap_err()
                .contains("Expecting operator")
        );
        assert!(parse("summary ~ \"open").is_err());
    }

    #[test]
    fn text_matching() {
        assert!(text_match("Checkout fails on Safari", "checkout safari"));
        assert!(text_match("Checkout fails", "check*"));
        assert!(!text_match("Checkout", "login"));
    }
}

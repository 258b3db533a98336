//! Proxy auto-config (PAC) without a JavaScript engine: an interpreter for the subset of
//! JavaScript that real `FindProxyForURL(url, host)` files use (the README lists it). Everything
//! else — loops, regular expressions, other functions, `?:`, arrays, objects — fails to parse,
//! naming the construct and its line. Size, nesting depth and evaluation work are bounded, so a
//! hostile file costs an error, never a panic or a hang. `weekdayRange`, `dateRange` and
//! `timeRange` are always true, `myIpAddress()` is 127.0.0.1, `null` is `false`, and top-level
//! variables are set afresh for every call.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, ToSocketAddrs};

use super::proxy::{ProxyChoice, target};

/// The largest PAC file accepted (and fetched).
pub const MAX_SIZE: usize = 1 << 20;
const MAX_DEPTH: usize = 64;
/// Work units per evaluation: one per node, plus string bytes / 16 and glob cells / 64.
const MAX_STEPS: u64 = 1_000_000;
const KEYWORDS: &str = "for while do switch case function new try catch throw break continue \
    with delete typeof instanceof in this void else if var let const return true false null";
const PUNCT: &str = "=== !== == != <= >= && || ( ) { } , ; . ! + - < > =";
const COMPARISONS: &str = "=== !== == != <= >= < >";

/// Helpers and methods (`.name`, the receiver being the first argument): `name:min:max` arity.
const CALLS: &str = "myIpAddress:0:0 .toLowerCase:0:0 alert:0:1 isPlainHostName:1:1 \
    dnsResolve:1:1 isResolvable:1:1 dnsDomainLevels:1:1 .indexOf:1:1 .substring:1:2 \
    dnsDomainIs:2:2 localHostOrDomainIs:2:2 shExpMatch:2:2 isInNet:3:3 weekdayRange:1:3 \
    dateRange:1:7 timeRange:1:7";

fn arity(name: &str) -> Option<(usize, usize)> {
    let mut entries = CALLS.split_whitespace();
    let entry = entries.find(|e| e.split(':').next() == Some(name))?;
    let mut n = entry.split(':').skip(1).map(|n| n.parse().unwrap_or(0));
    Some((n.next()?, n.next()?))
}

/// Why a PAC file was rejected or its evaluation failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PacError(pub String);

impl std::fmt::Display for PacError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PAC {}", self.0)
    }
}

impl std::error::Error for PacError {}

/// An error at `line` (0: evaluation, no particular line).
fn err<T>(line: usize, message: impl std::fmt::Display) -> Result<T, PacError> {
    Err(PacError(match line {
        0 => format!("evaluation: {message}"),
        n => format!("line {n}: {message}"),
    }))
}

/// A token; `Word` is a name, keyword or punctuation. (Debug output names it in errors.)
#[derive(Debug, Clone, PartialEq)]
enum Tok {
    String(String),
    Number(f64),
    Word(String),
    EndOfFile,
}

fn keyword(w: &str) -> bool {
    KEYWORDS.split(' ').any(|k| k == w)
}

fn is_name(w: &str) -> bool {
    w.starts_with(|c: char| c.is_alphabetic() || c == '_' || c == '$')
}

fn lex(src: &str) -> Result<Vec<(Tok, usize)>, PacError> {
    let (mut i, mut line, mut out) = (0, 1, Vec::new());
    while let Some(c) = src[i..].chars().next() {
        let rest = &src[i..];
        let name_end = rest.find(|c: char| !(c.is_alphanumeric() || "_$".contains(c)));
        let (tok, len) = if rest.starts_with("//") {
            (None, rest.find('\n').unwrap_or(rest.len()))
        } else if let Some(comment) = rest.strip_prefix("/*") {
            let Some(n) = comment.find("*/") else {
                return err(line, "unterminated /* comment");
            };
            (None, n + 4)
        } else if c.is_whitespace() {
            (None, c.len_utf8())
        } else if c == '"' || c == '\'' {
            let (mut s, mut chars) = (String::new(), rest.char_indices().skip(1));
            let len = loop {
                match chars.next() {
                    Some((k, q)) if q == c => break k + 1,
                    Some((_, '\\')) => match chars.next() {
                        Some((_, 'n')) => s.push('\n'),
                        Some((_, e)) if !"xu\n".contains(e) => s.push(e),
                        _ => return err(line, "unterminated string or \\x/\\u escape"),
                    },
                    Some((_, ch)) if ch != '\n' => s.push(ch),
                    _ => return err(line, "unterminated string"),
                }
            };
            (Some(Tok::String(s)), len)
        } else if c.is_ascii_digit() || is_name(rest) {
            let text = &rest[..name_end.unwrap_or(rest.len())];
            match text.parse() {
                _ if !c.is_ascii_digit() => (Some(Tok::Word(text.into())), text.len()),
                Ok(n) => (Some(Tok::Number(n)), text.len()),
                Err(_) => return err(line, format!("unsupported number {text}")),
            }
        } else if let Some(p) = PUNCT.split(' ').find(|p| rest.starts_with(p)) {
            (Some(Tok::Word(p.into())), p.len())
        } else {
            let what = "regular expressions, arithmetic, arrays and `?:` are not supported";
            return err(line, format!("unsupported character {c:?} ({what})"));
        };
        out.extend(tok.map(|t| (t, line)));
        line += rest[..len].matches('\n').count();
        i += len;
    }
    out.push((Tok::EndOfFile, line));
    Ok(out)
}

#[derive(Debug, Clone, PartialEq)]
enum Val {
    Str(String),
    Num(f64),
    /// Also `null` and `undefined`.
    Bool(bool),
}

impl Val {
    fn truthy(&self) -> bool {
        match self {
            Val::Str(s) => !s.is_empty(),
            Val::Num(n) => *n != 0.0 && !n.is_nan(),
            Val::Bool(b) => *b,
        }
    }
    fn text(&self) -> String {
        match self {
            Val::Str(s) => s.clone(),
            Val::Num(n) => n.to_string(),
            Val::Bool(b) => b.to_string(),
        }
    }
    fn num(&self) -> f64 {
        match self {
            Val::Str(s) => s.trim().parse().unwrap_or(f64::NAN),
            Val::Num(n) => *n,
            Val::Bool(b) => f64::from(u8::from(*b)),
        }
    }
}

/// `shExpMatch`: `*` any run, `?` one character; backtracks to the last `*` only (O(n·m)).
fn glob(s: &str, p: &str) -> bool {
    let (s, p): (Vec<char>, Vec<char>) = (s.chars().collect(), p.chars().collect());
    let (mut i, mut j, mut star, mut mark) = (0, 0, None, 0);
    while i < s.len() {
        if p.get(j) == Some(&'*') {
            (star, mark, j) = (Some(j), i, j + 1);
        } else if p.get(j).is_some_and(|&c| c == '?' || c == s[i]) {
            (i, j) = (i + 1, j + 1);
        } else if let Some(st) = star {
            (j, mark, i) = (st + 1, mark + 1, mark + 1);
        } else {
            return false;
        }
    }
    p.iter().skip(j).all(|&c| c == '*')
}

fn system_resolve(host: &str) -> Option<IpAddr> {
    let mut addrs = (host, 0).to_socket_addrs().ok()?;
    addrs.find(|a| a.is_ipv4()).map(|a| a.ip())
}

fn compare(op: &str, a: &Val, b: &Val) -> bool {
    use std::cmp::Ordering::{Equal, Greater, Less};
    let ord = match (a, b) {
        (Val::Str(x), Val::Str(y)) => x.partial_cmp(y),
        _ => a.num().partial_cmp(&b.num()),
    };
    let loose = a == b || !matches!((a, b), (Val::Str(_), Val::Str(_))) && ord == Some(Equal);
    match (op, ord) {
        ("===" | "!==", _) => (a == b) == (op == "==="),
        ("==" | "!=", _) => loose == (op == "=="),
        (_, Some(Less)) => op.starts_with('<'),
        (_, Some(Greater)) => op.starts_with('>'),
        (_, o) => o.is_some() && op.ends_with('='),
    }
}

/// `.substring(a, b)` with JavaScript's clamping and swapping, on characters.
fn substring(s: &str, a: Option<&Val>, b: Option<&Val>) -> String {
    let n = s.chars().count();
    let clamp = |v: Option<&Val>, d: usize| match v.map(Val::num) {
        None => d,
        Some(x) if x.is_nan() || x < 0.0 => 0,
        Some(x) => (x as usize).min(n),
    };
    let (x, y) = (clamp(a, 0), clamp(b, n));
    s.chars().skip(x.min(y)).take(x.max(y) - x.min(y)).collect()
}

/// Walks the tokens, evaluating when `live`, only checking otherwise (skipped code; load).
struct Interp<'a> {
    pac: &'a Pac,
    pos: usize,
    vars: HashMap<String, Val>,
    depth: usize,
    steps: u64,
}

type Res<T> = Result<T, PacError>;

impl Interp<'_> {
    fn peek(&self) -> &Tok {
        let tok = self.pac.toks.get(self.pos);
        tok.map_or(&Tok::EndOfFile, |t| &t.0)
    }
    fn line(&self) -> usize {
        self.pac.toks.get(self.pos).map_or(0, |t| t.1)
    }
    fn is(&self, w: &str) -> bool {
        matches!(self.peek(), Tok::Word(x) if x == w)
    }
    fn eat(&mut self, w: &str) -> bool {
        let yes = self.is(w);
        self.pos += usize::from(yes);
        yes
    }
    /// An error at the current token: "{what}, found {token}".
    fn fail<T>(&self, what: &str) -> Res<T> {
        let found = self.peek();
        err(self.line(), format!("{what}, found {found:?}"))
    }
    fn expect(&mut self, w: &str) -> Res<()> {
        if !self.eat(w) {
            return self.fail(&format!("expected `{w}`"));
        }
        Ok(())
    }
    /// A name that is not a keyword.
    fn word(&mut self) -> Res<String> {
        match self.peek().clone() {
            Tok::Word(w) if is_name(&w) && !keyword(&w) => {
                self.pos += 1;
                Ok(w)
            }
            _ => self.fail("expected a name"),
        }
    }
    fn var(&mut self, name: &str, line: usize) -> Res<&mut Val> {
        match self.vars.get_mut(name) {
            Some(v) => Ok(v),
            None => err(line, format!("undeclared variable `{name}`")),
        }
    }
    /// `= value` for a declared variable.
    fn assign(&mut self, name: &str, line: usize, live: bool) -> Res<()> {
        self.expect("=")?;
        let v = self.expr(live)?;
        let var = self.var(name, line)?;
        if live {
            *var = v;
        }
        Ok(())
    }
    fn enter(&mut self) -> Res<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return err(self.line(), "nesting deeper than 64 levels");
        }
        Ok(())
    }
    fn tick(&mut self, live: bool, cost: u64) -> Res<()> {
        self.steps += u64::from(live) * (1 + cost);
        if self.steps > MAX_STEPS {
            return err(0, format!("more than {MAX_STEPS} steps"));
        }
        Ok(())
    }

    /// The whole file, checked; then FindProxyForURL run when `call` gives the URL and host.
    fn script(&mut self, call: Option<(&str, &str)>) -> Res<Option<Val>> {
        let (live, mut body) = (call.is_some(), None);
        while *self.peek() != Tok::EndOfFile {
            if !"function var let const ;".split(' ').any(|w| self.is(w)) {
                return self.fail("expected `function` or `var` at the top level");
            } else if !self.eat("function") {
                self.stmt(live)?;
                continue;
            } else if body.is_some() || !self.is("FindProxyForURL") {
                return self.fail("only one function, FindProxyForURL, is supported");
            }
            self.pos += 1;
            self.expect("(")?;
            let url = self.word()?;
            self.expect(",")?;
            let host = self.word()?;
            self.expect(")")?;
            let arg = |i: usize| call.map_or(Val::Bool(false), |c| Val::Str([c.0, c.1][i].into()));
            self.vars.extend([(url, arg(0)), (host, arg(1))]);
            body = Some(self.pos);
            self.expect("{")?;
            self.pos -= 1;
            self.stmt(false)?;
        }
        let Some(start) = body else {
            return err(self.line(), "no function FindProxyForURL(url, host)");
        };
        self.pos = start;
        self.stmt(live)
    }

    /// One statement; `Some` when it returned (live only).
    fn stmt(&mut self, live: bool) -> Res<Option<Val>> {
        self.enter()?;
        let r = self.stmt_inner(live);
        self.depth -= 1;
        r
    }

    fn stmt_inner(&mut self, mut live: bool) -> Res<Option<Val>> {
        self.tick(live, 0)?;
        let line = self.line();
        let word = match self.peek() {
            Tok::Word(w) => w.clone(),
            Tok::EndOfFile => return err(line, "unexpected end of the file (a `}` missing?)"),
            _ => String::new(),
        };
        let assignment =
            matches!(self.pac.toks.get(self.pos + 1), Some((Tok::Word(e), _)) if e == "=");
        match word.as_str() {
            "{" => {
                self.pos += 1;
                while !self.eat("}") {
                    if let Some(v) = self.stmt(live)? {
                        return Ok(Some(v));
                    }
                }
                return Ok(None);
            }
            ";" => self.pos += 1,
            "if" => loop {
                self.expect("if")?;
                self.expect("(")?;
                let take = self.expr(live)?.truthy() && live;
                self.expect(")")?;
                if let Some(v) = self.stmt(take)? {
                    return Ok(Some(v));
                }
                live &= !take; // later arms only run if none ran
                if !self.eat("else") {
                    return Ok(None);
                } else if !self.is("if") {
                    return self.stmt(live);
                }
            },
            "var" | "let" | "const" => loop {
                self.pos += 1;
                let name = self.word()?;
                self.vars.entry(name.clone()).or_insert(Val::Bool(false));
                if self.is("=") {
                    self.assign(&name, line, live)?;
                }
                if !self.is(",") {
                    break;
                }
            },
            "return" => {
                self.pos += 1;
                let v = self.expr(live)?;
                if live {
                    return Ok(Some(v));
                }
            }
            w if keyword(w) => {
                return err(line, format!("`{w}` is not supported"));
            }
            w if is_name(w) && assignment => {
                self.pos += 1;
                self.assign(&word, line, live)?;
            }
            // An expression statement (`alert(...)`): checked, then dropped as it has no effect.
            _ => drop(self.expr(false)?),
        }
        // A statement ends at `;`, before `}`, at the end of the file or at a line break.
        if !self.eat(";") && !self.is("}") && *self.peek() != Tok::EndOfFile && self.line() == line
        {
            return self.fail("expected `;` or a line break");
        }
        Ok(None)
    }

    fn expr(&mut self, live: bool) -> Res<Val> {
        self.chain(live, "||", |me, live| me.chain(live, "&&", Self::cmp))
    }
    /// `||` or `&&` chains, short-circuiting and yielding the deciding operand.
    fn chain(&mut self, live: bool, op: &str, sub: fn(&mut Self, bool) -> Res<Val>) -> Res<Val> {
        let mut v = sub(self, live)?;
        while self.eat(op) {
            let go = live && v.truthy() == (op == "&&");
            let rhs = sub(self, go)?;
            if go {
                v = rhs;
            }
        }
        Ok(v)
    }
    fn cmp(&mut self, live: bool) -> Res<Val> {
        let a = self.add(live)?;
        let Some(op) = COMPARISONS.split(' ').find(|op| self.is(op)) else {
            return Ok(a);
        };
        self.pos += 1;
        let b = self.add(live)?;
        if COMPARISONS.split(' ').any(|op| self.is(op)) {
            return err(self.line(), "chained comparisons are not supported");
        }
        Ok(Val::Bool(compare(op, &a, &b)))
    }
    fn add(&mut self, live: bool) -> Res<Val> {
        let mut v = self.unary(live)?;
        while self.eat("+") {
            v = match (v, self.unary(live)?) {
                _ if !live => Val::Bool(false),
                (Val::Num(a), Val::Num(b)) => Val::Num(a + b),
                (a, b) => {
                    let (a, b) = (a.text(), b.text());
                    self.tick(live, (a.len() + b.len()) as u64 / 16)?;
                    Val::Str(a + &b)
                }
            };
        }
        Ok(v)
    }
    fn unary(&mut self, live: bool) -> Res<Val> {
        self.enter()?;
        let base = self.depth;
        let r = self.unary_inner(live);
        self.depth = base - 1;
        r
    }
    fn unary_inner(&mut self, live: bool) -> Res<Val> {
        self.tick(live, 0)?;
        if self.eat("!") {
            return Ok(Val::Bool(!self.unary(live)?.truthy()));
        } else if self.eat("-") {
            return Ok(Val::Num(-self.unary(live)?.num()));
        }
        let line = self.line();
        let tok = self.peek().clone();
        self.pos += usize::from(tok != Tok::EndOfFile);
        let mut v = match tok {
            Tok::String(s) => Val::Str(s),
            Tok::Number(n) => Val::Num(n),
            Tok::Word(w) if w == "(" => {
                let v = self.expr(live)?;
                self.expect(")")?;
                v
            }
            Tok::Word(w) if w == "true" || w == "false" => Val::Bool(w == "true"),
            Tok::Word(w) if w == "null" || w == "undefined" => Val::Bool(false),
            Tok::Word(w) if keyword(&w) => {
                return err(line, format!("`{w}` is not supported"));
            }
            Tok::Word(w) if is_name(&w) && self.eat("(") => self.call(&w, vec![], line, live)?,
            Tok::Word(w) if is_name(&w) => self.var(&w, line)?.clone(),
            t => return err(line, format!("unexpected {t:?}")),
        };
        while self.eat(".") {
            self.enter()?;
            let line = self.line();
            let method = format!(".{}", self.word()?);
            self.expect("(")?;
            v = self.call(&method, vec![v], line, live)?;
        }
        Ok(v)
    }

    /// A helper or method call: the arguments up to `)`, then the result.
    fn call(&mut self, name: &str, mut a: Vec<Val>, line: usize, live: bool) -> Res<Val> {
        let Some((lo, hi)) = arity(name) else {
            return err(line, format!("unsupported function or method {name}()"));
        };
        let first = a.len();
        while !self.eat(")") {
            if a.len() > first {
                self.expect(",")?;
            }
            a.push(self.expr(live)?);
        }
        if !(lo..=hi).contains(&(a.len() - first)) {
            return err(line, format!("{name}() takes {lo} to {hi} arguments"));
        } else if !live {
            return Ok(Val::Bool(false));
        }
        let s = |i: usize| a.get(i).map_or(String::new(), Val::text);
        let (s0, s1) = (s(0), s(1));
        if name.starts_with('.') && !matches!(a.first(), Some(Val::Str(_))) {
            return err(line, format!("{name} needs a string, not {s0}"));
        }
        self.tick(live, (s0.len() + s1.len()) as u64 / 16)?;
        let resolve = |v: Option<&Val>| match v {
            Some(Val::Str(h)) if !h.is_empty() => h.parse().ok().or_else(|| (self.pac.resolver)(h)),
            _ => None,
        };
        Ok(match name {
            ".toLowerCase" => Val::Str(s0.to_lowercase()),
            ".indexOf" => {
                let at = s0.find(&s1).map(|i| s0[..i].chars().count() as f64);
                Val::Num(at.unwrap_or(-1.0))
            }
            ".substring" => Val::Str(substring(&s0, a.get(1), a.get(2))),
            "isPlainHostName" => Val::Bool(!s0.contains('.')),
            "dnsDomainIs" => Val::Bool(s0.to_lowercase().ends_with(&s1.to_lowercase())),
            "localHostOrDomainIs" => Val::Bool(s0 == s1 || s1.starts_with(&format!("{s0}."))),
            "shExpMatch" => {
                self.tick(live, (s0.len() as u64 + 1) * (s1.len() as u64 + 1) / 64)?;
                Val::Bool(glob(&s0, &s1))
            }
            "isInNet" => {
                let (net, mask) = (s1.parse::<Ipv4Addr>(), s(2).parse::<Ipv4Addr>());
                Val::Bool(match (resolve(a.first()), net, mask) {
                    (Some(IpAddr::V4(ip)), Ok(net), Ok(mask)) => {
                        u32::from(ip) & u32::from(mask) == u32::from(net) & u32::from(mask)
                    }
                    _ => false,
                })
            }
            "dnsResolve" => {
                resolve(a.first()).map_or(Val::Bool(false), |ip| Val::Str(ip.to_string()))
            }
            "isResolvable" => Val::Bool(resolve(a.first()).is_some()),
            "myIpAddress" => Val::Str("127.0.0.1".into()),
            "dnsDomainLevels" => Val::Num(s0.matches('.').count() as f64),
            "alert" => Val::Bool(false),
            _ => Val::Bool(true), // weekdayRange, dateRange, timeRange
        })
    }
}

/// A checked PAC file; evaluate it per URL with [`Pac::choose`].
#[derive(Debug, Clone)]
pub struct Pac {
    toks: Vec<(Tok, usize)>,
    resolver: fn(&str) -> Option<IpAddr>,
}

impl Pac {
    /// Parse and check a PAC file: unsupported constructs are errors naming it and its line.
    pub fn parse(src: &str) -> Result<Pac, PacError> {
        if src.len() > MAX_SIZE {
            return err(1, format!("the file is larger than {MAX_SIZE} bytes"));
        }
        let (toks, resolver) = (lex(src)?, system_resolve);
        let pac = Pac { toks, resolver };
        pac.run(None)?;
        Ok(pac)
    }

    /// The resolver of `dnsResolve`, `isResolvable` and `isInNet` (default: the system's).
    pub fn with_resolver(self, resolver: fn(&str) -> Option<IpAddr>) -> Pac {
        Pac { resolver, ..self }
    }

    fn run(&self, call: Option<(&str, &str)>) -> Result<Option<Val>, PacError> {
        let (pos, depth, steps, vars) = (0, 0, 0, HashMap::new());
        Interp {
            pac: self,
            pos,
            vars,
            depth,
            steps,
        }
        .script(call)
    }

    /// The string `FindProxyForURL(url, host)` returns.
    pub fn find_proxy_for_url(&self, url: &str, host: &str) -> Result<String, PacError> {
        match self.run(Some((url, host)))? {
            Some(Val::Str(s)) => Ok(s),
            Some(v) => err(0, format!("FindProxyForURL returned {}", v.text())),
            None => err(0, "FindProxyForURL returned nothing"),
        }
    }

    /// What a request to `url` goes through per this file.
    pub fn choose(&self, url: &str) -> Result<ProxyChoice, PacError> {
        let host = target(url).map(|(_, h, _)| h).unwrap_or_default();
        let result = self.find_proxy_for_url(url, &host)?;
        ProxyChoice::from_pac_result(&result)
            .ok_or_else(|| PacError(format!("evaluation: no usable entry in {result:?}")))
    }
}

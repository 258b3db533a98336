//! CQL over Confluence content, spaces and users: `type`, `space` (`space.key`), `title`,
//! `text`, `siteSearch`, `label`, `creator`/`contributor` with `currentUser()`, `created` and
//! `lastmodified` with dates or `now("-2w")`, `ancestor`, `parent`, `id`, `user`/`user.fullname`,
//! AND/OR/NOT and ORDER BY. Results honour space grants and page restrictions.

use crate::markup;
use crate::model::{Page, PageComment, Space, User};
use crate::query::{self, Clause, Op, Query, Val};
use crate::store::Store;
use crate::time;

/// One search result, before rendering.
#[derive(Clone, Copy)]
pub enum Hit<'a> {
    Page(&'a Page),
    Comment(&'a PageComment, &'a Page),
    Attachment(&'a crate::model::Attachment, &'a Page),
    Space(&'a Space),
    User(&'a User),
}

impl Hit<'_> {
    pub fn modified(&self) -> String {
        match self {
            Hit::Page(p) => p.current().when.clone(),
            Hit::Comment(c, _) => c.created.clone(),
            Hit::Attachment(a, _) => a.created.clone(),
            Hit::Space(s) => s.created.clone(),
            Hit::User(_) => String::new(),
        }
    }
    pub fn title(&self) -> String {
        match self {
            Hit::Page(p) => p.title.clone(),
            Hit::Comment(_, p) => format!("Re: {}", p.title),
            Hit::Attachment(a, _) => a.filename.clone(),
            Hit::Space(s) => s.name.clone(),
            Hit::User(u) => u.display_name.clone(),
        }
    }
    pub fn text(&self) -> String {
        match self {
            Hit::Page(p) => markup::storage_to_text(&p.current().body),
            Hit::Comment(c, _) => markup::storage_to_text(&c.body),
            Hit::Attachment(a, _) => a.comment.clone(),
            Hit::Space(s) => s.description.clone(),
            Hit::User(u) => u.display_name.clone(),
        }
    }
    fn kind(&self) -> &str {
        match self {
            Hit::Page(p) => &p.kind,
            Hit::Comment(..) => "comment",
            Hit::Attachment(..) => "attachment",
            Hit::Space(_) => "space",
            Hit::User(_) => "user",
        }
    }
}

pub fn compile(src: &str) -> Result<Query, String> {
    let q = query::parse(src).map_err(|e| format!("Could not parse cql : {src} ({e})"))?;
    if let Some(e) = &q.expr {
        for c in query::clauses(e) {
            if !KNOWN.contains(&c.field.to_ascii_lowercase().as_str()) {
                return Err(format!(
                    "Could not parse cql : {src} (No field exists with the name: {})",
                    c.field
                ));
            }
        }
    }
    Ok(q)
}

const KNOWN: &[&str] = &[
    "type",
    "space",
    "space.key",
    "space.type",
    "space.title",
    "title",
    "text",
    "sitesearch",
    "label",
    "creator",
    "contributor",
    "lastmodifier",
    "created",
    "lastmodified",
    "ancestor",
    "parent",
    "id",
    "content",
    "user",
    "user.fullname",
    "user.accountid",
    "mention",
];

fn who_matches(st: &Store, me: &User, who: &str, v: &Val) -> bool {
    let target = match v {
        Val::Func(f, _) if f == "currentuser" => me.username.clone(),
        Val::Text(t) => t.clone(),
        _ => return false,
    };
    st.user(&target).is_some_and(|u| u.username == who)
}

fn date_cmp(actual: &str, op: Op, v: &Val) -> Result<bool, String> {
    let target = match v {
        Val::Text(t) => time::parse_ms(t).ok_or(format!("Could not parse date '{t}'"))?,
        Val::Func(f, args) if f == "now" => {
            time::now_ms() + args.first().and_then(|a| time::relative_ms(a)).unwrap_or(0)
        }
        Val::Func(f, args) if f.starts_with("startof") || f.starts_with("endof") => {
            let day = time::now_ms().div_euclid(86_400_000) * 86_400_000;
            day + args.first().and_then(|a| time::relative_ms(a)).unwrap_or(0)
        }
        _ => return Err("Dates need a value like \"2025-01-31\" or now(\"-2w\")".into()),
    };
    let a = time::parse_ms(actual).unwrap_or(0);
    Ok(match op {
        Op::Gt => a > target,
        Op::Ge => a >= target,
        Op::Lt => a < target,
        Op::Le => a <= target,
        Op::Eq => a.div_euclid(86_400_000) == target.div_euclid(86_400_000),
        Op::Ne => a.div_euclid(86_400_000) != target.div_euclid(86_400_000),
        _ => return Err("Unsupported operator for a date".into()),
    })
}

fn clause(st: &Store, me: &User, h: &Hit, c: &Clause) -> Result<bool, String> {
    let field = c.field.to_ascii_lowercase();
    let texts: Vec<String> = c
        .values
        .iter()
        .filter_map(|v| match v {
            Val::Text(t) => Some(t.clone()),
            _ => None,
        })
        .collect();
    let any_eq = |have: &[String]| {
        have.iter()
            .any(|h| texts.iter().any(|t| h.eq_ignore_ascii_case(t)))
    };
    let page = match h {
        Hit::Page(p) | Hit::Comment(_, p) | Hit::Attachment(_, p) => Some(*p),
        _ => None,
    };
    let space_key = match h {
        Hit::Space(s) => Some(s.key.clone()),
        _ => page.map(|p| p.space.clone()),
    };
    let positive = |hit: bool| -> bool {
        match c.op {
            Op::Ne | Op::NotIn | Op::NotLike | Op::IsNot => !hit,
            _ => hit,
        }
    };
    Ok(match field.as_str() {
        "type" => positive(any_eq(&[h.kind().to_string()])),
        "space" | "space.key" => positive(space_key.is_some_and(|k| any_eq(&[k]))),
        "space.type" => positive(match h {
            Hit::Space(s) => any_eq(std::slice::from_ref(&s.kind)),
            _ => space_key
                .and_then(|k| st.space(&k))
                .is_some_and(|s| any_eq(std::slice::from_ref(&s.kind))),
        }),
        "space.title" => positive(
            space_key
                .and_then(|k| st.space(&k))
                .is_some_and(|s| texts.iter().any(|t| query::text_match(&s.name, t))),
        ),
        "title" => match c.op {
            Op::Like | Op::NotLike => {
                positive(texts.iter().any(|t| query::text_match(&h.title(), t)))
            }
            _ => positive(any_eq(&[h.title()])),
        },
        "text" | "sitesearch" => {
            let hay = match h {
                Hit::Comment(..) => h.text(),
                _ => format!("{} {}", h.title(), h.text()),
            };
            positive(texts.iter().any(|t| query::text_match(&hay, t)))
        }
        "label" => positive(match h {
            Hit::Page(p) => any_eq(&p.labels),
            Hit::Space(s) => any_eq(&s.labels),
            _ => false,
        }),
        "creator" => positive(match h {
            Hit::Page(p) => c.values.iter().any(|v| who_matches(st, me, p.author(), v)),
            Hit::Comment(cm, _) => c.values.iter().any(|v| who_matches(st, me, &cm.author, v)),
            Hit::Attachment(a, _) => c.values.iter().any(|v| who_matches(st, me, &a.author, v)),
            _ => false,
        }),
        "contributor" | "lastmodifier" => positive(match h {
            Hit::Page(p) if field == "lastmodifier" => c
                .values
                .iter()
                .any(|v| who_matches(st, me, &p.current().by, v)),
            Hit::Page(p) => p
                .versions
                .iter()
                .any(|ver| c.values.iter().any(|v| who_matches(st, me, &ver.by, v))),
            Hit::Comment(cm, _) => c.values.iter().any(|v| who_matches(st, me, &cm.author, v)),
            _ => false,
        }),
        "mention" => positive(match h {
            Hit::Page(p) => c.values.iter().any(|v| {
                let who = match v {
                    Val::Func(..) => me.username.clone(),
                    Val::Text(t) => st.user(t).map(|u| u.username.clone()).unwrap_or_default(),
                    _ => String::new(),
                };
                !who.is_empty() && p.current().body.contains(&format!("ri:username=\"{who}\""))
            }),
            _ => false,
        }),
        "created" => {
            let t = match h {
                Hit::Page(p) => p.created().to_string(),
                other => other.modified(),
            };
            date_cmp(&t, c.op, &c.values[0])?
        }
        "lastmodified" => date_cmp(&h.modified(), c.op, &c.values[0])?,
        "ancestor" => positive(match h {
            Hit::Page(p) => st.ancestors(p).iter().any(|a| any_eq(&[a.id.to_string()])),
            _ => false,
        }),
        "parent" => positive(match h {
            Hit::Page(p) => p.parent.is_some_and(|x| any_eq(&[x.to_string()])),
            Hit::Comment(_, p) | Hit::Attachment(_, p) => any_eq(&[p.id.to_string()]),
            _ => false,
        }),
        "id" | "content" => positive(match h {
            Hit::Page(p) => any_eq(&[p.id.to_string()]),
            Hit::Comment(cm, _) => any_eq(&[cm.id.to_string()]),
            Hit::Attachment(a, _) => any_eq(&[format!("att{}", a.id), a.id.to_string()]),
            _ => false,
        }),
        "user" | "user.fullname" | "user.accountid" => positive(match h {
            Hit::User(u) => match c.op {
                Op::Like | Op::NotLike => texts.iter().any(|t| {
                    query::text_match(&format!("{} {} {}", u.display_name, u.username, u.email), t)
                }),
                _ => any_eq(&[
                    u.username.clone(),
                    u.account_id.clone(),
                    u.key.clone(),
                    u.display_name.clone(),
                ]),
            },
            _ => false,
        }),
        _ => return Err(format!("No field exists with the name: {}", c.field)),
    })
}

/// Everything the caller may see that matches, ordered.
pub fn run<'a>(st: &'a Store, me: &User, q: &Query) -> Result<Vec<Hit<'a>>, String> {
    let mut pool: Vec<Hit> = Vec::new();
    let wants = |kind: &str| {
        q.expr.as_ref().is_some_and(|e| {
            query::clauses(e).iter().any(|c| {
                c.field.eq_ignore_ascii_case("type")
                    && c.values.iter().any(|v| *v == Val::Text(kind.into()))
            })
        })
    };
    let user_fields = q.expr.as_ref().is_some_and(|e| {
        query::clauses(e)
            .iter()
            .any(|c| c.field.to_ascii_lowercase().starts_with("user"))
    });
    for p in &st.conf.pages {
        if p.status != "current" || !st.can_read_page(me, p) {
            continue;
        }
        pool.push(Hit::Page(p));
        for a in &p.attachments {
            pool.push(Hit::Attachment(a, p));
        }
    }
    for c in &st.conf.comments {
        if let Some(p) = st
            .page(&c.page.to_string())
            .filter(|p| p.status == "current" && st.can_read_page(me, p))
        {
            pool.push(Hit::Comment(c, p));
        }
    }
    if wants("space") {
        pool.extend(
            st.conf
                .spaces
                .iter()
                .filter(|s| me.sees_space(&s.key))
                .map(Hit::Space),
        );
    }
    if wants("user") || user_fields {
        pool.extend(
            st.users
                .iter()
                .filter(|u| u.active && u.account_type != "customer")
                .map(Hit::User),
        );
    }
    let mut hits = Vec::new();
    for h in pool {
        let ok = match &q.expr {
            Some(e) => query::eval(e, &mut |c| clause(st, me, &h, c))?,
            None => true,
        };
        if ok {
            hits.push(h);
        }
    }
    let order = if q.order.is_empty() {
        vec![("lastmodified".to_string(), true)]
    } else {
        q.order.clone()
    };
    hits.sort_by(|a, b| {
        for (f, desc) in &order {
            let ord = match f.to_ascii_lowercase().as_str() {
                "title" => a.title().to_lowercase().cmp(&b.title().to_lowercase()),
                "created" | "lastmodified" => a.modified().cmp(&b.modified()),
                _ => std::cmp::Ordering::Equal,
            };
            let ord = if *desc { ord.reverse() } else { ord };
            if ord != std::cmp::Ordering::Equal {
                return ord;
            }
        }
        std::cmp::Ordering::Equal
    });
    Ok(hits)
}

//! The document model every converter goes through: each format is parsed into these blocks and
//! inlines, and each format is written from them. Inline formatting is flat (a text run carries its
//! marks, as in ADF), so no writer needs to rebuild nesting rules of another syntax.

/// Deepest container nesting kept (lists, quotes, panels, cells, expands). Anything deeper is
/// lifted into its ancestor, so no writer or reader recurses without bound. 24 keeps the ADF of
/// the deepest list (four JSON levels per list level) under the 128-level limit common JSON
/// parsers (serde_json among them) enforce; found by fuzzing.
pub const MAX_DEPTH: usize = 24;

/// Character formatting carried by a text run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Marks {
    pub strong: bool,
    pub em: bool,
    pub strike: bool,
    pub code: bool,
    pub underline: bool,
    pub sup: bool,
    pub sub: bool,
    pub link: Option<String>,
}

/// The marks that writers open and close around text (all but code and links), in the order
/// they nest them.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Emphasis {
    Strike,
    Strong,
    Em,
    Underline,
    Sup,
    Sub,
}

impl Emphasis {
    pub const ALL: [Emphasis; 6] = [
        Emphasis::Strike,
        Emphasis::Strong,
        Emphasis::Em,
        Emphasis::Underline,
        Emphasis::Sup,
        Emphasis::Sub,
    ];

    /// Whether `m` has this mark.
    pub fn on(self, m: &Marks) -> bool {
        match self {
            Emphasis::Strike => m.strike,
            Emphasis::Strong => m.strong,
            Emphasis::Em => m.em,
            Emphasis::Underline => m.underline,
            Emphasis::Sup => m.sup,
            Emphasis::Sub => m.sub,
        }
    }
}

impl Marks {
    /// No formatting and no link.
    pub fn is_plain(&self) -> bool {
        *self == Marks::default()
    }
}

/// Inline content of a paragraph, heading, cell or task.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Inline {
    Text(String, Marks),
    Break,
    /// A user: the account id (Cloud) or user name / key (Server/DC), and a display name.
    Mention {
        id: String,
        name: Option<String>,
    },
    Emoji {
        short: String,
        text: Option<String>,
    },
    Status {
        text: String,
        color: String,
    },
    /// A calendar date, `YYYY-MM-DD`.
    Date(String),
    /// A smart link to a URL (ADF inlineCard).
    Card(String),
    /// An image: a URL, or an attachment file name.
    Image {
        src: String,
        alt: String,
    },
}

/// Panel flavours shared by ADF panels, Confluence macros, Jira panels and GitHub alerts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PanelKind {
    Info,
    Note,
    Tip,
    Warning,
    Error,
    Success,
    Plain,
}

/// A list item; `task` is `Some(done)` for a checkbox item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    pub task: Option<bool>,
    pub body: Vec<Block>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cell {
    pub header: bool,
    pub body: Vec<Block>,
}

/// Block content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Block {
    Para(Vec<Inline>),
    Heading(u8, Vec<Inline>),
    Code {
        lang: Option<String>,
        text: String,
    },
    Quote(Vec<Block>),
    List {
        ordered: bool,
        start: u64,
        items: Vec<Item>,
    },
    Table(Vec<Vec<Cell>>),
    Rule,
    Panel {
        kind: PanelKind,
        title: Option<String>,
        body: Vec<Block>,
    },
    Expand {
        title: String,
        body: Vec<Block>,
    },
}

/// Plain text of inline content (marks dropped; mentions, emoji and the like readable).
pub fn inline_text(inlines: &[Inline]) -> String {
    let mut out = String::new();
    for i in inlines {
        match i {
            Inline::Text(t, _) => out.push_str(t),
            Inline::Break => out.push(' '),
            Inline::Mention { id, name } => {
                out.push('@');
                out.push_str(name.as_deref().unwrap_or(id));
            }
            Inline::Emoji { short, text } => out.push_str(text.as_deref().unwrap_or(short)),
            Inline::Status { text, .. } => out.push_str(text),
            Inline::Date(d) => out.push_str(d),
            Inline::Card(u) => out.push_str(u),
            Inline::Image { src, alt } => out.push_str(if alt.is_empty() { src } else { alt }),
        }
    }
    out
}

/// Joins adjacent text runs with equal marks and drops empty ones. White space at the edge of
/// emphasised text without a link is plain (every format writes it outside the marks), so that
/// reading what a writer wrote gives the same runs.
pub fn merge_text(inlines: Vec<Inline>) -> Vec<Inline> {
    let joined = join_runs(inlines);
    let emphasis = |i: Option<&Inline>| match i {
        Some(Inline::Text(_, m)) => Some((m.strong, m.em, m.strike, m.underline, m.sup, m.sub)),
        _ => None,
    };
    let mut split = Vec::with_capacity(joined.len());
    for (k, i) in joined.iter().enumerate() {
        match i {
            Inline::Text(t, m) if m.link.is_none() && !m.code && !m.is_plain() => {
                let is_ws = |c: char| c == ' ' || c == '\t' || c == '\n';
                let own = emphasis(Some(i));
                // White space the neighbour shares the marks with stays inside them.
                let keep_lead = k > 0 && emphasis(joined.get(k - 1)) == own;
                let keep_trail = emphasis(joined.get(k + 1)) == own;
                let t = t.as_str();
                let start = if keep_lead {
                    t
                } else {
                    t.trim_start_matches(is_ws)
                };
                let core = if keep_trail {
                    start
                } else {
                    start.trim_end_matches(is_ws)
                };
                if core.len() == t.len() || core.is_empty() {
                    split.push(Inline::Text(t.to_owned(), m.clone()));
                    continue;
                }
                let lead = t.len() - start.len();
                let (head, rest) = t.split_at(lead);
                let (mid, tail) = rest.split_at(core.len());
                split.push(Inline::Text(head.to_owned(), Marks::default()));
                split.push(Inline::Text(mid.to_owned(), m.clone()));
                split.push(Inline::Text(tail.to_owned(), Marks::default()));
            }
            other => split.push(other.clone()),
        }
    }
    join_runs(split)
}

fn join_runs(inlines: Vec<Inline>) -> Vec<Inline> {
    let mut out: Vec<Inline> = Vec::with_capacity(inlines.len());
    for i in inlines {
        if let Inline::Text(t, m) = &i {
            if t.is_empty() {
                continue;
            }
            if let Some(Inline::Text(pt, pm)) = out.last_mut() {
                if pm == m {
                    pt.push_str(t);
                    continue;
                }
            }
        }
        out.push(i);
    }
    out
}

/// Trims leading and trailing white space and breaks of a paragraph's inline content.
/// Inline code that shows something (code of white space alone is trimmed like text).
fn is_code(i: &Inline) -> bool {
    matches!(i, Inline::Text(t, m) if m.code && !t.trim().is_empty())
}

pub fn trim_inlines(mut inlines: Vec<Inline>) -> Vec<Inline> {
    while matches!(inlines.last(), Some(Inline::Break)) {
        inlines.pop();
    }
    while matches!(inlines.first(), Some(Inline::Break)) {
        inlines.remove(0);
    }
    // Inline code keeps its spaces: they are part of what it shows.
    if let Some(Inline::Text(t, _)) = inlines.first_mut().filter(|i| !is_code(i)) {
        let trimmed = t.trim_start().len();
        t.drain(..t.len() - trimmed);
    }
    if let Some(Inline::Text(t, _)) = inlines.last_mut().filter(|i| !is_code(i)) {
        t.truncate(t.trim_end().len());
    }
    inlines.retain(|i| !matches!(i, Inline::Text(t, _) if t.is_empty()));
    inlines
}

/// Block content reduced to paragraphs, for containers that cannot hold `block` as it is.
/// Headings become bold paragraphs, containers give up their children, tables one paragraph per
/// row, rules disappear.
pub fn flatten(block: Block, out: &mut Vec<Block>) {
    match block {
        Block::Heading(_, inl) => out.push(Block::Para(bold(inl))),
        Block::Quote(body) => out.extend(body),
        Block::Panel { title, body, .. } => {
            if let Some(t) = title {
                out.push(Block::Para(bold(vec![Inline::Text(t, Marks::default())])));
            }
            out.extend(body);
        }
        Block::Expand { title, body } => {
            if !title.is_empty() {
                out.push(Block::Para(bold(vec![Inline::Text(
                    title,
                    Marks::default(),
                )])));
            }
            out.extend(body);
        }
        Block::Table(rows) => {
            for row in rows {
                let cells: Vec<String> = row.iter().map(|c| blocks_text(&c.body)).collect();
                out.push(Block::Para(vec![Inline::Text(
                    cells.join(" | "),
                    Marks::default(),
                )]));
            }
        }
        Block::Rule => {}
        other => out.push(other),
    }
}

fn bold(inl: Vec<Inline>) -> Vec<Inline> {
    inl.into_iter()
        .map(|i| match i {
            Inline::Text(t, mut m) if !m.code => {
                m.strong = true;
                Inline::Text(t, m)
            }
            other => other,
        })
        .collect()
}

/// Plain text of blocks, paragraphs joined by a space (used for table cells and fallbacks).
pub fn blocks_text(blocks: &[Block]) -> String {
    let mut parts = Vec::new();
    let mut stack: Vec<&Block> = blocks.iter().rev().collect();
    while let Some(b) = stack.pop() {
        match b {
            Block::Para(i) | Block::Heading(_, i) => parts.push(inline_text(i)),
            Block::Code { text, .. } => parts.push(text.clone()),
            Block::Quote(body) | Block::Panel { body, .. } | Block::Expand { body, .. } => {
                stack.extend(body.iter().rev())
            }
            Block::List { items, .. } => {
                for item in items.iter().rev() {
                    stack.extend(item.body.iter().rev());
                }
            }
            Block::Table(rows) => {
                for row in rows.iter().rev() {
                    for cell in row.iter().rev() {
                        stack.extend(cell.body.iter().rev());
                    }
                }
            }
            Block::Rule => {}
        }
    }
    parts.retain(|p| !p.trim().is_empty());
    parts.join(" ")
}

/// Splits list items into runs of task items and plain items, in order: ADF and Confluence keep
/// task lists apart from bullet lists, so a Markdown list mixing both becomes consecutive lists.
pub fn task_runs(items: &[Item]) -> Vec<(bool, &[Item])> {
    let mut out: Vec<(bool, &[Item])> = Vec::new();
    let mut start = 0;
    for i in 1..=items.len() {
        if i == items.len() || items[i].task.is_some() != items[start].task.is_some() {
            out.push((items[start].task.is_some(), &items[start..i]));
            start = i;
        }
    }
    out
}

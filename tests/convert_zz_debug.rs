//! Temporary debugging helper (to be removed): writes outlines of round trips to /tmp/dbg.
use mcp_atlassian::convert::{self, Format, Options};
use std::fs;

#[test]
fn dump() {
    let Ok(list) = std::env::var("DBG") else {
        return;
    };
    let out = std::path::Path::new("/tmp/dbg");
    fs::create_dir_all(out).unwrap();
    let o = Options::default();
    for path in list.split(',') {
        let text = fs::read_to_string(path).unwrap();
        let stem = std::path::Path::new(path)
            .file_stem()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let from = if path.ends_with(".md") {
            Format::Markdown
        } else if path.ends_with(".wiki") {
            Format::Wiki
        } else {
            Format::Storage
        };
        let w = |name: &str, s: &str| fs::write(out.join(format!("{stem}.{name}")), s).unwrap();
        w("src.outline", &convert::outline(&text, from).unwrap());
        for to in Format::ALL {
            let there = convert::convert(&text, from, to, &o).unwrap();
            w(&format!("to.{}", to.name()), &there);
            let back = convert::convert(&there, to, Format::Markdown, &o).unwrap();
            w(&format!("via-{}.md", to.name()), &back);
            w(
                &format!("via-{}.outline", to.name()),
                &convert::outline(&back, Format::Markdown).unwrap(),
            );
            w(
                &format!("{}.outline", to.name()),
                &convert::outline(&there, to).unwrap(),
            );
        }
    }
}

//! Fuzz target: any text read as Markdown converts to every format without panicking, the ADF
//! written is always a document, and the round-trip property holds for the Markdown we write
//! from it: Markdown → format → Markdown keeps its structure as the format can hold it, and
//! format → Markdown → format is a fixed point (`convert::roundtrip`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use mcp_atlassian::convert::roundtrip::{self, Path};
use mcp_atlassian::convert::{self, Format, Options};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    for to in Format::ALL {
        for opts in [Options::default(), Options::server()] {
            let out = convert::convert(text, Format::Markdown, to, &opts).expect("markdown input never fails");
            if to == Format::Adf {
                let doc: serde_json::Value = serde_json::from_str(&out).expect("ADF output is JSON");
                assert_eq!(doc["type"], "doc");
            }
        }
    }
    let md = convert::convert(text, Format::Markdown, Format::Markdown, &Options::default()).unwrap();
    if let Err(e) = roundtrip::check_markdown(&md) {
        panic!("{e}\n{md}");
    }
    for path in Path::ALL {
        if let Err(e) = roundtrip::check(&md, path) {
            panic!("{e}\n{md}");
        }
    }
});

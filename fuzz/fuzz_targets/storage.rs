//! Fuzz target: any text read as storage either is refused with an error (ADF only) or converts to
//! every format without panicking, the ADF written is always a document, and the round-trip
//! property holds for the Markdown read from it: Markdown → storage → Markdown keeps its structure
//! and storage → Markdown → storage is a fixed point (`convert::roundtrip`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use mcp_atlassian::convert::roundtrip::{self, Path};
#[allow(unused_imports)]
use mcp_atlassian::convert::{self, Flavor, Format, Options};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    for to in Format::ALL {
        for opts in [Options::default(), Options::server()] {
            let Ok(out) = convert::convert(text, Format::Storage, to, &opts) else { return };
            if to == Format::Adf {
                let doc: serde_json::Value = serde_json::from_str(&out).expect("ADF output is JSON");
                assert_eq!(doc["type"], "doc");
            }
        }
    }
    let md = convert::convert(text, Format::Storage, Format::Markdown, &Options::default()).unwrap();
    for path in [Path::Storage(Flavor::Cloud), Path::Storage(Flavor::Server)] {
        if let Err(e) = roundtrip::check(&md, path) {
            panic!("{e}\n{md}");
        }
    }
});

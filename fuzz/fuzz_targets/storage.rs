//! Fuzz target: any text read as storage converts to every format without panicking, and the ADF
//! written is always a document.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mcp_atlassian::convert::{self, Format, Options};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    for to in Format::ALL {
        for opts in [Options::default(), Options::server()] {
            let out = convert::convert(text, Format::Storage, to, &opts).expect("storage input never fails");
            if to == Format::Adf {
                let doc: serde_json::Value = serde_json::from_str(&out).expect("ADF output is JSON");
                assert_eq!(doc["type"], "doc");
            }
        }
    }
});

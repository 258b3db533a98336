//! Fuzz target: any JSON read as ADF either is refused with an error or converts to every format
//! without panicking; Markdown written from it reads back.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mcp_atlassian::convert::{self, Format, Options};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    for to in Format::ALL {
        if let Ok(out) = convert::convert(text, Format::Adf, to, &Options::default()) {
            if to == Format::Markdown {
                let _ = convert::markdown_to_adf(&out);
            }
        }
    }
});

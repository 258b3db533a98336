//! Fuzz target: argument coercion and validation (`mcp::call::validate`) against the real
//! catalogue's parameter lists. The first byte picks the tool, the rest is the `arguments`
//! JSON. Nothing panics, and an accepted argument set validates again to itself (coercion is
//! idempotent) with only declared parameter names.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use mcp_atlassian::mcp::Tool;
use mcp_atlassian::mcp::call::validate;
use mcp_atlassian::tools::Services;
use serde_json::{Map, Value};

fn tools() -> &'static [&'static Tool<Services>] {
    static TOOLS: OnceLock<Vec<&'static Tool<Services>>> = OnceLock::new();
    TOOLS.get_or_init(|| mcp_atlassian::tools::catalogue(true))
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let tools = tools();
    let tool = tools[usize::from(pick) % tools.len()];
    let Ok(Value::Object(raw)) = serde_json::from_slice::<Value>(rest) else {
        return;
    };
    for relaxed in [&[][..], &["issue_key", "project_key"][..]] {
        if let Ok(args) = validate(tool, raw.clone(), relaxed) {
            let map: Map<String, Value> = args.as_map().clone();
            assert!(
                map.keys().all(|k| tool.param(k).is_some()),
                "{}: {map:?}",
                tool.name
            );
            let again =
                validate(tool, map.clone(), relaxed).expect("accepted arguments validate again");
            assert_eq!(again.as_map(), &map, "{}", tool.name);
        }
    }
});

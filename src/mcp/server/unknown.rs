//! How a `tools/call` for a name no tool has is answered: "Unknown tool: NAME", with the help the
//! application gives (the closest name, or that the name is a tool still to come).

use super::Server;

impl<S: Send + Sync + 'static> Server<S> {
    /// How to explain a `tools/call` for a name no tool has.
    pub fn with_unknown_tool_help(mut self, help: fn(&str, &[&str]) -> String) -> Self {
        self.unknown_help = Some(help);
        self
    }

    /// The text for an unknown tool name: "Unknown tool: NAME", with the help when there is one.
    pub fn unknown_tool(&self, name: &str) -> String {
        match self.unknown_help {
            Some(help) => {
                let names: Vec<&str> = self.tools.iter().map(|t| t.name).collect();
                format!("Unknown tool: {name}; {}", help(name, &names))
            }
            None => format!("Unknown tool: {name}"),
        }
    }
}

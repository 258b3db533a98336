//! The tool registry: how a tool is declared (once, as data), how its JSON schema is rendered from
//! its parameters, and which tools a configuration exposes (toolsets, allow-list, read-only,
//! configured services, deployment). Generic over the application state `S` handed to handlers.

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

use super::call::{Args, CallCtx, ToolError};
use super::content::Output;

/// What a handler returns: content blocks (usually one JSON value) or the failure.
pub type ToolOutput = Result<Output, ToolError>;

/// A tool implementation: application state, validated arguments, per-call context.
pub type Handler<S> = fn(&S, &Args, &CallCtx) -> ToolOutput;

/// Whether a tool changes anything upstream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Read,
    Write,
}

/// The kind of site a service runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Deployment {
    Cloud,
    ServerDc,
}

impl Deployment {
    pub fn label(self) -> &'static str {
        match self {
            Deployment::Cloud => "Cloud",
            Deployment::ServerDc => "Server/Data Center",
        }
    }
}

/// Where a tool can work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Availability {
    Everywhere,
    CloudOnly,
    ServerDcOnly,
}

impl Availability {
    /// `None` when a tool of `service` with this availability works on `deployment`, otherwise
    /// the reason (completes "this tool is not available because ...").
    pub fn refusal(self, service: &str, deployment: Deployment) -> Option<String> {
        match (self, deployment) {
            (Availability::CloudOnly, Deployment::ServerDc) => Some(format!(
                "it needs {service} Cloud and the site used is Server/Data Center"
            )),
            (Availability::ServerDcOnly, Deployment::Cloud) => Some(format!(
                "it needs {service} Server/Data Center and the site used is Cloud"
            )),
            _ => None,
        }
    }
}

/// A string shape checked by argument validation (issue key, numeric id, ...): declared once by
/// the tool catalogue and attached to parameters, so handlers never repeat the check.
#[derive(Debug)]
pub struct Format {
    /// Short name, used to relax a format (e.g. a site's own issue key pattern).
    pub name: &'static str,
    /// What a valid value looks like, for the error text ("an issue key like PROJ-123").
    pub expected: &'static str,
    pub check: fn(&str) -> bool,
    /// Applied before the check (e.g. `web-1` → `WEB-1`); `None` keeps the value as given.
    pub normalize: Option<fn(&str) -> String>,
}

/// The JSON type of a parameter as the schema shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamType {
    String,
    Integer,
    Number,
    Boolean,
    /// An array of strings.
    StringArray,
    /// An array of JSON objects (schema: array of objects), given natively or as a JSON string.
    ObjectArray,
    /// A JSON object given either natively or as a JSON string (the reference's contract is the
    /// string form, so the schema says `string`).
    JsonObject,
    /// A JSON array given either natively or as a JSON string (schema says `string`).
    JsonArray,
}

impl ParamType {
    fn schema_type(self) -> &'static str {
        match self {
            ParamType::String | ParamType::JsonObject | ParamType::JsonArray => "string",
            ParamType::Integer => "integer",
            ParamType::Number => "number",
            ParamType::Boolean => "boolean",
            ParamType::StringArray | ParamType::ObjectArray => "array",
        }
    }
}

/// A parameter's default value, as a constant.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum DefaultValue {
    Str(&'static str),
    Int(i64),
    Bool(bool),
}

impl DefaultValue {
    pub fn to_json(self) -> Value {
        match self {
            DefaultValue::Str(s) => json!(s),
            DefaultValue::Int(i) => json!(i),
            DefaultValue::Bool(b) => json!(b),
        }
    }
}

/// One parameter of a tool.
#[derive(Debug, Clone, Copy)]
pub struct Param {
    pub name: &'static str,
    pub ty: ParamType,
    pub description: &'static str,
    pub required: bool,
    pub default: Option<DefaultValue>,
    pub choices: &'static [&'static str],
    pub minimum: Option<i64>,
    pub maximum: Option<i64>,
    /// Shape every string value (or array item) must have.
    pub format: Option<&'static Format>,
}

impl Param {
    /// A parameter with no default, no bounds and no choices; refine it with the builder methods.
    pub const fn new(name: &'static str, ty: ParamType, description: &'static str) -> Self {
        Param {
            name,
            ty,
            description,
            required: false,
            default: None,
            choices: &[],
            minimum: None,
            maximum: None,
            format: None,
        }
    }
    /// A string parameter.
    pub const fn string(name: &'static str, description: &'static str) -> Self {
        Self::new(name, ParamType::String, description)
    }
    /// A whole-number parameter.
    pub const fn int(name: &'static str, description: &'static str) -> Self {
        Self::new(name, ParamType::Integer, description)
    }
    /// A boolean parameter.
    pub const fn bool(name: &'static str, description: &'static str) -> Self {
        Self::new(name, ParamType::Boolean, description)
    }
    pub const fn required(mut self) -> Self {
        self.required = true;
        self
    }
    pub const fn default(mut self, d: DefaultValue) -> Self {
        self.default = Some(d);
        self
    }
    pub const fn choices(mut self, c: &'static [&'static str]) -> Self {
        self.choices = c;
        self
    }
    pub const fn range(mut self, min: i64, max: i64) -> Self {
        self.minimum = Some(min);
        self.maximum = Some(max);
        self
    }
    pub const fn min(mut self, min: i64) -> Self {
        self.minimum = Some(min);
        self
    }
    pub const fn format(mut self, f: &'static Format) -> Self {
        self.format = Some(f);
        self
    }
    /// The same parameter under another name (shared constants used for `epic_key`, ...).
    pub const fn named(mut self, name: &'static str) -> Self {
        self.name = name;
        self
    }
    /// The same parameter with another description.
    pub const fn describe(mut self, description: &'static str) -> Self {
        self.description = description;
        self
    }
    /// A string default.
    pub const fn default_str(self, d: &'static str) -> Self {
        self.default(DefaultValue::Str(d))
    }
    /// An integer default.
    pub const fn default_int(self, d: i64) -> Self {
        self.default(DefaultValue::Int(d))
    }
    /// A boolean default.
    pub const fn default_bool(self, d: bool) -> Self {
        self.default(DefaultValue::Bool(d))
    }

    fn schema(&self) -> Value {
        let mut p = Map::new();
        p.insert("type".into(), json!(self.ty.schema_type()));
        match self.ty {
            ParamType::StringArray => {
                p.insert("items".into(), json!({"type": "string"}));
            }
            ParamType::ObjectArray => {
                p.insert("items".into(), json!({"type": "object"}));
            }
            _ => {}
        }
        p.insert("description".into(), json!(self.description));
        if let Some(d) = self.default {
            p.insert("default".into(), d.to_json());
        }
        if !self.choices.is_empty() {
            p.insert("enum".into(), json!(self.choices));
        }
        if let Some(m) = self.minimum {
            p.insert("minimum".into(), json!(m));
        }
        if let Some(m) = self.maximum {
            p.insert("maximum".into(), json!(m));
        }
        Value::Object(p)
    }
}

/// A tool, declared once as a constant.
pub struct Tool<S: 'static> {
    pub name: &'static str,
    pub title: &'static str,
    pub description: &'static str,
    pub toolset: &'static str,
    /// The configured service the tool talks to (e.g. `jira`); it is hidden when that service is not.
    pub service: &'static str,
    pub access: Access,
    pub availability: Availability,
    /// Tool may remove or overwrite data (only meaningful for write tools).
    pub destructive: bool,
    /// Client capabilities a 2026-07-28 request must declare to call this tool.
    pub client_capabilities: &'static [&'static str],
    pub params: &'static [Param],
    pub handler: Handler<S>,
}

impl<S> Tool<S> {
    /// A read tool available everywhere; refine with the builder methods.
    pub const fn read(
        name: &'static str,
        title: &'static str,
        description: &'static str,
        toolset: &'static str,
        service: &'static str,
        params: &'static [Param],
        handler: Handler<S>,
    ) -> Self {
        Tool {
            name,
            title,
            description,
            toolset,
            service,
            access: Access::Read,
            availability: Availability::Everywhere,
            destructive: false,
            client_capabilities: &[],
            params,
            handler,
        }
    }
    /// The tool changes data (hidden and refused in read-only mode).
    pub const fn writes(mut self) -> Self {
        self.access = Access::Write;
        self
    }
    /// The tool changes data and may remove or overwrite what exists.
    pub const fn destroys(mut self) -> Self {
        self.access = Access::Write;
        self.destructive = true;
        self
    }
    pub const fn cloud_only(mut self) -> Self {
        self.availability = Availability::CloudOnly;
        self
    }
    pub const fn server_dc_only(mut self) -> Self {
        self.availability = Availability::ServerDcOnly;
        self
    }

    /// The `inputSchema`: root object, flat properties, no composition keywords or `$ref`.
    pub fn input_schema(&self) -> Value {
        let mut props = Map::new();
        let mut required = Vec::new();
        for p in self.params {
            props.insert(p.name.into(), p.schema());
            if p.required {
                required.push(json!(p.name));
            }
        }
        let mut schema = json!({"type": "object", "properties": props});
        if !required.is_empty() {
            schema["required"] = Value::Array(required);
        }
        schema
    }

    /// The tool as `tools/list` shows it.
    pub fn definition(&self) -> Value {
        let mut ann = json!({"title": self.title, "readOnlyHint": self.access == Access::Read});
        if self.access == Access::Write {
            ann["destructiveHint"] = json!(self.destructive);
        }
        ann["openWorldHint"] = json!(true);
        json!({
            "name": self.name,
            "title": self.title,
            "description": self.description,
            "inputSchema": self.input_schema(),
            "annotations": ann,
        })
    }

    pub fn param(&self, name: &str) -> Option<&Param> {
        self.params.iter().find(|p| p.name == name)
    }
}

/// Which tools a configuration exposes. Applied when listing and again when calling.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Toolsets to expose (`None`: every toolset).
    pub toolsets: Option<BTreeSet<String>>,
    /// Tool names to expose (`None`: no allow-list).
    pub enabled_tools: Option<BTreeSet<String>>,
    /// Tool or toolset names removed last (`DISABLED_TOOLS`).
    pub disabled: BTreeSet<String>,
    /// Formats argument validation does not enforce (by [`Format::name`]).
    pub relaxed_formats: Vec<&'static str>,
    pub read_only: bool,
    /// Configured services and the deployment each runs on.
    pub services: Vec<(String, Deployment)>,
}

impl Filter {
    /// `None` when the tool is exposed, otherwise the reason it is not (one sentence, for users).
    pub fn hidden_because<S>(&self, tool: &Tool<S>) -> Option<String> {
        if let Some(sets) = &self.toolsets
            && !sets.contains(tool.toolset)
        {
            return Some(format!(
                "its toolset {} is not enabled (TOOLSETS)",
                tool.toolset
            ));
        }
        if let Some(names) = &self.enabled_tools
            && !names.contains(tool.name)
        {
            return Some("it is not listed in ENABLED_TOOLS".into());
        }
        if self.disabled.contains(tool.name) || self.disabled.contains(tool.toolset) {
            return Some("it is listed in DISABLED_TOOLS".into());
        }
        if self.read_only && tool.access == Access::Write {
            return Some(
                "it changes data and the server is in read-only mode (READ_ONLY_MODE)".into(),
            );
        }
        let Some((_, deployment)) = self.services.iter().find(|(s, _)| s == tool.service) else {
            return Some(format!("{} is not configured", tool.service));
        };
        tool.availability.refusal(tool.service, *deployment)
    }
}

/// Check that a tool declaration is well formed (used by the registry-wide test).
pub fn lint<S>(tool: &Tool<S>) -> Vec<String> {
    let mut problems = Vec::new();
    let name_ok = |n: &str| {
        !n.is_empty()
            && n.len() <= 64
            && n.starts_with(|c: char| c.is_ascii_lowercase())
            && n.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    };
    if !name_ok(tool.name) || tool.name.len() > 40 {
        problems.push(format!(
            "{}: name must match ^[a-z][a-z0-9_]{{0,39}}$",
            tool.name
        ));
    }
    if tool.description.trim().is_empty() || tool.description.len() > 1024 {
        problems.push(format!("{}: description must be 1..=1024 bytes", tool.name));
    }
    if tool.title.trim().is_empty() {
        problems.push(format!("{}: missing title", tool.name));
    }
    let mut seen = BTreeSet::new();
    for p in tool.params {
        if !name_ok(p.name) {
            problems.push(format!("{}.{}: bad parameter name", tool.name, p.name));
        }
        if !seen.insert(p.name) {
            problems.push(format!("{}.{}: duplicate parameter", tool.name, p.name));
        }
        if p.description.trim().is_empty() {
            problems.push(format!("{}.{}: missing description", tool.name, p.name));
        }
        if p.required && p.default.is_some() {
            problems.push(format!("{}.{}: required with a default", tool.name, p.name));
        }
        if p.format.is_some() && !matches!(p.ty, ParamType::String | ParamType::StringArray) {
            problems.push(format!("{}.{}: a format needs a string", tool.name, p.name));
        }
        if let (Some(lo), Some(hi)) = (p.minimum, p.maximum)
            && lo > hi
        {
            problems.push(format!("{}.{}: minimum above maximum", tool.name, p.name));
        }
    }
    problems
}

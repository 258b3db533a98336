//! A small JSON-schema checker, shared by the sandbox contract test (answers) and
//! `spec_check` (requests): the subset of OpenAPI 3.0 schemas and
//! JSON Schema draft-04 that Atlassian's documents and the ADF schema use — `$ref` (any JSON
//! pointer into the same document), `type` (also as a list), `nullable`, `enum`, `properties`,
//! `required`, `additionalProperties` (boolean or schema), `items`, `allOf`, `anyOf`, `oneOf`
//! (treated as "at least one": Atlassian's branches overlap), `minItems`/`maxItems`,
//! `minLength`/`maxLength`, `minimum`/`maximum`. `format` and `pattern` are not checked
//! (Jira's timestamps, e.g. `+0000` offsets, are not RFC 3339 although declared `date-time`).

#![allow(dead_code)]

use serde_json::Value;

/// A schema document (an extracted OpenAPI spec or the ADF schema).
pub struct Doc {
    pub root: Value,
    /// Treat an object schema that lists `properties` but says nothing about
    /// `additionalProperties` as closed: the sandbox may only send documented properties.
    pub strict: bool,
}

impl Doc {
    pub fn load(path: &str) -> Doc {
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
        Doc {
            root: serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}")),
            strict: false,
        }
    }

    /// Follows a local `$ref` such as `#/components/schemas/IssueBean`.
    pub fn resolve(&self, r: &str) -> &Value {
        let pointer = r
            .strip_prefix('#')
            .unwrap_or_else(|| panic!("only local refs: {r}"));
        self.root
            .pointer(pointer)
            .unwrap_or_else(|| panic!("dangling $ref {r}"))
    }

    /// A named component schema as a `$ref` value.
    pub fn component(&self, name: &str) -> Value {
        let r = format!("#/components/schemas/{name}");
        self.resolve(&r);
        serde_json::json!({"$ref": r})
    }

    /// Every violation of `schema` by `value`, each prefixed with its JSON path.
    pub fn check(&self, schema: &Value, value: &Value) -> Vec<String> {
        let mut errs = Vec::new();
        self.walk(schema, value, "$", &mut errs, 0, true);
        errs
    }

    /// The property schemas an object may carry under `schema`, merged over its `allOf`
    /// members (a key documented by several members gets all their schemas), and whether it
    /// is closed (no `additionalProperties` other than `false`, and something listed).
    fn properties(&self, schema: &Value, depth: usize, out: &mut Vec<(String, Value)>) -> bool {
        let Some(s) = schema.as_object() else {
            return false;
        };
        if let Some(r) = s.get("$ref").and_then(Value::as_str) {
            return depth <= 40 && self.properties(self.resolve(r), depth + 1, out);
        }
        let mut closed =
            !matches!(s.get("additionalProperties"), Some(v) if v != &Value::Bool(false));
        let listed = s.get("properties").and_then(Value::as_object);
        for (k, v) in listed.into_iter().flatten() {
            out.push((k.clone(), v.clone()));
        }
        let members = s.get("allOf").and_then(Value::as_array);
        for m in members.into_iter().flatten() {
            closed &= self.properties(m, depth + 1, out);
        }
        closed && (listed.is_some() || members.is_some())
    }

    /// `own_keys`: whether this level decides which properties are allowed (false inside the
    /// branches of an `allOf`, whose parent decides with the union of all branches).
    fn walk(
        &self,
        schema: &Value,
        v: &Value,
        path: &str,
        errs: &mut Vec<String>,
        depth: usize,
        own_keys: bool,
    ) {
        if depth > 80 {
            return;
        }
        let Some(s) = schema.as_object() else { return };
        if let Some(r) = s.get("$ref").and_then(Value::as_str) {
            return self.walk(self.resolve(r), v, path, errs, depth + 1, own_keys);
        }
        if v.is_null() && s.get("nullable").and_then(Value::as_bool) == Some(true) {
            return;
        }
        for sub in s
            .get("allOf")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            self.walk(sub, v, path, errs, depth + 1, false);
        }
        for key in ["anyOf", "oneOf"] {
            if let Some(branches) = s.get(key).and_then(Value::as_array) {
                let tries: Vec<Vec<String>> = branches
                    .iter()
                    .map(|b| {
                        let mut e = Vec::new();
                        self.walk(b, v, path, &mut e, depth + 1, own_keys);
                        e
                    })
                    .collect();
                if !tries.iter().any(Vec::is_empty) {
                    let best = tries.into_iter().min_by_key(Vec::len).unwrap_or_default();
                    errs.push(format!(
                        "{path}: matches none of the {key} branches, closest: {}",
                        best.join("; ")
                    ));
                }
            }
        }
        if let Some(e) = s.get("enum").and_then(Value::as_array) {
            if !e.contains(v) && (!v.is_null() || s.get("nullable").is_none()) {
                errs.push(format!(
                    "{path}: {v} is not one of {}",
                    Value::Array(e.clone())
                ));
            }
        }
        if let Some(t) = s.get("type") {
            let allowed: Vec<&str> = match t {
                Value::String(x) => vec![x.as_str()],
                Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
                _ => Vec::new(),
            };
            if !allowed.is_empty() && !allowed.iter().any(|a| is_type(v, a)) {
                errs.push(format!(
                    "{path}: expected {}, got {}",
                    allowed.join("|"),
                    kind(v)
                ));
                return;
            }
        }
        match v {
            Value::Object(o) => {
                for req in s
                    .get("required")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                {
                    if !o.contains_key(req) {
                        errs.push(format!("{path}: missing required property '{req}'"));
                    }
                }
                if !own_keys {
                    return; // the allOf parent walks the properties with merged schemas
                }
                let mut listed = Vec::new();
                let closed_listed = self.properties(schema, 0, &mut listed);
                let closed = s.get("additionalProperties") == Some(&Value::Bool(false));
                let check_unknown = closed || (self.strict && closed_listed);
                for (k, val) in o {
                    let sub_path = format!("{path}.{k}");
                    let schemas: Vec<Value> = listed
                        .iter()
                        .filter(|(n, _)| n == k)
                        .map(|(_, v)| v.clone())
                        .collect();
                    if !schemas.is_empty() {
                        let merged = if schemas.len() == 1 {
                            schemas[0].clone()
                        } else {
                            serde_json::json!({"allOf": schemas})
                        };
                        self.walk(&merged, val, &sub_path, errs, depth + 1, true);
                    } else if let Some(extra @ Value::Object(_)) = s.get("additionalProperties") {
                        self.walk(extra, val, &sub_path, errs, depth + 1, true);
                    } else if check_unknown {
                        let why = if closed {
                            "is not allowed (additionalProperties: false)"
                        } else {
                            "is not documented"
                        };
                        errs.push(format!("{path}: property '{k}' {why}"));
                    }
                }
            }
            Value::Array(a) => {
                if let Some(items) = s.get("items") {
                    for (n, item) in a.iter().enumerate() {
                        self.walk(items, item, &format!("{path}[{n}]"), errs, depth + 1, true);
                    }
                }
                let len = a.len() as u64;
                if s.get("minItems")
                    .and_then(Value::as_u64)
                    .is_some_and(|m| len < m)
                {
                    errs.push(format!("{path}: fewer than minItems"));
                }
                if s.get("maxItems")
                    .and_then(Value::as_u64)
                    .is_some_and(|m| len > m)
                {
                    errs.push(format!("{path}: more than maxItems"));
                }
            }
            Value::String(x) => {
                let len = x.chars().count() as u64;
                if s.get("minLength")
                    .and_then(Value::as_u64)
                    .is_some_and(|m| len < m)
                {
                    errs.push(format!("{path}: shorter than minLength"));
                }
                if s.get("maxLength")
                    .and_then(Value::as_u64)
                    .is_some_and(|m| len > m)
                {
                    errs.push(format!("{path}: longer than maxLength"));
                }
            }
            Value::Number(n) => {
                let x = n.as_f64().unwrap_or(0.0);
                if s.get("minimum")
                    .and_then(Value::as_f64)
                    .is_some_and(|m| x < m)
                {
                    errs.push(format!("{path}: below minimum"));
                }
                if s.get("maximum")
                    .and_then(Value::as_f64)
                    .is_some_and(|m| x > m)
                {
                    errs.push(format!("{path}: above maximum"));
                }
            }
            _ => {}
        }
    }
}

fn is_type(v: &Value, t: &str) -> bool {
    match t {
        "object" => v.is_object(),
        "array" => v.is_array(),
        "string" => v.is_string(),
        "boolean" => v.is_boolean(),
        "number" => v.is_number(),
        "integer" => v.as_i64().is_some() || v.as_u64().is_some(),
        "null" => v.is_null(),
        _ => true,
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

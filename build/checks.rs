//! Checks run on a (preprocessed) document before it reaches progenitor.
//!
//! progenitor 0.15 / typify 0.8 panic deep inside code generation on some document
//! shapes; each check here turns one of them into a message that names the operation or
//! schema to fix. A few checks enforce our own rules for tolerant models instead.

use serde_json::Value;
use std::collections::{BTreeMap, HashSet};

pub const HTTP_METHODS: &[&str] = &[
    "get", "put", "post", "delete", "patch", "head", "options", "trace",
];

/// Every problem found in `doc`; empty when the document can be generated.
pub fn check_document(doc: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    walk(doc, doc, "#", &mut problems);
    check_schema_names(doc, &mut problems);
    check_operations(doc, &mut problems);
    problems
}

/// Resolves a local `$ref` (`#/a/b/c`) against the document.
pub fn resolve<'a>(doc: &'a Value, reference: &str) -> Option<&'a Value> {
    let pointer = reference.strip_prefix('#')?;
    doc.pointer(pointer)
}

/// Follows `$ref` until a non-reference object is reached (bounded, so a cycle cannot hang).
pub fn deref<'a>(doc: &'a Value, mut value: &'a Value) -> Option<&'a Value> {
    for _ in 0..16 {
        match value.get("$ref").and_then(Value::as_str) {
            Some(r) => value = resolve(doc, r)?,
            None => return Some(value),
        }
    }
    None
}

fn walk(doc: &Value, value: &Value, path: &str, problems: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::Array(values)) = map.get("enum") {
                check_enum(path, values, map.contains_key("x-enum-varnames"), problems);
            }
            if map.get("additionalProperties") == Some(&Value::Bool(false)) {
                problems.push(format!(
                    "{path}: `additionalProperties: false` makes the model reject fields the service adds later; remove it"
                ));
            }
            if let Some(Value::String(reference)) = map.get("$ref") {
                check_ref(doc, path, reference, problems);
            }
            if let Some(Value::Object(properties)) = map.get("properties") {
                check_secret_properties(doc, path, properties, problems);
            }
            for (key, child) in map {
                // `example(s)` hold data, not schemas.
                if key == "example" || key == "examples" {
                    continue;
                }
                walk(doc, child, &format!("{path}/{}", escape(key)), problems);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                walk(doc, child, &format!("{path}/{i}"), problems);
            }
        }
        _ => {}
    }
}

fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// A property named like a secret must use a schema marked `x-uploadcare-sensitive: true`,
/// so its generated type never prints the value.
fn check_secret_properties(
    doc: &Value,
    path: &str,
    properties: &serde_json::Map<String, Value>,
    problems: &mut Vec<String>,
) {
    for (name, schema) in properties {
        if !name.to_ascii_lowercase().contains("secret") {
            continue;
        }
        // `$ref`, or `allOf: [$ref]` next to nullable/description.
        let target = schema
            .get("allOf")
            .and_then(Value::as_array)
            .and_then(|all| all.first())
            .unwrap_or(schema);
        let sensitive =
            deref(doc, target).is_some_and(|s| s.get("x-uploadcare-sensitive") == Some(&Value::Bool(true)));
        if !sensitive {
            problems.push(format!(
                "{path}/properties/{name}: a secret must refer to a named schema marked \
                 `x-uploadcare-sensitive: true` (its Debug output is then redacted)"
            ));
        }
    }
}

fn check_enum(path: &str, values: &[Value], named_variants: bool, problems: &mut Vec<String>) {
    let is_named_schema = path
        .strip_prefix("#/components/schemas/")
        .is_some_and(|rest| !rest.contains('/'));
    if !is_named_schema {
        problems.push(format!(
            "{path}: inline `enum`; declare it as a named schema under components/schemas and `$ref` it \
             (named string enums are generated as open enums that accept unknown values)"
        ));
    }
    if values.iter().any(|v| !v.is_string()) {
        problems.push(format!(
            "{path}: only string enums are supported (quote numeric-looking values)"
        ));
        return;
    }
    // Two values that differ only by case (e.g. `LA` and `La`) would get the same variant
    // name (and typify panics on them); `x-enum-varnames` names the variants instead (checked
    // for clashes in `open_enums`), and the open enum replaces typify's.
    if named_variants {
        return;
    }
    let mut seen: BTreeMap<String, &str> = BTreeMap::new();
    for value in values.iter().filter_map(Value::as_str) {
        if let Some(previous) = seen.insert(value.to_lowercase(), value) {
            problems.push(format!(
                "{path}: enum values `{previous}` and `{value}` differ only by case, which typify cannot \
                 generate; name the variants with `x-enum-varnames`"
            ));
        }
    }
}

fn check_ref(doc: &Value, path: &str, reference: &str, problems: &mut Vec<String>) {
    if !reference.starts_with("#/components/") {
        problems.push(format!(
            "{path}: `$ref: {reference}` must point into #/components/ of the same document"
        ));
        return;
    }
    // progenitor does not resolve schemas nested inside a named response.
    let depth = reference.trim_start_matches("#/components/").split('/').count();
    if depth != 2 {
        problems.push(format!(
            "{path}: `$ref: {reference}` points inside a component; refer to #/components/schemas/<Name> \
             (or a whole response/parameter) instead"
        ));
        return;
    }
    if resolve(doc, reference).is_none() {
        problems.push(format!("{path}: `$ref: {reference}` does not exist"));
    }
}

fn check_schema_names(doc: &Value, problems: &mut Vec<String>) {
    let Some(schemas) = doc.pointer("/components/schemas").and_then(Value::as_object) else {
        return;
    };
    for name in schemas.keys() {
        let mut chars = name.chars();
        let pascal =
            chars.next().is_some_and(|c| c.is_ascii_uppercase()) && chars.all(|c| c.is_ascii_alphanumeric());
        if !pascal {
            problems.push(format!(
                "#/components/schemas/{name}: schema names must be PascalCase identifiers (they become Rust type names)"
            ));
        }
    }
}

/// Calls `f(path, method, operation)` for every operation of the document.
pub fn for_each_operation<'a>(doc: &'a Value, mut f: impl FnMut(&'a str, &'a str, &'a Value)) {
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
        return;
    };
    for (path, item) in paths {
        let Some(item) = item.as_object() else { continue };
        for (method, operation) in item {
            if HTTP_METHODS.contains(&method.as_str()) {
                f(path, method, operation);
            }
        }
    }
}

fn check_operations(doc: &Value, problems: &mut Vec<String>) {
    let mut ids = HashSet::new();
    for_each_operation(doc, |path, method, op| {
        let label = format!("{} {path}", method.to_uppercase());
        let Some(id) = op.get("operationId").and_then(Value::as_str) else {
            problems.push(format!(
                "{label}: missing operationId (progenitor names methods after it)"
            ));
            return;
        };
        let label = format!("operation `{id}` ({label})");
        if !ids.insert(id.to_owned()) {
            problems.push(format!("{label}: duplicate operationId"));
        }
        if let Err(problem) = retry_class(op) {
            problems.push(format!("{label}: {problem}"));
        }
        check_parameters(doc, &label, op, problems);
        check_request_body(doc, &label, op, problems);
        check_responses(doc, &label, op, problems);
    });
}

/// An operation's `x-uploadcare-retry`: what repeating it can do, from which the client
/// derives every retry decision. Required on every operation.
pub fn retry_class(op: &Value) -> Result<&str, String> {
    match op.get("x-uploadcare-retry").and_then(Value::as_str) {
        Some(kind @ ("safe" | "idempotent" | "creating")) => Ok(kind),
        Some(other) => Err(format!(
            "`x-uploadcare-retry: {other}` is not one of safe, idempotent, creating"
        )),
        None => Err(
            "no `x-uploadcare-retry` (safe, idempotent or creating): every operation must say what repeating it can do"
                .to_owned(),
        ),
    }
}

fn check_parameters(doc: &Value, label: &str, op: &Value, problems: &mut Vec<String>) {
    for param in op
        .get("parameters")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let Some(param) = deref(doc, param) else { continue };
        if param.get("in").and_then(Value::as_str) == Some("cookie") {
            problems.push(format!(
                "{label}: cookie parameters are not supported by progenitor"
            ));
        }
    }
}

fn check_request_body(doc: &Value, label: &str, op: &Value, problems: &mut Vec<String>) {
    let Some(body) = op.get("requestBody").and_then(|b| deref(doc, b)) else {
        return;
    };
    let Some(content) = body.get("content").and_then(Value::as_object) else {
        return;
    };
    for media in content.keys() {
        let supported = [
            "application/json",
            "application/x-www-form-urlencoded",
            "application/octet-stream",
            "text/plain",
        ];
        if !supported.contains(&media.as_str()) {
            problems.push(format!(
                "{label}: request body `{media}` cannot be generated by progenitor; mark the operation \
                 `x-uploadcare-handwritten: true` and implement it by hand"
            ));
        }
    }
}

/// What progenitor will make of one response: the generated type it maps to.
fn response_kind(
    doc: &Value,
    label: &str,
    status: &str,
    response: &Value,
    problems: &mut Vec<String>,
) -> String {
    let Some(response) = deref(doc, response) else {
        return format!("unresolved response {status}");
    };
    let Some(content) = response
        .get("content")
        .and_then(Value::as_object)
        .filter(|c| !c.is_empty())
    else {
        return "no content".to_owned();
    };
    let json = content
        .iter()
        .find(|(media, _)| *media == "application/json" || media.starts_with("application/json;"));
    let Some((_, media)) = json else {
        return "raw (non-JSON) body".to_owned();
    };
    if media
        .get("encoding")
        .is_some_and(|e| e.as_object().is_some_and(|e| !e.is_empty()))
    {
        problems.push(format!(
            "{label}: response {status} declares `encoding`, which progenitor cannot handle"
        ));
    }
    match media.get("schema") {
        None => {
            problems.push(format!(
                "{label}: response {status} has JSON content without a schema"
            ));
            format!("missing schema {status}")
        }
        Some(schema) => match schema.get("$ref").and_then(Value::as_str) {
            Some(reference) => reference.to_owned(),
            // Each inline schema becomes a type of its own.
            None => format!("inline schema of response {status}"),
        },
    }
}

fn check_responses(doc: &Value, label: &str, op: &Value, problems: &mut Vec<String>) {
    let Some(responses) = op.get("responses").and_then(Value::as_object) else {
        problems.push(format!("{label}: no responses"));
        return;
    };
    let mut success = BTreeMap::<String, Vec<&str>>::new();
    let mut error = BTreeMap::<String, Vec<&str>>::new();
    for (status, response) in responses {
        let kind = response_kind(doc, label, status, response, problems);
        let is_success = status == "default" || status == "2XX" || status == "101" || status.starts_with('2');
        let is_error = status == "default" || status.starts_with('4') || status.starts_with('5');
        if is_success {
            success.entry(kind.clone()).or_default().push(status);
        }
        if is_error {
            error.entry(kind).or_default().push(status);
        }
    }
    for (what, kinds) in [("success", &success), ("error", &error)] {
        if kinds.len() > 1 {
            let detail = kinds
                .iter()
                .map(|(kind, statuses)| format!("{} → {kind}", statuses.join("/")))
                .collect::<Vec<_>>()
                .join("; ");
            problems.push(format!(
                "{label}: {what} responses map to {} different types ({detail}); progenitor allows one \
                 {what} type per operation: make them `$ref` the same schema",
                kinds.len()
            ));
        }
    }
}

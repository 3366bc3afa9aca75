//! The response corpus test: every schema the service answers with (every component schema
//! of every enabled document that is not only a request body) must parse from
//!
//! - an instance built from the schema with every property present,
//! - the document's own examples (schema-level and response-level),
//! - recorded real-shape bodies (`tests/corpus/<module>/<Schema>--<what>.json`),
//!
//! and from every variant of those: each optional field removed, each nullable field `null`
//! and absent, each array or map absent (the tolerance rule of `build/preprocess.rs`), an
//! unknown field added to every object, an unknown value in every enum.

use serde_json::{json, Map, Value};
use std::collections::BTreeSet;

type Parse = fn(&str, Value) -> Option<Result<(), String>>;

struct Document {
    module: &'static str,
    root: Value,
    parse: Parse,
}

// One `push` per enabled feature: clippy sees only the enabled ones.
#[allow(clippy::vec_init_then_push)]
fn documents() -> Vec<Document> {
    let load = |module, text: &str, parse| Document {
        module,
        root: serde_norway::from_str(text).expect("the document is YAML"),
        parse,
    };
    #[allow(unused_mut)]
    let mut docs = Vec::new();
    #[cfg(feature = "v0_5")]
    docs.push(load(
        "v0_5",
        include_str!("../openapi/rest-v0.5.yaml"),
        crate::v0_5::parse_component as Parse,
    ));
    #[cfg(feature = "v0_6")]
    docs.push(load(
        "v0_6",
        include_str!("../openapi/rest-v0.6.yaml"),
        crate::v0_6::parse_component as Parse,
    ));
    #[cfg(feature = "v0_7")]
    docs.push(load(
        "v0_7",
        include_str!("../openapi/rest-v0.7.yaml"),
        crate::v0_7::parse_component as Parse,
    ));
    #[cfg(feature = "upload")]
    docs.push(load(
        "upload",
        include_str!("../openapi/upload.yaml"),
        crate::upload::parse_component as Parse,
    ));
    #[cfg(feature = "project_api")]
    docs.push(load(
        "project_api",
        include_str!("../openapi/project-api.yaml"),
        crate::project_api::parse_component as Parse,
    ));
    docs
}

const METHODS: &[&str] = &["get", "put", "post", "delete", "patch"];

fn deref<'a>(doc: &'a Value, mut schema: &'a Value) -> &'a Value {
    for _ in 0..16 {
        match schema.get("$ref").and_then(Value::as_str) {
            Some(reference) => {
                schema = doc
                    .pointer(reference.trim_start_matches('#'))
                    .unwrap_or_else(|| panic!("unresolved {reference}"))
            }
            None => break,
        }
    }
    schema
}

/// The component a schema names (`$ref`, or an array of a `$ref`).
fn component_of(schema: &Value) -> Option<String> {
    let schema = schema.get("items").unwrap_or(schema);
    let reference = schema.get("$ref")?.as_str()?;
    reference.strip_prefix("#/components/schemas/").map(str::to_owned)
}

/// Names of the component schemas reachable from `schema`.
fn reachable(doc: &Value, schema: &Value, out: &mut BTreeSet<String>) {
    match schema {
        Value::Object(map) => {
            if let Some(name) = map
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix("#/components/schemas/"))
            {
                if out.insert(name.to_owned()) {
                    reachable(doc, deref(doc, schema), out);
                }
            }
            for (key, child) in map {
                if key != "example" && key != "examples" {
                    reachable(doc, child, out);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|i| reachable(doc, i, out)),
        _ => {}
    }
}

/// Every operation's (request body contents, response contents).
fn contents(doc: &Value) -> (Vec<&Value>, Vec<&Value>) {
    let (mut requests, mut responses) = (Vec::new(), Vec::new());
    for item in doc["paths"].as_object().into_iter().flat_map(|p| p.values()) {
        for (method, op) in item.as_object().into_iter().flatten() {
            if !METHODS.contains(&method.as_str()) {
                continue;
            }
            if let Some(content) = op
                .get("requestBody")
                .map(|b| deref(doc, b))
                .and_then(|b| b.get("content"))
            {
                requests.extend(content.as_object().into_iter().flat_map(|c| c.values()));
            }
            for response in op
                .get("responses")
                .and_then(Value::as_object)
                .into_iter()
                .flat_map(|r| r.values())
            {
                if let Some(content) = deref(doc, response).get("content").and_then(Value::as_object) {
                    responses.extend(content.values());
                }
            }
        }
    }
    (requests, responses)
}

/// The schemas received from the service, with the document's examples of each.
fn received_schemas(doc: &Value) -> Vec<(String, Vec<Value>)> {
    let (requests, responses) = contents(doc);
    let mut request_side = BTreeSet::new();
    for media in &requests {
        reachable(
            doc,
            media.get("schema").unwrap_or(&Value::Null),
            &mut request_side,
        );
    }
    let mut response_side = BTreeSet::new();
    for media in &responses {
        reachable(
            doc,
            media.get("schema").unwrap_or(&Value::Null),
            &mut response_side,
        );
    }
    let schemas = doc["components"]["schemas"]
        .as_object()
        .expect("components/schemas");
    schemas
        .iter()
        .filter(|(name, _)| response_side.contains(*name) || !request_side.contains(*name))
        .map(|(name, schema)| {
            let mut examples: Vec<Value> = schema.get("example").cloned().into_iter().collect();
            for media in &responses {
                if component_of(media.get("schema").unwrap_or(&Value::Null)).as_deref() != Some(name) {
                    continue;
                }
                let is_array = media["schema"].get("items").is_some();
                let mut found: Vec<Value> = media.get("example").cloned().into_iter().collect();
                for example in media
                    .get("examples")
                    .and_then(Value::as_object)
                    .into_iter()
                    .flatten()
                {
                    found.extend(deref(doc, example.1).get("value").cloned());
                }
                for example in found {
                    match (is_array, example) {
                        (true, Value::Array(items)) => examples.extend(items),
                        (_, example) => examples.push(example),
                    }
                }
            }
            (name.clone(), examples)
        })
        .collect()
}

/// What a schema allows, with `$ref` and `allOf` resolved.
#[derive(Default)]
struct Shape {
    properties: Map<String, Value>,
    required: BTreeSet<String>,
    nullable: bool,
    items: Option<Value>,
    additional: Option<Value>,
    is_enum: bool,
    one_of: bool,
}

fn shape(doc: &Value, schema: &Value) -> Shape {
    let mut out = Shape::default();
    let add = |schema: &Value, out: &mut Shape| {
        let schema = deref(doc, schema);
        out.nullable |= schema.get("nullable") == Some(&Value::Bool(true));
        out.is_enum |= schema.get("enum").is_some();
        out.one_of |= schema.get("oneOf").is_some() || schema.get("anyOf").is_some();
        if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
            out.properties.extend(properties.clone());
        }
        for name in schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            out.required.extend(name.as_str().map(str::to_owned));
        }
        if let Some(items) = schema.get("items") {
            out.items = Some(items.clone());
        }
        if let Some(additional) = schema.get("additionalProperties").filter(|a| a.is_object()) {
            out.additional = Some(additional.clone());
        }
    };
    add(schema, &mut out);
    let resolved = deref(doc, schema);
    for part in resolved
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let inner = shape(doc, part);
        out.nullable |= inner.nullable;
        out.is_enum |= inner.is_enum;
        out.one_of |= inner.one_of;
        out.properties.extend(inner.properties);
        out.required.extend(inner.required);
        out.items = out.items.or(inner.items);
        out.additional = out.additional.or(inner.additional);
    }
    out
}

/// An instance of `schema` with every property present.
fn synthesize(doc: &Value, schema: &Value, depth: usize) -> Value {
    let resolved = deref(doc, schema);
    if depth > 40 {
        return Value::Null;
    }
    if let Some(parts) = resolved.get("allOf").and_then(Value::as_array) {
        let mut merged = Map::new();
        for part in parts {
            match synthesize(doc, part, depth + 1) {
                Value::Object(map) => merged.extend(map),
                other if parts.len() == 1 => return other,
                _ => {}
            }
        }
        if resolved.get("properties").is_none() {
            return Value::Object(merged);
        }
    }
    if let Some(first) = ["oneOf", "anyOf"]
        .iter()
        .find_map(|k| resolved.get(*k).and_then(Value::as_array).and_then(|a| a.first()))
    {
        return synthesize(doc, first, depth + 1);
    }
    if let Some(values) = resolved.get("enum").and_then(Value::as_array) {
        return values.first().cloned().unwrap_or(Value::Null);
    }
    let kind = resolved.get("type").and_then(Value::as_str);
    let is_object = kind == Some("object") || resolved.get("properties").is_some();
    if !is_object {
        if let Some(example) = resolved.get("example") {
            return example.clone();
        }
    }
    match kind {
        Some("string") => match resolved.get("format").and_then(Value::as_str) {
            Some("date-time") => json!("2026-12-03T06:18:00.123456Z"),
            Some("date") => json!("2026-12-03"),
            Some("uuid") => json!("3c269810-c17b-4e2c-92b6-25622464d866"),
            Some("uri") => json!("https://ucarecdn.com/3c269810-c17b-4e2c-92b6-25622464d866/"),
            _ => json!("text"),
        },
        Some("integer") => resolved.get("minimum").cloned().unwrap_or(json!(1)),
        Some("number") => json!(1.5),
        Some("boolean") => json!(true),
        Some("array") => {
            let count = resolved
                .get("minItems")
                .and_then(Value::as_u64)
                .unwrap_or(1)
                .max(1);
            let item = synthesize(doc, resolved.get("items").unwrap_or(&Value::Null), depth + 1);
            Value::Array(vec![item; count as usize])
        }
        _ if is_object || resolved.get("additionalProperties").is_some() => {
            let mut map = Map::new();
            if let Some(properties) = resolved.get("properties").and_then(Value::as_object) {
                for (name, property) in properties {
                    map.insert(name.clone(), synthesize(doc, property, depth + 1));
                }
            } else if let Some(additional) = resolved.get("additionalProperties").filter(|a| a.is_object()) {
                map.insert("key".to_owned(), synthesize(doc, additional, depth + 1));
            }
            Value::Object(map)
        }
        _ => json!({"free": "form"}),
    }
}

/// Single-change variants of `value` (an instance of `schema`), each with what changed.
fn variants(doc: &Value, schema: &Value, value: &Value, at: &str) -> Vec<(String, Value)> {
    let shape = shape(doc, schema);
    let mut out = Vec::new();
    if shape.one_of {
        return out;
    }
    match value {
        Value::Object(map) if !shape.properties.is_empty() => {
            for (name, child) in map {
                let Some(property) = shape.properties.get(name) else {
                    continue;
                };
                let child_shape = self::shape(doc, property);
                let here = format!("{at}.{name}");
                let is_map = child_shape.additional.is_some() && child_shape.properties.is_empty();
                let may_be_absent = !shape.required.contains(name)
                    || child_shape.nullable
                    || child_shape.items.is_some()
                    || is_map;
                if may_be_absent {
                    let mut changed = map.clone();
                    changed.remove(name);
                    out.push((format!("{here} absent"), Value::Object(changed)));
                }
                if child_shape.nullable && !child.is_null() {
                    let mut changed = map.clone();
                    changed.insert(name.clone(), Value::Null);
                    out.push((format!("{here} null"), Value::Object(changed)));
                }
                for (what, variant) in variants(doc, property, child, &here) {
                    let mut changed = map.clone();
                    changed.insert(name.clone(), variant);
                    out.push((what, Value::Object(changed)));
                }
            }
            let mut changed = map.clone();
            changed.insert("field_added_later".to_owned(), json!({"nested": [1, null, "x"]}));
            out.push((format!("{at} + unknown field"), Value::Object(changed)));
        }
        Value::Object(map) => {
            if let (Some(additional), Some((key, first))) = (&shape.additional, map.iter().next()) {
                for (what, variant) in variants(doc, additional, first, &format!("{at}[{key}]")) {
                    let mut changed = map.clone();
                    changed.insert(key.clone(), variant);
                    out.push((what, Value::Object(changed)));
                }
            }
        }
        Value::Array(items) => {
            if let (Some(item_schema), Some(first)) = (&shape.items, items.first()) {
                for (what, variant) in variants(doc, item_schema, first, &format!("{at}[0]")) {
                    let mut changed = items.clone();
                    changed[0] = variant;
                    out.push((what, Value::Array(changed)));
                }
            }
        }
        Value::String(_) if shape.is_enum => {
            out.push((format!("{at} = unknown enum value"), json!("value_added_later")));
        }
        _ => {}
    }
    out
}

/// Recorded real-shape bodies: `tests/corpus/<module>/<Schema>--<what>.json`.
fn recorded(module: &str) -> Vec<(String, String, Value)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/corpus")
        .join(module);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some((schema, what)) = name.strip_suffix(".json").and_then(|n| n.split_once("--")) else {
            continue;
        };
        let text = std::fs::read_to_string(entry.path()).expect("readable fixture");
        let value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name} is not JSON: {e}"));
        out.push((schema.to_owned(), what.to_owned(), value));
    }
    out.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    out
}

fn check(doc: &Document, schema_name: &str, origin: &str, value: Value, failures: &mut Vec<String>) -> usize {
    let schema = json!({ "$ref": format!("#/components/schemas/{schema_name}") });
    let mut cases = vec![(format!("{origin} as is"), value.clone())];
    cases.extend(
        variants(&doc.root, &schema, &value, "")
            .into_iter()
            .map(|(what, v)| (format!("{origin}: {what}"), v)),
    );
    let count = cases.len();
    for (what, case) in cases {
        match (doc.parse)(schema_name, case.clone()) {
            Some(Ok(())) => {}
            Some(Err(e)) => {
                let mut body = case.to_string();
                body.truncate(body.floor_char_boundary(240));
                failures.push(format!("{}::{schema_name} ({what}): {e}\n    {body}", doc.module))
            }
            None => failures.push(format!("{}::{schema_name}: no generated type", doc.module)),
        }
    }
    count
}

#[test]
fn every_received_schema_parses_its_examples_and_their_variants() {
    let mut failures = Vec::new();
    let mut cases = 0;
    for doc in documents() {
        let received = received_schemas(&doc.root);
        assert!(received.len() > 5, "{}: too few schemas found", doc.module);
        let mut of_this = 0;
        for (name, examples) in received {
            let schema = json!({ "$ref": format!("#/components/schemas/{name}") });
            let full = synthesize(&doc.root, &schema, 0);
            of_this += check(&doc, &name, "all fields", full, &mut failures);
            for (i, example) in examples.into_iter().enumerate() {
                of_this += check(
                    &doc,
                    &name,
                    &format!("document example {i}"),
                    example,
                    &mut failures,
                );
            }
        }
        // A guard against a walk that silently lost its way.
        assert!(of_this > 200, "{}: only {of_this} cases", doc.module);
        cases += of_this;
    }
    assert!(
        failures.is_empty(),
        "{} of {cases} cases failed:\n{}",
        failures.len(),
        failures.iter().take(25).cloned().collect::<Vec<_>>().join("\n")
    );
}

#[test]
fn recorded_real_shapes_parse_with_their_variants() {
    let mut failures = Vec::new();
    let mut fixtures = 0;
    for doc in documents() {
        for (schema, what, value) in recorded(doc.module) {
            fixtures += 1;
            check(&doc, &schema, &format!("recorded `{what}`"), value, &mut failures);
        }
    }
    #[cfg(feature = "v0_7")]
    assert!(
        fixtures >= 5,
        "the recorded corpus is missing ({fixtures} fixtures)"
    );
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.iter().take(25).cloned().collect::<Vec<_>>().join("\n")
    );
}

#[test]
fn the_walk_finds_the_changes_it_promises() {
    // A guard against a corpus that silently tests nothing.
    let doc = json!({"components": {"schemas": {
        "T": {"type": "object", "required": ["a", "b"], "properties": {
            "a": {"type": "string"},
            "b": {"type": "string", "nullable": true},
            "c": {"$ref": "#/components/schemas/E"},
            "d": {"type": "array", "items": {"type": "integer"}}
        }},
        "E": {"type": "string", "enum": ["x"]}
    }}});
    let schema = json!({"$ref": "#/components/schemas/T"});
    let value = synthesize(&doc, &schema, 0);
    assert_eq!(value, json!({"a": "text", "b": "text", "c": "x", "d": [1]}));
    let found: Vec<String> = variants(&doc, &schema, &value, "")
        .into_iter()
        .map(|(w, _)| w)
        .collect();
    assert_eq!(
        found,
        [
            ".b absent",
            ".b null",
            ".c absent",
            ".c = unknown enum value",
            ".d absent",
            " + unknown field"
        ]
    );
}

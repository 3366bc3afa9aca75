//! Rewrites applied to a document before generation. They change what is generated, never
//! what is sent: the middleware supplies what is removed here.

use crate::checks::{deref, for_each_operation, HTTP_METHODS};
use serde_json::{json, Value};

/// Name of the response added as the catch-all for undocumented error statuses.
const CATCH_ALL_RESPONSE: &str = "UnexpectedError";

pub fn preprocess(doc: &mut Value) {
    remove_handwritten_operations(doc);
    strip_accept_parameters(doc);
    add_catch_all_errors(doc);
    strip_request_defaults(doc);
    tolerate_missing_fields(doc);
}

/// The tolerance rule for received data (responses, and every named schema, which covers
/// webhook payloads): a field the service may leave out must not make a whole response
/// fail to parse. In every object schema that request bodies do not use:
///
/// - a `nullable` property is never required: absent and `null` both parse as `None`
///   (typify would otherwise reject an absent `Option` field);
/// - an array or map property is never required: absent parses as empty;
/// - what stays required is what the service always sends: non-nullable scalars and objects
///   such as `uuid`, `datetime_uploaded`, `size`, `is_ready`. A document states that promise
///   by listing such a field in `required` without `nullable`.
///
/// Request-body schemas are left as written, so what is sent stays exactly what the
/// document says (a required nullable field is sent as `null`, not omitted).
fn tolerate_missing_fields(doc: &mut Value) {
    let request_side: std::collections::BTreeSet<String> = request_body_schemas(doc).into_iter().collect();
    let mut pointers = Vec::new();

    let mut visited = std::collections::BTreeSet::new();
    for_each_operation(doc, |path, method, op| {
        let Some(responses) = op.get("responses").and_then(Value::as_object) else {
            return;
        };
        for (status, response) in responses {
            let base = match response.get("$ref").and_then(Value::as_str) {
                Some(reference) => reference.trim_start_matches('#').to_owned(),
                None => format!("/paths/{}/{method}/responses/{}", escape(path), escape(status)),
            };
            let Some(content) = doc.pointer(&format!("{base}/content")).and_then(Value::as_object) else {
                continue;
            };
            for media in content.keys() {
                let pointer = format!("{base}/content/{}/schema", escape(media));
                collect_schema_pointers(doc, pointer, &mut visited, &mut pointers);
            }
        }
    });
    if let Some(schemas) = doc.pointer("/components/schemas").and_then(Value::as_object) {
        for name in schemas.keys() {
            let pointer = format!("/components/schemas/{}", escape(name));
            collect_schema_pointers(doc, pointer, &mut visited, &mut pointers);
        }
    }

    for pointer in pointers {
        if request_side.contains(&pointer) {
            continue;
        }
        let Some(schema) = doc.pointer(&pointer) else {
            continue;
        };
        let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
            continue;
        };
        let relaxed: Vec<String> = properties
            .iter()
            .filter(|(_, property)| may_be_absent(doc, property))
            .map(|(name, _)| name.clone())
            .collect();
        if let Some(Value::Array(required)) = doc.pointer_mut(&pointer).and_then(|s| s.get_mut("required")) {
            required.retain(|name| !name.as_str().is_some_and(|n| relaxed.iter().any(|r| r == n)));
        }
    }
}

/// Whether a property falls under the tolerance rule: nullable (itself, through
/// `allOf: [$ref]`, or its target), an array, or a map.
fn may_be_absent(doc: &Value, property: &Value) -> bool {
    let mut layers = vec![property];
    if let Some(target) = deref(doc, property) {
        layers.push(target);
    }
    if let Some(first) = property
        .get("allOf")
        .and_then(Value::as_array)
        .and_then(|a| a.first())
    {
        if let Some(target) = deref(doc, first) {
            layers.push(target);
        }
    }
    layers.iter().any(|schema| {
        let is_map = schema.get("type").and_then(Value::as_str) == Some("object")
            && schema.get("additionalProperties").is_some_and(Value::is_object)
            && schema.get("properties").is_none();
        schema.get("nullable") == Some(&Value::Bool(true))
            || schema.get("type").and_then(Value::as_str) == Some("array")
            || is_map
    })
}

/// A JSON pointer segment.
fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// Operations marked `x-uploadcare-handwritten: true` (e.g. multipart/form-data uploads,
/// which progenitor cannot generate) stay documented but are implemented by hand.
fn remove_handwritten_operations(doc: &mut Value) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for item in paths.values_mut() {
        if let Some(item) = item.as_object_mut() {
            item.retain(|method, op| {
                !(HTTP_METHODS.contains(&method.as_str())
                    && op.get("x-uploadcare-handwritten") == Some(&Value::Bool(true)))
            });
        }
    }
    paths.retain(|_, item| {
        item.as_object()
            .is_none_or(|item| item.keys().any(|k| HTTP_METHODS.contains(&k.as_str())))
    });
}

/// The `Accept` header selects the API version; the middleware sets it on every request, so
/// it must not become an argument of every generated method.
fn strip_accept_parameters(doc: &mut Value) {
    let snapshot = doc.clone();
    let is_accept = |param: &Value| {
        deref(&snapshot, param).is_some_and(|p| {
            p.get("in").and_then(Value::as_str) == Some("header")
                && p.get("name")
                    .and_then(Value::as_str)
                    .is_some_and(|n| n.eq_ignore_ascii_case("accept"))
        })
    };
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for item in paths.values_mut().filter_map(Value::as_object_mut) {
        for (key, value) in item.iter_mut() {
            let params = if key == "parameters" {
                value.as_array_mut()
            } else if HTTP_METHODS.contains(&key.as_str()) {
                value.get_mut("parameters").and_then(Value::as_array_mut)
            } else {
                None
            };
            if let Some(params) = params {
                params.retain(|p| !is_accept(p));
            }
        }
    }
}

/// Statuses a document does not list still get the shared error type (instead of an
/// untyped "unexpected response"), when the document declares `ErrorBody`.
fn add_catch_all_errors(doc: &mut Value) {
    if doc.pointer("/components/schemas/ErrorBody").is_none() {
        return;
    }
    let responses = doc["components"]
        .as_object_mut()
        .map(|c| c.entry("responses").or_insert_with(|| json!({})));
    if let Some(Value::Object(responses)) = responses {
        responses.entry(CATCH_ALL_RESPONSE).or_insert_with(|| {
            json!({
                "description": "Any other error status.",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}
            })
        });
    }
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for item in paths.values_mut().filter_map(Value::as_object_mut) {
        for (method, op) in item.iter_mut() {
            if !HTTP_METHODS.contains(&method.as_str()) {
                continue;
            }
            if let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) {
                for range in ["4XX", "5XX"] {
                    responses.entry(range).or_insert_with(
                        || json!({"$ref": format!("#/components/responses/{CATCH_ALL_RESPONSE}")}),
                    );
                }
            }
        }
    }
}

/// Bounds on the number of items of JSON array request bodies (`minItems`/`maxItems`),
/// per operationId. progenitor does not check them, so the middleware does, before sending.
pub fn body_item_limits(doc: &Value) -> Vec<(String, u64, u64)> {
    let mut limits = Vec::new();
    for_each_operation(doc, |_, _, op| {
        let Some(id) = op.get("operationId").and_then(Value::as_str) else {
            return;
        };
        let schema = op
            .get("requestBody")
            .and_then(|b| deref(doc, b))
            .and_then(|b| b.pointer("/content/application~1json/schema"))
            .and_then(|s| deref(doc, s));
        let Some(schema) = schema.filter(|s| s.get("type").and_then(Value::as_str) == Some("array")) else {
            return;
        };
        let min = schema.get("minItems").and_then(Value::as_u64).unwrap_or(0);
        let max = schema.get("maxItems").and_then(Value::as_u64).unwrap_or(u64::MAX);
        if min > 0 || max < u64::MAX {
            // progenitor's `OperationInfo::operation_id` is the snake_case method name.
            limits.push((snake_case(id), min, max));
        }
    });
    limits
}

/// `BODY_ITEM_LIMITS`, the table of [`body_item_limits`] as a Rust item of the generated module.
pub fn body_limits_item(limits: &[(String, u64, u64)]) -> syn::Item {
    let rows = limits.iter().map(|(id, min, max)| {
        let (min, max) = (*min as usize, (*max).min(usize::MAX as u64) as usize);
        quote::quote!(crate::runtime::BodyItemLimit { operation_id: #id, min: #min, max: #max })
    });
    syn::parse_quote! {
        /// Item-count bounds of array request bodies, from the document; checked before sending.
        #[allow(dead_code)]
        pub(crate) const BODY_ITEM_LIMITS: &[crate::runtime::BodyItemLimit] = &[#(#rows),*];
    }
}

/// typify turns a property `default` into a non-optional field that is always serialized,
/// so a request would always send (or reset) the documented default. For request bodies
/// the default is the server's business: the generated field stays optional and an unset
/// field is omitted. The default is kept in the description.
fn strip_request_defaults(doc: &mut Value) {
    for pointer in request_body_schemas(doc) {
        let Some(schema) = doc.pointer_mut(&pointer).and_then(Value::as_object_mut) else {
            continue;
        };
        let Some(default) = schema.remove("default") else {
            continue;
        };
        let note = format!("Default (applied by the service when omitted): `{default}`.");
        let description = match schema.get("description").and_then(Value::as_str) {
            Some(text) => format!("{text}\n\n{note}"),
            None => note,
        };
        schema.insert("description".to_owned(), Value::String(description));
    }
}

/// JSON pointers of every schema node that request bodies use (following local `$ref`s).
fn request_body_schemas(doc: &Value) -> Vec<String> {
    let mut pointers = Vec::new();
    let mut visited = std::collections::BTreeSet::new();
    for_each_operation(doc, |path, method, op| {
        let Some(content) = op.pointer("/requestBody/content").and_then(Value::as_object) else {
            return;
        };
        for media in content.keys() {
            let pointer = format!(
                "/paths/{}/{method}/requestBody/content/{}/schema",
                escape(path),
                escape(media)
            );
            collect_schema_pointers(doc, pointer, &mut visited, &mut pointers);
        }
    });
    pointers
}

/// JSON pointers of every schema node reachable from `pointer` (following local `$ref`s).
fn collect_schema_pointers(
    doc: &Value,
    pointer: String,
    visited: &mut std::collections::BTreeSet<String>,
    out: &mut Vec<String>,
) {
    if !visited.insert(pointer.clone()) {
        return;
    }
    let Some(schema) = doc.pointer(&pointer) else {
        return;
    };
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        if let Some(target) = reference.strip_prefix('#') {
            collect_schema_pointers(doc, target.to_owned(), visited, out);
        }
        return;
    }
    out.push(pointer.clone());
    if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
        for name in properties.keys() {
            let child = format!(
                "{pointer}/properties/{}",
                name.replace('~', "~0").replace('/', "~1")
            );
            collect_schema_pointers(doc, child, visited, out);
        }
    }
    for key in ["items", "additionalProperties"] {
        if schema.get(key).is_some_and(Value::is_object) {
            collect_schema_pointers(doc, format!("{pointer}/{key}"), visited, out);
        }
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        if let Some(list) = schema.get(key).and_then(Value::as_array) {
            for i in 0..list.len() {
                collect_schema_pointers(doc, format!("{pointer}/{key}/{i}"), visited, out);
            }
        }
    }
}

/// `filesStoring` → `files_storing`, `fromURLUpload` → `from_url_upload` (word boundaries
/// as progenitor draws them for method names).
pub fn snake_case(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c == '_' || c == '-' || c == ' ' {
            if !out.is_empty() && !out.ends_with('_') {
                out.push('_');
            }
            continue;
        }
        if c.is_uppercase() && i > 0 {
            let prev = chars[i - 1];
            let next_is_lower = chars.get(i + 1).is_some_and(|n| n.is_lowercase());
            let boundary =
                prev.is_lowercase() || prev.is_ascii_digit() || (prev.is_uppercase() && next_is_lower);
            if boundary && !out.ends_with('_') {
                out.push('_');
            }
        }
        out.extend(c.to_lowercase());
    }
    out
}

/// What repeating an operation can do, from its `x-uploadcare-retry` extension.
pub struct OperationKind {
    /// progenitor's name of the operation (snake_case `operationId`).
    pub id: String,
    /// `GET`, `POST`, …
    pub method: String,
    /// The path as the document writes it.
    pub path: String,
    /// `safe`, `idempotent` or `creating`.
    pub kind: String,
}

/// Every operation's retry class (`x-uploadcare-retry`). Runs before the hand-written
/// operations are removed, so they are classified from the same document. A document with
/// an operation that lacks the extension, or has another value, is refused.
pub fn operation_kinds(doc: &Value) -> Result<Vec<OperationKind>, String> {
    let mut kinds = Vec::new();
    let mut problems = Vec::new();
    for_each_operation(doc, |path, method, op| {
        let method = method.to_uppercase();
        let id = op.get("operationId").and_then(Value::as_str).unwrap_or("?");
        match crate::checks::retry_class(op) {
            Ok(kind) => kinds.push(OperationKind {
                id: snake_case(id),
                method,
                path: path.to_owned(),
                kind: kind.to_owned(),
            }),
            Err(problem) => problems.push(format!("  - operation `{id}` ({method} {path}): {problem}")),
        }
    });
    if problems.is_empty() {
        Ok(kinds)
    } else {
        Err(problems.join("\n"))
    }
}

/// `OPERATIONS` and `operation_class`: the table of [`operation_kinds`] as items of the
/// generated module.
pub fn operation_items(kinds: &[OperationKind]) -> Vec<syn::Item> {
    let variant = |kind: &str| -> syn::Ident {
        let name = match kind {
            "safe" => "Safe",
            "idempotent" => "Idempotent",
            _ => "Creating",
        };
        syn::Ident::new(name, proc_macro2::Span::call_site())
    };
    let rows = kinds.iter().map(|k| {
        let (id, method, path, kind) = (&k.id, &k.method, &k.path, variant(&k.kind));
        quote::quote!(crate::retry::Operation {
            id: #id,
            method: #method,
            path: #path,
            kind: crate::retry::OperationKind::#kind,
        })
    });
    let arms = kinds.iter().map(|k| {
        let (id, kind) = (&k.id, variant(&k.kind));
        quote::quote!(#id => Some(crate::retry::OperationKind::#kind))
    });
    vec![
        syn::parse_quote! {
            /// Every operation of the document (the hand-written ones included), with what
            /// repeating it can do (its `x-uploadcare-retry`): every retry decision of the
            /// client derives from this table (see [`crate::retry`]).
            pub const OPERATIONS: &[crate::retry::Operation] = &[#(#rows),*];
        },
        syn::parse_quote! {
            /// What repeating the operation named `id` (snake_case, as in [`OPERATIONS`]) can
            /// do; `None` for a name the document does not have.
            pub fn operation_kind(id: &str) -> Option<crate::retry::OperationKind> {
                match id {
                    #(#arms,)*
                    _ => None,
                }
            }
        },
        syn::parse_quote! {
            /// [`operation_kind`], with an unknown name taken as `Creating` (never repeated
            /// after its request was sent): the safe assumption.
            #[allow(dead_code)]
            pub(crate) fn operation_class(id: &str) -> crate::retry::OperationKind {
                operation_kind(id).unwrap_or(crate::retry::OperationKind::Creating)
            }
        },
    ]
}

//! Generates one Rust client module per enabled OpenAPI document.
//!
//! Pipeline, per document:
//! `openapi/<name>.yaml` → YAML → JSON value → retry classes of every operation
//! (`x-uploadcare-retry`, emitted as `OPERATIONS`/`operation_kind`) → [`preprocess`] (strip the `Accept` header
//! parameter, add catch-all error responses, drop hand-written operations, move
//! request-body defaults into descriptions) → [`checks`] (document shapes that make
//! progenitor/typify panic, and our tolerance rules) → openapiv3 → progenitor (builder interface, hooks `Expected`, inner type
//! `crate::ClientContext`) → [`lean_requests`] (no `api-version` header map per call) → [`open_enums`] (every named string enum becomes an "open"
//! enum with an `Unrecognized(String)` fallback) and [`sensitive`] (secrets get a redacted
//! `Debug`) → prettyplease →
//! `OUT_DIR/<module>.rs`, plus `OUT_DIR/<module>.surface.txt`, a readable listing of the
//! generated surface that the snapshot tests lock.
//!
//! How generated models stay tolerant of what the real service sends:
//! - unknown object fields are ignored: typify only denies them for
//!   `additionalProperties: false`, which [`checks`] rejects;
//! - unknown enum values deserialize into `Unrecognized(String)`: every string enum must be
//!   a named schema, which is replaced by an open enum (see [`open_enums`]);
//! - fields that real responses send as `null` are marked `nullable: true` in the
//!   documents (see the ⚠ notes in the fact sheets) and become `Option`;
//! - fields the service may leave out parse when absent: in every schema that is received
//!   (not only sent), a nullable field is never required (absent ≡ `null` ≡ `None`) and an
//!   array or map field is never required (absent ≡ empty). Only non-nullable scalars and
//!   objects the service always sends stay required: identity and always-present fields
//!   such as `uuid`, `datetime_uploaded`, `size`, `is_ready`
//!   (`preprocess::tolerate_missing_fields`);
//! - `src/corpus.rs` checks all of this on every received schema: the documents' examples,
//!   recorded real-shape bodies (`tests/corpus/`) and their variants must all parse, and
//!   `parse_component` (emitted by [`corpus`], test builds only) maps schema names to types.

#[path = "build/checks.rs"]
mod checks;
#[path = "build/corpus.rs"]
mod corpus;
#[path = "build/lean_requests.rs"]
mod lean_requests;
#[path = "build/open_enums.rs"]
mod open_enums;
#[path = "build/preprocess.rs"]
mod preprocess;
#[path = "build/sensitive.rs"]
mod sensitive;
#[path = "build/surface.rs"]
mod surface;

use std::path::{Path, PathBuf};

/// One OpenAPI document and the module generated from it.
struct Document {
    /// Cargo feature that enables it.
    feature: &'static str,
    /// Path of the document, relative to the crate root.
    path: &'static str,
    /// Rust module (under the crate root) that includes the generated code.
    module: &'static str,
}

const DOCUMENTS: &[Document] = &[
    Document {
        feature: "v0_5",
        path: "openapi/rest-v0.5.yaml",
        module: "v0_5",
    },
    Document {
        feature: "v0_6",
        path: "openapi/rest-v0.6.yaml",
        module: "v0_6",
    },
    Document {
        feature: "v0_7",
        path: "openapi/rest-v0.7.yaml",
        module: "v0_7",
    },
    Document {
        feature: "upload",
        path: "openapi/upload.yaml",
        module: "upload",
    },
    Document {
        feature: "project_api",
        path: "openapi/project-api.yaml",
        module: "project_api",
    },
];

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=build");
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));

    // `cfg(rest)`: at least one REST API version is compiled in (one alias instead of
    // `any(feature = "v0_5", feature = "v0_6", feature = "v0_7")` all over the code).
    println!("cargo::rustc-check-cfg=cfg(rest)");
    let rest = DOCUMENTS
        .iter()
        .filter(|doc| doc.module.starts_with("v0_"))
        .any(|doc| std::env::var_os(format!("CARGO_FEATURE_{}", doc.feature.to_uppercase())).is_some());
    if rest {
        println!("cargo::rustc-cfg=rest");
    }
    // `cfg(api)`: some generated API module (REST or Upload) is compiled in, so the request
    // pipeline has users (with `cdn` alone it has none).
    println!("cargo::rustc-check-cfg=cfg(api)");
    let api = DOCUMENTS
        .iter()
        .any(|doc| std::env::var_os(format!("CARGO_FEATURE_{}", doc.feature.to_uppercase())).is_some());
    if api {
        println!("cargo::rustc-cfg=api");
    }

    for doc in DOCUMENTS {
        println!("cargo:rerun-if-changed={}", doc.path);
        let env_name = format!("CARGO_FEATURE_{}", doc.feature.to_uppercase());
        if std::env::var_os(env_name).is_none() {
            continue;
        }
        if let Err(message) = generate(&root.join(doc.path), doc.module, &out_dir) {
            // A clear, single message instead of a panic deep inside code generation.
            eprintln!(
                "error: cannot generate `{}` from {}:\n{message}",
                doc.module, doc.path
            );
            std::process::exit(1);
        }
    }
}

fn generate(path: &Path, module: &str, out_dir: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("reading the document: {e}"))?;
    let yaml: serde_norway::Value =
        serde_norway::from_str(&text).map_err(|e| format!("the document is not valid YAML: {e}"))?;
    let mut json: serde_json::Value =
        serde_json::to_value(yaml).map_err(|e| format!("the document cannot be represented as JSON: {e}"))?;

    // Checks look at what progenitor will see: after preprocessing (which, e.g., removes
    // the hand-written operations).
    let kinds = preprocess::operation_kinds(&json)?;
    preprocess::preprocess(&mut json);
    let problems = checks::check_document(&json);
    if !problems.is_empty() {
        return Err(problems
            .iter()
            .map(|p| format!("  - {p}"))
            .collect::<Vec<_>>()
            .join("\n"));
    }
    let enums = open_enums::collect(&json)?;
    let sensitive = sensitive::collect(&json);
    let body_limits = preprocess::body_item_limits(&json);

    let declared: std::collections::BTreeSet<String> = enums
        .iter()
        .map(|e| e.name.clone())
        .chain(sensitive.iter().map(|s| s.name.clone()))
        .collect();
    let corpus_doc = json.clone();
    // The JSON fields of every schema, for `ucare schema` (what each command prints).
    write_if_changed(
        &out_dir.join(format!("{module}.fields.json")),
        &schema_fields(&json).to_string(),
    )?;

    let spec: openapiv3::OpenAPI =
        serde_json::from_value(json).map_err(|e| format!("not an OpenAPI 3.0 document: {e}"))?;

    let mut settings = progenitor::GenerationSettings::default();
    settings
        .with_interface(progenitor::InterfaceStyle::Builder)
        .with_tag(progenitor::TagStyle::Merged)
        .with_hooks(progenitor::HooksMode::Expected)
        .with_inner_type(quote::quote!(crate::ClientContext))
        .with_map_type("::std::collections::BTreeMap")
        .with_derive("PartialEq");
    // The error body is one hand-written type shared by every version.
    settings.with_replacement("ErrorBody", "crate::ApiErrorBody", std::iter::empty());
    // Every `format: date-time` is the crate's `Timestamp` (a fixed-format parser for the
    // shape the service sends; a chrono `DateTime<Utc>` underneath).
    settings.with_conversion(
        schemars::schema::SchemaObject {
            instance_type: Some(schemars::schema::InstanceType::String.into()),
            format: Some("date-time".into()),
            ..Default::default()
        },
        "crate::Timestamp",
        [progenitor::TypeImpl::Display, progenitor::TypeImpl::FromStr].into_iter(),
    );
    // Types declared by our macros inside the generated `types` module (see
    // `open_enums` and `sensitive`) replace what typify would generate for those schemas.
    for e in &enums {
        settings.with_replacement(
            &e.name,
            format!("crate::{module}::types::{}", e.name),
            [
                progenitor::TypeImpl::FromStr,
                progenitor::TypeImpl::FromStringIrrefutable,
                progenitor::TypeImpl::Display,
            ]
            .into_iter(),
        );
    }
    for s in &sensitive {
        let path = format!("crate::{module}::types::{}", s.name);
        settings.with_replacement(&s.name, path, [progenitor::TypeImpl::FromStr].into_iter());
    }

    let mut generator = progenitor::Generator::new(&settings);
    let tokens = generator
        .generate_tokens(&spec)
        .map_err(|e| format!("progenitor failed: {e}"))?;
    let mut file: syn::File =
        syn::parse2(tokens).map_err(|e| format!("progenitor produced code that does not parse: {e}"))?;
    let types = file
        .items
        .iter_mut()
        .find_map(|item| match item {
            syn::Item::Mod(m) if m.ident == "types" => m.content.as_mut(),
            _ => None,
        })
        .ok_or("progenitor output has no `types` module")?;
    open_enums::declare(&mut types.1, &enums);
    sensitive::declare(&mut types.1, &sensitive);
    let dispatcher = corpus::dispatcher(&corpus_doc, &types.1, &declared);
    file.items.push(preprocess::body_limits_item(&body_limits));
    file.items.push(dispatcher);
    file.items.extend(preprocess::operation_items(&kinds));
    lean_requests::trim(&mut file);
    if module.starts_with("v0_") {
        lean_requests::drop_accept(&mut file);
    }
    lean_requests::queries_into_url(&mut file)?;
    lean_requests::direct_requests(&mut file);
    lean_requests::own_exchange(&mut file)?;

    let listing = surface::listing(&file, module, &kinds);
    let source = prettyplease::unparse(&file);
    for (operation, _, _) in &body_limits {
        // The middleware matches limits by progenitor's operation name; make sure they agree.
        if !source.contains(&format!("operation_id: \"{operation}\"")) {
            return Err(format!(
                "no generated operation is named `{operation}` (body item limits)"
            ));
        }
    }
    write_if_changed(&out_dir.join(format!("{module}.rs")), &source)?;
    write_if_changed(&out_dir.join(format!("{module}.surface.txt")), &listing)?;
    Ok(())
}

/// `{"File": ["appdata", "content_info", …], …}`: each component schema's property names
/// (its own and those of the schemas it is `allOf`), sorted.
fn schema_fields(doc: &serde_json::Value) -> serde_json::Value {
    fn properties(
        doc: &serde_json::Value,
        schema: &serde_json::Value,
        into: &mut std::collections::BTreeSet<String>,
        depth: u8,
    ) {
        if depth > 8 {
            return;
        }
        if let Some(reference) = schema.get("$ref").and_then(|r| r.as_str()) {
            if let Some(target) = reference
                .strip_prefix("#/components/schemas/")
                .and_then(|name| doc.pointer(&format!("/components/schemas/{name}")))
            {
                properties(doc, target, into, depth + 1);
            }
        }
        if let Some(own) = schema.get("properties").and_then(|p| p.as_object()) {
            into.extend(own.keys().cloned());
        }
        for list in ["allOf"] {
            for member in schema.get(list).and_then(|m| m.as_array()).into_iter().flatten() {
                properties(doc, member, into, depth + 1);
            }
        }
    }
    let mut out = serde_json::Map::new();
    if let Some(schemas) = doc.pointer("/components/schemas").and_then(|s| s.as_object()) {
        for (name, schema) in schemas {
            let mut fields = std::collections::BTreeSet::new();
            properties(doc, schema, &mut fields, 0);
            if !fields.is_empty() {
                out.insert(name.clone(), fields.into_iter().collect());
            }
        }
    }
    serde_json::Value::Object(out)
}

fn write_if_changed(path: &Path, content: &str) -> Result<(), String> {
    if std::fs::read_to_string(path).ok().as_deref() == Some(content) {
        return Ok(());
    }
    std::fs::write(path, content).map_err(|e| format!("writing {}: {e}", path.display()))
}

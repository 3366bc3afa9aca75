//! The limits the client, the emulator and the CLI read (`uploadcare::limits`) agree with
//! the OpenAPI documents, which state the same facts for the generated code: a change on
//! one side fails here until the other follows.

use crate::common::document::OpenApiDoc;
use serde_json::Value;
use uploadcare::limits;

/// A number at a JSON pointer of the document (after `$ref`s of the last step).
fn number(doc: &OpenApiDoc, pointer: &str) -> u64 {
    let value = doc
        .value
        .pointer(pointer)
        .unwrap_or_else(|| panic!("{pointer} is not in the document"));
    doc.resolve(value)
        .as_u64()
        .unwrap_or_else(|| panic!("{pointer} is not a number: {value}"))
}

/// The schema of query parameter `name` of operation `operation_id`.
fn query_schema<'a>(doc: &'a OpenApiDoc, operation_id: &str, name: &str) -> &'a Value {
    let (_, _, operation) = doc.operation(operation_id);
    operation["parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| doc.resolve(p))
        .find(|p| p["name"] == name)
        .map(|p| doc.resolve(&p["schema"]))
        .unwrap_or_else(|| panic!("{operation_id} has no parameter {name}"))
}

/// The request body schema of `operation_id` (its first media type).
fn body_schema<'a>(doc: &'a OpenApiDoc, operation_id: &str) -> &'a Value {
    let (_, _, operation) = doc.operation(operation_id);
    let content = doc.resolve(&operation["requestBody"])["content"]
        .as_object()
        .and_then(|media| media.values().next())
        .unwrap_or_else(|| panic!("{operation_id} has no request body"));
    doc.resolve(&content["schema"])
}

/// Both APIs' metadata key and value schemas.
fn metadata_limits_match(doc: &OpenApiDoc) {
    let schemas = "/components/schemas";
    assert_eq!(
        number(doc, &format!("{schemas}/MetadataKey/maxLength")),
        limits::MAX_METADATA_KEY_LEN as u64
    );
    assert_eq!(
        number(doc, &format!("{schemas}/MetadataValue/maxLength")),
        limits::MAX_METADATA_VALUE_LEN as u64
    );
}

#[test]
fn rest_limits_match_the_document() {
    let doc = OpenApiDoc::load("rest-v0.7.yaml");
    metadata_limits_match(&doc);
    let schemas = "/components/schemas";
    assert_eq!(
        number(&doc, &format!("{schemas}/Metadata/maxProperties")),
        limits::MAX_METADATA_KEYS as u64
    );
    assert_eq!(
        number(&doc, &format!("{schemas}/WebhookSigningSecret/maxLength")),
        limits::MAX_WEBHOOK_SIGNING_SECRET_LEN as u64
    );
    let target_url = &body_schema(&doc, "webhookCreate")["properties"]["target_url"];
    assert_eq!(target_url["maxLength"], limits::MAX_WEBHOOK_TARGET_URL_LEN);
    for operation in ["filesStoring", "filesDelete"] {
        assert_eq!(
            body_schema(&doc, operation)["maxItems"],
            limits::MAX_BATCH_UUIDS,
            "{operation}"
        );
    }
    for operation in ["filesList", "groupsList"] {
        let limit = query_schema(&doc, operation, "limit");
        assert_eq!(limit["maximum"], limits::MAX_LIST_PAGE, "{operation}");
        assert_eq!(limit["default"], limits::DEFAULT_LIST_PAGE, "{operation}");
    }
    assert_eq!(
        query_schema(&doc, "searchFiles", "limit")["maximum"],
        limits::MAX_SEARCH_PAGE
    );
}

#[test]
fn upload_limits_match_the_document() {
    let doc = OpenApiDoc::load("upload.yaml");
    metadata_limits_match(&doc);
}

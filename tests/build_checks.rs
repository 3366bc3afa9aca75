//! build.rs refuses document shapes that make progenitor/typify panic (or that break our
//! tolerance rules) with a message naming the place to fix. The checks module is shared
//! with build.rs, so these tests exercise the code the build runs.

#[path = "../build/checks.rs"]
#[allow(dead_code)]
mod checks;

use serde_json::{json, Value};

fn document(paths: Value, schemas: Value) -> Value {
    json!({
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "0.7"},
        "paths": paths,
        "components": {
            "schemas": schemas,
            "responses": {
                "Failure": {"description": "e", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}}
            }
        }
    })
}

fn ok_response(schema: &str) -> Value {
    json!({"description": "ok", "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{schema}")}}}})
}

fn problems(doc: &Value) -> String {
    checks::check_document(doc).join("\n")
}

#[test]
fn the_shipped_rest_v0_7_document_passes() {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/rest-v0.7.yaml")).unwrap();
    let doc: Value = serde_norway::from_str(&text).unwrap();
    assert_eq!(problems(&doc), "");
}

#[test]
fn a_clean_document_passes() {
    let doc = document(
        json!({"/files/": {"get": {"operationId": "filesList", "x-uploadcare-retry": "safe", "responses": {"200": ok_response("Page"), "404": {"$ref": "#/components/responses/Failure"}}}}}),
        json!({"Page": {"type": "object"}, "ErrorBody": {}}),
    );
    assert_eq!(problems(&doc), "");
}

#[test]
fn every_operation_must_say_what_repeating_it_can_do() {
    let doc = document(
        json!({"/files/": {
            "get": {"operationId": "filesList", "responses": {"200": ok_response("Page")}},
            "post": {"operationId": "copyFile", "x-uploadcare-retry": "sometimes", "responses": {"200": ok_response("Page")}}
        }}),
        json!({"Page": {"type": "object"}, "ErrorBody": {}}),
    );
    let p = problems(&doc);
    assert!(
        p.contains("operation `filesList` (GET /files/): no `x-uploadcare-retry`"),
        "{p}"
    );
    assert!(
        p.contains("operation `copyFile` (POST /files/): `x-uploadcare-retry: sometimes` is not one of"),
        "{p}"
    );
}

#[test]
fn case_insensitive_enum_collisions_are_reported() {
    let doc = document(
        json!({}),
        json!({"ColorMode": {"type": "string", "enum": ["RGB", "LA", "La"]}}),
    );
    let p = problems(&doc);
    assert!(
        p.contains("#/components/schemas/ColorMode") && p.contains("`LA` and `La`"),
        "{p}"
    );
    // Named variants make them distinct.
    let doc = document(
        json!({}),
        json!({"ColorMode": {"type": "string", "enum": ["RGB", "LA", "La"], "x-enum-varnames": ["Rgb", "La", "LaPremultiplied"]}}),
    );
    assert!(!problems(&doc).contains("ColorMode"), "{}", problems(&doc));
}

#[test]
fn different_success_schemas_in_one_operation_are_reported() {
    let doc = document(
        json!({"/files/remote_copy/": {"post": {"operationId": "createRemoteCopy", "responses": {"200": ok_response("A"), "201": ok_response("B")}}}}),
        json!({"A": {"type": "object"}, "B": {"type": "object"}}),
    );
    let p = problems(&doc);
    assert!(
        p.contains("operation `createRemoteCopy`")
            && p.contains("success responses map to 2 different types"),
        "{p}"
    );
}

#[test]
fn different_error_schemas_in_one_operation_are_reported() {
    let doc = document(
        json!({"/project/": {"get": {"operationId": "projectInfo", "responses": {
            "200": ok_response("A"),
            "400": ok_response("A"),
            "401": {"$ref": "#/components/responses/Failure"}
        }}}}),
        json!({"A": {"type": "object"}, "ErrorBody": {}}),
    );
    let p = problems(&doc);
    assert!(
        p.contains("operation `projectInfo`") && p.contains("error responses map to 2 different types"),
        "{p}"
    );
}

#[test]
fn refs_into_a_response_are_reported() {
    let doc = document(
        json!({"/x/": {"get": {"operationId": "x", "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {
            "$ref": "#/components/responses/Failure/content/application~1json/schema"
        }}}}}}}}),
        json!({"ErrorBody": {}}),
    );
    let p = problems(&doc);
    assert!(p.contains("points inside a component"), "{p}");
}

#[test]
fn inline_enums_closed_objects_and_unmarked_secrets_are_reported() {
    let doc = document(
        json!({}),
        json!({"Webhook": {"type": "object", "additionalProperties": false, "properties": {
            "event": {"type": "string", "enum": ["file.uploaded"]},
            "signing_secret": {"type": "string"}
        }}}),
    );
    let p = problems(&doc);
    assert!(
        p.contains("#/components/schemas/Webhook/properties/event: inline `enum`"),
        "{p}"
    );
    assert!(
        p.contains("#/components/schemas/Webhook: `additionalProperties: false`"),
        "{p}"
    );
    assert!(
        p.contains("properties/signing_secret: a secret must refer"),
        "{p}"
    );
}

#[test]
fn operations_without_id_and_multipart_bodies_are_reported() {
    let doc = document(
        json!({"/base/": {"post": {
            "requestBody": {"content": {"multipart/form-data": {"schema": {"type": "object"}}}},
            "responses": {"200": ok_response("A")}
        }}, "/group/": {"post": {
            "operationId": "createGroup",
            "requestBody": {"content": {"multipart/form-data": {"schema": {"type": "object"}}}},
            "responses": {"200": ok_response("A")}
        }}}),
        json!({"A": {"type": "object"}}),
    );
    let p = problems(&doc);
    assert!(p.contains("POST /base/: missing operationId"), "{p}");
    assert!(
        p.contains("operation `createGroup`") && p.contains("multipart/form-data"),
        "{p}"
    );
}

//! File tags (REST API 0.7): `GET`, `PUT` (replace) and `PATCH` (delete, then add)
//! `/files/{uuid}/tags/`.
//!
//! Tags are normalized and checked as in [`crate::tags`]. A refused request changes
//! nothing and answers 400 in the field-keyed validation layout, keyed by the request field
//! that holds the bad value (`tags` for `PUT`, `add`/`delete` for `PATCH`): the fact sheet
//! allows this layout or a `detail` one, and the field-keyed one tells a client which list to
//! fix. 0.5/0.6 requests get the answer of a path without a route, as before tags existed.

use super::{detail, json_body, no_route, not_found, reply, validation, Rest};
use crate::deliveries::{previous_values, EventCause};
use crate::state::{ApiVersion, Project};
use crate::tags::{changes, check_file_tags, check_tag, normalize};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::Method;
use axum::response::Response;
use axum::routing::get;
use axum::{Extension, Router};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use uploadcare::webhooks::EventName;
use uuid::Uuid;

pub(super) fn routes() -> Router<Rest> {
    Router::new().route(
        "/files/{uuid}/tags/",
        get(get_tags)
            .put(replace_tags)
            .patch(update_tags)
            .fallback(other_method),
    )
}

/// A 400 answer with one message for `field`.
fn invalid(field: &str, message: impl Into<String>) -> Response {
    validation(&BTreeMap::from([(field.to_owned(), vec![message.into()])]))
}

/// The tags endpoints exist from 0.7 on.
fn tags_version(version: ApiVersion) -> Result<(), Response> {
    if version == ApiVersion::V0_7 {
        Ok(())
    } else {
        Err(no_route())
    }
}

/// A live file's UUID from the path; unknown, removed or not a UUID → 404.
fn live_uuid(project: &Project, raw: &str) -> Result<Uuid, Response> {
    raw.parse::<Uuid>()
        .ok()
        .filter(|uuid| project.live_file(uuid).is_some())
        .ok_or_else(not_found)
}

/// The JSON object of a request body; bad JSON → 400 like the other JSON endpoints, another
/// JSON value → the serializer's message under `non_field_errors`.
fn object_body(body: &Bytes) -> Result<Map<String, Value>, Response> {
    match json_body(body)? {
        Value::Object(object) => Ok(object),
        other => Err(invalid(
            "non_field_errors",
            format!(
                "Invalid data. Expected a dictionary, but got {}.",
                type_name(&other)
            ),
        )),
    }
}

/// Field `field` as a list of strings, normalized, each tag checked; `None` when absent.
fn tag_list(object: &Map<String, Value>, field: &str) -> Result<Option<Vec<String>>, Response> {
    let Some(value) = object.get(field) else {
        return Ok(None);
    };
    let Value::Array(items) = value else {
        return Err(invalid(
            field,
            format!("Expected a list of items but got type \"{}\".", type_name(value)),
        ));
    };
    let mut texts = Vec::with_capacity(items.len());
    for item in items {
        match item {
            Value::String(text) => texts.push(text.as_str()),
            _ => return Err(invalid(field, "Not a valid string.")),
        }
    }
    let tags = normalize(texts);
    for tag in &tags {
        check_tag(tag).map_err(|e| invalid(field, e.message()))?;
    }
    Ok(Some(tags))
}

/// Python's name of a JSON value's type, as the service's messages use it.
pub(super) fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "NoneType",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "float",
        Value::Number(_) => "int",
        Value::String(_) => "str",
        Value::Array(_) => "list",
        Value::Object(_) => "dict",
    }
}

async fn get_tags(
    State(rest): State<Rest>,
    Extension(version): Extension<ApiVersion>,
    Path(uuid): Path<String>,
) -> Response {
    if let Err(response) = tags_version(version) {
        return response;
    }
    let project = rest.state.lock();
    let uuid = match live_uuid(&project, &uuid) {
        Ok(uuid) => uuid,
        Err(response) => return response,
    };
    match project.live_file(&uuid) {
        Some(file) => reply(version, 200, &json!({"tags": file.tags})),
        None => not_found(),
    }
}

/// Stores `tags` on the file (when they differ), announces `file.info_updated`, and answers
/// `{"tags", "added", "deleted"}`. `field`: where a count error is reported.
fn apply(project: &mut Project, version: ApiVersion, uuid: Uuid, tags: Vec<String>, field: &str) -> Response {
    if let Err(error) = check_file_tags(&tags) {
        return invalid(field, error.message());
    }
    let Some(file) = project.files.get_mut(&uuid) else {
        return not_found();
    };
    let previous = previous_values(file);
    let (added, deleted) = changes(&file.tags, &tags);
    let changed = file.tags != tags;
    file.tags = tags.clone();
    if changed {
        project.reindex_for_search(uuid);
        project.webhook_event(EventName::FileInfoUpdated, uuid, &EventCause::Api, Some(previous));
    }
    reply(
        version,
        200,
        &json!({"tags": tags, "added": added, "deleted": deleted}),
    )
}

/// `PUT`: `{"tags": [..]}` replaces the list (an empty one clears it).
async fn replace_tags(
    State(rest): State<Rest>,
    Extension(version): Extension<ApiVersion>,
    Path(uuid): Path<String>,
    body: Bytes,
) -> Response {
    if let Err(response) = tags_version(version) {
        return response;
    }
    let mut project = rest.state.lock();
    let uuid = match live_uuid(&project, &uuid) {
        Ok(uuid) => uuid,
        Err(response) => return response,
    };
    let object = match object_body(&body) {
        Ok(object) => object,
        Err(response) => return response,
    };
    let tags = match tag_list(&object, "tags") {
        Ok(Some(tags)) => tags,
        Ok(None) => return invalid("tags", "This field is required."),
        Err(response) => return response,
    };
    apply(&mut project, version, uuid, tags, "tags")
}

/// `PATCH`: `{"add": [..], "delete": [..]}` (each optional): `delete` first, then `add`, as
/// one change — a tag in both is removed and added again, ending at the end of the list.
async fn update_tags(
    State(rest): State<Rest>,
    Extension(version): Extension<ApiVersion>,
    Path(uuid): Path<String>,
    body: Bytes,
) -> Response {
    if let Err(response) = tags_version(version) {
        return response;
    }
    let mut project = rest.state.lock();
    let uuid = match live_uuid(&project, &uuid) {
        Ok(uuid) => uuid,
        Err(response) => return response,
    };
    let object = match object_body(&body) {
        Ok(object) => object,
        Err(response) => return response,
    };
    let (add, delete) = match (tag_list(&object, "add"), tag_list(&object, "delete")) {
        (Ok(add), Ok(delete)) => (add.unwrap_or_default(), delete.unwrap_or_default()),
        (Err(response), _) | (_, Err(response)) => return response,
    };
    let Some(file) = project.live_file(&uuid) else {
        return not_found();
    };
    let mut tags: Vec<String> = file
        .tags
        .iter()
        .filter(|t| !delete.contains(t))
        .cloned()
        .collect();
    for tag in add {
        if !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    apply(&mut project, version, uuid, tags, "add")
}

/// Other methods: 405 in 0.7 (the service's REST framework answer), no route before.
async fn other_method(Extension(version): Extension<ApiVersion>, method: Method) -> Response {
    if let Err(response) = tags_version(version) {
        return response;
    }
    detail(405, format!("Method \"{method}\" not allowed."))
}

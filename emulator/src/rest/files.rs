//! Files: list, info, store, remove (single and batch), metadata; and the project.

use super::{detail, json_body, no_content, not_found, parse_bool, query_pairs, reply, Rest};
use crate::deliveries::{previous_values, EventCause};
use crate::file_map::{ListQuery, Listed};
use crate::state::{ApiVersion, Project};
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use axum::routing::{get, put};
use axum::{Extension, Router};
use chrono::{DateTime, NaiveDateTime, Utc};
use serde_json::{json, Value};
use uploadcare::webhooks::EventName;
use uuid::Uuid;

pub(super) fn routes() -> Router<Rest> {
    Router::new()
        .route("/project/", get(project))
        .route("/files/", get(list))
        .route("/files/storage/", put(batch_store).delete(batch_remove))
        .route("/files/{uuid}/", get(info).delete(remove_legacy))
        .route("/files/{uuid}/storage/", put(store).delete(remove))
        .route("/files/{uuid}/metadata/", get(metadata_all))
        .route(
            "/files/{uuid}/metadata/{key}/",
            get(metadata_get).put(metadata_put).delete(metadata_delete),
        )
}

use uploadcare::limits::{
    is_metadata_key, DEFAULT_LIST_PAGE, MAX_BATCH_UUIDS, MAX_LIST_PAGE, MAX_METADATA_KEYS,
    MAX_METADATA_KEY_LEN, MAX_METADATA_VALUE_LEN,
};

async fn project(State(rest): State<Rest>, Extension(version): Extension<ApiVersion>) -> Response {
    let project = rest.state.lock();
    let collaborators: Vec<Value> = project
        .collaborators
        .iter()
        .map(|(email, name)| json!({"email": email, "name": name}))
        .collect();
    let body = json!({
        "name": project.name,
        "pub_key": project.public_key,
        "autostore_enabled": project.autostore,
        "collaborators": collaborators,
    });
    reply(version, 200, &body)
}

fn parse_uuid(raw: &str) -> Result<Uuid, Response> {
    raw.parse().map_err(|_| not_found())
}

/// Whether the caller asked for add-on data (`include=appdata` in 0.7,
/// `add_fields=rekognition_info` before).
fn wants_appdata(pairs: &[(String, String)]) -> bool {
    pairs.iter().any(|(k, v)| {
        (k == "include" && v.split(',').any(|x| x == "appdata"))
            || (k == "add_fields" && v.split(',').any(|x| x == "rekognition_info"))
    })
}

/// A date-time as the `from` parameter gives it (with or without offset).
fn parse_datetime(value: &str) -> Option<DateTime<Utc>> {
    if let Ok(at) = DateTime::parse_from_rfc3339(value) {
        return Some(at.with_timezone(&Utc));
    }
    NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        .map(|naive| naive.and_utc())
}

async fn list(
    State(rest): State<Rest>,
    Extension(version): Extension<ApiVersion>,
    RawQuery(query): RawQuery,
) -> Response {
    let pairs = query_pairs(query.as_deref());
    let param = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());

    let removed = match param("removed").map(parse_bool) {
        None => false,
        Some(Some(b)) => b,
        Some(None) => return detail(400, "`removed` must be `true` or `false`."),
    };
    let stored = match param("stored").map(parse_bool) {
        None => None,
        Some(Some(b)) => Some(b),
        Some(None) => return detail(400, "`stored` must be `true` or `false`."),
    };
    let limit = match param("limit").map(str::parse::<u64>) {
        None => DEFAULT_LIST_PAGE as usize,
        Some(Ok(n)) if (1..=MAX_LIST_PAGE).contains(&n) => n as usize,
        Some(_) => {
            return detail(
                400,
                format!("`limit` must be an integer from 1 to {MAX_LIST_PAGE}."),
            )
        }
    };
    let offset = match param("offset").map(str::parse::<usize>) {
        None => 0,
        Some(Ok(n)) => n,
        Some(_) => return detail(400, "`offset` must be a non-negative integer."),
    };
    let ordering = param("ordering").unwrap_or("datetime_uploaded");
    let by_size = match (ordering.trim_start_matches('-'), version) {
        ("datetime_uploaded", _) => false,
        ("size", ApiVersion::V0_5 | ApiVersion::V0_6) => true,
        _ => return detail(400, format!("Unsupported ordering `{ordering}`.")),
    };
    let descending = ordering.starts_with('-');

    let project = rest.state.lock();
    // The files in list order, kept between the pages of a walk (see `Files::list_order`).
    let order = project.files.list_order(ListQuery {
        removed,
        stored,
        by_size,
        descending,
    });
    let files = &order.files;
    // `from` keeps the files at or after it in the list's order; `offset` then skips files
    // that share that value (what the service's page links carry).
    let from_start = match param("from") {
        None => 0,
        Some(from) if by_size => {
            let Ok(from) = from.parse::<i64>() else {
                return detail(400, "`from` must be a size in bytes when ordering by size.");
            };
            files.partition_point(|&(size, _, _)| if descending { size > from } else { size < from })
        }
        Some(from) => {
            let Some(from) = parse_datetime(from) else {
                return detail(400, "`from` must be a date-time like 2015-09-10T10:00:00Z.");
            };
            files.partition_point(|&(_, at, _)| if descending { at > from } else { at < from })
        }
    };
    let start = (from_start + offset).min(files.len());
    let total = files.len() - from_start;
    let appdata = wants_appdata(&pairs);
    let results: Vec<Value> = files[start..]
        .iter()
        .take(limit)
        .filter_map(|(_, _, uuid)| project.files.get(uuid))
        .map(|f| f.to_rest_json(version, &rest.urls, appdata))
        .collect();
    // Page links are cursors, like the service's: `from` is the value of the page's first
    // file (its upload time, or its size when ordering by size) and `offset` counts the
    // files before it that share that value (next to it: the list is in that order).
    let page_url = |at: usize| {
        let cursor = |&(size, uploaded, _): &Listed| {
            if by_size {
                size
            } else {
                uploaded.timestamp_micros()
            }
        };
        let first = &files[at];
        let ties = files[..at]
            .iter()
            .rev()
            .take_while(|f| cursor(f) == cursor(first))
            .count();
        let from = if by_size {
            first.0.to_string()
        } else {
            first.1.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
        };
        let mut link: Vec<(String, String)> = pairs
            .iter()
            .filter(|(k, _)| k != "offset" && k != "from" && k != "limit")
            .cloned()
            .collect();
        link.push(("from".into(), from));
        link.push(("limit".into(), limit.to_string()));
        link.push(("offset".into(), ties.to_string()));
        let query = serde_urlencoded::to_string(&link).unwrap_or_default();
        format!("{}/files/?{query}", rest.urls.rest)
    };
    let next = (start + limit < files.len()).then(|| page_url(start + limit));
    let previous = (start > 0).then(|| page_url(start.saturating_sub(limit)));
    let mut body = json!({
        "next": next,
        "previous": previous,
        "total": total,
        "per_page": limit,
        "results": results,
    });
    if version != ApiVersion::V0_5 {
        let [removed, stored, unstored] = order.totals;
        body["totals"] = json!({ "removed": removed, "stored": stored, "unstored": unstored });
    }
    reply(version, 200, &body)
}

async fn info(
    State(rest): State<Rest>,
    Extension(version): Extension<ApiVersion>,
    Path(uuid): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let uuid = match parse_uuid(&uuid) {
        Ok(uuid) => uuid,
        Err(response) => return response,
    };
    let appdata = wants_appdata(&query_pairs(query.as_deref()));
    let project = rest.state.lock();
    match project.files.get(&uuid) {
        Some(file) => reply(version, 200, &file.to_rest_json(version, &rest.urls, appdata)),
        None => not_found(),
    }
}

/// Stores one file; `Err` is the answer for a missing or removed file. Storing an unstored
/// file is announced as `file.stored` (storing it again is not an event).
fn store_one(project: &mut Project, uuid: Uuid) -> Result<(), &'static str> {
    let now = project.now();
    let file = project.files.get_mut(&uuid).ok_or("Missing in the project")?;
    if file.removed.is_some() {
        return Err("File is removed");
    }
    if file.stored.is_none() {
        file.stored = Some(now);
        project.webhook_event(EventName::FileStored, uuid, &EventCause::Api, None);
    }
    Ok(())
}

/// Removes one file from storage (content is gone, the record stays), announced as
/// `file.deleted` the first time.
fn remove_one(project: &mut Project, uuid: Uuid) -> Result<(), &'static str> {
    let now = project.now();
    let file = project.files.get_mut(&uuid).ok_or("Missing in the project")?;
    if file.removed.is_none() {
        file.removed = Some(now);
        file.stored = None;
        project.reindex_for_search(uuid);
        project.webhook_event(EventName::FileDeleted, uuid, &EventCause::Api, None);
    }
    Ok(())
}

async fn single(
    rest: Rest,
    version: ApiVersion,
    uuid: &str,
    action: fn(&mut Project, Uuid) -> Result<(), &'static str>,
) -> Response {
    let uuid = match parse_uuid(uuid) {
        Ok(uuid) => uuid,
        Err(response) => return response,
    };
    let mut project = rest.state.lock();
    if action(&mut project, uuid).is_err() {
        return not_found();
    }
    let file = &project.files[&uuid];
    reply(version, 200, &file.to_rest_json(version, &rest.urls, false))
}

async fn store(
    State(rest): State<Rest>,
    Extension(version): Extension<ApiVersion>,
    Path(uuid): Path<String>,
) -> Response {
    single(rest, version, &uuid, store_one).await
}

async fn remove(
    State(rest): State<Rest>,
    Extension(version): Extension<ApiVersion>,
    Path(uuid): Path<String>,
) -> Response {
    single(rest, version, &uuid, remove_one).await
}

/// `DELETE /files/{uuid}/`: 0.5 and 0.6 only (0.7 removed it).
async fn remove_legacy(
    State(rest): State<Rest>,
    Extension(version): Extension<ApiVersion>,
    Path(uuid): Path<String>,
) -> Response {
    if version == ApiVersion::V0_7 {
        return detail(405, "Method \"DELETE\" not allowed.");
    }
    single(rest, version, &uuid, remove_one).await
}

async fn batch(
    rest: Rest,
    version: ApiVersion,
    body: Bytes,
    action: fn(&mut Project, Uuid) -> Result<(), &'static str>,
) -> Response {
    let Ok(Value::Array(items)) = json_body(&body) else {
        return detail(400, "Expected list of UUIDs");
    };
    if items.is_empty() {
        return detail(400, "List of UUIDs can not be empty");
    }
    if items.len() > MAX_BATCH_UUIDS {
        return detail(
            400,
            format!("Maximum UUIDs per request is exceeded. The limit is {MAX_BATCH_UUIDS}"),
        );
    }
    let mut project = rest.state.lock();
    let mut problems = serde_json::Map::new();
    let mut result = Vec::new();
    for item in &items {
        let text = item
            .as_str()
            .map(str::to_owned)
            .unwrap_or_else(|| item.to_string());
        match text.parse::<Uuid>() {
            Err(_) => {
                problems.insert(text, json!("Invalid"));
            }
            Ok(uuid) => match action(&mut project, uuid) {
                Ok(()) => result.push(project.files[&uuid].to_rest_json(version, &rest.urls, false)),
                Err(problem) => {
                    problems.insert(text, json!(problem));
                }
            },
        }
    }
    reply(
        version,
        200,
        &json!({"status": "ok", "problems": problems, "result": result}),
    )
}

async fn batch_store(
    State(rest): State<Rest>,
    Extension(version): Extension<ApiVersion>,
    body: Bytes,
) -> Response {
    batch(rest, version, body, store_one).await
}

async fn batch_remove(
    State(rest): State<Rest>,
    Extension(version): Extension<ApiVersion>,
    body: Bytes,
) -> Response {
    batch(rest, version, body, remove_one).await
}

/// Metadata exists from 0.7 on.
fn metadata_version(version: ApiVersion) -> Result<(), Response> {
    if version == ApiVersion::V0_7 {
        Ok(())
    } else {
        Err(not_found())
    }
}

async fn metadata_all(
    State(rest): State<Rest>,
    Extension(version): Extension<ApiVersion>,
    Path(uuid): Path<String>,
) -> Response {
    if let Err(response) = metadata_version(version) {
        return response;
    }
    let Ok(uuid) = uuid.parse::<Uuid>() else {
        return not_found();
    };
    match rest.state.lock().files.get(&uuid) {
        Some(file) => reply(version, 200, &json!(file.metadata)),
        None => not_found(),
    }
}

async fn metadata_get(
    State(rest): State<Rest>,
    Extension(version): Extension<ApiVersion>,
    Path((uuid, key)): Path<(String, String)>,
) -> Response {
    if let Err(response) = metadata_version(version) {
        return response;
    }
    let Ok(uuid) = uuid.parse::<Uuid>() else {
        return not_found();
    };
    match rest
        .state
        .lock()
        .files
        .get(&uuid)
        .and_then(|f| f.metadata.get(&key))
    {
        Some(value) => reply(version, 200, &json!(value)),
        None => not_found(),
    }
}

async fn metadata_put(
    State(rest): State<Rest>,
    Extension(version): Extension<ApiVersion>,
    Path((uuid, key)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    if let Err(response) = metadata_version(version) {
        return response;
    }
    let Ok(uuid) = uuid.parse::<Uuid>() else {
        return not_found();
    };
    if !is_metadata_key(&key) {
        return detail(
            400,
            format!("Invalid metadata key: use 1 to {MAX_METADATA_KEY_LEN} of A-Z a-z 0-9 _ - . :"),
        );
    }
    let value = match json_body(&body) {
        Ok(Value::String(value)) if (1..=MAX_METADATA_VALUE_LEN).contains(&value.chars().count()) => value,
        _ => {
            return detail(
                400,
                format!("Metadata value must be a JSON string of 1 to {MAX_METADATA_VALUE_LEN} characters."),
            )
        }
    };
    let mut project = rest.state.lock();
    let Some(file) = project.files.get_mut(&uuid) else {
        return not_found();
    };
    let created = !file.metadata.contains_key(&key);
    if created && file.metadata.len() >= MAX_METADATA_KEYS {
        return detail(
            400,
            format!("A file can have at most {MAX_METADATA_KEYS} metadata keys."),
        );
    }
    let previous = previous_values(file);
    let changed = file.metadata.get(&key) != Some(&value);
    file.metadata.insert(key, value.clone());
    if changed {
        project.reindex_for_search(uuid);
        project.webhook_event(EventName::FileInfoUpdated, uuid, &EventCause::Api, Some(previous));
    }
    reply(version, if created { 201 } else { 200 }, &json!(value))
}

async fn metadata_delete(
    State(rest): State<Rest>,
    Extension(version): Extension<ApiVersion>,
    Path((uuid, key)): Path<(String, String)>,
) -> Response {
    if let Err(response) = metadata_version(version) {
        return response;
    }
    let Ok(uuid) = uuid.parse::<Uuid>() else {
        return not_found();
    };
    let mut project = rest.state.lock();
    let Some(file) = project
        .files
        .get_mut(&uuid)
        .filter(|f| f.metadata.contains_key(&key))
    else {
        return not_found();
    };
    let previous = previous_values(file);
    file.metadata.remove(&key);
    project.reindex_for_search(uuid);
    project.webhook_event(EventName::FileInfoUpdated, uuid, &EventCause::Api, Some(previous));
    no_content()
}

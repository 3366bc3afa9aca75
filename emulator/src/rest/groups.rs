//! Groups: list, info (with files), delete (0.7), store (0.5/0.6).

use super::{detail, no_content, not_found, query_pairs, reply, Rest};
use crate::deliveries::EventCause;
use crate::state::{timestamp, ApiVersion, GroupRecord, Project, Urls};
use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use axum::routing::{get, put};
use axum::{Extension, Router};
use chrono::{DateTime, NaiveDateTime, Utc};
use serde_json::{json, Value};
use uploadcare::limits::{DEFAULT_LIST_PAGE, MAX_LIST_PAGE};
use uploadcare::webhooks::EventName;

pub(super) fn routes() -> Router<Rest> {
    Router::new()
        .route("/groups/", get(list))
        .route("/groups/{id}/", get(info).delete(remove))
        .route("/groups/{id}/storage/", put(store))
}

/// A date-time as `from` gives it (with or without offset; no offset means UTC).
pub(super) fn parse_datetime(value: &str) -> Option<DateTime<Utc>> {
    if let Ok(at) = DateTime::parse_from_rfc3339(value) {
        return Some(at.with_timezone(&Utc));
    }
    NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        .map(|naive| naive.and_utc())
}

/// The group object with `files`: each present file as a file object plus
/// `default_effects`, `null` for files that are removed or gone.
pub(super) fn group_with_files(
    project: &Project,
    group: &GroupRecord,
    version: ApiVersion,
    urls: &Urls,
) -> Value {
    let files: Vec<Value> = group
        .files
        .iter()
        .map(|uuid| match project.live_file(uuid) {
            Some(file) => {
                let mut file = file.to_rest_json(version, urls, false);
                file["default_effects"] = json!("");
                file
            }
            None => Value::Null,
        })
        .collect();
    let mut body = group.to_json(version, urls);
    body["files"] = Value::Array(files);
    body
}

/// `GET /groups/`. Pages are addressed by `from` (the creation time of a page's first
/// group) and `limit`, both parameters the clients send, so `next`/`previous` can be
/// followed with a typed client as well as by URL. Creation times are unique (see
/// `Project::now`), so `from` is unambiguous.
async fn list(
    State(rest): State<Rest>,
    Extension(version): Extension<ApiVersion>,
    RawQuery(query): RawQuery,
) -> Response {
    let pairs = query_pairs(query.as_deref());
    let param = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
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
    let descending = match param("ordering").unwrap_or("datetime_created") {
        "datetime_created" => false,
        "-datetime_created" => true,
        other => return detail(400, format!("Unsupported ordering `{other}`.")),
    };
    let from = match param("from").map(parse_datetime) {
        None => None,
        Some(Some(from)) => Some(from),
        Some(None) => {
            return detail(
                400,
                "`from` must be a date-time like 2015-01-02T10:00:00.463352Z.",
            )
        }
    };

    let project = rest.state.lock();
    let mut groups: Vec<&GroupRecord> = project.groups.values().collect();
    groups.sort_by_key(|g| g.created);
    if descending {
        groups.reverse();
    }
    // Index of the first group at or past `from` in the listing order.
    let start = from.map_or(0, |from| {
        groups
            .iter()
            .position(|g| {
                if descending {
                    g.created <= from
                } else {
                    g.created >= from
                }
            })
            .unwrap_or(groups.len())
    });
    let end = (start + limit).min(groups.len());
    let page_url = |first: &GroupRecord| {
        let mut page: Vec<(String, String)> = pairs
            .iter()
            .filter(|(k, _)| k != "from" && k != "limit" && k != "offset")
            .cloned()
            .collect();
        page.push(("from".into(), timestamp(first.created)));
        page.push(("limit".into(), limit.to_string()));
        let query = serde_urlencoded::to_string(&page).unwrap_or_default();
        format!("{}/groups/?{query}", rest.urls.rest)
    };
    let next = groups.get(end).filter(|_| end > start).map(|g| page_url(g));
    let previous = (start > 0).then(|| page_url(groups[start.saturating_sub(limit)]));
    let results: Vec<Value> = groups[start..end]
        .iter()
        .map(|g| g.to_json(version, &rest.urls))
        .collect();
    let body = json!({
        "next": next,
        "previous": previous,
        "total": groups.len(),
        "per_page": limit,
        "results": results,
    });
    reply(version, 200, &body)
}

async fn info(
    State(rest): State<Rest>,
    Extension(version): Extension<ApiVersion>,
    Path(id): Path<String>,
) -> Response {
    let project = rest.state.lock();
    match project.groups.get(&id) {
        Some(group) => reply(
            version,
            200,
            &group_with_files(&project, group, version, &rest.urls),
        ),
        None => not_found(),
    }
}

/// `DELETE /groups/{id}/` (0.7): removes the group object only; its files stay.
async fn remove(
    State(rest): State<Rest>,
    Extension(version): Extension<ApiVersion>,
    Path(id): Path<String>,
) -> Response {
    if version != ApiVersion::V0_7 {
        return detail(405, "Method \"DELETE\" not allowed.");
    }
    match rest.state.lock().groups.remove(&id) {
        Some(_) => no_content(),
        None => not_found(),
    }
}

/// `PUT /groups/{id}/storage/` (0.5 and 0.6; gone in 0.7): stores every file of the group.
async fn store(
    State(rest): State<Rest>,
    Extension(version): Extension<ApiVersion>,
    Path(id): Path<String>,
) -> Response {
    if version == ApiVersion::V0_7 {
        return not_found();
    }
    let mut project = rest.state.lock();
    let Some(files) = project.groups.get(&id).map(|g| g.files.clone()) else {
        return not_found();
    };
    let now = project.now();
    for uuid in files {
        if let Some(file) = project.files.get_mut(&uuid) {
            if file.removed.is_none() && file.stored.is_none() {
                file.stored = Some(now);
                project.webhook_event(EventName::FileStored, uuid, &EventCause::Api, None);
            }
        }
    }
    let group = project.groups.get_mut(&id).expect("checked above");
    group.stored.get_or_insert(now);
    let group = group.clone();
    reply(
        version,
        200,
        &group_with_files(&project, &group, version, &rest.urls),
    )
}

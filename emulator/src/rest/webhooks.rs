//! Webhooks: list, create, update (PUT from 0.6, POST in 0.5), unsubscribe (DELETE from
//! 0.6, POST in 0.5), and the undocumented `DELETE /webhooks/{id}/`.

use super::{detail, form_body, no_content, not_found, parse_bool, reply, Rest};
use crate::state::{ApiVersion, WebhookRecord};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use serde_json::Value;
use uploadcare::limits::{MAX_WEBHOOK_SIGNING_SECRET_LEN, MAX_WEBHOOK_TARGET_URL_LEN};
use uploadcare::webhooks::EventName;

pub(super) fn routes() -> Router<Rest> {
    Router::new()
        .route("/webhooks/", get(list).post(create))
        .route(
            "/webhooks/unsubscribe/",
            post(unsubscribe_v0_5).delete(unsubscribe),
        )
        .route(
            "/webhooks/{id}/",
            post(update_v0_5).put(update).delete(delete_one),
        )
}

/// Events a webhook can subscribe to: the library's list.
const EVENTS: &[&str] = EventName::KNOWN;
const TARGET_URL_MISSING: &str = "`target_url` is missing.";

fn not_allowed(method: &str) -> Response {
    detail(405, format!("Method \"{method}\" not allowed."))
}

/// Payload versions a webhook created through API `version` may ask for, default first.
fn payload_versions(version: ApiVersion) -> &'static [&'static str] {
    match version {
        ApiVersion::V0_5 => &["0.5", "0.6", "0.7"],
        ApiVersion::V0_6 => &["0.6", "0.7"],
        ApiVersion::V0_7 => &["0.7"],
    }
}

/// The request's fields: form-urlencoded as documented, or a JSON object (accepted by the
/// service too).
fn fields(headers: &HeaderMap, body: &Bytes) -> Vec<(String, String)> {
    let is_json = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !is_json {
        return form_body(body);
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(object)) => object
            .into_iter()
            .filter(|(_, v)| !v.is_null())
            .map(|(k, v)| {
                let text = match v {
                    Value::String(s) => s,
                    other => other.to_string(),
                };
                (k, text)
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Validated webhook fields; `None` where the request does not set them.
#[derive(Default)]
struct Changes {
    target_url: Option<String>,
    event: Option<String>,
    is_active: Option<bool>,
    signing_secret: Option<Option<String>>,
    version: Option<String>,
}

fn parse_changes(pairs: &[(String, String)], api: ApiVersion, creating: bool) -> Result<Changes, Response> {
    let field = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    let mut changes = Changes::default();
    if let Some(url) = field("target_url") {
        if url.chars().count() > MAX_WEBHOOK_TARGET_URL_LEN {
            return Err(detail(
                400,
                format!("Ensure `target_url` has no more than {MAX_WEBHOOK_TARGET_URL_LEN} characters."),
            ));
        }
        if !(url.starts_with("http://") || url.starts_with("https://")) || url.len() <= "https://".len() {
            return Err(detail(400, "`target_url` must be a valid URL."));
        }
        changes.target_url = Some(url.to_owned());
    }
    if let Some(event) = field("event") {
        if !EVENTS.contains(&event) {
            return Err(detail(
                400,
                format!("`event` has an unsupported value: \"{event}\"."),
            ));
        }
        changes.event = Some(event.to_owned());
    }
    if let Some(active) = field("is_active") {
        changes.is_active =
            Some(parse_bool(active).ok_or_else(|| detail(400, "`is_active` must be `true` or `false`."))?);
    }
    if let Some(secret) = field("signing_secret") {
        if secret.chars().count() > MAX_WEBHOOK_SIGNING_SECRET_LEN {
            return Err(detail(
                400,
                format!(
                    "Ensure `signing_secret` has no more than {MAX_WEBHOOK_SIGNING_SECRET_LEN} characters."
                ),
            ));
        }
        changes.signing_secret = Some((!secret.is_empty()).then(|| secret.to_owned()));
    }
    if creating {
        if let Some(version) = field("version") {
            if !payload_versions(api).contains(&version) {
                return Err(detail(
                    400,
                    format!("`version` has an unsupported value: \"{version}\"."),
                ));
            }
            changes.version = Some(version.to_owned());
        }
    }
    Ok(changes)
}

async fn list(State(rest): State<Rest>, Extension(version): Extension<ApiVersion>) -> Response {
    let project = rest.state.lock();
    let hooks: Vec<Value> = project.webhooks.values().map(|h| h.to_json(project.id)).collect();
    reply(version, 200, &Value::Array(hooks))
}

async fn create(
    State(rest): State<Rest>,
    Extension(version): Extension<ApiVersion>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let pairs = fields(&headers, &body);
    if !pairs.iter().any(|(k, v)| k == "target_url" && !v.is_empty()) {
        return detail(400, TARGET_URL_MISSING);
    }
    if !pairs.iter().any(|(k, v)| k == "event" && !v.is_empty()) {
        return detail(400, "`event` is missing.");
    }
    let changes = match parse_changes(&pairs, version, true) {
        Ok(changes) => changes,
        Err(response) => return response,
    };
    let (target_url, event) = (
        changes.target_url.unwrap_or_default(),
        changes.event.unwrap_or_default(),
    );
    let mut project = rest.state.lock();
    if project
        .webhooks
        .values()
        .any(|h| h.target_url == target_url && h.event == event)
    {
        return already_subscribed();
    }
    let id = project.next_number();
    let now = project.now();
    let hook = WebhookRecord {
        id,
        target_url,
        event,
        is_active: changes.is_active.unwrap_or(true),
        signing_secret: changes.signing_secret.flatten(),
        version: changes
            .version
            .unwrap_or_else(|| payload_versions(version)[0].to_owned()),
        created: now,
        updated: now,
    };
    let body = hook.to_json(project.id);
    project.webhooks.insert(id, hook);
    reply(version, 201, &body)
}

fn apply_update(rest: &Rest, version: ApiVersion, id: &str, headers: &HeaderMap, body: &Bytes) -> Response {
    let Ok(id) = id.parse::<i64>() else {
        return not_found();
    };
    let changes = match parse_changes(&fields(headers, body), version, false) {
        Ok(changes) => changes,
        Err(response) => return response,
    };
    let mut project = rest.state.lock();
    let Some(current) = project.webhooks.get(&id) else {
        return not_found();
    };
    let target_url = changes.target_url.unwrap_or_else(|| current.target_url.clone());
    let event = changes.event.unwrap_or_else(|| current.event.clone());
    let clash = project
        .webhooks
        .values()
        .any(|h| h.id != id && h.target_url == target_url && h.event == event);
    if clash {
        return already_subscribed();
    }
    let now = project.now();
    let project_id = project.id;
    let hook = project.webhooks.get_mut(&id).expect("checked above");
    hook.target_url = target_url;
    hook.event = event;
    if let Some(active) = changes.is_active {
        hook.is_active = active;
    }
    if let Some(secret) = changes.signing_secret {
        hook.signing_secret = secret;
    }
    hook.updated = now;
    reply(version, 200, &hook.to_json(project_id))
}

/// `PUT /webhooks/{id}/` (0.6 and 0.7).
async fn update(
    State(rest): State<Rest>,
    Extension(version): Extension<ApiVersion>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if version == ApiVersion::V0_5 {
        return not_allowed("PUT");
    }
    apply_update(&rest, version, &id, &headers, &body)
}

/// 0.5 updates a webhook with `POST /webhooks/{id}/` (0.6 changed it to PUT).
async fn update_v0_5(
    State(rest): State<Rest>,
    Extension(version): Extension<ApiVersion>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if version != ApiVersion::V0_5 {
        return not_allowed("POST");
    }
    apply_update(&rest, version, &id, &headers, &body)
}

/// `DELETE /webhooks/{id}/`: not in the documents, but the service answers it (204).
async fn delete_one(State(rest): State<Rest>, Path(id): Path<String>) -> Response {
    let Ok(id) = id.parse::<i64>() else {
        return not_found();
    };
    match rest.state.lock().webhooks.remove(&id) {
        Some(_) => no_content(),
        None => not_found(),
    }
}

fn remove_by_url(rest: &Rest, headers: &HeaderMap, body: &Bytes) -> Response {
    let pairs = fields(headers, body);
    let Some(url) = pairs
        .iter()
        .find(|(k, v)| k == "target_url" && !v.is_empty())
        .map(|(_, v)| v)
    else {
        return detail(400, TARGET_URL_MISSING);
    };
    rest.state.lock().webhooks.retain(|_, h| &h.target_url != url);
    no_content()
}

/// `DELETE /webhooks/unsubscribe/` (0.6 and 0.7): removes every webhook of `target_url`.
async fn unsubscribe(
    State(rest): State<Rest>,
    Extension(version): Extension<ApiVersion>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if version == ApiVersion::V0_5 {
        return not_allowed("DELETE");
    }
    remove_by_url(&rest, &headers, &body)
}

/// 0.5 unsubscribes with `POST /webhooks/unsubscribe/`.
async fn unsubscribe_v0_5(
    State(rest): State<Rest>,
    Extension(version): Extension<ApiVersion>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if version != ApiVersion::V0_5 {
        return not_allowed("POST");
    }
    remove_by_url(&rest, &headers, &body)
}

/// The service's answer to a second subscription of one URL to one event: a validation
/// error in the `non_field_errors` layout (pyuploadcare raises `WebhookIsNotUnique` on it).
fn already_subscribed() -> Response {
    let body =
        serde_json::json!({ "non_field_errors": ["This project is already subscribed on this event"] });
    (
        axum::http::StatusCode::BAD_REQUEST,
        [("content-type", "application/json")],
        body.to_string(),
    )
        .into_response()
}

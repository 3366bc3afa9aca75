//! The control API: steer a running emulator from any language's tests, over HTTP, under
//! `/__emulator/` on both ports. Answers are JSON. It goes around fault injection and the
//! request log (a test's own fault must not hit its control calls), and is off with
//! `--no-control`. When the emulator listens beyond the loopback interface it requires
//! `Authorization: Bearer <control token>`.
//!
//! | Method | Path | What |
//! |---|---|---|
//! | GET | `health`, `ready` | `{"status":"ok", "rest", "upload", "cdn", "sessions", "requests"}` |
//! | GET | `sessions` | every session: its name and projects (public key, files, groups, webhooks, requests) |
//! | POST | `reset` | empties every session (named ones are forgotten); faults and clock stay |
//! | POST | `sessions/<name>/reset` | empties one session |
//! | GET | `faults` | `{"rules": ["PUT /multipart/part/ 503 x2", …], "applied": [{api, method, path, fault}, …]}` |
//! | POST | `faults` | adds a rule: its text form as the body, or `{"rule": "…"}` |
//! | DELETE | `faults` | removes every rule |
//! | PUT | `faults/seed` | `{"seed": N}`: restarts the generator of `p=` rules |
//! | GET | `requests` | the session's request log; filters `api`, `method`, `path` (prefix), `status` |
//! | GET | `files`, `files/<uuid>` | the session's files (REST 0.7 layout plus `tags`, `removed`) |
//! | GET | `files/<uuid>/content` | a file's bytes |
//! | POST | `files?name=…&store=true` | adds a file (the body is its content, up to the direct-upload limit) → its object |
//! | POST | `files?name=…&count=N` | adds N such files at once (sharing the body) → `{"uuids": […]}` |
//! | GET | `groups` | the session's groups, with their files' UUIDs |
//! | GET | `deliveries` | the session's webhook deliveries |
//! | GET, PUT | `clock` | `{"offset_secs": N}`: the emulator's clock against the machine's |
//! | GET, PATCH | `settings` | `{"autostore", "signed_uploads"}` of the session's project |
//!
//! The session is the default one unless the query says `session=NAME` (or the
//! `X-Uploadcare-Emulator-Session` header names one); the project is the first one unless
//! the query says `project=PUBLIC_KEY`.

use crate::faults::{FaultRule, Faults, Traffic};
use crate::sessions::{storage_error, valid_name, ProjectEntry, Sessions, SESSION_HEADER};
use crate::state::{ApiVersion, Urls};
use crate::{DeliveryStatus, Options};
use axum::body::Bytes;
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::Arc;

/// The path prefix of the control API.
pub const CONTROL_PATH: &str = "/__emulator";

/// What the control handlers reach.
#[derive(Clone)]
pub(crate) struct Control {
    pub(crate) sessions: Sessions,
    pub(crate) faults: Faults,
    pub(crate) traffic: Traffic,
    pub(crate) options: Arc<Options>,
    pub(crate) urls: Urls,
    /// Required as `Authorization: Bearer …` when set.
    pub(crate) token: Option<uploadcare::SecretKey>,
}

/// The control router (to nest under [`CONTROL_PATH`]).
pub(crate) fn router(control: Control) -> Router {
    Router::new()
        .route("/health", get(health))
        .route("/ready", get(health))
        .route("/sessions", get(sessions))
        .route("/reset", post(reset_all))
        .route("/sessions/{name}/reset", post(reset_one))
        .route("/faults", get(faults).post(add_fault).delete(clear_faults))
        .route("/faults/seed", put(seed_faults))
        .route("/requests", get(requests))
        .route(
            "/files",
            get(files)
                .post(add_file)
                .layer(axum::extract::DefaultBodyLimit::max(
                    crate::upload::MAX_DIRECT_FILE_SIZE as usize,
                )),
        )
        .route("/files/{uuid}", get(file))
        .route("/files/{uuid}/content", get(content))
        .route("/groups", get(groups))
        .route("/deliveries", get(deliveries))
        .route("/clock", get(clock).put(set_clock))
        .route("/settings", get(settings).patch(set_settings))
        .fallback(|| async { error(StatusCode::NOT_FOUND, "no such control endpoint") })
        .layer(axum::middleware::from_fn_with_state(control.clone(), authorize))
        .with_state(control)
}

fn error(status: StatusCode, message: impl std::fmt::Display) -> Response {
    (status, Json(json!({ "error": message.to_string() }))).into_response()
}

async fn authorize(State(control): State<Control>, request: Request, next: Next) -> Response {
    if let Some(token) = &control.token {
        let given = request
            .headers()
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or("");
        // Equal-time comparison: the answer's timing says nothing about the token.
        if !uploadcare::internal::constant_time_eq(given.as_bytes(), token.expose_secret().as_bytes()) {
            return error(
                StatusCode::UNAUTHORIZED,
                "the control API needs `Authorization: Bearer <control token>`",
            );
        }
    }
    next.run(request).await
}

/// The `session` query parameter (with the other filters of the endpoint).
#[derive(Deserialize, Default)]
struct Selector {
    session: Option<String>,
    api: Option<String>,
    method: Option<String>,
    path: Option<String>,
    status: Option<u16>,
    name: Option<String>,
    store: Option<bool>,
    project: Option<String>,
    count: Option<usize>,
}

impl Selector {
    /// The session named by the query or the header (`None`: the default one).
    fn name(&self, headers: &HeaderMap) -> Result<Option<String>, Response> {
        let name = match &self.session {
            Some(name) => Some(name.clone()),
            None => headers
                .get(SESSION_HEADER)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
        };
        match name {
            Some(name) if !valid_name(&name) => Err(error(StatusCode::BAD_REQUEST, "invalid session name")),
            name => Ok(name),
        }
    }

    /// The named session's project (`project=PUBLIC_KEY`, else its first), the session
    /// created if new (reads of an unknown session see it empty).
    fn session(
        &self,
        control: &Control,
        headers: &HeaderMap,
    ) -> Result<(Option<String>, ProjectEntry), Response> {
        let name = self.name(headers)?;
        let session = control
            .sessions
            .session(name.as_deref())
            .map_err(|e| storage_error(&e))?;
        let project = match &self.project {
            None => session.first(),
            Some(key) => session
                .project(key)
                .ok_or_else(|| error(StatusCode::NOT_FOUND, format!("no project `{key}`")))?,
        };
        Ok((name, project))
    }
}

/// The session's project a control request is about, from its query (or header), with the
/// query's filters: every session-scoped handler takes it.
struct Scoped {
    /// The session's name (`None`: the default session).
    name: Option<String>,
    /// The project.
    session: ProjectEntry,
    /// The query (filters).
    q: Selector,
}

impl axum::extract::FromRequestParts<Control> for Scoped {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        control: &Control,
    ) -> Result<Self, Response> {
        let Query(q) = Query::<Selector>::from_request_parts(parts, control)
            .await
            .map_err(|e| error(StatusCode::BAD_REQUEST, e.body_text()))?;
        let (name, session) = q.session(control, &parts.headers)?;
        Ok(Scoped { name, session, q })
    }
}

async fn health(State(control): State<Control>) -> Response {
    Json(json!({
        "status": "ok",
        "rest": control.urls.rest,
        "upload": control.urls.upload,
        "cdn": control.urls.cdn,
        "sessions": control.sessions.all().len(),
        "requests": control.traffic.requests(),
    }))
    .into_response()
}

async fn sessions(State(control): State<Control>) -> Response {
    let all: Vec<Value> = control
        .sessions
        .all()
        .into_iter()
        .map(|(name, session)| {
            let projects: Vec<Value> = session
                .projects()
                .iter()
                .map(|entry| {
                    let project = entry.state.lock();
                    json!({
                        "public_key": &*entry.public_key,
                        "files": project.files.len(),
                        "groups": project.groups.len(),
                        "webhooks": project.webhooks.len(),
                        "requests": project.requests.len(),
                    })
                })
                .collect();
            json!({ "name": name, "projects": projects })
        })
        .collect();
    Json(all).into_response()
}

async fn reset_all(State(control): State<Control>) -> Response {
    match control.sessions.reset_all() {
        Ok(()) => Json(json!({ "reset": "all" })).into_response(),
        Err(e) => storage_error(&e),
    }
}

async fn reset_one(State(control): State<Control>, Path(name): Path<String>) -> Response {
    if !valid_name(&name) {
        return error(StatusCode::BAD_REQUEST, "invalid session name");
    }
    match control.sessions.reset(Some(&name)) {
        Ok(true) => Json(json!({ "reset": name })).into_response(),
        Ok(false) => error(StatusCode::NOT_FOUND, format!("no session `{name}`")),
        Err(e) => storage_error(&e),
    }
}

async fn faults(State(control): State<Control>) -> Response {
    let rules: Vec<String> = control.faults.rules().iter().map(ToString::to_string).collect();
    let applied: Vec<Value> = control
        .faults
        .applied_log()
        .into_iter()
        .map(|a| json!({ "api": a.api.name(), "method": a.method, "path": a.path, "fault": a.fault.to_string() }))
        .collect();
    Json(json!({ "rules": rules, "applied": applied })).into_response()
}

async fn add_fault(State(control): State<Control>, body: Bytes) -> Response {
    let text = match serde_json::from_slice::<Value>(&body) {
        Ok(Value::Object(object)) => match object.get("rule").and_then(Value::as_str) {
            Some(rule) => rule.to_owned(),
            None => return error(StatusCode::BAD_REQUEST, "expected {\"rule\": \"…\"}"),
        },
        _ => String::from_utf8_lossy(&body).into_owned(),
    };
    match text.parse::<FaultRule>() {
        Ok(rule) => {
            let shown = rule.to_string();
            control.faults.add(rule);
            (StatusCode::CREATED, Json(json!({ "rule": shown }))).into_response()
        }
        Err(reason) => error(StatusCode::BAD_REQUEST, reason),
    }
}

async fn clear_faults(State(control): State<Control>) -> Response {
    control.faults.clear();
    Json(json!({ "rules": [] })).into_response()
}

#[derive(Deserialize)]
struct Seed {
    seed: u64,
}

async fn seed_faults(State(control): State<Control>, Json(seed): Json<Seed>) -> Response {
    control.faults.seed(seed.seed);
    Json(json!({ "seed": seed.seed })).into_response()
}

async fn requests(scoped: Scoped) -> Response {
    let Scoped { session, q, .. } = scoped;
    let log = session.state.requests();
    let matching: Vec<Value> = log
        .iter()
        .filter(|r| q.api.as_deref().is_none_or(|api| api == r.api))
        .filter(|r| {
            q.method
                .as_deref()
                .is_none_or(|m| m.eq_ignore_ascii_case(&r.method))
        })
        .filter(|r| q.path.as_deref().is_none_or(|p| r.path.starts_with(p)))
        .filter(|r| q.status.is_none_or(|s| s == r.status))
        // No query strings: they may carry signatures.
        .map(|r| json!({ "api": r.api, "method": r.method, "path": r.path, "status": r.status }))
        .collect();
    Json(matching).into_response()
}

/// A file as the control API shows it: the REST 0.7 object, plus what 0.7 leaves out.
fn file_json(file: &crate::FileRecord, urls: &Urls) -> Value {
    let mut object = file.to_rest_json(ApiVersion::V0_7, urls, true);
    object["tags"] = json!(file.tags);
    object["datetime_removed"] = json!(file.removed.map(crate::state::timestamp));
    object
}

async fn files(State(control): State<Control>, scoped: Scoped) -> Response {
    let Scoped { name, session, .. } = scoped;
    let urls = session_urls(&control, name.as_deref());
    let project = session.state.lock();
    let all: Vec<Value> = project.files.values().map(|f| file_json(f, &urls)).collect();
    Json(all).into_response()
}

async fn file(State(control): State<Control>, Path(uuid): Path<String>, scoped: Scoped) -> Response {
    let Scoped { name, session, .. } = scoped;
    let urls = session_urls(&control, name.as_deref());
    match uuid.parse().ok().and_then(|uuid| session.state.file(uuid)) {
        Some(file) => Json(file_json(&file, &urls)).into_response(),
        None => error(StatusCode::NOT_FOUND, format!("no file `{uuid}`")),
    }
}

async fn content(Path(uuid): Path<String>, scoped: Scoped) -> Response {
    match uuid.parse().ok().and_then(|uuid| scoped.session.state.file(uuid)) {
        Some(file) => ([("content-type", file.mime_type.clone())], file.data).into_response(),
        None => error(StatusCode::NOT_FOUND, format!("no file `{uuid}`")),
    }
}

async fn add_file(
    State(control): State<Control>,
    headers: HeaderMap,
    scoped: Scoped,
    body: Bytes,
) -> Response {
    let Scoped { name, session, q } = scoped;
    let filename = q.name.clone().unwrap_or_else(|| "file".to_owned());
    let mime = crate::upload::detect_mime(
        &filename,
        headers.get("content-type").and_then(|v| v.to_str().ok()),
        &body,
    );
    if let Some(count) = q.count {
        return add_files(
            &control,
            name.as_deref(),
            &session,
            count,
            (&filename, &mime),
            body,
            q.store,
        );
    }
    let uuid = session.state.add_file(&filename, &mime, body, q.store);
    if let Err(e) = control.sessions.save(name.as_deref(), &session) {
        return storage_error(&e);
    }
    let urls = session_urls(&control, name.as_deref());
    match session.state.file(uuid) {
        Some(file) => (StatusCode::CREATED, Json(file_json(&file, &urls))).into_response(),
        None => error(StatusCode::INTERNAL_SERVER_ERROR, "the file vanished"),
    }
}

/// Most files one `files?count=N` request adds.
const MAX_BULK_FILES: usize = 1_000_000;

/// `count` files of the same content (shared, not copied) under one lock, e.g. to fill a
/// project for a benchmark: answers their UUIDs, in upload order.
fn add_files(
    control: &Control,
    name: Option<&str>,
    session: &ProjectEntry,
    count: usize,
    (filename, mime): (&str, &str),
    body: Bytes,
    store: Option<bool>,
) -> Response {
    if !(1..=MAX_BULK_FILES).contains(&count) {
        return error(
            StatusCode::BAD_REQUEST,
            format!("`count` must be from 1 to {MAX_BULK_FILES}"),
        );
    }
    let uuids: Vec<uuid::Uuid> = {
        let mut project = session.state.lock();
        (0..count)
            .map(|_| project.add_file(filename, mime, body.clone(), store))
            .collect()
    };
    if let Err(e) = control.sessions.save(name, session) {
        return storage_error(&e);
    }
    (StatusCode::CREATED, Json(json!({ "uuids": uuids }))).into_response()
}

async fn groups(State(control): State<Control>, scoped: Scoped) -> Response {
    let Scoped { name, session, .. } = scoped;
    let urls = session_urls(&control, name.as_deref());
    let project = session.state.lock();
    let all: Vec<Value> = project
        .groups
        .values()
        .map(|g| {
            let mut object = g.to_json(ApiVersion::V0_7, &urls);
            object["files"] = json!(g.files);
            object
        })
        .collect();
    Json(all).into_response()
}

async fn deliveries(scoped: Scoped) -> Response {
    let all: Vec<Value> = scoped
        .session
        .state
        .deliveries()
        .into_iter()
        .map(|d| {
            let (status, http_status, error) = match &d.status {
                DeliveryStatus::Pending => ("pending", None, None),
                DeliveryStatus::Delivered { status } => ("delivered", Some(*status), None),
                DeliveryStatus::Rejected { status } => ("rejected", Some(*status), None),
                DeliveryStatus::Failed { error } => ("failed", None, Some(error.clone())),
                DeliveryStatus::NotSent => ("not_sent", None, None),
            };
            json!({
                "id": d.id,
                "webhook_id": d.webhook_id,
                "event": d.event,
                "target_url": d.target_url,
                "file": d.file,
                "body": serde_json::from_str::<Value>(&d.body).unwrap_or(Value::String(d.body.clone())),
                "signed": d.signature.is_some(),
                "status": status,
                "http_status": http_status,
                "error": error,
                "attempts": d.attempts,
            })
        })
        .collect();
    Json(all).into_response()
}

#[derive(Deserialize)]
struct ClockOffset {
    offset_secs: i64,
}

async fn clock(State(control): State<Control>) -> Response {
    Json(json!({ "offset_secs": control.options.clock.offset_secs() })).into_response()
}

async fn set_clock(State(control): State<Control>, Json(offset): Json<ClockOffset>) -> Response {
    control.options.clock.set_offset_secs(offset.offset_secs);
    Json(json!({ "offset_secs": offset.offset_secs })).into_response()
}

/// The settings a test may change on a session's project.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SettingsPatch {
    autostore: Option<bool>,
    signed_uploads: Option<bool>,
}

fn settings_json(session: &ProjectEntry) -> Value {
    let project = session.state.lock();
    json!({ "autostore": project.autostore, "signed_uploads": project.signed_uploads })
}

async fn settings(scoped: Scoped) -> Response {
    Json(settings_json(&scoped.session)).into_response()
}

async fn set_settings(State(control): State<Control>, scoped: Scoped, body: Bytes) -> Response {
    let Scoped { name, session, .. } = scoped;
    let patch: SettingsPatch = match serde_json::from_slice(&body) {
        Ok(patch) => patch,
        Err(e) => return error(StatusCode::BAD_REQUEST, format!("settings: {e}")),
    };
    {
        let mut project = session.state.lock();
        if let Some(autostore) = patch.autostore {
            project.autostore = autostore;
        }
        if let Some(signed) = patch.signed_uploads {
            project.signed_uploads = signed;
        }
    }
    if let Err(e) = control.sessions.save(name.as_deref(), &session) {
        return storage_error(&e);
    }
    Json(settings_json(&session)).into_response()
}

/// The URLs objects of a session refer to.
fn session_urls(control: &Control, name: Option<&str>) -> Urls {
    match name.filter(|n| *n != crate::session_name::DEFAULT_SESSION) {
        None => control.urls.clone(),
        Some(name) => crate::sessions::session_urls(&control.urls, name),
    }
}

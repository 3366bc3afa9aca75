//! The path of every API request through the sessions: the outermost middleware reads the
//! session a request names ([`route_session`]); the innermost handler ([`dispatch`]) answers
//! the Project API itself and runs everything else through the router of the session's
//! project the request is for, then records the project's usage and saves it.

use crate::faults::FaultApi;
use crate::session_name::{
    valid_name, ReceivedPath, SessionName, DEFAULT_SESSION, MAX_NAME_LEN, SESSION_HEADER, SESSION_PATH_PREFIX,
};
use crate::sessions::{storage_error, Sessions};
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;
use tower::ServiceExt;

fn bad_session() -> Response {
    (
        StatusCode::BAD_REQUEST,
        format!(
            "Bad Request: an emulator session name is 1 to {MAX_NAME_LEN} characters of A-Z a-z 0-9 . _ - starting with a letter or digit"
        ),
    )
        .into_response()
}

/// The outermost middleware of both APIs: reads the session a request names (path prefix,
/// else header), takes the prefix off the path (the original stays in [`ReceivedPath`], which
/// REST signatures are checked against) and records the name for [`dispatch`] and the
/// request log.
pub(crate) async fn route_session(mut request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let received = ReceivedPath(path.to_owned());
    let name = if let Some(tail) = path.strip_prefix(SESSION_PATH_PREFIX) {
        let (name, rest) = tail.split_once('/').unwrap_or((tail, ""));
        if !valid_name(name) {
            return bad_session();
        }
        let name = name.to_owned();
        let path_and_query = match request.uri().query() {
            Some(query) => format!("/{rest}?{query}"),
            None => format!("/{rest}"),
        };
        let mut parts = request.uri().clone().into_parts();
        parts.path_and_query = path_and_query.parse().ok();
        match Uri::from_parts(parts) {
            Ok(uri) => *request.uri_mut() = uri,
            Err(_) => return bad_session(),
        }
        Some(name)
    } else {
        match request.headers().get(SESSION_HEADER).map(|v| v.to_str()) {
            None => None,
            Some(Ok(name)) if valid_name(name) => Some(name.to_owned()),
            Some(_) => return bad_session(),
        }
    };
    let name: Arc<str> = name.as_deref().unwrap_or(DEFAULT_SESSION).into();
    request.extensions_mut().insert(SessionName(name));
    request.extensions_mut().insert(received);
    next.run(request).await
}

/// The innermost handler of both APIs: runs the request through the router of its
/// session's project, then writes that project to the data directory (when there is one) if
/// it changed.
pub(crate) async fn dispatch(
    State((sessions, api)): State<(Sessions, FaultApi)>,
    request: Request,
) -> Response {
    let name = request.extensions().get::<SessionName>().map(|n| n.0.clone());
    let session = match sessions.session(name.as_deref()) {
        Ok(session) => session,
        Err(e) => return storage_error(&e),
    };
    if api == FaultApi::Rest && crate::account::is_project_api(request.uri().path()) {
        return crate::account::serve(&sessions, &session, request).await;
    }
    let several = session.len() > 1;
    let (project, request) = if several {
        let (target, request) = crate::routing::target(api, request).await;
        (session.pick(&target), request)
    } else {
        (session.first(), request)
    };
    let router = match api {
        FaultApi::Rest => project.rest.clone(),
        FaultApi::Upload => project.upload.clone(),
    };
    let cdn = api == FaultApi::Upload && request.uri().path().starts_with("/cdn/");
    let changes = !matches!(*request.method(), Method::GET | Method::HEAD);
    // The Project API's usage: CDN bytes, API operations, stored bytes, per day; an earlier
    // day's stored bytes are summed up before this request can change them.
    let day = chrono::DateTime::<chrono::Utc>::from(session.options().now()).date_naive();
    project.state.lock().settle_storage_before(day);
    let response = match router.oneshot(request).await {
        Ok(response) => response,
        Err(infallible) => match infallible {},
    };
    let traffic = if cdn && response.status().is_success() {
        axum::body::HttpBody::size_hint(response.body())
            .exact()
            .unwrap_or(0)
    } else {
        0
    };
    project.state.lock().record_usage(day, traffic, !cdn, changes);
    // After every request: a GET can change state too (a status poll that finishes a
    // conversion creates its file). Unchanged projects are not written again.
    if let Err(e) = sessions.save(name.as_deref(), &project) {
        return storage_error(&e);
    }
    response
}

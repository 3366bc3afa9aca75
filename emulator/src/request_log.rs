//! `--log text|json`: one line on stderr per request the emulator answers — API, method,
//! path, status, duration, project (its public key) and session. Never a secret: no query string,
//! no headers, no body.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use std::io::Write;

/// How each request is logged.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// `rest GET /files/ 200 3ms project=demopublickey session=default`
    Text,
    /// `{"api":"rest","method":"GET","path":"/files/","status":200,"duration_ms":3,"project":"demopublickey","session":"default"}`
    Json,
}

/// The middleware: times the request (faults included) and writes its line.
pub(crate) async fn log(
    State((format, api, project)): State<(LogFormat, &'static str, std::sync::Arc<str>)>,
    request: Request,
    next: Next,
) -> Response {
    let started = std::time::Instant::now();
    let method = request.method().to_string();
    let path = request.uri().path().to_owned();
    let session = request
        .extensions()
        .get::<crate::session_name::SessionName>()
        .map_or_else(
            || crate::session_name::DEFAULT_SESSION.into(),
            |name| name.0.clone(),
        );
    let response = next.run(request).await;
    let status = response.status().as_u16();
    let ms = started.elapsed().as_millis();
    let line = match format {
        LogFormat::Text => {
            format!("{api} {method} {path} {status} {ms}ms project={project} session={session}\n")
        }
        LogFormat::Json => format!(
            "{}\n",
            serde_json::json!({
                "api": api,
                "method": method,
                "path": path,
                "status": status,
                "duration_ms": ms as u64,
                "project": &*project,
                "session": &*session,
            })
        ),
    };
    let _ = std::io::stderr().lock().write_all(line.as_bytes());
    response
}

//! `--dry-run`: the command runs against a recorder on 127.0.0.1 instead of the service.
//! The recorder keeps each request exactly as the library sent it (method, URL with the
//! real base put back, body) and refuses it (400), so nothing reaches the service and the
//! command stops where it would first need an answer. What was recorded is the output.
//! Secrets never show: headers (`Authorization`, the Project API's bearer token) are not kept, and the `signature` of a
//! signed upload is replaced.

use axum::extract::State;
use axum::response::IntoResponse;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};

/// Requests recorded so far.
#[derive(Clone, Default)]
pub struct Recorded(Arc<Mutex<Vec<Value>>>);

impl Recorded {
    pub fn take(&self) -> Vec<Value> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(|p| p.into_inner()))
    }
}

/// The recorder: where the REST, Upload and Project API base URLs point during a dry run.
pub struct Recorder {
    pub rest_base: String,
    pub upload_base: String,
    /// Where the Project API's requests go during the run.
    pub project_api_base: String,
    pub recorded: Recorded,
}

/// The real base URLs, put back into what is recorded.
pub struct Bases<'a> {
    /// The REST API's.
    pub rest: &'a str,
    /// The Upload API's.
    pub upload: &'a str,
    /// The Project API's.
    pub project_api: &'a str,
}

#[derive(Clone)]
struct Real {
    rest: String,
    upload: String,
    project_api: String,
    recorded: Recorded,
}

impl Recorder {
    /// Starts the recorder; `real` are the bases shown in the output.
    pub async fn start(real: Bases<'_>) -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let recorded = Recorded::default();
        let real = Real {
            rest: real.rest.trim_end_matches('/').to_owned(),
            upload: real.upload.trim_end_matches('/').to_owned(),
            project_api: real.project_api.trim_end_matches('/').to_owned(),
            recorded: recorded.clone(),
        };
        let app = axum::Router::new().fallback(record).with_state(real);
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Self {
            rest_base: format!("http://{addr}/rest"),
            upload_base: format!("http://{addr}/upload"),
            project_api_base: format!("http://{addr}/project-api"),
            recorded,
        })
    }
}

async fn record(State(real): State<Real>, request: axum::extract::Request) -> impl IntoResponse {
    let (method, uri) = (request.method().clone(), request.uri().clone());
    let path_and_query = uri.path_and_query().map_or("/", |p| p.as_str());
    let url = if let Some(account) = path_and_query.strip_prefix("/project-api") {
        format!("{}{account}", real.project_api)
    } else if let Some(rest) = path_and_query.strip_prefix("/rest") {
        format!("{}{rest}", real.rest)
    } else if let Some(upload) = path_and_query.strip_prefix("/upload") {
        format!("{}{upload}", real.upload)
    } else {
        path_and_query.to_owned()
    };
    let body = describe_body(request).await;
    let mut entry = json!({"method": method.as_str(), "url": url});
    if !body.is_null() {
        entry["body"] = body;
    }
    real.recorded
        .0
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .push(entry);
    (
        axum::http::StatusCode::BAD_REQUEST,
        axum::Json(json!({"detail": "dry run: not sent"})),
    )
}

/// A body as it would be read: JSON as JSON, forms as fields (files by name and size), text
/// as text; `signature` fields replaced.
async fn describe_body(request: axum::extract::Request) -> Value {
    use axum::extract::FromRequest;
    let content_type = request
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    if content_type.starts_with("multipart/form-data") {
        let Ok(mut form) = axum::extract::Multipart::from_request(request, &()).await else {
            return json!("(an unreadable multipart form)");
        };
        let mut fields = Vec::new();
        while let Ok(Some(field)) = form.next_field().await {
            let name = field.name().unwrap_or("").to_owned();
            let file = field.file_name().map(str::to_owned);
            let bytes = field.bytes().await.unwrap_or_default();
            let value = match file {
                Some(file) => json!({"file": file, "bytes": bytes.len()}),
                None if name == "signature" => json!("<redacted>"),
                None => json!(String::from_utf8_lossy(&bytes)),
            };
            fields.push(json!({"name": name, "value": value}));
        }
        return json!({"multipart": fields});
    }
    let Ok(body) = axum::body::to_bytes(request.into_body(), 64 * 1024 * 1024).await else {
        return json!("(an unreadable body)");
    };
    if body.is_empty() {
        return Value::Null;
    }
    if content_type.starts_with("application/json") {
        return serde_json::from_slice(&body)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&body).into_owned()));
    }
    if content_type.starts_with("application/x-www-form-urlencoded") {
        let fields: serde_json::Map<String, Value> = url_pairs(&body)
            .into_iter()
            .map(|(k, v)| {
                let v = if k == "signature" {
                    "<redacted>".to_owned()
                } else {
                    v
                };
                (k, Value::String(v))
            })
            .collect();
        return Value::Object(fields);
    }
    Value::String(String::from_utf8_lossy(&body).into_owned())
}

/// `a=1&b=x%20y` → pairs, decoded.
fn url_pairs(body: &[u8]) -> Vec<(String, String)> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body).unwrap_or_default()
}

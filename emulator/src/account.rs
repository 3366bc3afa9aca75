//! The account-level Project API on the REST port (`/projects/…`, the paths of
//! `openapi/project-api.yaml`), per session: the session's projects, their secret keys and
//! their usage, behind one bearer token ([`crate::EmulatorBuilder::account_token`]).
//!
//! - A project created here is served at once on the same ports, reached by its public key
//!   like the configured ones; it starts with no secret key (as the service's does: create
//!   one with `POST /projects/<key>/secrets/`).
//! - Secrets created here sign REST requests, upload signatures and auth tokens; a deleted
//!   secret stops working at once. The project's last secret cannot be deleted while it
//!   requires signed uploads.
//! - Usage is what the emulator served, per day of its clock (UTC): `traffic` is the bytes
//!   of CDN answers, `operations` the REST and Upload API requests answered, `storage` the
//!   bytes of stored files after the day's last request (carried over to quiet days).
//!   Move the emulator's clock (control API `PUT /__emulator/clock`) to see "yesterday".
//! - Blocking, search indexing and the file size limit are recorded and reported, not
//!   enforced.

use crate::sessions::{ProjectEntry, Session, Sessions};
use crate::state::{DayUsage, Project, ProjectSettings, SecretRecord};
use axum::body::Bytes;
use axum::extract::Request;
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{Duration, NaiveDate};
use serde_json::{json, Value};

/// The bearer token the emulator's Project API accepts unless
/// [`EmulatorBuilder::account_token`](crate::EmulatorBuilder::account_token) sets another.
pub const DEFAULT_ACCOUNT_TOKEN: &str = "demoaccounttoken";
/// Projects per page when `limit` is absent.
const DEFAULT_PAGE: usize = 100;
/// Largest request body read.
const MAX_BODY: usize = 1 << 20;

/// Whether `path` belongs to the Project API.
pub(crate) fn is_project_api(path: &str) -> bool {
    path == "/projects/" || path.starts_with("/projects/")
}

fn error(status: StatusCode, message: &str, code: &str) -> Response {
    (status, axum::Json(json!({ "message": message, "code": code }))).into_response()
}

fn not_found(what: &str) -> Response {
    error(
        StatusCode::NOT_FOUND,
        &format!("{what} not found."),
        "not_found_error",
    )
}

fn bad_request(message: &str) -> Response {
    error(StatusCode::BAD_REQUEST, message, "bad_request")
}

/// Answers a Project API request of `session`.
pub(crate) async fn serve(sessions: &Sessions, session: &Session, request: Request) -> Response {
    let options = session.options();
    let given = request
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    if !uploadcare::internal::constant_time_eq(
        given.as_bytes(),
        options.account_token.expose_secret().as_bytes(),
    ) {
        return error(StatusCode::UNAUTHORIZED, "Invalid token.", "invalid_token");
    }
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let query: Vec<(String, String)> = request
        .uri()
        .query()
        .and_then(|q| serde_urlencoded::from_str(q).ok())
        .unwrap_or_default();
    let body = match axum::body::to_bytes(request.into_body(), MAX_BODY).await {
        Ok(body) => body,
        Err(_) => {
            return error(
                StatusCode::PAYLOAD_TOO_LARGE,
                "Request body is too large.",
                "bad_request",
            )
        }
    };
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let today = chrono::DateTime::<chrono::Utc>::from(options.now()).date_naive();
    let account = Account {
        sessions,
        session,
        query: &query,
    };
    let answer = match (&method, &segments[1..]) {
        (&Method::GET, []) => account.list(),
        (&Method::POST, []) => account.create(&body),
        (m, [key, rest @ ..]) => match session.project(key) {
            None => Err(not_found("Project")),
            Some(project) => match (m, rest) {
                (&Method::GET, []) => {
                    let answer = project_json(&project.state.lock());
                    Ok(answer.into())
                }
                (&Method::POST, []) => account.update(&project, &body),
                (&Method::DELETE, []) => account.delete(&project),
                (&Method::GET, ["secrets"]) => {
                    let answer = secrets_page(&project.state.lock());
                    Ok(answer)
                }
                (&Method::POST, ["secrets"]) => account.create_secret(&project),
                (&Method::DELETE, ["secrets", id]) => account.delete_secret(&project, id),
                (&Method::GET, ["usage"]) => usage(&project, &query, today, None),
                (&Method::GET, ["usage", metric]) => usage(&project, &query, today, Some(metric)),
                _ => Err(not_found("Endpoint")),
            },
        },
        _ => Err(not_found("Endpoint")),
    };
    match answer {
        Ok(Answer::Json(value)) => (StatusCode::OK, axum::Json(value)).into_response(),
        Ok(Answer::NoContent) => StatusCode::NO_CONTENT.into_response(),
        Err(response) => response,
    }
}

/// A successful answer.
enum Answer {
    Json(Value),
    NoContent,
}

impl From<Value> for Answer {
    fn from(value: Value) -> Self {
        Answer::Json(value)
    }
}

fn project_json(project: &Project) -> Value {
    json!({
        "pub_key": project.public_key,
        "name": project.name,
        "is_blocked": project.is_blocked,
        "is_search_index_allowed": project.is_search_index_allowed,
        "is_shared_project": false,
        "features": {
            "uploads": {
                "filesize_limit": project.filesize_limit,
                "autostore": project.autostore,
                "image_resolution_limit": null,
                "is_signed_upload_enabled": project.signed_uploads,
            }
        }
    })
}

fn secret_json(secret: &SecretRecord) -> Value {
    json!({
        "id": secret.id,
        "hint": secret.hint(),
        "last_used_at": secret.last_used.map(crate::state::timestamp),
    })
}

fn secrets_page(project: &Project) -> Answer {
    let results: Vec<Value> = project.secrets.iter().map(secret_json).collect();
    json!({ "next": null, "results": results }).into()
}

/// What changes the account's projects.
struct Account<'a> {
    sessions: &'a Sessions,
    session: &'a Session,
    query: &'a [(String, String)],
}

impl Account<'_> {
    fn query(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn save(&self, project: &ProjectEntry) -> Result<(), Response> {
        self.sessions
            .save(self.session.name.as_deref(), project)
            .map_err(|e| crate::sessions::storage_error(&e))
    }

    /// `GET /projects/?limit=&offset=`: the session's projects, a page at a time.
    fn list(&self) -> Result<Answer, Response> {
        let number = |name: &str, default: usize| match self.query(name) {
            None => Ok(default),
            Some(text) => text
                .parse::<usize>()
                .map_err(|_| bad_request(&format!("`{name}` must be a whole number."))),
        };
        let limit = number("limit", DEFAULT_PAGE)?;
        let offset = number("offset", 0)?;
        if limit == 0 {
            return Err(bad_request("`limit` must be at least 1."));
        }
        let projects = self.session.projects();
        let results: Vec<Value> = projects
            .iter()
            .skip(offset)
            .take(limit)
            .map(|p| project_json(&p.state.lock()))
            .collect();
        let next = (offset + limit < projects.len()).then(|| {
            format!(
                "{}/projects/?limit={limit}&offset={}",
                self.session.urls().rest,
                offset + limit
            )
        });
        Ok(json!({ "next": next, "results": results }).into())
    }

    /// `POST /projects/ {"name", "features"?}`: a new project, no secret yet.
    fn create(&self, body: &Bytes) -> Result<Answer, Response> {
        let request: Value =
            serde_json::from_slice(body).map_err(|_| bad_request("The body must be JSON."))?;
        let name = request
            .get("name")
            .and_then(Value::as_str)
            .filter(|n| !n.trim().is_empty())
            .ok_or_else(|| bad_request("`name` is required."))?;
        let first = self.session.first();
        let (autostore, search_delay, id) = {
            let mut template = first.state.lock();
            (
                template.autostore,
                template.search_index_delay,
                template.next_number(),
            )
        };
        let public_key = uuid::Uuid::new_v4().simple().to_string()[..20].to_owned();
        let mut project = Project::from_settings(&ProjectSettings {
            name: name.to_owned(),
            public_key,
            secret_key: uploadcare::SecretKey::new(String::new()),
            autostore,
            signed_uploads: false,
            search_index_delay: search_delay,
        });
        project.id = id;
        project.secrets.clear();
        apply_features(&mut project, request.get("features"));
        let entry = self.session.add(project);
        self.save(&entry)?;
        let answer = project_json(&entry.state.lock());
        Ok(answer.into())
    }

    /// `POST /projects/<key>/`: the fields sent change.
    fn update(&self, project: &ProjectEntry, body: &Bytes) -> Result<Answer, Response> {
        let request: Value =
            serde_json::from_slice(body).map_err(|_| bad_request("The body must be JSON."))?;
        {
            let mut state = project.state.lock();
            if let Some(name) = request.get("name").and_then(Value::as_str) {
                if name.trim().is_empty() {
                    return Err(bad_request("`name` may not be empty."));
                }
                state.name = name.to_owned();
            }
            if let Some(blocked) = request.get("is_blocked").and_then(Value::as_bool) {
                state.is_blocked = blocked;
            }
            if let Some(allowed) = request.get("is_search_index_allowed").and_then(Value::as_bool) {
                state.is_search_index_allowed = allowed;
            }
            apply_features(&mut state, request.get("features"));
        }
        self.save(project)?;
        let answer = project_json(&project.state.lock());
        Ok(answer.into())
    }

    /// `DELETE /projects/<key>/`: the project stops answering (the emulator's own first
    /// project cannot be deleted).
    fn delete(&self, project: &ProjectEntry) -> Result<Answer, Response> {
        if self.session.remove(&project.public_key).is_none() {
            return Err(error(
                StatusCode::FORBIDDEN,
                "The emulator's own project cannot be deleted.",
                "forbidden",
            ));
        }
        self.sessions
            .forget_project(self.session.name.as_deref(), &project.public_key)
            .map_err(|e| crate::sessions::storage_error(&e))?;
        Ok(Answer::NoContent)
    }

    /// `POST /projects/<key>/secrets/`: a new secret, shown this once.
    fn create_secret(&self, project: &ProjectEntry) -> Result<Answer, Response> {
        let value = uuid::Uuid::new_v4().simple().to_string()[..20].to_owned();
        let record = SecretRecord::new(&value);
        let id = record.id.clone();
        project.state.lock().secrets.push(record);
        self.save(project)?;
        Ok(json!({ "id": id, "secret": value }).into())
    }

    /// `DELETE /projects/<key>/secrets/<id>/`.
    fn delete_secret(&self, project: &ProjectEntry, id: &str) -> Result<Answer, Response> {
        {
            let mut state = project.state.lock();
            let Some(index) = state.secrets.iter().position(|s| s.id == id) else {
                return Err(not_found("Secret"));
            };
            if state.secrets.len() == 1 && state.signed_uploads {
                return Err(bad_request(
                    "The last secret cannot be deleted while signed uploads are enabled.",
                ));
            }
            state.secrets.remove(index);
        }
        self.save(project)?;
        Ok(Answer::NoContent)
    }
}

/// `features.uploads.{autostore, is_signed_upload_enabled, filesize_limit}` of a request.
fn apply_features(project: &mut Project, features: Option<&Value>) {
    let Some(uploads) = features.and_then(|f| f.get("uploads")) else {
        return;
    };
    if let Some(autostore) = uploads.get("autostore").and_then(Value::as_bool) {
        project.autostore = autostore;
    }
    if let Some(signed) = uploads.get("is_signed_upload_enabled").and_then(Value::as_bool) {
        project.signed_uploads = signed;
    }
    if let Some(limit) = uploads.get("filesize_limit") {
        project.filesize_limit = limit.as_u64();
    }
}

/// The usage metrics, their units.
const METRICS: [(&str, &str); 3] = [
    ("traffic", "bytes"),
    ("storage", "bytes"),
    ("operations", "operations"),
];

/// `GET /projects/<key>/usage/[<metric>/]?from=&to=`.
fn usage(
    project: &ProjectEntry,
    query: &[(String, String)],
    today: NaiveDate,
    metric: Option<&str>,
) -> Result<Answer, Response> {
    let date = |name: &str| -> Result<NaiveDate, Response> {
        let text = query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .ok_or_else(|| bad_request(&format!("`{name}` is required (YYYY-MM-DD).")))?;
        NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .map_err(|_| bad_request(&format!("`{name}` must be a date, YYYY-MM-DD.")))
    };
    let (from, to) = (date("from")?, date("to")?);
    // The rules the library checks before sending; the emulator refuses like the API.
    uploadcare::limits::check_usage_range(from, to, today).map_err(|reason: String| bad_request(&reason))?;
    if let Some(metric) = metric {
        if !METRICS.iter().any(|(m, _)| *m == metric) {
            return Err(not_found("Metric"));
        }
    }
    let days = {
        let mut project = project.state.lock();
        project.settle_storage();
        days(&project.usage, from, to)
    };
    let answer = match metric {
        None => json!({
            "units": METRICS.iter().map(|(m, u)| (m.to_string(), json!(u))).collect::<serde_json::Map<_, _>>(),
            "data": days.iter().map(|(date, day)| json!({
                "date": date.to_string(),
                "traffic": day.traffic,
                "storage": day.storage.unwrap_or(0),
                "operations": day.operations,
            })).collect::<Vec<_>>(),
        }),
        Some(metric) => {
            let unit = METRICS.iter().find(|(m, _)| *m == metric).map_or("", |(_, u)| *u);
            json!({
                "metric": metric,
                "unit": unit,
                "data": days.iter().map(|(date, day)| json!({
                    "date": date.to_string(),
                    "value": match metric {
                        "traffic" => day.traffic,
                        "storage" => day.storage.unwrap_or(0),
                        _ => day.operations,
                    },
                })).collect::<Vec<_>>(),
            })
        }
    };
    Ok(answer.into())
}

/// One entry per day from `from` to `to`; storage carried over from the last day that has it.
fn days(
    usage: &std::collections::BTreeMap<NaiveDate, DayUsage>,
    from: NaiveDate,
    to: NaiveDate,
) -> Vec<(NaiveDate, DayUsage)> {
    let mut storage = usage
        .range(..from)
        .rev()
        .find_map(|(_, day)| day.storage)
        .unwrap_or(0);
    let mut out = Vec::new();
    let mut date = from;
    while date <= to {
        let mut day = usage.get(&date).copied().unwrap_or_default();
        storage = day.storage.unwrap_or(storage);
        day.storage = Some(storage);
        out.push((date, day));
        date += Duration::days(1);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn storage_carries_over_quiet_days() {
        let day = |d: u32| NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
        let mut usage = std::collections::BTreeMap::new();
        usage.insert(
            day(2),
            DayUsage {
                traffic: 5,
                storage: Some(100),
                operations: 2,
            },
        );
        usage.insert(
            day(4),
            DayUsage {
                traffic: 0,
                storage: Some(40),
                operations: 1,
            },
        );
        let days = days(&usage, day(1), day(5));
        let storage: Vec<u64> = days.iter().map(|(_, d)| d.storage.unwrap()).collect();
        assert_eq!(storage, [0, 100, 100, 40, 40]);
        assert_eq!(days[1].1.traffic, 5);
        assert_eq!(days.len(), 5);
    }
}

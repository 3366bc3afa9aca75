//! Which project of a session a request is for, when the emulator serves several projects
//! (`--public-key`/`--secret-key` given more than once): the public key the request names —
//! the REST `Authorization` header, the Upload API's `pub_key` / `UPLOADCARE_PUB_KEY` field
//! (query or form body) — or, for requests that name none, the project holding what the
//! path names: a CDN file or group, a multipart upload's part URL, a from-URL token. A
//! request naming no known project goes to the first project (where its credentials fail
//! as they would on the service).
//!
//! With one project (the usual case) none of this runs.

use crate::faults::FaultApi;
use crate::sessions::Session;
use axum::body::{Body, Bytes};
use axum::extract::Request;
use futures_util::StreamExt;

/// The public key of the project `request` is for, if it names or reaches one; the request
/// comes back whole (its body read ahead for Upload API POSTs).
pub(crate) async fn project_of(
    api: FaultApi,
    session: &Session,
    request: Request,
) -> (Option<String>, Request) {
    match api {
        FaultApi::Rest => (rest_public_key(&request), request),
        FaultApi::Upload => upload_project(session, request).await,
    }
}

/// `Uploadcare.Simple <public>:<secret>` or `Uploadcare <public>:<signature>`.
fn rest_public_key(request: &Request) -> Option<String> {
    let value = request.headers().get("authorization")?.to_str().ok()?;
    let (_, credentials) = value.split_once(' ')?;
    let (public_key, _) = credentials.trim().split_once(':')?;
    Some(public_key.to_owned())
}

fn query_value(request: &Request, name: &str) -> Option<String> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(request.uri().query()?).ok()?;
    pairs.into_iter().find(|(k, _)| k == name).map(|(_, v)| v)
}

fn holder(session: &Session, holds: impl Fn(&crate::state::Project) -> bool) -> Option<String> {
    session.find(holds).map(|project| project.public_key.to_string())
}

async fn upload_project(session: &Session, request: Request) -> (Option<String>, Request) {
    let path = request.uri().path().to_owned();
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    match segments.as_slice() {
        ["cdn", id, ..] => {
            let found = match id.parse::<uuid::Uuid>() {
                Ok(uuid) => holder(session, |p| p.files.contains_key(&uuid)),
                Err(_) => holder(session, |p| p.groups.contains_key(*id)),
            };
            return (found, request);
        }
        ["multipart", "part", id, ..] => {
            let found = id
                .parse::<uuid::Uuid>()
                .ok()
                .and_then(|uuid| holder(session, |p| p.uploads.multipart.contains_key(&uuid)));
            return (found, request);
        }
        ["from_url", "status"] => {
            let found = query_value(&request, "token")
                .and_then(|token| holder(session, |p| p.uploads.from_url.contains_key(&token)));
            return (found, request);
        }
        _ => {}
    }
    if let Some(key) =
        query_value(&request, "pub_key").or_else(|| query_value(&request, "UPLOADCARE_PUB_KEY"))
    {
        return (Some(key), request);
    }
    if request.method() != axum::http::Method::POST {
        return (None, request);
    }
    let limit = if path.trim_end_matches('/') == "/base" {
        crate::upload::MAX_BASE_BODY
    } else {
        crate::upload::MAX_FORM_BODY
    };
    let (parts, body) = request.into_parts();
    let (read, body) = read_ahead(body, limit).await;
    let key = match read {
        Some(bytes) => crate::upload::form_public_key(&parts.headers, bytes).await,
        None => None,
    };
    (key, Request::from_parts(parts, body))
}

/// Reads `body` up to `limit` bytes: the bytes and a body of the same bytes, or (too long, or
/// an error while reading) `None` and a body that gives what was read, then the rest.
async fn read_ahead(body: Body, limit: usize) -> (Option<Bytes>, Body) {
    let mut stream = body.into_data_stream();
    let mut chunks: Vec<Bytes> = Vec::new();
    let mut length = 0;
    while let Some(chunk) = stream.next().await {
        match chunk {
            Ok(chunk) => {
                length += chunk.len();
                chunks.push(chunk);
                if length > limit {
                    let read = futures_util::stream::iter(chunks.into_iter().map(Ok::<_, axum::Error>));
                    return (None, Body::from_stream(read.chain(stream)));
                }
            }
            Err(error) => {
                let read = futures_util::stream::iter(chunks.into_iter().map(Ok));
                return (
                    None,
                    Body::from_stream(read.chain(futures_util::stream::once(async { Err(error) }))),
                );
            }
        }
    }
    let bytes: Bytes = match chunks.len() {
        1 => chunks.remove(0),
        _ => chunks.concat().into(),
    };
    (Some(bytes.clone()), Body::from(bytes))
}

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
use crate::state::Project;
use axum::body::{Body, Bytes};
use axum::extract::Request;
use futures_util::StreamExt;

/// What a request names that tells its project.
pub(crate) enum Target {
    /// A public key.
    PublicKey(String),
    /// A file (CDN).
    File(uuid::Uuid),
    /// A group (CDN).
    Group(String),
    /// A multipart upload (part URLs).
    Multipart(uuid::Uuid),
    /// An upload from URL (status polls).
    FromUrl(String),
    /// Nothing.
    Nothing,
}

impl Target {
    /// Whether `project` is the one this target names or holds (`Nothing`: none is).
    pub(crate) fn is(&self, public_key: &str, project: &Project) -> bool {
        match self {
            Target::PublicKey(key) => key == public_key,
            Target::File(uuid) => project.files.contains_key(uuid),
            Target::Group(id) => project.groups.contains_key(id),
            Target::Multipart(uuid) => project.uploads.multipart.contains_key(uuid),
            Target::FromUrl(token) => project.uploads.from_url.contains_key(token),
            Target::Nothing => false,
        }
    }
}

/// What tells the project `request` is for; the request comes back whole (its body read
/// ahead for Upload API POSTs).
pub(crate) async fn target(api: FaultApi, request: Request) -> (Target, Request) {
    match api {
        FaultApi::Rest => {
            let target = rest_public_key(&request).map_or(Target::Nothing, Target::PublicKey);
            (target, request)
        }
        FaultApi::Upload => upload_target(request).await,
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

async fn upload_target(request: Request) -> (Target, Request) {
    let path = request.uri().path().to_owned();
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    match segments.as_slice() {
        ["cdn", id, ..] => {
            let target = match id.parse::<uuid::Uuid>() {
                Ok(uuid) => Target::File(uuid),
                Err(_) => Target::Group((*id).to_owned()),
            };
            return (target, request);
        }
        ["multipart", "part", id, ..] => {
            let target = id.parse().map_or(Target::Nothing, Target::Multipart);
            return (target, request);
        }
        ["from_url", "status"] => {
            let target = query_value(&request, "token").map_or(Target::Nothing, Target::FromUrl);
            return (target, request);
        }
        _ => {}
    }
    if let Some(key) =
        query_value(&request, "pub_key").or_else(|| query_value(&request, "UPLOADCARE_PUB_KEY"))
    {
        return (Target::PublicKey(key), request);
    }
    if request.method() != axum::http::Method::POST {
        return (Target::Nothing, request);
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
    (
        key.map_or(Target::Nothing, Target::PublicKey),
        Request::from_parts(parts, body),
    )
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

//! A recording HTTP server on 127.0.0.1 for integration tests, plus an authorization check
//! written independently of the crate's signing code (straight from the documented rules).
#![allow(dead_code)]

pub mod document;
pub mod wire;

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use hmac::{KeyInit, Mac};
use md5::Digest;
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

pub const PUBLIC_KEY: &str = "test-public-key";
pub const SECRET_KEY: &str = "test-secret-key-7f3a";

/// One request as the server received it.
#[derive(Clone, Debug)]
pub struct Recorded {
    pub method: Method,
    pub path: String,
    pub query: Option<String>,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("request body is JSON")
    }

    /// The form-urlencoded body as ordered pairs.
    pub fn form(&self) -> Vec<(String, String)> {
        url_decode_pairs(std::str::from_utf8(&self.body).expect("form body is UTF-8"))
    }

    /// The query string as ordered pairs.
    pub fn query_pairs(&self) -> Vec<(String, String)> {
        url_decode_pairs(self.query.as_deref().unwrap_or(""))
    }
}

fn url_decode_pairs(s: &str) -> Vec<(String, String)> {
    s.split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(k), decode(v))
        })
        .collect()
}

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
                out.push(u8::from_str_radix(hex, 16).unwrap());
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).unwrap()
}

/// One part of a multipart/form-data body.
#[derive(Clone, Debug)]
pub struct FormPart {
    pub name: String,
    pub filename: Option<String>,
    pub content_type: Option<String>,
    pub data: Vec<u8>,
}

impl Recorded {
    /// The parts of a multipart/form-data body, in order.
    pub fn multipart(&self) -> Vec<FormPart> {
        let content_type = self.header("content-type").expect("Content-Type");
        assert!(
            content_type.starts_with("multipart/form-data"),
            "not multipart: {content_type}"
        );
        let boundary = content_type
            .split("boundary=")
            .nth(1)
            .expect("boundary")
            .trim_matches('"');
        let delimiter = format!("--{boundary}");
        let body = &self.body[..];
        let mut parts = Vec::new();
        let positions: Vec<usize> = find_all(body, delimiter.as_bytes());
        for window in positions.windows(2) {
            let chunk = &body[window[0] + delimiter.len()..window[1]];
            let chunk = chunk.strip_prefix(b"\r\n").unwrap_or(chunk);
            let chunk = chunk.strip_suffix(b"\r\n").unwrap_or(chunk);
            let split = find_all(chunk, b"\r\n\r\n")[0];
            let head = std::str::from_utf8(&chunk[..split]).unwrap();
            let data = chunk[split + 4..].to_vec();
            let mut part = FormPart {
                name: String::new(),
                filename: None,
                content_type: None,
                data,
            };
            for line in head.split("\r\n") {
                let lower = line.to_ascii_lowercase();
                if lower.starts_with("content-disposition:") {
                    part.name = attribute(line, "name").unwrap_or_default();
                    part.filename = attribute(line, "filename");
                } else if lower.starts_with("content-type:") {
                    part.content_type = Some(line[13..].trim().to_owned());
                }
            }
            parts.push(part);
        }
        parts
    }

    /// The text fields of a multipart body (parts without a file name), in order.
    pub fn form_fields(&self) -> Vec<(String, String)> {
        self.multipart()
            .into_iter()
            .filter(|p| p.filename.is_none())
            .map(|p| (p.name, String::from_utf8(p.data).unwrap()))
            .collect()
    }
}

fn attribute(line: &str, name: &str) -> Option<String> {
    let key = format!("{name}=\"");
    let start = line.find(&format!("; {key}"))? + 2 + key.len();
    let end = line[start..].find('"')? + start;
    Some(line[start..end].to_owned())
}

fn find_all(haystack: &[u8], needle: &[u8]) -> Vec<usize> {
    (0..haystack.len().saturating_sub(needle.len() - 1))
        .filter(|&i| &haystack[i..i + needle.len()] == needle)
        .collect()
}

/// A canned answer.
#[derive(Clone, Debug)]
pub struct Reply {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Vec<u8>,
    pub headers: Vec<(&'static str, String)>,
    pub delay: Option<Duration>,
}

impl Reply {
    pub fn json(status: u16, body: &serde_json::Value) -> Self {
        Self {
            status,
            content_type: "application/vnd.uploadcare-v0.7+json",
            body: serde_json::to_vec(body).unwrap(),
            headers: Vec::new(),
            delay: None,
        }
    }

    /// A JSON answer with `application/json` (the Upload API's media type).
    pub fn plain_json(status: u16, body: &serde_json::Value) -> Self {
        Self {
            content_type: "application/json",
            ..Self::json(status, body)
        }
    }

    pub fn empty(status: u16) -> Self {
        Self {
            status,
            content_type: "",
            body: Vec::new(),
            headers: Vec::new(),
            delay: None,
        }
    }

    pub fn text(status: u16, text: &str) -> Self {
        Self {
            status,
            content_type: "text/plain",
            body: text.as_bytes().to_vec(),
            headers: Vec::new(),
            delay: None,
        }
    }

    /// Answers only after `delay`.
    pub fn delayed(mut self, delay: Duration) -> Self {
        self.delay = Some(delay);
        self
    }

    pub fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }
}

#[derive(Default)]
struct State {
    requests: Vec<Recorded>,
    replies: VecDeque<Reply>,
}

/// Records every request and answers with the queued replies, in order (the last one
/// repeats).
#[derive(Clone)]
pub struct Server {
    pub addr: SocketAddr,
    state: Arc<Mutex<State>>,
}

impl Server {
    pub async fn start(replies: Vec<Reply>) -> Self {
        let state = Arc::new(Mutex::new(State {
            requests: Vec::new(),
            replies: replies.into(),
        }));
        let handler_state = state.clone();
        let app =
            axum::Router::new().fallback(move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
                let state = handler_state.clone();
                async move {
                    let reply = {
                        let mut state = state.lock().unwrap();
                        state.requests.push(Recorded {
                            method,
                            path: uri.path().to_owned(),
                            query: uri.query().map(str::to_owned),
                            headers,
                            body,
                        });
                        if state.replies.len() > 1 {
                            state.replies.pop_front().unwrap()
                        } else {
                            state
                                .replies
                                .front()
                                .cloned()
                                .unwrap_or_else(|| Reply::empty(500))
                        }
                    };
                    if let Some(delay) = reply.delay {
                        tokio::time::sleep(delay).await;
                    }
                    let mut builder =
                        axum::http::Response::builder().status(StatusCode::from_u16(reply.status).unwrap());
                    if !reply.content_type.is_empty() {
                        builder = builder.header("content-type", reply.content_type);
                    }
                    for (name, value) in reply.headers {
                        builder = builder.header(name, value);
                    }
                    builder.body(axum::body::Body::from(reply.body)).unwrap()
                }
            });
        let app = app.layer(axum::extract::DefaultBodyLimit::max(64 << 20));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self { addr, state }
    }

    /// Replaces the queued replies (e.g. once the server's URL is known).
    pub fn with_replies(self, replies: Vec<Reply>) -> Self {
        self.state.lock().unwrap().replies = replies.into();
        self
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.state.lock().unwrap().requests.clone()
    }

    pub fn only_request(&self) -> Recorded {
        let requests = self.requests();
        assert_eq!(
            requests.len(),
            1,
            "expected exactly one request, got {requests:#?}"
        );
        requests.into_iter().next().unwrap()
    }
}

/// Checks `Authorization`, `Date` and `Accept` of `request` the way the service does, with
/// its own HMAC-SHA1/MD5 computation (not the crate's signing function).
pub fn verify_auth(request: &Recorded, signed: bool, accept_version: &str) {
    assert_eq!(
        request.header("accept"),
        Some(format!("application/vnd.uploadcare-v{accept_version}+json").as_str()),
        "Accept header"
    );
    assert_eq!(
        request.headers.get_all("accept").iter().count(),
        1,
        "exactly one Accept header"
    );
    let date = request.header("date").expect("Date header");
    let sent = httpdate::parse_http_date(date).expect("Date is an RFC 7231 date");
    let skew = SystemTime::now()
        .duration_since(sent)
        .unwrap_or_else(|e| e.duration());
    assert!(skew < Duration::from_secs(15 * 60), "Date within 15 minutes");
    assert!(date.ends_with(" GMT"), "Date in GMT");
    let content_type = request
        .header("content-type")
        .expect("Content-Type header (signed, so always sent)");
    let authorization = request.header("authorization").expect("Authorization header");
    if signed {
        let credentials = authorization.strip_prefix("Uploadcare ").expect("signed scheme");
        let (public, signature) = credentials.split_once(':').expect("pub:signature");
        assert_eq!(public, PUBLIC_KEY);
        let uri = match &request.query {
            Some(q) => format!("{}?{q}", request.path),
            None => request.path.clone(),
        };
        let body_md5 = hex::encode(md5::Md5::digest(&request.body));
        let message = format!(
            "{}\n{body_md5}\n{content_type}\n{date}\n{uri}",
            request.method.as_str()
        );
        let mut mac = hmac::Hmac::<sha1::Sha1>::new_from_slice(SECRET_KEY.as_bytes()).unwrap();
        mac.update(message.as_bytes());
        let expected = hex::encode(mac.finalize().into_bytes());
        assert_eq!(signature, expected, "signature of {message:?}");
    } else {
        assert_eq!(
            authorization,
            format!("Uploadcare.Simple {PUBLIC_KEY}:{SECRET_KEY}")
        );
    }
    assert_eq!(request.header("user-agent"), Some(uploadcare::USER_AGENT));
    assert_eq!(
        request.header("api-version"),
        None,
        "only Accept selects the version"
    );
}

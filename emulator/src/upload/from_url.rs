//! Uploads from a URL: `POST /from_url/` and `GET /from_url/status/`.
//!
//! Only `127.0.0.1` and `localhost` sources are fetched for real (HTTP through `reqwest`, no
//! proxy, redirects followed only to those hosts), and the hosts named by `--allow-fetch`
//! ([`EmulatorBuilder::allow_fetch`](crate::EmulatorBuilder::allow_fetch)) — but never a
//! link-local address (`169.254.0.0/16`, `fe80::/10`, where cloud metadata services answer),
//! whether the URL names it or the host's name resolves to it. Other public hosts are never
//! contacted: the upload succeeds with a small synthetic `text/plain` file that names the URL. Private,
//! link-local and other loopback addresses are refused like the service refuses them
//! (`URLHostPrivateIPForbiddenError`). The fetch runs in the background; each status poll moves
//! the task one stage (`waiting` → `progress` → `success` | `error`), and a poll past `waiting`
//! waits for the fetch to finish, so what it reports is never ahead of the fetch.

use super::form::{read_form, Form};
use super::{
    create_file, detect_mime, json_ok, store_flag, upload_error, Attached, Upload, UploadError, PUB_KEY,
};
use crate::state::{EmulatorState, FromUrlJob, Job};
use axum::extract::{RawQuery, Request, State};
use axum::response::Response;
use bytes::Bytes;
use serde_json::{json, Value};
use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;
use uuid::Uuid;

/// Time limit of one fetch.
const FETCH_TIME_LIMIT_SECS: u64 = 60;
/// Largest file fetched (the direct-upload limit).
const MAX_FETCH_SIZE: u64 = super::MAX_DIRECT_FILE_SIZE;
/// Most redirects followed.
const MAX_REDIRECTS: usize = 10;

/// Where a `source_url` leads.
enum Source {
    /// `127.0.0.1` / `localhost`: fetched for real.
    Fetch(reqwest::Url),
    /// Any other public host: a synthetic file, no network access.
    Synthetic(reqwest::Url),
}

/// A fetched file.
struct Fetched {
    data: Bytes,
    content_type: Option<String>,
    /// From `Content-Disposition` or the URL path.
    filename: Option<String>,
}

/// A failed fetch: `error_code` and `error` of the status answer.
struct Failure {
    code: &'static str,
    message: String,
}

impl Failure {
    fn new(code: &'static str, args: &[&dyn std::fmt::Display]) -> Self {
        let error = upload_error(code, args);
        Self {
            code: error.code,
            message: error.message,
        }
    }
}

/// `POST /from_url/`: answers a token (or the earlier file with `check_URL_duplicates=1`).
pub(super) async fn from_url(
    State(upload): State<Upload>,
    request: Request,
) -> Result<Response, UploadError> {
    let authorization = super::authorization(&request);
    let form = read_form(request).await?;
    upload.check_public_key(&form, PUB_KEY)?;
    upload.check_credential(&form, authorization.as_deref(), "/from_url/", 1)?;
    let store = store_flag(form.get("store"));
    // The JS upload client sends `tags` here too; they are checked before anything is fetched.
    let attached = Attached::from_form(&form)?;
    let source_url = form
        .non_empty("source_url")
        .ok_or_else(|| upload_error("SourceURLRequiredError", &[]))?;
    let source_url = source_url.trim().to_owned();
    let source = classify(&source_url, &upload.options.allow_fetch)?;
    let check_duplicates = form.get("check_URL_duplicates") == Some("1");
    let save_duplicates = match form.get("save_URL_duplicates") {
        Some("1") => true,
        Some("0") => false,
        _ => check_duplicates,
    };
    let filename = form.non_empty("filename").map(str::to_owned);

    let (done, fetched) = tokio::sync::watch::channel(false);
    let token = Uuid::new_v4().to_string();
    {
        let mut project = upload.state.lock();
        if check_duplicates {
            let earlier = project
                .files
                .values()
                .filter(|f| f.removed.is_none() && f.source_url.as_deref() == Some(source_url.as_str()))
                .max_by_key(|f| f.uploaded);
            if let Some(file) = earlier {
                let mut answer = file.to_upload_json();
                answer["type"] = json!("file_info");
                return Ok(json_ok(&answer));
            }
        }
        project.uploads.from_url.insert(
            token.clone(),
            FromUrlJob {
                job: Job::new(&["waiting", "progress", "success"]),
                file: None,
                error: None,
                total: 0,
                error_code: None,
                source_url: source_url.clone(),
                fetched,
            },
        );
    }

    let state = upload.state.clone();
    let allowed = upload.options.allow_fetch.clone();
    let job_token = token.clone();
    tokio::spawn(async move {
        let outcome = match source {
            Source::Fetch(url) => fetch(url, allowed).await,
            Source::Synthetic(url) => Ok(synthetic(&url)),
        };
        let saved_url = save_duplicates.then_some(source_url);
        finish(&state, &job_token, outcome, filename, store, attached, saved_url);
        let _ = done.send(true);
    });
    Ok(json_ok(&json!({"type": "token", "token": token})))
}

/// Checks `source_url` like the service (scheme, host, no private addresses) and decides
/// whether it is fetched (loopback, or a host in `allowed`).
fn classify(source_url: &str, allowed: &[String]) -> Result<Source, UploadError> {
    let has_scheme = source_url
        .split_once(':')
        .is_some_and(|(scheme, _)| !scheme.is_empty() && !scheme.contains('/') && !scheme.contains('.'));
    if !has_scheme {
        return Err(upload_error("URLSchemeRequiredError", &[]));
    }
    let url = reqwest::Url::parse(source_url).map_err(|e| {
        let reason = e.to_string();
        if reason == "empty host" {
            upload_error("URLHostRequiredError", &[])
        } else if reason.contains("domain") || reason.contains("IPv") || reason.contains("port") {
            upload_error("URLHostMalformedError", &[])
        } else {
            upload_error("URLParsingFailedError", &[])
        }
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(upload_error("URLSchemeInvalidError", &[]));
    }
    let forbidden = || upload_error("URLHostPrivateIPForbiddenError", &[]);
    match host(&url) {
        None => Err(upload_error("URLHostRequiredError", &[])),
        Some(Host::Ip(ip)) if is_link_local(ip) => Err(forbidden()),
        Some(_) if fetchable(&url, allowed) => Ok(Source::Fetch(url)),
        Some(Host::Domain(_)) => Ok(Source::Synthetic(url)),
        Some(Host::Ip(ip)) if is_private(ip) => Err(forbidden()),
        Some(Host::Ip(_)) => Ok(Source::Synthetic(url)),
    }
}

/// A URL's host (the parser has already normalized IP addresses, e.g. `127.1` → `127.0.0.1`).
enum Host {
    Domain(String),
    Ip(IpAddr),
}

fn host(url: &reqwest::Url) -> Option<Host> {
    let host = url.host_str().filter(|h| !h.is_empty())?;
    if let Some(v6) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return v6.parse().ok().map(|ip| Host::Ip(IpAddr::V6(ip)));
    }
    match host.parse::<Ipv4Addr>() {
        Ok(ip) => Some(Host::Ip(IpAddr::V4(ip))),
        Err(_) => Some(Host::Domain(host.to_owned())),
    }
}

/// Addresses the service refuses to fetch from: private, loopback, link-local, shared,
/// unspecified, broadcast, unique-local.
fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(ip) => {
            let [a, b, ..] = ip.octets();
            ip.is_private()
                || ip.is_loopback()
                || ip.is_link_local()
                || ip.is_unspecified()
                || ip.is_broadcast()
                || (a == 100 && (64..128).contains(&b))
        }
        IpAddr::V6(ip) => {
            let first = ip.segments()[0];
            ip.is_loopback()
                || ip.is_unspecified()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
        }
    }
}

/// Link-local addresses (cloud metadata services answer on `169.254.169.254` and
/// `fd00:ec2::254`): never fetched, even from an allowed host.
fn is_link_local(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(ip) => ip.is_link_local(),
        IpAddr::V6(ip) => {
            (ip.segments()[0] & 0xffc0) == 0xfe80
                || ip == std::net::Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254)
                || ip.to_ipv4_mapped().is_some_and(|v4| v4.is_link_local())
        }
    }
}

/// Whether the emulator fetches from `url` for real: loopback, or a host in `allowed`
/// (lowercase names or addresses, compared with the URL's host).
fn fetchable(url: &reqwest::Url, allowed: &[String]) -> bool {
    let listed = |name: &str| allowed.iter().any(|a| a.eq_ignore_ascii_case(name));
    match host(url) {
        Some(Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost") || listed(&domain),
        Some(Host::Ip(ip)) => {
            !is_link_local(ip) && (ip == IpAddr::V4(Ipv4Addr::LOCALHOST) || listed(&ip.to_string()))
        }
        None => false,
    }
}

/// Name resolution for fetches that drops link-local addresses (and fails when nothing
/// else is left), so an allowed name cannot lead to a metadata service.
struct NoLinkLocal;

impl reqwest::dns::Resolve for NoLinkLocal {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let name = name.as_str().to_owned();
        Box::pin(async move {
            let addrs: Vec<std::net::SocketAddr> = tokio::net::lookup_host((name.as_str(), 0))
                .await?
                .filter(|addr| !is_link_local(addr.ip()))
                .collect();
            if addrs.is_empty() {
                return Err(format!("{name}: no address the emulator may fetch from").into());
            }
            Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// The stand-in for a file on a host the emulator does not contact.
fn synthetic(url: &reqwest::Url) -> Fetched {
    let text = format!(
        "Synthetic file of the Uploadcare emulator for {url}\n\
         The emulator does not reach the network: only 127.0.0.1 and localhost sources are fetched.\n"
    );
    Fetched {
        data: Bytes::from(text),
        content_type: Some("text/plain".to_owned()),
        filename: last_segment(url),
    }
}

/// The URL path's last non-empty segment, percent-decoded.
fn last_segment(url: &reqwest::Url) -> Option<String> {
    let segment = url.path_segments()?.rev().find(|s| !s.is_empty())?;
    Some(percent_decode(segment))
}

fn percent_decode(text: &str) -> String {
    let hex = |b: u8| (b as char).to_digit(16);
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(high), Some(low)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((high * 16 + low) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The file name of a `Content-Disposition` header (`filename*=UTF-8''…` or `filename=…`).
fn disposition_filename(header: &str) -> Option<String> {
    let params: Vec<&str> = header.split(';').map(str::trim).collect();
    for param in &params {
        if let Some(value) = param.strip_prefix("filename*=") {
            let value = value.split_once("''").map_or(value, |(_, v)| v);
            return Some(percent_decode(value.trim_matches('"')));
        }
    }
    params
        .iter()
        .find_map(|p| p.strip_prefix("filename="))
        .map(|v| v.trim_matches('"').to_owned())
        .filter(|v| !v.is_empty())
}

/// GETs a local URL.
async fn fetch(url: reqwest::Url, allowed: std::sync::Arc<[String]>) -> Result<Fetched, Failure> {
    let policy = reqwest::redirect::Policy::custom(move |attempt| {
        if attempt.previous().len() >= MAX_REDIRECTS {
            attempt.error("too many redirects")
        } else if fetchable(attempt.url(), &allowed) {
            attempt.follow()
        } else {
            attempt.stop()
        }
    });
    let client = reqwest::Client::builder()
        .no_proxy()
        .dns_resolver(std::sync::Arc::new(NoLinkLocal))
        .redirect(policy)
        .timeout(Duration::from_secs(FETCH_TIME_LIMIT_SECS))
        .build()
        .map_err(|e| {
            Failure::new(
                "DownloadFileHTTPNetworkError",
                &[&uploadcare::internal::root_cause(&e)],
            )
        })?;
    let network = |e: reqwest::Error| {
        if e.is_timeout() {
            Failure::new("DownloadFileTimeLimitExceededError", &[&FETCH_TIME_LIMIT_SECS])
        } else if e.is_redirect() {
            Failure::new("URLRedirectsLimitExceededError", &[])
        } else {
            Failure::new(
                "DownloadFileHTTPNetworkError",
                &[&uploadcare::internal::root_cause(&e)],
            )
        }
    };
    let mut response = client.get(url.clone()).send().await.map_err(network)?;
    let status = response.status();
    if status.is_redirection() {
        let location = response
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let reason = format!("redirect to {location}, a host the emulator does not fetch from");
        return Err(Failure::new("DownloadFileHTTPURLValidationError", &[&reason]));
    }
    if status.is_client_error() {
        return Err(Failure::new("DownloadFileHTTPClientError", &[&status.as_u16()]));
    }
    if status.is_server_error() {
        return Err(Failure::new("DownloadFileHTTPServerError", &[&status.as_u16()]));
    }
    if !status.is_success() {
        return Err(Failure::new("DownloadFileError", &[]));
    }
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let content_type = header("content-type");
    let filename = header("content-disposition")
        .as_deref()
        .and_then(disposition_filename)
        .or_else(|| last_segment(response.url()));
    let mut data = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(network)? {
        data.extend_from_slice(&chunk);
        if data.len() as u64 > MAX_FETCH_SIZE {
            return Err(Failure::new(
                "DownloadFileSizeLimitExceededError",
                &[&data.len(), &MAX_FETCH_SIZE],
            ));
        }
    }
    Ok(Fetched {
        data: Bytes::from(data),
        content_type,
        filename,
    })
}

/// Records a finished fetch: the new file, or the failure.
fn finish(
    state: &EmulatorState,
    token: &str,
    outcome: Result<Fetched, Failure>,
    filename: Option<String>,
    store: Option<bool>,
    attached: Attached,
    saved_url: Option<String>,
) {
    let mut project = state.lock();
    match outcome {
        Ok(fetched) => {
            let filename = filename.or(fetched.filename).unwrap_or_else(|| "file".to_owned());
            let mime_type = detect_mime(&filename, fetched.content_type.as_deref(), &fetched.data);
            let total = fetched.data.len() as u64;
            let uuid = create_file(&mut project, &filename, &mime_type, fetched.data, store, attached);
            if let Some(file) = project.files.get_mut(&uuid) {
                file.source_url = saved_url;
            }
            if let Some(job) = project.uploads.from_url.get_mut(token) {
                job.file = Some(uuid);
                job.total = total;
            }
        }
        Err(failure) => {
            if let Some(job) = project.uploads.from_url.get_mut(token) {
                job.error = Some(failure.message);
                job.error_code = Some(failure.code.to_owned());
                if let Some(last) = job.job.stages.last_mut() {
                    *last = "error";
                }
            }
        }
    }
}

/// `GET /from_url/status/?token=`: the task's status, one stage further per poll
/// (`polls_per_stage`); `unknown` for tokens never handed out.
pub(super) async fn status(
    State(upload): State<Upload>,
    RawQuery(query): RawQuery,
) -> Result<Response, UploadError> {
    let query = Form::from_query(query.as_deref())?;
    let token = query
        .non_empty("token")
        .ok_or_else(|| upload_error("TokenRequiredError", &[]))?
        .trim()
        .to_owned();
    let unknown = || Ok(json_ok(&json!({"status": "unknown"})));
    let waiter = {
        let project = upload.state.lock();
        let Some(job) = project.uploads.from_url.get(&token) else {
            return unknown();
        };
        (job.job.stages[job.job.stage] != "waiting").then(|| job.fetched.clone())
    };
    if let Some(mut fetched) = waiter {
        // The fetch has its own time limit; this bound only covers a fetch task that died.
        let limit = Duration::from_secs(FETCH_TIME_LIMIT_SECS + 5);
        let _ = tokio::time::timeout(limit, fetched.wait_for(|done| *done)).await;
    }

    let mut project = upload.state.lock();
    let Some(job) = project.uploads.from_url.get_mut(&token) else {
        return unknown();
    };
    let polls_before = u64::from(job.job.polls);
    let status = job.job.poll(upload.options.polls_per_stage);
    // Within the `progress` stage the fetched bytes grow poll by poll, as a real fetch's.
    let part_done = |total: u64| total * (polls_before + 1) / (u64::from(upload.options.polls_per_stage) + 1);
    let (file, total, error, error_code) = (job.file, job.total, job.error.clone(), job.error_code.clone());
    let failed = || {
        let failure = Failure::new("DownloadFileTaskFailedError", &[]);
        json!({"status": "error", "error": failure.message, "error_code": failure.code})
    };
    let body = match status {
        "waiting" => json!({"status": "waiting"}),
        "progress" if file.is_some() => {
            json!({"status": "progress", "done": part_done(total), "total": total})
        }
        "progress" => json!({"status": "progress", "done": 0, "total": Value::Null}),
        "success" => match file.and_then(|uuid| project.files.get(&uuid)) {
            Some(file) => {
                let mut body = file.to_upload_json();
                body["status"] = json!("success");
                body
            }
            None => failed(),
        },
        _ => match error {
            Some(error) => json!({"status": "error", "error": error, "error_code": error_code}),
            None => failed(),
        },
    };
    Ok(json_ok(&body))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(url: &str) -> &'static str {
        code_allowing(url, &[])
    }

    fn code_allowing(url: &str, allowed: &[&str]) -> &'static str {
        let allowed: Vec<String> = allowed.iter().map(|a| a.to_string()).collect();
        match classify(url, &allowed) {
            Ok(Source::Fetch(_)) => "fetch",
            Ok(Source::Synthetic(_)) => "synthetic",
            Err(e) => e.code,
        }
    }

    #[test]
    fn source_urls_are_checked_like_the_service() {
        assert_eq!(code("http://127.0.0.1:8080/cdn/x/"), "fetch");
        assert_eq!(code("http://localhost/a.png"), "fetch");
        assert_eq!(code("https://example.com/a.png"), "synthetic");
        assert_eq!(code("https://8.8.8.8/a"), "synthetic");
        assert_eq!(code("example.com/a.png"), "URLSchemeRequiredError");
        assert_eq!(code("ftp://example.com/a.png"), "URLSchemeInvalidError");
        assert_eq!(code("http://"), "URLHostRequiredError");
        assert_eq!(code("http://10.0.0.1/a"), "URLHostPrivateIPForbiddenError");
        assert_eq!(code("http://192.168.1.1/a"), "URLHostPrivateIPForbiddenError");
        assert_eq!(code("http://127.0.0.2/a"), "URLHostPrivateIPForbiddenError");
        assert_eq!(code("http://[::1]/a"), "URLHostPrivateIPForbiddenError");
        assert_eq!(code("http://exa mple.com/a"), "URLHostMalformedError");
    }

    #[test]
    fn allowed_hosts_are_fetched_but_never_link_local_ones() {
        assert_eq!(code_allowing("https://files.test/a", &["files.test"]), "fetch");
        assert_eq!(code_allowing("https://FILES.test/a", &["files.test"]), "fetch");
        assert_eq!(
            code_allowing("https://other.test/a", &["files.test"]),
            "synthetic"
        );
        assert_eq!(code_allowing("http://10.0.0.5/a", &["10.0.0.5"]), "fetch");
        for metadata in [
            "http://169.254.169.254/latest/",
            "http://[fe80::1]/",
            "http://[fd00:ec2::254]/",
        ] {
            assert_eq!(
                code_allowing(metadata, &["169.254.169.254", "fe80::1", "fd00:ec2::254"]),
                "URLHostPrivateIPForbiddenError",
                "{metadata}"
            );
        }
    }

    #[test]
    fn file_names_come_from_headers_or_paths() {
        assert_eq!(
            disposition_filename("inline; filename=\"a b.txt\"").as_deref(),
            Some("a b.txt")
        );
        assert_eq!(
            disposition_filename("attachment; filename*=UTF-8''na%C3%AFve.txt").as_deref(),
            Some("naïve.txt")
        );
        assert_eq!(disposition_filename("inline"), None);
        let url = reqwest::Url::parse("https://example.com/dir/my%20file.png?x=1").unwrap();
        assert_eq!(last_segment(&url).as_deref(), Some("my file.png"));
        assert_eq!(percent_decode("100%"), "100%");
    }
}

//! The REST API of the emulator, driven through the public client with real signed HTTP
//! on 127.0.0.1: every v0.7 operation end to end with the emulator's state checked after
//! each step, both auth schemes, the request checks the service makes (signature, `Date`,
//! `Accept`, trailing slash, keys), the 0.5/0.6 variants, and fault injection.

#![cfg(feature = "v0_7")]

use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant, SystemTime};
use uploadcare::v0_7::types::{
    AddonExecutionState, BooleanString, ConversionJobState, FilesOrdering, FilesPage, GroupsOrdering,
    LocalCopyRequest, Metadata, RemoteCopyRequest, RemoveBgParams, RemoveBgType, RemoveBgTypeLevel,
    StoreFlag, UcClamavVirusScanParams, WebhookEvent, WebhookPayloadVersion, WebhookSigningSecret,
    WebhookUpdateRequestTargetUrl, WebhookVersion,
};
use uploadcare::v0_7::Client;
use uploadcare::{AuthScheme, Config, Error, ResponseValue, RetryPolicy};
use uploadcare_emulator::{Emulator, Fault, FaultRule};
use uuid::Uuid;

const SCHEMES: [AuthScheme; 2] = [AuthScheme::Signed, AuthScheme::Simple];
const INVALID_ACCEPT: &str =
    "Incorrect Accept header provided. Make sure to specify API version. Refer to REST API docs for details.";

// ---------------------------------------------------------------------------------------
// Helpers.
// ---------------------------------------------------------------------------------------

async fn start() -> Emulator {
    Emulator::start().await.expect("the emulator starts")
}

fn client(emulator: &Emulator, scheme: AuthScheme) -> Client {
    Client::from_config(emulator.config().with_auth_scheme(scheme)).expect("a client")
}

/// The status and parsed body of a successful call.
fn ok<T, E: Into<Error>>(result: Result<ResponseValue<T>, E>) -> (u16, T) {
    match result.map_err(Into::into) {
        Ok(response) => (response.status().as_u16(), response.into_inner()),
        Err(e) => panic!("the call failed: {e}"),
    }
}

/// The error of a failed call.
fn err<T: std::fmt::Debug, E: Into<Error>>(result: Result<ResponseValue<T>, E>) -> Error {
    match result.map_err(Into::into) {
        Ok(response) => panic!(
            "expected an error, got {} {:?}",
            response.status(),
            response.into_inner()
        ),
        Err(e) => e,
    }
}

/// `(status, detail)` of an API error.
fn api_error(error: Error) -> (u16, String) {
    match error {
        Error::Api { status, detail, .. } => (status, detail),
        other => panic!("expected an API error, got {other:?}"),
    }
}

/// A PNG header of `width`×`height` (all the emulator reads of an image).
fn png(width: u32, height: u32) -> Vec<u8> {
    let mut data = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    data.extend_from_slice(&width.to_be_bytes());
    data.extend_from_slice(&height.to_be_bytes());
    data.extend_from_slice(&[8, 2, 0, 0, 0]);
    data
}

/// A request sent without the client: signed with the emulator's secret (unless
/// `authorization` is given), with exactly the `Accept` and `Date` given.
struct Raw<'a> {
    method: &'a str,
    /// Path and query, e.g. `/files/?limit=1`.
    uri: &'a str,
    accept: Option<&'a str>,
    content_type: &'a str,
    body: Vec<u8>,
    date: SystemTime,
    /// The date exactly as sent (default: `date` as an HTTP date).
    date_text: Option<String>,
    /// The header carrying the date (default `date`).
    date_header: &'static str,
    authorization: Option<String>,
}

impl<'a> Raw<'a> {
    fn new(method: &'a str, uri: &'a str, version: &str) -> Self {
        let accept: &'static str = match version {
            "0.5" => "application/vnd.uploadcare-v0.5+json",
            "0.6" => "application/vnd.uploadcare-v0.6+json",
            _ => "application/vnd.uploadcare-v0.7+json",
        };
        Self {
            method,
            uri,
            accept: Some(accept),
            content_type: "application/json",
            body: Vec::new(),
            date: SystemTime::now(),
            date_text: None,
            date_header: "date",
            authorization: None,
        }
    }

    fn json(mut self, body: Value) -> Self {
        self.body = body.to_string().into_bytes();
        self.content_type = "application/json";
        self
    }

    fn form(mut self, pairs: &[(&str, &str)]) -> Self {
        self.body = reqwest::Url::parse_with_params("http://x/", pairs)
            .unwrap()
            .query()
            .unwrap_or("")
            .as_bytes()
            .to_vec();
        self.content_type = "application/x-www-form-urlencoded";
        self
    }

    async fn send(self, emulator: &Emulator) -> (u16, Value) {
        let date = self
            .date_text
            .unwrap_or_else(|| httpdate::fmt_http_date(self.date));
        let authorization = self.authorization.unwrap_or_else(|| {
            let signature = uploadcare::sign_rest_request(
                emulator.secret_key().expose_secret(),
                self.method,
                &self.body,
                self.content_type,
                &date,
                self.uri,
            );
            format!("Uploadcare {}:{signature}", emulator.public_key())
        });
        let method = reqwest::Method::from_bytes(self.method.as_bytes()).unwrap();
        let mut request = reqwest::Client::new()
            .request(method, format!("{}{}", emulator.rest_base_url(), self.uri))
            .header("content-type", self.content_type)
            .header(self.date_header, date)
            .header("authorization", authorization)
            .body(self.body);
        if let Some(accept) = self.accept {
            request = request.header("accept", accept);
        }
        let response = request.send().await.expect("the emulator answers");
        let status = response.status().as_u16();
        let text = response.text().await.expect("a body");
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        (status, body)
    }
}

/// The query of an absolute URL as pairs.
fn query_of(url: &str) -> BTreeMap<String, String> {
    reqwest::Url::parse(url)
        .expect("an absolute URL")
        .query_pairs()
        .into_owned()
        .collect()
}

// ---------------------------------------------------------------------------------------
// Every v0.7 operation, end to end, with both auth schemes.
// ---------------------------------------------------------------------------------------

/// The 33 operations of the v0.7 document: (operationId, method, path template).
const OPERATIONS: [(&str, &str, &str); 33] = [
    ("filesList", "GET", "/files/"),
    ("storeFile", "PUT", "/files/{}/storage/"),
    ("deleteFileStorage", "DELETE", "/files/{}/storage/"),
    ("fileInfo", "GET", "/files/{}/"),
    ("filesStoring", "PUT", "/files/storage/"),
    ("filesDelete", "DELETE", "/files/storage/"),
    ("createLocalCopy", "POST", "/files/local_copy/"),
    ("createRemoteCopy", "POST", "/files/remote_copy/"),
    (
        "awsRekognitionExecute",
        "POST",
        "/addons/aws_rekognition_detect_labels/execute/",
    ),
    (
        "awsRekognitionExecutionStatus",
        "GET",
        "/addons/aws_rekognition_detect_labels/execute/status/",
    ),
    (
        "awsRekognitionDetectModerationLabelsExecute",
        "POST",
        "/addons/aws_rekognition_detect_moderation_labels/execute/",
    ),
    (
        "awsRekognitionDetectModerationLabelsExecutionStatus",
        "GET",
        "/addons/aws_rekognition_detect_moderation_labels/execute/status/",
    ),
    (
        "ucClamavVirusScanExecute",
        "POST",
        "/addons/uc_clamav_virus_scan/execute/",
    ),
    (
        "ucClamavVirusScanExecutionStatus",
        "GET",
        "/addons/uc_clamav_virus_scan/execute/status/",
    ),
    ("removeBgExecute", "POST", "/addons/remove_bg/execute/"),
    (
        "removeBgExecutionStatus",
        "GET",
        "/addons/remove_bg/execute/status/",
    ),
    ("fileMetadata", "GET", "/files/{}/metadata/"),
    ("fileMetadataKey", "GET", "/files/{}/metadata/{}/"),
    ("updateFileMetadataKey", "PUT", "/files/{}/metadata/{}/"),
    ("deleteFileMetadataKey", "DELETE", "/files/{}/metadata/{}/"),
    ("groupsList", "GET", "/groups/"),
    ("groupInfo", "GET", "/groups/{}/"),
    ("deleteGroup", "DELETE", "/groups/{}/"),
    ("projectInfo", "GET", "/project/"),
    ("webhooksList", "GET", "/webhooks/"),
    ("webhookCreate", "POST", "/webhooks/"),
    ("updateWebhook", "PUT", "/webhooks/{}/"),
    ("webhookUnsubscribe", "DELETE", "/webhooks/unsubscribe/"),
    ("documentConvertInfo", "GET", "/convert/document/{}/"),
    ("documentConvert", "POST", "/convert/document/"),
    ("documentConvertStatus", "GET", "/convert/document/status/{}/"),
    ("videoConvert", "POST", "/convert/video/"),
    ("videoConvertStatus", "GET", "/convert/video/status/{}/"),
];

/// The operation a logged request was (static segments win over `{}`, like the router).
fn operation_of(method: &str, path: &str) -> Option<&'static str> {
    let matches = |template: &str| {
        let (t, p): (Vec<_>, Vec<_>) = (template.split('/').collect(), path.split('/').collect());
        t.len() == p.len() && t.iter().zip(&p).all(|(t, p)| *t == "{}" || t == p)
    };
    let candidates: Vec<_> = OPERATIONS
        .iter()
        .filter(|(_, m, t)| *m == method && matches(t))
        .collect();
    candidates
        .iter()
        .find(|(_, _, t)| !t.contains("{}"))
        .or_else(|| candidates.iter().min_by_key(|(_, _, t)| t.matches("{}").count()))
        .map(|(id, _, _)| *id)
}

#[tokio::test]
async fn every_v0_7_operation_works_end_to_end_with_both_auth_schemes() {
    for scheme in SCHEMES {
        let emulator = start().await;
        let client = client(&emulator, scheme);
        project_and_files(&emulator, &client).await;
        metadata(&emulator, &client).await;
        copies(&emulator, &client).await;
        addons(&emulator, &client).await;
        groups(&emulator, &client).await;
        webhooks(&emulator, &client).await;
        document_conversion(&emulator, &client).await;
        video_conversion(&emulator, &client).await;

        // The emulator's log shows every operation answered with success.
        let succeeded: BTreeSet<&str> = emulator
            .state()
            .requests()
            .iter()
            .filter(|r| r.api == "rest" && (200..300).contains(&r.status))
            .filter_map(|r| operation_of(&r.method, &r.path))
            .collect();
        let all: BTreeSet<&str> = OPERATIONS.iter().map(|(id, _, _)| *id).collect();
        assert_eq!(all.len(), 33);
        assert_eq!(succeeded, all, "{scheme:?}: operations without a successful call");
    }
}

async fn project_and_files(emulator: &Emulator, client: &Client) {
    let state = emulator.state();
    let (status, project) = ok(client.project_info().send().await);
    assert_eq!(status, 200);
    assert_eq!(project.name.as_deref(), Some("Emulated project"));
    assert_eq!(project.pub_key.as_deref(), Some("demopublickey"));
    assert_eq!(project.autostore_enabled, Some(true));
    assert_eq!(project.collaborators.map(|c| c.len()), Some(1));

    let photo = state.add_file("photo.png", "image/png", png(640, 480), Some(false));
    let notes = state.add_file("notes.txt", "text/plain", "some notes", Some(false));
    let old = state.add_file("old.txt", "text/plain", "old", Some(true));

    // Info.
    let (_, file) = ok(client.file_info().uuid(photo).send().await);
    assert_eq!(file.uuid, photo);
    assert_eq!(file.original_filename, "photo.png");
    assert_eq!(file.mime_type, "image/png");
    assert_eq!(file.size, png(640, 480).len() as i64);
    assert_eq!(file.is_image, Some(true));
    assert!(file.is_ready);
    assert_eq!(file.datetime_stored, None);
    assert_eq!(file.datetime_uploaded, state.file(photo).unwrap().uploaded);
    assert_eq!(file.url, format!("{}/files/{photo}/", emulator.rest_base_url()));
    let image = file
        .content_info
        .and_then(|c| c.image)
        .expect("content_info.image");
    assert_eq!(
        (image.width, image.height, image.format.as_str()),
        (640, 480, "PNG")
    );
    let e = err(client.file_info().uuid(Uuid::new_v4()).send().await);
    assert_eq!(api_error(e), (404, "Not found.".to_owned()));

    // Store, then info shows it stored.
    let (status, stored) = ok(client.store_file().uuid(photo).send().await);
    assert_eq!(status, 200);
    let stored_at = state.file(photo).unwrap().stored.expect("stored in the emulator");
    assert_eq!(stored.datetime_stored, Some(stored_at.into()));
    let (_, file) = ok(client.file_info().uuid(photo).send().await);
    assert_eq!(file.datetime_stored, Some(stored_at.into()));

    // Batch store: one missing file is a problem, the other is stored.
    let missing = Uuid::new_v4();
    let (_, batch) = ok(client.files_storing().body(vec![notes, missing]).send().await);
    assert_eq!(batch.status.as_deref(), Some("ok"));
    assert_eq!(batch.result.iter().map(|f| f.uuid).collect::<Vec<_>>(), [notes]);
    assert!(batch.result[0].datetime_stored.is_some());
    assert_eq!(
        batch.problems.get(&missing.to_string()).map(String::as_str),
        Some("Missing in the project")
    );
    assert!(state.file(notes).unwrap().stored.is_some());
    // An invalid UUID cannot be built with the typed client; the service reports it too.
    let (status, body) = Raw::new("PUT", "/files/storage/", "0.7")
        .json(json!([notes.to_string(), "not-a-uuid"]))
        .send(emulator)
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["problems"], json!({"not-a-uuid": "Invalid"}));

    // List: stored files, oldest first.
    let (_, page) = ok(client
        .files_list()
        .stored(true)
        .ordering(FilesOrdering::DatetimeUploaded)
        .send()
        .await);
    let listed: Vec<Uuid> = page.results.iter().map(|f| f.uuid).collect();
    assert_eq!(listed, [photo, notes, old]);
    let totals = page.totals.expect("totals");
    assert_eq!((totals.stored, totals.unstored, totals.removed), (3, 0, 0));

    // Batch delete and single delete.
    let (_, batch) = ok(client.files_delete().body(vec![old, missing]).send().await);
    assert_eq!(batch.result.len(), 1);
    assert!(batch.result[0].datetime_removed.is_some());
    assert!(batch.problems.contains_key(&missing.to_string()));
    assert!(state.file(old).unwrap().removed.is_some());
    let (status, removed) = ok(client.delete_file_storage().uuid(notes).send().await);
    assert_eq!(status, 200);
    assert_eq!(
        removed.datetime_removed,
        state.file(notes).unwrap().removed.map(Into::into)
    );
    assert!(removed.datetime_removed.is_some());
    assert_eq!(removed.original_file_url, None);
    let (_, page) = ok(client.files_list().removed(true).send().await);
    let removed: BTreeSet<Uuid> = page.results.iter().map(|f| f.uuid).collect();
    assert_eq!(removed, BTreeSet::from([notes, old]));
}

async fn metadata(emulator: &Emulator, client: &Client) {
    let file = emulator.state().add_file("meta.txt", "text/plain", "m", None);
    let (status, value) = ok(client
        .update_file_metadata_key()
        .uuid(file)
        .key("subsystem")
        .body("gallery")
        .send()
        .await);
    assert_eq!((status, value.as_str()), (201, "gallery"));
    let (status, value) = ok(client
        .update_file_metadata_key()
        .uuid(file)
        .key("subsystem")
        .body("archive")
        .send()
        .await);
    assert_eq!((status, value.as_str()), (200, "archive"));
    ok(client
        .update_file_metadata_key()
        .uuid(file)
        .key("owner")
        .body("web-form")
        .send()
        .await);
    let (_, all) = ok(client.file_metadata().uuid(file).send().await);
    assert_eq!(
        all.0,
        BTreeMap::from([
            ("owner".to_owned(), "web-form".to_owned()),
            ("subsystem".to_owned(), "archive".to_owned())
        ])
    );
    let (_, value) = ok(client.file_metadata_key().uuid(file).key("owner").send().await);
    assert_eq!(value.as_str(), "web-form");
    let (status, ()) = ok(client
        .delete_file_metadata_key()
        .uuid(file)
        .key("owner")
        .send()
        .await);
    assert_eq!(status, 204);
    assert_eq!(
        api_error(err(client
            .file_metadata_key()
            .uuid(file)
            .key("owner")
            .send()
            .await))
        .0,
        404
    );
    let (_, info) = ok(client.file_info().uuid(file).send().await);
    assert_eq!(
        info.metadata.map(|m| m.0),
        Some(BTreeMap::from([("subsystem".to_owned(), "archive".to_owned())]))
    );
    assert_eq!(emulator.state().file(file).unwrap().metadata.len(), 1);
}

async fn copies(emulator: &Emulator, client: &Client) {
    let state = emulator.state();
    let photo = state.add_file("lake.jpg", "image/png", png(10, 20), Some(true));

    // Local copy from a CDN URL, stored, with metadata.
    let cdn_url = format!("{}/{photo}/-/resize/100x/", emulator.cdn_base_url());
    let request = LocalCopyRequest {
        source: cdn_url,
        store: Some(StoreFlag::True),
        metadata: Some(Metadata::from(BTreeMap::from([(
            "origin".to_owned(),
            "copy".to_owned(),
        )]))),
    };
    let (status, copy) = ok(client.create_local_copy().body(request).send().await);
    assert_eq!(status, 201);
    assert_eq!(copy.type_, "file");
    let copy = copy.result.expect("result");
    assert_ne!(copy.uuid, photo);
    assert_eq!(copy.original_filename, "lake.jpg");
    assert!(copy.datetime_stored.is_some());
    assert_eq!(copy.metadata.map(|m| m.0.len()), Some(1));
    let record = state.file(copy.uuid).expect("the copy is in the project");
    assert_eq!(record.data, state.file(photo).unwrap().data);
    assert_eq!(record.metadata.get("origin").map(String::as_str), Some("copy"));
    // Without `store` the copy is not stored.
    let (_, plain) = ok(client
        .create_local_copy()
        .body_map(|b| b.source(photo.to_string()))
        .send()
        .await);
    assert_eq!(plain.result.expect("result").datetime_stored, None);
    // A removed source is a bad source.
    let gone = state.add_file("gone.txt", "text/plain", "x", None);
    ok(client.delete_file_storage().uuid(gone).send().await);
    let e = err(client
        .create_local_copy()
        .body_map(|b| b.source(gone.to_string()))
        .send()
        .await);
    assert_eq!(
        api_error(e),
        (400, "Bad `source` parameter. Use UUID or CDN URL.".to_owned())
    );

    // Remote copy: 201 the first time, 200 once the object exists.
    let remote = || RemoteCopyRequest {
        source: photo.to_string(),
        target: "emulator-storage".to_owned(),
        make_public: Some(false),
        pattern: Some("${uuid}${ext}".to_owned()),
    };
    let expected = format!("s3://emulator-storage/{photo}.jpg");
    let (status, copied) = ok(client.create_remote_copy().body(remote()).send().await);
    assert_eq!(
        (status, copied.type_.as_str(), copied.result.as_deref()),
        (201, "url", Some(expected.as_str()))
    );
    let (status, again) = ok(client.create_remote_copy().body(remote()).send().await);
    assert_eq!((status, again.result.as_deref()), (200, Some(expected.as_str())));
    assert!(state.lock().remote_copies.contains(&expected));
    let (_, default) = ok(client
        .create_remote_copy()
        .body_map(|b| b.source(photo.to_string()).target("emulator-storage"))
        .send()
        .await);
    assert_eq!(
        default.result,
        Some(format!("s3://emulator-storage/{photo}/lake.jpg"))
    );
    let e = err(client
        .create_remote_copy()
        .body_map(|b| b.source(photo.to_string()).target("nope"))
        .send()
        .await);
    assert_eq!(
        api_error(e),
        (400, "Project has no storage with provided name.".to_owned())
    );
}

async fn addons(emulator: &Emulator, client: &Client) {
    let state = emulator.state();
    let photo = state.add_file("portrait.png", "image/png", png(800, 600), None);

    // Rekognition labels: in_progress, then done; a second run while in progress is refused.
    let (status, run) = ok(client
        .aws_rekognition_execute()
        .body_map(|b| b.target(photo))
        .send()
        .await);
    assert_eq!(status, 200);
    let labels_run = run.request_id.expect("request_id");
    let e = err(client
        .aws_rekognition_execute()
        .body_map(|b| b.target(photo))
        .send()
        .await);
    assert_eq!(api_error(e), (409, "Concurrent call attempted".to_owned()));
    let (_, status) = ok(client
        .aws_rekognition_execution_status()
        .request_id(labels_run)
        .send()
        .await);
    assert_eq!(status.status, Some(AddonExecutionState::InProgress));
    assert!(
        state.file(photo).unwrap().appdata.is_empty(),
        "no result before done"
    );
    let (_, status) = ok(client
        .aws_rekognition_execution_status()
        .request_id(labels_run)
        .send()
        .await);
    assert_eq!(status.status, Some(AddonExecutionState::Done));

    // Moderation labels and ClamAV.
    let (_, run) = ok(client
        .aws_rekognition_detect_moderation_labels_execute()
        .body_map(|b| b.target(photo))
        .send()
        .await);
    let moderation_run = run.request_id.expect("request_id");
    let (_, run) = ok(client
        .uc_clamav_virus_scan_execute()
        .body_map(|b| {
            b.target(photo).params(UcClamavVirusScanParams {
                purge_infected: Some(true),
            })
        })
        .send()
        .await);
    let clamav_run = run.request_id.expect("request_id");
    for _ in 0..2 {
        ok(client
            .aws_rekognition_detect_moderation_labels_execution_status()
            .request_id(moderation_run)
            .send()
            .await);
    }
    let (_, status) = ok(client
        .uc_clamav_virus_scan_execution_status()
        .request_id(clamav_run)
        .send()
        .await);
    assert_eq!(status.status, Some(AddonExecutionState::InProgress));
    let (_, status) = ok(client
        .uc_clamav_virus_scan_execution_status()
        .request_id(clamav_run)
        .send()
        .await);
    assert_eq!(status.status, Some(AddonExecutionState::Done));

    // Remove.bg creates a new file.
    let params = RemoveBgParams {
        type_level: Some(RemoveBgTypeLevel::V2),
        type_: Some(RemoveBgType::Person),
        ..Default::default()
    };
    let (_, run) = ok(client
        .remove_bg_execute()
        .body_map(|b| b.target(photo).params(params))
        .send()
        .await);
    let remove_bg_run = run.request_id.expect("request_id");
    let (_, first) = ok(client
        .remove_bg_execution_status()
        .request_id(remove_bg_run)
        .send()
        .await);
    assert_eq!(first.status, Some(AddonExecutionState::InProgress));
    assert_eq!(first.result, None);
    let (_, done) = ok(client
        .remove_bg_execution_status()
        .request_id(remove_bg_run)
        .send()
        .await);
    assert_eq!(done.status, Some(AddonExecutionState::Done));
    let result_file: Uuid = done
        .result
        .and_then(|r| r.file_id)
        .expect("file_id")
        .parse()
        .unwrap();
    let (_, result) = ok(client.file_info().uuid(result_file).send().await);
    assert_eq!(
        (result.original_filename.as_str(), result.mime_type.as_str()),
        ("portrait.png", "image/png")
    );
    let image = result.content_info.and_then(|c| c.image).expect("an image");
    assert_eq!((image.width, image.height), (800, 600));
    // Polling a finished run keeps answering done.
    let (_, again) = ok(client
        .remove_bg_execution_status()
        .request_id(remove_bg_run)
        .send()
        .await);
    assert_eq!(
        again.result.and_then(|r| r.file_id),
        Some(result_file.to_string())
    );

    // The results, through `include=appdata`.
    let (_, file) = ok(client.file_info().uuid(photo).include("appdata").send().await);
    let appdata = file.appdata.expect("appdata");
    let labels = appdata.aws_rekognition_detect_labels.expect("labels result");
    assert_eq!(labels.version, "2016-06-27");
    assert!(labels.data.labels.iter().any(|l| l.name == "Person"));
    let moderation = appdata
        .aws_rekognition_detect_moderation_labels
        .expect("moderation result");
    assert!(moderation.data.moderation_labels.is_empty());
    let clamav = appdata.uc_clamav_virus_scan.expect("clamav result");
    assert!(!clamav.data.infected);
    assert!(clamav.datetime_updated >= clamav.datetime_created);
    let remove_bg = appdata.remove_bg.expect("remove_bg result");
    assert_eq!(remove_bg.data.foreground_type.as_deref(), Some("person"));
    assert_eq!(remove_bg.version, "1.0");
    let (_, without) = ok(client.file_info().uuid(photo).send().await);
    assert!(without.appdata.is_none());
    assert_eq!(state.file(photo).unwrap().appdata.len(), 4);

    // A run on another file is independent; unknown files and requests are errors.
    let other = state.add_file(
        "eicar.txt",
        "text/plain",
        "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*",
        None,
    );
    let (_, run) = ok(client
        .uc_clamav_virus_scan_execute()
        .body_map(|b| {
            b.target(other).params(UcClamavVirusScanParams {
                purge_infected: Some(true),
            })
        })
        .send()
        .await);
    let run = run.request_id.unwrap();
    for _ in 0..2 {
        ok(client
            .uc_clamav_virus_scan_execution_status()
            .request_id(run)
            .send()
            .await);
    }
    let infected = state.file(other).unwrap();
    assert_eq!(
        infected.appdata["uc_clamav_virus_scan"]["data"]["infected"],
        json!(true)
    );
    assert!(
        infected.removed.is_some(),
        "purge_infected removes an infected file"
    );
    let e = err(client
        .aws_rekognition_execute()
        .body_map(|b| b.target(Uuid::new_v4()))
        .send()
        .await);
    assert_eq!(api_error(e).0, 404);
    let e = err(client
        .aws_rekognition_execution_status()
        .request_id(Uuid::new_v4())
        .send()
        .await);
    assert_eq!(api_error(e), (404, "Request not found.".to_owned()));
}

async fn groups(emulator: &Emulator, client: &Client) {
    let state = emulator.state();
    let kept = state.add_file("kept.txt", "text/plain", "kept", Some(true));
    let dropped = state.add_file("dropped.txt", "text/plain", "dropped", Some(true));
    let group = state.lock().add_group(vec![kept, dropped]);
    assert!(group.ends_with("~2"));
    ok(client.delete_file_storage().uuid(dropped).send().await);

    let (_, page) = ok(client.groups_list().send().await);
    assert!(page
        .results
        .iter()
        .any(|g| g.id.as_deref() == Some(group.as_str())));
    assert_eq!(page.per_page, Some(100));

    let (status, info) = ok(client.group_info().uuid(group.clone()).send().await);
    assert_eq!(status, 200);
    assert_eq!(info.id.as_deref(), Some(group.as_str()));
    assert_eq!(info.files_count.map(|n| n.get()), Some(2));
    assert_eq!(
        info.cdn_url,
        Some(format!("{}/{group}/", emulator.cdn_base_url()))
    );
    let files = info.files.expect("files");
    assert_eq!(files.len(), 2);
    let first = files[0].as_ref().expect("the kept file");
    assert_eq!((first.uuid, first.default_effects.as_deref()), (kept, Some("")));
    assert!(files[1].is_none(), "a removed file is null");

    let (status, ()) = ok(client.delete_group().uuid(group.clone()).send().await);
    assert_eq!(status, 204);
    assert!(!state.lock().groups.contains_key(&group));
    assert!(state.file(kept).unwrap().removed.is_none(), "files stay");
    assert_eq!(
        api_error(err(client.group_info().uuid(group.clone()).send().await)).0,
        404
    );
    assert_eq!(
        api_error(err(client.delete_group().uuid(group).send().await)).0,
        404
    );
}

async fn webhooks(emulator: &Emulator, client: &Client) {
    let state = emulator.state();
    let url = "https://hooks.example.com/uploadcare";
    let secret = WebhookSigningSecret::try_from("d8Fq2LxW7pNz4Rt6").unwrap();
    let (status, hook) = ok(client
        .webhook_create()
        .body_map(|b| {
            b.target_url(url)
                .event(WebhookEvent::FileUploaded)
                .signing_secret(secret)
                .version(WebhookPayloadVersion::V0_7)
        })
        .send()
        .await);
    assert_eq!(status, 201);
    let id = hook.id.expect("id");
    assert_eq!(hook.project, Some(state.lock().id));
    assert_eq!(hook.target_url.as_ref().map(|u| u.as_str()), Some(url));
    assert_eq!(hook.event, Some(WebhookEvent::FileUploaded));
    assert!(hook.is_active);
    assert_eq!(hook.version, Some(WebhookVersion::V0_7));
    assert_eq!(
        hook.signing_secret.as_ref().map(|s| s.expose_secret()),
        Some("d8Fq2LxW7pNz4Rt6")
    );
    let (_, second) = ok(client
        .webhook_create()
        .body_map(|b| b.target_url(url).event(WebhookEvent::FileStored).is_active(false))
        .send()
        .await);
    assert!(!second.is_active);
    assert_eq!(second.signing_secret, None);
    // The same URL and event twice is refused, in the service's validation layout.
    let e = err(client
        .webhook_create()
        .body_map(|b| b.target_url(url).event(WebhookEvent::FileUploaded))
        .send()
        .await);
    let Error::Api {
        status, detail, body, ..
    } = e
    else {
        panic!("an API error")
    };
    assert_eq!(
        (status, detail.as_str()),
        (400, "This project is already subscribed on this event")
    );
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap(),
        json!({"non_field_errors": ["This project is already subscribed on this event"]})
    );

    let (_, list) = ok(client.webhooks_list().send().await);
    assert_eq!(
        list.iter().filter_map(|h| h.id).collect::<Vec<_>>(),
        [id, second.id.unwrap()]
    );

    // Update: unset fields stay as they were.
    let (status, updated) = ok(client
        .update_webhook()
        .id(id)
        .body_map(|b| b.is_active(false))
        .send()
        .await);
    assert_eq!(status, 200);
    assert!(!updated.is_active);
    assert_eq!(updated.event, Some(WebhookEvent::FileUploaded));
    assert_eq!(updated.target_url.as_ref().map(|u| u.as_str()), Some(url));
    assert!(updated.updated > hook.updated);
    assert_eq!(updated.created, hook.created);
    let new_url = WebhookUpdateRequestTargetUrl::try_from("https://hooks.example.com/v2").unwrap();
    let (_, moved) = ok(client
        .update_webhook()
        .id(id)
        .body_map(|b| b.target_url(new_url).event(WebhookEvent::FileInfoUpdated))
        .send()
        .await);
    assert_eq!(
        moved.target_url.as_ref().map(|u| u.as_str()),
        Some("https://hooks.example.com/v2")
    );
    assert_eq!(moved.event, Some(WebhookEvent::FileInfoUpdated));
    assert!(!moved.is_active);
    assert_eq!(state.lock().webhooks[&id].event, "file.info_updated");
    assert_eq!(
        api_error(err(client
            .update_webhook()
            .id(1)
            .body_map(|b| b.is_active(true))
            .send()
            .await))
        .0,
        404
    );

    // Unsubscribe removes every hook of the URL.
    let (status, ()) = ok(client
        .webhook_unsubscribe()
        .body_map(|b| b.target_url(url))
        .send()
        .await);
    assert_eq!(status, 204);
    let (_, list) = ok(client.webhooks_list().send().await);
    assert_eq!(list.iter().filter_map(|h| h.id).collect::<Vec<_>>(), [id]);
    ok(client
        .webhook_unsubscribe()
        .body_map(|b| b.target_url("https://hooks.example.com/v2"))
        .send()
        .await);
    assert!(state.lock().webhooks.is_empty());
}

async fn document_conversion(emulator: &Emulator, client: &Client) {
    let state = emulator.state();
    let doc = state.add_file(
        "report.docx",
        "application/msword",
        "quarterly report",
        Some(true),
    );

    let (_, info) = ok(client.document_convert_info().uuid(doc.to_string()).send().await);
    assert_eq!(info.error, None);
    let format = info.format.expect("format");
    assert_eq!(format.name.as_deref(), Some("docx"));
    let targets: Vec<&str> = format
        .conversion_formats
        .iter()
        .filter_map(|f| f.name.as_deref())
        .collect();
    assert!(targets.contains(&"pdf") && targets.contains(&"png") && !targets.contains(&"docx"));
    assert!(info.converted_groups.is_empty());

    let good = format!("{doc}/document/-/format/pdf/");
    let bad = format!("{doc}/document/");
    let unknown = format!("{}/document/-/format/pdf/", Uuid::new_v4());
    let paths = vec![good.clone(), bad.clone(), unknown.clone()];
    let (_, jobs) = ok(client
        .document_convert()
        .body_map(|b| {
            b.paths(paths)
                .store(BooleanString::V1)
                .save_in_group(BooleanString::True)
        })
        .send()
        .await);
    assert_eq!(jobs.problems.len(), 2);
    assert_eq!(
        jobs.problems[&bad],
        format!("Bad path \"{bad}\". Use UUID or CDN URL")
    );
    assert!(jobs.problems.contains_key(&unknown));
    assert_eq!(jobs.result.len(), 1);
    let job = &jobs.result[0];
    assert_eq!(job.original_source.as_deref(), Some(good.as_str()));
    let token = job.token.expect("token");
    assert!(token > i64::from(i32::MAX));
    let output = job.uuid.expect("uuid");
    let (_, pending) = ok(client.file_info().uuid(output).send().await);
    assert!(!pending.is_ready);
    assert_eq!(pending.is_image, None);

    let mut seen = Vec::new();
    loop {
        let (_, status) = ok(client.document_convert_status().token(token).send().await);
        assert_eq!(status.error, None);
        assert_eq!(status.result.and_then(|r| r.uuid), Some(output));
        let status = status.status.expect("status");
        seen.push(status.clone());
        if status == ConversionJobState::Finished {
            break;
        }
        assert!(seen.len() < 10, "the job never finished: {seen:?}");
    }
    assert_eq!(
        seen,
        [
            ConversionJobState::Pending,
            ConversionJobState::Processing,
            ConversionJobState::Finished
        ]
    );
    let (_, done) = ok(client.file_info().uuid(output).send().await);
    assert!(done.is_ready);
    assert_eq!(done.original_filename, "report.pdf");
    assert_eq!(done.mime_type, "application/pdf");
    assert!(done.size > 0);
    assert!(done.datetime_stored.is_some(), "store=1");
    assert!(state.file(output).unwrap().data.starts_with(b"%PDF"));

    // save_in_group made a group of the output, reported by document info.
    let (_, info) = ok(client.document_convert_info().uuid(doc.to_string()).send().await);
    let group = info
        .format
        .and_then(|f| f.converted_groups.get("pdf").cloned())
        .expect("a converted group");
    assert_eq!(info.converted_groups.get("pdf"), Some(&group));
    let (_, group) = ok(client.group_info().uuid(group).send().await);
    let files = group.files.expect("files");
    assert_eq!(
        files.iter().flatten().map(|f| f.uuid).collect::<Vec<_>>(),
        [output]
    );

    // Unknown token and file.
    assert_eq!(
        api_error(err(client.document_convert_status().token(42).send().await)).0,
        404
    );
    assert_eq!(
        api_error(err(client
            .document_convert_info()
            .uuid(Uuid::new_v4().to_string())
            .send()
            .await))
        .0,
        404
    );
}

async fn video_conversion(emulator: &Emulator, client: &Client) {
    let state = emulator.state();
    let video = state.add_file("clip.mov", "video/quicktime", "moov", Some(true));
    let path = format!("{video}/video/-/format/webm/-/size/640x/-/thumbs~2/");
    let (_, jobs) = ok(client
        .video_convert()
        .body_map(|b| b.paths(vec![path.clone()]).store(BooleanString::False))
        .send()
        .await);
    assert!(jobs.problems.is_empty());
    let job = &jobs.result[0];
    assert_eq!(job.original_source.as_deref(), Some(path.as_str()));
    let (token, output) = (job.token.unwrap(), job.uuid.unwrap());
    let thumbnails = job.thumbnails_group_uuid.clone().expect("thumbnails group");
    assert!(thumbnails.ends_with("~2"));
    assert!(state.lock().groups.contains_key(&thumbnails));

    let mut last = None;
    for _ in 0..3 {
        let (_, status) = ok(client.video_convert_status().token(token).send().await);
        let result = status.result.expect("result");
        assert_eq!(result.uuid, Some(output));
        assert_eq!(result.thumbnails_group_uuid.as_deref(), Some(thumbnails.as_str()));
        last = status.status;
    }
    assert_eq!(last, Some(ConversionJobState::Finished));
    let (_, file) = ok(client.file_info().uuid(output).send().await);
    assert!(file.is_ready);
    assert_eq!(
        (file.original_filename.as_str(), file.mime_type.as_str()),
        ("clip.webm", "video/webm")
    );
    assert_eq!(file.datetime_stored, None, "store=false");
    let (_, group) = ok(client.group_info().uuid(thumbnails).send().await);
    let files: Vec<_> = group.files.expect("files").into_iter().flatten().collect();
    assert_eq!(files.len(), 2);
    assert!(files
        .iter()
        .all(|f| f.is_ready && f.is_image == Some(true) && f.mime_type == "image/jpeg"));
    // A video token is not a document job.
    assert_eq!(
        api_error(err(client.document_convert_status().token(token).send().await)).0,
        404
    );
}

// ---------------------------------------------------------------------------------------
// Pagination.
// ---------------------------------------------------------------------------------------

/// Follows `next` of the file list with `Client::follow`: the URLs carry `from`, `limit`
/// and (like the service's) `offset`.
#[tokio::test]
async fn files_list_pages_follow_next() {
    let emulator = start().await;
    let client = client(&emulator, AuthScheme::Signed);
    let seeded: Vec<Uuid> = (0..5)
        .map(|i| {
            emulator.state().add_file(
                &format!("f{i}.txt"),
                "text/plain",
                format!("file {i}"),
                Some(true),
            )
        })
        .collect();

    for ordering in [
        FilesOrdering::DatetimeUploaded,
        FilesOrdering::DatetimeUploadedDesc,
    ] {
        let (_, page) = ok(client
            .files_list()
            .limit(2u64)
            .ordering(ordering.clone())
            .send()
            .await);
        let mut seen: Vec<Uuid> = page.results.iter().map(|f| f.uuid).collect();
        assert_eq!(page.per_page, Some(2));
        assert_eq!(page.previous, None);
        let mut next = page.next;
        let mut pages = 1;
        while let Some(url) = next {
            pages += 1;
            assert!(pages <= 3, "more pages than expected");
            let page: FilesPage = client.follow(&url).await.unwrap();
            assert!(page.previous.is_some());
            assert!(page.results.len() <= 2);
            seen.extend(page.results.iter().map(|f| f.uuid));
            next = page.next;
        }
        assert_eq!(pages, 3);
        let mut expected = seeded.clone();
        if ordering == FilesOrdering::DatetimeUploadedDesc {
            expected.reverse();
        }
        assert_eq!(seen, expected, "{ordering:?}: every file once, in order");
    }
}

#[tokio::test]
async fn groups_list_pages_follow_next_with_the_typed_client() {
    let emulator = start().await;
    let client = client(&emulator, AuthScheme::Signed);
    let file = emulator.state().add_file("g.txt", "text/plain", "g", Some(true));
    let groups: Vec<String> = (0..5)
        .map(|_| emulator.state().lock().add_group(vec![file]))
        .collect();

    for ordering in [
        GroupsOrdering::DatetimeCreated,
        GroupsOrdering::DatetimeCreatedDesc,
    ] {
        let descending = ordering == GroupsOrdering::DatetimeCreatedDesc;
        let (_, page) = ok(client
            .groups_list()
            .limit(2u64)
            .ordering(ordering.clone())
            .send()
            .await);
        assert_eq!(
            (page.total, page.per_page, page.previous.as_deref()),
            (Some(5), Some(2), None)
        );
        let mut seen: Vec<String> = page.results.iter().filter_map(|g| g.id.clone()).collect();
        let mut next = page.next;
        let mut previous = None;
        while let Some(url) = next {
            let query = query_of(&url);
            assert!(
                !query.contains_key("offset"),
                "pages are addressed by `from`: {url}"
            );
            let from: chrono::DateTime<chrono::Utc> = query["from"].parse().expect("`from` is a date-time");
            let limit: u64 = query["limit"].parse().unwrap();
            let (_, page) = ok(client
                .groups_list()
                .from(from)
                .limit(limit)
                .ordering(ordering.clone())
                .send()
                .await);
            assert!(page.previous.is_some());
            previous = page.previous.clone();
            seen.extend(page.results.iter().filter_map(|g| g.id.clone()));
            next = page.next;
        }
        let mut expected = groups.clone();
        if descending {
            expected.reverse();
        }
        assert_eq!(seen, expected, "{ordering:?}");
        // `previous` of the last page leads back to the page before it.
        let query = query_of(&previous.expect("a previous page"));
        let from: chrono::DateTime<chrono::Utc> = query["from"].parse().unwrap();
        let (_, page) = ok(client
            .groups_list()
            .from(from)
            .limit(2u64)
            .ordering(ordering.clone())
            .send()
            .await);
        assert_eq!(
            page.results
                .iter()
                .filter_map(|g| g.id.clone())
                .collect::<Vec<_>>(),
            expected[2..4]
        );
    }

    let (status, body) = Raw::new("GET", "/groups/?limit=0", "0.7").send(&emulator).await;
    assert_eq!((status, body["detail"].is_string()), (400, true));
}

// ---------------------------------------------------------------------------------------
// Request checks.
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn both_auth_schemes_are_accepted() {
    let emulator = start().await;
    for scheme in SCHEMES {
        let (status, project) = ok(client(&emulator, scheme).project_info().send().await);
        assert_eq!((status, project.pub_key.as_deref()), (200, Some("demopublickey")));
    }
    // A raw request signed with `sign_rest_request` and a fresh `Date` is accepted too.
    let (status, body) = Raw::new("GET", "/files/?limit=1&stored=true", "0.7")
        .send(&emulator)
        .await;
    assert_eq!((status, body["per_page"].clone()), (200, json!(1)));
}

#[tokio::test]
async fn wrong_credentials_are_rejected_like_the_service() {
    let emulator = start().await;
    let base = emulator.rest_base_url().to_owned();

    let wrong_secret =
        Client::from_config(Config::new("demopublickey", "not-the-secret").with_rest_base_url(&base))
            .unwrap();
    let e = err(wrong_secret.project_info().send().await);
    assert_eq!(
        api_error(e),
        (401, "Invalid signature. Please check your Secret key.".to_owned())
    );

    let wrong_simple = Client::from_config(
        Config::new("demopublickey", "not-the-secret")
            .with_rest_base_url(&base)
            .with_auth_scheme(AuthScheme::Simple),
    )
    .unwrap();
    let e = err(wrong_simple.project_info().send().await);
    assert_eq!(
        api_error(e),
        (401, "Incorrect authentication credentials.".to_owned())
    );

    for scheme in SCHEMES {
        let unknown = Client::from_config(
            Config::new("nosuchkey", "demosecretkey")
                .with_rest_base_url(&base)
                .with_auth_scheme(scheme),
        )
        .unwrap();
        let e = err(unknown.project_info().send().await);
        assert_eq!(api_error(e), (401, "Public key nosuchkey not found.".to_owned()));
    }

    // A `Date` 20 minutes old (signed correctly) is refused.
    let mut stale = Raw::new("GET", "/project/", "0.7");
    stale.date = SystemTime::now() - Duration::from_secs(20 * 60);
    let (status, body) = stale.send(&emulator).await;
    assert_eq!(
        (status, body["detail"].as_str()),
        (401, Some("Incorrect authentication credentials."))
    );
    // 10 minutes is within the allowed skew.
    let mut recent = Raw::new("GET", "/project/", "0.7");
    recent.date = SystemTime::now() - Duration::from_secs(10 * 60);
    assert_eq!(recent.send(&emulator).await.0, 200);

    // A signature over other bytes than those sent.
    let date = httpdate::fmt_http_date(SystemTime::now());
    let signature = uploadcare::sign_rest_request(
        "demosecretkey",
        "GET",
        b"",
        "application/json",
        &date,
        "/files/?limit=2",
    );
    let mut tampered = Raw::new("GET", "/files/?limit=1", "0.7");
    tampered.authorization = Some(format!("Uploadcare demopublickey:{signature}"));
    let (status, body) = tampered.send(&emulator).await;
    assert_eq!(
        (status, body["detail"].as_str()),
        (401, Some("Invalid signature. Please check your Secret key."))
    );

    // Nothing reached a handler.
    assert!(
        emulator
            .state()
            .requests()
            .iter()
            .filter(|r| r.status == 401)
            .count()
            >= 6
    );
}

#[tokio::test]
async fn signed_dates_are_read_in_the_formats_and_headers_the_service_accepts() {
    let emulator = start().await;
    let now = chrono::Utc::now();
    // pyuploadcare's format, with a comma after the year.
    let mut python = Raw::new("GET", "/project/", "0.7");
    python.date_text = Some(now.format("%a, %d %b %Y, %H:%M:%S GMT").to_string());
    assert_eq!(python.send(&emulator).await.0, 200);
    // RFC 2822 with a numeric zone.
    let mut rfc2822 = Raw::new("GET", "/project/", "0.7");
    rfc2822.date_text = Some(now.to_rfc2822());
    assert_eq!(rfc2822.send(&emulator).await.0, 200);
    // The JS REST client's header: the signed date in `X-Uploadcare-Date`, no `Date`.
    let mut browser = Raw::new("GET", "/files/?limit=1", "0.7");
    browser.date_header = "x-uploadcare-date";
    assert_eq!(browser.send(&emulator).await.0, 200);
    // Not a date at all.
    let mut garbage = Raw::new("GET", "/project/", "0.7");
    garbage.date_text = Some("yesterday".to_owned());
    let (status, body) = garbage.send(&emulator).await;
    assert_eq!(
        (status, body["detail"].as_str()),
        (401, Some("Incorrect authentication credentials."))
    );
}

#[tokio::test]
async fn accept_and_trailing_slash_are_checked() {
    let emulator = start().await;
    let mut old = Raw::new("GET", "/project/", "0.7");
    old.accept = Some("application/vnd.uploadcare-v0.4+json");
    let (status, body) = old.send(&emulator).await;
    assert_eq!((status, body["detail"].as_str()), (406, Some(INVALID_ACCEPT)));

    let mut missing = Raw::new("GET", "/project/", "0.7");
    missing.accept = None;
    let (status, body) = missing.send(&emulator).await;
    assert_eq!((status, body["detail"].as_str()), (406, Some(INVALID_ACCEPT)));

    let (status, body) = Raw::new("GET", "/project", "0.7").send(&emulator).await;
    assert_eq!(status, 404);
    assert!(body["detail"].as_str().unwrap().starts_with("Not found"));

    // Every version the emulator serves is selected by `Accept`.
    for version in ["0.5", "0.6", "0.7"] {
        assert_eq!(
            Raw::new("GET", "/project/", version).send(&emulator).await.0,
            200,
            "{version}"
        );
    }
}

#[tokio::test]
async fn simple_auth_can_be_forbidden_like_over_plain_http() {
    let emulator = Emulator::builder()
        .forbid_simple_auth(true)
        .start()
        .await
        .unwrap();
    let e = err(client(&emulator, AuthScheme::Simple).project_info().send().await);
    assert_eq!(
        api_error(e),
        (
            400,
            "Simple authentication over HTTP is forbidden. Please, use HTTPS or signed requests instead."
                .to_owned()
        )
    );
    let (status, _) = ok(client(&emulator, AuthScheme::Signed).project_info().send().await);
    assert_eq!(status, 200);
}

// ---------------------------------------------------------------------------------------
// Error answers of the endpoints.
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn copy_errors_use_the_documented_messages() {
    let emulator = start().await;
    let file = emulator.state().add_file("a.txt", "text/plain", "a", None);
    let cases = [
        (json!({}), "`source` parameter is required."),
        (
            json!({"source": "nothing-here"}),
            "Bad `source` parameter. Use UUID or CDN URL.",
        ),
        (
            json!({"source": Uuid::new_v4().to_string()}),
            "Bad `source` parameter. Use UUID or CDN URL.",
        ),
        (
            json!({"source": file.to_string(), "store": "yes"}),
            "`store` parameter should be `true` or `false`.",
        ),
    ];
    for (body, message) in cases {
        let (status, answer) = Raw::new("POST", "/files/local_copy/", "0.7")
            .json(body.clone())
            .send(&emulator)
            .await;
        assert_eq!(
            (status, answer["detail"].as_str()),
            (400, Some(message)),
            "{body}"
        );
    }
    // A JSON boolean `store` is accepted.
    let (status, answer) = Raw::new("POST", "/files/local_copy/", "0.7")
        .json(json!({"source": file.to_string(), "store": true}))
        .send(&emulator)
        .await;
    assert_eq!(status, 201);
    assert!(answer["result"]["datetime_stored"].is_string());

    let (status, answer) = Raw::new("POST", "/files/remote_copy/", "0.7")
        .json(json!({"source": file.to_string(), "target": "emulator-storage", "pattern": "${nope}"}))
        .send(&emulator)
        .await;
    assert_eq!(
        (status, answer["detail"].as_str()),
        (400, Some("Invalid pattern provided: `${nope}`"))
    );
    let (status, answer) = Raw::new("POST", "/files/remote_copy/", "0.7")
        .json(json!({"target": "emulator-storage"}))
        .send(&emulator)
        .await;
    assert_eq!(
        (status, answer["detail"].as_str()),
        (400, Some("`source` parameter is required."))
    );
}

#[tokio::test]
async fn webhook_errors() {
    let emulator = start().await;
    let url = "https://hooks.example.com/h";
    let long_secret = "s".repeat(33);
    let cases: [(&[(&str, &str)], &str); 5] = [
        (&[("event", "file.uploaded")], "`target_url` is missing."),
        (&[("target_url", url)], "`event` is missing."),
        (&[("target_url", url), ("event", "file.exploded")], "`event`"),
        (
            &[
                ("target_url", url),
                ("event", "file.uploaded"),
                ("version", "0.6"),
            ],
            "`version`",
        ),
        (
            &[
                ("target_url", url),
                ("event", "file.uploaded"),
                ("signing_secret", long_secret.as_str()),
            ],
            "`signing_secret`",
        ),
    ];
    for (form, message) in cases {
        let (status, body) = Raw::new("POST", "/webhooks/", "0.7")
            .form(form)
            .send(&emulator)
            .await;
        assert_eq!(status, 400, "{form:?}");
        assert!(
            body["detail"].as_str().unwrap().contains(message),
            "{form:?}: {body}"
        );
    }
    let (status, body) = Raw::new("DELETE", "/webhooks/unsubscribe/", "0.7")
        .form(&[])
        .send(&emulator)
        .await;
    assert_eq!(
        (status, body["detail"].as_str()),
        (400, Some("`target_url` is missing."))
    );
    assert!(emulator.state().lock().webhooks.is_empty());
}

#[tokio::test]
async fn conversion_and_addon_request_errors() {
    let emulator = start().await;
    let (status, body) = Raw::new("POST", "/convert/document/", "0.7")
        .json(json!({"store": "1"}))
        .send(&emulator)
        .await;
    assert_eq!(
        (status, body["detail"].as_str()),
        (400, Some("\u{201c}paths\u{201d} parameter is required."))
    );
    let (status, _) = Raw::new("POST", "/convert/document/", "0.7")
        .json(json!({"paths": [], "store": "maybe"}))
        .send(&emulator)
        .await;
    assert_eq!(status, 400);
    let (status, _) = Raw::new("GET", "/addons/remove_bg/execute/status/", "0.7")
        .send(&emulator)
        .await;
    assert_eq!(status, 400);
    let (status, _) = Raw::new("POST", "/addons/remove_bg/execute/", "0.7")
        .json(json!({}))
        .send(&emulator)
        .await;
    assert_eq!(status, 400);
    let (status, _) = Raw::new("POST", "/addons/unknown_addon/execute/", "0.7")
        .json(json!({"target": Uuid::new_v4().to_string()}))
        .send(&emulator)
        .await;
    assert_eq!(status, 404);
    // The store flag also comes as a number (the documents' own examples send `1`).
    let doc = emulator.state().add_file(
        "a.odt",
        "application/vnd.oasis.opendocument.text",
        "odt",
        Some(false),
    );
    let (status, body) = Raw::new("POST", "/convert/document/", "0.7")
        .json(json!({"paths": [format!("{doc}/document/-/format/txt/")], "store": 0}))
        .send(&emulator)
        .await;
    assert_eq!(status, 200);
    let token = body["result"][0]["token"].as_i64().unwrap();
    for _ in 0..3 {
        Raw::new("GET", &format!("/convert/document/status/{token}/"), "0.7")
            .send(&emulator)
            .await;
    }
    let output: Uuid = body["result"][0]["uuid"].as_str().unwrap().parse().unwrap();
    let file = emulator.state().file(output).unwrap();
    assert!(file.ready && file.stored.is_none());
    assert_eq!(file.filename, "a.txt");
}

#[tokio::test]
async fn jobs_stay_in_each_stage_for_polls_per_stage_polls() {
    let emulator = Emulator::builder()
        .polls_per_stage(2)
        .autostore(false)
        .start()
        .await
        .unwrap();
    let client = client(&emulator, AuthScheme::Signed);
    let doc = emulator
        .state()
        .add_file("slides.pptx", "application/vnd.ms-powerpoint", "pptx", None);
    let (_, jobs) = ok(client
        .document_convert()
        .body_map(|b| b.paths(vec![format!("{doc}/document/-/format/png/-/page/1/")]))
        .send()
        .await);
    let (token, output) = (jobs.result[0].token.unwrap(), jobs.result[0].uuid.unwrap());
    let mut statuses = Vec::new();
    for _ in 0..6 {
        let (_, status) = ok(client.document_convert_status().token(token).send().await);
        statuses.push(status.status.unwrap());
        let ready = emulator.state().file(output).unwrap().ready;
        assert_eq!(
            ready,
            statuses.last() == Some(&ConversionJobState::Finished),
            "{statuses:?}"
        );
    }
    use ConversionJobState::{Finished, Pending, Processing};
    assert_eq!(
        statuses,
        [Pending, Pending, Processing, Processing, Finished, Finished]
    );
    let (_, file) = ok(client.file_info().uuid(output).send().await);
    assert_eq!(
        (file.original_filename.as_str(), file.is_image),
        ("slides.png", Some(true))
    );
    assert_eq!(
        file.datetime_stored, None,
        "no `store`: the project's autostore (off)"
    );

    let (_, run) = ok(client
        .uc_clamav_virus_scan_execute()
        .body_map(|b| b.target(doc))
        .send()
        .await);
    let run = run.request_id.unwrap();
    let mut statuses = Vec::new();
    for _ in 0..3 {
        let (_, status) = ok(client
            .uc_clamav_virus_scan_execution_status()
            .request_id(run)
            .send()
            .await);
        statuses.push(status.status.unwrap());
    }
    use AddonExecutionState::{Done, InProgress};
    assert_eq!(statuses, [InProgress, InProgress, Done]);
    // Once done, the add-on can run again on the file.
    ok(client
        .uc_clamav_virus_scan_execute()
        .body_map(|b| b.target(doc))
        .send()
        .await);
}

// ---------------------------------------------------------------------------------------
// 0.5 and 0.6.
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn versions_0_5_and_0_6_have_their_own_endpoints() {
    let emulator = start().await;
    let state = emulator.state();
    let a = state.add_file("a.jpg", "image/png", png(2, 2), Some(false));
    let b = state.add_file("b.txt", "text/plain", "b", Some(false));

    // 0.5 copies with POST /files/: remote with `target`, local without.
    let (status, body) = Raw::new("POST", "/files/", "0.5")
        .json(json!({"source": a.to_string(), "target": "emulator-storage", "make_public": "false"}))
        .send(&emulator)
        .await;
    assert_eq!(
        (status, body),
        (
            201,
            json!({"type": "url", "result": format!("s3://emulator-storage/{a}/a.jpg")})
        )
    );
    let (status, body) = Raw::new("POST", "/files/", "0.5")
        .json(json!({"source": a.to_string()}))
        .send(&emulator)
        .await;
    assert_eq!((status, body["type"].as_str()), (201, Some("file")));
    assert!(
        body["result"]["image_info"].is_object(),
        "0.5 file objects carry image_info"
    );
    assert_eq!(
        Raw::new("POST", "/files/", "0.7")
            .json(json!({"source": a.to_string()}))
            .send(&emulator)
            .await
            .0,
        405
    );

    // Groups: store (0.5/0.6 only), delete (0.7 only), datetime_stored before 0.7.
    let group = state.lock().add_group(vec![a, b]);
    let (status, body) = Raw::new("PUT", &format!("/groups/{group}/storage/"), "0.6")
        .send(&emulator)
        .await;
    assert_eq!(status, 200);
    assert!(body["datetime_stored"].is_string());
    assert_eq!(body["files"].as_array().unwrap().len(), 2);
    assert!(state.file(a).unwrap().stored.is_some() && state.file(b).unwrap().stored.is_some());
    assert_eq!(
        Raw::new("PUT", &format!("/groups/{group}/storage/"), "0.7")
            .send(&emulator)
            .await
            .0,
        404
    );
    let (_, body) = Raw::new("GET", &format!("/groups/{group}/"), "0.5")
        .send(&emulator)
        .await;
    assert!(body["datetime_stored"].is_string());
    let (_, body) = Raw::new("GET", &format!("/groups/{group}/"), "0.7")
        .send(&emulator)
        .await;
    assert!(body.get("datetime_stored").is_none());
    assert_eq!(
        Raw::new("DELETE", &format!("/groups/{group}/"), "0.6")
            .send(&emulator)
            .await
            .0,
        405
    );

    // Webhooks: default payload version per API version; 0.5 updates and unsubscribes with POST.
    let url = "https://hooks.example.com/old";
    let (status, hook) = Raw::new("POST", "/webhooks/", "0.5")
        .form(&[("target_url", url), ("event", "file.uploaded")])
        .send(&emulator)
        .await;
    assert_eq!((status, hook["version"].as_str()), (201, Some("0.5")));
    let id = hook["id"].as_i64().unwrap();
    let (_, hook6) = Raw::new("POST", "/webhooks/", "0.6")
        .form(&[("target_url", url), ("event", "file.stored")])
        .send(&emulator)
        .await;
    assert_eq!(hook6["version"].as_str(), Some("0.6"));
    let (status, updated) = Raw::new("POST", &format!("/webhooks/{id}/"), "0.5")
        .form(&[("is_active", "false")])
        .send(&emulator)
        .await;
    assert_eq!((status, updated["is_active"].clone()), (200, json!(false)));
    assert_eq!(
        Raw::new("PUT", &format!("/webhooks/{id}/"), "0.5")
            .form(&[])
            .send(&emulator)
            .await
            .0,
        405
    );
    assert_eq!(
        Raw::new("POST", &format!("/webhooks/{id}/"), "0.6")
            .form(&[])
            .send(&emulator)
            .await
            .0,
        405
    );
    let (status, updated) = Raw::new("PUT", &format!("/webhooks/{id}/"), "0.6")
        .json(json!({"is_active": true}))
        .send(&emulator)
        .await;
    assert_eq!(
        (status, updated["is_active"].clone()),
        (200, json!(true)),
        "JSON bodies are accepted too"
    );
    assert_eq!(
        Raw::new("DELETE", "/webhooks/unsubscribe/", "0.5")
            .form(&[("target_url", url)])
            .send(&emulator)
            .await
            .0,
        405
    );
    let (status, _) = Raw::new("POST", "/webhooks/unsubscribe/", "0.5")
        .form(&[("target_url", url)])
        .send(&emulator)
        .await;
    assert_eq!(status, 204);
    assert!(state.lock().webhooks.is_empty());

    // 0.7-only endpoints are not there before 0.7.
    assert_eq!(
        Raw::new("GET", &format!("/convert/document/{b}/"), "0.6")
            .send(&emulator)
            .await
            .0,
        404
    );
    let (status, _) = Raw::new("POST", "/addons/uc_clamav_virus_scan/execute/", "0.6")
        .json(json!({"target": b.to_string()}))
        .send(&emulator)
        .await;
    assert_eq!(status, 404);
}

// ---------------------------------------------------------------------------------------
// Fault injection.
// ---------------------------------------------------------------------------------------

/// Logged REST requests to `path` (faulted requests never reach the REST layer, so they
/// are not in the log).
fn logged(emulator: &Emulator, path: &str) -> usize {
    emulator
        .state()
        .requests()
        .iter()
        .filter(|r| r.api == "rest" && r.path == path)
        .count()
}

#[tokio::test]
async fn throttling_is_retried_after_retry_after() {
    let emulator = start().await;
    emulator
        .faults()
        .add(FaultRule::first(1, Fault::Throttle { retry_after_secs: 1 }));
    let client = client(&emulator, AuthScheme::Signed);
    let started = Instant::now();
    let (status, _) = ok(client.project_info().send().await);
    assert_eq!(status, 200);
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "waited for Retry-After"
    );
    assert_eq!(
        logged(&emulator, "/project/"),
        1,
        "the throttled attempt was answered before the REST layer"
    );
    assert_eq!(
        emulator.faults().applied(),
        1,
        "one request was throttled, then retried"
    );

    // Without retries the 429 comes back with its Retry-After.
    emulator
        .faults()
        .add(FaultRule::first(1, Fault::Throttle { retry_after_secs: 7 }));
    let never = Client::from_config(emulator.config().with_retry_policy(RetryPolicy::never())).unwrap();
    match err(never.project_info().send().await) {
        Error::Api {
            status: 429,
            retry_after,
            detail,
            ..
        } => {
            assert_eq!(retry_after, Some(Duration::from_secs(7)));
            assert_eq!(detail, "Request was throttled. Expected available in 7 seconds.");
        }
        other => panic!("expected a 429, got {other:?}"),
    }
    // The rule is used up.
    ok(never.project_info().send().await);
}

#[tokio::test]
async fn server_errors_are_retried_for_idempotent_requests() {
    let emulator = start().await;
    let policy = RetryPolicy {
        max_retries: 2,
        initial_backoff: Duration::from_millis(50),
        ..RetryPolicy::default()
    };
    let client = Client::from_config(emulator.config().with_retry_policy(policy)).unwrap();

    // Two 503s, then success: within the two retries.
    emulator.faults().add(FaultRule::first(2, Fault::Status(503)));
    let started = Instant::now();
    let (status, _) = ok(client.webhooks_list().send().await);
    assert_eq!(status, 200);
    assert!(
        started.elapsed() >= Duration::from_millis(150),
        "backed off 50 ms, then 100 ms"
    );
    assert_eq!(logged(&emulator, "/webhooks/"), 1);

    // Three 503s exhaust the retries.
    emulator.faults().add(FaultRule::first(3, Fault::Status(503)));
    let e = err(client.webhooks_list().send().await);
    assert_eq!(api_error(e), (503, "Service Unavailable".to_owned()));
    assert_eq!(logged(&emulator, "/webhooks/"), 1);

    // A POST is not retried on 503: nothing was created.
    emulator.faults().add(FaultRule::first(1, Fault::Status(503)));
    let e = err(client
        .webhook_create()
        .body_map(|b| {
            b.target_url("https://hooks.example.com/x")
                .event(WebhookEvent::FileUploaded)
        })
        .send()
        .await);
    assert_eq!(api_error(e).0, 503);
    assert!(emulator.state().lock().webhooks.is_empty());
    // The rule was used once; the next POST goes through.
    let (status, _) = ok(client
        .webhook_create()
        .body_map(|b| {
            b.target_url("https://hooks.example.com/x")
                .event(WebhookEvent::FileUploaded)
        })
        .send()
        .await);
    assert_eq!(status, 201);
}

#[tokio::test]
async fn slow_answers_time_out() {
    let emulator = start().await;
    emulator
        .faults()
        .add(FaultRule::first(1, Fault::Delay(Duration::from_millis(800))));
    let config = emulator
        .config()
        .with_timeout(Duration::from_millis(200))
        .with_retry_policy(RetryPolicy::never());
    let client = Client::from_config(config).unwrap();
    let started = Instant::now();
    let e = err(client.project_info().send().await);
    assert!(matches!(e, Error::Timeout(_)), "expected a timeout, got {e:?}");
    assert!(started.elapsed() < Duration::from_millis(800));
    // A delay shorter than the timeout only slows the answer down.
    emulator
        .faults()
        .add(FaultRule::first(1, Fault::Delay(Duration::from_millis(50))));
    let started = Instant::now();
    ok(client.project_info().send().await);
    assert!(started.elapsed() >= Duration::from_millis(50));
}

#[tokio::test]
async fn cut_answers_are_transport_errors() {
    let emulator = start().await;
    emulator.faults().add(FaultRule::first(1, Fault::CutAnswer));
    let client = Client::from_config(emulator.config().with_retry_policy(RetryPolicy::never())).unwrap();
    let e = err(client.project_info().send().await);
    assert!(
        matches!(e, Error::Transport(_)),
        "expected a transport error, got {e:?}"
    );
    ok(client.project_info().send().await);
}

#[tokio::test]
async fn rules_apply_only_to_their_path_and_method() {
    let emulator = start().await;
    emulator.faults().add(
        FaultRule::always(Fault::Status(500))
            .on_path("/webhooks/")
            .on_method("post"),
    );
    let client = client(&emulator, AuthScheme::Signed);
    let create = || {
        client
            .webhook_create()
            .body_map(|b| {
                b.target_url("https://hooks.example.com/p")
                    .event(WebhookEvent::FileUploaded)
            })
            .send()
    };
    for _ in 0..2 {
        let e = err(create().await);
        assert_eq!(api_error(e), (500, "Internal Server Error".to_owned()));
    }
    // Other methods on that path and other paths are untouched.
    ok(client.webhooks_list().send().await);
    ok(client.project_info().send().await);
    let (status, ()) = ok(client
        .webhook_unsubscribe()
        .body_map(|b| b.target_url("https://hooks.example.com/p"))
        .send()
        .await);
    assert_eq!(status, 204);
    assert!(emulator.state().lock().webhooks.is_empty());
    emulator.faults().clear();
    let (status, _) = ok(create().await);
    assert_eq!(status, 201);
}

#[tokio::test]
async fn the_emulator_keeps_its_secret_key_out_of_debug_output() {
    let emulator = Emulator::builder()
        .keys("pk-debug", "sk-debug-secret-42")
        .start()
        .await
        .unwrap();
    assert!(!format!("{emulator:?}").contains("sk-debug-secret-42"));
    assert!(!format!("{:?}", emulator.state()).contains("sk-debug-secret-42"));
}

#[tokio::test]
async fn a_client_whose_clock_is_off_recovers_with_one_extra_request() {
    // The service's clock is 40 minutes ahead of this machine's: the first signed request
    // is refused for its date, the client learns the offset from the answer's `Date` and
    // sends it once more; later requests are right the first time.
    let emulator = Emulator::builder().clock_skew(40 * 60).start().await.unwrap();
    let client = client(&emulator, AuthScheme::Signed);
    let (status, _) = ok(client.project_info().send().await);
    assert_eq!(status, 200);
    assert_eq!(logged(&emulator, "/project/"), 2, "one refused, one accepted");
    let requests = emulator.state().requests();
    assert_eq!(requests.iter().map(|r| r.status).collect::<Vec<_>>(), [401, 200]);
    let offset = uploadcare::ClientInfo::inner(&client).clock_offset();
    assert!(
        (40 * 60 - 5..=40 * 60 + 5).contains(&offset),
        "learnt offset {offset}"
    );

    ok(client.files_list().send().await);
    assert_eq!(emulator.state().requests().len(), 3, "no further refusals");

    // Wrong keys are not mistaken for a clock problem: one request, the 401 returned.
    let emulator = start().await;
    let wrong = Client::from_config(
        Config::new("demopublickey", "not-the-secret").with_rest_base_url(emulator.rest_base_url()),
    )
    .unwrap();
    assert_eq!(api_error(err(wrong.project_info().send().await)).0, 401);
    assert_eq!(emulator.state().requests().len(), 1);
}

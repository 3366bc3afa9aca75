//! The Upload API client on the wire: form fields, signatures, parts, error codes and the
//! upload flows, against a recording server on 127.0.0.1.

#![cfg(feature = "upload")]

use crate::common;

use common::{Reply, Server, PUBLIC_KEY, SECRET_KEY};
use hmac::{KeyInit, Mac};
use serde_json::{json, Value};
use sha2::Digest;
use std::time::Duration;
use uploadcare::upload::types::{StoreType, UploadErrorCode};
use uploadcare::upload::{CancellationToken, Client, UploadProgress};
use uploadcare::{Config, Error};

const FILE: &str = "3a1c9e05-8f2b-4a3d-9c7e-5b6d2f1e0a47";
const MIB: usize = 1024 * 1024;

fn config(server: &Server) -> Config {
    Config::new(PUBLIC_KEY, SECRET_KEY).with_upload_base_url(server.url())
}

fn client(server: &Server) -> Client {
    Client::from_config(config(server)).unwrap()
}

fn file_info(uuid: &str, name: &str, size: usize) -> Value {
    json!({
        "uuid": uuid, "file_id": uuid, "size": size, "total": size, "done": size,
        "original_filename": name, "filename": name, "mime_type": "text/plain",
        "is_image": false, "is_stored": true, "is_ready": true,
        "image_info": null, "video_info": null, "content_info": null, "metadata": {},
        "s3_bucket": null
    })
}

fn upload_error(status: u16, code: &str, message: &str) -> Reply {
    Reply::plain_json(
        status,
        &json!({"error": {"content": message, "status_code": status, "error_code": code}}),
    )
}

/// HMAC-SHA256(secret, expire as decimal), computed here independently of the crate.
fn expected_signature(expire: &str) -> String {
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(SECRET_KEY.as_bytes()).unwrap();
    mac.update(expire.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

#[tokio::test]
async fn a_small_upload_is_one_signed_base_request_with_the_expected_fields() {
    let server = Server::start(vec![
        Reply::plain_json(200, &json!({"file": FILE})),
        Reply::plain_json(200, &file_info(FILE, "hello.txt", 11)),
    ])
    .await;
    let (progress, updates) = tokio::sync::watch::channel(UploadProgress::default());
    let info = client(&server)
        .upload(b"hello world".to_vec())
        .filename("hello.txt")
        .store(StoreType::Store)
        .metadata("subsystem", "tests")
        .metadata("kind", "greeting")
        .progress(progress)
        .send()
        .await
        .unwrap();
    assert_eq!(info.uuid.to_string(), FILE);
    assert_eq!(*updates.borrow(), UploadProgress { done: 11, total: 11 });

    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    let base = &requests[0];
    assert_eq!((base.method.as_str(), base.path.as_str()), ("POST", "/base/"));
    assert_eq!(base.query.as_deref(), Some("jsonerrors=1"));
    assert_eq!(base.header("user-agent"), Some(uploadcare::USER_AGENT));
    assert_eq!(
        base.header("authorization"),
        None,
        "the Upload API has no auth header"
    );
    let parts = base.multipart();
    let names: Vec<&str> = parts.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "UPLOADCARE_PUB_KEY",
            "signature",
            "expire",
            "UPLOADCARE_STORE",
            "metadata[kind]",
            "metadata[subsystem]",
            "file"
        ]
    );
    let fields = base.form_fields();
    assert_eq!(field(&fields, "UPLOADCARE_PUB_KEY"), Some(PUBLIC_KEY));
    assert_eq!(field(&fields, "UPLOADCARE_STORE"), Some("1"));
    assert_eq!(field(&fields, "metadata[subsystem]"), Some("tests"));
    let expire = field(&fields, "expire").unwrap();
    let expire_at: u64 = expire.parse().unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    assert!(
        expire_at > now && expire_at <= now + 31 * 60,
        "expire is ~30 minutes ahead"
    );
    assert_eq!(
        field(&fields, "signature"),
        Some(expected_signature(expire).as_str())
    );
    let file = parts.iter().find(|p| p.name == "file").unwrap();
    assert_eq!(file.filename.as_deref(), Some("hello.txt"));
    assert_eq!(file.content_type.as_deref(), Some("text/plain"));
    assert_eq!(file.data, b"hello world");

    let info_request = &requests[1];
    assert_eq!(info_request.path, "/info/");
    let query = info_request.query_pairs();
    assert!(query.contains(&("pub_key".into(), PUBLIC_KEY.into())));
    assert!(query.contains(&("file_id".into(), FILE.into())));
}

#[tokio::test]
async fn uploads_are_unsigned_without_a_secret_key_or_when_disabled() {
    for config in [
        |s: &Server| Config::public_only(PUBLIC_KEY).with_upload_base_url(s.url()),
        |s: &Server| {
            Config::new(PUBLIC_KEY, SECRET_KEY)
                .with_upload_base_url(s.url())
                .with_signed_uploads(false)
        },
    ] {
        let server = Server::start(vec![Reply::plain_json(200, &json!({"file": FILE}))]).await;
        let client = Client::from_config(config(&server)).unwrap();
        let file = uploadcare::upload::DirectFile {
            field: "file".into(),
            filename: "a.png".into(),
            content_type: None,
            source: b"\x89PNG".as_slice().into(),
        };
        let uuids = client
            .direct_upload(vec![file], StoreType::Auto, &Default::default())
            .await
            .unwrap();
        assert_eq!(uuids["file"].to_string(), FILE);
        let request = server.only_request();
        let fields = request.form_fields();
        assert_eq!(field(&fields, "signature"), None);
        assert_eq!(field(&fields, "expire"), None);
        assert_eq!(field(&fields, "UPLOADCARE_STORE"), Some("auto"));
        let part = request
            .multipart()
            .into_iter()
            .find(|p| p.name == "file")
            .unwrap();
        assert_eq!(
            part.content_type.as_deref(),
            Some("image/png"),
            "guessed from the name"
        );
    }
}

#[tokio::test]
async fn a_file_path_is_streamed_with_its_name() {
    let dir = std::env::temp_dir().join(format!("uploadcare-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("report.pdf");
    std::fs::write(&path, b"%PDF-1.4 test").unwrap();
    let server = Server::start(vec![
        Reply::plain_json(200, &json!({"file": FILE})),
        Reply::plain_json(200, &file_info(FILE, "report.pdf", 13)),
    ])
    .await;
    client(&server).upload(path.as_path()).send().await.unwrap();
    let part = server.requests()[0]
        .multipart()
        .into_iter()
        .find(|p| p.name == "file")
        .unwrap();
    assert_eq!(part.filename.as_deref(), Some("report.pdf"));
    assert_eq!(part.content_type.as_deref(), Some("application/pdf"));
    assert_eq!(part.data, b"%PDF-1.4 test");
    std::fs::remove_dir_all(dir).unwrap();
}

fn content(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i % 251) as u8).collect()
}

#[tokio::test]
async fn a_large_upload_goes_multipart_in_parallel_parts_with_every_byte_intact() {
    let size = 12 * MIB + 12345;
    let data = content(size);
    // The server answers start with part URLs pointing back at itself.
    let server = Server::start(vec![]).await;
    let parts: Vec<String> = (0..3)
        .map(|i| format!("{}/parts/{i}/?X-Signed=abc", server.url()))
        .collect();
    let server = server.with_replies(vec![
        Reply::plain_json(200, &json!({"uuid": FILE, "parts": parts})),
        Reply::empty(200),
        Reply::empty(200),
        Reply::empty(200),
        Reply::plain_json(200, &file_info(FILE, "big.bin", size)),
    ]);
    let (progress, updates) = tokio::sync::watch::channel(UploadProgress::default());
    let info = client(&server)
        .upload(data.clone())
        .filename("big.bin")
        .multipart_threshold(10 * MIB as u64)
        .concurrency(3)
        .progress(progress)
        .send()
        .await
        .unwrap();
    assert_eq!(info.size as usize, size);
    assert_eq!(
        *updates.borrow(),
        UploadProgress {
            done: size as u64,
            total: size as u64
        }
    );

    let requests = server.requests();
    assert_eq!(requests.len(), 5);
    let start = &requests[0];
    assert_eq!(start.path, "/multipart/start/");
    let fields = start.form_fields();
    assert_eq!(field(&fields, "filename"), Some("big.bin"));
    assert_eq!(field(&fields, "size"), Some(size.to_string().as_str()));
    assert_eq!(field(&fields, "part_size"), Some("5242880"));
    assert_eq!(field(&fields, "content_type"), Some("application/octet-stream"));
    assert_eq!(field(&fields, "UPLOADCARE_STORE"), Some("auto"));
    assert!(field(&fields, "signature").is_some());

    let mut received = vec![Vec::new(); 3];
    for put in requests.iter().filter(|r| r.method == "PUT") {
        let index: usize = put
            .path
            .trim_start_matches("/parts/")
            .trim_end_matches('/')
            .parse()
            .unwrap();
        assert_eq!(
            put.query.as_deref(),
            Some("X-Signed=abc"),
            "presigned URLs are used as given"
        );
        assert_eq!(put.header("content-type"), Some("application/octet-stream"));
        received[index] = put.body.to_vec();
    }
    assert_eq!(
        received.iter().map(Vec::len).collect::<Vec<_>>(),
        [5 * MIB, 5 * MIB, 2 * MIB + 12345]
    );
    assert_eq!(
        sha2::Sha256::digest(received.concat()),
        sha2::Sha256::digest(&data)
    );

    let complete = requests.last().unwrap();
    assert_eq!(complete.path, "/multipart/complete/");
    let fields = complete.form_fields();
    assert_eq!(field(&fields, "uuid"), Some(FILE));
    assert_eq!(field(&fields, "UPLOADCARE_PUB_KEY"), Some(PUBLIC_KEY));
}

#[tokio::test]
async fn a_part_that_fails_once_is_retried_without_restarting_the_file() {
    let size = 11 * MIB;
    let server = Server::start(vec![]).await;
    let parts: Vec<String> = (0..3).map(|i| format!("{}/parts/{i}/", server.url())).collect();
    let server = server.with_replies(vec![
        Reply::plain_json(200, &json!({"uuid": FILE, "parts": parts})),
        Reply::text(500, "storage hiccup"),
        Reply::empty(200),
        Reply::empty(200),
        Reply::empty(200),
        Reply::plain_json(200, &file_info(FILE, "big.bin", size)),
    ]);
    client(&server)
        .upload(content(size))
        .multipart_threshold(10 * MIB as u64)
        .concurrency(1)
        .send()
        .await
        .unwrap();
    let requests = server.requests();
    let puts: Vec<&str> = requests
        .iter()
        .filter(|r| r.method == "PUT")
        .map(|r| r.path.as_str())
        .collect();
    assert_eq!(
        puts,
        ["/parts/0/", "/parts/0/", "/parts/1/", "/parts/2/"],
        "only the failed part is sent again"
    );
    assert_eq!(
        requests.iter().filter(|r| r.path == "/multipart/start/").count(),
        1
    );
    assert_eq!(
        requests
            .iter()
            .filter(|r| r.path == "/multipart/complete/")
            .count(),
        1
    );
}

/// Parts of a file on disk stream from the file (each part request reads its own region);
/// a part that fails is read again from the file, and every byte arrives once, in place.
#[tokio::test]
async fn parts_of_a_file_on_disk_stream_from_it_and_retry_from_it() {
    let size = 13 * MIB + 777;
    let data = content(size);
    let path = std::env::temp_dir().join(format!("uc-parts-{}.bin", uuid::Uuid::new_v4()));
    std::fs::write(&path, &data).unwrap();
    let server = Server::start(vec![]).await;
    let parts: Vec<String> = (0..3).map(|i| format!("{}/parts/{i}/", server.url())).collect();
    let server = server.with_replies(vec![
        Reply::plain_json(200, &json!({"uuid": FILE, "parts": parts})),
        Reply::text(503, "slow down"),
        Reply::empty(200),
        Reply::empty(200),
        Reply::empty(200),
        Reply::plain_json(200, &file_info(FILE, "disk.bin", size)),
    ]);
    client(&server)
        .upload(path.as_path())
        .multipart_threshold(10 * MIB as u64)
        .concurrency(1)
        .send()
        .await
        .unwrap();
    let requests = server.requests();
    let puts: Vec<_> = requests.iter().filter(|r| r.method == "PUT").collect();
    assert_eq!(puts.len(), 4, "one part sent twice");
    let mut received = vec![Vec::new(); 3];
    for put in &puts[1..] {
        let index: usize = put
            .path
            .trim_start_matches("/parts/")
            .trim_end_matches('/')
            .parse()
            .unwrap();
        assert_eq!(
            put.header("content-length"),
            Some(put.body.len().to_string().as_str())
        );
        received[index] = put.body.to_vec();
    }
    assert_eq!(
        puts[0].body.as_ref(),
        &data[..5 * MIB],
        "the failed attempt carried the whole part"
    );
    assert_eq!(
        sha2::Sha256::digest(received.concat()),
        sha2::Sha256::digest(&data)
    );
    std::fs::remove_file(&path).unwrap();
}

#[tokio::test]
async fn a_part_that_keeps_failing_fails_the_upload_without_completing() {
    // One retry per request, parts included (the client's one retry policy).
    let policy = uploadcare::RetryPolicy {
        max_retries: 1,
        initial_backoff: Duration::from_millis(10),
        ..uploadcare::RetryPolicy::default()
    };
    let server = Server::start(vec![]).await;
    let parts: Vec<String> = (0..3).map(|i| format!("{}/parts/{i}/", server.url())).collect();
    let server = server.with_replies(vec![
        Reply::plain_json(200, &json!({"uuid": FILE, "parts": parts})),
        Reply::text(500, "storage down"),
    ]);
    let err = Client::from_config(config(&server).with_retry_policy(policy))
        .unwrap()
        .upload(content(11 * MIB))
        .multipart_threshold(10 * MIB as u64)
        .concurrency(1)
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Api { status: 500, detail, .. } if detail == "storage down"),
        "{err:?}"
    );
    let requests = server.requests();
    assert_eq!(requests.iter().filter(|r| r.method == "PUT").count(), 2);
    assert!(
        requests.iter().all(|r| r.path != "/multipart/complete/"),
        "nothing is completed"
    );
}

#[tokio::test]
async fn cancelling_stops_a_multipart_upload() {
    let server = Server::start(vec![]).await;
    let parts: Vec<String> = (0..3).map(|i| format!("{}/parts/{i}/", server.url())).collect();
    let server = server.with_replies(vec![
        Reply::plain_json(200, &json!({"uuid": FILE, "parts": parts})),
        Reply::empty(200).delayed(Duration::from_secs(30)),
    ]);
    let token = CancellationToken::new();
    let canceller = token.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        canceller.cancel();
    });
    let started = std::time::Instant::now();
    let err = client(&server)
        .upload(content(11 * MIB))
        .multipart_threshold(10 * MIB as u64)
        .cancel_on(token)
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Cancelled), "{err:?}");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "did not wait for the slow parts"
    );
    assert!(server.requests().iter().all(|r| r.path != "/multipart/complete/"));
}

#[tokio::test]
async fn invalid_options_and_metadata_are_rejected_before_any_request() {
    let server = Server::start(vec![Reply::plain_json(200, &json!({}))]).await;
    let client = client(&server);
    let cases = [
        client.upload(b"x".to_vec()).metadata("bad key", "v").send().await,
        client.upload(b"x".to_vec()).metadata("k", "").send().await,
        client
            .upload(b"x".to_vec())
            .multipart_threshold(5 * MIB as u64)
            .send()
            .await,
        client
            .upload(b"x".to_vec())
            .multipart_threshold(101 * MIB as u64)
            .send()
            .await,
        client.upload(b"x".to_vec()).part_size(MIB as u64).send().await,
        client.upload(b"x".to_vec()).concurrency(0).send().await,
    ];
    for result in cases {
        assert!(matches!(result, Err(Error::InvalidInput(_))), "{result:?}");
    }
    assert!(matches!(
        client.create_group(Vec::<String>::new()).await,
        Err(Error::InvalidInput(_))
    ));
    let start = uploadcare::upload::MultipartStart {
        filename: "small.bin".into(),
        size: 1024,
        content_type: "application/octet-stream".into(),
        part_size: 5 * MIB as u64,
        store: StoreType::Auto,
        metadata: Default::default(),
        tags: Vec::new(),
    };
    assert!(matches!(
        client.multipart_start(&start).await,
        Err(Error::InvalidInput(_))
    ));
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn a_group_is_created_from_indexed_file_fields_and_read_back() {
    let group = json!({
        "id": "e2b9c4d7-1a3f-4e6b-8c5d-9f0a2b4c6d81~2", "datetime_created": "2024-03-05T11:31:07.419265Z",
        "datetime_stored": null, "files_count": 2,
        "cdn_url": "https://ucarecdn.com/e2b9c4d7-1a3f-4e6b-8c5d-9f0a2b4c6d81~2/",
        "url": "https://api.uploadcare.com/groups/e2b9c4d7-1a3f-4e6b-8c5d-9f0a2b4c6d81~2/",
        "files": [null, null]
    });
    let server = Server::start(vec![
        Reply::plain_json(200, &group),
        Reply::plain_json(200, &group),
    ])
    .await;
    let client = client(&server);
    let created = client
        .create_group([FILE.to_owned(), format!("{FILE}/-/resize/x800/")])
        .await
        .unwrap();
    assert_eq!(created.files_count, Some(2));
    let fields = server.requests()[0].form_fields();
    assert_eq!(server.requests()[0].path, "/group/");
    assert_eq!(field(&fields, "pub_key"), Some(PUBLIC_KEY));
    assert_eq!(field(&fields, "files[0]"), Some(FILE));
    assert_eq!(
        field(&fields, "files[1]"),
        Some(format!("{FILE}/-/resize/x800/").as_str())
    );
    assert!(field(&fields, "signature").is_some());

    let info = client
        .group_info("e2b9c4d7-1a3f-4e6b-8c5d-9f0a2b4c6d81~2")
        .await
        .unwrap();
    assert_eq!(info.id.as_deref(), Some("e2b9c4d7-1a3f-4e6b-8c5d-9f0a2b4c6d81~2"));
    let request = &server.requests()[1];
    assert_eq!(request.path, "/group/info/");
    assert!(request
        .query_pairs()
        .contains(&("group_id".into(), "e2b9c4d7-1a3f-4e6b-8c5d-9f0a2b4c6d81~2".into())));
}

#[tokio::test]
async fn upload_api_error_codes_become_typed_errors() {
    let cases = [
        (
            400,
            "FileMetadataKeyEmptyError",
            "File's metadata key can not be empty.",
            UploadErrorCode::FileMetadataKeyEmptyError,
        ),
        (
            403,
            "ProjectPublicKeyInvalidError",
            "UPLOADCARE_PUB_KEY is invalid.",
            UploadErrorCode::ProjectPublicKeyInvalidError,
        ),
        (
            400,
            "SignatureRequiredError",
            "`signature` is required.",
            UploadErrorCode::SignatureRequiredError,
        ),
        (
            403,
            "SignatureExpirationError",
            "Expired signature.",
            UploadErrorCode::SignatureExpirationError,
        ),
        (
            413,
            "RequestSizeLimitExceededError",
            "Request size limit exceeded.",
            UploadErrorCode::RequestSizeLimitExceededError,
        ),
        (
            404,
            "FileNotFoundError",
            "File is not found.",
            UploadErrorCode::FileNotFoundError,
        ),
        (
            400,
            "BrandNewError",
            "Something new.",
            UploadErrorCode::Unrecognized("BrandNewError".into()),
        ),
    ];
    for (status, code, message, expected) in cases {
        let server = Server::start(vec![upload_error(status, code, message)]).await;
        let err = client(&server).upload(b"x".to_vec()).send().await.unwrap_err();
        match err {
            Error::Upload {
                status: s,
                code: c,
                message: m,
            } => {
                assert_eq!((s, m.as_str()), (status, message));
                assert_eq!(c, expected);
                assert_eq!(c.typed(), expected);
                assert_eq!(c, code);
            }
            other => panic!("expected an Upload error for {code}, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn a_json_error_answered_with_status_200_is_still_an_error() {
    let body = json!({"error": {"content": "File is not found.", "status_code": 404, "error_code": "FileNotFoundError"}});
    let server = Server::start(vec![Reply::plain_json(200, &body)]).await;
    let err = client(&server).info(FILE.parse().unwrap()).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Upload { status: 404, ref code, .. } if *code == UploadErrorCode::FileNotFoundError
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn an_upload_from_url_is_polled_until_success() {
    let token = "6f1d8c2b-3e4a-4b7c-8d9e-0a1b2c3d4e5f";
    let server = Server::start(vec![
        Reply::plain_json(200, &json!({"type": "token", "token": token})),
        Reply::plain_json(200, &json!({"status": "waiting"})),
        Reply::plain_json(200, &json!({"status": "progress", "done": 5, "total": 10})),
        Reply::plain_json(200, &json!({"status": "success", "uuid": FILE, "file_id": FILE})),
        Reply::plain_json(200, &file_info(FILE, "remote.txt", 10)),
    ])
    .await;
    let info = client(&server)
        .upload_from_url("https://example.com/remote.txt")
        .filename("remote.txt")
        .store(StoreType::Temporary)
        .check_url_duplicates(true)
        .save_url_duplicates(true)
        .metadata("origin", "crawler")
        .poll_interval(Duration::from_millis(10))
        .send()
        .await
        .unwrap();
    assert_eq!(info.original_filename, "remote.txt");
    let requests = server.requests();
    let paths: Vec<&str> = requests.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "/from_url/",
            "/from_url/status/",
            "/from_url/status/",
            "/from_url/status/",
            "/info/"
        ]
    );
    let fields = requests[0].form_fields();
    assert_eq!(field(&fields, "pub_key"), Some(PUBLIC_KEY));
    assert_eq!(
        field(&fields, "source_url"),
        Some("https://example.com/remote.txt")
    );
    assert_eq!(field(&fields, "store"), Some("0"));
    assert_eq!(field(&fields, "check_URL_duplicates"), Some("1"));
    assert_eq!(field(&fields, "save_URL_duplicates"), Some("1"));
    assert_eq!(field(&fields, "filename"), Some("remote.txt"));
    assert_eq!(field(&fields, "metadata[origin]"), Some("crawler"));
    assert!(requests[1]
        .query_pairs()
        .contains(&("token".into(), token.into())));
}

#[tokio::test]
async fn an_upload_from_url_error_status_is_a_typed_error() {
    let token = "6f1d8c2b-3e4a-4b7c-8d9e-0a1b2c3d4e5f";
    let server = Server::start(vec![
        Reply::plain_json(200, &json!({"type": "token", "token": token})),
        Reply::plain_json(200, &json!({"status": "error", "error": "Host does not exist.", "error_code": "DownloadFileHTTPClientError"})),
    ])
    .await;
    let err = client(&server)
        .upload_from_url("https://nowhere.invalid/x")
        .poll_interval(Duration::from_millis(10))
        .send()
        .await
        .unwrap_err();
    match err {
        Error::UploadFromUrlFailed { code, message } => {
            assert_eq!(message, "Host does not exist.");
            assert_eq!(
                code.map(|c| c.to_string()).as_deref(),
                Some("DownloadFileHTTPClientError")
            );
        }
        other => panic!("expected UploadFromUrlFailed, got {other:?}"),
    }
}

#[tokio::test]
async fn an_upload_from_url_that_never_finishes_times_out() {
    let token = "6f1d8c2b-3e4a-4b7c-8d9e-0a1b2c3d4e5f";
    let server = Server::start(vec![
        Reply::plain_json(200, &json!({"type": "token", "token": token})),
        Reply::plain_json(200, &json!({"status": "waiting"})),
    ])
    .await;
    let err = client(&server)
        .upload_from_url("https://example.com/slow")
        .poll_interval(Duration::from_millis(20))
        .timeout(Duration::from_millis(300))
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::TimedOut { .. }), "{err:?}");
    assert!(server.requests().len() >= 3, "it polled several times");
}

fn throttled() -> Reply {
    upload_error(429, "ThrottledRequestError", "Request was throttled.").with_header("retry-after", "1")
}

#[tokio::test]
async fn a_throttled_direct_upload_is_sent_again_after_retry_after_with_a_fresh_signature() {
    let server = Server::start(vec![
        throttled(),
        Reply::plain_json(200, &json!({"file": FILE})),
        Reply::plain_json(200, &file_info(FILE, "hello.txt", 11)),
    ])
    .await;
    let started = std::time::Instant::now();
    let file = client(&server)
        .upload(&b"hello world"[..])
        .filename("hello.txt")
        .send()
        .await
        .unwrap();
    assert_eq!(file.uuid.to_string(), FILE);
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "waited for Retry-After"
    );
    let requests = server.requests();
    assert_eq!(requests.len(), 3);
    let (first, second) = (&requests[0], &requests[1]);
    assert!(first.path == "/base/" && second.path == "/base/");
    // The same file both times, each form signed when it was sent.
    let content = |r: &common::Recorded| r.multipart().into_iter().find(|p| p.name == "file").unwrap().data;
    assert_eq!(content(first), b"hello world");
    assert_eq!(content(second), b"hello world");
    let (f1, f2) = (first.form_fields(), second.form_fields());
    for fields in [&f1, &f2] {
        let expire = field(fields, "expire").unwrap();
        assert_eq!(
            field(fields, "signature"),
            Some(expected_signature(expire).as_str())
        );
    }
    let expire = |f: &[(String, String)]| field(f, "expire").unwrap().parse::<u64>().unwrap();
    assert!(expire(&f2) > expire(&f1), "the retry is signed anew");
}

#[tokio::test]
async fn a_throttled_upload_from_disk_is_read_again_from_the_file() {
    let path = std::env::temp_dir().join(format!("uploadcare-retry-{}.txt", std::process::id()));
    std::fs::write(&path, b"bytes on disk").unwrap();
    let server = Server::start(vec![
        throttled(),
        Reply::plain_json(200, &json!({"file": FILE})),
        Reply::plain_json(200, &file_info(FILE, "disk.txt", 13)),
    ])
    .await;
    client(&server).upload(path.as_path()).send().await.unwrap();
    std::fs::remove_file(&path).unwrap();
    let requests = server.requests();
    for request in &requests[..2] {
        let part = request
            .multipart()
            .into_iter()
            .find(|p| p.name == "file")
            .unwrap();
        assert_eq!(part.data, b"bytes on disk");
    }
}

#[tokio::test]
async fn a_throttled_upload_from_a_one_shot_reader_is_reported_not_sent_again() {
    let server = Server::start(vec![throttled(), Reply::plain_json(200, &json!({"file": FILE}))]).await;
    let reader = std::io::Cursor::new(b"streamed once".to_vec());
    let err = client(&server)
        .upload(uploadcare::upload::UploadSource::reader(reader, 13))
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Upload { status: 429, .. }), "{err:?}");
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn every_upload_api_post_is_retried_when_throttled() {
    let group = json!({
        "id": format!("{FILE}~1"), "datetime_created": "2026-12-03T06:00:00Z", "datetime_stored": null,
        "files_count": 1, "cdn_url": format!("https://ucarecdn.com/{FILE}~1/"),
        "url": format!("https://api.uploadcare.com/groups/{FILE}~1/"), "files": [file_info(FILE, "a.txt", 1)]
    });
    let token = "45c6e8c8-ecd5-4b1c-9e6a-7b59f63c10d2";
    let server = Server::start(vec![
        throttled(),
        Reply::plain_json(200, &group),
        throttled(),
        Reply::plain_json(200, &json!({"type": "token", "token": token})),
        throttled(),
        Reply::plain_json(200, &file_info(FILE, "a.txt", 1)),
    ])
    .await;
    let client = client(&server);
    let created = client.create_group([FILE]).await.unwrap();
    assert_eq!(created.files_count, Some(1));
    let submitted = client
        .upload_from_url("https://example.com/a.txt")
        .submit()
        .await
        .unwrap();
    assert_eq!(submitted.token.map(|t| t.to_string()).as_deref(), Some(token));
    let completed = client.multipart_complete(FILE.parse().unwrap()).await.unwrap();
    assert_eq!(completed.size, 1);
    let paths: Vec<String> = server.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(
        paths,
        [
            "/group/",
            "/group/",
            "/from_url/",
            "/from_url/",
            "/multipart/complete/",
            "/multipart/complete/"
        ]
    );
}

/// `Config::with_user_agent_extension` appends to the crate's User-Agent on every request
/// (Upload API forms, presigned part PUTs, REST); a custom `reqwest::Client` keeps its own
/// User-Agent unless an extension is asked for.
#[tokio::test]
async fn user_agent_extension_and_custom_clients() {
    let ours = format!("{} my-app/1.2", uploadcare::USER_AGENT);
    let size = 11 * MIB;
    let server = Server::start(vec![]).await;
    let parts: Vec<String> = (0..3).map(|i| format!("{}/parts/{i}/", server.url())).collect();
    let server = server.with_replies(vec![
        Reply::plain_json(200, &json!({"uuid": FILE, "parts": parts})),
        Reply::empty(200),
        Reply::empty(200),
        Reply::empty(200),
        Reply::plain_json(200, &file_info(FILE, "big.bin", size)),
    ]);
    Client::from_config(config(&server).with_user_agent_extension(" my-app/1.2 "))
        .unwrap()
        .upload(content(size))
        .multipart_threshold(10 * MIB as u64)
        .send()
        .await
        .unwrap();
    let requests = server.requests();
    assert_eq!(requests.len(), 5);
    for request in &requests {
        assert_eq!(
            request.header("user-agent"),
            Some(ours.as_str()),
            "{}",
            request.path
        );
    }

    // A custom client: its own User-Agent, not the crate's…
    let custom = reqwest::Client::builder()
        .user_agent("their-agent/9")
        .build()
        .unwrap();
    let server = Server::start(vec![Reply::plain_json(200, &file_info(FILE, "a.txt", 5))]).await;
    let _ = Client::from_config(config(&server).with_http_client(custom.clone()))
        .unwrap()
        .info(FILE.parse().unwrap())
        .await;
    assert_eq!(server.requests()[0].header("user-agent"), Some("their-agent/9"));
    // …unless an extension is configured.
    let server = Server::start(vec![Reply::plain_json(200, &file_info(FILE, "a.txt", 5))]).await;
    let _ = Client::from_config(
        config(&server)
            .with_http_client(custom)
            .with_user_agent_extension("my-app/1.2"),
    )
    .unwrap()
    .info(FILE.parse().unwrap())
    .await;
    assert_eq!(server.requests()[0].header("user-agent"), Some(ours.as_str()));

    // REST requests too.
    #[cfg(feature = "v0_7")]
    {
        let server = Server::start(vec![Reply::plain_json(
            200,
            &json!({"next": null, "previous": null, "total": 0, "per_page": 1, "results": []}),
        )])
        .await;
        let rest = uploadcare::v0_7::Client::from_config(
            Config::new(PUBLIC_KEY, SECRET_KEY)
                .with_rest_base_url(server.url())
                .with_user_agent_extension("my-app/1.2"),
        )
        .unwrap();
        rest.files_list().send().await.unwrap();
        assert_eq!(server.requests()[0].header("user-agent"), Some(ours.as_str()));
    }

    // An extension that is not a header value is refused when the client is built.
    let err =
        Client::from_config(Config::public_only("k").with_user_agent_extension("bad\nvalue")).unwrap_err();
    assert!(matches!(err, Error::Config(_)), "{err:?}");
}

/// `.wait_until_ready(policy)`: an upload whose file is not ready yet polls `/info/` until
/// it is, and answers with the ready file's info; without the option, one `/info/` only.
#[tokio::test]
async fn an_upload_can_wait_until_the_file_is_ready() {
    let mut not_ready = file_info(FILE, "a.txt", 5);
    not_ready["is_ready"] = json!(false);
    let ready = file_info(FILE, "a.txt", 5);
    let policy = uploadcare::runtime::WaitPolicy {
        first_delay: Duration::from_millis(5),
        factor: 1.0,
        max_delay: Duration::from_millis(5),
        timeout: Duration::from_secs(5),
    };
    let server = Server::start(vec![
        Reply::plain_json(200, &json!({"file": FILE})),
        Reply::plain_json(200, &not_ready),
        Reply::plain_json(200, &not_ready),
        Reply::plain_json(200, &ready),
    ])
    .await;
    let info = client(&server)
        .upload(b"hello".to_vec())
        .wait_until_ready(policy.clone())
        .send()
        .await
        .unwrap();
    assert!(info.is_ready);
    let paths: Vec<String> = server.requests().iter().map(|r| r.path.clone()).collect();
    assert_eq!(paths, ["/base/", "/info/", "/info/", "/info/"]);

    let server = Server::start(vec![
        Reply::plain_json(200, &json!({"file": FILE})),
        Reply::plain_json(200, &not_ready),
    ])
    .await;
    let info = client(&server).upload(b"hello".to_vec()).send().await.unwrap();
    assert!(!info.is_ready);
    assert_eq!(server.requests().len(), 2);

    // Uploads from URL too.
    let server = Server::start(vec![
        Reply::plain_json(
            200,
            &json!({"type": "token", "token": "6f1d8c2b-3e4a-4b7c-8d9e-0a1b2c3d4e5f"}),
        ),
        Reply::plain_json(200, &json!({"status": "success", "uuid": FILE, "file_id": FILE})),
        Reply::plain_json(200, &not_ready),
        Reply::plain_json(200, &ready),
    ])
    .await;
    let info = client(&server)
        .upload_from_url("https://example.com/a.txt")
        .poll_interval(Duration::from_millis(5))
        .wait_until_ready(policy)
        .send()
        .await
        .unwrap();
    assert!(info.is_ready);
    let paths: Vec<String> = server.requests().iter().map(|r| r.path.clone()).collect();
    assert_eq!(paths, ["/from_url/", "/from_url/status/", "/info/", "/info/"]);
}

/// A GET of the Upload API (`/info/`) refused for an expired token gets a new token from the
/// provider and is sent once more, with it; a second refusal is final.
#[tokio::test]
async fn an_info_request_refused_for_an_expired_token_is_sent_again_with_a_new_one() {
    let expired = || upload_error(401, "AccessTokenExpiredError", "Expired token.");
    let server = Server::start(vec![
        expired(),
        Reply::plain_json(200, &file_info(FILE, "a.txt", 1)),
        expired(),
        expired(),
    ])
    .await;
    let fetches = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let counter = fetches.clone();
    let provider = uploadcare::upload::TokenProvider::new(move || {
        let n = counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
        async move { Ok::<_, std::io::Error>(format!("token-{n}")) }
    });
    let client = Client::from_config(
        Config::public_only(PUBLIC_KEY)
            .with_upload_base_url(server.url())
            .with_upload_token_provider(provider),
    )
    .unwrap();
    let info = client.info(FILE.parse().unwrap()).await.unwrap();
    assert_eq!(info.uuid.to_string(), FILE);
    let tokens: Vec<String> = server
        .requests()
        .iter()
        .map(|r| r.header("authorization").unwrap_or_default().to_owned())
        .collect();
    assert_eq!(tokens, ["Bearer token-1", "Bearer token-2"]);
    // Refused again after the new token: the error, after exactly one more try.
    let err = client.info(FILE.parse().unwrap()).await.unwrap_err();
    assert!(
        matches!(&err, Error::Upload { code, .. } if code == "AccessTokenExpiredError"),
        "{err:?}"
    );
    assert_eq!(server.requests().len(), 4);
    assert_eq!(fetches.load(std::sync::atomic::Ordering::SeqCst), 3);
}

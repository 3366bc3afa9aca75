//! What callers rely on beyond the happy path: typed errors (with status, message and raw
//! body), validation before any request, retries, models that tolerate what the real
//! service sends, and secrets kept out of Debug output and error messages.

#![cfg(feature = "v0_7")]

use crate::common;

use common::{Reply, Server, PUBLIC_KEY, SECRET_KEY};
use serde_json::json;
use std::time::Duration;
use uploadcare::v0_7::{types, Client};
use uploadcare::{AuthScheme, Config, Error, RetryPolicy};

const FILE: &str = "3a1c9e05-8f2b-4a3d-9c7e-5b6d2f1e0a47";

fn config(server: &Server) -> Config {
    Config::new(PUBLIC_KEY, SECRET_KEY)
        .with_rest_base_url(server.url())
        .with_retry_policy(RetryPolicy {
            max_retries: 2,
            initial_backoff: Duration::from_millis(10),
            max_retry_after: Duration::from_secs(2),
            ..RetryPolicy::default()
        })
}

fn client(server: &Server) -> Client {
    Client::from_config(config(server)).unwrap()
}

fn file_json() -> serde_json::Value {
    json!({
        "datetime_removed": null,
        "datetime_stored": "2024-03-05T11:12:41.261502Z",
        "datetime_uploaded": "2024-03-05T11:12:40.543218Z",
        "is_image": true,
        "is_ready": true,
        "mime_type": "image/jpeg",
        "original_file_url": "https://ucarecdn.com/3a1c9e05-8f2b-4a3d-9c7e-5b6d2f1e0a47/mountain-lake.jpg",
        "original_filename": "mountain-lake.jpg",
        "size": 642817,
        "url": "https://api.uploadcare.com/files/3a1c9e05-8f2b-4a3d-9c7e-5b6d2f1e0a47/",
        "uuid": FILE,
        "variations": null,
        "content_info": {"mime": {"mime": "image/jpeg", "type": "image", "subtype": "jpeg"}},
        "metadata": {}
    })
}

#[tokio::test]
async fn an_error_status_becomes_an_api_error_with_detail_and_raw_body() {
    let server = Server::start(vec![Reply::json(
        404,
        &json!({"detail": "Not found.", "hint": "x"}),
    )])
    .await;
    let err = client(&server)
        .file_info()
        .uuid(FILE.parse::<uuid::Uuid>().unwrap())
        .send()
        .await;
    let err = Error::from(err.unwrap_err());
    match &err {
        Error::Api {
            status,
            detail,
            body,
            retry_after,
        } => {
            assert_eq!(*status, 404);
            assert_eq!(detail, "Not found.");
            assert_eq!(body, r#"{"detail":"Not found.","hint":"x"}"#);
            assert_eq!(*retry_after, None);
        }
        other => panic!("expected Api error, got {other:?}"),
    }
    assert_eq!(err.to_string(), "Uploadcare API error (HTTP 404): Not found.");
    assert_eq!(err.status(), Some(404));
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn a_plain_text_error_body_keeps_its_status_and_text() {
    // The conversion endpoints answer 503 in text/plain. POST is not retried on 503.
    let server = Server::start(vec![Reply::text(503, "Conversion service is down")]).await;
    let body = types::DocumentConvertRequest::builder().paths(vec!["x/document/-/format/pdf/".to_owned()]);
    let err = client(&server)
        .document_convert()
        .body(body)
        .send()
        .await
        .unwrap_err();
    match Error::from(err) {
        Error::Api {
            status: 503,
            detail,
            body,
            ..
        } => {
            assert_eq!(detail, "Conversion service is down");
            assert_eq!(body, "Conversion service is down");
        }
        other => panic!("expected Api 503, got {other:?}"),
    }
    assert_eq!(server.requests().len(), 1, "a POST is not retried on 503");
}

#[tokio::test]
async fn an_empty_error_body_still_gives_an_api_error() {
    let server = Server::start(vec![Reply::empty(500)]).await;
    let err = client(&server).project_info().send().await.unwrap_err();
    assert!(
        matches!(Error::from(err), Error::Api { status: 500, detail, .. } if detail == "Internal Server Error")
    );
}

#[tokio::test]
async fn a_throttled_request_is_retried_after_retry_after() {
    let project =
        json!({"name": "Demo", "pub_key": PUBLIC_KEY, "autostore_enabled": true, "collaborators": []});
    let server = Server::start(vec![
        Reply::json(429, &json!({"detail": "Request was throttled."})).with_header("retry-after", "1"),
        Reply::json(200, &project),
    ])
    .await;
    let started = std::time::Instant::now();
    let project = client(&server)
        .project_info()
        .send()
        .await
        .map_err(Error::from)
        .unwrap();
    assert_eq!(project.name.as_deref(), Some("Demo"));
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "waited for Retry-After"
    );
    // The retried request is signed anew, with a fresh date.
    common::verify_auth(&requests[0], true, "0.7");
    common::verify_auth(&requests[1], true, "0.7");
    let date = |i: usize| httpdate::parse_http_date(requests[i].header("date").unwrap()).unwrap();
    assert!(date(1) > date(0), "the retry carries a later Date");
    assert_ne!(
        requests[0].header("authorization"),
        requests[1].header("authorization")
    );
}

#[tokio::test]
async fn a_retry_after_beyond_the_policy_limit_is_returned_to_the_caller() {
    let server = Server::start(vec![Reply::json(
        429,
        &json!({"detail": "Request was throttled. Expected available in 120 seconds."}),
    )
    .with_header("retry-after", "120")])
    .await;
    let err = Error::from(client(&server).project_info().send().await.unwrap_err());
    assert!(
        matches!(err, Error::Api { status: 429, retry_after: Some(d), .. } if d == Duration::from_secs(120))
    );
    assert!(err.is_retryable());
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn server_errors_on_idempotent_requests_are_retried_then_reported() {
    let server = Server::start(vec![Reply::json(502, &json!({"detail": "Bad gateway"}))]).await;
    let err = Error::from(client(&server).project_info().send().await.unwrap_err());
    assert_eq!(err.status(), Some(502));
    assert_eq!(server.requests().len(), 3, "one attempt plus max_retries = 2");
}

#[tokio::test]
async fn an_invalid_success_body_is_an_invalid_response_error() {
    let server = Server::start(vec![Reply::text(200, "<html>not json</html>")]).await;
    let err = Error::from(client(&server).project_info().send().await.unwrap_err());
    match err {
        Error::InvalidResponse { body, .. } => assert_eq!(body, "<html>not json</html>"),
        other => panic!("expected InvalidResponse, got {other:?}"),
    }
}

#[tokio::test]
async fn an_unreachable_server_is_a_transport_error() {
    // Bind then drop a listener: nothing listens on that port any more.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let config = Config::new(PUBLIC_KEY, SECRET_KEY)
        .with_rest_base_url(format!("http://127.0.0.1:{port}"))
        .with_retry_policy(RetryPolicy::never());
    let err = Error::from(
        Client::from_config(config)
            .unwrap()
            .project_info()
            .send()
            .await
            .unwrap_err(),
    );
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
    assert!(err.is_retryable());
}

#[tokio::test]
async fn invalid_input_is_rejected_before_any_request() {
    let server = Server::start(vec![Reply::json(200, &file_json())]).await;
    let client = client(&server);

    let err = Error::from(client.store_file().uuid("not-a-uuid").send().await.unwrap_err());
    assert!(
        matches!(&err, Error::InvalidInput(m) if m.contains("uuid")),
        "{err:?}"
    );

    let too_many: Vec<uuid::Uuid> = (0..101u128).map(uuid::Uuid::from_u128).collect();
    let err = Error::from(client.files_storing().body(too_many).send().await.unwrap_err());
    assert!(
        matches!(&err, Error::InvalidInput(m) if m.contains("1 to 100 items") && m.contains("got 101")),
        "{err:?}"
    );

    let err = Error::from(
        client
            .files_delete()
            .body(Vec::<uuid::Uuid>::new())
            .send()
            .await
            .unwrap_err(),
    );
    assert!(
        matches!(&err, Error::InvalidInput(m) if m.contains("got 0")),
        "{err:?}"
    );

    let file = FILE.parse::<uuid::Uuid>().unwrap();
    let err = client
        .file_metadata_key()
        .uuid(file)
        .key("bad key!")
        .send()
        .await
        .unwrap_err();
    assert!(matches!(Error::from(err), Error::InvalidInput(m) if m.contains("key")));
    let err = client
        .file_metadata_key()
        .uuid(file)
        .key("k".repeat(65))
        .send()
        .await
        .unwrap_err();
    assert!(matches!(Error::from(err), Error::InvalidInput(_)));
    let err = client
        .update_file_metadata_key()
        .uuid(file)
        .key("ok")
        .body("v".repeat(513))
        .send()
        .await
        .unwrap_err();
    assert!(matches!(Error::from(err), Error::InvalidInput(m) if m.contains("body")));
    let err = client
        .update_file_metadata_key()
        .uuid(file)
        .key("ok")
        .body("")
        .send()
        .await
        .unwrap_err();
    assert!(matches!(Error::from(err), Error::InvalidInput(_)));

    // Optional body fields take the typed value; its constructor checks the limit.
    let secret = "s".repeat(33);
    let err = secret.parse::<types::WebhookSigningSecret>().unwrap_err();
    assert!(err.contains("at most 32") && !err.contains(&secret), "{err}");
    let form = types::WebhookCreateRequest::builder()
        .target_url("x".repeat(256))
        .event(types::WebhookEvent::FileUploaded);
    let err = Error::from(client.webhook_create().body(form).send().await.unwrap_err());
    assert!(
        matches!(&err, Error::InvalidInput(m) if m.contains("target_url")),
        "{err:?}"
    );

    assert!(server.requests().is_empty(), "nothing reached the server");
}

#[tokio::test]
async fn a_batch_of_exactly_100_is_sent() {
    let server = Server::start(vec![Reply::json(
        200,
        &json!({"status": "ok", "problems": {}, "result": []}),
    )])
    .await;
    let hundred: Vec<uuid::Uuid> = (0..100u128).map(uuid::Uuid::from_u128).collect();
    client(&server)
        .files_storing()
        .body(hundred)
        .send()
        .await
        .map_err(Error::from)
        .unwrap();
    assert_eq!(server.only_request().json().as_array().unwrap().len(), 100);
}

#[tokio::test]
async fn the_rest_api_without_a_secret_key_is_a_configuration_error() {
    let server = Server::start(vec![Reply::json(200, &json!({}))]).await;
    let config = Config::public_only(PUBLIC_KEY).with_rest_base_url(server.url());
    let err = Error::from(
        Client::from_config(config)
            .unwrap()
            .project_info()
            .send()
            .await
            .unwrap_err(),
    );
    assert!(
        matches!(&err, Error::Config(m) if m.contains("secret key")),
        "{err:?}"
    );
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn unknown_fields_and_enum_values_deserialize() {
    let mut file = file_json();
    file["brand_new_field"] = json!({"nested": [1, 2, 3]});
    file["content_info"]["mime"]["charset"] = json!("binary");
    file["content_info"]["image"] = json!({
        "color_mode": "RGBA16", "orientation": null, "format": "AVIF", "sequence": false,
        "height": 10, "width": 20, "geo_location": null, "datetime_original": "2023-03-10T16:23:15", "dpi": null,
        "hdr": true
    });
    let webhooks = json!([{
        "id": 1, "project": 2, "created": "2024-01-01T00:00:00Z", "updated": "2024-01-01T00:00:00Z",
        "event": "file.teleported", "target_url": "https://hooks.example.com/x", "is_active": true,
        "version": "0.8", "signing_secret": null, "retries": 5
    }]);
    let addon = json!({"status": "queued", "eta": 3});
    let conversion = json!({"status": "archived", "error": null, "result": {"uuid": FILE, "pages": 3}});
    let server = Server::start(vec![
        Reply::json(200, &file),
        Reply::json(200, &webhooks),
        Reply::json(200, &addon),
        Reply::json(200, &conversion),
    ])
    .await;
    let client = client(&server);

    let info = client
        .file_info()
        .uuid(FILE.parse::<uuid::Uuid>().unwrap())
        .send()
        .await
        .map_err(Error::from)
        .unwrap();
    let image = info.content_info.as_ref().unwrap().image.as_ref().unwrap();
    assert_eq!(image.color_mode, types::ColorMode::Unrecognized("RGBA16".into()));
    assert_eq!(image.datetime_original.as_deref(), Some("2023-03-10T16:23:15"));

    let hooks = client.webhooks_list().send().await.map_err(Error::from).unwrap();
    assert_eq!(
        hooks[0].event,
        Some(types::WebhookEvent::Unrecognized("file.teleported".into()))
    );
    assert_eq!(
        hooks[0].version,
        Some(types::WebhookVersion::Unrecognized("0.8".into()))
    );

    let request = "8f0a3c6d-2b4e-4f1a-9d7c-6e5b3a2f1c08"
        .parse::<uuid::Uuid>()
        .unwrap();
    let status = client
        .aws_rekognition_execution_status()
        .request_id(request)
        .send()
        .await
        .map_err(Error::from)
        .unwrap();
    assert_eq!(
        status.status,
        Some(types::AddonExecutionState::Unrecognized("queued".into()))
    );

    let job = client
        .document_convert_status()
        .token(3812204377i64)
        .send()
        .await
        .map_err(Error::from)
        .unwrap();
    assert_eq!(job.status.as_ref().map(|s| s.as_str()), Some("archived"));
    assert!(!job.status.as_ref().unwrap().is_known());
}

#[tokio::test]
async fn fields_that_are_null_in_practice_are_options() {
    // A conversion output that is not ready yet, as recorded from the live service.
    let mut file = file_json();
    for field in [
        "is_image",
        "content_info",
        "original_file_url",
        "metadata",
        "datetime_stored",
    ] {
        file[field] = serde_json::Value::Null;
    }
    file["mime_type"] = json!("");
    file["original_filename"] = json!("");
    file["is_ready"] = json!(false);
    file["size"] = json!(0);
    let server = Server::start(vec![Reply::json(200, &file)]).await;
    let info = client(&server)
        .file_info()
        .uuid(FILE.parse::<uuid::Uuid>().unwrap())
        .send()
        .await
        .map_err(Error::from)
        .unwrap();
    assert_eq!(info.is_image, None);
    assert!(info.content_info.is_none() && info.metadata.is_none() && info.original_file_url.is_none());
    assert_eq!(info.size, 0);
}

#[tokio::test]
async fn secrets_never_appear_in_debug_output_or_errors() {
    let server = Server::start(vec![Reply::json(
        401,
        &json!({"detail": "Incorrect authentication credentials."}),
    )])
    .await;
    let config = config(&server).with_auth_scheme(AuthScheme::Simple);
    let client = Client::from_config(config.clone()).unwrap();
    assert!(!format!("{config:?}").contains(SECRET_KEY));
    assert!(!format!("{client:?}").contains(SECRET_KEY));
    assert!(!format!("{:?}", client.config()).contains(SECRET_KEY));

    let err = Error::from(client.project_info().send().await.unwrap_err());
    assert!(!format!("{err:?}").contains(SECRET_KEY) && !err.to_string().contains(SECRET_KEY));

    let webhook: types::Webhook =
        serde_json::from_value(json!({"signing_secret": "d8Fq2LxW7pNz4Rt6"})).unwrap();
    assert!(!format!("{webhook:?}").contains("d8Fq2LxW7pNz4Rt6"));
    assert_eq!(
        webhook.signing_secret.as_ref().unwrap().expose_secret(),
        "d8Fq2LxW7pNz4Rt6"
    );
    let secret: types::WebhookSigningSecret = "d8Fq2LxW7pNz4Rt6".parse().unwrap();
    let form = types::WebhookCreateRequest::builder().signing_secret(Some(secret));
    assert!(!format!("{form:?}").contains("d8Fq2LxW7pNz4Rt6"));
}

#[tokio::test]
async fn follow_fetches_the_next_page_signed_and_refuses_other_hosts() {
    let server = Server::start(vec![]).await;
    let next = format!(
        "{}/files/?from=2024-03-05T11%3A12%3A40.543218Z&limit=1&offset=1",
        server.url()
    );
    let page = |next: Option<&str>| {
        json!({"next": next, "previous": null, "total": 2, "per_page": 1,
               "totals": {"removed": 0, "stored": 2, "unstored": 0}, "results": [file_json()]})
    };
    let server = server.with_replies(vec![
        Reply::json(200, &page(Some(&next))),
        Reply::json(200, &page(None)),
    ]);
    let client = client(&server);
    let first = client
        .files_list()
        .limit(1)
        .send()
        .await
        .map_err(Error::from)
        .unwrap()
        .into_inner();
    let second: types::FilesPage = client.follow(first.next.as_deref().unwrap()).await.unwrap();
    assert_eq!(second.next, None);
    assert_eq!(second.results[0].uuid.to_string(), FILE);
    let requests = server.requests();
    assert_eq!(requests[1].path, "/files/");
    assert_eq!(
        requests[1].query.as_deref(),
        Some("from=2024-03-05T11%3A12%3A40.543218Z&limit=1&offset=1")
    );
    common::verify_auth(&requests[1], true, "0.7");

    let err = client
        .follow::<types::FilesPage>("https://elsewhere.example/files/")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
    assert_eq!(server.requests().len(), 2, "nothing sent for a foreign URL");
}

#[tokio::test]
async fn redirects_are_not_followed_with_a_signature_made_for_another_uri() {
    let server = Server::start(vec![]).await;
    let target = format!("{}/files/{FILE}/", server.url());
    let server = server.with_replies(vec![Reply::empty(301).with_header("location", target)]);
    let err = client(&server)
        .delete_file_storage()
        .uuid(FILE.parse::<uuid::Uuid>().unwrap())
        .send()
        .await
        .unwrap_err();
    assert!(matches!(
        Error::from(err),
        Error::UnexpectedStatus { status: 301 }
    ));
    assert_eq!(server.requests().len(), 1, "the redirect was not followed");
}

#[tokio::test]
async fn a_silent_connection_fails_with_a_timeout_after_the_read_timeout() {
    let project =
        json!({"name": "Demo", "pub_key": PUBLIC_KEY, "autostore_enabled": true, "collaborators": []});
    let server = Server::start(vec![Reply::json(200, &project).delayed(Duration::from_secs(2))]).await;
    let config = config(&server)
        .with_read_timeout(Duration::from_millis(200))
        .with_retry_policy(RetryPolicy::never());
    let started = std::time::Instant::now();
    let err = Error::from(
        Client::from_config(config)
            .unwrap()
            .project_info()
            .send()
            .await
            .unwrap_err(),
    );
    assert!(matches!(err, Error::ReadTimeout { .. }), "{err:?}");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "did not wait for the answer"
    );
}

/// A recorded body of `tests/corpus/v0_7/` (0.6-layout answers to 0.7 requests).
fn recorded(name: &str) -> serde_json::Value {
    let path = format!("{}/tests/corpus/v0_7/{name}.json", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

#[tokio::test]
async fn answers_in_the_old_0_6_layout_parse_in_every_0_7_call_that_returns_files() {
    // Sent with `Accept: …v0.7+json`, answered without `content_info`, `metadata` and
    // `appdata` but with `image_info`/`video_info`: files info, batch store, batch delete,
    // local copy and group info all parse, and the old fields can be read.
    let server = Server::start(vec![
        Reply::json(200, &recorded("File--v0_6-shape")),
        Reply::json(200, &recorded("FilesBatchResponse--v0_6-shape")),
        Reply::json(200, &recorded("FilesBatchResponse--v0_6-shape")),
        Reply::json(201, &recorded("LocalCopyResponse--v0_6-shape")),
        Reply::json(200, &recorded("GroupWithFiles--v0_6-shape")),
        Reply::json(200, &recorded("FilesPage--v0_6-shape")),
    ])
    .await;
    let client = client(&server);
    let uuid: uuid::Uuid = "0b8f6c3a-5e44-4c1c-9d2a-3f1b2c7d9e10".parse().unwrap();

    let info = client
        .file_info()
        .uuid(uuid)
        .send()
        .await
        .map_err(Error::from)
        .unwrap();
    assert!(info.content_info.is_none() && info.metadata.is_none() && info.appdata.is_none());
    #[allow(deprecated)]
    let image = info.image_info.as_ref().expect("image_info is kept");
    assert_eq!(
        (image.width, image.height, image.format.as_str()),
        (1920, 1280, "JPEG")
    );
    assert_eq!(info.size, 482311);

    let stored = client
        .files_storing()
        .body(vec![uuid])
        .send()
        .await
        .map_err(Error::from)
        .unwrap();
    assert_eq!(stored.result.len(), 2);
    #[allow(deprecated)]
    let video = stored.result[1].video_info.as_ref().expect("video_info is kept");
    assert_eq!(video.duration, Some(12345));
    assert_eq!(video.video.as_ref().map(|v| v.width), Some(1280));
    assert_eq!(
        stored.problems.get("not-a-uuid").map(String::as_str),
        Some("Invalid")
    );

    let deleted = client
        .files_delete()
        .body(vec![uuid])
        .send()
        .await
        .map_err(Error::from)
        .unwrap();
    assert_eq!(deleted.result[0].uuid, uuid);

    let copy = client
        .create_local_copy()
        .body(types::LocalCopyRequest {
            source: uuid.to_string(),
            store: None,
            metadata: None,
        })
        .send()
        .await
        .map_err(Error::from)
        .unwrap();
    assert_eq!(copy.result.as_ref().map(|f| f.uuid), Some(uuid));

    let group = client
        .group_info()
        .uuid("8a7b6c5d-4e3f-4a2b-9c1d-0e9f8a7b6c5d~3")
        .send()
        .await
        .map_err(Error::from)
        .unwrap();
    let files = group.files.as_ref().expect("files");
    assert_eq!(files.len(), 3);
    assert!(files[1].is_none() && files[2].is_none());
    assert_eq!(
        files[0].as_ref().map(|f| f.default_effects.as_deref()),
        Some(Some("resize/x800/"))
    );

    let page = client
        .files_list()
        .limit(2)
        .send()
        .await
        .map_err(Error::from)
        .unwrap();
    assert_eq!(page.results.len(), 2);
}

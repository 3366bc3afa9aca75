//! Wire-level specification of every operation of the REST API v0.5 document.
//!
//! Each test calls one operation through the public client (`uploadcare::v0_5::Client`)
//! against a recording server on 127.0.0.1, once per auth scheme, and checks:
//! - what went over the wire: method, exact path, exact query string, exact body,
//!   `Content-Type`, and (through `common::verify_auth`) `Accept:
//!   application/vnd.uploadcare-v0.5+json`, `Date`, `User-Agent` and the `Authorization`
//!   header, recomputed independently from the received bytes;
//! - what came back: the server answers with the success example of that operation from
//!   `openapi/rest-v0.5.yaml`, and the parsed values a caller relies on are asserted.
//!
//! What is specific to 0.5 here: copying is `POST /files/` (one operation for the default
//! and a custom storage, `make_public`/`removed`/`stored` as `"true"`/`"false"` strings),
//! webhooks are updated with `POST /webhooks/{id}/` and removed with
//! `POST /webhooks/unsubscribe/`, files carry `image_info`, and groups can be stored.

#![cfg(feature = "v0_5")]

use crate::common;

use common::document::{assert_no_body, at, form, map, uuid};
use common::wire::Wire;
use serde_json::json;
use std::sync::OnceLock;
use uploadcare::v0_5::types::{
    BooleanFlag, BooleanString, ConversionJobState, CopyFileRequest, CopyResultType, File, FilesOrdering,
    GroupsOrdering, StoreFlag, WebhookEvent, WebhookFilePayload, WebhookPayloadVersion, WebhookSigningSecret,
    WebhookUpdateRequestTargetUrl, WebhookVersion,
};
use uploadcare::v0_5::Client;
use uploadcare::{AuthScheme, Error};

// ---------------------------------------------------------------------------------------
// Values from the document's examples.
// ---------------------------------------------------------------------------------------

/// The image used throughout the examples (`harbor-sunset.jpg`).
const MAIN_FILE: &str = "c5a1f2d3-6b4e-4f7a-8c9d-0e1f2a3b4c55";
/// The document of the list and group examples (`harbor-map.pdf`).
const PDF_FILE: &str = "e4d3c2b1-a098-4f76-b543-210fedcba987";
/// A UUID the batch examples report as a problem.
const MISSING_FILE: &str = "7e6d5c4b-3a29-4817-9f0e-1d2c3b4a5968";
/// The file created by the copy example (default storage).
const COPY_FILE: &str = "5b4a3928-1706-4f5e-9d4c-3b2a19081726";
const CUSTOM_STORAGE: &str = "uc-archive-bucket";
const REMOTE_COPY_URL: &str = "s3://uc-archive-bucket/c5a1f2d3-6b4e-4f7a-8c9d-0e1f2a3b4c55/harbor-sunset.jpg";
const GROUP_ID: &str = "3b9f1e27-8c4d-4a6e-b2f0-5d7a9c1e3f48~2";
const WEBHOOK_ID: i64 = 2841;
const WEBHOOK_PROJECT: i64 = 53017;
const WEBHOOK_URL: &str = "https://hooks.example.com/uploadcare-v05";
const WEBHOOK_SECRET: &str = "q7Wm3Xz9Kp2Lr8Tn";
const DOCUMENT_SOURCE: &str = "8d7c6b5a-4e3f-4a2b-9c1d-0e9f8a7b6c5d/document/-/format/pdf/";
const DOCUMENT_OUTPUT: &str = "1f2e3d4c-5b6a-4798-8a7b-6c5d4e3f2a1b";
const DOCUMENT_TOKEN: i64 = 3051446672;
const VIDEO_SOURCE: &str = "6a5b4c3d-2e1f-4a0b-9c8d-7e6f5a4b3c2d/video/-/format/mp4/-/quality/best/";
const VIDEO_OUTPUT: &str = "0d9c8b7a-6f5e-4d3c-8b2a-1f0e9d8c7b6a";
const VIDEO_THUMBNAILS_GROUP: &str = "4c3b2a19-0f8e-4d7c-9b6a-5e4d3c2b1a09~1";
const VIDEO_TOKEN: i64 = 3051447120;

const SCHEMES: [AuthScheme; 2] = [AuthScheme::Signed, AuthScheme::Simple];

const JSON: &str = "application/json";
const FORM: &str = "application/x-www-form-urlencoded";
/// Every operationId this file exercises (one test or more each).
const EXERCISED: [&str; 20] = [
    "filesList",
    "copyFile",
    "storeFile",
    "deleteFileStorage",
    "fileInfo",
    "deleteFile",
    "filesStoring",
    "filesDelete",
    "groupsList",
    "groupInfo",
    "storeGroup",
    "projectInfo",
    "webhooksList",
    "webhookCreate",
    "updateWebhook",
    "webhookUnsubscribe",
    "documentConvert",
    "documentConvertStatus",
    "videoConvert",
    "videoConvertStatus",
];

// ---------------------------------------------------------------------------------------
// The OpenAPI document and its examples.
// ---------------------------------------------------------------------------------------

/// The harness of this version (`common::wire`).
fn wire() -> &'static Wire<Client> {
    static WIRE: OnceLock<Wire<Client>> = OnceLock::new();
    WIRE.get_or_init(|| Wire::new("0.5", Client::from_config))
}

// ---------------------------------------------------------------------------------------
// Harness.
// ---------------------------------------------------------------------------------------

fn api_url(uuid: &str) -> String {
    format!("https://api.uploadcare.com/files/{uuid}/")
}

fn original_file_url() -> String {
    format!("https://ucarecdn.com/{MAIN_FILE}/harbor-sunset.jpg")
}

/// What every example of `harbor-sunset.jpg` says about the file, whatever its state
/// (`image_info` included).
fn assert_harbor_sunset(file: &File) {
    assert_eq!(file.uuid, uuid(MAIN_FILE));
    assert_eq!(file.original_filename, "harbor-sunset.jpg");
    assert_eq!(file.size, 483902);
    assert_eq!(file.mime_type, "image/jpeg");
    assert_eq!(file.is_image, Some(true));
    assert!(file.is_ready);
    assert_eq!(file.url, Some(api_url(MAIN_FILE)));
    assert_eq!(file.datetime_uploaded, at("2019-05-14T08:21:37.402915Z"));

    let image = file.image_info.as_ref().expect("image_info");
    assert_eq!(image.color_mode, uploadcare::v0_5::types::ColorMode::Rgb);
    assert_eq!(image.orientation, Some(1));
    assert_eq!(image.format, "JPEG");
    assert!(!image.sequence);
    assert_eq!((image.width, image.height), (1800, 1200));
    let geo = image.geo_location.as_ref().expect("geo_location");
    assert_eq!((geo.latitude, geo.longitude), (59.9139, 10.7522));
    assert_eq!(image.datetime_original.as_deref(), Some("2019-05-12T19:47:03"));
    assert_eq!(image.dpi, Some([72.0, 72.0]));
}

/// `harbor-sunset.jpg` as stored and not removed.
fn assert_stored_harbor_sunset(file: &File) {
    assert_harbor_sunset(file);
    assert_eq!(file.datetime_stored, Some(at("2019-05-14T08:21:38.117604Z")));
    assert_eq!(file.datetime_removed, None);
    assert_eq!(file.original_file_url, Some(original_file_url()));
}

/// `harbor-sunset.jpg` after removal.
fn assert_removed_harbor_sunset(file: &File) {
    assert_harbor_sunset(file);
    assert_eq!(file.datetime_removed, Some(at("2019-05-20T10:15:42.667301Z")));
    assert_eq!(file.datetime_stored, None);
    assert_eq!(file.original_file_url, None, "a removed file has no original URL");
}

/// `harbor-map.pdf`, a stored file that is not an image.
fn assert_harbor_map(file: &File) {
    assert_eq!(file.uuid, uuid(PDF_FILE));
    assert_eq!(file.original_filename, "harbor-map.pdf");
    assert_eq!(file.size, 96514);
    assert_eq!(file.mime_type, "application/pdf");
    assert_eq!(file.is_image, Some(false));
    assert!(file.is_ready);
    assert_eq!(file.image_info, None, "not an image: `image_info: null`");
    assert_eq!(file.url, Some(api_url(PDF_FILE)));
    assert_eq!(
        file.original_file_url.as_deref(),
        Some(format!("https://ucarecdn.com/{PDF_FILE}/harbor-map.pdf").as_str())
    );
    assert_eq!(file.datetime_uploaded, at("2019-05-13T17:02:11.830442Z"));
    assert_eq!(file.datetime_stored, Some(at("2019-05-13T17:02:12.504117Z")));
    assert_eq!(file.datetime_removed, None);
}

// ---------------------------------------------------------------------------------------
// Coverage.
// ---------------------------------------------------------------------------------------

#[test]
fn every_documented_operation_is_exercised_here() {
    wire().assert_every_operation_exercised(&EXERCISED);
}

#[test]
fn the_webhook_payload_example_parses() {
    let doc = wire().document();
    let example = doc.resolve(&doc.value["components"]["schemas"]["WebhookFilePayload"])["example"].clone();
    let payload: WebhookFilePayload = serde_json::from_value(example).expect("the payload example parses");
    assert_eq!(payload.hook.id, Some(WEBHOOK_ID));
    assert_eq!(payload.hook.project_id, Some(WEBHOOK_PROJECT));
    assert_eq!(
        payload.hook.project_pub_key.as_deref(),
        Some("a0b1c2d3e4f5a6b7c8d9")
    );
    assert_eq!(payload.hook.event, Some(WebhookEvent::FileUploaded));
    assert_eq!(payload.hook.is_active, Some(true));
    assert_eq!(payload.hook.version, Some(WebhookVersion::V0_5));
    assert_eq!(payload.hook.created_at, Some(at("2019-04-02T09:12:44.531807Z")));
    assert_eq!(payload.hook.updated_at, Some(at("2019-04-02T09:12:44.531842Z")));
    assert_eq!(payload.hook.target, None, "not in the 0.5 sample");
    assert_harbor_sunset(&payload.data);
    assert_eq!(payload.data.datetime_stored, None);
    assert_eq!(payload.file, Some(original_file_url()));
}

// ---------------------------------------------------------------------------------------
// File.
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn files_list_sends_string_flags_and_parses_the_page_with_image_info() {
    for scheme in SCHEMES {
        let (page, request) = wire()
            .exercise(
                scheme,
                wire().example_reply("filesList", 200),
                |client| async move {
                    client
                        .files_list()
                        .limit(2u64)
                        .ordering(FilesOrdering::DatetimeUploadedDesc)
                        .stored(BooleanFlag::True)
                        .removed(BooleanFlag::False)
                        .from("2015-09-10T10:00:00")
                        .send()
                        .await
                        .map_err(Error::from)
                },
            )
            .await;
        wire().assert_request(
            &request,
            "filesList",
            "GET",
            "/files/",
            Some(
                "from=2015-09-10T10%3A00%3A00&limit=2&ordering=-datetime_uploaded&removed=false&stored=true",
            ),
            JSON,
        );
        assert_eq!(
            request.query_pairs(),
            form(&[
                ("from", "2015-09-10T10:00:00"),
                ("limit", "2"),
                ("ordering", "-datetime_uploaded"),
                ("removed", "false"),
                ("stored", "true"),
            ])
        );
        assert_no_body(&request);

        assert_eq!(page.status().as_u16(), 200);
        let page = page.into_inner();
        assert_eq!(
            page.next.as_deref(),
            Some("https://api.uploadcare.com/files/?from=2019-05-14T08%3A21%3A37.402915Z&limit=2")
        );
        assert_eq!(page.previous, None);
        assert_eq!(page.total, Some(2));
        assert_eq!(page.per_page, Some(2));
        assert_eq!(page.results.len(), 2);
        assert_harbor_map(&page.results[0]);
        assert_stored_harbor_sunset(&page.results[1]);
    }
}

#[tokio::test]
async fn files_list_orders_by_size_from_a_size_in_bytes() {
    for (ordering, token) in [(FilesOrdering::Size, "size"), (FilesOrdering::SizeDesc, "-size")] {
        for scheme in SCHEMES {
            let ordering = ordering.clone();
            let (page, request) = wire()
                .exercise(
                    scheme,
                    wire().example_reply("filesList", 200),
                    |client| async move {
                        client
                            .files_list()
                            .ordering(ordering)
                            .from("12909")
                            .send()
                            .await
                            .map_err(Error::from)
                    },
                )
                .await;
            let query = format!("from=12909&ordering={token}");
            wire().assert_request(&request, "filesList", "GET", "/files/", Some(&query), JSON);
            assert_eq!(
                request.query_pairs(),
                form(&[("from", "12909"), ("ordering", token)])
            );
            assert_no_body(&request);
            let page = page.into_inner();
            assert_eq!(page.results.len(), 2);
            assert_eq!(page.results[0].size, 96514);
            assert_eq!(page.results[1].size, 483902);
        }
    }
}

#[tokio::test]
async fn files_list_without_filters_sends_no_query_string() {
    for scheme in SCHEMES {
        let (page, request) = wire()
            .exercise(
                scheme,
                wire().example_reply("filesList", 200),
                |client| async move { client.files_list().send().await.map_err(Error::from) },
            )
            .await;
        // Documented defaults (`removed=false`, `limit=100`, ordering) are left to the service.
        wire().assert_request(&request, "filesList", "GET", "/files/", None, JSON);
        assert_no_body(&request);
        let page = page.into_inner();
        assert_eq!(page.results[0].uuid, uuid(PDF_FILE));
        assert_eq!(page.results[1].uuid, uuid(MAIN_FILE));
    }
}

#[tokio::test]
async fn files_list_sends_the_removed_and_stored_flags_as_strings() {
    for scheme in SCHEMES {
        let (_, request) = wire()
            .exercise(
                scheme,
                wire().example_reply("filesList", 200),
                |client| async move {
                    client
                        .files_list()
                        .removed(BooleanFlag::True)
                        .stored(BooleanFlag::False)
                        .send()
                        .await
                        .map_err(Error::from)
                },
            )
            .await;
        wire().assert_request(
            &request,
            "filesList",
            "GET",
            "/files/",
            Some("removed=true&stored=false"),
            JSON,
        );
    }
}

#[tokio::test]
async fn copy_file_to_the_default_storage_posts_to_files_and_parses_the_new_file() {
    for scheme in SCHEMES {
        let (copy, request) = wire()
            .exercise(
                scheme,
                wire().example_reply("copyFile", 201),
                |client| async move {
                    let body = CopyFileRequest {
                        source: MAIN_FILE.to_owned(),
                        store: Some(StoreFlag::True),
                        target: None,
                        make_public: None,
                        pattern: None,
                    };
                    client.copy_file().body(body).send().await.map_err(Error::from)
                },
            )
            .await;
        // 0.5: copying is a POST to the file collection itself.
        wire().assert_request(&request, "copyFile", "POST", "/files/", None, JSON);
        assert_eq!(request.json(), json!({"source": MAIN_FILE, "store": "true"}));

        assert_eq!(copy.status().as_u16(), 201);
        let copy = copy.into_inner();
        assert_eq!(copy.type_, Some(CopyResultType::File));
        let result = copy.result.expect("result");
        let file: File = serde_json::from_value(result).expect("`result` of `type: file` is a file");
        assert_eq!(file.uuid, uuid(COPY_FILE));
        assert_eq!(file.original_filename, "harbor-sunset.jpg");
        assert_eq!(file.size, 0, "size is 0 until the copy is ready");
        assert_eq!(file.mime_type, "application/octet-stream");
        assert_eq!(file.is_image, None);
        assert!(!file.is_ready);
        assert_eq!(file.image_info, None);
        assert_eq!(file.original_file_url, None);
        assert_eq!(file.datetime_stored, None);
        assert_eq!(file.datetime_removed, None);
        assert_eq!(file.datetime_uploaded, at("2019-05-15T06:30:54.219873Z"));
        assert_eq!(file.url, Some(api_url(COPY_FILE)));
    }
}

#[tokio::test]
async fn copy_file_to_a_custom_storage_sends_make_public_as_a_string_and_parses_the_url() {
    for scheme in SCHEMES {
        let (copy, request) = wire()
            .exercise(
                scheme,
                wire().example_reply("copyFile", 200),
                |client| async move {
                    let body = CopyFileRequest {
                        source: MAIN_FILE.to_owned(),
                        store: None,
                        target: Some(CUSTOM_STORAGE.to_owned()),
                        make_public: Some(BooleanFlag::False),
                        pattern: Some("${uuid}/${filename}${ext}".to_owned()),
                    };
                    client.copy_file().body(body).send().await.map_err(Error::from)
                },
            )
            .await;
        wire().assert_request(&request, "copyFile", "POST", "/files/", None, JSON);
        assert_eq!(
            request.json(),
            json!({
                "source": MAIN_FILE,
                "target": CUSTOM_STORAGE,
                "make_public": "false",
                "pattern": "${uuid}/${filename}${ext}",
            })
        );

        assert_eq!(copy.status().as_u16(), 200);
        let copy = copy.into_inner();
        assert_eq!(copy.type_, Some(CopyResultType::Url));
        assert_eq!(copy.result, Some(json!(REMOTE_COPY_URL)));
    }
}

#[tokio::test]
async fn copy_file_with_only_a_source_sends_only_the_source() {
    for scheme in SCHEMES {
        let (copy, request) = wire()
            .exercise(
                scheme,
                wire().example_reply("copyFile", 201),
                |client| async move {
                    client
                        .copy_file()
                        .body_map(|b| b.source(MAIN_FILE))
                        .send()
                        .await
                        .map_err(Error::from)
                },
            )
            .await;
        wire().assert_request(&request, "copyFile", "POST", "/files/", None, JSON);
        assert_eq!(
            request.json(),
            json!({"source": MAIN_FILE}),
            "store/target/make_public/pattern defaults are not sent"
        );
        let copy = copy.into_inner();
        assert_eq!(copy.type_, Some(CopyResultType::File));
        assert_eq!(
            copy.result.as_ref().and_then(|r| r.get("uuid")),
            Some(&json!(COPY_FILE))
        );
    }
}

#[tokio::test]
async fn store_file_puts_to_the_file_storage_path_and_parses_the_stored_file() {
    for scheme in SCHEMES {
        let (file, request) = wire()
            .exercise(
                scheme,
                wire().example_reply("storeFile", 200),
                |client| async move {
                    client
                        .store_file()
                        .uuid(uuid(MAIN_FILE))
                        .send()
                        .await
                        .map_err(Error::from)
                },
            )
            .await;
        wire().assert_request(
            &request,
            "storeFile",
            "PUT",
            &format!("/files/{MAIN_FILE}/storage/"),
            None,
            JSON,
        );
        assert_no_body(&request);

        assert_eq!(file.status().as_u16(), 200);
        assert_stored_harbor_sunset(&file.into_inner());
    }
}

#[tokio::test]
async fn delete_file_storage_deletes_the_file_storage_path_and_parses_the_removed_file() {
    for scheme in SCHEMES {
        let (file, request) = wire()
            .exercise(
                scheme,
                wire().example_reply("deleteFileStorage", 200),
                |client| async move {
                    client
                        .delete_file_storage()
                        .uuid(uuid(MAIN_FILE))
                        .send()
                        .await
                        .map_err(Error::from)
                },
            )
            .await;
        wire().assert_request(
            &request,
            "deleteFileStorage",
            "DELETE",
            &format!("/files/{MAIN_FILE}/storage/"),
            None,
            JSON,
        );
        assert_no_body(&request);

        assert_eq!(file.status().as_u16(), 200);
        assert_removed_harbor_sunset(&file.into_inner());
    }
}

#[tokio::test]
async fn file_info_gets_the_file_with_image_info() {
    for scheme in SCHEMES {
        let (file, request) = wire()
            .exercise(
                scheme,
                wire().example_reply("fileInfo", 200),
                |client| async move {
                    client
                        .file_info()
                        .uuid(uuid(MAIN_FILE))
                        .send()
                        .await
                        .map_err(Error::from)
                },
            )
            .await;
        wire().assert_request(
            &request,
            "fileInfo",
            "GET",
            &format!("/files/{MAIN_FILE}/"),
            None,
            JSON,
        );
        assert_no_body(&request);
        assert_stored_harbor_sunset(&file.into_inner());
    }
}

#[tokio::test]
async fn delete_file_deletes_the_file_path_and_parses_the_removed_file() {
    for scheme in SCHEMES {
        let (file, request) = wire()
            .exercise(
                scheme,
                wire().example_reply("deleteFile", 200),
                |client| async move {
                    client
                        .delete_file()
                        .uuid(uuid(MAIN_FILE))
                        .send()
                        .await
                        .map_err(Error::from)
                },
            )
            .await;
        wire().assert_request(
            &request,
            "deleteFile",
            "DELETE",
            &format!("/files/{MAIN_FILE}/"),
            None,
            JSON,
        );
        assert_no_body(&request);

        assert_eq!(file.status().as_u16(), 200);
        assert_removed_harbor_sunset(&file.into_inner());
    }
}

#[tokio::test]
async fn files_storing_puts_the_uuid_list_and_parses_problems() {
    for scheme in SCHEMES {
        let (batch, request) = wire()
            .exercise(
                scheme,
                wire().example_reply("filesStoring", 200),
                |client| async move {
                    client
                        .files_storing()
                        .body(vec![uuid(MAIN_FILE), uuid(MISSING_FILE)])
                        .send()
                        .await
                        .map_err(Error::from)
                },
            )
            .await;
        wire().assert_request(&request, "filesStoring", "PUT", "/files/storage/", None, JSON);
        assert_eq!(request.json(), json!([MAIN_FILE, MISSING_FILE]));

        let batch = batch.into_inner();
        assert_eq!(batch.status.as_deref(), Some("ok"));
        assert_eq!(batch.problems, map(&[(MISSING_FILE, "Missing in the project")]));
        assert_eq!(batch.result.len(), 1);
        assert_stored_harbor_sunset(&batch.result[0]);
    }
}

#[tokio::test]
async fn files_delete_sends_the_uuid_list_in_a_delete_body_and_parses_problems() {
    for scheme in SCHEMES {
        let (batch, request) = wire()
            .exercise(
                scheme,
                wire().example_reply("filesDelete", 200),
                |client| async move {
                    client
                        .files_delete()
                        .body(vec![uuid(MAIN_FILE), uuid(MISSING_FILE)])
                        .send()
                        .await
                        .map_err(Error::from)
                },
            )
            .await;
        wire().assert_request(&request, "filesDelete", "DELETE", "/files/storage/", None, JSON);
        assert_eq!(request.json(), json!([MAIN_FILE, MISSING_FILE]));

        let batch = batch.into_inner();
        assert_eq!(batch.status.as_deref(), Some("ok"));
        assert_eq!(batch.problems, map(&[(MISSING_FILE, "Missing in the project")]));
        assert_eq!(batch.result.len(), 1);
        assert_removed_harbor_sunset(&batch.result[0]);
    }
}

// ---------------------------------------------------------------------------------------
// Group.
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn groups_list_sends_filters_and_parses_the_page() {
    for scheme in SCHEMES {
        let (page, request) = wire()
            .exercise(
                scheme,
                wire().example_reply("groupsList", 200),
                |client| async move {
                    client
                        .groups_list()
                        .limit(50u64)
                        .from(at("2015-01-02T10:00:00.463352Z"))
                        .ordering(GroupsOrdering::DatetimeCreatedDesc)
                        .send()
                        .await
                        .map_err(Error::from)
                },
            )
            .await;
        wire().assert_request(
            &request,
            "groupsList",
            "GET",
            "/groups/",
            Some("from=2015-01-02T10%3A00%3A00.463352Z&limit=50&ordering=-datetime_created"),
            JSON,
        );
        assert_eq!(
            request.query_pairs(),
            form(&[
                ("from", "2015-01-02T10:00:00.463352Z"),
                ("limit", "50"),
                ("ordering", "-datetime_created")
            ])
        );
        assert_no_body(&request);

        let page = page.into_inner();
        assert_eq!(page.next, None);
        assert_eq!(page.previous, None);
        assert_eq!(page.total, Some(1));
        assert_eq!(page.per_page, Some(100));
        assert_eq!(page.results.len(), 1);
        let group = &page.results[0];
        assert_eq!(group.id.as_deref(), Some(GROUP_ID));
        assert_eq!(group.files_count, Some(2));
        assert_eq!(group.datetime_created, Some(at("2019-05-14T08:25:03.514227Z")));
        assert_eq!(group.datetime_stored, None);
        assert_eq!(
            group.cdn_url.as_deref(),
            Some(format!("https://ucarecdn.com/{GROUP_ID}/").as_str())
        );
        assert_eq!(
            group.url.as_deref(),
            Some(format!("https://api.uploadcare.com/groups/{GROUP_ID}/").as_str())
        );
    }
}

#[tokio::test]
async fn groups_list_without_filters_sends_no_query_string() {
    for scheme in SCHEMES {
        let (page, request) = wire()
            .exercise(
                scheme,
                wire().example_reply("groupsList", 200),
                |client| async move { client.groups_list().send().await.map_err(Error::from) },
            )
            .await;
        wire().assert_request(&request, "groupsList", "GET", "/groups/", None, JSON);
        assert_no_body(&request);
        assert_eq!(page.into_inner().results[0].id.as_deref(), Some(GROUP_ID));
    }
}

#[tokio::test]
async fn group_info_gets_the_group_and_its_files() {
    for scheme in SCHEMES {
        let (group, request) = wire()
            .exercise(
                scheme,
                wire().example_reply("groupInfo", 200),
                |client| async move {
                    client
                        .group_info()
                        .uuid(GROUP_ID)
                        .send()
                        .await
                        .map_err(Error::from)
                },
            )
            .await;
        // The `~` of a group ID travels as is.
        wire().assert_request(
            &request,
            "groupInfo",
            "GET",
            &format!("/groups/{GROUP_ID}/"),
            None,
            JSON,
        );
        assert_no_body(&request);

        let group = group.into_inner();
        assert_eq!(group.id.as_deref(), Some(GROUP_ID));
        assert_eq!(group.files_count, Some(2));
        assert_eq!(group.datetime_created, Some(at("2019-05-14T08:25:03.514227Z")));
        assert_eq!(group.datetime_stored, None, "the group was not stored as a whole");
        assert_eq!(
            group.cdn_url.as_deref(),
            Some(format!("https://ucarecdn.com/{GROUP_ID}/").as_str())
        );
        assert_eq!(
            group.url.as_deref(),
            Some(format!("https://api.uploadcare.com/groups/{GROUP_ID}/").as_str())
        );
        let files = group.files.expect("files");
        assert_eq!(files.len(), 2);
        assert_stored_harbor_sunset(files[0].as_ref().expect("first file"));
        assert_harbor_map(files[1].as_ref().expect("second file"));
    }
}

#[tokio::test]
async fn store_group_puts_to_the_group_storage_path_and_parses_the_stored_group() {
    for scheme in SCHEMES {
        let (group, request) = wire()
            .exercise(
                scheme,
                wire().example_reply("storeGroup", 200),
                |client| async move {
                    client
                        .store_group()
                        .uuid(GROUP_ID)
                        .send()
                        .await
                        .map_err(Error::from)
                },
            )
            .await;
        wire().assert_request(
            &request,
            "storeGroup",
            "PUT",
            &format!("/groups/{GROUP_ID}/storage/"),
            None,
            JSON,
        );
        assert_no_body(&request);

        assert_eq!(group.status().as_u16(), 200);
        let group = group.into_inner();
        assert_eq!(group.id.as_deref(), Some(GROUP_ID));
        assert_eq!(group.files_count, Some(2));
        assert_eq!(group.datetime_stored, Some(at("2019-05-14T08:30:19.006318Z")));
        let files = group.files.expect("files");
        assert_eq!(files.len(), 2);
        assert_stored_harbor_sunset(files[0].as_ref().expect("first file"));
        assert_harbor_map(files[1].as_ref().expect("second file"));
    }
}

// ---------------------------------------------------------------------------------------
// Project.
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn project_info_gets_the_project() {
    for scheme in SCHEMES {
        let (project, request) = wire()
            .exercise(
                scheme,
                wire().example_reply("projectInfo", 200),
                |client| async move { client.project_info().send().await.map_err(Error::from) },
            )
            .await;
        wire().assert_request(&request, "projectInfo", "GET", "/project/", None, JSON);
        assert_no_body(&request);

        let project = project.into_inner();
        assert_eq!(project.name.as_deref(), Some("Harbor gallery"));
        assert_eq!(project.pub_key.as_deref(), Some("a0b1c2d3e4f5a6b7c8d9"));
        assert_eq!(project.autostore_enabled, Some(true));
        let collaborators = project.collaborators.expect("collaborators");
        assert_eq!(collaborators.len(), 1);
        assert_eq!(collaborators[0].email.as_deref(), Some("maria@example.com"));
        assert_eq!(collaborators[0].name.as_deref(), Some("Maria Berg"));
    }
}

// ---------------------------------------------------------------------------------------
// Webhook.
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn webhooks_list_gets_the_subscriptions() {
    for scheme in SCHEMES {
        let (hooks, request) = wire()
            .exercise(
                scheme,
                wire().example_reply("webhooksList", 200),
                |client| async move { client.webhooks_list().send().await.map_err(Error::from) },
            )
            .await;
        wire().assert_request(&request, "webhooksList", "GET", "/webhooks/", None, JSON);
        assert_no_body(&request);

        let hooks = hooks.into_inner();
        assert_eq!(hooks.len(), 1);
        let hook = &hooks[0];
        assert_eq!(hook.id, Some(WEBHOOK_ID));
        assert_eq!(hook.project, Some(WEBHOOK_PROJECT));
        assert_eq!(hook.event, Some(WebhookEvent::FileUploaded));
        assert_eq!(hook.target_url.as_ref().map(|u| u.as_str()), Some(WEBHOOK_URL));
        assert!(hook.is_active);
        assert_eq!(hook.version, Some(WebhookVersion::V0_5));
        assert_eq!(
            hook.signing_secret.as_ref().map(|s| s.expose_secret()),
            Some(WEBHOOK_SECRET)
        );
        assert_eq!(hook.created, Some(at("2019-04-02T09:12:44.531807Z")));
        assert_eq!(hook.updated, Some(at("2019-04-02T09:12:44.531842Z")));
    }
}

#[tokio::test]
async fn webhook_create_posts_a_form_with_every_field() {
    // The document accepts 200 and 201 for a created webhook, with the same body.
    for status in [201, 200] {
        for scheme in SCHEMES {
            let reply = wire().example_reply("webhookCreate", status);
            let (hook, request) = wire()
                .exercise(scheme, reply, |client| async move {
                    let secret = WebhookSigningSecret::try_from(WEBHOOK_SECRET).unwrap();
                    client
                        .webhook_create()
                        .body_map(|b| {
                            b.target_url(WEBHOOK_URL)
                                .event(WebhookEvent::FileUploaded)
                                .is_active(true)
                                .signing_secret(secret)
                                .version(WebhookPayloadVersion::V0_5)
                        })
                        .send()
                        .await
                        .map_err(Error::from)
                })
                .await;
            wire().assert_request(&request, "webhookCreate", "POST", "/webhooks/", None, FORM);
            assert_eq!(
                request.form(),
                form(&[
                    ("event", "file.uploaded"),
                    ("is_active", "true"),
                    ("signing_secret", WEBHOOK_SECRET),
                    ("target_url", WEBHOOK_URL),
                    ("version", "0.5"),
                ])
            );

            assert_eq!(hook.status().as_u16(), status);
            let hook = hook.into_inner();
            assert_eq!(hook.id, Some(WEBHOOK_ID));
            assert_eq!(hook.project, Some(WEBHOOK_PROJECT));
            assert_eq!(hook.event, Some(WebhookEvent::FileUploaded));
            assert_eq!(hook.target_url.as_ref().map(|u| u.as_str()), Some(WEBHOOK_URL));
            assert!(hook.is_active);
            assert_eq!(hook.version, Some(WebhookVersion::V0_5));
            assert_eq!(
                hook.signing_secret.as_ref().map(|s| s.expose_secret()),
                Some(WEBHOOK_SECRET)
            );
            assert_eq!(hook.created, Some(at("2019-04-02T09:12:44.531807Z")));
        }
    }
}

#[tokio::test]
async fn webhook_create_with_required_fields_only_sends_only_those() {
    for scheme in SCHEMES {
        let (hook, request) = wire()
            .exercise(
                scheme,
                wire().example_reply("webhookCreate", 201),
                |client| async move {
                    client
                        .webhook_create()
                        .body_map(|b| b.target_url(WEBHOOK_URL).event(WebhookEvent::FileUploaded))
                        .send()
                        .await
                        .map_err(Error::from)
                },
            )
            .await;
        wire().assert_request(&request, "webhookCreate", "POST", "/webhooks/", None, FORM);
        assert_eq!(
            request.form(),
            form(&[("event", "file.uploaded"), ("target_url", WEBHOOK_URL)]),
            "is_active/signing_secret/version defaults are not sent"
        );
        assert_eq!(hook.into_inner().id, Some(WEBHOOK_ID));
    }
}

#[tokio::test]
async fn update_webhook_posts_only_the_fields_that_are_set() {
    for scheme in SCHEMES {
        let (hook, request) = wire()
            .exercise(
                scheme,
                wire().example_reply("updateWebhook", 200),
                |client| async move {
                    client
                        .update_webhook()
                        .id(WEBHOOK_ID)
                        .body_map(|b| b.is_active(false))
                        .send()
                        .await
                        .map_err(Error::from)
                },
            )
            .await;
        // 0.5: a POST (PUT only from 0.6 on).
        wire().assert_request(
            &request,
            "updateWebhook",
            "POST",
            &format!("/webhooks/{WEBHOOK_ID}/"),
            None,
            FORM,
        );
        assert_eq!(request.form(), form(&[("is_active", "false")]));

        assert_eq!(hook.status().as_u16(), 200);
        let hook = hook.into_inner();
        assert_eq!(hook.id, Some(WEBHOOK_ID));
        assert!(!hook.is_active);
        assert_eq!(hook.event, Some(WebhookEvent::FileUploaded));
        assert_eq!(hook.target_url.as_ref().map(|u| u.as_str()), Some(WEBHOOK_URL));
        assert_eq!(hook.created, Some(at("2019-04-02T09:12:44.531807Z")));
        assert_eq!(hook.updated, Some(at("2019-06-01T12:40:05.318275Z")));
        assert_eq!(
            hook.signing_secret.as_ref().map(|s| s.expose_secret()),
            Some(WEBHOOK_SECRET)
        );
        assert_eq!(hook.version, Some(WebhookVersion::V0_5));
    }
}

#[tokio::test]
async fn update_webhook_posts_every_field_when_all_are_set() {
    for scheme in SCHEMES {
        let (hook, request) = wire()
            .exercise(
                scheme,
                wire().example_reply("updateWebhook", 200),
                |client| async move {
                    let secret = WebhookSigningSecret::try_from("n3wS3cr3t").unwrap();
                    let target = WebhookUpdateRequestTargetUrl::try_from(
                        "https://hooks.example.com/uploadcare-v05?v=2",
                    )
                    .unwrap();
                    client
                        .update_webhook()
                        .id(WEBHOOK_ID)
                        .body_map(|b| {
                            b.target_url(target)
                                .event(WebhookEvent::FileUploaded)
                                .is_active(true)
                                .signing_secret(secret)
                        })
                        .send()
                        .await
                        .map_err(Error::from)
                },
            )
            .await;
        wire().assert_request(
            &request,
            "updateWebhook",
            "POST",
            &format!("/webhooks/{WEBHOOK_ID}/"),
            None,
            FORM,
        );
        // URL-encoded on the wire, decoded here.
        assert!(std::str::from_utf8(&request.body)
            .unwrap()
            .contains("target_url=https%3A%2F%2Fhooks.example.com%2Fuploadcare-v05%3Fv%3D2"));
        assert_eq!(
            request.form(),
            form(&[
                ("event", "file.uploaded"),
                ("is_active", "true"),
                ("signing_secret", "n3wS3cr3t"),
                ("target_url", "https://hooks.example.com/uploadcare-v05?v=2"),
            ])
        );
        assert_eq!(hook.into_inner().id, Some(WEBHOOK_ID));
    }
}

#[tokio::test]
async fn webhook_unsubscribe_posts_a_form_body_and_accepts_no_content() {
    for scheme in SCHEMES {
        let (response, request) = wire()
            .exercise(
                scheme,
                wire().empty_reply("webhookUnsubscribe", 204),
                |client| async move {
                    client
                        .webhook_unsubscribe()
                        .body_map(|b| b.target_url(WEBHOOK_URL))
                        .send()
                        .await
                        .map_err(Error::from)
                },
            )
            .await;
        // 0.5: a POST (DELETE only from 0.6 on).
        wire().assert_request(
            &request,
            "webhookUnsubscribe",
            "POST",
            "/webhooks/unsubscribe/",
            None,
            FORM,
        );
        assert_eq!(request.form(), form(&[("target_url", WEBHOOK_URL)]));
        assert_eq!(response.status().as_u16(), 204);
        let () = response.into_inner();
    }
}

// ---------------------------------------------------------------------------------------
// Conversion.
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn document_convert_posts_paths_and_store_and_parses_jobs_and_problems() {
    let bad = "not-a-uuid/document/-/format/pdf/";
    for scheme in SCHEMES {
        let reply = wire().plain_json_example_reply("documentConvert", 200);
        let paths = vec![DOCUMENT_SOURCE.to_owned(), bad.to_owned()];
        let (jobs, request) = wire()
            .exercise(scheme, reply, |client| async move {
                client
                    .document_convert()
                    .body_map(|b| b.paths(paths).store(BooleanString::V1))
                    .send()
                    .await
                    .map_err(Error::from)
            })
            .await;
        wire().assert_request(
            &request,
            "documentConvert",
            "POST",
            "/convert/document/",
            None,
            JSON,
        );
        // `store` travels as a string, not as the seed samples' number.
        assert_eq!(
            request.json(),
            json!({"paths": [DOCUMENT_SOURCE, bad], "store": "1"})
        );

        let jobs = jobs.into_inner();
        assert_eq!(
            jobs.problems,
            map(&[(
                bad,
                "Bad path \"not-a-uuid/document/-/format/pdf/\". Use UUID or CDN URL"
            )])
        );
        assert_eq!(jobs.result.len(), 1);
        let job = &jobs.result[0];
        assert_eq!(job.original_source.as_deref(), Some(DOCUMENT_SOURCE));
        assert_eq!(job.uuid, Some(uuid(DOCUMENT_OUTPUT)));
        assert_eq!(job.token, Some(DOCUMENT_TOKEN));
        assert!(DOCUMENT_TOKEN > i64::from(i32::MAX), "tokens exceed 2^31");
    }
}

#[tokio::test]
async fn document_convert_status_gets_the_job_by_a_large_token() {
    for scheme in SCHEMES {
        let (status, request) = wire()
            .exercise(
                scheme,
                wire().example_reply("documentConvertStatus", 200),
                |client| async move {
                    client
                        .document_convert_status()
                        .token(DOCUMENT_TOKEN)
                        .send()
                        .await
                        .map_err(Error::from)
                },
            )
            .await;
        wire().assert_request(
            &request,
            "documentConvertStatus",
            "GET",
            "/convert/document/status/3051446672/",
            None,
            JSON,
        );
        assert_no_body(&request);

        let status = status.into_inner();
        assert_eq!(status.status, Some(ConversionJobState::Finished));
        assert_eq!(status.error, None);
        assert_eq!(status.result.and_then(|r| r.uuid), Some(uuid(DOCUMENT_OUTPUT)));
    }
}

#[tokio::test]
async fn video_convert_posts_paths_and_store_and_parses_jobs() {
    for scheme in SCHEMES {
        let reply = wire().plain_json_example_reply("videoConvert", 200);
        let (jobs, request) = wire()
            .exercise(scheme, reply, |client| async move {
                client
                    .video_convert()
                    .body_map(|b| b.paths(vec![VIDEO_SOURCE.to_owned()]).store(BooleanString::V1))
                    .send()
                    .await
                    .map_err(Error::from)
            })
            .await;
        wire().assert_request(&request, "videoConvert", "POST", "/convert/video/", None, JSON);
        assert_eq!(request.json(), json!({"paths": [VIDEO_SOURCE], "store": "1"}));

        let jobs = jobs.into_inner();
        assert!(jobs.problems.is_empty());
        assert_eq!(jobs.result.len(), 1);
        let job = &jobs.result[0];
        assert_eq!(job.original_source.as_deref(), Some(VIDEO_SOURCE));
        assert_eq!(job.uuid, Some(uuid(VIDEO_OUTPUT)));
        assert_eq!(job.token, Some(VIDEO_TOKEN));
        assert_eq!(job.thumbnails_group_uuid.as_deref(), Some(VIDEO_THUMBNAILS_GROUP));
    }
}

#[tokio::test]
async fn video_convert_with_paths_only_sends_no_store_flag() {
    for scheme in SCHEMES {
        let reply = wire().plain_json_example_reply("videoConvert", 200);
        let (_, request) = wire()
            .exercise(scheme, reply, |client| async move {
                client
                    .video_convert()
                    .body_map(|b| b.paths(vec![VIDEO_SOURCE.to_owned()]))
                    .send()
                    .await
                    .map_err(Error::from)
            })
            .await;
        wire().assert_request(&request, "videoConvert", "POST", "/convert/video/", None, JSON);
        assert_eq!(
            request.json(),
            json!({"paths": [VIDEO_SOURCE]}),
            "the project's auto-store applies"
        );
    }
}

#[tokio::test]
async fn video_convert_status_gets_the_job_by_a_large_token() {
    for scheme in SCHEMES {
        let (status, request) = wire()
            .exercise(
                scheme,
                wire().example_reply("videoConvertStatus", 200),
                |client| async move {
                    client
                        .video_convert_status()
                        .token(VIDEO_TOKEN)
                        .send()
                        .await
                        .map_err(Error::from)
                },
            )
            .await;
        wire().assert_request(
            &request,
            "videoConvertStatus",
            "GET",
            "/convert/video/status/3051447120/",
            None,
            JSON,
        );
        assert_no_body(&request);

        let status = status.into_inner();
        assert_eq!(status.status, Some(ConversionJobState::Processing));
        assert_eq!(status.error, None);
        let result = status.result.expect("result");
        assert_eq!(result.uuid, Some(uuid(VIDEO_OUTPUT)));
        assert_eq!(
            result.thumbnails_group_uuid.as_deref(),
            Some(VIDEO_THUMBNAILS_GROUP)
        );
    }
}

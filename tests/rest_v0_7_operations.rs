//! Wire-level specification of every operation of the REST API v0.7 document.
//!
//! Each test calls one operation through the public client (`uploadcare::v0_7::Client`)
//! against a recording server on 127.0.0.1, once per auth scheme, and checks:
//! - what went over the wire: method, exact path, exact query string, exact body,
//!   `Content-Type`, and (through `common::verify_auth`) `Accept`, `Date`, `User-Agent`
//!   and the `Authorization` header, recomputed independently from the received bytes;
//! - what came back: the server answers with the success example of that operation from
//!   `openapi/rest-v0.7.yaml`, and the parsed values a caller relies on are asserted.

#![cfg(feature = "v0_7")]

use crate::common;

use common::document::{assert_no_body, at, form, map, uuid};
use common::wire::Wire;
use serde_json::json;
use std::sync::OnceLock;
use uploadcare::v0_7::types::{
    AddonExecuteRequest, AddonExecutionState, BooleanString, ConversionJobState, File, FilesOrdering,
    GroupsOrdering, LocalCopyRequest, Metadata, RemoteCopyRequest, RemoveBgChannels, RemoveBgParams,
    RemoveBgType, RemoveBgTypeLevel, StoreFlag, UcClamavVirusScanParams, WebhookEvent, WebhookPayloadVersion,
    WebhookSigningSecret, WebhookUpdateRequestTargetUrl, WebhookVersion,
};
use uploadcare::v0_7::Client;
use uploadcare::{AuthScheme, Error};

// ---------------------------------------------------------------------------------------
// Values from the document's examples.
// ---------------------------------------------------------------------------------------

/// The file used throughout the examples (`mountain-lake.jpg`).
const MAIN_FILE: &str = "3a1c9e05-8f2b-4a3d-9c7e-5b6d2f1e0a47";
/// A UUID the batch examples report as a problem.
const MISSING_FILE: &str = "0f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a09";
/// The file created by the local copy example.
const LOCAL_COPY: &str = "6e3f1a9b-7c2d-4b5e-8f0a-4d1c9b2e6a75";
const REMOTE_COPY_URL: &str = "s3://uc-demo-bucket/3a1c9e05-8f2b-4a3d-9c7e-5b6d2f1e0a47/mountain-lake.jpg";
const GROUP_ID: &str = "5f0b7c2e-3d9a-4e1b-8c6f-2a4d1e9b7c30~2";
const WEBHOOK_ID: i64 = 1473151;
const WEBHOOK_URL: &str = "https://hooks.example.com/uploadcare";
const ADDON_REQUEST_ID: &str = "8f0a3c6d-2b4e-4f1a-9d7c-6e5b3a2f1c08";
const REMOVE_BG_RESULT_FILE: &str = "2c7e9f14-5a3b-4d8e-a6f1-0b9c4d2e7a63";
const DOCUMENT_FILE: &str = "b7e2d9a4-1f6c-4e3b-9a8d-5c2f7e1b4d96";
const DOCUMENT_OUTPUT: &str = "7d2b4f61-0c3e-4a8f-b1d9-2e6a5c8f3b10";
const DOCUMENT_TOKEN: i64 = 3812204377;
const VIDEO_OUTPUT: &str = "9b4e2a7c-1d5f-4c3b-8e6a-0f7d3c2b1a59";
const VIDEO_THUMBNAILS_GROUP: &str = "c8e1a4f2-6b3d-4f7a-9e2c-1d5b8a3f6e04~5";
const VIDEO_TOKEN: i64 = 3812204915;

const SCHEMES: [AuthScheme; 2] = [AuthScheme::Signed, AuthScheme::Simple];

const JSON: &str = "application/json";
const FORM: &str = "application/x-www-form-urlencoded";

/// Every operationId this file exercises (one test each).
const EXERCISED: [&str; 37] = [
    "fileTags",
    "replaceFileTags",
    "updateFileTags",
    "searchFiles",
    "filesList",
    "storeFile",
    "deleteFileStorage",
    "fileInfo",
    "filesStoring",
    "filesDelete",
    "createLocalCopy",
    "createRemoteCopy",
    "awsRekognitionExecute",
    "awsRekognitionExecutionStatus",
    "awsRekognitionDetectModerationLabelsExecute",
    "awsRekognitionDetectModerationLabelsExecutionStatus",
    "ucClamavVirusScanExecute",
    "ucClamavVirusScanExecutionStatus",
    "removeBgExecute",
    "removeBgExecutionStatus",
    "fileMetadata",
    "fileMetadataKey",
    "updateFileMetadataKey",
    "deleteFileMetadataKey",
    "groupsList",
    "groupInfo",
    "deleteGroup",
    "projectInfo",
    "webhooksList",
    "webhookCreate",
    "updateWebhook",
    "webhookUnsubscribe",
    "documentConvertInfo",
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
    WIRE.get_or_init(|| Wire::new("0.7", Client::from_config))
}

// ---------------------------------------------------------------------------------------
// Harness.
// ---------------------------------------------------------------------------------------

/// What every example of `mountain-lake.jpg` says about the file, whatever its state.
fn assert_mountain_lake(file: &File) {
    assert_eq!(file.uuid, uuid(MAIN_FILE));
    assert_eq!(file.original_filename, "mountain-lake.jpg");
    assert_eq!(file.size, 642817);
    assert_eq!(file.mime_type, "image/jpeg");
    assert_eq!(file.is_image, Some(true));
    assert!(file.is_ready);
    assert_eq!(file.url, format!("https://api.uploadcare.com/files/{MAIN_FILE}/"));
    assert_eq!(file.datetime_uploaded, at("2024-03-05T11:12:40.543218Z"));
    assert_eq!(file.datetime_stored, Some(at("2024-03-05T11:12:41.261502Z")));
    assert_eq!(file.variations, None);
    assert_eq!(
        file.metadata.as_ref().map(|m| m.0.clone()),
        Some(map(&[("subsystem", "gallery"), ("uploaded_by", "web-form")]))
    );
    let content = file.content_info.as_ref().expect("content_info");
    let mime = content.mime.as_ref().expect("content_info.mime");
    assert_eq!(
        (mime.mime.as_str(), mime.type_.as_str(), mime.subtype.as_str()),
        ("image/jpeg", "image", "jpeg")
    );
    assert!(content.video.is_none());
    let image = content.image.as_ref().expect("content_info.image");
    assert_eq!((image.width, image.height), (3600, 2400));
    assert_eq!(image.format, "JPEG");
    assert_eq!(image.color_mode, uploadcare::v0_7::types::ColorMode::Rgb);
    assert_eq!(image.orientation, Some(1));
    assert!(!image.sequence);
    assert_eq!(image.dpi, Some([300.0, 300.0]));
    assert_eq!(image.datetime_original.as_deref(), Some("2023-08-14T07:42:19"));
    let geo = image.geo_location.as_ref().expect("geo_location");
    assert_eq!((geo.latitude, geo.longitude), (46.4892, 7.6721));
}

fn original_file_url() -> String {
    format!("https://ucarecdn.com/{MAIN_FILE}/mountain-lake.jpg")
}

// ---------------------------------------------------------------------------------------
// Coverage.
// ---------------------------------------------------------------------------------------

#[test]
fn every_documented_operation_is_exercised_here() {
    wire().assert_every_operation_exercised(&EXERCISED);
}

// ---------------------------------------------------------------------------------------
// File.
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn files_list_sends_filters_and_parses_the_page() {
    for scheme in SCHEMES {
        let (page, request) = wire()
            .exercise(
                scheme,
                wire().example_reply("filesList", 200),
                |client| async move {
                    client
                        .files_list()
                        .limit(10u64)
                        .ordering(FilesOrdering::DatetimeUploadedDesc)
                        .stored(true)
                        .removed(false)
                        .from("2015-09-10T10:00:00Z")
                        .include("appdata")
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
            Some("from=2015-09-10T10%3A00%3A00Z&include=appdata&limit=10&ordering=-datetime_uploaded&removed=false&stored=true"),
            JSON,
        );
        assert_eq!(
            request.query_pairs(),
            form(&[
                ("from", "2015-09-10T10:00:00Z"),
                ("include", "appdata"),
                ("limit", "10"),
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
            Some("https://api.uploadcare.com/files/?from=2024-03-05T11:12:40.543218Z&limit=1")
        );
        assert_eq!(page.previous, None);
        assert_eq!(page.total, Some(2));
        assert_eq!(page.per_page, Some(1));
        let totals = page.totals.expect("totals");
        assert_eq!((totals.removed, totals.stored, totals.unstored), (0, 2, 0));
        assert_eq!(page.results.len(), 1);
        let file = &page.results[0];
        assert_mountain_lake(file);
        assert_eq!(file.datetime_removed, None);
        assert_eq!(file.original_file_url, Some(original_file_url()));
        assert!(file.appdata.is_none());
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
        assert_eq!(page.into_inner().results[0].uuid, uuid(MAIN_FILE));
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
        let file = file.into_inner();
        assert_mountain_lake(&file);
        assert_eq!(file.datetime_removed, None);
        assert_eq!(file.original_file_url, Some(original_file_url()));
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

        let file = file.into_inner();
        assert_mountain_lake(&file);
        assert_eq!(file.datetime_removed, Some(at("2024-03-07T16:20:05.118934Z")));
        assert_eq!(file.original_file_url, None, "a removed file has no original URL");
    }
}

#[tokio::test]
async fn file_info_sends_include_and_parses_appdata_of_every_addon() {
    for scheme in SCHEMES {
        let (file, request) = wire()
            .exercise(
                scheme,
                wire().example_reply("fileInfo", 200),
                |client| async move {
                    client
                        .file_info()
                        .uuid(uuid(MAIN_FILE))
                        .include("appdata")
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
            Some("include=appdata"),
            JSON,
        );
        assert_no_body(&request);

        let file = file.into_inner();
        assert_mountain_lake(&file);
        let appdata = file.appdata.expect("appdata");

        let labels = appdata
            .aws_rekognition_detect_labels
            .expect("aws_rekognition_detect_labels");
        assert_eq!(labels.version, "2016-06-27");
        assert_eq!(labels.datetime_created, at("2024-03-05T11:13:02.457812Z"));
        assert_eq!(labels.datetime_updated, at("2024-03-05T11:13:04.019375Z"));
        assert_eq!(labels.data.label_model_version, "3.0");
        assert_eq!(labels.data.labels.len(), 2);
        let lake = &labels.data.labels[0];
        assert_eq!((lake.name.as_str(), lake.confidence), ("Lake", 98.71));
        let parents: Vec<_> = lake.parents.iter().map(|p| p.name.as_deref()).collect();
        assert_eq!(parents, [Some("Water"), Some("Outdoors")]);
        assert!(lake.instances.is_empty());
        let person = &labels.data.labels[1];
        assert_eq!((person.name.as_str(), person.confidence), ("Person", 91.05));
        assert!(person.parents.is_empty());
        assert_eq!(person.instances.len(), 1);
        assert_eq!(person.instances[0].confidence, Some(91.05));
        let bbox = person.instances[0].bounding_box.as_ref().expect("BoundingBox");
        assert_eq!(
            (bbox.height, bbox.left, bbox.top, bbox.width),
            (Some(0.3125), Some(0.4471), Some(0.5208), Some(0.0917))
        );

        let moderation = appdata
            .aws_rekognition_detect_moderation_labels
            .expect("aws_rekognition_detect_moderation_labels");
        assert_eq!(moderation.version, "2016-06-27");
        assert_eq!(moderation.data.moderation_model_version, "6.1");
        assert!(moderation.data.moderation_labels.is_empty());

        let remove_bg = appdata.remove_bg.expect("remove_bg");
        assert_eq!(remove_bg.version, "1.0");
        assert_eq!(remove_bg.data.foreground_type.as_deref(), Some("person"));
        assert_eq!(remove_bg.datetime_updated, at("2024-03-05T11:14:15.884003Z"));

        let clamav = appdata.uc_clamav_virus_scan.expect("uc_clamav_virus_scan");
        assert_eq!(clamav.version, "1.0.1");
        assert!(!clamav.data.infected);
        assert_eq!(clamav.data.infected_with, None);
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
        assert_mountain_lake(&batch.result[0]);
        assert_eq!(batch.result[0].datetime_removed, None);
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
        assert_mountain_lake(&batch.result[0]);
        assert_eq!(
            batch.result[0].datetime_removed,
            Some(at("2024-03-07T16:20:05.118934Z"))
        );
        assert_eq!(batch.result[0].original_file_url, None);
    }
}

#[tokio::test]
async fn create_local_copy_sends_source_store_and_metadata_and_parses_the_unfinished_copy() {
    for scheme in SCHEMES {
        let (copy, request) = wire()
            .exercise(
                scheme,
                wire().example_reply("createLocalCopy", 201),
                |client| async move {
                    let body = LocalCopyRequest {
                        source: MAIN_FILE.to_owned(),
                        store: Some(StoreFlag::True),
                        metadata: Some(Metadata::from(map(&[("subsystem", "gallery")]))),
                    };
                    client
                        .create_local_copy()
                        .body(body)
                        .send()
                        .await
                        .map_err(Error::from)
                },
            )
            .await;
        wire().assert_request(
            &request,
            "createLocalCopy",
            "POST",
            "/files/local_copy/",
            None,
            JSON,
        );
        assert_eq!(
            request.json(),
            json!({"source": MAIN_FILE, "store": "true", "metadata": {"subsystem": "gallery"}})
        );

        assert_eq!(copy.status().as_u16(), 201);
        let copy = copy.into_inner();
        assert_eq!(copy.type_, "file");
        let file = copy.result.expect("result");
        assert_eq!(file.uuid, uuid(LOCAL_COPY));
        assert_eq!(file.original_filename, "mountain-lake.jpg");
        assert_eq!(file.size, 0, "size is 0 until the copy is ready");
        assert_eq!(file.mime_type, "application/octet-stream");
        assert_eq!(file.is_image, None);
        assert!(!file.is_ready);
        assert_eq!(file.content_info, None);
        assert_eq!(file.original_file_url, None);
        assert_eq!(file.datetime_stored, None);
        assert_eq!(file.datetime_removed, None);
        assert_eq!(file.variations, None);
        assert_eq!(file.datetime_uploaded, at("2024-03-06T08:45:12.907615Z"));
        assert_eq!(
            file.url,
            format!("https://api.uploadcare.com/files/{LOCAL_COPY}/")
        );
        assert_eq!(file.metadata.map(|m| m.0), Some(map(&[("subsystem", "gallery")])));
    }
}

#[tokio::test]
async fn create_local_copy_with_only_a_source_sends_only_the_source() {
    for scheme in SCHEMES {
        let (copy, request) = wire()
            .exercise(
                scheme,
                wire().example_reply("createLocalCopy", 201),
                |client| async move {
                    client
                        .create_local_copy()
                        .body_map(|b| b.source(MAIN_FILE))
                        .send()
                        .await
                        .map_err(Error::from)
                },
            )
            .await;
        wire().assert_request(
            &request,
            "createLocalCopy",
            "POST",
            "/files/local_copy/",
            None,
            JSON,
        );
        assert_eq!(
            request.json(),
            json!({"source": MAIN_FILE}),
            "store/metadata defaults are not sent"
        );
        assert_eq!(copy.into_inner().result.map(|f| f.uuid), Some(uuid(LOCAL_COPY)));
    }
}

#[tokio::test]
async fn create_remote_copy_sends_target_make_public_and_pattern_and_parses_the_url() {
    // 201: copied; 200: a file with that name already exists at the target.
    for status in [201, 200] {
        for scheme in SCHEMES {
            let (copy, request) = wire()
                .exercise(
                    scheme,
                    wire().example_reply("createRemoteCopy", status),
                    |client| async move {
                        let body = RemoteCopyRequest {
                            source: MAIN_FILE.to_owned(),
                            target: "uc-demo-bucket".to_owned(),
                            make_public: Some(false),
                            pattern: Some("${uuid}${ext}".to_owned()),
                        };
                        client
                            .create_remote_copy()
                            .body(body)
                            .send()
                            .await
                            .map_err(Error::from)
                    },
                )
                .await;
            wire().assert_request(
                &request,
                "createRemoteCopy",
                "POST",
                "/files/remote_copy/",
                None,
                JSON,
            );
            assert_eq!(
                request.json(),
                json!({
                    "source": MAIN_FILE,
                    "target": "uc-demo-bucket",
                    "make_public": false,
                    "pattern": "${uuid}${ext}",
                })
            );

            assert_eq!(copy.status().as_u16(), status);
            let copy = copy.into_inner();
            assert_eq!(copy.type_, "url");
            assert_eq!(copy.result.as_deref(), Some(REMOTE_COPY_URL));
        }
    }
}

// ---------------------------------------------------------------------------------------
// Add-ons.
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn aws_rekognition_execute_posts_the_target_and_parses_the_request_id() {
    for scheme in SCHEMES {
        let reply = wire().plain_json_example_reply("awsRekognitionExecute", 200);
        let (run, request) = wire()
            .exercise(scheme, reply, |client| async move {
                client
                    .aws_rekognition_execute()
                    .body(AddonExecuteRequest {
                        target: uuid(MAIN_FILE),
                    })
                    .send()
                    .await
                    .map_err(Error::from)
            })
            .await;
        wire().assert_request(
            &request,
            "awsRekognitionExecute",
            "POST",
            "/addons/aws_rekognition_detect_labels/execute/",
            None,
            JSON,
        );
        assert_eq!(request.json(), json!({"target": MAIN_FILE}));
        assert_eq!(run.into_inner().request_id, Some(uuid(ADDON_REQUEST_ID)));
    }
}

#[tokio::test]
async fn aws_rekognition_execution_status_sends_the_request_id_and_parses_done() {
    for scheme in SCHEMES {
        let reply = wire().plain_json_example_reply("awsRekognitionExecutionStatus", 200);
        let (status, request) = wire()
            .exercise(scheme, reply, |client| async move {
                client
                    .aws_rekognition_execution_status()
                    .request_id(uuid(ADDON_REQUEST_ID))
                    .send()
                    .await
                    .map_err(Error::from)
            })
            .await;
        wire().assert_request(
            &request,
            "awsRekognitionExecutionStatus",
            "GET",
            "/addons/aws_rekognition_detect_labels/execute/status/",
            Some(&format!("request_id={ADDON_REQUEST_ID}")),
            JSON,
        );
        assert_no_body(&request);
        assert_eq!(status.into_inner().status, Some(AddonExecutionState::Done));
    }
}

#[tokio::test]
async fn aws_rekognition_moderation_execute_posts_the_target_and_parses_the_request_id() {
    for scheme in SCHEMES {
        let reply = wire().plain_json_example_reply("awsRekognitionDetectModerationLabelsExecute", 200);
        let (run, request) = wire()
            .exercise(scheme, reply, |client| async move {
                client
                    .aws_rekognition_detect_moderation_labels_execute()
                    .body_map(|b| b.target(uuid(MAIN_FILE)))
                    .send()
                    .await
                    .map_err(Error::from)
            })
            .await;
        wire().assert_request(
            &request,
            "awsRekognitionDetectModerationLabelsExecute",
            "POST",
            "/addons/aws_rekognition_detect_moderation_labels/execute/",
            None,
            JSON,
        );
        assert_eq!(request.json(), json!({"target": MAIN_FILE}));
        assert_eq!(run.into_inner().request_id, Some(uuid(ADDON_REQUEST_ID)));
    }
}

#[tokio::test]
async fn aws_rekognition_moderation_execution_status_sends_the_request_id_and_parses_done() {
    for scheme in SCHEMES {
        let reply =
            wire().plain_json_example_reply("awsRekognitionDetectModerationLabelsExecutionStatus", 200);
        let (status, request) = wire()
            .exercise(scheme, reply, |client| async move {
                client
                    .aws_rekognition_detect_moderation_labels_execution_status()
                    .request_id(uuid(ADDON_REQUEST_ID))
                    .send()
                    .await
                    .map_err(Error::from)
            })
            .await;
        wire().assert_request(
            &request,
            "awsRekognitionDetectModerationLabelsExecutionStatus",
            "GET",
            "/addons/aws_rekognition_detect_moderation_labels/execute/status/",
            Some(&format!("request_id={ADDON_REQUEST_ID}")),
            JSON,
        );
        assert_no_body(&request);
        assert_eq!(status.into_inner().status, Some(AddonExecutionState::Done));
    }
}

#[tokio::test]
async fn clamav_execute_posts_the_target_and_purge_infected() {
    for scheme in SCHEMES {
        let reply = wire().plain_json_example_reply("ucClamavVirusScanExecute", 200);
        let (run, request) = wire()
            .exercise(scheme, reply, |client| async move {
                client
                    .uc_clamav_virus_scan_execute()
                    .body_map(|b| {
                        b.target(uuid(MAIN_FILE)).params(UcClamavVirusScanParams {
                            purge_infected: Some(true),
                        })
                    })
                    .send()
                    .await
                    .map_err(Error::from)
            })
            .await;
        wire().assert_request(
            &request,
            "ucClamavVirusScanExecute",
            "POST",
            "/addons/uc_clamav_virus_scan/execute/",
            None,
            JSON,
        );
        assert_eq!(
            request.json(),
            json!({"target": MAIN_FILE, "params": {"purge_infected": true}})
        );
        assert_eq!(run.into_inner().request_id, Some(uuid(ADDON_REQUEST_ID)));
    }
}

#[tokio::test]
async fn clamav_execute_without_params_sends_only_the_target() {
    for scheme in SCHEMES {
        let reply = wire().plain_json_example_reply("ucClamavVirusScanExecute", 200);
        let (run, request) = wire()
            .exercise(scheme, reply, |client| async move {
                client
                    .uc_clamav_virus_scan_execute()
                    .body_map(|b| b.target(uuid(MAIN_FILE)))
                    .send()
                    .await
                    .map_err(Error::from)
            })
            .await;
        wire().assert_request(
            &request,
            "ucClamavVirusScanExecute",
            "POST",
            "/addons/uc_clamav_virus_scan/execute/",
            None,
            JSON,
        );
        assert_eq!(request.json(), json!({"target": MAIN_FILE}));
        assert_eq!(run.into_inner().request_id, Some(uuid(ADDON_REQUEST_ID)));
    }
}

#[tokio::test]
async fn clamav_execution_status_sends_the_request_id_and_parses_done() {
    for scheme in SCHEMES {
        let reply = wire().plain_json_example_reply("ucClamavVirusScanExecutionStatus", 200);
        let (status, request) = wire()
            .exercise(scheme, reply, |client| async move {
                client
                    .uc_clamav_virus_scan_execution_status()
                    .request_id(uuid(ADDON_REQUEST_ID))
                    .send()
                    .await
                    .map_err(Error::from)
            })
            .await;
        wire().assert_request(
            &request,
            "ucClamavVirusScanExecutionStatus",
            "GET",
            "/addons/uc_clamav_virus_scan/execute/status/",
            Some(&format!("request_id={ADDON_REQUEST_ID}")),
            JSON,
        );
        assert_no_body(&request);
        assert_eq!(status.into_inner().status, Some(AddonExecutionState::Done));
    }
}

#[tokio::test]
async fn remove_bg_execute_posts_the_target_and_every_param() {
    for scheme in SCHEMES {
        let reply = wire().plain_json_example_reply("removeBgExecute", 200);
        let (run, request) = wire()
            .exercise(scheme, reply, |client| async move {
                let params = RemoveBgParams {
                    crop: Some(true),
                    crop_margin: Some("30px".to_owned()),
                    scale: Some("80%".to_owned()),
                    add_shadow: Some(true),
                    type_level: Some(RemoveBgTypeLevel::V2),
                    type_: Some(RemoveBgType::Person),
                    semitransparency: Some(false),
                    channels: Some(RemoveBgChannels::Alpha),
                    roi: Some("10% 10% 90% 90%".to_owned()),
                    position: Some("center".to_owned()),
                };
                client
                    .remove_bg_execute()
                    .body_map(|b| b.target(uuid(MAIN_FILE)).params(params))
                    .send()
                    .await
                    .map_err(Error::from)
            })
            .await;
        wire().assert_request(
            &request,
            "removeBgExecute",
            "POST",
            "/addons/remove_bg/execute/",
            None,
            JSON,
        );
        assert_eq!(
            request.json(),
            json!({
                "target": MAIN_FILE,
                "params": {
                    "crop": true,
                    "crop_margin": "30px",
                    "scale": "80%",
                    "add_shadow": true,
                    "type_level": "2",
                    "type": "person",
                    "semitransparency": false,
                    "channels": "alpha",
                    "roi": "10% 10% 90% 90%",
                    "position": "center",
                },
            })
        );
        assert_eq!(run.into_inner().request_id, Some(uuid(ADDON_REQUEST_ID)));
    }
}

#[tokio::test]
async fn remove_bg_execute_with_a_subset_of_params_sends_only_those() {
    for scheme in SCHEMES {
        let reply = wire().plain_json_example_reply("removeBgExecute", 200);
        let (_, request) = wire()
            .exercise(scheme, reply, |client| async move {
                let params = RemoveBgParams {
                    crop: Some(true),
                    type_: Some(RemoveBgType::Product),
                    ..Default::default()
                };
                client
                    .remove_bg_execute()
                    .body_map(|b| b.target(uuid(MAIN_FILE)).params(params))
                    .send()
                    .await
                    .map_err(Error::from)
            })
            .await;
        wire().assert_request(
            &request,
            "removeBgExecute",
            "POST",
            "/addons/remove_bg/execute/",
            None,
            JSON,
        );
        assert_eq!(
            request.json(),
            json!({"target": MAIN_FILE, "params": {"crop": true, "type": "product"}})
        );
    }
}

#[tokio::test]
async fn remove_bg_execution_status_sends_the_request_id_and_parses_the_result_file() {
    for scheme in SCHEMES {
        let reply = wire().plain_json_example_reply("removeBgExecutionStatus", 200);
        let (status, request) = wire()
            .exercise(scheme, reply, |client| async move {
                client
                    .remove_bg_execution_status()
                    .request_id(uuid(ADDON_REQUEST_ID))
                    .send()
                    .await
                    .map_err(Error::from)
            })
            .await;
        wire().assert_request(
            &request,
            "removeBgExecutionStatus",
            "GET",
            "/addons/remove_bg/execute/status/",
            Some(&format!("request_id={ADDON_REQUEST_ID}")),
            JSON,
        );
        assert_no_body(&request);
        let status = status.into_inner();
        assert_eq!(status.status, Some(AddonExecutionState::Done));
        assert_eq!(
            status.result.and_then(|r| r.file_id).as_deref(),
            Some(REMOVE_BG_RESULT_FILE)
        );
    }
}

// ---------------------------------------------------------------------------------------
// File metadata.
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn file_metadata_gets_the_whole_map() {
    for scheme in SCHEMES {
        let (metadata, request) = wire()
            .exercise(
                scheme,
                wire().example_reply("fileMetadata", 200),
                |client| async move {
                    client
                        .file_metadata()
                        .uuid(uuid(MAIN_FILE))
                        .send()
                        .await
                        .map_err(Error::from)
                },
            )
            .await;
        wire().assert_request(
            &request,
            "fileMetadata",
            "GET",
            &format!("/files/{MAIN_FILE}/metadata/"),
            None,
            JSON,
        );
        assert_no_body(&request);
        assert_eq!(
            metadata.into_inner().0,
            map(&[("subsystem", "gallery"), ("uploaded_by", "web-form")])
        );
    }
}

#[tokio::test]
async fn file_tags_get_replace_and_update_send_the_documented_bodies() {
    for scheme in SCHEMES {
        let (tags, request) = wire()
            .exercise(
                scheme,
                wire().example_reply("fileTags", 200),
                |client| async move {
                    client
                        .file_tags()
                        .uuid(uuid(MAIN_FILE))
                        .send()
                        .await
                        .map_err(Error::from)
                },
            )
            .await;
        wire().assert_request(
            &request,
            "fileTags",
            "GET",
            &format!("/files/{MAIN_FILE}/tags/"),
            None,
            JSON,
        );
        assert_no_body(&request);
        assert_eq!(
            tags.into_inner().tags.map(|t| t.0),
            Some(vec!["summer".to_owned(), "beach".to_owned()])
        );

        let (change, request) = wire()
            .exercise(
                scheme,
                wire().example_reply("replaceFileTags", 200),
                |client| async move {
                    client
                        .replace_file_tags()
                        .uuid(uuid(MAIN_FILE))
                        .body(uploadcare::v0_7::types::FileTagsReplaceRequest {
                            tags: vec!["Summer".into(), "beach".into()],
                        })
                        .send()
                        .await
                        .map_err(Error::from)
                },
            )
            .await;
        wire().assert_request(
            &request,
            "replaceFileTags",
            "PUT",
            &format!("/files/{MAIN_FILE}/tags/"),
            None,
            JSON,
        );
        assert_eq!(request.json(), json!({"tags": ["Summer", "beach"]}));
        let change = change.into_inner();
        assert_eq!(
            (change.added, change.deleted),
            (vec!["beach".to_owned()], vec!["winter".to_owned()])
        );

        let (change, request) = wire()
            .exercise(
                scheme,
                wire().example_reply("updateFileTags", 200),
                |client| async move {
                    client
                        .update_file_tags()
                        .uuid(uuid(MAIN_FILE))
                        .body(uploadcare::v0_7::types::FileTagsUpdateRequest {
                            add: vec!["sunset".into()],
                            delete: vec!["beach".into()],
                        })
                        .send()
                        .await
                        .map_err(Error::from)
                },
            )
            .await;
        wire().assert_request(
            &request,
            "updateFileTags",
            "PATCH",
            &format!("/files/{MAIN_FILE}/tags/"),
            None,
            JSON,
        );
        assert_eq!(request.json(), json!({"add": ["sunset"], "delete": ["beach"]}));
        assert_eq!(change.into_inner().tags, ["summer", "sunset"]);
    }
}

#[tokio::test]
async fn search_files_posts_the_conditions_with_paging_and_parses_highlights() {
    for scheme in SCHEMES {
        let (page, request) = wire()
            .exercise(
                scheme,
                wire().example_reply("searchFiles", 200),
                |client| async move {
                    let body = client
                        .search()
                        .tags_all(["cat"])
                        .images_only(true)
                        .sort(uploadcare::search::SortKey::DatetimeUploaded.descending())
                        .to_request()?;
                    client
                        .search_files()
                        .body(body)
                        .limit(std::num::NonZeroU64::new(1).unwrap())
                        .offset(0)
                        .send()
                        .await
                        .map_err(Error::from)
                },
            )
            .await;
        wire().assert_request(
            &request,
            "searchFiles",
            "POST",
            "/files/search/",
            Some("limit=1&offset=0"),
            JSON,
        );
        assert_eq!(
            request.json(),
            json!({"tags": {"all": ["cat"]}, "is_image": true, "sort": ["-datetime_uploaded"]})
        );
        let page = page.into_inner();
        assert_eq!((page.total, page.results.len()), (Some(2), 1));
        let result = &page.results[0];
        assert_eq!(
            result.tags.as_ref().map(|t| t.0.clone()),
            Some(vec!["cat".to_owned(), "animal".to_owned()])
        );
        let highlight = result.highlight.as_ref().expect("highlight");
        assert_eq!(highlight.original_filename, ["<em>cat</em>-on-sofa.jpg"]);
        assert_eq!(
            highlight.metadata.get("room"),
            Some(&vec!["<em>living</em>".to_owned()])
        );
    }
}

#[tokio::test]
async fn file_metadata_key_gets_one_value() {
    for scheme in SCHEMES {
        let (value, request) = wire()
            .exercise(
                scheme,
                wire().example_reply("fileMetadataKey", 200),
                |client| async move {
                    client
                        .file_metadata_key()
                        .uuid(uuid(MAIN_FILE))
                        .key("subsystem")
                        .send()
                        .await
                        .map_err(Error::from)
                },
            )
            .await;
        wire().assert_request(
            &request,
            "fileMetadataKey",
            "GET",
            &format!("/files/{MAIN_FILE}/metadata/subsystem/"),
            None,
            JSON,
        );
        assert_no_body(&request);
        assert_eq!(value.into_inner().as_str(), "gallery");
    }
}

#[tokio::test]
async fn update_file_metadata_key_puts_the_value_as_a_json_string() {
    // 200: the key was updated; 201: the key was created.
    for status in [200, 201] {
        for scheme in SCHEMES {
            let reply = wire().example_reply("updateFileMetadataKey", status);
            let (value, request) = wire()
                .exercise(scheme, reply, |client| async move {
                    client
                        .update_file_metadata_key()
                        .uuid(uuid(MAIN_FILE))
                        .key("subsystem")
                        .body("gallery")
                        .send()
                        .await
                        .map_err(Error::from)
                })
                .await;
            wire().assert_request(
                &request,
                "updateFileMetadataKey",
                "PUT",
                &format!("/files/{MAIN_FILE}/metadata/subsystem/"),
                None,
                JSON,
            );
            assert_eq!(
                &request.body[..],
                br#""gallery""#,
                "a JSON string, quotes included"
            );
            assert_eq!(request.json(), json!("gallery"));

            assert_eq!(value.status().as_u16(), status);
            assert_eq!(value.into_inner().as_str(), "gallery");
        }
    }
}

#[tokio::test]
async fn delete_file_metadata_key_deletes_and_accepts_no_content() {
    for scheme in SCHEMES {
        let (response, request) = wire()
            .exercise(
                scheme,
                wire().empty_reply("deleteFileMetadataKey", 204),
                |client| async move {
                    client
                        .delete_file_metadata_key()
                        .uuid(uuid(MAIN_FILE))
                        .key("subsystem")
                        .send()
                        .await
                        .map_err(Error::from)
                },
            )
            .await;
        wire().assert_request(
            &request,
            "deleteFileMetadataKey",
            "DELETE",
            &format!("/files/{MAIN_FILE}/metadata/subsystem/"),
            None,
            JSON,
        );
        assert_no_body(&request);
        assert_eq!(response.status().as_u16(), 204);
        let () = response.into_inner();
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
        assert_eq!(group.files_count.map(|n| n.get()), Some(2));
        assert_eq!(group.datetime_created, Some(at("2024-03-05T11:15:27.336120Z")));
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
        assert_eq!(page.into_inner().results[0].id.as_deref(), Some(GROUP_ID));
    }
}

#[tokio::test]
async fn group_info_gets_the_group_and_parses_files_including_removed_ones() {
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
        assert_eq!(group.files_count.map(|n| n.get()), Some(2));
        assert_eq!(group.datetime_created, Some(at("2024-03-05T11:15:27.336120Z")));
        assert_eq!(
            group.cdn_url.as_deref(),
            Some(format!("https://ucarecdn.com/{GROUP_ID}/").as_str())
        );
        let files = group.files.expect("files");
        assert_eq!(files.len(), 2);
        let file = files[0].as_ref().expect("the first file is present");
        assert_eq!(file.default_effects.as_deref(), Some("resize/x800/"));
        assert_eq!(file.uuid, uuid(MAIN_FILE));
        assert_eq!(file.original_filename, "mountain-lake.jpg");
        assert_eq!(file.size, 642817);
        assert_eq!(file.is_image, Some(true));
        assert_eq!(file.datetime_removed, None);
        assert_eq!(
            file.metadata.as_ref().map(|m| m.0.clone()),
            Some(map(&[("subsystem", "gallery"), ("uploaded_by", "web-form")]))
        );
        let image = file
            .content_info
            .as_ref()
            .and_then(|c| c.image.as_ref())
            .expect("image info");
        assert_eq!((image.width, image.height), (3600, 2400));
        assert!(files[1].is_none(), "a removed file is `null` in the list");
    }
}

#[tokio::test]
async fn delete_group_deletes_and_accepts_no_content() {
    for scheme in SCHEMES {
        let (response, request) = wire()
            .exercise(
                scheme,
                wire().empty_reply("deleteGroup", 204),
                |client| async move {
                    client
                        .delete_group()
                        .uuid(GROUP_ID)
                        .send()
                        .await
                        .map_err(Error::from)
                },
            )
            .await;
        wire().assert_request(
            &request,
            "deleteGroup",
            "DELETE",
            &format!("/groups/{GROUP_ID}/"),
            None,
            JSON,
        );
        assert_no_body(&request);
        assert_eq!(response.status().as_u16(), 204);
        let () = response.into_inner();
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
        assert_eq!(project.name.as_deref(), Some("Demo project"));
        assert_eq!(project.pub_key.as_deref(), Some("5d9a1c3e7b2f4a6c8e0d"));
        assert_eq!(project.autostore_enabled, Some(true));
        let collaborators = project.collaborators.expect("collaborators");
        assert_eq!(collaborators.len(), 1);
        assert_eq!(collaborators[0].email.as_deref(), Some("alex@example.com"));
        assert_eq!(collaborators[0].name.as_deref(), Some("Alex Doe"));
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
        assert_eq!(hook.project, Some(123456));
        assert_eq!(hook.event, Some(WebhookEvent::FileUploaded));
        assert_eq!(hook.target_url.as_ref().map(|u| u.as_str()), Some(WEBHOOK_URL));
        assert!(hook.is_active);
        assert_eq!(hook.version, Some(WebhookVersion::V0_7));
        assert_eq!(hook.signing_secret, None);
        assert_eq!(hook.created, Some(at("2024-02-12T09:30:11.209427Z")));
        assert_eq!(hook.updated, Some(at("2024-02-12T09:30:11.209451Z")));
    }
}

#[tokio::test]
async fn webhook_create_posts_a_form_with_every_field() {
    for scheme in SCHEMES {
        let (hook, request) = wire()
            .exercise(
                scheme,
                wire().example_reply("webhookCreate", 201),
                |client| async move {
                    let secret = WebhookSigningSecret::try_from("d8Fq2LxW7pNz4Rt6").unwrap();
                    client
                        .webhook_create()
                        .body_map(|b| {
                            b.target_url(WEBHOOK_URL)
                                .event(WebhookEvent::FileUploaded)
                                .is_active(true)
                                .signing_secret(secret)
                                .version(WebhookPayloadVersion::V0_7)
                        })
                        .send()
                        .await
                        .map_err(Error::from)
                },
            )
            .await;
        wire().assert_request(&request, "webhookCreate", "POST", "/webhooks/", None, FORM);
        assert_eq!(
            request.form(),
            form(&[
                ("event", "file.uploaded"),
                ("is_active", "true"),
                ("signing_secret", "d8Fq2LxW7pNz4Rt6"),
                ("target_url", WEBHOOK_URL),
                ("version", "0.7"),
            ])
        );

        assert_eq!(hook.status().as_u16(), 201);
        let hook = hook.into_inner();
        assert_eq!(hook.id, Some(WEBHOOK_ID));
        assert_eq!(hook.project, Some(123456));
        assert_eq!(hook.event, Some(WebhookEvent::FileUploaded));
        assert_eq!(hook.target_url.as_ref().map(|u| u.as_str()), Some(WEBHOOK_URL));
        assert!(hook.is_active);
        assert_eq!(hook.version, Some(WebhookVersion::V0_7));
        assert_eq!(
            hook.signing_secret.as_ref().map(|s| s.expose_secret()),
            Some("d8Fq2LxW7pNz4Rt6")
        );
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
                        .body_map(|b| b.target_url(WEBHOOK_URL).event(WebhookEvent::FileInfoUpdated))
                        .send()
                        .await
                        .map_err(Error::from)
                },
            )
            .await;
        wire().assert_request(&request, "webhookCreate", "POST", "/webhooks/", None, FORM);
        assert_eq!(
            request.form(),
            form(&[("event", "file.info_updated"), ("target_url", WEBHOOK_URL)])
        );
        assert_eq!(hook.into_inner().id, Some(WEBHOOK_ID));
    }
}

#[tokio::test]
async fn update_webhook_puts_only_the_fields_that_are_set() {
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
        wire().assert_request(
            &request,
            "updateWebhook",
            "PUT",
            &format!("/webhooks/{WEBHOOK_ID}/"),
            None,
            FORM,
        );
        assert_eq!(request.form(), form(&[("is_active", "false")]));
        for absent in ["target_url", "event", "signing_secret", "version"] {
            assert!(
                request.form().iter().all(|(k, _)| k != absent),
                "`{absent}` was not set, so not sent"
            );
        }

        assert_eq!(hook.status().as_u16(), 200);
        let hook = hook.into_inner();
        assert_eq!(hook.id, Some(WEBHOOK_ID));
        assert!(!hook.is_active);
        assert_eq!(hook.event, Some(WebhookEvent::FileUploaded));
        assert_eq!(hook.target_url.as_ref().map(|u| u.as_str()), Some(WEBHOOK_URL));
        assert_eq!(hook.updated, Some(at("2024-03-01T14:02:56.774310Z")));
        assert_eq!(hook.signing_secret, None);
        assert_eq!(hook.version, Some(WebhookVersion::V0_7));
    }
}

#[tokio::test]
async fn update_webhook_puts_every_field_when_all_are_set() {
    for scheme in SCHEMES {
        let (hook, request) = wire()
            .exercise(
                scheme,
                wire().example_reply("updateWebhook", 200),
                |client| async move {
                    let secret = WebhookSigningSecret::try_from("n3wS3cr3t").unwrap();
                    let target =
                        WebhookUpdateRequestTargetUrl::try_from("https://hooks.example.com/uploadcare?v=2")
                            .unwrap();
                    client
                        .update_webhook()
                        .id(WEBHOOK_ID)
                        .body_map(|b| {
                            b.target_url(target)
                                .event(WebhookEvent::FileStored)
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
            "PUT",
            &format!("/webhooks/{WEBHOOK_ID}/"),
            None,
            FORM,
        );
        // URL-encoded on the wire, decoded here.
        assert!(std::str::from_utf8(&request.body)
            .unwrap()
            .contains("target_url=https%3A%2F%2Fhooks.example.com%2Fuploadcare%3Fv%3D2"));
        assert_eq!(
            request.form(),
            form(&[
                ("event", "file.stored"),
                ("is_active", "true"),
                ("signing_secret", "n3wS3cr3t"),
                ("target_url", "https://hooks.example.com/uploadcare?v=2"),
            ])
        );
        assert_eq!(hook.into_inner().id, Some(WEBHOOK_ID));
    }
}

#[tokio::test]
async fn webhook_unsubscribe_deletes_with_a_form_body_and_accepts_no_content() {
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
        wire().assert_request(
            &request,
            "webhookUnsubscribe",
            "DELETE",
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
async fn document_convert_info_gets_formats_and_converted_groups() {
    for scheme in SCHEMES {
        let (info, request) = wire()
            .exercise(
                scheme,
                wire().example_reply("documentConvertInfo", 200),
                |client| async move {
                    client
                        .document_convert_info()
                        .uuid(DOCUMENT_FILE)
                        .send()
                        .await
                        .map_err(Error::from)
                },
            )
            .await;
        wire().assert_request(
            &request,
            "documentConvertInfo",
            "GET",
            &format!("/convert/document/{DOCUMENT_FILE}/"),
            None,
            JSON,
        );
        assert_no_body(&request);

        let info = info.into_inner();
        assert_eq!(info.error, None);
        let format = info.format.expect("format");
        assert_eq!(format.name.as_deref(), Some("pdf"));
        let targets: Vec<_> = format
            .conversion_formats
            .iter()
            .map(|f| f.name.as_deref().unwrap())
            .collect();
        assert_eq!(targets, ["doc", "docx", "jpg", "png", "txt"]);
        // The example (like the live service) puts `converted_groups` inside `format`.
        assert_eq!(
            format.converted_groups,
            map(&[("png", "d4a7f1c9-2e5b-4b8a-9f3c-7a1e6d2b5c84~3")])
        );
        assert!(info.converted_groups.is_empty());
    }
}

#[tokio::test]
async fn document_convert_posts_paths_store_and_save_in_group_and_parses_jobs_and_problems() {
    let good = format!("{DOCUMENT_FILE}/document/-/format/png/-/page/1/");
    let bad = "not-a-uuid/document/-/format/pdf/";
    for scheme in SCHEMES {
        let reply = wire().plain_json_example_reply("documentConvert", 200);
        let paths = vec![good.clone(), bad.to_owned()];
        let (jobs, request) = wire()
            .exercise(scheme, reply, |client| async move {
                client
                    .document_convert()
                    .body_map(|b| {
                        b.paths(paths)
                            .store(BooleanString::V1)
                            .save_in_group(BooleanString::True)
                    })
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
        assert_eq!(
            request.json(),
            json!({"paths": [good, bad], "store": "1", "save_in_group": "true"})
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
        assert_eq!(job.original_source.as_deref(), Some(good.as_str()));
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
            "/convert/document/status/3812204377/",
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
    let path = "f3c8a2d1-9e7b-4a5c-b6d0-1e4f8a2c7b39/video/-/format/mp4/-/quality/normal/";
    for scheme in SCHEMES {
        let reply = wire().plain_json_example_reply("videoConvert", 200);
        let (jobs, request) = wire()
            .exercise(scheme, reply, |client| async move {
                client
                    .video_convert()
                    .body_map(|b| b.paths(vec![path.to_owned()]).store(BooleanString::False))
                    .send()
                    .await
                    .map_err(Error::from)
            })
            .await;
        wire().assert_request(&request, "videoConvert", "POST", "/convert/video/", None, JSON);
        assert_eq!(request.json(), json!({"paths": [path], "store": "false"}));

        let jobs = jobs.into_inner();
        assert!(jobs.problems.is_empty());
        assert_eq!(jobs.result.len(), 1);
        let job = &jobs.result[0];
        assert_eq!(job.original_source.as_deref(), Some(path));
        assert_eq!(job.uuid, Some(uuid(VIDEO_OUTPUT)));
        assert_eq!(job.token, Some(VIDEO_TOKEN));
        assert_eq!(job.thumbnails_group_uuid.as_deref(), Some(VIDEO_THUMBNAILS_GROUP));
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
            "/convert/video/status/3812204915/",
            None,
            JSON,
        );
        assert_no_body(&request);

        let status = status.into_inner();
        assert_eq!(status.status, Some(ConversionJobState::Finished));
        assert_eq!(status.error, None);
        let result = status.result.expect("result");
        assert_eq!(result.uuid, Some(uuid(VIDEO_OUTPUT)));
        assert_eq!(
            result.thumbnails_group_uuid.as_deref(),
            Some(VIDEO_THUMBNAILS_GROUP)
        );
    }
}

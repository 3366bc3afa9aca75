//! File tags and file search (REST API 0.7) on the emulator, over real HTTP on 127.0.0.1:
//! signed REST requests built by hand and Upload API requests as multipart forms. Covers tag
//! normalization and limits, `PUT`/`PATCH` answers, tags at upload time, every search
//! condition alone and combined, sorting, paging up to the 1000 ceiling, highlights, the
//! validation answers, and the opt-in indexing delay.

// Upload API forms need the `upload` feature (reqwest multipart).
#![cfg(all(feature = "v0_7", feature = "upload"))]

use serde_json::{json, Value};
use std::time::{Duration, SystemTime};
use uploadcare_emulator::Emulator;
use uuid::Uuid;

// ---------------------------------------------------------------------------------------
// Helpers.
// ---------------------------------------------------------------------------------------

async fn start() -> Emulator {
    Emulator::start().await.expect("the emulator starts")
}

/// Sends a REST request signed with the emulator's keys (`Uploadcare` scheme), JSON body when
/// given, in API `version`; answers the status and the parsed body (`Null` when empty).
async fn rest_in(
    emulator: &Emulator,
    version: &str,
    method: &str,
    uri: &str,
    body: Option<&Value>,
) -> (u16, Value) {
    let bytes = body.map(|b| b.to_string().into_bytes()).unwrap_or_default();
    rest_raw(emulator, version, method, uri, bytes).await
}

async fn rest_raw(
    emulator: &Emulator,
    version: &str,
    method: &str,
    uri: &str,
    body: Vec<u8>,
) -> (u16, Value) {
    let date = httpdate::fmt_http_date(SystemTime::now());
    let content_type = "application/json";
    let signature = uploadcare::sign_rest_request(
        emulator.secret_key().expose_secret(),
        method,
        &body,
        content_type,
        &date,
        uri,
    );
    let response = reqwest::Client::new()
        .request(
            reqwest::Method::from_bytes(method.as_bytes()).unwrap(),
            format!("{}{uri}", emulator.rest_base_url()),
        )
        .header("accept", format!("application/vnd.uploadcare-v{version}+json"))
        .header("content-type", content_type)
        .header("date", date)
        .header(
            "authorization",
            format!("Uploadcare {}:{signature}", emulator.public_key()),
        )
        .body(body)
        .send()
        .await
        .expect("the emulator answers");
    let status = response.status().as_u16();
    let text = response.text().await.expect("a body");
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    (status, body)
}

async fn rest(emulator: &Emulator, method: &str, uri: &str, body: Option<Value>) -> (u16, Value) {
    rest_in(emulator, "0.7", method, uri, body.as_ref()).await
}

/// `POST /files/search/?<query>` with `body`.
async fn search(emulator: &Emulator, query: &str, body: Value) -> (u16, Value) {
    let uri = if query.is_empty() {
        "/files/search/".to_owned()
    } else {
        format!("/files/search/?{query}")
    };
    rest(emulator, "POST", &uri, Some(body)).await
}

/// The UUIDs of a 200 search answer's results, in order.
async fn found(emulator: &Emulator, body: Value) -> Vec<Uuid> {
    let (status, answer) = search(emulator, "limit=100", body.clone()).await;
    assert_eq!(status, 200, "{body} → {answer}");
    uuids(&answer)
}

fn uuids(answer: &Value) -> Vec<Uuid> {
    answer["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| r["uuid"].as_str().unwrap().parse().unwrap())
        .collect()
}

/// Sets a file's tags through the API.
async fn put_tags(emulator: &Emulator, uuid: Uuid, tags: &[&str]) -> Value {
    let (status, body) = rest(
        emulator,
        "PUT",
        &format!("/files/{uuid}/tags/"),
        Some(json!({ "tags": tags })),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body
}

/// Sets a metadata key through the API.
async fn put_metadata(emulator: &Emulator, uuid: Uuid, key: &str, value: &str) {
    let (status, _) = rest(
        emulator,
        "PUT",
        &format!("/files/{uuid}/metadata/{key}/"),
        Some(json!(value)),
    )
    .await;
    assert!(status == 200 || status == 201, "{status}");
}

/// A PNG header of `width`×`height` (all the emulator reads of an image).
fn png(width: u32, height: u32) -> Vec<u8> {
    let mut data = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    data.extend_from_slice(&width.to_be_bytes());
    data.extend_from_slice(&height.to_be_bytes());
    data.extend_from_slice(&[8, 2, 0, 0, 0]);
    data
}

/// An Upload API POST of a multipart form; answers the status and the body as JSON.
async fn upload_post(emulator: &Emulator, path: &str, form: reqwest::multipart::Form) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(format!("{}{path}", emulator.upload_base_url()))
        .multipart(form)
        .send()
        .await
        .expect("the emulator answers");
    let status = response.status().as_u16();
    let text = response.text().await.expect("a body");
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

fn base_form(emulator: &Emulator) -> reqwest::multipart::Form {
    reqwest::multipart::Form::new().text("UPLOADCARE_PUB_KEY", emulator.public_key().to_owned())
}

fn file_part(name: &str, data: Vec<u8>) -> reqwest::multipart::Part {
    reqwest::multipart::Part::bytes(data)
        .file_name(name.to_owned())
        .mime_str("text/plain")
        .unwrap()
}

/// The Upload API error of a `jsonerrors=1` answer.
fn upload_error(status: u16, code: &str, content: &str) -> (u16, Value) {
    (
        status,
        json!({"error": {"status_code": status, "content": content, "error_code": code}}),
    )
}

// ---------------------------------------------------------------------------------------
// Tags.
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn tags_are_normalized_and_replaced_with_exact_changes() {
    let emulator = start().await;
    let uuid = emulator.state().add_file("a.txt", "text/plain", "a", Some(true));
    let path = format!("/files/{uuid}/tags/");

    assert_eq!(
        rest(&emulator, "GET", &path, None).await,
        (200, json!({"tags": []}))
    );
    let (_, info) = rest(&emulator, "GET", &format!("/files/{uuid}/"), None).await;
    assert_eq!(
        info["tags"],
        json!([]),
        "every 0.7 file object has tags, empty when none"
    );

    // Lowercase, trimmed, duplicates (first wins) and empty strings dropped, order kept.
    let body = put_tags(
        &emulator,
        uuid,
        &["Summer", " cat ", "CAT", "", "z", "a", "m", "summer"],
    )
    .await;
    assert_eq!(
        body,
        json!({"tags": ["summer", "cat", "z", "a", "m"], "added": ["a", "cat", "m", "summer", "z"], "deleted": []})
    );
    assert_eq!(
        emulator.state().file(uuid).unwrap().tags,
        ["summer", "cat", "z", "a", "m"]
    );
    assert_eq!(
        rest(&emulator, "GET", &path, None).await,
        (200, json!({"tags": ["summer", "cat", "z", "a", "m"]}))
    );

    // Only real changes are reported, sorted.
    let body = put_tags(&emulator, uuid, &["m", "dog", "cat", "b"]).await;
    assert_eq!(
        body,
        json!({"tags": ["m", "dog", "cat", "b"], "added": ["b", "dog"], "deleted": ["a", "summer", "z"]})
    );
    let body = put_tags(&emulator, uuid, &["M", "dog", "cat", "b"]).await;
    assert_eq!(
        body,
        json!({"tags": ["m", "dog", "cat", "b"], "added": [], "deleted": []})
    );

    // Tags show in file info, lists, batch answers and group files.
    let (_, info) = rest(&emulator, "GET", &format!("/files/{uuid}/"), None).await;
    assert_eq!(info["tags"], json!(["m", "dog", "cat", "b"]));
    let (_, list) = rest(&emulator, "GET", "/files/", None).await;
    assert_eq!(list["results"][0]["tags"], json!(["m", "dog", "cat", "b"]));
    let (_, batch) = rest(
        &emulator,
        "PUT",
        "/files/storage/",
        Some(json!([uuid.to_string()])),
    )
    .await;
    assert_eq!(batch["result"][0]["tags"], json!(["m", "dog", "cat", "b"]));
    let group = emulator.state().lock().add_group(vec![uuid]);
    let (_, group) = rest(&emulator, "GET", &format!("/groups/{group}/"), None).await;
    assert_eq!(group["files"][0]["tags"], json!(["m", "dog", "cat", "b"]));

    // An empty list clears.
    let body = put_tags(&emulator, uuid, &[]).await;
    assert_eq!(
        body,
        json!({"tags": [], "added": [], "deleted": ["b", "cat", "dog", "m"]})
    );

    // 0.5/0.6 file objects have no tags; the endpoints don't exist there.
    put_tags(&emulator, uuid, &["kept"]).await;
    for version in ["0.5", "0.6"] {
        let (_, info) = rest_in(&emulator, version, "GET", &format!("/files/{uuid}/"), None).await;
        assert!(info.get("tags").is_none(), "{version}: {info}");
        for method in ["GET", "PUT", "PATCH"] {
            let answer = rest_in(&emulator, version, method, &path, Some(&json!({"tags": []}))).await;
            assert_eq!(
                answer,
                (404, Value::Null),
                "{version} {method}: like a path without a route"
            );
        }
    }
    assert_eq!(emulator.state().file(uuid).unwrap().tags, ["kept"]);
    assert_eq!(
        rest(&emulator, "DELETE", &path, None).await,
        (405, json!({"detail": "Method \"DELETE\" not allowed."}))
    );
}

#[tokio::test]
async fn invalid_tags_are_refused_and_nothing_changes() {
    let emulator = start().await;
    let uuid = emulator.state().add_file("a.txt", "text/plain", "a", Some(true));
    let path = format!("/files/{uuid}/tags/");
    put_tags(&emulator, uuid, &["keep"]).await;

    // Limits, after normalization: 50 tags, 100 characters.
    let fifty: Vec<String> = (0..50).map(|i| format!("t{i}")).collect();
    let mut with_duplicates = fifty.clone();
    with_duplicates.extend(["T0".to_owned(), " t1 ".to_owned(), String::new()]);
    let (status, body) = rest(&emulator, "PUT", &path, Some(json!({ "tags": with_duplicates }))).await;
    assert_eq!((status, body["tags"].as_array().unwrap().len()), (200, 50));
    let mut fifty_one = fifty.clone();
    fifty_one.push("t50".into());
    assert_eq!(
        rest(&emulator, "PUT", &path, Some(json!({ "tags": fifty_one }))).await,
        (400, json!({"tags": ["A file can have at most 50 tags."]}))
    );
    assert_eq!(
        rest(&emulator, "PATCH", &path, Some(json!({"add": ["one-more"]}))).await,
        (400, json!({"add": ["A file can have at most 50 tags."]}))
    );
    // Deleting one first makes room (delete runs before add).
    let (status, body) = rest(
        &emulator,
        "PATCH",
        &path,
        Some(json!({"delete": ["t0"], "add": ["one-more"]})),
    )
    .await;
    assert_eq!(
        (status, &body["added"], &body["deleted"]),
        (200, &json!(["one-more"]), &json!(["t0"]))
    );
    put_tags(&emulator, uuid, &["keep"]).await;

    let long = "a".repeat(100);
    assert_eq!(
        put_tags(&emulator, uuid, &[&long, "keep"]).await["tags"],
        json!([long, "keep"])
    );
    put_tags(&emulator, uuid, &["keep"]).await;
    let too_long = "b".repeat(101);
    assert_eq!(
        rest(&emulator, "PUT", &path, Some(json!({"tags": ["ok", too_long]}))).await,
        (
            400,
            json!({"tags": [format!("Tag `{too_long}` is longer than 100 characters.")]})
        )
    );
    for bad in ["two words", "naïve", "c++", "me@home", "a/b", "日本"] {
        let message = format!("Tag `{bad}` may contain only Latin letters, digits, `-`, `_` and `.`.");
        assert_eq!(
            rest(&emulator, "PUT", &path, Some(json!({"tags": ["ok", bad]}))).await,
            (400, json!({ "tags": [message.clone()] })),
            "{bad}"
        );
        assert_eq!(
            rest(&emulator, "PATCH", &path, Some(json!({"add": [bad]}))).await,
            (400, json!({ "add": [message] })),
            "{bad}"
        );
    }
    assert_eq!(
        put_tags(&emulator, uuid, &["Ok.v1_2-3", "keep"]).await["tags"],
        json!(["ok.v1_2-3", "keep"]),
        "letters, digits, - _ . are allowed"
    );
    put_tags(&emulator, uuid, &["keep"]).await;

    // Shapes.
    assert_eq!(
        rest(&emulator, "PUT", &path, Some(json!({}))).await,
        (400, json!({"tags": ["This field is required."]}))
    );
    assert_eq!(
        rest(&emulator, "PUT", &path, Some(json!({"tags": "cat"}))).await,
        (
            400,
            json!({"tags": ["Expected a list of items but got type \"str\"."]})
        )
    );
    assert_eq!(
        rest(&emulator, "PATCH", &path, Some(json!({"delete": [1]}))).await,
        (400, json!({"delete": ["Not a valid string."]}))
    );
    assert_eq!(
        rest(&emulator, "PUT", &path, Some(json!(["cat"]))).await,
        (
            400,
            json!({"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]})
        )
    );
    assert_eq!(
        rest_raw(&emulator, "0.7", "PUT", &path, b"{not json".to_vec()).await,
        (400, json!({"detail": "Expected JSON object."}))
    );
    assert_eq!(
        emulator.state().file(uuid).unwrap().tags,
        ["keep"],
        "refused requests change nothing"
    );

    // Unknown, removed or malformed files.
    for missing in [Uuid::new_v4().to_string(), "not-a-uuid".to_owned()] {
        let path = format!("/files/{missing}/tags/");
        for (method, body) in [
            ("GET", None),
            ("PUT", Some(json!({"tags": []}))),
            ("PATCH", Some(json!({}))),
        ] {
            assert_eq!(
                rest(&emulator, method, &path, body).await,
                (404, json!({"detail": "Not found."})),
                "{method} {path}"
            );
        }
    }
    rest(&emulator, "DELETE", &format!("/files/{uuid}/storage/"), None).await;
    assert_eq!(
        rest(&emulator, "GET", &path, None).await,
        (404, json!({"detail": "Not found."}))
    );
    assert_eq!(
        rest(&emulator, "PUT", &path, Some(json!({"tags": ["x"]}))).await,
        (404, json!({"detail": "Not found."}))
    );
}

#[tokio::test]
async fn patch_deletes_first_then_adds_and_announces_changes() {
    let emulator = start().await;
    let receiver = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let target = format!("http://{}/hook", receiver.local_addr().unwrap());
    tokio::spawn(async move {
        let app = axum::Router::new().route("/hook", axum::routing::post(|| async { "ok" }));
        axum::serve(receiver, app).await.unwrap();
    });
    let (status, _) = rest(
        &emulator,
        "POST",
        "/webhooks/",
        Some(json!({"target_url": target, "event": "file.info_updated"})),
    )
    .await;
    assert_eq!(status, 201);

    let uuid = emulator.state().add_file("a.txt", "text/plain", "a", Some(true));
    let path = format!("/files/{uuid}/tags/");
    put_tags(&emulator, uuid, &["a", "b", "c"]).await;

    let (status, body) = rest(
        &emulator,
        "PATCH",
        &path,
        Some(json!({"add": ["D", "a"], "delete": ["b", "x"]})),
    )
    .await;
    assert_eq!(
        (status, body),
        (
            200,
            json!({"tags": ["a", "c", "d"], "added": ["d"], "deleted": ["b"]})
        ),
        "present tags are not added again, absent ones are not deleted"
    );
    // Removed and re-added in one call: it moves to the end, and is no change in added/deleted.
    let (_, body) = rest(
        &emulator,
        "PATCH",
        &path,
        Some(json!({"delete": ["a"], "add": ["A"]})),
    )
    .await;
    assert_eq!(body, json!({"tags": ["c", "d", "a"], "added": [], "deleted": []}));
    // Both lists default to empty.
    let (_, body) = rest(&emulator, "PATCH", &path, Some(json!({}))).await;
    assert_eq!(body, json!({"tags": ["c", "d", "a"], "added": [], "deleted": []}));
    let (_, body) = rest(&emulator, "PATCH", &path, Some(json!({"delete": [" C "]}))).await;
    assert_eq!(body, json!({"tags": ["d", "a"], "added": [], "deleted": ["c"]}));

    // file.info_updated for each change (the PUT, three PATCHes; not the empty one), with the
    // previous tags.
    let deliveries = emulator
        .state()
        .wait_for_deliveries(4, Duration::from_secs(5))
        .await;
    assert_eq!(deliveries.len(), 4, "{deliveries:?}");
    let last: Value = serde_json::from_str(&deliveries[3].body).unwrap();
    assert_eq!(last["hook"]["event"], "file.info_updated");
    assert_eq!(last["data"]["tags"], json!(["d", "a"]));
    assert_eq!(last["previous_values"]["tags"], json!(["c", "d", "a"]));
    assert_eq!(last["previous_values"]["metadata"], json!({}));
    let first: Value = serde_json::from_str(&deliveries[0].body).unwrap();
    assert_eq!(first["previous_values"]["tags"], json!([]));
    assert_eq!(first["data"]["tags"], json!(["a", "b", "c"]));
}

// ---------------------------------------------------------------------------------------
// Tags at upload time.
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn uploads_take_tags_as_a_comma_separated_field() {
    let emulator = start().await;

    // Direct upload.
    let form = base_form(&emulator)
        .text("tags", "Cat, animal,,cute,CAT")
        .part("file", file_part("kitten.txt", b"meow".to_vec()));
    let (status, answer) = upload_post(&emulator, "/base/?jsonerrors=1", form).await;
    assert_eq!(status, 200, "{answer}");
    let uuid: Uuid = answer["file"].as_str().unwrap().parse().unwrap();
    assert_eq!(
        emulator.state().file(uuid).unwrap().tags,
        ["cat", "animal", "cute"]
    );
    let (_, info) = rest(&emulator, "GET", &format!("/files/{uuid}/"), None).await;
    assert_eq!(info["tags"], json!(["cat", "animal", "cute"]));

    // No field: no tags.
    let form = base_form(&emulator).part("file", file_part("plain.txt", b"x".to_vec()));
    let (_, answer) = upload_post(&emulator, "/base/", form).await;
    let plain: Uuid = answer["file"].as_str().unwrap().parse().unwrap();
    assert!(emulator.state().file(plain).unwrap().tags.is_empty());

    // Refused: nothing is uploaded, in the JSON and in the text layout.
    let before = emulator.state().file_uuids().len();
    let form = base_form(&emulator)
        .text("tags", "ok,not ok")
        .part("file", file_part("x.txt", b"x".to_vec()));
    assert_eq!(
        upload_post(&emulator, "/base/?jsonerrors=1", form).await,
        upload_error(
            400,
            "FileTagForbiddenError",
            "File's tag `not ok` contains symbols not allowed by the tag format."
        )
    );
    let long = "x".repeat(101);
    let form = base_form(&emulator)
        .text("tags", long.clone())
        .part("file", file_part("x.txt", b"x".to_vec()));
    assert_eq!(
        upload_post(&emulator, "/base/", form).await,
        (
            400,
            json!(format!(
                "Length of file tag `{long}` can not be more than 100 symbols."
            ))
        )
    );
    let many: Vec<String> = (0..51).map(|i| format!("t{i}")).collect();
    let form = base_form(&emulator)
        .text("tags", many.join(","))
        .part("file", file_part("x.txt", b"x".to_vec()));
    assert_eq!(
        upload_post(&emulator, "/base/?jsonerrors=1", form).await,
        upload_error(
            400,
            "FileTagsNumberTooBigError",
            "A file can not have more than 50 tags."
        )
    );
    assert_eq!(
        emulator.state().file_uuids().len(),
        before,
        "refused uploads store nothing"
    );

    // Multipart: the tags of the start are the file's when it completes.
    let size = 10_485_760usize;
    let part_size = 5_242_880usize;
    let form = base_form(&emulator)
        .text("filename", "big.bin")
        .text("size", size.to_string())
        .text("content_type", "application/octet-stream")
        .text("tags", "Big,binary");
    let (status, started) = upload_post(&emulator, "/multipart/start/?jsonerrors=1", form).await;
    assert_eq!(status, 200, "{started}");
    let big: Uuid = started["uuid"].as_str().unwrap().parse().unwrap();
    let client = reqwest::Client::new();
    for url in started["parts"].as_array().unwrap() {
        let response = client
            .put(url.as_str().unwrap())
            .header("content-type", "application/octet-stream")
            .body(vec![7u8; part_size])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
    }
    assert!(
        emulator.state().file(big).is_none(),
        "not a file before completion"
    );
    let form = base_form(&emulator).text("uuid", big.to_string());
    let (status, _) = upload_post(&emulator, "/multipart/complete/?jsonerrors=1", form).await;
    assert_eq!(status, 200);
    assert_eq!(emulator.state().file(big).unwrap().tags, ["big", "binary"]);
    let form = base_form(&emulator)
        .text("filename", "big.bin")
        .text("size", size.to_string())
        .text("content_type", "application/octet-stream")
        .text("tags", "b@d");
    assert_eq!(
        upload_post(&emulator, "/multipart/start/?jsonerrors=1", form).await,
        upload_error(
            400,
            "FileTagForbiddenError",
            "File's tag `b@d` contains symbols not allowed by the tag format."
        )
    );
    assert!(
        emulator.state().lock().uploads.multipart.is_empty(),
        "no upload was started"
    );

    // From URL (what the JS upload client sends).
    let form = reqwest::multipart::Form::new()
        .text("pub_key", emulator.public_key().to_owned())
        .text("source_url", "https://example.com/photo.jpg")
        .text("tags", "Remote,url");
    let (status, answer) = upload_post(&emulator, "/from_url/?jsonerrors=1", form).await;
    assert_eq!(status, 200, "{answer}");
    let token = answer["token"].as_str().unwrap().to_owned();
    let fetched = loop {
        let response = client
            .get(format!(
                "{}/from_url/status/?token={token}",
                emulator.upload_base_url()
            ))
            .send()
            .await
            .unwrap();
        let body: Value = response.json().await.unwrap();
        if body["status"] == "success" {
            break body["uuid"].as_str().unwrap().parse::<Uuid>().unwrap();
        }
        assert_ne!(body["status"], "error", "{body}");
    };
    assert_eq!(emulator.state().file(fetched).unwrap().tags, ["remote", "url"]);
    let form = reqwest::multipart::Form::new()
        .text("pub_key", emulator.public_key().to_owned())
        .text("source_url", "https://example.com/photo.jpg")
        .text("tags", "bad tag");
    assert_eq!(
        upload_post(&emulator, "/from_url/?jsonerrors=1", form).await,
        upload_error(
            400,
            "FileTagForbiddenError",
            "File's tag `bad tag` contains symbols not allowed by the tag format."
        )
    );
}

// ---------------------------------------------------------------------------------------
// Search.
// ---------------------------------------------------------------------------------------

/// Seeded files: uploaded in this order, so upload times increase.
struct Library {
    sunset: Uuid,
    beach: Uuid,
    report: Uuid,
    notes: Uuid,
    removed: Uuid,
}

/// Five files with names, types, sizes, metadata and tags to search through.
async fn library(emulator: &Emulator) -> Library {
    let state = emulator.state();
    let sunset = state.add_file("Sunset-Beach.png", "image/png", png(640, 480), Some(true));
    let beach = state.add_file(
        "beach-party.gif",
        "image/gif",
        b"GIF89a\x02\x00\x03\x00".to_vec(),
        Some(true),
    );
    let report = state.add_file(
        "Annual report.pdf",
        "application/pdf",
        vec![b'r'; 3000],
        Some(true),
    );
    let notes = state.add_file("notes.txt", "text/plain", vec![b'n'; 10], Some(false));
    let removed = state.add_file("sunset-old.png", "image/png", png(1, 1), Some(true));
    put_tags(emulator, sunset, &["summer", "sea", "photo"]).await;
    put_tags(emulator, beach, &["summer", "party"]).await;
    put_tags(emulator, report, &["work", "finance"]).await;
    put_tags(emulator, removed, &["summer"]).await;
    put_metadata(emulator, sunset, "camera", "Nikon Z6").await;
    put_metadata(emulator, sunset, "place", "Malibu beach").await;
    put_metadata(emulator, report, "department", "Finance").await;
    put_metadata(emulator, notes, "subject", "Sunsets I liked").await;
    rest(emulator, "DELETE", &format!("/files/{removed}/storage/"), None).await;
    Library {
        sunset,
        beach,
        report,
        notes,
        removed,
    }
}

#[tokio::test]
async fn every_condition_alone() {
    let emulator = start().await;
    let l = library(&emulator).await;
    let sorted = |mut v: Vec<Uuid>| {
        v.sort();
        v
    };
    let set = |v: &[Uuid]| sorted(v.to_vec());

    // query: file name, metadata values and MIME type, case-insensitive, inside words; the
    // removed file is never found.
    assert_eq!(
        sorted(found(&emulator, json!({"query": "SUNSET"})).await),
        set(&[l.sunset, l.notes])
    );
    assert_eq!(found(&emulator, json!({"query": "nikon"})).await, [l.sunset]);
    assert_eq!(
        found(&emulator, json!({"query": "application"})).await,
        [l.report]
    );
    assert_eq!(
        found(&emulator, json!({"query": "nual"})).await,
        [l.report],
        "inside a word"
    );
    assert_eq!(
        found(&emulator, json!({"query": l.beach.to_string()})).await,
        [l.beach],
        "a UUID"
    );
    assert_eq!(
        found(&emulator, json!({"query": "beach malibu"})).await,
        [l.sunset],
        "every term, each in any field"
    );
    assert!(found(&emulator, json!({"query": "nothing-like-this"}))
        .await
        .is_empty());

    // phrase, per field.
    assert_eq!(
        sorted(found(&emulator, json!({"phrase": {"original_filename": "beach"}})).await),
        set(&[l.sunset, l.beach])
    );
    assert_eq!(
        found(&emulator, json!({"phrase": {"original_filename": "beach party"}})).await,
        Vec::<Uuid>::new(),
        "the whole phrase, not its words"
    );
    assert_eq!(
        found(&emulator, json!({"phrase": {"original_filename": "beach-party"}})).await,
        [l.beach]
    );
    assert_eq!(
        found(&emulator, json!({"phrase": {"detected_mime_type": "IMAGE/G"}})).await,
        [l.beach]
    );
    assert_eq!(
        found(&emulator, json!({"phrase": {"metadata": "malibu"}})).await,
        [l.sunset]
    );

    // exact: whole values, OR within the list, metadata per key.
    assert_eq!(
        sorted(
            found(
                &emulator,
                json!({"exact": {"uuid": [l.report.to_string(), l.notes.to_string(), l.removed.to_string()]}})
            )
            .await
        ),
        set(&[l.report, l.notes])
    );
    assert_eq!(
        sorted(
            found(
                &emulator,
                json!({"exact": {"detected_mime_type": ["image/png", "TEXT/PLAIN"]}})
            )
            .await
        ),
        set(&[l.sunset, l.notes])
    );
    assert_eq!(
        found(
            &emulator,
            json!({"exact": {"original_filename": ["notes.txt", "Notes.TXT"]}})
        )
        .await,
        [l.notes]
    );
    assert!(
        found(&emulator, json!({"exact": {"original_filename": ["notes"]}}))
            .await
            .is_empty()
    );
    assert_eq!(
        found(
            &emulator,
            json!({"exact": {"metadata[camera]": ["Nikon Z6", "Canon"]}})
        )
        .await,
        [l.sunset]
    );
    assert!(
        found(&emulator, json!({"exact": {"metadata[camera]": ["nikon z6"]}}))
            .await
            .is_empty()
    );

    // Ranges.
    assert_eq!(found(&emulator, json!({"size": {"gt": 2999}})).await, [l.report]);
    assert_eq!(
        found(&emulator, json!({"size": {"gte": 3000, "lte": 3000}})).await,
        [l.report]
    );
    assert_eq!(
        sorted(found(&emulator, json!({"size": {"lt": 30}})).await),
        set(&[l.beach, l.notes, l.sunset])
    );
    let uploaded = |uuid: Uuid| emulator.state().file(uuid).unwrap().uploaded;
    let at = |uuid: Uuid| uploaded(uuid).to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    assert_eq!(
        sorted(
            found(
                &emulator,
                json!({"datetime_uploaded": {"gte": at(l.beach), "lt": at(l.notes)}})
            )
            .await
        ),
        set(&[l.beach, l.report])
    );
    assert_eq!(
        found(&emulator, json!({"datetime_uploaded": {"gt": at(l.report)}})).await,
        [l.notes]
    );
    assert_eq!(
        found(&emulator, json!({"datetime_uploaded": {"lte": at(l.sunset)}})).await,
        [l.sunset]
    );

    // is_image, both ways.
    assert_eq!(
        sorted(found(&emulator, json!({"is_image": true})).await),
        set(&[l.sunset, l.beach])
    );
    assert_eq!(
        sorted(found(&emulator, json!({"is_image": false})).await),
        set(&[l.report, l.notes])
    );

    // tags: any (OR), all, none; normalized before matching.
    assert_eq!(
        sorted(found(&emulator, json!({"tags": {"any": ["PARTY", "work"]}})).await),
        set(&[l.beach, l.report])
    );
    assert_eq!(
        found(&emulator, json!({"tags": {"all": ["summer", " Sea "]}})).await,
        [l.sunset]
    );
    assert_eq!(
        sorted(found(&emulator, json!({"tags": {"none": ["summer"]}})).await),
        set(&[l.report, l.notes])
    );

    // fuzziness: one edit away.
    assert!(found(&emulator, json!({"query": "sumset"})).await.is_empty());
    assert_eq!(
        sorted(found(&emulator, json!({"query": "sumset", "fuzziness": true})).await),
        set(&[l.sunset, l.notes])
    );
    assert_eq!(
        found(
            &emulator,
            json!({"phrase": {"metadata": "nicon"}, "fuzziness": true})
        )
        .await,
        [l.sunset]
    );
    assert!(found(&emulator, json!({"query": "xyzsumset", "fuzziness": true}))
        .await
        .is_empty());
}

#[tokio::test]
async fn conditions_combine_with_and() {
    let emulator = start().await;
    let l = library(&emulator).await;
    assert_eq!(
        found(
            &emulator,
            json!({"tags": {"all": ["summer"]}, "is_image": true, "size": {"gt": 20}})
        )
        .await,
        [l.sunset]
    );
    assert_eq!(
        found(&emulator, json!({"query": "beach", "tags": {"none": ["sea"]}})).await,
        [l.beach]
    );
    assert_eq!(
        found(
            &emulator,
            json!({"exact": {"detected_mime_type": ["image/png", "image/gif", "application/pdf"]}, "tags": {"any": ["work", "party"]}, "is_image": false})
        )
        .await,
        [l.report]
    );
    assert!(found(
        &emulator,
        json!({"query": "sunset", "is_image": false, "tags": {"any": ["summer"]}})
    )
    .await
    .is_empty());
    assert_eq!(
        found(
            &emulator,
            json!({"phrase": {"original_filename": "beach", "metadata": "beach"}})
        )
        .await,
        [l.sunset],
        "every phrase field must match"
    );
    assert!(found(
        &emulator,
        json!({"phrase": {"original_filename": "notes", "metadata": "beach"}})
    )
    .await
    .is_empty());
}

#[tokio::test]
async fn results_are_file_objects_with_highlights() {
    let emulator = start().await;
    let l = library(&emulator).await;

    let (status, answer) = search(&emulator, "", json!({"query": "beach"})).await;
    assert_eq!(status, 200);
    assert_eq!(
        (answer["total"].clone(), answer["per_page"].clone()),
        (json!(2), json!(20))
    );
    assert_eq!(
        (answer["next"].clone(), answer["previous"].clone()),
        (Value::Null, Value::Null)
    );
    // Relevance: the name and a metadata value (3 + 2) beat the name alone (3).
    assert_eq!(uuids(&answer), [l.sunset, l.beach]);
    let first = &answer["results"][0];
    assert_eq!(
        first["highlight"],
        json!({
            "original_filename": ["Sunset-<em>Beach</em>.png"],
            "metadata": {"place": ["Malibu <em>beach</em>"]},
        })
    );
    // Otherwise exactly the file object of file info.
    let (_, info) = rest(&emulator, "GET", &format!("/files/{}/", l.sunset), None).await;
    let mut without = first.clone();
    without.as_object_mut().unwrap().remove("highlight");
    assert_eq!(without, info);
    assert_eq!(first["tags"], json!(["summer", "sea", "photo"]));
    assert_eq!(
        answer["results"][1]["highlight"],
        json!({"original_filename": ["<em>beach</em>-party.gif"]})
    );

    let (_, answer) = search(&emulator, "", json!({"query": "image png"})).await;
    assert_eq!(uuids(&answer), [l.sunset]);
    assert_eq!(
        answer["results"][0]["highlight"],
        json!({
            "original_filename": ["Sunset-Beach.<em>png</em>"],
            "detected_mime_type": ["<em>image</em>/<em>png</em>"],
        })
    );
    let (_, answer) = search(&emulator, "", json!({"phrase": {"metadata": "sunsets i"}})).await;
    assert_eq!(
        answer["results"][0]["highlight"],
        json!({"metadata": {"subject": ["<em>Sunsets I</em> liked"]}})
    );

    // Filters alone highlight nothing; include=appdata adds appdata.
    let (_, answer) = search(&emulator, "include=appdata", json!({"tags": {"any": ["work"]}})).await;
    let result = &answer["results"][0];
    assert!(result.get("highlight").is_none(), "{result}");
    assert_eq!(result["appdata"], json!({}));
    let (_, answer) = search(&emulator, "", json!({"tags": {"any": ["work"]}})).await;
    assert!(answer["results"][0].get("appdata").is_none());
}

#[tokio::test]
async fn sorting_by_every_key_both_ways_and_by_several() {
    let emulator = start().await;
    let state = emulator.state();
    // Names and sizes in different orders than upload times.
    let b = state.add_file("b.txt", "text/plain", vec![0u8; 30], None);
    let a = state.add_file("A.txt", "text/plain", vec![0u8; 10], None);
    let c = state.add_file("c.txt", "text/plain", vec![0u8; 20], None);
    let d = state.add_file("d.txt", "text/plain", vec![0u8; 10], None);
    let all = json!({"exact": {"detected_mime_type": ["text/plain"]}});
    let sort = |keys: Value| {
        let mut body = all.clone();
        body["sort"] = keys;
        body
    };

    assert_eq!(
        found(&emulator, sort(json!(["datetime_uploaded"]))).await,
        [b, a, c, d]
    );
    assert_eq!(
        found(&emulator, sort(json!(["-datetime_uploaded"]))).await,
        [d, c, a, b]
    );
    assert_eq!(
        found(&emulator, sort(json!(["original_filename"]))).await,
        [a, b, c, d],
        "case-insensitive"
    );
    assert_eq!(
        found(&emulator, sort(json!(["-original_filename"]))).await,
        [d, c, b, a]
    );
    // Ties end newest first.
    assert_eq!(found(&emulator, sort(json!(["size"]))).await, [d, a, c, b]);
    assert_eq!(found(&emulator, sort(json!(["-size"]))).await, [b, c, d, a]);
    assert_eq!(
        found(&emulator, sort(json!(["size", "original_filename"]))).await,
        [a, d, c, b]
    );
    assert_eq!(
        found(&emulator, sort(json!(["size", "datetime_uploaded"]))).await,
        [a, d, c, b]
    );
    assert_eq!(
        found(
            &emulator,
            sort(json!([
                "-score",
                "size",
                "-original_filename",
                "datetime_uploaded"
            ]))
        )
        .await,
        [d, a, c, b],
        "four keys"
    );
    // No full-text condition: every score is 0, so the default (relevance) is newest first.
    assert_eq!(found(&emulator, all.clone()).await, [d, c, a, b]);
    assert_eq!(found(&emulator, sort(json!(["score"]))).await, [d, c, a, b]);

    // score both ways with full text.
    put_metadata(&emulator, b, "note", "a text file").await;
    let body = json!({"query": "text"});
    // b: MIME (1) + metadata (2) = 3; others MIME only (1), newest first.
    assert_eq!(found(&emulator, body.clone()).await, [b, d, c, a]);
    let mut ascending = body.clone();
    ascending["sort"] = json!(["score", "datetime_uploaded"]);
    assert_eq!(found(&emulator, ascending).await, [a, c, d, b]);
    let mut descending = body;
    descending["sort"] = json!(["-score", "original_filename"]);
    assert_eq!(found(&emulator, descending).await, [b, a, c, d]);
}

#[tokio::test]
async fn pages_follow_next_links_up_to_the_ceiling() {
    let emulator = start().await;
    {
        let mut project = emulator.state().lock();
        for i in 0..1005 {
            let uuid = project.add_file(
                &format!("f{i:04}.txt"),
                "text/plain",
                bytes::Bytes::from_static(b"x"),
                None,
            );
            if i % 2 == 0 {
                project.files.get_mut(&uuid).unwrap().tags = vec!["even".into()];
            }
        }
    }
    let base = emulator.rest_base_url().to_owned();
    let body = json!({"size": {"gte": 0}, "sort": ["original_filename"]});

    let (status, page) = search(&emulator, "", body.clone()).await;
    assert_eq!(status, 200);
    assert_eq!(page["total"], 1005);
    assert_eq!(page["per_page"], 20);
    assert_eq!(page["next"], format!("{base}/files/search/?limit=20&offset=20"));
    assert_eq!(page["previous"], Value::Null);
    assert_eq!(page["results"].as_array().unwrap().len(), 20);
    assert_eq!(page["results"][0]["original_filename"], "f0000.txt");

    // Follow next links with limit 100 (and include kept) until they stop.
    let mut uri = "/files/search/?limit=100&include=appdata".to_owned();
    let mut seen = Vec::new();
    let mut pages = 0;
    loop {
        let (status, page) = rest(&emulator, "POST", &uri, Some(body.clone())).await;
        assert_eq!(status, 200, "{uri}: {page}");
        pages += 1;
        for result in page["results"].as_array().unwrap() {
            seen.push(result["original_filename"].as_str().unwrap().to_owned());
            assert!(result.get("appdata").is_some());
        }
        let Some(next) = page["next"].as_str() else {
            assert_eq!(
                page["previous"],
                format!("{base}/files/search/?limit=100&offset=800&include=appdata")
            );
            break;
        };
        uri = next.strip_prefix(&base).unwrap().to_owned();
    }
    assert_eq!(pages, 10, "offsets 0 to 900: the next page would pass 1000");
    assert_eq!(seen.len(), 1000);
    assert_eq!(seen[999], "f0999.txt");

    // The last allowed window, and one past it.
    let (status, page) = search(&emulator, "limit=10&offset=990", body.clone()).await;
    assert_eq!(status, 200);
    assert_eq!(page["next"], Value::Null, "none beyond the 1000 ceiling");
    assert_eq!(
        page["previous"],
        format!("{base}/files/search/?limit=10&offset=980")
    );
    assert_eq!(page["results"][9]["original_filename"], "f0999.txt");
    assert_eq!(
        search(&emulator, "limit=11&offset=990", body.clone()).await,
        (
            400,
            json!({"offset": ["`offset` + `limit` must not exceed 1000."]})
        )
    );
    // An offset past the results is an empty page.
    let (_, page) = search(
        &emulator,
        "limit=5&offset=600",
        json!({"tags": {"all": ["even"]}}),
    )
    .await;
    assert_eq!(
        (page["total"].clone(), page["results"].as_array().unwrap().len()),
        (json!(503), 0)
    );
    assert_eq!(page["next"], Value::Null);
}

#[tokio::test]
async fn invalid_searches_answer_field_keyed_400s() {
    let emulator = start().await;
    emulator.state().add_file("a.txt", "text/plain", "a", None);
    let bad = |body: Value, expected: Value| (body, expected);
    let cases = [
        bad(
            json!({}),
            json!({"non_field_errors": ["At least one search condition is required."]}),
        ),
        bad(
            json!({"sort": ["size"], "fuzziness": true}),
            json!({"non_field_errors": ["At least one search condition is required."]}),
        ),
        bad(
            json!({"query": "abc"}),
            json!({"query": ["Must be at least 4 characters."]}),
        ),
        bad(
            json!({"query": "  abc  "}),
            json!({"query": ["Must be at least 4 characters."]}),
        ),
        bad(json!({"query": 1234}), json!({"query": ["Not a valid string."]})),
        bad(
            json!({"query": null}),
            json!({"query": ["This field may not be null."], "non_field_errors": ["At least one search condition is required."]}),
        ),
        bad(
            json!({"phrase": {"original_filename": "abc"}}),
            json!({"phrase": ["`original_filename` must be at least 4 characters."]}),
        ),
        bad(
            json!({"phrase": {"metadata": 5}}),
            json!({"phrase": ["`metadata` must be a string."]}),
        ),
        bad(
            json!({"phrase": {"uuid": "abcd"}}),
            json!({"phrase": ["Unknown field `uuid`; use `original_filename`, `detected_mime_type` or `metadata`."]}),
        ),
        bad(
            json!({"phrase": {}}),
            json!({"phrase": ["At least one field is required."]}),
        ),
        bad(
            json!({"phrase": {"original_filename": "abcd"}, "exact": {"original_filename": ["abcd"]}}),
            json!({"non_field_errors": ["`original_filename` can not be used in both `phrase` and `exact`."]}),
        ),
        bad(
            json!({"phrase": {"metadata": "abcd"}, "exact": {"metadata[k]": ["abcd"]}}),
            json!({"non_field_errors": ["`metadata` can not be used in both `phrase` and `exact`."]}),
        ),
        bad(
            json!({"exact": {"metadata": {"k": ["v"]}}}),
            json!({"exact": ["Unknown field `metadata`; use `uuid`, `detected_mime_type`, `original_filename` or `metadata[<key>]`."]}),
        ),
        bad(
            json!({"exact": {"original_filename": "a.txt"}}),
            json!({"exact": ["`original_filename` must be a non-empty list of strings."]}),
        ),
        bad(
            json!({"exact": {"uuid": []}}),
            json!({"exact": ["`uuid` must be a non-empty list of strings."]}),
        ),
        bad(
            json!({"exact": {"uuid": ["nope"]}}),
            json!({"exact": ["`uuid` values must be UUIDs; got `nope`."]}),
        ),
        bad(
            json!({"size": {}}),
            json!({"size": ["At least one of `gt`, `gte`, `lt`, `lte` is required."]}),
        ),
        bad(
            json!({"size": {"gt": -1}}),
            json!({"size": ["`gt` must be a non-negative integer."]}),
        ),
        bad(
            json!({"size": {"gte": 10, "lt": 5}}),
            json!({"size": ["The lower bound must be below the upper bound."]}),
        ),
        bad(
            json!({"size": {"gt": 5, "lte": 5}}),
            json!({"size": ["The lower bound must be below the upper bound."]}),
        ),
        bad(
            json!({"size": {"between": [1, 2]}}),
            json!({"size": ["Unknown bound `between`; use `gt`, `gte`, `lt` or `lte`."]}),
        ),
        bad(
            json!({"size": 5}),
            json!({"size": ["Expected a dictionary of items but got type \"int\"."]}),
        ),
        bad(
            json!({"datetime_uploaded": {"gte": "yesterday"}}),
            json!({"datetime_uploaded": ["`gte` must be an ISO 8601 date-time."]}),
        ),
        bad(
            json!({"datetime_uploaded": {"gt": "2026-01-02T00:00:00Z", "lt": "2026-01-01T00:00:00Z"}}),
            json!({"datetime_uploaded": ["The lower bound must be below the upper bound."]}),
        ),
        bad(
            json!({"is_image": "yes"}),
            json!({"is_image": ["Must be a valid boolean."]}),
        ),
        bad(
            json!({"is_image": true, "fuzziness": 1}),
            json!({"fuzziness": ["Must be a valid boolean."]}),
        ),
        bad(
            json!({"tags": {}}),
            json!({"tags": ["At least one of `any`, `all`, `none` is required."]}),
        ),
        bad(
            json!({"tags": {"any": []}}),
            json!({"tags": ["`any` must be a non-empty list of tags."]}),
        ),
        bad(
            json!({"tags": {"all": ["  "]}}),
            json!({"tags": ["`all` must be a non-empty list of tags."]}),
        ),
        bad(
            json!({"tags": {"some": ["x"]}}),
            json!({"tags": ["Unknown key `some`; use `any`, `all` or `none`."]}),
        ),
        bad(
            json!({"is_image": true, "sort": ["name"]}),
            json!({"sort": ["Unknown sort key `name`; use `score`, `datetime_uploaded`, `size` or `original_filename`, optionally prefixed with `-`."]}),
        ),
        bad(
            json!({"is_image": true, "sort": ["--size"]}),
            json!({"sort": ["Unknown sort key `--size`; use `score`, `datetime_uploaded`, `size` or `original_filename`, optionally prefixed with `-`."]}),
        ),
        bad(
            json!({"is_image": true, "sort": ["score", "size", "datetime_uploaded", "original_filename", "-size"]}),
            json!({"sort": ["At most 4 sort keys are allowed."]}),
        ),
        bad(
            json!({"is_image": true, "sort": ["size", "-size"]}),
            json!({"sort": ["Sort key `size` is given more than once."]}),
        ),
        bad(
            json!({"is_image": true, "sort": "size"}),
            json!({"sort": ["Expected a list of items but got type \"str\"."]}),
        ),
        bad(
            json!({"is_image": true, "color": "red"}),
            json!({"color": ["Unknown field."]}),
        ),
        bad(
            json!(["query"]),
            json!({"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]}),
        ),
        // Several problems at once.
        bad(
            json!({"query": "ab", "is_image": 1, "sort": ["nope"]}),
            json!({
                "query": ["Must be at least 4 characters."],
                "is_image": ["Must be a valid boolean."],
                "sort": ["Unknown sort key `nope`; use `score`, `datetime_uploaded`, `size` or `original_filename`, optionally prefixed with `-`."],
            }),
        ),
    ];
    for (body, expected) in cases {
        assert_eq!(
            search(&emulator, "", body.clone()).await,
            (400, expected),
            "{body}"
        );
    }

    // Query parameters.
    let ok = json!({"is_image": false});
    let params = [
        (
            "limit=0",
            json!({"limit": ["Ensure this value is greater than or equal to 1."]}),
        ),
        (
            "limit=101",
            json!({"limit": ["Ensure this value is less than or equal to 100."]}),
        ),
        ("limit=ten", json!({"limit": ["A valid integer is required."]})),
        (
            "offset=-1",
            json!({"offset": ["Ensure this value is greater than or equal to 0."]}),
        ),
        ("offset=x", json!({"offset": ["A valid integer is required."]})),
        (
            "limit=100&offset=901",
            json!({"offset": ["`offset` + `limit` must not exceed 1000."]}),
        ),
        (
            "offset=981",
            json!({"offset": ["`offset` + `limit` must not exceed 1000."]}),
        ),
        (
            "include=rekognition_info",
            json!({"include": ["Unknown value `rekognition_info`; only `appdata` is supported."]}),
        ),
    ];
    for (query, expected) in params {
        assert_eq!(
            search(&emulator, query, ok.clone()).await,
            (400, expected),
            "{query}"
        );
    }
    let (status, page) = search(&emulator, "limit=100&offset=900", ok.clone()).await;
    assert_eq!(
        (status, page["per_page"].clone()),
        (200, json!(100)),
        "offset + limit = 1000 is allowed"
    );

    // Bodies that are not JSON are refused like on the other JSON endpoints; an empty body is
    // a search without conditions.
    assert_eq!(
        rest_raw(&emulator, "0.7", "POST", "/files/search/", b"{query".to_vec()).await,
        (400, json!({"detail": "Expected JSON object."}))
    );
    assert_eq!(
        rest_raw(&emulator, "0.7", "POST", "/files/search/", Vec::new()).await,
        (
            400,
            json!({"non_field_errors": ["At least one search condition is required."]})
        )
    );
}

#[tokio::test]
async fn the_search_route_is_its_own() {
    let emulator = start().await;
    let uuid = emulator.state().add_file("a.txt", "text/plain", "a", None);
    // 0.7: POST searches, other methods are not allowed (no longer file info of "search").
    let (status, _) = search(&emulator, "", json!({"is_image": false})).await;
    assert_eq!(status, 200);
    assert_eq!(
        rest(&emulator, "GET", "/files/search/", None).await,
        (405, json!({"detail": "Method \"GET\" not allowed."}))
    );
    // Before 0.7 there is no search: what the emulator answered before it existed.
    for version in ["0.5", "0.6"] {
        assert_eq!(
            rest_in(
                &emulator,
                version,
                "POST",
                "/files/search/",
                Some(&json!({"is_image": false}))
            )
            .await,
            (404, Value::Null),
            "{version}"
        );
        assert_eq!(
            rest_in(&emulator, version, "GET", "/files/search/", None).await,
            (404, json!({"detail": "Not found."})),
            "{version}"
        );
    }
    // File info still works next to it.
    let (status, info) = rest(&emulator, "GET", &format!("/files/{uuid}/"), None).await;
    assert_eq!(
        (status, info["uuid"].as_str()),
        (200, Some(uuid.to_string().as_str()))
    );
    // Search needs the same authentication as every REST route.
    let response = reqwest::Client::new()
        .post(format!("{}/files/search/", emulator.rest_base_url()))
        .header("accept", "application/vnd.uploadcare-v0.7+json")
        .header("content-type", "application/json")
        .body(json!({"is_image": false}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
}

#[tokio::test]
async fn changes_reach_search_after_the_index_delay() {
    let delay = Duration::from_millis(400);
    let emulator = Emulator::builder()
        .search_index_delay(delay)
        .start()
        .await
        .expect("the emulator starts");

    // A new upload is not found at once.
    let form = base_form(&emulator)
        .text("tags", "fresh")
        .part("file", file_part("fresh.txt", b"new".to_vec()));
    let (_, answer) = upload_post(&emulator, "/base/", form).await;
    let uuid: Uuid = answer["file"].as_str().unwrap().parse().unwrap();
    let by_tag = |tag: &str| json!({"tags": {"any": [tag]}});
    assert!(
        found(&emulator, by_tag("fresh")).await.is_empty(),
        "not indexed yet"
    );
    let (_, info) = rest(&emulator, "GET", &format!("/files/{uuid}/"), None).await;
    assert_eq!(info["tags"], json!(["fresh"]), "file info is immediate");
    tokio::time::sleep(delay + Duration::from_millis(100)).await;
    assert_eq!(found(&emulator, by_tag("fresh")).await, [uuid]);

    // A tag change: the old tags match until the change is indexed; results show the file as
    // it is now.
    put_tags(&emulator, uuid, &["changed"]).await;
    let (_, answer) = search(&emulator, "", by_tag("fresh")).await;
    assert_eq!(uuids(&answer), [uuid]);
    assert_eq!(answer["results"][0]["tags"], json!(["changed"]));
    assert!(found(&emulator, by_tag("changed")).await.is_empty());
    tokio::time::sleep(delay + Duration::from_millis(100)).await;
    assert!(found(&emulator, by_tag("fresh")).await.is_empty());
    assert_eq!(found(&emulator, by_tag("changed")).await, [uuid]);

    // Metadata too, and removal.
    put_metadata(&emulator, uuid, "color", "turquoise").await;
    assert!(found(&emulator, json!({"query": "turquoise"})).await.is_empty());
    tokio::time::sleep(delay + Duration::from_millis(100)).await;
    assert_eq!(found(&emulator, json!({"query": "turquoise"})).await, [uuid]);
    rest(&emulator, "DELETE", &format!("/files/{uuid}/storage/"), None).await;
    assert_eq!(
        found(&emulator, by_tag("changed")).await,
        [uuid],
        "still in the index"
    );
    tokio::time::sleep(delay + Duration::from_millis(100)).await;
    assert!(found(&emulator, by_tag("changed")).await.is_empty());

    // Without the setting, everything is immediate.
    let immediate = start().await;
    let uuid = immediate.state().add_file("now.txt", "text/plain", "x", None);
    put_tags(&immediate, uuid, &["now"]).await;
    assert_eq!(found(&immediate, by_tag("now")).await, [uuid]);
}

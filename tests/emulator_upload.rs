//! The emulator's Upload API, driven with plain `reqwest` (the crate has no Upload API client
//! yet): direct, multipart and from-URL uploads, file info, groups, errors in both layouts,
//! signed uploads. Everything runs on 127.0.0.1; nothing sleeps.

use hmac::{KeyInit, Mac};
use md5::Digest;
use serde_json::{json, Value};
use uploadcare_emulator::Emulator;
use uuid::Uuid;

const BOUNDARY: &str = "uploadcare-emulator-test-boundary-7MA4YWxkTrZu0gW";

/// A `multipart/form-data` part.
enum Part<'a> {
    Field(&'a str, &'a str),
    File {
        name: &'a str,
        filename: &'a str,
        content_type: &'a str,
        data: &'a [u8],
    },
}

/// A `multipart/form-data` body built by hand (reqwest's `multipart` feature is off).
fn multipart_body(parts: &[Part]) -> Vec<u8> {
    let mut body = Vec::new();
    for part in parts {
        body.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        match part {
            Part::Field(name, value) => {
                body.extend_from_slice(
                    format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
                );
                body.extend_from_slice(value.as_bytes());
            }
            Part::File {
                name,
                filename,
                content_type,
                data,
            } => {
                body.extend_from_slice(
                    format!(
                        "Content-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\n\
                         Content-Type: {content_type}\r\n\r\n"
                    )
                    .as_bytes(),
                );
                body.extend_from_slice(data);
            }
        }
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

/// What came back.
#[derive(Debug)]
struct Answer {
    status: u16,
    content_type: String,
    body: String,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    /// Asserts a default-layout (text/plain) error.
    fn assert_error(&self, status: u16, message: &str) {
        assert_eq!((self.status, self.body.as_str()), (status, message), "{self:?}");
        assert!(self.content_type.starts_with("text/plain"), "{self:?}");
    }
}

struct Api {
    client: reqwest::Client,
    base: String,
}

impl Api {
    fn new(emulator: &Emulator) -> Self {
        let client = reqwest::Client::builder().no_proxy().build().expect("a client");
        Self {
            client,
            base: emulator.upload_base_url().to_owned(),
        }
    }

    async fn answer(response: reqwest::Response) -> Answer {
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let body = response.text().await.expect("a body");
        Answer {
            status,
            content_type,
            body,
        }
    }

    async fn multipart(&self, path: &str, parts: &[Part<'_>]) -> Answer {
        let response = self
            .client
            .post(format!("{}{path}", self.base))
            .header(
                "content-type",
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .body(multipart_body(parts))
            .send()
            .await
            .expect("sent");
        Self::answer(response).await
    }

    async fn form(&self, path: &str, pairs: &[(&str, &str)]) -> Answer {
        let response = self
            .client
            .post(format!("{}{path}", self.base))
            .form(pairs)
            .send()
            .await
            .expect("sent");
        Self::answer(response).await
    }

    async fn get(&self, path: &str, query: &[(&str, &str)]) -> Answer {
        let response = self
            .client
            .get(format!("{}{path}", self.base))
            .query(query)
            .send()
            .await
            .expect("sent");
        Self::answer(response).await
    }

    async fn put(&self, url: &str, data: Vec<u8>) -> Answer {
        let response = self
            .client
            .put(url)
            .header("content-type", "application/octet-stream")
            .body(data)
            .send()
            .await
            .expect("sent");
        Self::answer(response).await
    }

    async fn cdn_bytes(&self, url: &str) -> (u16, Vec<u8>) {
        let response = self.client.get(url).send().await.expect("sent");
        let status = response.status().as_u16();
        (status, response.bytes().await.expect("bytes").to_vec())
    }
}

/// Deterministic pseudo-random bytes.
fn test_bytes(len: usize, seed: u32) -> Vec<u8> {
    let mut x = seed.wrapping_mul(2_654_435_761).wrapping_add(1);
    (0..len)
        .map(|_| {
            x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (x >> 24) as u8
        })
        .collect()
}

fn md5_hex(data: &[u8]) -> String {
    hex::encode(md5::Md5::digest(data))
}

fn uuid_of(value: &Value) -> Uuid {
    value
        .as_str()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("not a UUID: {value}"))
}

#[tokio::test]
async fn direct_upload_keeps_bytes_store_flags_and_metadata() {
    let emulator = Emulator::start().await.unwrap();
    let api = Api::new(&emulator);
    let pk = emulator.public_key().to_owned();
    let first = test_bytes(3000, 1);
    let second = b"second file".to_vec();

    // Two file parts, store=0, metadata: the answer maps field names (not filenames) to UUIDs.
    let answer = api
        .multipart(
            "/base/",
            &[
                Part::Field("UPLOADCARE_PUB_KEY", &pk),
                Part::Field("UPLOADCARE_STORE", "0"),
                Part::Field("metadata[subsystem]", "uploader"),
                Part::Field("metadata[pet]", "cat"),
                Part::File {
                    name: "file851.bin",
                    filename: "sample1.bin",
                    content_type: "application/octet-stream",
                    data: &first,
                },
                Part::File {
                    name: "other",
                    filename: "notes.txt",
                    content_type: "text/plain",
                    data: &second,
                },
            ],
        )
        .await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert!(answer.content_type.starts_with("application/json"));
    let body = answer.json();
    let keys: Vec<&String> = body.as_object().unwrap().keys().collect();
    assert_eq!(keys.len(), 2, "{body}");
    let uuid = uuid_of(&body["file851.bin"]);
    let other = uuid_of(&body["other"]);

    let file = emulator.state().file(uuid).expect("the file exists");
    assert_eq!(file.filename, "sample1.bin");
    assert!(file.stored.is_none(), "store=0 leaves the file temporary");
    assert!(file.ready);
    assert_eq!(
        file.metadata.get("subsystem").map(String::as_str),
        Some("uploader")
    );
    assert_eq!(file.metadata.get("pet").map(String::as_str), Some("cat"));
    assert_eq!(&file.data[..], &first[..]);
    let other_file = emulator.state().file(other).unwrap();
    assert_eq!(other_file.mime_type, "text/plain");
    assert_eq!(
        other_file.metadata.len(),
        2,
        "metadata applies to every file of the request"
    );

    // The bytes come back intact through the CDN.
    let (status, cdn) = api
        .cdn_bytes(&format!("{}/{uuid}/", emulator.cdn_base_url()))
        .await;
    assert_eq!(status, 200);
    assert_eq!(md5_hex(&cdn), md5_hex(&first));

    // store=1 stores; store=auto follows the project's autostore (on by default).
    for (flag, stored) in [("1", true), ("auto", true)] {
        let answer = api
            .multipart(
                "/base/",
                &[
                    Part::Field("UPLOADCARE_PUB_KEY", &pk),
                    Part::Field("UPLOADCARE_STORE", flag),
                    Part::File {
                        name: "f",
                        filename: "f.txt",
                        content_type: "text/plain",
                        data: b"x",
                    },
                ],
            )
            .await;
        assert_eq!(answer.status, 200, "{answer:?}");
        let uuid = uuid_of(&answer.json()["f"]);
        assert_eq!(
            emulator.state().file(uuid).unwrap().stored.is_some(),
            stored,
            "store={flag}"
        );
    }

    // With autostore off, auto means temporary.
    let no_autostore = Emulator::builder().autostore(false).start().await.unwrap();
    let api2 = Api::new(&no_autostore);
    let answer = api2
        .multipart(
            "/base/",
            &[
                Part::Field("UPLOADCARE_PUB_KEY", no_autostore.public_key()),
                Part::Field("UPLOADCARE_STORE", "auto"),
                Part::File {
                    name: "f",
                    filename: "f.txt",
                    content_type: "text/plain",
                    data: b"x",
                },
            ],
        )
        .await;
    let uuid = uuid_of(&answer.json()["f"]);
    assert!(no_autostore.state().file(uuid).unwrap().stored.is_none());

    // No file part at all.
    let answer = api
        .multipart("/base/", &[Part::Field("UPLOADCARE_PUB_KEY", &pk)])
        .await;
    answer.assert_error(400, "Request does not contain files.");

    // Every request was logged as an Upload API request.
    let logged: Vec<_> = emulator
        .state()
        .requests()
        .into_iter()
        .filter(|r| r.path == "/base/")
        .collect();
    assert_eq!(logged.len(), 4);
    assert!(logged.iter().all(|r| r.api == "upload" && r.method == "POST"));
    assert_eq!(
        logged.iter().map(|r| r.status).collect::<Vec<_>>(),
        [200, 200, 200, 400]
    );
}

#[tokio::test]
async fn metadata_errors_use_the_service_codes() {
    let emulator = Emulator::start().await.unwrap();
    let api = Api::new(&emulator);
    let pk = emulator.public_key().to_owned();
    let long_key = format!("metadata[{}]", "k".repeat(65));
    let long_value = "v".repeat(513);
    let cases: Vec<(String, String, &str, String)> = vec![
        (
            "metadata[bad key]".into(),
            "v".into(),
            "FileMetadataKeyForbiddenError",
            "File's metadata key `bad key` contains symbols not allowed by the metadata key format.".into(),
        ),
        (
            "metadata[]".into(),
            "v".into(),
            "FileMetadataKeyEmptyError",
            "File's metadata key can not be empty.".into(),
        ),
        (
            long_key.clone(),
            "v".into(),
            "FileMetadataKeyLengthTooBigError",
            format!(
                "Length of file metadata key `{}` can not be more than 64 symbols.",
                "k".repeat(65)
            ),
        ),
        (
            "metadata[k]".into(),
            "".into(),
            "FileMetadataValueEmptyError",
            "Value of the file metadata key `k` can not be empty.".into(),
        ),
        (
            "metadata[k]".into(),
            long_value,
            "FileMetadataValueLengthTooBigError",
            "Value of file metadata's key `k` can not be more than 512 symbols in length.".into(),
        ),
    ];
    for (field, value, code, message) in &cases {
        let parts = [
            Part::Field("UPLOADCARE_PUB_KEY", &pk),
            Part::Field(field, value),
            Part::File {
                name: "f",
                filename: "f.txt",
                content_type: "text/plain",
                data: b"x",
            },
        ];
        api.multipart("/base/", &parts).await.assert_error(400, message);
        let answer = api.multipart("/base/?jsonerrors=1", &parts).await;
        assert_eq!(answer.json()["error"]["error_code"], json!(code), "{answer:?}");
    }
    // Duplicated keys and too many keys.
    let duplicate = api
        .multipart(
            "/base/",
            &[
                Part::Field("UPLOADCARE_PUB_KEY", &pk),
                Part::Field("metadata[k]", "1"),
                Part::Field("metadata[k]", "2"),
                Part::File {
                    name: "f",
                    filename: "f.txt",
                    content_type: "text/plain",
                    data: b"x",
                },
            ],
        )
        .await;
    duplicate.assert_error(400, "File's metadata key `k` has a duplicate.");
    let names: Vec<String> = (0..51).map(|i| format!("metadata[k{i}]")).collect();
    let mut parts: Vec<Part> = names.iter().map(|n| Part::Field(n, "v")).collect();
    parts.push(Part::Field("UPLOADCARE_PUB_KEY", &pk));
    parts.push(Part::File {
        name: "f",
        filename: "f.txt",
        content_type: "text/plain",
        data: b"x",
    });
    api.multipart("/base/", &parts)
        .await
        .assert_error(400, "A file can not have more than 50 metadata keys.");
    assert!(
        emulator.state().file_uuids().is_empty(),
        "no file was created by a refused request"
    );
}

#[tokio::test]
async fn multipart_upload_in_three_parts() {
    let emulator = Emulator::start().await.unwrap();
    let api = Api::new(&emulator);
    let pk = emulator.public_key().to_owned();
    const PART: usize = 5 * 1024 * 1024;
    let data = test_bytes(2 * PART + 12_345, 7);
    let size = data.len().to_string();

    // Too small for multipart.
    api.form(
        "/multipart/start/",
        &[
            ("UPLOADCARE_PUB_KEY", &pk),
            ("filename", "a.bin"),
            ("size", "10485759"),
            ("content_type", "application/octet-stream"),
        ],
    )
    .await
    .assert_error(
        400,
        "File size can not be less than 10485760 bytes. Please use direct upload instead of multipart.",
    );
    // Part size out of range, size not a number, missing filename.
    api.form(
        "/multipart/start/",
        &[
            ("UPLOADCARE_PUB_KEY", &pk),
            ("filename", "a.bin"),
            ("size", &size),
            ("content_type", "x/y"),
            ("part_size", "1000"),
        ],
    )
    .await
    .assert_error(
        400,
        "Multipart Upload Part Size can not be less than 5242880 bytes.",
    );
    api.form(
        "/multipart/start/",
        &[
            ("UPLOADCARE_PUB_KEY", &pk),
            ("filename", "a.bin"),
            ("size", "big"),
            ("content_type", "x/y"),
        ],
    )
    .await
    .assert_error(400, "size should be integer.");
    api.form(
        "/multipart/start/",
        &[
            ("UPLOADCARE_PUB_KEY", &pk),
            ("size", &size),
            ("content_type", "x/y"),
        ],
    )
    .await
    .assert_error(400, "filename is required.");

    // Start (form-urlencoded), with store=0 and metadata.
    let answer = api
        .form(
            "/multipart/start/",
            &[
                ("UPLOADCARE_PUB_KEY", &pk),
                ("UPLOADCARE_STORE", "0"),
                ("filename", "big video.mp4"),
                ("size", &size),
                ("content_type", "video/mp4"),
                ("part_size", "5242880"),
                ("metadata[kind]", "big"),
            ],
        )
        .await;
    assert_eq!(answer.status, 200, "{answer:?}");
    let started = answer.json();
    let uuid = uuid_of(&started["uuid"]);
    let parts: Vec<String> = started["parts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(parts.len(), 3);
    assert!(
        parts.iter().all(|p| p.starts_with(emulator.upload_base_url())),
        "{parts:?}"
    );
    assert!(
        emulator.state().file(uuid).is_none(),
        "not a file before completion"
    );

    let complete = |api: &Api| {
        let pk = pk.clone();
        let uuid = uuid.to_string();
        let base = api.base.clone();
        let client = api.client.clone();
        async move {
            let response = client
                .post(format!("{base}/multipart/complete/?jsonerrors=1"))
                .form(&[("UPLOADCARE_PUB_KEY", pk.as_str()), ("uuid", uuid.as_str())])
                .send()
                .await
                .unwrap();
            Api::answer(response).await
        }
    };

    // A wrong part size is refused; so is completing before every part is in.
    let wrong = api.put(&parts[0], data[..PART - 1].to_vec()).await;
    assert_eq!(wrong.status, 400, "{wrong:?}");
    let wrong_last = api.put(&parts[2], data[2 * PART..data.len() - 1].to_vec()).await;
    assert_eq!(wrong_last.status, 400, "{wrong_last:?}");
    assert_eq!(api.put(&parts[0], data[..PART].to_vec()).await.status, 200);
    assert_eq!(api.put(&parts[2], data[2 * PART..].to_vec()).await.status, 200);
    let early = complete(&api).await;
    assert_eq!(early.status, 400, "{early:?}");
    assert_eq!(
        early.json(),
        json!({"error": {"content": "File size mismatch. Not all parts uploaded?", "status_code": 400,
                         "error_code": "MultipartUploadSizeTooSmallError"}})
    );
    assert_eq!(
        api.put(&parts[1], data[PART..2 * PART].to_vec()).await.status,
        200
    );

    let done = complete(&api).await;
    assert_eq!(done.status, 200, "{done:?}");
    let info = done.json();
    assert_eq!(uuid_of(&info["uuid"]), uuid);
    assert_eq!(info["size"], json!(data.len()));
    assert_eq!(info["original_filename"], json!("big video.mp4"));
    assert_eq!(info["mime_type"], json!("video/mp4"));
    assert_eq!(info["is_stored"], json!(false));
    assert_eq!(info["is_ready"], json!(true));
    assert_eq!(info["metadata"], json!({"kind": "big"}));

    let (status, cdn) = api
        .cdn_bytes(&format!("{}/{uuid}/", emulator.cdn_base_url()))
        .await;
    assert_eq!(status, 200);
    assert_eq!(cdn.len(), data.len());
    assert_eq!(md5_hex(&cdn), md5_hex(&data));

    // Completing twice, and unknown uploads.
    let again = complete(&api).await;
    assert_eq!(
        again.json()["error"]["error_code"],
        json!("MultipartFileAlreadyUploadedError")
    );
    api.form(
        "/multipart/complete/",
        &[("UPLOADCARE_PUB_KEY", &pk), ("uuid", &Uuid::new_v4().to_string())],
    )
    .await
    .assert_error(404, "File is not found.");
    api.form("/multipart/complete/", &[("UPLOADCARE_PUB_KEY", &pk)])
        .await
        .assert_error(400, "uuid is required.");
    api.form(
        "/multipart/complete/",
        &[("UPLOADCARE_PUB_KEY", &pk), ("uuid", "nope")],
    )
    .await
    .assert_error(400, "uuid is invalid.");

    // multipart/form-data bodies work for start too; the default part size is 5 MiB.
    let answer = api
        .multipart(
            "/multipart/start/",
            &[
                Part::Field("UPLOADCARE_PUB_KEY", &pk),
                Part::Field("filename", "x.bin"),
                Part::Field("size", "10485760"),
                Part::Field("content_type", "application/octet-stream"),
            ],
        )
        .await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(answer.json()["parts"].as_array().unwrap().len(), 2);
}

/// Polls `/from_url/status/` until a final status, asserting the statuses seen.
async fn poll_until_final(api: &Api, token: &str) -> (Vec<String>, Value) {
    let mut seen = Vec::new();
    for _ in 0..10 {
        let answer = api.get("/from_url/status/", &[("token", token)]).await;
        assert_eq!(answer.status, 200, "{answer:?}");
        let body = answer.json();
        let status = body["status"].as_str().unwrap().to_owned();
        seen.push(status.clone());
        if matches!(status.as_str(), "success" | "error" | "unknown") {
            return (seen, body);
        }
    }
    panic!("no final status after 10 polls: {seen:?}");
}

#[tokio::test]
async fn from_url_of_the_emulators_own_cdn() {
    let emulator = Emulator::start().await.unwrap();
    let api = Api::new(&emulator);
    let pk = emulator.public_key().to_owned();
    let content = test_bytes(4096, 3);
    let source = emulator.state().add_file(
        "photo original.bin",
        "application/octet-stream",
        content.clone(),
        Some(true),
    );
    let source_url = format!("{}/{source}/", emulator.cdn_base_url());

    let answer = api
        .form(
            "/from_url/",
            &[
                ("pub_key", &pk),
                ("source_url", &source_url),
                ("store", "1"),
                ("save_URL_duplicates", "1"),
                ("metadata[from]", "url"),
            ],
        )
        .await;
    assert_eq!(answer.status, 200, "{answer:?}");
    let body = answer.json();
    assert_eq!(body["type"], json!("token"));
    let token = body["token"].as_str().unwrap().to_owned();
    assert!(token.parse::<Uuid>().is_ok());

    // One stage per poll.
    let first = api.get("/from_url/status/", &[("token", &token)]).await.json();
    assert_eq!(first, json!({"status": "waiting"}));
    let second = api.get("/from_url/status/", &[("token", &token)]).await.json();
    // Part way: the fetched bytes grow through the `progress` stage (one poll of two here).
    assert_eq!(second, json!({"status": "progress", "done": 2048, "total": 4096}));
    let third = api.get("/from_url/status/", &[("token", &token)]).await.json();
    assert_eq!(third["status"], json!("success"), "{third}");
    let uuid = uuid_of(&third["uuid"]);
    assert_eq!(third["file_id"], third["uuid"]);
    assert_ne!(uuid, source);
    assert_eq!(third["size"], json!(4096));
    assert_eq!(
        third["original_filename"],
        json!("photo original.bin"),
        "named from Content-Disposition"
    );
    assert_eq!(third["is_stored"], json!(true));
    assert_eq!(third["metadata"], json!({"from": "url"}));
    let file = emulator.state().file(uuid).unwrap();
    assert_eq!(md5_hex(&file.data), md5_hex(&content));
    // The final status stays.
    assert_eq!(
        api.get("/from_url/status/", &[("token", &token)]).await.json()["status"],
        json!("success")
    );

    // The emulator's fetch of its own CDN is in the log too.
    assert!(emulator
        .state()
        .requests()
        .iter()
        .any(|r| r.path == format!("/cdn/{source}/") && r.status == 200));

    // check_URL_duplicates finds the file saved above.
    let duplicate = api
        .form(
            "/from_url/",
            &[
                ("pub_key", &pk),
                ("source_url", &source_url),
                ("check_URL_duplicates", "1"),
            ],
        )
        .await
        .json();
    assert_eq!(duplicate["type"], json!("file_info"));
    assert_eq!(uuid_of(&duplicate["uuid"]), uuid);

    // A public host is never contacted: the file is a synthetic stand-in.
    let answer = api
        .form(
            "/from_url/",
            &[
                ("pub_key", &pk),
                ("source_url", "https://example.com/images/cat.jpg"),
                ("filename", "kitty.jpg"),
            ],
        )
        .await
        .json();
    let (seen, last) = poll_until_final(&api, answer["token"].as_str().unwrap()).await;
    assert_eq!(seen, ["waiting", "progress", "success"]);
    assert_eq!(last["original_filename"], json!("kitty.jpg"));
    let synthetic = emulator.state().file(uuid_of(&last["uuid"])).unwrap();
    assert_eq!(synthetic.mime_type, "text/plain");
    assert!(String::from_utf8_lossy(&synthetic.data).contains("https://example.com/images/cat.jpg"));
}

#[tokio::test]
async fn from_url_failures_and_unknown_tokens() {
    let emulator = Emulator::start().await.unwrap();
    let api = Api::new(&emulator);
    let pk = emulator.public_key().to_owned();

    // 404 from a 127.0.0.1 server (the emulator's CDN, unknown file).
    let missing = format!("{}/{}/", emulator.cdn_base_url(), Uuid::new_v4());
    let token = api
        .form("/from_url/", &[("pub_key", &pk), ("source_url", &missing)])
        .await
        .json()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let (seen, last) = poll_until_final(&api, &token).await;
    assert_eq!(seen, ["waiting", "progress", "error"]);
    assert_eq!(
        last,
        json!({"status": "error", "error": "HTTP client error: 404.", "error_code": "DownloadFileHTTPClientError"})
    );

    // Nothing listens on the port: a network error.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let url = format!("http://127.0.0.1:{closed}/file.txt");
    let token = api
        .form("/from_url/", &[("pub_key", &pk), ("source_url", &url)])
        .await
        .json()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, last) = poll_until_final(&api, &token).await;
    assert_eq!(last["status"], json!("error"));
    assert_eq!(last["error_code"], json!("DownloadFileHTTPNetworkError"));
    assert!(
        last["error"]
            .as_str()
            .unwrap()
            .starts_with("HTTP network error: "),
        "{last}"
    );

    // A 127.0.0.1 server: a 500, a redirect to a public host (not followed: nothing leaves
    // the machine), and a file with its own type and name.
    let app = axum::Router::new()
        .route(
            "/broken",
            axum::routing::get(|| async { (axum::http::StatusCode::INTERNAL_SERVER_ERROR, "no") }),
        )
        .route(
            "/away",
            axum::routing::get(|| async {
                (
                    axum::http::StatusCode::FOUND,
                    [("location", "https://example.com/elsewhere.png")],
                    "",
                )
            }),
        )
        .route(
            "/dir/report.csv",
            axum::routing::get(|| async { ([("content-type", "text/csv")], "a,b\n1,2\n") }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let server = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    for (path, code) in [
        ("/broken", "DownloadFileHTTPServerError"),
        ("/away", "DownloadFileHTTPURLValidationError"),
    ] {
        let url = format!("{server}{path}");
        let token = api
            .form("/from_url/", &[("pub_key", &pk), ("source_url", &url)])
            .await
            .json()["token"]
            .as_str()
            .unwrap()
            .to_owned();
        let (_, last) = poll_until_final(&api, &token).await;
        assert_eq!(last["error_code"], json!(code), "{last}");
    }
    let url = format!("{server}/dir/report.csv");
    let token = api
        .form(
            "/from_url/",
            &[("pub_key", &pk), ("source_url", &url), ("store", "0")],
        )
        .await
        .json()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, last) = poll_until_final(&api, &token).await;
    assert_eq!(last["status"], json!("success"), "{last}");
    assert_eq!(last["original_filename"], json!("report.csv"));
    assert_eq!(last["mime_type"], json!("text/csv"));
    assert_eq!(last["is_stored"], json!(false));
    assert_eq!(
        &emulator.state().file(uuid_of(&last["uuid"])).unwrap().data[..],
        b"a,b\n1,2\n"
    );

    // Unknown tokens; missing token.
    let unknown = api
        .get("/from_url/status/", &[("token", &Uuid::new_v4().to_string())])
        .await;
    assert_eq!(unknown.json(), json!({"status": "unknown"}));
    api.get("/from_url/status/", &[])
        .await
        .assert_error(400, "token is required.");

    // URL validation at request time.
    let refused = |url: &'static str| {
        let pk = pk.clone();
        let api = &api;
        async move {
            api.form("/from_url/", &[("pub_key", &pk), ("source_url", url)])
                .await
        }
    };
    refused("example.com/a.png")
        .await
        .assert_error(400, "No URL scheme supplied.");
    refused("ftp://example.com/a.png")
        .await
        .assert_error(400, "Invalid URL scheme.");
    refused("http://192.168.0.10/a.png")
        .await
        .assert_error(400, "Only public IPs are allowed.");
    api.form("/from_url/", &[("pub_key", &pk)])
        .await
        .assert_error(400, "source_url is required.");
    api.form("/from_url/", &[("source_url", "https://example.com/")])
        .await
        .assert_error(403, "pub_key is required.");
}

#[tokio::test]
async fn file_info() {
    let emulator = Emulator::start().await.unwrap();
    let api = Api::new(&emulator);
    let pk = emulator.public_key().to_owned();
    let uuid = emulator
        .state()
        .add_file("hello.txt", "text/plain", "hello", Some(false));

    let answer = api
        .get("/info/", &[("pub_key", &pk), ("file_id", &uuid.to_string())])
        .await;
    assert_eq!(answer.status, 200, "{answer:?}");
    let info = answer.json();
    for field in [
        "uuid",
        "file_id",
        "size",
        "total",
        "done",
        "original_filename",
        "filename",
        "mime_type",
        "is_image",
        "is_stored",
        "is_ready",
        "image_info",
        "video_info",
        "content_info",
        "metadata",
    ] {
        assert!(info.get(field).is_some(), "{field} missing in {info}");
    }
    assert_eq!(info["uuid"], json!(uuid.to_string()));
    assert_eq!(info["size"], json!(5));
    assert_eq!(info["is_stored"], json!(false));
    assert_eq!(info["is_image"], json!(false));
    assert_eq!(info["image_info"], Value::Null);

    api.get(
        "/info/",
        &[("pub_key", &pk), ("file_id", &Uuid::new_v4().to_string())],
    )
    .await
    .assert_error(404, "File is not found.");
    api.get("/info/", &[("pub_key", &pk), ("file_id", "xyz")])
        .await
        .assert_error(400, "file_id is invalid.");
    api.get("/info/", &[("pub_key", &pk)])
        .await
        .assert_error(400, "file_id is required.");
    api.get(
        "/info/",
        &[("pub_key", "someone-else"), ("file_id", &uuid.to_string())],
    )
    .await
    .assert_error(403, "pub_key is invalid.");
}

#[tokio::test]
async fn groups_create_and_info() {
    let emulator = Emulator::start().await.unwrap();
    let api = Api::new(&emulator);
    let pk = emulator.public_key().to_owned();
    let a = emulator.state().add_file("a.txt", "text/plain", "a", Some(true));
    let b = emulator.state().add_file("b.txt", "text/plain", "b", Some(true));
    let b_with_operations = format!("{b}/-/resize/x800/");

    let answer = api
        .form(
            "/group/",
            &[
                ("pub_key", &pk),
                ("files[1]", &b_with_operations),
                ("files[0]", &a.to_string()),
            ],
        )
        .await;
    assert_eq!(answer.status, 200, "{answer:?}");
    let group = answer.json();
    let id = group["id"].as_str().unwrap().to_owned();
    assert!(id.ends_with("~2"), "{id}");
    assert_eq!(group["files_count"], json!(2));
    assert_eq!(group["datetime_stored"], Value::Null);
    assert_eq!(
        group["cdn_url"],
        json!(format!("{}/{id}/", emulator.cdn_base_url()))
    );
    assert!(group["url"]
        .as_str()
        .unwrap()
        .ends_with(&format!("/groups/{id}/")));
    assert!(group["datetime_created"].as_str().is_some());
    let files = group["files"].as_array().unwrap();
    assert_eq!(files[0]["uuid"], json!(a.to_string()), "ordered by index");
    assert_eq!(files[0]["default_effects"], json!(""));
    assert_eq!(files[1]["uuid"], json!(b.to_string()));
    assert_eq!(files[1]["default_effects"], json!("resize/x800/"));
    assert_eq!(
        emulator.state().lock().groups.get(&id).map(|g| g.files.clone()),
        Some(vec![a, b])
    );

    let info = api
        .get("/group/info/", &[("pub_key", &pk), ("group_id", &id)])
        .await;
    assert_eq!(info.status, 200, "{info:?}");
    assert_eq!(info.json(), group);

    // A multipart body and a CDN URL work too.
    let cdn_url = format!("https://ucarecdn.com/{a}/-/format/webp/");
    let answer = api
        .multipart(
            "/group/",
            &[Part::Field("pub_key", &pk), Part::Field("files[0]", &cdn_url)],
        )
        .await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(
        answer.json()["files"][0]["default_effects"],
        json!("format/webp/")
    );

    api.get(
        "/group/info/",
        &[("pub_key", &pk), ("group_id", &format!("{}~1", Uuid::new_v4()))],
    )
    .await
    .assert_error(404, "group_id is invalid.");
    api.get("/group/info/", &[("pub_key", &pk)])
        .await
        .assert_error(400, "group_id is required.");
    api.form("/group/", &[("pub_key", &pk)])
        .await
        .assert_error(400, "No files[N] parameters found.");
    api.form(
        "/group/",
        &[("pub_key", &pk), ("files[0]", &Uuid::new_v4().to_string())],
    )
    .await
    .assert_error(400, "Some files not found.");
    api.form("/group/", &[("pub_key", &pk), ("files[0]", "not-a-file")])
        .await
        .assert_error(400, "This is not valid file url: not-a-file.");
}

#[tokio::test]
async fn groups_take_files_the_way_the_official_clients_send_them() {
    let emulator = Emulator::start().await.unwrap();
    let api = Api::new(&emulator);
    let pk = emulator.public_key().to_owned();
    let a = emulator.state().add_file("a.txt", "text/plain", "a", Some(true));
    let b = emulator.state().add_file("b.txt", "text/plain", "b", Some(true));
    let c = emulator.state().add_file("c.txt", "text/plain", "c", Some(true));
    // The JS upload client: repeated `files[]`, in the order given. pyuploadcare: each file
    // as its CDN URL (the emulator's own CDN base), with or without operations.
    let own_cdn = format!("{}/{b}/", emulator.cdn_base_url());
    let with_operations = format!("{}/{c}/-/resize/x800/-/format/webp/", emulator.cdn_base_url());
    let answer = api
        .form(
            "/group/",
            &[
                ("pub_key", &pk),
                ("files[]", &a.to_string()),
                ("files[]", &own_cdn),
                ("files[]", &with_operations),
            ],
        )
        .await;
    assert_eq!(answer.status, 200, "{answer:?}");
    let group = answer.json();
    let files = group["files"].as_array().unwrap();
    let uuids: Vec<&str> = files.iter().map(|f| f["uuid"].as_str().unwrap()).collect();
    assert_eq!(uuids, [a.to_string(), b.to_string(), c.to_string()]);
    assert_eq!(files[1]["default_effects"], json!(""));
    assert_eq!(files[2]["default_effects"], json!("resize/x800/-/format/webp/"));

    // pyuploadcare posts to `/group//`: repeated slashes are read as one.
    let answer = api
        .form("/group//", &[("pub_key", &pk), ("files[0]", &a.to_string())])
        .await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(answer.json()["files_count"], json!(1));
}

#[tokio::test]
async fn the_cdn_answers_detect_faces_with_the_images_json_info() {
    let emulator = Emulator::start().await.unwrap();
    let api = Api::new(&emulator);
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    png.extend_from_slice(&640u32.to_be_bytes());
    png.extend_from_slice(&480u32.to_be_bytes());
    let image = emulator
        .state()
        .add_file("face.png", "image/png", png.clone(), Some(true));
    let text = emulator.state().add_file("a.txt", "text/plain", "a", Some(true));
    for suffix in ["detect_faces/", "detect_faces//", "-/resize/100x/detect_faces/"] {
        let response = api
            .client
            .get(format!("{}/{image}/{suffix}", emulator.cdn_base_url()))
            .send()
            .await
            .unwrap();
        let answer = Api::answer(response).await;
        assert_eq!(
            (answer.status, answer.content_type.as_str()),
            (200, "application/json"),
            "{suffix}"
        );
        let info = answer.json();
        assert_eq!(
            (&info["width"], &info["height"], &info["format"]),
            (&json!(640), &json!(480), &json!("PNG"))
        );
        assert_eq!(info["faces"], json!([]));
    }
    let (status, _) = api
        .cdn_bytes(&format!("{}/{text}/detect_faces/", emulator.cdn_base_url()))
        .await;
    assert_eq!(status, 400);
    // Other names still serve the bytes.
    let (status, bytes) = api
        .cdn_bytes(&format!("{}/{image}/face.png", emulator.cdn_base_url()))
        .await;
    assert_eq!((status, bytes), (200, png));
}

#[tokio::test]
async fn from_url_reads_its_parameters_from_the_query_string_too() {
    // The JS upload client sends `/from_url/` with every parameter in the query and no body.
    let emulator = Emulator::start().await.unwrap();
    let api = Api::new(&emulator);
    let source = emulator
        .state()
        .add_file("source.txt", "text/plain", "fetched bytes", Some(true));
    let source_url = format!("{}/{source}/", emulator.cdn_base_url());
    let response = api
        .client
        .post(format!("{}/from_url/", api.base))
        .query(&[
            ("jsonerrors", "1"),
            ("pub_key", emulator.public_key()),
            ("source_url", &source_url),
            ("store", "1"),
            ("filename", "copied.txt"),
            ("metadata[origin]", "query"),
        ])
        .send()
        .await
        .unwrap();
    let answer = Api::answer(response).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    let token = answer.json()["token"].as_str().unwrap().to_owned();
    let (_, done) = poll_until_final(&api, &token).await;
    assert_eq!(done["status"], json!("success"), "{done}");
    let uuid: Uuid = done["uuid"].as_str().unwrap().parse().unwrap();
    let file = emulator.state().file(uuid).unwrap();
    assert_eq!(file.filename, "copied.txt");
    assert_eq!(&file.data[..], b"fetched bytes");
    assert_eq!(file.metadata.get("origin").map(String::as_str), Some("query"));
    assert!(file.stored.is_some());
}

#[tokio::test]
async fn public_key_errors_in_both_layouts() {
    let emulator = Emulator::start().await.unwrap();
    let api = Api::new(&emulator);
    let file = Part::File {
        name: "f",
        filename: "f.txt",
        content_type: "text/plain",
        data: b"x",
    };

    let wrong = [Part::Field("UPLOADCARE_PUB_KEY", "not-the-key"), file];
    api.multipart("/base/", &wrong)
        .await
        .assert_error(403, "UPLOADCARE_PUB_KEY is invalid.");
    let answer = api.multipart("/base/?jsonerrors=1", &wrong).await;
    assert_eq!(answer.status, 403, "the JSON layout keeps the error status");
    assert!(answer.content_type.starts_with("application/json"), "{answer:?}");
    assert_eq!(
        answer.json(),
        json!({"error": {"content": "UPLOADCARE_PUB_KEY is invalid.", "status_code": 403,
                         "error_code": "ProjectPublicKeyInvalidError"}})
    );
    let missing = [Part::File {
        name: "f",
        filename: "f.txt",
        content_type: "text/plain",
        data: b"x",
    }];
    api.multipart("/base/", &missing)
        .await
        .assert_error(403, "UPLOADCARE_PUB_KEY is required.");
    api.form("/group/", &[("pub_key", "nope"), ("files[0]", "x")])
        .await
        .assert_error(403, "pub_key is invalid.");

    // Other methods on a known path.
    api.get("/base/", &[])
        .await
        .assert_error(405, "HTTP method GET is not allowed for /base/");
    assert!(emulator.state().file_uuids().is_empty());
}

/// Lower-case hex HMAC-SHA256 of `expire`, keyed with `secret` (the signed-upload scheme),
/// computed here with the hash crates directly.
fn signature(secret: &str, expire: &str) -> String {
    let mut mac = <hmac::Hmac<sha2::Sha256> as KeyInit>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(expire.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

#[tokio::test]
async fn signed_uploads() {
    const SECRET: &str = "project_secret_key";
    // Fixed vectors computed with Python's standard library:
    // python3 -c "import hmac,hashlib;print(hmac.new(b'project_secret_key',b'1454903856',hashlib.sha256).hexdigest())"
    const EXPIRED: (&str, &str) = (
        "1454903856",
        "d39a461d41f607338abffee5f31da4d4e46535651c87346e76906bf75c064d47",
    );
    // python3 -c "import hmac,hashlib;print(hmac.new(b'project_secret_key',b'4102444800',hashlib.sha256).hexdigest())"
    const YEAR_2100: (&str, &str) = (
        "4102444800",
        "fecb0f0f67546fca90d36873b596de94bcff310fd4b50c2d95a8a0906621adc8",
    );
    assert_eq!(signature(SECRET, EXPIRED.0), EXPIRED.1);
    assert_eq!(signature(SECRET, YEAR_2100.0), YEAR_2100.1);

    let emulator = Emulator::builder()
        .keys("signed-pk", SECRET)
        .signed_uploads(true)
        .start()
        .await
        .unwrap();
    let api = Api::new(&emulator);
    fn base(extra: Vec<Part<'_>>) -> Vec<Part<'_>> {
        let mut parts = vec![Part::Field("UPLOADCARE_PUB_KEY", "signed-pk")];
        parts.extend(extra);
        parts.push(Part::File {
            name: "f",
            filename: "f.txt",
            content_type: "text/plain",
            data: b"signed",
        });
        parts
    }

    api.multipart("/base/", &base(vec![]))
        .await
        .assert_error(400, "`signature` is required.");
    api.multipart("/base/", &base(vec![Part::Field("signature", YEAR_2100.1)]))
        .await
        .assert_error(400, "`expire` is required.");
    api.multipart(
        "/base/",
        &base(vec![
            Part::Field("signature", YEAR_2100.1),
            Part::Field("expire", "tomorrow"),
        ]),
    )
    .await
    .assert_error(400, "`expire` must be a UNIX timestamp.");
    // A correct signature whose time has passed.
    api.multipart(
        "/base/",
        &base(vec![
            Part::Field("signature", EXPIRED.1),
            Part::Field("expire", EXPIRED.0),
        ]),
    )
    .await
    .assert_error(403, "Expired signature.");
    // A well-formed signature of another expire value.
    api.multipart(
        "/base/",
        &base(vec![
            Part::Field("signature", EXPIRED.1),
            Part::Field("expire", YEAR_2100.0),
        ]),
    )
    .await
    .assert_error(403, "Invalid signature.");
    let answer = api
        .multipart(
            "/base/?jsonerrors=1",
            &base(vec![
                Part::Field("signature", &"0".repeat(64)),
                Part::Field("expire", YEAR_2100.0),
            ]),
        )
        .await;
    assert_eq!(
        answer.json()["error"]["error_code"],
        json!("SignatureInvalidError")
    );
    assert!(emulator.state().file_uuids().is_empty());

    // Valid: the fixed vector, and one computed here for an hour from now.
    let answer = api
        .multipart(
            "/base/",
            &base(vec![
                Part::Field("signature", YEAR_2100.1),
                Part::Field("expire", YEAR_2100.0),
            ]),
        )
        .await;
    assert_eq!(answer.status, 200, "{answer:?}");
    let soon = (chrono::Utc::now().timestamp() + 3600).to_string();
    let soon_signature = signature(SECRET, &soon);
    let answer = api
        .multipart(
            "/base/",
            &base(vec![
                Part::Field("signature", &soon_signature),
                Part::Field("expire", &soon),
            ]),
        )
        .await;
    assert_eq!(answer.status, 200, "{answer:?}");
    let uuid = uuid_of(&answer.json()["f"]);
    assert_eq!(&emulator.state().file(uuid).unwrap().data[..], b"signed");

    // The other signed endpoints.
    api.form(
        "/group/",
        &[("pub_key", "signed-pk"), ("files[0]", &uuid.to_string())],
    )
    .await
    .assert_error(400, "`signature` is required.");
    let group = api
        .form(
            "/group/",
            &[
                ("pub_key", "signed-pk"),
                ("files[0]", &uuid.to_string()),
                ("signature", &soon_signature),
                ("expire", &soon),
            ],
        )
        .await;
    assert_eq!(group.status, 200, "{group:?}");
    api.form(
        "/from_url/",
        &[("pub_key", "signed-pk"), ("source_url", "https://example.com/a")],
    )
    .await
    .assert_error(400, "`signature` is required.");
    api.form(
        "/multipart/start/",
        &[
            ("UPLOADCARE_PUB_KEY", "signed-pk"),
            ("filename", "a"),
            ("size", "20000000"),
            ("content_type", "x/y"),
            ("signature", YEAR_2100.1),
            ("expire", "4102444801"),
        ],
    )
    .await
    .assert_error(403, "Invalid signature.");
    // Reading endpoints need no signature.
    let info = api
        .get(
            "/info/",
            &[("pub_key", "signed-pk"), ("file_id", &uuid.to_string())],
        )
        .await;
    assert_eq!(info.status, 200, "{info:?}");
}

/// Direct uploads take files under 100 MiB; bigger requests are refused. Ignored by default:
/// it moves about 200 MiB through the loopback (`cargo test --test integration emulator_upload -- --ignored`).
#[tokio::test]
#[ignore = "moves ~200 MiB; run with --ignored"]
async fn direct_upload_size_limits() {
    let emulator = Emulator::start().await.unwrap();
    let api = Api::new(&emulator);
    let pk = emulator.public_key().to_owned();
    let at_limit = vec![b'x'; 100 * 1024 * 1024];
    let answer = api
        .multipart(
            "/base/",
            &[
                Part::Field("UPLOADCARE_PUB_KEY", &pk),
                Part::File {
                    name: "f",
                    filename: "f.bin",
                    content_type: "application/octet-stream",
                    data: &at_limit,
                },
            ],
        )
        .await;
    answer.assert_error(400, "File is too large.");
    let over = vec![b'x'; 102 * 1024 * 1024];
    let answer = api
        .multipart(
            "/base/",
            &[
                Part::Field("UPLOADCARE_PUB_KEY", &pk),
                Part::File {
                    name: "f",
                    filename: "f.bin",
                    content_type: "application/octet-stream",
                    data: &over,
                },
            ],
        )
        .await;
    answer.assert_error(413, "The size of the request is too large.");
    assert!(emulator.state().file_uuids().is_empty());
}

#[tokio::test]
async fn from_url_stages_last_polls_per_stage_polls() {
    let emulator = Emulator::builder().polls_per_stage(2).start().await.unwrap();
    let api = Api::new(&emulator);
    let source = emulator
        .state()
        .add_file("a.txt", "text/plain", "abc", Some(true));
    let url = format!("{}/{source}/a.txt", emulator.cdn_base_url());
    let token = api
        .form(
            "/from_url/",
            &[("pub_key", emulator.public_key()), ("source_url", &url)],
        )
        .await
        .json()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let (seen, last) = poll_until_final(&api, &token).await;
    assert_eq!(seen, ["waiting", "waiting", "progress", "progress", "success"]);
    assert_eq!(last["original_filename"], json!("a.txt"));
    // jsonerrors=1 on a GET endpoint.
    let answer = api.get("/from_url/status/", &[("jsonerrors", "1")]).await;
    assert_eq!(
        (answer.status, answer.json()["error"]["error_code"].clone()),
        (400, json!("TokenRequiredError"))
    );
}

/// With `discard_upload_bodies`, multipart parts are counted as they stream in and not kept:
/// the upload completes with its size, and a wrong-sized part is still refused.
#[cfg(feature = "upload")]
#[tokio::test]
async fn discarding_emulator_counts_multipart_bodies() {
    let emulator = uploadcare_emulator::Emulator::builder()
        .discard_upload_bodies(true)
        .start()
        .await
        .unwrap();
    let client = uploadcare::upload::Client::from_config(emulator.config()).unwrap();
    let size = 23 * 1024 * 1024 + 17;
    let info = client
        .upload(vec![7u8; size])
        .filename("big.bin")
        .multipart_threshold(10 * 1024 * 1024)
        .send()
        .await
        .unwrap();
    assert_eq!(info.size, size as i64);
    let record = emulator.state().file(info.uuid).unwrap();
    assert!(record.data.is_empty());
    assert_eq!(record.size(), size as u64);
    assert_eq!(record.discarded_size, Some(size as u64));
    // Small files (direct uploads) are kept.
    let small = client
        .upload(b"kept".to_vec())
        .filename("a.txt")
        .send()
        .await
        .unwrap();
    assert_eq!(emulator.state().file(small.uuid).unwrap().data.as_ref(), b"kept");

    // A part of the wrong size is refused in discard mode too.
    let start = client
        .multipart_start(&uploadcare::upload::MultipartStart {
            filename: "x.bin".to_owned(),
            size: 11 * 1024 * 1024,
            content_type: "application/octet-stream".to_owned(),
            part_size: uploadcare::upload::MIN_PART_SIZE,
            store: uploadcare::upload::types::StoreType::Auto,
            metadata: Default::default(),
            tags: Vec::new(),
        })
        .await
        .unwrap();
    let put = reqwest::Client::new()
        .put(&start.parts[0])
        .header("content-type", "application/octet-stream")
        .body(vec![0u8; 10])
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), 400);
}

/// `upload_many`: one result per source in the given order, a failing source reported while
/// the others upload, settings refused before anything is sent.
#[cfg(feature = "upload")]
#[tokio::test]
async fn upload_many_keeps_order_and_reports_each_failure() {
    use uploadcare::upload::UploadSource;

    let emulator = Emulator::start().await.unwrap();
    let client = uploadcare::upload::Client::from_config(emulator.config()).unwrap();
    let dir = std::env::temp_dir().join(format!("uc-many-{}", Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut sources: Vec<UploadSource> = Vec::new();
    for i in 0..60 {
        let path = dir.join(format!("f{i:02}.txt"));
        std::fs::write(&path, format!("file number {i}").repeat(i + 1)).unwrap();
        sources.push(path.into());
    }
    sources.insert(17, dir.join("missing.txt").into());
    let results = client
        .upload_many(sources)
        .concurrency(8)
        .metadata("batch", "many")
        .send()
        .await
        .unwrap();
    assert_eq!(results.len(), 61);
    for (i, result) in results.iter().enumerate() {
        if i == 17 {
            assert!(
                matches!(result, Err(uploadcare::Error::InvalidInput(m)) if m.contains("missing.txt")),
                "{result:?}"
            );
            continue;
        }
        let n = if i < 17 { i } else { i - 1 };
        let info = result.as_ref().unwrap();
        assert_eq!(info.original_filename, format!("f{n:02}.txt"));
        let record = emulator.state().file(info.uuid).unwrap();
        assert_eq!(record.data, format!("file number {n}").repeat(n + 1).as_bytes());
        assert_eq!(record.metadata.get("batch").map(String::as_str), Some("many"));
    }
    let before = emulator.state().requests().len();
    assert!(client
        .upload_many([b"x".to_vec()])
        .concurrency(0)
        .send()
        .await
        .is_err());
    assert!(client
        .upload_many([b"x".to_vec()])
        .tags(["bad tag/"])
        .send()
        .await
        .is_err());
    assert_eq!(emulator.state().requests().len(), before);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `upload_group` makes a group of the uploaded files in order; on 0.7,
/// `delete_group_with_files` removes the files and the group, `store_group_files` stores
/// every member (0.7 has no "store group").
#[cfg(all(feature = "upload", feature = "v0_7"))]
#[tokio::test]
async fn groups_upload_store_and_delete_with_their_files() {
    let emulator = Emulator::builder().autostore(false).start().await.unwrap();
    let upload = uploadcare::upload::Client::from_config(emulator.config()).unwrap();
    let rest = uploadcare::v0_7::Client::from_config(emulator.config()).unwrap();
    let sources: Vec<Vec<u8>> = (0..5).map(|i| format!("member {i}").into_bytes()).collect();
    let (group, files) = upload.upload_group(sources.clone()).await.unwrap();
    let id = group.id.clone().unwrap();
    assert!(id.ends_with("~5"), "{id}");
    let listed: Vec<_> = group.files.iter().flatten().flatten().map(|f| f.uuid).collect();
    assert_eq!(listed, files.iter().map(|f| f.uuid).collect::<Vec<_>>());
    for (file, source) in files.iter().zip(&sources) {
        assert_eq!(&emulator.state().file(file.uuid).unwrap().data[..], &source[..]);
    }

    let stored = rest.store_group_files(&id).await.unwrap();
    assert!(stored.failed.is_empty());
    for file in &files {
        assert!(emulator.state().file(file.uuid).unwrap().stored.is_some());
    }

    let deleted = rest.delete_group_with_files(&id).await.unwrap();
    assert!(deleted.failed.is_empty());
    for file in &files {
        assert!(emulator.state().file(file.uuid).unwrap().removed.is_some());
    }
    assert!(!emulator.state().lock().groups.contains_key(&id));

    // A failing upload makes no group and comes back as its own error.
    let before = emulator.state().lock().groups.len();
    let missing = std::path::PathBuf::from("/nonexistent/file.bin");
    let err = upload
        .upload_group(vec![
            uploadcare::upload::UploadSource::from(b"ok".to_vec()),
            missing.into(),
        ])
        .await
        .unwrap_err();
    assert!(
        matches!(err, uploadcare::Error::InvalidInput(ref m) if m.contains("file.bin")),
        "{err:?}"
    );
    assert_eq!(emulator.state().lock().groups.len(), before);
}

/// A direct upload reports progress while the body streams (64 KiB steps), not 0 → 100 %,
/// from bytes in memory and from a file alike.
#[cfg(feature = "upload")]
#[tokio::test]
async fn direct_uploads_report_progress_while_streaming() {
    use std::sync::{Arc, Mutex};
    use uploadcare::upload::UploadProgress;

    let emulator = Emulator::start().await.unwrap();
    let client = uploadcare::upload::Client::from_config(emulator.config()).unwrap();
    let data: Vec<u8> = (0..1024 * 1024).map(|i| (i % 253) as u8).collect();
    let path = std::env::temp_dir().join(format!("uc-progress-{}.bin", Uuid::new_v4()));
    std::fs::write(&path, &data).unwrap();
    for source in [
        uploadcare::upload::UploadSource::from(data.clone()),
        path.clone().into(),
    ] {
        let seen: Arc<Mutex<Vec<UploadProgress>>> = Arc::default();
        let record = seen.clone();
        let (tx, rx) = tokio::sync::watch::channel(UploadProgress::default());
        let info = client
            .upload(source)
            .filename("p.bin")
            .progress(tx)
            .on_progress(move |p| record.lock().unwrap().push(p))
            .send()
            .await
            .unwrap();
        assert_eq!(&emulator.state().file(info.uuid).unwrap().data[..], &data[..]);
        let seen = seen.lock().unwrap().clone();
        let total = data.len() as u64;
        assert!(seen.iter().all(|p| p.total == total));
        let intermediate = seen.iter().filter(|p| p.done > 0 && p.done < total).count();
        assert!(intermediate >= 10, "{intermediate} intermediate values: {seen:?}");
        assert!(
            seen.windows(2).all(|w| w[0].done <= w[1].done),
            "monotonic: {seen:?}"
        );
        assert_eq!(seen.last().unwrap().done, total);
        assert_eq!(rx.borrow().done, total);
    }
    std::fs::remove_file(&path).unwrap();
}

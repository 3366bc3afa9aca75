//! The emulator's faults as a client sees them on the wire, with plain `reqwest` and raw TCP:
//! resets before the body, lost and cut answers, throttling and error statuses (read after
//! the body), and the rules that pick requests (at random with a seed, a cap, one server).
//! After each fault the emulator serves the next request normally. Everything runs on
//! 127.0.0.1.

use std::io::ErrorKind;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use uploadcare_emulator::{AppliedFault, Emulator, Fault, FaultApi, FaultRule};
use uuid::Uuid;

const BOUNDARY: &str = "uploadcare-emulator-faults-boundary-Q2xq8Fw";

/// A `/base/` upload of one file (`store=1`), as a multipart body.
fn upload_body(public_key: &str, data: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, value) in [("UPLOADCARE_PUB_KEY", public_key), ("UPLOADCARE_STORE", "1")] {
        body.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"data.bin\"\r\n\
             Content-Type: application/octet-stream\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(data);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    body
}

/// Deterministic bytes.
fn test_bytes(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i.wrapping_mul(31) ^ (i >> 8)) as u8).collect()
}

/// An emulator and a client (one per test: building one loads the system's root
/// certificates, which is slow, and a client's connections belong to the test's runtime).
struct Setup {
    emulator: Emulator,
    client: reqwest::Client,
}

async fn start() -> Setup {
    Setup {
        emulator: Emulator::start().await.expect("an emulator"),
        client: reqwest::Client::builder().no_proxy().build().expect("a client"),
    }
}

/// Posts `data` as a `/base/` upload.
async fn upload(setup: &Setup, data: &[u8]) -> reqwest::Result<reqwest::Response> {
    let emulator = &setup.emulator;
    setup
        .client
        .post(format!("{}/base/", emulator.upload_base_url()))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(upload_body(emulator.public_key(), data))
        .send()
        .await
}

/// Uploads `data` without faults expected: the new file's UUID.
async fn upload_ok(setup: &Setup, data: &[u8]) -> Uuid {
    let response = upload(setup, data).await.expect("an answer");
    assert_eq!(response.status(), 200);
    let answer: serde_json::Value = response.json().await.expect("JSON");
    answer["file"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .expect("a UUID")
}

/// `GET /project/` on the REST API (simple auth).
fn project(setup: &Setup) -> reqwest::RequestBuilder {
    let emulator = &setup.emulator;
    setup
        .client
        .get(format!("{}/project/", emulator.rest_base_url()))
        .header("accept", "application/vnd.uploadcare-v0.7+json")
        .header(
            "authorization",
            format!(
                "Uploadcare.Simple {}:{}",
                emulator.public_key(),
                emulator.secret_key().expose_secret()
            ),
        )
}

/// `GET /project/`: its status.
async fn project_status(setup: &Setup) -> u16 {
    project(setup).send().await.expect("an answer").status().as_u16()
}

/// The kinds of the I/O errors in an error's source chain (the error included).
fn io_kinds(error: &(dyn std::error::Error + 'static)) -> Vec<ErrorKind> {
    let mut kinds = Vec::new();
    let mut next = Some(error);
    while let Some(error) = next {
        if let Some(io) = error.downcast_ref::<std::io::Error>() {
            kinds.push(io.kind());
        }
        next = error.source();
    }
    kinds
}

/// The messages of an error's source chain, joined.
fn chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut messages = Vec::new();
    let mut next = Some(error);
    while let Some(error) = next {
        messages.push(error.to_string());
        next = error.source();
    }
    messages.join(": ")
}

/// Files in the project and Upload API requests that reached the API.
fn stored_and_logged(emulator: &Emulator) -> (usize, usize) {
    let uploads = emulator
        .state()
        .requests()
        .iter()
        .filter(|r| r.api == "upload" && r.path == "/base/")
        .count();
    (emulator.state().file_uuids().len(), uploads)
}

/// A raw connection to the Upload API that has sent the head of a `/base/` upload of
/// `content_length` bytes (and nothing of the body yet).
async fn raw_upload_head(emulator: &Emulator, content_length: usize) -> tokio::net::TcpStream {
    let mut tcp = tokio::net::TcpStream::connect(emulator.upload_addr())
        .await
        .unwrap();
    tcp.write_all(
        format!(
            "POST /base/ HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: multipart/form-data; \
             boundary={BOUNDARY}\r\ncontent-length: {content_length}\r\n\r\n"
        )
        .as_bytes(),
    )
    .await
    .unwrap();
    tcp
}

/// Reads an answer's head (up to the blank line) off a raw connection.
async fn read_head(tcp: &mut tokio::net::TcpStream) -> String {
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let read = tokio::time::timeout(Duration::from_secs(10), tcp.read(&mut buf))
            .await
            .expect("an answer in time")
            .expect("readable");
        assert!(
            read > 0,
            "closed before the head: {}",
            String::from_utf8_lossy(&head)
        );
        head.extend_from_slice(&buf[..read]);
    }
    String::from_utf8_lossy(&head).into_owned()
}

#[tokio::test]
async fn reset_before_body_resets_the_connection_and_stores_nothing() {
    let setup = start().await;
    let emulator = &setup.emulator;
    emulator
        .faults()
        .add(FaultRule::first(2, Fault::ResetBeforeBody).on_path("/base/"));

    // Small and large bodies: a reset while waiting for the answer or while still sending.
    for size in [100, 4 << 20] {
        let error = upload(&setup, &test_bytes(size)).await.expect_err("a reset");
        assert!(error.status().is_none(), "{error:?}");
        let kinds = io_kinds(&error);
        // A reset while waiting for the answer, or a broken pipe while still sending after it.
        assert!(
            kinds.contains(&ErrorKind::ConnectionReset)
                || (error.is_request() && kinds.contains(&ErrorKind::BrokenPipe)),
            "size {size}: expected a reset, got {}",
            chain(&error)
        );
    }
    assert_eq!(stored_and_logged(emulator), (0, 0));
    assert_eq!(emulator.faults().applied(), 2);

    // On the wire: the head arrives, the server resets before reading the body.
    emulator
        .faults()
        .add(FaultRule::first(1, Fault::ResetBeforeBody).on_path("/base/"));
    let mut tcp = raw_upload_head(emulator, 100_000).await;
    let mut buf = [0u8; 64];
    let read = tokio::time::timeout(Duration::from_secs(10), tcp.read(&mut buf))
        .await
        .expect("the server closes");
    assert_eq!(
        read.map_err(|e| e.kind()),
        Err(ErrorKind::ConnectionReset),
        "expected an RST"
    );
    assert_eq!(stored_and_logged(emulator), (0, 0));

    // The next upload goes through.
    let uuid = upload_ok(&setup, b"after the reset").await;
    assert!(emulator.state().file(uuid).unwrap().stored.is_some());
}

#[tokio::test]
async fn answer_lost_closes_without_answer_after_processing() {
    let setup = start().await;
    let emulator = &setup.emulator;
    emulator
        .faults()
        .add(FaultRule::first(1, Fault::AnswerLost).on_path("/base/"));

    let error = upload(&setup, &test_bytes(200_000)).await.expect_err("no answer");
    assert!(error.status().is_none(), "{error:?}");
    assert!(
        !io_kinds(&error).contains(&ErrorKind::ConnectionReset),
        "a FIN, not a reset: {}",
        chain(&error)
    );
    assert!(
        chain(&error).contains("connection closed before message completed"),
        "{}",
        chain(&error)
    );
    // Processed: the file is there, and the request is logged with the answer it would have had.
    assert_eq!(stored_and_logged(emulator), (1, 1));
    let uuid = emulator.state().file_uuids()[0];
    assert_eq!(emulator.state().file(uuid).unwrap().data.len(), 200_000);

    // On the wire: a FIN (end of stream) and not a single byte, also for a request whose
    // body the handler does not read (a GET with a body).
    emulator
        .faults()
        .add(FaultRule::first(1, Fault::AnswerLost).on_path("/info/"));
    let mut tcp = tokio::net::TcpStream::connect(emulator.upload_addr())
        .await
        .unwrap();
    let body = test_bytes(50_000);
    tcp.write_all(
        format!(
            "GET /info/?pub_key={}&file_id={uuid} HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-length: {}\r\n\r\n",
            emulator.public_key(),
            body.len()
        )
        .as_bytes(),
    )
    .await
    .unwrap();
    tcp.write_all(&body).await.unwrap();
    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(10), tcp.read_to_end(&mut answer))
        .await
        .expect("the server closes");
    assert_eq!(read.map_err(|e| e.kind()), Ok(0), "a clean end of stream");
    assert!(emulator
        .state()
        .requests()
        .iter()
        .any(|r| r.path == "/info/" && r.status == 200));

    // The next upload goes through.
    upload_ok(&setup, b"after the lost answer").await;
    assert_eq!(emulator.state().file_uuids().len(), 2);
}

#[tokio::test]
async fn cut_answer_sends_the_head_and_half_the_body() {
    let setup = start().await;
    let emulator = &setup.emulator;
    let small = emulator
        .state()
        .add_file("small.txt", "text/plain", "hello", Some(true));
    let big_data = test_bytes(3 << 20);
    let big = emulator.state().add_file(
        "big.bin",
        "application/octet-stream",
        big_data.clone(),
        Some(true),
    );
    emulator.faults().add(FaultRule::first(2, Fault::CutAnswer));
    let info_url = format!(
        "{}/info/?pub_key={}&file_id={small}",
        emulator.upload_base_url(),
        emulator.public_key()
    );
    let cdn_url = format!("{}/{big}/", emulator.cdn_base_url());

    for url in [&info_url, &cdn_url] {
        let mut response = setup.client.get(url).send().await.expect("the head arrives");
        assert_eq!(response.status(), 200);
        let length = response.content_length().expect("a Content-Length") as usize;
        let mut received = 0;
        let error = loop {
            match response.chunk().await {
                Ok(Some(chunk)) => received += chunk.len(),
                Ok(None) => panic!("{url}: the whole body ({received} bytes) arrived"),
                Err(error) => break error,
            }
        };
        assert!(error.is_body() || error.is_decode(), "{url}: {}", chain(&error));
        assert!(
            !io_kinds(&error).contains(&ErrorKind::ConnectionReset),
            "{url}: an end of stream, not a reset: {}",
            chain(&error)
        );
        assert_eq!(received, length / 2, "{url}: half the body, then the cut");
    }
    let logged: Vec<_> = emulator
        .state()
        .requests()
        .iter()
        .map(|r| (r.path.clone(), r.status))
        .collect();
    assert!(logged.contains(&("/info/".to_owned(), 200)), "{logged:?}");
    assert!(logged.contains(&(format!("/cdn/{big}/"), 200)), "{logged:?}");

    // A REST answer, read the way clients usually read it.
    emulator
        .faults()
        .add(FaultRule::first(1, Fault::CutAnswer).on_api(FaultApi::Rest));
    let response = project(&setup).send().await.expect("the head arrives");
    assert_eq!(response.status(), 200);
    let error = response.bytes().await.expect_err("a cut body");
    assert!(error.is_body() || error.is_decode(), "{}", chain(&error));

    // Then everything is whole again.
    let bytes = setup
        .client
        .get(&cdn_url)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(bytes.as_ref(), big_data.as_slice());
    assert_eq!(project_status(&setup).await, 200);
}

#[tokio::test]
async fn throttle_answers_429_with_retry_after_without_processing() {
    let setup = start().await;
    let emulator = &setup.emulator;
    emulator.faults().add(
        FaultRule::first(1, Fault::Throttle { retry_after_secs: 7 })
            .on_path("/base/")
            .on_method("post"),
    );
    let response = upload(&setup, b"small").await.expect("an answer");
    assert_eq!(response.status(), 429);
    assert_eq!(
        response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok()),
        Some("7")
    );
    assert_eq!(stored_and_logged(emulator), (0, 0));

    // On the wire: the 429 comes before the body is sent.
    emulator
        .faults()
        .add(FaultRule::first(1, Fault::Throttle { retry_after_secs: 1 }));
    let mut tcp = raw_upload_head(emulator, 1_000_000).await;
    tcp.write_all(&test_bytes(1000)).await.unwrap();
    let head = read_head(&mut tcp).await;
    assert!(head.starts_with("HTTP/1.1 429"), "{head}");
    assert!(head.to_ascii_lowercase().contains("retry-after: 1\r\n"), "{head}");

    upload_ok(&setup, b"small").await;
    assert_eq!(stored_and_logged(emulator), (1, 1));
}

#[tokio::test]
async fn status_is_answered_reliably_after_reading_the_body() {
    let setup = start().await;
    let emulator = &setup.emulator;
    emulator
        .faults()
        .add(FaultRule::first(20, Fault::Status(503)).on_method("POST"));
    // Bodies far larger than the socket buffers: answering before reading them would make
    // the close a reset and lose the answer now and then.
    let data = test_bytes(1 << 20);
    for attempt in 0..20 {
        let response = upload(&setup, &data)
            .await
            .unwrap_or_else(|e| panic!("attempt {attempt}: {}", chain(&e)));
        assert_eq!(response.status(), 503, "attempt {attempt}");
        assert!(response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/plain")));
        assert_eq!(response.text().await.unwrap(), "Service Unavailable");
    }
    assert_eq!(stored_and_logged(emulator), (0, 0));
    assert_eq!(emulator.faults().applied(), 20);

    // On the wire: no answer while the body is still coming, the 503 once it is all there.
    emulator.faults().add(FaultRule::first(1, Fault::Status(503)));
    let body = upload_body(emulator.public_key(), &test_bytes(100_000));
    let (first, rest) = body.split_at(body.len() / 2);
    let mut tcp = raw_upload_head(emulator, body.len()).await;
    tcp.write_all(first).await.unwrap();
    let mut buf = [0u8; 64];
    let early = tokio::time::timeout(Duration::from_millis(300), tcp.read(&mut buf)).await;
    assert!(early.is_err(), "answered before the body was read: {early:?}");
    tcp.write_all(rest).await.unwrap();
    let head = read_head(&mut tcp).await;
    assert!(head.starts_with("HTTP/1.1 503"), "{head}");
    assert_eq!(stored_and_logged(emulator), (0, 0));

    upload_ok(&setup, &data).await;
    assert_eq!(stored_and_logged(emulator), (1, 1));
}

/// 200 REST requests under `sometimes(0.5, Status(503))` from `seed`: which were faulted.
async fn draw(setup: &Setup, seed: u64) -> Vec<bool> {
    let emulator = &setup.emulator;
    emulator.faults().clear();
    emulator.faults().seed(seed);
    emulator
        .faults()
        .add(FaultRule::sometimes(0.5, Fault::Status(503)));
    let mut faulted = Vec::new();
    for _ in 0..200 {
        match project_status(setup).await {
            503 => faulted.push(true),
            200 => faulted.push(false),
            other => panic!("status {other}"),
        }
    }
    faulted
}

#[tokio::test]
async fn sometimes_is_random_but_reproducible_with_a_seed() {
    let setup = start().await;
    let emulator = &setup.emulator;
    let first = draw(&setup, 42).await;
    let hits = first.iter().filter(|&&hit| hit).count();
    assert!((60..=140).contains(&hits), "{hits} of 200");
    assert_eq!(draw(&setup, 42).await, first, "the same seed, the same faults");
    assert_ne!(draw(&setup, 7).await, first, "another seed, other faults");

    // The log lists each applied fault, in order.
    let log = emulator.faults().applied_log();
    assert_eq!(log.len(), emulator.faults().applied());
    assert_eq!(
        log[0],
        AppliedFault {
            api: FaultApi::Rest,
            method: "GET".to_owned(),
            path: "/project/".to_owned(),
            fault: Fault::Status(503),
        }
    );
}

#[tokio::test]
async fn times_caps_a_random_rule() {
    let setup = start().await;
    let emulator = &setup.emulator;
    emulator
        .faults()
        .add(FaultRule::sometimes(0.5, Fault::Status(503)).times(3));
    let mut statuses = Vec::new();
    for _ in 0..60 {
        statuses.push(project_status(&setup).await);
    }
    assert_eq!(statuses.iter().filter(|&&s| s == 503).count(), 3, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|&&s| s == 200).count(), 57);
    assert_eq!(emulator.faults().applied(), 3);
}

#[tokio::test]
async fn on_api_restricts_a_rule_to_one_server() {
    let setup = start().await;
    let emulator = &setup.emulator;
    let uuid = emulator
        .state()
        .add_file("a.txt", "text/plain", "content", Some(true));
    let cdn = format!("{}/{uuid}/", emulator.cdn_base_url());

    emulator
        .faults()
        .add(FaultRule::always(Fault::Status(503)).on_api(FaultApi::Rest));
    assert_eq!(project_status(&setup).await, 503);
    assert_eq!(setup.client.get(&cdn).send().await.unwrap().status(), 200);
    upload_ok(&setup, b"upload API untouched").await;

    // The CDN is on the Upload API's server.
    emulator.faults().clear();
    emulator
        .faults()
        .add(FaultRule::always(Fault::Status(502)).on_api(FaultApi::Upload));
    assert_eq!(project_status(&setup).await, 200);
    assert_eq!(setup.client.get(&cdn).send().await.unwrap().status(), 502);
    assert_eq!(upload(&setup, b"x").await.unwrap().status(), 502);

    let apis: Vec<FaultApi> = emulator
        .faults()
        .applied_log()
        .iter()
        .map(|applied| applied.api)
        .collect();
    assert_eq!(apis, [FaultApi::Rest, FaultApi::Upload, FaultApi::Upload]);
    emulator.faults().clear();
    assert_eq!(setup.client.get(&cdn).send().await.unwrap().status(), 200);
}

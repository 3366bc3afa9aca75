//! The request path under faults of every kind, against the emulator: what the README
//! promises ("what is retried, what is never repeated, what an error tells you") checked
//! file by file, with fixed seeds.
//!
//! Uploads: 100 sources of every kind through `upload_many` (8 in flight) while the Upload
//! API throttles (before reading the body), resets connections before reading the body,
//! answers 502/503/504, cuts answers while they are read, and loses answers after
//! processing the request — on `/base/`, `/multipart/start/`, part PUTs,
//! `/multipart/complete/` and `/info/`. Every file reported `Ok` is stored exactly once,
//! byte for byte; every `Incomplete` uuid is the one copy; `OutcomeUnknown` files are
//! stored at most once; other errors stored nothing; nothing is stored twice or from
//! nowhere; no creating request the classifier forbids was repeated.
//!
//! REST: paging, batch store/delete, metadata and tag writes, and local copies (a creating
//! operation) under the same faults.

#![cfg(all(feature = "upload", feature = "v0_7"))]

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_util::TryStreamExt;
use uploadcare::upload::{Client, UploadSource};
use uploadcare::{Error, RetryPolicy, UploadStage};
use uploadcare_emulator::{AppliedFault, Emulator, Fault, FaultApi, FaultRule};

const MIB: usize = 1024 * 1024;

/// Deterministic content: every file's bytes differ from every other file's.
fn content(seed: u64, len: usize) -> Vec<u8> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        out.extend_from_slice(&state.to_le_bytes());
    }
    out.truncate(len);
    out
}

/// A scratch directory removed at the end.
struct Scratch(std::path::PathBuf);

impl Scratch {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("uploadcare-chaos-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn policy() -> RetryPolicy {
    RetryPolicy {
        max_retries: 10,
        initial_backoff: Duration::from_millis(5),
        max_backoff: Duration::from_millis(80),
        max_retry_after: Duration::from_secs(2),
    }
}

/// The upload faults of one run: every kind on every Upload API endpoint, some first-N,
/// most by chance.
fn upload_faults(emulator: &Emulator, seed: u64) {
    let faults = emulator.faults();
    faults.seed(seed);
    let on = |rule: FaultRule, method: &str, path: &str| {
        faults.add(rule.on_api(FaultApi::Upload).on_method(method).on_path(path));
    };
    // Throttled before the body is read: the first requests of each creating endpoint.
    on(
        FaultRule::first(2, Fault::Throttle { retry_after_secs: 1 }),
        "POST",
        "/base/",
    );
    on(
        FaultRule::first(1, Fault::Throttle { retry_after_secs: 1 }),
        "POST",
        "/multipart/start/",
    );
    // A lost and a cut answer of a creating request at most once per run each: each costs
    // a shared request's files their certainty, and the share of `Ok` must stay stable.
    on(
        FaultRule::sometimes(0.08, Fault::AnswerLost).times(1),
        "POST",
        "/base/",
    );
    on(
        FaultRule::sometimes(0.08, Fault::CutAnswer).times(1),
        "POST",
        "/base/",
    );
    on(
        FaultRule::sometimes(0.3, Fault::AnswerLost).times(1),
        "POST",
        "/multipart/start/",
    );
    for (method, path) in [
        ("POST", "/base/"),
        ("POST", "/multipart/start/"),
        ("PUT", "/multipart/part/"),
        ("POST", "/multipart/complete/"),
        ("GET", "/info/"),
    ] {
        on(FaultRule::sometimes(0.04, Fault::ResetBeforeBody), method, path);
        on(
            FaultRule::sometimes(0.04, Fault::Throttle { retry_after_secs: 0 }),
            method,
            path,
        );
    }
    for (method, path) in [
        ("PUT", "/multipart/part/"),
        ("POST", "/multipart/complete/"),
        ("GET", "/info/"),
    ] {
        on(FaultRule::sometimes(0.05, Fault::AnswerLost), method, path);
        on(FaultRule::sometimes(0.05, Fault::CutAnswer), method, path);
        on(FaultRule::sometimes(0.03, Fault::Status(502)), method, path);
        on(FaultRule::sometimes(0.03, Fault::Status(503)), method, path);
        on(FaultRule::sometimes(0.03, Fault::Status(504)), method, path);
    }
    // Two 504s on completions, as in the field report of the issue.
    on(
        FaultRule::first(2, Fault::Status(504)),
        "POST",
        "/multipart/complete/",
    );
}

/// What the run made of one source.
#[derive(Debug)]
enum Verdict {
    Ok(uuid::Uuid),
    Incomplete(uuid::Uuid, UploadStage),
    Unknown,
    Failed(String),
}

async fn upload_chaos(seed: u64) {
    let scratch = Scratch::new(&format!("uploads-{seed}"));
    let emulator = Emulator::start().await.unwrap();
    let client = Client::from_config(emulator.config().with_retry_policy(policy())).unwrap();

    // 100 sources: 1 empty, 45 small in memory, 30 small paths (these share /base/
    // requests), 20 paths of 1–3 MiB, 3 multipart paths of 26 MiB, 1 stream of unknown
    // length.
    let mut expected: Vec<Vec<u8>> = Vec::new();
    let mut sources: Vec<UploadSource> = Vec::new();
    let mut add = |bytes: Vec<u8>, source: UploadSource, expected: &mut Vec<Vec<u8>>| {
        expected.push(bytes);
        sources.push(source);
    };
    add(Vec::new(), UploadSource::from(Vec::new()), &mut expected);
    let mut n = seed * 1000;
    let mut next = || {
        n += 1;
        n
    };
    for i in 0..45 {
        let bytes = content(next(), 100 + i * 997);
        add(bytes.clone(), UploadSource::from(bytes), &mut expected);
    }
    let write = |name: String, bytes: &[u8]| {
        let path = scratch.0.join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    };
    for i in 0..30 {
        let bytes = content(next(), 2000 + i * 7001);
        let path = write(format!("small-{i}.bin"), &bytes);
        add(bytes, UploadSource::from(path), &mut expected);
    }
    for i in 0..20 {
        let bytes = content(next(), MIB + i * 100_003);
        let path = write(format!("medium-{i}.bin"), &bytes);
        add(bytes, UploadSource::from(path), &mut expected);
    }
    for i in 0..3 {
        let bytes = content(next(), 26 * MIB + i * 4099);
        let path = write(format!("large-{i}.bin"), &bytes);
        add(bytes, UploadSource::from(path), &mut expected);
    }
    let streamed = content(next(), 3 * MIB + 17);
    let chunks: Vec<Result<Bytes, std::io::Error>> = streamed
        .chunks(64 * 1024)
        .map(|c| Ok(Bytes::copy_from_slice(c)))
        .collect();
    add(
        streamed.clone(),
        UploadSource::stream(futures_util::stream::iter(chunks)),
        &mut expected,
    );
    assert_eq!(sources.len(), 100);

    upload_faults(&emulator, seed);
    let started = Instant::now();
    let results = client.upload_many(sources).concurrency(8).send().await.unwrap();
    let took = started.elapsed();
    let applied: Vec<AppliedFault> = emulator.faults().applied_log();

    let verdicts: Vec<Verdict> = results
        .into_iter()
        .map(|result| match result {
            Ok(info) => Verdict::Ok(info.uuid),
            Err(Error::Incomplete { uuid, stage, .. }) => Verdict::Incomplete(uuid, stage),
            Err(Error::OutcomeUnknown { .. }) => Verdict::Unknown,
            Err(e) => Verdict::Failed(e.to_string()),
        })
        .collect();

    // Which stored files hold each source's bytes.
    let project = emulator.state().lock();
    let mut stored: BTreeMap<&[u8], Vec<uuid::Uuid>> = BTreeMap::new();
    for (uuid, file) in &project.files {
        stored.entry(file.data.as_ref()).or_default().push(*uuid);
    }
    let mut accounted = 0;
    let (mut ok, mut incomplete, mut unknown, mut failed) = (0, 0, 0, 0);
    for (index, (bytes, verdict)) in expected.iter().zip(&verdicts).enumerate() {
        let copies = stored.get(bytes.as_slice()).cloned().unwrap_or_default();
        accounted += copies.len();
        let what = format!(
            "seed {seed}, source {index} ({} bytes): {verdict:?}, stored as {copies:?}",
            bytes.len()
        );
        match verdict {
            Verdict::Ok(uuid) => {
                ok += 1;
                assert_eq!(
                    copies,
                    vec![*uuid],
                    "{what}: Ok means stored exactly once, byte for byte"
                );
            }
            Verdict::Incomplete(uuid, stage) => {
                incomplete += 1;
                match stage {
                    // Not completed: the upload is pending under its uuid, nothing stored.
                    UploadStage::Complete => {
                        assert!(copies.is_empty(), "{what}");
                        assert!(project.uploads.multipart.contains_key(uuid), "{what}");
                    }
                    _ => assert_eq!(copies, vec![*uuid], "{what}: the uuid is the one copy"),
                }
            }
            Verdict::Unknown => {
                unknown += 1;
                assert!(copies.len() <= 1, "{what}: stored at most once");
            }
            Verdict::Failed(error) => {
                failed += 1;
                assert!(copies.is_empty(), "{what}: a failure ({error}) stored nothing");
            }
        }
    }
    // The empty file and equal-content files do not exist here: every source differs.
    assert_eq!(
        accounted,
        project.files.len(),
        "seed {seed}: files stored from nowhere"
    );
    drop(project);

    // No creating request was processed twice: one processed /multipart/start/ per
    // multipart file at most.
    let starts = emulator
        .state()
        .requests()
        .iter()
        .filter(|r| r.path == "/multipart/start/" && r.status < 300)
        .count();
    assert!(starts <= 3, "seed {seed}: {starts} multipart starts processed");

    eprintln!(
        "seed {seed}: {ok} ok, {incomplete} incomplete, {unknown} unknown, {failed} failed; {} faults applied; {took:?}",
        applied.len()
    );
    for kind in ["Throttle", "ResetBeforeBody", "CutAnswer", "AnswerLost", "Status"] {
        assert!(
            applied.iter().any(|a| format!("{:?}", a.fault).starts_with(kind)),
            "seed {seed}: no {kind} fault was applied: {applied:?}"
        );
    }
    assert_eq!(
        failed, 0,
        "seed {seed}: every failure here is one the client must survive: {verdicts:?}"
    );
    assert!(ok >= 70, "seed {seed}: only {ok} of 100 files Ok: {verdicts:?}");
    assert!(took < Duration::from_secs(60), "seed {seed}: took {took:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_under_faults_seed_1() {
    upload_chaos(1).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_under_faults_seed_2() {
    upload_chaos(2).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_under_faults_seed_3() {
    upload_chaos(3).await;
}

/// Each fault kind on its own, on each endpoint, for one upload: what it must end in.
#[tokio::test]
async fn each_fault_alone_on_one_upload() {
    let scratch = Scratch::new("alone");
    let large = content(77, 11 * MIB);
    let large_path = scratch.0.join("large.bin");
    std::fs::write(&large_path, &large).unwrap();
    let small = content(78, 5000);

    // (method, path, fault, multipart?, expected: "ok" or "unknown")
    let cases: Vec<(&str, &str, Fault, bool, &str)> = vec![
        (
            "POST",
            "/base/",
            Fault::Throttle { retry_after_secs: 0 },
            false,
            "ok",
        ),
        ("POST", "/base/", Fault::ResetBeforeBody, false, "ok"),
        ("POST", "/base/", Fault::AnswerLost, false, "unknown"),
        ("POST", "/base/", Fault::CutAnswer, false, "unknown"),
        ("GET", "/info/", Fault::AnswerLost, false, "ok"),
        ("GET", "/info/", Fault::CutAnswer, false, "ok"),
        ("GET", "/info/", Fault::Status(502), false, "ok"),
        ("GET", "/info/", Fault::ResetBeforeBody, false, "ok"),
        (
            "POST",
            "/multipart/start/",
            Fault::Throttle { retry_after_secs: 0 },
            true,
            "ok",
        ),
        ("POST", "/multipart/start/", Fault::ResetBeforeBody, true, "ok"),
        ("POST", "/multipart/start/", Fault::AnswerLost, true, "unknown"),
        ("PUT", "/multipart/part/", Fault::Status(503), true, "ok"),
        ("PUT", "/multipart/part/", Fault::ResetBeforeBody, true, "ok"),
        ("PUT", "/multipart/part/", Fault::AnswerLost, true, "ok"),
        ("PUT", "/multipart/part/", Fault::CutAnswer, true, "ok"),
        ("POST", "/multipart/complete/", Fault::Status(504), true, "ok"),
        ("POST", "/multipart/complete/", Fault::AnswerLost, true, "ok"),
        ("POST", "/multipart/complete/", Fault::CutAnswer, true, "ok"),
        ("POST", "/multipart/complete/", Fault::ResetBeforeBody, true, "ok"),
    ];
    for (method, path, fault, multipart, expected) in cases {
        let emulator = Emulator::start().await.unwrap();
        let client = Client::from_config(emulator.config().with_retry_policy(policy())).unwrap();
        emulator
            .faults()
            .add(FaultRule::first(1, fault.clone()).on_method(method).on_path(path));
        let (bytes, source): (&[u8], UploadSource) = if multipart {
            (&large, UploadSource::from(large_path.clone()))
        } else {
            (&small, UploadSource::from(small.clone()))
        };
        let result = client
            .upload(source)
            .multipart_threshold(10 * MIB as u64)
            .send()
            .await;
        let case = format!("{fault:?} on {method} {path}: {result:?}");
        assert_eq!(emulator.faults().applied(), 1, "{case}: the fault was applied");
        let copies: Vec<uuid::Uuid> = emulator
            .state()
            .lock()
            .files
            .iter()
            .filter(|(_, f)| f.data.as_ref() == bytes)
            .map(|(uuid, _)| *uuid)
            .collect();
        match expected {
            "ok" => {
                let info = result.unwrap_or_else(|e| panic!("{case}: {e}"));
                assert_eq!(copies, vec![info.uuid], "{case}");
            }
            _ => {
                assert!(matches!(result, Err(Error::OutcomeUnknown { .. })), "{case}");
                assert!(copies.len() <= 1, "{case}");
                if path == "/base/" {
                    assert_eq!(copies.len(), 1, "{case}: the lost answer's file was stored");
                }
            }
        }
    }
}

/// REST under faults: every listed file once across pages, batch store/delete with no
/// failed chunk, every metadata and tag write landed, copies made at most once.
async fn rest_chaos(seed: u64) {
    use uploadcare::v0_7::types::LocalCopyRequest;
    let emulator = Emulator::start().await.unwrap();
    let client =
        uploadcare::v0_7::Client::from_config(emulator.config().with_retry_policy(policy())).unwrap();
    let mut uuids = Vec::new();
    for i in 0..250u64 {
        let data = content(seed * 10_000 + i, 64 + i as usize);
        uuids.push(emulator.state().add_file(
            &format!("f{i}.bin"),
            "application/octet-stream",
            data,
            Some(false),
        ));
    }
    let faults = emulator.faults();
    faults.seed(seed);
    for fault in [
        Fault::Throttle { retry_after_secs: 0 },
        Fault::Status(502),
        Fault::Status(503),
        Fault::ResetBeforeBody,
        Fault::CutAnswer,
        Fault::AnswerLost,
    ] {
        faults.add(FaultRule::sometimes(0.05, fault).on_api(FaultApi::Rest));
    }

    // Paging: each file exactly once.
    let mut listed = BTreeMap::new();
    let mut files = client.all_files(|list| list.limit(20)).items();
    while let Some(file) = files.try_next().await.unwrap() {
        *listed.entry(file.uuid).or_insert(0) += 1;
    }
    assert_eq!(listed.len(), 250, "seed {seed}");
    assert!(listed.values().all(|n| *n == 1), "seed {seed}: listed twice");

    // Batch store: no failed chunk, all stored.
    let outcome = client
        .store_many(uuids.iter().map(ToString::to_string))
        .await
        .unwrap();
    assert!(outcome.failed.is_empty(), "seed {seed}: {:?}", outcome.failed);
    assert!(uuids
        .iter()
        .all(|u| emulator.state().file(*u).unwrap().stored.is_some()));

    // Metadata and tag writes (idempotent) all land.
    for (i, uuid) in uuids.iter().take(40).enumerate() {
        client
            .update_file_metadata_key()
            .uuid(*uuid)
            .key("run")
            .body(format!("v{i}"))
            .send()
            .await
            .unwrap();
        client
            .replace_file_tags()
            .uuid(*uuid)
            .body(uploadcare::v0_7::types::FileTagsReplaceRequest {
                tags: vec![format!("t{i}")],
            })
            .send()
            .await
            .unwrap();
    }
    for (i, uuid) in uuids.iter().take(40).enumerate() {
        let file = emulator.state().file(*uuid).unwrap();
        assert_eq!(file.metadata.get("run"), Some(&format!("v{i}")), "seed {seed}");
        assert_eq!(file.tags, vec![format!("t{i}")], "seed {seed}");
    }

    // Local copies (creating): made exactly once when Ok, at most once when unknown,
    // never on another error.
    let (mut made, mut unknown, mut refused) = (0, 0, 0);
    for uuid in uuids.iter().skip(100).take(60) {
        let data = emulator.state().file(*uuid).unwrap().data;
        let result = client
            .create_local_copy()
            .body(LocalCopyRequest {
                source: uuid.to_string(),
                store: None,
                metadata: None,
            })
            .send()
            .await
            .map_err(Error::from);
        let copies = emulator
            .state()
            .lock()
            .files
            .values()
            .filter(|f| f.data == data)
            .count()
            - 1;
        match result {
            Ok(_) => {
                made += 1;
                assert_eq!(copies, 1, "seed {seed}: copy of {uuid} made {copies} times");
            }
            Err(Error::OutcomeUnknown { .. }) => {
                unknown += 1;
                assert!(copies <= 1, "seed {seed}: copy of {uuid} made {copies} times");
            }
            Err(e) => {
                refused += 1;
                assert_eq!(copies, 0, "seed {seed}: {e}: copy of {uuid} made anyway");
            }
        }
    }

    // Batch delete: no failed chunk, all removed.
    let outcome = client
        .delete_many(uuids.iter().map(ToString::to_string))
        .await
        .unwrap();
    assert!(outcome.failed.is_empty(), "seed {seed}: {:?}", outcome.failed);
    assert!(uuids
        .iter()
        .all(|u| emulator.state().file(*u).unwrap().removed.is_some()));
    eprintln!(
        "rest seed {seed}: copies {made} made, {unknown} unknown, {refused} refused; {} faults applied",
        emulator.faults().applied()
    );
    assert!(
        emulator.faults().applied() >= 20,
        "seed {seed}: too few faults to mean anything"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rest_under_faults_seed_1() {
    rest_chaos(1).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rest_under_faults_seed_2() {
    rest_chaos(2).await;
}

/// A file that exists but could not be finished is reported with its uuid, at the stage
/// that failed: `/info/` after `/base/`, or `/multipart/complete/` (which can then be
/// finished with that uuid).
#[tokio::test]
async fn incomplete_uploads_carry_the_uuid_of_the_one_copy() {
    let scratch = Scratch::new("incomplete");
    let few = RetryPolicy {
        max_retries: 2,
        ..policy()
    };
    // `/info/` keeps failing after a direct upload.
    let emulator = Emulator::start().await.unwrap();
    let client = Client::from_config(emulator.config().with_retry_policy(few.clone())).unwrap();
    emulator
        .faults()
        .add(FaultRule::always(Fault::Status(503)).on_path("/info/"));
    let small = content(90, 4000);
    match client.upload(small.clone()).send().await {
        Err(Error::Incomplete {
            uuid,
            stage: UploadStage::Info,
            source,
        }) => {
            assert_eq!(
                emulator.state().file(uuid).unwrap().data.as_ref(),
                small.as_slice()
            );
            assert_eq!(source.status(), Some(503));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(emulator.state().lock().files.len(), 1);

    // `/multipart/complete/` keeps failing: the upload is pending under its uuid.
    let emulator = Emulator::start().await.unwrap();
    let client = Client::from_config(emulator.config().with_retry_policy(few.clone())).unwrap();
    emulator
        .faults()
        .add(FaultRule::always(Fault::Status(502)).on_path("/multipart/complete/"));
    let large = content(91, 11 * MIB);
    let path = scratch.0.join("large.bin");
    std::fs::write(&path, &large).unwrap();
    let uuid = match client
        .upload(path.clone())
        .multipart_threshold(10 * MIB as u64)
        .send()
        .await
    {
        Err(Error::Incomplete {
            uuid,
            stage: UploadStage::Complete,
            ..
        }) => uuid,
        other => panic!("{other:?}"),
    };
    assert!(emulator.state().lock().uploads.multipart.contains_key(&uuid));
    // Finishing it later with that uuid gives the file, byte for byte.
    emulator.faults().clear();
    let info = client.multipart_complete(uuid).await.unwrap();
    assert_eq!(info.uuid, uuid);
    assert_eq!(
        emulator.state().file(uuid).unwrap().data.as_ref(),
        large.as_slice()
    );
}

/// With a client of the caller's own (which may speak HTTP/2, where one reset fails every
/// stream of a connection, processed ones included), a reset after the whole body was sent
/// is not taken as "not read": a creating request is not repeated.
#[tokio::test]
async fn a_reset_after_the_body_is_not_trusted_with_a_custom_client() {
    let emulator = Emulator::start().await.unwrap();
    let config = emulator
        .config()
        .with_retry_policy(policy())
        .with_http_client(reqwest::Client::new());
    let client = Client::from_config(config).unwrap();
    emulator
        .faults()
        .add(FaultRule::first(1, Fault::ResetBeforeBody).on_path("/base/"));
    let result = client.upload(content(93, 2000)).send().await;
    assert!(matches!(result, Err(Error::OutcomeUnknown { .. })), "{result:?}");
    // The crate's own client (HTTP/1 only) takes the same reset as "not read" and repeats.
    let own = Client::from_config(emulator.config().with_retry_policy(policy())).unwrap();
    emulator
        .faults()
        .add(FaultRule::first(1, Fault::ResetBeforeBody).on_path("/base/"));
    own.upload(content(94, 2000)).send().await.unwrap();
}

//! Upload flows beyond one file of known length, against the emulator: many files with a
//! bound on requests in flight (small ones sharing requests), sources of unknown length
//! (pipes and streams), byte-level progress of multipart uploads and uploads from URL.

#![cfg(feature = "upload")]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use md5::Digest;
use tokio::io::AsyncWriteExt;
use uploadcare::upload::{Client, UploadProgress, UploadSource};
use uploadcare_emulator::{Emulator, Fault, FaultRule};

const MIB: usize = 1024 * 1024;

/// Byte `i` of the test content: not periodic in any part size.
fn byte(i: usize) -> u8 {
    ((i * 7919) % 251) as u8 ^ (i >> 13) as u8
}

fn content(len: usize) -> Vec<u8> {
    (0..len).map(byte).collect()
}

/// A scratch directory removed at the end.
struct Scratch(std::path::PathBuf);

impl Scratch {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("uc-{name}-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    fn entries(&self) -> usize {
        std::fs::read_dir(&self.0).unwrap().count()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The read end of an OS pipe (not seekable, no length) with `len` bytes of [`content`]
/// written into it by another task, in 64 KiB writes.
fn pipe_of(len: usize) -> tokio::net::unix::pipe::Receiver {
    let (mut sender, receiver) = tokio::net::unix::pipe::pipe().unwrap();
    tokio::spawn(async move {
        let mut at = 0;
        while at < len {
            let end = (at + 64 * 1024).min(len);
            let chunk: Vec<u8> = (at..end).map(byte).collect();
            sender.write_all(&chunk).await.unwrap();
            at = end;
        }
    });
    receiver
}

/// 200 small files with a limit of 3: never more than 3 requests at the emulator at once,
/// the small files share `/base/` requests (3, one per permit), and every result is its
/// own source's file.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_small_files_keep_within_the_request_limit_and_map_to_their_sources() {
    let emulator = Emulator::start().await.unwrap();
    // Every request takes a little while, so requests overlap whenever the client allows.
    emulator
        .faults()
        .add(FaultRule::always(Fault::Delay(Duration::from_millis(5))));
    let client = Client::from_config(emulator.config()).unwrap();
    let dir = Scratch::new("many");
    let mut sources: Vec<UploadSource> = Vec::new();
    for i in 0..200 {
        if i % 2 == 0 {
            let path = dir.0.join(format!("file-{i:03}.txt"));
            std::fs::write(&path, format!("file {i} ").repeat(i % 7 + 1)).unwrap();
            sources.push(path.into());
        } else {
            sources.push(format!("bytes {i} ").repeat(i % 5 + 1).into_bytes().into());
        }
    }
    let seen: Arc<Mutex<Vec<(usize, UploadProgress)>>> = Arc::default();
    let record = seen.clone();
    let results = client
        .upload_many(sources)
        .concurrency(3)
        .metadata("run", "many")
        .on_progress(move |index, p| record.lock().unwrap().push((index, p)))
        .send()
        .await
        .unwrap();

    let traffic = emulator.traffic();
    assert!(
        traffic.max_in_flight() <= 3,
        "{} at once",
        traffic.max_in_flight()
    );
    assert!(traffic.max_in_flight() >= 2, "requests never overlapped");
    let base = emulator
        .state()
        .requests()
        .iter()
        .filter(|r| r.path == "/base/")
        .count();
    assert_eq!(base, 3, "200 small files in 3 shared requests");
    assert_eq!(results.len(), 200);
    let mut uuids = std::collections::HashSet::new();
    for (i, result) in results.iter().enumerate() {
        let info = result.as_ref().unwrap();
        let record = emulator.state().file(info.uuid).unwrap();
        let (expected, name) = if i % 2 == 0 {
            (format!("file {i} ").repeat(i % 7 + 1), format!("file-{i:03}.txt"))
        } else {
            (format!("bytes {i} ").repeat(i % 5 + 1), "file".to_owned())
        };
        assert_eq!(record.data, expected.as_bytes(), "source {i}");
        assert_eq!(info.original_filename, name);
        assert_eq!(record.metadata.get("run").map(String::as_str), Some("many"));
        assert!(uuids.insert(info.uuid), "source {i} got another source's file");
        // Progress of each file ends at its size.
        let last = seen
            .lock()
            .unwrap()
            .iter()
            .rev()
            .find(|(index, _)| *index == i)
            .map(|(_, p)| *p);
        let size = expected.len() as u64;
        assert_eq!(
            last,
            Some(UploadProgress {
                done: size,
                total: size
            }),
            "source {i}"
        );
    }
}

/// Without batching every file is its own `/base/` request; still within the limit.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_batching_each_small_file_is_its_own_request() {
    let emulator = Emulator::start().await.unwrap();
    emulator
        .faults()
        .add(FaultRule::always(Fault::Delay(Duration::from_millis(2))));
    let client = Client::from_config(emulator.config()).unwrap();
    let sources: Vec<Vec<u8>> = (0..20).map(|i| vec![i as u8; 10 + i]).collect();
    let results = client
        .upload_many(sources.clone())
        .concurrency(2)
        .batch_small_files(false)
        .send()
        .await
        .unwrap();
    assert!(emulator.traffic().max_in_flight() <= 2);
    let base = emulator
        .state()
        .requests()
        .iter()
        .filter(|r| r.path == "/base/")
        .count();
    assert_eq!(base, 20);
    for (result, source) in results.iter().zip(&sources) {
        let info = result.as_ref().unwrap();
        assert_eq!(&emulator.state().file(info.uuid).unwrap().data[..], &source[..]);
    }
}

/// `send_uploaded` asks for no `/info/`: small files cost one shared `/base/` request per
/// batch, a single direct upload one `/base/`, a multipart file its own requests; every
/// result names the file the emulator stored, with the name and size sent. `send` on the
/// same sources asks `/info/` once per file.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn send_uploaded_skips_the_info_requests() {
    let emulator = Emulator::start().await.unwrap();
    let client = Client::from_config(emulator.config()).unwrap();
    let dir = Scratch::new("uploaded");
    let mut paths: Vec<std::path::PathBuf> = Vec::new();
    for i in 0..30 {
        let path = dir.0.join(format!("small-{i}.txt"));
        std::fs::write(&path, vec![b'a' + (i % 26) as u8; 100 + i]).unwrap();
        paths.push(path);
    }
    let large = dir.0.join("large.bin");
    std::fs::write(&large, content(11 * MIB)).unwrap();
    paths.push(large);
    let info_requests = |emulator: &Emulator| {
        emulator
            .state()
            .requests()
            .iter()
            .filter(|r| r.path == "/info/")
            .count()
    };

    let results = client
        .upload_many(paths.clone())
        .concurrency(4)
        .multipart_threshold(10 * MIB as u64)
        .send_uploaded()
        .await
        .unwrap();
    assert_eq!(info_requests(&emulator), 0, "no /info/ at all");
    for (i, (result, path)) in results.iter().zip(&paths).enumerate() {
        let file = result.as_ref().unwrap();
        let stored = emulator.state().file(file.uuid).unwrap();
        assert_eq!(stored.data.len() as u64, file.size, "{i}");
        assert_eq!(&stored.data[..], &std::fs::read(path).unwrap()[..], "{i}");
        assert_eq!(file.filename, path.file_name().unwrap().to_str().unwrap());
    }
    let base = emulator
        .state()
        .requests()
        .iter()
        .filter(|r| r.path == "/base/")
        .count();
    assert!(
        base <= 4,
        "30 small files in shared requests, got {base} /base/ requests"
    );

    // The same with infos: one /info/ per file that had no info from its upload.
    let results = client
        .upload_many(paths.clone())
        .concurrency(4)
        .multipart_threshold(10 * MIB as u64)
        .send()
        .await
        .unwrap();
    assert!(results.iter().all(Result::is_ok));
    assert_eq!(info_requests(&emulator), 30);
}

/// A shared request that fails (here: the first `/base/` answers 400) does not fail its
/// files: each is uploaded on its own and gets its own result.
#[tokio::test]
async fn a_failed_shared_request_falls_back_to_one_request_per_file() {
    let emulator = Emulator::start().await.unwrap();
    emulator
        .faults()
        .add(FaultRule::first(1, Fault::Status(400)).on_path("/base/"));
    let client = Client::from_config(emulator.config()).unwrap();
    let sources: Vec<Vec<u8>> = (0..9).map(|i| format!("small {i}").into_bytes()).collect();
    let results = client
        .upload_many(sources.clone())
        .concurrency(2)
        .send()
        .await
        .unwrap();
    for (result, source) in results.iter().zip(&sources) {
        let info = result.as_ref().unwrap();
        assert_eq!(&emulator.state().file(info.uuid).unwrap().data[..], &source[..]);
    }
    assert_eq!(emulator.faults().applied(), 1);
    // 9 files → 2 shared requests of 5 and 4; the failed one (5 files) came back as 5
    // single requests (the faulted request never reaches the log).
    let base = emulator
        .state()
        .requests()
        .iter()
        .filter(|r| r.path == "/base/")
        .count();
    assert_eq!(base, 1 + 5);
}

/// `upload_many(...).wait_until_ready(..)` gives ready files, batched or not.
#[tokio::test]
async fn many_uploads_can_wait_until_ready() {
    let emulator = Emulator::start().await.unwrap();
    let client = Client::from_config(emulator.config()).unwrap();
    let sources: Vec<Vec<u8>> = (0..6).map(|i| format!("ready {i}").into_bytes()).collect();
    let results = client
        .upload_many(sources)
        .concurrency(2)
        .wait_until_ready(uploadcare::runtime::WaitPolicy {
            first_delay: Duration::from_millis(5),
            timeout: Duration::from_secs(10),
            ..Default::default()
        })
        .send()
        .await
        .unwrap();
    for result in results {
        assert!(result.unwrap().is_ready);
    }
}

/// 60 MiB from a pipe of unknown length (nothing can seek or ask its size) arrives intact
/// as a multipart upload; the spooled temporary file is gone afterwards.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixty_mib_from_a_pipe_of_unknown_length_arrive_intact() {
    let emulator = Emulator::start().await.unwrap();
    let client = Client::from_config(emulator.config()).unwrap();
    let spool = Scratch::new("spool");
    let len = 60 * MIB;
    let info = client
        .upload(UploadSource::unsized_reader(pipe_of(len)))
        .filename("piped.bin")
        .spool_dir(&spool.0)
        .send()
        .await
        .unwrap();
    assert_eq!(info.size, len as i64);
    assert_eq!(info.original_filename, "piped.bin");
    let record = emulator.state().file(info.uuid).unwrap();
    assert_eq!(record.data.len(), len);
    assert_eq!(
        md5::Md5::digest(&record.data),
        md5::Md5::digest(content(len)),
        "the bytes differ"
    );
    let requests = emulator.state().requests();
    let count = |path: &str| requests.iter().filter(|r| r.path == path).count();
    assert_eq!(count("/multipart/start/"), 1);
    assert_eq!(count("/multipart/complete/"), 1);
    assert_eq!(spool.entries(), 0, "the temporary file was left behind");
}

/// A short source of unknown length (reader or stream) is one direct upload from memory:
/// nothing is spooled.
#[tokio::test]
async fn short_sources_of_unknown_length_go_direct_from_memory() {
    let emulator = Emulator::start().await.unwrap();
    let client = Client::from_config(emulator.config()).unwrap();
    let spool = Scratch::new("spool-short");
    let data = content(3 * MIB + 17);

    let piped = client
        .upload(UploadSource::unsized_reader(pipe_of(data.len())))
        .spool_dir(&spool.0)
        .send()
        .await
        .unwrap();
    assert_eq!(&emulator.state().file(piped.uuid).unwrap().data[..], &data[..]);

    let chunks: Vec<Result<bytes::Bytes, std::io::Error>> = data
        .chunks(100_000)
        .map(|c| Ok(bytes::Bytes::copy_from_slice(c)))
        .collect();
    let streamed = client
        .upload(UploadSource::stream(futures_util::stream::iter(chunks)))
        .filename("streamed.bin")
        .spool_dir(&spool.0)
        .send()
        .await
        .unwrap();
    assert_eq!(&emulator.state().file(streamed.uuid).unwrap().data[..], &data[..]);
    assert_eq!(streamed.original_filename, "streamed.bin");
    let base = emulator
        .state()
        .requests()
        .iter()
        .filter(|r| r.path == "/base/")
        .count();
    assert_eq!(base, 2);
    assert_eq!(spool.entries(), 0);

    // A stream that fails part way fails the upload with the I/O error; nothing is sent.
    let before = emulator.state().requests().len();
    let failing = futures_util::stream::iter(vec![
        Ok(bytes::Bytes::from_static(b"start")),
        Err(std::io::Error::other("the producer died")),
    ]);
    let error = client
        .upload(UploadSource::stream(failing))
        .send()
        .await
        .unwrap_err();
    assert!(matches!(error, uploadcare::Error::Io { .. }), "{error:?}");
    assert!(error.to_string().contains("after 5 bytes"), "{error}");
    assert_eq!(emulator.state().requests().len(), before);

    // The lower-level call needs a length and says so before any request.
    let refused = client
        .direct_upload(
            vec![uploadcare::upload::DirectFile {
                field: "file".into(),
                filename: "x".into(),
                content_type: None,
                source: UploadSource::unsized_reader(std::io::Cursor::new(vec![1u8; 10])),
            }],
            uploadcare::upload::types::StoreType::Auto,
            &Default::default(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(refused, uploadcare::Error::InvalidInput(ref m) if m.contains("unknown")),
        "{refused:?}"
    );
}

/// A multipart upload reports bytes as its parts go out: many values per part, in order,
/// ending at the size.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn multipart_uploads_report_bytes_within_parts() {
    let emulator = Emulator::start().await.unwrap();
    let client = Client::from_config(emulator.config()).unwrap();
    let data = content(12 * MIB);
    let dir = Scratch::new("mp-progress");
    let path = dir.0.join("big.bin");
    std::fs::write(&path, &data).unwrap();
    for source in [UploadSource::from(data.clone()), path.clone().into()] {
        let seen: Arc<Mutex<Vec<UploadProgress>>> = Arc::default();
        let record = seen.clone();
        let info = client
            .upload(source)
            .multipart_threshold(10 * MIB as u64)
            .concurrency(3)
            .on_progress(move |p| record.lock().unwrap().push(p))
            .send()
            .await
            .unwrap();
        assert_eq!(&emulator.state().file(info.uuid).unwrap().data[..], &data[..]);
        let seen = seen.lock().unwrap().clone();
        let total = data.len() as u64;
        assert!(seen.iter().all(|p| p.total == total));
        assert!(seen.windows(2).all(|w| w[0].done <= w[1].done), "{seen:?}");
        assert_eq!(seen.last().map(|p| p.done), Some(total));
        // 3 parts; 64 KiB or 256 KiB steps: far more values than parts.
        let intermediate = seen.iter().filter(|p| p.done > 0 && p.done < total).count();
        assert!(intermediate >= 30, "{intermediate} intermediate values");
    }
}

/// A part that fails takes back what it had counted, then counts again on its retry:
/// progress ends exactly at the size.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retried_part_is_not_counted_twice() {
    let emulator = Emulator::start().await.unwrap();
    emulator
        .faults()
        .add(FaultRule::first(1, Fault::Status(503)).on_method("PUT"));
    let client = Client::from_config(emulator.config()).unwrap();
    let data = content(11 * MIB);
    let seen: Arc<Mutex<Vec<UploadProgress>>> = Arc::default();
    let record = seen.clone();
    let info = client
        .upload(data.clone())
        .multipart_threshold(10 * MIB as u64)
        .on_progress(move |p| record.lock().unwrap().push(p))
        .send()
        .await
        .unwrap();
    assert_eq!(emulator.faults().applied(), 1);
    assert_eq!(&emulator.state().file(info.uuid).unwrap().data[..], &data[..]);
    let seen = seen.lock().unwrap().clone();
    assert!(seen.iter().all(|p| p.done <= data.len() as u64));
    assert_eq!(seen.last().map(|p| p.done), Some(data.len() as u64));
}

/// An upload from URL reports the service's `done`/`total` while it is polled, ending with
/// the whole file.
#[tokio::test]
async fn uploads_from_url_report_the_service_progress() {
    let emulator = Emulator::builder().polls_per_stage(2).start().await.unwrap();
    let client = Client::from_config(emulator.config()).unwrap();
    let seen: Arc<Mutex<Vec<UploadProgress>>> = Arc::default();
    let record = seen.clone();
    let (tx, rx) = tokio::sync::watch::channel(UploadProgress::default());
    let info = client
        .upload_from_url("https://example.com/photo.png")
        .poll_interval(Duration::from_millis(5))
        .progress(tx)
        .on_progress(move |p| record.lock().unwrap().push(p))
        .send()
        .await
        .unwrap();
    let size = info.size as u64;
    assert!(size > 0);
    let seen = seen.lock().unwrap().clone();
    assert_eq!(
        seen.last(),
        Some(&UploadProgress {
            done: size,
            total: size
        }),
        "{seen:?}"
    );
    assert!(seen.len() >= 2, "only the end was reported: {seen:?}");
    assert!(seen.windows(2).all(|w| w[0] != w[1]), "repeated values: {seen:?}");
    assert_eq!(
        *rx.borrow(),
        UploadProgress {
            done: size,
            total: size
        }
    );
}

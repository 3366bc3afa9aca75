//! Upload throughput, run one measurement per process so each reports its own peak RSS:
//!
//! ```text
//! uploads crate FILE CONCURRENCY   # the crate's multipart flow
//! uploads bare FILE CONCURRENCY    # reqwest streaming PUTs of the same parts, same sink
//! uploads many DIR CONCURRENCY     # every file of DIR through Client::upload_many
//! ```
//!
//! `UC_BATCH=0` turns off small files sharing `/base/` requests in `many` (the client is
//! then reported as `rust-many-unbatched`); `UC_INFOS=0` uploads without the `/info/`
//! requests (`UploadMany::send_uploaded`, reported as `rust-many-uploaded`); `UC_LABEL=x`
//! appends `-x` to the client name.
//!
//! The sink is an emulator started with `--discard-uploads` (see `scripts/bench.sh`):
//! `UC_UPLOAD_BASE` and `UC_PUBLIC_KEY` say where it is. Prints one JSON line.

mod measure;

use std::time::Instant;

use futures_util::stream::{self, StreamExt, TryStreamExt};
use tokio::io::{AsyncReadExt, AsyncSeekExt};
use uploadcare::upload::{Client, MultipartStart, DEFAULT_PART_SIZE};

#[tokio::main]
async fn main() {
    let args = measure::args();
    let [mode, target, concurrency] = args.as_slice() else {
        eprintln!("usage: uploads crate|bare|many PATH CONCURRENCY");
        std::process::exit(2);
    };
    let concurrency: usize = concurrency.parse().expect("a concurrency");
    let base = std::env::var("UC_UPLOAD_BASE").expect("UC_UPLOAD_BASE");
    let key = std::env::var("UC_PUBLIC_KEY").expect("UC_PUBLIC_KEY");
    let config = uploadcare::Config::public_only(key).with_upload_base_url(base);
    let client = Client::from_config(config).unwrap();
    let path = std::path::PathBuf::from(target);

    let started = Instant::now();
    let (bytes, files) = match mode.as_str() {
        "crate" => {
            let info = client
                .upload(path.as_path())
                .concurrency(concurrency)
                .send()
                .await
                .unwrap();
            (info.size as u64, 1)
        }
        "bare" => (bare_put(&client, &path, concurrency).await, 1),
        "many" => {
            let mut paths: Vec<_> = std::fs::read_dir(&path)
                .unwrap()
                .map(|e| e.unwrap().path())
                .collect();
            paths.sort();
            let many = client
                .upload_many(paths)
                .concurrency(concurrency)
                .batch_small_files(batched());
            let sizes: Vec<u64> = if infos() {
                let results = many.send().await.unwrap();
                results
                    .iter()
                    .map(|r| r.as_ref().expect("every upload succeeds").size as u64)
                    .collect()
            } else {
                let results = many.send_uploaded().await.unwrap();
                results
                    .iter()
                    .map(|r| r.as_ref().expect("every upload succeeds").size)
                    .collect()
            };
            (sizes.iter().sum(), sizes.len())
        }
        other => panic!("unknown mode {other}"),
    };
    let secs = started.elapsed().as_secs_f64();
    let mode = match (mode.as_str(), batched(), infos()) {
        ("many", false, _) => "many-unbatched".to_owned(),
        ("many", true, false) => "many-uploaded".to_owned(),
        (other, _, _) => other.to_owned(),
    };
    // `UC_LABEL` tells runs against differently set up sinks apart (e.g. `latency10`).
    let mode = match std::env::var("UC_LABEL") {
        Ok(label) if !label.is_empty() => format!("{mode}-{label}"),
        _ => mode,
    };
    println!(
        "{{\"bench\":\"upload\",\"client\":\"rust-{mode}\",\"concurrency\":{concurrency},\"files\":{files},\"bytes\":{bytes},\"secs\":{secs:.3},\"mib_per_s\":{:.1},\"files_per_s\":{:.1},\"peak_rss_mib\":{:.1}}}",
        bytes as f64 / 1048576.0 / secs,
        files as f64 / secs,
        measure::peak_rss_mib()
    );
}

/// Whether `many` asks for each file's info (`UC_INFOS`, default yes).
fn infos() -> bool {
    std::env::var("UC_INFOS").map_or(true, |v| v != "0")
}

/// Whether `many` lets small files share requests (`UC_BATCH`, default yes).
fn batched() -> bool {
    std::env::var("UC_BATCH").map_or(true, |v| v != "0")
}

/// The baseline: the same multipart upload (start and complete through the crate's
/// single requests), but every part a bare reqwest PUT streaming its slice of the file,
/// `concurrency` at once.
async fn bare_put(client: &Client, path: &std::path::Path, concurrency: usize) -> u64 {
    let size = std::fs::metadata(path).unwrap().len();
    let start = client
        .multipart_start(&MultipartStart {
            filename: "bare.bin".to_owned(),
            size,
            content_type: "application/octet-stream".to_owned(),
            part_size: DEFAULT_PART_SIZE,
            store: uploadcare::upload::types::StoreType::Auto,
            metadata: Default::default(),
            tags: Vec::new(),
        })
        .await
        .unwrap();
    let http = reqwest::Client::new();
    stream::iter(start.parts.iter().enumerate())
        .map(|(index, url)| {
            let http = http.clone();
            async move {
                let offset = index as u64 * DEFAULT_PART_SIZE;
                let len = DEFAULT_PART_SIZE.min(size - offset);
                let mut file = tokio::fs::File::open(path).await?;
                file.seek(std::io::SeekFrom::Start(offset)).await?;
                let body = reqwest::Body::wrap_stream(tokio_util::io::ReaderStream::with_capacity(
                    file.take(len),
                    256 * 1024,
                ));
                let response = http
                    .put(url)
                    .header("content-type", "application/octet-stream")
                    .header("content-length", len)
                    .body(body)
                    .send()
                    .await
                    .map_err(std::io::Error::other)?;
                assert!(response.status().is_success(), "{}", response.status());
                Ok::<u64, std::io::Error>(len)
            }
        })
        .buffer_unordered(concurrency)
        .try_fold(0, |total, len| async move { Ok(total + len) })
        .await
        .unwrap();
    client.multipart_complete(start.uuid).await.unwrap().size as u64
}

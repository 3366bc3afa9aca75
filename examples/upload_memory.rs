//! Memory use of a multipart upload: `cargo run --release --example upload_memory [MiB]`.
//!
//! Uploads a sparse file (1 GiB by default) through `upload::Client::upload` to a local
//! sink on 127.0.0.1 that counts part bytes without keeping them, and prints the process's
//! peak resident memory (`VmHWM`, Linux) before and after. The client reads the file part
//! by part, so the growth stays near `part_size × concurrency` however big the file is.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::routing::{post, put};
use futures_util::StreamExt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use uploadcare::upload::Client;
use uploadcare::Config;

const PART_SIZE: u64 = 5 * 1024 * 1024;
const CONCURRENCY: usize = 4;
const UUID: &str = "3a1c9e05-8f2b-4a3d-9c7e-5b6d2f1e0a47";

/// Peak resident set size of this process, in KiB (Linux).
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[derive(Clone)]
struct Sink {
    base: String,
    size: u64,
    received: Arc<AtomicU64>,
}

async fn start(State(sink): State<Sink>) -> axum::Json<serde_json::Value> {
    let parts: Vec<String> = (0..sink.size.div_ceil(PART_SIZE))
        .map(|i| format!("{}/part/{i}/", sink.base))
        .collect();
    axum::Json(serde_json::json!({"uuid": UUID, "parts": parts}))
}

/// Counts the part's bytes as they stream in, keeping none of them.
async fn part(State(sink): State<Sink>, Path(_index): Path<u64>, body: Body) -> &'static str {
    let mut stream = body.into_data_stream();
    while let Some(Ok(chunk)) = stream.next().await {
        sink.received.fetch_add(chunk.len() as u64, Ordering::SeqCst);
    }
    ""
}

async fn complete(State(sink): State<Sink>) -> axum::Json<serde_json::Value> {
    let size = sink.received.load(Ordering::SeqCst);
    axum::Json(serde_json::json!({
        "uuid": UUID, "file_id": UUID, "size": size, "total": size, "done": size,
        "original_filename": "sparse.bin", "filename": "sparse.bin", "mime_type": "application/octet-stream",
        "is_image": false, "is_stored": true, "is_ready": true, "image_info": null, "video_info": null
    }))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mib: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1024);
    let size = mib * 1024 * 1024;
    let path = std::env::temp_dir().join(format!("uploadcare-sparse-{}.bin", std::process::id()));
    std::fs::File::create(&path)?.set_len(size)?;

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let sink = Sink {
        base: base.clone(),
        size,
        received: Arc::new(AtomicU64::new(0)),
    };
    let app = axum::Router::new()
        .route("/multipart/start/", post(start))
        .route("/part/{index}/", put(part))
        .route("/multipart/complete/", post(complete))
        .with_state(sink.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });

    let client = Client::from_config(Config::public_only("demopublickey").with_upload_base_url(base))?;
    let before = peak_rss_kib();
    let started = std::time::Instant::now();
    let info = client
        .upload(path.as_path())
        .part_size(PART_SIZE)
        .concurrency(CONCURRENCY)
        .multipart_threshold(25 * 1024 * 1024)
        .send()
        .await;
    let elapsed = started.elapsed();
    let after = peak_rss_kib();
    std::fs::remove_file(&path)?;
    let info = info?;

    println!(
        "uploaded {} MiB in {:.1} s ({} bytes received by the sink)",
        mib,
        elapsed.as_secs_f64(),
        info.size
    );
    println!(
        "part size {} MiB × concurrency {}",
        PART_SIZE / (1024 * 1024),
        CONCURRENCY
    );
    match (before, after) {
        (Some(before), Some(after)) => println!(
            "peak RSS: {:.1} MiB before, {:.1} MiB after (growth {:.1} MiB)",
            before as f64 / 1024.0,
            after as f64 / 1024.0,
            (after - before) as f64 / 1024.0
        ),
        _ => println!("peak RSS: not available on this platform"),
    }
    assert_eq!(sink.received.load(Ordering::SeqCst), size, "every byte arrived");
    Ok(())
}

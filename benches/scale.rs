//! Cost as the work grows (#24 item 3): the REST calls whose work is a count, one
//! measurement per process so each reports its own peak RSS. `scripts/bench_scale.sh` runs
//! them, with the `uploads` bench's `many` and `crate` modes, at three sizes a factor of 10
//! apart:
//!
//! ```text
//! scale fill COUNT UUIDS   # empties the emulator's project, adds COUNT unstored 10 KiB files
//!                          # (the control API, at once), writes their UUIDs to the file UUIDS
//! scale list COUNT         # Client::all_files over the project, expecting COUNT files
//! scale store UUIDS        # Client::store_many of the UUIDs in the file (one per line)
//! ```
//!
//! `UC_REST_BASE`, `UC_PUBLIC_KEY` and `UC_SECRET_KEY` say where the emulator is (its control
//! API is under the REST base); `UC_PAGE` sets the page size of `list` (default: the API's,
//! 100). `list` and `store` print one JSON line: items, seconds, peak RSS.

mod measure;

use std::time::Instant;

use futures_util::TryStreamExt;
use uploadcare::v0_7::Client;

/// The content of every file `fill` adds.
const FILE_SIZE: usize = 10 * 1024;

#[tokio::main]
async fn main() {
    let args = measure::args();
    let rest = std::env::var("UC_REST_BASE").expect("UC_REST_BASE");
    let (op, items, secs) = match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["fill", count, uuids] => {
            fill(&rest, count.parse().expect("a count"), uuids).await;
            return;
        }
        ["list", count] => {
            let page: Option<u64> = std::env::var("UC_PAGE")
                .ok()
                .filter(|p| !p.is_empty())
                .map(|p| p.parse().expect("a page size"));
            let (items, secs) = list(&client(&rest), page).await;
            assert_eq!(items, count.parse::<usize>().expect("a count"), "files listed");
            (if page.is_some() { "list-paged" } else { "list" }, items, secs)
        }
        ["store", uuids] => {
            let text = std::fs::read_to_string(uuids).expect("the UUIDs file");
            let (items, secs) = store(&client(&rest), &text).await;
            ("store", items, secs)
        }
        _ => {
            eprintln!("usage: scale fill COUNT UUIDS | list COUNT | store UUIDS");
            std::process::exit(2);
        }
    };
    println!(
        "{{\"bench\":\"scale\",\"op\":\"{op}\",\"items\":{items},\"secs\":{secs:.3},\"us_per_item\":{:.2},\"peak_rss_mib\":{:.1}}}",
        secs * 1e6 / items as f64,
        measure::peak_rss_mib()
    );
}

fn client(rest: &str) -> Client {
    let public = std::env::var("UC_PUBLIC_KEY").expect("UC_PUBLIC_KEY");
    let secret = std::env::var("UC_SECRET_KEY").expect("UC_SECRET_KEY");
    Client::from_config(uploadcare::Config::new(public, secret).with_rest_base_url(rest)).unwrap()
}

/// Every file through the paginating stream, one page in memory at a time.
async fn list(client: &Client, page: Option<u64>) -> (usize, f64) {
    let started = Instant::now();
    let (items, bytes) = client
        .all_files(|list| match page {
            Some(page) => list.limit(page),
            None => list,
        })
        .items()
        .try_fold((0usize, 0u64), |(n, bytes), file| async move {
            Ok((n + 1, bytes + file.size as u64))
        })
        .await
        .unwrap();
    assert_eq!(bytes, (items * FILE_SIZE) as u64);
    (items, started.elapsed().as_secs_f64())
}

/// Stores every UUID of `text` (one per line) in the library's batches.
async fn store(client: &Client, text: &str) -> (usize, f64) {
    let started = Instant::now();
    let outcome = client.store_many(text.lines()).await.unwrap();
    let secs = started.elapsed().as_secs_f64();
    assert!(
        outcome.failed.is_empty(),
        "failed batches: {}",
        outcome.failed.len()
    );
    assert!(
        outcome.response.problems.is_empty(),
        "{:?}",
        outcome.response.problems
    );
    (outcome.response.result.len(), secs)
}

/// Empties the default session and adds `count` unstored files in one control request.
async fn fill(rest: &str, count: usize, uuids: &str) {
    let http = reqwest::Client::new();
    let control = format!("{rest}/__emulator");
    let reset = http.post(format!("{control}/reset")).send().await.unwrap();
    assert!(reset.status().is_success(), "reset: {}", reset.status());
    let mut lines = String::new();
    if count > 0 {
        let started = Instant::now();
        let added: serde_json::Value = http
            .post(format!("{control}/files?name=f.bin&store=false&count={count}"))
            .body(vec![b'x'; FILE_SIZE])
            .send()
            .await
            .unwrap()
            .error_for_status()
            .unwrap()
            .json()
            .await
            .unwrap();
        for uuid in added["uuids"].as_array().expect("the UUIDs added") {
            lines.push_str(uuid.as_str().unwrap());
            lines.push('\n');
        }
        eprintln!("filled {count} files in {:.2} s", started.elapsed().as_secs_f64());
    }
    std::fs::write(uuids, lines).unwrap();
}

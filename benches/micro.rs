//! Micro-benchmarks (divan): request signing and parsing a large files page. Run with
//! `cargo bench --bench micro`; `scripts/bench.sh` runs them with the rest and prints the
//! table. Allocation counts come from divan's allocation profiler.

mod fixtures;

use divan::{black_box, AllocProfiler, Bencher};

#[global_allocator]
static ALLOC: AllocProfiler = AllocProfiler::system();

fn main() {
    divan::main();
}

const DATE: &str = "Mon, 05 Nov 2018 13:14:41 GMT";
const URI: &str = "/files/?limit=100&ordering=-datetime_uploaded&stored=true";

#[divan::bench]
fn sign_rest_request() -> String {
    uploadcare::sign_rest_request(
        black_box("demoprivatekey"),
        black_box("GET"),
        black_box(b""),
        black_box("application/json"),
        black_box(DATE),
        black_box(URI),
    )
}

#[divan::bench]
fn sign_rest_request_with_body() -> String {
    uploadcare::sign_rest_request(
        black_box("demoprivatekey"),
        black_box("PUT"),
        black_box(br#"["3a1c9e05-8f2b-4a3d-9c7e-5b6d2f1e0a47","4b2d0f16-9a3c-4b4e-8d8f-6c7e3a2f1b58"]"#),
        black_box("application/json"),
        black_box(DATE),
        black_box("/files/storage/"),
    )
}

#[divan::bench]
fn sign_upload() -> String {
    uploadcare::sign_upload(black_box("project_secret_key"), black_box(1_454_903_856))
}

#[divan::bench(args = [1000])]
fn parse_files_page_typed(bencher: Bencher, n: usize) {
    let body = fixtures::files_page(n);
    bencher
        .counter(divan::counter::BytesCount::new(body.len()))
        .bench(|| {
            uploadcare::runtime::parse_json::<uploadcare::v0_7::types::FilesPage>(black_box(body.as_bytes()))
                .unwrap()
        });
}

/// The same through `serde_json::from_slice` (the crate's way before issue #24).
#[divan::bench(args = [1000])]
fn parse_files_page_typed_from_slice(bencher: Bencher, n: usize) {
    let body = fixtures::files_page(n);
    bencher
        .counter(divan::counter::BytesCount::new(body.len()))
        .bench(|| {
            serde_json::from_slice::<uploadcare::v0_7::types::FilesPage>(black_box(body.as_bytes())).unwrap()
        });
}

#[divan::bench(args = [1000])]
fn parse_files_page_value(bencher: Bencher, n: usize) {
    let body = fixtures::files_page(n);
    bencher
        .counter(divan::counter::BytesCount::new(body.len()))
        .bench(|| serde_json::from_slice::<serde_json::Value>(black_box(body.as_bytes())).unwrap());
}

const STAMP: &str = "2026-11-30T10:01:03.512345Z";

/// One service timestamp through the crate's `Timestamp` (every `format: date-time` field).
#[divan::bench]
fn timestamp_parse() -> uploadcare::Timestamp {
    black_box(STAMP).parse().unwrap()
}

/// The same through chrono's RFC 3339 parser (the generated types' way before issue #24).
#[divan::bench]
fn timestamp_parse_chrono() -> chrono::DateTime<chrono::Utc> {
    black_box(STAMP)
        .parse::<chrono::DateTime<chrono::FixedOffset>>()
        .unwrap()
        .to_utc()
}

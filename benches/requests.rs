//! Per-request overhead: a signed `files list` through the crate against the same request
//! made with bare reqwest (signed by hand with the same headers and `User-Agent` — the
//! same bytes on the wire — parsed into the same generated type), both against one local
//! server that answers a canned page. Run with
//! `cargo bench --bench requests` (`BENCH_PAIRS` requests per side, default 2000; `LIMIT=1`
//! or `LIMIT=100` for one page size; `ONLY=crate|bare` times one side alone and reports the
//! client thread's CPU time per request from `/proc/thread-self/schedstat`; `READ_TIMEOUT=off`
//! turns off the crate's default 60 s read timeout, which bare reqwest does not have;
//! `BARE=like-crate` builds the bare client with the crate's transport settings).

mod fixtures;

use std::sync::OnceLock;

use uploadcare::v0_7::types::FilesPage;

const PUBLIC: &str = "benchpublickey";
const SECRET: &str = "benchsecretkey";
/// Requests per block.
const BLOCK: usize = 25;

/// The server's address; it answers `GET /files/?limit=N` with a page of N files.
fn server() -> &'static str {
    static ADDR: OnceLock<String> = OnceLock::new();
    ADDR.get_or_init(|| {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let pages: Vec<(usize, bytes::Bytes)> = [1, 100]
                    .into_iter()
                    .map(|n| (n, bytes::Bytes::from(fixtures::files_page(n))))
                    .collect();
                let app = axum::Router::new().route(
                    "/files/",
                    axum::routing::get(move |query: axum::extract::RawQuery| {
                        let pages = pages.clone();
                        async move {
                            let limit = query
                                .0
                                .as_deref()
                                .and_then(|q| q.split('&').find_map(|p| p.strip_prefix("limit=")))
                                .and_then(|n| n.parse::<usize>().ok())
                                .unwrap_or(1);
                            let body = pages
                                .iter()
                                .find(|(n, _)| *n == limit)
                                .map(|(_, b)| b.clone())
                                .unwrap_or_default();
                            ([("content-type", "application/vnd.uploadcare-v0.7+json")], body)
                        }
                    }),
                );
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                tx.send(format!("http://{}", listener.local_addr().unwrap()))
                    .unwrap();
                axum::serve(listener, app).await.unwrap();
            });
        });
        rx.recv().unwrap()
    })
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn median(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

/// Times `pairs` interleaved rounds of both clients (alternating which goes first, so drift
/// and noise of this shared machine hit both alike) and prints one JSON line per page size:
/// each side's median and the median of the per-round ratios.
fn main() {
    let pairs: usize = std::env::var("BENCH_PAIRS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000);
    let base = server();
    let rt = runtime();
    let mut config = uploadcare::Config::new(PUBLIC, SECRET).with_rest_base_url(base);
    if std::env::var("READ_TIMEOUT").as_deref() == Ok("off") {
        // Diagnostic: the crate without its default 60 s read timeout (bare reqwest has none).
        config = config.with_read_timeout(None);
    }
    let client = uploadcare::v0_7::Client::from_config(config).unwrap();
    // The bare client sends the same bytes as the crate (its `User-Agent` included), so
    // the two sides differ only in the client-side path.
    let http = if std::env::var("BARE").as_deref() == Ok("like-crate") {
        // Diagnostic: the bare client built with all of the crate's transport settings.
        reqwest::Client::builder()
            .user_agent(uploadcare::USER_AGENT)
            .redirect(reqwest::redirect::Policy::none())
            .http1_only()
            .connect_timeout(std::time::Duration::from_secs(10))
            .build()
            .unwrap()
    } else {
        reqwest::Client::builder()
            .user_agent(uploadcare::USER_AGENT)
            .build()
            .unwrap()
    };
    for limit in [1u64, 100]
        .into_iter()
        .filter(|l| std::env::var("LIMIT").map_or(true, |v| v == l.to_string()))
    {
        let through_crate = || async {
            let page = client
                .files_list()
                .limit(std::num::NonZeroU64::new(limit).unwrap())
                .send()
                .await
                .unwrap()
                .into_inner();
            assert_eq!(page.results.len() as u64, limit);
            page
        };
        let bare = || async {
            let uri = format!("/files/?limit={limit}");
            let date = httpdate::fmt_http_date(std::time::SystemTime::now());
            let signature =
                uploadcare::sign_rest_request(SECRET, "GET", b"", "application/json", &date, &uri);
            let response = http
                .get(format!("{base}{uri}"))
                .header("accept", "application/vnd.uploadcare-v0.7+json")
                .header("content-type", "application/json")
                .header("date", date)
                .header("authorization", format!("Uploadcare {PUBLIC}:{signature}"))
                .send()
                .await
                .unwrap();
            assert!(response.status().is_success());
            let bytes = response.bytes().await.unwrap();
            // Parsed as the crate parses every answer (one UTF-8 check, then `from_str`).
            let page: FilesPage = uploadcare::runtime::parse_json(&bytes).unwrap();
            assert_eq!(page.results.len() as u64, limit);
            page
        };
        // Warm up connections and caches.
        for _ in 0..50 {
            rt.block_on(through_crate());
            rt.block_on(bare());
        }
        // Blocks of consecutive requests per client, in ABBA order: each block runs warm
        // (as an application's requests do), and drift hits both sides alike.
        let (mut ours, mut theirs, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
        let time = |f: &dyn Fn()| {
            let t = std::time::Instant::now();
            f();
            t.elapsed().as_secs_f64() * 1e6
        };
        let run_crate = || drop(rt.block_on(through_crate()));
        let run_bare = || drop(rt.block_on(bare()));
        if let Ok(only) = std::env::var("ONLY") {
            let cpu = || -> u64 {
                std::fs::read_to_string("/proc/thread-self/schedstat")
                    .unwrap()
                    .split(' ')
                    .next()
                    .unwrap()
                    .parse()
                    .unwrap()
            };
            let (c0, t0) = (cpu(), std::time::Instant::now());
            for _ in 0..pairs {
                if only == "crate" {
                    run_crate()
                } else {
                    run_bare()
                }
            }
            println!(
                "{only} {limit}: client thread cpu {:.1} us/request, wall {:.1} us",
                (cpu() - c0) as f64 / pairs as f64 / 1000.0,
                t0.elapsed().as_secs_f64() * 1e6 / pairs as f64
            );
            continue;
        }
        for block in 0..pairs / BLOCK {
            let mut a: Vec<f64> = Vec::new();
            let mut b: Vec<f64> = Vec::new();
            let order: [bool; 2] = if block % 2 == 0 {
                [true, false]
            } else {
                [false, true]
            };
            for crate_first in order {
                for _ in 0..BLOCK {
                    if crate_first {
                        a.push(time(&run_crate));
                    } else {
                        b.push(time(&run_bare));
                    }
                }
            }
            let (ma, mb) = (median(a.clone()), median(b.clone()));
            ratios.push(ma / mb);
            ours.extend(a);
            theirs.extend(b);
        }
        if ours.is_empty() {
            continue;
        }
        println!(
            "{{\"bench\":\"request_overhead\",\"items\":{limit},\"pairs\":{pairs},\"crate_us\":{:.1},\"bare_us\":{:.1},\"ratio\":{:.4}}}",
            median(ours),
            median(theirs),
            median(ratios)
        );
    }
}

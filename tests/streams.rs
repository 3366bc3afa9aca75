//! Lists as streams, against the emulator: every item exactly once, pages fetched only as
//! they are needed, every list option kept across pages, errors end the stream.

#![cfg(feature = "v0_7")]

use futures_util::{StreamExt, TryStreamExt};
use std::collections::HashSet;
use uploadcare::v0_7::types::FilesOrdering;
use uploadcare::v0_7::Client;
use uploadcare::{Error, RetryPolicy};
use uploadcare_emulator::{Emulator, Fault, FaultRule};

fn page_requests(emulator: &Emulator, path: &str) -> usize {
    emulator
        .state()
        .requests()
        .iter()
        .filter(|r| r.api == "rest" && r.method == "GET" && r.path == path)
        .count()
}

#[tokio::test]
async fn a_stream_over_2500_files_yields_each_once_fetching_pages_only_as_needed() {
    let emulator = Emulator::start().await.unwrap();
    let client = Client::from_config(emulator.config()).unwrap();
    let mut expected = HashSet::new();
    for i in 0..2500 {
        expected.insert(
            emulator
                .state()
                .add_file(&format!("f{i}.txt"), "text/plain", "x", Some(true)),
        );
    }

    let mut files = client.all_files(|list| list.limit(100)).items();
    let mut seen = HashSet::new();
    let mut count: usize = 0;
    while let Some(file) = files.try_next().await.unwrap() {
        count += 1;
        assert!(seen.insert(file.uuid), "{} yielded twice", file.uuid);
        // Page k is fetched only when item 100·(k-1)+1 is asked for: one page at a time.
        assert_eq!(
            page_requests(&emulator, "/files/"),
            count.div_ceil(100),
            "after {count} items"
        );
    }
    assert_eq!(count, 2500);
    assert_eq!(seen, expected);
    assert_eq!(page_requests(&emulator, "/files/"), 25);
}

#[tokio::test]
async fn list_options_hold_on_every_page() {
    let emulator = Emulator::start().await.unwrap();
    let client = Client::from_config(emulator.config()).unwrap();
    let mut stored = Vec::new();
    for i in 0..7 {
        let uuid = emulator
            .state()
            .add_file(&format!("s{i}.txt"), "text/plain", "x", Some(true));
        stored.push(uuid);
        emulator
            .state()
            .add_file(&format!("u{i}.txt"), "text/plain", "x", Some(false));
    }
    let newest_first: Vec<_> = client
        .all_files(|list| {
            list.stored(true)
                .ordering(FilesOrdering::DatetimeUploadedDesc)
                .limit(3)
        })
        .items()
        .map_ok(|file| file.uuid)
        .try_collect()
        .await
        .unwrap();
    stored.reverse();
    assert_eq!(newest_first, stored);
    assert_eq!(page_requests(&emulator, "/files/"), 3);

    // Whole pages, with the totals.
    let pages: Vec<_> = client
        .all_files(|list| list.stored(false).limit(4))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(pages.iter().map(|p| p.results.len()).collect::<Vec<_>>(), [4, 3]);
    assert_eq!(pages[0].total, Some(7));
    assert_eq!(pages[0].totals.as_ref().map(|t| t.unstored), Some(7));
}

#[cfg(feature = "upload")]
#[tokio::test]
async fn groups_stream_across_pages() {
    let emulator = Emulator::start().await.unwrap();
    let client = Client::from_config(emulator.config()).unwrap();
    let file = emulator.state().add_file("a.txt", "text/plain", "a", Some(true));
    let upload = uploadcare::upload::Client::from_config(emulator.config()).unwrap();
    let mut ids = Vec::new();
    for _ in 0..5 {
        ids.push(upload.create_group([file.to_string()]).await.unwrap().id.unwrap());
    }
    let listed: Vec<String> = client
        .all_groups(|list| list.limit(2))
        .items()
        .map_ok(|group| group.id.unwrap_or_default())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(listed, ids);
}

#[tokio::test]
async fn a_failing_page_ends_the_stream_with_its_error() {
    let emulator = Emulator::start().await.unwrap();
    let client = Client::from_config(emulator.config().with_retry_policy(RetryPolicy::never())).unwrap();
    for i in 0..5 {
        emulator
            .state()
            .add_file(&format!("f{i}.txt"), "text/plain", "x", Some(true));
    }
    let mut files = client.all_files(|list| list.limit(2)).items();
    assert!(files.try_next().await.unwrap().is_some());
    assert!(files.try_next().await.unwrap().is_some());
    emulator.faults().add(FaultRule::first(1, Fault::Status(500)));
    match files.next().await {
        Some(Err(Error::Api { status: 500, .. })) => {}
        other => panic!("expected the page's 500, got {other:?}"),
    }
    assert!(files.next().await.is_none(), "nothing after the error");
}

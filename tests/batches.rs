//! Batch store and delete of any size, against the emulator.

#![cfg(feature = "v0_7")]

use uploadcare::v0_7::Client;
use uploadcare::{Error, RetryPolicy};
use uploadcare_emulator::{Emulator, Fault, FaultRule};
use uuid::Uuid;

fn batch_requests(emulator: &Emulator, method: &str) -> usize {
    emulator
        .state()
        .requests()
        .iter()
        .filter(|r| r.method == method && r.path == "/files/storage/")
        .count()
}

#[tokio::test]
async fn storing_250_files_takes_3_requests_and_merges_results_and_problems() {
    let emulator = Emulator::start().await.unwrap();
    let client = Client::from_config(emulator.config()).unwrap();
    let mut uuids: Vec<String> = (0..240)
        .map(|i| {
            emulator
                .state()
                .add_file(&format!("f{i}.txt"), "text/plain", "x", Some(false))
                .to_string()
        })
        .collect();
    let strangers: Vec<String> = (0..10).map(|_| Uuid::new_v4().to_string()).collect();
    uuids.extend(strangers.iter().cloned());

    let outcome = client.store_many(&uuids).await.unwrap();
    assert!(outcome.failed.is_empty(), "{:?}", outcome.failed);
    assert_eq!(batch_requests(&emulator, "PUT"), 3);
    let stored = outcome.into_result().unwrap();
    assert_eq!(stored.result.len(), 240);
    assert_eq!(stored.problems.len(), 10);
    for stranger in &strangers {
        assert!(stored.problems.contains_key(stranger), "{stranger} is reported");
    }
    assert!(uuids[..240].iter().all(|u| emulator
        .state()
        .file(u.parse().unwrap())
        .unwrap()
        .stored
        .is_some()));

    let deleted = client
        .delete_many(&uuids[..240])
        .await
        .unwrap()
        .into_result()
        .unwrap();
    assert_eq!(deleted.result.len(), 240);
    assert_eq!(batch_requests(&emulator, "DELETE"), 3);
}

#[tokio::test]
async fn malformed_uuids_are_all_reported_before_any_request() {
    let emulator = Emulator::start().await.unwrap();
    let client = Client::from_config(emulator.config()).unwrap();
    let err = client
        .store_many([Uuid::new_v4().to_string().as_str(), "not-a-uuid", "1234"])
        .await
        .unwrap_err();
    let Error::InvalidInput(message) = err else {
        panic!("{err:?}")
    };
    assert!(
        message.contains("`not-a-uuid`") && message.contains("`1234`"),
        "{message}"
    );
    assert!(emulator.state().requests().is_empty());
}

#[tokio::test]
async fn a_failed_chunk_is_reported_with_its_uuids_and_the_rest_is_kept() {
    let emulator = Emulator::start().await.unwrap();
    let client = Client::from_config(emulator.config().with_retry_policy(RetryPolicy::never())).unwrap();
    let uuids: Vec<String> = (0..150)
        .map(|i| {
            emulator
                .state()
                .add_file(&format!("f{i}.txt"), "text/plain", "x", Some(false))
                .to_string()
        })
        .collect();
    emulator.faults().add(FaultRule::first(1, Fault::Status(503)));
    let outcome = client.store_many(&uuids).await.unwrap();
    assert_eq!(outcome.failed.len(), 1);
    let failed = &outcome.failed[0];
    assert!(
        matches!(failed.error, Error::Api { status: 503, .. }),
        "{:?}",
        failed.error
    );
    assert_eq!(outcome.response.result.len() + failed.uuids.len(), 150);
    assert!(outcome.into_result().is_err());
}

//! File tags and file search through the library, against the emulator over HTTP: tags
//! checked before sending, set/changed/read back, given at upload; searches built, checked,
//! sent and streamed across pages up to the service's ceiling.

#![cfg(all(feature = "v0_7", feature = "upload"))]

use futures_util::TryStreamExt;
use std::collections::HashSet;
use uploadcare::search::SortKey;
use uploadcare::v0_7::Client;
use uploadcare::Error;
use uploadcare_emulator::Emulator;

fn rest_requests(emulator: &Emulator) -> usize {
    emulator
        .state()
        .requests()
        .iter()
        .filter(|r| r.api == "rest")
        .count()
}

#[tokio::test]
async fn tags_are_set_changed_and_read_back_normalized() {
    let emulator = Emulator::start().await.unwrap();
    let client = Client::from_config(emulator.config()).unwrap();
    let uuid = emulator.state().add_file("a.jpg", "image/jpeg", "a", Some(true));

    let change = client
        .set_tags(uuid, [" Summer ", "beach", "SUMMER"])
        .await
        .unwrap();
    assert_eq!(change.tags, ["summer", "beach"]);
    assert_eq!(change.added, ["beach", "summer"]);
    let change = client
        .change_tags(uuid, ["sunset", "beach"], ["beach"])
        .await
        .unwrap();
    assert_eq!(change.tags, ["summer", "sunset", "beach"]);
    assert_eq!(change.added, ["sunset"]);
    assert_eq!(client.tags(uuid).await.unwrap(), ["summer", "sunset", "beach"]);
    let info = client
        .file_info()
        .uuid(uuid)
        .send()
        .await
        .map_err(Error::from)
        .unwrap();
    assert_eq!(
        info.tags.as_deref().map(|t| t.as_slice()),
        Some(&["summer".to_owned(), "sunset".to_owned(), "beach".to_owned()][..])
    );

    // A bad tag is refused here, naming it; nothing is sent.
    let before = rest_requests(&emulator);
    match client.set_tags(uuid, ["ok", "not ok"]).await {
        Err(Error::InvalidTag { tag, .. }) => assert_eq!(tag, "not ok"),
        other => panic!("{other:?}"),
    }
    assert_eq!(rest_requests(&emulator), before);
    assert!(client
        .set_tags(uuid, Vec::<String>::new())
        .await
        .unwrap()
        .tags
        .is_empty());
}

#[tokio::test]
async fn uploads_carry_their_tags() {
    let emulator = Emulator::start().await.unwrap();
    let upload = uploadcare::upload::Client::from_config(emulator.config()).unwrap();
    let rest = Client::from_config(emulator.config()).unwrap();

    let small = upload
        .upload(&b"tagged"[..])
        .tags(["Cat", "animal"])
        .send()
        .await
        .unwrap();
    assert_eq!(rest.tags(small.uuid).await.unwrap(), ["cat", "animal"]);
    let big = upload
        .upload(vec![1u8; 11 * 1024 * 1024])
        .multipart_threshold(10 * 1024 * 1024)
        .tags(["large"])
        .send()
        .await
        .unwrap();
    assert_eq!(rest.tags(big.uuid).await.unwrap(), ["large"]);

    let err = upload
        .upload(&b"x"[..])
        .tags(["bad tag"])
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidTag { .. }), "{err:?}");
}

#[tokio::test]
async fn searches_find_by_every_kind_of_condition() {
    let emulator = Emulator::start().await.unwrap();
    let client = Client::from_config(emulator.config()).unwrap();
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    png.extend_from_slice(&4u32.to_be_bytes());
    png.extend_from_slice(&4u32.to_be_bytes());
    let cat = emulator
        .state()
        .add_file("cat-photo.png", "image/png", png.clone(), Some(true));
    let dog = emulator
        .state()
        .add_file("dog-photo.png", "image/png", png, Some(true));
    let notes = emulator
        .state()
        .add_file("holiday-notes.txt", "text/plain", "notes", Some(true));
    client.set_tags(cat, ["cat", "pet"]).await.unwrap();
    client.set_tags(dog, ["dog", "pet"]).await.unwrap();

    let found = |page: uploadcare::v0_7::types::FileSearchPage| -> HashSet<uuid::Uuid> {
        page.results.iter().map(|r| r.uuid).collect()
    };
    let pets = client
        .search()
        .tags_all(["pet"])
        .images_only(true)
        .send()
        .await
        .unwrap();
    assert_eq!(found(pets), HashSet::from([cat, dog]));
    let not_dogs = client
        .search()
        .tags_any(["pet"])
        .tags_none(["dog"])
        .send()
        .await
        .unwrap();
    assert_eq!(found(not_dogs), HashSet::from([cat]));
    let text = client.search().query("holiday").send().await.unwrap();
    assert_eq!(found(text), HashSet::from([notes]));
    let by_name = client
        .search()
        .filenames(["cat-photo.png", "dog-photo.png"])
        .images_only(true)
        .send()
        .await
        .unwrap();
    assert_eq!(found(by_name), HashSet::from([cat, dog]));
    let small = client.search().max_size(5).send().await.unwrap();
    assert_eq!(found(small), HashSet::from([notes]));
    let sorted = client
        .search()
        .tags_any(["pet"])
        .sort(SortKey::OriginalFilename.descending())
        .send()
        .await
        .unwrap();
    assert_eq!(
        sorted.results.iter().map(|r| r.uuid).collect::<Vec<_>>(),
        [dog, cat]
    );

    // Refused before sending.
    let before = rest_requests(&emulator);
    assert!(matches!(
        client.search().send().await,
        Err(Error::InvalidInput(_))
    ));
    assert!(matches!(
        client.search().query("cat").send().await,
        Err(Error::InvalidInput(_))
    ));
    assert_eq!(rest_requests(&emulator), before);
}

#[tokio::test]
async fn a_search_stream_pages_through_every_result_up_to_the_ceiling() {
    let emulator = Emulator::start().await.unwrap();
    let client = Client::from_config(emulator.config()).unwrap();
    for i in 0..1050 {
        emulator
            .state()
            .add_file(&format!("report-{i}.txt"), "text/plain", "x", Some(true));
    }
    let mut results = client.search().query("report").stream().unwrap().items();
    let mut seen = HashSet::new();
    while let Some(file) = results.try_next().await.unwrap() {
        assert!(seen.insert(file.uuid), "{} twice", file.uuid);
    }
    // `offset + limit` must stay under 1000: 999 results are reachable.
    assert_eq!(seen.len(), 999);
    let searches = emulator
        .state()
        .requests()
        .iter()
        .filter(|r| r.path == "/files/search/")
        .count();
    assert_eq!(searches, 10);
}

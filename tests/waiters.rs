//! Waiting for jobs, against the emulator (whose jobs move one stage per status poll):
//! every waiter reaches success, a failed job is `Error::JobFailed`, a slow one times out.

#![cfg(feature = "v0_7")]

use std::time::Duration;
use uploadcare::runtime::WaitPolicy;
use uploadcare::v0_7::types::{AddonExecutionState, ConversionJobState};
use uploadcare::v0_7::Client;
use uploadcare::Error;
use uploadcare_emulator::{Emulator, Job};

fn quick(timeout: Duration) -> WaitPolicy {
    WaitPolicy {
        first_delay: Duration::from_millis(10),
        factor: 2.0,
        max_delay: Duration::from_millis(50),
        timeout,
    }
}

async fn start_document_conversion(emulator: &Emulator, client: &Client) -> i64 {
    let doc = emulator
        .state()
        .add_file("report.docx", "application/msword", "report", Some(true));
    let jobs = client
        .document_convert()
        .body_map(|b| b.paths(vec![format!("{doc}/document/-/format/pdf/")]))
        .send()
        .await
        .map_err(Error::from)
        .unwrap();
    jobs.result[0].token.unwrap()
}

#[tokio::test]
async fn conversion_waiters_reach_success_failure_and_timeout() {
    let emulator = Emulator::start().await.unwrap();
    let client = Client::from_config(emulator.config()).unwrap();

    let token = start_document_conversion(&emulator, &client).await;
    let done = client
        .wait_for_document_conversion(token, &quick(Duration::from_secs(10)))
        .await
        .unwrap();
    assert_eq!(done.status, Some(ConversionJobState::Finished));
    assert!(done.result.and_then(|r| r.uuid).is_some());

    let token = start_document_conversion(&emulator, &client).await;
    emulator.state().lock().conversions.get_mut(&token).unwrap().0 = Job::new(&["processing", "failed"]);
    let err = client
        .wait_for_document_conversion(token, &quick(Duration::from_secs(10)))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::JobFailed { operation, reason } if operation.contains(&token.to_string()) && reason == "failed"),
        "{err:?}"
    );

    let token = start_document_conversion(&emulator, &client).await;
    emulator.state().lock().conversions.get_mut(&token).unwrap().0 = Job::new(&["processing"]);
    let err = client
        .wait_for_document_conversion(token, &quick(Duration::from_millis(150)))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::TimedOut { .. }), "{err:?}");

    let video = emulator
        .state()
        .add_file("clip.mp4", "video/mp4", "video bytes", Some(true));
    let jobs = client
        .video_convert()
        .body_map(|b| b.paths(vec![format!("{video}/video/-/format/webm/")]))
        .send()
        .await
        .map_err(Error::from)
        .unwrap();
    let done = client
        .wait_for_video_conversion(jobs.result[0].token.unwrap(), &quick(Duration::from_secs(10)))
        .await
        .unwrap();
    assert_eq!(done.status, Some(ConversionJobState::Finished));
}

#[tokio::test]
async fn addon_waiters_reach_success_and_failure() {
    let emulator = Emulator::start().await.unwrap();
    let client = Client::from_config(emulator.config()).unwrap();
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    png.extend_from_slice(&80u32.to_be_bytes());
    png.extend_from_slice(&60u32.to_be_bytes());
    let photo = emulator.state().add_file("p.png", "image/png", png, Some(true));
    let policy = quick(Duration::from_secs(10));

    let run = client
        .aws_rekognition_execute()
        .body_map(|b| b.target(photo))
        .send()
        .await
        .map_err(Error::from)
        .unwrap();
    let done = client
        .wait_for_aws_rekognition(run.request_id.unwrap(), &policy)
        .await
        .unwrap();
    assert_eq!(done.status, Some(AddonExecutionState::Done));

    // The service reports `error` when the file is gone by the time the add-on runs.
    let doomed = emulator
        .state()
        .add_file("doomed.txt", "text/plain", "x", Some(true));
    let run = client
        .uc_clamav_virus_scan_execute()
        .body_map(|b| b.target(doomed))
        .send()
        .await
        .map_err(Error::from)
        .unwrap();
    let request_id = run.request_id.unwrap();
    emulator.state().lock().files.get_mut(&doomed).unwrap().removed = Some(chrono::Utc::now());
    let err = client.wait_for_virus_scan(request_id, &policy).await.unwrap_err();
    assert!(matches!(err, Error::JobFailed { .. }), "{err:?}");

    let run = client
        .remove_bg_execute()
        .body_map(|b| b.target(photo))
        .send()
        .await
        .map_err(Error::from)
        .unwrap();
    let done = client
        .wait_for_remove_bg(run.request_id.unwrap(), &policy)
        .await
        .unwrap();
    assert_eq!(done.status, Some(AddonExecutionState::Done));
}

#[cfg(feature = "upload")]
#[tokio::test]
async fn upload_waiters_share_the_same_polling() {
    let emulator = Emulator::start().await.unwrap();
    let upload = uploadcare::upload::Client::from_config(emulator.config()).unwrap();
    let source = emulator
        .state()
        .add_file("source.txt", "text/plain", "fetched", Some(true));
    let url = format!("{}/{source}/", emulator.cdn_base_url());
    let file = upload
        .upload_from_url(url)
        .poll_interval(Duration::from_millis(10))
        .send()
        .await
        .unwrap();
    assert_eq!(file.size, 7);

    let ready = upload
        .wait_until_ready(file.uuid, &quick(Duration::from_secs(5)))
        .await
        .unwrap();
    assert!(ready.is_ready);
    assert_eq!(ready.uuid, file.uuid);
}

#[tokio::test]
async fn every_waiter_gives_up_at_its_timeout() {
    // Jobs that never leave their first stage.
    let emulator = Emulator::builder()
        .polls_per_stage(u32::MAX)
        .start()
        .await
        .unwrap();
    let client = Client::from_config(emulator.config()).unwrap();
    let policy = quick(Duration::from_millis(120));
    let timed_out = |result: Result<(), Error>| matches!(result, Err(Error::TimedOut { .. }));

    let video = emulator
        .state()
        .add_file("clip.mp4", "video/mp4", "video bytes", Some(true));
    let jobs = client
        .video_convert()
        .body_map(|b| b.paths(vec![format!("{video}/video/-/format/webm/")]))
        .send()
        .await
        .map_err(Error::from)
        .unwrap();
    let token = jobs.result[0].token.unwrap();
    assert!(timed_out(
        client.wait_for_video_conversion(token, &policy).await.map(drop)
    ));

    let run = client
        .aws_rekognition_detect_moderation_labels_execute()
        .body_map(|b| b.target(video))
        .send()
        .await
        .map_err(Error::from)
        .unwrap();
    assert!(timed_out(
        client
            .wait_for_aws_rekognition_moderation(run.request_id.unwrap(), &policy)
            .await
            .map(drop)
    ));

    #[cfg(feature = "upload")]
    {
        let upload = uploadcare::upload::Client::from_config(emulator.config()).unwrap();
        let source = emulator.state().add_file("s.txt", "text/plain", "s", Some(true));
        let result = upload
            .upload_from_url(format!("{}/{source}/", emulator.cdn_base_url()))
            .poll_interval(Duration::from_millis(10))
            .timeout(Duration::from_millis(120))
            .send()
            .await;
        assert!(timed_out(result.map(drop)));
    }
}

#[cfg(feature = "upload")]
#[tokio::test]
async fn a_failed_upload_from_url_keeps_its_error_code() {
    let emulator = Emulator::start().await.unwrap();
    let upload = uploadcare::upload::Client::from_config(emulator.config()).unwrap();
    // A file the emulator's own CDN does not have: the fetch fails with a 404.
    let missing = format!("{}/{}/", emulator.cdn_base_url(), uuid::Uuid::new_v4());
    let err = upload
        .upload_from_url(missing)
        .poll_interval(Duration::from_millis(10))
        .send()
        .await
        .unwrap_err();
    match err {
        Error::UploadFromUrlFailed { code: Some(code), .. } => assert!(!code.as_str().is_empty()),
        other => panic!("expected UploadFromUrlFailed with a code, got {other:?}"),
    }
}

/// The conversion calls take the typed paths of `cdn::url`; the emulator parses them like the
/// service and the jobs finish.
#[cfg(feature = "cdn")]
#[tokio::test]
async fn typed_conversion_paths_submit_and_finish() {
    use uploadcare::cdn::url::{
        DocumentConversion, DocumentFormat, VideoConversion, VideoFormat, VideoQuality, VideoResize,
    };

    let emulator = Emulator::start().await.unwrap();
    let client = Client::from_config(emulator.config()).unwrap();
    let doc = emulator
        .state()
        .add_file("slides.pdf", "application/pdf", "pdf bytes", Some(true));
    let video = emulator
        .state()
        .add_file("clip.mp4", "video/mp4", "video bytes", Some(true));

    let page = DocumentConversion::new(doc, DocumentFormat::Png).page(2).unwrap();
    let submitted = client
        .convert_documents(std::slice::from_ref(&page), Some(false))
        .await
        .unwrap();
    assert!(submitted.problems.is_empty(), "{:?}", submitted.problems);
    assert_eq!(
        submitted.result[0].original_source.as_deref(),
        Some(page.to_string().as_str())
    );
    let done = client
        .wait_for_document_conversion(
            submitted.result[0].token.unwrap(),
            &quick(Duration::from_secs(10)),
        )
        .await
        .unwrap();
    assert_eq!(done.status, Some(ConversionJobState::Finished));

    let clip = VideoConversion::new(video)
        .format(VideoFormat::Webm)
        .size(Some(640), None, Some(VideoResize::AddPadding))
        .unwrap()
        .quality(VideoQuality::Lighter)
        .cut("0:00:05", "end")
        .unwrap()
        .thumbs(4)
        .unwrap();
    let submitted = client
        .convert_videos(std::slice::from_ref(&clip), None)
        .await
        .unwrap();
    assert!(submitted.problems.is_empty(), "{:?}", submitted.problems);
    assert_eq!(
        submitted.result[0].original_source.as_deref(),
        Some(format!("{video}/video/-/format/webm/-/size/640x/add_padding/-/quality/lighter/-/cut/0:00:05/end/-/thumbs~4/").as_str())
    );
    let done = client
        .wait_for_video_conversion(
            submitted.result[0].token.unwrap(),
            &quick(Duration::from_secs(10)),
        )
        .await
        .unwrap();
    assert_eq!(done.status, Some(ConversionJobState::Finished));
}

/// Every path the library's typed conversions build is one the emulator accepts, and a page
/// on a non-image target is refused on both sides (the formats and the page rule are the
/// library's, read by the emulator).
#[tokio::test]
async fn every_typed_document_conversion_is_accepted() {
    use uploadcare::cdn::url::{DocumentConversion, DocumentFormat};
    let emulator = Emulator::start().await.unwrap();
    let client = Client::from_config(emulator.config()).unwrap();
    let doc = emulator
        .state()
        .add_file("report.docx", "application/msword", "report", Some(true));
    let mut paths: Vec<String> = DocumentFormat::ALL
        .iter()
        .map(|format| DocumentConversion::new(doc, *format).to_string())
        .collect();
    paths.extend(
        DocumentFormat::ALL
            .iter()
            .filter_map(|format| DocumentConversion::new(doc, *format).page(2).ok())
            .map(|conversion| conversion.to_string()),
    );
    assert_eq!(paths.len(), DocumentFormat::ALL.len() + 3);
    let answer = client
        .document_convert()
        .body_map(|b| b.paths(paths.clone()))
        .send()
        .await
        .map_err(Error::from)
        .unwrap();
    assert!(answer.problems.is_empty(), "refused: {:?}", answer.problems);
    assert_eq!(answer.result.len(), paths.len());
    // A page on a text target: the library refuses to build it, the emulator to run it.
    let page_on_text = format!("{doc}/document/-/format/txt/-/page/1/");
    let answer = client
        .document_convert()
        .body_map(|b| b.paths(vec![page_on_text.clone()]))
        .send()
        .await
        .map_err(Error::from)
        .unwrap();
    assert!(answer.problems.contains_key(&page_on_text), "{answer:?}");
}

//! The walkthrough's files and URLs: the sample files (three small texts and a PNG image
//! from the emulator's sample writer), their upload with `upload_many` and per-file progress, and the CDN URLs
//! of the image — processed with typed operations, signed for secure delivery, and, on the
//! emulator, fetched to show what the CDN made of it.

use super::text::{self, Steps};
use super::{CdnUrls, Delivered, Error, Target, DEMO_DELIVERY_SECRET};
use std::io::Write;
use std::time::Duration;
use uploadcare::cdn::info::ImageInfo;
use uploadcare::cdn::secure::SecureDelivery;
use uploadcare::cdn::url::{Format, Quality};
use uploadcare::cdn::Cdn;
use uploadcare::upload::types::FileUploadInfo;
use uploadcare::{upload, v0_7, ClientInfo};

/// Width and height of the sample image, in pixels.
pub const IMAGE_SIZE: (u32, u32) = (120, 80);

/// The name of the sample image among the sample files.
pub const IMAGE_NAME: &str = "pixels.png";

/// The name of the sample document (converted to PDF later).
pub const DOCUMENT_NAME: &str = "notes.txt";

/// The files of the many-files step: names and contents.
fn samples() -> [(&'static str, Vec<u8>); 4] {
    [
        ("second.txt", b"second file".to_vec()),
        (DOCUMENT_NAME, b"A short document.".to_vec()),
        (
            "sizes.csv",
            b"name,bytes\nhello.txt,1056\nsecond.txt,11\n".to_vec(),
        ),
        (IMAGE_NAME, gradient_png(IMAGE_SIZE.0, IMAGE_SIZE.1)),
    ]
}

/// Uploads the sample files at once with `upload_many`, each tagged `tag`: one line per
/// file as its last byte goes out (in whatever order that happens), then each file's UUID
/// or error. The files are written to a temporary directory first (an upload from a path
/// takes its file name from it) and removed again. One result per file, by name.
pub async fn upload_samples<W: Write>(
    uploads: &upload::Client,
    tag: &str,
    out: &mut Steps<'_, W>,
) -> Result<Vec<(String, uploadcare::Result<FileUploadInfo>)>, Error> {
    let dir = std::env::temp_dir().join(format!("uploadcare-demo-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let mut names = Vec::new();
    let mut paths = Vec::new();
    for (name, content) in samples() {
        let path = dir.join(name);
        std::fs::write(&path, content)?;
        names.push(name.to_owned());
        paths.push(path);
    }
    let results = send_many(uploads, paths, tag, &names, out).await;
    // Best effort: the files are in the system's temporary directory anyway.
    let _ = std::fs::remove_dir_all(&dir);
    let results: Vec<_> = names.into_iter().zip(results?).collect();
    for (name, result) in &results {
        match result {
            Ok(file) => out.show(name, file.uuid)?,
            Err(e) => out.show(name, format!("failed: {e}"))?,
        }
    }
    Ok(results)
}

/// Runs `upload_many`, writing a line per file as its bytes are all sent.
async fn send_many<W: Write>(
    uploads: &upload::Client,
    paths: Vec<std::path::PathBuf>,
    tag: &str,
    names: &[String],
    out: &mut Steps<'_, W>,
) -> Result<Vec<uploadcare::Result<FileUploadInfo>>, Error> {
    let (sent_tx, mut sent_rx) = tokio::sync::mpsc::unbounded_channel();
    let many = uploads
        .upload_many(paths)
        .concurrency(4)
        .metadata("origin", "demo")
        .tags([tag])
        .on_progress(move |index, progress| {
            if progress.total > 0 && progress.done >= progress.total {
                let _ = sent_tx.send((index, progress.total));
            }
        })
        .send();
    let mut many = std::pin::pin!(many);
    // A retried request counts its bytes again: each file is reported once.
    let mut reported = vec![false; names.len()];
    let mut report = |index: usize, bytes: u64| -> std::io::Result<()> {
        match reported.get_mut(index) {
            Some(seen) if !*seen => *seen = true,
            _ => return Ok(()),
        }
        let count = reported.iter().filter(|seen| **seen).count();
        out.show(
            &format!("sent {count} of {}", names.len()),
            format!("{} ({})", names[index], text::size(bytes)),
        )
    };
    let results = loop {
        tokio::select! {
            results = &mut many => break results?,
            Some((index, bytes)) = sent_rx.recv() => report(index, bytes)?,
        }
    };
    while let Ok((index, bytes)) = sent_rx.try_recv() {
        report(index, bytes)?;
    }
    Ok(results)
}

/// The CDN URLs of the image `image` (its size `bytes`): a processed one built with typed
/// operations, a signed one (the demo secret on the emulator; on a real project only with
/// the project's secret from the environment, else skipped) and, on the emulator, what its
/// CDN delivers for it.
pub async fn cdn_urls<W: Write>(
    rest: &v0_7::Client,
    cdn: &Cdn,
    target: &Target,
    image: uuid::Uuid,
    bytes: i64,
    out: &mut Steps<'_, W>,
) -> Result<CdnUrls, Error> {
    let (width, height) = IMAGE_SIZE;
    out.show(
        "original",
        format!("{IMAGE_NAME}, PNG, {width}×{height} px, {}", text::size_of(bytes)),
    )?;
    let processed = cdn
        .file_by_uuid(image)
        .resize_width(width / 2)?
        .format(Format::Jpeg)
        .quality(Quality::Better);
    out.show(
        "operations",
        format!("resize to {} px wide, JPEG, better quality", width / 2),
    )?;
    out.show("url", &processed)?;
    let mut urls = CdnUrls {
        url: processed.to_string(),
        ..CdnUrls::default()
    };

    let signer = match target {
        Target::Emulator => Some(SecureDelivery::new(DEMO_DELIVERY_SECRET)?),
        Target::Project { secure_delivery } => secure_delivery.clone(),
    };
    let Some(signer) = signer else {
        out.show(
            "signed url",
            "skipped: set UPLOADCARE_SECURE_DELIVERY_SECRET to sign URLs",
        )?;
        return Ok(urls);
    };
    let window = Duration::from_secs(600);
    let signed_cdn = cdn.clone().with_secure_delivery(signer.with_window(window));
    let signed = signed_cdn.url(&processed)?;
    out.show(&format!("signed ({} min)", window.as_secs() / 60), &signed)?;
    urls.signed = Some(signed.clone());
    if !matches!(target, Target::Emulator) {
        return Ok(urls);
    }

    // The emulator's CDN checks tokens (it runs with the demo secret) and renders the
    // operations for real; `-/json/` at the end of the chain describes the result.
    let unsigned = rest.client().get(&urls.url).send().await?.status();
    if unsigned.is_success() {
        out.show("without token", "delivered too (this CDN does not check tokens)")?;
    } else {
        out.show("without token", format!("refused ({unsigned})"))?;
    }
    let response = rest.client().get(&signed).send().await?.error_for_status()?;
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-")
        .to_owned();
    let size = response.bytes().await?.len() as u64;
    let info: ImageInfo = rest
        .client()
        .get(signed_cdn.url(&processed.json())?)
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let delivered = Delivered {
        format: info.format.unwrap_or_default(),
        width: info.width.unwrap_or_default(),
        height: info.height.unwrap_or_default(),
        bytes: size,
    };
    out.show(
        "with token",
        format!(
            "{}, {}×{} px, {} ({content_type})",
            text::or_dash(Some(&delivered.format)),
            delivered.width,
            delivered.height,
            text::size(size)
        ),
    )?;
    urls.delivered = Some(delivered);
    Ok(urls)
}

/// A `width`×`height` RGB PNG of a colour gradient (the emulator's sample writer: the
/// library has no image crate).
pub fn gradient_png(width: u32, height: u32) -> Vec<u8> {
    uploadcare_emulator::samples::png(width, height, |x, y| {
        [(x * 255 / width) as u8, (y * 255 / height) as u8, 160]
    })
}

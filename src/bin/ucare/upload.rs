//! Upload API commands: file uploads with a progress bar per file, uploads from URL, file
//! and group information.

use crate::cli::{Store, UploadCommand, UploadFiles, UploadGroupCommand, UploadSubcommand};
use crate::error::{CliError, Result};
use crate::output;
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::Path;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, ReadBuf};
use uploadcare::upload::types::{FileUploadInfo, StoreType};
use uploadcare::upload::{Client, DirectFile, UploadProgress, UploadSource};

impl From<Store> for StoreType {
    fn from(store: Store) -> Self {
        match store {
            Store::Auto => StoreType::Auto,
            Store::No => StoreType::Temporary,
            Store::Yes => StoreType::Store,
        }
    }
}

pub async fn run(client: &Client, command: UploadCommand) -> Result {
    match command.command {
        None => upload_files(client, command.files).await,
        Some(UploadSubcommand::FromUrl {
            url,
            wait,
            store,
            filename,
            metadata,
            timeout,
        }) => {
            let mut request = client
                .upload_from_url(url)
                .store(store.into())
                .timeout(Duration::from_secs(timeout));
            if let Some(filename) = filename {
                request = request.filename(filename);
            }
            for (key, value) in metadata {
                request = request.metadata(key, value);
            }
            if wait {
                eprintln!("waiting for the service to fetch the file…");
                output::print(&request.send().await?)
            } else {
                output::print(&request.submit().await?)
            }
        }
        Some(UploadSubcommand::Status { token }) => output::print(&client.from_url_status(token).await?),
        Some(UploadSubcommand::Info { uuid }) => output::print(&client.info(uuid).await?),
        Some(UploadSubcommand::Group(UploadGroupCommand::Create { files })) => {
            output::print(&client.create_group(files).await?)
        }
        Some(UploadSubcommand::Group(UploadGroupCommand::Info { id })) => {
            output::print(&client.group_info(&id).await?)
        }
    }
}

/// Uploads the files one after the other and prints each given path with its file info.
/// Files at or above the multipart threshold go multipart (the library's flow, parts in
/// parallel); smaller ones go to `/base/` with the file's base name as the form field.
/// Stops at the first failure.
async fn upload_files(client: &Client, args: UploadFiles) -> Result {
    let metadata: BTreeMap<String, String> = args.metadata.iter().cloned().collect();
    uploadcare::upload::validate_metadata(&metadata)?;
    let target = if std::io::stderr().is_terminal() {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    };
    let bars = MultiProgress::with_draw_target(target);
    let style = ProgressStyle::with_template(
        "{prefix:20!} [{bar:30}] {binary_bytes:>10}/{binary_total_bytes:<10} {binary_bytes_per_sec:>12} {msg}",
    )
    .unwrap_or_else(|_| ProgressStyle::default_bar())
    .progress_chars("=> ");

    let mut uploaded: Vec<(String, FileUploadInfo)> = Vec::new();
    for path in &args.files {
        let shown = path.display().to_string();
        if uploaded.iter().any(|(done, _)| *done == shown) {
            continue;
        }
        let size = file_size(path).await?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .ok_or_else(|| CliError::failed(format!("{shown}: not a file name")))?;
        let bar = bars.add(
            ProgressBar::new(size)
                .with_style(style.clone())
                .with_prefix(name.clone()),
        );
        let result = if size >= args.multipart_threshold {
            bar.set_message("multipart");
            upload_multipart(client, path, &name, &args, &metadata, &bar).await
        } else {
            upload_direct(client, path, &name, size, &args, &metadata, &bar).await
        };
        match result {
            Ok(info) => {
                bar.finish_with_message("done");
                uploaded.push((shown, info));
            }
            Err(error) => {
                bar.abandon_with_message("failed");
                return Err(match error {
                    CliError::Api(error) => {
                        CliError::failed(format!("uploading {shown}: {}", crate::error::describe(&error)))
                    }
                    other => other,
                });
            }
        }
    }
    output::print(&output::OrderedMap(&uploaded))
}

async fn file_size(path: &Path) -> Result<u64> {
    let metadata = tokio::fs::metadata(path)
        .await
        .map_err(|e| CliError::failed(format!("cannot read {}: {e}", path.display())))?;
    if !metadata.is_file() {
        return Err(CliError::failed(format!("{} is not a file", path.display())));
    }
    Ok(metadata.len())
}

/// `POST /base/` with the base name as the field; the answer maps it to the UUID.
async fn upload_direct(
    client: &Client,
    path: &Path,
    name: &str,
    size: u64,
    args: &UploadFiles,
    metadata: &BTreeMap<String, String>,
    bar: &ProgressBar,
) -> Result<FileUploadInfo> {
    let (store, tags): (StoreType, &[String]) = (args.store.into(), &args.tags);
    let file = tokio::fs::File::open(path)
        .await
        .map_err(|e| CliError::failed(format!("cannot open {}: {e}", path.display())))?;
    let reader = Counting {
        inner: file,
        bar: bar.clone(),
    };
    let field = uploadcare::upload::form_field_name(name);
    let direct = DirectFile {
        field: field.clone(),
        filename: name.to_owned(),
        content_type: None,
        source: UploadSource::reader(reader, size),
    };
    let uuids = client
        .direct_upload_tagged(vec![direct], store, metadata, tags)
        .await?;
    let uuid = uuids.get(&field).copied().ok_or_else(|| {
        CliError::Api(uploadcare::Error::InvalidResponse {
            message: format!("the answer has no UUID for the field `{field}`"),
            body: format!("{uuids:?}"),
        })
    })?;
    bar.set_position(size);
    Ok(client.info(uuid).await?)
}

/// The library's multipart flow, its progress shown on `bar`.
async fn upload_multipart(
    client: &Client,
    path: &Path,
    name: &str,
    args: &UploadFiles,
    metadata: &BTreeMap<String, String>,
    bar: &ProgressBar,
) -> Result<FileUploadInfo> {
    let (progress, mut updates) = tokio::sync::watch::channel(UploadProgress::default());
    let shown = bar.clone();
    // Ends when the upload (the sender) is dropped.
    let follower = tokio::spawn(async move {
        while updates.changed().await.is_ok() {
            let now = *updates.borrow();
            shown.set_position(now.done);
        }
    });
    let mut upload = client
        .upload(path)
        .filename(name)
        .store(args.store.into())
        .multipart_threshold(args.multipart_threshold)
        .concurrency(args.concurrency)
        .progress(progress);
    for (key, value) in metadata {
        upload = upload.metadata(key, value);
    }
    upload = upload.tags(args.tags.iter().cloned());
    let result = upload.send().await;
    let _ = follower.await;
    Ok(result?)
}

/// A reader that advances a progress bar by the bytes read from it.
struct Counting<R> {
    inner: R,
    bar: ProgressBar,
}

impl<R: AsyncRead + Unpin> AsyncRead for Counting<R> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let result = Pin::new(&mut self.inner).poll_read(cx, buf);
        if let Poll::Ready(Ok(())) = result {
            self.bar.inc((buf.filled().len() - before) as u64);
        }
        result
    }
}

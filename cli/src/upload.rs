//! Upload API commands: file uploads (many at once, a progress bar per file), uploads from
//! URL, file and group information.

use crate::cli::{Store, UploadCommand, UploadFiles, UploadGroupCommand, UploadSubcommand};
use crate::error::{CliError, Result};
use crate::output::{self, Output};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use uploadcare::upload::types::{FileUploadInfo, StoreType};
use uploadcare::upload::Client;

impl From<Store> for StoreType {
    fn from(store: Store) -> Self {
        match store {
            Store::Auto => StoreType::Auto,
            Store::No => StoreType::Temporary,
            Store::Yes => StoreType::Store,
        }
    }
}

pub async fn run(client: &Client, out: &Output, command: UploadCommand) -> Result {
    match command.command {
        None => upload_files(client, out, command.files).await,
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
                out.print(&request.send().await?)
            } else {
                out.print(&request.submit().await?)
            }
        }
        Some(UploadSubcommand::Status { token }) => out.print(&client.from_url_status(token).await?),
        Some(UploadSubcommand::Info { uuid }) => out.print(&client.info(uuid).await?),
        Some(UploadSubcommand::Group(UploadGroupCommand::Create { files, stdin })) => {
            create_group(client, out, files, stdin.from_stdin).await
        }
        Some(UploadSubcommand::Group(UploadGroupCommand::Info { id })) => {
            crate::input::check_group_id(&id)?;
            out.print(&client.group_info(&id).await?)
        }
    }
}

/// `upload group create` / `groups create`: a group of the files given (UUIDs or CDN URLs)
/// and, with `--from-stdin`, of those read, in order.
pub async fn create_group(client: &Client, out: &Output, mut files: Vec<String>, from_stdin: bool) -> Result {
    if from_stdin {
        files.extend(crate::input::read_stdin()?);
    }
    for file in &files {
        crate::input::check_text("file", file)?;
    }
    if files.is_empty() {
        return Err(CliError::usage("no files given (as arguments or on stdin)"));
    }
    out.print(&client.create_group(files).await?)
}

/// Uploads the files with the library's `upload_many` (at most `--jobs` requests in
/// flight; small files may share a request; files at or above the multipart threshold go
/// multipart with `--concurrency` parts in parallel), a progress bar per file on a
/// terminal, and prints each given path with its file info. Every file is checked before
/// anything is sent. If some uploads fail, the ones that succeeded are still printed and
/// the first failure is the error.
async fn upload_files(client: &Client, out: &Output, args: UploadFiles) -> Result {
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

    // Each path once, in the order given; all of them readable before any request.
    let mut paths: Vec<(String, &Path)> = Vec::new();
    for path in &args.files {
        let shown = path.display().to_string();
        if !paths.iter().any(|(seen, _)| *seen == shown) {
            paths.push((shown, path.as_path()));
        }
    }
    let mut shown_bars = Vec::with_capacity(paths.len());
    for (shown, path) in &paths {
        let size = file_size(path).await?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .ok_or_else(|| CliError::failed(format!("{shown}: not a file name")))?;
        let bar = bars.add(ProgressBar::new(size).with_style(style.clone()).with_prefix(name));
        if size >= args.multipart_threshold {
            bar.set_message("multipart");
        }
        shown_bars.push(bar);
    }
    let shown_bars = Arc::new(shown_bars);
    let progress_bars = shown_bars.clone();
    let mut many = client
        .upload_many(paths.iter().map(|(_, path)| path.to_path_buf()))
        .concurrency(args.jobs)
        // A dry run shows each file's first request, not a shared one and its fallback.
        .batch_small_files(!out.dry_run())
        .part_concurrency(args.concurrency)
        .multipart_threshold(args.multipart_threshold)
        .store(args.store.into())
        .tags(args.tags.iter().cloned())
        .on_progress(move |index, progress| {
            if let Some(bar) = progress_bars.get(index) {
                bar.set_position(progress.done);
            }
        });
    for (key, value) in metadata {
        many = many.metadata(key, value);
    }
    let results = many.send().await?;

    let mut uploaded: Vec<(String, FileUploadInfo)> = Vec::new();
    let mut failures: Vec<(String, uploadcare::Error)> = Vec::new();
    for (((shown, _), bar), result) in paths.into_iter().zip(shown_bars.iter()).zip(results) {
        match result {
            Ok(info) => {
                bar.finish_with_message("done");
                uploaded.push((shown, info));
            }
            Err(error) => {
                bar.abandon_with_message("failed");
                failures.push((shown, error));
            }
        }
    }
    let total = uploaded.len() + failures.len();
    let mut failures = failures.into_iter();
    let Some((shown, error)) = failures.next() else {
        return out.print(&output::OrderedMap(&uploaded));
    };
    let mut message = format!("uploading {shown}: {}", crate::error::describe(&error));
    let more = failures.len();
    if !uploaded.is_empty() {
        // Nothing is lost: the files that did upload are printed.
        out.print(&output::OrderedMap(&uploaded))?;
        message.push_str(&format!(
            " ({} of {total} files uploaded, printed on stdout{})",
            uploaded.len(),
            if more > 0 {
                format!("; {more} more failed")
            } else {
                String::new()
            }
        ));
    } else if more > 0 {
        message.push_str(&format!(" ({more} more of {total} failed)"));
    }
    // The exit status of the first failure: 2 for refused input, 3 for credentials.
    Err(match crate::error::api_exit_code(&error) {
        2 => CliError::usage(message),
        3 => CliError::credentials(message),
        _ => CliError::failed(message),
    })
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

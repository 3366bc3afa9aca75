//! The end-to-end walkthrough of the crate: project info, a signed upload, store, file
//! info, paginated listing, metadata, a group, a webhook, a document conversion it waits
//! for, and clean-up.
//!
//! It exists once and runs in two places: `cargo run --example demo` (`examples/demo.rs`
//! includes this file with `#[path]`; the steps go to stdout) and `ucare demo` (the steps
//! go to stderr, a JSON summary to stdout). It only uses the library, tokio and serde, so it
//! compiles in the library's example too.

use serde::Serialize;
use std::io::Write;
use std::time::Duration;
use uploadcare::upload::types::StoreType;
use uploadcare::v0_7::types::{self, ConversionJobState, WebhookEvent};
use uploadcare::{upload, v0_7, Config};

/// The walkthrough's error: any step's error, boxed.
pub type Error = Box<dyn std::error::Error + Send + Sync>;

/// What the walkthrough created (everything is removed again in the last step).
#[derive(Clone, Debug, Default, Serialize)]
pub struct Summary {
    /// The project's name.
    pub project: Option<String>,
    /// The uploaded files, in upload order.
    pub files: Vec<uuid::Uuid>,
    /// The group of the first two files.
    pub group: String,
    /// The webhook's ID.
    pub webhook: Option<i64>,
    /// The document conversion: its token, final status and output file.
    pub conversion: Option<Conversion>,
}

/// The document conversion step's outcome.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Conversion {
    /// The job token.
    pub token: i64,
    /// The last status seen.
    pub status: String,
    /// The output file, once finished.
    pub output: Option<uuid::Uuid>,
}

/// Writes the numbered steps and their values.
struct Steps<'w, W: Write> {
    out: &'w mut W,
}

impl<W: Write> Steps<'_, W> {
    fn step(&mut self, n: u32, title: &str) -> std::io::Result<()> {
        writeln!(self.out, "\n{n:>2}. {title}")
    }

    fn show(&mut self, label: &str, value: impl std::fmt::Display) -> std::io::Result<()> {
        writeln!(self.out, "      {label:<18} {value}")
    }

    fn line(&mut self, text: &str) -> std::io::Result<()> {
        writeln!(self.out, "{text}")
    }
}

/// Runs the walkthrough with `config`, printing the steps on stdout.
#[allow(dead_code)] // used by examples/demo.rs; `ucare demo` uses `run_to`
pub async fn run(config: Config) -> Result<Summary, Error> {
    run_to(config, &mut std::io::stdout()).await
}

/// Runs the walkthrough with `config`, printing the steps to `out`.
pub async fn run_to<W: Write>(config: Config, out: &mut W) -> Result<Summary, Error> {
    let mut out = Steps { out };
    let mut summary = Summary::default();
    let rest = v0_7::Client::from_config(config.clone())?;
    let uploads = upload::Client::from_config(config)?;

    out.step(1, "Project")?;
    let project = rest.project_info().send().await?;
    out.show("name", project.name.as_deref().unwrap_or("-"))?;
    out.show("public key", project.pub_key.as_deref().unwrap_or("-"))?;
    summary.project = project.name.clone();

    out.step(2, "Upload a file (signed direct upload)")?;
    let text = "Hello from the uploadcare crate!\n".repeat(32);
    let uploaded = uploads
        .upload(text.into_bytes())
        .filename("hello.txt")
        .store(StoreType::Temporary)
        .metadata("origin", "demo")
        .send()
        .await?;
    let uuid = uploaded.uuid;
    summary.files.push(uuid);
    out.show("uuid", uuid)?;
    out.show("size", format!("{} bytes", uploaded.size))?;
    out.show("stored", uploaded.is_stored)?;

    out.step(3, "Store it")?;
    let stored = rest.store_file().uuid(uuid).send().await?;
    out.show(
        "stored at",
        stored.datetime_stored.map(|t| t.to_rfc3339()).unwrap_or_default(),
    )?;

    out.step(4, "File info")?;
    let info = rest.file_info().uuid(uuid).send().await?;
    out.show("name", &info.original_filename)?;
    out.show("mime type", &info.mime_type)?;
    out.show("ready", info.is_ready)?;
    let metadata = info
        .metadata
        .as_deref()
        .map(|m| format!("{m:?}"))
        .unwrap_or_default();
    out.show("metadata", metadata)?;

    out.step(5, "List files, one per page, following `next`")?;
    let second = uploads
        .upload(b"second file".to_vec())
        .filename("second.txt")
        .send()
        .await?;
    summary.files.push(second.uuid);
    let mut page = rest.files_list().limit(1).send().await?.into_inner();
    for number in 1..=3 {
        let names: Vec<&str> = page
            .results
            .iter()
            .map(|f| f.original_filename.as_str())
            .collect();
        out.show(&format!("page {number}"), names.join(", "))?;
        match page.next.take() {
            Some(next) => page = rest.follow(&next).await?,
            None => break,
        }
    }

    out.step(6, "Metadata")?;
    let key: types::MetadataKey = "reviewed-by".parse()?;
    rest.update_file_metadata_key()
        .uuid(uuid)
        .key(key.clone())
        .body("demo-bot")
        .send()
        .await?;
    let value = rest.file_metadata_key().uuid(uuid).key(key).send().await?;
    out.show("reviewed-by", value.as_str())?;
    let all = rest.file_metadata().uuid(uuid).send().await?;
    out.show("all keys", format!("{:?}", all.keys().collect::<Vec<_>>()))?;

    out.step(7, "Group")?;
    let group = uploads
        .create_group([uuid.to_string(), second.uuid.to_string()])
        .await?;
    let group_id = group.id.clone().unwrap_or_default();
    summary.group = group_id.clone();
    out.show("id", &group_id)?;
    let group_info = rest.group_info().uuid(group_id.clone()).send().await?;
    out.show(
        "files",
        group_info.files_count.map(|n| n.get()).unwrap_or_default(),
    )?;

    out.step(8, "Webhook")?;
    let target = "https://example.com/uploadcare-demo-hook";
    let hook = rest
        .webhook_create()
        .body_map(|b| b.target_url(target).event(WebhookEvent::FileUploaded))
        .send()
        .await?;
    summary.webhook = hook.id;
    out.show("id", hook.id.unwrap_or_default())?;
    out.show(
        "event",
        hook.event.as_ref().map(|e| e.to_string()).unwrap_or_default(),
    )?;
    out.show("active", hook.is_active)?;

    out.step(9, "Document conversion (to PDF), waiting for it")?;
    let document = uploads
        .upload(b"A short document.".to_vec())
        .filename("notes.txt")
        .send()
        .await?;
    summary.files.push(document.uuid);
    let conversion = rest
        .document_convert()
        .body_map(|b| b.paths(vec![format!("{}/document/-/format/pdf/", document.uuid)]))
        .send()
        .await;
    match conversion {
        Err(e) => out.show("skipped", uploadcare::Error::from(e))?,
        Ok(submitted) => {
            for (path, problem) in &submitted.problems {
                out.show("problem", format!("{path}: {problem}"))?;
            }
            if let Some(job) = submitted.result.first() {
                let token = job.token.unwrap_or_default();
                out.show("token", token)?;
                let mut outcome = Conversion {
                    token,
                    ..Conversion::default()
                };
                for _ in 0..60 {
                    let status = rest.document_convert_status().token(token).send().await?;
                    let state = status
                        .status
                        .clone()
                        .unwrap_or(ConversionJobState::Unrecognized(String::new()));
                    out.show("status", &state)?;
                    outcome.status = state.to_string();
                    if matches!(state, ConversionJobState::Finished | ConversionJobState::Failed) {
                        let output = status.result.as_ref().and_then(|r| r.uuid);
                        outcome.output = output;
                        out.show("output file", output.map(|u| u.to_string()).unwrap_or_default())?;
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(300)).await;
                }
                summary.conversion = Some(outcome);
            }
        }
    }

    out.step(10, "Clean up: delete the files, the group and the webhook")?;
    for file in [uuid, second.uuid, document.uuid] {
        let removed = rest.delete_file_storage().uuid(file).send().await?;
        out.show(
            "removed",
            format!("{file} at {:?}", removed.datetime_removed.map(|t| t.to_rfc3339())),
        )?;
    }
    rest.delete_group().uuid(group_id).send().await?;
    out.show("group", "deleted")?;
    rest.webhook_unsubscribe()
        .body_map(|b| b.target_url(target))
        .send()
        .await?;
    out.show("webhook", "unsubscribed")?;

    out.line("\nDone.")?;
    Ok(summary)
}

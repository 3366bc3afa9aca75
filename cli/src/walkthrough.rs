//! The end-to-end walkthrough of the crate: project info, a signed upload, store, file info,
//! four files at once with `upload_many` and per-file progress, paginated listing, metadata,
//! tags and a search by tag, CDN URLs with typed operations (and a signed one), a group, a
//! webhook, a document conversion it waits for, and clean-up of everything it made.
//!
//! It exists once and runs in two places: `cargo run --example demo` (`examples/demo.rs`
//! includes this file with `#[path]`; the steps go to stdout) and `ucare demo` (the steps
//! go to stderr, a JSON summary to stdout). It only uses the library, tokio, serde and uuid,
//! so it compiles in the library's example too; its submodules are included with `#[path]`
//! relative to this file, which resolves the same from both.
//!
//! [`Target`] says where it runs. On the emulator (started with [`DEMO_DELIVERY_SECRET`]
//! for secure delivery) every step runs, including fetching the processed image from the
//! emulator's CDN with and without a token. On a real project the CDN is not fetched, and
//! the signed URL is made only when `UPLOADCARE_SECURE_DELIVERY_SECRET` is set. Secrets are
//! never printed.

#[path = "walkthrough/media.rs"]
mod media;
#[path = "walkthrough/text.rs"]
mod text;

use serde::Serialize;
use std::io::Write;
use std::time::Duration;
use text::{Steps, DATE};
use uploadcare::cdn::secure::SecureDelivery;
use uploadcare::cdn::Cdn;
use uploadcare::search::SortKey;
use uploadcare::upload::types::StoreType;
use uploadcare::v0_7::types::{self, ConversionJobState, WebhookEvent};
use uploadcare::{upload, v0_7, Config};

/// The walkthrough's error: any step's error, boxed.
pub type Error = Box<dyn std::error::Error + Send + Sync>;

/// The secure-delivery secret (hex) of the demo's emulator: the entry points start the
/// embedded emulator with it, and the walkthrough signs CDN URLs with it there. It is not
/// a real project's secret, and the walkthrough does not print it either.
pub const DEMO_DELIVERY_SECRET: &str = "75706c6f6164636172652d64656d6f2d64656c6976657279";

/// The environment variable with a real project's secure-delivery secret (hex).
pub const SECURE_DELIVERY_ENV: &str = "UPLOADCARE_SECURE_DELIVERY_SECRET";

/// Where the walkthrough runs; it decides the steps only the emulator can do.
#[derive(Clone, Debug)]
pub enum Target {
    /// The embedded emulator, started with [`DEMO_DELIVERY_SECRET`] for secure delivery.
    Emulator,
    /// A real project (or any server given with both keys): nothing emulator-only.
    Project {
        /// The project's URL signer, when its secret is known (never printed).
        secure_delivery: Option<SecureDelivery>,
    },
}

impl Target {
    /// A real project, signing URLs with the secret in [`SECURE_DELIVERY_ENV`] when it is
    /// set; an error (not quoting it) when it is not hex.
    pub fn project_from_env() -> Result<Self, Error> {
        let secure_delivery = match std::env::var(SECURE_DELIVERY_ENV) {
            Ok(secret) if !secret.trim().is_empty() => Some(SecureDelivery::new(&secret)?),
            _ => None,
        };
        Ok(Self::Project { secure_delivery })
    }
}

/// What the walkthrough created and found (everything it created is removed in the last
/// step).
#[derive(Clone, Debug, Default, Serialize)]
pub struct Summary {
    /// The project's name.
    pub project: Option<String>,
    /// The uploaded files, in upload order (the conversion's output is in `conversion`).
    pub files: Vec<uuid::Uuid>,
    /// The first file's tags at the end of the tags step.
    pub tags: Vec<String>,
    /// The files the search by this run's tag found.
    pub found: Vec<uuid::Uuid>,
    /// The image's CDN URLs.
    pub cdn: CdnUrls,
    /// The group of the first two files.
    pub group: String,
    /// The webhook's ID.
    pub webhook: Option<i64>,
    /// The document conversion: its token, final status and output file.
    pub conversion: Option<Conversion>,
}

/// The CDN URLs of the sample image.
#[derive(Clone, Debug, Default, Serialize)]
pub struct CdnUrls {
    /// The URL with operations (resize, format, quality).
    pub url: String,
    /// The same URL signed for secure delivery, when a secret was at hand.
    pub signed: Option<String>,
    /// What the CDN delivered for it (on the emulator only).
    pub delivered: Option<Delivered>,
}

/// A processed image as the CDN delivered it.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Delivered {
    /// Its format (`JPEG`, `PNG`, `WEBP`).
    pub format: String,
    /// Width in pixels.
    pub width: u64,
    /// Height in pixels.
    pub height: u64,
    /// Size of the delivered file in bytes.
    pub bytes: u64,
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

/// Runs the walkthrough with `config` against `target`, printing the steps on stdout.
#[allow(dead_code)] // used by examples/demo.rs; `ucare demo` uses `run_to`
pub async fn run(config: Config, target: Target) -> Result<Summary, Error> {
    run_to(config, target, &mut std::io::stdout()).await
}

/// Runs the walkthrough with `config` against `target`, printing the steps to `out`. The
/// clean-up runs even when a step fails (the first error is returned after it), so a run
/// against a real project leaves nothing behind.
pub async fn run_to<W: Write>(config: Config, target: Target, out: &mut W) -> Result<Summary, Error> {
    let mut out = Steps { out };
    let clients = Clients {
        cdn: config.cdn()?,
        rest: v0_7::Client::from_config(config.clone())?,
        uploads: upload::Client::from_config(config)?,
    };
    let mut summary = Summary::default();
    let walked = steps(&clients, &target, &mut summary, &mut out).await;
    if let Err(error) = &walked {
        out.show("stopped", format!("{error}; removing what was made"))?;
    }
    out.step(13, "Clean up: delete the files, the group and the webhook")?;
    let cleaned = clean_up(&clients.rest, &summary, &mut out).await;
    walked?;
    cleaned?;
    out.line("\nDone.")?;
    Ok(summary)
}

/// The clients of one run.
struct Clients {
    /// The project's URL API.
    cdn: Cdn,
    /// REST API 0.7.
    rest: v0_7::Client,
    /// Upload API.
    uploads: upload::Client,
}

/// The target URL of the demo's webhook.
const WEBHOOK_URL: &str = "https://example.com/uploadcare-demo-hook";

/// Steps 1 to 12, recording in `summary` what they make as they make it.
async fn steps<W: Write>(
    clients: &Clients,
    target: &Target,
    summary: &mut Summary,
    out: &mut Steps<'_, W>,
) -> Result<(), Error> {
    let Clients { cdn, rest, uploads } = clients;
    out.step(1, "Project")?;
    let project = rest.project_info().send().await?;
    out.show("name", text::or_dash(project.name.as_deref()))?;
    out.show("public key", text::or_dash(project.pub_key.as_deref()))?;
    summary.project = project.name.clone();

    out.step(2, "Upload a file (signed direct upload)")?;
    let content = "Hello from the uploadcare crate!\n".repeat(32);
    let uploaded = uploads
        .upload(content.into_bytes())
        .filename("hello.txt")
        .store(StoreType::Temporary)
        .metadata("origin", "demo")
        .send()
        .await?;
    let uuid = uploaded.uuid;
    summary.files.push(uuid);
    out.show("uuid", uuid)?;
    out.show("size", text::size_of(uploaded.size))?;
    out.show("stored", text::yes_no(uploaded.is_stored))?;

    out.step(3, "Store it")?;
    let stored = rest.store_file().uuid(uuid).send().await?;
    out.show(
        "stored at",
        text::or_dash(stored.datetime_stored.map(|t| t.format(DATE))),
    )?;

    out.step(4, "File info")?;
    let info = rest.file_info().uuid(uuid).send().await?;
    out.show("name", &info.original_filename)?;
    out.show("mime type", &info.mime_type)?;
    out.show("size", text::size_of(info.size))?;
    out.show("uploaded at", info.datetime_uploaded.format(DATE))?;
    out.show("ready", text::yes_no(info.is_ready))?;
    let metadata = info.metadata.iter().flat_map(|m| m.iter());
    out.show(
        "metadata",
        text::list(metadata.map(|(k, v)| format!("{k} = {v}"))),
    )?;

    out.step(
        5,
        "Upload four files at once (upload_many, a line per file as it is sent)",
    )?;
    // This run's tag: the search in step 8 finds exactly the files of this run.
    let tag = format!("demo-{}", &uuid.simple().to_string()[..8]);
    let results = media::upload_samples(uploads, &tag, out).await?;
    summary.files.extend(
        results
            .iter()
            .filter_map(|(_, r)| r.as_ref().ok().map(|f| f.uuid)),
    );
    let mut many = Vec::new();
    for (name, result) in results {
        many.push((name.clone(), result.map_err(|e| format!("{name}: {e}"))?));
    }
    out.show("tagged", &tag)?;
    let sample = |name: &str| {
        many.iter()
            .find(|(n, _)| n == name)
            .map(|(_, file)| file)
            .ok_or_else(|| format!("no sample file {name}"))
    };
    let (second, document, image) = (
        sample("second.txt")?,
        sample(media::DOCUMENT_NAME)?,
        sample(media::IMAGE_NAME)?,
    );

    out.step(6, "List files, one per page, following `next`")?;
    let mut page = rest.files_list().limit(1).send().await?.into_inner();
    for number in 1..=3 {
        let names = page.results.iter().map(|f| f.original_filename.as_str());
        out.show(&format!("page {number}"), text::list(names))?;
        match page.next.take() {
            Some(next) => page = rest.follow(&next).await?,
            None => break,
        }
    }

    out.step(7, "Metadata")?;
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
    out.show("all keys", text::list(all.keys()))?;

    out.step(8, "Tags (normalized as the service does it) and a search by tag")?;
    let given = [tag.to_uppercase(), " Greeting ".to_owned()];
    out.show("set", text::list(given.iter().map(|t| format!("\"{t}\""))))?;
    let set = rest.set_tags(uuid, &given).await?;
    out.show("stored as", text::list(&set.tags))?;
    let change = rest.change_tags(uuid, ["reviewed"], ["greeting"]).await?;
    out.show("added", text::list(&change.added))?;
    out.show("deleted", text::list(&change.deleted))?;
    summary.tags = rest.tags(uuid).await?;
    out.show("tags now", text::list(&summary.tags))?;
    summary.found = search_tagged(rest, &tag, target, summary.files.len(), out).await?;

    out.step(
        9,
        "CDN URLs: typed operations, a signed URL, what the CDN delivers",
    )?;
    summary.cdn = media::cdn_urls(rest, cdn, target, image.uuid, image.size, out).await?;

    out.step(10, "Group")?;
    let group = uploads
        .create_group([uuid.to_string(), second.uuid.to_string()])
        .await?;
    let group_id = group.id.clone().unwrap_or_default();
    summary.group = group_id.clone();
    out.show("id", &group_id)?;
    let group_info = rest.group_info().uuid(group_id.clone()).send().await?;
    let count = group_info.files_count.map_or(0, |n| n.get());
    out.show("members", text::files(usize::try_from(count).unwrap_or_default()))?;

    out.step(11, "Webhook")?;
    let hook = rest
        .webhook_create()
        .body_map(|b| b.target_url(WEBHOOK_URL).event(WebhookEvent::FileUploaded))
        .send()
        .await?;
    summary.webhook = hook.id;
    out.show("id", text::or_dash(hook.id))?;
    out.show("event", text::or_dash(hook.event.as_ref()))?;
    out.show("active", text::yes_no(hook.is_active))?;

    out.step(12, "Document conversion (to PDF), waiting for it")?;
    summary.conversion = convert(rest, document.uuid, out).await?;
    Ok(())
}

/// Deletes what `summary` says the steps made: the files (the conversion's output too), the
/// group and the webhook. Goes on past a failure; returns the first.
async fn clean_up<W: Write>(
    rest: &v0_7::Client,
    summary: &Summary,
    out: &mut Steps<'_, W>,
) -> Result<(), Error> {
    let mut first: Option<Error> = None;
    let output = summary.conversion.as_ref().and_then(|c| c.output);
    for file in summary.files.iter().copied().chain(output) {
        match rest.delete_file_storage().uuid(file).send().await {
            Ok(removed) => {
                let at = text::or_dash(removed.datetime_removed.map(|t| t.format(DATE)));
                out.show("removed", format!("{} at {at}", removed.original_filename))?;
            }
            Err(e) => {
                let e = uploadcare::Error::from(e);
                out.show("not removed", format!("{file}: {e}"))?;
                first.get_or_insert(e.into());
            }
        }
    }
    if !summary.group.is_empty() {
        match rest.delete_group().uuid(summary.group.clone()).send().await {
            Ok(_) => out.show("group", "deleted")?,
            Err(e) => {
                let e = uploadcare::Error::from(e);
                out.show("group", format!("not deleted: {e}"))?;
                first.get_or_insert(e.into());
            }
        }
    }
    if summary.webhook.is_some() {
        let unsubscribed = rest
            .webhook_unsubscribe()
            .body_map(|b| b.target_url(WEBHOOK_URL))
            .send()
            .await;
        match unsubscribed {
            Ok(_) => out.show("webhook", "unsubscribed")?,
            Err(e) => {
                let e = uploadcare::Error::from(e);
                out.show("webhook", format!("not unsubscribed: {e}"))?;
                first.get_or_insert(e.into());
            }
        }
    }
    first.map_or(Ok(()), Err)
}

/// Searches the files tagged `tag` (sorted by name), then the images among them; on a real
/// project it asks again for up to 10 s until the `expected` files are found (the service
/// indexes changes shortly after they happen). Returns the UUIDs found.
async fn search_tagged<W: Write>(
    rest: &v0_7::Client,
    tag: &str,
    target: &Target,
    expected: usize,
    out: &mut Steps<'_, W>,
) -> Result<Vec<uuid::Uuid>, Error> {
    let patient = matches!(target, Target::Project { .. });
    let mut tries = 0;
    let found = loop {
        tries += 1;
        let page = rest
            .search()
            .tags_all([tag])
            .sort(SortKey::OriginalFilename.ascending())
            .send()
            .await?;
        if !patient || page.results.len() >= expected || tries == 10 {
            break page.results;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    };
    out.show("search", format!("files tagged {tag}, by name"))?;
    let names = found.iter().map(|f| f.original_filename.as_str());
    out.show(
        "found",
        format!("{}: {}", text::files(found.len()), text::list(names)),
    )?;
    if found.len() < expected {
        out.show("note", "the search index may take a moment to catch up")?;
    }
    let images = rest.search().tags_all([tag]).images_only(true).send().await?;
    let names = images.results.iter().map(|f| f.original_filename.as_str());
    out.show("images among them", text::list(names))?;
    Ok(found.iter().map(|f| f.uuid).collect())
}

/// Converts the text file `document` to PDF and waits for the job (60 polls at most),
/// showing each new status. `None` when the service refused the conversion (shown, not an
/// error: a project may not have conversions).
async fn convert<W: Write>(
    rest: &v0_7::Client,
    document: uuid::Uuid,
    out: &mut Steps<'_, W>,
) -> Result<Option<Conversion>, Error> {
    let submitted = rest
        .document_convert()
        .body_map(|b| b.paths(vec![format!("{document}/document/-/format/pdf/")]))
        .send()
        .await;
    let submitted = match submitted {
        Err(e) => {
            out.show("skipped", uploadcare::Error::from(e))?;
            return Ok(None);
        }
        Ok(submitted) => submitted,
    };
    for (path, problem) in &submitted.problems {
        out.show("problem", format!("{path}: {problem}"))?;
    }
    let Some(job) = submitted.result.first() else {
        return Ok(None);
    };
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
        if state.to_string() != outcome.status {
            outcome.status = state.to_string();
            out.show("status", &outcome.status)?;
        }
        if matches!(state, ConversionJobState::Finished | ConversionJobState::Failed) {
            outcome.output = status.result.as_ref().and_then(|r| r.uuid);
            out.show("output file", text::or_dash(outcome.output))?;
            break;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    Ok(Some(outcome))
}

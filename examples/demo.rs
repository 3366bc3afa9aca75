//! Uploadcare from Rust, end to end: `cargo run --example demo`.
//!
//! Without keys it starts the embedded emulator (a local Uploadcare on 127.0.0.1) and runs
//! the whole workflow against it with real, signed HTTP. With `UPLOADCARE_PUBLIC_KEY` and
//! `UPLOADCARE_SECRET_KEY` set it runs against your real project instead, and removes what
//! it created at the end.

use std::time::Duration;
use uploadcare::emulator::Emulator;
use uploadcare::upload::types::StoreType;
use uploadcare::v0_7::types::{self, ConversionJobState, WebhookEvent};
use uploadcare::{upload, v0_7, Config};

type Result<T, E = Box<dyn std::error::Error>> = std::result::Result<T, E>;

fn step(n: u32, title: &str) {
    println!("\n{n:>2}. {title}");
}

fn show(label: &str, value: impl std::fmt::Display) {
    println!("      {label:<18} {value}");
}

#[tokio::main]
async fn main() -> Result<()> {
    // Keep the emulator alive for the whole run (dropping it stops it).
    let (config, _emulator) = match Config::from_env() {
        Ok(config) if config.has_secret_key() => {
            println!(
                "Using the real Uploadcare project of {} (from the environment).",
                config.public_key()
            );
            (config, None)
        }
        _ => {
            let emulator = Emulator::start().await?;
            println!("No UPLOADCARE_PUBLIC_KEY/UPLOADCARE_SECRET_KEY: using the embedded emulator.");
            println!("  REST API   {}", emulator.rest_base_url());
            println!("  Upload API {}", emulator.upload_base_url());
            (emulator.config(), Some(emulator))
        }
    };
    let rest = v0_7::Client::from_config(config.clone())?;
    let uploads = upload::Client::from_config(config)?;

    step(1, "Project");
    let project = rest.project_info().send().await?;
    show("name", project.name.as_deref().unwrap_or("-"));
    show("public key", project.pub_key.as_deref().unwrap_or("-"));

    step(2, "Upload a file (signed direct upload)");
    let text = "Hello from the uploadcare crate!\n".repeat(32);
    let uploaded = uploads
        .upload(text.into_bytes())
        .filename("hello.txt")
        .store(StoreType::Temporary)
        .metadata("origin", "demo")
        .send()
        .await?;
    let uuid = uploaded.uuid;
    show("uuid", uuid);
    show("size", format!("{} bytes", uploaded.size));
    show("stored", uploaded.is_stored);

    step(3, "Store it");
    let stored = rest.store_file().uuid(uuid).send().await?;
    show(
        "stored at",
        stored.datetime_stored.map(|t| t.to_rfc3339()).unwrap_or_default(),
    );

    step(4, "File info");
    let info = rest.file_info().uuid(uuid).send().await?;
    show("name", &info.original_filename);
    show("mime type", &info.mime_type);
    show("ready", info.is_ready);
    let metadata = info
        .metadata
        .as_deref()
        .map(|m| format!("{m:?}"))
        .unwrap_or_default();
    show("metadata", metadata);

    step(5, "List files, one per page, following `next`");
    let second = uploads
        .upload(b"second file".to_vec())
        .filename("second.txt")
        .send()
        .await?;
    let mut page = rest.files_list().limit(1).send().await?.into_inner();
    for number in 1..=3 {
        let names: Vec<&str> = page
            .results
            .iter()
            .map(|f| f.original_filename.as_str())
            .collect();
        show(&format!("page {number}"), names.join(", "));
        match page.next.take() {
            Some(next) => page = rest.follow(&next).await?,
            None => break,
        }
    }

    step(6, "Metadata");
    let key: types::MetadataKey = "reviewed-by".parse()?;
    rest.update_file_metadata_key()
        .uuid(uuid)
        .key(key.clone())
        .body("demo-bot")
        .send()
        .await?;
    let value = rest.file_metadata_key().uuid(uuid).key(key).send().await?;
    show("reviewed-by", value.as_str());
    let all = rest.file_metadata().uuid(uuid).send().await?;
    show("all keys", format!("{:?}", all.keys().collect::<Vec<_>>()));

    step(7, "Group");
    let group = uploads
        .create_group([uuid.to_string(), second.uuid.to_string()])
        .await?;
    let group_id = group.id.clone().unwrap_or_default();
    show("id", &group_id);
    let group_info = rest.group_info().uuid(group_id.clone()).send().await?;
    show(
        "files",
        group_info.files_count.map(|n| n.get()).unwrap_or_default(),
    );

    step(8, "Webhook");
    let target = "https://example.com/uploadcare-demo-hook";
    let hook = rest
        .webhook_create()
        .body_map(|b| b.target_url(target).event(WebhookEvent::FileUploaded))
        .send()
        .await?;
    show("id", hook.id.unwrap_or_default());
    show(
        "event",
        hook.event.as_ref().map(|e| e.to_string()).unwrap_or_default(),
    );
    show("active", hook.is_active);

    step(9, "Document conversion (to PDF), waiting for it");
    let document = uploads
        .upload(b"A short document.".to_vec())
        .filename("notes.txt")
        .send()
        .await?;
    let conversion = rest
        .document_convert()
        .body_map(|b| b.paths(vec![format!("{}/document/-/format/pdf/", document.uuid)]))
        .send()
        .await;
    match conversion {
        Err(e) => show("skipped", uploadcare::Error::from(e)),
        Ok(submitted) => {
            for (path, problem) in &submitted.problems {
                show("problem", format!("{path}: {problem}"));
            }
            if let Some(job) = submitted.result.first() {
                let token = job.token.unwrap_or_default();
                show("token", token);
                for _ in 0..60 {
                    let status = rest.document_convert_status().token(token).send().await?;
                    let state = status
                        .status
                        .clone()
                        .unwrap_or(ConversionJobState::Unrecognized(String::new()));
                    show("status", &state);
                    if matches!(state, ConversionJobState::Finished | ConversionJobState::Failed) {
                        let output = status.result.as_ref().and_then(|r| r.uuid);
                        show("output file", output.map(|u| u.to_string()).unwrap_or_default());
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(300)).await;
                }
            }
        }
    }

    step(10, "Clean up: delete the files, the group and the webhook");
    for file in [uuid, second.uuid, document.uuid] {
        let removed = rest.delete_file_storage().uuid(file).send().await?;
        show(
            "removed",
            format!("{file} at {:?}", removed.datetime_removed.map(|t| t.to_rfc3339())),
        );
    }
    rest.delete_group().uuid(group_id).send().await?;
    show("group", "deleted");
    rest.webhook_unsubscribe()
        .body_map(|b| b.target_url(target))
        .send()
        .await?;
    show("webhook", "unsubscribed");

    println!("\nDone.");
    Ok(())
}

//! Lists the project's latest files and stores the first unstored one.
//!
//! Run against your project (this talks to the real service):
//! `UPLOADCARE_PUBLIC_KEY=... UPLOADCARE_SECRET_KEY=... cargo run --example list_and_store`
//! Set `UPLOADCARE_API_BASE` to point it at another server (e.g. a local emulator).

use uploadcare::v0_7::{types, Client};
use uploadcare::Config;

#[tokio::main]
async fn main() -> uploadcare::Result<()> {
    let mut config = Config::from_env()?;
    if let Ok(base) = std::env::var("UPLOADCARE_API_BASE") {
        config = config.with_rest_base_url(base);
    }
    let client = Client::from_config(config)?;

    let page = client
        .files_list()
        .limit(10)
        .ordering(types::FilesOrdering::DatetimeUploadedDesc)
        .send()
        .await?;
    println!(
        "{} files in the project, showing {}:",
        page.total.unwrap_or_default(),
        page.results.len()
    );
    for file in &page.results {
        let stored = if file.datetime_stored.is_some() {
            "stored"
        } else {
            "not stored"
        };
        println!(
            "  {} {:>10} bytes  {stored}  {}",
            file.uuid, file.size, file.original_filename
        );
    }

    if let Some(file) = page.results.iter().find(|f| f.datetime_stored.is_none()) {
        let stored = client.store_file().uuid(file.uuid).send().await?;
        println!("stored {} at {:?}", stored.uuid, stored.datetime_stored);
    }
    Ok(())
}

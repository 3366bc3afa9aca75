//! Uploadcare from Rust, end to end: `cargo run --example demo`.
//!
//! Without keys it starts the embedded emulator (a local Uploadcare on 127.0.0.1, with
//! secure delivery on) and runs the whole workflow against it with real, signed HTTP. With
//! `UPLOADCARE_PUBLIC_KEY` and `UPLOADCARE_SECRET_KEY` set it runs against your real project
//! instead (signing a CDN URL only if `UPLOADCARE_SECURE_DELIVERY_SECRET` is set too), and
//! removes what it created at the end.
//!
//! The walkthrough itself lives in `cli/src/walkthrough.rs`, shared with `ucare demo`.

#[path = "../cli/src/walkthrough.rs"]
mod walkthrough;

use uploadcare::Config;
use uploadcare_emulator::Emulator;
use walkthrough::Target;

#[tokio::main]
async fn main() -> Result<(), walkthrough::Error> {
    // Keep the emulator alive for the whole run (dropping it stops it).
    let (config, target, _emulator) = match Config::from_env() {
        Ok(config) if config.has_secret_key() => {
            println!(
                "Using the real Uploadcare project of {} (from the environment).",
                config.public_key()
            );
            (config, Target::project_from_env()?, None)
        }
        _ => {
            let emulator = Emulator::builder()
                .secure_delivery_secret(walkthrough::DEMO_DELIVERY_SECRET)
                .start()
                .await?;
            println!("No UPLOADCARE_PUBLIC_KEY/UPLOADCARE_SECRET_KEY: using the embedded emulator.");
            println!("  REST API   {}", emulator.rest_base_url());
            println!("  Upload API {}", emulator.upload_base_url());
            println!("  CDN        {} (secure delivery on)", emulator.cdn_base_url());
            (emulator.config(), Target::Emulator, Some(emulator))
        }
    };
    walkthrough::run(config, target).await?;
    Ok(())
}

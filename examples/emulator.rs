//! Runs the local Uploadcare emulator until Ctrl-C: `cargo run --example emulator`.
//!
//! Point any client (this crate's, `curl`, another SDK) at the printed URLs and keys.
//! `--discard-uploads` counts multipart bodies instead of keeping them, and
//! `--latency-ms N` delays every request by N ms, like a distant service (both for
//! benchmarks); `--signed-uploads` makes the project require signed uploads (a signature
//! or an auth token).

use uploadcare_emulator::{Emulator, Fault, FaultRule};

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let discard = args.iter().any(|a| a == "--discard-uploads");
    let signed = args.iter().any(|a| a == "--signed-uploads");
    let latency = args
        .iter()
        .position(|a| a == "--latency-ms")
        .and_then(|at| args.get(at + 1))
        .map(|ms| ms.parse::<u64>())
        .transpose()
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, format!("--latency-ms: {e}")))?;
    let emulator = Emulator::builder()
        .discard_upload_bodies(discard)
        .signed_uploads(signed)
        .start()
        .await?;
    if let Some(ms) = latency.filter(|ms| *ms > 0) {
        emulator
            .faults()
            .add(FaultRule::always(Fault::Delay(std::time::Duration::from_millis(
                ms,
            ))));
    }
    println!("Uploadcare emulator running (Ctrl-C to stop)");
    println!("  REST API    {}", emulator.rest_base_url());
    println!("  Upload API  {}", emulator.upload_base_url());
    println!("  CDN         {}", emulator.cdn_base_url());
    println!("  public key  {}", emulator.public_key());
    println!("  secret key  {}", emulator.secret_key().expose_secret());
    println!();
    println!("  export UPLOADCARE_PUBLIC_KEY={}", emulator.public_key());
    println!(
        "  export UPLOADCARE_SECRET_KEY={}",
        emulator.secret_key().expose_secret()
    );
    tokio::signal::ctrl_c().await?;
    println!("stopping; {} requests served", emulator.state().requests().len());
    Ok(())
}

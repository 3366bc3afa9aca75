//! The emulator as a server anyone can run: the flags of the `uploadcare-emulator` binary
//! (also `ucare emulator` and `cargo run --example emulator`), what it prints, and how it
//! stops.
//!
//! It prints its URLs and keys, then one line a test harness can wait for:
//!
//! ```text
//! ready rest=http://127.0.0.1:8000 upload=http://127.0.0.1:8001 cdn=http://127.0.0.1:8001/cdn
//! ```
//!
//! and serves until SIGINT (Ctrl-C) or SIGTERM, then prints `stopped: N requests served, M
//! faults applied`.

use crate::{Emulator, Fault, FaultRule};
use clap::Parser;
use std::ffi::OsString;
use std::net::IpAddr;
use std::process::ExitCode;

/// The `uploadcare-emulator` command line.
#[derive(Parser)]
#[command(
    name = "uploadcare-emulator",
    version,
    about = "A local Uploadcare for tests and demos: REST API (0.5, 0.6, 0.7), Upload API, CDN (with image operations), webhooks and the Project API; steered through /__emulator/, in memory or in a data directory"
)]
struct Command {
    #[command(flatten)]
    serve: ServeArgs,
}

/// The whole program: parses `args` (the first is the program's name), serves until
/// SIGINT/SIGTERM. Exit status 0 after a signal, 1 when the emulator cannot start (e.g. a
/// port in use), 2 for bad flags.
pub fn main(args: impl IntoIterator<Item = OsString>) -> ExitCode {
    let command = Command::parse_from(args);
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(serve(&command.serve)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}

/// The flags of the emulator server.
#[derive(Clone, Debug, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on (both APIs); `0.0.0.0` for every interface.
    #[arg(long, default_value = "127.0.0.1", value_name = "ADDR")]
    pub host: IpAddr,
    /// Port of the REST API (0: any free port).
    #[arg(long, default_value_t = 0, value_name = "PORT")]
    pub rest_port: u16,
    /// Port of the Upload API and the CDN (0: any free port).
    #[arg(long, default_value_t = 0, value_name = "PORT")]
    pub upload_port: u16,
    /// The project's public key; repeat with --secret-key for several projects (the first
    /// pair is the first project).
    #[arg(long = "public-key", default_value = crate::DEFAULT_PUBLIC_KEY, value_name = "KEY")]
    pub public_keys: Vec<String>,
    /// The project's secret key (a test key: it is printed so clients can be pointed here),
    /// one per --public-key, in the same order.
    #[arg(long = "secret-key", default_value = crate::DEFAULT_SECRET_KEY, value_name = "KEY")]
    pub secret_keys: Vec<String>,
    /// Delay every request by this many milliseconds, like a distant service.
    #[arg(long, value_name = "MS")]
    pub latency_ms: Option<u64>,
    /// Require signed uploads (a signature or an auth token), like a project with the
    /// setting on.
    #[arg(long)]
    pub signed_uploads: bool,
    /// Whether uploads without `UPLOADCARE_STORE` are stored (the project's auto-store).
    #[arg(long, default_value_t = true, value_name = "BOOL", action = clap::ArgAction::Set)]
    pub autostore: bool,
    /// Count multipart part bodies instead of keeping them (benchmarks, load tests).
    #[arg(long)]
    pub discard_uploads: bool,
    /// A fault to inject, e.g. `"PUT /multipart/part/ 503 x3"` or `"POST /base/ throttle=1s
    /// p=0.1"` (repeatable; see `FaultRule`'s text form).
    #[arg(long = "fault", value_name = "RULE", value_parser = parse_rule)]
    pub faults: Vec<FaultRule>,
    /// Seed of the generator that decides `p=` faults (the same seed, the same faults).
    #[arg(long, value_name = "N")]
    pub fault_seed: Option<u64>,
    /// One line per request on stderr: API, method, path, status, duration, project,
    /// session (never a query string, header or body).
    #[arg(long, value_name = "FORMAT")]
    pub log: Option<crate::LogFormat>,
    /// Keep files and state in this directory, so they survive a restart (created if
    /// missing); without it everything is in memory.
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<std::path::PathBuf>,
    /// Add the files in this directory to the default session at start (stored, named as
    /// on disk; not again when a file of that name and size is already there).
    #[arg(long = "seed", value_name = "DIR")]
    pub seed_dir: Option<std::path::PathBuf>,
    /// Fetch `/from_url/` sources from this host for real too (repeatable); by default only
    /// 127.0.0.1 and localhost are fetched. Link-local addresses never are.
    #[arg(long = "allow-fetch", value_name = "HOST")]
    pub allow_fetch: Vec<String>,
    /// The bearer token of the account-level Project API (`/projects/…` on the REST port);
    /// a test token, printed at start.
    #[arg(long, env = "UPLOADCARE_EMULATOR_ACCOUNT_TOKEN", default_value = crate::DEFAULT_ACCOUNT_TOKEN, value_name = "TOKEN", hide_env_values = true)]
    pub account_token: String,
    /// Turn the control API (`/__emulator/…`) off.
    #[arg(long)]
    pub no_control: bool,
    /// Require `Authorization: Bearer TOKEN` on the control API; needed when --host is not
    /// a loopback address.
    #[arg(
        long,
        env = "UPLOADCARE_EMULATOR_CONTROL_TOKEN",
        value_name = "TOKEN",
        hide_env_values = true
    )]
    pub control_token: Option<String>,
}

fn parse_rule(text: &str) -> Result<FaultRule, String> {
    text.parse()
}

impl ServeArgs {
    /// Starts the emulator these flags describe.
    pub async fn start(&self) -> std::io::Result<Emulator> {
        if self.public_keys.len() != self.secret_keys.len() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!(
                    "{} --public-key and {} --secret-key: give one secret key per public key",
                    self.public_keys.len(),
                    self.secret_keys.len()
                ),
            ));
        }
        let mut keys = self.public_keys.iter().zip(&self.secret_keys);
        let Some((public_key, secret_key)) = keys.next() else {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "no project keys",
            ));
        };
        let mut builder = Emulator::builder()
            .host(self.host)
            .rest_port(self.rest_port)
            .upload_port(self.upload_port)
            .keys(public_key.clone(), secret_key.clone())
            .signed_uploads(self.signed_uploads)
            .autostore(self.autostore)
            .discard_upload_bodies(self.discard_uploads)
            .log(self.log)
            .allow_fetch(self.allow_fetch.iter().cloned())
            .control(!self.no_control)
            .account_token(self.account_token.clone());
        for (public_key, secret_key) in keys {
            builder = builder.project(public_key.clone(), secret_key.clone());
        }
        let builder = match &self.data_dir {
            Some(dir) => builder.data_dir(dir),
            None => builder,
        };
        let builder = match &self.seed_dir {
            Some(dir) => builder.seed_dir(dir),
            None => builder,
        };
        let builder = match &self.control_token {
            Some(token) => builder.control_token(token.clone()),
            None => builder,
        };
        let emulator = builder.start().await?;
        if let Some(seed) = self.fault_seed {
            emulator.faults().seed(seed);
        }
        for rule in &self.faults {
            emulator.faults().add(rule.clone());
        }
        if let Some(ms) = self.latency_ms.filter(|ms| *ms > 0) {
            let delay = std::time::Duration::from_millis(ms);
            emulator.faults().add(FaultRule::always(Fault::Delay(delay)));
        }
        Ok(emulator)
    }
}

/// Runs the emulator until SIGINT or SIGTERM: prints its URLs, keys and the `ready` line on
/// stdout, then `stopped: …` when it ends.
pub async fn serve(args: &ServeArgs) -> std::io::Result<()> {
    if !args.host.is_loopback() {
        eprintln!(
            "warning: listening on {} — other machines can reach this emulator; its keys are \
             test keys and its control API needs the control token",
            args.host
        );
    }
    let emulator = args.start().await?;
    println!("Uploadcare emulator running (Ctrl-C to stop)");
    println!("  REST API    {}", emulator.rest_base_url());
    println!("  Upload API  {}", emulator.upload_base_url());
    println!("  CDN         {}", emulator.cdn_base_url());
    if let Some(control) = emulator.control_url() {
        println!("  control     {control}/");
    }
    if let Some(dir) = &args.data_dir {
        println!("  data dir    {}", dir.display());
    }
    for (public_key, secret_key) in args.public_keys.iter().zip(&args.secret_keys) {
        println!("  public key  {public_key}");
        println!("  secret key  {secret_key}");
    }
    println!("  account     {} (Project API token)", args.account_token);
    println!();
    println!("  export UPLOADCARE_PUBLIC_KEY={}", emulator.public_key());
    println!(
        "  export UPLOADCARE_SECRET_KEY={}",
        emulator.secret_key().expose_secret()
    );
    println!("{}", ready_line(emulator.urls()));
    stop_signal().await?;
    println!(
        "stopped: {} requests served, {} faults applied",
        emulator.requests_served(),
        emulator.faults().applied()
    );
    Ok(())
}

/// The line the server prints once it accepts requests:
/// `ready rest=<url> upload=<url> cdn=<url>`.
pub fn ready_line(urls: &crate::Urls) -> String {
    format!("ready rest={} upload={} cdn={}", urls.rest, urls.upload, urls.cdn)
}

/// The URLs of a [`ready_line`], for a harness that started the binary and reads its
/// output; `None` for any other line.
///
/// ```
/// let urls = uploadcare_emulator::serve_cli::parse_ready_line(
///     "ready rest=http://127.0.0.1:8000 upload=http://127.0.0.1:8001 cdn=http://127.0.0.1:8001/cdn",
/// )
/// .unwrap();
/// assert_eq!(urls.upload, "http://127.0.0.1:8001");
/// assert!(uploadcare_emulator::serve_cli::parse_ready_line("starting").is_none());
/// ```
pub fn parse_ready_line(line: &str) -> Option<crate::Urls> {
    let pairs = line.trim_end().strip_prefix("ready ")?;
    let url = |name: &str| {
        pairs
            .split(' ')
            .find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))
            .map(str::to_owned)
    };
    Some(crate::Urls {
        rest: url("rest")?,
        upload: url("upload")?,
        cdn: url("cdn")?,
    })
}

/// SIGINT or (on Unix) SIGTERM.
async fn stop_signal() -> std::io::Result<()> {
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
        tokio::select! {
            result = tokio::signal::ctrl_c() => result,
            _ = term.recv() => Ok(()),
        }
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c().await
    }
}

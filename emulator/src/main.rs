//! `uploadcare-emulator`: a local Uploadcare (REST API, Upload API, CDN, webhooks) on a port,
//! for tests in any language. See `uploadcare_emulator::serve_cli` for the flags and output.

fn main() -> std::process::ExitCode {
    uploadcare_emulator::serve_cli::main(std::env::args_os())
}

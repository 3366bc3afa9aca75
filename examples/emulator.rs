//! Runs the local Uploadcare emulator until Ctrl-C: `cargo run --example emulator -- [FLAGS]`,
//! the same program as the `uploadcare-emulator` binary (`--help` lists the flags:
//! `--host`, `--rest-port`, `--upload-port`, keys, `--latency-ms`, `--signed-uploads`,
//! `--autostore`, `--discard-uploads`).
//!
//! Point any client (this crate's, `curl`, another SDK) at the printed URLs and keys; a test
//! harness can wait for the line that starts with `ready `.

fn main() -> std::process::ExitCode {
    uploadcare_emulator::serve_cli::main(std::env::args_os())
}

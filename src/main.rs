use std::process::ExitCode;

use clap::Parser;

/// Builds allocate many small strings from two threads; mimalloc is markedly faster at that
/// than the system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Exit codes are 0 (success), 1 (problems in the library) and 2 (anything else): a panic,
/// which is a bug in pmsite, is reported as one and exits 2, never 101.
fn main() -> ExitCode {
    let cli = pmsite::cli::Cli::parse();
    match std::panic::catch_unwind(|| pmsite::cli::run(cli)) {
        Ok(Ok(code)) => code,
        Ok(Err(err)) => {
            pmsite::errln!("error: {err:#}");
            ExitCode::from(2)
        }
        Err(_) => {
            pmsite::errln!(
                "error: pmsite stopped on an internal error (above); this is a bug in pmsite: please report it with the command and the post-mortem that caused it"
            );
            ExitCode::from(2)
        }
    }
}

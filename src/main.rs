use std::process::ExitCode;

use clap::Parser;

/// Builds allocate many small strings from two threads; mimalloc is markedly faster at that
/// than the system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = pmsite::cli::Cli::parse();
    match pmsite::cli::run(cli) {
        Ok(code) => code,
        Err(err) => {
            pmsite::errln!("error: {err:#}");
            ExitCode::from(2)
        }
    }
}

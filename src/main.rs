use std::process::ExitCode;

use clap::Parser;

/// Builds allocate many small strings from two threads; mimalloc is markedly faster at that
/// than the system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A command that runs once keeps the memory it frees for its next allocations: by default
/// mimalloc hands freed pages back to the system after 10 ms and the build faults them in,
/// zeroed, again (18 GB of zeroed pages in a 10,000-incident build; about 9% of its wall
/// time). The preview, which runs for hours, keeps returning them.
fn keep_freed_memory() {
    /// `mi_option_purge_delay` in mimalloc's `mi_option_e` (the crate names no constant).
    const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
    // SAFETY: setting an option is allowed at any time; -1 means never purge.
    unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, -1) };
}

/// Exit codes are 0 (success), 1 (problems in the library) and 2 (anything else): a panic,
/// which is a bug in pmsite, is reported as one and exits 2, never 101.
fn main() -> ExitCode {
    let cli = pmsite::cli::Cli::parse();
    if !matches!(cli.command, pmsite::cli::Command::Serve { .. }) {
        keep_freed_memory();
    }
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

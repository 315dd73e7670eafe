use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = pmsite::cli::Cli::parse();
    match pmsite::cli::run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(2)
        }
    }
}

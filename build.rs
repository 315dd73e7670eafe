//! Records the git commit pmsite is built from, for `pmsite --version`. A build from a
//! packaged crate (no git) says "unknown", or what `PMSITE_COMMIT` says.

use std::path::Path;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-env-changed=PMSITE_COMMIT");
    for path in [".git/HEAD", ".git/refs/heads", ".git/packed-refs"] {
        if Path::new(path).exists() {
            println!("cargo:rerun-if-changed={path}");
        }
    }
    let commit = std::env::var("PMSITE_COMMIT").ok().or_else(|| {
        let out = Command::new("git")
            .args(["rev-parse", "--short=12", "HEAD"])
            .output()
            .ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
            .filter(|c| !c.is_empty())
    });
    println!(
        "cargo:rustc-env=PMSITE_COMMIT={}",
        commit.unwrap_or_else(|| "unknown".into())
    );
}

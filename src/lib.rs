//! pmsite turns a folder of incident post-mortems into a static incident library.
//!
//! The pipeline runs one way: `config` → `content` (load, in parallel) → `library`
//! (derive) → `render` (the output plan) → `output` (an atomic directory). Problems in a
//! user's files are `Diagnostic`s, collected and reported together.

/// `println!` that never panics: a reader that went away (`pmsite build | head -c0`) is not
/// the command's failure, and its exit code stays 0, 1 or 2.
#[macro_export]
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

/// `print!` that never panics, as `outln!`.
#[macro_export]
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let mut stdout = std::io::stdout().lock();
        let _ = write!(stdout, $($arg)*);
        let _ = stdout.flush();
    }};
}

/// `eprintln!` that never panics, as `outln!`.
#[macro_export]
macro_rules! errln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr().lock(), $($arg)*);
    }};
}

pub mod build;
pub mod cache;
pub mod check;
pub mod cli;
pub mod config;
pub mod content;
pub mod dates;
pub mod diagnostics;
pub mod digest;
pub mod error;
pub mod escape;
pub mod feeds;
pub mod library;
pub mod markdown;
pub mod output;
pub mod render;
pub mod routes;
pub mod scaffold;
pub mod search;
pub mod serve;
pub mod similar;
pub mod tickets;
pub mod urls;
pub mod vocabulary;
pub mod wiki;

pub use error::{Error, Result};

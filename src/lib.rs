//! pmsite turns a folder of incident post-mortems into a static incident library.
//!
//! The pipeline runs one way: `config` → `content` (load, in parallel) → `library`
//! (derive) → `render` (the output plan) → `output` (an atomic directory). Problems in a
//! user's files are `Diagnostic`s, collected and reported together.

pub mod build;
pub mod check;
pub mod cli;
pub mod config;
pub mod content;
pub mod dates;
pub mod diagnostics;
pub mod digest;
pub mod error;
pub mod feeds;
pub mod library;
pub mod markdown;
pub mod output;
pub mod render;
pub mod scaffold;
pub mod search;
pub mod serve;
pub mod urls;

pub use error::{Error, Result};

//! The library's one error type. Problems in a user's files are `Diagnostic`s, collected
//! and reported together; `Error` is for what stops a command outright.

use std::path::PathBuf;

use crate::diagnostics::Diagnostic;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{}: {source}", crate::escape::terminal(&path.to_string_lossy()))]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The library has problems; each is printed as `file:line: message`.
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    Invalid(Vec<Diagnostic>),
    #[error("template error: {0}")]
    Template(String),
    #[error("{0}")]
    Refused(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

impl Error {
    /// The error as diagnostics, for a caller that reports problems rather than stopping:
    /// the library's own, or one at `path` with `code` for anything else.
    pub fn into_diagnostics(self, path: &str, code: &'static str) -> Vec<Diagnostic> {
        match self {
            Error::Invalid(diagnostics) => diagnostics,
            e => vec![Diagnostic::error(path, 0, e.to_string()).code(code)],
        }
    }
}

/// Attaches a path to an I/O result.
pub trait IoContext<T> {
    fn at(self, path: impl Into<PathBuf>) -> Result<T>;
}

impl<T> IoContext<T> for std::io::Result<T> {
    fn at(self, path: impl Into<PathBuf>) -> Result<T> {
        self.map_err(|e| Error::io(path, e))
    }
}

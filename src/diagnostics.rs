//! Problems found in a user's files: one type from loading to every renderer, collected
//! across the whole run (never fail-fast) and sorted so output is the same on every run.
//! Printed in three forms: the concise line (`file:line:col: level[code]: message`), GitHub
//! Actions annotations (`check --format github`) and JSON for other CI systems.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Error,
    Warning,
    /// Worth knowing, nothing to fix: `check` lists it, `build` does not.
    Note,
}

impl Level {
    /// An error where `check` is strict, a warning in `build`: a broken link, a URL shown as
    /// text.
    pub fn strict(strict: bool) -> Level {
        if strict { Level::Error } else { Level::Warning }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Note => "note",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Relative to the library root; empty while a file's loader has not attached it.
    pub path: PathBuf,
    /// 1-based; 0 when the problem concerns the whole file.
    pub line: usize,
    /// 1-based; 0 when only the line is known.
    pub column: usize,
    pub level: Level,
    /// What kind of problem, stable for tools and searches (`date`, `unknown-key`, `link`).
    pub code: &'static str,
    pub message: String,
}

impl Diagnostic {
    pub fn new(
        level: Level,
        path: impl Into<PathBuf>,
        line: usize,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            path: path.into(),
            line,
            column: 0,
            level,
            code: "",
            message: message.into(),
        }
    }

    pub fn error(path: impl Into<PathBuf>, line: usize, message: impl Into<String>) -> Self {
        Diagnostic::new(Level::Error, path, line, message)
    }

    pub fn warning(path: impl Into<PathBuf>, line: usize, message: impl Into<String>) -> Self {
        Diagnostic {
            level: Level::Warning,
            ..Diagnostic::error(path, line, message)
        }
    }

    /// An error at a line of the file being loaded; the loader attaches the path.
    pub fn at(line: usize, message: impl Into<String>) -> Self {
        Diagnostic::error(PathBuf::new(), line, message)
    }

    /// A note at a line of the file being loaded.
    pub fn note_at(line: usize, message: impl Into<String>) -> Self {
        Diagnostic::new(Level::Note, PathBuf::new(), line, message)
    }

    /// A warning at a line of the file being loaded.
    pub fn warning_at(line: usize, message: impl Into<String>) -> Self {
        Diagnostic::warning(PathBuf::new(), line, message)
    }

    pub fn code(mut self, code: &'static str) -> Self {
        self.code = code;
        self
    }

    pub fn column(mut self, column: usize) -> Self {
        self.column = column;
        self
    }

    pub fn in_file(mut self, path: &Path) -> Self {
        self.path = path.to_path_buf();
        self
    }

    pub fn is_error(&self) -> bool {
        self.level == Level::Error
    }

    /// The place as `file:line:col`, as much of it as is known.
    fn place(&self) -> String {
        let path = self.path.to_string_lossy();
        let path = crate::escape::terminal(&path);
        match (self.line, self.column) {
            (0, _) => path.into_owned(),
            (line, 0) => format!("{path}:{line}"),
            (line, column) => format!("{path}:{line}:{column}"),
        }
    }

    /// A GitHub Actions workflow command: an annotation on the file and line of the pull
    /// request (`::error file=…,line=…,col=…,title=…::message`).
    pub fn github(&self) -> String {
        let mut props = format!("file={}", github_property(&self.path.to_string_lossy()));
        if self.line > 0 {
            props.push_str(&format!(",line={}", self.line));
        }
        if self.column > 0 {
            props.push_str(&format!(",col={}", self.column));
        }
        let title = if self.code.is_empty() {
            "pmsite".to_string()
        } else {
            format!("pmsite {}", self.code)
        };
        props.push_str(&format!(",title={}", github_property(&title)));
        let command = match self.level {
            Level::Note => "notice",
            level => level.as_str(),
        };
        format!("::{command} {props}::{}", github_data(&self.message))
    }
}

/// The concise line: `file:line:col: level[code]: message`, with control characters in the
/// path and message escaped (`escape::terminal`), so a file named `a\nb.md:1: error: …`
/// cannot forge a line of its own.
impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = self.level.as_str();
        let message = crate::escape::terminal(&self.message);
        let place = self.place();
        if self.code.is_empty() {
            write!(f, "{place}: {level}: {message}")
        } else {
            write!(f, "{place}: {level}[{}]: {message}", self.code)
        }
    }
}

/// GitHub's escaping for a workflow command's message.
fn github_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// GitHub's escaping for a workflow command's property value.
fn github_property(text: &str) -> String {
    github_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// How `check` prints its findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// `file:line:col: level[code]: message`, one a line, on standard error.
    #[default]
    Concise,
    /// GitHub Actions annotations on standard output, shown on the pull request's lines.
    Github,
    /// One JSON document on standard output: every diagnostic and the counts.
    Json,
}

/// `2 errors, 1 warning` (notes are not counted).
pub fn counts(diagnostics: &[Diagnostic]) -> String {
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = diagnostics
        .iter()
        .filter(|d| d.level == Level::Warning)
        .count();
    format!(
        "{}, {}",
        plural(errors, "error", "errors"),
        plural(warnings, "warning", "warnings")
    )
}

/// `1 error`, `2 errors`: a count with its noun, for every message that counts.
pub fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The closing line of `check`: `checked 7 post-mortems: 0 errors, 2 warnings`.
pub fn summary(files: usize, diagnostics: &[Diagnostic]) -> String {
    format!(
        "checked {}: {}",
        plural(files, "post-mortem", "post-mortems"),
        counts(diagnostics)
    )
}

/// The JSON form: `{"checked": N, "errors": N, "warnings": N, "diagnostics": [...]}`.
pub fn json(files: usize, diagnostics: &[Diagnostic]) -> String {
    let count = |l: Level| diagnostics.iter().filter(|d| d.level == l).count();
    let value = serde_json::json!({
        "checked": files,
        "errors": count(Level::Error),
        "warnings": count(Level::Warning),
        "diagnostics": diagnostics,
    });
    serde_json::to_string_pretty(&value).unwrap_or_default()
}

/// Notes once per message across the library: the first place, and how many more files
/// say the same (an unknown front-matter key used in 300 post-mortems is one line).
pub fn fold_notes(diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let mut seen: std::collections::HashMap<String, (usize, usize)> = Default::default();
    let mut out: Vec<Diagnostic> = Vec::with_capacity(diagnostics.len());
    for d in diagnostics {
        if d.level != Level::Note {
            out.push(d);
            continue;
        }
        match seen.get_mut(&d.message) {
            Some((_, more)) => *more += 1,
            None => {
                seen.insert(d.message.clone(), (out.len(), 0));
                out.push(d);
            }
        }
    }
    for (at, more) in seen.into_values() {
        if more > 0 {
            let s = if more == 1 { "" } else { "s" };
            out[at]
                .message
                .push_str(&format!(" (and in {more} more file{s})"));
        }
    }
    out
}

/// Sorts by file, then line, then column, then message: parallel loading finishes in any
/// order.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        (&a.path, a.line, a.column, a.level, &a.message)
            .cmp(&(&b.path, b.line, b.column, b.level, &b.message))
    });
}

pub fn has_errors(diagnostics: &[Diagnostic]) -> bool {
    diagnostics.iter().any(Diagnostic::is_error)
}

/// The 1-based line of a byte offset in `text`.
/// The known word nearest to a misspelt one, if it is near enough to be what was meant.
pub fn closest<'k>(word: &str, known: &[&'k str]) -> Option<&'k str> {
    known
        .iter()
        .map(|k| (edit_distance(word, k), *k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 4))
        .min()
        .map(|(_, k)| k)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

pub fn line_of_offset(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// The 1-based line and column (in characters) of a byte offset in `text`.
pub fn line_column_of_offset(text: &str, offset: usize) -> (usize, usize) {
    let mut end = offset.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let before = &text[..end];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (
        line_of_offset(text, end),
        before[line_start..].chars().count() + 1,
    )
}

/// A path shown relative to the library root, as the user typed it.
pub fn display_path(root: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(root).unwrap_or(path).to_path_buf()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<Diagnostic> {
        vec![
            Diagnostic::error("content/a.md", 3, "`date` is not a date: write 2024-03-12")
                .code("date")
                .column(8),
            Diagnostic::warning(
                "content/b.md",
                1,
                "no date: the incident is listed as undated",
            )
            .code("undated"),
            Diagnostic::error("content/c, d.md", 0, "100% broken:\nsecond line").code("file"),
        ]
    }

    #[test]
    fn the_concise_form() {
        let lines: Vec<String> = sample().iter().map(ToString::to_string).collect();
        assert_eq!(
            lines,
            [
                "content/a.md:3:8: error[date]: `date` is not a date: write 2024-03-12",
                "content/b.md:1: warning[undated]: no date: the incident is listed as undated",
                "content/c, d.md: error[file]: 100% broken:\\nsecond line",
            ]
        );
    }

    #[test]
    fn the_github_form() {
        let lines: Vec<String> = sample().iter().map(Diagnostic::github).collect();
        assert_eq!(
            lines,
            [
                "::error file=content/a.md,line=3,col=8,title=pmsite date::`date` is not a date%3A write 2024-03-12"
                    .replace("%3A", ":"),
                "::warning file=content/b.md,line=1,title=pmsite undated::no date: the incident is listed as undated".to_string(),
                "::error file=content/c%2C d.md,title=pmsite file::100%25 broken:%0Asecond line".to_string(),
            ]
        );
    }

    #[test]
    fn the_json_form_and_the_summary() {
        let d = sample();
        assert_eq!(
            summary(7, &d),
            "checked 7 post-mortems: 2 errors, 1 warning"
        );
        assert_eq!(
            summary(1, &[]),
            "checked 1 post-mortem: 0 errors, 0 warnings"
        );
        let v: serde_json::Value = serde_json::from_str(&json(7, &d)).unwrap();
        assert_eq!(v["checked"], 7);
        assert_eq!(v["errors"], 2);
        assert_eq!(
            v["diagnostics"][0],
            serde_json::json!({"path": "content/a.md", "line": 3, "column": 8, "level": "error", "code": "date", "message": "`date` is not a date: write 2024-03-12"})
        );
    }

    #[test]
    fn columns_count_characters() {
        assert_eq!(line_column_of_offset("ab\ncdé f", 8), (2, 5));
        assert_eq!(line_column_of_offset("x", 0), (1, 1));
    }
}

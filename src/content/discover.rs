//! Finding the post-mortems: every Markdown file under `content/`, safely (a symlink that
//! dangles, loops or leaves the library is reported, never followed out).

use std::path::{Path, PathBuf};

use crate::diagnostics::Diagnostic;

pub const CONTENT_DIR: &str = "content";

/// The Markdown files of a library, sorted, and a warning for each entry that cannot be
/// read (a dangling symlink, a symlink loop, an unreadable folder) or that is a symlink
/// leaving the library (never followed: it would publish a file from elsewhere on the
/// machine). Hidden files and wiki chrome (`_Sidebar.md`, `_Footer.md`) are not incidents.
pub fn discover(root: &Path) -> crate::Result<(Vec<PathBuf>, Vec<Diagnostic>)> {
    let dir = root.join(CONTENT_DIR);
    if !dir.is_dir() {
        return Err(crate::Error::Refused(format!(
            "no {CONTENT_DIR}/ folder in {}: put post-mortems in {CONTENT_DIR}/ (or run `pmsite init`)",
            crate::escape::terminal(&root.to_string_lossy())
        )));
    }
    let library = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    let mut files = Vec::new();
    let mut problems = Vec::new();
    let rel = |p: &Path| crate::diagnostics::display_path(root, p);
    let mut walker = walkdir::WalkDir::new(&dir)
        .follow_links(true)
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    while let Some(entry) = walker.next() {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                let path = e.path().map_or_else(|| dir.clone(), Path::to_path_buf);
                let why = if e.loop_ancestor().is_some() {
                    "a symlink loop: it is skipped".to_string()
                } else {
                    match e.io_error() {
                        Some(io) if io.kind() == std::io::ErrorKind::NotFound => {
                            "a symlink to nothing: it is skipped".to_string()
                        }
                        Some(io) => format!("cannot be read ({io}): it is skipped"),
                        None => "cannot be read: it is skipped".to_string(),
                    }
                };
                problems.push(Diagnostic::warning(rel(&path), 0, why).code("file"));
                continue;
            }
        };
        let name = entry.file_name().to_string_lossy();
        let is_md = name.ends_with(".md") || name.ends_with(".markdown");
        // A wiki's `Home.md`, `_Sidebar.md` and `_Footer.md` are not post-mortems.
        let chrome = name.starts_with('_') || name.eq_ignore_ascii_case("home.md");
        // A symlink is followed only when it stays inside the library.
        if entry.path_is_symlink()
            && std::fs::canonicalize(entry.path()).is_ok_and(|t| !t.starts_with(&library))
        {
            problems.push(Diagnostic::warning(
                rel(entry.path()),
                0,
                "a symlink to outside the library: it is not followed, so nothing from elsewhere on the machine is published",
            ).code("file"));
            if entry.file_type().is_dir() {
                walker.skip_current_dir();
            }
            continue;
        }
        if entry.file_type().is_file() && is_md && !chrome {
            files.push(entry.into_path());
        }
    }
    files.sort();
    Ok((files, problems))
}

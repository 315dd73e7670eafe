//! What a changed path means for the preview: a pure classifier from paths to changes,
//! tested without a disk, and the watcher that feeds it (notify, debounced).

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use notify::{RecursiveMode, Watcher};

use crate::config::CONFIG_FILE;
use crate::content::CONTENT_DIR;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ChangeKind {
    /// A post-mortem was created, edited, renamed or deleted.
    Incident,
    /// A template or static file of the theme or the library.
    Theme,
    Config,
}

/// Editors write swap, backup and temporary files beside the real one; none is content.
pub fn is_editor_scratch(name: &str) -> bool {
    name.starts_with('.')
        || name.starts_with('#')
        || name.ends_with('~')
        || name == "4913"
        || [".swp", ".swx", ".swo", ".tmp", ".bak", ".crdownload"]
            .iter()
            .any(|ext| name.ends_with(ext))
}

/// The kind of change a path stands for, relative to the library root; None for paths the
/// site does not depend on.
pub fn classify(root: &Path, path: &Path) -> Option<ChangeKind> {
    let rel = path.strip_prefix(root).ok()?;
    let name = rel.file_name()?.to_string_lossy();
    if is_editor_scratch(&name) {
        return None;
    }
    let mut parts = rel.components().map(|c| c.as_os_str().to_string_lossy());
    let first = parts.next()?;
    match first.as_ref() {
        CONFIG_FILE | crate::vocabulary::TAXONOMY_FILE if rel.components().count() == 1 => {
            Some(ChangeKind::Config)
        }
        // A catalog beside pmsite.toml (`catalog-info.yaml`) or in `catalog/`.
        _ if rel.components().count() == 1
            && (name.ends_with(".yaml") || name.ends_with(".yml")) =>
        {
            Some(ChangeKind::Config)
        }
        CATALOG_DIR => Some(ChangeKind::Config),
        // What `tickets sync` last read: the items' ticket states.
        ".pmsite" if rel == Path::new(crate::config::tickets::TICKETS_FILE) => {
            Some(ChangeKind::Config)
        }
        CONTENT_DIR
            if name.ends_with(".md") || name.ends_with(".markdown") || !name.contains('.') =>
        {
            Some(ChangeKind::Incident)
        }
        "themes" | "templates" | "static" => Some(ChangeKind::Theme),
        _ => None,
    }
}

/// The folder of catalog files the preview watches besides the root's own.
const CATALOG_DIR: &str = "catalog";

/// How long the tree must be quiet before a batch of changes is sent: an editor's save is
/// several events (write to a temporary file, rename, chmod).
const QUIET: Duration = Duration::from_millis(20);

/// Watches what the site is made of and sends each debounced batch of relevant changes.
/// Reads (the rebuild's own) are not changes. The returned watcher stops when dropped.
pub fn watch(
    root: &Path,
    changes: mpsc::Sender<Vec<(ChangeKind, PathBuf)>>,
) -> crate::Result<impl Drop> {
    // Events carry absolute paths: classify against the absolute root.
    let root = std::fs::canonicalize(root).map_err(|e| crate::Error::io(root, e))?;
    let (raw_tx, raw_rx) = mpsc::channel::<PathBuf>();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        if let Ok(event) = event
            && !matches!(event.kind, notify::EventKind::Access(_))
        {
            for path in event.paths {
                let _ = raw_tx.send(path);
            }
        }
    })
    .map_err(|e| crate::Error::Refused(format!("cannot watch {}: {e}", root.display())))?;
    let watch_err = |p: &Path, e: notify::Error| {
        crate::Error::Refused(format!("cannot watch {}: {e}", p.display()))
    };
    // The root itself only for pmsite.toml; content and theme folders recursively.
    watcher
        .watch(&root, RecursiveMode::NonRecursive)
        .map_err(|e| watch_err(&root, e))?;
    for dir in [
        CONTENT_DIR,
        "themes",
        "templates",
        "static",
        CATALOG_DIR,
        ".pmsite",
    ] {
        let path = root.join(dir);
        if path.is_dir() {
            watcher
                .watch(&path, RecursiveMode::Recursive)
                .map_err(|e| watch_err(&path, e))?;
        }
    }
    std::thread::spawn(move || {
        while let Ok(first) = raw_rx.recv() {
            let mut paths = vec![first];
            while let Ok(more) = raw_rx.recv_timeout(QUIET) {
                paths.push(more);
            }
            let mut batch: Vec<(ChangeKind, PathBuf)> = paths
                .into_iter()
                .filter_map(|p| classify(&root, &p).map(|k| (k, p)))
                .collect();
            batch.sort();
            batch.dedup();
            if !batch.is_empty() && changes.send(batch).is_err() {
                break;
            }
        }
    });
    Ok(watcher)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_paths_without_a_disk() {
        let root = Path::new("/lib");
        let c = |p: &str| classify(root, Path::new(p));
        assert_eq!(c("/lib/content/2024/a.md"), Some(ChangeKind::Incident));
        assert_eq!(
            c("/lib/content/2024"),
            Some(ChangeKind::Incident),
            "a folder renamed or removed"
        );
        assert_eq!(c("/lib/pmsite.toml"), Some(ChangeKind::Config));
        assert_eq!(c("/lib/taxonomy.toml"), Some(ChangeKind::Config));
        assert_eq!(c("/lib/.pmsite/tickets.json"), Some(ChangeKind::Config));
        assert_eq!(c("/lib/.pmsite/digest.toml"), None);
        assert_eq!(c("/lib/catalog-info.yaml"), Some(ChangeKind::Config));
        assert_eq!(c("/lib/catalog/payments.yaml"), Some(ChangeKind::Config));
        assert_eq!(c("/lib/templates/incident.html"), Some(ChangeKind::Theme));
        assert_eq!(
            c("/lib/themes/default/static/style.css"),
            Some(ChangeKind::Theme)
        );
        assert_eq!(c("/lib/static/logo.svg"), Some(ChangeKind::Theme));
        // Editors' scratch files and what the site does not read.
        for ignored in [
            "/lib/content/.a.md.swp",
            "/lib/content/a.md~",
            "/lib/content/4913",
            "/lib/content/#a.md#",
            "/lib/content/a.md.tmp",
            "/lib/public/index.html",
            "/lib/target/debug/pmsite",
            "/lib/content/notes.txt",
            "/elsewhere/content/a.md",
            "/lib/other/pmsite.toml",
        ] {
            assert_eq!(c(ignored), None, "{ignored}");
        }
    }
}

//! The preview's parses, kept between rebuilds by path and content hash, under the
//! `ParseSettings` they were made with.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use super::ParseSettings;
use super::model::Incident;
use crate::diagnostics::{self, Diagnostic};
use crate::markdown::Markdown;

/// Parsed post-mortems kept between rebuilds of the preview, by path and content: a
/// change re-parses only the files whose bytes changed (all of them when a setting that
/// shapes parsing changed: the severity scale, raw HTML).
#[derive(Default)]
pub struct ParseCache {
    settings: ParseSettings,
    files: std::collections::HashMap<PathBuf, CachedFile>,
    /// Files parsed by the last load.
    pub parsed: usize,
}

struct CachedFile {
    hash: u64,
    incident: Option<Arc<Incident>>,
    diagnostics: Vec<Diagnostic>,
}

fn content_hash(bytes: &[u8]) -> u64 {
    use std::hash::Hasher;
    let mut h = rustc_hash::FxHasher::default();
    h.write(bytes);
    h.write_usize(bytes.len());
    h.finish()
}

/// What a load from the cache gives: the incidents in path order and every diagnostic.
pub struct Parsed {
    pub incidents: Vec<Arc<Incident>>,
    pub diagnostics: Vec<Diagnostic>,
}

impl ParseCache {
    /// The parses of `files`, reading again only what `changed` names (the watcher's paths)
    /// and files new to the cache; None reads every file and compares its bytes. Settings
    /// other than the last load's start the cache afresh.
    pub fn load(
        &mut self,
        root: &Path,
        files: &[PathBuf],
        changed: Option<&[PathBuf]>,
        settings: &ParseSettings,
        md: &Markdown,
        store: Option<&crate::cache::Store>,
    ) -> Parsed {
        if *settings != self.settings {
            self.files.clear();
            self.settings = settings.clone();
        }
        // A path the watcher names that is neither a file we know nor a folder above one
        // (a symlinked path, an odd event): read everything rather than miss it.
        let changed = changed.filter(|paths| {
            paths.iter().all(|c| {
                self.files.keys().any(|f| f.starts_with(c))
                    || files.iter().any(|f| f.starts_with(c))
            })
        });
        let must_read = |path: &Path| {
            changed.is_none_or(|paths| paths.iter().any(|c| path.starts_with(c)))
                || !self.files.contains_key(path)
        };
        let read: Vec<(PathBuf, std::io::Result<Vec<u8>>)> = files
            .par_iter()
            .filter(|p| must_read(p))
            .map(|p| (p.clone(), std::fs::read(p)))
            .collect();
        let parsing = super::stored::Parsing::new(root, settings, md);
        let parsed = std::sync::atomic::AtomicUsize::new(0);
        let fresh: Vec<(PathBuf, CachedFile)> = read
            .into_par_iter()
            .filter_map(|(path, bytes)| {
                let rel = diagnostics::display_path(root, &path);
                let (hash, (incident, diagnostics)) = match bytes {
                    Ok(bytes) => {
                        let hash = content_hash(&bytes);
                        if self.files.get(&path).is_some_and(|c| c.hash == hash) {
                            return None;
                        }
                        // A parse the last build kept (without a problem) is as good as
                        // new; the preview keeps nothing on disk.
                        let one = parsing.load_one(&rel, &bytes, store, false);
                        if one.parsed {
                            parsed.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        }
                        (hash, (one.incident, one.diagnostics))
                    }
                    Err(e) => (0, (None, vec![super::unreadable(&rel, &e)])),
                };
                let incident = incident.map(Arc::new);
                Some((
                    path,
                    CachedFile {
                        hash,
                        incident,
                        diagnostics,
                    },
                ))
            })
            .collect();
        let present: std::collections::HashSet<&PathBuf> = files.iter().collect();
        self.files.retain(|p, _| present.contains(p));
        self.parsed = parsed.into_inner();
        self.files.extend(fresh);
        let mut parsed = Parsed {
            incidents: Vec::with_capacity(files.len()),
            diagnostics: Vec::new(),
        };
        for path in files {
            if let Some(c) = self.files.get(path) {
                parsed.incidents.extend(c.incident.clone());
                parsed.diagnostics.extend(c.diagnostics.iter().cloned());
            }
        }
        parsed
    }
}

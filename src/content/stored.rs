//! The build's parses kept between builds, one file per parse under
//! `.pmsite/cache/parses/`, named by the hash of what it was parsed from (the file's bytes,
//! its path and the parse settings): a post-mortem that hashes the same as last time is read
//! back rather than parsed again, and an edit writes one file. Only parses without a problem
//! are kept, so every diagnostic still comes from a fresh parse; the links to other files
//! are looked up on disk again every time.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::ParseSettings;
use super::model::Incident;
use crate::cache::{Store, hash128};
use crate::diagnostics::Diagnostic;
use crate::markdown::Markdown;

const DIR: &str = "parses";

/// One file's load: what it gave, the cache entry that holds its parse, whether it was
/// parsed (rather than read back).
pub(super) struct FileLoad {
    pub incident: Option<Incident>,
    pub diagnostics: Vec<Diagnostic>,
    pub kept: Option<String>,
    pub parsed: bool,
}

/// What a load with the cache found, and how many files it parsed.
pub struct Loaded {
    pub incidents: Vec<Incident>,
    pub diagnostics: Vec<Diagnostic>,
    pub parsed: usize,
}

/// The parse settings' share of every key.
fn settings_key(settings: &ParseSettings) -> [u8; 16] {
    hash128(&[format!("{settings:?}").as_bytes()]).to_le_bytes()
}

/// The cache entry of one file's parse: the hash of the settings, its path and its bytes.
fn entry(settings_key: &[u8; 16], rel: &Path, bytes: &[u8]) -> String {
    let key = hash128(&[settings_key, rel.as_os_str().as_encoded_bytes(), bytes]);
    format!("{DIR}/{key:032x}")
}

/// A kept parse, if the cache has one that reads back; its links to other files are not
/// looked up yet (`find_link_targets`).
fn read(store: &Store, entry: &str) -> Option<Incident> {
    bincode::deserialize::<Incident>(&store.read(entry)?).ok()
}

/// How one load reads files: the library's root, the parse settings and their share of
/// every cache key (hashed once per load).
pub(super) struct Parsing<'a> {
    root: &'a Path,
    settings: &'a ParseSettings,
    md: &'a Markdown,
    settings_key: [u8; 16],
}

impl<'a> Parsing<'a> {
    pub(super) fn new(root: &'a Path, settings: &'a ParseSettings, md: &'a Markdown) -> Self {
        Parsing {
            root,
            settings,
            md,
            settings_key: settings_key(settings),
        }
    }

    /// One file's load from its bytes: the parse the cache kept when it has one, else a
    /// fresh parse, kept for the next build (with `keep`) when it has no problem; then its
    /// links to other files looked up on disk. What `build` and the preview's parse cache
    /// both do.
    pub(super) fn load_one(
        &self,
        rel: &Path,
        bytes: &[u8],
        store: Option<&Store>,
        keep: bool,
    ) -> FileLoad {
        let name = entry(&self.settings_key, rel, bytes);
        let (mut incident, diagnostics, parsed) = match store.and_then(|s| read(s, &name)) {
            Some(incident) => (Some(incident), Vec::new(), false),
            None => {
                let (incident, diagnostics) = super::load_bytes(rel, bytes, self.settings, self.md);
                (incident, diagnostics, true)
            }
        };
        let keepable = incident.is_some() && diagnostics.is_empty();
        let kept = store.filter(|_| keepable).and_then(|store| {
            if parsed {
                if !keep {
                    return None;
                }
                store.write(&name, &bincode::serialize(incident.as_ref()?).ok()?);
            }
            Some(name)
        });
        if let Some(incident) = &mut incident {
            super::find_link_targets(self.root, incident);
        }
        FileLoad {
            incident,
            diagnostics,
            kept,
            parsed,
        }
    }
}

/// Loads every file as `load_all` does, reading back the parses the last build kept and
/// keeping this build's for the next; parses no file names any more are removed.
pub fn load_all_stored(
    root: &Path,
    files: &[PathBuf],
    settings: &ParseSettings,
    md: &Markdown,
    store: &Store,
    on_file: &(dyn Fn() + Sync),
) -> Loaded {
    let parsing = Parsing::new(root, settings, md);
    let results: Vec<FileLoad> = files
        .par_iter()
        .map(|path| {
            let rel = crate::diagnostics::display_path(root, path);
            let result = match std::fs::read(path) {
                Ok(bytes) => parsing.load_one(&rel, &bytes, Some(store), true),
                Err(e) => FileLoad {
                    incident: None,
                    diagnostics: vec![super::unreadable(&rel, &e)],
                    kept: None,
                    parsed: true,
                },
            };
            on_file();
            result
        })
        .collect();
    let prefix = format!("{DIR}/");
    let in_use: rustc_hash::FxHashSet<&str> = results
        .iter()
        .filter_map(|r| r.kept.as_deref()?.strip_prefix(&prefix))
        .collect();
    store.remove_unused(DIR, |name| in_use.contains(name));
    let mut loaded = Loaded {
        incidents: Vec::with_capacity(results.len()),
        diagnostics: Vec::new(),
        parsed: 0,
    };
    for r in results {
        loaded.incidents.extend(r.incident);
        loaded.diagnostics.extend(r.diagnostics);
        loaded.parsed += usize::from(r.parsed);
    }
    loaded
}

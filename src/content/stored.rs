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
struct FileLoad {
    incident: Option<Incident>,
    diagnostics: Vec<Diagnostic>,
    kept: Option<String>,
    parsed: bool,
}

/// What a load with the cache found, and how many files it parsed.
pub struct Loaded {
    pub incidents: Vec<Incident>,
    pub diagnostics: Vec<Diagnostic>,
    pub parsed: usize,
}

/// The parse settings' share of every key, computed once per load.
pub fn settings_key(settings: &ParseSettings) -> [u8; 16] {
    hash128(&[format!("{settings:?}").as_bytes()]).to_le_bytes()
}

/// The cache entry of one file's parse: the hash of the settings, its path and its bytes.
pub fn entry(settings_key: &[u8; 16], rel: &Path, bytes: &[u8]) -> String {
    let key = hash128(&[settings_key, rel.as_os_str().as_encoded_bytes(), bytes]);
    format!("{DIR}/{key:032x}")
}

/// A kept parse, if the cache has one that reads back; its links to other files are not
/// looked up yet (`find_link_targets`).
pub fn read(store: &Store, entry: &str) -> Option<Incident> {
    bincode::deserialize::<Incident>(&store.read(entry)?).ok()
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
    let settings_key = settings_key(settings);
    let results: Vec<FileLoad> = files
        .par_iter()
        .map(|path| {
            let rel = crate::diagnostics::display_path(root, path);
            let bytes = match std::fs::read(path) {
                Ok(bytes) => bytes,
                Err(e) => {
                    on_file();
                    return FileLoad {
                        incident: None,
                        diagnostics: vec![super::unreadable(&rel, &e)],
                        kept: None,
                        parsed: true,
                    };
                }
            };
            let name = entry(&settings_key, &rel, &bytes);
            let old = read(store, &name);
            let result = match old {
                Some(mut incident) => {
                    super::find_link_targets(root, &mut incident);
                    FileLoad {
                        incident: Some(incident),
                        diagnostics: Vec::new(),
                        kept: Some(name),
                        parsed: false,
                    }
                }
                None => {
                    let (mut incident, diagnostics) = super::load_bytes(&rel, &bytes, settings, md);
                    let kept = incident
                        .as_ref()
                        .filter(|_| diagnostics.is_empty())
                        .and_then(|i| bincode::serialize(i).ok())
                        .map(|blob| {
                            store.write(&name, &blob);
                            name
                        });
                    if let Some(incident) = &mut incident {
                        super::find_link_targets(root, incident);
                    }
                    FileLoad {
                        incident,
                        diagnostics,
                        kept,
                        parsed: true,
                    }
                }
            };
            on_file();
            result
        })
        .collect();
    let in_use: rustc_hash::FxHashSet<String> = results
        .iter()
        .filter_map(|r| r.kept.as_deref())
        .filter_map(|name| name.strip_prefix(&format!("{DIR}/")).map(str::to_string))
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

//! Incident pages remembered between renders, so that one whose inputs did not change is
//! not rendered again: in memory with their bytes (`serve`), or as hashes kept in the
//! build cache (`build`), where the page is found again in the previous output.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use serde::Serialize;

/// Incident pages by path, with a hash of everything they were rendered from (the page's
/// view, the site-wide context, the templates). Rendering is a pure function of those, so
/// equal hashes mean equal pages; `serve` keeps one between rebuilds, so an edit re-renders
/// the pages whose view changed (the edited incident, and those whose related incidents,
/// backlinks, wiki links or term links it changed) and no others. `build` keeps one in
/// `.pmsite/` with each page's hash instead of its bytes.
pub struct PageMemo {
    pages: Mutex<HashMap<String, (u64, Kept)>>,
    rendered: AtomicUsize,
    keep_bytes: bool,
}

/// What is kept of a page.
#[derive(Clone)]
pub enum Kept {
    Bytes(Arc<Vec<u8>>),
    /// The hash (`cache::hash64`) of the file a build wrote.
    Hash(u64),
}

impl Default for PageMemo {
    fn default() -> Self {
        PageMemo {
            pages: Mutex::default(),
            rendered: AtomicUsize::new(0),
            keep_bytes: true,
        }
    }
}

impl PageMemo {
    /// A memo of page hashes, as `save` wrote it (empty for bytes it cannot read).
    pub fn of_hashes(saved: Option<&[u8]>) -> PageMemo {
        let mut pages = HashMap::new();
        if let Some(bytes) = saved {
            let mut r = crate::cache::Reader(bytes);
            while !r.is_empty() {
                let (Some(path), Some(key), Some(hash)) = (r.str(), r.u64(), r.u64()) else {
                    pages.clear();
                    break;
                };
                pages.insert(path.to_string(), (key, Kept::Hash(hash)));
            }
        }
        PageMemo {
            pages: Mutex::new(pages),
            rendered: AtomicUsize::new(0),
            keep_bytes: false,
        }
    }

    /// The hashes of the pages, for `of_hashes`.
    pub fn save(&self) -> Vec<u8> {
        let mut w = crate::cache::Writer::default();
        if let Ok(pages) = self.pages.lock() {
            let mut paths: Vec<&String> = pages.keys().collect();
            paths.sort();
            for path in paths {
                let (key, kept) = &pages[path];
                let hash = match kept {
                    Kept::Bytes(bytes) => crate::cache::hash64(bytes),
                    Kept::Hash(hash) => *hash,
                };
                w.str(path);
                w.u64(*key);
                w.u64(hash);
            }
        }
        w.0
    }

    pub(super) fn get(&self, path: &str, key: u64) -> Option<Kept> {
        let pages = self.pages.lock().ok()?;
        pages
            .get(path)
            .filter(|(k, _)| *k == key)
            .map(|(_, kept)| kept.clone())
    }

    pub(super) fn put(&self, path: String, key: u64, bytes: Vec<u8>) {
        self.rendered.fetch_add(1, Ordering::Relaxed);
        let kept = if self.keep_bytes {
            Kept::Bytes(Arc::new(bytes))
        } else {
            Kept::Hash(crate::cache::hash64(&bytes))
        };
        if let Ok(mut pages) = self.pages.lock() {
            pages.insert(path, (key, kept));
        }
    }

    /// Forgets the pages of incidents no longer in the library.
    pub fn retain_incidents(&self, incidents: &[std::sync::Arc<crate::content::model::Incident>]) {
        let paths: std::collections::HashSet<String> = incidents
            .iter()
            .map(|i| super::views::incident_file(i))
            .collect();
        if let Ok(mut pages) = self.pages.lock() {
            pages.retain(|path, _| paths.contains(path));
        }
    }

    /// Counts pages rendered from now on.
    pub fn start_counting(&self) {
        self.rendered.store(0, Ordering::Relaxed);
    }

    /// How many incident pages were rendered rather than reused since counting started.
    pub fn rendered(&self) -> usize {
        self.rendered.load(Ordering::Relaxed)
    }
}

/// Feeds serialized bytes to a hasher, so a view is hashed without building its JSON.
struct HashWriter(xxhash_rust::xxh3::Xxh3);

impl std::io::Write for HashWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

pub(super) fn view_hash(seed: u64, view: &impl Serialize) -> u64 {
    let mut h = HashWriter(xxhash_rust::xxh3::Xxh3::with_seed(seed));
    // A view that cannot serialize cannot render either; the render reports it.
    let _ = serde_json::to_writer(&mut h, view);
    h.0.digest()
}

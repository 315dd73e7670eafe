//! One state of the preview's site: a derived library whose parts render when one of their
//! files is asked for, each once, until a rebuild replaces it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use crate::build::Loaded;
use crate::error::{Error, Result};
use crate::output::Sink;
use crate::render::theme::Theme;
use crate::render::{PageMemo, Part, RowCache, Site};
use crate::search::SearchMemo;

/// Files by path in the site (`incidents/x/index.html`).
pub type Pages = HashMap<String, Vec<u8>>;

/// The output plan's sink for the preview: files in memory.
#[derive(Default)]
pub(super) struct MemorySink(Mutex<Pages>);

impl Sink for MemorySink {
    fn write(&self, path: &str, bytes: &[u8]) -> Result<()> {
        self.0
            .lock()
            .map_err(|_| Error::Refused("the preview's page store is poisoned".into()))?
            .insert(path.to_string(), bytes.to_vec());
        Ok(())
    }
}

fn nothing() {}

pub(super) type PartCell = Arc<OnceLock<std::result::Result<Arc<Pages>, String>>>;

/// One state of the site: a derived library, rendered part by part as its files are asked
/// for (an incident page alone, the search index alone), until a rebuild replaces it.
pub struct Snapshot {
    pub(super) loaded: Loaded,
    pub(super) theme: Arc<Theme>,
    pub(super) generated: String,
    pub(super) memo: Arc<PageMemo>,
    pub(super) search: Arc<SearchMemo>,
    pub(super) rows: RowCache,
    pub(super) parts: Mutex<HashMap<Part, PartCell>>,
}

impl Snapshot {
    fn site(&self) -> Site<'_> {
        Site {
            lib: &self.loaded.library,
            config: &self.loaded.config,
            theme: &self.theme,
            drafts: true,
            generated: self.generated.clone(),
            on_page: &nothing,
            memo: Some(&self.memo),
            search_memo: Some(&self.search),
            rows: &self.rows,
        }
    }

    /// The files of `part`, rendered by the first to ask (others asking meanwhile wait).
    /// An incident page is not kept here: the page memo has it, and finds it again from
    /// its view's hash.
    fn part(&self, part: Part) -> std::result::Result<Arc<Pages>, String> {
        if matches!(part, Part::Incident(_)) {
            return self.render_part(part).map(Arc::new);
        }
        let cell = match self.parts.lock() {
            Ok(mut parts) => Arc::clone(parts.entry(part).or_default()),
            Err(_) => return Err("the preview's page store is poisoned".into()),
        };
        cell.get_or_init(|| self.render_part(part).map(Arc::new))
            .clone()
    }

    /// Renders one part. A panic while rendering is this part's error, never the
    /// preview's end: the page answers 500 with the overlay, the rest of the site stays up.
    fn render_part(&self, part: Part) -> std::result::Result<Pages, String> {
        let render = || {
            fault_injection(&self.loaded.library, part);
            let sink = MemorySink::default();
            self.site()
                .write_part(part, &sink)
                .map_err(|e| e.to_string())?;
            sink.0
                .into_inner()
                .map_err(|_| "the preview's page store is poisoned".to_string())
        };
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(render))
            .unwrap_or_else(|panic| Err(panic_message(&format!("rendering {part:?}"), &*panic)))
    }

    /// The file at `path`, if the site has one; rendering it if no one has asked yet. An
    /// error is a template that failed on this page.
    pub fn file(&self, path: &str) -> std::result::Result<Option<Vec<u8>>, String> {
        match self.site().part_of(path) {
            Some(part) => Ok(self.part(part)?.get(path).cloned()),
            None => Ok(None),
        }
    }

    /// Whether the site has a file at `path`. An incident page is known from its path
    /// without rendering it; a file of another part renders that part (once). A file that
    /// failed to render exists: asking for it shows why.
    pub fn has(&self, path: &str) -> bool {
        match self.site().part_of(path) {
            None => false,
            Some(Part::Incident(_)) => true,
            Some(part) => self
                .part(part)
                .map_or(true, |files| files.contains_key(path)),
        }
    }

    /// How many parts gathering the library have been rendered (or are rendering);
    /// incident pages are counted by the memo (`Preview::pages_rendered`).
    pub fn parts_rendered(&self) -> usize {
        self.parts.lock().map_or(0, |p| p.len())
    }

    /// Renders every part not rendered yet, in parallel; the first error, if any.
    pub fn render_all(&self) -> std::result::Result<(), String> {
        use rayon::prelude::*;
        self.site().prepare().map_err(|e| e.to_string())?;
        self.site()
            .parts()
            .into_par_iter()
            .try_for_each(|part| self.part(part).map(drop))
    }

    /// Every file of the site.
    pub fn pages(&self) -> std::result::Result<Pages, String> {
        self.render_all()?;
        let mut pages = Pages::new();
        for part in self.site().parts() {
            let files = self.part(part)?;
            pages.extend(files.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
        Ok(pages)
    }

    /// Renders the pages that gather the whole library (lists, search index, feeds), which
    /// take long at 10,000 incidents, so the next one opened is ready; incident pages
    /// render quickly on demand. Stops early when `stop` says a newer change arrived.
    pub fn warm(&self, stop: &dyn Fn() -> bool) {
        for part in self.site().parts() {
            if matches!(part, Part::Incident(_)) || stop() {
                return;
            }
            let _ = self.part(part);
        }
    }
}

/// What a panic said, as a problem for the overlay.
pub(super) fn panic_message(doing: &str, panic: &(dyn std::any::Any + Send)) -> String {
    let said = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".into());
    format!(
        "pmsite failed while {doing} ({said}); this is a bug in pmsite, please report it with the post-mortem that caused it"
    )
}

/// Tests make rendering panic to prove the preview survives it: with
/// `PMSITE_TEST_PANIC_ID=<id>`, the page of the incident with that id and the feeds (which
/// warming renders) panic while that incident is in the library. Never set outside tests.
fn fault_injection(lib: &crate::library::Library, part: Part) {
    static ID: OnceLock<Option<String>> = OnceLock::new();
    let Some(id) = ID.get_or_init(|| std::env::var("PMSITE_TEST_PANIC_ID").ok()) else {
        return;
    };
    let hit = match part {
        Part::Incident(i) => lib.incidents.get(i).is_some_and(|inc| &inc.id == id),
        Part::Feeds => lib.incidents.iter().any(|inc| &inc.id == id),
        _ => false,
    };
    if hit {
        panic!("fault injected for {id}");
    }
}

//! The preview's builder: it owns what is kept between rebuilds (`build::Caches`: parses,
//! the related-incident index, rendered pages, the search analysis, and the theme) and
//! turns the watcher's batch of changes into the next snapshot.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use super::ServeOptions;
use super::snapshot::{Snapshot, panic_message};
use super::watch::ChangeKind;
use crate::build::{Caches, load_cached};
use crate::diagnostics::Diagnostic;
use crate::library::Selection;
use crate::render::RowCache;
use crate::render::theme::Theme;

/// The preview's builder: keeps the parses of unchanged post-mortems, the theme, and the
/// incident pages rendered from unchanged inputs, between rebuilds.
pub struct Preview {
    opts: ServeOptions,
    base_url: String,
    /// When the preview started: pages say so. A time that changed on every rebuild would
    /// change every page, and every page would have to be rendered again.
    generated: String,
    caches: Caches,
    theme: Option<Arc<Theme>>,
    /// Seconds per stage of the last rebuild.
    timings: Vec<(&'static str, f64)>,
    /// The next rebuild renders only the home page (`start`).
    lazy: bool,
}

impl Preview {
    pub fn new(mut opts: ServeOptions, base_url: String, generated: String) -> Preview {
        // The watcher reports absolute paths; files are known by the same.
        if let Ok(root) = std::fs::canonicalize(&opts.root) {
            opts.root = root;
        }
        Preview {
            opts,
            base_url,
            generated,
            caches: Caches::default(),
            theme: None,
            timings: Vec::new(),
            lazy: false,
        }
    }

    /// The session's first build. There is no earlier site to keep up, so it renders only
    /// the home page (a broken `base.html` is reported at once) and leaves every other page
    /// to be rendered when asked for, or by warming: the first page is served as soon as
    /// the library is loaded and derived, not after the whole site has rendered. A page
    /// whose template fails answers 500 with the overlay naming it, as after an edit.
    pub fn start(&mut self) -> std::result::Result<Arc<Snapshot>, Vec<Diagnostic>> {
        self.lazy = true;
        let result = self.rebuild_or_report(None);
        self.lazy = false;
        result
    }

    /// The stages of the last rebuild, for the log: "load 6 ms, derive 25 ms".
    pub fn timings(&self) -> String {
        self.timings
            .iter()
            .map(|(stage, s)| format!("{stage} {:.0} ms", s * 1000.0))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// How many files the last rebuild parsed; the others' parses were kept.
    pub fn files_parsed(&self) -> usize {
        self.caches.parses.parsed
    }

    /// How many incident pages were rendered since the last rebuild, rather than reused.
    pub fn pages_rendered(&self) -> usize {
        self.caches.pages.rendered()
    }

    /// How many related lists the last rebuild compared again.
    pub fn related_compared(&self) -> usize {
        self.caches.derive.related_compared
    }

    /// As `rebuild`, with a panic reported as a problem (and the caches started afresh)
    /// rather than ending the preview's rebuild thread.
    pub fn rebuild_or_report(
        &mut self,
        changes: Option<&[(ChangeKind, PathBuf)]>,
    ) -> std::result::Result<Arc<Snapshot>, Vec<Diagnostic>> {
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.rebuild(changes))) {
            Ok(result) => result,
            Err(panic) => {
                self.caches = Caches::default();
                self.theme = None;
                let message = panic_message("rebuilding", &*panic);
                Err(vec![
                    Diagnostic::error("pmsite", 0, message).code("internal"),
                ])
            }
        }
    }

    /// The site after `changes` (the watcher's batch; None: anything may have changed).
    /// A post-mortem's change re-parses and re-derives, and pages render when asked for.
    /// Any other change (the first build, the theme, the config) renders the whole site
    /// before it is shown, so a template error keeps the last good site up. The problems
    /// as `file:line: message` if it does not build.
    pub fn rebuild(
        &mut self,
        changes: Option<&[(ChangeKind, PathBuf)]>,
    ) -> std::result::Result<Arc<Snapshot>, Vec<Diagnostic>> {
        let only_content =
            changes.is_some_and(|c| c.iter().all(|(k, _)| *k == ChangeKind::Incident));
        let changed: Option<Vec<PathBuf>> =
            changes.map(|c| c.iter().map(|(_, p)| p.clone()).collect());
        let selection = Selection {
            drafts: true,
            include_restricted: self.opts.include_restricted,
            today: self.opts.today,
            strict_links: false,
        };
        let mut loaded = match load_cached(
            &self.opts.root,
            Some(&self.base_url),
            selection,
            &mut self.caches,
            changed.as_deref(),
        ) {
            Ok(l) => l,
            Err(e) => return Err(e.into_diagnostics("pmsite", "internal")),
        };
        if let Some(failing) = crate::build::failing_errors(&mut loaded) {
            return Err(failing);
        }
        let theme = match &self.theme {
            Some(theme) if only_content => Arc::clone(theme),
            _ => Arc::new(
                Theme::load(&self.opts.root, &loaded.config.theme)
                    .map_err(|e| e.into_diagnostics("templates", "template"))?,
            ),
        };
        self.timings = loaded.timings.clone();
        self.caches.pages.start_counting();
        self.caches
            .pages
            .retain_incidents(&loaded.library.incidents);
        let snapshot = Arc::new(Snapshot {
            loaded,
            theme: Arc::clone(&theme),
            generated: self.generated.clone(),
            memo: Arc::clone(&self.caches.pages),
            search: Arc::clone(&self.caches.search),
            rows: RowCache::default(),
            parts: Mutex::default(),
        });
        if !only_content {
            let started = Instant::now();
            let rendered = if self.lazy {
                snapshot.file(&crate::routes::Route::Home.path()).map(drop)
            } else {
                snapshot.render_all()
            };
            rendered.map_err(|e| vec![Diagnostic::error("templates", 0, e).code("template")])?;
            self.timings
                .push(("render", started.elapsed().as_secs_f64()));
        }
        self.theme = Some(theme);
        Ok(snapshot)
    }
}

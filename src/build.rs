//! The commands that read a whole library: `build` and `check`.

use std::path::{Path, PathBuf};
use std::time::Instant;

use chrono::NaiveDate;

use crate::config::Config;
use crate::content;
use crate::diagnostics::{self, Diagnostic};
use crate::error::{Error, Result};
use crate::library::{self, Library, Selection};
use crate::markdown::Markdown;
use crate::output::OutputDir;
use crate::render::{Site, theme::Theme};

/// Everything a build needs, resolved from the command line and `pmsite.toml` once.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    pub root: PathBuf,
    pub output: PathBuf,
    pub drafts: bool,
    pub include_restricted: bool,
    pub base_url: Option<String>,
    /// The day overdue is judged against; fixed in tests for reproducible output.
    pub today: NaiveDate,
    /// Read and keep `.pmsite/`, the build cache (`cache`); off with `--no-cache`.
    pub cache: bool,
}

/// A loaded and derived library with every problem found on the way.
pub struct Loaded {
    pub config: Config,
    pub library: Library,
    pub diagnostics: Vec<Diagnostic>,
    /// Pages that do not read as post-mortems (a home page, a runbook), skipped: each is
    /// also a note in `diagnostics`.
    pub pages_skipped: Vec<PathBuf>,
    /// How long each stage took, in seconds.
    pub timings: Vec<(&'static str, f64)>,
    /// The errors `check` fails on that a build tolerates (`failing_errors`), as errors.
    pub authored_errors: Vec<Diagnostic>,
    /// How many files were parsed; the others' parses were read back from the cache.
    pub parsed: usize,
}

/// A progress bar on a terminal for long builds; nothing otherwise (piped, `--quiet`).
pub struct Progress(Option<indicatif::ProgressBar>);

impl Progress {
    /// Builds of fewer post-mortems than this finish before a bar would be read.
    const MIN_FILES: usize = 100;

    pub fn hidden() -> Progress {
        Progress(None)
    }

    /// A bar on standard error when it is a terminal.
    pub fn on_terminal() -> Progress {
        let bar = indicatif::ProgressBar::with_draw_target(
            Some(0),
            indicatif::ProgressDrawTarget::stderr(),
        );
        bar.set_style(
            indicatif::ProgressStyle::with_template("{prefix:>9} [{bar:30}] {pos}/{len} {elapsed}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        Progress((!bar.is_hidden()).then_some(bar))
    }

    fn phase(&self, name: &'static str, len: usize) {
        if let Some(bar) = &self.0 {
            if len < Self::MIN_FILES {
                bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
            }
            bar.set_prefix(name);
            bar.set_length(len as u64);
            bar.set_position(0);
        }
    }

    fn tick(&self) {
        if let Some(bar) = &self.0 {
            bar.inc(1);
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}

/// Loads the config and every post-mortem, and derives the library.
pub fn load(root: &Path, base_url: Option<&str>, selection: Selection) -> Result<Loaded> {
    load_with(root, base_url, selection, &Progress::hidden(), None)
}

/// As `load`, reporting progress, with the build cache's parses when there is a cache.
pub fn load_with(
    root: &Path,
    base_url: Option<&str>,
    selection: Selection,
    progress: &Progress,
    store: Option<&crate::cache::Store>,
) -> Result<Loaded> {
    let config = load_config(root, base_url)?;
    let (files, found) = content::discover(root)?;
    let settings = content::ParseSettings::of(&config);
    let md = Markdown::new(settings.allow_html);
    let started = Instant::now();
    progress.phase("Loading", files.len());
    let tick = || progress.tick();
    let (incidents, mut diagnostics, parsed) = match store {
        Some(store) => {
            let loaded =
                content::stored::load_all_stored(root, &files, &settings, &md, store, &tick);
            (loaded.incidents, loaded.diagnostics, loaded.parsed)
        }
        None => {
            let (incidents, diagnostics) = content::load_all(root, &files, &settings, &md, &tick);
            (incidents, diagnostics, files.len())
        }
    };
    diagnostics.extend(found);
    let load_seconds = started.elapsed().as_secs_f64();
    let mut loaded = finish_load(
        config,
        incidents.into_iter().map(std::sync::Arc::new).collect(),
        diagnostics,
        load_seconds,
        selection,
        None,
    );
    loaded.parsed = parsed;
    Ok(loaded)
}

/// `pmsite.toml`, with `--base-url` (or the preview's address) in place of `base_url`.
fn load_config(root: &Path, base_url: Option<&str>) -> Result<Config> {
    let mut config = Config::load(root).map_err(Error::Invalid)?;
    if let Some(url) = base_url {
        if let Some(why) = crate::config::base_url_problem(url) {
            return Err(Error::Refused(format!("--base-url: {why}")));
        }
        config.base_url = url.to_string();
    }
    Ok(config)
}

/// The derive step after loading, however the incidents were loaded.
fn finish_load(
    config: Config,
    incidents: Vec<std::sync::Arc<crate::content::model::Incident>>,
    mut diagnostics: Vec<Diagnostic>,
    load_seconds: f64,
    selection: Selection,
    memory: Option<&mut library::DeriveMemory>,
) -> Loaded {
    diagnostics.extend(config.vocabulary_reported.iter().cloned());
    let started = Instant::now();
    let (library, derive_diagnostics) = library::derive_with(incidents, &config, selection, memory);
    let timings = vec![
        ("load", load_seconds),
        ("derive", started.elapsed().as_secs_f64()),
    ];
    diagnostics.extend(derive_diagnostics);
    diagnostics::sort(&mut diagnostics);
    let pages_skipped = diagnostics
        .iter()
        .filter(|d| d.code == content::incident::SKIPPED)
        .map(|d| d.path.clone())
        .collect();
    Loaded {
        config,
        library,
        diagnostics,
        pages_skipped,
        timings,
        authored_errors: Vec::new(),
        parsed: 0,
    }
}

/// A sink that makes each HTML page's links to the site relative to it (`relative_urls`).
struct RelativeLinks<'a> {
    inner: &'a dyn crate::output::Sink,
    root: String,
}

impl crate::output::Sink for RelativeLinks<'_> {
    fn write(&self, path: &str, bytes: &[u8]) -> Result<()> {
        match std::str::from_utf8(bytes) {
            Ok(html) if path.ends_with(".html") => self.inner.write(
                path,
                crate::routes::relative_links(html, path, &self.root).as_bytes(),
            ),
            _ => self.inner.write(path, bytes),
        }
    }

    fn write_parts(&self, path: &str, parts: &[&[u8]]) -> Result<()> {
        if path.ends_with(".html") {
            self.write(path, &parts.concat())
        } else {
            self.inner.write_parts(path, parts)
        }
    }
}

/// What the preview keeps between rebuilds, in one value; each stage is handed only its
/// own part (loading the parses, deriving the related-incident index, rendering the pages
/// and the search analysis), so no stage can reach another's.
#[derive(Default)]
pub struct Caches {
    pub parses: content::ParseCache,
    pub derive: library::DeriveMemory,
    pub pages: std::sync::Arc<crate::render::PageMemo>,
    pub search: std::sync::Arc<crate::search::SearchMemo>,
}

/// As `load`, reusing the parses of unchanged files. `changed` names the files and folders
/// that changed (the watcher's paths): only those, and files new to the cache, are read
/// again. None reads every file and compares its bytes. A file new to the cache whose parse
/// the last `build` kept in `.pmsite/cache/` is read back, not parsed.
pub fn load_cached(
    root: &Path,
    base_url: Option<&str>,
    selection: Selection,
    caches: &mut Caches,
    changed: Option<&[PathBuf]>,
) -> Result<Loaded> {
    let config = load_config(root, base_url)?;
    let (files, found) = content::discover(root)?;
    let settings = content::ParseSettings::of(&config);
    let md = Markdown::new(settings.allow_html);
    let started = Instant::now();
    // The parses the last `build` kept, read (never written: the preview writes nothing).
    let store = crate::cache::Store::existing(root);
    let parsed = caches
        .parses
        .load(root, &files, changed, &settings, &md, store.as_ref());
    let mut diagnostics = found;
    diagnostics.extend(parsed.diagnostics);
    let load_seconds = started.elapsed().as_secs_f64();
    Ok(finish_load(
        config,
        parsed.incidents,
        diagnostics,
        load_seconds,
        selection,
        Some(&mut caches.derive),
    ))
}

/// What a finished build reports.
#[derive(Debug)]
pub struct BuildReport {
    pub incidents: usize,
    pub drafts_left_out: usize,
    pub restricted_left_out: usize,
    /// Pages that do not read as post-mortems, skipped.
    pub pages_skipped: Vec<PathBuf>,
    pub files: usize,
    /// Files whose bytes were the previous build's, kept rather than written again.
    pub unchanged: usize,
    /// Incident pages rendered; the others were the previous build's (the cache).
    pub pages_rendered: usize,
    /// Files parsed; the others' parses were the cache's.
    pub parsed: usize,
    /// (search shard files written, in all), with the cache: the rest were linked.
    pub search_shards_written: Option<(usize, usize)>,
    pub warnings: Vec<Diagnostic>,
    pub home_url: String,
    pub seconds: f64,
    /// Seconds per stage: load, derive, render, write.
    pub timings: Vec<(&'static str, f64)>,
}

/// Builds the site into a staging directory and swaps it in. On any error the previous
/// output is left exactly as it was.
pub fn build(opts: &BuildOptions) -> Result<BuildReport> {
    build_with(opts, &Progress::hidden())
}

/// As `build`, reporting progress.
pub fn build_with(opts: &BuildOptions, progress: &Progress) -> Result<BuildReport> {
    let started = Instant::now();
    let selection = Selection {
        drafts: opts.drafts,
        include_restricted: opts.include_restricted,
        today: opts.today,
        strict_links: false,
    };
    let store = opts
        .cache
        .then(|| crate::cache::Store::open(&opts.root))
        .flatten();
    let loaded = load_with(
        &opts.root,
        opts.base_url.as_deref(),
        selection,
        progress,
        store.as_ref(),
    );
    let loaded = match loaded {
        Ok(l) => l,
        Err(e) => {
            progress.finish();
            return Err(e);
        }
    };
    let mut loaded = loaded;
    if let Some(failing) = failing_errors(&mut loaded) {
        progress.finish();
        return Err(Error::Invalid(failing));
    }
    let theme = Theme::load(&opts.root, &loaded.config.theme).inspect_err(|_| progress.finish())?;
    // Links to the site's own pages are checked against every file this build writes.
    let mut warnings = std::mem::take(&mut loaded.diagnostics);
    warnings.extend(site_link_problems(&loaded, &theme, opts.drafts, false));
    // Notes are for `check`; a build reports what is wrong or may be.
    warnings.retain(|d| d.level != diagnostics::Level::Note);
    diagnostics::sort(&mut warnings);
    let mut timings = loaded.timings.clone();
    let out = OutputDir::prepare(&opts.output)?;
    let render_started = Instant::now();
    progress.phase("Rendering", loaded.library.incidents.len());
    let generated = build_time();
    let relative = RelativeLinks {
        inner: &out,
        root: loaded.config.root_path(),
    };
    let sink: &dyn crate::output::Sink = if loaded.config.relative_urls {
        &relative
    } else {
        &out
    };
    let memo_name = pages_memo_name(&opts.output);
    let memo = crate::render::PageMemo::of_hashes(
        store.as_ref().and_then(|s| s.read(&memo_name)).as_deref(),
    );
    // The search analyses do not depend on the output folder: one file for the library.
    let search_memo = store
        .as_ref()
        .map(|s| crate::search::SearchMemo::load(s.read(SEARCH_MEMO).as_deref()));
    let rows = crate::render::RowCache::default();
    let site = Site {
        lib: &loaded.library,
        config: &loaded.config,
        theme: &theme,
        drafts: opts.drafts,
        generated,
        on_page: &|| progress.tick(),
        memo: Some(&memo),
        search_memo: search_memo.as_ref(),
        rows: &rows,
    };
    let files = site.write_all(sink);
    progress.finish();
    let files = files?;
    timings.push(("render", render_started.elapsed().as_secs_f64()));
    let commit_started = Instant::now();
    let unchanged = out.unchanged();
    out.commit()?;
    timings.push(("write", commit_started.elapsed().as_secs_f64()));
    if let Some(store) = &store {
        memo.retain_incidents(&loaded.library.incidents);
        store.write(&memo_name, &memo.save());
        if let Some(search) = search_memo.as_ref().filter(|m| m.changed()) {
            store.write(SEARCH_MEMO, &search.save());
        }
    }
    Ok(BuildReport {
        incidents: loaded.library.incidents.len(),
        drafts_left_out: loaded.library.drafts_left_out,
        restricted_left_out: loaded.library.restricted_left_out,
        pages_skipped: loaded.pages_skipped.clone(),
        files,
        unchanged,
        pages_rendered: memo.rendered(),
        parsed: loaded.parsed,
        search_shards_written: search_memo.as_ref().map(|m| m.shards_written()),
        warnings,
        home_url: format!("{}/", loaded.config.base()),
        seconds: started.elapsed().as_secs_f64(),
        timings,
    })
}

/// The cache file of the search analyses (`search::SearchMemo`).
const SEARCH_MEMO: &str = "search";

/// The cache file of the incident pages written into one output folder.
fn pages_memo_name(output: &Path) -> String {
    // The folder need not exist yet: its parent does (the build creates it first).
    let output = match (output.parent(), output.file_name()) {
        (Some(parent), Some(name)) => parent
            .canonicalize()
            .map_or_else(|_| output.to_path_buf(), |p| p.join(name)),
        _ => output.to_path_buf(),
    };
    format!(
        "pages-{:016x}",
        crate::cache::hash64(output.as_os_str().as_encoded_bytes())
    )
}

/// When this build happened, RFC 3339, for the home page and `incidents.json`:
/// `SOURCE_DATE_EPOCH` (seconds since 1970, the reproducible-builds convention) when it is
/// set and readable, so that two builds of one commit are the same bytes; now otherwise.
pub fn build_time() -> String {
    let fixed = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .and_then(|secs| chrono::DateTime::from_timestamp(secs, 0));
    fixed
        .unwrap_or_else(chrono::Utc::now)
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Problems that make the site wrong, so that no build may publish it: two post-mortems at
/// one URL, a URL no file system can hold, a file that cannot be read, and (for a library
/// that asked for strict front matter) an unknown key. Every other error belongs to one
/// post-mortem, which is built from what could be read: `check` fails on it, `build` warns.
pub const FAILS_BUILD: &[&str] = &["duplicate-id", "too-long", "id", "file"];

fn fails_build(d: &Diagnostic, config: &Config) -> bool {
    d.is_error()
        && (FAILS_BUILD.contains(&d.code)
            || d.code == "unknown-key"
                && config.front_matter.unknown_keys == crate::config::UnknownKeys::Error)
}

/// The errors that fail a build (`FAILS_BUILD`), or None; every other error becomes a
/// warning of the post-mortem it is in.
pub fn failing_errors(loaded: &mut Loaded) -> Option<Vec<Diagnostic>> {
    let config = &loaded.config;
    if loaded.diagnostics.iter().any(|d| fails_build(d, config)) {
        return Some(
            loaded
                .diagnostics
                .iter()
                .filter(|d| d.is_error())
                .cloned()
                .collect(),
        );
    }
    for d in &mut loaded.diagnostics {
        if d.is_error() {
            loaded.authored_errors.push(d.clone());
            d.level = diagnostics::Level::Warning;
        }
    }
    None
}

/// Links to the site's own pages that name no file this build writes, with the theme's
/// static files counted among them (errors when `strict`).
fn site_link_problems(
    loaded: &Loaded,
    theme: &Theme,
    drafts: bool,
    strict: bool,
) -> Vec<Diagnostic> {
    library::links::site_paths(
        &loaded.library,
        &loaded.config,
        &|p| theme.static_files.contains_key(p),
        drafts,
        strict,
    )
}

/// What `check` found.
#[derive(Debug, Default)]
pub struct Checked {
    pub diagnostics: Vec<Diagnostic>,
    /// How many post-mortems were checked (drafts and restricted ones included).
    pub post_mortems: usize,
    /// With `--external`: how many external links were requested and how many are broken.
    pub external: Option<crate::check::ExternalSummary>,
}

/// Validates every post-mortem, drafts and restricted ones included. Unresolved wiki links
/// and broken internal links are errors here (a build shows them as plain text).
pub fn check(root: &Path, today: NaiveDate) -> Result<Vec<Diagnostic>> {
    check_with(root, today, None).map(|c| c.diagnostics)
}

/// `check`, and given a timeout, every external link too (`check --external`). Whatever
/// `build` would refuse is reported here first: the library, the theme's templates, links.
pub fn check_with(
    root: &Path,
    today: NaiveDate,
    external: Option<std::time::Duration>,
) -> Result<Checked> {
    let selection = Selection {
        drafts: true,
        include_restricted: true,
        today,
        strict_links: true,
    };
    let loaded = match load(root, None, selection) {
        Ok(loaded) => loaded,
        Err(Error::Invalid(diagnostics)) => {
            return Ok(Checked {
                diagnostics,
                ..Checked::default()
            });
        }
        Err(e) => return Err(e),
    };
    let summary = external.map(|timeout| {
        crate::check::external(
            library::links::external_links(&loaded.library, &loaded.config),
            timeout,
        )
    });
    let mut loaded = loaded;
    let mut d = std::mem::take(&mut loaded.diagnostics);
    if let Some(s) = &summary {
        d.extend(s.diagnostics.iter().cloned());
    }
    match Theme::load(root, &loaded.config.theme) {
        Ok(theme) => d.extend(site_link_problems(&loaded, &theme, true, true)),
        Err(e) => d.extend(e.into_diagnostics("templates", "template")),
    }
    diagnostics::sort(&mut d);
    Ok(Checked {
        diagnostics: diagnostics::fold_notes(d),
        post_mortems: loaded.library.incidents.len(),
        external: summary,
    })
}

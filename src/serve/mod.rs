//! `pmsite serve`: the library built in memory (drafts shown, with their banner), served on
//! 127.0.0.1, rebuilt when a file changes, and the open page reloaded by itself. Nothing is
//! written to disk and nothing is deleted. A failed rebuild keeps the last good site up with
//! an overlay listing every problem.
//!
//! A saved post-mortem is parsed alone and the library derived again from the other
//! parses (the related-incident index updated, not rebuilt); the browser is told to reload
//! at once, and pages render as they are asked for. Once edits pause, the pages that gather
//! the whole library render in the background.

pub mod guard;
pub mod http;
pub mod watch;

use watch::ChangeKind;

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, OnceLock, RwLock};
use std::time::Instant;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::NaiveDate;
use tokio::sync::broadcast;
use tokio_stream::StreamExt;
use tokio_stream::wrappers::BroadcastStream;

use crate::build::{Loaded, ParseCache, load_cached};
use crate::error::{Error, Result};
use crate::library::Selection;
use crate::output::Sink;
use crate::render::theme::Theme;
use crate::render::{PageMemo, Part, RowCache, Site};
use http::{EVENTS_PATH, Resolved, inject, resolve};

#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub root: PathBuf,
    pub bind: IpAddr,
    pub port: u16,
    pub include_restricted: bool,
    pub today: NaiveDate,
}

/// Files by path in the site (`incidents/x/index.html`).
pub type Pages = HashMap<String, Vec<u8>>;

/// The output plan's sink for the preview: files in memory.
#[derive(Default)]
struct MemorySink(Mutex<Pages>);

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

type PartCell = Arc<OnceLock<std::result::Result<Arc<Pages>, String>>>;

/// One state of the site: a derived library, rendered part by part as its files are asked
/// for (an incident page alone, the search index alone), until a rebuild replaces it.
pub struct Snapshot {
    loaded: Loaded,
    theme: Arc<Theme>,
    generated: String,
    memo: Arc<PageMemo>,
    rows: RowCache,
    parts: Mutex<HashMap<Part, PartCell>>,
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
            .unwrap_or_else(|panic| Err(panic_message(part, &*panic)))
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

/// The preview's builder: keeps the parses of unchanged post-mortems, the theme, and the
/// incident pages rendered from unchanged inputs, between rebuilds.
pub struct Preview {
    opts: ServeOptions,
    base_url: String,
    /// When the preview started: pages say so. A time that changed on every rebuild would
    /// change every page, and every page would have to be rendered again.
    generated: String,
    cache: ParseCache,
    theme: Option<Arc<Theme>>,
    memo: Arc<PageMemo>,
    /// Seconds per stage of the last rebuild.
    timings: Vec<(&'static str, f64)>,
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
            cache: ParseCache::default(),
            theme: None,
            memo: Arc::default(),
            timings: Vec::new(),
        }
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
        self.cache.parsed
    }

    /// How many incident pages were rendered since the last rebuild, rather than reused.
    pub fn pages_rendered(&self) -> usize {
        self.memo.rendered()
    }

    /// How many related lists the last rebuild compared again.
    pub fn related_compared(&self) -> usize {
        self.cache.derive.related_compared
    }

    /// As `rebuild`, with a panic reported as a problem (and the caches started afresh)
    /// rather than ending the preview's rebuild thread.
    pub fn rebuild_or_report(
        &mut self,
        changes: Option<&[(ChangeKind, PathBuf)]>,
    ) -> std::result::Result<Arc<Snapshot>, Vec<String>> {
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.rebuild(changes))) {
            Ok(result) => result,
            Err(panic) => {
                self.cache = ParseCache::default();
                self.theme = None;
                Err(vec![
                    panic_message(Part::Home, &*panic).replace("rendering Home", "rebuilding"),
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
    ) -> std::result::Result<Arc<Snapshot>, Vec<String>> {
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
        let loaded = match load_cached(
            &self.opts.root,
            Some(&self.base_url),
            selection,
            &mut self.cache,
            changed.as_deref(),
        ) {
            Ok(l) => l,
            Err(Error::Invalid(d)) => return Err(d.iter().map(ToString::to_string).collect()),
            Err(e) => return Err(vec![e.to_string()]),
        };
        if crate::diagnostics::has_errors(&loaded.diagnostics) {
            return Err(loaded
                .diagnostics
                .iter()
                .filter(|d| d.is_error())
                .map(ToString::to_string)
                .collect());
        }
        let theme = match &self.theme {
            Some(theme) if only_content => Arc::clone(theme),
            _ => Arc::new(
                Theme::load(&self.opts.root, &loaded.config.theme)
                    .map_err(|e| vec![e.to_string()])?,
            ),
        };
        self.timings = loaded.timings.clone();
        self.memo.start_counting();
        let pages: std::collections::HashSet<String> = loaded
            .library
            .incidents
            .iter()
            .map(|i| crate::render::views::incident_file(i))
            .collect();
        self.memo.retain(|path| pages.contains(path));
        let snapshot = Arc::new(Snapshot {
            loaded,
            theme: Arc::clone(&theme),
            generated: self.generated.clone(),
            memo: Arc::clone(&self.memo),
            rows: RowCache::default(),
            parts: Mutex::default(),
        });
        if !only_content {
            let started = Instant::now();
            snapshot.render_all().map_err(|e| vec![e])?;
            self.timings
                .push(("render", started.elapsed().as_secs_f64()));
        }
        self.theme = Some(theme);
        Ok(snapshot)
    }
}

/// What a panic said, as a problem for the overlay.
fn panic_message(part: Part, panic: &(dyn std::any::Any + Send)) -> String {
    let said = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".into());
    format!(
        "pmsite failed while rendering {part:?} ({said}); this is a bug in pmsite, please report it with the post-mortem that caused it"
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

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

struct Shared {
    site: RwLock<Option<Arc<Snapshot>>>,
    /// Problems of the last rebuild, shown over every page until a rebuild succeeds.
    problems: RwLock<Vec<String>>,
    reload: broadcast::Sender<()>,
}

fn apply(shared: &Shared, result: std::result::Result<Arc<Snapshot>, Vec<String>>) {
    // The site replaced is let go after the browser is told: freeing a large one takes time.
    let mut replaced = None;
    match result {
        Ok(site) => {
            if let Ok(mut s) = shared.site.write() {
                replaced = s.replace(site);
            }
            if let Ok(mut p) = shared.problems.write() {
                p.clear();
            }
        }
        Err(problems) => {
            for p in &problems {
                crate::errln!("{p}");
            }
            if let Ok(mut p) = shared.problems.write() {
                *p = problems;
            }
        }
    }
    let _ = shared.reload.send(());
    drop(replaced);
}

/// How long edits must pause before the rest of the site renders in the background (a
/// newer change stops it between parts).
const WARM_AFTER: std::time::Duration = std::time::Duration::from_millis(300);

/// Serves until interrupted.
pub fn serve(opts: ServeOptions) -> Result<()> {
    let listener =
        std::net::TcpListener::bind(SocketAddr::new(opts.bind, opts.port)).map_err(|e| {
            Error::Refused(format!(
                "cannot listen on {}:{}: {e} (try another --port)",
                opts.bind, opts.port
            ))
        })?;
    listener
        .set_nonblocking(true)
        .map_err(|e| Error::io(&opts.root, e))?;
    let addr = listener
        .local_addr()
        .map_err(|e| Error::io(&opts.root, e))?;
    let base_url = format!("http://{addr}");

    // Watching starts before the first build, so a change made during it is not lost.
    let (tx, rx) = std::sync::mpsc::channel();
    let _watcher = watch::watch(&opts.root, tx)?;
    let started = Instant::now();
    let (reload, _) = broadcast::channel(16);
    let shared = Arc::new(Shared {
        site: RwLock::new(None),
        problems: RwLock::new(Vec::new()),
        reload,
    });
    let mut preview = Preview::new(opts.clone(), base_url.clone(), now());
    apply(&shared, preview.rebuild_or_report(None));
    crate::outln!(
        "Serving {} at {base_url}/ (drafts shown; built in {:.2}s; Ctrl-C stops)",
        opts.root.display(),
        started.elapsed().as_secs_f64()
    );

    let rebuild_shared = Arc::clone(&shared);
    // Warming runs on a thread of its own, so a save never waits behind it; with one
    // thread it leaves the other core to rebuilds and requests.
    let warmer = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .thread_name(|_| "pmsite-warm".into())
        // A panic in warming must not abort the preview (rayon aborts by default).
        .panic_handler(|_| {
            crate::errln!("warming stopped after a panic; pages render when asked for")
        })
        .build()
        .map_err(|e| Error::Refused(format!("cannot start a thread: {e}")))?;
    let latest = Arc::new(std::sync::atomic::AtomicU64::new(0));
    std::thread::spawn(move || {
        while let Ok(mut batch) = rx.recv() {
            // Changes that arrived during a rebuild join the next one.
            while let Ok(more) = rx.try_recv() {
                batch.extend(more);
            }
            let started = Instant::now();
            let result = preview.rebuild_or_report(Some(&batch));
            let site = result.as_ref().ok().map(Arc::clone);
            apply(&rebuild_shared, result);
            let epoch = latest.fetch_add(1, Ordering::SeqCst) + 1;
            if let Some(site) = site {
                crate::outln!(
                    "rebuilt in {:.0} ms ({}) after {}",
                    started.elapsed().as_secs_f64() * 1000.0,
                    preview.timings(),
                    describe(&batch)
                );
                let latest = Arc::clone(&latest);
                warmer.spawn(move || {
                    std::thread::sleep(WARM_AFTER);
                    site.warm(&|| latest.load(Ordering::SeqCst) != epoch);
                });
            }
        }
    });

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Error::io(&opts.root, e))?;
    let root = opts.root.clone();
    runtime.block_on(async move {
        let app = Router::new()
            .route(EVENTS_PATH, get(events))
            .route(http::RELOAD_SCRIPT_PATH, get(reload_js))
            .route(http::OVERLAY_STYLE_PATH, get(overlay_css))
            .fallback(get(page))
            .with_state(shared);
        let app = guard::guarded(
            app,
            guard::Listening {
                bind: addr.ip(),
                port: addr.port(),
            },
        );
        let listener =
            tokio::net::TcpListener::from_std(listener).map_err(|e| Error::io(&root, e))?;
        guard::serve(listener, app, async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|e| Error::io(&root, e))
    })
}

/// The changed files' names for the log: "a.md, b.md and 3 more".
fn describe(batch: &[(ChangeKind, PathBuf)]) -> String {
    let names: Vec<String> = batch
        .iter()
        .map(|(_, p)| {
            p.file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default()
        })
        .collect();
    match names.len() {
        0..=3 => names.join(", "),
        n => format!("{} and {} more", names[..3].join(", "), n - 3),
    }
}

async fn events(State(shared): State<Arc<Shared>>) -> impl IntoResponse {
    let stream = BroadcastStream::new(shared.reload.subscribe()).map(|_| {
        Ok::<Event, std::convert::Infallible>(Event::default().event("reload").data("reload"))
    });
    Sse::new(stream).keep_alive(KeepAlive::default())
}

async fn reload_js() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        http::reload_script(),
    )
}

async fn overlay_css() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        http::OVERLAY_STYLE,
    )
}

fn content_type(path: &str) -> HeaderValue {
    let mime = mime_guess::from_path(path).first_or_octet_stream();
    let text = if mime.type_() == "text"
        || mime.essence_str() == "application/javascript"
        || mime.essence_str() == "application/json"
    {
        format!("{}; charset=utf-8", mime.essence_str())
    } else {
        mime.essence_str().to_string()
    };
    HeaderValue::from_str(&text).unwrap_or(HeaderValue::from_static("application/octet-stream"))
}

async fn page(State(shared): State<Arc<Shared>>, uri: Uri) -> Response {
    let site = shared.site.read().ok().and_then(|s| s.clone());
    let problems = shared
        .problems
        .read()
        .map(|p| p.clone())
        .unwrap_or_default();
    // Rendering a part of a large library takes a while: off the async workers.
    let path = uri.path().to_string();
    tokio::task::spawn_blocking(move || respond(site.as_deref(), problems, &path))
        .await
        .unwrap_or_else(|e| (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response())
}

fn respond(site: Option<&Snapshot>, mut problems: Vec<String>, path: &str) -> Response {
    let file = |key: &str| site.map_or(Ok(None), |s| s.file(key));
    let html = |status: StatusCode, body: Vec<u8>, problems: &[String]| {
        (
            status,
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/html; charset=utf-8"),
                ),
                (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
            ],
            inject(&body, problems),
        )
            .into_response()
    };
    let resolved = resolve(path, |k| site.is_some_and(|s| s.has(k)));
    match resolved {
        Resolved::Page(key) => match file(&key) {
            Ok(Some(body)) if key.ends_with(".html") => html(StatusCode::OK, body, &problems),
            Ok(Some(body)) => (
                StatusCode::OK,
                [
                    (header::CONTENT_TYPE, content_type(&key)),
                    (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
                ],
                body,
            )
                .into_response(),
            Ok(None) => not_found(site, &problems, html),
            Err(e) => {
                problems.push(format!("{key}: {e}"));
                let body = b"<!doctype html><title>Page failed</title><body><h1>This page failed to render</h1></body>".to_vec();
                html(StatusCode::INTERNAL_SERVER_ERROR, body, &problems)
            }
        },
        Resolved::Redirect(to) => {
            (StatusCode::MOVED_PERMANENTLY, [(header::LOCATION, to)]).into_response()
        }
        Resolved::NotFound => not_found(site, &problems, html),
        Resolved::BadRequest => (StatusCode::BAD_REQUEST, "bad path").into_response(),
    }
}

fn not_found(
    site: Option<&Snapshot>,
    problems: &[String],
    html: impl Fn(StatusCode, Vec<u8>, &[String]) -> Response,
) -> Response {
    let page = site.and_then(|s| s.file("404.html").ok().flatten());
    let body = page.unwrap_or_else(|| {
        b"<!doctype html><title>Not found</title><body><h1>Not found</h1></body>".to_vec()
    });
    html(StatusCode::NOT_FOUND, body, problems)
}

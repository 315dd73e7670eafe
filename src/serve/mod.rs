//! `pmsite serve`: the library built in memory (drafts shown, with their banner), served on
//! 127.0.0.1, rebuilt when a file changes, and the open page reloaded by itself. Nothing is
//! written to disk and nothing is deleted. A failed rebuild keeps the last good site up with
//! an overlay listing every problem.
//!
//! Each rebuild re-runs the whole pipeline in memory; re-rendering only what a change touched
//! is the next step (issue 6).

pub mod http;
pub mod watch;

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};
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

use crate::build::{ParseCache, load_cached, render_into};
use crate::error::{Error, Result};
use crate::library::Selection;
use crate::output::Sink;
use crate::render::PageMemo;
use http::{EVENTS_PATH, Resolved, inject, resolve};

#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub root: PathBuf,
    pub bind: IpAddr,
    pub port: u16,
    pub include_restricted: bool,
    pub today: NaiveDate,
}

/// The site: page path (`incidents/x/index.html`) to bytes.
pub type Pages = HashMap<String, Vec<u8>>;

/// The output plan's sink for the preview: pages in memory.
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

struct Shared {
    pages: RwLock<Arc<Pages>>,
    /// Problems of the last rebuild, shown over every page until a rebuild succeeds.
    problems: RwLock<Vec<String>>,
    reload: broadcast::Sender<()>,
}

/// The preview's builder: keeps the parses of unchanged post-mortems, and the incident pages
/// rendered from unchanged inputs, between rebuilds.
pub struct Preview {
    opts: ServeOptions,
    base_url: String,
    cache: ParseCache,
    memo: PageMemo,
}

impl Preview {
    pub fn new(opts: ServeOptions, base_url: String) -> Preview {
        Preview {
            opts,
            base_url,
            cache: ParseCache::default(),
            memo: PageMemo::default(),
        }
    }

    /// How many files the last rebuild parsed; the others' parses were kept.
    pub fn files_parsed(&self) -> usize {
        self.cache.parsed
    }

    /// How many incident pages the last rebuild rendered; the others were unchanged.
    pub fn pages_rendered(&self) -> usize {
        self.memo.rendered()
    }

    /// The whole site, in memory; the problems as `file:line: message` if it does not build.
    /// `generated` is the time pages say they were built.
    pub fn rebuild(&mut self, generated: &str) -> Result<Pages, Vec<String>> {
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
        let sink = MemorySink::default();
        render_into(
            &self.opts.root,
            &loaded,
            true,
            generated.to_string(),
            &sink,
            &|| {},
            Some(&self.memo),
        )
        .map_err(|e| vec![e.to_string()])?;
        let pages = sink
            .0
            .into_inner()
            .map_err(|_| vec!["the preview's page store is poisoned".to_string()])?;
        self.memo.retain(|path| pages.contains_key(path));
        Ok(pages)
    }
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn apply(shared: &Shared, result: Result<Pages, Vec<String>>) {
    match result {
        Ok(pages) => {
            if let Ok(mut p) = shared.pages.write() {
                *p = Arc::new(pages);
            }
            if let Ok(mut p) = shared.problems.write() {
                p.clear();
            }
        }
        Err(problems) => {
            for p in &problems {
                eprintln!("{p}");
            }
            if let Ok(mut p) = shared.problems.write() {
                *p = problems;
            }
        }
    }
    let _ = shared.reload.send(());
}

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
        pages: RwLock::new(Arc::new(Pages::new())),
        problems: RwLock::new(Vec::new()),
        reload,
    });
    let mut preview = Preview::new(opts.clone(), base_url.clone());
    // Pages say when the preview started: a time that changed on every rebuild would change
    // every page, and every page would have to be rendered again.
    let generated = now();
    apply(&shared, preview.rebuild(&generated));
    println!(
        "Serving {} at {base_url}/ (drafts shown; built in {:.2}s; Ctrl-C stops)",
        opts.root.display(),
        started.elapsed().as_secs_f64()
    );

    let rebuild_shared = Arc::clone(&shared);
    std::thread::spawn(move || {
        while let Ok(mut batch) = rx.recv() {
            // Changes that arrived during a rebuild join the next one.
            while let Ok(more) = rx.try_recv() {
                batch.extend(more);
            }
            let started = Instant::now();
            let result = preview.rebuild(&generated);
            let ok = result.is_ok();
            apply(&rebuild_shared, result);
            let names: Vec<String> = batch
                .iter()
                .map(|(_, p)| {
                    p.file_name()
                        .map(|n| n.to_string_lossy().to_string())
                        .unwrap_or_default()
                })
                .collect();
            let what = match names.len() {
                0..=3 => names.join(", "),
                n => format!("{} and {} more", names[..3].join(", "), n - 3),
            };
            if ok {
                println!(
                    "rebuilt in {:.0} ms after {what}",
                    started.elapsed().as_secs_f64() * 1000.0
                );
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
            .fallback(get(page))
            .with_state(shared);
        let listener =
            tokio::net::TcpListener::from_std(listener).map_err(|e| Error::io(&root, e))?;
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
            .map_err(|e| Error::io(&root, e))
    })
}

async fn events(State(shared): State<Arc<Shared>>) -> impl IntoResponse {
    let stream = BroadcastStream::new(shared.reload.subscribe()).map(|_| {
        Ok::<Event, std::convert::Infallible>(Event::default().event("reload").data("reload"))
    });
    Sse::new(stream).keep_alive(KeepAlive::default())
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
    let pages = shared
        .pages
        .read()
        .map(|p| Arc::clone(&p))
        .unwrap_or_default();
    let problems = shared
        .problems
        .read()
        .map(|p| p.clone())
        .unwrap_or_default();
    let html = |status: StatusCode, body: Vec<u8>| {
        (
            status,
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/html; charset=utf-8"),
                ),
                (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
            ],
            inject(&body, &problems),
        )
            .into_response()
    };
    match resolve(uri.path(), |k| pages.contains_key(k)) {
        Resolved::Page(key) => {
            let body = pages.get(&key).cloned().unwrap_or_default();
            if key.ends_with(".html") {
                html(StatusCode::OK, body)
            } else {
                (
                    StatusCode::OK,
                    [
                        (header::CONTENT_TYPE, content_type(&key)),
                        (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
                    ],
                    body,
                )
                    .into_response()
            }
        }
        Resolved::Redirect(to) => {
            (StatusCode::MOVED_PERMANENTLY, [(header::LOCATION, to)]).into_response()
        }
        Resolved::NotFound => {
            let body = pages.get("404.html").cloned().unwrap_or_else(|| {
                b"<!doctype html><title>Not found</title><body><h1>Not found</h1></body>".to_vec()
            });
            html(StatusCode::NOT_FOUND, body)
        }
        Resolved::BadRequest => (StatusCode::BAD_REQUEST, "bad path").into_response(),
    }
}

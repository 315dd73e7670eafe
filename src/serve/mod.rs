//! `pmsite serve`: the library built in memory (drafts shown, with their banner), served on
//! 127.0.0.1, rebuilt when a file changes, and the open page reloaded by itself. Nothing is
//! written to disk and nothing is deleted. A failed rebuild keeps the last good site up with
//! an overlay listing every problem.
//!
//! A saved post-mortem is parsed alone and the library derived again from the other
//! parses (the related-incident index updated, not rebuilt); the browser is told to reload
//! at once, and pages render as they are asked for. Once edits pause, the pages that gather
//! the whole library render in the background.
//!
//! By part: `watch` names the changes, `preview` owns the caches and makes each snapshot,
//! `snapshot` renders its parts on request, `http` resolves requests and answers them,
//! `guard` checks who asks and for how long.

pub mod guard;
pub mod http;
pub mod preview;
pub mod snapshot;
pub mod watch;

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::{Arc, RwLock};
use std::time::Instant;

use axum::Router;
use axum::routing::get;
use chrono::NaiveDate;
use tokio::sync::broadcast;

use crate::diagnostics::Diagnostic;
use crate::error::{Error, Result};
pub use preview::Preview;
pub use snapshot::{Pages, Snapshot};
use watch::ChangeKind;

#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub root: PathBuf,
    pub bind: IpAddr,
    pub port: u16,
    pub include_restricted: bool,
    pub today: NaiveDate,
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

pub(crate) struct Shared {
    pub(crate) site: RwLock<Option<Arc<Snapshot>>>,
    /// Problems of the last rebuild, shown over every page until a rebuild succeeds.
    pub(crate) problems: RwLock<Vec<Diagnostic>>,
    pub(crate) reload: broadcast::Sender<()>,
}

fn apply(shared: &Shared, result: std::result::Result<Arc<Snapshot>, Vec<Diagnostic>>) {
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
    let first = preview.start();
    let first_site = first.as_ref().ok().map(Arc::clone);
    apply(&shared, first);
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
    // The first build rendered only the home page: the rest warms until the first edit.
    if let Some(site) = first_site {
        let latest = Arc::clone(&latest);
        warmer.spawn(move || site.warm(&|| latest.load(Ordering::SeqCst) != 0));
    }
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
            .route(http::EVENTS_PATH, get(http::events))
            .route(http::RELOAD_SCRIPT_PATH, get(http::reload_js))
            .route(http::OVERLAY_STYLE_PATH, get(http::overlay_css))
            .fallback(get(http::page))
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

//! The preview's HTTP side: pages from memory, never from disk, so no request can reach a
//! file outside the site; HTML gets the live-reload script and, after a failed rebuild, the
//! overlay listing every problem.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use percent_encoding::percent_decode_str;
use tokio_stream::StreamExt;
use tokio_stream::wrappers::BroadcastStream;

use super::{Shared, Snapshot};
use crate::diagnostics::Diagnostic;
use crate::markdown::escape_html;

/// Where the browser listens for "rebuilt, reload".
pub const EVENTS_PATH: &str = "/__pmsite/events";

#[derive(Debug, PartialEq, Eq)]
pub enum Resolved {
    /// The key of a page in the site.
    Page(String),
    /// A directory asked for without its slash: `/incidents` → `/incidents/`.
    Redirect(String),
    NotFound,
    /// `..`, a NUL, a backslash: refused before any lookup.
    BadRequest,
}

/// Resolves a request path against the site's pages. Pure, so every odd path is a table test.
pub fn resolve(path: &str, has: impl Fn(&str) -> bool) -> Resolved {
    let Ok(decoded) = percent_decode_str(path).decode_utf8() else {
        return Resolved::BadRequest;
    };
    if decoded.contains('\0')
        || decoded.contains('\\')
        || decoded.split('/').any(|seg| seg == ".." || seg == ".")
    {
        return Resolved::BadRequest;
    }
    let key = decoded.trim_start_matches('/');
    if key.is_empty() || key.ends_with('/') {
        let index = format!("{key}index.html");
        return if has(&index) {
            Resolved::Page(index)
        } else {
            Resolved::NotFound
        };
    }
    if has(key) {
        return Resolved::Page(key.to_string());
    }
    if has(&format!("{key}/index.html")) {
        return Resolved::Redirect(format!("/{key}/"));
    }
    Resolved::NotFound
}

/// The preview's own files: the reload script and the overlay's style. They are files, not
/// inline, so the theme's Content-Security-Policy (`script-src 'self'; style-src 'self'`)
/// holds in the preview too.
pub const RELOAD_SCRIPT_PATH: &str = "/__pmsite/reload.js";
pub const OVERLAY_STYLE_PATH: &str = "/__pmsite/overlay.css";

/// Reload on a rebuild, keeping the scroll position.
pub fn reload_script() -> String {
    format!(
        r#"(function () {{
  var key = "pmsite-scroll:" + location.pathname;
  var y = sessionStorage.getItem(key);
  if (y !== null) {{ sessionStorage.removeItem(key); window.addEventListener("load", function () {{ window.scrollTo(0, parseInt(y, 10)); }}); }}
  var events = new EventSource("{EVENTS_PATH}");
  events.addEventListener("reload", function () {{
    sessionStorage.setItem(key, String(window.scrollY));
    location.reload();
  }});
}})();
"#
    )
}

pub const OVERLAY_STYLE: &str = "#pmsite-problems{position:fixed;inset:0 0 auto 0;max-height:60vh;overflow:auto;z-index:9999;background:#fff4f4;color:#7a1a14;border-bottom:3px solid #b3261e;padding:12px 20px;font:14px/1.5 ui-monospace,monospace}#pmsite-problems ul{margin:6px 0 0;padding-left:20px}\n";

/// The overlay listing every problem of the last rebuild: where (`file:line:col`), what kind
/// and what to do, from the diagnostics themselves.
/// `built` says the site shown is the latest (its authors' mistakes listed, as `check` will
/// fail on them) rather than the last good one.
pub fn overlay(problems: &[Diagnostic], built: bool) -> String {
    let items: String = problems
        .iter()
        .map(|p| {
            let place = match (p.line, p.column) {
                (0, _) => p.path.to_string_lossy().into_owned(),
                (l, 0) => format!("{}:{l}", p.path.to_string_lossy()),
                (l, c) => format!("{}:{l}:{c}", p.path.to_string_lossy()),
            };
            format!(
                "<li class=\"{level}\"><code>{}</code> <strong>{level}{}</strong>: {}</li>",
                escape_html(&place),
                if p.code.is_empty() {
                    String::new()
                } else {
                    format!("[{}]", escape_html(p.code))
                },
                escape_html(&p.message),
                level = p.level.as_str(),
            )
        })
        .collect();
    let heading = if built {
        "This site is up to date, but <code>pmsite check</code> fails on these. Fix them and save:"
    } else {
        "The last change did not build; this is the last good site. Fix these and save:"
    };
    format!(
        "<link rel=\"stylesheet\" href=\"{OVERLAY_STYLE_PATH}\"><div id=\"pmsite-problems\" role=\"alert\"><strong>{heading}</strong><ul>{items}</ul></div>"
    )
}

/// An HTML page with the reload script (and the overlay, if any) before `</body>`.
pub fn inject(html: &[u8], problems: &[Diagnostic], built: bool) -> Vec<u8> {
    let mut extra = format!("<script src=\"{RELOAD_SCRIPT_PATH}\"></script>");
    if !problems.is_empty() {
        extra.push_str(&overlay(problems, built));
    }
    let text = String::from_utf8_lossy(html);
    match text.rfind("</body>") {
        Some(at) => format!("{}{extra}{}", &text[..at], &text[at..]).into_bytes(),
        None => format!("{text}{extra}").into_bytes(),
    }
}

// ---------------------------------------------------------------------------------------
// Handlers.

pub(super) async fn events(State(shared): State<Arc<Shared>>) -> impl IntoResponse {
    let stream = BroadcastStream::new(shared.reload.subscribe()).map(|_| {
        Ok::<Event, std::convert::Infallible>(Event::default().event("reload").data("reload"))
    });
    Sse::new(stream).keep_alive(KeepAlive::default())
}

pub(super) async fn reload_js() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        reload_script(),
    )
}

pub(super) async fn overlay_css() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        OVERLAY_STYLE,
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

pub(super) async fn page(State(shared): State<Arc<Shared>>, uri: Uri) -> Response {
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

fn respond(site: Option<&Snapshot>, mut problems: Vec<Diagnostic>, path: &str) -> Response {
    let file = |key: &str| site.map_or(Ok(None), |s| s.file(key));
    // A rebuild that failed lists its problems; else the site shown lists its authors'.
    let built = problems.is_empty();
    if built && let Some(site) = site {
        problems = site.loaded.authored_errors.clone();
    }
    let html = |status: StatusCode, body: Vec<u8>, problems: &[Diagnostic]| {
        (
            status,
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/html; charset=utf-8"),
                ),
                (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
            ],
            inject(&body, problems, built),
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
                problems.push(Diagnostic::error(key.as_str(), 0, e).code("render"));
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
    problems: &[Diagnostic],
    html: impl Fn(StatusCode, Vec<u8>, &[Diagnostic]) -> Response,
) -> Response {
    let page = site.and_then(|s| s.file("404.html").ok().flatten());
    let body = page.unwrap_or_else(|| {
        b"<!doctype html><title>Not found</title><body><h1>Not found</h1></body>".to_vec()
    });
    html(StatusCode::NOT_FOUND, body, problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_and_refuses_paths() {
        let pages = [
            "index.html",
            "incidents/index.html",
            "incidents/a/index.html",
            "style.css",
        ];
        let has = |p: &str| pages.contains(&p);
        assert_eq!(resolve("/", has), Resolved::Page("index.html".into()));
        assert_eq!(
            resolve("/incidents/a/", has),
            Resolved::Page("incidents/a/index.html".into())
        );
        assert_eq!(
            resolve("/incidents/a", has),
            Resolved::Redirect("/incidents/a/".into())
        );
        assert_eq!(
            resolve("/style.css", has),
            Resolved::Page("style.css".into())
        );
        assert_eq!(resolve("/nope", has), Resolved::NotFound);
        for bad in [
            "/../pmsite.toml",
            "/%2e%2e/pmsite.toml",
            "/incidents/%2E%2E/%2E%2E/etc/passwd",
            "/a\\..\\b",
            "/%00",
            "/./index.html",
            "/%ff",
        ] {
            assert_eq!(resolve(bad, has), Resolved::BadRequest, "{bad}");
        }
        assert_eq!(
            resolve("//etc/passwd", has),
            Resolved::NotFound,
            "absolute paths are site paths, never files"
        );
    }

    #[test]
    fn injects_before_body_end_and_escapes_problems() {
        let page = inject(
            b"<html><body><p>x</p></body></html>",
            &[Diagnostic::error("content/a.md", 3, "<bad>").code("date")],
            false,
        );
        let page = String::from_utf8(page).unwrap();
        assert!(page.contains("<script src=\"/__pmsite/reload.js\"></script>"));
        assert!(reload_script().contains("EventSource(\"/__pmsite/events\")"));
        assert!(
            !page.contains("style="),
            "no inline style: the CSP forbids it"
        );
        assert!(
            page.contains("<code>content/a.md:3</code> <strong>error[date]</strong>: &lt;bad&gt;"),
            "{page}"
        );
        assert!(page.ends_with("</div></body></html>"));
    }
}

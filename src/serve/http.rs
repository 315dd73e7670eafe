//! The preview's HTTP side: pages from memory, never from disk, so no request can reach a
//! file outside the site; HTML gets the live-reload script and, after a failed rebuild, the
//! overlay listing every problem.

use percent_encoding::percent_decode_str;

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

/// The overlay listing every problem of the last rebuild, as `file:line: message`.
pub fn overlay(problems: &[String]) -> String {
    let items: String = problems
        .iter()
        .map(|p| format!("<li>{}</li>", escape_html(p)))
        .collect();
    format!(
        "<link rel=\"stylesheet\" href=\"{OVERLAY_STYLE_PATH}\"><div id=\"pmsite-problems\" role=\"alert\"><strong>The last change did not build; this is the last good site. Fix these and save:</strong><ul>{items}</ul></div>"
    )
}

/// An HTML page with the reload script (and the overlay, if any) before `</body>`.
pub fn inject(html: &[u8], problems: &[String]) -> Vec<u8> {
    let mut extra = format!("<script src=\"{RELOAD_SCRIPT_PATH}\"></script>");
    if !problems.is_empty() {
        extra.push_str(&overlay(problems));
    }
    let text = String::from_utf8_lossy(html);
    match text.rfind("</body>") {
        Some(at) => format!("{}{extra}{}", &text[..at], &text[at..]).into_bytes(),
        None => format!("{text}{extra}").into_bytes(),
    }
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
            &["content/a.md:3: error: <bad>".into()],
        );
        let page = String::from_utf8(page).unwrap();
        assert!(page.contains("<script src=\"/__pmsite/reload.js\"></script>"));
        assert!(reload_script().contains("EventSource(\"/__pmsite/events\")"));
        assert!(
            !page.contains("style="),
            "no inline style: the CSP forbids it"
        );
        assert!(page.contains("content/a.md:3: error: &lt;bad&gt;"));
        assert!(page.ends_with("</div></body></html>"));
    }
}

//! `pmsite serve`: a real server on 127.0.0.1, requests sent as raw HTTP (so odd paths reach
//! it exactly as written), files edited, added, renamed and deleted under it.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::harness::*;
use crate::webdriver::Browser;

pub struct Server {
    child: Child,
    pub port: u16,
}

impl Server {
    pub fn start(t: &SiteTest) -> Server {
        Server::start_with_env(t, &[])
    }

    /// As `start`, with these environment variables set for `serve`.
    pub fn start_with_env(t: &SiteTest, env: &[(&str, &str)]) -> Server {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(env!("CARGO_BIN_EXE_pmsite"))
            .args([
                "serve",
                "--port",
                &port.to_string(),
                "--today",
                "2026-11-24",
            ])
            .current_dir(t.root())
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let server = Server { child, port };
        // The port accepts connections as soon as it is bound; the site is up when a page answers.
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", port)).is_err() || server.get("/").0 != 200 {
            assert!(Instant::now() < deadline, "serve did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        server
    }

    /// (status, headers, body) of a GET of `path`, sent byte for byte.
    fn get(&self, path: &str) -> (u16, String, String) {
        self.get_with(path, "Host: 127.0.0.1\r\n")
    }

    /// As `get`, with these header lines (each ending in CRLF) in place of the Host line.
    fn get_with(&self, path: &str, headers: &str) -> (u16, String, String) {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        write!(
            stream,
            "GET {path} HTTP/1.1\r\n{headers}Connection: close\r\n\r\n"
        )
        .unwrap();
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).unwrap();
        let text = String::from_utf8_lossy(&raw).into_owned();
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
        let status = head
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        (status, head.to_lowercase(), body.to_string())
    }

    /// Waits until `path` satisfies `ok`, or fails after ten seconds.
    #[track_caller]
    fn wait_for(&self, path: &str, what: &str, ok: impl Fn(u16, &str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let (status, _, body) = self.get(path);
            if ok(status, &body) {
                return body;
            }
            assert!(
                Instant::now() < deadline,
                "{path} never showed {what}; last answer {status}:\n{}",
                &body[..body.len().min(1500)]
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn library() -> SiteTest {
    SiteTest::new()
        .file(
            "content/a.md",
            &toml_pm("A", "First title", "date = 2024-01-01", "\nBody.\n"),
        )
        .file(
            "content/d.md",
            &toml_pm(
                "D",
                "A draft",
                "date = 2024-02-01\nstatus = \"draft\"",
                "\nBody.\n",
            ),
        )
        .file("content/notes.txt", "not a post-mortem")
}

#[test]
fn serves_the_site_from_memory_with_drafts() {
    let t = library();
    let s = Server::start(&t);
    let (status, head, body) = s.get("/");
    assert_eq!(status, 200);
    assert!(
        head.contains("content-type: text/html; charset=utf-8"),
        "{head}"
    );
    assert!(
        body.contains("<script src=\"/__pmsite/reload.js\"></script>"),
        "the reload script is injected, as a file the CSP allows"
    );
    let (status, head, script) = s.get("/__pmsite/reload.js");
    assert_eq!(status, 200);
    assert!(head.contains("text/javascript"), "{head}");
    assert!(script.contains("EventSource(\"/__pmsite/events\")"));
    let (_, _, draft) = s.get("/incidents/d/");
    assert!(
        draft.contains("banner-draft"),
        "drafts are shown with their banner"
    );
    assert!(s.get("/style.css").1.contains("content-type: text/css"));
    assert!(
        s.get("/incidents.json")
            .1
            .contains("content-type: application/json")
    );
    assert!(
        s.get("/patterns/time-to-resolve.svg")
            .1
            .contains("content-type: image/svg+xml")
    );
    let (status, head, _) = s.get("/incidents");
    assert_eq!(status, 301);
    assert!(head.contains("location: /incidents/"), "{head}");
    let (status, _, body) = s.get("/no/such/page");
    assert_eq!(status, 404);
    assert!(body.contains("Not found"), "the site's 404 page");
    assert!(
        !t.public().exists(),
        "serve writes nothing to the output directory"
    );
}

#[test]
fn no_file_outside_the_site_can_be_reached() {
    let t = library();
    let s = Server::start(&t);
    for path in [
        "/../pmsite.toml",
        "/%2e%2e/pmsite.toml",
        "/incidents/%2E%2E/%2E%2E/pmsite.toml",
        "/..%2fpmsite.toml",
        "/content/a.md",
        "//etc/passwd",
        "/%2Fetc%2Fpasswd",
        "/notes.txt",
        "/pmsite.toml",
    ] {
        let (status, _, body) = s.get(path);
        assert!(status == 400 || status == 404, "{path} answered {status}");
        assert!(
            !body.contains("base_url") && !body.contains("root:"),
            "{path} leaked a file"
        );
    }
}

#[test]
fn edits_adds_renames_and_deletes_show_up_and_errors_overlay() {
    let t = library();
    let s = Server::start(&t);
    let t = t.file(
        "content/a.md",
        &toml_pm("A", "Second title", "date = 2024-01-01", "\nBody.\n"),
    );
    s.wait_for("/incidents/a/", "the edited title", |st, b| {
        st == 200 && b.contains("Second title")
    });
    // No id: the URL comes from the file name, so a rename moves the page.
    let t = t.file(
        "content/sub/new.md",
        "+++\ntitle = \"Brand new\"\ndate = 2024-03-01\n+++\n",
    );
    s.wait_for("/incidents/new/", "the added incident", |st, b| {
        st == 200 && b.contains("Brand new")
    });
    std::fs::rename(
        t.root().join("content/sub/new.md"),
        t.root().join("content/renamed.md"),
    )
    .unwrap();
    s.wait_for("/incidents/renamed/", "the renamed incident", |st, _| {
        st == 200
    });
    s.wait_for("/incidents/new/", "the old name gone", |st, _| st == 404);
    std::fs::remove_file(t.root().join("content/renamed.md")).unwrap();
    s.wait_for(
        "/incidents/renamed/",
        "the deleted incident gone",
        |st, _| st == 404,
    );

    // An author's mistake shows the new page with an overlay of what `check` will refuse.
    let t = t.file(
        "content/a.md",
        "+++\ntitle = \"Broken date\"\ndate = \"never\"\n+++\n",
    );
    let page = s.wait_for("/incidents/a/", "the overlay", |st, b| {
        st == 200 && b.contains("id=\"pmsite-problems\"") && b.contains("Broken date")
    });
    assert!(
        page.contains(
            "<li class=\"error\"><code>content/a.md:3</code> <strong>error[date]</strong>: `date` is not a date"
        ) && page.contains("up to date, but <code>pmsite check</code> fails"),
        "{page}"
    );
    // What makes the site wrong (two pages at one URL) keeps the last good site up.
    let t = t.file(
        "content/z.md",
        &toml_pm("A", "Same id", "date = 2024-01-01", "\nBody.\n"),
    );
    let page = s.wait_for("/incidents/a/", "the overlay", |st, b| {
        st == 200 && b.contains("error[duplicate-id]")
    });
    assert!(page.contains("this is the last good site"), "{page}");
    assert!(page.contains("Broken date"), "the last good page stays");
    std::fs::remove_file(t.root().join("content/z.md")).unwrap();
    let _t = t.file(
        "content/a.md",
        &toml_pm("A", "Fixed title", "date = 2024-01-01", ""),
    );
    let page = s.wait_for("/incidents/a/", "the fix", |st, b| {
        st == 200 && b.contains("Fixed title")
    });
    assert!(
        !page.contains("pmsite-problems"),
        "the overlay clears when the file is fixed"
    );
}

#[test]
fn the_browser_is_told_to_reload_after_a_change() {
    let t = library();
    let s = Server::start(&t);
    let mut stream = TcpStream::connect(("127.0.0.1", s.port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "GET /__pmsite/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n"
    )
    .unwrap();
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    assert!(line.contains("200"), "{line}");
    // Give the server a moment to subscribe, then change a template.
    std::thread::sleep(Duration::from_millis(300));
    let _t = t.file("templates/404.html", "custom 404");
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut seen = String::new();
    while !seen.contains("event: reload") {
        assert!(Instant::now() < deadline, "no reload event; got {seen:?}");
        let mut l = String::new();
        if reader.read_line(&mut l).unwrap_or(0) == 0 {
            break;
        }
        seen.push_str(&l);
    }
    assert!(seen.contains("event: reload"), "{seen:?}");
}

/// The preview after a scripted series of edits equals a fresh full build, byte for byte:
/// what the parse cache, the related index and the page memo keep never goes stale. Each
/// rebuild is told the paths that changed, as the watcher tells it.
/// The preview's files equal what `pmsite build --drafts` writes with the same base URL, but
/// for the build's marker file and the moment each says it was generated. (The preview adds
/// its reload script when it serves a page, not in the page itself.)
fn same_as_build(
    root: &std::path::Path,
    base: &str,
    generated: &str,
    preview: &pmsite::serve::Pages,
    label: &str,
) {
    let out = tempfile::tempdir().unwrap();
    let output = out.path().join("public");
    pmsite::build::build(&pmsite::build::BuildOptions {
        root: root.to_path_buf(),
        output: output.clone(),
        drafts: true,
        include_restricted: false,
        base_url: Some(base.to_string()),
        today: chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap(),
        cache: true,
    })
    .unwrap_or_else(|e| panic!("{label}: build failed: {e}"));
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(output.join("incidents.json")).unwrap()).unwrap();
    let built_at = json["generated"].as_str().unwrap().to_string();
    let mut built = std::collections::BTreeMap::new();
    let mut stack = vec![output.clone()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            let rel = p
                .strip_prefix(&output)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            if rel == pmsite::output::MARKER {
                continue;
            }
            let bytes = std::fs::read(&p).unwrap();
            let human = |t: &str| {
                chrono::DateTime::parse_from_rfc3339(t)
                    .map(|t| t.format("%-d %B %Y, %H:%M UTC").to_string())
                    .unwrap_or_default()
            };
            let text = String::from_utf8_lossy(&bytes)
                .replace(&built_at, generated)
                .replace(&human(&built_at), &human(generated));
            built.insert(rel, text.into_bytes());
        }
    }
    let served: std::collections::BTreeSet<&String> = preview.keys().collect();
    let written: std::collections::BTreeSet<&String> = built.keys().collect();
    assert_eq!(
        served, written,
        "{label}: the preview and build have other files"
    );
    for (path, bytes) in &built {
        assert!(
            preview.get(path) == Some(bytes),
            "{label}: {path} differs from pmsite build --drafts"
        );
    }
}

#[test]
fn preview_after_edits_equals_a_fresh_build() {
    use pmsite::serve::Preview;
    use pmsite::serve::watch::ChangeKind::{self, Config, Incident, Theme};
    use std::path::PathBuf;
    let t = library().file(
        "content/b.md",
        &toml_pm(
            "B",
            "Second",
            "date = 2024-03-01\nseverity = \"SEV2\"\ncomponents = [\"x\"]",
            "\nSee [[A]].\n",
        ),
    );
    let opts = serve_options(&t);
    let base = "http://127.0.0.1:1".to_string();
    let generated = "2026-11-24T00:00:00Z".to_string();
    let root = std::fs::canonicalize(t.root()).unwrap();
    let t_root = root.clone();
    let mut preview = Preview::new(opts.clone(), base.clone(), generated.clone());
    let fresh = |label: &str| {
        Preview::new(opts.clone(), base.clone(), generated.clone())
            .rebuild(None)
            .unwrap_or_else(|e| panic!("{label}: fresh build failed: {e:?}"))
            .pages()
            .unwrap()
    };
    let check = |preview: &mut Preview, label: &str, changed: &[(ChangeKind, &str)]| {
        let changed: Vec<(ChangeKind, PathBuf)> =
            changed.iter().map(|(k, p)| (*k, root.join(p))).collect();
        let incremental = preview
            .rebuild(Some(&changed))
            .unwrap_or_else(|e| panic!("{label}: {e:?}"))
            .pages()
            .unwrap();
        let full = fresh(label);
        let mut keys: Vec<&String> = full.keys().collect();
        keys.sort();
        assert_eq!(incremental.len(), full.len(), "{label}: page count");
        for k in keys {
            assert!(
                incremental.get(k) == full.get(k),
                "{label}: {k} differs from a fresh build"
            );
        }
        same_as_build(&t_root, &base, &generated, &incremental, label);
    };
    preview.rebuild(None).unwrap();
    assert_eq!(
        preview.pages_rendered(),
        3,
        "every page (A, B and the draft D) renders once"
    );
    let t = t.file(
        "content/b.md",
        &toml_pm(
            "B",
            "Second, retitled",
            "date = 2024-03-01\nseverity = \"SEV2\"\ncomponents = [\"x\"]",
            "\nSee [[A]].\n",
        ),
    );
    check(
        &mut preview,
        "edit: B's title, which A shows as a backlink",
        &[(Incident, "content/b.md")],
    );
    assert_eq!(preview.files_parsed(), 1, "only the file named is read");
    assert_eq!(
        preview.pages_rendered(),
        2,
        "B's page and A's (its backlink) render again"
    );
    let t = t.file("content/notes.txt", "still not a post-mortem");
    check(
        &mut preview,
        "nothing an incident page shows changed",
        &[(Incident, "content/notes.txt")],
    );
    assert_eq!(
        preview.pages_rendered(),
        0,
        "no incident page renders again"
    );
    let t = t.file(
        "content/a.md",
        &toml_pm(
            "A",
            "First, edited",
            "date = 2024-01-01\ncomponents = [\"x\"]",
            "\nBody.\n",
        ),
    );
    check(
        &mut preview,
        "edit: title and a new component",
        &[(Incident, "content/a.md")],
    );
    let t = t.file(
        "content/c.md",
        &toml_pm(
            "C",
            "Third",
            "date = 2024-04-01\nroot_causes = [\"config-change\"]",
            "\nRaw <b>html</b> here.\n",
        ),
    );
    check(&mut preview, "add", &[(Incident, "content/c.md")]);
    std::fs::create_dir(t.root().join("content/2024")).unwrap();
    std::fs::rename(
        t.root().join("content/c.md"),
        t.root().join("content/2024/c-renamed.md"),
    )
    .unwrap();
    check(
        &mut preview,
        "rename into a new folder",
        &[(Incident, "content/c.md"), (Incident, "content/2024")],
    );
    std::fs::remove_file(t.root().join("content/b.md")).unwrap();
    check(
        &mut preview,
        "delete (the backlink and related lists change)",
        &[(Incident, "content/b.md")],
    );
    let t = t.file("templates/404.html", "custom {{ site.title }}");
    check(&mut preview, "template", &[(Theme, "templates/404.html")]);
    assert_eq!(
        preview.files_parsed(),
        0,
        "a template change parses nothing"
    );
    let t = t.file(
        "pmsite.toml",
        &CONFIG.replace("Test library", "Renamed library"),
    );
    check(
        &mut preview,
        "config: a new title",
        &[(Config, "pmsite.toml")],
    );
    assert_eq!(
        preview.files_parsed(),
        0,
        "the title does not shape parsing"
    );
    // A config change alone re-parses what it shapes: c-renamed.md is unchanged, but raw
    // HTML in it is now let through.
    let t = t.file(
        "pmsite.toml",
        &format!("{CONFIG}\n[markdown]\nallow_html = true\n"),
    );
    check(
        &mut preview,
        "config: raw HTML allowed",
        &[(Config, "pmsite.toml")],
    );
    assert_eq!(
        preview.files_parsed(),
        3,
        "raw HTML shapes parsing: every file again"
    );
    let t = t.file(
        "content/a.md",
        "+++\ntitle = \"Broken\"\ndate = \"never\"\n+++\n",
    );
    check(
        &mut preview,
        "an author's mistake builds as build builds it",
        &[(Incident, "content/a.md")],
    );
    let t = t.file("content/a2.md", &toml_pm("A", "Same id", "", ""));
    assert!(
        preview
            .rebuild(Some(&[(Incident, root.join("content/a2.md"))]))
            .is_err(),
        "two pages at one URL fail the rebuild"
    );
    std::fs::remove_file(root.join("content/a2.md")).unwrap();
    preview
        .rebuild(Some(&[(Incident, root.join("content/a2.md"))]))
        .unwrap();
    let t = t.file(
        "content/a.md",
        &toml_pm("A", "Mended", "date = 2024-01-01", ""),
    );
    check(
        &mut preview,
        "fixed after an error",
        &[(Incident, "content/a.md")],
    );
    // An edit no event names is not read by a batch that names other paths (here none);
    // a rebuild told nothing compares every file and finds it.
    let _t = t.file(
        "content/d.md",
        &toml_pm("D", "A draft, edited unseen", "date = 2024-02-01", ""),
    );
    preview.rebuild(Some(&[])).unwrap();
    assert_eq!(
        preview.files_parsed(),
        0,
        "an empty batch reads nothing new"
    );
    let everything = preview.rebuild(None).unwrap().pages().unwrap();
    assert!(
        everything
            .get("incidents/d/index.html")
            .is_some_and(|p| String::from_utf8_lossy(p).contains("edited unseen")),
        "a rebuild told nothing compares every file"
    );
}

#[test]
#[ignore = "needs Chromium and chromedriver; .ci/run installs them and runs ignored tests"]
fn an_open_page_reloads_by_itself_after_an_edit() {
    // A page long enough to scroll.
    let long_body: String = (0..200)
        .map(|i| format!("\nParagraph {i} of a long analysis.\n"))
        .collect();
    let t = library().file(
        "content/a.md",
        &toml_pm("A", "First title", "date = 2024-01-01", &long_body),
    );
    let s = Server::start(&t);
    let browser = Browser::start();
    browser.goto(&format!("http://127.0.0.1:{}/incidents/a/", s.port));
    assert_eq!(
        browser.run("return document.querySelector('h1').textContent"),
        "First title"
    );
    // A mark on this page's window: a reload clears it.
    browser.run("window.pmsiteMark = 1; window.scrollTo(0, 600); return true");
    assert_eq!(browser.run("return window.scrollY"), 600);
    std::thread::sleep(Duration::from_millis(500));
    let _t = t.file(
        "content/a.md",
        &toml_pm("A", "Reloaded title", "date = 2024-01-01", &long_body),
    );
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let state = browser.run("return [window.pmsiteMark === undefined, (document.querySelector('h1') || {}).textContent || '']");
        if state[0] == true && state[1] == "Reloaded title" {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the page did not reload by itself: {state}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    // The reloaded page is back where the reader was (Chromium restores it on a reload
    // itself; the injected script does it for browsers that do not).
    browser.wait(
        "the scroll position was restored",
        "document.readyState === 'complete' && window.scrollY === 600",
    );
}

/// A page whose template fails only for what a post-mortem now says: the site is not
/// rendered whole after a content edit, so the failure shows when the page is asked for,
/// as a 500 with the overlay naming it, and the rest of the site stays up.
#[test]
fn a_page_that_fails_to_render_after_an_edit_says_why() {
    let t = library().file(
        "templates/incident.html",
        "{% extends \"base.html\" %}{% block content %}<h1>{{ incident.title }}</h1>\
         {% if incident.title == \"Boom\" %}{{ no_such_value }}{% endif %}{% endblock %}",
    );
    let s = Server::start(&t);
    let _t = t.file(
        "content/a.md",
        &toml_pm("A", "Boom", "date = 2024-01-01", "\nBody.\n"),
    );
    let page = s.wait_for("/incidents/a/", "the failure", |st, _| st == 500);
    assert!(page.contains("id=\"pmsite-problems\""), "{page}");
    assert!(
        page.contains("<code>incidents/a/index.html</code> <strong>error[render]</strong>")
            && page.contains("no_such_value"),
        "{page}"
    );
    let (status, _, other) = s.get("/incidents/d/");
    assert_eq!(status, 200, "other pages render: {other}");
}

/// Every file the output plan writes is found again from its path alone, in the part that
/// wrote it: the preview renders a part when one of its files is asked for.
#[test]
fn every_file_routes_to_the_part_that_writes_it() {
    use pmsite::render::{RowCache, theme::Theme};
    use std::sync::Mutex;
    struct Paths(Mutex<Vec<String>>);
    impl pmsite::output::Sink for Paths {
        fn write(&self, path: &str, _: &[u8]) -> pmsite::Result<()> {
            self.0.lock().unwrap().push(path.to_string());
            Ok(())
        }
    }
    let t = library().file(
        "content/b.md",
        &toml_pm(
            "B",
            "Second",
            "date = 2024-03-01\nseverity = \"SEV2\"\ncomponents = [\"x\"]\ntags = [\"t\"]\n\
                 root_causes = [\"config-change\"]",
            "\n## Action items\n\n- [ ] Fix it (owner: ops)\n",
        ),
    );
    let loaded = load_with_drafts(&t);
    let theme = Theme::load(t.root(), &loaded.config.theme).unwrap();
    let rows = RowCache::default();
    let site = site_of(&loaded, &theme, &rows);
    let mut seen = std::collections::HashSet::new();
    for part in site.parts() {
        let sink = Paths(Mutex::new(Vec::new()));
        site.write_part(part, &sink).unwrap();
        let paths = sink.0.into_inner().unwrap();
        assert!(!paths.is_empty(), "{part:?} writes nothing");
        for path in paths {
            assert_eq!(site.part_of(&path), Some(part), "{path}");
            assert!(seen.insert(path.clone()), "{path} written twice");
        }
    }
    for kind in [
        "incidents/b/index.html",
        "components/x/atom.xml",
        "search/meta.json",
    ] {
        assert!(seen.contains(kind), "{kind} missing from {seen:?}");
    }
    for stranger in ["nope.html", "incidents/zz/index.html", "components", "../x"] {
        assert_eq!(site.part_of(stranger), None, "{stranger}");
    }
}

/// After a saved post-mortem nothing renders until asked for: the reload is not held up by
/// pages nobody is looking at.
#[test]
fn after_an_edit_pages_render_when_asked_for() {
    use pmsite::serve::Preview;
    use pmsite::serve::watch::ChangeKind::Incident;
    let t = library();
    let opts = serve_options(&t);
    let mut preview = Preview::new(opts, "http://127.0.0.1:1".into(), "now".into());
    preview.rebuild(None).unwrap();
    let root = std::fs::canonicalize(t.root()).unwrap();
    let _t = t.file(
        "content/a.md",
        &toml_pm("A", "Edited", "date = 2024-01-01", "\nBody.\n"),
    );
    let site = preview
        .rebuild(Some(&[(Incident, root.join("content/a.md"))]))
        .unwrap();
    assert_eq!(
        site.parts_rendered(),
        0,
        "nothing renders before it is asked for"
    );
    let page = site.file("incidents/a/index.html").unwrap().unwrap();
    assert!(String::from_utf8_lossy(&page).contains("Edited"));
    assert_eq!(
        site.parts_rendered(),
        0,
        "no list renders for an incident page"
    );
    assert_eq!(preview.pages_rendered(), 1, "the page asked for, alone");
    assert!(site.file("search/meta.json").unwrap().is_some());
    assert_eq!(site.parts_rendered(), 1, "then the search index, alone");
    assert_eq!(site.file("incidents/zz/index.html").unwrap(), None);
    site.warm(&|| false);
    assert!(
        site.parts_rendered() > 5,
        "warming renders the gathering pages"
    );
    assert_eq!(preview.pages_rendered(), 1, "but no other incident page");
}

/// With enough post-mortems that related lists are chosen, not just everyone: edits to the
/// text and the terms compare only some lists again, and still give a fresh build's pages.
#[test]
fn related_lists_after_edits_equal_a_fresh_build() {
    use pmsite::serve::Preview;
    use pmsite::serve::watch::ChangeKind::Incident;
    // Made-up words, each in a few post-mortems: rare enough to make text similar.
    let word = |k: usize| {
        let letter = |x: usize| char::from(b'a' + (x % 26) as u8);
        format!("zq{}{}", letter(k / 26), letter(k))
    };
    let incident = |n: usize, extra: &str| {
        let words: Vec<String> = (0..5).map(|j| word((n * 7 + j * 13) % 60)).collect();
        toml_pm(
            &format!("INC-{n}"),
            &format!("Incident {n}"),
            &format!(
                "date = 2024-01-{:02}\ncomponents = [\"c{}\"]\ntags = [\"t{}\"]",
                n % 28 + 1,
                n % 5,
                n % 3
            ),
            &format!("\n## Analysis\n\nThe {} {extra}.\n", words.join(" ")),
        )
    };
    let mut t = SiteTest::new();
    for n in 0..40 {
        t = t.file(&format!("content/{n}.md"), &incident(n, ""));
    }
    let opts = serve_options(&t);
    let root = std::fs::canonicalize(t.root()).unwrap();
    let new = || Preview::new(opts.clone(), "http://127.0.0.1:1".into(), "now".into());
    let mut preview = new();
    preview.rebuild(None).unwrap();
    let edits = [
        (3, incident(3, &format!("{0} {0} {1}", word(5), word(44)))),
        (17, incident(17, "").replace("\"c2\"", "\"c4\", \"c0\"")),
        (25, incident(25, &format!("{0} {1} {1}", word(8), word(31)))),
        (3, incident(3, "")),
    ];
    for (n, text) in edits {
        let path = format!("content/{n}.md");
        t = t.file(&path, &text);
        let pages = preview
            .rebuild(Some(&[(Incident, root.join(&path))]))
            .unwrap()
            .pages()
            .unwrap();
        assert!(
            preview.related_compared() < 40,
            "an edit to {n} compared every list again"
        );
        let fresh = new().rebuild(None).unwrap().pages().unwrap();
        assert!(
            fresh
                .values()
                .any(|p| String::from_utf8_lossy(p).contains("similar text: zq")),
            "text similarity plays a part"
        );
        assert_eq!(pages.len(), fresh.len());
        for (path, bytes) in &fresh {
            assert!(
                pages.get(path) == Some(bytes),
                "after editing {n}: {path} differs"
            );
        }
    }
}

/// DNS rebinding: a page on another site whose name resolves to 127.0.0.1 sends its own name
/// as Host. The preview answers only its own names, and its event stream only its pages.
#[test]
fn a_request_for_another_host_is_refused() {
    let t = library();
    let s = Server::start(&t);
    let port = s.port;
    let (status, _, body) = s.get_with(
        "/incidents/d/",
        &format!("Host: rebind.example.com:{port}\r\n"),
    );
    assert_eq!(status, 421, "{body}");
    assert!(!body.contains("A draft"), "nothing of the site: {body}");
    let (status, _, _) = s.get_with("/", "");
    assert_eq!(status, 421, "no Host at all");
    let (status, _, _) = s.get_with(
        "/",
        &format!("Host: 127.0.0.1:{}\r\n", port.wrapping_add(1)),
    );
    assert_eq!(status, 421, "another port");
    for ok in [
        format!("localhost:{port}"),
        format!("127.0.0.1:{port}"),
        "127.0.0.1".into(),
    ] {
        let (status, _, body) = s.get_with("/incidents/d/", &format!("Host: {ok}\r\n"));
        assert_eq!(status, 200, "{ok}: {body}");
    }
    let (status, _, _) = s.get_with(
        "/__pmsite/events",
        &format!("Host: 127.0.0.1:{port}\r\nOrigin: http://rebind.example.com:{port}\r\n"),
    );
    assert_eq!(status, 403, "another site's page may not read the events");
    let (status, _, _) = s.get_with(
        "/__pmsite/events",
        &format!("Host: 127.0.0.1:{port}\r\nSec-Fetch-Site: cross-site\r\n"),
    );
    assert_eq!(status, 403);
}

/// Connections that send nothing are closed after the header read timeout, and more idle
/// connections than the preview serves at once do not stop it answering.
#[test]
fn idle_connections_are_closed_and_never_stop_the_preview() {
    let t = library();
    let s = Server::start(&t);
    let started = Instant::now();
    let idle: Vec<TcpStream> = (0..pmsite::serve::guard::MAX_CONNECTIONS + 100)
        .map(|_| TcpStream::connect(("127.0.0.1", s.port)).unwrap())
        .collect();
    // Every slot is held by an idle socket: this request waits for the timeout, then is served.
    let (status, _, _) = s.get("/");
    assert_eq!(status, 200);
    let waited = started.elapsed();
    assert!(
        waited < pmsite::serve::guard::HEADER_READ_TIMEOUT + Duration::from_secs(15),
        "{waited:?}"
    );
    let mut first = &idle[0];
    first
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let mut buf = [0u8; 64];
    let n = first.read(&mut buf).unwrap_or(0);
    assert!(
        n == 0 || String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 408"),
        "the idle connection is closed: {:?}",
        String::from_utf8_lossy(&buf[..n])
    );
}

/// A panic while rendering answers 500 with the overlay; the preview, its warming thread and
/// every other page go on.
#[test]
fn a_panic_while_rendering_answers_500_and_the_preview_goes_on() {
    let t = library();
    let s = Server::start_with_env(&t, &[("PMSITE_TEST_PANIC_ID", "PANIC")]);
    let _t = t.file(
        "content/p.md",
        &toml_pm("PANIC", "Panics", "date = 2024-03-01", "\nBody.\n"),
    );
    let page = s.wait_for("/incidents/panic/", "the failure", |st, _| st == 500);
    assert!(page.contains("id=\"pmsite-problems\""), "{page}");
    assert!(page.contains("fault injected for PANIC"), "{page}");
    // Warming renders the feeds, which panic too: the preview must survive it.
    std::thread::sleep(Duration::from_millis(1500));
    let (status, _, feed) = s.get("/rss.xml");
    assert_eq!(status, 500, "{feed}");
    let (status, _, other) = s.get("/incidents/d/");
    assert_eq!(status, 200, "other pages render: {other}");
    let (status, _, _) = s.get("/");
    assert_eq!(status, 200);
}

#[test]
fn a_preview_after_a_build_reads_the_parses_the_build_kept_and_writes_nothing() {
    use pmsite::serve::Preview;
    let t = library().build();
    let opts = serve_options(&t);
    let cache = t.root().join(".pmsite/cache/parses");
    let kept = std::fs::read_dir(&cache).unwrap().count();
    assert!(kept > 0);
    let mut preview = Preview::new(opts.clone(), "http://127.0.0.1:1".into(), "now".into());
    preview.rebuild(None).unwrap();
    assert_eq!(
        preview.files_parsed(),
        0,
        "every parse came from the build's cache"
    );
    assert_eq!(std::fs::read_dir(&cache).unwrap().count(), kept);

    // Without a cache the preview parses, and makes none.
    std::fs::remove_dir_all(t.root().join(".pmsite")).unwrap();
    let mut preview = Preview::new(opts, "http://127.0.0.1:1".into(), "now".into());
    preview.rebuild(None).unwrap();
    assert!(preview.files_parsed() > 0);
    assert!(
        !t.root().join(".pmsite").exists(),
        "the preview wrote to disk"
    );
}

#[test]
fn the_first_build_renders_the_home_page_and_leaves_the_rest_for_when_it_is_asked_for() {
    use pmsite::serve::Preview;
    let t = library().file(
        "templates/incident.html",
        "{% extends \"base.html\" %}{% block content %}{{ no_such_value }}{% endblock %}",
    );
    let opts = serve_options(&t);
    let mut preview = Preview::new(opts.clone(), "http://127.0.0.1:1".into(), "now".into());
    let site = preview.start().expect("the home page renders");
    assert_eq!(site.parts_rendered(), 1, "only the home page's part");
    assert_eq!(preview.pages_rendered(), 0);
    assert!(site.file("index.html").unwrap().is_some());
    // The broken incident template is found when its page is asked for.
    let err = site.file("incidents/a/index.html").unwrap_err();
    assert!(err.contains("no_such_value"), "{err}");

    // A broken base template fails the first build at once.
    let _t = t.file("templates/base.html", "{{ no_such_value }}");
    let mut preview = Preview::new(opts, "http://127.0.0.1:1".into(), "now".into());
    let problems = preview.start().err().expect("the home page cannot render");
    assert!(
        problems.iter().any(|d| d.message.contains("no_such_value")),
        "{problems:?}"
    );
}

/// The preview's options for a test library: loopback, any port, its day.
fn serve_options(t: &SiteTest) -> pmsite::serve::ServeOptions {
    pmsite::serve::ServeOptions {
        root: t.root().to_path_buf(),
        bind: "127.0.0.1".parse().unwrap(),
        port: 0,
        include_restricted: false,
        today: t.today,
    }
}

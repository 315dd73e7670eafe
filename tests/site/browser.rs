//! Tests in a real browser: headless Chromium (Debian's `chromium`) loads pages from a small
//! HTTP server on 127.0.0.1 and dumps the DOM after the page's scripts ran. Ignored in a
//! plain `cargo test`; `.ci/run` installs Chromium and runs them, and a missing browser fails.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::harness::*;
use crate::webdriver::serve_dir;

fn chromium() -> PathBuf {
    for candidate in [
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
        "/usr/bin/google-chrome",
    ] {
        if Path::new(candidate).exists() {
            return candidate.into();
        }
    }
    panic!(
        "Chromium is not installed: `apt-get install chromium` (the browser tests must not be skipped)"
    );
}

/// The DOM of `url` after its scripts ran.
fn dump_dom(url: &str) -> String {
    let profile = tempfile::tempdir().unwrap();
    let out = Command::new(chromium())
        .args(crate::webdriver::CHROMIUM_FLAGS)
        .arg("--virtual-time-budget=5000")
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--dump-dom")
        .arg(url)
        .output()
        .expect("run chromium");
    assert!(
        out.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The `<tr>` of the incident list whose link is `href`.
fn row<'a>(dom: &'a str, href: &str) -> &'a str {
    let at = dom
        .find(&format!("<a href=\"{href}\">"))
        .unwrap_or_else(|| panic!("no row for {href}"));
    let start = dom[..at].rfind("<tr").unwrap();
    &dom[start..at]
}

#[test]
#[ignore = "needs Chromium; .ci/run installs it and runs ignored tests"]
fn incident_list_filters_in_place_from_the_url() {
    let lib = |id: &str, sev: &str, rc: &str, year: &str| {
        toml_pm(
            id,
            id,
            &format!("date = {year}-05-01\nseverity = \"{sev}\"\nroot_causes = [\"{rc}\"]"),
            "",
        )
    };
    let t = SiteTest::new()
        .file("content/a.md", &lib("A", "SEV1", "config-change", "2024"))
        .file("content/b.md", &lib("B", "SEV2", "config-change", "2023"))
        .file("content/c.md", &lib("C", "SEV1", "capacity", "2024"))
        .build();
    let base = serve_dir(t.public(), "", false);

    // Without a query every row shows, and the script reveals the filter form.
    let dom = dump_dom(&format!("{base}/incidents/"));
    assert!(
        dom.contains(
            "<form class=\"filters\" data-table=\"incident-table\" data-count=\"incident-count\">"
        ),
        "form revealed"
    );
    assert!(!row(&dom, "/incidents/a/").contains("hidden"));

    // Facets in the URL filter rows in place and update the count.
    let dom = dump_dom(&format!("{base}/incidents/?root-cause=config-change"));
    assert!(!row(&dom, "/incidents/a/").contains("hidden"), "A matches");
    assert!(!row(&dom, "/incidents/b/").contains("hidden"), "B matches");
    assert!(
        row(&dom, "/incidents/c/").contains("hidden"),
        "C is filtered out"
    );
    assert!(
        dom.contains("<span id=\"incident-count\">2</span>"),
        "count follows the filter"
    );

    let dom = dump_dom(&format!(
        "{base}/incidents/?root-cause=config-change&year=2024&severity=SEV1"
    ));
    assert!(!row(&dom, "/incidents/a/").contains("hidden"));
    assert!(row(&dom, "/incidents/b/").contains("hidden"));
    assert!(dom.contains("<span id=\"incident-count\">1</span>"));
    assert!(
        dom.contains("<option selected=\"\">SEV1</option>") || dom.contains("SEV1"),
        "severity chosen"
    );
}

#[test]
#[ignore = "needs Chromium; .ci/run installs it and runs ignored tests"]
fn sortable_tables_get_sort_buttons() {
    let t = SiteTest::new()
        .file(
            "content/a.md",
            &toml_pm("A", "A", "components = [\"x\"]", ""),
        )
        .build();
    let base = serve_dir(t.public(), "", false);
    let dom = dump_dom(&format!("{base}/components/"));
    assert!(
        dom.contains(
            "<th scope=\"col\"><button type=\"button\" class=\"sort\">Component</button></th>"
        ),
        "{}",
        &dom[dom.find("<table").unwrap()..][..400]
    );
}

/// A wiki page on another origin (another port) that includes the site's embed.js.
fn wiki_page(site: &str, attributes: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let html = format!(
        "<!doctype html><html><body><h1>Checkout runbook</h1><script src=\"{site}/embed.js\" {attributes}></script><p id=\"after\">end</p></body></html>"
    );
    std::fs::write(dir.path().join("index.html"), html).unwrap();
    let url = serve_dir(dir.path().to_path_buf(), "", false);
    (dir, url)
}

fn embed_library() -> SiteTest {
    let pm = |id: &str, date: &str, sev: &str, comps: &str, title: &str| {
        format!(
            "+++\ntitle = {}\nid = \"{id}\"\ndate = {date}\nseverity = \"{sev}\"\ncomponents = [{comps}]\ntags = [\"deploy\"]\n+++\n",
            toml::Value::String(title.into())
        )
    };
    SiteTest::new()
        .file(
            "content/a.md",
            &pm(
                "A",
                "2024-01-01",
                "SEV1",
                "\"checkout-api\"",
                "Oldest checkout outage",
            ),
        )
        .file(
            "content/b.md",
            &pm(
                "B",
                "2024-02-01",
                "SEV2",
                "\"checkout-api\"",
                "Checkout <script>alert(1)</script> slow",
            ),
        )
        .file(
            "content/c.md",
            &pm(
                "C",
                "2024-03-01",
                "SEV2",
                "\"checkout-api\"",
                "Newest checkout outage",
            ),
        )
        .file(
            "content/d.md",
            &pm("D", "2024-04-01", "SEV3", "\"search\"", "Search outage"),
        )
        .build()
}

#[test]
#[ignore = "needs Chromium; .ci/run installs it and runs ignored tests"]
fn embed_js_lists_filtered_incidents_on_another_origin() {
    let t = embed_library();
    let site = serve_dir(t.public(), "", true);
    let (_wiki, wiki) = wiki_page(&site, "data-component=\"checkout-api\" data-limit=\"2\"");
    assert_ne!(site, wiki, "two origins");
    let dom = dump_dom(&format!("{wiki}/"));
    let items: Vec<&str> = dom
        .match_indices("<li class=\"pmsite-embed-item\">")
        .map(|(i, _)| &dom[i..i + dom[i..].find("</li>").unwrap()])
        .collect();
    assert_eq!(items.len(), 2, "limit 2, newest first: {dom}");
    assert!(
        items[0].contains(&format!(
            "<a href=\"{}/incidents/c/\">Newest checkout outage</a>",
            "https://incidents.example.com"
        )),
        "{}",
        items[0]
    );
    assert!(items[0].contains("[SEV2]"), "{}", items[0]);
    // Text from the data is text, never markup.
    assert!(
        items[1].contains("Checkout &lt;script&gt;alert(1)&lt;/script&gt; slow"),
        "{}",
        items[1]
    );
    assert!(
        dom.find("pmsite-embed").unwrap() < dom.find("id=\"after\"").unwrap(),
        "the list stands where the script is"
    );

    let (_wiki, wiki) = wiki_page(&site, "data-severity=\"sev3\"");
    let dom = dump_dom(&format!("{wiki}/"));
    assert!(
        dom.contains(">Search outage</a>") && !dom.contains(">Newest checkout outage</a>"),
        "{dom}"
    );

    // The search box reads the whole library: incidents.json and its pages.
    let (_wiki, wiki) = wiki_page(&site, "data-search data-tag=\"deploy\" data-limit=\"9\"");
    let dom = dump_dom(&format!("{wiki}/"));
    assert!(
        dom.contains("<input type=\"search\" placeholder=\"Search incidents\""),
        "{dom}"
    );
    assert_eq!(
        dom.matches("<li class=\"pmsite-embed-item\">").count(),
        4,
        "{dom}"
    );
}

/// A filtered embed reads its term's small `latest.json`, never the whole library: it works
/// with `incidents.json` gone; a name whose file it cannot find falls back to the library.
#[test]
#[ignore = "needs Chromium; .ci/run installs it and runs ignored tests"]
fn embed_js_reads_the_terms_latest_json() {
    let t = embed_library();
    std::fs::remove_file(t.public().join("incidents.json")).unwrap();
    let site = serve_dir(t.public(), "", true);
    for filter in ["data-component=\"Checkout-API\"", "data-tag=\"deploy\"", ""] {
        let (_wiki, wiki) = wiki_page(&site, &format!("{filter} data-limit=\"2\""));
        let dom = dump_dom(&format!("{wiki}/"));
        assert_eq!(
            dom.matches("<li class=\"pmsite-embed-item\">").count(),
            2,
            "{filter}: {dom}"
        );
    }
    let (_wiki, wiki) = wiki_page(&site, "data-component=\"no such component\"");
    let dom = dump_dom(&format!("{wiki}/"));
    assert!(
        dom.contains("pmsite-embed-error"),
        "no file: it tried the library, which is gone: {dom}"
    );
}

#[test]
#[ignore = "needs Chromium; .ci/run installs it and runs ignored tests"]
fn embed_js_says_so_when_cors_is_missing() {
    let t = embed_library();
    let site = serve_dir(t.public(), "", false);
    let (_wiki, wiki) = wiki_page(&site, "data-limit=\"3\"");
    let dom = dump_dom(&format!("{wiki}/"));
    assert!(
        dom.contains("class=\"pmsite-embed-error\">Incidents could not be loaded from"),
        "{dom}"
    );
}

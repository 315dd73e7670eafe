//! A hostile library: every place a contributor can put a URL gets one that would run script,
//! and the built site is read back with real parsers (html5ever through `scraper`, roxmltree
//! for the feeds, serde_json) to prove none of them reaches an `href` or `src`.

use std::path::Path;

use crate::harness::{SiteTest, assert_diag, toml_pm};

/// Payloads that browsers run as script, in the disguises that slip past naive checks.
pub const PAYLOADS: &[&str] = &[
    "javascript:alert(1)",
    "JaVaScRiPt:alert(2)",
    "<java\tscript:alert(3)>",
    "vbscript:msgbox(4)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCg1KTwvc2NyaXB0Pg==",
    "javascript:alert(6)//x.md",
    "pmsite-md:0",
    "pmsite-wiki:0",
];

/// A URL as a browser would take it: is its scheme one a page may link to?
pub fn is_safe(url: &str) -> bool {
    let url: String = url
        .trim_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let lower = url.to_ascii_lowercase();
    match lower.find(':') {
        Some(colon) if !lower[..colon].contains(['/', '?', '#']) => {
            let scheme = &lower[..colon];
            ["http", "https", "mailto"].contains(&scheme)
                || (scheme == "data" && lower.starts_with("data:image/png"))
        }
        _ => true,
    }
}

/// Every URL-bearing attribute of every HTML file under `dir`, with the file it is in.
pub fn urls_in_html(dir: &Path) -> Vec<(String, String)> {
    let selector =
        scraper::Selector::parse("[href], [src], [action], [formaction], [xlink\\:href]")
            .expect("selector");
    let mut found = Vec::new();
    for entry in walkdir(dir) {
        if entry.extension().is_some_and(|e| e == "html") {
            let text = std::fs::read_to_string(&entry).unwrap();
            let doc = scraper::Html::parse_document(&text);
            for el in doc.select(&selector) {
                for attr in ["href", "src", "action", "formaction", "xlink:href"] {
                    if let Some(v) = el.value().attr(attr) {
                        found.push((entry.display().to_string(), v.to_string()));
                    }
                }
            }
            for el in doc.select(&scraper::Selector::parse("*").unwrap()) {
                for (name, value) in el.value().attrs() {
                    assert!(
                        !name.starts_with("on"),
                        "{}: an event handler attribute {name}={value:?}",
                        entry.display()
                    );
                }
            }
        }
    }
    found
}

fn walkdir(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out
}

/// A payload as a link destination in angle brackets, so a tab or space inside it stays.
fn angled(p: &str) -> String {
    if p.starts_with('<') {
        p.to_string()
    } else {
        format!("<{p}>")
    }
}

/// A library with every payload in prose links, images, autolinks, the timeline (section and
/// front matter), action items (section, table and front matter) and the external message.
pub fn hostile_library() -> SiteTest {
    let mut body = String::from("## Summary\n\nA hostile summary.\n\n## Analysis\n\n");
    for (i, dest) in PAYLOADS.iter().map(|p| angled(p)).enumerate() {
        body.push_str(&format!(
            "Prose link [click{i}]({dest}) and image ![pic{i}]({dest}).\n\n"
        ));
    }
    body.push_str("Autolink <javascript:alert(7)> and [[INC-2]].\n\n");
    body.push_str("## Timeline\n\nAll times UTC.\n\n");
    for (i, dest) in PAYLOADS.iter().map(|p| angled(p)).enumerate() {
        body.push_str(&format!(
            "- 2024-03-12 21:{i:02} Step {i} ([graph{i}]({dest}))\n"
        ));
    }
    body.push_str("\n## Action items\n\n");
    for (i, dest) in PAYLOADS.iter().map(|p| angled(p)).enumerate() {
        body.push_str(&format!("- [ ] Fix thing {i} @bob P1 [OPS-{i}]({dest})\n"));
    }
    body.push_str("\n## External message\n\nSee [status](javascript:alert(8)) and [[INC-2]] and [the other](b.md).\n");
    let front = r#"date = 2024-03-12T21:00:00Z
severity = "SEV2"
[[timeline]]
at = 2024-03-12T21:00:00Z
text = "front matter entry"
sources = ["javascript:alert(9)", "https://grafana.example.com/d/ok"]
[[timeline]]
at = 2024-03-12T21:05:00Z
text = "second"
sources = ["JaVaScRiPt:alert(10)"]
[[action_items]]
text = "front matter item"
ticket = "OPS-99"
ticket_url = "javascript:alert(11)"
owner = "bob"
due = 2024-04-01
"#;
    SiteTest::new()
        .file("content/a.md", &toml_pm("INC-1", "A", front, ""))
        .file(
            "content/b.md",
            &toml_pm(
                "INC-2",
                "B",
                "date = 2024-03-01T10:00:00Z",
                &format!("{body}\n"),
            ),
        )
}

#[test]
fn no_payload_reaches_an_href_or_src() {
    let t = hostile_library().build();
    let found = urls_in_html(&t.public());
    assert!(!found.is_empty());
    let bad: Vec<_> = found.iter().filter(|(_, u)| !is_safe(u)).collect();
    assert!(bad.is_empty(), "unsafe URLs written: {bad:#?}");
    // The author's words stay: every link label and image alt is on the page.
    let page = t.read("incidents/inc-2/index.html");
    for i in 0..PAYLOADS.len() {
        assert!(page.contains(&format!("click{i}")), "label click{i} lost");
        assert!(page.contains(&format!("pic{i}")), "alt pic{i} lost");
        assert!(
            page.contains(&format!("Step {i}")),
            "timeline entry {i} lost"
        );
        assert!(
            page.contains(&format!("Fix thing {i}")),
            "action item {i} lost"
        );
    }
    // No slot or placeholder of pmsite's leaks into any page.
    for (file, text) in walkdir(&t.public())
        .into_iter()
        .filter(|p| {
            p.extension()
                .is_some_and(|e| e == "html" || e == "json" || e == "xml")
        })
        .map(|p| {
            (
                p.display().to_string(),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
    {
        assert!(!text.contains('\u{E000}'), "{file} shows a slot mark");
        assert!(
            !text.contains("href=\"pmsite-"),
            "{file} shows a placeholder"
        );
    }
}

#[test]
fn the_external_page_resolves_wiki_and_md_links() {
    let t = hostile_library().build();
    let external = t.read("external/index.html");
    let doc = scraper::Html::parse_document(&external);
    let links: Vec<String> = doc
        .select(&scraper::Selector::parse(".external-message a, article a").unwrap())
        .filter_map(|a| a.value().attr("href").map(str::to_string))
        .collect();
    assert!(
        links.iter().any(|h| h == "/incidents/inc-2/"),
        "the .md link to b.md is not resolved on /external/: {links:?}"
    );
    assert!(!external.contains("pmsite-wiki:"), "{external}");
    assert!(!external.contains("pmsite-md:"), "{external}");
}

#[test]
fn json_and_feeds_carry_no_payload() {
    let t = hostile_library().build();
    let json = t.json();
    for inc in json["incidents"].as_array().unwrap() {
        for e in inc["timeline"].as_array().unwrap() {
            for s in e["sources"].as_array().unwrap() {
                assert!(is_safe(s.as_str().unwrap()), "timeline source {s}");
            }
        }
        for a in inc["action_items"].as_array().unwrap() {
            if let Some(u) = a["ticket_url"].as_str() {
                assert!(is_safe(u), "ticket_url {u}");
            }
        }
    }
    let front = t.incident("INC-1");
    assert_eq!(
        front["timeline"][0]["sources"],
        serde_json::json!(["https://grafana.example.com/d/ok"])
    );
    assert!(front["action_items"][0]["ticket_url"].is_null());
    assert_eq!(front["action_items"][0]["ticket"], "OPS-99");
    for feed in ["rss.xml", "atom.xml"] {
        let xml = t.read(feed);
        let doc = roxmltree::Document::parse(&xml).expect("feed parses as XML");
        for node in doc.descendants() {
            for attr in node.attributes() {
                if attr.name() == "href" {
                    assert!(is_safe(attr.value()), "{feed}: {}", attr.value());
                }
            }
            if node.has_tag_name("link") && node.text().is_some() {
                assert!(is_safe(node.text().unwrap()), "{feed}");
            }
        }
    }
}

#[test]
fn build_warns_and_check_refuses_each_payload_at_its_line() {
    let t = hostile_library();
    let report = t.try_build().expect("a hostile library still builds");
    let warnings: Vec<String> = report.warnings.iter().map(ToString::to_string).collect();
    assert!(
        warnings
            .iter()
            .any(|w| w.starts_with("content/a.md:") && w.contains("javascript:alert(9)")),
        "{warnings:#?}"
    );
    let diags = pmsite::build::check(t.root(), t.today).unwrap();
    // Front matter timeline and ticket URLs.
    assert_diag(
        &diags,
        "content/a.md:",
        "error[unsafe-url]: link to `javascript:alert(9)`",
    );
    assert_diag(
        &diags,
        "content/a.md:",
        "error[unsafe-url]: link to `JaVaScRiPt:alert(10)`",
    );
    assert_diag(
        &diags,
        "content/a.md:",
        "error[unsafe-url]: link to `javascript:alert(11)`",
    );
    // Prose, images, autolinks and the external message, each at its own line.
    assert_diag(&diags, "content/b.md:12: error", "javascript:alert(1)");
    assert_diag(&diags, "content/b.md:14: error", "JaVaScRiPt:alert(2)");
    assert_diag(&diags, "content/b.md:16: error", "java\\tscript:alert(3)");
    assert_diag(&diags, "content/b.md:18: error", "vbscript:msgbox(4)");
    assert_diag(&diags, "content/b.md:20: error", "data:text/html");
    assert_diag(
        &diags,
        "content/b.md:22: error",
        "javascript:alert(6)//x.md",
    );
    assert_diag(&diags, "content/b.md:24: error", "pmsite-md:0");
    assert_diag(&diags, "content/b.md:26: error", "pmsite-wiki:0");
    assert_diag(&diags, "content/b.md:28: error", "javascript:alert(7)");
    let cli = t.cli(&["check"]);
    assert_eq!(cli.code, 1, "{}{}", cli.stdout, cli.stderr);
}

#[test]
fn a_forged_placeholder_never_receives_another_links_url() {
    let t = SiteTest::new()
        .file(
            "content/a.md",
            &toml_pm(
                "INC-1",
                "A",
                "",
                "First [real](javascript:alert(1)//x.md), then [forged](pmsite-md:0) and [w](pmsite-wiki:0).\n",
            ),
        )
        .build();
    let page = t.read("incidents/inc-1/index.html");
    let doc = scraper::Html::parse_document(&page);
    let hrefs: Vec<String> = doc
        .select(&scraper::Selector::parse("main a").unwrap())
        .filter_map(|a| a.value().attr("href").map(str::to_string))
        .collect();
    assert!(hrefs.iter().all(|h| is_safe(h)), "{hrefs:?}");
    assert!(
        page.contains("forged") && page.contains("real"),
        "labels kept"
    );
}

/// The default theme's pages satisfy their own Content-Security-Policy: no inline script, no
/// inline style, no event handler attributes. (The browser tests run the theme's scripts under
/// the same policy in Chromium.)
#[test]
fn every_page_satisfies_its_content_security_policy() {
    let t = hostile_library().drafts().build();
    let any_script = scraper::Selector::parse("script").unwrap();
    let styles = scraper::Selector::parse("style, [style]").unwrap();
    let csp = scraper::Selector::parse("meta[http-equiv=\"Content-Security-Policy\"]").unwrap();
    let mut pages = 0;
    for path in walkdir(&t.public()) {
        if path.extension().is_none_or(|e| e != "html") {
            continue;
        }
        pages += 1;
        let doc = scraper::Html::parse_document(&std::fs::read_to_string(&path).unwrap());
        let policy = doc
            .select(&csp)
            .next()
            .and_then(|m| m.value().attr("content"))
            .unwrap_or_else(|| panic!("{} has no CSP meta", path.display()));
        for directive in ["script-src 'self'", "style-src 'self'", "object-src 'none'"] {
            assert!(policy.contains(directive), "{}: {policy}", path.display());
        }
        for s in doc.select(&any_script) {
            assert!(
                s.value().attr("src").is_some(),
                "{}: inline script {}",
                path.display(),
                s.html()
            );
        }
        if let Some(s) = doc.select(&styles).next() {
            panic!("{}: inline style {}", path.display(), s.html());
        }
    }
    assert!(pages > 10, "{pages} pages");
}

/// In Chromium, the default theme's pages (their scripts running: sorting, filters, search)
/// log no Content-Security-Policy violation. A page with an inline script under the same
/// policy does, which shows the check can fail.
#[test]
#[ignore = "needs Chromium and chromedriver; .ci/run installs them and runs ignored tests"]
fn chromium_reports_no_policy_violation_on_the_themes_pages() {
    use crate::webdriver::{Browser, serve_dir};
    let t = hostile_library().drafts().build();
    let site = serve_dir(t.public(), "", false);
    let browser = Browser::start();

    let control = tempfile::tempdir().unwrap();
    std::fs::write(
        control.path().join("index.html"),
        "<!doctype html><html><head><meta http-equiv=\"Content-Security-Policy\" content=\"script-src 'self'\"></head><body><script>document.title='ran'</script></body></html>",
    )
    .unwrap();
    browser.goto(&format!(
        "{}/",
        serve_dir(control.path().to_path_buf(), "", false)
    ));
    std::thread::sleep(std::time::Duration::from_millis(300));
    let logged = browser.console();
    assert!(
        logged.iter().any(|m| m.contains("Content Security Policy")),
        "the control page's violation is not seen: {logged:?}"
    );

    for page in [
        "/",
        "/incidents/",
        "/incidents/inc-2/",
        "/actions/",
        "/patterns/",
        "/components/",
        "/external/",
        "/review/",
        "/search/?q=hostile",
    ] {
        browser.goto(&format!("{site}{page}"));
        browser.wait(page, "document.readyState === 'complete'");
        std::thread::sleep(std::time::Duration::from_millis(300));
        let logged = browser.console();
        assert!(
            !logged.iter().any(|m| m.contains("Content Security Policy")),
            "{page}: {logged:#?}"
        );
    }
    // The search ran under the policy: results are on the page.
    browser.wait(
        "search results",
        "document.querySelectorAll('#search-results li').length > 0",
    );
}

/// embed.js applies the same URL policy to what it reads (`latest.json`, `incidents.json`),
/// even a file changed after the build.
#[test]
#[ignore = "needs Chromium and chromedriver; .ci/run installs them and runs ignored tests"]
fn embed_js_writes_no_unsafe_link_from_a_tampered_incidents_json() {
    use crate::webdriver::{Browser, serve_dir};
    let t = SiteTest::new()
        .file(
            "content/a.md",
            &toml_pm("A", "Tampered", "date = 2024-01-01", "x\n"),
        )
        .build();
    // Both files embed.js may read: the library's latest.json and incidents.json's page.
    for file in ["incidents/pages/1.json", "latest.json"] {
        let json = t.read(file).replace(
            "\"url\":\"https://incidents.example.com/incidents/a/\"",
            "\"url\":\"java\\tscript:alert(1)\"",
        );
        assert!(json.contains("script:alert"), "{file}: {json}");
        std::fs::write(t.public().join(file), json).unwrap();
    }
    let site = serve_dir(t.public(), "", true);
    let wiki = tempfile::tempdir().unwrap();
    std::fs::write(
        wiki.path().join("index.html"),
        format!(
            "<!doctype html><html><body><script src=\"{site}/embed.js\"></script></body></html>"
        ),
    )
    .unwrap();
    let browser = Browser::start();
    browser.goto(&format!(
        "{}/",
        serve_dir(wiki.path().to_path_buf(), "", false)
    ));
    browser.wait(
        "the embed list",
        "document.querySelectorAll('.pmsite-embed-item a').length === 1",
    );
    let href =
        browser.run("return document.querySelector('.pmsite-embed-item a').getAttribute('href')");
    assert_eq!(href, "#", "{href}");
}

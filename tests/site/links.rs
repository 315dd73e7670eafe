//! `check` finds each kind of broken link; `.md` links become page links; `--external`
//! requests external links against servers on 127.0.0.1.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::time::Duration;

use crate::harness::*;

fn library(body: &str) -> SiteTest {
    SiteTest::new()
        .file(
            "content/2024/a.md",
            &toml_pm("A", "First", "date = 2024-01-01", body),
        )
        .file(
            "content/2024/b.md",
            &toml_pm(
                "B",
                "Second",
                "date = 2024-02-01\ncomponents = [\"checkout-api\"]",
                "\n## Timeline\n\n- 10:00 Start\n\n## Analysis\n\nText.\n",
            ),
        )
}

#[test]
fn markdown_links_to_other_post_mortems_become_page_links() {
    let t = library("\nSee [the second](b.md), its [timeline](./b.md#timeline) and [analysis](../2024/b.md#analysis).\n").build();
    let page = "incidents/a/index.html";
    t.contains(page, "<a href=\"/incidents/b/\">the second</a>")
        .contains(page, "<a href=\"/incidents/b/#timeline\">timeline</a>")
        .contains(page, "<a href=\"/incidents/b/#analysis\">analysis</a>");
    let out = t.cli(&["check"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
}

#[test]
fn check_finds_each_kind_of_broken_link() {
    let body = "\n## Impact\n\n[ok anchor](#impact) [bad anchor](#nowhere)\n\n[missing file](missing.md)\n\n[bad anchor there](b.md#nope)\n\n[good page](/incidents/b/) [bad page](/incidents/zzz/) [bad term](/components/nope/) [good term](/components/checkout-api/)\n\n[absolute good](https://incidents.example.com/incidents/b/#timeline) [absolute bad](https://incidents.example.com/nothing/here/)\n\n[[Nope]]\n";
    let t = library(body);
    let out = t.cli(&["check"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let lines: Vec<&str> = out.stderr.lines().collect();
    let expect = |needle: &str| {
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with("content/2024/a.md:") && l.contains(needle)),
            "no error with {needle:?} in\n{}",
            out.stderr
        )
    };
    expect("error[link]: link to #nowhere: no heading on this page has that anchor");
    expect(
        "error[link]: link to missing.md: no post-mortem in this build is at content/2024/missing.md",
    );
    expect(
        "error[link]: link to b.md#nope: content/2024/b.md has no heading with the anchor #nope",
    );
    expect("error[link]: link to /incidents/zzz/: no incident has the URL /incidents/zzz/");
    expect("error[link]: link to /components/nope/: no component has the URL /components/nope/");
    expect(
        "error[link]: link to https://incidents.example.com/nothing/here/: no page of the site is there",
    );
    expect("error[wiki-link]: wiki link [[Nope]]");
    for good in [
        "#impact",
        "/incidents/b/)",
        "checkout-api",
        "incidents/b/#timeline",
    ] {
        assert!(
            !out.stderr.contains(&format!("link to {good}")),
            "{good} is fine: {}",
            out.stderr
        );
    }
    // The line is the link's own line.
    assert!(
        out.stderr
            .contains("content/2024/a.md:11:1: error[link]: link to missing.md"),
        "{}",
        out.stderr
    );
    // A build shows the page and warns.
    let report = t.try_build().expect("a build goes on");
    assert!(
        lines_of(&report.warnings)
            .iter()
            .any(|l| l.contains("warning[link]: link to missing.md"))
    );
    t.contains(
        "incidents/a/index.html",
        "<a href=\"missing.md\">missing file</a>",
    );
}

fn lines_of(d: &[pmsite::diagnostics::Diagnostic]) -> Vec<String> {
    d.iter().map(ToString::to_string).collect()
}

/// A server on 127.0.0.1: `/ok` answers 200, `/gone` 404, HEAD gets 405 (GET works), and
/// `/slow` never answers within the test's timeout.
fn link_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let mut reader = BufReader::new(&stream);
                let mut request = String::new();
                if reader.read_line(&mut request).is_err() {
                    return;
                }
                loop {
                    let mut h = String::new();
                    if reader.read_line(&mut h).map_or(true, |n| n == 0) || h == "\r\n" {
                        break;
                    }
                }
                let mut parts = request.split_whitespace();
                let (method, path) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
                let status = match (method, path) {
                    (_, "/slow") => {
                        std::thread::sleep(Duration::from_secs(5));
                        "200 OK"
                    }
                    ("HEAD", "/no-head") => "405 Method Not Allowed",
                    (_, "/ok" | "/no-head") => "200 OK",
                    _ => "404 Not Found",
                };
                let mut out = &stream;
                let _ = write!(
                    out,
                    "HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                );
            });
        }
    });
    format!("http://127.0.0.1:{port}")
}

#[test]
fn external_links_only_with_the_flag_and_summarised() {
    let base = link_server();
    let body = format!(
        "\n[fine]({base}/ok) [gone]({base}/gone) [no head]({base}/no-head) [slow]({base}/slow)\n\n## Timeline\n\n- 2024-01-01 10:00 Graph ([dashboard]({base}/missing-dashboard))\n"
    );
    let t = library(&body);
    let plain = t.cli(&["check"]);
    assert_eq!(
        plain.code, 0,
        "the default run never requests external links: {}",
        plain.stderr
    );
    assert!(!plain.stderr.contains("external"), "{}", plain.stderr);
    let out = t.cli(&["check", "--external", "--timeout", "2"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains(&format!(
            "error[external-link]: external link {base}/gone is broken: 404 Not Found"
        )),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains(&format!(
            "external link {base}/missing-dashboard is broken: 404"
        )),
        "timeline sources are checked: {}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains(&format!("external link {base}/slow is broken")),
        "timeout: {}",
        out.stderr
    );
    assert!(
        !out.stderr.contains("/ok is broken") && !out.stderr.contains("/no-head is broken"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("external links: 5 checked, 3 broken"),
        "{}",
        out.stderr
    );
}

/// A link to a page of the folder that is not a post-mortem (a runbook beside the
/// post-mortems, a page of the repository) is a warning, never an error, and goes to the
/// source file when `source_url` says where; without it its words stay as text. A link to a
/// file that is nowhere is still an error in `check`.
#[test]
fn links_to_pages_that_are_not_post_mortems_are_warnings() {
    let body = "\nSee [the restart runbook](../runbooks/ledger.md#restart), [the README](/README.md) and [a typo](missing.md).\n";
    let pages = |config: &str| {
        SiteTest::new()
            .file("pmsite.toml", &format!("{CONFIG}{config}"))
            .file(
                "content/2024/a.md",
                &toml_pm("A", "Ledger restart", "date = 2024-01-01", body),
            )
            .file(
                "content/runbooks/ledger.md",
                "# Ledger runbook\n\nRestart it.\n",
            )
            .file("README.md", "# Our post-mortems\n")
    };
    let t = pages("");
    let checked = pmsite::build::check(t.root(), t.today).unwrap();
    assert_diag(
        &checked,
        "content/2024/a.md:7:5: warning[link]",
        "link to ../runbooks/ledger.md#restart: content/runbooks/ledger.md is not a post-mortem of this library; shown as text; set source_url",
    );
    assert_diag(
        &checked,
        "content/2024/a.md:7:59: warning[link]",
        "link to /README.md: README.md is not a post-mortem",
    );
    assert_diag(
        &checked,
        "content/2024/a.md:7:88: error[link]",
        "link to missing.md: no post-mortem in this build is at content/2024/missing.md",
    );
    let t = t.build();
    t.contains(
        "incidents/a/index.html",
        "See the restart runbook, the README and <a href=\"missing.md\">a typo</a>.",
    );

    let t = pages("source_url = \"https://git.example.com/acme/pm/blob/main/{path}\"\n").build();
    t.contains(
        "incidents/a/index.html",
        "<a href=\"https://git.example.com/acme/pm/blob/main/content/runbooks/ledger.md\">the restart runbook</a>",
    );
    t.contains(
        "incidents/a/index.html",
        "<a href=\"https://git.example.com/acme/pm/blob/main/README.md\">the README</a>",
    );
}

/// The example library built with `relative_urls`: every link and asset a page names on the
/// site is relative and is a file on disk, so the output reads from `file://`; feeds keep
/// absolute URLs.
fn relative_example() -> SiteTest {
    let t = example_library();
    let config = std::fs::read_to_string(t.root().join("pmsite.toml")).unwrap();
    t.file("pmsite.toml", &format!("relative_urls = true\n{config}"))
        .build()
}

#[test]
fn relative_urls_make_every_site_link_a_file_beside_the_page() {
    let t = relative_example();
    let public = t.public();
    let link = regex::Regex::new(r#" (?:href|src|action)="([^"]*)""#).unwrap();
    let mut checked = 0;
    for entry in walkdir::WalkDir::new(&public)
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().is_some_and(|x| x == "html"))
    {
        let html = std::fs::read_to_string(entry.path()).unwrap();
        let page = entry
            .path()
            .strip_prefix(&public)
            .unwrap()
            .display()
            .to_string();
        for cap in link.captures_iter(&html) {
            let url = &cap[1];
            if url.starts_with('#')
                || url.contains("://")
                || url.starts_with("mailto:")
                || url.starts_with("data:")
            {
                continue;
            }
            assert!(!url.starts_with('/'), "{page}: a root-relative link {url}");
            let path = url.split(['#', '?']).next().unwrap();
            let target = entry.path().parent().unwrap().join(path);
            assert!(target.is_file(), "{page}: {url} is not a file");
            checked += 1;
        }
    }
    assert!(checked > 1000, "{checked}");
    t.contains("index.html", "<link rel=\"stylesheet\" href=\"style.css\">")
        .contains(
            "incidents/inc-2024-017/index.html",
            "<link rel=\"stylesheet\" href=\"../../style.css\">",
        )
        .contains("search/index.html", "data-root=\"../\"");
    assert!(
        t.read("atom.xml").contains("<link href=\"http"),
        "feeds keep absolute URLs"
    );
}

#[test]
#[ignore = "needs Chromium; .ci/run installs it and runs ignored tests"]
fn a_relative_build_opened_from_disk_is_styled_and_its_links_work() {
    let t = relative_example();
    let browser = crate::webdriver::Browser::start();
    let home = t.public().join("index.html");
    browser.goto(&format!("file://{}", home.display()));
    let styled = browser.run("return getComputedStyle(document.querySelector('header')).display !== 'inline' && getComputedStyle(document.documentElement).getPropertyValue('--link').trim() !== ''");
    assert_eq!(styled, serde_json::json!(true));
    // Follow the nav's link to the incident list, then the first incident.
    browser
        .run("document.querySelector('nav a[href$=\"incidents/index.html\"]').click(); return 1");
    browser.wait(
        "the incident list",
        "location.href.endsWith('/incidents/index.html') && document.readyState === 'complete'",
    );
    browser.run("document.querySelector('main a[href*=\"../incidents/\"]').click(); return 1");
    browser.wait("an incident page", "/incidents\\/[^/]+\\/index.html$/.test(location.href) && !!document.querySelector('h1') && getComputedStyle(document.documentElement).getPropertyValue('--link').trim() !== ''");
}

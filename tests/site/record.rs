//! The page is the record: everything the author wrote is on the incident page, in the
//! author's order, and what pmsite turns into data is still shown. A property test holds
//! every post-mortem of the fixture libraries and the example library to it.

use std::path::{Path, PathBuf};

use comrak::nodes::{AstNode, NodeValue};
use scraper::{Html, Selector};

use crate::harness::*;

/// A fixture library under `tests/fixtures/`, copied into a temp dir.
pub fn fixture(name: &str) -> SiteTest {
    let src = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    copy_library(&src)
}

fn copy_library(src: &Path) -> SiteTest {
    let mut t = SiteTest::new();
    for entry in walkdir::WalkDir::new(src)
        .into_iter()
        .filter_map(|e| e.ok())
    {
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = entry.path().strip_prefix(src).unwrap();
        if rel.starts_with("public") {
            continue;
        }
        let bytes = std::fs::read(entry.path()).unwrap();
        t = t.bytes(&rel.to_string_lossy(), &bytes);
    }
    t
}

#[test]
fn the_page_is_the_record() {
    let t = fixture("record").build();
    let json = t.json();
    let page = t.read("incidents/warehouse-scanner-outage/index.html");
    // A setext title after a comment and a badge line is the title; the comment is not shown.
    assert_eq!(
        t.incident("warehouse-scanner-outage")["title"],
        "Warehouse scanners stopped syncing"
    );
    assert!(!page.contains("Template v3"), "the HTML comment is shown");
    assert!(page.contains("https://badges.example.com/published.svg"));
    // Between timeline bullets: the image with its caption and the log, in place.
    let order = [
        "All times are UTC. The first alert went to the wrong rotation.",
        "2025-07-26 Saturday",
        "Firmware 4.1 rollout reaches the Tilbury scanners",
        "<code>TLS handshake timeout</code>",
        "it repeated every 30 seconds",
        "Pickers report frozen screens",
        "src=\"https://img.example.com/scanner-errors.png\"",
        "Figure 1: errors climb after the rollout.",
        "scanner-17 sync: tls: handshake timeout",
        "On-call engineer paged",
        "2025-07-27 Sunday",
        "all clear",
        "These came out of the review on July 29",
        "Firmware",
        "Stage firmware rollouts one warehouse at a time",
        "start with the smallest site",
        "keep a rollback image on every scanner",
        "Add a TLS handshake alert",
        "Write a paper-picking runbook for shift leads.",
        "Pin the CA bundle in firmware builds",
        "<a href=\"https://tickets.example.com/SEC-88\">the CA ticket</a>",
        "Page the warehouse rotation, not platform",
        "rotation renamed",
        "Staged rollouts would have limited this to one site.",
    ];
    let mut at = 0;
    for needle in order {
        match page[at..].find(needle) {
            Some(i) => at += i + needle.len(),
            None => panic!(
                "{needle:?} is not on the page after what came before it; the page:\n{}",
                &page[page.find("<div class=\"body\">").unwrap_or(0)..]
            ),
        }
    }
    // What became data is data: entries, their times, milestones, items with done and owner.
    let inc = t.incident("warehouse-scanner-outage");
    let timeline = inc["timeline"].as_array().unwrap();
    assert_eq!(timeline[0]["at"], "2025-07-26T06:02:00Z");
    // Pickers reporting frozen screens is the detection; the rollback started is mitigation.
    assert_eq!(inc["detected"], "2025-07-26T06:40:00Z", "{inc:#}");
    assert_eq!(inc["mitigated"], "2025-07-26T07:05:00Z", "{inc:#}");
    assert_eq!(inc["resolved"], "2025-07-27T09:30:00Z", "{inc:#}");
    let items = inc["action_items"].as_array().unwrap();
    let summary: Vec<(String, String, bool)> = items
        .iter()
        .map(|a| {
            (
                a["text"].as_str().unwrap_or("").to_string(),
                a["owner"].as_str().unwrap_or("").to_string(),
                a["done"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(summary.len(), 5, "{summary:#?}");
    assert_eq!(summary[0].1, "mira");
    assert!(summary[1].2, "a checked task is done");
    assert_eq!(summary[2].1, "ines", "Owner: @ines in a labelled paragraph");
    assert_eq!((summary[3].1.as_str(), summary[3].2), ("Ravi", false));
    assert_eq!((summary[4].1.as_str(), summary[4].2), ("Ines", true));
    // Nested bullets are the item's notes, not items of their own.
    assert!(!summary.iter().any(|s| s.0.contains("smallest site")));
    assert!(json.is_array() || json.is_object());
}

/// Words as the property compares them: runs of letters and digits, lowercased.
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.to_lowercase())
        .collect()
}

/// What a reader sees of an incident page's article: its text, images and links.
struct Visible {
    words: Vec<String>,
    images: Vec<String>,
    links: Vec<String>,
}

fn visible(html: &str) -> Visible {
    let doc = Html::parse_document(html);
    let article = doc
        .select(&Selector::parse("article").unwrap())
        .next()
        .expect("an article");
    // Text and images' alt text in document order.
    let mut text = String::new();
    for node in article.descendants() {
        if let Some(t) = node.value().as_text() {
            text.push_str(t);
            text.push(' ');
        } else if let Some(e) = node.value().as_element()
            && e.name() == "img"
        {
            text.push_str(e.attr("alt").unwrap_or(""));
            text.push(' ');
        }
    }
    let attr = |sel: &str, name: &str| {
        article
            .select(&Selector::parse(sel).unwrap())
            .filter_map(|e| e.value().attr(name).map(str::to_string))
            .collect::<Vec<_>>()
    };
    Visible {
        words: words(&text),
        images: attr("img", "src"),
        links: attr("a", "href"),
    }
}

/// What the author wrote in a post-mortem's body: its words (not its front matter, HTML
/// comments, the title line or the `**Key:**` lines that became fields), images and links.
struct Written {
    words: Vec<String>,
    images: Vec<String>,
    links: Vec<String>,
}

fn written(source: &str, title: &str) -> Written {
    let body = match source
        .strip_prefix("---\n")
        .or_else(|| source.strip_prefix("+++\n"))
    {
        Some(rest) => {
            let fence = if source.starts_with("---") {
                "\n---\n"
            } else {
                "\n+++\n"
            };
            rest.split_once(fence).map_or(rest, |(_, b)| b)
        }
        None => source,
    };
    let body: String = body
        .lines()
        .filter(|l| !is_field_line(l))
        .map(|l| format!("{l}\n"))
        .collect();
    let arena = comrak::Arena::new();
    let mut options = comrak::Options::default();
    options.extension.table = true;
    options.extension.strikethrough = true;
    options.extension.tasklist = true;
    options.extension.autolink = true;
    options.extension.footnotes = true;
    let root = comrak::parse_document(&arena, &body, &options);
    let mut out = Written {
        words: Vec::new(),
        images: Vec::new(),
        links: Vec::new(),
    };
    let title_words = words(title);
    let mut skipped_title = false;
    collect(root, &mut out, &title_words, &mut skipped_title);
    out
}

/// A `**Key:** value` line of the page's fields (bold, bulleted or not): shown as the
/// value in the page's header, so its words are not looked for in the body.
fn is_field_line(line: &str) -> bool {
    let t = line.trim().trim_start_matches(['-', '+']).trim_start();
    let t = t.strip_prefix("* ").unwrap_or(t).trim_start();
    let Some(rest) = t.strip_prefix("**").or_else(|| t.strip_prefix("__")) else {
        return false;
    };
    let Some(colon) = rest.find(':') else {
        return false;
    };
    let key = rest[..colon].trim_matches(['*', '_', ' ']).to_lowercase();
    colon < 40 && key.split_whitespace().count() <= 3 && !key.starts_with("action")
}

fn collect<'a>(node: &'a AstNode<'a>, out: &mut Written, title: &[String], done: &mut bool) {
    match &node.data().value {
        NodeValue::HtmlBlock(h) if h.literal.trim_start().starts_with("<!--") => return,
        NodeValue::HtmlInline(h) if h.trim_start().starts_with("<!--") => return,
        NodeValue::Heading(_) if !*done && words(&node.collect_text()).ends_with(title) => {
            *done = true;
            return;
        }
        // pmsite's tables of action items and timeline entries name their own columns.
        NodeValue::TableRow(true) => return,
        NodeValue::Text(t) => out.words.extend(words(t)),
        NodeValue::Code(c) => out.words.extend(words(&c.literal)),
        NodeValue::CodeBlock(c) => out.words.extend(words(&c.literal)),
        NodeValue::Image(l) => out.images.push(l.url.clone()),
        NodeValue::Link(l) => out.links.push(l.url.clone()),
        _ => {}
    }
    for child in node.children() {
        collect(child, out, title, done);
    }
}

/// Every written word is on the page in order, a word allowed to stand up to 40 words
/// before the last one matched (looked for there first) (pmsite's own table rows order a row's cells by column).
fn missing_in_order(written: &[String], shown: &[String]) -> Option<String> {
    let mut at: usize = 0;
    for (k, w) in written.iter().enumerate() {
        if shown[at.saturating_sub(40)..at].contains(w) {
            continue;
        }
        if let Some(j) = shown[at..].iter().position(|s| s == w) {
            at += j + 1;
        } else {
            let context = written[k.saturating_sub(8)..(k + 8).min(written.len())].join(" ");
            let near = shown[at.saturating_sub(20)..(at + 20).min(shown.len())].join(" ");
            return Some(format!("{w:?} (in \"{context}\"), page near: \"{near}\""));
        }
    }
    None
}

/// Every libraries' post-mortems: each page shows every word of its source body in order,
/// and every image and link (a link to another post-mortem's file as a link to its page).
#[test]
fn every_word_image_and_link_of_the_source_is_on_the_page() {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let example = example_library();
    let mut libraries = vec![("example", example)];
    for name in ["record", "real-forms"] {
        if repo.join("tests/fixtures").join(name).is_dir() {
            libraries.push((name, fixture(name)));
        }
    }
    let mut pages = 0;
    let mut failures = Vec::new();
    for (name, t) in libraries {
        let t = t.drafts().restricted().build();
        let selection = pmsite::library::Selection {
            drafts: true,
            include_restricted: true,
            today: t.today,
            strict_links: false,
        };
        let loaded = pmsite::build::load(t.root(), None, selection).unwrap();
        for inc in &loaded.library.incidents {
            let source = inc.source.as_str();
            let text = std::fs::read_to_string(t.root().join(source)).unwrap();
            let written = written(&text, &inc.title);
            let page = t.read(&format!("incidents/{}/index.html", inc.slug));
            let shown = visible(&page);
            pages += 1;
            if let Some(m) = missing_in_order(&written.words, &shown.words) {
                failures.push(format!("{name}/{source}: word {m}"));
            }
            for image in &written.images {
                if !shown.images.contains(image) {
                    failures.push(format!("{name}/{source}: image {image} is not on the page"));
                }
            }
            for link in &written.links {
                let shown_link = shown
                    .links
                    .iter()
                    .any(|l| l == link || link.ends_with(".md") || link.contains(".md#"));
                if !shown_link {
                    failures.push(format!("{name}/{source}: link {link} is not on the page"));
                }
            }
        }
    }
    assert!(pages >= 9, "{pages} pages");
    assert!(
        failures.is_empty(),
        "{} of {pages} pages lose text:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

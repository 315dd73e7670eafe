//! Search at scale: a shard too big for one file is cut in parts by the terms' first five
//! characters, and a query fetches only the part its word can match (or every part, for a
//! shorter word that expands, or to suggest a spelling); per-document data is in fragments,
//! and a query fetches those of its results.

use serde_json::Value;

use crate::harness::*;
use crate::webdriver::{Browser, serve_dir};

/// Forty post-mortems whose bodies hold sixty words each beginning `con`, so the shard of
/// `con` has about 2,400 postings, more than one part holds; one holds `conzebra`.
fn crowded_shard() -> SiteTest {
    let mut t = SiteTest::new();
    for i in 0..40u32 {
        let words: Vec<String> = (0..60u32)
            .map(|w| {
                let a = (b'a' + ((i + w) % 26) as u8) as char;
                let b = (b'a' + (w % 26) as u8) as char;
                let c = (b'a' + (w / 26) as u8) as char;
                format!("con{a}{b}{c}um")
            })
            .collect();
        let extra = if i == 7 {
            " The conzebra alarm fired."
        } else {
            ""
        };
        t = t.file(
            &format!("content/c{i:02}.md"),
            &toml_pm(
                &format!("C-{i:02}"),
                &format!("Crowded outage {i:02}"),
                &format!("date = 2024-02-{:02}", i % 28 + 1),
                &format!("\n{}.{extra}\n", words.join(" ")),
            ),
        );
    }
    t.build()
}

#[test]
fn a_crowded_shard_is_cut_in_parts_that_hold_their_own_terms() {
    let t = crowded_shard();
    let meta: Value = serde_json::from_str(&t.read("search/meta.json")).unwrap();
    let shards = meta["shards"].as_u64().unwrap() as u32;
    let con = pmsite::search::shard_of("conzebra", shards);
    let parts = meta["parts"][con as usize].as_u64().unwrap() as u32;
    assert!(parts > 1, "the shard of `con` is cut: {parts} parts");
    let mut terms = 0;
    for s in 0..shards {
        let parts = meta["parts"][s as usize].as_u64().unwrap() as u32;
        for k in 0..parts {
            let path = pmsite::search::shard_path(s, k, parts);
            let shard: serde_json::Map<String, Value> =
                serde_json::from_str(&t.read(&format!("search/{path}"))).unwrap();
            for term in shard.keys() {
                assert_eq!(pmsite::search::shard_of(term, shards), s, "{term}");
                assert_eq!(pmsite::search::part_of(term, parts), k, "{term}");
                terms += 1;
            }
        }
        if parts > 1 {
            assert!(!t.exists(&format!("search/shards/{s}.json")));
        }
    }
    assert!(terms > 1_000, "{terms} terms");
}

fn fetched_parts(b: &Browser) -> Vec<String> {
    serde_json::from_value(b.run(
        "return performance.getEntriesByType('resource').map(e => new URL(e.name).pathname).filter(p => p.indexOf('/search/shards/') === 0).sort()",
    ))
    .unwrap()
}

fn done(b: &Browser) {
    b.wait(
        "the search finished",
        "document.getElementById('search').getAttribute('data-state') === 'done'",
    );
}

#[test]
#[ignore = "needs Chromium and chromedriver; .ci/run installs them and runs ignored tests"]
fn a_query_fetches_the_part_its_word_can_match() {
    let t = crowded_shard();
    let meta: Value = serde_json::from_str(&t.read("search/meta.json")).unwrap();
    let shards = meta["shards"].as_u64().unwrap() as u32;
    let con = pmsite::search::shard_of("conzebra", shards);
    let parts = meta["parts"][con as usize].as_u64().unwrap() as u32;
    let site = serve_dir(t.public(), "", false);
    let titles = "return Array.from(document.querySelectorAll('#search-results a.result-title')).map(a => a.textContent)";

    // A long word: one part, and the post-mortem that has it.
    let b = Browser::start();
    b.goto(&format!("{site}/search/?q=conzebra"));
    done(&b);
    assert_eq!(b.run(titles), serde_json::json!(["Crowded outage 07"]));
    let own = pmsite::search::part_of("conzebra", parts);
    assert_eq!(
        fetched_parts(&b),
        [format!("/search/shards/{con}-{own}.json")]
    );

    // A short word expands over every part of its shard.
    let b = Browser::start();
    b.goto(&format!("{site}/search/?q=conz"));
    done(&b);
    let found: Vec<String> = serde_json::from_value(b.run(titles)).unwrap();
    assert!(
        found.len() > 1 && found.contains(&"Crowded outage 07".to_string()),
        "{found:?}"
    );
    assert_eq!(fetched_parts(&b).len(), parts as usize);

    // A word that matches nothing is spelled from the whole shard, whichever part holds it.
    let b = Browser::start();
    b.goto(&format!("{site}/search/?q=conxebra"));
    done(&b);
    b.wait(
        "a suggestion",
        "!!document.querySelector('#search-status a.suggestion')",
    );
    assert_eq!(
        b.run("return document.querySelector('#search-status a.suggestion').textContent"),
        "conzebra"
    );
}

/// A per-document file, decoded.
fn per_doc(text: &str) -> Value {
    let raw: serde_json::Map<String, Value> = serde_json::from_str(text).unwrap();
    raw.iter()
        .map(|(k, v)| (k.clone(), crate::search::decode_per_doc(k, v)))
        .collect::<serde_json::Map<_, _>>()
        .into()
}

#[test]
fn per_document_data_is_in_fragments_that_make_up_the_whole() {
    let t = crowded_shard();
    let meta: Value = serde_json::from_str(&t.read("search/meta.json")).unwrap();
    assert!(meta.get("lengths").is_none() && meta.get("severity").is_none());
    let size = meta["fragment"].as_u64().unwrap() as usize;
    assert_eq!(size, pmsite::search::DOCS_PER_FRAGMENT);
    let all = per_doc(&t.read("search/meta/all.json"));
    let n = meta["n"].as_u64().unwrap() as usize;
    let fragments: Vec<Value> = (0..n.div_ceil(size))
        .map(|k| per_doc(&t.read(&format!("search/meta/{k}.json"))))
        .collect();
    assert!(!t.exists(&format!("search/meta/{}.json", n.div_ceil(size))));
    let joined = |key: &str| -> Vec<Value> {
        fragments
            .iter()
            .flat_map(|f| f[key].as_array().unwrap().clone())
            .collect()
    };
    for key in ["severity", "component", "root_cause", "year"] {
        assert_eq!(&joined(key), all[key].as_array().unwrap(), "{key}");
    }
    assert_eq!(all["year"].as_array().unwrap().len(), n);
    for (f, lengths) in all["lengths"].as_array().unwrap().iter().enumerate() {
        let joined: Vec<Value> = fragments
            .iter()
            .flat_map(|fr| fr["lengths"][f].as_array().unwrap().clone())
            .collect();
        assert_eq!(&joined, lengths.as_array().unwrap());
    }
}

#[test]
#[ignore = "needs Chromium and chromedriver; .ci/run installs them and runs ignored tests"]
fn a_query_fetches_the_fragments_of_its_results_or_the_whole() {
    // 300 post-mortems: five fragments of 64; one word in the newest, one in all.
    let mut t = SiteTest::new();
    for i in 0..300u32 {
        let rare = if i == 299 {
            " A quokka chewed the cable."
        } else {
            ""
        };
        t = t.file(
            &format!("content/q{i:03}.md"),
            &toml_pm(
                &format!("Q-{i:03}"),
                &format!("Queue outage {i:03}"),
                &format!("date = 2024-{:02}-{:02}", i / 28 + 1, i % 28 + 1),
                &format!("\nThe queue stalled.{rare}\n"),
            ),
        );
    }
    let t = t.build();
    let site = serve_dir(t.public(), "", false);
    let fetched = "return performance.getEntriesByType('resource').map(e => new URL(e.name).pathname).filter(p => p.indexOf('/search/meta/') === 0).sort()";
    let lines = fetched.replace("/search/meta/", "/search/docs/");
    let b = Browser::start();
    b.goto(&format!("{site}/search/?q=quokka"));
    done(&b);
    assert_eq!(
        b.run("return document.getElementById('search-status').textContent"),
        "1 post-mortem matches \u{201c}quokka\u{201d}."
    );
    // The newest post-mortem is document 0.
    assert_eq!(b.run(fetched), serde_json::json!(["/search/meta/0.json"]));
    // Its result line is a file of its own.
    assert_eq!(b.run(&lines), serde_json::json!(["/search/docs/0.json"]));
    // Its facets are there, from the fragment.
    assert!(
        b.run("return document.querySelector('[data-facet=\"year\"] button').textContent")
            .as_str()
            .unwrap()
            .starts_with("2024")
    );
    let b = Browser::start();
    b.goto(&format!("{site}/search/?q=queue"));
    done(&b);
    assert_eq!(
        b.run("return document.getElementById('search-status').textContent"),
        "300 post-mortems match \u{201c}queue\u{201d}."
    );
    assert_eq!(b.run(fetched), serde_json::json!(["/search/meta/all.json"]));
    // The 20 lines shown are 20 files of one line each, and nothing else of the 300 lines
    // is fetched.
    let got: Vec<String> = serde_json::from_value(b.run(&lines)).unwrap();
    assert_eq!(got.len(), 20, "{got:?}");
    let mut fetched_ids: Vec<String> = got
        .iter()
        .map(|p| {
            let line: Vec<Value> =
                serde_json::from_str(&t.read(p.trim_start_matches('/'))).unwrap();
            assert_eq!(line.len(), 1, "{p}");
            line[0]["id"].as_str().unwrap().to_string()
        })
        .collect();
    let mut shown: Vec<String> = serde_json::from_value(b.run(
        "return Array.from(document.querySelectorAll('#search-results a.result-title')).map(a => 'Q-' + a.textContent.slice(-3))",
    ))
    .unwrap();
    fetched_ids.sort();
    shown.sort();
    assert_eq!(fetched_ids, shown);
}

//! Search: the index files a build writes (read back and decoded here), and the search page
//! in real headless Chromium through chromedriver: queries, facet counts, URL state,
//! highlighting, the keyboard, a site under a sub-path, and `pmsite serve`.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::harness::*;
use crate::serve::Server;
use crate::webdriver::{ARROW_DOWN, ARROW_UP, Browser, ENTER, serve_dir};

fn pm(id: &str, title: &str, front: &str, body: &str) -> String {
    toml_pm(id, title, front, body)
}

/// Four published post-mortems across severities, components, root causes and years, a
/// draft and a restricted one.
fn search_library() -> SiteTest {
    SiteTest::new()
        .file(
            "content/a.md",
            &pm(
                "INC-A",
                "DNS resolver outage took down checkout-api",
                "date = 2024-03-01T10:00:00Z\nseverity = \"SEV1\"\ncomponents = [\"checkout-api\", \"dns\"]\nroot_causes = [\"config-change\"]\ntags = [\"customer-facing\"]\nsummary = \"DNS lookups failed, so checkout-api answered 502 for 40 minutes.\"",
                "\n## Timeline\n\n- 10:00 UTC — OPS-123 opened; p99 latency at 9 s\n\n## Analysis\n\nA resolver config change dropped the search domain.\n",
            ),
        )
        .file(
            "content/b.md",
            &pm(
                "INC-B",
                "Stale DNS cache after a resolver restart",
                "date = 2023-05-02\nseverity = \"SEV2\"\ncomponents = [\"dns\"]\nroot_causes = [\"capacity\"]\nsummary = \"The DNS cache served stale records for an hour.\"",
                "\nNothing else.\n",
            ),
        )
        .file(
            "content/c.md",
            &pm(
                "INC-C",
                "Payments queue backlog",
                "date = 2024-06-01\nseverity = \"SEV2\"\ncomponents = [\"payments\"]\nroot_causes = [\"capacity\"]\nsummary = \"Queue depth grew and p99 reached 9 s.\"",
                "\nTicket OPS-1234 tracks the fix.\n",
            ),
        )
        .file(
            "content/d.md",
            &pm(
                "INC-D",
                "Login errors after a deploy",
                "date = 2022-01-01\nseverity = \"SEV3\"\ncomponents = [\"auth\"]\nroot_causes = [\"config-change\"]\nsummary = \"A bad deploy broke login.\"",
                "\nRolled back.\n",
            ),
        )
        .file(
            "content/e.md",
            &pm(
                "INC-E",
                "DNS draft about a quokka",
                "date = 2024-07-01\nstatus = \"draft\"\nseverity = \"SEV1\"\nsummary = \"A quokka in the DNS.\"",
                "\nDraft.\n",
            ),
        )
        .file(
            "content/f.md",
            &pm(
                "INC-F",
                "Restricted DNS narwhal",
                "date = 2024-08-01\nvisibility = \"restricted\"\nseverity = \"SEV1\"\nsummary = \"A narwhal in the DNS.\"",
                "\nSecret.\n",
            ),
        )
}

/// One key of `search/meta/all.json` as plain numbers: `[width, digits]` strings decoded,
/// single values back to -1 for none, lists split.
pub fn decode_per_doc(key: &str, v: &Value) -> Value {
    let digits = |d: &Value| {
        pmsite::search::decode_digits(d[0].as_u64().unwrap() as usize, d[1].as_str().unwrap())
            .unwrap()
    };
    match key {
        "lengths" => v
            .as_array()
            .unwrap()
            .iter()
            .map(|d| Value::from(digits(d)))
            .collect(),
        "component" | "root_cause" | "contributing_factor" => {
            if v[0] == 0 {
                return Value::Array(Vec::new());
            }
            let w = v[0].as_u64().unwrap() as usize;
            v[1].as_str()
                .unwrap()
                .split(' ')
                .map(|s| Value::from(pmsite::search::decode_digits(w, s).unwrap()))
                .collect()
        }
        _ => digits(v)
            .into_iter()
            .map(|n| Value::from(i64::from(n) - 1))
            .collect(),
    }
}

/// The index as written: term → field → [(document, count)], and the metadata.
struct Index {
    meta: Value,
    postings: BTreeMap<String, BTreeMap<String, Vec<(u64, u64)>>>,
    lines: Vec<Value>,
}

fn read_index(t: &SiteTest) -> Index {
    let mut meta: Value = serde_json::from_str(&t.read("search/meta.json")).unwrap();
    // Per document: beside the header, read here as one.
    let per_doc: serde_json::Map<String, Value> =
        serde_json::from_str(&t.read("search/meta/all.json")).unwrap();
    meta.as_object_mut().unwrap().extend(
        per_doc
            .into_iter()
            .map(|(k, v)| (k.clone(), decode_per_doc(&k, &v))),
    );
    let fields: Vec<String> = meta["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap().to_string())
        .collect();
    let mut postings: BTreeMap<String, BTreeMap<String, Vec<(u64, u64)>>> = BTreeMap::new();
    let mut files = Vec::new();
    for s in 0..meta["shards"].as_u64().unwrap() {
        let parts = meta["parts"][s as usize].as_u64().unwrap() as u32;
        for k in 0..parts {
            let path = pmsite::search::shard_path(s as u32, k, parts);
            files.push(serde_json::from_str(&t.read(&format!("search/{path}"))).unwrap());
        }
    }
    for shard in files {
        let shard: serde_json::Map<String, Value> = shard;
        for (term, list) in shard {
            let a: Vec<u64> = list
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_u64().unwrap())
                .collect();
            let mut i = 0;
            while i < a.len() {
                let field = fields[a[i] as usize].clone();
                let n = a[i + 1] as usize;
                i += 2;
                let mut doc = 0;
                for _ in 0..n {
                    doc += a[i];
                    postings
                        .entry(term.clone())
                        .or_default()
                        .entry(field.clone())
                        .or_default()
                        .push((doc, a[i + 1]));
                    i += 2;
                }
            }
        }
    }
    let chunk = meta["chunk"].as_u64().unwrap();
    let n = meta["n"].as_u64().unwrap();
    let mut lines = Vec::new();
    for k in 0..n.div_ceil(chunk) {
        let c: Vec<Value> =
            serde_json::from_str(&t.read(&format!("search/docs/{k}.json"))).unwrap();
        lines.extend(c);
    }
    Index {
        meta,
        postings,
        lines,
    }
}

impl Index {
    fn doc(&self, id: &str) -> u64 {
        self.lines
            .iter()
            .position(|l| l["id"] == id)
            .unwrap_or_else(|| panic!("{id} is not in the index")) as u64
    }

    /// The documents holding `term` in any field.
    fn docs(&self, term: &str) -> Vec<u64> {
        let mut docs: Vec<u64> = self
            .postings
            .get(term)
            .map(|f| f.values().flatten().map(|p| p.0).collect())
            .unwrap_or_default();
        docs.sort_unstable();
        docs.dedup();
        docs
    }
}

#[test]
fn a_production_index_holds_published_internal_incidents_only() {
    let t = search_library().build();
    let index = read_index(&t);
    assert_eq!(index.meta["n"], 4);
    let ids: Vec<&str> = index
        .lines
        .iter()
        .map(|l| l["id"].as_str().unwrap())
        .collect();
    // Newest first: sorting by date is sorting by document number.
    assert_eq!(ids, ["INC-C", "INC-A", "INC-B", "INC-D"]);
    for hidden in ["quokka", "narwhal", "inc-e", "inc-f"] {
        assert!(index.docs(hidden).is_empty(), "{hidden} is in the index");
    }
    for dir in ["search/shards", "search/docs"] {
        for f in std::fs::read_dir(t.public().join(dir)).unwrap() {
            let text = std::fs::read_to_string(f.unwrap().path()).unwrap();
            assert!(
                !text.contains("quokka") && !text.contains("narwhal"),
                "{text}"
            );
        }
    }

    // A preview with drafts and restricted pages indexes them.
    let t = search_library().drafts().restricted().build();
    let index = read_index(&t);
    assert_eq!(index.meta["n"], 6);
    assert_eq!(index.docs("quokka"), [index.doc("INC-E")]);
    assert_eq!(index.docs("narwhal"), [index.doc("INC-F")]);
}

#[test]
fn terms_are_indexed_as_typed_with_result_lines_and_facets_beside_them() {
    let t = search_library().build();
    let index = read_index(&t);
    let a = index.doc("INC-A");
    let c = index.doc("INC-C");
    // OPS-123, checkout-api, 502 and p99 as elasticlunr's tokenizer splits and stems them.
    let both = if a < c { [a, c] } else { [c, a] };
    assert_eq!(index.docs("op"), both);
    assert_eq!(index.docs("123"), [a]);
    assert_eq!(index.docs("1234"), [c]);
    assert_eq!(index.docs("checkout"), [a]);
    assert_eq!(index.docs("api"), [a]);
    assert_eq!(index.docs("502"), [a]);
    assert_eq!(index.docs("p99"), both);
    // Stop words are not indexed; words are stemmed.
    assert!(index.docs("the").is_empty());
    assert_eq!(index.docs("resolv"), [a, index.doc("INC-B")]);
    // Field by field: the title holds the id and the title; components their names.
    assert_eq!(index.postings["dn"]["title"].len(), 2);
    assert_eq!(index.postings["checkout"]["components"], [(a, 1)]);
    assert_eq!(index.postings["capac"]["root_causes"].len(), 2);
    // A result line holds what the result shows, not the page.
    assert_eq!(
        index.lines[a as usize],
        serde_json::json!({"id": "INC-A", "title": "DNS resolver outage took down checkout-api", "date": "2024-03-01", "severity": "SEV1",
            "summary": "DNS lookups failed, so checkout-api answered 502 for 40 minutes.", "path": "incidents/inc-a/"})
    );
    assert!(!t.read("search/docs/0.json").contains("Rolled back"));
    // Facets: names once, documents by number.
    let m = &index.meta;
    assert_eq!(
        m["facets"]["severity"],
        serde_json::json!(["SEV1", "SEV2", "SEV3"])
    );
    assert_eq!(m["facets"]["year"], serde_json::json!([2024, 2023, 2022]));
    let sev = |id: &str| {
        m["facets"]["severity"][m["severity"][index.doc(id) as usize].as_u64().unwrap() as usize]
            .clone()
    };
    assert_eq!(sev("INC-A"), "SEV1");
    assert_eq!(sev("INC-D"), "SEV3");
    let comps: Vec<&str> = m["component"][a as usize]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            m["facets"]["component"][k.as_u64().unwrap() as usize]
                .as_str()
                .unwrap()
        })
        .collect();
    assert_eq!(comps, ["dns", "checkout-api"]);
    // Field lengths are elasticlunr's: tokens left after the pipeline.
    let title = m["fields"]
        .as_array()
        .unwrap()
        .iter()
        .position(|f| f == "title")
        .unwrap();
    let analyzer = pmsite::search::Analyzer::default();
    let expected = analyzer.tokens("INC-C Payments queue backlog").len();
    assert_eq!(expected, 5, "inc, c, payment, queue, backlog");
    assert_eq!(m["lengths"][title][c as usize], expected);
}

#[test]
fn an_empty_library_has_an_empty_index() {
    let t = SiteTest::new()
        .file("content/notes.txt", "no post-mortems yet")
        .build();
    let index = read_index(&t);
    assert_eq!(index.meta["n"], 0);
    assert_eq!(index.meta["shards"], 1);
    assert!(index.postings.is_empty() && index.lines.is_empty());
    assert!(t.exists("search/index.html"));
}

#[test]
fn search_fields_and_boosts_come_from_the_config() {
    let t = search_library()
        .file(
            "pmsite.toml",
            &format!(
                "{CONFIG}\n[search]\nfields = [\"title\", \"summary\"]\nboost = {{ summary = 5 }}\n"
            ),
        )
        .build();
    let index = read_index(&t);
    assert_eq!(
        index.meta["boost"],
        serde_json::json!([3.0, 5.0, 0.0, 0.0, 0.0, 0.0])
    );
    assert!(index.docs("1234").is_empty(), "the body is not indexed");
    assert!(
        index
            .postings
            .values()
            .all(|f| f.keys().all(|k| k == "title" || k == "summary"))
    );
    assert!(!index.docs("dn").is_empty(), "\"DNS\" is stemmed to dn");
    let bad = SiteTest::new()
        .file(
            "pmsite.toml",
            &format!("{CONFIG}\n[search]\nfields = [\"titel\"]\n"),
        )
        .file(
            "content/a.md",
            &pm("A", "A", "date = 2024-01-01", "\nBody.\n"),
        );
    assert_diag(
        &bad.build_errors(),
        "pmsite.toml:6: error",
        "[search] has no field `titel`",
    );
}

#[test]
fn every_page_has_a_search_box_and_search_has_a_page() {
    let t = search_library().build();
    for page in [
        "index.html",
        "incidents/index.html",
        "incidents/inc-a/index.html",
        "404.html",
    ] {
        t.contains(
            page,
            "<form class=\"site-search\" role=\"search\" action=\"/search/\">",
        )
        .contains(page, "name=\"q\"")
        .contains(page, "src=\"/search-box.js\"");
    }
    t.contains("search/index.html", "id=\"search-q\"")
        .contains("search/index.html", "src=\"/elasticlunr.min.js\"")
        .contains("search/index.html", "data-root=\"/\"")
        .contains("search/index.html", "<noscript>");
    assert!(t.exists("elasticlunr.min.js") && t.exists("search.js"));
}

// ---- In the browser ----

/// The text of every result title, in order.
const TITLES: &str = "Array.from(document.querySelectorAll('#search-results a.result-title')).map(a => a.textContent)";

/// Facet buttons of one facet as "name count" strings.
fn facet(name: &str) -> String {
    format!(
        "Array.from(document.querySelectorAll('[data-facet=\"{name}\"] button')).map(b => b.textContent).join('|')"
    )
}

fn done(b: &Browser) {
    b.wait(
        "the search finished",
        "document.getElementById('search').getAttribute('data-state') === 'done'",
    );
}

fn titles(b: &Browser) -> Vec<String> {
    done(b);
    serde_json::from_value(b.run(&format!("return {TITLES}"))).unwrap()
}

#[test]
#[ignore = "needs Chromium and chromedriver; .ci/run installs them and runs ignored tests"]
fn queries_facets_sorting_and_highlights_in_a_real_browser() {
    let t = search_library().build();
    let site = serve_dir(t.public(), "", false);
    let b = Browser::start();

    b.goto(&format!("{site}/search/?q=dns"));
    // elasticlunr's scoring: DNS in B's shorter title, summary and component list counts
    // for more.
    assert_eq!(
        titles(&b),
        [
            "Stale DNS cache after a resolver restart",
            "DNS resolver outage took down checkout-api"
        ]
    );
    assert_eq!(
        b.run(&format!("return {}", facet("severity"))),
        "SEV1 1|SEV2 1"
    );
    assert_eq!(
        b.run(&format!("return {}", facet("component"))),
        "dns 2|checkout-api 1"
    );
    assert_eq!(b.run(&format!("return {}", facet("year"))), "2024 1|2023 1");
    // The matched words are marked, in titles and summaries, and nothing else is.
    assert_eq!(
        b.run("return Array.from(document.querySelectorAll('#search-results mark')).map(m => m.textContent)"),
        serde_json::json!(["DNS", "DNS", "DNS", "DNS"])
    );
    assert_eq!(
        b.run("return document.querySelector('.result .sev').textContent + ' ' + document.querySelector('.result time').textContent"),
        "SEV2 2023-05-02"
    );

    // A facet narrows the results; its own counts stay, the others follow; the URL says so.
    b.run("document.querySelector('[data-facet=\"severity\"] button[data-value=\"SEV2\"]').click(); return true");
    assert_eq!(titles(&b), ["Stale DNS cache after a resolver restart"]);
    assert!(
        b.url().ends_with("/search/?q=dns&severity=SEV2"),
        "{}",
        b.url()
    );
    assert_eq!(
        b.run(&format!("return {}", facet("severity"))),
        "SEV1 1|SEV2 1"
    );
    assert_eq!(b.run(&format!("return {}", facet("component"))), "dns 1");

    // A shared link restores the query, the facets and the sort.
    b.goto(&format!(
        "{site}/search/?q=capacity&sort=date&root-cause=capacity"
    ));
    assert_eq!(
        titles(&b),
        [
            "Payments queue backlog",
            "Stale DNS cache after a resolver restart"
        ]
    );
    assert_eq!(
        b.run("return document.getElementById('search-q').value"),
        "capacity"
    );
    assert_eq!(
        b.run("return document.getElementById('search-sort').value"),
        "date"
    );
    assert_eq!(
        b.run("return document.querySelector('[data-facet=\"root-cause\"] button[aria-pressed=\"true\"]').dataset.value"),
        "capacity"
    );

    // Terms as typed: a ticket id, a component with a hyphen, a status code, a percentile.
    for (query, first, count) in [
        ("OPS-123", "DNS resolver outage took down checkout-api", 1),
        (
            "checkout-api",
            "DNS resolver outage took down checkout-api",
            1,
        ),
        ("502", "DNS resolver outage took down checkout-api", 1),
        ("p99", "Payments queue backlog", 2),
        ("payment backlogs", "Payments queue backlog", 1),
        ("resolv", "DNS resolver outage took down checkout-api", 2),
    ] {
        b.goto(&format!("{site}/search/?q={}", query.replace(' ', "+")));
        let got = titles(&b);
        assert_eq!(got.len(), count, "{query}: {got:?}");
        assert_eq!(got[0], first, "{query}: {got:?}");
    }
    // A query of stop words alone lists everything; a facet value the library lacks, nothing.
    b.goto(&format!("{site}/search/?q=the+and"));
    assert_eq!(titles(&b).len(), 4);
    assert!(
        b.run("return document.getElementById('search-status').textContent")
            .as_str()
            .unwrap()
            .starts_with("Only common words")
    );
    b.goto(&format!("{site}/search/?q=dns&severity=SEV9"));
    assert!(titles(&b).is_empty());
    // Every word must match: no incident is about both DNS and payments.
    b.goto(&format!("{site}/search/?q=dns+payments"));
    assert!(titles(&b).is_empty());
    assert!(
        b.run("return document.getElementById('search-status').textContent")
            .as_str()
            .unwrap()
            .starts_with("0 post-mortems")
    );

    // Typing updates the results and the URL without a reload.
    b.run("window.pmsiteMark = 1; return true");
    b.run("document.getElementById('search-q').focus(); return true");
    b.run("document.getElementById('search-q').select(); return true");
    b.keys("login");
    b.wait("typing searched", "location.search === '?q=login'");
    assert_eq!(titles(&b), ["Login errors after a deploy"]);
    assert_eq!(b.run("return window.pmsiteMark"), 1);
}

#[test]
#[ignore = "needs Chromium and chromedriver; .ci/run installs them and runs ignored tests"]
fn the_keyboard_finds_and_opens_a_result() {
    let t = search_library().build();
    let site = serve_dir(t.public(), "", false);
    let b = Browser::start();
    b.goto(&format!("{site}/incidents/inc-d/"));
    // "/" focuses the header's box on any page; Enter searches.
    b.keys("/");
    assert_eq!(b.run("return document.activeElement.id"), "site-search-q");
    b.keys(&format!("dns{ENTER}"));
    b.wait("the search page opened", "location.pathname === '/search/'");
    assert_eq!(titles(&b).len(), 2);
    // On the search page "/" focuses its own box; arrows walk the results; Enter opens one.
    b.keys("/");
    assert_eq!(b.run("return document.activeElement.id"), "search-q");
    b.keys(ARROW_DOWN);
    assert_eq!(
        b.run("return document.activeElement.textContent"),
        "Stale DNS cache after a resolver restart"
    );
    b.keys(&format!("{ARROW_DOWN}{ARROW_DOWN}"));
    assert_eq!(
        b.run("return document.activeElement.textContent"),
        "DNS resolver outage took down checkout-api"
    );
    b.keys(ARROW_UP);
    assert_eq!(
        b.run("return document.activeElement.textContent"),
        "Stale DNS cache after a resolver restart"
    );
    b.keys(ARROW_UP);
    assert_eq!(b.run("return document.activeElement.id"), "search-q");
    b.keys(&format!("{ARROW_DOWN}{ARROW_DOWN}{ENTER}"));
    b.wait(
        "the result opened",
        "location.pathname === '/incidents/inc-a/'",
    );
}

#[test]
#[ignore = "needs Chromium and chromedriver; .ci/run installs them and runs ignored tests"]
fn search_works_under_a_sub_path_and_from_serve() {
    let t = search_library().file(
        "pmsite.toml",
        &CONFIG.replace(
            "https://incidents.example.com",
            "https://intranet.example.com/sre/incidents/",
        ),
    );
    let t = t.build();
    let site = serve_dir(t.public(), "/sre/incidents", false);
    let b = Browser::start();
    b.goto(&format!("{site}/sre/incidents/search/?q=payments"));
    assert_eq!(titles(&b), ["Payments queue backlog"]);
    assert_eq!(
        b.run("return document.querySelector('#search-results a').getAttribute('href')"),
        "/sre/incidents/incidents/inc-c/"
    );

    // `pmsite serve` previews drafts, and searches them.
    let s = Server::start(&t);
    b.goto(&format!("http://127.0.0.1:{}/search/?q=quokka", s.port));
    assert_eq!(titles(&b), ["DNS draft about a quokka"]);
    b.goto(&format!("http://127.0.0.1:{}/search/?q=dns", s.port));
    assert_eq!(titles(&b).len(), 3);
}

#[test]
#[ignore = "needs Chromium and chromedriver; .ci/run installs them and runs ignored tests"]
fn the_browser_splits_words_and_picks_shards_as_the_build_does() {
    let t = search_library().build();
    let site = serve_dir(t.public(), "", false);
    let b = Browser::start();
    b.goto(&format!("{site}/search/"));
    done(&b);
    let words = [
        "Connections",
        "connecting",
        "OPS-123",
        "p99",
        "502s",
        "checkout-api",
        "resolvers'",
        "Zürich",
        "naïve",
        "_private_",
        "don't",
        "it's",
        "a.b.c",
        "x_y",
        "happy",
        "syzygy",
        "generalizations",
        "(dnsmasq)",
        "the",
        "İstanbul",
        "数据库",
    ];
    let analyzer = pmsite::search::Analyzer::default();
    let js = b.run(&format!(
        "var idx = elasticlunr(); return {}.map(w => idx.pipeline.run(elasticlunr.tokenizer(w)));",
        serde_json::to_string(&words).unwrap()
    ));
    for (w, tokens) in words.iter().zip(js.as_array().unwrap()) {
        assert_eq!(tokens, &serde_json::json!(analyzer.tokens(w)), "{w}");
    }
    let terms = [
        "dns",
        "connect",
        "zürich",
        "p99",
        "数据库",
        "a",
        "op",
        "123",
        "ünïcödé",
    ];
    for shards in [1u32, 128, 4096] {
        let js = b.run(&format!(
            "return {}.map(t => window.pmsiteShardOf(t, 3, {shards}))",
            serde_json::to_string(&terms).unwrap()
        ));
        let rust: Vec<u32> = terms
            .iter()
            .map(|t| pmsite::search::shard_of(t, shards))
            .collect();
        assert_eq!(js, serde_json::json!(rust), "{shards} shards");
    }
}

#[test]
#[ignore = "needs Chromium and chromedriver; .ci/run installs them and runs ignored tests"]
fn long_result_lists_come_a_page_at_a_time() {
    let mut t = SiteTest::new();
    for i in 0..27 {
        t = t.file(
            &format!("content/w{i:02}.md"),
            &pm(
                &format!("W-{i:02}"),
                &format!("Widget outage {i:02}"),
                &format!("date = 2024-01-{:02}", i + 1),
                "\nThe widget broke.\n",
            ),
        );
    }
    let t = t
        .file(
            "content/x.md",
            "+++\ntitle = \"Widget <img src=x onerror=window.pwned=1>\"\nid = \"X\"\nsummary = \"A widget </script><b>bold</b> & more\"\n+++\n",
        )
        .build();
    let site = serve_dir(t.public(), "", false);
    let b = Browser::start();
    // Titles and summaries are text, whatever they contain.
    b.goto(&format!("{site}/search/?q=img+widget"));
    assert_eq!(titles(&b), ["Widget <img src=x onerror=window.pwned=1>"]);
    assert_eq!(
        b.run("return [window.pwned === undefined, document.querySelectorAll('#search-results img, #search-results b').length, document.querySelector('.result-summary').textContent]"),
        serde_json::json!([true, 0, "A widget </script><b>bold</b> & more"])
    );
    b.goto(&format!("{site}/search/?q=widget&sort=date"));
    let first = titles(&b);
    assert_eq!(first.len(), 20);
    assert_eq!(first[0], "Widget outage 26", "newest first");
    assert_eq!(
        b.run("return document.getElementById('search-more').hidden"),
        false
    );
    b.run("document.getElementById('search-more').click(); return true");
    b.wait(
        "the next page was shown",
        "document.querySelectorAll('#search-results li').length === 28",
    );
    assert_eq!(
        b.run("return document.getElementById('search-more').hidden"),
        true
    );
    assert_eq!(
        b.run("return document.querySelector('#search-results li:last-child a').textContent"),
        "Widget <img src=x onerror=window.pwned=1>",
        "undated, last"
    );
}

#[test]
#[ignore = "needs Chromium and chromedriver; .ci/run installs them and runs ignored tests"]
fn ids_stay_whole_typos_get_a_suggestion_and_the_status_says_what_is_filtered() {
    // A near miss gives the library a Type facet that the results of `dns` do not have.
    let t = search_library()
        .file(
            "content/nm.md",
            &pm(
                "NM-1",
                "Near miss on the ledger",
                "type = \"near-miss\"\ndate = 2024-02-01",
                "",
            ),
        )
        .build();
    let site = serve_dir(t.public(), "", false);
    let b = Browser::start();
    // A ticket key finds its post-mortem, not every page with `ops` and `123`.
    b.goto(&format!("{site}/search/?q=OPS-123"));
    assert_eq!(
        titles(&b),
        vec!["DNS resolver outage took down checkout-api"]
    );
    b.goto(&format!("{site}/search/?q=ops-1234"));
    assert_eq!(titles(&b), vec!["Payments queue backlog"]);
    b.goto(&format!("{site}/search/?q=inc-b"));
    assert_eq!(titles(&b), vec!["Stale DNS cache after a resolver restart"]);
    // One result is "matches"; a filter is named.
    b.goto(&format!("{site}/search/?q=payments"));
    done(&b);
    let status = b.run("return document.getElementById('search-status').textContent");
    assert_eq!(status, "1 post-mortem matches \u{201c}payments\u{201d}.");
    b.goto(&format!("{site}/search/?q=dns&severity=SEV2"));
    done(&b);
    let status = b.run("return document.getElementById('search-status').textContent");
    assert_eq!(
        status,
        "1 post-mortem matches \u{201c}dns\u{201d}, with severity SEV2."
    );
    // A typo: nothing found, and the nearest indexed word offered as a link that finds it.
    b.goto(&format!("{site}/search/?q=resolvr"));
    done(&b);
    let status = b.run("return document.getElementById('search-status').textContent");
    assert!(
        status
            .as_str()
            .unwrap()
            .starts_with("0 post-mortems match \u{201c}resolvr\u{201d}. Did you mean resolv"),
        "{status}"
    );
    b.run("document.querySelector('#search-status a.suggestion').click()");
    assert_eq!(
        titles(&b).len(),
        2,
        "the suggestion finds the resolver incidents"
    );
    // A mistyped id: the nearest id, written as ids are typed, never the query itself.
    b.goto(&format!("{site}/search/?q=OPS-1235"));
    done(&b);
    let status = b.run("return document.getElementById('search-status').textContent");
    assert_eq!(
        status,
        "0 post-mortems match \u{201c}OPS-1235\u{201d}. Did you mean OPS-123?"
    );
    b.run("document.querySelector('#search-status a.suggestion').click()");
    assert_eq!(
        titles(&b).len(),
        1,
        "the suggested id finds its post-mortem"
    );
    b.goto(&format!("{site}/search/?q=zzzzqqqq"));
    done(&b);
    assert_eq!(
        b.run("return document.querySelectorAll('#search-status a.suggestion').length"),
        0
    );
    // Arriving from the header's box, focus is on the first result; one search landmark;
    // the results come before the filters in Tab order.
    b.goto(&format!("{site}/"));
    b.run("document.getElementById('site-search-q').value = 'dns'; document.querySelector('.site-search').submit()");
    b.wait("on the search page", "location.pathname === '/search/'");
    done(&b);
    b.wait(
        "focus on a result",
        "document.activeElement && document.activeElement.classList.contains('result-title')",
    );
    assert_eq!(
        b.run("return document.querySelectorAll('[role=search], search').length"),
        1
    );
    let order = b.run("const r = document.getElementById('search-results'), f = document.getElementById('search-facets'); return !!(r.compareDocumentPosition(f) & Node.DOCUMENT_POSITION_FOLLOWING)");
    assert_eq!(order, true, "results precede the filters");
    // A facet no result has is not drawn as an empty heading.
    let empty = b.run("return Array.from(document.querySelectorAll('#search-facets .facet')).filter(f => !f.querySelector('button')).length");
    assert_eq!(empty, 0);
}

/// A post-mortem that matches in its body alone shows the passage that matched, marked,
/// under its summary; one whose summary matches shows no passage.
#[test]
#[ignore = "needs Chromium and chromedriver; .ci/run installs them and runs ignored tests"]
fn a_body_only_match_shows_its_passage() {
    let t = search_library().build();
    let site = serve_dir(t.public(), "", false);
    let b = Browser::start();
    b.goto(&format!("{site}/search/?q=domain"));
    assert_eq!(titles(&b), ["DNS resolver outage took down checkout-api"]);
    b.wait(
        "the passage",
        "!!document.querySelector('.result-passage:not([hidden]) mark')",
    );
    assert_eq!(
        b.run("return document.querySelector('.result-passage').textContent"),
        "A resolver config change dropped the search domain."
    );
    assert_eq!(
        b.run("return Array.from(document.querySelectorAll('.result-passage mark')).map(m => m.textContent)"),
        serde_json::json!(["domain"])
    );
    b.goto(&format!("{site}/search/?q=stale"));
    assert_eq!(titles(&b), ["Stale DNS cache after a resolver restart"]);
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert_eq!(
        b.run("return document.querySelectorAll('.result-passage').length"),
        0
    );
}

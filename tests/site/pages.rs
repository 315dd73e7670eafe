//! Every kind of page in real headless Chromium, at desktop and phone widths, light and dark:
//! axe-core (from npm, WCAG 2 A and AA) finds nothing, nothing overflows the phone's width or
//! hides in a side-scrolling box, the console has no error, and a screenshot of each is kept in
//! `target/screenshots/` to look at.

use std::path::PathBuf;

use crate::harness::*;
use crate::webdriver::{Browser, serve_dir};

/// axe-core, installed by `.ci/run` (`npm install --prefix target/axe axe-core`).
fn axe_source() -> String {
    let path = std::env::var_os("PMSITE_AXE")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("target/axe/node_modules/axe-core/axe.min.js")
        });
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "axe-core is not at {} ({e}): run `npm install --no-save --prefix target/axe axe-core@4` (the accessibility tests must not be skipped)",
            path.display()
        )
    })
}

/// The pages a reader meets: one of each kind.
const PAGES: &[&str] = &[
    "",
    "incidents/",
    "incidents/inc-2024-017/",
    "incidents/nm-2025-002/",
    "components/",
    "components/postgres/",
    "root-causes/change/",
    "actions/",
    "actions/owners/",
    "patterns/",
    "external/",
    "review/",
    "teams/",
    "teams/shop/",
    "reinvestment/",
    "reviews/",
    "reviews/2024-q1/",
    "search/?q=config",
];

struct Mode {
    name: &'static str,
    width: u32,
    height: u32,
    flags: &'static [&'static str],
}

const MODES: &[Mode] = &[
    Mode {
        name: "desktop",
        width: 1366,
        height: 900,
        flags: &[],
    },
    Mode {
        name: "phone",
        width: 390,
        height: 844,
        flags: &[],
    },
    Mode {
        name: "dark",
        width: 1366,
        height: 900,
        flags: &[
            "--force-dark-mode",
            "--blink-settings=preferredColorScheme=0",
        ],
    },
];

/// What one page failed on, as lines.
fn problems(browser: &Browser, axe: &str) -> Vec<String> {
    let mut out = Vec::new();
    browser.run(axe.trim_end_matches(';'));
    let result = browser.run_async(
        "const done = arguments[arguments.length - 1];
         axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa'] } })
           .then(r => done(r.violations.map(v => v.id + ': ' + v.help + ' (' + v.nodes.length + '×: ' + v.nodes.slice(0, 2).map(n => n.target.join(' ')).join(' | ') + ')')))
           .catch(e => done(['axe failed: ' + e]));",
    );
    for v in result.as_array().into_iter().flatten() {
        out.push(format!("axe {}", v.as_str().unwrap_or_default()));
    }
    let overflow = browser.run(
        "const w = document.documentElement.clientWidth;
         const out = [];
         if (document.documentElement.scrollWidth > w + 1) out.push('the page is ' + document.documentElement.scrollWidth + 'px wide in ' + w + 'px');
         for (const el of document.querySelectorAll('main *')) {
           const s = getComputedStyle(el);
           if ((s.overflowX === 'auto' || s.overflowX === 'scroll') && el.scrollWidth > el.clientWidth + 1 && el.tagName !== 'PRE')
             out.push('a side-scrolling ' + el.tagName.toLowerCase() + '.' + el.className + ' (' + el.scrollWidth + 'px in ' + el.clientWidth + 'px)');
         }
         return out.slice(0, 5);",
    );
    for o in overflow.as_array().into_iter().flatten() {
        out.push(o.as_str().unwrap_or_default().to_string());
    }
    out
}

#[test]
#[ignore = "needs Chromium, chromedriver and axe-core; .ci/run installs them and runs ignored tests"]
fn every_page_passes_axe_and_fits_a_phone_in_light_and_dark() {
    let axe = axe_source();
    let t = example_library().drafts().restricted().build();
    let site = serve_dir(t.public(), "", false);
    let shots = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let mut failures = Vec::new();
    for mode in MODES {
        let browser = Browser::start_with(mode.flags);
        browser.resize(mode.width, mode.height);
        for page in PAGES {
            browser.goto(&format!("{site}/{page}"));
            if page.starts_with("search/") {
                browser.wait(
                    "search results",
                    "document.querySelector('#search').getAttribute('data-state') === 'done'",
                );
            }
            let name = if page.is_empty() {
                "home".to_string()
            } else {
                page.replace(['/', '?', '='], "_")
            };
            // The whole page, in a window as tall as it (up to 6,000 px), then back.
            let tall = browser
                .run("return document.documentElement.scrollHeight")
                .as_u64()
                .unwrap_or(0);
            browser.resize(mode.width, (tall as u32).clamp(mode.height, 6000));
            std::fs::write(
                shots.join(format!("{name}-{}.png", mode.name)),
                browser.screenshot(),
            )
            .unwrap();
            browser.resize(mode.width, mode.height);
            // The phone checks width; every mode checks axe (contrast differs in dark).
            let mut found = problems(&browser, &axe);
            if mode.name != "phone" {
                found.retain(|p| p.starts_with("axe"));
            }
            for p in found {
                failures.push(format!("/{page} ({}): {p}", mode.name));
            }
            for e in browser.console() {
                failures.push(format!("/{page} ({}): console: {e}", mode.name));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} problems; screenshots in {}:\n{}",
        failures.len(),
        shots.display(),
        failures.join("\n")
    );
}

#[test]
#[ignore = "needs Chromium and chromedriver; .ci/run installs them and runs ignored tests"]
fn printed_pages_keep_every_column_on_the_paper_and_print_link_targets() {
    let t = example_library().build();
    let site = serve_dir(t.public(), "", false);
    let browser = Browser::start();
    // A4 at 96 dpi less the default margins is about 700 CSS pixels wide.
    browser.resize(700, 1000);
    let mut failures = Vec::new();
    for page in [
        "actions/",
        "patterns/",
        "incidents/inc-2024-017/",
        "incidents/",
    ] {
        browser.goto(&format!("{site}/{page}"));
        browser.post(
            "goog/cdp/execute",
            serde_json::json!({"cmd": "Emulation.setEmulatedMedia", "params": {"media": "print"}}),
        );
        let found = browser.run(
            "const out = [];
             const w = document.documentElement.clientWidth;
             if (document.documentElement.scrollWidth > w + 1) out.push('page ' + document.documentElement.scrollWidth + 'px wide in ' + w + 'px');
             for (const el of document.querySelectorAll('table')) if (el.getBoundingClientRect().right > w + 1) out.push('a table ends at ' + Math.round(el.getBoundingClientRect().right) + 'px');
             const search = document.querySelector('.site-search');
             if (search && getComputedStyle(search).display !== 'none') out.push('the search box prints');
             for (const el of document.querySelectorAll('.timeline > li:not(.tl-gap)')) if (el.getBoundingClientRect().left - 8 < 0) out.push('a timeline dot is off the paper');
             const ext = [...document.querySelectorAll('main a[href^=\"http\"]')][0];
             if (ext && !getComputedStyle(ext, '::after').content.includes('http')) out.push('a link prints without its URL');
             return out.slice(0, 5);",
        );
        for f in found.as_array().into_iter().flatten() {
            failures.push(format!("/{page}: {}", f.as_str().unwrap_or_default()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_nav_marks_the_current_section_and_dates_read_as_words() {
    let t = example_library().build();
    let current = |page: &str, link: &str| {
        let html = t.read(page);
        let nav = &html[html.find("<nav").unwrap()..html.find("</nav>").unwrap()];
        let marked: Vec<&str> = nav
            .split("<a ")
            .filter(|a| a.contains("aria-current=\"page\""))
            .collect();
        assert_eq!(marked.len(), 1, "{page}: {nav}");
        assert!(marked[0].contains(&format!(">{link}</a>")), "{page}: {nav}");
    };
    current("actions/index.html", "Actions");
    current("actions/owners/index.html", "Actions");
    current("incidents/inc-2024-017/index.html", "Incidents");
    current("components/postgres/index.html", "Components");
    current("root-causes/index.html", "Root causes");
    current("external/index.html", "Customer messages");
    current("teams/shop/index.html", "Teams");
    let home = t.read("index.html");
    assert!(
        !home[home.find("<nav").unwrap()..home.find("</nav>").unwrap()].contains("aria-current")
    );
    // The footer's build time as words, the machine form in `datetime`.
    let footer = &home[home.find("<footer").unwrap()..];
    assert!(
        regex::Regex::new(r#"built <time datetime="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ">\d{1,2} [A-Z][a-z]+ \d{4}, \d\d:\d\d UTC</time>"#)
            .unwrap()
            .is_match(footer),
        "{footer}"
    );
    // "Latest published" shows when each was published; the overdue count is a link.
    assert!(home.contains("Checkout API returned 500s after a config push</a> <span class=\"muted\">published 2024-03-19, began 2024-03-12</span>"), "{home}");
    assert!(home.contains("<a href=\"/actions/#items\">"), "{home}");
    assert!(home.contains("<link rel=\"icon\" href=\"/favicon.svg\""));
    assert!(t.exists("favicon.svg"));
}

#[test]
fn long_lists_are_pages_linked_in_order() {
    let mut t = SiteTest::new();
    for k in 0..1050 {
        let body = if k < 150 {
            "\n## External message\n\nSorry.\n"
        } else {
            ""
        };
        t = t.file(
            &format!("content/{k:04}.md"),
            &toml_pm(
                &format!("INC-{k:04}"),
                &format!("Incident {k:04}"),
                &format!(
                    "date = 2024-01-01T{:02}:{:02}:00Z\ntags = [\"everywhere\"]",
                    k / 60 % 24,
                    k % 60
                ),
                body,
            ),
        );
    }
    let t = t.build();
    // 1,050 incidents at 500 a page: three pages of the list and of the tag.
    for first in ["incidents/", "tags/everywhere/"] {
        t.contains(&format!("{first}index.html"), "Page 1 of 3")
            .contains(
                &format!("{first}index.html"),
                &format!("<a href=\"/{first}page/2/\" rel=\"next\">"),
            )
            .contains(
                &format!("{first}page/3/index.html"),
                &format!("<a href=\"/{first}page/2/\" rel=\"prev\">"),
            )
            .lacks(&format!("{first}page/3/index.html"), "rel=\"next\"");
        let rows: usize = ["index.html", "page/2/index.html", "page/3/index.html"]
            .iter()
            .map(|p| t.read(&format!("{first}{p}")).matches("</td></tr>").count())
            .sum();
        assert_eq!(rows, 1050, "{first}: every incident once");
    }
    // 150 customer messages at 100 a page.
    t.contains("external/index.html", "150 messages; page 1 of 2")
        .contains("external/page/2/index.html", "Page 2 of 2");
    assert!(!t.exists("external/page/3/index.html"));
}

#[test]
fn the_incident_page_leads_with_its_numbers_and_milestones() {
    let t = example_library().build();
    let page = "incidents/inc-2024-017/index.html";
    let html = t.read(page);
    // Title and summary, then the numbers, formatted, then the milestone bar.
    let at = |needle: &str| {
        html.find(needle)
            .unwrap_or_else(|| panic!("no {needle:?} in {page}"))
    };
    assert!(
        at("<h1>") < at("class=\"lede\"") && at("class=\"lede\"") < at("class=\"key-numbers\"")
    );
    t.contains(page, "<li><span class=\"key-n\">36m</span> customer impact</li><li><span class=\"key-n\">1h 11m</span> to resolve</li><li><span class=\"key-n\">7 days</span> resolution to publication</li><li><span class=\"key-n\">1,200</span> customers affected</li>")
        .contains(page, "<li class=\"ms\"><span class=\"ms-label\">Impact began</span> <time datetime=\"2024-03-12T21:04:00Z\">21:04 UTC</time></li><li class=\"ms-gap\" aria-hidden=\"true\">7m</li><li class=\"ms\"><span class=\"ms-label\">Detected</span>");
    // The facts beside the story, after the header.
    assert!(at("</header>") < at("<aside class=\"incident-side\""));
    // Contents number the page's top headings only.
    assert!(
        html.contains("<li class=\"toc-2 toc-top\"><a href=\"#summary\">Summary</a></li>"),
        "{page}"
    );
    assert!(
        html.contains("<li class=\"toc-3\"><a href=\"#contributing-factors\">"),
        "{page}"
    );
    // A milestone the text already names is not labelled twice.
    assert!(html.contains("<span class=\"tl-text\">Config push reaches all <code>checkout-api</code> pods; OUTAGE BEGINS</span>"), "{page}");
}

#[test]
fn a_long_quiet_spell_in_the_timeline_is_shown() {
    let t = SiteTest::one(
        "date = 2024-03-01T10:00:00Z",
        "\n## Timeline\n\n- 2024-03-01 10:00 Errors begin\n- 2024-03-01 10:05 Paged\n- 2024-03-02 16:05 Fix deployed\n",
    );
    let page = "incidents/inc-1/index.html";
    t.contains(page, "<li class=\"tl-gap\"><span>1d 6h later</span></li>");
    assert_eq!(
        t.read(page).matches("class=\"tl-gap\"").count(),
        1,
        "five minutes is no gap"
    );
}

#[test]
fn a_component_page_says_how_the_component_is_doing() {
    let mut t = example_library();
    t.today = chrono::NaiveDate::from_ymd_opt(2024, 8, 1).unwrap();
    let t = t.build();
    let page = "components/postgres/index.html";
    // postgres: INC-2024-041 (July 2) in the last 90 days, INC-2024-017 (March 12) before.
    t.contains(
        page,
        "<span class=\"key-n\">1</span> in the last 90 days (1 the 90 before)",
    )
    .contains(page, "median time to resolve (library: ")
    .contains(page, "open action item")
    .contains(page, "<h2>Open action items</h2>");
    t.contains("patterns/index.html", "href=\"/impact.csv\"")
        .contains(
            "index.html",
            "href=\"/impact.csv\">impact.csv</a> for a spreadsheet",
        );
}

#[test]
#[ignore = "needs Chromium and chromedriver; .ci/run installs them and runs ignored tests"]
fn a_filter_on_a_paged_list_finds_the_matches_of_every_page() {
    let mut t = SiteTest::new();
    for k in 0..520 {
        let component = if k % 100 == 7 { "ledger" } else { "web" };
        t = t.file(
            &format!("content/{k:04}.md"),
            &toml_pm(
                &format!("INC-{k:04}"),
                &format!("Incident {k:04}"),
                &format!(
                    "date = 2024-01-01T{:02}:{:02}:00Z\ncomponents = [\"{component}\"]",
                    k / 60 % 24,
                    k % 60
                ),
                "",
            ),
        );
    }
    let t = t.build();
    let site = serve_dir(t.public(), "", false);
    let b = Browser::start();
    b.goto(&format!("{site}/incidents/"));
    b.wait(
        "the filters are shown",
        "!document.querySelector('form.filters').hidden",
    );
    // `ledger` is on six incidents, spread over both pages of the list.
    b.run("const s = document.querySelector('select[name=component]'); s.value = 'ledger'; s.dispatchEvent(new Event('change', {bubbles: true}));");
    b.wait(
        "on the search page",
        "location.pathname === '/search/' && location.search === '?component=ledger'",
    );
    b.wait(
        "results",
        "document.getElementById('search').getAttribute('data-state') === 'done'",
    );
    assert_eq!(
        b.run("return document.querySelectorAll('#search-results li').length"),
        6,
        "every page's matches"
    );
}

/// A row carries only the filter data its cells do not hold: the year and the date's
/// order come from its `<time>`, a published row has no status; the filters and sorting
/// work from those as they did from attributes.
#[test]
#[ignore = "needs Chromium and chromedriver; .ci/run installs them and runs ignored tests"]
fn list_filters_and_sorting_read_the_rows_cells() {
    let t = SiteTest::new()
        .file(
            "content/a.md",
            &toml_pm(
                "INC-A",
                "Ledger stalled",
                "date = 2023-05-02T10:00:00Z\nseverity = \"SEV1\"",
                "",
            ),
        )
        .file(
            "content/b.md",
            &toml_pm(
                "INC-B",
                "Queue grew",
                "date = 2024-07-09T10:00:00Z\nseverity = \"SEV2\"",
                "",
            ),
        )
        .file(
            "content/c.md",
            &toml_pm(
                "INC-C",
                "Cache cold",
                "date = 2024-01-15T10:00:00Z\nseverity = \"SEV2\"",
                "",
            ),
        )
        .build();
    let page = t.read("incidents/index.html");
    assert!(!page.contains("data-year") && !page.contains("data-status=\"published\""));
    let site = serve_dir(t.public(), "", false);
    let b = Browser::start();
    b.goto(&format!("{site}/incidents/"));
    b.wait(
        "the filters are shown",
        "!document.querySelector('form.filters').hidden",
    );
    let shown = "return Array.from(document.querySelectorAll('#incident-table tbody tr')).filter(r => !r.hidden).map(r => r.cells[1].querySelector('a').textContent)";
    let pick = |name: &str, value: &str| {
        b.run(&format!("const s = document.querySelector('select[name={name}]'); s.value = '{value}'; s.dispatchEvent(new Event('change', {{bubbles: true}}));"));
    };
    pick("year", "2024");
    assert_eq!(
        b.run(shown),
        serde_json::json!(["Queue grew", "Cache cold"])
    );
    pick("severity", "SEV2");
    pick("year", "2023");
    assert_eq!(b.run(shown), serde_json::json!([]));
    pick("year", "");
    pick("status", "published");
    assert_eq!(
        b.run(shown),
        serde_json::json!(["Queue grew", "Cache cold"])
    );
    pick("severity", "");
    // Oldest first, by the date's datetime.
    b.run("document.querySelector('#incident-table thead th button').click()");
    assert_eq!(
        b.run(shown),
        serde_json::json!(["Ledger stalled", "Cache cold", "Queue grew"])
    );
}

//! Indexes, the action tracker, patterns, related incidents, external messages, impact.csv
//! and the review queue, asserted exactly on one fixture library.

use crate::harness::*;

fn fixture() -> SiteTest {
    SiteTest::new()
        .file(
            "content/a.md",
            &toml_pm(
                "INC-A",
                "Checkout failed after a config push",
                "date = 2024-01-10T10:00:00Z\ndetected = 2024-01-10T10:05:00Z\nresolved = 2024-01-10T10:30:00Z\nseverity = \"SEV1\"\ncomponents = [\"checkout-api\", \"postgres\"]\nroot_causes = [\"config-change\"]\ntags = [\"deploy\"]\n\n[impact]\ncustomers_affected = 100\nrevenue_lost = \"=SUM(1)\"\nnote = \"Said \\\"hi\\\", ok\"",
                "\n## Action items\n\n- [ ] Validate config ranges @bob due:2024-02-01 P1\n- [x] Roll back @ann due:2024-01-20 P0\n\n## External message\n\nCheckouts failed for 30 minutes.\n",
            ),
        )
        .file(
            "content/b.md",
            &toml_pm(
                "INC-B",
                "Checkout slow after another config push",
                "date = 2024-02-20T08:00:00Z\ndetected = 2024-02-20T08:20:00Z\nresolved = 2024-02-20T09:00:00Z\nseverity = \"SEV2\"\ncomponents = [\"checkout-api\"]\nroot_causes = [\"config-change\"]\ntags = [\"Deploy\"]\n\n[impact]\ncustomers_affected = 20",
                "\n## Action items\n\n- [ ] Canary config changes @bob due:2027-01-01\n- [ ] Write the runbook\n",
            ),
        )
        .file(
            "content/c.md",
            &toml_pm(
                "INC-C",
                "Search timed out",
                "date = 2024-09-01\nseverity = \"SEV3\"\ncomponents = [\"search-api\"]\nroot_causes = [\"capacity\"]\ntags = [\"latency\"]",
                "\n## Analysis\n\nElasticsearch heap pressure caused long garbage collection pauses on the indexer nodes.\n",
            ),
        )
        .file(
            "content/d.md",
            &toml_pm(
                "INC-D",
                "Invoices were late",
                "date = 2024-10-01\nseverity = \"SEV3\"\ncomponents = [\"billing\"]\nroot_causes = [\"code-bug\"]",
                "\n## Analysis\n\nThe billing worker hit elasticsearch heap pressure and garbage collection pauses on indexer nodes.\n",
            ),
        )
        .file(
            "content/e.md",
            &toml_pm("INC-E", "Draft about a payments outage", "date = 2024-11-01\nstatus = \"draft\"\nseverity = \"SEV1\"", "\nBody.\n"),
        )
}

/// Where each needle first appears, asserting all are present.
#[track_caller]
fn positions(t: &SiteTest, path: &str, needles: &[&str]) -> Vec<usize> {
    let html = t.read(path);
    needles
        .iter()
        .map(|n| html.find(n).unwrap_or_else(|| panic!("{path} lacks {n:?}")))
        .collect()
}

#[track_caller]
fn assert_in_order(t: &SiteTest, path: &str, needles: &[&str]) {
    let p = positions(t, path, needles);
    assert!(
        p.windows(2).all(|w| w[0] < w[1]),
        "{path}: expected order {needles:?}, found at {p:?}"
    );
}

#[test]
fn taxonomy_indexes_count_and_order_terms() {
    let t = fixture().build();
    let idx = "components/index.html";
    t.contains(
        idx,
        "<td><a href=\"/components/checkout-api/\">checkout-api</a></td><td data-sort=\"2\">2</td>",
    )
    .contains(
        idx,
        "<td><a href=\"/components/billing/\">billing</a></td><td data-sort=\"1\">1</td>",
    );
    // Most incidents first, then by name.
    assert_in_order(
        &t,
        idx,
        &[
            "checkout-api</a>",
            "billing</a>",
            "postgres</a>",
            "search-api</a>",
        ],
    );
    // Severities follow the scale, not the count.
    assert_in_order(
        &t,
        "severities/index.html",
        &["SEV1</a>", "SEV2</a>", "SEV3</a>"],
    );
    t.contains(
        "severities/index.html",
        "<td><a href=\"/severities/sev3/\">SEV3</a></td><td data-sort=\"2\">2</td>",
    );
    // A term page lists its incidents newest first with severity and time to resolve.
    let page = "components/checkout-api/index.html";
    assert_in_order(
        &t,
        page,
        &[
            "Checkout slow after another config push",
            "Checkout failed after a config push",
        ],
    );
    t.contains(page, "<span class=\"sev sev-sev1\">SEV1</span>")
        .contains(page, ">30m</td>")
        .contains(page, ">1h</td>");
    for path in [
        "tags/index.html",
        "root-causes/index.html",
        "root-causes/config-change/index.html",
        "tags/latency/index.html",
    ] {
        assert!(t.exists(path), "{path}");
    }
    // Incident pages link their terms.
    t.contains(
        "incidents/inc-a/index.html",
        "href=\"/root-causes/config-change/\">config-change</a>",
    )
    .contains(
        "incidents/inc-a/index.html",
        "<a class=\"sev-link\" href=\"/severities/sev1/\">",
    );
}

#[test]
fn spellings_that_slug_alike_are_merged_with_a_warning() {
    let t = fixture();
    let report = t.try_build().unwrap();
    assert_diag(
        &report.warnings,
        "content/a.md: warning",
        "tag `deploy` and `Deploy` share the page /tags/deploy/",
    );
    t.contains(
        "tags/deploy/index.html",
        "Checkout failed after a config push",
    )
    .contains(
        "tags/deploy/index.html",
        "Checkout slow after another config push",
    );
    let out = t.cli(&["check", "--today", "2026-11-24"]);
    assert!(
        out.stderr
            .contains("warning[term-merged]: tag `deploy` and `Deploy`"),
        "{}",
        out.stderr
    );
}

#[test]
fn unicode_terms_get_stable_pages() {
    let t = SiteTest::new()
        .file(
            "content/a.md",
            &toml_pm("A", "A", "components = [\"Zürich-DC\", \"数据库\"]", ""),
        )
        .build();
    assert!(t.exists("components/zurich-dc/index.html"));
    let slug = pmsite::library::terms::term_slug("数据库");
    t.contains(&format!("components/{slug}/index.html"), "数据库");
}

#[test]
fn action_tracker_orders_overdue_open_done() {
    let t = fixture().build();
    let page = "actions/index.html";
    // The front page is the overdue items; open and done have pages of their own, in order.
    t.contains(page, "Validate config ranges")
        .lacks(page, "Canary config changes")
        .lacks(page, "Roll back");
    assert_in_order(
        &t,
        "actions/open/index.html",
        &["Canary config changes", "Write the runbook"],
    );
    t.contains(page, "<tr class=\"overdue\"><td><span class=\"badge badge-overdue\">overdue</span></td><td>Validate config ranges</td>")
        .contains("actions/done/index.html", "<tr class=\"done\"><td><span class=\"badge badge-done\">done</span></td><td>Roll back</td>")
        .contains(page, "<span class=\"stat-n\"><a href=\"/actions/#items\">1</a></span> overdue")
        // Each number is the length of the list it links.
        .contains(page, "<span class=\"stat-n\"><a href=\"/actions/open/\">2</a></span> open, not overdue")
        .contains(page, ">open, not overdue (2)</a>")
        .contains(page, "<span class=\"stat-n\"><a href=\"/actions/done/\">1</a></span> done");
    // Age: days since publication (2024-01-10 to 2026-11-24), with the incident's link.
    t.contains(page, "<td data-sort=\"1049\">1049d</td>")
        .contains(
            page,
            "<a href=\"/incidents/inc-a/\" title=\"Checkout failed after a config push\">INC-A</a>",
        );
    // Share done per quarter of publication: four items in 2024 Q1, one done.
    t.contains(page, "<tr><td>2024 Q1</td><td data-label=\"items\">4</td><td data-label=\"done\">1</td><td data-label=\"open\">3</td><td data-label=\"overdue\">1</td><td><meter class=\"share\" min=\"0\" max=\"100\" value=\"25\" aria-hidden=\"true\"></meter> 25%</td></tr>");
}

#[test]
fn action_tracker_groups_by_owner_and_incident() {
    let t = fixture().build();
    let owners = "actions/owners/index.html";
    // Most overdue first; an owner with nothing open folded away.
    assert_in_order(
        &t,
        owners,
        &[
            "<a href=\"/actions/owners/bob/\">bob</a></td><td data-sort=\"1\" data-label=\"overdue\"><strong class=\"overdue-count\">1</strong></td><td data-sort=\"2\" data-label=\"open\">2</td>",
            "<td>no owner</td><td data-sort=\"0\" data-label=\"overdue\">0</td><td data-sort=\"1\" data-label=\"open\">1</td>",
            "<summary>1 owner with nothing open</summary>",
            "<a href=\"/actions/owners/ann/\">ann</a>",
        ],
    );
    // An owner's own page: their open items, without an owner column to repeat them.
    let bob = "actions/owners/bob/index.html";
    t.contains(bob, "<h1>Open items of bob</h1>")
        .contains(bob, "Validate config ranges")
        .contains(bob, "Canary config changes")
        .contains(bob, "actions tracker sortable no-owner")
        .lacks(bob, "Roll back");
    let incidents = "actions/incidents/index.html";
    assert_in_order(
        &t,
        incidents,
        &["INC-A: Checkout failed", "INC-B: Checkout slow"],
    );
    t.lacks(incidents, "Roll back");
}

#[test]
fn tracker_views_work_without_javascript_and_long_lists_page() {
    let t = fixture().build();
    // A page per state and per priority, linked from every view.
    t.contains("actions/index.html", "Validate config ranges")
        .lacks("actions/index.html", "Canary config changes")
        .contains("actions/done/index.html", "Roll back")
        .contains("actions/priority/p1/index.html", "Validate config ranges")
        .lacks("actions/priority/p1/index.html", "Roll back")
        .contains(
            "actions/index.html",
            "<a href=\"/actions/\" aria-current=\"page\">overdue (1)</a>",
        )
        .contains(
            "actions/index.html",
            "<a href=\"/actions/priority/p1/\">P1 (1)</a>",
        )
        .contains(
            "actions/open/index.html",
            "<a href=\"/actions/open/\" aria-current=\"page\">open, not overdue (2)</a>",
        );
    // The incident page says first what is late.
    t.contains(
        "incidents/inc-a/index.html",
        "<p class=\"action-summary has-overdue\">1 overdue, 1 done</p>",
    );
    // A done item shows no age.
    let done = t.read("actions/done/index.html");
    let row = done.split("<tr class=\"done\">").nth(1).unwrap();
    assert!(row.contains("<td></td><td>"), "{row}");
    assert!(!row.contains("data-sort"), "{row}");
    // 600 items: three pages of 250, each linked to the next.
    let items: String = (0..600)
        .map(|k| format!("- [ ] Item {k} @ops due:2020-01-01\n"))
        .collect();
    let t = SiteTest::new()
        .file(
            "content/many.md",
            &toml_pm(
                "MANY",
                "Many items",
                "date = 2024-01-01",
                &format!("\n## Action items\n\n{items}"),
            ),
        )
        .build();
    t.contains("actions/index.html", "Page 1 of 3")
        .contains(
            "actions/index.html",
            "<a href=\"/actions/page/2/\" rel=\"next\">",
        )
        .contains("actions/page/3/index.html", "Item 599")
        .lacks("actions/page/3/index.html", "Item 0 ")
        .contains(
            "actions/owners/ops/page/2/index.html",
            "<a href=\"/actions/owners/ops/\" rel=\"prev\">",
        );
    let first = t.read("actions/index.html");
    assert_eq!(first.matches("<tr class=\"overdue\">").count(), 250);
}

#[test]
fn patterns_count_recent_incidents_against_the_window_before() {
    // Judged on 2024-03-01: config-change's two incidents (Jan 10, Feb 20) are in the last 90
    // days, capacity's (Sep 1) is not yet. A mitigated incident's impact ends at mitigation.
    let mut t = fixture().file(
        "content/m.md",
        &toml_pm(
            "INC-M",
            "Mitigated early",
            "date = 2023-11-01T10:00:00Z\nmitigated = 2023-11-01T10:10:00Z\nresolved = 2023-11-01T14:00:00Z\nroot_causes = [\"dns\"]",
            "",
        ),
    );
    t.today = chrono::NaiveDate::from_ymd_opt(2024, 3, 1).unwrap();
    let t = t.build();
    let page = "patterns/index.html";
    t.contains(page, "<tr class=\"trend-up\"><td><a href=\"/root-causes/config-change/\">config-change</a></td><td data-sort=\"2\" data-label=\"last 90 days\">2 <span class=\"trend\" aria-label=\"up from 0\">▲</span></td><td data-sort=\"0\" data-label=\"90 days before\">0</td><td data-label=\"all time\">2</td><td data-sort=\"90\" data-label=\"impact, total\">1h 30m</td><td data-sort=\"45\" data-label=\"impact, median\">45m</td><td data-sort=\"12.5\" data-label=\"to detect\">13m</td><td data-sort=\"45\" data-label=\"to resolve\">45m</td><td data-label=\"last\">2024-02-20</td></tr>")
        // dns: 121 days ago, in the window before; impact 10 minutes, resolution 4 hours.
        .contains(page, "<tr class=\"trend-down\"><td><a href=\"/root-causes/dns/\">dns</a></td><td data-sort=\"0\" data-label=\"last 90 days\">0 <span class=\"trend\" aria-label=\"down from 1\">▼</span></td><td data-sort=\"1\" data-label=\"90 days before\">1</td><td data-label=\"all time\">1</td><td data-sort=\"10\" data-label=\"impact, total\">10m</td><td data-sort=\"10\" data-label=\"impact, median\">10m</td>")
        .contains(page, "data-label=\"to resolve\">4h</td>");
    // What is rising comes first.
    let html = t.read(page);
    let rows: Vec<&str> = html
        .split("<h2>Root causes</h2>")
        .nth(1)
        .unwrap()
        .split("<tr class=")
        .skip(1)
        .collect();
    assert!(rows[0].contains("config-change"), "{rows:?}");
    t.contains("index.html", "<h2>Root causes coming back</h2>")
        .contains(
            "index.html",
            "config-change</a>: 2 in the last 90 days (0 the 90 before), last 2024-02-20",
        );
    // The window is configurable: 30 days holds only the Feb 20 incident.
    let mut t = fixture().file(
        "pmsite.toml",
        &format!("{CONFIG}\n[patterns]\nrepeat_window_days = 30\n"),
    );
    t.today = chrono::NaiveDate::from_ymd_opt(2024, 3, 1).unwrap();
    let t = t.build();
    t.contains("patterns/index.html", "data-label=\"last 30 days\">1</td><td data-sort=\"1\" data-label=\"30 days before\">1</td>")
        .lacks("index.html", "Root causes coming back");
}

#[test]
fn charts_are_valid_svg_with_accessible_titles_and_a_table() {
    let t = fixture().build();
    for (file, title) in [
        (
            "patterns/incidents-by-severity.svg",
            "Incidents per month by severity",
        ),
        (
            "patterns/time-to-resolve.svg",
            "Median time to resolve per month, in hours",
        ),
    ] {
        let svg = t.read(file);
        let doc =
            roxmltree::Document::parse(&svg).unwrap_or_else(|e| panic!("{file} is not XML: {e}"));
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "svg");
        assert_eq!(root.attribute("role"), Some("img"));
        let title_el = root
            .children()
            .find(|n| n.has_tag_name("title"))
            .expect("title");
        assert_eq!(title_el.text(), Some(title));
        assert!(
            t.read("patterns/index.html").contains(&svg),
            "{file} is inline in the page"
        );
    }
    let svg = t.read("patterns/incidents-by-severity.svg");
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let bars: Vec<String> = doc
        .descendants()
        .filter(|n| n.has_tag_name("rect") && n.children().any(|c| c.has_tag_name("title")))
        .map(|n| {
            n.children()
                .find(|c| c.has_tag_name("title"))
                .unwrap()
                .text()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(
        bars,
        vec![
            "2024-01: 1 SEV1",
            "2024-02: 1 SEV2",
            "2024-09: 1 SEV3",
            "2024-10: 1 SEV3"
        ]
    );
    // The table beside lists the months with incidents; the chart has every month (a quiet
    // May has its label on the axis but no row).
    t.contains(
        "patterns/index.html",
        "<tr><td>2024-09</td><td data-label=\"SEV1\">0</td><td data-label=\"SEV2\">0</td><td data-label=\"SEV3\">1</td><td data-label=\"SEV4\">0</td><td data-label=\"none\">0</td><td data-label=\"total\">1</td></tr>",
    )
    .lacks("patterns/index.html", "<tr><td>2024-05</td>");
}

#[test]
fn related_incidents_rank_shared_causes_then_text() {
    let t = fixture().build();
    let related = |id: &str| t.incident(id)["related"].clone();
    assert_eq!(related("INC-A")[0], "INC-B");
    assert_eq!(related("INC-C")[0], "INC-D");
    assert_eq!(related("INC-D")[0], "INC-C");
    t.contains("incidents/inc-a/index.html", "INC-B: Checkout slow after another config push</a> <span class=\"muted\">(same root cause: config-change)</span>");
    let page = t.read("incidents/inc-c/index.html");
    let at = page
        .find("INC-D: Invoices were late</a>")
        .expect("D related to C");
    assert!(
        page[at..at + 200].contains("(similar text: "),
        "{}",
        &page[at..at + 200]
    );
}

#[test]
fn external_messages_newest_first() {
    let t = SiteTest::new()
        .file(
            "content/a.md",
            &toml_pm(
                "A",
                "Older",
                "date = 2024-01-01\ncomponents = [\"cdn\"]",
                "\n## External message\n\nSorry for the <b>old</b> one.\n",
            ),
        )
        .file(
            "content/b.md",
            &toml_pm(
                "B",
                "Newer",
                "date = 2024-05-01\nresolved = 2024-05-01T10:00:00Z",
                "\n## Customer communication\n\nSorry for the new one.\n",
            ),
        )
        .file(
            "content/c.md",
            &toml_pm("C", "Silent", "date = 2024-06-01", "\nNo message.\n"),
        )
        .build();
    let page = "external/index.html";
    assert_in_order(
        &t,
        page,
        &[
            "Sorry for the new one.",
            "Sorry for the &lt;b&gt;old&lt;/b&gt; one.",
        ],
    );
    t.lacks(page, "Silent")
        .contains(page, "resolved 2024-05-01 10:00 UTC")
        .contains(page, " · cdn</p>");
}

#[test]
fn impact_csv_is_quoted_and_safe_for_spreadsheets() {
    let t = fixture().build();
    let csv = t.read("impact.csv");
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "id,title,url,severity,status,type,date,published,detected,mitigated,resolved,time_to_detect_minutes,time_to_mitigate_minutes,time_to_resolve_minutes,components,root_causes,contributing_factors,customers_affected,revenue_lost,note"
    );
    assert_eq!(lines.len(), 5, "{csv}");
    assert_eq!(
        lines[4],
        "INC-A,Checkout failed after a config push,https://incidents.example.com/incidents/inc-a/,SEV1,published,incident,2024-01-10T10:00:00Z,2024-01-10T10:00:00Z,2024-01-10T10:05:00Z,,2024-01-10T10:30:00Z,5,,30,checkout-api; postgres,config-change,,100,'=SUM(1),\"Said \"\"hi\"\", ok\""
    );
    assert_eq!(
        lines[3],
        "INC-B,Checkout slow after another config push,https://incidents.example.com/incidents/inc-b/,SEV2,published,incident,2024-02-20T08:00:00Z,2024-02-20T08:00:00Z,2024-02-20T08:20:00Z,,2024-02-20T09:00:00Z,20,,60,checkout-api,config-change,,20,,"
    );
    // A real CSV reader gets the fields back.
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(&rows[3][19], "Said \"hi\", ok");
}

#[test]
fn review_queue_only_with_drafts_and_says_what_is_missing() {
    let t = fixture().build();
    assert!(!t.exists("review/index.html"));
    let t = fixture().drafts().build();
    let page = "review/index.html";
    t.contains(page, "Draft about a payments outage")
        .contains(
            page,
            "<li>no timeline</li><li>no action items</li><li>no external message for a SEV1</li>",
        )
        .lacks(page, "Checkout failed after a config push");
    let t = SiteTest::new()
        .file("content/r.md", &toml_pm("R", "In review", "status = \"review\"\nseverity = \"SEV3\"\ncomponents = [\"api\"]\nroot_causes = [\"bug\"]\n\n[people]\nauthor = \"Uma\"\nreviewers = [\"Vik\", \"Wen\"]\nreview_meeting = 2024-03-01", "\n## Timeline\n\n- 2024-02-01 10:00 Start\n\n## Action items\n\n- [ ] Fix it\n"))
        .drafts()
        .build();
    t.contains(page, "<td data-label=\"author\">Uma</td><td data-label=\"reviewers\">Vik, Wen</td><td data-label=\"review meeting\">2024-03-01</td>")
        .contains(page, "<td><ul class=\"missing\"><li>1 action item(s) without an owner</li></ul></td>");
}

#[test]
fn an_untouched_pmsite_new_draft_is_not_ready_and_published_placeholders_warn() {
    let t = SiteTest::new();
    let out = t.cli(&[
        "new",
        "Checkout went down",
        "--date",
        "2024-05-01",
        "--severity",
        "SEV1",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let t = t.drafts().build();
    let page = "review/index.html";
    t.contains(page, "Checkout went down")
        .contains(
            page,
            "<li>the template&#39;s placeholder text in: summary, Summary section, Impact section, Analysis section, external message</li><li>no components</li><li>no root causes or contributing factors</li><li>no author</li><li>no reviewers</li>",
        )
        .contains(page, "<li>no action items</li>")
        .contains(page, "<li>no external message for a SEV1</li>")
        .lacks(page, "badge-done\">ready");
    // The example item is a comment: no item, no owner called "owner", nothing overdue.
    t.lacks("actions/index.html", "happening again");
    // Published as it is: a warning names what is still the template's.
    let path = t
        .root()
        .join("content/2024/2024-05-01-checkout-went-down.md");
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("status = \"draft\"", "status = \"published\"");
    std::fs::write(&path, text).unwrap();
    let check = t.cli(&["check"]);
    let out = format!("{}{}", check.stdout, check.stderr);
    assert!(
        out.contains("content/2024/2024-05-01-checkout-went-down.md:1: warning[placeholder]: published with the template's placeholder text in: summary, Summary section, Impact section, Analysis section, external message"),
        "{out}"
    );
}

#[test]
fn incident_list_rows_carry_filter_data() {
    let t = fixture().build();
    let page = "incidents/index.html";
    t.contains(page, "<tr data-severity=\"SEV1\" data-component=\"|checkout-api|postgres|\" data-tag=\"|deploy|\" data-root-cause=\"|config-change|\"><td><time datetime=\"2024")
        .contains(page, "<form class=\"filters\" data-table=\"incident-table\" data-count=\"incident-count\" hidden>")
        .contains(page, "<option>config-change</option>")
        .contains(page, "<script src=\"/tables.js\" defer></script>");
}

#[test]
fn the_incidents_with_open_items_come_five_hundred_a_page() {
    let mut t = SiteTest::new();
    for n in 0..510 {
        t = t.file(
            &format!("content/o{n}.md"),
            &toml_pm(
                &format!("OPEN-{n}"),
                &format!("Open {n}"),
                "date = 2024-01-01",
                "\n## Action items\n\n- [ ] Do it @ops due:2099-01-01\n",
            ),
        );
    }
    let t = t.build();
    let rows = |page: &str| {
        t.read(page)
            .matches("<tr><td><a href=\"/incidents/")
            .count()
    };
    assert_eq!(rows("actions/incidents/index.html"), 500);
    assert_eq!(rows("actions/incidents/page/2/index.html"), 10);
    t.contains(
        "actions/incidents/index.html",
        "510 incidents with open items, most overdue first. Page 1 of 2.",
    )
    .contains(
        "actions/incidents/index.html",
        "<a href=\"/actions/incidents/page/2/\" rel=\"next\">",
    )
    .contains(
        "actions/incidents/page/2/index.html",
        "<a href=\"/actions/incidents/\" rel=\"prev\">",
    );
    assert!(!t.exists("actions/incidents/page/3/index.html"));
}

#[test]
fn customer_messages_filter_by_component_with_plain_links() {
    let message = "\n## External message\n\nWe are sorry.\n";
    let t = SiteTest::new()
        .file(
            "content/a.md",
            &toml_pm(
                "A",
                "Checkout down",
                "date = 2024-01-01\ncomponents = [\"checkout-api\", \"cdn\"]",
                message,
            ),
        )
        .file(
            "content/b.md",
            &toml_pm(
                "B",
                "Images broken",
                "date = 2024-02-01\ncomponents = [\"cdn\"]",
                message,
            ),
        )
        .file(
            "content/c.md",
            &toml_pm(
                "C",
                "Quiet search",
                "date = 2024-03-01\ncomponents = [\"search\"]",
                "\nNo message.\n",
            ),
        )
        .build();
    // The filter names each component with messages, most first; search has none.
    t.contains("external/index.html", "<a href=\"/external/\" aria-current=\"page\">every component</a> · <a href=\"/external/components/cdn/\">cdn (2)</a> · <a href=\"/external/components/checkout-api/\">checkout-api (1)</a>")
        .lacks("external/index.html", "/external/components/search/");
    let checkout = "external/components/checkout-api/index.html";
    t.contains(checkout, "<h1>Customer messages: checkout-api</h1>")
        .contains(checkout, "Checkout down")
        .lacks(checkout, "Images broken")
        .contains(checkout, "<a href=\"/external/components/checkout-api/\" aria-current=\"page\">checkout-api (1)</a>");
    assert!(!t.exists("external/components/search/index.html"));
}

//! What the library teaches: the reinvestment report (figures computed by hand on a
//! fixture, a fix that did not hold and two that did), operational review periods and their
//! feeds, and publication lag. Fictional company: Quillon Freight.

use crate::harness::*;

const CONFIG: &str = r#"title = "Quillon incidents"
base_url = "https://incidents.quillon.example"
severities = ["SEV1", "SEV2", "SEV3"]

[reinvestment]
impact_fields = ["customers_affected", "credits_issued_usd"]

[review]
periods = ["quarter", "month"]
publish_within_days = 10
"#;

/// One post-mortem: `when` is the start of impact (UTC), `mitigated` minutes after it.
fn pm(id: &str, when: &str, mitigated: Option<u32>, fields: &str, actions: &str) -> String {
    let start: chrono::DateTime<chrono::Utc> = format!("{when}T10:00:00Z").parse().unwrap();
    let mitigated = mitigated
        .map(|m| {
            format!(
                "mitigated = {}\n",
                (start + chrono::Duration::minutes(m.into()))
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            )
        })
        .unwrap_or_default();
    format!(
        "+++\ntitle = \"{id} title\"\nid = \"{id}\"\ndate = {}\n{mitigated}{fields}\n{actions}+++\n\n## Summary\n\nWords of {id}.\n",
        start.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    )
}

fn prevent(done: Option<&str>, due: &str) -> String {
    let done = match done {
        Some(day) => format!("done = {day}\n"),
        None => String::new(),
    };
    format!(
        "[[action_items]]\ntext = \"Stop it happening again\"\ntype = \"prevent\"\nowner = \"ana\"\ndue = {due}\n{done}\n"
    )
}

/// Today is 2026-11-24 (the harness's).
fn library() -> SiteTest {
    let billing = "components = [\"billing-api\"]\nroot_causes = [\"retry-storm\"]\n";
    SiteTest::new()
        .file("pmsite.toml", CONFIG)
        // A: its prevent item was done on 2026-01-05...
        .file("content/a.md", &pm("INC-A", "2025-12-10", Some(120), &format!("{billing}published = 2025-12-30\n[impact]\ncustomers_affected = 300\ncredits_issued_usd = 20000\n"), &prevent(Some("2026-01-05"), "2026-01-10")))
        // ...and B came back with the same component and cause: a fix that did not hold.
        .file("content/b.md", &pm("INC-B", "2026-06-01", Some(60), &format!("{billing}published = 2026-06-05\n[impact]\ncustomers_affected = 1200\ncredits_issued_usd = \"$100k\"\n"), &prevent(None, "2026-07-01")))
        // A near miss with the same component and cause counts nowhere.
        .file("content/f.md", &pm("INC-F", "2026-08-01", Some(30), &format!("{billing}type = \"near-miss\"\n[impact]\ncredits_issued_usd = 999999\n"), ""))
        // C's fix held: D has the same component but another cause.
        .file("content/c.md", &pm("INC-C", "2026-10-01", Some(30), "components = [\"search\"]\nroot_causes = [\"disk-full\"]\n", &prevent(Some("2026-10-20"), "2026-11-01")))
        .file("content/d.md", &pm("INC-D", "2026-11-01", Some(90), "components = [\"search\"]\nroot_causes = [\"bad-deploy\"]\n", ""))
        // G's fix was done after H began: H is no fix that failed.
        .file("content/g.md", &pm("INC-G", "2026-02-01", None, "components = [\"cdn\"]\nroot_causes = [\"cert-expiry\"]\n", &prevent(Some("2026-05-01"), "2026-05-01")))
        .file("content/h.md", &pm("INC-H", "2026-04-01", None, "components = [\"cdn\"]\nroot_causes = [\"cert-expiry\"]\n", ""))
}

fn row<'a>(json: &'a serde_json::Value, kind: &str, name: &str) -> &'a serde_json::Value {
    json["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["kind"] == kind && r["name"] == name)
        .unwrap_or_else(|| panic!("no {kind} row {name}: {json:#}"))
}

#[test]
fn the_reinvestment_report_by_hand() {
    let t = library().build();
    let json: serde_json::Value =
        serde_json::from_str(&t.read("reinvestment/report.json")).unwrap();
    let billing = row(&json, "component", "billing-api");
    // A (349 days ago) and B (176): none in the last 90 days, B in the 90 before; the near
    // miss is left out.
    assert_eq!(billing["last_90"], 0);
    assert_eq!(billing["prior_90"], 1);
    assert_eq!(billing["last_365"], 2);
    assert_eq!(billing["prior_365"], 0);
    // 120 + 60 minutes to mitigation.
    assert_eq!(billing["impact_hours"], 3.0);
    assert_eq!(billing["impact_fields"]["customers_affected"], 1500.0);
    assert_eq!(billing["impact_fields"]["credits_issued_usd"], 120000.0);
    assert_eq!(billing["prevent_open"], 1);
    assert_eq!(billing["prevent_overdue"], 1);
    let not_held = billing["fixes_not_held"].as_array().unwrap();
    assert_eq!(not_held.len(), 1, "{billing:#}");
    assert_eq!(not_held[0]["earlier"]["id"], "INC-A");
    assert_eq!(not_held[0]["later"]["id"], "INC-B");
    // 2 incidents + 0.125 days + 1 open + 2 × 1 overdue + 3 × 1 not held + 0 rising.
    assert_eq!(billing["score"], 8.1);
    assert_eq!(
        billing["sentence"],
        "billing-api: 2 incidents in 12 months (0 the year before), 3 h of customer impact, 1,500 customers affected, $120k credits issued, 1 fix that did not hold, 1 prevent action open (1 overdue)"
    );
    // The same fix counts for the root cause.
    assert_eq!(
        row(&json, "root cause", "retry-storm")["fixes_not_held"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // C's fix held (D's cause differs); G's was done after H began.
    let search = row(&json, "component", "search");
    assert_eq!(search["fixes_not_held"].as_array().unwrap().len(), 0);
    assert_eq!(search["last_90"], 2);
    // 2 + 120 / 1440 + 2 rising.
    assert_eq!(search["score"], 4.1);
    assert_eq!(
        row(&json, "component", "cdn")["fixes_not_held"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    // Ranked by score.
    assert_eq!(json["rows"][0]["name"], "billing-api");
    // The page says it in words and links the incidents.
    t.contains(
        "reinvestment/index.html",
        "2 incidents in 12 months (0 the year before), 3 h of customer impact",
    )
    .contains("reinvestment/index.html", "Fix did not hold")
    .contains("reinvestment/index.html", "href=\"/incidents/inc-b/\"")
    .contains(
        "reinvestment/index.html",
        "href=\"/components/billing-api/\"",
    );
    let csv = t.read("reinvestment/report.csv");
    assert!(csv.starts_with("kind,name,url,score,"), "{csv}");
    assert!(csv.lines().any(|l| l.starts_with("component,billing-api,https://incidents.quillon.example/components/billing-api/,8.1,0,1,2,0,3,1,1,1,")), "{csv}");
}

#[test]
fn the_report_command_prints_each_format() {
    let t = library();
    for (format, needle) in [
        ("md", "- **billing-api** (component, score 8.1)"),
        ("csv", "component,billing-api,"),
        ("json", "\"fixes_not_held\""),
    ] {
        let out = t.cli(&[
            "report",
            "reinvestment",
            "--format",
            format,
            "--today",
            "2026-11-24",
        ]);
        assert_eq!(out.code, 0, "{}", out.stderr);
        assert!(out.stdout.contains(needle), "{format}: {}", out.stdout);
    }
    // A file is written once, never overwritten.
    let first = t.cli(&[
        "report",
        "reinvestment",
        "-o",
        "plan.md",
        "--today",
        "2026-11-24",
    ]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert!(t.root().join("plan.md").exists());
    let again = t.cli(&[
        "report",
        "reinvestment",
        "-o",
        "plan.md",
        "--today",
        "2026-11-24",
    ]);
    assert_ne!(again.code, 0);
    assert!(again.stderr.contains("plan.md"), "{}", again.stderr);
    // `-C` names the library; a relative file is in it, as with `digest --out`.
    let elsewhere = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_pmsite"))
        .args([
            "-C",
            t.root().to_str().unwrap(),
            "report",
            "reinvestment",
            "--format",
            "csv",
            "-o",
            "plan.csv",
        ])
        .current_dir(elsewhere.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(t.root().join("plan.csv").exists() && !elsewhere.path().join("plan.csv").exists());
    // A library whose config is broken gets no report, and is told where.
    let bad = t.file(
        "pmsite.toml",
        &format!("{CONFIG}\n[reinvestment]\nimpact = 1\n"),
    );
    let out = bad.cli(&["report", "reinvestment"]);
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert!(out.stderr.contains("pmsite.toml:"), "{}", out.stderr);
    assert!(out.stdout.is_empty(), "{}", out.stdout);
}

#[test]
fn operational_review_pages_and_their_feeds() {
    let t = library().build();
    // Quarters from the first incident's to today's, and months; an index of both.
    for period in [
        "2025-q4", "2026-q1", "2026-q2", "2026-q4", "2025-12", "2026-11",
    ] {
        assert!(
            t.exists(&format!("reviews/{period}/index.html")),
            "{period}"
        );
        assert!(t.exists(&format!("reviews/{period}/atom.xml")), "{period}");
    }
    assert!(!t.exists("reviews/2025-q3/index.html"));
    t.contains("reviews/index.html", "href=\"/reviews/2026-q2/\"")
        .contains("reviews/index.html", "Monthly");
    // 2026 Q2: H and B began in it; B's 60 minutes to mitigation against Q1's none.
    let q2 = t.read("reviews/2026-q2/index.html");
    assert!(
        q2.contains("INC-H title") && q2.contains("INC-B title"),
        "{q2}"
    );
    assert!(q2.contains("<th scope=\"row\">Time to mitigate</th><td data-label=\"median\">1h</td><td data-label=\"90th percentile\">1h</td><td data-label=\"median before\">–</td>"), "{q2}");
    // Published 4 days after mitigation: on time.
    assert!(q2.contains("4 days after resolution"), "{q2}");
    assert!(
        q2.contains("href=\"/reviews/2026-q1/\" rel=\"prev\""),
        "{q2}"
    );
    // 2025 Q4: A, published 20 days after mitigation, late against the 10-day target.
    let q4 = t.read("reviews/2025-q4/index.html");
    assert!(q4.contains("20 days after resolution, late"), "{q4}");
    assert!(q4.contains("(1 late)"), "{q4}");
    // Each period's feed parses and lists its post-mortems with absolute links.
    let feed =
        feed_rs::parser::parse(t.read("reviews/2026-q2/atom.xml").as_bytes()).expect("feed parses");
    let links: Vec<String> = feed
        .entries
        .iter()
        .flat_map(|e| e.links.iter().map(|l| l.href.clone()))
        .collect();
    assert!(
        links.contains(&"https://incidents.quillon.example/incidents/inc-b/".to_string()),
        "{links:?}"
    );
    assert!(feed.title.unwrap().content.contains("2026 Q2"));
    t.contains(
        "reviews/2026-q2/index.html",
        "type=\"application/atom+xml\" title=\"2026 Q2: operational review\"",
    );
    // A period page durations table: the 90th percentile is a nearest-rank value.
    let m = t.read("reviews/2026-11/index.html");
    assert!(m.contains("INC-D title"), "{m}");
}

fn with_drafts() -> SiteTest {
    library()
        // Resolved 23 days before today, unpublished: 13 days past the 10-day target, and
        // no review meeting 18 days past its 5.
        .file("content/late.md", "+++\ntitle = \"Late draft\"\nid = \"INC-LATE\"\nstatus = \"draft\"\ndate = 2026-10-31T10:00:00Z\nresolved = 2026-11-01T10:00:00Z\n[people]\nauthor = \"Ola\"\n+++\n\n## Summary\n\nNot yet.\n")
        // Resolved 3 days ago: not late.
        .file("content/fresh.md", "+++\ntitle = \"Fresh draft\"\nid = \"INC-FRESH\"\nstatus = \"review\"\ndate = 2026-11-21T10:00:00Z\nresolved = 2026-11-21T12:00:00Z\n+++\n\n## Summary\n\nSoon.\n")
}

#[test]
fn drafts_past_the_publication_target_come_first() {
    let t = with_drafts().drafts().build();
    let review = t.read("review/index.html");
    assert!(
        review.contains("1 post-mortem overdue for review"),
        "{review}"
    );
    let (late, fresh) = (
        review.find("Late draft").unwrap(),
        review.find("Fresh draft").unwrap(),
    );
    assert!(late < fresh, "the late draft first");
    assert!(
        review.contains("23 days<br><strong class=\"overdue-count\">13 past target</strong>"),
        "{review}"
    );
    assert!(
        review.contains("no meeting, 18 days past target"),
        "{review}"
    );
    // The judging day is --today's: a week later it is 20 past.
    let mut later = with_drafts().drafts();
    later.today = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
    later
        .build()
        .contains("review/index.html", "20 past target");
    // The current period's operational review lists it too.
    t.contains("reviews/2026-q4/index.html", "Overdue for review")
        .contains("reviews/2026-q4/index.html", "13 days past the target")
        .lacks("reviews/2026-q3/index.html", "Overdue for review");
    // A published post-mortem shows its lag on its page.
    t.contains("incidents/inc-a/index.html", "resolution to publication");
}

#[test]
fn the_digest_counts_post_mortems_overdue_for_review_and_links_the_latest_review() {
    let t = with_drafts().file(
        "pmsite.toml",
        &format!("{CONFIG}\n[digest]\nfrom = \"Incidents <incidents@quillon.example>\"\nto = [\"sre@quillon.example\"]\n"),
    );
    let out = t.cli(&[
        "digest",
        "--today",
        "2026-11-24",
        "--since",
        "2026-11-01",
        "--dry-run",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let message = mail_parser::MessageParser::default()
        .parse(out.stdout.as_bytes())
        .expect("MIME parses");
    let subject = message.subject().unwrap().to_string();
    assert!(
        subject.ends_with(", 1 post-mortem overdue for review"),
        "{subject}"
    );
    let text = message.body_text(0).unwrap().replace("\r\n", "\n");
    assert!(
        text.contains("Late draft (INC-LATE, Ola): 13 days past the target"),
        "{text}"
    );
    assert!(!text.contains("Fresh draft"), "{text}");
    // The latest quarter that has ended: 2026 Q3.
    assert!(
        text.contains(
            "Latest operational review: 2026 Q3, https://incidents.quillon.example/reviews/2026-q3/"
        ),
        "{text}"
    );
    // Drafts are counted, never listed as published or as owners of overdue items.
    assert!(!text.contains("Not yet."), "{text}");
}

#[test]
fn a_mistyped_year_adds_one_review_page_not_thousands() {
    let t = SiteTest::new()
        .file(
            "pmsite.toml",
            &format!("{CONFIG}\n[review]\nperiods = [\"week\"]\n").replace(
                "[review]\nperiods = [\"quarter\", \"month\"]\npublish_within_days = 10\n",
                "",
            ),
        )
        .file("content/a.md", &pm("INC-OLD", "0001-06-01", None, "", ""))
        .file(
            "content/b.md",
            &pm("INC-NEW", "2026-11-20", Some(5), "", ""),
        )
        .build();
    let pages = std::fs::read_dir(t.public().join("reviews"))
        .unwrap()
        .count();
    // Year 1's week, INC-NEW's week, the current week (today is 2026-11-24), and the index.
    assert_eq!(pages, 4, "{pages} entries under reviews/");
    t.contains("reviews/2026-w47/index.html", "INC-NEW title")
        .contains("reviews/2026-w47/index.html", "rel=\"prev\"");
    // An empty [review] periods is a config error at its line.
    let bad = SiteTest::new().file(
        "pmsite.toml",
        &format!("{}\n[review]\nperiods = []\n", crate::harness::CONFIG),
    );
    assert_diag(
        &bad.build_errors(),
        "pmsite.toml:6: error",
        "[review] periods is empty",
    );
}

#[test]
fn a_row_lists_its_newest_incidents_and_counts_the_rest() {
    let mut t = SiteTest::new().file("pmsite.toml", CONFIG);
    for n in 0..30 {
        t = t.file(
            &format!("content/q{n}.md"),
            &pm(
                &format!("INC-Q{n:02}"),
                &format!("2026-{:02}-{:02}", n % 10 + 1, n % 27 + 1),
                None,
                "components = [\"queue\"]\n",
                "",
            ),
        );
    }
    let t = t.build();
    let json: serde_json::Value =
        serde_json::from_str(&t.read("reinvestment/report.json")).unwrap();
    let queue = row(&json, "component", "queue");
    assert_eq!(queue["last_365"], 30);
    assert_eq!(queue["incidents"].as_array().unwrap().len(), 25);
    assert_eq!(queue["more_incidents"], 5);
    t.contains(
        "reinvestment/index.html",
        "30 incidents in the last 365 days",
    )
    .contains(
        "reinvestment/index.html",
        "The newest 25; 5 more on <a href=\"/components/queue/\">its page</a>.",
    );
    assert!(
        t.read("reinvestment/report.md").contains(
            "and 5 more on [its page](https://incidents.quillon.example/components/queue/)"
        )
    );
}

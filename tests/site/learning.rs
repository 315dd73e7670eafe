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
        "billing-api: 2 incidents in 12 months",
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

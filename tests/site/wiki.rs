use crate::harness::*;

const PAGERDUTY: &str = "# Static assets failed after the CDN certificate expired\n\n**Postmortem Owner:** Lena Fischer\n**Meeting Scheduled For:** 2024-10-24\n**Date:** 2024-10-21\n**Severity:** SEV-2\n**Status:** Complete, action items in progress\n**Components:** cdn, web-frontend\n\n## Overview\n\nThe certificate expired at 09:00 UTC.\n\n## Timeline\n\n| Time (UTC) | Event | Data Link |\n| ---------- | ----- | --------- |\n| 09:00 | Certificate expires; OUTAGE BEGINS | |\n| 09:47 | New certificate live; OUTAGE MITIGATED | |\n\n## Action Items\n\n- [ ] Alert on expiring certificates @milo due:2024-11-15 P1 detect\n\n## Messaging\n\n### Internal\n\nPosted in #incidents.\n\n### External\n\nOur website showed pages without images.\n";

#[test]
fn pagerduty_template_page_builds_without_edits() {
    let t = SiteTest::new()
        .file("content/cdn-cert-expiry.md", PAGERDUTY)
        .build();
    let i = t.incident("cdn-cert-expiry");
    assert_eq!(
        i["title"],
        "Static assets failed after the CDN certificate expired"
    );
    assert_eq!(i["severity"], "SEV2");
    assert_eq!(i["status"], "published");
    assert_eq!(i["date"], "2024-10-21T09:00:00Z");
    assert_eq!(i["mitigated"], "2024-10-21T09:47:00Z");
    assert_eq!(i["components"], serde_json::json!(["cdn", "web-frontend"]));
    assert_eq!(i["people"]["author"], "Lena Fischer");
    assert_eq!(i["people"]["review_meeting"], "2024-10-24T00:00:00Z");
    assert_eq!(i["summary"], "The certificate expired at 09:00 UTC.");
    assert_eq!(
        i["external_message"],
        "Our website showed pages without images."
    );
    assert_eq!(i["action_items"][0]["owner"], "milo");
    let page = "incidents/cdn-cert-expiry/index.html";
    // Fields that became data are not repeated as prose; the title heading is not doubled.
    t.lacks(page, "Postmortem Owner")
        .lacks(page, "<h1 id=")
        .contains(page, "class=\"external-message\"");
}

#[test]
fn google_sre_bold_fields() {
    let page = "# Shakespeare Sonnet++ Postmortem (incident #465)\n\n**Date:** 2015-10-21\n**Authors:** jennifer, martym, agoogler\n**Status:** Complete, action items in progress\n**Summary:** Shakespeare Search down for 66 minutes.\n**Impact:** Estimated 1.21B queries lost.\n\n## Lessons Learned\n\nText.\n";
    let t = SiteTest::new().file("content/shakespeare.md", page).build();
    let i = t.incident("shakespeare");
    assert_eq!(i["summary"], "Shakespeare Search down for 66 minutes.");
    assert_eq!(i["people"]["author"], "jennifer, martym, agoogler");
    assert_eq!(i["date"], "2015-10-21T00:00:00Z");
    // A prose field that is not a known data field stays on the page.
    t.contains(
        "incidents/shakespeare/index.html",
        "Estimated 1.21B queries lost.",
    );
}

#[test]
fn wiki_status_words_map_to_states() {
    let page = |status: &str| format!("# T\n\n**Status:** {status}\n\nBody.\n");
    let t = SiteTest::new()
        .file("content/a.md", &page("Draft"))
        .file("content/b.md", &page("In Review"))
        .file("content/c.md", &page("Closed"))
        .drafts()
        .build();
    assert_eq!(t.incident("a")["status"], "draft");
    assert_eq!(t.incident("b")["status"], "review");
    assert_eq!(t.incident("c")["status"], "published");
}

#[test]
fn unknown_wiki_status_is_a_warning_and_published() {
    let t = SiteTest::new().file(
        "content/a.md",
        "# T\n\n**Date:** 2024-01-01\n**Status:** Pending sign-off\n\nBody.\n",
    );
    let report = t.try_build().expect("builds");
    let lines = lines(&report.warnings);
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("content/a.md:4: warning") && l.contains("Pending sign-off")),
        "{lines:?}"
    );
    assert_eq!(t.incident("a")["status"], "published");
}

#[test]
fn title_from_file_name_when_no_heading() {
    let t = SiteTest::new()
        .file(
            "content/Checkout-outage-March.md",
            "**Date:** 2024-03-02\n\nJust text.\n",
        )
        .build();
    assert_eq!(
        t.incident("Checkout-outage-March")["title"],
        "Checkout outage March"
    );
}

#[test]
fn wiki_links_resolve_by_id_and_title_and_give_backlinks() {
    let a = toml_pm(
        "INC-1",
        "The March outage",
        "date = 2024-03-01",
        "\nSee [[INC-2]] and [[the april outage|April]] and [[Nope]].\n",
    );
    let b = toml_pm("INC-2", "Second", "date = 2024-03-02", "\nBody\n");
    let c = toml_pm("INC-3", "The April outage", "date = 2024-04-01", "\nBody\n");
    let t = SiteTest::new()
        .file("content/a.md", &a)
        .file("content/b.md", &b)
        .file("content/c.md", &c);
    let report = t.try_build().expect("builds with a warning");
    assert!(
        lines(&report.warnings)
            .iter()
            .any(|l| l.starts_with("content/a.md:7:")
                && l.contains("warning[wiki-link]")
                && l.contains("[[Nope]]"))
    );
    t.contains(
        "incidents/inc-1/index.html",
        "<a class=\"wikilink\" href=\"/incidents/inc-2/\"",
    )
    .contains("incidents/inc-1/index.html", ">April</a>")
    .contains(
        "incidents/inc-1/index.html",
        "<span class=\"wikilink unresolved\">Nope</span>",
    )
    .contains("incidents/inc-2/index.html", "Linked from");
    assert_eq!(
        t.incident("INC-2")["backlinks"],
        serde_json::json!(["INC-1"])
    );
    assert_eq!(
        t.incident("INC-3")["backlinks"],
        serde_json::json!(["INC-1"])
    );
    // check treats an unresolved link as an error.
    let out = t.cli(&["check"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains("error[wiki-link]: wiki link [[Nope]]"),
        "{}",
        out.stderr
    );
}

/// A GitHub/GitLab wiki checkout: sidebar, footer and home page, a runbook that is no
/// post-mortem, PagerDuty-template pages and links by page name.
fn wiki_checkout() -> SiteTest {
    SiteTest::new()
        .file("content/_Sidebar.md", "* [[Home]]\n* [[Checkout-outage]]\n")
        .file("content/_Footer.md", "Maintained by SRE.\n")
        .file("content/Home.md", "# Welcome\n\nOur post-mortems live here. See [[Checkout-outage]].\n")
        .file("content/On-call-runbook.md", "# On-call runbook\n\nRestart the thing.\n")
        .file("content/Checkout-outage.md", &PAGERDUTY.replace("# Static assets failed after the CDN certificate expired", "# Checkout outage"))
        .file(
            "content/Search-slowdown.md",
            "**Postmortem Owner:** Kai\n**Status:** In Review\n\n## Timeline\n\n- 2024-05-01 10:00 Latency climbs; OUTAGE BEGINS\n\n## Analysis\n\nSee [[Checkout outage]] and [[Checkout-outage|the checkout page]].\n",
        )
}

#[test]
fn a_wiki_checkout_builds_as_a_library() {
    let t = wiki_checkout().drafts();
    let report = t.try_build().expect("builds");
    // Only the two post-mortems are incidents.
    assert_eq!(report.incidents, 2, "{:?}", ids(&t.json()));
    assert_eq!(ids(&t.json()), vec!["Checkout-outage", "Search-slowdown"]);
    assert_eq!(t.incident("Search-slowdown")["title"], "Search slowdown");
    assert_eq!(t.incident("Search-slowdown")["status"], "review");
    // Links by page name, with `-` or spaces, resolve; the target lists its backlinks.
    t.contains("incidents/search-slowdown/index.html", "<a class=\"wikilink\" href=\"/incidents/checkout-outage/\" title=\"Checkout outage\">Checkout outage</a>")
        .contains("incidents/search-slowdown/index.html", ">the checkout page</a>");
    assert_eq!(
        t.incident("Checkout-outage")["backlinks"],
        serde_json::json!(["Search-slowdown"])
    );
}

#[test]
fn check_lists_the_fields_a_wiki_page_lacks() {
    let t = wiki_checkout();
    let out = t.cli(&["check"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr.contains("content/Search-slowdown.md:1: warning[missing-fields]: could not find: severity, components; add lines such as **Severity:** SEV2 and **Components:** checkout-api, postgres under the title"),
        "{}",
        out.stderr
    );
    assert!(
        !out.stderr.contains("Checkout-outage.md:1: warning"),
        "the PagerDuty page has every field: {}",
        out.stderr
    );
    // Pages that are not post-mortems are named as notes, never warned about.
    assert!(
        out.stderr.contains(
            "content/On-call-runbook.md:1: note[not-a-post-mortem]: not a post-mortem, skipped"
        ),
        "{}",
        out.stderr
    );
    assert!(
        !out.stderr.contains("runbook.md:1: warning") && !out.stderr.contains("Home.md:1: warning"),
        "{}",
        out.stderr
    );
}

/// Nothing is skipped silently: `build` names every page it did not read as a post-mortem
/// (a wiki's runbook, a Jekyll blog's about page); `postmortem = true` or `[content]
/// postmortems` make one count, `postmortem = false` or `[content] skip` leave one out, and a
/// page shaped like a post-mortem (two of its sections, or a run of timed lines) needs
/// neither.
#[test]
fn skipped_pages_are_named_and_can_be_marked() {
    let t = SiteTest::new()
        .file(
            "pmsite.toml",
            &format!("{CONFIG}\n[content]\npostmortems = [\"notes/*.md\"]\nskip = [\"content/index.md\"]\n"),
        )
        .file("content/about.md", "---\nlayout: page\ntitle: About this blog\n---\nWe write about outages.\n")
        .file("content/runbook.md", "# Restarting the ledger\n\nRun the restart script.\n")
        .file(
            "content/index.md",
            "# Home\n\n## Summary\n\nAll our incidents.\n\n## Timeline of the wiki\n\nStarted 2020.\n",
        )
        .file("content/notes/short.md", "# Queue stall\n\nThe queue stalled.\n")
        .file("content/marked.md", "---\ntitle: Printer fire\npostmortem: true\n---\nIt burned.\n")
        .file("content/unmarked.md", "+++\ntitle = \"Not one\"\ndate = 2024-01-01\npostmortem = false\n+++\nText.\n")
        .file(
            "content/shaped.md",
            "# Cache stampede\n\n## Impact\n\nSlow pages.\n\n## Lessons learned\n\nWarm caches.\n",
        )
        .file(
            "content/timed.md",
            "# DNS flap\n\n- 09:01 resolver restarts\n- 09:04 errors climb\n- 09:10 resolver back\n",
        );
    let out = t.cli(&["build"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr.contains("skipped, not read as post-mortems: content/about.md, content/index.md, content/runbook.md, content/unmarked.md"),
        "{}",
        out.stderr
    );
    assert!(
        out.stdout
            .contains("4 pages that do not read as post-mortems skipped"),
        "{}",
        out.stdout
    );
    for page in ["short", "marked", "shaped", "timed"] {
        assert!(t.exists(&format!("incidents/{page}/index.html")), "{page}");
    }
    for page in ["about", "runbook", "index", "unmarked"] {
        assert!(
            !t.exists(&format!("incidents/{}/index.html", page.to_lowercase())),
            "{page}"
        );
    }
}

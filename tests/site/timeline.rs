use crate::harness::*;

#[test]
fn list_entries_with_dates_times_links_and_milestones() {
    let t = SiteTest::new()
        .file(
            "content/a.md",
            &toml_pm(
                "INC-1",
                "A",
                "date = 2024-03-12",
                "\n## Timeline\n\nAll times UTC.\n\n- 2024-03-12 20:58 Config merged ([MR](https://git.example.com/mr/1))\n- 21:04 OUTAGE BEGINS: errors climb\n- 21:11 Pager fires; detected ([dashboard](https://grafana.example.com/d/x))\n- 21:40 Rolled back (mitigated)\n- 2024-03-13 00:15 Backlog drained; resolved\n",
            ),
        )
        .build();
    let i = t.incident("INC-1");
    let tl = i["timeline"].as_array().unwrap();
    assert_eq!(tl.len(), 5);
    assert_eq!(tl[0]["at"], "2024-03-12T20:58:00Z");
    assert_eq!(tl[0]["text"], "Config merged");
    assert_eq!(tl[0]["sources"][0], "https://git.example.com/mr/1");
    assert_eq!(tl[4]["at"], "2024-03-13T00:15:00Z");
    // OUTAGE BEGINS gives the time a date-only `date` lacks; markers fill the milestones.
    assert_eq!(i["date"], "2024-03-12T21:04:00Z");
    assert_eq!(i["detected"], "2024-03-12T21:11:00Z");
    assert_eq!(i["mitigated"], "2024-03-12T21:40:00Z");
    assert_eq!(i["resolved"], "2024-03-13T00:15:00Z");
    assert_eq!(i["time_to_detect_minutes"], 7);
    assert_eq!(i["time_to_mitigate_minutes"], 36);
    assert_eq!(i["time_to_resolve_minutes"], 191);
    t.contains("incidents/inc-1/index.html", "<ol class=\"timeline\">")
        .contains(
            "incidents/inc-1/index.html",
            "<time datetime=\"2024-03-12T21:11:00Z\" title=\"21:11 UTC\">21:11</time>",
        )
        .contains("incidents/inc-1/index.html", "<p>All times UTC.</p>")
        .contains(
            "incidents/inc-1/index.html",
            "href=\"https://grafana.example.com/d/x\"",
        )
        .contains("incidents/inc-1/index.html", "<li class=\"tl-mitigated\">");
}

#[test]
fn front_matter_milestones_win_over_markers() {
    let t = SiteTest::new()
        .file(
            "content/a.md",
            &toml_pm(
                "INC-1",
                "A",
                "date = 2024-03-12T21:00:00Z\nmitigated = 2024-03-12T21:30:00Z",
                "\n## Timeline\n\n- 21:40 Rolled back (mitigated)\n",
            ),
        )
        .build();
    assert_eq!(t.incident("INC-1")["mitigated"], "2024-03-12T21:30:00Z");
}

#[test]
fn google_sre_date_line_then_time_lines() {
    let body = "\n## Timeline\n\n2015-10-21 (all times UTC)\n\n14:51 News reports that Shakespeare is in the public domain\n14:53 Traffic to Shakespeare search increases 88x; OUTAGE BEGINS\n\n2015-10-22\n\n00:05 Load back to normal; OUTAGE ENDS\n";
    let t = SiteTest::one("", body);
    let i = t.incident("INC-1");
    let tl = i["timeline"].as_array().unwrap();
    assert_eq!(tl.len(), 3, "{tl:?}");
    assert_eq!(tl[0]["at"], "2015-10-21T14:51:00Z");
    assert_eq!(
        tl[1]["text"],
        "Traffic to Shakespeare search increases 88x; OUTAGE BEGINS"
    );
    assert_eq!(tl[2]["at"], "2015-10-22T00:05:00Z");
    // No date in front matter: the first dated entry and OUTAGE BEGINS give it.
    assert_eq!(i["date"], "2015-10-21T14:53:00Z");
    assert_eq!(i["resolved"], "2015-10-22T00:05:00Z");
}

#[test]
fn pagerduty_table_with_zone_in_header_and_data_links() {
    let body = "\n## Timeline\n\n| Time (UTC) | Event | Data Link |\n| --- | --- | --- |\n| 2024-10-21 09:00 | Certificate expires | https://crt.example.com/x |\n| 09:12 | Support reports broken pages; detected | [graph](https://grafana.example.com/g) |\n";
    let t = SiteTest::one("", body);
    let tl = t.incident("INC-1")["timeline"].clone();
    assert_eq!(tl[0]["at"], "2024-10-21T09:00:00Z");
    assert_eq!(tl[0]["text"], "Certificate expires");
    assert_eq!(tl[0]["sources"][0], "https://crt.example.com/x");
    assert_eq!(tl[1]["text"], "Support reports broken pages; detected");
    assert_eq!(tl[1]["sources"][0], "https://grafana.example.com/g");
    assert_eq!(t.incident("INC-1")["detected"], "2024-10-21T09:12:00Z");
}

#[test]
fn who_what_table_joins_columns() {
    let body = "\n## Timeline\n\n| Date/Time | Who/What | Action/Impact |\n| --- | --- | --- |\n| 2024-05-01 10:00 | Ana | Starts the failover |\n";
    let t = SiteTest::one("", body);
    assert_eq!(
        t.incident("INC-1")["timeline"][0]["text"],
        "Ana — Starts the failover"
    );
}

#[test]
fn named_zone_in_section_text_converts_to_utc() {
    // 09:00 Pacific on 2024-07-01 is PDT (UTC-7); on 2024-01-15 it is PST (UTC-8).
    let body = "\n## Timeline\n\nAll times Pacific Time.\n\n- 2024-07-01 09:00 Deploy begins\n- 2024-01-15 09:00 Winter deploy\n";
    let t = SiteTest::one("", body);
    let tl = t.incident("INC-1")["timeline"].clone();
    assert_eq!(tl[0]["at"], "2024-07-01T09:00:00-07:00");
    assert_eq!(tl[1]["at"], "2024-01-15T09:00:00-08:00");
}

/// Only a statement about the times names the section's zone: words of an entry ("the
/// central config service", "eastern region", "ET" in a sentence) move no time.
#[test]
fn zone_words_inside_entries_do_not_move_the_times() {
    let body = "\n## Timeline\n\n- 2024-07-01 09:00 Deploy to the central config service\n- 2024-07-01 09:05 Eastern region fails over\n\nThe central team paged the Pacific on-call.\n";
    let t = SiteTest::one("", body);
    let tl = t.incident("INC-1")["timeline"].clone();
    assert_eq!(tl[0]["at"], "2024-07-01T09:00:00Z");
    assert_eq!(tl[1]["at"], "2024-07-01T09:05:00Z");

    let body = "\n## Timeline\n\nTimes are Pacific.\n\n- 2024-07-01 09:00 Deploy to the central config service\n";
    let t = SiteTest::one("", body);
    assert_eq!(
        t.incident("INC-1")["timeline"][0]["at"],
        "2024-07-01T09:00:00-07:00"
    );
}

#[test]
fn zone_in_column_header_and_on_entry() {
    let body = "\n## Timeline\n\n| Time (UTC+2) | Event |\n| --- | --- |\n| 2024-05-01 10:00 | Starts |\n\n- 2024-05-01 10:30 UTC Ends\n";
    let t = SiteTest::one("", body);
    let tl = t.incident("INC-1")["timeline"].clone();
    assert_eq!(tl[0]["at"], "2024-05-01T10:00:00+02:00");
    assert_eq!(tl[1]["at"], "2024-05-01T10:30:00Z");
}

#[test]
fn time_alone_takes_the_incident_date() {
    let body = "\n## Timeline\n\n- 21:04 Something\n";
    let t = SiteTest::one("date = 2024-03-12T20:00:00Z", body);
    assert_eq!(
        t.incident("INC-1")["timeline"][0]["at"],
        "2024-03-12T21:04:00Z"
    );
}

#[test]
fn front_matter_timeline_array() {
    let fm = "date = 2024-03-12T21:00:00Z\n\n[[timeline]]\nat = 2024-03-12T21:05:00Z\ntext = \"Alert fires; detected\"\nsources = [\"https://grafana.example.com/a\"]\n\n[[timeline]]\nat = \"2024-03-12T22:00:00Z\"\ntext = \"All clear; resolved\"";
    let t = SiteTest::new()
        .file("content/a.md", &toml_pm("INC-1", "A", fm, "\nBody.\n"))
        .build();
    let i = t.incident("INC-1");
    assert_eq!(
        i["timeline"][0]["sources"][0],
        "https://grafana.example.com/a"
    );
    assert_eq!(i["detected"], "2024-03-12T21:05:00Z");
    assert_eq!(i["resolved"], "2024-03-12T22:00:00Z");
    t.contains("incidents/inc-1/index.html", "Alert fires; detected");
}

#[test]
fn timeline_without_times_stays_prose() {
    let body = "\n## Timeline\n\nWe do not have exact times for this one.\n";
    let t = SiteTest::one("date = 2024-01-01", body);
    assert_eq!(t.incident("INC-1")["timeline"].as_array().unwrap().len(), 0);
    t.contains("incidents/inc-1/index.html", "We do not have exact times");
}

/// Front matter's times mark the timeline entry at that minute as the milestone, though the
/// entry's words name none (`date` is when impact began); each milestone is marked once.
#[test]
fn front_matter_times_mark_their_entries() {
    let t = SiteTest::one(
        "date = 2024-03-12T21:04:00Z\ndetected = 2024-03-12T21:11:00Z\nresolved = 2024-03-12T22:15:00Z",
        "\n## Timeline\n\n- 20:58 Config merged\n- 21:04 Errors climb\n- 21:11 Ana looks at the graphs\n- 22:15 Queue empty\n",
    );
    let page = t.read("incidents/inc-1/index.html");
    for (class, text) in [
        ("tl-begins", "Errors climb"),
        ("tl-detected", "Ana looks at the graphs"),
        ("tl-resolved", "Queue empty"),
    ] {
        let at = page.find(text).unwrap();
        let li = page[..at].rfind("<li class=\"").unwrap();
        assert!(page[li..at].contains(class), "{text}: {}", &page[li..at]);
        assert_eq!(
            page.matches(&format!("<li class=\"{class}\"")).count(),
            1,
            "{class}"
        );
    }
}

/// An entry's words keep the author's inline Markdown (code, emphasis, links) on the page,
/// the time stamp cut from them however it was marked up; the JSON keeps plain words, and
/// a link shown in the words is not repeated beside them.
#[test]
fn entries_keep_inline_markdown_without_the_stamp() {
    let body = "\n## Timeline\n\n\
- **16:58 UTC** - Rollback of `ledger-api` starts, see [the runbook](https://wiki.example.com/rb)\n\
- 17:05 Alert *fired* on `queue_depth > 500` ([graph](https://grafana.example.com/d/1))\n\
- `17:20` traffic ~~held~~ shifted\n\
\n### 18:00\n\nQueue drained with _no_ loss.\n\n\
| Time | Event | Link |\n|---|---|---|\n| 19:00 | Deploy `v2.3` **done** | [dash](https://dash.example.com) |\n\n\
20:00 first line with `code`\n20:10 second line with **bold**\n";
    let t = SiteTest::one("date = 2024-03-01", body);
    let page = t.read("incidents/inc-1/index.html");
    let texts: Vec<&str> = page
        .split("<span class=\"tl-text\">")
        .skip(1)
        .map(|s| &s[..s.find("</span>").unwrap()])
        .map(|s| {
            s.rsplit("</strong> ")
                .next()
                .filter(|_| s.starts_with("<strong class"))
                .unwrap_or(s)
        })
        .collect();
    assert_eq!(
        texts,
        [
            "Rollback of <code>ledger-api</code> starts, see <a href=\"https://wiki.example.com/rb\">the runbook</a>",
            "Alert <em>fired</em> on <code>queue_depth &gt; 500</code> (<a href=\"https://grafana.example.com/d/1\">graph</a>)",
            "traffic <del>held</del> shifted",
            "Queue drained with <em>no</em> loss.",
            "Deploy <code>v2.3</code> <strong>done</strong>",
            "first line with <code>code</code>",
            "second line with <strong>bold</strong>",
        ]
    );
    // Links in the words are not listed again; the table's link column still is.
    assert!(!page.contains("rel=\"noopener\">graph</a>"));
    assert!(page.contains("<a href=\"https://dash.example.com\" rel=\"noopener\">dash</a>"));
    let tl = t.incident("INC-1")["timeline"].clone();
    assert_eq!(
        tl[0]["text"],
        "Rollback of ledger-api starts, see the runbook"
    );
    assert_eq!(tl[1]["text"], "Alert fired on queue_depth > 500");
    assert_eq!(tl[1]["sources"][0], "https://grafana.example.com/d/1");
}

/// Lines of one paragraph whose emphasis runs across the line break cannot be cut apart:
/// their entries are shown from their plain words, every word kept.
#[test]
fn emphasis_across_timed_lines_falls_back_to_the_words() {
    let body = "\n## Timeline\n\n20:30 the *queue\n20:40 grows* again\n";
    let t = SiteTest::one("date = 2024-03-01", body);
    t.contains(
        "incidents/inc-1/index.html",
        "<span class=\"tl-text\">the queue</span>",
    )
    .contains(
        "incidents/inc-1/index.html",
        "<span class=\"tl-text\">grows again</span>",
    );
}

use crate::harness::*;

#[test]
fn incidents_json_has_the_documented_shape() {
    let fm = "date = 2024-03-12T21:04:00Z\nstatus = \"published\"\nseverity = \"SEV-1\"\nsummary = \"S\"\ncomponents = [\"checkout-api\"]\ntags = [\"deploy\"]\nroot_causes = [\"config-change\"]\ndetected = 2024-03-12T21:11:00Z\nmitigated = 2024-03-12T21:40:00Z\nresolved = 2024-03-12T22:15:00Z\npublished = 2024-03-19\n\n[impact]\ncustomers_affected = 1200\nrevenue_lost = \"about $41k\"\n\n[people]\nincident_commander = \"Ana\"\nreviewers = [\"Fay\"]";
    let body = "\n## Timeline\n\n- 21:04 Begins ([graph](https://grafana.example.com/g))\n\n## Action items\n\n- [ ] Fix @bob due:2024-04-01 P1 prevent [OPS-1](https://t.example.com/OPS-1)\n\n## External message\n\nSorry **really**.\n";
    let t = SiteTest::new()
        .file(
            "content/a.md",
            &toml_pm("INC-2024-017", "Checkout <500s>", fm, body),
        )
        .build();
    let json = t.json();
    assert!(chrono::DateTime::parse_from_rfc3339(json["generated"].as_str().unwrap()).is_ok());
    let i = t.incident("INC-2024-017");
    let keys: Vec<&str> = i.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        vec![
            "id",
            "title",
            "url",
            "status",
            "severity",
            "type",
            "date",
            "published",
            "detected",
            "mitigated",
            "resolved",
            "time_to_detect_minutes",
            "time_to_mitigate_minutes",
            "time_to_resolve_minutes",
            "summary",
            "components",
            "tags",
            "root_causes",
            "contributing_factors",
            "impact",
            "people",
            "timeline",
            "action_items",
            "external_message",
            "related",
            "backlinks"
        ]
    );
    assert_eq!(i["title"], "Checkout <500s>");
    assert_eq!(
        i["url"],
        "https://incidents.example.com/incidents/inc-2024-017/"
    );
    assert_eq!(i["severity"], "SEV1");
    assert_eq!(i["published"], "2024-03-19T00:00:00Z");
    assert_eq!(
        (
            i["time_to_detect_minutes"].as_i64(),
            i["time_to_mitigate_minutes"].as_i64(),
            i["time_to_resolve_minutes"].as_i64()
        ),
        (Some(7), Some(36), Some(71))
    );
    assert_eq!(
        i["impact"],
        serde_json::json!({"customers_affected": 1200, "revenue_lost": "about $41k"})
    );
    assert_eq!(i["people"]["incident_commander"], "Ana");
    assert_eq!(
        i["timeline"][0],
        serde_json::json!({"at": "2024-03-12T21:04:00Z", "text": "Begins", "sources": ["https://grafana.example.com/g"]})
    );
    let item = i["action_items"][0].as_object().unwrap();
    for key in [
        "text", "owner", "due", "priority", "type", "ticket", "done", "overdue",
    ] {
        assert!(item.contains_key(key), "action item lacks {key}");
    }
    assert_eq!(i["external_message"], "Sorry really.");
}

#[test]
fn nulls_for_what_is_unknown_and_published_defaults_to_date() {
    let t = SiteTest::new()
        .file("content/a.md", &toml_pm("A", "T", "date = 2024-01-01", ""))
        .build();
    let i = t.incident("A");
    assert_eq!(i["published"], "2024-01-01T00:00:00Z");
    for key in [
        "detected",
        "mitigated",
        "resolved",
        "time_to_resolve_minutes",
        "summary",
        "external_message",
        "severity",
    ] {
        assert!(i[key].is_null(), "{key} should be null: {}", i[key]);
    }
}

#[test]
fn newest_first_undated_last_and_related_by_shared_terms() {
    let t = SiteTest::new()
        .file(
            "content/a.md",
            &toml_pm(
                "A",
                "A",
                "date = 2024-01-01\nroot_causes = [\"config-change\"]\ncomponents = [\"x\"]",
                "",
            ),
        )
        .file(
            "content/b.md",
            &toml_pm(
                "B",
                "B",
                "date = 2024-02-01\nroot_causes = [\"config-change\"]",
                "",
            ),
        )
        .file(
            "content/c.md",
            &toml_pm(
                "C",
                "C",
                "date = 2024-03-01\ncomponents = [\"x\"]\ntags = [\"t\"]",
                "",
            ),
        )
        .file("content/d.md", &toml_pm("D", "D", "tags = [\"t\"]", ""))
        .file(
            "content/e.md",
            &toml_pm("E", "E", "date = 2024-04-01\ntags = [\"other\"]", ""),
        );
    let t = t.build();
    assert_eq!(ids(&t.json()), vec!["E", "C", "B", "A", "D"]);
    // A shares a root cause with B (3) and a component with C (2); none with D or E.
    assert_eq!(t.incident("A")["related"], serde_json::json!(["B", "C"]));
    assert_eq!(t.incident("C")["related"], serde_json::json!(["A", "D"]));
    assert_eq!(t.incident("E")["related"], serde_json::json!([]));
    t.contains("incidents/a/index.html", "same root cause: config-change")
        .contains("incidents/a/index.html", "same component: x");
}

#[test]
fn restricted_and_drafts_are_not_in_the_json() {
    let t = SiteTest::new()
        .file("content/a.md", &toml_pm("A", "A", "", ""))
        .file("content/b.md", &toml_pm("B", "B", "status = \"draft\"", ""))
        .file(
            "content/c.md",
            &toml_pm("C", "C", "visibility = \"restricted\"", ""),
        )
        .build();
    assert_eq!(ids(&t.json()), vec!["A"]);
    assert!(!t.read("incidents.json").contains("\"B\""));
}

/// `latest.json`, per term and for the library: the newest incidents, small whatever the
/// library's size, with a version and the total.
#[test]
fn latest_json_per_term_holds_the_newest_fifty() {
    let mut t = SiteTest::new();
    for k in 0..60 {
        t = t.file(
            &format!("content/{k}.md"),
            &toml_pm(
                &format!("INC-{k}"),
                &format!("Outage {k}"),
                &format!("date = 2024-01-01T00:{k:02}:00Z\ncomponents = [\"db\"]"),
                "",
            ),
        );
    }
    let t = t.build();
    for path in ["components/db/latest.json", "latest.json"] {
        let json: serde_json::Value = serde_json::from_str(&t.read(path)).unwrap();
        assert_eq!(json["version"], 1);
        assert_eq!(json["total"], 60);
        let list = json["incidents"].as_array().unwrap();
        assert_eq!(list.len(), 50, "{path}");
        assert_eq!(list[0]["id"], "INC-59", "newest first");
        assert_eq!(
            list[0]["url"],
            "https://incidents.example.com/incidents/inc-59/"
        );
    }
    let json: serde_json::Value =
        serde_json::from_str(&t.read("components/db/latest.json")).unwrap();
    assert_eq!(json["term"], "db");
}

/// `incidents.json` is an index of pages of at most 250 incidents, newest first across them,
/// so no file a script downloads grows with the library.
#[test]
fn incidents_json_lists_pages_that_stay_small() {
    let mut t = SiteTest::new();
    for k in 0..600 {
        t = t.file(
            &format!("content/{k}.md"),
            &toml_pm(
                &format!("INC-{k}"),
                &format!("Outage {k}"),
                &format!("date = 2024-01-01T00:00:00Z\npublished = 2024-01-02\nsummary = \"{k}\""),
                "",
            ),
        );
    }
    let t = t.build();
    let index: serde_json::Value = serde_json::from_str(&t.read("incidents.json")).unwrap();
    assert_eq!(index["version"], 2);
    assert_eq!(index["total"], 600);
    let pages = index["pages"].as_array().unwrap();
    let counts: Vec<u64> = pages.iter().map(|p| p["count"].as_u64().unwrap()).collect();
    assert_eq!(counts, [250, 250, 100]);
    assert_eq!(
        pages[2]["url"],
        "https://incidents.example.com/incidents/pages/3.json"
    );
    for n in 1..=3 {
        let page: serde_json::Value =
            serde_json::from_str(&t.read(&format!("incidents/pages/{n}.json"))).unwrap();
        assert_eq!(page["page"], n);
        assert_eq!(
            page["incidents"].as_array().unwrap().len() as u64,
            counts[n - 1]
        );
    }
    assert!(!t.exists("incidents/pages/4.json"));
    assert_eq!(t.json()["incidents"].as_array().unwrap().len(), 600);
}

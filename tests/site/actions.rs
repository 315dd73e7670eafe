use crate::harness::*;

#[test]
fn task_list_items_with_every_token() {
    let body = "\n## Action items\n\n- [ ] Add validation to the deploy pipeline @bob due:2024-04-01 P1 prevent [OPS-123](https://tickets.example.com/OPS-123)\n- [x] Roll back @ana due:2024-03-13 P0 mitigate\n- [ ] Write the runbook\n";
    let t = SiteTest::one("date = 2024-03-12\npublished = 2024-03-19", body);
    let items = t.incident("INC-1")["action_items"].clone();
    assert_eq!(items[0]["text"], "Add validation to the deploy pipeline");
    assert_eq!(items[0]["owner"], "bob");
    assert_eq!(items[0]["due"], "2024-04-01");
    assert_eq!(items[0]["priority"], "P1");
    assert_eq!(items[0]["type"], "prevent");
    assert_eq!(items[0]["ticket"], "OPS-123");
    assert_eq!(
        items[0]["ticket_url"],
        "https://tickets.example.com/OPS-123"
    );
    assert_eq!(items[0]["done"], false);
    assert_eq!(items[0]["overdue"], true);
    assert_eq!(items[1]["done"], true);
    assert_eq!(items[1]["overdue"], false);
    assert_eq!(items[2]["owner"], serde_json::Value::Null);
    assert_eq!(items[2]["overdue"], false);
    t.contains(
        "incidents/inc-1/index.html",
        "<span class=\"badge badge-overdue\">overdue</span>",
    )
    .contains(
        "incidents/inc-1/index.html",
        "<span class=\"muted\">no owner</span>",
    )
    .contains("incidents/inc-1/index.html", "<th scope=\"col\">Type</th>")
    .contains("incidents/inc-1/index.html", "<td>prevent</td>");
}

/// A table whose items have no type has no Type column to leave empty on every row.
#[test]
fn no_type_column_without_a_typed_item() {
    let body = "\n## Action items\n\n- [ ] Write the runbook @kai\n- [x] Roll back @ana\n";
    let t = SiteTest::one("", body);
    let page = t.read("incidents/inc-1/index.html");
    let table = &page[page.find("<table class=\"actions\">").unwrap()..];
    let table = &table[..table.find("</table>").unwrap()];
    assert!(!table.contains(">Type<"), "{table}");
    assert_eq!(table.matches("<th ").count(), 6, "{table}");
    for row in table.split("<tr class=").skip(1) {
        assert_eq!(row.matches("<td").count(), 6, "{row}");
    }
}

#[test]
fn type_word_in_the_text_is_text() {
    let body = "\n## Action items\n\n- [ ] Improve alerting to detect disk pressure @kai\n";
    let t = SiteTest::one("", body);
    let item = &t.incident("INC-1")["action_items"][0];
    assert_eq!(item["text"], "Improve alerting to detect disk pressure");
    assert_eq!(item["type"], serde_json::Value::Null);
}

#[test]
fn priority_target_gives_due_date_after_publication() {
    let body =
        "\n## Action items\n\n- [ ] P1 thing @a P1\n- [ ] P2 thing @b P2\n- [ ] P3 thing @c P3\n";
    let t = SiteTest::one("date = 2026-10-01\npublished = 2026-10-10", body);
    let items = t.incident("INC-1")["action_items"].clone();
    assert_eq!(items[0]["due"], "2026-11-07"); // 28 days: overdue on 2026-11-24
    assert_eq!(items[0]["overdue"], true);
    assert_eq!(items[1]["due"], "2026-12-05"); // 56 days: not yet
    assert_eq!(items[1]["overdue"], false);
    assert_eq!(items[2]["due"], serde_json::Value::Null);
}

#[test]
fn configured_priority_targets() {
    let config = format!("{CONFIG}\n[action_items]\ntarget_days = {{ P3 = 7 }}\n");
    let body = "\n## Action items\n\n- [ ] Thing @a P3\n";
    let t = SiteTest::new()
        .file("pmsite.toml", &config)
        .file(
            "content/a.md",
            &toml_pm("INC-1", "A", "date = 2026-10-01", body),
        )
        .build();
    assert_eq!(t.incident("INC-1")["action_items"][0]["due"], "2026-10-08");
}

#[test]
fn google_sre_table_with_todo_done() {
    let body = "\n## Action Items\n\n| Action Item | Type | Owner | Bug |\n| --- | --- | --- | --- |\n| Update playbook | mitigate | jennifer | n/a **DONE** |\n| Add capacity alerts | prevent | martym | [Bug 5554823](https://bugs.example.com/5554823) **TODO** |\n";
    let t = SiteTest::one("", body);
    let items = t.incident("INC-1")["action_items"].clone();
    assert_eq!(items.as_array().unwrap().len(), 2);
    assert_eq!(items[0]["text"], "Update playbook");
    assert_eq!(items[0]["type"], "mitigate");
    assert_eq!(items[0]["owner"], "jennifer");
    assert_eq!(items[0]["done"], true);
    assert_eq!(items[0]["ticket"], serde_json::Value::Null);
    assert_eq!(items[1]["done"], false);
    assert_eq!(items[1]["ticket"], "Bug 5554823");
    assert_eq!(items[1]["ticket_url"], "https://bugs.example.com/5554823");
}

#[test]
fn front_matter_action_items() {
    let fm = "[[action_items]]\ntext = \"Rotate keys\"\nowner = \"@wen\"\ndue = 2020-01-01\npriority = \"p0\"\ntype = \"mitigate\"\nticket = \"SEC-1\"\nticket_url = \"https://t.example.com/SEC-1\"\ndone = false";
    let t = SiteTest::new()
        .file("content/a.md", &toml_pm("INC-1", "A", fm, "\nBody\n"))
        .build();
    let item = &t.incident("INC-1")["action_items"][0];
    assert_eq!(item["owner"], "wen");
    assert_eq!(item["priority"], "P0");
    assert_eq!(item["overdue"], true);
    assert_eq!(item["ticket_url"], "https://t.example.com/SEC-1");
}

#[test]
fn bad_due_date_names_the_line_and_keeps_the_item() {
    let body = "\n## Action items\n\n- [ ] Fix it @a due:2024-13-45\n";
    let t = SiteTest::new().file("content/a.md", &toml_pm("INC-1", "A", "", body));
    let diags = t.authored_errors();
    // Front matter is lines 1-5, the body starts on line 6; the item is on line 9.
    assert_diag(&diags, "content/a.md:9: error", "due date `2024-13-45`");
}

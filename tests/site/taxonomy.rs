//! The organisation's vocabulary: contributing factors from each source, `taxonomy.toml`
//! (aliases folded everywhere, parents gathering their children, descriptions), incident
//! types whose metrics are off, a Backstage catalog and team pages. Fictional company:
//! Fernhill Outfitters.

use crate::harness::*;

const TAXONOMY: &str = r#"
[components.postgres]
description = "The orders database cluster"
aliases = ["pg", "PostgreSQL"]
parent = "database"
owner = "data-platform"
tier = 1
repo = "https://git.fernhill.example/data/postgres"
runbook = "https://runbooks.fernhill.example/postgres"

[components.database]
description = "Everything that stores orders"

[components.checkout-api]
owner = "payments"

[root_causes.config-change]
description = "A configuration change that reached production"
aliases = ["config push", "bad config"]
parent = "change"

[root_causes.change]

[root_causes.capacity]

[contributing_factors.alert-fatigue]
description = "Pages nobody reads any more"
aliases = ["noisy alerts"]

[teams.payments]
description = "Checkout and refunds"
members = ["@ana", "Bo"]
email = "payments@fernhill.example"

[teams.data-platform]
members = ["cy"]
"#;

/// A library of four: two incidents, a near miss and a game day.
fn library() -> SiteTest {
    SiteTest::new()
        .file("taxonomy.toml", TAXONOMY)
        .file(
            "content/2024-03-12-checkout.md",
            &toml_pm(
                "INC-1",
                "Checkout failed after a config push",
                "date = 2024-03-12T21:04:00Z\nmitigated = 2024-03-12T21:34:00Z\nresolved = 2024-03-12T22:04:00Z\ncomponents = [\"checkout-api\", \"pg\"]\nroot_causes = [\"config push\"]\ncontributing_factors = [\"noisy alerts\"]\nseverity = \"SEV2\"",
                "\n## Action items\n\n- [ ] Add a canary for config pushes @ana due:2024-04-01\n- [ ] Index the orders table due:2024-04-02\n",
            ),
        )
        .file(
            "content/2024-05-01-orders.md",
            &toml_pm(
                "INC-2",
                "Orders slow after a PostgreSQL config change",
                "date = 2024-05-01T10:00:00Z\nmitigated = 2024-05-01T11:00:00Z\nresolved = 2024-05-01T12:00:00Z\ncomponents = [\"PostgreSQL\"]\nroot_causes = [\"config-change\"]\nseverity = \"SEV3\"",
                "\n## Contributing factors\n\n- **Alert fatigue**: the slow-query alert had fired for weeks.\n- Nobody owned the runbook after the reorganisation in the spring, so the on-call engineer had to guess.\n\n## Action items\n\n- [ ] Raise the pool size @cy due:2024-06-01\n",
            ),
        )
        .file(
            "content/2024-06-01-near-miss.md",
            &toml_pm(
                "NM-1",
                "A config push nearly took checkout down",
                "type = \"Near miss\"\ndate = 2024-06-01T09:00:00Z\nmitigated = 2024-06-01T09:05:00Z\nresolved = 2024-06-02T09:00:00Z\ncomponents = [\"checkout-api\"]\nroot_causes = [\"config-change\"]\nseverity = \"SEV1\"",
                "\nCaught by the canary.\n",
            ),
        )
        .file(
            "content/gameday.md",
            "# Game day: losing the primary\n\n**Type:** gameday\n**Date:** 2024-07-01\n**Components:** pg\n**Contributing factors:** Stale runbook\n\n## Summary\n\nWe failed the primary over on purpose.\n\n## Timeline\n\n- 10:00 Primary stopped\n- 10:20 Replica promoted\n",
        )
}

#[test]
fn contributing_factors_come_from_front_matter_wiki_lines_and_sections() {
    let t = library().build();
    assert_eq!(
        t.incident("INC-1")["contributing_factors"],
        serde_json::json!(["alert-fatigue"])
    );
    // A section's list: the bold lead of an item; a long sentence names no term but stays.
    assert_eq!(
        t.incident("INC-2")["contributing_factors"],
        serde_json::json!(["alert-fatigue"])
    );
    t.contains(
        "incidents/inc-2/index.html",
        "Nobody owned the runbook after the reorganisation",
    );
    let gameday = t.json()["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["title"] == "Game day: losing the primary")
        .cloned()
        .unwrap();
    assert_eq!(
        gameday["contributing_factors"],
        serde_json::json!(["Stale runbook"])
    );
    // Its own pages, feed, facet and patterns rows.
    t.contains("contributing-factors/index.html", "alert-fatigue")
        // The index shows each term's description too.
        .contains(
            "contributing-factors/index.html",
            "Pages nobody reads any more",
        )
        .contains(
            "contributing-factors/alert-fatigue/index.html",
            "Pages nobody reads any more",
        )
        .contains("contributing-factors/alert-fatigue/index.html", "INC-2");
    let feed = t.read("contributing-factors/alert-fatigue/atom.xml");
    let parsed = feed_rs::parser::parse(feed.as_bytes()).expect("the feed parses");
    assert_eq!(parsed.entries.len(), 2);
    let meta: serde_json::Value = serde_json::from_str(&t.read("search/meta.json")).unwrap();
    assert!(
        meta["facets"]["contributing_factor"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!("alert-fatigue")),
        "{}",
        meta["facets"]
    );
    t.contains("patterns/index.html", "Contributing factors")
        .contains(
            "incidents/inc-1/index.html",
            "/contributing-factors/alert-fatigue/",
        );
}

#[test]
fn aliases_fold_into_the_declared_term_in_every_output() {
    let t = library().build();
    // JSON: `pg` and `PostgreSQL` are `postgres`, once each.
    assert_eq!(
        t.incident("INC-1")["components"],
        serde_json::json!(["checkout-api", "postgres"])
    );
    assert_eq!(
        t.incident("INC-2")["components"],
        serde_json::json!(["postgres"])
    );
    assert_eq!(
        t.incident("INC-1")["root_causes"],
        serde_json::json!(["config-change"])
    );
    // HTML: no page for an alias.
    assert!(!t.exists("components/pg/index.html"));
    assert!(!t.exists("components/postgresql/index.html"));
    assert!(!t.exists("root-causes/config-push/index.html"));
    // CSV.
    let csv = t.read("impact.csv");
    assert!(
        csv.contains(",checkout-api; postgres,config-change,"),
        "{csv}"
    );
    assert!(
        csv.contains(",postgres,config-change,alert-fatigue"),
        "{csv}"
    );
    // Feeds: the term feed has every incident of the term, under its declared name.
    let feed = t.read("components/postgres/atom.xml");
    let parsed = feed_rs::parser::parse(feed.as_bytes()).unwrap();
    assert_eq!(parsed.entries.len(), 3, "INC-1, INC-2 and the game day");
    // Search facets.
    let meta: serde_json::Value = serde_json::from_str(&t.read("search/meta.json")).unwrap();
    let components: Vec<&str> = meta["facets"]["component"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(components.contains(&"postgres"), "{components:?}");
    assert!(
        !components.contains(&"pg") && !components.contains(&"PostgreSQL"),
        "{components:?}"
    );
    // The term page says what the term is.
    t.contains(
        "components/postgres/index.html",
        "The orders database cluster",
    );
}

#[test]
fn a_parent_gathers_its_children_with_counts() {
    let t = library().build();
    let page = "root-causes/change/index.html";
    t.contains(page, "Under change")
        .contains(
            page,
            "/root-causes/config-change/\">config-change</a>: 3 incidents",
        )
        .contains(page, "INC-1")
        .contains(page, "INC-2")
        // A child's page links up.
        .contains(
            "root-causes/config-change/index.html",
            "/root-causes/change/\">change</a>",
        );
    // A parent no post-mortem names has its page too.
    t.contains(
        "components/database/index.html",
        "/components/postgres/\">postgres</a>: 3 incidents",
    );
    let meta: serde_json::Value = serde_json::from_str(&t.read("search/meta.json")).unwrap();
    let facet = meta["facets"]["root_cause"].as_array().unwrap();
    assert!(facet.contains(&serde_json::json!("change")), "{facet:?}");
}

#[test]
fn a_type_whose_metrics_are_off_is_listed_but_not_counted() {
    let t = library().build();
    // Listed, searchable and badged.
    assert_eq!(t.incident("NM-1")["type"], "near-miss");
    assert_eq!(t.incident("INC-1")["type"], "incident");
    t.contains("incidents/index.html", "NM-1")
        .contains("types/near-miss/index.html", "NM-1")
        .lacks("types/near-miss/index.html", "INC-1")
        .contains("incidents/nm-1/index.html", "Near miss")
        .contains(
            "incidents/nm-1/index.html",
            "not counted in its durations, patterns, trends or the digest&#39;s counts",
        )
        .lacks("incidents/inc-1/index.html", "not counted in its durations");
    let docs: String = (0..4)
        .filter_map(|k| {
            std::fs::read_to_string(t.public().join(format!("search/docs/{k}.json"))).ok()
        })
        .collect();
    assert!(
        docs.contains("NM-1"),
        "the near miss is in the search documents"
    );
    // Patterns: config-change has two counted incidents (INC-1, INC-2), not three; the
    // near miss's SEV1 is not in the severity trend.
    let p = t.read("patterns/index.html");
    let row = p
        .split("<tr")
        .find(|r| r.contains("/root-causes/config-change/"))
        .expect("a config-change row");
    assert!(row.contains(">2<"), "{row}");
    let chart = t.read("patterns/incidents-by-severity.svg");
    assert!(chart.contains("2024-05: 1 SEV3"), "{chart}");
    assert!(
        !chart.contains("1 SEV1"),
        "the near miss is not in the trend: {chart}"
    );
}

#[test]
fn component_pages_show_the_catalog_and_teams_have_pages() {
    let t = library().build();
    let page = "components/postgres/index.html";
    t.contains(
        page,
        "<dt>Owner</dt><dd><a href=\"/teams/data-platform/\">data-platform</a>",
    )
    .contains(page, "<dt>Tier</dt><dd>1</dd>")
    .contains(page, "href=\"https://runbooks.fernhill.example/postgres\"")
    .contains(page, "href=\"https://git.fernhill.example/data/postgres\"");
    t.contains("teams/index.html", "/teams/payments/")
        .contains("teams/index.html", "Checkout and refunds")
        .contains("index.html", "/teams/\">Teams</a>");
    let payments = "teams/payments/index.html";
    // Its component, its incidents (INC-1 and the near miss touch checkout-api), its items:
    // @ana's (a member), and INC-1's unowned item (its incident touches checkout-api).
    t.contains(payments, "/components/checkout-api/")
        .contains(payments, "INC-1")
        .contains(payments, "NM-1")
        .lacks(payments, "INC-2")
        .contains(payments, "Add a canary for config pushes")
        .contains(payments, "Index the orders table")
        .contains(payments, "2 overdue")
        .contains(payments, "payments@fernhill.example");
    let data = "teams/data-platform/index.html";
    t.contains(data, "Raise the pool size")
        .lacks(data, "Add a canary")
        .contains(data, "INC-2")
        // The median time to mitigate over INC-1 (30 min) and INC-2 (60 min); the game day
        // has no metrics.
        .contains(
            data,
            "<th scope=\"row\">Time to mitigate</th><td data-label=\"this team\">45m</td>",
        )
        .contains(data, "config-change</a>: 2 incidents");
}

#[test]
fn check_warns_on_undeclared_terms_with_the_nearest_declared_one() {
    let t = library()
        .file(
            "content/typo.md",
            &toml_pm(
                "INC-9",
                "Typo",
                "date = 2024-08-01\ncomponents = [\"postgress\"]\ntags = [\"anything\"]",
                "\n## Summary\n\nA typo.\n",
            ),
        )
        .build();
    let check = t.cli(&["check"]);
    let out = format!("{}{}", check.stdout, check.stderr);
    assert!(
        out.contains("content/typo.md:5: warning[undeclared-term]: component `postgress` is not in the vocabulary (did you mean `postgres`?)"),
        "{out}"
    );
    // No tags are declared: tags are free.
    assert!(!out.contains("tag `anything`"), "{out}");
    // Without a vocabulary nothing changes.
    let free = SiteTest::new()
        .file(
            "content/typo.md",
            &toml_pm(
                "INC-9",
                "Typo",
                "date = 2024-08-01\ncomponents = [\"postgress\"]",
                "",
            ),
        )
        .build();
    let out = free.cli(&["check"]);
    assert!(!format!("{}{}", out.stdout, out.stderr).contains("vocabulary"));
}

#[test]
fn bad_vocabularies_name_file_and_line() {
    for (text, line, words) in [
        (
            "[components.a]\nparent = \"b\"\n\n[components.b]\nparent = \"a\"\n",
            1,
            "parents go round in a circle (a → b → a)",
        ),
        (
            "[components.postgres]\naliases = [\"db\"]\n\n[components.mysql]\naliases = [\"db\"]\n",
            4,
            "`db` in [components.mysql] already names `postgres`",
        ),
        ("[components.x]\nowner = [1]\n", 1, "[components.x]"),
        ("[compnents.x]\n", 1, "unknown field `compnents`"),
    ] {
        let t = SiteTest::new().file("taxonomy.toml", text).file(
            "content/a.md",
            &toml_pm("INC-1", "A", "date = 2024-01-01", ""),
        );
        let errors = t.build_errors();
        assert_diag(&errors, &format!("taxonomy.toml:{line}: error"), words);
        assert!(!t.public().exists(), "no half-written site");
        let check = t.cli(&["check"]);
        assert_eq!(check.code, 1, "{}", check.stdout);
    }
}

const CATALOG: &str = r#"apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: checkout-api
  description: Takes the customer's money
  annotations:
    pmsite/tier: "1"
    backstage.io/source-location: url:https://git.fernhill.example/pay/checkout
  links:
    - url: https://runbooks.fernhill.example/checkout
      title: Runbook
  somethingNew: true
spec:
  type: service
  lifecycle: production
  owner: group:default/payments
  system: storefront
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: search
spec:
  owner: Search Team <search@fernhill.example>
"#;

const CATALOG_2: &str = r#"apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: inventory
spec:
  owner: warehouse
  lifecycle: experimental
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: payments
  description: Checkout and refunds
spec:
  type: team
  profile:
    email: payments@fernhill.example
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata:
  name: ana
spec:
  memberOf: [payments]
"#;

fn catalogued() -> SiteTest {
    SiteTest::new()
        .file(
            "pmsite.toml",
            &format!("{CONFIG}\n[taxonomy]\ncatalog = \"catalog\"\n"),
        )
        .file("catalog/checkout.yaml", CATALOG)
        .file("catalog/more/inventory.yml", CATALOG_2)
        .file(
            "content/a.md",
            &toml_pm(
                "INC-1",
                "Checkout down",
                "date = 2024-03-12\ncomponents = [\"checkout-api\", \"inventory\"]",
                "\n## Action items\n\n- [ ] Retry payments @ana due:2024-04-01\n",
            ),
        )
}

#[test]
fn a_backstage_catalog_folder_describes_components_and_teams() {
    let t = catalogued().build();
    let page = "components/checkout-api/index.html";
    t.contains(page, "Takes the customer&#39;s money")
        .contains(
            page,
            "<dt>Owner</dt><dd><a href=\"/teams/payments/\">payments</a>",
        )
        .contains(page, "<dt>Tier</dt><dd>1</dd>")
        .contains(page, "<dt>Lifecycle</dt><dd>production</dd>")
        .contains(page, "<dt>System</dt><dd>storefront</dd>")
        .contains(page, "href=\"https://git.fernhill.example/pay/checkout\"")
        .contains(page, "href=\"https://runbooks.fernhill.example/checkout\"");
    t.contains(
        "components/inventory/index.html",
        "<dt>Lifecycle</dt><dd>experimental</dd>",
    );
    let payments = "teams/payments/index.html";
    t.contains(payments, "Checkout and refunds")
        .contains(payments, "payments@fernhill.example")
        .contains(payments, "<strong>Members:</strong> ana")
        .contains(payments, "Retry payments");
    t.contains("teams/warehouse/index.html", "/components/inventory/");
    // An owner that is not a Backstage reference: a warning, the build goes on.
    let check = t.cli(&["check"]);
    let out = format!("{}{}", check.stdout, check.stderr);
    assert!(
        out.contains("catalog/checkout.yaml:24: warning[catalog]: spec.owner `Search Team <search@fernhill.example>` of `search` is not a Backstage reference"),
        "{out}"
    );
}

#[test]
fn a_catalog_file_that_is_not_yaml_is_named_and_the_rest_is_read() {
    let t = catalogued()
        .file(
            "catalog/broken.yaml",
            "kind: Component\nmetadata:\n  name: x\n  bad: [unclosed\n",
        )
        .build();
    // The build goes on with the other files.
    t.contains(
        "components/checkout-api/index.html",
        "<dt>Tier</dt><dd>1</dd>",
    );
    let check = t.cli(&["check"]);
    let out = format!("{}{}", check.stdout, check.stderr);
    assert_eq!(check.code, 1, "{out}");
    assert!(out.contains("catalog/broken.yaml:"), "{out}");
    assert!(out.contains("is not a YAML catalog file"), "{out}");
}

#[test]
fn types_come_from_front_matter_wiki_lines_and_the_config() {
    let t = library()
        .file(
            "pmsite.toml",
            &format!("{CONFIG}\n[types.drill]\nmetrics = false\ntitle = \"Fire drill\"\n"),
        )
        .file(
            "content/drill.md",
            &toml_pm("DR-1", "Drill", "type = \"drill\"\ndate = 2024-09-01", ""),
        )
        .file(
            "content/post.md",
            &toml_pm(
                "P-1",
                "Hugo post",
                "type = \"posts\"\ndate = 2024-09-02\nseverity = \"SEV4\"",
                "",
            ),
        )
        .build();
    let json = t.json();
    let type_of = |title: &str| {
        json["incidents"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["title"] == title)
            .map(|i| i["type"].clone())
            .unwrap()
    };
    assert_eq!(
        type_of("Game day: losing the primary"),
        "gameday",
        "from a **Type:** line"
    );
    assert_eq!(type_of("Drill"), "drill", "declared under [types]");
    assert_eq!(
        type_of("Hugo post"),
        "incident",
        "unknown: read as the default"
    );
    // The unknown value is kept, and named.
    assert_eq!(t.incident("P-1")["type"], "incident");
    let check = t.cli(&["check"]);
    let out = format!("{}{}", check.stdout, check.stderr);
    assert!(
        out.contains("content/post.md:4: warning[type]: unknown incident type `posts`"),
        "{out}"
    );
    t.contains(
        "incidents/dr-1/index.html",
        "Fire drill: listed and searchable",
    )
    .contains("types/drill/index.html", "DR-1")
    .contains("incidents/index.html", "fire drill (1)")
    .contains("incidents/index.html", "near miss (1)");
    // The game day and the drill are out of the trend on the home page: 2024-07 and 2024-09
    // have only the Hugo post.
    let home = t.read("index.html");
    assert!(!home.contains("<td>2024-07</td>"), "{home}");
    assert!(home.contains("<td>2024-09</td><td>1</td>"), "{home}");
    assert!(
        home.contains("<meter min=\"0\" max=\"1\" value=\"1\""),
        "{home}"
    );
    let meta: serde_json::Value = serde_json::from_str(&t.read("search/meta.json")).unwrap();
    assert!(
        meta["facets"]["type"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!("near-miss"))
    );
}

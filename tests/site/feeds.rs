//! RSS and Atom, read back with a real feed parser (feed-rs).

use crate::harness::*;

fn parse(t: &SiteTest, path: &str) -> feed_rs::model::Feed {
    feed_rs::parser::parse(t.read(path).as_bytes())
        .unwrap_or_else(|e| panic!("{path} does not parse: {e}"))
}

const NASTY_TITLE: &str = "Checkout <500s> & \"quotes\" 'too' — naïve café ]]> end";
const NASTY_SUMMARY: &str = "Ünïcode <b>not bold</b> & more ]]> &amp; literal";

const FIELDS: &str = "date = 2024-03-12T21:04:00Z\nresolved = 2024-03-12T22:15:00Z\npublished = 2024-03-19\nseverity = \"SEV1\"\ncomponents = [\"checkout-api\", \"postgres\"]\ntags = [\"deploy\"]\nroot_causes = [\"config-change\"]\n";

fn library() -> SiteTest {
    SiteTest::new()
        .file(
            "content/a.md",
            &format!(
                "+++\ntitle = {}\nid = \"INC-1\"\n{FIELDS}summary = {}\n\n[impact]\ncustomers_affected = 1200\n\n[people]\nauthor = \"Ana\"\n+++\n",
                toml::Value::String(NASTY_TITLE.into()),
                toml::Value::String(NASTY_SUMMARY.into()),
            ),
        )
        .file("content/b.md", &toml_pm("INC-2", "Second", "date = 2024-05-01\nseverity = \"SEV3\"\ncomponents = [\"checkout-api\"]\nsummary = \"Two.\"", ""))
        .file("content/c.md", &toml_pm("INC-3", "Older but published later", "date = 2024-01-01\npublished = 2024-06-01\ncomponents = [\"cdn\"]", ""))
        .file("content/d.md", &toml_pm("INC-4", "A draft", "date = 2024-07-01\nstatus = \"draft\"\ncomponents = [\"checkout-api\"]", ""))
        .file("content/e.md", &toml_pm("INC-5", "Undated", "components = [\"checkout-api\"]", ""))
}

#[test]
fn atom_feed_every_field() {
    let t = library().build();
    let feed = parse(&t, "atom.xml");
    assert_eq!(feed.feed_type, feed_rs::model::FeedType::Atom);
    assert_eq!(feed.title.as_ref().unwrap().content, "Test library");
    assert_eq!(feed.id, "https://incidents.example.com/atom.xml");
    // Newest publication first; drafts and undated ones left out.
    let ids: Vec<&str> = feed.entries.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(
        ids,
        vec![
            "https://incidents.example.com/incidents/inc-3/",
            "https://incidents.example.com/incidents/inc-2/",
            "https://incidents.example.com/incidents/inc-1/"
        ]
    );
    let e = &feed.entries[2];
    assert_eq!(
        e.title.as_ref().unwrap().content,
        format!("[SEV1] {NASTY_TITLE}")
    );
    assert_eq!(
        e.links[0].href,
        "https://incidents.example.com/incidents/inc-1/"
    );
    assert_eq!(
        e.published.unwrap().to_rfc3339(),
        "2024-03-19T00:00:00+00:00"
    );
    let categories: Vec<&str> = e.categories.iter().map(|c| c.term.as_str()).collect();
    assert_eq!(categories, vec!["SEV1", "checkout-api", "postgres"]);
    let summary = &e.summary.as_ref().unwrap().content;
    assert_eq!(
        summary,
        &format!("{NASTY_SUMMARY}\n\nImpact: Customers affected: 1,200; Resolved in 1h 11m.")
    );
    assert_eq!(e.authors[0].name.as_deref(), Some("Ana"));
    assert!(
        feed.links.iter().any(|l| l.rel.as_deref() == Some("self")
            && l.href == "https://incidents.example.com/atom.xml")
    );
}

#[test]
fn rss_feed_every_field() {
    let t = library().build();
    let feed = parse(&t, "rss.xml");
    assert_eq!(feed.feed_type, feed_rs::model::FeedType::RSS2);
    assert_eq!(feed.entries.len(), 3);
    let e = &feed.entries[2];
    assert_eq!(
        e.title.as_ref().unwrap().content,
        format!("[SEV1] {NASTY_TITLE}")
    );
    assert_eq!(e.id, "https://incidents.example.com/incidents/inc-1/");
    assert_eq!(
        e.links[0].href,
        "https://incidents.example.com/incidents/inc-1/"
    );
    assert_eq!(
        e.published.unwrap().to_rfc3339(),
        "2024-03-19T00:00:00+00:00"
    );
    // RSS descriptions are HTML: the summary is escaped, so `<b>` stays text for readers.
    assert_eq!(
        e.summary.as_ref().unwrap().content,
        format!(
            "<p>{}</p><p>Impact: Customers affected: 1,200; Resolved in 1h 11m.</p>",
            pmsite::markdown::escape_html(NASTY_SUMMARY)
        )
    );
    let categories: Vec<&str> = e.categories.iter().map(|c| c.term.as_str()).collect();
    assert_eq!(categories, vec!["SEV1", "checkout-api", "postgres"]);
    // The raw XML carries the guid as a permalink.
    t.contains(
        "rss.xml",
        "<guid>https://incidents.example.com/incidents/inc-1/</guid>",
    );
}

#[test]
fn per_term_feeds_are_advertised() {
    let t = library().build();
    let feed = parse(&t, "components/checkout-api/atom.xml");
    let ids: Vec<&str> = feed.entries.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(
        ids,
        vec![
            "https://incidents.example.com/incidents/inc-2/",
            "https://incidents.example.com/incidents/inc-1/"
        ]
    );
    assert_eq!(
        feed.title.as_ref().unwrap().content,
        "Test library: component checkout-api"
    );
    assert_eq!(parse(&t, "tags/deploy/atom.xml").entries.len(), 1);
    assert_eq!(
        parse(&t, "root-causes/config-change/atom.xml")
            .entries
            .len(),
        1
    );
    t.contains("components/checkout-api/index.html", "<link rel=\"alternate\" type=\"application/atom+xml\" title=\"Test library: component checkout-api (Atom)\" href=\"/components/checkout-api/atom.xml\">")
        .contains("index.html", "<link rel=\"alternate\" type=\"application/rss+xml\" title=\"Test library (RSS)\" href=\"/rss.xml\">")
        .contains("index.html", "<link rel=\"alternate\" type=\"application/atom+xml\" title=\"Test library (Atom)\" href=\"/atom.xml\">");
    assert!(!t.exists("severities/sev1/atom.xml"));
}

#[test]
fn item_limit_is_configurable() {
    let t = library()
        .file("pmsite.toml", &format!("{CONFIG}\n[feeds]\nlimit = 2\n"))
        .build();
    assert_eq!(parse(&t, "atom.xml").entries.len(), 2);
    assert_eq!(parse(&t, "rss.xml").entries.len(), 2);
}

#[test]
fn drafts_never_reach_feeds_even_in_a_drafts_build() {
    let t = library().drafts().build();
    assert!(!t.read("atom.xml").contains("A draft"));
    assert!(!t.read("rss.xml").contains("A draft"));
}

#[test]
fn feeds_are_reproducible() {
    let t = library().build();
    let first = (t.read("atom.xml"), t.read("rss.xml"));
    let t = t.build();
    assert_eq!(
        first,
        (t.read("atom.xml"), t.read("rss.xml")),
        "an unchanged library gives byte-identical feeds"
    );
}

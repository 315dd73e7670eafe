use crate::harness::*;

fn page(body: &str) -> SiteTest {
    SiteTest::new()
        .file(
            "content/a.md",
            &toml_pm("A", "T", "date = 2024-01-01", body),
        )
        .build()
}

const PAGE: &str = "incidents/a/index.html";

#[test]
fn raw_html_is_escaped_by_default() {
    let t = page("\n<script>alert(1)</script>\n\nText <b>bold</b>\n");
    t.lacks(PAGE, "<script>alert(1)")
        .contains(PAGE, "&lt;script&gt;alert(1)&lt;/script&gt;")
        .lacks(PAGE, "<b>bold</b>");
}

#[test]
fn raw_html_allowed_by_config() {
    let t = SiteTest::new()
        .file(
            "pmsite.toml",
            &format!("{CONFIG}\n[markdown]\nallow_html = true\n"),
        )
        .file(
            "content/a.md",
            &toml_pm("A", "T", "", "\nText <b>bold</b>\n"),
        )
        .build();
    t.contains(PAGE, "<b>bold</b>");
}

#[test]
fn values_are_escaped_in_pages() {
    let t = SiteTest::new()
        .file("content/a.md", "+++\ntitle = \"<img src=x onerror=alert(1)> & co\"\nid = \"A\"\nsummary = \"\\\"quoted\\\" <b>\"\ncomponents = [\"<svg>\"]\n+++\n")
        .build();
    t.lacks(PAGE, "<img src=x")
        .contains(PAGE, "&lt;img src=x onerror=alert(1)&gt; &amp; co")
        .lacks(PAGE, "<svg>")
        .lacks("incidents/index.html", "<img src=x");
}

#[test]
fn gfm_extensions() {
    let t = page(
        "\n| a | b |\n| - | - |\n| 1 | 2 |\n\n~~gone~~ and https://example.com/x and a note[^1].\n\n- [x] done task\n\n[^1]: The footnote.\n",
    );
    t.contains(PAGE, "<table>")
        .contains(PAGE, "<del>gone</del>")
        .contains(PAGE, "<a href=\"https://example.com/x\">")
        .contains(PAGE, "class=\"footnotes\"")
        .contains(PAGE, "The footnote.")
        .contains(PAGE, "type=\"checkbox\"");
}

#[test]
fn code_blocks_are_highlighted_with_classes() {
    let t = page("\n```rust\nfn main() { let x = 1; }\n```\n\n```\n<plain & simple>\n```\n");
    t.contains(PAGE, "<pre class=\"highlight")
        .contains(PAGE, "<span class=\"hl-source hl-rust\">")
        .contains(PAGE, "hl-storage hl-type")
        .contains(PAGE, "&lt;plain &amp; simple&gt;");
    assert!(t.exists("syntax.css"));
    t.contains("syntax.css", ".hl-comment");
}

#[test]
fn headings_are_anchored_and_listed_in_the_toc() {
    let t = page(
        "\n## Analysis\n\nText.\n\n### Contributing factors\n\nMore.\n\n## Analysis\n\nAgain.\n",
    );
    t.contains(PAGE, "<h2 id=\"analysis\">")
        .contains(PAGE, "<h3 id=\"contributing-factors\">")
        .contains(PAGE, "<h2 id=\"analysis-1\">")
        .contains(
            PAGE,
            "<a href=\"#contributing-factors\">Contributing factors</a>",
        )
        .contains(PAGE, "<a href=\"#analysis-1\">Analysis</a>");
}

#[test]
fn sections_keep_the_authors_order() {
    let t = page(
        "\n## Summary\n\nFirst.\n\n## External message\n\nFor customers.\n\n## Analysis\n\nLast.\n",
    );
    let html = t.read(PAGE);
    let (a, b, c) = (
        html.find("First.").unwrap(),
        html.find("For customers.").unwrap(),
        html.find("Last.").unwrap(),
    );
    assert!(a < b && b < c);
    t.contains(PAGE, "<aside class=\"external-message\"");
    assert_eq!(t.incident("A")["external_message"], "For customers.");
    assert_eq!(t.incident("A")["summary"], "First.");
}

#[test]
fn external_message_synonyms() {
    for heading in [
        "Customer communication",
        "External Communications",
        "Public statement",
    ] {
        let t = page(&format!("\n## {heading}\n\nWe are sorry.\n"));
        assert_eq!(
            t.incident("A")["external_message"],
            "We are sorry.",
            "{heading}"
        );
    }
}

#[test]
fn edit_link_from_config() {
    let t = SiteTest::new()
        .file(
            "pmsite.toml",
            &format!("{CONFIG}edit_url = \"https://git.example.com/pm/edit/main/{{path}}\"\n"),
        )
        .file("content/2024/a.md", &toml_pm("A", "T", "", ""))
        .build();
    t.contains(
        PAGE,
        "href=\"https://git.example.com/pm/edit/main/content/2024/a.md\">Edit this page</a>",
    );
}

#[test]
fn header_shows_people_impact_and_durations() {
    let fm = "date = 2024-03-12T21:04:00Z\nresolved = 2024-03-12T23:00:00Z\nseverity = \"SEV2\"\ncomponents = [\"checkout-api\"]\n\n[impact]\ncustomers_affected = 1200\nsla_breached = true\n\n[people]\nincident_commander = \"Ana\"\nresponders = [\"Cho\", \"Dev\"]\n\n[extra]\nregion = \"eu-west-1\"";
    let t = SiteTest::new()
        .file("content/a.md", &toml_pm("A", "T", fm, ""))
        .build();
    t.contains(PAGE, "<dt>Time to resolve</dt><dd>1h 56m</dd>")
        .contains(PAGE, "<dt>Customers affected</dt><dd>1,200</dd>")
        .contains(PAGE, "<dt>SLA breached</dt><dd>yes</dd>")
        .contains(PAGE, "<dt>Incident commander</dt><dd>Ana</dd>")
        .contains(PAGE, "<dt>Responders</dt><dd>Cho, Dev</dd>")
        .contains(PAGE, "<dt>Region</dt><dd>eu-west-1</dd>")
        .contains(
            PAGE,
            "<a class=\"chip chip-component\" href=\"/components/checkout-api/\">checkout-api</a>",
        );
}

#[test]
fn library_template_overrides_the_theme() {
    let t = SiteTest::new()
        .file("content/a.md", &toml_pm("A", "T", "", ""))
        .file("templates/404.html", "custom not found {{ site.title }}")
        .file("static/extra.txt", "hello")
        .build();
    assert_eq!(t.read("404.html"), "custom not found Test library");
    assert_eq!(t.read("extra.txt"), "hello");
    t.contains("index.html", "Latest published");
}

#[test]
fn site_under_a_sub_path() {
    let t = SiteTest::new()
        .file(
            "pmsite.toml",
            "title = \"T\"\nbase_url = \"https://wiki.example.com/sre/incidents/\"\n",
        )
        .file("content/a.md", &toml_pm("A", "T", "date = 2024-01-01", ""))
        .build();
    t.contains("index.html", "href=\"/sre/incidents/style.css\"")
        .contains(
            "incidents/index.html",
            "href=\"/sre/incidents/incidents/a/\"",
        );
    assert_eq!(
        t.incident("A")["url"],
        "https://wiki.example.com/sre/incidents/incidents/a/"
    );
}

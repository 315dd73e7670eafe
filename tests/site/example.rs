//! The example library that ships in `content/` builds clean and shows each form.

use crate::harness::*;

fn example() -> SiteTest {
    example_library()
}

#[test]
fn example_library_builds_without_warnings() {
    let t = example();
    let report = t.try_build().expect("example builds");
    assert!(report.warnings.is_empty(), "{:?}", lines(&report.warnings));
    assert!(
        report.incidents >= 5 && report.drafts_left_out >= 1 && report.restricted_left_out >= 1
    );
    let json = t.json();
    let severities: std::collections::BTreeSet<_> = json["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| i["severity"].as_str())
        .collect();
    assert!(
        severities.contains("SEV1") && severities.contains("SEV2") && severities.contains("SEV3"),
        "{severities:?}"
    );
    // The PagerDuty-form page (no front matter) and the YAML page are in.
    assert_eq!(t.incident("cdn-certificate-expiry")["severity"], "SEV2");
    assert_eq!(
        t.incident("INC-2024-041")["timeline"]
            .as_array()
            .unwrap()
            .len(),
        5
    );
    t.contains("incidents/inc-2024-058/index.html", "hl-source hl-rust");
}

#[test]
fn example_library_passes_check() {
    let t = example();
    let diags = pmsite::build::check(t.root(), t.today).unwrap();
    assert!(diags.is_empty(), "{:?}", lines(&diags));
}

#[test]
fn a_ticket_the_author_linked_in_the_item_is_linked_once() {
    let t = example().build();
    let page = t.read("incidents/inc-2024-017/index.html");
    assert_eq!(
        page.matches("href=\"https://tickets.example.com/PAY-102\"")
            .count(),
        1,
        "{page}"
    );
    // The ticket column still names it, without a second link, on one line (an id never
    // breaks at its hyphen).
    assert!(
        page.contains("<td class=\"nowrap\"><span class=\"muted\">PAY-102</span></td>"),
        "{page}"
    );
}

#[test]
fn one_long_outage_does_not_flatten_the_time_to_resolve_chart() {
    let t = example().build();
    // The example's medians are about an hour but one of 52 h: the axis ends at 4 h, in
    // whole hours, and the 52 h is a marker at the top, its value in its title and in the
    // table beside.
    let svg = t.read("patterns/time-to-resolve.svg");
    assert!(
        svg.contains(">3h</text>") && svg.contains(">4h</text>"),
        "{svg}"
    );
    assert!(svg.contains("<path class=\"over\""), "{svg}");
    assert!(svg.contains("2024-12: 52.0 h, above the scale"), "{svg}");
    assert!(
        svg.contains("Values above 4h are drawn at the top"),
        "{svg}"
    );
    // Twelve months 28 px apart: every other month is labelled, so no two labels touch.
    assert!(
        svg.contains(">2024-03</text>") && !svg.contains(">2024-04</text>"),
        "{svg}"
    );
    roxmltree::Document::parse(&svg).expect("the chart is XML");
}

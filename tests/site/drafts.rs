use crate::harness::*;

fn library() -> SiteTest {
    SiteTest::new()
        .file(
            "content/pub.md",
            &toml_pm("PUB", "Published one", "date = 2024-01-01", "\nBody\n"),
        )
        .file(
            "content/draft.md",
            &toml_pm(
                "DRAFT",
                "Draft one",
                "date = 2024-01-02\nstatus = \"draft\"",
                "\nBody\n",
            ),
        )
        .file(
            "content/review.md",
            &toml_pm(
                "REVIEW",
                "Review one",
                "date = 2024-01-03\nstatus = \"review\"",
                "\nBody\n",
            ),
        )
        .file(
            "content/secret.md",
            &toml_pm(
                "SECRET",
                "Secret one",
                "date = 2024-01-04\nvisibility = \"restricted\"",
                "\nBody\n",
            ),
        )
}

#[test]
fn production_build_leaves_out_drafts_review_and_restricted() {
    let t = library();
    let report = t.try_build().unwrap();
    assert_eq!(
        (
            report.incidents,
            report.drafts_left_out,
            report.restricted_left_out
        ),
        (1, 2, 1)
    );
    assert_eq!(ids(&t.json()), vec!["PUB"]);
    assert!(!t.exists("incidents/draft/index.html"));
    assert!(!t.exists("incidents/secret/index.html"));
    t.lacks("incidents/index.html", "Draft one")
        .lacks("index.html", "Secret one");
}

#[test]
fn drafts_flag_shows_them_with_a_banner() {
    let t = library().drafts().build();
    assert_eq!(ids(&t.json()), vec!["REVIEW", "DRAFT", "PUB"]);
    t.contains(
        "incidents/draft/index.html",
        "class=\"banner banner-draft\"",
    )
    .contains(
        "incidents/review/index.html",
        "class=\"banner banner-review\"",
    )
    .lacks("incidents/pub/index.html", "class=\"banner");
    assert!(!t.exists("incidents/secret/index.html"));
}

#[test]
fn include_restricted_shows_them() {
    let t = library().restricted().build();
    assert_eq!(ids(&t.json()), vec!["SECRET", "PUB"]);
    t.contains("incidents/secret/index.html", "banner-restricted");
}

#[test]
fn cli_flags_reach_the_build() {
    let t = library();
    let out = t.cli(&[
        "build",
        "--drafts",
        "--include-restricted",
        "--today",
        "2026-11-24",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(ids(&t.json()).len(), 4);
}

#[test]
fn undated_incident_builds_with_a_warning() {
    let t = SiteTest::new().file("content/a.md", &toml_pm("A", "No date", "", "\nBody\n"));
    let report = t.try_build().unwrap();
    assert_diag(&report.warnings, "content/a.md:1: warning", "no date");
    assert_eq!(t.incident("A")["date"], serde_json::Value::Null);
    t.contains("incidents/index.html", "undated");
}

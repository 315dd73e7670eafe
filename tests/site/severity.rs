use crate::harness::*;

#[test]
fn severities_normalise_to_the_scale() {
    let mut t = SiteTest::new();
    for (i, raw) in ["\"SEV-1\"", "\"sev1\"", "\"Sev 1\"", "1", "\"sev_2\""]
        .iter()
        .enumerate()
    {
        t = t.file(
            &format!("content/{i}.md"),
            &toml_pm(&format!("INC-{i}"), "T", &format!("severity = {raw}"), ""),
        );
    }
    let t = t.build();
    for i in 0..4 {
        assert_eq!(t.incident(&format!("INC-{i}"))["severity"], "SEV1");
    }
    assert_eq!(t.incident("INC-4")["severity"], "SEV2");
    t.contains(
        "incidents/inc-0/index.html",
        "<span class=\"sev sev-sev1\">SEV1</span>",
    );
}

#[test]
fn yaml_severity_normalises_too() {
    let t = SiteTest::new()
        .file(
            "content/a.md",
            "---\ntitle: T\nseverity: Sev 3\n---\nBody\n",
        )
        .build();
    assert_eq!(t.incident("a")["severity"], "SEV3");
}

#[test]
fn custom_scale() {
    let config = "title = \"T\"\nseverities = [\"Critical\", \"Major\", \"Minor\"]\n";
    let t = SiteTest::new()
        .file("pmsite.toml", config)
        .file(
            "content/a.md",
            &toml_pm("A", "T", "severity = \"major\"", ""),
        )
        .build();
    assert_eq!(t.incident("A")["severity"], "Major");
}

#[test]
fn unknown_severity_is_an_error_with_its_line() {
    let t = SiteTest::new().file(
        "content/a.md",
        "+++\ntitle = \"T\"\nseverity = \"SEV9\"\n+++\n",
    );
    assert_diag(
        &t.authored_errors(),
        "content/a.md:3: error",
        "unknown severity `SEV9`",
    );
}

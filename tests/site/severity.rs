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

/// Words teams use for severity map to the scale (defaults, then `[severities] aliases`);
/// an unknown one is a warning at its line in `check` and `build`, never an error.
#[test]
fn severity_words_map_through_aliases_and_unknown_is_a_warning() {
    let config = format!(
        "{}\n[severities]\nscale = [\"SEV1\", \"SEV2\", \"SEV3\", \"SEV4\"]\naliases = {{ Sev-Amber = \"SEV3\" }}\n",
        CONFIG.replace(
            "severities = [\"SEV1\", \"SEV2\", \"SEV3\", \"SEV4\"]\n",
            ""
        )
    );
    let mut t = SiteTest::new().file("pmsite.toml", &config);
    for (i, raw) in [
        "Critical",
        "Major",
        "High",
        "P1",
        "minor",
        "Sev 2 (major)",
        "sev-amber",
        "Low",
    ]
    .iter()
    .enumerate()
    {
        t = t.file(
            &format!("content/{i}.md"),
            &toml_pm(
                &format!("INC-{i}"),
                "T",
                &format!("severity = \"{raw}\""),
                "",
            ),
        );
    }
    let t = t.file(
        "content/a.md",
        "+++\ntitle = \"T\"\nseverity = \"Catastrophic\"\n+++\n",
    );
    let check = pmsite::build::check(t.root(), t.today).unwrap();
    assert_diag(
        &check,
        "content/a.md:3: warning",
        "unknown severity `Catastrophic`",
    );
    assert!(!check.iter().any(|d| d.is_error()), "{:?}", lines(&check));
    let t = t.build();
    let got: Vec<String> = (0..8)
        .map(|i| {
            t.incident(&format!("INC-{i}"))["severity"]
                .as_str()
                .unwrap_or("none")
                .to_string()
        })
        .collect();
    assert_eq!(
        got,
        [
            "SEV1", "SEV2", "SEV2", "SEV1", "SEV3", "SEV2", "SEV3", "SEV4"
        ]
    );
    assert!(t.incident("a")["severity"].is_null());
}

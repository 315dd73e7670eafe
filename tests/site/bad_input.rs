//! Every kind of bad input gives one clear `file:line: message`, all of them in one run,
//! never a panic. An author's mistake fails `check` and is a warning of its post-mortem in
//! `build`; only what makes the site wrong (two pages at one URL) fails a build, and then no
//! site is written.

use crate::harness::*;

/// Check's errors for a library of one file, having built it: the build succeeds and writes
/// the site all the same.
fn errors_for(path: &str, text: &[u8]) -> Vec<pmsite::diagnostics::Diagnostic> {
    let t = SiteTest::new().bytes(path, text);
    let d = t.authored_errors();
    assert!(
        t.public().join("index.html").exists(),
        "the site was not written"
    );
    d.into_iter().filter(|d| d.is_error()).collect()
}

#[test]
fn broken_toml() {
    let d = errors_for(
        "content/a.md",
        b"+++\ntitle = \"T\"\ndate = 2024-03-12\nseverity = \"SEV1\n+++\nBody\n",
    );
    assert_diag(&d, "content/a.md:4: error", "invalid TOML front matter");
}

#[test]
fn broken_yaml() {
    let d = errors_for(
        "content/a.md",
        b"---\ntitle: T\ntags: [a, b\nseverity: SEV1\n---\nBody\n",
    );
    assert!(
        d.iter().any(|x| x.path.ends_with("a.md")
            && x.line >= 3
            && x.message.contains("invalid YAML front matter")),
        "{:?}",
        lines(&d)
    );
}

#[test]
fn yaml_that_is_not_a_map() {
    let d = errors_for("content/a.md", b"---\n- just\n- a list\n---\n");
    assert_diag(&d, "content/a.md:2: error", "must be a map");
}

#[test]
fn unclosed_front_matter() {
    let d = errors_for("content/a.md", b"+++\ntitle = \"T\"\n\nBody\n");
    assert_diag(&d, "content/a.md:1: error", "never closed");
}

#[test]
fn bad_dates() {
    let d = errors_for(
        "content/a.md",
        b"+++\ntitle = \"T\"\ndate = \"last tuesday\"\nresolved = 42\n+++\n",
    );
    assert_diag(&d, "content/a.md:3: error", "`date` is not a date");
    assert_diag(&d, "content/a.md:4: error", "`resolved` is not a date");
}

#[test]
fn bad_yaml_date() {
    let d = errors_for("content/a.md", b"---\ntitle: T\ndate: 2024-02-31\n---\n");
    assert_diag(&d, "content/a.md:3: error", "`date` is not a date");
}

#[test]
fn unknown_keys_name_the_key_and_suggest() {
    let d = errors_for(
        "content/a.md",
        b"+++\ntitle = \"T\"\nseverty = \"SEV1\"\n\n[people]\nincident_comander = \"Ana\"\n+++\n",
    );
    assert_diag(
        &d,
        "content/a.md:3: error",
        "unknown front matter key `severty` (did you mean `severity`?)",
    );
    assert_diag(
        &d,
        "content/a.md:6: error",
        "unknown key `incident_comander` in [people] (did you mean `incident_commander`?)",
    );
}

#[test]
fn unknown_yaml_key() {
    let t = SiteTest::new()
        .file(
            "pmsite.toml",
            &format!("{CONFIG}\n[front_matter]\nunknown_keys = \"error\"\n"),
        )
        .file("content/a.md", "---\ntitle: T\nowner: Ana\n---\n");
    assert_diag(
        &t.build_errors(),
        "content/a.md:3: error",
        "unknown front matter key `owner`",
    );
}

#[test]
fn wrong_types() {
    let d = errors_for(
        "content/a.md",
        b"+++\ntitle = 5\ncomponents = 3\nimpact = \"big\"\n+++\n",
    );
    assert_diag(&d, "content/a.md:2: error", "`title` must be text");
    assert_diag(&d, "content/a.md:3: error", "`components` must be a list");
    assert_diag(&d, "content/a.md:4: error", "`impact` must be a table");
}

#[test]
fn missing_title_in_front_matter() {
    let d = errors_for(
        "content/a.md",
        b"+++\nseverity = \"SEV1\"\n+++\nNo heading.\n",
    );
    assert_diag(&d, "content/a.md:2: error", "missing `title`");
}

#[test]
fn unknown_status_and_visibility() {
    let d = errors_for(
        "content/a.md",
        b"+++\ntitle = \"T\"\nstatus = \"done\"\nvisibility = \"secret\"\n+++\n",
    );
    assert_diag(&d, "content/a.md:3: error", "unknown status `done`");
    assert_diag(&d, "content/a.md:4: error", "unknown visibility `secret`");
}

#[test]
fn duplicate_ids_name_both_files() {
    let t = SiteTest::new()
        .file("content/a.md", &toml_pm("INC-1", "A", "", ""))
        .file("content/sub/b.md", &toml_pm("INC-1", "B", "", ""));
    assert_diag(
        &t.build_errors(),
        "content/sub/b.md:1: error",
        "duplicate id `INC-1`: content/a.md has it already",
    );
}

#[test]
fn ids_that_give_the_same_url_collide() {
    let t = SiteTest::new()
        .file("content/a.md", &toml_pm("INC 1", "A", "", ""))
        .file("content/b.md", &toml_pm("inc-1", "B", "", ""));
    assert_diag(
        &t.build_errors(),
        "content/b.md:1: error",
        "gives the same URL",
    );
}

#[test]
fn duplicate_id_with_a_draft_is_still_an_error() {
    let t = SiteTest::new()
        .file("content/a.md", &toml_pm("INC-1", "A", "", ""))
        .file(
            "content/b.md",
            &toml_pm("INC-1", "B", "status = \"draft\"", ""),
        );
    assert_diag(&t.build_errors(), "content/b.md:1: error", "duplicate id");
}

#[test]
fn non_utf8_file() {
    let d = errors_for(
        "content/a.md",
        b"+++\ntitle = \"T\"\n+++\nCaf\xe9 au lait\n",
    );
    assert_diag(&d, "content/a.md:4: error", "not UTF-8");
}

#[test]
fn empty_file() {
    let d = errors_for("content/a.md", b"");
    assert_diag(&d, "content/a.md:1: error", "the file is empty");
    let d = errors_for("content/b.md", b"  \n\n");
    assert_diag(&d, "content/b.md:1: error", "the file is empty");
}

#[test]
fn every_problem_in_every_file_is_reported_in_one_run() {
    let t = SiteTest::new()
        .file(
            "content/a.md",
            "+++\ntitle = \"T\"\nstatus = \"finished\"\nseverty = \"SEV1\"\n+++\n",
        )
        .file("content/b.md", "---\ntitle: [\n---\n")
        .file("content/c.md", "")
        .file(
            "content/ok.md",
            &toml_pm("OK", "Fine", "date = 2024-01-01", ""),
        );
    let d = t.authored_errors();
    let errors: Vec<_> = d.iter().filter(|x| x.is_error()).collect();
    assert_eq!(errors.len(), 4, "{:?}", lines(&d));
    // Sorted by file then line, whatever order the parallel load finished in.
    let files: Vec<_> = errors
        .iter()
        .map(|x| x.path.to_string_lossy().to_string())
        .collect();
    assert_eq!(
        files,
        vec![
            "content/a.md",
            "content/a.md",
            "content/b.md",
            "content/c.md"
        ]
    );
}

#[test]
fn cli_prints_file_line_message_and_exits_1_without_panicking() {
    let t = SiteTest::new()
        .file("content/a.md", "+++\ntitle = \"T\"\ndate = \"soon\"\n+++\n")
        .bytes("content/b.md", b"\xff\xfe")
        .file("content/c.md", &toml_pm("INC-1", "C", "", ""))
        .file("content/d.md", &toml_pm("INC-1", "D", "", ""));
    let out = t.cli(&["check"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("content/a.md:3: error[date]: `date` is not a date"),
        "{}",
        out.stderr
    );
    let out = t.cli(&["build"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains("error[duplicate-id]"), "{}", out.stderr);
    assert!(
        out.stderr
            .contains("content/a.md:3: error[date]: `date` is not a date"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("content/b.md:1: error[encoding]: the file is not UTF-8"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("the output directory was not changed"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
}

/// What one author wrote costs that page, not the library: the build succeeds, names each
/// problem as a warning at its line, and the pages are there, built from what could be read.
#[test]
fn an_authors_mistakes_are_warnings_in_build_and_the_pages_are_built() {
    let t = SiteTest::new()
        .file(
            "content/a.md",
            "+++\ntitle = \"Late cache\"\ndate = \"soon\"\n+++\nThe cache was late.\n",
        )
        .bytes(
            "content/b.md",
            b"# Caf\xe9 outage\n\nThe espresso queue stalled.\n",
        )
        .file(
            "content/c.md",
            "---\ntitle: [\n---\n# Broken front matter\n\nThe ledger stayed up.\n",
        );
    let out = t.cli(&["build"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    for expected in [
        "content/a.md:3: warning[date]: `date` is not a date",
        "content/b.md:1: warning[encoding]: the file is not UTF-8",
        "content/c.md:3:1: warning[front-matter]: invalid YAML",
    ] {
        assert!(out.stderr.contains(expected), "{expected}\n{}", out.stderr);
    }
    t.contains("incidents/a/index.html", "The cache was late.");
    t.contains("incidents/b/index.html", "Caf\u{FFFD} outage");
    t.contains("incidents/b/index.html", "The espresso queue stalled.");
    t.contains("incidents/c/index.html", "The ledger stayed up.");
    t.contains("incidents/c/index.html", "Broken front matter");
}

#[test]
fn broken_config_names_key_and_line() {
    let t = SiteTest::new().file(
        "pmsite.toml",
        "title = \"T\"\nbase_url = \"https://x.example.com\"\ntheme_colour = \"blue\"\n",
    );
    let out = t.cli(&["build"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr
            .contains("pmsite.toml:3: error[config]: unknown field `theme_colour`"),
        "{}",
        out.stderr
    );
    let t = SiteTest::new().file("pmsite.toml", "title = \"T\"\nseverities = \"SEV1\"\n");
    let out = t.cli(&["check"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("pmsite.toml:2: error"),
        "{}",
        out.stderr
    );
}

#[test]
fn bad_edit_url_pattern() {
    let t = SiteTest::new().file(
        "pmsite.toml",
        "title = \"T\"\nedit_url = \"https://git.example.com/edit\"\n",
    );
    let out = t.cli(&["build"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr
            .contains("pmsite.toml:2: error[config]: edit_url has no {path}"),
        "{}",
        out.stderr
    );
}

#[test]
fn no_config_says_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_pmsite"))
        .arg("build")
        .current_dir(dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr.contains("no pmsite.toml") && stderr.contains("pmsite init"),
        "{stderr}"
    );
}

#[test]
fn broken_template_override_is_an_error_not_a_panic() {
    let t = SiteTest::new()
        .file("content/a.md", &toml_pm("A", "T", "", ""))
        .file("templates/incident.html", "{% extends \"base.html\" %}{% block content %}{{ incident.title | nosuchfilter }}{% endblock content %}");
    let out = t.cli(&["build"]);
    assert_ne!(out.code, 0);
    assert!(
        out.stderr.contains("template error") && out.stderr.contains("nosuchfilter"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("panicked"));
    assert!(!t.public().exists());
}

/// Any truncation of a real post-mortem loads without a panic (a save caught mid-write, a
/// half-pasted template): each prefix gives an incident or diagnostics, never a crash.
#[test]
fn every_prefix_of_the_examples_loads_without_panic() {
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = pmsite::config::Config::default();
    let md = pmsite::markdown::Markdown::new(false);
    let mut loaded = 0;
    for entry in walkdir::WalkDir::new(repo.join("content"))
        .into_iter()
        .filter_map(|e| e.ok())
    {
        if !entry.file_type().is_file() {
            continue;
        }
        let bytes = std::fs::read(entry.path()).unwrap();
        // Every byte of the front matter's start, then about 150 cuts through the rest.
        let step = (bytes.len() / 150).max(1);
        let ends = (0..bytes.len().min(300)).chain((300..=bytes.len()).step_by(step));
        for end in ends {
            let (incident, diags) = pmsite::content::load_bytes(
                std::path::Path::new("x.md"),
                &bytes[..end],
                &pmsite::content::ParseSettings::of(&config),
                &md,
            );
            // A prefix with front matter is an incident or a reported problem; one without may
            // be a page with nothing of a post-mortem yet, which is skipped.
            let fenced = bytes[..end].starts_with(b"+++\n") || bytes[..end].starts_with(b"---\n");
            assert!(
                incident.is_some() || !diags.is_empty() || !fenced,
                "prefix {end} of {} gave nothing",
                entry.path().display()
            );
            loaded += 1;
        }
    }
    assert!(loaded > 2000, "{loaded}");
}

#[test]
fn marker_characters_in_text_do_not_forge_sections() {
    let body = "\n\u{E000}pmsite:timeline\u{E000}\n\nText with \u{1}control\u{2} chars.\n\n## Timeline\n\n- 10:00 \u{1}odd\u{2} entry\n";
    let t = SiteTest::new()
        .file(
            "content/a.md",
            &toml_pm("A", "T", "date = 2024-01-01", body),
        )
        .build();
    let html = t.read("incidents/a/index.html");
    assert_eq!(html.matches("<ol class=\"timeline\">").count(), 1);
    assert_eq!(t.incident("A")["timeline"][0]["text"], "odd entry");
}

/// A problem in the second `[[timeline]]` or `[[action_items]]` entry is reported at that
/// entry's line (its key's line), not the first entry's; YAML lists too.
#[test]
fn problems_in_later_front_matter_entries_name_their_own_line() {
    let toml = "+++\ntitle = \"T\"\ndate = 2024-01-01\n\n[[timeline]]\nat = 2024-01-01T10:00:00Z\ntext = \"fine\"\n\n[[timeline]]\ntext = \"second\"\nat = \"soon\"\n\n[[action_items]]\ntext = \"ok\"\ndue = 2024-02-01\n\n[[action_items]]\ntext = \"bad\"\ntype = \"sideways\"\ndue = \"later\"\n+++\n";
    let d = errors_for("content/a.md", toml.as_bytes());
    assert_diag(&d, "content/a.md:11: error", "needs `at`");
    assert_diag(&d, "content/a.md:19: error", "sideways");
    assert_diag(&d, "content/a.md:20: error", "`due` of an action item");
    let yaml = "---\ntitle: T\ntimeline:\n  - at: 2024-01-01T10:00:00Z\n    text: fine\n  - text: second\n    at: soon\naction_items:\n  - text: ok\n  - text: bad\n    due: later\n---\n";
    let d = errors_for("content/b.md", yaml.as_bytes());
    assert_diag(&d, "content/b.md:7: error", "needs `at`");
    assert_diag(&d, "content/b.md:11: error", "`due` of an action item");
}

/// TOML and YAML syntax errors name the column too.
#[test]
fn syntax_errors_name_line_and_column() {
    let d = errors_for(
        "content/a.md",
        b"+++\ntitle = \"T\"\ndate = 2024-01-01\nseverity = \"SEV1\n+++\n",
    );
    assert_eq!(d.len(), 1, "{:?}", lines(&d));
    assert_eq!((d[0].line, d[0].code), (4, "front-matter"), "{}", d[0]);
    assert!(d[0].column > 0, "{}", d[0]);
    let d = errors_for("content/b.md", b"---\ntitle: T\ntags: [a, b\n---\n");
    assert!(d[0].column > 0 && d[0].line >= 3, "{}", d[0]);
}

/// Front matter written for Jekyll, Hugo, Zola, MkDocs or Docusaurus builds as it is: their
/// keys are kept under `extra`, their draft flags mean draft, a typo of one of pmsite's own
/// keys is still an error, and any other key is one note per key in `check`.
#[test]
fn other_generators_front_matter_builds_as_it_is() {
    let t = SiteTest::new()
        .file(
            "content/jekyll.md",
            "---\nlayout: post\ntitle: Queue backlog at Larkspur\ndate: 2024-02-01\ncategories: [ops]\nauthor: Ana\npermalink: /queue/\nmood: grim\n---\nBody.\n",
        )
        .file(
            "content/hugo.md",
            "+++\ntitle = \"CDN expiry\"\ndate = 2024-03-01\ndraft = true\nweight = 3\ndescription = \"x\"\nmood = \"calm\"\n[taxonomies]\ntags = [\"cdn\"]\n+++\nBody.\n",
        )
        .file(
            "content/jekyll-unpublished.md",
            "---\ntitle: Not yet\ndate: 2024-04-01\npublished: false\nsidebar_label: x\n---\nBody.\n",
        );
    let report = t
        .try_build()
        .expect("other generators' keys never fail a build");
    assert!(
        report.warnings.iter().all(|w| w.code != "unknown-key"),
        "build prints no notes: {:?}",
        lines(&report.warnings)
    );
    let inc = t.json()["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["title"] == "Queue backlog at Larkspur")
        .cloned()
        .unwrap();
    assert_eq!(inc["status"], "published");
    assert_eq!(
        report.drafts_left_out, 2,
        "draft = true and published: false are drafts"
    );
    let page = t.read(&format!(
        "incidents/{}/index.html",
        inc["id"].as_str().unwrap().to_lowercase()
    ));
    for kept in ["post", "/queue/", "grim"] {
        assert!(page.contains(kept), "{kept} is kept and shown under extra");
    }
    let diags = pmsite::build::check(t.root(), t.today).unwrap();
    let notes: Vec<String> = lines(&diags)
        .into_iter()
        .filter(|l| l.contains("note["))
        .collect();
    assert_eq!(
        notes,
        vec!["content/hugo.md:7: note[unknown-key]: front matter key `mood` is kept under extra: pmsite does not read it (and in 1 more file)".to_string()],
        "one note per key, none for other generators' keys"
    );
    assert!(!diagnostics_have_errors(&diags), "{:#?}", lines(&diags));
    let typo = t.file(
        "content/typo.md",
        "+++\ntitle = \"T\"\nseverty = \"SEV1\"\n+++\n",
    );
    assert_diag(
        &pmsite::build::check(typo.root(), typo.today).unwrap(),
        "content/typo.md:3: error",
        "(did you mean `severity`?)",
    );
}

fn diagnostics_have_errors(d: &[pmsite::diagnostics::Diagnostic]) -> bool {
    pmsite::diagnostics::has_errors(d)
}

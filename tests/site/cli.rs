use crate::harness::*;

#[test]
fn check_prints_file_line_messages_and_exit_codes() {
    let t = SiteTest::new()
        .file(
            "content/ok.md",
            &toml_pm("OK", "Fine", "date = 2024-01-01", ""),
        )
        .file("content/undated.md", &toml_pm("U", "Undated", "", ""));
    let out = t.cli(&["check"]);
    assert_eq!(out.code, 0, "warnings alone pass: {}", out.stderr);
    assert!(
        out.stderr
            .contains("content/undated.md:1: warning[undated]: no date"),
        "{}",
        out.stderr
    );
    let t = t.file(
        "content/bad.md",
        "+++\ntitle = \"B\"\nstatus = \"draft\"\nseverity = \"SEV7\"\n+++\n",
    );
    let out = t.cli(&["check"]);
    assert_eq!(out.code, 1);
    // Drafts are checked too.
    assert!(
        out.stderr
            .contains("content/bad.md:4: error[severity]: unknown severity `SEV7`"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("checked 3 post-mortems: 1 error, 2 warnings"),
        "{}",
        out.stderr
    );
    assert!(!t.public().exists(), "check writes nothing");
}

#[test]
fn build_reports_counts_and_the_home_url() {
    let t = SiteTest::new()
        .file("content/a.md", &toml_pm("A", "A", "date = 2024-01-01", ""))
        .file(
            "content/b.md",
            &toml_pm("B", "B", "date = 2024-01-01\nstatus = \"draft\"", ""),
        );
    let out = t.cli(&["build", "--base-url", "https://preview.example.com/pr-7/"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains("Built 1 incidents")
            && out.stdout.contains("1 draft/in review left out"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("https://preview.example.com/pr-7/"),
        "{}",
        out.stdout
    );
    assert_eq!(
        t.incident("A")["url"],
        "https://preview.example.com/pr-7/incidents/a/"
    );
}

#[test]
fn init_then_build_then_new() {
    let dir = tempfile::tempdir().unwrap();
    let lib = dir.path().join("lib");
    let run = |args: &[&str], cwd: &std::path::Path| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_pmsite"))
            .args(args)
            .current_dir(cwd)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, _, err) = run(&["init", lib.to_str().unwrap()], dir.path());
    assert_eq!(code, Some(0), "{err}");
    let (code, out, err) = run(&["check"], &lib);
    assert_eq!(code, Some(0), "{out}{err}");
    assert_eq!(
        err.trim(),
        "checked 1 post-mortem: 0 errors, 0 warnings",
        "the example is clean"
    );
    let (code, _, err) = run(&["new", "Search went down", "--date", "2024-05-01"], &lib);
    assert_eq!(code, Some(0), "{err}");
    let (code, _, err) = run(
        &["new", "Search went down again", "--date", "2024-05-02"],
        &lib,
    );
    assert_eq!(code, Some(0), "{err}");
    let second =
        std::fs::read_to_string(lib.join("content/2024/2024-05-02-search-went-down-again.md"))
            .unwrap();
    assert!(
        second.contains("id = \"INC-2024-019\""),
        "ids count up after the example's INC-2024-017: {second}"
    );
    let (code, out, err) = run(&["build", "--drafts"], &lib);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("Built 3 incidents"), "{out}");
    assert!(
        lib.join("public/incidents/inc-2024-017/index.html")
            .is_file()
    );
}

#[test]
fn new_rejects_bad_severity_and_date() {
    let t = SiteTest::new();
    let out = t.cli(&["new", "X", "--severity", "SEV9"]);
    assert_ne!(out.code, 0);
    assert!(
        out.stderr.contains("--severity `SEV9` is not on the scale"),
        "{}",
        out.stderr
    );
    let out = t.cli(&["new", "X", "--date", "tomorrow"]);
    assert!(
        out.stderr.contains("--date `tomorrow` is not a date"),
        "{}",
        out.stderr
    );
    let out = t.cli(&["new", "X", "--date", "2024-01-01"]);
    assert!(
        out.stderr.contains("no content/ folder") || out.code == 0,
        "{}",
        out.stderr
    );
}

#[test]
fn help_documents_every_flag() {
    let t = SiteTest::new();
    let out = t.cli(&["build", "--help"]);
    for flag in [
        "--drafts",
        "--include-restricted",
        "--base-url",
        "--output",
        "--today",
    ] {
        assert!(out.stdout.contains(flag), "{flag} missing from help");
    }
}

fn two_problem_library() -> SiteTest {
    SiteTest::new()
        .file(
            "content/a.md",
            "+++\ntitle = \"A\"\ndate = \"soon\"\n+++\nSee [x](#nowhere).\n",
        )
        .file("content/b.md", &toml_pm("B", "B", "", "Body.\n"))
}

/// The exact text of each form `check` prints (a snapshot of each renderer).
#[test]
fn check_prints_each_format_exactly() {
    let t = two_problem_library();
    let concise = t.cli(&["check"]);
    assert_eq!(concise.code, 1);
    assert_eq!(concise.stdout, "");
    assert_eq!(
        concise.stderr,
        "content/a.md:3: error[date]: `date` is not a date: write 2024-03-12 or 2024-03-12T21:04:00Z\n\
         content/a.md:5:5: error[link]: link to #nowhere: no heading on this page has that anchor\n\
         content/b.md:1: warning[undated]: no date: the incident is listed as undated and left out of feeds and the digest; add date = 2024-03-12T21:04:00Z\n\
         checked 2 post-mortems: 2 errors, 1 warning\n"
    );
    let github = t.cli(&["check", "--format", "github"]);
    assert_eq!(github.code, 1);
    assert_eq!(
        github.stdout,
        "::error file=content/a.md,line=3,title=pmsite date::`date` is not a date: write 2024-03-12 or 2024-03-12T21:04:00Z\n\
         ::error file=content/a.md,line=5,col=5,title=pmsite link::link to #nowhere: no heading on this page has that anchor\n\
         ::warning file=content/b.md,line=1,title=pmsite undated::no date: the incident is listed as undated and left out of feeds and the digest; add date = 2024-03-12T21:04:00Z\n\
         checked 2 post-mortems: 2 errors, 1 warning\n"
    );
    let json = t.cli(&["check", "--format", "json"]);
    assert_eq!(json.code, 1);
    let v: serde_json::Value = serde_json::from_str(&json.stdout).expect("one JSON document");
    assert_eq!(
        v,
        serde_json::json!({
            "checked": 2,
            "errors": 2,
            "warnings": 1,
            "diagnostics": [
                {"path": "content/a.md", "line": 3, "column": 0, "level": "error", "code": "date",
                 "message": "`date` is not a date: write 2024-03-12 or 2024-03-12T21:04:00Z"},
                {"path": "content/a.md", "line": 5, "column": 5, "level": "error", "code": "link",
                 "message": "link to #nowhere: no heading on this page has that anchor"},
                {"path": "content/b.md", "line": 1, "column": 0, "level": "warning", "code": "undated",
                 "message": "no date: the incident is listed as undated and left out of feeds and the digest; add date = 2024-03-12T21:04:00Z"},
            ]
        })
    );
}

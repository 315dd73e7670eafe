//! Input that used to kill `build`, `check` or `serve`: each now gives a clear message or
//! builds, with exit codes 0, 1 or 2, never a panic or an abort.

use std::process::{Command, Stdio};

use crate::harness::*;

/// Emphasis and quotes nested far deeper than any author means, inside the sections pmsite
/// reads as data: the walk over them must not use the call stack.
fn deep_library() -> SiteTest {
    let n = 200_000;
    let em = format!("{}x{}", "*".repeat(n), "*".repeat(n));
    let quotes = "> ".repeat(n);
    let body = format!(
        "## Timeline\n\n- 21:00 start {em}\n- {quotes}21:05 quoted\n\n## Action items\n\n\
         - [ ] Fix {em} @bob\n- [ ] {quotes}quoted\n\n| Action | Owner |\n|---|---|\n| {em} | bob |\n"
    );
    SiteTest::new().file(
        "content/a.md",
        &toml_pm("INC-1", "Deep", "date = 2024-01-01", &body),
    )
}

#[test]
fn deeply_nested_sections_build_and_check() {
    let t = deep_library();
    for args in [&["build"][..], &["check"][..]] {
        let out = t.cli(args);
        assert!(
            out.code == 0,
            "{args:?} exited {}: {}{}",
            out.code,
            out.stdout,
            &out.stderr[..out.stderr.len().min(2000)]
        );
    }
    assert!(t.read("incidents/inc-1/index.html").contains("Deep"));
}

#[test]
fn a_negative_year_is_an_error_in_check_and_a_warning_in_build() {
    for (path, text, line) in [
        (
            "content/a.md",
            "# Wiki page\n\n**Date:** -1-05-14\n**Severity:** SEV2\n".to_string(),
            3,
        ),
        (
            "content/a.md",
            "---\ntitle: Y\ndate: \"-1-05-14\"\n---\nBody.\n".to_string(),
            3,
        ),
        (
            "content/a.md",
            "+++\ntitle = \"Z\"\ndate = \"-0001-12-31T23:59:59Z\"\n+++\nBody.\n".to_string(),
            3,
        ),
        (
            "content/a.md",
            "+++\ntitle = \"Z\"\ndate = 0000-01-01\n+++\nBody.\n".to_string(),
            3,
        ),
    ] {
        let t = SiteTest::new().file(path, &text);
        let check = t.cli(&["check"]);
        assert_eq!(check.code, 1, "check: {}{}", check.stdout, check.stderr);
        let prefix = format!("content/a.md:{line}: error[date]:");
        assert!(
            check.stderr.contains(&prefix) && check.stderr.contains("is not a date"),
            "{text}\n{}",
            check.stderr
        );
        // The build is not failed for it: the page is built undated, with the warning.
        let build = t.cli(&["build"]);
        assert_eq!(build.code, 0, "build: {}", build.stderr);
        let warning = prefix.replace("error[", "warning[");
        assert!(build.stderr.contains(&warning), "{}", build.stderr);
        assert!(!build.stderr.contains("panicked"), "{}", build.stderr);
    }
}

/// `pmsite build | head -c0`: the reader is gone before pmsite prints; that is not a crash.
#[test]
fn a_closed_stdout_is_not_a_crash() {
    let t = SiteTest::new().file(
        "content/a.md",
        &toml_pm("INC-1", "A", "date = 2024-01-01", "Body.\n"),
    );
    for args in [&["build"][..], &["check"][..], &["new", "Another"][..]] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_pmsite"))
            .args(args)
            .current_dir(t.root())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Close the read end of both pipes at once: every print finds no reader.
        drop(child.stdout.take());
        drop(child.stderr.take());
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(0), "{args:?}: {status:?}");
    }
}

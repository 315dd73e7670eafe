//! Progress on a terminal, silence when piped or with `--quiet`, timings with `--verbose`.

use std::process::Command;

use crate::harness::*;

fn many(n: usize) -> SiteTest {
    let mut t = SiteTest::new();
    for i in 0..n {
        t = t.file(
            &format!("content/{i:03}.md"),
            &toml_pm(
                &format!("INC-{i:03}"),
                &format!("Incident {i}"),
                "date = 2024-01-01",
                "\nBody.\n",
            ),
        );
    }
    t
}

#[test]
fn piped_builds_show_no_progress_and_quiet_shows_nothing() {
    let t = many(120);
    let out = t.cli(&["build"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        !out.stderr.contains('\u{1b}') && !out.stderr.contains("Rendering"),
        "no bar when piped: {:?}",
        out.stderr
    );
    assert!(out.stdout.contains("Built 120 incidents"));
    let out = t.cli(&["build", "--quiet"]);
    assert_eq!(
        (out.code, out.stdout.as_str(), out.stderr.as_str()),
        (0, "", "")
    );
}

#[test]
fn verbose_prints_stage_timings() {
    let t = many(3);
    let out = t.cli(&["build", "--verbose"]);
    for stage in ["load", "derive", "render", "write"] {
        assert!(
            out.stderr.contains(&format!("timing: {stage}: ")),
            "{stage}: {}",
            out.stderr
        );
    }
}

#[test]
fn a_terminal_gets_a_progress_bar() {
    // `script` runs the command on a pseudo-terminal, as a person's shell would.
    let t = many(150);
    let command = format!("{} build", env!("CARGO_BIN_EXE_pmsite"));
    let out = Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .current_dir(t.root())
        .output()
        .expect("script (util-linux) runs");
    let all = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{all}");
    assert!(
        all.contains("Rendering") || all.contains("Loading"),
        "a bar on a terminal: {all:?}"
    );
    assert!(all.contains("Built 150 incidents"), "{all}");
}

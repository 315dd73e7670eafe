//! What is on disk, and what a build leaves there: symlinks under `content/`, staging folders
//! after a killed build, the swap of the output, and what `check` must refuse because the write
//! step could not do it. Also text that must be escaped for where it goes (XML, CSV, logs).

use std::os::unix::fs::symlink;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::harness::*;

fn pm(id: &str, title: &str) -> String {
    toml_pm(id, title, "date = 2024-01-01", "Body.\n")
}

#[test]
fn broken_and_escaping_symlinks_are_reported_once_and_the_rest_builds() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.md"), pm("SECRET", "Secret")).unwrap();
    let t = SiteTest::new()
        .file("content/a.md", &pm("A", "Kept"))
        .file("content/inside/real.md", &pm("R", "Real"));
    let c = t.root().join("content");
    symlink(outside.path().join("secret.md"), c.join("secret.md")).unwrap();
    symlink(outside.path(), c.join("outdir")).unwrap();
    symlink("nowhere.md", c.join("dangling.md")).unwrap();
    std::fs::create_dir(c.join("sub")).unwrap();
    symlink("..", c.join("sub/loop")).unwrap();
    symlink("inside/real.md", c.join("alias-in-library.md")).unwrap();

    let out = t.cli(&["build"]);
    assert_eq!(
        out.code, 1,
        "the alias inside the library duplicates R: {}",
        out.stderr
    );
    assert!(out.stderr.contains("duplicate id `R`"), "{}", out.stderr);
    std::fs::remove_file(c.join("alias-in-library.md")).unwrap();

    let out = t.cli(&["build"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    for (path, words) in [
        ("content/dangling.md", "a symlink to nothing"),
        ("content/sub/loop", "a symlink loop"),
        ("content/secret.md", "a symlink to outside the library"),
        ("content/outdir", "a symlink to outside the library"),
    ] {
        let lines: Vec<&str> = out.stderr.lines().filter(|l| l.starts_with(path)).collect();
        assert_eq!(lines.len(), 1, "{path} once: {}", out.stderr);
        assert!(lines[0].contains(words), "{}", lines[0]);
    }
    assert!(
        !out.stderr.contains("(os error 2): No such"),
        "{}",
        out.stderr
    );
    assert!(t.exists("incidents/a/index.html") && t.exists("incidents/r/index.html"));
    assert!(
        !t.exists("incidents/secret/index.html"),
        "nothing from outside is published"
    );
    let check = t.cli(&["check"]);
    assert_eq!(check.code, 0, "{}", check.stderr);
    assert!(
        check.stderr.contains("content/dangling.md: warning[file]"),
        "{}",
        check.stderr
    );
}

fn staging_leftovers(t: &SiteTest) -> Vec<String> {
    std::fs::read_dir(t.root())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".pmsite-tmp-"))
        .collect()
}

#[test]
fn a_killed_build_leaves_nothing_after_the_next_build() {
    let mut t = SiteTest::new();
    for i in 0..400 {
        t = t.file(
            &format!("content/{i}.md"),
            &toml_pm(
                &format!("INC-{i}"),
                &format!("Incident {i}"),
                "date = 2024-01-01",
                &"Words about the outage and its fix. ".repeat(200),
            ),
        );
    }
    for _ in 0..3 {
        let mut child = Command::new(env!("CARGO_BIN_EXE_pmsite"))
            .arg("build")
            .current_dir(t.root())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        while staging_leftovers(&t).is_empty() {
            assert!(Instant::now() < deadline, "no staging folder appeared");
            std::thread::sleep(Duration::from_millis(2));
        }
        child.kill().unwrap();
        child.wait().unwrap();
    }
    assert!(
        !staging_leftovers(&t).is_empty(),
        "the kills left staging folders"
    );
    let out = t.cli(&["build"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(staging_leftovers(&t), Vec::<String>::new());
    assert!(t.exists("incidents/inc-399/index.html"));
}

#[test]
fn the_output_is_never_missing_while_a_build_replaces_it() {
    let t = SiteTest::new().file("content/a.md", &pm("A", "A")).build();
    let public = t.public();
    let stop = AtomicBool::new(false);
    let missing = std::thread::scope(|s| {
        let watcher = s.spawn(|| {
            let mut missing = 0;
            while !stop.load(Ordering::Relaxed) {
                if !public.join("index.html").exists() {
                    missing += 1;
                }
            }
            missing
        });
        for _ in 0..30 {
            t.try_build().unwrap();
        }
        stop.store(true, Ordering::Relaxed);
        watcher.join().unwrap()
    });
    assert_eq!(
        missing, 0,
        "the output was missing {missing} times during 30 swaps"
    );
}

#[test]
fn check_refuses_names_too_long_for_a_file_name() {
    let long = "x".repeat(300);
    let t = SiteTest::new().file(
        "content/a.md",
        &toml_pm(
            &format!("INC-{long}"),
            "A",
            &format!("date = 2024-01-01\ncomponents = [\"ok\", \"{long}\"]\ntags = [\"{long}t\"]"),
            "Body.\n",
        ),
    );
    let check = pmsite::build::check(t.root(), t.today).unwrap();
    assert_diag(&check, "content/a.md:3: error", "the id `INC-xxx");
    assert_diag(&check, "content/a.md:5: error", "the component `xxxx");
    assert_diag(&check, "content/a.md:6: error", "the tag `xxxx");
    let errors = t.build_errors();
    assert_eq!(
        lines(&errors)
            .iter()
            .filter(|l| l.contains("longer than a file name"))
            .count(),
        3,
        "build refuses the same, with the same words: {:#?}",
        lines(&errors)
    );
}

#[test]
fn control_characters_are_left_out_of_every_xml_output_with_one_warning() {
    let t = SiteTest::new().file(
        "content/a.md",
        "+++\ntitle = \"Disk \\u001b[31mfull\\u0000\"\nid = \"A\"\ndate = 2024-01-01\nsummary = \"bell \\u0007 and \\u000b tab\"\ncomponents = [\"db\\u000c\"]\n+++\n\nPasted \u{1b}[0m output \u{b}.\n",
    );
    let report = t.try_build().unwrap();
    let warnings: Vec<String> = report.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(
        warnings
            .iter()
            .filter(|w| w.contains("control character"))
            .count(),
        1,
        "{warnings:#?}"
    );
    for feed in ["rss.xml", "atom.xml", "components/db/atom.xml"] {
        let xml = t.read(feed);
        roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("{feed}: {e}"));
        assert!(xml.contains("Disk [31mfull"), "{feed}: the words stay");
    }
    let feed = feed_rs::parser::parse(t.read("rss.xml").as_bytes()).expect("feed-rs reads it");
    assert_eq!(feed.entries.len(), 1);
    for svg in [
        "patterns/incidents-by-severity.svg",
        "patterns/time-to-resolve.svg",
    ] {
        if t.exists(svg) {
            roxmltree::Document::parse(&t.read(svg)).unwrap_or_else(|e| panic!("{svg}: {e}"));
        }
    }
}

#[test]
fn impact_keys_that_look_like_formulas_are_neutralised_in_the_csv_header() {
    let t = SiteTest::new()
        .file(
            "content/a.md",
            &toml_pm(
                "A",
                "A",
                "date = 2024-01-01\n[impact]\n\"=HYPERLINK(\\\"http://x\\\",\\\"y\\\")\" = 1\n\"@SUM(A1)\" = 2\ncustomers = 3",
                "Body.\n",
            ),
        )
        .build();
    let csv = t.read("impact.csv");
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert!(
        header.contains(&"'=HYPERLINK(\"http://x\",\"y\")".to_string()),
        "{header:?}"
    );
    assert!(header.contains(&"'@SUM(A1)".to_string()), "{header:?}");
    assert!(header.contains(&"customers".to_string()), "{header:?}");
    assert!(
        header.iter().all(|h| !h.starts_with(['=', '@', '+', '-'])),
        "{header:?}"
    );
}

#[test]
fn file_names_with_newlines_and_escapes_cannot_forge_a_diagnostic() {
    let t = SiteTest::new().file(
        "content/x\ncontent/forged.md:1: error: fake\u{1b}[2J.md",
        "+++\ntitle = \"T\"\ndate = \"soon\"\n+++\n",
    );
    let out = t.cli(&["check"]);
    assert_eq!(out.code, 1);
    assert!(
        !out.stderr
            .lines()
            .any(|l| l.starts_with("content/forged.md")),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains('\u{1b}'), "{:?}", out.stderr);
    assert!(
        out.stderr
            .contains("content/x\\ncontent/forged.md:1: error: fake\\u{1b}[2J.md:3: error[date]"),
        "{}",
        out.stderr
    );
}

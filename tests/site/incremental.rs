//! A second build does less: `.pmsite/` keeps the parses and page hashes of the last build,
//! unchanged pages are not rendered again, unchanged files are linked rather than written,
//! and the output is byte for byte a clean build's.

use std::collections::BTreeMap;
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::process::Command;

use crate::harness::*;

/// Twelve incidents sharing components, so that related lists link them.
fn library() -> SiteTest {
    let mut t = SiteTest::new();
    for n in 1..=12 {
        let component = ["api", "db", "queue"][n % 3];
        t = t.file(
            &format!("content/inc-{n}.md"),
            &toml_pm(
                &format!("INC-{n}"),
                &format!("The {component} failed, time {n}"),
                &format!(
                    "date = 2024-03-{n:02}\nseverity = \"SEV2\"\ncomponents = [\"{component}\"]\nroot_causes = [\"bad-deploy\"]"
                ),
                &format!(
                    "\n## Summary\n\nThe {component} stopped answering after deploy {n}.\n\n## Timeline\n\n- 10:00 deploy {n} starts\n- 10:05 alert fires\n\n## Action items\n\n- [ ] Add a canary for {component} @ana due:2025-01-{n:02}\n"
                ),
            ),
        );
    }
    t
}

/// Builds with the real command, the build's time fixed.
fn build(root: &Path, args: &[&str]) -> (String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_pmsite"))
        .arg("build")
        .args(["--today", "2026-11-24", "--verbose"])
        .args(args)
        .env("SOURCE_DATE_EPOCH", "1780000000")
        .current_dir(root)
        .output()
        .expect("run pmsite");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "build failed: {stderr}");
    (String::from_utf8_lossy(&out.stdout).into_owned(), stderr)
}

/// Files parsed, from `--verbose`.
fn parsed(stderr: &str) -> usize {
    let line = stderr.lines().find(|l| l.starts_with("files: ")).unwrap();
    line.rsplit(' ').next().unwrap().parse().unwrap()
}

/// (files, unchanged, incident pages rendered) from `--verbose`.
fn counts(stderr: &str) -> (usize, usize, usize) {
    let line = stderr
        .lines()
        .find(|l| l.starts_with("files: "))
        .unwrap_or_else(|| panic!("no files line in {stderr}"));
    let numbers: Vec<usize> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|s| s.parse().ok())
        .collect();
    (numbers[0], numbers[1], numbers[2])
}

/// Every file of an output folder with its bytes.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            if e.file_type().unwrap().is_dir() {
                stack.push(e.path());
            } else {
                let rel = e.path().strip_prefix(dir).unwrap().display().to_string();
                files.insert(rel, std::fs::read(e.path()).unwrap());
            }
        }
    }
    files
}

#[track_caller]
fn assert_same_tree(a: &Path, b: &Path) {
    let (a, b) = (tree(a), tree(b));
    assert_eq!(
        a.keys().collect::<Vec<_>>(),
        b.keys().collect::<Vec<_>>(),
        "the two outputs hold different files"
    );
    for (path, bytes) in &a {
        assert!(bytes == &b[path], "{path} differs from a clean build's");
    }
}

/// Builds the same library with no cache into another folder and compares the two outputs
/// file by file.
#[track_caller]
fn assert_equals_a_clean_build(t: &SiteTest) {
    let clean = tempfile::tempdir().unwrap();
    let clean_out = clean.path().join("site");
    build(t.root(), &["--no-cache", "-o", clean_out.to_str().unwrap()]);
    assert_same_tree(&t.public(), &clean_out);
}

fn inode(path: &Path) -> u64 {
    std::fs::metadata(path).unwrap().ino()
}

#[test]
fn a_second_build_renders_nothing_and_rewrites_nothing() {
    let t = library();
    let (_, first) = build(t.root(), &[]);
    let (files, unchanged, rendered) = counts(&first);
    assert_eq!((unchanged, rendered), (0, 12), "{first}");
    assert!(t.root().join(".pmsite/cache/.gitignore").is_file());
    assert!(
        !t.root().join(".pmsite/.gitignore").exists(),
        "the committed files beside it stay tracked"
    );
    let page = t.public().join("incidents/inc-3/index.html");
    let before = inode(&page);

    let (_, second) = build(t.root(), &[]);
    assert_eq!(counts(&second), (files, files, 0), "{second}");
    assert_eq!(inode(&page), before, "an unchanged page was written again");
    // The cache lives beside the content and never in the site.
    assert!(!t.public().join(".pmsite").exists());
}

#[test]
fn an_edit_renders_what_it_changed_and_the_output_equals_a_clean_build() {
    let t = library();
    build(t.root(), &[]);
    let untouched = t.public().join("incidents/inc-7/index.html");
    let untouched_inode = inode(&untouched);
    let edited = t.public().join("incidents/inc-4/index.html");
    let edited_inode = inode(&edited);
    let text = std::fs::read_to_string(t.root().join("content/inc-4.md")).unwrap();
    std::fs::write(
        t.root().join("content/inc-4.md"),
        text.replace("stopped answering", "stopped answering (edited)"),
    )
    .unwrap();

    let (_, stderr) = build(t.root(), &[]);
    let (files, unchanged, rendered) = counts(&stderr);
    assert_eq!(rendered, 1, "only the edited page's view changed: {stderr}");
    assert!(unchanged > 0 && unchanged < files, "{stderr}");
    assert_ne!(inode(&edited), edited_inode);
    assert_eq!(inode(&untouched), untouched_inode);
    assert!(
        std::fs::read_to_string(&edited)
            .unwrap()
            .contains("(edited)")
    );

    assert_equals_a_clean_build(&t);
}

#[test]
fn a_changed_title_re_renders_the_pages_that_show_it() {
    let t = library();
    build(t.root(), &[]);
    let text = std::fs::read_to_string(t.root().join("content/inc-4.md")).unwrap();
    std::fs::write(
        t.root().join("content/inc-4.md"),
        text.replace("The db failed, time 4", "The db fell over, time 4"),
    )
    .unwrap();
    let (_, stderr) = build(t.root(), &[]);
    let (_, _, rendered) = counts(&stderr);
    // Its own page, and the pages whose related lists name it.
    assert!(rendered > 1, "{stderr}");
    assert_equals_a_clean_build(&t);
}

#[test]
fn a_page_changed_by_hand_in_the_output_is_rendered_again() {
    let t = library();
    build(t.root(), &[]);
    let page = t.public().join("incidents/inc-5/index.html");
    let good = std::fs::read(&page).unwrap();
    std::fs::write(&page, b"tampered").unwrap();
    let (_, stderr) = build(t.root(), &[]);
    assert_eq!(counts(&stderr).2, 1, "{stderr}");
    assert_eq!(std::fs::read(&page).unwrap(), good);
}

#[test]
fn no_cache_neither_reads_nor_writes_it() {
    let t = library();
    let (_, stderr) = build(t.root(), &["--no-cache"]);
    assert_eq!(counts(&stderr).2, 12);
    assert!(!t.root().join(".pmsite/cache").exists());
    let (_, stderr) = build(t.root(), &["--no-cache"]);
    assert_eq!(counts(&stderr).2, 12, "{stderr}");
}

#[test]
fn a_theme_change_renders_every_page_again() {
    let t = library();
    build(t.root(), &[]);
    let t = t.file(
        "templates/incident.html",
        "{% extends \"base.html\" %}{% block content %}<h1 class=\"mine\">{{ incident.title }}</h1>{% endblock content %}",
    );
    let (_, stderr) = build(t.root(), &[]);
    assert_eq!(counts(&stderr).2, 12, "{stderr}");
    t.contains("incidents/inc-5/index.html", "class=\"mine\"");
}

#[test]
fn the_build_time_is_on_the_home_page_only() {
    let t = library();
    build(t.root(), &[]);
    // SOURCE_DATE_EPOCH 1780000000 is 2026-05-28T20:26:40Z.
    t.contains("index.html", "2026-05-28T20:26:40Z");
    t.lacks("incidents/inc-5/index.html", "2026-05-28");
    t.lacks("incidents/index.html", "2026-05-28");
    assert!(t.read("incidents.json").contains("2026-05-28T20:26:40Z"));
}

#[test]
fn a_second_build_reads_the_parses_back_and_an_edit_parses_one_file() {
    let t = library();
    let (_, first) = build(t.root(), &[]);
    assert_eq!(parsed(&first), 12, "{first}");
    let (_, second) = build(t.root(), &[]);
    assert_eq!(parsed(&second), 0, "{second}");
    let text = std::fs::read_to_string(t.root().join("content/inc-2.md")).unwrap();
    std::fs::write(
        t.root().join("content/inc-2.md"),
        text.replace("deploy 2", "deploy two"),
    )
    .unwrap();
    let (_, third) = build(t.root(), &[]);
    assert_eq!(parsed(&third), 1, "{third}");
    t.contains("incidents/inc-2/index.html", "deploy two");
    // The edited file's old parse is gone: one kept parse per post-mortem.
    let kept = std::fs::read_dir(t.root().join(".pmsite/cache/parses"))
        .unwrap()
        .count();
    assert_eq!(kept, 12);
}

#[test]
fn a_post_mortem_with_a_problem_is_parsed_every_time_and_warned_about_every_time() {
    let t = library().file(
        "content/broken.md",
        &toml_pm("INC-99", "Broken", "date = \"not a date\"", "\nBody\n"),
    );
    let (_, first) = build(t.root(), &[]);
    assert!(first.contains("broken.md"), "{first}");
    let (_, second) = build(t.root(), &[]);
    assert_eq!(parsed(&second), 1, "{second}");
    assert!(
        second.contains("broken.md"),
        "the warning vanished: {second}"
    );
}

#[test]
fn a_damaged_cache_is_ignored_and_the_output_is_still_right() {
    let t = library();
    build(t.root(), &[]);
    let dir = t.root().join(".pmsite/cache");
    let mut damaged = 0;
    for entry in std::fs::read_dir(dir.join("parses")).unwrap().flatten() {
        let bytes = std::fs::read(entry.path()).unwrap();
        // The program's stamp kept, what follows it garbage.
        let mut garbage = bytes[..16].to_vec();
        garbage.extend_from_slice(&[0xff; 40]);
        std::fs::write(entry.path(), garbage).unwrap();
        damaged += 1;
    }
    assert_eq!(damaged, 12);
    std::fs::write(dir.join("search"), b"not a cache file").unwrap();
    let (_, stderr) = build(t.root(), &[]);
    assert_eq!(parsed(&stderr), 12, "{stderr}");
    assert_equals_a_clean_build(&t);
}

#[test]
fn a_parse_setting_change_parses_every_file_again() {
    let t = library();
    build(t.root(), &[]);
    let t = t.file(
        "pmsite.toml",
        &format!("{CONFIG}\n[markdown]\nallow_html = true\n"),
    );
    let (_, stderr) = build(t.root(), &[]);
    assert_eq!(parsed(&stderr), 12, "{stderr}");
}

/// The search shards an edit's words are not in are the previous build's files, linked;
/// one changed by hand in the output is written again; the index equals a clean build's.
#[test]
fn an_edit_writes_only_the_search_shards_of_its_words() {
    // A hundred post-mortems of 250 words of their own: about 25,000 postings, four shards.
    let mut t = SiteTest::new();
    for n in 0..100u32 {
        let words: Vec<String> = (0..250u32).map(|w| format!("q{n}v{w}k")).collect();
        t = t.file(
            &format!("content/inc-{n}.md"),
            &toml_pm(
                &format!("INC-{n}"),
                &format!("Outage {n}"),
                &format!("date = 2024-03-{:02}", n % 28 + 1),
                &format!("\nThe queue stopped answering. {}.\n", words.join(" ")),
            ),
        );
    }
    let shards = |stderr: &str| -> (usize, usize) {
        let line = stderr
            .lines()
            .find(|l| l.starts_with("search: "))
            .unwrap_or_else(|| panic!("no search line in {stderr}"));
        let n: Vec<usize> = line
            .split(|c: char| !c.is_ascii_digit())
            .filter_map(|s| s.parse().ok())
            .collect();
        (n[0], n[1])
    };
    let (_, first) = build(t.root(), &[]);
    let (written, all) = shards(&first);
    assert_eq!(written, all, "a first build writes every shard: {first}");
    let (_, again) = build(t.root(), &[]);
    assert_eq!(shards(&again), (0, all), "{again}");

    let text = std::fs::read_to_string(t.root().join("content/inc-4.md")).unwrap();
    std::fs::write(
        t.root().join("content/inc-4.md"),
        text.replace("stopped answering", "stopped answering (zanzibar)"),
    )
    .unwrap();
    let (_, edited) = build(t.root(), &[]);
    let (written, total) = shards(&edited);
    assert!(written >= 1 && written < total, "{edited}");
    assert_equals_a_clean_build(&t);

    // A shard damaged in the output is not trusted: its bytes no longer hash to the print.
    let meta: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(t.public().join("search/meta.json")).unwrap(),
    )
    .unwrap();
    let count = meta["shards"].as_u64().unwrap() as u32;
    let shard = pmsite::search::shard_of("zanzibar", count);
    let parts = meta["parts"][shard as usize].as_u64().unwrap() as u32;
    let path = t.public().join("search").join(pmsite::search::shard_path(
        shard,
        if parts > 1 {
            pmsite::search::part_of("zanzibar", parts)
        } else {
            0
        },
        parts,
    ));
    std::fs::write(&path, b"{}").unwrap();
    let (_, repaired) = build(t.root(), &[]);
    assert_eq!(shards(&repaired).0, 1, "{repaired}");
    assert!(std::fs::read_to_string(&path).unwrap().contains("zanzibar"));
    assert_equals_a_clean_build(&t);
}

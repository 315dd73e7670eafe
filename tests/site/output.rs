//! The output directory is replaced atomically, and only when pmsite made it.

use crate::harness::*;

fn good() -> SiteTest {
    SiteTest::new().file(
        "content/a.md",
        &toml_pm("A", "First version", "date = 2024-01-01", "\nBody\n"),
    )
}

#[test]
fn build_writes_the_marker_and_replaces_its_own_output() {
    let t = good().build();
    assert!(t.public().join(".pmsite-build").is_file());
    let t = t
        .file(
            "content/a.md",
            &toml_pm("A", "Second version", "date = 2024-01-01", "\nBody\n"),
        )
        .build();
    t.contains("incidents/a/index.html", "Second version");
    // No staging or old directories are left beside the output.
    let leftovers: Vec<_> = std::fs::read_dir(t.root())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n.contains("pmsite-tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn failed_build_leaves_the_previous_output_untouched() {
    let t = good().build();
    let before = t.read("incidents/a/index.html");
    let t = t.file("content/b.md", &toml_pm("A", "Same id as a.md", "", ""));
    t.build_errors();
    assert_eq!(t.read("incidents/a/index.html"), before);
    assert!(t.public().join(".pmsite-build").is_file());
}

#[test]
fn failed_render_leaves_the_previous_output_untouched() {
    let t = good().build();
    let before = t.read("index.html");
    let t = t.file("templates/index.html", "{{ no_such_variable }}");
    assert!(matches!(t.try_build(), Err(pmsite::Error::Template(_))));
    assert_eq!(t.read("index.html"), before);
}

#[test]
fn refuses_to_replace_a_directory_pmsite_did_not_make() {
    let t = good().file("public/notes.txt", "my precious notes");
    let err = t.try_build().unwrap_err().to_string();
    assert!(err.contains("was not made by pmsite"), "{err}");
    assert_eq!(
        std::fs::read_to_string(t.public().join("notes.txt")).unwrap(),
        "my precious notes"
    );
    let out = t.cli(&["build", "-o", "."]);
    assert_ne!(out.code, 0);
    assert!(out.stderr.contains("refusing to replace"), "{}", out.stderr);
    assert!(t.root().join("pmsite.toml").exists());
}

#[test]
fn refuses_a_file_as_output() {
    let t = good().file("public", "a file");
    assert!(
        t.try_build()
            .unwrap_err()
            .to_string()
            .contains("is not a directory")
    );
}

#[test]
fn an_empty_directory_may_be_used() {
    let t = good();
    std::fs::create_dir_all(t.public()).unwrap();
    let t = t.build();
    assert!(t.exists("index.html"));
}

#[test]
fn output_option_on_the_command_line() {
    let t = good();
    let out = t.cli(&["build", "-o", "site/out"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(t.root().join("site/out/incidents/a/index.html").is_file());
    assert!(out.stdout.contains("Built 1 incidents"), "{}", out.stdout);
}

#[test]
fn new_never_overwrites() {
    let t = SiteTest::new();
    let first = t.cli(&[
        "new",
        "Checkout API returned 500s",
        "--date",
        "2024-03-12T21:04:00Z",
        "--severity",
        "sev-1",
    ]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    let path = t
        .root()
        .join("content/2024/2024-03-12-checkout-api-returned-500s.md");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.contains("id = \"INC-2024-001\"")
            && text.contains("severity = \"SEV1\"")
            && text.contains("status = \"draft\""),
        "{text}"
    );
    std::fs::write(&path, "my edits").unwrap();
    let second = t.cli(&[
        "new",
        "Checkout API returned 500s",
        "--date",
        "2024-03-12T21:04:00Z",
    ]);
    assert_ne!(second.code, 0);
    assert!(
        second.stderr.contains("already exists"),
        "{}",
        second.stderr
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "my edits");
}

#[test]
fn init_never_overwrites() {
    let t = SiteTest::new();
    let out = t.cli(&["init"]);
    assert_ne!(out.code, 0);
    assert!(out.stderr.contains("already exists"), "{}", out.stderr);
    assert_eq!(
        std::fs::read_to_string(t.root().join("pmsite.toml")).unwrap(),
        CONFIG
    );
}

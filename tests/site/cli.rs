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
        "+++\ntitle = \"B\"\nstatus = \"draft\"\nstatus_page = 1\nseverty = \"SEV7\"\n+++\n",
    );
    let out = t.cli(&["check"]);
    assert_eq!(out.code, 1);
    // Drafts are checked too.
    assert!(
        out.stderr
            .contains("content/bad.md:5: error[unknown-key]: unknown front matter key `severty`"),
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
    // The small vocabulary and catalog init writes are read.
    let postgres =
        std::fs::read_to_string(lib.join("public/components/postgres/index.html")).unwrap();
    assert!(postgres.contains("/teams/data-platform/"), "{postgres}");
    let change = std::fs::read_to_string(lib.join("public/root-causes/change/index.html")).unwrap();
    assert!(change.contains("config-change</a>: 1 incident"), "{change}");
    assert!(lib.join("public/teams/shop/index.html").is_file());
    let (code, _, err) = run(&["init", lib.to_str().unwrap()], dir.path());
    assert_ne!(code, Some(0));
    assert!(err.contains("already exists"), "{err}");
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

/// `--version` names the commit; completions load in a real bash and complete commands.
#[test]
fn version_and_bash_completion() {
    let t = SiteTest::new();
    let v = t.cli(&["--version"]);
    assert_eq!(v.code, 0);
    assert!(
        v.stdout.starts_with("pmsite 0.1.0 (commit ") && v.stdout.trim_end().ends_with(')'),
        "{}",
        v.stdout
    );
    let script = t.cli(&["completions", "bash"]);
    assert_eq!(script.code, 0, "{}", script.stderr);
    std::fs::write(t.root().join("pmsite.bash"), &script.stdout).unwrap();
    let complete = |words: &str, cword: usize| -> String {
        let out = std::process::Command::new("bash")
            .arg("-c")
            .arg(format!(
                "source ./pmsite.bash; COMP_WORDS=({words}); COMP_CWORD={cword}; COMP_LINE='{words}'; COMP_POINT=${{#COMP_LINE}}; _pmsite pmsite \"${{COMP_WORDS[$COMP_CWORD]}}\" \"${{COMP_WORDS[$((COMP_CWORD-1))]}}\"; echo \"${{COMPREPLY[@]}}\""
            ))
            .current_dir(t.root())
            .output()
            .expect("bash");
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    assert_eq!(complete("pmsite bu", 1), "build");
    assert!(complete("pmsite build --dr", 2).contains("--drafts"));
    for shell in ["zsh", "fish", "powershell"] {
        let out = t.cli(&["completions", shell]);
        assert_eq!(out.code, 0);
        assert!(out.stdout.contains("pmsite"), "{shell}");
    }
}

/// The man pages render with the real man-db, and `man` never overwrites a page unasked.
#[test]
#[ignore = "needs man-db and groff; .ci/run installs them and runs ignored tests"]
fn man_pages_render_with_man() {
    let t = SiteTest::new();
    let out = t.cli(&["man", "man"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    for page in [
        "pmsite.1",
        "pmsite-build.1",
        "pmsite-check.1",
        "pmsite-serve.1",
    ] {
        let rendered = std::process::Command::new("man")
            .args(["-l", "-P", "cat"])
            .arg(t.root().join("man").join(page))
            .env("MANWIDTH", "100")
            .output()
            .expect("man-db is not installed: apt-get install man-db groff-base");
        assert!(rendered.status.success(), "{page}");
        let text = String::from_utf8_lossy(&rendered.stdout);
        assert!(text.contains("pmsite"), "{page}: {text}");
        if page == "pmsite-check.1" {
            assert!(text.contains("--format"), "{text}");
        }
    }
    let again = t.cli(&["man", "man"]);
    assert_eq!(again.code, 2, "no overwrite unasked");
    assert!(again.stderr.contains("--force"), "{}", again.stderr);
    assert_eq!(t.cli(&["man", "man", "--force"]).code, 0);
}

/// The installed binary needs nothing beside it: copied alone into an empty folder it runs
/// `init`, `build` and `serve` (the theme and the example are compiled in).
#[test]
fn the_binary_alone_runs_init_build_and_serve() {
    use std::io::{Read, Write};
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("pmsite");
    std::fs::copy(env!("CARGO_BIN_EXE_pmsite"), &bin).unwrap();
    let lib = dir.path().join("lib");
    let run = |args: &[&str], cwd: &std::path::Path| {
        std::process::Command::new(&bin)
            .args(args)
            .current_dir(cwd)
            .output()
            .unwrap()
    };
    assert!(run(&["init", "lib"], dir.path()).status.success());
    let built = run(&["build"], &lib);
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    assert!(lib.join("public/index.html").exists());
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut serve = std::process::Command::new(&bin)
        .args(["serve", "--port", &port.to_string()])
        .current_dir(&lib)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let page = loop {
        if let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            write!(
                s,
                "GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
            )
            .unwrap();
            let mut page = String::new();
            let _ = s.read_to_string(&mut page);
            if page.starts_with("HTTP/1.1 200") {
                break page;
            }
        }
        assert!(std::time::Instant::now() < deadline, "serve did not answer");
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    let _ = serve.kill();
    let _ = serve.wait();
    assert!(page.contains("<!doctype html>"), "{page}");
}

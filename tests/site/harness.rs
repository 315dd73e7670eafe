//! A fixture harness: a library in a temp dir, built for real, with assertions that point
//! at the test line and show what was found.

use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::NaiveDate;
use pmsite::build::{BuildOptions, BuildReport};
use pmsite::diagnostics::Diagnostic;
use serde_json::Value;

pub const CONFIG: &str = r#"title = "Test library"
base_url = "https://incidents.example.com"
severities = ["SEV1", "SEV2", "SEV3", "SEV4"]
"#;

pub struct SiteTest {
    /// Dropping it deletes the library; kept for the test's life.
    pub dir: tempfile::TempDir,
    pub drafts: bool,
    pub include_restricted: bool,
    pub today: NaiveDate,
}

pub struct Cli {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl SiteTest {
    /// A library with the default test config and no post-mortems yet.
    pub fn new() -> Self {
        let t = SiteTest {
            dir: tempfile::tempdir().expect("temp dir"),
            drafts: false,
            include_restricted: false,
            today: NaiveDate::from_ymd_opt(2026, 11, 24).unwrap(),
        };
        t.file("pmsite.toml", CONFIG)
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn public(&self) -> PathBuf {
        self.root().join("public")
    }

    /// A built library of one post-mortem, `content/a.md` with id `INC-1`, title `A`, the
    /// given front matter lines and body.
    #[track_caller]
    pub fn one(front_matter: &str, body: &str) -> Self {
        SiteTest::new()
            .file("content/a.md", &toml_pm("INC-1", "A", front_matter, body))
            .build()
    }

    /// Writes a file (parents created), replacing any.
    pub fn file(self, path: &str, text: &str) -> Self {
        self.bytes(path, text.as_bytes())
    }

    pub fn bytes(self, path: &str, bytes: &[u8]) -> Self {
        let full = self.root().join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, bytes).unwrap();
        self
    }

    pub fn drafts(mut self) -> Self {
        self.drafts = true;
        self
    }

    pub fn restricted(mut self) -> Self {
        self.include_restricted = true;
        self
    }

    pub fn options(&self) -> BuildOptions {
        BuildOptions {
            root: self.root().to_path_buf(),
            output: self.public(),
            drafts: self.drafts,
            include_restricted: self.include_restricted,
            base_url: None,
            today: self.today,
            cache: true,
        }
    }

    /// Builds with the library API and returns the result.
    pub fn try_build(&self) -> pmsite::Result<BuildReport> {
        pmsite::build::build(&self.options())
    }

    /// Builds and fails the test on any error, printing the diagnostics.
    #[track_caller]
    pub fn build(self) -> Self {
        match self.try_build() {
            Ok(_) => self,
            Err(e) => panic!("build failed:\n{e}"),
        }
    }

    /// Builds, expecting it to fail with library diagnostics; returns them.
    #[track_caller]
    pub fn build_errors(&self) -> Vec<Diagnostic> {
        match self.try_build() {
            Ok(_) => panic!("build succeeded, expected errors"),
            Err(pmsite::Error::Invalid(d)) => d,
            Err(e) => panic!("expected library diagnostics, got: {e}"),
        }
    }

    /// A library whose authors made mistakes: `check` reports each as an error, and
    /// `build` still succeeds, with each as a warning of its post-mortem. Returns check's
    /// diagnostics.
    #[track_caller]
    pub fn authored_errors(&self) -> Vec<Diagnostic> {
        let checked = pmsite::build::check(self.root(), self.options().today)
            .unwrap_or_else(|e| panic!("check failed to run: {e}"));
        assert!(
            checked.iter().any(|d| d.is_error()),
            "check found no error: {:?}",
            lines(&checked)
        );
        let report = match self.try_build() {
            Ok(r) => r,
            Err(e) => panic!("one author's mistake failed the whole build:\n{e}"),
        };
        for error in checked.iter().filter(|d| d.is_error() && d.code != "link") {
            assert!(
                report.warnings.iter().any(|w| w.path == error.path
                    && w.line == error.line
                    && w.message == error.message),
                "check's error is not among the build's warnings: {error}\nwarnings: {:?}",
                lines(&report.warnings)
            );
        }
        checked
    }

    pub fn read(&self, path: &str) -> String {
        let full = self.public().join(path);
        std::fs::read_to_string(&full)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", full.display()))
    }

    pub fn exists(&self, path: &str) -> bool {
        self.public().join(path).exists()
    }

    #[track_caller]
    pub fn contains(&self, path: &str, needle: &str) -> &Self {
        let text = self.read(path);
        if !text.contains(needle) {
            panic!(
                "{path} does not contain {needle:?}\n--- {path} (first 3000 bytes) ---\n{}",
                &text[..text.len().min(3000)]
            );
        }
        self
    }

    #[track_caller]
    pub fn lacks(&self, path: &str, needle: &str) -> &Self {
        let text = self.read(path);
        if let Some(at) = text.find(needle) {
            let from = at.saturating_sub(200);
            panic!(
                "{path} contains {needle:?}:\n...{}...",
                &text[from..(at + 200).min(text.len())]
            );
        }
        self
    }

    /// `incidents.json` with its pages' incidents gathered under `incidents`, as a script
    /// reading the whole library sees it.
    pub fn json(&self) -> Value {
        let mut index: Value =
            serde_json::from_str(&self.read("incidents.json")).expect("incidents.json parses");
        let mut all = Vec::new();
        for page in index["pages"]
            .as_array()
            .expect("incidents.json lists its pages")
        {
            let url = page["url"].as_str().unwrap();
            // The page's file, whatever base_url the site was built with.
            let path = &url[url.rfind("incidents/pages/").expect("a page URL")..];
            let page: Value = serde_json::from_str(&self.read(path)).expect("a page parses");
            all.extend(page["incidents"].as_array().unwrap().iter().cloned());
        }
        index["incidents"] = Value::Array(all);
        index
    }

    /// One incident of `incidents.json` by id.
    #[track_caller]
    pub fn incident(&self, id: &str) -> Value {
        let json = self.json();
        json["incidents"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["id"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("no incident {id} in incidents.json; ids: {:?}", ids(&json)))
    }

    /// Runs the real binary in the library's folder.
    pub fn cli(&self, args: &[&str]) -> Cli {
        let out = Command::new(env!("CARGO_BIN_EXE_pmsite"))
            .args(args)
            .current_dir(self.root())
            .output()
            .expect("run pmsite");
        Cli {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

pub fn ids(json: &Value) -> Vec<String> {
    json["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap_or("").to_string())
        .collect()
}

/// The diagnostics printed as `file:line: level: message`.
pub fn lines(diags: &[Diagnostic]) -> Vec<String> {
    diags.iter().map(ToString::to_string).collect()
}

/// Asserts that one diagnostic is at `prefix` (`content/a.md:3: error`, `content/a.md:3`,
/// `content/a.md:3:7: warning`: path, line, and column and level where given) and mentions
/// `words` in its message or code.
#[track_caller]
pub fn assert_diag(diags: &[Diagnostic], prefix: &str, words: &str) {
    let (place, level) = match prefix.rsplit_once(": ") {
        Some((place, level)) if level == "error" || level == "warning" => (place, Some(level)),
        _ => (prefix.trim_end_matches(':'), None),
    };
    let mut parts = place.split(':');
    let path = parts.next().unwrap_or("");
    let line: Option<usize> = parts.next().and_then(|l| l.parse().ok());
    let column: Option<usize> = parts.next().and_then(|c| c.parse().ok());
    let found = diags.iter().any(|d| {
        d.path.to_string_lossy() == path
            && line.is_none_or(|l| d.line == l)
            && column.is_none_or(|c| d.column == c)
            && level.is_none_or(|l| d.level.as_str() == l)
            && (d.message.contains(words) || d.to_string().contains(words))
    });
    assert!(
        found,
        "no diagnostic at {prefix:?} mentioning {words:?}; got:\n{}",
        lines(diags).join("\n")
    );
}

/// A post-mortem with TOML front matter; `extra` lines go inside the front matter.
pub fn toml_pm(id: &str, title: &str, extra: &str, body: &str) -> String {
    format!("+++\ntitle = \"{title}\"\nid = \"{id}\"\n{extra}\n+++\n{body}")
}

/// The library loaded as the preview loads it (drafts shown), for tests of the output plan.
pub fn load_with_drafts(t: &SiteTest) -> pmsite::build::Loaded {
    let selection = pmsite::library::Selection {
        drafts: true,
        include_restricted: false,
        today: t.today,
        strict_links: false,
    };
    pmsite::build::load(t.root(), None, selection).unwrap()
}

/// The output plan of a loaded library with drafts, without caches.
pub fn site_of<'a>(
    loaded: &'a pmsite::build::Loaded,
    theme: &'a pmsite::render::theme::Theme,
    rows: &'a pmsite::render::RowCache,
) -> pmsite::render::Site<'a> {
    pmsite::render::Site {
        lib: &loaded.library,
        config: &loaded.config,
        theme,
        drafts: true,
        generated: "2026-11-24T00:00:00Z".into(),
        on_page: &|| {},
        memo: None,
        search_memo: None,
        rows,
    }
}

/// The example library that ships in the repository (`pmsite.toml`, `taxonomy.toml`,
/// `content/`, `catalog/`), copied into a temp dir.
pub fn example_library() -> SiteTest {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut t = SiteTest::new();
    for file in ["pmsite.toml", "taxonomy.toml"] {
        t = t.bytes(file, &std::fs::read(repo.join(file)).unwrap());
    }
    for entry in ["content", "catalog"]
        .into_iter()
        .flat_map(|dir| walkdir::WalkDir::new(repo.join(dir)))
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_file())
    {
        let rel = entry
            .path()
            .strip_prefix(repo)
            .unwrap()
            .to_string_lossy()
            .to_string();
        t = t.bytes(&rel, &std::fs::read(entry.path()).unwrap());
    }
    t
}

//! The publishing files parse and do what the README says.

use std::path::Path;

fn repo(path: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path))
        .unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn github_workflow_checks_prs_builds_main_and_sends_the_digest() {
    let workflow: serde_yaml::Value =
        serde_yaml::from_str(&repo(".github/workflows/incidents.yml")).expect("workflow is YAML");
    // YAML reads the key `on` as the boolean true.
    let on = workflow
        .get("on")
        .or_else(|| workflow.get(serde_yaml::Value::Bool(true)))
        .expect("triggers");
    assert!(on.get("pull_request").is_some() && on.get("schedule").is_some());
    assert_eq!(on["push"]["branches"][0], "main");
    let jobs = &workflow["jobs"];
    let steps = |job: &str| -> String { serde_yaml::to_string(&jobs[job]["steps"]).unwrap() };
    assert_eq!(jobs["check"]["if"], "github.event_name == 'pull_request'");
    assert!(
        steps("check").contains("uses: ./")
            && steps("check").contains("command: check --format github")
    );
    assert!(steps("build").contains("command: build --base-url"));
    assert!(steps("build").contains("actions/upload-pages-artifact"));
    assert_eq!(jobs["deploy"]["needs"], "build");
    assert!(steps("deploy").contains("actions/deploy-pages"));
    assert_eq!(jobs["digest"]["if"], "github.event_name == 'schedule'");
    assert!(
        steps("digest").contains("command: digest --since last")
            && steps("digest").contains("PMSITE_SMTP_PASSWORD")
    );
}

#[test]
fn netlify_builds_on_merge_with_previews_and_cors() {
    let netlify: toml::Table = toml::from_str(&repo("netlify.toml")).expect("netlify.toml is TOML");
    assert_eq!(netlify["build"]["publish"].as_str(), Some("public"));
    assert!(
        netlify["build"]["command"]
            .as_str()
            .unwrap()
            .contains("cargo run --release -- build --base-url \"$URL\"")
    );
    let preview = netlify["context"]["deploy-preview"]["command"]
        .as_str()
        .unwrap();
    assert!(preview.contains("--drafts") && preview.contains("$DEPLOY_PRIME_URL"));
    let headers = netlify["headers"].as_array().unwrap();
    let json = headers
        .iter()
        .find(|h| h["for"].as_str() == Some("/incidents.json"))
        .expect("incidents.json headers");
    assert_eq!(
        json["values"]["Access-Control-Allow-Origin"].as_str(),
        Some("*")
    );
}

/// The composite action's inputs, and its shell steps run for real against a copy of the
/// example library, with the binary this test was built with on PATH (so the install step
/// finds it and installs nothing).
#[test]
fn the_action_runs_its_steps_against_the_example_library() {
    let action: serde_yaml::Value =
        serde_yaml::from_str(&repo("action.yml")).expect("action.yml is YAML");
    assert_eq!(action["runs"]["using"], "composite");
    let inputs = &action["inputs"];
    assert_eq!(inputs["command"]["default"], "check --format github");
    assert_eq!(inputs["root"]["default"], ".");
    let lib = tempfile::tempdir().unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::copy(src.join("pmsite.toml"), lib.path().join("pmsite.toml")).unwrap();
    copy_dir(&src.join("content"), &lib.path().join("content"));
    copy_dir(&src.join("catalog"), &lib.path().join("catalog"));
    std::fs::copy(src.join("taxonomy.toml"), lib.path().join("taxonomy.toml")).unwrap();
    let bin = Path::new(env!("CARGO_BIN_EXE_pmsite"))
        .parent()
        .unwrap()
        .to_path_buf();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let run = |command: &str| -> (i32, String) {
        let mut output = String::new();
        let mut code = 0;
        for step in action["runs"]["steps"].as_sequence().unwrap() {
            let Some(script) = step["run"].as_str() else {
                continue;
            };
            let mut child = std::process::Command::new("bash");
            child
                .arg("-c")
                .arg(script)
                .current_dir(lib.path())
                .env("PATH", &path);
            for (k, v) in step["env"].as_mapping().into_iter().flatten() {
                let value = v
                    .as_str()
                    .unwrap()
                    .replace("${{ inputs.command }}", command)
                    .replace("${{ inputs.root }}", ".")
                    .replace("${{ inputs.version }}", "source")
                    .replace("${{ github.action_path }}", src.to_str().unwrap());
                child.env(k.as_str().unwrap(), value);
            }
            let out = child.output().unwrap();
            output.push_str(&String::from_utf8_lossy(&out.stdout));
            output.push_str(&String::from_utf8_lossy(&out.stderr));
            code = out.status.code().unwrap_or(-1);
            if code != 0 {
                break;
            }
        }
        (code, output)
    };
    let (code, out) = run("check --format github");
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("pmsite is installed: pmsite 0.1.0 (commit"),
        "{out}"
    );
    assert!(out.contains("checked 8 post-mortems: 0 errors"), "{out}");
    let (code, out) = run("build --base-url https://incidents.example.com");
    assert_eq!(code, 0, "{out}");
    assert!(
        lib.path()
            .join("public/incidents/inc-2024-017/index.html")
            .exists(),
        "{out}"
    );
    // The command is words, never shell: a `;` stays an argument.
    let (code, out) = run("check; touch pwned");
    assert_ne!(code, 0, "{out}");
    assert!(!lib.path().join("pwned").exists());
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        let dest = to.join(p.file_name().unwrap());
        if p.is_dir() {
            copy_dir(&p, &dest);
        } else {
            std::fs::copy(&p, &dest).unwrap();
        }
    }
}

#[test]
fn the_gitlab_template_checks_builds_pages_and_sends_the_digest() {
    let ci: serde_yaml::Value = serde_yaml::from_str(&repo("ci/gitlab-ci.yml")).expect("YAML");
    let script = |job: &str| serde_yaml::to_string(&ci[job]["script"]).unwrap();
    assert!(script("pmsite-check").contains("pmsite check"));
    assert!(script("pages").contains("pmsite build --base-url \"$CI_PAGES_URL\" -o public"));
    assert_eq!(ci["pages"]["artifacts"]["paths"][0], "public");
    assert!(script("pmsite-digest").contains("pmsite digest --since last"));
}

/// The release workflow cannot run here; its matrix and artifact names are what the README
/// says.
#[test]
fn the_release_workflow_builds_every_platform_with_checksums() {
    let wf: serde_yaml::Value =
        serde_yaml::from_str(&repo(".github/workflows/release.yml")).expect("YAML");
    let on = wf
        .get("on")
        .or_else(|| wf.get(serde_yaml::Value::Bool(true)))
        .unwrap();
    assert_eq!(on["push"]["tags"][0], "v*");
    let targets: Vec<&str> = wf["jobs"]["build"]["strategy"]["matrix"]["include"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|t| t["target"].as_str().unwrap())
        .collect();
    assert_eq!(
        targets,
        [
            "x86_64-unknown-linux-musl",
            "aarch64-unknown-linux-musl",
            "x86_64-apple-darwin",
            "aarch64-apple-darwin",
            "x86_64-pc-windows-msvc"
        ]
    );
    let text = repo(".github/workflows/release.yml");
    assert!(text.contains("NAME: pmsite-${{ github.ref_name }}-${{ matrix.target }}"));
    assert!(text.contains("${{ env.NAME }}.sha256"));
    assert!(repo("README.md").contains("pmsite-<tag>-<target>.tar.gz"));
}

/// What the crate ships: the code and the theme it compiles in, not the example library,
/// tests or benchmarks.
#[test]
fn the_crate_ships_the_code_and_the_theme_only() {
    let out = std::process::Command::new(env!("CARGO"))
        .args(["package", "--list", "--allow-dirty"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo package --list");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let list = String::from_utf8_lossy(&out.stdout);
    let files: Vec<&str> = list.lines().collect();
    for needed in [
        "Cargo.toml",
        "README.md",
        "LICENSE",
        "build.rs",
        "src/main.rs",
        "src/scaffold/example.md",
        "themes/default/templates/base.html",
        "themes/default/static/style.css",
    ] {
        assert!(
            files.contains(&needed),
            "{needed} is not packaged: {files:?}"
        );
    }
    for file in &files {
        assert!(
            !file.starts_with("content/")
                && !file.starts_with("tests/")
                && !file.starts_with("bench/")
                && !file.starts_with(".github/")
                && !file.starts_with("examples/"),
            "{file} should not ship"
        );
    }
    let manifest: toml::Table = toml::from_str(&repo("Cargo.toml")).unwrap();
    let package = &manifest["package"];
    for key in [
        "description",
        "license",
        "repository",
        "readme",
        "keywords",
        "categories",
    ] {
        assert!(package.get(key).is_some(), "package.{key} is missing");
    }
    assert_eq!(package["rust-version"].as_str(), Some("1.95"));
}

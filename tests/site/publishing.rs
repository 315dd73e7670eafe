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
    assert!(steps("check").contains("-- check"));
    assert!(steps("build").contains("-- build --base-url"));
    assert!(steps("build").contains("actions/upload-pages-artifact"));
    assert_eq!(jobs["deploy"]["needs"], "build");
    assert!(steps("deploy").contains("actions/deploy-pages"));
    assert_eq!(jobs["digest"]["if"], "github.event_name == 'schedule'");
    assert!(
        steps("digest").contains("-- digest --since last")
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

//! The pipeline runs one way, and this test keeps it so: every `crate::` path in a module's
//! files must name a module that module may use. The table is the README's "Layout": a stage
//! uses the stages before it and the foundations, never one after it.

use std::collections::BTreeMap;
use std::path::Path;

/// Below every stage: text, URLs, dates, errors, Markdown.
const FOUNDATIONS: &[&str] = &[
    "error",
    "diagnostics",
    "escape",
    "urls",
    "dates",
    "markdown",
    "cache",
];

/// What each top-level module may use besides itself and (for stages) the foundations.
fn allowed() -> BTreeMap<&'static str, Vec<&'static str>> {
    let stage = |extra: &[&'static str]| {
        let mut v: Vec<&'static str> = FOUNDATIONS.to_vec();
        v.extend_from_slice(extra);
        v
    };
    BTreeMap::from([
        ("escape", vec![]),
        ("urls", vec![]),
        ("dates", vec![]),
        ("markdown", vec![]),
        ("cache", vec![]),
        ("diagnostics", vec!["escape"]),
        ("error", vec!["diagnostics", "escape"]),
        ("vocabulary", stage(&[])),
        ("config", stage(&["vocabulary"])),
        ("content", stage(&["config", "vocabulary"])),
        ("routes", stage(&["config", "vocabulary", "content"])),
        (
            "library",
            stage(&["config", "vocabulary", "content", "routes"]),
        ),
        (
            "search",
            stage(&["config", "vocabulary", "content", "routes", "library"]),
        ),
        (
            "feeds",
            stage(&["config", "vocabulary", "content", "routes", "library"]),
        ),
        ("output", stage(&[])),
        (
            "render",
            stage(&[
                "config",
                "vocabulary",
                "content",
                "routes",
                "library",
                "search",
                "feeds",
                "output",
            ]),
        ),
        (
            "check",
            stage(&["config", "vocabulary", "content", "routes", "library"]),
        ),
        (
            "build",
            stage(&[
                "config",
                "vocabulary",
                "content",
                "routes",
                "library",
                "search",
                "render",
                "output",
                "check",
            ]),
        ),
        (
            "digest",
            stage(&[
                "config",
                "vocabulary",
                "content",
                "routes",
                "library",
                "render",
                "output",
                "build",
            ]),
        ),
        (
            "similar",
            stage(&[
                "config",
                "vocabulary",
                "content",
                "routes",
                "library",
                "search",
                "build",
            ]),
        ),
        (
            "tickets",
            stage(&[
                "config",
                "vocabulary",
                "content",
                "routes",
                "library",
                "output",
                "build",
            ]),
        ),
        (
            "wiki",
            stage(&[
                "config",
                "vocabulary",
                "content",
                "routes",
                "library",
                "render",
                "output",
                "build",
            ]),
        ),
        (
            "scaffold",
            stage(&["config", "vocabulary", "content", "output"]),
        ),
        (
            "serve",
            stage(&[
                "config",
                "vocabulary",
                "content",
                "routes",
                "library",
                "search",
                "render",
                "output",
                "build",
            ]),
        ),
        (
            "cli",
            stage(&[
                "config",
                "vocabulary",
                "content",
                "routes",
                "library",
                "search",
                "render",
                "output",
                "build",
                "check",
                "digest",
                "scaffold",
                "serve",
                "similar",
                "tickets",
                "wiki",
            ]),
        ),
    ])
}

/// Macros defined at the crate root, usable everywhere.
const ROOT_MACROS: &[&str] = &["outln", "out", "errln", "Error", "Result"];

fn module_of(path: &Path, src: &Path) -> String {
    let rel = path.strip_prefix(src).unwrap();
    let first = rel
        .components()
        .next()
        .unwrap()
        .as_os_str()
        .to_string_lossy();
    first.trim_end_matches(".rs").to_string()
}

/// Every module a file names with `crate::x`, including inside `use crate::{x, y}` groups.
fn used_modules(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (at, _) in text.match_indices("crate::") {
        let rest = &text[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let group = &group[..group.find('}').unwrap_or(group.len())];
            for item in group.split(',') {
                let name: String = item
                    .trim()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    out.push(name);
                }
            }
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            out.push(name);
        }
    }
    out
}

#[test]
fn every_module_uses_only_the_stages_before_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let allowed = allowed();
    let mut broken = Vec::new();
    let mut stack = vec![src.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let module = module_of(&path, &src);
            if module == "lib" || module == "main" {
                continue;
            }
            let may = allowed
                .get(module.as_str())
                .unwrap_or_else(|| panic!("module `{module}` is not in the layer table"));
            let text = std::fs::read_to_string(&path).unwrap();
            for used in used_modules(&text) {
                if used != module
                    && !may.contains(&used.as_str())
                    && !ROOT_MACROS.contains(&used.as_str())
                {
                    broken.push(format!(
                        "{} uses crate::{used}",
                        path.strip_prefix(&src).unwrap().display()
                    ));
                }
            }
        }
    }
    broken.sort();
    broken.dedup();
    assert!(
        broken.is_empty(),
        "uses against the pipeline's direction:\n{}",
        broken.join("\n")
    );
}

/// The guard itself reads `use` groups and paths.
#[test]
fn the_guard_reads_paths_and_groups() {
    assert_eq!(
        used_modules("use crate::{config, library::terms};\nlet x = crate::render::views::f();"),
        vec!["config", "library", "render"]
    );
}

//! Backstage catalog files, the way teams already describe their services: each
//! `kind: Component` gives a component's owner, tier, lifecycle, system, description,
//! source repository and runbook; `kind: Group` a team and its address; `kind: User` a
//! team's members. Every other kind and every field pmsite does not read are ignored.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_yaml::Value;

use super::{ComponentInfo, Team, person_key};
use crate::diagnostics::Diagnostic;

/// What the catalog gave, and what could not be read: a file that is not YAML is an error
/// `check` fails on and `build` reports, and the rest of the catalog is used.
#[derive(Default)]
pub struct Read {
    pub components: Vec<(String, ComponentInfo)>,
    pub teams: Vec<Team>,
    /// Per team name, the members `kind: User` entries name.
    pub members: Vec<(String, String)>,
    pub reported: Vec<Diagnostic>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Entity {
    kind: String,
    metadata: Metadata,
    spec: serde_yaml::Mapping,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Metadata {
    name: String,
    description: Option<String>,
    annotations: std::collections::BTreeMap<String, Value>,
    links: Vec<Link>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Link {
    url: String,
    title: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
}

/// Reads one catalog file, or every `.yaml` / `.yml` file under a folder, in path order.
pub fn read(root: &Path, place: &Path, tier_annotation: &str) -> Result<Read, Diagnostic> {
    let full = root.join(place);
    let mut files: Vec<PathBuf> = if full.is_dir() {
        walkdir::WalkDir::new(&full)
            .sort_by_file_name()
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
            .map(|e| e.into_path())
            .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
            .collect()
    } else if full.is_file() {
        vec![full.clone()]
    } else {
        return Err(Diagnostic::error(
            "pmsite.toml",
            0,
            format!(
                "[taxonomy] catalog names `{}`, which is neither a file nor a folder: write the path of catalog-info.yaml or of a folder of catalog files, relative to the library",
                place.display()
            ),
        )
        .code("config"));
    };
    files.sort();
    let mut read = Read::default();
    for file in files {
        let rel = file.strip_prefix(root).unwrap_or(&file).to_path_buf();
        let text = match std::fs::read_to_string(&file) {
            Ok(t) => t,
            Err(e) => {
                read.reported
                    .push(Diagnostic::error(&rel, 0, format!("cannot read: {e}")).code("catalog"));
                continue;
            }
        };
        read_file(&text, &rel, tier_annotation, &mut read);
    }
    Ok(read)
}

/// The lines each `---`-separated document starts on (1-based).
fn document_starts(text: &str) -> Vec<usize> {
    let mut starts = vec![1];
    for (i, line) in text.lines().enumerate() {
        if line.trim_end() == "---" && i > 0 {
            starts.push(i + 2);
        }
    }
    starts
}

fn read_file(text: &str, rel: &Path, tier_annotation: &str, read: &mut Read) {
    let starts = document_starts(text);
    let mut docs = 0;
    for (n, doc) in serde_yaml::Deserializer::from_str(text).enumerate() {
        let value = match Value::deserialize(doc) {
            Ok(v) => v,
            Err(e) => {
                let line = e.location().map_or(0, |l| l.line());
                read.reported.push(
                    Diagnostic::error(
                        rel,
                        line,
                        format!(
                            "is not a YAML catalog file ({}): fix it, or leave it out of [taxonomy] catalog; its components are not read",
                            e.to_string().split(" at line").next().unwrap_or_default()
                        ),
                    )
                    .code("catalog"),
                );
                return;
            }
        };
        docs += 1;
        if value.is_null() {
            continue;
        }
        let start = starts.get(n).copied().unwrap_or(1);
        let line_of = |key: &str| {
            text.lines()
                .enumerate()
                .skip(start - 1)
                .find(|(_, l)| l.trim_start().starts_with(&format!("{key}:")))
                .map_or(start, |(i, _)| i + 1)
        };
        let entity: Entity = match serde_yaml::from_value(value) {
            Ok(e) => e,
            Err(e) => {
                read.reported.push(
                    Diagnostic::warning(
                        rel,
                        start,
                        format!("a catalog entry pmsite cannot read ({e}); it is left out"),
                    )
                    .code("catalog"),
                );
                continue;
            }
        };
        let name = entity.metadata.name.trim().to_string();
        match entity.kind.as_str() {
            "Component" | "Resource" | "System" if name.is_empty() => {
                read.reported.push(
                    Diagnostic::warning(
                        rel,
                        start,
                        format!(
                            "a `kind: {}` entry without metadata.name is left out",
                            entity.kind
                        ),
                    )
                    .code("catalog"),
                );
            }
            "Component" => {
                let spec = |key: &str| entity.spec.get(key).and_then(text_of);
                let owner = spec("owner").map(|o| {
                    let (team, known) = owner_name(&o);
                    if !known {
                        read.reported.push(Diagnostic::warning(rel, line_of("owner"), format!("spec.owner `{o}` of `{name}` is not a Backstage reference (`group:default/payments`, `payments`): it is used as the team's name as written")).code("catalog"));
                    }
                    team
                });
                let annotation = |key: &str| entity.metadata.annotations.get(key).and_then(text_of);
                let repo = annotation("backstage.io/source-location")
                    .map(|s| s.trim_start_matches("url:").to_string())
                    .or_else(|| {
                        annotation("github.com/project-slug")
                            .map(|s| format!("https://github.com/{s}"))
                    });
                let runbook = entity
                    .metadata
                    .links
                    .iter()
                    .find(|l| {
                        [&l.title, &l.kind]
                            .into_iter()
                            .flatten()
                            .any(|t| t.to_lowercase().contains("runbook"))
                    })
                    .map(|l| l.url.clone());
                let safe = |url: Option<String>, what: &str, read: &mut Read| {
                    let url = url?;
                    match crate::urls::refusal(&url, crate::urls::Use::Link) {
                        None => Some(url),
                        Some(why) => {
                            read.reported.push(
                                Diagnostic::warning(
                                    rel,
                                    line_of("name"),
                                    format!(
                                        "the {what} of `{name}` is refused ({why}) and left out"
                                    ),
                                )
                                .code("catalog"),
                            );
                            None
                        }
                    }
                };
                let repo = safe(repo, "repository", read);
                let runbook = safe(runbook, "runbook", read);
                read.components.push((
                    name,
                    ComponentInfo {
                        owner,
                        tier: annotation(tier_annotation).or_else(|| spec("tier")),
                        description: entity.metadata.description.clone(),
                        repo,
                        runbook,
                        lifecycle: spec("lifecycle"),
                        system: spec("system").map(|s| owner_name(&s).0),
                    },
                ));
            }
            "Group" if !name.is_empty() => {
                let email = entity
                    .spec
                    .get("profile")
                    .and_then(|p| p.get("email"))
                    .and_then(text_of);
                read.teams.push(Team {
                    name,
                    description: entity.metadata.description.clone(),
                    members: Vec::new(),
                    email,
                });
            }
            "User" if !name.is_empty() => {
                if let Some(Value::Sequence(groups)) = entity.spec.get("memberOf") {
                    for g in groups.iter().filter_map(text_of) {
                        read.members.push((owner_name(&g).0, person_key(&name)));
                    }
                }
            }
            _ => {}
        }
    }
    if docs == 0 && !text.trim().is_empty() {
        read.reported.push(
            Diagnostic::error(
                rel,
                1,
                "is not a YAML catalog file: fix it, or leave it out of [taxonomy] catalog",
            )
            .code("catalog"),
        );
    }
}

fn text_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// `group:default/payments`, `group:payments`, `default/payments` and `payments` are the team
/// `payments`; whether the reference had a form Backstage writes.
fn owner_name(reference: &str) -> (String, bool) {
    let r = reference.trim();
    let rest = match r.split_once(':') {
        Some((kind, rest)) if kind.chars().all(|c| c.is_ascii_alphabetic()) => rest,
        Some(_) => return (r.to_string(), false),
        None => r,
    };
    let name = rest.rsplit('/').next().unwrap_or(rest);
    let known = !name.is_empty()
        && rest.matches('/').count() <= 1
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
    if known {
        (name.to_string(), true)
    } else {
        (r.to_string(), false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owner_references_name_their_team() {
        assert_eq!(
            owner_name("group:default/payments"),
            ("payments".into(), true)
        );
        assert_eq!(owner_name("payments"), ("payments".into(), true));
        assert_eq!(owner_name("default/payments"), ("payments".into(), true));
        assert!(!owner_name("Payments Team <p@x>").1);
    }

    #[test]
    fn a_file_that_is_not_yaml_is_an_error_at_its_line() {
        let mut read = Read::default();
        read_file(
            "kind: Component\nmetadata:\n  name: a\n   bad: [\n",
            Path::new("catalog/x.yaml"),
            "pmsite/tier",
            &mut read,
        );
        assert_eq!(read.reported.len(), 1);
        let d = &read.reported[0];
        assert!(d.is_error() && d.line > 0, "{d}");
        assert!(d.message.contains("not a YAML catalog file"), "{d}");
    }
}

//! What a written value means: status words, visibility, and severities normalised to the
//! configured scale (`SEV-1`, `sev1` and `1` are all `SEV1`).

use super::ParseSettings;
use super::model::{Status, Visibility};
use crate::diagnostics::Diagnostic;

pub(super) fn status_of(
    written: Option<&(String, usize)>,
    wiki: Option<Status>,
    problems: &mut Vec<Diagnostic>,
) -> Status {
    match (written, wiki) {
        (_, Some(s)) => s,
        (Some((s, line)), None) => match s.to_ascii_lowercase().as_str() {
            "draft" => Status::Draft,
            "review" | "in review" | "in-review" => Status::Review,
            "published" => Status::Published,
            _ => {
                problems.push(
                    Diagnostic::at(
                        *line,
                        format!("unknown status `{s}`: use \"draft\", \"review\" or \"published\""),
                    )
                    .code("status"),
                );
                Status::Published
            }
        },
        (None, None) => Status::Published,
    }
}

/// An unknown visibility is restricted: when in doubt, a post-mortem is not shown.
pub(super) fn visibility_of(
    written: Option<&(String, usize)>,
    problems: &mut Vec<Diagnostic>,
) -> Visibility {
    match written {
        None => Visibility::Internal,
        Some((v, line)) => match v.to_ascii_lowercase().as_str() {
            "internal" => Visibility::Internal,
            "restricted" => Visibility::Restricted,
            _ => {
                problems.push(
                    Diagnostic::at(
                        *line,
                        format!("unknown visibility `{v}`: use \"internal\" or \"restricted\""),
                    )
                    .code("visibility"),
                );
                Visibility::Restricted
            }
        },
    }
}

/// The level of the scale a written severity means: `SEV-1`, `1`, or a word for a level
/// (`Major`, `P1`, `[severities] aliases`), or the first such word in a longer value
/// (`Sev 2 (major)`). An unknown one is a warning: the page is built without a severity.
pub(super) fn severity_of(
    written: Option<&(String, usize)>,
    settings: &ParseSettings,
    problems: &mut Vec<Diagnostic>,
) -> Option<String> {
    written.and_then(|(s, line)| {
        let normal = read_severity(s, settings);
        if normal.is_none() {
            problems.push(
                Diagnostic::warning_at(
                    *line,
                    format!(
                        "unknown severity `{s}`: the scale in pmsite.toml is {}; name other words for its levels under [severities] aliases",
                        settings.severities.join(", ")
                    ),
                )
                .code("severity"),
            );
        }
        normal
    })
}

fn read_severity(raw: &str, settings: &ParseSettings) -> Option<String> {
    let alias = |w: &str| {
        settings
            .severity_aliases
            .get(&w.trim().to_lowercase())
            .cloned()
    };
    normalise_severity(raw, &settings.severities)
        .or_else(|| alias(raw))
        .or_else(|| {
            let words: Vec<&str> = raw
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .collect();
            // `Sev 2`, `SEV 1 - Critical`: a pair first, then each word.
            words
                .windows(2)
                .find_map(|p| {
                    normalise_severity(&format!("{}{}", p[0], p[1]), &settings.severities)
                })
                .or_else(|| {
                    words.iter().find_map(|w| {
                        alias(w).or_else(|| {
                            (!w.chars().all(|c| c.is_ascii_digit()))
                                .then(|| normalise_severity(w, &settings.severities))
                                .flatten()
                        })
                    })
                })
        })
}

/// `SEV-1`, `sev1`, `Sev 1` and `1` are all `SEV1` on a scale that has `SEV1`.
pub fn normalise_severity(raw: &str, scale: &[String]) -> Option<String> {
    let key = |s: &str| {
        s.chars()
            .filter(|c| c.is_alphanumeric())
            .collect::<String>()
            .to_lowercase()
    };
    let wanted = key(raw);
    if wanted.is_empty() {
        return None;
    }
    if let Some(s) = scale.iter().find(|s| key(s) == wanted) {
        return Some(s.clone());
    }
    if wanted.chars().all(|c| c.is_ascii_digit()) {
        let digits = |s: &str| s.chars().filter(|c| c.is_ascii_digit()).collect::<String>();
        let matches: Vec<_> = scale.iter().filter(|s| digits(s) == wanted).collect();
        if let [one] = matches.as_slice() {
            return Some((*one).clone());
        }
    }
    None
}

/// The incident type a written `type` names; an unknown one is a warning, read as the
/// default type, its words kept under `extra` (a Hugo page's `type: post` is not lost).
pub(super) fn type_of(
    written: Option<&(String, usize)>,
    settings: &ParseSettings,
    extra: &mut serde_json::Map<String, serde_json::Value>,
    problems: &mut Vec<Diagnostic>,
) -> String {
    use crate::vocabulary::types::DEFAULT_TYPE;
    let Some((t, line)) = written else {
        return DEFAULT_TYPE.to_string();
    };
    match settings.types.find(t) {
        Some(info) => info.name,
        None => {
            problems.push(
                Diagnostic::warning_at(
                    *line,
                    format!(
                        "unknown incident type `{t}`: the types are {}; it is read as `{DEFAULT_TYPE}` (declare it under [types] in pmsite.toml)",
                        settings.types.names().join(", ")
                    ),
                )
                .code("type"),
            );
            extra.insert("type".into(), serde_json::Value::String(t.clone()));
            DEFAULT_TYPE.to_string()
        }
    }
}

/// Folds each term into the one the vocabulary declares for it (`pg` → `postgres`), once
/// each; with a vocabulary for the list, an undeclared term is a warning naming the nearest
/// declared one. Without one, the terms are as written.
pub(super) fn fold_terms(
    terms: Vec<String>,
    list: &crate::vocabulary::TermList,
    what: &str,
    line: usize,
    problems: &mut Vec<Diagnostic>,
) -> Vec<String> {
    if list.is_empty() {
        return terms;
    }
    let mut out: Vec<String> = Vec::with_capacity(terms.len());
    for term in terms {
        let name = match list.find(&term) {
            Some(d) => d.name.clone(),
            None => {
                let hint = list
                    .nearest(&term)
                    .map(|n| format!(" (did you mean `{n}`?)"))
                    .unwrap_or_default();
                problems.push(
                    Diagnostic::warning_at(
                        line.max(1),
                        format!("{what} `{term}` is not in the vocabulary{hint}: use a declared one, or declare it in taxonomy.toml"),
                    )
                    .code("undeclared-term"),
                );
                term
            }
        };
        if !out.contains(&name) {
            out.push(name);
        }
    }
    out
}

//! Incident types (`type = "near-miss"`): what kind of event a post-mortem is about, and
//! whether it counts in the library's metrics. A game day or a near miss is listed,
//! searched and learnt from, but left out of durations, patterns, trends and the digest's
//! counts, which would otherwise say the service got worse for every drill run.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The type a post-mortem is when it names none.
pub const DEFAULT_TYPE: &str = "incident";

/// pmsite's own types: name, title, counted in metrics.
const BUILT_IN: &[(&str, &str, bool)] = &[
    ("incident", "Incident", true),
    ("near-miss", "Near miss", false),
    ("gameday", "Game day", false),
    ("maintenance", "Maintenance", false),
    ("security", "Security incident", true),
];

/// One type as `[types.<name>]` declares it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TypeConfig {
    /// Whether its incidents count in durations, patterns, trends and the digest's counts.
    pub metrics: bool,
    /// How pages name it ("Game day"); the name with its first letter capitalised when
    /// not given.
    #[serde(default)]
    pub title: Option<String>,
}

/// The types a library knows: pmsite's, then `[types]` in `pmsite.toml` (which may also
/// change a built-in type's `metrics`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct IncidentTypes {
    declared: BTreeMap<String, TypeConfig>,
}

/// A type as pages show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TypeInfo {
    pub name: String,
    pub title: String,
    pub metrics: bool,
}

impl<'de> Deserialize<'de> for IncidentTypes {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let declared = BTreeMap::<String, TypeConfig>::deserialize(d)?
            .into_iter()
            .map(|(k, v)| (k.to_lowercase(), v))
            .collect();
        Ok(IncidentTypes { declared })
    }
}

impl IncidentTypes {
    /// The type a written value names (`Near miss`, `near_miss`, `GameDay` → its name), if
    /// the library knows it.
    pub fn find(&self, written: &str) -> Option<TypeInfo> {
        let key = normalise(written);
        if let Some((name, c)) = self.declared.iter().find(|(n, _)| normalise(n) == key) {
            let built_in = BUILT_IN.iter().find(|(n, _, _)| normalise(n) == key);
            return Some(TypeInfo {
                name: name.clone(),
                title: c
                    .title
                    .clone()
                    .or(built_in.map(|b| b.1.to_string()))
                    .unwrap_or_else(|| capitalise(name)),
                metrics: c.metrics,
            });
        }
        BUILT_IN
            .iter()
            .find(|(n, _, _)| normalise(n) == key)
            .map(|(n, t, m)| TypeInfo {
                name: n.to_string(),
                title: t.to_string(),
                metrics: *m,
            })
    }

    /// A known type's facts; the default type's for one the library does not know.
    pub fn info(&self, name: &str) -> TypeInfo {
        self.find(name)
            .or_else(|| self.find(DEFAULT_TYPE))
            .unwrap_or(TypeInfo {
                name: DEFAULT_TYPE.into(),
                title: "Incident".into(),
                metrics: true,
            })
    }

    /// Every known type's name, pmsite's first, for messages.
    pub fn names(&self) -> Vec<String> {
        let mut out: Vec<String> = BUILT_IN.iter().map(|b| b.0.to_string()).collect();
        for n in self.declared.keys() {
            if !out.iter().any(|o| normalise(o) == normalise(n)) {
                out.push(n.clone());
            }
        }
        out
    }
}

/// `Near miss`, `near_miss` and `near-miss` are one type.
fn normalise(s: &str) -> String {
    s.trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect()
}

fn capitalise(s: &str) -> String {
    let s = s.replace(['-', '_'], " ");
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_and_declared_types() {
        let t: IncidentTypes =
            toml::from_str("[drill]\nmetrics = false\n\n[near-miss]\nmetrics = true\n").unwrap();
        assert_eq!(t.find("Near miss").unwrap().name, "near-miss");
        assert!(
            t.find("near_miss").unwrap().metrics,
            "the config may count near misses"
        );
        assert!(!t.find("GameDay").unwrap().metrics);
        assert_eq!(t.find("drill").unwrap().title, "Drill");
        assert!(t.find("posts").is_none());
        assert_eq!(t.info("posts").name, "incident");
        assert!(t.names().contains(&"drill".to_string()));
    }
}

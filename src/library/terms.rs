//! Taxonomies: components, tags, root causes and severities, each term with its incidents.
//! Slugs are stable and Unicode-safe; two spellings that slug alike share one page.

use std::collections::HashMap;

use rustc_hash::FxHashMap;

use serde::Serialize;

use crate::content::model::Incident;
use crate::diagnostics::Diagnostic;

pub use crate::content::model::Taxonomy;

#[derive(Debug, Clone, Serialize)]
pub struct Term {
    /// The first spelling met, in library order (newest first).
    pub name: String,
    pub slug: String,
    /// Indexes into `Library::incidents`, newest first: with a vocabulary's parents, the
    /// incidents of every term below it too.
    pub incidents: Vec<usize>,
    /// From the vocabulary.
    pub description: Option<String>,
    /// The declared parent's name (`database` for `postgres`).
    pub parent: Option<String>,
    /// The names of the terms whose parent this is.
    pub children: Vec<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Terms {
    /// Most incidents first, then by name; severities in the order of the scale.
    pub terms: Vec<Term>,
    by_slug: HashMap<String, usize>,
    /// Every spelling met, to its term: pages look terms up by the name written.
    by_name: FxHashMap<String, usize>,
}

impl Terms {
    /// The place of the term a name slugs to, added (without incidents) if new.
    fn add(&mut self, name: &str) -> usize {
        let slug = term_slug(name);
        *self.by_slug.entry(slug.clone()).or_insert_with(|| {
            self.terms.push(Term {
                name: name.to_string(),
                slug,
                incidents: Vec::new(),
                description: None,
                parent: None,
                children: Vec::new(),
            });
            self.terms.len() - 1
        })
    }

    pub fn get(&self, name: &str) -> Option<&Term> {
        match self.by_name.get(name.trim()) {
            Some(&i) => Some(&self.terms[i]),
            None => self.by_slug.get(&term_slug(name)).map(|&i| &self.terms[i]),
        }
    }
}

pub use crate::vocabulary::term_slug;

/// Collects a taxonomy's terms; spellings that share a slug are merged with a warning.
pub fn collect(
    incidents: &[std::sync::Arc<Incident>],
    taxonomy: Taxonomy,
    scale: &[String],
    vocabulary: &crate::vocabulary::Vocabulary,
) -> (Terms, Vec<Diagnostic>) {
    let mut terms = Terms::default();
    // Names repeat across thousands of incidents: each spelling is slugged once.
    let mut index_of: FxHashMap<&str, usize> = FxHashMap::default();
    let mut warned: std::collections::HashSet<(String, String)> = Default::default();
    let mut diagnostics = Vec::new();
    for (i, incident) in incidents.iter().enumerate() {
        for name in taxonomy.values(incident) {
            let name = name.trim();
            if name.is_empty() {
                continue;
            }
            let index = match index_of.get(name) {
                Some(&index) => index,
                None => {
                    let index = terms.add(name);
                    index_of.insert(name, index);
                    index
                }
            };
            let term = &mut terms.terms[index];
            if term.name != name && warned.insert((term.name.clone(), name.to_string())) {
                diagnostics.push(Diagnostic::warning(
                    &incident.source_path,
                    0,
                    format!(
                        "{} `{name}` and `{}` share the page {} and are merged; use one spelling",
                        taxonomy.singular(),
                        term.name,
                        crate::routes::term_url("/", taxonomy, &term.slug)
                    ),
                ).code("term-merged"));
            }
            if term.incidents.last() != Some(&i) {
                term.incidents.push(i);
            }
        }
    }
    if let Some(list) = Taxonomy::ALL
        .iter()
        .position(|t| *t == taxonomy)
        .and_then(|k| vocabulary.lists.get(k))
        .filter(|l| !l.is_empty())
    {
        gather_under_parents(&mut terms, list);
    }
    let before: Vec<String> = terms.terms.iter().map(|t| t.slug.clone()).collect();
    if taxonomy == Taxonomy::Severities {
        let rank = |t: &Term| {
            scale
                .iter()
                .position(|s| *s == t.name)
                .unwrap_or(usize::MAX)
        };
        terms.terms.sort_by_key(rank);
    } else {
        terms.terms.sort_by(|a, b| {
            b.incidents
                .len()
                .cmp(&a.incidents.len())
                .then_with(|| a.name.cmp(&b.name))
        });
    }
    terms.by_slug = terms
        .terms
        .iter()
        .enumerate()
        .map(|(i, t)| (t.slug.clone(), i))
        .collect();
    // Sorting moved the terms: every spelling points at its term's new place.
    terms.by_name = index_of
        .into_iter()
        .map(|(name, old)| (name.to_string(), terms.by_slug[&before[old]]))
        .collect();
    (terms, diagnostics)
}

/// Each term's description from the vocabulary, and each parent term with the incidents of
/// every term below it (a parent no post-mortem names gets a page of its own).
fn gather_under_parents(terms: &mut Terms, list: &crate::vocabulary::TermList) {
    let mut k = 0;
    while k < terms.terms.len() {
        let name = terms.terms[k].name.clone();
        let declared = list.find(&name);
        terms.terms[k].description = declared.and_then(|d| d.description.clone());
        let parent = declared.and_then(|d| d.parent.clone());
        if let Some(parent) = &parent {
            let at = terms.add(&list.find(parent).map_or(parent.clone(), |d| d.name.clone()));
            if !terms.terms[at].children.contains(&name) {
                terms.terms[at].children.push(name.clone());
            }
        }
        terms.terms[k].parent = parent;
        k += 1;
    }
    // Every ancestor gathers a term's incidents, once each, newest first.
    let own: Vec<(Vec<String>, Vec<usize>)> = terms
        .terms
        .iter()
        .map(|t| (list.ancestors(&t.name), t.incidents.clone()))
        .collect();
    for (ancestors, incidents) in own {
        for a in ancestors {
            if let Some(&at) = terms.by_slug.get(&term_slug(&a)) {
                terms.terms[at].incidents.extend(&incidents);
            }
        }
    }
    for t in &mut terms.terms {
        t.incidents.sort_unstable();
        t.incidents.dedup();
        t.children.sort_unstable();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_stable_and_unicode_safe() {
        assert_eq!(term_slug("Checkout API"), "checkout-api");
        assert_eq!(term_slug("Zürich DC"), "zurich-dc");
        assert_eq!(term_slug("数据库"), term_slug("数据库"));
        assert!(!term_slug("数据库").is_empty());
        assert_eq!(term_slug("🔥"), term_slug("🔥"));
        assert!(term_slug("🔥").starts_with("t-") || !term_slug("🔥").is_empty());
        assert_ne!(term_slug("🔥"), term_slug("💧"));
    }
}

//! Teams: what each team of the vocabulary owns and has to do. A team's incidents are
//! those touching a component it owns. An action item is the team's when its owner is one
//! of the team's members; an item whose owner is in no team (or that names no owner) is the
//! team's when its incident touches a component the team owns.

use serde::Serialize;

use super::Library;
use super::patterns::median;
use super::tracker::{self, ItemRef};
use rustc_hash::FxHashMap;

use crate::vocabulary::{Vocabulary, person_key, term_slug};

/// One team, derived from the library.
#[derive(Debug, Clone, Serialize)]
pub struct TeamFacts {
    pub name: String,
    pub slug: String,
    /// The declared components it owns, by name.
    pub components: Vec<String>,
    /// Incidents touching its components, newest first.
    pub incidents: Vec<usize>,
    /// Its open items in tracker order (overdue first).
    pub open: Vec<ItemRef>,
    pub overdue: usize,
    /// Median minutes to detect, mitigate and resolve over its incidents that count in
    /// metrics.
    pub medians: [Option<f64>; 3],
    /// Root causes and contributing factors on two or more of its counted incidents, most
    /// first: (term, incidents).
    pub recurring: Vec<(String, usize)>,
}

/// Median minutes to detect, mitigate and resolve over a set of incidents, leaving out
/// types whose metrics are off.
pub fn medians(lib: &Library, incidents: impl Iterator<Item = usize> + Clone) -> [Option<f64>; 3] {
    let pick = |f: fn(&super::Derived) -> Option<i64>| {
        let mut v: Vec<i64> = incidents
            .clone()
            .filter(|&i| lib.derived[i].metrics)
            .filter_map(|i| f(&lib.derived[i]))
            .collect();
        median(&mut v)
    };
    [
        pick(|d| d.time_to_detect),
        pick(|d| d.time_to_mitigate),
        pick(|d| d.time_to_resolve),
    ]
}

/// Every team the vocabulary knows, in its order.
pub fn teams(lib: &Library, vocabulary: &Vocabulary) -> Vec<TeamFacts> {
    if vocabulary.teams.is_empty() {
        return Vec::new();
    }
    let mut out: Vec<TeamFacts> = vocabulary
        .teams
        .iter()
        .map(|t| TeamFacts {
            name: t.name.clone(),
            slug: term_slug(&t.name),
            components: Vec::new(),
            incidents: Vec::new(),
            open: Vec::new(),
            overdue: 0,
            medians: [None; 3],
            recurring: Vec::new(),
        })
        .collect();
    let at: FxHashMap<String, usize> = out
        .iter()
        .enumerate()
        .map(|(k, t)| (t.slug.clone(), k))
        .collect();
    // Loading folded every component into its declared name: a map by that name finds its
    // team, once per component rather than once per incident.
    let mut owner_of: FxHashMap<&str, usize> = FxHashMap::default();
    for (name, c) in &vocabulary.components {
        if let Some(&k) = c.owner.as_deref().and_then(|o| at.get(&term_slug(o))) {
            owner_of.insert(name, k);
            out[k].components.push(name.clone());
        }
    }
    // A person is in the first team that lists them.
    let mut member_of: FxHashMap<&str, usize> = FxHashMap::default();
    for (k, team) in vocabulary.teams.iter().enumerate() {
        for m in &team.members {
            member_of.entry(m).or_insert(k);
        }
    }
    for (i, inc) in lib.incidents.iter().enumerate() {
        let mut owning: Vec<usize> = inc
            .components
            .iter()
            .filter_map(|c| owner_of.get(c.as_str()).copied())
            .collect();
        owning.sort_unstable();
        owning.dedup();
        for &k in &owning {
            out[k].incidents.push(i);
        }
        for (n, item) in inc.action_items.iter().enumerate() {
            if item.done {
                continue;
            }
            let member = item
                .owner
                .as_deref()
                .and_then(|o| member_of.get(person_key(o).as_str()).copied());
            match member {
                Some(k) => out[k].open.push((i, n)),
                None => {
                    for &k in &owning {
                        out[k].open.push((i, n));
                    }
                }
            }
        }
    }
    for team in &mut out {
        tracker::sort(lib, &mut team.open);
        team.overdue = team
            .open
            .iter()
            .filter(|&&(i, k)| lib.derived[i].actions[k].overdue)
            .count();
        team.medians = medians(lib, team.incidents.iter().copied());
        let mut counts: std::collections::BTreeMap<&str, usize> = Default::default();
        for &i in team.incidents.iter().filter(|&&i| lib.derived[i].metrics) {
            let inc = &lib.incidents[i];
            for term in inc.root_causes.iter().chain(&inc.contributing_factors) {
                *counts.entry(term.as_str()).or_default() += 1;
            }
        }
        let mut recurring: Vec<(String, usize)> = counts
            .into_iter()
            .filter(|(_, n)| *n >= 2)
            .map(|(t, n)| (t.to_string(), n))
            .collect();
        recurring.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        team.recurring = recurring;
    }
    out
}

//! The library: the incidents a build includes, and what is derived across them
//! (durations, due dates and overdue items, wiki links and backlinks, related incidents).
//! Pure functions of the incidents, the config and the options.

use std::collections::HashMap;

use chrono::{Days, NaiveDate};
use rayon::prelude::*;
use serde::Serialize;

use crate::config::Config;
use crate::content::model::{Incident, Status, Visibility};
use crate::diagnostics::Diagnostic;

/// Loading writes wiki links as `pmsite-wiki:<index>`; rendering resolves them.
pub const WIKI_LINK_PREFIX: &str = "pmsite-wiki:";

/// Which incidents a build shows.
#[derive(Debug, Clone, Copy)]
pub struct Selection {
    pub drafts: bool,
    pub include_restricted: bool,
    /// The day overdue is judged against.
    pub today: NaiveDate,
    /// Unresolved wiki links are errors (`check`) rather than warnings (`build`).
    pub strict_links: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct DerivedAction {
    /// As written, or from the priority's target after publication.
    pub due: Option<NaiveDate>,
    pub due_from_priority: bool,
    pub overdue: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Related {
    pub index: usize,
    pub reason: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Derived {
    pub time_to_detect: Option<i64>,
    pub time_to_mitigate: Option<i64>,
    pub time_to_resolve: Option<i64>,
    pub actions: Vec<DerivedAction>,
    pub related: Vec<Related>,
    pub backlinks: Vec<usize>,
    /// For each of the incident's wiki links, the incident it resolves to.
    pub wiki_targets: Vec<Option<usize>>,
}

#[derive(Debug, Default)]
pub struct Library {
    /// Newest first; undated last.
    pub incidents: Vec<Incident>,
    /// Parallel to `incidents`.
    pub derived: Vec<Derived>,
    pub drafts_left_out: usize,
    pub restricted_left_out: usize,
}

impl Library {
    pub fn open_actions(&self) -> usize {
        self.incidents
            .iter()
            .flat_map(|i| &i.action_items)
            .filter(|a| !a.done)
            .count()
    }

    pub fn overdue_actions(&self) -> usize {
        self.derived
            .iter()
            .flat_map(|d| &d.actions)
            .filter(|a| a.overdue)
            .count()
    }
}

/// Checks ids across every loaded file, keeps the selected incidents and derives the rest.
pub fn derive(
    all: Vec<Incident>,
    config: &Config,
    selection: Selection,
) -> (Library, Vec<Diagnostic>) {
    let mut diagnostics = duplicate_ids(&all);
    let mut lib = Library::default();
    for incident in all {
        let draft = incident.status != Status::Published;
        let restricted = incident.visibility == Visibility::Restricted;
        if draft && !selection.drafts {
            lib.drafts_left_out += 1;
        } else if restricted && !selection.include_restricted {
            lib.restricted_left_out += 1;
        } else {
            lib.incidents.push(incident);
        }
    }
    lib.incidents
        .sort_by(|a, b| (b.date.is_some(), b.date, &a.id).cmp(&(a.date.is_some(), a.date, &b.id)));

    let mut derived: Vec<Derived> = lib
        .incidents
        .par_iter()
        .map(|i| Derived {
            time_to_detect: minutes(i.date, i.detected),
            time_to_mitigate: minutes(i.date, i.mitigated),
            time_to_resolve: minutes(i.date, i.resolved),
            actions: due_dates(i, config, selection.today),
            ..Derived::default()
        })
        .collect();

    let (targets, link_problems) = resolve_wiki_links(&lib.incidents, selection.strict_links);
    diagnostics.extend(link_problems);
    for (i, t) in targets.into_iter().enumerate() {
        for j in t.iter().flatten() {
            if *j != i && !derived[*j].backlinks.contains(&i) {
                derived[*j].backlinks.push(i);
            }
        }
        derived[i].wiki_targets = t;
    }
    let related = related(&lib.incidents);
    for (d, r) in derived.iter_mut().zip(related) {
        d.related = r;
    }
    lib.derived = derived;
    (lib, diagnostics)
}

fn minutes(start: Option<crate::dates::When>, end: Option<crate::dates::When>) -> Option<i64> {
    start?.minutes_until(&end?)
}

fn duplicate_ids(all: &[Incident]) -> Vec<Diagnostic> {
    let mut seen: HashMap<&str, &Incident> = HashMap::new();
    let mut problems = Vec::new();
    let mut sorted: Vec<&Incident> = all.iter().collect();
    sorted.sort_by(|a, b| a.source.cmp(&b.source));
    for incident in sorted {
        if incident.slug.is_empty() {
            continue;
        }
        if let Some(first) = seen.get(incident.slug.as_str()) {
            let what = if first.id == incident.id {
                format!("duplicate id `{}`", incident.id)
            } else {
                format!("id `{}` gives the same URL as `{}`", incident.id, first.id)
            };
            problems.push(Diagnostic::error(
                &incident.source_path,
                1,
                format!(
                    "{what}: {} has it already; give each post-mortem its own id",
                    first.source
                ),
            ));
        } else {
            seen.insert(&incident.slug, incident);
        }
    }
    problems
}

fn due_dates(incident: &Incident, config: &Config, today: NaiveDate) -> Vec<DerivedAction> {
    let published = incident.publication_date().map(|w| w.date());
    incident
        .action_items
        .iter()
        .map(|a| {
            let from_priority = match (a.due, &a.priority, published) {
                (None, Some(p), Some(day)) => config
                    .action_items
                    .target_days
                    .get(p)
                    .and_then(|days| day.checked_add_days(Days::new(u64::from(*days)))),
                _ => None,
            };
            let due = a.due.or(from_priority);
            DerivedAction {
                due,
                due_from_priority: a.due.is_none() && from_priority.is_some(),
                overdue: !a.done && due.is_some_and(|d| d < today),
            }
        })
        .collect()
}

/// Resolves `[[target]]` by id, then by title, case-insensitively.
fn resolve_wiki_links(
    incidents: &[Incident],
    strict: bool,
) -> (Vec<Vec<Option<usize>>>, Vec<Diagnostic>) {
    let mut by_key: HashMap<String, usize> = HashMap::new();
    for (i, inc) in incidents.iter().enumerate() {
        by_key.entry(inc.title.to_lowercase()).or_insert(i);
    }
    for (i, inc) in incidents.iter().enumerate() {
        by_key.insert(inc.id.to_lowercase(), i);
    }
    let mut problems = Vec::new();
    let targets = incidents
        .iter()
        .map(|inc| {
            inc.wiki_links
                .iter()
                .map(|link| {
                    let target = &link.target;
                    let found = by_key.get(&target.trim().to_lowercase()).copied();
                    if found.is_none() {
                        let message = format!("wiki link [[{target}]] matches no incident id or title; it is shown as plain text");
                        problems.push(if strict {
                            Diagnostic::error(&inc.source_path, link.line, message)
                        } else {
                            Diagnostic::warning(&inc.source_path, link.line, message)
                        });
                    }
                    found
                })
                .collect()
        })
        .collect();
    (targets, problems)
}

/// How many related incidents a page lists.
const RELATED: usize = 5;

/// The five incidents sharing most with each one: root causes weigh most, then components,
/// then tags. Candidates come from an inverted index of terms, never all pairs.
fn related(incidents: &[Incident]) -> Vec<Vec<Related>> {
    #[derive(Clone, Copy)]
    enum Kind {
        RootCause,
        Component,
        Tag,
    }
    let weight = |k: Kind| match k {
        Kind::RootCause => 3.0f32,
        Kind::Component => 2.0,
        Kind::Tag => 1.0,
    };
    let mut index: HashMap<(u8, &str), Vec<usize>> = HashMap::new();
    let terms = |inc: &'_ Incident| -> Vec<(Kind, String)> {
        let mut t = Vec::new();
        t.extend(inc.root_causes.iter().map(|s| (Kind::RootCause, s.clone())));
        t.extend(inc.components.iter().map(|s| (Kind::Component, s.clone())));
        t.extend(inc.tags.iter().map(|s| (Kind::Tag, s.clone())));
        t
    };
    for (i, inc) in incidents.iter().enumerate() {
        for s in &inc.root_causes {
            index.entry((0, s)).or_default().push(i);
        }
        for s in &inc.components {
            index.entry((1, s)).or_default().push(i);
        }
        for s in &inc.tags {
            index.entry((2, s)).or_default().push(i);
        }
    }
    let n = incidents.len();
    (0..n)
        .into_par_iter()
        .map_init(
            || (vec![0f32; n], Vec::<usize>::new()),
            |(scores, touched), i| {
                let inc = &incidents[i];
                for (kind, term) in terms(inc) {
                    let key = match kind {
                        Kind::RootCause => 0,
                        Kind::Component => 1,
                        Kind::Tag => 2,
                    };
                    for &j in index
                        .get(&(key, term.as_str()))
                        .map(Vec::as_slice)
                        .unwrap_or(&[])
                    {
                        if j != i {
                            if scores[j] == 0.0 {
                                touched.push(j);
                            }
                            scores[j] += weight(kind);
                        }
                    }
                }
                // Highest score first; among equals, the nearer in the list (closer in time).
                let rank = |j: usize| (std::cmp::Reverse(scores[j].to_bits()), j.abs_diff(i), j);
                let mut best: Vec<usize> = Vec::with_capacity(RELATED + 1);
                for &j in touched.iter() {
                    if best.len() < RELATED || rank(j) < rank(best[RELATED - 1]) {
                        let at = best.partition_point(|&b| rank(b) < rank(j));
                        best.insert(at, j);
                        best.truncate(RELATED);
                    }
                }
                for &j in touched.iter() {
                    scores[j] = 0.0;
                }
                touched.clear();
                best.into_iter()
                    .map(|j| Related {
                        index: j,
                        reason: reason(inc, &incidents[j]),
                    })
                    .collect()
            },
        )
        .collect()
}

fn reason(a: &Incident, b: &Incident) -> String {
    let shared = |x: &[String], y: &[String]| {
        x.iter()
            .filter(|s| y.contains(s))
            .cloned()
            .collect::<Vec<_>>()
    };
    let rc = shared(&a.root_causes, &b.root_causes);
    if !rc.is_empty() {
        return format!("same root cause: {}", rc.join(", "));
    }
    let c = shared(&a.components, &b.components);
    if !c.is_empty() {
        return format!("same component: {}", c.join(", "));
    }
    format!("shared tags: {}", shared(&a.tags, &b.tags).join(", "))
}

//! The library: the incidents a build includes, and what is derived across them
//! (durations, due dates and overdue items, wiki links and backlinks, related incidents).
//! Pure functions of the incidents, the config and the options.

use rustc_hash::FxHashMap as HashMap;
use std::sync::Arc;

use chrono::{Days, NaiveDate};
use rayon::prelude::*;
use serde::Serialize;

use crate::config::Config;
use crate::content::model::{Incident, Status, Visibility};
use crate::diagnostics::{Diagnostic, Level};

pub mod fields;
pub mod links;
pub mod patterns;
pub mod reinvestment;
pub mod related;
pub mod review;
pub mod reviews;
pub mod teams;
pub mod terms;
pub mod tickets;
pub mod tracker;
pub mod words;

pub use related::Related;

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
    /// Its ticket as last synced (`.pmsite/tickets.json`), with any drift.
    pub ticket: Option<tickets::TicketFacts>,
    /// The day it was done: as written, else the day its ticket closed.
    pub done_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Derived {
    pub time_to_detect: Option<i64>,
    pub time_to_mitigate: Option<i64>,
    pub time_to_resolve: Option<i64>,
    /// Whether the incident's type counts in durations, patterns, trends and the digest's
    /// counts (a near miss or a game day does not).
    pub metrics: bool,
    pub actions: Vec<DerivedAction>,
    pub related: Vec<Related>,
    pub backlinks: Vec<usize>,
    /// For each of the incident's wiki links, the incident it resolves to.
    pub wiki_targets: Vec<Option<usize>>,
    /// For each of the incident's Markdown links, the page a `.md` link resolves to.
    pub md_targets: links::MdTargets,
}

#[derive(Debug)]
pub struct Library {
    /// Newest first; undated last. Shared with the preview's parse cache, which keeps
    /// them between rebuilds.
    pub incidents: Vec<Arc<Incident>>,
    /// Parallel to `incidents`.
    pub derived: Vec<Derived>,
    pub drafts_left_out: usize,
    pub restricted_left_out: usize,
    /// One per taxonomy, in the order of `Taxonomy::ALL`.
    pub terms: Vec<terms::Terms>,
    pub patterns: patterns::Patterns,
    /// The vocabulary's teams, with what each owns and has open.
    pub teams: Vec<teams::TeamFacts>,
    /// The tracker's views (overdue, open, done, then priorities and owners), each with its
    /// pages.
    pub action_views: Vec<tracker::View>,
    /// The operational review periods of every kind `[review] periods` names.
    pub reviews: Vec<reviews::ReviewPeriod>,
    /// The day overdue and ages are judged against.
    pub today: NaiveDate,
}

impl Library {
    pub fn terms(&self, taxonomy: terms::Taxonomy) -> &terms::Terms {
        let i = terms::Taxonomy::ALL
            .iter()
            .position(|t| *t == taxonomy)
            .unwrap_or(0);
        &self.terms[i]
    }

    pub fn open_actions(&self) -> usize {
        self.incidents
            .iter()
            .flat_map(|i| &i.action_items)
            .filter(|a| !a.done)
            .count()
    }

    /// The years incidents happened in, newest first (the year filter and facet).
    pub fn years(&self) -> Vec<i32> {
        let mut years: Vec<i32> = self
            .incidents
            .iter()
            .filter_map(|i| i.date.map(|d| chrono::Datelike::year(&d.date())))
            .collect();
        years.sort_unstable_by(|a, b| b.cmp(a));
        years.dedup();
        years
    }

    /// The incidents that count in metrics (their type's `metrics`), by index.
    pub fn counted(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.incidents.len()).filter(|&i| self.derived.get(i).is_none_or(|d| d.metrics))
    }

    pub fn overdue_actions(&self) -> usize {
        self.derived
            .iter()
            .flat_map(|d| &d.actions)
            .filter(|a| a.overdue)
            .count()
    }
}

/// What the preview keeps between rebuilds to derive the next library from the last: the
/// related-incident index and the list it was built for.
#[derive(Default)]
pub struct DeriveMemory {
    related: Option<(Vec<Arc<Incident>>, related::Index)>,
    /// How many related lists the last derive compared again.
    pub related_compared: usize,
}

impl DeriveMemory {
    fn related(&mut self, incidents: &[Arc<Incident>]) -> Vec<Vec<Related>> {
        let updated = self
            .related
            .as_mut()
            .and_then(|(previous, index)| index.update(previous, incidents));
        let index = match (updated, self.related.take()) {
            (Some(compared), Some((_, index))) => {
                self.related_compared = compared;
                index
            }
            _ => {
                self.related_compared = incidents.len();
                let mut index = related::Index::build(incidents);
                index.prepare_updates(incidents);
                index
            }
        };
        let lists = index.lists().to_vec();
        self.related = Some((incidents.to_vec(), index));
        lists
    }
}

/// Checks ids across every loaded file, keeps the selected incidents and derives the rest.
pub fn derive(
    all: Vec<Arc<Incident>>,
    config: &Config,
    selection: Selection,
) -> (Library, Vec<Diagnostic>) {
    derive_with(all, config, selection, None)
}

/// As `derive`, from what the last derive left in `memory` (the preview).
pub fn derive_with(
    all: Vec<Arc<Incident>>,
    config: &Config,
    selection: Selection,
    memory: Option<&mut DeriveMemory>,
) -> (Library, Vec<Diagnostic>) {
    let mut diagnostics = duplicate_ids(&all);
    let mut lib = Library {
        incidents: Vec::new(),
        derived: Vec::new(),
        drafts_left_out: 0,
        restricted_left_out: 0,
        terms: Vec::new(),
        patterns: patterns::Patterns::default(),
        teams: Vec::new(),
        action_views: Vec::new(),
        reviews: Vec::new(),
        today: selection.today,
    };
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
            metrics: config.types.info(&i.incident_type).metrics,
            actions: due_dates(i, config, selection.today),
            ..Derived::default()
        })
        .collect();

    // Wiki links, related incidents and terms read only the incidents: side by side.
    let incidents = &lib.incidents;
    let (((targets, link_problems), related), terms) = rayon::join(
        || {
            rayon::join(
                || resolve_wiki_links(incidents, selection.strict_links),
                || match memory {
                    Some(m) => m.related(incidents),
                    None => related::related(incidents),
                },
            )
        },
        || {
            terms::Taxonomy::ALL
                .par_iter()
                .map(|&t| terms::collect(incidents, t, &config.severities, &config.vocabulary))
                .collect::<Vec<_>>()
        },
    );
    diagnostics.extend(link_problems);
    for (i, t) in targets.into_iter().enumerate() {
        for j in t.iter().flatten() {
            if *j != i && !derived[*j].backlinks.contains(&i) {
                derived[*j].backlinks.push(i);
            }
        }
        derived[i].wiki_targets = t;
    }
    for (d, r) in derived.iter_mut().zip(related) {
        d.related = r;
    }
    lib.derived = derived;
    for (t, d) in terms {
        lib.terms.push(t);
        diagnostics.extend(d);
    }
    // What is derived from the whole library reads it only: side by side (the preview
    // derives again after every edit).
    let ((patterns, teams), ((action_views, reviews), (md_targets, link_problems))) = rayon::join(
        || {
            (
                patterns::patterns(&lib, &config.severities, config.patterns.repeat_window_days),
                teams::teams(&lib, &config.vocabulary),
            )
        },
        || {
            rayon::join(
                || {
                    rayon::join(
                        || tracker::views(&lib, &tracker::ordered(&lib)),
                        || {
                            config
                                .review
                                .periods
                                .iter()
                                .flat_map(|kind| {
                                    reviews::periods(
                                        &lib,
                                        *kind,
                                        &config.severities.scale,
                                        config.review.publish_within_days,
                                    )
                                })
                                .collect()
                        },
                    )
                },
                || links::check(&lib, config, selection.strict_links),
            )
        },
    );
    lib.patterns = patterns;
    lib.teams = teams;
    lib.action_views = action_views;
    lib.reviews = reviews;
    for (d, t) in lib.derived.iter_mut().zip(md_targets) {
        d.md_targets = t;
    }
    diagnostics.extend(link_problems);
    (lib, diagnostics)
}

fn minutes(start: Option<crate::dates::When>, end: Option<crate::dates::When>) -> Option<i64> {
    start?.minutes_until(&end?)
}

fn duplicate_ids(all: &[Arc<Incident>]) -> Vec<Diagnostic> {
    let mut seen: HashMap<&str, &Incident> = HashMap::default();
    seen.reserve(all.len());
    let mut problems = Vec::new();
    let mut sorted: Vec<&Incident> = all.iter().map(|i| &**i).collect();
    sorted.sort_unstable_by(|a, b| a.source.cmp(&b.source));
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
            problems.push(
                Diagnostic::error(
                    &incident.source_path,
                    1,
                    format!(
                        "{what}: {} has it already; give each post-mortem its own id",
                        first.source
                    ),
                )
                .code("duplicate-id"),
            );
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
            let ticket = tickets::facts(a, config);
            let closed = ticket.as_ref().and_then(|t| t.closed_on);
            DerivedAction {
                due,
                due_from_priority: a.due.is_none() && from_priority.is_some(),
                overdue: !a.done && due.is_some_and(|d| d < today),
                done_on: a.done_on.or(if a.done { closed } else { None }),
                ticket,
            }
        })
        .collect()
}

/// Resolves `[[target]]` by id, then by title, case-insensitively.
fn resolve_wiki_links(
    incidents: &[Arc<Incident>],
    strict: bool,
) -> (Vec<Vec<Option<usize>>>, Vec<Diagnostic>) {
    if incidents.iter().all(|i| i.wiki_links.is_empty()) {
        return (vec![Vec::new(); incidents.len()], Vec::new());
    }
    // Per incident: its title, its page name (the file name, with `-` for spaces, as a wiki
    // links) and its id, lowercased.
    type Keys = (String, Option<(String, String)>, String);
    let keys: Vec<Keys> = incidents
        .par_iter()
        .map(|inc| {
            let stem = inc
                .source_path
                .file_stem()
                .map(|s| s.to_string_lossy().to_lowercase());
            (
                inc.title.to_lowercase(),
                stem.map(|s| (s.replace('-', " "), s)),
                inc.id.to_lowercase(),
            )
        })
        .collect();
    let mut by_key: HashMap<&str, usize> = HashMap::default();
    by_key.reserve(incidents.len() * 4);
    // An id wins over a title or page name; among those, the first incident in the list.
    for (i, (title, _, _)) in keys.iter().enumerate() {
        by_key.entry(title).or_insert(i);
    }
    for (i, (_, stem, _)) in keys.iter().enumerate() {
        if let Some((spaced, stem)) = stem {
            by_key.entry(spaced).or_insert(i);
            by_key.entry(stem).or_insert(i);
        }
    }
    for (i, (_, _, id)) in keys.iter().enumerate() {
        by_key.insert(id, i);
    }
    let mut problems = Vec::new();
    let targets = incidents
        .iter()
        .map(|inc| {
            inc.wiki_links
                .iter()
                .map(|link| {
                    let target = &link.target;
                    let found = by_key.get(target.trim().to_lowercase().as_str()).copied();
                    if found.is_none() {
                        let message = format!("wiki link [[{target}]] matches no incident id or title; it is shown as plain text");
                        problems.push(
                            Diagnostic::new(Level::strict(strict), &inc.source_path, link.line, message)
                                .column(link.column)
                                .code("wiki-link"),
                        );
                    }
                    found
                })
                .collect()
        })
        .collect();
    (targets, problems)
}

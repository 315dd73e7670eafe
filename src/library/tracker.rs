//! The action-item tracker: every item across the library in the order people act on it,
//! grouped by owner and by incident, with the share done per quarter.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use super::Library;

/// An action item by its place: `(incident, item)` indexes.
pub type ItemRef = (usize, usize);

/// Overdue first (oldest due first), then open by due date (no date last), then done.
pub fn ordered(lib: &Library) -> Vec<ItemRef> {
    let mut items: Vec<ItemRef> = lib
        .incidents
        .iter()
        .enumerate()
        .flat_map(|(i, inc)| (0..inc.action_items.len()).map(move |k| (i, k)))
        .collect();
    sort(lib, &mut items);
    items
}

/// Puts items in the tracker's order (see `ordered`): the one order every list of action
/// items uses.
pub fn sort(lib: &Library, items: &mut [ItemRef]) {
    // The keys are gathered first and sorted as plain values: read from the library in
    // every comparison they cost the preview 90 ms of each rebuild at 10,000 post-mortems
    // (50,000 items). The key ends with the item's place, so no two are equal: unstable
    // is the same order.
    let mut keyed: Vec<(u8, bool, Option<NaiveDate>, usize, usize)> = items
        .iter()
        .map(|&(i, k)| {
            let item = &lib.incidents[i].action_items[k];
            let d = &lib.derived[i].actions[k];
            let group = if d.overdue {
                0
            } else if !item.done {
                1
            } else {
                2
            };
            (group, d.due.is_none(), d.due, i, k)
        })
        .collect();
    keyed.sort_unstable();
    for (slot, key) in items.iter_mut().zip(keyed) {
        *slot = (key.3, key.4);
    }
}

/// Items grouped by owner (no owner last), each group in tracker order.
pub fn by_owner(lib: &Library, ordered: &[ItemRef]) -> Vec<(Option<String>, Vec<ItemRef>)> {
    // Grouped by the owner as written (no allocation per item), then by name.
    let mut written: rustc_hash::FxHashMap<Option<&str>, Vec<ItemRef>> = Default::default();
    for &(i, k) in ordered {
        written
            .entry(lib.incidents[i].action_items[k].owner.as_deref())
            .or_default()
            .push((i, k));
    }
    let mut groups: BTreeMap<(bool, String), (Option<String>, Vec<ItemRef>)> = BTreeMap::new();
    let mut merged = false;
    for (owner, items) in written {
        let key = (owner.is_none(), owner.unwrap_or_default().to_lowercase());
        let group = groups
            .entry(key)
            .or_insert_with(|| (owner.map(str::to_string), Vec::new()));
        merged |= !group.1.is_empty();
        group.1.extend(items);
    }
    if merged {
        // Spellings differing only in case share a group: keep the tracker's order in it.
        let position: rustc_hash::FxHashMap<ItemRef, usize> =
            ordered.iter().enumerate().map(|(p, r)| (*r, p)).collect();
        for (_, items) in groups.values_mut() {
            items.sort_by_key(|r| position[r]);
        }
    }
    groups.into_values().collect()
}

#[derive(Debug, Clone, Serialize)]
pub struct QuarterShare {
    pub quarter: String,
    pub total: usize,
    pub done: usize,
    pub open: usize,
    pub overdue: usize,
    /// Whole percent done.
    pub share_done: u32,
}

/// Items counted by the quarter their post-mortem was published, newest first.
pub fn per_quarter(lib: &Library) -> Vec<QuarterShare> {
    let mut quarters: BTreeMap<(i32, u32), QuarterShare> = BTreeMap::new();
    for (inc, derived) in lib.incidents.iter().zip(&lib.derived) {
        let Some(day) = inc.publication_date().map(|d| d.date()) else {
            continue;
        };
        let q = (day.year(), day.month0() / 3 + 1);
        let entry = quarters.entry(q).or_insert_with(|| QuarterShare {
            quarter: format!("{} Q{}", q.0, q.1),
            total: 0,
            done: 0,
            open: 0,
            overdue: 0,
            share_done: 0,
        });
        for (item, d) in inc.action_items.iter().zip(&derived.actions) {
            entry.total += 1;
            if item.done {
                entry.done += 1;
            } else {
                entry.open += 1;
            }
            if d.overdue {
                entry.overdue += 1;
            }
        }
    }
    let mut out: Vec<QuarterShare> = quarters.into_values().filter(|q| q.total > 0).collect();
    for q in &mut out {
        q.share_done = ((q.done * 100 + q.total / 2) / q.total) as u32;
    }
    out.reverse();
    out
}

/// Days since the post-mortem was published: how long the item has been waiting.
pub fn age_days(lib: &Library, incident: usize, today: NaiveDate) -> Option<i64> {
    lib.incidents[incident]
        .publication_date()
        .map(|d| (today - d.date()).num_days().max(0))
}

/// One list of the tracker with a page of its own (and more pages when long), so every
/// filter works without JavaScript: every item, a state, a priority, an owner.
#[derive(Debug, Clone)]
pub struct View {
    /// The path under `actions/`: "" for the overdue items (the front page), `open`, `done`,
    /// `priority/p1`, `owners/ana`.
    pub filter: String,
    /// What the page is headed with: "Every item", "Overdue", "Priority P1", "ana".
    pub title: String,
    /// Its items, in tracker order.
    pub items: Vec<ItemRef>,
}

/// How many items a page of the tracker lists.
pub const PAGE_ITEMS: usize = 250;

/// Every view of the tracker, from the items in tracker order: the three states first (the
/// overdue items are the front page, `/actions/`), then priorities and owners (their open
/// items only).
pub fn views(lib: &Library, ordered: &[ItemRef]) -> Vec<View> {
    let state = |i: usize, k: usize| {
        if lib.incidents[i].action_items[k].done {
            "done"
        } else if lib.derived[i].actions[k].overdue {
            "overdue"
        } else {
            "open"
        }
    };
    // The front page is the overdue items: every item is the three states one after the
    // other, so a list of every item would only repeat them. Tracker order is by state
    // first, so each state is a run of it, found by bisection.
    let open_from = ordered.partition_point(|&(i, k)| state(i, k) == "overdue");
    let done_from =
        open_from + ordered[open_from..].partition_point(|&(i, k)| state(i, k) == "open");
    let mut out = Vec::new();
    for (filter, title, items) in [
        ("", "Overdue", &ordered[..open_from]),
        ("open", "Open, not overdue", &ordered[open_from..done_from]),
        ("done", "Done", &ordered[done_from..]),
    ] {
        out.push(View {
            filter: filter.into(),
            title: title.into(),
            items: items.to_vec(),
        });
    }
    // Priorities and owners list what is still to do: the done items are on their own page.
    // Grouped by the priority as written (no slug per item), then by its slug, in the order
    // each spelling was first met, so a page's items stay in tracker order.
    let mut written: Vec<(&str, Vec<ItemRef>)> = Vec::new();
    let mut at: rustc_hash::FxHashMap<&str, usize> = Default::default();
    for &(i, k) in &ordered[..done_from] {
        if let Some(p) = &lib.incidents[i].action_items[k].priority {
            let n = *at.entry(p).or_insert_with(|| {
                written.push((p, Vec::new()));
                written.len() - 1
            });
            written[n].1.push((i, k));
        }
    }
    let mut priorities: BTreeMap<String, (String, Vec<ItemRef>)> = BTreeMap::new();
    let mut merged = false;
    for (p, items) in written {
        let group = priorities
            .entry(crate::vocabulary::term_slug(p))
            .or_insert_with(|| (p.to_string(), Vec::new()));
        merged |= !group.1.is_empty();
        group.1.extend(items);
    }
    if merged {
        // Spellings sharing a slug (`P1`, `p1`): back into tracker order.
        let position: rustc_hash::FxHashMap<ItemRef, usize> =
            ordered.iter().enumerate().map(|(p, r)| (*r, p)).collect();
        for (_, items) in priorities.values_mut() {
            items.sort_by_key(|r| position[r]);
        }
    }
    for (slug, (name, items)) in priorities {
        out.push(View {
            filter: format!("priority/{slug}"),
            title: format!("Priority {name}"),
            items,
        });
    }
    for (owner, items) in by_owner(lib, ordered) {
        let Some(owner) = owner else { continue };
        let open: Vec<ItemRef> = items
            .into_iter()
            .filter(|&(i, k)| !lib.incidents[i].action_items[k].done)
            .collect();
        out.push(View {
            filter: format!("owners/{}", crate::vocabulary::term_slug(&owner)),
            title: owner,
            items: open,
        });
    }
    out
}

//! The reinvestment report: per component, root cause, contributing factor and team, how
//! often it fails now against before, what it cost customers, the prevent actions still
//! open, and the fixes that did not hold; ranked by one documented score, in the words a
//! product counterpart reads.

use chrono::NaiveDate;
use rustc_hash::FxHashMap;
use serde::Serialize;

use super::Library;
use super::terms::Taxonomy;
use crate::content::model::{ActionType, Incident};
use crate::diagnostics::plural;

/// The recent window and the year, in days.
pub const RECENT_DAYS: i64 = 90;
pub const YEAR_DAYS: i64 = 365;

/// A later incident that repeated an earlier one after the earlier one's prevent actions
/// were all done: the same component and the same root cause or contributing factor.
#[derive(Debug, Clone, Serialize)]
pub struct NotHeld {
    pub later: usize,
    pub earlier: usize,
    pub components: Vec<String>,
    /// The root causes and contributing factors they share.
    pub causes: Vec<String>,
}

/// A numeric `[impact]` field summed over a row's incidents of the last year.
#[derive(Debug, Clone, Serialize)]
pub struct FieldSum {
    pub field: String,
    pub total: f64,
    /// `$120k credits issued`, `1,200 customers affected`.
    pub words: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// `component`, `root cause`, `contributing factor` or `team`.
    pub kind: &'static str,
    /// The taxonomy whose page the row links, none for a team.
    #[serde(skip)]
    pub taxonomy: Option<Taxonomy>,
    pub name: String,
    pub slug: String,
    pub last_90: usize,
    pub prior_90: usize,
    pub last_365: usize,
    pub prior_365: usize,
    /// `up`, `down` or `same`: the last 365 days against the 365 before.
    pub trend: &'static str,
    /// Minutes from impact start to mitigation (or resolution), over the last year.
    pub impact_minutes: i64,
    pub impact_fields: Vec<FieldSum>,
    pub prevent_open: usize,
    pub prevent_overdue: usize,
    /// Fixes that did not hold among the last year's incidents.
    pub not_held: Vec<NotHeld>,
    /// The last year's incidents, newest first.
    pub incidents: Vec<usize>,
    pub score: f64,
    /// The row in one sentence.
    pub sentence: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub today: NaiveDate,
    pub rows: Vec<Row>,
}

/// How a row is ranked, as the README documents it: every incident of the last year counts
/// one, a day of customer impact one, a prevent action open one and overdue two more, a
/// fix that did not hold three, and each incident of the last 90 days beyond the 90 before
/// one.
pub fn score(row: &Row) -> f64 {
    let rising = row.last_90.saturating_sub(row.prior_90) as f64;
    let s = row.last_365 as f64
        + row.impact_minutes as f64 / (24.0 * 60.0)
        + row.prevent_open as f64
        + 2.0 * row.prevent_overdue as f64
        + 3.0 * row.not_held.len() as f64
        + rising;
    (s * 10.0).round() / 10.0
}

/// Every later incident whose earlier twin's prevent actions were all done before it
/// began; one per later incident (the nearest earlier one).
pub fn fixes_not_held(lib: &Library) -> Vec<NotHeld> {
    // The incidents whose prevent items are all done, by component, oldest first.
    let mut fixed: FxHashMap<&str, Vec<usize>> = FxHashMap::default();
    for i in lib.counted() {
        let inc = &lib.incidents[i];
        let prevent: Vec<usize> = prevent_items(inc).collect();
        if inc.date.is_some()
            && !prevent.is_empty()
            && prevent.iter().all(|&k| inc.action_items[k].done)
        {
            for c in &inc.components {
                fixed.entry(c.as_str()).or_default().push(i);
            }
        }
    }
    for list in fixed.values_mut() {
        list.sort_by_key(|&i| (lib.incidents[i].date, std::cmp::Reverse(i)));
    }
    let mut out = Vec::new();
    for b in lib.counted() {
        let later = &lib.incidents[b];
        let Some(began) = later.date else { continue };
        let mut best: Option<usize> = None;
        for c in &later.components {
            let Some(list) = fixed.get(c.as_str()) else {
                continue;
            };
            // The nearest earlier incident, walking back from the later one's start.
            let end = list.partition_point(|&a| lib.incidents[a].date < Some(began));
            for &a in list[..end].iter().rev() {
                if best.is_some_and(|x| lib.incidents[x].date >= lib.incidents[a].date) {
                    break;
                }
                if a != b
                    && shares_cause(&lib.incidents[a], later)
                    && done_before(lib, a, began.date())
                {
                    best = Some(a);
                    break;
                }
            }
        }
        if let Some(a) = best {
            let earlier = &lib.incidents[a];
            out.push(NotHeld {
                later: b,
                earlier: a,
                components: shared(&earlier.components, &later.components),
                causes: shared(&earlier.root_causes, &later.root_causes)
                    .into_iter()
                    .chain(shared(
                        &earlier.contributing_factors,
                        &later.contributing_factors,
                    ))
                    .collect(),
            });
        }
    }
    out
}

fn prevent_items(inc: &Incident) -> impl Iterator<Item = usize> + '_ {
    inc.action_items
        .iter()
        .enumerate()
        .filter(|(_, a)| a.kind == Some(ActionType::Prevent))
        .map(|(k, _)| k)
}

fn shares_cause(a: &Incident, b: &Incident) -> bool {
    a.root_causes.iter().any(|r| b.root_causes.contains(r))
        || a.contributing_factors
            .iter()
            .any(|r| b.contributing_factors.contains(r))
}

/// Every prevent item of `a` done before `day`: a day the author wrote, or its ticket's
/// closing day; a done item with no day counts as done before (the library only knows it
/// is done now).
fn done_before(lib: &Library, a: usize, day: NaiveDate) -> bool {
    prevent_items(&lib.incidents[a])
        .all(|k| lib.derived[a].actions[k].done_on.is_none_or(|d| d < day))
}

fn shared(a: &[String], b: &[String]) -> Vec<String> {
    a.iter().filter(|x| b.contains(x)).cloned().collect()
}

/// The report at the library's today, with the `[impact]` fields to sum.
pub fn report(lib: &Library, impact_fields: &[String]) -> Report {
    let not_held = fixes_not_held(lib);
    let mut rows = Vec::new();
    for (taxonomy, kind) in [
        (Taxonomy::Components, "component"),
        (Taxonomy::RootCauses, "root cause"),
        (Taxonomy::ContributingFactors, "contributing factor"),
    ] {
        for term in &lib.terms(taxonomy).terms {
            let holds = |n: &NotHeld| match taxonomy {
                Taxonomy::Components => n.components.contains(&term.name),
                _ => n.causes.contains(&term.name),
            };
            if let Some(row) = row(
                lib,
                impact_fields,
                kind,
                Some(taxonomy),
                &term.name,
                &term.slug,
                &term.incidents,
                &not_held,
                holds,
            ) {
                rows.push(row);
            }
        }
    }
    for team in &lib.teams {
        if let Some(row) = row(
            lib,
            impact_fields,
            "team",
            None,
            &team.name,
            &team.slug,
            &team.incidents,
            &not_held,
            |_| true,
        ) {
            rows.push(row);
        }
    }
    rows.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| a.name.cmp(&b.name))
            .then(a.kind.cmp(b.kind))
    });
    Report {
        today: lib.today,
        rows,
    }
}

#[allow(clippy::too_many_arguments)]
fn row(
    lib: &Library,
    impact_fields: &[String],
    kind: &'static str,
    taxonomy: Option<Taxonomy>,
    name: &str,
    slug: &str,
    incidents: &[usize],
    not_held: &[NotHeld],
    holds: impl Fn(&NotHeld) -> bool,
) -> Option<Row> {
    let counted: Vec<usize> = incidents
        .iter()
        .copied()
        .filter(|&i| lib.derived[i].metrics)
        .collect();
    let age = |i: usize| {
        lib.incidents[i]
            .date
            .map(|d| (lib.today - d.date()).num_days())
    };
    let within = |from: i64, to: i64| {
        counted
            .iter()
            .filter(|&&i| age(i).is_some_and(|a| (from..to).contains(&a)))
            .count()
    };
    let year: Vec<usize> = counted
        .iter()
        .copied()
        .filter(|&i| age(i).is_some_and(|a| (0..YEAR_DAYS).contains(&a)))
        .collect();
    let (mut prevent_open, mut prevent_overdue) = (0, 0);
    for &i in &counted {
        for k in prevent_items(&lib.incidents[i]) {
            if !lib.incidents[i].action_items[k].done {
                prevent_open += 1;
                prevent_overdue += usize::from(lib.derived[i].actions[k].overdue);
            }
        }
    }
    if year.is_empty() && prevent_open == 0 {
        return None;
    }
    let in_year: rustc_hash::FxHashSet<usize> = year.iter().copied().collect();
    let not_held: Vec<NotHeld> = not_held
        .iter()
        .filter(|n| in_year.contains(&n.later) && holds(n))
        .cloned()
        .collect();
    let impact_minutes = year
        .iter()
        .filter_map(|&i| {
            lib.derived[i]
                .time_to_mitigate
                .or(lib.derived[i].time_to_resolve)
        })
        .filter(|m| *m > 0)
        .sum();
    let impact_fields = impact_fields
        .iter()
        .filter_map(|field| {
            let values: Vec<f64> = year
                .iter()
                .filter_map(|&i| number(lib.incidents[i].impact.get(field)?))
                .collect();
            (!values.is_empty()).then(|| {
                let total: f64 = values.iter().sum();
                FieldSum {
                    field: field.clone(),
                    total,
                    words: field_words(field, total),
                }
            })
        })
        .collect();
    let (last_365, prior_365) = (year.len(), within(YEAR_DAYS, 2 * YEAR_DAYS));
    let mut row = Row {
        kind,
        taxonomy,
        name: name.to_string(),
        slug: slug.to_string(),
        last_90: within(0, RECENT_DAYS),
        prior_90: within(RECENT_DAYS, 2 * RECENT_DAYS),
        last_365,
        prior_365,
        trend: match last_365.cmp(&prior_365) {
            std::cmp::Ordering::Greater => "up",
            std::cmp::Ordering::Less => "down",
            std::cmp::Ordering::Equal => "same",
        },
        impact_minutes,
        impact_fields,
        prevent_open,
        prevent_overdue,
        not_held,
        incidents: year,
        score: 0.0,
        sentence: String::new(),
    };
    row.score = score(&row);
    row.sentence = sentence(&row);
    Some(row)
}

/// A number in `[impact]`: a TOML number, or a string of one (`"12,000"`, `"$4.5k"`).
fn number(value: &serde_json::Value) -> Option<f64> {
    match value {
        serde_json::Value::Number(n) => n.as_f64(),
        serde_json::Value::String(s) => {
            let t: String = s
                .trim()
                .trim_start_matches('$')
                .chars()
                .filter(|c| *c != ',' && *c != '_')
                .collect();
            let (digits, times) = match t.to_ascii_lowercase().chars().last() {
                Some('k') => (&t[..t.len() - 1], 1e3),
                Some('m') => (&t[..t.len() - 1], 1e6),
                _ => (t.as_str(), 1.0),
            };
            digits.trim().parse::<f64>().ok().map(|x| x * times)
        }
        _ => None,
    }
}

/// `credits_issued_usd` = 120000 as `$120k credits issued`; `customers_affected` = 1200 as
/// `1,200 customers affected`.
pub fn field_words(field: &str, total: f64) -> String {
    match field.strip_suffix("_usd") {
        Some(what) => format!("{} {}", money(total), what.replace('_', " ")),
        None => format!("{} {}", grouped(total), field.replace('_', " ")),
    }
}

fn money(x: f64) -> String {
    let short = |v: f64, unit: &str| {
        let s = format!("{v:.1}");
        format!("${}{unit}", s.trim_end_matches(".0"))
    };
    if x >= 1e6 {
        short(x / 1e6, "M")
    } else if x >= 1e3 {
        short(x / 1e3, "k")
    } else {
        format!("${}", grouped(x))
    }
}

fn grouped(x: f64) -> String {
    if x.fract().abs() > 1e-9 {
        return format!("{x:.1}");
    }
    super::fields::grouped(x.round())
}

/// "checkout-api: 7 incidents in 12 months (3 the year before), 41 h of customer impact,
/// $120k credits issued, 2 fixes that did not hold, 3 prevent actions open".
pub fn sentence(row: &Row) -> String {
    let mut parts = vec![format!(
        "{} in 12 months ({} the year before)",
        plural(row.last_365, "incident", "incidents"),
        row.prior_365
    )];
    if row.impact_minutes > 0 {
        let hours = row.impact_minutes as f64 / 60.0;
        let h = if hours >= 10.0 {
            format!("{hours:.0}")
        } else {
            format!("{hours:.1}").trim_end_matches(".0").to_string()
        };
        parts.push(format!("{h} h of customer impact"));
    }
    parts.extend(row.impact_fields.iter().map(|f| f.words.clone()));
    if !row.not_held.is_empty() {
        parts.push(plural(
            row.not_held.len(),
            "fix that did not hold",
            "fixes that did not hold",
        ));
    }
    if row.prevent_open > 0 {
        let mut p = plural(
            row.prevent_open,
            "prevent action open",
            "prevent actions open",
        );
        if row.prevent_overdue > 0 {
            p.push_str(&format!(" ({} overdue)", row.prevent_overdue));
        }
        parts.push(p);
    }
    format!("{}: {}", row.name, parts.join(", "))
}

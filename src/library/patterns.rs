//! Patterns across incidents: per root cause and component, how often, how long and how
//! recently; which root causes repeat; and trends over time for the charts.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use super::terms::{Taxonomy, Terms};
use super::{Derived, Library};
use crate::dates::human_minutes;

#[derive(Debug, Clone, Serialize)]
pub struct PatternRow {
    pub name: String,
    pub slug: String,
    pub count: usize,
    /// Minutes of customer impact, from its start to mitigation (to resolution where no
    /// mitigation is recorded), summed over incidents that have them.
    pub impact_minutes_total: i64,
    pub impact_minutes_median: Option<f64>,
    pub time_to_detect_median: Option<f64>,
    pub time_to_resolve_median: Option<f64>,
    pub first: Option<NaiveDate>,
    pub last: Option<NaiveDate>,
    /// Two or more incidents within the configured window of each other.
    pub repeated: bool,
    /// Incidents in the last window (`repeat_window_days`, to the library's today) and in
    /// the window before it: whether it is coming back more or less often.
    pub recent: usize,
    pub before: usize,
    /// `up`, `down` or `same`, from `recent` against `before`.
    pub trend: &'static str,
    /// The durations as people read them (`1d 6h`), for pages.
    pub human: HumanDurations,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct HumanDurations {
    pub impact_total: String,
    pub impact_median: String,
    pub time_to_detect_median: String,
    pub time_to_resolve_median: String,
}

fn human(minutes: Option<f64>) -> String {
    minutes
        .map(|m| human_minutes(m.round() as i64))
        .unwrap_or_default()
}

#[derive(Debug, Clone, Serialize)]
pub struct Period {
    /// `2024-03` or `2024 Q1`.
    pub label: String,
    /// Incidents per severity, in the order of `Patterns::severities` (the last is "none").
    pub by_severity: Vec<usize>,
    pub total: usize,
    pub time_to_resolve_median: Option<f64>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Patterns {
    pub root_causes: Vec<PatternRow>,
    pub contributing_factors: Vec<PatternRow>,
    pub components: Vec<PatternRow>,
    /// "month" or "quarter": months when the library spans three years or less.
    pub period: &'static str,
    pub periods: Vec<Period>,
    /// The scale, then "none" for incidents without a severity.
    pub severities: Vec<String>,
    pub window_days: u32,
}

pub fn median(values: &mut [i64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let mid = values.len() / 2;
    Some(if values.len() % 2 == 1 {
        values[mid] as f64
    } else {
        (values[mid - 1] + values[mid]) as f64 / 2.0
    })
}

fn rows(lib: &Library, terms: &Terms, window_days: u32) -> Vec<PatternRow> {
    let mut rows = terms
        .terms
        .iter()
        .filter_map(|t| {
            // Types whose metrics are off (a near miss, a game day) are not a pattern.
            let counted: Vec<usize> = t
                .incidents
                .iter()
                .copied()
                .filter(|&i| lib.derived[i].metrics)
                .collect();
            if counted.is_empty() {
                return None;
            }
            let derived: Vec<&Derived> = counted.iter().map(|&i| &lib.derived[i]).collect();
            // Impact ends when customers stop feeling it: at mitigation.
            let mut impact: Vec<i64> = derived
                .iter()
                .filter_map(|d| d.time_to_mitigate.or(d.time_to_resolve))
                .collect();
            let mut ttr: Vec<i64> = derived.iter().filter_map(|d| d.time_to_resolve).collect();
            let mut ttd: Vec<i64> = derived.iter().filter_map(|d| d.time_to_detect).collect();
            let mut dates: Vec<NaiveDate> = counted
                .iter()
                .filter_map(|&i| lib.incidents[i].date.map(|d| d.date()))
                .collect();
            dates.sort_unstable();
            let repeated = dates
                .windows(2)
                .any(|w| (w[1] - w[0]).num_days() <= i64::from(window_days));
            let impact_median = median(&mut impact);
            let ttd_median = median(&mut ttd);
            let ttr_median = median(&mut ttr);
            let window = i64::from(window_days);
            let age = |d: &NaiveDate| (lib.today - *d).num_days();
            let recent = dates
                .iter()
                .filter(|d| (0..window).contains(&age(d)))
                .count();
            let before = dates
                .iter()
                .filter(|d| (window..2 * window).contains(&age(d)))
                .count();
            Some(PatternRow {
                human: HumanDurations {
                    impact_total: human(Some(impact.iter().sum::<i64>() as f64)),
                    impact_median: human(impact_median),
                    time_to_detect_median: human(ttd_median),
                    time_to_resolve_median: human(ttr_median),
                },
                name: t.name.clone(),
                slug: t.slug.clone(),
                count: counted.len(),
                impact_minutes_total: impact.iter().sum(),
                impact_minutes_median: impact_median,
                time_to_detect_median: ttd_median,
                time_to_resolve_median: ttr_median,
                first: dates.first().copied(),
                last: dates.last().copied(),
                repeated,
                recent,
                before,
                trend: match recent.cmp(&before) {
                    std::cmp::Ordering::Greater => "up",
                    std::cmp::Ordering::Less => "down",
                    std::cmp::Ordering::Equal => "same",
                },
            })
        })
        .collect::<Vec<_>>();
    // What is coming back now first, then what came most often.
    rows.sort_by_key(|r| std::cmp::Reverse((r.recent, r.count)));
    rows
}

pub fn patterns(lib: &Library, scale: &[String], window_days: u32) -> Patterns {
    let dated: Vec<(usize, NaiveDate)> = lib
        .counted()
        .filter_map(|i| lib.incidents[i].date.map(|d| (i, d.date())))
        .collect();
    let (first, last) = match (
        dated.iter().map(|d| d.1).min(),
        dated.iter().map(|d| d.1).max(),
    ) {
        (Some(a), Some(b)) => (a, b),
        _ => (NaiveDate::MIN, NaiveDate::MIN),
    };
    let months = (last.year() - first.year()) * 12 + last.month() as i32 - first.month() as i32 + 1;
    let by_month = months <= 36;
    let key = |d: NaiveDate| {
        if by_month {
            (d.year(), d.month0())
        } else {
            (d.year(), d.month0() / 3)
        }
    };
    let label = |(y, p): (i32, u32)| {
        if by_month {
            format!("{y}-{:02}", p + 1)
        } else {
            format!("{y} Q{}", p + 1)
        }
    };
    let mut severities: Vec<String> = scale.to_vec();
    severities.push("none".into());
    let mut periods = Vec::new();
    if !dated.is_empty() {
        let (mut k, end) = (key(first), key(last));
        let step = if by_month { 12 } else { 4 };
        loop {
            let in_period: Vec<usize> = dated
                .iter()
                .filter(|(_, d)| key(*d) == k)
                .map(|(i, _)| *i)
                .collect();
            let mut by_severity = vec![0; severities.len()];
            for &i in &in_period {
                let s = lib.incidents[i]
                    .severity
                    .as_ref()
                    .and_then(|s| scale.iter().position(|x| x == s));
                by_severity[s.unwrap_or(scale.len())] += 1;
            }
            let mut ttr: Vec<i64> = in_period
                .iter()
                .filter_map(|&i| lib.derived[i].time_to_resolve)
                .collect();
            periods.push(Period {
                label: label(k),
                by_severity,
                total: in_period.len(),
                time_to_resolve_median: median(&mut ttr),
            });
            if k == end {
                break;
            }
            k = if k.1 + 1 == step {
                (k.0 + 1, 0)
            } else {
                (k.0, k.1 + 1)
            };
        }
    }
    Patterns {
        root_causes: rows(lib, lib.terms(Taxonomy::RootCauses), window_days),
        contributing_factors: rows(lib, lib.terms(Taxonomy::ContributingFactors), window_days),
        components: rows(lib, lib.terms(Taxonomy::Components), window_days),
        period: if by_month { "month" } else { "quarter" },
        periods,
        severities,
        window_days,
    }
}

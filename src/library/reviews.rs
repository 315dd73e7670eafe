//! Operational reviews: per quarter, month or week, the period's incidents by severity and
//! type, the median and 90th percentile of time to detect, mitigate and resolve against the
//! period before (medians and percentiles: a mean of durations is one outage's), the
//! post-mortems published and how late, the action items opened, done and overdue, and the
//! terms that recurred.

use std::collections::BTreeMap;

use chrono::{Datelike, Months, NaiveDate, Weekday};
use serde::Serialize;

use super::Library;
use super::terms::Taxonomy;
use crate::config::PeriodKind;
use crate::dates::human_minutes;

/// A period's start, from any day in it.
pub fn period_start(kind: PeriodKind, day: NaiveDate) -> NaiveDate {
    match kind {
        PeriodKind::Quarter => {
            NaiveDate::from_ymd_opt(day.year(), day.month0() / 3 * 3 + 1, 1).unwrap_or(day)
        }
        PeriodKind::Month => day.with_day(1).unwrap_or(day),
        PeriodKind::Week => {
            let w = day.iso_week();
            NaiveDate::from_isoywd_opt(w.year(), w.week(), Weekday::Mon).unwrap_or(day)
        }
    }
}

/// The start of the period after the one starting at `start`.
pub fn next_start(kind: PeriodKind, start: NaiveDate) -> NaiveDate {
    match kind {
        PeriodKind::Quarter => start.checked_add_months(Months::new(3)),
        PeriodKind::Month => start.checked_add_months(Months::new(1)),
        PeriodKind::Week => start.checked_add_days(chrono::Days::new(7)),
    }
    .unwrap_or(NaiveDate::MAX)
}

/// The period's URL segment: `2024-q1`, `2024-03`, `2024-w09`.
pub fn period_slug(kind: PeriodKind, start: NaiveDate) -> String {
    match kind {
        PeriodKind::Quarter => format!("{}-q{}", start.year(), start.month0() / 3 + 1),
        PeriodKind::Month => start.format("%Y-%m").to_string(),
        PeriodKind::Week => {
            let w = start.iso_week();
            format!("{}-w{:02}", w.year(), w.week())
        }
    }
}

/// The period as a reader names it: `2024 Q1`, `March 2024`, `Week 9 of 2024`.
pub fn period_label(kind: PeriodKind, start: NaiveDate) -> String {
    match kind {
        PeriodKind::Quarter => format!("{} Q{}", start.year(), start.month0() / 3 + 1),
        PeriodKind::Month => start.format("%B %Y").to_string(),
        PeriodKind::Week => {
            let w = start.iso_week();
            format!(
                "Week {} of {} (from {})",
                w.week(),
                w.year(),
                start.format("%-d %B")
            )
        }
    }
}

/// The median and 90th percentile (nearest rank) of a set of minutes.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Spread {
    pub count: usize,
    pub median: Option<f64>,
    pub p90: Option<i64>,
    /// As people read them (`1h 5m`), `–` for none.
    pub median_human: String,
    pub p90_human: String,
}

pub fn spread(mut minutes: Vec<i64>) -> Spread {
    let count = minutes.len();
    let median = super::patterns::median(&mut minutes);
    let p90 = (!minutes.is_empty()).then(|| {
        let rank = (0.9 * count as f64).ceil() as usize;
        minutes[rank.clamp(1, count) - 1]
    });
    let human = |m: Option<i64>| m.map_or("–".to_string(), human_minutes);
    Spread {
        count,
        median_human: human(median.map(|m| m.round() as i64)),
        p90_human: human(p90),
        median,
        p90,
    }
}

/// One duration against the period before.
#[derive(Debug, Clone, Serialize)]
pub struct DurationRow {
    pub label: &'static str,
    pub now: Spread,
    pub before: Spread,
    /// `better`, `worse` or `same` by the median (shorter is better); empty when either
    /// period has none.
    pub change: &'static str,
}

/// A post-mortem published in the period, and how many days after resolution.
#[derive(Debug, Clone, Serialize)]
pub struct Published {
    pub incident: usize,
    pub lag_days: Option<i64>,
    pub late: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReviewPeriod {
    pub kind: PeriodKind,
    pub slug: String,
    pub label: String,
    pub start: NaiveDate,
    /// The first day after it.
    pub end: NaiveDate,
    /// Incidents that began in it, newest first.
    pub incidents: Vec<usize>,
    /// (severity, count) in the scale's order, then none.
    pub by_severity: Vec<(String, usize)>,
    pub by_type: Vec<(String, usize)>,
    pub durations: Vec<DurationRow>,
    pub published: Vec<Published>,
    pub publish_lag: Spread,
    pub actions_opened: usize,
    pub actions_done: usize,
    pub actions_overdue: usize,
    /// Components, root causes and contributing factors on two or more of its incidents.
    pub recurring: Vec<(Taxonomy, String, usize)>,
    /// On the current period only: drafts and post-mortems in review past
    /// `publish_within_days` today, with the days past, latest first (builds with drafts).
    pub overdue_reviews: Vec<(usize, i64)>,
    /// The slugs of the pages before and after (none at the ends): the nearest periods with
    /// an incident or a publication.
    pub previous: Option<String>,
    pub next: Option<String>,
}

/// Days from an incident's resolution (else its start) to its publication.
pub fn publication_lag(inc: &crate::content::model::Incident) -> Option<i64> {
    let done = inc.resolved.or(inc.mitigated).or(inc.date)?;
    let published = inc.published?;
    Some((published.date() - done.date()).num_days().max(0))
}

/// The median days from resolution to publication over some incidents.
pub fn lag_median(lib: &Library, incidents: impl Iterator<Item = usize>) -> Option<f64> {
    let mut days: Vec<i64> = incidents
        .filter_map(|i| publication_lag(&lib.incidents[i]))
        .collect();
    super::patterns::median(&mut days)
}

/// Drafts and post-mortems in review past the publication target today, latest first.
pub fn overdue_reviews(lib: &Library, publish_within_days: u32) -> Vec<(usize, i64)> {
    let mut out: Vec<(usize, i64)> = (0..lib.incidents.len())
        .filter_map(|i| {
            let late =
                super::review::lateness(&lib.incidents[i], lib.today, publish_within_days, 0);
            late.publish_overdue_days.map(|d| (i, d))
        })
        .collect();
    out.sort_by_key(|&(_, d)| std::cmp::Reverse(d));
    out
}

/// Every period of `kind` with an incident or a publication, and the current one, oldest
/// first.
pub fn periods(
    lib: &Library,
    kind: PeriodKind,
    scale: &[String],
    publish_within_days: u32,
) -> Vec<ReviewPeriod> {
    let mut began: BTreeMap<NaiveDate, Vec<usize>> = BTreeMap::new();
    let mut published: BTreeMap<NaiveDate, Vec<usize>> = BTreeMap::new();
    for (i, inc) in lib.incidents.iter().enumerate() {
        if let Some(d) = inc.date {
            began
                .entry(period_start(kind, d.date()))
                .or_default()
                .push(i);
        }
        if let Some(p) = inc.published {
            published
                .entry(period_start(kind, p.date()))
                .or_default()
                .push(i);
        }
    }
    // The periods with an incident or a publication, and the current one: a date mistyped
    // as the year 1 adds one page, not eight thousand empty quarters.
    let mut starts: std::collections::BTreeSet<NaiveDate> =
        began.keys().chain(published.keys()).copied().collect();
    if starts.is_empty() {
        return Vec::new();
    }
    starts.insert(period_start(kind, lib.today));
    let none = Vec::new();
    let mut out: Vec<ReviewPeriod> = Vec::new();
    let mut before_durations: [Vec<i64>; 3] = Default::default();
    for start in starts {
        // The period before counts only when it is the one just before.
        if out.last().is_none_or(|p| p.end != start) {
            before_durations = Default::default();
        }
        let end = next_start(kind, start);
        let incidents = began.get(&start).unwrap_or(&none).clone();
        let counted: Vec<usize> = incidents
            .iter()
            .copied()
            .filter(|&i| lib.derived[i].metrics)
            .collect();
        let mut by_severity: Vec<(String, usize)> = scale.iter().map(|s| (s.clone(), 0)).collect();
        by_severity.push(("none".into(), 0));
        let mut by_type: BTreeMap<String, usize> = BTreeMap::new();
        for &i in &incidents {
            let inc = &lib.incidents[i];
            let at = inc
                .severity
                .as_ref()
                .and_then(|s| scale.iter().position(|x| x == s))
                .unwrap_or(scale.len());
            by_severity[at].1 += 1;
            *by_type.entry(inc.incident_type.clone()).or_default() += 1;
        }
        let pick = |f: fn(&super::Derived) -> Option<i64>| -> Vec<i64> {
            counted.iter().filter_map(|&i| f(&lib.derived[i])).collect()
        };
        let now: [Vec<i64>; 3] = [
            pick(|d| d.time_to_detect),
            pick(|d| d.time_to_mitigate),
            pick(|d| d.time_to_resolve),
        ];
        let durations = ["Time to detect", "Time to mitigate", "Time to resolve"]
            .into_iter()
            .zip(now.iter().cloned().zip(before_durations.iter().cloned()))
            .map(|(label, (now, before))| {
                let (now, before) = (spread(now), spread(before));
                let change = match (now.median, before.median) {
                    (Some(a), Some(b)) if a < b => "better",
                    (Some(a), Some(b)) if a > b => "worse",
                    (Some(_), Some(_)) => "same",
                    _ => "",
                };
                DurationRow {
                    label,
                    now,
                    before,
                    change,
                }
            })
            .collect();
        let mut published_here: Vec<Published> = published
            .get(&start)
            .unwrap_or(&none)
            .iter()
            .map(|&i| {
                let lag_days = publication_lag(&lib.incidents[i]);
                Published {
                    incident: i,
                    lag_days,
                    late: lag_days.is_some_and(|d| d > i64::from(publish_within_days)),
                }
            })
            .collect();
        published_here.sort_by_key(|p| std::cmp::Reverse(lib.incidents[p.incident].published));
        let publish_lag = spread(published_here.iter().filter_map(|p| p.lag_days).collect());
        let (mut opened, mut done, mut overdue) = (0, 0, 0);
        for &i in &incidents {
            for (a, d) in lib.incidents[i]
                .action_items
                .iter()
                .zip(&lib.derived[i].actions)
            {
                opened += 1;
                done += usize::from(a.done);
                overdue += usize::from(d.overdue);
            }
        }
        let mut recurring = Vec::new();
        for t in [
            Taxonomy::Components,
            Taxonomy::RootCauses,
            Taxonomy::ContributingFactors,
        ] {
            let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
            for &i in &counted {
                for v in t.values(&lib.incidents[i]) {
                    *counts.entry(v.as_str()).or_default() += 1;
                }
            }
            recurring.extend(
                counts
                    .into_iter()
                    .filter(|(_, n)| *n >= 2)
                    .map(|(v, n)| (t, v.to_string(), n)),
            );
        }
        recurring.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.1.cmp(&b.1)));
        recurring.truncate(10);
        let slug = period_slug(kind, start);
        if let Some(prev) = out.last_mut() {
            prev.next = Some(slug.clone());
        }
        out.push(ReviewPeriod {
            kind,
            label: period_label(kind, start),
            previous: out.last().map(|p| p.slug.clone()),
            next: None,
            slug,
            start,
            end,
            incidents,
            by_severity,
            by_type: by_type.into_iter().collect(),
            durations,
            published: published_here,
            publish_lag,
            actions_opened: opened,
            actions_done: done,
            actions_overdue: overdue,
            recurring,
            overdue_reviews: if (start..end).contains(&lib.today) {
                overdue_reviews(lib, publish_within_days)
            } else {
                Vec::new()
            },
        });
        before_durations = now;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn periods_are_named_and_stepped() {
        let d = day("2024-03-14");
        assert_eq!(
            period_slug(PeriodKind::Quarter, period_start(PeriodKind::Quarter, d)),
            "2024-q1"
        );
        assert_eq!(
            period_slug(PeriodKind::Month, period_start(PeriodKind::Month, d)),
            "2024-03"
        );
        let w = period_start(PeriodKind::Week, d);
        assert_eq!(w, day("2024-03-11"));
        assert_eq!(period_slug(PeriodKind::Week, w), "2024-w11");
        assert_eq!(
            next_start(PeriodKind::Quarter, day("2024-10-01")),
            day("2025-01-01")
        );
        // The ISO year of a week can differ from the calendar year of its Monday.
        assert_eq!(
            period_slug(
                PeriodKind::Week,
                period_start(PeriodKind::Week, day("2025-12-31"))
            ),
            "2026-w01"
        );
    }

    #[test]
    fn medians_and_the_ninetieth_percentile() {
        let s = spread(vec![10, 20, 30, 40, 50, 60, 70, 80, 90, 1000]);
        assert_eq!(s.median, Some(55.0));
        assert_eq!(s.p90, Some(90));
        assert_eq!(spread(vec![]).median_human, "–");
        assert_eq!(spread(vec![5]).p90, Some(5));
    }
}

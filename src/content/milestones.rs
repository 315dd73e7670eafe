//! Milestones as people write them: which timeline entry marks the start of impact,
//! detection, mitigation and resolution, by stems and synonyms a library can extend in
//! `pmsite.toml` (`[milestones] detected = ["escalated to on-call"]`), and the durations a
//! post-mortem states ("Time to detection: 64 minutes", a Metrics row `TTD | 1h 4m`).

use std::sync::LazyLock;

use super::model::Milestone;
pub use crate::config::MilestoneWords;
use regex::Regex;

const BEGINS: &[&str] = &[
    "outage begins",
    "outage began",
    "outage starts",
    "outage started",
    "incident begins",
    "incident began",
    "incident starts",
    "incident started",
    "impact begins",
    "impact began",
    "impact starts",
    "impact started",
    "start of impact",
    "started failing",
    "began failing",
    "begins failing",
    "began",
    "begins",
];

const DETECTED: &[&str] = &[
    "detected",
    "detection",
    "first detected",
    "noticed",
    "notices",
    "alert fired",
    "alert fires",
    "alerts fired",
    "alert triggered",
    "alerted",
    "paged",
    "page fired",
    "pager",
    "pager storm",
    "reported by",
    "customer reported",
    "customers reported",
    "customer reports",
    "customers report",
    "user reported",
    "users reported",
    "reported",
    "on call notified",
    "on call acknowledged",
    "acknowledged",
    "alarm",
    "alarms fired",
    "incident declared",
    "declared an incident",
    "investigation began",
    "investigation started",
    "began investigating",
    "started investigating",
    "discovered",
];

const MITIGATED: &[&str] = &[
    "mitigated",
    "mitigation",
    "mitigates",
    "workaround",
    "rolled back",
    "rollback",
    "roll back",
    "reverted",
    "failed over",
    "failover",
    "repair",
    "stabilized",
    "stabilised",
];

const RESOLVED: &[&str] = &[
    "resolved",
    "resolution",
    "fixed",
    "all clear",
    "back to normal",
    "closed",
    "outage ends",
    "outage ended",
    "incident ends",
    "incident ended",
    "fully recovered",
    "fully restored",
    "service restored",
    "services restored",
    "recovered",
    "restored",
];

/// Lowercased words with common endings cut, so `rolled`, `rolling` and `rolls` are `roll`.
fn stem(word: &str) -> String {
    let w = word.to_lowercase();
    for suffix in ["ing", "ed", "es", "s"] {
        if let Some(base) = w.strip_suffix(suffix)
            && base.len() >= 3
        {
            return base.to_string();
        }
    }
    w
}

fn stems(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(stem)
        .collect()
}

/// The phrases, stemmed, each with its milestone, found by their first word; compiled once
/// per settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Milestones {
    by_first: rustc_hash::FxHashMap<String, Vec<(Vec<String>, Milestone)>>,
}

impl Default for Milestones {
    fn default() -> Self {
        Milestones::new(&MilestoneWords::default())
    }
}

impl Milestones {
    /// pmsite's phrases and the library's own, longest first under each first word.
    pub fn new(extra: &MilestoneWords) -> Milestones {
        let mut by_first: rustc_hash::FxHashMap<String, Vec<(Vec<String>, Milestone)>> =
            Default::default();
        for (defaults, extra, m) in [
            (BEGINS, &extra.begins, Milestone::Begins),
            (DETECTED, &extra.detected, Milestone::Detected),
            (MITIGATED, &extra.mitigated, Milestone::Mitigated),
            (RESOLVED, &extra.resolved, Milestone::Resolved),
        ] {
            for p in defaults
                .iter()
                .copied()
                .chain(extra.iter().map(String::as_str))
            {
                let s = stems(p);
                if let Some(first) = s.first() {
                    by_first.entry(first.clone()).or_default().push((s, m));
                }
            }
        }
        for list in by_first.values_mut() {
            list.sort_by_key(|(s, _)| std::cmp::Reverse(s.len()));
        }
        Milestones { by_first }
    }

    /// Each phrase found in the text: its position, length and milestone, in text order.
    fn found(&self, text: &str) -> Vec<(usize, usize, Milestone)> {
        let words = stems(text);
        let mut out = Vec::new();
        for (at, word) in words.iter().enumerate() {
            let Some(list) = self.by_first.get(word) else {
                continue;
            };
            for (phrase, m) in list {
                if words
                    .get(at..at + phrase.len())
                    .is_some_and(|w| w == phrase.as_slice())
                {
                    out.push((at, phrase.len(), *m));
                }
            }
        }
        out
    }

    /// Every milestone a phrase of the text names: "reverted; back to normal" was mitigated
    /// and resolved at once.
    pub fn all(&self, text: &str) -> Vec<Milestone> {
        let mut out = Vec::new();
        for (_, _, m) in self.found(text) {
            if !out.contains(&m) {
                out.push(m);
            }
        }
        out
    }

    /// The milestone whose phrase comes first in the text (a longer phrase at the same
    /// place wins): "paged; rollback started" was detected, not mitigated.
    pub fn of(&self, text: &str) -> Option<Milestone> {
        // `found` is in text order and, at one place, longest first.
        self.found(text).first().map(|(_, _, m)| *m)
    }
}

static STATED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(?:time\s+to\s+(?P<long>detect|detection|mitigate|mitigation|resolve|resolution|recover|recovery|repair)|(?P<short>TTD|TTM|TTR|MTTD|MTTM|MTTR))\b[^0-9\n]{0,12}?(?P<amount>(?:\d+(?:\.\d+)?\s*(?:d|days?|h|hrs?|hours?|m|mins?|minutes?|s|secs?|seconds?)\b\s*)+|\d+(?::\d{2}){1,2}\b|\d+(?:\.\d+)?)",
    )
    .expect("stated duration regex")
});

/// Durations a post-mortem states, in minutes: time to detect, mitigate and resolve.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stated {
    pub detect: Option<i64>,
    pub mitigate: Option<i64>,
    pub resolve: Option<i64>,
}

/// "Time to detection: 64 minutes", "TTR 2h 10m", "time to mitigate | 1:05" anywhere in the
/// body's text; a bare number is minutes.
pub fn stated_durations(text: &str) -> Stated {
    let mut out = Stated::default();
    for c in STATED.captures_iter(text) {
        let what = c
            .name("long")
            .or(c.name("short"))
            .map(|m| m.as_str().to_lowercase())
            .unwrap_or_default();
        let Some(minutes) = minutes_of(&c["amount"]) else {
            continue;
        };
        let slot = if what.starts_with("detect") || what.ends_with("ttd") {
            &mut out.detect
        } else if what.starts_with("mitigat") || what.ends_with("ttm") {
            &mut out.mitigate
        } else {
            &mut out.resolve
        };
        slot.get_or_insert(minutes);
    }
    out
}

/// One number and its unit in a stated duration (`2h`, `10 minutes`).
static AMOUNT_PART: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)(\d+(?:\.\d+)?)\s*([a-z]+)").expect("amount regex"));

fn minutes_of(amount: &str) -> Option<i64> {
    let a = amount.trim();
    if a.contains(':') {
        let parts: Vec<i64> = a
            .split(':')
            .map(|p| p.parse().ok())
            .collect::<Option<_>>()?;
        return Some(parts[0] * 60 + parts.get(1).copied().unwrap_or(0));
    }
    if let Ok(n) = a.parse::<f64>() {
        return Some(n.round() as i64);
    }
    let mut total = 0.0;
    for c in AMOUNT_PART.captures_iter(a) {
        let n: f64 = c[1].parse().ok()?;
        let unit = c[2].to_lowercase();
        total += match unit.chars().next()? {
            'd' => n * 1440.0,
            'h' => n * 60.0,
            's' => n / 60.0,
            _ => n,
        };
    }
    Some(total.round() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phrases_by_stem_first_in_the_text_wins() {
        let m = Milestones::default();
        assert_eq!(
            m.of("OUTAGE MITIGATED by rollback"),
            Some(Milestone::Mitigated)
        );
        assert_eq!(m.of("Incident resolved"), Some(Milestone::Resolved));
        assert_eq!(m.of("OUTAGE ENDS"), Some(Milestone::Resolved));
        assert_eq!(m.of("OUTAGE BEGINS"), Some(Milestone::Begins));
        assert_eq!(m.of("Pager storm starts"), Some(Milestone::Detected));
        assert_eq!(
            m.of("On-call paged; rollback started"),
            Some(Milestone::Detected)
        );
        assert_eq!(m.of("Rolling back the deploy"), Some(Milestone::Mitigated));
        assert_eq!(
            m.of("Customer reported slow checkout"),
            Some(Milestone::Detected)
        );
        assert_eq!(m.of("Things back to normal"), Some(Milestone::Resolved));
        assert_eq!(m.of("Impact begins for EU users"), Some(Milestone::Begins));
        assert_eq!(m.of("Deploy of 4.2"), None);
        assert_eq!(m.of("Investigation began"), Some(Milestone::Detected));
        assert_eq!(m.of("Errors began for EU users"), Some(Milestone::Begins));
        assert_eq!(m.of("Service recovered"), Some(Milestone::Resolved));
        assert_eq!(m.of("Hotfix deployed; fixed"), Some(Milestone::Resolved));
        assert_eq!(
            m.of("On-call acknowledged the page"),
            Some(Milestone::Detected)
        );
        let extended = Milestones::new(&MilestoneWords {
            detected: vec!["escalated to on-call".into()],
            ..MilestoneWords::default()
        });
        assert_eq!(
            extended.of("Escalated to on-call"),
            Some(Milestone::Detected)
        );
        assert_eq!(m.of("Escalated to on-call"), None);
    }

    #[test]
    fn stated_durations_in_prose_and_tables() {
        let s = stated_durations("Time to detection: 64 minutes. Time to resolve 2h 10m");
        assert_eq!((s.detect, s.resolve), (Some(64), Some(130)));
        let s = stated_durations("| Time to detect | 64m |\n| TTM | 1:05 |");
        assert_eq!((s.detect, s.mitigate), (Some(64), Some(65)));
        assert_eq!(stated_durations("Time to mitigate: 12").mitigate, Some(12));
    }
}

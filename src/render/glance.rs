//! What an incident page shows before its story: the milestone bar (impact began →
//! detected → mitigated → resolved, with the time between each) and the few numbers a reader
//! wants first.

use serde::Serialize;

use crate::content::model::Incident;
use crate::dates::{When, human_minutes};
use crate::library::Derived;
use crate::library::fields::{Field, grouped};

/// One milestone of the bar, with the time from the one before it.
#[derive(Debug, Serialize)]
pub struct Step {
    pub label: &'static str,
    /// As shown: the time on the first milestone's day (`21:04`), else the day and time.
    pub at: String,
    pub iso: String,
    /// From the milestone before (`7m`); None for the first.
    pub after: Option<String>,
}

/// The milestones the incident records, in order; empty when fewer than two are known.
pub fn milestones(incident: &Incident) -> Vec<Step> {
    let known: Vec<(&'static str, When)> = [
        ("Impact began", incident.date),
        ("Detected", incident.detected),
        ("Mitigated", incident.mitigated),
        ("Resolved", incident.resolved),
    ]
    .into_iter()
    .filter_map(|(label, w)| w.map(|w| (label, w)))
    .collect();
    if known.len() < 2 {
        return Vec::new();
    }
    let first_day = known[0].1.date();
    let mut out = Vec::new();
    let mut before: Option<When> = None;
    for (label, w) in known {
        let shown = w.display();
        let at = match shown.split_once(' ') {
            Some((_, time)) if !w.date_only && w.date() == first_day => time.to_string(),
            _ => shown,
        };
        out.push(Step {
            label,
            at,
            iso: w.rfc3339(),
            after: before
                .and_then(|b| b.minutes_until(&w))
                .filter(|m| *m >= 0)
                .map(human_minutes),
        });
        before = Some(w);
    }
    out
}

/// Three or four numbers, formatted: how long customers felt it, how long to resolve, and
/// the first numbers of `[impact]` (`1,200 customers affected`).
pub fn key_numbers(incident: &Incident, derived: &Derived) -> Vec<Field> {
    let mut out = Vec::new();
    if let Some(m) = derived.time_to_mitigate.or(derived.time_to_resolve) {
        out.push(Field {
            label: "customer impact".into(),
            value: human_minutes(m),
        });
    }
    if let Some(m) = derived.time_to_resolve {
        out.push(Field {
            label: "to resolve".into(),
            value: human_minutes(m),
        });
    }
    if let Some(days) =
        crate::library::reviews::publication_lag(incident).filter(|_| incident.published.is_some())
    {
        out.push(Field {
            label: "resolution to publication".into(),
            value: format!("{days} day{}", if days == 1 { "" } else { "s" }),
        });
    }
    for (key, value) in &incident.impact {
        if out.len() >= 4 {
            break;
        }
        if let Some(n) = value.as_f64().filter(|_| value.is_number()) {
            out.push(Field {
                label: key.replace(['_', '-'], " "),
                value: grouped(n),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::library::fields::grouped;

    #[test]
    fn numbers_are_grouped() {
        assert_eq!(grouped(1200.0), "1,200");
        assert_eq!(grouped(3418.0), "3,418");
        assert_eq!(grouped(1_000_000.0), "1,000,000");
        assert_eq!(grouped(999.0), "999");
        assert_eq!(grouped(0.5), "0.5");
        assert_eq!(grouped(-4200.0), "-4,200");
    }
}

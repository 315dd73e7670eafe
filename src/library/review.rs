//! The review queue: what a draft or in-review post-mortem still lacks.

use crate::content::model::Incident;

/// What reviewers will ask for, in words. The template's placeholder text counts as
/// missing: an untouched `pmsite new` draft is never ready.
pub fn missing(incident: &Incident, scale: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    let placeholders = crate::content::placeholders::found(incident);
    if !placeholders.is_empty() {
        out.push(format!(
            "the template's placeholder text in: {}",
            placeholders.join(", ")
        ));
    }
    for (empty, what) in [
        (incident.components.is_empty(), "no components"),
        (
            incident.root_causes.is_empty() && incident.contributing_factors.is_empty(),
            "no root causes or contributing factors",
        ),
        (incident.people.author.is_none(), "no author"),
        (incident.people.reviewers.is_empty(), "no reviewers"),
    ] {
        if empty {
            out.push(what.to_string());
        }
    }
    if incident.timeline.is_empty() {
        out.push("no timeline".to_string());
    }
    if incident.action_items.is_empty() {
        out.push("no action items".to_string());
    }
    let ownerless = incident
        .action_items
        .iter()
        .filter(|a| a.owner.is_none())
        .count();
    if ownerless > 0 {
        out.push(format!("{ownerless} action item(s) without an owner"));
    }
    // The two most severe levels of the scale (SEV1 and SEV2 by default) need words for customers.
    let severe = incident
        .severity
        .as_ref()
        .is_some_and(|s| scale.iter().take(2).any(|x| x == s));
    let message = incident.external_message.is_some()
        && !crate::content::placeholders::is_placeholder_message(incident);
    if severe && !message {
        out.push(format!(
            "no external message for a {}",
            incident.severity.as_deref().unwrap_or_default()
        ));
    }
    out
}

/// How late a post-mortem is for its targets, judged against `today`.
#[derive(Debug, Clone, Default, serde::Serialize, PartialEq)]
pub struct Lateness {
    /// Days since the incident was resolved (else mitigated, else began).
    pub days_since_resolved: Option<i64>,
    /// Days past `[review] publish_within_days`, for a post-mortem not yet published.
    pub publish_overdue_days: Option<i64>,
    /// Days past `[review] meeting_within_days` with no review meeting held or set.
    pub meeting_overdue_days: Option<i64>,
}

/// Whether a draft or in-review post-mortem is past its targets. A published one is never
/// overdue (its lag is `reviews::publication_lag`).
pub fn lateness(
    incident: &Incident,
    today: chrono::NaiveDate,
    publish_within_days: u32,
    meeting_within_days: u32,
) -> Lateness {
    let ended = incident.resolved.or(incident.mitigated).or(incident.date);
    let Some(ended) = ended else {
        return Lateness::default();
    };
    let since = (today - ended.date()).num_days();
    let past = |target: u32| Some(since - i64::from(target)).filter(|d| *d > 0);
    let unpublished = incident.status != crate::content::model::Status::Published;
    Lateness {
        days_since_resolved: Some(since),
        publish_overdue_days: if unpublished {
            past(publish_within_days)
        } else {
            None
        },
        meeting_overdue_days: if unpublished && incident.people.review_meeting.is_none() {
            past(meeting_within_days)
        } else {
            None
        },
    }
}

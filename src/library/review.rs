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

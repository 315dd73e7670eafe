//! The words `pmsite new`'s template puts in a post-mortem for its author to replace. A
//! draft still carrying one is not ready for review, and a published post-mortem carrying
//! one gets a warning: a reader would take "What customers were told." for what they were.

use super::model::Incident;

/// Each placeholder sentence of `src/scaffold/new.md`, with the part of the post-mortem it
/// stands in. A scaffold test keeps the two in step.
pub const TEMPLATE_TEXT: &[(&str, &str)] = &[
    (
        "One paragraph: what broke, for whom, for how long, and what fixed it.",
        "summary",
    ),
    (
        "What happened, in a paragraph a reader outside the team understands.",
        "Summary section",
    ),
    ("Who was affected, how, and for how long.", "Impact section"),
    (
        "What went wrong and why: the trigger, the root cause, the contributing factors.",
        "Analysis section",
    ),
    ("What customers were told.", "external message"),
];

/// The parts of an incident that still hold the template's words, in the template's order.
pub fn found(incident: &Incident) -> Vec<&'static str> {
    let summary = incident.summary.as_deref().unwrap_or_default().trim();
    let external = incident
        .external_message
        .as_ref()
        .map(|m| m.text.trim())
        .unwrap_or_default();
    TEMPLATE_TEXT
        .iter()
        .filter(|(text, _)| {
            summary == *text || external == *text || incident.body_text.contains(text)
        })
        .map(|(_, part)| *part)
        .collect()
}

/// The external message is the template's, not words for customers.
pub fn is_placeholder_message(incident: &Incident) -> bool {
    incident
        .external_message
        .as_ref()
        .is_some_and(|m| TEMPLATE_TEXT.iter().any(|(t, _)| m.text.trim() == *t))
}

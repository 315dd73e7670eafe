//! What the digest says is late or out of step: post-mortems overdue for review, tickets
//! that disagree with their items, and the latest operational review to read.

use serde::Serialize;

use crate::config::Config;
use crate::content::model::Status;
use crate::library::Library;
use crate::library::teams::TeamFacts;

/// An action item whose ticket and post-mortem disagree (`.pmsite/tickets.json`).
#[derive(Serialize)]
pub(super) struct Drifted {
    text: String,
    incident_id: String,
    ticket: String,
    drift: &'static str,
    url: String,
}

/// Every published item whose ticket disagrees with it; a team's items when a team digest.
pub(super) fn drifted(lib: &Library, config: &Config, team: Option<&TeamFacts>) -> Vec<Drifted> {
    let mut out = Vec::new();
    for (i, inc) in lib.incidents.iter().enumerate() {
        if inc.status != Status::Published || team.is_some_and(|t| !t.incidents.contains(&i)) {
            continue;
        }
        for (a, d) in inc.action_items.iter().zip(&lib.derived[i].actions) {
            if let Some(words) = d.ticket.as_ref().and_then(|t| t.drift_words) {
                out.push(Drifted {
                    text: a.text.clone(),
                    incident_id: inc.id.clone(),
                    ticket: a.ticket.as_ref().map(|t| t.id.clone()).unwrap_or_default(),
                    drift: words,
                    url: crate::routes::Route::Incident(&inc.slug).absolute(config),
                });
            }
        }
    }
    out
}

/// A draft past `[review] publish_within_days`.
#[derive(Serialize)]
pub(super) struct LateReview {
    id: String,
    title: String,
    days_past: i64,
    author: Option<String>,
}

/// Drafts and post-mortems in review past their publication target, latest first; a
/// team's when it is a team digest.
pub(super) fn late_reviews(
    lib: &Library,
    config: &Config,
    team: Option<&TeamFacts>,
) -> Vec<LateReview> {
    let mut out: Vec<LateReview> = (0..lib.incidents.len())
        .filter(|&i| team.is_none_or(|t| t.incidents.contains(&i)))
        .filter_map(|i| {
            let inc = &lib.incidents[i];
            let late = crate::library::review::lateness(
                inc,
                lib.today,
                config.review.publish_within_days,
                config.review.meeting_within_days,
            );
            late.publish_overdue_days.map(|days_past| LateReview {
                id: inc.id.clone(),
                title: inc.title.clone(),
                days_past,
                author: inc.people.author.clone(),
            })
        })
        .collect();
    out.sort_by_key(|r| std::cmp::Reverse(r.days_past));
    out
}

/// The latest operational review that has ended (else the one in progress), of the first
/// kind `[review] periods` names: (label, absolute URL).
pub(super) fn latest_review(lib: &Library, config: &Config) -> Option<(String, String)> {
    let kind = config.review.periods.first()?;
    let periods: Vec<&crate::library::reviews::ReviewPeriod> =
        lib.reviews.iter().filter(|p| p.kind == *kind).collect();
    let p = periods
        .iter()
        .rev()
        .find(|p| p.end <= lib.today)
        .or(periods.last())?;
    Some((
        p.label.clone(),
        crate::routes::Route::ReviewPeriod(&p.slug).absolute(config),
    ))
}

//! What the trackers say of each action item's ticket (`.pmsite/tickets.json`), and where
//! the ticket and the post-mortem disagree.

use chrono::NaiveDate;
use serde::Serialize;

use crate::config::Config;
use crate::config::tickets::ticket_ref;
use crate::content::model::ActionItem;

/// Where an item's ticket and its post-mortem disagree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Drift {
    /// The ticket is closed; the post-mortem still lists the item open.
    TicketClosed,
    /// The item is marked done; its ticket is still open.
    TicketOpen,
    /// The tracker has no such ticket.
    TicketMissing,
}

impl Drift {
    pub fn words(self) -> &'static str {
        match self {
            Drift::TicketClosed => "ticket closed, item still open",
            Drift::TicketOpen => "item done, ticket still open",
            Drift::TicketMissing => "ticket not found in the tracker",
        }
    }
}

/// An item's ticket as last synced.
#[derive(Debug, Clone, Serialize)]
pub struct TicketFacts {
    /// `open`, `closed` or `missing`.
    pub state: &'static str,
    /// The tracker's word (`In Progress`).
    pub status: String,
    pub assignee: Option<String>,
    pub closed_on: Option<NaiveDate>,
    pub drift: Option<Drift>,
    /// `drift`'s words, for templates.
    pub drift_words: Option<&'static str>,
}

/// The synced state of an item's ticket; none when the item has no ticket a configured
/// tracker answers for, or it was not synced yet.
pub fn facts(item: &ActionItem, config: &Config) -> Option<TicketFacts> {
    let ticket = item.ticket.as_ref()?;
    let states = &config.ticket_states;
    if states.tickets.is_empty() {
        return None;
    }
    let key = ticket_ref(&ticket.id, ticket.url.as_deref(), &config.tickets)?.key();
    let state = states.tickets.get(&key)?;
    let drift = if state.missing {
        Some(Drift::TicketMissing)
    } else if state.is_closed() && !item.done {
        Some(Drift::TicketClosed)
    } else if !state.is_closed() && item.done {
        Some(Drift::TicketOpen)
    } else {
        None
    };
    Some(TicketFacts {
        state: if state.missing {
            "missing"
        } else if state.is_closed() {
            "closed"
        } else {
            "open"
        },
        status: state.status.clone(),
        assignee: state.assignee.clone(),
        closed_on: state.closed_on,
        drift,
        drift_words: drift.map(Drift::words),
    })
}

//! The action-item tracker: `/actions/` (every item in the order to act on it),
//! `/actions/owners/` and `/actions/incidents/`.

use rayon::prelude::*;
use serde::Serialize;

use super::Site;
use crate::content::model::{ActionType, Ticket};
use crate::error::Result;
use crate::library::tracker;
use crate::markdown::escape_html as esc;
use crate::output::Sink;
use crate::routes::{self, Route};

#[derive(Serialize)]
struct ActionRow<'a> {
    incident_id: &'a str,
    incident_title: &'a str,
    incident_url: String,
    severity: Option<&'a str>,
    text: &'a str,
    owner: Option<&'a str>,
    due: Option<String>,
    due_from_priority: bool,
    priority: Option<&'a str>,
    #[serde(rename = "type")]
    kind: Option<ActionType>,
    ticket: Option<&'a Ticket>,
    done: bool,
    overdue: bool,
    age_days: Option<i64>,
}

#[derive(Serialize)]
struct ActionGroup {
    name: String,
    url: Option<String>,
    open: usize,
    overdue: usize,
    done: usize,
    /// The open items' rows, rendered.
    rows_html: String,
}

impl Site<'_> {
    pub(super) fn action_row_html(&self, item: tracker::ItemRef) -> String {
        action_row_html(&self.action_row(item))
    }

    fn action_row(&self, (i, k): tracker::ItemRef) -> ActionRow<'_> {
        let inc = &self.lib.incidents[i];
        let item = &inc.action_items[k];
        let d = &self.lib.derived[i].actions[k];
        ActionRow {
            incident_id: &inc.id,
            incident_title: &inc.title,
            incident_url: routes::incident_url(&self.config.root_path(), &inc.slug),
            severity: inc.severity.as_deref(),
            text: &item.text,
            owner: item.owner.as_deref(),
            due: d.due.map(|x| x.to_string()),
            due_from_priority: d.due_from_priority,
            priority: item.priority.as_deref(),
            kind: item.kind,
            ticket: item.ticket.as_ref(),
            done: item.done,
            overdue: d.overdue,
            age_days: tracker::age_days(self.lib, i, self.lib.today),
        }
    }

    /// A group of items: counts of all, rows of the open ones. `html[n]` is the row of `ordered[n]`.
    fn group(
        &self,
        name: String,
        url: Option<String>,
        positions: &[usize],
        ordered: &[tracker::ItemRef],
        html: &[String],
    ) -> ActionGroup {
        let item = |p: usize| {
            let (i, k) = ordered[p];
            (
                &self.lib.incidents[i].action_items[k],
                &self.lib.derived[i].actions[k],
            )
        };
        ActionGroup {
            name,
            url,
            open: positions.iter().filter(|&&p| !item(p).0.done).count(),
            overdue: positions.iter().filter(|&&p| item(p).1.overdue).count(),
            done: positions.iter().filter(|&&p| item(p).0.done).count(),
            // Grouped views list what is still to do; the counts keep the done ones.
            rows_html: join_rows(
                positions
                    .iter()
                    .filter(|&&p| !item(p).0.done)
                    .map(|&p| html[p].as_str()),
            ),
        }
    }

    /// `/actions/` (every item in the order to act on it), `/actions/owners/`, `/actions/incidents/`.
    pub(super) fn write_actions(&self, sink: &dyn Sink) -> Result<usize> {
        let ordered = tracker::ordered(self.lib);
        // Each row is written once and shared by the three views: at 10,000 incidents there
        // are some 55,000 items, too many to pass through a template one by one.
        let html: Vec<String> = ordered
            .par_iter()
            .map(|&r| action_row_html(&self.action_row(r)))
            .collect();
        let position: rustc_hash::FxHashMap<tracker::ItemRef, usize> =
            ordered.iter().enumerate().map(|(p, r)| (*r, p)).collect();
        let flags = |p: usize| {
            let (i, k) = ordered[p];
            (
                self.lib.incidents[i].action_items[k].done,
                self.lib.derived[i].actions[k].overdue,
            )
        };
        let mut ctx = self.context();
        ctx.insert("open", &(0..ordered.len()).filter(|&p| !flags(p).0).count());
        ctx.insert(
            "overdue",
            &(0..ordered.len()).filter(|&p| flags(p).1).count(),
        );
        ctx.insert("done", &(0..ordered.len()).filter(|&p| flags(p).0).count());
        ctx.insert("quarters", &tracker::per_quarter(self.lib));
        let rows: Vec<&str> = html.iter().map(String::as_str).collect();
        self.write_with_rows(
            sink,
            &Route::Actions.path(),
            "actions.html",
            &mut ctx,
            &rows,
        )?;
        let mut count = 1;

        let owners: Vec<ActionGroup> = tracker::by_owner(self.lib, &ordered)
            .into_iter()
            .map(|(owner, items)| {
                let positions: Vec<usize> = items.iter().map(|r| position[r]).collect();
                self.group(
                    owner.unwrap_or_else(|| "no owner".into()),
                    None,
                    &positions,
                    &ordered,
                    &html,
                )
            })
            .collect();
        let mut ctx = self.context();
        ctx.insert("view", "owner");
        ctx.insert("groups", &owners);
        count += self.page(
            sink,
            &Route::ActionsByOwner.path(),
            "actions_grouped.html",
            &ctx,
        )?;

        let root = self.config.root_path();
        let mut by_incident: Vec<Vec<usize>> = vec![Vec::new(); self.lib.incidents.len()];
        for (p, (i, _)) in ordered.iter().enumerate() {
            by_incident[*i].push(p);
        }
        let incidents: Vec<ActionGroup> = by_incident
            .iter()
            .enumerate()
            // Incidents whose items are all done have nothing to show here.
            .filter(|(_, positions)| positions.iter().any(|&p| !flags(p).0))
            .map(|(i, positions)| {
                let inc = &self.lib.incidents[i];
                self.group(
                    format!("{}: {}", inc.id, inc.title),
                    Some(routes::incident_url(&root, &inc.slug)),
                    positions,
                    &ordered,
                    &html,
                )
            })
            .collect();
        let mut ctx = self.context();
        ctx.insert("view", "incident");
        ctx.insert("groups", &incidents);
        count += self.page(
            sink,
            &Route::ActionsByIncident.path(),
            "actions_grouped.html",
            &ctx,
        )?;
        Ok(count)
    }
}

/// One row of an action-item table. Written here rather than in a template because of
/// their number; the theme styles it through its classes (`done`, `overdue`, `open`,
/// `col-incident`, `due`).
fn action_row_html(a: &ActionRow<'_>) -> String {
    let (class, badge) = if a.done {
        ("done", "<span class=\"badge badge-done\">done</span>")
    } else if a.overdue {
        (
            "overdue",
            "<span class=\"badge badge-overdue\">overdue</span>",
        )
    } else {
        ("open", "<span class=\"badge badge-open\">open</span>")
    };
    let owner = match a.owner {
        Some(o) => esc(o),
        None => "<span class=\"muted\">no owner</span>".to_string(),
    };
    let due = match &a.due {
        Some(d) if a.due_from_priority => format!("{d} <span class=\"muted\">(target)</span>"),
        Some(d) => d.clone(),
        None => String::new(),
    };
    let (age_sort, age) = match a.age_days {
        Some(days) => (days.to_string(), format!("{days}d")),
        None => (String::new(), String::new()),
    };
    // On a phone a row is a block: its numbers carry their names.
    let due_label = if due.is_empty() {
        ""
    } else {
        " data-label=\"due\""
    };
    let age_label = if age.is_empty() {
        ""
    } else {
        " data-label=\"age\""
    };
    let ticket = match a.ticket {
        Some(Ticket { id, url: Some(url) }) => format!("<a href=\"{}\">{}</a>", esc(url), esc(id)),
        Some(Ticket { id, url: None }) => esc(id),
        None => String::new(),
    };
    format!(
        "<tr class=\"{class}\"><td>{badge}</td><td>{}</td><td class=\"nowrap col-incident\"><a href=\"{}\" title=\"{}\">{}</a></td><td>{owner}</td><td class=\"due\"{due_label}>{due}</td><td data-sort=\"{age_sort}\"{age_label}>{age}</td><td>{}</td><td>{ticket}</td></tr>",
        esc(a.text),
        esc(&a.incident_url),
        esc(a.incident_title),
        esc(a.incident_id),
        esc(a.priority.unwrap_or("")),
    )
}

/// Rows rendered from a partial, one per line.
pub fn join_rows<'a>(rows: impl Iterator<Item = &'a str>) -> String {
    let mut out = String::new();
    for row in rows {
        out.push_str(row.trim_end());
        out.push('\n');
    }
    out
}

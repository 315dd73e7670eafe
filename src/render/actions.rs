//! The action-item tracker: `/actions/` (every item in the order to act on it),
//! `/actions/owners/` and `/actions/incidents/`.

use rayon::prelude::*;
use serde::Serialize;

use super::Site;
use super::views::Pager;
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
    ticket_state: Option<&'a crate::library::tickets::TicketFacts>,
    done: bool,
    overdue: bool,
    age_days: Option<i64>,
}

/// A row of the owners' and incidents' summaries.
#[derive(Serialize)]
struct GroupRow {
    name: String,
    url: String,
    open: usize,
    overdue: usize,
    done: usize,
}

/// A link of the tracker's filter bar.
#[derive(Serialize)]
struct FilterLink {
    name: String,
    url: String,
    count: usize,
    current: bool,
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
            ticket_state: d.ticket.as_ref(),
            done: item.done,
            overdue: d.overdue,
            // A done item's age says nothing: when it was done is not recorded.
            age_days: if item.done {
                None
            } else {
                tracker::age_days(self.lib, i, self.lib.today)
            },
        }
    }

    /// `/actions/` and every view of it (state, priority, owner), a page per
    /// `tracker::PAGE_ITEMS` items; `/actions/owners/` and `/actions/incidents/` as summaries.
    pub(super) fn write_actions(&self, sink: &dyn Sink) -> Result<usize> {
        let lib = self.lib;
        let root = self.config.root_path();
        let views = &lib.action_views;
        // Overdue, open, done: the three state views one after the other are every item in
        // the tracker's order.
        let ordered: &Vec<tracker::ItemRef> = &views[..3]
            .iter()
            .flat_map(|v| v.items.iter().copied())
            .collect();
        // Each row is written once and shared by every view: at 10,000 incidents there are
        // some 55,000 items, too many to pass through a template one by one.
        let html: Vec<String> = ordered
            .par_iter()
            .map(|&r| action_row_html(&self.action_row(r)))
            .collect();
        let position: rustc_hash::FxHashMap<tracker::ItemRef, usize> =
            ordered.iter().enumerate().map(|(p, r)| (*r, p)).collect();
        let url = |filter: &str, page: usize| Route::ActionView(filter, page).url(&root);
        let states: Vec<FilterLink> = views[..3]
            .iter()
            .map(|v| FilterLink {
                name: match v.filter.as_str() {
                    "" => "overdue".into(),
                    "open" => "open, not overdue".into(),
                    other => other.to_string(),
                },
                url: url(&v.filter, 1),
                count: v.items.len(),
                current: false,
            })
            .collect();
        let priorities: Vec<FilterLink> = views
            .iter()
            .filter(|v| v.filter.starts_with("priority/"))
            .map(|v| FilterLink {
                name: v.title.trim_start_matches("Priority ").to_string(),
                url: url(&v.filter, 1),
                count: v.items.len(),
                current: false,
            })
            .collect();
        let mut count = 0;
        for view in views {
            let owner_view = view.filter.starts_with("owners/");
            let pages = routes::pages(view.items.len(), tracker::PAGE_ITEMS);
            for page in 1..=pages {
                let mut ctx = self.context();
                let mark = |links: &[FilterLink]| -> Vec<FilterLink> {
                    links
                        .iter()
                        .map(|l| FilterLink {
                            name: l.name.clone(),
                            url: l.url.clone(),
                            count: l.count,
                            current: l.url == url(&view.filter, 1),
                        })
                        .collect()
                };
                ctx.insert("states", &mark(&states));
                ctx.insert("priorities", &mark(&priorities));
                ctx.insert("title", &view.title);
                ctx.insert("every_item", &view.filter.is_empty());
                ctx.insert("owner_view", &owner_view);
                ctx.insert("total", &view.items.len());
                ctx.insert("pager", &Pager::new(&url(&view.filter, 1), page, pages));
                ctx.insert("overdue", &views[0].items.len());
                // Each number is the length of the list it links: "open" is the open items
                // not yet overdue, as `/actions/open/` lists them.
                ctx.insert("open", &views[1].items.len());
                ctx.insert("done", &views[2].items.len());
                if view.filter.is_empty() && page == 1 {
                    ctx.insert("quarters", &tracker::per_quarter(lib));
                }
                let rows: Vec<&str> = view
                    .items
                    .iter()
                    .skip((page - 1) * tracker::PAGE_ITEMS)
                    .take(tracker::PAGE_ITEMS)
                    .map(|r| html[position[r]].as_str())
                    .collect();
                let path = Route::ActionView(&view.filter, page).path();
                self.write_with_rows(sink, &path, "actions.html", &mut ctx, &rows)?;
                count += 1;
            }
        }

        // Owners: most overdue first; those with nothing open folded away.
        let flags = |&(i, k): &tracker::ItemRef| {
            (
                lib.incidents[i].action_items[k].done,
                lib.derived[i].actions[k].overdue,
            )
        };
        let group_row = |name: String, url: String, items: &[tracker::ItemRef]| GroupRow {
            name,
            url,
            open: items.iter().filter(|r| !flags(r).0).count(),
            overdue: items.iter().filter(|r| flags(r).1).count(),
            done: items.iter().filter(|r| flags(r).0).count(),
        };
        let mut owners: Vec<GroupRow> = tracker::by_owner(lib, ordered)
            .into_iter()
            .map(|(owner, items)| match owner {
                Some(o) => {
                    let url = url(&format!("owners/{}", crate::vocabulary::term_slug(&o)), 1);
                    group_row(o, url, &items)
                }
                None => group_row("no owner".into(), String::new(), &items),
            })
            .collect();
        owners.sort_by_key(|g| {
            (
                std::cmp::Reverse((g.overdue, g.open)),
                g.name.to_lowercase(),
            )
        });
        let (busy, idle): (Vec<GroupRow>, Vec<GroupRow>) =
            owners.into_iter().partition(|g| g.open > 0);
        let mut ctx = self.context();
        ctx.insert("view", "owner");
        ctx.insert("groups", &busy);
        ctx.insert("idle", &idle);
        count += self.page(
            sink,
            &Route::ActionsByOwner.path(),
            "actions_grouped.html",
            &ctx,
        )?;

        let mut by_incident: Vec<Vec<tracker::ItemRef>> = vec![Vec::new(); lib.incidents.len()];
        for r in ordered {
            by_incident[r.0].push(*r);
        }
        let mut incidents: Vec<GroupRow> = by_incident
            .iter()
            .enumerate()
            // Incidents whose items are all done have nothing to show here.
            .filter(|(_, items)| items.iter().any(|r| !flags(r).0))
            .map(|(i, items)| {
                let inc = &lib.incidents[i];
                group_row(
                    format!("{}: {}", inc.id, inc.title),
                    routes::incident_url(&root, &inc.slug),
                    items,
                )
            })
            .collect();
        incidents.sort_by_key(|g| std::cmp::Reverse((g.overdue, g.open)));
        // A page at 100,000 incidents is no bigger than at 1,000.
        let pages = routes::pages(incidents.len(), routes::GROUP_PAGE);
        let first = Route::ActionsByIncident.url(&root);
        for page in 1..=pages {
            let from = (page - 1) * routes::GROUP_PAGE;
            let rows = &incidents
                [from.min(incidents.len())..(from + routes::GROUP_PAGE).min(incidents.len())];
            let mut ctx = self.context();
            ctx.insert("view", "incident");
            ctx.insert("groups", rows);
            ctx.insert("group_count", &incidents.len());
            ctx.insert("idle", &Vec::<GroupRow>::new());
            ctx.insert("pager", &Pager::new(&first, page, pages));
            let path = if page == 1 {
                Route::ActionsByIncident.path()
            } else {
                Route::ActionsByIncidentPage(page).path()
            };
            count += self.page(sink, &path, "actions_grouped.html", &ctx)?;
        }
        Ok(count)
    }
}

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
    // The age sorts by days; on a phone the stylesheet names the due and age cells.
    let age_sort = if age_sort.is_empty() {
        String::new()
    } else {
        format!(" data-sort=\"{age_sort}\"")
    };
    let mut ticket = match a.ticket {
        Some(Ticket { id, url: Some(url) }) => format!("<a href=\"{}\">{}</a>", esc(url), esc(id)),
        Some(Ticket { id, url: None }) => esc(id),
        None => String::new(),
    };
    ticket.push_str(&ticket_state_html(a.ticket_state));
    format!(
        "<tr class=\"{class}\"><td>{badge}</td><td>{}</td><td><a href=\"{}\" title=\"{}\">{}</a></td><td>{owner}</td><td>{due}</td><td{age_sort}>{age}</td><td>{}</td><td>{ticket}</td></tr>",
        esc(a.text),
        esc(&a.incident_url),
        esc(a.incident_title),
        esc(a.incident_id),
        esc(a.priority.unwrap_or("")),
    )
}

/// A ticket's synced state beside its link: `closed · ana`, and any drift, flagged.
/// The incident page's template writes the same.
pub fn ticket_state_html(facts: Option<&crate::library::tickets::TicketFacts>) -> String {
    let Some(f) = facts else {
        return String::new();
    };
    let mut out = format!(
        " <span class=\"ticket-state ticket-{}\">{}</span>",
        f.state, f.state
    );
    if let Some(a) = &f.assignee {
        out.push_str(&format!(" <span class=\"muted\">{}</span>", esc(a)));
    }
    if let Some(words) = f.drift_words {
        out.push_str(&format!(" <strong class=\"drift\">{words}</strong>"));
    }
    out
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

//! The tracking pages: taxonomy indexes and term pages, the action-item tracker, patterns,
//! external messages, the impact CSV and the review queue.

use rayon::prelude::*;
use serde::Serialize;
use tera::Context;

use super::Site;
use super::charts;
use super::views::{IncidentRow, incident_url};
use crate::content::model::{ActionType, Status, Ticket};
use crate::error::{Error, Result};
use crate::feeds;
use crate::library::terms::Taxonomy;
use crate::library::{review, tracker};
use crate::markdown::escape_html as esc;
use crate::output::Sink;

#[derive(Serialize)]
pub struct TermLink {
    pub name: String,
    pub url: String,
    pub count: usize,
}

pub fn term_url(root: &str, taxonomy: Taxonomy, slug: &str) -> String {
    format!("{root}{}/{slug}/", taxonomy.path())
}

#[derive(Serialize)]
struct TaxonomyView {
    path: &'static str,
    title: &'static str,
    singular: &'static str,
}

impl From<Taxonomy> for TaxonomyView {
    fn from(t: Taxonomy) -> Self {
        TaxonomyView {
            path: t.path(),
            title: t.title(),
            singular: t.singular(),
        }
    }
}

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

#[derive(Serialize)]
struct ExternalView<'a> {
    row: &'a IncidentRow,
    html: std::borrow::Cow<'a, str>,
    mitigated: Option<String>,
    resolved: Option<String>,
}

#[derive(Serialize)]
struct ReviewView<'a> {
    row: &'a IncidentRow,
    author: Option<&'a str>,
    reviewers: &'a [String],
    review_meeting: Option<String>,
    missing: Vec<String>,
}

impl Site<'_> {
    fn page(&self, sink: &dyn Sink, path: &str, template: &str, ctx: &Context) -> Result<usize> {
        sink.write(path, &self.render(template, ctx)?)?;
        Ok(1)
    }

    /// `/components/`, `/components/<slug>/` and the same for tags, root causes, severities.
    /// `row_html` holds each incident's rendered table row.
    pub(super) fn write_terms(&self, sink: &dyn Sink, row_html: &[String]) -> Result<usize> {
        let root = self.config.root_path();
        let mut count = 0;
        for taxonomy in Taxonomy::ALL {
            let terms = self.lib.terms(taxonomy);
            let links: Vec<TermLink> = terms
                .terms
                .iter()
                .map(|t| TermLink {
                    name: t.name.clone(),
                    url: term_url(&root, taxonomy, &t.slug),
                    count: t.incidents.len(),
                })
                .collect();
            let mut ctx = self.context();
            ctx.insert("taxonomy", &TaxonomyView::from(taxonomy));
            ctx.insert("terms", &links);
            count += self.page(
                sink,
                &format!("{}/index.html", taxonomy.path()),
                "terms.html",
                &ctx,
            )?;
            for (term, link) in terms.terms.iter().zip(&links) {
                let mut ctx = self.context();
                ctx.insert("taxonomy", &TaxonomyView::from(taxonomy));
                ctx.insert("term", link);
                let rows: Vec<&str> = term
                    .incidents
                    .iter()
                    .map(|&i| row_html[i].as_str())
                    .collect();
                let path = format!("{}/{}/index.html", taxonomy.path(), term.slug);
                self.write_with_rows(sink, &path, "term.html", &mut ctx, &rows)?;
                count += 1;
            }
        }
        Ok(count)
    }

    fn action_row(&self, (i, k): tracker::ItemRef) -> ActionRow<'_> {
        let inc = &self.lib.incidents[i];
        let item = &inc.action_items[k];
        let d = &self.lib.derived[i].actions[k];
        ActionRow {
            incident_id: &inc.id,
            incident_title: &inc.title,
            incident_url: incident_url(&self.config.root_path(), inc),
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
        self.write_with_rows(sink, "actions/index.html", "actions.html", &mut ctx, &rows)?;
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
            "actions/owners/index.html",
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
                    Some(incident_url(&root, inc)),
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
            "actions/incidents/index.html",
            "actions_grouped.html",
            &ctx,
        )?;
        Ok(count)
    }

    /// `/patterns/` with its two charts, also written as standalone SVG files.
    pub(super) fn write_patterns(&self, sink: &dyn Sink) -> Result<usize> {
        let p = &self.lib.patterns;
        let by_severity = crate::escape::xml_text(&charts::incidents_by_severity(p)).into_owned();
        let ttr = crate::escape::xml_text(&charts::time_to_resolve(p)).into_owned();
        sink.write("patterns/incidents-by-severity.svg", by_severity.as_bytes())?;
        sink.write("patterns/time-to-resolve.svg", ttr.as_bytes())?;
        let root = self.config.root_path();
        let mut ctx = self.context();
        ctx.insert("patterns", p);
        ctx.insert("chart_severity", &by_severity);
        ctx.insert("chart_ttr", &ttr);
        ctx.insert(
            "root_cause_base",
            &format!("{root}{}/", Taxonomy::RootCauses.path()),
        );
        ctx.insert(
            "component_base",
            &format!("{root}{}/", Taxonomy::Components.path()),
        );
        Ok(2 + self.page(sink, "patterns/index.html", "patterns.html", &ctx)?)
    }

    /// `/external/`: every external message, newest first, for Sales.
    pub(super) fn write_external(&self, sink: &dyn Sink, rows: &[IncidentRow]) -> Result<usize> {
        let root = self.config.root_path();
        let messages: Vec<ExternalView<'_>> = self
            .lib
            .incidents
            .iter()
            .enumerate()
            .filter_map(|(i, inc)| {
                let m = inc.external_message.as_ref()?;
                Some(ExternalView {
                    row: &rows[i],
                    html: super::views::resolve_wiki_links(
                        &m.html,
                        &inc.links,
                        &self.lib.derived[i],
                        self.lib,
                        &root,
                    ),
                    mitigated: inc.mitigated.map(|w| w.display()),
                    resolved: inc.resolved.map(|w| w.display()),
                })
            })
            .collect();
        let mut ctx = self.context();
        ctx.insert("messages", &messages);
        self.page(sink, "external/index.html", "external.html", &ctx)
    }

    /// `/review/`: drafts and post-mortems in review, in builds that show them.
    pub(super) fn write_review(&self, sink: &dyn Sink, rows: &[IncidentRow]) -> Result<usize> {
        let queue: Vec<ReviewView<'_>> = self
            .lib
            .incidents
            .iter()
            .enumerate()
            .filter(|(_, inc)| inc.status != Status::Published)
            .map(|(i, inc)| ReviewView {
                row: &rows[i],
                author: inc.people.author.as_deref(),
                reviewers: &inc.people.reviewers,
                review_meeting: inc.people.review_meeting.map(|w| w.display()),
                missing: review::missing(inc, &self.config.severities),
            })
            .collect();
        let mut ctx = self.context();
        ctx.insert("queue", &queue);
        self.page(sink, "review/index.html", "review.html", &ctx)
    }

    /// `/rss.xml` and `/atom.xml` for the library, and `atom.xml` beside each component,
    /// tag and root cause page.
    pub(super) fn write_feeds(&self, sink: &dyn Sink) -> Result<usize> {
        let base = self.config.base();
        let limit = self.config.feeds.limit;
        let all = feeds::entries(self.lib, 0..self.lib.incidents.len());
        let home = format!("{base}/");
        let description = if self.config.description.is_empty() {
            "Newly published post-mortems"
        } else {
            &self.config.description
        };
        let rss_url = format!("{base}/rss.xml");
        let meta = |self_url| feeds::FeedMeta {
            title: &self.config.title,
            description,
            page_url: &home,
            self_url,
        };
        sink.write(
            "rss.xml",
            feeds::rss(self.config, self.lib, &meta(&rss_url), &all, limit).as_bytes(),
        )?;
        let atom_url = format!("{base}/atom.xml");
        sink.write(
            "atom.xml",
            feeds::atom(self.config, self.lib, &meta(&atom_url), &all, limit).as_bytes(),
        )?;
        let mut count = 2;
        for taxonomy in [Taxonomy::Components, Taxonomy::Tags, Taxonomy::RootCauses] {
            for term in &self.lib.terms(taxonomy).terms {
                let entries = feeds::entries(self.lib, term.incidents.iter().copied());
                let page_url = format!("{base}/{}/{}/", taxonomy.path(), term.slug);
                let self_url = format!("{page_url}atom.xml");
                let title = format!(
                    "{}: {} {}",
                    self.config.title,
                    taxonomy.singular(),
                    term.name
                );
                let description = format!(
                    "Post-mortems with the {} {}",
                    taxonomy.singular(),
                    term.name
                );
                let meta = feeds::FeedMeta {
                    title: &title,
                    description: &description,
                    page_url: &page_url,
                    self_url: &self_url,
                };
                let path = format!("{}/{}/atom.xml", taxonomy.path(), term.slug);
                sink.write(
                    &path,
                    feeds::atom(self.config, self.lib, &meta, &entries, limit).as_bytes(),
                )?;
                count += 1;
            }
        }
        Ok(count)
    }

    /// `/impact.csv`: per incident the dates, durations, severity, components and every
    /// `[impact]` field, for Finance.
    pub(super) fn write_impact_csv(&self, sink: &dyn Sink) -> Result<usize> {
        let mut keys: Vec<&str> = Vec::new();
        for inc in &self.lib.incidents {
            for k in inc.impact.keys() {
                if !keys.contains(&k.as_str()) {
                    keys.push(k);
                }
            }
        }
        let mut w = csv::Writer::from_writer(Vec::new());
        let mut header: Vec<String> = [
            "id",
            "title",
            "url",
            "severity",
            "status",
            "date",
            "published",
            "detected",
            "mitigated",
            "resolved",
            "time_to_detect_minutes",
            "time_to_mitigate_minutes",
            "time_to_resolve_minutes",
            "components",
            "root_causes",
        ]
        .map(String::from)
        .to_vec();
        // `[impact]` keys are the authors' words too: a header cell is neutralised like data.
        header.extend(keys.iter().map(|k| cell(k)));
        let csv_err = |e: csv::Error| Error::Refused(format!("impact.csv: {e}"));
        w.write_record(&header).map_err(csv_err)?;
        for (inc, d) in self.lib.incidents.iter().zip(&self.lib.derived) {
            let when = |w: Option<crate::dates::When>| w.map(|w| w.rfc3339()).unwrap_or_default();
            let num = |m: Option<i64>| m.map(|m| m.to_string()).unwrap_or_default();
            let mut record = vec![
                cell(&inc.id),
                cell(&inc.title),
                self.config.incident_url(&inc.slug),
                cell(inc.severity.as_deref().unwrap_or("")),
                inc.status.as_str().to_string(),
                when(inc.date),
                when(inc.publication_date()),
                when(inc.detected),
                when(inc.mitigated),
                when(inc.resolved),
                num(d.time_to_detect),
                num(d.time_to_mitigate),
                num(d.time_to_resolve),
                cell(&inc.components.join("; ")),
                cell(&inc.root_causes.join("; ")),
            ];
            for k in &keys {
                record.push(match inc.impact.get(*k) {
                    None | Some(serde_json::Value::Null) => String::new(),
                    Some(serde_json::Value::String(s)) => cell(s),
                    Some(serde_json::Value::Bool(b)) => b.to_string(),
                    Some(serde_json::Value::Number(n)) => n.to_string(),
                    Some(other) => cell(&other.to_string()),
                });
            }
            w.write_record(&record).map_err(csv_err)?;
        }
        let bytes = w
            .into_inner()
            .map_err(|e| Error::Refused(format!("impact.csv: {e}")))?;
        sink.write("impact.csv", &bytes)?;
        Ok(1)
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
    let ticket = match a.ticket {
        Some(Ticket { id, url: Some(url) }) => format!("<a href=\"{}\">{}</a>", esc(url), esc(id)),
        Some(Ticket { id, url: None }) => esc(id),
        None => String::new(),
    };
    format!(
        "<tr class=\"{class}\"><td>{badge}</td><td>{}</td><td class=\"nowrap col-incident\"><a href=\"{}\" title=\"{}\">{}</a></td><td>{owner}</td><td class=\"due\">{due}</td><td data-sort=\"{age_sort}\">{age}</td><td>{}</td><td>{ticket}</td></tr>",
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

/// Text for a spreadsheet cell (`escape::csv_cell`).
fn cell(text: &str) -> String {
    crate::escape::csv_cell(text).into_owned()
}

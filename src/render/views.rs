//! What templates see: plain serializable views with every value preformatted, so templates
//! stay simple and a library's overrides need no logic.

use serde::Serialize;
use std::borrow::Cow;

use crate::config::Config;
use crate::content::model::{BodyPart, Incident, Status, TocEntry};
use crate::dates::{When, human_minutes};
use crate::library::fields::{Field, map_fields, people_fields};
use crate::library::links::MdTarget;
use crate::library::terms::Taxonomy;
use crate::library::{Derived, Library};
use crate::markdown::{LinkSlot, escape_html};

#[derive(Serialize)]
pub struct SiteView {
    pub title: String,
    pub description: String,
    /// The site's path prefix, ending in `/`: every link starts with it.
    pub root: String,
    pub base_url: String,
    pub generated: String,
    /// `generated` as a reader reads it: "1 December 2026, 14:37 UTC".
    pub generated_human: String,
    pub drafts: bool,
    /// The URLs of the site's fixed pages by name (`site.pages.actions`), from `routes`.
    pub pages: std::collections::BTreeMap<&'static str, String>,
    /// Whether the vocabulary has teams (the nav links `/teams/`).
    pub teams: bool,
}

impl SiteView {
    pub fn new(config: &Config, drafts: bool, generated: &str) -> Self {
        SiteView {
            title: config.title.clone(),
            description: config.description.clone(),
            root: config.root_path(),
            base_url: config.base().to_string(),
            generated: generated.to_string(),
            generated_human: chrono::DateTime::parse_from_rfc3339(generated)
                .map(|t| t.format("%-d %B %Y, %H:%M UTC").to_string())
                .unwrap_or_else(|_| generated.to_string()),
            drafts,
            pages: crate::routes::page_urls(&config.root_path()),
            teams: !config.vocabulary.teams.is_empty(),
        }
    }
}

/// The links from one page of a long list to its others.
#[derive(Serialize)]
pub struct Pager {
    pub page: usize,
    pub pages: usize,
    pub prev: Option<String>,
    pub next: Option<String>,
}

impl Pager {
    /// Page `page` of `pages` of the list whose first page is at `first`.
    pub fn new(first: &str, page: usize, pages: usize) -> Pager {
        Pager {
            page,
            pages,
            prev: (page > 1).then(|| crate::routes::page_url(first, page - 1)),
            next: (page < pages).then(|| crate::routes::page_url(first, page + 1)),
        }
    }
}

/// An incident as a row in lists.
#[derive(Serialize)]
pub struct IncidentRow {
    pub id: String,
    pub title: String,
    pub url: String,
    pub severity: Option<String>,
    pub status: &'static str,
    pub date: Option<String>,
    pub date_iso: Option<String>,
    /// The day it was published (or its date), for lists ordered by publication.
    pub published: Option<String>,
    pub year: Option<i32>,
    pub components: Vec<String>,
    pub tags: Vec<String>,
    pub root_causes: Vec<String>,
    pub contributing_factors: Vec<String>,
    pub summary: Option<String>,
    /// The type's name when it is not the default (`near-miss`), for a badge.
    pub incident_type: Option<String>,
    pub time_to_resolve: Option<String>,
    pub time_to_resolve_minutes: Option<i64>,
}

pub fn incident_url(root: &str, incident: &Incident) -> String {
    crate::routes::incident_url(root, &incident.slug)
}

/// The file an incident's page is written to, relative to the site.
pub fn incident_file(incident: &Incident) -> String {
    crate::routes::Route::Incident(&incident.slug)
        .path()
        .into_owned()
}

impl IncidentRow {
    pub fn new(root: &str, incident: &Incident, derived: &Derived) -> Self {
        IncidentRow {
            id: incident.id.clone(),
            title: incident.title.clone(),
            url: incident_url(root, incident),
            severity: incident.severity.clone(),
            status: incident.status.as_str(),
            date: incident.date.map(|d| d.date().to_string()),
            date_iso: incident.date.map(|d| d.rfc3339()),
            published: incident.publication_date().map(|d| d.date().to_string()),
            year: incident.date.map(|d| chrono::Datelike::year(&d.date())),
            components: incident.components.clone(),
            tags: incident.tags.clone(),
            root_causes: incident.root_causes.clone(),
            contributing_factors: incident.contributing_factors.clone(),
            summary: incident.summary.clone(),
            incident_type: (incident.incident_type != crate::vocabulary::types::DEFAULT_TYPE)
                .then(|| incident.incident_type.clone()),
            time_to_resolve: derived.time_to_resolve.map(human_minutes),
            time_to_resolve_minutes: derived.time_to_resolve,
        }
    }
}

#[derive(Serialize)]
pub struct TermLink {
    pub name: String,
    pub url: String,
    pub count: usize,
}

impl TermLink {
    /// A term's name, page and number of incidents, as every list of terms shows them.
    pub fn of(root: &str, taxonomy: Taxonomy, term: &crate::library::terms::Term) -> TermLink {
        TermLink {
            name: term.name.clone(),
            url: crate::routes::term_url(root, taxonomy, &term.slug),
            count: term.incidents.len(),
        }
    }
}

#[derive(Serialize)]
pub struct TimelineView<'a> {
    /// The quiet time before this entry when it is long (`30h`), drawn as a break.
    pub gap: Option<String>,
    pub day: Option<String>,
    /// As written, or `HH:MM` from the front matter's time.
    pub time: String,
    pub written: bool,
    /// `HH:MM` and the zone, in the time's own offset.
    pub normal: String,
    pub zone: String,
    pub iso: Option<String>,
    pub text: String,
    /// The words as written (code, emphasis, links), as HTML; empty for front matter's.
    pub html: Cow<'a, str>,
    /// The links not already in `html`.
    pub sources: Vec<crate::content::model::Source>,
    pub milestone: Option<crate::content::model::Milestone>,
    /// Whether the milestone's label is shown: not when the text already says it
    /// ("… OUTAGE BEGINS", "(mitigated)").
    pub label: bool,
    /// What the author wrote under the entry, as HTML.
    pub notes: Cow<'a, str>,
}

#[derive(Serialize)]
pub struct ActionView<'a> {
    pub text: String,
    /// The item's words as the author wrote them, links and all, as HTML; empty for items
    /// from front matter.
    pub html: Cow<'a, str>,
    /// What the author wrote with the item that is not a field, as HTML.
    pub notes: Cow<'a, str>,
    pub owner: Option<String>,
    pub due: Option<String>,
    pub due_from_priority: bool,
    pub priority: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<crate::content::model::ActionType>,
    pub ticket: Option<crate::content::model::Ticket>,
    /// The ticket as last synced, with any drift from the item.
    pub ticket_state: Option<crate::library::tickets::TicketFacts>,
    /// The author's words already link the ticket: the ticket column does not repeat it.
    pub ticket_in_text: bool,
    pub done: bool,
    pub overdue: bool,
    /// The author's word for its state, for its badge.
    pub status_word: Option<String>,
}

#[derive(Serialize)]
pub struct LinkView {
    pub id: String,
    pub title: String,
    pub url: String,
    pub reason: Option<String>,
}

#[derive(Serialize)]
pub struct IncidentPage<'a> {
    #[serde(flatten)]
    pub row: IncidentRow,
    pub severity_url: Option<String>,
    pub component_links: Vec<TermLink>,
    pub root_cause_links: Vec<TermLink>,
    pub factor_links: Vec<TermLink>,
    pub tag_links: Vec<TermLink>,
    pub status_banner: Option<String>,
    /// The incident's type when it is not the default one (`Near miss`), with its page.
    pub type_badge: Option<TermLink>,
    /// Why the library's metrics leave this one out, for a type whose metrics are off.
    pub metrics_note: Option<String>,
    /// "1 overdue, 2 open, 3 done": above the action items, so what is late is read first.
    pub action_summary: Option<String>,
    /// Whether any action item has a type: the table's Type column is left out otherwise.
    pub action_types: bool,
    /// Impact began → detected → mitigated → resolved, with the time between.
    pub milestones: Vec<super::glance::Step>,
    /// The numbers a reader wants first, formatted.
    pub key_numbers: Vec<Field>,
    /// The level the contents' numbered entries are at (the page's top headings).
    pub toc_top: u8,
    pub restricted: bool,
    pub dates: Vec<Field>,
    pub durations: Vec<Field>,
    pub people: Vec<Field>,
    pub impact: Vec<Field>,
    pub extra: Vec<Field>,
    pub toc: Vec<TocEntry>,
    pub body: Vec<PartView<'a>>,
    pub timeline: Vec<TimelineView<'a>>,
    pub action_items: Vec<ActionView<'a>>,
    pub external_message: Option<Cow<'a, str>>,
    pub related: Vec<LinkView>,
    pub backlinks: Vec<LinkView>,
    pub edit_url: Option<String>,
}

/// A body part as the template sees it, the prose borrowed from the library where it needs
/// no rewriting.
#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PartView<'a> {
    Prose {
        html: Cow<'a, str>,
    },
    /// The timeline entries `from..to`, where the author wrote them.
    Timeline {
        from: usize,
        to: usize,
    },
    /// The action items `from..to`, in `order`: the author's. (Overdue and open first would
    /// reorder what the author wrote; the table's counts line says what is overdue instead.)
    ActionItems {
        from: usize,
        to: usize,
        order: Vec<usize>,
    },
    ExternalMessage,
}

impl<'a> IncidentPage<'a> {
    pub fn new(config: &Config, lib: &'a Library, index: usize) -> Self {
        let root = config.root_path();
        let incident = &lib.incidents[index];
        let derived = &lib.derived[index];
        let status_banner = match incident.status {
            Status::Draft => Some("Draft: this post-mortem is not published; it is left out of production builds.".to_string()),
            Status::Review => Some("In review: this post-mortem is not published yet; it is left out of production builds.".to_string()),
            Status::Published => None,
        };
        let mut dates = Vec::new();
        let mut push_date = |label: &str, w: Option<When>| {
            if let Some(w) = w {
                dates.push(Field {
                    label: label.into(),
                    value: w.display(),
                });
            }
        };
        push_date("Impact began", incident.date);
        push_date("Detected", incident.detected);
        push_date("Mitigated", incident.mitigated);
        push_date("Resolved", incident.resolved);
        push_date("Published", incident.published);
        let mut durations = Vec::new();
        for (label, m) in [
            ("Time to detect", derived.time_to_detect),
            ("Time to mitigate", derived.time_to_mitigate),
            ("Time to resolve", derived.time_to_resolve),
        ] {
            if let Some(m) = m {
                durations.push(Field {
                    label: label.into(),
                    value: human_minutes(m),
                });
            }
        }
        let link = |j: usize, reason: Option<String>| {
            let other = &lib.incidents[j];
            LinkView {
                id: other.id.clone(),
                title: other.title.clone(),
                url: incident_url(&root, other),
                reason,
            }
        };
        let rewrite =
            |html: &'a str| resolve_wiki_links(html, &incident.links, derived, lib, &root);
        let links = |taxonomy: Taxonomy, values: &[String]| -> Vec<TermLink> {
            let terms = lib.terms(taxonomy);
            values
                .iter()
                .filter_map(|v| terms.get(v))
                .map(|t| TermLink::of(&root, taxonomy, t))
                .collect()
        };
        let kind = config.types.info(&incident.incident_type);
        let type_badge = (incident.incident_type != crate::vocabulary::types::DEFAULT_TYPE)
            .then(|| {
                links(
                    Taxonomy::Types,
                    std::slice::from_ref(&incident.incident_type),
                )
                .pop()
                .map(|l| TermLink {
                    name: kind.title.clone(),
                    ..l
                })
            })
            .flatten();
        let metrics_note = (!derived.metrics).then(|| {
            format!(
                "{}: listed and searchable with the library, but not counted in its durations, patterns, trends or the digest's counts.",
                kind.title
            )
        });
        let overdue = derived.actions.iter().filter(|d| d.overdue).count();
        let done = incident.action_items.iter().filter(|a| a.done).count();
        let open = incident.action_items.len() - done - overdue;
        let action_summary = (!incident.action_items.is_empty()).then(|| {
            [(overdue, "overdue"), (open, "open"), (done, "done")]
                .iter()
                .filter(|(n, _)| *n > 0)
                .map(|(n, w)| format!("{n} {w}"))
                .collect::<Vec<_>>()
                .join(", ")
        });
        IncidentPage {
            milestones: super::glance::milestones(incident),
            key_numbers: super::glance::key_numbers(incident, derived),
            toc_top: incident
                .toc
                .iter()
                .map(|t| t.level)
                .filter(|l| *l <= 3)
                .min()
                .unwrap_or(2),
            action_summary,
            action_types: incident.action_items.iter().any(|a| a.kind.is_some()),
            type_badge,
            metrics_note,
            severity_url: incident
                .severity
                .as_ref()
                .and_then(|s| links(Taxonomy::Severities, std::slice::from_ref(s)).pop())
                .map(|l| l.url),
            component_links: links(Taxonomy::Components, &incident.components),
            root_cause_links: links(Taxonomy::RootCauses, &incident.root_causes),
            factor_links: links(
                Taxonomy::ContributingFactors,
                &incident.contributing_factors,
            ),
            tag_links: links(Taxonomy::Tags, &incident.tags),
            row: IncidentRow::new(&root, incident, derived),
            status_banner,
            restricted: incident.visibility == crate::content::model::Visibility::Restricted,
            dates,
            durations,
            people: people_fields(&incident.people),
            impact: map_fields(&incident.impact),
            extra: map_fields(&incident.extra),
            toc: incident
                .toc
                .iter()
                .filter(|t| t.level <= 3)
                .cloned()
                .collect(),
            body: incident
                .body
                .iter()
                .map(|p| match p {
                    BodyPart::Prose(html) => PartView::Prose {
                        html: rewrite(html),
                    },
                    BodyPart::Timeline { from, to } => PartView::Timeline {
                        from: *from,
                        to: *to,
                    },
                    BodyPart::ActionItems { from, to } => PartView::ActionItems {
                        from: *from,
                        to: *to,
                        order: (*from..*to)
                            .filter(|&k| k < incident.action_items.len())
                            .collect(),
                    },
                    BodyPart::ExternalMessage => PartView::ExternalMessage,
                })
                .collect(),
            timeline: timeline_views(incident, &rewrite),
            action_items: incident
                .action_items
                .iter()
                .zip(&derived.actions)
                .map(|(a, d)| ActionView {
                    text: a.text.clone(),
                    html: rewrite(&a.html),
                    notes: rewrite(&a.notes),
                    owner: a.owner.clone(),
                    due: d.due.map(|d| d.to_string()),
                    due_from_priority: d.due_from_priority,
                    priority: a.priority.clone(),
                    kind: a.kind,
                    ticket: a.ticket.clone(),
                    ticket_state: d.ticket.clone(),
                    ticket_in_text: a.ticket.as_ref().is_some_and(|t| {
                        !a.html.is_empty()
                            && a.html
                                .contains(&format!(">{}</a>", tera::escape_html(&t.id)))
                    }),
                    done: a.done,
                    overdue: d.overdue,
                    status_word: a.status_word.clone(),
                })
                .collect(),
            external_message: incident.external_message.as_ref().map(|m| rewrite(&m.html)),
            related: derived
                .related
                .iter()
                .map(|r| link(r.index, Some(r.reason.clone())))
                .collect(),
            backlinks: derived.backlinks.iter().map(|&j| link(j, None)).collect(),
            edit_url: config
                .edit_url
                .as_ref()
                .map(|pattern| pattern.replace("{path}", &incident.source)),
        }
    }
}

/// Minutes between two timeline entries from which the quiet between them is shown.
const GAP_MINUTES: i64 = 120;

fn timeline_views<'a>(
    incident: &'a Incident,
    rewrite: &impl Fn(&'a str) -> Cow<'a, str>,
) -> Vec<TimelineView<'a>> {
    let mut last_day = None;
    let mut last_at: Option<crate::dates::When> = None;
    incident
        .timeline
        .iter()
        .map(|e| {
            // A long quiet spell is drawn as one: two hours or more since the last timed entry.
            let gap = match (last_at, e.at) {
                (Some(before), Some(at)) => before
                    .minutes_until(&at)
                    .filter(|m| *m >= GAP_MINUTES)
                    .map(human_minutes),
                _ => None,
            };
            if e.at.is_some() {
                last_at = e.at;
            }
            let (day, time, zone, iso) = match e.at {
                Some(at) => {
                    let day = at.at.date_naive();
                    let shown = (last_day != Some(day)).then(|| day.to_string());
                    last_day = Some(day);
                    let offset = at.at.offset().local_minus_utc();
                    let zone = if offset == 0 {
                        "UTC".to_string()
                    } else {
                        at.at.format("%:z").to_string()
                    };
                    let normal = format!("{} {zone}", at.at.format("%H:%M"));
                    (shown, normal, zone, Some(at.rfc3339()))
                }
                None => (None, String::new(), String::new(), None),
            };
            // The time as the author wrote it (`3:45pm PST`), the normalised one as its title.
            let written = !e.time_text.is_empty();
            let (time, normal) = if written {
                (e.time_text.clone(), time)
            } else {
                (time.split(' ').next().unwrap_or_default().to_string(), time)
            };
            TimelineView {
                gap,
                day,
                time,
                written,
                normal,
                zone,
                iso,
                text: e.text.clone(),
                html: rewrite(&e.html),
                sources: e
                    .sources
                    .get(e.sources_in_text..)
                    .unwrap_or_default()
                    .to_vec(),
                milestone: e.milestone,
                label: e.milestone.is_some_and(|m| {
                    let word = match m {
                        crate::content::model::Milestone::Begins => "begin",
                        crate::content::model::Milestone::Detected => "detect",
                        crate::content::model::Milestone::Mitigated => "mitigat",
                        crate::content::model::Milestone::Resolved => "resolv",
                    };
                    !e.text.to_lowercase().contains(word)
                }),
                notes: rewrite(&e.notes),
            }
        })
        .collect()
}

/// Fills the link slots of rendered prose: a wiki link becomes a link to its incident (or
/// plain text when it matches none), a link to a post-mortem's `.md` file a link to its page
/// (or the path as written when it names none).
pub fn resolve_wiki_links<'h>(
    html: &'h str,
    links: &[crate::content::model::PageLink],
    derived: &Derived,
    lib: &Library,
    root: &str,
) -> Cow<'h, str> {
    crate::markdown::fill_slots(html, |slot| match slot {
        LinkSlot::Wiki(i) => match derived.wiki_targets.get(i).copied().flatten() {
            Some(j) => {
                let other = &lib.incidents[j];
                (
                    format!(
                        "<a class=\"wikilink\" href=\"{}\" title=\"{}\">",
                        escape_html(&incident_url(root, other)),
                        escape_html(&other.title),
                    ),
                    "</a>".into(),
                )
            }
            None => (
                "<span class=\"wikilink unresolved\">".into(),
                "</span>".into(),
            ),
        },
        LinkSlot::Page(i) => {
            let link = links.get(i);
            let href = match derived.md_targets.get(i).cloned().flatten() {
                Some(MdTarget::Url(url)) => url,
                Some(MdTarget::Text) => return (String::new(), String::new()),
                None => link.map(|l| l.url.clone()).unwrap_or_default(),
            };
            let title = link
                .filter(|l| !l.title.is_empty())
                .map(|l| format!(" title=\"{}\"", escape_html(&l.title)))
                .unwrap_or_default();
            (
                format!("<a href=\"{}\"{title}>", escape_html(&href)),
                "</a>".into(),
            )
        }
    })
}

//! `/incidents.json`: the whole library for wikis, dashboards and scripts, in the shape
//! DESIGN.md fixes.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::config::Config;
use crate::content::model::{ActionType, People};
use crate::dates::When;
use crate::library::Library;

#[derive(Serialize)]
struct Document<'a> {
    generated: &'a str,
    incidents: Vec<IncidentJson<'a>>,
}

#[derive(Serialize)]
struct IncidentJson<'a> {
    id: &'a str,
    title: &'a str,
    url: String,
    status: &'static str,
    severity: Option<&'a str>,
    date: Option<When>,
    published: Option<When>,
    detected: Option<When>,
    mitigated: Option<When>,
    resolved: Option<When>,
    time_to_detect_minutes: Option<i64>,
    time_to_mitigate_minutes: Option<i64>,
    time_to_resolve_minutes: Option<i64>,
    summary: Option<&'a str>,
    components: &'a [String],
    tags: &'a [String],
    root_causes: &'a [String],
    impact: &'a Map<String, Value>,
    people: &'a People,
    timeline: Vec<TimelineJson<'a>>,
    action_items: Vec<ActionJson<'a>>,
    external_message: Option<&'a str>,
    related: Vec<&'a str>,
    backlinks: Vec<&'a str>,
}

#[derive(Serialize)]
struct TimelineJson<'a> {
    at: Option<When>,
    text: &'a str,
    sources: Vec<&'a str>,
}

#[derive(Serialize)]
struct ActionJson<'a> {
    text: &'a str,
    owner: Option<&'a str>,
    due: Option<String>,
    priority: Option<&'a str>,
    #[serde(rename = "type")]
    kind: Option<ActionType>,
    ticket: Option<&'a str>,
    ticket_url: Option<&'a str>,
    done: bool,
    overdue: bool,
}

pub fn incidents_json(lib: &Library, config: &Config, generated: &str) -> Vec<u8> {
    let incidents = lib
        .incidents
        .iter()
        .zip(&lib.derived)
        .map(|(i, d)| IncidentJson {
            id: &i.id,
            title: &i.title,
            url: crate::routes::Route::Incident(&i.slug).absolute(config),
            status: i.status.as_str(),
            severity: i.severity.as_deref(),
            date: i.date,
            published: i.publication_date(),
            detected: i.detected,
            mitigated: i.mitigated,
            resolved: i.resolved,
            time_to_detect_minutes: d.time_to_detect,
            time_to_mitigate_minutes: d.time_to_mitigate,
            time_to_resolve_minutes: d.time_to_resolve,
            summary: i.summary.as_deref(),
            components: &i.components,
            tags: &i.tags,
            root_causes: &i.root_causes,
            impact: &i.impact,
            people: &i.people,
            timeline: i
                .timeline
                .iter()
                .map(|e| TimelineJson {
                    at: e.at,
                    text: &e.text,
                    sources: e.sources.iter().map(|s| s.url.as_str()).collect(),
                })
                .collect(),
            action_items: i
                .action_items
                .iter()
                .zip(&d.actions)
                .map(|(a, da)| ActionJson {
                    text: &a.text,
                    owner: a.owner.as_deref(),
                    due: da.due.map(|d| d.to_string()),
                    priority: a.priority.as_deref(),
                    kind: a.kind,
                    ticket: a.ticket.as_ref().map(|t| t.id.as_str()),
                    ticket_url: a.ticket.as_ref().and_then(|t| t.url.as_deref()),
                    done: a.done,
                    overdue: da.overdue,
                })
                .collect(),
            external_message: i.external_message.as_ref().map(|m| m.text.as_str()),
            related: d
                .related
                .iter()
                .map(|r| lib.incidents[r.index].id.as_str())
                .collect(),
            backlinks: d
                .backlinks
                .iter()
                .map(|&j| lib.incidents[j].id.as_str())
                .collect(),
        })
        .collect();
    // Serializing plain data to a Vec cannot fail.
    serde_json::to_vec(&Document {
        generated,
        incidents,
    })
    .unwrap_or_default()
}

/// How many incidents a `latest.json` holds: enough for any embed's list and its filters.
pub const LATEST: usize = 50;

/// The format's version, for scripts that read `latest.json`.
const LATEST_VERSION: u32 = 1;

#[derive(Serialize)]
struct LatestDocument<'a> {
    version: u32,
    /// The term's name; absent for the whole library's file.
    #[serde(skip_serializing_if = "Option::is_none")]
    term: Option<&'a str>,
    /// How many incidents there are in all (the file holds the newest `LATEST`).
    total: usize,
    incidents: Vec<LatestJson<'a>>,
}

#[derive(Serialize)]
struct LatestJson<'a> {
    id: &'a str,
    title: &'a str,
    url: String,
    severity: Option<&'a str>,
    date: Option<When>,
    summary: Option<&'a str>,
    components: &'a [String],
    tags: &'a [String],
    root_causes: &'a [String],
}

/// The newest incidents of a term (or of the library), small whatever the library's size:
/// what `embed.js` reads instead of `incidents.json`.
pub fn latest_json(
    lib: &Library,
    config: &Config,
    term: Option<&str>,
    incidents: &[usize],
) -> Vec<u8> {
    let doc = LatestDocument {
        version: LATEST_VERSION,
        term,
        total: incidents.len(),
        incidents: incidents
            .iter()
            .take(LATEST)
            .map(|&k| {
                let i = &lib.incidents[k];
                LatestJson {
                    id: &i.id,
                    title: &i.title,
                    url: crate::routes::Route::Incident(&i.slug).absolute(config),
                    severity: i.severity.as_deref(),
                    date: i.date,
                    summary: i.summary.as_deref(),
                    components: &i.components,
                    tags: &i.tags,
                    root_causes: &i.root_causes,
                }
            })
            .collect(),
    };
    serde_json::to_vec(&doc).unwrap_or_default()
}

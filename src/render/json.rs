//! `/incidents.json`: the whole library for wikis, dashboards and scripts, as an index of
//! pages that each stay small however large the library grows; and `latest.json`, per term,
//! for `embed.js`.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::config::Config;
use crate::content::model::{ActionType, People};
use crate::dates::When;
use crate::library::Library;

/// Incidents per page of `incidents.json`: about 1.2 MB at the sizes real post-mortems
/// have, so no file a script downloads grows with the library.
pub const PAGE: usize = 250;

/// The format's version: 2 is `incidents.json` as an index of pages.
const VERSION: u32 = 2;

/// `/incidents.json`: the library's size and its pages.
#[derive(Serialize)]
struct Index<'a> {
    version: u32,
    generated: &'a str,
    total: usize,
    pages: Vec<PageRef>,
}

#[derive(Serialize)]
struct PageRef {
    url: String,
    /// The page's path from the site's root, for a reader that knows where the site is
    /// served from (`embed.js`) whatever `base_url` says.
    path: String,
    count: usize,
}

/// A page of incidents, newest first across the pages.
#[derive(Serialize)]
struct Page<'a> {
    version: u32,
    page: usize,
    incidents: Vec<IncidentJson<'a>>,
}

/// How many pages `incidents.json` lists for a library of `n` incidents (one, even empty).
pub fn page_count(n: usize) -> usize {
    crate::routes::pages(n, PAGE)
}

#[derive(Serialize)]
struct IncidentJson<'a> {
    id: &'a str,
    title: &'a str,
    url: String,
    status: &'static str,
    severity: Option<&'a str>,
    #[serde(rename = "type")]
    incident_type: &'a str,
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
    contributing_factors: &'a [String],
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

/// `incidents.json` and its pages, by path.
pub fn incidents_json(lib: &Library, config: &Config, generated: &str) -> Vec<(String, Vec<u8>)> {
    let n = lib.incidents.len();
    // Page `k`'s incidents, from 1.
    let pages: Vec<std::ops::Range<usize>> = (1..=page_count(n))
        .map(|k| ((k - 1) * PAGE).min(n)..(k * PAGE).min(n))
        .collect();
    let index = Index {
        version: VERSION,
        generated,
        total: n,
        pages: pages
            .iter()
            .enumerate()
            .map(|(k, range)| PageRef {
                url: crate::routes::Route::IncidentsPage(k + 1).absolute(config),
                path: crate::routes::Route::IncidentsPage(k + 1)
                    .path()
                    .into_owned(),
                count: range.len(),
            })
            .collect(),
    };
    let mut out = vec![(
        crate::routes::Route::IncidentsJson.path().into_owned(),
        serde_json::to_vec(&index).unwrap_or_default(),
    )];
    for (k, range) in pages.into_iter().enumerate() {
        let page = Page {
            version: VERSION,
            page: k + 1,
            incidents: incident_objects(lib, config, range),
        };
        out.push((
            crate::routes::Route::IncidentsPage(k + 1)
                .path()
                .into_owned(),
            serde_json::to_vec(&page).unwrap_or_default(),
        ));
    }
    out
}

fn incident_objects<'a>(
    lib: &'a Library,
    config: &Config,
    range: std::ops::Range<usize>,
) -> Vec<IncidentJson<'a>> {
    lib.incidents[range.clone()]
        .iter()
        .zip(&lib.derived[range])
        .map(|(i, d)| IncidentJson {
            id: &i.id,
            title: &i.title,
            url: crate::routes::Route::Incident(&i.slug).absolute(config),
            status: i.status.as_str(),
            severity: i.severity.as_deref(),
            incident_type: &i.incident_type,
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
            contributing_factors: &i.contributing_factors,
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
        .collect()
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
    contributing_factors: &'a [String],
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
                    contributing_factors: &i.contributing_factors,
                }
            })
            .collect(),
    };
    serde_json::to_vec(&doc).unwrap_or_default()
}

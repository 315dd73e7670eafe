//! The incident model: plain data, produced by loading one file and never mutated by
//! rendering. Derived cross-incident facts live in `library`.

use std::path::PathBuf;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::dates::When;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Draft,
    Review,
    #[default]
    Published,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Review => "review",
            Status::Published => "published",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Visibility {
    #[default]
    Internal,
    Restricted,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct People {
    pub incident_commander: Option<String>,
    pub ics_in_training: Vec<String>,
    pub owners: Vec<String>,
    pub responders: Vec<String>,
    pub customer_liaison: Option<String>,
    pub author: Option<String>,
    pub reviewers: Vec<String>,
    pub review_meeting: Option<When>,
}

impl People {
    pub fn is_empty(&self) -> bool {
        self.incident_commander.is_none()
            && self.ics_in_training.is_empty()
            && self.owners.is_empty()
            && self.responders.is_empty()
            && self.customer_liaison.is_none()
            && self.author.is_none()
            && self.reviewers.is_empty()
            && self.review_meeting.is_none()
    }
}

/// A link in a timeline entry: where the evidence is (a graph, a log query, a status page).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    pub label: String,
    pub url: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Milestone {
    Begins,
    Detected,
    Mitigated,
    Resolved,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TimelineEntry {
    /// None when the entry's time could not be placed on a date.
    pub at: Option<When>,
    /// The time as written (`21:04`, `3:45pm PST`), shown on the page as the author wrote
    /// it; empty for front matter's entries.
    pub time_text: String,
    pub text: String,
    pub sources: Vec<Source>,
    pub milestone: Option<Milestone>,
    pub line: usize,
    /// HTML of what the author wrote under the entry (nested bullets, a log, an image), with
    /// link slots; empty when nothing.
    pub notes: String,
    /// The entry's words as the author wrote them (code, emphasis, links), as HTML with link
    /// slots; empty for front matter's entries and words that are shown from `text`.
    pub html: String,
    /// How many of `sources` are links inside `html`, not shown again beside it.
    pub sources_in_text: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ActionType {
    Prevent,
    Mitigate,
    Detect,
    Process,
}

impl ActionType {
    pub fn parse(word: &str) -> Option<Self> {
        match word.to_ascii_lowercase().as_str() {
            "prevent" | "prevention" | "preventive" => Some(ActionType::Prevent),
            "mitigate" | "mitigation" => Some(ActionType::Mitigate),
            "detect" | "detection" => Some(ActionType::Detect),
            "process" => Some(ActionType::Process),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ticket {
    pub id: String,
    pub url: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ActionItem {
    pub text: String,
    pub owner: Option<String>,
    /// As written; the derived due date (from priority) is computed in `library`.
    pub due: Option<NaiveDate>,
    pub priority: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<ActionType>,
    pub ticket: Option<Ticket>,
    pub done: bool,
    /// The day it was done, where the author wrote one (`done = 2024-04-02`, `done_on`):
    /// whether a fix was in place before a later incident (`library::reinvestment`).
    pub done_on: Option<NaiveDate>,
    pub line: usize,
    /// The item's words as written, as HTML with link slots (links stay links); empty for
    /// items from front matter, shown from `text`.
    pub html: String,
    /// HTML of what the author wrote with the item that is not a field: nested bullets, a
    /// Notes column, a value pmsite could not read.
    pub notes: String,
    /// The author's word for its state (`TODO`, `Done`, `Closed`), shown in its badge.
    pub status_word: Option<String>,
}

impl ActionItem {
    /// An item with no words yet, at its line.
    pub fn new(line: usize) -> ActionItem {
        ActionItem {
            text: String::new(),
            owner: None,
            due: None,
            priority: None,
            kind: None,
            ticket: None,
            done: false,
            done_on: None,
            line,
            html: String::new(),
            notes: String::new(),
            status_word: None,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ExternalMessage {
    pub html: String,
    pub text: String,
}

/// A piece of the rendered body, in the author's order: prose, or a place where a
/// structured section (drawn by the template) stands.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum BodyPart {
    Prose(String),
    /// Timeline entries `from..to`, where the author wrote them.
    Timeline {
        from: usize,
        to: usize,
    },
    /// Action items `from..to`, where the author wrote them.
    ActionItems {
        from: usize,
        to: usize,
    },
    ExternalMessage,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WikiLink {
    pub target: String,
    pub line: usize,
    pub column: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PageLink {
    pub url: String,
    /// The link's title attribute as written (`[x](a.md "title")`).
    pub title: String,
    pub line: usize,
    pub column: usize,
    /// A `.md` link whose file is in the library's folder (a post-mortem, or a runbook that
    /// is not one): set by loading, which alone reads the disk.
    pub on_disk: bool,
}

/// A URL the policy in `urls` refused: shown as text, a warning in `build`, an error in
/// `check`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RefusedUrl {
    pub url: String,
    pub why: String,
    pub line: usize,
    /// 0 where only the line is known (front matter).
    pub column: usize,
}

pub use crate::markdown::TocEntry;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Incident {
    pub id: String,
    /// The URL segment: `/incidents/<slug>/`.
    pub slug: String,
    /// Relative to the library root, with `/` separators.
    pub source: String,
    pub source_path: PathBuf,
    pub title: String,
    pub status: Status,
    pub visibility: Visibility,
    pub severity: Option<String>,
    /// `incident`, `near-miss`, `gameday`, ... (`vocabulary::types`).
    #[serde(rename = "type")]
    pub incident_type: String,
    pub summary: Option<String>,
    pub date: Option<When>,
    pub published: Option<When>,
    pub detected: Option<When>,
    pub mitigated: Option<When>,
    pub resolved: Option<When>,
    pub components: Vec<String>,
    pub tags: Vec<String>,
    pub root_causes: Vec<String>,
    /// What made it worse or likelier, beside (or instead of) one root cause.
    pub contributing_factors: Vec<String>,
    #[serde(with = "json_map")]
    pub impact: Map<String, Value>,
    pub people: People,
    #[serde(with = "json_map")]
    pub extra: Map<String, Value>,
    pub timeline: Vec<TimelineEntry>,
    pub action_items: Vec<ActionItem>,
    pub external_message: Option<ExternalMessage>,
    pub body: Vec<BodyPart>,
    pub toc: Vec<TocEntry>,
    /// `[[...]]` links, in order; the body refers to them by index.
    pub wiki_links: Vec<WikiLink>,
    /// Every Markdown link as written, with its line, for `check`; a link to another
    /// post-mortem's `.md` file is a slot in the body (`markdown::LinkSlot::Page`).
    pub links: Vec<PageLink>,
    /// URLs written anywhere in the file (prose, images, timeline, tickets) that pmsite
    /// will not write: each shown as text.
    pub refused_urls: Vec<RefusedUrl>,
    /// Written as a wiki page (no front matter).
    pub wiki_page: bool,
    /// The summary and analysis prose (not the timeline or action items), lowercased, for
    /// text similarity between incidents (`library::related::word_counts`).
    pub analysis_text: String,
    /// The body as plain text (prose, timeline, action items, code), for the search index.
    pub body_text: String,
}

impl Incident {
    /// The date feeds and the digest use: `published`, else the incident date.
    pub fn publication_date(&self) -> Option<When> {
        self.published.or(self.date)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
/// The kinds of term an incident is indexed by; each has its pages (`routes::taxonomy_dir`).
pub enum Taxonomy {
    Components,
    Tags,
    RootCauses,
    ContributingFactors,
    Severities,
    /// Incident types: `/types/near-miss/` is the list of near misses.
    Types,
}

impl Taxonomy {
    pub const ALL: [Taxonomy; 6] = [
        Taxonomy::Components,
        Taxonomy::Tags,
        Taxonomy::RootCauses,
        Taxonomy::ContributingFactors,
        Taxonomy::Severities,
        Taxonomy::Types,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Taxonomy::Components => "Components",
            Taxonomy::Tags => "Tags",
            Taxonomy::RootCauses => "Root causes",
            Taxonomy::ContributingFactors => "Contributing factors",
            Taxonomy::Severities => "Severities",
            Taxonomy::Types => "Types",
        }
    }

    pub fn singular(self) -> &'static str {
        match self {
            Taxonomy::Components => "component",
            Taxonomy::Tags => "tag",
            Taxonomy::RootCauses => "root cause",
            Taxonomy::ContributingFactors => "contributing factor",
            Taxonomy::Severities => "severity",
            Taxonomy::Types => "type",
        }
    }

    /// Each term but a severity has its own Atom feed.
    pub fn has_feed(self) -> bool {
        self != Taxonomy::Severities
    }

    pub fn values(self, incident: &Incident) -> &[String] {
        match self {
            Taxonomy::Components => &incident.components,
            Taxonomy::Tags => &incident.tags,
            Taxonomy::RootCauses => &incident.root_causes,
            Taxonomy::ContributingFactors => &incident.contributing_factors,
            Taxonomy::Severities => incident.severity.as_slice(),
            // Types other than the default: `/types/near-miss/` lists the near misses, and
            // no page repeats the whole library as `/types/incident/`.
            Taxonomy::Types if incident.incident_type == crate::vocabulary::types::DEFAULT_TYPE => {
                &[]
            }
            Taxonomy::Types => std::slice::from_ref(&incident.incident_type),
        }
    }
}

/// Free-form maps travel as JSON text in the build cache, whose binary format cannot hold a
/// value of any type (`content::stored`).
mod json_map {
    use serde::{Deserialize, Deserializer, Serializer};
    use serde_json::{Map, Value};

    pub fn serialize<S: Serializer>(map: &Map<String, Value>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&serde_json::to_string(map).map_err(serde::ser::Error::custom)?)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Map<String, Value>, D::Error> {
        let text = String::deserialize(d)?;
        serde_json::from_str(&text).map_err(serde::de::Error::custom)
    }
}

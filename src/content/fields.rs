//! The front matter's fields: every key read into the incident's fields with its line, typos
//! suggested, free-form `[impact]` and `[extra]` kept as written, and `[[timeline]]` and
//! `[[action_items]]` entries each at their own line.

use chrono::NaiveDate;
use serde_json::{Map, Value as Json};
use toml::{Table, Value};

use super::model::{ActionItem, ActionType, People, Source, Ticket, TimelineEntry};
use crate::dates::{self, When};
use crate::diagnostics::Diagnostic;

/// Every key front matter may have; anything else is an error (free-form data goes under
/// `[impact]` or `[extra]`).
pub const KEYS: &[&str] = &[
    "title",
    "date",
    "id",
    "status",
    "severity",
    "summary",
    "components",
    "tags",
    "root_causes",
    "contributing_factors",
    "detected",
    "mitigated",
    "resolved",
    "published",
    "visibility",
    "impact",
    "people",
    "extra",
    "timeline",
    "action_items",
    "postmortem",
    "type",
];

/// Keys other generators write (Jekyll, Hugo, Zola, MkDocs, Middleman, Docusaurus, GitBook,
/// Obsidian): a folder of post-mortems moved from one of them builds as it is, each such
/// value kept under `extra`. Sorted, for binary search.
pub const FOREIGN_KEYS: &[&str] = &[
    "aliases",
    "author",
    "authors",
    "categories",
    "category",
    "comments",
    "cover",
    "coverY",
    "created",
    "cssclass",
    "cssclasses",
    "custom_edit_url",
    "description",
    "displayed_sidebar",
    "excerpt",
    "expiryDate",
    "has_children",
    "hide",
    "hide_table_of_contents",
    "hide_title",
    "icon",
    "image",
    "images",
    "in_search_index",
    "keywords",
    "last_modified_at",
    "last_update",
    "lastmod",
    "layout",
    "linkTitle",
    "links",
    "menu",
    "modified",
    "nav_order",
    "pagination_label",
    "parent",
    "path",
    "permalink",
    "publish",
    "publishDate",
    "redirect_from",
    "series",
    "sidebar",
    "sidebar_label",
    "sidebar_position",
    "sitemap",
    "slug",
    "subtitle",
    "taxonomies",
    "template",
    "toc",
    "translationKey",
    "unlisted",
    "updated",
    "url",
    "weight",
];

const PEOPLE_KEYS: &[&str] = &[
    "incident_commander",
    "ics_in_training",
    "owners",
    "responders",
    "customer_liaison",
    "author",
    "reviewers",
    "review_meeting",
];

/// The fields as written, before normalisation against the config.
#[derive(Debug, Default)]
pub struct Fields {
    pub title: Option<String>,
    pub id: Option<String>,
    pub status: Option<(String, usize)>,
    pub severity: Option<(String, usize)>,
    pub summary: Option<String>,
    pub date: Option<When>,
    pub detected: Option<When>,
    pub mitigated: Option<When>,
    pub resolved: Option<When>,
    pub published: Option<When>,
    pub visibility: Option<(String, usize)>,
    /// `type = "near-miss"`, with its line.
    pub incident_type: Option<(String, usize)>,
    pub components: Vec<String>,
    pub tags: Vec<String>,
    pub root_causes: Vec<String>,
    pub contributing_factors: Vec<String>,
    /// The line each list of terms is written on (components, tags, root causes,
    /// contributing factors), for messages about a term; 0 where none is.
    pub term_lines: [usize; 4],
    pub impact: Map<String, Json>,
    pub people: People,
    pub extra: Map<String, Json>,
    pub timeline: Vec<TimelineEntry>,
    pub action_items: Vec<ActionItem>,
    /// `draft: true` or `published: false` (other generators' ways of saying draft).
    pub draft: bool,
    /// `postmortem = true|false`: the author's word on whether the page is one, over
    /// pmsite's judgement of its shape.
    pub postmortem: Option<bool>,
    /// How many of pmsite's own keys other than `title` the front matter sets: any says
    /// the page was written as a post-mortem.
    pub own_keys: usize,
}

/// Finds the line a key is written on, for messages.
struct KeyLines<'a> {
    src: &'a str,
    first_line: usize,
}

impl KeyLines<'_> {
    /// The line each entry of a list of tables starts on: every `[[key]]` header in TOML,
    /// every `- ` item under `key:` in YAML; the key's own line for an inline array.
    fn entry_lines(&self, key: &str) -> Vec<usize> {
        let header = format!("[[{key}]]");
        let toml: Vec<usize> = self
            .src
            .lines()
            .enumerate()
            .filter(|(_, l)| l.trim() == header)
            .map(|(i, _)| self.first_line + i)
            .collect();
        if !toml.is_empty() {
            return toml;
        }
        let mut lines = self.src.lines().enumerate();
        let yaml_key = format!("{key}:");
        if lines
            .by_ref()
            .any(|(_, l)| l.trim_start() == yaml_key && !l.starts_with(' '))
        {
            let mut out = Vec::new();
            for (i, l) in lines {
                if !l.starts_with([' ', '-']) && !l.trim().is_empty() {
                    break;
                }
                if l.trim_start().starts_with("- ") && l.len() - l.trim_start().len() <= 2 {
                    out.push(self.first_line + i);
                }
            }
            return out;
        }
        Vec::new()
    }

    /// The line of `key` inside the entry that starts at `from` (before `to`), else `from`.
    fn line_in_entry(&self, key: &str, from: usize, to: usize) -> usize {
        let skip = from.saturating_sub(self.first_line);
        for (i, line) in self.src.lines().enumerate().skip(skip) {
            let n = self.first_line + i;
            if n >= to {
                break;
            }
            let l = line.trim_start().trim_start_matches("- ");
            if let Some(rest) = l.strip_prefix(key)
                && rest.trim_start().starts_with(['=', ':'])
            {
                return n;
            }
        }
        from
    }

    fn line_of(&self, key: &str, within: Option<&str>) -> usize {
        let mut start = 0;
        if let Some(table) = within {
            let header = format!("[{table}]");
            let yaml = format!("{table}:");
            if let Some(i) = self
                .src
                .lines()
                .position(|l| l.trim() == header || l.trim_start().starts_with(&yaml))
            {
                start = i;
            }
        }
        for (i, line) in self.src.lines().enumerate().skip(start) {
            let l = line.trim_start().trim_start_matches("- ");
            let l = l.trim_start_matches(['"', '\'']);
            if let Some(rest) = l.strip_prefix(key) {
                let rest = rest.trim_start_matches(['"', '\'']).trim_start();
                if rest.starts_with('=') || rest.starts_with(':') {
                    return self.first_line + i;
                }
            }
            let header = line.trim().trim_start_matches('[').trim_end_matches(']');
            if header == key && line.trim().starts_with('[') {
                return self.first_line + i;
            }
        }
        self.first_line
    }
}

/// Reads every known key; unknown keys and wrong types are problems, never a failed load.
pub fn read_fields(
    table: Table,
    src: &str,
    first_line: usize,
    strict_keys: bool,
) -> (Fields, Vec<Diagnostic>) {
    let lines = KeyLines { src, first_line };
    let mut f = Fields::default();
    let mut problems = Vec::new();
    for (key, value) in table {
        let line = lines.line_of(&key, None);
        // `type` is also Hugo's word for a page's layout: it alone says nothing.
        if key != "title" && key != "type" && KEYS.contains(&key.as_str()) {
            f.own_keys += 1;
        }
        let mut bad = |what: &str| {
            problems
                .push(Diagnostic::at(line, format!("`{key}` must be {what}")).code("wrong-type"))
        };
        match key.as_str() {
            "title" => f.title = string(&value).or_else(|| text_or(&mut bad, "text")),
            "id" => f.id = string(&value).or_else(|| text_or(&mut bad, "text, e.g. \"INC-2024-017\"")),
            "summary" => f.summary = string(&value).or_else(|| text_or(&mut bad, "text")),
            "status" => f.status = string(&value).map(|s| (s, line)).or_else(|| text_or(&mut bad, "one of \"draft\", \"review\", \"published\"")),
            "type" => f.incident_type = string(&value).map(|s| (s, line)).or_else(|| text_or(&mut bad, "text, e.g. \"near-miss\"")),
            "visibility" => f.visibility = string(&value).map(|s| (s, line)).or_else(|| text_or(&mut bad, "\"internal\" or \"restricted\"")),
            "severity" => {
                f.severity = match &value {
                    Value::String(s) => Some((s.clone(), line)),
                    Value::Integer(i) => Some((i.to_string(), line)),
                    _ => text_or(&mut bad, "text, e.g. \"SEV1\""),
                }
            }
            // Jekyll's `published: false` and Hugo's or Zola's `draft: true` mean a draft.
            "published" if matches!(value, Value::Boolean(_)) => {
                f.draft |= value == Value::Boolean(false);
                f.extra.insert(key.clone(), to_json(value));
            }
            "postmortem" => match value {
                Value::Boolean(b) => f.postmortem = Some(b),
                _ => bad("true or false"),
            },
            "draft" => match value {
                Value::Boolean(b) => {
                    f.draft |= b;
                    f.extra.insert(key.clone(), Json::Bool(b));
                }
                _ => bad("true or false"),
            },
            "date" | "detected" | "mitigated" | "resolved" | "published" => {
                let when = match when(&value) {
                    Ok(w) => Some(w),
                    Err(()) => {
                        problems.push(Diagnostic::at(line, format!("`{key}` is not a date: write 2024-03-12 or 2024-03-12T21:04:00Z")).code("date"));
                        None
                    }
                };
                match key.as_str() {
                    "date" => f.date = when,
                    "detected" => f.detected = when,
                    "mitigated" => f.mitigated = when,
                    "resolved" => f.resolved = when,
                    _ => f.published = when,
                }
            }
            "components" | "tags" | "root_causes" | "contributing_factors" => {
                let list = string_list(&value).unwrap_or_else(|| {
                    problems.push(Diagnostic::at(line, format!("`{key}` must be a list of text, e.g. [\"checkout-api\"]")).code("wrong-type"));
                    Vec::new()
                });
                let (slot, k) = match key.as_str() {
                    "components" => (&mut f.components, 0),
                    "tags" => (&mut f.tags, 1),
                    "root_causes" => (&mut f.root_causes, 2),
                    _ => (&mut f.contributing_factors, 3),
                };
                *slot = list;
                f.term_lines[k] = line;
            }
            "impact" | "extra" => match value {
                Value::Table(t) => {
                    let map = t.into_iter().map(|(k, v)| (k, to_json(v))).collect();
                    if key == "impact" { f.impact = map } else { f.extra.extend(map) }
                }
                _ => problems.push(Diagnostic::at(line, format!("`{key}` must be a table: write [{key}] and `key = value` lines under it")).code("wrong-type")),
            },
            "people" => match value {
                Value::Table(t) => f.people = read_people(t, &lines, &mut problems),
                _ => problems.push(Diagnostic::at(line, "`people` must be a table: write [people] and `incident_commander = \"Ana\"` lines under it").code("wrong-type")),
            },
            "timeline" => {
                let at = Entries::new(&lines, "timeline", line);
                f.timeline = read_timeline(value, &at, &mut problems)
            }
            "action_items" => {
                let at = Entries::new(&lines, "action_items", line);
                f.action_items = read_actions(value, &at, &mut problems)
            }
            other if FOREIGN_KEYS.binary_search(&other).is_ok() => {
                f.extra.entry(key.clone()).or_insert(to_json(value));
            }
            other => match closest(other, KEYS) {
                // A typo of one of pmsite's keys is an error: the field would vanish.
                Some(k) => problems.push(
                    Diagnostic::at(
                        line,
                        format!("unknown front matter key `{other}` (did you mean `{k}`?): put free-form data under [impact] or [extra]"),
                    )
                    .code("unknown-key"),
                ),
                None if strict_keys => problems.push(
                    Diagnostic::at(
                        line,
                        format!("unknown front matter key `{other}`: put free-form data under [impact] or [extra] ([front_matter] unknown_keys = \"error\" in pmsite.toml)"),
                    )
                    .code("unknown-key"),
                ),
                None => {
                    problems.push(
                        Diagnostic::note_at(
                            line,
                            format!("front matter key `{other}` is kept under extra: pmsite does not read it"),
                        )
                        .code("unknown-key"),
                    );
                    f.extra.entry(key.clone()).or_insert(to_json(value));
                }
            },
        }
    }
    (f, problems)
}

fn text_or<T>(bad: &mut impl FnMut(&str), what: &str) -> Option<T> {
    bad(what);
    None
}

fn read_people(table: Table, lines: &KeyLines<'_>, problems: &mut Vec<Diagnostic>) -> People {
    let mut p = People::default();
    for (key, value) in table {
        let line = lines.line_of(&key, Some("people"));
        let list = || string_list(&value).unwrap_or_default();
        match key.as_str() {
            "incident_commander" => p.incident_commander = string(&value),
            "customer_liaison" => p.customer_liaison = string(&value),
            "author" => p.author = string_list(&value).map(|v| v.join(", ")),
            "ics_in_training" => p.ics_in_training = list(),
            "owners" => p.owners = list(),
            "responders" => p.responders = list(),
            "reviewers" => p.reviewers = list(),
            "review_meeting" => match when(&value) {
                Ok(w) => p.review_meeting = Some(w),
                Err(()) => problems.push(
                    Diagnostic::at(line, "`review_meeting` is not a date: write 2024-03-15")
                        .code("date"),
                ),
            },
            other => {
                let hint = closest(other, PEOPLE_KEYS)
                    .map(|k| format!(" (did you mean `{k}`?)"))
                    .unwrap_or_default();
                problems.push(
                    Diagnostic::at(
                        line,
                        format!(
                            "unknown key `{other}` in [people]{hint}: the keys are {}",
                            PEOPLE_KEYS.join(", ")
                        ),
                    )
                    .code("unknown-key"),
                );
            }
        }
    }
    p
}

/// Where the entries of a `[[timeline]]` or `[[action_items]]` list are written, so each
/// problem names its own entry's line (and the key's line within it).
struct Entries<'k> {
    lines: &'k KeyLines<'k>,
    starts: Vec<usize>,
    key_line: usize,
}

impl<'k> Entries<'k> {
    fn new(lines: &'k KeyLines<'k>, key: &str, key_line: usize) -> Self {
        Entries {
            lines,
            starts: lines.entry_lines(key),
            key_line,
        }
    }

    /// The line entry `i` starts on.
    fn of(&self, i: usize) -> usize {
        self.starts.get(i).copied().unwrap_or(self.key_line)
    }

    /// The line of `key` in entry `i`.
    fn key(&self, i: usize, key: &str) -> usize {
        let end = self.starts.get(i + 1).copied().unwrap_or(usize::MAX);
        self.lines.line_in_entry(key, self.of(i), end)
    }
}

/// The tables of a `[[key]]` list, each with its place in the list; a problem at its own
/// line for a value that is not a list, or an entry that is not a table.
fn entry_tables(
    value: Value,
    at_lines: &Entries<'_>,
    problems: &mut Vec<Diagnostic>,
    not_a_list: &str,
    not_a_table: &str,
    code: &'static str,
) -> Vec<(usize, Table)> {
    let Value::Array(items) = value else {
        problems.push(Diagnostic::at(at_lines.key_line, not_a_list).code(code));
        return Vec::new();
    };
    let mut tables = Vec::new();
    for (i, item) in items.into_iter().enumerate() {
        match item {
            Value::Table(t) => tables.push((i, t)),
            _ => problems.push(Diagnostic::at(at_lines.of(i), not_a_table).code(code)),
        }
    }
    tables
}

fn read_timeline(
    value: Value,
    at_lines: &Entries<'_>,
    problems: &mut Vec<Diagnostic>,
) -> Vec<TimelineEntry> {
    let mut entries = Vec::new();
    let tables = entry_tables(
        value,
        at_lines,
        problems,
        "`timeline` must be a list of entries: write [[timeline]] tables with `at` and `text`",
        "each [[timeline]] entry must be a table with `at` and `text`",
        "timeline",
    );
    for (i, t) in tables {
        let line = at_lines.of(i);
        let at_value = t.get("at").or_else(|| t.get("time"));
        let at = at_value.and_then(|v| when(v).ok());
        if at.is_none() {
            let line = at_lines.key(i, if t.contains_key("time") { "time" } else { "at" });
            problems.push(Diagnostic::at(line, "a [[timeline]] entry needs `at` as a date and time, e.g. at = 2024-03-12T21:04:00Z").code("timeline"));
        }
        let text = t.get("text").and_then(string).unwrap_or_default();
        let sources = match t.get("sources").or_else(|| t.get("source")) {
            Some(v) => string_list(v)
                .unwrap_or_default()
                .into_iter()
                .map(|url| Source {
                    label: short_label(&url),
                    url,
                })
                .collect(),
            None => Vec::new(),
        };
        // Milestones are read from the text when the incident is assembled.
        // Front matter gives a time, not words for it: the page shows the time itself.
        entries.push(TimelineEntry {
            time_text: String::new(),
            at,
            text,
            sources,
            milestone: None,
            line,
            notes: String::new(),
            html: String::new(),
            sources_in_text: 0,
        });
    }
    entries
}

fn read_actions(
    value: Value,
    at_lines: &Entries<'_>,
    problems: &mut Vec<Diagnostic>,
) -> Vec<ActionItem> {
    let mut out = Vec::new();
    let tables = entry_tables(
        value,
        at_lines,
        problems,
        "`action_items` must be a list: write [[action_items]] tables with `text`",
        "each [[action_items]] entry must be a table with `text`",
        "action-item",
    );
    for (i, t) in tables {
        let line = at_lines.of(i);
        let get = |k: &str| t.get(k).and_then(string);
        let due = match t.get("due") {
            Some(v) => match when(v) {
                Ok(w) => Some(w.date()),
                Err(()) => {
                    problems.push(
                        Diagnostic::at(
                            at_lines.key(i, "due"),
                            "`due` of an action item is not a date: write 2024-04-01",
                        )
                        .code("date"),
                    );
                    None
                }
            },
            None => None,
        };
        let kind = get("type").and_then(|s| {
            let k = ActionType::parse(&s);
            if k.is_none() {
                problems.push(Diagnostic::at(
                    at_lines.key(i, "type"),
                    format!(
                        "action item type `{s}` is not one of prevent, mitigate, detect, process"
                    ),
                ).code("action-item"));
            }
            k
        });
        // `done = 2024-04-02` is done, on that day; `done_on` (or `completed`) says when.
        let day = |k: &str| t.get(k).and_then(|v| when(v).ok()).map(|w| w.date());
        let done_on = day("done")
            .or_else(|| day("done_on"))
            .or_else(|| day("completed"));
        let done = match t.get("done") {
            Some(Value::Boolean(b)) => *b,
            _ if done_on.is_some() => true,
            _ => get("status").is_some_and(|s| s.eq_ignore_ascii_case("done")),
        };
        let ticket = get("ticket").map(|id| Ticket {
            url: get("ticket_url").or_else(|| id.starts_with("http").then(|| id.clone())),
            id,
        });
        out.push(ActionItem {
            text: get("text").unwrap_or_default(),
            owner: get("owner").map(|o| o.trim_start_matches('@').to_string()),
            due,
            priority: get("priority").map(|p| p.to_ascii_uppercase()),
            kind,
            ticket,
            done,
            done_on,
            line,
            html: String::new(),
            notes: String::new(),
            status_word: None,
        });
    }
    out
}

/// A short label for a bare source URL: its host.
pub fn short_label(url: &str) -> String {
    url.split_once("://")
        .map(|(_, rest)| rest.split('/').next().unwrap_or(rest))
        .unwrap_or(url)
        .to_string()
}

fn string(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        _ => None,
    }
}

fn string_list(value: &Value) -> Option<Vec<String>> {
    match value {
        Value::String(s) => Some(vec![s.clone()]),
        Value::Array(items) => items
            .iter()
            .map(|v| match v {
                Value::String(s) => Some(s.clone()),
                Value::Integer(i) => Some(i.to_string()),
                _ => None,
            })
            .collect(),
        _ => None,
    }
}

fn when(value: &Value) -> Result<When, ()> {
    match value {
        Value::Datetime(dt) => dates::from_toml(dt).ok_or(()),
        Value::String(s) => dates::parse_when(s).ok_or(()),
        _ => Err(()),
    }
}

pub fn parse_due(text: &str) -> Option<NaiveDate> {
    dates::parse_date(text)
}

/// Front matter values as JSON, for `[impact]` and `[extra]` which are kept as written.
pub fn to_json(value: Value) -> Json {
    match value {
        Value::String(s) => Json::String(s),
        Value::Integer(i) => Json::from(i),
        Value::Float(f) => serde_json::Number::from_f64(f)
            .map(Json::Number)
            .unwrap_or(Json::Null),
        Value::Boolean(b) => Json::Bool(b),
        Value::Datetime(dt) => match dates::from_toml(&dt) {
            Some(w) if w.date_only => Json::String(w.date().to_string()),
            Some(w) => Json::String(w.rfc3339()),
            None => Json::String(dt.to_string()),
        },
        Value::Array(items) => Json::Array(items.into_iter().map(to_json).collect()),
        Value::Table(t) => Json::Object(t.into_iter().map(|(k, v)| (k, to_json(v))).collect()),
    }
}

/// The known key nearest to a typo, if it is near enough to be a typo.
pub use crate::diagnostics::closest;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn foreign_keys_are_sorted_for_binary_search_and_none_is_ours() {
        assert!(FOREIGN_KEYS.windows(2).all(|w| w[0] < w[1]));
        assert!(FOREIGN_KEYS.iter().all(|k| !KEYS.contains(k)));
    }

    #[test]
    fn typo_suggestion() {
        assert_eq!(closest("severty", KEYS), Some("severity"));
        assert_eq!(closest("zzzzzz", KEYS), None);
    }
}

//! Pages without front matter, as wikis and the PagerDuty / Google SRE templates write them:
//! the title from the first heading, fields from `**Key:** value` lines and their kin.

use std::sync::LazyLock;

use regex::Regex;

use super::front_matter::Fields;
use super::model::Status;
use crate::diagnostics::Diagnostic;

/// A field on a line of its own: `**Date:** x`, `**Date**: x`, `* **Date:** x`,
/// `## Date: x`, `Date: x`, `| Severity | 1 |`. `bold` says it was marked as a field (bold,
/// a heading or a table row); a plain `Key: value` line counts only for a few keys.
static FIELD_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^\s*(?:[-*+]\s+)?(?P<hashes>#{1,6}\s+)?(?P<b1>\*\*|__)?(?P<key>[A-Za-z][A-Za-z0-9 ()/&.'-]{0,40}?)\s*(?P<b2>\*\*|__)?\s*[:：]\s*(?:\*\*|__)?\s*(?P<value>.*?)\s*(?:\*\*|__)?\s*$",
    )
    .expect("field regex")
});

static TABLE_FIELD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*\|\s*(?:\*\*|__)?(?P<key>[A-Za-z][A-Za-z0-9 ()/&.'-]{0,40}?)(?:\*\*|__)?\s*:?\s*\|\s*(?P<value>[^|]*?)\s*\|").expect("table field regex")
});

/// What a line gives: the key, lowercased, its value, and whether it was marked as a field.
fn field_of(line: &str) -> Option<(String, String, bool)> {
    if let Some(c) = TABLE_FIELD.captures(line) {
        return Some((c["key"].trim().to_lowercase(), c["value"].to_string(), true));
    }
    let c = FIELD_LINE.captures(line)?;
    let marked = c.name("hashes").is_some() || c.name("b1").is_some();
    let value = c["value"]
        .trim()
        .trim_start_matches([':', '*'])
        .trim()
        .to_string();
    Some((c["key"].trim().to_lowercase(), value, marked))
}

/// Whether reading a page's fields may take them out of the text (a wiki page's header) or
/// only fill what the front matter left out, leaving every line as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldMode {
    Wiki,
    FillIn,
}

/// Reads a page's fields from its body, where templates put them: `**Key:** value` lines
/// at the top (PagerDuty, Google SRE), bullets and headings of the same shape, a Metrics
/// table's `| Severity | 1 |` row, and a `**Severity:** Major` line under `## Impact`.
/// Only lines of a page without front matter's header (before its first section) are
/// blanked, their values shown in the page's header; a field further down stays where it
/// is. The timeline's and action items' own lines are never fields. Returns the status the
/// page names and how many fields it found.
pub fn body_fields(
    body: &mut String,
    body_line: usize,
    fields: &mut Fields,
    problems: &mut Vec<Diagnostic>,
    mode: FieldMode,
    order: crate::dates::written::DayOrder,
) -> (Option<Status>, usize) {
    let mut status = None;
    let mut out = String::with_capacity(body.len());
    let mut in_top = mode == FieldMode::Wiki;
    // Inside a fenced code block, or a timeline or action-items section (its level).
    let mut fence: Option<&str> = None;
    let mut skip_below: Option<usize> = None;
    let mut seen: Vec<String> = Vec::new();
    // A page whose front matter gives the date and severity has nothing to fill in.
    if mode == FieldMode::FillIn && fields.date.is_some() && fields.severity.is_some() {
        return (None, 0);
    }
    for (i, line) in body.split_inclusive('\n').enumerate() {
        let trimmed = line.trim_start();
        if let Some(f) = fence {
            if trimmed.starts_with(f) {
                fence = None;
            }
            out.push_str(line);
            continue;
        }
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            fence = Some(&trimmed[..3]);
            out.push_str(line);
            continue;
        }
        let level = trimmed.chars().take_while(|c| *c == '#').count();
        let heading = (1..=6).contains(&level) && trimmed[level..].starts_with(' ');
        if heading {
            if skip_below.is_some_and(|l| level <= l) {
                skip_below = None;
            }
            let words = trimmed[level..].trim();
            let section = super::sections::classify(words);
            if matches!(
                section,
                Some(
                    super::sections::SectionKind::Timeline
                        | super::sections::SectionKind::ActionItems
                )
            ) {
                skip_below = Some(level);
            }
            // A heading that is a date alone (`## 3.4.2020`) dates the page.
            if skip_below.is_none()
                && fields.date.is_none()
                && let Some(d) = crate::dates::written::date_alone(words, order)
            {
                fields.date = Some(crate::dates::When::from_date(d));
                seen.push("date".into());
            }
            if level >= 2 && field_of(trimmed).is_none_or(|(k, _, _)| key_of(&k).is_none()) {
                in_top = false;
            }
        }
        // A field line has a colon or is a table row; most lines are neither.
        let could_be = skip_below.is_none()
            && (line.contains(':') || line.contains('：') || trimmed.starts_with('|'));
        let read = if could_be { field_of(line) } else { None };
        let consumed = read.is_some_and(|(key, value, marked)| {
            let Some(k) = key_of(&key) else {
                return false;
            };
            if !(marked || k.plain) || seen.contains(&key) {
                return false;
            }
            // Front matter said it already: its word stands.
            if mode == FieldMode::FillIn && !(k.fills_in && missing(k.field, fields)) {
                return false;
            }
            let line_no = body_line + i;
            let taken = take(
                k.field,
                &value,
                line_no,
                fields,
                problems,
                &mut status,
                order,
                marked,
            );
            if taken {
                seen.push(key);
            }
            taken && in_top
        });
        if consumed && !line.trim_start().starts_with('|') {
            out.push_str(if line.ends_with('\n') { "\n" } else { "" });
        } else {
            out.push_str(line);
        }
    }
    *body = out;
    (status, seen.len())
}

/// What a field line sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Author,
    Commander,
    ReviewMeeting,
    Date,
    Severity,
    /// The severity where a page names no severity (`Priority: P1`).
    Priority,
    Status,
    Components,
    Tags,
    RootCauses,
    ContributingFactors,
    Type,
    Summary,
    Id,
}

/// A key a page may write: what it sets; whether a plain `Key: value` line counts (not
/// only a bold one or a heading); whether it fills in what front matter left out.
struct Key {
    name: &'static str,
    field: Field,
    plain: bool,
    fills_in: bool,
}

const fn key(name: &'static str, field: Field, plain: bool, fills_in: bool) -> Key {
    Key {
        name,
        field,
        plain,
        fills_in,
    }
}

const KEYS: &[Key] = &[
    key("postmortem owner", Field::Author, false, false),
    key("owner", Field::Author, false, false),
    key("author", Field::Author, false, false),
    key("authors", Field::Author, false, false),
    key("incident commander", Field::Commander, false, false),
    key("ic", Field::Commander, false, false),
    key("meeting scheduled for", Field::ReviewMeeting, false, false),
    key("review meeting", Field::ReviewMeeting, false, false),
    key("date", Field::Date, true, true),
    key("incident date", Field::Date, true, true),
    key("date of incident", Field::Date, true, true),
    key("incident start", Field::Date, false, true),
    key("start time", Field::Date, false, true),
    key("started", Field::Date, false, true),
    key("occurred", Field::Date, false, true),
    key("occurred on", Field::Date, false, true),
    key("when", Field::Date, false, false),
    key("severity", Field::Severity, true, true),
    key("sev", Field::Severity, false, true),
    key("severity level", Field::Severity, false, true),
    key("incident severity", Field::Severity, false, true),
    key("impact level", Field::Severity, false, true),
    key("priority", Field::Priority, false, true),
    key("status", Field::Status, true, false),
    key("components", Field::Components, false, false),
    key("services", Field::Components, false, false),
    key("affected services", Field::Components, false, false),
    key("component", Field::Components, false, false),
    key("service", Field::Components, false, false),
    key("systems affected", Field::Components, false, false),
    key("tags", Field::Tags, false, false),
    key("root cause categories", Field::RootCauses, false, false),
    key(
        "contributing factors",
        Field::ContributingFactors,
        false,
        false,
    ),
    key("summary", Field::Summary, false, false),
    key("type", Field::Type, false, false),
    key("incident type", Field::Type, false, false),
    key("id", Field::Id, false, false),
    key("incident id", Field::Id, false, false),
];

fn key_of(name: &str) -> Option<&'static Key> {
    KEYS.iter().find(|k| k.name == name)
}

/// Whether the front matter left the field out.
fn missing(field: Field, fields: &Fields) -> bool {
    match field {
        Field::Date => fields.date.is_none(),
        Field::Severity | Field::Priority => fields.severity.is_none(),
        _ => false,
    }
}

#[allow(clippy::too_many_arguments)]
fn take(
    field: Field,
    value: &str,
    line_no: usize,
    fields: &mut Fields,
    problems: &mut Vec<Diagnostic>,
    status: &mut Option<Status>,
    order: crate::dates::written::DayOrder,
    marked: bool,
) -> bool {
    let value = value.trim().to_string();
    if value.is_empty() {
        return false;
    }
    let list = || {
        value
            .split([',', ';'])
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
    };
    match field {
        Field::Author => fields.people.author = Some(value.clone()),
        Field::Commander => fields.people.incident_commander = Some(value.clone()),
        Field::ReviewMeeting => match crate::dates::parse_when(&value) {
            Some(w) => fields.people.review_meeting = Some(w),
            None => return false,
        },
        Field::Date => {
            if fields.date.is_some() {
                return false;
            }
            match crate::dates::parse_when(&value).or_else(|| {
                crate::dates::written::find_date(&value, order)
                    .map(|f| crate::dates::When::from_date(f.date))
            }) {
                Some(w) => fields.date = Some(w),
                None if marked => {
                    problems.push(
                        Diagnostic::at(
                            line_no,
                            format!("`**Date:** {value}` is not a date: write 2024-03-12"),
                        )
                        .code("date"),
                    );
                    return false;
                }
                None => return false,
            }
        }
        Field::Severity => fields.severity = Some((value.clone(), line_no)),
        Field::Priority if fields.severity.is_none() => {
            fields.severity = Some((value.clone(), line_no))
        }
        Field::Priority => return false,
        Field::Status => *status = Some(wiki_status(&value, line_no, problems)),
        Field::Components => (fields.components, fields.term_lines[0]) = (list(), line_no),
        Field::Tags => (fields.tags, fields.term_lines[1]) = (list(), line_no),
        Field::RootCauses => (fields.root_causes, fields.term_lines[2]) = (list(), line_no),
        Field::ContributingFactors => {
            (fields.contributing_factors, fields.term_lines[3]) = (list(), line_no)
        }
        Field::Type => fields.incident_type = Some((value.clone(), line_no)),
        Field::Summary => fields.summary = Some(value.clone()),
        Field::Id => fields.id = Some(value.clone()),
    }
    true
}

/// Status words the templates use, mapped to the three states; unknown is published with a
/// warning (on a wiki page the team's own words are expected).
fn wiki_status(value: &str, line: usize, problems: &mut Vec<Diagnostic>) -> Status {
    let v = value.trim().to_lowercase();
    if v.starts_with("draft") {
        Status::Draft
    } else if v.starts_with("in review") || v.starts_with("review") && !v.starts_with("reviewed") {
        Status::Review
    } else if [
        "reviewed",
        "complete",
        "closed",
        "final",
        "published",
        "done",
    ]
    .iter()
    .any(|w| v.starts_with(w))
    {
        Status::Published
    } else {
        problems.push(Diagnostic::warning_at(
            line,
            format!(
                "unknown status `{value}`; counted as published (use Draft, In Review or Published)"
            ),
        ).code("status"));
        Status::Published
    }
}

static BADGE_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:\[?!\[[^\]]*\]\([^)]*\)(?:\]\([^)]*\))?\s*)+$").expect("badge regex")
});

static TITLE_PREFIX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:incident\s+)?(?:post[- ]?mortem|incident\s+report|incident\s+review|retrospective|rca)\s*[:\-–—]\s*(.+)$")
        .expect("title prefix regex")
});

/// Takes the first heading when it is the page's title (no title given, or the same
/// title), blanking its lines so the page does not show it twice. The heading may be ATX
/// (`# Title`) or setext (`Title` over `===`), after blank lines, HTML comments and a line
/// of badges; `# Postmortem: X` and `# Incident report: X` give X.
pub fn take_title_heading(body: &mut String, title: Option<&str>) -> Option<String> {
    let mut offset = 0;
    let mut in_comment = false;
    let mut lines = body.split_inclusive('\n').peekable();
    while let Some(line) = lines.next() {
        let trimmed = line.trim();
        if in_comment {
            in_comment = !trimmed.contains("-->");
            offset += line.len();
            continue;
        }
        if trimmed.is_empty() || BADGE_LINE.is_match(trimmed) {
            offset += line.len();
            continue;
        }
        if trimmed.starts_with("<!--") {
            in_comment = !trimmed.contains("-->");
            offset += line.len();
            continue;
        }
        let (heading, len) = if let Some(rest) = trimmed.strip_prefix("# ") {
            (
                rest.trim().trim_end_matches('#').trim().to_string(),
                line.len(),
            )
        } else if trimmed == "#" {
            return None;
        } else {
            let under = lines.peek()?.trim();
            let setext = !under.is_empty() && under.chars().all(|c| c == '=');
            if !setext || line.starts_with("    ") {
                return None;
            }
            (
                trimmed.to_string(),
                line.len() + lines.peek().map_or(0, |u| u.len()),
            )
        };
        let heading = match TITLE_PREFIX.captures(&heading) {
            Some(c) if title.is_none() => c[1].trim().to_string(),
            _ => heading,
        };
        if heading.is_empty() || title.is_some_and(|t| !t.eq_ignore_ascii_case(&heading)) {
            return None;
        }
        let newlines = body[offset..offset + len].matches('\n').count();
        body.replace_range(offset..offset + len, &"\n".repeat(newlines));
        return Some(heading);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dates::written::DayOrder;

    fn read(body: &str, mode: FieldMode) -> (Fields, String) {
        let mut body = body.to_string();
        let mut fields = Fields::default();
        body_fields(
            &mut body,
            1,
            &mut fields,
            &mut Vec::new(),
            mode,
            DayOrder::Dmy,
        );
        (fields, body)
    }

    #[test]
    fn fields_in_every_shape_templates_write() {
        for line in [
            "**Date:** 16/03/2020",
            "**Date**: 16 March 2020",
            "* **Date:** 16.03.2020",
            "- __Incident date__: March 16th, 2020",
            "## Date: 2020-03-16",
            "Date: 16/03/2020",
            "**When:** Monday 16 March 2020",
        ] {
            let (f, _) = read(&format!("{line}\n\n## Summary\n\nText.\n"), FieldMode::Wiki);
            assert_eq!(
                f.date.map(|d| d.date().to_string()).as_deref(),
                Some("2020-03-16"),
                "{line}"
            );
        }
        let (f, body) = read(
            "Intro.\n\n## Impact\n\n**Severity:** Major\n\n| Metric | Value |\n| --- | --- |\n| Severity | 1 |\n",
            FieldMode::Wiki,
        );
        assert_eq!(f.severity.map(|s| s.0).as_deref(), Some("Major"));
        assert!(
            body.contains("**Severity:** Major"),
            "a field below the top stays: {body}"
        );
        // A timeline's and action items' lines are never fields.
        let (f, _) = read(
            "## Timeline\n\n- **Date:** 2020-01-01 was the deploy\n\n## Action items\n\n**Owner:** @ana\n",
            FieldMode::Wiki,
        );
        assert!(f.date.is_none() && f.people.author.is_none());
        // With front matter, only what it left out, and the text stays as written.
        let mut given = Fields {
            severity: Some(("SEV1".into(), 2)),
            ..Fields::default()
        };
        let mut body = "| Severity | 3 |\n**Date:** 2020-03-16\n".to_string();
        body_fields(
            &mut body,
            1,
            &mut given,
            &mut Vec::new(),
            FieldMode::FillIn,
            DayOrder::Mdy,
        );
        assert_eq!(given.severity.map(|s| s.0).as_deref(), Some("SEV1"));
        assert!(given.date.is_some());
        assert_eq!(body, "| Severity | 3 |\n**Date:** 2020-03-16\n");
    }
}

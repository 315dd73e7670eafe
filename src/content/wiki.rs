//! Pages without front matter, as wikis and the PagerDuty / Google SRE templates write them:
//! the title from the first `# heading`, fields from `**Key:** value` lines.

use std::sync::LazyLock;

use regex::Regex;

use super::front_matter::Fields;
use super::model::Status;
use crate::diagnostics::Diagnostic;

static BOLD_FIELD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*\*\*(?P<key>[^*]+?):?\*\*:?\s*(?P<value>.*?)\s*$").expect("field regex")
});

/// Reads `**Key:** value` lines from the top of a page without front matter (PagerDuty's and
/// Google SRE's templates) into fields. Lines that become fields are blanked, keeping line
/// numbers. Returns the status when the page names one.
pub fn wiki_fields(
    body: &mut String,
    body_line: usize,
    fields: &mut Fields,
    problems: &mut Vec<Diagnostic>,
) -> (Option<Status>, usize) {
    let mut status = None;
    let mut found = 0;
    let mut out = String::with_capacity(body.len());
    let mut in_top = true;
    for (i, line) in body.split_inclusive('\n').enumerate() {
        if line.starts_with("## ") {
            in_top = false;
        }
        let caps = if in_top {
            BOLD_FIELD.captures(line)
        } else {
            None
        };
        let consumed = caps.is_some_and(|c| {
            let key = c["key"].trim().to_lowercase();
            let value = c["value"].trim().to_string();
            let list = || {
                value
                    .split([',', ';'])
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>()
            };
            let line_no = body_line + i;
            match key.as_str() {
                "postmortem owner" | "owner" | "author" | "authors" => {
                    fields.people.author = Some(value.clone())
                }
                "incident commander" | "ic" => {
                    fields.people.incident_commander = Some(value.clone())
                }
                "meeting scheduled for" | "review meeting" => {
                    match crate::dates::parse_when(&value) {
                        Some(w) => fields.people.review_meeting = Some(w),
                        None => return false,
                    }
                }
                "date" | "incident date" => match crate::dates::parse_when(&value) {
                    Some(w) => fields.date = Some(w),
                    None => problems.push(
                        Diagnostic::at(
                            line_no,
                            format!("`**Date:** {value}` is not a date: write 2024-03-12"),
                        )
                        .code("date"),
                    ),
                },
                "severity" | "sev" => fields.severity = Some((value.clone(), line_no)),
                "status" => status = Some(wiki_status(&value, line_no, problems)),
                "components" | "services" | "affected services" | "component" | "service" => {
                    fields.components = list()
                }
                "tags" => fields.tags = list(),
                "root cause categories" => fields.root_causes = list(),
                "summary" => fields.summary = Some(value.clone()),
                "id" | "incident id" => fields.id = Some(value.clone()),
                _ => return false,
            }
            true
        });
        if consumed {
            found += 1;
            out.push_str(if line.ends_with('\n') { "\n" } else { "" });
        } else {
            out.push_str(line);
        }
    }
    *body = out;
    (status, found)
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

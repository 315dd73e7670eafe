//! Assembling one incident from its file: front matter or wiki fields, the parsed body, and
//! the structured sections, with every problem found on the way.

use std::path::Path;

use super::ParseSettings;
use super::body::parse_body;
use super::front_matter::{self, RawFrontMatter};
use super::model::{self, BodyPart, Incident, Milestone, Status, TimelineEntry};
use super::normalise::{fold_terms, severity_of, status_of, type_of, visibility_of};
use super::wiki::{FieldMode, body_fields, take_title_heading};
use crate::dates::When;
use crate::diagnostics::Diagnostic;
use crate::markdown::{MARK, Markdown};
use crate::urls;

/// The longest URL segment (an incident's or a term's folder) a build writes: file systems
/// take 255 bytes in a file name, and this leaves room.
pub const MAX_SLUG_BYTES: usize = 240;

/// Loads one post-mortem from its bytes; `rel` is its path relative to the library root.
pub fn load_bytes(
    rel: &Path,
    bytes: &[u8],
    settings: &ParseSettings,
    md: &Markdown,
) -> (Option<Incident>, Vec<Diagnostic>) {
    let error =
        |line, msg: String, code| (None, vec![Diagnostic::error(rel, line, msg).code(code)]);
    // Text that is not UTF-8 (a page saved as Latin-1) is read with replacement characters
    // where its bytes say nothing, and reported: the page is still built.
    let lossy;
    let mut encoding = None;
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let line = crate::diagnostics::line_of_offset(
                &String::from_utf8_lossy(&bytes[..e.valid_up_to()]),
                usize::MAX,
            );
            encoding = Some(
                Diagnostic::at(
                    line,
                    "the file is not UTF-8 text: save it as UTF-8 (shown with \u{FFFD} where its bytes are not text)",
                )
                .code("encoding"),
            );
            lossy = String::from_utf8_lossy(bytes).into_owned();
            lossy.as_str()
        }
    };
    if text.trim().is_empty() {
        return error(
            1,
            "the file is empty: give it front matter with a title, or a `# Title` heading".into(),
            "empty-file",
        );
    }
    // pmsite's slot mark is a private-use character: taken out of the author's text first,
    // so no text can forge a slot (or a section marker) of pmsite's.
    // A carriage return alone ends a line for comrak and for editors: it ends one here too,
    // so every line number pmsite gives is the line the author sees.
    let cleaned;
    let text = if text.contains(MARK) || has_lone_cr(text) {
        cleaned = text
            .replace(MARK, "")
            .replace("\r\n", "\n")
            .replace('\r', "\n");
        cleaned.as_str()
    } else {
        text
    };
    // A page `pmsite wiki` wrote is the library's own index, not a post-mortem.
    if super::is_generated(text) {
        return (None, Vec::new());
    }
    let unrelated;
    let text = match super::without_related_block(text) {
        Some(t) => {
            unrelated = t;
            unrelated.as_str()
        }
        None => text,
    };
    // Front matter that cannot be read is reported, and the page is built from its body: one
    // author's syntax error costs that page its fields, not the library its build.
    let mut problems: Vec<Diagnostic> = encoding.into_iter().collect();
    let split = front_matter::split(text).unwrap_or_else(|p| {
        problems.push(p);
        front_matter::Split {
            front: RawFrontMatter::None,
            front_line: 0,
            body: text,
            body_line: 1,
        }
    });
    let table = front_matter::parse_table(split.front, split.front_line).unwrap_or_else(|p| {
        problems.push(p);
        toml::Table::new()
    });
    let front_broken = problems.iter().any(|p| p.code == "front-matter");
    let front_src = match split.front {
        RawFrontMatter::Toml(s) | RawFrontMatter::Yaml(s) => s,
        RawFrontMatter::None => "",
    };
    let (mut fields, read_problems) =
        front_matter::read_fields(table, front_src, split.front_line, settings.strict_keys);
    problems.extend(read_problems);
    let wiki_page = split.front == RawFrontMatter::None;

    let mut body = split.body.to_string();
    let mode = if wiki_page {
        FieldMode::Wiki
    } else {
        FieldMode::FillIn
    };
    let (mut wiki_status, mut wiki_field_count) = body_fields(
        &mut body,
        split.body_line,
        &mut fields,
        &mut problems,
        mode,
        settings.day_order,
    );
    if !wiki_page {
        wiki_status = None;
        wiki_field_count = 0;
    }
    let heading_title = take_title_heading(&mut body, fields.title.as_deref());
    let stem = rel
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_default();
    let title = match (fields.title.take(), heading_title) {
        (Some(t), _) => t,
        (None, Some(h)) => h,
        (None, None) if wiki_page || front_broken => stem.replace(['-', '_'], " "),
        (None, None) => {
            problems.push(
                Diagnostic::at(
                    split.front_line.max(1),
                    "missing `title`: add title = \"What broke, and how\" to the front matter",
                )
                .code("title"),
            );
            stem.clone()
        }
    };

    let given = super::body::Given {
        timeline: !fields.timeline.is_empty(),
        action_items: !fields.action_items.is_empty(),
        day_order: settings.day_order,
    };
    let parsed = parse_body(&body, split.body_line, md, given, &mut problems);
    let source_body = body;
    let said = fields.postmortem.or(if settings.skip.matches(rel) {
        Some(false)
    } else if settings.postmortems.matches(rel) {
        Some(true)
    } else {
        None
    });
    let own_keys = fields.own_keys;

    let status = match status_of(fields.status.as_ref(), wiki_status, &mut problems) {
        // Another generator's draft flag counts when no status is written.
        _ if fields.draft && fields.status.is_none() && wiki_status.is_none() => Status::Draft,
        status => status,
    };
    let visibility = visibility_of(fields.visibility.as_ref(), &mut problems);
    let severity = severity_of(fields.severity.as_ref(), settings, &mut problems);

    // A date the front matter and fields do not give is read where people write it: in
    // the title ("February 5th, 2019 Partial outage"), the file name (Jekyll's
    // `2018-08-05-title.md`), or the first paragraph ("On September 29, 2025, ...").
    if fields.date.is_none() {
        let order = settings.day_order;
        fields.date = [
            Some(title.as_str()),
            Some(stem.as_str()),
            parsed.first_paragraph.as_deref(),
        ]
        .into_iter()
        .flatten()
        .find_map(|t| crate::dates::written::find_date(t, order))
        .map(|f| When::from_date(f.date));
    }
    let stated = super::milestones::stated_durations(&parsed.body_text);
    let (mut timeline, dates) =
        timeline_and_dates(&mut fields, &parsed.timeline, &settings.milestones, stated);
    let Dates {
        date,
        detected,
        mitigated,
        resolved,
    } = dates;

    let mut action_items = if fields.action_items.is_empty() {
        parsed.action_items
    } else {
        std::mem::take(&mut fields.action_items)
    };
    let mut refused_urls = parsed.refused_urls;
    refuse_structured_urls(&mut timeline, &mut action_items, &mut refused_urls);
    let summary = fields.summary.take().or(parsed.summary);
    let id = fields.id.take().unwrap_or_else(|| stem.clone());
    let slug = slug::slugify(&id);
    if slug.is_empty() {
        problems.push(Diagnostic::at(1, format!("the id `{id}` has no letters or digits to make a URL from: set id = \"INC-2024-001\"")).code("id"));
    }

    check_slug_lengths(text, &id, &slug, &fields, &mut problems);

    let mut body = parsed.parts;
    let mut toc = parsed.toc;
    // Front matter's timeline and action items are shown under headings of their own.
    for (present, part, title) in [
        (
            given.timeline,
            BodyPart::Timeline {
                from: 0,
                to: timeline.len(),
            },
            "Timeline",
        ),
        (
            given.action_items,
            BodyPart::ActionItems {
                from: 0,
                to: action_items.len(),
            },
            "Action items",
        ),
    ] {
        if present {
            let id = unique_id(&toc, &slug::slugify(title));
            body.push(BodyPart::Prose(format!("<h2 id=\"{id}\">{title} <a class=\"anchor\" href=\"#{id}\" aria-label=\"Link to this section\">#</a></h2>\n")));
            body.push(part);
            toc.push(model::TocEntry {
                level: 2,
                id,
                title: title.to_string(),
            });
        }
    }

    let controls = [Some(&title), summary.as_ref()]
        .into_iter()
        .flatten()
        .chain(&fields.components)
        .chain(&fields.tags)
        .chain(&fields.root_causes)
        .chain(&fields.contributing_factors);
    warn_control_characters(text, controls, split.front_line, &mut problems);

    let contributing_factors = if fields.contributing_factors.is_empty() {
        parsed.contributing_factors
    } else {
        fields.contributing_factors
    };
    let incident_type = type_of(
        fields.incident_type.as_ref(),
        settings,
        &mut fields.extra,
        &mut problems,
    );
    let vocabulary = &settings.vocabulary;
    let [components, tags, root_causes, contributing_factors] = [
        std::mem::take(&mut fields.components),
        std::mem::take(&mut fields.tags),
        std::mem::take(&mut fields.root_causes),
        contributing_factors,
    ]
    .into_iter()
    .enumerate()
    .map(|(k, terms)| {
        let what = crate::content::model::Taxonomy::ALL[k].singular();
        fold_terms(
            terms,
            &vocabulary.lists[k],
            what,
            fields.term_lines[k],
            &mut problems,
        )
    })
    .collect::<Vec<_>>()
    .try_into()
    .unwrap_or_default();
    let incident = Incident {
        slug,
        id,
        source: rel.to_string_lossy().replace('\\', "/"),
        source_path: rel.to_path_buf(),
        title,
        status,
        visibility,
        severity,
        incident_type,
        summary,
        date,
        published: fields.published,
        detected,
        mitigated,
        resolved,
        components,
        tags,
        root_causes,
        contributing_factors,
        impact: fields.impact,
        people: fields.people,
        extra: fields.extra,
        timeline,
        action_items,
        external_message: parsed.external_message,
        body,
        toc,
        wiki_links: parsed.wiki_links,
        links: parsed.links,
        refused_urls,
        analysis_text: parsed.analysis_text,
        body_text: parsed.body_text,
        wiki_page,
    };
    // A folder has pages that are not post-mortems (a home page, a runbook, a blog's about
    // page): one that says nothing of itself is judged by its shape, and named when skipped.
    let judged = || {
        own_keys > 0
            || wiki_field_count > 0
            || !incident.timeline.is_empty()
            || !incident.action_items.is_empty()
            || problems.iter().any(Diagnostic::is_error)
            || super::shape::reads_as_post_mortem(
                incident.toc.iter().map(|t| t.title.as_str()),
                &source_body,
            )
    };
    match said {
        Some(false) => {
            return (
                None,
                vec![skipped(rel, "it is marked as not a post-mortem")],
            );
        }
        None if !judged() => {
            return (
                None,
                vec![skipped(
                    rel,
                    "it has no field of pmsite's, no timeline or action items, and not two of the sections a post-mortem has (Summary, Impact, Root cause, Timeline, Action items, Lessons learned); if it is one, add `postmortem = true` to its front matter or its path to [content] postmortems in pmsite.toml",
                )],
            );
        }
        _ => {}
    }
    let date_reported = problems.iter().any(|p| {
        p.code == "date" && (p.message.contains("`date`") || p.message.contains("**Date:**"))
    });
    let diagnostics = problems
        .into_iter()
        .map(|p| p.in_file(rel))
        .chain(warnings(&incident, rel, date_reported))
        .collect();
    (Some(incident), diagnostics)
}

/// The code of the note that names a page skipped as not a post-mortem.
pub const SKIPPED: &str = "not-a-post-mortem";

fn skipped(rel: &Path, why: &str) -> Diagnostic {
    Diagnostic::note_at(1, format!("not a post-mortem, skipped: {why}"))
        .code(SKIPPED)
        .in_file(rel)
}

/// When the incident began, was detected, mitigated and resolved.
struct Dates {
    date: Option<When>,
    detected: Option<When>,
    mitigated: Option<When>,
    resolved: Option<When>,
}

/// The timeline (the front matter's entries, else the section's, times alone taking the
/// incident's date) and the dates its milestones give where the front matter gives none.
fn timeline_and_dates(
    fields: &mut front_matter::Fields,
    section: &[super::timeline::RawEntry],
    milestones: &super::milestones::Milestones,
    stated: super::milestones::Stated,
) -> (Vec<TimelineEntry>, Dates) {
    // Timeline: front matter entries, else the section; times alone take the incident date.
    let mut date = fields.date;
    let mut timeline = std::mem::take(&mut fields.timeline);
    let mut date_from_timeline = false;
    if timeline.is_empty() {
        if date.is_none() {
            // A page without a date takes the day of its first dated entry; the start of
            // impact within that day comes from OUTAGE BEGINS or the first entry, below.
            date = section.iter().find_map(|e| e.date).map(When::from_date);
            date_from_timeline = date.is_some();
        }
        let fallback = date.map(|d| d.date());
        // Times alone that run backwards ran past midnight (23:05, then 00:10): the day
        // after, as a reader takes them.
        let mut day = fallback;
        let mut last: Option<chrono::NaiveTime> = None;
        let mut own_date = None;
        let days: Vec<Option<chrono::NaiveDate>> = section
            .iter()
            .map(|e| {
                if e.date.is_some() {
                    if e.date != own_date {
                        own_date = e.date;
                        last = None;
                    }
                    return e.date;
                }
                if let (Some(t), Some(prev)) = (e.time, last)
                    && t < prev
                    && prev - t > chrono::TimeDelta::hours(6)
                {
                    day = day.and_then(|d| d.succ_opt());
                }
                if e.time.is_some() {
                    last = e.time;
                }
                day
            })
            .collect();
        timeline = section
            .iter()
            .zip(days)
            .map(|(e, day)| TimelineEntry {
                at: e.when(day),
                time_text: e.time_text.clone(),
                text: e.text.clone(),
                sources: e.sources.clone(),
                milestone: None,
                line: e.line,
                notes: e.notes.clone(),
                html: e.html.clone(),
                sources_in_text: if e.html.is_empty() {
                    0
                } else {
                    e.sources_in_text
                },
            })
            .collect();
    }
    // The milestones each placed entry's words name, the first in the text leading; a time
    // the front matter gives (`date` is when impact began) marks the entry at that minute
    // instead.
    let named: Vec<Vec<Milestone>> = timeline
        .iter()
        .map(|e| {
            if e.at.is_some() {
                milestones.all(&e.text)
            } else {
                Vec::new()
            }
        })
        .collect();
    for (e, named) in timeline.iter_mut().zip(&named) {
        e.milestone = named.first().copied();
    }
    for (given, m) in [
        (fields.date, Milestone::Begins),
        (fields.detected, Milestone::Detected),
        (fields.mitigated, Milestone::Mitigated),
        (fields.resolved, Milestone::Resolved),
    ] {
        let Some(given) = given.filter(|g| !g.date_only) else {
            continue;
        };
        if let Some(entry) = timeline
            .iter_mut()
            .find(|e| e.at.is_some_and(|at| at.at == given.at))
        {
            entry.milestone = Some(m);
        }
    }
    // Each milestone is shown once, on the entry that marks it; an entry that marks two
    // ("reverted; back to normal") shows the later.
    let marks: Vec<(Milestone, Option<usize>)> = [
        Milestone::Begins,
        Milestone::Detected,
        Milestone::Mitigated,
        Milestone::Resolved,
    ]
    .into_iter()
    .map(|m| {
        let at = timeline
            .iter()
            .position(|e| e.milestone == Some(m) && e.at.is_some())
            .or_else(|| named.iter().position(|n| n.contains(&m)));
        (m, at)
    })
    .collect();
    for e in &mut timeline {
        e.milestone = None;
    }
    for (m, at) in &marks {
        if let Some(i) = at {
            timeline[*i].milestone = Some(*m);
        }
    }
    let first = |m: Milestone| {
        marks
            .iter()
            .find(|(k, _)| *k == m)
            .and_then(|(_, at)| *at)
            .and_then(|i| timeline[i].at)
    };
    if date.is_none_or(|d| d.date_only)
        && let Some(begins) = first(Milestone::Begins)
        && date.is_none_or(|d| d.date() == begins.date())
    {
        date = Some(begins);
    } else if date_from_timeline {
        date = timeline.iter().find_map(|e| e.at).or(date);
    }
    // Durations the post-mortem states place what no entry marks.
    let after = |minutes: Option<i64>| {
        let start = date.filter(|d| !d.date_only)?;
        let at = start
            .at
            .checked_add_signed(chrono::TimeDelta::try_minutes(minutes?)?)?;
        Some(When {
            at,
            date_only: false,
        })
    };
    let detected = fields
        .detected
        .or_else(|| first(Milestone::Detected))
        .or_else(|| after(stated.detect));
    let mitigated = fields
        .mitigated
        .or_else(|| first(Milestone::Mitigated))
        .or_else(|| after(stated.mitigate));
    let resolved = fields
        .resolved
        .or_else(|| first(Milestone::Resolved))
        .or_else(|| after(stated.resolve));

    (
        timeline,
        Dates {
            date,
            detected,
            mitigated,
            resolved,
        },
    )
}

/// Ids and terms whose URL segment would be longer than a file name may be: errors in
/// `check` and `build` alike, at the line that names them.
fn check_slug_lengths(
    text: &str,
    id: &str,
    slug: &str,
    fields: &front_matter::Fields,
    problems: &mut Vec<Diagnostic>,
) {
    for (what, name, made) in std::iter::once(("id", &id.to_string(), slug.to_string()))
        .chain(
            fields
                .components
                .iter()
                .map(|c| ("component", c, slug::slugify(c))),
        )
        .chain(fields.tags.iter().map(|c| ("tag", c, slug::slugify(c))))
        .chain(
            fields
                .root_causes
                .iter()
                .map(|c| ("root cause", c, slug::slugify(c))),
        )
        .chain(
            fields
                .contributing_factors
                .iter()
                .map(|c| ("contributing factor", c, slug::slugify(c))),
        )
    {
        if made.len() > MAX_SLUG_BYTES {
            let line = text
                .find(&format!("\"{name}\""))
                .or_else(|| text.find(name.as_str()))
                .map_or(1, |at| crate::diagnostics::line_of_offset(text, at));
            problems.push(Diagnostic::at(
                line,
                format!(
                    "the {what} `{}…` makes a URL segment of {} bytes, longer than a file name may be ({MAX_SLUG_BYTES}): shorten it",
                    name.chars().take(40).collect::<String>(),
                    made.len()
                ),
            ).code("too-long"));
        }
    }
}

/// Pasted terminal output (ESC, NUL, form feed) cannot be carried by XML: the feeds leave
/// such characters out, and the author hears of it once.
fn warn_control_characters<'a>(
    text: &str,
    fields: impl IntoIterator<Item = &'a String>,
    front_line: usize,
    problems: &mut Vec<Diagnostic>,
) {
    let forbidden = crate::escape::first_xml_forbidden(text)
        .map(|(at, c)| (crate::diagnostics::line_of_offset(text, at), c))
        .or_else(|| {
            fields
                .into_iter()
                .find_map(|t| crate::escape::first_xml_forbidden(t))
                .map(|(_, c)| (front_line.max(1), c))
        });
    if let Some((line, c)) = forbidden {
        problems.push(Diagnostic::warning_at(
            line,
            format!(
                "control character U+{:04X} (pasted terminal output?): the feeds leave it out, as XML cannot carry it; remove it",
                c as u32
            ),
        ).code("control-character"));
    }
}

fn has_lone_cr(text: &str) -> bool {
    text.match_indices('\r')
        .any(|(i, _)| text.as_bytes().get(i + 1) != Some(&b'\n'))
}

/// Timeline sources and tickets pass the same URL policy as prose links (front matter gives
/// them unfiltered): a refused one is shown as text.
fn refuse_structured_urls(
    timeline: &mut [TimelineEntry],
    action_items: &mut [model::ActionItem],
    refused: &mut Vec<model::RefusedUrl>,
) {
    for entry in timeline {
        let mut kept = Vec::with_capacity(entry.sources.len());
        for source in std::mem::take(&mut entry.sources) {
            match urls::refusal(&source.url, urls::Use::Link) {
                None => kept.push(source),
                Some(why) => {
                    entry.text.push_str(&format!(" ({})", source.url));
                    refused.push(model::RefusedUrl {
                        url: source.url,
                        why,
                        line: entry.line,
                        column: 0,
                    });
                }
            }
        }
        entry.sources = kept;
    }
    for item in action_items {
        let Some(ticket) = &mut item.ticket else {
            continue;
        };
        if let Some(why) = ticket
            .url
            .as_deref()
            .and_then(|u| urls::refusal(u, urls::Use::Link))
            && let Some(url) = ticket.url.take()
        {
            refused.push(model::RefusedUrl {
                url,
                why,
                line: item.line,
                column: 0,
            });
        }
    }
}

/// An anchor not yet used on the page.
fn unique_id(toc: &[model::TocEntry], base: &str) -> String {
    let mut id = base.to_string();
    let mut n = 1;
    while toc.iter().any(|t| t.id == id) {
        id = format!("{base}-{n}");
        n += 1;
    }
    id
}

/// What the page lacks; "no date" is left out when a date was written but could not be read
/// (that error says it already).
fn warnings(incident: &Incident, rel: &Path, date_reported: bool) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let placeholders = super::placeholders::found(incident);
    if incident.status == Status::Published && !placeholders.is_empty() {
        out.push(
            Diagnostic::warning(
                rel,
                1,
                format!(
                    "published with the template's placeholder text in: {}; replace it with what happened",
                    placeholders.join(", ")
                ),
            )
            .code("placeholder"),
        );
    }
    if incident.wiki_page {
        // One line per wiki page naming every field the team can fill in.
        let missing: Vec<(&str, &str)> = [
            (incident.date.is_none(), ("date", "**Date:** 2024-03-12")),
            (
                incident.severity.is_none(),
                ("severity", "**Severity:** SEV2"),
            ),
            (
                incident.components.is_empty(),
                ("components", "**Components:** checkout-api, postgres"),
            ),
        ]
        .into_iter()
        .filter_map(|(missing, what)| missing.then_some(what))
        .collect();
        if !missing.is_empty() {
            let names: Vec<&str> = missing.iter().map(|m| m.0).collect();
            let lines: Vec<&str> = missing.iter().map(|m| m.1).collect();
            out.push(
                Diagnostic::warning(
                    rel,
                    1,
                    format!(
                        "could not find: {}; add lines such as {} under the title",
                        names.join(", "),
                        lines.join(" and ")
                    ),
                )
                .code("missing-fields"),
            );
        }
        return out;
    }
    if incident.date.is_none() && !date_reported {
        out.push(Diagnostic::warning(rel, 1, "no date: the incident is listed as undated and left out of feeds and the digest; add date = 2024-03-12T21:04:00Z").code("undated"));
    }
    out
}

//! Loading: every `.md` under `content/`, one `Incident` per file plus its diagnostics.
//! Pure per file, so it runs in parallel; a problem in a file never stops the others.

pub mod front_matter;
pub mod model;
pub mod sections;

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use comrak::nodes::{Ast, AstNode, LineColumn, NodeValue};
use rayon::prelude::*;
use regex::Regex;

use crate::config::Config;
use crate::dates::When;
use crate::diagnostics::Diagnostic;
use crate::markdown::{self, MARK, Markdown};
use crate::urls;
use front_matter::{Fields, RawFrontMatter};
use model::{BodyPart, ExternalMessage, Incident, Milestone, Status, TimelineEntry, Visibility};
use sections::SectionKind;

pub const CONTENT_DIR: &str = "content";

/// The longest URL segment (an incident's or a term's folder) a build writes: file systems
/// take 255 bytes in a file name, and this leaves room.
pub const MAX_SLUG_BYTES: usize = 240;

/// The Markdown files of a library, sorted, and a warning for each entry that cannot be
/// read (a dangling symlink, a symlink loop, an unreadable folder) or that is a symlink
/// leaving the library (never followed: it would publish a file from elsewhere on the
/// machine). Hidden files and wiki chrome (`_Sidebar.md`, `_Footer.md`) are not incidents.
pub fn discover(root: &Path) -> crate::Result<(Vec<PathBuf>, Vec<Diagnostic>)> {
    let dir = root.join(CONTENT_DIR);
    if !dir.is_dir() {
        return Err(crate::Error::Refused(format!(
            "no {CONTENT_DIR}/ folder in {}: put post-mortems in {CONTENT_DIR}/ (or run `pmsite init`)",
            crate::escape::terminal(&root.to_string_lossy())
        )));
    }
    let library = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    let mut files = Vec::new();
    let mut problems = Vec::new();
    let rel = |p: &Path| crate::diagnostics::display_path(root, p);
    let mut walker = walkdir::WalkDir::new(&dir)
        .follow_links(true)
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    while let Some(entry) = walker.next() {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                let path = e.path().map_or_else(|| dir.clone(), Path::to_path_buf);
                let why = if e.loop_ancestor().is_some() {
                    "a symlink loop: it is skipped".to_string()
                } else {
                    match e.io_error() {
                        Some(io) if io.kind() == std::io::ErrorKind::NotFound => {
                            "a symlink to nothing: it is skipped".to_string()
                        }
                        Some(io) => format!("cannot be read ({io}): it is skipped"),
                        None => "cannot be read: it is skipped".to_string(),
                    }
                };
                problems.push(Diagnostic::warning(rel(&path), 0, why).code("file"));
                continue;
            }
        };
        let name = entry.file_name().to_string_lossy();
        let is_md = name.ends_with(".md") || name.ends_with(".markdown");
        // A wiki's `Home.md`, `_Sidebar.md` and `_Footer.md` are not post-mortems.
        let chrome = name.starts_with('_') || name.eq_ignore_ascii_case("home.md");
        // A symlink is followed only when it stays inside the library.
        if entry.path_is_symlink()
            && std::fs::canonicalize(entry.path()).is_ok_and(|t| !t.starts_with(&library))
        {
            problems.push(Diagnostic::warning(
                rel(entry.path()),
                0,
                "a symlink to outside the library: it is not followed, so nothing from elsewhere on the machine is published",
            ).code("file"));
            if entry.file_type().is_dir() {
                walker.skip_current_dir();
            }
            continue;
        }
        if entry.file_type().is_file() && is_md && !chrome {
            files.push(entry.into_path());
        }
    }
    files.sort();
    Ok((files, problems))
}

/// Loads every file in parallel. Incidents come back in path order with all diagnostics,
/// and the number of pages skipped as not post-mortems.
pub fn load_all(
    root: &Path,
    files: &[PathBuf],
    config: &Config,
    md: &Markdown,
    on_file: &(dyn Fn() + Sync),
) -> (Vec<Incident>, Vec<Diagnostic>, usize) {
    let results: Vec<_> = files
        .par_iter()
        .map(|path| {
            let loaded = load_file(root, path, config, md);
            on_file();
            loaded
        })
        .collect();
    let mut incidents = Vec::with_capacity(results.len());
    let mut diagnostics = Vec::new();
    let mut skipped = 0;
    for (incident, diags) in results {
        if incident.is_none() && diags.is_empty() {
            skipped += 1;
        }
        incidents.extend(incident);
        diagnostics.extend(diags);
    }
    (incidents, diagnostics, skipped)
}

/// Loads one file from disk.
pub fn load_file(
    root: &Path,
    path: &Path,
    config: &Config,
    md: &Markdown,
) -> (Option<Incident>, Vec<Diagnostic>) {
    let rel = crate::diagnostics::display_path(root, path);
    match std::fs::read(path) {
        Ok(bytes) => load_bytes(&rel, &bytes, config, md),
        Err(e) => (
            None,
            vec![Diagnostic::error(rel, 0, format!("cannot read: {e}")).code("file")],
        ),
    }
}

/// Loads one post-mortem from its bytes; `rel` is its path relative to the library root.
pub fn load_bytes(
    rel: &Path,
    bytes: &[u8],
    config: &Config,
    md: &Markdown,
) -> (Option<Incident>, Vec<Diagnostic>) {
    let error =
        |line, msg: String, code| (None, vec![Diagnostic::error(rel, line, msg).code(code)]);
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let line = crate::diagnostics::line_of_offset(
                &String::from_utf8_lossy(&bytes[..e.valid_up_to()]),
                usize::MAX,
            );
            return error(
                line,
                "the file is not UTF-8 text: save it as UTF-8".into(),
                "encoding",
            );
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
    let split = match front_matter::split(text) {
        Ok(s) => s,
        Err(p) => return (None, vec![p.in_file(rel)]),
    };
    let table = match front_matter::parse_table(split.front, split.front_line) {
        Ok(t) => t,
        Err(p) => return (None, vec![p.in_file(rel)]),
    };
    let front_src = match split.front {
        RawFrontMatter::Toml(s) | RawFrontMatter::Yaml(s) => s,
        RawFrontMatter::None => "",
    };
    let (mut fields, mut problems) = front_matter::read_fields(table, front_src, split.front_line);
    let wiki_page = split.front == RawFrontMatter::None;

    let mut body = split.body.to_string();
    let mut wiki_status = None;
    let mut wiki_field_count = 0;
    if wiki_page {
        (wiki_status, wiki_field_count) =
            wiki_fields(&mut body, split.body_line, &mut fields, &mut problems);
    }
    let heading_title = take_title_heading(&mut body, fields.title.as_deref());
    let stem = rel
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_default();
    let title = match (fields.title.take(), heading_title) {
        (Some(t), _) => t,
        (None, Some(h)) => h,
        (None, None) if wiki_page => stem.replace(['-', '_'], " "),
        (None, None) => {
            problems.push(
                Diagnostic::at(
                    split.front_line.max(1),
                    "missing `title`: add title = \"What broke, and how\" to the front matter",
                )
                .code("front-matter"),
            );
            stem.clone()
        }
    };

    let parsed = parse_body(&body, split.body_line, md, &mut problems);

    let status = match (&fields.status, wiki_status) {
        (_, Some(s)) => s,
        (Some((s, line)), None) => match s.to_ascii_lowercase().as_str() {
            "draft" => Status::Draft,
            "review" | "in review" | "in-review" => Status::Review,
            "published" => Status::Published,
            _ => {
                problems.push(
                    Diagnostic::at(
                        *line,
                        format!("unknown status `{s}`: use \"draft\", \"review\" or \"published\""),
                    )
                    .code("status"),
                );
                Status::Published
            }
        },
        (None, None) => Status::Published,
    };
    let visibility = match &fields.visibility {
        None => Visibility::Internal,
        Some((v, line)) => match v.to_ascii_lowercase().as_str() {
            "internal" => Visibility::Internal,
            "restricted" => Visibility::Restricted,
            _ => {
                problems.push(
                    Diagnostic::at(
                        *line,
                        format!("unknown visibility `{v}`: use \"internal\" or \"restricted\""),
                    )
                    .code("visibility"),
                );
                Visibility::Restricted
            }
        },
    };
    let severity = fields.severity.as_ref().and_then(|(s, line)| {
        let normal = normalise_severity(s, &config.severities);
        if normal.is_none() {
            problems.push(
                Diagnostic::at(
                    *line,
                    format!(
                        "unknown severity `{s}`: the scale in pmsite.toml is {}",
                        config.severities.join(", ")
                    ),
                )
                .code("severity"),
            );
        }
        normal
    });

    // Timeline: front matter entries, else the section; times alone take the incident date.
    let mut date = fields.date;
    let mut timeline = std::mem::take(&mut fields.timeline);
    for entry in &mut timeline {
        entry.milestone = sections::milestone_of(&entry.text);
    }
    let mut date_from_timeline = false;
    if timeline.is_empty() {
        if date.is_none() {
            // A page without a date takes the day of its first dated entry; the start of
            // impact within that day comes from OUTAGE BEGINS or the first entry, below.
            date = parsed
                .timeline
                .iter()
                .find_map(|e| e.date)
                .map(When::from_date);
            date_from_timeline = date.is_some();
        }
        let fallback = date.map(|d| d.date());
        timeline = parsed
            .timeline
            .iter()
            .map(|e| TimelineEntry {
                at: e.when(fallback),
                time_text: e.time_text.clone(),
                text: e.text.clone(),
                sources: e.sources.clone(),
                milestone: sections::milestone_of(&e.text),
                line: e.line,
            })
            .collect();
    }
    let first = |m: Milestone| {
        timeline
            .iter()
            .find(|e| e.milestone == Some(m))
            .and_then(|e| e.at)
    };
    if date.is_none_or(|d| d.date_only)
        && let Some(begins) = first(Milestone::Begins)
        && date.is_none_or(|d| d.date() == begins.date())
    {
        date = Some(begins);
    } else if date_from_timeline {
        date = timeline.iter().find_map(|e| e.at).or(date);
    }
    let detected = fields.detected.or_else(|| first(Milestone::Detected));
    let mitigated = fields.mitigated.or_else(|| first(Milestone::Mitigated));
    let resolved = fields.resolved.or_else(|| first(Milestone::Resolved));

    let action_items = if fields.action_items.is_empty() {
        parsed.action_items
    } else {
        fields.action_items
    };
    let mut refused_urls = parsed.refused_urls;
    let mut action_items = action_items;
    refuse_structured_urls(&mut timeline, &mut action_items, &mut refused_urls);
    let summary = fields.summary.or(parsed.summary);
    let id = fields.id.unwrap_or_else(|| stem.clone());
    let slug = slug::slugify(&id);
    if slug.is_empty() {
        problems.push(Diagnostic::at(1, format!("the id `{id}` has no letters or digits to make a URL from: set id = \"INC-2024-001\"")).code("id"));
    }

    for (what, name, made) in std::iter::once(("id", &id, slug.clone()))
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

    let mut body = parsed.parts;
    let mut toc = parsed.toc;
    for (present, part, title) in [
        (!timeline.is_empty(), BodyPart::Timeline, "Timeline"),
        (
            !action_items.is_empty(),
            BodyPart::ActionItems,
            "Action items",
        ),
    ] {
        let shown = body
            .iter()
            .any(|p| std::mem::discriminant(p) == std::mem::discriminant(&part));
        if present && !shown {
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

    // Pasted terminal output (ESC, NUL, form feed) cannot be carried by XML: the feeds leave
    // such characters out, and the author hears of it once.
    let forbidden = crate::escape::first_xml_forbidden(text)
        .map(|(at, c)| (crate::diagnostics::line_of_offset(text, at), c))
        .or_else(|| {
            [Some(&title), summary.as_ref()]
                .into_iter()
                .flatten()
                .chain(&fields.components)
                .chain(&fields.tags)
                .chain(&fields.root_causes)
                .find_map(|t| crate::escape::first_xml_forbidden(t))
                .map(|(_, c)| (split.front_line.max(1), c))
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

    let incident = Incident {
        slug,
        id,
        source: rel.to_string_lossy().replace('\\', "/"),
        source_path: rel.to_path_buf(),
        title,
        status,
        visibility,
        severity,
        summary,
        date,
        published: fields.published,
        detected,
        mitigated,
        resolved,
        components: fields.components,
        tags: fields.tags,
        root_causes: fields.root_causes,
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
        keywords: parsed.keywords,
        body_text: parsed.body_text,
        wiki_page,
    };
    // A wiki has pages that are not post-mortems (a home page, a runbook): a page with no
    // front matter and nothing of a post-mortem is skipped, not reported.
    if wiki_page
        && wiki_field_count == 0
        && incident.timeline.is_empty()
        && incident.action_items.is_empty()
        && problems.is_empty()
    {
        return (None, Vec::new());
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

/// `SEV-1`, `sev1`, `Sev 1` and `1` are all `SEV1` on a scale that has `SEV1`.
pub fn normalise_severity(raw: &str, scale: &[String]) -> Option<String> {
    let key = |s: &str| {
        s.chars()
            .filter(|c| c.is_alphanumeric())
            .collect::<String>()
            .to_lowercase()
    };
    let wanted = key(raw);
    if wanted.is_empty() {
        return None;
    }
    if let Some(s) = scale.iter().find(|s| key(s) == wanted) {
        return Some(s.clone());
    }
    if wanted.chars().all(|c| c.is_ascii_digit()) {
        let digits = |s: &str| s.chars().filter(|c| c.is_ascii_digit()).collect::<String>();
        let matches: Vec<_> = scale.iter().filter(|s| digits(s) == wanted).collect();
        if let [one] = matches.as_slice() {
            return Some((*one).clone());
        }
    }
    None
}

static BOLD_FIELD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*\*\*(?P<key>[^*]+?):?\*\*:?\s*(?P<value>.*?)\s*$").expect("field regex")
});

/// Reads `**Key:** value` lines from the top of a page without front matter (PagerDuty's and
/// Google SRE's templates) into fields. Lines that become fields are blanked, keeping line
/// numbers. Returns the status when the page names one.
fn wiki_fields(
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

/// Takes the first `# Heading` when it is the page's title (no title given, or the same
/// title), blanking its line so the page does not show it twice.
fn take_title_heading(body: &mut String, title: Option<&str>) -> Option<String> {
    let mut offset = 0;
    for line in body.split_inclusive('\n') {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            offset += line.len();
            continue;
        }
        let heading = trimmed
            .strip_prefix("# ")?
            .trim()
            .trim_end_matches('#')
            .trim()
            .to_string();
        if title.is_some_and(|t| !t.eq_ignore_ascii_case(&heading)) {
            return None;
        }
        let newline = if line.ends_with('\n') { "\n" } else { "" };
        body.replace_range(offset..offset + line.len(), newline);
        return Some(heading);
    }
    None
}

/// What the body gives: rendered parts in order, structured sections, and links.
struct ParsedBody {
    parts: Vec<BodyPart>,
    toc: Vec<model::TocEntry>,
    timeline: Vec<sections::RawEntry>,
    action_items: Vec<model::ActionItem>,
    external_message: Option<ExternalMessage>,
    summary: Option<String>,
    wiki_links: Vec<model::WikiLink>,
    links: Vec<model::PageLink>,
    refused_urls: Vec<model::RefusedUrl>,
    keywords: Vec<(String, u32)>,
    body_text: String,
}

fn marker(kind: &str) -> String {
    format!("{MARK}pmsite:{kind}{MARK}")
}

fn parse_body(
    body: &str,
    body_line: usize,
    md: &Markdown,
    problems: &mut Vec<Diagnostic>,
) -> ParsedBody {
    let arena = comrak::Arena::new();
    let root = comrak::parse_document(&arena, body, md.options());
    let mut parsed = ParsedBody {
        parts: Vec::new(),
        toc: Vec::new(),
        timeline: Vec::new(),
        action_items: Vec::new(),
        external_message: None,
        summary: None,
        wiki_links: Vec::new(),
        links: Vec::new(),
        refused_urls: Vec::new(),
        keywords: Vec::new(),
        body_text: String::with_capacity(body.len()),
    };

    let slotted = read_links(root, body_line, &mut parsed);

    let mut analysis: Vec<&AstNode<'_>> = Vec::new();
    let mut external = None;
    let children: Vec<&AstNode<'_>> = root.children().collect();
    let mut i = 0;
    while i < children.len() {
        let (level, kind) = match &children[i].data().value {
            NodeValue::Heading(h) => (h.level, sections::classify(&children[i].collect_text())),
            _ => (0, None),
        };
        let Some(kind) = kind else {
            i += 1;
            continue;
        };
        let end = children[i + 1..]
            .iter()
            .position(|n| match &n.data().value {
                NodeValue::Heading(h) => h.level <= level,
                NodeValue::FootnoteDefinition(_) => true,
                _ => false,
            })
            .map_or(children.len(), |p| i + 1 + p);
        let blocks = &children[i + 1..end];
        let replaced = match kind {
            SectionKind::Summary => {
                parsed.summary = sections::first_paragraph(blocks);
                analysis.extend(blocks.iter().copied());
                None
            }
            SectionKind::Analysis => {
                analysis.extend(blocks.iter().copied());
                None
            }
            SectionKind::Timeline if parsed.timeline.is_empty() => {
                parsed.timeline = sections::timeline(blocks, body_line);
                (!parsed.timeline.is_empty()).then_some("timeline")
            }
            SectionKind::ActionItems if parsed.action_items.is_empty() => {
                parsed.action_items = sections::action_items(blocks, body_line, problems);
                (!parsed.action_items.is_empty()).then_some("action_items")
            }
            SectionKind::ExternalMessage
                if parsed.external_message.is_none() && !blocks.is_empty() =>
            {
                let doc: &AstNode<'_> = arena.alloc(AstNode::new(RefCell::new(Ast::new(
                    NodeValue::Document,
                    LineColumn { line: 1, column: 1 },
                ))));
                let text = blocks
                    .iter()
                    .map(|b| b.collect_text())
                    .collect::<Vec<_>>()
                    .join("\n\n");
                for b in blocks {
                    b.detach();
                    doc.append(b);
                }
                external = Some((doc, text));
                Some("external_message")
            }
            _ => None,
        };
        if let Some(kind) = replaced {
            // The external message's blocks have moved to a document of their own.
            if kind != "external_message" {
                for b in blocks {
                    b.detach();
                }
            }
            let para = arena.alloc(AstNode::new(RefCell::new(Ast::new(
                NodeValue::Paragraph,
                LineColumn { line: 1, column: 1 },
            ))));
            let text = arena.alloc(AstNode::new(RefCell::new(Ast::new(
                NodeValue::Text(marker(kind).into()),
                LineColumn { line: 1, column: 1 },
            ))));
            para.append(text);
            children[i].insert_after(para);
        }
        i = end;
    }

    // Related incidents compare the summary and analysis; a page without such sections is
    // compared on all its prose.
    parsed.keywords = if analysis.is_empty() {
        keywords(&[root], parsed.summary.as_deref())
    } else {
        keywords(&analysis, parsed.summary.as_deref())
    };
    // Links whose target the library knows become slots, only now: the sections above read
    // their links and text as written.
    for (node, slot) in slotted {
        let open = arena.alloc(AstNode::new(RefCell::new(Ast::new(
            NodeValue::Text(markdown::slot_open(slot).into()),
            LineColumn { line: 1, column: 1 },
        ))));
        node.insert_before(open);
        for child in node.children().collect::<Vec<_>>() {
            node.insert_before(child);
        }
        let close = arena.alloc(AstNode::new(RefCell::new(Ast::new(
            NodeValue::Text(markdown::slot_close().into()),
            LineColumn { line: 1, column: 1 },
        ))));
        node.insert_before(close);
        node.detach();
    }
    if let Some((doc, text)) = external {
        let (html, _) = md.render(doc);
        parsed.external_message = Some(ExternalMessage { html, text });
    }
    let (html, toc) = md.render(root);
    parsed.toc = toc;
    parsed.parts = split_parts(&html);
    parsed
}

/// Reads every link and image of the body: a URL the policy refuses becomes its text (and a
/// problem for `check`), wiki links and links to `.md` files are returned to become slots,
/// and the body's plain text is collected for search.
fn read_links<'a>(
    root: &'a AstNode<'a>,
    body_line: usize,
    parsed: &mut ParsedBody,
) -> Vec<(&'a AstNode<'a>, markdown::LinkSlot)> {
    let mut slotted = Vec::new();
    let mut refused = Vec::new();
    for node in root.descendants() {
        let data = node.data();
        let line = data.sourcepos.start.line + body_line - 1;
        let column = data.sourcepos.start.column;
        match &data.value {
            NodeValue::Text(t) => parsed.body_text.push_str(t),
            NodeValue::Code(c) => parsed.body_text.push_str(&c.literal),
            NodeValue::CodeBlock(c) => parsed.body_text.push_str(&c.literal),
            _ => {}
        }
        if !parsed.body_text.ends_with(' ') {
            parsed.body_text.push(' ');
        }
        match &data.value {
            NodeValue::WikiLink(link) => {
                let index = parsed.wiki_links.len();
                parsed.wiki_links.push(model::WikiLink {
                    target: link.url.clone(),
                    line,
                    column,
                });
                slotted.push((node, markdown::LinkSlot::Wiki(index)));
            }
            NodeValue::Link(link) | NodeValue::Image(link) => {
                let used = if matches!(data.value, NodeValue::Image(_)) {
                    urls::Use::Image
                } else {
                    urls::Use::Link
                };
                if let Some(why) = urls::refusal(&link.url, used) {
                    parsed.refused_urls.push(model::RefusedUrl {
                        url: link.url.clone(),
                        why,
                        line,
                        column,
                    });
                    refused.push(node);
                } else if used == urls::Use::Link {
                    let index = parsed.links.len();
                    parsed.links.push(model::PageLink {
                        url: link.url.clone(),
                        title: link.title.clone(),
                        line,
                        column,
                    });
                    // A link to another post-mortem's file becomes a link to its page once
                    // the library knows every page.
                    if crate::library::links::is_markdown_path(&link.url) {
                        slotted.push((node, markdown::LinkSlot::Page(index)));
                    }
                }
            }
            _ => {}
        }
    }
    // A refused link keeps its words: its label (an image its alt text) stays as text.
    for node in refused {
        for child in node.children().collect::<Vec<_>>() {
            node.insert_before(child);
        }
        node.detach();
    }
    slotted
}

/// Words too common in post-mortems (or English) to say two incidents are alike. Sorted, for
/// binary search.
const STOPWORDS: &[&str] = &[
    "about",
    "after",
    "all",
    "also",
    "and",
    "any",
    "are",
    "back",
    "because",
    "been",
    "before",
    "between",
    "but",
    "can",
    "could",
    "customer",
    "customers",
    "did",
    "does",
    "during",
    "each",
    "for",
    "from",
    "had",
    "has",
    "have",
    "how",
    "impact",
    "incident",
    "into",
    "issue",
    "its",
    "minutes",
    "more",
    "most",
    "not",
    "one",
    "only",
    "other",
    "our",
    "out",
    "over",
    "per",
    "same",
    "should",
    "since",
    "some",
    "such",
    "team",
    "than",
    "that",
    "the",
    "their",
    "them",
    "then",
    "there",
    "they",
    "this",
    "time",
    "times",
    "two",
    "under",
    "until",
    "via",
    "was",
    "were",
    "what",
    "when",
    "which",
    "while",
    "who",
    "why",
    "will",
    "with",
    "would",
];

static STOPWORD_SET: LazyLock<rustc_hash::FxHashSet<&'static str>> =
    LazyLock::new(|| STOPWORDS.iter().copied().collect());

/// Counts the words of the prose still in the document (structured sections are detached by
/// now) and the summary. Hot at scale: one lowercase buffer, words borrowed from it.
fn keywords<'a>(blocks: &[&'a AstNode<'a>], summary: Option<&str>) -> Vec<(String, u32)> {
    let mut text = String::with_capacity(8192);
    let mut push = |t: &str| {
        if t.is_ascii() {
            text.extend(t.bytes().map(|b| b.to_ascii_lowercase() as char));
        } else {
            text.push_str(&t.to_lowercase());
        }
        text.push(' ');
    };
    if let Some(s) = summary {
        push(s);
    }
    // Headings are skipped: every post-mortem has "Action items", and that says nothing.
    let mut stack: Vec<&AstNode<'_>> = blocks.iter().rev().copied().collect();
    while let Some(node) = stack.pop() {
        match &node.data().value {
            NodeValue::Text(t) if !t.starts_with(MARK) => push(t),
            NodeValue::Code(c) => push(&c.literal),
            NodeValue::Heading(_) => {}
            _ => stack.extend(node.reverse_children()),
        }
    }
    let mut counts: rustc_hash::FxHashMap<&str, u32> = Default::default();
    for word in text.split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '_')) {
        let word = word.trim_matches(|c| c == '-' || c == '_');
        if word.len() < 3 || word.bytes().all(|b| b.is_ascii_digit()) || STOPWORD_SET.contains(word)
        {
            continue;
        }
        *counts.entry(word).or_default() += 1;
    }
    let mut words: Vec<(String, u32)> = counts
        .into_iter()
        .map(|(w, c)| (w.to_string(), c))
        .collect();
    words.sort_unstable();
    words
}

/// Splits rendered HTML at the section markers into prose and structured parts.
fn split_parts(html: &str) -> Vec<BodyPart> {
    let mut parts = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find(&format!("<p>{MARK}pmsite:")) {
        let prose = &rest[..start];
        if !prose.trim().is_empty() {
            parts.push(BodyPart::Prose(prose.to_string()));
        }
        let after = &rest[start + "<p>".len() + MARK.len_utf8() + "pmsite:".len()..];
        let end = after.find(MARK).unwrap_or(after.len());
        parts.push(match &after[..end] {
            "timeline" => BodyPart::Timeline,
            "action_items" => BodyPart::ActionItems,
            _ => BodyPart::ExternalMessage,
        });
        let close = after.find("</p>").map_or(after.len(), |p| p + "</p>".len());
        rest = after[close..].trim_start_matches('\n');
    }
    if !rest.trim().is_empty() {
        parts.push(BodyPart::Prose(rest.to_string()));
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stopwords_are_sorted_for_binary_search() {
        assert!(STOPWORDS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn keywords_count_prose_words_lowercased() {
        let md = Markdown::new(false);
        let arena = comrak::Arena::new();
        let root = comrak::parse_document(
            &arena,
            "The Deadlock in pgbouncer; deadlock again `pgbouncer` 42\n",
            md.options(),
        );
        let k = keywords(&[root], Some("Deadlock"));
        assert_eq!(
            k,
            vec![
                ("again".into(), 1),
                ("deadlock".into(), 3),
                ("pgbouncer".into(), 2)
            ]
        );
    }
}

//! Conventional post-mortem sections recognised by heading and turned into data: the
//! timeline, action items, the external message and the summary. Works on comrak's AST so
//! every entry keeps its source line.

use std::sync::LazyLock;

use chrono::{NaiveDate, NaiveTime, TimeZone};
use chrono_tz::Tz;
use comrak::nodes::{AstNode, NodeValue};
use regex::Regex;

use super::model::{ActionItem, ActionType, Milestone, Source, Ticket};
use crate::dates::parse_date as parse_due;
use crate::dates::{self, When};
use crate::diagnostics::Diagnostic;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SectionKind {
    Timeline,
    ActionItems,
    ExternalMessage,
    Summary,
    /// What went wrong and why: the text related incidents are compared on.
    Analysis,
}

/// Which conventional section a heading starts, by its words (case-insensitive, with the
/// synonyms the common templates use).
pub fn classify(heading: &str) -> Option<SectionKind> {
    let norm: String = heading
        .to_lowercase()
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    let words: Vec<&str> = norm.split_whitespace().collect();
    let h = words.join(" ");
    let h = h.as_str();
    match h {
        "timeline" | "incident timeline" | "timeline of events" | "detailed timeline"
        | "chronology" | "sequence of events" | "event timeline" => Some(SectionKind::Timeline),
        "summary" | "overview" | "executive summary" | "incident summary" | "tl dr" | "tldr" => {
            Some(SectionKind::Summary)
        }
        "analysis"
        | "root cause"
        | "root causes"
        | "root cause analysis"
        | "contributing factors"
        | "what happened"
        | "trigger"
        | "cause"
        | "causes"
        | "technical details"
        | "background" => Some(SectionKind::Analysis),
        "external"
        | "external message"
        | "external messaging"
        | "external communication"
        | "external communications"
        | "customer communication"
        | "customer communications"
        | "customer message"
        | "customer facing message"
        | "public message"
        | "public statement"
        | "status page message"
        | "status page update" => Some(SectionKind::ExternalMessage),
        _ if h.starts_with("action item")
            || h.starts_with("follow up")
            || h.starts_with("corrective action")
            || h.starts_with("remediation")
            || h == "actions"
            || h == "next steps" =>
        {
            Some(SectionKind::ActionItems)
        }
        _ => None,
    }
}

/// A time zone as a section or column names it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Zone {
    Fixed(chrono::FixedOffset),
    Named(Tz),
}

impl Zone {
    fn at(&self, date: NaiveDate, time: NaiveTime) -> Option<When> {
        let naive = date.and_time(time);
        let at = match self {
            Zone::Fixed(off) => off.from_local_datetime(&naive).earliest()?,
            Zone::Named(tz) => {
                let local = tz.from_local_datetime(&naive).earliest()?;
                local.fixed_offset()
            }
        };
        Some(When {
            at,
            date_only: false,
        })
    }
}

static ZONE_WORDS: LazyLock<Vec<(Regex, Zone)>> = LazyLock::new(|| {
    use chrono_tz::{America, Asia, Europe};
    let z = |p: &str, zone| {
        (
            Regex::new(&format!(r"(?i)\b(?:{p})\b")).expect("zone regex"),
            zone,
        )
    };
    let s = |p: &str, zone| {
        (
            Regex::new(&format!(r"\b(?:{p})\b")).expect("zone regex"),
            zone,
        )
    };
    vec![
        z("utc|gmt|zulu", Zone::Fixed(dates::utc())),
        z("pacific", Zone::Named(America::Los_Angeles)),
        s("PST|PDT|PT", Zone::Named(America::Los_Angeles)),
        z("eastern", Zone::Named(America::New_York)),
        s("EST|EDT|ET", Zone::Named(America::New_York)),
        z("central european", Zone::Named(Europe::Berlin)),
        s("CET|CEST", Zone::Named(Europe::Berlin)),
        z("central", Zone::Named(America::Chicago)),
        s("CST|CDT", Zone::Named(America::Chicago)),
        z("mountain", Zone::Named(America::Denver)),
        s("MST|MDT", Zone::Named(America::Denver)),
        s("BST", Zone::Named(Europe::London)),
        s("IST", Zone::Named(Asia::Kolkata)),
        s("JST", Zone::Named(Asia::Tokyo)),
    ]
});

static UTC_OFFSET: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:UTC|GMT)\s*([+-])(\d{1,2})(?::?(\d{2}))?").expect("offset regex")
});

/// The zone a piece of text names ("all times UTC", "Pacific Time", "UTC+2"), if any.
pub fn zone_in(text: &str) -> Option<Zone> {
    if let Some(c) = UTC_OFFSET.captures(text) {
        let hours: i32 = c[2].parse().ok()?;
        let minutes: i32 = c.get(3).map_or(Some(0), |m| m.as_str().parse().ok())?;
        let sign = if &c[1] == "-" { -1 } else { 1 };
        return chrono::FixedOffset::east_opt(sign * (hours * 3600 + minutes * 60))
            .map(Zone::Fixed);
    }
    ZONE_WORDS
        .iter()
        .find(|(re, _)| re.is_match(text))
        .map(|(_, z)| *z)
}

static ZONE_STATEMENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\btimes?\b|\btime\s*zone\b|\btimezone\b").expect("statement regex")
});

/// The zone a timeline section states for all its entries ("All times UTC", "Times are
/// Pacific", "Timezone: CET"): only a paragraph line that speaks of times and is not itself
/// an entry counts, so an entry reading "Deploy to the central config service" moves no time
/// to Chicago.
fn stated_zone<'a>(blocks: &[&'a AstNode<'a>]) -> Option<Zone> {
    blocks
        .iter()
        .filter(|b| matches!(b.data().value, NodeValue::Paragraph))
        .flat_map(|b| {
            inline(b)
                .text
                .split('\n')
                .map(|l| {
                    l.chars()
                        .filter(|c| *c != LINK_OPEN && *c != LINK_CLOSE)
                        .collect::<String>()
                })
                .collect::<Vec<_>>()
        })
        .filter(|line| parse_stamp(line.trim()).is_none_or(|s| s.time.is_none()))
        .filter(|line| ZONE_STATEMENT.is_match(line))
        .find_map(|line| zone_in(&line))
}

static ENTRY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^\s*(?:(?P<date>\d{4}-\d{2}-\d{2}|\d{4}/\d{2}/\d{2})(?:[ T,]+|$))?(?:(?P<time>\d{1,2}:\d{2})(?::\d{2})?(?:\.\d+)?\s*(?P<ampm>[AaPp]\.?[Mm]\.?)?(?:\s*(?P<tz>Z\b|UTC\b|GMT\b|[A-Z]{1,3}T\b|[+-]\d{2}:?\d{2}\b))?)?\s*(?:[-–—:|,.)]+\s*)?(?P<text>.*)$",
    )
    .expect("entry regex")
});

/// The date, time, zone and text at the start of a timeline line.
#[derive(Debug, Default, PartialEq)]
pub struct Stamp {
    pub date: Option<NaiveDate>,
    pub time: Option<NaiveTime>,
    pub time_text: String,
    pub zone: Option<Zone>,
    pub text: String,
}

pub fn parse_stamp(line: &str) -> Option<Stamp> {
    let c = ENTRY.captures(line)?;
    let date = c.name("date").and_then(|d| dates::parse_date(d.as_str()));
    let time = match c.name("time") {
        Some(t) => {
            let mut time = NaiveTime::parse_from_str(t.as_str(), "%H:%M").ok()?;
            if let Some(ampm) = c.name("ampm") {
                let pm = ampm.as_str().to_ascii_lowercase().starts_with('p');
                let h = chrono::Timelike::hour(&time) % 12 + if pm { 12 } else { 0 };
                time = NaiveTime::from_hms_opt(h, chrono::Timelike::minute(&time), 0)?;
            }
            Some(time)
        }
        None => None,
    };
    if date.is_none() && time.is_none() {
        // A date written out ("March 12, 2024") as a date line.
        let d = dates::parse_date(line.split('(').next().unwrap_or(line))?;
        return Some(Stamp {
            date: Some(d),
            ..Stamp::default()
        });
    }
    let time_text = line[..c.name("text").map_or(line.len(), |t| t.start())]
        .trim()
        .trim_end_matches(['-', '–', '—', ':', '|', ',', '.'])
        .trim()
        .to_string();
    Some(Stamp {
        date,
        time,
        time_text,
        zone: c.name("tz").and_then(|z| zone_in(z.as_str())),
        text: c.name("text").map_or("", |t| t.as_str()).trim().to_string(),
    })
}

static MILESTONES: LazyLock<Vec<(Regex, Milestone)>> = LazyLock::new(|| {
    let r = |p: &str| Regex::new(&format!(r"(?i){p}")).expect("milestone regex");
    vec![
        (
            r(r"\b(?:outage|incident)\s+(?:begins|began|starts|started)\b"),
            Milestone::Begins,
        ),
        (
            r(r"\b(?:outage|incident)\s+ends\b|\bresolved\b|\bresolution\b"),
            Milestone::Resolved,
        ),
        (r(r"\bmitigated\b|\brepair\b"), Milestone::Mitigated),
        (r(r"\bdetected\b|\bdetection\b"), Milestone::Detected),
    ]
});

/// The milestone a timeline entry marks: `(mitigated)`, Google SRE's `OUTAGE MITIGATED`,
/// `OUTAGE ENDS`, Jeli's Detection / Repair.
pub fn milestone_of(text: &str) -> Option<Milestone> {
    MILESTONES
        .iter()
        .find(|(re, _)| re.is_match(text))
        .map(|(_, m)| *m)
}

/// A timeline entry before it is placed on the incident's date.
#[derive(Debug)]
pub struct RawEntry {
    pub date: Option<NaiveDate>,
    pub time: Option<NaiveTime>,
    pub time_text: String,
    pub zone: Option<Zone>,
    pub text: String,
    pub sources: Vec<Source>,
    pub line: usize,
}

impl RawEntry {
    /// Places the entry in time: its own date, or the incident's.
    pub fn when(&self, fallback: Option<NaiveDate>) -> Option<When> {
        let date = self.date.or(fallback)?;
        let zone = self.zone.unwrap_or(Zone::Fixed(dates::utc()));
        match self.time {
            Some(t) => zone.at(date, t),
            None => Some(When::from_date(date)),
        }
    }
}

/// Plain text of inline content with its links, and link labels marked so that a
/// parenthesised source link can be dropped from the text.
struct Inline {
    text: String,
    links: Vec<Source>,
}

const LINK_OPEN: char = '\u{1}';
const LINK_CLOSE: char = '\u{2}';

/// Walks inline content with a stack of its own, never the call stack: an author's text can
/// nest emphasis or quotes hundreds of thousands deep.
fn inline_of<'a>(node: &'a AstNode<'a>, out: &mut Inline) {
    enum Step<'a> {
        Node(&'a AstNode<'a>),
        /// The end of a link whose label starts at this byte of `out.text`.
        LinkEnd(String, usize),
    }
    let mut stack = vec![Step::Node(node)];
    while let Some(step) = stack.pop() {
        let node = match step {
            Step::Node(node) => node,
            Step::LinkEnd(url, start) => {
                let label = out.text[start..].to_string();
                out.links.push(Source { label, url });
                out.text.push(LINK_CLOSE);
                continue;
            }
        };
        match &node.data().value {
            // Link markers are control characters; any in the text itself are dropped.
            NodeValue::Text(t) => out
                .text
                .extend(t.chars().filter(|c| *c != LINK_OPEN && *c != LINK_CLOSE)),
            NodeValue::Code(c) => out.text.push_str(&c.literal),
            NodeValue::SoftBreak | NodeValue::LineBreak => out.text.push('\n'),
            NodeValue::Link(link) => {
                out.text.push(LINK_OPEN);
                stack.push(Step::LinkEnd(link.url.clone(), out.text.len()));
                stack.extend(node.reverse_children().map(Step::Node));
            }
            NodeValue::List(_) => {}
            _ => stack.extend(node.reverse_children().map(Step::Node)),
        }
    }
}

fn inline<'a>(node: &'a AstNode<'a>) -> Inline {
    let mut out = Inline {
        text: String::new(),
        links: Vec::new(),
    };
    for child in node.children() {
        inline_of(child, &mut out);
    }
    out
}

static PAREN_LINK: LazyLock<Regex> =
    LazyLock::new(|| Regex::new("\\s*\\(\u{1}[^\u{2}]*\u{2}\\)").expect("paren regex"));

/// The text with parenthesised source links removed and link markers dropped.
fn clean_text(text: &str) -> String {
    let t = PAREN_LINK.replace_all(text, "");
    let t: String = t
        .chars()
        .filter(|c| *c != LINK_OPEN && *c != LINK_CLOSE)
        .collect();
    t.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn line_of<'a>(node: &'a AstNode<'a>, first_line: usize) -> usize {
    node.data().sourcepos.start.line + first_line - 1
}

/// Timeline entries from a section's blocks, in any of the forms the common templates use.
pub fn timeline<'a>(blocks: &[&'a AstNode<'a>], first_line: usize) -> Vec<RawEntry> {
    let section_zone = stated_zone(blocks);
    let mut current_date = None;
    let mut entries = Vec::new();
    for block in blocks {
        let line = line_of(block, first_line);
        match &block.data().value {
            NodeValue::Paragraph => {
                let content = inline(block);
                let mut links_seen = 0;
                for (i, text_line) in content.text.split('\n').enumerate() {
                    let n_links = text_line.matches(LINK_OPEN).count();
                    let links = content.links[links_seen..links_seen + n_links].to_vec();
                    links_seen += n_links;
                    push_line(
                        text_line,
                        links,
                        line + i,
                        section_zone,
                        &mut current_date,
                        &mut entries,
                    );
                }
            }
            NodeValue::List(_) => {
                for item in block.children() {
                    let content = inline(item);
                    let text = if content.text.contains('\n') {
                        content.text.replace('\n', " ")
                    } else {
                        content.text
                    };
                    push_line(
                        &text,
                        content.links,
                        line_of(item, first_line),
                        section_zone,
                        &mut current_date,
                        &mut entries,
                    );
                }
            }
            NodeValue::Table(_) => {
                table_entries(
                    block,
                    first_line,
                    section_zone,
                    &mut current_date,
                    &mut entries,
                );
            }
            _ => {}
        }
    }
    entries
}

fn push_line(
    text: &str,
    links: Vec<Source>,
    line: usize,
    zone: Option<Zone>,
    current_date: &mut Option<NaiveDate>,
    entries: &mut Vec<RawEntry>,
) {
    let plain: String = text
        .chars()
        .filter(|c| *c != LINK_OPEN && *c != LINK_CLOSE)
        .collect();
    let Some(stamp) = parse_stamp(plain.trim()) else {
        return;
    };
    if stamp.date.is_some() {
        *current_date = stamp.date;
    }
    if stamp.time.is_none() {
        // A date line (Google SRE): it dates the lines under it.
        return;
    }
    // Cut the stamp from the marked text by its length in the plain text.
    let stamp_len = plain.trim_start().len() - stamp.text.len();
    let marked = text.trim_start();
    let mut cut = 0;
    let mut seen = 0;
    for (i, c) in marked.char_indices() {
        if seen >= stamp_len {
            cut = i;
            break;
        }
        if c != LINK_OPEN && c != LINK_CLOSE {
            seen += c.len_utf8();
        }
        cut = i + c.len_utf8();
    }
    let body = clean_text(&marked[cut..]);
    if body.is_empty() && links.is_empty() {
        return;
    }
    entries.push(RawEntry {
        date: *current_date,
        time: stamp.time,
        time_text: stamp.time_text,
        zone: stamp.zone.or(zone),
        text: body,
        sources: links,
        line,
    });
}

fn table_rows<'a>(table: &'a AstNode<'a>) -> Vec<(&'a AstNode<'a>, Vec<Inline>)> {
    table
        .children()
        .map(|row| (row, row.children().map(|cell| inline(cell)).collect()))
        .collect()
}

fn table_entries<'a>(
    table: &'a AstNode<'a>,
    first_line: usize,
    section_zone: Option<Zone>,
    current_date: &mut Option<NaiveDate>,
    entries: &mut Vec<RawEntry>,
) {
    let rows = table_rows(table);
    let Some((_, header)) = rows.first() else {
        return;
    };
    let head0 = header
        .first()
        .map(|c| c.text.to_lowercase())
        .unwrap_or_default();
    if !(head0.contains("time") || head0.contains("date") || head0.contains("when")) {
        return;
    }
    let zone = zone_in(
        &header
            .iter()
            .map(|c| c.text.as_str())
            .collect::<Vec<_>>()
            .join(" "),
    )
    .or(section_zone);
    for (row, cells) in rows.iter().skip(1) {
        let Some(first) = cells.first() else { continue };
        let stamp_text = clean_text(&first.text);
        let Some(stamp) = parse_stamp(&stamp_text) else {
            continue;
        };
        if stamp.date.is_some() {
            *current_date = stamp.date;
        }
        if stamp.time.is_none() && stamp.date.is_none() {
            continue;
        }
        let text = cells[1..]
            .iter()
            .filter(|c| !only_links(&c.text))
            .map(|c| clean_text(&c.text))
            .filter(|t| !t.is_empty() && !is_bare_url(t))
            .collect::<Vec<_>>()
            .join(" — ");
        let sources = cells
            .iter()
            .flat_map(|c| c.links.iter().cloned())
            .collect::<Vec<_>>();
        if text.is_empty() && sources.is_empty() {
            continue;
        }
        entries.push(RawEntry {
            date: *current_date,
            time: stamp.time,
            time_text: stamp.time_text.clone(),
            zone: stamp.zone.or(zone),
            text,
            sources,
            line: line_of(row, first_line),
        });
    }
}

/// A cell made of links alone (a "Data Link" column) holds sources, not text.
fn only_links(marked: &str) -> bool {
    let mut outside = String::new();
    let mut depth = 0;
    for c in marked.chars() {
        match c {
            LINK_OPEN => depth += 1,
            LINK_CLOSE => depth -= 1,
            _ if depth == 0 => outside.push(c),
            _ => {}
        }
    }
    marked.contains(LINK_OPEN) && outside.trim().trim_matches(['(', ')', ',', ' ']).is_empty()
}

fn is_bare_url(text: &str) -> bool {
    !text.contains(' ') && (text.starts_with("http://") || text.starts_with("https://"))
}

static TICKET: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[A-Z][A-Z0-9]*-\d+$").expect("ticket regex"));
static PRIORITY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\(?([Pp][0-4])\)?[,.;]?$").expect("priority regex"));

/// Action items from a section's blocks: a (task) list or a table.
pub fn action_items<'a>(
    blocks: &[&'a AstNode<'a>],
    first_line: usize,
    problems: &mut Vec<Diagnostic>,
) -> Vec<ActionItem> {
    let mut items = Vec::new();
    for block in blocks {
        match &block.data().value {
            NodeValue::List(_) => {
                for item in block.children() {
                    let done =
                        matches!(&item.data().value, NodeValue::TaskItem(t) if t.symbol.is_some());
                    let line = line_of(item, first_line);
                    let content = inline(item);
                    if let Some(a) = list_item(content, done, line, problems) {
                        items.push(a);
                    }
                }
            }
            NodeValue::Table(_) => table_items(block, first_line, problems, &mut items),
            _ => {}
        }
    }
    items
}

fn list_item(
    content: Inline,
    done: bool,
    line: usize,
    problems: &mut Vec<Diagnostic>,
) -> Option<ActionItem> {
    let mut item = ActionItem {
        text: String::new(),
        owner: None,
        due: None,
        priority: None,
        kind: None,
        ticket: None,
        done,
        line,
    };
    // Links whose label is a ticket id are the ticket; others stay in the text.
    let mut text = String::new();
    let mut rest = content.text.as_str();
    let mut links = content.links.iter();
    while let Some(open) = rest.find(LINK_OPEN) {
        text.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let close = after.find(LINK_CLOSE).unwrap_or(after.len());
        let label = &after[..close];
        let link = links.next();
        if TICKET.is_match(label.trim()) && item.ticket.is_none() {
            item.ticket = Some(Ticket {
                id: label.trim().to_string(),
                url: link.map(|l| l.url.clone()),
            });
            text.push(' ');
        } else {
            text.push_str(label);
        }
        rest = after.get(close + 1..).unwrap_or("");
    }
    text.push_str(rest);

    let mut words = Vec::new();
    let mut in_meta = false;
    let mut tokens = text.split_whitespace().peekable();
    while let Some(token) = tokens.next() {
        let bare = token.trim_end_matches([',', ';', '.']);
        if let Some(owner) = bare.strip_prefix('@').filter(|o| !o.is_empty()) {
            item.owner = Some(owner.to_string());
            in_meta = true;
        } else if let Some(due) = bare
            .strip_prefix("due:")
            .or_else(|| bare.strip_prefix("Due:"))
        {
            let due = if due.is_empty() {
                tokens.next().unwrap_or("").trim_end_matches([',', ';'])
            } else {
                due
            };
            match parse_due(due) {
                Some(d) => item.due = Some(d),
                None => problems.push(
                    Diagnostic::at(
                        line,
                        format!(
                            "due date `{due}` of an action item is not a date: write due:2024-04-01"
                        ),
                    )
                    .code("action-item"),
                ),
            }
            in_meta = true;
        } else if let Some(p) = PRIORITY.captures(bare) {
            item.priority = Some(p[1].to_ascii_uppercase());
            in_meta = true;
        } else if let Some(kind) = bare.strip_prefix("type:") {
            item.kind = ActionType::parse(kind);
            if item.kind.is_none() {
                problems.push(Diagnostic::at(
                    line,
                    format!(
                        "action item type `{kind}` is not one of prevent, mitigate, detect, process"
                    ),
                ).code("action-item"));
            }
            in_meta = true;
        } else if in_meta && ActionType::parse(bare).is_some() {
            item.kind = ActionType::parse(bare);
        } else if in_meta && TICKET.is_match(bare) && item.ticket.is_none() {
            item.ticket = Some(Ticket {
                id: bare.to_string(),
                url: None,
            });
        } else if in_meta && (bare == "DONE" || bare == "TODO") {
            item.done = bare == "DONE";
        } else {
            words.push(token);
        }
    }
    item.text = words.join(" ");
    if item.text.is_empty() {
        return None;
    }
    Some(item)
}

#[derive(Clone, Copy, PartialEq)]
enum Column {
    Text,
    Type,
    Owner,
    Ticket,
    Due,
    Priority,
    Status,
    Other,
}

fn column_of(header: &str) -> Column {
    let h = header.to_lowercase();
    let h = h.trim();
    if h.contains("owner") || h.contains("assignee") || h == "who" {
        Column::Owner
    } else if h.contains("type") || h == "kind" || h == "category" {
        Column::Type
    } else if h.contains("bug")
        || h.contains("ticket")
        || h.contains("issue")
        || h.contains("jira")
        || h == "link"
    {
        Column::Ticket
    } else if h.contains("due") || h == "deadline" {
        Column::Due
    } else if h.contains("priority") || h == "pri" {
        Column::Priority
    } else if h.contains("status") || h == "done" || h == "state" {
        Column::Status
    } else if h.contains("action")
        || h.contains("item")
        || h.contains("task")
        || h.contains("description")
        || h == "what"
    {
        Column::Text
    } else {
        Column::Other
    }
}

static DONE_WORD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(DONE|TODO)\b").expect("done regex"));

fn table_items<'a>(
    table: &'a AstNode<'a>,
    first_line: usize,
    problems: &mut Vec<Diagnostic>,
    items: &mut Vec<ActionItem>,
) {
    let rows = table_rows(table);
    let Some((_, header)) = rows.first() else {
        return;
    };
    let mut columns: Vec<Column> = header
        .iter()
        .map(|c| column_of(&clean_text(&c.text)))
        .collect();
    if !columns.contains(&Column::Text)
        && let Some(first) = columns.first_mut()
    {
        *first = Column::Text;
    }
    for (row, cells) in rows.iter().skip(1) {
        let line = line_of(row, first_line);
        let mut item = ActionItem {
            text: String::new(),
            owner: None,
            due: None,
            priority: None,
            kind: None,
            ticket: None,
            done: false,
            line,
        };
        for (cell, column) in cells.iter().zip(&columns) {
            let text = clean_text(&cell.text);
            if let Some(word) = DONE_WORD.captures(&text) {
                item.done = &word[1] == "DONE";
            }
            let value = DONE_WORD.replace_all(&text, "").trim().to_string();
            let value = value.trim_matches(['*', '_', ' ']).to_string();
            if value.is_empty() || value.eq_ignore_ascii_case("n/a") {
                continue;
            }
            match column {
                Column::Text => item.text = value,
                Column::Owner => item.owner = Some(value.trim_start_matches('@').to_string()),
                Column::Type => {
                    item.kind = ActionType::parse(value.split_whitespace().next().unwrap_or(""))
                }
                Column::Ticket => {
                    let url = cell.links.first().map(|l| l.url.clone());
                    let id = cell
                        .links
                        .first()
                        .map(|l| l.label.clone())
                        .filter(|l| !l.is_empty())
                        .unwrap_or(value);
                    item.ticket = Some(Ticket { id, url });
                }
                Column::Due => match parse_due(&value) {
                    Some(d) => item.due = Some(d),
                    None => problems.push(Diagnostic::at(
                        line,
                        format!(
                            "due date `{value}` of an action item is not a date: write 2024-04-01"
                        ),
                    ).code("action-item")),
                },
                Column::Priority => item.priority = Some(value.to_ascii_uppercase()),
                Column::Status => {
                    let v = value.to_lowercase();
                    item.done = matches!(
                        v.as_str(),
                        "done"
                            | "closed"
                            | "complete"
                            | "completed"
                            | "yes"
                            | "fixed"
                            | "x"
                            | "✓"
                            | "✔"
                    );
                }
                Column::Other => {}
            }
        }
        if !item.text.is_empty() {
            items.push(item);
        }
    }
}

/// The first paragraph of a section, as plain text.
pub fn first_paragraph<'a>(blocks: &[&'a AstNode<'a>]) -> Option<String> {
    blocks
        .iter()
        .find(|b| matches!(b.data().value, NodeValue::Paragraph))
        .map(|b| clean_text(&inline(b).text))
        .filter(|t| !t.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_synonyms() {
        assert_eq!(classify("Timeline"), Some(SectionKind::Timeline));
        assert_eq!(classify("Action Items"), Some(SectionKind::ActionItems));
        assert_eq!(
            classify("Follow-up actions"),
            Some(SectionKind::ActionItems)
        );
        assert_eq!(
            classify("Customer Communication"),
            Some(SectionKind::ExternalMessage)
        );
        assert_eq!(classify("Root Cause Analysis"), Some(SectionKind::Analysis));
        assert_eq!(classify("Lessons learned"), None);
    }

    #[test]
    fn stamps() {
        let s = parse_stamp("2020-01-07 02:43 UTC — Window opens").unwrap();
        assert_eq!(s.date, NaiveDate::from_ymd_opt(2020, 1, 7));
        assert_eq!(s.time, NaiveTime::from_hms_opt(2, 43, 0));
        assert_eq!(s.text, "Window opens");
        assert_eq!(s.time_text, "2020-01-07 02:43 UTC");
        let s = parse_stamp("14:51 Deploy begins").unwrap();
        assert_eq!(s.text, "Deploy begins");
        let s = parse_stamp("9:05 PM PST: page").unwrap();
        assert_eq!(s.time, NaiveTime::from_hms_opt(21, 5, 0));
        assert!(matches!(s.zone, Some(Zone::Named(_))));
        let s = parse_stamp("2015-10-21 (all times UTC)").unwrap();
        assert!(s.time.is_none() && s.date.is_some());
        assert!(parse_stamp("No time here").is_none_or(|s| s.time.is_none() && s.date.is_none()));
    }

    #[test]
    fn zones() {
        assert_eq!(
            zone_in("All times are UTC."),
            Some(Zone::Fixed(dates::utc()))
        );
        assert_eq!(
            zone_in("times in Pacific Time"),
            Some(Zone::Named(chrono_tz::America::Los_Angeles))
        );
        assert_eq!(
            zone_in("(UTC+2)"),
            chrono::FixedOffset::east_opt(7200).map(Zone::Fixed)
        );
        assert_eq!(zone_in("the deploy"), None);
    }

    #[test]
    fn milestones() {
        assert_eq!(
            milestone_of("OUTAGE MITIGATED by rollback"),
            Some(Milestone::Mitigated)
        );
        assert_eq!(milestone_of("Incident resolved"), Some(Milestone::Resolved));
        assert_eq!(milestone_of("OUTAGE ENDS"), Some(Milestone::Resolved));
        assert_eq!(milestone_of("OUTAGE BEGINS"), Some(Milestone::Begins));
        assert_eq!(milestone_of("Pager fires"), None);
    }
}

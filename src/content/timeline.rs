//! The timeline section as data: entries with a time in any of the forms the common
//! templates use (lists, lines under a date, tables), their zone, data sources and milestones.

use std::sync::LazyLock;

use chrono::{NaiveDate, NaiveTime, TimeZone};
use chrono_tz::Tz;
use comrak::nodes::{AstNode, NodeValue};
use regex::Regex;

use super::model::Source;
use super::sections::{
    LINK_CLOSE, LINK_OPEN, Read, Words, clean_text, images_in, inline, is_bare_url, line_of,
    only_links, split_item, table_rows,
};
use crate::dates::written::{self, DayOrder};
use crate::dates::{self, When};

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
        s("WET|WEST", Zone::Named(Europe::Lisbon)),
        s("EET|EEST", Zone::Named(Europe::Helsinki)),
        s("MSK", Zone::Named(Europe::Moscow)),
        s("IST", Zone::Named(Asia::Kolkata)),
        s("JST", Zone::Named(Asia::Tokyo)),
        s("KST", Zone::Named(Asia::Seoul)),
        s("SGT", Zone::Named(Asia::Singapore)),
        s("HKT", Zone::Named(Asia::Hong_Kong)),
        s("AEST|AEDT", Zone::Named(chrono_tz::Australia::Sydney)),
        s("NZST|NZDT", Zone::Named(chrono_tz::Pacific::Auckland)),
        s("BRT", Zone::Named(America::Sao_Paulo)),
        s("AKST|AKDT", Zone::Named(America::Anchorage)),
        s("HST", Zone::Named(chrono_tz::Pacific::Honolulu)),
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
        .filter(|line| parse_stamp(line.trim(), DayOrder::Mdy).is_none_or(|s| s.time.is_none()))
        .filter(|line| ZONE_STATEMENT.is_match(line))
        .find_map(|line| zone_in(&line))
}

/// The date, time, zone and text at the start of a timeline line.
#[derive(Debug, Default, PartialEq)]
pub struct Stamp {
    pub date: Option<NaiveDate>,
    pub time: Option<NaiveTime>,
    pub time_text: String,
    pub zone: Option<Zone>,
    pub text: String,
}

/// Reads the date and time a timeline line starts with, as people write them: `14:05`,
/// `[08:47]`, `**16:58 UTC** -`, `3:45pm PST:`, `2020-01-07 02:43 UTC —`, `July 1 2020,
/// 9.16`, `Saturday, July 26, 2025`. None when the line starts with neither.
pub fn parse_stamp(line: &str, order: DayOrder) -> Option<Stamp> {
    const OPEN: &[char] = &['[', '(', '*', '_', '~', '`', ' ', '\t'];
    const CLOSE: &[char] = &[']', ')', '*', '_', '`'];
    let s = line.trim_start_matches(OPEN);
    let lead = line.len() - s.len();
    let mut rest = s;
    let mut date = None;
    if let Some(found) = written::date_at_start(rest, order) {
        date = Some(found.date);
        rest = &rest[found.end..];
        // `2020-01-07T02:43`, `July 26, 2025, 14:05`, `2025-07-26 Saturday 14:05`.
        rest = rest
            .strip_prefix('T')
            .filter(|r| r.starts_with(|c: char| c.is_ascii_digit()))
            .unwrap_or(rest);
        rest = rest
            .trim_start_matches(CLOSE)
            .trim_start_matches([' ', ',', '@']);
        if let Some((word, after)) = rest.split_once([' ', ','])
            && written::is_weekday(word)
        {
            rest = after.trim_start_matches([' ', ',']);
        }
        rest = rest.trim_start_matches(['-', '–', ' ']);
    }
    let mut time = None;
    let mut zone = None;
    if let Some((t, len, z)) = written::time_at_start(rest) {
        time = Some(t);
        zone = z.and_then(|z| {
            if z.eq_ignore_ascii_case("z") {
                Some(Zone::Fixed(dates::utc()))
            } else {
                zone_in(&z)
            }
        });
        rest = &rest[len..];
    }
    if date.is_none() && time.is_none() {
        return None;
    }
    let stamp_end = line.len() - rest.len();
    let text = rest
        .trim_start_matches(CLOSE)
        .trim_start()
        .trim_start_matches(['-', '–', '—', ':', '|', ',', '.', ')', '='])
        .trim_start_matches(CLOSE)
        .trim_start();
    let time_text = line[lead..stamp_end]
        .trim()
        .trim_end_matches(['-', '–', '—', ':', '|', ',', '.'])
        .trim_end_matches(CLOSE)
        .trim()
        .to_string();
    Some(Stamp {
        date,
        time,
        time_text,
        zone,
        text: text.to_string(),
    })
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
    /// How many of `sources` (the first ones) are links in the entry's words: shown there,
    /// not again beside them, once the words are rendered.
    pub sources_in_text: usize,
    pub line: usize,
    /// A line among timed ones that has no time of its own ("later, the queue drained"):
    /// shown where it stands, placed at no time.
    pub untimed: bool,
    /// Rendered blocks the author wrote under the entry (nested bullets, a log, an image).
    pub notes: String,
    /// The entry's words as HTML, inline markup and links kept; empty when they could
    /// not be cut from the tree (then `text` is shown).
    pub html: String,
}

impl RawEntry {
    /// Places the entry in time: its own date, or the incident's.
    pub fn when(&self, fallback: Option<NaiveDate>) -> Option<When> {
        if self.untimed {
            return None;
        }
        let date = self.date.or(fallback)?;
        let zone = self.zone.unwrap_or(Zone::Fixed(dates::utc()));
        match self.time {
            Some(t) => zone.at(date, t),
            None => Some(When::from_date(date)),
        }
    }
}

/// A block is shown as entries when at least half of its lines are timed.
fn mostly_timed(timed: usize, lines: usize) -> bool {
    timed > 0 && timed * 2 >= lines
}

/// Timeline entries from a section's blocks, in any of the forms the common templates use.
pub fn timeline<'a>(
    blocks: &[&'a AstNode<'a>],
    first_line: usize,
    order: DayOrder,
) -> Read<'a, RawEntry> {
    let section_zone = stated_zone(blocks);
    let mut current_date = None;
    let mut read: Read<'a, RawEntry> = Read::new(blocks.len());
    // The entry a time heading (`### 5:00 PM`) opened: the paragraphs under it are its text.
    let mut heading_entry: Option<usize> = None;
    for block in blocks {
        let line = line_of(block, first_line);
        let start = read.entries.len();
        let mut local = Vec::new();
        // The words of the entries in `local`, by their index there.
        let mut words: Vec<Words<'a>> = Vec::new();
        let consumed = match &block.data().value {
            NodeValue::Paragraph if heading_entry.is_some() && !has_image(block) => {
                let at = heading_entry.unwrap_or_default();
                let content = inline(block);
                let entry = &mut read.entries[at];
                let text = clean_text(&content.text);
                if !entry.text.is_empty() {
                    entry.text.push(' ');
                }
                entry.text.push_str(&text);
                entry.sources_in_text += content.links.len();
                entry.sources.extend(content.links);
                read.words.push(Words {
                    at,
                    node: block,
                    line: None,
                    cut: 0,
                    joiner: " ",
                });
                read.consumed.push(Some(start..start));
                continue;
            }
            NodeValue::Heading(_) => {
                heading_entry = None;
                let content = inline(block);
                let mut timed = 0;
                let cut = push_line(
                    &content.text,
                    content.links,
                    line,
                    (section_zone, order),
                    &mut current_date,
                    &mut local,
                    &mut timed,
                );
                if let Some(at) = local.len().checked_sub(1) {
                    words.push(Words {
                        at,
                        node: block,
                        line: None,
                        cut,
                        joiner: "",
                    });
                }
                if timed == 1 {
                    heading_entry = Some(start);
                }
                timed == 1
            }
            NodeValue::Paragraph => {
                let content = inline(block);
                let mut links_seen = 0;
                let mut timed = 0;
                let mut lines = 0;
                for (i, text_line) in content.text.split('\n').enumerate() {
                    let n_links = text_line.matches(LINK_OPEN).count();
                    let links = content
                        .links
                        .get(links_seen..links_seen + n_links)
                        .unwrap_or_default()
                        .to_vec();
                    links_seen += n_links;
                    if text_line.trim().is_empty() {
                        continue;
                    }
                    lines += 1;
                    let before = local.len();
                    let cut = push_line(
                        text_line,
                        links,
                        line + i,
                        (section_zone, order),
                        &mut current_date,
                        &mut local,
                        &mut timed,
                    );
                    if local.len() > before {
                        words.push(Words {
                            at: before,
                            node: block,
                            line: Some(i),
                            cut,
                            joiner: "",
                        });
                    }
                }
                mostly_timed(timed, lines) && !has_image(block)
            }
            NodeValue::List(_) => {
                let mut timed = 0;
                let mut items = 0;
                for item in block.children() {
                    items += 1;
                    let (first, rest) = split_item(item);
                    let content = first.map(inline).unwrap_or(super::sections::Inline {
                        text: String::new(),
                        links: Vec::new(),
                    });
                    let text = content.text.replace('\n', " ");
                    let before = local.len();
                    let cut = push_line(
                        &text,
                        content.links,
                        line_of(item, first_line),
                        (section_zone, order),
                        &mut current_date,
                        &mut local,
                        &mut timed,
                    );
                    if local.len() == before {
                        local.push(untimed_entry(&text, line_of(item, first_line)));
                    }
                    if let Some(first) = first {
                        words.push(Words {
                            at: before,
                            node: first,
                            line: None,
                            cut,
                            joiner: "",
                        });
                    }
                    let at = start + local.len() - 1;
                    let images = first.map(images_in).unwrap_or_default();
                    read.notes
                        .extend(images.into_iter().chain(rest).map(|n| (at, None, n)));
                }
                let consumed = mostly_timed(timed, items);
                if !consumed {
                    read.notes.retain(|(i, _, _)| *i < start);
                }
                consumed
            }
            NodeValue::Table(_) => table_entries(
                block,
                first_line,
                (section_zone, order),
                &mut current_date,
                &mut local,
                &mut words,
            ),
            _ => false,
        };
        if !matches!(block.data().value, NodeValue::Heading(_)) {
            heading_entry = None;
        }
        if consumed {
            read.words.extend(words.into_iter().map(|w| Words {
                at: start + w.at,
                ..w
            }));
            read.entries.extend(local);
            read.consumed.push(Some(start..read.entries.len()));
        } else {
            // What stays prose still gives its timed lines as data.
            read.entries
                .extend(local.into_iter().filter(|e| !e.untimed));
            read.consumed.push(None);
        }
    }
    read
}

fn has_image<'a>(block: &'a AstNode<'a>) -> bool {
    block.descendants().any(|n| {
        matches!(
            n.data().value,
            NodeValue::Image(_) | NodeValue::HtmlInline(_)
        )
    })
}

fn untimed_entry(text: &str, line: usize) -> RawEntry {
    RawEntry {
        date: None,
        time: None,
        time_text: String::new(),
        zone: None,
        text: clean_text(text),
        sources: Vec::new(),
        sources_in_text: 0,
        line,
        untimed: true,
        notes: String::new(),
        html: String::new(),
    }
}

/// Reads one line: a timed entry (counted in `timed`), a date line (dating the lines under
/// it, kept as an untimed entry so its words stay), or text (an untimed entry). Returns
/// how many characters of the line's text the stamp takes, to cut from its words.
fn push_line(
    text: &str,
    links: Vec<Source>,
    line: usize,
    (zone, order): (Option<Zone>, DayOrder),
    current_date: &mut Option<NaiveDate>,
    entries: &mut Vec<RawEntry>,
    timed: &mut usize,
) -> usize {
    let plain: String = text
        .chars()
        .filter(|c| *c != LINK_OPEN && *c != LINK_CLOSE)
        .collect();
    let untimed = |entries: &mut Vec<RawEntry>, links: Vec<Source>| {
        if !plain.trim().is_empty() || !links.is_empty() {
            let mut e = untimed_entry(text, line);
            e.sources_in_text = links.len();
            e.sources = links;
            entries.push(e);
        }
    };
    let Some(stamp) = parse_stamp(plain.trim(), order) else {
        untimed(entries, links);
        return 0;
    };
    if stamp.date.is_some() {
        *current_date = stamp.date;
    }
    if stamp.time.is_none() {
        // A date line (Google SRE): it dates the lines under it.
        untimed(entries, links);
        return 0;
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
    *timed += 1;
    entries.push(RawEntry {
        date: *current_date,
        time: stamp.time,
        time_text: stamp.time_text,
        zone: stamp.zone.or(zone),
        text: body,
        sources_in_text: links.len(),
        sources: links,
        line,
        untimed: false,
        notes: String::new(),
        html: String::new(),
    });
    plain.trim_end().chars().count() - stamp.text.chars().count()
}

/// A table with a time column gives an entry per row; returns whether it did.
fn table_entries<'a>(
    table: &'a AstNode<'a>,
    first_line: usize,
    (section_zone, order): (Option<Zone>, DayOrder),
    current_date: &mut Option<NaiveDate>,
    entries: &mut Vec<RawEntry>,
    words: &mut Vec<Words<'a>>,
) -> bool {
    let rows = table_rows(table);
    let Some((_, header)) = rows.first() else {
        return false;
    };
    let Some(time_column) = time_column(&rows, order) else {
        return false;
    };
    let zone = zone_in(
        &header
            .iter()
            .map(|c| c.text.as_str())
            .collect::<Vec<_>>()
            .join(" "),
    )
    .or(section_zone);
    for (row, cells) in rows.iter().skip(1) {
        let line = line_of(row, first_line);
        let stamp = cells
            .get(time_column)
            .and_then(|c| parse_stamp(&clean_text(&c.text), order));
        if let Some(d) = stamp.as_ref().and_then(|s| s.date) {
            *current_date = Some(d);
        }
        // The cells that are the entry's words, in order; their links are shown in them,
        // and come first among its sources.
        let worded: Vec<usize> = cells
            .iter()
            .enumerate()
            .filter(|(i, c)| *i != time_column && !only_links(&c.text))
            .filter(|(_, c)| {
                let t = clean_text(&c.text);
                !t.is_empty() && !is_bare_url(&t)
            })
            .map(|(i, _)| i)
            .collect();
        let text = worded
            .iter()
            .map(|i| clean_text(&cells[*i].text))
            .collect::<Vec<_>>()
            .join(" — ");
        // A row whose time cell reads as no time keeps that cell's words first.
        let placed = stamp
            .as_ref()
            .is_some_and(|s| s.time.is_some() || s.date.is_some());
        let written_cell = !placed
            && cells
                .get(time_column)
                .is_some_and(|c| !clean_text(&c.text).is_empty());
        let shown: Vec<usize> = written_cell
            .then_some(time_column)
            .into_iter()
            .chain(worded.iter().copied())
            .collect();
        let sources_in_text: usize = shown.iter().map(|i| cells[*i].links.len()).sum();
        let sources = shown
            .iter()
            .flat_map(|i| cells[*i].links.iter().cloned())
            .chain(
                cells
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| !shown.contains(i))
                    .flat_map(|(_, c)| c.links.iter().cloned()),
            )
            .collect::<Vec<_>>();
        let cell_nodes: Vec<&'a AstNode<'a>> = row.children().collect();
        let mut word_cells = |at: usize| {
            for i in &shown {
                if let Some(node) = cell_nodes.get(*i) {
                    words.push(Words {
                        at,
                        node,
                        line: None,
                        cut: 0,
                        joiner: " — ",
                    });
                }
            }
        };
        match stamp {
            Some(stamp) if stamp.time.is_some() || stamp.date.is_some() => {
                word_cells(entries.len());
                entries.push(RawEntry {
                    date: *current_date,
                    time: stamp.time,
                    time_text: stamp.time_text.clone(),
                    zone: stamp.zone.or(zone),
                    text,
                    sources,
                    sources_in_text,
                    line,
                    untimed: false,
                    notes: String::new(),
                    html: String::new(),
                });
            }
            _ => {
                let written = cells
                    .get(time_column)
                    .map(|c| clean_text(&c.text))
                    .unwrap_or_default();
                let text = [written, text]
                    .into_iter()
                    .filter(|t| !t.is_empty())
                    .collect::<Vec<_>>()
                    .join(" — ");
                if text.is_empty() && sources.is_empty() {
                    continue;
                }
                word_cells(entries.len());
                let mut e = untimed_entry(&text, line);
                e.sources_in_text = sources_in_text;
                e.sources = sources;
                entries.push(e);
            }
        }
    }
    true
}

/// The column of a table that holds the times: one named Time, Date, When or Timestamp,
/// else the one whose cells most often read as times.
fn time_column(
    rows: &[(&AstNode<'_>, Vec<super::sections::Inline>)],
    order: DayOrder,
) -> Option<usize> {
    let header = &rows.first()?.1;
    let named = header.iter().position(|c| {
        let h = clean_text(&c.text).to_lowercase();
        ["time", "date", "when", "timestamp", "utc", "hour"]
            .iter()
            .any(|w| {
                h.split(|c: char| !c.is_alphanumeric())
                    .any(|word| word == *w)
            })
            || h.contains("time")
    });
    if named.is_some() {
        return named;
    }
    let body = &rows[1..];
    (0..header.len())
        .map(|i| {
            let timed = body
                .iter()
                .filter(|(_, cells)| {
                    cells
                        .get(i)
                        .and_then(|c| parse_stamp(&clean_text(&c.text), order))
                        .is_some_and(|s| s.time.is_some())
                })
                .count();
            (timed, i)
        })
        .filter(|(timed, _)| mostly_timed(*timed, body.len()))
        .max_by_key(|(timed, i)| (*timed, std::cmp::Reverse(*i)))
        .map(|(_, i)| i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps() {
        let p = |l: &str| parse_stamp(l, DayOrder::Mdy);
        let s = p("2020-01-07 02:43 UTC — Window opens").unwrap();
        assert_eq!(s.date, NaiveDate::from_ymd_opt(2020, 1, 7));
        assert_eq!(s.time, NaiveTime::from_hms_opt(2, 43, 0));
        assert_eq!(s.text, "Window opens");
        assert_eq!(s.time_text, "2020-01-07 02:43 UTC");
        let s = p("14:51 Deploy begins").unwrap();
        assert_eq!(s.text, "Deploy begins");
        let s = p("9:05 PM PST: page").unwrap();
        assert_eq!(s.time, NaiveTime::from_hms_opt(21, 5, 0));
        assert!(matches!(s.zone, Some(Zone::Named(_))));
        let s = p("2015-10-21 (all times UTC)").unwrap();
        assert!(s.time.is_none() && s.date.is_some());
        assert!(p("No time here").is_none());
        for (line, time, text) in [
            ("[08:47] Pager fires", "08:47", "Pager fires"),
            (
                "**16:58 UTC** - Rollback starts",
                "16:58 UTC",
                "Rollback starts",
            ),
            (
                "3:45pm PST: customers report errors",
                "3:45pm PST",
                "customers report errors",
            ),
            ("15:45 CET DNS flips", "15:45 CET", "DNS flips"),
            ("9.16 restart", "9.16", "restart"),
            (
                "July 26, 2025, 14:05 - start",
                "July 26, 2025, 14:05",
                "start",
            ),
            (
                "2025-07-26T14:05:33Z the log",
                "2025-07-26T14:05:33Z",
                "the log",
            ),
        ] {
            let s = p(line).unwrap_or_else(|| panic!("{line}"));
            assert!(s.time.is_some(), "{line}");
            assert_eq!(
                (s.time_text.as_str(), s.text.as_str()),
                (time, text),
                "{line}"
            );
        }
        assert_eq!(
            p("15:45 CET x").unwrap().zone,
            Some(Zone::Named(chrono_tz::Europe::Berlin))
        );
        assert_eq!(p("4.1 rollout"), None);
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
}

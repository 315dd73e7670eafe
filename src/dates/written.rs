//! Dates and times as people write them in prose, headings and tables: any common order,
//! month names, abbreviations and ordinals, with or without separators, found anywhere in
//! a piece of text. chrono validates each candidate (a 31 February is no date); the
//! finding is ours, as no crate reads a date out of a sentence with a library's day order.

use std::sync::LazyLock;

use chrono::{NaiveDate, NaiveTime};
use regex::Regex;
use serde::{Deserialize, Serialize};

/// How to read `03/04/2020` when both numbers could be the month (`[dates] order`). A
/// number above 12 is the day whatever the order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DayOrder {
    /// Month first, as in the United States: 03/04/2020 is March 4.
    #[default]
    Mdy,
    /// Day first, as in most of the world: 03/04/2020 is 3 April.
    Dmy,
}

const MONTHS: &str = r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?";

fn month_number(name: &str) -> Option<u32> {
    let n = name.to_lowercase();
    let i = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ]
    .iter()
    .position(|m| n.starts_with(m))?;
    Some(i as u32 + 1)
}

static FORMS: LazyLock<Vec<(Regex, Form)>> = LazyLock::new(|| {
    let r = |p: String| Regex::new(&format!("(?i){p}")).expect("date regex");
    vec![
        (
            r(r"\b(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})(?:T|\b)".into()),
            Form::Ymd,
        ),
        (
            r(format!(
                r"\b(?P<mon>{MONTHS})\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s*,?\s+(?P<y>\d{{4}})\b"
            )),
            Form::Named,
        ),
        (
            r(format!(
                r"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s*(?:of\s+)?[-\s]?(?P<mon>{MONTHS})\.?[-\s,]+(?P<y>\d{{4}})\b"
            )),
            Form::Named,
        ),
        (
            r(r"\b(?P<a>\d{1,2})[-/.](?P<b>\d{1,2})[-/.](?P<y>\d{4})\b".into()),
            Form::Numeric,
        ),
        (
            r(r"\b(?P<y>(?:19|20)\d{2})(?P<m>[01]\d)(?P<d>[0-3]\d)\b".into()),
            Form::Ymd,
        ),
        // `12/03/24`: a two-digit year only with slashes, where versions never are.
        (
            r(r"\b(?P<a>\d{1,2})/(?P<b>\d{1,2})/(?P<yy>\d{2})\b".into()),
            Form::Numeric,
        ),
    ]
});

#[derive(Debug, Clone, Copy)]
enum Form {
    Ymd,
    Named,
    Numeric,
}

/// The same forms anchored at the start of a text: a timeline line's date is read without
/// searching the line.
static ANCHORED: LazyLock<Vec<(Regex, Form)>> = LazyLock::new(|| {
    FORMS
        .iter()
        .map(|(re, form)| {
            let pattern = re.as_str().replacen(r"(?i)\b", r"(?i)^", 1);
            (Regex::new(&pattern).expect("anchored date regex"), *form)
        })
        .collect()
});

/// A date found in text, and where: byte range of the match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Found {
    pub date: NaiveDate,
    pub start: usize,
    pub end: usize,
}

/// The first date written anywhere in `text`, in any of the common forms; None when there
/// is none (or only impossible ones).
pub fn find_date(text: &str, order: DayOrder) -> Option<Found> {
    // Every form has a number in it.
    if !text.bytes().any(|b| b.is_ascii_digit()) {
        return None;
    }
    search(&FORMS, text, order)
}

/// A date the text starts with (`2020-01-07 02:43 ...`, `July 26, 2025, ...`).
pub fn date_at_start(text: &str, order: DayOrder) -> Option<Found> {
    let first = text.chars().next()?;
    if !first.is_ascii_alphanumeric() {
        return None;
    }
    search(&ANCHORED, text, order)
}

fn search(forms: &[(Regex, Form)], text: &str, order: DayOrder) -> Option<Found> {
    let mut best: Option<Found> = None;
    for (re, form) in forms.iter() {
        for c in re.captures_iter(text) {
            let whole = c.get(0)?;
            if best.is_some_and(|b| b.start <= whole.start()) {
                break;
            }
            let num = |k: &str| c.name(k).and_then(|m| m.as_str().parse::<u32>().ok());
            let year = num("y")
                .map(|y| y as i32)
                .or_else(|| num("yy").map(|y| 2000 + y as i32));
            let date = match form {
                Form::Ymd => NaiveDate::from_ymd_opt(year?, num("m")?, num("d")?),
                Form::Named => NaiveDate::from_ymd_opt(
                    year?,
                    month_number(c.name("mon")?.as_str())?,
                    num("d")?,
                ),
                Form::Numeric => {
                    let (a, b) = (num("a")?, num("b")?);
                    let (m, d) = match order {
                        _ if a > 12 => (b, a),
                        _ if b > 12 => (a, b),
                        DayOrder::Mdy => (a, b),
                        DayOrder::Dmy => (b, a),
                    };
                    NaiveDate::from_ymd_opt(year?, m, d)
                }
            };
            if let Some(date) = date.and_then(super::writable_date) {
                best = Some(Found {
                    date,
                    start: whole.start(),
                    end: whole.end(),
                });
                break;
            }
        }
    }
    best
}

/// A date that is the whole of `text` but for punctuation, a weekday and words in brackets
/// (`Saturday, July 26, 2025`, `2025-07-26 (all times UTC)`).
pub fn date_alone(text: &str, order: DayOrder) -> Option<NaiveDate> {
    let found = find_date(text, order)?;
    let rest = format!("{} {}", &text[..found.start], &text[found.end..]);
    let rest = BRACKETED.replace_all(&rest, " ");
    let leftover: Vec<&str> = rest
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .filter(|w| {
            !is_weekday(w) && !["on", "the", "of", "date"].contains(&w.to_lowercase().as_str())
        })
        .collect();
    leftover.is_empty().then_some(found.date)
}

static BRACKETED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\([^)]*\)|\[[^\]]*\]").expect("bracket regex"));

/// A weekday's name or abbreviation (`Saturday`, `Sat.`, `Thurs`), as dates and timeline
/// stamps carry them.
pub fn is_weekday(word: &str) -> bool {
    let w = word
        .trim_matches(|c: char| !c.is_alphabetic())
        .to_lowercase();
    [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "mon",
        "tue",
        "tues",
        "wed",
        "weds",
        "thu",
        "thur",
        "thurs",
        "fri",
        "sat",
        "sun",
    ]
    .contains(&w.as_str())
}

static TIME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^(?P<h>\d{1,2})(?:(?P<sep>[:.h])(?P<m>\d{2})(?::(?P<s>\d{2})(?:\.\d+)?)?)?(?:\s*(?P<ampm>[ap]\.?m\b\.?))?(?:\s*(?P<tz>\(?(?:Z|UTC|GMT)\b(?:\s*[+-]\d{1,2}(?::?\d{2})?)?\)?|(?-i:\(?[A-Z]{1,4}T\b\)?)|[+-]\d{2}:?\d{2}\b))?",
    )
    .expect("time regex")
});

/// `1405Z`, `0916 UTC`, `2130 hrs`: four digits only with a zone or `hrs` after them.
static MILITARY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?P<h>[01]\d|2[0-3])(?P<m>[0-5]\d)(?:\s*(?P<tz>Z|UTC|GMT)\b|\s*(?:hrs|hours)\b)")
        .expect("military time regex")
});

/// A time at the start of `text`: `14:05`, `14:05:33`, `3:45pm`, `3:45 PM PST`, `15:45 CET`,
/// `9.16`, `5 PM`; with the byte length it took and the zone as written. A bare number
/// needs am/pm; a dot needs two digits after it.
pub fn time_at_start(text: &str) -> Option<(NaiveTime, usize, Option<String>)> {
    if let Some(c) = MILITARY.captures(text) {
        let time = NaiveTime::from_hms_opt(c["h"].parse().ok()?, c["m"].parse().ok()?, 0)?;
        let zone = c.name("tz").map(|z| z.as_str().to_string());
        return Some((time, c.get(0)?.end(), zone));
    }
    let c = TIME.captures(text)?;
    let mut h: u32 = c["h"].parse().ok()?;
    let m: u32 = c.name("m").map_or(Some(0), |m| m.as_str().parse().ok())?;
    let s: u32 = c.name("s").map_or(Some(0), |s| s.as_str().parse().ok())?;
    let ampm = c.name("ampm").map(|a| a.as_str().to_ascii_lowercase());
    if c.name("m").is_none() && ampm.is_none() {
        return None;
    }
    if let Some(ampm) = &ampm {
        if !(1..=12).contains(&h) {
            return None;
        }
        h = h % 12 + if ampm.starts_with('p') { 12 } else { 0 };
    }
    let time = NaiveTime::from_hms_opt(h, m, s)?;
    // A time must end there: `14:05abc` is not one, `4.10.2` a version.
    let end = c.get(0)?.end();
    let next = text[end..].chars().next();
    if next.is_some_and(|n| {
        n.is_alphanumeric()
            || (n == '.' && text[end + 1..].starts_with(|d: char| d.is_ascii_digit()))
    }) {
        return None;
    }
    let zone = c
        .name("tz")
        .map(|z| z.as_str().trim_matches(['(', ')']).to_string());
    Some((time, end, zone))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, day)
    }

    #[test]
    fn dates_in_every_common_form() {
        let find = |t: &str| find_date(t, DayOrder::Mdy).map(|f| f.date);
        assert_eq!(find("Date: July 1, 2020"), d(2020, 7, 1));
        assert_eq!(find("16/03/2020"), d(2020, 3, 16));
        assert_eq!(find("03/04/2020"), d(2020, 3, 4));
        assert_eq!(
            find_date("03/04/2020", DayOrder::Dmy).map(|f| f.date),
            d(2020, 4, 3)
        );
        assert_eq!(find("## 3.4.2020"), d(2020, 3, 4));
        assert_eq!(
            find("February 5th, 2019 Partial Prow Outage"),
            d(2019, 2, 5)
        );
        assert_eq!(find("2018-08-05-title"), d(2018, 8, 5));
        assert_eq!(find("On September 29, 2025 the queue"), d(2025, 9, 29));
        assert_eq!(find("the 1st of July 2020"), d(2020, 7, 1));
        assert_eq!(find("Sept. 29, 2025"), d(2025, 9, 29));
        assert_eq!(find("29-Sep-2025"), d(2025, 9, 29));
        assert_eq!(find("Tuesday 12 March 2024"), d(2024, 3, 12));
        assert_eq!(find("20240312"), d(2024, 3, 12));
        assert_eq!(find("February 30, 2019"), None);
        assert_eq!(find("12/03/24"), d(2024, 12, 3));
        assert_eq!(
            find_date("12.03.2024", DayOrder::Dmy).map(|f| f.date),
            d(2024, 3, 12)
        );
        assert_eq!(find("Mon, 12 Mar 2024 14:05"), d(2024, 3, 12));
        assert_eq!(find("12th March, 2024"), d(2024, 3, 12));
        assert_eq!(find("March 12th 2024"), d(2024, 3, 12));
        assert_eq!(find("version 4.1.2"), None);
        assert_eq!(
            date_alone("### 2025-07-26 Saturday", DayOrder::Mdy),
            d(2025, 7, 26)
        );
        assert_eq!(
            date_alone("2015-10-21 (all times UTC)", DayOrder::Mdy),
            d(2015, 10, 21)
        );
        assert_eq!(date_alone("2015-10-21 the deploy", DayOrder::Mdy), None);
        assert_eq!(date_alone("Sat. 2025-07-26", DayOrder::Mdy), d(2025, 7, 26));
        assert_eq!(date_alone("2025-07-26 month end", DayOrder::Mdy), None);
    }

    #[test]
    fn times_as_written() {
        let t = |s: &str| time_at_start(s).map(|(t, _, z)| (t.format("%H:%M:%S").to_string(), z));
        assert_eq!(t("14:05 deploy"), Some(("14:05:00".into(), None)));
        assert_eq!(
            t("3:45pm PST: x"),
            Some(("15:45:00".into(), Some("PST".into())))
        );
        assert_eq!(
            t("15:45 CET"),
            Some(("15:45:00".into(), Some("CET".into())))
        );
        assert_eq!(t("9.16 restart"), Some(("09:16:00".into(), None)));
        assert_eq!(t("5 PM the page"), Some(("17:00:00".into(), None)));
        assert_eq!(
            t("16:58:03 UTC"),
            Some(("16:58:03".into(), Some("UTC".into())))
        );
        assert_eq!(t("4.1 rollout"), None);
        assert_eq!(t("4.10.2 shipped"), None);
        assert_eq!(t("2020 was"), None);
        assert_eq!(t("25:00"), None);
        assert_eq!(t("21:04 OUTAGE BEGINS"), Some(("21:04:00".into(), None)));
        assert_eq!(
            t("1405Z pager"),
            Some(("14:05:00".into(), Some("Z".into())))
        );
        assert_eq!(t("2130 hrs restart"), Some(("21:30:00".into(), None)));
        assert_eq!(t("14h05 bascule"), Some(("14:05:00".into(), None)));
        assert_eq!(
            t("2:05 a.m. EDT"),
            Some(("02:05:00".into(), Some("EDT".into())))
        );
        assert_eq!(t("2024 was"), None);
    }
}

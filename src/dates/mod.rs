//! Dates as post-mortems write them: a date alone, a datetime with an offset, or a local
//! datetime (taken as UTC). Kept with a flag so a date alone is never shown as midnight.

pub mod written;

use std::fmt;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use serde::{Serialize, Serializer};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct When {
    pub at: DateTime<FixedOffset>,
    /// Written as a date alone: the time is unknown, not midnight.
    pub date_only: bool,
}

impl When {
    pub fn from_date(date: NaiveDate) -> Self {
        When {
            at: utc().from_utc_datetime(&date.and_time(NaiveTime::MIN)),
            date_only: true,
        }
    }

    pub fn from_utc(at: NaiveDateTime) -> Self {
        When {
            at: utc().from_utc_datetime(&at),
            date_only: false,
        }
    }

    pub fn date(&self) -> NaiveDate {
        self.at.date_naive()
    }

    pub fn rfc3339(&self) -> String {
        if self.at.offset().local_minus_utc() == 0 {
            self.at
                .with_timezone(&Utc)
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        } else {
            self.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        }
    }

    /// Human form for pages: `2024-03-12 21:04 UTC` or `2024-03-12`.
    pub fn display(&self) -> String {
        if self.date_only {
            return self.date().format("%Y-%m-%d").to_string();
        }
        let offset = self.at.offset().local_minus_utc();
        if offset == 0 {
            self.at.format("%Y-%m-%d %H:%M UTC").to_string()
        } else {
            self.at.format("%Y-%m-%d %H:%M %:z").to_string()
        }
    }

    /// Minutes from `self` to `later`, when both carry a time.
    pub fn minutes_until(&self, later: &When) -> Option<i64> {
        if self.date_only || later.date_only {
            return None;
        }
        Some((later.at - self.at).num_minutes())
    }
}

impl fmt::Display for When {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display())
    }
}

/// RFC 3339 in JSON and every output; in the build cache's binary format (not human
/// readable) also whether only the date was written, so a parse reads back whole.
impl Serialize for When {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            s.serialize_str(&self.rfc3339())
        } else {
            (self.at.to_rfc3339(), self.date_only).serialize(s)
        }
    }
}

impl<'de> serde::Deserialize<'de> for When {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let (at, date_only) = if d.is_human_readable() {
            let text = String::deserialize(d)?;
            (text, false)
        } else {
            <(String, bool)>::deserialize(d)?
        };
        let at = DateTime::parse_from_rfc3339(&at).map_err(D::Error::custom)?;
        Ok(When { at, date_only })
    }
}

/// The years every output can write: RFC 3339 (JSON, Atom) and RFC 2822 (RSS, email) both
/// want four digits. A date outside them (`-1-05-14`) is not a date.
pub const YEARS: std::ops::RangeInclusive<i32> = 1..=9999;

fn writable(at: DateTime<FixedOffset>) -> Option<DateTime<FixedOffset>> {
    use chrono::Datelike;
    (YEARS.contains(&at.year()) && YEARS.contains(&at.naive_utc().year())).then_some(at)
}

fn writable_date(date: NaiveDate) -> Option<NaiveDate> {
    use chrono::Datelike;
    YEARS.contains(&date.year()).then_some(date)
}

pub fn utc() -> FixedOffset {
    FixedOffset::east_opt(0).expect("zero offset is valid")
}

/// Parses the forms people write in front matter, wiki fields and tables; None for anything
/// else, and for a year outside `YEARS`.
pub fn parse_when(text: &str) -> Option<When> {
    parse_any_when(text).filter(|w| writable(w.at).is_some())
}

fn parse_any_when(text: &str) -> Option<When> {
    let s = text.trim();
    if s.is_empty() {
        return None;
    }
    if let Ok(at) = DateTime::parse_from_rfc3339(s) {
        return Some(When {
            at,
            date_only: false,
        });
    }
    let (body, utc_suffix) = match s.strip_suffix("UTC").or_else(|| s.strip_suffix("Z")) {
        Some(rest) => (rest.trim_end(), true),
        None => (s, false),
    };
    for fmt in [
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(body, fmt) {
            return Some(When::from_utc(naive));
        }
    }
    for fmt in [
        "%Y-%m-%d %H:%M %z",
        "%Y-%m-%d %H:%M:%S %z",
        "%Y-%m-%dT%H:%M%:z",
    ] {
        if let Ok(at) = DateTime::parse_from_str(s, fmt) {
            return Some(When {
                at,
                date_only: false,
            });
        }
    }
    if !utc_suffix {
        return parse_date(s).map(When::from_date);
    }
    None
}

/// A calendar date: ISO (`2024-03-12`), `2024/03/12`, or written out (`March 12, 2024`), in
/// `YEARS`.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    parse_any_date(text).and_then(writable_date)
}

fn parse_any_date(text: &str) -> Option<NaiveDate> {
    let s = text.trim().trim_end_matches('.');
    for fmt in [
        "%Y-%m-%d",
        "%Y/%m/%d",
        "%B %d, %Y",
        "%b %d, %Y",
        "%d %B %Y",
        "%d %b %Y",
        "%B %d %Y",
    ] {
        if let Ok(d) = NaiveDate::parse_from_str(s, fmt) {
            return Some(d);
        }
    }
    None
}

/// TOML's own datetime type, as front matter gives it.
pub fn from_toml(dt: &toml::value::Datetime) -> Option<When> {
    let date = dt.date?;
    let date = NaiveDate::from_ymd_opt(date.year.into(), date.month.into(), date.day.into())?;
    let Some(time) = dt.time else {
        return writable_date(date).map(When::from_date);
    };
    let time = NaiveTime::from_hms_opt(
        time.hour.into(),
        time.minute.into(),
        time.second.unwrap_or(0).into(),
    )?;
    let naive = date.and_time(time);
    let offset = match dt.offset {
        None | Some(toml::value::Offset::Z) => utc(),
        Some(toml::value::Offset::Custom { minutes }) => {
            FixedOffset::east_opt(i32::from(minutes) * 60)?
        }
    };
    let at = writable(offset.from_local_datetime(&naive).single()?)?;
    Some(When {
        at,
        date_only: false,
    })
}

/// `1h 59m`, `3d 4h`, `45m`: how durations read in a header.
pub fn human_minutes(minutes: i64) -> String {
    if minutes < 0 {
        return format!("-{}", human_minutes(-minutes));
    }
    let (d, h, m) = (minutes / 1440, (minutes % 1440) / 60, minutes % 60);
    match (d, h, m) {
        (0, 0, m) => format!("{m}m"),
        (0, h, 0) => format!("{h}h"),
        (0, h, m) => format!("{h}h {m}m"),
        (d, 0, _) => format!("{d}d"),
        (d, h, _) => format!("{d}d {h}h"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_common_forms() {
        assert!(parse_when("2024-03-12").unwrap().date_only);
        assert_eq!(
            parse_when("2024-03-12T21:04:00Z").unwrap().rfc3339(),
            "2024-03-12T21:04:00Z"
        );
        assert_eq!(
            parse_when("2024-03-12 21:04").unwrap().rfc3339(),
            "2024-03-12T21:04:00Z"
        );
        assert_eq!(
            parse_when("2024-03-12 21:04 UTC").unwrap().rfc3339(),
            "2024-03-12T21:04:00Z"
        );
        assert_eq!(
            parse_when("2024-03-12T21:04:00+02:00").unwrap().rfc3339(),
            "2024-03-12T21:04:00+02:00"
        );
        assert_eq!(
            parse_when("March 12, 2024").unwrap().rfc3339(),
            "2024-03-12T00:00:00Z"
        );
        assert!(parse_when("2024-13-45").is_none());
        assert!(parse_when("yesterday").is_none());
    }

    #[test]
    fn years_no_output_can_write_are_not_dates() {
        for bad in [
            "-1-05-14",
            "-0001-12-31T23:59:59Z",
            "0000-06-01",
            "10000-01-01",
            "0001-01-01T00:30:00+01:00",
        ] {
            assert!(parse_when(bad).is_none(), "{bad}");
        }
        assert!(parse_date("-1-05-14").is_none());
        assert!(parse_when("0001-01-01").is_some());
        assert!(parse_when("9999-12-31T23:59:59Z").is_some());
        let toml: toml::Table =
            toml::from_str("a = 0000-01-01\nb = 0001-01-01T00:00:00+01:00").unwrap();
        for key in ["a", "b"] {
            let toml::Value::Datetime(dt) = &toml[key] else {
                panic!()
            };
            assert!(from_toml(dt).is_none(), "{key}");
        }
    }

    #[test]
    fn human_durations() {
        assert_eq!(human_minutes(45), "45m");
        assert_eq!(human_minutes(119), "1h 59m");
        assert_eq!(human_minutes(120), "2h");
        assert_eq!(human_minutes(1500), "1d 1h");
    }
}

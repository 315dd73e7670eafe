//! Whether a page reads as a post-mortem, judged from its whole shape the way a person
//! skimming it would: the sections post-mortems have, or a run of timed lines. Used for pages
//! that say nothing of themselves (no field of pmsite's, no front matter flag).

use super::timeline::parse_stamp;

/// The part of a post-mortem a heading names, by its words (`Lessons Learned`, `What went
/// well`, `Root Cause(s)`, `Follow-up actions`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Part {
    Summary,
    Impact,
    Cause,
    Timeline,
    Actions,
    Lessons,
    Response,
}

const PART_WORDS: &[(&str, Part)] = &[
    ("summary", Part::Summary),
    ("overview", Part::Summary),
    ("tl dr", Part::Summary),
    ("tldr", Part::Summary),
    ("impact", Part::Impact),
    ("customer effect", Part::Impact),
    ("root cause", Part::Cause),
    ("cause", Part::Cause),
    ("contributing factor", Part::Cause),
    ("trigger", Part::Cause),
    ("what happened", Part::Cause),
    ("analysis", Part::Cause),
    ("timeline", Part::Timeline),
    ("chronology", Part::Timeline),
    ("sequence of events", Part::Timeline),
    ("action item", Part::Actions),
    ("follow up", Part::Actions),
    ("followup", Part::Actions),
    ("corrective", Part::Actions),
    ("remediation", Part::Actions),
    ("next step", Part::Actions),
    ("prevent", Part::Actions),
    ("lesson", Part::Lessons),
    ("went well", Part::Lessons),
    ("went wrong", Part::Lessons),
    ("lucky", Part::Lessons),
    ("learn", Part::Lessons),
    ("detection", Part::Response),
    ("resolution", Part::Response),
    ("recovery", Part::Response),
    ("mitigation", Part::Response),
    ("response", Part::Response),
];

fn part_of(heading: &str) -> Option<Part> {
    let h = format!(" {} ", super::sections::heading_words(heading));
    PART_WORDS
        .iter()
        .find(|(w, _)| h.contains(&format!(" {w}")))
        .map(|(_, p)| *p)
}

/// Two different parts of a post-mortem among the headings, or three timed lines in a row
/// (`- 14:02 deploy`, `| 14:02 | ...`, `**14:02**`).
pub fn reads_as_post_mortem<'a>(headings: impl IntoIterator<Item = &'a str>, body: &str) -> bool {
    let mut parts: Vec<Part> = Vec::new();
    for part in headings.into_iter().filter_map(part_of) {
        if !parts.contains(&part) {
            parts.push(part);
        }
        if parts.len() >= 2 {
            return true;
        }
    }
    let mut run = 0;
    for line in body.lines() {
        let bare = line
            .trim()
            .trim_start_matches(['-', '*', '+', '|', '#', '>', ' ', '['])
            .trim_start_matches(['*', '_']);
        let bare = bare
            .split_once(". ")
            .filter(|(n, _)| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
            .map_or(bare, |(_, rest)| rest);
        if bare.is_empty() {
            continue;
        }
        if parse_stamp(bare, crate::dates::written::DayOrder::Mdy).is_some_and(|s| s.time.is_some())
        {
            run += 1;
            if run >= 3 {
                return true;
            }
        } else {
            run = 0;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_or_timed_lines() {
        assert!(reads_as_post_mortem(["Impact", "Lessons Learned"], ""));
        assert!(!reads_as_post_mortem(["Impact", "Customer effect"], ""));
        assert!(!reads_as_post_mortem(
            ["Getting started", "Install"],
            "Hello"
        ));
        assert!(reads_as_post_mortem(
            [],
            "Notes\n\n- 14:02 deploy\n- 14:05 errors\n\n- **14:09** rollback\n"
        ));
        assert!(!reads_as_post_mortem(
            [],
            "- 14:02 deploy\n- lunch\n- 14:09 rollback\n"
        ));
    }
}

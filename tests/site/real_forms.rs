//! Real post-mortems as teams write them, in the words of a fictional company: a library
//! of one page per form (dates, timelines, milestones, action items, severity, titles) and
//! what a careful reader reads off each page (`expected.toml` beside it). pmsite is scored
//! field by field; every field must be read.

use chrono::DateTime;
use serde_json::Value;

use crate::record::fixture;

/// The fields a person reads off a page, in the order the score is printed.
const FIELDS: &[&str] = &[
    "title",
    "date",
    "severity",
    "first",
    "last",
    "detected",
    "mitigated",
    "resolved",
    "done",
    "owners",
    "external",
];

fn instant(v: &Value) -> Option<i64> {
    DateTime::parse_from_rfc3339(v.as_str()?)
        .ok()
        .map(|t| t.timestamp())
}

/// What pmsite read for one field, and whether it is what the reader expects.
fn score(field: &str, want: &toml::Value, inc: &Value) -> (bool, String) {
    let timeline = inc["timeline"].as_array().cloned().unwrap_or_default();
    let timed: Vec<&Value> = timeline.iter().filter(|e| !e["at"].is_null()).collect();
    let items = inc["action_items"].as_array().cloned().unwrap_or_default();
    let got: Value = match field {
        "title" => inc["title"].clone(),
        "date" => Value::from(
            inc["date"]
                .as_str()
                .map(|d| d[..10.min(d.len())].to_string()),
        ),
        "severity" => Value::from(inc["severity"].as_str().unwrap_or("").to_string()),
        "first" => timed.first().map_or(Value::Null, |e| e["at"].clone()),
        "last" => timed.last().map_or(Value::Null, |e| e["at"].clone()),
        "detected" | "mitigated" | "resolved" => inc[field].clone(),
        "done" => Value::from(items.iter().map(|a| a["done"].clone()).collect::<Vec<_>>()),
        "owners" => Value::from(
            items
                .iter()
                .map(|a| Value::from(a["owner"].as_str().unwrap_or("")))
                .collect::<Vec<_>>(),
        ),
        "external" => Value::from(!inc["external_message"].is_null()),
        _ => Value::Null,
    };
    let want_json: Value = serde_json::to_value(want).unwrap();
    let ok = match field {
        "first" | "last" | "detected" | "mitigated" | "resolved" => {
            instant(&got).is_some() && instant(&got) == instant(&want_json)
        }
        _ => got == want_json,
    };
    (ok, got.to_string())
}

#[test]
fn every_field_of_every_real_form_is_read() {
    let t = fixture("real-forms").build();
    let expected: toml::Table = toml::from_str(
        &std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/real-forms/expected.toml"),
        )
        .unwrap(),
    )
    .unwrap();
    let pages = expected["page"].as_array().unwrap();
    let mut right = vec![0; FIELDS.len()];
    let mut asked = vec![0; FIELDS.len()];
    let mut misses = Vec::new();
    for page in pages {
        let id = page["id"].as_str().unwrap();
        let inc = t.incident(id);
        for (k, field) in FIELDS.iter().enumerate() {
            let Some(want) = page.get(*field) else {
                continue;
            };
            asked[k] += 1;
            let (ok, got) = score(field, want, &inc);
            if ok {
                right[k] += 1;
            } else {
                misses.push(format!("{id}: {field}: read {got}, a reader reads {want}"));
            }
        }
    }
    let table: Vec<String> = FIELDS
        .iter()
        .enumerate()
        .map(|(k, f)| format!("{f:>9}: {}/{}", right[k], asked[k]))
        .collect();
    let (r, a): (usize, usize) = (right.iter().sum(), asked.iter().sum());
    println!(
        "real forms, field by field:\n{}\n    total: {r}/{a}",
        table.join("\n")
    );
    assert!(
        misses.is_empty(),
        "{r}/{a} read\n{}\n{}",
        table.join("\n"),
        misses.join("\n")
    );
}

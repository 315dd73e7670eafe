//! An incident's free-form fields as a reader reads them: `customers_affected = 1200` as
//! "Customers affected: 1200", people as labelled lists. Pages, feeds and the digest share it.

use serde::Serialize;
use serde_json::Value;

#[derive(Serialize)]
pub struct Field {
    pub label: String,
    pub value: String,
}

pub fn people_fields(p: &crate::content::model::People) -> Vec<Field> {
    let mut out = Vec::new();
    let mut add = |label: &str, value: String| {
        if !value.is_empty() {
            out.push(Field {
                label: label.into(),
                value,
            });
        }
    };
    add(
        "Incident commander",
        p.incident_commander.clone().unwrap_or_default(),
    );
    add("IC in training", p.ics_in_training.join(", "));
    add("Owners", p.owners.join(", "));
    add("Responders", p.responders.join(", "));
    add(
        "Customer liaison",
        p.customer_liaison.clone().unwrap_or_default(),
    );
    add("Author", p.author.clone().unwrap_or_default());
    add("Reviewers", p.reviewers.join(", "));
    add(
        "Review meeting",
        p.review_meeting.map(|w| w.display()).unwrap_or_default(),
    );
    out
}

/// `customers_affected = 1200` as "Customers affected: 1200".
pub fn map_fields(map: &serde_json::Map<String, Value>) -> Vec<Field> {
    map.iter()
        .map(|(k, v)| Field {
            label: humanize_key(k),
            value: value_text(v),
        })
        .collect()
}

/// `customers_affected` → "Customers affected", `sla_breached` → "SLA breached".
fn humanize_key(key: &str) -> String {
    const ACRONYMS: &[&str] = &[
        "sla", "slo", "sli", "api", "id", "url", "mttr", "mttd", "ic", "pr", "cve", "usd", "eur",
    ];
    let words: Vec<String> = key
        .split(['_', '-', ' '])
        .filter(|w| !w.is_empty())
        .enumerate()
        .map(|(i, w)| {
            if ACRONYMS.contains(&w.to_ascii_lowercase().as_str()) {
                w.to_ascii_uppercase()
            } else if i == 0 {
                let mut c = w.chars();
                c.next()
                    .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                    .unwrap_or_default()
            } else {
                w.to_string()
            }
        })
        .collect();
    words.join(" ")
}

fn value_text(v: &Value) -> String {
    match v {
        Value::Bool(true) => "yes".into(),
        Value::Bool(false) => "no".into(),
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        Value::Array(items) => items.iter().map(value_text).collect::<Vec<_>>().join(", "),
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| format!("{k}: {}", value_text(v)))
            .collect::<Vec<_>>()
            .join("; "),
        Value::Number(n) => n.as_f64().map_or_else(|| n.to_string(), grouped),
    }
}

/// `1200` as `1,200`, `0.5` as `0.5`.
pub fn grouped(n: f64) -> String {
    if n.fract() != 0.0 || n.abs() >= 1e15 {
        return n.to_string();
    }
    let digits = (n.abs() as u64).to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0.0 { format!("-{out}") } else { out }
}

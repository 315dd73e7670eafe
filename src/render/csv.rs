//! `/impact.csv`: one row per incident for Finance, quoted per RFC 4180, with every cell a
//! spreadsheet could run as a formula neutralised.

use super::Site;
use crate::error::{Error, Result};
use crate::output::Sink;
use crate::routes::Route;

impl Site<'_> {
    /// `/impact.csv`: per incident the dates, durations, severity, components and every
    /// `[impact]` field, for Finance.
    pub(super) fn write_impact_csv(&self, sink: &dyn Sink) -> Result<usize> {
        let mut keys: Vec<&str> = Vec::new();
        for inc in &self.lib.incidents {
            for k in inc.impact.keys() {
                if !keys.contains(&k.as_str()) {
                    keys.push(k);
                }
            }
        }
        let mut w = csv::Writer::from_writer(Vec::new());
        let mut header: Vec<String> = [
            "id",
            "title",
            "url",
            "severity",
            "status",
            "type",
            "date",
            "published",
            "detected",
            "mitigated",
            "resolved",
            "time_to_detect_minutes",
            "time_to_mitigate_minutes",
            "time_to_resolve_minutes",
            "components",
            "root_causes",
            "contributing_factors",
        ]
        .map(String::from)
        .to_vec();
        // `[impact]` keys are the authors' words too: a header cell is neutralised like data.
        header.extend(keys.iter().map(|k| cell(k)));
        let csv_err = |e: csv::Error| Error::Refused(format!("impact.csv: {e}"));
        w.write_record(&header).map_err(csv_err)?;
        for (inc, d) in self.lib.incidents.iter().zip(&self.lib.derived) {
            let when = |w: Option<crate::dates::When>| w.map(|w| w.rfc3339()).unwrap_or_default();
            let num = |m: Option<i64>| m.map(|m| m.to_string()).unwrap_or_default();
            let mut record = vec![
                cell(&inc.id),
                cell(&inc.title),
                Route::Incident(&inc.slug).absolute(self.config),
                cell(inc.severity.as_deref().unwrap_or("")),
                inc.status.as_str().to_string(),
                cell(&inc.incident_type),
                when(inc.date),
                when(inc.publication_date()),
                when(inc.detected),
                when(inc.mitigated),
                when(inc.resolved),
                num(d.time_to_detect),
                num(d.time_to_mitigate),
                num(d.time_to_resolve),
                cell(&inc.components.join("; ")),
                cell(&inc.root_causes.join("; ")),
                cell(&inc.contributing_factors.join("; ")),
            ];
            for k in &keys {
                record.push(match inc.impact.get(*k) {
                    None | Some(serde_json::Value::Null) => String::new(),
                    Some(serde_json::Value::String(s)) => cell(s),
                    Some(serde_json::Value::Bool(b)) => b.to_string(),
                    Some(serde_json::Value::Number(n)) => n.to_string(),
                    Some(other) => cell(&other.to_string()),
                });
            }
            w.write_record(&record).map_err(csv_err)?;
        }
        let bytes = w
            .into_inner()
            .map_err(|e| Error::Refused(format!("impact.csv: {e}")))?;
        sink.write(&Route::ImpactCsv.path(), &bytes)?;
        Ok(1)
    }
}

/// Text for a spreadsheet cell (`escape::csv_cell`).
pub(super) fn cell(text: &str) -> String {
    crate::escape::csv_cell(text).into_owned()
}

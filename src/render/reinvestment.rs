//! `/reinvestment/` and the report's files (`report.md`, `.csv`, `.json`), which
//! `pmsite report reinvestment` prints too: one view of `library::reinvestment`, so the
//! page and the planning document never disagree.

use serde::Serialize;

use super::Site;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::library::Library;
pub use crate::library::reinvestment::report;
use crate::library::reinvestment::{self, Report, Row};
use crate::output::Sink;
use crate::routes::{self, REPORT_FORMATS, Route};

/// An incident a row links.
#[derive(Serialize)]
struct Link {
    id: String,
    title: String,
    url: String,
    date: String,
}

/// A fix that did not hold, as a reader follows it.
#[derive(Serialize)]
struct NotHeldView {
    later: Link,
    earlier: Link,
    shared: String,
}

#[derive(Serialize)]
struct RowView<'a> {
    kind: &'static str,
    name: &'a str,
    /// The term's or team's page under the site's root (or absolute, in files).
    url: String,
    sentence: &'a str,
    /// The sentence without the name it starts with, for a page that shows the name above.
    said: &'a str,
    score: f64,
    last_90: usize,
    prior_90: usize,
    last_365: usize,
    prior_365: usize,
    trend: &'static str,
    impact_hours: f64,
    impact_fields: std::collections::BTreeMap<&'a str, f64>,
    prevent_open: usize,
    prevent_overdue: usize,
    /// The first `LISTED` fixes that did not hold, newest first, of `fixes_not_held_count`.
    fixes_not_held: Vec<NotHeldView>,
    fixes_not_held_count: usize,
    /// The newest `LISTED` of the last year's incidents (all `last_365` are on the row's
    /// page), and how many more there are.
    incidents: Vec<Link>,
    more_incidents: usize,
}

/// How many incidents and fixes a row lists: a page and a file stay small at any size of
/// library; the row's own page lists every incident.
const LISTED: usize = 25;

/// The report's rows as pages and files show them: links under `root`.
fn views<'a>(lib: &Library, report: &'a Report, root: &str) -> Vec<RowView<'a>> {
    let link = |i: usize| {
        let inc = &lib.incidents[i];
        Link {
            id: inc.id.clone(),
            title: inc.title.clone(),
            url: routes::incident_url(root, &inc.slug),
            date: inc.date.map(|d| d.date().to_string()).unwrap_or_default(),
        }
    };
    report
        .rows
        .iter()
        .map(|r: &Row| RowView {
            kind: r.kind,
            name: &r.name,
            url: match r.taxonomy {
                Some(t) => routes::term_url(root, t, &r.slug),
                None => Route::Team(&r.slug).url(root),
            },
            sentence: &r.sentence,
            said: r
                .sentence
                .strip_prefix(&format!("{}: ", r.name))
                .unwrap_or(&r.sentence),
            score: r.score,
            last_90: r.last_90,
            prior_90: r.prior_90,
            last_365: r.last_365,
            prior_365: r.prior_365,
            trend: r.trend,
            impact_hours: (r.impact_minutes as f64 / 6.0).round() / 10.0,
            impact_fields: r
                .impact_fields
                .iter()
                .map(|f| (f.field.as_str(), f.total))
                .collect(),
            prevent_open: r.prevent_open,
            prevent_overdue: r.prevent_overdue,
            fixes_not_held_count: r.not_held.len(),
            more_incidents: r.incidents.len().saturating_sub(LISTED),
            fixes_not_held: r
                .not_held
                .iter()
                .take(LISTED)
                .map(|n| NotHeldView {
                    later: link(n.later),
                    earlier: link(n.earlier),
                    shared: n
                        .components
                        .iter()
                        .chain(&n.causes)
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", "),
                })
                .collect(),
            incidents: r.incidents.iter().take(LISTED).map(|&i| link(i)).collect(),
        })
        .collect()
}

/// The report in one of `REPORT_FORMATS`, with absolute links: what a planning document
/// pastes or a spreadsheet opens.
pub fn report_file(
    lib: &Library,
    config: &Config,
    report: &Report,
    format: &str,
) -> Result<Vec<u8>> {
    let root = format!("{}/", config.base());
    let rows = views(lib, report, &root);
    match format {
        "json" => {
            #[derive(Serialize)]
            struct File<'a> {
                version: u32,
                today: String,
                score: &'static str,
                rows: &'a [RowView<'a>],
            }
            let file = File {
                version: 1,
                today: report.today.to_string(),
                score: SCORE,
                rows: &rows,
            };
            serde_json::to_vec_pretty(&file)
                .map_err(|e| Error::Refused(format!("reinvestment report: {e}")))
        }
        "csv" => csv(&rows, &config.reinvestment.impact_fields),
        "md" => Ok(markdown(&rows, report, config).into_bytes()),
        other => Err(Error::Refused(format!(
            "no report format `{other}`: use md, csv or json"
        ))),
    }
}

/// How rows are ranked, in words (the README says the same).
pub const SCORE: &str = "incidents in the last 365 days + days of customer impact + open prevent actions + 2 × overdue prevent actions + 3 × fixes that did not hold + incidents in the last 90 days beyond the 90 before";

fn csv(rows: &[RowView<'_>], fields: &[String]) -> Result<Vec<u8>> {
    let cell = super::csv::cell;
    let mut w = csv::Writer::from_writer(Vec::new());
    let err = |e: csv::Error| Error::Refused(format!("reinvestment report: {e}"));
    let mut header: Vec<String> = [
        "kind",
        "name",
        "url",
        "score",
        "incidents_last_90_days",
        "incidents_prior_90_days",
        "incidents_last_365_days",
        "incidents_prior_365_days",
        "customer_impact_hours",
        "prevent_actions_open",
        "prevent_actions_overdue",
        "fixes_not_held",
        "summary",
    ]
    .map(String::from)
    .to_vec();
    header.extend(fields.iter().map(|f| cell(f)));
    w.write_record(&header).map_err(err)?;
    for r in rows {
        let mut record = vec![
            r.kind.to_string(),
            cell(r.name),
            r.url.clone(),
            r.score.to_string(),
            r.last_90.to_string(),
            r.prior_90.to_string(),
            r.last_365.to_string(),
            r.prior_365.to_string(),
            r.impact_hours.to_string(),
            r.prevent_open.to_string(),
            r.prevent_overdue.to_string(),
            r.fixes_not_held_count.to_string(),
            cell(r.sentence),
        ];
        for f in fields {
            record.push(
                r.impact_fields
                    .get(f.as_str())
                    .map(|v| v.to_string())
                    .unwrap_or_default(),
            );
        }
        w.write_record(&record).map_err(err)?;
    }
    w.into_inner()
        .map_err(|e| Error::Refused(format!("reinvestment report: {e}")))
}

/// Markdown text for a planning document: the author's and pmsite's words escaped so a
/// term never turns into markup.
fn markdown(rows: &[RowView<'_>], report: &Report, config: &Config) -> String {
    let esc = |s: &str| {
        let mut out = String::with_capacity(s.len());
        for c in s.chars() {
            if matches!(
                c,
                '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '!'
            ) {
                out.push('\\');
            }
            if !c.is_control() {
                out.push(c);
            }
        }
        out
    };
    let mut md = format!(
        "# Where to reinvest: {}\n\nAs of {}. Ranked by score: {SCORE}. Near misses, game days and other types whose metrics are off are left out.\n\n",
        esc(&config.title),
        report.today
    );
    if rows.is_empty() {
        md.push_str("No component, root cause, contributing factor or team had an incident in the last 365 days or a prevent action open.\n");
    }
    for r in rows {
        md.push_str(&format!(
            "- **{}** ({}, score {}): {}\n",
            esc(r.name),
            r.kind,
            r.score,
            esc(r.sentence)
        ));
        for n in &r.fixes_not_held {
            md.push_str(&format!(
                "  - Fix did not hold: [{}]({}) came back as [{}]({}) ({})\n",
                esc(&n.earlier.id),
                n.earlier.url,
                esc(&n.later.id),
                n.later.url,
                esc(&n.shared)
            ));
        }
        let mut ids: Vec<String> = r
            .incidents
            .iter()
            .map(|l| format!("[{}]({})", esc(&l.id), l.url))
            .collect();
        if r.more_incidents > 0 {
            ids.push(format!(
                "and {} more on [its page]({})",
                r.more_incidents, r.url
            ));
        }
        if !ids.is_empty() {
            md.push_str(&format!("  - Incidents: {}\n", ids.join(", ")));
        }
    }
    md
}

impl Site<'_> {
    /// `/reinvestment/` and its three files.
    pub(super) fn write_reinvestment(&self, sink: &dyn Sink) -> Result<usize> {
        let report = reinvestment::report(self.lib, &self.config.reinvestment.impact_fields);
        let rows = views(self.lib, &report, &self.config.root_path());
        let mut ctx = self.context();
        ctx.insert("rows", &rows);
        ctx.insert("today", &report.today.to_string());
        ctx.insert("score_words", SCORE);
        ctx.insert("impact_fields", &self.config.reinvestment.impact_fields);
        let mut count = self.page(sink, &Route::Reinvestment.path(), "reinvestment.html", &ctx)?;
        for format in REPORT_FORMATS {
            sink.write(
                &Route::ReinvestmentFile(format).path(),
                &report_file(self.lib, self.config, &report, format)?,
            )?;
            count += 1;
        }
        Ok(count)
    }
}

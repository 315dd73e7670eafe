//! The output plan: every file of the site, rendered from the library and handed to a
//! `Sink` (a directory for `build`, memory for `serve`), so both always agree. Incident
//! pages render in parallel and stream to the sink as they are done.

pub mod json;
pub mod theme;
pub mod views;

use std::collections::BTreeMap;

use rayon::prelude::*;
use serde::Serialize;
use tera::Context;

use crate::config::Config;
use crate::content::model::Status;
use crate::error::{Error, Result};
use crate::library::Library;
use crate::output::Sink;
use theme::{Theme, tera_message};
use views::{IncidentPage, IncidentRow, SiteView};

pub struct Site<'a> {
    pub lib: &'a Library,
    pub config: &'a Config,
    pub theme: &'a Theme,
    pub drafts: bool,
    /// RFC 3339, for `incidents.json` and page footers.
    pub generated: String,
}

#[derive(Serialize)]
struct MonthCount {
    month: String,
    count: usize,
}

impl Site<'_> {
    fn context(&self) -> Context {
        let mut ctx = Context::new();
        ctx.insert(
            "site",
            &SiteView::new(self.config, self.drafts, &self.generated),
        );
        ctx
    }

    fn render(&self, template: &str, ctx: &Context) -> Result<Vec<u8>> {
        self.theme
            .tera
            .render(template, ctx)
            .map(String::into_bytes)
            .map_err(|e| Error::Template(tera_message(&e)))
    }

    /// Renders every output into the sink; returns how many files were written.
    pub fn write_all(&self, sink: &dyn Sink) -> Result<usize> {
        let root = self.config.root_path();
        let rows: Vec<IncidentRow> = self
            .lib
            .incidents
            .iter()
            .zip(&self.lib.derived)
            .map(|(i, d)| IncidentRow::new(&root, i, d))
            .collect();
        let mut count = 0;

        let mut ctx = self.context();
        ctx.insert("incidents", &rows);
        sink.write(
            "incidents/index.html",
            &self.render("incidents.html", &ctx)?,
        )?;
        count += 1;

        let mut ctx = self.context();
        let mut latest: Vec<usize> = (0..self.lib.incidents.len())
            .filter(|&i| {
                self.lib.incidents[i].status == Status::Published
                    && self.lib.incidents[i].publication_date().is_some()
            })
            .collect();
        latest.sort_by_key(|&i| {
            std::cmp::Reverse((
                self.lib.incidents[i].publication_date(),
                self.lib.incidents[i].date,
            ))
        });
        latest.truncate(10);
        let latest: Vec<&IncidentRow> = latest.into_iter().map(|i| &rows[i]).collect();
        let mut months: BTreeMap<String, usize> = BTreeMap::new();
        for i in &self.lib.incidents {
            if let Some(d) = i.date {
                *months
                    .entry(d.date().format("%Y-%m").to_string())
                    .or_default() += 1;
            }
        }
        let by_month: Vec<MonthCount> = months
            .into_iter()
            .rev()
            .map(|(month, count)| MonthCount { month, count })
            .collect();
        ctx.insert("latest", &latest);
        ctx.insert("by_month", &by_month);
        ctx.insert("incident_count", &self.lib.incidents.len());
        ctx.insert(
            "undated_count",
            &self
                .lib
                .incidents
                .iter()
                .filter(|i| i.date.is_none())
                .count(),
        );
        ctx.insert("open_actions", &self.lib.open_actions());
        ctx.insert("overdue_actions", &self.lib.overdue_actions());
        sink.write("index.html", &self.render("index.html", &ctx)?)?;
        sink.write("404.html", &self.render("404.html", &self.context())?)?;
        count += 2;

        sink.write(
            "incidents.json",
            &json::incidents_json(self.lib, self.config, &self.generated),
        )?;
        count += 1;
        for (name, bytes) in &self.theme.static_files {
            sink.write(name, bytes)?;
            count += 1;
        }

        let base = self.context();
        let pages = (0..self.lib.incidents.len())
            .into_par_iter()
            .map(|i| {
                let page = IncidentPage::new(self.config, self.lib, i);
                let mut ctx = base.clone();
                ctx.insert("incident", &page);
                let html = self.render("incident.html", &ctx)?;
                sink.write(
                    &format!("incidents/{}/index.html", self.lib.incidents[i].slug),
                    &html,
                )
            })
            .collect::<Result<Vec<()>>>()?;
        Ok(count + pages.len())
    }
}

//! `/patterns/`: repeated root causes and components, with its two charts.

use super::Site;
use super::charts;
use crate::error::Result;
use crate::library::terms::Taxonomy;
use crate::output::Sink;
use crate::routes::{CHARTS, Route};

impl Site<'_> {
    /// `/patterns/` with its two charts, also written as standalone SVG files.
    pub(super) fn write_patterns(&self, sink: &dyn Sink) -> Result<usize> {
        let p = &self.lib.patterns;
        let by_severity = crate::escape::xml_text(&charts::incidents_by_severity(p)).into_owned();
        let ttr = crate::escape::xml_text(&charts::time_to_resolve(p)).into_owned();
        sink.write(
            &Route::PatternChart(CHARTS[0]).path(),
            by_severity.as_bytes(),
        )?;
        sink.write(&Route::PatternChart(CHARTS[1]).path(), ttr.as_bytes())?;
        let root = self.config.root_path();
        let mut ctx = self.context();
        ctx.insert("patterns", p);
        ctx.insert("chart_severity", &by_severity);
        ctx.insert("chart_ttr", &ttr);
        ctx.insert(
            "root_cause_base",
            &Route::Terms(Taxonomy::RootCauses).url(&root),
        );
        ctx.insert(
            "factor_base",
            &Route::Terms(Taxonomy::ContributingFactors).url(&root),
        );
        ctx.insert(
            "component_base",
            &Route::Terms(Taxonomy::Components).url(&root),
        );
        Ok(2 + self.page(sink, &Route::Patterns.path(), "patterns.html", &ctx)?)
    }
}

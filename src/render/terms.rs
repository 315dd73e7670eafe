//! The taxonomy pages: `/components/` and each `/components/<slug>/`, and the same for
//! tags, root causes and severities.

use serde::Serialize;

use super::Site;
use super::views::TermLink;
use crate::error::Result;
use crate::library::terms::Taxonomy;
use crate::output::Sink;
use crate::routes::{self, Route};

#[derive(Serialize)]
struct TaxonomyView {
    path: &'static str,
    title: &'static str,
    singular: &'static str,
}

impl From<Taxonomy> for TaxonomyView {
    fn from(t: Taxonomy) -> Self {
        TaxonomyView {
            path: routes::taxonomy_dir(t),
            title: t.title(),
            singular: t.singular(),
        }
    }
}

impl Site<'_> {
    /// `/components/`, `/components/<slug>/` and the same for tags, root causes, severities.
    /// `row_html` holds each incident's rendered table row.
    pub(super) fn write_terms(&self, sink: &dyn Sink, row_html: &[String]) -> Result<usize> {
        let root = self.config.root_path();
        let mut count = 0;
        for taxonomy in Taxonomy::ALL {
            let terms = self.lib.terms(taxonomy);
            let links: Vec<TermLink> = terms
                .terms
                .iter()
                .map(|t| TermLink {
                    name: t.name.clone(),
                    url: routes::term_url(&root, taxonomy, &t.slug),
                    count: t.incidents.len(),
                })
                .collect();
            let mut ctx = self.context();
            ctx.insert("taxonomy", &TaxonomyView::from(taxonomy));
            ctx.insert("terms", &links);
            count += self.page(sink, &Route::Terms(taxonomy).path(), "terms.html", &ctx)?;
            for (term, link) in terms.terms.iter().zip(&links) {
                let mut ctx = self.context();
                ctx.insert("taxonomy", &TaxonomyView::from(taxonomy));
                ctx.insert("term", link);
                let rows: Vec<&str> = term
                    .incidents
                    .iter()
                    .map(|&i| row_html[i].as_str())
                    .collect();
                let path = Route::Term(taxonomy, &term.slug).path();
                self.write_with_rows(sink, &path, "term.html", &mut ctx, &rows)?;
                count += 1;
            }
        }
        Ok(count)
    }
}

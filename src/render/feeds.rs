//! Writing the feeds: `/rss.xml`, `/atom.xml`, and an Atom feed beside each component, tag
//! and root cause page (their content is `crate::feeds`).

use super::Site;
use crate::error::Result;
use crate::feeds;
use crate::library::terms::Taxonomy;
use crate::output::Sink;
use crate::routes::Route;

impl Site<'_> {
    /// `/rss.xml` and `/atom.xml` for the library, and `atom.xml` beside each component,
    /// tag and root cause page.
    pub(super) fn write_feeds(&self, sink: &dyn Sink) -> Result<usize> {
        let limit = self.config.feeds.limit;
        let all = feeds::entries(self.lib, 0..self.lib.incidents.len());
        let home = Route::Home.absolute(self.config);
        let description = if self.config.description.is_empty() {
            "Newly published post-mortems"
        } else {
            &self.config.description
        };
        let rss_url = Route::Rss.absolute(self.config);
        let meta = |self_url| feeds::FeedMeta {
            title: &self.config.title,
            description,
            page_url: &home,
            self_url,
        };
        sink.write(
            &Route::Rss.path(),
            feeds::rss(self.config, self.lib, &meta(&rss_url), &all, limit).as_bytes(),
        )?;
        let atom_url = Route::Atom.absolute(self.config);
        sink.write(
            &Route::Atom.path(),
            feeds::atom(self.config, self.lib, &meta(&atom_url), &all, limit).as_bytes(),
        )?;
        let mut count = 2;
        for taxonomy in Taxonomy::ALL.into_iter().filter(|t| t.has_feed()) {
            for term in &self.lib.terms(taxonomy).terms {
                let entries = feeds::entries(self.lib, term.incidents.iter().copied());
                let page_url = Route::Term(taxonomy, &term.slug).absolute(self.config);
                let self_url = Route::TermFeed(taxonomy, &term.slug).absolute(self.config);
                let title = format!(
                    "{}: {} {}",
                    self.config.title,
                    taxonomy.singular(),
                    term.name
                );
                let description = format!(
                    "Post-mortems with the {} {}",
                    taxonomy.singular(),
                    term.name
                );
                let meta = feeds::FeedMeta {
                    title: &title,
                    description: &description,
                    page_url: &page_url,
                    self_url: &self_url,
                };
                let path = Route::TermFeed(taxonomy, &term.slug).path();
                sink.write(
                    &path,
                    feeds::atom(self.config, self.lib, &meta, &entries, limit).as_bytes(),
                )?;
                count += 1;
            }
        }
        Ok(count)
    }
}

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
        let library_ttr = crate::library::teams::medians(self.lib, 0..self.lib.incidents.len())[2]
            .map(|m| crate::dates::human_minutes(m.round() as i64));
        // Each component's row of `/patterns/`, by slug, for its page.
        let component_rows: rustc_hash::FxHashMap<&str, &crate::library::patterns::PatternRow> =
            self.lib
                .patterns
                .components
                .iter()
                .map(|r| (r.slug.as_str(), r))
                .collect();
        for taxonomy in Taxonomy::ALL {
            let terms = self.lib.terms(taxonomy);
            let links: Vec<TermLink> = terms
                .terms
                .iter()
                .map(|t| TermLink::of(&root, taxonomy, t))
                .collect();
            let mut ctx = self.context();
            ctx.insert("taxonomy", &TaxonomyView::from(taxonomy));
            ctx.insert("terms", &links);
            ctx.insert(
                "descriptions",
                &terms
                    .terms
                    .iter()
                    .map(|t| t.description.as_deref().unwrap_or(""))
                    .collect::<Vec<_>>(),
            );
            count += self.page(sink, &Route::Terms(taxonomy).path(), "terms.html", &ctx)?;
            for (term, link) in terms.terms.iter().zip(&links) {
                let mut ctx = self.context();
                ctx.insert("taxonomy", &TaxonomyView::from(taxonomy));
                ctx.insert("term", link);
                let link_to =
                    |name: &str| terms.get(name).map(|t| TermLink::of(&root, taxonomy, t));
                ctx.insert("description", &term.description);
                ctx.insert("parent", &term.parent.as_deref().and_then(link_to));
                ctx.insert(
                    "children",
                    &term
                        .children
                        .iter()
                        .filter_map(|c| link_to(c))
                        .collect::<Vec<_>>(),
                );
                // A term's latest incidents and open items: its embed card, and on a
                // component's page.
                let card = crate::routes::has_cards(taxonomy).then(|| self.card(term));
                if taxonomy == Taxonomy::Components {
                    ctx.insert("catalog", &self.catalog_entry(&term.name));
                    // How it is doing: its pattern row, against the library, and what is open.
                    ctx.insert("pattern", &component_rows.get(term.slug.as_str()));
                    ctx.insert("window_days", &self.lib.patterns.window_days);
                    ctx.insert("library_ttr", &library_ttr);
                    ctx.insert("card", &card);
                }
                // Long lists are pages of `routes::LIST_PAGE`.
                let per = crate::routes::LIST_PAGE;
                let pages = crate::routes::pages(term.incidents.len(), per);
                for page in 1..=pages {
                    ctx.insert("pager", &super::views::Pager::new(&link.url, page, pages));
                    let rows: Vec<&str> = term
                        .incidents
                        .iter()
                        .skip((page - 1) * per)
                        .take(per)
                        .map(|&i| row_html[i].as_str())
                        .collect();
                    let path = if page == 1 {
                        Route::Term(taxonomy, &term.slug).path()
                    } else {
                        Route::TermPage(taxonomy, &term.slug, page).path()
                    };
                    self.write_with_rows(sink, &path, "term.html", &mut ctx, &rows)?;
                    count += 1;
                }
                if let Some(card) = &card {
                    let mut ctx = self.context();
                    ctx.insert("taxonomy", &TaxonomyView::from(taxonomy));
                    ctx.insert("term", link);
                    ctx.insert("card", card);
                    let path = Route::EmbedCard(taxonomy, &term.slug).path();
                    count += self.page(sink, &path, "embed_card.html", &ctx)?;
                }
            }
        }
        Ok(count)
    }
}

/// What a component page says of the component beyond its incidents: the catalog's facts,
/// with links that passed the URL policy when the catalog was read.
#[derive(Serialize)]
struct CatalogView<'a> {
    info: &'a crate::vocabulary::ComponentInfo,
    team_url: Option<String>,
}

impl Site<'_> {
    fn catalog_entry(&self, name: &str) -> Option<CatalogView<'_>> {
        let info = self.config.vocabulary.components.get(name)?;
        let team_url = info.owner.as_deref().map(|o| {
            Route::Team(&crate::library::terms::term_slug(o)).url(&self.config.root_path())
        });
        Some(CatalogView { info, team_url })
    }
}

/// What an embed card shows: the latest incidents and the open action items of a term.
#[derive(serde::Serialize)]
pub struct Card {
    pub incidents: Vec<CardIncident>,
    pub open: Vec<CardAction>,
    pub open_total: usize,
}

#[derive(serde::Serialize)]
pub struct CardIncident {
    pub url: String,
    pub id: String,
    pub title: String,
    pub date: Option<String>,
    pub severity: Option<String>,
}

#[derive(serde::Serialize)]
pub struct CardAction {
    pub text: String,
    pub owner: Option<String>,
    pub due: Option<String>,
    pub overdue: bool,
    pub url: String,
}

/// How many incidents and open items a card lists.
const CARD_ITEMS: usize = 5;

impl Site<'_> {
    fn card(&self, term: &crate::library::terms::Term) -> Card {
        let lib = self.lib;
        let root = self.config.root_path();
        let url = |i: usize| routes::incident_url(&root, &lib.incidents[i].slug);
        let mut open: Vec<crate::library::tracker::ItemRef> = term
            .incidents
            .iter()
            .flat_map(|&i| {
                lib.incidents[i]
                    .action_items
                    .iter()
                    .enumerate()
                    .filter(|(_, a)| !a.done)
                    .map(move |(k, _)| (i, k))
            })
            .collect();
        crate::library::tracker::sort(lib, &mut open);
        Card {
            incidents: term
                .incidents
                .iter()
                .take(CARD_ITEMS)
                .map(|&i| {
                    let inc = &lib.incidents[i];
                    CardIncident {
                        url: url(i),
                        id: inc.id.clone(),
                        title: inc.title.clone(),
                        date: inc.date.map(|d| d.date().to_string()),
                        severity: inc.severity.clone(),
                    }
                })
                .collect(),
            open_total: open.len(),
            open: open
                .iter()
                .take(CARD_ITEMS)
                .map(|&(i, k)| {
                    let a = &lib.incidents[i].action_items[k];
                    CardAction {
                        text: a.text.clone(),
                        owner: a.owner.clone(),
                        due: lib.derived[i].actions[k].due.map(|d| d.to_string()),
                        overdue: lib.derived[i].actions[k].overdue,
                        url: url(i),
                    }
                })
                .collect(),
        }
    }
}

//! The output plan: every file of the site, rendered from the library and handed to a
//! `Sink` (a directory for `build`, memory for `serve`), so both always agree. Incident
//! pages render in parallel and stream to the sink as they are done.

mod actions;
pub mod charts;
mod csv;
mod external;
mod feeds;
pub mod glance;
pub mod json;
mod memo;
mod patterns;
pub mod reinvestment;
mod reviews;
mod teams;
mod terms;
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
use crate::library::terms::Taxonomy;
use crate::output::Sink;
pub use crate::routes::Part;
use crate::routes::Route;
pub use memo::PageMemo;
use memo::{Kept, view_hash};
use theme::{Theme, tera_message};
use views::{IncidentPage, IncidentRow, SiteView};

pub struct Site<'a> {
    pub lib: &'a Library,
    pub config: &'a Config,
    pub theme: &'a Theme,
    pub drafts: bool,
    /// RFC 3339, for `incidents.json` and page footers.
    pub generated: String,
    /// Called once per incident page written (a progress bar).
    pub on_page: &'a (dyn Fn() + Sync),
    /// The previous render's incident pages (`serve`): a page whose inputs hash the same is
    /// written again without rendering.
    pub memo: Option<&'a PageMemo>,
    /// The previous render's search analysis per document (`serve`).
    pub search_memo: Option<&'a crate::search::SearchMemo>,
    /// Incident table rows, rendered once for every list that shows them.
    pub rows: &'a RowCache,
}

/// Each incident's rendered table row, shared by the lists of one render.
#[derive(Default)]
pub struct RowCache(std::sync::OnceLock<std::result::Result<Vec<String>, String>>);

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

    fn render_string(&self, template: &str, ctx: &Context) -> Result<String> {
        self.theme
            .tera
            .render(template, ctx)
            .map_err(|e| Error::Template(tera_message(&e)))
    }

    /// Writes a page whose table rows are many: the template sees a marker where
    /// `rows_html` goes, and the rows (each rendered once, shared between pages) are written
    /// in its place, sparing Tera and memory megabytes of copies.
    fn write_with_rows(
        &self,
        sink: &dyn Sink,
        path: &str,
        template: &str,
        ctx: &mut Context,
        rows: &[&str],
    ) -> Result<()> {
        const ROWS: &str = "\u{E001}pmsite-rows\u{E001}";
        ctx.insert("rows_html", ROWS);
        let html = self.render_string(template, ctx)?;
        let Some((before, after)) = html.split_once(ROWS) else {
            return sink.write(path, html.as_bytes());
        };
        let mut parts: Vec<&[u8]> = Vec::with_capacity(rows.len() * 2 + 2);
        parts.push(before.as_bytes());
        for row in rows {
            parts.push(row.trim_end().as_bytes());
            parts.push(b"\n");
        }
        parts.push(after.as_bytes());
        sink.write_parts(path, &parts)
    }

    /// `/search/` and its index files (see `search`).
    fn write_search(&self, sink: &dyn Sink) -> Result<usize> {
        // A shard the memo says is unchanged is the previous build's file, linked.
        let (files, kept) = crate::search::index_files_kept(
            self.lib,
            self.config,
            self.search_memo,
            &|path, hash| sink.reuse(path, hash).unwrap_or(false),
        );
        for (path, bytes) in &files {
            sink.write(path, bytes)?;
        }
        let mut ctx = self.context();
        ctx.insert("incident_count", &self.lib.incidents.len());
        sink.write(&Route::Search.path(), &self.render("search.html", &ctx)?)?;
        Ok(files.len() + kept + 1)
    }

    /// Renders one page from its template into the sink.
    fn page(&self, sink: &dyn Sink, path: &str, template: &str, ctx: &Context) -> Result<usize> {
        sink.write(path, &self.render(template, ctx)?)?;
        Ok(1)
    }

    fn render(&self, template: &str, ctx: &Context) -> Result<Vec<u8>> {
        self.theme
            .tera
            .render(template, ctx)
            .map(String::into_bytes)
            .map_err(|e| Error::Template(tera_message(&e)))
    }

    /// Every part of the site, the long aggregates first (parallel renders start them
    /// first), then one per incident page.
    pub fn parts(&self) -> Vec<Part> {
        let mut parts = vec![
            Part::Search,
            Part::Terms,
            Part::Actions,
            Part::Feeds,
            Part::IncidentList,
            Part::IncidentsJson,
            Part::Home,
            Part::Patterns,
            Part::External,
            Part::ImpactCsv,
            Part::Static,
            Part::Teams,
            Part::Reinvestment,
            Part::Reviews,
        ];
        if self.drafts {
            parts.push(Part::Review);
        }
        parts.extend((0..self.lib.incidents.len()).map(Part::Incident));
        parts
    }

    /// Every file this site has, by its route, but for the search index's own files (how
    /// many there are depends on the index): the route table for this library and theme.
    pub fn routes(&self) -> Vec<Route<'_>> {
        let mut routes: Vec<Route<'_>> = crate::routes::FIXED
            .into_iter()
            .filter(|r| *r != Route::Review || self.drafts)
            .collect();
        routes.push(Route::SearchIndex("meta.json"));
        routes.push(Route::SearchIndex("meta/all.json"));
        routes.extend((1..=json::page_count(self.lib.incidents.len())).map(Route::IncidentsPage));
        routes.extend(self.lib.incidents.iter().map(|i| Route::Incident(&i.slug)));
        for t in Taxonomy::ALL {
            routes.push(Route::Terms(t));
            for term in &self.lib.terms(t).terms {
                routes.push(Route::Term(t, &term.slug));
                if t.has_feed() {
                    routes.push(Route::TermFeed(t, &term.slug));
                }
                if crate::routes::has_cards(t) {
                    routes.push(Route::EmbedCard(t, &term.slug));
                }
                routes.push(Route::TermLatest(t, &term.slug));
            }
        }
        routes.extend(self.lib.teams.iter().map(|t| Route::Team(&t.slug)));
        for p in &self.lib.reviews {
            routes.push(Route::ReviewPeriod(&p.slug));
            routes.push(Route::ReviewFeed(&p.slug));
        }
        let (list, per) = (crate::routes::LIST_PAGE, crate::routes::EXTERNAL_PAGE);
        routes.extend(
            (2..=crate::routes::pages(self.lib.incidents.len(), list)).map(Route::IncidentListPage),
        );
        let messages = self
            .lib
            .incidents
            .iter()
            .filter(|i| i.external_message.is_some())
            .count();
        routes.extend((2..=crate::routes::pages(messages, per)).map(Route::ExternalPage));
        for term in &self.lib.terms(Taxonomy::Components).terms {
            let with_message = term
                .incidents
                .iter()
                .filter(|&&i| self.lib.incidents[i].external_message.is_some())
                .count();
            if with_message > 0 {
                routes.extend(
                    (1..=crate::routes::pages(with_message, per))
                        .map(|n| Route::ExternalComponent(&term.slug, n)),
                );
            }
        }
        for t in Taxonomy::ALL {
            for term in &self.lib.terms(t).terms {
                routes.extend(
                    (2..=crate::routes::pages(term.incidents.len(), list))
                        .map(|n| Route::TermPage(t, &term.slug, n)),
                );
            }
        }
        routes.extend(self.action_view_routes());
        let with_open = self
            .lib
            .incidents
            .iter()
            .filter(|i| i.action_items.iter().any(|a| !a.done))
            .count();
        routes.extend(
            (2..=crate::routes::pages(with_open, crate::routes::GROUP_PAGE))
                .map(Route::ActionsByIncidentPage),
        );
        routes.extend(self.theme.static_files.keys().map(|p| Route::Static(p)));
        routes
    }

    /// Every page of every tracker view but the first of every item (`Route::Actions`).
    fn action_view_routes(&self) -> Vec<Route<'_>> {
        let mut out = Vec::new();
        for v in &self.lib.action_views {
            let filter = v.filter.as_str();
            for page in 1..=crate::routes::pages(v.items.len(), crate::library::tracker::PAGE_ITEMS)
            {
                if !(filter.is_empty() && page == 1) {
                    out.push(Route::ActionView(filter, page));
                }
            }
        }
        out
    }

    /// The part that writes `path`, if any does; pure, from the path's shape (`routes`).
    pub fn part_of(&self, path: &str) -> Option<Part> {
        let route = Route::parse(path, |p| self.theme.static_files.contains_key(p))?;
        if route == Route::Review && !self.drafts {
            return None;
        }
        route.part(|slug| self.lib.incidents.iter().position(|i| i.slug == slug))
    }

    /// Each incident's table row, rendered once and shared by every list.
    fn row_html(&self) -> Result<&[String]> {
        self.rows
            .0
            .get_or_init(|| {
                let root = self.config.root_path();
                self.lib
                    .incidents
                    .par_iter()
                    .zip(&self.lib.derived)
                    .map(|(i, d)| {
                        let mut ctx = Context::new();
                        ctx.insert("r", &IncidentRow::new(&root, i, d));
                        self.render_string("partials/incident_row.html", &ctx)
                    })
                    .collect::<Result<Vec<_>>>()
                    .map_err(|e| e.to_string())
            })
            .as_deref()
            .map_err(|e| Error::Template(e.clone()))
    }

    fn rows(&self) -> Vec<IncidentRow> {
        let root = self.config.root_path();
        self.lib
            .incidents
            .iter()
            .zip(&self.lib.derived)
            .map(|(i, d)| IncidentRow::new(&root, i, d))
            .collect()
    }

    /// Renders one part into the sink; returns how many files it wrote.
    pub fn write_part(&self, part: Part, sink: &dyn Sink) -> Result<usize> {
        match part {
            Part::Home => self.write_home(sink),
            Part::IncidentList => self.write_incident_list(sink),
            Part::IncidentsJson => {
                let mut count = 0;
                for (path, bytes) in json::incidents_json(self.lib, self.config, &self.generated) {
                    sink.write(&path, &bytes)?;
                    count += 1;
                }
                let all: Vec<usize> = (0..self.lib.incidents.len()).collect();
                sink.write(
                    &Route::Latest.path(),
                    &json::latest_json(self.lib, self.config, None, &all),
                )?;
                count += 1;
                for t in Taxonomy::ALL {
                    for term in &self.lib.terms(t).terms {
                        sink.write(
                            &Route::TermLatest(t, &term.slug).path(),
                            &json::latest_json(
                                self.lib,
                                self.config,
                                Some(&term.name),
                                &term.incidents,
                            ),
                        )?;
                        count += 1;
                    }
                }
                Ok(count)
            }
            Part::Static => {
                for (name, bytes) in &self.theme.static_files {
                    sink.write(name, bytes)?;
                }
                Ok(self.theme.static_files.len())
            }
            Part::Incident(i) => self.write_incident(i, sink),
            Part::Search => self.write_search(sink),
            Part::Terms => self.write_terms(sink, self.row_html()?),
            Part::Actions => self.write_actions(sink),
            Part::Patterns => self.write_patterns(sink),
            Part::External => self.write_external(sink, &self.rows()),
            Part::ImpactCsv => self.write_impact_csv(sink),
            Part::Feeds => self.write_feeds(sink),
            Part::Review => self.write_review(sink, &self.rows()),
            Part::Teams => self.write_teams(sink, self.row_html()?),
            Part::Reinvestment => self.write_reinvestment(sink),
            Part::Reviews => self.write_reviews(sink),
        }
    }

    /// Renders what parts share (the table rows) ahead of rendering parts in parallel. Not
    /// merely quicker: a rayon thread waiting inside a part for the rows could be handed
    /// another part that needs them, and wait on itself.
    pub fn prepare(&self) -> Result<()> {
        self.row_html().map(drop)
    }

    /// Renders every output into the sink; returns how many files were written.
    pub fn write_all(&self, sink: &dyn Sink) -> Result<usize> {
        if let Some(m) = self.memo {
            m.start_counting();
        }
        self.prepare()?;
        self.parts()
            .into_par_iter()
            .map(|part| self.write_part(part, sink))
            .try_reduce(|| 0, |a, b| Ok(a + b))
    }

    fn write_incident_list(&self, sink: &dyn Sink) -> Result<usize> {
        let row_html = self.row_html()?;
        let rows = self.rows();
        let mut ctx = self.context();
        ctx.insert("incident_count", &rows.len());
        // Near misses and the other types have their own lists.
        let root = self.config.root_path();
        let type_links: Vec<views::TermLink> = self
            .lib
            .terms(Taxonomy::Types)
            .terms
            .iter()
            .map(|t| views::TermLink {
                name: self.config.types.info(&t.name).title,
                ..views::TermLink::of(&root, Taxonomy::Types, t)
            })
            .collect();
        ctx.insert("type_links", &type_links);
        let type_names: Vec<&str> = self
            .lib
            .terms(Taxonomy::Types)
            .terms
            .iter()
            .map(|t| t.name.as_str())
            .collect();
        ctx.insert("type_names", &type_names);
        let names = |t: Taxonomy| -> Vec<&str> {
            let mut v: Vec<&str> = self
                .lib
                .terms(t)
                .terms
                .iter()
                .map(|t| t.name.as_str())
                .collect();
            if t != Taxonomy::Severities {
                v.sort_unstable_by_key(|s| s.to_lowercase());
            }
            v
        };
        ctx.insert("severities", &names(Taxonomy::Severities));
        ctx.insert("components", &names(Taxonomy::Components));
        ctx.insert("root_causes", &names(Taxonomy::RootCauses));
        ctx.insert(
            "contributing_factors",
            &names(Taxonomy::ContributingFactors),
        );
        ctx.insert("tags", &names(Taxonomy::Tags));
        ctx.insert("years", &self.lib.years());
        let mut statuses: Vec<&str> = rows.iter().map(|r| r.status).collect();
        statuses.sort_unstable();
        statuses.dedup();
        ctx.insert("statuses", &statuses);
        let first = Route::IncidentList.url(&root);
        let pages = crate::routes::pages(row_html.len(), crate::routes::LIST_PAGE);
        for (k, chunk) in row_html
            .chunks(crate::routes::LIST_PAGE)
            .chain(row_html.is_empty().then_some(row_html))
            .enumerate()
        {
            let page = k + 1;
            ctx.insert("pager", &views::Pager::new(&first, page, pages));
            let list_rows: Vec<&str> = chunk.iter().map(String::as_str).collect();
            let path = if page == 1 {
                Route::IncidentList.path()
            } else {
                Route::IncidentListPage(page).path()
            };
            self.write_with_rows(sink, &path, "incidents.html", &mut ctx, &list_rows)?;
        }
        Ok(pages)
    }

    /// The home page (latest reviews, incidents per month, repeated root causes) and 404.
    fn write_home(&self, sink: &dyn Sink) -> Result<usize> {
        let rows = self.rows();
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
        // A trend: types whose metrics are off are not in it.
        for i in self.lib.counted().map(|i| &self.lib.incidents[i]) {
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
        ctx.insert(
            "month_max",
            &by_month.iter().map(|m| m.count).max().unwrap_or(1),
        );
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
        let repeated: Vec<&crate::library::patterns::PatternRow> = self
            .lib
            .patterns
            .root_causes
            .iter()
            .filter(|r| r.recent >= 2)
            .collect();
        ctx.insert("repeated_root_causes", &repeated);
        ctx.insert("window_days", &self.config.patterns.repeat_window_days);
        ctx.insert(
            "root_cause_base",
            &Route::Terms(Taxonomy::RootCauses).url(&self.config.root_path()),
        );
        ctx.insert("open_actions", &self.lib.open_actions());
        ctx.insert("overdue_actions", &self.lib.overdue_actions());
        sink.write(&Route::Home.path(), &self.render("index.html", &ctx)?)?;
        sink.write(
            &Route::NotFound.path(),
            &self.render("404.html", &self.context())?,
        )?;
        Ok(2)
    }

    /// An incident's page; with a memo, written again without rendering when its view and
    /// the site around it hash the same as last time.
    fn write_incident(&self, i: usize, sink: &dyn Sink) -> Result<usize> {
        let page = IncidentPage::new(self.config, self.lib, i);
        let path = views::incident_file(&self.lib.incidents[i]);
        // An incident page does not carry the build's time, so that a page whose incident
        // did not change is the same file from one build to the next.
        let site = SiteView::new(self.config, self.drafts, "");
        let memo = self.memo.map(|m| {
            (
                m,
                view_hash(view_hash(self.theme.fingerprint, &site), &page),
            )
        });
        match memo.and_then(|(m, key)| m.get(&path, key)) {
            Some(Kept::Bytes(bytes)) => sink.write(&path, &bytes)?,
            Some(Kept::Hash(hash)) if sink.reuse(&path, hash)? => {}
            _ => {
                let mut ctx = Context::new();
                ctx.insert("site", &site);
                ctx.insert("incident", &page);
                let html = self.render("incident.html", &ctx)?;
                sink.write(&path, &html)?;
                if let Some((m, key)) = memo {
                    m.put(path, key, html);
                }
            }
        }
        (self.on_page)();
        Ok(1)
    }
}

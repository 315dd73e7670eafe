//! `/reviews/`: an operational review page per quarter, month or week (`[review] periods`),
//! each with its Atom feed of the post-mortems of the period.

use rayon::prelude::*;
use serde::Serialize;

/// How many incidents (and post-mortems published) a period's page lists.
const LISTED: usize = 100;

use super::Site;
use crate::config::PeriodKind;
use crate::error::Result;
use crate::feeds;
use crate::library::Library;
use crate::library::reviews;
use crate::output::Sink;
use crate::routes::{self, Route};

#[derive(Serialize)]
struct IncidentLink {
    title: String,
    url: String,
    severity: Option<String>,
    date: String,
    kind: String,
    /// Days from resolution to publication.
    lag_days: Option<i64>,
    late: bool,
}

#[derive(Serialize)]
struct PeriodLink {
    label: String,
    url: String,
    incidents: usize,
}

#[derive(Serialize)]
struct Recurring {
    kind: &'static str,
    name: String,
    url: String,
    count: usize,
}

fn link(lib: &Library, root: &str, i: usize) -> IncidentLink {
    let inc = &lib.incidents[i];
    IncidentLink {
        title: inc.title.clone(),
        url: routes::incident_url(root, &inc.slug),
        severity: inc.severity.clone(),
        date: inc.date.map(|d| d.date().to_string()).unwrap_or_default(),
        kind: inc.incident_type.clone(),
        lag_days: reviews::publication_lag(inc),
        late: false,
    }
}

fn kind_title(kind: PeriodKind) -> &'static str {
    match kind {
        PeriodKind::Quarter => "Quarterly",
        PeriodKind::Month => "Monthly",
        PeriodKind::Week => "Weekly",
    }
}

impl Site<'_> {
    /// `/reviews/`, and each period's page and feed.
    pub(super) fn write_reviews(&self, sink: &dyn Sink) -> Result<usize> {
        let lib = self.lib;
        let root = self.config.root_path();
        let periods = &lib.reviews;
        let mut count = 0;
        let mut kinds: Vec<(&'static str, Vec<PeriodLink>)> = Vec::new();
        for kind in &self.config.review.periods {
            let mut links: Vec<PeriodLink> = periods
                .iter()
                .filter(|p| p.kind == *kind)
                .map(|p| PeriodLink {
                    label: p.label.clone(),
                    url: Route::ReviewPeriod(&p.slug).url(&root),
                    incidents: p.incidents.len(),
                })
                .collect();
            links.reverse();
            kinds.push((kind_title(*kind), links));
        }
        let mut ctx = self.context();
        ctx.insert("kinds", &kinds);
        ctx.insert(
            "publish_within_days",
            &self.config.review.publish_within_days,
        );
        count += self.page(sink, &Route::Reviews.path(), "reviews.html", &ctx)?;
        let pages: Result<Vec<usize>> = periods
            .par_iter()
            .map(|p| self.write_period(sink, p))
            .collect();
        Ok(count + pages?.iter().sum::<usize>())
    }

    /// One period's page and feed.
    fn write_period(
        &self,
        sink: &dyn Sink,
        p: &crate::library::reviews::ReviewPeriod,
    ) -> Result<usize> {
        let lib = self.lib;
        let root = self.config.root_path();
        let mut count = 0;
        {
            let mut ctx = self.context();
            ctx.insert("period", p);
            ctx.insert("kind_title", kind_title(p.kind));
            let by_type: Vec<(String, usize)> = p
                .by_type
                .iter()
                .map(|(t, n)| (self.config.types.info(t).title, *n))
                .collect();
            ctx.insert("by_type", &by_type);
            // A page stays small at any size of library: the most severe incidents, the
            // late post-mortems first; the counts say how many there are in all.
            let scale = &self.config.severities.scale;
            let rank = |i: usize| {
                lib.incidents[i]
                    .severity
                    .as_ref()
                    .and_then(|s| scale.iter().position(|x| x == s))
                    .unwrap_or(scale.len())
            };
            let mut shown: Vec<usize> = p.incidents.clone();
            shown.sort_by_key(|&i| (rank(i), std::cmp::Reverse(lib.incidents[i].date)));
            shown.truncate(LISTED);
            ctx.insert(
                "incidents",
                &shown
                    .iter()
                    .map(|&i| link(lib, &root, i))
                    .collect::<Vec<_>>(),
            );
            ctx.insert("incidents_more", &(p.incidents.len() - shown.len()));
            let mut published: Vec<IncidentLink> = p
                .published
                .iter()
                .map(|x| IncidentLink {
                    late: x.late,
                    ..link(lib, &root, x.incident)
                })
                .collect();
            ctx.insert(
                "published_late",
                &published.iter().filter(|x| x.late).count(),
            );
            ctx.insert("published_count", &published.len());
            published.sort_by_key(|x| !x.late);
            published.truncate(LISTED);
            ctx.insert("published", &published);
            let recurring: Vec<Recurring> = p
                .recurring
                .iter()
                .map(|(t, name, n)| Recurring {
                    kind: t.singular(),
                    url: routes::term_url(&root, *t, &crate::library::terms::term_slug(name)),
                    name: name.clone(),
                    count: *n,
                })
                .collect();
            ctx.insert("recurring", &recurring);
            let overdue: Vec<(IncidentLink, i64)> = p
                .overdue_reviews
                .iter()
                .map(|&(i, days)| (link(lib, &root, i), days))
                .collect();
            ctx.insert("overdue_reviews", &overdue);
            ctx.insert(
                "previous_url",
                &p.previous
                    .as_ref()
                    .map(|s| Route::ReviewPeriod(s).url(&root)),
            );
            ctx.insert(
                "next_url",
                &p.next.as_ref().map(|s| Route::ReviewPeriod(s).url(&root)),
            );
            ctx.insert("feed_url", &Route::ReviewFeed(&p.slug).url(&root));
            ctx.insert(
                "publish_within_days",
                &self.config.review.publish_within_days,
            );
            count += self.page(
                sink,
                &Route::ReviewPeriod(&p.slug).path(),
                "review_period.html",
                &ctx,
            )?;
            let entries = feeds::entries(
                lib,
                p.incidents
                    .iter()
                    .chain(p.published.iter().map(|x| &x.incident))
                    .copied(),
            );
            let mut entries = entries;
            entries.dedup();
            let limit = self.config.feeds.limit;
            let title = format!("{}: operational review, {}", self.config.title, p.label);
            let description = format!(
                "Post-mortems of incidents in {} and published in it",
                p.label
            );
            let page_url = Route::ReviewPeriod(&p.slug).absolute(self.config);
            let self_url = Route::ReviewFeed(&p.slug).absolute(self.config);
            let meta = feeds::FeedMeta {
                title: &title,
                description: &description,
                page_url: &page_url,
                self_url: &self_url,
            };
            sink.write(
                &Route::ReviewFeed(&p.slug).path(),
                feeds::atom(self.config, lib, &meta, &entries, limit).as_bytes(),
            )?;
            count += 1;
        }
        Ok(count)
    }
}

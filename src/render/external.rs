//! The pages for readers outside the team: `/external/` (every external message, for Sales)
//! and `/review/` (the review queue, in builds that show drafts).

use rayon::prelude::*;
use serde::Serialize;

use super::Site;
use super::views::IncidentRow;
use crate::content::model::Status;
use crate::error::Result;
use crate::library::review;
use crate::output::Sink;
use crate::routes::Route;

#[derive(Serialize)]
struct ExternalView<'a> {
    row: &'a IncidentRow,
    html: std::borrow::Cow<'a, str>,
    mitigated: Option<String>,
    resolved: Option<String>,
}

#[derive(Serialize)]
struct ReviewView<'a> {
    row: &'a IncidentRow,
    author: Option<&'a str>,
    reviewers: &'a [String],
    review_meeting: Option<String>,
    missing: Vec<String>,
    late: review::Lateness,
}

/// A link of the filter bar: a component with messages.
#[derive(Serialize, Clone)]
struct FilterLink {
    name: String,
    url: String,
    count: usize,
    current: bool,
}

impl Site<'_> {
    /// `/external/`: every external message, newest first, for Sales.
    pub(super) fn write_external(&self, sink: &dyn Sink, rows: &[IncidentRow]) -> Result<usize> {
        let root = self.config.root_path();
        let messages: Vec<ExternalView<'_>> = self
            .lib
            .incidents
            .iter()
            .enumerate()
            .filter_map(|(i, inc)| {
                let m = inc.external_message.as_ref()?;
                Some(ExternalView {
                    row: &rows[i],
                    html: super::views::resolve_wiki_links(
                        &m.html,
                        &inc.links,
                        &self.lib.derived[i],
                        self.lib,
                        &root,
                    ),
                    mitigated: inc.mitigated.map(|w| w.display()),
                    resolved: inc.resolved.map(|w| w.display()),
                })
            })
            .collect();
        // A filter by component, as plain links: what was said about checkout-api.
        let with_message: Vec<usize> = (0..self.lib.incidents.len())
            .filter(|&i| self.lib.incidents[i].external_message.is_some())
            .collect();
        let at: rustc_hash::FxHashMap<usize, usize> = with_message
            .iter()
            .enumerate()
            .map(|(k, &i)| (i, k))
            .collect();
        let mut components: Vec<(FilterLink, &str, Vec<usize>)> = Vec::new();
        for term in &self
            .lib
            .terms(crate::library::terms::Taxonomy::Components)
            .terms
        {
            let mine: Vec<usize> = term
                .incidents
                .iter()
                .filter_map(|i| at.get(i).copied())
                .collect();
            if !mine.is_empty() {
                let link = FilterLink {
                    name: term.name.clone(),
                    url: Route::ExternalComponent(&term.slug, 1).url(&root),
                    count: mine.len(),
                    current: false,
                };
                components.push((link, &term.slug, mine));
            }
        }
        components.sort_by(|a, b| {
            b.0.count
                .cmp(&a.0.count)
                .then_with(|| a.0.name.cmp(&b.0.name))
        });
        let links: Vec<&FilterLink> = components.iter().map(|(l, ..)| l).collect();
        let all: Vec<usize> = (0..messages.len()).collect();
        let count = self.external_pages(sink, &messages, &all, &links, None)?;
        // Each component's pages repeat its messages: rendered side by side.
        components
            .par_iter()
            .enumerate()
            .map(|(k, (_, slug, mine))| {
                self.external_pages(sink, &messages, mine, &links, Some((k, slug)))
            })
            .try_reduce(|| 0, |a, b| Ok(a + b))
            .map(|n| n + count)
    }

    /// The pages of one list of messages (`shown`, places in `messages`): every message, or
    /// a component's (`component`: its place in the filter and its slug).
    fn external_pages(
        &self,
        sink: &dyn Sink,
        messages: &[ExternalView<'_>],
        shown: &[usize],
        filter: &[&FilterLink],
        component: Option<(usize, &str)>,
    ) -> Result<usize> {
        let root = self.config.root_path();
        let per = crate::routes::EXTERNAL_PAGE;
        let pages = crate::routes::pages(shown.len(), per);
        let route = |page: usize| match component {
            Some((_, slug)) => Route::ExternalComponent(slug, page),
            None if page <= 1 => Route::External,
            None => Route::ExternalPage(page),
        };
        let first = route(1).url(&root);
        let marked: Vec<FilterLink> = filter
            .iter()
            .enumerate()
            .map(|(k, l)| FilterLink {
                current: component.is_some_and(|(c, _)| c == k),
                ..(*l).clone()
            })
            .collect();
        let mut count = 0;
        for page in 1..=pages {
            let mut ctx = self.context();
            ctx.insert("total", &shown.len());
            ctx.insert("pager", &super::views::Pager::new(&first, page, pages));
            let start = ((page - 1) * per).min(shown.len());
            let on_page: Vec<&ExternalView<'_>> = shown[start..(start + per).min(shown.len())]
                .iter()
                .map(|&k| &messages[k])
                .collect();
            ctx.insert("messages", &on_page);
            ctx.insert("components", &marked);
            ctx.insert("component", &component.map(|(k, _)| filter[k].name.clone()));
            count += self.page(sink, &route(page).path(), "external.html", &ctx)?;
        }
        Ok(count)
    }

    /// `/review/`: drafts and post-mortems in review, in builds that show them.
    pub(super) fn write_review(&self, sink: &dyn Sink, rows: &[IncidentRow]) -> Result<usize> {
        let target = &self.config.review;
        let mut queue: Vec<ReviewView<'_>> = self
            .lib
            .incidents
            .iter()
            .enumerate()
            .filter(|(_, inc)| inc.status != Status::Published)
            .map(|(i, inc)| ReviewView {
                row: &rows[i],
                author: inc.people.author.as_deref(),
                reviewers: &inc.people.reviewers,
                review_meeting: inc.people.review_meeting.map(|w| w.display()),
                missing: review::missing(inc, &self.config.severities),
                late: review::lateness(
                    inc,
                    self.lib.today,
                    target.publish_within_days,
                    target.meeting_within_days,
                ),
            })
            .collect();
        // What is past its publication target first, the latest first.
        queue.sort_by_key(|q| std::cmp::Reverse(q.late.publish_overdue_days.unwrap_or(-1)));
        let mut ctx = self.context();
        ctx.insert(
            "overdue",
            &queue
                .iter()
                .filter(|q| q.late.publish_overdue_days.is_some())
                .count(),
        );
        ctx.insert("publish_within_days", &target.publish_within_days);
        ctx.insert("meeting_within_days", &target.meeting_within_days);
        ctx.insert("queue", &queue);
        self.page(sink, &Route::Review.path(), "review.html", &ctx)
    }
}

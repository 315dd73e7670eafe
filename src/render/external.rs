//! The pages for readers outside the team: `/external/` (every external message, for Sales)
//! and `/review/` (the review queue, in builds that show drafts).

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
        let per = crate::routes::EXTERNAL_PAGE;
        let pages = crate::routes::pages(messages.len(), per);
        let first = Route::External.url(&root);
        let mut count = 0;
        for page in 1..=pages {
            let mut ctx = self.context();
            ctx.insert("total", &messages.len());
            ctx.insert("pager", &super::views::Pager::new(&first, page, pages));
            let start = ((page - 1) * per).min(messages.len());
            ctx.insert(
                "messages",
                &messages[start..(start + per).min(messages.len())],
            );
            let path = if page == 1 {
                Route::External.path()
            } else {
                Route::ExternalPage(page).path()
            };
            count += self.page(sink, &path, "external.html", &ctx)?;
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

//! `/teams/` and each `/teams/<team>/`: a team's components, its incidents, its open and
//! overdue action items, its durations against the library's and its recurring causes.

use serde::Serialize;

use super::Site;
use super::views::TermLink;
use crate::dates::human_minutes;
use crate::error::Result;
use crate::library::teams::{TeamFacts, medians};
use crate::library::terms::{Taxonomy, term_slug};
use crate::output::Sink;
use crate::routes::{self, Route};

#[derive(Serialize)]
struct TeamRow<'a> {
    name: &'a str,
    url: String,
    description: Option<&'a str>,
    components: usize,
    incidents: usize,
    open: usize,
    overdue: usize,
}

#[derive(Serialize)]
struct Duration {
    label: &'static str,
    team: String,
    library: String,
}

impl Site<'_> {
    /// `/teams/` and a page per team; nothing without a vocabulary of teams.
    pub(super) fn write_teams(&self, sink: &dyn Sink, row_html: &[String]) -> Result<usize> {
        let lib = self.lib;
        let root = self.config.root_path();
        let vocabulary = &self.config.vocabulary;
        let info = |t: &TeamFacts| vocabulary.team(&t.name);
        let rows: Vec<TeamRow<'_>> = lib
            .teams
            .iter()
            .map(|t| TeamRow {
                name: &t.name,
                url: Route::Team(&t.slug).url(&root),
                description: info(t).and_then(|i| i.description.as_deref()),
                components: t.components.len(),
                incidents: t.incidents.len(),
                open: t.open.len(),
                overdue: t.overdue,
            })
            .collect();
        let mut ctx = self.context();
        ctx.insert("teams", &rows);
        let mut count = self.page(sink, &Route::Teams.path(), "teams.html", &ctx)?;
        let library = medians(lib, 0..lib.incidents.len());
        let library_lag = crate::library::reviews::lag_median(lib, 0..lib.incidents.len());
        let human =
            |m: Option<f64>| m.map_or("–".to_string(), |m| human_minutes(m.round() as i64));
        for (t, row) in lib.teams.iter().zip(&rows) {
            let team = info(t);
            let mut ctx = self.context();
            ctx.insert("team", row);
            ctx.insert(
                "members",
                &team.map(|i| i.members.clone()).unwrap_or_default(),
            );
            ctx.insert("email", &team.and_then(|i| i.email.clone()));
            let components: Vec<TermLink> = t
                .components
                .iter()
                .map(|c| {
                    // A component only restricted or draft post-mortems name has no page.
                    let term = lib.terms(Taxonomy::Components).get(c);
                    TermLink {
                        name: c.clone(),
                        url: term.map_or_else(String::new, |_| {
                            routes::term_url(&root, Taxonomy::Components, &term_slug(c))
                        }),
                        count: term.map_or(0, |x| x.incidents.len()),
                    }
                })
                .collect();
            ctx.insert("components", &components);
            let durations: Vec<Duration> =
                ["Time to detect", "Time to mitigate", "Time to resolve"]
                    .into_iter()
                    .enumerate()
                    .map(|(k, label)| Duration {
                        label,
                        team: human(t.medians[k]),
                        library: human(library[k]),
                    })
                    .collect();
            let mut durations = durations;
            let days = |d: Option<f64>| d.map_or("–".to_string(), |d| format!("{d} days"));
            durations.push(Duration {
                label: "Resolution to publication",
                team: days(crate::library::reviews::lag_median(
                    lib,
                    t.incidents.iter().copied(),
                )),
                library: days(library_lag),
            });
            ctx.insert("durations", &durations);
            let recurring: Vec<TermLink> = t
                .recurring
                .iter()
                .map(|(name, n)| {
                    let taxonomy = if lib.terms(Taxonomy::RootCauses).get(name).is_some() {
                        Taxonomy::RootCauses
                    } else {
                        Taxonomy::ContributingFactors
                    };
                    TermLink {
                        name: name.clone(),
                        url: routes::term_url(&root, taxonomy, &term_slug(name)),
                        count: *n,
                    }
                })
                .collect();
            ctx.insert("recurring", &recurring);
            let actions: Vec<String> = t.open.iter().map(|&r| self.action_row_html(r)).collect();
            ctx.insert(
                "actions_html",
                &super::actions::join_rows(actions.iter().map(String::as_str)),
            );
            ctx.insert("open", &t.open.len());
            ctx.insert("overdue", &t.overdue);
            let incidents: Vec<&str> = t.incidents.iter().map(|&i| row_html[i].as_str()).collect();
            self.write_with_rows(
                sink,
                &Route::Team(&t.slug).path(),
                "team.html",
                &mut ctx,
                &incidents,
            )?;
            count += 1;
        }
        Ok(count)
    }
}

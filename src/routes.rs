//! The site's layout, in one place: every page, file and feed the site has, its path in the
//! output, its URL under a root, and the part of the output plan that writes it. Rendering,
//! the preview, link checking, search, feeds, JSON, CSV and the digest all ask here, so a
//! page is added with one entry here and its template.

mod relative;

use std::borrow::Cow;

use crate::config::Config;
use crate::content::model::Taxonomy;

pub use relative::relative_links;

/// A unit of the output plan: files that render together. `build` writes every part; the
/// preview renders a part when one of its files is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Part {
    /// `index.html` and `404.html`.
    Home,
    IncidentList,
    IncidentsJson,
    /// The theme's static files.
    Static,
    /// The page of the incident at this place in the library.
    Incident(usize),
    Search,
    /// The taxonomy pages.
    Terms,
    Actions,
    Patterns,
    External,
    ImpactCsv,
    /// RSS and Atom for the library, Atom per term.
    Feeds,
    /// `/review/`, in builds that show drafts.
    Review,
    /// `/teams/` and each team's page.
    Teams,
    /// `/reinvestment/` and its downloads.
    Reinvestment,
    /// `/reviews/`, each operational review period's page and feed.
    Reviews,
}

/// One file of the site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route<'a> {
    Home,
    NotFound,
    IncidentList,
    /// A later page of `/incidents/` (from 2): `/incidents/page/2/`.
    IncidentListPage(usize),
    /// An incident's page, by its slug.
    Incident(&'a str),
    IncidentsJson,
    /// A page of `incidents.json`'s incidents, from 1: `/incidents/pages/2.json`.
    IncidentsPage(usize),
    /// The newest incidents of the whole library, for `embed.js`: `/latest.json`.
    Latest,
    ImpactCsv,
    Rss,
    Atom,
    /// A taxonomy's index: `/components/`.
    Terms(Taxonomy),
    /// A term's page: `/components/postgres/`.
    Term(Taxonomy, &'a str),
    /// A later page of a term's list (from 2): `/components/postgres/page/2/`.
    TermPage(Taxonomy, &'a str, usize),
    /// A term's Atom feed: `/components/postgres/atom.xml`.
    TermFeed(Taxonomy, &'a str),
    /// A component's or tag's card for an iframe (no script): `/embed/components/postgres/`.
    EmbedCard(Taxonomy, &'a str),
    /// A term's newest incidents, for `embed.js`: `/components/postgres/latest.json`.
    TermLatest(Taxonomy, &'a str),
    Actions,
    ActionsByOwner,
    ActionsByIncident,
    /// A later page of `/actions/incidents/` (from 2): `/actions/incidents/page/2/`.
    ActionsByIncidentPage(usize),
    /// A view of the tracker and its page from 1 (`library::tracker::View`): `filter` is
    /// "" (the overdue items, the front page), `open`, `done`, `priority/p1` or `owners/ana`;
    /// `/actions/open/`, `/actions/open/page/2/`. The overdue items' first page is `Actions`.
    ActionView(&'a str, usize),
    Patterns,
    /// A chart of `/patterns/`, by file name (`CHARTS`).
    PatternChart(&'a str),
    External,
    /// A later page of `/external/` (from 2).
    ExternalPage(usize),
    /// The customer messages of incidents touching one component, by its slug, and the page
    /// from 1: `/external/components/checkout-api/`, `.../page/2/`.
    ExternalComponent(&'a str, usize),
    Review,
    /// `/teams/`: the teams of the vocabulary, with their components and open items.
    Teams,
    /// A team's page: `/teams/payments/`.
    Team(&'a str),
    /// `/reinvestment/`: where the library says to invest, per component, cause and team.
    Reinvestment,
    /// The reinvestment report as a file for a planning document, by its format (`md`,
    /// `csv`, `json`): `/reinvestment/report.csv`.
    ReinvestmentFile(&'a str),
    /// `/reviews/`: the operational review periods.
    Reviews,
    /// An operational review's page, by its period (`2024-q1`, `2024-03`, `2024-w09`).
    ReviewPeriod(&'a str),
    /// A period's Atom feed: `/reviews/2024-q1/atom.xml`.
    ReviewFeed(&'a str),
    /// `/search/`.
    Search,
    /// A file of the search index, by its path under `search/` (`meta.json`, `shards/3.json`).
    SearchIndex(&'a str),
    /// A static file of the theme, by its path (`style.css`).
    Static(&'a str),
}

/// The charts `/patterns/` shows, also written as files.
pub const CHARTS: [&str; 2] = ["incidents-by-severity.svg", "time-to-resolve.svg"];

/// The pages and files every site has, whatever its library (`/review/` only with drafts).
pub const FIXED: [Route<'static>; 23] = [
    Route::Home,
    Route::NotFound,
    Route::IncidentList,
    Route::IncidentsJson,
    Route::Latest,
    Route::ImpactCsv,
    Route::Rss,
    Route::Atom,
    Route::Actions,
    Route::ActionsByOwner,
    Route::ActionsByIncident,
    Route::Patterns,
    Route::PatternChart(CHARTS[0]),
    Route::PatternChart(CHARTS[1]),
    Route::External,
    Route::Review,
    Route::Teams,
    Route::Reinvestment,
    Route::ReinvestmentFile(REPORT_FORMATS[0]),
    Route::ReinvestmentFile(REPORT_FORMATS[1]),
    Route::ReinvestmentFile(REPORT_FORMATS[2]),
    Route::Reviews,
    Route::Search,
];

/// The reinvestment report's file formats.
pub const REPORT_FORMATS: [&str; 3] = ["md", "csv", "json"];

/// The folder of a taxonomy's pages.
pub fn taxonomy_dir(t: Taxonomy) -> &'static str {
    match t {
        Taxonomy::Components => "components",
        Taxonomy::Tags => "tags",
        Taxonomy::RootCauses => "root-causes",
        Taxonomy::ContributingFactors => "contributing-factors",
        Taxonomy::Severities => "severities",
        Taxonomy::Types => "types",
    }
}

fn taxonomy_of(dir: &str) -> Option<Taxonomy> {
    Taxonomy::ALL.into_iter().find(|t| taxonomy_dir(*t) == dir)
}

impl<'a> Route<'a> {
    /// The file's path in the output, with `/` separators (`incidents/x/index.html`).
    pub fn path(&self) -> Cow<'a, str> {
        let fixed = |s: &'static str| Cow::Borrowed(s);
        match *self {
            Route::Home => fixed("index.html"),
            Route::NotFound => fixed("404.html"),
            Route::IncidentList => fixed("incidents/index.html"),
            Route::IncidentListPage(n) => Cow::Owned(format!("incidents/page/{n}/index.html")),
            Route::TermPage(t, slug, n) => {
                Cow::Owned(format!("{}/{slug}/page/{n}/index.html", taxonomy_dir(t)))
            }
            Route::ExternalPage(n) => Cow::Owned(format!("external/page/{n}/index.html")),
            Route::ExternalComponent(slug, page) => Cow::Owned(if page <= 1 {
                format!("external/components/{slug}/index.html")
            } else {
                format!("external/components/{slug}/page/{page}/index.html")
            }),
            Route::Incident(slug) => Cow::Owned(format!("incidents/{slug}/index.html")),
            Route::IncidentsJson => fixed("incidents.json"),
            Route::Latest => fixed("latest.json"),
            Route::IncidentsPage(n) => Cow::Owned(format!("incidents/pages/{n}.json")),
            Route::ImpactCsv => fixed("impact.csv"),
            Route::Rss => fixed("rss.xml"),
            Route::Atom => fixed("atom.xml"),
            Route::Terms(t) => Cow::Owned(format!("{}/index.html", taxonomy_dir(t))),
            Route::Term(t, slug) => Cow::Owned(format!("{}/{slug}/index.html", taxonomy_dir(t))),
            Route::TermFeed(t, slug) => Cow::Owned(format!("{}/{slug}/atom.xml", taxonomy_dir(t))),
            Route::TermLatest(t, slug) => {
                Cow::Owned(format!("{}/{slug}/latest.json", taxonomy_dir(t)))
            }
            Route::EmbedCard(t, slug) => {
                Cow::Owned(format!("embed/{}/{slug}/index.html", taxonomy_dir(t)))
            }
            Route::Actions => fixed("actions/index.html"),
            Route::ActionsByOwner => fixed("actions/owners/index.html"),
            Route::ActionsByIncident => fixed("actions/incidents/index.html"),
            Route::ActionsByIncidentPage(n) => {
                Cow::Owned(format!("actions/incidents/page/{n}/index.html"))
            }
            Route::ActionView("", 1) => fixed("actions/index.html"),
            Route::ActionView(filter, page) => {
                let folder = if filter.is_empty() {
                    "actions".to_string()
                } else {
                    format!("actions/{filter}")
                };
                Cow::Owned(if page <= 1 {
                    format!("{folder}/index.html")
                } else {
                    format!("{folder}/page/{page}/index.html")
                })
            }
            Route::Patterns => fixed("patterns/index.html"),
            Route::PatternChart(name) => Cow::Owned(format!("patterns/{name}")),
            Route::External => fixed("external/index.html"),
            Route::Review => fixed("review/index.html"),
            Route::Teams => fixed("teams/index.html"),
            Route::Team(slug) => Cow::Owned(format!("teams/{slug}/index.html")),
            Route::Reinvestment => fixed("reinvestment/index.html"),
            Route::ReinvestmentFile(ext) => Cow::Owned(format!("reinvestment/report.{ext}")),
            Route::Reviews => fixed("reviews/index.html"),
            Route::ReviewPeriod(p) => Cow::Owned(format!("reviews/{p}/index.html")),
            Route::ReviewFeed(p) => Cow::Owned(format!("reviews/{p}/atom.xml")),
            Route::Search => fixed("search/index.html"),
            Route::SearchIndex(file) => Cow::Owned(format!("search/{file}")),
            Route::Static(file) => Cow::Borrowed(file),
        }
    }

    /// The URL of the file under `root` (the site's path prefix, ending in `/`): a page is
    /// its folder (`/incidents/x/`), any other file itself (`/rss.xml`).
    pub fn url(&self, root: &str) -> String {
        let path = self.path();
        match path.strip_suffix("index.html") {
            Some(folder) => format!("{root}{folder}"),
            None => format!("{root}{path}"),
        }
    }

    /// The absolute URL, under `base_url`, for feeds, JSON, CSV and email.
    pub fn absolute(&self, config: &Config) -> String {
        self.url(&format!("{}/", config.base()))
    }

    /// The route of a file path in the output (`incidents/x/index.html`), from its shape
    /// alone; `is_static` says which paths are the theme's static files.
    pub fn parse(path: &'a str, is_static: impl Fn(&str) -> bool) -> Option<Route<'a>> {
        if let Some(route) = FIXED.into_iter().find(|r| r.path() == path) {
            return Some(route);
        }
        if is_static(path) {
            return Some(Route::Static(path));
        }
        if let Some(file) = path
            .strip_prefix("search/")
            .filter(|f| !f.is_empty() && !f.ends_with('/'))
        {
            return Some(Route::SearchIndex(file));
        }
        if let Some(n) = path
            .strip_prefix("incidents/pages/")
            .and_then(|f| f.strip_suffix(".json"))
            .and_then(|n| n.parse::<usize>().ok())
            .filter(|n| *n >= 1)
        {
            return Some(Route::IncidentsPage(n));
        }
        if let Some(rest) = path
            .strip_prefix("external/components/")
            .and_then(|r| r.strip_suffix("/index.html"))
        {
            let (slug, page) = match rest.split_once("/page/") {
                Some((slug, n)) => (slug, n.parse::<usize>().ok().filter(|n| *n >= 2)?),
                None => (rest, 1),
            };
            return is_segment(slug).then_some(Route::ExternalComponent(slug, page));
        }
        if let Some(card) = path.strip_prefix("embed/")
            && let Some((dir, rest)) = card.split_once('/')
            && let Some(slug) = rest.strip_suffix("/index.html").filter(|s| is_segment(s))
        {
            return taxonomy_of(dir)
                .filter(|t| has_cards(*t))
                .map(|t| Route::EmbedCard(t, slug));
        }
        // A later page of a list: `<list>/page/<n>/index.html`.
        if let Some((list, n)) = path
            .strip_suffix("/index.html")
            .and_then(|p| p.rsplit_once("/page/"))
            .filter(|(list, _)| !list.starts_with("actions"))
            && let Some(n) = n.parse::<usize>().ok().filter(|n| *n >= 2)
        {
            return match list.split_once('/') {
                None if list == "incidents" => Some(Route::IncidentListPage(n)),
                None if list == "external" => Some(Route::ExternalPage(n)),
                Some((dir, slug)) if is_segment(slug) => {
                    taxonomy_of(dir).map(|t| Route::TermPage(t, slug, n))
                }
                _ => None,
            };
        }
        if let Some(view) = path
            .strip_prefix("actions/")
            .and_then(|rest| rest.strip_suffix("index.html"))
        {
            return action_view(view.trim_end_matches('/'));
        }
        let (dir, rest) = path.split_once('/')?;
        if let Some(slug) = rest.strip_suffix("/index.html").filter(|s| is_segment(s)) {
            if dir == "incidents" {
                return Some(Route::Incident(slug));
            }
            if dir == "teams" {
                return Some(Route::Team(slug));
            }
            if dir == "reviews" {
                return Some(Route::ReviewPeriod(slug));
            }
            return taxonomy_of(dir).map(|t| Route::Term(t, slug));
        }
        if let Some(slug) = rest.strip_suffix("/atom.xml").filter(|s| is_segment(s)) {
            if dir == "reviews" {
                return Some(Route::ReviewFeed(slug));
            }
            return taxonomy_of(dir).map(|t| Route::TermFeed(t, slug));
        }
        if let Some(slug) = rest.strip_suffix("/latest.json").filter(|s| is_segment(s)) {
            return taxonomy_of(dir).map(|t| Route::TermLatest(t, slug));
        }
        if rest == "index.html" {
            return taxonomy_of(dir).map(Route::Terms);
        }
        None
    }

    /// The route a link's path names (`/incidents/x/`, `/incidents/x`, `incidents/x/index.html`,
    /// `/style.css`), after the site's root is taken off.
    pub fn of_link(path: &'a str, is_static: impl Fn(&str) -> bool) -> Option<Route<'a>> {
        let path = path.trim_start_matches('/');
        let folder = path.trim_end_matches('/');
        if folder.is_empty() {
            return Some(Route::Home);
        }
        if let Some(route) = Route::parse(path, &is_static) {
            return Some(route);
        }
        // A page named by its folder, with or without the slash.
        let folder_page = FIXED
            .into_iter()
            .find(|r| r.path().strip_suffix("/index.html") == Some(folder));
        if folder_page.is_some() {
            return folder_page;
        }
        let (dir, slug) = folder.split_once('/').unwrap_or((folder, ""));
        if slug.is_empty() {
            return taxonomy_of(dir).map(Route::Terms);
        }
        if !is_segment(slug) {
            return None;
        }
        if dir == "incidents" {
            return Some(Route::Incident(slug));
        }
        if dir == "teams" {
            return Some(Route::Team(slug));
        }
        if dir == "reviews" {
            return Some(Route::ReviewPeriod(slug));
        }
        taxonomy_of(dir).map(|t| Route::Term(t, slug))
    }

    /// The part that writes this file; `incident` finds an incident's place by its slug.
    pub fn part(&self, incident: impl Fn(&str) -> Option<usize>) -> Option<Part> {
        Some(match *self {
            Route::Home | Route::NotFound => Part::Home,
            Route::IncidentList | Route::IncidentListPage(_) => Part::IncidentList,
            Route::Incident(slug) => Part::Incident(incident(slug)?),
            Route::IncidentsJson
            | Route::IncidentsPage(_)
            | Route::Latest
            | Route::TermLatest(..) => Part::IncidentsJson,
            Route::ImpactCsv => Part::ImpactCsv,
            Route::Rss | Route::Atom | Route::TermFeed(..) => Part::Feeds,
            Route::Terms(_) | Route::Term(..) | Route::TermPage(..) | Route::EmbedCard(..) => {
                Part::Terms
            }
            Route::Actions
            | Route::ActionsByOwner
            | Route::ActionsByIncident
            | Route::ActionsByIncidentPage(_)
            | Route::ActionView(..) => Part::Actions,
            Route::Patterns | Route::PatternChart(_) => Part::Patterns,
            Route::External | Route::ExternalPage(_) | Route::ExternalComponent(..) => {
                Part::External
            }
            Route::Review => Part::Review,
            Route::Teams | Route::Team(_) => Part::Teams,
            Route::Reinvestment | Route::ReinvestmentFile(_) => Part::Reinvestment,
            Route::Reviews | Route::ReviewPeriod(_) | Route::ReviewFeed(_) => Part::Reviews,
            Route::Search | Route::SearchIndex(_) => Part::Search,
            Route::Static(_) => Part::Static,
        })
    }
}

/// How many incidents a page of a list shows (`/incidents/`, a term's page).
pub const LIST_PAGE: usize = 500;
/// How many incidents a page of `/actions/incidents/` shows.
pub const GROUP_PAGE: usize = 500;
/// How many messages a page of `/external/` shows.
pub const EXTERNAL_PAGE: usize = 100;

/// The pages `n` items take at `per` a page: at least one.
pub fn pages(n: usize, per: usize) -> usize {
    n.div_ceil(per).max(1)
}

/// The URL of page `page` of a list whose first page is `first` (`/incidents/`).
pub fn page_url(first: &str, page: usize) -> String {
    if page <= 1 {
        first.to_string()
    } else {
        format!("{first}page/{page}/")
    }
}

/// A tracker view from its folder under `actions/` (`overdue`, `owners/ana/page/2`).
fn action_view(folder: &str) -> Option<Route<'_>> {
    let (filter, page) = match folder.rsplit_once("/page/") {
        Some((filter, n)) => (filter, n.parse::<usize>().ok().filter(|n| *n >= 2)?),
        None if folder.starts_with("page/") => ("", folder[5..].parse().ok().filter(|n| *n >= 2)?),
        None => (folder, 1),
    };
    if filter == "incidents" {
        return (page >= 2).then_some(Route::ActionsByIncidentPage(page));
    }
    let known = match filter.split_once('/') {
        None => ["", "open", "done"].contains(&filter),
        Some((kind, slug)) => ["priority", "owners"].contains(&kind) && is_segment(slug),
    };
    known.then_some(Route::ActionView(filter, page))
}

/// Which taxonomies have embed cards: components and tags, the pages a wiki embeds.
pub fn has_cards(t: Taxonomy) -> bool {
    matches!(t, Taxonomy::Components | Taxonomy::Tags)
}

/// A URL segment of one folder: a slug.
fn is_segment(s: &str) -> bool {
    !s.is_empty() && !s.contains('/')
}

/// An incident's page under `root`.
pub fn incident_url(root: &str, slug: &str) -> String {
    Route::Incident(slug).url(root)
}

/// A term's page under `root`.
pub fn term_url(root: &str, taxonomy: Taxonomy, slug: &str) -> String {
    Route::Term(taxonomy, slug).url(root)
}

/// The URLs of the fixed pages under `root`, by name, for templates (`site.pages.actions`):
/// a theme links to a page without spelling out its path.
pub fn page_urls(root: &str) -> std::collections::BTreeMap<&'static str, String> {
    let mut pages = std::collections::BTreeMap::new();
    for (name, route) in [
        ("home", Route::Home),
        ("incidents", Route::IncidentList),
        ("incidents_json", Route::IncidentsJson),
        ("impact_csv", Route::ImpactCsv),
        ("rss", Route::Rss),
        ("atom", Route::Atom),
        ("actions", Route::Actions),
        ("actions_by_owner", Route::ActionsByOwner),
        ("actions_by_incident", Route::ActionsByIncident),
        ("patterns", Route::Patterns),
        ("external", Route::External),
        ("review", Route::Review),
        ("teams", Route::Teams),
        ("reinvestment", Route::Reinvestment),
        ("reinvestment_md", Route::ReinvestmentFile("md")),
        ("reinvestment_csv", Route::ReinvestmentFile("csv")),
        ("reinvestment_json", Route::ReinvestmentFile("json")),
        ("reviews", Route::Reviews),
        ("types", Route::Terms(Taxonomy::Types)),
        ("search", Route::Search),
        ("components", Route::Terms(Taxonomy::Components)),
        ("tags", Route::Terms(Taxonomy::Tags)),
        ("root_causes", Route::Terms(Taxonomy::RootCauses)),
        (
            "contributing_factors",
            Route::Terms(Taxonomy::ContributingFactors),
        ),
        ("severities", Route::Terms(Taxonomy::Severities)),
    ] {
        pages.insert(name, route.url(root));
    }
    pages
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_fixed_route_parses_back_from_its_path() {
        for route in FIXED {
            assert_eq!(Route::parse(&route.path(), |_| false), Some(route));
        }
        for route in [
            Route::Incident("inc-1"),
            Route::Terms(Taxonomy::RootCauses),
            Route::Term(Taxonomy::Components, "postgres"),
            Route::TermFeed(Taxonomy::Tags, "deploy"),
            Route::Team("payments"),
            Route::ReviewPeriod("2024-q1"),
            Route::ReviewFeed("2024-w09"),
            Route::ActionView("open", 1),
            Route::ActionView("owners/ana", 3),
            Route::ActionView("", 2),
            Route::ActionView("priority/p1", 1),
            Route::IncidentListPage(2),
            Route::TermPage(Taxonomy::Tags, "deploy", 3),
            Route::ExternalPage(4),
            Route::ActionsByIncidentPage(2),
            Route::ExternalComponent("checkout-api", 1),
            Route::ExternalComponent("checkout-api", 3),
            Route::SearchIndex("shards/3.json"),
        ] {
            assert_eq!(
                Route::parse(&route.path(), |_| false),
                Some(route),
                "{route:?}"
            );
        }
        assert_eq!(
            Route::parse("style.css", |p| p == "style.css"),
            Some(Route::Static("style.css"))
        );
        assert_eq!(Route::parse("nope.html", |_| false), None);
        assert_eq!(Route::parse("incidents/a/b/index.html", |_| false), None);
    }

    #[test]
    fn urls_are_folders_for_pages_and_files_otherwise() {
        assert_eq!(Route::Incident("x").url("/sre/"), "/sre/incidents/x/");
        assert_eq!(Route::Home.url("/"), "/");
        assert_eq!(Route::Rss.url("/"), "/rss.xml");
        assert_eq!(
            Route::Term(Taxonomy::RootCauses, "dns").url("/"),
            "/root-causes/dns/"
        );
        assert_eq!(
            Route::PatternChart(CHARTS[1]).url("/"),
            "/patterns/time-to-resolve.svg"
        );
    }

    #[test]
    fn links_name_pages_by_folder_with_or_without_slash() {
        let none = |_: &str| false;
        assert_eq!(Route::of_link("/", none), Some(Route::Home));
        assert_eq!(Route::of_link("/search/", none), Some(Route::Search));
        assert_eq!(Route::of_link("/search", none), Some(Route::Search));
        assert_eq!(
            Route::of_link("/actions/owners", none),
            Some(Route::ActionsByOwner)
        );
        assert_eq!(
            Route::of_link("/incidents/inc-1", none),
            Some(Route::Incident("inc-1"))
        );
        assert_eq!(
            Route::of_link("/components", none),
            Some(Route::Terms(Taxonomy::Components))
        );
        assert_eq!(
            Route::of_link("/tags/deploy/atom.xml", none),
            Some(Route::TermFeed(Taxonomy::Tags, "deploy"))
        );
        assert_eq!(
            Route::of_link("/syntax.css", |p| p == "syntax.css"),
            Some(Route::Static("syntax.css"))
        );
        assert_eq!(Route::of_link("/nowhere/", none), None);
    }
}

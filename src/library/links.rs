//! Internal links: `#anchors`, Markdown links to other post-mortems by path, and links to the
//! site's own pages. Resolved once every incident is known; what resolves nowhere is an error
//! in `check` and a warning in `build`.

use std::path::{Component, Path, PathBuf};

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::Library;
use super::terms::Taxonomy;
use crate::config::Config;
use crate::content::model::Incident;
use crate::diagnostics::{Diagnostic, Level};

/// An external URL and every place (file, line) it is written, for `check --external`.
pub type LinkPlaces = (String, Vec<(PathBuf, usize)>);

pub use crate::urls::is_markdown_path;

fn is_external(url: &str) -> bool {
    url.starts_with("http://") || url.starts_with("https://")
}

/// `content/2024/../2025/b.md` → `content/2025/b.md`, with `/` separators.
fn normalise(path: &Path) -> String {
    let mut out: Vec<String> = Vec::new();
    for c in path.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::Normal(s) => out.push(s.to_string_lossy().into_owned()),
            _ => {}
        }
    }
    out.join("/")
}

/// Where a `.md` link goes once every incident is known.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub enum MdTarget {
    /// The page of the post-mortem it names, with its `#fragment`; or the source file of
    /// a page that is not one (`source_url`).
    Url(String),
    /// A page of the folder that is not a post-mortem, with no `source_url`: its words.
    Text,
}

/// What the links of one incident resolve to: for each of its links, where a `.md` link
/// goes; None leaves it as written (it resolved nowhere, a warning or error says so).
pub type MdTargets = Vec<Option<MdTarget>>;

/// Resolves `.md` links and checks every internal link. Returns, per incident, the targets
/// of its `.md` links, and the problems found.
pub fn check(lib: &Library, config: &Config, strict: bool) -> (Vec<MdTargets>, Vec<Diagnostic>) {
    let root = config.root_path();
    let by_source: FxHashMap<&str, usize> = lib
        .incidents
        .iter()
        .enumerate()
        .map(|(i, inc)| (inc.source.as_str(), i))
        .collect();
    let has_anchor = |inc: &Incident, frag: &str| {
        frag.is_empty() || inc.toc.iter().any(|t| t.id == frag) || frag.starts_with("fn")
    };
    let checked: Vec<(MdTargets, Vec<Diagnostic>)> = lib
        .incidents
        .par_iter()
        .map(|inc| {
            let mut problems = Vec::new();
            for refused in &inc.refused_urls {
                problems.push(
                    Diagnostic::new(
                        Level::strict(strict),
                        &inc.source_path,
                        refused.line,
                        crate::urls::refused_message(&refused.url, &refused.why),
                    )
                    .column(refused.column)
                    .code("unsafe-url"),
                );
            }
            let mut report = |inc: &Incident,
                              link: &crate::content::model::PageLink,
                              message: String| {
                problems.push(
                    Diagnostic::new(Level::strict(strict), &inc.source_path, link.line, message)
                        .column(link.column)
                        .code("link"),
                );
            };
            let mut md = vec![None; inc.links.len()];
            let mut not_post_mortems = Vec::new();
            for (k, link) in inc.links.iter().enumerate() {
                let url = link.url.as_str();
                if let Some(frag) = url.strip_prefix('#') {
                    if !has_anchor(inc, frag) {
                        report(
                            inc,
                            link,
                            format!("link to #{frag}: no heading on this page has that anchor"),
                        );
                    }
                } else if is_markdown_path(url) {
                    let (path, frag) = url.split_once('#').unwrap_or((url, ""));
                    let dir = Path::new(&inc.source).parent().unwrap_or(Path::new(""));
                    let candidates = [
                        normalise(&dir.join(path)),
                        normalise(
                            &Path::new(crate::content::CONTENT_DIR)
                                .join(path.trim_start_matches('/')),
                        ),
                    ];
                    match candidates.iter().find_map(|c| by_source.get(c.as_str())) {
                        Some(&j) => {
                            let target = &lib.incidents[j];
                            if !has_anchor(target, frag) {
                                report(
                                    inc,
                                    link,
                                    format!(
                                        "link to {url}: {} has no heading with the anchor #{frag}",
                                        target.source
                                    ),
                                );
                            }
                            let hash = if frag.is_empty() {
                                String::new()
                            } else {
                                format!("#{frag}")
                            };
                            md[k] = Some(MdTarget::Url(format!(
                                "{}{hash}",
                                crate::routes::incident_url(&root, &target.slug)
                            )));
                        }
                        // A page of the folder that is not a post-mortem (a runbook, a
                        // sibling blog post): the source file, or text, and only a warning.
                        None if link.on_disk => {
                            let source = config
                                .source_url
                                .as_ref()
                                .map(|p| p.replace("{path}", &candidates[0]));
                            let shown = if source.is_some() {
                                "linked to its file in the repository (source_url)"
                            } else {
                                "shown as text; set source_url in pmsite.toml to link to its file in the repository"
                            };
                            md[k] = Some(source.map_or(MdTarget::Text, MdTarget::Url));
                            not_post_mortems.push(
                                Diagnostic::warning(
                                    &inc.source_path,
                                    link.line,
                                    format!("link to {url}: {} is not a post-mortem of this library; {shown}", candidates[0]),
                                )
                                .column(link.column)
                                .code("link"),
                            );
                        }
                        None => report(
                            inc,
                            link,
                            format!(
                                "link to {url}: no post-mortem in this build is at {}",
                                candidates[0]
                            ),
                        ),
                    }
                }
            }
            problems.extend(not_post_mortems);
            (md, problems)
        })
        .collect();
    let mut targets = Vec::with_capacity(checked.len());
    let mut problems = Vec::new();
    for (md, p) in checked {
        targets.push(md);
        problems.extend(p);
    }
    (targets, problems)
}

/// Checks every link to a page of the site itself (`/incidents/x/`, `/search/`,
/// `/syntax.css`, or the same under `base_url`) against the route table: a problem for
/// each that names no file of this build. `is_static` says which paths are the theme's
/// static files; the caller has the theme. Broken links are errors when `strict` (`check`).
pub fn site_paths(
    lib: &Library,
    config: &Config,
    is_static: &(dyn Fn(&str) -> bool + Sync),
    drafts: bool,
    strict: bool,
) -> Vec<Diagnostic> {
    let root = config.root_path();
    let base = config.base();
    let by_slug: FxHashMap<&str, usize> = lib
        .incidents
        .iter()
        .enumerate()
        .map(|(i, inc)| (inc.slug.as_str(), i))
        .collect();
    lib.incidents
        .par_iter()
        .flat_map_iter(|inc| {
            let mut problems = Vec::new();
            for link in &inc.links {
                let url = link.url.as_str();
                // A link to a Markdown file is a link to its page, checked by `check`.
                if is_markdown_path(url) {
                    continue;
                }
                // A link under the site's own URL, or an absolute path, is a site path.
                let site_path = url
                    .strip_prefix(base)
                    .filter(|rest| rest.is_empty() || rest.starts_with('/'))
                    .or_else(|| url.starts_with('/').then_some(url))
                    .filter(|_| !url.starts_with("//"));
                let Some(path) = site_path else {
                    continue;
                };
                let path = path
                    .strip_prefix(root.trim_end_matches('/'))
                    .unwrap_or(path);
                let (path, frag) = path.split_once('#').unwrap_or((path, ""));
                let path = path.split('?').next().unwrap_or("");
                if let Some(message) =
                    site_path_problem(lib, &by_slug, path, frag, is_static, drafts)
                {
                    let message = format!("link to {url}: {message}");
                    problems.push(
                        Diagnostic::new(
                            Level::strict(strict),
                            &inc.source_path,
                            link.line,
                            message,
                        )
                        .column(link.column)
                        .code("link"),
                    );
                }
            }
            problems
        })
        .collect()
}

/// Why a path on the site names no file of this build, if it does not.
fn site_path_problem(
    lib: &Library,
    by_slug: &FxHashMap<&str, usize>,
    path: &str,
    frag: &str,
    is_static: &dyn Fn(&str) -> bool,
    drafts: bool,
) -> Option<String> {
    use crate::routes::Route;
    let Some(route) = Route::of_link(path, is_static) else {
        return Some("no page of the site is there".into());
    };
    match route {
        Route::Incident(slug) => match by_slug.get(slug) {
            None => Some(format!("no incident has the URL {}", route.url("/"))),
            Some(&j) if !frag.is_empty() && !lib.incidents[j].toc.iter().any(|t| t.id == frag) => {
                Some(format!(
                    "{} has no heading with the anchor #{frag}",
                    lib.incidents[j].source
                ))
            }
            Some(_) => None,
        },
        Route::Term(t, slug)
        | Route::TermFeed(t, slug)
        | Route::EmbedCard(t, slug)
        | Route::TermLatest(t, slug) => {
            let known = lib.terms(t).terms.iter().any(|term| term.slug == slug);
            let feed = matches!(route, Route::TermFeed(..)) && t == Taxonomy::Severities;
            (!known || feed).then(|| format!("no {} has the URL {}", t.singular(), route.url("/")))
        }
        Route::Review if !drafts => Some("the review queue is only in builds with --drafts".into()),
        Route::SearchIndex(_) => Some("no page of the site is there".into()),
        _ => None,
    }
}

/// Every external (http, https) link of the library, once each, with where it was found.
pub fn external_links(lib: &Library, config: &Config) -> Vec<LinkPlaces> {
    let mut found: std::collections::BTreeMap<String, Vec<(PathBuf, usize)>> = Default::default();
    for inc in &lib.incidents {
        let timeline = inc
            .timeline
            .iter()
            .flat_map(|e| e.sources.iter().map(move |s| (s.url.as_str(), e.line)));
        let tickets = inc.action_items.iter().filter_map(|a| {
            a.ticket
                .as_ref()
                .and_then(|t| t.url.as_deref())
                .map(|u| (u, a.line))
        });
        for (url, line) in inc
            .links
            .iter()
            .map(|l| (l.url.as_str(), l.line))
            .chain(timeline)
            .chain(tickets)
        {
            if is_external(url) && !url.starts_with(config.base()) {
                found
                    .entry(url.to_string())
                    .or_default()
                    .push((inc.source_path.clone(), line));
            }
        }
    }
    found
        .into_iter()
        .map(|(url, mut places)| {
            places.dedup();
            (url, places)
        })
        .collect()
}

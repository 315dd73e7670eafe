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
use crate::diagnostics::Diagnostic;

/// A relative link to a Markdown file (`../2024/a.md`, `b.md#timeline`).
pub fn is_markdown_path(url: &str) -> bool {
    let path = url.split(['#', '?']).next().unwrap_or("");
    !url.contains("://")
        && !url.starts_with("mailto:")
        && (path.ends_with(".md") || path.ends_with(".markdown"))
}

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

/// What the links of one incident resolve to: for each of its links, the site URL of the
/// post-mortem a `.md` link points at (with its `#fragment`), if any.
pub type MdTargets = Vec<Option<String>>;

/// Resolves `.md` links and checks every internal link. Returns, per incident, the targets
/// of its `.md` links, and the problems found.
pub fn check(lib: &Library, config: &Config, strict: bool) -> (Vec<MdTargets>, Vec<Diagnostic>) {
    let root = config.root_path();
    let base = config.base();
    let by_source: FxHashMap<&str, usize> = lib
        .incidents
        .iter()
        .enumerate()
        .map(|(i, inc)| (inc.source.as_str(), i))
        .collect();
    let by_slug: FxHashMap<&str, usize> = lib
        .incidents
        .iter()
        .enumerate()
        .map(|(i, inc)| (inc.slug.as_str(), i))
        .collect();
    let has_anchor = |inc: &Incident, frag: &str| {
        frag.is_empty() || inc.toc.iter().any(|t| t.id == frag) || frag.starts_with("fn")
    };
    let checked: Vec<(MdTargets, Vec<Diagnostic>)> = lib
        .incidents
        .par_iter()
        .map(|inc| {
            let mut problems = Vec::new();
            let mut report = |inc: &Incident, line: usize, message: String| {
                problems.push(if strict {
                    Diagnostic::error(&inc.source_path, line, message)
                } else {
                    Diagnostic::warning(&inc.source_path, line, message)
                });
            };
            for refused in &inc.refused_urls {
                report(
                    inc,
                    refused.line,
                    crate::urls::refused_message(&refused.url, &refused.why),
                );
            }
            let mut md = vec![None; inc.links.len()];
            for (k, link) in inc.links.iter().enumerate() {
                let url = link.url.as_str();
                // A link under the site's own URL is a site path.
                let site_path = url
                    .strip_prefix(base)
                    .filter(|rest| rest.is_empty() || rest.starts_with('/'))
                    .map(str::to_string);
                if let Some(frag) = url.strip_prefix('#') {
                    if !has_anchor(inc, frag) {
                        report(
                            inc,
                            link.line,
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
                                    link.line,
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
                            md[k] = Some(format!("{root}incidents/{}/{hash}", target.slug));
                        }
                        None => report(
                            inc,
                            link.line,
                            format!(
                                "link to {url}: no post-mortem in this build is at {}",
                                candidates[0]
                            ),
                        ),
                    }
                } else if site_path.is_none()
                    && (url.contains("://")
                        || url.starts_with("mailto:")
                        || url.starts_with("tel:"))
                {
                    // External: checked with `check --external`.
                } else if let Some(path) =
                    site_path.or_else(|| url.starts_with('/').then(|| url.to_string()))
                {
                    let path = path
                        .strip_prefix(root.trim_end_matches('/'))
                        .unwrap_or(&path)
                        .to_string();
                    let (path, frag) = path
                        .split_once('#')
                        .map(|(p, f)| (p.to_string(), f.to_string()))
                        .unwrap_or((path.clone(), String::new()));
                    if let Some(message) = site_path_problem(lib, &by_slug, &path, &frag) {
                        report(inc, link.line, format!("link to {url}: {message}"));
                    }
                }
            }
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

/// Why a path on the site does not exist, if it does not.
fn site_path_problem(
    lib: &Library,
    by_slug: &FxHashMap<&str, usize>,
    path: &str,
    frag: &str,
) -> Option<String> {
    let path = path.split('?').next().unwrap_or("");
    let parts: Vec<&str> = path
        .trim_matches('/')
        .split('/')
        .filter(|p| !p.is_empty())
        .collect();
    const PAGES: &[&str] = &[
        "",
        "incidents",
        "actions",
        "patterns",
        "external",
        "review",
        "incidents.json",
        "impact.csv",
        "rss.xml",
        "atom.xml",
        "404.html",
        "style.css",
        "tables.js",
        "embed.js",
    ];
    match parts.as_slice() {
        [] => None,
        [page] if PAGES.contains(page) => None,
        ["actions", "owners" | "incidents"] => None,
        ["incidents", slug] | ["incidents", slug, "index.html"] => match by_slug.get(slug) {
            None => Some(format!("no incident has the URL /incidents/{slug}/")),
            Some(&j) if !frag.is_empty() && !lib.incidents[j].toc.iter().any(|t| t.id == frag) => {
                Some(format!(
                    "{} has no heading with the anchor #{frag}",
                    lib.incidents[j].source
                ))
            }
            Some(_) => None,
        },
        [taxonomy] if Taxonomy::ALL.iter().any(|t| t.path() == *taxonomy) => None,
        [taxonomy, slug, ..] => match Taxonomy::ALL.iter().find(|t| t.path() == *taxonomy) {
            Some(t) if lib.terms(*t).terms.iter().any(|term| term.slug == *slug) => None,
            Some(t) => Some(format!(
                "no {} has the URL /{}/{slug}/",
                t.singular(),
                t.path()
            )),
            None => Some("no page of the site is there".into()),
        },
        _ => Some("no page of the site is there".into()),
    }
}

/// Every external (http, https) link of the library, once each, with where it was found.
pub fn external_links(lib: &Library, config: &Config) -> Vec<crate::check::LinkPlaces> {
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

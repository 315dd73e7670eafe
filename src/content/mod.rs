//! Loading: every `.md` under `content/`, one `Incident` per file plus its diagnostics.
//! Pure per file, so it runs in parallel; a problem in a file never stops the others.
//! By stage: `discover` finds the files, `front_matter` splits and reads the fields (or
//! `wiki` the `**Key:**` lines), `body` parses the Markdown, `sections`, `timeline` and
//! `actions` read the sections that become data, and `incident` assembles the result.

pub mod actions;
pub mod body;
pub mod cache;
pub mod discover;
pub mod entry_words;
pub mod fields;
pub mod front_matter;
pub mod incident;
pub mod milestones;
pub mod model;
pub mod normalise;
pub mod placeholders;
pub mod sections;
pub mod shape;
pub mod stored;
pub mod timeline;
pub mod wiki;

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::config::Config;
use crate::diagnostics::Diagnostic;
use crate::markdown::Markdown;
use model::Incident;

pub use cache::ParseCache;
pub use discover::{CONTENT_DIR, discover};
pub use incident::{MAX_SLUG_BYTES, load_bytes};
pub use normalise::normalise_severity;

/// What of the config loading reads, and nothing else: the severity scale and whether raw
/// HTML passes. It is also the preview's cache key, so a setting loading starts to read
/// cannot be forgotten there.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ParseSettings {
    pub severities: Vec<String>,
    /// Words for levels of the scale (`major` → `SEV2`), lowercased.
    pub severity_aliases: std::collections::BTreeMap<String, String>,
    pub allow_html: bool,
    /// Unknown front-matter keys are errors (`[front_matter] unknown_keys = "error"`).
    pub strict_keys: bool,
    /// `[content] postmortems`: pages that are post-mortems whatever their shape.
    pub postmortems: Globs,
    /// `[content] skip`: pages that never are.
    pub skip: Globs,
    /// pmsite's milestone phrases and `[milestones]`.
    pub milestones: milestones::Milestones,
    /// `[dates] order`: how `03/04/2020` reads.
    pub day_order: crate::dates::written::DayOrder,
    /// The organisation's terms, whose aliases loading folds.
    pub vocabulary: std::sync::Arc<crate::vocabulary::Vocabulary>,
    /// `[types]`: the incident types the library knows.
    pub types: crate::vocabulary::types::IncidentTypes,
}

/// Globs matched against a page's path under the library root (`content/wiki/Home.md`) or
/// under `content/` (`wiki/Home.md`), compiled once; equal when their patterns are.
#[derive(Clone, Default)]
pub struct Globs {
    patterns: Vec<String>,
    set: globset::GlobSet,
}

impl Globs {
    /// Patterns that do not compile are left out here; the config reports them.
    pub fn new(patterns: &[String]) -> Globs {
        let mut builder = globset::GlobSetBuilder::new();
        for p in patterns {
            if let Ok(g) = globset::Glob::new(p) {
                builder.add(g);
            }
        }
        Globs {
            patterns: patterns.to_vec(),
            set: builder.build().unwrap_or_default(),
        }
    }

    pub fn matches(&self, rel: &Path) -> bool {
        !self.patterns.is_empty()
            && (self.set.is_match(rel)
                || rel
                    .strip_prefix(CONTENT_DIR)
                    .is_ok_and(|r| self.set.is_match(r)))
    }
}

/// The patterns alone: what the compiled set is made from (and what a cache key hashes).
impl std::fmt::Debug for Globs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Globs").field(&self.patterns).finish()
    }
}

impl PartialEq for Globs {
    fn eq(&self, other: &Globs) -> bool {
        self.patterns == other.patterns
    }
}

impl Eq for Globs {}

impl ParseSettings {
    pub fn of(config: &Config) -> ParseSettings {
        ParseSettings {
            severities: config.severities.scale.clone(),
            severity_aliases: config.severities.aliases.clone(),
            allow_html: config.markdown.allow_html,
            strict_keys: config.front_matter.unknown_keys == crate::config::UnknownKeys::Error,
            postmortems: Globs::new(&config.content.postmortems),
            skip: Globs::new(&config.content.skip),
            milestones: milestones::Milestones::new(&config.milestones),
            day_order: config.dates.order,
            vocabulary: config.vocabulary.clone(),
            types: config.types.clone(),
        }
    }
}

/// Loads every file in parallel. Incidents come back in path order with all diagnostics
/// (a page skipped as not a post-mortem is a note, code `incident::SKIPPED`).
pub fn load_all(
    root: &Path,
    files: &[PathBuf],
    settings: &ParseSettings,
    md: &Markdown,
    on_file: &(dyn Fn() + Sync),
) -> (Vec<Incident>, Vec<Diagnostic>) {
    let results: Vec<_> = files
        .par_iter()
        .map(|path| {
            let loaded = load_file(root, path, settings, md);
            on_file();
            loaded
        })
        .collect();
    let mut incidents = Vec::with_capacity(results.len());
    let mut diagnostics = Vec::new();
    for (incident, diags) in results {
        incidents.extend(incident);
        diagnostics.extend(diags);
    }
    (incidents, diagnostics)
}

/// Loads one file from disk.
pub fn load_file(
    root: &Path,
    path: &Path,
    settings: &ParseSettings,
    md: &Markdown,
) -> (Option<Incident>, Vec<Diagnostic>) {
    let rel = crate::diagnostics::display_path(root, path);
    match std::fs::read(path) {
        Ok(bytes) => {
            let (mut incident, diagnostics) = load_bytes(&rel, &bytes, settings, md);
            if let Some(incident) = &mut incident {
                find_link_targets(root, incident);
            }
            (incident, diagnostics)
        }
        Err(e) => (None, vec![unreadable(&rel, &e)]),
    }
}

/// Marks the `.md` links whose file is in the library's folder (beside the post-mortem,
/// under `content/`, or from the library's root), so that a link to a runbook that is not a
/// post-mortem is told from a broken one. A path that leaves the folder is never looked at.
pub fn find_link_targets(root: &Path, incident: &mut Incident) {
    let dir = incident
        .source_path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    for link in &mut incident.links {
        if !crate::urls::is_markdown_path(&link.url) {
            continue;
        }
        let path = link.url.split(['#', '?']).next().unwrap_or("");
        let path = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
        let relative = path.trim_start_matches('/');
        link.on_disk = [
            dir.join(relative),
            Path::new(CONTENT_DIR).join(relative),
            PathBuf::from(relative),
        ]
        .iter()
        .filter_map(|p| inside(p))
        .any(|p| root.join(p).is_file());
    }
}

/// `a/../b.md` → `b.md`; None for a path that leaves the folder it is relative to.
fn inside(path: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            std::path::Component::Normal(s) => out.push(s),
            std::path::Component::ParentDir => {
                if !out.pop() {
                    return None;
                }
            }
            std::path::Component::CurDir => {}
            _ => return None,
        }
    }
    Some(out)
}

/// The first line of every page `pmsite wiki` writes: how a page is known to be pmsite's,
/// so that a wiki read back as content skips them.
pub const GENERATED_MARKER: &str =
    "<!-- pmsite:generated: written by `pmsite wiki`; edits here are replaced -->";

/// The block an author may place on a post-mortem's page, which `pmsite wiki` fills with
/// its related incidents, backlinks and open action items.
pub const RELATED_OPEN: &str = "<!-- pmsite:related -->";
pub const RELATED_CLOSE: &str = "<!-- /pmsite:related -->";

/// Whether a file's text is a page `pmsite wiki` wrote.
pub fn is_generated(text: &str) -> bool {
    text.lines().take(8).any(|l| l.trim() == GENERATED_MARKER)
}

/// The text with what `pmsite wiki` put in a related block taken out (its lines kept as
/// blank lines, so every line number stays): the library read back is the library.
pub fn without_related_block(text: &str) -> Option<String> {
    let open = text.find(RELATED_OPEN)? + RELATED_OPEN.len();
    let close = open + text[open..].find(RELATED_CLOSE)?;
    let blank = "\n".repeat(text[open..close].matches('\n').count());
    Some(format!("{}{blank}{}", &text[..open], &text[close..]))
}

/// A post-mortem the file system would not give, as its one problem.
pub fn unreadable(rel: &Path, e: &std::io::Error) -> Diagnostic {
    Diagnostic::error(rel, 0, format!("cannot read: {e}")).code("file")
}

//! `pmsite wiki`: the library's indexes written as plain Markdown pages into the wiki or docs
//! folder a team already reads (GitHub, GitLab, Gitea and Azure DevOps wikis, MkDocs and
//! TechDocs, mdBook, Obsidian), so that CI can commit them. Every page pmsite writes carries
//! a marker; pmsite writes only pages that carry it or do not exist, deletes only pages
//! that carry it, and touches an author's page only inside a block the author placed.

pub mod flavor;
pub mod nav;
pub mod pages;

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::build::load;
use crate::error::{Error, Result};
use crate::library::Selection;
pub use flavor::Flavor;
use pages::{Context, Page};

pub use crate::content::{GENERATED_MARKER as MARKER, RELATED_CLOSE, RELATED_OPEN, is_generated};

/// `pmsite wiki`'s options, from the command line and `[wiki]`.
#[derive(Debug, Clone)]
pub struct WikiOptions {
    pub root: PathBuf,
    /// The folder the pages go into; `[wiki] output`, default `wiki`.
    pub output: Option<PathBuf>,
    pub flavor: Option<Flavor>,
    pub dry_run: bool,
    pub drafts: bool,
    pub include_restricted: bool,
    pub today: NaiveDate,
}

/// What a run changed (or, with `--dry-run`, would change), by path under the output.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct WikiReport {
    pub output: PathBuf,
    pub written: Vec<String>,
    pub deleted: Vec<String>,
    pub unchanged: usize,
}

/// One file the run wants under the output folder, with its full text.
struct Planned {
    path: String,
    text: Vec<u8>,
    /// pmsite's own page (marker); otherwise a file it shares with the team (navigation,
    /// an author's page with a related block).
    ours: bool,
}

pub fn run(opts: &WikiOptions) -> Result<WikiReport> {
    let selection = Selection {
        drafts: opts.drafts,
        include_restricted: opts.include_restricted,
        today: opts.today,
        strict_links: false,
    };
    let mut loaded = load(&opts.root, None, selection)?;
    if let Some(failing) = crate::build::failing_errors(&mut loaded) {
        return Err(Error::Invalid(failing));
    }
    let settings = &loaded.config.wiki;
    let flavor = opts.flavor.unwrap_or(settings.flavor);
    let out_rel = opts
        .output
        .clone()
        .unwrap_or_else(|| PathBuf::from(&settings.output));
    let out_dir = if out_rel.is_absolute() {
        out_rel.clone()
    } else {
        opts.root.join(&out_rel)
    };
    let lib = &loaded.library;
    // A post-mortem whose file is in the output folder is linked as a page of the wiki.
    let out_canon = std::fs::canonicalize(&out_dir).ok();
    let in_wiki: Vec<Option<String>> = lib
        .incidents
        .iter()
        .map(|inc| {
            let full = std::fs::canonicalize(opts.root.join(&inc.source_path)).ok()?;
            let rel = full.strip_prefix(out_canon.as_ref()?).ok()?;
            // A GitHub wiki names a page by its file name wherever the file is; the other
            // wikis and docs tools by its path.
            let name = if flavor == Flavor::Github {
                PathBuf::from(rel.file_stem()?)
            } else {
                rel.with_extension("")
            };
            Some(name.to_string_lossy().replace('\\', "/"))
        })
        .collect();
    let cx = Context {
        lib,
        config: &loaded.config,
        flavor,
        prefix: &settings.prefix,
        in_wiki,
    };
    let mut planned = Vec::new();
    let generated = pages::pages(&cx, opts.drafts);
    for page in &generated {
        planned.push(Planned {
            path: format!("{}.md", page.name),
            text: page_text(page, &loaded.config).into_bytes(),
            ours: true,
        });
    }
    let charts = if cx.config.wiki.pages.iter().any(|p| p == "patterns") {
        vec![
            (
                "severity",
                crate::render::charts::incidents_by_severity(&lib.patterns),
            ),
            (
                "resolve",
                crate::render::charts::time_to_resolve(&lib.patterns),
            ),
        ]
    } else {
        Vec::new()
    };
    for (which, svg) in charts {
        planned.push(Planned {
            path: pages::chart_file(&cx, which),
            text: format!("{MARKER}\n{svg}").into_bytes(),
            ours: true,
        });
    }
    let nav_path = flavor.nav_file(&settings.prefix);
    let nav_current = std::fs::read_to_string(out_dir.join(&nav_path)).ok();
    planned.push(Planned {
        text: nav::navigation(flavor, &generated, nav_current.as_deref()).into_bytes(),
        path: nav_path,
        ours: false,
    });
    planned.extend(related_blocks(&cx, &opts.root));
    apply(&out_dir, &out_rel, planned, opts.dry_run)
}

/// A page's full text: Confluence headers for `mark` when asked for, the marker, the body.
fn page_text(page: &Page, config: &crate::config::Config) -> String {
    let mut text = String::new();
    if let Some(space) = &config.wiki.confluence_space {
        let one_line = |s: &str| s.replace(['\n', '\r'], " ").replace("--", "- -");
        text.push_str(&format!("<!-- Space: {} -->\n", one_line(space)));
        if let Some(parent) = &config.wiki.confluence_parent {
            text.push_str(&format!("<!-- Parent: {} -->\n", one_line(parent)));
        }
        text.push_str(&format!("<!-- Title: {} -->\n\n", one_line(&page.title)));
    }
    text.push_str(MARKER);
    text.push_str("\n\n");
    text.push_str(&page.body);
    text
}

/// Authors' post-mortem pages with a related block: the block filled in, the rest of the
/// page as it is.
fn related_blocks(cx: &Context<'_>, root: &Path) -> Vec<Planned> {
    let mut out = Vec::new();
    for (i, inc) in cx.lib.incidents.iter().enumerate() {
        let Some(page) = &cx.in_wiki[i] else { continue };
        let Ok(text) = std::fs::read_to_string(root.join(&inc.source_path)) else {
            continue;
        };
        let (Some(open), Some(close)) = (text.find(RELATED_OPEN), text.find(RELATED_CLOSE)) else {
            continue;
        };
        if close < open {
            continue;
        }
        let inner = format!("\n{}", pages::related_block(cx, i));
        let new = format!("{}{RELATED_OPEN}{inner}{}", &text[..open], &text[close..]);
        out.push(Planned {
            path: format!("{page}.md"),
            text: new.into_bytes(),
            ours: false,
        });
    }
    out
}

/// Writes what changed, deletes pmsite's pages no longer generated, and never touches a file
/// of the team's that it does not share: a file without the marker is written only if it does
/// not exist, or is the navigation or a page with a related block (whose other lines stay).
fn apply(
    out_dir: &Path,
    out_rel: &Path,
    planned: Vec<Planned>,
    dry_run: bool,
) -> Result<WikiReport> {
    let mut report = WikiReport {
        output: out_rel.to_path_buf(),
        ..WikiReport::default()
    };
    if !dry_run {
        std::fs::create_dir_all(out_dir).map_err(|e| Error::io(out_dir, e))?;
    }
    let wanted: std::collections::HashSet<&str> = planned.iter().map(|p| p.path.as_str()).collect();
    for p in &planned {
        let path = out_dir.join(&p.path);
        let current = std::fs::read(&path).ok();
        if current.as_deref() == Some(p.text.as_slice()) {
            report.unchanged += 1;
            continue;
        }
        if p.ours
            && let Some(current) = &current
            && !is_generated(&String::from_utf8_lossy(current))
        {
            return Err(Error::Refused(format!(
                "{} exists and is not a page pmsite wrote: rename it, or set [wiki] prefix to another page name",
                path.display()
            )));
        }
        report.written.push(p.path.clone());
        if !dry_run {
            crate::output::write_whole(&path, &p.text).map_err(|e| Error::io(&path, e))?;
        }
    }
    // pmsite's pages no longer generated (a component no incident names now).
    if let Ok(entries) = std::fs::read_dir(out_dir) {
        let mut stale: Vec<String> = entries
            .filter_map(|e| e.ok())
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|name| name.ends_with(".md") || name.ends_with(".svg"))
            .filter(|name| !wanted.contains(name.as_str()))
            .filter(|name| {
                std::fs::read_to_string(out_dir.join(name)).is_ok_and(|t| is_generated(&t))
            })
            .collect();
        stale.sort();
        for name in stale {
            if !dry_run {
                let path = out_dir.join(&name);
                std::fs::remove_file(&path).map_err(|e| Error::io(&path, e))?;
            }
            report.deleted.push(name);
        }
    }
    Ok(report)
}

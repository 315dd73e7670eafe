//! The commands that read a whole library: `build` and `check`.

use std::path::{Path, PathBuf};
use std::time::Instant;

use chrono::NaiveDate;

use crate::config::Config;
use crate::content;
use crate::diagnostics::{self, Diagnostic, Level};
use crate::error::{Error, Result};
use crate::library::{self, Library, Selection};
use crate::markdown::Markdown;
use crate::output::OutputDir;
use crate::render::{Site, theme::Theme};

/// Everything a build needs, resolved from the command line and `pmsite.toml` once.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    pub root: PathBuf,
    pub output: PathBuf,
    pub drafts: bool,
    pub include_restricted: bool,
    pub base_url: Option<String>,
    /// The day overdue is judged against; fixed in tests for reproducible output.
    pub today: NaiveDate,
}

/// A loaded and derived library with every problem found on the way.
pub struct Loaded {
    pub config: Config,
    pub library: Library,
    pub diagnostics: Vec<Diagnostic>,
}

/// Loads the config and every post-mortem, and derives the library.
pub fn load(root: &Path, base_url: Option<&str>, selection: Selection) -> Result<Loaded> {
    let mut config = Config::load(root).map_err(Error::Invalid)?;
    if let Some(url) = base_url {
        config.base_url = url.to_string();
    }
    let files = content::discover(root)?;
    let md = Markdown::new(config.markdown.allow_html);
    let started = Instant::now();
    let (incidents, mut diagnostics) = content::load_all(root, &files, &config, &md);
    timing("load", started);
    let started = Instant::now();
    let (library, derive_diagnostics) = library::derive(incidents, &config, selection);
    timing("derive", started);
    diagnostics.extend(derive_diagnostics);
    diagnostics::sort(&mut diagnostics);
    Ok(Loaded {
        config,
        library,
        diagnostics,
    })
}

/// Prints how long a stage took when `PMSITE_TIMINGS` is set (for profiling builds).
pub fn timing(stage: &str, started: Instant) {
    if std::env::var_os("PMSITE_TIMINGS").is_some() {
        eprintln!("timing: {stage}: {:.3}s", started.elapsed().as_secs_f64());
    }
}

/// What a finished build reports.
#[derive(Debug)]
pub struct BuildReport {
    pub incidents: usize,
    pub drafts_left_out: usize,
    pub restricted_left_out: usize,
    pub files: usize,
    pub warnings: Vec<Diagnostic>,
    pub home_url: String,
    pub seconds: f64,
}

/// Builds the site into a staging directory and swaps it in. On any error the previous
/// output is left exactly as it was.
pub fn build(opts: &BuildOptions) -> Result<BuildReport> {
    let started = Instant::now();
    let selection = Selection {
        drafts: opts.drafts,
        include_restricted: opts.include_restricted,
        today: opts.today,
        strict_links: false,
    };
    let loaded = load(&opts.root, opts.base_url.as_deref(), selection)?;
    if diagnostics::has_errors(&loaded.diagnostics) {
        return Err(Error::Invalid(loaded.diagnostics));
    }
    let theme = Theme::load(&opts.root, &loaded.config.theme)?;
    let out = OutputDir::prepare(&opts.output)?;
    let site = Site {
        lib: &loaded.library,
        config: &loaded.config,
        theme: &theme,
        drafts: opts.drafts,
        generated: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    };
    let render_started = Instant::now();
    let files = site.write_all(&out)?;
    timing("render", render_started);
    let commit_started = Instant::now();
    out.commit()?;
    timing("commit", commit_started);
    Ok(BuildReport {
        incidents: loaded.library.incidents.len(),
        drafts_left_out: loaded.library.drafts_left_out,
        restricted_left_out: loaded.library.restricted_left_out,
        files,
        warnings: loaded.diagnostics,
        home_url: format!("{}/", loaded.config.base()),
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// Validates every post-mortem, drafts and restricted ones included. Unresolved wiki links
/// and broken internal links are errors here (a build shows them as plain text).
pub fn check(root: &Path, today: NaiveDate) -> Result<Vec<Diagnostic>> {
    check_with(root, today, None).map(|(d, _)| d)
}

/// `check`, and given a timeout, every external link too (`check --external`).
pub fn check_with(
    root: &Path,
    today: NaiveDate,
    external: Option<std::time::Duration>,
) -> Result<(Vec<Diagnostic>, Option<crate::check::ExternalSummary>)> {
    let selection = Selection {
        drafts: true,
        include_restricted: true,
        today,
        strict_links: true,
    };
    match load(root, None, selection) {
        Ok(loaded) => {
            let theme = Theme::load(root, &loaded.config.theme);
            let summary = external.map(|timeout| {
                crate::check::external(
                    library::links::external_links(&loaded.library, &loaded.config),
                    timeout,
                )
            });
            let mut d = loaded.diagnostics;
            if let Some(s) = &summary {
                d.extend(s.diagnostics.iter().cloned());
            }
            if let Err(e) = theme {
                d.push(Diagnostic {
                    path: "templates".into(),
                    line: 0,
                    level: Level::Error,
                    message: e.to_string(),
                });
            }
            Ok((d, summary))
        }
        Err(Error::Invalid(d)) => Ok((d, None)),
        Err(e) => Err(e),
    }
}

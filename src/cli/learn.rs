//! The commands that read what the library teaches: `report`, `similar` and `tickets sync`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::NaiveDate;

use super::print_diagnostics;
use crate::build;
use crate::error::Error;

/// The library as the public site shows it (no drafts, no restricted post-mortems), for
/// the commands that report on it; its problems printed, and none if it has errors.
fn published_library(root: &Path, today: NaiveDate) -> anyhow::Result<Option<build::Loaded>> {
    let selection = crate::library::Selection {
        drafts: false,
        include_restricted: false,
        today,
        strict_links: false,
    };
    match build::load(root, None, selection) {
        Ok(mut loaded) => {
            if let Some(errors) = build::failing_errors(&mut loaded) {
                print_diagnostics(&errors);
                return Ok(None);
            }
            Ok(Some(loaded))
        }
        Err(Error::Invalid(diags)) => {
            print_diagnostics(&diags);
            Ok(None)
        }
        Err(e) => Err(e.into()),
    }
}

/// `pmsite report reinvestment`: to standard output, or a new file.
pub fn report(
    root: &Path,
    format: &str,
    output: Option<PathBuf>,
    today: NaiveDate,
) -> anyhow::Result<ExitCode> {
    let Some(loaded) = published_library(root, today)? else {
        crate::errln!("report not written: fix the library first");
        return Ok(ExitCode::from(1));
    };
    let lib = &loaded.library;
    let report =
        crate::render::reinvestment::report(lib, &loaded.config.reinvestment.impact_fields);
    let bytes = crate::render::reinvestment::report_file(lib, &loaded.config, &report, format)?;
    match output {
        Some(path) => {
            // Relative to the library, as `digest --out` and `build -o` are.
            let path = if path.is_absolute() {
                path
            } else {
                root.join(path)
            };
            crate::output::write_new(&path, &bytes)?;
            crate::outln!("wrote {}", path.display());
        }
        None => crate::out!("{}", String::from_utf8_lossy(&bytes)),
    }
    Ok(ExitCode::SUCCESS)
}

/// `pmsite similar`: the text from the argument, a file or standard input.
pub fn similar(
    root: &Path,
    text: Option<String>,
    file: Option<PathBuf>,
    limit: usize,
    json: bool,
    site: PathBuf,
) -> anyhow::Result<ExitCode> {
    let text = match (text, file) {
        (_, Some(path)) => std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?,
        (Some(t), None) if t != "-" => t,
        _ => {
            let mut t = String::new();
            std::io::Read::read_to_string(&mut std::io::stdin(), &mut t)
                .map_err(|e| Error::io("standard input", e))?;
            t
        }
    };
    if text.trim().is_empty() {
        crate::errln!(
            "similar: no text: give it as an argument, with --file, or on standard input"
        );
        return Ok(ExitCode::from(2));
    }
    let site = if site.is_absolute() {
        site
    } else {
        root.join(site)
    };
    let (files, base, built) = match crate::similar::index_for(root, &site, super::today()) {
        Ok(found) => found,
        Err(Error::Invalid(diags)) => {
            print_diagnostics(&diags);
            return Ok(ExitCode::from(1));
        }
        Err(e) => return Err(e.into()),
    };
    if !built {
        crate::errln!(
            "note: {} has no search index as new as the library; built one in memory (run `pmsite build` for instant answers)",
            site.display()
        );
    }
    let found = crate::similar::similar(&files, &text, limit, &base)?;
    if json {
        let text =
            serde_json::to_string_pretty(&found).map_err(|e| Error::Refused(e.to_string()))?;
        crate::outln!("{text}");
        return Ok(ExitCode::SUCCESS);
    }
    if found.is_empty() {
        crate::outln!("No past incident shares a word with that text.");
    }
    let t = |s: &str| crate::escape::terminal(s).into_owned();
    for (k, m) in found.iter().enumerate() {
        match &m.severity {
            Some(s) => crate::outln!("{}. [{}] {}", k + 1, t(s), t(&m.title)),
            None => crate::outln!("{}. {}", k + 1, t(&m.title)),
        }
        let mut facts = vec![t(&m.id)];
        facts.extend(m.date.as_deref().map(t));
        facts.extend(
            m.time_to_mitigate
                .as_ref()
                .map(|d| format!("mitigated in {}", t(d))),
        );
        crate::outln!("   {}", facts.join(" · "));
        if let Some(by) = &m.mitigated_by {
            crate::outln!("   What mitigated it: {}", t(by));
        }
        let why: Vec<String> = m
            .because
            .iter()
            .map(|b| format!("{} ({})", t(&b.word), b.fields.join(", ")))
            .collect();
        crate::outln!("   Because: {}", why.join(", "));
        crate::outln!("   {}", t(&m.url));
    }
    Ok(ExitCode::SUCCESS)
}

/// `pmsite tickets sync`.
pub fn tickets_sync(root: &Path, today: NaiveDate) -> anyhow::Result<ExitCode> {
    let file = crate::config::tickets::TICKETS_FILE;
    match crate::tickets::sync(root, today, chrono::Utc::now()) {
        Ok(done) => {
            for w in &done.warnings {
                crate::errln!("warning: {w}");
            }
            let read: Vec<String> = done
                .read
                .iter()
                .map(|(t, n)| format!("{n} from {t}"))
                .collect();
            crate::outln!(
                "Wrote {}: {} tickets read ({}), {} missing, {} items with a ticket no configured tracker answers for",
                done.path.display(),
                done.read.values().sum::<usize>(),
                if read.is_empty() {
                    "none".to_string()
                } else {
                    read.join(", ")
                },
                done.missing,
                done.untracked
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(Error::Invalid(diags)) => {
            print_diagnostics(&diags);
            crate::errln!("tickets sync: fix the library first; {file} was not changed");
            Ok(ExitCode::from(1))
        }
        Err(Error::Refused(why)) => {
            crate::errln!("tickets sync failed: {why}\n{file} was not changed");
            Ok(ExitCode::from(1))
        }
        Err(e) => Err(e.into()),
    }
}

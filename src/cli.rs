//! The command line: clap types stay here; they resolve once into plain options.

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::NaiveDate;
use clap::{Parser, Subcommand};

use crate::build::{self, BuildOptions};
use crate::diagnostics::{self, Diagnostic};
use crate::error::Error;

mod learn;

/// The version and the commit it was built from: `0.1.0 (commit 1a2b3c4d5e6f)`.
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("PMSITE_COMMIT"),
    ")"
);

#[derive(Debug, Parser)]
#[command(
    name = "pmsite",
    version = VERSION,
    about = "Turns a folder of incident post-mortems into a searchable static incident library"
)]
pub struct Cli {
    /// The library's folder (where pmsite.toml is).
    #[arg(short = 'C', long = "root", global = true, default_value = ".")]
    pub root: PathBuf,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start a new library: pmsite.toml and content/ with one example post-mortem.
    Init {
        /// Where to create it (created if missing).
        #[arg(default_value = ".")]
        dir: PathBuf,
    },
    /// Write a new draft post-mortem from the template; never overwrites a file.
    New {
        /// The post-mortem's title, e.g. "Checkout API returned 500s after a config push".
        title: String,
        /// Severity on the configured scale (default: the middle of the scale).
        #[arg(long)]
        severity: Option<String>,
        /// When impact began: 2024-03-12 or 2024-03-12T21:04:00Z (default: now).
        #[arg(long)]
        date: Option<String>,
    },
    /// Build the site into public/ (atomic: a failed build leaves the previous output intact).
    Build {
        /// Include drafts and post-mortems in review, with a banner.
        #[arg(long)]
        drafts: bool,
        /// Include post-mortems with visibility = "restricted".
        #[arg(long)]
        include_restricted: bool,
        /// Override base_url from pmsite.toml (e.g. for a preview deploy).
        #[arg(long, value_name = "URL")]
        base_url: Option<String>,
        /// The output directory; replaced only if a previous pmsite build made it.
        #[arg(
            short = 'o',
            long = "output",
            value_name = "DIR",
            default_value = "public"
        )]
        output: PathBuf,
        /// Judge overdue action items against this day instead of today (YYYY-MM-DD).
        #[arg(long, value_name = "DATE")]
        today: Option<NaiveDate>,
        /// Print nothing but problems: no progress bar, no summary.
        #[arg(short, long, conflicts_with = "verbose")]
        quiet: bool,
        /// Also print how long each stage took.
        #[arg(short, long)]
        verbose: bool,
        /// Neither read nor write the build cache in `.pmsite/`: every page is rendered.
        #[arg(long)]
        no_cache: bool,
    },
    /// Preview the library: built in memory with drafts, served on 127.0.0.1, rebuilt when a
    /// file changes; the open page reloads by itself. Writes nothing to disk.
    Serve {
        /// The port to listen on (0: any free port).
        #[arg(long, default_value_t = 1111)]
        port: u16,
        /// The address to listen on; other machines can reach the preview only if this is
        /// not a loopback address.
        #[arg(long, default_value = "127.0.0.1")]
        bind: std::net::IpAddr,
        /// Open the preview in the default browser.
        #[arg(long)]
        open: bool,
        /// Include post-mortems with visibility = "restricted".
        #[arg(long)]
        include_restricted: bool,
        /// Judge overdue action items against this day instead of today (YYYY-MM-DD).
        #[arg(long, value_name = "DATE")]
        today: Option<NaiveDate>,
    },
    /// Email the post-mortems published since a date (or the last digest) and every overdue
    /// action item by owner.
    Digest {
        /// A date (2024-03-12), or `last`: since the last digest the SMTP server accepted.
        #[arg(long, default_value = "last", value_name = "DATE|last")]
        since: crate::digest::Since,
        /// A recipient (repeatable); default: `to` under [digest] in pmsite.toml.
        #[arg(long, value_name = "ADDR")]
        to: Vec<String>,
        /// Also write the message to this .eml file (never overwritten).
        #[arg(long, value_name = "FILE.eml")]
        out: Option<PathBuf>,
        /// The SMTP server: smtp://host:25, smtp://host:587?tls=required, smtps://host:465.
        #[arg(long, value_name = "URL")]
        smtp: Option<String>,
        /// Print the message instead of sending it; records nothing.
        #[arg(long)]
        dry_run: bool,
        /// Judge overdue action items against this day instead of today (YYYY-MM-DD).
        #[arg(long, value_name = "DATE")]
        today: Option<NaiveDate>,
        /// Only this team's digest (taxonomy.toml): its new post-mortems and overdue items,
        /// to its `email` unless --to is given. Records nothing for --since last.
        #[arg(long, value_name = "NAME")]
        team: Option<String>,
    },
    /// Write the library's indexes (incidents, components, root causes, tags, severities,
    /// action items, patterns, customer messages) as Markdown pages into a wiki or docs
    /// folder, with its navigation. Writes only pages it wrote before or that do not exist.
    Wiki {
        /// The folder to write into (a wiki checkout, `docs/`); default: `output` under
        /// [wiki] in pmsite.toml, else `wiki`.
        #[arg(short = 'o', long, value_name = "DIR")]
        output: Option<PathBuf>,
        /// The wiki the pages are for; default: `flavor` under [wiki], else github.
        #[arg(long, value_enum)]
        flavor: Option<crate::wiki::Flavor>,
        /// Print what would be written and deleted; change nothing.
        #[arg(long)]
        dry_run: bool,
        /// Include drafts and post-mortems in review, and the review queue.
        #[arg(long)]
        drafts: bool,
        /// Include restricted post-mortems.
        #[arg(long)]
        include_restricted: bool,
        /// Judge overdue action items against this day instead of today (YYYY-MM-DD).
        #[arg(long, value_name = "DATE")]
        today: Option<NaiveDate>,
    },
    /// Validate every post-mortem; prints file:line: message for each problem and exits
    /// non-zero on errors.
    Check {
        /// Judge overdue action items against this day instead of today (YYYY-MM-DD).
        #[arg(long, value_name = "DATE")]
        today: Option<NaiveDate>,
        /// Also request every external link (one at a time per host) and report broken ones.
        #[arg(long)]
        external: bool,
        /// Seconds to wait for each external link.
        #[arg(long, value_name = "SECONDS", default_value_t = 10)]
        timeout: u64,
        /// How to print what is found: `concise` lines on standard error, `github` Actions
        /// annotations or one `json` document on standard output.
        #[arg(long, value_enum, default_value_t = diagnostics::Format::Concise)]
        format: diagnostics::Format,
    },
    /// Print a report for a planning document: `pmsite report reinvestment --format md`.
    Report {
        /// Which report: `reinvestment` (where the library says to invest).
        #[arg(value_enum)]
        report: ReportKind,
        /// md, csv or json.
        #[arg(long, value_enum, default_value_t = ReportFormat::Md)]
        format: ReportFormat,
        /// Write it to this file instead of standard output (never overwritten).
        #[arg(short = 'o', long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// Judge windows and overdue items against this day instead of today (YYYY-MM-DD).
        #[arg(long, value_name = "DATE")]
        today: Option<NaiveDate>,
    },
    /// The past incidents most like a text (an alert, a message, a guess at the cause):
    /// `pmsite similar "checkout 500s after config push"`, `--file alert.txt`, or standard
    /// input. Reads the last build's search index (`public/`), or builds one if it is older
    /// than the library.
    Similar {
        /// The text; `-` or nothing reads standard input.
        text: Option<String>,
        /// Read the text from this file.
        #[arg(long, value_name = "FILE", conflicts_with = "text")]
        file: Option<PathBuf>,
        /// How many incidents to list.
        #[arg(short = 'n', long, default_value_t = 5)]
        limit: usize,
        /// Print JSON (for chat bots and runbooks).
        #[arg(long)]
        json: bool,
        /// The built site whose search index to read.
        #[arg(long, value_name = "DIR", default_value = "public")]
        site: PathBuf,
    },
    /// Action items' tickets in GitHub, GitLab or Jira: `pmsite tickets sync`.
    Tickets {
        #[command(subcommand)]
        action: TicketsAction,
    },
    /// Print a shell completion script: `pmsite completions bash > /etc/bash_completion.d/pmsite`.
    Completions {
        /// The shell: bash, zsh, fish, powershell or elvish.
        shell: clap_complete::Shell,
    },
    /// Write man pages for pmsite and each of its commands (pmsite.1, pmsite-build.1, ...).
    Man {
        /// The folder to write them into (created if missing).
        #[arg(default_value = "man")]
        dir: PathBuf,
        /// Replace man pages already there.
        #[arg(long)]
        force: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum TicketsAction {
    /// Read every action item's ticket from the trackers in pmsite.toml's [tickets] into
    /// .pmsite/tickets.json (commit it: builds read it and stay offline). Tokens come from
    /// the environment variables the config names, never from the command line. A failed
    /// sync leaves the previous file as it was.
    Sync {
        /// The day for the library's dates (YYYY-MM-DD); default today.
        #[arg(long, value_name = "DATE")]
        today: Option<NaiveDate>,
    },
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum ReportKind {
    Reinvestment,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum ReportFormat {
    Md,
    Csv,
    Json,
}

impl ReportFormat {
    fn ext(self) -> &'static str {
        match self {
            ReportFormat::Md => "md",
            ReportFormat::Csv => "csv",
            ReportFormat::Json => "json",
        }
    }
}

pub(crate) fn today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}

/// Prints diagnostics to stderr, one `file:line:col: level[code]: message` per line.
pub(crate) fn print_diagnostics(diags: &[Diagnostic]) {
    for d in diags {
        crate::errln!("{d}");
    }
}

/// Runs one command. Library problems are printed here; the exit code is decided here.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let root = cli.root;
    match cli.command {
        Command::Init { dir } => {
            let dir = if root.as_os_str() != "." && dir.as_os_str() == "." {
                root
            } else {
                dir
            };
            let written = crate::scaffold::init(&dir)?;
            for path in &written {
                crate::outln!("created {}", path.display());
            }
            crate::outln!("Next: cd {} && pmsite build", dir.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::New {
            title,
            severity,
            date,
        } => {
            let now = chrono::Utc::now().naive_utc();
            let path = crate::scaffold::new_incident(
                &root,
                &title,
                severity.as_deref(),
                date.as_deref(),
                now,
            )?;
            crate::outln!("created {}", path.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::Build {
            drafts,
            include_restricted,
            base_url,
            output,
            today: day,
            quiet,
            verbose,
            no_cache,
        } => {
            let output = if output.is_absolute() {
                output
            } else {
                root.join(output)
            };
            let opts = BuildOptions {
                root: root.clone(),
                output: output.clone(),
                drafts,
                include_restricted,
                base_url,
                today: day.unwrap_or_else(today),
                cache: !no_cache,
            };
            let progress = if quiet {
                build::Progress::hidden()
            } else {
                build::Progress::on_terminal()
            };
            match build::build_with(&opts, &progress) {
                Ok(report) => {
                    print_diagnostics(&report.warnings);
                    if verbose {
                        for (stage, seconds) in &report.timings {
                            crate::errln!("timing: {stage}: {seconds:.3}s");
                        }
                        crate::errln!(
                            "files: {} ({} unchanged, kept from the previous build); incident pages rendered: {}; files parsed: {}",
                            report.files,
                            report.unchanged,
                            report.pages_rendered,
                            report.parsed
                        );
                        if let Some((written, all)) = report.search_shards_written {
                            crate::errln!(
                                "search: {written} of {all} shard files written, the others unchanged"
                            );
                        }
                    }
                    // Nothing is skipped silently: each page is named, with what to do.
                    if !report.pages_skipped.is_empty() {
                        let names: Vec<String> = report
                            .pages_skipped
                            .iter()
                            .map(|p| crate::escape::terminal(&p.to_string_lossy()).into_owned())
                            .collect();
                        crate::errln!(
                            "skipped, not read as post-mortems: {}\n  (a page that is one: add `postmortem = true` to its front matter, or its path to [content] postmortems in pmsite.toml; `pmsite check` says why)",
                            names.join(", ")
                        );
                    }
                    if quiet {
                        return Ok(ExitCode::SUCCESS);
                    }
                    let mut left_out = Vec::new();
                    if report.drafts_left_out > 0 {
                        left_out.push(format!(
                            "{} draft/in review left out",
                            report.drafts_left_out
                        ));
                    }
                    if report.restricted_left_out > 0 {
                        left_out.push(format!(
                            "{} restricted left out",
                            report.restricted_left_out
                        ));
                    }
                    if !report.pages_skipped.is_empty() {
                        let n = report.pages_skipped.len();
                        left_out.push(format!(
                            "{n} page{} that do not read as post-mortems skipped",
                            if n == 1 { "" } else { "s" }
                        ));
                    }
                    if !report.warnings.is_empty() {
                        let n = report.warnings.len();
                        left_out.push(format!("{n} warning{}", if n == 1 { "" } else { "s" }));
                    }
                    let extra = if left_out.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", left_out.join(", "))
                    };
                    crate::outln!(
                        "Built {} incidents into {} in {:.2}s{extra}\n{}",
                        report.incidents,
                        output.display(),
                        report.seconds,
                        report.home_url
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(Error::Invalid(diags)) => {
                    print_diagnostics(&diags);
                    crate::errln!(
                        "build failed: {}; the output directory was not changed",
                        diagnostics::counts(&diags)
                    );
                    Ok(ExitCode::from(1))
                }
                Err(e) => Err(e.into()),
            }
        }
        Command::Serve {
            port,
            bind,
            open,
            include_restricted,
            today: day,
        } => {
            if open {
                let url = format!("http://{bind}:{port}/");
                // Best effort: a machine without a desktop has no browser to open.
                let opener = if cfg!(target_os = "macos") {
                    "open"
                } else {
                    "xdg-open"
                };
                let _ = std::process::Command::new(opener)
                    .arg(&url)
                    .stdout(std::process::Stdio::null())
                    .stderr(std::process::Stdio::null())
                    .spawn();
            }
            crate::serve::serve(crate::serve::ServeOptions {
                root,
                bind,
                port,
                include_restricted,
                today: day.unwrap_or_else(today),
            })?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Wiki {
            output,
            flavor,
            dry_run,
            drafts,
            include_restricted,
            today: day,
        } => {
            let opts = crate::wiki::WikiOptions {
                root: root.clone(),
                output,
                flavor,
                dry_run,
                drafts,
                include_restricted,
                today: day.unwrap_or_else(today),
            };
            match crate::wiki::run(&opts) {
                Ok(report) => {
                    let verb = if dry_run { "would write" } else { "wrote" };
                    for path in &report.written {
                        crate::outln!("{verb} {}", report.output.join(path).display());
                    }
                    let verb = if dry_run { "would delete" } else { "deleted" };
                    for path in &report.deleted {
                        crate::outln!("{verb} {}", report.output.join(path).display());
                    }
                    crate::outln!(
                        "{}: {} written, {} deleted, {} unchanged",
                        report.output.display(),
                        report.written.len(),
                        report.deleted.len(),
                        report.unchanged
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(Error::Invalid(diags)) => {
                    print_diagnostics(&diags);
                    crate::errln!("wiki: {}; nothing was written", diagnostics::counts(&diags));
                    Ok(ExitCode::from(1))
                }
                Err(e) => Err(e.into()),
            }
        }
        Command::Digest {
            since,
            to,
            out,
            smtp,
            dry_run,
            today: day,
            team,
        } => {
            let opts = crate::digest::DigestOptions {
                team,
                root: root.clone(),
                since,
                to,
                out: out.map(|p| if p.is_absolute() { p } else { root.join(p) }),
                smtp,
                dry_run,
                today: day.unwrap_or_else(today),
                now: chrono::Utc::now(),
            };
            match crate::digest::run(&opts) {
                Ok(crate::digest::Outcome::Nothing { since }) => {
                    crate::outln!(
                        "Nothing to send: no post-mortem published since {since} and no overdue action item. No email was sent."
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Ok(crate::digest::Outcome::DryRun { message }) => {
                    crate::out!("{message}");
                    Ok(ExitCode::SUCCESS)
                }
                Ok(crate::digest::Outcome::Done {
                    published,
                    overdue,
                    written,
                    sent_to,
                    teams,
                }) => {
                    if let Some(path) = written {
                        crate::outln!("Wrote the digest to {}", path.display());
                    }
                    if !sent_to.is_empty() {
                        crate::outln!(
                            "Sent the digest ({published} post-mortems, {overdue} overdue action items) to {}",
                            sent_to.join(", ")
                        );
                    }
                    for (team, to) in teams {
                        crate::outln!("Sent {team}'s digest to {}", to.join(", "));
                    }
                    Ok(ExitCode::SUCCESS)
                }
                Err(Error::Invalid(diags)) => {
                    print_diagnostics(&diags);
                    crate::errln!("digest not sent: fix the library first");
                    Ok(ExitCode::from(1))
                }
                Err(e) => Err(e.into()),
            }
        }
        Command::Report {
            report: ReportKind::Reinvestment,
            format,
            output,
            today: day,
        } => learn::report(&root, format.ext(), output, day.unwrap_or_else(today)),
        Command::Similar {
            text,
            file,
            limit,
            json,
            site,
        } => learn::similar(&root, text, file, limit, json, site),
        Command::Tickets {
            action: TicketsAction::Sync { today: day },
        } => learn::tickets_sync(&root, day.unwrap_or_else(today)),
        Command::Completions { shell } => {
            let mut command = <Cli as clap::CommandFactory>::command();
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut command, "pmsite", &mut script);
            crate::out!("{}", String::from_utf8_lossy(&script));
            Ok(ExitCode::SUCCESS)
        }
        Command::Man { dir, force } => {
            let dir = if dir.is_absolute() {
                dir
            } else {
                root.join(dir)
            };
            for path in write_man_pages(&dir, force)? {
                crate::outln!("wrote {}", path.display());
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Check {
            today: day,
            external,
            timeout,
            format,
        } => {
            let timeout = external.then(|| std::time::Duration::from_secs(timeout));
            let checked = build::check_with(&root, day.unwrap_or_else(today), timeout)?;
            let diags = &checked.diagnostics;
            let closing = diagnostics::summary(checked.post_mortems, diags);
            let external = checked
                .external
                .as_ref()
                .map(|s| format!("external links: {} checked, {} broken", s.checked, s.broken));
            match format {
                diagnostics::Format::Concise => {
                    print_diagnostics(diags);
                    if let Some(line) = &external {
                        crate::errln!("{line}");
                    }
                    crate::errln!("{closing}");
                }
                diagnostics::Format::Github => {
                    for d in diags {
                        crate::outln!("{}", d.github());
                    }
                    if let Some(line) = &external {
                        crate::outln!("{line}");
                    }
                    crate::outln!("{closing}");
                }
                diagnostics::Format::Json => {
                    crate::outln!("{}", diagnostics::json(checked.post_mortems, diags));
                }
            }
            Ok(if diagnostics::has_errors(diags) {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
    }
}

/// Writes `pmsite.1` and one page per command into `dir`. An existing page is replaced only
/// with `force`: pmsite never overwrites a file unasked.
fn write_man_pages(dir: &std::path::Path, force: bool) -> anyhow::Result<Vec<PathBuf>> {
    let command = <Cli as clap::CommandFactory>::command();
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let mut pages = vec![("pmsite".to_string(), command.clone())];
    for sub in command.get_subcommands() {
        let name = format!("pmsite-{}", sub.get_name());
        pages.push((name.clone(), sub.clone().name(name)));
    }
    let mut written = Vec::new();
    for (name, page) in pages {
        let mut roff = Vec::new();
        clap_mangen::Man::new(page).render(&mut roff)?;
        let path = dir.join(format!("{name}.1"));
        if force {
            std::fs::write(&path, &roff).map_err(|e| Error::io(&path, e))?;
        } else {
            crate::output::write_new(&path, &roff).map_err(|e| match e {
                Error::Refused(why) => {
                    Error::Refused(format!("{why} (pass --force to replace man pages)"))
                }
                e => e,
            })?;
        }
        written.push(path);
    }
    Ok(written)
}

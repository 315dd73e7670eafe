//! The email digest: post-mortems published since a date (or since the last digest sent)
//! and every overdue action item by owner, the reminder nobody else sends. Built and sent
//! with lettre. `--since last` reads `.pmsite/digest.toml`, which changes only after the
//! SMTP server accepted the message.

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Days, NaiveDate, Utc};
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::{Message, SmtpTransport, Transport};
use serde::{Deserialize, Serialize};
use tera::Context;

use crate::build::load;
use crate::config::Config;
use crate::content::model::Status;
use crate::dates::human_minutes;
use crate::diagnostics::plural;
use crate::error::{Error, IoContext, Result};
use crate::library::teams::TeamFacts;
use crate::library::{Library, Selection, tracker};
use crate::render::theme::{Theme, tera_message};

/// Where `--since last` keeps the time of the last digest the SMTP server accepted.
pub const STATE_FILE: &str = ".pmsite/digest.toml";
/// The only place the SMTP password is read from.
pub const PASSWORD_VAR: &str = "PMSITE_SMTP_PASSWORD";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Since {
    Date(NaiveDate),
    /// Since the last digest sent (`.pmsite/digest.toml`).
    Last,
}

impl std::str::FromStr for Since {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        if s == "last" {
            return Ok(Since::Last);
        }
        crate::dates::parse_date(s)
            .map(Since::Date)
            .ok_or_else(|| format!("`{s}` is not a date: write 2024-03-12, or `last`"))
    }
}

#[derive(Debug, Clone)]
pub struct DigestOptions {
    pub root: PathBuf,
    pub since: Since,
    pub to: Vec<String>,
    pub out: Option<PathBuf>,
    pub smtp: Option<String>,
    pub dry_run: bool,
    pub today: NaiveDate,
    pub now: DateTime<Utc>,
    /// Only this team's digest: its new post-mortems and its overdue items, to its address.
    pub team: Option<String>,
}

#[derive(Debug)]
pub enum Outcome {
    /// Nothing published and nothing overdue: no email.
    Nothing { since: NaiveDate },
    /// The message, printed by `--dry-run`.
    DryRun { message: String },
    /// Written to `--out` and, if an SMTP server was given, sent.
    Done {
        published: usize,
        overdue: usize,
        written: Option<PathBuf>,
        sent_to: Vec<String>,
        /// Each team digest sent after it (`[digest] teams = true`): team and recipients.
        teams: Vec<(String, Vec<String>)>,
    },
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct State {
    /// When the SMTP server last accepted a digest (RFC 3339).
    last_sent: Option<String>,
    /// The post-mortems that digest listed, so a same-day publication is not sent twice.
    #[serde(default)]
    sent: Vec<String>,
}

fn read_state(root: &Path) -> Result<Option<State>> {
    let path = root.join(STATE_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => toml::from_str(&text).map(Some).map_err(|e| {
            Error::Refused(format!(
                "{STATE_FILE}: {}; delete it and use --since DATE",
                e.message().trim()
            ))
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io(path, e)),
    }
}

/// Written to a temporary file and renamed, so the state is never half-written.
fn write_state(root: &Path, state: &State) -> Result<()> {
    let path = root.join(STATE_FILE);
    let text = format!(
        "# Written by `pmsite digest` after the SMTP server accepted a digest; `--since last` reads it.\n{}",
        toml::to_string(state).map_err(|e| Error::Refused(e.to_string()))?
    );
    crate::output::write_whole(&path, text.as_bytes()).at(&path)
}

#[derive(Serialize)]
struct DigestIncident {
    id: String,
    title: String,
    url: String,
    severity: Option<String>,
    date: Option<String>,
    published: Option<String>,
    time_to_resolve: Option<String>,
    summary: Option<String>,
    components: Vec<String>,
    /// Whether its type counts in the digest's counts (a near miss does not).
    counted: bool,
    type_title: String,
}

#[derive(Serialize)]
struct OverdueItem {
    text: String,
    incident_id: String,
    incident_title: String,
    url: String,
    due: String,
    days_overdue: i64,
    /// Its ticket and what the tracker last said (`PAY-7, open, ana`).
    ticket: Option<String>,
}

#[derive(Serialize)]
struct OwnerGroup {
    owner: String,
    items: Vec<OverdueItem>,
}

/// What the digest lists, chosen from the library.
fn select(
    lib: &Library,
    config: &Config,
    since: NaiveDate,
    skip: &[String],
    team: Option<&TeamFacts>,
) -> (Vec<DigestIncident>, Vec<OwnerGroup>) {
    let url = |slug: &str| crate::routes::Route::Incident(slug).absolute(config);
    let mut published: Vec<usize> = (0..lib.incidents.len())
        .filter(|&i| {
            let inc = &lib.incidents[i];
            let day = inc.publication_date().map(|d| d.date());
            inc.status == Status::Published
                && day.is_some_and(|d| d >= since && d <= lib.today)
                && !skip.contains(&inc.id)
                && team.is_none_or(|t| t.incidents.contains(&i))
        })
        .collect();
    published.sort_by_key(|&i| {
        std::cmp::Reverse((lib.incidents[i].publication_date(), lib.incidents[i].date))
    });
    let incidents = published
        .into_iter()
        .map(|i| {
            let (inc, d) = (&lib.incidents[i], &lib.derived[i]);
            DigestIncident {
                id: inc.id.clone(),
                title: inc.title.clone(),
                url: url(&inc.slug),
                severity: inc.severity.clone(),
                date: inc.date.map(|w| w.display()),
                published: inc.publication_date().map(|w| w.date().to_string()),
                time_to_resolve: d.time_to_resolve.map(human_minutes),
                summary: inc.summary.clone(),
                components: inc.components.clone(),
                counted: d.metrics,
                type_title: config.types.info(&inc.incident_type).title,
            }
        })
        .collect();
    let ordered = match team {
        Some(t) => t.open.clone(),
        None => tracker::ordered(lib),
    };
    let overdue: Vec<tracker::ItemRef> = ordered
        .into_iter()
        .filter(|&(i, k)| {
            lib.derived[i].actions[k].overdue && lib.incidents[i].status == Status::Published
        })
        .collect();
    let owners = tracker::by_owner(lib, &overdue)
        .into_iter()
        .map(|(owner, items)| OwnerGroup {
            owner: owner.unwrap_or_else(|| "no owner".into()),
            items: items
                .into_iter()
                .map(|(i, k)| {
                    let inc = &lib.incidents[i];
                    let due = lib.derived[i].actions[k].due.unwrap_or(lib.today);
                    OverdueItem {
                        text: inc.action_items[k].text.clone(),
                        incident_id: inc.id.clone(),
                        incident_title: inc.title.clone(),
                        url: url(&inc.slug),
                        due: due.to_string(),
                        days_overdue: (lib.today - due).num_days(),
                        ticket: inc.action_items[k].ticket.as_ref().map(|t| {
                            let mut words = vec![t.id.clone()];
                            if let Some(f) = &lib.derived[i].actions[k].ticket {
                                words.push(format!("ticket {}", f.state));
                                words.extend(f.assignee.clone());
                            }
                            words.join(", ")
                        }),
                    }
                })
                .collect(),
        })
        .collect();
    (incidents, owners)
}

mod late;
use late::{drifted, late_reviews, latest_review};

/// Builds the digest and writes, prints or sends it.
pub fn run(opts: &DigestOptions) -> Result<Outcome> {
    // Drafts are loaded to count those overdue for review; nothing else of theirs is sent.
    let selection = Selection {
        drafts: true,
        include_restricted: false,
        today: opts.today,
        strict_links: false,
    };
    let mut loaded = load(&opts.root, None, selection)?;
    if let Some(failing) = crate::build::failing_errors(&mut loaded) {
        return Err(Error::Invalid(failing));
    }
    let (config, lib) = (&loaded.config, &loaded.library);
    let state = read_state(&opts.root)?;
    let (since, skip) = match (&opts.since, &state) {
        (Since::Date(d), _) => (*d, Vec::new()),
        (
            Since::Last,
            Some(State {
                last_sent: Some(t),
                sent,
            }),
        ) => {
            let at = DateTime::parse_from_rfc3339(t)
                .map_err(|_| Error::Refused(format!("{STATE_FILE}: last_sent `{t}` is not a date; delete the file and use --since DATE")))?;
            (at.date_naive(), sent.clone())
        }
        // No digest sent yet: the last week.
        (Since::Last, _) => (
            opts.today
                .checked_sub_days(Days::new(7))
                .unwrap_or(opts.today),
            Vec::new(),
        ),
    };
    // One theme for the digest and every team's, loaded when a digest has something to say.
    let theme = std::cell::OnceCell::new();
    let teams: Vec<&TeamFacts> = match &opts.team {
        Some(name) => {
            let slug = crate::vocabulary::term_slug(name);
            let team = lib.teams.iter().find(|t| t.slug == slug).ok_or_else(|| {
                Error::Refused(format!(
                    "no team `{name}`: the teams are {}; declare teams in taxonomy.toml",
                    if lib.teams.is_empty() {
                        "none".to_string()
                    } else {
                        lib.teams
                            .iter()
                            .map(|t| t.name.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    }
                ))
            })?;
            let digest = compose(opts, &theme, config, lib, since, &skip, Some(team))?;
            let Some(digest) = digest else {
                return Ok(Outcome::Nothing { since });
            };
            let recipients = team_recipients(opts, config, team)?;
            let d = deliver(opts, config, &digest, &recipients, opts.out.clone())?;
            return Ok(match d.dry_run {
                Some(message) => Outcome::DryRun { message },
                None => Outcome::Done {
                    published: digest.published,
                    overdue: digest.overdue,
                    written: d.written,
                    sent_to: d.sent_to,
                    teams: Vec::new(),
                },
            });
        }
        None if config.digest.teams => lib.teams.iter().collect(),
        None => Vec::new(),
    };
    let Some(digest) = compose(opts, &theme, config, lib, since, &skip, None)? else {
        return Ok(Outcome::Nothing { since });
    };
    let recipients = if opts.to.is_empty() {
        config.digest.to.clone()
    } else {
        opts.to.clone()
    };
    let Delivery {
        dry_run: mut dry,
        written,
        sent_to,
    } = deliver(opts, config, &digest, &recipients, opts.out.clone())?;
    if !sent_to.is_empty() {
        write_state(
            &opts.root,
            &State {
                last_sent: Some(opts.now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
                sent: digest.ids.clone(),
            },
        )?;
    }
    // Then each team with an address, its own.
    let mut team_sends = Vec::new();
    for team in teams {
        let Some(address) = config
            .vocabulary
            .team(&team.name)
            .and_then(|t| t.email.clone())
        else {
            continue;
        };
        let Some(team_digest) = compose(opts, &theme, config, lib, since, &skip, Some(team))?
        else {
            continue;
        };
        let out = opts.out.as_ref().map(|p| {
            let stem = p
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            p.with_file_name(format!("{stem}-{}.eml", team.slug))
        });
        let d = deliver(opts, config, &team_digest, &[address], out)?;
        if let (Some(all), Some(message)) = (dry.as_mut(), &d.dry_run) {
            all.push('\n');
            all.push_str(message);
        }
        if !d.sent_to.is_empty() {
            team_sends.push((team.name.clone(), d.sent_to));
        }
    }
    Ok(match dry {
        Some(message) => Outcome::DryRun { message },
        None => Outcome::Done {
            published: digest.published,
            overdue: digest.overdue,
            written,
            sent_to,
            teams: team_sends,
        },
    })
}

/// A team digest goes to `--to`, else the team's address.
fn team_recipients(opts: &DigestOptions, config: &Config, team: &TeamFacts) -> Result<Vec<String>> {
    if !opts.to.is_empty() {
        return Ok(opts.to.clone());
    }
    config
        .vocabulary
        .team(&team.name)
        .and_then(|t| t.email.clone())
        .map(|e| vec![e])
        .ok_or_else(|| {
            Error::Refused(format!(
                "team `{}` has no address: set `email` under [teams.{}] in taxonomy.toml, or pass --to ADDR",
                team.name, team.name
            ))
        })
}

/// One digest, composed: the message without its recipients.
struct Composed {
    subject: String,
    text: String,
    html: String,
    /// Ids of the post-mortems it lists.
    ids: Vec<String>,
    published: usize,
    overdue: usize,
}

/// The digest of the library, or of one team; None when it would say nothing.
fn compose(
    opts: &DigestOptions,
    theme: &std::cell::OnceCell<Theme>,
    config: &Config,
    lib: &Library,
    since: NaiveDate,
    skip: &[String],
    team: Option<&TeamFacts>,
) -> Result<Option<Composed>> {
    let (incidents, owners) = select(lib, config, since, skip, team);
    let overdue: usize = owners.iter().map(|g| g.items.len()).sum();
    let late = late_reviews(lib, config, team);
    if incidents.is_empty() && overdue == 0 && late.is_empty() {
        return Ok(None);
    }
    let prefix = config
        .digest
        .subject
        .clone()
        .unwrap_or_else(|| format!("{} digest", config.title));
    let prefix = match team {
        Some(t) => format!("{prefix} for {}", t.name),
        None => prefix,
    };
    // Types whose metrics are off are listed, not counted: "2 new post-mortems (+1 near miss)".
    let counted = incidents.iter().filter(|i| i.counted).count();
    let mut others: Vec<(String, usize)> = Vec::new();
    for i in incidents.iter().filter(|i| !i.counted) {
        let title = i.type_title.to_lowercase();
        match others.iter_mut().find(|(t, _)| *t == title) {
            Some((_, n)) => *n += 1,
            None => others.push((title, 1)),
        }
    }
    let also: String = others.iter().map(|(t, n)| format!(" (+{n} {t})")).collect();
    let mut subject = format!(
        "{prefix}: {}{also}, {}",
        plural(counted, "new post-mortem", "new post-mortems"),
        plural(overdue, "overdue action item", "overdue action items")
    );
    if !late.is_empty() {
        subject.push_str(&format!(
            ", {} overdue for review",
            plural(late.len(), "post-mortem", "post-mortems")
        ));
    }
    let theme = match theme.get() {
        Some(t) => t,
        None => {
            let loaded = Theme::load(&opts.root, &config.theme)?;
            theme.get_or_init(|| loaded)
        }
    };
    let mut ctx = Context::new();
    ctx.insert("site_title", &config.title);
    ctx.insert("site_url", &format!("{}/", config.base()));
    ctx.insert("since", &since.to_string());
    ctx.insert("subject", &subject);
    ctx.insert("team", &team.map(|t| &t.name));
    ctx.insert("incidents", &incidents);
    ctx.insert("owners", &owners);
    ctx.insert("overdue_count", &overdue);
    ctx.insert("late_reviews", &late);
    ctx.insert("drifted", &drifted(lib, config, team));
    ctx.insert("publish_within_days", &config.review.publish_within_days);
    ctx.insert("latest_review", &latest_review(lib, config));
    let render = |name: &str| {
        theme
            .tera
            .render(name, &ctx)
            .map_err(|e| Error::Template(tera_message(&e)))
    };
    Ok(Some(Composed {
        text: render("digest.txt")?,
        html: render("digest.html")?,
        subject,
        ids: incidents.iter().map(|i| i.id.clone()).collect(),
        published: incidents.len(),
        overdue,
    }))
}

/// What became of one message.
#[derive(Default)]
struct Delivery {
    /// The message, for `--dry-run` (nothing written or sent).
    dry_run: Option<String>,
    written: Option<PathBuf>,
    sent_to: Vec<String>,
}

/// Builds the message for `recipients` and returns it (`--dry-run`), or writes it
/// (`--out`) and sends it.
fn deliver(
    opts: &DigestOptions,
    config: &Config,
    digest: &Composed,
    recipients: &[String],
    out: Option<PathBuf>,
) -> Result<Delivery> {
    let from: Mailbox = config
        .digest
        .from
        .as_deref()
        .ok_or_else(|| Error::Refused("pmsite.toml: set `from` under [digest], e.g. from = \"Incidents <incidents@example.com>\"".into()))?
        .parse()
        .map_err(|e| Error::Refused(format!("pmsite.toml: [digest] from is not an address: {e}")))?;
    if recipients.is_empty() {
        return Err(Error::Refused(
            "no recipients: pass --to ADDR or set `to` under [digest] in pmsite.toml".into(),
        ));
    }
    let host = from.email.domain().to_string();
    let mut builder = Message::builder()
        .from(from)
        .subject(digest.subject.clone())
        .date(opts.now.into())
        .message_id(Some(format!(
            "<digest-{}@{host}>",
            opts.now.format("%Y%m%d%H%M%S%.f")
        )))
        .user_agent("pmsite".into());
    for to in recipients {
        let mailbox: Mailbox = to
            .parse()
            .map_err(|e| Error::Refused(format!("recipient `{to}` is not an address: {e}")))?;
        builder = builder.to(mailbox);
    }
    if let Some(value) = &config.digest.unsubscribe {
        builder = builder.raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("List-Unsubscribe"),
            value.clone(),
        ));
    }
    let message = builder
        .multipart(MultiPart::alternative_plain_html(
            digest.text.clone(),
            digest.html.clone(),
        ))
        .map_err(|e| Error::Refused(format!("building the digest failed: {e}")))?;
    let formatted = message.formatted();

    if opts.dry_run {
        return Ok(Delivery {
            dry_run: Some(String::from_utf8_lossy(&formatted).into_owned()),
            ..Delivery::default()
        });
    }
    let mut written = None;
    if let Some(path) = &out {
        crate::output::write_new(path, &formatted)?;
        written = Some(path.clone());
    }
    let url = smtp_url(config, opts.smtp.as_deref())?;
    let mut sent_to = Vec::new();
    match url {
        Some(url) => {
            let mut transport = SmtpTransport::from_url(&url)
                .map_err(|e| Error::Refused(format!("SMTP server `{url}`: {e}")))?
                .timeout(Some(Duration::from_secs(20)));
            if let Some(user) = &config.digest.user {
                let password = std::env::var(PASSWORD_VAR).map_err(|_| {
                    Error::Refused(format!("[digest] user is set but {PASSWORD_VAR} is not: put the SMTP password in that environment variable"))
                })?;
                transport = transport.credentials(
                    lettre::transport::smtp::authentication::Credentials::new(
                        user.clone(),
                        password,
                    ),
                );
            }
            transport.build().send(&message).map_err(|e| {
                Error::Refused(format!("sending the digest to {url} failed: {e}; nothing was recorded, so the next run sends the same digest"))
            })?;
            sent_to = recipients.to_vec();
        }
        None if written.is_none() => {
            return Err(Error::Refused(
                "no SMTP server: set `smtp` (or `host`) under [digest] in pmsite.toml, pass --smtp URL, or write the message with --out FILE.eml".into(),
            ));
        }
        None => {}
    }
    Ok(Delivery {
        dry_run: None,
        written,
        sent_to,
    })
}

/// The SMTP URL from `--smtp`, `[digest] smtp`, or `[digest] host`, `port` and `tls`.
fn smtp_url(config: &Config, flag: Option<&str>) -> Result<Option<String>> {
    if let Some(url) = flag
        .map(str::to_string)
        .or_else(|| config.digest.smtp.clone())
    {
        return Ok(Some(url));
    }
    let Some(host) = &config.digest.host else {
        return Ok(None);
    };
    let url = match config.digest.tls.as_deref().unwrap_or("starttls") {
        "starttls" => format!(
            "smtp://{host}:{}?tls=required",
            config.digest.port.unwrap_or(587)
        ),
        "tls" => format!("smtps://{host}:{}", config.digest.port.unwrap_or(465)),
        "none" => format!("smtp://{host}:{}", config.digest.port.unwrap_or(25)),
        other => {
            return Err(Error::Refused(format!(
                "pmsite.toml: [digest] tls = \"{other}\" is not one of starttls, tls, none"
            )));
        }
    };
    Ok(Some(url))
}

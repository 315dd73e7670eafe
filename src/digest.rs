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
use crate::error::{Error, IoContext, Result};
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
}

#[derive(Serialize)]
struct OverdueItem {
    text: String,
    incident_id: String,
    incident_title: String,
    url: String,
    due: String,
    days_overdue: i64,
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
) -> (Vec<DigestIncident>, Vec<OwnerGroup>) {
    let url = |slug: &str| crate::routes::Route::Incident(slug).absolute(config);
    let mut published: Vec<usize> = (0..lib.incidents.len())
        .filter(|&i| {
            let inc = &lib.incidents[i];
            let day = inc.publication_date().map(|d| d.date());
            inc.status == Status::Published
                && day.is_some_and(|d| d >= since && d <= lib.today)
                && !skip.contains(&inc.id)
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
            }
        })
        .collect();
    let ordered = tracker::ordered(lib);
    let overdue: Vec<tracker::ItemRef> = ordered
        .into_iter()
        .filter(|&(i, k)| lib.derived[i].actions[k].overdue)
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
                    }
                })
                .collect(),
        })
        .collect();
    (incidents, owners)
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Builds the digest and writes, prints or sends it.
pub fn run(opts: &DigestOptions) -> Result<Outcome> {
    let selection = Selection {
        drafts: false,
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
    let (incidents, owners) = select(lib, config, since, &skip);
    let overdue: usize = owners.iter().map(|g| g.items.len()).sum();
    if incidents.is_empty() && overdue == 0 {
        return Ok(Outcome::Nothing { since });
    }

    let prefix = config
        .digest
        .subject
        .clone()
        .unwrap_or_else(|| format!("{} digest", config.title));
    let subject = format!(
        "{prefix}: {}, {}",
        plural(incidents.len(), "new post-mortem", "new post-mortems"),
        plural(overdue, "overdue action item", "overdue action items")
    );
    let theme = Theme::load(&opts.root, &config.theme)?;
    let mut ctx = Context::new();
    ctx.insert("site_title", &config.title);
    ctx.insert("site_url", &format!("{}/", config.base()));
    ctx.insert("since", &since.to_string());
    ctx.insert("subject", &subject);
    ctx.insert("incidents", &incidents);
    ctx.insert("owners", &owners);
    ctx.insert("overdue_count", &overdue);
    let render = |name: &str| {
        theme
            .tera
            .render(name, &ctx)
            .map_err(|e| Error::Template(tera_message(&e)))
    };
    let (text, html) = (render("digest.txt")?, render("digest.html")?);

    let from: Mailbox = config
        .digest
        .from
        .as_deref()
        .ok_or_else(|| Error::Refused("pmsite.toml: set `from` under [digest], e.g. from = \"Incidents <incidents@example.com>\"".into()))?
        .parse()
        .map_err(|e| Error::Refused(format!("pmsite.toml: [digest] from is not an address: {e}")))?;
    let recipients = if opts.to.is_empty() {
        config.digest.to.clone()
    } else {
        opts.to.clone()
    };
    if recipients.is_empty() {
        return Err(Error::Refused(
            "no recipients: pass --to ADDR or set `to` under [digest] in pmsite.toml".into(),
        ));
    }
    let host = from.email.domain().to_string();
    let mut builder = Message::builder()
        .from(from)
        .subject(subject)
        .date(opts.now.into())
        .message_id(Some(format!(
            "<digest-{}@{host}>",
            opts.now.format("%Y%m%d%H%M%S%.f")
        )))
        .user_agent("pmsite".into());
    for to in &recipients {
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
        .multipart(MultiPart::alternative_plain_html(text, html))
        .map_err(|e| Error::Refused(format!("building the digest failed: {e}")))?;
    let formatted = message.formatted();

    if opts.dry_run {
        return Ok(Outcome::DryRun {
            message: String::from_utf8_lossy(&formatted).into_owned(),
        });
    }
    let mut written = None;
    if let Some(path) = &opts.out {
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
            write_state(
                &opts.root,
                &State {
                    last_sent: Some(opts.now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
                    sent: incidents.iter().map(|i| i.id.clone()).collect(),
                },
            )?;
            sent_to = recipients;
        }
        None if written.is_none() => {
            return Err(Error::Refused(
                "no SMTP server: set `smtp` (or `host`) under [digest] in pmsite.toml, pass --smtp URL, or write the message with --out FILE.eml".into(),
            ));
        }
        None => {}
    }
    Ok(Outcome::Done {
        published: incidents.len(),
        overdue,
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

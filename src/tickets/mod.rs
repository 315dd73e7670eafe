//! `pmsite tickets sync`: reads the state of every action item's ticket from GitHub Issues,
//! GitLab Issues and Jira into `.pmsite/tickets.json`, which the team commits so builds stay
//! offline and reproducible (`config::tickets` reads it, `library::tickets` compares). The
//! file is written whole or not at all: a failed sync leaves the previous one as it was.

mod http;
mod trackers;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::config::tickets::{
    TICKETS_FILE, TicketRef, TicketState, TicketStates, Tracker, VERSION, ticket_ref,
};
use crate::config::{Config, TicketsConfig};
use crate::error::{Error, Result};
use crate::library::Selection;

/// What a sync did.
#[derive(Debug)]
pub struct Synced {
    pub path: PathBuf,
    /// Tickets read, per tracker.
    pub read: BTreeMap<&'static str, usize>,
    pub missing: usize,
    /// Items whose ticket no configured tracker answers for (a doc link, an unknown form).
    pub untracked: usize,
    /// Said but not fatal: a repository this token cannot see.
    pub warnings: Vec<String>,
}

/// Every ticket the library's action items name, drafts and restricted post-mortems
/// included: the file serves every build.
fn wanted(root: &Path, today: NaiveDate) -> Result<(Config, BTreeSet<TicketRef>, usize)> {
    let selection = Selection {
        drafts: true,
        include_restricted: true,
        today,
        strict_links: false,
    };
    let loaded = crate::build::load(root, None, selection)?;
    let config = loaded.config;
    let mut refs = BTreeSet::new();
    let mut untracked = 0;
    for inc in &loaded.library.incidents {
        for a in &inc.action_items {
            let Some(t) = &a.ticket else { continue };
            match ticket_ref(&t.id, t.url.as_deref(), &config.tickets) {
                Some(r) => {
                    refs.insert(r);
                }
                None => untracked += 1,
            }
        }
    }
    Ok((config, refs, untracked))
}

fn token(env: &str) -> Option<String> {
    std::env::var(env).ok().filter(|t| !t.trim().is_empty())
}

/// Reads every ticket and writes `.pmsite/tickets.json`; `now` stamps it.
pub fn sync(root: &Path, today: NaiveDate, now: chrono::DateTime<chrono::Utc>) -> Result<Synced> {
    let (config, refs, untracked) = wanted(root, today)?;
    let tc: &TicketsConfig = &config.tickets;
    if tc.github.is_none() && tc.gitlab.is_none() && tc.jira.is_none() {
        return Err(Error::Refused(
            "no tracker is configured: add [tickets.github] (repo), [tickets.gitlab] (api, project) or [tickets.jira] (url) to pmsite.toml".into(),
        ));
    }
    let mut states: BTreeMap<String, TicketState> = BTreeMap::new();
    let mut read: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut warnings = Vec::new();
    // Per repository or project, the numbers wanted.
    let mut groups: BTreeMap<(Tracker, String), BTreeSet<u64>> = BTreeMap::new();
    let mut jira_refs = BTreeSet::new();
    for r in &refs {
        if r.tracker == Tracker::Jira {
            jira_refs.insert(r.clone());
        } else {
            groups
                .entry((r.tracker, r.project.clone()))
                .or_default()
                .insert(r.number);
        }
    }
    for ((tracker, project), numbers) in &groups {
        let (name, api, token_env) = match tracker {
            Tracker::Github => {
                let g = tc
                    .github
                    .as_ref()
                    .expect("a GitHub ref has a GitHub config");
                ("GitHub", &g.api, &g.token_env)
            }
            Tracker::Gitlab => {
                let g = tc
                    .gitlab
                    .as_ref()
                    .expect("a GitLab ref has a GitLab config");
                ("GitLab", &g.api, &g.token_env)
            }
            Tracker::Jira => unreachable!("Jira tickets are read by key"),
        };
        let auth = token(token_env).map(|t| format!("Bearer {t}"));
        let client = http::Client::new(
            name,
            tc.timeout_seconds,
            tc.max_wait_seconds,
            auth,
            token_env,
        );
        let found = if *tracker == Tracker::Github {
            trackers::github(&client, api, project, numbers, &mut warnings)?
        } else {
            trackers::gitlab(&client, api, project, numbers, &mut warnings)?
        };
        *read.entry(name).or_default() += found.len();
        for n in numbers {
            let r = TicketRef {
                tracker: *tracker,
                project: project.clone(),
                number: *n,
            };
            states.insert(
                r.key(),
                found.get(n).cloned().unwrap_or_else(TicketState::missing),
            );
        }
    }
    if !jira_refs.is_empty() {
        let j = tc.jira.as_ref().expect("a Jira ref has a Jira config");
        let auth = match (j.user_env.as_deref().and_then(token), token(&j.token_env)) {
            (Some(user), Some(t)) => Some(format!(
                "Basic {}",
                base64::Engine::encode(
                    &base64::engine::general_purpose::STANDARD,
                    format!("{user}:{t}")
                )
            )),
            (None, Some(t)) => Some(format!("Bearer {t}")),
            _ => None,
        };
        let client = http::Client::new(
            "Jira",
            tc.timeout_seconds,
            tc.max_wait_seconds,
            auth,
            &j.token_env,
        );
        let found = trackers::jira(&client, &j.url, &jira_refs)?;
        read.insert("Jira", found.len());
        for r in &jira_refs {
            let key = format!("{}-{}", r.project, r.number);
            states.insert(
                r.key(),
                found
                    .get(&key)
                    .cloned()
                    .unwrap_or_else(TicketState::missing),
            );
        }
    }
    let missing = states.values().filter(|s| s.missing).count();
    let file = TicketStates {
        version: VERSION,
        synced: now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        tickets: states,
    };
    let path = root.join(TICKETS_FILE);
    let mut json = serde_json::to_vec_pretty(&file).map_err(|e| Error::Refused(e.to_string()))?;
    json.push(b'\n');
    crate::output::write_whole(&path, &json).map_err(|e| Error::io(&path, e))?;
    Ok(Synced {
        path,
        read,
        missing,
        untracked,
        warnings,
    })
}

//! `.pmsite/tickets.json`: the state of every action item's ticket as `pmsite tickets sync`
//! last read it from the trackers. The team commits it, so a build reads it and stays
//! offline and reproducible. Also which tracker a ticket, as an author wrote it, lives in.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::TicketsConfig;
use crate::diagnostics::Diagnostic;

/// Where `tickets sync` writes, under the library's root.
pub const TICKETS_FILE: &str = ".pmsite/tickets.json";
/// The file format's version; a file of another is read as empty, with a warning.
pub const VERSION: u32 = 1;

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct TicketStates {
    pub version: u32,
    /// When the sync ran (RFC 3339).
    pub synced: String,
    /// By `TicketRef::key`.
    pub tickets: BTreeMap<String, TicketState>,
}

/// One ticket as its tracker answered.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TicketState {
    /// The tracker answered that there is no such ticket (or none this token can see).
    pub missing: bool,
    /// `open` or `closed` (Jira: its status category is done).
    pub state: String,
    /// The tracker's own word for it (`In Progress`, `open`).
    pub status: String,
    pub assignee: Option<String>,
    pub closed_on: Option<NaiveDate>,
    pub url: Option<String>,
    pub title: Option<String>,
}

impl TicketState {
    pub fn is_closed(&self) -> bool {
        !self.missing && self.state == "closed"
    }

    /// A ticket the tracker does not know.
    pub fn missing() -> TicketState {
        TicketState {
            missing: true,
            state: String::new(),
            status: String::new(),
            assignee: None,
            closed_on: None,
            url: None,
            title: None,
        }
    }
}

/// Which tracker a ticket is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Tracker {
    Github,
    Gitlab,
    Jira,
}

/// A ticket named precisely enough to ask its tracker about it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TicketRef {
    pub tracker: Tracker,
    /// GitHub `owner/name`, GitLab `group/project`, Jira the project key.
    pub project: String,
    /// The number (Jira: the number after the key).
    pub number: u64,
}

impl TicketRef {
    /// The key in `tickets.json`: `github:acme/shop#12`, `jira:PAY-7`.
    pub fn key(&self) -> String {
        match self.tracker {
            Tracker::Github => format!("github:{}#{}", self.project, self.number),
            Tracker::Gitlab => format!("gitlab:{}#{}", self.project, self.number),
            Tracker::Jira => format!("jira:{}-{}", self.project, self.number),
        }
    }

    /// Where a reader opens it, when no URL was written.
    pub fn url(&self, config: &TicketsConfig) -> Option<String> {
        Some(match self.tracker {
            Tracker::Github => {
                let api = config.github.as_ref()?.api.trim_end_matches('/');
                let web = if api == "https://api.github.com" {
                    "https://github.com".to_string()
                } else {
                    api.trim_end_matches("/api/v3").to_string()
                };
                format!("{web}/{}/issues/{}", self.project, self.number)
            }
            Tracker::Gitlab => {
                let api = config.gitlab.as_ref()?.api.trim_end_matches('/');
                let web = api.trim_end_matches("/api/v4");
                format!("{web}/{}/-/issues/{}", self.project, self.number)
            }
            Tracker::Jira => {
                let site = config.jira.as_ref()?.url.trim_end_matches('/');
                format!("{site}/browse/{}-{}", self.project, self.number)
            }
        })
    }
}

/// The tracker and number of a ticket as an author wrote it (an id, a URL or both), when a
/// configured tracker can answer for it: a GitHub or GitLab issue URL, `acme/shop#12`,
/// `#12` or `GH-12` (the configured repository), `PAY-7` (Jira).
pub fn ticket_ref(id: &str, url: Option<&str>, config: &TicketsConfig) -> Option<TicketRef> {
    let number = |s: &str| s.trim().parse::<u64>().ok();
    for written in url.into_iter().chain([id]) {
        let Some((_, rest)) = written.split_once("://") else {
            continue;
        };
        let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
        let path = path
            .split(['?', '#'])
            .next()
            .unwrap_or("")
            .trim_end_matches('/');
        if let Some((project, n)) = path.split_once("/-/issues/")
            && config.gitlab.is_some()
        {
            return Some(TicketRef {
                tracker: Tracker::Gitlab,
                project: project.to_string(),
                number: number(n)?,
            });
        }
        if let Some((project, n)) = path.rsplit_once("/issues/")
            && project.matches('/').count() == 1
            && config.github.is_some()
            && (host == "github.com"
                || config.github.as_ref().is_some_and(|g| g.api.contains(host)))
        {
            return Some(TicketRef {
                tracker: Tracker::Github,
                project: project.to_string(),
                number: number(n)?,
            });
        }
        if let Some(key) = path.strip_prefix("browse/")
            && config.jira.is_some()
        {
            return jira(key);
        }
    }
    let id = id.trim();
    if let Some((project, n)) = id.split_once('#')
        && !project.is_empty()
        && project.matches('/').count() == 1
    {
        let tracker = if config.github.is_some() {
            Tracker::Github
        } else if config.gitlab.is_some() {
            Tracker::Gitlab
        } else {
            return None;
        };
        return Some(TicketRef {
            tracker,
            project: project.to_string(),
            number: number(n)?,
        });
    }
    let local = id
        .strip_prefix('#')
        .or_else(|| id.strip_prefix("GH-"))
        .and_then(number);
    if let Some(n) = local {
        if let Some(repo) = config.github.as_ref().and_then(|g| g.repo.clone()) {
            return Some(TicketRef {
                tracker: Tracker::Github,
                project: repo,
                number: n,
            });
        }
        if let Some(project) = config.gitlab.as_ref().and_then(|g| g.project.clone()) {
            return Some(TicketRef {
                tracker: Tracker::Gitlab,
                project,
                number: n,
            });
        }
        return None;
    }
    config.jira.as_ref().and_then(|_| jira(id))
}

/// `PAY-7` as a Jira key.
fn jira(key: &str) -> Option<TicketRef> {
    let (project, n) = key.rsplit_once('-')?;
    let ok = !project.is_empty()
        && project.starts_with(|c: char| c.is_ascii_uppercase())
        && project
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
    ok.then_some(())?;
    Some(TicketRef {
        tracker: Tracker::Jira,
        project: project.to_string(),
        number: n.parse().ok()?,
    })
}

/// Reads `.pmsite/tickets.json` if there is one. A file pmsite cannot read is a warning and
/// reads as no state: a build never fails for a cache of the trackers.
pub fn load(root: &Path) -> (TicketStates, Option<Diagnostic>) {
    let path = root.join(TICKETS_FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return (TicketStates::default(), None);
        }
        Err(e) => {
            let d = Diagnostic::warning(
                TICKETS_FILE,
                0,
                format!("cannot read it ({e}); ticket states are left out"),
            );
            return (TicketStates::default(), Some(d.code("tickets")));
        }
    };
    match serde_json::from_str::<TicketStates>(&text) {
        Ok(states) if states.version == VERSION => (states, None),
        Ok(states) => {
            let d = Diagnostic::warning(
                TICKETS_FILE,
                1,
                format!(
                    "version {} is not {VERSION}, which this pmsite reads; run `pmsite tickets sync` again",
                    states.version
                ),
            );
            (TicketStates::default(), Some(d.code("tickets")))
        }
        Err(e) => {
            let d = Diagnostic::warning(
                TICKETS_FILE,
                e.line(),
                format!("not a tickets file ({e}); run `pmsite tickets sync` again"),
            );
            (TicketStates::default(), Some(d.code("tickets")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all() -> TicketsConfig {
        TicketsConfig {
            github: Some(super::super::GithubTickets {
                repo: Some("acme/shop".into()),
                ..Default::default()
            }),
            gitlab: Some(Default::default()),
            jira: Some(super::super::JiraTickets {
                url: "https://acme.atlassian.net".into(),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    #[test]
    fn tickets_as_authors_write_them() {
        let c = all();
        let key = |id: &str, url: Option<&str>| ticket_ref(id, url, &c).map(|r| r.key());
        assert_eq!(key("#12", None).as_deref(), Some("github:acme/shop#12"));
        assert_eq!(key("GH-12", None).as_deref(), Some("github:acme/shop#12"));
        assert_eq!(
            key("acme/api#3", None).as_deref(),
            Some("github:acme/api#3")
        );
        assert_eq!(
            key("x", Some("https://github.com/acme/web/issues/9")).as_deref(),
            Some("github:acme/web#9")
        );
        assert_eq!(
            key("https://gitlab.com/acme/infra/db/-/issues/4", None).as_deref(),
            Some("gitlab:acme/infra/db#4")
        );
        assert_eq!(key("PAY-7", None).as_deref(), Some("jira:PAY-7"));
        assert_eq!(
            key("PAY-7", Some("https://acme.atlassian.net/browse/PAY-7")).as_deref(),
            Some("jira:PAY-7")
        );
        assert_eq!(key("see the doc", None), None);
        // Without a tracker configured, nothing is any tracker's.
        assert_eq!(ticket_ref("PAY-7", None, &TicketsConfig::default()), None);
        assert_eq!(ticket_ref("#12", None, &TicketsConfig::default()), None);
    }
}

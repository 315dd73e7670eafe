//! The three trackers' REST APIs, read as their public documentation describes them:
//!
//! - GitHub: `GET /repos/{owner}/{repo}/issues?state=all&per_page=100`, pages by the `Link`
//!   header's `rel="next"`; issues have `number`, `state` (`open`, `closed`), `title`,
//!   `html_url`, `assignee.login`, `closed_at`.
//! - GitLab: `GET /projects/{path}/issues?iids[]=…&per_page=100`, pages by `X-Next-Page`;
//!   issues have `iid`, `state` (`opened`, `closed`), `title`, `web_url`,
//!   `assignee.username`, `closed_at`.
//! - Jira: Cloud's `GET /rest/api/3/search/jql?jql=key in (…)`, pages by `nextPageToken` and
//!   `isLast`; where a site has no such endpoint (Data Center, Server: 404 or 410),
//!   `GET /rest/api/2/search?jql=…&startAt=…&maxResults=…`, pages by `startAt` and `total`.
//!   Issues have `key` and `fields.status.name`, `fields.status.statusCategory.key`
//!   (`done` is closed), `fields.assignee.displayName`, `fields.summary`,
//!   `fields.resolutiondate`.
//!
//! A ticket the tracker does not return is missing.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Deserialize;

use super::http::{Client, next_link};
use crate::config::tickets::{TicketRef, TicketState};
use crate::error::{Error, Result};

/// The tracker's date-time (`2024-03-20T10:00:00Z`, Jira's `2024-03-20T10:00:00.000+0000`)
/// as a day.
fn day(s: &Option<String>) -> Option<NaiveDate> {
    s.as_deref()
        .and_then(|s| s.get(..10))
        .and_then(|d| d.parse().ok())
}

fn parse<T: for<'de> Deserialize<'de>>(client: &Client, url: &str, body: &str) -> Result<T> {
    serde_json::from_str(body).map_err(|e| {
        Error::Refused(format!(
            "{}: {url} did not answer as its API documents ({e})",
            client.name
        ))
    })
}

#[derive(Deserialize)]
struct Person {
    login: Option<String>,
    username: Option<String>,
    name: Option<String>,
    #[serde(rename = "displayName")]
    display_name: Option<String>,
}

impl Person {
    fn name(&self) -> Option<String> {
        self.display_name
            .clone()
            .or(self.login.clone())
            .or(self.username.clone())
            .or(self.name.clone())
    }
}

/// An issue as GitHub and GitLab both answer it: GitHub's `number` and `html_url` are
/// GitLab's `iid` and `web_url`; GitLab's open state is `opened`.
#[derive(Deserialize)]
struct Issue {
    #[serde(alias = "iid")]
    number: u64,
    state: String,
    title: Option<String>,
    #[serde(alias = "web_url")]
    html_url: Option<String>,
    assignee: Option<Person>,
    closed_at: Option<String>,
}

impl Issue {
    fn state(self) -> TicketState {
        TicketState {
            missing: false,
            state: if self.state == "closed" {
                "closed".into()
            } else {
                "open".into()
            },
            status: self.state,
            assignee: self.assignee.and_then(|p| p.name()),
            closed_on: day(&self.closed_at),
            url: self.html_url,
            title: self.title,
        }
    }
}

/// Every wanted issue of one GitHub repository.
pub fn github(
    client: &Client,
    api: &str,
    repo: &str,
    wanted: &BTreeSet<u64>,
    warnings: &mut Vec<String>,
) -> Result<BTreeMap<u64, TicketState>> {
    let mut found = BTreeMap::new();
    let mut url = Some(format!(
        "{}/repos/{repo}/issues?state=all&per_page=100",
        api.trim_end_matches('/')
    ));
    while let Some(page) = url.take() {
        let answer = client.get(&page)?;
        if answer.status != 200 {
            warnings.push(format!("GitHub: no repository {repo} that this token can read ({}); its tickets are marked missing", answer.status));
            break;
        }
        let issues: Vec<Issue> = parse(client, &page, &answer.body)?;
        for i in issues.into_iter().filter(|i| wanted.contains(&i.number)) {
            found.insert(i.number, i.state());
        }
        // Every wanted issue seen: the rest of the pages say nothing new.
        if found.len() < wanted.len() {
            url = answer.link.as_deref().and_then(next_link);
        }
    }
    Ok(found)
}

/// Every wanted issue of one GitLab project, a hundred `iids` a request.
pub fn gitlab(
    client: &Client,
    api: &str,
    project: &str,
    wanted: &BTreeSet<u64>,
    warnings: &mut Vec<String>,
) -> Result<BTreeMap<u64, TicketState>> {
    let mut found = BTreeMap::new();
    let ids: Vec<u64> = wanted.iter().copied().collect();
    let path = utf8_percent_encode(project, NON_ALPHANUMERIC).to_string();
    for batch in ids.chunks(100) {
        let iids: String = batch.iter().map(|n| format!("&iids[]={n}")).collect();
        let first = format!(
            "{}/projects/{path}/issues?per_page=100{iids}",
            api.trim_end_matches('/')
        );
        let mut page = Some("1".to_string());
        while let Some(n) = page.take() {
            let url = format!("{first}&page={n}");
            let answer = client.get(&url)?;
            if answer.status != 200 {
                warnings.push(format!("GitLab: no project {project} that this token can read ({}); its tickets are marked missing", answer.status));
                return Ok(found);
            }
            let issues: Vec<Issue> = parse(client, &url, &answer.body)?;
            for i in issues {
                found.insert(i.number, i.state());
            }
            page = answer.next_page.filter(|p| !p.trim().is_empty());
        }
    }
    Ok(found)
}

/// A page of Jira's search: `startAt` and `total` (`/rest/api/2/search`, Data Center and
/// Server), or `nextPageToken` and `isLast` (Cloud's `/rest/api/3/search/jql`).
#[derive(Deserialize)]
struct JiraPage {
    #[serde(rename = "startAt", default)]
    start_at: u64,
    #[serde(default)]
    total: u64,
    issues: Vec<JiraIssue>,
    #[serde(rename = "nextPageToken", default)]
    next_page_token: Option<String>,
    #[serde(rename = "isLast", default)]
    is_last: Option<bool>,
}

#[derive(Deserialize)]
struct JiraIssue {
    key: String,
    fields: JiraFields,
}

#[derive(Deserialize)]
struct JiraFields {
    summary: Option<String>,
    status: Option<JiraStatus>,
    assignee: Option<Person>,
    resolutiondate: Option<String>,
}

#[derive(Deserialize)]
struct JiraStatus {
    name: String,
    #[serde(rename = "statusCategory")]
    category: Option<JiraCategory>,
}

#[derive(Deserialize)]
struct JiraCategory {
    key: String,
}

/// Every wanted Jira issue, by key, fifty keys a query.
pub fn jira(
    client: &Client,
    site: &str,
    wanted: &BTreeSet<TicketRef>,
) -> Result<BTreeMap<String, TicketState>> {
    let mut found = BTreeMap::new();
    let keys: Vec<String> = wanted
        .iter()
        .map(|t| format!("{}-{}", t.project, t.number))
        .collect();
    let site = site.trim_end_matches('/');
    // Cloud's search first; a site without it (404, or 410 Gone) is searched the older way.
    let mut cloud = true;
    for batch in keys.chunks(50) {
        let jql = utf8_percent_encode(&format!("key in ({})", batch.join(",")), NON_ALPHANUMERIC)
            .to_string();
        let fields = "fields=summary,status,assignee,resolutiondate&maxResults=50";
        let (mut start, mut token): (u64, Option<String>) = (0, None);
        loop {
            let url = if cloud {
                let next = token
                    .as_ref()
                    .map(|t| {
                        format!(
                            "&nextPageToken={}",
                            utf8_percent_encode(t, NON_ALPHANUMERIC)
                        )
                    })
                    .unwrap_or_default();
                format!("{site}/rest/api/3/search/jql?jql={jql}&{fields}{next}")
            } else {
                format!(
                    "{site}/rest/api/2/search?jql={jql}&{fields}&validateQuery=warn&startAt={start}"
                )
            };
            let answer = client.get(&url)?;
            if cloud && token.is_none() && matches!(answer.status, 404 | 410) {
                cloud = false;
                continue;
            }
            if answer.status != 200 {
                return Err(Error::Refused(format!(
                    "Jira: {url} answered {}; is [tickets.jira] url the site's address?",
                    answer.status
                )));
            }
            let page: JiraPage = parse(client, &url, &answer.body)?;
            let got = page.issues.len() as u64;
            for i in page.issues {
                let status = i.fields.status;
                let closed = status
                    .as_ref()
                    .and_then(|s| s.category.as_ref())
                    .is_some_and(|c| c.key == "done");
                found.insert(
                    i.key.clone(),
                    TicketState {
                        missing: false,
                        state: if closed {
                            "closed".into()
                        } else {
                            "open".into()
                        },
                        status: status.map(|s| s.name).unwrap_or_default(),
                        assignee: i.fields.assignee.and_then(|p| p.name()),
                        closed_on: day(&i.fields.resolutiondate),
                        url: Some(format!("{site}/browse/{}", i.key)),
                        title: i.fields.summary,
                    },
                );
            }
            if cloud {
                token = page
                    .next_page_token
                    .filter(|_| page.is_last != Some(true) && got > 0);
                if token.is_none() {
                    break;
                }
            } else {
                start = page.start_at + got;
                if got == 0 || start >= page.total {
                    break;
                }
            }
        }
    }
    Ok(found)
}

//! The settings of what the library teaches: operational reviews and publication targets
//! (`[review]`), the reinvestment report (`[reinvestment]`) and ticket trackers
//! (`[tickets]`).

use serde::{Deserialize, Serialize};

/// The length of an operational review's period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum PeriodKind {
    Quarter,
    Month,
    Week,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReviewConfig {
    /// Days after resolution within which a post-mortem should be published.
    pub publish_within_days: u32,
    /// Days after resolution within which the review meeting should be held.
    pub meeting_within_days: u32,
    /// Which operational review pages to write: `quarter`, `month`, `week`.
    pub periods: Vec<PeriodKind>,
}

impl Default for ReviewConfig {
    fn default() -> Self {
        ReviewConfig {
            publish_within_days: 10,
            meeting_within_days: 5,
            periods: vec![PeriodKind::Quarter],
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReinvestmentConfig {
    /// Numeric `[impact]` fields summed per row (`customers_affected`, `credits_issued_usd`).
    /// A name ending `_usd` is money.
    pub impact_fields: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct TicketsConfig {
    pub github: Option<GithubTickets>,
    pub gitlab: Option<GitlabTickets>,
    pub jira: Option<JiraTickets>,
    /// Seconds to wait for one answer before the sync fails.
    pub timeout_seconds: u64,
    /// The longest a rate limit's `Retry-After` is waited out; longer fails the sync.
    pub max_wait_seconds: u64,
}

impl Default for TicketsConfig {
    fn default() -> Self {
        TicketsConfig {
            github: None,
            gitlab: None,
            jira: None,
            timeout_seconds: 20,
            max_wait_seconds: 60,
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct GithubTickets {
    /// The REST API's root (GitHub Enterprise: `https://github.example.com/api/v3`).
    pub api: String,
    /// `owner/name` for tickets written `#123` or `GH-123`.
    pub repo: Option<String>,
    /// The environment variable holding the token.
    pub token_env: String,
}

impl Default for GithubTickets {
    fn default() -> Self {
        GithubTickets {
            api: "https://api.github.com".into(),
            repo: None,
            token_env: "GITHUB_TOKEN".into(),
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct GitlabTickets {
    /// The REST API's root, with `/api/v4`.
    pub api: String,
    /// The project's path (`group/project`) for tickets written `#123`.
    pub project: Option<String>,
    pub token_env: String,
}

impl Default for GitlabTickets {
    fn default() -> Self {
        GitlabTickets {
            api: "https://gitlab.com/api/v4".into(),
            project: None,
            token_env: "GITLAB_TOKEN".into(),
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct JiraTickets {
    /// The site, `https://acme.atlassian.net`.
    pub url: String,
    /// The environment variables with the account's email and its API token (Jira Cloud's
    /// basic auth); with `user_env` unset, the token is sent as a bearer token (Data Center).
    pub user_env: Option<String>,
    pub token_env: String,
}

impl Default for JiraTickets {
    fn default() -> Self {
        JiraTickets {
            url: String::new(),
            user_env: Some("JIRA_USER".into()),
            token_env: "JIRA_TOKEN".into(),
        }
    }
}

impl TicketsConfig {
    /// The trackers' URLs, by key, for the config's URL check.
    pub fn urls(&self) -> Vec<(&'static str, &str)> {
        let mut out = Vec::new();
        if let Some(g) = &self.github {
            out.push(("api", g.api.as_str()));
        }
        if let Some(g) = &self.gitlab {
            out.push(("api", g.api.as_str()));
        }
        if let Some(j) = &self.jira {
            out.push(("url", j.url.as_str()));
        }
        out
    }
}

//! `pmsite.toml`: the library's settings. Unknown keys are errors naming the key and line,
//! so a typo never silently falls back to a default.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::diagnostics::{Diagnostic, line_of_offset};

mod learning;
pub mod tickets;
pub use learning::{
    GithubTickets, GitlabTickets, JiraTickets, PeriodKind, ReinvestmentConfig, ReviewConfig,
    TicketsConfig,
};

pub const CONFIG_FILE: &str = "pmsite.toml";

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub title: String,
    /// Where the site is published; every absolute link (JSON, feeds) starts with it.
    pub base_url: String,
    pub description: String,
    /// The severity scale, most severe first, and the words that mean a level of it.
    /// Front matter values are normalised to it.
    pub severities: Severities,
    /// A pattern with `{path}` (the file's path in the library) for "edit this page".
    pub edit_url: Option<String>,
    /// A pattern with `{path}` for a file in the source repository: where a link to a page
    /// that is not a post-mortem (a runbook, a sibling blog post) goes.
    pub source_url: Option<String>,
    /// Pages link to the site relative to themselves, folders by their `index.html`
    /// (Hugo's `relativeURLs`): the build reads from `file://` or a bucket without a domain.
    pub relative_urls: bool,
    pub theme: String,
    pub markdown: MarkdownConfig,
    pub front_matter: FrontMatterConfig,
    pub content: ContentConfig,
    pub milestones: MilestoneWords,
    pub dates: DatesConfig,
    pub wiki: WikiConfig,
    pub action_items: ActionItemConfig,
    pub patterns: PatternsConfig,
    pub feeds: FeedsConfig,
    pub digest: DigestConfig,
    pub search: SearchConfig,
    /// Publication and review targets, and which operational review pages to write.
    pub review: ReviewConfig,
    pub reinvestment: ReinvestmentConfig,
    /// Where action items' tickets live, for `pmsite tickets sync`.
    pub tickets: TicketsConfig,
    /// Where the organisation's vocabulary and service catalog are.
    pub taxonomy: crate::vocabulary::TaxonomyConfig,
    /// Incident types beyond pmsite's own, and whether each counts in metrics.
    pub types: crate::vocabulary::types::IncidentTypes,
    /// `taxonomy.toml` and the catalog, read by `Config::load`; empty from `parse`.
    #[serde(skip)]
    pub vocabulary: std::sync::Arc<crate::vocabulary::Vocabulary>,
    /// What the catalog could not read, reported with the library's other problems.
    #[serde(skip)]
    pub vocabulary_reported: Vec<Diagnostic>,
    /// `.pmsite/tickets.json`, read by `Config::load`; empty from `parse`.
    #[serde(skip)]
    pub ticket_states: std::sync::Arc<tickets::TicketStates>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            title: "Incident library".into(),
            base_url: "http://127.0.0.1:1111".into(),
            description: String::new(),
            severities: Severities::new(
                ["SEV1", "SEV2", "SEV3", "SEV4", "SEV5"]
                    .map(String::from)
                    .to_vec(),
            ),
            edit_url: None,
            source_url: None,
            relative_urls: false,
            theme: "default".into(),
            markdown: MarkdownConfig::default(),
            front_matter: FrontMatterConfig::default(),
            content: ContentConfig::default(),
            milestones: MilestoneWords::default(),
            dates: DatesConfig::default(),
            wiki: WikiConfig::default(),
            action_items: ActionItemConfig::default(),
            patterns: PatternsConfig::default(),
            feeds: FeedsConfig::default(),
            digest: DigestConfig::default(),
            search: SearchConfig::default(),
            review: ReviewConfig::default(),
            reinvestment: ReinvestmentConfig::default(),
            tickets: TicketsConfig::default(),
            taxonomy: Default::default(),
            types: Default::default(),
            vocabulary: Default::default(),
            vocabulary_reported: Vec::new(),
            ticket_states: Default::default(),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct MarkdownConfig {
    /// Raw HTML in Markdown is escaped unless this is true.
    pub allow_html: bool,
}

/// What a front-matter key pmsite does not know becomes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum UnknownKeys {
    /// Kept under `extra`, and listed once per key by `check` as a note.
    #[default]
    Keep,
    /// An error, for teams that want their front matter strict.
    Error,
}

/// The severity scale (`severities = ["SEV1", ...]`, most severe first), or the same as a
/// table with the words teams use for its levels: `[severities] scale = [...]` and
/// `aliases = { Critical = "SEV1", Major = "SEV2" }`. Reads as the scale itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Severities {
    pub scale: Vec<String>,
    /// Lowercased word → level of the scale; the defaults and then the library's own.
    pub aliases: BTreeMap<String, String>,
}

/// Words for levels by rank (0 is the most severe), used where the library names none:
/// `Critical` is the first level, `Major` and `High` the second, and so on; `P1` the first.
const SEVERITY_WORDS: &[(&str, usize)] = &[
    ("critical", 0),
    ("blocker", 0),
    ("emergency", 0),
    ("p0", 0),
    ("p1", 0),
    ("major", 1),
    ("high", 1),
    ("severe", 1),
    ("p2", 1),
    ("medium", 2),
    ("moderate", 2),
    ("minor", 2),
    ("p3", 2),
    ("low", 3),
    ("p4", 3),
    ("trivial", 4),
    ("p5", 4),
];

impl Severities {
    /// A scale with the default words for its levels.
    pub fn new(scale: Vec<String>) -> Severities {
        let aliases = SEVERITY_WORDS
            .iter()
            .filter(|(_, rank)| !scale.is_empty() || *rank == 0)
            .filter_map(|(word, rank)| {
                let level = scale.get(*rank).or(scale.last())?;
                Some((word.to_string(), level.clone()))
            })
            .collect();
        Severities { scale, aliases }
    }
}

impl std::ops::Deref for Severities {
    type Target = Vec<String>;
    fn deref(&self) -> &Vec<String> {
        &self.scale
    }
}

impl<'de> Deserialize<'de> for Severities {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Table {
            scale: Option<Vec<String>>,
            #[serde(default)]
            aliases: BTreeMap<String, String>,
        }
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Written {
            Scale(Vec<String>),
            Table(Table),
        }
        let written = Written::deserialize(d).map_err(|_| {
            serde::de::Error::custom(
                "severities must be a list (\"SEV1\", ...) or a table with `scale` and `aliases`",
            )
        })?;
        Ok(match written {
            Written::Scale(scale) => Severities::new(scale),
            Written::Table(t) => {
                let mut s = Severities::new(
                    t.scale
                        .unwrap_or_else(|| Config::default().severities.scale),
                );
                for (word, level) in t.aliases {
                    s.aliases.insert(word.to_lowercase(), level);
                }
                s
            }
        })
    }
}

/// The wiki or docs tool `pmsite wiki` writes for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum WikiFlavor {
    /// GitHub and Gitea wikis: page names without `.md`, `_Sidebar.md`.
    #[default]
    Github,
    /// GitLab wikis: page slugs, `_sidebar.md`.
    Gitlab,
    /// Azure DevOps wikis: relative `.md` links, `.order`.
    Azure,
    /// MkDocs and Backstage TechDocs: relative `.md` links, `pmsite-nav.yml` to inherit.
    Mkdocs,
    /// mdBook: relative `.md` links, pmsite's part of `SUMMARY.md`.
    Mdbook,
    /// Obsidian vaults: `[[Page|label]]` links, a map-of-content note.
    Obsidian,
}

/// The pages `pmsite wiki` can write besides the index, by the names `[wiki] pages` uses.
pub const WIKI_PAGES: &[&str] = &[
    "components",
    "root_causes",
    "contributing_factors",
    "tags",
    "severities",
    "actions",
    "patterns",
    "external",
    "review",
];

/// `[wiki]`: what `pmsite wiki` writes and where.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct WikiConfig {
    /// The folder the pages go into, relative to the library (a wiki checkout, `docs/`).
    pub output: String,
    pub flavor: WikiFlavor,
    /// The first part of every page name pmsite writes (`Incidents`, `Incidents-actions`).
    pub prefix: String,
    /// Which pages beside the index: `components`, `root_causes`, `tags`, `severities`,
    /// `actions`, `patterns`, `external` (all by default), `review` (with `--drafts`).
    pub pages: Vec<String>,
    /// With it, each page carries the header comments `mark` reads to publish to Confluence.
    pub confluence_space: Option<String>,
    pub confluence_parent: Option<String>,
}

impl Default for WikiConfig {
    fn default() -> Self {
        WikiConfig {
            output: "wiki".into(),
            flavor: WikiFlavor::default(),
            prefix: "Incidents".into(),
            pages: WIKI_PAGES.iter().map(|p| p.to_string()).collect(),
            confluence_space: None,
            confluence_parent: None,
        }
    }
}

/// `[dates]`: how the library writes dates.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct DatesConfig {
    /// `"mdy"` (03/04/2020 is March 4) or `"dmy"` (3 April); a number above 12 is the day
    /// either way.
    pub order: crate::dates::written::DayOrder,
}

/// `[milestones]`: phrases that mark a timeline entry as a milestone, added to pmsite's
/// own; each word of a phrase matches a word of the text by its stem (`page` matches
/// paged, paging, pages).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct MilestoneWords {
    pub begins: Vec<String>,
    pub detected: Vec<String>,
    pub mitigated: Vec<String>,
    pub resolved: Vec<String>,
}

/// `[content]`: which pages are post-mortems where pmsite's judgement of a page's shape
/// would be wrong.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct ContentConfig {
    /// Paths under `content/` (globs: `wiki/Incident-*.md`) that are post-mortems whatever
    /// they look like.
    pub postmortems: Vec<String>,
    /// Paths that are never post-mortems (a wiki's `Home.md`, a `_Sidebar.md`).
    pub skip: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct FrontMatterConfig {
    /// Keys neither pmsite's nor another generator's (Jekyll, Hugo, Zola, MkDocs, ...).
    pub unknown_keys: UnknownKeys,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct ActionItemConfig {
    /// Days after publication within which an item of that priority is due when it names no
    /// due date (Atlassian's priority actions: P0/P1 four weeks, P2 eight).
    pub target_days: BTreeMap<String, u32>,
}

impl Default for ActionItemConfig {
    fn default() -> Self {
        ActionItemConfig {
            target_days: [("P0", 28), ("P1", 28), ("P2", 56)]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct FeedsConfig {
    /// How many post-mortems a feed lists, newest first.
    pub limit: usize,
}

impl Default for FeedsConfig {
    fn default() -> Self {
        FeedsConfig { limit: 20 }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct PatternsConfig {
    /// A root cause or component "repeats" when two of its incidents are this many days
    /// apart or fewer.
    pub repeat_window_days: u32,
}

impl Default for PatternsConfig {
    fn default() -> Self {
        PatternsConfig {
            repeat_window_days: 90,
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct DigestConfig {
    /// The sender, e.g. "Incident library <incidents@example.com>".
    pub from: Option<String>,
    /// Recipients when `--to` is not given.
    pub to: Vec<String>,
    /// The subject's first words; the counts follow.
    pub subject: Option<String>,
    /// The SMTP server as a URL: `smtp://host:25`, `smtp://host:587?tls=required`
    /// (STARTTLS), `smtps://host:465`. Or give `host`, `port` and `tls`.
    pub smtp: Option<String>,
    pub host: Option<String>,
    pub port: Option<u16>,
    /// `starttls` (default), `tls` or `none`.
    pub tls: Option<String>,
    /// The SMTP user; the password comes only from the environment variable
    /// `PMSITE_SMTP_PASSWORD`.
    pub user: Option<String>,
    /// A `List-Unsubscribe` value, e.g. "<mailto:incidents-digest-leave@example.com>".
    pub unsubscribe: Option<String>,
    /// After the main digest, send each team with an `email` in taxonomy.toml its own: its
    /// new post-mortems and its overdue items.
    pub teams: bool,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct SearchConfig {
    pub fields: Vec<String>,
    pub boost: BTreeMap<String, f64>,
}

/// The fields the search index may hold, in the order of every per-field array of the index
/// files: `[search] fields` and `boost` name them.
pub const SEARCH_FIELDS: [&str; 6] = [
    "title",
    "summary",
    "components",
    "tags",
    "root_causes",
    "body",
];

/// Why `base_url` (or `--base-url`) cannot start every absolute link, if it cannot: it must
/// be an http or https URL.
pub fn base_url_problem(url: &str) -> Option<String> {
    match crate::urls::scheme(url).as_deref() {
        Some("http" | "https") if url.contains("://") && !url.chars().any(char::is_control) => None,
        _ => Some(format!(
            "base_url `{}` is not an http or https URL: write where the site is published, e.g. \"https://incidents.example.com\"",
            url.escape_debug()
        )),
    }
}

impl Config {
    /// Reads `pmsite.toml` from the library root; every problem is a diagnostic.
    pub fn load(root: &Path) -> Result<Config, Vec<Diagnostic>> {
        let path = root.join(CONFIG_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(vec![Diagnostic::error(
                    CONFIG_FILE,
                    0,
                    format!(
                        "no {CONFIG_FILE} in {}: run `pmsite init` to start a library, or run pmsite from the library's folder",
                        root.display()
                    ),
                ).code("config")]);
            }
            Err(e) => {
                return Err(vec![
                    Diagnostic::error(CONFIG_FILE, 0, e.to_string()).code("config"),
                ]);
            }
        };
        let mut config = Config::parse(&text, Path::new(CONFIG_FILE))?;
        let loaded = crate::vocabulary::load(root, &config.taxonomy)?;
        config.vocabulary = std::sync::Arc::new(loaded.vocabulary);
        config.vocabulary_reported = loaded.warnings;
        let (states, problem) = tickets::load(root);
        config.ticket_states = std::sync::Arc::new(states);
        config.vocabulary_reported.extend(problem);
        Ok(config)
    }

    pub fn parse(text: &str, path: &Path) -> Result<Config, Vec<Diagnostic>> {
        let config: Config = toml::from_str(text).map_err(|e| {
            let line = e.span().map(|s| line_of_offset(text, s.start)).unwrap_or(0);
            vec![Diagnostic::error(path, line, e.message().trim().to_string()).code("config")]
        })?;
        let mut problems = Vec::new();
        for (word, level) in &config.severities.aliases {
            if !config.severities.scale.contains(level) {
                problems.push(Diagnostic::error(path, find_line(text, word), format!("[severities] alias `{word}` names `{level}`, which is not on the scale ({})", config.severities.scale.join(", "))).code("config"));
            }
        }
        if config.severities.is_empty() {
            problems.push(Diagnostic::error(path, find_line(text, "severities"), "severities is empty: list the scale, most severe first, e.g. [\"SEV1\", \"SEV2\", \"SEV3\"]").code("config"));
        }
        if let Some(why) = base_url_problem(&config.base_url) {
            problems.push(Diagnostic::error(path, find_line(text, "base_url"), why).code("config"));
        }
        for (key, pattern, verb) in [
            ("edit_url", &config.edit_url, "edit"),
            ("source_url", &config.source_url, "blob"),
        ] {
            let Some(pattern) = pattern else { continue };
            if !pattern.contains("{path}") {
                problems.push(Diagnostic::error(path, find_line(text, key), format!("{key} has no {{path}}: write where the file's path goes, e.g. \"https://github.com/acme/postmortems/{verb}/main/{{path}}\"")).code("config"));
            } else if let Some(why) = crate::urls::refusal(pattern, crate::urls::Use::Link) {
                problems.push(
                    Diagnostic::error(
                        path,
                        find_line(text, key),
                        format!("{key} is refused ({why}): write an http or https URL"),
                    )
                    .code("config"),
                );
            }
        }
        for (key, url) in config.tickets.urls() {
            let bad = url.is_empty()
                || !matches!(crate::urls::scheme(url).as_deref(), Some("http" | "https"));
            if bad {
                problems.push(
                    Diagnostic::error(
                        path,
                        find_line(text, key),
                        format!("[tickets] {key} `{}` is not an http or https URL: write the tracker's address, e.g. \"https://acme.atlassian.net\"", url.escape_debug()),
                    )
                    .code("config"),
                );
            }
        }
        if config.review.periods.is_empty() {
            problems.push(
                Diagnostic::error(
                    path,
                    find_line(text, "periods"),
                    "[review] periods is empty: name one or more of \"quarter\", \"month\", \"week\"",
                )
                .code("config"),
            );
        }
        for page in &config.wiki.pages {
            if !WIKI_PAGES.contains(&page.as_str()) {
                problems.push(
                    Diagnostic::error(
                        path,
                        find_line(text, page),
                        format!(
                            "[wiki] pages has no page `{page}`: the pages are {}",
                            WIKI_PAGES.join(", ")
                        ),
                    )
                    .code("config"),
                );
            }
        }
        if config.wiki.prefix.trim().is_empty() || config.wiki.prefix.contains(['/', '\\']) {
            problems.push(
                Diagnostic::error(
                    path,
                    find_line(text, "prefix"),
                    "[wiki] prefix must be a page name, without slashes: e.g. \"Incidents\"",
                )
                .code("config"),
            );
        }
        for glob in config
            .content
            .postmortems
            .iter()
            .chain(&config.content.skip)
        {
            if let Err(e) = globset::Glob::new(glob) {
                problems.push(
                    Diagnostic::error(
                        path,
                        find_line(text, glob),
                        format!("[content] `{glob}` is not a glob: {e}"),
                    )
                    .code("config"),
                );
            }
        }
        let known = SEARCH_FIELDS.join(", ");
        for name in config
            .search
            .fields
            .iter()
            .chain(config.search.boost.keys())
            .filter(|n| !SEARCH_FIELDS.contains(&n.as_str()))
        {
            problems.push(
                Diagnostic::error(
                    path,
                    find_line(
                        text,
                        if config.search.fields.contains(name) {
                            "fields"
                        } else {
                            "boost"
                        },
                    ),
                    format!("[search] has no field `{name}`: the searchable fields are {known}"),
                )
                .code("config"),
            );
        }
        for (name, boost) in &config.search.boost {
            if !boost.is_finite() || *boost < 0.0 {
                problems.push(Diagnostic::error(
                    path,
                    find_line(text, "boost"),
                    format!("[search] boost for `{name}` is {boost}: use a number of 0 or more (0 leaves the field out of scoring)"),
                ).code("config"));
            }
        }
        if problems.is_empty() {
            Ok(config)
        } else {
            Err(problems)
        }
    }

    /// The base URL without its trailing slash.
    pub fn base(&self) -> &str {
        self.base_url.trim_end_matches('/')
    }

    /// The path part of `base_url`, always ending in `/`: pages link with it so a site
    /// hosted under a sub-path works.
    pub fn root_path(&self) -> String {
        let rest = self
            .base_url
            .split_once("://")
            .map(|(_, rest)| rest)
            .unwrap_or(&self.base_url);
        let path = rest.find('/').map(|i| &rest[i..]).unwrap_or("");
        let trimmed = path.trim_end_matches('/');
        format!("{trimmed}/")
    }

    /// The directories holding the theme, in order of precedence (the library's own
    /// `templates/` first).
    pub fn theme_dir(&self, root: &Path) -> PathBuf {
        root.join("themes").join(&self.theme)
    }
}

fn find_line(text: &str, key: &str) -> usize {
    text.lines()
        .position(|l| l.trim_start().starts_with(key))
        .map(|i| i + 1)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_key_names_key_and_line() {
        let err = Config::parse("title = \"x\"\n\ntitel = \"y\"\n", Path::new("pmsite.toml"))
            .unwrap_err();
        assert_eq!(err[0].line, 3);
        assert!(err[0].message.contains("titel"), "{}", err[0].message);
    }

    #[test]
    fn search_fields_and_boosts_are_checked() {
        let err = Config::parse(
            "[search]\nfields = [\"title\", \"bdy\"]\nboost = { title = -1.0 }\n",
            Path::new("pmsite.toml"),
        )
        .unwrap_err();
        let lines: Vec<String> = err
            .iter()
            .map(|d| format!("{}: {}", d.line, d.message))
            .collect();
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert!(
            lines[0].starts_with("2: [search] has no field `bdy`"),
            "{lines:?}"
        );
        assert!(
            lines[1].starts_with("3: [search] boost for `title` is -1"),
            "{lines:?}"
        );
        assert!(
            Config::parse(
                "[search]\nfields = [\"title\", \"body\"]\nboost = { body = 0.5 }\n",
                Path::new("p")
            )
            .is_ok()
        );
    }

    #[test]
    fn root_path_from_base_url() {
        let mut c = Config {
            base_url: "https://x.example.com".into(),
            ..Config::default()
        };
        assert_eq!(c.root_path(), "/");
        c.base_url = "https://x.example.com/docs/incidents/".into();
        assert_eq!(c.root_path(), "/docs/incidents/");
    }
}

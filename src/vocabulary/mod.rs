//! The organisation's vocabulary: `taxonomy.toml` (terms with descriptions, aliases and
//! parents; components with owners; teams with members) and Backstage catalog files. Read
//! once after `pmsite.toml`, before any post-mortem: loading folds every alias into its
//! term, so pages, JSON, feeds, search and patterns see one spelling.

use std::collections::BTreeMap;
use std::path::Path;

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::diagnostics::{Diagnostic, line_of_offset};

pub mod catalog;
pub mod types;

/// The file `[taxonomy] file` names when it names none.
pub const TAXONOMY_FILE: &str = "taxonomy.toml";

/// The four vocabularies of terms, in the order of `Taxonomy::ALL` less severities.
pub const LISTS: [&str; 4] = ["components", "tags", "root_causes", "contributing_factors"];

/// A URL segment for any term: transliterated ASCII (`Zürich` → `zurich`), or, for a term
/// with nothing to transliterate, a stable hash of it. Also the key two spellings of one
/// term share (`Postgres`, `postgres`).
pub fn term_slug(name: &str) -> String {
    let slug = slug::slugify(name);
    if !slug.is_empty() {
        return slug;
    }
    // FNV-1a: stable across runs and platforms, unlike the std hasher.
    let hash = name.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("t-{:08x}", hash >> 32)
}

/// A declared term.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Declared {
    pub name: String,
    pub description: Option<String>,
    pub aliases: Vec<String>,
    /// The declared name of its parent (`database` for `postgres`).
    pub parent: Option<String>,
}

/// One vocabulary: its terms, and every spelling (name or alias, by slug) to its term.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TermList {
    pub terms: Vec<Declared>,
    by_key: BTreeMap<String, usize>,
}

impl TermList {
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// The declared term a spelling means, by name or alias, whatever its case.
    pub fn find(&self, name: &str) -> Option<&Declared> {
        self.by_key
            .get(&term_slug(name.trim()))
            .map(|&i| &self.terms[i])
    }

    /// The declared name nearest a spelling no term has, for "did you mean".
    pub fn nearest(&self, name: &str) -> Option<&str> {
        let keys: Vec<&str> = self.by_key.keys().map(String::as_str).collect();
        let key = crate::diagnostics::closest(&term_slug(name), &keys)?;
        Some(self.terms[self.by_key[key]].name.as_str())
    }

    /// The chain of parents above a term, nearest first; stops at a cycle (which loading
    /// reports).
    pub fn ancestors(&self, name: &str) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let mut at = self.find(name).and_then(|d| d.parent.clone());
        while let Some(p) = at {
            if out.contains(&p) || term_slug(&p) == term_slug(name) {
                break;
            }
            at = self.find(&p).and_then(|d| d.parent.clone());
            out.push(p);
        }
        out
    }
}

/// What a catalog says of a component: who owns it and where its code and runbook are.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct ComponentInfo {
    /// The owning team's name (`payments`, from `group:default/payments`).
    pub owner: Option<String>,
    pub tier: Option<String>,
    pub description: Option<String>,
    pub repo: Option<String>,
    pub runbook: Option<String>,
    pub lifecycle: Option<String>,
    pub system: Option<String>,
}

/// A team: who is in it and where its digest goes.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Team {
    pub name: String,
    pub description: Option<String>,
    /// Handles as action items write them, without `@`, lowercased.
    pub members: Vec<String>,
    pub email: Option<String>,
}

/// Everything the organisation declared; empty when it declared nothing, and then nothing
/// changes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Vocabulary {
    /// In the order of [`LISTS`].
    pub lists: [TermList; 4],
    /// Declared components' catalog entries, by declared name.
    pub components: BTreeMap<String, ComponentInfo>,
    /// Declared teams, then teams only named as an owner, by name.
    pub teams: Vec<Team>,
}

impl Vocabulary {
    /// The vocabulary of a list (`components`, `root_causes`, ...).
    pub fn list(&self, which: &str) -> Option<&TermList> {
        LISTS
            .iter()
            .position(|l| *l == which)
            .map(|i| &self.lists[i])
    }

    pub fn team(&self, name: &str) -> Option<&Team> {
        let key = term_slug(name);
        self.teams.iter().find(|t| term_slug(&t.name) == key)
    }

    /// The team of that name, added (with nothing known of it) if there is none yet.
    fn team_entry(&mut self, name: &str) -> &mut Team {
        let key = term_slug(name);
        let at = match self.teams.iter().position(|t| term_slug(&t.name) == key) {
            Some(at) => at,
            None => {
                self.teams.push(Team {
                    name: name.to_string(),
                    ..Team::default()
                });
                self.teams.len() - 1
            }
        };
        &mut self.teams[at]
    }
}

/// A person as teams list them: without `@`, lowercased.
pub fn person_key(person: &str) -> String {
    person.trim().trim_start_matches('@').to_lowercase()
}

/// `[taxonomy]` in `pmsite.toml`: where the vocabulary is.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct TaxonomyConfig {
    /// The vocabulary file, relative to the library; `taxonomy.toml` when it exists.
    pub file: Option<String>,
    /// Backstage catalog files (`catalog-info.yaml`, `kind: Component`): one file or a
    /// folder of them, relative to the library.
    pub catalog: Option<String>,
    /// The annotation a catalog entry's tier is read from.
    pub tier_annotation: Option<String>,
}

/// The annotation tiers are read from when `[taxonomy] tier_annotation` names none.
pub const TIER_ANNOTATION: &str = "pmsite/tier";

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
struct FileTerm {
    description: Option<String>,
    aliases: Vec<String>,
    parent: Option<String>,
    // Components only.
    owner: Option<String>,
    tier: Option<toml::Value>,
    repo: Option<String>,
    runbook: Option<String>,
    lifecycle: Option<String>,
    system: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
struct FileTeam {
    description: Option<String>,
    members: Vec<String>,
    email: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
struct File {
    components: toml::Table,
    tags: toml::Table,
    root_causes: toml::Table,
    contributing_factors: toml::Table,
    teams: BTreeMap<String, FileTeam>,
}

/// What loading the vocabulary found: errors in `taxonomy.toml` fail the build (it is the
/// organisation's configuration, like `pmsite.toml`); what a catalog file gets wrong is
/// reported (`check` fails on a file that is not YAML) and the rest is used.
pub struct LoadedVocabulary {
    pub vocabulary: Vocabulary,
    pub warnings: Vec<Diagnostic>,
}

/// Reads `taxonomy.toml` and the catalog `config` names, from the library root.
pub fn load(root: &Path, config: &TaxonomyConfig) -> Result<LoadedVocabulary, Vec<Diagnostic>> {
    let mut vocabulary = Vocabulary::default();
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let file = config.file.as_deref().unwrap_or(TAXONOMY_FILE);
    match std::fs::read_to_string(root.join(file)) {
        Ok(text) => match parse(&text, Path::new(file)) {
            Ok(v) => vocabulary = v,
            Err(e) => errors.extend(e),
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && config.file.is_none() => {}
        Err(e) => errors.push(
            Diagnostic::error(
                file,
                0,
                format!("cannot read the vocabulary named by [taxonomy] file: {e}"),
            )
            .code("config"),
        ),
    }
    if let Some(place) = &config.catalog {
        let annotation = config.tier_annotation.as_deref().unwrap_or(TIER_ANNOTATION);
        match catalog::read(root, Path::new(place), annotation) {
            Ok(read) => {
                warnings.extend(read.reported);
                for (name, info) in read.components {
                    vocabulary.add_component(&name, info);
                }
                for group in read.teams {
                    let team = vocabulary.team_entry(&group.name);
                    if team.email.is_none() {
                        team.email = group.email;
                    }
                    if team.description.is_none() {
                        team.description = group.description;
                    }
                }
                for (team, member) in read.members {
                    let team = vocabulary.team_entry(&team);
                    if !team.members.contains(&member) {
                        team.members.push(member);
                    }
                }
            }
            Err(e) => errors.push(e),
        }
    }
    vocabulary.inherit_owners();
    vocabulary.add_owner_teams();
    if errors.is_empty() {
        Ok(LoadedVocabulary {
            vocabulary,
            warnings,
        })
    } else {
        Err(errors)
    }
}

impl Vocabulary {
    /// A component from a catalog: declared if it was not, its fields filling in what
    /// `taxonomy.toml` left out.
    fn add_component(&mut self, name: &str, info: ComponentInfo) {
        let list = &mut self.lists[0];
        let declared = match list.find(name) {
            Some(d) => d.name.clone(),
            None => {
                list.by_key.insert(term_slug(name), list.terms.len());
                list.terms.push(Declared {
                    name: name.to_string(),
                    description: info.description.clone(),
                    ..Declared::default()
                });
                name.to_string()
            }
        };
        let entry = self.components.entry(declared).or_default();
        let fill = |mine: &mut Option<String>, theirs: Option<String>| {
            if mine.is_none() {
                *mine = theirs;
            }
        };
        fill(&mut entry.owner, info.owner);
        fill(&mut entry.tier, info.tier);
        fill(&mut entry.description, info.description);
        fill(&mut entry.repo, info.repo);
        fill(&mut entry.runbook, info.runbook);
        fill(&mut entry.lifecycle, info.lifecycle);
        fill(&mut entry.system, info.system);
    }

    /// A component without an owner is owned by its nearest ancestor's owner
    /// (`checkout-api` under `storefront`, owned by `shop`).
    fn inherit_owners(&mut self) {
        let list = &self.lists[0];
        let inherited: Vec<(String, String)> = self
            .components
            .iter()
            .filter(|(_, c)| c.owner.is_none())
            .filter_map(|(name, _)| {
                list.ancestors(name).into_iter().find_map(|a| {
                    let owner = self.components.get(&list.find(&a)?.name)?.owner.clone()?;
                    Some((name.clone(), owner))
                })
            })
            .collect();
        for (name, owner) in inherited {
            if let Some(c) = self.components.get_mut(&name) {
                c.owner = Some(owner);
            }
        }
    }

    /// Every owner a component names is a team, declared or not.
    fn add_owner_teams(&mut self) {
        let owners: Vec<String> = self
            .components
            .values()
            .filter_map(|c| c.owner.clone())
            .collect();
        for owner in owners {
            self.team_entry(&owner);
        }
    }
}

/// Parses `taxonomy.toml`; every problem names the file and line.
pub fn parse(text: &str, path: &Path) -> Result<Vocabulary, Vec<Diagnostic>> {
    let file: File = toml::from_str(text).map_err(|e| {
        let line = e.span().map(|s| line_of_offset(text, s.start)).unwrap_or(0);
        vec![
            Diagnostic::error(
                path,
                line,
                format!(
                    "{} (see the README's Vocabulary section)",
                    e.message().trim()
                ),
            )
            .code("config"),
        ]
    })?;
    let mut problems = Vec::new();
    let mut vocabulary = Vocabulary::default();
    let tables = [
        file.components,
        file.tags,
        file.root_causes,
        file.contributing_factors,
    ];
    for (k, table) in tables.into_iter().enumerate() {
        let section = LISTS[k];
        let list = &mut vocabulary.lists[k];
        for (name, value) in table {
            let line = header_line(text, section, &name);
            let term: FileTerm = match value.try_into() {
                Ok(t) => t,
                Err(e) => {
                    problems.push(
                        Diagnostic::error(
                            path,
                            line,
                            format!("[{section}.{name}]: {}", e.message().trim()),
                        )
                        .code("config"),
                    );
                    continue;
                }
            };
            if k != 0 {
                for (key, set) in [
                    ("owner", term.owner.is_some()),
                    ("tier", term.tier.is_some()),
                    ("repo", term.repo.is_some()),
                    ("runbook", term.runbook.is_some()),
                    ("lifecycle", term.lifecycle.is_some()),
                    ("system", term.system.is_some()),
                ] {
                    if set {
                        problems.push(Diagnostic::error(path, line, format!("[{section}.{name}] has `{key}`, which only components have: move it under [components.<name>]")).code("config"));
                    }
                }
            }
            let at = list.terms.len();
            for spelling in std::iter::once(&name).chain(&term.aliases) {
                let key = term_slug(spelling);
                match list.by_key.get(&key) {
                    Some(&other) if other != at => problems.push(
                        Diagnostic::error(
                            path,
                            line,
                            format!(
                                "`{spelling}` in [{section}.{name}] already names `{}`: one spelling can mean only one term; remove it from one of them",
                                list.terms[other].name
                            ),
                        )
                        .code("config"),
                    ),
                    _ => {
                        list.by_key.insert(key, at);
                    }
                }
            }
            for (key, url) in [("repo", &term.repo), ("runbook", &term.runbook)] {
                if let Some(url) = url
                    && let Some(why) = crate::urls::refusal(url, crate::urls::Use::Link)
                {
                    problems.push(Diagnostic::error(path, line, format!("[{section}.{name}] {key} is refused ({why}): write an http or https URL")).code("config"));
                }
            }
            if k == 0 {
                let tier = term.tier.as_ref().map(|t| match t {
                    toml::Value::String(s) => s.clone(),
                    other => other.to_string(),
                });
                vocabulary.components.insert(
                    name.clone(),
                    ComponentInfo {
                        owner: term.owner.clone(),
                        tier,
                        description: term.description.clone(),
                        repo: term.repo.clone(),
                        runbook: term.runbook.clone(),
                        lifecycle: term.lifecycle.clone(),
                        system: term.system.clone(),
                    },
                );
            }
            list.terms.push(Declared {
                name,
                description: term.description,
                aliases: term.aliases,
                parent: term.parent,
            });
        }
        problems.extend(parent_problems(list, text, path, section));
    }
    for (name, team) in file.teams {
        vocabulary.teams.push(Team {
            name,
            description: team.description,
            members: team.members.iter().map(|m| person_key(m)).collect(),
            email: team.email,
        });
    }
    let mut members: FxHashMap<String, &str> = FxHashMap::default();
    for team in &vocabulary.teams {
        for m in &team.members {
            if let Some(first) = members.insert(m.clone(), &team.name) {
                problems.push(Diagnostic::warning(path, header_line(text, "teams", &team.name), format!("`{m}` is a member of both `{first}` and `{}`: their action items count for `{first}`", team.name)).code("taxonomy"));
            }
        }
    }
    if problems.iter().any(Diagnostic::is_error) {
        Err(problems)
    } else {
        Ok(vocabulary)
    }
}

/// A parent that leads back to its own term is an error at the term's line.
fn parent_problems(list: &TermList, text: &str, path: &Path, section: &str) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    let mut reported: Vec<String> = Vec::new();
    for term in &list.terms {
        let mut chain = vec![term.name.clone()];
        let mut at = term.parent.clone();
        while let Some(p) = at {
            let Some(d) = list.find(&p) else { break };
            if term_slug(&d.name) == term_slug(&term.name) {
                chain.push(d.name.clone());
                if !chain.iter().any(|c| reported.contains(c)) {
                    problems.push(
                        Diagnostic::error(
                            path,
                            header_line(text, section, &term.name),
                            format!(
                                "[{section}] parents go round in a circle ({}): a term cannot be its own ancestor; remove one `parent`",
                                chain.join(" → ")
                            ),
                        )
                        .code("config"),
                    );
                    reported.extend(chain.iter().cloned());
                }
                break;
            }
            if chain.contains(&d.name) {
                break;
            }
            chain.push(d.name.clone());
            at = d.parent.clone();
        }
    }
    problems
}

/// The line of `[section.name]` (or `[section."name"]`), else of `name` under it.
fn header_line(text: &str, section: &str, name: &str) -> usize {
    let forms = [
        format!("[{section}.{name}]"),
        format!("[{section}.\"{name}\"]"),
        format!("[{section}.'{name}']"),
    ];
    if let Some(i) = text.lines().position(|l| {
        let l: String = l.chars().filter(|c| !c.is_whitespace()).collect();
        forms.contains(&l)
    }) {
        return i + 1;
    }
    text.lines()
        .position(|l| {
            let l = l.trim_start().trim_start_matches(['"', '\'']);
            l.starts_with(name)
                && l[name.len()..]
                    .trim_start_matches(['"', '\''])
                    .trim_start()
                    .starts_with('=')
        })
        .map_or(0, |i| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(text: &str) -> Vocabulary {
        parse(text, Path::new("taxonomy.toml")).unwrap()
    }

    fn errors(text: &str) -> Vec<String> {
        parse(text, Path::new("taxonomy.toml"))
            .unwrap_err()
            .iter()
            .map(|d| format!("{}: {}", d.line, d.message))
            .collect()
    }

    #[test]
    fn aliases_fold_whatever_their_case() {
        let v = parsed(
            "[components.postgres]\naliases = [\"pg\", \"PostgreSQL\"]\nparent = \"database\"\n\n[components.database]\ndescription = \"Stores\"\n",
        );
        let list = v.list("components").unwrap();
        assert_eq!(list.find("PG").unwrap().name, "postgres");
        assert_eq!(list.find("postgresql").unwrap().name, "postgres");
        assert_eq!(list.find("Postgres").unwrap().name, "postgres");
        assert!(list.find("redis").is_none());
        assert_eq!(list.nearest("postgress"), Some("postgres"));
        assert_eq!(list.ancestors("pg"), vec!["database".to_string()]);
    }

    #[test]
    fn an_alias_naming_two_terms_is_an_error_at_its_line() {
        let e = errors(
            "[root_causes.config-change]\naliases = [\"config\"]\n\n[root_causes.configuration-drift]\naliases = [\"config\"]\n",
        );
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(
            e[0].starts_with(
                "4: `config` in [root_causes.configuration-drift] already names `config-change`"
            ),
            "{e:?}"
        );
    }

    #[test]
    fn a_cycle_of_parents_is_an_error_naming_the_circle() {
        let e = errors(
            "[components.a]\nparent = \"b\"\n\n[components.b]\nparent = \"c\"\n\n[components.c]\nparent = \"a\"\n",
        );
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(
            e[0].starts_with("1: [components] parents go round in a circle (a → b → c → a)"),
            "{e:?}"
        );
        let e = errors("[tags.x]\nparent = \"x\"\n");
        assert!(e[0].contains("(x → x)"), "{e:?}");
    }

    #[test]
    fn unknown_keys_and_component_fields_elsewhere_are_errors() {
        let e = errors("[tags.deploy]\ndescripton = \"x\"\n");
        assert!(
            e[0].starts_with("1: [tags.deploy]: unknown field `descripton`"),
            "{e:?}"
        );
        let e = errors("\n[root_causes.dns]\nowner = \"net\"\n");
        assert!(
            e[0].starts_with("2: [root_causes.dns] has `owner`"),
            "{e:?}"
        );
        let e = errors("[components.x]\nrunbook = \"javascript:alert(1)\"\n");
        assert!(e[0].contains("runbook is refused"), "{e:?}");
    }

    #[test]
    fn owners_are_teams_and_members_map_people() {
        let v = parsed(
            "[components.checkout-api]\nowner = \"payments\"\ntier = 1\n\n[components.refunds]\nparent = \"checkout-api\"\n\n[teams.sre]\nmembers = [\"@Ana\", \"bo\"]\nemail = \"sre@example.com\"\n",
        );
        assert_eq!(v.components["checkout-api"].tier.as_deref(), Some("1"));
        let mut v = v;
        v.inherit_owners();
        v.add_owner_teams();
        assert!(v.team("payments").is_some());
        assert_eq!(
            v.components["refunds"].owner.as_deref(),
            Some("payments"),
            "inherited from its parent"
        );
        assert_eq!(
            v.team("sre").unwrap().members,
            ["ana", "bo"],
            "without @, lowercased"
        );
    }
}

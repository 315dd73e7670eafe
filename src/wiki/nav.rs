//! The wiki's navigation in each flavor's own form, with pmsite's part between marker
//! comments so that the rest of the file stays the team's: a sidebar (GitHub, Gitea,
//! GitLab), `.order` (Azure DevOps), `SUMMARY.md` (mdBook), `pmsite-nav.yml` for an MkDocs
//! `INHERIT` (MkDocs, TechDocs), a map-of-content note (Obsidian).

use super::flavor::Flavor;
use super::pages::Page;

pub const NAV_OPEN: &str = "<!-- pmsite:nav -->";
pub const NAV_CLOSE: &str = "<!-- /pmsite:nav -->";

/// The pages as a tree: the index, then each list page with the pages under it.
fn tree(pages: &[Page]) -> Vec<(&Page, Vec<&Page>)> {
    let Some(index) = pages.first() else {
        return Vec::new();
    };
    let mut out: Vec<(&Page, Vec<&Page>)> = vec![(index, Vec::new())];
    // Term pages come before their list page (see `pages::pages`).
    let mut pending: Vec<&Page> = Vec::new();
    for p in &pages[1..] {
        if p.title.contains(": ") {
            pending.push(p);
        } else {
            out.push((p, std::mem::take(&mut pending)));
        }
    }
    out
}

/// The navigation file's new text, given its current text (None when it does not exist).
pub fn navigation(flavor: Flavor, pages: &[Page], current: Option<&str>) -> String {
    let tree = tree(pages);
    match flavor {
        Flavor::Github | Flavor::Gitlab => {
            let mut block = String::new();
            for (i, (p, _)) in tree.iter().enumerate() {
                let indent = if i == 0 { "" } else { "  " };
                block.push_str(&format!("{indent}- {}\n", flavor.link(&p.title, &p.name)));
            }
            in_block(current, &block, "")
        }
        Flavor::Mdbook => {
            let mut block = String::new();
            for (i, (p, children)) in tree.iter().enumerate() {
                let indent = if i == 0 { "" } else { "    " };
                block.push_str(&format!("{indent}- {}\n", flavor.link(&p.title, &p.name)));
                for c in children {
                    block.push_str(&format!(
                        "{indent}    - {}\n",
                        flavor.link(&c.title, &c.name)
                    ));
                }
            }
            in_block(current, &block, "# Summary\n\n")
        }
        Flavor::Obsidian => {
            let mut text = format!("{}\n\n# Incident library\n\n", super::MARKER);
            for (p, children) in &tree {
                text.push_str(&format!("- {}\n", flavor.link(&p.title, &p.name)));
                for c in children {
                    text.push_str(&format!("  - {}\n", flavor.link(&c.title, &c.name)));
                }
            }
            text
        }
        Flavor::Mkdocs => {
            let q = |s: &str| format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""));
            let mut text = String::from(
                "# pmsite:generated: written by `pmsite wiki`; add `INHERIT: <this file>` to mkdocs.yml\nnav:\n",
            );
            for (p, children) in &tree {
                if children.is_empty() {
                    text.push_str(&format!(
                        "  - {}: {}\n",
                        q(&p.title),
                        q(&format!("{}.md", p.name))
                    ));
                } else {
                    text.push_str(&format!("  - {}:\n", q(&p.title)));
                    text.push_str(&format!("    - {}\n", q(&format!("{}.md", p.name))));
                    for c in children {
                        text.push_str(&format!(
                            "    - {}: {}\n",
                            q(&c.title),
                            q(&format!("{}.md", c.name))
                        ));
                    }
                }
            }
            text
        }
        Flavor::Azure => {
            // `.order` holds page names, one per line, and no comments: the team's lines
            // stay in their order, pmsite's follow.
            let ours: Vec<&str> = tree.iter().map(|(p, _)| p.name.as_str()).collect();
            let prefix = pages.first().map_or("", |p| p.name.as_str());
            let mut lines: Vec<String> = current
                .unwrap_or("")
                .lines()
                .filter(|l| !l.trim().is_empty())
                .filter(|l| !(l.trim() == prefix || l.trim().starts_with(&format!("{prefix}-"))))
                .map(str::to_string)
                .collect();
            lines.extend(ours.iter().map(|s| s.to_string()));
            lines.join("\n") + "\n"
        }
    }
}

/// `block` between the markers in `current`, replacing what was there; appended when the
/// file has no block; a new file when there is none.
fn in_block(current: Option<&str>, block: &str, new_file_head: &str) -> String {
    let fenced = format!("{NAV_OPEN}\n{block}{NAV_CLOSE}\n");
    match current {
        None => format!("{new_file_head}{fenced}"),
        Some(text) => match (text.find(NAV_OPEN), text.find(NAV_CLOSE)) {
            (Some(open), Some(close)) if open < close => {
                let after = &text[close + NAV_CLOSE.len()..];
                let after = after.strip_prefix('\n').unwrap_or(after);
                format!("{}{fenced}{after}", &text[..open])
            }
            _ => {
                let sep = if text.ends_with('\n') { "\n" } else { "\n\n" };
                format!("{text}{sep}{fenced}")
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pages() -> Vec<Page> {
        ["Incidents", "Component: db", "Components", "Action items"]
            .iter()
            .zip([
                "Incidents",
                "Incidents-component-db",
                "Incidents-components",
                "Incidents-actions",
            ])
            .map(|(t, n)| Page {
                name: n.into(),
                title: t.to_string(),
                body: String::new(),
            })
            .collect()
    }

    #[test]
    fn the_teams_part_of_a_sidebar_stays() {
        let team = "* [Home](Home)\n* [Runbooks](Runbooks)\n";
        let first = navigation(Flavor::Github, &pages(), Some(team));
        assert!(first.starts_with(team), "{first}");
        let again = navigation(Flavor::Github, &pages(), Some(&first));
        assert_eq!(again, first, "a second run changes nothing");
        let summary = navigation(Flavor::Mdbook, &pages(), None);
        assert!(summary.contains("    - [Components](Incidents-components.md)\n        - [Component: db](Incidents-component-db.md)"), "{summary}");
        let order = navigation(
            Flavor::Azure,
            &pages(),
            Some("Home\nIncidents-old\nRunbooks\n"),
        );
        assert_eq!(
            order,
            "Home\nRunbooks\nIncidents\nIncidents-components\nIncidents-actions\n"
        );
    }
}

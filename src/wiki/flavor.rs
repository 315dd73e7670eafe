//! How each wiki names pages, links them and keeps its navigation: the one place the six
//! flavors differ.

pub use crate::config::WikiFlavor as Flavor;

impl Flavor {
    pub fn name(self) -> &'static str {
        match self {
            Flavor::Github => "github",
            Flavor::Gitlab => "gitlab",
            Flavor::Azure => "azure",
            Flavor::Mkdocs => "mkdocs",
            Flavor::Mdbook => "mdbook",
            Flavor::Obsidian => "obsidian",
        }
    }

    /// A Markdown link from one generated page to another, by page name (the file name
    /// without `.md`; every page pmsite writes sits in one folder).
    pub fn link(self, label: &str, page: &str) -> String {
        let label = escape_label(label);
        match self {
            Flavor::Github | Flavor::Gitlab => format!("[{label}]({})", url_path(page)),
            Flavor::Azure => format!("[{label}](./{}.md)", url_path(page)),
            Flavor::Mkdocs | Flavor::Mdbook => format!("[{label}]({}.md)", url_path(page)),
            Flavor::Obsidian => format!("[[{page}|{}]]", label.replace('|', "\\|")),
        }
    }

    /// A link to a page of the published site (an incident not in this wiki).
    pub fn external(self, label: &str, url: &str) -> String {
        let url = url
            .replace(' ', "%20")
            .replace('(', "%28")
            .replace(')', "%29");
        format!("[{}]({url})", escape_label(label))
    }

    /// The navigation file the flavor reads, under the output folder.
    pub fn nav_file(self, prefix: &str) -> String {
        match self {
            Flavor::Github => "_Sidebar.md".into(),
            Flavor::Gitlab => "_sidebar.md".into(),
            Flavor::Azure => ".order".into(),
            Flavor::Mkdocs => "pmsite-nav.yml".into(),
            Flavor::Mdbook => "SUMMARY.md".into(),
            Flavor::Obsidian => format!("{prefix} map.md"),
        }
    }
}

/// Link text that cannot end the link early or start markup (a table cell escapes `|`).
fn escape_label(label: &str) -> String {
    let mut out = String::with_capacity(label.len());
    for c in label.chars() {
        if matches!(c, '[' | ']' | '\\' | '*' | '_' | '`' | '<' | '>') {
            out.push('\\');
        }
        if c != '\n' && c != '\r' {
            out.push(c);
        }
    }
    out
}

/// What a page's path keeps as it is in a link: letters, digits, `-`, `_`, `.`, `~`, and `/`
/// between folders; everything else (spaces, brackets, `#`) is percent-encoded.
const PAGE_PATH: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b'/');

/// A page's name (`Incidents-actions`, `2024/Disk-full`) as a link's path.
fn url_path(page: &str) -> String {
    percent_encoding::utf8_percent_encode(page, PAGE_PATH).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_in_each_flavor() {
        assert_eq!(
            Flavor::Github.link("DB [x]", "Incidents-db"),
            "[DB \\[x\\]](Incidents-db)"
        );
        assert_eq!(Flavor::Azure.link("a", "P-q"), "[a](./P-q.md)");
        assert_eq!(Flavor::Mkdocs.link("a", "P q"), "[a](P%20q.md)");
        assert_eq!(
            Flavor::Mkdocs.link("a", "2024/Disk-full"),
            "[a](2024/Disk-full.md)"
        );
        assert_eq!(Flavor::Obsidian.link("a|b", "P"), "[[P|a\\|b]]");
    }
}

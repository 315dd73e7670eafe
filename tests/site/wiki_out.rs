//! `pmsite wiki`: the library's indexes written into a wiki as plain Markdown, tested with
//! the real tools: `git` (quiet runs, nothing of an author's touched), MkDocs (`mkdocs build
//! --strict`), mdBook (`mdbook build`), and each host's page-name rules for every link.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::harness::*;

fn library() -> SiteTest {
    SiteTest::new()
        .file(
            "content/2024/a.md",
            &toml_pm(
                "INC-1",
                "Checkout | errors <b>",
                "date = 2024-03-12T21:04:00Z\nresolved = 2024-03-12T22:15:00Z\nseverity = \"SEV1\"\ncomponents = [\"checkout-api\", \"postgres\"]\nroot_causes = [\"config-change\"]",
                "\n## Action items\n\n- [ ] Validate configs @bob due:2024-04-01\n- [x] Roll back @ana\n\n## External message\n\nCheckout failed for an hour.\n",
            ),
        )
        .file(
            "content/2024/b.md",
            &toml_pm(
                "INC-2",
                "Search slow",
                "date = 2024-05-01\nseverity = \"SEV3\"\ncomponents = [\"search-api\"]",
                "\nSlow.\n",
            ),
        )
        .file(
            "content/2024/c.md",
            &toml_pm("INC-3", "Secret draft", "date = 2024-06-01\nstatus = \"draft\"\ncomponents = [\"vault\"]", "\nDraft.\n"),
        )
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn wiki(t: &SiteTest, args: &[&str]) -> Cli {
    let mut all = vec!["wiki", "--today", "2026-11-24"];
    all.extend_from_slice(args);
    let out = t.cli(&all);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    out
}

/// Every Markdown link and image of the generated pages that is not a URL, by the page
/// rules of `flavor`: GitHub and GitLab link a page by its name (file without `.md`),
/// MkDocs and mdBook by its relative file.
fn unresolved(dir: &Path, md_links: bool) -> Vec<String> {
    let link = regex::Regex::new(r"\]\(([^)\s]+)\)").unwrap();
    let mut bad = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().filter_map(|e| e.ok()) {
        let name = e.file_name().to_string_lossy().into_owned();
        if !name.ends_with(".md") {
            continue;
        }
        let text = std::fs::read_to_string(e.path()).unwrap();
        for c in link.captures_iter(&text) {
            let target = &c[1];
            if target.starts_with("http") {
                continue;
            }
            let target = percent_encoding::percent_decode_str(target).decode_utf8_lossy();
            let file = if target.ends_with(".svg") || md_links {
                target.to_string()
            } else {
                format!("{target}.md")
            };
            if !dir.join(&file).is_file() {
                bad.push(format!("{name}: {target}"));
            }
        }
    }
    bad
}

#[test]
fn pages_in_a_git_wiki_are_quiet_deterministic_and_leave_the_teams_pages_alone() {
    let t = library();
    let repo = t.root().join("wiki");
    std::fs::create_dir_all(&repo).unwrap();
    let home = "# Home\n\nOur team's own page. It links [Runbooks](Runbooks).\n";
    let sidebar = "* [Home](Home)\n* [Runbooks](Runbooks)\n";
    std::fs::write(repo.join("Home.md"), home).unwrap();
    std::fs::write(repo.join("Runbooks.md"), "# Runbooks\n").unwrap();
    std::fs::write(repo.join("_Sidebar.md"), sidebar).unwrap();
    git(&repo, &["init", "-q"]);
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-qm", "team pages"]);

    let out = wiki(&t, &[]);
    assert!(
        out.stdout.contains("written, 0 deleted, 0 unchanged"),
        "{}",
        out.stdout
    );
    let index = std::fs::read_to_string(repo.join("Incidents.md")).unwrap();
    assert!(
        index.starts_with(pmsite::content::GENERATED_MARKER),
        "{index}"
    );
    assert!(
        index.contains("Checkout \\| errors \\<b\\>"),
        "titles are escaped for a table: {index}"
    );
    assert!(
        index.contains("(https://incidents.example.com/incidents/inc-1/)"),
        "{index}"
    );
    assert!(
        !index.contains("Secret draft"),
        "drafts stay out without --drafts"
    );
    assert!(repo.join("Incidents-component-postgres.md").is_file());
    let actions = std::fs::read_to_string(repo.join("Incidents-actions.md")).unwrap();
    assert!(actions.find("Validate configs").unwrap() < actions.find("Roll back").unwrap());
    assert!(actions.contains("### bob"), "{actions}");
    let patterns = std::fs::read_to_string(repo.join("Incidents-patterns.md")).unwrap();
    assert!(patterns.contains("(Incidents-chart-severity.svg)"));
    assert!(
        std::fs::read_to_string(repo.join("Incidents-chart-severity.svg"))
            .unwrap()
            .contains("<svg")
    );
    let external = std::fs::read_to_string(repo.join("Incidents-external.md")).unwrap();
    assert!(
        external.contains("> Checkout failed for an hour."),
        "{external}"
    );
    let side = std::fs::read_to_string(repo.join("_Sidebar.md")).unwrap();
    assert!(
        side.starts_with(sidebar) && side.contains("[Action items](Incidents-actions)"),
        "{side}"
    );
    assert_eq!(std::fs::read_to_string(repo.join("Home.md")).unwrap(), home);
    assert!(
        unresolved(&repo, false).is_empty(),
        "{:?}",
        unresolved(&repo, false)
    );

    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-qm", "pmsite wiki"]);
    let again = wiki(&t, &[]);
    assert!(
        again.stdout.contains(": 0 written, 0 deleted"),
        "{}",
        again.stdout
    );
    assert_eq!(
        git(&repo, &["status", "--porcelain"]),
        "",
        "a second run changes nothing"
    );

    // A component no incident names any more: its page goes, and only pmsite's pages do.
    let t = t.file(
        "content/2024/b.md",
        &toml_pm(
            "INC-2",
            "Search slow",
            "date = 2024-05-01\nseverity = \"SEV3\"",
            "\nSlow.\n",
        ),
    );
    let dry = wiki(&t, &["--dry-run"]);
    assert!(dry.stdout.contains("would delete"), "{}", dry.stdout);
    assert!(
        repo.join("Incidents-component-search-api.md").is_file(),
        "a dry run changes nothing"
    );
    wiki(&t, &[]);
    assert!(!repo.join("Incidents-component-search-api.md").exists());
    let status = git(&repo, &["status", "--porcelain"]);
    assert!(
        status.contains(" D Incidents-component-search-api.md"),
        "{status}"
    );
    assert!(
        !status.contains("Home.md") && !status.contains("Runbooks.md"),
        "{status}"
    );
    assert_eq!(std::fs::read_to_string(repo.join("Home.md")).unwrap(), home);

    // A page of the team's with pmsite's page name is never overwritten.
    std::fs::write(repo.join("Incidents-tags.md"), "# Our tags\n").unwrap();
    let clash = t.cli(&["wiki", "--today", "2026-11-24"]);
    assert_eq!(clash.code, 2, "{}", clash.stderr);
    assert!(
        clash.stderr.contains("is not a page pmsite wrote"),
        "{}",
        clash.stderr
    );
    assert_eq!(
        std::fs::read_to_string(repo.join("Incidents-tags.md")).unwrap(),
        "# Our tags\n"
    );

    // Drafts appear with --drafts, with the review queue.
    std::fs::remove_file(repo.join("Incidents-tags.md")).unwrap();
    wiki(&t, &["--drafts"]);
    assert!(
        std::fs::read_to_string(repo.join("Incidents.md"))
            .unwrap()
            .contains("Secret draft")
    );
    assert!(repo.join("Incidents-review.md").is_file());
}

/// A wiki checkout that is also the library's content: post-mortem pages are linked as
/// pages of the wiki, an author's related block is filled in, and reading the wiki back
/// (generated pages and all) gives the same library.
#[test]
fn a_wiki_that_is_the_content_reads_back_as_the_same_library() {
    let page = "# Checkout outage\n\n**Date:** 2024-03-12\n**Severity:** SEV1\n**Components:** checkout-api\n\n## Timeline\n\n- 21:04 errors begin\n- 21:40 rolled back\n\n## Action items\n\n- [ ] Validate configs @bob\n\n<!-- pmsite:related -->\n<!-- /pmsite:related -->\n\nThe end.\n";
    let t = SiteTest::new()
        .file("pmsite.toml", &format!("{CONFIG}\n[wiki]\noutput = \"content\"\n"))
        .file("content/Checkout-outage.md", page)
        .file(
            "content/Checkout-again.md",
            "# Checkout again\n\n**Date:** 2024-04-02\n**Components:** checkout-api\n\n## Timeline\n\n- 10:00 errors begin\n\nSee [[Checkout outage]].\n",
        )
        .file(
            "content/2023/Disk-full.md",
            "# Disk full\n\n**Date:** 2023-01-02\n**Components:** postgres\n",
        );
    let before = load_with_drafts(&t);
    let ids = |l: &pmsite::build::Loaded| {
        l.library
            .incidents
            .iter()
            .map(|i| i.id.clone())
            .collect::<Vec<_>>()
    };
    wiki(&t, &[]);
    let index = std::fs::read_to_string(t.root().join("content/Incidents.md")).unwrap();
    assert!(
        index.contains("](Checkout-outage)"),
        "a page of the wiki is linked as one: {index}"
    );
    // GitHub names a page by its file name wherever it is; MkDocs by its path.
    assert!(index.contains("](Disk-full)"), "{index}");
    wiki(&t, &["--flavor", "mkdocs", "-o", "docs-out"]);
    let mk = std::fs::read_to_string(t.root().join("docs-out/Incidents.md")).unwrap();
    assert!(
        mk.contains("(https://incidents.example.com/incidents/disk-full/)"),
        "outside the docs folder: {mk}"
    );
    let filled = std::fs::read_to_string(t.root().join("content/Checkout-outage.md")).unwrap();
    assert!(
        filled.contains("**Linked from**") && filled.contains("Validate configs (bob)"),
        "{filled}"
    );
    assert!(filled.starts_with(&page[..page.find("<!-- pmsite:related -->").unwrap()]));
    assert!(filled.ends_with("<!-- /pmsite:related -->\n\nThe end.\n"));
    let after = load_with_drafts(&t);
    assert_eq!(
        ids(&after),
        ids(&before),
        "generated pages are not post-mortems"
    );
    let body = |l: &pmsite::build::Loaded| {
        l.library
            .incidents
            .iter()
            .map(|i| i.body_text.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        body(&after),
        body(&before),
        "the related block's text is not the author's"
    );
    let again = wiki(&t, &[]);
    assert!(
        again.stdout.contains(": 0 written, 0 deleted"),
        "{}",
        again.stdout
    );
}

#[test]
fn confluence_headers_and_each_flavors_links_and_navigation() {
    let t = library().file(
        "pmsite.toml",
        &format!("{CONFIG}\n[wiki]\nconfluence_space = \"SRE\"\nconfluence_parent = \"Incident library\"\n"),
    );
    let wikilink = regex::Regex::new(r"\[\[([^|\]\\]+)").unwrap();
    for (flavor, nav, link) in [
        ("github", "_Sidebar.md", "](Incidents-actions)"),
        ("gitlab", "_sidebar.md", "](Incidents-actions)"),
        ("azure", ".order", "](./Incidents-actions.md)"),
        ("mkdocs", "pmsite-nav.yml", "](Incidents-actions.md)"),
        ("mdbook", "SUMMARY.md", "](Incidents-actions.md)"),
        (
            "obsidian",
            "Incidents map.md",
            "[[Incidents-actions|action items]]",
        ),
    ] {
        let dir = t.root().join(format!("out-{flavor}"));
        wiki(&t, &["--flavor", flavor, "-o", &dir.to_string_lossy()]);
        let index = std::fs::read_to_string(dir.join("Incidents.md")).unwrap();
        assert!(index.contains(link), "{flavor}: {index}");
        assert!(
            index.starts_with("<!-- Space: SRE -->\n<!-- Parent: Incident library -->\n<!-- Title: Incidents -->\n"),
            "{flavor}: {index}"
        );
        assert!(dir.join(nav).is_file(), "{flavor}: {nav}");
        if flavor == "obsidian" {
            // `[[Page|label]]` names a note by its file name (`[[Page\|label]]` in a table).
            for e in std::fs::read_dir(&dir).unwrap().filter_map(|e| e.ok()) {
                let text = std::fs::read_to_string(e.path()).unwrap_or_default();
                for c in wikilink.captures_iter(&text) {
                    assert!(
                        dir.join(format!("{}.md", &c[1])).is_file(),
                        "obsidian: [[{}]]",
                        &c[1]
                    );
                }
            }
        } else {
            assert!(
                unresolved(&dir, matches!(flavor, "azure" | "mkdocs" | "mdbook")).is_empty(),
                "{flavor}"
            );
        }
    }
}

fn tool(name: &str) -> PathBuf {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join(name))
            .find(|p| p.is_file())
    });
    found.unwrap_or_else(|| {
        let cargo = PathBuf::from(std::env::var("HOME").unwrap_or_default())
            .join(".cargo/bin")
            .join(name);
        assert!(
            cargo.is_file(),
            "{name} is not installed: .ci/run installs it"
        );
        cargo
    })
}

#[test]
#[ignore = "needs mkdocs; .ci/run installs it and runs ignored tests"]
fn mkdocs_builds_the_pages_strictly() {
    let t = library()
        .file(
            "site/mkdocs.yml",
            "site_name: Incidents\nINHERIT: docs/pmsite-nav.yml\n",
        )
        .file(
            "site/docs/index.md",
            "# Docs home\n\nSee [the incidents](Incidents.md).\n",
        );
    wiki(&t, &["--flavor", "mkdocs", "-o", "site/docs"]);
    // As a module of the Python that .ci/run installed it into, wherever its scripts went.
    let out = Command::new("python3")
        .args(["-m", "mkdocs", "build", "--strict", "-q"])
        .current_dir(t.root().join("site"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "mkdocs build --strict: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        t.root()
            .join("site/site/Incidents-actions/index.html")
            .is_file()
    );
}

#[test]
#[ignore = "needs mdbook; .ci/run installs it and runs ignored tests"]
fn mdbook_builds_the_summary_and_every_link_resolves() {
    let t = library()
        .file("book/book.toml", "[book]\ntitle = \"Incidents\"\n")
        .file("book/src/intro.md", "# Introduction\n")
        .file(
            "book/src/SUMMARY.md",
            "# Summary\n\n[Introduction](intro.md)\n\n",
        );
    wiki(&t, &["--flavor", "mdbook", "-o", "book/src"]);
    let out = Command::new(tool("mdbook"))
        .arg("build")
        .current_dir(t.root().join("book"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "mdbook build: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary = std::fs::read_to_string(t.root().join("book/src/SUMMARY.md")).unwrap();
    assert!(
        summary.starts_with("# Summary\n\n[Introduction](intro.md)\n"),
        "{summary}"
    );
    let html = regex::Regex::new(r##"href="([^"#:]+\.html)"##).unwrap();
    let book = t.root().join("book/book");
    let page = std::fs::read_to_string(book.join("Incidents.html")).unwrap();
    let mut seen = 0;
    for c in html.captures_iter(&page) {
        assert!(book.join(&c[1]).is_file(), "{} does not resolve", &c[1]);
        seen += 1;
    }
    assert!(seen > 5, "{seen}");
}

/// A wiki that allows iframes but not scripts embeds a component's or tag's card: the latest
/// incidents and the open action items (overdue first), with no script at all.
#[test]
fn embed_cards_for_components_and_tags_have_no_script() {
    let t = library().build();
    let card = t.read("embed/components/postgres/index.html");
    assert!(!card.contains("<script"), "{card}");
    assert!(card.contains("<base target=\"_top\">"));
    assert!(
        card.contains("Checkout | errors &lt;b&gt;"),
        "titles are escaped: {card}"
    );
    assert!(
        card.contains("Validate configs") && !card.contains("Roll back"),
        "open items only: {card}"
    );
    assert!(card.contains("badge-overdue"), "{card}");
    assert!(
        !t.exists("embed/root-causes/config-change/index.html"),
        "cards are for components and tags"
    );
    assert!(
        !t.exists("embed/components/vault/index.html"),
        "a draft's component has no card"
    );
}

/// `[wiki] pages` picks the pages, `prefix` names them (spaces as hyphens), and restricted
/// post-mortems appear only with `--include-restricted`; a page name pmsite does not know is
/// a config error.
#[test]
fn chosen_pages_prefix_and_restricted() {
    let t = library()
        .file(
            "pmsite.toml",
            &format!("{CONFIG}\n[wiki]\nprefix = \"Incident log\"\npages = [\"actions\"]\n"),
        )
        .file(
            "content/2024/r.md",
            &toml_pm(
                "INC-9",
                "Restricted breach",
                "date = 2024-07-01\nvisibility = \"restricted\"",
                "",
            ),
        );
    wiki(&t, &[]);
    let dir = t.root().join("wiki");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["Incident-log-actions.md", "Incident-log.md", "_Sidebar.md"]
    );
    let index = std::fs::read_to_string(dir.join("Incident-log.md")).unwrap();
    assert!(!index.contains("Restricted breach"));
    assert!(
        index.contains("| checkout-api, postgres |"),
        "no link to a page not written: {index}"
    );
    assert!(
        unresolved(&dir, false).is_empty(),
        "{:?}",
        unresolved(&dir, false)
    );
    wiki(&t, &["--include-restricted"]);
    let index = std::fs::read_to_string(dir.join("Incident-log.md")).unwrap();
    assert!(index.contains("Restricted breach"));
    let bad = t.file(
        "pmsite.toml",
        &format!("{CONFIG}\n[wiki]\npages = [\"timelines\"]\n"),
    );
    let out = bad.cli(&["wiki"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains("[wiki] pages has no page `timelines`"),
        "{}",
        out.stderr
    );
}

//! The route table is the site's layout: every file a build writes has a route whose path
//! is that file, and every route the table lists for a library is written.

use std::collections::BTreeSet;

use crate::harness::*;

fn library() -> SiteTest {
    SiteTest::new()
        .file(
            "content/a.md",
            &toml_pm(
                "INC-A",
                "A",
                "date = 2024-01-01\nseverity = \"SEV1\"\ncomponents = [\"db\"]\ntags = [\"deploy\"]\nroot_causes = [\"config-change\"]",
                "## Action items\n\n- [ ] Fix @bob P1\n\n## External message\n\nSorry.\n",
            ),
        )
        .file(
            "content/b.md",
            &toml_pm("INC-B", "B", "date = 2024-02-01\nstatus = \"draft\"", "Body.\n"),
        )
        .drafts()
        .build()
}

fn written(t: &SiteTest) -> BTreeSet<String> {
    let mut files = BTreeSet::new();
    let mut stack = vec![t.public()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p
                    .strip_prefix(t.public())
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                if rel != pmsite::output::MARKER {
                    files.insert(rel);
                }
            }
        }
    }
    files
}

#[test]
fn every_written_file_has_its_route_and_every_route_is_written() {
    use pmsite::render::{RowCache, theme::Theme};
    use pmsite::routes::Route;
    let t = library();
    let files = written(&t);
    let theme = Theme::load(t.root(), "default").unwrap();
    let is_static = |p: &str| theme.static_files.contains_key(p);
    for file in &files {
        let route = Route::parse(file, is_static)
            .unwrap_or_else(|| panic!("{file} is written but the route table has no route for it"));
        assert_eq!(route.path(), file.as_str(), "{route:?}");
    }
    let loaded = load_with_drafts(&t);
    let rows = RowCache::default();
    let site = site_of(&loaded, &theme, &rows);
    let routed: BTreeSet<String> = site
        .routes()
        .iter()
        .map(|r| r.path().into_owned())
        .collect();
    let missing: Vec<_> = routed.difference(&files).collect();
    assert!(missing.is_empty(), "routes with no file: {missing:?}");
    let unlisted: Vec<_> = files
        .difference(&routed)
        .filter(|f| {
            !f.starts_with("search/shards/")
                && !f.starts_with("search/docs/")
                && (!f.starts_with("search/meta/") || f.as_str() == "search/meta/all.json")
        })
        .collect();
    assert!(
        unlisted.is_empty(),
        "files the table does not list: {unlisted:?}"
    );
    for file in &files {
        assert!(site.part_of(file).is_some(), "{file} has no part");
    }
}

/// A post-mortem may link to any real page of the site, by its folder or its file; a link to
/// a page the site does not have is still an error in `check`.
#[test]
fn links_to_any_real_page_of_the_site_pass_check() {
    let body = "See [search](/search/), [s2](/search), [css](/syntax.css), [js](/tables.js), \
        [owners](/actions/owners), [components](/components/), [db](/components/db/), \
        [feed](/components/db/atom.xml), [review](/review/), [json](/incidents.json), \
        [chart](/patterns/time-to-resolve.svg), [self](/incidents/inc-a/#action-items) and \
        [abs](https://incidents.example.com/search/).\n\n## Action items\n\n- [ ] Fix @bob\n";
    let t = SiteTest::new().file(
        "content/a.md",
        &toml_pm(
            "INC-A",
            "A",
            "date = 2024-01-01\ncomponents = [\"db\"]",
            body,
        ),
    );
    let diags = pmsite::build::check(t.root(), t.today).unwrap();
    let links: Vec<String> = lines(&diags)
        .into_iter()
        .filter(|l| l.contains("link to"))
        .collect();
    assert!(links.is_empty(), "{links:#?}");

    let t = t.file(
        "content/b.md",
        &toml_pm(
            "INC-B",
            "B",
            "date = 2024-01-02",
            "[x](/nowhere/) [y](/components/nothing/) [z](/severities/sev1/atom.xml) [w](/search/shards/x.json)\n",
        ),
    );
    let diags = pmsite::build::check(t.root(), t.today).unwrap();
    assert_diag(
        &diags,
        "content/b.md:6: error",
        "link to /nowhere/: no page of the site is there",
    );
    assert_diag(
        &diags,
        "content/b.md:6: error",
        "link to /components/nothing/: no component",
    );
    assert_diag(
        &diags,
        "content/b.md:6: error",
        "link to /severities/sev1/atom.xml",
    );
    assert_diag(
        &diags,
        "content/b.md:6: error",
        "link to /search/shards/x.json",
    );
    // `build` warns about the same links and still builds.
    let report = t.try_build().unwrap();
    assert!(
        report
            .warnings
            .iter()
            .any(|w| w.to_string().contains("link to /nowhere/")),
        "{:?}",
        report.warnings
    );
}

//! The library's derived views as Markdown pages: the incident index, a page per
//! component, root cause, tag and severity, the action-item tracker, patterns, customer
//! messages and (with drafts) the review queue. Plain data in, page text out.

use super::flavor::Flavor;
use crate::config::Config;
use crate::content::model::{Incident, Taxonomy};
use crate::dates::human_minutes;
use crate::library::{Library, tracker};

/// One page pmsite writes: its name (the file name without `.md`), title and Markdown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub name: String,
    pub title: String,
    pub body: String,
}

/// What the pages need to know besides the library.
pub struct Context<'a> {
    pub lib: &'a Library,
    pub config: &'a Config,
    pub flavor: Flavor,
    pub prefix: &'a str,
    /// The page name of each incident that lives in this wiki (by index), else None and
    /// the link goes to the published site.
    pub in_wiki: Vec<Option<String>>,
}

impl Context<'_> {
    /// A page's name: the prefix (its spaces as hyphens, as wikis name pages) and the part.
    pub fn page_name(&self, part: &str) -> String {
        let prefix = self.prefix.trim().replace(' ', "-");
        if part.is_empty() {
            prefix
        } else {
            format!("{prefix}-{part}")
        }
    }

    /// Whether `[wiki] pages` asks for a page.
    fn wants(&self, page: &str) -> bool {
        self.config.wiki.pages.iter().any(|p| p == page)
    }

    /// Whether `[wiki] pages` asks for a taxonomy's pages (`root_causes`).
    fn wants_terms(&self, taxonomy: Taxonomy) -> bool {
        self.wants(&taxonomy.title().to_lowercase().replace(' ', "_"))
    }

    fn term_page(&self, taxonomy: Taxonomy, slug: &str) -> String {
        self.page_name(&format!("{}-{slug}", taxonomy.singular().replace(' ', "-")))
    }

    /// A link to a term's page, or its name where `[wiki] pages` leaves that taxonomy out.
    fn term_link(&self, taxonomy: Taxonomy, name: &str, slug: &str) -> String {
        if self.wants_terms(taxonomy) {
            self.flavor.link(name, &self.term_page(taxonomy, slug))
        } else {
            cell(name)
        }
    }

    fn taxonomy_page(&self, taxonomy: Taxonomy) -> String {
        self.page_name(&taxonomy.title().to_lowercase().replace(' ', "-"))
    }

    fn incident_link(&self, i: usize) -> String {
        let inc = &self.lib.incidents[i];
        let label = format!("{}: {}", inc.id, inc.title);
        match &self.in_wiki[i] {
            Some(page) => self.flavor.link(&label, page),
            None => self.flavor.external(
                &label,
                &crate::routes::Route::Incident(&inc.slug).absolute(self.config),
            ),
        }
    }
}

/// Markdown already formatted (a link) for a table cell: one line, no cell breaks.
pub fn md_cell(md: &str) -> String {
    md.replace('|', "\\|").replace(['\n', '\r'], " ")
}

/// Text for a table cell: one line, no cell breaks, no markup that would escape it.
pub fn cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '|' => out.push_str("\\|"),
            '\n' | '\r' | '\t' => out.push(' '),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

fn date_of(inc: &Incident) -> String {
    inc.date
        .map(|d| d.date().to_string())
        .unwrap_or_else(|| "undated".into())
}

/// A table of incidents, newest first.
fn incident_table(cx: &Context<'_>, incidents: &[usize]) -> String {
    let mut out = String::from(
        "| Date | Severity | Incident | Components | Time to resolve |\n| --- | --- | --- | --- | --- |\n",
    );
    for &i in incidents {
        let inc = &cx.lib.incidents[i];
        let components: Vec<String> = inc
            .components
            .iter()
            .filter_map(|c| cx.lib.terms(Taxonomy::Components).get(c))
            .map(|t| cx.term_link(Taxonomy::Components, &t.name, &t.slug))
            .collect();
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            date_of(inc),
            cell(inc.severity.as_deref().unwrap_or("")),
            md_cell(&cx.incident_link(i)),
            md_cell(&components.join(", ")),
            cx.lib.derived[i]
                .time_to_resolve
                .map(human_minutes)
                .unwrap_or_default(),
        ));
    }
    out
}

fn page(name: String, title: &str, body: String) -> Page {
    Page {
        name,
        title: title.to_string(),
        body: format!("# {title}\n\n{body}"),
    }
}

/// Every page, in a stable order. `drafts` adds the review queue.
pub fn pages(cx: &Context<'_>, drafts: bool) -> Vec<Page> {
    let lib = cx.lib;
    let mut out = Vec::new();
    let all: Vec<usize> = (0..lib.incidents.len()).collect();
    let taxonomies: Vec<Taxonomy> = Taxonomy::ALL
        .into_iter()
        .filter(|t| cx.wants_terms(*t))
        .collect();
    let mut see: Vec<String> = taxonomies
        .iter()
        .map(|t| {
            cx.flavor
                .link(&t.title().to_lowercase(), &cx.taxonomy_page(*t))
        })
        .collect();
    for (page, label) in [
        ("actions", "action items"),
        ("patterns", "patterns"),
        ("external", "customer messages"),
    ] {
        if cx.wants(page) {
            see.push(cx.flavor.link(label, &cx.page_name(page)));
        }
    }
    let mut index = format!("{} post-mortems, newest first.", lib.incidents.len());
    if !see.is_empty() {
        index.push_str(&format!(" See {}.", see.join(", ")));
    }
    index.push_str("\n\n");
    index.push_str(&incident_table(cx, &all));
    out.push(page(cx.page_name(""), "Incidents", index));
    for taxonomy in taxonomies {
        let terms = &lib.terms(taxonomy).terms;
        let mut list = format!("| {} | Incidents |\n| --- | --- |\n", taxonomy.singular());
        for t in terms {
            list.push_str(&format!(
                "| {} | {} |\n",
                md_cell(&cx.flavor.link(&t.name, &cx.term_page(taxonomy, &t.slug))),
                t.incidents.len()
            ));
            let body = format!(
                "{} incident{} with this {}, newest first. {}\n\n{}",
                t.incidents.len(),
                if t.incidents.len() == 1 { "" } else { "s" },
                taxonomy.singular(),
                cx.flavor.link("All incidents", &cx.page_name("")),
                incident_table(cx, &t.incidents)
            );
            out.push(page(
                cx.term_page(taxonomy, &t.slug),
                &format!("{}: {}", capitalise(taxonomy.singular()), t.name),
                body,
            ));
        }
        out.push(page(cx.taxonomy_page(taxonomy), taxonomy.title(), list));
    }
    if cx.wants("actions") {
        out.push(page(cx.page_name("actions"), "Action items", actions(cx)));
    }
    if cx.wants("patterns") {
        out.push(page(cx.page_name("patterns"), "Patterns", patterns(cx)));
    }
    if cx.wants("external") {
        out.push(page(
            cx.page_name("external"),
            "Customer messages",
            external(cx),
        ));
    }
    if drafts && cx.wants("review") {
        out.push(page(cx.page_name("review"), "Review queue", review(cx)));
    }
    out
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

/// Overdue first, then open by due date, then done; and the open ones by owner.
fn actions(cx: &Context<'_>) -> String {
    let lib = cx.lib;
    let ordered = tracker::ordered(lib);
    let state = |i: usize, k: usize| {
        let d = &lib.derived[i].actions[k];
        if lib.incidents[i].action_items[k].done {
            "done"
        } else if d.overdue {
            "**overdue**"
        } else {
            "open"
        }
    };
    let row = |&(i, k): &(usize, usize)| {
        let item = &lib.incidents[i].action_items[k];
        format!(
            "| {} | {} | {} | {} | {} |\n",
            state(i, k),
            cell(&item.text),
            cell(item.owner.as_deref().unwrap_or("")),
            lib.derived[i].actions[k]
                .due
                .map(|d| d.to_string())
                .unwrap_or_default(),
            md_cell(&cx.incident_link(i)),
        )
    };
    let head = "| State | Action | Owner | Due | Incident |\n| --- | --- | --- | --- | --- |\n";
    let open: Vec<_> = ordered
        .iter()
        .filter(|(i, k)| !lib.incidents[*i].action_items[*k].done)
        .copied()
        .collect();
    let mut out = format!(
        "{} open, {} overdue, {} done.\n\n## Open\n\n{head}",
        open.len(),
        lib.overdue_actions(),
        ordered.len() - open.len()
    );
    out.extend(open.iter().map(row));
    out.push_str("\n## By owner\n");
    for (owner, items) in tracker::by_owner(lib, &open) {
        out.push_str(&format!(
            "\n### {}\n\n{head}",
            cell(owner.as_deref().unwrap_or("No owner"))
        ));
        out.extend(items.iter().map(row));
    }
    let done: Vec<_> = ordered
        .iter()
        .filter(|(i, k)| lib.incidents[*i].action_items[*k].done)
        .copied()
        .collect();
    out.push_str(&format!("\n## Done\n\n{head}"));
    out.extend(done.iter().map(row));
    out
}

/// Root causes and components with counts and times, and the charts beside the page.
fn patterns(cx: &Context<'_>) -> String {
    let p = &cx.lib.patterns;
    let mut out = format!(
        "![Incidents per {} by severity]({})\n\n![Median time to resolve per {}]({})\n\n",
        p.period,
        chart_file(cx, "severity"),
        p.period,
        chart_file(cx, "resolve")
    );
    for (title, taxonomy, rows) in [
        ("Root causes", Taxonomy::RootCauses, &p.root_causes),
        (
            "Contributing factors",
            Taxonomy::ContributingFactors,
            &p.contributing_factors,
        ),
        ("Components", Taxonomy::Components, &p.components),
    ] {
        if rows.is_empty() && taxonomy == Taxonomy::ContributingFactors {
            continue;
        }
        out.push_str(&format!(
            "## {title}\n\n| {} | Incidents | Median time to resolve | Last | Last {days} days | {days} days before |\n| --- | --- | --- | --- | --- | --- |\n",
            taxonomy.singular(),
            days = p.window_days
        ));
        for r in rows.iter() {
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} |\n",
                md_cell(&cx.term_link(taxonomy, &r.name, &r.slug)),
                r.count,
                r.human.time_to_resolve_median,
                r.last.map(|d| d.to_string()).unwrap_or_default(),
                r.recent,
                r.before
            ));
        }
        out.push('\n');
    }
    out
}

/// The file name of a chart written beside the pages.
pub fn chart_file(cx: &Context<'_>, which: &str) -> String {
    cx.page_name(&format!("chart-{which}.svg"))
}

/// Each post-mortem's message to customers, newest first.
fn external(cx: &Context<'_>) -> String {
    let mut out = String::from("What customers were told, newest first.\n");
    for (i, inc) in cx.lib.incidents.iter().enumerate() {
        let Some(m) = &inc.external_message else {
            continue;
        };
        out.push_str(&format!(
            "\n## {}\n\n{} · {}\n\n",
            cell(&inc.title),
            date_of(inc),
            cx.incident_link(i)
        ));
        for line in m.text.lines() {
            out.push_str(&format!("> {}\n", line.replace('<', "&lt;")));
        }
    }
    out
}

/// Drafts and post-mortems in review, with what each still lacks.
fn review(cx: &Context<'_>) -> String {
    let mut out = String::from("| Incident | Status | Missing |\n| --- | --- | --- |\n");
    for (i, inc) in cx.lib.incidents.iter().enumerate() {
        if inc.status == crate::content::model::Status::Published {
            continue;
        }
        let missing = crate::library::review::missing(inc, &cx.config.severities);
        out.push_str(&format!(
            "| {} | {} | {} |\n",
            md_cell(&cx.incident_link(i)),
            inc.status.as_str(),
            cell(&missing.join(", "))
        ));
    }
    out
}

/// An incident's related incidents, backlinks and open action items, for the block an
/// author placed on its page.
pub fn related_block(cx: &Context<'_>, i: usize) -> String {
    let lib = cx.lib;
    let d = &lib.derived[i];
    let mut out = String::new();
    if !d.related.is_empty() {
        out.push_str("**Related incidents**\n\n");
        for r in &d.related {
            out.push_str(&format!(
                "- {} ({})\n",
                cx.incident_link(r.index),
                cell(&r.reason)
            ));
        }
        out.push('\n');
    }
    if !d.backlinks.is_empty() {
        out.push_str("**Linked from**\n\n");
        for &j in &d.backlinks {
            out.push_str(&format!("- {}\n", cx.incident_link(j)));
        }
        out.push('\n');
    }
    let open: Vec<_> = lib.incidents[i]
        .action_items
        .iter()
        .zip(&d.actions)
        .filter(|(a, _)| !a.done)
        .collect();
    if !open.is_empty() {
        out.push_str("**Open action items**\n\n");
        for (a, da) in open {
            let due = da.due.map(|d| format!(", due {d}")).unwrap_or_default();
            let overdue = if da.overdue { " (overdue)" } else { "" };
            out.push_str(&format!(
                "- {}{}{due}{overdue}\n",
                cell(&a.text),
                a.owner
                    .as_deref()
                    .map(|o| format!(" ({})", cell(o)))
                    .unwrap_or_default()
            ));
        }
    }
    out
}

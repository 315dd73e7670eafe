//! RSS 2.0 and Atom 1.0 feeds of published post-mortems, for the whole library and per
//! component, tag and root cause. Built with the `rss` and `atom_syndication` crates, which
//! escape every value for XML.

use atom_syndication as atom;

use crate::config::Config;
use crate::content::model::{Incident, Status};
use crate::dates::human_minutes;
use crate::library::fields::map_fields;
use crate::library::{Derived, Library};
use crate::markdown::escape_html;

/// The incidents a feed lists: published, with a publication date, newest publication first.
pub fn entries(lib: &Library, among: impl IntoIterator<Item = usize>) -> Vec<usize> {
    let mut out: Vec<usize> = among
        .into_iter()
        .filter(|&i| {
            lib.incidents[i].status == Status::Published
                && lib.incidents[i].publication_date().is_some()
        })
        .collect();
    out.sort_by(|&a, &b| {
        let (x, y) = (&lib.incidents[a], &lib.incidents[b]);
        (y.publication_date(), y.date, &x.id).cmp(&(x.publication_date(), x.date, &y.id))
    });
    out
}

/// One line on what the incident cost: the `[impact]` fields and the time to resolve.
pub fn impact_line(incident: &Incident, derived: &Derived) -> Option<String> {
    let mut parts: Vec<String> = map_fields(&incident.impact)
        .into_iter()
        .filter(|f| !f.value.is_empty())
        .map(|f| format!("{}: {}", f.label, f.value))
        .collect();
    if let Some(m) = derived.time_to_resolve {
        parts.push(format!("Resolved in {}", human_minutes(m)));
    }
    (!parts.is_empty()).then(|| format!("Impact: {}.", parts.join("; ")))
}

/// The summary, then the impact line.
pub fn description(incident: &Incident, derived: &Derived) -> String {
    let mut out = incident.summary.clone().unwrap_or_default();
    if let Some(line) = impact_line(incident, derived) {
        if !out.is_empty() {
            out.push_str("\n\n");
        }
        out.push_str(&line);
    }
    out
}

fn item_title(incident: &Incident) -> String {
    match &incident.severity {
        Some(s) => format!("[{s}] {}", incident.title),
        None => incident.title.clone(),
    }
}

fn categories(incident: &Incident) -> Vec<String> {
    incident
        .severity
        .iter()
        .chain(&incident.components)
        .cloned()
        .collect()
}

/// A feed's identity: its title and where it and its page live.
pub struct FeedMeta<'a> {
    pub title: &'a str,
    pub description: &'a str,
    /// The HTML page the feed follows (absolute).
    pub page_url: &'a str,
    /// The feed's own URL (absolute).
    pub self_url: &'a str,
}

pub fn rss(
    config: &Config,
    lib: &Library,
    meta: &FeedMeta<'_>,
    entries: &[usize],
    limit: usize,
) -> String {
    let mut channel = rss::Channel::default();
    channel.set_title(meta.title);
    channel.set_link(meta.page_url);
    channel.set_description(meta.description);
    channel.set_generator("pmsite".to_string());
    let items: Vec<rss::Item> = entries
        .iter()
        .take(limit)
        .map(|&i| {
            let (incident, derived) = (&lib.incidents[i], &lib.derived[i]);
            let url = crate::routes::Route::Incident(&incident.slug).absolute(config);
            let mut item = rss::Item::default();
            item.set_title(item_title(incident));
            item.set_link(url.clone());
            // RSS descriptions are HTML: the text is escaped, its paragraphs kept.
            let html: String = description(incident, derived)
                .split("\n\n")
                .map(|p| format!("<p>{}</p>", escape_html(p)))
                .collect();
            item.set_description(html);
            item.set_guid(rss::Guid {
                value: url,
                permalink: true,
            });
            item.set_pub_date(incident.publication_date().map(|d| d.at.to_rfc2822()));
            item.set_categories(
                categories(incident)
                    .into_iter()
                    .map(|name| rss::Category { name, domain: None })
                    .collect::<Vec<_>>(),
            );
            item
        })
        .collect();
    if let Some(&first) = entries.first() {
        channel.set_last_build_date(
            lib.incidents[first]
                .publication_date()
                .map(|d| d.at.to_rfc2822()),
        );
    }
    channel.set_items(items);
    crate::escape::xml_text(&channel.to_string()).into_owned()
}

pub fn atom(
    config: &Config,
    lib: &Library,
    meta: &FeedMeta<'_>,
    entries: &[usize],
    limit: usize,
) -> String {
    let mut feed = atom::Feed::default();
    feed.set_title(meta.title);
    feed.set_id(meta.self_url);
    if !meta.description.is_empty() {
        feed.set_subtitle(Some(atom::Text::plain(meta.description)));
    }
    let link = |href: &str, rel: &str, mime: &str| atom::Link {
        href: href.to_string(),
        rel: rel.to_string(),
        mime_type: Some(mime.to_string()),
        ..atom::Link::default()
    };
    feed.set_links(vec![
        link(meta.self_url, "self", "application/atom+xml"),
        link(meta.page_url, "alternate", "text/html"),
    ]);
    feed.set_generator(Some(atom::Generator {
        value: "pmsite".into(),
        ..atom::Generator::default()
    }));
    // Updated: the newest entry, so an unchanged library gives a byte-identical feed.
    let newest = entries
        .first()
        .and_then(|&i| lib.incidents[i].publication_date())
        .map(|d| d.at);
    feed.set_updated(newest.unwrap_or_else(|| {
        crate::dates::When::from_date(
            chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default(),
        )
        .at
    }));
    let items: Vec<atom::Entry> = entries
        .iter()
        .take(limit)
        .map(|&i| {
            let (incident, derived) = (&lib.incidents[i], &lib.derived[i]);
            let url = crate::routes::Route::Incident(&incident.slug).absolute(config);
            let mut entry = atom::Entry::default();
            entry.set_title(item_title(incident));
            entry.set_id(url.clone());
            entry.set_links(vec![link(&url, "alternate", "text/html")]);
            let published = incident.publication_date().map(|d| d.at);
            entry.set_published(published);
            entry.set_updated(published.unwrap_or_default());
            entry.set_summary(Some(atom::Text::plain(description(incident, derived))));
            entry.set_categories(
                categories(incident)
                    .into_iter()
                    .map(|term| atom::Category {
                        term,
                        ..atom::Category::default()
                    })
                    .collect::<Vec<_>>(),
            );
            if let Some(author) = &incident.people.author {
                entry.set_authors(vec![atom::Person {
                    name: author.clone(),
                    ..atom::Person::default()
                }]);
            }
            entry
        })
        .collect();
    feed.set_entries(items);
    crate::escape::xml_text(&feed.to_string()).into_owned()
}

//! The theme: Tera templates and static files. The default theme is compiled in so the
//! binary works anywhere; a library's `themes/<theme>/` and then its own `templates/` and
//! `static/` override any file of it.

use std::collections::BTreeMap;
use std::path::Path;

use tera::Tera;

use crate::error::{Error, IoContext, Result};

macro_rules! embedded {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../../themes/default/", $name)))),*]
    };
}

/// The default theme's files, as shipped in `themes/default/`.
const DEFAULT_THEME: &[(&str, &str)] = embedded![
    "templates/base.html",
    "templates/macros.html",
    "templates/index.html",
    "templates/incidents.html",
    "templates/incident.html",
    "templates/404.html",
    "templates/terms.html",
    "templates/term.html",
    "templates/embed_card.html",
    "templates/actions.html",
    "templates/actions_grouped.html",
    "templates/patterns.html",
    "templates/external.html",
    "templates/review.html",
    "templates/search.html",
    "templates/teams.html",
    "templates/team.html",
    "templates/reinvestment.html",
    "templates/reviews.html",
    "templates/review_period.html",
    "templates/partials/incident_row.html",
    "templates/digest.html",
    "templates/digest.txt",
    "static/tables.js",
    "static/search.js",
    "static/search-box.js",
    "static/elasticlunr.min.js",
    "static/embed.js",
    "static/style.css",
    "static/syntax.css",
    "static/favicon.svg",
];

pub struct Theme {
    pub tera: Tera,
    /// A hash of every template: pages rendered with other templates are never reused.
    pub fingerprint: u64,
    /// Static files by their path in the site.
    pub static_files: BTreeMap<String, Vec<u8>>,
}

impl Theme {
    /// Loads templates once per build: compiled-in defaults, overridden by the library.
    pub fn load(root: &Path, theme: &str) -> Result<Theme> {
        let mut templates: BTreeMap<String, String> = BTreeMap::new();
        // Where each template came from, relative to the library: for a problem's path.
        let mut origins: BTreeMap<String, std::path::PathBuf> = BTreeMap::new();
        let mut static_files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
        for (path, text) in DEFAULT_THEME {
            if let Some(name) = path.strip_prefix("templates/") {
                templates.insert(name.to_string(), text.to_string());
                origins.insert(name.to_string(), Path::new("themes/default").join(path));
            } else if let Some(name) = path.strip_prefix("static/") {
                static_files.insert(name.to_string(), text.as_bytes().to_vec());
            }
        }
        let theme_dir = root.join("themes").join(theme);
        if theme != "default" && !theme_dir.is_dir() {
            return Err(Error::Refused(format!(
                "pmsite.toml: theme `{theme}` not found: there is no {} folder",
                theme_dir.display()
            )));
        }
        for dir in [theme_dir.clone(), root.to_path_buf()] {
            let templates_dir = dir.join("templates");
            read_dir_into(&templates_dir, &mut |name, bytes| {
                let file = crate::diagnostics::display_path(root, &templates_dir.join(&name));
                origins.insert(name.clone(), file);
                templates.insert(name, String::from_utf8_lossy(&bytes).into_owned());
            })?;
            read_dir_into(&dir.join("static"), &mut |name, bytes| {
                static_files.insert(name, bytes);
            })?;
        }
        let fingerprint = {
            let parts: Vec<&[u8]> = templates
                .iter()
                .flat_map(|(name, text)| [name.as_bytes(), text.as_bytes()])
                .collect();
            crate::cache::hash128(&parts) as u64
        };
        let mut tera = Tera::default();
        tera.add_raw_templates(templates.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .map_err(|e| Error::Invalid(vec![template_problem(&e, &origins)]))?;
        tera.autoescape_on(vec![".html", ".xml"]);
        // Escapes & < > " ' (enough for element text and quoted attributes), leaving `/` in
        // URLs readable where Tera's default writes `&#x2F;`.
        tera.set_escape_fn(crate::markdown::escape_html);
        Ok(Theme {
            tera,
            fingerprint,
            static_files,
        })
    }
}

fn read_dir_into(dir: &Path, add: &mut dyn FnMut(String, Vec<u8>)) -> Result<()> {
    if !dir.is_dir() {
        return Ok(());
    }
    for entry in walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(|e| e.ok())
    {
        if !entry.file_type().is_file() || entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let rel = entry.path().strip_prefix(dir).unwrap_or(entry.path());
        let name = rel.to_string_lossy().replace('\\', "/");
        let bytes = std::fs::read(entry.path()).at(entry.path())?;
        add(name, bytes);
    }
    Ok(())
}

/// A template that does not parse, as a diagnostic at its file, line and column: Tera names
/// the template (`Failed to parse 'incident.html'`) and the parser the place (` --> 3:23`).
fn template_problem(
    e: &tera::Error,
    origins: &BTreeMap<String, std::path::PathBuf>,
) -> crate::diagnostics::Diagnostic {
    let message = tera_message(e);
    let name = message
        .split(['\'', '"'])
        .nth(1)
        .filter(|n| origins.contains_key(*n));
    let path = name.map_or_else(|| "templates".into(), |n| origins[n].clone());
    let (line, column) = message
        .split_once("--> ")
        .and_then(|(_, rest)| {
            let place = rest.split_whitespace().next()?;
            let (l, c) = place.split_once(':')?;
            Some((l.parse().ok()?, c.parse().ok()?))
        })
        .unwrap_or((0, 0));
    // The parser's own last line says what it expected; the rest repeats the source.
    let expected = message
        .lines()
        .rev()
        .find_map(|l| l.trim().strip_prefix("= "))
        .map(str::to_string);
    let what = match (name, expected) {
        (Some(n), Some(x)) => format!("template {n} does not parse: {x}"),
        _ => message.lines().next().unwrap_or_default().to_string(),
    };
    crate::diagnostics::Diagnostic::error(path, line, what)
        .column(column)
        .code("template")
}

/// Tera's error with its causes, which carry the template name and line.
pub fn tera_message(e: &tera::Error) -> String {
    let mut msg = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        source = s.source();
    }
    msg
}

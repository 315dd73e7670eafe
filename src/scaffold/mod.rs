//! `pmsite init` and `pmsite new`: files written for the user, never over an existing one.

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use chrono::{Days, NaiveDate, NaiveDateTime};
use regex::Regex;

use crate::config::{CONFIG_FILE, Config};
use crate::content::{self, CONTENT_DIR, normalise_severity};
use crate::error::{Error, Result};

const CONFIG_TEMPLATE: &str = include_str!("pmsite.toml");
const EXAMPLE: &str = include_str!("example.md");
const NEW_TEMPLATE: &str = include_str!("new.md");
const TAXONOMY: &str = include_str!("taxonomy.toml");
const CATALOG: &str = include_str!("catalog-info.yaml");

fn create_new(path: &Path, text: &str) -> Result<()> {
    crate::output::write_new(path, text.as_bytes())
}

/// A new library in `dir`: `pmsite.toml`, a small vocabulary and catalog, and one example
/// post-mortem.
pub fn init(dir: &Path) -> Result<Vec<PathBuf>> {
    let config = dir.join(CONFIG_FILE);
    if config.exists() {
        return Err(Error::Refused(format!(
            "{} already exists: {} is a library already",
            config.display(),
            dir.display()
        )));
    }
    let example = dir
        .join(CONTENT_DIR)
        .join("2024")
        .join("checkout-config-push.md");
    let taxonomy = dir.join(crate::vocabulary::TAXONOMY_FILE);
    let catalog = dir.join("catalog-info.yaml");
    for path in [&example, &taxonomy, &catalog] {
        if path.exists() {
            return Err(Error::Refused(format!(
                "{} already exists; pmsite never overwrites a file",
                path.display()
            )));
        }
    }
    create_new(&config, CONFIG_TEMPLATE)?;
    create_new(&taxonomy, TAXONOMY)?;
    create_new(&catalog, CATALOG)?;
    create_new(&example, EXAMPLE)?;
    Ok(vec![config, taxonomy, catalog, example])
}

static INC_ID: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?m)^\s*id\s*[=:]\s*["']?INC-(\d{4})-(\d+)"#).expect("id regex")
});

/// A new draft post-mortem from the template, with the next free `INC-YYYY-NNN` id.
pub fn new_incident(
    root: &Path,
    title: &str,
    severity: Option<&str>,
    date: Option<&str>,
    now: NaiveDateTime,
) -> Result<PathBuf> {
    let config = Config::load(root).map_err(Error::Invalid)?;
    let when = match date {
        Some(d) => crate::dates::parse_when(d).ok_or_else(|| {
            Error::Refused(format!(
                "--date `{d}` is not a date: write 2024-03-12 or 2024-03-12T21:04:00Z"
            ))
        })?,
        None => crate::dates::When::from_utc(
            now.date()
                .and_hms_opt(
                    chrono::Timelike::hour(&now),
                    chrono::Timelike::minute(&now),
                    0,
                )
                .unwrap_or(now),
        ),
    };
    let severity = match severity {
        Some(s) => normalise_severity(s, &config.severities).ok_or_else(|| {
            Error::Refused(format!(
                "--severity `{s}` is not on the scale in pmsite.toml: {}",
                config.severities.join(", ")
            ))
        })?,
        None => config
            .severities
            .get(config.severities.len().saturating_sub(1) / 2)
            .cloned()
            .unwrap_or_default(),
    };
    let year = chrono::Datelike::year(&when.date());
    let id = format!("INC-{year}-{:03}", next_number(root, year)?);
    let slug = slug::slugify(title);
    if slug.is_empty() {
        return Err(Error::Refused(
            "the title has no letters or digits: give the post-mortem a title".into(),
        ));
    }
    let path = root
        .join(CONTENT_DIR)
        .join(year.to_string())
        .join(format!("{}-{slug}.md", when.date()));
    let date_text = if when.date_only {
        when.date().to_string()
    } else {
        when.rfc3339()
    };
    let due: NaiveDate = when
        .date()
        .checked_add_days(Days::new(28))
        .unwrap_or(when.date());
    let text = NEW_TEMPLATE
        .replace(
            "{title}",
            &toml::Value::String(title.to_string()).to_string(),
        )
        .replace("{date}", &date_text)
        .replace("{id}", &id)
        .replace("{severity}", &severity)
        .replace(
            "{time}",
            &if when.date_only {
                "00:00".to_string()
            } else {
                when.at.format("%H:%M").to_string()
            },
        )
        .replace("{due}", &due.to_string());
    create_new(&path, &text)?;
    Ok(path)
}

fn next_number(root: &Path, year: i32) -> Result<u32> {
    let mut max = 0;
    if !root.join(CONTENT_DIR).is_dir() {
        return Ok(1);
    }
    for file in content::discover(root)?.0 {
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        let stem = file
            .file_stem()
            .map(|s| s.to_string_lossy().to_string())
            .unwrap_or_default();
        for caps in INC_ID
            .captures_iter(&text)
            .chain(INC_ID.captures_iter(&format!("id = {stem}")))
        {
            if caps[1].parse::<i32>() == Ok(year) {
                max = max.max(caps[2].parse::<u32>().unwrap_or(0));
            }
        }
    }
    Ok(max + 1)
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_placeholder_of_the_template_is_known() {
        for (text, _) in crate::content::placeholders::TEMPLATE_TEXT {
            assert!(
                super::NEW_TEMPLATE.contains(text),
                "{text} is not in new.md"
            );
        }
    }
}

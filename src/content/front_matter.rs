//! Front matter: split from the body without copying, parsed from TOML (`+++`) or YAML
//! (`---`) into one generic table, then read key by key so that every problem is reported
//! with its line, not only the first.

use toml::{Table, Value};

use crate::diagnostics::Diagnostic;

pub use super::fields::{Fields, read_fields};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RawFrontMatter<'a> {
    Toml(&'a str),
    Yaml(&'a str),
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Split<'a> {
    pub front: RawFrontMatter<'a>,
    /// The 1-based line of the first line inside the fences.
    pub front_line: usize,
    pub body: &'a str,
    /// The 1-based line the body starts on, so Markdown positions become file lines.
    pub body_line: usize,
}

/// Splits `+++ TOML +++` or `--- YAML ---` front matter from the body. A file that does not
/// open with a fence has no front matter (a wiki page).
pub fn split(text: &str) -> Result<Split<'_>, Diagnostic> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first_end = text.find('\n').map(|i| i + 1).unwrap_or(text.len());
    let fence = text[..first_end].trim_end();
    let toml = match fence {
        "+++" => true,
        "---" => false,
        _ => {
            return Ok(Split {
                front: RawFrontMatter::None,
                front_line: 0,
                body: text,
                body_line: 1,
            });
        }
    };
    let mut offset = first_end;
    let mut line = 2;
    while offset < text.len() {
        let end = text[offset..]
            .find('\n')
            .map(|i| offset + i + 1)
            .unwrap_or(text.len());
        if text[offset..end].trim_end() == fence {
            let raw = &text[first_end..offset];
            return Ok(Split {
                front: if toml {
                    RawFrontMatter::Toml(raw)
                } else {
                    RawFrontMatter::Yaml(raw)
                },
                front_line: 2,
                body: &text[end..],
                body_line: line + 1,
            });
        }
        offset = end;
        line += 1;
    }
    Err(Diagnostic::at(
        1,
        format!(
            "front matter opened with `{fence}` is never closed: add a `{fence}` line after it"
        ),
    )
    .code("front-matter"))
}

/// Parses the raw front matter into a table. YAML is converted to TOML values so one reader
/// serves both.
pub fn parse_table(front: RawFrontMatter<'_>, front_line: usize) -> Result<Table, Diagnostic> {
    match front {
        RawFrontMatter::None => Ok(Table::new()),
        RawFrontMatter::Toml(src) => toml::from_str::<Table>(src).map_err(|e| {
            let (line, column) = e
                .span()
                .map(|s| crate::diagnostics::line_column_of_offset(src, s.start))
                .unwrap_or((1, 0));
            Diagnostic::at(
                front_line + line - 1,
                format!("invalid TOML front matter: {}", e.message().trim()),
            )
            .column(column)
            .code("front-matter")
        }),
        RawFrontMatter::Yaml(src) => {
            let value: serde_yaml::Value = serde_yaml::from_str(src).map_err(|e| {
                // From the byte index, not YAML's own line count: YAML also ends lines at
                // U+2028 and U+0085, which no editor shows as a line.
                let (line, column) = e.location().map_or((1, 0), |l| {
                    crate::diagnostics::line_column_of_offset(src, l.index())
                });
                let msg = e.to_string();
                let msg = msg.split(" at line ").next().unwrap_or(&msg).to_string();
                Diagnostic::at(
                    front_line + line - 1,
                    format!("invalid YAML front matter: {msg}"),
                )
                .column(column)
                .code("front-matter")
            })?;
            match value {
                serde_yaml::Value::Null => Ok(Table::new()),
                serde_yaml::Value::Mapping(_) => match yaml_to_toml(value) {
                    Some(Value::Table(t)) => Ok(t),
                    _ => Ok(Table::new()),
                },
                _ => Err(Diagnostic::at(
                    front_line,
                    "YAML front matter must be a map of `key: value` lines",
                )
                .code("front-matter")),
            }
        }
    }
}

fn yaml_to_toml(value: serde_yaml::Value) -> Option<Value> {
    use serde_yaml::Value as Y;
    Some(match value {
        Y::Null => return None,
        Y::Bool(b) => Value::Boolean(b),
        Y::Number(n) => match n.as_i64() {
            Some(i) => Value::Integer(i),
            None => Value::Float(n.as_f64().unwrap_or(0.0)),
        },
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => Value::Array(items.into_iter().filter_map(yaml_to_toml).collect()),
        Y::Mapping(map) => {
            let mut table = Table::new();
            for (k, v) in map {
                let key = match k {
                    Y::String(s) => s,
                    Y::Number(n) => n.to_string(),
                    Y::Bool(b) => b.to_string(),
                    _ => continue,
                };
                if let Some(v) = yaml_to_toml(v) {
                    table.insert(key, v);
                }
            }
            Value::Table(table)
        }
        Y::Tagged(tagged) => return yaml_to_toml(tagged.value),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_cases() {
        let s = split("+++\ntitle = \"x\"\n+++\nbody\n").unwrap();
        assert_eq!(s.front, RawFrontMatter::Toml("title = \"x\"\n"));
        assert_eq!((s.body, s.body_line), ("body\n", 4));
        let s = split("---\ntitle: x\n---\n").unwrap();
        assert_eq!(s.front, RawFrontMatter::Yaml("title: x\n"));
        assert_eq!(s.body, "");
        let s = split("# Title\n\ntext +++\n").unwrap();
        assert_eq!(s.front, RawFrontMatter::None);
        assert_eq!(split("+++\ntitle = 1\n").unwrap_err().line, 1);
        let s = split("+++\r\ntitle = \"x\"\r\n+++\r\nbody").unwrap();
        assert_eq!(s.body, "body");
    }
}

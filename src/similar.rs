//! `pmsite similar`: the past incidents most like a text (an alert, a chat message, a
//! first guess at what is wrong), with why, their severity, how long they took to mitigate
//! and what mitigated them.
//!
//! It reads the search index a build wrote (`public/search/`), the same files and the same
//! scoring as the search page's "find similar" (`similar.js`): only the metadata, the
//! shards of the text's words and the result lines of the top incidents are read, so an
//! answer at 10,000 post-mortems costs milliseconds. Without a built site, or with one
//! older than the library, it builds the index in memory first.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Where the index files come from: a built site, or an index built in memory.
pub enum IndexFiles {
    Dir(PathBuf),
    Memory(BTreeMap<String, Vec<u8>>),
}

impl IndexFiles {
    fn read(&self, path: &str) -> Result<Vec<u8>> {
        match self {
            IndexFiles::Dir(dir) => {
                let full = dir.join(path);
                std::fs::read(&full).map_err(|e| Error::io(full, e))
            }
            IndexFiles::Memory(files) => files
                .get(path)
                .cloned()
                .ok_or_else(|| Error::Refused(format!("the search index has no {path}"))),
        }
    }

    fn json<T: for<'de> Deserialize<'de>>(&self, path: &str) -> Result<T> {
        serde_json::from_slice(&self.read(path)?).map_err(|e| {
            Error::Refused(format!(
                "{path} is not pmsite's search index ({e}); run `pmsite build` again"
            ))
        })
    }
}

#[derive(Deserialize)]
struct Meta {
    n: usize,
    shards: u32,
    /// Per shard, its parts (`search::part_of`); an index without them has one each.
    #[serde(default)]
    parts: Vec<u32>,
    chunk: usize,
    fields: Vec<String>,
    boost: Vec<f64>,
}

/// What `search/meta/all.json` holds that scoring needs: per field, the field lengths as
/// `(width, digits)` (`search::decode_digits`).
#[derive(Deserialize)]
struct PerDoc {
    lengths: Vec<(usize, String)>,
}

#[derive(Deserialize, Clone)]
struct Line {
    id: String,
    title: String,
    date: Option<String>,
    severity: Option<String>,
    #[serde(rename = "type")]
    incident_type: Option<String>,
    summary: String,
    path: String,
    ttm: Option<String>,
    mitigated: Option<String>,
}

/// A word of the text found in an incident, and where.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Because {
    pub word: String,
    /// `title`, `summary`, `component`, `tag`, `cause`, `body`.
    pub fields: Vec<&'static str>,
}

/// One past incident like the text.
#[derive(Debug, Clone, Serialize)]
pub struct Match {
    pub id: String,
    pub title: String,
    pub url: String,
    pub date: Option<String>,
    pub severity: Option<String>,
    #[serde(rename = "type")]
    pub incident_type: Option<String>,
    pub summary: String,
    pub time_to_mitigate: Option<String>,
    /// The words of the timeline entry that marks mitigation.
    pub mitigated_by: Option<String>,
    pub score: f64,
    /// The text's words it shares, the weightiest first.
    pub because: Vec<Because>,
}

/// A term's share of a document's score: (term, contribution, fields).
type Reason = (String, f64, Vec<&'static str>);

fn field_word(name: &str) -> &'static str {
    match name {
        "title" => "title",
        "summary" => "summary",
        "components" => "component",
        "tags" => "tag",
        "root_causes" => "cause",
        _ => "body",
    }
}

/// The incidents most like `text`, best first, at most `limit`. The score, as `similar.js`
/// computes it: for each distinct term of the text (the search index's terms), its inverse
/// document frequency `ln(1 + N / df)` times, per field, the field's boost times
/// `sqrt(count) / sqrt(field length)`; a term the text repeats counts `1 + ln(repeats)` times.
pub fn similar(files: &IndexFiles, text: &str, limit: usize, base: &str) -> Result<Vec<Match>> {
    let meta: Meta = files.json("search/meta.json")?;
    let per_doc: PerDoc = files.json("search/meta/all.json")?;
    let lengths: Vec<Vec<u32>> = per_doc
        .lengths
        .iter()
        .map(|(w, d)| crate::search::decode_digits(*w, d).unwrap_or_default())
        .collect();
    let mut query: BTreeMap<String, u32> = BTreeMap::new();
    for t in crate::search::text_terms(text) {
        *query.entry(t).or_default() += 1;
    }
    // Terms match exactly here: each is in one part of one shard.
    let mut by_shard: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for term in query.keys() {
        let shard = crate::search::shard_of(term, meta.shards);
        let parts = meta.parts.get(shard as usize).copied().unwrap_or(1);
        let part = crate::search::part_of(term, parts);
        by_shard
            .entry(crate::search::shard_path(shard, part, parts))
            .or_default()
            .push(term);
    }
    let mut scores: BTreeMap<usize, f64> = BTreeMap::new();
    let mut why: BTreeMap<usize, Vec<Reason>> = BTreeMap::new();
    for (shard, terms) in by_shard {
        let postings: BTreeMap<String, Vec<u64>> = files.json(&format!("search/{shard}"))?;
        for term in terms {
            let Some(flat) = postings.get(term) else {
                continue;
            };
            // [field, docs, gap, count, ...] per field.
            let mut hits: Vec<(usize, usize, u64)> = Vec::new();
            let mut i = 0;
            while i + 1 < flat.len() {
                let (field, docs) = (flat[i] as usize, flat[i + 1] as usize);
                i += 2;
                let mut doc = 0usize;
                for _ in 0..docs {
                    let (Some(gap), Some(count)) = (flat.get(i), flat.get(i + 1)) else {
                        break;
                    };
                    doc += *gap as usize;
                    hits.push((field, doc, *count));
                    i += 2;
                }
            }
            let mut docs: Vec<usize> = hits.iter().map(|h| h.1).collect();
            docs.sort_unstable();
            docs.dedup();
            if docs.is_empty() {
                continue;
            }
            let idf = (1.0 + meta.n as f64 / docs.len() as f64).ln();
            let repeats = 1.0 + f64::from(query[term]).ln();
            for (field, doc, count) in hits {
                let boost = meta.boost.get(field).copied().unwrap_or(1.0);
                let len = lengths
                    .get(field)
                    .and_then(|l| l.get(doc))
                    .copied()
                    .unwrap_or(1)
                    .max(1);
                let x = repeats * idf * boost * (count as f64).sqrt() / f64::from(len).sqrt();
                if x <= 0.0 {
                    continue;
                }
                *scores.entry(doc).or_default() += x;
                let reasons = why.entry(doc).or_default();
                let name = field_word(meta.fields.get(field).map_or("", String::as_str));
                match reasons.iter_mut().find(|r| r.0 == term) {
                    Some(r) => {
                        r.1 += x;
                        if !r.2.contains(&name) {
                            r.2.push(name);
                        }
                    }
                    None => reasons.push((term.to_string(), x, vec![name])),
                }
            }
        }
    }
    let mut ranked: Vec<(usize, f64)> = scores.into_iter().collect();
    // Best first; among equals the newer (lower document number).
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    ranked.truncate(limit);
    let mut chunks: BTreeMap<usize, Vec<Line>> = BTreeMap::new();
    let mut out = Vec::new();
    for (doc, score) in ranked {
        let chunk = doc / meta.chunk.max(1);
        if let std::collections::btree_map::Entry::Vacant(e) = chunks.entry(chunk) {
            e.insert(files.json(&format!("search/docs/{chunk}.json"))?);
        }
        let Some(line) = chunks[&chunk].get(doc % meta.chunk.max(1)).cloned() else {
            continue;
        };
        let mut reasons = why.remove(&doc).unwrap_or_default();
        reasons.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        out.push(Match {
            url: format!(
                "{}/{}",
                base.trim_end_matches('/'),
                line.path.trim_start_matches('/')
            ),
            id: line.id,
            title: line.title,
            date: line.date,
            severity: line.severity,
            incident_type: line.incident_type,
            summary: line.summary,
            time_to_mitigate: line.ttm,
            mitigated_by: line.mitigated,
            score: (score * 1000.0).round() / 1000.0,
            because: reasons
                .into_iter()
                .take(6)
                .map(|(word, _, fields)| Because { word, fields })
                .collect(),
        });
    }
    Ok(out)
}

/// The index for a library: the built site's when it is there and newer than every file it
/// was built from, else one built in memory now. Says which in the second value.
pub fn index_for(
    root: &Path,
    site: &Path,
    today: chrono::NaiveDate,
) -> Result<(IndexFiles, String, bool)> {
    let meta = site.join("search/meta.json");
    if let Ok(built) = std::fs::metadata(&meta).and_then(|m| m.modified())
        && !newer_than(root, built)
    {
        let config = crate::config::Config::load(root).map_err(Error::Invalid)?;
        return Ok((
            IndexFiles::Dir(site.to_path_buf()),
            config.base().to_string(),
            true,
        ));
    }
    let selection = crate::library::Selection {
        drafts: false,
        include_restricted: false,
        today,
        strict_links: false,
    };
    let loaded = crate::build::load(root, None, selection)?;
    let files = crate::search::index_files(&loaded.library, &loaded.config, None);
    Ok((
        IndexFiles::Memory(files.into_iter().collect()),
        loaded.config.base().to_string(),
        false,
    ))
}

/// Whether the config, the vocabulary or any file or folder under `content/` changed after
/// `built` (a folder's time changes when a file in it is added, removed or renamed). One
/// `stat` per entry, in parallel: at 10,000 post-mortems this is most of an answer's time.
fn newer_than(root: &Path, built: std::time::SystemTime) -> bool {
    use rayon::prelude::*;
    let changed = |p: &Path| {
        std::fs::metadata(p)
            .and_then(|m| m.modified())
            .is_ok_and(|t| t > built)
    };
    if [crate::config::CONFIG_FILE, "taxonomy.toml"]
        .iter()
        .any(|f| changed(&root.join(f)))
    {
        return true;
    }
    let entries: Vec<PathBuf> = walkdir::WalkDir::new(root.join(crate::content::CONTENT_DIR))
        .into_iter()
        .filter_map(|e| e.ok())
        .map(walkdir::DirEntry::into_path)
        .collect();
    entries.is_empty() || entries.par_iter().any(|p| changed(p))
}

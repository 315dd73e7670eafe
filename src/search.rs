//! The client-side search index, built at build time.
//!
//! Text goes through elasticlunr-rs's English tokenizer, trimmer, stop-word filter and
//! stemmer, and term frequencies and field lengths are what elasticlunr-rs's `Index` computes,
//! so elasticlunr.js scores the results exactly as it would score a whole elasticlunr index.
//! Unlike a whole index, nothing here is downloaded whole:
//!
//! - `search/meta.json`: the layout, fields, boosts and facet names; per document what
//!   facets and scoring need (field lengths, severity, components, root causes, year) is in
//!   fragments beside it (`search/meta/<k>.json`, [`meta`]), by a short document number;
//! - `search/shards/<n>.json`: the postings, split by the first three characters of the term,
//!   so a query fetches one small shard per word and every word a prefix can expand to is in
//!   the same shard; a shard too big for one file (`con` holds `config`, `connect`,
//!   `continu`, ...) is cut in parts by the first five characters (`shards/<n>-<k>.json`,
//!   [`part_of`]), so a word of five or more characters fetches one part;
//! - `search/docs/<n>.json`: what document `n`'s result line shows ([`DOCS_PER_CHUNK`]).
//!
//! Document numbers follow the library's order (newest first), so sorting by date is
//! sorting by number.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::sync::Arc;

use elasticlunr::Language;
use elasticlunr::lang::English;
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::Serialize;

mod memo;
mod meta;

pub use meta::{DOCS_PER_FRAGMENT, decode_digits};

use crate::config::Config;
use crate::library::Library;

/// The indexed fields, in the order of every per-field array in the index files (the
/// config checks `[search]` against the same list).
pub use crate::config::SEARCH_FIELDS as FIELDS;

/// Query-time boosts unless `[search] boost` says otherwise: a word in the title or in a
/// component's name says more than one deep in the timeline.
pub const DEFAULT_BOOST: [f64; 6] = [3.0, 2.0, 2.0, 1.5, 2.0, 1.0];

/// Terms are sharded by this many leading characters; a query word of at least this length
/// is expanded to every term it begins (all in one shard), a shorter one matches exactly.
pub const PREFIX_CHARS: usize = 3;

/// Result lines per `search/docs/<n>.json`: one, as Pagefind keeps a fragment per page. A
/// page of 20 results falls anywhere in the library (documents are in date order, results in
/// score order), so any larger chunk is mostly lines nobody asked for: at 10,000 post-mortems
/// chunks of 8 lines made a first query fetch 19 files, 21-22 KB gzipped, for the 20 lines
/// shown; a file per line makes it 6.2-6.6 KB (and the site 8,400 files more).
pub const DOCS_PER_CHUNK: usize = 1;

/// About this many postings go in one shard; the shard count is the next power of two. A
/// query fetches a shard per word: at 10,000 post-mortems 512 shards of about 6 KB gzipped
/// made "database connection pool exhausted" fetch 216 KB in all, where 128 made it 292 KB.
const POSTINGS_PER_SHARD: usize = 7_500;

/// A shard of more postings than this is cut in parts by the first [`PART_CHARS`]
/// characters of its terms. At 10,000 post-mortems the shard of `con` was 42 KB gzipped, of
/// which `connect*` was a seventh: in parts of about 2,000 postings "database connection
/// pool exhausted" fetches 27 KB of postings instead of 94 KB (4,000: 32 KB, 8,000: 42 KB).
const POSTINGS_PER_PART: usize = 2_000;

/// Terms are cut into a shard's parts by this many leading characters: a query word at
/// least this long expands only to terms of its own part.
pub const PART_CHARS: usize = 5;

/// Parts a shard is cut into, at most: a shard's part count is one number in `meta.json`.
const MAX_PARTS: usize = 64;

/// What elasticlunr-rs's English pipeline makes of a text: the tokens it would index.
///
/// Its tokenizer splits on whitespace and `-` and then treats each word alone, so the
/// pipeline runs once per distinct word and the result is remembered: a library repeats the
/// same few hundred thousand words millions of times. Equal terms share one allocation.
pub struct Analyzer {
    lang: English,
    pipeline: elasticlunr::Pipeline,
    words: FxHashMap<Box<str>, Option<Arc<str>>>,
    terms: rustc_hash::FxHashSet<Arc<str>>,
}

thread_local! {
    /// One per worker thread, kept between builds (`serve` rebuilds often): the word cache
    /// is what makes indexing fast.
    static ANALYZER: std::cell::RefCell<Analyzer> = std::cell::RefCell::new(Analyzer::default());
}

impl Default for Analyzer {
    fn default() -> Self {
        let lang = English::new();
        let pipeline = lang.make_pipeline();
        Analyzer {
            lang,
            pipeline,
            words: FxHashMap::default(),
            terms: Default::default(),
        }
    }
}

impl Analyzer {
    /// elasticlunr-rs's tokens of `text`, computed by elasticlunr-rs itself.
    pub fn tokens(&self, text: &str) -> Vec<String> {
        self.pipeline.run(self.lang.tokenize(text))
    }

    /// The same tokens as `tokens`, from the cache.
    fn terms(&mut self, text: &str, out: &mut Vec<Arc<str>>) {
        for word in words(text) {
            if let Some(term) = self.words.get(word) {
                out.extend(term.iter().cloned());
                continue;
            }
            let term = self.tokens(word).pop().map(|t| {
                if let Some(term) = self.terms.get(t.as_str()) {
                    return Arc::clone(term);
                }
                let term: Arc<str> = Arc::from(t);
                self.terms.insert(Arc::clone(&term));
                term
            });
            out.extend(term.iter().cloned());
            self.words.insert(word.into(), term);
        }
        // Ids and ticket keys (`SRE-1249`, `INC-2024-017`) are also one term each, so a
        // search for one finds it and not every page with its parts.
        if text.as_bytes().contains(&b'-') {
            for id in ID.find_iter(text) {
                let term = id_term(id.as_str());
                let term = match self.terms.get(term.as_str()) {
                    Some(t) => Arc::clone(t),
                    None => {
                        let t: Arc<str> = Arc::from(term);
                        self.terms.insert(Arc::clone(&t));
                        t
                    }
                };
                out.push(term);
            }
        }
    }
}

/// The terms the index holds for a text (what a query for it looks up): elasticlunr's
/// English pipeline, and ids as one term each.
pub fn text_terms(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    ANALYZER.with_borrow_mut(|a| a.terms(text, &mut out));
    out.into_iter().map(|t| t.to_string()).collect()
}

/// An id or ticket key: letters, `-`, digits (and more `-digits`). `search.js` has the same.
static ID: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(r"\b[A-Za-z][A-Za-z0-9]*(?:-\d+)+\b").expect("id regex")
});

/// The one term an id is indexed as: lowercase, `-` as `_` (which elasticlunr's tokenizer
/// and pipeline leave whole): `SRE-1249` is `sre_1249`.
pub fn id_term(id: &str) -> String {
    id.to_lowercase().replace('-', "_")
}

/// The shard a term's postings live in: FNV-1a of its first [`PREFIX_CHARS`] characters
/// (UTF-8), modulo the shard count. `search.js` computes the same.
pub fn shard_of(term: &str, shards: u32) -> u32 {
    prefix_hash(term, PREFIX_CHARS) % shards.max(1)
}

/// The part of its shard a term's postings live in, when the shard has `parts` parts:
/// FNV-1a of its first [`PART_CHARS`] characters, modulo `parts`.
pub fn part_of(term: &str, parts: u32) -> u32 {
    prefix_hash(term, PART_CHARS) % parts.max(1)
}

/// The file of part `part` of shard `shard` (of `parts`), under `search/`.
pub fn shard_path(shard: u32, part: u32, parts: u32) -> String {
    if parts <= 1 {
        format!("shards/{shard}.json")
    } else {
        format!("shards/{shard}-{part}.json")
    }
}

fn prefix_hash(term: &str, chars: usize) -> u32 {
    let end = term
        .char_indices()
        .nth(chars)
        .map_or(term.len(), |(i, _)| i);
    term.as_bytes()[..end].iter().fold(0x811c_9dc5u32, |h, &b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
}

/// The words elasticlunr-rs's tokenizer makes of a text, before lowercasing and trimming:
/// the text split at whitespace and `-`, empty pieces dropped. Hot at scale, so ASCII is
/// tested byte by byte and only other characters are decoded.
fn words(text: &str) -> impl Iterator<Item = &str> {
    let bytes = text.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < bytes.len() {
            let start = i;
            let mut end = bytes.len();
            while i < bytes.len() {
                let b = bytes[i];
                let (separator, width) = if b < 0x80 {
                    (b == b'-' || b.is_ascii_whitespace() || b == 0x0b, 1)
                } else {
                    let c = text[i..].chars().next().unwrap_or(' ');
                    (c.is_whitespace(), c.len_utf8())
                };
                i += width;
                if separator {
                    end = i - width;
                    break;
                }
            }
            if end > start {
                return Some(&text[start..end]);
            }
        }
        None
    })
}

/// (term, field, document number, count): one line of a shard.
type Posting<'a> = (&'a str, u8, u32, u32);

/// Each document's analysis by a hash of its field texts, kept by `serve` between
/// rebuilds and by `build` in its cache (`memo`): an edit analyzes only the post-mortems
/// whose text changed.
#[derive(Default)]
pub struct SearchMemo {
    docs: std::sync::Mutex<FxHashMap<u64, Arc<DocTerms>>>,
    /// Whether the last render analyzed a document anew, left one out or wrote a shard.
    changed: std::sync::atomic::AtomicBool,
    /// Per shard file, what it was made of and the hash of its bytes: [`ShardPrint`].
    shards: std::sync::Mutex<FxHashMap<String, ShardPrint>>,
    /// (shard files written, shard files in all) by the last render.
    written: std::sync::Mutex<(usize, usize)>,
}

/// A shard file's inputs (the shard and part counts, and each document with postings in it
/// by number and analysis key) and the hash of the bytes they made. The same inputs make the
/// same bytes, so a build whose previous output holds a file of that hash links it rather
/// than sorting and writing its postings again (an edit changes the shards of its words).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct ShardPrint {
    pub inputs: u64,
    pub bytes: u64,
}

/// One document's share of the index.
pub struct DocTerms {
    /// Tokens per field, as elasticlunr's `docInfo` records them.
    lengths: [u32; FIELDS.len()],
    /// (term, field, count) for each distinct term of each field.
    postings: Vec<(Arc<str>, u8, u32)>,
}

/// The texts of an incident's fields, in the order of [`FIELDS`].
fn field_texts(lib: &Library, i: usize) -> [Cow<'_, str>; FIELDS.len()] {
    let incident = &lib.incidents[i];
    [
        Cow::Owned(format!("{} {}", incident.id, incident.title)),
        Cow::Borrowed(incident.summary.as_deref().unwrap_or_default()),
        Cow::Owned(incident.components.join(" , ")),
        Cow::Owned(incident.tags.join(" , ")),
        // Root causes and contributing factors: the causes, searched as one field.
        Cow::Owned(
            incident
                .root_causes
                .iter()
                .chain(&incident.contributing_factors)
                .map(String::as_str)
                .collect::<Vec<_>>()
                .join(" , "),
        ),
        Cow::Borrowed(&incident.body_text),
    ]
}

/// The key of a document's analysis: its field texts and which fields are searched.
fn texts_hash(texts: &[Cow<'_, str>], enabled: &[bool]) -> u64 {
    let on: Vec<u8> = enabled.iter().map(|&e| u8::from(e)).collect();
    let mut parts: Vec<&[u8]> = vec![&on];
    parts.extend(texts.iter().map(|t| t.as_bytes()));
    crate::cache::hash128(&parts) as u64
}

fn analyze(analyzer: &mut Analyzer, texts: &[Cow<'_, str>], enabled: &[bool]) -> DocTerms {
    let mut doc = DocTerms {
        lengths: [0; FIELDS.len()],
        postings: Vec::new(),
    };
    let mut tokens = Vec::new();
    for (f, text) in texts.iter().enumerate() {
        if !enabled[f] {
            continue;
        }
        tokens.clear();
        analyzer.terms(text, &mut tokens);
        doc.lengths[f] = tokens.len() as u32;
        // Equal terms share an allocation: counting compares pointers.
        tokens.sort_unstable_by_key(|t| Arc::as_ptr(t) as *const u8 as usize);
        let mut i = 0;
        while i < tokens.len() {
            let run = tokens[i..]
                .iter()
                .take_while(|t| Arc::ptr_eq(t, &tokens[i]))
                .count();
            doc.postings
                .push((Arc::clone(&tokens[i]), f as u8, run as u32));
            i += run;
        }
    }
    doc
}

/// The fields `[search] fields` keeps (all when empty) and their boosts.
fn field_settings(config: &Config) -> ([bool; FIELDS.len()], Vec<f64>) {
    let mut enabled = [config.search.fields.is_empty(); FIELDS.len()];
    for name in &config.search.fields {
        if let Some(f) = FIELDS.iter().position(|f| f == name) {
            enabled[f] = true;
        }
    }
    let boost = FIELDS
        .iter()
        .enumerate()
        .map(|(f, name)| {
            if !enabled[f] {
                0.0
            } else {
                config
                    .search
                    .boost
                    .get(*name)
                    .copied()
                    .unwrap_or(DEFAULT_BOOST[f])
            }
        })
        .collect();
    (enabled, boost)
}

/// Every file of the search index, by its path in the site.
pub fn index_files(
    lib: &Library,
    config: &Config,
    memo: Option<&SearchMemo>,
) -> Vec<(String, Vec<u8>)> {
    index_files_kept(lib, config, memo, &|_, _| false).0
}

/// As [`index_files`], but a shard file whose inputs are those the memo recorded is offered
/// to `kept` with the hash of its bytes first (`Sink::reuse`: the previous build's file,
/// linked if it has them), and left out of the files returned when `kept` takes it. Also
/// returns how many were kept.
pub fn index_files_kept(
    lib: &Library,
    config: &Config,
    memo: Option<&SearchMemo>,
    kept: &(dyn Fn(&str, u64) -> bool + Sync),
) -> (Vec<(String, Vec<u8>)>, usize) {
    let (enabled, boost) = field_settings(config);
    let prints: FxHashMap<String, ShardPrint> = memo
        .and_then(|m| m.shards.lock().ok().map(|mut p| std::mem::take(&mut *p)))
        .unwrap_or_default();
    let previous = memo.and_then(|m| {
        m.docs
            .lock()
            .ok()
            .map(|mut docs| std::mem::take(&mut *docs))
    });
    let docs: Vec<(u64, Arc<DocTerms>, bool)> = (0..lib.incidents.len())
        .into_par_iter()
        .map(|i| {
            let texts = field_texts(lib, i);
            let key = if memo.is_some() {
                texts_hash(&texts, &enabled)
            } else {
                0
            };
            if let Some(doc) = previous.as_ref().and_then(|p| p.get(&key)) {
                return (key, Arc::clone(doc), false);
            }
            let doc = ANALYZER.with_borrow_mut(|analyzer| analyze(analyzer, &texts, &enabled));
            (key, Arc::new(doc), true)
        })
        .collect();
    if let Some(m) = memo
        && let Ok(mut kept) = m.docs.lock()
    {
        let fresh = docs.iter().any(|d| d.2);
        let gone = previous.as_ref().map_or(0, |p| p.len()) != docs.len();
        m.changed
            .store(fresh || gone, std::sync::atomic::Ordering::Relaxed);
        *kept = docs.iter().map(|(k, d, _)| (*k, Arc::clone(d))).collect();
    }
    let docs: Vec<(u64, Arc<DocTerms>)> = docs.into_iter().map(|(k, d, _)| (k, d)).collect();

    let total: usize = docs.iter().map(|d| d.1.postings.len()).sum();
    let shards = total
        .div_ceil(POSTINGS_PER_SHARD)
        .clamp(1, 4096)
        .next_power_of_two() as u32;
    // (document, posting) pairs per shard: eight bytes each, the postings stay where they are.
    let mut buckets: Vec<Vec<(u32, u32)>> = vec![Vec::new(); shards as usize];
    let mut lengths = vec![Vec::with_capacity(docs.len()); FIELDS.len()];
    for (n, (_, doc)) in docs.iter().enumerate() {
        for (f, len) in doc.lengths.iter().enumerate() {
            lengths[f].push(*len);
        }
        for (p, (term, _, _)) in doc.postings.iter().enumerate() {
            let b = (prefix_hash(term, PREFIX_CHARS) % shards) as usize;
            buckets[b].push((n as u32, p as u32));
        }
    }
    // Per shard, its parts: (shard, parts, path, print, file unless kept).
    let shard_json: Vec<(u32, u32, String, ShardPrint, Option<String>)> = buckets
        .into_par_iter()
        .enumerate()
        .flat_map_iter(|(b, bucket)| {
            let parts = bucket.len().div_ceil(POSTINGS_PER_PART).clamp(1, MAX_PARTS) as u32;
            let mut split: Vec<Vec<Posting>> = vec![Vec::new(); parts as usize];
            let mut inputs: Vec<rustc_hash::FxHasher> = (0..parts)
                .map(|k| {
                    let mut h = rustc_hash::FxHasher::default();
                    std::hash::Hasher::write_u32(&mut h, shards);
                    std::hash::Hasher::write_u32(&mut h, parts);
                    std::hash::Hasher::write_u32(&mut h, k);
                    h
                })
                .collect();
            let mut last = vec![u32::MAX; parts as usize];
            for (n, p) in bucket {
                let (term, field, count) = &docs[n as usize].1.postings[p as usize];
                let k = if parts > 1 { part_of(term, parts) } else { 0 } as usize;
                // A document's postings in a part follow one another (by number).
                if last[k] != n {
                    last[k] = n;
                    std::hash::Hasher::write_u32(&mut inputs[k], n);
                    std::hash::Hasher::write_u64(&mut inputs[k], docs[n as usize].0);
                }
                split[k].push((&**term, *field, n, *count));
            }
            let prints = &prints;
            split
                .into_iter()
                .zip(inputs)
                .enumerate()
                .map(move |(k, (postings, inputs))| {
                    let path = format!("search/{}", shard_path(b as u32, k as u32, parts));
                    let inputs = std::hash::Hasher::finish(&inputs);
                    if let Some(print) = prints.get(&path).filter(|p| p.inputs == inputs)
                        && memo.is_some()
                        && kept(&path, print.bytes)
                    {
                        return (b as u32, parts, path, *print, None);
                    }
                    let json = shard_file(postings);
                    let bytes = crate::cache::hash64(json.as_bytes());
                    (
                        b as u32,
                        parts,
                        path,
                        ShardPrint { inputs, bytes },
                        Some(json),
                    )
                })
        })
        .collect();

    let mut files: Vec<(String, Vec<u8>)> = Vec::with_capacity(shard_json.len() + 8);
    // The index's version (for browsers' caches) from the hashes of its files, which a
    // kept file has as well as a written one.
    let mut version = rustc_hash::FxHasher::default();
    let mut parts = vec![1u32; shards as usize];
    let mut recorded = FxHashMap::default();
    let mut written = 0;
    let all = shard_json.len();
    for (b, n, path, print, json) in shard_json {
        parts[b as usize] = n;
        std::hash::Hasher::write_u64(&mut version, print.bytes);
        if let Some(json) = json {
            written += 1;
            files.push((path.clone(), json.into_bytes()));
        }
        recorded.insert(path, print);
    }
    if let Some(m) = memo {
        if written > 0 || recorded.len() != prints.len() {
            m.changed.store(true, std::sync::atomic::Ordering::Relaxed);
        }
        if let Ok(mut p) = m.shards.lock() {
            *p = recorded;
        }
        if let Ok(mut w) = m.written.lock() {
            *w = (written, all);
        }
    }
    for (k, chunk) in doc_chunks(lib).into_iter().enumerate() {
        std::hash::Hasher::write_u64(&mut version, crate::cache::hash64(&chunk));
        files.push((format!("search/docs/{k}.json"), chunk));
    }
    files.extend(meta::files(
        lib,
        lengths,
        meta::Layout {
            shards,
            parts,
            boost,
        },
        version,
    ));
    (files, all - written)
}

/// A shard: `{"term":[field, docs, doc, count, doc, count, ..., field, docs, ...]}` with
/// document numbers as gaps from the previous one in the same field, which gzip likes.
fn shard_file(mut postings: Vec<Posting>) -> String {
    // Stable: each term's documents stay in ascending order.
    postings.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
    let mut out = String::with_capacity(postings.len() * 8 + 2);
    out.push('{');
    let mut i = 0;
    while i < postings.len() {
        if i > 0 {
            out.push(',');
        }
        let term = &postings[i].0;
        out.push_str(&serde_json::to_string(term).expect("a string serializes"));
        out.push_str(":[");
        let mut first = true;
        while i < postings.len() && postings[i].0 == *term {
            let field = postings[i].1;
            let end = postings[i..]
                .iter()
                .position(|p| p.0 != *term || p.1 != field)
                .map_or(postings.len(), |p| i + p);
            if !first {
                out.push(',');
            }
            first = false;
            let _ = write!(out, "{field},{}", end - i);
            let mut previous = 0;
            for (_, _, doc, count) in &postings[i..end] {
                let _ = write!(out, ",{},{count}", doc - previous);
                previous = *doc;
            }
            i = end;
        }
        out.push(']');
    }
    out.push('}');
    out
}

#[derive(Serialize)]
struct ResultLine<'a> {
    id: &'a str,
    title: &'a str,
    date: Option<String>,
    severity: Option<&'a str>,
    /// The incident type when it is not the default (`near-miss`), for a badge.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    incident_type: Option<&'a str>,
    summary: &'a str,
    /// Relative to the site root, so the site can move under any base path.
    path: String,
    /// Time to mitigate (else resolve), as people read it: for "find similar".
    #[serde(skip_serializing_if = "Option::is_none")]
    ttm: Option<String>,
    /// What mitigated it: the words of the timeline entry that marks mitigation.
    #[serde(skip_serializing_if = "Option::is_none")]
    mitigated: Option<&'a str>,
}

fn doc_chunks(lib: &Library) -> Vec<Vec<u8>> {
    lib.incidents
        .par_chunks(DOCS_PER_CHUNK)
        .zip(lib.derived.par_chunks(DOCS_PER_CHUNK))
        .map(|(chunk, derived)| {
            let lines: Vec<ResultLine> = chunk
                .iter()
                .zip(derived)
                .map(|(i, d)| ResultLine {
                    ttm: d
                        .time_to_mitigate
                        .or(d.time_to_resolve)
                        .map(crate::dates::human_minutes),
                    mitigated: i
                        .timeline
                        .iter()
                        .find(|e| e.milestone == Some(crate::content::model::Milestone::Mitigated))
                        .map(|e| e.text.as_str()),
                    id: &i.id,
                    title: &i.title,
                    date: i.date.map(|d| d.date().format("%Y-%m-%d").to_string()),
                    severity: i.severity.as_deref(),
                    incident_type: (i.incident_type != crate::vocabulary::types::DEFAULT_TYPE)
                        .then_some(i.incident_type.as_str()),
                    summary: i.summary.as_deref().unwrap_or(""),
                    path: crate::routes::incident_url("", &i.slug),
                })
                .collect();
            serde_json::to_vec(&lines).expect("result lines serialize")
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_analyzer_is_elasticlunrs_english_pipeline() {
        let a = Analyzer::default();
        assert_eq!(
            a.tokens("The checkout-api returned 502s; p99 at OPS-123 (connections)"),
            [
                "checkout", "api", "return", "502", "p99", "op", "123", "connect"
            ]
        );
    }

    fn leaves(node: &serde_json::Value, out: &mut usize) {
        if node["docs"].as_object().is_some_and(|d| !d.is_empty()) {
            *out += 1;
        }
        for (key, child) in node.as_object().unwrap() {
            if key != "docs" && key != "df" {
                leaves(child, out);
            }
        }
    }

    #[test]
    fn postings_and_lengths_are_what_an_elasticlunr_rs_index_holds() {
        let texts = [
            "INC-2024-007 Checkout-API 502s after a DNS change".to_string(),
            "Checkout returned 502 errors; p99 latency hit 9 s.".to_string(),
            "checkout-api , payments".to_string(),
            "dns , on-call".to_string(),
            "config-change".to_string(),
            "## Timeline\n14:02 UTC — OPS-123 opened --- twice\u{a0}over\t\u{b}\u{2003}-x- - -. The DNS resolver's cache (dnsmasq) \
             expired; connections, connection pools and connecting clients failed. Zürich DC.\n-end-"
                .to_string(),
        ];
        let mut analyzer = Analyzer::default();
        let borrowed: Vec<Cow<'_, str>> = texts.iter().map(|t| Cow::Borrowed(t.as_str())).collect();
        let doc = analyze(&mut analyzer, &borrowed, &[true; FIELDS.len()]);
        // The cached path gives exactly what elasticlunr-rs's pipeline gives, plus each id
        // as one term (which elasticlunr-rs keeps whole when written as `inc_2024_007`).
        let with_ids = |t: &str| {
            let ids: Vec<String> = ID.find_iter(t).map(|m| id_term(m.as_str())).collect();
            if ids.is_empty() {
                t.to_string()
            } else {
                format!("{t} {}", ids.join(" "))
            }
        };
        for (f, text) in texts.iter().enumerate() {
            let mut cached = Vec::new();
            analyzer.terms(text, &mut cached);
            let cached: Vec<&str> = cached.iter().map(|t| &**t).collect();
            assert_eq!(cached, analyzer.tokens(&with_ids(text)), "field {f}");
        }

        let mut index = elasticlunr::Index::new(FIELDS);
        let expected: Vec<String> = texts.iter().map(|t| with_ids(t)).collect();
        index.add_doc("0", &expected);
        let json: serde_json::Value = serde_json::from_str(&index.to_json()).unwrap();
        for (f, name) in FIELDS.iter().enumerate() {
            assert_eq!(
                json["documentStore"]["docInfo"]["0"][name], doc.lengths[f],
                "{name}"
            );
            let root = &json["index"][name]["root"];
            let mut terms = 0;
            leaves(root, &mut terms);
            let ours: Vec<_> = doc.postings.iter().filter(|p| p.1 as usize == f).collect();
            assert_eq!(ours.len(), terms, "{name}: one posting per term");
            for (term, _, count) in ours {
                let mut node = root;
                for c in term.chars() {
                    node = &node[c.to_string()];
                }
                assert_eq!(
                    node["docs"]["0"]["tf"].as_f64(),
                    Some(f64::from(*count).sqrt()),
                    "{name}: {}",
                    term
                );
            }
        }
        let body: Vec<&str> = doc
            .postings
            .iter()
            .filter(|p| p.1 == 5)
            .map(|p| &*p.0)
            .collect();
        for typed in ["op", "123", "dnsmasq", "connect", "zürich", "14:02"] {
            assert!(body.contains(&typed), "{typed} in {body:?}");
        }
    }

    #[test]
    fn words_split_as_elasticlunr_rs_tokenizes() {
        let lang = English::new();
        for text in [
            "",
            "-",
            "  ",
            "a",
            "-a-",
            "a--b",
            "\u{a0}x\u{a0}",
            "x\u{b}y\u{c}z",
            "é-è",
            "tail ",
            " head",
            "a\u{2028}b\u{3000}c",
            "日本語 テキスト",
            "a \u{85} b",
        ] {
            let ours: Vec<String> = words(text)
                .map(|w| w.trim().to_lowercase())
                .filter(|w| !w.is_empty())
                .collect();
            assert_eq!(ours, lang.tokenize(text), "{text:?}");
        }
    }

    #[test]
    fn a_prefix_and_every_term_it_begins_share_a_shard() {
        for shards in [1, 2, 64, 256] {
            let s = shard_of("con", shards);
            for t in ["connect", "connection", "conn", "con"] {
                assert_eq!(shard_of(t, shards), s, "{t}");
            }
            assert!(s < shards);
        }
        // Characters, not bytes: a multibyte prefix is cut on a character boundary.
        assert_eq!(shard_of("zürich", 256), shard_of("zür", 256));
        // The same FNV-1a search.js computes (checked there against these values).
        assert_eq!(shard_of("dns", 1 << 31), 0xda6a_e8bc % (1 << 31));
    }

    #[test]
    fn shards_list_fields_and_document_gaps() {
        let json = shard_file(vec![
            ("dns", 5, 0, 2),
            ("dns", 0, 3, 1),
            ("dns", 5, 7, 1),
            ("dns", 5, 9, 4),
            ("db", 5, 1, 1),
        ]);
        assert_eq!(json, r#"{"db":[5,1,1,1],"dns":[0,1,3,1,5,3,0,2,7,1,2,4]}"#);
    }
}
